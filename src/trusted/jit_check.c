/*
 * jit_check.c - the JIT image validator (contract in jit_check.h).
 *
 * TRUSTED BASE: deliberately plain.  A decoder for exactly the instruction
 * subset listed in jit_check.h, then a list of independent checks over the
 * decoded instructions.  It must not include or share anything with the
 * emitter (src/jit.c, src/jit_x86.h): a shared mistake would be invisible.
 */
#include "diag.h"
#include "insn.h"
#include "jit_check.h"

#include <stdlib.h>

/* The only registers the image may name: eax, ecx, edx, esi. */
static bool reg_ok(unsigned r)
{
	return r == 0 || r == 1 || r == 2 || r == 6;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum { DEC_OK, DEC_BAD, DEC_TRUNC };

/* Decode one instruction at c[0..avail).  Sets x->len and the fields. */
static int decode(const uint8_t *c, size_t avail, struct xinsn *x)
{
#define NEED(k)                           \
	do {                              \
		if (avail < (k))          \
			return DEC_TRUNC; \
	} while (0)
	NEED(1);
	uint8_t b0 = c[0];
	unsigned mod = 0, reg = 0, rm = 0;
	if (avail >= 2) {
		mod = c[1] >> 6;
		reg = (c[1] >> 3) & 7;
		rm = c[1] & 7;
	}
	x->reg = (uint8_t)reg;
	x->rm = (uint8_t)rm;
	x->op = b0;
	switch (b0) {
	case 0x48: /* REX.W: only sub/add rsp, imm8 */
		NEED(4);
		if (c[1] != 0x83 || (c[2] != 0xec && c[2] != 0xc4))
			return DEC_BAD;
		x->kind = c[2] == 0xec ? XK_SUB_RSP : XK_ADD_RSP;
		/* The CPU sign-extends imm8: `sub rsp, 0x80` ADDS 128 to rsp.
		 * Keep the sign so a negative "frame" is refused as huge. */
		x->imm = (uint32_t)(int32_t)(int8_t)c[3];
		x->len = 4;
		return DEC_OK;
	case 0xc3:
		x->kind = XK_RET;
		x->len = 1;
		return DEC_OK;
	case 0xb8:
	case 0xb9:
	case 0xba:
	case 0xbb:
	case 0xbc:
	case 0xbd:
	case 0xbe:
	case 0xbf:
		NEED(5);
		if (!reg_ok(b0 - 0xb8u))
			return DEC_BAD;
		x->kind = XK_MOV_RI;
		x->rm = (uint8_t)(b0 - 0xb8u);
		x->imm = rd32(c + 1);
		x->len = 5;
		return DEC_OK;
	case 0x01:
	case 0x09:
	case 0x21:
	case 0x29:
	case 0x31:
	case 0x39:
	case 0x85:
		NEED(2);
		if (mod != 3 || !reg_ok(reg) || !reg_ok(rm))
			return DEC_BAD;
		x->kind = XK_ALU_RR;
		x->len = 2;
		return DEC_OK;
	case 0x89: /* mov r, r  or  mov [rsp + d8], r */
		NEED(2);
		if (!reg_ok(reg))
			return DEC_BAD;
		if (mod == 3) {
			if (!reg_ok(rm))
				return DEC_BAD;
			x->kind = XK_ALU_RR;
			x->len = 2;
			return DEC_OK;
		}
		if (mod != 1 || rm != 4)
			return DEC_BAD;
		NEED(4);
		if (c[2] != 0x24) /* SIB: no index, base rsp */
			return DEC_BAD;
		x->kind = XK_STORE_STACK;
		x->disp = (int8_t)c[3];
		x->len = 4;
		return DEC_OK;
	case 0x8b: /* mov r, [rsp + d8]  or  mov r, [rdi + d8] */
		NEED(2);
		if (mod != 1 || !reg_ok(reg))
			return DEC_BAD;
		if (rm == 4) {
			NEED(4);
			if (c[2] != 0x24)
				return DEC_BAD;
			x->kind = XK_LOAD_STACK;
			x->disp = (int8_t)c[3];
			x->len = 4;
			return DEC_OK;
		}
		if (rm != 7)
			return DEC_BAD;
		NEED(3);
		x->kind = XK_LOAD_CTX;
		x->disp = (int8_t)c[2];
		x->len = 3;
		return DEC_OK;
	case 0x81:
		NEED(2);
		if (mod != 3 || !reg_ok(rm) || reg == 2 || reg == 3) /* no adc/sbb */
			return DEC_BAD;
		NEED(6);
		x->kind = XK_ALU_RI;
		x->imm = rd32(c + 2);
		x->len = 6;
		return DEC_OK;
	case 0x83: /* cmp r, imm8 only (the rsp forms carry REX.W, above) */
		NEED(2);
		if (mod != 3 || !reg_ok(rm) || reg != 7)
			return DEC_BAD;
		NEED(3);
		x->kind = XK_ALU_RI;
		x->imm = (uint32_t)(int32_t)(int8_t)c[2]; /* the CPU sign-extends */
		x->len = 3;
		return DEC_OK;
	case 0xf7:
		NEED(2);
		if (mod != 3 || !reg_ok(rm))
			return DEC_BAD;
		if (reg == 0) {
			NEED(6);
			x->kind = XK_TEST_RI;
			x->imm = rd32(c + 2);
			x->len = 6;
			return DEC_OK;
		}
		if (reg != 3 && reg != 6) /* neg, div; not mul/imul/idiv/not */
			return DEC_BAD;
		x->kind = reg == 3 ? XK_NEG : XK_DIV;
		x->len = 2;
		return DEC_OK;
	case 0x69:
		NEED(2);
		if (mod != 3 || !reg_ok(reg) || !reg_ok(rm))
			return DEC_BAD;
		NEED(6);
		x->kind = XK_IMUL_RRI;
		x->imm = rd32(c + 2);
		x->len = 6;
		return DEC_OK;
	case 0xc1:
		NEED(2);
		if (mod != 3 || !reg_ok(rm) || (reg != 4 && reg != 5))
			return DEC_BAD;
		NEED(3);
		if (c[2] >= 32)
			return DEC_BAD;
		x->kind = XK_SHIFT_I;
		x->imm = c[2];
		x->len = 3;
		return DEC_OK;
	case 0xd3:
		NEED(2);
		if (mod != 3 || !reg_ok(rm) || (reg != 4 && reg != 5))
			return DEC_BAD;
		x->kind = XK_SHIFT_CL;
		x->len = 2;
		return DEC_OK;
	case 0xeb:
		NEED(2);
		x->kind = XK_JMP;
		x->len = 2;
		x->target = (int64_t)2 + (int8_t)c[1];
		return DEC_OK;
	case 0xe9:
		NEED(5);
		x->kind = XK_JMP;
		x->len = 5;
		x->target = (int64_t)5 + (int32_t)rd32(c + 1);
		return DEC_OK;
	case 0x72:
	case 0x73:
	case 0x74:
	case 0x75:
	case 0x76:
	case 0x77:
		NEED(2);
		x->kind = XK_JCC;
		x->cc = b0 & 0xf;
		x->len = 2;
		x->target = (int64_t)2 + (int8_t)c[1];
		return DEC_OK;
	case 0x0f:
		NEED(2);
		if (c[1] == 0xaf) {
			NEED(3);
			mod = c[2] >> 6;
			x->reg = (c[2] >> 3) & 7;
			x->rm = c[2] & 7;
			if (mod != 3 || !reg_ok(x->reg) || !reg_ok(x->rm))
				return DEC_BAD;
			x->kind = XK_IMUL_RR;
			x->len = 3;
			return DEC_OK;
		}
		if (c[1] >= 0x42 && c[1] <= 0x47) { /* cmovcc r, r */
			NEED(3);
			mod = c[2] >> 6;
			x->reg = (c[2] >> 3) & 7;
			x->rm = c[2] & 7;
			if (mod != 3 || !reg_ok(x->reg) || !reg_ok(x->rm))
				return DEC_BAD;
			x->kind = XK_CMOV;
			x->cc = c[1] & 0xf;
			x->len = 3;
			return DEC_OK;
		}
		if (c[1] < 0x82 || c[1] > 0x87)
			return DEC_BAD;
		NEED(6);
		x->kind = XK_JCC;
		x->cc = c[1] & 0xf;
		x->len = 6;
		x->target = (int64_t)6 + (int32_t)rd32(c + 2);
		return DEC_OK;
	default: return DEC_BAD;
	}
#undef NEED
}

static bool is_xor_self(const struct xinsn *x, unsigned r)
{
	return x->kind == XK_ALU_RR && x->op == 0x31 && x->reg == r && x->rm == r;
}

/* BPF facts the checks need: may pc fall through / branch to BPF index t? */
static bool bpf_succ(const jitk_insn *in, size_t pc, size_t t)
{
	int op = insn_op_of(in->code);
	if (op < 0 || INSN_IS_RET(in->code))
		return false;
	if (!INSN_IS_JUMP(in->code))
		return t == pc + 1;
	if (!INSN_IS_COND(in->code))
		return (uint64_t)t == (uint64_t)pc + 1 + in->k;
	return t == pc + 1 + in->jt || t == pc + 1 + in->jf;
}

/* The x86 condition under which a conditional BPF jump takes jt, after
 * the validator's expected compare (cmp eax, v or test eax, v). */
static int bpf_true_cc(int op)
{
	switch (op) {
	case INSN_JEQ_K:
	case INSN_JEQ_X: return 0x4; /* je  */
	case INSN_JGT_K:
	case INSN_JGT_X: return 0x7; /* ja  */
	case INSN_JGE_K:
	case INSN_JGE_X: return 0x3; /* jae */
	case INSN_JSET_K:
	case INSN_JSET_X: return 0x5; /* jne (after test) */
	default: return -1;
	}
}

/* Is x the compare a conditional BPF jump needs: A (eax) against k or X
 * (ecx), with cmp for JEQ/JGT/JGE and test for JSET?  For cmp eax, imm8
 * x->imm is already the sign-extended value the CPU compares with. */
static bool is_bpf_compare(const struct xinsn *x, const jitk_insn *in, int op)
{
	bool jset = op == INSN_JSET_K || op == INSN_JSET_X;
	if (BPF_SRC(in->code) == BPF_K) {
		if (jset)
			return x->kind == XK_TEST_RI && x->rm == 0 && x->imm == in->k;
		return x->kind == XK_ALU_RI && x->reg == 7 && x->rm == 0 && x->imm == in->k;
	}
	if (x->kind != XK_ALU_RR)
		return false;
	if (jset) /* test is symmetric */
		return x->op == 0x85 && ((x->reg == 1 && x->rm == 0) || (x->reg == 0 && x->rm == 1));
	return x->op == 0x39 && x->reg == 1 && x->rm == 0; /* cmp eax, ecx */
}

/* Where a transfer sends control: to native code, or out of the filter with
 * a value (a RET copy or a select). */
enum dest_how { TO_NONE, TO_CODE, TO_RET_K, TO_RET_A, TO_SELECT };

struct dest {
	enum dest_how how;
	int64_t off;     /* TO_CODE: the native target */
	uint32_t k;      /* TO_RET_K: the value; TO_SELECT: the value if cc fails */
	uint32_t k_true; /* TO_SELECT: the value if cc holds */
	uint8_t cc;      /* TO_SELECT: the cmov condition */
};

/* Is xs[i, end) exactly the exit sequence: [add rsp, F;] ret?  (The value
 * of F in add rsp is checked per instruction, in check 5.) */
static bool is_exit(const struct xinsn *xs, size_t i, size_t end, unsigned frame)
{
	if (frame)
		return end - i == 2 && xs[i].kind == XK_ADD_RSP && xs[i + 1].kind == XK_RET;
	return end - i == 1 && xs[i].kind == XK_RET;
}

static bool is_mov_imm(const struct xinsn *x, unsigned r)
{
	return x->kind == XK_MOV_RI && x->rm == r;
}

/* Parse xs[i, end), i < end, as exactly one final transfer:
 *   jmp rel                                            TO_CODE
 *   mov eax, k; exit                                   TO_RET_K k
 *   exit                                               TO_RET_A (eax untouched)
 *   mov edx, kt; mov eax, kf; cmovcc eax, edx; exit    TO_SELECT (if select)
 * Anything else, or anything left after it, is refused (false). */
static bool final_transfer(const struct xinsn *xs, size_t i, size_t end, unsigned frame, bool select,
			   struct dest *out)
{
	if (i >= end)
		return false;
	if (end - i == 1 && xs[i].kind == XK_JMP) {
		*out = (struct dest){ .how = TO_CODE, .off = xs[i].target };
		return true;
	}
	if (is_exit(xs, i, end, frame)) {
		*out = (struct dest){ .how = TO_RET_A };
		return true;
	}
	if (is_mov_imm(&xs[i], 0) && is_exit(xs, i + 1, end, frame)) {
		*out = (struct dest){ .how = TO_RET_K, .k = xs[i].imm };
		return true;
	}
	if (select && end - i > 3 && is_mov_imm(&xs[i], 2) && is_mov_imm(&xs[i + 1], 0) &&
	    xs[i + 2].kind == XK_CMOV && xs[i + 2].reg == 0 && xs[i + 2].rm == 2 &&
	    is_exit(xs, i + 3, end, frame)) {
		*out = (struct dest){
			.how = TO_SELECT, .k = xs[i + 1].imm, .k_true = xs[i].imm, .cc = xs[i + 2].cc
		};
		return true;
	}
	return false;
}

/* Does d do what jumping to BPF instruction want does?  TO_CODE: it lands
 * on the first byte of want's code.  Otherwise want must be a RET and d
 * must return the same: RET K the same constant (a select the value chosen
 * by holds), RET A the untouched eax. */
static bool dest_reaches(const struct dest *d, bool holds, const jitk_insn *insns, size_t n,
			 const uint32_t *offs, size_t want)
{
	if (want >= n)
		return false;
	int op = insn_op_of(insns[want].code);
	switch (d->how) {
	case TO_CODE: return d->off == (int64_t)offs[want];
	case TO_RET_K: return op == INSN_RET_K && d->k == insns[want].k;
	case TO_SELECT: return op == INSN_RET_K && (holds ? d->k_true : d->k) == insns[want].k;
	case TO_RET_A: return op == INSN_RET_A;
	default: return false;
	}
}

/* The image under check and what the checks learn about it, in order. */
struct image {
	const jitk_insn *insns;
	size_t n;
	const uint8_t *code;
	size_t len;
	const uint32_t *offs;
	jitk_diag *d;
	uint32_t *at;     /* at[p] = 1 + index of the instruction starting at byte p, or 0 */
	struct xinsn *xs; /* the decoded instructions (at most one per byte) */
	size_t m;         /* ... how many (check 1) */
	size_t np;        /* prologue instructions (check 3) */
	unsigned frame;   /* stack frame bytes, 0 without a frame (check 3) */
	size_t t0, nexit; /* first trailer instruction, exit length (check 4) */
};

#define FAIL(pc, rule, ...) return diag_insn(d, JITK_E_JIT, (long)(pc), rule, __VA_ARGS__)

/* The arguments and the offset table itself: strictly increasing, inside
 * the image. */
static jitk_err check_table(size_t n, size_t len, const uint32_t *offs, size_t noffs, jitk_diag *d)
{
	if (n == 0 || n > JITK_MAXINSNS)
		return diag_insn(d, JITK_E_JIT, -1, "length", "program of %zu instructions", n);
	if (noffs != n + 1)
		return diag_insn(d, JITK_E_JIT, -1, "offset-table",
				 "offset table has %zu entries, expected %zu", noffs, n + 1);
	if (len == 0 || len > JIT_CHECK_MAX_IMAGE)
		return diag_insn(d, JITK_E_JIT, -1, "image-size", "image of %zu bytes", len);
	for (size_t i = 0; i < n; i++)
		if (offs[i] >= offs[i + 1])
			return diag_insn(d, JITK_E_JIT, (long)i, "offset-table",
					 "offset table not increasing at %zu (%u >= %u)", i, offs[i],
					 offs[i + 1]);
	if (offs[0] == 0 || offs[n] >= len)
		return diag_insn(d, JITK_E_JIT, -1, "offset-table",
				 "offset table [%u, %u] outside the image of %zu bytes", offs[0], offs[n],
				 len);
	return JITK_OK;
}

/* 1. Contiguous decoding from 0 to exactly len. */
static jitk_err check_decode(struct image *im)
{
	size_t n = im->n;
	const uint32_t *offs = im->offs;
	const uint8_t *code = im->code;
	size_t len = im->len;
	uint32_t *at = im->at;
	struct xinsn *xs = im->xs;
	jitk_diag *d = im->d;
	size_t m = 0;
	size_t pos = 0;
	/* Owner of the byte being decoded: -1 prologue, 0..n-1 BPF, n trailer. */
	long owner = -1;
	while (pos < len) {
		while ((size_t)(owner + 1) <= n && pos >= offs[owner + 1])
			owner++;
		struct xinsn *x = &xs[m];
		*x = (struct xinsn){ .pos = pos };
		int r = decode(code + pos, len - pos, x);
		if (r == DEC_TRUNC)
			FAIL(owner < (long)n ? owner : -1, "truncated",
			     "native offset 0x%zx: instruction runs past the end of the image", pos);
		if (r != DEC_OK)
			FAIL(owner < (long)n ? owner : -1, "native-opcode",
			     "native offset 0x%zx: byte 0x%02x starts an instruction outside the JIT's subset",
			     pos, code[pos]);
		if (x->kind == XK_JMP || x->kind == XK_JCC)
			x->target += (int64_t)pos;
		at[pos] = (uint32_t)(m + 1);
		m++;
		pos += x->len;
	}
	im->m = m;
	return JITK_OK;
}

/* 2. Every claimed start is an instruction boundary. */
static jitk_err check_boundaries(struct image *im)
{
	size_t n = im->n;
	const uint32_t *offs = im->offs;
	uint32_t *at = im->at;
	jitk_diag *d = im->d;
	for (size_t i = 0; i <= n; i++)
		if (!at[offs[i]])
			FAIL(i < n ? (long)i : -1, "boundary",
			     "offset table entry %zu (0x%x) is inside an instruction", i, offs[i]);
	return JITK_OK;
}

/* 3. Prologue: [sub rsp, F;] xor eax, eax; xor ecx, ecx; nothing else.
 * Without the sub there is no frame (F = 0): such an image may not
 * touch the stack at all (every [rsp + d] lies outside an empty frame,
 * and add rsp is refused below). */
static jitk_err check_prologue(struct image *im)
{
	const uint32_t *offs = im->offs;
	uint32_t *at = im->at;
	struct xinsn *xs = im->xs;
	jitk_diag *d = im->d;
	size_t m = im->m;
	size_t np = xs[0].kind == XK_SUB_RSP ? 3 : 2; /* prologue instructions */
	unsigned frame = np == 3 ? xs[0].imm : 0;
	if (m < np + 1 || !is_xor_self(&xs[np - 2], 0) || !is_xor_self(&xs[np - 1], 1) ||
	    at[offs[0]] != np + 1)
		FAIL(-1, "prologue", "prologue is not: [sub rsp, F;] xor eax, eax; xor ecx, ecx");
	if (np == 3 && (frame == 0 || frame > JIT_CHECK_MAX_FRAME || frame % 4))
		FAIL(-1, "frame", "stack frame of %d bytes (1 to %u, a multiple of 4)", (int)frame,
		     JIT_CHECK_MAX_FRAME);
	im->np = np;
	im->frame = frame;
	return JITK_OK;
}

/* 4. Trailer: xor eax, eax; [add rsp, F;] ret, ending the image. */
static jitk_err check_trailer(struct image *im)
{
	size_t n = im->n;
	const uint32_t *offs = im->offs;
	uint32_t *at = im->at;
	struct xinsn *xs = im->xs;
	jitk_diag *d = im->d;
	size_t m = im->m;
	unsigned frame = im->frame;
	size_t t0 = at[offs[n]] - 1;
	size_t nexit = frame ? 2 : 1; /* [add rsp, F;] ret */
	if (m - t0 != 1 + nexit || !is_xor_self(&xs[t0], 0) || (frame && xs[t0 + 1].kind != XK_ADD_RSP) ||
	    xs[m - 1].kind != XK_RET)
		FAIL(-1, "trailer", "trailer at 0x%x is not: xor eax, eax; %sret", offs[n],
		     frame ? "add rsp, F; " : "");
	im->t0 = t0;
	im->nexit = nexit;
	return JITK_OK;
}

/* 5. Per instruction. */
static jitk_err check_each_insn(struct image *im)
{
	const jitk_insn *insns = im->insns;
	size_t n = im->n;
	const uint32_t *offs = im->offs;
	size_t len = im->len;
	uint32_t *at = im->at;
	struct xinsn *xs = im->xs;
	jitk_diag *d = im->d;
	size_t m = im->m, np = im->np, t0 = im->t0;
	unsigned frame = im->frame;
	size_t pc = 0; /* BPF owner of xs[i] for np <= i < t0 */
	for (size_t i = 0; i < m; i++) {
		const struct xinsn *x = &xs[i];
		long own;
		if (i < np) {
			own = -1;
		} else if (i >= t0) {
			own = (long)n;
		} else {
			while (x->pos >= offs[pc + 1])
				pc++;
			own = (long)pc;
		}
		long dpc = own >= 0 && own < (long)n ? own : -1;
		size_t first = own < 0 ? 0 : at[offs[own]] - 1; /* first insn of the owner */
		switch (x->kind) {
		case XK_SUB_RSP:
			if (i != 0)
				FAIL(dpc, "frame", "native offset 0x%zx: rsp changed after the prologue",
				     x->pos);
			break;
		case XK_ADD_RSP:
			if (frame == 0 || x->imm != frame || i + 1 >= m || xs[i + 1].kind != XK_RET)
				FAIL(dpc, "frame",
				     "native offset 0x%zx: add rsp, %d is not the release of a %u-byte frame before ret",
				     x->pos, (int)x->imm, frame);
			break;
		case XK_RET:
			if (frame && (i == 0 || xs[i - 1].kind != XK_ADD_RSP))
				FAIL(dpc, "frame", "native offset 0x%zx: ret without releasing the frame",
				     x->pos);
			/* In a jump's code a ret may only end a RET copy or a
			 * select; check 7 parses the whole code of every jump. */
			if (own != (long)n &&
			    (own < 0 || !(INSN_IS_RET(insns[own].code) || INSN_IS_JUMP(insns[own].code))))
				FAIL(dpc, "ret",
				     "native offset 0x%zx: ret in the code of an instruction that neither returns nor jumps",
				     x->pos);
			break;
		case XK_CMOV:
			if (dpc < 0 || !INSN_IS_COND(insns[own].code))
				FAIL(dpc, "select",
				     "native offset 0x%zx: cmov outside the code of a conditional jump",
				     x->pos);
			break;
		case XK_LOAD_STACK:
		case XK_STORE_STACK:
			if (x->disp < 0 || (unsigned)x->disp + 4 > frame)
				FAIL(dpc, "stack-access",
				     "native offset 0x%zx: [rsp%+d] outside the %u-byte frame", x->pos,
				     x->disp, frame);
			break;
		case XK_LOAD_CTX:
			if (x->disp < 0 || (unsigned)x->disp + 4 > SECCOMP_DATA_SIZE)
				FAIL(dpc, "ctx-access",
				     "native offset 0x%zx: [rdi%+d] outside struct seccomp_data", x->pos,
				     x->disp);
			break;
		case XK_DIV: {
			/* The guard must sit in the same BPF instruction's code, so no
			 * branch can enter between it and the div. */
			bool ok = dpc >= 0 && i >= first + 2 && is_xor_self(&xs[i - 1], 2);
			if (ok && x->rm == 6) {
				ok = xs[i - 2].kind == XK_MOV_RI && xs[i - 2].rm == 6 && xs[i - 2].imm != 0;
			} else if (ok && x->rm == 1) {
				ok = i >= first + 3 && xs[i - 2].kind == XK_JCC && xs[i - 2].cc == 0x4 &&
				     xs[i - 2].target == (int64_t)offs[n] && xs[i - 3].kind == XK_ALU_RR &&
				     xs[i - 3].op == 0x85 && xs[i - 3].reg == 1 && xs[i - 3].rm == 1;
			} else {
				ok = false;
			}
			if (!ok)
				FAIL(dpc, "div-guard",
				     "native offset 0x%zx: div without its zero-divisor guard", x->pos);
			break;
		}
		case XK_JMP:
		case XK_JCC: {
			int64_t tgt = x->target;
			if (tgt < (int64_t)(x->pos + x->len) || tgt >= (int64_t)len)
				FAIL(dpc, "branch-target",
				     "native offset 0x%zx: branch to 0x%llx is backward or outside the image",
				     x->pos, (long long)tgt);
			if (dpc < 0)
				FAIL(dpc, "branch-target",
				     "native offset 0x%zx: branch in the prologue or trailer", x->pos);
			bool ok = false;
			int op = insn_op_of(insns[pc].code);
			if (op == INSN_DIV_X) {
				ok = tgt == (int64_t)offs[n];
			} else if (op >= 0 && INSN_IS_JUMP(insns[pc].code)) {
				/* The BPF successors of pc, mapped through the table. */
				uint64_t cand[2];
				size_t nc = 0;
				if (!INSN_IS_COND(insns[pc].code)) {
					cand[nc++] = (uint64_t)pc + 1 + insns[pc].k;
				} else {
					cand[nc++] = pc + 1 + insns[pc].jt;
					cand[nc++] = pc + 1 + insns[pc].jf;
				}
				for (size_t c = 0; c < nc; c++)
					if (cand[c] < n && tgt == (int64_t)offs[cand[c]])
						ok = true;
			}
			if (!ok)
				FAIL(dpc, "branch-target",
				     "native offset 0x%zx: branch to 0x%llx is not the code of a BPF target of instruction %zu",
				     x->pos, (long long)tgt, pc);
			break;
		}
		default: break;
		}
	}
	return JITK_OK;
}

/* 6. Fall-through between BPF instructions follows the BPF graph: the
 * last native instruction of pc either ends control (ret, jmp) or
 * continues into pc + 1, which must then be a BPF successor of pc. */
static jitk_err check_fallthrough(struct image *im)
{
	const jitk_insn *insns = im->insns;
	size_t n = im->n;
	const uint32_t *offs = im->offs;
	uint32_t *at = im->at;
	struct xinsn *xs = im->xs;
	jitk_diag *d = im->d;
	for (size_t p = 0; p < n; p++) {
		const struct xinsn *last = &xs[at[offs[p + 1]] - 2];
		if (last->kind == XK_RET || last->kind == XK_JMP)
			continue;
		if (p + 1 >= n || !bpf_succ(&insns[p], p, p + 1))
			FAIL(p, "fallthrough",
			     "native offset 0x%zx: the code of instruction %zu falls through into %s",
			     last->pos, p, p + 1 >= n ? "the trailer" : "a non-successor");
	}
	return JITK_OK;
}

/* 7. Shapes and decisions.  The code of a RET is exactly its return.
 * The whole code of every jump is parsed: an unconditional one (JA, or
 * jt == jf) is one transfer to its target; a conditional one is the
 * compare followed by jcc's and at most one final transfer (jmp, RET
 * copy or select), and for each outcome of the compare the first
 * transfer taken (or the fall-through) must go to the right target or
 * return exactly what that target (a RET) returns. */
static jitk_err check_shapes(struct image *im)
{
	const jitk_insn *insns = im->insns;
	size_t n = im->n;
	const uint32_t *offs = im->offs;
	uint32_t *at = im->at;
	struct xinsn *xs = im->xs;
	jitk_diag *d = im->d;
	unsigned frame = im->frame;
	size_t nexit = im->nexit;
	for (size_t p = 0; p < n; p++) {
		const jitk_insn *in = &insns[p];
		int op = insn_op_of(in->code);
		size_t first = at[offs[p]] - 1, end = at[offs[p + 1]] - 1; /* [first, end) */
		if (op == INSN_RET_K || op == INSN_RET_A) {
			struct dest got;
			if (!final_transfer(xs, first, end, frame, false, &got) || got.how == TO_CODE ||
			    !dest_reaches(&got, 0, insns, n, offs, p))
				FAIL(p, "ret-value",
				     "native offset 0x%x: RET %s is not translated to %s%sret", offs[p],
				     op == INSN_RET_K ? "K" : "A", op == INSN_RET_K ? "mov eax, k; " : "",
				     frame ? "add rsp, F; " : "");
			continue;
		}
		if (op < 0 || !INSN_IS_JUMP(in->code))
			continue;
		if (!INSN_IS_COND(in->code) || in->jt == in->jf) {
			size_t want = INSN_IS_COND(in->code) ? p + 1 + in->jt : (size_t)(p + 1 + in->k);
			struct dest got;
			if (!final_transfer(xs, first, end, frame, false, &got) ||
			    !dest_reaches(&got, 0, insns, n, offs, want))
				FAIL(p, "jump-shape",
				     "native offset 0x%x: the jump is not exactly one jmp to, or a copy of, instruction %zu",
				     offs[p], want);
			continue;
		}
		int tcc = bpf_true_cc(op);
		if (!is_bpf_compare(&xs[first], in, op))
			FAIL(p, "branch-cond",
			     "native offset 0x%x: the jump does not start with the compare of A and %s",
			     offs[p], BPF_SRC(in->code) == BPF_K ? "k" : "X");
		/* Structure: jcc* [final transfer], covering [first + 1, end). */
		size_t tail = first + 1;
		while (tail < end && xs[tail].kind == XK_JCC) {
			if (xs[tail].cc != tcc && xs[tail].cc != (tcc ^ 1))
				FAIL(p, "branch-cond",
				     "native offset 0x%zx: condition code 0x%x does not test this jump",
				     xs[tail].pos, xs[tail].cc);
			tail++;
		}
		struct dest fin = { .how = TO_NONE };
		if (tail < end && !final_transfer(xs, tail, end, frame, true, &fin))
			FAIL(p, "branch-cond",
			     "native offset 0x%zx: only branches and one final jmp, RET copy or select may follow the compare",
			     xs[tail].pos);
		if (fin.how == TO_SELECT && fin.cc != tcc && fin.cc != (tcc ^ 1))
			FAIL(p, "select", "native offset 0x%zx: cmov condition 0x%x does not test this jump",
			     xs[end - nexit - 1].pos, fin.cc);
		for (int v = 0; v <= 1; v++) { /* v: the BPF condition holds */
			size_t want = p + 1 + (v ? in->jt : in->jf);
			struct dest got = { .how = TO_CODE, .off = offs[p + 1] }; /* falls through */
			bool taken = false;
			for (size_t i = first + 1; i < tail && !taken; i++)
				if ((xs[i].cc == tcc) == (v == 1)) {
					got = (struct dest){ .how = TO_CODE, .off = xs[i].target };
					taken = true;
				}
			if (!taken && fin.how != TO_NONE)
				got = fin;
			/* A select's cmov moves edx when its condition holds. */
			bool holds = got.how == TO_SELECT && (got.cc == tcc) == (v == 1);
			if (!dest_reaches(&got, holds, insns, n, offs, want))
				FAIL(p, "branch-cond",
				     "native offset 0x%x: when the condition is %s, control does not reach or return like instruction %zu",
				     offs[p], v ? "true" : "false", want);
		}
	}
	return JITK_OK;
}

#undef FAIL

jitk_err jit_check_image(const jitk_insn *insns, size_t n, const uint8_t *code, size_t len,
			 const uint32_t *offs, size_t noffs, struct jit_check_info *info, jitk_diag *d)
{
	if (!insns || !code || !offs)
		return diag_err(d, JITK_E_INVAL, "NULL argument");
	jitk_err err = check_table(n, len, offs, noffs, d);
	if (err)
		return err;
	struct image im = { .insns = insns, .n = n, .code = code, .len = len, .offs = offs, .d = d };
	im.at = calloc(len + 1, sizeof *im.at);
	im.xs = calloc(len, sizeof *im.xs);
	if (!im.at || !im.xs)
		err = diag_err(d, JITK_E_NOMEM, "out of memory");
	/* In this order: each check relies on the ones before it (the
	 * decoding, the prologue and trailer bounds). */
	if (!err)
		err = check_decode(&im);
	if (!err)
		err = check_boundaries(&im);
	if (!err)
		err = check_prologue(&im);
	if (!err)
		err = check_trailer(&im);
	if (!err)
		err = check_each_insn(&im);
	if (!err)
		err = check_fallthrough(&im);
	if (!err)
		err = check_shapes(&im);
	if (!err && info) {
		info->native_insns = im.m;
		info->frame = im.frame;
	}
	free(im.at);
	free(im.xs);
	return err;
}

int jit_decode(const uint8_t *c, size_t avail, struct xinsn *x)
{
	int r = decode(c, avail, x);
	return r == DEC_OK ? JIT_DEC_OK : r == DEC_TRUNC ? JIT_DEC_TRUNC : JIT_DEC_BAD;
}
