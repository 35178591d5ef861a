/*
 * codegen.c - compile the policy IR (policy.h) to a seccomp cBPF program.
 *
 * Code shape (docs/compiler.md has the picture):
 *
 *       ld [4]                         arch check first (but see nr first)
 *       jeq #AUDIT_ARCH_X86_64, X, +0
 *       jeq #AUDIT_ARCH_I386, I, +0    one test per listed AUDIT value
 *       ret #foreign_action
 *   X:  ld [0]
 *       jge #0x40000000, x32, x86_64   the x32 guard, by construction
 *   ...: binary search tree on nr over the IR ranges and the default gaps,
 *        leaves = `ret #k` or the decision's argument code.
 * With one AUDIT value whose default action is the foreign action, nr is
 * read first and the arch checked at the leaves (gen_program, gen_leaf).
 *
 * The program is emitted backwards (kafel's trick): every jump target exists
 * before the jump is emitted, so offsets are known at once.  Instructions go
 * into buf[] in reverse, and a label is an index into buf[] (the distance
 * from the end of the final program).  A conditional jump reaches at most
 * 255 instructions; a farther target gets a copy of the `ret` it points at
 * or a `ja` trampoline placed right after the jump.
 *
 * Security-relevant properties, each by construction:
 *  - before the arch is read, only `ld [0]`, jumps on nr and `ret
 *    #foreign_action` occur (nr first) or only `ld [4]` (arch first): no
 *    other answer and no argument before `jeq #audit` holds, and an arch
 *    not in the policy ends in `ret #foreign_action`;
 *  - on AUDIT_ARCH_X86_64, nr >= 0x40000000 (unsigned) is x32, below is x86_64
 *    (docs/scpl.md), and an unlisted side returns foreign_action, so an x32
 *    call can never reach x86_64 rules (the firejail/kafel x32 bypass);
 *  - the arch chain, `ld [0]` and the search tree use only `ld [0]`,
 *    `ld [4]`, `ja`, jumps with K and `ret #k`, so every syscall whose
 *    decision is an unconditional Allow is recognised by the kernel's action
 *    cache (seccomp_is_const_allow) and never runs the filter;
 *  - 64-bit argument compares are built from the two 32-bit halves with the
 *    high words compared first and the low words only when the high words
 *    are equal (the CVE-2019-9893 class), masks applied per half, and
 *    low32() compares read only the low word (the TIOCSTI class).
 * Finally the program is run through the seccomp checker; a rejection is a
 * compiler bug and is reported as such.
 */
#include "policy.h"
#include "check.h"
#include "insn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Far more than 4096, so that TOO_BIG can name the real size of reasonable
 * overflows, yet bounded so a pathological policy cannot exhaust memory. */
#define CG_CEILING (64u * JITK_MAXINSNS)
#define CG_JMAX 255u /* jt/jf are u8 */

#define OFF_NR 0u
#define OFF_ARCH 4u
#define OFF_ARG_LO(i) (16u + 8u * (unsigned)(i)) /* little endian (x86-64, aarch64) */
#define OFF_ARG_HI(i) (20u + 8u * (unsigned)(i))

/* What the accumulator holds at a point of the program, known from the
 * code that precedes it on every path.  ACC_WORD: A == word[off] & mask. */
enum acc_kind { ACC_NONE, ACC_UNKNOWN, ACC_WORD };
struct acc {
	enum acc_kind kind; /* ACC_NONE: the point is unreachable */
	uint32_t off, mask;
};

static const struct acc ACC_NR = { ACC_WORD, OFF_NR, 0xffffffffu };
static const struct acc ACC_UNKNOWN_ = { ACC_UNKNOWN, 0, 0 };

static bool acc_eq(struct acc a, struct acc b)
{
	return a.kind == b.kind && (a.kind != ACC_WORD || (a.off == b.off && a.mask == b.mask));
}

/* The state where two paths join. */
static struct acc acc_meet(struct acc a, struct acc b)
{
	if (a.kind == ACC_NONE)
		return b;
	if (b.kind == ACC_NONE)
		return a;
	return acc_eq(a, b) ? a : ACC_UNKNOWN_;
}

struct cg_ret {
	uint32_t action;
	size_t label;
};

struct cg_memo {
	const struct ir_decision *dec;
	bool args32; /* the code was made for an ABI with 32-bit arguments */
	size_t label;
};

struct cg {
	jitk_insn *buf; /* reversed: buf[0] is the program's last instruction */
	size_t n, cap;
	bool nomem, ceiling;
	struct cg_ret *rets; /* the newest `ret #k` per action */
	size_t nrets, caprets;
	struct cg_memo *memo; /* code of each decision (entered with A == nr) */
	size_t nmemo, capmemo;
	const jitk_compile_opts *opts;
	struct known {
		uint32_t *nr; /* sorted */
		size_t n;
	} known[JITK_ARCH__COUNT]; /* each ABI's syscall numbers (for weights) */
	/* The ABI being generated has 32-bit arguments (i386): the kernel
	 * uses only the low word, whatever the high word holds (docs/scpl.md),
	 * so the high word is never read. */
	bool args32;
	/* A's state where every decision's code starts (it is shared). */
	struct acc entry;
	/* One AUDIT_ARCH value: nr is read first and the arch is checked at
	 * the leaves (gen_program explains why). */
	bool may_nr_first, nr_first;
	uint32_t audit, foreign;
	struct cg_checked {
		const struct ir_decision *dec; /* NULL: `ret #action` */
		bool args32;
		uint32_t action;
		size_t label; /* ld [4]; jeq #audit, leaf, foreign */
	} *checked;
	size_t nchecked, capchecked;
};

static bool cg_failed(const struct cg *g)
{
	return g->nomem || g->ceiling;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	void *np = realloc(*p, ncap * elem);
	if (!np)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

/* Append one instruction (it will precede everything emitted so far) and
 * return its label. */
static size_t emit(struct cg *g, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (cg_failed(g))
		return 0;
	if (g->n >= CG_CEILING) {
		g->ceiling = true;
		return 0;
	}
	if (!grow((void **)&g->buf, &g->cap, g->n + 1, sizeof *g->buf)) {
		g->nomem = true;
		return 0;
	}
	g->buf[g->n] = (jitk_insn){ code, jt, jf, k };
	return g->n++;
}

/* Offset from an instruction about to be emitted to label t. */
static size_t dist(const struct cg *g, size_t t)
{
	return g->n - t - 1;
}

/* A label equivalent to t that a jump emitted next can reach with an 8-bit
 * offset: t itself, a copy of the `ret` at t, or a `ja` to t. */
static size_t near(struct cg *g, size_t t)
{
	if (dist(g, t) <= CG_JMAX)
		return t;
	const jitk_insn *i = &g->buf[t];
	if (i->code == (BPF_RET | BPF_K))
		return emit(g, i->code, 0, 0, i->k);
	return emit(g, BPF_JMP | BPF_JA, 0, 0, (uint32_t)dist(g, t));
}

/* Emit a conditional jump with K: A op k ? lt : lf. */
static size_t emit_jump(struct cg *g, uint16_t op, uint32_t k, size_t lt, size_t lf)
{
	if (cg_failed(g))
		return 0;
	if (lt == lf) {
		lt = lf = near(g, lt);
	} else {
		/* Each fix-up adds one instruction, which can push the other
		 * target out of reach; loop until both fit. */
		for (;;) {
			if (dist(g, lt) > CG_JMAX)
				lt = near(g, lt);
			else if (dist(g, lf) > CG_JMAX)
				lf = near(g, lf);
			else
				break;
			if (cg_failed(g))
				return 0;
		}
	}
	if (cg_failed(g))
		return 0;
	return emit(g, BPF_JMP | op | BPF_K, (uint8_t)dist(g, lt), (uint8_t)dist(g, lf), k);
}

/* Emit a non-jump instruction that falls through to label next. */
static size_t emit_stmt(struct cg *g, uint16_t code, uint32_t k, size_t next)
{
	if (cg_failed(g))
		return 0;
	if (g->n == 0 || next != g->n - 1)
		emit(g, BPF_JMP | BPF_JA, 0, 0, (uint32_t)dist(g, next));
	return emit(g, code, 0, 0, k);
}

/* A `ret #action`, shared with an earlier one when a jump can reach it. */
static size_t ret_label(struct cg *g, uint32_t action)
{
	for (size_t i = 0; i < g->nrets; i++)
		if (g->rets[i].action == action && dist(g, g->rets[i].label) <= CG_JMAX)
			return g->rets[i].label;
	size_t l = emit(g, BPF_RET | BPF_K, 0, 0, action);
	if (cg_failed(g))
		return 0;
	for (size_t i = 0; i < g->nrets; i++)
		if (g->rets[i].action == action) {
			g->rets[i].label = l;
			return l;
		}
	if (!grow((void **)&g->rets, &g->caprets, g->nrets + 1, sizeof *g->rets)) {
		g->nomem = true;
		return 0;
	}
	g->rets[g->nrets++] = (struct cg_ret){ action, l };
	return l;
}

/* Make A == word[off] & mask before label body, given A's state `in` there:
 * nothing if A already holds it, an `and` if A holds the word under a
 * wider mask, else a load (and an `and` unless mask is all ones). */
static size_t load_word(struct cg *g, struct acc in, uint32_t off, uint32_t mask, size_t body)
{
	if (in.kind == ACC_WORD && in.off == off) {
		if (in.mask == mask)
			return body;
		if ((mask & ~in.mask) == 0)
			return emit_stmt(g, BPF_ALU | BPF_AND | BPF_K, mask, body);
	}
	if (mask != 0xffffffffu)
		body = emit_stmt(g, BPF_ALU | BPF_AND | BPF_K, mask, body);
	return emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, off, body);
}

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

static struct cmp_shape cmp_shape(const struct pol_cond *c, bool args32)
{
	struct cmp_shape s;
	switch (c->op) {
	case POL_EQ: s.base = POL_EQ, s.neg = false; break;
	case POL_NE: s.base = POL_EQ, s.neg = true; break;
	case POL_GT: s.base = POL_GT, s.neg = false; break;
	case POL_LE: s.base = POL_GT, s.neg = true; break;
	case POL_GE: s.base = POL_GE, s.neg = false; break;
	case POL_LT: default: s.base = POL_GE, s.neg = true; break;
	}
	/* low32(argN), and every argument of a 32-bit ABI: the high word of
	 * the operand is 0 whatever the call's high bits are, so it is never
	 * read. */
	s.mh = c->low32 || args32 ? 0 : (uint32_t)(c->mask >> 32);
	s.ml = (uint32_t)c->mask;
	s.vh = (uint32_t)(c->value >> 32);
	s.vl = (uint32_t)c->value;
	s.off_hi = OFF_ARG_HI(c->arg);
	s.off_lo = OFF_ARG_LO(c->arg);

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
static void cmp_exits(const struct pol_cond *c, bool args32, struct acc in, struct acc *t,
		      struct acc *f)
{
	struct cmp_shape s = cmp_shape(c, args32);
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
	return emit_jump(g, op, k, thread_load(g, lt, st), thread_load(g, lf, st));
}

static size_t gen_cmp(struct cg *g, const struct pol_cond *c, size_t t, size_t f, struct acc in)
{
	struct cmp_shape s = cmp_shape(c, g->args32);
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
		size_t hi = s.jbit_hi ? cjump(g, BPF_JSET, s.mh, t, f, st_hi)
			    : s.jset_hi ? cjump(g, BPF_JSET, s.mh, f, t, st_hi)
				      : cjump(g, BPF_JEQ, s.vh, t, f, st_hi);
		hi = load_word(g, st_lo, s.off_hi, st_hi.mask, hi);
		size_t lo = s.jbit_lo ? cjump(g, BPF_JSET, s.ml, hi, f, st_lo)
			    : s.jset_lo ? cjump(g, BPF_JSET, s.ml, f, hi, st_lo)
				      : cjump(g, BPF_JEQ, s.vl, hi, f, st_lo);
		return load_word(g, in, s.off_lo, st_lo.mask, lo);
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
		lo = load_word(g, lo_in, s.off_lo, st_lo.mask, lo);
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
	return load_word(g, in, s.off_hi, st_hi.mask, hi);
}

/* A's state on the true and false exits of condition c entered with `in`. */
static void cond_exits(const struct pol_cond *c, bool args32, struct acc in, struct acc *t,
		       struct acc *f)
{
	struct acc lt, lf, rt, rf;
	switch (c->kind) {
	case POL_CMP:
		cmp_exits(c, args32, in, t, f);
		return;
	case POL_NOT:
		cond_exits(c->l, args32, in, f, t);
		return;
	case POL_AND:
		cond_exits(c->l, args32, in, &lt, &lf);
		cond_exits(c->r, args32, lt, &rt, &rf);
		*t = rt;
		*f = acc_meet(lf, rf);
		return;
	case POL_OR:
		cond_exits(c->l, args32, in, &lt, &lf);
		cond_exits(c->r, args32, lf, &rt, &rf);
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
	case POL_CMP:
		return gen_cmp(g, c, t, f, in);
	case POL_NOT:
		return gen_cond(g, c->l, f, t, in);
	case POL_AND:
		cond_exits(c->l, g->args32, in, &lt, &lf);
		return gen_cond(g, c->l, gen_cond(g, c->r, t, f, lt), f, in);
	case POL_OR:
		cond_exits(c->l, g->args32, in, &lt, &lf);
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
#define CG_SWITCH_MIN 3u  /* distinct constants for a switch to pay */
#define CG_LINEAR_MAX 3u  /* constants searched by a plain jeq chain */

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
 * (low32(), or an ABI with 32-bit arguments, docs/scpl.md). */
struct cg_key {
	uint8_t arg;
	uint32_t mh, ml;
};

/* Whether c is `x == v` for an operand x; *possible is false when v has a
 * bit x can never have (the equality never holds). */
static bool eq_key(const struct pol_cond *c, bool args32, struct cg_key *k, uint64_t *v,
		   bool *possible)
{
	if (c->kind != POL_CMP || c->op != POL_EQ)
		return false;
	k->arg = c->arg;
	k->mh = c->low32 || args32 ? 0 : (uint32_t)(c->mask >> 32);
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
static size_t find_key(const struct cg_case *k, bool args32, struct cg_key key, uint64_t *v,
		       bool *possible)
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

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return a < b ? -1 : a > b;
}

/* The distinct possible constants of the equalities on key in cs[0..m),
 * sorted, into v[] (room for m); returns how many. */
static size_t key_values(const struct cg_case *cs, size_t m, bool args32, struct cg_key key,
			 uint64_t *v)
{
	size_t n = 0;
	for (size_t j = 0; j < m; j++) {
		bool pos;
		find_key(&cs[j], args32, key, &v[n], &pos);
		n += pos;
	}
	qsort(v, n, sizeof *v, cmp_u64);
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
			uint64_t *vals = malloc((end - i) * sizeof *vals);
			if (!vals) {
				g->nomem = true;
				return best;
			}
			size_t d = key_values(cs + i, end - i, args32, key, vals);
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
static struct acc conj_exits(const struct pol_cond *const *conj, size_t n, bool args32,
			     struct acc in, struct acc *t)
{
	struct acc f = { ACC_NONE, 0, 0 }, ct, cf;
	for (size_t i = 0; i < n; i++) {
		cond_exits(conj[i], args32, in, &ct, &cf);
		f = acc_meet(f, cf);
		in = ct;
	}
	if (t)
		*t = in;
	return f;
}

static struct acc cases_fall(struct cg *g, const struct cg_case *cs, size_t n, struct acc in);

/* A's state where piece p (cases [i, p.end)) falls to what follows. */
static struct acc piece_fall(struct cg *g, const struct cg_case *cs, size_t i, struct piece p,
			     struct acc in)
{
	bool args32 = g->args32;
	switch (p.kind) {
	case PIECE_ONE:
		return conj_exits(cs[i].conj, cs[i].n, args32, in, NULL);
	case PIECE_FACTOR: {
		struct acc lt, lf;
		cond_exits(p.key, args32, in, &lt, &lf);
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
	case PIECE_SWITCH:
		break;
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

static size_t gen_cases(struct cg *g, const struct cg_case *cs, size_t n, size_t fall,
			struct acc in);

/* Code for a conjunction: t if every conjunct holds, else f. */
static size_t gen_conj(struct cg *g, const struct pol_cond *const *conj, size_t n, size_t t,
		       size_t f, struct acc in)
{
	struct acc st[CG_MAXCONJ];
	for (size_t i = 0; i < n; i++) {
		struct acc cf;
		st[i] = in;
		cond_exits(conj[i], g->args32, in, &in, &cf);
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
static size_t gen_switch(struct cg *g, const struct cg_case *cs, size_t m,
			 const struct pol_cond *key_cond, size_t fall, struct acc in)
{
	struct cg_key key = { 0, 0, 0 };
	uint64_t v0;
	bool pos;
	if (!eq_key(key_cond, g->args32, &key, &v0, &pos)) {
		g->nomem = true; /* unreachable: piece_at picked an equality */
		return 0;
	}
	size_t res = 0;
	uint64_t *v = malloc(m * sizeof *v);
	struct cg_case *sub = malloc(m * sizeof *sub);
	uint32_t *w = malloc(m * sizeof *w), *gw = malloc(m * sizeof *gw);
	size_t *lbl = malloc(m * sizeof *lbl), *glbl = malloc(m * sizeof *glbl);
	if (!v || !sub || !w || !gw || !lbl || !glbl) {
		g->nomem = true;
		goto out;
	}
	/* The distinct possible constants, sorted by low word, then high. */
	size_t nv = key_values(cs, m, g->args32, key, v);
	/* One nonzero high word for all (pointers, as Tor's file names): it is
	 * tested once, first, and most inputs are refused there; then the
	 * search is on the low word alone. */
	bool hi_once = key.mh && nv && (uint32_t)(v[0] >> 32) && v[0] >> 32 == v[nv - 1] >> 32;
	uint32_t vh_once = (uint32_t)(v[0] >> 32);
	struct acc in_lo = in;
	uint32_t smh = key.mh; /* the high word's mask in the search, 0: not read */
	if (hi_once) {
		smh = 0;
		in_lo = (struct acc){ ACC_WORD, OFF_ARG_HI(key.arg), key.mh };
		for (size_t i = 0; i < nv; i++)
			v[i] &= 0xffffffffu;
	}
	for (size_t i = 0; i < nv; i++)
		v[i] = v[i] << 32 | v[i] >> 32;
	qsort(v, nv, sizeof *v, cmp_u64);
	/* Each constant's cases, in order, without the equality, entered with
	 * A == the word the search read last. */
	struct acc st_lo = { ACC_WORD, OFF_ARG_LO(key.arg), key.ml };
	struct acc st_hi = { ACC_WORD, OFF_ARG_HI(key.arg), smh };
	for (size_t i = nv; i-- > 0 && !cg_failed(g);) {
		uint64_t c = v[i] << 32 | v[i] >> 32; /* the constant */
		if (hi_once)
			c |= (uint64_t)vh_once << 32;
		size_t ns = 0;
		for (size_t j = 0; j < m; j++) {
			uint64_t vj;
			size_t at = find_key(&cs[j], g->args32, key, &vj, &pos);
			if (pos && vj == c)
				sub[ns++] = case_without(&cs[j], at);
		}
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
			l = load_word(g, st_lo, st_hi.off, smh, l);
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
		res = load_word(g, in_lo, st_lo.off, key.ml,
				gen_search32(g, gw, glbl, nv - ng, nv - 1, fall, st_lo));
	if (hi_once && !cg_failed(g) && nv) {
		res = cjump(g, BPF_JEQ, vh_once, res, fall, in_lo);
		res = load_word(g, in, in_lo.off, in_lo.mask, res);
	}
out:
	free(v);
	free(sub);
	free(w);
	free(gw);
	free(lbl);
	free(glbl);
	return cg_failed(g) ? 0 : res;
}

/* Code for the cases cs[0..n) in order, first match, `fall` when none
 * holds, entered with A in state `in`. */
static size_t gen_cases(struct cg *g, const struct cg_case *cs, size_t n, size_t fall,
			struct acc in)
{
	if (n == 0)
		return fall;
	/* Forwards: the pieces and A's state where each starts. */
	struct piece *ps = malloc(n * sizeof *ps);
	struct acc *ins = malloc(n * sizeof *ins);
	size_t *at = malloc(n * sizeof *at);
	size_t np = 0;
	if (!ps || !ins || !at) {
		g->nomem = true;
		goto out;
	}
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
			size_t ret = ret_label(g, c->action);
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
			cond_exits(ps[k].key, g->args32, ins[k], &lt, &lf);
			size_t inner = gen_cases(g, sub, m, fall, lt);
			free(sub);
			fall = gen_cond(g, ps[k].key, inner, fall, ins[k]);
			break;
		}
		case PIECE_SWITCH:
			fall = gen_switch(g, c, m, ps[k].key, fall, ins[k]);
			break;
		}
	}
out:
	free(ps);
	free(ins);
	free(at);
	return cg_failed(g) ? 0 : fall;
}

/* The decision's code, entered with A in state g->entry. */
static size_t gen_decision(struct cg *g, const struct ir_decision *dec)
{
	for (size_t i = 0; i < g->nmemo; i++)
		if (g->memo[i].dec == dec && g->memo[i].args32 == g->args32)
			return g->memo[i].label;
	if (dec->ncases == 0)
		return ret_label(g, dec->otherwise);
	struct cg_case *cs = malloc(dec->ncases * sizeof *cs);
	if (!cs) {
		g->nomem = true;
		return 0;
	}
	for (size_t i = 0; i < dec->ncases; i++)
		case_of(&cs[i], &dec->cases[i]);
	size_t l = gen_cases(g, cs, dec->ncases, ret_label(g, dec->otherwise), g->entry);
	free(cs);
	if (cg_failed(g))
		return 0;
	if (!grow((void **)&g->memo, &g->capmemo, g->nmemo + 1, sizeof *g->memo)) {
		g->nomem = true;
		return 0;
	}
	g->memo[g->nmemo++] = (struct cg_memo){ dec, g->args32, l };
	return l;
}

/* --------------------------------------------------- the search on nr */

/*
 * The search is over a partition of the 32-bit nr space into segments; each
 * ends in a leaf: a decision's code (for an ABI, which fixes the argument
 * width) or a `ret #action` (an ABI's default gap, or the foreign half of
 * AUDIT_ARCH_X86_64 when x86_64 or x32 is not listed).
 *
 * The tree's shape decides the cost of every system call, so it is chosen
 * to minimise the expected number of jumps under a weight per segment:
 *   - without opts->weights, every known syscall of the segment's ABI
 *     counts 1 (the ABI's syscall table): big default gaps hold most
 *     numbers and sit near the root, lone listed numbers sit deeper; the
 *     x32 half counts 1/1000 as much (x32 processes are rare), and the
 *     foreign half and numbers no ABI names count nothing;
 *   - with opts->weights (x86_64 numbers, e.g. from a trace), x86_64
 *     segments weigh what the trace says;
 *   - a floor of total/(16 n) on every segment bounds the depth of a light
 *     segment to about log2(16 n) + 2, so no call becomes much slower than
 *     in a balanced tree.
 * The tree is an optimal alphabetic tree for these weights (dynamic
 * programming over intervals, O(n^3), for up to CG_DP_MAX segments; above
 * that, a split balancing weight).  Whatever the shape, every leaf is
 * reached exactly by the numbers of its segment: the tree is a search over
 * sorted, disjoint segments covering 0..2^32-1.
 */
struct seg {
	uint32_t lo, hi;
	const struct ir_decision *dec; /* NULL: `ret #action` */
	uint32_t action;
	bool args32;                   /* the decision's ABI has 32-bit arguments */
	double weight;
	double cover;  /* known syscalls of the main ABIs (not x32): the median's */
	unsigned cost; /* instructions from the leaf's entry to its `ret` (estimate) */
	unsigned worst; /* ... on its longest path */
	size_t size;   /* instructions of its decision's code */
};

struct seglist {
	struct seg *v;
	size_t n, cap;
};

#define CG_DP_MAX 400u

static bool seg_same_leaf(const struct seg *a, const struct seg *b)
{
	if (a->dec || b->dec)
		return a->dec == b->dec && a->args32 == b->args32;
	return a->action == b->action;
}

/* Append a segment, merging it into the previous one when both end in the
 * same leaf and are adjacent. */
static void seg_push(struct cg *g, struct seglist *L, struct seg s)
{
	if (L->n && seg_same_leaf(&L->v[L->n - 1], &s) && L->v[L->n - 1].hi + 1u == s.lo) {
		L->v[L->n - 1].hi = s.hi;
		L->v[L->n - 1].weight += s.weight;
		L->v[L->n - 1].cover += s.cover;
		return;
	}
	if (!grow((void **)&L->v, &L->cap, L->n + 1, sizeof *L->v)) {
		g->nomem = true;
		return;
	}
	L->v[L->n++] = s;
}

/* The prior weight of [lo, hi] on ABI a: its known syscalls, or the trace. */
static double seg_prior(const struct cg *g, jitk_arch a, uint32_t lo, uint32_t hi)
{
	const double *w = g->opts ? g->opts->weights : NULL;
	size_t nw = g->opts ? g->opts->nweights : 0;
	double sum = 0;
	if (w && nw) {
		if (a == JITK_ARCH_X86_64)
			for (uint64_t nr = lo; nr <= hi && nr < nw; nr++)
				sum += w[nr] > 0 ? w[nr] : 0;
		return sum;
	}
	const struct known *k = &g->known[a];
	for (size_t i = 0; i < k->n && k->nr[i] <= hi; i++)
		sum += k->nr[i] >= lo;
	return a == JITK_ARCH_X32 ? sum / 1000 : sum;
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

/* The known syscall numbers of every ABI (jitk_syscall_at's tables),
 * sorted, for the weights. */
static void load_known(struct cg *g)
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		size_t n = 0;
		while (jitk_syscall_at((jitk_arch)a, n, NULL, NULL))
			n++;
		uint32_t *v = malloc((n ? n : 1) * sizeof *v);
		if (!v) {
			g->nomem = true;
			return;
		}
		for (size_t i = 0; i < n; i++) {
			int nr = 0;
			jitk_syscall_at((jitk_arch)a, i, NULL, &nr);
			v[i] = (uint32_t)nr;
		}
		qsort(v, n, sizeof *v, cmp_u32);
		g->known[a] = (struct known){ v, n };
	}
}

/* The segments of ABI a over [from, to] (its ranges and default gaps); a
 * NULL a is one foreign segment. */
static void add_abi(struct cg *g, struct seglist *L, const struct ir_arch *a, jitk_arch abi,
		    uint32_t from, uint32_t to, uint32_t foreign)
{
	if (!a) {
		seg_push(g, L, (struct seg){ from, to, NULL, foreign, false, 0, 0, 0, 0, 0 });
		return;
	}
	bool args32 = a->arch == JITK_ARCH_I386;
	uint64_t next = from; /* first nr not yet covered */
	for (size_t i = 0; i <= a->nranges; i++) {
		const struct ir_range *r = i < a->nranges ? &a->ranges[i] : NULL;
		if (r && (r->hi < from || r->lo > to))
			continue; /* ir.c keeps every number on its side of the x32 guard */
		uint64_t gap_end = r ? (uint64_t)r->lo - 1 : to;
		if (r ? r->lo > next : next <= to) {
			double w = seg_prior(g, abi, (uint32_t)next, (uint32_t)gap_end);
			seg_push(g, L, (struct seg){ (uint32_t)next, (uint32_t)gap_end, NULL,
						     a->default_action, false, w,
						     abi == JITK_ARCH_X32 ? 0 : w, 0, 0, 0 });
		}
		if (!r)
			break;
		/* a decision without cases is its `ret` (an unconditional rule) */
		double w = seg_prior(g, abi, r->lo, r->hi);
		seg_push(g, L, (struct seg){ r->lo, r->hi, r->dec->ncases ? r->dec : NULL,
					     r->dec->otherwise, r->dec->ncases && args32, w,
					     abi == JITK_ARCH_X32 ? 0 : w, 0, 0, 0 });
		next = (uint64_t)r->hi + 1;
	}
}

static size_t gen_leaf_code(struct cg *g, const struct seg *s)
{
	if (!s->dec)
		return ret_label(g, s->action);
	g->args32 = s->args32;
	return gen_decision(g, s->dec);
}

/*
 * A leaf of the search.  With the arch checked first, its code.  With the
 * nr read first (gen_program: one AUDIT_ARCH value), the arch check comes
 * here: `ld [4]; jeq #audit, code, ret #foreign`, shared by the leaves
 * with the same code while a jump reaches it, except where the leaf's
 * answer is the foreign action itself, which is then right for every arch.
 */
static size_t gen_leaf(struct cg *g, const struct seg *s)
{
	if (!g->nr_first || (!s->dec && s->action == g->foreign))
		return gen_leaf_code(g, s);
	for (size_t i = 0; i < g->nchecked; i++) {
		const struct cg_checked *c = &g->checked[i];
		if (c->dec == s->dec && (s->dec ? c->args32 == s->args32 : c->action == s->action) &&
		    dist(g, c->label) <= CG_JMAX)
			return c->label;
	}
	size_t code = gen_leaf_code(g, s);
	size_t l = emit_jump(g, BPF_JEQ, g->audit, code, ret_label(g, g->foreign));
	l = emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH, l);
	if (cg_failed(g))
		return 0;
	if (!grow((void **)&g->checked, &g->capchecked, g->nchecked + 1, sizeof *g->checked)) {
		g->nomem = true;
		return 0;
	}
	g->checked[g->nchecked++] = (struct cg_checked){ s->dec, s->args32, s->action, l };
	return l;
}

/* Decisions of more instructions than this are placed out of the tree. */
#define CG_INLINE_MAX 24u

/* The size of a segment's decision code and its longest path (to a
 * `ret`), generated apart and dropped. */
static void decision_measure(const struct cg *g, struct seg *s)
{
	struct cg t = { .opts = g->opts, .entry = g->entry, .args32 = s->args32 };
	size_t entry = gen_decision(&t, s->dec);
	s->size = (size_t)-1;
	s->worst = 1000;
	size_t *lp = t.nomem || t.ceiling ? NULL : malloc((t.n ? t.n : 1) * sizeof *lp);
	if (lp) {
		/* labels count from the end: every jump goes to a smaller one */
		for (size_t l = 0; l < t.n; l++) {
			const jitk_insn *i = &t.buf[l];
			size_t next = 0;
			if (BPF_CLASS(i->code) == BPF_RET)
				next = 0;
			else if (i->code == (BPF_JMP | BPF_JA))
				next = lp[l - 1 - i->k];
			else if (BPF_CLASS(i->code) == BPF_JMP)
				next = lp[l - 1 - i->jt] > lp[l - 1 - i->jf] ? lp[l - 1 - i->jt]
									      : lp[l - 1 - i->jf];
			else
				next = lp[l - 1];
			lp[l] = 1 + next;
		}
		s->size = t.n;
		s->worst = (unsigned)lp[entry];
		free(lp);
	}
	free(t.buf);
	free(t.rets);
	free(t.memo);
}

/* segs[lo+1] is one number between two pieces with the same leaf
 * (typically default gaps around a listed syscall): a single jeq. */
static bool jeq_shape(const struct seg *segs, size_t lo, size_t hi)
{
	return hi - lo == 2 && seg_same_leaf(&segs[lo], &segs[hi]) &&
	       segs[lo + 1].lo == segs[lo + 1].hi;
}

/* Split points of an optimal tree: cost(i, j) = W(i..j) + min over the
 * split k of cost(i, k-1) + cost(k, j), a jeq node costing W once.
 * split[i * n + j] is k, or 0 for the jeq node.  NULL if too big. */
static size_t *optimal_splits(const struct seg *segs, size_t n, double **cost_out)
{
	*cost_out = NULL;
	if (n > CG_DP_MAX)
		return NULL;
	double *cost = calloc(n * n, sizeof *cost);
	double *pre = malloc((n + 1) * sizeof *pre);
	size_t *split = calloc(n * n, sizeof *split);
	if (!cost || !pre || !split) {
		free(cost);
		free(pre);
		free(split);
		return NULL;
	}
	pre[0] = 0;
	for (size_t i = 0; i < n; i++)
		pre[i + 1] = pre[i] + segs[i].weight;
	for (size_t len = 2; len <= n; len++)
		for (size_t i = 0; i + len <= n; i++) {
			size_t j = i + len - 1;
			double w = pre[j + 1] - pre[i], best = -1;
			size_t at = i + 1;
			for (size_t k = i + 1; k <= j; k++) {
				double c = cost[i * n + k - 1] + cost[k * n + j];
				if (best < 0 || c < best) {
					best = c;
					at = k;
				}
			}
			if (jeq_shape(segs, i, j) && 0 <= best) {
				best = 0; /* both leaves at depth 1 under one node */
				at = 0;
			}
			cost[i * n + j] = w + best;
			split[i * n + j] = at;
		}
	*cost_out = cost;
	free(pre);
	return split;
}

/*
 * The median.  The mean-optimal tree decides the heavy default gaps early
 * but spreads the rest evenly; what a program pays for "most" numbers (the
 * median of the instructions run over the ABI's syscalls) is better served
 * by a tree where at least half of the known syscalls are decided within a
 * budget T, as small as possible.  For a given T, med(i, j, d) is the
 * cost of a subtree over segs[i..j] whose root is at depth d:
 *     sum of weight x depth  +  M x (known syscalls whose leaf is reached
 *                                    in more than T instructions)
 * with M larger than any weight x depth sum, so the DP first maximises
 * the syscalls decided within T and then minimises the mean.  Below depth
 * dcut no leaf can be within T, and med(i, j, d) is the mean DP's cost plus
 * M x the whole subtree's syscalls: only dcut levels are tabulated.
 * The smallest T for which more than half of the syscalls fit is kept.
 */
#define CG_MED_MAXN 256u
#define CG_MED_MAXD 12u

static size_t balanced_split(const struct seg *segs, size_t lo, size_t hi);

struct tree_plan {
	size_t n;
	size_t *split;    /* mean-optimal splits (optimal_splits), or NULL */
	uint16_t *msplit; /* median splits per depth < dcut, or NULL */
	unsigned dcut;
};

static size_t plan_split(const struct tree_plan *tp, const struct seg *segs, size_t lo, size_t hi,
			 unsigned d)
{
	size_t n = tp->n;
	if (tp->msplit && d < tp->dcut)
		return tp->msplit[((size_t)d * n + lo) * n + hi];
	if (tp->split)
		return tp->split[lo * n + hi];
	return jeq_shape(segs, lo, hi) ? 0 : balanced_split(segs, lo, hi);
}

/* Known syscalls of segs[lo..hi] decided within T instructions (prologue P). */
static double plan_cover(const struct tree_plan *tp, const struct seg *segs, size_t lo, size_t hi,
			 unsigned d, unsigned P, unsigned T)
{
	if (lo == hi)
		return P + d + segs[lo].cost <= T ? segs[lo].cover : 0;
	size_t m = plan_split(tp, segs, lo, hi, d);
	if (m == 0)
		return plan_cover(tp, segs, lo, lo, d + 1, P, T) +
		       plan_cover(tp, segs, lo + 1, lo + 1, d + 1, P, T) +
		       plan_cover(tp, segs, hi, hi, d + 1, P, T);
	return plan_cover(tp, segs, lo, m - 1, d + 1, P, T) + plan_cover(tp, segs, m, hi, d + 1, P, T);
}

/* The median splits for budget T (tp->split and mcost: the mean DP). */
/* Depth of each leaf in the mean-optimal tree (depth[i] for segs[i]). */
static void mean_depths(const struct seg *segs, size_t n, const size_t *split, size_t lo,
			size_t hi, unsigned d, unsigned *depth)
{
	if (lo == hi) {
		depth[lo] = d;
		return;
	}
	size_t k = split[lo * n + hi];
	if (k == 0) {
		depth[lo] = depth[lo + 1] = depth[hi] = d + 1;
		return;
	}
	mean_depths(segs, n, split, lo, k - 1, d + 1, depth);
	mean_depths(segs, n, split, k, hi, d + 1, depth);
}

/*
 * What bounds the median tree, from the mean-optimal one, per subtree over
 * segs[i..j] of the mean tree (the shape the median tree keeps below its
 * top levels):
 *   H[i * n + j]: the longest path (jumps + the leaf's longest path), so
 *     that no syscall's worst case grows (H[n - 1]: the whole tree's);
 *   G[i * n + j]: the deepest root depth at which no decision (a leaf with
 *     argument checks, where the longest paths are) is deeper than in the
 *     mean tree: only `ret` leaves are pushed down for the median.
 */
static double *mean_bounds(const struct seg *segs, size_t n, const size_t *split, double **G_out)
{
	double *H = malloc(n * n * sizeof *H), *G = malloc(n * n * sizeof *G);
	unsigned *depth = malloc(n * sizeof *depth);
	*G_out = NULL;
	if (!H || !G || !depth) {
		free(H);
		free(G);
		free(depth);
		return NULL;
	}
	mean_depths(segs, n, split, 0, n - 1, 0, depth);
	for (size_t len = 1; len <= n; len++)
		for (size_t i = 0; i + len <= n; i++) {
			size_t j = i + len - 1, k = len == 1 ? 1 : split[i * n + j];
			double h, gg;
			if (len == 1) {
				h = segs[i].worst;
				gg = segs[i].dec ? depth[i] : HUGE_VAL;
			} else if (k == 0) { /* jeq: the three leaves one jump down */
				h = segs[i].worst > segs[i + 1].worst ? segs[i].worst : segs[i + 1].worst;
				h = 1 + (h > segs[j].worst ? h : segs[j].worst);
				gg = HUGE_VAL;
				for (size_t m = i; m <= j; m++)
					if (segs[m].dec && depth[m] - 1.0 < gg)
						gg = depth[m] - 1.0;
			} else {
				h = 1 + (H[i * n + k - 1] > H[k * n + j] ? H[i * n + k - 1] : H[k * n + j]);
				gg = (G[i * n + k - 1] < G[k * n + j] ? G[i * n + k - 1] : G[k * n + j]) - 1;
			}
			H[i * n + j] = h;
			G[i * n + j] = gg;
		}
	free(depth);
	*G_out = G;
	return H;
}

static uint16_t *median_splits(const struct seg *segs, size_t n, const double *mcost,
			       const double *H, const double *G, double maxlen, unsigned P,
			       unsigned T, unsigned *dcut_out)
{
	unsigned cmin = ~0u;
	double wsum = 0, csum = 0;
	for (size_t i = 0; i < n; i++) {
		cmin = segs[i].cost < cmin ? segs[i].cost : cmin;
		wsum += segs[i].weight;
		csum += segs[i].cover;
	}
	if (P + cmin > T)
		return NULL;
	unsigned dcut = T - P - cmin + 1; /* depth >= dcut: no leaf within T */
	if (dcut > CG_MED_MAXD)
		return NULL;
	double M = wsum * (double)(n + 2) + 1; /* > any weight x depth sum */
	double *pre = malloc((n + 1) * sizeof *pre), *cpre = malloc((n + 1) * sizeof *cpre);
	double *cost = malloc((size_t)dcut * n * n * sizeof *cost);
	uint16_t *split = calloc((size_t)dcut * n * n, sizeof *split);
	if (!pre || !cpre || !cost || !split) {
		free(pre);
		free(cpre);
		free(cost);
		free(split);
		return NULL;
	}
	pre[0] = cpre[0] = 0;
	for (size_t i = 0; i < n; i++) {
		pre[i + 1] = pre[i] + segs[i].weight;
		cpre[i + 1] = cpre[i] + segs[i].cover;
	}
	(void)csum;
	/* med(i, j, d), for d >= dcut from the mean DP */
	/* a subtree whose longest path would exceed maxlen is infeasible */
#define TOO_LONG(i, j, d) (P + (d) + H[(i) * n + (j)] > maxlen || (d) > G[(i) * n + (j)])
#define MED(i, j, d)                                                                    \
	((d) >= dcut ? (TOO_LONG(i, j, d) ? HUGE_VAL                                    \
					  : ((i) == (j) ? 0 : mcost[(i) * n + (j)]) +   \
						    M * (cpre[(j) + 1] - cpre[i]))      \
		     : cost[((size_t)(d) * n + (i)) * n + (j)])
#define PEN(i, d)                                                                       \
	(P + (d) + segs[i].worst > maxlen || (d) > G[(i) * n + (i)] ? HUGE_VAL          \
	 : P + (d) + segs[i].cost > T	  ? M * segs[i].cover                           \
					  : 0)
	for (unsigned d = dcut; d-- > 0;) {
		for (size_t i = 0; i < n; i++)
			cost[((size_t)d * n + i) * n + i] = PEN(i, d);
		for (size_t len = 2; len <= n; len++)
			for (size_t i = 0; i + len <= n; i++) {
				size_t j = i + len - 1;
				double best = -1;
				size_t at = i + 1;
				for (size_t k = i + 1; k <= j; k++) {
					double c = MED(i, k - 1, d + 1) + MED(k, j, d + 1);
					if (best < 0 || c < best) {
						best = c;
						at = k;
					}
				}
				if (jeq_shape(segs, i, j)) {
					double c = PEN(i, d + 1) + PEN(i + 1, d + 1) + PEN(j, d + 1);
					if (c <= best) {
						best = c;
						at = 0;
					}
				}
				cost[((size_t)d * n + i) * n + j] = pre[j + 1] - pre[i] + best;
				split[((size_t)d * n + i) * n + j] = (uint16_t)at;
			}
	}
	bool feasible = cost[0 * n + n - 1] < HUGE_VAL;
#undef MED
#undef PEN
#undef TOO_LONG
	free(pre);
	free(cpre);
	free(cost);
	if (!feasible) {
		free(split);
		return NULL;
	}
	*dcut_out = dcut;
	return split;
}

/* Without the table: the split that best balances weight. */
static size_t balanced_split(const struct seg *segs, size_t lo, size_t hi)
{
	double total = 0, left = 0;
	for (size_t i = lo; i <= hi; i++)
		total += segs[i].weight;
	size_t best = lo + 1;
	double best_gap = -1;
	for (size_t m = lo + 1; m <= hi; m++) {
		left += segs[m - 1].weight;
		double gap = left * 2 > total ? left * 2 - total : total - left * 2;
		if (best_gap < 0 || gap < best_gap) {
			best_gap = gap;
			best = m;
		}
	}
	return best;
}

/* Search tree over segs[lo..hi] (which cover the nr values that can get
 * here), entered with A == nr.  Only jumps with K: cache-friendly. */
static size_t gen_tree(struct cg *g, const struct seg *segs, const struct tree_plan *tp,
		       size_t lo, size_t hi, unsigned d)
{
	if (cg_failed(g))
		return 0;
	if (lo == hi)
		return gen_leaf(g, &segs[lo]);
	size_t m = plan_split(tp, segs, lo, hi, d);
	if (m == 0) {
		size_t mid = gen_leaf(g, &segs[lo + 1]);
		size_t out = gen_leaf(g, &segs[lo]);
		return emit_jump(g, BPF_JEQ, segs[lo + 1].lo, mid, out);
	}
	size_t right = gen_tree(g, segs, tp, m, hi, d + 1);
	size_t left = gen_tree(g, segs, tp, lo, m - 1, d + 1);
	return emit_jump(g, BPF_JGE, segs[m].lo, right, left);
}

/* The dispatch on nr for one AUDIT_ARCH value, entered with A == nr. */
static size_t gen_search(struct cg *g, struct seglist *L)
{
	if (cg_failed(g) || !L->n)
		return 0;
	double total = 0;
	for (size_t i = 0; i < L->n; i++)
		total += L->v[i].weight;
	double floor = total > 0 ? total / (16.0 * (double)L->n) : 1;
	double cover = 0;
	for (size_t i = 0; i < L->n; i++) {
		struct seg *sg = &L->v[i];
		sg->weight += floor;
		cover += sg->cover;
		/* a `ret`, or a decision's shortest useful path (load, jump,
		 * ret); plus the arch check where the leaf does it */
		sg->cost = sg->dec ? 3 : 1;
		sg->worst = 1;
		sg->size = 1;
		if (sg->dec)
			decision_measure(g, sg);
		if (g->nr_first && (sg->dec || sg->action != g->foreign)) {
			sg->cost += 2;
			sg->worst += 2;
		}
	}
	double *mcost;
	struct tree_plan tp = { L->n, optimal_splits(L->v, L->n, &mcost), NULL, 0 };
	/* Without a trace, the median: the smallest budget within which more
	 * than half of the known syscalls are decided. */
	bool traced = g->opts && g->opts->weights && g->opts->nweights;
	unsigned P = g->nr_first ? 1 : 3; /* ld [0], or ld [4]; jeq; ld [0] */
	double *G = NULL;
	double *H = !traced && tp.split && cover > 0 && L->n <= CG_MED_MAXN
			    ? mean_bounds(L->v, L->n, tp.split, &G) : NULL;
	if (H) {
		/* the median tree's longest path is no longer than the mean
		 * tree's (estimated from each leaf's longest path) */
		double maxlen = P + H[L->n - 1];
		for (unsigned T = P + 1; T <= P + CG_MED_MAXD; T++) {
			tp.msplit = median_splits(L->v, L->n, mcost, H, G, maxlen, P, T, &tp.dcut);
			if (tp.msplit && 2 * plan_cover(&tp, L->v, 0, L->n - 1, 0, P, T) > cover + 1)
				break;
			free(tp.msplit);
			tp.msplit = NULL;
		}
		free(H);
		free(G);
	}
	free(mcost);
	/* Big decisions go out of line, before the tree (backwards: after it
	 * in the program), the heaviest nearest, so that the tree's own jumps
	 * stay within 255 instructions: a `ja` trampoline in the tree would
	 * cost every number below it a step, one at a decision's entry costs
	 * only that decision's numbers. */
	size_t *big = malloc(L->n * sizeof *big), nbig = 0;
	if (!big)
		g->nomem = true;
	for (size_t i = 0; big && i < L->n; i++)
		if (L->v[i].dec && L->v[i].size > CG_INLINE_MAX)
			big[nbig++] = i;
	for (size_t a = 1; a < nbig; a++) /* by weight, lightest first (insertion sort) */
		for (size_t b = a; b > 0 && L->v[big[b - 1]].weight > L->v[big[b]].weight; b--) {
			size_t t = big[b];
			big[b] = big[b - 1];
			big[b - 1] = t;
		}
	for (size_t i = 0; i < nbig; i++)
		gen_leaf_code(g, &L->v[big[i]]);
	free(big);
	size_t l = gen_tree(g, L->v, &tp, 0, L->n - 1, 0);
	free(tp.split);
	free(tp.msplit);
	return l;
}

/* ------------------------------------------------------------ program */

static const struct ir_arch *find_arch(const struct ir_policy *ir, jitk_arch a)
{
	for (size_t i = 0; i < ir->narch; i++)
		if (ir->arches[i].arch == a)
			return &ir->arches[i];
	return NULL;
}

static void gen_program(struct cg *g, const struct ir_policy *ir)
{
	/* One block per AUDIT_ARCH value, entered with A == arch. */
	uint32_t audits[JITK_ARCH__COUNT];
	size_t blocks[JITK_ARCH__COUNT];
	size_t nblocks = 0;
	size_t foreign = ret_label(g, ir->foreign_action);

	const struct ir_arch *x64 = find_arch(ir, JITK_ARCH_X86_64);
	const struct ir_arch *x32 = find_arch(ir, JITK_ARCH_X32);
	size_t naudit = x64 || x32;
	for (size_t i = 0; i < ir->narch; i++)
		naudit += ir->arches[i].arch != JITK_ARCH_X86_64 && ir->arches[i].arch != JITK_ARCH_X32;
	/*
	 * Opt-in (jitk_compile_opts.arch_at_leaves; by default the arch check
	 * comes first).  With one AUDIT_ARCH value, nr is read first and the
	 * arch checked at the leaves of the search (gen_leaf): `ld [0]; <search>; ld [4]; jeq
	 * #audit, leaf, ret #foreign` costs what `ld [4]; jeq; ld [0];
	 * <search>; leaf` costs, and a leaf whose answer is the foreign action
	 * needs no arch check at all: when the default action equals the
	 * foreign one (deny-by-default policies), every number in a default gap
	 * is decided two instructions sooner.  Otherwise nothing is gained (and
	 * the leaves' checks make the program longer), so the arch comes first
	 * as usual; so too if the checks push the program over 4096
	 * instructions (codegen retries).  Reading nr first reads data and
	 * decides nothing: no path reaches an answer other than the foreign
	 * action without `jeq #audit` holding, and the x32 guard is still a
	 * split of the search below any leaf (x32 numbers reach only x32 or
	 * foreign leaves).  jitk_verify proves the result equal to the policy
	 * for every arch, as for every filter.
	 */
	const struct ir_arch *only = x64 ? x64 : x32 ? x32 : ir->narch ? &ir->arches[0] : NULL;
	g->nr_first = g->may_nr_first && naudit == 1 && only &&
		      only->default_action == ir->foreign_action;
	g->foreign = ir->foreign_action;
	if (g->nr_first)
		g->entry = (struct acc){ ACC_WORD, OFF_ARCH, 0xffffffffu };

	if (x64 || x32) {
		/* AUDIT_ARCH_X86_64 carries two ABIs; docs/scpl.md splits them at
		 * nr >= 0x40000000 (unsigned), the x32 guard: every number at or
		 * above the x32 bit, negative ones included, is never x86_64.
		 * One search covers both halves: the x86_64 segments lie below
		 * the guard and the x32 ones (or one foreign segment if x32 is not
		 * listed) above it, so the guard is a split point of the tree
		 * like any other, and an x32 number can only reach an x32 leaf.
		 * When both sides of the guard end in the same `ret`, the
		 * segments merge and the guard costs nothing. */
		g->audit = jitk_arch_audit(JITK_ARCH_X86_64);
		struct seglist L = { 0 };
		add_abi(g, &L, x64, JITK_ARCH_X86_64, 0, JITK_X32_SYSCALL_BIT - 1, ir->foreign_action);
		add_abi(g, &L, x32, JITK_ARCH_X32, JITK_X32_SYSCALL_BIT, 0xffffffffu, ir->foreign_action);
		size_t tree = gen_search(g, &L);
		free(L.v);
		blocks[nblocks] = emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, OFF_NR, tree);
		audits[nblocks++] = g->audit;
	}
	for (size_t i = 0; i < ir->narch; i++) {
		const struct ir_arch *a = &ir->arches[i];
		if (a->arch == JITK_ARCH_X86_64 || a->arch == JITK_ARCH_X32)
			continue;
		g->audit = a->audit;
		struct seglist L = { 0 };
		add_abi(g, &L, a, a->arch, 0, 0xffffffffu, ir->foreign_action);
		size_t tree = gen_search(g, &L);
		free(L.v);
		blocks[nblocks] = emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, OFF_NR, tree);
		audits[nblocks++] = a->audit;
	}
	if (g->nr_first)
		return; /* the block is the program: ld [0]; <search with checked leaves> */
	/* The arch chain, in the order above (x86-64 first). */
	size_t next = foreign;
	for (size_t i = nblocks; i-- > 0;)
		next = emit_jump(g, BPF_JEQ, audits[i], blocks[i], next);
	emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH, next); /* A == arch for the chain */
}

jitk_err codegen(const struct ir_policy *ir, const jitk_compile_opts *opts,
		 jitk_filter **out, jitk_diag *d)
{
	if (!ir || !out)
		return diag_err(d, JITK_E_INVAL, "codegen: NULL argument");
	*out = NULL;
	/* The arch check comes first unless the caller opts into checking it
	 * at the leaves (jitk_compile_opts.arch_at_leaves). */
	struct cg g = { .opts = opts, .entry = ACC_NR, .may_nr_first = opts && opts->arch_at_leaves };
	load_known(&g);
	gen_program(&g, ir);
	if (g.nr_first && !g.nomem && (g.ceiling || g.n > JITK_MAXINSNS)) {
		/* The arch checks at the leaves made it too big: the arch first. */
		free(g.buf);
		free(g.rets);
		free(g.memo);
		free(g.checked);
		struct cg h = { .opts = opts, .entry = ACC_NR };
		memcpy(h.known, g.known, sizeof h.known);
		g = h;
		gen_program(&g, ir);
	}
	free(g.rets);
	free(g.memo);
	free(g.checked);
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		free(g.known[a].nr);
	if (g.nomem) {
		free(g.buf);
		return diag_err(d, JITK_E_NOMEM, "out of memory generating code");
	}
	if (g.ceiling || g.n > JITK_MAXINSNS) {
		size_t n = g.n;
		free(g.buf);
		if (g.ceiling)
			diag_err(d, JITK_E_TOO_BIG,
				 "the compiled filter has more than %u instructions; seccomp allows at most %d",
				 CG_CEILING, JITK_MAXINSNS);
		else
			diag_err(d, JITK_E_TOO_BIG,
				 "the compiled filter has %zu instructions; seccomp allows at most %d",
				 n, JITK_MAXINSNS);
		diag_hint(d, "use fewer argument conditions, or split the policy into stacked filters");
		return JITK_E_TOO_BIG;
	}
	jitk_filter *f = filter_alloc(g.n);
	if (!f) {
		free(g.buf);
		return diag_err(d, JITK_E_NOMEM, "out of memory generating code");
	}
	for (size_t i = 0; i < g.n; i++)
		f->insns[i] = g.buf[g.n - 1 - i];
	free(g.buf);

	/* The generator is not trusted: the checker decides.  A rejection is
	 * a bug here, never the user's fault. */
	jitk_diag cd;
	if (check_insns(f->insns, f->len, &cd)) {
		jitk_filter_free(f);
		diag_insn(d, JITK_E_CHECK, cd.index, cd.rule,
			  "internal compiler error: the generated filter fails the seccomp checker (%s); this is a compiler bug",
			  cd.msg);
		diag_hint(d, "please report it with the policy; `jitk compile --format text` shows the code");
		return JITK_E_CHECK;
	}
	*out = f;
	return JITK_OK;
}
