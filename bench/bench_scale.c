/* bench_scale.c - proof scaling: compile+prove time against policy size.
 *
 * Stress shapes generated here as SCPL text, at growing N up to the
 * 4096-instruction limit (the largest N that still fits is found by
 * bisection):
 *   eq      N equalities on one argument (ioctl arg1 == v_i);
 *   range   N 64-bit ranges on one argument (mmap lo_i <= arg0 <= hi_i);
 *   order   N orderings (<, <=, >, >= on 64-bit values) spread over 30
 *           syscalls and all six arguments;
 *   allsys  the first N syscall names of four ABIs (x86_64, i386, x32,
 *           aarch64), each with a condition;
 *   nested  N random nested rules (&&, ||, !, masks, low32) using every
 *           action.
 * Each row: instructions, parts of the proof, compile+prove time (median of
 * runs, wall and CPU).  The growth exponent is the least-squares slope of
 * log(CPU time) against log(N) over the rows with N >= 64.  Then the
 * shipped policies: median and slowest compile+prove, and compile without
 * the proof against libseccomp's binary tree from the same parsed policy.
 * Targets are printed met or NOT met; nothing is asserted. */
#include "perf_lsc.h"
#include "policy.h"
#include "testlib.h"
#include "verify.h"

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(clockid_t clk)
{
	struct timespec t;
	clock_gettime(clk, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static const char *const sys30[] = {
	"read",       "write",    "openat",   "close",  "fstat",  "mmap",   "mprotect", "munmap",
	"ioctl",      "pread64",  "pwrite64", "readv",  "writev", "socket", "connect",  "accept",
	"sendto",     "recvfrom", "bind",     "listen", "clone",  "fcntl",  "flock",    "fsync",
	"getdents64", "lseek",    "dup",      "dup3",   "pipe2",  "futex",
};
#define NSYS30 (sizeof sys30 / sizeof *sys30)

static const char *const actions[] = { "Allow",  "KillProcess", "KillThread", "Log",
				       "Trap 3", "Errno 5",     "Trace 7",    "Notify" };
#define NACTIONS (sizeof actions / sizeof *actions)

static const char *const ops[] = { "<", "<=", ">", ">=", "==", "!=" };

struct text {
	char *s;
	size_t n, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		if (k >= 0 && (size_t)k < t->cap - t->n) {
			t->n += (size_t)k;
			return;
		}
		t->cap = t->cap ? 2 * t->cap : 4096;
		t->s = realloc(t->s, t->cap);
		if (!t->s)
			abort();
	}
}

/* Every syscall name of the four ABIs, deduplicated, in table order. */
static const char **all_names(size_t *n)
{
	static const char *names[4096];
	static size_t count;
	if (!count) {
		static const jitk_arch abis[] = { JITK_ARCH_X86_64, JITK_ARCH_I386, JITK_ARCH_X32,
						  JITK_ARCH_AARCH64 };
		for (size_t a = 0; a < 4; a++) {
			const char *nm;
			int nr;
			for (size_t i = 0; jitk_syscall_at(abis[a], i, &nm, &nr) && count < 4096; i++) {
				bool dup = false;
				for (size_t j = 0; j < count && !dup; j++)
					dup = strcmp(names[j], nm) == 0;
				if (!dup)
					names[count++] = nm;
			}
		}
	}
	*n = count;
	return names;
}

static void nested_cond(struct text *t, rng_t *r, int depth)
{
	unsigned k = depth > 0 ? rng_below(r, 4) : 3;
	switch (k) {
	case 0:
	case 1:
		put(t, "(");
		nested_cond(t, r, depth - 1);
		put(t, k ? " || " : " && ");
		nested_cond(t, r, depth - 1);
		put(t, ")");
		return;
	case 2:
		put(t, "!(");
		nested_cond(t, r, depth - 1);
		put(t, ")");
		return;
	default: break;
	}
	unsigned a = rng_below(r, 6), form = rng_below(r, 3);
	const char *op = ops[rng_below(r, 6)];
	if (form == 0)
		put(t, "reg64(arg%u) %s 0x%llx", a, op, (unsigned long long)rng_u64(r));
	else if (form == 1)
		/* 16 bits fit every parameter of sys30 (umode_t the narrowest) */
		put(t, "low32(arg%u) %s 0x%x", a, op, rng_u32(r) & 0xffff);
	else
		put(t, "(reg64(arg%u) & 0x%llx) == 0x%llx", a, 0xffull << (8 * rng_below(r, 8)),
		    (unsigned long long)(rng_below(r, 2) ? 0 : 0x11ull << (8 * rng_below(r, 7))));
}

/* The SCPL text of shape `shape` at size n. */
static char *gen(const char *shape, size_t n)
{
	struct text t = { 0 };
	rng_t r;
	rng_seed(&r, 0x5ca1e + n);
	bool four = strcmp(shape, "allsys") == 0;
	put(&t, "{ %sdefault_action = Allow; rules = [\n",
	    four ? "arch = [x86_64; i386; x32; aarch64]; " : "");
	for (size_t i = 0; i < n; i++) {
		unsigned e = (unsigned)(i % 4095) + 1;
		if (strcmp(shape, "eq") == 0) {
			put(&t, "{ action = Errno %u; syscall = ioctl; when = arg1 == %zu };\n", e,
			    7 * i + 1);
		} else if (strcmp(shape, "range") == 0) {
			uint64_t lo = rng_u64(&r), w = rng_u64(&r) >> 24;
			uint64_t hi = lo + w < lo ? UINT64_MAX : lo + w;
			put(&t,
			    "{ action = Errno %u; syscall = mmap; when = arg0 >= 0x%llx && arg0 <= 0x%llx };\n",
			    e, (unsigned long long)lo, (unsigned long long)hi);
		} else if (strcmp(shape, "order") == 0) {
			put(&t, "{ action = Errno %u; syscall = %s; when = reg64(arg%zu) %s 0x%llx };\n", e,
			    sys30[i % NSYS30], i % 6, ops[rng_below(&r, 4)], (unsigned long long)rng_u64(&r));
		} else if (four) {
			size_t nn;
			const char **names = all_names(&nn);
			put(&t, "{ action = Errno %u; syscall = %s; when = arg%zu == %zu };\n", e,
			    names[i % nn], i % 6, i);
		} else {
			put(&t, "{ action = %s; syscall = %s; when = ", actions[i % NACTIONS],
			    sys30[rng_below(&r, NSYS30)]);
			nested_cond(&t, &r, 2);
			put(&t, " };\n");
		}
	}
	put(&t, "] }\n");
	return t.s;
}

struct row {
	size_t n, insns, parts;
	double wall, cpu;
	jitk_err err;
	char msg[300];
};

#define RUNS 3

/* Compile (no proof) to see whether n fits, then time compile+prove. */
static bool measure(const char *shape, size_t n, struct row *row, bool timed)
{
	memset(row, 0, sizeof *row);
	row->n = n;
	char *src = gen(shape, n);
	jitk_policy *p = NULL;
	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_compile_opts nov = { .no_verify = true };
	bool fits = false;
	if (jitk_policy_parse(src, strlen(src), NULL, &p, &d) == JITK_OK &&
	    jitk_compile(p, &nov, &f, &d) == JITK_OK) {
		fits = true;
		row->insns = jitk_filter_len(f);
	} else {
		row->err = JITK_E_TOO_BIG;
		snprintf(row->msg, sizeof row->msg, "%s", d.msg);
	}
	if (fits && timed) {
		double wall[RUNS] = { 0 }, cpu[RUNS] = { 0 };
		int runs = n > 512 ? 1 : RUNS;
		for (int k = 0; k < runs; k++) {
			double w0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
			jitk_filter *g = NULL;
			row->err = jitk_compile(p, NULL, &g, &d);
			wall[k] = now_ms(CLOCK_MONOTONIC) - w0;
			cpu[k] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
			jitk_filter_free(g);
			if (row->err)
				snprintf(row->msg, sizeof row->msg, "%s", d.msg);
		}
		qsort(wall, (size_t)runs, sizeof *wall, cmp_double);
		qsort(cpu, (size_t)runs, sizeof *cpu, cmp_double);
		row->wall = wall[runs / 2];
		row->cpu = cpu[runs / 2];
		struct verify_stats st = { 0 };
		jitk_side a = { .policy = p }, b = { .filter = f };
		size_t nc;
		jitk_cex x;
		verify_equiv(a, b, 0, &x, 1, &nc, &st, &d);
		row->parts = st.nparts;
	}
	jitk_filter_free(f);
	jitk_policy_free(p);
	free(src);
	return fits;
}

static void shape_table(const char *shape, const char *what, bool *all_ok)
{
	struct row rows[32];
	size_t nr = 0, lastfit = 0, firstbig = 0;
	char why[300] = ""; /* why the first size that does not fit did not */
	for (size_t n = 16; n <= 16384 && nr < 30; n *= 2) {
		if (!measure(shape, n, &rows[nr], true)) {
			firstbig = n;
			snprintf(why, sizeof why, "%s", rows[nr].msg);
			break;
		}
		lastfit = n;
		if (getenv("SCALE_TRACE"))
			fprintf(stderr, "%s %zu: %zu insns %zu parts %.1f ms CPU\n", shape, n,
				rows[nr].insns, rows[nr].parts, rows[nr].cpu);
		nr++;
	}
	if (firstbig && lastfit) { /* the largest n that fits, by bisection */
		size_t lo = lastfit, hi = firstbig;
		struct row tmp;
		while (hi - lo > 1 + lo / 64) {
			size_t mid = lo + (hi - lo) / 2;
			if (measure(shape, mid, &tmp, false)) {
				lo = mid;
			} else {
				hi = mid;
				snprintf(why, sizeof why, "%s", tmp.msg);
			}
		}
		if (lo != lastfit && measure(shape, lo, &rows[nr], true))
			nr++;
	}
	printf("\n**%s** (%s)\n\n", shape, what);
	printf("| N | BPF insns | parts | compile+prove ms (wall) | (CPU) | result |\n");
	printf("|---:|---:|---:|---:|---:|---|\n");
	double sx = 0, sy = 0, sxx = 0, sxy = 0, worst = 0;
	int k = 0;
	bool ok = true;
	for (size_t i = 0; i < nr; i++) {
		struct row *w = &rows[i];
		printf("| %zu | %zu | %zu | %.1f | %.1f | %s |\n", w->n, w->insns, w->parts, w->wall,
		       w->cpu, w->err ? w->msg : "proved");
		ok &= w->err == JITK_OK;
		if (w->cpu > worst)
			worst = w->cpu;
		if (w->n >= 64 && w->cpu > 0) {
			double x = log((double)w->n), y = log(w->cpu);
			sx += x, sy += y, sxx += x * x, sxy += x * y;
			k++;
		}
	}
	double slope = k >= 2 ? (k * sxy - sx * sy) / (k * sxx - sx * sx) : 0;
	bool met = nr && ok && worst <= 1000;
	printf("\ngrowth exponent (CPU time ~ N^e, N >= 64): e = %.2f; largest N that fits: %zu; "
	       "slowest %.0f ms CPU: %s\n",
	       slope, nr ? rows[nr - 1].n : 0, worst,
	       met   ? "met (<= 1 s, every size proved)"
	       : !nr ? "NOT met (no size compiled)"
	       : ok  ? "NOT met (over 1 s)"
		     : "NOT met (a size failed to prove)");
	if (firstbig)
		printf("(a larger N does not compile: %s)\n", why);
	*all_ok &= met;
}

/* Runs of the cheap measures (compile without the proof, libseccomp's
 * tree), interleaved, so that a burst of load on the shared machine hits
 * both alike; the median is kept. */
#define FAST_RUNS 15

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void shipped(void)
{
	glob_t gl;
	if (!test_policy_files(&gl)) {
		printf("\nno policies/ here (run from the repository root)\n");
		return;
	}
	size_t n = gl.gl_pathc;
	double *cp = calloc(n, sizeof *cp);
	size_t m = 0, slower = 0, compared = 0, nnear = 0, nreduced = 0;
	double worst = 0, top_ratio = 0;
	const char *worst_name = "", *top_name = "";
	printf("\n### Shipped policies\n\n");
	printf("Compile without the proof (IR, code, checker) against libseccomp's binary tree\n"
	       "(seccomp_rule_add.. + export, OPTIMIZE = 2) from the same parsed policy, in the\n"
	       "same run: CPU ms, median of %d interleaved runs; target: jitk no slower.\n"
	       "libseccomp's compares are at jitk's argument widths (docs/scpl.md), so that it\n"
	       "builds the same policy; ~: it cannot (an ordering or != on a 32-bit\n"
	       "parameter), and builds its rules on whole arguments instead.  (-N): libseccomp\n"
	       "lacks N of the policy's (ABI, number) pairs (its tables are older than the\n"
	       "kernel's), so both sides compile the policy without them (compile only).\n\n",
	       FAST_RUNS);
	printf("| policy | compile+prove ms (CPU) | compile only ms | libseccomp tree ms | ratio | "
	       "no slower than libseccomp |\n");
	printf("|---|---:|---:|---:|---:|---|\n");
	for (size_t i = 0; i < n; i++) {
		jitk_policy *p = NULL;
		jitk_diag d;
		if (jitk_policy_load(gl.gl_pathv[i], &p, &d))
			continue;
		double c[RUNS], nv[FAST_RUNS], ls[FAST_RUNS];
		jitk_compile_opts nov = { .no_verify = true };
		/* libseccomp's rules at jitk's argument widths (the same policy);
		 * where libseccomp cannot say that (a 32-bit ordering or !=), its
		 * rules on whole arguments, the nearest policy, marked ~ */
		char why[200] = "";
		enum lsc_mode mode = LSC_DIRECT | LSC_WIDTHS;
		jitk_filter *probe = lsc_build_filter(p, 2, mode, why, sizeof why);
		if (!probe) {
			mode = LSC_DIRECT;
			probe = lsc_build_filter(p, 2, mode, why, sizeof why);
		}
		/* Where libseccomp lacks some (ABI, number) pairs of the policy
		 * (its tables are older than the kernel's: Docker's profile), both
		 * sides compile the policy without those pairs, marked -N */
		jitk_policy *q = NULL;
		size_t ndropped = 0;
		if (!probe && (q = lsc_reduced(p, &ndropped)) != NULL) {
			mode = LSC_DIRECT | LSC_WIDTHS;
			probe = lsc_build_filter(q, 2, mode, why, sizeof why);
			if (!probe) {
				mode = LSC_DIRECT;
				probe = lsc_build_filter(q, 2, mode, why, sizeof why);
			}
		}
		const jitk_policy *cmp_p = q && probe ? q : p;
		bool lsc_ok = probe != NULL, near = lsc_ok && mode == LSC_DIRECT;
		jitk_filter_free(probe);
		for (int k = 0; k < RUNS; k++) {
			jitk_filter *f = NULL;
			double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
			jitk_compile(p, NULL, &f, &d);
			c[k] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
			jitk_filter_free(f);
		}
		for (int k = 0; k < FAST_RUNS; k++) {
			jitk_filter *f = NULL;
			double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
			jitk_compile(cmp_p, &nov, &f, &d);
			nv[k] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
			jitk_filter_free(f);
			c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
			f = lsc_build_filter(cmp_p, 2, mode, why, sizeof why);
			ls[k] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
			lsc_ok &= f != NULL;
			jitk_filter_free(f);
		}
		double cm = median_of(c, RUNS), nm = median_of(nv, FAST_RUNS), lm = median_of(ls, FAST_RUNS);
		cp[m++] = cm;
		if (cm > worst) {
			worst = cm;
			worst_name = gl.gl_pathv[i] + 9;
		}
		if (lsc_ok) {
			compared++;
			slower += nm > lm;
			nnear += near;
			if (nm / (lm > 0 ? lm : 1e-9) > top_ratio) {
				top_ratio = nm / (lm > 0 ? lm : 1e-9);
				top_name = gl.gl_pathv[i] + 9;
			}
			char red[64] = "";
			if (cmp_p != p) {
				snprintf(red, sizeof red, " (-%zu)", ndropped);
				nreduced++;
			}
			printf("| %s%s | %.1f | %.3f | %s%.3f | %.2f | %s |\n", gl.gl_pathv[i] + 9, red, cm,
			       nm, near ? "~" : "", lm, nm / (lm > 0 ? lm : 1e-9),
			       nm > lm ? "NOT met" : "met");
		} else {
			printf("| %s | %.1f | %.3f | (libseccomp cannot express it: %s) | | n/a |\n",
			       gl.gl_pathv[i] + 9, cm, nm, why);
		}
		lsc_reduced_free(q);
		jitk_policy_free(p);
	}
	qsort(cp, m, sizeof *cp, cmp_double);
	double med = m ? (m % 2 ? cp[m / 2] : (cp[m / 2 - 1] + cp[m / 2]) / 2) : 0;
	printf("\n%zu shipped policies: median compile+prove %.1f ms (target <= 100): %s; slowest %s "
	       "%.1f ms (target <= 250): %s.\n",
	       m, med, med <= 100 ? "met" : "NOT met", worst_name, worst, worst <= 250 ? "met" : "NOT met");
	printf("Compile without the proof vs libseccomp's tree: jitk slower on %zu of %zu policies "
	       "libseccomp can express (%zu of them ~: libseccomp's rules on whole arguments, "
	       "as it cannot compare at jitk's widths; %zu -N: without the pairs libseccomp lacks): %s.\n",
	       slower, compared, nnear, nreduced, slower ? "NOT met" : "met");
	if (compared)
		printf("Highest ratio jitk / libseccomp: %.2f (%s).\n", top_ratio, top_name);
	free(cp);
	globfree(&gl);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *only = argc > 1 ? argv[1] : NULL; /* one shape, or "shipped" */
	printf("## Proof scaling (compile + prove, default options)\n\n");
	printf("CPU milliseconds are the measure (the machine's 2 cores are shared, so wall time\n"
	       "is also shown but varies with the load).  Target: every size that fits in 4096\n"
	       "instructions proves, each in at most 1 s; growth aim: linear (e close to 1).\n");
	bool ok = true;
	static const char *const shapes[][2] = {
		{ "eq", "N equalities on one argument" },
		{ "range", "N 64-bit ranges on one argument" },
		{ "order", "N orderings over 30 syscalls and all six arguments" },
		{ "allsys", "the first N syscalls of four ABIs, each with a condition" },
		{ "nested", "N random nested rules using every action" },
	};
	for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
		if (!only || !strcmp(only, shapes[i][0]))
			shape_table(shapes[i][0], shapes[i][1], &ok);
	if (!only)
		printf("\nStress shapes: %s\n", ok ? "every target met" : "some target NOT met (see above)");
	if (!only || !strcmp(only, "shipped"))
		shipped();
	return 0;
}
