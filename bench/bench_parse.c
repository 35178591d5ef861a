/* bench_parse.c - SCPL parse time against policy size: it must stay linear.
 *
 * Policies of 1k, 4k, 16k and 64k lines (one rule per line, syscall names
 * and conditions varied), parsed with jitk_policy_parse; the median of a few
 * runs in wall-clock and CPU milliseconds, the CPU cost per line, and that
 * cost relative to the 1k policy's (about 1 for a linear parser, whatever
 * else the machine is doing; the parser used to find
 * each rule's line by rescanning the text from the start, quadratic: 4,000
 * rules 1.7 s, 16,000 rules 25 s).  Prints a markdown section; no
 * assertions. */
#include "jitk.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 7

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

/* A policy of n rule lines plus a header and a footer. */
static char *make_policy(size_t n, size_t *len)
{
	struct strbuf sb = { 0 };
	sb_printf(&sb,
		  "# %zu rules\n{ arch = [x86_64; i386];\n  default_action = Errno EPERM;\n  rules = [\n", n);
	const char *name;
	size_t nsys = 0;
	while (jitk_syscall_at(JITK_ARCH_X86_64, nsys, &name, NULL))
		nsys++;
	if (nsys == 0) { /* no table: no policy to time */
		free(sb.buf);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		jitk_syscall_at(JITK_ARCH_X86_64, i % nsys, &name, NULL);
		switch (i % 3) {
		case 0: sb_printf(&sb, "    { action = Allow; syscall = %s };\n", name); break;
		case 1:
			sb_printf(&sb,
				  "    { action = Errno EACCES; syscall = %s; when = arg0 == %zu && (arg1 & O_CLOEXEC) == 0 };\n",
				  name, i);
			break;
		default:
			sb_printf(&sb,
				  "    { action = Trap %zu; syscalls = [%s; 1]; when = !(arg2 > 0x%zx) || arg3 <= 7 };\n",
				  i % 65536, name, i * 16);
		}
	}
	sb_printf(&sb, "  ] }\n");
	char *text = NULL;
	if (sb_finish(&sb, &text))
		return NULL;
	*len = strlen(text);
	return text;
}

int main(void)
{
	static const size_t sizes[] = { 1000, 4000, 16000, 64000 };
	printf("## SCPL parse time (jitk_policy_parse)\n\n");
	printf("One rule per line; median of %d runs.  \"vs 1k\" is the CPU cost per line\n", RUNS);
	printf("relative to the 1k-line policy: about 1 when parsing is linear (it was\n");
	printf("quadratic: 4,000 rules took 1.7 s and 16,000 rules 25 s).\n\n");
	printf("| lines | bytes | wall ms | CPU ms | CPU us/line | vs 1k |\n");
	printf("|------:|------:|--------:|-------:|------------:|------:|\n");
	double base = 0;
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		size_t len = 0;
		char *text = make_policy(sizes[k], &len);
		if (!text) {
			printf("| %zu | out of memory or no syscall table | | | | |\n", sizes[k]);
			continue;
		}
		double t[RUNS], c[RUNS];
		for (int r = 0; r < RUNS; r++) {
			jitk_policy *p = NULL;
			jitk_diag d;
			double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
			jitk_err e = jitk_policy_parse(text, len, "bench.scpl", &p, &d);
			c[r] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
			t[r] = now_ms(CLOCK_MONOTONIC) - t0;
			if (e) {
				printf("| %zu | %zu | error: %s | | | |\n", sizes[k], len, d.msg);
				break;
			}
			jitk_policy_free(p);
		}
		qsort(t, RUNS, sizeof *t, cmp_double);
		qsort(c, RUNS, sizeof *c, cmp_double);
		double med = t[RUNS / 2], cpu = c[RUNS / 2], per = cpu * 1e3 / (double)sizes[k];
		if (k == 0)
			base = per;
		printf("| %zu | %zu | %.1f | %.1f | %.2f | %.2f |\n", sizes[k], len, med, cpu, per,
		       base > 0 ? per / base : 0);
		free(text);
	}
	printf("\n");
	return 0;
}
