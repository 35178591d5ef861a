/* verify.h - internal interfaces of src/verify.c beyond jitk.h. */
#ifndef JITK_VERIFY_H
#define JITK_VERIFY_H

#include "jitk.h"

/* Called once for every part of the query that Z3 answered UNSAT, with
 * the part as an SMT-LIB 2 benchmark in QF_BV: the same assertions Z3 was
 * given (the arch split and the difference of the two sides), before Z3's
 * own simplification, so that a second solver can re-check the answer. */
typedef void (*verify_unsat_fn)(void *ctx, size_t part, const char *smtlib);

/* jitk_equiv, also handing each UNSAT part to fn (if non-NULL). */
jitk_err verify_equiv_export(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex,
			     size_t maxcex, size_t *ncex, verify_unsat_fn fn, void *ctx,
			     jitk_diag *d);

#endif
