/*
 * cmd_dump.c - `jitk dump PID [-o OUT] [--format raw|text|c]`: the seccomp
 * filters of a running process, in installation order.
 *
 * The filters are read with PTRACE_SECCOMP_GET_FILTER (kernel/seccomp.c
 * seccomp_get_filter), which needs CAP_SYS_ADMIN, a caller not itself under
 * seccomp, and the target in a ptrace stop.  The target is attached with
 * PTRACE_SEIZE and stopped with PTRACE_INTERRUPT (no signal is sent to it)
 * and detached at once.  The kernel's get_nth_filter counts from the
 * oldest filter: index 0 is the first installed (ptrace(2) has said the
 * opposite; the code and tests/cli/test_learn.sh agree on this), so jitk
 * lists them in installation order (every filter runs on every call; the
 * strictest answer wins).
 *
 * Output: without -o, the disassembly of each filter on standard output.
 * With -o OUT and one filter, OUT (raw unless --format or an .s name says
 * text); with several, OUT.1, OUT.2, ... in installation order.
 * --effective: ONE filter equal to the whole stack, what the process may
 * really do (jitk_stack, proved against the kernel's stacked semantics).
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define DUMP_USAGE "dump PID [-o OUT] [--format raw|text|c] [--effective]"
#define MAX_FILTERS 512

static int dump_error(long pid, int e)
{
	switch (e) {
	case ESRCH:
		return cli_error("no process %ld (or it cannot be traced: it is being traced already, "
				 "or it exited)",
				 pid);
	case EPERM:
		return cli_error("cannot attach to process %ld: %s (another user's process, or "
				 "ptrace is restricted: /proc/sys/kernel/yama/ptrace_scope)",
				 pid, strerror(e));
	case EACCES:
		return cli_error("reading the filters of process %ld needs CAP_SYS_ADMIN, and jitk "
				 "must not itself run under seccomp",
				 pid);
	case EINVAL:
		return cli_error("process %ld has no seccomp filter (or the kernel lacks "
				 "CONFIG_CHECKPOINT_RESTORE)",
				 pid);
	case EMEDIUMTYPE:
		return cli_error("a filter of process %ld is not classic BPF and cannot be dumped", pid);
	default: return cli_error("reading the filters of process %ld: %s", pid, strerror(e));
	}
}

/* Read every filter of pid, oldest first, into out[0 .. *count).  Returns
 * 0 or an errno value; *count is 0 unless it returns 0. */
static int read_filters(pid_t pid, jitk_filter **out, size_t cap, long *count)
{
	*count = 0;
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
		return errno;
	int st;
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0 || waitpid(pid, &st, __WALL) != pid) {
		int e = errno;
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return e;
	}
	if (!WIFSTOPPED(st))
		return ESRCH; /* it died meanwhile */
	long n = 0;
	int err = 0;
	jitk_filter *tmp[MAX_FILTERS];
	for (; n < (long)cap && n < MAX_FILTERS; n++) {
		long len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)n, NULL);
		if (len < 0) {
			if (errno != ENOENT || n == 0)
				err = errno;
			break;
		}
		jitk_insn *buf = calloc((size_t)len ? (size_t)len : 1, sizeof *buf);
		if (!buf) {
			err = ENOMEM;
			break;
		}
		long got = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)n, buf);
		if (got != len || jitk_filter_new(buf, (size_t)len, &tmp[n])) {
			err = got < 0 ? errno : EIO;
			free(buf);
			break;
		}
		free(buf);
	}
	ptrace(PTRACE_DETACH, pid, 0, 0);
	if (err) {
		for (long i = 0; i < n; i++)
			jitk_filter_free(tmp[i]);
		return err;
	}
	for (long i = 0; i < n; i++)
		out[i] = tmp[i]; /* index 0 is the oldest (get_nth_filter) */
	*count = n;
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	const char *pid_s = NULL, *out = NULL;
	int fmt = -1;
	bool effective = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n", DUMP_USAGE);
			printf("Prints the seccomp filters of process PID, oldest first (needs CAP_SYS_ADMIN).\n");
			return CLI_OK;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!(out = cli_opt_value(argc, argv, &i)))
				return cli_usage(DUMP_USAGE, "%s needs a file name", a);
		} else if (!strcmp(a, "--format") || !strcmp(a, "-f")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || (fmt = cli_parse_format(v)) < 0)
				return cli_usage(DUMP_USAGE, "--format wants raw, text or c, not '%s'",
						 v ? v : "");
		} else if (!strcmp(a, "--effective")) {
			effective = true;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(DUMP_USAGE, "unknown option '%s'", a);
		} else if (!pid_s) {
			pid_s = a;
		} else {
			return cli_usage(DUMP_USAGE, "unexpected argument '%s'", a);
		}
	}
	uint64_t pid;
	if (!pid_s)
		return cli_usage(DUMP_USAGE, "missing PID%s", "");
	if (!cli_parse_u64(pid_s, &pid) || pid == 0 || pid > 0x3fffffff)
		return cli_usage(DUMP_USAGE, "PID wants a process id, not '%s'", pid_s);
	if ((pid_t)pid == getpid())
		return cli_error("jitk cannot dump its own filters (a process cannot trace itself)");

	jitk_filter *fs[MAX_FILTERS];
	long n;
	int e = read_filters((pid_t)pid, fs, MAX_FILTERS, &n);
	if (e)
		return dump_error((long)pid, e);
	if (n == 0)
		return dump_error((long)pid, EINVAL);
	if (fmt < 0)
		fmt = out && (cli_ends_with(out, ".s") || cli_ends_with(out, ".asm")) ? FMT_TEXT
		      : out && (cli_ends_with(out, ".c") || cli_ends_with(out, ".h")) ? FMT_C
		      : out                                                           ? FMT_RAW
										      : FMT_TEXT;
	if (effective) { /* the stack as one filter (docs/stack.md) */
		jitk_filter *one = NULL;
		jitk_diag d;
		jitk_err err = jitk_stack((const jitk_filter *const *)fs, (size_t)n, 0, &one, &d);
		for (long i = 0; i < n; i++)
			jitk_filter_free(fs[i]);
		if (err) {
			cli_report("dump --effective", err, &d);
			return err == JITK_E_SOLVER ? 3 : CLI_FAIL;
		}
		if (!out)
			printf("# the effective filter of process %llu: its %ld filter%s as one, "
			       "%zu instructions\n",
			       (unsigned long long)pid, n, n == 1 ? "" : "s", jitk_filter_len(one));
		fflush(stdout);
		int rc = cli_write_filter(out ? out : "-", one, (enum cli_format)fmt, "effective");
		jitk_filter_free(one);
		return rc;
	}
	int rc = CLI_OK;
	for (long i = 0; i < n && rc == CLI_OK; i++) {
		if (!out) {
			printf("# filter %ld of %ld (installed %s), %zu instructions\n", i + 1, n,
			       i == 0       ? "first"
			       : i == n - 1 ? "last"
					    : "in between",
			       jitk_filter_len(fs[i]));
			fflush(stdout);
			rc = cli_write_filter("-", fs[i], (enum cli_format)fmt, "filter");
			continue;
		}
		char path[4096];
		if (n == 1)
			snprintf(path, sizeof path, "%s", out);
		else
			snprintf(path, sizeof path, "%s.%ld", out, i + 1);
		rc = cli_write_filter(path, fs[i], (enum cli_format)fmt, "filter");
		if (rc == CLI_OK)
			fprintf(stderr, "jitk: %s: filter %ld of %ld, %zu instructions\n", path, i + 1, n,
				jitk_filter_len(fs[i]));
	}
	for (long i = 0; i < n; i++)
		jitk_filter_free(fs[i]);
	return rc;
}
