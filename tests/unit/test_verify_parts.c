/* test_verify_parts.c - the decomposed proof covers every input.
 *
 * jitk_equiv cuts the input space into parts (src/verify.c, docs/verify.md):
 *  - the folding of a term under a part is exact: random policies and
 *    random programs, random parts, random inputs inside them, the folded
 *    term evaluates like the original one;
 *  - a difference inside any one part is caught: for each part of the
 *    proofs of shipped policies, a filter that differs from the compiled
 *    one on exactly one input of that part is reported different, with
 *    exactly that input as the witness;
 *  - a part left out makes the proof fail, never pass (the coverage check);
 *  - an undecided part is named (arch, nr range) in the message. */
#include "testlib.h"
#include "policy.h"
#include "polgen.h"
#include "progen.h"
#include "verify.h"
#include "z3test.h"

#include <stdlib.h>

/* Under ASan+UBSan (about 4x slower here) the same checks on fewer cases. */
#if defined(__SANITIZE_ADDRESS__)
#define SLOW 4
#else
#define SLOW 1
#endif

static uint32_t pick_in(rng_t *r, uint32_t lo, uint32_t hi)
{
	switch (rng_below(r, 4)) {
	case 0: return lo;
	case 1: return hi;
	default: return lo + (uint32_t)(rng_u64(r) % ((uint64_t)hi - lo + 1));
	}
}

/* A random part: some words narrowed around interesting values. */
static void random_box(rng_t *r, const struct polgen *g, struct verify_box *b)
{
	uint32_t nrs[512];
	size_t nn = polgen_nrs(g, nrs, 512);
	for (unsigned i = 0; i < VERIFY_NWORDS; i++) {
		b->lo[i] = 0;
		b->hi[i] = UINT32_MAX;
		if (rng_below(r, 3) == 0)
			continue;
		uint32_t x, y;
		if (i == 0) {
			x = nrs[rng_below(r, (uint32_t)nn)];
			y = rng_below(r, 2) ? x : nrs[rng_below(r, (uint32_t)nn)];
		} else if (i == 1) {
			x = y = pg_arches[rng_below(r, PG_NARCHES)];
		} else {
			uint64_t c = pg_arg(g, r);
			x = (uint32_t)(i % 2 ? c >> 32 : c);
			y = rng_below(r, 2) ? x : rng_u32(r);
		}
		b->lo[i] = x < y ? x : y;
		b->hi[i] = x < y ? y : x;
	}
}

static void check_fold(Z3_context c, const struct smt_input *in, Z3_ast t, rng_t *r, const struct polgen *g,
		       unsigned long *cases)
{
	for (int k = 0; k < 4; k++) {
		struct verify_box b;
		random_box(r, g, &b);
		Z3_ast ft = verify_fold(c, in, t, &b);
		assert_non_null(ft);
		for (int j = 0; j < 6; j++) {
			uint32_t w[SMT_NWORDS];
			for (unsigned i = 0; i < SMT_NWORDS; i++)
				w[i] = pick_in(r, b.lo[i], b.hi[i]);
			uint32_t want = z3test_eval(c, t, in, w), got = z3test_eval(c, ft, in, w);
			if (want != got)
				fail_msg("fold differs: nr 0x%x arch 0x%x: 0x%x, folded 0x%x", w[0], w[1],
					 want, got);
			(*cases)++;
		}
	}
}

/* The folding is exact inside the part, for policies and for programs. */
static void fold_is_exact(void **state)
{
	(void)state;
	uint64_t seed = test_seed(0x5eed0f01d);
	rng_t r;
	rng_seed(&r, seed);
	unsigned long cases = 0;
	unsigned long n = test_scaled(50) / SLOW;
	for (unsigned long it = 0; it < n; it++) {
		Z3_context c = z3test_ctx();
		struct smt_input in;
		smt_input_init(c, &in);
		struct polgen g = { .dense = it % 2 };
		polgen_random(&g, &r);
		Z3_ast t = smt_scpl(c, &g.p, &in);
		assert_non_null(t);
		check_fold(c, &in, t, &r, &g, &cases);
		jitk_insn prog[64];
		size_t len = progen(&r, PROGEN_VALID, prog, 64);
		jitk_filter *f = test_filter(prog, len);
		Z3_ast tf;
		jitk_diag d;
		if (smt_bpf(c, f, &in, &tf, &d) == JITK_OK)
			check_fold(c, &in, tf, &r, &g, &cases);
		jitk_filter_free(f);
		Z3_del_context(c);
	}
	print_message("fold: %lu (term, part, input) cases agree (seed 0x%llx)\n", cases,
		      (unsigned long long)seed);
}

static jitk_policy *load(const char *name, jitk_filter **f)
{
	char path[512];
	snprintf(path, sizeof path, "policies/%s", name);
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_compile_opts o = { .no_verify = true };
	if (jitk_policy_load(path, &p, &d) || jitk_compile(p, &o, f, &d))
		fail_msg("%s: %s", path, d.msg);
	return p;
}

/* f with one input changed: a prologue compares all sixteen words with w
 * and returns bad there; every other input runs f unchanged. */
static jitk_filter *point_mutant(const jitk_filter *f, const uint32_t w[SMT_NWORDS], uint32_t bad)
{
	size_t n = jitk_filter_len(f), pro = 2 * SMT_NWORDS + 1;
	jitk_insn *p = calloc(n + pro, sizeof *p);
	assert_non_null(p);
	for (unsigned i = 0; i < SMT_NWORDS; i++) {
		p[2 * i] = (jitk_insn){ 0x20, 0, 0, 4 * i };                               /* ld [4i] */
		p[2 * i + 1] = (jitk_insn){ 0x15, 0, (uint8_t)(pro - (2 * i + 2)), w[i] }; /* jeq */
	}
	p[pro - 1] = (jitk_insn){ 0x06, 0, 0, bad };
	memcpy(p + pro, jitk_filter_insns(f), n * sizeof *p);
	jitk_filter *m = test_filter(p, n + pro);
	free(p);
	return m;
}

#define MAXPARTS 4096

/* For each part of the proof (a sample of at most `want`), a filter wrong
 * on one input of that part is caught with that very input; leaving that
 * part out of the proof of the correct filter makes the proof fail. */
static void each_part(const char *name, size_t want, rng_t *r)
{
	jitk_filter *f = NULL;
	jitk_policy *p = load(name, &f);
	struct verify_box *parts = calloc(MAXPARTS, sizeof *parts);
	assert_non_null(parts);
	struct verify_stats st = { .parts = parts, .capparts = MAXPARTS };
	jitk_side a = { .policy = p }, b = { .filter = f };
	jitk_cex x;
	size_t n;
	jitk_diag d;
	assert_int_equal(verify_equiv(a, b, 0, &x, 1, &n, &st, &d), JITK_OK);
	assert_true(st.nparts > 1 && st.nparts <= MAXPARTS);
	size_t step = st.nparts > want ? st.nparts / want : 1, tried = 0;
	for (size_t k = rng_below(r, (uint32_t)step); k < st.nparts; k += step, tried++) {
		uint32_t w[SMT_NWORDS];
		for (unsigned i = 0; i < SMT_NWORDS; i++)
			w[i] = pick_in(r, parts[k].lo[i], parts[k].hi[i]);
		struct seccomp_data in;
		smt_data_of(w, &in);
		uint32_t good = jitk_policy_eval(p, &in);
		jitk_filter *m = point_mutant(f, w, good ^ 1);
		jitk_side mb = { .filter = m };
		memset(&x, 0, sizeof x);
		jitk_err err = verify_equiv(a, mb, 0, &x, 1, &n, NULL, &d);
		if (err != JITK_E_DIFFERENT)
			fail_msg("%s part %zu (nr %u..%u, arch 0x%x): mutant not caught: %d %s", name, k,
				 parts[k].lo[0], parts[k].hi[0], parts[k].lo[1], err, d.msg);
		assert_memory_equal(&x.in, &in, sizeof in);
		assert_int_equal(x.left, good);
		assert_int_equal(x.right, good ^ 1);
		jitk_filter_free(m);

		/* the same part left out of the correct filter's proof */
		struct verify_stats skip = { .skip_part = k + 1 };
		err = verify_equiv(a, b, 0, &x, 1, &n, &skip, &d);
		if (err == JITK_OK)
			fail_msg("%s: the proof passed without part %zu", name, k);
		assert_int_equal(err, JITK_E_SOLVER);
		assert_non_null(strstr(d.msg, "do not cover"));
	}
	print_message("%s: %zu parts, %zu mutants caught, %zu left-out parts refused\n", name, st.nparts,
		      tried, tried);
	free(parts);
	jitk_filter_free(f);
	jitk_policy_free(p);
}

static void a_difference_in_any_part_is_caught(void **state)
{
	(void)state;
	uint64_t seed = test_seed(0x9a575);
	rng_t r;
	rng_seed(&r, seed);
	each_part("paper.scpl", 8 / SLOW, &r);
	each_part("openssh-preauth.scpl", test_scaled(10) / SLOW + 1, &r);
	each_part("docker-default.scpl", test_scaled(12) / SLOW + 1, &r);
	each_part("qemu-sandbox-strict.scpl", test_scaled(6) / SLOW + 1, &r);
}

/* A timeout names the part left undecided.  The filter asks Z3 to invert
 * a 32-bit mixing function (as in test_verify's timeout test). */
static void undecided_part_is_named(void **state)
{
	(void)state;
	jitk_policy p;
	memset(&p, 0, sizeof p);
	p.arch[JITK_ARCH_X86_64] = true;
	p.default_action = JITK_RET_ERRNO | 1;
	p.foreign_action = JITK_RET_KILL_PROCESS;
	/* arch and x32 checks, nr 2 decided by fmix32(arg0 lo) == K: the
	 * policy says Errno 1 there, so the part is SAT iff K has a preimage */
	jitk_filter *f = TEST_FILTER(
		{ 0x20, 0, 0, 4 }, { 0x15, 1, 0, 0xc000003e }, { 0x06, 0, 0, JITK_RET_KILL_PROCESS },
		{ 0x20, 0, 0, 0 }, { 0x35, 0, 1, 0x40000000 }, { 0x06, 0, 0, JITK_RET_KILL_PROCESS },
		{ 0x15, 1, 0, 2 }, { 0x06, 0, 0, JITK_RET_ERRNO | 1 }, { 0x20, 0, 0, 16 },
		{ 0x02, 0, 0, 0 }, { 0x74, 0, 0, 16 }, { 0x07, 0, 0, 0 }, { 0x60, 0, 0, 0 },
		{ 0xac, 0, 0, 0 }, { 0x24, 0, 0, 0x85ebca6b }, { 0x02, 0, 0, 0 }, { 0x74, 0, 0, 13 },
		{ 0x07, 0, 0, 0 }, { 0x60, 0, 0, 0 }, { 0xac, 0, 0, 0 }, { 0x24, 0, 0, 0xc2b2ae35 },
		{ 0x02, 0, 0, 0 }, { 0x74, 0, 0, 16 }, { 0x07, 0, 0, 0 }, { 0x60, 0, 0, 0 },
		{ 0xac, 0, 0, 0 }, { 0x15, 0, 1, 0x12345678 }, { 0x06, 0, 0, JITK_RET_ALLOW },
		{ 0x06, 0, 0, JITK_RET_ERRNO | 1 });
	jitk_cex x;
	jitk_diag d;
	jitk_err err = jitk_verify(&p, f, 1, &x, &d);
	if (getenv("VERBOSE"))
		print_message("undecided: %d %s\n", err, d.msg);
	assert_int_equal(err, JITK_E_SOLVER);
	/* the hard part is nr 2 on x86_64: every other part folds away; the
	 * message names the call */
	assert_non_null(strstr(d.msg, "arch x86_64 (0xc000003e), nr 2..2 (open)"));
	jitk_filter_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fold_is_exact),
		cmocka_unit_test(a_difference_in_any_part_is_caught),
		cmocka_unit_test(undecided_part_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
