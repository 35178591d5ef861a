/* test_abi_kernel.c - issue 9's bugs as regression tests on the real kernel.
 *
 * Each policy is compiled (and proved) by jitk, loaded in a forked child,
 * and the calls below are issued through `syscall` and `int $0x80` with
 * chosen registers: what the kernel returns must be what jitk_policy_eval
 * says, and what the kernel does with the argument (it uses the low 32 bits
 * of an unsigned int, docs/kernel-notes.md section 8):
 *   - i386 `close(-1)` under `arg0 == -1` is denied (it was allowed: the
 *     zero-extended low word was compared with the 64-bit -1), also with
 *     junk in the high half of rbx, which int $0x80 hands to seccomp;
 *   - x86_64 `close` and `ioctl` compare their unsigned int fd / cmd in 32
 *     bits, so junk above them does not pass a deny rule;
 *   - ioctl's unsigned long arg keeps its 64 bits;
 *   - x86_64 `mmap`'s unsigned long fd and `readv`'s unsigned long vlen are
 *     used in 32 bits by the kernel's body (fget(unsigned int),
 *     import_iovec(unsigned nr_segs); tools/knarrow.py): the kernel maps a
 *     file given as fd | 1 << 32 and reads vlen 0x100000000 as 0, and a
 *     deny rule on either compares the 32 bits the call uses.
 * x32 is disabled on this kernel; its compat widths are tested through the
 * semantics and the proof (tests/unit/test_scpl_eval.c, x32_compat_widths),
 * like aarch64's constants (constants_per_abi). */
#include "testlib.h"
#include "kexec.h"
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <sys/wait.h>
#include <unistd.h>

#define NCALLS 12
#define WANT_OK 1 /* `want`: any value >= 0 (the call ran and succeeded) */

struct call {
	enum kexec_abi abi;
	uint64_t nr;
	uint64_t args[6];
	int32_t want; /* the return value the kernel must give (-errno) */
};

struct shm {
	int installed; /* kexec_install's result + 1 */
	int done;
	int64_t ret[NCALLS];
	bool trapped[NCALLS];
};

static const char policy_text[] = "{ arch = [x86_64; i386]; default_action = Allow; rules = [\n"
				  "  { action = Errno EACCES; syscall = close; when = arg0 == -1 };\n"
				  "  { action = Errno EPERM; syscall = ioctl; when = arg1 == TIOCSTI };\n"
				  "  { action = Errno EROFS; syscall = ioctl; when = arg2 == 7 } ] }\n";

static const struct call calls[] = {
	/* i386 close is 6: -1 means 0xffffffff in the 32-bit compare. */
	{ KEXEC_I386, 6, { 0xffffffffu }, -EACCES },
	{ KEXEC_I386, 6, { 0x12340000ffffffffull }, -EACCES }, /* junk in rbx's high half */
	{ KEXEC_I386, 6, { 0xfffffffeu }, -EBADF },
	/* x86_64 close(unsigned int fd): the kernel uses 32 bits. */
	{ KEXEC_X86_64, 3, { 0xffffffffu }, -EACCES },
	{ KEXEC_X86_64, 3, { UINT64_MAX }, -EACCES },
	{ KEXEC_X86_64, 3, { 0x7fffffff00000000ull | 0xfffffffeu }, -EBADF },
	/* x86_64 ioctl(fd, unsigned int cmd, unsigned long arg) on a bad fd. */
	{ KEXEC_X86_64, 16, { 0xfffff, 0x5412 }, -EPERM },
	{ KEXEC_X86_64, 16, { 0xfffff, 0xdeadbeef00005412ull }, -EPERM }, /* the bypass, closed */
	{ KEXEC_X86_64, 16, { 0xfffff, 0x5413, 7 }, -EROFS },
	{ KEXEC_X86_64, 16, { 0xfffff, 0x5413, 0x100000007ull }, -EBADF }, /* 64-bit arg */
	/* i386 ioctl is 54: everything 32 bits. */
	{ KEXEC_I386, 54, { 0xfffff, 0xdeadbeef00005412ull }, -EPERM },
	{ KEXEC_I386, 54, { 0xfffff, 0x5413, 0x100000007ull }, -EROFS },
};

/* Runs calls[0..n) under policy text in a forked child: each must give
 * `want`, as the policy's semantics predict. */
static void run_calls(const char *text, const struct call *cs, size_t n)
{
	assert_true(n <= NCALLS);
	jitk_policy *p = NULL;
	jitk_diag d;
	if (jitk_policy_parse(text, strlen(text), "abi.scpl", &p, &d))
		fail_msg("parse: %s", d.msg);
	jitk_filter *f = NULL;
	if (jitk_compile(p, NULL, &f, &d)) /* proved equal to the policy */
		fail_msg("compile: %s", d.msg);
	/* The semantics say what the kernel must do. */
	for (size_t i = 0; i < n; i++) {
		struct seccomp_data in = { .nr = (int)cs[i].nr,
					   .arch = cs[i].abi == KEXEC_I386 ? AUDIT_ARCH_I386
									   : AUDIT_ARCH_X86_64 };
		memcpy(in.args, cs[i].args, sizeof in.args);
		uint32_t r = jitk_policy_eval(p, &in);
		uint32_t want = cs[i].want >= 0 || cs[i].want == -EBADF || cs[i].want == -EFAULT
					? JITK_RET_ALLOW
					: JITK_RET_ERRNO | (uint32_t)-cs[i].want;
		if (r != want)
			fail_msg("call %zu: the semantics give %#x, want %#x", i, r, want);
	}
	struct shm *sh = kexec_shared(sizeof *sh);
	assert_non_null(sh);
	pid_t pid = kexec_fork(30);
	if (pid == 0) {
		kexec_site s = kexec_site_default();
		kexec_catch_sigsys();
		int rc = kexec_install(jitk_filter_insns(f), jitk_filter_len(f));
		sh->installed = rc + 1;
		if (rc != 0)
			kexec_die();
		for (size_t i = 0; i < n; i++) {
			kexec_outcome o;
			kexec_call(&s, cs[i].abi, cs[i].nr, cs[i].args, &o);
			sh->ret[i] = o.ret;
			sh->trapped[i] = o.trapped;
		}
		sh->done = 1;
		kexec_die();
	}
	int st = kexec_wait(pid);
	char buf[64];
	if (sh->installed != 1)
		fail_msg("the filter was not installed (%d, %s)", sh->installed - 1,
			 kexec_status_str(st, buf, sizeof buf));
	assert_int_equal(sh->done, 1);
	for (size_t i = 0; i < n; i++) {
		bool ok = cs[i].want == WANT_OK ? sh->ret[i] >= 0 : (int32_t)sh->ret[i] == cs[i].want;
		if (sh->trapped[i] || !ok)
			fail_msg("call %zu (%s nr %llu arg0 %#llx arg1 %#llx): the kernel returned %lld%s, want %d",
				 i, cs[i].abi == KEXEC_I386 ? "int $0x80" : "syscall",
				 (unsigned long long)cs[i].nr, (unsigned long long)cs[i].args[0],
				 (unsigned long long)cs[i].args[1], (long long)sh->ret[i],
				 sh->trapped[i] ? " (trapped)" : "", cs[i].want);
	}
	kexec_shared_free(sh, sizeof *sh);
	jitk_filter_free(f);
	jitk_policy_free(p);
}

static void i386_and_int_parameters(void **state)
{
	(void)state;
	_Static_assert(sizeof calls / sizeof *calls == NCALLS, "NCALLS");
	run_calls(policy_text, calls, NCALLS);
}

/* Widths a body narrows (docs/kernel-notes.md section 8): the kernel uses
 * 32 bits of mmap's fd and readv's vlen, and so does the filter. */
static void body_narrowed_parameters(void **state)
{
	(void)state;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	const uint64_t hi = 0xabc0000100000000u;
	const uint64_t bad = 0x7ffff; /* no such fd */
	const struct call nc[] = {
		/* mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) is 9 */
		{ KEXEC_X86_64, 9, { 0, 4096, 1, 2, bad, 0 }, -EACCES },
		{ KEXEC_X86_64, 9, { 0, 4096, 1, 2, hi | bad, 0 }, -EACCES }, /* the bypass, closed */
		{ KEXEC_X86_64, 9, { 0, 4096, 1, 2, hi | (uint64_t)fd, 0 }, WANT_OK }, /* fd in 32 bits */
		{ KEXEC_X86_64, 9, { 0, 4096, 1, 2, bad + 1, 0 }, -EBADF },
		/* readv(fd, NULL, vlen) is 19: vlen 0x100000000 reads nothing. */
		{ KEXEC_X86_64, 19, { (uint64_t)fd, 0, 0x100000000u }, 0 },
		{ KEXEC_X86_64, 19, { (uint64_t)fd, 0, 0x100000001u }, -EFAULT },
		{ KEXEC_X86_64, 19, { bad, 0, 0x100000000u }, -EACCES },
	};
	run_calls("{ arch = [x86_64]; default_action = Allow; rules = [\n"
		  "  { action = Errno EACCES; syscall = mmap; when = arg4 == 0x7ffff };\n"
		  "  { action = Errno EACCES; syscall = readv; when = arg0 == 0x7ffff && arg2 == 0 } ] }\n",
		  nc, sizeof nc / sizeof *nc);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(i386_and_int_parameters),
		cmocka_unit_test(body_narrowed_parameters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
