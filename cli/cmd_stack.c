/*
 * cmd_stack.c - stacked filters as one: jitk stack, and the stack operand
 * of verify and diff.
 *
 *   jitk stack F1 F2 ... -o OUT [--format raw|text|c] [--name NAME] [--timeout MS]
 *
 * F1 is the filter installed first.  Each Fi is a filter (raw or text) or a
 * policy (*.scpl, compiled and proved first).  The output is one filter that
 * returns, for every seccomp_data, what the kernel answers when F1..Fn are
 * all installed (docs/stack.md), proved with Z3 by jitk_stack before it is
 * written.
 *
 * Wherever verify, diff and explain take a filter they also take a stack
 * written F1+F2+...: a path that exists as a whole is always a file;
 * otherwise the operand is split at every '+'.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STACK_USAGE "stack F1 F2 ... -o OUT [--format raw|text|c] [--name NAME] [--timeout MS]"
#define STACK_MAX 64

jitk_filter *cli_load_filter_or_policy(const char *path, unsigned timeout_ms)
{
	/* By content (cli_sniff), not by the .scpl suffix: read once, then
	 * parse as whichever it is. */
	size_t len;
	char *buf = cli_read_input(path, &len);
	if (!buf)
		return NULL;
	enum cli_kind kind = cli_sniff(buf, len);
	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_err err;
	path = cli_input_name(path);
	if (kind != CLI_KIND_POLICY && kind != CLI_KIND_JSON) {
		err = kind == CLI_KIND_BINARY ? jitk_decode(buf, len, &f, &d)
					      : jitk_asm(buf, len, path, &f, &d);
		free(buf);
		if (err) {
			if (!d.file[0])
				snprintf(d.file, sizeof d.file, "%s", path);
			cli_report(path, err, &d);
			return NULL;
		}
		return f;
	}
	jitk_policy *p = NULL;
	err = cli_parse_policy_text(buf, len, path, &p, &d);
	free(buf);
	if (!err) {
		jitk_compile_opts o = { .verify_timeout_ms = timeout_ms };
		err = jitk_compile(p, &o, &f, &d);
	}
	jitk_policy_free(p);
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", path);
		cli_report(path, err, &d);
		return NULL;
	}
	return f;
}

/* Check a filter so a refusal names its file. */
static bool checked(const char *path, const jitk_filter *f)
{
	jitk_diag d;
	jitk_err err = jitk_check(f, &d);
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", path);
		cli_report(path, err, &d);
	}
	return !err;
}

void cli_stack_free(struct cli_stack *s)
{
	for (size_t i = 0; i < s->n; i++)
		jitk_filter_free(s->f[i]);
	free(s->f);
	s->f = NULL;
	s->n = 0;
}

static bool stack_add(struct cli_stack *s, const char *path, unsigned timeout_ms)
{
	if (s->n >= STACK_MAX) {
		cli_error("a stack holds at most %d filters", STACK_MAX);
		return false;
	}
	jitk_filter **g = realloc(s->f, (s->n + 1) * sizeof *g);
	if (!g) {
		cli_error("out of memory");
		return false;
	}
	s->f = g;
	jitk_filter *f = cli_load_filter_or_policy(path, timeout_ms);
	if (!f || !checked(path, f)) {
		jitk_filter_free(f);
		return false;
	}
	s->f[s->n++] = f;
	return true;
}

bool cli_is_stack_operand(const char *arg)
{
	struct stat st;
	return strchr(arg, '+') && stat(arg, &st) != 0;
}

bool cli_load_stack(const char *arg, unsigned timeout_ms, struct cli_stack *s)
{
	s->f = NULL;
	s->n = 0;
	char *copy = strdup(arg);
	if (!copy) {
		cli_error("out of memory");
		return false;
	}
	bool ok = true;
	for (char *part = copy, *next; ok && part; part = next) {
		next = strchr(part, '+');
		if (next)
			*next++ = '\0';
		if (!*part) {
			cli_error("stack '%s' has an empty member (write F1+F2+...)", arg);
			ok = false;
		} else {
			ok = stack_add(s, part, timeout_ms);
		}
	}
	free(copy);
	if (!ok)
		cli_stack_free(s);
	return ok;
}

jitk_filter *cli_stack_filter(const char *arg, unsigned timeout_ms)
{
	struct cli_stack s;
	if (!cli_load_stack(arg, timeout_ms, &s))
		return NULL;
	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_err err = jitk_stack((const jitk_filter *const *)s.f, s.n, timeout_ms, &f, &d);
	cli_stack_free(&s);
	if (err)
		cli_report(arg, err, &d);
	return f;
}

int cmd_stack(int argc, char **argv)
{
	const char *out = NULL, *name = NULL;
	const char **in = calloc((size_t)argc, sizeof *in);
	size_t nin = 0;
	int fmt = FMT_AUTO;
	unsigned timeout = 0;
	if (!in)
		return cli_error("out of memory");
	int rc = CLI_USAGE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n", STACK_USAGE);
			rc = CLI_OK;
			goto done;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (out || !(out = cli_opt_value(argc, argv, &i))) {
				rc = cli_usage(STACK_USAGE, "%s needs one file name", a);
				goto done;
			}
		} else if (!strcmp(a, "--format") || !strcmp(a, "-f")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || (fmt = cli_parse_format(v)) < 0) {
				rc = cli_usage(STACK_USAGE, "--format wants raw, text or c, not '%s'",
					       v ? v : "");
				goto done;
			}
		} else if (!strcmp(a, "--name")) {
			if (!(name = cli_opt_value(argc, argv, &i)) || !cli_is_c_ident(name)) {
				rc = cli_usage(STACK_USAGE,
					       "--name wants a C identifier (letters, digits, '_'; "
					       "not a keyword), not '%s'",
					       name ? name : "");
				goto done;
			}
		} else if (!strcmp(a, "--timeout")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!cli_parse_timeout(v, &timeout)) {
				rc = cli_usage(STACK_USAGE,
					       "--timeout wants milliseconds from 1 to 86400000, not '%s'",
					       v ? v : "");
				goto done;
			}
		} else if (a[0] == '-' && a[1]) {
			rc = cli_usage(STACK_USAGE, "unknown option '%s'", a);
			goto done;
		} else {
			in[nin++] = a;
		}
	}
	if (nin == 0) {
		rc = cli_usage(STACK_USAGE, "%s", "stack wants one or more filters or policies");
		goto done;
	}
	if (!out) {
		rc = cli_usage(STACK_USAGE, "%s", "stack wants -o OUT");
		goto done;
	}
	struct cli_stack s = { 0 };
	rc = CLI_FAIL;
	for (size_t i = 0; i < nin; i++)
		if (!stack_add(&s, in[i], timeout)) {
			cli_stack_free(&s);
			goto done;
		}
	/* Before the proof: an output that is an input, a directory, ... */
	if (cli_check_output(out) != CLI_OK) {
		cli_stack_free(&s);
		goto done;
	}
	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_err err = jitk_stack((const jitk_filter *const *)s.f, s.n, timeout, &f, &d);
	cli_stack_free(&s);
	if (err) {
		cli_report("stack", err, &d);
		rc = err == JITK_E_SOLVER ? 3 : CLI_FAIL;
		goto done;
	}
	rc = cli_write_filter(out, f, (enum cli_format)fmt, name ? name : "stacked_filter");
	jitk_filter_free(f);
done:
	free(in);
	return rc;
}
