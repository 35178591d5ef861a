/*
 * scpl_resolve.c - phase 2 of the SCPL front end (scpl_parse.h): every
 * syscall reference is looked up on each ABI its rule applies to, unknown
 * names get a "did you mean", and the struct jitk_policy of policy.h is
 * built in the parser's arena.
 */
#include "scpl_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------- resolution */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* A syscall name that starts with name on arch (shortest), for hints such
 * as open -> openat where the edit distance is too large. */
static const char *prefix_suggest(jitk_arch a, const char *name)
{
	if (strncmp(name, "SYS_", 4) == 0)
		name += 4;
	size_t n = strlen(name);
	const char *best = NULL, *s;
	for (size_t i = 0; jitk_syscall_at(a, i, &s, NULL); i++)
		if (strncmp(s, name, n) == 0 && (!best || strlen(s) < strlen(best)))
			best = s;
	return best;
}

/* The syscall of arch at edit distance <= 2 from name (first of the
 * closest), for short typos jitk_syscall_suggest is too strict for. */
static const char *near_suggest(jitk_arch a, const char *name)
{
	if (strncmp(name, "SYS_", 4) == 0)
		name += 4;
	const char *s;
	struct closest c;
	closest_init(&c, name, 3);
	for (size_t i = 0; jitk_syscall_at(a, i, &s, NULL); i++)
		closest_try(&c, s);
	return strlen(name) >= 4 ? c.best : NULL;
}

/* The ABIs rule pr applies to: the policy's, narrowed by the rule's own
 * arch list if it has one. */
static void rule_arches(const struct parser *P, const struct prule *pr, bool out[])
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		out[a] = P->arch[a] && (!pr->has_arch || pr->arch[a]);
}

/* "x86_64, i386" for the set arch. */
static void arch_list_text(const bool arch[], char *buf, size_t cap)
{
	buf[0] = '\0';
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (arch[a])
			snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? ", " : "",
				 jitk_arch_name((jitk_arch)a));
}

/* Check that every rule applies to some ABI and that each of its syscall
 * names exists on at least one of the ABIs it applies to. */
static jitk_err check_names(struct parser *P)
{
	for (size_t i = 0; i < P->nrules; i++) {
		const struct prule *pr = &P->rules[i];
		bool arch[JITK_ARCH__COUNT], any = false;
		char listed[64];
		rule_arches(P, pr, arch);
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			any |= arch[a];
		if (!any) {
			const struct src *S = P->srcs[pr->src];
			const struct scpl_tok *t = &S->toks[pr->arch_tok];
			jitk_err e = scpl_err_range(P, pr->src, t->off, t->len, JITK_E_NAME,
					       "the rule's arch list shares no architecture with the policy");
			arch_list_text(P->arch, listed, sizeof listed);
			scpl_hint(P, "the policy's arch list is [%s]", listed);
			return e;
		}
		arch_list_text(arch, listed, sizeof listed);
		for (size_t k = 0; k < pr->nref; k++) {
			const struct sref *r = &P->refs[pr->ref0 + k];
			if (r->is_num)
				continue;
			struct src *S = P->srcs[r->src];
			const struct scpl_tok *t = &S->toks[r->tok];
			char name[SCPL_MAX_IDENT + 1];
			memcpy(name, S->text + t->off, t->len);
			name[t->len] = '\0';
			bool found = false, elsewhere = false;
			for (int a = 0; a < JITK_ARCH__COUNT; a++) {
				if (jitk_syscall_nr((jitk_arch)a, name) < 0)
					continue;
				if (arch[a])
					found = true;
				else
					elsewhere = true;
			}
			if (found)
				continue;
			jitk_err e;
			if (elsewhere)
				e = scpl_err_range(P, r->src, t->off, t->len, JITK_E_NAME,
					      "syscall '%s' does not exist on %s", name, listed);
			else
				e = scpl_err_range(P, r->src, t->off, t->len, JITK_E_NAME,
					      "unknown syscall '%s'", name);
			const char *s = NULL;
			for (int a = 0; a < JITK_ARCH__COUNT && !s; a++)
				if (arch[a])
					s = jitk_syscall_suggest((jitk_arch)a, name);
			for (int a = 0; a < JITK_ARCH__COUNT && !s; a++)
				if (arch[a])
					s = prefix_suggest((jitk_arch)a, name);
			for (int a = 0; a < JITK_ARCH__COUNT && !s; a++)
				if (arch[a])
					s = near_suggest((jitk_arch)a, name);
			if (s)
				scpl_hint(P, "did you mean '%s'?", s);
			else
				scpl_hint(P, "syscall names come from the kernel headers of each listed arch");
			return e;
		}
	}
	return JITK_OK;
}

/* Build the struct jitk_policy from the parsed rules. */
jitk_err scpl_resolve(struct parser *P, const char *filename, jitk_policy **out)
{
	jitk_err e = check_names(P);
	if (e)
		return e;
	struct pol_rule *rules = arena_alloc(&P->arena, P->nrules * sizeof *rules);
	if (!rules)
		return scpl_nomem(P);
	int *tmp = malloc((P->nrefs ? P->nrefs : 1) * sizeof *tmp);
	const char **fnames = calloc(P->nsrcs ? P->nsrcs : 1, sizeof *fnames);
	if (!tmp || !fnames) {
		free(tmp);
		free(fnames);
		return scpl_nomem(P);
	}
	for (size_t i = 0; i < P->nrules; i++) {
		const struct prule *pr = &P->rules[i];
		struct pol_rule *r = &rules[i];
		r->action = pr->action;
		r->cond = pr->cond;
		const struct src *S = P->srcs[pr->src];
		r->line = S->toks[pr->tok].line; /* counted by the lexer: linear */
		r->col = S->toks[pr->tok].col;
		/* The source's name, copied once per source (sources are freed
		 * after parsing; a file included many times is one source). */
		if (!fnames[pr->src]) {
			size_t fl = strlen(S->name) + 1;
			char *fname = arena_alloc(&P->arena, fl);
			if (!fname) {
				free(tmp);
				free(fnames);
				return scpl_nomem(P);
			}
			memcpy(fname, S->name, fl);
			fnames[pr->src] = fname;
		}
		r->file = fnames[pr->src];
		bool arch[JITK_ARCH__COUNT];
		rule_arches(P, pr, arch);
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			if (!P->arch[a])
				continue; /* unlisted: nrs NULL, nnrs 0 */
			size_t n = 0;
			/* A rule limited to other ABIs has an empty list here. */
			for (size_t k = 0; k < pr->nref && arch[a]; k++) {
				const struct sref *ref = &P->refs[pr->ref0 + k];
				int nr;
				if (ref->is_num) {
					nr = (int)ref->nr;
				} else {
					const struct src *RS = P->srcs[ref->src];
					const struct scpl_tok *t = &RS->toks[ref->tok];
					char name[SCPL_MAX_IDENT + 1];
					memcpy(name, RS->text + t->off, t->len);
					name[t->len] = '\0';
					nr = jitk_syscall_nr((jitk_arch)a, name);
					if (nr < 0)
						continue; /* absent on this arch */
				}
				tmp[n++] = nr;
			}
			qsort(tmp, n, sizeof *tmp, cmp_int);
			size_t m = 0;
			for (size_t k = 0; k < n; k++)
				if (m == 0 || tmp[m - 1] != tmp[k])
					tmp[m++] = tmp[k];
			int *nrs = arena_alloc(&P->arena, (m ? m : 1) * sizeof *nrs);
			if (!nrs) {
				free(tmp);
				free(fnames);
				return scpl_nomem(P);
			}
			memcpy(nrs, tmp, m * sizeof *nrs);
			r->nrs[a] = nrs;
			r->nnrs[a] = m;
		}
	}
	free(tmp);
	free(fnames);
	jitk_policy *p = calloc(1, sizeof *p);
	if (!p)
		return scpl_nomem(P);
	str_copy(p->file, sizeof p->file, filename ? filename : "");
	memcpy(p->arch, P->arch, sizeof p->arch);
	p->default_action = P->default_action;
	p->foreign_action = P->foreign_action;
	p->nrules = P->nrules;
	p->rules = rules;
	p->landlock = P->ll;
	p->arena = P->arena;
	P->arena = NULL;
	*out = p;
	return JITK_OK;
}

