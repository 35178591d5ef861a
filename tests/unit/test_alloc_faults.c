/* test_alloc_faults.c - the trusted base refuses, and frees, when an
 * allocation fails, whichever one fails.
 *
 * Each trusted function that allocates (smt_bpf, smt_scpl, smt_x86,
 * jit_check_image, and jit_prove over them) is run again and again with the
 * N-th allocation it makes failing, N = 1, 2, ... (the SQLite way), until a
 * run makes fewer than N allocations.  A run in which an allocation failed
 * must return the function's out-of-memory result (JITK_E_NOMEM with
 * "out of memory"; NULL for smt_scpl), never a wrong term or verdict; the
 * run without a failure must give what an unhooked run gives (the same
 * hash-consed Z3 term); and nothing may leak (the ASan build).
 *
 * The hook: this program is linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc (the Makefile's rule for it), so the calls of the
 * statically linked objects (libjitk.a, this test) go to __wrap_* here,
 * while libz3's own allocations are untouched.  The library is the
 * shipped one; only this program carries the hook. */
#include "testlib.h"
#include "insn.h"
#include "jit_check.h"
#include "jit_prove.h"
#include "jit_x86.h"
#include "smt.h"
#include "smt_x86.h"
#include "z3test.h"

#include <linux/audit.h>
#include <linux/filter.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

static long fail_at; /* 0: no fault armed; else the allocation that fails */
static long calls;   /* allocations since armed */
static bool failed;  /* the armed allocation was reached (and failed) */

static bool fault(void)
{
	if (!fail_at)
		return false;
	if (++calls != fail_at)
		return false;
	failed = true;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return fault() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
	return fault() ? NULL : __real_calloc(k, n);
}

/* A failed realloc leaves p allocated, as the C standard says. */
void *__wrap_realloc(void *p, size_t n)
{
	return fault() ? NULL : __real_realloc(p, n);
}

static void arm(long n)
{
	fail_at = n;
	calls = 0;
	failed = false;
}

static void disarm(void)
{
	fail_at = 0;
}

/* The hook itself: the library's allocations reach it (a wrapped build),
 * and a failure is reported once, at the N-th call. */
static void hook_works(void **state)
{
	(void)state;
	/* Through pointers: gcc knows that malloc touches none of this
	 * program's variables and would move the calls past arm(). */
	void *(*volatile m)(size_t) = malloc;
	void *(*volatile ca)(size_t, size_t) = calloc;
	void *(*volatile re)(void *, size_t) = realloc;
	arm(2);
	void *a = m(8);
	void *b = ca(1, 8);
	void *c = re(NULL, 8);
	disarm();
	assert_non_null(a);
	assert_null(b);
	assert_non_null(c);
	assert_true(failed);
	assert_int_equal(calls, 3);
	free(a);
	free(c);
	/* a library function that allocates: jitk_filter_new */
	static const jitk_insn ret = I(BPF_RET | BPF_K, 0, 0, 0);
	jitk_filter *f = NULL;
	arm(1);
	jitk_err err = jitk_filter_new(&ret, 1, &f);
	disarm();
	assert_true(failed);
	assert_int_equal(err, JITK_E_NOMEM);
	assert_null(f);
}

/* A filter with more returns than smt_bpf's first 16 slots (the return
 * arrays grow), and branches (smt_x86 keeps a state per branch target):
 * nr == i returns i, for i < 20, else KILL. */
#define NRET 20
static size_t many_returns(jitk_insn *p)
{
	size_t n = 0;
	p[n++] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0);
	for (uint32_t i = 0; i < NRET; i++) {
		p[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, i);
		p[n++] = I(BPF_RET | BPF_K, 0, 0, JITK_RET_ERRNO | (i + 1));
	}
	p[n++] = I(BPF_RET | BPF_K, 0, 0, JITK_RET_KILL_THREAD);
	return n;
}

static void out_of_memory(jitk_err err, const jitk_diag *d, const char *what, long n)
{
	if (err != JITK_E_NOMEM || !strstr(d->msg, "out of memory"))
		fail_msg("%s, allocation %ld failing: error %d (%s), not JITK_E_NOMEM", what, n, err, d->msg);
}

/* smt_bpf over p[0..n): the k-th allocation failing for k < runs gives
 * JITK_E_NOMEM, the run k == runs makes no failing allocation. */
static void bpf_faults(const jitk_insn *p, size_t n, long runs)
{
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	jitk_diag d;
	Z3_ast want = NULL;
	assert_int_equal(smt_bpf_unchecked(c, p, n, &in, &want, &d), JITK_OK);
	assert_non_null(want);
	long k = 1;
	for (;; k++) {
		Z3_ast t = NULL;
		arm(k);
		jitk_err err = smt_bpf_unchecked(c, p, n, &in, &t, &d);
		disarm();
		if (!failed) {
			assert_int_equal(err, JITK_OK);
			assert_true(Z3_is_eq_ast(c, t, want));
			break;
		}
		out_of_memory(err, &d, "smt_bpf", k);
	}
	assert_int_equal(k, runs);
	Z3_del_context(c);
}

static void smt_bpf_faults(void **state)
{
	(void)state;
	jitk_insn p[2 * NRET + 2];
	size_t n = many_returns(p);
	/* st, then rg and rv at 16 and again at 32 returns */
	bpf_faults(p, n, 6);
	/* DIV X's return point (X == 0 returns 0) is the first return, so
	 * its slots are the first allocated (mutation testing found its
	 * failure could be dropped unnoticed): st, rg, rv. */
	static const jitk_insn div[] = {
		I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
		I(BPF_MISC | BPF_TAX, 0, 0, 0),
		I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0),
		I(BPF_RET | BPF_A, 0, 0, 0),
	};
	bpf_faults(div, sizeof div / sizeof *div, 4);
}

static void smt_scpl_faults(void **state)
{
	(void)state;
	/* Two rules on two ABIs, one with a condition on an argument (its
	 * numbers are grouped by width), one without. */
	static const int nrs64[] = { 0, 1, 9, 16 }, nrs32[] = { 3, 4, 54 };
	static const struct pol_cond cmp = {
		.kind = POL_CMP, .arg = 1, .op = POL_EQ, .mask = ~0ull, .value = 7
	};
	struct pol_rule rules[2] = {
		{ .action = JITK_RET_ERRNO | 1, .cond = &cmp },
		{ .action = JITK_RET_ALLOW },
	};
	for (int r = 0; r < 2; r++) {
		rules[r].nrs[JITK_ARCH_X86_64] = nrs64;
		rules[r].nnrs[JITK_ARCH_X86_64] = 4;
		rules[r].nrs[JITK_ARCH_I386] = nrs32;
		rules[r].nnrs[JITK_ARCH_I386] = 3;
	}
	jitk_policy pol = { .nrules = 2,
			    .rules = rules,
			    .default_action = JITK_RET_KILL_PROCESS,
			    .foreign_action = JITK_RET_KILL_THREAD };
	pol.arch[JITK_ARCH_X86_64] = pol.arch[JITK_ARCH_I386] = true;
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	Z3_ast want = smt_scpl(c, &pol, &in);
	assert_non_null(want);
	long k = 1;
	for (;; k++) {
		arm(k);
		Z3_ast t = smt_scpl(c, &pol, &in);
		disarm();
		if (!failed) {
			assert_non_null(t);
			assert_true(Z3_is_eq_ast(c, t, want));
			break;
		}
		if (t)
			fail_msg("smt_scpl, allocation %ld failing: a term, not NULL", k);
	}
	/* two per (rule, ABI) */
	assert_int_equal(k, 9);
	Z3_del_context(c);
}

struct image {
	jitk_filter *f;
	uint8_t *code;
	size_t len;
	uint32_t *offs;
	size_t n;
};

static void image_of(struct image *im)
{
	jitk_insn p[2 * NRET + 2];
	im->n = many_returns(p);
	im->f = test_filter(p, im->n);
	jitk_diag d;
	if (jit_generate(p, im->n, &im->code, &im->len, &im->offs, &d) != JITK_OK)
		fail_msg("jit_generate: %s", d.msg);
}

static void image_free(struct image *im)
{
	jitk_filter_free(im->f);
	free(im->code);
	free(im->offs);
}

static void smt_x86_faults(void **state)
{
	(void)state;
	struct image im;
	image_of(&im);
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	jitk_diag d;
	struct smt_x86 want, got;
	assert_int_equal(smt_x86(c, im.code, im.len, &in, &want, &d), JITK_OK);
	long k = 1;
	for (;; k++) {
		arm(k);
		jitk_err err = smt_x86(c, im.code, im.len, &in, &got, &d);
		disarm();
		if (!failed) {
			assert_int_equal(err, JITK_OK);
			assert_true(Z3_is_eq_ast(c, got.ret, want.ret));
			assert_true(Z3_is_eq_ast(c, got.fault, want.fault));
			break;
		}
		out_of_memory(err, &d, "smt_x86", k);
	}
	/* five tables, then a state per branch target: more than the five */
	assert_true(k > 6);
	Z3_del_context(c);
	image_free(&im);
}

static void jit_check_faults(void **state)
{
	(void)state;
	struct image im;
	image_of(&im);
	jitk_diag d;
	struct jit_check_info want, got;
	assert_int_equal(jit_check_image(jitk_filter_insns(im.f), im.n, im.code, im.len, im.offs, im.n + 1,
					 &want, &d),
			 JITK_OK);
	long k = 1;
	for (;; k++) {
		arm(k);
		jitk_err err = jit_check_image(jitk_filter_insns(im.f), im.n, im.code, im.len, im.offs,
					       im.n + 1, &got, &d);
		disarm();
		if (!failed) {
			assert_int_equal(err, JITK_OK);
			assert_int_equal(got.native_insns, want.native_insns);
			assert_int_equal(got.frame, want.frame);
			break;
		}
		out_of_memory(err, &d, "jit_check_image", k);
	}
	assert_int_equal(k, 3);
	image_free(&im);
}

/* The whole proof: whichever allocation fails, it is not "proved". */
static void jit_prove_faults(void **state)
{
	(void)state;
	struct image im;
	image_of(&im);
	jitk_diag d;
	assert_int_equal(jit_prove(im.f, im.code, im.len, 0, 0, false, NULL, &d), JITK_OK);
	long k = 1;
	for (;; k++) {
		arm(k);
		jitk_err err = jit_prove(im.f, im.code, im.len, 0, 0, false, NULL, &d);
		disarm();
		if (!failed) {
			assert_int_equal(err, JITK_OK);
			break;
		}
		out_of_memory(err, &d, "jit_prove", k);
	}
	/* jit_check_image's 2, smt_bpf's 6 and smt_x86's, at least */
	assert_true(k > 14);
	image_free(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hook_works),       cmocka_unit_test(smt_bpf_faults),
		cmocka_unit_test(smt_scpl_faults),  cmocka_unit_test(smt_x86_faults),
		cmocka_unit_test(jit_check_faults), cmocka_unit_test(jit_prove_faults),
	};
	return cmocka_run_group_tests_name("alloc_faults", tests, NULL, NULL);
}
