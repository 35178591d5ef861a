/*
 * run_report.c - `jitk run` under supervision: say what the policy refused
 * (and, with --permissive, refuse nothing but report everything).
 *
 *   jitk: refused mkdirat(AT_FDCWD, "/tmp/x", 0777) [x86_64] by policy.scpl:7 (Errno EACCES)
 *
 * The command runs under the proved filter with the refusing returns made
 * SECCOMP_RET_TRACE (cli/trace.c); at each stop the trusted evaluator,
 * jitk_policy_decide, names the rule that decides the call, and the value
 * the filter would have returned is applied by the kernel (or, permissive,
 * the call runs).  Arguments are shown as numbers, except that one that
 * points to readable text in the command's memory is shown as that string
 * and small negative numbers (AT_FDCWD, -1) as such.
 */
#include "cli.h"
#include "trace.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Which returns the supervisor sees (trace_filter's redirect): every
 * refusal.  Errno answers are printed only with --report, but they are
 * seen always, so that a refused execve of the command is named. */
static bool refuses(uint32_t ret)
{
	uint32_t act = ret & JITK_RET_ACTION_FULL;
	return act != JITK_RET_ALLOW && act != JITK_RET_LOG;
}

/* The same with an agent at listenerPath: USER_NOTIF goes to it, not to
 * the supervisor. */
static bool refuses_but_notify(uint32_t ret)
{
	return refuses(ret) && (ret & JITK_RET_ACTION_FULL) != JITK_RET_USER_NOTIF;
}

static bool is_errno_like(uint32_t ret)
{
	uint32_t act = ret & JITK_RET_ACTION_FULL;
	return act == JITK_RET_ERRNO || act == JITK_RET_TRACE || act == JITK_RET_USER_NOTIF;
}

/* The ABI of a reported call (the semantics' step 1); x86_64 for an arch
 * jitk does not know. */
static jitk_arch abi_of(const struct seccomp_data *sd)
{
	int a = jitk_input_abi(sd);
	return a < 0 ? JITK_ARCH_X86_64 : (jitk_arch)a;
}

/* The SCPL spelling of a return value to a call of ABI a. */
static void action_text(uint32_t ret, jitk_arch a, char *buf, size_t cap)
{
	uint32_t act = ret & JITK_RET_ACTION_FULL, data = ret & JITK_RET_DATA;
	const char *e;
	switch (act) {
	case JITK_RET_KILL_PROCESS: snprintf(buf, cap, "KillProcess"); break;
	case JITK_RET_KILL_THREAD: snprintf(buf, cap, "KillThread"); break;
	case JITK_RET_TRAP: snprintf(buf, cap, "Trap %u", data); break;
	case JITK_RET_ERRNO:
		e = jitk_errno_name_arch(a, (int)data); /* the ABI's own name */
		if (e)
			snprintf(buf, cap, "Errno %s", e);
		else
			snprintf(buf, cap, "Errno %u", data);
		break;
	case JITK_RET_TRACE: snprintf(buf, cap, "Trace %u: no tracer, ENOSYS", data); break;
	case JITK_RET_USER_NOTIF: snprintf(buf, cap, "Notify: no listener, ENOSYS"); break;
	default: snprintf(buf, cap, "%s", jitk_action_name(ret)); break;
	}
}

/* One argument as text: a string it points to, a small negative, a number. */
static void arg_text(pid_t tid, uint64_t v, char *buf, size_t cap)
{
	if ((int64_t)v == -100) {
		snprintf(buf, cap, "AT_FDCWD");
		return;
	}
	if ((int64_t)v < 0 && (int64_t)v >= -4095) {
		snprintf(buf, cap, "%lld", (long long)(int64_t)v);
		return;
	}
	if (v >= 0x10000 && v < 0x800000000000ull) {
		char s[48];
		struct iovec l = { s, sizeof s - 1 }, r = { (void *)(uintptr_t)v, sizeof s - 1 };
		ssize_t m = process_vm_readv(tid, &l, 1, &r, 1, 0);
		if (m > 0) {
			s[m] = '\0';
			size_t n = 0;
			while (s[n] && ((unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f))
				n++;
			if (n >= 1 && (s[n] == '\0' || n == (size_t)m)) {
				snprintf(buf, cap, "\"%.*s\"%s", (int)n, s, s[n] ? "..." : "");
				return;
			}
		}
	}
	snprintf(buf, cap, v < 10 ? "%llu" : "0x%llx", (unsigned long long)v);
}

/* "name(a, b, c)": arguments up to the last non-zero one. */
static void call_text(const struct trace_call *c, char *buf, size_t cap)
{
	jitk_arch a = abi_of(&c->sd);
	const char *name = jitk_syscall_name(a, c->sd.nr);
	int n = 6;
	while (n > 0 && c->sd.args[n - 1] == 0)
		n--;
	size_t len = name ? (size_t)snprintf(buf, cap, "%s(", name)
			  : (size_t)snprintf(buf, cap, "syscall_%d(", c->sd.nr);
	for (int i = 0; i < n && len < cap; i++) {
		char t[80];
		arg_text(c->tid, c->sd.args[i], t, sizeof t);
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", t);
	}
	if (len < cap)
		snprintf(buf + len, cap - len, ")");
}

/* Who decides: "policy.scpl:7", "default_action", "foreign_action". */
static void rule_text(const jitk_policy *p, long rule, char *buf, size_t cap)
{
	const char *file;
	unsigned line;
	if (rule == JITK_DECIDED_DEFAULT)
		snprintf(buf, cap, "default_action");
	else if (rule == JITK_DECIDED_FOREIGN)
		snprintf(buf, cap, "foreign_action");
	else if (jitk_policy_rule(p, (size_t)rule, &file, &line, NULL, NULL))
		snprintf(buf, cap, "%s:%u", file, line);
	else
		snprintf(buf, cap, "rule %ld", rule);
}

/* Permissive mode keeps one entry per (ABI, nr, deciding rule). */
struct seen {
	uint32_t arch;
	int nr;
	long rule;
	uint32_t ret;
	unsigned long count;
	char example[200]; /* the first call, as text */
	char prog[64];
};

struct sup {
	const jitk_policy *p;
	const uint32_t *table;
	size_t ntable;
	bool permissive, verbose, report_errno;
	struct seen *seen;
	size_t nseen, capseen;
	unsigned long total;
	char exec_line[700];
};

static struct seen *seen_get(struct sup *S, const struct seccomp_data *sd, long rule, uint32_t ret)
{
	for (size_t i = 0; i < S->nseen; i++)
		if (S->seen[i].arch == sd->arch && S->seen[i].nr == sd->nr && S->seen[i].rule == rule)
			return &S->seen[i];
	if (S->nseen == S->capseen) {
		size_t cap = S->capseen ? 2 * S->capseen : 32;
		struct seen *q = realloc(S->seen, cap * sizeof *q);
		if (!q)
			return NULL;
		S->seen = q;
		S->capseen = cap;
	}
	struct seen *s = &S->seen[S->nseen++];
	memset(s, 0, sizeof *s);
	s->arch = sd->arch;
	s->nr = sd->nr;
	s->rule = rule;
	s->ret = ret;
	return s;
}

static struct trace_verdict hook(void *ctx, const struct trace_call *c)
{
	struct sup *S = ctx;
	long rule;
	uint32_t ret = jitk_policy_decide(S->p, &c->sd, &rule);
	/* The filter was proved equal to the policy; its own answer is the one
	 * enforced, and a disagreement would be a bug worth shouting about. */
	if (c->data < S->ntable && S->table[c->data] != ret) {
		fprintf(stderr,
			"jitk: internal error: filter says 0x%08x, policy 0x%08x; applying the filter's\n",
			S->table[c->data], ret);
		ret = S->table[c->data];
	}
	char call[256], by[300], act[64];
	call_text(c, call, sizeof call);
	rule_text(S->p, rule, by, sizeof by);
	action_text(ret, abi_of(&c->sd), act, sizeof act);
	const char *abi = jitk_arch_name(abi_of(&c->sd));
	S->total++;
	if (S->permissive) {
		struct seen *s = seen_get(S, &c->sd, rule, ret);
		if (s && s->count++ == 0) {
			snprintf(s->example, sizeof s->example, "%.199s", call);
			snprintf(s->prog, sizeof s->prog, "%s", c->prog);
		}
		if (S->verbose)
			fprintf(stderr, "jitk: would refuse %s [%s] by %s (%s) in %s[%d]\n", call, abi, by,
				act, c->prog, (int)c->tid);
		return (struct trace_verdict){ .apply = false };
	}
	if (c->first_exec)
		snprintf(S->exec_line, sizeof S->exec_line, "%.255s [%.8s] by %.299s (%.63s)", call, abi,
			 by, act);
	else if (S->report_errno || !is_errno_like(ret))
		fprintf(stderr, "jitk: refused %s [%s] by %s (%s) in %s[%d]\n", call, abi, by, act, c->prog,
			(int)c->tid);
	return (struct trace_verdict){ .apply = true, .ret = ret };
}

static void summary(struct sup *S)
{
	if (!S->nseen) {
		fprintf(stderr, "jitk: --permissive: the policy would have refused nothing\n");
		return;
	}
	fprintf(stderr, "jitk: --permissive: the policy would have refused %lu call%s (%zu kind%s):\n",
		S->total, S->total == 1 ? "" : "s", S->nseen, S->nseen == 1 ? "" : "s");
	for (size_t i = 0; i < S->nseen; i++) {
		const struct seen *s = &S->seen[i];
		char by[300], act[64];
		rule_text(S->p, s->rule, by, sizeof by);
		struct seccomp_data sd = { .nr = s->nr, .arch = s->arch };
		action_text(s->ret, abi_of(&sd), act, sizeof act);
		const char *name = jitk_syscall_name(abi_of(&sd), s->nr);
		fprintf(stderr, "  %6lu  %s [%s] by %s (%s), first: %s in %s\n", s->count,
			name ? name : "?", jitk_arch_name(abi_of(&sd)), by, act, s->example, s->prog);
	}
}

static volatile int interrupted;
static void on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

int run_report(const jitk_policy *p, const jitk_filter *f, unsigned flags, struct cli_listener *L,
	       bool permissive, bool report_errno, bool verbose, char **argv)
{
	char path[4096], err[512];
	int st = trace_resolve(argv[0], path, sizeof path, err, sizeof err);
	if (st) {
		fprintf(stderr, "jitk: error: %s\n", err);
		return st;
	}
	uint32_t *table = NULL;
	size_t ntable = 0;
	jitk_filter *g = trace_filter(f, L ? refuses_but_notify : refuses, &table, &ntable);
	if (!g)
		return cli_error("cannot supervise this filter (out of memory or RET A); "
				 "run it with --no-report");
	struct sup S = { .p = p,
			 .table = table,
			 .ntable = ntable,
			 .permissive = permissive,
			 .verbose = verbose,
			 .report_errno = report_errno };
	/* Ctrl-C reaches the command too (same process group); the
	 * supervisor stays to report, and a second one ends everything. */
	struct sigaction sa = { .sa_handler = on_int };
	sigaction(SIGINT, &sa, NULL);
	struct trace_result r;
	bool ok = trace_run(g, flags, L, path, argv, hook, &S, &interrupted, &r);
	signal(SIGINT, SIG_DFL);
	jitk_filter_free(g);
	free(table);
	int rc;
	if (!ok) {
		rc = cli_error("%s", r.error);
	} else if (r.exec_refused) {
		fprintf(stderr,
			"jitk: error: the policy denies execve: %s cannot start\n"
			"  refused %s\n",
			argv[0], S.exec_line);
		rc = 126;
	} else if (!r.started) {
		fprintf(stderr, "jitk: error: cannot execute %s: %s\n", path, strerror(r.exec_errno));
		rc = r.exec_errno == ENOENT ? 127 : 126;
	} else if (WIFEXITED(r.status)) {
		rc = WEXITSTATUS(r.status);
	} else if (WIFSIGNALED(r.status)) {
		rc = 128 + WTERMSIG(r.status);
	} else {
		rc = CLI_FAIL;
	}
	if (ok && permissive)
		summary(&S);
	free(S.seen);
	return rc;
}
