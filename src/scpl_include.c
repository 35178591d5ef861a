/*
 * scpl_include.c - reading an included SCPL file (docs/scpl.md): the path
 * relative to the including file, the nesting limit, include cycles, only
 * regular files, each file read once, the bytes spliced in bounded in total
 * (jitk_policy_limits); the text is kept alive for diagnostics
 * (scpl_parse.h).
 */
#include "scpl_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The directory part of path (with its '/'), or "" if it has none. */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path) + 1 : 0;
}

/* Name i of the chain: the files being read, then path. */
static const char *chain_name(const struct parser *P, const char *path, unsigned i)
{
	const char *name = i < P->ninc ? P->srcs[P->inc_stack[i]]->name : path;
	return name[0] ? name : "<text>";
}

void scpl_include_chain(const struct parser *P, const char *path, char *buf, size_t cap)
{
	unsigned n = P->ninc + (path != NULL);
	/* All of it if it fits, else the two outermost and the two innermost
	 * files around "...". */
	for (int elide = 0; elide < 2; elide++) {
		size_t len = 0;
		buf[0] = '\0';
		for (unsigned i = 0; i < n; i++) {
			if (elide && n > 4 && i >= 2 && i < n - 2) {
				if (i == 2)
					len += (size_t)snprintf(buf + len, cap - len, " -> ...");
				continue;
			}
			int k = snprintf(buf + len, cap - len, "%s%s", i ? " -> " : "",
					 chain_name(P, path, i));
			if (k < 0 || (size_t)k >= cap - len) {
				len = cap;
				break;
			}
			len += (size_t)k;
		}
		if (len < cap)
			return;
	}
}

/* The source already read for path, or 0 (the top-level text, which is
 * never included: that would be a cycle). */
static size_t find_src(const struct parser *P, const char *path)
{
	for (size_t i = 1; i < P->nsrcs; i++)
		if (!strcmp(P->srcs[i]->name, path))
			return i;
	return 0;
}

jitk_err scpl_include_open(struct parser *P, const struct scpl_tok *t, const char *ptext, size_t plen,
			   size_t *idx)
{
	jitk_err e;
	char path[SCPL_MAX_PATH];
	const char *parent = cur_src(P)->name;
	size_t dl = ptext[0] == '/' ? 0 : dir_len(parent);
	if (dl + plen >= sizeof path) {
		e = scpl_err_at(P, t, JITK_E_RANGE, "include path too long");
		scpl_hint(P, "paths are at most %d bytes", SCPL_MAX_PATH - 1);
		return e;
	}
	memcpy(path, parent, dl);
	memcpy(path + dl, ptext, plen);
	path[dl + plen] = '\0';

	if (P->ninc > SCPL_MAX_INCLUDE_DEPTH) {
		e = scpl_err_at(P, t, JITK_E_RANGE, "includes nested too deeply (more than %d levels)",
				SCPL_MAX_INCLUDE_DEPTH);
		scpl_hint(P, "is there an include cycle?");
		return e;
	}
	/* A file included again (the same path from the same directory) is
	 * not read, realpath()ed or lexed again: a policy that includes one
	 * file many times costs its parse, not its I/O. */
	size_t again = find_src(P, path);
	char *real = again ? NULL : realpath(path, NULL);
	const char *rp = again ? P->srcs[again]->real : real;
	for (unsigned i = 0; rp && i < P->ninc; i++) {
		const struct src *s = P->srcs[P->inc_stack[i]];
		if (s->real && strcmp(s->real, rp) == 0) {
			free(real);
			e = scpl_err_at(P, t, JITK_E_PARSE, "include cycle: '%s' is already being read",
					path);
			scpl_hint(P, "remove the include of '%s'", path);
			return e;
		}
	}
	if (again) {
		*idx = again;
	} else {
		struct src *S = calloc(1, sizeof *S);
		if (!S || !array_grow((void **)&P->srcs, &P->capsrcs, P->nsrcs + 1, sizeof *P->srcs)) {
			free(S);
			free(real);
			return scpl_nomem(P);
		}
		P->srcs[P->nsrcs++] = S;
		S->real = real;
		S->name = strdup(path);
		if (!S->name)
			return scpl_nomem(P);
		/* Only regular files (read_file refuses the others without
		 * blocking): an include of /dev/zero or a fifo would make the
		 * parser read forever or wait.  Each at most max_input bytes. */
		jitk_diag io;
		diag_clear(&io);
		e = read_file(path, P->lim.max_input, true, &S->text, &S->len, &io);
		if (e) {
			int sys = io.sys_errno;
			struct stat st;
			if (e == JITK_E_IO && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
				e = scpl_err_at(P, t, JITK_E_IO, "include file '%s' is not a regular file",
						path);
				scpl_hint(P, "include only policy files");
				return e;
			}
			if (e == JITK_E_TOO_BIG) {
				char lim[32];
				size_text(P->lim.max_input, lim, sizeof lim);
				e = scpl_err_at(P, t, e,
						"include file '%s' is larger than the input limit of %s",
						path, lim);
				scpl_hint(P, "raise jitk_policy_limits.max_input (jitk --max-input SIZE)");
				return e;
			}
			e = scpl_err_at(P, t, e, "cannot read include file '%s': %s", path,
					sys ? strerror(sys) : io.msg);
			if (P->d)
				P->d->sys_errno = sys;
			scpl_hint(P, "include paths are relative to the including file");
			return e;
		}
		S->own_text = true;
		if ((e = scpl_lex(S->text, S->len, S->name, &S->toks, &S->ntoks, P->d)))
			return e;
		*idx = P->nsrcs - 1;
	}
	/* Bounded in total, counting every splice: 12 files each including
	 * the next 8 times stop here after max_total bytes, not after 8^12. */
	size_t len = P->srcs[*idx]->len;
	if (len > P->lim.max_total - P->spliced) {
		char chain[200], lim[32];
		scpl_include_chain(P, path, chain, sizeof chain);
		size_text(P->lim.max_total, lim, sizeof lim);
		e = scpl_err_at(P, t, JITK_E_TOO_BIG, "includes splice in more than %s in total", lim);
		scpl_hint(P, "include chain %s (a file is counted each time it is included)", chain);
		return e;
	}
	P->spliced += len;
	return JITK_OK;
}

jitk_err scpl_keep_sources(struct parser *P)
{
	/* The bytes parsed, not the files re-read later: a front end that
	 * keys a cache on them (cli/cache.c) keys on exactly what this parse
	 * saw, with no window for a file to change in between. */
	P->kept = arena_alloc(&P->arena, P->nsrcs * sizeof *P->kept);
	if (!P->kept)
		return scpl_nomem(P);
	for (size_t i = 0; i < P->nsrcs; i++) {
		const struct src *S = P->srcs[i];
		size_t nl = strlen(S->name) + 1;
		char *name = arena_alloc(&P->arena, nl);
		char *text = arena_alloc(&P->arena, S->len + 1);
		if (!name || !text)
			return scpl_nomem(P);
		memcpy(name, S->name, nl);
		if (S->len)
			memcpy(text, S->text, S->len);
		text[S->len] = '\0';
		P->kept[i] = (struct pol_source){ .name = name, .text = text, .len = S->len };
	}
	P->nkept = P->nsrcs;
	return JITK_OK;
}
