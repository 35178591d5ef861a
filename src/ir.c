/*
 * ir.c - lower a resolved SCPL policy to the compiler's IR (policy.h).
 *
 * Per accepted ABI, the IR is a sorted list of disjoint syscall-number
 * ranges, each mapped to a decision: the ordered argument cases of the rules
 * that name those numbers, then `otherwise`.  Numbers in no range take the
 * ABI's default action.  This is kafel's shape: everything the code
 * generator needs to build a search tree over `nr`, computed before any
 * instruction is emitted.
 *
 * Lowering for one ABI and one number n, from docs/scpl.md ("first match
 * wins", "if no rule applies, default_action"):
 *   cases  = the rules naming n, in source order, each (cond, action);
 *            everything after the first unconditional rule is dead and cut;
 *   a final unconditional case becomes `otherwise` (else default_action);
 *   trailing conditional cases whose action equals `otherwise` are dropped
 *            (whether they hold or not, the result is the same);
 *   a decision with no cases whose `otherwise` is the default is not
 *            stored at all: the number falls into a default gap.
 * Each case's condition is lowered for n (lower_cond): a compare reads the
 * bits of its argument the kernel uses for n on this ABI (docs/scpl.md,
 * "Argument widths"), so the code generator only ever sees full 64-bit
 * compares (reg64(), or a 64-bit parameter) and low32() compares.
 * Equal decisions (same cases with structurally equal conditions, same
 * otherwise) are stored once and shared, so adjacent numbers with equal
 * decisions merge into one range.
 */
#include "params.h"
#include "policy.h"

#include <stdlib.h>
#include <string.h>

/* All IR memory lives in one arena (arena.c), freed by ir_free. */
void ir_free(struct ir_policy *ir)
{
	if (!ir)
		return;
	arena_free(ir->arena);
	free(ir);
}

/* Structural equality of conditions: equal trees mean equal predicates. */
bool pol_cond_equal(const struct pol_cond *a, const struct pol_cond *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case POL_CMP:
		return a->arg == b->arg && a->low32 == b->low32 && a->reg64 == b->reg64 && a->op == b->op &&
		       a->mask == b->mask && a->value == b->value;
	case POL_AND:
	case POL_OR: return pol_cond_equal(a->l, b->l) && pol_cond_equal(a->r, b->r);
	case POL_NOT: return pol_cond_equal(a->l, b->l);
	}
	return false;
}

static bool decision_equal(const struct ir_decision *a, size_t ncases, const struct ir_case *cases,
			   uint32_t otherwise)
{
	if (a->ncases != ncases || a->otherwise != otherwise)
		return false;
	for (size_t i = 0; i < ncases; i++)
		if (a->cases[i].action != cases[i].action || !pol_cond_equal(a->cases[i].cond, cases[i].cond))
			return false;
	return true;
}

/* One (number, rule) pair, rule `rule` names number `nr` on this ABI, as
 * one key: nr << 32 | rule, so that the keys' order is by number, then
 * by rule (source order).  build_arch takes rule indices below 2^32. */
static uint64_t pair_key(uint32_t nr, size_t rule)
{
	return (uint64_t)nr << 32 | (uint64_t)rule;
}

/*
 * Can number nr reach this ABI's dispatch at all?  docs/scpl.md defines the
 * x86-64/x32 split at nr >= 0x40000000 (unsigned) on AUDIT_ARCH_X86_64, so
 * a raw number at or above it can never be an x86_64 call and one below it
 * never an x32 call.  Such numbers are left out rather than compiled into
 * code that cannot run.
 */
static bool nr_on_abi(jitk_arch a, uint32_t nr)
{
	if (a == JITK_ARCH_X86_64)
		return nr < JITK_X32_SYSCALL_BIT;
	if (a == JITK_ARCH_X32)
		return nr >= JITK_X32_SYSCALL_BIT;
	return true;
}

struct ir_build_state {
	struct arena_blk **arena;
	const jitk_policy *p;
	/* Decisions made so far, over all ABIs (sharing crosses ABIs too). */
	struct ir_decision **decs;
	size_t ndecs, capdecs;
	struct ir_case *tmp; /* scratch cases, p->nrules entries */
};

/* The shared decision equal to (cases, otherwise), created if new. */
static const struct ir_decision *intern_decision(struct ir_build_state *s, size_t ncases, uint32_t otherwise)
{
	for (size_t i = 0; i < s->ndecs; i++)
		if (decision_equal(s->decs[i], ncases, s->tmp, otherwise))
			return s->decs[i];
	if (s->ndecs == s->capdecs) {
		size_t cap = s->capdecs ? 2 * s->capdecs : 16;
		struct ir_decision **n = realloc(s->decs, cap * sizeof *n);
		if (!n)
			return NULL;
		s->decs = n;
		s->capdecs = cap;
	}
	struct ir_decision *d = arena_alloc(s->arena, sizeof *d);
	struct ir_case *c = arena_alloc(s->arena, ncases * sizeof *c);
	if (!d || !c)
		return NULL;
	memcpy(c, s->tmp, ncases * sizeof *c);
	d->ncases = ncases;
	d->cases = c;
	d->otherwise = otherwise;
	s->decs[s->ndecs++] = d;
	return d;
}

/*
 * Condition c as the filter must test it for syscall nr on ABI a: a compare
 * whose argument the kernel uses W < 64 bits of (params_width; at most 32
 * for low32()) becomes a low32() compare with mask and value cut to W bits,
 *   (args & mask) op value  ->  low32: (args & (mask mod 2^W)) op (value mod 2^W),
 * the compare docs/scpl.md defines.  A node nothing changes is returned as
 * it is, so conditions stay shared.  NULL with *oom set if out of memory.
 */
static const struct pol_cond *lower_cond(struct ir_build_state *s, const struct pol_cond *c, jitk_arch a,
					 int nr, bool *oom)
{
	if (!c || *oom)
		return c;
	struct pol_cond n = *c;
	switch (c->kind) {
	case POL_CMP: {
		/* reg64(): all 64 bits on every ABI, i386 included; the code
		 * generator reads both words for it (codegen_decide.c). */
		if (c->reg64)
			return c;
		unsigned w = params_width(a, nr, c->arg);
		if (c->low32 && w > 32)
			w = 32;
		if (w >= 64)
			return c;
		uint64_t keep = params_mask(w);
		n.low32 = true;
		n.mask = c->mask & keep;
		n.value = c->value & keep;
		if (c->low32 && n.mask == c->mask && n.value == c->value)
			return c;
		break;
	}
	case POL_NOT:
		n.l = lower_cond(s, c->l, a, nr, oom);
		if (n.l == c->l)
			return c;
		break;
	case POL_AND:
	case POL_OR:
		n.l = lower_cond(s, c->l, a, nr, oom);
		n.r = lower_cond(s, c->r, a, nr, oom);
		if (n.l == c->l && n.r == c->r)
			return c;
		break;
	}
	if (*oom)
		return NULL;
	struct pol_cond *m = arena_alloc(s->arena, sizeof *m);
	if (!m) {
		*oom = true;
		return NULL;
	}
	*m = n;
	return m;
}

static jitk_err build_arch(struct ir_build_state *s, jitk_arch a, struct ir_arch *out, jitk_diag *d)
{
	const jitk_policy *p = s->p;
	if (p->nrules > UINT32_MAX)
		return diag_err(d, JITK_E_TOO_BIG, "more than 2^32-1 rules");
	size_t npairs = 0;
	for (size_t r = 0; r < p->nrules; r++)
		npairs += p->rules[r].nnrs[a];
	if (npairs > SIZE_MAX / 2 / sizeof(uint64_t))
		return diag_err(d, JITK_E_NOMEM, "out of memory lowering the policy");
	/* the keys, and room for the sort's merges */
	uint64_t *pairs = malloc((npairs ? 2 * npairs : 1) * sizeof *pairs);
	struct ir_range *ranges = arena_alloc(s->arena, (npairs ? npairs : 1) * sizeof *ranges);
	if (!pairs || !ranges) {
		free(pairs);
		return diag_err(d, JITK_E_NOMEM, "out of memory lowering the policy");
	}
	size_t n = 0;
	for (size_t r = 0; r < p->nrules; r++)
		for (size_t i = 0; i < p->rules[r].nnrs[a]; i++) {
			uint32_t nr = (uint32_t)p->rules[r].nrs[a][i];
			if (nr_on_abi(a, nr))
				pairs[n++] = pair_key(nr, r);
		}
	sort_u64(pairs, pairs + n, n);

	size_t nranges = 0;
	for (size_t i = 0; i < n;) {
		uint32_t nr = (uint32_t)(pairs[i] >> 32);
		size_t ncases = 0;
		bool closed = false; /* an unconditional case was seen */
		uint32_t otherwise = p->default_action;
		for (; i < n && (uint32_t)(pairs[i] >> 32) == nr; i++) {
			if (closed)
				continue; /* first match wins: dead after an unconditional rule */
			const struct pol_rule *rule = &p->rules[(uint32_t)pairs[i]];
			if (!rule->cond) {
				otherwise = rule->action;
				closed = true;
			} else {
				bool oom = false;
				const struct pol_cond *c = lower_cond(s, rule->cond, a, (int)nr, &oom);
				if (oom) {
					free(pairs);
					return diag_err(d, JITK_E_NOMEM, "out of memory lowering the policy");
				}
				s->tmp[ncases++] = (struct ir_case){ c, rule->action };
			}
		}
		while (ncases && s->tmp[ncases - 1].action == otherwise)
			ncases--;
		if (!ncases && otherwise == p->default_action)
			continue; /* the default gap already says this */
		const struct ir_decision *dec = intern_decision(s, ncases, otherwise);
		if (!dec) {
			free(pairs);
			return diag_err(d, JITK_E_NOMEM, "out of memory lowering the policy");
		}
		if (nranges && ranges[nranges - 1].dec == dec && ranges[nranges - 1].hi + 1 == nr)
			ranges[nranges - 1].hi = nr;
		else
			ranges[nranges++] = (struct ir_range){ nr, nr, dec };
	}
	free(pairs);
	out->arch = a;
	out->audit = jitk_arch_audit(a);
	out->default_action = p->default_action;
	out->nranges = nranges;
	out->ranges = ranges;
	return JITK_OK;
}

jitk_err ir_build(const jitk_policy *p, struct ir_policy **out, jitk_diag *d)
{
	if (!p || !out)
		return diag_err(d, JITK_E_INVAL, "ir_build: NULL argument");
	*out = NULL;
	struct ir_policy *ir = calloc(1, sizeof *ir);
	if (!ir)
		return diag_err(d, JITK_E_NOMEM, "out of memory lowering the policy");
	struct arena_blk *arena = NULL;
	struct ir_build_state s = { .arena = &arena, .p = p };
	s.tmp = malloc((p->nrules ? p->nrules : 1) * sizeof *s.tmp);
	jitk_err err = s.tmp ? JITK_OK : diag_err(d, JITK_E_NOMEM, "out of memory lowering the policy");
	for (int a = 0; !err && a < JITK_ARCH__COUNT; a++)
		if (p->arch[a])
			err = build_arch(&s, (jitk_arch)a, &ir->arches[ir->narch++], d);
	free(s.tmp);
	free(s.decs);
	ir->foreign_action = p->foreign_action;
	ir->arena = arena;
	if (err) {
		ir_free(ir);
		return err;
	}
	*out = ir;
	return JITK_OK;
}
