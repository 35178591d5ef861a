/*
 * scpl_resolve.c - phase 2 of the SCPL front end (scpl_parse.h): every
 * syscall reference is looked up on each ABI its rule applies to, unknown
 * names get a "did you mean", each rule's condition is built per ABI with
 * that ABI's constants and checked against the width of every parameter it
 * compares (docs/scpl.md, "Argument widths"), and the struct jitk_policy of
 * policy.h is built in the parser's arena, with its warnings.
 */
#include "params.h"
#include "scpl_parse.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------- resolution */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
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

/* The hint of a syscall name none of the ABIs arch[] has: the closest
 * known name, and how to give a syscall the tables lack by number (a
 * sysref may be a number, docs/scpl.md; numbers differ per ABI, so the
 * rule should be limited to the one it means). */
static void scpl_hint_unknown_syscall(struct parser *P, const bool arch[], const char *name)
{
	const char *s = syscall_suggest_abis(arch, name);
	int one = -1, n = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (arch[a] && n++ == 0)
			one = a;
	char mean[SCPL_MAX_IDENT + 24] = "";
	if (s)
		snprintf(mean, sizeof mean, "did you mean '%s'? Or, ", s);
	if (n == 1)
		scpl_hint(P, "%sfor a syscall jitk's tables lack, give its number on %s: syscall = NR%s",
			  mean, jitk_arch_name((jitk_arch)one),
			  one == JITK_ARCH_X32 ? " (with the x32 bit, 0x40000000)" : "");
	else
		scpl_hint(P,
			  "%sfor a syscall jitk's tables lack, give its number: syscall = NR, in a rule "
			  "limited to one ABI (e.g. arch = %s), since numbers differ per ABI",
			  mean, jitk_arch_name((jitk_arch)one));
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
			jitk_err e =
				scpl_err_range(P, pr->src, t->off, t->len, JITK_E_NAME,
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
			if (syscall_placeholder(name)) {
				jitk_err e = scpl_err_range(
					P, r->src, t->off, t->len, JITK_E_NAME,
					"'%s' is a placeholder of the kernel's syscall table, not a syscall name",
					name);
				char nums[400] = "";
				for (int a = 0; a < JITK_ARCH__COUNT; a++) {
					int nr = jitk_syscall_nr((jitk_arch)a, name);
					if (arch[a] && nr >= 0)
						snprintf(nums + strlen(nums), sizeof nums - strlen(nums),
							 "%s%d on %s", nums[0] ? ", " : "", nr,
							 jitk_arch_name((jitk_arch)a));
				}
				if (nums[0])
					scpl_hint(P,
						  "to mean that slot, give it by number in a rule limited to its ABI: "
						  "syscall = NR (%s)",
						  nums);
				else
					scpl_hint(P,
						  "to mean a slot of the table, give it by number: syscall = NR");
				return e;
			}
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
			scpl_hint_unknown_syscall(P, arch, name);
			return e;
		}
	}
	return JITK_OK;
}

/* ------------------------------------------------- conditions per ABI */

/* The text of bytes [off, off+len) of source s, for messages. */
static void src_text(const struct parser *P, size_t s, size_t off, size_t len, char *buf, size_t cap)
{
	size_t n = len < cap - 1 ? len : cap - 1;
	memcpy(buf, P->srcs[s]->text + off, n);
	buf[n] = '\0';
}

/* Every constant of template t has a value on each ABI of arch[]: else an
 * error at the first name that has none there. */
static jitk_err check_missing(struct parser *P, const struct pol_cond *t, const bool arch[])
{
	if (!t)
		return JITK_OK;
	if (t->kind != POL_CMP) {
		jitk_err e = check_missing(P, t->l, arch);
		return e || t->kind == POL_NOT ? e : check_missing(P, t->r, arch);
	}
	const struct pcmp *pc = pcmp_of(t);
	const struct cval *cv[2] = { &pc->mask, &pc->value };
	for (int k = 0; k < 2; k++)
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			if (!arch[a] || !(cv[k]->missing >> a & 1))
				continue;
			char name[SCPL_MAX_IDENT + 1];
			src_text(P, cv[k]->src, cv[k]->miss_off, cv[k]->miss_len, name, sizeof name);
			jitk_err e = scpl_err_range(P, cv[k]->src, cv[k]->miss_off, cv[k]->miss_len,
						    JITK_E_NAME, "constant '%s' has no value on %s", name,
						    jitk_arch_name((jitk_arch)a));
			scpl_hint(P,
				  "%s's kernel headers do not define it; limit the rule to the ABIs "
				  "that do with its own arch = [...]",
				  jitk_arch_name((jitk_arch)a));
			return e;
		}
	return JITK_OK;
}

/* The action ret whose constant cv (NULL: none whose value depends on the
 * ABI) is read on the ABIs of abis[]: an errno name has each ABI's value
 * (ENOSYS is 38 on x86, 89 on mips; docs/scpl.md, the table of actions;
 * docs/kernel-notes.md section 9).  One action has one value, so these
 * ABIs must agree: else an error at the constant. */
static jitk_err action_on(struct parser *P, uint32_t ret, const struct cval *cv, const bool abis[],
			  uint32_t *out)
{
	*out = ret;
	if (!cv)
		return JITK_OK;
	char text[SCPL_MAX_IDENT + 1];
	int first = -1;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		if (!abis[a])
			continue;
		if (cv->missing >> a & 1) {
			src_text(P, cv->src, cv->miss_off, cv->miss_len, text, sizeof text);
			jitk_err e = scpl_err_range(P, cv->src, cv->miss_off, cv->miss_len, JITK_E_NAME,
						    "constant '%s' has no value on %s", text,
						    jitk_arch_name((jitk_arch)a));
			scpl_hint(P, "%s's kernel headers do not define it; write the number",
				  jitk_arch_name((jitk_arch)a));
			return e;
		}
		if (first < 0) {
			first = a;
		} else if (cv->abi[a] != cv->abi[first]) {
			src_text(P, cv->src, cv->off, cv->end - cv->off, text, sizeof text);
			jitk_err e = scpl_err_range(
				P, cv->src, cv->off, cv->end - cv->off, JITK_E_NAME,
				"'%s' is %llu on %s but %llu on %s, and an action has one value", text,
				(unsigned long long)cv->abi[first], jitk_arch_name((jitk_arch)first),
				(unsigned long long)cv->abi[a], jitk_arch_name((jitk_arch)a));
			scpl_hint(P, "write the number, or give each ABI its own rule (arch = [...])");
			return e;
		}
	}
	if (first >= 0)
		*out = (ret & ~(uint32_t)JITK_RET_DATA) | (uint32_t)cv->abi[first];
	return JITK_OK;
}

/* Template t with the constants of ABI a (low32 ones cut to 32 bits: the
 * width check makes sure they fit).  NULL stays NULL (true). */
static const struct pol_cond *inst_cond(struct parser *P, const struct pol_cond *t, int a, bool *oom)
{
	if (!t || *oom)
		return NULL;
	struct pol_cond *c = arena_alloc(&P->arena, sizeof *c);
	if (!c) {
		*oom = true;
		return NULL;
	}
	*c = *t;
	if (t->kind == POL_CMP) {
		const struct pcmp *pc = pcmp_of(t);
		c->mask = pc->mask.abi[a];
		c->value = pc->value.abi[a];
		if (t->low32) {
			c->mask &= 0xffffffffu;
			c->value &= 0xffffffffu;
		}
	} else {
		c->l = inst_cond(P, t->l, a, oom);
		c->r = t->kind == POL_NOT ? NULL : inst_cond(P, t->r, a, oom);
	}
	return c;
}

/* The bits of argument arg the semantics compare for syscall nr on ABI a
 * (docs/scpl.md "Argument widths"; the same rule as trusted/scpl_eval.c). */
static unsigned cmp_width(const struct pol_cond *t, int a, int nr)
{
	if (t->reg64)
		return 64;
	unsigned w = params_width((jitk_arch)a, nr, t->arg);
	return t->low32 && w > 32 ? 32 : w;
}

/* v fits w bits: as an unsigned number, or as the w-bit two's complement
 * of a negative one (-1, AT_FDCWD): the 64-bit value sign-extends bit w-1. */
static bool fits(uint64_t v, unsigned w)
{
	uint64_t keep = params_mask(w);
	return w >= 64 || v <= keep || v >= ~(keep >> 1);
}

/* "the 32-bit parameter 'fd' (unsigned int) of close on x86_64" */
static void param_text(int a, int nr, const struct pol_cond *t, unsigned w, char *buf, size_t cap)
{
	const struct tbl_params *tp = params_find((jitk_arch)a, nr);
	const char *sys = jitk_syscall_name((jitk_arch)a, nr);
	char sysbuf[24];
	if (!sys) {
		snprintf(sysbuf, sizeof sysbuf, "syscall %d", nr);
		sys = sysbuf;
	}
	if (t->reg64)
		snprintf(buf, cap, "reg64(arg%u) of %s on %s", t->arg, sys, jitk_arch_name((jitk_arch)a));
	else if (tp && t->arg < tp->nargs && !t->low32)
		snprintf(buf, cap, "the %u-bit parameter '%s' (%s) of %s on %s", w, tp->arg[t->arg].name,
			 tp->arg[t->arg].type, sys, jitk_arch_name((jitk_arch)a));
	else if (t->low32 && w == 32)
		snprintf(buf, cap, "low32(arg%u) of %s on %s", t->arg, sys, jitk_arch_name((jitk_arch)a));
	else
		snprintf(buf, cap, "arg%u of %s on %s, %u bits there", t->arg, sys,
			 jitk_arch_name((jitk_arch)a), w);
}

/* Every value of template t fits the width its compare has for syscall nr
 * on ABI a: a wider one could never match (the kernel never sees those
 * bits), so it is an error at the constant.  So is a wider mask in an
 * explicit low32(). */
static jitk_err check_widths(struct parser *P, const struct pol_cond *t, int a, int nr)
{
	if (!t)
		return JITK_OK;
	if (t->kind != POL_CMP) {
		jitk_err e = check_widths(P, t->l, a, nr);
		return e || t->kind == POL_NOT ? e : check_widths(P, t->r, a, nr);
	}
	const struct pcmp *pc = pcmp_of(t);
	unsigned w = cmp_width(t, a, nr);
	const struct cval *cv[2] = { &pc->mask, &pc->value };
	for (int k = 0; k < 2; k++) {
		/* A mask's bits above w only drop out (a change of meaning the
		 * warnings report), except in an explicit low32(), which says
		 * 32 bits: there a wider mask is a mistake, as it always was. */
		if (k == 0 && (!pc->has_mask || !t->low32))
			continue;
		if (fits(cv[k]->abi[a], w))
			continue;
		char txt[64], where[160];
		src_text(P, cv[k]->src, cv[k]->off, cv[k]->end - cv[k]->off, txt, sizeof txt);
		param_text(a, nr, t, w, where, sizeof where);
		jitk_err e = scpl_err_range(P, cv[k]->src, cv[k]->off, cv[k]->end - cv[k]->off, JITK_E_RANGE,
					    "%s %s does not fit %s", k ? "value" : "mask", txt, where);
		scpl_hint(P,
			  "the kernel uses only the low %u bits of this argument, so the compare "
			  "could never mean what it says; negative values mean their %u-bit two's "
			  "complement",
			  w, w);
		return e;
	}
	return JITK_OK;
}

/* Add a warning at token t of source s. */
static void warn(struct parser *P, size_t s, const struct scpl_tok *t, const char *hint, const char *fmt,
		 ...) JITK_PRINTF(5, 6);
static void warn(struct parser *P, size_t s, const struct scpl_tok *t, const char *hint, const char *fmt, ...)
{
	if (P->nwarn == SCPL_MAX_WARNINGS) {
		P->morewarn++;
		return;
	}
	if (!P->warn && !(P->warn = arena_alloc(&P->arena, SCPL_MAX_WARNINGS * sizeof *P->warn)))
		return;
	char msg[sizeof P->warn->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const struct src *S = P->srcs[s];
	jitk_diag *d = &P->warn[P->nwarn++];
	/* The lexer counted t's line and column: diag_text gets the text from
	 * t's line on, so that each warning costs its line, not a count of the
	 * lines before it (up to SCPL_MAX_WARNINGS times the file).  A column
	 * the lexer saturated falls back to counting from the start. */
	size_t bol = 0;
	unsigned line0 = 1;
	if (t->col != UINT_MAX && t->col - 1 <= t->off) {
		bol = t->off - (t->col - 1);
		line0 = t->line;
	}
	diag_text(d, JITK_OK, S->name, S->text + bol, S->len - bol, t->off - bol, t->len, "%s", msg);
	d->line += line0 - 1;
	str_copy(d->hint, sizeof d->hint, hint);
}

/*
 * Whether template t means something else for syscall nr on ABI a than it
 * did before issue 9, and why (in why): then a compare read all 64 bits of
 * the argument except low32() and on i386 (32), constants were x86_64's,
 * and an i386 compare did not cut its value to 32 bits.  Now it reads W bits
 * (cmp_width) with that ABI's constants cut to W.  The two agree exactly
 * when the cut mask and value are the old ones.  reg64() is new with these
 * rules: it has no old meaning to differ from.
 */
static bool changed(const struct parser *P, const struct pol_cond *t, int a, int nr, char *why, size_t cap)
{
	if (!t)
		return false;
	if (t->kind != POL_CMP)
		return changed(P, t->l, a, nr, why, cap) ||
		       (t->kind != POL_NOT && changed(P, t->r, a, nr, why, cap));
	if (t->reg64)
		return false;
	const struct pcmp *pc = pcmp_of(t);
	unsigned wo = t->low32 || params_abi32((jitk_arch)a) ? 32 : 64, w = cmp_width(t, a, nr);
	uint64_t ko = params_mask(wo), k = params_mask(w);
	uint64_t mo = (pc->has_mask ? pc->mask.v : UINT64_MAX) & ko;
	uint64_t vo = t->low32 ? pc->value.v & ko : pc->value.v;
	uint64_t m = (pc->has_mask ? pc->mask.abi[a] : UINT64_MAX) & k, v = pc->value.abi[a] & k;
	if (m == mo && v == vo)
		return false;
	char where[160];
	param_text(a, nr, t, w, where, sizeof where);
	if (pc->mask.abi[a] != pc->mask.v || pc->value.abi[a] != pc->value.v)
		snprintf(why, cap,
			 "on %s its constants have %s's own values now (%#llx, x86_64's %#llx before)",
			 jitk_arch_name((jitk_arch)a), jitk_arch_name((jitk_arch)a),
			 (unsigned long long)(pc->value.abi[a] != pc->value.v ? pc->value.abi[a]
									      : pc->mask.abi[a]),
			 (unsigned long long)(pc->value.abi[a] != pc->value.v ? pc->value.v : pc->mask.v));
	else if (w < wo)
		snprintf(why, cap, "%s is compared in its low %u bits now (%u before)", where, w, wo);
	else
		snprintf(why, cap,
			 "on %s the value is compared as its %u-bit two's complement %#llx now "
			 "(the %u-bit argument was compared with the 64-bit value before)",
			 jitk_arch_name((jitk_arch)a), w, (unsigned long long)v, w);
	(void)P;
	return true;
}

/* Warn, once per source rule, where rule pr's meaning changed (changed())
 * or where it names a number the kernel never filters. */
static void rule_warnings(struct parser *P, const struct prule *pr, const struct pol_rule *r)
{
	const struct scpl_tok *t = &P->srcs[pr->src]->toks[pr->tok];
	char why[256];
	bool done = false;
	for (int a = 0; a < JITK_ARCH__COUNT && !done; a++)
		for (size_t i = 0; i < r->nnrs[a] && !done; i++)
			if (changed(P, pr->cond, a, r->nrs[a][i], why, sizeof why)) {
				warn(P, pr->src, t,
				     "write low32(argN) for a compare of the low 32 bits; docs/scpl.md, "
				     "\"Argument widths\" (warned for one release)",
				     "this rule's meaning changed: %s", why);
				done = true;
			}
	/* kernel/seccomp.c, seccomp_uprobe_exception (docs/kernel-notes.md 2.1). */
	for (size_t i = 0; i < r->nnrs[JITK_ARCH_X86_64]; i++) {
		int nr = r->nrs[JITK_ARCH_X86_64][i];
		if (nr == 335 || nr == 336) {
			warn(P, pr->src, t,
			     "the kernel runs them without calling any filter; docs/kernel-notes.md 2.1",
			     "on x86_64, syscall %d (%s) never reaches seccomp: this rule cannot apply to it",
			     nr, nr == 335 ? "uretprobe" : "uprobe");
			break;
		}
	}
}

/* Build the struct jitk_policy from the parsed rules. */
jitk_err scpl_resolve(struct parser *P, const char *filename, jitk_policy **out)
{
	jitk_err e = check_names(P);
	if (e)
		return e;
	/* A source rule becomes at most one pol_rule per ABI. */
	struct pol_rule *rules =
		arena_alloc(&P->arena, (P->nrules ? P->nrules : 1) * JITK_ARCH__COUNT * sizeof *rules);
	if (!rules)
		return scpl_nomem(P);
	int *tmp = malloc((P->nrefs ? P->nrefs : 1) * sizeof *tmp);
	const char **fnames = calloc(P->nsrcs ? P->nsrcs : 1, sizeof *fnames);
	if (!tmp || !fnames) {
		free(tmp);
		free(fnames);
		return scpl_nomem(P);
	}
	size_t nrules = 0;
	for (size_t i = 0; i < P->nrules; i++) {
		const struct prule *pr = &P->rules[i];
		struct pol_rule r = { 0 };
		r.action = pr->action;
		const struct src *S = P->srcs[pr->src];
		r.line = S->toks[pr->tok].line; /* counted by the lexer: linear */
		r.col = S->toks[pr->tok].col;
		/* The source's name, copied once per source (sources are freed
		 * after parsing; a file included many times is one source). */
		if (!fnames[pr->src]) {
			size_t fl = strlen(S->name) + 1;
			char *fname = arena_alloc(&P->arena, fl);
			if (!fname)
				goto oom;
			memcpy(fname, S->name, fl);
			fnames[pr->src] = fname;
		}
		r.file = fnames[pr->src];
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
			/* Its constants must exist on every ABI it has syscalls on
			 * and fit the parameters they are compared with. */
			bool only[JITK_ARCH__COUNT] = { false };
			only[a] = m > 0;
			if ((e = check_missing(P, pr->cond, only)))
				goto fail;
			for (size_t k = 0; k < m; k++)
				if ((e = check_widths(P, pr->cond, a, tmp[k])))
					goto fail;
			int *nrs = arena_alloc(&P->arena, (m ? m : 1) * sizeof *nrs);
			if (!nrs)
				goto oom;
			memcpy(nrs, tmp, m * sizeof *nrs);
			r.nrs[a] = nrs;
			r.nnrs[a] = m;
		}
		rule_warnings(P, pr, &r);
		/* One pol_rule per group of ABIs whose conditions are equal:
		 * constants (O_DIRECTORY) may differ between ABIs. */
		const struct pol_cond *ca[JITK_ARCH__COUNT] = { 0 };
		bool oom = false;
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			if (r.nnrs[a])
				ca[a] = inst_cond(P, pr->cond, a, &oom);
		if (oom)
			goto oom;
		/* Each ABI's action: an errno name has each ABI's value. */
		uint32_t act[JITK_ARCH__COUNT];
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			bool one[JITK_ARCH__COUNT] = { false };
			one[a] = r.nnrs[a] > 0;
			if ((e = action_on(P, pr->action, pr->act_cv, one, &act[a])))
				goto fail;
		}
		bool placed[JITK_ARCH__COUNT] = { false };
		bool any = false;
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			if (!r.nnrs[a] || placed[a])
				continue;
			struct pol_rule g = r;
			g.cond = ca[a];
			g.action = act[a];
			for (int b = 0; b < JITK_ARCH__COUNT; b++) {
				bool same = r.nnrs[b] && !placed[b] && act[a] == act[b] &&
					    pol_cond_equal(ca[a], ca[b]);
				if (same)
					placed[b] = true;
				else if (r.nrs[b]) {
					g.nrs[b] = r.nrs[b]; /* an empty list: the rule does not apply on b */
					g.nnrs[b] = 0;
				}
			}
			rules[nrules++] = g;
			any = true;
		}
		if (!any) { /* no number on any ABI: keep the rule, empty everywhere */
			r.cond = ca[0];
			rules[nrules++] = r;
		}
	}
	free(tmp);
	free(fnames);
	jitk_policy *p = calloc(1, sizeof *p);
	if (!p)
		return scpl_nomem(P);
	str_copy(p->file, sizeof p->file, filename ? filename : "");
	memcpy(p->arch, P->arch, sizeof p->arch);
	/* The default and foreign actions take the policy's ABIs' value (the
	 * foreign one is for the arches jitk does not know, which have none). */
	if ((e = action_on(P, P->default_action, P->default_cv, P->arch, &p->default_action)) ||
	    (e = action_on(P, P->foreign_action, P->foreign_cv, P->arch, &p->foreign_action))) {
		free(p);
		return e;
	}
	p->nrules = nrules;
	p->rules = rules;
	p->landlock = P->ll;
	if (P->morewarn && P->nwarn)
		snprintf(P->warn[P->nwarn - 1].hint, sizeof P->warn->hint, "and %zu more warnings",
			 P->morewarn);
	p->nwarnings = P->nwarn;
	p->warnings = P->warn;
	p->arena = P->arena;
	P->arena = NULL;
	*out = p;
	return JITK_OK;
oom:
	e = scpl_nomem(P);
fail:
	free(tmp);
	free(fnames);
	return e;
}
