/*
 * polgen.h - random SCPL policies built directly as struct jitk_policy, and
 * inputs aimed at their boundaries.  Header-only; shared by
 * tests/unit/test_codegen.c and tests/kernel/test_compile_kernel.c.
 *
 * Policies use several ABIs, adjacent and far syscall numbers (incl. x32
 * numbers and numbers with bit 31 set), and condition trees of &&, ||, !
 * over argN, low32 and reg64 compares whose masks and values sit near the
 * interesting boundaries (0, 2^32-1, 2^32, all ones).  Inputs take every
 * listed number +-1, with and without the x32 bit, special numbers, foreign
 * arches, and argument values built from the policy's constants +-1 with
 * junk in the high 32 bits.
 */
#ifndef JITK_TEST_POLGEN_H
#define JITK_TEST_POLGEN_H

#include "testlib.h"
#include "policy.h"

#include <linux/audit.h>
#include <linux/filter.h>

#define PG_MAXRULES 10
#define PG_MAXNRS 6
#define PG_MAXCONDS 128
#define PG_MAXCONSTS 256

struct polgen {
	jitk_policy p;
	struct pol_rule rules[PG_MAXRULES];
	int nrs[PG_MAXRULES][JITK_ARCH__COUNT][PG_MAXNRS];
	struct pol_cond conds[PG_MAXCONDS];
	size_t nconds;
	uint64_t consts[PG_MAXCONSTS]; /* masks and values, for inputs */
	size_t nconsts;
	bool kernel_safe; /* only ERRNO 1..4095 and TRAP actions: a call the filter
			     sees never runs and never kills (kernel tests) */
	bool dense;       /* few numbers, args 0-1, many low32: cases share words,
			    which exercises the accumulator tracking */
};

static inline uint32_t pg_action(struct polgen *g, rng_t *r)
{
	if (g->kernel_safe)
		return rng_below(r, 3) ? JITK_RET_ERRNO | (1 + rng_below(r, 4095))
				       : JITK_RET_TRAP | rng_below(r, 0x10000);
	static const uint32_t base[] = {
		JITK_RET_ALLOW,     JITK_RET_ALLOW,      JITK_RET_KILL_PROCESS, JITK_RET_KILL_THREAD,
		JITK_RET_ERRNO | 1, JITK_RET_ERRNO | 13, JITK_RET_TRAP | 7,     JITK_RET_LOG,
		JITK_RET_TRACE | 3, JITK_RET_USER_NOTIF,
	};
	if (rng_below(r, 8) == 0)
		return JITK_RET_ERRNO | rng_below(r, 4096);
	return base[rng_below(r, sizeof base / sizeof *base)];
}

static inline void pg_const(struct polgen *g, uint64_t v)
{
	if (g->nconsts < PG_MAXCONSTS)
		g->consts[g->nconsts++] = v;
}

static inline uint64_t pg_mask(rng_t *r, bool dense)
{
	switch (rng_below(r, dense ? 3 : 10)) {
	case 0: return 0xffu;
	case 1: return 0xffffffffu;
	case 2: return 0xffffffff00000000ull;
	case 3: return 0x100000000ull;
	case 4: return rng_u64(r);
	case 5: return 0x80000000u;
	case 6: return (uint64_t)1 << rng_below(r, 64);
	case 7: return rng_below(r, 16) ? 0xf0f0u : 0; /* 0: a compare that reads nothing */
	default: return ~0ull;
	}
}

static inline uint64_t pg_value(rng_t *r, uint64_t mask)
{
	uint64_t x = rng_u64(r) & mask;
	switch (rng_below(r, 12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 0xffffffffu;
	case 3: return 0x100000000ull;
	case 4: return ~0ull;
	case 5: return rng_u64(r);
	case 6: return x + 1;
	case 7: return x - 1;
	case 8: return mask;
	case 9: return 0x7fffffffu + rng_below(r, 3);
	default: return x;
	}
}

static inline const struct pol_cond *pg_cond(struct polgen *g, rng_t *r, int depth)
{
	if (g->nconds >= PG_MAXCONDS - 1)
		return NULL;
	struct pol_cond *c = &g->conds[g->nconds++];
	memset(c, 0, sizeof *c);
	unsigned k = depth > 0 ? rng_below(r, 6) : 0;
	if (k >= 3 || g->nconds >= PG_MAXCONDS - 4) {
		c->kind = POL_CMP;
		c->arg = (uint8_t)rng_below(r, g->dense ? 2 : 6);
		c->low32 = rng_below(r, g->dense ? 2 : 4) == 0;
		c->reg64 = !c->low32 && rng_below(r, 4) == 0; /* the whole register */
		c->op = (enum pol_op)rng_below(r, 6);
		c->mask = pg_mask(r, g->dense);
		c->value = pg_value(r, c->mask);
		if (c->low32) { /* the front end's rule: both fit in 32 bits */
			c->mask &= 0xffffffffu;
			c->value &= 0xffffffffu;
		}
		pg_const(g, c->value);
		pg_const(g, c->mask);
		return c;
	}
	c->kind = k == 0 ? POL_AND : k == 1 ? POL_OR : POL_NOT;
	c->l = pg_cond(g, r, depth - 1);
	if (!c->l) { /* out of room: degrade to a compare */
		c->kind = POL_CMP;
		c->mask = ~0ull;
		return c;
	}
	if (c->kind != POL_NOT) {
		c->r = pg_cond(g, r, depth - 1);
		if (!c->r)
			c->kind = POL_NOT;
	}
	return c;
}

/* A syscall number for ABI a: mostly small and clustered (so ranges merge
 * and abut), sometimes far out. */
static inline int pg_nr(rng_t *r, jitk_arch a, bool dense)
{
	uint32_t n = rng_below(r, 8) ? rng_below(r, dense ? 3 : 24) : rng_u32(r);
	if (rng_below(r, 16) == 0)
		n = 0x3fffffffu - rng_below(r, 2);
	if (a == JITK_ARCH_X32)
		n |= JITK_X32_SYSCALL_BIT; /* x32 numbers carry the bit */
	return (int)n;
}

static int pg_int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

/* Fill g with a random policy (g->kernel_safe and g->dense choose the kind). */
static inline void polgen_random(struct polgen *g, rng_t *r)
{
	bool kernel_safe = g->kernel_safe, dense = g->dense;
	memset(g, 0, sizeof *g);
	g->kernel_safe = kernel_safe;
	g->dense = dense;
	jitk_policy *p = &g->p;
	bool any = false;
	do
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			any |= p->arch[a] = rng_below(r, 2);
	while (!any);
	p->default_action = pg_action(g, r);
	p->foreign_action = pg_action(g, r);
	p->nrules = 1 + rng_below(r, PG_MAXRULES);
	p->rules = g->rules;
	for (size_t i = 0; i < p->nrules; i++) {
		struct pol_rule *ru = &g->rules[i];
		ru->action = pg_action(g, r);
		ru->cond = rng_below(r, 3) ? pg_cond(g, r, (int)rng_below(r, 4)) : NULL;
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			size_t n = rng_below(r, PG_MAXNRS + 1), m = 0;
			int *v = g->nrs[i][a];
			for (size_t j = 0; j < n; j++)
				v[j] = pg_nr(r, (jitk_arch)a, dense);
			qsort(v, n, sizeof *v, pg_int_cmp);
			for (size_t j = 0; j < n; j++) /* sorted, no duplicates */
				if (!m || v[m - 1] != v[j])
					v[m++] = v[j];
			ru->nrs[a] = v;
			ru->nnrs[a] = m;
		}
	}
}

/* An argument value near the policy's constants, often with junk in the
 * half a compare should ignore. */
static inline uint64_t pg_arg(const struct polgen *g, rng_t *r)
{
	uint64_t c = g->nconsts ? g->consts[rng_below(r, (uint32_t)g->nconsts)] : 0;
	switch (rng_below(r, 9)) {
	case 0: return c + 1;
	case 1: return c - 1;
	case 2: return (c & 0xffffffffu) | ((uint64_t)rng_u32(r) << 32); /* junk high */
	case 3: return c ^ ((uint64_t)1 << rng_below(r, 64));
	case 4: return rng_u64(r);
	case 5: return 0;
	case 6: return (c & 0xffffffff00000000ull) | (uint32_t)(c + 1);
	default: return c;
	}
}

/* Syscall numbers worth asking about for g: every listed number +-1, each
 * with the x32 bit flipped, and the special ones.  Returns the count. */
static inline size_t polgen_nrs(const struct polgen *g, uint32_t *out, size_t cap)
{
	static const uint32_t special[] = { 0,           1,           0xffffffffu, 0x3fffffffu,
					    0x40000000u, 0x7fffffffu, 0x80000000u, 0xbfffffffu,
					    0xc0000000u, 0x40000001u, 0x80000001u };
	size_t n = 0;
	for (size_t i = 0; i < sizeof special / sizeof *special && n < cap; i++)
		out[n++] = special[i];
	for (size_t i = 0; i < g->p.nrules; i++)
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			for (size_t j = 0; j < g->rules[i].nnrs[a]; j++)
				for (int dlt = -1; dlt <= 1; dlt++)
					for (int flip = 0; flip < 2 && n < cap; flip++)
						out[n++] = ((uint32_t)g->rules[i].nrs[a][j] + (uint32_t)dlt) ^
							   (flip ? JITK_X32_SYSCALL_BIT : 0);
	return n;
}

/* The arch values worth asking about: every ABI jitk knows (tools/abis.txt;
 * x86_64 and x32 share one), big- and little-endian, and foreign ones
 * (big-endian arm, little-endian 32-bit riscv, none). */
static const uint32_t pg_arches[] = { AUDIT_ARCH_X86_64,
				      AUDIT_ARCH_I386,
				      AUDIT_ARCH_AARCH64,
				      AUDIT_ARCH_ARM,
				      AUDIT_ARCH_RISCV64,
				      AUDIT_ARCH_PPC64LE,
				      AUDIT_ARCH_PPC64,
				      AUDIT_ARCH_PPC,
				      AUDIT_ARCH_S390X,
				      AUDIT_ARCH_S390,
				      AUDIT_ARCH_MIPS,
				      AUDIT_ARCH_MIPSEL,
				      AUDIT_ARCH_MIPS64,
				      AUDIT_ARCH_MIPSEL64,
				      AUDIT_ARCH_MIPS64N32,
				      AUDIT_ARCH_MIPSEL64N32,
				      AUDIT_ARCH_ARMEB,
				      AUDIT_ARCH_RISCV32,
				      0,
				      0xffffffffu };
#define PG_NARCHES (sizeof pg_arches / sizeof *pg_arches)

static inline void polgen_input(const struct polgen *g, rng_t *r, uint32_t arch, uint32_t nr,
				struct seccomp_data *in)
{
	memset(in, 0, sizeof *in);
	in->arch = arch;
	in->nr = (int)nr;
	in->instruction_pointer = rng_u64(r);
	for (int i = 0; i < 6; i++)
		in->args[i] = pg_arg(g, r);
}

/* Does the policy, read syntactically, allow (abi, nr) whatever the
 * arguments?  (Every rule naming nr before the first unconditional one is
 * an Allow, and that one or the default is Allow too.)  Conservative: a
 * condition that can never hold is not recognised. */
static inline bool policy_const_allow(const jitk_policy *p, jitk_arch abi, uint32_t nr)
{
	if (!p->arch[abi])
		return p->foreign_action == JITK_RET_ALLOW;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *ru = &p->rules[i];
		bool named = false;
		for (size_t j = 0; j < ru->nnrs[abi]; j++)
			named |= (uint32_t)ru->nrs[abi][j] == nr;
		if (!named)
			continue;
		if (ru->action != JITK_RET_ALLOW)
			return false;
		if (!ru->cond)
			return true;
	}
	return p->default_action == JITK_RET_ALLOW;
}

#endif
