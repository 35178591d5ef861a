/*
 * perf_kernel.h - what a filter costs on the real kernel (perf_kernel.c,
 * for bench_perf.c).
 *
 * One measurement = a forked child that installs one filter (or none),
 * then times N raw system calls with clock_gettime(CLOCK_MONOTONIC) (the
 * vDSO: no system call, so the filter does not see it) for each call under
 * test, in KM_BATCHES batches, and leaves the ns per call of the fastest
 * batch in shared memory.  The parent runs
 * rounds; each round measures every configuration once, in an order that
 * rotates from round to round, and the figure is the median over rounds.
 * Only ratios to the no-filter child are reported: absolute times on a
 * shared virtual machine are noise.
 *
 * Every configuration is installed with jitk_load and the flag SPEC_ALLOW,
 * so the speculative-store-bypass mitigation that seccomp otherwise forces
 * on a filtered task does not count (it is the same for every compiler and
 * would only dilute the comparison); no_new_privs is set in every child,
 * the no-filter one included.
 */
#ifndef JITK_PERF_KERNEL_H
#define JITK_PERF_KERNEL_H

#include "jitk.h"

#include <stdbool.h>
#include <stdint.h>

#define KM_MAXCALLS 3
#define KM_MAXCONF 5

/* One system call under test: number and the six argument registers. */
struct km_call {
	long nr;
	uint64_t args[6];
};

/*
 * Measure every configuration (filters[i], NULL = no filter) on every call,
 * alternating: out[i][c] is the median ns per call over `rounds` rounds.
 * ok[i] is false if a configuration's child ever failed.
 */
void km_measure(const jitk_filter *const *filters, int nconf, const struct km_call *calls, int ncalls,
		long iters, int rounds, double out[][KM_MAXCALLS], bool *ok);

#endif
