/* perf_lsc.c - a libseccomp filter from a struct jitk_policy (perf_lsc.h). */
#include "perf_lsc.h"
#include "lsc_arch.h"
#include "params.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* --------------------------------------------------------------- DNF */

#define LSC_MAXLIT 24    /* compares in one conjunction */
#define LSC_MAXCONJ 4096 /* conjunctions in one DNF */

struct lsc_lit {
	const struct pol_cond *c; /* a POL_CMP */
	bool neg;
};

struct lsc_conj {
	struct lsc_lit l[LSC_MAXLIT];
	int n;
};

struct lsc_dnf {
	struct lsc_conj *v;
	size_t n, cap;
	const char *fail; /* non-NULL: too big */
};

static void dnf_free(struct lsc_dnf *d)
{
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

static void dnf_push(struct lsc_dnf *d, const struct lsc_conj *c)
{
	if (d->fail)
		return;
	if (d->n >= LSC_MAXCONJ) {
		d->fail = "condition too large in disjunctive normal form";
		return;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		struct lsc_conj *v = realloc(d->v, cap * sizeof *v);
		if (!v) {
			d->fail = "out of memory";
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = *c;
}

/* The DNF of `true`: one empty conjunction. */
static struct lsc_dnf dnf_true(void)
{
	struct lsc_dnf d = { 0 };
	struct lsc_conj c = { .n = 0 };
	dnf_push(&d, &c);
	return d;
}

/* a AND b, consuming both. */
static struct lsc_dnf dnf_and(struct lsc_dnf a, struct lsc_dnf b)
{
	struct lsc_dnf r = { 0 };
	r.fail = a.fail ? a.fail : b.fail;
	for (size_t i = 0; i < a.n && !r.fail; i++)
		for (size_t j = 0; j < b.n && !r.fail; j++) {
			if (a.v[i].n + b.v[j].n > LSC_MAXLIT) {
				r.fail = "too many compares in one conjunction";
				break;
			}
			struct lsc_conj c = a.v[i];
			memcpy(&c.l[c.n], b.v[j].l, (size_t)b.v[j].n * sizeof c.l[0]);
			c.n += b.v[j].n;
			dnf_push(&r, &c);
		}
	dnf_free(&a);
	dnf_free(&b);
	return r;
}

/* a OR b, consuming both. */
static struct lsc_dnf dnf_or(struct lsc_dnf a, struct lsc_dnf b)
{
	if (!a.fail)
		a.fail = b.fail;
	for (size_t j = 0; j < b.n && !a.fail; j++)
		dnf_push(&a, &b.v[j]);
	dnf_free(&b);
	return a;
}

/* DNF of c (negated if neg): negations pushed down to the compares. */
static struct lsc_dnf dnf_of(const struct pol_cond *c, bool neg)
{
	if (!c) { /* true; its negation is the empty disjunction */
		struct lsc_dnf d = { 0 };
		return neg ? d : dnf_true();
	}
	switch (c->kind) {
	case POL_CMP: {
		struct lsc_dnf d = { 0 };
		struct lsc_conj k = { .n = 1 };
		k.l[0] = (struct lsc_lit){ c, neg };
		dnf_push(&d, &k);
		return d;
	}
	case POL_NOT: return dnf_of(c->l, !neg);
	case POL_AND:
		return neg ? dnf_or(dnf_of(c->l, true), dnf_of(c->r, true))
			   : dnf_and(dnf_of(c->l, false), dnf_of(c->r, false));
	case POL_OR:
		return neg ? dnf_and(dnf_of(c->l, true), dnf_of(c->r, true))
			   : dnf_or(dnf_of(c->l, false), dnf_of(c->r, false));
	}
	struct lsc_dnf d = { 0 };
	d.fail = "unknown condition kind";
	return d;
}

/* ------------------------------------------------ one compare -> SCMP */

static enum pol_op op_negate(enum pol_op op)
{
	switch (op) {
	case POL_EQ: return POL_NE;
	case POL_NE: return POL_EQ;
	case POL_LT: return POL_GE;
	case POL_GE: return POL_LT;
	case POL_GT: return POL_LE;
	case POL_LE:
	default: return POL_GT;
	}
}

/* A literal as libseccomp sees it: argument, effective mask, op, value.
 * With widths, at the width jitk reads: the compare reads W bits of the
 * argument, those the kernel uses for syscall nr on the ABI (docs/scpl.md,
 * "Argument widths": the parameter's width, at most 32 for low32(), 64
 * for reg64()), so the mask and value are cut to W bits, as the semantics
 * cuts them (pol_cmp_holds): `arg0 == 3` on x86_64's close (an unsigned
 * int fd) is libseccomp's masked == on the low 32 bits, not its 64-bit
 * ==.  Without, low32() alone cuts the mask (libseccomp's 64-bit compare
 * otherwise).  On the ABIs where libseccomp compares 32 bits (i386, and
 * with widths x32), a mask of all those bits is the whole argument to it. */
struct lsc_cmp {
	unsigned arg;
	uint64_t mask;
	enum pol_op op;
	uint64_t value;
};

static bool lsc_abi32(jitk_arch a)
{
	return a == JITK_ARCH_I386 || a == JITK_ARCH_X32;
}

static struct lsc_cmp lit_cmp(const struct lsc_lit *l, jitk_arch a, uint32_t nr, bool widths)
{
	struct lsc_cmp r;
	r.arg = l->c->arg;
	r.op = l->neg ? op_negate(l->c->op) : l->c->op;
	r.value = l->c->value;
	r.mask = l->c->mask;
	unsigned w = l->c->reg64 || !widths ? 64 : params_width(a, (int)nr, l->c->arg);
	if (l->c->low32 && w > 32)
		w = 32;
	if (w < 64) {
		r.mask &= params_mask(w);
		r.value &= params_mask(w);
	}
	if ((widths ? lsc_abi32(a) : a == JITK_ARCH_I386) && (r.mask & 0xffffffffu) == 0xffffffffu)
		r.mask = ~0ull;
	return r;
}

static bool cmp_holds(enum pol_op op, uint64_t x, uint64_t v)
{
	switch (op) {
	case POL_EQ: return x == v;
	case POL_NE: return x != v;
	case POL_LT: return x < v;
	case POL_LE: return x <= v;
	case POL_GT: return x > v;
	case POL_GE:
	default: return x >= v;
	}
}

/*
 * Fold the literals of one conjunction into at most one compare per
 * argument (libseccomp refuses two).  Exact folds only: equal literals, and
 * an equality against any other compare of the same masked argument (the
 * other one is then decided).  *dead: the conjunction never holds.
 * Returns NULL or why it cannot be folded.
 */
static const char *conj_fold(const struct lsc_conj *c, jitk_arch a, uint32_t nr, bool widths,
			     struct lsc_cmp out[6], bool have[6], bool *dead)
{
	*dead = false;
	memset(have, 0, 6 * sizeof have[0]);
	for (int i = 0; i < c->n; i++) {
		struct lsc_cmp x = lit_cmp(&c->l[i], a, nr, widths);
		if (x.arg > 5)
			return "argument index out of range";
		if (!have[x.arg]) {
			out[x.arg] = x;
			have[x.arg] = true;
			continue;
		}
		struct lsc_cmp *y = &out[x.arg];
		if (x.mask == y->mask && x.op == y->op && x.value == y->value)
			continue;
		if (x.mask == y->mask && (x.op == POL_EQ || y->op == POL_EQ)) {
			struct lsc_cmp eq = x.op == POL_EQ ? x : *y;
			struct lsc_cmp other = x.op == POL_EQ ? *y : x;
			/* (arg & m) == eq.value fixes the masked argument */
			if (!cmp_holds(other.op, eq.value, other.value))
				*dead = true;
			*y = eq;
			continue;
		}
		return "two compares of one argument in one rule (libseccomp refuses them)";
	}
	return NULL;
}

static const char *to_scmp(const struct lsc_cmp *x, struct scmp_arg_cmp *o)
{
	memset(o, 0, sizeof *o);
	o->arg = x->arg;
	if (x->mask == ~0ull) {
		switch (x->op) {
		case POL_EQ: o->op = SCMP_CMP_EQ; break;
		case POL_NE: o->op = SCMP_CMP_NE; break;
		case POL_LT: o->op = SCMP_CMP_LT; break;
		case POL_LE: o->op = SCMP_CMP_LE; break;
		case POL_GT: o->op = SCMP_CMP_GT; break;
		case POL_GE: o->op = SCMP_CMP_GE; break;
		}
		o->datum_a = x->value;
		return NULL;
	}
	if (x->op != POL_EQ)
		return x->op == POL_NE ? "a masked != compare (libseccomp has only masked ==)"
				       : "a masked ordering compare (libseccomp has only masked ==)";
	o->op = SCMP_CMP_MASKED_EQ;
	o->datum_a = x->mask;
	o->datum_b = x->value;
	return NULL;
}

/* ------------------------------------------------------- the policy */

/* Does rule r name number nr on ABI a? (nrs are sorted) */
static bool rule_names(const struct pol_rule *r, jitk_arch a, uint32_t nr)
{
	size_t lo = 0, hi = r->nnrs[a];
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		uint32_t v = (uint32_t)r->nrs[a][m];
		if (v == nr)
			return true;
		if (v < nr)
			lo = m + 1;
		else
			hi = m;
	}
	return false;
}

size_t policy_cases(const jitk_policy *p, jitk_arch a, uint32_t nr, struct lsc_case *cases,
		    uint32_t *otherwise)
{
	size_t k = 0;
	*otherwise = p->default_action;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		if (!rule_names(r, a, nr))
			continue;
		if (!r->cond) {
			*otherwise = r->action;
			break;
		}
		cases[k++] = (struct lsc_case){ r->cond, r->action };
	}
	return k;
}

/* libseccomp's token of ABI a: oci.c's mapping (lsc_arch.h). */
static uint32_t lsc_arch_token(jitk_arch a)
{
	return lsc_arch(a);
}

struct lsc_build {
	scmp_filter_ctx ctx;
	jitk_arch arch;
	bool widths;   /* LSC_WIDTHS */
	char why[256]; /* set on failure */
};

/* Add the rules (action, nr, every conjunction of dnf). */
static bool lsc_add(struct lsc_build *b, uint32_t action, int lnr, uint32_t nr, struct lsc_dnf *d)
{
	if (d->fail) {
		snprintf(b->why, sizeof b->why, "%s (%s nr %u)", d->fail, jitk_arch_name(b->arch), nr);
		return false;
	}
	for (size_t i = 0; i < d->n; i++) {
		struct lsc_cmp cmp[6];
		bool have[6], dead;
		const char *why = conj_fold(&d->v[i], b->arch, nr, b->widths, cmp, have, &dead);
		struct scmp_arg_cmp sc[6];
		unsigned n = 0;
		for (unsigned a = 0; !why && a < 6; a++)
			if (have[a])
				why = to_scmp(&cmp[a], &sc[n++]);
		if (why) {
			const char *name = jitk_syscall_name(b->arch, (int)nr);
			snprintf(b->why, sizeof b->why, "%s (%s %s)", why, jitk_arch_name(b->arch),
				 name ? name : "?");
			return false;
		}
		if (dead)
			continue;
		int rc = seccomp_rule_add_exact_array(b->ctx, action, lnr, n, sc);
		/* i386 socket calls with arguments: libseccomp wants to add the
		 * socketcall form too; let it (the proof says if that is equal). */
		if (rc == -EINVAL)
			rc = seccomp_rule_add_array(b->ctx, action, lnr, n, sc);
		if (rc < 0 && rc != -EEXIST) {
			const char *name = jitk_syscall_name(b->arch, (int)nr);
			snprintf(b->why, sizeof b->why, "libseccomp refused a rule for %s %s: %s",
				 jitk_arch_name(b->arch), name ? name : "?", strerror(-rc));
			return false;
		}
	}
	return true;
}

/* libseccomp's number for (arch, nr) in its rule API (the native number of
 * the same name, or a negative pseudo number), or false. */
static bool lsc_number(struct lsc_build *b, uint32_t nr, int *out)
{
	uint32_t tok = lsc_arch_token(b->arch);
	char *name = seccomp_syscall_resolve_num_arch(tok, (int)nr);
	if (!name) {
		if (tok == seccomp_arch_native()) {
			*out = (int)nr;
			return true;
		}
		snprintf(b->why, sizeof b->why, "libseccomp %u.%u.%u does not know %s syscall %u",
			 seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro,
			 jitk_arch_name(b->arch), nr);
		return false;
	}
	/* On i386 libseccomp gives the socket calls pseudo numbers (they also
	 * exist multiplexed through socketcall); the rule still goes to the
	 * direct number with seccomp_rule_add_exact, and the proof checks it. */
	int lnr = seccomp_syscall_resolve_name(name);
	free(name);
	if (lnr == __NR_SCMP_ERROR) {
		snprintf(b->why, sizeof b->why, "libseccomp has no number for %s syscall %u",
			 jitk_arch_name(b->arch), nr);
		return false;
	}
	*out = lnr;
	return true;
}

/* The rules of one syscall number. */
static bool lsc_syscall(struct lsc_build *b, const jitk_policy *p, uint32_t nr, enum lsc_mode mode)
{
	struct lsc_case stack[64];
	struct lsc_case *cases = p->nrules <= 64 ? stack : malloc(p->nrules * sizeof *cases);
	if (!cases) {
		snprintf(b->why, sizeof b->why, "out of memory");
		return false;
	}
	uint32_t otherwise;
	size_t k = policy_cases(p, b->arch, nr, cases, &otherwise);
	bool any = otherwise != p->default_action;
	for (size_t i = 0; i < k; i++)
		any |= cases[i].action != p->default_action;
	int lnr = 0;
	bool ok = true;
	if (any)
		ok = lsc_number(b, nr, &lnr);
	for (size_t i = 0; ok && any && i < k; i++) {
		if (cases[i].action == p->default_action)
			continue;
		struct lsc_dnf d = dnf_of(cases[i].cond, false);
		if (mode & LSC_DISJOINT)
			for (size_t j = 0; j < i; j++)
				if (cases[j].action != cases[i].action)
					d = dnf_and(d, dnf_of(cases[j].cond, true));
		ok = lsc_add(b, cases[i].action, lnr, nr, &d);
		dnf_free(&d);
	}
	if (ok && otherwise != p->default_action) {
		struct lsc_dnf d = dnf_true();
		if (mode & LSC_DISJOINT)
			for (size_t j = 0; j < k; j++)
				if (cases[j].action != otherwise)
					d = dnf_and(d, dnf_of(cases[j].cond, true));
		ok = lsc_add(b, otherwise, lnr, nr, &d);
		dnf_free(&d);
	}
	if (cases != stack)
		free(cases);
	return ok;
}

/* Every number some rule names on ABI a (sorted, unique), within the ABI's
 * half of the nr space (docs/scpl.md: the x32 split). */
size_t policy_numbers(const jitk_policy *p, jitk_arch a, uint32_t **out)
{
	size_t cap = 0, n = 0;
	for (size_t i = 0; i < p->nrules; i++)
		cap += p->rules[i].nnrs[a];
	uint32_t *v = malloc((cap ? cap : 1) * sizeof *v);
	if (!v) {
		*out = NULL;
		return 0;
	}
	for (size_t i = 0; i < p->nrules; i++)
		for (size_t j = 0; j < p->rules[i].nnrs[a]; j++) {
			uint32_t nr = (uint32_t)p->rules[i].nrs[a][j];
			if (a == JITK_ARCH_X86_64 && nr >= JITK_X32_SYSCALL_BIT)
				continue;
			if (a == JITK_ARCH_X32 && nr < JITK_X32_SYSCALL_BIT)
				continue;
			v[n++] = nr;
		}
	/* insertion sort + unique: a few hundred numbers */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || v[m - 1] != v[i])
			v[m++] = v[i];
	*out = v;
	return m;
}

/* Does libseccomp know number nr on ABI a?  Raw numbers pass on the
 * native ABI only (its rule API names syscalls by native number). */
static bool lsc_known(jitk_arch a, uint32_t nr)
{
	uint32_t tok = lsc_arch_token(a);
	if (tok == seccomp_arch_native())
		return true;
	char *name = seccomp_syscall_resolve_num_arch(tok, (int)nr);
	free(name);
	return name != NULL;
}

/* A copy of p without the (ABI, number) pairs libseccomp does not know, for
 * a comparison libseccomp can take part in; *ndropped counts them.  Free
 * with lsc_reduced_free (the conditions are shared with p). */
jitk_policy *lsc_reduced(const jitk_policy *p, size_t *ndropped)
{
	jitk_policy *q = malloc(sizeof *q);
	struct pol_rule *rules = calloc(p->nrules ? p->nrules : 1, sizeof *rules);
	if (!q || !rules) {
		free(q);
		free(rules);
		return NULL;
	}
	*q = *p;
	q->arena = NULL;
	*ndropped = 0;
	for (size_t i = 0; i < p->nrules; i++) {
		rules[i] = p->rules[i];
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			int *v = malloc((p->rules[i].nnrs[a] ? p->rules[i].nnrs[a] : 1) * sizeof *v);
			size_t n = 0;
			for (size_t j = 0; v && j < p->rules[i].nnrs[a]; j++) {
				int nr = p->rules[i].nrs[a][j];
				if (lsc_known((jitk_arch)a, (uint32_t)nr))
					v[n++] = nr;
				else
					(*ndropped)++;
			}
			rules[i].nrs[a] = v;
			rules[i].nnrs[a] = n;
		}
	}
	q->rules = rules;
	return q;
}

void lsc_reduced_free(jitk_policy *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nrules; i++)
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			free((void *)q->rules[i].nrs[a]);
	free((void *)q->rules);
	free(q);
}

/* One ABI's filter context, or NULL with b->why. */
static scmp_filter_ctx lsc_arch_ctx(const jitk_policy *p, jitk_arch a, int optimize, enum lsc_mode mode,
				    char *why, size_t whycap)
{
	struct lsc_build b = { .arch = a, .widths = mode & LSC_WIDTHS };
	b.ctx = seccomp_init(p->default_action);
	if (!b.ctx) {
		snprintf(why, whycap, "libseccomp refuses the default action 0x%08x", p->default_action);
		return NULL;
	}
	uint32_t tok = lsc_arch_token(a);
	int rc = 0;
	if (tok != seccomp_arch_native()) {
		rc = seccomp_arch_add(b.ctx, tok);
		if (!rc)
			rc = seccomp_arch_remove(b.ctx, SCMP_ARCH_NATIVE);
	}
	if (!rc)
		rc = seccomp_attr_set(b.ctx, SCMP_FLTATR_ACT_BADARCH, p->foreign_action);
	if (!rc)
		rc = seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)optimize);
	if (!rc)
		rc = seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc) {
		snprintf(why, whycap, "libseccomp setup for %s: %s", jitk_arch_name(a), strerror(-rc));
		seccomp_release(b.ctx);
		return NULL;
	}
	uint32_t *nrs;
	size_t n = policy_numbers(p, a, &nrs);
	bool ok = nrs != NULL;
	if (!ok)
		snprintf(b.why, sizeof b.why, "out of memory");
	for (size_t i = 0; ok && i < n; i++)
		ok = lsc_syscall(&b, p, nrs[i], mode);
	free(nrs);
	if (!ok) {
		snprintf(why, whycap, "%s", b.why);
		seccomp_release(b.ctx);
		return NULL;
	}
	return b.ctx;
}

/* Build, merge the ABIs, export to BPF and decode.  NULL with why. */
jitk_filter *lsc_build_filter(const jitk_policy *p, int optimize, enum lsc_mode mode, char *why, size_t whycap)
{
	scmp_filter_ctx all = NULL;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		if (!p->arch[a])
			continue;
		scmp_filter_ctx c = lsc_arch_ctx(p, (jitk_arch)a, optimize, mode, why, whycap);
		if (!c) {
			if (all)
				seccomp_release(all);
			return NULL;
		}
		if (!all) {
			all = c;
		} else {
			int rc = seccomp_merge(all, c);
			if (rc) {
				snprintf(why, whycap, "seccomp_merge: %s", strerror(-rc));
				seccomp_release(c);
				seccomp_release(all);
				return NULL;
			}
		}
	}
	if (!all) {
		snprintf(why, whycap, "the policy lists no architecture");
		return NULL;
	}
	int fd = memfd_create("lsc-bpf", 0);
	if (fd < 0) {
		snprintf(why, whycap, "memfd_create: %s", strerror(errno));
		seccomp_release(all);
		return NULL;
	}
	int rc = seccomp_export_bpf(all, fd);
	seccomp_release(all);
	if (rc) {
		snprintf(why, whycap, "seccomp_export_bpf: %s", strerror(-rc));
		close(fd);
		return NULL;
	}
	off_t size = lseek(fd, 0, SEEK_END);
	unsigned char *buf = size > 0 ? malloc((size_t)size) : NULL;
	jitk_filter *f = NULL;
	jitk_diag d;
	if (buf && pread(fd, buf, (size_t)size, 0) == size) {
		if (jitk_decode(buf, (size_t)size, &f, &d))
			snprintf(why, whycap, "cannot decode libseccomp's output: %.160s", d.msg);
	} else {
		snprintf(why, whycap, "cannot read libseccomp's output");
	}
	free(buf);
	close(fd);
	return f;
}
