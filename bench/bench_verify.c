/* bench_verify.c - how long the Z3 proofs take, per shipped policy.
 *
 * For every policies/ (and subfolder) file: compile without the proof, then
 * time jitk_verify(policy, filter) -- the translation validation every
 * `jitk compile` runs -- and, beside it, jit_prove(filter, image) -- the
 * per-image proof every jitk_jit_compile runs on the emitter's image -- as
 * the median of a few runs, in wall-clock and CPU milliseconds, and the
 * JIT proof's Z3 resource count (the deterministic budget it is held to,
 * JIT_PROVE_DEFAULT_RLIMIT).  Prints a markdown section; no assertions. */
#include "policy.h"
#include "testlib.h"
#include "jit_prove.h"
#include "jit_x86.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 5

static double ms_since(const struct timespec *a, clockid_t clk)
{
	struct timespec b;
	clock_gettime(clk, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	glob_t gl;
	if (!test_policy_files(&gl)) {
		printf("## Verification time\n\nno policies/ here (run from the repository root)\n");
		return 0;
	}
	printf("## Verification time (Z3 proof that the filter equals the policy)\n\n");
	printf("jitk_verify on the compiled filter of each policy, median of %d runs;\n", RUNS);
	printf("the target is under 1 s for the largest policy.  Beside it, the JIT's\n");
	printf("per-image proof (jit_prove: the x86-64 image equals the filter) and its\n");
	printf("Z3 resource count (deterministic; the budget is %u).\n\n", JIT_PROVE_DEFAULT_RLIMIT);
	printf("| policy | rules | BPF insns | verify ms (wall) | verify ms (CPU) | result | x86 bytes | JIT proof ms (wall) | JIT proof ms (CPU) | JIT proof rlimit | JIT proof |\n");
	printf("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|\n");
	double worst = 0, jworst = 0;
	const char *jworst_name = "";
	const char *worst_name = "";
	for (size_t i = 0; i < gl.gl_pathc; i++) {
		const char *path = gl.gl_pathv[i];
		jitk_policy *p = NULL;
		jitk_filter *f = NULL;
		jitk_diag d;
		jitk_compile_opts opts = { .no_verify = true };
		if (jitk_policy_load(path, &p, &d) || jitk_compile(p, &opts, &f, &d)) {
			printf("| %s | | | | | does not compile: %s |\n", path + 9, d.msg);
			jitk_policy_free(p);
			continue;
		}
		double wall[RUNS], cpu[RUNS];
		jitk_err err = JITK_OK;
		for (int r = 0; r < RUNS; r++) {
			struct timespec w, c;
			clock_gettime(CLOCK_MONOTONIC, &w);
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
			err = jitk_verify(p, f, 0, NULL, &d);
			wall[r] = ms_since(&w, CLOCK_MONOTONIC);
			cpu[r] = ms_since(&c, CLOCK_PROCESS_CPUTIME_ID);
		}
		qsort(wall, RUNS, sizeof *wall, cmp_double);
		qsort(cpu, RUNS, sizeof *cpu, cmp_double);
		printf("| %s | %zu | %zu | %.1f | %.1f | %s |", path + 9, p->nrules, jitk_filter_len(f),
		       wall[RUNS / 2], cpu[RUNS / 2], err ? jitk_strerror(err) : "proved equal");
		uint8_t *code = NULL;
		uint32_t *offs = NULL;
		size_t len = 0;
		double jw[RUNS], jc[RUNS];
		struct jit_proof res = { 0 };
		jitk_err jerr =
			jit_generate(jitk_filter_insns(f), jitk_filter_len(f), &code, &len, &offs, &d);
		for (int r = 0; r < RUNS && !jerr; r++) {
			struct timespec w, c;
			clock_gettime(CLOCK_MONOTONIC, &w);
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
			jerr = jit_prove(f, code, len, 0, 0, false, &res, &d);
			jw[r] = ms_since(&w, CLOCK_MONOTONIC);
			jc[r] = ms_since(&c, CLOCK_PROCESS_CPUTIME_ID);
		}
		if (jerr) {
			printf(" %zu | | | | %s |\n", len, jitk_strerror(jerr));
		} else {
			qsort(jw, RUNS, sizeof *jw, cmp_double);
			qsort(jc, RUNS, sizeof *jc, cmp_double);
			printf(" %zu | %.1f | %.1f | %llu | proved equal |\n", len, jw[RUNS / 2],
			       jc[RUNS / 2], (unsigned long long)res.rlimit_used);
			if (jc[RUNS / 2] > jworst) {
				jworst = jc[RUNS / 2];
				jworst_name = path + 9;
			}
		}
		free(code);
		free(offs);
		if (wall[RUNS / 2] > worst) {
			worst = wall[RUNS / 2];
			worst_name = path + 9;
		}
		jitk_filter_free(f);
		jitk_policy_free(p);
	}
	printf("\nSlowest: %s, %.1f ms (target < 1000 ms): %s\n", worst_name, worst,
	       worst < 1000 ? "met" : "NOT met");
	printf("Slowest JIT proof: %s, %.1f ms of CPU\n", jworst_name, jworst);
	globfree(&gl);
	return 0;
}
