/*
 * smt_scpl.c - the SCPL semantics (docs/scpl.md) of a policy as a Z3 term.
 *
 * TRUSTED BASE (see smt.h).  A direct transcription of the semantics, the
 * symbolic twin of jitk_policy_eval (trusted/scpl_eval.c), written from the
 * document and not from the compiler (it reads struct jitk_policy, never
 * the IR):
 *   1. ABI: AUDIT_ARCH_X86_64 with nr >= 0x40000000 (unsigned) is x32,
 *      below it x86_64; every other ABI is its own AUDIT_ARCH value
 *      (AUDIT_ARCH_I386 is i386, AUDIT_ARCH_MIPS64N32 mips64n32, ...).  An
 *      ABI not listed in p->arch (or any other arch value) gives
 *      foreign_action.
 *   2. The rules in order, first match wins: nr is one of the rule's
 *      numbers on that ABI and its condition holds, each argument read at
 *      the width the kernel uses for that syscall (params.h), made of its
 *      two words in the ABI's byte order (params_word).
 *   3. Otherwise default_action.
 * First match is encoded as an ite chain built from the last rule back to
 * the first, so the first applicable rule is the outermost true test.
 */
#include "params.h"
#include "smt.h"

#include <linux/audit.h>
#include <stdlib.h>

struct sctx {
	Z3_context c;
	const struct smt_input *in;
	Z3_sort bv32, bv64;
	/* The width the kernel uses of each argument, for the syscalls at hand
	 * (params_width: one group of numbers that agree on it). */
	unsigned width[6];
	jitk_arch abi; /* the ABI of the rules at hand (its byte order) */
};

static Z3_ast k32(struct sctx *s, uint32_t v)
{
	return Z3_mk_unsigned_int(s->c, v, s->bv32);
}

static Z3_ast k64(struct sctx *s, uint64_t v)
{
	return Z3_mk_unsigned_int64(s->c, v, s->bv64);
}

static Z3_ast and2(Z3_context c, Z3_ast p, Z3_ast q)
{
	Z3_ast args[2] = { p, q };
	return Z3_mk_and(c, 2, args);
}

/* The inputs of ABI a (step 1). */
static Z3_ast abi_selected(struct sctx *s, jitk_arch a)
{
	Z3_context c = s->c;
	Z3_ast nr = s->in->w[0], arch = s->in->w[1];
	Z3_ast x32bit = Z3_mk_bvuge(c, nr, k32(s, JITK_X32_SYSCALL_BIT));
	switch (a) {
	case JITK_ARCH_X86_64:
		return and2(c, Z3_mk_eq(c, arch, k32(s, AUDIT_ARCH_X86_64)), Z3_mk_not(c, x32bit));
	case JITK_ARCH_X32: return and2(c, Z3_mk_eq(c, arch, k32(s, AUDIT_ARCH_X86_64)), x32bit);
	default:
		/* every other ABI has an AUDIT_ARCH value of its own */
		return (unsigned)a < JITK_ARCH__COUNT ? Z3_mk_eq(c, arch, k32(s, tbl_abis[a].audit))
						      : Z3_mk_false(c);
	}
}

/* nr is one of nrs[0..n).  The 32-bit nr word is compared with each number
 * reinterpreted as u32 (seccomp_data.nr is an int; the word holds its bits).
 * Runs of consecutive numbers become one range test, split where the u32
 * order breaks (at -1 -> 0) so that lo <= hi holds as unsigned values. */
static Z3_ast nr_in(struct sctx *s, const int *nrs, size_t n)
{
	Z3_context c = s->c;
	Z3_ast nr = s->in->w[0];
	Z3_ast r = Z3_mk_false(c);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j + 1 < n && nrs[j] != -1 && nrs[j] < INT32_MAX && nrs[j + 1] == nrs[j] + 1)
			j++;
		uint32_t lo = (uint32_t)nrs[i], hi = (uint32_t)nrs[j];
		Z3_ast t = lo == hi ? Z3_mk_eq(c, nr, k32(s, lo))
				    : and2(c, Z3_mk_bvuge(c, nr, k32(s, lo)), Z3_mk_bvule(c, nr, k32(s, hi)));
		Z3_ast args[2] = { r, t };
		r = i == 0 ? t : Z3_mk_or(c, 2, args);
		i = j + 1;
	}
	return r;
}

/* A condition (policy.h, docs/scpl.md "Argument widths"): POL_CMP looks at
 * the low W bits of args[arg], W = the width the kernel uses (s->width),
 * at most 32 for low32(), all 64 for reg64(), and compares
 *   (args[arg] mod 2^W) & (mask mod 2^W)  op  (value mod 2^W)
 * as unsigned numbers; args[arg] = hi:lo of the two words params_word
 * names for ABI s->abi's byte order (5+2i:4+2i little-endian, 4+2i:5+2i
 * big-endian). */
static Z3_ast cond(struct sctx *s, const struct pol_cond *q)
{
	Z3_context c = s->c;
	if (!q)
		return Z3_mk_true(c);
	switch (q->kind) {
	case POL_AND: return and2(c, cond(s, q->l), cond(s, q->r));
	case POL_OR: {
		Z3_ast args[2] = { cond(s, q->l), cond(s, q->r) };
		return Z3_mk_or(c, 2, args);
	}
	case POL_NOT: return Z3_mk_not(c, cond(s, q->l));
	case POL_CMP: break;
	default: return NULL;
	}
	if (q->arg > 5)
		return NULL;
	unsigned w = q->reg64 ? 64 : s->width[q->arg];
	if (q->low32 && w > 32)
		w = 32;
	uint64_t keep = params_mask(w);
	bool be = params_big_endian(s->abi);
	Z3_ast lo = s->in->w[params_word(be, q->arg, false)], hi = s->in->w[params_word(be, q->arg, true)];
	Z3_ast arg = w <= 32 ? Z3_mk_zero_ext(c, 32, lo) : Z3_mk_concat(c, hi, lo);
	Z3_ast x = Z3_mk_bvand(c, arg, k64(s, q->mask & keep));
	Z3_ast v = k64(s, q->value & keep);
	switch (q->op) {
	case POL_EQ: return Z3_mk_eq(c, x, v);
	case POL_NE: return Z3_mk_not(c, Z3_mk_eq(c, x, v));
	case POL_LT: return Z3_mk_bvult(c, x, v);
	case POL_LE: return Z3_mk_bvule(c, x, v);
	case POL_GT: return Z3_mk_bvugt(c, x, v);
	case POL_GE: return Z3_mk_bvuge(c, x, v);
	}
	return NULL;
}

/* The arguments condition q reads (bit k: argk). */
static unsigned args_used(const struct pol_cond *q)
{
	if (!q)
		return 0;
	if (q->kind == POL_CMP)
		return q->arg <= 5 ? 1u << q->arg : 0;
	return args_used(q->l) | (q->kind == POL_NOT ? 0 : args_used(q->r));
}

/* Whether syscalls x and y have the same widths on the arguments in used. */
static bool same_widths(jitk_arch a, int x, int y, unsigned used)
{
	for (unsigned k = 0; k < 6; k++)
		if ((used >> k & 1) && params_width(a, x, k) != params_width(a, y, k))
			return false;
	return true;
}

/* Rule `rule` applies on ABI a: nr is one of its numbers and its condition
 * holds, read at the widths of that nr.  The numbers are split into groups
 * whose arguments have the same widths, in list order (each group stays
 * sorted for nr_in), one term per group. */
static Z3_ast rule_applies(struct sctx *s, const struct pol_rule *rule, jitk_arch a)
{
	Z3_context c = s->c;
	size_t n = rule->nnrs[a];
	unsigned used = args_used(rule->cond);
	int *grp = malloc(n * sizeof *grp);
	bool *done = calloc(n, sizeof *done);
	Z3_ast r = Z3_mk_false(c);
	for (size_t i = 0; grp && done && i < n; i++) {
		if (done[i])
			continue;
		size_t m = 0;
		for (size_t j = i; j < n; j++)
			if (!done[j] && same_widths(a, rule->nrs[a][i], rule->nrs[a][j], used)) {
				grp[m++] = rule->nrs[a][j];
				done[j] = true;
			}
		ANALYZER_ASSUME(m > 0); /* j == i joins: same_widths(a, x, x) */
		for (unsigned k = 0; k < 6; k++)
			s->width[k] = params_width(a, grp[0], k);
		s->abi = a;
		Z3_ast q = cond(s, rule->cond);
		if (!q) {
			r = NULL;
			break;
		}
		Z3_ast args[2] = { r, and2(c, nr_in(s, grp, m), q) };
		r = Z3_mk_or(c, 2, args);
	}
	if (!grp || !done)
		r = NULL;
	free(grp);
	free(done);
	return r;
}

/* Steps 2 and 3 for one ABI. */
static Z3_ast abi_result(struct sctx *s, const jitk_policy *p, jitk_arch a)
{
	Z3_context c = s->c;
	Z3_ast r = k32(s, p->default_action);
	for (size_t i = p->nrules; i-- > 0;) {
		const struct pol_rule *rule = &p->rules[i];
		if (rule->nnrs[a] == 0)
			continue; /* no syscall of this rule exists on a */
		Z3_ast q = rule_applies(s, rule, a);
		if (!q)
			return NULL;
		r = Z3_mk_ite(c, q, k32(s, rule->action), r);
	}
	return r;
}

Z3_ast smt_scpl(Z3_context c, const jitk_policy *p, const struct smt_input *in)
{
	if (!c || !p || !in)
		return NULL;
	struct sctx s = { c, in, Z3_mk_bv_sort(c, 32), Z3_mk_bv_sort(c, 64), { 0 }, JITK_ARCH_X86_64 };
	/* The ABI selectors are pairwise disjoint, so their order is free. */
	Z3_ast r = k32(&s, p->foreign_action);
	for (int a = JITK_ARCH__COUNT; a-- > 0;) {
		if (!p->arch[a])
			continue;
		Z3_ast t = abi_result(&s, p, (jitk_arch)a);
		if (!t)
			return NULL;
		r = Z3_mk_ite(c, abi_selected(&s, (jitk_arch)a), t, r);
	}
	return Z3_get_error_code(c) == Z3_OK ? r : NULL;
}
