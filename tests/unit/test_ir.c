/* test_ir.c - lowering a policy to the IR: merged, sorted, shared ranges. */
#include "testlib.h"
#include "policy.h"

#define ALLOW JITK_RET_ALLOW
#define KILL JITK_RET_KILL_PROCESS
#define ERRNO(n) (JITK_RET_ERRNO | (n))

/* Hand-built policies: rule i names nrs[i][0..n) on every listed arch. */
#define MAXR 8
struct hpol {
	jitk_policy p;
	struct pol_rule rules[MAXR];
};

static void hp_init(struct hpol *h, uint32_t dflt)
{
	memset(h, 0, sizeof *h);
	h->p.arch[JITK_ARCH_X86_64] = true;
	h->p.default_action = dflt;
	h->p.foreign_action = KILL;
	h->p.rules = h->rules;
}

static void hp_rule(struct hpol *h, jitk_arch a, uint32_t action, const struct pol_cond *c, const int *nrs,
		    size_t n)
{
	assert_true(h->p.nrules < MAXR);
	struct pol_rule *r = &h->rules[h->p.nrules++];
	r->action = action;
	r->cond = c;
	r->nrs[a] = nrs;
	r->nnrs[a] = n;
}

static const struct pol_cond C_ARG0_EQ_1 = {
	.kind = POL_CMP, .arg = 0, .op = POL_EQ, .mask = ~0ull, .value = 1
};
static const struct pol_cond C_ARG0_EQ_1_COPY = {
	.kind = POL_CMP, .arg = 0, .op = POL_EQ, .mask = ~0ull, .value = 1
};
static const struct pol_cond C_ARG1_GT_5 = {
	.kind = POL_CMP, .arg = 1, .op = POL_GT, .mask = ~0ull, .value = 5
};

static struct ir_policy *build(const jitk_policy *p)
{
	struct ir_policy *ir = NULL;
	jitk_diag d;
	assert_int_equal(ir_build(p, &ir, &d), JITK_OK);
	assert_non_null(ir);
	return ir;
}

/* Adjacent numbers with equal decisions become one range; ranges are sorted
 * and an equal decision elsewhere is the same object. */
static void merges_and_shares(void **state)
{
	(void)state;
	struct hpol h;
	hp_init(&h, KILL);
	static const int allow[] = { 5, 1, 2, 3 }; /* unsorted on purpose: ir sorts */
	static const int deny[] = { 4 };
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, NULL, allow, 4);
	hp_rule(&h, JITK_ARCH_X86_64, ERRNO(13), NULL, deny, 1);
	struct ir_policy *ir = build(&h.p);
	assert_int_equal(ir->narch, 1);
	const struct ir_arch *a = &ir->arches[0];
	assert_int_equal(a->arch, JITK_ARCH_X86_64);
	assert_int_equal(a->audit, jitk_arch_audit(JITK_ARCH_X86_64));
	assert_int_equal(a->default_action, KILL);
	assert_int_equal(a->nranges, 3);
	assert_int_equal(a->ranges[0].lo, 1);
	assert_int_equal(a->ranges[0].hi, 3);
	assert_int_equal(a->ranges[1].lo, 4);
	assert_int_equal(a->ranges[1].hi, 4);
	assert_int_equal(a->ranges[2].lo, 5);
	assert_int_equal(a->ranges[2].hi, 5);
	assert_ptr_equal(a->ranges[0].dec, a->ranges[2].dec);
	assert_ptr_not_equal(a->ranges[0].dec, a->ranges[1].dec);
	assert_int_equal(a->ranges[0].dec->ncases, 0);
	assert_int_equal(a->ranges[0].dec->otherwise, ALLOW);
	assert_int_equal(a->ranges[1].dec->otherwise, ERRNO(13));
	assert_int_equal(ir->foreign_action, KILL);
	ir_free(ir);
}

/* First match wins: cases in source order, cut after the first
 * unconditional rule, which becomes `otherwise`. */
static void cases_in_order_and_cut(void **state)
{
	(void)state;
	struct hpol h;
	hp_init(&h, KILL);
	static const int seven[] = { 9 }; /* mmap: unsigned long addr, len (64-bit) */
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, &C_ARG0_EQ_1, seven, 1);
	hp_rule(&h, JITK_ARCH_X86_64, ERRNO(1), &C_ARG1_GT_5, seven, 1);
	hp_rule(&h, JITK_ARCH_X86_64, ERRNO(2), NULL, seven, 1);
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, &C_ARG1_GT_5, seven, 1); /* dead */
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, NULL, seven, 1);         /* dead */
	struct ir_policy *ir = build(&h.p);
	const struct ir_arch *a = &ir->arches[0];
	assert_int_equal(a->nranges, 1);
	const struct ir_decision *dec = a->ranges[0].dec;
	assert_int_equal(dec->ncases, 2);
	assert_ptr_equal(dec->cases[0].cond, &C_ARG0_EQ_1);
	assert_int_equal(dec->cases[0].action, ALLOW);
	assert_ptr_equal(dec->cases[1].cond, &C_ARG1_GT_5);
	assert_int_equal(dec->cases[1].action, ERRNO(1));
	assert_int_equal(dec->otherwise, ERRNO(2));
	ir_free(ir);
}

/* Decisions that equal the default disappear; trailing cases whose action
 * is the fallback are dropped (the result is the same either way). */
static void default_and_trailing_dropped(void **state)
{
	(void)state;
	struct hpol h;
	hp_init(&h, KILL);
	static const int a9[] = { 9 }, a10[] = { 10 }, a11[] = { 11 };
	hp_rule(&h, JITK_ARCH_X86_64, KILL, NULL, a9, 1);          /* = default */
	hp_rule(&h, JITK_ARCH_X86_64, KILL, &C_ARG0_EQ_1, a10, 1); /* = default */
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, &C_ARG0_EQ_1, a11, 1);
	hp_rule(&h, JITK_ARCH_X86_64, KILL, &C_ARG1_GT_5, a11, 1); /* trailing */
	struct ir_policy *ir = build(&h.p);
	const struct ir_arch *a = &ir->arches[0];
	assert_int_equal(a->nranges, 1);
	assert_int_equal(a->ranges[0].lo, 11);
	assert_int_equal(a->ranges[0].dec->ncases, 1);
	assert_int_equal(a->ranges[0].dec->otherwise, KILL);
	ir_free(ir);
}

/* Structurally equal conditions (different objects) share a decision, so
 * the numbers merge. */
static void equal_conditions_share(void **state)
{
	(void)state;
	struct hpol h;
	hp_init(&h, KILL);
	static const int a20[] = { 20 }, a21[] = { 21 }, a22[] = { 22 };
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, &C_ARG0_EQ_1, a20, 1);
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, &C_ARG0_EQ_1_COPY, a21, 1);
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, &C_ARG1_GT_5, a22, 1);
	struct ir_policy *ir = build(&h.p);
	const struct ir_arch *a = &ir->arches[0];
	assert_int_equal(a->nranges, 2);
	assert_int_equal(a->ranges[0].lo, 20);
	assert_int_equal(a->ranges[0].hi, 21);
	assert_int_equal(a->ranges[1].lo, 22);
	ir_free(ir);
}

/* x32 is its own ABI sharing AUDIT_ARCH_X86_64; a number on the wrong side
 * of the x32 bit can never be that ABI's call and is left out. */
static void x32_is_separate(void **state)
{
	(void)state;
	struct hpol h;
	hp_init(&h, ERRNO(1));
	h.p.arch[JITK_ARCH_X32] = true;
	h.p.arch[JITK_ARCH_I386] = true;
	static const int x64[] = { 2, 0x40000002 };
	static const int x32[] = { 3, 0x40000002 };
	static const int i386[] = { 5 };
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, NULL, x64, 2);
	h.rules[0].nrs[JITK_ARCH_X32] = x32;
	h.rules[0].nnrs[JITK_ARCH_X32] = 2;
	h.rules[0].nrs[JITK_ARCH_I386] = i386;
	h.rules[0].nnrs[JITK_ARCH_I386] = 1;
	struct ir_policy *ir = build(&h.p);
	assert_int_equal(ir->narch, 3);
	for (size_t i = 0; i < ir->narch; i++) {
		const struct ir_arch *a = &ir->arches[i];
		assert_int_equal(a->nranges, 1);
		switch (a->arch) {
		case JITK_ARCH_X86_64:
			assert_int_equal(a->ranges[0].lo, 2);
			assert_int_equal(a->audit, 0xc000003eu);
			break;
		case JITK_ARCH_X32:
			assert_int_equal(a->ranges[0].lo, 0x40000002);
			assert_int_equal(a->audit, 0xc000003eu);
			break;
		case JITK_ARCH_I386:
			assert_int_equal(a->ranges[0].lo, 5);
			assert_int_equal(a->audit, 0x40000003u);
			break;
		default: fail();
		}
	}
	ir_free(ir);
}

/* Random policies: ranges sorted and disjoint, never adjacent with the same
 * decision, and every number's decision is what the rules say. */
static void random_invariants(void **state)
{
	(void)state;
	rng_t r;
	uint64_t seed = test_seed(7);
	rng_seed(&r, seed);
	static const struct pol_cond *conds[] = { NULL, &C_ARG0_EQ_1, &C_ARG1_GT_5 };
	static const uint32_t acts[] = { ALLOW, KILL, ERRNO(1), ERRNO(2) };
	unsigned long iters = test_scaled(300);
	for (unsigned long it = 0; it < iters; it++) {
		struct hpol h;
		hp_init(&h, acts[rng_below(&r, 4)]);
		int nrs[MAXR][6];
		size_t nr = 1 + rng_below(&r, MAXR);
		for (size_t i = 0; i < nr; i++) {
			size_t n = 1 + rng_below(&r, 6);
			/* sorted, distinct numbers in 1000..1023: no syscall has
			 * them, so every argument is 64 bits wide and the cases
			 * keep the rules' own conditions (no lowering, ir.c) */
			int v = 1000 + (int)rng_below(&r, 4);
			for (size_t j = 0; j < n; j++, v += 1 + (int)rng_below(&r, 3))
				nrs[i][j] = v;
			hp_rule(&h, JITK_ARCH_X86_64, acts[rng_below(&r, 4)], conds[rng_below(&r, 3)],
				nrs[i], n);
		}
		struct ir_policy *ir = build(&h.p);
		const struct ir_arch *a = &ir->arches[0];
		for (size_t i = 0; i < a->nranges; i++) {
			assert_true(a->ranges[i].lo <= a->ranges[i].hi);
			if (i) {
				assert_true(a->ranges[i - 1].hi < a->ranges[i].lo);
				if (a->ranges[i - 1].hi + 1 == a->ranges[i].lo)
					assert_ptr_not_equal(a->ranges[i - 1].dec, a->ranges[i].dec);
			}
		}
		for (int n = 0; n < 40; n++) {
			/* The expected cases, straight from first-match semantics. */
			struct ir_case want[MAXR];
			size_t nwant = 0;
			uint32_t other = h.p.default_action;
			for (size_t i = 0; i < h.p.nrules; i++) {
				const struct pol_rule *ru = &h.rules[i];
				bool named = false;
				for (size_t j = 0; j < ru->nnrs[JITK_ARCH_X86_64]; j++)
					named |= ru->nrs[JITK_ARCH_X86_64][j] == 1000 + n;
				if (!named)
					continue;
				if (!ru->cond) {
					other = ru->action;
					break;
				}
				want[nwant++] = (struct ir_case){ ru->cond, ru->action };
			}
			while (nwant && want[nwant - 1].action == other)
				nwant--;
			const struct ir_decision *dec = NULL;
			for (size_t i = 0; i < a->nranges; i++)
				if (a->ranges[i].lo <= (uint32_t)(1000 + n) &&
				    (uint32_t)(1000 + n) <= a->ranges[i].hi)
					dec = a->ranges[i].dec;
			if (!dec) {
				assert_int_equal(nwant, 0);
				assert_int_equal(other, h.p.default_action);
				continue;
			}
			assert_int_equal(dec->ncases, nwant);
			assert_int_equal(dec->otherwise, other);
			for (size_t i = 0; i < nwant; i++) {
				assert_ptr_equal(dec->cases[i].cond, want[i].cond);
				assert_int_equal(dec->cases[i].action, want[i].action);
			}
		}
		ir_free(ir);
	}
}

static int cmp_u64_t(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* sort_u64 (util.c, the sort of ir.c's (number, rule) keys) gives qsort's
 * order on random arrays of every length up to 300 (insertion runs, then
 * merges of uneven lengths), with few or many repeats; the comparison
 * refuses a sort that leaves the last element where it was. */
static void sort_u64_is_qsort(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(11));
	enum { MAXN = 300 };
	static uint64_t v[MAXN], want[MAXN], tmp[MAXN];
	size_t wrong = 0;
	for (size_t n = 0; n <= MAXN; n++)
		for (unsigned rep = 0; rep < 4; rep++) {
			uint64_t span = rep == 0 ? 3 : rep == 1 ? 1000 : UINT64_MAX;
			for (size_t i = 0; i < n; i++) {
				uint64_t x = rng_u64(&r);
				v[i] = rep == 3             ? (uint64_t)(n - i) << 32 | i
				       : span == UINT64_MAX ? x
							    : x % span;
			}
			memcpy(want, v, n * sizeof *v);
			qsort(want, n, sizeof *want, cmp_u64_t);
			/* the wrong variant first, on a copy: all but the last */
			memcpy(tmp, v, n * sizeof *v);
			if (n > 1) {
				static uint64_t t2[MAXN];
				sort_u64(tmp, t2, n - 1);
				wrong += memcmp(tmp, want, n * sizeof *v) != 0;
			}
			sort_u64(v, tmp, n);
			if (n)
				assert_memory_equal(v, want, n * sizeof *v);
		}
	assert_true(wrong > 4 * MAXN / 2);
}

static void refuses_null(void **state)
{
	(void)state;
	struct ir_policy *ir = (struct ir_policy *)1;
	jitk_diag d;
	assert_int_equal(ir_build(NULL, &ir, &d), JITK_E_INVAL);
	assert_int_equal(d.err, JITK_E_INVAL);
	struct hpol h;
	hp_init(&h, KILL);
	assert_int_equal(ir_build(&h.p, NULL, NULL), JITK_E_INVAL);
	ir_free(NULL);
	/* A policy without rules: no ranges at all. */
	ir = build(&h.p);
	assert_int_equal(ir->arches[0].nranges, 0);
	ir_free(ir);
}

/* Each case's condition is lowered to the bits the kernel uses of each
 * argument (docs/scpl.md "Argument widths"): close's unsigned int fd is
 * compared as low32 with -1 cut to 0xffffffff, on x86_64 and on i386;
 * chmod's umode_t in 16 bits; mmap's unsigned long addr stays as it is. */
static void lowers_to_param_widths(void **state)
{
	(void)state;
	static const struct pol_cond minus1 = {
		.kind = POL_CMP, .arg = 0, .op = POL_EQ, .mask = ~0ull, .value = ~0ull
	};
	static const struct pol_cond mode = {
		.kind = POL_CMP, .arg = 1, .op = POL_EQ, .mask = ~0ull, .value = 0755
	};
	static const struct pol_cond both = { .kind = POL_AND, .l = &minus1, .r = &mode };
	static const int close_nr[] = { 3 }, mmap_nr[] = { 9 }, chmod_nr[] = { 90 }, close32[] = { 6 };
	struct hpol h;
	hp_init(&h, KILL);
	h.p.arch[JITK_ARCH_I386] = true;
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, &minus1, close_nr, 1);
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, &minus1, mmap_nr, 1);
	hp_rule(&h, JITK_ARCH_X86_64, ALLOW, &both, chmod_nr, 1);
	h.rules[2].nrs[JITK_ARCH_I386] = close32;
	h.rules[2].nnrs[JITK_ARCH_I386] = 1;
	struct ir_policy *ir = build(&h.p);
	const struct ir_arch *a = &ir->arches[0];
	assert_int_equal(a->nranges, 3);
	const struct pol_cond *c = a->ranges[0].dec->cases[0].cond; /* close */
	assert_true(c->low32);
	assert_int_equal(c->mask, 0xffffffffu);
	assert_int_equal(c->value, 0xffffffffu);
	assert_ptr_equal(a->ranges[1].dec->cases[0].cond, &minus1); /* mmap: 64-bit */
	c = a->ranges[2].dec->cases[0].cond;                        /* chmod(const char *, umode_t) */
	assert_int_equal(c->kind, POL_AND);
	assert_ptr_equal(c->l, &minus1); /* the pointer: 64 bits */
	assert_true(c->r->low32);
	assert_int_equal(c->r->mask, 0xffffu);
	assert_int_equal(c->r->value, 0755);
	const struct ir_arch *b = &ir->arches[1]; /* i386 close: 32-bit registers */
	assert_int_equal(b->arch, JITK_ARCH_I386);
	c = b->ranges[0].dec->cases[0].cond;
	assert_true(c->l->low32 && c->r->low32);
	assert_int_equal(c->l->value, 0xffffffffu);
	assert_int_equal(c->r->mask, 0xffffffffu);
	ir_free(ir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merges_and_shares),
		cmocka_unit_test(cases_in_order_and_cut),
		cmocka_unit_test(default_and_trailing_dropped),
		cmocka_unit_test(equal_conditions_share),
		cmocka_unit_test(x32_is_separate),
		cmocka_unit_test(random_invariants),
		cmocka_unit_test(lowers_to_param_widths),
		cmocka_unit_test(sort_u64_is_qsort),
		cmocka_unit_test(refuses_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
