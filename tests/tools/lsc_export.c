/* lsc_export.c - libseccomp's program for a policy, for the CLI tests
 * (tests/cli/test_learn.sh explains it): build/tests/tools/lsc_export
 * POLICY OUT [1|2] loads POLICY, drops the (ABI, number) pairs libseccomp
 * does not know, builds the same rules with libseccomp (bench/perf_lsc.c;
 * optimize level 1, its default, or 2, the binary tree) and writes the
 * exported BPF to OUT as raw bytes.  Exit 0 written, 1 otherwise. */
#include "perf_lsc.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: lsc_export POLICY OUT [1|2]\n");
		return 1;
	}
	jitk_policy *p = NULL;
	jitk_diag d;
	if (jitk_policy_load(argv[1], &p, &d)) {
		fprintf(stderr, "%s:%u:%u: %s\n", argv[1], d.line, d.col, d.msg);
		return 1;
	}
	size_t dropped = 0;
	jitk_policy *q = lsc_reduced(p, &dropped);
	int opt = argc == 4 ? atoi(argv[3]) : 1;
	char why[256] = "";
	jitk_filter *f = q ? lsc_build_filter(q, opt, LSC_DIRECT, why, sizeof why) : NULL;
	if (!f && q)
		f = lsc_build_filter(q, opt, LSC_DISJOINT, why, sizeof why);
	int rc = 1;
	if (f) {
		size_t n = jitk_encoded_size(f);
		void *buf = malloc(n);
		FILE *fp = fopen(argv[2], "wb");
		if (buf && fp && !jitk_encode(f, buf, n) && fwrite(buf, 1, n, fp) == n)
			rc = 0;
		if (fp && fclose(fp))
			rc = 1;
		free(buf);
		fprintf(stderr, "lsc_export: %zu instructions (%zu pairs libseccomp lacks dropped)\n",
			jitk_filter_len(f), dropped);
	} else {
		fprintf(stderr, "lsc_export: %s\n", why);
	}
	jitk_filter_free(f);
	if (q)
		lsc_reduced_free(q);
	jitk_policy_free(p);
	return rc;
}
