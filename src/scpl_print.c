/*
 * scpl_print.c - a resolved policy back to SCPL text (jitk_policy_print).
 *
 * Contract: jitk_policy_parse of the output gives a policy with the same
 * meaning for every input, and rule for rule the same actions, conditions
 * and per-ABI syscall numbers: a rule is printed as one SCPL rule, or as
 * several consecutive ones with the same action and condition whose
 * (ABI, number) sets partition the original's (so first match is kept).
 *
 * The front end resolved names to numbers per ABI; printing goes back
 * through the tables.  A name N is written without an `arch` list only when
 * the rule holds N's number on exactly the ABIs where N exists (that is
 * what the parser would resolve it to again); otherwise N, or a number the
 * tables do not name, is written in a rule limited to the ABIs that hold it.
 */
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One syscall of a rule, as printed: a name or a number, and the ABIs on
 * which the rule holds it. */
struct pkey {
	char text[64];
	unsigned arches; /* bit per jitk_arch */
};

static void print_num(struct strbuf *sb, uint64_t v)
{
	if (v < 10)
		sb_printf(sb, "%llu", (unsigned long long)v);
	else
		sb_printf(sb, "0x%llx", (unsigned long long)v);
}

/* A constant of a low32() compare, which the front end stored cut to 32
 * bits.  On a parameter narrower than 32 bits (a 16-bit umode_t or i386
 * old_uid_t, an 8-bit char) the parser accepts a negative value only as
 * the sign extension of its W-bit two's complement (docs/scpl.md,
 * "Constants at width W"), so 0xffffffff, written for -1, would not parse
 * back.  Parameter types are C types (8, 16, 32 or 64 bits), so every
 * negative value that fits a width below 32 lies in 0xffff8000..0xffffffff
 * once cut: print those as negative, which means the same 32 bits at W = 32
 * and fits any W it was accepted at. */
static void print_low32_num(struct strbuf *sb, uint64_t v)
{
	if (v >= 0xffff8000u && v <= 0xffffffffu) {
		sb_printf(sb, "-");
		print_num(sb, 0x100000000u - v);
	} else {
		print_num(sb, v);
	}
}

/* ret as SCPL; an errno value by a name that has it on every ABI of abis
 * (a bit set), so that the text means the same when read back. */
static jitk_err print_action(struct strbuf *sb, uint32_t ret, unsigned abis)
{
	uint32_t data = ret & JITK_RET_DATA;
	switch (ret & JITK_RET_ACTION_FULL) {
	case JITK_RET_ALLOW:
		if (data)
			break;
		sb_printf(sb, "Allow");
		return JITK_OK;
	case JITK_RET_KILL_PROCESS:
		if (data)
			break;
		sb_printf(sb, "KillProcess");
		return JITK_OK;
	case JITK_RET_KILL_THREAD:
		if (data)
			break;
		sb_printf(sb, "KillThread");
		return JITK_OK;
	case JITK_RET_LOG:
		if (data)
			break;
		sb_printf(sb, "Log");
		return JITK_OK;
	case JITK_RET_USER_NOTIF:
		if (data)
			break;
		sb_printf(sb, "Notify");
		return JITK_OK;
	case JITK_RET_TRAP: sb_printf(sb, "Trap %u", data); return JITK_OK;
	case JITK_RET_TRACE: sb_printf(sb, "Trace %u", data); return JITK_OK;
	case JITK_RET_ERRNO: {
		if (data > 4095)
			break;
		const char *n = errno_name_abis(abis, (int)data);
		if (n)
			sb_printf(sb, "Errno %s", n);
		else
			sb_printf(sb, "Errno %u", data);
		return JITK_OK;
	}
	}
	return JITK_E_INVAL; /* no SCPL action has this value */
}

static const char *const relop[] = {
	[POL_EQ] = "==", [POL_NE] = "!=", [POL_LT] = "<", [POL_LE] = "<=", [POL_GT] = ">", [POL_GE] = ">=",
};

static void print_cond(struct strbuf *sb, const struct pol_cond *c, enum pol_kind parent);

/* Chains print flat (a && b && c); the parser rebuilds its balanced tree
 * from the same sequence. */
static void print_chain(struct strbuf *sb, const struct pol_cond *c, enum pol_kind k)
{
	if (c->kind == k) {
		print_chain(sb, c->l, k);
		sb_printf(sb, k == POL_AND ? " && " : " || ");
		print_chain(sb, c->r, k);
	} else {
		print_cond(sb, c, k);
	}
}

static void print_cond(struct strbuf *sb, const struct pol_cond *c, enum pol_kind parent)
{
	switch (c->kind) {
	case POL_CMP: {
		/* true and false have no node of their own (scpl_parse.c). */
		if (c->arg == 0 && !c->low32 && !c->reg64 && c->mask == 0 && c->value == 0 &&
		    (c->op == POL_EQ || c->op == POL_NE)) {
			sb_printf(sb, c->op == POL_EQ ? "true" : "false");
			return;
		}
		char operand[32];
		snprintf(operand, sizeof operand,
			 c->low32   ? "low32(arg%u)"
			 : c->reg64 ? "reg64(arg%u)"
				    : "arg%u",
			 c->arg);
		bool masked = c->mask != (c->low32 ? 0xffffffffu : UINT64_MAX);
		if (masked) {
			sb_printf(sb, "(%s & ", operand);
			(c->low32 ? print_low32_num : print_num)(sb, c->mask);
			sb_printf(sb, ")");
		} else {
			sb_printf(sb, "%s", operand);
		}
		sb_printf(sb, " %s ", relop[c->op]);
		(c->low32 ? print_low32_num : print_num)(sb, c->value);
		return;
	}
	case POL_NOT:
		sb_printf(sb, "!(");
		print_cond(sb, c->l, POL_NOT);
		sb_printf(sb, ")");
		return;
	case POL_AND:
	case POL_OR: {
		/* && binds tighter than ||: only an || inside an && needs parentheses. */
		bool paren = parent == POL_AND && c->kind == POL_OR;
		if (paren)
			sb_printf(sb, "(");
		print_chain(sb, c, c->kind);
		if (paren)
			sb_printf(sb, ")");
		return;
	}
	}
}

static void print_arches(struct strbuf *sb, unsigned set)
{
	bool first = true;
	sb_printf(sb, "[");
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (set & (1u << a)) {
			sb_printf(sb, "%s%s", first ? "" : "; ", jitk_arch_name((jitk_arch)a));
			first = false;
		}
	sb_printf(sb, "]");
}

static unsigned policy_arches(const jitk_policy *p)
{
	unsigned s = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (p->arch[a])
			s |= 1u << a;
	return s;
}

/* The ABIs of the policy on which the parser resolves key. */
static unsigned resolves_on(const jitk_policy *p, const char *key)
{
	if (key[0] >= '0' && key[0] <= '9')
		return policy_arches(p); /* a number is raw nr on every ABI */
	unsigned s = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (p->arch[a] && jitk_syscall_nr((jitk_arch)a, key) >= 0)
			s |= 1u << a;
	return s;
}

static jitk_err collect(const jitk_policy *p, const struct pol_rule *r, struct pkey **out, size_t *n)
{
	size_t cap = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		cap += r->nnrs[a];
	struct pkey *k = calloc(cap ? cap : 1, sizeof *k);
	if (!k)
		return JITK_E_NOMEM;
	size_t m = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		if (!p->arch[a])
			continue;
		for (size_t i = 0; i < r->nnrs[a]; i++) {
			int nr = r->nrs[a][i];
			const char *name = jitk_syscall_name((jitk_arch)a, nr);
			char text[64];
			if (name && jitk_syscall_nr((jitk_arch)a, name) == nr)
				snprintf(text, sizeof text, "%s", name);
			else
				snprintf(text, sizeof text, nr < 10 ? "%d" : "0x%x", nr);
			size_t j;
			for (j = 0; j < m; j++)
				if (!strcmp(k[j].text, text))
					break;
			if (j == m) {
				memcpy(k[m].text, text, sizeof text);
				k[m++].arches = 0;
			}
			k[j].arches |= 1u << a;
		}
	}
	*out = k;
	*n = m;
	return JITK_OK;
}

static void print_rule_part(struct strbuf *sb, const struct pol_rule *r, const struct pkey *k, size_t n,
			    bool limited, unsigned set, unsigned all, const bool *done)
{
	sb_printf(sb, "    { action = ");
	print_action(sb, r->action, limited ? set : all);
	sb_printf(sb, ";");
	if (limited) {
		sb_printf(sb, " arch = ");
		print_arches(sb, set);
		sb_printf(sb, ";");
	}
	if (r->cond) {
		sb_printf(sb, "\n      when = ");
		print_cond(sb, r->cond, POL_CMP);
		sb_printf(sb, ";");
	}
	sb_printf(sb, "\n      syscalls = [");
	size_t col = 99;
	for (size_t i = 0; i < n; i++) {
		if (!done[i])
			continue;
		size_t l = strlen(k[i].text) + 2;
		if (col + l > 92) {
			sb_printf(sb, "\n       ");
			col = 7;
		}
		sb_printf(sb, " %s;", k[i].text);
		col += l;
	}
	sb_printf(sb, "\n      ] };\n");
}

jitk_err jitk_policy_print(const jitk_policy *p, char **out)
{
	if (!p || !out)
		return JITK_E_INVAL;
	*out = NULL;
	/* Landlock blocks (docs/landlock.md) are not printed yet: refuse rather
	 * than print a policy that means less. */
	if (p->landlock.has_fs || p->landlock.has_net || p->landlock.scope)
		return JITK_E_UNSUPPORTED;
	struct strbuf sb = { 0 };
	unsigned all = policy_arches(p);
	if (p->file[0])
		sb_printf(&sb, "# Printed by jitk from %s\n", p->file);
	sb_printf(&sb, "{\n  arch = ");
	print_arches(&sb, all);
	sb_printf(&sb, ";\n  default_action = ");
	jitk_err e = print_action(&sb, p->default_action, all);
	sb_printf(&sb, ";\n  foreign_action = ");
	if (!e)
		e = print_action(&sb, p->foreign_action, all);
	sb_printf(&sb, ";\n  rules = [\n");
	for (size_t i = 0; i < p->nrules && !e; i++) {
		const struct pol_rule *r = &p->rules[i];
		struct pkey *k;
		size_t n;
		struct strbuf probe = { 0 };
		e = print_action(&probe, r->action, all);
		free(probe.buf);
		if (e)
			break;
		if ((e = collect(p, r, &k, &n)))
			break;
		sb_printf(&sb, "    # rule at %u:%u\n", r->line, r->col);
		if (n == 0)
			sb_printf(&sb, "    # (matches no syscall on the policy's ABIs)\n");
		bool *sel = calloc(n ? n : 1, sizeof *sel);
		bool *used = calloc(n ? n : 1, sizeof *used);
		if (!sel || !used) {
			free(sel);
			free(used);
			free(k);
			e = JITK_E_NOMEM;
			break;
		}
		/* Unlimited part: keys that resolve back to exactly their ABIs. */
		size_t cnt = 0;
		for (size_t j = 0; j < n; j++)
			if (k[j].arches == resolves_on(p, k[j].text)) {
				sel[j] = used[j] = true;
				cnt++;
			}
		if (cnt)
			print_rule_part(&sb, r, k, n, false, all, all, sel);
		/* Limited parts, one per distinct ABI set, in order of appearance. */
		for (size_t j = 0; j < n; j++) {
			if (used[j])
				continue;
			for (size_t m = 0; m < n; m++)
				sel[m] = !used[m] && k[m].arches == k[j].arches;
			for (size_t m = 0; m < n; m++)
				used[m] |= sel[m];
			print_rule_part(&sb, r, k, n, true, k[j].arches, all, sel);
		}
		free(sel);
		free(used);
		free(k);
	}
	sb_printf(&sb, "  ] }\n");
	if (e) {
		free(sb.buf);
		return e;
	}
	return sb_finish(&sb, out);
}
