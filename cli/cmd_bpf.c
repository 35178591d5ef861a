/*
 * cmd_bpf.c - the BPF-level commands: asm, disasm, check, eval, exec.
 *
 * Exit statuses (cli.h): 0 success / accepted, 1 bad input or "no"
 * (rejected filter, load refused), 2 bad command line.  `exec` replaces
 * itself with the command, so its status is the command's; when the
 * command cannot be started it exits 127 (not found) or 126 (other), as a
 * shell does.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ----------------------------------------------------------- helpers */

/* Report a checker verdict for path; true if accepted. */
static bool check_filter(const char *path, const jitk_filter *f)
{
	jitk_diag d;
	jitk_err err = jitk_check(f, &d);
	if (err == JITK_OK)
		return true;
	if (!d.file[0])
		snprintf(d.file, sizeof d.file, "%s", path);
	cli_report(path, err, &d);
	return false;
}

/* --------------------------------------------------------------- asm */

#define ASM_USAGE "asm IN -o OUT [--format raw|text|c] [--name NAME]"

int cmd_asm(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *name = NULL;
	enum cli_format fmt = FMT_RAW;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n", ASM_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!(out = cli_opt_value(argc, argv, &i)))
				return cli_usage(ASM_USAGE, "%s needs a file name", a);
		} else if (!strcmp(a, "--format") || !strcmp(a, "-f")) {
			const char *v = cli_opt_value(argc, argv, &i);
			int f = v ? cli_parse_format(v) : -1;
			if (f < 0)
				return cli_usage(ASM_USAGE, "--format wants raw, text or c, not '%s'",
						 v ? v : "");
			fmt = (enum cli_format)f;
		} else if (!strcmp(a, "--name")) {
			if (!(name = cli_opt_value(argc, argv, &i)))
				return cli_usage(ASM_USAGE, "%s needs a C identifier", a);
			if (!cli_is_c_ident(name))
				return cli_usage(ASM_USAGE,
						 "--name wants a C identifier (letters, digits, '_'; "
						 "not a keyword), not '%s'",
						 name);
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(ASM_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(ASM_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (!in)
		return cli_usage(ASM_USAGE, "missing input file%s", "");
	if (!out)
		return cli_usage(ASM_USAGE, "missing -o OUT (use -o - for standard output)%s", "");

	jitk_filter *f = cli_read_filter(in, FMT_TEXT);
	if (!f)
		return CLI_FAIL;
	/* Zero instructions is not a filter (check and disasm refuse it the
	 * same way); there is nothing to write. */
	if (jitk_filter_len(f) == 0) {
		check_filter(cli_input_name(in), f); /* reports it as check does */
		jitk_filter_free(f);
		return CLI_FAIL;
	}
	if (cli_check_output(out) != CLI_OK) {
		jitk_filter_free(f);
		return CLI_FAIL;
	}
	/* The assembler also builds programs seccomp refuses (test inputs for
	 * `jitk check`): warn, but write them. */
	jitk_diag d;
	jitk_err err = jitk_check(f, &d);
	if (err == JITK_E_CHECK || err == JITK_E_TOO_BIG) {
		/* The checker's message already names the instruction; add the
		 * rule id unless it is in the message too. */
		bool tagged = !d.rule[0] || strstr(d.msg, d.rule);
		fprintf(stderr, "jitk: warning: %s: %s%s%s%s (seccomp would refuse this program)\n",
			cli_input_name(in), d.msg, tagged ? "" : " [", tagged ? "" : d.rule,
			tagged ? "" : "]");
	}
	int rc = cli_write_filter(out, f, fmt, name);
	jitk_filter_free(f);
	return rc;
}

/* ------------------------------------------------------------ disasm */

#define DISASM_USAGE "disasm IN [-o OUT] [--format text|dot] [--from auto|raw|text]"

int cmd_disasm(int argc, char **argv)
{
	const char *in = NULL, *out = "-";
	enum cli_format from = FMT_AUTO, fmt = FMT_TEXT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--format") || !strcmp(a, "-f")) {
			const char *v = cli_opt_value(argc, argv, &i);
			int f = v ? cli_parse_format(v) : -1;
			if (f != FMT_TEXT && f != FMT_DOT)
				return cli_usage(DISASM_USAGE, "--format wants text or dot, not '%s'",
						 v ? v : "");
			fmt = (enum cli_format)f;
			continue;
		}
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n", DISASM_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!(out = cli_opt_value(argc, argv, &i)))
				return cli_usage(DISASM_USAGE, "%s needs a file name", a);
		} else if (!strcmp(a, "--from")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || !cli_parse_from(v, &from))
				return cli_usage(DISASM_USAGE, "--from wants auto, raw or text, not '%s'",
						 v ? v : "");
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(DISASM_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(DISASM_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (!in)
		return cli_usage(DISASM_USAGE, "missing input file%s", "");
	jitk_filter *f = cli_read_filter(in, from);
	if (!f)
		return CLI_FAIL;
	if (jitk_filter_len(f) == 0) {
		check_filter(cli_input_name(in), f); /* reports it as check does */
		jitk_filter_free(f);
		return CLI_FAIL;
	}
	int rc = cli_write_filter(out, f, fmt, NULL);
	jitk_filter_free(f);
	return rc;
}

/* ------------------------------------------------------------- check */

#define CHECK_USAGE "check FILTER [--from auto|raw|text]"

int cmd_check(int argc, char **argv)
{
	const char *in = NULL;
	enum cli_format from = FMT_AUTO;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n", CHECK_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "--from")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || !cli_parse_from(v, &from))
				return cli_usage(CHECK_USAGE, "--from wants auto, raw or text, not '%s'",
						 v ? v : "");
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(CHECK_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(CHECK_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (!in)
		return cli_usage(CHECK_USAGE, "missing filter file%s", "");
	jitk_filter *f = cli_read_filter(in, from);
	if (!f)
		return CLI_FAIL;
	bool ok = check_filter(cli_input_name(in), f);
	if (ok)
		printf("%s: ok (%zu instruction%s)\n", cli_input_name(in), jitk_filter_len(f),
		       jitk_filter_len(f) == 1 ? "" : "s");
	jitk_filter_free(f);
	return ok ? CLI_OK : CLI_FAIL;
}

/* -------------------------------------------------------------- eval */

#define EVAL_USAGE                                                                                \
	"eval FILTER --nr NAME|N [--arch x86_64|i386|x32|aarch64|AUDIT_ARCH] [--args a0,...,a5] " \
	"[--ip N] [--quiet] [--jit] [--from auto|raw|text]"

/* How --nr failed. */
enum nr_status { NR_OK, NR_UNKNOWN, NR_RANGE, NR_NO_ARCH };

/* A syscall number: a name on arch (arch < 0: an AUDIT_ARCH value jitk
 * has no table for, so only numbers), or a number (decimal, 0x hex, or a
 * negative decimal, since seccomp_data.nr is an int). */
static enum nr_status parse_nr(const char *s, int arch, uint32_t *nr)
{
	uint64_t v;
	if (cli_parse_u64(s, &v))
		return v > UINT32_MAX ? NR_RANGE : (*nr = (uint32_t)v, NR_OK);
	if (s[0] == '-' && s[1] >= '0' && s[1] <= '9') {
		char *end;
		errno = 0;
		long long n = strtoll(s, &end, 0);
		if (*end)
			return NR_UNKNOWN;
		if (errno || n < INT32_MIN)
			return NR_RANGE;
		*nr = (uint32_t)(int32_t)n;
		return NR_OK;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		/* Digits that did not parse: too large for 64 bits, or junk. */
		char *end;
		errno = 0;
		(void)strtoull(s, &end, 0);
		return errno == ERANGE && !*end ? NR_RANGE : NR_UNKNOWN;
	}
	if (arch < 0)
		return NR_NO_ARCH;
	int n = jitk_syscall_nr((jitk_arch)arch, s);
	if (n < 0)
		return NR_UNKNOWN;
	*nr = (uint32_t)n;
	return NR_OK;
}

/* --arch: an ABI name, or any AUDIT_ARCH value as a number (so that every
 * counterexample verify and diff print, "arch ... (0x...)", replays as
 * printed).  *arch is the ABI whose names --nr may use, -1 if none. */
static bool parse_arch(const char *s, int *arch, uint32_t *audit)
{
	int a = jitk_arch_from_name(s);
	if (a >= 0) {
		*arch = a;
		*audit = jitk_arch_audit((jitk_arch)a);
		return true;
	}
	uint64_t v;
	if (!cli_parse_u64(s, &v) || v > UINT32_MAX)
		return false;
	*audit = (uint32_t)v;
	*arch = -1;
	for (int k = 0; k < JITK_ARCH__COUNT; k++)
		if (k != JITK_ARCH_X32 && jitk_arch_audit((jitk_arch)k) == *audit)
			*arch = k;
	return true;
}

/* "a0,a1,...": up to six 64-bit values; missing ones stay 0. */
static bool parse_args(const char *s, uint64_t args[6])
{
	char buf[512];
	if (strlen(s) >= sizeof buf)
		return false;
	strcpy(buf, s);
	int n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (n == 6)
			return false;
		uint64_t v;
		if (tok[0] == '-') {
			/* A negative argument as the kernel sees it: the 64-bit
			 * two's complement of a long. */
			char *end;
			errno = 0;
			long long x = strtoll(tok, &end, 0);
			if (errno || *end)
				return false;
			v = (uint64_t)x;
		} else if (!cli_parse_u64(tok, &v)) {
			uint64_t c;
			if (!jitk_const_value(tok, &c))
				return false;
			v = c;
		}
		args[n++] = v;
	}
	return n > 0;
}

/* "ERRNO(13 EACCES)", "TRAP(5)", "ALLOW", ... for a return to a call of
 * ABI a (its own errno names: mips's 89 is ENOSYS). */
static void format_action(uint32_t ret, jitk_arch a, char *buf, size_t cap)
{
	const char *name = jitk_action_name(ret);
	uint32_t action = ret & JITK_RET_ACTION_FULL, data = ret & JITK_RET_DATA;
	if (action == JITK_RET_ERRNO) {
		const char *en = jitk_errno_name_arch(a, (int)data);
		if (en)
			snprintf(buf, cap, "%s(%u %s)", name, data, en);
		else
			snprintf(buf, cap, "%s(%u)", name, data);
	} else if (action == JITK_RET_TRAP || action == JITK_RET_TRACE) {
		snprintf(buf, cap, "%s(%u)", name, data);
	} else {
		snprintf(buf, cap, "%s", name);
	}
}

int cmd_eval(int argc, char **argv)
{
	const char *in = NULL, *nr_s = NULL, *args_s = NULL, *ip_s = NULL, *arch_s = NULL;
	int arch = JITK_ARCH_X86_64;
	uint32_t audit = jitk_arch_audit(JITK_ARCH_X86_64);
	enum cli_format from = FMT_AUTO;
	bool quiet = false, jit = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n", EVAL_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "--nr")) {
			if (!(nr_s = cli_opt_value(argc, argv, &i)))
				return cli_usage(EVAL_USAGE, "%s needs a syscall name or number", a);
		} else if (!strcmp(a, "--arch")) {
			arch_s = cli_opt_value(argc, argv, &i);
			if (!arch_s || !parse_arch(arch_s, &arch, &audit))
				return cli_usage(EVAL_USAGE,
						 "--arch wants x86_64, i386, x32, aarch64 or an "
						 "AUDIT_ARCH value such as 0xc000003e, not '%s'",
						 arch_s ? arch_s : "");
		} else if (!strcmp(a, "--args")) {
			if (!(args_s = cli_opt_value(argc, argv, &i)))
				return cli_usage(EVAL_USAGE, "%s needs a0,...,a5", a);
		} else if (!strcmp(a, "--ip")) {
			if (!(ip_s = cli_opt_value(argc, argv, &i)))
				return cli_usage(EVAL_USAGE, "%s needs a number", a);
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			quiet = true;
		} else if (!strcmp(a, "--jit")) {
			jit = true;
		} else if (!strcmp(a, "--from")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || !cli_parse_from(v, &from))
				return cli_usage(EVAL_USAGE, "--from wants auto, raw or text, not '%s'",
						 v ? v : "");
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(EVAL_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(EVAL_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (!in)
		return cli_usage(EVAL_USAGE, "missing filter file%s", "");
	if (!nr_s)
		return cli_usage(EVAL_USAGE, "missing --nr NAME|N%s", "");

	struct seccomp_data data;
	memset(&data, 0, sizeof data);
	uint32_t nr = 0;
	switch (parse_nr(nr_s, arch, &nr)) {
	case NR_OK: break;
	case NR_RANGE:
		return cli_usage(EVAL_USAGE,
				 "--nr %s is out of range (seccomp_data.nr is 32 bits: "
				 "-2147483648 .. 4294967295)",
				 nr_s);
	case NR_NO_ARCH:
		return cli_usage(EVAL_USAGE,
				 "--nr '%s': jitk has no syscall names for this AUDIT_ARCH value; "
				 "give a number",
				 nr_s);
	case NR_UNKNOWN: {
		const char *sugg = jitk_syscall_suggest((jitk_arch)arch, nr_s);
		fprintf(stderr, "jitk: error: unknown system call '%s' on %s\n", nr_s,
			jitk_arch_name((jitk_arch)arch));
		/* jitk's tables are the kernel headers it was built with: a newer
		 * call has no name here, but its number works. */
		fprintf(stderr, "  hint: %s%s%sfor a syscall jitk's tables lack, give its number: --nr NR\n",
			sugg ? "did you mean '" : "", sugg ? sugg : "", sugg ? "'? Or, " : "");
		return cli_usage(EVAL_USAGE, NULL, NULL);
	}
	}
	data.nr = (int)nr;
	data.arch = audit;
	uint64_t args[6] = { 0 };
	if (args_s && !parse_args(args_s, args))
		return cli_usage(EVAL_USAGE, "--args wants up to six comma-separated numbers, not '%s'",
				 args_s);
	/* in the byte order of the arch (set above): include/jitk.h */
	for (unsigned i = 0; i < 6; i++)
		jitk_data_set_arg(&data, i, args[i]);
	if (ip_s) {
		uint64_t ip;
		if (!cli_parse_u64(ip_s, &ip))
			return cli_usage(EVAL_USAGE, "--ip wants a number, not '%s'", ip_s);
		jitk_data_set_arg(&data, JITK_DATA_IP, ip);
	}

	jitk_filter *f = cli_read_filter(in, from);
	if (!f)
		return CLI_FAIL;
	int rc = CLI_FAIL;
	in = cli_input_name(in);
	if (!check_filter(in, f))
		goto out;
	jitk_result res = { 0 };
	jitk_err err = jitk_interp(f, &data, &res);
	if (err) {
		cli_error("%s: interpreter: %s", in, jitk_strerror(err));
		goto out;
	}
	uint32_t ret = res.ret;
	if (jit) {
		/* The JIT must agree with the reference interpreter on this
		 * input; a difference is a jitk bug and is reported as such. */
		jitk_jit *j = NULL;
		jitk_diag d;
		err = jitk_jit_compile(f, &j, &d);
		if (err) {
			if (!d.file[0])
				snprintf(d.file, sizeof d.file, "%s", in);
			fprintf(stderr, "jitk: error: %s: JIT: %s\n", in, jitk_strerror(err));
			cli_report(in, err, &d);
			goto out;
		}
		jitk_jit_fn fn = jitk_jit_func(j);
		ret = fn(&data);
		jitk_jit_free(j);
		if (ret != res.ret && !res.unspecified) {
			cli_error("%s: JIT returned 0x%08x but the interpreter 0x%08x (jitk bug)", in, ret,
				  res.ret);
			goto out;
		}
	}
	if (quiet) {
		printf("0x%08x\n", ret);
	} else {
		char act[96];
		format_action(ret, (jitk_arch)arch, act, sizeof act);
		printf("%s  ret=0x%08x  steps=%u%s%s\n", act, ret, res.steps, jit ? "  jit" : "",
		       res.unspecified ? "  (unspecified: shift by X >= 32)" : "");
	}
	rc = CLI_OK;
out:
	jitk_filter_free(f);
	return rc;
}

/* -------------------------------------------------------------- exec */

#define EXEC_USAGE                                                           \
	"exec FILTER [--flags log,spec_allow,tsync,tsync_esrch,keep_privs] " \
	"[--from auto|raw|text] -- CMD [ARGS...]"

int cmd_exec(int argc, char **argv)
{
	const char *in = NULL;
	enum cli_format from = FMT_AUTO;
	unsigned flags = 0;
	int cmd = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			cmd = i + 1;
			break;
		} else if (cli_is_help(a)) {
			printf("usage: jitk %s\n", EXEC_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "--flags")) {
			const char *v = cli_opt_value(argc, argv, &i);
			char bad[256] = "";
			if (!v || !cli_parse_load_flags(v, &flags, bad, sizeof bad))
				return cli_usage(EXEC_USAGE,
						 "unknown flag '%s' (log, spec_allow, tsync, "
						 "tsync_esrch, keep_privs)",
						 bad);
		} else if (!strcmp(a, "--from")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || !cli_parse_from(v, &from))
				return cli_usage(EXEC_USAGE, "--from wants auto, raw or text, not '%s'",
						 v ? v : "");
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(EXEC_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			/* As for run: the command comes after "--", so that its
			 * own options can never be taken for ours. */
			return cli_usage(EXEC_USAGE, "put -- before the command ('%s')", a);
		}
	}
	if (!in)
		return cli_usage(EXEC_USAGE, "missing filter file%s", "");
	if (cmd < 0 || cmd >= argc)
		return cli_usage(EXEC_USAGE, "missing command to run after --%s", "");

	jitk_filter *f = cli_read_filter(in, from);
	if (!f)
		return CLI_FAIL;
	jitk_diag d;
	jitk_err err = jitk_load(f, flags, NULL, &d);
	jitk_filter_free(f);
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", cli_input_name(in));
		cli_report(cli_input_name(in), err, &d);
		return CLI_FAIL;
	}
	/* From here on the filter is in force for us and whatever we exec.
	 * Flush nothing buffered: stdout is untouched so far. */
	execvp(argv[cmd], argv + cmd);
	int e = errno;
	fprintf(stderr, "jitk: error: cannot execute %s: %s\n", argv[cmd], strerror(e));
	return e == ENOENT ? 127 : 126;
}
