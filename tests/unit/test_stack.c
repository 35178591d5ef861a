/* test_stack.c - the stacked semantics and jitk_stack.
 *
 * The fold is checked case by case against the kernel's rule as
 * seccomp_run_filters states it (docs/kernel-notes.md), its Z3 twin against
 * the fold on random answers; jitk_stack's filter against the fold of the
 * members' answers on random inputs; and the proof inside jitk_stack must
 * refuse combined filters with a wrong tie-break or a missing ALLOW rule,
 * each with a witness that replays.  Refusals: no filters, a NULL member,
 * an invalid member, a member using too many scratch cells, a result over
 * 4096 instructions. */
#include "testlib.h"
#include "stack.h"
#include "z3test.h"

#include <linux/audit.h>
#include <linux/filter.h>

#define ERRNO(n) (JITK_RET_ERRNO | (n))
#define TRAP(n) (JITK_RET_TRAP | (n))

static void fold_cases(void **state)
{
	(void)state;
	static const struct {
		uint32_t rets[4];
		size_t n;
		uint32_t want;
	} t[] = {
		{ { JITK_RET_ALLOW }, 1, JITK_RET_ALLOW },
		{ { JITK_RET_ALLOW | 7 }, 1, JITK_RET_ALLOW }, /* data dropped */
		{ { JITK_RET_LOG | 3, JITK_RET_ALLOW }, 2, JITK_RET_LOG | 3 },
		{ { ERRNO(1), ERRNO(2) }, 2, ERRNO(2) }, /* tie: newest */
		{ { ERRNO(2), ERRNO(1), JITK_RET_ALLOW }, 3, ERRNO(1) },
		{ { TRAP(5), ERRNO(1) }, 2, TRAP(5) },
		{ { JITK_RET_KILL_THREAD, JITK_RET_KILL_PROCESS }, 2, JITK_RET_KILL_PROCESS },
		{ { JITK_RET_KILL_PROCESS | 9, JITK_RET_KILL_THREAD }, 2, JITK_RET_KILL_PROCESS | 9 },
		{ { JITK_RET_TRACE | 4, JITK_RET_USER_NOTIF }, 2, JITK_RET_USER_NOTIF },
		{ { JITK_RET_LOG, JITK_RET_TRACE | 1 }, 2, JITK_RET_TRACE | 1 },
		/* undefined actions sit where their value puts them */
		{ { 0x00010000u, TRAP(1) }, 2, 0x00010000u },
		{ { 0x7ffe0000u, JITK_RET_LOG }, 2, JITK_RET_LOG },
		{ { 0xfff00000u, JITK_RET_KILL_PROCESS }, 2, JITK_RET_KILL_PROCESS },
		{ { JITK_RET_KILL_THREAD, 0xfff00000u }, 2, 0xfff00000u },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(stack_fold(t[i].rets, t[i].n), t[i].want);
		assert_int_equal(jitk_stack_fold(t[i].rets, t[i].n), t[i].want);
	}
	assert_int_equal(stack_fold(NULL, 0), JITK_RET_ALLOW);
}

static uint32_t some_ret(rng_t *r)
{
	static const uint32_t acts[] = { JITK_RET_KILL_PROCESS, JITK_RET_KILL_THREAD, JITK_RET_TRAP,
					 JITK_RET_ERRNO,        JITK_RET_USER_NOTIF,  JITK_RET_TRACE,
					 JITK_RET_LOG,          JITK_RET_ALLOW };
	if (rng_below(r, 8) == 0)
		return rng_u32(r);
	return acts[rng_below(r, 8)] | rng_below(r, 3);
}

static void smt_twin(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(0x5eedu));
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	/* the answers of four filters are words 4..7 of the input */
	Z3_ast t = smt_stack(c, &in.w[4], 4);
	assert_non_null(t);
	for (int i = 0; i < 2000; i++) {
		uint32_t w[SMT_NWORDS] = { 0 };
		for (int k = 0; k < 4; k++)
			w[4 + k] = some_ret(&r);
		assert_int_equal(z3test_eval(c, t, &in, w), stack_fold(&w[4], 4));
	}
	Z3_del_context(c);
}

/* ld [off]; jeq #k, 0, 1; ret #hit; ret #miss */
static jitk_filter *rule(uint32_t off, uint32_t k, uint32_t hit, uint32_t miss)
{
	return TEST_FILTER({ BPF_LD | BPF_W | BPF_ABS, 0, 0, off }, { BPF_JMP | BPF_JEQ | BPF_K, 0, 1, k },
			   { BPF_RET | BPF_K, 0, 0, hit }, { BPF_RET | BPF_K, 0, 0, miss });
}

static uint32_t fold_of(jitk_filter **fs, size_t n, const struct seccomp_data *sd)
{
	uint32_t rets[8];
	for (size_t i = 0; i < n; i++) {
		jitk_result res;
		assert_int_equal(jitk_interp(fs[i], sd, &res), JITK_OK);
		rets[i] = res.ret;
	}
	return stack_fold(rets, n);
}

static void stack_matches_fold(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(0x57acu));
	for (int round = 0; round < 40; round++) {
		size_t n = 1 + rng_below(&r, 4);
		jitk_filter *fs[4];
		for (size_t i = 0; i < n; i++) {
			/* RET A members too (classic BPF has no RET X) */
			switch (rng_below(&r, 3)) {
			case 0: fs[i] = rule(0, rng_below(&r, 4), some_ret(&r), some_ret(&r)); break;
			case 1:
				fs[i] = TEST_FILTER({ BPF_LD | BPF_W | BPF_ABS, 0, 0, 16 },
						    { BPF_ST, 0, 0, 0 }, { BPF_LD | BPF_MEM, 0, 0, 0 },
						    { BPF_RET | BPF_A, 0, 0, 0 });
				break;
			default:
				fs[i] = TEST_FILTER({ BPF_LD | BPF_W | BPF_ABS, 0, 0, 24 },
						    { BPF_MISC | BPF_TAX, 0, 0, 0 },
						    { BPF_LD | BPF_IMM, 0, 0, 0 },
						    { BPF_MISC | BPF_TXA, 0, 0, 0 },
						    { BPF_RET | BPF_A, 0, 0, 0 });
			}
		}
		jitk_filter *one = NULL;
		jitk_diag d;
		assert_int_equal(jitk_stack((const jitk_filter *const *)fs, n, 0, &one, &d), JITK_OK);
		assert_int_equal(jitk_check(one, &d), JITK_OK);
		for (int i = 0; i < 200; i++) {
			struct seccomp_data sd = { .nr = (int)rng_below(&r, 5), .arch = AUDIT_ARCH_X86_64 };
			sd.args[0] = rng_below(&r, 2) ? some_ret(&r) : rng_u32(&r);
			sd.args[1] = some_ret(&r);
			jitk_result res;
			assert_int_equal(jitk_interp(one, &sd, &res), JITK_OK);
			assert_int_equal(res.ret, fold_of(fs, n, &sd));
		}
		jitk_filter_free(one);
		for (size_t i = 0; i < n; i++)
			jitk_filter_free(fs[i]);
	}
}

/* The proof inside jitk_stack is what makes the result trustworthy: the
 * same comparison must refuse a combined filter with a wrong tie-break
 * (jge instead of jgt: the older filter's data would win) or without the
 * final ALLOW rule. */
static void proof_refuses_wrong_combination(void **state)
{
	(void)state;
	jitk_filter *fs[2] = { rule(0, 1, ERRNO(1), JITK_RET_ALLOW),
			       rule(0, 1, ERRNO(2), JITK_RET_ALLOW | 5) };
	jitk_filter *one = NULL;
	jitk_diag d;
	assert_int_equal(jitk_stack((const jitk_filter *const *)fs, 2, 0, &one, &d), JITK_OK);
	size_t len = jitk_filter_len(one);
	const jitk_insn *p = jitk_filter_insns(one);
	jitk_side stack = { .stack = (const jitk_filter *const *)fs, .nstack = 2 };
	int mutated = 0;
	for (size_t i = 0; i < len; i++) {
		jitk_insn q[JITK_MAXINSNS];
		memcpy(q, p, len * sizeof *q);
		if (q[i].code == (BPF_JMP | BPF_JGT | BPF_X))
			q[i].code = BPF_JMP | BPF_JGE | BPF_X;
		else if (q[i].code == (BPF_JMP | BPF_JEQ | BPF_K) && q[i].k == JITK_RET_ALLOW)
			q[i].k = JITK_RET_LOG; /* ALLOW data no longer dropped */
		else
			continue;
		jitk_filter *bad;
		assert_int_equal(jitk_filter_new(q, len, &bad), JITK_OK);
		jitk_cex x;
		size_t nx = 0;
		assert_int_equal(jitk_equiv((jitk_side){ .filter = bad }, stack, 0, &x, 1, &nx, &d),
				 JITK_E_DIFFERENT);
		assert_int_equal(nx, 1);
		jitk_result res;
		assert_int_equal(jitk_interp(bad, &x.in, &res), JITK_OK);
		assert_int_equal(res.ret, x.left);
		assert_int_equal(fold_of(fs, 2, &x.in), x.right);
		assert_int_not_equal(x.left, x.right);
		jitk_filter_free(bad);
		mutated++;
	}
	assert_int_equal(mutated, 2);
	/* and the true one is equal */
	assert_int_equal(jitk_equiv((jitk_side){ .filter = one }, stack, 0, NULL, 0, NULL, &d), JITK_OK);
	jitk_filter_free(one);
	jitk_filter_free(fs[0]);
	jitk_filter_free(fs[1]);
}

static void refusals(void **state)
{
	(void)state;
	jitk_filter *one = NULL;
	jitk_diag d;
	jitk_filter *ok = rule(0, 1, ERRNO(1), JITK_RET_ALLOW);
	assert_int_equal(jitk_stack(NULL, 0, 0, &one, &d), JITK_E_INVAL);
	const jitk_filter *withnull[2] = { ok, NULL };
	assert_int_equal(jitk_stack(withnull, 2, 0, &one, &d), JITK_E_INVAL);
	assert_null(one);
	/* not a valid filter: the checker's refusal comes back */
	jitk_filter *bad = TEST_FILTER({ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 });
	const jitk_filter *withbad[2] = { ok, bad };
	assert_int_equal(jitk_stack(withbad, 2, 0, &one, &d), JITK_E_CHECK);
	/* a member using 15 scratch cells leaves the fold no room */
	jitk_insn cells[31];
	for (int i = 0; i < 15; i++) {
		cells[2 * i] = (jitk_insn){ BPF_ST, 0, 0, (uint32_t)i };
		cells[2 * i + 1] = (jitk_insn){ BPF_LD | BPF_MEM, 0, 0, (uint32_t)i };
	}
	cells[30] = (jitk_insn){ BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW };
	jitk_filter *many = test_filter(cells, 31);
	const jitk_filter *withmany[2] = { ok, many };
	assert_int_equal(jitk_stack(withmany, 2, 0, &one, &d), JITK_E_UNSUPPORTED);
	/* two members of 2100 instructions make more than 4096 */
	jitk_insn big[2100];
	for (int i = 0; i < 2099; i++)
		big[i] = (jitk_insn){ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 };
	big[2099] = (jitk_insn){ BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW };
	jitk_filter *b = test_filter(big, 2100);
	const jitk_filter *twobig[2] = { b, b };
	assert_int_equal(jitk_stack(twobig, 2, 0, &one, &d), JITK_E_TOO_BIG);
	assert_null(one);
	jitk_filter_free(b);
	jitk_filter_free(many);
	jitk_filter_free(bad);
	jitk_filter_free(ok);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fold_cases),
		cmocka_unit_test(smt_twin),
		cmocka_unit_test(stack_matches_fold),
		cmocka_unit_test(proof_refuses_wrong_combination),
		cmocka_unit_test(refusals),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
