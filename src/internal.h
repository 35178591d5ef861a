/* internal.h - shared by every stage of the library, never installed. */
#ifndef JITK_INTERNAL_H
#define JITK_INTERNAL_H

#include "jitk.h"

#include <stdarg.h>

/* The filter container: immutable once built. */
struct jitk_filter {
	size_t len;
	jitk_insn insns[]; /* len entries */
};

/* Allocate a filter of n instructions with unspecified contents; the caller
 * fills it before anyone else sees it.  NULL on allocation failure. */
jitk_filter *filter_alloc(size_t n);

/* Diagnostics.  All accept d == NULL and return err so callers can write
 * `return diag_at(d, ...)`. */
#if defined(__GNUC__)
#define JITK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define JITK_PRINTF(a, b)
#endif
/* Reset d to "no error". */
void diag_clear(jitk_diag *d);
/* Error without location. */
jitk_err diag_err(jitk_diag *d, jitk_err err, const char *fmt, ...) JITK_PRINTF(3, 4);
/* Error at instruction index, with a rule id. */
jitk_err diag_insn(jitk_diag *d, jitk_err err, long index, const char *rule,
		   const char *fmt, ...) JITK_PRINTF(5, 6);
/* Error at a text position.  text/textlen is the whole source so the line
 * can be copied into the diagnostic; off is the byte offset of the problem
 * and span its length. */
jitk_err diag_text(jitk_diag *d, jitk_err err, const char *file, const char *text,
		   size_t textlen, size_t off, size_t span, const char *fmt, ...)
	JITK_PRINTF(8, 9);
/* Set the hint of d (after an error was recorded). */
void diag_hint(jitk_diag *d, const char *fmt, ...) JITK_PRINTF(2, 3);

/* Bounded string copy that always terminates dst (cap > 0). */
void str_copy(char *dst, size_t cap, const char *src);

/* Growable string used by printers; sticky error on allocation failure. */
struct strbuf {
	char *buf;
	size_t len, cap;
	bool failed;
};
void sb_printf(struct strbuf *sb, const char *fmt, ...) JITK_PRINTF(2, 3);
/* Hand the buffer over (NUL-terminated) or JITK_E_NOMEM, freeing it. */
jitk_err sb_finish(struct strbuf *sb, char **out);

/* Read a whole file; *text is NUL-terminated (release with free). */
/* All of path, NUL-terminated, at most max bytes (JITK_E_TOO_BIG beyond:
 * /dev/zero ends there).  regular_only refuses anything but a regular file
 * without blocking on it (a fifo with no writer). */
/* "16 MiB", "64 KiB", "100 bytes": a size for messages. */
void size_text(size_t n, char *buf, size_t cap);
jitk_err read_file(const char *path, size_t max, bool regular_only, char **text, size_t *len,
		   jitk_diag *d);

/* An arena (arena.c): zeroed, max-aligned allocations that live until
 * arena_free releases the whole chain.  *a starts NULL; NULL on failure. */
struct arena_blk;
void *arena_alloc(struct arena_blk **a, size_t n);
void arena_free(struct arena_blk *a);

/* Make the malloc'd array *arr (*cap elements of elem bytes) hold at least
 * need elements, doubling.  false on overflow or allocation failure, with
 * *arr and *cap unchanged. */
bool array_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* Levenshtein distance, capped (for "did you mean" hints). */
size_t edit_distance(const char *a, const char *b);

#endif
