/*
 * verify.c - translation validation with Z3: jitk_verify and jitk_equiv.
 *
 * Each side (a policy or a filter) becomes a 32-bit term over one symbolic
 * seccomp_data (trusted/smt_bpf.c, trusted/smt_scpl.c).  Z3 is asked
 * whether the two terms can differ:
 *   UNSAT   - they are equal on all 2^512 inputs: JITK_OK;
 *   SAT     - the model is a concrete input; it is replayed through the
 *             concrete semantics (jitk_interp, jitk_policy_eval) and must
 *             really differ there, else it is an internal error (never a
 *             silent pass); then its (arch, nr) is blocked and Z3 asked
 *             again, up to maxcex witnesses: JITK_E_DIFFERENT;
 *   UNKNOWN - timeout or incompleteness: JITK_E_SOLVER, never success,
 *             naming the part of the input space left undecided.
 * A filter the checker rejects is JITK_E_CHECK before Z3 is involved.
 *
 * Decomposition (docs/verify.md, "Parts").  One query over the whole space
 * grows much faster than the policy: Z3 must bit-blast every rule and the
 * whole search tree at once.  Instead the space is cut, recursively, into
 * boxes (one interval per 32-bit word of seccomp_data, verify.h), by the
 * constants the two terms compare the words with: the arch values first,
 * then the syscall-number segments (the policy's number runs, the filter's
 * search-tree split points), then, only in a part still large, the argument
 * words.  In each box both terms are folded (fold() below): a comparison
 * of a word with a constant that the box decides becomes true or false and
 * the dead branches vanish, so a leaf holds about one syscall's rules and
 * one leaf of the filter's search tree.  Each leaf is one small QF_BV query
 * on one incremental solver (push/pop), under the leaf's box constraints.
 * Folding is exact under the box (each rewrite is an equivalence for every
 * input in the box, which is also asserted), and the leaves partition the
 * space: every split cuts one interval [lo, hi] at s into [lo, s-1] and
 * [s, hi].  Before JITK_OK, check_cover() re-reads the recorded split tree
 * and confirms the proved leaves tile the whole space, so a part lost by a
 * bug makes the proof fail rather than pass.
 */
#include "verify.h"

#include "params.h"
#include "policy.h"
#include "smt.h"
#include "stack.h"

#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_DEFAULT_TIMEOUT_MS 10000u
/* Splits on argument words along one path of the tree, at most.  Such
 * splits go on while the terms still compare an argument word with a
 * constant (usually until both sides are one constant, decided without
 * Z3); the bound stops a product of independent conditions on several
 * arguments from multiplying the parts: past it the leaf goes to Z3. */
#define VERIFY_MAX_ARG_SPLITS 20u
/* ... starting only in a part whose folded terms have more than this many
 * nodes (a smaller one is cheap for Z3, and batched, see flush), and going
 * on only while each split pays: a half must keep at most 70% of its
 * parent's nodes.  Conditions on one argument (a chain of equalities or
 * ranges) halve at each split and end as constants; independent
 * conditions on several arguments do not shrink much, and splitting them
 * would multiply the parts for nothing. */
#define VERIFY_ARG_SPLIT_NODES 48u
/* Leaves are sent to Z3 in batches of about this many nodes (flush). */
#define VERIFY_BATCH_NODES 400u

/* Z3 calls this on an API error; the default handler would exit the
 * process, which the library never does.  The error code stays readable
 * through Z3_get_error_code and is checked after each step. */
static void verify_z3_error(Z3_context c, Z3_error_code e)
{
	(void)c;
	(void)e;
}

static bool side_ok(jitk_side s)
{
	if (s.nstack && !s.stack)
		return false;
	for (size_t i = 0; i < s.nstack; i++)
		if (!s.stack[i])
			return false;
	return (s.policy != NULL) + (s.filter != NULL) + (s.nstack != 0) == 1;
}

/* The term of one side. */
static jitk_err side_term(Z3_context c, jitk_side s, const struct smt_input *in, Z3_ast *t, jitk_diag *d)
{
	if (s.filter)
		return smt_bpf(c, s.filter, in, t, d);
	if (s.nstack) {
		Z3_ast *rets = malloc(s.nstack * sizeof *rets);
		if (!rets)
			return diag_err(d, JITK_E_NOMEM, "out of memory");
		jitk_err err = JITK_OK;
		for (size_t i = 0; i < s.nstack && !err; i++)
			err = smt_bpf(c, s.stack[i], in, &rets[i], d);
		*t = err ? NULL : smt_stack(c, rets, s.nstack);
		free(rets);
		if (err)
			return err;
		if (!*t)
			return diag_err(d, JITK_E_SOLVER, "Z3 error while encoding the stack");
		return JITK_OK;
	}
	*t = smt_scpl(c, s.policy, in);
	if (!*t)
		return diag_err(d, JITK_E_SOLVER, "Z3 error while encoding the policy");
	return JITK_OK;
}

/* The concrete value of one side on one input (the replay). */
static jitk_err side_eval(jitk_side s, const struct seccomp_data *in, uint32_t *out, jitk_diag *d)
{
	if (s.policy) {
		*out = jitk_policy_eval(s.policy, in);
		return JITK_OK;
	}
	size_t n = s.nstack ? s.nstack : 1;
	uint32_t rets[64], *r = n <= 64 ? rets : malloc(n * sizeof *r);
	if (!r)
		return diag_err(d, JITK_E_NOMEM, "out of memory");
	jitk_err err = JITK_OK;
	for (size_t i = 0; i < n && !err; i++) {
		jitk_result res;
		err = jitk_interp(s.nstack ? s.stack[i] : s.filter, in, &res);
		r[i] = res.ret;
	}
	if (!err)
		*out = s.nstack ? stack_fold(r, n) : r[0];
	if (r != rets)
		free(r);
	if (err)
		return diag_err(d, JITK_E_SOLVER,
				"internal error: cannot replay a counterexample through the interpreter: %s",
				jitk_strerror(err));
	return JITK_OK;
}

/* ------------------------------------------------------------ folding */

/* Values a bit-vector term of width <= 64 takes for the inputs of a box:
 * always within [lo, hi] (an over-approximation, never narrower). */
struct ival {
	uint64_t lo, hi;
};

struct memo {
	unsigned key; /* ast id + 1; 0: empty */
	Z3_ast r;
	struct ival iv;
};

/* Split points found while folding: for word i, values s such that the
 * terms compare word i in a way that changes at s (split [lo,s-1], [s,hi]). */
struct cands {
	uint32_t *v;
	size_t n, cap;
};

struct fold {
	Z3_context c;
	const struct verify_box *box;
	const unsigned *wid; /* ast id of each word */
	struct memo *tab;
	size_t cap, n;
	struct cands cand[VERIFY_NWORDS];
	bool oom;
};

static uint64_t width_max(unsigned w)
{
	return w >= 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1;
}

static struct memo *memo_slot(struct fold *f, unsigned key)
{
	size_t i = (key * 2654435761u) & (f->cap - 1);
	while (f->tab[i].key && f->tab[i].key != key)
		i = (i + 1) & (f->cap - 1);
	return &f->tab[i];
}

static void memo_put(struct fold *f, unsigned key, Z3_ast r, struct ival iv)
{
	if (2 * (f->n + 1) > f->cap) {
		size_t oc = f->cap;
		struct memo *old = f->tab;
		f->cap = oc ? 2 * oc : 1024;
		f->tab = calloc(f->cap, sizeof *f->tab);
		if (!f->tab) {
			f->oom = true;
			f->tab = old;
			f->cap = oc;
			return;
		}
		for (size_t i = 0; i < oc; i++)
			if (old[i].key)
				*memo_slot(f, old[i].key) = old[i];
		free(old);
	}
	struct memo *m = memo_slot(f, key);
	if (!m->key)
		f->n++;
	m->key = key;
	m->r = r;
	m->iv = iv;
}

static int word_of(struct fold *f, Z3_ast t)
{
	Z3_context c = f->c;
	if (Z3_get_ast_kind(c, t) != Z3_APP_AST || Z3_get_app_num_args(c, Z3_to_app(c, t)) != 0)
		return -1;
	unsigned id = Z3_get_ast_id(c, t);
	for (unsigned i = 0; i < VERIFY_NWORDS; i++)
		if (f->wid[i] == id)
			return (int)i;
	return -1;
}

static void cand_push(struct fold *f, int w, uint64_t s)
{
	if (w < 0 || s > UINT32_MAX || s <= f->box->lo[w] || s > f->box->hi[w])
		return; /* not a split of this box's interval */
	struct cands *k = &f->cand[w];
	if (k->n == k->cap) {
		size_t nc = k->cap ? 2 * k->cap : 16;
		uint32_t *v = realloc(k->v, nc * sizeof *v);
		if (!v) {
			f->oom = true;
			return;
		}
		k->v = v;
		k->cap = nc;
	}
	k->v[k->n++] = (uint32_t)s;
}

static Z3_decl_kind kind_of(Z3_context c, Z3_ast t)
{
	if (Z3_get_ast_kind(c, t) != Z3_APP_AST)
		return Z3_OP_UNINTERPRETED;
	return Z3_get_decl_kind(c, Z3_get_app_decl(c, Z3_to_app(c, t)));
}

/* The outcome of a comparison of (folded) term a with a constant changes
 * where a reaches p: record the split points of the words a is made of.
 * Only plain shapes: a word, a zero-extended word, hi:lo of two words (a
 * 64-bit argument; the low word's point counts once the high one is fixed). */
static void cand_at(struct fold *f, Z3_ast a, uint64_t p)
{
	Z3_context c = f->c;
	int w = word_of(f, a);
	if (w >= 0) {
		cand_push(f, w, p);
		return;
	}
	Z3_decl_kind k = kind_of(f->c, a);
	if (k == Z3_OP_ZERO_EXT) {
		cand_push(f, word_of(f, Z3_get_app_arg(c, Z3_to_app(c, a), 0)), p);
	} else if (k == Z3_OP_CONCAT && Z3_get_app_num_args(c, Z3_to_app(c, a)) == 2) {
		Z3_ast h = Z3_get_app_arg(c, Z3_to_app(c, a), 0), l = Z3_get_app_arg(c, Z3_to_app(c, a), 1);
		int wh = word_of(f, h);
		if (wh >= 0) {
			cand_push(f, wh, p >> 32);
			cand_push(f, wh, (p >> 32) + 1);
		} else if (Z3_get_ast_kind(c, h) == Z3_NUMERAL_AST) {
			cand_push(f, word_of(f, l), p & UINT32_MAX);
		}
	}
}

static bool is_num(Z3_context c, Z3_ast t, uint64_t *v)
{
	return Z3_get_ast_kind(c, t) == Z3_NUMERAL_AST && Z3_get_numeral_uint64(c, t, v);
}

/* Decide a <= b (unsigned) from intervals: 1 always, 0 never, -1 open. */
static int le_decide(struct ival ia, struct ival ib)
{
	if (ia.hi <= ib.lo)
		return 1;
	if (ia.lo > ib.hi)
		return 0;
	return -1;
}

static Z3_ast fold(struct fold *f, Z3_ast t, struct ival *iv);
static void fold_free(struct fold *f);

static Z3_ast fold_bool(struct fold *f, Z3_ast t)
{
	struct ival iv;
	return fold(f, t, &iv);
}

static Z3_ast num(Z3_context c, Z3_ast t, uint64_t v)
{
	return Z3_mk_unsigned_int64(c, v, Z3_get_sort(c, t));
}

/* The interval of an operator application over folded arguments. */
static struct ival app_ival(struct fold *f, Z3_decl_kind k, Z3_app app, unsigned n, const struct ival *ai,
			    unsigned width)
{
	Z3_context c = f->c;
	struct ival full = { 0, width_max(width) };
	switch (k) {
	case Z3_OP_CONCAT: {
		if (n != 2)
			return full;
		unsigned wl = Z3_get_bv_sort_size(c, Z3_get_sort(c, Z3_get_app_arg(c, app, 1)));
		if (wl >= 64)
			return full;
		/* hi:lo ordered lexicographically: the extremes are exact */
		struct ival r = { (ai[0].lo << wl) | ai[1].lo, (ai[0].hi << wl) | ai[1].hi };
		return r;
	}
	case Z3_OP_ZERO_EXT: return n == 1 ? ai[0] : full;
	case Z3_OP_EXTRACT: {
		Z3_func_decl dcl = Z3_get_app_decl(c, app);
		unsigned hi = (unsigned)Z3_get_decl_int_parameter(c, dcl, 0);
		unsigned lo = (unsigned)Z3_get_decl_int_parameter(c, dcl, 1);
		if (n == 1 && lo == 0 && hi < 64 && ai[0].hi <= width_max(hi + 1))
			return ai[0]; /* the cut bits are zero throughout */
		return full;
	}
	case Z3_OP_BAND: {
		if (n != 2)
			return full;
		struct ival r = { 0, ai[0].hi < ai[1].hi ? ai[0].hi : ai[1].hi };
		for (unsigned i = 0; i < 2; i++) {
			const struct ival *m = &ai[i], *x = &ai[1 - i];
			if (m->lo != m->hi)
				continue;
			uint64_t low = m->lo & (~m->lo + 1); /* lowest set bit */
			if (m->lo == 0 || x->hi < low)
				return (struct ival){ 0, 0 }; /* no bit in common */
			if ((m->lo & (m->lo + 1)) == 0 && x->hi <= m->lo)
				return *x; /* a mask of low ones covering x */
		}
		return r;
	}
	default: return full;
	}
}

/*
 * t folded under f->box: a term equal to t for every input in the box, with
 * every comparison that the box decides replaced by true or false, dead ite
 * branches and and/or operands dropped, words the box fixes replaced by
 * their value, and operators over constants evaluated.  *iv: t's interval
 * (bit-vectors of width <= 64).  Memoised by ast id, so a shared subterm is
 * folded once per box.
 */
static Z3_ast fold(struct fold *f, Z3_ast t, struct ival *iv)
{
	Z3_context c = f->c;
	unsigned key = Z3_get_ast_id(c, t) + 1;
	struct memo *m = memo_slot(f, key);
	if (m->key) {
		*iv = m->iv;
		return m->r;
	}
	Z3_sort s = Z3_get_sort(c, t);
	Z3_sort_kind sk = Z3_get_sort_kind(c, s);
	unsigned width = sk == Z3_BV_SORT ? Z3_get_bv_sort_size(c, s) : 0;
	struct ival v = { 0, width_max(width) };
	Z3_ast r = t;
	uint64_t k;
	if (is_num(c, t, &k)) {
		v.lo = v.hi = k;
		goto done;
	}
	if (Z3_get_ast_kind(c, t) != Z3_APP_AST)
		goto done;
	Z3_app app = Z3_to_app(c, t);
	unsigned n = Z3_get_app_num_args(c, app);
	Z3_decl_kind dk = Z3_get_decl_kind(c, Z3_get_app_decl(c, app));
	Z3_ast tt = Z3_mk_true(c), ff = Z3_mk_false(c);
	switch (dk) {
	case Z3_OP_TRUE:
	case Z3_OP_FALSE: goto done;
	case Z3_OP_ITE: {
		Z3_ast g = fold_bool(f, Z3_get_app_arg(c, app, 0));
		if (Z3_is_eq_ast(c, g, tt) || Z3_is_eq_ast(c, g, ff)) {
			r = fold(f, Z3_get_app_arg(c, app, Z3_is_eq_ast(c, g, tt) ? 1 : 2), &v);
			goto done;
		}
		struct ival i1, i2;
		Z3_ast x = fold(f, Z3_get_app_arg(c, app, 1), &i1);
		Z3_ast y = fold(f, Z3_get_app_arg(c, app, 2), &i2);
		r = Z3_is_eq_ast(c, x, y) ? x : Z3_mk_ite(c, g, x, y);
		v.lo = i1.lo < i2.lo ? i1.lo : i2.lo;
		v.hi = i1.hi > i2.hi ? i1.hi : i2.hi;
		goto done;
	}
	case Z3_OP_AND:
	case Z3_OP_OR: {
		/* and: false absorbs, true drops out; or: the dual */
		Z3_ast absorb = dk == Z3_OP_AND ? ff : tt, unit = dk == Z3_OP_AND ? tt : ff;
		Z3_ast stack[8], *keep = n <= 8 ? stack : malloc(n * sizeof *keep);
		if (!keep) {
			f->oom = true;
			goto done;
		}
		unsigned kn = 0;
		r = NULL;
		for (unsigned i = 0; i < n && !r; i++) {
			Z3_ast x = fold_bool(f, Z3_get_app_arg(c, app, i));
			if (Z3_is_eq_ast(c, x, absorb))
				r = absorb;
			else if (!Z3_is_eq_ast(c, x, unit))
				keep[kn++] = x;
		}
		if (!r)
			r = kn == 0           ? unit
			    : kn == 1         ? keep[0]
			    : dk == Z3_OP_AND ? Z3_mk_and(c, kn, keep)
					      : Z3_mk_or(c, kn, keep);
		if (keep != stack)
			free(keep);
		goto done;
	}
	case Z3_OP_NOT: {
		Z3_ast x = fold_bool(f, Z3_get_app_arg(c, app, 0));
		r = Z3_is_eq_ast(c, x, tt) ? ff : Z3_is_eq_ast(c, x, ff) ? tt : Z3_mk_not(c, x);
		goto done;
	}
	case Z3_OP_EQ:
	case Z3_OP_ULEQ:
	case Z3_OP_UGEQ:
	case Z3_OP_ULT:
	case Z3_OP_UGT: {
		if (n != 2)
			break;
		struct ival ia, ib;
		Z3_ast a = fold(f, Z3_get_app_arg(c, app, 0), &ia);
		Z3_ast b = fold(f, Z3_get_app_arg(c, app, 1), &ib);
		Z3_sort as = Z3_get_sort(c, a);
		bool bvfit = Z3_get_sort_kind(c, as) == Z3_BV_SORT && Z3_get_bv_sort_size(c, as) <= 64;
		int res = -1;
		if (dk == Z3_OP_EQ) {
			if (Z3_is_eq_ast(c, a, b)) {
				res = 1;
			} else if (bvfit) {
				if (ia.lo == ia.hi && ib.lo == ib.hi)
					res = ia.lo == ib.lo;
				else if (ia.hi < ib.lo || ib.hi < ia.lo)
					res = 0;
			} else {
				bool ta = Z3_is_eq_ast(c, a, tt), fa = Z3_is_eq_ast(c, a, ff);
				bool tb = Z3_is_eq_ast(c, b, tt), fb = Z3_is_eq_ast(c, b, ff);
				if ((ta || fa) && (tb || fb))
					res = ta == tb;
			}
		} else if (bvfit) {
			/* x <= y, y <= x, !(y <= x), !(x <= y) */
			bool swap = dk == Z3_OP_UGEQ || dk == Z3_OP_ULT;
			bool neg = dk == Z3_OP_ULT || dk == Z3_OP_UGT;
			res = swap ? le_decide(ib, ia) : le_decide(ia, ib);
			if (res >= 0 && neg)
				res = !res;
		}
		if (res >= 0) {
			r = res ? tt : ff;
		} else {
			Z3_ast args[2] = { a, b };
			r = Z3_update_term(c, t, 2, args);
		}
		goto done;
	}
	case Z3_OP_UNINTERPRETED:
		if (n == 0) {
			int w = word_of(f, t);
			if (w >= 0) {
				v.lo = f->box->lo[w];
				v.hi = f->box->hi[w];
				if (v.lo == v.hi)
					r = num(c, t, v.lo);
			}
			goto done;
		}
		break;
	default: break;
	}
	/* Any other operator: fold the arguments; evaluate over constants. */
	{
		Z3_ast stack[8], *args = n <= 8 ? stack : malloc(n * sizeof *args);
		struct ival istack[8], *ai = n <= 8 ? istack : malloc(n * sizeof *ai);
		if (!args || !ai) {
			f->oom = true;
			if (args != stack)
				free(args);
			if (ai != istack)
				free(ai);
			goto done;
		}
		bool changed = false, allnum = true;
		for (unsigned i = 0; i < n; i++) {
			Z3_ast a0 = Z3_get_app_arg(c, app, i);
			args[i] = fold(f, a0, &ai[i]);
			changed |= !Z3_is_eq_ast(c, a0, args[i]);
			allnum &= Z3_get_ast_kind(c, args[i]) == Z3_NUMERAL_AST ||
				  Z3_is_eq_ast(c, args[i], tt) || Z3_is_eq_ast(c, args[i], ff);
		}
		if (changed)
			r = Z3_update_term(c, t, n, args);
		if (dk == Z3_OP_BAND && n == 2) {
			/* x & m where m is low ones covering all of x's values is x
			 * (the all-ones mask of an unmasked policy compare) */
			for (unsigned i = 0; i < 2; i++) {
				uint64_t mk;
				if (is_num(c, args[i], &mk) && (mk & (mk + 1)) == 0 && ai[1 - i].hi <= mk) {
					r = args[1 - i];
					v = ai[1 - i];
					goto band_done;
				}
			}
		}
		if (allnum && n > 0) {
			r = Z3_simplify(c, r);
		}
		if (is_num(c, r, &k)) {
			v.lo = v.hi = k;
		} else if (width > 0 && width <= 64) {
			v = app_ival(f, dk, app, n, ai, width);
			if (v.lo == v.hi)
				r = num(c, t, v.lo);
		}
	band_done:
		if (args != stack)
			free(args);
		if (ai != istack)
			free(ai);
	}
done:
	memo_put(f, key, r, v);
	*iv = v;
	return r;
}

Z3_ast verify_fold(Z3_context c, const struct smt_input *in, Z3_ast t, const struct verify_box *box)
{
	unsigned wid[VERIFY_NWORDS];
	for (unsigned i = 0; i < VERIFY_NWORDS; i++)
		wid[i] = Z3_get_ast_id(c, in->w[i]);
	struct fold f = { .c = c, .box = box, .wid = wid, .cap = 1024 };
	f.tab = calloc(f.cap, sizeof *f.tab);
	struct ival iv;
	Z3_ast r = f.tab ? fold(&f, t, &iv) : NULL;
	if (f.oom)
		r = NULL;
	fold_free(&f);
	return r;
}

/* ----------------------------------------------------------- the parts */

/* One step of the recorded split tree, in preorder: a split of the current
 * box's word w at s (children [lo, s-1] then [s, hi]), or a leaf. */
struct step {
	bool leaf;
	bool proved;
	uint8_t w;
	uint32_t s;
};

/* A leaf waiting for its query (flush). */
struct pending {
	Z3_ast fa, fb, df; /* df: the sides differ, simplified */
	struct verify_box box;
	size_t step; /* its step in vrun.steps */
};

/* A leaf where the sides differ: kept for the witness passes. */
struct satleaf {
	Z3_ast fa, fb;
	struct verify_box box;
};

struct vrun {
	Z3_context c;
	Z3_solver s;
	struct smt_input in;
	unsigned wid[VERIFY_NWORDS];
	jitk_side a, b;
	jitk_cex *cex; /* NULL, or maxcex entries */
	size_t maxcex, ncex;
	uint32_t (*blk)[2];      /* nr, arch of each witness: maxcex entries */
	struct verify_stats *st; /* never NULL here */
	struct step *steps;
	size_t nsteps, capsteps;
	struct satleaf *sat;
	size_t nsat, capsat;
	size_t nleaves;
	struct pending *pend;
	size_t npend, cappend, pendnodes;
	bool stop;                /* a difference was found and one witness is enough */
	verify_unsat_fn on_unsat; /* NULL, or gets each UNSAT query (verify.h) */
	void *on_unsat_ctx;
	size_t nunsat;
};

static jitk_err oom(jitk_diag *d)
{
	return diag_err(d, JITK_E_NOMEM, "out of memory");
}

static bool add_step(struct vrun *v, struct step s)
{
	if (v->nsteps == v->capsteps) {
		size_t nc = v->capsteps ? 2 * v->capsteps : 256;
		struct step *p = realloc(v->steps, nc * sizeof *p);
		if (!p)
			return false;
		v->steps = p;
		v->capsteps = nc;
	}
	v->steps[v->nsteps++] = s;
	return true;
}

static const char *audit_name(uint32_t audit, uint32_t nrlo, uint32_t nrhi)
{
	if (audit == AUDIT_ARCH_X86_64)
		return nrhi < JITK_X32_SYSCALL_BIT    ? "x86_64"
		       : nrlo >= JITK_X32_SYSCALL_BIT ? "x32"
						      : "x86_64/x32";
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (jitk_arch_audit((jitk_arch)a) == audit)
			return jitk_arch_name((jitk_arch)a);
	return "unknown arch";
}

/* " (rename)", " (read, write)": the names, on the box's one ABI, of the
 * syscalls of a box of at most 4 numbers, so a message says which call is
 * hard without a trip to `jitk syscall`; "" where the box spans ABIs, more
 * numbers or only numbers no table names. */
static void box_names(const struct verify_box *b, char *out, size_t cap)
{
	out[0] = '\0';
	if (b->lo[1] != b->hi[1] || b->hi[0] - b->lo[0] > 3)
		return;
	int arch = -1;
	if (b->lo[1] == AUDIT_ARCH_X86_64)
		arch = b->hi[0] < JITK_X32_SYSCALL_BIT    ? JITK_ARCH_X86_64
		       : b->lo[0] >= JITK_X32_SYSCALL_BIT ? JITK_ARCH_X32
							  : -1;
	else
		for (int a = 0; a < JITK_ARCH__COUNT && arch < 0; a++)
			if (jitk_arch_audit((jitk_arch)a) == b->lo[1])
				arch = a;
	if (arch < 0)
		return;
	size_t n = 0;
	for (uint64_t nr = b->lo[0]; nr <= b->hi[0]; nr++) {
		const char *s = nr <= INT32_MAX ? jitk_syscall_name((jitk_arch)arch, (int)nr) : NULL;
		if (s && n < cap)
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ", " : " (", s);
	}
	if (n && n < cap)
		snprintf(out + n, cap - n, ")");
}

/* "arch x86_64 (0xc000003e), nr 0..41, args[1] 0x0..0x7 (low word)": the
 * part of the input space a box is, for messages. */
static void describe_box(const struct verify_box *b, char *out, size_t cap)
{
	size_t n = 0;
	if (b->lo[1] == b->hi[1])
		n += (size_t)snprintf(out + n, cap - n, "arch %s (0x%08x)",
				      audit_name(b->lo[1], b->lo[0], b->hi[0]), b->lo[1]);
	else
		n += (size_t)snprintf(out + n, cap - n, "arch 0x%08x..0x%08x", b->lo[1], b->hi[1]);
	char names[128];
	box_names(b, names, sizeof names);
	if (n < cap)
		n += (size_t)snprintf(out + n, cap - n, ", nr %u..%u%s", b->lo[0], b->hi[0], names);
	for (unsigned i = 2; i < VERIFY_NWORDS && n < cap; i++) {
		if (b->lo[i] == 0 && b->hi[i] == UINT32_MAX)
			continue;
		/* the halves by the byte order of the box's arch (params_word) */
		bool be = b->lo[1] == b->hi[1] && params_audit_big_endian(b->lo[1]);
		const char *half = (i % 2 == 1) != be ? "high" : "low";
		if (i < 4)
			n += (size_t)snprintf(out + n, cap - n, ", ip %s word 0x%x..0x%x", half, b->lo[i],
					      b->hi[i]);
		else
			n += (size_t)snprintf(out + n, cap - n, ", args[%u] %s word 0x%x..0x%x",
					      (i - 4) / 2, half, b->lo[i], b->hi[i]);
	}
}

/* lo <= w <= hi for each word the box narrows. */
static void assert_box(struct vrun *v, const struct verify_box *b)
{
	Z3_context c = v->c;
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	for (unsigned i = 0; i < VERIFY_NWORDS; i++) {
		Z3_ast w = v->in.w[i];
		if (b->lo[i] == b->hi[i]) {
			Z3_solver_assert(c, v->s, Z3_mk_eq(c, w, Z3_mk_unsigned_int(c, b->lo[i], bv32)));
			continue;
		}
		if (b->lo[i] > 0)
			Z3_solver_assert(c, v->s, Z3_mk_bvuge(c, w, Z3_mk_unsigned_int(c, b->lo[i], bv32)));
		if (b->hi[i] < UINT32_MAX)
			Z3_solver_assert(c, v->s, Z3_mk_bvule(c, w, Z3_mk_unsigned_int(c, b->hi[i], bv32)));
	}
}

/* One satisfiability check: *sat tells SAT from UNSAT; timeout, "unknown"
 * and API errors are JITK_E_SOLVER naming the part. */
static jitk_err check(struct vrun *v, const struct verify_box *box, bool *sat, jitk_diag *d)
{
	Z3_context c = v->c;
	v->st->nqueries++;
	Z3_lbool r = Z3_solver_check(c, v->s);
	char part[400];
	if (Z3_get_error_code(c) != Z3_OK)
		return diag_err(d, JITK_E_SOLVER, "Z3 error: %s", Z3_get_error_msg(c, Z3_get_error_code(c)));
	if (r == Z3_L_UNDEF) {
		describe_box(box, part, sizeof part);
		jitk_err e = diag_err(d, JITK_E_SOLVER, "Z3 could not decide the part %s: %s", part,
				      Z3_solver_get_reason_unknown(c, v->s));
		diag_hint(d,
			  "the policy is hard there; raise the timeout (--timeout MS, default %u ms "
			  "per part)",
			  VERIFY_DEFAULT_TIMEOUT_MS);
		return e;
	}
	*sat = r == Z3_L_TRUE;
	return JITK_OK;
}

/* Read the model of a SAT answer, replay it, and record it as witness
 * number v->ncex (its nr and arch also go to v->blk for blocking). */
static jitk_err take_witness(struct vrun *v, jitk_diag *d)
{
	Z3_context c = v->c;
	Z3_model m = Z3_solver_get_model(c, v->s);
	if (!m)
		return diag_err(d, JITK_E_SOLVER, "Z3 gave no model");
	Z3_model_inc_ref(c, m);
	uint32_t w[SMT_NWORDS];
	bool ok = true;
	for (unsigned i = 0; i < SMT_NWORDS; i++) {
		Z3_ast val = NULL;
		unsigned u = 0;
		/* model completion: a word the formula ignores gets 0 */
		ok = ok && Z3_model_eval(c, m, v->in.w[i], true, &val) && Z3_get_numeral_uint(c, val, &u);
		w[i] = u;
	}
	Z3_model_dec_ref(c, m);
	if (!ok)
		return diag_err(d, JITK_E_SOLVER, "internal error: cannot read Z3's model");
	jitk_cex x;
	memset(&x, 0, sizeof x);
	smt_data_of(w, &x.in);
	jitk_err err = side_eval(v->a, &x.in, &x.left, d);
	if (!err)
		err = side_eval(v->b, &x.in, &x.right, d);
	if (err)
		return err;
	/* Security: a witness that does not replay means an encoding (or the
	 * folding) and its concrete semantics disagree; nothing can be
	 * concluded, and saying "different" or "equal" would both be
	 * unfounded. */
	if (x.left == x.right)
		return diag_err(d, JITK_E_SOLVER,
				"internal error: Z3's counterexample (arch 0x%08x, nr %d) does not "
				"replay: both sides return 0x%08x",
				x.in.arch, x.in.nr, x.left);
	if (v->cex)
		v->cex[v->ncex] = x;
	v->blk[v->ncex][0] = w[0];
	v->blk[v->ncex][1] = w[1];
	v->ncex++;
	return JITK_OK;
}

/* No further witness with the (nr, arch) of witness i. */
static void block(struct vrun *v, size_t i)
{
	Z3_context c = v->c;
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	Z3_ast same[2] = { Z3_mk_eq(c, v->in.w[0], Z3_mk_unsigned_int(c, v->blk[i][0], bv32)),
			   Z3_mk_eq(c, v->in.w[1], Z3_mk_unsigned_int(c, v->blk[i][1], bv32)) };
	Z3_solver_assert(c, v->s, Z3_mk_not(c, Z3_mk_and(c, 2, same)));
}

/* "nr is a syscall number that some ABI reporting this arch value names"
 * (x86_64 and x32 share one), as range tests; NULL if there is none. */
static Z3_ast known_nrs(Z3_context c, Z3_ast nr, uint32_t audit)
{
	enum { CAP = 4096 };
	uint32_t *nrs = malloc(CAP * sizeof *nrs);
	Z3_ast *alts = malloc(CAP * sizeof *alts);
	Z3_ast r = NULL;
	size_t n = 0, k = 0;
	if (!nrs || !alts)
		goto out;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		int x;
		if (jitk_arch_audit((jitk_arch)a) != audit)
			continue;
		for (size_t i = 0; n < CAP && jitk_syscall_at((jitk_arch)a, i, NULL, &x); i++)
			nrs[n++] = (uint32_t)x;
	}
	if (n == 0)
		goto out;
	qsort(nrs, n, sizeof *nrs, cmp_u32);
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && nrs[j + 1] <= nrs[j] + 1 && nrs[j] != UINT32_MAX)
			j++;
		Z3_ast range[2] = { Z3_mk_bvuge(c, nr, Z3_mk_unsigned_int(c, nrs[i], bv32)),
				    Z3_mk_bvule(c, nr, Z3_mk_unsigned_int(c, nrs[j], bv32)) };
		alts[k++] = Z3_mk_and(c, 2, range);
		i = j + 1;
	}
	r = Z3_mk_or(c, (unsigned)k, alts);
out:
	free(nrs);
	free(alts);
	return r;
}

static Z3_ast differ(Z3_context c, Z3_ast fa, Z3_ast fb)
{
	return Z3_simplify(c, Z3_mk_not(c, Z3_mk_eq(c, fa, fb)));
}

/* The box as a formula. */
static Z3_ast box_formula(struct vrun *v, const struct verify_box *b)
{
	Z3_context c = v->c;
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	Z3_ast cl[2 * VERIFY_NWORDS];
	unsigned n = 0;
	for (unsigned i = 0; i < VERIFY_NWORDS; i++) {
		Z3_ast w = v->in.w[i];
		if (b->lo[i] == b->hi[i]) {
			cl[n++] = Z3_mk_eq(c, w, Z3_mk_unsigned_int(c, b->lo[i], bv32));
			continue;
		}
		if (b->lo[i] > 0)
			cl[n++] = Z3_mk_bvuge(c, w, Z3_mk_unsigned_int(c, b->lo[i], bv32));
		if (b->hi[i] < UINT32_MAX)
			cl[n++] = Z3_mk_bvule(c, w, Z3_mk_unsigned_int(c, b->hi[i], bv32));
	}
	return n ? Z3_mk_and(c, n, cl) : Z3_mk_true(c);
}

/* Hand one query Z3 answered UNSAT to the second-solver callback. */
static jitk_err export_unsat(struct vrun *v, Z3_ast asserted, jitk_diag *d)
{
	if (!v->on_unsat)
		return JITK_OK;
	Z3_context c = v->c;
	const char *txt = Z3_benchmark_to_smtlib_string(c, "jitk verify part", "QF_BV", "unsat", "", 0,
							NULL, asserted);
	if (!txt || Z3_get_error_code(c) != Z3_OK)
		return diag_err(d, JITK_E_SOLVER, "cannot export part %zu as SMT-LIB", v->nunsat);
	v->on_unsat(v->on_unsat_ctx, v->nunsat++, txt);
	return JITK_OK;
}

/* For a second solver (verify.h): the proof again, independent of the
 * decomposition and the folding above, as one query per arch value either
 * policy side lists and one for every other arch value, over the unfolded
 * terms (the arch substituted, then Z3's simplifier).  All are UNSAT once
 * the decomposed proof passed; each is handed to the callback. */
static jitk_err export_arch_parts(struct vrun *v, Z3_ast ta, Z3_ast tb, jitk_diag *d)
{
	Z3_context c = v->c;
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	uint32_t vals[JITK_ARCH__COUNT];
	size_t nv = 0;
	for (int i = 0; i < JITK_ARCH__COUNT; i++) {
		bool listed = (v->a.policy && v->a.policy->arch[i]) || (v->b.policy && v->b.policy->arch[i]);
		uint32_t val = jitk_arch_audit((jitk_arch)i);
		bool dup = false;
		for (size_t j = 0; j < nv; j++)
			/* cppcheck-suppress uninitvar ; vals[0 .. nv) are written */
			dup |= vals[j] == val;
		if (listed && !dup)
			vals[nv++] = val;
	}
	Z3_ast df = Z3_mk_not(c, Z3_mk_eq(c, ta, tb));
	for (size_t i = 0; i <= nv; i++) {
		Z3_ast q;
		if (i < nv) {
			Z3_ast k = Z3_mk_unsigned_int(c, vals[i], bv32);
			Z3_ast from[1] = { v->in.w[1] }, to[1] = { k };
			Z3_ast both[2] = { Z3_simplify(c, Z3_substitute(c, df, 1, from, to)),
					   Z3_mk_eq(c, v->in.w[1], k) };
			q = Z3_mk_and(c, 2, both);
		} else {
			Z3_ast *cl = calloc(nv + 1, sizeof *cl);
			if (!cl)
				return oom(d);
			cl[0] = Z3_simplify(c, df);
			for (size_t j = 0; j < nv; j++)
				cl[j + 1] = Z3_mk_not(c, Z3_mk_eq(c, v->in.w[1],
								  Z3_mk_unsigned_int(c, vals[j], bv32)));
			q = Z3_mk_and(c, (unsigned)(nv + 1), cl);
			free(cl);
		}
		jitk_err err = export_unsat(v, q, d);
		if (err)
			return err;
	}
	return JITK_OK;
}

/* Decide one leaf on its own: its step is marked proved, or the leaf is
 * kept for the witness passes (solve_witnesses). */
static jitk_err leaf_alone(struct vrun *v, const struct pending *p, jitk_diag *d)
{
	Z3_context c = v->c;
	bool sat;
	Z3_solver_push(c, v->s);
	assert_box(v, &p->box);
	Z3_solver_assert(c, v->s, p->df);
	jitk_err err = check(v, &p->box, &sat, d);
	Z3_solver_pop(c, v->s, 1);
	if (err)
		return err;
	v->steps[p->step].proved = !sat;
	if (!sat)
		return JITK_OK;
	if (v->nsat == v->capsat) {
		size_t nc = v->capsat ? 2 * v->capsat : 16;
		struct satleaf *q = realloc(v->sat, nc * sizeof *q);
		if (!q)
			return oom(d);
		v->sat = q;
		v->capsat = nc;
	}
	v->sat[v->nsat++] = (struct satleaf){ p->fa, p->fb, p->box };
	if (v->maxcex == 1)
		v->stop = true;
	return JITK_OK;
}

/* Decide the pending leaves.  Several small leaves go to Z3 as one query,
 * the disjunction of (box_i and the sides differ there): UNSAT proves every
 * one of them (a disjunction is unsatisfiable exactly when each disjunct
 * is), and costs one solver call instead of many.  Otherwise (a difference
 * or an undecided answer) each is asked alone, so that the witness and the
 * undecided part are named exactly. */
static jitk_err flush(struct vrun *v, jitk_diag *d)
{
	Z3_context c = v->c;
	size_t n = v->npend;
	v->npend = 0;
	if (n == 0)
		return JITK_OK;
	if (n > 1) {
		Z3_ast *alt = malloc(n * sizeof *alt);
		if (!alt)
			return oom(d);
		for (size_t i = 0; i < n; i++) {
			Z3_ast both[2] = { box_formula(v, &v->pend[i].box), v->pend[i].df };
			alt[i] = Z3_mk_and(c, 2, both);
		}
		Z3_ast any = Z3_mk_or(c, (unsigned)n, alt);
		free(alt);
		Z3_solver_push(c, v->s);
		Z3_solver_assert(c, v->s, any);
		v->st->nqueries++;
		Z3_lbool r = Z3_solver_check(c, v->s);
		Z3_solver_pop(c, v->s, 1);
		if (r == Z3_L_FALSE && Z3_get_error_code(c) == Z3_OK) {
			for (size_t i = 0; i < n; i++)
				v->steps[v->pend[i].step].proved = true;
			v->pendnodes = 0;
			return JITK_OK;
		}
	}
	v->pendnodes = 0;
	for (size_t i = 0; i < n && !v->stop; i++) {
		jitk_err err = leaf_alone(v, &v->pend[i], d);
		if (err)
			return err;
	}
	return JITK_OK;
}

/* A leaf of the decomposition: recorded as a step of the split tree, and
 * proved (queued for flush) unless both sides folded to the same term. */
static jitk_err leaf(struct vrun *v, Z3_ast fa, Z3_ast fb, const struct verify_box *box, size_t nodes,
		     jitk_diag *d)
{
	Z3_context c = v->c;
	v->nleaves++;
	if (v->st->skip_part == v->nleaves)
		return JITK_OK; /* test hook: this part is lost */
	if (v->st->parts && v->st->nparts < v->st->capparts)
		v->st->parts[v->st->nparts] = *box;
	v->st->nparts++;
	if (nodes > v->st->maxnodes)
		v->st->maxnodes = nodes;
	Z3_ast df = Z3_is_eq_ast(c, fa, fb) ? Z3_mk_false(c) : differ(c, fa, fb);
	bool proved = Z3_get_bool_value(c, df) == Z3_L_FALSE;
	if (!add_step(v, (struct step){ .leaf = true, .proved = proved }))
		return oom(d);
	if (proved)
		return JITK_OK;
	if (v->npend == v->cappend) {
		size_t nc = v->cappend ? 2 * v->cappend : 64;
		struct pending *q = realloc(v->pend, nc * sizeof *q);
		if (!q)
			return oom(d);
		v->pend = q;
		v->cappend = nc;
	}
	v->pend[v->npend++] = (struct pending){ fa, fb, df, *box, v->nsteps - 1 };
	v->pendnodes += nodes;
	return v->pendnodes >= VERIFY_BATCH_NODES ? flush(v, d) : JITK_OK;
}

/* The word to split a box on, and where; false: the box is a leaf.  The
 * arch first, then nr, then (if args) the argument word with the most
 * split points; the median point, so that the tree is balanced. */
static bool choose_split(struct fold *f, bool args, unsigned *w, uint32_t *s)
{
	int best = -1;
	if (f->cand[1].n)
		best = 1;
	else if (f->cand[0].n)
		best = 0;
	else if (args)
		for (unsigned i = 2; i < VERIFY_NWORDS; i++)
			if (f->cand[i].n && (best < 0 || f->cand[i].n >= f->cand[best].n))
				best = (int)i;
	if (best < 0)
		return false;
	struct cands *k = &f->cand[best];
	qsort(k->v, k->n, sizeof *k->v, cmp_u32);
	size_t u = 0;
	for (size_t i = 0; i < k->n; i++)
		if (u == 0 || k->v[i] != k->v[u - 1])
			k->v[u++] = k->v[i];
	*w = (unsigned)best;
	*s = k->v[u / 2];
	return true;
}

/* A comparison left in a folded term with a constant on one side: record
 * the split points of the words on the other side. */
static void cand_cmp(struct fold *f, Z3_decl_kind dk, Z3_ast a, Z3_ast b)
{
	Z3_context c = f->c;
	uint64_t k;
	bool right = is_num(c, b, &k); /* a op k, else k op b */
	if (!right && !is_num(c, a, &k))
		return;
	Z3_ast x = right ? a : b;
	/* the point where "x op k" changes: k or k + 1 */
	bool plus1;
	switch (dk) {
	case Z3_OP_EQ:
		cand_at(f, x, k);
		plus1 = true;
		break;
	case Z3_OP_ULEQ: plus1 = right; break;  /* x <= k | k <= x */
	case Z3_OP_UGEQ: plus1 = !right; break; /* x >= k | k >= x */
	case Z3_OP_ULT: plus1 = !right; break;  /* x < k  | k < x */
	case Z3_OP_UGT: plus1 = right; break;   /* x > k  | k > x */
	default: return;
	}
	if (!plus1)
		cand_at(f, x, k);
	else if (k < UINT64_MAX)
		cand_at(f, x, k + 1);
}

/* The number of distinct nodes of t not yet in set (set: a fold table used
 * as a set of ast ids); the split points of the comparisons in t go to
 * cf's candidates. */
static size_t dag_size(struct fold *set, struct fold *cf, Z3_ast t)
{
	Z3_context c = set->c;
	unsigned key = Z3_get_ast_id(c, t) + 1;
	if (memo_slot(set, key)->key)
		return 0;
	memo_put(set, key, t, (struct ival){ 0, 0 });
	if (set->oom || Z3_get_ast_kind(c, t) != Z3_APP_AST)
		return 1;
	Z3_app app = Z3_to_app(c, t);
	if (Z3_get_app_num_args(c, app) == 2)
		cand_cmp(cf, Z3_get_decl_kind(c, Z3_get_app_decl(c, app)), Z3_get_app_arg(c, app, 0),
			 Z3_get_app_arg(c, app, 1));
	size_t n = 1;
	for (unsigned i = 0, k = Z3_get_app_num_args(c, app); i < k; i++)
		n += dag_size(set, cf, Z3_get_app_arg(c, app, i));
	return n;
}

static void fold_free(struct fold *f)
{
	free(f->tab);
	for (unsigned i = 0; i < VERIFY_NWORDS; i++)
		free(f->cand[i].v);
}

/* May a part of this many nodes be split on an argument word?  (See
 * VERIFY_ARG_SPLIT_NODES; parent_nodes: the part split on an argument to
 * make this one, or SIZE_MAX.) */
static bool args_pay(unsigned argsplits, size_t nodes, size_t parent_nodes)
{
	if (argsplits >= VERIFY_MAX_ARG_SPLITS)
		return false;
	if (parent_nodes == SIZE_MAX)
		return nodes > VERIFY_ARG_SPLIT_NODES;
	return nodes * 10 <= parent_nodes * 7;
}

/* Prove ta == tb on the inputs of box: fold, then split or solve. */
static jitk_err part(struct vrun *v, Z3_ast ta, Z3_ast tb, struct verify_box *box, unsigned argsplits,
		     size_t parent_nodes, jitk_diag *d)
{
	Z3_context c = v->c;
	struct fold f = { .c = c, .box = box, .wid = v->wid, .cap = 1024 };
	f.tab = calloc(f.cap, sizeof *f.tab);
	if (!f.tab)
		return oom(d);
	struct ival ia, ib;
	Z3_ast fa = fold(&f, ta, &ia);
	Z3_ast fb = fold(&f, tb, &ib);
	struct fold set = { .c = c, .cap = 1024 };
	set.tab = calloc(set.cap, sizeof *set.tab);
	size_t nodes = set.tab ? dag_size(&set, &f, fa) + dag_size(&set, &f, fb) : 0;
	f.oom |= !set.tab || set.oom;
	free(set.tab);
	unsigned w = 0;
	uint32_t s = 0;
	bool split = !f.oom && !Z3_is_eq_ast(c, fa, fb) &&
		     choose_split(&f, args_pay(argsplits, nodes, parent_nodes), &w, &s);
	bool failed = f.oom;
	fold_free(&f);
	if (failed)
		return oom(d);
	if (Z3_get_error_code(c) != Z3_OK)
		return diag_err(d, JITK_E_SOLVER, "Z3 error: %s", Z3_get_error_msg(c, Z3_get_error_code(c)));
	if (!split)
		return leaf(v, fa, fb, box, nodes, d);
	if (!add_step(v, (struct step){ .w = (uint8_t)w, .s = s }))
		return oom(d);
	uint32_t lo = box->lo[w], hi = box->hi[w];
	size_t pn = w >= 2 ? nodes : SIZE_MAX;
	argsplits += w >= 2;
	box->hi[w] = s - 1;
	jitk_err err = part(v, fa, fb, box, argsplits, pn, d);
	box->hi[w] = hi;
	if (err || v->stop)
		return err;
	box->lo[w] = s;
	err = part(v, fa, fb, box, argsplits, pn, d);
	box->lo[w] = lo;
	return err;
}

/* The coverage check: the recorded steps, read as a preorder split tree
 * rooted at box b, must be complete, every split must cut b's interval
 * into two non-empty halves, and every leaf must be proved.  Then the
 * proved leaves tile b exactly (by induction over the tree).  Returns
 * false if anything is missing. */
static bool check_cover(const struct vrun *v, size_t *i, struct verify_box *b)
{
	if (*i >= v->nsteps)
		return false;
	struct step s = v->steps[(*i)++];
	if (s.leaf)
		return s.proved;
	if (s.w >= VERIFY_NWORDS || s.s <= b->lo[s.w] || s.s > b->hi[s.w])
		return false;
	uint32_t lo = b->lo[s.w], hi = b->hi[s.w];
	b->hi[s.w] = s.s - 1;
	bool ok = check_cover(v, i, b);
	b->hi[s.w] = hi;
	if (!ok)
		return false;
	b->lo[s.w] = s.s;
	ok = check_cover(v, i, b);
	b->lo[s.w] = lo;
	return ok;
}

/* Collect witnesses in the current scope, blocking each (arch, nr), until
 * UNSAT or maxcex. */
static jitk_err collect(struct vrun *v, const struct verify_box *box, bool *full, jitk_diag *d)
{
	for (;;) {
		bool sat;
		jitk_err err = check(v, box, &sat, d);
		if (err || !sat)
			return err;
		err = take_witness(v, d);
		if (err)
			return err;
		if (v->ncex >= v->maxcex) {
			*full = true;
			return JITK_OK;
		}
		block(v, v->ncex - 1);
	}
}

/* Witnesses from the leaves where the sides differ: first among the named
 * syscalls of each leaf's arch (so that a diff lists real syscalls before
 * the arbitrary numbers a changed default_action also affects), then among
 * all inputs, each (arch, nr) once. */
static jitk_err solve_witnesses(struct vrun *v, jitk_diag *d)
{
	Z3_context c = v->c;
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	bool full = false;
	for (int pass = 0; pass < 2 && !full; pass++) {
		for (size_t i = 0; i < v->nsat && !full; i++) {
			const struct satleaf *l = &v->sat[i];
			Z3_ast prefer = NULL;
			if (pass == 0) {
				if (l->box.lo[1] == l->box.hi[1])
					prefer = known_nrs(c, v->in.w[0], l->box.lo[1]);
				if (!prefer)
					prefer = Z3_mk_bvult(
						c,
						Z3_mk_bvand(c, v->in.w[0],
							    Z3_mk_unsigned_int(c, ~JITK_X32_SYSCALL_BIT,
									       bv32)),
						Z3_mk_unsigned_int(c, 1024, bv32));
			}
			Z3_solver_push(c, v->s);
			assert_box(v, &l->box);
			Z3_solver_assert(c, v->s, differ(c, l->fa, l->fb));
			if (prefer)
				Z3_solver_assert(c, v->s, prefer);
			for (size_t j = 0; j < v->ncex; j++)
				block(v, j);
			jitk_err err = collect(v, &l->box, &full, d);
			Z3_solver_pop(c, v->s, 1);
			if (err)
				return err;
		}
	}
	if (v->ncex == 0)
		return diag_err(d, JITK_E_SOLVER,
				"internal error: a part was satisfiable but gave no witness");
	return JITK_OK;
}

static jitk_err equiv_in(struct vrun *v, unsigned timeout_ms, jitk_diag *d)
{
	Z3_context c = v->c;
	smt_input_init(c, &v->in);
	for (unsigned i = 0; i < VERIFY_NWORDS; i++)
		v->wid[i] = Z3_get_ast_id(c, v->in.w[i]);
	Z3_ast ta, tb;
	jitk_err err = side_term(c, v->a, &v->in, &ta, d);
	if (!err)
		err = side_term(c, v->b, &v->in, &tb, d);
	if (err)
		return err;

	v->s = Z3_mk_solver_for_logic(c, Z3_mk_string_symbol(c, "QF_BV"));
	Z3_solver_inc_ref(c, v->s);
	Z3_params prm = Z3_mk_params(c);
	Z3_params_inc_ref(c, prm);
	Z3_params_set_uint(c, prm, Z3_mk_string_symbol(c, "timeout"), timeout_ms);
	Z3_solver_set_params(c, v->s, prm);
	Z3_params_dec_ref(c, prm);

	struct verify_box box;
	for (unsigned i = 0; i < VERIFY_NWORDS; i++) {
		box.lo[i] = 0;
		box.hi[i] = UINT32_MAX;
	}
	err = part(v, ta, tb, &box, 0, SIZE_MAX, d);
	if (!err && !v->stop)
		err = flush(v, d);
	if (!err && Z3_get_error_code(c) != Z3_OK)
		err = diag_err(d, JITK_E_SOLVER, "Z3 error: %s", Z3_get_error_msg(c, Z3_get_error_code(c)));
	if (err)
		return err;
	if (v->nsat) {
		err = solve_witnesses(v, d);
		if (!err)
			err = diag_err(d, JITK_E_DIFFERENT,
				       "the two sides differ on %zu input%s (arch 0x%08x, nr %d first)",
				       v->ncex, v->ncex == 1 ? "" : "s", v->cex ? v->cex[0].in.arch : 0,
				       v->cex ? v->cex[0].in.nr : 0);
		return err;
	}
	/* Every leaf proved: confirm that they cover every input. */
	size_t i = 0;
	if (!check_cover(v, &i, &box) || i != v->nsteps)
		return diag_err(d, JITK_E_SOLVER,
				"internal error: the proved parts do not cover every input (%zu parts); "
				"nothing is proved",
				v->st->nparts);
	return v->on_unsat ? export_arch_parts(v, ta, tb, d) : JITK_OK;
}

static jitk_err equiv_run(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex, size_t maxcex,
			  size_t *ncex, struct verify_stats *st, verify_unsat_fn fn, void *ctx, jitk_diag *d)
{
	diag_clear(d);
	if (ncex)
		*ncex = 0;
	struct verify_stats local = { 0 };
	if (!st)
		st = &local;
	st->nparts = st->nqueries = st->maxnodes = 0;
	if (!side_ok(a) || !side_ok(b))
		return diag_err(d, JITK_E_INVAL,
				"each side must be exactly one of a policy, a filter and a stack");
	if (maxcex == 0)
		maxcex = 1; /* deciding needs at least one witness */
	Z3_config cfg = Z3_mk_config();
	if (!cfg)
		return diag_err(d, JITK_E_NOMEM, "cannot create a Z3 configuration");
	/* Z3_mk_context, not _rc: ASTs live until Z3_del_context (smt.h). */
	Z3_context c = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	if (!c)
		return diag_err(d, JITK_E_NOMEM, "cannot create a Z3 context");
	Z3_set_error_handler(c, verify_z3_error);
	struct vrun v = { .c = c,
			  .a = a,
			  .b = b,
			  .cex = cex,
			  .maxcex = cex ? maxcex : 1,
			  .st = st,
			  .on_unsat = fn,
			  .on_unsat_ctx = ctx };
	v.blk = calloc(v.maxcex, sizeof *v.blk);
	jitk_err err = v.blk ? equiv_in(&v, timeout_ms ? timeout_ms : VERIFY_DEFAULT_TIMEOUT_MS, d) : oom(d);
	free(v.blk);
	free(v.steps);
	free(v.pend);
	free(v.sat);
	if (v.s)
		Z3_solver_dec_ref(c, v.s);
	Z3_del_context(c);
	if (ncex)
		*ncex = cex ? v.ncex : 0;
	return err;
}

jitk_err verify_equiv(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex, size_t maxcex,
		      size_t *ncex, struct verify_stats *st, jitk_diag *d)
{
	return equiv_run(a, b, timeout_ms, cex, maxcex, ncex, st, NULL, NULL, d);
}

jitk_err verify_equiv_export(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex, size_t maxcex,
			     size_t *ncex, verify_unsat_fn fn, void *ctx, jitk_diag *d)
{
	return equiv_run(a, b, timeout_ms, cex, maxcex, ncex, NULL, fn, ctx, d);
}

jitk_err jitk_equiv(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex, size_t maxcex,
		    size_t *ncex, jitk_diag *d)
{
	return equiv_run(a, b, timeout_ms, cex, maxcex, ncex, NULL, NULL, NULL, d);
}

jitk_err jitk_verify(const jitk_policy *p, const jitk_filter *f, unsigned timeout_ms, jitk_cex *cex,
		     jitk_diag *d)
{
	if (!p || !f)
		return diag_err(d, JITK_E_INVAL, "jitk_verify: NULL policy or filter");
	jitk_side a = { .policy = p }, b = { .filter = f };
	size_t n = 0;
	return jitk_equiv(a, b, timeout_ms, cex, 1, &n, d);
}
