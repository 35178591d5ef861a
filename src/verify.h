/*
 * verify.h - the decomposed proof's internals, for the tests and the bench.
 *
 * jitk_equiv (src/verify.c) cuts the input space into parts, boxes of one
 * interval per 32-bit word of seccomp_data (smt.h's word map), and proves
 * each part on its own; docs/verify.md gives the coverage argument.  This
 * header lets the tests see the parts (to aim a mutant at each one) and
 * leave one out on purpose (the proof must then fail), and lets the bench
 * count them.  Never installed; not part of the library's API.
 */
#ifndef JITK_VERIFY_H
#define JITK_VERIFY_H

#include "internal.h"
#include "smt.h"

#define VERIFY_NWORDS 16u

/* Inputs whose word i lies in [lo[i], hi[i]] for every i. */
struct verify_box {
	uint32_t lo[VERIFY_NWORDS], hi[VERIFY_NWORDS];
};

struct verify_stats {
	/* out */
	size_t nparts;   /* leaves of the decomposition (proved or refuted) */
	size_t nqueries; /* Z3 checks made */
	size_t maxnodes; /* largest folded leaf (terms of both sides) */
	/* in: if parts != NULL, the first capparts leaves are stored there */
	struct verify_box *parts;
	size_t capparts;
	/* in, test hook: when nonzero, leaf number skip_part (1-based, in the
	 * order the leaves are reached) is neither proved nor recorded, as a
	 * decomposition bug would lose it.  The coverage check must then
	 * refuse the proof. */
	size_t skip_part;
};

/* For a second solver (jitk verify --cross-check): once the decomposed
 * proof has passed, the proof is handed over again as one SMT-LIB 2
 * benchmark (QF_BV, expected unsat) per arch value a policy side lists and
 * one for every other arch value, over the unfolded terms: so the second
 * solver re-checks the answer independently of Z3, of the decomposition
 * and of the folding. */
typedef void (*verify_unsat_fn)(void *ctx, size_t part, const char *smtlib);

/* jitk_equiv, also handing each arch part to fn (if non-NULL) on success. */
jitk_err verify_equiv_export(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex, size_t maxcex,
			     size_t *ncex, verify_unsat_fn fn, void *ctx, jitk_diag *d);

/* jitk_equiv with statistics and the test hook; st may be NULL. */
jitk_err verify_equiv(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex, size_t maxcex,
		      size_t *ncex, struct verify_stats *st, jitk_diag *d);

/* The folding of one term under a box (exposed for its exactness test):
 * equal to t for every input in box, over the words of in. */
Z3_ast verify_fold(Z3_context c, const struct smt_input *in, Z3_ast t, const struct verify_box *box);

#endif
