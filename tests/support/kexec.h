/*
 * kexec.h - run seccomp filters on the real kernel and issue controlled
 * system calls (x86-64 only; elsewhere every call reports ENOSYS).
 *
 * The pattern for a kernel test:
 *
 *     struct my_shm *sh = kexec_shared(sizeof *sh);   // parent <-> child
 *     pid_t pid = kexec_fork(30);
 *     if (pid == 0) {                       // child, no core dumps
 *             kexec_site s = kexec_site_default();
 *             kexec_catch_sigsys();         // before the filter: sigaction
 *             if (kexec_install(insns, n) != 0) _exit(2);
 *             kexec_call(&s, KEXEC_X86_64, nr, args, &out);   // no real call
 *             ... write results into sh, then ...
 *             kexec_die();                  // SIGILL, no system call
 *     }
 *     int st = kexec_wait(pid);             // WIFSIGNALED(st), WTERMSIG(st)
 *
 * Once a filter that traps everything is installed the child must not make
 * any system call of its own (printf, malloc, exit): the filter would trap
 * it.  kexec_call catches SIGSYS and leaves the handler with siglongjmp
 * without restoring the signal mask, so not even rt_sigreturn runs; the
 * handler is installed with SA_NODEFER so SIGSYS is never blocked.  A SIGSYS
 * outside kexec_call ends the child with SIGILL.
 */
#ifndef JITK_KEXEC_H
#define JITK_KEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jitk.h"

/* How a call enters the kernel. */
enum kexec_abi {
	KEXEC_X86_64, /* the syscall instruction: arch AUDIT_ARCH_X86_64 */
	KEXEC_I386,   /* int $0x80 from 64-bit code: arch AUDIT_ARCH_I386 */
};

/* A copy of the call stubs in executable memory.  ip[abi] is the address
 * right after the trapping instruction: what the kernel reports as the
 * instruction pointer (seccomp_data.instruction_pointer, si_call_addr). */
typedef struct kexec_site {
	void *base; /* NULL: the stubs inside this binary */
	uint64_t ip[2];
	uintptr_t entry[2];
} kexec_site;

/* What one call did. */
typedef struct kexec_outcome {
	bool trapped;  /* SIGSYS arrived (any si_code) */
	int64_t ret;   /* rax after the call, when not trapped */
	int code;      /* si_code: SYS_SECCOMP (1) for a seccomp TRAP */
	int data;      /* si_errno: the TRAP's 16-bit data */
	int nr;        /* si_syscall: nr as the filter saw it */
	uint32_t arch; /* si_arch: arch as the filter saw it */
	uint64_t ip;   /* si_call_addr: instruction pointer as seen */
} kexec_outcome;

/* The stubs linked into the binary. */
kexec_site kexec_site_default(void);
/* Copy the stubs to a fresh page at exactly addr (page aligned; 0: anywhere).
 * 0, or -errno (EEXIST when addr is taken). */
int kexec_site_map(uint64_t addr, kexec_site *s);
void kexec_site_unmap(kexec_site *s);

/*
 * Issue system call nr from site s.  KEXEC_X86_64: rax = nr (all 64 bits),
 * rdi, rsi, rdx, r10, r8, r9 = args[0..5].  KEXEC_I386: rax = nr and rbx,
 * rcx, rdx, rsi, rdi, rbp = args[0..5], all 64 bits as given (the 32-bit
 * ABI uses the low halves; pass zero-extended values for a normal call).
 * Call kexec_catch_sigsys first, or a trap kills the process.
 */
void kexec_call(const kexec_site *s, enum kexec_abi abi, uint64_t nr, const uint64_t args[6],
		kexec_outcome *out);

/* Call the function at address fn as int64_t fn(uint64_t a0) under the same
 * SIGSYS guard (for calls that do not go through the stubs, such as the
 * vsyscall page). */
void kexec_call_fn(uintptr_t fn, uint64_t a0, kexec_outcome *out);

/* Install the SIGSYS handler kexec_call relies on.  0 or -errno. */
int kexec_catch_sigsys(void);

/* no_new_privs, then seccomp(SECCOMP_SET_MODE_FILTER, 0, prog), with the raw
 * system calls (independent of jitk_load).  0, or -errno. */
int kexec_install(const jitk_insn *insns, size_t n);

/* Shared anonymous memory for parent/child results (zeroed), or NULL. */
void *kexec_shared(size_t size);
void kexec_shared_free(void *p, size_t size);

/* fork() for a test child: in the child, core dumps are off (not dumpable,
 * RLIMIT_CORE 0), SIGKILL arrives if the parent dies, and an alarm kills it
 * after timeout_s seconds (0: none).  Returns as fork does. */
pid_t kexec_fork(unsigned timeout_s);
/* waitpid for pid, retrying on EINTR; the wait status, or -1. */
int kexec_wait(pid_t pid);
/* End the calling (filtered) child at once without a system call: SIGILL. */
_Noreturn void kexec_die(void);

/* A short description of a wait status ("exit 0", "signal 31 (SIGSYS)"). */
const char *kexec_status_str(int status, char *buf, size_t cap);

#endif
