/*
 * diag.h - recording an error in a jitk_diag (util.c), for every stage,
 * the trusted base included (it reads no other header of src/).
 */
#ifndef JITK_DIAG_H
#define JITK_DIAG_H

#include "jitk.h"
#include "analyzer.h"

#include <stddef.h>

/* Diagnostics.  All accept d == NULL and return err so callers can write
 * `return diag_at(d, ...)`. */
#if defined(__GNUC__)
#define JITK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define JITK_PRINTF(a, b)
#endif
/* The contracts (for Frama-C's WP, make prove-rte) are what the trusted
 * callers rely on: only *d is written, err comes back.  util.c's formatting
 * is not proved (docs/verify.md). */
/* Reset d to "no error". */
/*@ assigns *d; */
void diag_clear(jitk_diag *d);
/* Error without location. */
/*@ assigns *d; ensures \result == err; */
jitk_err diag_err(jitk_diag *d, jitk_err err, const char *fmt, ...) JITK_PRINTF(3, 4);
/* Error at instruction index, with a rule id. */
/*@ assigns *d; ensures \result == err; */
jitk_err diag_insn(jitk_diag *d, jitk_err err, long index, const char *rule, const char *fmt, ...)
	JITK_PRINTF(5, 6);
/* Error at a text position.  text/textlen is the whole source so the line
 * can be copied into the diagnostic; off is the byte offset of the problem
 * and span its length. */
jitk_err diag_text(jitk_diag *d, jitk_err err, const char *file, const char *text, size_t textlen,
		   size_t off, size_t span, const char *fmt, ...) JITK_PRINTF(8, 9);
/* Set the hint of d (after an error was recorded). */
/*@ assigns *d; */
void diag_hint(jitk_diag *d, const char *fmt, ...) JITK_PRINTF(2, 3);

/* The contract above, for the clang analyzer (make analyze): every caller
 * passes an error, never JITK_OK, and gets it back.  The analyzer does not
 * look into a variadic function nor into another file, so without this it
 * assumes JITK_OK may come back and reports the outputs that callers rightly
 * leave unwritten after an error.  A stage's own error helpers say the same
 * (scpl_parse.h, asm.h, oci.c).  The definitions write the name in
 * parentheses, `jitk_err (diag_err)(...)`, so that the macro skips them. */
#ifdef __clang_analyzer__
#define diag_err(...) diag_analyzer_err(diag_err(__VA_ARGS__))
#define diag_insn(...) diag_analyzer_err(diag_insn(__VA_ARGS__))
#define diag_text(...) diag_analyzer_err(diag_text(__VA_ARGS__))
#endif

#endif
