/*
 * cmd_policy.c - the SCPL commands: compile, run.
 *
 *   jitk compile POLICY -o OUT [--format raw|text|c] [--name NAME]
 *                [--no-verify] [--timeout MS] [--no-cache]
 *   jitk run [POLICY] [--flags log,...] [--no-verify] [--timeout MS]
 *            [--no-cache] [--verbose] -- CMD [ARGS...]
 *
 * Both compile through jitk_compile, so both get the checker and (unless
 * --no-verify) the Z3 proof that the filter means what the policy says,
 * or take the filter an earlier run proved for exactly the same input
 * from the proof cache (cli/cache.c; --no-cache: never).
 * Exit statuses (cli.h): 0 success, 1 bad policy / refused, 2 bad command
 * line, 3 the proof timed out (the solver could not decide); `run` becomes the command, or exits 127 (not found) / 126 (other)
 * when it cannot be started, as a shell does.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Report a library error about policy `what`, naming the file if the
 * diagnostic does not. */
static int report(const char *what, jitk_err err, jitk_diag *d)
{
	if (!d->file[0])
		snprintf(d->file, sizeof d->file, "%s", what);
	cli_report(what, err, d);
	/* A proof the solver could not finish is status 3, as for verify
	 * and diff. */
	return err == JITK_E_SOLVER ? CLI_SOLVER : CLI_FAIL;
}

/* The policy's warnings; false if --werror turns them into a failure. */
static bool policy_lint_ok(const jitk_policy *p, const struct cli_lint *lint, unsigned flags,
			   const unsigned char *key)
{
	int n = cli_lint_policy(p, lint, flags, key);
	if (n < 0)
		return false;
	if (n > 0 && lint->werror) {
		cli_error("%d warning%s, and --werror makes them errors; nothing done", n, n == 1 ? "" : "s");
		return false;
	}
	return true;
}

/* The lint options of compile and run; true if argv[*i] was one.  *rc is
 * set (and true returned) on a bad value. */
static bool lint_option(int argc, char **argv, int *i, struct cli_lint *l, const char *usage, int *rc)
{
	const char *a = argv[*i];
	if (!strcmp(a, "--werror")) {
		l->werror = true;
		return true;
	}
	if (strcmp(a, "--no-warn"))
		return false;
	const char *v = cli_opt_value(argc, argv, i);
	char bad[64] = "";
	if (!v || !cli_lint_parse(v, l, bad, sizeof bad))
		*rc = cli_usage(usage,
				"--no-warn wants alias-refused, shadowed-rule, wide-compare, "
				"pointer-compare, mux-refused, mux-bypass, notify-no-listener, "
				"trace-no-tracer or all, not '%s'",
				v ? bad : "");
	return true;
}

/* Parse and compile; prints its own errors.  NULL on failure.  *hit: the
 * filter came from the proof cache (cli/cache.c), proved by an earlier run
 * for exactly this input. */
static jitk_filter *compile_policy(const char *what, const char *text, size_t len, bool from_file,
				   const jitk_compile_opts *opts, double *ms, jitk_policy **keep,
				   const struct cli_lint *lint, unsigned lint_flags, const char *out,
				   int *rc, bool *hit)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	*rc = CLI_FAIL;
	jitk_err err = from_file ? cli_load_policy(what, &p, &d)
				 : jitk_policy_parse_opts(text, len, what, &cli_profile, &p, &d);
	what = cli_input_name(what);
	if (err) {
		cli_report_load(what, err, &d);
		return NULL;
	}
	/* Before the proof: an output that cannot be written, or that is the
	 * policy itself, is refused now rather than after seconds of work. */
	if (out && cli_check_output(out) != CLI_OK) {
		jitk_policy_free(p);
		return NULL;
	}
	/* --no-warn all silences the policy's own warnings too (docs/scpl.md,
	 * "Warnings"); they are never errors, not even under --werror. */
	if (!lint || lint->off_mask != ~0u)
		cli_warnings(what, p);
	/* A profile's listenerPath agent answers its Notify actions. */
	jitk_loader_opts lo;
	jitk_policy_loader_opts(p, &lo);
	struct cli_lint heard;
	if (lint && lo.listener_path) {
		heard = *lint;
		heard.off_mask |= cli_lint_bit("notify-no-listener");
		lint = &heard;
	}
	unsigned char key[CLI_CACHE_KEY];
	bool cache = cli_cache_key(p, opts, key);
	if (lint && !policy_lint_ok(p, lint, lint_flags, cache ? key : NULL)) {
		jitk_policy_free(p);
		return NULL;
	}
	double t0 = now_ms();
	jitk_filter *f = cache ? cli_cache_get_filter(key, p) : NULL;
	*hit = f != NULL;
	err = f ? JITK_OK : jitk_compile(p, opts, &f, &d);
	if (!err && cache && !*hit)
		cli_cache_put_filter(key, f);
	*ms = now_ms() - t0;
	if (keep && !err)
		*keep = p;
	else
		jitk_policy_free(p);
	if (err) {
		*rc = report(what, err, &d);
		return NULL;
	}
	return f;
}

static bool parse_timeout(const char *v, jitk_compile_opts *o)
{
	return cli_parse_timeout(v, &o->verify_timeout_ms);
}

/* A C identifier from the policy's file name ("policies/paper.scpl" ->
 * "paper", "docker-default.scpl" -> "docker_default"), for --format c
 * without --name; "filter" where that is no identifier (empty, a leading
 * digit, a C keyword such as "int.scpl"). */
static void c_name_of(const char *path, char *buf, size_t cap)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = 0;
	for (const char *c = base; *c && *c != '.' && n + 1 < cap; c++)
		buf[n++] = isalnum((unsigned char)*c) ? *c : '_';
	buf[n] = '\0';
	if (!cli_is_c_ident(buf))
		snprintf(buf, cap, "filter");
}

/* ------------------------------------------------------------ compile */

/* --format oci (or OUT named *.json): the policy as an OCI profile for
 * runtimes that take only JSON, proved equal to the policy under the
 * runtimes' semantics, or refused naming the rule (docs/oci.md). */
enum { FMT_OCI = 100 };

static int write_profile(const char *in, const char *out, const jitk_compile_opts *opts)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err err = cli_load_policy(in, &p, &d);
	if (err) {
		cli_report_load(cli_input_name(in), err, &d);
		return CLI_FAIL;
	}
	char *json = NULL;
	err = jitk_policy_to_profile(p, opts->verify_timeout_ms, &json, &d);
	jitk_policy_free(p);
	if (err)
		return report(in, err, &d);
	int rc = cli_write_bytes(out, json, strlen(json));
	jitk_free(json);
	if (rc == CLI_OK)
		fprintf(stderr,
			"jitk: %s: OCI profile written, proved equal to the policy under "
			"runc/libseccomp's semantics (Z3)\n",
			in);
	return rc;
}

#define COMPILE_USAGE                                                                                \
	"compile POLICY -o OUT [--format raw|text|c|dot] [--name NAME] [--no-verify] [--timeout MS]" \
	" [--no-cache]"

int cmd_compile(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *name = NULL;
	int fmt = -1, lrc = -1;
	bool no_cache = false;
	jitk_compile_opts opts = { 0 };
	struct cli_lint lint = { 0 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (lint_option(argc, argv, &i, &lint, COMPILE_USAGE, &lrc)) {
			if (lrc >= 0)
				return lrc;
		} else if (cli_is_help(a)) {
			printf("usage: jitk %s\n", COMPILE_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!(out = cli_opt_value(argc, argv, &i)))
				return cli_usage(COMPILE_USAGE, "%s needs a file name", a);
		} else if (!strcmp(a, "--format") || !strcmp(a, "-f")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (v && !strcmp(v, "oci"))
				fmt = FMT_OCI;
			else if (!v || (fmt = cli_parse_format(v)) < 0)
				return cli_usage(COMPILE_USAGE,
						 "--format wants raw, text, c, dot or oci, not '%s'",
						 v ? v : "");
		} else if (!strcmp(a, "--name")) {
			if (!(name = cli_opt_value(argc, argv, &i)))
				return cli_usage(COMPILE_USAGE, "%s needs a C identifier", a);
			if (!cli_is_c_ident(name))
				return cli_usage(COMPILE_USAGE,
						 "--name wants a C identifier (letters, digits, '_'; "
						 "not a keyword), not '%s'",
						 name);
		} else if (!strcmp(a, "--no-verify")) {
			opts.no_verify = true;
		} else if (!strcmp(a, "--no-cache")) {
			no_cache = true;
		} else if (!strcmp(a, "--timeout")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!parse_timeout(v, &opts))
				return cli_usage(COMPILE_USAGE,
						 "--timeout wants milliseconds from 1 to 86400000, not '%s'",
						 v ? v : "");
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(COMPILE_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(COMPILE_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (!in)
		return cli_usage(COMPILE_USAGE, "missing policy file%s", "");
	if (!out)
		return cli_usage(COMPILE_USAGE, "missing -o OUT (use -o - for standard output)%s", "");
	if (fmt < 0) {
		/* The output's name picks the format; otherwise raw for files and
		 * text on a terminal (cli_write_filter's FMT_AUTO). */
		if (cli_ends_with(out, ".s") || cli_ends_with(out, ".asm") || cli_ends_with(out, ".bpfasm"))
			fmt = FMT_TEXT;
		else if (cli_ends_with(out, ".c") || cli_ends_with(out, ".h"))
			fmt = FMT_C;
		else if (cli_ends_with(out, ".dot") || cli_ends_with(out, ".gv"))
			fmt = FMT_DOT;
		else if (cli_ends_with(out, ".json"))
			fmt = FMT_OCI;
		else
			fmt = FMT_AUTO;
	}
	if (fmt == FMT_OCI)
		return write_profile(in, out, &opts);

	double ms = 0;
	jitk_policy *p = NULL;
	int rc;
	bool hit = false;
	cli_cache_init(no_cache);
	jitk_filter *f = compile_policy(in, NULL, 0, true, &opts, &ms, &p, &lint,
					opts.no_verify ? JITK_LINT_NO_PROOFS : 0, out, &rc, &hit);
	if (!f)
		return rc; /* nothing written: a bad policy leaves no output */
	char cname[64];
	c_name_of(in, cname, sizeof cname);
	rc = cli_write_filter(out, f, (enum cli_format)fmt, name ? name : cname);
	if (rc == CLI_OK)
		fprintf(stderr, "jitk: %s: %zu instructions (%zu bytes), %s, %.1f ms\n", cli_input_name(in),
			jitk_filter_len(f), jitk_encoded_size(f),
			opts.no_verify ? "not verified (--no-verify)"
			: hit          ? "proved equal to the policy (Z3, cached proof)"
				       : "proved equal to the policy (Z3)",
			ms);
	/* The Landlock part is not in a seccomp filter: say so. */
	if (rc == CLI_OK && jitk_policy_has_landlock(p))
		fprintf(stderr,
			"jitk: note: %s: its filesystem/network/scope rules are not part of "
			"the filter; `jitk run` or jitk_landlock_apply applies them\n",
			in);
	/* So are an OCI profile's loader fields (docs/oci.md). */
	jitk_loader_opts lo;
	jitk_policy_loader_opts(p, &lo);
	if (rc == CLI_OK && (lo.flags || lo.listener_path))
		fprintf(stderr,
			"jitk: note: %s: its %s not part of the filter: `jitk run` on the "
			"profile installs with %s, and --format oci keeps %s\n",
			in,
			lo.flags && lo.listener_path ? "\"flags\" and listenerPath are"
			: lo.flags                   ? "\"flags\" are"
						     : "listenerPath is",
			lo.flags && lo.listener_path ? "them" : "it",
			lo.flags && lo.listener_path ? "them" : "it");
	jitk_policy_free(p);
	jitk_filter_free(f);
	return rc;
}

/* ---------------------------------------------------------------- run */

#define RUN_USAGE                                                                                    \
	"run [POLICY] [--flags log,...] [--no-verify] [--timeout MS] [--no-cache] [--best-effort]\n" \
	"           [--verbose]"                                                                     \
	"           [--permissive | --report | --no-report] -- CMD [ARGS...]"

/* How `run` supervises the command (cli/run_report.c). */
enum run_mode {
	RUN_PLAIN,        /* --no-report: load the filter and exec, nothing stays */
	RUN_REPORT_KILLS, /* default: name every kill and trap */
	RUN_REPORT_ALL,   /* --report: errno answers too */
	RUN_PERMISSIVE,   /* --permissive: refuse nothing, report everything */
};

static bool run_mode_option(const char *a, enum run_mode *mode)
{
	if (!strcmp(a, "--no-report"))
		*mode = RUN_PLAIN;
	else if (!strcmp(a, "--report"))
		*mode = RUN_REPORT_ALL;
	else if (!strcmp(a, "--permissive"))
		*mode = RUN_PERMISSIVE;
	else
		return false;
	return true;
}

/* Apply p's Landlock rules (if any), printing warnings and errors. */
static int apply_landlock(const char *what, const jitk_policy *p, unsigned flags, bool verbose)
{
	if (!jitk_policy_has_landlock(p))
		return CLI_OK;
	char *warnings = NULL;
	jitk_diag d;
	jitk_err err = jitk_landlock_apply(p, flags, &warnings, &d);
	if (warnings) {
		for (char *l = strtok(warnings, "\n"); l; l = strtok(NULL, "\n"))
			fprintf(stderr, "jitk: warning: %s\n", l);
		jitk_free(warnings);
	}
	if (err)
		return report(what, err, &d);
	if (verbose)
		fprintf(stderr, "jitk: %s: Landlock applied (kernel ABI %d)\n", what, jitk_landlock_abi());
	return CLI_OK;
}

int cmd_run(int argc, char **argv)
{
	const char *in = NULL;
	unsigned flags = 0;
	bool verbose = false, no_cache = false, hit = false;
	unsigned ll_flags = 0;
	enum run_mode mode = RUN_REPORT_KILLS;
	jitk_compile_opts opts = { 0 };
	struct cli_lint lint = { 0 };
	int cmd = -1, lrc = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (lint_option(argc, argv, &i, &lint, RUN_USAGE, &lrc)) {
			if (lrc >= 0)
				return lrc;
		} else if (!strcmp(a, "--")) {
			cmd = i + 1;
			break;
		} else if (cli_is_help(a)) {
			printf("usage: jitk %s\n", RUN_USAGE);
			printf("Without POLICY, the built-in policy (policies/docker-default.scpl) applies.\n");
			return CLI_OK;
		} else if (!strcmp(a, "--flags")) {
			const char *v = cli_opt_value(argc, argv, &i);
			char bad[64] = "";
			if (!v || !cli_parse_load_flags(v, &flags, bad, sizeof bad))
				return cli_usage(
					RUN_USAGE,
					"unknown flag '%s' (log, spec_allow, tsync, tsync_esrch, keep_privs)",
					bad);
		} else if (!strcmp(a, "--no-verify")) {
			opts.no_verify = true;
		} else if (!strcmp(a, "--no-cache")) {
			no_cache = true;
		} else if (!strcmp(a, "--timeout")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!parse_timeout(v, &opts))
				return cli_usage(RUN_USAGE,
						 "--timeout wants milliseconds from 1 to 86400000, not '%s'",
						 v ? v : "");
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			verbose = true;
		} else if (run_mode_option(a, &mode)) {
			/* parsed */
		} else if (!strcmp(a, "--best-effort")) {
			ll_flags |= JITK_LANDLOCK_BEST_EFFORT;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(RUN_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(RUN_USAGE, "put -- before the command ('%s')", a);
		}
	}
	if (cmd < 0 || cmd >= argc)
		return cli_usage(RUN_USAGE, "missing command to run after --%s", "");

	const char *what = in ? cli_input_name(in) : "<built-in docker-default policy>";
	if (!in && cli_default_policy_len == 0)
		return cli_error("no built-in policy in this build (policies/docker-default.scpl was "
				 "absent when jitk was built); give a POLICY file");
	double ms = 0;
	jitk_policy *pol = NULL;
	jitk_policy **keep = &pol; /* for the report and for Landlock */
	unsigned lf = JITK_LINT_RUN | (opts.no_verify ? JITK_LINT_NO_PROOFS : 0);
	int rc;
	cli_cache_init(no_cache);
	cli_cache_verbose = verbose;
	jitk_filter *f = in ? compile_policy(in, NULL, 0, true, &opts, &ms, keep, &lint, lf, NULL, &rc, &hit)
			    : compile_policy(what, cli_default_policy, cli_default_policy_len, false, &opts,
					     &ms, keep, &lint, lf, NULL, &rc, &hit);
	if (!f)
		return rc;
	/* An OCI profile's flags and listener (docs/oci.md): as runc/crun on
	 * libseccomp (src/system.c sys_filter_load) install them. */
	jitk_loader_opts lo;
	jitk_policy_loader_opts(pol, &lo);
	flags |= lo.flags;
	struct cli_listener listener, *L = NULL;
	if (lo.listener_path) {
		/* TSYNC with NEW_LISTENER needs TSYNC_ESRCH (libseccomp adds it) */
		if (flags & JITK_LOAD_TSYNC)
			flags |= JITK_LOAD_TSYNC_ESRCH;
		char e[600];
		if (!cli_listener_open(&listener, lo.listener_path, lo.listener_metadata, pol, what,
				       argv[cmd], e, sizeof e)) {
			jitk_policy_free(pol);
			jitk_filter_free(f);
			return cli_error("%s: %s", what, e);
		}
		L = &listener;
	} else {
		/* libseccomp sets WAIT_KILLABLE_RECV only with a listener */
		flags &= ~JITK_LOAD_WAIT_KILLABLE_RECV;
	}
	if (verbose && (lo.flags || L))
		fprintf(stderr, "jitk: %s: seccomp flags 0x%x from the profile%s%s\n", what, lo.flags,
			L ? "; listener for " : "", L ? lo.listener_path : "");
	if (verbose)
		fprintf(stderr, "jitk: %s: %zu instructions, %s, %.1f ms; running %s\n", what,
			jitk_filter_len(f),
			opts.no_verify ? "not verified"
			: hit          ? "proved equal to the policy (cached proof)"
				       : "proved equal to the policy",
			ms, argv[cmd]);
	/* Landlock first, then seccomp: the filter may deny Landlock's own
	 * system calls.  The supervisor (below) is confined with the command:
	 * it only reads its tracees' memory and /proc links, which Landlock
	 * does not restrict (docs/landlock.md). */
	if (apply_landlock(what, pol, ll_flags | (flags & JITK_LOAD_KEEP_PRIVS ? JITK_LANDLOCK_KEEP_PRIVS : 0),
			   verbose) != CLI_OK) {
		if (L)
			cli_listener_close(L);
		jitk_policy_free(pol);
		jitk_filter_free(f);
		return CLI_FAIL;
	}
	if (mode != RUN_PLAIN) {
		/* Supervised: a jitk process stays to name what is refused. */
		rc = run_report(pol, f, flags, L, mode == RUN_PERMISSIVE, mode == RUN_REPORT_ALL, verbose,
				argv + cmd);
		if (L)
			cli_listener_close(L);
		jitk_filter_free(f);
		jitk_policy_free(pol);
		return rc;
	}
	char lerr[600];
	if (L && !cli_listener_prepare(L, lerr, sizeof lerr)) {
		cli_listener_close(L);
		jitk_policy_free(pol);
		jitk_filter_free(f);
		return cli_error("%s: %s", what, lerr);
	}
	jitk_policy_free(pol);
	jitk_diag d;
	int lfd = -1;
	jitk_err err = jitk_load(f, flags | (L ? JITK_LOAD_NEW_LISTENER : 0), L ? &lfd : NULL, &d);
	jitk_filter_free(f);
	/* The filter is in force: only sendmsg (checked above) and the exec. */
	if (!err && L && !cli_listener_send(L, lfd, lerr, sizeof lerr))
		return cli_error("%s: %s", what, lerr);
	if (err)
		return report(what, err, &d);
	/* The filter is now in force for this process and what it executes;
	 * the policy decides whether execve itself is allowed. */
	execvp(argv[cmd], argv + cmd);
	int e = errno;
	fprintf(stderr, "jitk: error: cannot execute %s: %s\n", argv[cmd], strerror(e));
	return e == ENOENT ? 127 : 126;
}
