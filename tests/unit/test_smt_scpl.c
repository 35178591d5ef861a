/* test_smt_scpl.c - the Z3 encoding of SCPL against jitk_policy_eval.
 *
 * Policies are built by hand as struct jitk_policy (no parser involved), at
 * random: several ABIs, overlapping rules (first match), number sets with
 * runs, x32 and negative numbers, condition trees of 64-bit, low32 and
 * masked compares.  The encoding is evaluated on concrete inputs by
 * substitution and must equal the evaluator; hand-computed cases pin the
 * semantics themselves (x32, foreign arches, the TIOCSTI high-bits case). */
#include "testlib.h"
#include "params.h"
#include "smt.h"
#include "z3test.h"

#include <linux/audit.h>

static uint32_t eval_term(Z3_context c, Z3_ast t, const struct smt_input *in, const struct seccomp_data *sd)
{
	uint32_t w[SMT_NWORDS];
	smt_words_of(sd, w);
	return z3test_eval(c, t, in, w);
}

/* ------------------------------------------------ hand-built policies */

#define MAXR 8
#define MAXN 12
#define MAXC 64

struct tpol {
	jitk_policy p;
	struct pol_rule rules[MAXR];
	int nrs[MAXR][JITK_ARCH__COUNT][MAXN];
	struct pol_cond conds[MAXC];
	size_t ncond;
	/* constants the policy uses, for inputs that hit its edges */
	uint64_t vals[MAXC];
	size_t nvals;
};

static const uint32_t actions[] = {
	JITK_RET_ALLOW,     JITK_RET_KILL_PROCESS, JITK_RET_KILL_THREAD,
	JITK_RET_ERRNO | 1, JITK_RET_ERRNO | 13,   JITK_RET_TRAP | 7,
	JITK_RET_LOG,       JITK_RET_TRACE | 2,    JITK_RET_USER_NOTIF,
};
#define NACTIONS (sizeof actions / sizeof *actions)

static uint32_t rand_action(rng_t *r)
{
	return actions[rng_below(r, NACTIONS)];
}

static uint64_t rand_value(rng_t *r)
{
	static const uint64_t edge[] = { 0,
					 1,
					 2,
					 0x7fffffff,
					 0x80000000,
					 0xffffffff,
					 0x100000000ull,
					 0xffffffffffffffffull,
					 0xffffffff00000000ull,
					 0x5401 };
	switch (rng_below(r, 3)) {
	case 0: return edge[rng_below(r, sizeof edge / sizeof *edge)];
	case 1: return rng_below(r, 16);
	default: return rng_u64(r) >> rng_below(r, 64);
	}
}

static const struct pol_cond *rand_cond(rng_t *r, struct tpol *t, unsigned depth)
{
	if (t->ncond >= MAXC)
		return NULL;
	struct pol_cond *q = &t->conds[t->ncond++];
	memset(q, 0, sizeof *q);
	unsigned pick = depth >= 3 ? 0 : rng_below(r, 6);
	if (pick >= 3) {
		q->kind = pick == 3 ? POL_AND : pick == 4 ? POL_OR : POL_NOT;
		q->l = rand_cond(r, t, depth + 1);
		q->r = q->kind == POL_NOT ? NULL : rand_cond(r, t, depth + 1);
		if (!q->l || (q->kind != POL_NOT && !q->r)) {
			q->kind = POL_CMP; /* ran out of room: a leaf */
			q->l = q->r = NULL;
		} else {
			return q;
		}
	}
	q->kind = POL_CMP;
	q->arg = (uint8_t)rng_below(r, 6);
	unsigned width = rng_below(r, 4);
	q->low32 = width == 0;
	q->reg64 = width == 1;
	q->op = (enum pol_op)rng_below(r, 6);
	q->mask = rng_below(r, 3) ? ~0ull : rand_value(r);
	q->value = rand_value(r);
	if (q->low32 && rng_below(r, 4)) { /* what the front end produces */
		q->mask &= 0xffffffffu;
		q->value &= 0xffffffffu;
	}
	if (t->nvals < MAXC)
		t->vals[t->nvals++] = q->value;
	return q;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Numbers of one rule on one ABI: sorted, no duplicates, with runs. */
static size_t rand_nrs(rng_t *r, jitk_arch a, int *out)
{
	size_t n = rng_below(r, MAXN - 2), m = 0;
	int base = a == JITK_ARCH_X32 ? (int)JITK_X32_SYSCALL_BIT : 0;
	int tmp[MAXN] = { 0 };
	for (size_t i = 0; i < n; i++) {
		switch (rng_below(r, 8)) {
		case 0: tmp[i] = -1 - (int)rng_below(r, 2); break;
		case 1: tmp[i] = (int)rng_below(r, 20); break; /* x32 numbers w/o the bit */
		default: tmp[i] = base + (int)rng_below(r, 20); break;
		}
	}
	qsort(tmp, n, sizeof *tmp, cmp_int);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || out[m - 1] != tmp[i])
			out[m++] = tmp[i];
	return m;
}

static void rand_policy(rng_t *r, struct tpol *t)
{
	memset(t, 0, sizeof *t);
	bool any;
	do {
		any = false;
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			any |= t->p.arch[a] = rng_below(r, 2);
	} while (!any);
	t->p.default_action = rand_action(r);
	t->p.foreign_action = rand_action(r);
	t->p.nrules = 1 + rng_below(r, MAXR);
	for (size_t i = 0; i < t->p.nrules; i++) {
		struct pol_rule *ru = &t->rules[i];
		ru->action = rand_action(r);
		ru->cond = rng_below(r, 3) ? rand_cond(r, t, 0) : NULL;
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			ru->nnrs[a] = rand_nrs(r, (jitk_arch)a, t->nrs[i][a]);
			ru->nrs[a] = t->nrs[i][a];
		}
	}
	t->p.rules = t->rules;
}

static void rand_input(rng_t *r, const struct tpol *t, struct seccomp_data *sd)
{
	memset(sd, 0, sizeof *sd);
	/* an ABI's arch value (x86_64's twice: x32 too), a foreign one, or any */
	uint32_t k = rng_below(r, JITK_ARCH__COUNT + 2);
	sd->arch = k == JITK_ARCH__COUNT  ? AUDIT_ARCH_ARMEB
		   : k > JITK_ARCH__COUNT ? 0
					  : jitk_arch_audit((jitk_arch)k);
	if (rng_below(r, 10) == 0)
		sd->arch = rng_u32(r);
	sd->nr = (int)rng_below(r, 22) - 1;
	if (rng_below(r, 3) == 0)
		sd->nr = (int)((uint32_t)sd->nr | JITK_X32_SYSCALL_BIT);
	if (rng_below(r, 20) == 0)
		sd->nr = (int)rng_u32(r);
	/* Mostly: a number of some rule on its ABI, so that rules decide. */
	size_t ri = rng_below(r, (uint32_t)t->p.nrules);
	int a = (int)rng_below(r, JITK_ARCH__COUNT);
	const struct pol_rule *ru = &t->rules[ri];
	if (rng_below(r, 3) && ru->nnrs[a]) {
		sd->arch = jitk_arch_audit((jitk_arch)a);
		sd->nr = ru->nrs[a][rng_below(r, (uint32_t)ru->nnrs[a])];
	}
	sd->instruction_pointer = rng_u64(r);
	for (unsigned i = 0; i < 6; i++) {
		uint64_t v = t->nvals && rng_below(r, 4) ? t->vals[rng_below(r, (uint32_t)t->nvals)]
							 : rand_value(r);
		v += (uint64_t)rng_below(r, 3) - 1;
		if (rng_below(r, 4) == 0) /* junk in the high half */
			v ^= (uint64_t)rng_u32(r) << 32;
		sd->args[i] = v;
	}
}

/* -------------------------------------------------------------- tests */

static void random_policies_match_eval(void **state)
{
	(void)state;
	rng_t r;
	uint64_t seed = test_seed(0x5c91e7a1);
	rng_seed(&r, seed);
	unsigned long npol = test_scaled(TEST_UNDER_ASAN ? 80 : 500);
	unsigned ninputs = TEST_UNDER_ASAN ? 30 : 60;
	static struct tpol t;
	unsigned long compared = 0, nondefault = 0;
	for (unsigned long it = 0; it < npol; it++) {
		rand_policy(&r, &t);
		Z3_context c = z3test_ctx();
		struct smt_input in;
		smt_input_init(c, &in);
		Z3_ast term = smt_scpl(c, &t.p, &in);
		assert_non_null(term);
		for (unsigned k = 0; k < ninputs; k++) {
			struct seccomp_data sd;
			rand_input(&r, &t, &sd);
			uint32_t want = jitk_policy_eval(&t.p, &sd);
			uint32_t got = eval_term(c, term, &in, &sd);
			if (got != want)
				fail_msg("seed 0x%llx policy %lu input %u (arch 0x%x nr %d): encoding 0x%08x, eval 0x%08x",
					 (unsigned long long)seed, it, k, sd.arch, sd.nr, got, want);
			compared++;
			nondefault += want != t.p.default_action && want != t.p.foreign_action;
		}
		Z3_del_context(c);
	}
	print_message("compared %lu (policy, input) pairs, %lu decided by a rule\n", compared, nondefault);
	/* The inputs must exercise the rules, not only the defaults. */
	assert_true(nondefault > compared / 10);
}

/* Hand-computed: x32, foreign arches, first match, low32 vs 64 bits. */
static void semantics_by_hand(void **state)
{
	(void)state;
	/* { arch = [x86_64; i386]; default_action = Errno 1; foreign_action = KillThread;
	 *   rules = [ { action = Allow; syscall = ioctl; when = low32(arg1) != 0x5412 };
	 *             { action = Errno 13; syscall = ioctl };
	 *             { action = Log; syscall = [getpid; ioctl] } ] } */
	static const int ioctl64[] = { 16 }, both64[] = { 16, 39 }, ioctl32[] = { 54 }, both32[] = { 20, 54 };
	static const struct pol_cond tiocsti = {
		.kind = POL_CMP, .arg = 1, .low32 = true, .op = POL_NE, .mask = ~0ull, .value = 0x5412
	};
	struct pol_rule rules[3] = {
		{ .action = JITK_RET_ALLOW, .cond = &tiocsti },
		{ .action = JITK_RET_ERRNO | 13 },
		{ .action = JITK_RET_LOG },
	};
	rules[0].nrs[JITK_ARCH_X86_64] = ioctl64, rules[0].nnrs[JITK_ARCH_X86_64] = 1;
	rules[1].nrs[JITK_ARCH_X86_64] = ioctl64, rules[1].nnrs[JITK_ARCH_X86_64] = 1;
	rules[2].nrs[JITK_ARCH_X86_64] = both64, rules[2].nnrs[JITK_ARCH_X86_64] = 2;
	rules[0].nrs[JITK_ARCH_I386] = ioctl32, rules[0].nnrs[JITK_ARCH_I386] = 1;
	rules[1].nrs[JITK_ARCH_I386] = ioctl32, rules[1].nnrs[JITK_ARCH_I386] = 1;
	rules[2].nrs[JITK_ARCH_I386] = both32, rules[2].nnrs[JITK_ARCH_I386] = 2;
	jitk_policy p = { .default_action = JITK_RET_ERRNO | 1,
			  .foreign_action = JITK_RET_KILL_THREAD,
			  .nrules = 3,
			  .rules = rules };
	p.arch[JITK_ARCH_X86_64] = p.arch[JITK_ARCH_I386] = true;

	struct {
		uint32_t arch;
		int nr;
		uint64_t arg1;
		uint32_t want;
	} cases[] = {
		{ AUDIT_ARCH_X86_64, 16, 0x5413, JITK_RET_ALLOW },
		{ AUDIT_ARCH_X86_64, 16, 0x5412, JITK_RET_ERRNO | 13 },
		/* TIOCSTI with junk high bits: low32 still sees 0x5412 */
		{ AUDIT_ARCH_X86_64, 16, 0xdead000000005412ull, JITK_RET_ERRNO | 13 },
		{ AUDIT_ARCH_X86_64, 39, 0, JITK_RET_LOG },
		{ AUDIT_ARCH_X86_64, 40, 0, JITK_RET_ERRNO | 1 },
		/* x32 getpid: x32 is not listed, so foreign */
		{ AUDIT_ARCH_X86_64, (int)(JITK_X32_SYSCALL_BIT | 39), 0, JITK_RET_KILL_THREAD },
		{ AUDIT_ARCH_I386, 54, 0x5412, JITK_RET_ERRNO | 13 },
		{ AUDIT_ARCH_I386, 16, 0x5412, JITK_RET_ERRNO | 1 },
		{ AUDIT_ARCH_I386, 20, 0, JITK_RET_LOG },
		{ AUDIT_ARCH_AARCH64, 16, 0, JITK_RET_KILL_THREAD },
		{ 0, 16, 0, JITK_RET_KILL_THREAD },
	};
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	Z3_ast term = smt_scpl(c, &p, &in);
	assert_non_null(term);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct seccomp_data sd = { .nr = cases[i].nr, .arch = cases[i].arch };
		sd.args[1] = cases[i].arg1;
		assert_int_equal(eval_term(c, term, &in, &sd), cases[i].want);
		assert_int_equal(jitk_policy_eval(&p, &sd), cases[i].want);
	}
	/* Without low32 the same: ioctl's cmd is an unsigned int, the kernel
	 * uses 32 bits of it (docs/scpl.md "Argument widths", issue 9). */
	static const struct pol_cond full = {
		.kind = POL_CMP, .arg = 1, .op = POL_NE, .mask = ~0ull, .value = 0x5412
	};
	rules[0].cond = &full;
	term = smt_scpl(c, &p, &in);
	struct seccomp_data sd = { .nr = 16, .arch = AUDIT_ARCH_X86_64 };
	sd.args[1] = 0xdead000000005412ull;
	assert_int_equal(eval_term(c, term, &in, &sd), JITK_RET_ERRNO | 13);
	assert_int_equal(jitk_policy_eval(&p, &sd), JITK_RET_ERRNO | 13);
	/* On its unsigned long arg2 a compare reads all 64 bits. */
	static const struct pol_cond wide = {
		.kind = POL_CMP, .arg = 2, .op = POL_NE, .mask = ~0ull, .value = 0x5412
	};
	rules[0].cond = &wide;
	term = smt_scpl(c, &p, &in);
	sd.args[1] = 0;
	sd.args[2] = 0xdead000000005412ull;
	assert_int_equal(eval_term(c, term, &in, &sd), JITK_RET_ALLOW);
	assert_int_equal(jitk_policy_eval(&p, &sd), JITK_RET_ALLOW);
	sd.args[2] = 0x5412;
	assert_int_equal(eval_term(c, term, &in, &sd), JITK_RET_ERRNO | 13);
	/* reg64(arg1) reads all 64 bits of ioctl's unsigned int cmd, on i386
	 * too: the junk high half makes it differ from 0x5412. */
	static const struct pol_cond reg = {
		.kind = POL_CMP, .arg = 1, .reg64 = true, .op = POL_NE, .mask = ~0ull, .value = 0x5412
	};
	rules[0].cond = &reg;
	term = smt_scpl(c, &p, &in);
	sd.args[2] = 0;
	const uint32_t archs[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386 };
	for (int k = 0; k < 2; k++) {
		sd.arch = archs[k];
		sd.nr = k ? 54 : 16;
		sd.args[1] = 0xdead000000005412ull;
		assert_int_equal(eval_term(c, term, &in, &sd), JITK_RET_ALLOW);
		assert_int_equal(jitk_policy_eval(&p, &sd), JITK_RET_ALLOW);
		sd.args[1] = 0x5412;
		assert_int_equal(eval_term(c, term, &in, &sd), JITK_RET_ERRNO | 13);
		assert_int_equal(jitk_policy_eval(&p, &sd), JITK_RET_ERRNO | 13);
	}
	Z3_del_context(c);
}

/* Number sets: runs across -1/0 and up to INT32_MAX keep their meaning. */
static void number_runs(void **state)
{
	(void)state;
	static const int nrs[] = { -3, -2, -1, 0, 1, 5, 2147483646, 2147483647 };
	struct pol_rule rule = { .action = JITK_RET_ALLOW };
	rule.nrs[JITK_ARCH_AARCH64] = nrs;
	rule.nnrs[JITK_ARCH_AARCH64] = sizeof nrs / sizeof *nrs;
	jitk_policy p = {
		.default_action = JITK_RET_ERRNO | 2, .foreign_action = 0, .nrules = 1, .rules = &rule
	};
	p.arch[JITK_ARCH_AARCH64] = true;
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	Z3_ast term = smt_scpl(c, &p, &in);
	static const int probe[] = { -4,         -3,         -2,         -1,        0,
				     1,          2,          4,          5,         6,
				     2147483645, 2147483646, 2147483647, INT32_MIN, INT32_MIN + 1 };
	for (size_t i = 0; i < sizeof probe / sizeof *probe; i++) {
		struct seccomp_data sd = { .nr = probe[i], .arch = AUDIT_ARCH_AARCH64 };
		uint32_t want = jitk_policy_eval(&p, &sd);
		assert_int_equal(eval_term(c, term, &in, &sd), want);
	}
	struct seccomp_data sd = { .nr = 3, .arch = AUDIT_ARCH_AARCH64 };
	assert_int_equal(eval_term(c, term, &in, &sd), JITK_RET_ERRNO | 2);
	sd.nr = -1;
	assert_int_equal(eval_term(c, term, &in, &sd), JITK_RET_ALLOW);
	Z3_del_context(c);
}

/* A rule's numbers are nrs[0..nnrs): a run ends at the last one even
 * when the memory after it would continue the run (here the array holds
 * one number more than the rule lists: 4 is not one of the rule's). */
static void runs_end_at_the_list(void **state)
{
	(void)state;
	static const int nrs[] = { 1, 2, 3, 4 };
	struct pol_rule rule = { .action = JITK_RET_ALLOW };
	rule.nrs[JITK_ARCH_X86_64] = nrs;
	rule.nnrs[JITK_ARCH_X86_64] = 3;
	jitk_policy p = { .default_action = JITK_RET_ERRNO | 2, .nrules = 1, .rules = &rule };
	p.arch[JITK_ARCH_X86_64] = true;
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	Z3_ast term = smt_scpl(c, &p, &in);
	assert_non_null(term);
	for (int nr = 0; nr <= 5; nr++) {
		struct seccomp_data sd = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
		uint32_t want = nr >= 1 && nr <= 3 ? JITK_RET_ALLOW : JITK_RET_ERRNO | 2;
		assert_int_equal(jitk_policy_eval(&p, &sd), want);
		assert_int_equal(eval_term(c, term, &in, &sd), want);
	}
	Z3_del_context(c);
}

/* One rule on x86-64 with condition q over the numbers nrs[0..2), probed
 * at each number with the arguments args: the encoding must give want[i]
 * at nrs[i], and agree with the evaluator. */
static void two_numbers(const int nrs[2], const struct pol_cond *q, const uint64_t args[6],
			const uint32_t want[2])
{
	struct pol_rule rule = { .action = JITK_RET_ALLOW, .cond = q };
	rule.nrs[JITK_ARCH_X86_64] = nrs;
	rule.nnrs[JITK_ARCH_X86_64] = 2;
	jitk_policy p = {
		.default_action = JITK_RET_ERRNO | 2, .foreign_action = 0, .nrules = 1, .rules = &rule
	};
	p.arch[JITK_ARCH_X86_64] = true;
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	Z3_ast term = smt_scpl(c, &p, &in);
	assert_non_null(term);
	for (int i = 0; i < 2; i++) {
		struct seccomp_data sd = { .nr = nrs[i], .arch = AUDIT_ARCH_X86_64 };
		memcpy(sd.args, args, sizeof sd.args);
		assert_int_equal(jitk_policy_eval(&p, &sd), want[i]);
		assert_int_equal(eval_term(c, term, &in, &sd), want[i]);
	}
	Z3_del_context(c);
}

/* A rule's numbers are read at their own widths on every argument its
 * condition uses, arg5 included (mutation testing found arg5 left out of
 * the grouping unnoticed): mmap's offset is 64 bits, splice's flags 32. */
static void widths_group_on_arg5(void **state)
{
	(void)state;
	static const int nrs[] = { 9, 275 }; /* mmap, splice (x86-64) */
	assert_int_equal(params_width(JITK_ARCH_X86_64, 9, 5), 64);
	assert_int_equal(params_width(JITK_ARCH_X86_64, 275, 5), 32);
	static const struct pol_cond five = {
		.kind = POL_CMP, .arg = 5, .op = POL_EQ, .mask = ~0ull, .value = 5
	};
	static const uint64_t args[6] = { [5] = 0x100000005ull };
	two_numbers(nrs, &five, args, (const uint32_t[]){ JITK_RET_ERRNO | 2, JITK_RET_ALLOW });
}

/* The same on arg0 (mutation testing found the grouping's loop could
 * start at arg1 unnoticed): read's fd is an unsigned int, mmap's addr an
 * unsigned long; listed in both orders, so either one's widths lead. */
static void widths_group_on_arg0(void **state)
{
	(void)state;
	assert_int_equal(params_width(JITK_ARCH_X86_64, 0, 0), 32);
	assert_int_equal(params_width(JITK_ARCH_X86_64, 9, 0), 64);
	static const struct pol_cond zero = {
		.kind = POL_CMP, .arg = 0, .op = POL_EQ, .mask = ~0ull, .value = 5
	};
	static const uint64_t args[6] = { 0x100000005ull };
	static const int read_mmap[] = { 0, 9 }, mmap_read[] = { 9, 0 };
	two_numbers(read_mmap, &zero, args, (const uint32_t[]){ JITK_RET_ALLOW, JITK_RET_ERRNO | 2 });
	two_numbers(mmap_read, &zero, args, (const uint32_t[]){ JITK_RET_ERRNO | 2, JITK_RET_ALLOW });
}

/* A condition on two arguments groups the numbers by the widths of both
 * (mutation testing found the arguments of an AND's right side, or of
 * both sides, left out unnoticed): read and ioctl have a 32-bit arg0 (fd)
 * but differ on arg1, read's buf pointer against ioctl's unsigned int
 * cmd; so do the sides of an OR and a NOT's operand. */
static void widths_group_on_both_sides(void **state)
{
	(void)state;
	assert_int_equal(params_width(JITK_ARCH_X86_64, 0, 0), 32);
	assert_int_equal(params_width(JITK_ARCH_X86_64, 16, 0), 32);
	assert_int_equal(params_width(JITK_ARCH_X86_64, 0, 1), 64);
	assert_int_equal(params_width(JITK_ARCH_X86_64, 16, 1), 32);
	static const struct pol_cond fd = { .kind = POL_CMP, .arg = 0, .op = POL_EQ, .mask = ~0ull, .value = 3 };
	static const struct pol_cond one = {
		.kind = POL_CMP, .arg = 1, .op = POL_EQ, .mask = ~0ull, .value = 5
	};
	static const struct pol_cond both = { .kind = POL_AND, .l = &fd, .r = &one };
	static const struct pol_cond other = { .kind = POL_AND, .l = &one, .r = &fd };
	static const uint64_t args[6] = { 3, 0x100000005ull };
	static const int read_ioctl[] = { 0, 16 }, ioctl_read[] = { 16, 0 };
	static const uint32_t ri[] = { JITK_RET_ERRNO | 2, JITK_RET_ALLOW },
			      ir[] = { JITK_RET_ALLOW, JITK_RET_ERRNO | 2 };
	two_numbers(read_ioctl, &both, args, ri);
	two_numbers(ioctl_read, &both, args, ir);
	two_numbers(read_ioctl, &other, args, ri);
	two_numbers(ioctl_read, &other, args, ir);
	/* not(arg1 != 5) alone, and fd != 3 or it: true at ioctl only */
	static const struct pol_cond ne = { .kind = POL_CMP, .arg = 1, .op = POL_NE, .mask = ~0ull, .value = 5 };
	static const struct pol_cond qnot = { .kind = POL_NOT, .l = &ne };
	static const struct pol_cond nfd = {
		.kind = POL_CMP, .arg = 0, .op = POL_NE, .mask = ~0ull, .value = 3
	};
	static const struct pol_cond qor = { .kind = POL_OR, .l = &nfd, .r = &qnot };
	two_numbers(read_ioctl, &qnot, args, ri);
	two_numbers(read_ioctl, &qor, args, ri);
	two_numbers(ioctl_read, &qor, args, ir);
}

/* A malformed condition (arg index 6) is refused, not encoded. */
static void refuses_bad_condition(void **state)
{
	(void)state;
	static const int nrs[] = { 1 };
	static const struct pol_cond badarg = { .kind = POL_CMP, .arg = 6, .op = POL_EQ, .mask = ~0ull };
	struct pol_rule rule = { .action = JITK_RET_ALLOW, .cond = &badarg };
	rule.nrs[JITK_ARCH_X86_64] = nrs;
	rule.nnrs[JITK_ARCH_X86_64] = 1;
	jitk_policy p = { .nrules = 1, .rules = &rule };
	p.arch[JITK_ARCH_X86_64] = true;
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	assert_null(smt_scpl(c, &p, &in));
	assert_null(smt_scpl(c, NULL, &in));
	Z3_del_context(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(semantics_by_hand),     cmocka_unit_test(number_runs),
		cmocka_unit_test(runs_end_at_the_list),  cmocka_unit_test(widths_group_on_arg5),
		cmocka_unit_test(widths_group_on_arg0),  cmocka_unit_test(widths_group_on_both_sides),
		cmocka_unit_test(refuses_bad_condition), cmocka_unit_test(random_policies_match_eval),
	};
	return cmocka_run_group_tests_name("smt_scpl", tests, NULL, NULL);
}
