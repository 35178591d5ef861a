/*
 * oci_write.c - a policy out as an OCI seccomp profile (jitk_policy_to_profile),
 * for runtimes that take only JSON (runc, Docker).
 *
 * The profile must mean, under runc on libseccomp (the rules of oci.c and
 * docs/oci.md), exactly what the policy means; what libseccomp cannot say
 * is refused, naming the rule:
 *  - per syscall, libseccomp has either one unconditional action or an OR
 *    of conditional rules (the first unconditional rule wins over all of
 *    them): a first-match sequence is written only when it reduces to one
 *    of these, after dropping what cannot matter (rules after an
 *    unconditional one, trailing rules with the default action);
 *  - a condition must be an OR of ANDs of libseccomp comparisons, each
 *    argument at most once per AND (runc ORs repeated ones); masks only
 *    with ==; a compare that libseccomp reads in other bits than the
 *    policy (an int parameter: 32 bits to the policy, 64 to libseccomp;
 *    low32(), reg64()) only as == with its mask cut to the bits all
 *    readings share (width_fit);
 *  - entries name syscalls, and apply to every architecture: a number the
 *    tables do not name, or a rule limited to some ABIs, cannot be written;
 *  - x32 conditions (libseccomp compares 32 bits there, deviation D2) and
 *    socket/IPC calls on an ABI with socketcall/ipc whose multiplexer is
 *    not decided unconditionally (libseccomp would add its multiplexed
 *    rule, docs/oci.md rule 9) are refused; other architectures get
 *    KillThread (libseccomp's default).
 * The result is then read back with oci.c and proved equal to the policy
 * by jitk_equiv before it is handed out.  JSON is written by json-c.
 */
#include "mux.h"
#include "params.h"
#include "policy.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONJ 64 /* conjunctions of one condition in the OR of ANDs */

struct atom {
	unsigned arg;
	const char *op; /* SCMP_CMP_* */
	uint64_t value, value2;
};

struct conj {
	struct atom a[6];
	size_t n;
};

struct dnf {
	struct conj c[MAX_CONJ];
	size_t n;
	const char *why; /* set when not expressible */
};

struct ctx {
	const jitk_policy *p;
	jitk_diag *d;
	/* The names of the entry being written (their conditions are the
	 * same), for the widths of their arguments; why[] for a refusal. */
	const char *const *gnames;
	size_t ngnames;
	char why[200];
};

static const char *scmp_op(enum pol_op op, bool neg)
{
	static const char *const pos[] = {
		[POL_EQ] = "SCMP_CMP_EQ", [POL_NE] = "SCMP_CMP_NE", [POL_LT] = "SCMP_CMP_LT",
		[POL_LE] = "SCMP_CMP_LE", [POL_GT] = "SCMP_CMP_GT", [POL_GE] = "SCMP_CMP_GE"
	};
	static const enum pol_op flip[] = { [POL_EQ] = POL_NE, [POL_NE] = POL_EQ, [POL_LT] = POL_GE,
					    [POL_LE] = POL_GT, [POL_GT] = POL_LE, [POL_GE] = POL_LT };
	return pos[neg ? flip[op] : op];
}

static void dnf_true(struct dnf *x)
{
	x->n = 1;
	x->c[0].n = 0;
}

/* x := x AND y (cross product), in place through a copy. */
static void dnf_and(struct dnf *x, const struct dnf *y)
{
	if (x->why || y->why) {
		x->why = x->why ? x->why : y->why;
		return;
	}
	if (x->n * y->n > MAX_CONJ) {
		x->why = "the condition has too many cases for a profile";
		return;
	}
	struct dnf *r = calloc(1, sizeof *r);
	if (!r) {
		x->why = "out of memory";
		return;
	}
	for (size_t i = 0; i < x->n; i++)
		for (size_t j = 0; j < y->n; j++) {
			struct conj c = x->c[i];
			bool ok = true;
			for (size_t k = 0; k < y->c[j].n && ok; k++) {
				const struct atom *b = &y->c[j].a[k];
				bool dup = false;
				for (size_t m = 0; m < c.n; m++) {
					const struct atom *a = &c.a[m];
					if (a->arg == b->arg) {
						if (!strcmp(a->op, b->op) && a->value == b->value &&
						    a->value2 == b->value2)
							dup = true;
						else
							ok = false;
					}
				}
				if (!dup && ok)
					c.a[c.n++] = *b;
			}
			if (!ok) {
				x->why = "two comparisons of one argument in one case (runc would OR them)";
				free(r);
				return;
			}
			r->c[r->n++] = c;
		}
	memcpy(x->c, r->c, r->n * sizeof *r->c);
	x->n = r->n;
	free(r);
}

static void dnf_or(struct dnf *x, const struct dnf *y)
{
	if (x->why || y->why) {
		x->why = x->why ? x->why : y->why;
		return;
	}
	if (x->n + y->n > MAX_CONJ) {
		x->why = "the condition has too many cases for a profile";
		return;
	}
	memcpy(x->c + x->n, y->c, y->n * sizeof *y->c);
	x->n += y->n;
}

/*
 * Widths.  Three readings of one compare must agree for the profile to mean
 * the policy under runc: the policy's (jw: the parameter's width W, at most
 * 32 in low32(), 64 in reg64(); docs/scpl.md "Argument widths"),
 * libseccomp's (lw: all 64 bits on x86_64 and aarch64, 32 on i386; x32
 * conditions are refused below, D2), and jitk's reading of the profile,
 * which the proof at the end compares with the policy (pw: the parameter's
 * width, docs/oci.md D6).  A compare is written as it is where the three
 * are equal for every name and ABI of the entry; an == is written as
 * SCMP_CMP_MASKED_EQ with its mask cut to the smallest of them, where the
 * policy reads no bit above that (then all three read the same bits);
 * anything else is refused, naming the parameter.  So the proof against
 * jitk's reading is a proof against libseccomp's.
 */
struct fit {
	bool same;      /* the three readings are equal for every name and ABI */
	bool masked_ok; /* the policy reads no bit at or above kmin */
	unsigned kmin;  /* the fewest bits any of the readings takes */
	unsigned kmax;  /* the most bits the policy reads */
};

/* The argument width libseccomp compares on ABI a: its arch's size, 32 for
 * the ABIs of 32-bit registers and also for mips n32, whose registers are
 * 64 bits wide (AUDIT_ARCH_MIPS64N32 has __AUDIT_ARCH_64BIT; libseccomp's
 * src/arch-mips64n32.c says ARCH_SIZE_32).  docs/oci.md D6. */
static unsigned lsc_width(jitk_arch a)
{
	return params_abi32(a) || a == JITK_ARCH_MIPS64N32 || a == JITK_ARCH_MIPSEL64N32 ? 32 : 64;
}

static struct fit width_fit(struct ctx *C, const struct pol_cond *c)
{
	const jitk_policy *p = C->p;
	struct fit f = { true, true, 64, 0 };
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < C->ngnames; i++)
			for (int a = 0; a < JITK_ARCH__COUNT; a++) {
				if (!p->arch[a] || a == JITK_ARCH_X32)
					continue;
				int nr = jitk_syscall_nr((jitk_arch)a, C->gnames[i]);
				if (nr < 0)
					continue;
				unsigned pw = params_width((jitk_arch)a, nr, c->arg);
				unsigned jw = c->reg64 ? 64 : c->low32 && pw > 32 ? 32 : pw;
				unsigned lw = lsc_width((jitk_arch)a);
				if (pass == 1) {
					/* bits the policy reads above kmin */
					uint64_t above = params_mask(jw) & ~params_mask(f.kmin);
					if ((c->mask & above) || (c->value & above))
						f.masked_ok = false;
					continue;
				}
				unsigned m = jw < pw ? jw : pw;
				m = m < lw ? m : lw;
				f.kmin = m < f.kmin ? m : f.kmin;
				f.kmax = jw > f.kmax ? jw : f.kmax;
				if ((jw == pw && pw == lw) || !f.same)
					continue;
				f.same = false;
				snprintf(C->why, sizeof C->why,
					 "arg%u of %s on %s is read in %u bits by the policy, %u by libseccomp "
					 "and %u by jitk's reading of profiles (docs/oci.md D6): only an == is "
					 "written exactly (as SCMP_CMP_MASKED_EQ)",
					 c->arg, C->gnames[i], jitk_arch_name((jitk_arch)a), jw, lw, pw);
			}
	return f;
}

/* The condition (negated if neg) as an OR of ANDs of libseccomp compares. */
static void to_dnf(struct ctx *C, const struct pol_cond *c, bool neg, struct dnf *out)
{
	out->why = NULL;
	out->n = 0;
	if (!c) {
		if (!neg)
			dnf_true(out);
		return;
	}
	switch (c->kind) {
	case POL_CMP: {
		if (c->mask == 0 && c->value == 0 && (c->op == POL_EQ || c->op == POL_NE)) {
			if ((c->op == POL_EQ) != neg)
				dnf_true(out); /* true */
			return;                /* false: no case */
		}
		struct fit f = width_fit(C, c);
		struct atom a = { .arg = c->arg };
		if (f.same && (c->mask & params_mask(f.kmax)) == params_mask(f.kmax)) {
			a.op = scmp_op(c->op, neg);
			a.value = c->value;
		} else if (f.masked_ok && c->op == POL_EQ && !neg) {
			/* (argN & M) == V in the low kmin bits, which all three
			 * readings see alike; low32(argN) == V is
			 * (argN & 0xffffffff) == V */
			a.op = "SCMP_CMP_MASKED_EQ";
			a.value = c->mask & params_mask(f.kmin);
			a.value2 = c->value & params_mask(f.kmin);
		} else {
			out->why = f.same ? "a masked comparison other than ==" : C->why;
			return;
		}
		out->n = 1;
		out->c[0].n = 1;
		out->c[0].a[0] = a;
		return;
	}
	case POL_NOT: to_dnf(C, c->l, !neg, out); return;
	case POL_AND:
	case POL_OR: {
		struct dnf *r = calloc(1, sizeof *r);
		if (!r) {
			out->why = "out of memory";
			return;
		}
		to_dnf(C, c->l, neg, out);
		to_dnf(C, c->r, neg, r);
		/* De Morgan: a negated AND is an OR of the negations */
		if ((c->kind == POL_AND) != neg)
			dnf_and(out, r);
		else
			dnf_or(out, r);
		free(r);
		return;
	}
	}
}

/* --------------------------------------------------------------- names */

struct sname {
	const char *name;
	int first_rule; /* index of the decision's first rule, -1: none */
	bool uncond;
	uint32_t action;
	size_t *rules; /* the conditional rules, in order */
	size_t nrules;
	size_t group; /* entry group id */
};

static int sname_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sname *)a)->name, ((const struct sname *)b)->name);
}

static bool rule_has(const struct pol_rule *r, int a, int nr)
{
	for (size_t i = 0; i < r->nnrs[a]; i++)
		if (r->nrs[a][i] == nr)
			return true;
	return false;
}

static jitk_err refuse(struct ctx *C, const struct pol_rule *r, const char *fmt, ...) JITK_PRINTF(3, 4);
static jitk_err refuse(struct ctx *C, const struct pol_rule *r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	jitk_err e = diag_err(C->d, JITK_E_UNSUPPORTED, "an OCI profile cannot express this %s: %s",
			      r ? "rule" : "policy", msg);
	if (C->d) {
		str_copy(C->d->file, sizeof C->d->file, C->p->file);
		if (r) {
			C->d->line = r->line;
			C->d->col = r->col;
			C->d->span = 1;
		}
		diag_hint(C->d, "docs/oci.md lists what runc/libseccomp can express; "
				"compile to raw BPF for crun's run.oci.seccomp_bpf_data instead");
	}
	return e;
}

static bool oci_action(uint32_t ret, const char **name, int *data)
{
	uint32_t v = ret & JITK_RET_DATA;
	*data = -1;
	/* An undefined action acts as KILL_PROCESS (jitk.h); it is refused
	 * (false) but never leaves *name unset. */
	*name = "SCMP_ACT_KILL_PROCESS";
	switch (ret & JITK_RET_ACTION_FULL) {
	case JITK_RET_ALLOW: *name = "SCMP_ACT_ALLOW"; return v == 0;
	case JITK_RET_KILL_THREAD: *name = "SCMP_ACT_KILL_THREAD"; return v == 0;
	case JITK_RET_KILL_PROCESS: *name = "SCMP_ACT_KILL_PROCESS"; return v == 0;
	case JITK_RET_TRAP: *name = "SCMP_ACT_TRAP"; return v == 0; /* runc: no data */
	case JITK_RET_LOG: *name = "SCMP_ACT_LOG"; return v == 0;
	case JITK_RET_USER_NOTIF: *name = "SCMP_ACT_NOTIFY"; return v == 0;
	case JITK_RET_ERRNO:
		*name = "SCMP_ACT_ERRNO";
		*data = (int)v;
		return v <= 4095;
	case JITK_RET_TRACE:
		*name = "SCMP_ACT_TRACE";
		*data = (int)v;
		return v <= 0x7fff;
	}
	return false;
}

static const char *const scmp_arch_name[JITK_ARCH__COUNT] = {
	[JITK_ARCH_X86_64] = "SCMP_ARCH_X86_64",
	[JITK_ARCH_I386] = "SCMP_ARCH_X86",
	[JITK_ARCH_X32] = "SCMP_ARCH_X32",
	[JITK_ARCH_AARCH64] = "SCMP_ARCH_AARCH64",
	[JITK_ARCH_ARM] = "SCMP_ARCH_ARM",
	[JITK_ARCH_RISCV64] = "SCMP_ARCH_RISCV64",
	[JITK_ARCH_PPC64LE] = "SCMP_ARCH_PPC64LE",
	[JITK_ARCH_PPC64] = "SCMP_ARCH_PPC64",
	[JITK_ARCH_PPC] = "SCMP_ARCH_PPC",
	[JITK_ARCH_S390X] = "SCMP_ARCH_S390X",
	[JITK_ARCH_S390] = "SCMP_ARCH_S390",
	[JITK_ARCH_MIPS] = "SCMP_ARCH_MIPS",
	[JITK_ARCH_MIPSEL] = "SCMP_ARCH_MIPSEL",
	[JITK_ARCH_MIPS64] = "SCMP_ARCH_MIPS64",
	[JITK_ARCH_MIPSEL64] = "SCMP_ARCH_MIPSEL64",
	[JITK_ARCH_MIPS64N32] = "SCMP_ARCH_MIPS64N32",
	[JITK_ARCH_MIPSEL64N32] = "SCMP_ARCH_MIPSEL64N32",
};

static void add_action(json_object *o, const char *key_act, const char *key_err, uint32_t ret)
{
	const char *n;
	int data;
	oci_action(ret, &n, &data);
	json_object_object_add(o, key_act, json_object_new_string(n));
	if (data >= 0)
		json_object_object_add(o, key_err, json_object_new_int(data));
}

/* The decision of name on every ABI of the policy, libseccomp's way. */
static jitk_err decide(struct ctx *C, struct sname *s)
{
	const jitk_policy *p = C->p;
	s->first_rule = -1;
	s->uncond = false;
	s->nrules = 0;
	size_t *seq = malloc((p->nrules ? p->nrules : 1) * sizeof *seq);
	if (!seq)
		return diag_err(C->d, JITK_E_NOMEM, "out of memory");
	size_t n = 0;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		int on = 0, exists = 0;
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			if (!p->arch[a])
				continue;
			int nr = jitk_syscall_nr((jitk_arch)a, s->name);
			if (nr < 0)
				continue;
			exists++;
			on += rule_has(r, a, nr);
		}
		if (on == 0)
			continue;
		if (on != exists) {
			free(seq);
			return refuse(C, r, "it applies to %s on some architectures only", s->name);
		}
		seq[n++] = i;
		if (!r->cond)
			break; /* first match: nothing after an unconditional rule counts */
	}
	/* Trailing rules with the default action decide nothing. */
	while (n && p->rules[seq[n - 1]].action == p->default_action)
		n--;
	if (n == 0) {
		free(seq);
		return JITK_OK;
	}
	const struct pol_rule *last = &p->rules[seq[n - 1]];
	uint32_t act = p->rules[seq[0]].action;
	for (size_t k = 0; k < n; k++)
		if (p->rules[seq[k]].action != act) {
			const struct pol_rule *bad = &p->rules[seq[k]];
			free(seq);
			return refuse(
				C, bad,
				"%s has rules with different actions before its last one "
				"(libseccomp ORs a syscall's conditional rules, and an unconditional one wins)",
				s->name);
		}
	s->action = act;
	s->first_rule = (int)seq[0];
	if (!last->cond) {
		/* cond -> A, ..., else A: A always */
		s->uncond = true;
	} else {
		s->rules = seq;
		s->nrules = n;
		return JITK_OK;
	}
	free(seq);
	return JITK_OK;
}

jitk_err jitk_policy_to_profile(const jitk_policy *p, unsigned timeout_ms, char **out, jitk_diag *d)
{
	diag_clear(d);
	if (!p || !out)
		return diag_err(d, JITK_E_INVAL, "jitk_policy_to_profile: NULL argument");
	*out = NULL;
	struct ctx C = { .p = p, .d = d };
	const char *an;
	int data;
	if (p->foreign_action != JITK_RET_KILL_THREAD)
		return refuse(&C, NULL,
			      "foreign_action must be KillThread (what libseccomp answers an "
			      "architecture not in the profile)");
	if (!oci_action(p->default_action, &an, &data))
		return refuse(&C, NULL, "the default action has no OCI equivalent");
	for (size_t i = 0; i < p->nrules; i++)
		if (!oci_action(p->rules[i].action, &an, &data))
			return refuse(&C, &p->rules[i],
				      "its action has no OCI equivalent (Trap takes no data there)");

	/* Every syscall the rules hold, by name. */
	size_t cap = 0, n = 0;
	for (size_t i = 0; i < p->nrules; i++)
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			cap += p->rules[i].nnrs[a];
	struct sname *names = calloc(cap ? cap : 1, sizeof *names);
	if (!names)
		return diag_err(d, JITK_E_NOMEM, "out of memory");
	jitk_err e = JITK_OK;
	for (size_t i = 0; i < p->nrules && !e; i++)
		for (int a = 0; a < JITK_ARCH__COUNT && !e; a++)
			for (size_t k = 0; k < p->rules[i].nnrs[a] && !e; k++) {
				int nr = p->rules[i].nrs[a][k];
				const char *nm = jitk_syscall_name((jitk_arch)a, nr);
				if (!nm || jitk_syscall_nr((jitk_arch)a, nm) != nr) {
					e = refuse(&C, &p->rules[i], "syscall %d has no name on %s", nr,
						   jitk_arch_name((jitk_arch)a));
					break;
				}
				names[n++].name = nm;
			}
	qsort(names, n, sizeof *names, sname_cmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || strcmp(names[m - 1].name, names[i].name))
			names[m++] = names[i];
	n = m;
	for (size_t i = 0; i < n && !e; i++)
		e = decide(&C, &names[i]);

	/* x32 compares 32 bits in libseccomp (D2); the multiplexers (rule 9). */
	for (size_t i = 0; i < n && !e; i++) {
		struct sname *s = &names[i];
		if (s->first_rule < 0)
			continue;
		if (!s->uncond && p->arch[JITK_ARCH_X32] && jitk_syscall_nr(JITK_ARCH_X32, s->name) >= 0)
			e = refuse(&C, &p->rules[s->first_rule],
				   "%s has conditions on x32, where libseccomp compares only 32 bits",
				   s->name);
		/* libseccomp's abi_rule_add also puts a socket or IPC call's
		 * rule on socketcall / ipc (arg0 == the call), unless an
		 * unconditional rule decides the multiplexer. */
		const struct mux_call *mc = mux_find(s->name);
		int ma = -1;
		for (int a = 0; mc && a < JITK_ARCH__COUNT && ma < 0; a++)
			if (p->arch[a] && mux_nr((jitk_arch)a, mc->mux) >= 0)
				ma = a;
		if (!e && ma >= 0) {
			const char *mux = mux_name(mc->mux);
			const struct sname *x = NULL;
			for (size_t k = 0; k < n; k++)
				if (!strcmp(names[k].name, mux))
					x = &names[k];
			if (!x || !x->uncond)
				e = refuse(&C, &p->rules[s->first_rule],
					   "on %s libseccomp would also decide %s(%u) as %s; give %s an "
					   "unconditional action",
					   jitk_arch_name((jitk_arch)ma), mux, mc->call, s->name, mux);
		}
	}

	json_object *prof = json_object_new_object(), *archs = json_object_new_array(),
		    *calls = json_object_new_array();
	add_action(prof, "defaultAction", "defaultErrnoRet", p->default_action);
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (p->arch[a])
			json_object_array_add(archs, json_object_new_string(scmp_arch_name[a]));
	json_object_object_add(prof, "architectures", archs);
	/* A policy read from a profile keeps its loader fields (docs/oci.md). */
	if (p->load_flags) {
		json_object *fl = json_object_new_array();
		for (unsigned bit = 1; bit; bit <<= 1)
			if ((p->load_flags & bit) && oci_flag_name(bit))
				json_object_array_add(fl, json_object_new_string(oci_flag_name(bit)));
		json_object_object_add(prof, "flags", fl);
	}
	if (p->listener_path)
		json_object_object_add(prof, "listenerPath", json_object_new_string(p->listener_path));
	if (p->listener_meta)
		json_object_object_add(prof, "listenerMetadata", json_object_new_string(p->listener_meta));
	json_object_object_add(prof, "syscalls", calls);

	/* Entries: unconditional names grouped by action, conditional names
	 * grouped by their rule sequence; in the order of each group's first rule. */
	const char **gnames = malloc((n ? n : 1) * sizeof *gnames);
	if (!gnames && !e)
		e = diag_err(d, JITK_E_NOMEM, "out of memory");
	C.gnames = gnames;
	for (size_t r = 0; r < p->nrules && !e; r++) {
		/* unconditional groups starting at rule r */
		for (size_t i = 0; i < n; i++) {
			struct sname *s = &names[i];
			if (s->first_rule != (int)r || s->group)
				continue;
			json_object *nl = json_object_new_array();
			C.ngnames = 0;
			for (size_t k = i; k < n; k++) {
				struct sname *t = &names[k];
				bool same = t->first_rule == (int)r && !t->group && t->uncond == s->uncond &&
					    t->action == s->action && t->nrules == s->nrules &&
					    (!s->nrules ||
					     !memcmp(t->rules, s->rules, s->nrules * sizeof *s->rules));
				if (!same)
					continue;
				t->group = 1;
				gnames[C.ngnames++] = t->name;
				json_object_array_add(nl, json_object_new_string(t->name));
			}
			if (s->uncond) {
				json_object *en = json_object_new_object();
				json_object_object_add(en, "names", nl);
				add_action(en, "action", "errnoRet", s->action);
				json_object_array_add(calls, en);
				continue;
			}
			struct dnf *x = calloc(1, sizeof *x), *y = calloc(1, sizeof *y);
			if (!x || !y) {
				free(x);
				free(y);
				json_object_put(nl);
				e = diag_err(d, JITK_E_NOMEM, "out of memory");
				break;
			}
			x->n = 0;
			for (size_t k = 0; k < s->nrules && !x->why; k++) {
				to_dnf(&C, p->rules[s->rules[k]].cond, false, y);
				if (y->why) {
					e = refuse(&C, &p->rules[s->rules[k]], "%s", y->why);
					break;
				}
				dnf_or(x, y);
				if (x->why)
					e = refuse(&C, &p->rules[s->rules[k]], "%s", x->why);
			}
			for (size_t c = 0; c < x->n && !e; c++) {
				json_object *en = json_object_new_object();
				json_object_object_add(en, "names", json_object_get(nl));
				add_action(en, "action", "errnoRet", s->action);
				if (x->c[c].n) {
					json_object *args = json_object_new_array();
					for (size_t k = 0; k < x->c[c].n; k++) {
						const struct atom *at = &x->c[c].a[k];
						json_object *ao = json_object_new_object();
						json_object_object_add(ao, "index",
								       json_object_new_int((int)at->arg));
						json_object_object_add(ao, "value",
								       json_object_new_uint64(at->value));
						json_object_object_add(ao, "valueTwo",
								       json_object_new_uint64(at->value2));
						json_object_object_add(ao, "op",
								       json_object_new_string(at->op));
						json_object_array_add(args, ao);
					}
					json_object_object_add(en, "args", args);
				}
				json_object_array_add(calls, en);
			}
			json_object_put(nl);
			free(x);
			free(y);
		}
	}
	free(gnames);
	char *text = NULL;
	if (!e) {
		const char *s = json_object_to_json_string_ext(prof, JSON_C_TO_STRING_PRETTY |
									     JSON_C_TO_STRING_NOSLASHESCAPE);
		text = s ? malloc(strlen(s) + 2) : NULL;
		if (!text)
			e = diag_err(d, JITK_E_NOMEM, "out of memory");
		else
			snprintf(text, strlen(s) + 2, "%s\n", s);
	}
	json_object_put(prof);
	for (size_t i = 0; i < n; i++)
		free(names[i].rules);
	free(names);
	if (e) {
		free(text);
		return e;
	}

	/* The proof: the profile, read back with the runtimes' semantics, is
	 * the policy on every input.  The host is one of the profile's ABIs. */
	jitk_profile_opts o = { .caps = "", .kernel = "6.1" };
	for (int a = JITK_ARCH__COUNT - 1; a >= 0; a--)
		if (p->arch[a] && a != JITK_ARCH_X32)
			o.host_arch = jitk_arch_name((jitk_arch)a);
	if (!o.host_arch)
		o.host_arch = "x86_64"; /* an x32-only policy: x32 runs on x86-64 hosts */
	jitk_policy *back = NULL;
	jitk_diag bd;
	e = jitk_policy_parse_opts(text, strlen(text), "profile.json", &o, &back, &bd);
	if (!e && p->arch[JITK_ARCH_X86_64] != back->arch[JITK_ARCH_X86_64])
		e = refuse(&C, NULL, "libseccomp always adds the host's architecture (%s)", o.host_arch);
	if (!e) {
		jitk_cex cex;
		size_t nc = 0;
		e = jitk_equiv((jitk_side){ .policy = p }, (jitk_side){ .policy = back }, timeout_ms, &cex,
			       1, &nc, &bd);
		if (e == JITK_E_DIFFERENT)
			diag_err(d, JITK_E_DIFFERENT,
				 "internal error: the profile differs from the policy at arch=0x%08x nr=%d: "
				 "policy 0x%08x, profile 0x%08x",
				 cex.in.arch, cex.in.nr, cex.left, cex.right);
		else if (e && d)
			*d = bd;
	} else if (e && back == NULL && d) {
		*d = bd;
	}
	jitk_policy_free(back);
	if (e) {
		free(text);
		return e;
	}
	*out = text;
	return JITK_OK;
}
