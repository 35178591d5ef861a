/*
 * asm_layout.c - the assembler's passes 2 and 3 (asm.h): every target
 * becomes a source index (forward only), far conditional jumps get `ja`
 * trampolines to a fixed point, and the program is emitted.
 */
#include "asm.h"

#include <stdlib.h>
#include <string.h>

/* -------------------------------------------------------------- resolver */

static void hint_label(struct asm_ctx *a, const struct target *t)
{
	const char *best = NULL;
	size_t bestn = 0;
	char want[ASM_NAME_MAX], have[ASM_NAME_MAX];
	if (t->len >= sizeof want)
		return;
	memcpy(want, a->text + t->off, t->len);
	want[t->len] = '\0';
	struct closest c;
	closest_init(&c, want, 3);
	for (size_t i = 0; i < a->nlabels; i++) {
		const struct label *l = &a->labels[i];
		if (l->len >= sizeof have)
			continue;
		memcpy(have, a->text + l->off, l->len);
		have[l->len] = '\0';
		if (closest_try(&c, have)) { /* have is reused: keep where it is */
			best = a->text + l->off;
			bestn = l->len;
		}
	}
	if (best)
		diag_hint(a->d, "did you mean %.*s?", (int)bestn, best);
	else
		diag_hint(a->d, "define it with '%s:' before the instruction to jump to", want);
}

/* Turn every target into a source index, forward and inside the program. */
jitk_err asm_resolve(struct asm_ctx *a)
{
	for (size_t p = 0; p < a->nsrc; p++) {
		struct src_insn *s = &a->src[p];
		int nt = s->kind == SRC_JA ? 1 : s->kind == SRC_COND ? 2 : 0;
		for (int i = 0; i < nt; i++) {
			struct target *t = &s->t[i];
			uint64_t dest;
			const struct label *l = NULL;
			switch (t->kind) {
			case TGT_NEXT: dest = p + 1; break;
			case TGT_NUM: dest = (uint64_t)p + 1 + t->num; break;
			default:
				l = asm_find_label(a, t->off, t->len);
				if (!l) {
					asm_err_at(a, JITK_E_NAME, t->off, t->len, "undefined label '%.*s'",
						   t->len > 64 ? 64 : (int)t->len, a->text + t->off);
					hint_label(a, t);
					return JITK_E_NAME;
				}
				dest = l->index;
				break;
			}
			if (dest <= p) {
				asm_err_at(a, JITK_E_RANGE, t->off, t->len,
					   "backward jump to '%.*s' (line %u)",
					   t->len > 64 ? 64 : (int)t->len, a->text + t->off,
					   asm_line_of(a, l ? l->off : t->off));
				diag_hint(a->d, "classic BPF jumps go forward only");
				return JITK_E_RANGE;
			}
			if (dest >= a->nsrc) {
				if (t->kind == TGT_NEXT)
					asm_err_at(a, JITK_E_RANGE, t->off, t->len,
						   "the fall-through branch leaves the program");
				else
					asm_err_at(a, JITK_E_RANGE, t->off, t->len,
						   "jump to '%.*s' lands past the last instruction",
						   t->len > 64 ? 64 : (int)t->len, a->text + t->off);
				diag_hint(a->d, "a program ends with ret; every jump must land on "
						"an instruction");
				return JITK_E_RANGE;
			}
			t->dest = (size_t)dest;
		}
	}
	return JITK_OK;
}

/* Final index of every source instruction under the current trampoline
 * choices; pos[nsrc] is the total length. */
static void layout(const struct asm_ctx *a, size_t *pos)
{
	size_t at = 0;
	for (size_t p = 0; p < a->nsrc; p++) {
		pos[p] = at;
		at += 1u + a->src[p].tramp[0] + a->src[p].tramp[1];
	}
	pos[a->nsrc] = at;
}

/*
 * Long conditional jumps.  jt and jf are 8 bits, so a branch can reach at
 * most 255 instructions past the next one.  A branch that is farther goes
 * through a `ja` placed right after the conditional jump (true branch first,
 * then false): the conditional jump reaches its trampoline with offset 0 or
 * 1, and the ja's 32-bit k reaches anything.  Inserting a trampoline only
 * lengthens distances, so the set of trampolines only grows and the loop
 * reaches a fixed point in at most 2 * (number of jumps) rounds.
 */
jitk_err asm_place_trampolines(struct asm_ctx *a, size_t *pos)
{
	for (;;) {
		layout(a, pos);
		bool changed = false;
		for (size_t p = 0; p < a->nsrc; p++) {
			struct src_insn *s = &a->src[p];
			if (s->kind != SRC_COND)
				continue;
			for (int i = 0; i < 2; i++)
				if (!s->tramp[i] && pos[s->t[i].dest] - pos[p] - 1 > 255) {
					s->tramp[i] = true;
					changed = true;
				}
		}
		if (!changed)
			break;
	}
	/* Raw .insn jumps keep their offsets; refuse if a trampoline now sits
	 * between one and its target, since that would change its meaning. */
	if (pos[a->nsrc] == a->nsrc)
		return JITK_OK;
	for (size_t p = 0; p < a->nsrc; p++) {
		const struct src_insn *s = &a->src[p];
		if (s->kind != SRC_RAW || !INSN_IS_JUMP(s->ins.code))
			continue;
		uint64_t reach = BPF_OP(s->ins.code) == BPF_JA
					 ? s->ins.k
					 : (s->ins.jt > s->ins.jf ? s->ins.jt : s->ins.jf);
		/* Source instructions p+1 .. up to p+reach+1 must not have moved
		 * relative to p. */
		for (size_t q = p + 1; q < a->nsrc && q - p <= reach + 1; q++)
			if (pos[q] - pos[p] != q - p) {
				asm_err_at(a, JITK_E_RANGE, s->off, s->len,
					   "a ja trampoline was inserted inside the range of this raw jump");
				diag_hint(a->d, "write the jump with a mnemonic and labels so the "
						"assembler can adjust it");
				return JITK_E_RANGE;
			}
	}
	return JITK_OK;
}

jitk_err asm_emit(struct asm_ctx *a, const size_t *pos, jitk_filter **out)
{
	size_t n = pos[a->nsrc];
	jitk_filter *f = filter_alloc(n);
	if (!f)
		return diag_err(a->d, JITK_E_NOMEM, "out of memory");
	for (size_t p = 0; p < a->nsrc; p++) {
		const struct src_insn *s = &a->src[p];
		size_t at = pos[p];
		jitk_insn in = s->ins;
		if (s->kind == SRC_JA) {
			in.k = (uint32_t)(pos[s->t[0].dest] - at - 1);
		} else if (s->kind == SRC_COND) {
			size_t tr = at + 1; /* next trampoline slot */
			size_t off[2];
			for (int i = 0; i < 2; i++) {
				if (s->tramp[i]) {
					f->insns[tr] = (jitk_insn){ BPF_JMP | BPF_JA, 0, 0,
								    (uint32_t)(pos[s->t[i].dest] - tr - 1) };
					off[i] = tr - at - 1;
					tr++;
				} else {
					off[i] = pos[s->t[i].dest] - at - 1;
				}
			}
			in.jt = (uint8_t)off[0];
			in.jf = (uint8_t)off[1];
		}
		f->insns[at] = in;
	}
	*out = f;
	return JITK_OK;
}
