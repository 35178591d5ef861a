/*
 * perf_report.h - the figures bench_perf.c gathers per policy and the
 * markdown report made of them (perf_report.c).
 */
#ifndef JITK_PERF_REPORT_H
#define JITK_PERF_REPORT_H

#include "jitk.h"
#include "perf_kernel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Targets (docs/performance.md). */
#define TARGET_MEDIAN_RATIO 0.6
/* Kernel overhead "no worse" allows this much noise, a fraction of the
 * no-filter time per call: on the shared 2-core VM, two filters that the
 * kernel treats identically (a call both cache) differ by up to ~4% from
 * run to run. */
#define KERNEL_TOLERANCE 0.05

enum { V_JITK, V_JITK_TRACE, V_LSC1, V_LSC2, NVAR };
extern const char *const var_name[NVAR];
extern const char *const call_col[KM_MAXCALLS];

struct stats {
	size_t len;
	unsigned cache_ok, cache_all;
	uint32_t min, max;
	double median, mean, trace_mean;
};

struct variant {
	jitk_filter *f; /* NULL: not available, see why */
	char why[320];
	double compile_ms, proof_ms; /* proof_ms < 0: none */
	bool disjoint;               /* libseccomp: rules had to be made disjoint */
	bool minus_one;              /* libseccomp: equal except x86_64 nr -1 */
	const jitk_policy *impl;     /* non-NULL: implements this reduced policy */
	bool inexact;                /* libseccomp cannot express the policy (why); f is
				the nearest program it makes, NOT equal */
	struct stats st;
};

struct report {
	const char *path, *name;
	jitk_arch main;
	bool has_main;
	size_t nnums;
	unsigned nuncond;
	struct variant v[NVAR];
	jitk_policy *reduced; /* p without what libseccomp does not know */
	size_t ndropped;
	/* kernel */
	bool kernel;
	int ncalls;
	char call_label[KM_MAXCALLS][96];
	char skipped[KM_MAXCALLS][160];
	double ns_none[KM_MAXCALLS];
	double ratio[NVAR][KM_MAXCALLS];
	bool kok[NVAR], none_ok;
	int call_slot[KM_MAXCALLS]; /* which of the 3 columns each measured call fills */
};

/* The targets for jitk against libseccomp's tree; returns how many are met
 * and writes the per-target marks. */
struct targets {
	int t[4]; /* 1 met, 0 not met, -1 n/a */
	char text[4][200];
};

void print_policy(const jitk_policy *p, struct report *r);

void eval_targets(const struct report *r, struct targets *t);

void print_targets(const struct targets *t);

const char *mark(int t);

bool is_met(int t);

void fmt_num(char *buf, size_t cap, double x);

#endif
