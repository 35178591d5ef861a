/* bench_jit.c - interpreter vs JIT: evaluations per second, native code
 * size, compile (generate + validate) time.  Prints a markdown section.
 *
 * Filters: each .scpl file under policies/ that compiles (jitk_compile without the
 * SMT proof), and a worst case for the interpreter: a straight-line program
 * of 4096 instructions (4095 ALU operations and RET A), every one executed.
 * The interpreter is interp_run, the reference (the checker ran once, at
 * compile time, as the kernel's does at load time).  Fixed iteration
 * counts, clock_gettime(CLOCK_PROCESS_CPUTIME_ID); no assertions. */
#include "jitk.h"
#include "interp.h"

#include <glob.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NINPUTS 256

static volatile uint32_t sink;

static double now(void)
{
	struct timespec ts;
	/* CPU time of this process: the machine may be shared (make -j, other
	 * benchmarks), and wall time would count time spent descheduled. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Realistic inputs: x86-64, syscall numbers 0..255, small arguments. */
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

static void bench_one(const char *name, const jitk_filter *f, unsigned long iters,
		      const struct seccomp_data *in)
{
	const jitk_insn *p = jitk_filter_insns(f);
	size_t n = jitk_filter_len(f);
	jitk_jit *j = NULL;
	jitk_diag d;
	double c0 = now();
	jitk_err err = jitk_jit_compile(f, &j, &d);
	double ctime = now() - c0;
	if (err) {
		printf("| %s | %zu | JIT failed: %s | | | | | |\n", name, n, d.msg);
		return;
	}
	size_t len;
	jitk_jit_code(j, &len);
	jitk_jit_fn fn = jitk_jit_func(j);

	/* Interpreter: fewer iterations, it is the slow side. */
	unsigned long iiters = iters / 10 ? iters / 10 : 1;
	uint32_t acc = 0;
	double t0 = now();
	for (unsigned long i = 0; i < iiters; i++) {
		jitk_result r;
		interp_run(p, n, &in[i % NINPUTS], &r);
		acc += r.ret;
	}
	double ti = now() - t0;
	t0 = now();
	for (unsigned long i = 0; i < iters; i++)
		acc += fn(&in[i % NINPUTS]);
	double tj = now() - t0;
	sink = acc;
	double ei = (double)iiters / ti, ej = (double)iters / tj;
	printf("| %s | %zu | %zu | %.1f | %.0f | %.2e | %.2e | %.1fx |\n", name, n, len,
	       (double)len / (double)n, ctime * 1e6, ei, ej, ej / ei);
	jitk_jit_free(j);
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
	       "validated JIT code on %d x86-64 inputs (nr 0..255), fixed iteration counts;\n"
	       "native size in bytes; compile = check + generate + validate + map, CPU microseconds.\n\n",
	       NINPUTS);
	printf("| filter | BPF insns | native bytes | bytes/insn | compile us | interp eval/s | JIT eval/s | speed-up |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");

	glob_t g;
	memset(&g, 0, sizeof g);
	int rc = glob("policies/*.scpl", 0, NULL, &g);
	if (rc == 0)
		glob("policies/*/*.scpl", GLOB_APPEND, NULL, &g);
	size_t done = 0;
	for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
		jitk_policy *pol = NULL;
		jitk_filter *f = NULL;
		jitk_diag d;
		jitk_compile_opts opts = { .no_verify = true };
		if (jitk_policy_load(g.gl_pathv[i], &pol, &d) == JITK_OK &&
		    jitk_compile(pol, &opts, &f, &d) == JITK_OK) {
			const char *name = g.gl_pathv[i] + strlen("policies/");
			bench_one(name, f, 2000000, in);
			done++;
		}
		jitk_filter_free(f);
		jitk_policy_free(pol);
	}
	globfree(&g);

	/* Worst case: 4096 straight-line instructions, all executed. */
	static jitk_insn big[JITK_MAXINSNS];
	static const uint16_t ops[] = { BPF_ADD, BPF_XOR, BPF_MUL, BPF_SUB, BPF_OR, BPF_RSH };
	big[0] = (jitk_insn){ BPF_LD | BPF_W | BPF_ABS, 0, 0, 16 };
	for (size_t i = 1; i < JITK_MAXINSNS - 1; i++)
		big[i] = (jitk_insn){ (uint16_t)(BPF_ALU | ops[i % 6] | BPF_K), 0, 0,
				      ops[i % 6] == BPF_RSH ? 1u : (uint32_t)(i * 2654435761u) | 1u };
	big[JITK_MAXINSNS - 1] = (jitk_insn){ BPF_RET | BPF_A, 0, 0, 0 };
	jitk_filter *f = NULL;
	if (jitk_filter_new(big, JITK_MAXINSNS, &f) == JITK_OK) {
		bench_one("worst case: 4096 straight-line", f, 200000, in);
		jitk_filter_free(f);
	}
	printf("\n%zu policy filters measured.  Target: JIT >= 10x the interpreter.\n", done);
	return 0;
}
