/*
 * smt_bpf.c - the kernel's classic-BPF seccomp semantics as a Z3 term.
 *
 * TRUSTED BASE (see smt.h).  The program is a loop-free DAG (jumps are
 * forward only), so one pass over the pcs in order is a complete symbolic
 * execution: each pc holds the state in which control can arrive there,
 *     g  - the path guard: exactly the inputs that reach this pc,
 *     a, x, m[16] - the registers as terms, valid for inputs satisfying g.
 * An edge into pc t merges into t's state with ite(g_edge, new, old).  That
 * is exact because execution is deterministic: the guards of the edges into
 * t are pairwise disjoint, so an input reaching t came along exactly one of
 * them.  Nothing enumerates paths, so the term stays linear in the program
 * size (Z3 shares common subterms).  The result is an ite chain over the
 * RET points, whose guards are also disjoint and cover every input (every
 * path of a checked program ends in a RET).
 *
 * The runtime rules encoded here are the kernel's (facts 1.6): A = X = 0 at
 * entry; 32-bit wrapping ALU; DIV by X == 0 stops the filter with return 0,
 * encoded as an explicit RET point, never via Z3's bvudiv-by-zero value;
 * shifts by X use (X & 31) explicitly, as the kernel's interpreter does,
 * never Z3's convention for counts >= 32; LEN is 64; LD W ABS k reads word
 * k/4 of seccomp_data.
 */
#include "smt.h"
#include "insn.h"

#include <stdio.h>
#include <stdlib.h>

/* smt_words_of copies the words of struct seccomp_data as this host
 * stores them: a 64-bit field's lower-addressed word is its low half on a
 * little-endian host.  (The ABI's byte order is params_word's business.) */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "smt_words_of assumes a little-endian host"
#endif

/* The state in which control arrives at one pc.  g == NULL: unreached.
 * m[i] == NULL: cell i not written on some path into this pc. */
struct bstate {
	Z3_ast g, a, x;
	Z3_ast m[INSN_MEMWORDS];
};

struct bctx {
	Z3_context c;
	Z3_sort bv32;
	struct bstate *st; /* one per pc */
	size_t n;
	/* RET points in pc order: guard and 32-bit value. */
	Z3_ast *rg, *rv;
	size_t nret, capret;
};

static Z3_ast bv(struct bctx *b, uint32_t k)
{
	return Z3_mk_unsigned_int(b->c, k, b->bv32);
}

static Z3_ast and2(Z3_context c, Z3_ast p, Z3_ast q)
{
	Z3_ast args[2] = { p, q };
	return Z3_mk_and(c, 2, args);
}

static Z3_ast or2(Z3_context c, Z3_ast p, Z3_ast q)
{
	Z3_ast args[2] = { p, q };
	return Z3_mk_or(c, 2, args);
}

/* ite(g, t, e), or t itself when both branches are the same term (Z3 hash-
 * conses terms, so structural equality is pointer equality here).  A NULL
 * branch (an unwritten scratch cell) makes the merge NULL. */
static Z3_ast sel(Z3_context c, Z3_ast g, Z3_ast t, Z3_ast e)
{
	if (!t || !e)
		return NULL;
	if (Z3_is_eq_ast(c, t, e))
		return t;
	return Z3_mk_ite(c, g, t, e);
}

/* Control reaches pc `to` with guard g and registers s. */
static jitk_err edge(struct bctx *b, size_t from, size_t to, Z3_ast g, const struct bstate *s, jitk_diag *d)
{
	if (to >= b->n || to <= from)
		return diag_insn(d, JITK_E_CHECK, (long)from, "jump-range",
				 "control leaves the program (target %zu of %zu)", to, b->n);
	struct bstate *t = &b->st[to];
	if (!t->g) {
		*t = *s;
		t->g = g;
		return JITK_OK;
	}
	t->a = sel(b->c, g, s->a, t->a);
	t->x = sel(b->c, g, s->x, t->x);
	for (unsigned i = 0; i < INSN_MEMWORDS; i++)
		t->m[i] = sel(b->c, g, s->m[i], t->m[i]);
	t->g = or2(b->c, t->g, g);
	return JITK_OK;
}

static jitk_err add_ret(struct bctx *b, Z3_ast g, Z3_ast v, jitk_diag *d)
{
	if (b->nret == b->capret) {
		size_t cap = b->capret ? 2 * b->capret : 16;
		Z3_ast *rg = realloc(b->rg, cap * sizeof *rg);
		if (!rg)
			return diag_err(d, JITK_E_NOMEM, "out of memory");
		b->rg = rg;
		Z3_ast *rv = realloc(b->rv, cap * sizeof *rv);
		if (!rv)
			return diag_err(d, JITK_E_NOMEM, "out of memory");
		b->rv = rv;
		b->capret = cap;
	}
	b->rg[b->nret] = g;
	b->rv[b->nret] = v;
	b->nret++;
	return JITK_OK;
}

static jitk_err bad(jitk_diag *d, size_t pc, const char *rule, const char *what)
{
	return diag_insn(d, JITK_E_CHECK, (long)pc, rule, "cannot encode: %s", what);
}

/* Execute the instruction at pc symbolically from state s (a copy). */
static jitk_err step(struct bctx *b, const struct smt_input *in, size_t pc, const jitk_insn *ins,
		     struct bstate s, jitk_diag *d)
{
	Z3_context c = b->c;
	int op = insn_op_of(ins->code);
	uint32_t k = ins->k;
	Z3_ast cond = NULL; /* for conditional jumps */

	if (op < 0 || !insn_info[op].seccomp)
		return bad(d, pc, "opcode", "opcode not allowed in seccomp");
	switch ((enum insn_op)op) {
	case INSN_LD_IMM: s.a = bv(b, k); break;
	case INSN_LDX_IMM: s.x = bv(b, k); break;
	case INSN_LD_W_LEN: s.a = bv(b, SECCOMP_DATA_SIZE); break;
	case INSN_LDX_W_LEN: s.x = bv(b, SECCOMP_DATA_SIZE); break;
	case INSN_LD_W_ABS:
		if (k >= SECCOMP_DATA_SIZE || k % 4 != 0)
			return bad(d, pc, "load-offset", "load outside seccomp_data or unaligned");
		s.a = in->w[k / 4];
		break;
	case INSN_LD_MEM:
	case INSN_LDX_MEM:
		if (k >= INSN_MEMWORDS || !s.m[k])
			return bad(d, pc, "mem-uninit", "scratch cell read before it is written");
		if (op == INSN_LD_MEM)
			s.a = s.m[k];
		else
			s.x = s.m[k];
		break;
	case INSN_ST:
	case INSN_STX:
		if (k >= INSN_MEMWORDS)
			return bad(d, pc, "mem-range", "scratch cell out of range");
		s.m[k] = op == INSN_ST ? s.a : s.x;
		break;
	case INSN_ADD_K: s.a = Z3_mk_bvadd(c, s.a, bv(b, k)); break;
	case INSN_ADD_X: s.a = Z3_mk_bvadd(c, s.a, s.x); break;
	case INSN_SUB_K: s.a = Z3_mk_bvsub(c, s.a, bv(b, k)); break;
	case INSN_SUB_X: s.a = Z3_mk_bvsub(c, s.a, s.x); break;
	case INSN_MUL_K: s.a = Z3_mk_bvmul(c, s.a, bv(b, k)); break;
	case INSN_MUL_X: s.a = Z3_mk_bvmul(c, s.a, s.x); break;
	case INSN_OR_K: s.a = Z3_mk_bvor(c, s.a, bv(b, k)); break;
	case INSN_OR_X: s.a = Z3_mk_bvor(c, s.a, s.x); break;
	case INSN_AND_K: s.a = Z3_mk_bvand(c, s.a, bv(b, k)); break;
	case INSN_AND_X: s.a = Z3_mk_bvand(c, s.a, s.x); break;
	case INSN_XOR_K: s.a = Z3_mk_bvxor(c, s.a, bv(b, k)); break;
	case INSN_XOR_X: s.a = Z3_mk_bvxor(c, s.a, s.x); break;
	case INSN_NEG: s.a = Z3_mk_bvneg(c, s.a); break;
	case INSN_DIV_K:
		if (k == 0)
			return bad(d, pc, "div-zero", "division by constant 0");
		s.a = Z3_mk_bvudiv(c, s.a, bv(b, k));
		break;
	case INSN_DIV_X: {
		/* X == 0: the filter stops and returns 0 (a RET point).  The
		 * division below is only reached under X != 0, so Z3's value
		 * for bvudiv by zero never matters. */
		Z3_ast zero = Z3_mk_eq(c, s.x, bv(b, 0));
		jitk_err err = add_ret(b, and2(c, s.g, zero), bv(b, 0), d);
		if (err)
			return err;
		s.g = and2(c, s.g, Z3_mk_not(c, zero));
		s.a = Z3_mk_bvudiv(c, s.a, s.x);
		break;
	}
	case INSN_LSH_K:
	case INSN_RSH_K:
		if (k >= 32)
			return bad(d, pc, "shift-range", "shift by 32 or more");
		/* A shift by 0 is A itself (exact); kept as A, not as a shift
		 * term, as smt_x86.c keeps a count-0 shift (the shared terms of
		 * docs/verify.md, "The per-image proof"). */
		if (k == 0)
			break;
		s.a = op == INSN_LSH_K ? Z3_mk_bvshl(c, s.a, bv(b, k)) : Z3_mk_bvlshr(c, s.a, bv(b, k));
		break;
	case INSN_LSH_X:
	case INSN_RSH_X: {
		/* The kernel interpreter's rule: the count is X & 31. */
		Z3_ast cnt = Z3_mk_bvand(c, s.x, bv(b, 31));
		s.a = op == INSN_LSH_X ? Z3_mk_bvshl(c, s.a, cnt) : Z3_mk_bvlshr(c, s.a, cnt);
		break;
	}
	case INSN_TAX: s.x = s.a; break;
	case INSN_TXA: s.a = s.x; break;
	case INSN_RET_K: return add_ret(b, s.g, bv(b, k), d);
	case INSN_RET_A: return add_ret(b, s.g, s.a, d);
	case INSN_JA:
		/* pc + 1 + k computed in 64 bits: k is a full u32. */
		if ((uint64_t)k >= (uint64_t)(b->n - pc - 1))
			return bad(d, pc, "jump-range", "jump out of the program");
		return edge(b, pc, pc + 1 + (size_t)k, s.g, &s, d);
	case INSN_JEQ_K: cond = Z3_mk_eq(c, s.a, bv(b, k)); break;
	case INSN_JEQ_X: cond = Z3_mk_eq(c, s.a, s.x); break;
	case INSN_JGT_K: cond = Z3_mk_bvugt(c, s.a, bv(b, k)); break;
	case INSN_JGT_X: cond = Z3_mk_bvugt(c, s.a, s.x); break;
	case INSN_JGE_K: cond = Z3_mk_bvuge(c, s.a, bv(b, k)); break;
	case INSN_JGE_X: cond = Z3_mk_bvuge(c, s.a, s.x); break;
	case INSN_JSET_K: cond = Z3_mk_not(c, Z3_mk_eq(c, Z3_mk_bvand(c, s.a, bv(b, k)), bv(b, 0))); break;
	case INSN_JSET_X: cond = Z3_mk_not(c, Z3_mk_eq(c, Z3_mk_bvand(c, s.a, s.x), bv(b, 0))); break;
	default:
		/* The non-seccomp opcodes were refused above. */
		return bad(d, pc, "opcode", "opcode not allowed in seccomp");
	}
	if (cond) {
		size_t t = pc + 1 + ins->jt, f = pc + 1 + ins->jf;
		if (t == f)
			return edge(b, pc, t, s.g, &s, d);
		jitk_err err = edge(b, pc, t, and2(c, s.g, cond), &s, d);
		if (err)
			return err;
		return edge(b, pc, f, and2(c, s.g, smt_neg(c, cond)), &s, d);
	}
	if (pc + 1 >= b->n)
		return bad(d, pc, "last-ret", "control falls off the end of the program");
	return edge(b, pc, pc + 1, s.g, &s, d);
}

jitk_err smt_bpf_unchecked(Z3_context c, const jitk_insn *insns, size_t n, const struct smt_input *in,
			   Z3_ast *ret, jitk_diag *d)
{
	if (!c || !insns || !in || !ret)
		return diag_err(d, JITK_E_INVAL, "smt_bpf: NULL argument");
	if (n == 0 || n > JITK_MAXINSNS)
		return diag_err(d, JITK_E_TOO_BIG, "program of %zu instructions", n);
	struct bctx b = { .c = c, .bv32 = Z3_mk_bv_sort(c, 32), .n = n };
	b.st = calloc(n, sizeof *b.st);
	if (!b.st)
		return diag_err(d, JITK_E_NOMEM, "out of memory");
	/* Entry: every input, A = X = 0, no scratch cell written. */
	b.st[0].g = Z3_mk_true(c);
	b.st[0].a = b.st[0].x = bv(&b, 0);
	jitk_err err = JITK_OK;
	for (size_t pc = 0; pc < n && !err; pc++)
		if (b.st[pc].g)
			err = step(&b, in, pc, &insns[pc], b.st[pc], d);
	if (!err && b.nret == 0)
		err = bad(d, n - 1, "last-ret", "no reachable return");
	if (!err) {
		/* The guards are disjoint and cover all inputs, so the last RET
		 * point needs no test of its own. */
		Z3_ast r = b.rv[b.nret - 1];
		for (size_t i = b.nret - 1; i-- > 0;)
			r = sel(c, b.rg[i], b.rv[i], r);
		*ret = r;
		if (Z3_get_error_code(c) != Z3_OK)
			err = diag_err(d, JITK_E_SOLVER, "Z3 error while encoding the filter: %s",
				       Z3_get_error_msg(c, Z3_get_error_code(c)));
	}
	free(b.st);
	free(b.rg);
	free(b.rv);
	return err;
}

jitk_err smt_bpf(Z3_context c, const jitk_filter *f, const struct smt_input *in, Z3_ast *ret, jitk_diag *d)
{
	if (!f)
		return diag_err(d, JITK_E_INVAL, "smt_bpf: NULL filter");
	/* Security: only a program the kernel would accept has a meaning to
	 * prove anything about; never encode past a checker refusal. */
	jitk_err err = jitk_check(f, d);
	if (err)
		return err;
	return smt_bpf_unchecked(c, jitk_filter_insns(f), jitk_filter_len(f), in, ret, d);
}

void smt_input_init(Z3_context c, struct smt_input *in)
{
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	for (unsigned i = 0; i < SMT_NWORDS; i++) {
		char name[8];
		snprintf(name, sizeof name, "w%u", i);
		in->w[i] = Z3_mk_const(c, Z3_mk_string_symbol(c, name), bv32);
	}
}

void smt_words_of(const struct seccomp_data *sd, uint32_t w[SMT_NWORDS])
{
	w[0] = (uint32_t)sd->nr;
	w[1] = sd->arch;
	w[2] = (uint32_t)sd->instruction_pointer;
	w[3] = (uint32_t)(sd->instruction_pointer >> 32);
	for (unsigned i = 0; i < 6; i++) {
		w[4 + 2 * i] = (uint32_t)sd->args[i];
		w[5 + 2 * i] = (uint32_t)(sd->args[i] >> 32);
	}
}

void smt_data_of(const uint32_t w[SMT_NWORDS], struct seccomp_data *sd)
{
	sd->nr = (int)w[0];
	sd->arch = w[1];
	sd->instruction_pointer = (uint64_t)w[3] << 32 | w[2];
	for (unsigned i = 0; i < 6; i++)
		sd->args[i] = (uint64_t)w[5 + 2 * i] << 32 | w[4 + 2 * i];
}
