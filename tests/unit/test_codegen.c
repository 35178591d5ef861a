/*
 * test_codegen.c - the compiled filter means what the policy says.
 *
 * The oracle is the SCPL semantics (jitk_policy_eval, trusted), the filter
 * runs on the reference interpreter (interp_run after jitk_check), and the
 * inputs aim at every boundary the lowering has: each listed syscall number
 * +-1, the x32 bit both ways, negative and huge numbers, foreign arches,
 * and argument values from the policy's constants +-1 with junk in the high
 * words.  Shape checks: the arch is loaded first; every syscall the policy
 * allows unconditionally is a constant ALLOW for the kernel's action cache;
 * far jumps work; too-big programs are refused with their size.
 */
#include "testlib.h"
#include "polgen.h"
#include "kcache.h"
#include "interp.h"
#include "insn.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* Fewer iterations under ASan+UBSan, where everything is ~10x slower. */
static unsigned long scaled(unsigned long n)
{
	n = test_scaled(n);
	if (UNDER_ASAN)
		n = n / 5 ? n / 5 : 1;
	return n;
}

/* The arch is read before anything but nr: on every path from the start,
 * until `ld [4]`, only `ld [0]`, jumps with K and `ret #foreign` (an
 * answer right for every arch) occur.  By default the arch comes first;
 * with arch_at_leaves and one AUDIT_ARCH value codegen reads nr first and
 * checks the arch at the leaves. */
static bool arch_read_first(const jitk_filter *f, uint32_t foreign)
{
	const jitk_insn *v = jitk_filter_insns(f);
	size_t n = jitk_filter_len(f);
	/* the program is a DAG with forward jumps: one pass in order over the
	 * instructions reachable without having read the arch */
	bool *before = calloc(n, sizeof *before);
	assert_non_null(before);
	before[0] = true;
	for (size_t pc = 0; pc < n; pc++) {
		if (!before[pc])
			continue;
		const jitk_insn *i = &v[pc];
		if (i->code == (BPF_LD | BPF_W | BPF_ABS) && i->k == 4)
			continue; /* the arch is read: anything may follow */
		if (i->code == (BPF_LD | BPF_W | BPF_ABS) && i->k == 0) {
			before[pc + 1] = true;
		} else if (i->code == (BPF_RET | BPF_K)) {
			if (i->k != foreign) {
				print_message("insn %zu: ret #0x%x before the arch is read\n", pc, i->k);
				free(before);
				return false;
			}
		} else if (i->code == (BPF_JMP | BPF_JA)) {
			before[pc + 1 + i->k] = true;
		} else if (BPF_CLASS(i->code) == BPF_JMP && BPF_SRC(i->code) == BPF_K) {
			before[pc + 1 + i->jt] = true;
			before[pc + 1 + i->jf] = true;
		} else {
			print_message("insn %zu: opcode 0x%x before the arch is read\n", pc, i->code);
			free(before);
			return false;
		}
	}
	free(before);
	return true;
}

static jitk_filter *compile_ok(const jitk_policy *p, const jitk_compile_opts *o)
{
	jitk_compile_opts dflt = { .no_verify = true };
	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_err err = jitk_compile(p, o ? o : &dflt, &f, &d);
	if (err)
		fail_msg("jitk_compile: %s (%s)", d.msg, jitk_strerror(err));
	assert_non_null(f);
	/* the compiler's own promise, checked independently */
	assert_int_equal(jitk_check(f, &d), JITK_OK);
	/* nothing but the arch decides before the arch is read */
	assert_true(arch_read_first(f, p->foreign_action));
	return f;
}

static uint32_t run(const jitk_filter *f, const struct seccomp_data *in)
{
	jitk_result res;
	interp_run(jitk_filter_insns(f), jitk_filter_len(f), in, &res);
	assert_false(res.unspecified);
	return res.ret;
}

static void expect_same(const jitk_policy *p, const jitk_filter *f, const struct seccomp_data *in,
			uint64_t seed)
{
	uint32_t want = jitk_policy_eval(p, in), got = run(f, in);
	if (want != got)
		fail_msg("seed %llu: arch 0x%x nr 0x%x args %llx %llx %llx %llx %llx %llx: "
			 "policy 0x%x, filter 0x%x",
			 (unsigned long long)seed, in->arch, (uint32_t)in->nr,
			 (unsigned long long)in->args[0], (unsigned long long)in->args[1],
			 (unsigned long long)in->args[2], (unsigned long long)in->args[3],
			 (unsigned long long)in->args[4], (unsigned long long)in->args[5], want, got);
}

/* Compile one policy and compare it with the semantics on its boundary
 * inputs; returns the number of inputs tried. */
static unsigned long differential(const struct polgen *g, rng_t *r, uint64_t seed, int argsets)
{
	jitk_filter *f = compile_ok(&g->p, NULL);
	uint32_t nrs[512];
	size_t nn = polgen_nrs(g, nrs, 512);
	unsigned long count = 0;
	for (size_t a = 0; a < PG_NARCHES; a++)
		for (size_t i = 0; i < nn; i++)
			for (int k = 0; k < argsets; k++) {
				struct seccomp_data in;
				polgen_input(g, r, pg_arches[a], nrs[i], &in);
				expect_same(&g->p, f, &in, seed);
				count++;
			}
	/* The action cache: an unconditional Allow is a constant ALLOW for the
	 * kernel's emulator on the native and compat arch. */
	for (size_t i = 0; i < nn; i++) {
		uint32_t nr = nrs[i];
		jitk_arch abi = nr >= JITK_X32_SYSCALL_BIT ? JITK_ARCH_X32 : JITK_ARCH_X86_64;
		if (policy_const_allow(&g->p, abi, nr) && !kcache_const_allow(f, 0xc000003eu, nr))
			fail_msg("seed %llu: x86_64 nr 0x%x always allowed but not cacheable",
				 (unsigned long long)seed, nr);
		if (policy_const_allow(&g->p, JITK_ARCH_I386, nr) && !kcache_const_allow(f, 0x40000003u, nr))
			fail_msg("seed %llu: i386 nr 0x%x always allowed but not cacheable",
				 (unsigned long long)seed, nr);
	}
	jitk_filter_free(f);
	return count;
}

static void random_policies(void **state)
{
	(void)state;
	uint64_t seed = test_seed(1);
	rng_t r;
	rng_seed(&r, seed);
	unsigned long n = scaled(400), inputs = 0;
	for (unsigned long i = 0; i < n; i++) {
		struct polgen g = { .dense = i % 2 };
		polgen_random(&g, &r);
		inputs += differential(&g, &r, seed, 3);
	}
	print_message("random_policies: %lu policies, %lu inputs, seed %llu\n", n, inputs,
		      (unsigned long long)seed);
}

/* The paper's example, parsed: open is EACCES, getpid allowed, the rest
 * killed; x32 and i386 calls are foreign (killed). */
static void paper_example(void **state)
{
	(void)state;
	static const char text[] = "{ default_action = Kill;\n"
				   "  rules = [\n"
				   "    { action = Errno EACCES; syscall = SYS_open };\n"
				   "    { action = Allow; syscall = SYS_getpid };\n"
				   "    { action = Allow; syscall = SYS_gettimeofday };\n"
				   "  ] }\n";
	jitk_policy *p = NULL;
	jitk_diag d;
	if (jitk_policy_parse(text, sizeof text - 1, "paper.scpl", &p, &d))
		fail_msg("parse: %s", d.msg);
	jitk_filter *f = compile_ok(p, NULL);
	assert_true(jitk_filter_len(f) <= 16);
	struct seccomp_data in = { .arch = 0xc000003eu };
	in.nr = 2; /* open */
	assert_int_equal(run(f, &in), JITK_RET_ERRNO | 13);
	in.nr = 39; /* getpid */
	assert_int_equal(run(f, &in), JITK_RET_ALLOW);
	assert_true(kcache_const_allow(f, in.arch, 39));
	in.nr = 96; /* gettimeofday */
	assert_int_equal(run(f, &in), JITK_RET_ALLOW);
	assert_true(kcache_const_allow(f, in.arch, 96));
	for (int nr = -2; nr < 600; nr++) {
		if (nr == 2 || nr == 39 || nr == 96)
			continue;
		in.nr = nr;
		assert_int_equal(run(f, &in), JITK_RET_KILL_PROCESS);
	}
	in.nr = 0x40000000 | 39; /* x32 getpid: not listed, foreign */
	assert_int_equal(run(f, &in), JITK_RET_KILL_PROCESS);
	in.arch = 0x40000003u;
	in.nr = 20; /* i386 getpid */
	assert_int_equal(run(f, &in), JITK_RET_KILL_PROCESS);
	jitk_filter_free(f);
	jitk_policy_free(p);
}

/* A one-rule policy around one compare: x86_64, default Kill, nr 1. */
struct onecmp {
	jitk_policy p;
	struct pol_rule rule;
	struct pol_cond c;
	int nr;
};

static void onecmp_init(struct onecmp *o, uint8_t arg, bool low32, enum pol_op op, uint64_t mask,
			uint64_t value)
{
	memset(o, 0, sizeof *o);
	o->c = (struct pol_cond){
		.kind = POL_CMP, .arg = arg, .low32 = low32, .op = op, .mask = mask, .value = value
	};
	o->nr = 1;
	o->rule.action = JITK_RET_ALLOW;
	o->rule.cond = &o->c;
	o->rule.nrs[JITK_ARCH_X86_64] = &o->nr;
	o->rule.nnrs[JITK_ARCH_X86_64] = 1;
	o->p.arch[JITK_ARCH_X86_64] = true;
	o->p.default_action = JITK_RET_ERRNO | 1;
	o->p.foreign_action = JITK_RET_KILL_PROCESS;
	o->p.nrules = 1;
	o->p.rules = &o->rule;
}

/* CVE-2019-9893: 64-bit <, <=, >, >= from 32-bit halves.  Every operator
 * against values straddling 2^32 and the word boundaries, each operand
 * also masked, all 64 bits of the input space's corners. */
static void wide_compares_exact(void **state)
{
	(void)state;
	/* clang-format off */
	static const uint64_t pts[] = {
		0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000ull,
		0x100000001ull, 0x1fffffffful, 0x200000000ull, 0xffffffff00000000ull,
		0xffffffff00000001ull, 0xfffffffeffffffffull, 0x7fffffffffffffffull,
		0x8000000000000000ull, ~0ull - 1, ~0ull,
	};
	/* clang-format on */
	static const uint64_t masks[] = { ~0ull, 0xffffffffu, 0xffffffff00000000ull, 0x00000001ffffffffull,
					  0 };
	size_t np = sizeof pts / sizeof *pts;
	for (size_t m = 0; m < sizeof masks / sizeof *masks; m++)
		for (int op = POL_EQ; op <= POL_GE; op++)
			for (size_t v = 0; v < np; v++)
				for (int low32 = 0; low32 < 2; low32++) {
					uint64_t mask = masks[m], value = pts[v];
					if (low32 && ((mask | value) >> 32))
						continue;
					struct onecmp o;
					onecmp_init(&o, 3, low32, (enum pol_op)op, mask, value);
					jitk_filter *f = compile_ok(&o.p, NULL);
					for (size_t x = 0; x < np; x++) {
						struct seccomp_data in = { .nr = 1, .arch = 0xc000003eu };
						in.args[3] = pts[x];
						expect_same(&o.p, f, &in, 0);
						in.args[3] = ~pts[x];
						expect_same(&o.p, f, &in, 0);
					}
					jitk_filter_free(f);
				}
}

/* The TIOCSTI bypass (CVE-2019-7303, CVE-2019-10063): ioctl(fd, TIOCSTI)
 * with junk in the high 32 bits of cmd.  low32(arg1) == TIOCSTI denies it
 * whatever the high bits are; the 64-bit compare does not, as the policy
 * says. */
static void low32_ignores_high_bits(void **state)
{
	(void)state;
	struct onecmp o;
	onecmp_init(&o, 1, true, POL_EQ, 0xffffffffu, 0x5412);
	o.rule.action = JITK_RET_ERRNO | 1; /* EPERM */
	o.p.default_action = JITK_RET_ALLOW;
	jitk_filter *f = compile_ok(&o.p, NULL);
	struct seccomp_data in = { .nr = 1, .arch = 0xc000003eu };
	for (uint64_t hi = 0; hi < 4; hi++) {
		in.args[1] = (hi << 32) | 0x5412;
		assert_int_equal(run(f, &in), JITK_RET_ERRNO | 1);
		in.args[1] = (hi << 32) | 0x5413;
		assert_int_equal(run(f, &in), JITK_RET_ALLOW);
	}
	/* Only the low word is read. */
	const jitk_insn *p = jitk_filter_insns(f);
	for (size_t i = 0; i < jitk_filter_len(f); i++)
		if (p[i].code == (BPF_LD | BPF_W | BPF_ABS))
			assert_true(p[i].k != 20 + 8 * 1);
	jitk_filter_free(f);

	onecmp_init(&o, 1, false, POL_EQ, ~0ull, 0x5412);
	o.rule.action = JITK_RET_ERRNO | 1;
	o.p.default_action = JITK_RET_ALLOW;
	f = compile_ok(&o.p, NULL);
	in.args[1] = (1ull << 32) | 0x5412;
	assert_int_equal(run(f, &in), JITK_RET_ALLOW); /* what the policy says */
	assert_int_equal(jitk_policy_eval(&o.p, &in), JITK_RET_ALLOW);
	jitk_filter_free(f);
}

/* reg64(argN) reads the whole register on every ABI: on i386 too, where
 * every other compare reads the low word only (docs/scpl.md).  A filter
 * that reads only the low word is refused by the proof, with a witness in
 * the high half. */
static void reg64_reads_high_word(void **state)
{
	(void)state;
	struct onecmp o;
	onecmp_init(&o, 0, false, POL_EQ, ~0ull, 5);
	o.c.reg64 = true;
	o.nr = 6; /* close(unsigned int fd) */
	o.rule.action = JITK_RET_ERRNO | 1;
	o.rule.nrs[JITK_ARCH_X86_64] = NULL;
	o.rule.nnrs[JITK_ARCH_X86_64] = 0;
	o.rule.nrs[JITK_ARCH_I386] = &o.nr;
	o.rule.nnrs[JITK_ARCH_I386] = 1;
	o.p.arch[JITK_ARCH_X86_64] = false;
	o.p.arch[JITK_ARCH_I386] = true;
	o.p.default_action = JITK_RET_ALLOW;
	jitk_filter *f = compile_ok(&o.p, NULL);
	struct seccomp_data in = { .nr = 6, .arch = 0x40000003u };
	in.args[0] = 5;
	assert_int_equal(run(f, &in), JITK_RET_ERRNO | 1);
	in.args[0] = 0x1230000000000005ull; /* int $0x80 from a 64-bit task */
	assert_int_equal(run(f, &in), JITK_RET_ALLOW);
	assert_int_equal(jitk_policy_eval(&o.p, &in), JITK_RET_ALLOW);
	bool hi = false;
	const jitk_insn *p = jitk_filter_insns(f);
	for (size_t i = 0; i < jitk_filter_len(f); i++)
		hi |= p[i].code == (BPF_LD | BPF_W | BPF_ABS) && p[i].k == 20;
	assert_true(hi);
	jitk_diag d;
	jitk_cex cex;
	assert_int_equal(jitk_verify(&o.p, f, 0, &cex, &d), JITK_OK);
	jitk_filter_free(f);
	/* The low word alone is the wrong filter for it. */
	const char *lo = "ld [4]\njeq #AUDIT_ARCH_I386, n, k\nn: ld [0]\njeq #6, a, ok\n"
			 "a: ld [16]\njeq #5, e, ok\ne: ret #RET_ERRNO|#1\nok: ret #RET_ALLOW\n"
			 "k: ret #RET_KILL_PROCESS\n";
	assert_int_equal(jitk_asm(lo, strlen(lo), "lo.s", &f, &d), JITK_OK);
	assert_int_equal(jitk_verify(&o.p, f, 0, &cex, &d), JITK_E_DIFFERENT);
	assert_int_equal(cex.in.nr, 6);
	assert_int_equal((uint32_t)cex.in.args[0], 5);
	assert_true(cex.in.args[0] >> 32 != 0);
	assert_int_equal(cex.right, JITK_RET_ERRNO | 1);
	assert_int_equal(cex.left, JITK_RET_ALLOW);
	jitk_filter_free(f);
	/* Without reg64 the same policy reads the low word, and that filter
	 * is the right one. */
	o.c.reg64 = false;
	assert_int_equal(jitk_asm(lo, strlen(lo), "lo.s", &f, &d), JITK_OK);
	assert_int_equal(jitk_verify(&o.p, f, 0, &cex, &d), JITK_OK);
	jitk_filter_free(f);
}

/* Many numbers with distinct conditional decisions: the search tree's
 * jumps span more than 255 instructions and need trampolines. */
struct bigpol {
	jitk_policy p;
	struct pol_rule *rules;
	struct pol_cond *conds;
	int *nrs;
};

static void bigpol_init(struct bigpol *b, size_t n, bool with_cond)
{
	memset(b, 0, sizeof *b);
	b->rules = calloc(n, sizeof *b->rules);
	b->conds = calloc(n, sizeof *b->conds);
	b->nrs = calloc(n, sizeof *b->nrs);
	assert_non_null(b->rules);
	assert_non_null(b->conds);
	assert_non_null(b->nrs);
	for (size_t i = 0; i < n; i++) {
		b->nrs[i] = (int)i;
		b->conds[i] = (struct pol_cond){
			.kind = POL_CMP, .arg = (uint8_t)(i % 6), .op = POL_EQ, .mask = ~0ull, .value = i
		};
		b->rules[i].action = JITK_RET_ERRNO | (uint32_t)(1 + i % 4000);
		b->rules[i].cond = with_cond ? &b->conds[i] : NULL;
		b->rules[i].nrs[JITK_ARCH_X86_64] = &b->nrs[i];
		b->rules[i].nnrs[JITK_ARCH_X86_64] = 1;
	}
	b->p.arch[JITK_ARCH_X86_64] = true;
	b->p.default_action = JITK_RET_KILL_PROCESS;
	b->p.foreign_action = JITK_RET_KILL_PROCESS;
	b->p.nrules = n;
	b->p.rules = b->rules;
}

static void bigpol_free(struct bigpol *b)
{
	free(b->rules);
	free(b->conds);
	free(b->nrs);
}

static void far_jumps(void **state)
{
	(void)state;
	struct bigpol b;
	bigpol_init(&b, 300, true);
	jitk_filter *f = compile_ok(&b.p, NULL);
	size_t len = jitk_filter_len(f);
	assert_true(len > 600);
	assert_true(len <= JITK_MAXINSNS);
	size_t ja = 0;
	const jitk_insn *p = jitk_filter_insns(f);
	for (size_t i = 0; i < len; i++)
		ja += p[i].code == (BPF_JMP | BPF_JA);
	assert_true(ja > 0);
	rng_t r;
	rng_seed(&r, 3);
	for (int nr = -1; nr < 310; nr++)
		for (int k = 0; k < 4; k++) {
			struct seccomp_data in = { .nr = nr, .arch = 0xc000003eu };
			for (int a = 0; a < 6; a++)
				in.args[a] = k == 0   ? (uint64_t)nr
					     : k == 1 ? (uint64_t)nr + 1
						      : rng_u64(&r);
			expect_same(&b.p, f, &in, 3);
		}
	jitk_filter_free(f);
	bigpol_free(&b);
}

static void too_big_is_refused(void **state)
{
	(void)state;
	struct bigpol b;
	bigpol_init(&b, 1500, true);
	jitk_filter *f = (jitk_filter *)1;
	jitk_diag d;
	jitk_compile_opts o = { .no_verify = true };
	assert_int_equal(jitk_compile(&b.p, &o, &f, &d), JITK_E_TOO_BIG);
	assert_null(f);
	assert_int_equal(d.err, JITK_E_TOO_BIG);
	assert_non_null(strstr(d.msg, "instructions"));
	assert_non_null(strstr(d.msg, "4096"));
	assert_true(d.hint[0] != '\0');
	bigpol_free(&b);

	/* Without conditions: one distinct action per number, also too big. */
	bigpol_init(&b, 3000, false);
	assert_int_equal(jitk_compile(&b.p, &o, &f, &d), JITK_E_TOO_BIG);
	bigpol_free(&b);

	/* ... while the same numbers sharing one action fit easily. */
	bigpol_init(&b, 3000, false);
	for (size_t i = 0; i < 3000; i++)
		b.rules[i].action = JITK_RET_ERRNO | 1;
	f = compile_ok(&b.p, &o);
	assert_true(jitk_filter_len(f) < 16);
	jitk_filter_free(f);
	bigpol_free(&b);
}

/* x32 calls never reach x86_64 rules: with only x86_64 listed, every nr
 * with the x32 bit is foreign; with only x32 listed, every nr without it. */
static void x32_split(void **state)
{
	(void)state;
	for (int which = 0; which < 3; which++) {
		struct onecmp o;
		onecmp_init(&o, 0, false, POL_EQ, 0, 0); /* (arg0 & 0) == 0: always */
		o.rule.cond = NULL;
		static int nr64[] = { 1 }, nr32[] = { 0x40000001 };
		o.p.arch[JITK_ARCH_X86_64] = which != 1;
		o.p.arch[JITK_ARCH_X32] = which != 0;
		o.rule.nrs[JITK_ARCH_X32] = nr32;
		o.rule.nnrs[JITK_ARCH_X32] = 1;
		o.rule.nrs[JITK_ARCH_X86_64] = nr64;
		o.rule.nnrs[JITK_ARCH_X86_64] = 1;
		o.p.default_action = JITK_RET_ERRNO | 2;
		o.p.foreign_action = JITK_RET_TRAP | 9;
		jitk_filter *f = compile_ok(&o.p, NULL);
		static const uint32_t nrs[] = { 0,          1,          2,          0x40000000, 0x40000001,
						0x40000002, 0x80000001, 0xc0000001, 0xffffffff, 0x3fffffff };
		for (size_t i = 0; i < sizeof nrs / sizeof *nrs; i++) {
			struct seccomp_data in = { .nr = (int)nrs[i], .arch = 0xc000003eu };
			bool x32 = nrs[i] >= JITK_X32_SYSCALL_BIT;
			uint32_t got = run(f, &in);
			if ((x32 && which == 0) || (!x32 && which == 1))
				assert_int_equal(got, JITK_RET_TRAP | 9);
			expect_same(&o.p, f, &in, 0);
		}
		jitk_filter_free(f);
	}
}

/* Weights shape the tree (a heavy syscall is decided in fewer steps) and
 * never change the meaning. */
static void weights_shape_tree(void **state)
{
	(void)state;
	struct bigpol b;
	bigpol_init(&b, 200, false);
	for (size_t i = 0; i < 200; i++)
		b.rules[i].action = (i % 2) ? JITK_RET_ALLOW : JITK_RET_ERRNO | 1;
	double w[200] = { 0 };
	w[0] = 1000;
	jitk_compile_opts plain = { .no_verify = true };
	jitk_compile_opts weighted = { .no_verify = true, .weights = w, .nweights = 200 };
	jitk_filter *f = compile_ok(&b.p, &plain);
	jitk_filter *g = compile_ok(&b.p, &weighted);
	struct seccomp_data in = { .nr = 0, .arch = 0xc000003eu };
	jitk_result rf, rg;
	interp_run(jitk_filter_insns(f), jitk_filter_len(f), &in, &rf);
	interp_run(jitk_filter_insns(g), jitk_filter_len(g), &in, &rg);
	assert_true(rg.steps < rf.steps);
	for (int nr = -1; nr < 210; nr++) {
		in.nr = nr;
		expect_same(&b.p, g, &in, 0);
	}
	jitk_filter_free(f);
	jitk_filter_free(g);
	bigpol_free(&b);
}

/* The accumulator is not reloaded when it already holds the word, so the
 * state claimed on every exit of &&, ||, ! and each compare shape must be
 * exact.  Chains of cases over two arguments whose compares share words,
 * in every connective shape, against every interesting argument pair. */
static void accumulator_tracking(void **state)
{
	(void)state;
	static const struct {
		bool low32;
		enum pol_op op;
		uint64_t mask, value;
	} kinds[] = {
		{ true, POL_EQ, 0xffffffffu, 1 },
		{ false, POL_EQ, ~0ull, 1 },
		{ false, POL_GE, ~0ull, 0x100000000ull }, /* low half always true */
		{ false, POL_GT, ~0ull, 0x1ffffffffull }, /* low half never true */
		{ false, POL_EQ, 0xff, 1 },               /* high half not read */
		{ true, POL_GT, 0xffffffffu, 1 },
		{ false, POL_LT, 0xffffffff000000ffull, 0x100000002ull },
		{ true, POL_GE, 0xffffffffu, 0 },            /* always true, reads nothing */
		{ false, POL_EQ, 0xffffffff00000000ull, 0 }, /* low half not read */
		{ false, POL_EQ, 0x3, 0 },                   /* flag tests: jset */
		{ true, POL_NE, 0x40, 0 },
		{ false, POL_EQ, 0xff000000ffull, 0 },
		{ true, POL_EQ, 0x1, 0 },
		{ true, POL_EQ, 0x100, 0 }, /* bits outside an earlier and */
	};
	static const uint64_t vals[] = {
		0, 1, 2, 0x100000000ull, 0x100000001ull, 0x1ffffffffull, 0xdead000000000001ull, ~0ull
	};
	enum { NK = sizeof kinds / sizeof *kinds, NV = sizeof vals / sizeof *vals };
	rng_t r;
	rng_seed(&r, test_seed(5));
	unsigned long n = scaled(3000);
	for (unsigned long it = 0; it < n; it++) {
		struct pol_cond c[8];
		memset(c, 0, sizeof c);
		for (int i = 0; i < 4; i++) {
			unsigned k = rng_below(&r, NK);
			c[i] = (struct pol_cond){ .kind = POL_CMP,
						  .arg = (uint8_t)rng_below(&r, 2),
						  .low32 = kinds[k].low32,
						  .op = kinds[k].op,
						  .mask = kinds[k].mask,
						  .value = kinds[k].value };
		}
		/* c[4] = shape(c[0], c[1]); c[5], c[6] helpers for the NOT shapes */
		unsigned shape = rng_below(&r, 6);
		c[5] = (struct pol_cond){ .kind = POL_NOT, .l = &c[0] };
		c[6] = (struct pol_cond){ .kind = POL_NOT, .l = &c[1] };
		c[7] = (struct pol_cond){ .kind = shape % 2 ? POL_OR : POL_AND, .l = &c[0], .r = &c[1] };
		switch (shape) {
		case 0:
		case 1: c[4] = c[7]; break;
		case 2:
		case 3: c[4] = (struct pol_cond){ .kind = POL_NOT, .l = &c[7] }; break;
		case 4: c[4] = (struct pol_cond){ .kind = POL_AND, .l = &c[5], .r = &c[1] }; break;
		default: c[4] = (struct pol_cond){ .kind = POL_OR, .l = &c[0], .r = &c[6] }; break;
		}
		static int one[] = { 1 };
		struct pol_rule rules[3];
		memset(rules, 0, sizeof rules);
		const struct pol_cond *rc[3] = { &c[4], &c[2], &c[3] };
		for (int i = 0; i < 3; i++) {
			rules[i].action = JITK_RET_ERRNO | (uint32_t)(i + 1);
			rules[i].cond = rc[i];
			rules[i].nrs[JITK_ARCH_X86_64] = one;
			rules[i].nnrs[JITK_ARCH_X86_64] = 1;
		}
		jitk_policy p = { .default_action = JITK_RET_ERRNO | 9,
				  .foreign_action = JITK_RET_KILL_PROCESS,
				  .nrules = 3,
				  .rules = rules };
		p.arch[JITK_ARCH_X86_64] = true;
		jitk_filter *f = compile_ok(&p, NULL);
		for (int a = 0; a < NV; a++)
			for (int b = 0; b < NV; b++) {
				struct seccomp_data in = { .nr = 1, .arch = 0xc000003eu };
				in.args[0] = vals[a];
				in.args[1] = vals[b];
				expect_same(&p, f, &in, it);
			}
		jitk_filter_free(f);
	}
}

/* A few random policies through the whole pipeline with the Z3 proof. */
static void verified_compiles(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(11));
	jitk_compile_opts o = { .no_verify = false };
	unsigned long n = scaled(10);
	for (unsigned long i = 0; i < n; i++) {
		struct polgen g = { 0 };
		polgen_random(&g, &r);
		jitk_filter *f = compile_ok(&g.p, &o);
		jitk_filter_free(f);
	}
}

static void refuses_bad_arguments(void **state)
{
	(void)state;
	jitk_filter *f = NULL;
	jitk_diag d;
	assert_int_equal(jitk_compile(NULL, NULL, &f, &d), JITK_E_INVAL);
	assert_int_equal(d.err, JITK_E_INVAL);
	struct onecmp o;
	onecmp_init(&o, 0, false, POL_EQ, ~0ull, 0);
	assert_int_equal(jitk_compile(&o.p, NULL, NULL, NULL), JITK_E_INVAL);
	assert_int_equal(codegen(NULL, NULL, &f, NULL), JITK_E_INVAL);
}

/* ------------------------------------------- optimisations (perf) */

static jitk_policy *parse_text(const char *text)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	if (jitk_policy_parse(text, strlen(text), "perf.scpl", &p, &d))
		fail_msg("parse: %s", d.msg);
	return p;
}

static uint32_t steps_of(const jitk_filter *f, const struct seccomp_data *in)
{
	jitk_result res;
	interp_run(jitk_filter_insns(f), jitk_filter_len(f), in, &res);
	return res.steps;
}

/* The tree is shaped by leaf cost: the big default gap above the listed
 * numbers (most of the syscall table) is decided right after the prologue,
 * and when the default equals the foreign action the x32 guard merges into
 * that gap (no jump on 0x40000000 at all). */
static void tree_shaped_by_leaf_cost(void **state)
{
	(void)state;
	jitk_policy *p = parse_text("{ default_action = Kill;\n"
				    "  rules = [ { action = Errno EACCES; syscall = open };\n"
				    "            { action = Allow; syscall = [getpid; gettimeofday] } ] }\n");
	jitk_filter *f = compile_ok(p, NULL);
	const jitk_insn *v = jitk_filter_insns(f);
	for (size_t i = 0; i < jitk_filter_len(f); i++)
		assert_false(BPF_CLASS(v[i].code) == BPF_JMP && BPF_OP(v[i].code) != BPF_JA &&
			     v[i].k == JITK_X32_SYSCALL_BIT);
	struct seccomp_data in = { .arch = 0xc000003eu };
	/* ld arch, jeq, ld nr, one split, ret */
	for (uint32_t nr = 97; nr < 600; nr += 7) {
		in.nr = (int)nr;
		assert_true(steps_of(f, &in) <= 5);
		expect_same(p, f, &in, 0);
	}
	static const uint32_t x32[] = { 0x40000000, 0x40000027, 0x7fffffff, 0x80000000, 0xffffffff };
	for (size_t i = 0; i < sizeof x32 / sizeof *x32; i++) {
		in.nr = (int)x32[i];
		assert_true(steps_of(f, &in) <= 5);
		assert_int_equal(run(f, &in), JITK_RET_KILL_PROCESS);
	}
	jitk_filter_free(f);
	jitk_policy_free(p);

	/* default != foreign: the guard is a split of the same tree, and
	 * every number at or above it is foreign */
	p = parse_text("{ default_action = Errno EPERM; foreign_action = Trap;\n"
		       "  rules = [ { action = Allow; syscall = [read; write; getpid] } ] }\n");
	f = compile_ok(p, NULL);
	for (size_t i = 0; i < sizeof x32 / sizeof *x32; i++) {
		in.nr = (int)x32[i];
		assert_int_equal(run(f, &in), JITK_RET_TRAP);
	}
	in.nr = 0x3fffffff;
	assert_int_equal(run(f, &in), JITK_RET_ERRNO | 1);
	jitk_filter_free(f);
	jitk_policy_free(p);
}

/* A policy whose rules for one syscall share a first test: 24 rules
 * `low32(arg0) == AT_FDCWD && arg1 == K_i` (Tor's openat).  When the shared
 * test fails, no rule of the run is tried again; the meaning is the
 * policy's on both sides of every constant, the high word included. */
static void shared_first_test_factored(void **state)
{
	(void)state;
	enum { N = 24 };
	char text[8192];
	size_t off = (size_t)snprintf(text, sizeof text, "{ default_action = Errno EPERM; rules = [\n");
	for (int i = 0; i < N; i++)
		off += (size_t)snprintf(
			text + off, sizeof text - off,
			"{ action = %s; syscall = openat; when = low32(arg0) == 0xffffff9c && arg1 == 0x7f5a014%05x };\n",
			i == N / 2 ? "Errno EACCES" : "Allow", 0x100 + 0x37 * i);
	snprintf(text + off, sizeof text - off,
		 "{ action = Allow; syscall = openat; when = arg2 == 1 } ] }\n");
	jitk_policy *p = parse_text(text);
	jitk_filter *f = compile_ok(p, NULL);
	struct seccomp_data in = { .arch = 0xc000003eu, .nr = 257 };
	in.args[0] = 3; /* not AT_FDCWD: one test decides the whole run */
	assert_true(steps_of(f, &in) <= 14);
	assert_int_equal(run(f, &in), JITK_RET_ERRNO | 1);
	static const uint64_t a0[] = { 3, 0xffffff9c, 0xffffffffffffff9cull, 0x1ffffff9cull };
	for (size_t i = 0; i < sizeof a0 / sizeof *a0; i++)
		for (int k = 0; k < N; k++)
			for (int d = -1; d <= 1; d++)
				for (uint64_t a2 = 0; a2 <= 1; a2++) {
					in.args[0] = a0[i];
					in.args[1] = 0x7f5a01400000ull + 0x100 + 0x37 * (uint64_t)k +
						     (uint64_t)d;
					in.args[2] = a2;
					expect_same(p, f, &in, 0);
					in.args[1] ^= 0x100000000ull; /* junk in the high word */
					expect_same(p, f, &in, 0);
				}
	jitk_filter_free(f);
	jitk_policy_free(p);
}

/* A chain of 64-bit equalities on one argument reads the low word first and
 * keeps it in A: one jump per rule that does not match (Tor's rt_sigaction),
 * and a matching low word with a wrong high word still fails. */
static void equality_chain_low_word_first(void **state)
{
	(void)state;
	enum { N = 20 };
	char text[4096];
	size_t off = (size_t)snprintf(text, sizeof text, "{ default_action = Kill; rules = [\n");
	for (int i = 0; i < N; i++)
		off += (size_t)snprintf(text + off, sizeof text - off,
					"{ action = Allow; syscall = rt_sigaction; when = arg0 == %d };\n",
					3 * i + 1);
	snprintf(text + off, sizeof text - off, "] }\n");
	jitk_policy *p = parse_text(text);
	jitk_filter *f = compile_ok(p, NULL);
	struct seccomp_data in = { .arch = 0xc000003eu, .nr = 13 };
	in.args[0] = 1000; /* matches nothing: N jumps plus one load */
	assert_true(steps_of(f, &in) <= N + 8);
	assert_int_equal(run(f, &in), JITK_RET_KILL_PROCESS);
	for (int v = 0; v < 3 * N + 2; v++)
		for (uint64_t hi = 0; hi <= 2; hi++) {
			in.args[0] = (hi << 32) | (uint64_t)v;
			expect_same(p, f, &in, 0);
		}
	jitk_filter_free(f);
	jitk_policy_free(p);
}

/* A switch on one argument's values: Tor's rename rules `arg0 == A_i &&
 * arg1 == B_i` (some A_i repeated, one high word) and rt_sigaction's
 * `arg0 == K_i` are searched on the constants, not tried one by one. */
static void switch_on_argument_values(void **state)
{
	(void)state;
	enum { N = 24 };
	char text[16384];
	size_t off = (size_t)snprintf(text, sizeof text, "{ default_action = Errno EPERM; rules = [\n");
	for (int i = 0; i < N; i++) {
		off += (size_t)snprintf(
			text + off, sizeof text - off,
			"{ action = %s; syscall = rename; when = arg0 == 0x7f5a014%05x && arg1 == 0x7f5a014%05x };\n",
			i % 5 == 2 ? "Errno EACCES" : "Allow", 0x100 + 0x40 * (i / 2), 0x900 + 0x11 * i);
		off += (size_t)snprintf(text + off, sizeof text - off,
					"{ action = Allow; syscall = rt_sigaction; when = arg0 == %d };\n",
					3 * i + 1);
	}
	snprintf(text + off, sizeof text - off,
		 "{ action = Trap; syscall = rename; when = arg2 == 1 } ] }\n");
	jitk_policy *p = parse_text(text);
	jitk_filter *f = compile_ok(p, NULL);
	struct seccomp_data in = { .arch = 0xc000003eu, .nr = 13 };
	/* rt_sigaction: about log2(N) + 2 jumps whatever the value */
	for (int v = 0; v < 3 * N + 2; v++)
		for (uint64_t hi = 0; hi <= 2; hi++) {
			in.args[0] = (hi << 32) | (uint64_t)v;
			assert_true(steps_of(f, &in) <= 16);
			expect_same(p, f, &in, 0);
		}
	/* rename: the last rule (arg2) stays reachable, each pair is found in
	 * logarithmic steps, and every neighbour is refused */
	in.nr = 82;
	for (int i = 0; i < N; i++)
		for (int d0 = -1; d0 <= 1; d0++)
			for (int d1 = -1; d1 <= 1; d1++)
				for (uint64_t a2 = 0; a2 <= 1; a2++) {
					in.args[0] = 0x7f5a01400000ull + 0x100 + 0x40 * (uint64_t)(i / 2) +
						     (uint64_t)d0;
					in.args[1] = 0x7f5a01400000ull + 0x900 + 0x11 * (uint64_t)i +
						     (uint64_t)d1;
					in.args[2] = a2;
					assert_true(steps_of(f, &in) <= 26);
					expect_same(p, f, &in, 0);
					in.args[0] ^= 0x100000000ull; /* junk in a high word */
					expect_same(p, f, &in, 0);
				}
	jitk_filter_free(f);
	jitk_policy_free(p);
}

/* Random policies made of switch material: many rules on two syscalls,
 * each an equality on one of two arguments (whole, masked or low32; some
 * constants repeated, some impossible under their mask, high words shared
 * or not) and maybe a second compare, on x86_64 and i386 (32-bit
 * arguments: high words never read).  The filter agrees with the
 * semantics on the constants +-1, with junk high words. */
static void switch_random(void **state)
{
	(void)state;
	uint64_t seed = test_seed(7);
	rng_t r;
	rng_seed(&r, seed);
	static const char *const acts[] = { "Allow", "Allow", "Errno EPERM", "Trap", "Kill" };
	static const char *const ops[] = { "==", "!=", "<", ">=" };
	unsigned long n = scaled(60), inputs = 0;
	for (unsigned long it = 0; it < n; it++) {
		uint64_t pool[12];
		for (size_t i = 0; i < 12; i++) {
			uint64_t hi = rng_below(&r, 3) ? 0x7f5a : rng_below(&r, 3);
			pool[i] = (hi << 32) | (rng_below(&r, 2) ? rng_below(&r, 40) : rng_u32(&r));
		}
		char text[32768];
		size_t off = (size_t)snprintf(
			text, sizeof text,
			"{ arch = [x86_64; aarch64]; default_action = Errno EPERM; rules = [\n");
		/* mmap and munmap: unsigned long addr, len on both ABIs, so every
		 * compare reads all 64 bits (docs/scpl.md "Argument widths") */
		unsigned nrules = 4 + rng_below(&r, 40);
		for (unsigned i = 0; i < nrules; i++) {
			unsigned a = rng_below(&r, 2);
			uint64_t v = pool[rng_below(&r, 12)];
			char lhs[64];
			switch (rng_below(&r, 4)) {
			case 0: snprintf(lhs, sizeof lhs, "(arg%u & 0xffff00ff000000ff)", a); break;
			case 1:
				snprintf(lhs, sizeof lhs, "low32(arg%u)", a);
				v &= 0xffffffffu;
				break;
			default: snprintf(lhs, sizeof lhs, "arg%u", a); break;
			}
			off += (size_t)snprintf(text + off, sizeof text - off,
						"{ action = %s; syscall = %s; when = %s == 0x%llx",
						acts[rng_below(&r, 5)], rng_below(&r, 4) ? "mmap" : "munmap",
						lhs, (unsigned long long)v);
			if (rng_below(&r, 2))
				off += (size_t)snprintf(text + off, sizeof text - off,
							" && arg%u %s 0x%llx", 1 - a, ops[rng_below(&r, 4)],
							(unsigned long long)pool[rng_below(&r, 12)]);
			off += (size_t)snprintf(text + off, sizeof text - off, " };\n");
		}
		snprintf(text + off, sizeof text - off, "] }\n");
		jitk_policy *p = parse_text(text);
		jitk_filter *f = compile_ok(p, NULL);
		static const uint32_t arches[] = { 0xc000003eu, 0xc00000b7u };
		static const uint32_t nrs[] = { 9, 11, 222, 215 }; /* mmap, munmap (x86_64, aarch64) */
		for (size_t ai = 0; ai < 2; ai++)
			for (size_t ni = 0; ni < 4; ni++)
				for (int k = 0; k < 40; k++) {
					struct seccomp_data in = { .arch = arches[ai], .nr = (int)nrs[ni] };
					for (int x = 0; x < 2; x++) {
						uint64_t c = pool[rng_below(&r, 12)];
						switch (rng_below(&r, 5)) {
						case 0: c += 1; break;
						case 1: c -= 1; break;
						case 2: c ^= (uint64_t)rng_u32(&r) << 32; break;
						case 3:
							c = (c & ~0xff00ull) | (rng_below(&r, 256) << 8);
							break;
						default: break;
						}
						in.args[x] = c;
					}
					expect_same(p, f, &in, seed);
					inputs++;
				}
		if (it < 3) { /* and a few proofs */
			jitk_filter *g = NULL;
			jitk_diag d;
			if (jitk_compile(p, NULL, &g, &d))
				fail_msg("seed %llu: %s", (unsigned long long)seed, d.msg);
			jitk_filter_free(g);
		}
		jitk_filter_free(f);
		jitk_policy_free(p);
	}
	print_message("switch_random: %lu policies, %lu inputs, seed %llu\n", n, inputs,
		      (unsigned long long)seed);
}

/* With arch_at_leaves and one AUDIT_ARCH value nr is read first and the
 * arch checked at the leaves: a number in a default gap is refused in `ld [0]; jumps; ret`
 * when the default is the foreign action, every other answer waits for the
 * arch.  arch_read_first (used by compile_ok) refuses programs that decide
 * or read an argument before the arch. */
static void nr_first_arch_at_leaves(void **state)
{
	(void)state;
	jitk_policy *p =
		parse_text("{ default_action = Kill; foreign_action = Kill;\n"
			   "  rules = [ { action = Allow; syscall = [read; write; getpid] };\n"
			   "            { action = Errno EPERM; syscall = openat; when = arg2 == 1 } ] }\n");
	jitk_compile_opts leaves = { .arch_at_leaves = true };
	jitk_filter *f = compile_ok(p, &leaves);
	assert_int_equal(jitk_filter_insns(f)[0].k, 0); /* ld [0] */
	/* Without the option the same policy starts with the arch check. */
	jitk_filter *g = compile_ok(p, NULL);
	assert_int_equal(jitk_filter_insns(g)[0].code, BPF_LD | BPF_W | BPF_ABS);
	assert_int_equal(jitk_filter_insns(g)[0].k, 4); /* ld [4] */
	jitk_filter_free(g);
	static const uint32_t arches[] = { 0xc000003eu, 0x40000003u, 0xc00000b7u, 0 };
	for (size_t a = 0; a < 4; a++)
		for (uint32_t nr = 0; nr < 600; nr++) {
			struct seccomp_data in = { .arch = arches[a], .nr = (int)nr };
			in.args[2] = nr & 1;
			expect_same(p, f, &in, 0);
			if (nr > 300) /* the default gap: 1 load, at most 2 jumps, ret */
				assert_true(steps_of(f, &in) <= 4);
		}
	jitk_filter_free(f);
	jitk_policy_free(p);

	/* wrong programs are refused: an answer other than the foreign one,
	 * or an argument read, before the arch */
	static const jitk_insn bad1[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 39 },
		{ BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW },
		{ BPF_RET | BPF_K, 0, 0, JITK_RET_KILL_PROCESS },
	};
	static const jitk_insn bad2[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 16 },
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 },
		{ BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW },
	};
	static const jitk_insn good[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 39 },
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 },
		{ BPF_RET | BPF_K, 0, 0, JITK_RET_KILL_PROCESS },
	};
	jitk_filter *b = NULL;
	assert_int_equal(jitk_filter_new(bad1, 4, &b), JITK_OK);
	assert_false(arch_read_first(b, JITK_RET_KILL_PROCESS));
	assert_true(arch_read_first(b, JITK_RET_ALLOW) == false);
	jitk_filter_free(b);
	assert_int_equal(jitk_filter_new(bad2, 3, &b), JITK_OK);
	assert_false(arch_read_first(b, JITK_RET_ALLOW));
	jitk_filter_free(b);
	assert_int_equal(jitk_filter_new(good, 4, &b), JITK_OK);
	assert_true(arch_read_first(b, JITK_RET_KILL_PROCESS));
	jitk_filter_free(b);
}

/* Steps over every x86_64 table number (args 0): median and max. */
static void table_steps(const jitk_filter *f, double *median, uint32_t *max)
{
	uint32_t st[1024];
	size_t n = 0;
	int nr;
	for (size_t i = 0; n < 1024 && jitk_syscall_at(JITK_ARCH_X86_64, i, NULL, &nr); i++) {
		struct seccomp_data in = { .arch = 0xc000003eu, .nr = nr };
		st[n++] = steps_of(f, &in);
	}
	if (n == 0) {
		fail_msg("no x86_64 syscall table");
		return;
	}
	for (size_t i = 1; i < n; i++) /* insertion sort */
		for (size_t j = i; j > 0 && st[j - 1] > st[j]; j--) {
			uint32_t t = st[j];
			st[j] = st[j - 1];
			st[j - 1] = t;
		}
	*median = n % 2 ? st[n / 2] : (st[n / 2 - 1] + st[n / 2]) / 2.0;
	*max = st[n - 1];
}

/* Without a trace the tree is shaped for the median over the table: more
 * than half of the known syscalls are decided within the smallest budget
 * possible.  A scattered policy (every third number allowed, a few with
 * argument checks, default != foreign) against the mean-optimal tree that
 * uniform weights give: a lower median, a bounded max, and the proof. */
static void tree_shaped_for_median(void **state)
{
	(void)state;
	char text[8192];
	size_t off = (size_t)snprintf(text, sizeof text,
				      "{ default_action = Errno EPERM; foreign_action = Kill; rules = [\n");
	for (int nr = 1; nr < 330; nr += 3)
		off += (size_t)snprintf(text + off, sizeof text - off,
					"{ action = Allow; syscall = %d%s };\n", nr,
					nr % 7 == 0 ? "; when = arg0 == 5" : "");
	snprintf(text + off, sizeof text - off, "] }\n");
	jitk_policy *p = parse_text(text);
	jitk_filter *f = compile_ok(p, NULL);
	double weights[512];
	for (size_t i = 0; i < 512; i++)
		weights[i] = jitk_syscall_name(JITK_ARCH_X86_64, (int)i) ? 1 : 0;
	jitk_compile_opts o = { .no_verify = true, .weights = weights, .nweights = 512 };
	jitk_filter *mean = compile_ok(p, &o);
	double med, med_mean;
	uint32_t max, max_mean;
	table_steps(f, &med, &max);
	table_steps(mean, &med_mean, &max_mean);
	print_message("median tree: median %.1f max %u; mean tree: median %.1f max %u\n", med, max,
		      med_mean, max_mean);
	assert_true(med < med_mean);
	assert_true(med <= 11); /* 220 segments: 3 + 7 jumps + ret */
	assert_true(max <= max_mean + 3);
	for (uint32_t nr = 0; nr < 400; nr++)
		for (uint64_t a0 = 4; a0 <= 6; a0++) {
			struct seccomp_data in = { .arch = 0xc000003eu, .nr = (int)nr };
			in.args[0] = a0;
			expect_same(p, f, &in, 0);
		}
	jitk_filter *proved = NULL;
	jitk_diag d;
	if (jitk_compile(p, NULL, &proved, &d))
		fail_msg("%s", d.msg);
	jitk_filter_free(proved);
	jitk_filter_free(mean);
	jitk_filter_free(f);
	jitk_policy_free(p);
}

/* The `ja`s run from the start to the first `ret` or argument load, on
 * (arch, nr): the search's own trampolines. */
static unsigned tree_ja_count(const jitk_filter *f, uint32_t arch, uint32_t nr)
{
	const jitk_insn *v = jitk_filter_insns(f);
	uint32_t a = 0;
	unsigned ja = 0;
	for (size_t pc = 0; pc < jitk_filter_len(f); pc++) {
		const jitk_insn *i = &v[pc];
		if (i->code == (BPF_LD | BPF_W | BPF_ABS) && (i->k == 0 || i->k == 4)) {
			a = i->k ? arch : nr;
		} else if (i->code == (BPF_JMP | BPF_JA)) {
			pc += i->k;
			ja++;
		} else if (BPF_CLASS(i->code) == BPF_JMP && BPF_SRC(i->code) == BPF_K &&
			   BPF_OP(i->code) != BPF_JSET) {
			bool t = BPF_OP(i->code) == BPF_JEQ   ? a == i->k
				 : BPF_OP(i->code) == BPF_JGE ? a >= i->k
							      : a > i->k;
			pc += t ? i->jt : i->jf;
		} else {
			break; /* a ret, or the decision's code */
		}
	}
	return ja;
}

/* A decision bigger than a jump can span (Tor's openat) is placed out of
 * the tree: the numbers around it are decided without `ja` trampolines. */
static void big_decisions_out_of_line(void **state)
{
	(void)state;
	char text[32768];
	size_t off = (size_t)snprintf(
		text, sizeof text,
		"{ default_action = Errno EPERM; foreign_action = Kill; rules = [\n"
		"{ action = Allow; syscall = [read; write; close; mmap; brk; getpid; exit_group] };\n");
	for (int i = 0; i < 150; i++)
		off += (size_t)snprintf(text + off, sizeof text - off,
					"{ action = Allow; syscall = %s; when = arg1 > %d && arg2 < %d };\n",
					i % 2 ? "openat" : "ioctl", 1000 * i, 1000 * i + 7);
	snprintf(text + off, sizeof text - off, "] }\n");
	jitk_policy *p = parse_text(text);
	jitk_filter *f = compile_ok(p, NULL);
	assert_true(jitk_filter_len(f) > 600);
	for (uint32_t nr = 0; nr < 400; nr++) {
		struct seccomp_data in = { .arch = 0xc000003eu, .nr = (int)nr };
		expect_same(p, f, &in, 0);
		if (nr != 16 && nr != 257)
			assert_int_equal(tree_ja_count(f, 0xc000003eu, nr), 0);
	}
	jitk_filter_free(f);
	jitk_policy_free(p);
}

/* When the arch checks at the leaves push a program over 4096
 * instructions, codegen compiles it again with the arch first: a policy
 * that fits that way is never refused for nr-first's sake. */
static void nr_first_falls_back_when_too_big(void **state)
{
	(void)state;
	jitk_compile_opts o = { .no_verify = true, .arch_at_leaves = true };
	bool fell_back = false;
	for (size_t n = 300; n <= 900 && !fell_back; n += 20) {
		struct bigpol b;
		bigpol_init(&b, n, true);
		jitk_filter *f = NULL;
		jitk_diag d;
		jitk_err err = jitk_compile(&b.p, &o, &f, &d);
		if (err == JITK_OK) {
			assert_true(arch_read_first(f, b.p.foreign_action));
			fell_back = jitk_filter_insns(f)[0].k == 4;
			for (size_t i = 0; fell_back && i < n + 2; i++)
				for (uint64_t v = i; v <= i + 1; v++) {
					struct seccomp_data in = { .arch = 0xc000003eu, .nr = (int)i };
					in.args[i % 6] = v;
					expect_same(&b.p, f, &in, 0);
				}
			jitk_filter_free(f);
		} else {
			assert_int_equal(err, JITK_E_TOO_BIG); /* past both */
		}
		bigpol_free(&b);
	}
	assert_true(fell_back);
}

/* `(arg & b) == b` for one bit b is `jset b` on the word as it is: a chain
 * of such tests on one argument (crosvm's ioctl rules) loads the word once
 * and costs one jump per test, high-word bits included. */
static void one_bit_tests_are_jset(void **state)
{
	(void)state;
	jitk_policy *p = parse_text(
		"{ default_action = Trap; rules = [\n"
		"{ action = Allow; syscall = ioctl; when = (arg2 & 0x400) == 0x400 };\n"
		"{ action = Errno EPERM; syscall = ioctl; when = (arg2 & 0x2000) == 0x2000 };\n"
		"{ action = Allow; syscall = ioctl; when = (arg2 & 0x4000) == 0x4000 };\n"
		"{ action = Allow; syscall = ioctl; when = (arg2 & 0x100000000) == 0x100000000 };\n"
		"{ action = Allow; syscall = ioctl; when = (arg2 & 0x8000) == 0x8000 } ] }\n");
	jitk_filter *f = compile_ok(p, NULL);
	struct seccomp_data in = { .arch = 0xc000003eu, .nr = 16 };
	/* no bit: ld [4], jeq, ld [0], a few jumps, ld lo, 4 jsets, ld hi, jset, ret */
	assert_true(steps_of(f, &in) <= 16);
	for (int b = 0; b < 64; b++)
		for (uint64_t extra = 0; extra <= 1; extra++) {
			in.args[2] = ((uint64_t)1 << b) | (extra ? 0x7f5a00000001ull : 0);
			expect_same(p, f, &in, 0);
		}
	jitk_filter_free(f);
	jitk_filter *proved = NULL;
	jitk_diag d;
	if (jitk_compile(p, NULL, &proved, &d))
		fail_msg("%s", d.msg);
	jitk_filter_free(proved);
	jitk_policy_free(p);
}

/* The optimised shapes are proved equal to their policies by Z3 too. */
static void optimised_shapes_proved(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"{ arch = [x86_64; x32]; default_action = Kill; foreign_action = Trap;\n"
		"  rules = [ { action = Allow; syscall = [read; write] };\n"
		"            { action = Allow; syscall = openat; when = low32(arg0) == 0xffffff9c && arg1 == 5 };\n"
		"            { action = Errno EPERM; syscall = openat; when = low32(arg0) == 0xffffff9c && arg1 == 6 };\n"
		"            { action = Allow; syscall = openat; when = low32(arg0) == 0xffffff9c && (arg2 & 3) == 0 };\n"
		"            { action = Allow; syscall = ioctl; arch = x86_64; when = arg2 == 0x5401 || arg2 == 0x5402 || arg2 == 0x100005403 } ] }\n",
		"{ arch = [x86_64; i386]; default_action = Errno EPERM;\n"
		"  rules = [ { action = Allow; syscall = futex; when = (arg1 & 0x7f) == 0 };\n"
		"            { action = Allow; syscall = futex; when = (arg1 & 0x7f) == 1 };\n"
		"            { action = Allow; syscall = [getpid; gettid] } ] }\n",
		/* switches: one high word, several high words, masked, low32, i386 */
		"{ arch = [x86_64; i386]; default_action = Errno EPERM;\n"
		"  rules = [ { action = Allow; syscall = rt_sigaction; when = arg0 == 2 || arg0 == 15 };\n"
		"            { action = Allow; syscall = rt_sigaction; when = arg0 == 13 };\n"
		"            { action = Trap; syscall = rt_sigaction; when = arg0 == 10 };\n"
		"            { action = Allow; syscall = rt_sigaction; when = arg0 == 12 };\n"
		"            { action = Allow; syscall = rt_sigaction; when = arg0 == 1 };\n"
		"            { action = Allow; syscall = rename; arch = x86_64; when = arg0 == 0x7f5a00000010 && arg1 == 0x7f5a00000020 };\n"
		"            { action = Allow; syscall = rename; arch = x86_64; when = arg0 == 0x7f5a00000010 && arg1 == 0x7f5a00000030 };\n"
		"            { action = Kill; syscall = rename; arch = x86_64; when = arg0 == 0x100000010 && arg1 == 7 };\n"
		"            { action = Allow; syscall = rename; arch = x86_64; when = arg0 == 0x10 };\n"
		"            { action = Allow; syscall = rename; arch = x86_64; when = arg0 == 0x7f5a00000040 && arg1 > 3 };\n"
		"            { action = Allow; syscall = ioctl; when = (arg1 & 0xff) == 1 };\n"
		"            { action = Allow; syscall = ioctl; when = (arg1 & 0xff) == 0x102 };\n"
		"            { action = Allow; syscall = ioctl; when = (arg1 & 0xff) == 3 && low32(arg2) == 9 };\n"
		"            { action = Allow; syscall = ioctl; when = (arg1 & 0xff) == 4 };\n"
		"            { action = Allow; syscall = fcntl; when = low32(arg1) == 1 };\n"
		"            { action = Allow; syscall = fcntl; when = low32(arg1) == 2 };\n"
		"            { action = Allow; syscall = fcntl; when = low32(arg1) == 3 } ] }\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		jitk_policy *p = parse_text(texts[i]);
		jitk_filter *f = NULL;
		jitk_diag d;
		jitk_err err = jitk_compile(p, NULL, &f, &d);
		if (err)
			fail_msg("policy %zu: %s", i, d.msg);
		jitk_filter_free(f);
		jitk_policy_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_example),
		cmocka_unit_test(wide_compares_exact),
		cmocka_unit_test(reg64_reads_high_word),
		cmocka_unit_test(low32_ignores_high_bits),
		cmocka_unit_test(x32_split),
		cmocka_unit_test(accumulator_tracking),
		cmocka_unit_test(far_jumps),
		cmocka_unit_test(too_big_is_refused),
		cmocka_unit_test(weights_shape_tree),
		cmocka_unit_test(tree_shaped_by_leaf_cost),
		cmocka_unit_test(shared_first_test_factored),
		cmocka_unit_test(equality_chain_low_word_first),
		cmocka_unit_test(switch_on_argument_values),
		cmocka_unit_test(switch_random),
		cmocka_unit_test(nr_first_arch_at_leaves),
		cmocka_unit_test(tree_shaped_for_median),
		cmocka_unit_test(big_decisions_out_of_line),
		cmocka_unit_test(nr_first_falls_back_when_too_big),
		cmocka_unit_test(one_bit_tests_are_jset),
		cmocka_unit_test(optimised_shapes_proved),
		cmocka_unit_test(random_policies),
		cmocka_unit_test(verified_compiles),
		cmocka_unit_test(refuses_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
