/*
 * smt_x86.c - the x86-64 semantics of a JIT image as a Z3 term (contract
 * and machine model in smt_x86.h).
 *
 * TRUSTED BASE: deliberately plain.  The bytes are decoded with the
 * validator's decoder (jit_decode), then executed symbolically in address
 * order.  Branches only go forward, so, as in smt_bpf.c, each instruction
 * holds the state in which control can arrive there (a path guard and the
 * registers, flags and frame as terms); an edge into an instruction merges
 * with ite(guard, new, old), exact because the guards of different edges
 * are disjoint.  The result is an ite chain over the ret points.
 *
 * Each instruction's meaning follows the Intel SDM vol. 2 page named in
 * its case below; the operand conventions are the decoder's (jit_check.h):
 * for the 01/09/21/29/31/39/85/89 forms the destination is ModRM.rm and
 * the source ModRM.reg; for imul (69, 0F AF) and cmov the destination is
 * ModRM.reg; for B8+r the register is in x->rm.
 */
#include "diag.h"
#include "jit_check.h"
#include "smt.h"
#include "smt_x86.h"

#include <stdio.h>
#include <stdlib.h>

/* CF and ZF, kept as what set them so that a condition code becomes the
 * predicate it means after that instruction (smt_x86.h):
 *   FL_CMP   cmp/sub a, b:         CF = a <u b,  ZF = a == b
 *   FL_LOGIC test/and/or/xor -> r: CF = 0,       ZF = r == 0
 *   FL_BITS  anything else known:  CF = cf,      ZF = zf (predicates)
 *   FL_NONE  unknown (undefined by the SDM, or not tracked) */
enum flkind { FL_NONE, FL_CMP, FL_LOGIC, FL_BITS };
struct xflags {
	enum flkind kind;
	Z3_ast a, b; /* FL_CMP: a, b; FL_LOGIC: r in a; FL_BITS: cf in a, zf in b */
};

/* The state in which control arrives at one instruction. */
struct xstate {
	Z3_ast g;                 /* path guard */
	Z3_ast r[SMT_X86_NREGS];  /* eax, ecx, edx, esi */
	struct xflags fl;         /* CF and ZF */
	unsigned depth;           /* bytes rsp is below its entry value */
	Z3_ast m[SMT_X86_NCELLS]; /* frame cells (valid below depth) */
};

struct xctx {
	Z3_context c;
	Z3_sort bv32;
	const struct smt_input *in;
	struct smt_x86 *out;
	struct xinsn *xs;
	size_t n;
	uint32_t *at;       /* at[pos] = 1 + index of the insn at pos, or 0 */
	struct xstate **st; /* one per instruction, NULL: not reached yet */
	Z3_ast *rg, *rv;    /* ret points: guard, eax */
	size_t nret;
	Z3_ast fault;
	jitk_diag *d;
};

/* ModRM register number -> state slot; the decoder admits only these. */
static int slot(unsigned r)
{
	switch (r) {
	case 0: return 0; /* eax */
	case 1: return 1; /* ecx */
	case 2: return 2; /* edx */
	case 6: return 3; /* esi */
	default: return -1;
	}
}

static Z3_ast bv(struct xctx *x, uint32_t k)
{
	return Z3_mk_unsigned_int(x->c, k, x->bv32);
}

static Z3_ast and2(Z3_context c, Z3_ast p, Z3_ast q)
{
	Z3_ast a[2] = { p, q };
	return Z3_mk_and(c, 2, a);
}

static Z3_ast or2(Z3_context c, Z3_ast p, Z3_ast q)
{
	Z3_ast a[2] = { p, q };
	return Z3_mk_or(c, 2, a);
}

static Z3_ast is_zero(struct xctx *x, Z3_ast v)
{
	return Z3_mk_eq(x->c, v, bv(x, 0));
}

/* ite(g, t, e); NULL if either side is unknown. */
static Z3_ast sel(Z3_context c, Z3_ast g, Z3_ast t, Z3_ast e)
{
	if (!t || !e)
		return NULL;
	if (Z3_is_eq_ast(c, t, e))
		return t;
	return Z3_mk_ite(c, g, t, e);
}

#define REFUSE(x, pos, ...) \
	diag_insn((x)->d, JITK_E_JIT, -1, "x86-semantics", "native offset 0x%zx: " __VA_ARGS__)

static struct xflags flags_merge(struct xctx *x, Z3_ast g, const struct xflags *n, const struct xflags *o);

/* Control reaches instruction at byte offset `to` in state s with guard g. */
static jitk_err edge(struct xctx *x, size_t from_pos, int64_t to, const struct xstate *s, Z3_ast g)
{
	Z3_context c = x->c;
	size_t len = x->xs[x->n - 1].pos + x->xs[x->n - 1].len;
	if (to < 0 || (uint64_t)to >= len)
		return REFUSE(x, from_pos, "control leaves the image (to 0x%llx)", from_pos, (long long)to);
	if (!x->at[to])
		return REFUSE(x, from_pos, "branch to 0x%llx, inside an instruction", from_pos,
			      (long long)to);
	size_t t = x->at[to] - 1;
	struct xstate *ts = x->st[t];
	if (!ts) {
		ts = malloc(sizeof *ts);
		if (!ts)
			return diag_err(x->d, JITK_E_NOMEM, "out of memory");
		*ts = *s;
		ts->g = g;
		x->st[t] = ts;
		return JITK_OK;
	}
	if (ts->depth != s->depth)
		return REFUSE(x, from_pos,
			      "paths meet at 0x%llx with rsp %u and %u bytes below its entry value",
			      from_pos, (long long)to, ts->depth, s->depth);
	for (unsigned i = 0; i < SMT_X86_NREGS; i++)
		ts->r[i] = sel(c, g, s->r[i], ts->r[i]);
	ts->fl = flags_merge(x, g, &s->fl, &ts->fl);
	for (unsigned i = 0; i < s->depth / 4; i++)
		ts->m[i] = sel(c, g, s->m[i], ts->m[i]);
	ts->g = or2(c, ts->g, g);
	return JITK_OK;
}

/* CF and ZF of f as predicates (the FL_BITS form); false if unknown. */
static bool flags_bits(struct xctx *x, const struct xflags *f, Z3_ast *cf, Z3_ast *zf)
{
	Z3_context c = x->c;
	switch (f->kind) {
	case FL_CMP:
		*cf = Z3_mk_bvult(c, f->a, f->b);
		*zf = Z3_mk_eq(c, f->a, f->b);
		return true;
	case FL_LOGIC:
		*cf = Z3_mk_false(c);
		*zf = is_zero(x, f->a);
		return true;
	case FL_BITS:
		*cf = f->a;
		*zf = f->b;
		return true;
	default: return false;
	}
}

/* The flags after a merge: ite(g, n, o). */
static struct xflags flags_merge(struct xctx *x, Z3_ast g, const struct xflags *n, const struct xflags *o)
{
	Z3_context c = x->c;
	if (n->kind == o->kind && n->kind != FL_NONE && Z3_is_eq_ast(c, n->a, o->a) &&
	    (n->kind == FL_LOGIC || Z3_is_eq_ast(c, n->b, o->b)))
		return *n;
	Z3_ast ncf, nzf, ocf, ozf;
	if (!flags_bits(x, n, &ncf, &nzf) || !flags_bits(x, o, &ocf, &ozf))
		return (struct xflags){ .kind = FL_NONE };
	return (struct xflags){ .kind = FL_BITS, .a = sel(c, g, ncf, ocf), .b = sel(c, g, nzf, ozf) };
}

/* The predicate condition code cc (0x2..0x7, the low nibble of 7x / 0F 8x
 * / 0F 4x) means (SDM vol. 1 B.1, "Condition Codes"): b CF, ae !CF, e ZF,
 * ne !ZF, be CF | ZF, a !CF & !ZF; after a compare of a with b these are
 * a <u b, a >=u b, a == b, a != b, a <=u b, a >u b.  NULL if the flags are
 * unknown.
 *
 * After a compare each is written with only ==, >=u and >u and their
 * negations (a <u b as !(a >=u b), a <=u b as !(a >u b)): exact
 * identities, chosen so that a branch and its negated twin (jbe where the
 * filter says jgt, with the two targets swapped) give the same terms as
 * smt_bpf's conditions, whose path guards and merged values Z3 then shares
 * instead of having to prove them equal (docs/verify.md, "The per-image
 * proof"). */
static Z3_ast cond(struct xctx *x, const struct xstate *s, unsigned cc)
{
	Z3_context c = x->c;
	const struct xflags *f = &s->fl;
	if (cc < 0x2 || cc > 0x7)
		return NULL;
	if (f->kind == FL_CMP) {
		switch (cc) {
		case 0x2: return Z3_mk_not(c, Z3_mk_bvuge(c, f->a, f->b));
		case 0x3: return Z3_mk_bvuge(c, f->a, f->b);
		case 0x4: return Z3_mk_eq(c, f->a, f->b);
		case 0x5: return Z3_mk_not(c, Z3_mk_eq(c, f->a, f->b));
		case 0x6: return Z3_mk_not(c, Z3_mk_bvugt(c, f->a, f->b));
		default: return Z3_mk_bvugt(c, f->a, f->b);
		}
	}
	if (f->kind == FL_LOGIC) {
		switch (cc) {
		case 0x2: return Z3_mk_false(c);
		case 0x3: return Z3_mk_true(c);
		case 0x4:
		case 0x6: return is_zero(x, f->a);
		default: return Z3_mk_not(c, is_zero(x, f->a));
		}
	}
	Z3_ast cf, zf;
	if (!flags_bits(x, f, &cf, &zf))
		return NULL;
	switch (cc) {
	case 0x2: return cf;
	case 0x3: return Z3_mk_not(c, cf);
	case 0x4: return zf;
	case 0x5: return Z3_mk_not(c, zf);
	case 0x6: return or2(c, cf, zf);
	default: return and2(c, Z3_mk_not(c, cf), Z3_mk_not(c, zf));
	}
}

/* The flags of a logical result (AND/OR/XOR/TEST: CF = OF = 0, ZF by the
 * result). */
static void flags_logic(struct xstate *s, Z3_ast res)
{
	s->fl = (struct xflags){ .kind = FL_LOGIC, .a = res };
}

/* The flags of a - b (SUB/CMP: CF is the borrow, a <u b; ZF a == b). */
static void flags_sub(struct xstate *s, Z3_ast a, Z3_ast b)
{
	s->fl = (struct xflags){ .kind = FL_CMP, .a = a, .b = b };
}

static void flags_bits_set(struct xstate *s, Z3_ast cf, Z3_ast zf)
{
	s->fl = (struct xflags){ .kind = FL_BITS, .a = cf, .b = zf };
}

static void flags_unknown(struct xstate *s)
{
	s->fl = (struct xflags){ .kind = FL_NONE };
}

/* One ALU operation of the 01..39 / 81 / 83 groups by its /digit
 * (0 add, 1 or, 4 and, 5 sub, 6 xor, 7 cmp): dst op= src.  self: the
 * source is the destination register itself.  Returns false for a digit
 * outside the subset. */
static bool alu(struct xctx *x, struct xstate *s, unsigned digit, int dst, Z3_ast src, bool self)
{
	Z3_context c = x->c;
	Z3_ast a = s->r[dst], r;
	/* A register with itself: x ^ x = x - x = 0, x & x = x | x = x.  Exact
	 * identities, applied here so that the zeroing idiom gives the
	 * constant the filter's encoding has.  Only for the same register:
	 * two registers that merely hold the same term (A and X after tax)
	 * keep the operation, as smt_bpf keeps A & X, so that the two
	 * encodings stay the same terms. */
	if (self && (digit == 5 || digit == 6)) {
		s->r[dst] = bv(x, 0);
		if (digit == 6)
			flags_logic(s, s->r[dst]);
		else
			flags_sub(s, a, src);
		return true;
	}
	if (self && (digit == 1 || digit == 4)) {
		flags_logic(s, a);
		return true;
	}
	switch (digit) {
	case 0: /* ADD: CF is the carry out of bit 31 */
		r = Z3_mk_bvadd(c, a, src);
		flags_bits_set(s, Z3_mk_bvult(c, r, a), is_zero(x, r));
		s->r[dst] = r;
		return true;
	case 1: /* OR */
		r = Z3_mk_bvor(c, a, src);
		flags_logic(s, r);
		s->r[dst] = r;
		return true;
	case 4: /* AND */
		r = Z3_mk_bvand(c, a, src);
		flags_logic(s, r);
		s->r[dst] = r;
		return true;
	case 5: /* SUB */
		flags_sub(s, a, src);
		s->r[dst] = Z3_mk_bvsub(c, a, src);
		return true;
	case 6: /* XOR */
		r = Z3_mk_bvxor(c, a, src);
		flags_logic(s, r);
		s->r[dst] = r;
		return true;
	case 7: /* CMP: flags of a - src, no write */ flags_sub(s, a, src); return true;
	default: return false;
	}
}

/* The /digit of an 01/09/21/29/31/39 opcode byte (00-3F: digit = op >> 3). */
static unsigned rr_digit(uint8_t op)
{
	return op >> 3;
}

/* Byte i (0..63) of the input, from smt.h's little-endian word map. */
static Z3_ast in_byte(struct xctx *x, unsigned i)
{
	unsigned lo = 8 * (i % 4);
	return Z3_mk_extract(x->c, lo + 7, lo, x->in->w[i / 4]);
}

/* Execute instruction i in its arrival state s (modified in place). */
static jitk_err step(struct xctx *x, size_t i, struct xstate *s)
{
	Z3_context c = x->c;
	const struct xinsn *xi = &x->xs[i];
	size_t pos = xi->pos, next = pos + xi->len;
	int rm = slot(xi->rm), reg = slot(xi->reg);
	switch (xi->kind) {
	case XK_SUB_RSP: { /* SUB r/m64, imm8 (sign-extended): the frame */
		int32_t f = (int32_t)xi->imm;
		if (s->depth != 0 || f <= 0 || f > (int32_t)SMT_X86_MAX_FRAME || f % 4)
			return REFUSE(
				x, pos,
				"sub rsp, %d: only one frame of 4 to %u bytes (a multiple of 4) at entry depth",
				pos, f, SMT_X86_MAX_FRAME);
		s->depth = (unsigned)f;
		for (unsigned k = 0; k < SMT_X86_NCELLS; k++)
			s->m[k] = x->out->init[SMT_X86_NREGS + k];
		if (x->out->frame && x->out->frame != (unsigned)f)
			return REFUSE(x, pos, "a second frame size", pos);
		x->out->frame = (unsigned)f;
		flags_unknown(s); /* flags of rsp - F: rsp is unknown */
		break;
	}
	case XK_ADD_RSP: /* ADD r/m64, imm8: release the frame */
		if ((int32_t)xi->imm <= 0 || xi->imm != s->depth)
			return REFUSE(x, pos, "add rsp, %d does not release the %u-byte frame", pos,
				      (int)(int32_t)xi->imm, s->depth);
		s->depth = 0;
		flags_unknown(s);
		break;
	case XK_RET: /* RET (near): returns eax to the caller */
		if (s->depth != 0)
			return REFUSE(x, pos, "ret with rsp %u bytes below its entry value", pos, s->depth);
		x->rg[x->nret] = s->g;
		x->rv[x->nret] = s->r[0];
		x->nret++;
		return JITK_OK;
	case XK_MOV_RI: /* MOV r32, imm32 (B8+rd id) */ s->r[rm] = bv(x, xi->imm); break;
	case XK_ALU_RR:
		if (xi->op == 0x89) { /* MOV r/m32, r32 */
			s->r[rm] = s->r[reg];
		} else if (xi->op == 0x85) { /* TEST r/m32, r32 (r & r = r: the DIV guard's test) */
			flags_logic(s, rm == reg ? s->r[rm] : Z3_mk_bvand(c, s->r[rm], s->r[reg]));
		} else if (!alu(x, s, rr_digit(xi->op), rm, s->r[reg], rm == reg)) {
			return REFUSE(x, pos, "opcode 0x%02x not modelled", pos, xi->op);
		}
		break;
	case XK_ALU_RI: /* 81 /digit id, 83 /7 ib (imm already sign-extended) */
		if (!alu(x, s, xi->reg, rm, bv(x, xi->imm), false))
			return REFUSE(x, pos, "group-1 /%u not modelled", pos, xi->reg);
		break;
	case XK_TEST_RI: /* TEST r/m32, imm32 */
		flags_logic(s, Z3_mk_bvand(c, s->r[rm], bv(x, xi->imm)));
		break;
	case XK_NEG: { /* NEG r/m32: CF = (src != 0) */
		Z3_ast cf = Z3_mk_not(c, is_zero(x, s->r[rm]));
		s->r[rm] = Z3_mk_bvneg(c, s->r[rm]);
		flags_bits_set(s, cf, is_zero(x, s->r[rm]));
		break;
	}
	case XK_DIV: { /* DIV r/m32: EDX:EAX / src; #DE if src == 0 */
		Z3_ast src = s->r[rm];
		Z3_ast bad = or2(c, is_zero(x, src), Z3_mk_not(c, is_zero(x, s->r[2])));
		x->fault = or2(c, x->fault, and2(c, s->g, bad));
		Z3_ast q = Z3_mk_bvudiv(c, s->r[0], src), rem = Z3_mk_bvurem(c, s->r[0], src);
		s->r[0] = q;
		s->r[2] = rem;
		flags_unknown(s); /* undefined (SDM) */
		break;
	}
	case XK_IMUL_RRI: /* IMUL r32, r/m32, imm32: the low 32 bits */
		s->r[reg] = Z3_mk_bvmul(c, s->r[rm], bv(x, xi->imm));
		flags_unknown(s); /* ZF undefined (SDM) */
		break;
	case XK_IMUL_RR: /* IMUL r32, r/m32 */
		s->r[reg] = Z3_mk_bvmul(c, s->r[reg], s->r[rm]);
		flags_unknown(s);
		break;
	case XK_SHIFT_I: { /* SAL/SHR r/m32, imm8: count masked to 5 bits */
		unsigned n = xi->imm & 31;
		if (n == 0)
			break; /* count 0: nothing changes, flags included */
		Z3_ast a = s->r[rm];
		bool left = xi->reg == 4;
		Z3_ast r = left ? Z3_mk_bvshl(c, a, bv(x, n)) : Z3_mk_bvlshr(c, a, bv(x, n));
		/* CF is the last bit shifted out */
		unsigned bit = left ? 32 - n : n - 1;
		flags_bits_set(s,
			       Z3_mk_eq(c, Z3_mk_extract(c, bit, bit, a),
					Z3_mk_unsigned_int(c, 1, Z3_mk_bv_sort(c, 1))),
			       is_zero(x, r));
		s->r[rm] = r;
		break;
	}
	case XK_SHIFT_CL: { /* SAL/SHR r/m32, CL: count = ecx & 31 */
		Z3_ast n = Z3_mk_bvand(c, s->r[1], bv(x, 31));
		s->r[rm] = xi->reg == 4 ? Z3_mk_bvshl(c, s->r[rm], n) : Z3_mk_bvlshr(c, s->r[rm], n);
		flags_unknown(s); /* not tracked (unchanged if the count is 0) */
		break;
	}
	case XK_LOAD_STACK:
	case XK_STORE_STACK: /* MOV r32, [rsp + d8] / MOV [rsp + d8], r32 */
		if (xi->disp < 0 || xi->disp % 4 || (unsigned)xi->disp + 4 > s->depth)
			return REFUSE(x, pos, "[rsp%+d] is not a 4-byte cell of the %u-byte frame", pos,
				      xi->disp, s->depth);
		if (xi->kind == XK_LOAD_STACK)
			s->r[reg] = s->m[xi->disp / 4];
		else
			s->m[xi->disp / 4] = s->r[reg];
		break;
	case XK_LOAD_CTX: { /* MOV r32, [rdi + d8] */
		if (xi->disp < 0 || (unsigned)xi->disp + 4 > SMT_NWORDS * 4)
			return REFUSE(x, pos, "[rdi%+d] outside struct seccomp_data", pos, xi->disp);
		unsigned d8 = (unsigned)xi->disp;
		if (d8 % 4 == 0) {
			s->r[reg] = x->in->w[d8 / 4];
		} else {
			Z3_ast v = in_byte(x, d8 + 3);
			for (int k = 2; k >= 0; k--)
				v = Z3_mk_concat(c, v, in_byte(x, d8 + (unsigned)k));
			s->r[reg] = v;
		}
		break;
	}
	case XK_JMP: /* JMP rel8/rel32 */
		if (xi->target < (int64_t)next)
			return REFUSE(x, pos, "backward jmp", pos);
		return edge(x, pos, xi->target, s, s->g);
	case XK_JCC: { /* Jcc rel8/rel32 */
		Z3_ast p = cond(x, s, xi->cc);
		if (!p)
			return REFUSE(x, pos, "j%x reads flags this model leaves unknown", pos, xi->cc);
		if (xi->target < (int64_t)next)
			return REFUSE(x, pos, "backward jcc", pos);
		jitk_err err = edge(x, pos, xi->target, s, and2(c, s->g, p));
		if (err)
			return err;
		return edge(x, pos, (int64_t)next, s, and2(c, s->g, smt_neg(c, p)));
	}
	case XK_CMOV: { /* CMOVcc r32, r/m32 */
		Z3_ast p = cond(x, s, xi->cc);
		if (!p)
			return REFUSE(x, pos, "cmov reads flags this model leaves unknown", pos);
		s->r[reg] = Z3_mk_ite(c, p, s->r[rm], s->r[reg]);
		break;
	}
	default: return REFUSE(x, pos, "instruction not modelled", pos);
	}
	return edge(x, pos, (int64_t)next, s, s->g);
}

jitk_err smt_x86(Z3_context c, const uint8_t *code, size_t len, const struct smt_input *in,
		 struct smt_x86 *out, jitk_diag *d)
{
	if (!code || !in || !out)
		return diag_err(d, JITK_E_INVAL, "NULL argument");
	*out = (struct smt_x86){ 0 };
	if (len == 0 || len > JIT_CHECK_MAX_IMAGE)
		return diag_insn(d, JITK_E_JIT, -1, "image-size", "image of %zu bytes (1 to %u)", len,
				 JIT_CHECK_MAX_IMAGE);
	struct xctx x = { .c = c, .bv32 = Z3_mk_bv_sort(c, 32), .in = in, .out = out, .d = d };
	jitk_err err = JITK_OK;
	x.xs = calloc(len, sizeof *x.xs);
	x.at = calloc(len, sizeof *x.at);
	x.st = calloc(len, sizeof *x.st);
	x.rg = calloc(len, sizeof *x.rg);
	x.rv = calloc(len, sizeof *x.rv);
	if (!x.xs || !x.at || !x.st || !x.rg || !x.rv) {
		err = diag_err(d, JITK_E_NOMEM, "out of memory");
		goto out;
	}
	/* Decode all of it first: the first byte outside the subset is named
	 * even if no path reaches it. */
	for (size_t pos = 0; pos < len;) {
		struct xinsn *xi = &x.xs[x.n];
		*xi = (struct xinsn){ .pos = pos };
		int r = jit_decode(code + pos, len - pos, xi);
		if (r == JIT_DEC_TRUNC) {
			err = diag_insn(
				d, JITK_E_JIT, -1, "truncated",
				"native offset 0x%zx: instruction (byte 0x%02x) runs past the end of the %zu-byte image",
				pos, code[pos], len);
			goto out;
		}
		if (r != JIT_DEC_OK) {
			err = diag_insn(
				d, JITK_E_JIT, -1, "native-opcode",
				"native offset 0x%zx: byte 0x%02x does not start an instruction of the JIT's subset",
				pos, code[pos]);
			goto out;
		}
		if (xi->kind == XK_JMP || xi->kind == XK_JCC)
			xi->target += (int64_t)pos;
		x.at[pos] = (uint32_t)(x.n + 1);
		pos += xi->len;
		x.n++;
	}
	out->ninsns = x.n;
	static const char *const names[SMT_X86_NREGS] = { "eax0", "ecx0", "edx0", "esi0" };
	for (unsigned k = 0; k < SMT_X86_NREGS + SMT_X86_NCELLS; k++) {
		char nm[16];
		if (k < SMT_X86_NREGS)
			snprintf(nm, sizeof nm, "%s", names[k]);
		else
			snprintf(nm, sizeof nm, "cell%u", k - SMT_X86_NREGS);
		out->init[k] = Z3_mk_const(c, Z3_mk_string_symbol(c, nm), x.bv32);
	}
	x.fault = Z3_mk_false(c);
	struct xstate s0 = { .g = Z3_mk_true(c) };
	for (unsigned k = 0; k < SMT_X86_NREGS; k++)
		s0.r[k] = out->init[k];
	err = edge(&x, 0, 0, &s0, s0.g);
	for (size_t i = 0; !err && i < x.n; i++) {
		struct xstate *s = x.st[i];
		if (!s)
			continue; /* unreachable code: never runs */
		x.st[i] = NULL;
		err = step(&x, i, s);
		free(s);
	}
	if (!err && x.nret == 0)
		err = diag_insn(d, JITK_E_JIT, -1, "x86-semantics", "the image never returns");
	if (!err) {
		/* ite chain over the ret points: their guards are disjoint and
		 * cover every run that does not fault. */
		Z3_ast r = x.rv[x.nret - 1];
		for (size_t k = x.nret - 1; k-- > 0;)
			r = sel(c, x.rg[k], x.rv[k], r);
		out->ret = r;
		out->fault = x.fault;
	}
	if (!err && Z3_get_error_code(c) != Z3_OK)
		err = diag_err(d, JITK_E_SOLVER, "Z3 error: %s", Z3_get_error_msg(c, Z3_get_error_code(c)));
out:
	if (x.st)
		for (size_t i = 0; i < len; i++)
			free(x.st[i]);
	free(x.xs);
	free(x.at);
	free(x.st);
	free(x.rg);
	free(x.rv);
	return err;
}
