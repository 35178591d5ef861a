/*
 * stack.c - one filter equal to a stack of filters: jitk_stack.
 *
 * The kernel runs every filter of a thread and keeps one answer
 * (trusted/stack.h).  This stage writes a single program that does the same:
 * the filters run one after the other, newest first, each followed by a
 * short epilogue that folds its answer into the best one so far:
 *
 *     prologue  ld #0; tax                 (not before the first: A = X = 0
 *                                           at entry, as each filter expects)
 *     body      the filter, every RET made a `ja` to a stub after the body,
 *               so no offset inside the body changes
 *     stubs     ld #K; ja epilogue          (one per RET K; RET A jumps to the
 *                                           epilogue directly)
 *     epilogue  first filter:  st M[best]
 *               later ones:    st M[cur]; key(A); tax; ld M[best]; key(A);
 *                              jgt x, take, next   take: ld M[cur]; st M[best]
 *               where key(A) = (A & 0xffff0000) ^ 0x80000000 makes the
 *               kernel's signed comparison of actions an unsigned one
 *     final     ld M[best]; and #0xffff0000; jeq #ALLOW, allow, best
 *               allow: ret #ALLOW     best: ld M[best]; ret a
 *
 * Strictly greater keeps the earlier (newer) answer on a tie, as the kernel
 * does.  Two scratch cells are needed: each filter's own cells are renumbered
 * into 0..13 (a filter writes every cell before reading it, so renumbering
 * within one filter is harmless), and 14, 15 are the fold's.
 *
 * Untrusted: jitk_stack proves the result equal to the trusted stacked
 * semantics with Z3 (verify.c) before returning it.
 */
#include "internal.h"
#include "stack.h"

#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#define M_CUR 14u
#define M_BEST 15u
#define KEY_XOR 0x80000000u

struct emit {
	jitk_insn *p;
	size_t n, cap;
	bool over;
};

static size_t put(struct emit *e, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (e->n >= e->cap) {
		e->over = true;
		return e->n;
	}
	e->p[e->n] = (jitk_insn){ code, jt, jf, k };
	return e->n++;
}

static bool is_mem(uint16_t code)
{
	return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM) || code == BPF_ST || code == BPF_STX;
}

/* Renumber f's scratch cells into 0..used-1: map[cell] (unused: 0xff). */
static unsigned cell_map(const jitk_filter *f, uint8_t map[16])
{
	unsigned used = 0;
	memset(map, 0xff, 16);
	for (size_t i = 0; i < f->len; i++) {
		const jitk_insn *in = &f->insns[i];
		if (is_mem(in->code) && in->k < 16 && map[in->k] == 0xff)
			map[in->k] = (uint8_t)used++;
	}
	return used;
}

/* Patch the `ja` at index at to land on target (forward). */
static void patch(struct emit *e, size_t at, size_t target)
{
	if (!e->over)
		e->p[at].k = (uint32_t)(target - at - 1);
}

/* Emit filter f (the fi-th to run) with its stubs and its epilogue, every
 * RET of f jumping to that epilogue. */
static jitk_err emit_filter(struct emit *e, const jitk_filter *f, size_t fi, jitk_diag *d)
{
	uint8_t map[16];
	if (cell_map(f, map) > M_CUR)
		return diag_err(d, JITK_E_UNSUPPORTED,
				"filter %zu uses more than %u scratch cells; stacking needs two free",
				fi + 1, M_CUR);
	size_t base = e->n, len = f->len;
	size_t *to_epi = calloc(len + 1, sizeof *to_epi); /* jumps to patch */
	size_t nto = 0;
	if (!to_epi)
		return diag_err(d, JITK_E_NOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		jitk_insn in = f->insns[i];
		if (is_mem(in.code) && in.k < 16)
			in.k = map[in.k];
		if (BPF_CLASS(in.code) == BPF_RET)
			in = (jitk_insn){ BPF_JMP | BPF_JA, 0, 0, 0 }; /* patched below */
		put(e, in.code, in.jt, in.jf, in.k);
	}
	/* stubs: one per RET, in order (RET A goes straight to the epilogue) */
	for (size_t i = 0; i < len && !e->over; i++) {
		const jitk_insn *in = &f->insns[i];
		if (BPF_CLASS(in->code) != BPF_RET)
			continue;
		uint16_t src = BPF_RVAL(in->code);
		if (src == BPF_A) {
			to_epi[nto++] = base + i;
			continue;
		}
		/* RET K (classic BPF has no RET X; the caller checked) */
		patch(e, base + i, e->n);
		put(e, BPF_LD | BPF_IMM, 0, 0, in->k);
		to_epi[nto++] = put(e, BPF_JMP | BPF_JA, 0, 0, 0);
	}
	size_t epi = e->n;
	for (size_t j = 0; j < nto; j++)
		patch(e, to_epi[j], epi);
	free(to_epi);
	if (fi == 0) { /* the newest filter: its answer is the best so far */
		put(e, BPF_ST, 0, 0, M_BEST);
		return JITK_OK;
	}
	put(e, BPF_ST, 0, 0, M_CUR);
	put(e, BPF_ALU | BPF_AND | BPF_K, 0, 0, JITK_RET_ACTION_FULL);
	put(e, BPF_ALU | BPF_XOR | BPF_K, 0, 0, KEY_XOR);
	put(e, BPF_MISC | BPF_TAX, 0, 0, 0);
	put(e, BPF_LD | BPF_MEM, 0, 0, M_BEST);
	put(e, BPF_ALU | BPF_AND | BPF_K, 0, 0, JITK_RET_ACTION_FULL);
	put(e, BPF_ALU | BPF_XOR | BPF_K, 0, 0, KEY_XOR);
	put(e, BPF_JMP | BPF_JGT | BPF_X, 0, 2, 0); /* key(best) > key(cur): take cur */
	put(e, BPF_LD | BPF_MEM, 0, 0, M_CUR);
	put(e, BPF_ST, 0, 0, M_BEST);
	return JITK_OK;
}

static jitk_err stack_combine(const jitk_filter *const *fs, size_t n, jitk_filter **out, jitk_diag *d)
{
	*out = NULL;
	if (n == 0)
		return diag_err(d, JITK_E_INVAL, "a stack needs at least one filter");
	size_t cap = 8;
	for (size_t i = 0; i < n; i++) {
		if (!fs[i])
			return diag_err(d, JITK_E_INVAL, "filter %zu is NULL", i + 1);
		cap += 2 * fs[i]->len + 16;
	}
	struct emit e = { .p = malloc(cap * sizeof(jitk_insn)), .cap = cap };
	if (!e.p)
		return diag_err(d, JITK_E_NOMEM, "out of memory");
	jitk_err err = JITK_OK;
	for (size_t k = 0; k < n && !err; k++) { /* newest (fs[n-1]) first */
		if (k > 0) {
			put(&e, BPF_LD | BPF_IMM, 0, 0, 0);
			put(&e, BPF_MISC | BPF_TAX, 0, 0, 0);
		}
		err = emit_filter(&e, fs[n - 1 - k], k, d);
	}
	if (!err) {
		put(&e, BPF_LD | BPF_MEM, 0, 0, M_BEST);
		put(&e, BPF_ALU | BPF_AND | BPF_K, 0, 0, JITK_RET_ACTION_FULL);
		put(&e, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, JITK_RET_ALLOW);
		put(&e, BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW);
		put(&e, BPF_LD | BPF_MEM, 0, 0, M_BEST);
		put(&e, BPF_RET | BPF_A, 0, 0, 0);
		if (e.over)
			err = diag_err(d, JITK_E_INVAL, "internal error: stack program overflow");
	}
	if (!err && e.n > JITK_MAXINSNS)
		err = diag_err(d, JITK_E_TOO_BIG,
			       "the stacked filter needs %zu instructions; the kernel allows %u", e.n,
			       JITK_MAXINSNS);
	if (!err && jitk_filter_new(e.p, e.n, out) != JITK_OK)
		err = diag_err(d, JITK_E_NOMEM, "out of memory");
	free(e.p);
	return err;
}

jitk_err jitk_stack(const jitk_filter *const *fs, size_t n, unsigned timeout_ms, jitk_filter **out,
		    jitk_diag *d)
{
	diag_clear(d);
	if (!out || (n && !fs))
		return diag_err(d, JITK_E_INVAL, "jitk_stack: NULL argument");
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		jitk_err err = fs[i] ? jitk_check(fs[i], d) : JITK_E_INVAL;
		if (err) {
			if (err == JITK_E_INVAL)
				return diag_err(d, err, "filter %zu is NULL", i + 1);
			return err; /* d names the instruction */
		}
	}
	jitk_filter *f;
	jitk_err err = stack_combine(fs, n, &f, d);
	if (err)
		return err;
	err = jitk_check(f, d);
	if (!err) {
		/* No proof, no filter. */
		jitk_side a = { .filter = f }, b = { .stack = fs, .nstack = n };
		size_t ncex = 0;
		jitk_cex cex;
		err = jitk_equiv(a, b, timeout_ms, &cex, 1, &ncex, d);
		if (err == JITK_E_DIFFERENT)
			err = diag_err(d, JITK_E_DIFFERENT,
				       "internal error: the stacked filter differs from the stack "
				       "(arch 0x%08x, nr %d: 0x%08x, the stack 0x%08x)",
				       cex.in.arch, cex.in.nr, cex.left, cex.right);
	}
	if (err) {
		jitk_filter_free(f);
		return err;
	}
	*out = f;
	return JITK_OK;
}

uint32_t jitk_stack_fold(const uint32_t *rets, size_t n)
{
	return stack_fold(rets, n);
}
