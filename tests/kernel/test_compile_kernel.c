/*
 * test_compile_kernel.c - compiled policies on the real kernel.
 *
 * 1. Random policies whose every action is ERRNO or TRAP (so no call the
 *    filter sees ever runs or kills) are compiled, installed in a forked
 *    child, and probed with real system calls: `syscall` (arch x86_64, and
 *    x32 numbers, which the kernel reports as AUDIT_ARCH_X86_64 with the x32
 *    bit) and `int $0x80` (arch i386, 32-bit arguments).  What the kernel
 *    did (errno returned, or SIGSYS with its data) must be what
 *    jitk_policy_eval says for the seccomp_data the kernel built.
 * 2. Every policy shipped in policies/ compiles and the kernel accepts the
 *    result, as it accepts the far-jump and near-limit programs.
 */
#include "testlib.h"
#include "../unit/polgen.h"
#include "kexec.h"
#include "oracle.h"

#include <glob.h>
#include <signal.h>
#include <sys/wait.h>

#define MAXCALLS 2048

struct call {
	enum kexec_abi abi;
	uint32_t nr;
	uint64_t args[6];
	uint32_t want; /* jitk_policy_eval on what the kernel will see */
};

struct shm {
	struct call calls[MAXCALLS];
	kexec_outcome out[MAXCALLS];
	size_t ncalls;
	int installed; /* kexec_install's result, +1 so 0 means "not reached" */
	int done;
};

/* Numbers the kernel lets through without consulting seccomp on x86-64
 * (uretprobe, uprobe): they would really run, so they are never probed. */
static bool unsafe_nr(enum kexec_abi abi, uint32_t nr)
{
	return abi == KEXEC_X86_64 && (nr == 335 || nr == 336);
}

/* The seccomp_data the kernel builds for a call (instruction_pointer does
 * not matter to policies). */
static void kernel_view(const struct call *c, struct seccomp_data *in)
{
	memset(in, 0, sizeof *in);
	in->nr = (int)c->nr;
	in->arch = c->abi == KEXEC_X86_64 ? 0xc000003eu : 0x40000003u;
	/* Measured on 6.18: for `int $0x80` from a 64-bit process the kernel
	 * fills seccomp_data.args from the full 64-bit registers (the high
	 * halves are not zeroed; the i386 handlers truncate later).  So the
	 * filter sees exactly the registers we pass, for both ABIs. */
	memcpy(in->args, c->args, sizeof in->args);
}

/* What the kernel did, as a seccomp return value: SIGSYS is TRAP|data,
 * -errno is ERRNO|errno. */
static bool observed(const struct call *c, const kexec_outcome *o, uint32_t *ret)
{
	if (o->trapped) {
		/* a seccomp SIGSYS, for the call we made as we think the kernel saw it */
		if (o->code != 1 /* SYS_SECCOMP */ || (uint32_t)o->nr != c->nr ||
		    o->arch != (c->abi == KEXEC_X86_64 ? 0xc000003eu : 0x40000003u))
			return false;
		*ret = JITK_RET_TRAP | ((uint32_t)o->data & JITK_RET_DATA);
		return true;
	}
	if (o->ret < 0 && o->ret >= -4095) {
		*ret = JITK_RET_ERRNO | (uint32_t)-o->ret;
		return true;
	}
	return false;
}

/* Install f in a child, issue sh->calls, collect the outcomes. */
static void run_in_child(struct shm *sh, const jitk_filter *f)
{
	sh->done = 0;
	sh->installed = 0;
	pid_t pid = kexec_fork(30);
	assert_true(pid >= 0);
	if (pid == 0) {
		kexec_site s = kexec_site_default();
		if (kexec_catch_sigsys() != 0)
			_exit(3);
		int rc = kexec_install(jitk_filter_insns(f), jitk_filter_len(f));
		sh->installed = rc + 1;
		if (rc != 0)
			_exit(2);
		/* From here: no system call of our own. */
		for (size_t i = 0; i < sh->ncalls; i++)
			kexec_call(&s, sh->calls[i].abi, sh->calls[i].nr, sh->calls[i].args, &sh->out[i]);
		sh->done = 1;
		kexec_die();
	}
	int st = kexec_wait(pid);
	char buf[64];
	if (sh->installed != 1)
		fail_msg("the kernel refused a compiled filter: %d (%s)", sh->installed - 1,
			 kexec_status_str(st, buf, sizeof buf));
	if (!sh->done || !WIFSIGNALED(st) || WTERMSIG(st) != SIGILL)
		fail_msg("child ended early: %s", kexec_status_str(st, buf, sizeof buf));
}

static void random_policies_on_kernel(void **state)
{
	(void)state;
	struct shm *sh = kexec_shared(sizeof *sh);
	assert_non_null(sh);
	uint64_t seed = test_seed(17);
	rng_t r;
	rng_seed(&r, seed);
	unsigned long npol = test_scaled(150), ncalls = 0;
	for (unsigned long it = 0; it < npol; it++) {
		struct polgen g = { .kernel_safe = true, .dense = it % 3 == 0 };
		polgen_random(&g, &r);
		jitk_compile_opts o = { .no_verify = true };
		jitk_filter *f = NULL;
		jitk_diag d;
		if (jitk_compile(&g.p, &o, &f, &d))
			fail_msg("compile: %s", d.msg);

		uint32_t nrs[512];
		size_t nn = polgen_nrs(&g, nrs, 512);
		sh->ncalls = 0;
		for (size_t i = 0; i < nn && sh->ncalls + 8 <= MAXCALLS; i++)
			for (int k = 0; k < 4; k++) {
				struct call *c = &sh->calls[sh->ncalls];
				c->abi = k % 2 ? KEXEC_I386 : KEXEC_X86_64;
				c->nr = nrs[i];
				if (unsafe_nr(c->abi, c->nr))
					continue;
				struct seccomp_data in;
				polgen_input(&g, &r, 0, 0, &in);
				memcpy(c->args, in.args, sizeof c->args);
				if (k == 1) /* a well-behaved 32-bit call: zero-extended */
					for (int a = 0; a < 6; a++)
						c->args[a] = (uint32_t)c->args[a];
				kernel_view(c, &in);
				c->want = jitk_policy_eval(&g.p, &in);
				sh->ncalls++;
			}
		run_in_child(sh, f);
		for (size_t i = 0; i < sh->ncalls; i++) {
			const struct call *c = &sh->calls[i];
			uint32_t got;
			if (!observed(c, &sh->out[i], &got))
				fail_msg("seed %llu policy %lu: %s nr 0x%x: neither errno nor SIGSYS "
					 "(ret %lld)",
					 (unsigned long long)seed, it,
					 c->abi == KEXEC_X86_64 ? "syscall" : "int80", c->nr,
					 (long long)sh->out[i].ret);
			if (got != c->want)
				fail_msg("seed %llu policy %lu: %s nr 0x%x args %llx %llx %llx: kernel "
					 "0x%x, policy 0x%x",
					 (unsigned long long)seed, it,
					 c->abi == KEXEC_X86_64 ? "syscall" : "int80", c->nr,
					 (unsigned long long)c->args[0], (unsigned long long)c->args[1],
					 (unsigned long long)c->args[2], got, c->want);
		}
		ncalls += sh->ncalls;
		jitk_filter_free(f);
	}
	print_message("%lu policies, %lu real calls compared, seed %llu\n", npol, ncalls,
		      (unsigned long long)seed);
	kexec_shared_free(sh, sizeof *sh);
}

/* The paper's policy in a child: open gets EACCES from the kernel,
 * getpid really runs, x32 open is foreign (killed). */
static void paper_policy_on_kernel(void **state)
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
	jitk_filter *f = NULL;
	assert_int_equal(jitk_compile(p, NULL, &f, &d), JITK_OK); /* with the proof */
	struct shm *sh = kexec_shared(sizeof *sh);
	assert_non_null(sh);
	sh->ncalls = 2;
	sh->calls[0] = (struct call){ .abi = KEXEC_X86_64, .nr = 2 };  /* open(NULL) */
	sh->calls[1] = (struct call){ .abi = KEXEC_X86_64, .nr = 39 }; /* getpid */
	run_in_child(sh, f);
	assert_false(sh->out[0].trapped);
	assert_int_equal(sh->out[0].ret, -13);
	assert_false(sh->out[1].trapped);
	assert_true(sh->out[1].ret > 0); /* a pid: the call ran */

	/* An x32 open on this x86_64-only policy: KILL_PROCESS. */
	sh->ncalls = 1;
	sh->calls[0] = (struct call){ .abi = KEXEC_X86_64, .nr = 0x40000002 };
	pid_t pid = kexec_fork(30);
	assert_true(pid >= 0);
	if (pid == 0) {
		kexec_site s = kexec_site_default();
		if (kexec_install(jitk_filter_insns(f), jitk_filter_len(f)) != 0)
			_exit(2);
		kexec_call(&s, KEXEC_X86_64, 0x40000002, sh->calls[0].args, &sh->out[0]);
		kexec_die();
	}
	int st = kexec_wait(pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
	kexec_shared_free(sh, sizeof *sh);
	jitk_filter_free(f);
	jitk_policy_free(p);
}

/* Every policy in policies/ and its subdirectories compiles (with the
 * proof) and the kernel accepts the program. */
static void shipped_policies_accepted(void **state)
{
	(void)state;
	glob_t gl;
	if (!test_policy_files(&gl)) {
		print_message("no policies/*.scpl here (run from the repository root); skipped\n");
		skip();
	}
	size_t ok = 0, unparsed = 0;
	for (size_t i = 0; i < gl.gl_pathc; i++) {
		jitk_policy *p = NULL;
		jitk_diag d;
		if (jitk_policy_load(gl.gl_pathv[i], &p, &d)) {
			/* The front end's business, reported by its own tests. */
			print_message("%s: does not parse (%s); not compiled\n", gl.gl_pathv[i], d.msg);
			unparsed++;
			continue;
		}
		jitk_filter *f = NULL;
		if (jitk_compile(p, NULL, &f, &d))
			fail_msg("%s: %s", gl.gl_pathv[i], d.msg);
		int v = oracle_verdict(jitk_filter_insns(f), jitk_filter_len(f));
		if (v != 0)
			fail_msg("%s: the kernel refuses the compiled filter (%d)", gl.gl_pathv[i], v);
		print_message("%s: %zu instructions, proved, accepted\n", gl.gl_pathv[i], jitk_filter_len(f));
		ok++;
		jitk_filter_free(f);
		jitk_policy_free(p);
	}
	globfree(&gl);
	print_message("%zu policies compiled and accepted, %zu unparsed\n", ok, unparsed);
	assert_true(ok > 0);
}

/* Far jumps and a program close to 4096 instructions: the kernel agrees
 * with the checker. */
static void big_programs_accepted(void **state)
{
	(void)state;
	for (size_t n = 100; n <= 500; n += 400) {
		struct pol_rule *rules = calloc(n, sizeof *rules);
		struct pol_cond *conds = calloc(n, sizeof *conds);
		int *nrs = calloc(n, sizeof *nrs);
		assert_non_null(rules);
		assert_non_null(conds);
		assert_non_null(nrs);
		for (size_t i = 0; i < n; i++) {
			nrs[i] = (int)(2 * i);
			conds[i] = (struct pol_cond){ .kind = POL_CMP,
						      .arg = (uint8_t)(i % 6),
						      .op = POL_GT,
						      .mask = ~0ull,
						      .value = i << 31 };
			rules[i].action = JITK_RET_ERRNO | (uint32_t)(1 + i % 4000);
			rules[i].cond = &conds[i];
			rules[i].nrs[JITK_ARCH_X86_64] = &nrs[i];
			rules[i].nnrs[JITK_ARCH_X86_64] = 1;
		}
		jitk_policy p = { .default_action = JITK_RET_ERRNO | 1,
				  .foreign_action = JITK_RET_KILL_PROCESS,
				  .nrules = n,
				  .rules = rules };
		p.arch[JITK_ARCH_X86_64] = true;
		jitk_compile_opts o = { .no_verify = true };
		jitk_filter *f = NULL;
		jitk_diag d;
		if (jitk_compile(&p, &o, &f, &d))
			fail_msg("n=%zu: %s", n, d.msg);
		assert_int_equal(oracle_verdict(jitk_filter_insns(f), jitk_filter_len(f)), 0);
		print_message("%zu conditional syscalls: %zu instructions, accepted\n", n,
			      jitk_filter_len(f));
		jitk_filter_free(f);
		free(rules);
		free(conds);
		free(nrs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_policy_on_kernel),
		cmocka_unit_test(random_policies_on_kernel),
		cmocka_unit_test(shipped_policies_accepted),
		cmocka_unit_test(big_programs_accepted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
