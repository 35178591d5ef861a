/* kexec.c - see kexec.h. */
#include "kexec.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
/*
 * The call stubs, position independent so they can be copied anywhere.
 * C signature: int64_t stub(uint64_t nr, const uint64_t args[6]).
 * Each *_after label is the address the kernel reports as the instruction
 * pointer of the call.  rbx and rbp are callee-saved in the C ABI; if a trap
 * leaves the i386 stub by siglongjmp they are restored from the jmp_buf.
 */
__asm__(".pushsection .text\n"
	".p2align 4\n"
	".globl kexec_stub_begin\n"
	".hidden kexec_stub_begin\n"
	"kexec_stub_begin:\n"
	"kexec_stub64:\n"
	"	movq %rdi, %rax\n"
	"	movq 16(%rsi), %rdx\n"
	"	movq 24(%rsi), %r10\n"
	"	movq 32(%rsi), %r8\n"
	"	movq 40(%rsi), %r9\n"
	"	movq (%rsi), %rdi\n"
	"	movq 8(%rsi), %rsi\n"
	"	syscall\n"
	".globl kexec_stub64_after\n"
	".hidden kexec_stub64_after\n"
	"kexec_stub64_after:\n"
	"	ret\n"
	".globl kexec_stub32\n"
	".hidden kexec_stub32\n"
	"kexec_stub32:\n"
	"	pushq %rbx\n"
	"	pushq %rbp\n"
	"	movq %rdi, %rax\n"
	"	movq (%rsi), %rbx\n"
	"	movq 8(%rsi), %rcx\n"
	"	movq 16(%rsi), %rdx\n"
	"	movq 32(%rsi), %rdi\n"
	"	movq 40(%rsi), %rbp\n"
	"	movq 24(%rsi), %rsi\n"
	"	int $0x80\n"
	".globl kexec_stub32_after\n"
	".hidden kexec_stub32_after\n"
	"kexec_stub32_after:\n"
	"	popq %rbp\n"
	"	popq %rbx\n"
	"	ret\n"
	".globl kexec_stub_end\n"
	".hidden kexec_stub_end\n"
	"kexec_stub_end:\n"
	".popsection\n");

extern const char kexec_stub_begin[], kexec_stub64_after[], kexec_stub32[], kexec_stub32_after[],
	kexec_stub_end[];
#define HAVE_STUBS 1
#else
#define HAVE_STUBS 0
#endif

typedef int64_t (*stub_fn)(uint64_t nr, const uint64_t *args);

kexec_site kexec_site_default(void)
{
	kexec_site s = { 0 };
#if HAVE_STUBS
	s.entry[KEXEC_X86_64] = (uintptr_t)kexec_stub_begin;
	s.entry[KEXEC_I386] = (uintptr_t)kexec_stub32;
	s.ip[KEXEC_X86_64] = (uintptr_t)kexec_stub64_after;
	s.ip[KEXEC_I386] = (uintptr_t)kexec_stub32_after;
#endif
	return s;
}

int kexec_site_map(uint64_t addr, kexec_site *s)
{
#if HAVE_STUBS
	/* Two labels of one asm block, not one C object: subtract addresses. */
	size_t len = (size_t)((uintptr_t)kexec_stub_end - (uintptr_t)kexec_stub_begin);
	long page = sysconf(_SC_PAGESIZE);
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (addr ? MAP_FIXED_NOREPLACE : 0);
	void *p = mmap((void *)(uintptr_t)addr, (size_t)page, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (addr && (uintptr_t)p != addr) { /* old kernels ignore NOREPLACE */
		munmap(p, (size_t)page);
		return -EEXIST;
	}
	memcpy(p, kexec_stub_begin, len);
	if (mprotect(p, (size_t)page, PROT_READ | PROT_EXEC) != 0) {
		int e = errno;
		munmap(p, (size_t)page);
		return -e;
	}
	uintptr_t b = (uintptr_t)p, o = (uintptr_t)kexec_stub_begin;
	s->base = p;
	s->entry[KEXEC_X86_64] = b;
	s->entry[KEXEC_I386] = b + ((uintptr_t)kexec_stub32 - o);
	s->ip[KEXEC_X86_64] = b + ((uintptr_t)kexec_stub64_after - o);
	s->ip[KEXEC_I386] = b + ((uintptr_t)kexec_stub32_after - o);
	return 0;
#else
	(void)addr;
	(void)s;
	return -ENOSYS;
#endif
}

void kexec_site_unmap(kexec_site *s)
{
	if (s->base)
		munmap(s->base, (size_t)sysconf(_SC_PAGESIZE));
	*s = (kexec_site){ 0 };
}

/* State shared with the SIGSYS handler.  armed is set only while a stub
 * runs, so a SIGSYS anywhere else (a stray libc call under a trapping
 * filter) ends the child instead of jumping to a stale buffer. */
static sigjmp_buf call_jb;
static volatile sig_atomic_t call_armed;
static kexec_outcome *volatile call_out;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (!call_armed)
		kexec_die();
	call_armed = 0;
	kexec_outcome *o = call_out;
	o->trapped = true;
	o->code = si->si_code;
	o->data = si->si_errno;
	o->nr = si->si_syscall;
	o->arch = si->si_arch;
	o->ip = (uint64_t)(uintptr_t)si->si_call_addr;
	/* The jmp_buf was saved without the signal mask, so this makes no
	 * system call (rt_sigreturn would itself be trapped). */
	siglongjmp(call_jb, 1);
}

int kexec_catch_sigsys(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		return -errno;
	/* SIGSYS must not be blocked: a blocked forced signal kills. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) != 0)
		return -errno;
	return 0;
}

/* Run fn(a0, a1) with the SIGSYS guard armed.  noinline: the jmp_buf must
 * belong to a frame that is live for the whole call. */
__attribute__((noinline)) static void guarded(stub_fn fn, uint64_t a0, const uint64_t *a1, kexec_outcome *out)
{
	memset(out, 0, sizeof *out);
	call_out = out;
	if (sigsetjmp(call_jb, 0) == 0) {
		call_armed = 1;
		int64_t r = fn(a0, a1);
		call_armed = 0;
		out->ret = r;
	}
}

void kexec_call(const kexec_site *s, enum kexec_abi abi, uint64_t nr, const uint64_t args[6],
		kexec_outcome *out)
{
	if (!s->entry[abi]) {
		memset(out, 0, sizeof *out);
		out->ret = -ENOSYS;
		return;
	}
	guarded((stub_fn)s->entry[abi], nr, args, out);
}

void kexec_call_fn(uintptr_t fn, uint64_t a0, kexec_outcome *out)
{
	/* The extra argument in rsi is ignored by a one-argument callee. */
	guarded((stub_fn)fn, a0, NULL, out);
}

int kexec_install(const jitk_insn *insns, size_t n)
{
	if (n > 0xffff)
		return -EINVAL;
	struct sock_fprog prog = { (unsigned short)n, (struct sock_filter *)(uintptr_t)insns };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
		return -errno;
	return 0;
}

void *kexec_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void kexec_shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

pid_t kexec_fork(unsigned timeout_s)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* Expected deaths (SIGSYS from KILL, SIGILL from kexec_die) must not
	 * write core files. */
	struct rlimit rl = { 0, 0 };
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(127);
	/* Test frameworks (cmocka) catch SIGILL, SIGSEGV, ...: in a filtered
	 * child their handlers would make system calls, so restore the
	 * defaults; kexec_die's SIGILL must simply end the child. */
	static const int sigs[] = { SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGSYS, SIGALRM, SIGABRT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	if (timeout_s)
		alarm(timeout_s);
	return 0;
}

int kexec_wait(pid_t pid)
{
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, 0);
		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

_Noreturn void kexec_die(void)
{
	__builtin_trap();
}

const char *kexec_status_str(int status, char *buf, size_t cap)
{
	if (status == -1)
		snprintf(buf, cap, "wait failed");
	else if (WIFEXITED(status))
		snprintf(buf, cap, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, cap, "signal %d (%s)", WTERMSIG(status),
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, cap, "status 0x%x", status);
	return buf;
}
