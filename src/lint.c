/*
 * lint.c - warnings about policies that mean something else than their
 * author probably meant (jitk_lint).  Every warning has a name, so that a
 * user can silence it; none changes what the policy means.
 *
 *   alias-refused    a syscall is refused by a rule while another syscall
 *                    that does the same job is allowed (open refused,
 *                    openat allowed: the C library calls openat)
 *   shadowed-rule    a rule never decides anything: earlier rules decide
 *                    every input it covers (proved with Z3 where conditions
 *                    are involved)
 *   wide-compare     an explicit reg64(argN), which compares all 64 bits
 *                    of the register, on a parameter the kernel uses fewer
 *                    bits of (an int: 32; every i386 argument) on some
 *                    syscall and ABI of the rule: the system call ignores
 *                    the high bits the compare reads (argN reads what the
 *                    kernel uses, docs/scpl.md)
 *   pointer-compare  a compare of a pointer parameter: its value is an
 *                    address, and what it points to is out of reach
 *   notify-no-listener, trace-no-tracer
 *                    (JITK_LINT_RUN) a Notify or Trace action under
 *                    `jitk run`, where nobody answers: the call fails with
 *                    ENOSYS
 *
 * The alias groups below are a judgement about what programs use in place
 * of one another, not a kernel fact; each group lists calls that reach the
 * same kernel operation.
 */
#include "policy.h"
#include "params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const alias_groups[][10] = {
	{ "open", "openat", "openat2", "creat" },
	{ "stat", "lstat", "newfstatat", "statx", "stat64", "lstat64", "fstatat64" },
	{ "rename", "renameat", "renameat2" },
	{ "unlink", "unlinkat" },
	{ "rmdir", "unlinkat" },
	{ "mkdir", "mkdirat" },
	{ "mknod", "mknodat" },
	{ "access", "faccessat", "faccessat2" },
	{ "chmod", "fchmodat", "fchmodat2" },
	{ "chown", "lchown", "fchownat", "chown32", "lchown32" },
	{ "link", "linkat" },
	{ "symlink", "symlinkat" },
	{ "readlink", "readlinkat" },
	{ "utime", "utimes", "utimensat", "futimesat" },
	{ "dup2", "dup3" },
	{ "pipe", "pipe2" },
	{ "select", "_newselect", "pselect6", "poll", "ppoll" },
	{ "epoll_wait", "epoll_pwait", "epoll_pwait2" },
	{ "epoll_create", "epoll_create1" },
	{ "eventfd", "eventfd2" },
	{ "signalfd", "signalfd4" },
	{ "inotify_init", "inotify_init1" },
	{ "accept", "accept4" },
	/* clone3 is left out: its flags are out of a filter's reach, and
	 * refusing it (ENOSYS) while allowing clone is the usual hardening. */
	{ "fork", "vfork", "clone" },
	{ "execve", "execveat" },
	{ "getdents", "getdents64" },
	{ "wait4", "waitid", "waitpid" },
	{ "kill", "tkill", "tgkill" },
	{ "umount", "umount2" },
	{ "sendfile", "sendfile64" },
};

struct lint {
	const jitk_policy *p;
	unsigned flags;
	jitk_diag *w;
	size_t n, cap;
	bool nomem;
};

static void warn(struct lint *L, const struct pol_rule *r, const char *name, const char *hint,
		 const char *fmt, ...) JITK_PRINTF(5, 6);
static void warn(struct lint *L, const struct pol_rule *r, const char *name, const char *hint,
		 const char *fmt, ...)
{
	if (L->n == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 8;
		jitk_diag *q = realloc(L->w, cap * sizeof *q);
		if (!q) {
			L->nomem = true;
			return;
		}
		L->w = q;
		L->cap = cap;
	}
	jitk_diag *d = &L->w[L->n++];
	memset(d, 0, sizeof *d);
	d->index = -1;
	str_copy(d->file, sizeof d->file, r && r->file && r->file[0] ? r->file : L->p->file);
	d->line = r ? r->line : 0;
	d->col = r ? r->col : 0;
	d->span = 1;
	str_copy(d->rule, sizeof d->rule, name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	if (hint)
		str_copy(d->hint, sizeof d->hint, hint);
}

static bool has_nr(const struct pol_rule *r, int a, int nr)
{
	for (size_t i = 0; i < r->nnrs[a]; i++)
		if (r->nrs[a][i] == nr)
			return true;
	return false;
}

/* A refusal: kill, trap, errno (and undefined actions, which kill). */
static bool refusing(uint32_t ret)
{
	uint32_t act = ret & JITK_RET_ACTION_FULL;
	return act != JITK_RET_ALLOW && act != JITK_RET_LOG && act != JITK_RET_TRACE &&
	       act != JITK_RET_USER_NOTIF;
}

static bool allowing(uint32_t ret)
{
	uint32_t act = ret & JITK_RET_ACTION_FULL;
	return act == JITK_RET_ALLOW || act == JITK_RET_LOG;
}

/* The first rule naming nr on ABI a, or NULL. */
static const struct pol_rule *first_rule(const jitk_policy *p, int a, int nr, size_t *idx)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (has_nr(&p->rules[i], a, nr)) {
			if (idx)
				*idx = i;
			return &p->rules[i];
		}
	return NULL;
}

static void rule_place(const jitk_policy *p, const struct pol_rule *r, char *buf, size_t cap)
{
	if (!r)
		snprintf(buf, cap, "default_action");
	else
		snprintf(buf, cap, "%s:%u", r->file && r->file[0] ? r->file : p->file, r->line);
}

/* ------------------------------------------------------ alias-refused */

static void lint_aliases(struct lint *L)
{
	const jitk_policy *p = L->p;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		if (!p->arch[a])
			continue;
		for (size_t g = 0; g < sizeof alias_groups / sizeof *alias_groups; g++) {
			for (size_t i = 0; alias_groups[g][i]; i++) {
				int nr = jitk_syscall_nr((jitk_arch)a, alias_groups[g][i]);
				if (nr < 0)
					continue;
				const struct pol_rule *r = first_rule(p, a, nr, NULL);
				/* Refused on purpose: the first rule naming it refuses
				 * it whatever the arguments. */
				if (!r || r->cond || !refusing(r->action))
					continue;
				for (size_t j = 0; alias_groups[g][j]; j++) {
					int onr = jitk_syscall_nr((jitk_arch)a, alias_groups[g][j]);
					if (j == i || onr < 0)
						continue;
					struct seccomp_data in = { .nr = onr,
								   .arch = jitk_arch_audit((jitk_arch)a) };
					uint32_t ret = jitk_policy_eval(p, &in);
					if (!allowing(ret))
						continue;
					char where[300], hint[256];
					rule_place(p, first_rule(p, a, onr, NULL), where, sizeof where);
					snprintf(hint, sizeof hint, "refuse %s as well, or allow both",
						 alias_groups[g][j]);
					warn(L, r, "alias-refused", hint,
					     "%s is refused here on %s, but %s, which does the same job, is "
					     "allowed (by %s)",
					     alias_groups[g][i], jitk_arch_name((jitk_arch)a),
					     alias_groups[g][j], where);
					break;
				}
			}
		}
	}
}

/* ------------------------------------------------------ shadowed-rule */

/* Does some earlier rule name one of r's (ABI, nr)? */
static bool overlaps(const struct pol_rule *e, const struct pol_rule *r)
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		for (size_t i = 0; i < r->nnrs[a]; i++)
			if (has_nr(e, a, r->nrs[a][i]))
				return true;
	return false;
}

/* Every (ABI, nr) of r is named by an unconditional earlier rule e. */
static bool covers(const struct pol_rule *e, const struct pol_rule *r)
{
	if (e->cond)
		return false;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		for (size_t i = 0; i < r->nnrs[a]; i++)
			if (!has_nr(e, a, r->nrs[a][i]))
				return false;
	return true;
}

/* Z3: does rule j ever decide an input, given the earlier rules pre? */
static int ever_decides(const jitk_policy *p, const struct pol_rule *pre, size_t npre,
			const struct pol_rule *rj, unsigned timeout_ms)
{
	/* Two policies differing exactly where rule j is the first rule that
	 * applies: with it (its action replaced by a mark no other rule or
	 * default has) and without it. */
	uint32_t mark = JITK_RET_TRACE | 0xfffe, dflt = JITK_RET_TRACE | 0xfffd;
	for (size_t i = 0; i < npre; i++)
		if (pre[i].action == mark || pre[i].action == dflt)
			return -1;
	struct pol_rule *with = malloc((npre + 1) * sizeof *with);
	if (!with)
		return -1;
	memcpy(with, pre, npre * sizeof *pre);
	with[npre] = *rj;
	with[npre].action = mark;
	jitk_policy A = *p, B = *p;
	A.rules = with;
	A.nrules = npre + 1;
	A.default_action = A.foreign_action = dflt;
	B.rules = pre;
	B.nrules = npre;
	B.default_action = B.foreign_action = dflt;
	A.arena = B.arena = NULL;
	jitk_side sa = { .policy = &A }, sb = { .policy = &B };
	size_t ncex = 0;
	jitk_cex cex;
	jitk_err e = jitk_equiv(sa, sb, timeout_ms, &cex, 1, &ncex, NULL);
	free(with);
	return e == JITK_OK ? 0 : e == JITK_E_DIFFERENT ? 1 : -1;
}

static void lint_shadowed(struct lint *L, bool proofs)
{
	const jitk_policy *p = L->p;
	struct pol_rule *pre = malloc((p->nrules ? p->nrules : 1) * sizeof *pre);
	if (!pre) {
		L->nomem = true;
		return;
	}
	for (size_t j = 1; j < p->nrules; j++) {
		const struct pol_rule *rj = &p->rules[j];
		size_t npre = 0, cover = (size_t)-1;
		bool named = false;
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			named |= rj->nnrs[a] > 0;
		if (!named)
			continue; /* names nothing on the policy's ABIs */
		for (size_t i = 0; i < j; i++) {
			if (!overlaps(&p->rules[i], rj))
				continue;
			if (cover == (size_t)-1 && covers(&p->rules[i], rj))
				cover = i;
			pre[npre++] = p->rules[i];
		}
		if (!npre)
			continue;
		/* A syscall of the rule that no earlier rule names reaches it:
		 * not shadowed (short of a condition nothing satisfies), and no
		 * proof is needed. */
		bool all_named = true;
		for (int a = 0; a < JITK_ARCH__COUNT && all_named; a++)
			for (size_t k = 0; k < rj->nnrs[a] && all_named; k++) {
				bool named_before = false;
				for (size_t i = 0; i < npre && !named_before; i++)
					named_before = has_nr(&pre[i], a, rj->nrs[a][k]);
				all_named = named_before;
			}
		if (!all_named)
			continue;
		char where[300];
		if (cover != (size_t)-1) {
			rule_place(p, &p->rules[cover], where, sizeof where);
			warn(L, rj, "shadowed-rule", "remove it, or move it before that rule",
			     "this rule never applies: the rule at %s decides all of its syscalls first",
			     where);
			continue;
		}
		if (!proofs || ever_decides(p, pre, npre, rj, 2000) != 0)
			continue;
		rule_place(p, &pre[0], where, sizeof where);
		if (npre == 1)
			warn(L, rj, "shadowed-rule", "remove it, or move it before that rule",
			     "this rule never applies: the rule at %s decides every input it covers "
			     "(proved with Z3)",
			     where);
		else
			warn(L, rj, "shadowed-rule", "remove it, or move it before those rules",
			     "this rule never applies: the %zu earlier rules naming its syscalls, from "
			     "%s on, decide every input it covers (proved with Z3)",
			     npre, where);
	}
	free(pre);
}

/* ------------------------------------- wide-compare, pointer-compare */

/* The arguments a condition compares: bit i of *all64 for argi compared
 * with reg64() somewhere, of *any for argi compared at all. */
static void cond_args(const struct pol_cond *c, unsigned *all64, unsigned *any)
{
	if (!c)
		return;
	if (c->kind == POL_CMP) {
		*any |= 1u << c->arg;
		if (c->reg64)
			*all64 |= 1u << c->arg;
		return;
	}
	cond_args(c->l, all64, any);
	if (c->kind != POL_NOT)
		cond_args(c->r, all64, any);
}

/* Parameter types come from the table generated from the kernel's
 * prototypes (trusted/params.h); one warning per rule and argument. */
static void lint_params(struct lint *L)
{
	const jitk_policy *p = L->p;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		unsigned all64 = 0, any = 0, wide_done = 0, ptr_done = 0;
		cond_args(r->cond, &all64, &any);
		for (int a = 0; a < JITK_ARCH__COUNT && any; a++) {
			for (size_t k = 0; k < r->nnrs[a]; k++) {
				const struct tbl_params *t = params_find((jitk_arch)a, r->nrs[a][k]);
				if (!t)
					continue;
				for (unsigned g = 0; g < 6 && g < t->nargs; g++) {
					const struct tbl_param *pa = &t->arg[g];
					const char *abi = jitk_arch_name((jitk_arch)a);
					if ((any >> g & 1) && pa->kind == TBL_PARAM_PTR &&
					    !(ptr_done >> g & 1)) {
						ptr_done |= 1u << g;
						warn(L, r, "pointer-compare",
						     "a filter sees only the address; compare a value argument, "
						     "or let the program check what it points to",
						     "arg%u of %s is a pointer (%s %s) on %s: the rule compares an "
						     "address, never what it points to",
						     g, t->name, pa->type, pa->name, abi);
					}
					/* The bits the kernel uses: the parameter's
					 * width, at most 32 on i386 (docs/kernel-notes.md 8). */
					unsigned pw = params_width((jitk_arch)a, r->nrs[a][k], g);
					if ((all64 >> g & 1) && pw < 64 && !(wide_done >> g & 1)) {
						wide_done |= 1u << g;
						char hint[112];
						snprintf(hint, sizeof hint,
							 "write arg%u to compare the bits the kernel "
							 "uses (docs/scpl.md)",
							 g);
						warn(L, r, "wide-compare", hint,
						     "reg64(arg%u) compares all 64 bits, but arg%u of %s is a %u-bit %s "
						     "(%s) on %s: the kernel ignores the high %u bits of the register",
						     g, g, t->name, pw, pa->type, pa->name, abi, 64 - pw);
					}
				}
			}
		}
	}
}

/* --------------------------------------------------- run-time actions */

static void lint_run(struct lint *L)
{
	const jitk_policy *p = L->p;
	for (size_t i = 0; i < p->nrules; i++) {
		uint32_t act = p->rules[i].action & JITK_RET_ACTION_FULL;
		if (act == JITK_RET_USER_NOTIF)
			warn(L, &p->rules[i], "notify-no-listener",
			     "use Errno ENOSYS to say so, or run under a supervisor that reads the "
			     "notification fd",
			     "Notify under jitk run: nobody listens, so the call fails with ENOSYS");
		else if (act == JITK_RET_TRACE)
			warn(L, &p->rules[i], "trace-no-tracer",
			     "use Errno ENOSYS to say so, or run under a tracer",
			     "Trace under jitk run: no tracer of yours is attached, so the call fails "
			     "with ENOSYS");
	}
	uint32_t d = p->default_action & JITK_RET_ACTION_FULL;
	if (d == JITK_RET_USER_NOTIF)
		warn(L, NULL, "notify-no-listener", NULL,
		     "default_action Notify under jitk run: nobody listens, so calls fail with ENOSYS");
	else if (d == JITK_RET_TRACE)
		warn(L, NULL, "trace-no-tracer", NULL,
		     "default_action Trace under jitk run: no tracer of yours, so calls fail with ENOSYS");
}

jitk_err jitk_lint(const jitk_policy *p, unsigned flags, jitk_diag **out, size_t *n)
{
	if (!p || !out || !n)
		return JITK_E_INVAL;
	*out = NULL;
	*n = 0;
	struct lint L = { .p = p, .flags = flags };
	lint_aliases(&L);
	lint_shadowed(&L, !(flags & JITK_LINT_NO_PROOFS));
	lint_params(&L);
	if (flags & JITK_LINT_RUN)
		lint_run(&L);
	if (L.nomem) {
		free(L.w);
		return JITK_E_NOMEM;
	}
	*out = L.w;
	*n = L.n;
	return JITK_OK;
}
