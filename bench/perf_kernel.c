/* perf_kernel.c - what a filter costs on the real kernel (perf_kernel.h). */
#include "perf_kernel.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KM_BATCHES 40

struct km_shared {
	volatile int done;
	volatile double ns[KM_MAXCALLS];
};

static double km_now(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return -1;
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The child: install f (NULL: none), time each call, report, exit. */
static void km_child(const jitk_filter *f, const struct km_call *calls, int ncalls, long iters,
		     struct km_shared *sh)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(3);
	if (f && jitk_load(f, JITK_LOAD_SPEC_ALLOW, NULL, NULL))
		_exit(2);
	for (int c = 0; c < ncalls; c++) {
		const struct km_call *k = &calls[c];
		for (long i = 0; i < iters / 8; i++) /* warm up caches and branch predictors */
			syscall(k->nr, k->args[0], k->args[1], k->args[2], k->args[3], k->args[4],
				k->args[5]);
		/* KM_BATCHES short batches; the fastest one counts: on a shared
		 * machine a batch that was preempted or interrupted is slower,
		 * never faster, than the call itself. */
		long per = iters / KM_BATCHES > 0 ? iters / KM_BATCHES : 1;
		double best = -1;
		for (int b = 0; b < KM_BATCHES; b++) {
			double t0 = km_now();
			for (long i = 0; i < per; i++)
				syscall(k->nr, k->args[0], k->args[1], k->args[2], k->args[3], k->args[4],
					k->args[5]);
			double t1 = km_now();
			if (t0 < 0 || t1 < 0)
				_exit(4);
			double ns = (t1 - t0) / (double)per;
			if (best < 0 || ns < best)
				best = ns;
		}
		sh->ns[c] = best;
	}
	sh->done = 1;
	_exit(0);
}

/* One child; false if it did not finish (killed by its filter, ...). */
static bool km_run_one(const jitk_filter *f, const struct km_call *calls, int ncalls, long iters,
		       struct km_shared *sh, double *ns)
{
	memset((void *)sh, 0, sizeof *sh);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0)
		km_child(f, calls, ncalls, iters, sh);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	if (!sh->done)
		return false;
	for (int c = 0; c < ncalls; c++)
		ns[c] = sh->ns[c];
	return true;
}

static int km_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double km_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, km_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Measure every configuration (filters[i], NULL = no filter) on every call,
 * alternating: out[i][c] is the median ns per call over `rounds` rounds.
 * ok[i] is false if a configuration's child ever failed.
 */
void km_measure(const jitk_filter *const *filters, int nconf, const struct km_call *calls, int ncalls,
		long iters, int rounds, double out[][KM_MAXCALLS], bool *ok)
{
	struct km_shared *sh =
		mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double *samples = calloc((size_t)(nconf * ncalls * rounds), sizeof *samples);
	for (int i = 0; i < nconf; i++)
		ok[i] = sh != MAP_FAILED && samples;
	if (sh == MAP_FAILED || !samples) {
		free(samples);
		return;
	}
	for (int r = 0; r < rounds; r++)
		for (int j = 0; j < nconf; j++) {
			int i = (j + r) % nconf; /* rotate who goes first */
			double ns[KM_MAXCALLS];
			if (!ok[i])
				continue;
			if (!km_run_one(filters[i], calls, ncalls, iters, sh, ns)) {
				ok[i] = false;
				continue;
			}
			for (int c = 0; c < ncalls; c++)
				samples[(i * ncalls + c) * rounds + r] = ns[c];
		}
	for (int i = 0; i < nconf; i++)
		for (int c = 0; c < ncalls; c++)
			out[i][c] = ok[i] ? km_median(&samples[(i * ncalls + c) * rounds], rounds) : 0;
	free(samples);
	munmap(sh, sizeof *sh);
}
