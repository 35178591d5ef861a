/*
 * scpl_parse.h - the SCPL front end's shared state, for its three stages:
 *   scpl_parse.c    the grammar (one function per rule) and the entry points
 *   scpl_include.c  reading an included file (paths, cycles, limits)
 *   scpl_resolve.c  phase 2: names to numbers per ABI, struct jitk_policy
 * scpl_lex.c makes the tokens.  Nothing outside the front end includes it.
 */
#ifndef JITK_SCPL_PARSE_H
#define JITK_SCPL_PARSE_H

#include "policy.h"
#include "scpl_lex.h"

/* Nesting limits.  They keep recursion bounded on any input (the parser and
 * every consumer of pol_cond trees recurse) and catch include cycles that
 * realpath() cannot see. */
#define SCPL_MAX_COND_DEPTH 64
#define SCPL_MAX_INCLUDE_DEPTH 16
#define SCPL_MAX_PATH 4096
#define SCPL_MAX_WARNINGS 64

/* One source text: the top-level policy or an included file. */
struct src {
	char *name; /* for diagnostics, "" if none */
	char *text; /* owned when own_text */
	size_t len;
	bool own_text;
	char *real; /* realpath() of the file, NULL if unknown */
	struct scpl_tok *toks;
	size_t ntoks;
};

/* A syscall reference, resolved in phase 2. */
struct sref {
	size_t src, tok;
	bool is_num;
	uint32_t nr;
};

/* A parsed rule before resolution. */
struct prule {
	uint32_t action;
	const struct pol_cond *cond;
	size_t ref0, nref; /* its references: refs[ref0 .. ref0 + nref) */
	size_t src, tok;   /* its '{' */
	/* The rule's own arch list, if it has one (else all of the policy's). */
	bool arch[JITK_ARCH__COUNT];
	bool has_arch;
	size_t arch_tok; /* its "arch" field name, in src */
	/* The action's constant where its value depends on the ABI (an errno
	 * name: ENOSYS is 38 on x86, 89 on mips), else NULL. */
	const struct cval *act_cv;
};

/* A constant and where it was written (for range errors).  A name may have
 * a different value on each ABI (O_DIRECTORY, docs/kernel-notes.md section
 * 7), or none on some (ARCH_SET_FS on aarch64): abi[a] is its value on ABI
 * a, bit a of `missing` says a has none, miss_* is the first such name. */
struct cval {
	uint64_t v; /* the value on x86_64 (action data) */
	uint64_t abi[JITK_ARCH__COUNT];
	uint32_t missing;
	size_t miss_off, miss_len;
	size_t src, off, end; /* byte range in source src */
};

/* A comparison as parsed: the pol_cond template (its mask and value are
 * x86_64's) and its constants on every ABI.  Every POL_CMP node the parser
 * makes is the `c` of one, so the resolver gets back to it (pcmp_of) to
 * build each ABI's condition and to check the constants against the width
 * of the parameter (scpl_resolve.c). */
struct pcmp {
	struct pol_cond c;
	struct cval mask, value;
	bool has_mask;
};

static inline const struct pcmp *pcmp_of(const struct pol_cond *c)
{
	return (const struct pcmp *)(const void *)c;
}

struct parser {
	jitk_diag *d;
	struct src **srcs;
	size_t nsrcs, capsrcs;
	size_t cur, pos; /* current source and token */
	size_t inc_stack[SCPL_MAX_INCLUDE_DEPTH + 1];
	unsigned ninc;  /* sources on the include stack */
	unsigned depth; /* condition nesting */
	struct arena_blk *arena;
	struct prule *rules;
	size_t nrules, caprules;
	struct sref *refs;
	size_t nrefs, caprefs;
	/* What the policy may pull in (every field set), and how many bytes
	 * the includes have spliced in so far. */
	jitk_policy_limits lim;
	size_t spliced;
	/* Warnings for the policy (scpl_resolve.c), at most SCPL_MAX_WARNINGS. */
	jitk_diag *warn;
	size_t nwarn, morewarn;
	/* policy fields */
	bool arch[JITK_ARCH__COUNT];
	uint32_t default_action, foreign_action;
	const struct cval *default_cv, *foreign_cv; /* as prule.act_cv */
	/* filesystem, network, scope (arrays in the arena; scpl_resolve
	 * copies the struct into the policy) */
	struct pol_landlock ll;
	/* Copies of the sources' texts in the arena (scpl_keep_sources), for
	 * jitk_policy_source. */
	struct pol_source *kept;
	size_t nkept;
};

static inline struct src *cur_src(struct parser *P)
{
	return P->srcs[P->cur];
}

/* Located errors and hints (scpl_parse.c): err_range at a byte range of
 * source s, err_at at token t of the current source. */
jitk_err scpl_err_range(struct parser *P, size_t s, size_t off, size_t span, jitk_err err, const char *fmt,
			...) JITK_PRINTF(6, 7);
jitk_err scpl_err_at(struct parser *P, const struct scpl_tok *t, jitk_err err, const char *fmt, ...)
	JITK_PRINTF(4, 5);
void scpl_hint(struct parser *P, const char *fmt, ...) JITK_PRINTF(2, 3);
jitk_err scpl_nomem(struct parser *P);
#ifdef __clang_analyzer__ /* never JITK_OK (diag.h) */
#define scpl_err_range(...) diag_analyzer_err(scpl_err_range(__VA_ARGS__))
#define scpl_err_at(...) diag_analyzer_err(scpl_err_at(__VA_ARGS__))
#define scpl_nomem(P) diag_analyzer_err(scpl_nomem(P))
#endif

/* Open the file an include names (ptext/plen, the string token t without
 * its quotes), relative to the including file; on success *idx is its
 * source, lexed.  A file included again is read and lexed once, but its
 * bytes count against lim.max_total each time (scpl_include.c). */
jitk_err scpl_include_open(struct parser *P, const struct scpl_tok *t, const char *ptext, size_t plen,
			   size_t *idx);
/* Copy every source's name and text into the arena (P->kept), to be
 * handed to the policy with it (jitk_policy_source). */
jitk_err scpl_keep_sources(struct parser *P);
/* "a.scpl -> b.rules -> c.rules": the files being read, outermost first,
 * then path (if not NULL), for messages about limits. */
void scpl_include_chain(const struct parser *P, const char *path, char *buf, size_t cap);

/* Phase 2: build the struct jitk_policy from the parsed rules
 * (scpl_resolve.c). */
jitk_err scpl_resolve(struct parser *P, const char *filename, jitk_policy **out);

#endif
