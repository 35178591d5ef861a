/*
 * cmd_learn.c - `jitk learn`: an allow-list policy from what a command does.
 *
 *   jitk learn [-o OUT.scpl] [--args] [--merge OLD.scpl]... [--default ACTION]
 *              [--flags F,...] -- CMD [ARGS...]
 *
 * CMD runs under a filter that answers SECCOMP_RET_TRACE for every call
 * (cli/trace.c), with jitk as its tracer following every thread, fork,
 * vfork, clone and execve; every call is recorded with its ABI (x86_64,
 * the int $0x80 i386 entry, x32) before it runs, and then runs.  The
 * output allows exactly the (ABI, syscall) pairs seen -- one rule each, with
 * a comment giving the count and the first program that made it -- and
 * everything else gets --default (KillProcess unless given, so `jitk run`
 * names what a later run needs).  With --args the calls whose argument
 * selects an operation are restricted to the values seen (the selector
 * table below, as minijail's policy generator does), and clone3, whose
 * flags a filter cannot read, answers ENOSYS so that the C library falls
 * back to clone.  --merge adds the calls recorded in policies this command
 * wrote before.  Ctrl-C ends the command; what was learned is then written
 * (atomically, like every output of jitk), or nothing if nothing was.
 * Exit status: the command's (128+signal if it died of one), 126/127 if it
 * could not start, 1 if nothing could be written, 2 bad command line.
 */
#include "cli.h"
#include "trace.h"
#include "learn_paths.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEARN_USAGE                                                                                       \
	"learn [-o OUT.scpl] [--args] [--paths] [--merge OLD.scpl]... [--default ACTION] [--flags F,...]" \
	" -- CMD [ARGS...]"

/* ------------------------------------------------------- selectors */

/* Syscalls whose argument selects the operation, and how --args restricts
 * them: the values of (arg & mask), or of two arguments as a pair.  This is
 * a choice of policy style (minijail's generator makes the same one), not a
 * kernel fact.  low32: the parameter is an int in the kernel's prototype,
 * which ignores the high half of the register. */
#define NS_FLAGS                                                                                      \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
	 CLONE_NEWNET | 0x80 /* CLONE_NEWTIME */)
static const struct selector {
	const char *sys;
	int arg, arg2; /* arg2 >= 0: a pair */
	bool low32;
	uint64_t mask;
	const char *mask_text; /* the mask as the policy spells it, NULL: none */
	const char *what;
} selectors[] = {
	{ "ioctl", 1, -1, true, ~0ull, NULL, "request" },
	{ "fcntl", 1, -1, true, ~0ull, NULL, "cmd" },
	{ "prctl", 0, -1, true, ~0ull, NULL, "option" },
	{ "socket", 0, 1, true, ~0ull, NULL, "domain/type" },
	{ "personality", 0, -1, true, ~0ull, NULL, "persona" },
	{ "madvise", 2, -1, true, ~0ull, NULL, "advice" },
	{ "mmap", 2, -1, true, PROT_EXEC, "PROT_EXEC", "prot & PROT_EXEC" },
	{ "mprotect", 2, -1, true, PROT_EXEC, "PROT_EXEC", "prot & PROT_EXEC" },
	{ "clone", 0, -1, false, NS_FLAGS,
	  "CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|"
	  "CLONE_NEWNET|CLONE_NEWTIME",
	  "namespace flags" },
};
#define NSELECTORS (sizeof selectors / sizeof *selectors)
#define MAX_VALUES 32 /* more distinct values than this: not restricted */

static const struct selector *selector_of(const char *name)
{
	for (size_t i = 0; name && i < NSELECTORS; i++)
		if (!strcmp(selectors[i].sys, name))
			return &selectors[i];
	return NULL;
}

/* --------------------------------------------------------- records */

struct pairv {
	uint64_t a, b;
};

struct rec {
	jitk_arch abi;
	int nr;
	unsigned long count;
	char prog[64];
	bool any; /* --args: values not restricted */
	size_t nvals;
	struct pairv vals[MAX_VALUES];
};

struct learn {
	struct rec *r;
	size_t n, cap;
	bool args;
	bool nomem;
	bool paths; /* --paths: a filesystem block too */
	struct lpaths files;
};

static struct rec *rec_get(struct learn *L, jitk_arch abi, int nr, bool *fresh)
{
	for (size_t i = 0; i < L->n; i++)
		if (L->r[i].abi == abi && L->r[i].nr == nr) {
			*fresh = false;
			return &L->r[i];
		}
	if (L->n == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 64;
		struct rec *p = realloc(L->r, cap * sizeof *p);
		if (!p) {
			L->nomem = true;
			return NULL;
		}
		L->r = p;
		L->cap = cap;
	}
	struct rec *r = &L->r[L->n++];
	memset(r, 0, sizeof *r);
	r->abi = abi;
	r->nr = nr;
	*fresh = true;
	return r;
}

static void rec_value(struct rec *r, struct pairv v)
{
	if (r->any)
		return;
	for (size_t i = 0; i < r->nvals; i++)
		if (r->vals[i].a == v.a && r->vals[i].b == v.b)
			return;
	if (r->nvals == MAX_VALUES) {
		r->any = true;
		return;
	}
	r->vals[r->nvals++] = v;
}

/* The ABI of a stopped call (the semantics' step 1); x86_64 for an arch
 * jitk does not know, as the tracer runs x86 processes only. */
static jitk_arch abi_of(const struct seccomp_data *sd)
{
	int a = jitk_input_abi(sd);
	return a < 0 ? JITK_ARCH_X86_64 : (jitk_arch)a;
}

static struct trace_verdict learn_hook(void *ctx, const struct trace_call *c)
{
	struct learn *L = ctx;
	jitk_arch abi = abi_of(&c->sd);
	bool fresh;
	struct rec *r = rec_get(L, abi, c->sd.nr, &fresh);
	if (r) {
		if (fresh)
			snprintf(r->prog, sizeof r->prog, "%.63s", c->prog);
		r->count++;
		const struct selector *s = selector_of(jitk_syscall_name(abi, c->sd.nr));
		if (s) {
			uint64_t a = c->sd.args[s->arg], b = s->arg2 >= 0 ? c->sd.args[s->arg2] : 0;
			if (s->low32 || !(jitk_arch_audit(abi) & __AUDIT_ARCH_64BIT)) {
				a &= 0xffffffffu;
				b &= 0xffffffffu;
			}
			rec_value(r, (struct pairv){ a & s->mask, b });
		}
	}
	if (L->paths)
		lpaths_record(&L->files, c->tid, abi, &c->sd);
	/* --args: clone3 answers ENOSYS while learning, as the policy will
	 * make it, so the run takes the path it will take under the policy
	 * (the C library falls back to clone, whose flags are learned). */
	if (L->args && c->sd.nr == jitk_syscall_nr(abi, "clone3"))
		return (struct trace_verdict){ .apply = true, .ret = JITK_RET_ERRNO | ENOSYS };
	return (struct trace_verdict){ .apply = false };
}

/* ----------------------------------------------------------- merge */

/* The comment line above each learned rule, written and read back:
 *   # NAME [ABI]: N calls, first by PROG
 *   # NAME [ABI]: N calls, first by PROG; WHAT: V V ...     (--args)
 * V is a number or NUMBER/NUMBER (a pair).  Other lines are not ours. */
static bool merge_line(struct learn *L, const char *line)
{
	char name[128], abi_s[16], prog[64];
	unsigned long count;
	int used = 0;
	while (*line == ' ' || *line == '\t')
		line++;
	if (sscanf(line, "# %127s [%15[^]]]: %lu calls, first by %63[^;\n]%n", name, abi_s, &count, prog,
		   &used) != 4)
		return false;
	int abi = jitk_arch_from_name(abi_s);
	if (abi < 0)
		return false;
	size_t nl = strlen(name);
	if (nl && name[nl - 1] == ':')
		name[nl - 1] = '\0';
	int nr = jitk_syscall_nr((jitk_arch)abi, name);
	uint64_t num;
	if (nr < 0 && cli_parse_u64(name, &num) && num <= 0xffffffffu)
		nr = (int)(uint32_t)num;
	else if (nr < 0)
		return false;
	bool fresh;
	struct rec *r = rec_get(L, (jitk_arch)abi, nr, &fresh);
	if (!r)
		return true;
	if (fresh)
		snprintf(r->prog, sizeof r->prog, "%s", prog);
	r->count += count;
	const char *rest = line + used;
	const struct selector *s = selector_of(jitk_syscall_name((jitk_arch)abi, nr));
	if (!s)
		return true;
	const char *colon = *rest == ';' ? strrchr(rest, ':') : NULL;
	if (!colon) {
		/* learned without --args: every value was allowed */
		r->any = true;
		return true;
	}
	for (const char *p = colon + 1; *p;) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		char *end;
		struct pairv v = { strtoull(p, &end, 0), 0 };
		if (*end == '/')
			v.b = strtoull(end + 1, &end, 0);
		if (end == p)
			break;
		rec_value(r, v);
		p = end;
	}
	return true;
}

static int merge_file(struct learn *L, const char *path)
{
	/* Read once, bounded (cli_read_input); parse it to refuse a bad
	 * policy, then take the learned comments from the same text. */
	size_t len;
	char *text = cli_read_input(path, &len);
	if (!text)
		return CLI_FAIL;
	const char *name = cli_input_name(path);
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err e = cli_parse_policy_text(text, len, name, &p, &d);
	if (e) {
		free(text);
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", name);
		cli_report(name, e, &d);
		return CLI_FAIL;
	}
	jitk_policy_free(p);
	size_t found = 0;
	for (char *line = text, *end; line < text + len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(text + len - line));
		if (!end)
			end = text + len;
		*end = '\0';
		found += merge_line(L, line);
	}
	free(text);
	if (!found)
		return cli_error("%s has no rules written by jitk learn (no '# NAME [ABI]: N calls, "
				 "first by PROG' comments); --merge unions learned policies only",
				 name);
	return CLI_OK;
}

/* ----------------------------------------------------------- write */

static int rec_cmp(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;
	if (a->abi != b->abi)
		return (int)a->abi - (int)b->abi;
	return a->nr < b->nr ? -1 : a->nr > b->nr;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct pairv *a = x, *b = y;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

struct out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		if (o->failed)
			return;
		va_start(ap, fmt);
		int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = true;
			return;
		}
		if (o->len + (size_t)n < o->cap) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = (o->cap + (size_t)n) * 2 + 256;
		char *p = realloc(o->buf, cap);
		if (!p) {
			o->failed = true;
			return;
		}
		o->buf = p;
		o->cap = cap;
	}
}

static void write_cond(struct out *o, const struct selector *s, const struct rec *r)
{
	char a1[32], a2[32];
	if (s->low32)
		snprintf(a1, sizeof a1, "low32(arg%d)", s->arg);
	else
		snprintf(a1, sizeof a1, "arg%d", s->arg);
	snprintf(a2, sizeof a2, "low32(arg%d)", s->arg2);
	out_printf(o, ";\n      when = ");
	for (size_t i = 0; i < r->nvals; i++) {
		const struct pairv *v = &r->vals[i];
		if (i)
			out_printf(o, "\n          || ");
		if (s->arg2 >= 0)
			out_printf(o, "(%s == 0x%llx && %s == 0x%llx)", a1, (unsigned long long)v->a, a2,
				   (unsigned long long)v->b);
		else if (s->mask_text)
			out_printf(o, "(%s & %s) == 0x%llx", a1, s->mask_text, (unsigned long long)v->a);
		else
			out_printf(o, "%s == 0x%llx", a1, (unsigned long long)v->a);
	}
}

static char *render(struct learn *L, const char *deflt, char **cmd, bool args)
{
	qsort(L->r, L->n, sizeof *L->r, rec_cmp);
	bool abis[JITK_ARCH__COUNT] = { false };
	unsigned long total = 0;
	for (size_t i = 0; i < L->n; i++) {
		abis[L->r[i].abi] = true;
		total += L->r[i].count;
		qsort(L->r[i].vals, L->r[i].nvals, sizeof *L->r[i].vals, pair_cmp);
	}
	size_t nabi = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		nabi += abis[a];
	if (!nabi)
		abis[JITK_ARCH_X86_64] = true;
	struct out o = { 0 };
	out_printf(&o, "# Learned by jitk learn%s from:", args ? " --args" : "");
	/* The command line in a comment: one line, printable, quoted. */
	for (char **a = cmd; *a; a++) {
		bool q = !**a || strpbrk(*a, " \t'\"\\$;|&<>()*?");
		out_printf(&o, " %s", q ? "'" : "");
		for (const char *c = *a; *c; c++)
			out_printf(&o, "%c",
				   (unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f ? *c : '?');
		out_printf(&o, "%s", q ? "'" : "");
	}
	out_printf(&o, "\n# %zu system call%s (%lu calls); anything else: %s.\n", L->n,
		   L->n == 1 ? "" : "s", total, deflt);
	out_printf(&o, "{ default_action = %s;\n  arch = [", deflt);
	bool first = true;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (abis[a]) {
			out_printf(&o, "%s%s", first ? "" : "; ", jitk_arch_name((jitk_arch)a));
			first = false;
		}
	out_printf(&o, "];\n  rules = [\n");
	for (size_t i = 0; i < L->n; i++) {
		const struct rec *r = &L->r[i];
		const char *name = jitk_syscall_name(r->abi, r->nr);
		char ref[64];
		if (name)
			snprintf(ref, sizeof ref, "%s", name);
		else
			snprintf(ref, sizeof ref, "%d", r->nr);
		if (args && name && !strcmp(name, "clone3"))
			continue; /* answered ENOSYS below */
		const struct selector *s = args ? selector_of(name) : NULL;
		out_printf(&o, "    # %s [%s]: %lu call%s, first by %s", ref, jitk_arch_name(r->abi),
			   r->count, r->count == 1 ? "" : "s", r->prog);
		bool restrict_ = s && !r->any && r->nvals;
		if (restrict_) {
			out_printf(&o, "; %s:", s->what);
			for (size_t k = 0; k < r->nvals; k++)
				if (s->arg2 >= 0)
					out_printf(&o, " 0x%llx/0x%llx", (unsigned long long)r->vals[k].a,
						   (unsigned long long)r->vals[k].b);
				else
					out_printf(&o, " 0x%llx", (unsigned long long)r->vals[k].a);
		}
		out_printf(&o, "\n");
		if (s && r->any)
			out_printf(&o, "    # (%s: more than %d distinct values, not restricted)\n",
				   s->what, MAX_VALUES);
		out_printf(&o, "    { action = Allow; syscall = %s", ref);
		if (nabi > 1)
			out_printf(&o, "; arch = [%s]", jitk_arch_name(r->abi));
		if (restrict_)
			write_cond(&o, s, r);
		out_printf(&o, " };\n");
	}
	if (args) {
		/* clone3 passes its flags in memory, out of a filter's reach:
		 * answer ENOSYS, and the C library uses clone, which --args
		 * restricts (and learning answered it so). */
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			if (!abis[a] || jitk_syscall_nr((jitk_arch)a, "clone3") < 0)
				continue;
			out_printf(&o, "    # clone3's flags are out of a filter's reach: ENOSYS makes the C "
				       "library fall back to clone\n");
			out_printf(&o, "    { action = Errno ENOSYS; syscall = clone3%s%s%s };\n",
				   nabi > 1 ? "; arch = [" : "",
				   nabi > 1 ? jitk_arch_name((jitk_arch)a) : "", nabi > 1 ? "]" : "");
		}
	}
	out_printf(&o, "  ]");
	if (L->paths) { /* --paths: the files it used, for Landlock */
		char *fs = lpaths_render(&L->files);
		if (!fs)
			o.failed = true;
		else
			out_printf(&o, ";\n%s", fs);
		free(fs);
	}
	out_printf(&o, " }\n");
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}

/* ------------------------------------------------------------- run */

static volatile int interrupted;
static void on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

static bool learn_redirect(uint32_t ret)
{
	(void)ret;
	return true;
}

/* Check that ACTION is an SCPL action, by parsing the policy it would head. */
static bool valid_action(const char *action)
{
	char text[256];
	if (strlen(action) > 100 || strpbrk(action, ";{}[]#/("))
		return false;
	snprintf(text, sizeof text, "{ default_action = %s; rules = [] }", action);
	jitk_policy *p = NULL;
	jitk_diag d;
	if (jitk_policy_parse(text, strlen(text), "--default", &p, &d))
		return false;
	jitk_policy_free(p);
	return true;
}

int cmd_learn(int argc, char **argv)
{
	const char *out = NULL, *deflt = "KillProcess";
	const char *merges[16];
	size_t nmerge = 0;
	unsigned flags = 0;
	struct learn L = { 0 };
	int cmd = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			cmd = i + 1;
			break;
		} else if (cli_is_help(a)) {
			printf("usage: jitk %s\n", LEARN_USAGE);
			printf("Runs CMD under ptrace and writes an allow-list SCPL policy of the calls it made.\n");
			return CLI_OK;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!(out = cli_opt_value(argc, argv, &i)))
				return cli_usage(LEARN_USAGE, "%s needs a file name", a);
		} else if (!strcmp(a, "--args")) {
			L.args = true;
		} else if (!strcmp(a, "--paths")) {
			L.paths = true;
		} else if (!strcmp(a, "--merge")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v)
				return cli_usage(LEARN_USAGE, "%s needs a policy file", a);
			if (nmerge == sizeof merges / sizeof *merges)
				return cli_usage(LEARN_USAGE, "at most 16 --merge files%s", "");
			merges[nmerge++] = v;
		} else if (!strcmp(a, "--default")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || !valid_action(v))
				return cli_usage(LEARN_USAGE,
						 "--default wants an SCPL action (KillProcess, \"Errno EPERM\", "
						 "Log, ...), not '%s'",
						 v ? v : "");
			deflt = v;
		} else if (!strcmp(a, "--flags")) {
			const char *v = cli_opt_value(argc, argv, &i);
			char bad[64] = "";
			if (!v || !cli_parse_load_flags(v, &flags, bad, sizeof bad))
				return cli_usage(LEARN_USAGE, "unknown flag '%s'", bad);
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(LEARN_USAGE, "unknown option '%s'", a);
		} else {
			return cli_usage(LEARN_USAGE, "put -- before the command ('%s')", a);
		}
	}
	if (cmd < 0 || cmd >= argc)
		return cli_usage(LEARN_USAGE, "missing command to run after --%s", "");
	for (size_t i = 0; i < nmerge; i++)
		if (merge_file(&L, merges[i]) != CLI_OK) {
			free(L.r);
			return CLI_FAIL;
		}

	char path[4096], err[512];
	int rc = trace_resolve(argv[cmd], path, sizeof path, err, sizeof err);
	if (rc) {
		free(L.r);
		fprintf(stderr, "jitk: error: %s\n", err);
		return rc;
	}
	/* Every call stops: a one-instruction filter answering TRACE. */
	jitk_insn all = { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW };
	jitk_filter *f0 = NULL, *f = NULL;
	uint32_t *table = NULL;
	size_t ntable = 0;
	if (jitk_filter_new(&all, 1, &f0) || !(f = trace_filter(f0, learn_redirect, &table, &ntable))) {
		jitk_filter_free(f0);
		free(L.r);
		return cli_error("out of memory");
	}
	jitk_filter_free(f0);
	free(table);
	struct sigaction sa = { .sa_handler = on_int };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct trace_result r;
	bool ok = trace_run(f, flags, NULL, path, argv + cmd, learn_hook, &L, &interrupted, &r);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	jitk_filter_free(f);
	if (!ok) {
		free(L.r);
		return cli_error("%s", r.error);
	}
	if (!r.started) {
		free(L.r);
		fprintf(stderr, "jitk: error: cannot execute %s: %s\n", path, strerror(r.exec_errno));
		return r.exec_errno == ENOENT ? 127 : 126;
	}
	rc = WIFEXITED(r.status)     ? WEXITSTATUS(r.status)
	     : WIFSIGNALED(r.status) ? 128 + WTERMSIG(r.status)
				     : CLI_FAIL;
	if (L.nomem) {
		free(L.r);
		return cli_error("out of memory recording system calls; nothing written");
	}
	if (L.files.nomem) {
		free(L.r);
		lpaths_free(&L.files);
		return cli_error("out of memory recording paths; nothing written");
	}
	char *text = render(&L, deflt, argv + cmd, L.args);
	size_t nrec = L.n;
	free(L.r);
	lpaths_free(&L.files);
	if (!text)
		return cli_error("out of memory; nothing written");
	int wrc = cli_write_bytes(out ? out : "-", text, strlen(text));
	free(text);
	if (wrc != CLI_OK)
		return CLI_FAIL;
	fprintf(stderr, "jitk: learned %zu system call%s%s%s%s\n", nrec, nrec == 1 ? "" : "s",
		out ? " into " : "", out ? out : "", interrupted ? " (interrupted)" : "");
	return rc;
}
