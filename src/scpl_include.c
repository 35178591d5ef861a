/*
 * scpl_include.c - reading an included SCPL file (docs/scpl.md): the path
 * relative to the including file, the nesting limit, include cycles, only
 * regular files; the text is kept alive for diagnostics (scpl_parse.h).
 */
#include "scpl_parse.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The directory part of path (with its '/'), or "" if it has none. */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path) + 1 : 0;
}

jitk_err scpl_include_open(struct parser *P, const struct scpl_tok *t, const char *ptext,
			   size_t plen)
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
	char *real = realpath(path, NULL);
	for (unsigned i = 0; real && i < P->ninc; i++) {
		const struct src *s = P->srcs[P->inc_stack[i]];
		if (s->real && strcmp(s->real, real) == 0) {
			free(real);
			e = scpl_err_at(P, t, JITK_E_PARSE, "include cycle: '%s' is already being read", path);
			scpl_hint(P, "remove the include of '%s'", path);
			return e;
		}
	}

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
	/* Only regular files: an include of /dev/zero or a FIFO would make the
	 * parser read forever or block. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		e = scpl_err_at(P, t, JITK_E_IO, "include file '%s' is not a regular file", path);
		scpl_hint(P, "include only policy files");
		return e;
	}
	jitk_diag io;
	diag_clear(&io);
	e = jitk_read_file(path, &S->text, &S->len, &io);
	if (e) {
		int sys = io.sys_errno;
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

	return JITK_OK;
}
