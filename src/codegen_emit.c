/*
 * codegen_emit.c - the code generator's backward emitter (codegen.h).
 *
 * Instructions go into g->buf[] in reverse; a label is an index into it
 * (the distance from the end of the final program), so every jump target
 * exists before the jump is emitted (kafel's trick).  A conditional jump
 * reaches at most 255 instructions; a farther target gets a copy of the
 * `ret` it points at or a `ja` trampoline placed right after the jump.
 */
#include "codegen.h"

#include <stdlib.h>

/* Append one instruction (it will precede everything emitted so far) and
 * return its label. */
size_t cg_emit(struct cg *g, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (cg_failed(g))
		return 0;
	if (g->n >= CG_CEILING) {
		g->ceiling = true;
		return 0;
	}
	/* 256 at first: most programs fit, without a realloc per doubling */
	if (g->n >= g->cap &&
	    !array_grow((void **)&g->buf, &g->cap, g->n < 256 ? 256 : g->n + 1, sizeof *g->buf)) {
		g->nomem = true;
		return 0;
	}
	g->buf[g->n] = (jitk_insn){ code, jt, jf, k };
	return g->n++;
}

/* Offset from an instruction about to be emitted to label t. */
size_t cg_dist(const struct cg *g, size_t t)
{
	return g->n - t - 1;
}

/* A label equivalent to t that a jump emitted next can reach with an 8-bit
 * offset: t itself, a copy of the `ret` at t, or a `ja` to t. */
size_t cg_near(struct cg *g, size_t t)
{
	if (cg_dist(g, t) <= CG_JMAX)
		return t;
	const jitk_insn *i = &g->buf[t];
	if (i->code == (BPF_RET | BPF_K))
		return cg_emit(g, i->code, 0, 0, i->k);
	return cg_emit(g, BPF_JMP | BPF_JA, 0, 0, (uint32_t)cg_dist(g, t));
}

/* Emit a conditional jump with K: A op k ? lt : lf. */
size_t cg_emit_jump(struct cg *g, uint16_t op, uint32_t k, size_t lt, size_t lf)
{
	if (cg_failed(g))
		return 0;
	if (lt == lf) {
		lt = lf = cg_near(g, lt);
	} else {
		/* Each fix-up adds one instruction, which can push the other
		 * target out of reach; loop until both fit. */
		for (;;) {
			if (cg_dist(g, lt) > CG_JMAX)
				lt = cg_near(g, lt);
			else if (cg_dist(g, lf) > CG_JMAX)
				lf = cg_near(g, lf);
			else
				break;
			if (cg_failed(g))
				return 0;
		}
	}
	if (cg_failed(g))
		return 0;
	return cg_emit(g, BPF_JMP | op | BPF_K, (uint8_t)cg_dist(g, lt), (uint8_t)cg_dist(g, lf), k);
}

/* Emit a non-jump instruction that falls through to label next. */
size_t cg_emit_stmt(struct cg *g, uint16_t code, uint32_t k, size_t next)
{
	if (cg_failed(g))
		return 0;
	if (g->n == 0 || next != g->n - 1)
		cg_emit(g, BPF_JMP | BPF_JA, 0, 0, (uint32_t)cg_dist(g, next));
	return cg_emit(g, code, 0, 0, k);
}

/* A `ret #action`, shared with an earlier one when a jump can reach it. */
size_t cg_ret_label(struct cg *g, uint32_t action)
{
	for (size_t i = 0; i < g->nrets; i++)
		if (g->rets[i].action == action && cg_dist(g, g->rets[i].label) <= CG_JMAX)
			return g->rets[i].label;
	size_t l = cg_emit(g, BPF_RET | BPF_K, 0, 0, action);
	if (cg_failed(g))
		return 0;
	for (size_t i = 0; i < g->nrets; i++)
		if (g->rets[i].action == action) {
			g->rets[i].label = l;
			return l;
		}
	if (!array_grow((void **)&g->rets, &g->caprets, g->nrets + 1, sizeof *g->rets)) {
		g->nomem = true;
		return 0;
	}
	g->rets[g->nrets++] = (struct cg_ret){ action, l };
	return l;
}

/* Make A == word[off] & mask before label body, given A's state `in` there:
 * nothing if A already holds it, an `and` if A holds the word under a
 * wider mask, else a load (and an `and` unless mask is all ones). */
size_t cg_load_word(struct cg *g, struct acc in, uint32_t off, uint32_t mask, size_t body)
{
	if (in.kind == ACC_WORD && in.off == off) {
		if (in.mask == mask)
			return body;
		if ((mask & ~in.mask) == 0)
			return cg_emit_stmt(g, BPF_ALU | BPF_AND | BPF_K, mask, body);
	}
	if (mask != 0xffffffffu)
		body = cg_emit_stmt(g, BPF_ALU | BPF_AND | BPF_K, mask, body);
	return cg_emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, off, body);
}
