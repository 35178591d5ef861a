/*
 * cmd_verify.c - the translation-validation commands: verify, diff.
 *
 *   jitk verify POLICY FILTER [--timeout MS]
 *   jitk diff A B [--max N] [--timeout MS]
 *
 * verify proves with Z3 that FILTER returns what POLICY says for every
 * seccomp_data, or prints one input on which they differ.  diff compares
 * two policies (*.scpl) or filters (raw or text) the same way and lists the
 * differing syscalls, one concrete example each.  Every example printed was
 * replayed through the concrete interpreter/evaluator by the library.
 *
 * Exit statuses: 0 verified / equivalent, 1 different (or an input is
 * bad, e.g. the checker refuses the filter), 2 bad command line,
 * 3 the solver could not decide (timeout): never a silent success.
 */
#include "cli.h"
#include "verify.h"

#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_DEFAULT_MAX 32

#define VERIFY_USAGE \
	"verify POLICY FILTER [--timeout MS] [--cross-check]   (FILTER may be a stack F1+F2+...)"
#define DIFF_USAGE \
	"diff A B [--max N] [--timeout MS]   (A, B: policies, filters or stacks F1+F2+...; '-' is stdin)"

#define VERIFY_ORDER "verify takes POLICY FILTER, in that order: are the two swapped?"

static const char *arch_label(const struct seccomp_data *in)
{
	int a = jitk_input_abi(in);
	return a < 0 ? "unknown" : jitk_arch_name((jitk_arch)a);
}

/* "getpid (39)" or "#123456". */
static void nr_label(const struct seccomp_data *in, char *buf, size_t cap)
{
	int a = jitk_input_abi(in);
	const char *name = a < 0 ? NULL : jitk_syscall_name((jitk_arch)a, in->nr);
	if (name)
		snprintf(buf, cap, "%s (%d)", name, in->nr);
	else if ((uint32_t)in->nr >= 0x10000)
		snprintf(buf, cap, "#%d (0x%x)", in->nr, (uint32_t)in->nr);
	else
		snprintf(buf, cap, "#%d", in->nr);
}

/* "ERRNO 13 EACCES (0x0005000d)", "ALLOW (0x7fff0000)", for a return to
 * the call in. */
static void action_label(uint32_t ret, const struct seccomp_data *in, char *buf, size_t cap)
{
	uint32_t act = ret & JITK_RET_ACTION_FULL, data = ret & JITK_RET_DATA;
	const char *name = jitk_action_name(ret);
	if (act == JITK_RET_ERRNO) {
		/* the errno name of the input's ABI (mips's 89 is ENOSYS) */
		int a = jitk_input_abi(in);
		const char *e = jitk_errno_name_arch(a < 0 ? JITK_ARCH__COUNT : (jitk_arch)a, (int)data);
		snprintf(buf, cap, "%s %u%s%s (0x%08x)", name, data, e ? " " : "", e ? e : "", ret);
	} else if (act == JITK_RET_TRAP || act == JITK_RET_TRACE || data) {
		snprintf(buf, cap, "%s %u (0x%08x)", name, data, ret);
	} else {
		snprintf(buf, cap, "%s (0x%08x)", name, ret);
	}
}

static void print_input(const struct seccomp_data *in, const char *indent)
{
	char nr[96];
	nr_label(in, nr, sizeof nr);
	printf("%sarch  %s (0x%08x)\n", indent, arch_label(in), in->arch);
	printf("%snr    %s\n", indent, nr);
	printf("%sargs ", indent);
	for (int i = 0; i < 6; i++)
		printf(" %#llx", (unsigned long long)jitk_data_arg(in, (unsigned)i));
	printf("\n%sip    %#llx\n", indent, (unsigned long long)jitk_data_arg(in, JITK_DATA_IP));
}

static int solver_failed(const char *what, jitk_err err, jitk_diag *d)
{
	cli_report(what, err, d);
	return err == JITK_E_SOLVER ? CLI_SOLVER : CLI_FAIL;
}

/* The UNSAT parts of a proof, kept for --cross-check. */
struct parts {
	char **txt;
	size_t n, cap;
	bool failed;
};

static void keep_part(void *ctx, size_t part, const char *smtlib)
{
	struct parts *ps = ctx;
	(void)part;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 8;
		char **t = realloc(ps->txt, cap * sizeof *t);
		if (!t) {
			ps->failed = true;
			return;
		}
		ps->txt = t;
		ps->cap = cap;
	}
	char *copy = strdup(smtlib);
	if (!copy) {
		ps->failed = true;
		return;
	}
	ps->txt[ps->n++] = copy;
}

/* --cross-check: cvc5 must answer unsat on every part Z3 answered unsat. */
static int cross_check(const struct parts *ps, const char *what)
{
	if (ps->failed)
		return cli_error("out of memory while keeping the proof's queries");
	for (size_t i = 0; i < ps->n; i++) {
		char verdict[256];
		int r = cli_cvc5_unsat(ps->txt[i], verdict, sizeof verdict);
		if (r < 0) {
			cli_error("cross-check: %s", verdict);
			return CLI_SOLVER;
		}
		if (r == 0) {
			cli_error("cross-check: the solvers disagree on part %zu of %zu of %s: Z3 unsat, cvc5 '%s'",
				  i + 1, ps->n, what, verdict);
			return CLI_SOLVER;
		}
	}
	printf("cross-checked: cvc5 also answers unsat on all %zu part%s of the proof\n", ps->n,
	       ps->n == 1 ? "" : "s");
	return CLI_OK;
}

int cmd_verify(int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	int npos = 0;
	unsigned timeout = 0;
	bool cross = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: jitk %s\n", VERIFY_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "--timeout")) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;
			if (!cli_parse_timeout(v, &timeout))
				return cli_usage(VERIFY_USAGE,
						 "--timeout wants milliseconds from 1 to 86400000, not '%s'",
						 v ? v : "");
		} else if (!strcmp(a, "--cross-check")) {
			cross = true;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(VERIFY_USAGE, "unknown option '%s'", a);
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			return cli_usage(VERIFY_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (npos != 2)
		return cli_usage(VERIFY_USAGE, "%s", "verify wants a policy and a filter");
	if (!strcmp(pos[0], "-") && !strcmp(pos[1], "-"))
		return cli_usage(VERIFY_USAGE, "%s",
				 "only one of POLICY and FILTER can be standard input ('-')");

	jitk_policy *p = cli_read_policy_as(pos[0], VERIFY_ORDER, NULL);
	if (!p)
		return CLI_FAIL;
	struct cli_stack st = { 0 };
	jitk_filter *f = NULL;
	if (cli_is_stack_operand(pos[1]) ? !cli_load_stack(pos[1], timeout, &st)
					 : !(f = cli_read_filter_as(pos[1], FMT_AUTO, VERIFY_ORDER))) {
		jitk_policy_free(p);
		return CLI_FAIL;
	}
	jitk_cex cex;
	size_t ncex = 0;
	struct parts ps = { 0 };
	jitk_diag d;
	jitk_err err = verify_equiv_export(
		(jitk_side){ .policy = p },
		(jitk_side){ .filter = f, .stack = (const jitk_filter *const *)st.f, .nstack = st.n },
		timeout, &cex, 1, &ncex, cross ? keep_part : NULL, &ps, &d);
	int rc;
	if (err == JITK_OK) {
		printf("verified: %s implements %s for every input\n", cli_input_name(pos[1]),
		       cli_input_name(pos[0]));
		rc = cross ? cross_check(&ps, pos[1]) : CLI_OK;
	} else if (err == JITK_E_DIFFERENT) {
		char l[96], r[96];
		action_label(cex.left, &cex.in, l, sizeof l);
		action_label(cex.right, &cex.in, r, sizeof r);
		printf("DIFFERENT: %s does not implement %s; counterexample:\n", cli_input_name(pos[1]),
		       cli_input_name(pos[0]));
		print_input(&cex.in, "  ");
		printf("  policy returns  %s\n  filter returns  %s\n", l, r);
		rc = CLI_FAIL;
	} else {
		if (!d.file[0] && err == JITK_E_CHECK)
			snprintf(d.file, sizeof d.file, "%s", cli_input_name(pos[1]));
		rc = solver_failed(cli_input_name(pos[1]), err, &d);
	}
	for (size_t i = 0; i < ps.n; i++)
		free(ps.txt[i]);
	free(ps.txt);
	jitk_filter_free(f);
	cli_stack_free(&st);
	jitk_policy_free(p);
	return rc;
}

/* One side of a diff, read from a path. */
struct dside {
	jitk_policy *p;
	jitk_filter *f;
	struct cli_stack st; /* F1+F2+... (cli/cmd_stack.c) */
};

/* One side of a diff: a policy or a filter, as its content says (not its
 * name: a policy need not end in .scpl). */
static bool load_side(const char *path, struct dside *s)
{
	const char *name = cli_input_name(path);
	s->p = NULL;
	s->f = NULL;
	s->st = (struct cli_stack){ 0 };
	if (cli_is_stack_operand(path))
		return cli_load_stack(path, 0, &s->st);
	size_t len;
	char *buf = cli_read_input(path, &len);
	if (!buf)
		return false;
	enum cli_kind kind = cli_sniff(buf, len);
	jitk_diag d;
	jitk_err err;
	if (kind == CLI_KIND_POLICY || kind == CLI_KIND_JSON) {
		err = cli_parse_policy_text(buf, len, name, &s->p, &d);
	} else {
		err = kind == CLI_KIND_BINARY ? jitk_decode(buf, len, &s->f, &d)
					      : jitk_asm(buf, len, name, &s->f, &d);
		/* Check here so a refusal names its file; jitk_equiv checks
		 * again. */
		if (!err && (err = jitk_check(s->f, &d))) {
			jitk_filter_free(s->f);
			s->f = NULL;
		}
	}
	free(buf);
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", name);
		cli_report(name, err, &d);
		return false;
	}
	return true;
}

static void free_side(struct dside *s)
{
	jitk_policy_free(s->p);
	jitk_filter_free(s->f);
	cli_stack_free(&s->st);
}

static jitk_side side_of(const struct dside *s)
{
	return (jitk_side){ .policy = s->p,
			    .filter = s->f,
			    .stack = (const jitk_filter *const *)s->st.f,
			    .nstack = s->st.n };
}

static int cex_order(const void *x, const void *y)
{
	const jitk_cex *a = x, *b = y;
	if (a->in.arch != b->in.arch)
		return a->in.arch < b->in.arch ? -1 : 1;
	uint32_t p = (uint32_t)a->in.nr, q = (uint32_t)b->in.nr;
	return (p > q) - (p < q);
}

int cmd_diff(int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	int npos = 0;
	unsigned timeout = 0;
	uint64_t max = DIFF_DEFAULT_MAX;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: jitk %s\n", DIFF_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "--timeout")) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;
			if (!cli_parse_timeout(v, &timeout))
				return cli_usage(DIFF_USAGE,
						 "--timeout wants milliseconds from 1 to 86400000, not '%s'",
						 v ? v : "");
		} else if (!strcmp(a, "--max")) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;
			if (!v || !cli_parse_u64(v, &max) || max == 0 || max > 100000)
				return cli_usage(DIFF_USAGE, "--max wants a count from 1 to 100000, not '%s'",
						 v ? v : "");
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(DIFF_USAGE, "unknown option '%s'", a);
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			return cli_usage(DIFF_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (npos != 2)
		return cli_usage(DIFF_USAGE, "%s", "diff wants two policies or filters");
	if (!strcmp(pos[0], "-") && !strcmp(pos[1], "-"))
		return cli_usage(DIFF_USAGE, "%s", "only one side can be standard input ('-')");

	struct dside sa, sb;
	if (!load_side(pos[0], &sa))
		return CLI_FAIL;
	if (!load_side(pos[1], &sb)) {
		free_side(&sa);
		return CLI_FAIL;
	}
	jitk_cex *cex = calloc((size_t)max, sizeof *cex);
	if (!cex) {
		free_side(&sa);
		free_side(&sb);
		return cli_error("out of memory");
	}
	jitk_side a = side_of(&sa), b = side_of(&sb);
	size_t n = 0;
	jitk_diag d;
	jitk_err err = jitk_equiv(a, b, timeout, cex, (size_t)max, &n, &d);
	int rc;
	if (err == JITK_OK) {
		printf("equivalent: %s and %s return the same value for every input\n",
		       cli_input_name(pos[0]), cli_input_name(pos[1]));
		rc = CLI_OK;
	} else if (err == JITK_E_DIFFERENT) {
		qsort(cex, n, sizeof *cex, cex_order);
		printf("different: %zu syscall%s%s differ%s (A = %s, B = %s)\n", n, n == 1 ? "" : "s",
		       n == max ? " or more" : "", n == 1 && n != max ? "s" : "", cli_input_name(pos[0]),
		       cli_input_name(pos[1]));
		for (size_t i = 0; i < n; i++) {
			char nr[96], l[96], r[96];
			nr_label(&cex[i].in, nr, sizeof nr);
			action_label(cex[i].left, &cex[i].in, l, sizeof l);
			action_label(cex[i].right, &cex[i].in, r, sizeof r);
			printf("\n%s %s (arch 0x%08x)\n", arch_label(&cex[i].in), nr, cex[i].in.arch);
			printf("  A: %s\n  B: %s\n  e.g. args", l, r);
			for (int k = 0; k < 6; k++)
				printf(" %#llx", (unsigned long long)jitk_data_arg(&cex[i].in, (unsigned)k));
			printf("  ip %#llx\n", (unsigned long long)jitk_data_arg(&cex[i].in, JITK_DATA_IP));
		}
		if (n == max)
			printf("\n(stopped after %zu; use --max N to list more)\n", n);
		rc = CLI_FAIL;
	} else {
		rc = solver_failed("diff", err, &d);
	}
	free(cex);
	free_side(&sa);
	free_side(&sb);
	return rc;
}
