/* sysprobe.c - a command for the CLI tests of run and learn (built by
 * tests/cli/test_learn.sh with the system's cc):
 *   sysprobe trap    calls chdir("abc") with a SIGSYS handler and
 *                    prints what the handler saw (si_syscall, si_errno,
 *                    whether rdi still points to "abc", rax)
 *   sysprobe int80   calls getppid through int $0x80 (the i386 entry) and
 *                    prints its result */
/* test_learn.sh builds it alone; make analyze passes -D_GNU_SOURCE. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static const char name[] = "abc";

static void on_sys(int s, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;
	char b[160];
	int n = snprintf(b, sizeof b, "SIGSYS %d syscall %d errno %d rdi_ok %d rax %lld\n", s, si->si_syscall,
			 si->si_errno, uc->uc_mcontext.gregs[REG_RDI] == (long long)(unsigned long)name,
			 (long long)uc->uc_mcontext.gregs[REG_RAX]);
	if (write(1, b, (size_t)n) < 0)
		_exit(9);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "trap")) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_sys;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSYS, &sa, 0);
		long r = syscall(SYS_chdir, name);
		printf("returned %ld\n", r);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "int80")) {
		long ret;
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(64L) : "memory"); /* i386 getppid */
		printf("int80 getppid %s\n", ret == (long)getppid() ? "ok" : "refused");
		return 0;
	}
	fprintf(stderr, "usage: sysprobe trap|int80\n");
	return 2;
}
