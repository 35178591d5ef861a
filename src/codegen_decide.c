/*
 * codegen_decide.c - the code of one decision (codegen.h): the argument
 * compares of its cases, built from 32-bit halves, and the cases as
 * conjunctions, factored runs and switches, first match kept.
 */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------ argument comparisons */

/* How each half of a 64-bit compare is done: read and tested, or known
 * without reading (T: the compare holds, F: it fails, NEXT: go on to the
 * low half). */
enum part { PART_READ, PART_T, PART_F, PART_NEXT };

/*
 * A POL_CMP as  x op v  with x = (args[i] & mask) (high word 0 for low32),
 * normalised to op in {EQ, GT, GE} possibly negated (NE = !EQ, LE = !GT,
 * LT = !GE).  Over the halves (xh, xl) and (vh, vl):
 *   x == v  <=>  xh == vh && xl == vl
 *   x >  v  <=>  xh > vh || (xh == vh && xl >  vl)
 *   x >= v  <=>  xh > vh || (xh == vh && xl >= vl)
 * The high half is always decided first; the low half only counts when the
 * high halves are equal.  xh <= mh and xl <= ml, which decides some halves
 * without reading them.
 */
struct cmp_shape {
	enum pol_op base;
	bool neg;
	uint32_t mh, ml, vh, vl;
	uint32_t off_hi, off_lo;
	enum part hi, lo; /* lo is meaningful only if hi is READ or NEXT */
	/* A half read as a flag test, (w & m) == 0: `jset m` on the word needs
	 * no `and` and leaves the word in A for the next test of other bits. */
	bool jset_hi, jset_lo;
	/* ... or as a one-bit test, (w & b) == b for a single bit b: `jset b`
	 * with the targets the other way round. */
	bool jbit_hi, jbit_lo;
};

/* A's state after reading one half for a test with mask `mask`: the masked
 * word, or for a jset test the word as it was (if A already held it under
 * a mask covering `mask`) or freshly loaded. */
static struct acc half_state(struct acc in, uint32_t off, uint32_t mask, bool jset)
{
	if (!jset)
		return (struct acc){ ACC_WORD, off, mask };
	if (in.kind == ACC_WORD && in.off == off && (mask & ~in.mask) == 0)
		return in;
	return (struct acc){ ACC_WORD, off, 0xffffffffu };
}

static struct cmp_shape cmp_shape(const struct pol_cond *c, bool args32, bool be)
{
	struct cmp_shape s;
	switch (c->op) {
	case POL_EQ: s.base = POL_EQ, s.neg = false; break;
	case POL_NE: s.base = POL_EQ, s.neg = true; break;
	case POL_GT: s.base = POL_GT, s.neg = false; break;
	case POL_LE: s.base = POL_GT, s.neg = true; break;
	case POL_GE: s.base = POL_GE, s.neg = false; break;
	case POL_LT:
	default: s.base = POL_GE, s.neg = true; break;
	}
	/* low32(argN), and every argument of a 32-bit ABI but reg64(): the
	 * high word of the operand is 0 whatever the call's high bits are, so
	 * it is never read.  reg64() reads the whole register (docs/scpl.md). */
	s.mh = c->low32 || (args32 && !c->reg64) ? 0 : (uint32_t)(c->mask >> 32);
	s.ml = (uint32_t)c->mask;
	s.vh = (uint32_t)(c->value >> 32);
	s.vl = (uint32_t)c->value;
	s.off_hi = cg_off_hi(be, c->arg);
	s.off_lo = cg_off_lo(be, c->arg);

	if (s.mh < s.vh)
		s.hi = PART_F; /* xh <= mh < vh: x < v */
	else if (s.mh == 0)
		s.hi = PART_NEXT; /* xh == 0 == vh */
	else if (s.base == POL_EQ && (s.vh & ~s.mh))
		s.hi = PART_F; /* vh has a bit xh never has */
	else
		s.hi = PART_READ;

	switch (s.base) {
	case POL_EQ:
		if (s.vl & ~s.ml)
			s.lo = PART_F;
		else if (s.ml == 0)
			s.lo = PART_T; /* xl == 0 == vl */
		else
			s.lo = PART_READ;
		break;
	case POL_GT:
		s.lo = s.ml <= s.vl ? PART_F : PART_READ; /* xl <= ml <= vl */
		break;
	default: /* POL_GE */
		if (s.vl == 0)
			s.lo = PART_T;
		else
			s.lo = s.ml < s.vl ? PART_F : PART_READ;
		break;
	}
	s.jbit_hi = s.base == POL_EQ && s.vh && s.vh == s.mh && (s.mh & (s.mh - 1)) == 0;
	s.jbit_lo = s.base == POL_EQ && s.vl && s.vl == s.ml && (s.ml & (s.ml - 1)) == 0;
	s.jset_hi = s.jbit_hi || (s.base == POL_EQ && s.vh == 0 && s.mh != 0xffffffffu);
	s.jset_lo = s.jbit_lo || (s.base == POL_EQ && s.vl == 0 && s.ml != 0xffffffffu);
	return s;
}

/*
 * An equality that reads both halves tests the LOW word first.  Both halves
 * must be equal, so the order cannot change the result (unlike >, >=,
 * where the high word must decide first: CVE-2019-9893), and most
 * candidates differ in the low word: a chain of cases `argN == K1`,
 * `argN == K2`, ... then keeps the low word in A and costs one jump per
 * case instead of a load of each half per case.
 */
static bool eq_low_first(const struct cmp_shape *s)
{
	return s->base == POL_EQ && s->hi == PART_READ && s->lo == PART_READ;
}

/* A's state on the true and false exits of a compare entered with `in`.
 * Mirrors gen_cmp exactly: the code after a condition relies on it. */
static void cmp_exits(const struct pol_cond *c, const struct cg *g, struct acc in, struct acc *t,
		      struct acc *f)
{
	struct cmp_shape s = cmp_shape(c, g->args32, g->be);
	if (eq_low_first(&s)) {
		struct acc st_lo = half_state(in, s.off_lo, s.ml, s.jset_lo);
		struct acc st_hi = half_state(st_lo, s.off_hi, s.mh, s.jset_hi);
		*t = s.neg ? acc_meet(st_lo, st_hi) : st_hi;
		*f = s.neg ? st_hi : acc_meet(st_lo, st_hi);
		return;
	}
	struct acc st_hi = half_state(in, s.off_hi, s.mh, s.jset_hi);
	struct acc st_lo = half_state(s.hi == PART_READ ? st_hi : in, s.off_lo, s.ml, s.jset_lo);
	struct acc at = { ACC_NONE, 0, 0 }, af = at, lo_in = in;
	switch (s.hi) {
	case PART_T: at = in; break;
	case PART_F: af = in; break;
	case PART_READ:
		af = st_hi;
		if (s.base != POL_EQ)
			at = st_hi;
		lo_in = st_hi;
		break;
	case PART_NEXT: break;
	}
	if (s.hi == PART_READ || s.hi == PART_NEXT) {
		switch (s.lo) {
		case PART_READ:
			at = acc_meet(at, st_lo);
			af = acc_meet(af, st_lo);
			break;
		case PART_T: at = acc_meet(at, lo_in); break;
		case PART_F: af = acc_meet(af, lo_in); break;
		case PART_NEXT: break;
		}
	}
	*t = s.neg ? af : at;
	*f = s.neg ? at : af;
}

/*
 * A jump whose targets may start by loading the word A already holds (the
 * next case begins with `ld` of the argument this compare just tested)
 * lands after that load instead: loading a word into A when A equals it
 * changes nothing.  st is A's state at the jump.
 */
static size_t thread_load(const struct cg *g, size_t t, struct acc st)
{
	if (cg_failed(g) || st.kind != ACC_WORD || st.mask != 0xffffffffu || t == 0 || t >= g->n)
		return t;
	const jitk_insn *i = &g->buf[t];
	if (i->code == (BPF_LD | BPF_W | BPF_ABS) && i->k == st.off)
		return t - 1; /* emit_stmt put the load's successor right after it */
	return t;
}

/* A conditional jump emitted with A in state st. */
static size_t cjump(struct cg *g, uint16_t op, uint32_t k, size_t lt, size_t lf, struct acc st)
{
	return cg_emit_jump(g, op, k, thread_load(g, lt, st), thread_load(g, lf, st));
}

static size_t gen_cmp(struct cg *g, const struct pol_cond *c, size_t t, size_t f, struct acc in)
{
	struct cmp_shape s = cmp_shape(c, g->args32, g->be);
	if (s.neg) {
		size_t tmp = t;
		t = f;
		f = tmp;
	}
	if (s.hi == PART_T)
		return t;
	if (s.hi == PART_F)
		return f;
	if (eq_low_first(&s)) {
		struct acc st_lo = half_state(in, s.off_lo, s.ml, s.jset_lo);
		struct acc st_hi = half_state(st_lo, s.off_hi, s.mh, s.jset_hi);
		size_t hi = s.jbit_hi   ? cjump(g, BPF_JSET, s.mh, t, f, st_hi)
			    : s.jset_hi ? cjump(g, BPF_JSET, s.mh, f, t, st_hi)
					: cjump(g, BPF_JEQ, s.vh, t, f, st_hi);
		hi = cg_load_word(g, st_lo, s.off_hi, st_hi.mask, hi);
		size_t lo = s.jbit_lo   ? cjump(g, BPF_JSET, s.ml, hi, f, st_lo)
			    : s.jset_lo ? cjump(g, BPF_JSET, s.ml, f, hi, st_lo)
					: cjump(g, BPF_JEQ, s.vl, hi, f, st_lo);
		return cg_load_word(g, in, s.off_lo, st_lo.mask, lo);
	}

	struct acc st_hi = half_state(in, s.off_hi, s.mh, s.jset_hi);
	struct acc lo_in = s.hi == PART_READ ? st_hi : in;
	size_t lo;
	switch (s.lo) {
	case PART_T: lo = t; break;
	case PART_F: lo = f; break;
	default: {
		struct acc st_lo = half_state(lo_in, s.off_lo, s.ml, s.jset_lo);
		if (s.jbit_lo) {
			lo = cjump(g, BPF_JSET, s.ml, t, f, st_lo); /* the bit set: equal */
		} else if (s.jset_lo) {
			lo = cjump(g, BPF_JSET, s.ml, f, t, st_lo); /* a bit set: not equal to 0 */
		} else {
			uint16_t op = s.base == POL_EQ ? BPF_JEQ : s.base == POL_GT ? BPF_JGT : BPF_JGE;
			lo = cjump(g, op, s.vl, t, f, st_lo);
		}
		lo = cg_load_word(g, lo_in, s.off_lo, st_lo.mask, lo);
		break;
	}
	}
	if (s.hi == PART_NEXT)
		return lo;

	size_t hi;
	if (s.base == POL_EQ && s.jbit_hi) {
		hi = cjump(g, BPF_JSET, s.mh, lo, f, st_hi);
	} else if (s.base == POL_EQ && s.jset_hi) {
		hi = cjump(g, BPF_JSET, s.mh, f, lo, st_hi);
	} else if (s.base == POL_EQ) {
		hi = cjump(g, BPF_JEQ, s.vh, lo, f, st_hi);
	} else if (lo == t) {
		hi = cjump(g, BPF_JGE, s.vh, t, f, st_hi); /* xh >= vh decides */
	} else if (lo == f) {
		hi = cjump(g, BPF_JGT, s.vh, t, f, st_hi); /* xh > vh decides */
	} else {
		hi = cjump(g, BPF_JEQ, s.vh, lo, f, st_hi);
		hi = cjump(g, BPF_JGT, s.vh, t, hi, st_hi);
	}
	return cg_load_word(g, in, s.off_hi, st_hi.mask, hi);
}

/* A's state on the true and false exits of condition c entered with `in`. */
static void cond_exits(const struct pol_cond *c, const struct cg *g, struct acc in, struct acc *t,
		       struct acc *f)
{
	struct acc lt, lf, rt, rf;
	switch (c->kind) {
	case POL_CMP: cmp_exits(c, g, in, t, f); return;
	case POL_NOT: cond_exits(c->l, g, in, f, t); return;
	case POL_AND:
		cond_exits(c->l, g, in, &lt, &lf);
		cond_exits(c->r, g, lt, &rt, &rf);
		*t = rt;
		*f = acc_meet(lf, rf);
		return;
	case POL_OR:
		cond_exits(c->l, g, in, &lt, &lf);
		cond_exits(c->r, g, lf, &rt, &rf);
		*t = acc_meet(lt, rt);
		*f = rf;
		return;
	}
	*t = *f = ACC_UNKNOWN_;
}

/* Code that goes to t if c holds and to f otherwise, entered with A in
 * state `in`.  &&, || and ! are short-circuit control flow. */
static size_t gen_cond(struct cg *g, const struct pol_cond *c, size_t t, size_t f, struct acc in)
{
	struct acc lt, lf;
	switch (c->kind) {
	case POL_CMP: return gen_cmp(g, c, t, f, in);
	case POL_NOT: return gen_cond(g, c->l, f, t, in);
	case POL_AND:
		cond_exits(c->l, g, in, &lt, &lf);
		return gen_cond(g, c->l, gen_cond(g, c->r, t, f, lt), f, in);
	case POL_OR:
		cond_exits(c->l, g, in, &lt, &lf);
		return gen_cond(g, c->l, t, gen_cond(g, c->r, t, f, lf), in);
	}
	g->nomem = true; /* unreachable: an unknown kind would be a front-end bug */
	return 0;
}

/* ---------------------------------------------------------- decisions */

/*
 * A decision's cases are compiled as lists of conjunctions: case k holds
 * when every conjunct of conj[] holds (conditions have no side effects, so
 * the order in which conjuncts are tested cannot change the result, only
 * its cost).  A list is cut into pieces, each compiled as one of:
 *
 *  - a single case: conj[0] ? conj[1] ? ... ret action : fall : fall;
 *  - a factored run: consecutive cases that all contain one conjunct L
 *    (structurally equal): L ? (the run without L) : fall.  If L fails no
 *    case of the run can hold, so first match is kept while L is tested
 *    once (gVisor's factoring; Tor's openat rules all test
 *    low32(arg0) == AT_FDCWD);
 *  - a switch: consecutive cases that all contain an equality on one
 *    operand x (same argument, mask and width) against constants, at least
 *    CG_SWITCH_MIN distinct ones: a search on x over the sorted constants
 *    (jge/jeq on the words of x), each constant leading to the cases of the
 *    run with that constant, in their order, without the equality.  For an
 *    input, only the cases whose constant equals x can hold, and among them
 *    the first that holds wins: the same first match, in about log2(n)
 *    jumps instead of n (Tor's rt_sigaction, rename and openat chains).
 * Cases after one without conjuncts (always true) are dead.
 */

#define CG_MAXCONJ 16u
#define CG_SWITCH_MIN 3u /* distinct constants for a switch to pay */
#define CG_LINEAR_MAX 3u /* constants searched by a plain jeq chain */

struct cg_case {
	const struct pol_cond *conj[CG_MAXCONJ];
	size_t n; /* 0: always */
	uint32_t action;
};

static size_t conj_count(const struct pol_cond *c)
{
	return c->kind == POL_AND ? conj_count(c->l) + conj_count(c->r) : 1;
}

static void conj_push(struct cg_case *k, const struct pol_cond *c)
{
	if (c->kind == POL_AND) {
		conj_push(k, c->l);
		conj_push(k, c->r);
	} else {
		k->conj[k->n++] = c;
	}
}

/* A case of the IR as a conjunction (a condition with more than CG_MAXCONJ
 * conjuncts stays one conjunct, compiled as it is). */
static void case_of(struct cg_case *k, const struct ir_case *c)
{
	k->n = 0;
	k->action = c->action;
	if (!c->cond)
		return;
	if (conj_count(c->cond) <= CG_MAXCONJ)
		conj_push(k, c->cond);
	else
		k->conj[k->n++] = c->cond;
}

/* The case without its conjunct i. */
static struct cg_case case_without(const struct cg_case *k, size_t i)
{
	struct cg_case r = { .n = 0, .action = k->action };
	for (size_t j = 0; j < k->n; j++)
		if (j != i)
			r.conj[r.n++] = k->conj[j];
	return r;
}

/* The operand of an equality, as the words the code reads:
 * x = ((hi & mh) << 32) | (lo & ml); mh == 0: the high word is not read
 * (low32(), or an ABI with 32-bit arguments except in reg64(), docs/scpl.md). */
struct cg_key {
	uint8_t arg;
	uint32_t mh, ml;
};

/* Whether c is `x == v` for an operand x; *possible is false when v has a
 * bit x can never have (the equality never holds). */
static bool eq_key(const struct pol_cond *c, bool args32, struct cg_key *k, uint64_t *v, bool *possible)
{
	if (c->kind != POL_CMP || c->op != POL_EQ)
		return false;
	k->arg = c->arg;
	k->mh = c->low32 || (args32 && !c->reg64) ? 0 : (uint32_t)(c->mask >> 32);
	k->ml = (uint32_t)c->mask;
	*v = c->value;
	*possible = ((uint32_t)(c->value >> 32) & ~k->mh) == 0 && ((uint32_t)c->value & ~k->ml) == 0;
	return true;
}

static bool key_same(struct cg_key a, struct cg_key b)
{
	return a.arg == b.arg && a.mh == b.mh && a.ml == b.ml;
}

/* The index of an equality on key in case k, or k->n. */
static size_t find_key(const struct cg_case *k, bool args32, struct cg_key key, uint64_t *v, bool *possible)
{
	for (size_t i = 0; i < k->n; i++) {
		struct cg_key kk;
		if (eq_key(k->conj[i], args32, &kk, v, possible) && key_same(kk, key))
			return i;
	}
	return k->n;
}

static size_t find_same(const struct cg_case *k, const struct pol_cond *c)
{
	for (size_t i = 0; i < k->n; i++)
		if (pol_cond_equal(k->conj[i], c))
			return i;
	return k->n;
}

enum piece_kind { PIECE_ONE, PIECE_FACTOR, PIECE_SWITCH };

struct piece {
	enum piece_kind kind;
	size_t end;                 /* cases [i, end) */
	const struct pol_cond *key; /* FACTOR: L; SWITCH: an equality on the operand */
};

/* The distinct possible constants of the equalities on key in cs[0..m),
 * sorted, into v[] (room for m); returns how many. */
static size_t key_values(const struct cg_case *cs, size_t m, bool args32, struct cg_key key, uint64_t *v,
			 uint64_t *tmp)
{
	size_t n = 0;
	for (size_t j = 0; j < m; j++) {
		bool pos;
		if (find_key(&cs[j], args32, key, &v[n], &pos) < cs[j].n && pos)
			n++;
	}
	sort_u64(v, tmp, n);
	size_t d = 0;
	for (size_t j = 0; j < n; j++)
		if (d == 0 || v[j] != v[d - 1])
			v[d++] = v[j];
	return d;
}

/* The piece starting at case i of cs[0..n) (cs[i] has conjuncts). */
static struct piece piece_at(struct cg *g, const struct cg_case *cs, size_t n, size_t i)
{
	bool args32 = g->args32;
	struct piece best = { PIECE_ONE, i + 1, NULL };
	size_t best_d = 0, best_len = 1;
	for (size_t c = 0; c < cs[i].n; c++) {
		const struct pol_cond *cc = cs[i].conj[c];
		struct cg_key key;
		uint64_t v;
		bool pos;
		if (eq_key(cc, args32, &key, &v, &pos)) {
			size_t end = i + 1;
			while (end < n && find_key(&cs[end], args32, key, &v, &pos) < cs[end].n)
				end++;
			uint64_t few[32]; /* most runs are short: no malloc */
			uint64_t *vals = end - i <= 16 ? few : malloc(2 * (end - i) * sizeof *vals);
			if (!vals) {
				g->nomem = true;
				return best;
			}
			size_t d = key_values(cs + i, end - i, args32, key, vals, vals + (end - i));
			if (vals != few)
				free(vals);
			if (d >= CG_SWITCH_MIN && d > best_d) {
				best = (struct piece){ PIECE_SWITCH, end, cc };
				best_d = d;
			}
		}
		if (best_d)
			continue;
		size_t end = i + 1;
		while (end < n && find_same(&cs[end], cc) < cs[end].n)
			end++;
		if (end - i > best_len) {
			best = (struct piece){ PIECE_FACTOR, end, cc };
			best_len = end - i;
		}
	}
	return best;
}

/* A's state on the false exit of a conjunction entered with `in` (the
 * true exit into *t). */
static struct acc conj_exits(const struct pol_cond *const *conj, size_t n, const struct cg *g,
			     struct acc in, struct acc *t)
{
	struct acc f = { ACC_NONE, 0, 0 }, ct, cf;
	for (size_t i = 0; i < n; i++) {
		cond_exits(conj[i], g, in, &ct, &cf);
		f = acc_meet(f, cf);
		in = ct;
	}
	if (t)
		*t = in;
	return f;
}

static struct acc cases_fall(struct cg *g, const struct cg_case *cs, size_t n, struct acc in);

/* A's state where piece p (cases [i, p.end)) falls to what follows. */
static struct acc piece_fall(struct cg *g, const struct cg_case *cs, size_t i, struct piece p, struct acc in)
{
	switch (p.kind) {
	case PIECE_ONE: return conj_exits(cs[i].conj, cs[i].n, g, in, NULL);
	case PIECE_FACTOR: {
		struct acc lt, lf;
		cond_exits(p.key, g, in, &lt, &lf);
		size_t m = p.end - i;
		struct cg_case *sub = malloc(m * sizeof *sub);
		if (!sub) {
			g->nomem = true;
			return ACC_UNKNOWN_;
		}
		for (size_t j = 0; j < m; j++)
			sub[j] = case_without(&cs[i + j], find_same(&cs[i + j], p.key));
		struct acc r = acc_meet(lf, cases_fall(g, sub, m, lt));
		free(sub);
		return r;
	}
	case PIECE_SWITCH: break;
	}
	return ACC_UNKNOWN_; /* many exits: assume nothing */
}

/* A's state where the list falls through (no case held). */
static struct acc cases_fall(struct cg *g, const struct cg_case *cs, size_t n, struct acc in)
{
	for (size_t i = 0; i < n && !cg_failed(g);) {
		if (cs[i].n == 0)
			return (struct acc){ ACC_NONE, 0, 0 }; /* always holds */
		struct piece p = piece_at(g, cs, n, i);
		in = piece_fall(g, cs, i, p, in);
		i = p.end;
	}
	return in;
}

static size_t gen_cases(struct cg *g, const struct cg_case *cs, size_t n, size_t fall, struct acc in);

/* Code for a conjunction: t if every conjunct holds, else f. */
static size_t gen_conj(struct cg *g, const struct pol_cond *const *conj, size_t n, size_t t, size_t f,
		       struct acc in)
{
	struct acc st[CG_MAXCONJ];
	for (size_t i = 0; i < n; i++) {
		struct acc cf;
		st[i] = in;
		cond_exits(conj[i], g, in, &in, &cf);
	}
	for (size_t i = n; i-- > 0;)
		t = gen_cond(g, conj[i], t, f, st[i]);
	return t;
}

/* Search over the 32-bit constants w[a..b] (sorted, distinct) with A ==
 * the word in state st: lbl[i] when A == w[i], miss otherwise. */
static size_t gen_search32(struct cg *g, const uint32_t *w, const size_t *lbl, size_t a, size_t b,
			   size_t miss, struct acc st)
{
	if (cg_failed(g))
		return 0;
	if (b - a + 1 <= CG_LINEAR_MAX) {
		size_t l = miss;
		for (size_t i = b + 1; i-- > a;)
			l = cjump(g, BPF_JEQ, w[i], lbl[i], l, st);
		return l;
	}
	size_t mid = a + (b - a + 1) / 2;
	size_t right = gen_search32(g, w, lbl, mid, b, miss, st);
	size_t left = gen_search32(g, w, lbl, a, mid - 1, miss, st);
	return cjump(g, BPF_JGE, w[mid], right, left, st);
}

/* The switch piece over cases cs[0..m), every one with an equality on the
 * operand of `key_cond`; fall when none holds. */
static size_t gen_switch(struct cg *g, const struct cg_case *cs, size_t m, const struct pol_cond *key_cond,
			 size_t fall, struct acc in)
{
	struct cg_key key = { 0, 0, 0 };
	uint64_t v0;
	bool pos;
	if (!eq_key(key_cond, g->args32, &key, &v0, &pos)) {
		g->nomem = true; /* unreachable: piece_at picked an equality */
		return 0;
	}
	size_t res = 0;
	/* one block for the eight arrays, the widest alignment first */
	const size_t per =
		3 * sizeof(uint64_t) + sizeof(struct cg_case) + 3 * sizeof(size_t) + 2 * sizeof(uint32_t);
	unsigned char *blk = m <= SIZE_MAX / per ? malloc((m ? m : 1) * per) : NULL;
	if (!blk) {
		g->nomem = true;
		return 0;
	}
	uint64_t *v = (uint64_t *)(void *)blk, *kv = v + m, *tmp = kv + m;
	size_t *lbl = (size_t *)(void *)(tmp + m), *glbl = lbl + m, *kat = glbl + m;
	struct cg_case *sub = (struct cg_case *)(void *)(kat + m);
	uint32_t *w = (uint32_t *)(void *)(sub + m), *gw = w + m;
	/* The distinct possible constants, sorted by low word, then high. */
	size_t nv = key_values(cs, m, g->args32, key, v, tmp);
	/* One nonzero high word for all (pointers, as Tor's file names): it is
	 * tested once, first, and most inputs are refused there; then the
	 * search is on the low word alone. */
	bool hi_once = key.mh && nv && (uint32_t)(v[0] >> 32) && v[0] >> 32 == v[nv - 1] >> 32;
	uint32_t vh_once = (uint32_t)(v[0] >> 32);
	struct acc in_lo = in;
	uint32_t smh = key.mh; /* the high word's mask in the search, 0: not read */
	if (hi_once) {
		smh = 0;
		in_lo = (struct acc){ ACC_WORD, cg_off_hi(g->be, key.arg), key.mh };
		for (size_t i = 0; i < nv; i++)
			v[i] &= 0xffffffffu;
	}
	for (size_t i = 0; i < nv; i++)
		v[i] = v[i] << 32 | v[i] >> 32;
	sort_u64(v, tmp, nv);
	/* Each case's equality on the key (its index, cs[j].n if none or if
	 * it can never hold) and its constant, found once for all constants. */
	for (size_t j = 0; j < m; j++) {
		kat[j] = find_key(&cs[j], g->args32, key, &kv[j], &pos);
		if (!pos)
			kat[j] = cs[j].n;
	}
	/* Each constant's cases, in order, without the equality, entered with
	 * A == the word the search read last. */
	struct acc st_lo = { ACC_WORD, cg_off_lo(g->be, key.arg), key.ml };
	struct acc st_hi = { ACC_WORD, cg_off_hi(g->be, key.arg), smh };
	for (size_t i = nv; i-- > 0 && !cg_failed(g);) {
		uint64_t c = v[i] << 32 | v[i] >> 32; /* the constant */
		if (hi_once)
			c |= (uint64_t)vh_once << 32;
		size_t ns = 0;
		for (size_t j = 0; j < m; j++)
			if (kat[j] < cs[j].n && kv[j] == c)
				sub[ns++] = case_without(&cs[j], kat[j]);
		lbl[i] = gen_cases(g, sub, ns, fall, smh ? st_hi : st_lo);
	}
	/* Backwards: per low word, the high word's search (when read); then
	 * the search on the low word, whose entries go to the top of
	 * gw[]/glbl[].  The low word first, as in eq_low_first: it is what
	 * the constants mostly differ in, and an input that matches none is
	 * refused after the low word's search alone. */
	size_t ng = 0;
	for (size_t hi = nv; hi-- > 0 && !cg_failed(g);) {
		size_t lo = hi;
		while (lo > 0 && v[lo - 1] >> 32 == v[hi] >> 32)
			lo--;
		size_t l = lbl[lo];
		if (smh) {
			for (size_t i = lo; i <= hi; i++)
				w[i] = (uint32_t)v[i];
			l = gen_search32(g, w, lbl, lo, hi, fall, st_hi);
			l = cg_load_word(g, st_lo, st_hi.off, smh, l);
		}
		ng++;
		gw[nv - ng] = (uint32_t)(v[hi] >> 32);
		glbl[nv - ng] = l;
		hi = lo;
	}
	if (cg_failed(g))
		res = 0;
	else if (nv == 0)
		res = fall;
	else
		res = cg_load_word(g, in_lo, st_lo.off, key.ml,
				   gen_search32(g, gw, glbl, nv - ng, nv - 1, fall, st_lo));
	if (hi_once && !cg_failed(g) && nv) {
		res = cjump(g, BPF_JEQ, vh_once, res, fall, in_lo);
		res = cg_load_word(g, in, in_lo.off, in_lo.mask, res);
	}
	free(blk);
	return cg_failed(g) ? 0 : res;
}

/* Code for the cases cs[0..n) in order, first match, `fall` when none
 * holds, entered with A in state `in`. */
static size_t gen_cases(struct cg *g, const struct cg_case *cs, size_t n, size_t fall, struct acc in)
{
	if (n == 0)
		return fall;
	/* Forwards: the pieces and A's state where each starts (one block,
	 * the widest alignment first). */
	const size_t per = sizeof(struct piece) + sizeof(size_t) + sizeof(struct acc);
	unsigned char *blk = n <= SIZE_MAX / per ? malloc(n * per) : NULL;
	if (!blk) {
		g->nomem = true;
		return 0;
	}
	struct piece *ps = (struct piece *)(void *)blk;
	size_t *at = (size_t *)(void *)(ps + n);
	struct acc *ins = (struct acc *)(void *)(at + n);
	size_t np = 0;
	for (size_t i = 0; i < n && !cg_failed(g);) {
		struct piece p = { PIECE_ONE, i + 1, NULL };
		if (cs[i].n)
			p = piece_at(g, cs, n, i);
		ps[np] = p;
		ins[np] = in;
		at[np++] = i;
		if (cs[i].n == 0)
			break; /* always holds: the rest is dead */
		in = piece_fall(g, cs, i, p, in);
		i = p.end;
	}
	/* Backwards: each piece falls to the code of the pieces after it. */
	for (size_t k = np; k-- > 0 && !cg_failed(g);) {
		const struct cg_case *c = &cs[at[k]];
		size_t m = ps[k].end - at[k];
		switch (ps[k].kind) {
		case PIECE_ONE: {
			size_t ret = cg_ret_label(g, c->action);
			fall = c->n ? gen_conj(g, c->conj, c->n, ret, fall, ins[k]) : ret;
			break;
		}
		case PIECE_FACTOR: {
			struct cg_case *sub = malloc(m * sizeof *sub);
			if (!sub) {
				g->nomem = true;
				break;
			}
			for (size_t j = 0; j < m; j++)
				sub[j] = case_without(&c[j], find_same(&c[j], ps[k].key));
			struct acc lt, lf;
			cond_exits(ps[k].key, g, ins[k], &lt, &lf);
			size_t inner = gen_cases(g, sub, m, fall, lt);
			free(sub);
			fall = gen_cond(g, ps[k].key, inner, fall, ins[k]);
			break;
		}
		case PIECE_SWITCH: fall = gen_switch(g, c, m, ps[k].key, fall, ins[k]); break;
		}
	}
	free(blk);
	return cg_failed(g) ? 0 : fall;
}

/* The decision's code, entered with A in state g->entry. */
size_t gen_decision(struct cg *g, const struct ir_decision *dec)
{
	for (size_t i = 0; i < g->nmemo; i++)
		if (g->memo[i].dec == dec && g->memo[i].args32 == g->args32 && g->memo[i].be == g->be)
			return g->memo[i].label;
	if (dec->ncases == 0)
		return cg_ret_label(g, dec->otherwise);
	struct cg_case *cs = malloc(dec->ncases * sizeof *cs);
	if (!cs) {
		g->nomem = true;
		return 0;
	}
	for (size_t i = 0; i < dec->ncases; i++)
		case_of(&cs[i], &dec->cases[i]);
	size_t l = gen_cases(g, cs, dec->ncases, cg_ret_label(g, dec->otherwise), g->entry);
	free(cs);
	if (cg_failed(g))
		return 0;
	if (!array_grow((void **)&g->memo, &g->capmemo, g->nmemo + 1, sizeof *g->memo)) {
		g->nomem = true;
		return 0;
	}
	g->memo[g->nmemo++] = (struct cg_memo){ dec, g->args32, g->be, l };
	return l;
}
