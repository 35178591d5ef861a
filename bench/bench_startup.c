/* bench_startup.c - what loading a build-time filter costs a program.
 *
 * Runs, many times each (fork + exec, wall time to exit, peak RSS of the
 * child from wait4): build/tests/rt/rt_load (links build/libjitk-rt.a:
 * wraps the --format c array, checks and loads it) and build/bench/lsc_load
 * (libseccomp: seccomp_init, one rule, seccomp_load), both ending with the
 * same check that the filter is in force; and /bin/true as the floor.
 * Target for the runtime library: at most 1 ms and 2 MB over /bin/true,
 * printed met or NOT met next to libseccomp's figures; nothing asserted. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS 41

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median wall ms, median CPU ms (user + system of the child) and largest
 * peak RSS (KiB) over RUNS executions. */
static int time_prog(const char *path, double *ms, double *cpu, long *rss)
{
	double t[RUNS], u[RUNS];
	*rss = 0;
	for (int i = 0; i < RUNS; i++) {
		struct timespec a, b;
		fflush(stdout); /* else the child's freopen writes our buffer */
		clock_gettime(CLOCK_MONOTONIC, &a);
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			if (!freopen("/dev/null", "w", stdout))
				_exit(127);
			execl(path, path, (char *)NULL);
			_exit(127);
		}
		int st;
		struct rusage ru;
		if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		u[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
		if (ru.ru_maxrss > *rss)
			*rss = ru.ru_maxrss;
	}
	qsort(t, RUNS, sizeof *t, cmp_double);
	qsort(u, RUNS, sizeof *u, cmp_double);
	*ms = t[RUNS / 2];
	*cpu = u[RUNS / 2];
	return 0;
}

int main(int argc, char **argv)
{
	const char *b = argc > 1 ? argv[1] : "build";
	char rt[512], lsc[512];
	snprintf(rt, sizeof rt, "%s/tests/rt/rt_load", b);
	snprintf(lsc, sizeof lsc, "%s/bench/lsc_load", b);
	printf("## Start-up cost of loading a build-time filter\n\n");
	printf("fork + exec to exit, median of %d runs (wall ms), peak RSS of the child;\n", RUNS);
	printf("rt_load links build/libjitk-rt.a (no Z3), lsc_load links libseccomp.\n\n");
	printf("| program | wall ms | over /bin/true | CPU ms | over /bin/true | peak RSS KiB | over /bin/true |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	double t0, t1, t2, c0, c1, c2;
	long r0, r1, r2;
	if (time_prog("/bin/true", &t0, &c0, &r0) || time_prog(rt, &t1, &c1, &r1) ||
	    time_prog(lsc, &t2, &c2, &r2)) {
		printf("| (a program failed or is missing: build %s and %s) | | | | | | |\n", rt, lsc);
		return 0;
	}
	printf("| /bin/true | %.2f | | %.2f | | %ld | |\n", t0, c0, r0);
	printf("| rt_load (jitk runtime) | %.2f | %+.2f | %.2f | %+.2f | %ld | %+ld |\n", t1, t1 - t0, c1,
	       c1 - c0, r1, r1 - r0);
	printf("| lsc_load (libseccomp seccomp_load) | %.2f | %+.2f | %.2f | %+.2f | %ld | %+ld |\n", t2,
	       t2 - t0, c2, c2 - c0, r2, r2 - r0);
	bool met = c1 - c0 <= 1.0 && r1 - r0 <= 2048;
	printf("\nRuntime library over /bin/true: %.2f ms CPU (%.2f ms wall) and %ld KiB (target <= 1 ms "
	       "and 2 MB): %s\n",
	       c1 - c0, t1 - t0, r1 - r0,
	       met ? "met (CPU time; wall time varies with the shared machine's load)" : "NOT met");
	return 0;
}
