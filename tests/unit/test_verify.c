/* test_verify.c - jitk_verify and jitk_equiv: proofs, refusals, witnesses.
 *
 * Hand-written filters against hand-built policies: the correct filter is
 * proved; each classic generator bug (x32 guard missing, a 64-bit compare
 * cut to 32 bits as in CVE-2019-9893, AND joined as OR as in
 * CVE-2017-18367) is found, with a counterexample that really tells the
 * two sides apart when replayed.  Checker refusals, timeouts, several
 * witnesses per diff, and bad arguments are tested too. */
#include "testlib.h"
#include "policy.h"

#include <linux/audit.h>

#define X86 AUDIT_ARCH_X86_64
#define ALLOW JITK_RET_ALLOW
#define ERR1 (JITK_RET_ERRNO | 1)
#define KILLP JITK_RET_KILL_PROCESS

/* A policy on x86_64 only: default Errno 1, foreign KillProcess. */
static void policy_x86(jitk_policy *p, struct pol_rule *rules, size_t n)
{
	memset(p, 0, sizeof *p);
	p->arch[JITK_ARCH_X86_64] = true;
	p->default_action = ERR1;
	p->foreign_action = KILLP;
	p->nrules = n;
	p->rules = rules;
}

static void set_nrs(struct pol_rule *r, jitk_arch a, const int *nrs, size_t n)
{
	r->nrs[a] = nrs;
	r->nnrs[a] = n;
}

/* The witness is real: both concrete semantics agree with it. */
static void assert_cex_replays(jitk_side a, jitk_side b, const jitk_cex *x)
{
	uint32_t l, r;
	jitk_result res;
	if (a.policy) {
		l = jitk_policy_eval(a.policy, &x->in);
	} else {
		assert_int_equal(jitk_interp(a.filter, &x->in, &res), JITK_OK);
		l = res.ret;
	}
	if (b.policy) {
		r = jitk_policy_eval(b.policy, &x->in);
	} else {
		assert_int_equal(jitk_interp(b.filter, &x->in, &res), JITK_OK);
		r = res.ret;
	}
	assert_int_equal(l, x->left);
	assert_int_equal(r, x->right);
	assert_int_not_equal(l, r);
}

static jitk_err verify(const jitk_policy *p, jitk_filter *f, jitk_cex *x, jitk_diag *d)
{
	memset(x, 0, sizeof *x);
	jitk_err err = jitk_verify(p, f, 0, x, d);
	if (getenv("VERBOSE"))
		print_message("verify: %d %s arch %x nr %d args %llx %llx -> %x %x\n", err, d->msg,
			      x->in.arch, x->in.nr, (unsigned long long)x->in.args[0],
			      (unsigned long long)x->in.args[1], x->left, x->right);
	if (err == JITK_E_DIFFERENT)
		assert_cex_replays((jitk_side){ .policy = p }, (jitk_side){ .filter = f }, x);
	return err;
}

/* getpid allowed; write allowed when arg2 <= 2 (its size_t count: all 64
 * bits, docs/scpl.md "Argument widths"). */
static const int nr_getpid[] = { 39 }, nr_write[] = { 1 };
static const struct pol_cond arg0_le2 = { .kind = POL_CMP, .arg = 2, .op = POL_LE, .mask = ~0ull, .value = 2 };

#define GOOD_FILTER                                                                  \
	{ 0x20, 0, 0, 4 },                            /* 0: ld arch */               \
		{ 0x15, 0, 10, X86 },                 /* 1: -> 12 kill if foreign */ \
		{ 0x20, 0, 0, 0 },                    /* 2: ld nr */                 \
		{ 0x35, 8, 0, JITK_X32_SYSCALL_BIT }, /* 3: x32 guard -> 12 */       \
		{ 0x15, 5, 0, 39 },                   /* 4: getpid -> 10 */          \
		{ 0x15, 0, 5, 1 },                    /* 5: write? else -> 11 */     \
		{ 0x20, 0, 0, 36 },                   /* 6: ld arg2 hi */            \
		{ 0x15, 0, 3, 0 },                    /* 7: hi != 0 -> 11 */         \
		{ 0x20, 0, 0, 32 },                   /* 8: ld arg2 lo */            \
		{ 0x25, 1, 0, 2 },                    /* 9: lo > 2 -> 11 */          \
		{ 0x06, 0, 0, ALLOW },                /* 10 */                       \
		{ 0x06, 0, 0, ERR1 },                 /* 11 */                       \
	{                                                                            \
		0x06, 0, 0, KILLP                                                    \
	} /* 12 */

static void proves_correct_filter(void **state)
{
	(void)state;
	struct pol_rule rules[2] = { { .action = ALLOW }, { .action = ALLOW, .cond = &arg0_le2 } };
	set_nrs(&rules[0], JITK_ARCH_X86_64, nr_getpid, 1);
	set_nrs(&rules[1], JITK_ARCH_X86_64, nr_write, 1);
	jitk_policy p;
	policy_x86(&p, rules, 2);
	jitk_filter *f = TEST_FILTER(GOOD_FILTER);
	jitk_cex x;
	jitk_diag d;
	assert_int_equal(verify(&p, f, &x, &d), JITK_OK);
	/* cex may be NULL */
	assert_int_equal(jitk_verify(&p, f, 0, NULL, &d), JITK_OK);
	jitk_filter_free(f);
}

/* Known generator bugs, each found with a real witness. */
static void finds_generator_bugs(void **state)
{
	(void)state;
	struct pol_rule rules[2] = { { .action = ALLOW }, { .action = ALLOW, .cond = &arg0_le2 } };
	set_nrs(&rules[0], JITK_ARCH_X86_64, nr_getpid, 1);
	set_nrs(&rules[1], JITK_ARCH_X86_64, nr_write, 1);
	jitk_policy p;
	policy_x86(&p, rules, 2);
	const jitk_insn good[] = { GOOD_FILTER };
	jitk_insn m[13];
	jitk_cex x;
	jitk_diag d;

	/* The x32 guard removed (firejail #87, kafel #19). */
	memcpy(m, good, sizeof m);
	m[3].jt = 0;
	jitk_filter *f = test_filter(m, 13);
	assert_int_equal(verify(&p, f, &x, &d), JITK_E_DIFFERENT);
	assert_true((uint32_t)x.in.nr >= JITK_X32_SYSCALL_BIT);
	assert_int_equal(x.in.arch, X86);
	assert_int_equal(x.left, KILLP);
	assert_non_null(strstr(d.msg, "differ"));
	jitk_filter_free(f);

	/* The 64-bit compare cut to its low half (CVE-2019-9893 class). */
	memcpy(m, good, sizeof m);
	m[7].jf = 0;
	f = test_filter(m, 13);
	assert_int_equal(verify(&p, f, &x, &d), JITK_E_DIFFERENT);
	assert_int_equal(x.in.nr, 1);
	assert_true(x.in.args[2] >> 32 != 0);
	assert_int_equal(x.left, ERR1);
	assert_int_equal(x.right, ALLOW);
	jitk_filter_free(f);

	/* No arch check at all (Graphene #89). */
	memcpy(m, good, sizeof m);
	m[1].jf = 0;
	f = test_filter(m, 13);
	assert_int_equal(verify(&p, f, &x, &d), JITK_E_DIFFERENT);
	assert_int_not_equal(x.in.arch, X86);
	jitk_filter_free(f);

	/* An off-by-one bound: jge instead of jgt. */
	memcpy(m, good, sizeof m);
	m[9].code = 0x35;
	f = test_filter(m, 13);
	assert_int_equal(verify(&p, f, &x, &d), JITK_E_DIFFERENT);
	assert_int_equal(x.in.args[2], 2);
	jitk_filter_free(f);

	/* The data of an action: Errno 2 instead of Errno 1. */
	memcpy(m, good, sizeof m);
	m[11].k = JITK_RET_ERRNO | 2;
	f = test_filter(m, 13);
	assert_int_equal(verify(&p, f, &x, &d), JITK_E_DIFFERENT);
	assert_int_equal(x.right, JITK_RET_ERRNO | 2);
	jitk_filter_free(f);
}

/* CVE-2017-18367: conditions joined with OR instead of AND. */
static void finds_or_for_and(void **state)
{
	(void)state;
	static const struct pol_cond c0 = {
		.kind = POL_CMP, .arg = 0, .low32 = true, .op = POL_EQ, .mask = ~0ull, .value = 1
	};
	static const struct pol_cond c1 = {
		.kind = POL_CMP, .arg = 1, .low32 = true, .op = POL_EQ, .mask = ~0ull, .value = 2
	};
	static const struct pol_cond both = { .kind = POL_AND, .l = &c0, .r = &c1 };
	struct pol_rule rule = { .action = ALLOW, .cond = &both };
	set_nrs(&rule, JITK_ARCH_X86_64, nr_write, 1);
	jitk_policy p;
	policy_x86(&p, &rule, 1);
	jitk_insn and_f[] = {
		{ 0x20, 0, 0, 4 },    { 0x15, 0, 9, X86 },
		{ 0x20, 0, 0, 0 },    { 0x35, 7, 0, JITK_X32_SYSCALL_BIT },
		{ 0x15, 0, 5, 1 },    { 0x20, 0, 0, 16 },
		{ 0x15, 0, 3, 1 },    { 0x20, 0, 0, 24 },
		{ 0x15, 0, 1, 2 },    { 0x06, 0, 0, ALLOW },
		{ 0x06, 0, 0, ERR1 }, { 0x06, 0, 0, KILLP },
	};
	jitk_filter *f = test_filter(and_f, 12);
	jitk_cex x;
	jitk_diag d;
	assert_int_equal(verify(&p, f, &x, &d), JITK_OK);
	jitk_filter_free(f);
	and_f[6] = (jitk_insn){ 0x15, 2, 0, 1 }; /* arg0 == 1 -> allow at once: OR */
	f = test_filter(and_f, 12);
	assert_int_equal(verify(&p, f, &x, &d), JITK_E_DIFFERENT);
	assert_int_equal(x.right, ALLOW);
	assert_true(((uint32_t)x.in.args[0] == 1) != ((uint32_t)x.in.args[1] == 2));
	jitk_filter_free(f);
}

/* Nothing the checker refuses is ever verified. */
static void refuses_unchecked_filters(void **state)
{
	(void)state;
	jitk_policy p;
	policy_x86(&p, NULL, 0);
	jitk_cex x;
	jitk_diag d;
	/* MOD is classic-legal but not seccomp */
	jitk_filter *f = TEST_FILTER({ 0x20, 0, 0, 0 }, { 0x94, 0, 0, 7 }, { 0x16, 0, 0, 0 });
	assert_int_equal(jitk_verify(&p, f, 0, &x, &d), JITK_E_CHECK);
	assert_int_equal(d.index, 1);
	jitk_filter_free(f);
	/* does not end in RET */
	f = TEST_FILTER({ 0x06, 0, 0, ERR1 }, { 0x00, 0, 0, 0 });
	assert_int_equal(jitk_verify(&p, f, 0, &x, &d), JITK_E_CHECK);
	jitk_filter_free(f);
	/* reads M[0] unwritten */
	f = TEST_FILTER({ 0x60, 0, 0, 0 }, { 0x16, 0, 0, 0 });
	assert_int_equal(jitk_verify(&p, f, 0, &x, &d), JITK_E_CHECK);
	jitk_filter_free(f);
	/* empty */
	f = test_filter(NULL, 0);
	assert_int_not_equal(jitk_verify(&p, f, 0, &x, &d), JITK_OK);
	jitk_filter_free(f);
	/* the same refusal on either side of jitk_equiv */
	f = TEST_FILTER({ 0x20, 0, 0, 2 }, { 0x16, 0, 0, 0 });
	jitk_filter *g = TEST_FILTER({ 0x06, 0, 0, ERR1 });
	size_t n;
	assert_int_equal(jitk_equiv((jitk_side){ .filter = g }, (jitk_side){ .filter = f }, 0, &x, 1, &n, &d),
			 JITK_E_CHECK);
	assert_int_equal(n, 0);
	jitk_filter_free(f);
	jitk_filter_free(g);
	/* bad arguments */
	assert_int_equal(jitk_verify(NULL, NULL, 0, &x, &d), JITK_E_INVAL);
	assert_int_equal(jitk_equiv((jitk_side){ 0 }, (jitk_side){ .policy = &p }, 0, &x, 1, &n, &d),
			 JITK_E_INVAL);
}

/* A timeout is JITK_E_SOLVER, never success.  The filter asks Z3 to invert
 * a 32-bit mixing function (three multiplications), far beyond 1 ms. */
static void timeout_is_an_error(void **state)
{
	(void)state;
	jitk_policy p;
	policy_x86(&p, NULL, 0);
	p.foreign_action = ERR1;
	/* A = fmix32(arg0 lo): x ^= x >> 16; x *= c1; x ^= x >> 13; x *= c2;
	 * x ^= x >> 16 -- then allow one value of it. */
	jitk_filter *f =
		TEST_FILTER({ 0x20, 0, 0, 16 }, { 0x02, 0, 0, 0 }, { 0x74, 0, 0, 16 }, { 0x07, 0, 0, 0 },
			    { 0x60, 0, 0, 0 }, { 0xac, 0, 0, 0 }, { 0x24, 0, 0, 0x85ebca6b },
			    { 0x02, 0, 0, 0 }, { 0x74, 0, 0, 13 }, { 0x07, 0, 0, 0 }, { 0x60, 0, 0, 0 },
			    { 0xac, 0, 0, 0 }, { 0x24, 0, 0, 0xc2b2ae35 }, { 0x02, 0, 0, 0 },
			    { 0x74, 0, 0, 16 }, { 0x07, 0, 0, 0 }, { 0x60, 0, 0, 0 }, { 0xac, 0, 0, 0 },
			    { 0x15, 0, 1, 0x12345678 }, { 0x06, 0, 0, ALLOW }, { 0x06, 0, 0, ERR1 });
	jitk_cex x;
	jitk_diag d;
	jitk_err err = jitk_verify(&p, f, 1, &x, &d);
	if (getenv("VERBOSE"))
		print_message("timeout: %d %s\n", err, d.msg);
	assert_int_equal(err, JITK_E_SOLVER);
	assert_true(d.msg[0] != '\0');
	jitk_filter_free(f);
}

/* Several witnesses, one per (arch, nr), for jitk diff. */
static void equiv_lists_each_syscall(void **state)
{
	(void)state;
	static const int a_nrs[] = { 0, 1, 2 }, b_nrs[] = { 0, 1, 2, 3, 4, 9 };
	static const int a_i386[] = { 3 }, b_i386[] = { 3, 4 };
	struct pol_rule ra = { .action = ALLOW }, rb = { .action = ALLOW };
	set_nrs(&ra, JITK_ARCH_X86_64, a_nrs, 3);
	set_nrs(&rb, JITK_ARCH_X86_64, b_nrs, 6);
	set_nrs(&ra, JITK_ARCH_I386, a_i386, 1);
	set_nrs(&rb, JITK_ARCH_I386, b_i386, 2);
	jitk_policy pa, pb;
	policy_x86(&pa, &ra, 1);
	policy_x86(&pb, &rb, 1);
	pa.arch[JITK_ARCH_I386] = pb.arch[JITK_ARCH_I386] = true;
	jitk_side a = { .policy = &pa }, b = { .policy = &pb };
	jitk_cex x[10];
	size_t n = 99;
	jitk_diag d;
	assert_int_equal(jitk_equiv(a, b, 0, x, 10, &n, &d), JITK_E_DIFFERENT);
	assert_int_equal(n, 4); /* x86_64 3, 4, 9 and i386 4 */
	unsigned seen = 0;
	for (size_t i = 0; i < n; i++) {
		assert_cex_replays(a, b, &x[i]);
		assert_int_equal(x[i].left, ERR1);
		assert_int_equal(x[i].right, ALLOW);
		for (size_t j = 0; j < i; j++)
			assert_false(x[i].in.arch == x[j].in.arch && x[i].in.nr == x[j].in.nr);
		if (x[i].in.arch == X86)
			seen |= 1u << x[i].in.nr;
		else
			seen |= 1u << (16 + x[i].in.nr);
	}
	assert_int_equal(seen, (1u << 3) | (1u << 4) | (1u << 9) | (1u << 20));
	/* maxcex caps the list */
	assert_int_equal(jitk_equiv(a, b, 0, x, 2, &n, &d), JITK_E_DIFFERENT);
	assert_int_equal(n, 2);
	/* a side compared with itself */
	assert_int_equal(jitk_equiv(a, a, 0, x, 10, &n, &d), JITK_OK);
	assert_int_equal(n, 0);
}

/* Different texts, same meaning: proved equal. */
static void equiv_proves_rewrites(void **state)
{
	(void)state;
	/* one rule {0,1,2} vs three rules, and a dead rule after a catch-all */
	static const int r012[] = { 0, 1, 2 }, r0[] = { 0 }, r1[] = { 1 }, r2[] = { 2 };
	struct pol_rule one = { .action = ALLOW };
	set_nrs(&one, JITK_ARCH_X86_64, r012, 3);
	struct pol_rule three[4] = {
		{ .action = ALLOW }, { .action = ALLOW }, { .action = ALLOW }, { .action = KILLP }
	};
	set_nrs(&three[0], JITK_ARCH_X86_64, r0, 1);
	set_nrs(&three[1], JITK_ARCH_X86_64, r1, 1);
	set_nrs(&three[2], JITK_ARCH_X86_64, r2, 1);
	set_nrs(&three[3], JITK_ARCH_X86_64, r1, 1); /* shadowed by rule 1 */
	jitk_policy pa, pb;
	policy_x86(&pa, &one, 1);
	policy_x86(&pb, three, 4);
	jitk_cex x;
	size_t n;
	jitk_diag d;
	assert_int_equal(jitk_equiv((jitk_side){ .policy = &pa }, (jitk_side){ .policy = &pb }, 0, &x, 1,
				    &n, &d),
			 JITK_OK);
	/* filters: a jeq chain vs a range test */
	jitk_filter *f = TEST_FILTER({ 0x20, 0, 0, 0 }, { 0x15, 2, 0, 0 }, { 0x15, 1, 0, 1 },
				     { 0x15, 0, 1, 2 }, { 0x06, 0, 0, ALLOW }, { 0x06, 0, 0, ERR1 });
	jitk_filter *g = TEST_FILTER({ 0x20, 0, 0, 0 }, { 0x35, 1, 0, 3 }, { 0x06, 0, 0, ALLOW },
				     { 0x06, 0, 0, ERR1 });
	assert_int_equal(jitk_equiv((jitk_side){ .filter = f }, (jitk_side){ .filter = g }, 0, &x, 1, &n, &d),
			 JITK_OK);
	jitk_filter_free(g);
	/* off by one: 4 is allowed too */
	g = TEST_FILTER({ 0x20, 0, 0, 0 }, { 0x35, 1, 0, 5 }, { 0x06, 0, 0, ALLOW }, { 0x06, 0, 0, ERR1 });
	assert_int_equal(jitk_equiv((jitk_side){ .filter = f }, (jitk_side){ .filter = g }, 0, &x, 1, &n, &d),
			 JITK_E_DIFFERENT);
	assert_true(x.in.nr == 3 || x.in.nr == 4);
	assert_int_equal(n, 1);
	jitk_filter_free(f);
	jitk_filter_free(g);
}

/* What the compiler emits for these policies verifies (when it exists). */
static void compiled_filters_verify(void **state)
{
	(void)state;
	static const char *texts[] = {
		"{ default_action = Kill; rules = [ { action = Errno EACCES; syscall = SYS_open };"
		"  { action = Allow; syscall = SYS_getpid }; { action = Allow; syscall = SYS_gettimeofday } ] }",
		"{ arch = [x86_64; i386; x32]; default_action = Errno 1; foreign_action = KillThread;"
		"  rules = [ { action = Allow; syscall = ioctl; when = low32(arg1) != 0x5412 };"
		"  { action = Trap 3; syscall = [mmap; mprotect]; when = (arg2 & 4) == 4 && arg0 > 0x10000 || !(arg3 < 7) };"
		"  { action = Allow; syscalls = [read; write; exit_group] } ] }",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		jitk_policy *p = NULL;
		jitk_diag d;
		jitk_err err = jitk_policy_parse(texts[i], strlen(texts[i]), "t.scpl", &p, &d);
		if (err == JITK_E_UNSUPPORTED)
			skip();
		if (err)
			fail_msg("parse: %s", d.msg);
		jitk_compile_opts o = { .no_verify = true };
		jitk_filter *f = NULL;
		err = jitk_compile(p, &o, &f, &d);
		if (err == JITK_E_UNSUPPORTED) {
			jitk_policy_free(p);
			skip();
		}
		assert_int_equal(err, JITK_OK);
		jitk_cex x;
		err = verify(p, f, &x, &d);
		if (err)
			fail_msg("policy %zu: %s", i, d.msg);
		jitk_filter_free(f);
		jitk_policy_free(p);
	}
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proves_correct_filter),
		cmocka_unit_test(finds_generator_bugs),
		cmocka_unit_test(finds_or_for_and),
		cmocka_unit_test(refuses_unchecked_filters),
		cmocka_unit_test(timeout_is_an_error),
		cmocka_unit_test(equiv_lists_each_syscall),
		cmocka_unit_test(equiv_proves_rewrites),
		cmocka_unit_test(compiled_filters_verify),
	};
	/* clang-format on */
	return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
