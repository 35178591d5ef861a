/*
 * cmd_explain.c - `jitk explain FILTER|POLICY [--arch A] [--scpl] [-o OUT]`:
 * what a filter does, as SCPL rules decompiled from the BPF (src/explain.c),
 * proved equal to the filter with Z3.
 *
 * Without --scpl the rules are printed (standard output or -o), for
 * reading; --arch A keeps one ABI's rules.  With --scpl the output is a
 * complete policy and is written only once jitk_equiv has proved it equal
 * to the filter for every input: any filter (libseccomp's, a dumped one)
 * becomes a readable, proven policy.  A POLICY input is compiled first; a
 * stack F1+F2+... becomes one filter first (jitk stack).
 * Exit: 0; 1 unreadable, not decompilable, or (never expected) not equal;
 * 2 bad command line; 3 the proof was undecided (timeout).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define EXPLAIN_USAGE \
	"explain FILTER|POLICY [--arch A] [--scpl] [-o OUT] [--no-verify] [--timeout MS] [--from raw|text|auto]"

/* The filter to explain: a stack F1+F2+... as one filter, a filter read
 * as --from says, or (by content) a filter, a policy or a profile, compiled
 * first -- the same reading as stack and diff (cli_load_filter_or_policy). */
static jitk_filter *input(const char *in, enum cli_format from)
{
	if (cli_is_stack_operand(in))
		return cli_stack_filter(in, 0);
	if (from != FMT_AUTO)
		return cli_read_filter(in, from);
	return cli_load_filter_or_policy(in, 0);
}

int cmd_explain(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	enum cli_format from = FMT_AUTO;
	unsigned abis = (1u << JITK_ARCH__COUNT) - 1;
	bool scpl = false, no_verify = false;
	unsigned timeout = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n", EXPLAIN_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!(out = cli_opt_value(argc, argv, &i)))
				return cli_usage(EXPLAIN_USAGE, "%s needs a file name", a);
		} else if (!strcmp(a, "--arch")) {
			const char *v = cli_opt_value(argc, argv, &i);
			int ar = v ? jitk_arch_from_name(v) : -1;
			if (ar < 0)
				return cli_usage(EXPLAIN_USAGE,
						 "--arch wants x86_64, i386, x32 or aarch64, not '%s'",
						 v ? v : "");
			abis = 1u << ar;
		} else if (!strcmp(a, "--scpl")) {
			scpl = true;
		} else if (!strcmp(a, "--no-verify")) {
			no_verify = true;
		} else if (!strcmp(a, "--timeout")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || !cli_parse_timeout(v, &timeout))
				return cli_usage(EXPLAIN_USAGE,
						 "--timeout wants milliseconds from 1 to 86400000, not '%s'",
						 v ? v : "");
		} else if (!strcmp(a, "--from")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || !cli_parse_from(v, &from))
				return cli_usage(EXPLAIN_USAGE, "--from wants auto, raw or text, not '%s'",
						 v ? v : "");
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(EXPLAIN_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(EXPLAIN_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (!in)
		return cli_usage(EXPLAIN_USAGE, "missing filter or policy%s", "");
	if (scpl && abis != (1u << JITK_ARCH__COUNT) - 1)
		return cli_usage(EXPLAIN_USAGE, "--scpl writes a whole policy: drop --arch%s", "");
	if (scpl && no_verify)
		return cli_usage(EXPLAIN_USAGE, "--scpl writes only a proved policy: drop --no-verify%s", "");
	jitk_filter *f = input(in, from);
	if (!f)
		return CLI_FAIL;
	char *text = NULL;
	jitk_diag d;
	jitk_err e = jitk_explain(f, (1u << JITK_ARCH__COUNT) - 1, &text, &d);
	if (e) {
		jitk_filter_free(f);
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", in);
		cli_report(in, e, &d);
		return CLI_FAIL;
	}
	int rc = CLI_OK;
	if (!no_verify) {
		/* Prove the whole decompiled policy equal to the filter. */
		jitk_policy *p = NULL;
		e = jitk_policy_parse(text, strlen(text), "<explain>", &p, &d);
		if (e) {
			cli_report("<explain>", e, &d);
			rc = cli_error("internal error: the decompiled policy does not parse");
		} else {
			jitk_cex cex[4];
			size_t ncex = 0;
			jitk_side A = { .policy = p }, B = { .filter = f };
			e = jitk_equiv(A, B, timeout, cex, 4, &ncex, &d);
			if (e == JITK_E_DIFFERENT) {
				rc = cli_error("the decompiled policy differs from %s (nr %d arch 0x%08x: "
					       "0x%08x vs 0x%08x); not written",
					       in, ncex ? cex[0].in.nr : -1, ncex ? cex[0].in.arch : 0,
					       ncex ? cex[0].left : 0, ncex ? cex[0].right : 0);
			} else if (e) {
				cli_report(in, e, &d);
				rc = e == JITK_E_SOLVER ? 3 : CLI_FAIL;
			}
			jitk_policy_free(p);
		}
	}
	if (rc == CLI_OK && !scpl && abis != (1u << JITK_ARCH__COUNT) - 1) {
		jitk_free(text);
		text = NULL;
		e = jitk_explain(f, abis, &text, &d);
		if (e)
			rc = cli_error("%s", d.msg);
	}
	if (rc == CLI_OK)
		rc = cli_write_bytes(out ? out : "-", text, strlen(text));
	if (rc == CLI_OK)
		fprintf(stderr, "jitk: %s: %zu instructions decompiled, %s\n", in, jitk_filter_len(f),
			no_verify ? "not verified (--no-verify)" : "proved equal to the filter (Z3)");
	jitk_free(text);
	jitk_filter_free(f);
	return rc;
}
