/*
 * policy.h - the compiler's view of a policy: the parsed policy
 * (trusted/pol.h) and the policy IR.
 *
 * struct jitk_policy (trusted/pol.h) is what the front end (scpl_lex.c,
 * scpl_parse.c, ...) produces after name resolution.  Two independent
 * consumers read it:
 *  - the SCPL semantics (trusted/scpl_eval.c, trusted/smt_scpl.c), which
 *    walk the rules directly, first match wins, and see only pol.h;
 *  - ir.c, which lowers it to the IR below for the compiler (codegen.c).
 * It is immutable once built.
 */
#ifndef JITK_POLICY_H
#define JITK_POLICY_H

#include "internal.h"
#include "pol.h"

/* Structural equality of condition trees (NULL is true): equal trees are
 * equal predicates (the converse need not hold).  In ir.c; the compiler's
 * stages share it, the trusted semantics never use it. */
bool pol_cond_equal(const struct pol_cond *a, const struct pol_cond *b);

/* ------------------------------------------------------------------ IR */
/* Per architecture: sorted, disjoint, merged syscall ranges, each mapped to
 * a decision.  Numbers in no range get the arch's default_action. */

struct ir_case {
	const struct pol_cond *cond; /* NULL: always */
	uint32_t action;
};

struct ir_decision {
	size_t ncases;
	const struct ir_case *cases; /* first match wins */
	uint32_t otherwise;          /* when no case holds */
};

struct ir_range {
	uint32_t lo, hi; /* inclusive, as seen in seccomp_data.nr */
	const struct ir_decision *dec;
};

struct ir_arch {
	jitk_arch arch;
	uint32_t audit; /* seccomp_data.arch */
	uint32_t default_action;
	size_t nranges;
	const struct ir_range *ranges;
};

struct ir_policy {
	size_t narch;
	struct ir_arch arches[JITK_ARCH__COUNT];
	uint32_t foreign_action;
	struct arena_blk *arena; /* everything above points into it */
};

/* Lower a policy to the IR (ir.c).  Decisions equal in content are shared
 * and adjacent numbers with equal decisions merged into one range. */
jitk_err ir_build(const jitk_policy *p, struct ir_policy **out, jitk_diag *d);
void ir_free(struct ir_policy *ir);

/* Compile the IR to cBPF (codegen.c and codegen_*.c).  The output passes jitk_check. */
jitk_err codegen(const struct ir_policy *ir, const jitk_compile_opts *opts, jitk_filter **out, jitk_diag *d);

#endif
