/* oracle.c - see oracle.h.
 *
 * Protocol.  A MAP_SHARED array holds one verdict slot per program, PENDING
 * at first.  A child, starting at program s, calls seccomp() for s, s+1, ...
 * and stores each result into its slot.  A rejected program changes nothing,
 * so the child goes on.  When a program is accepted the child has a filter
 * installed and must stop: it leaves through exit_group, which the filter
 * judges.  ALLOW and LOG exit; KILL_* and TRAP kill with SIGSYS; the actions
 * that fail the call (ERRNO, and TRACE / USER_NOTIF without a tracer or
 * listener) return, after which the child executes ud2 and dies of SIGILL.
 * Every path ends the child by itself with no further syscall of ours; the
 * parent sleeps until then and starts a new child at the first program
 * without a verdict.  (No spinning: under load a spinning parent starves the
 * child it waits for.)  Children are clone(CLONE_VM | CLONE_VFORK), which
 * skips fork's page-table copy, the main cost when half the programs are
 * accepted.
 *
 * Hygiene: RLIMIT_CORE 0, so killed children write no core file
 * (core_pattern may be a plain "core" in the working directory; a piped
 * core_pattern helper is still invoked and sees the limit); PR_SET_PDEATHSIG,
 * so no orphans; every signal back to SIG_DFL (the test framework's handlers
 * are inherited and must not run in the child); and a SIGILL handler that
 * only executes ud2 again, so the first fault counts as handled and the
 * kernel does not log it as an unhandled trap, while the second, with SIGILL
 * blocked inside the handler, is fatal.
 *
 * Noise: when audit is enabled (it is on the project VM), a child killed by
 * its filter leaves an audit record (type 1326 SECCOMP, and 1701 ANOM_ABEND
 * for the core-dump signals), which reaches dmesg only through the printk
 * rate limit.  Avoiding that would need the parent to SIGKILL the child
 * after watching its verdicts, i.e. polling; the brief accepts KILL on exit.
 */
#include "oracle.h"

#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define ORACLE_PENDING INT_MIN

static unsigned long oracle_nforks;

unsigned long oracle_forks(void)
{
	return oracle_nforks;
}

static void oracle_sigill(int sig)
{
	(void)sig;
	__builtin_trap(); /* SIGILL is blocked here, so the kernel kills us */
}

struct oracle_job {
	const oracle_prog *progs;
	size_t count, start;
	int *slot;
};

/* The child's work, from program job->start on.  Never returns. */
static int oracle_child(void *arg)
{
	const struct oracle_job *job = arg;
	/* Signal dispositions are the child's own copy (no CLONE_SIGHAND): make
	 * every fatal signal fatal again (a test framework's handlers must not
	 * run here), and SIGILL the ud2-again handler described above. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sa.sa_handler = oracle_sigill;
	sigset_t none;
	sigemptyset(&none);
	/* rlimits are per process (no CLONE_THREAD), unlike the shared mm's
	 * dumpable flag, so RLIMIT_CORE is how this child avoids core files. */
	struct rlimit nocore = { 0, 0 };
	bool ok = sigaction(SIGILL, &sa, NULL) == 0 && sigprocmask(SIG_SETMASK, &none, NULL) == 0 &&
		  setrlimit(RLIMIT_CORE, &nocore) == 0 && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0 &&
		  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
	if (!ok)
		_exit(100); /* no verdict written: the parent reports a harness failure */
	for (size_t i = job->start; i < job->count; i++) {
		const oracle_prog *p = &job->progs[i];
		int v;
		if (p->n > USHRT_MAX) {
			v = EINVAL;
		} else {
			struct sock_fprog fp = {
				.len = (unsigned short)p->n,
				/* jitk_insn has struct sock_filter's layout (filter.c). */
				.filter = (struct sock_filter *)(uintptr_t)p->insns,
			};
			long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp);
			v = r == 0 ? 0 : errno;
			if (r != 0 && v == 0)
				v = EIO; /* cannot happen; keeps "rejected" distinguishable */
		}
		job->slot[i] = v;
		if (v == 0) {
			/* A filter is installed: leave now, whatever it decides. */
			syscall(SYS_exit_group, 0);
			__builtin_trap();
		}
	}
	_exit(0);
}

#define ORACLE_STACK (256u * 1024u)

int oracle_verdicts(const oracle_prog *progs, size_t count, int *out)
{
	if (count == 0)
		return 0;
	int *slot = calloc(count, sizeof *slot);
	char *stack = mmap(NULL, ORACLE_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (!slot || stack == MAP_FAILED) {
		free(slot);
		if (stack != MAP_FAILED)
			munmap(stack, ORACLE_STACK);
		return -1;
	}
	for (size_t i = 0; i < count; i++)
		slot[i] = ORACLE_PENDING;

	int rc = 0;
	size_t next = 0;
	while (next < count && rc == 0) {
		struct oracle_job job = { progs, count, next, slot };
		/* CLONE_VM | CLONE_VFORK: the child shares our memory (no page
		 * table copy, which dominated the cost with fork) and we sleep
		 * until it has exited.  It is still its own process: its own
		 * seccomp filter, signal handlers, rlimits and exit_group. */
		pid_t pid = clone(oracle_child, stack + ORACLE_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &job);
		if (pid < 0) {
			rc = -1;
			break;
		}
		oracle_nforks++;
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR) {
				rc = -1;
				break;
			}
		/* The child answered next, next+1, ... and stopped after the first
		 * acceptance or at the end.  No answer at all means it failed by
		 * itself (setup, or a crash), which would loop forever. */
		size_t first = next;
		while (next < count && slot[next] != ORACLE_PENDING) {
			out[next] = slot[next];
			if (slot[next++] == 0)
				break;
		}
		if (next == first)
			rc = -1;
	}
	munmap(stack, ORACLE_STACK);
	free(slot);
	return rc;
}

int oracle_verdict(const jitk_insn *insns, size_t n)
{
	oracle_prog p = { insns, n };
	int v;
	return oracle_verdicts(&p, 1, &v) == 0 ? v : -1;
}
