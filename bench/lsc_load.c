/* lsc_load.c - the libseccomp twin of tests/rt/rt_load.c for bench_startup:
 * the same filter (everything allowed, getppid -> EACCES) built with
 * libseccomp's API and installed with seccomp_load, then checked. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	if (!c || seccomp_rule_add(c, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(getppid), 0) || seccomp_load(c)) {
		fprintf(stderr, "lsc_load: libseccomp failed\n");
		return 1;
	}
	seccomp_release(c);
	errno = 0;
	if (syscall(SYS_getppid) != -1 || errno != EACCES)
		return 1;
	printf("loaded\n");
	return 0;
}
