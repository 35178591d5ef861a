/*
 * lint.c - warnings about policies that mean something else than their
 * author probably meant (jitk_lint).  Every warning has a name, so that a
 * user can silence it; none changes what the policy means.
 *
 *   alias-refused    a syscall is refused by a rule while another syscall
 *                    that does the same job is allowed (open refused,
 *                    openat allowed: the C library calls openat), for a
 *                    call doing the refused one's job (creat refused,
 *                    open allowed only read-only: no warning)
 *   mux-refused      a socket or SysV IPC call is allowed on an ABI with
 *                    socketcall / ipc while the multiplexer refuses it:
 *                    a C library that uses the multiplexer breaks
 *   mux-bypass       a socket or SysV IPC call is refused by a rule while
 *                    the multiplexer lets it through (docs/kernel-notes.md
 *                    section 10: also ipc's version bits)
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
#include "mux.h"
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

/* The arguments with which a C library makes one member's call with
 * another (the refused call's job, on the allowed one): creat(p, m) is
 * open(p, O_CREAT|O_WRONLY|O_TRUNC, m), and openat(AT_FDCWD, p, ...).
 * The other pairs are probed with the target's arguments all 0 (open's
 * flags 0 are O_RDONLY, the job of every open). */
static const struct {
	const char *from, *to;
	struct {
		int arg;           /* -1: end */
		const char *value; /* constant names, '|'-separated */
	} set[3];
} alias_args[] = {
	{ "creat", "open", { { 1, "O_CREAT|O_WRONLY|O_TRUNC" }, { -1, NULL } } },
	{ "creat", "openat", { { 0, "AT_FDCWD" }, { 2, "O_CREAT|O_WRONLY|O_TRUNC" }, { -1, NULL } } },
	{ "creat", "openat2", { { 0, "AT_FDCWD" }, { -1, NULL } } },
	{ "open", "openat", { { 0, "AT_FDCWD" }, { -1, NULL } } },
	{ "open", "openat2", { { 0, "AT_FDCWD" }, { -1, NULL } } },
};

/* The value of "A|B|C" on ABI a (every name known there), or false. */
static bool const_or(jitk_arch a, const char *names, uint64_t *v)
{
	*v = 0;
	for (const char *s = names; *s;) {
		char buf[64];
		size_t n = strcspn(s, "|");
		if (n >= sizeof buf)
			return false;
		memcpy(buf, s, n);
		buf[n] = '\0';
		uint64_t x;
		if (!jitk_const_value_arch(a, buf, &x))
			return false;
		*v |= x;
		s += n + (s[n] == '|');
	}
	return true;
}

/* The arguments of a call of `to` that does the job of `from` on a, set
 * in a's byte order (in->arch is a's): on a big-endian ABI an argument's
 * low half is the second word (docs/kernel-notes.md, section 11). */
static void alias_probe(jitk_arch a, const char *from, const char *to, struct seccomp_data *in)
{
	for (size_t i = 0; i < sizeof alias_args / sizeof *alias_args; i++) {
		if (strcmp(alias_args[i].from, from) || strcmp(alias_args[i].to, to))
			continue;
		for (size_t k = 0; alias_args[i].set[k].arg >= 0; k++) {
			uint64_t v;
			if (const_or(a, alias_args[i].set[k].value, &v))
				jitk_data_set_arg(in, (unsigned)alias_args[i].set[k].arg, v);
		}
	}
}

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

/* One alias-refused finding on one ABI: the refusing rule, the allowed
 * alias and where it is allowed.  Findings equal but for the ABI are one
 * warning naming every ABI (a multi-ABI policy's rule is one pol_rule per
 * group of ABIs, so the rules are compared by their place). */
struct alias_hit {
	const struct pol_rule *r;
	const char *to;
	char where[300];
	bool abi[JITK_ARCH__COUNT];
};

static bool same_place(const struct pol_rule *x, const struct pol_rule *y)
{
	return x->line == y->line && x->col == y->col &&
	       strcmp(x->file ? x->file : "", y->file ? y->file : "") == 0;
}

/* The finding for alias i of group g on ABI a, if any. */
static bool alias_hit_on(const jitk_policy *p, int a, size_t g, size_t i, struct alias_hit *h)
{
	int nr = jitk_syscall_nr((jitk_arch)a, alias_groups[g][i]);
	if (nr < 0)
		return false;
	const struct pol_rule *r = first_rule(p, a, nr, NULL);
	/* Refused on purpose: the first rule naming it refuses it whatever the
	 * arguments. */
	if (!r || r->cond || !refusing(r->action))
		return false;
	for (size_t j = 0; alias_groups[g][j]; j++) {
		int onr = jitk_syscall_nr((jitk_arch)a, alias_groups[g][j]);
		if (j == i || onr < 0)
			continue;
		struct seccomp_data in = { .nr = onr, .arch = jitk_arch_audit((jitk_arch)a) };
		/* Allowed for a call doing i's job: a target allowed only for
		 * calls i cannot make is no contradiction. */
		alias_probe((jitk_arch)a, alias_groups[g][i], alias_groups[g][j], &in);
		if (!allowing(jitk_policy_eval(p, &in)))
			continue;
		h->r = r;
		h->to = alias_groups[g][j];
		rule_place(p, first_rule(p, a, onr, NULL), h->where, sizeof h->where);
		return true;
	}
	return false;
}

static void lint_aliases(struct lint *L)
{
	const jitk_policy *p = L->p;
	for (size_t g = 0; g < sizeof alias_groups / sizeof *alias_groups; g++) {
		for (size_t i = 0; alias_groups[g][i]; i++) {
			struct alias_hit hits[JITK_ARCH__COUNT];
			size_t nh = 0;
			for (int a = 0; a < JITK_ARCH__COUNT; a++) {
				struct alias_hit h;
				if (!p->arch[a] || !alias_hit_on(p, a, g, i, &h))
					continue;
				size_t k = 0;
				while (k < nh &&
				       !(same_place(hits[k].r, h.r) && strcmp(hits[k].to, h.to) == 0 &&
					 strcmp(hits[k].where, h.where) == 0))
					k++;
				if (k == nh) {
					memset(h.abi, 0, sizeof h.abi);
					hits[nh++] = h;
				}
				hits[k].abi[a] = true;
			}
			for (size_t k = 0; k < nh; k++) {
				char abis[JITK_ARCH__COUNT * 16] = "", hint[256];
				for (int a = 0; a < JITK_ARCH__COUNT; a++)
					if (hits[k].abi[a])
						snprintf(abis + strlen(abis), sizeof abis - strlen(abis),
							 "%s%s", abis[0] ? ", " : "",
							 jitk_arch_name((jitk_arch)a));
				snprintf(hint, sizeof hint, "refuse %s as well, or allow both", hits[k].to);
				warn(L, hits[k].r, "alias-refused", hint,
				     "%s is refused here on %s, but %s, which does the same job, is allowed (by %s)",
				     alias_groups[g][i], abis, hits[k].to, hits[k].where);
			}
		}
	}
}

/* ------------------------------------------------ mux-refused, mux-bypass */

/* Is nr allowed on a for some arguments: a rule naming it allows before
 * an unconditional one decides it, or none does and the default allows. */
static bool allowed_some(const jitk_policy *p, int a, int nr, const struct pol_rule **by)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		if (!has_nr(r, a, nr))
			continue;
		if (allowing(r->action)) {
			*by = r;
			return true;
		}
		if (!r->cond)
			return false;
	}
	*by = NULL;
	return allowing(p->default_action);
}

/* Is nr refused on a by a rule, whatever the arguments: its first rule
 * that allows or is unconditional is an unconditional refusal. */
static const struct pol_rule *refused_by_rule(const jitk_policy *p, int a, int nr)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		if (!has_nr(r, a, nr))
			continue;
		if (allowing(r->action))
			return NULL;
		if (!r->cond)
			return refusing(r->action) ? r : NULL;
	}
	return NULL;
}

/* A condition with arg0 known and the other arguments not: 1 holds, 0
 * does not, -1 depends on them.  A compare reads arg0 as the semantics do
 * (docs/scpl.md, "Argument widths"). */
static int cond3(const struct pol_cond *c, int a, int nr, uint64_t arg0)
{
	if (!c)
		return 1;
	if (c->kind == POL_NOT) {
		int x = cond3(c->l, a, nr, arg0);
		return x < 0 ? -1 : !x;
	}
	if (c->kind == POL_AND || c->kind == POL_OR) {
		int l = cond3(c->l, a, nr, arg0), r = cond3(c->r, a, nr, arg0);
		if (c->kind == POL_AND)
			return !l || !r ? 0 : l > 0 && r > 0 ? 1 : -1;
		return l > 0 || r > 0 ? 1 : !l && !r ? 0 : -1;
	}
	if (c->arg != 0)
		return -1;
	return pol_cmp_holds(c, a, nr, arg0);
}

/* Does the multiplexer mnr on a, for arg0 == call, whatever its other
 * arguments, allow (want_allow) or refuse the call? */
static bool mux_always(const jitk_policy *p, int a, int mnr, uint64_t call, bool want_allow)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		if (!has_nr(r, a, mnr))
			continue;
		int t = cond3(r->cond, a, mnr, call);
		if (t == 0)
			continue;
		if (t > 0)
			return want_allow ? allowing(r->action) : refusing(r->action);
		if (allowing(r->action) != want_allow)
			return false; /* some of the calls may be decided otherwise */
	}
	return want_allow ? allowing(p->default_action) : refusing(p->default_action);
}

static void lint_mux(struct lint *L)
{
	const jitk_policy *p = L->p;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		if (!p->arch[a])
			continue;
		for (int m = 0; m < MUX__COUNT; m++) {
			int mnr = mux_nr((jitk_arch)a, (enum mux_kind)m);
			if (mnr < 0)
				continue;
			const char *mux = mux_name((enum mux_kind)m), *abi = jitk_arch_name((jitk_arch)a);
			/* mux-refused: one warning per ABI and multiplexer, at the
			 * first rule allowing one of the calls. */
			char calls[300] = "";
			const struct pol_rule *first = NULL;
			size_t ncalls = 0;
			for (size_t i = 0; i < tbl_mux_len; i++) {
				const struct mux_call *c = &tbl_mux[i];
				int nr = jitk_syscall_nr((jitk_arch)a, c->name);
				if (c->mux != (enum mux_kind)m || nr < 0)
					continue;
				const struct pol_rule *by, *rr;
				if (allowed_some(p, a, nr, &by) && mux_always(p, a, mnr, c->call, false)) {
					if (!first)
						first = by;
					if (strlen(calls) + strlen(c->name) + 12 < sizeof calls)
						snprintf(calls + strlen(calls), sizeof calls - strlen(calls),
							 "%s%s (%u)", ncalls ? ", " : "", c->name, c->call);
					ncalls++;
				}
				if (!(rr = refused_by_rule(p, a, nr)))
					continue;
				/* mux-bypass: the multiplexer runs the refused call;
				 * for ipc also with a version in the upper 16 bits,
				 * which ksys_ipc ignores (2: every call runs). */
				uint64_t vcall = (uint64_t)c->call | 2u << 16;
				bool plain = mux_always(p, a, mnr, c->call, true),
				     version = m == MUX_IPC && !plain && mux_always(p, a, mnr, vcall, true);
				if (!plain && !version)
					continue;
				char hint[256];
				snprintf(hint, sizeof hint, "refuse %s(%u) as well%s", mux, c->call,
					 version ? ", whatever the upper 16 bits" : "");
				if (plain)
					warn(L, rr, "mux-bypass", hint,
					     "%s is refused here on %s, but %s(%u), which runs it, is allowed",
					     c->name, abi, mux, c->call);
				else
					warn(L, rr, "mux-bypass", hint,
					     "%s is refused here on %s, but ipc(%#llx), which the kernel runs as "
					     "%s (it ignores the version in the upper 16 bits), is allowed",
					     c->name, abi, (unsigned long long)vcall, c->name);
			}
			if (ncalls) {
				char hint[160];
				snprintf(hint, sizeof hint, "allow %s for %s too, or refuse both forms",
					 mux, ncalls > 1 ? "these calls" : "this call");
				warn(L, first, "mux-refused", hint,
				     "%s allowed on %s, but %s refuses %s, and a C library may use %s "
				     "instead (docs/kernel-notes.md 10): %s",
				     ncalls > 1 ? "calls are" : "a call is", abi, mux,
				     ncalls > 1 ? "them" : "it", mux, calls);
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

/* Candidate values of each argument for sampled_decides: 0 for an
 * argument rj does not compare, else each constant it is compared with
 * and its neighbours (where a compare changes its answer). */
#define NCAND 8
struct cands {
	uint64_t v[6][NCAND];
	unsigned n[6];
};

static void add_cand(struct cands *k, unsigned arg, uint64_t v)
{
	for (unsigned i = 0; i < k->n[arg]; i++)
		if (k->v[arg][i] == v)
			return;
	if (k->n[arg] < NCAND)
		k->v[arg][k->n[arg]++] = v;
}

static void collect_cands(const struct pol_cond *c, struct cands *k)
{
	if (!c)
		return;
	if (c->kind != POL_CMP) {
		collect_cands(c->l, k);
		if (c->kind != POL_NOT)
			collect_cands(c->r, k);
		return;
	}
	add_cand(k, c->arg, c->value);
	add_cand(k, c->arg, c->value + 1);
	add_cand(k, c->arg, c->value - 1);
}

/* A concrete input on which rule j (last in A, with a mark no other rule
 * has) is the first rule that applies, found by trying a few argument
 * vectors built from its constants: if there is one, rule j is not
 * shadowed and no proof is needed.  The answer is the semantics' own
 * (jitk_policy_decide), so a "yes" is exact; a "no" proves nothing and
 * leaves the question to Z3.  Before this, a policy of 1,000 conditional
 * rules on the same syscalls cost a proof per rule: seconds, far more than
 * compiling and proving the filter. */
static bool sampled_decides(const jitk_policy *A, const struct pol_rule *rj)
{
	struct cands k = { .n = { 0 } };
	collect_cands(rj->cond, &k);
	for (unsigned i = 0; i < 6; i++)
		if (!k.n[i])
			k.v[i][k.n[i]++] = 0;
	unsigned pairs = 0;
	for (int a = 0; a < JITK_ARCH__COUNT && pairs < 4; a++)
		for (size_t m = 0; A->arch[a] && m < rj->nnrs[a] && pairs < 4; m++, pairs++) {
			struct seccomp_data in = { .nr = rj->nrs[a][m],
						   .arch = jitk_arch_audit((jitk_arch)a) };
			if (jitk_input_abi(&in) != a)
				continue;
			/* The argument vectors in mixed radix, arg0's digit
			 * fastest: t = 0 is every argument at its first constant. */
			for (unsigned t = 0; t < 8; t++) {
				unsigned r = t;
				for (unsigned i = 0; i < 6; i++) {
					jitk_data_set_arg(&in, i, k.v[i][r % k.n[i]]);
					r /= k.n[i];
				}
				long rule = -1;
				jitk_policy_decide(A, &in, &rule);
				if (rule == (long)A->nrules - 1)
					return true;
			}
		}
	return false;
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
	if (sampled_decides(&A, rj)) {
		free(with);
		return 1;
	}
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
	lint_mux(&L);
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
