/*
 * scpl_eval.c - the SCPL semantics as code (docs/scpl.md, "Semantics").
 *
 * jitk_policy_eval is the specification the compiled filters are tested
 * against, so it is part of the trusted base: it walks the parsed policy
 * directly, in the order the document states the rules, and shares no code
 * with the compiler (ir.c, codegen.c).  Keep it plain.
 */
#include "params.h"
#include "pol.h"

#include <linux/audit.h>

/* Step 1 of the semantics: the ABI of a call, or -1 for an arch jitk does
 * not know.  x32 shares AUDIT_ARCH_X86_64: every nr >= 0x40000000
 * (__X32_SYSCALL_BIT, unsigned, so negative numbers too) is x32, never
 * x86_64 -- the x32 guard.  Every other ABI of tools/abis.txt has an
 * AUDIT_ARCH value of its own. */
static int eval_abi(const struct seccomp_data *in)
{
	if (in->arch == AUDIT_ARCH_X86_64)
		return (uint32_t)in->nr >= JITK_X32_SYSCALL_BIT ? JITK_ARCH_X32 : JITK_ARCH_X86_64;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (tbl_abis[a].audit == in->arch)
			return a;
	return -1;
}

int jitk_input_abi(const struct seccomp_data *in)
{
	return in ? eval_abi(in) : -1;
}

/*
 * The bits of args[c->arg] a comparison looks at, for syscall nr on ABI a
 * (docs/scpl.md, "Argument widths"): those the kernel uses, that is the
 * width of the parameter's C type in the kernel's prototype (16, 32 or
 * 64; the register width, 32 on i386, for an argument the syscall does not
 * have or a number jitk has no prototype of), at most 32 for low32(), and
 * all 64 for reg64(), whatever the parameter and ABI.  params_width
 * (trusted/params.h) reads the generated table.
 */
static unsigned eval_width(const struct pol_cond *c, int a, int nr)
{
	if (c->reg64)
		return 64;
	unsigned w = params_width((jitk_arch)a, nr, c->arg);
	return c->low32 && w > 32 ? 32 : w;
}

/* One comparison at width W: (args[N] mod 2^W) & (mask mod 2^W) op
 * (value mod 2^W), unsigned.  The front end accepts only constants that
 * fit W bits as unsigned or as W-bit two's complement (-1 is 0xffffffff
 * at 32 bits), so "mod 2^W" only ever drops a sign extension.  args[N] is
 * the number the two words of the argument make in ABI a's byte order
 * (params_field: on a big-endian ABI the low half is the second word). */
bool pol_cmp_holds(const struct pol_cond *c, int a, int nr, uint64_t arg)
{
	uint64_t keep = params_mask(eval_width(c, a, nr));
	uint64_t x = arg & keep & c->mask;
	uint64_t v = c->value & keep;
	switch (c->op) {
	case POL_EQ: return x == v;
	case POL_NE: return x != v;
	case POL_LT: return x < v;
	case POL_LE: return x <= v;
	case POL_GT: return x > v;
	case POL_GE: return x >= v;
	}
	return false;
}

static bool eval_cmp(const struct pol_cond *c, int a, int nr, const struct seccomp_data *in)
{
	return pol_cmp_holds(c, a, nr, params_field(params_big_endian((jitk_arch)a), in, c->arg));
}

/* A condition tree for syscall nr on ABI a; NULL is true. */
static bool eval_cond(const struct pol_cond *c, int a, int nr, const struct seccomp_data *in)
{
	if (!c)
		return true;
	switch (c->kind) {
	case POL_CMP: return eval_cmp(c, a, nr, in);
	case POL_AND: return eval_cond(c->l, a, nr, in) && eval_cond(c->r, a, nr, in);
	case POL_OR: return eval_cond(c->l, a, nr, in) || eval_cond(c->r, a, nr, in);
	case POL_NOT: return !eval_cond(c->l, a, nr, in);
	}
	return false;
}

/* Whether nr is one of the rule's syscalls on ABI a (a plain scan: the
 * specification does not rely on the list being sorted).  The front end has
 * already folded a rule's own `arch` list in: the list is empty on an ABI
 * the rule does not apply to. */
static bool eval_has_nr(const struct pol_rule *r, int a, int nr)
{
	for (size_t i = 0; i < r->nnrs[a]; i++)
		if (r->nrs[a][i] == nr)
			return true;
	return false;
}

/* The semantics, also naming what decides: the index of the first rule
 * that applies (source order), JITK_DECIDED_DEFAULT or
 * JITK_DECIDED_FOREIGN.  jitk_policy_eval is this function's action, so
 * the rule `jitk run` names for a refused call is, by construction, the one
 * whose action the proved filter returned. */
uint32_t jitk_policy_decide(const jitk_policy *p, const struct seccomp_data *in, long *rule)
{
	long dummy;
	if (!rule)
		rule = &dummy;
	/* 1. Architecture: an ABI the policy does not list gets foreign_action. */
	int a = eval_abi(in);
	if (a < 0 || !p->arch[a]) {
		*rule = JITK_DECIDED_FOREIGN;
		return p->foreign_action;
	}
	/* 2. Rules in source order; the first that applies gives the action. */
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		if (eval_has_nr(r, a, in->nr) && eval_cond(r->cond, a, in->nr, in)) {
			*rule = (long)i;
			return r->action;
		}
	}
	/* 3. No rule applies. */
	*rule = JITK_DECIDED_DEFAULT;
	return p->default_action;
}

uint32_t jitk_policy_eval(const jitk_policy *p, const struct seccomp_data *in)
{
	return jitk_policy_decide(p, in, NULL);
}
