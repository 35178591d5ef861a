/* bench_jit.c - interpreter vs JIT: evaluations per second, native code
 * size, compile (check + generate + validate + map) time.  Prints a markdown
 * section.
 *
 * Filters: each .scpl file under policies/ (and one directory down) that
 * compiles (jitk_compile without the SMT proof), and a worst case for the
 * interpreter: a straight-line program of 4096 instructions (4095 ALU
 * operations and RET A), every one executed.
 *
 * Fairness.  The interpreter is interp_run, the reference (the checker ran
 * once, at compile time, as the kernel's does at load time), called
 * directly; the JIT is called through its function pointer.  Both loops are
 * the same: input i & 255 of the same 256 inputs, every batch a whole number
 * of passes over them, every result added into a sum that is stored to a
 * volatile, so nothing is optimised away.  Before timing, both sides are
 * run on all 256 inputs and must agree.  The machine may be shared and
 * its speed drifts, so the two sides alternate: REPEATS rounds of one
 * interpreter batch then one JIT batch (each a few milliseconds of CPU
 * time, CLOCK_PROCESS_CPUTIME_ID), after one untimed warm-up round.  The
 * table gives the median rate of each side and their ratio, and the
 * smallest and largest ratio of a single round. */
#include "jitk.h"
#include "interp.h"
#include "testlib.h"

#include <glob.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NINPUTS 256 /* a power of two: input i & (NINPUTS - 1) */
#define REPEATS 11

static volatile uint32_t sink;

static double now(void)
{
	struct timespec ts;
	/* CPU time of this process: the machine may be shared (make -j, other
	 * benchmarks), and wall time would count time spent descheduled. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Realistic inputs: x86-64 (one in 32 i386), syscall numbers 0..255, small
 * arguments with a few large ones. */
static void make_inputs(struct seccomp_data *in)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < NINPUTS; i++) {
		memset(&in[i], 0, sizeof in[i]);
		in[i].arch = i % 32 == 31 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
		in[i].nr = i;
		in[i].instruction_pointer = 0x7f0000001000ull;
		for (int a = 0; a < 6; a++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			in[i].args[a] = s % 4 ? s % 64 : s;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Seconds of CPU for `passes` passes over the inputs, each side. */
static double time_interp(const jitk_insn *p, size_t n, const struct seccomp_data *in, unsigned long passes)
{
	uint32_t acc = 0;
	unsigned long iters = passes * NINPUTS;
	double t0 = now();
	for (unsigned long i = 0; i < iters; i++) {
		jitk_result r;
		interp_run(p, n, &in[i & (NINPUTS - 1)], &r);
		acc += r.ret;
	}
	double t = now() - t0;
	sink = acc;
	return t;
}

static double time_jit(jitk_jit_fn fn, const struct seccomp_data *in, unsigned long passes)
{
	uint32_t acc = 0;
	unsigned long iters = passes * NINPUTS;
	double t0 = now();
	for (unsigned long i = 0; i < iters; i++)
		acc += fn(&in[i & (NINPUTS - 1)]);
	double t = now() - t0;
	sink = acc;
	return t;
}

/* Passes per batch such that one batch takes about `target` seconds. */
static unsigned long calibrate(double one_pass, double target)
{
	double k = one_pass > 0 ? target / one_pass : 1000;
	return k < 1 ? 1 : k > 1e6 ? 1000000 : (unsigned long)k;
}

/* One measured filter. */
struct row {
	char name[96];
	jitk_filter *f;
	jitk_jit *j;
	double ctime[REPEATS + 1];       /* compile seconds, per image */
	unsigned long ip, jp;            /* passes per batch, each side */
	double ri[REPEATS], rj[REPEATS]; /* evaluations per second, per round */
};

/* Compile, check the two sides agree on every input, size the batches
 * (~3 ms each) with an untimed warm-up.  false (and a table line saying
 * why) if the filter cannot be measured. */
static bool row_prepare(struct row *w, const struct seccomp_data *in)
{
	const jitk_insn *p = jitk_filter_insns(w->f);
	size_t n = jitk_filter_len(w->f);
	jitk_diag d;
	double c0 = now();
	jitk_err err = jitk_jit_compile(w->f, &w->j, &d);
	w->ctime[REPEATS] = now() - c0;
	if (err) {
		printf("| %s | %zu | JIT failed: %s | | | | | | |\n", w->name, n, d.msg);
		return false;
	}
	jitk_jit_fn fn = jitk_jit_func(w->j);
	for (int i = 0; i < NINPUTS; i++) {
		jitk_result r;
		interp_run(p, n, &in[i], &r);
		if (fn(&in[i]) != r.ret) {
			printf("| %s | %zu | JIT and interpreter disagree on input %d | | | | | | |\n",
			       w->name, n, i);
			return false;
		}
	}
	w->ip = calibrate(time_interp(p, n, in, 1), 3e-3);
	w->jp = calibrate(time_jit(fn, in, 1), 3e-3);
	return true;
}

/* Round r: a fresh image (where an image lands changes the cost of the
 * call into it, see docs/jit.md, so each round draws a new placement), one
 * interpreter batch, then one JIT batch. */
static bool row_round(struct row *w, int r, const struct seccomp_data *in)
{
	const jitk_insn *p = jitk_filter_insns(w->f);
	size_t n = jitk_filter_len(w->f);
	jitk_jit_free(w->j);
	w->j = NULL;
	double c0 = now();
	if (jitk_jit_compile(w->f, &w->j, NULL) != JITK_OK)
		return false;
	w->ctime[r] = now() - c0;
	w->ri[r] = (double)(w->ip * NINPUTS) / time_interp(p, n, in, w->ip);
	w->rj[r] = (double)(w->jp * NINPUTS) / time_jit(jitk_jit_func(w->j), in, w->jp);
	return true;
}

/* Print the table line; returns the speed-up (ratio of the medians). */
static double row_print(struct row *w)
{
	size_t n = jitk_filter_len(w->f), len;
	jitk_jit_code(w->j, &len);
	double ratio[REPEATS];
	for (int r = 0; r < REPEATS; r++)
		ratio[r] = w->rj[r] / w->ri[r];
	double ei = median(w->ri, REPEATS), ej = median(w->rj, REPEATS);
	qsort(ratio, REPEATS, sizeof ratio[0], cmp_double);
	double speedup = ej / ei;
	double ct = median(w->ctime, REPEATS + 1);
	printf("| %s | %zu | %zu | %.1f | %.0f | %.2e | %.2e | %.1fx | %.1f-%.1f |\n", w->name, n, len,
	       (double)len / (double)n, ct * 1e6, ei, ej, speedup, ratio[0], ratio[REPEATS - 1]);
	return speedup;
}

/* The straight-line worst case: ld [16], 4094 ALU operations with
 * constants (add, xor, mul, sub, or, rsh 1 in turn), ret a. */
static jitk_filter *worst_case(void)
{
	static jitk_insn big[JITK_MAXINSNS];
	static const uint16_t ops[] = { BPF_ADD, BPF_XOR, BPF_MUL, BPF_SUB, BPF_OR, BPF_RSH };
	big[0] = (jitk_insn){ BPF_LD | BPF_W | BPF_ABS, 0, 0, 16 };
	for (size_t i = 1; i < JITK_MAXINSNS - 1; i++)
		big[i] = (jitk_insn){ (uint16_t)(BPF_ALU | ops[i % 6] | BPF_K), 0, 0,
				      ops[i % 6] == BPF_RSH ? 1u : (uint32_t)(i * 2654435761u) | 1u };
	big[JITK_MAXINSNS - 1] = (jitk_insn){ BPF_RET | BPF_A, 0, 0, 0 };
	jitk_filter *f = NULL;
	return jitk_filter_new(big, JITK_MAXINSNS, &f) == JITK_OK ? f : NULL;
}

int main(void)
{
	static struct seccomp_data in[NINPUTS];
	make_inputs(in);
#if !defined(__x86_64__)
	printf("## JIT\n\nNot an x86-64 host: the JIT is not available.\n");
	return 0;
#endif
	printf("## JIT: interpreter vs x86-64 code\n\n");
	printf("Evaluations per second of the reference interpreter (interp_run) and of the\n"
	       "validated JIT code on the same %d x86-64 inputs (nr 0..255).  %d rounds, each\n"
	       "timing every filter once (a freshly compiled image, an interpreter batch, then a\n"
	       "JIT batch, ~3 ms of CPU each), so a filter's rounds spread over the whole run\n"
	       "and over several placements of its image; the table gives the median rate of\n"
	       "each side, speed-up = ratio of the medians, range = smallest and largest ratio\n"
	       "within one round.  Native size in bytes; compile = check + generate + validate\n"
	       "+ map, median CPU microseconds.\n\n",
	       NINPUTS, REPEATS);
	printf("| filter | BPF insns | native bytes | bytes/insn | compile us | interp eval/s | JIT eval/s | speed-up | range |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");

	glob_t g;
	bool have = test_policy_files(&g);
	size_t cap = (have ? g.gl_pathc : 0) + 1, nrows = 0;
	struct row *rows = calloc(cap, sizeof *rows);
	if (!rows)
		return 1;
	for (size_t i = 0; have && i < g.gl_pathc; i++) {
		jitk_policy *pol = NULL;
		jitk_diag d;
		jitk_compile_opts opts = { .no_verify = true };
		struct row *w = &rows[nrows];
		if (jitk_policy_load(g.gl_pathv[i], &pol, &d) == JITK_OK &&
		    jitk_compile(pol, &opts, &w->f, &d) == JITK_OK) {
			snprintf(w->name, sizeof w->name, "%s", g.gl_pathv[i] + strlen("policies/"));
			if (row_prepare(w, in))
				nrows++;
			else
				jitk_jit_free(w->j), jitk_filter_free(w->f), memset(w, 0, sizeof *w);
		}
		jitk_policy_free(pol);
	}
	if (have)
		globfree(&g);
	size_t npol = nrows;
	struct row *w = &rows[nrows];
	snprintf(w->name, sizeof w->name, "worst case: 4096 straight-line");
	if ((w->f = worst_case()) && row_prepare(w, in))
		nrows++;

	for (int r = 0; r < REPEATS; r++)
		for (size_t i = 0; i < nrows; i++)
			if (!row_round(&rows[i], r, in)) {
				printf("\n%s: JIT compile failed in round %d\n", rows[i].name, r);
				return 1;
			}

	size_t below = 0;
	double lo = 1e9, hi = 0, worst = 0;
	for (size_t i = 0; i < nrows; i++) {
		double sp = row_print(&rows[i]);
		if (i < npol) {
			below += sp < 10;
			lo = sp < lo ? sp : lo;
			hi = sp > hi ? sp : hi;
		} else {
			worst = sp;
		}
		jitk_jit_free(rows[i].j);
		jitk_filter_free(rows[i].f);
	}
	free(rows);
	printf("\n%zu policy filters measured, speed-up %.1fx to %.1fx (%zu below 10x); worst case "
	       "%.1fx.  Target: JIT >= 10x the interpreter on every row.\n",
	       npol, npol ? lo : 0, hi, below, worst);
	return 0;
}
