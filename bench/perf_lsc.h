/*
 * perf_lsc.h - build a libseccomp filter from the same struct jitk_policy
 * that jitk compiles (perf_lsc.c, for bench_perf.c; links -lseccomp).
 *
 * The SCPL semantics are first match; libseccomp's are not (for one
 * syscall, an unconditional rule beats every conditional one, and
 * overlapping argument rules with different actions are ordered by
 * libseccomp's tree, not by the order they were added).  So two
 * translations are tried, and the exported program is only used if the
 * Z3 verifier proves it equal to the policy:
 *
 *  LSC_DIRECT  the rules as written: each rule whose action is not the
 *              default becomes one libseccomp rule per disjunct of its
 *              condition (OR -> DNF split), unconditional rules as such;
 *  LSC_DISJOINT  per syscall number, the first-match decision rewritten
 *              into disjoint rules: case i of action A holds when its
 *              condition holds and no earlier case of another action
 *              does; the fall-through action (if not the default) holds
 *              when no case of another action does.  Disjoint rules mean
 *              the same whatever order libseccomp puts them in.
 *
 * A compare maps to SCMP_CMP_* when libseccomp has the operator: all six on
 * whole 64-bit arguments, SCMP_CMP_MASKED_EQ for (arg & m) == v and for
 * low32(arg) == v (mask 0xffffffff).  libseccomp has no masked !=, <, ...,
 * and refuses two compares of one argument in one rule; such policies are
 * reported as "cannot express" with the reason.
 */
#ifndef JITK_PERF_LSC_H
#define JITK_PERF_LSC_H

#include "jitk.h"
#include "policy.h"

/* LSC_DIRECT or LSC_DISJOINT, with LSC_WIDTHS or'ed in for compares at
 * jitk's argument widths (perf_lsc.c, lit_cmp); without it, each compare
 * is libseccomp's on the whole argument, as a libseccomp user writes it
 * (the program lsc_export hands the CLI tests, and bench_perf's rows,
 * where the proof says whether it is the same policy). */
enum lsc_mode { LSC_DIRECT = 0, LSC_DISJOINT = 1, LSC_WIDTHS = 2 };

/* The first-match decision of the policy for (a, nr): the conditional rules
 * before the first unconditional one, and what follows them. */
struct lsc_case {
	const struct pol_cond *cond;
	uint32_t action;
};

/* Build, merge the ABIs, export to BPF and decode.  NULL with why. */
jitk_filter *lsc_build_filter(const jitk_policy *p, int optimize, enum lsc_mode mode, char *why,
			      size_t whycap);

/* A copy of p without the (ABI, number) pairs libseccomp does not know, for
 * a comparison libseccomp can take part in; *ndropped counts them.  Free
 * with lsc_reduced_free (the conditions are shared with p). */
jitk_policy *lsc_reduced(const jitk_policy *p, size_t *ndropped);

void lsc_reduced_free(jitk_policy *q);

size_t policy_cases(const jitk_policy *p, jitk_arch a, uint32_t nr, struct lsc_case *cases,
		    uint32_t *otherwise);

/* Every number some rule names on ABI a (sorted, unique), within the ABI's
 * half of the nr space (docs/scpl.md: the x32 split). */
size_t policy_numbers(const jitk_policy *p, jitk_arch a, uint32_t **out);

#endif
