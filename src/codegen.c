/*
 * codegen.c - compile the policy IR (policy.h) to a seccomp cBPF program:
 * the arch chain, the segments of each ABI and the search over them.  The
 * emitter, the decisions' code and the tree's shape are in codegen_emit.c,
 * codegen_decide.c and codegen_shape.c (codegen.h).
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
 *    low32() compares read only the low word (the TIOCSTI class); which
 *    word is which is the block's ABI's byte order (cg_off_lo, cg_off_hi:
 *    params_word), so a filter with little- and big-endian ABIs reads
 *    each block's arguments at its own offsets.
 * Finally the program is run through the seccomp checker; a rejection is a
 * compiler bug and is reported as such.
 */
#include "codegen.h"
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* -------------------------------------------------- the search on nr */

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
	if (L->n >= L->cap && !array_grow((void **)&L->v, &L->cap, L->n + 1, sizeof *L->v)) {
		g->nomem = true;
		return;
	}
	L->v[L->n++] = s;
}

/* Elements of the sorted v[0..n) below x, given that the first `from` of
 * them are: a galloping search from v[from], as add_abi asks for the
 * segments in ascending order and most hold one or two numbers. */
static size_t count_below(const uint32_t *v, size_t from, size_t n, uint64_t x)
{
	size_t lo = from, step = 1;
	while (lo + step <= n && v[lo + step - 1] < x) {
		lo += step;
		step *= 2;
	}
	size_t hi = lo + step - 1 < n ? lo + step - 1 : n; /* v[hi] >= x, or hi == n */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The known syscall numbers of the ABI being laid out (syscall_numbers:
 * sorted at build time), and how many lie below `at`. */
struct known {
	const uint32_t *nr;
	size_t n;
	uint64_t at;
	size_t below;
};

/* The prior weight of [lo, hi] on ABI a: its known syscalls, or the trace. */
static double seg_prior(const struct cg *g, struct known *k, jitk_arch a, uint32_t lo, uint32_t hi)
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
	size_t below_lo = lo == k->at ? k->below : count_below(k->nr, lo > k->at ? k->below : 0, k->n, lo);
	size_t below_hi = count_below(k->nr, below_lo, k->n, (uint64_t)hi + 1);
	k->at = (uint64_t)hi + 1;
	k->below = below_hi;
	sum = (double)(below_hi - below_lo);
	return a == JITK_ARCH_X32 ? sum / 1000 : sum;
}

/* The segments of ABI a over [from, to] (its ranges and default gaps); a
 * NULL a is one foreign segment. */
static void add_abi(struct cg *g, struct seglist *L, const struct ir_arch *a, jitk_arch abi, uint32_t from,
		    uint32_t to, uint32_t foreign)
{
	if (!a) {
		seg_push(g, L, (struct seg){ from, to, NULL, foreign, false, 0, 0, 0, 0, 0 });
		return;
	}
	/* room for every range and the gap before it, and the last gap */
	if (!array_grow((void **)&L->v, &L->cap, L->n + 2 * a->nranges + 1, sizeof *L->v)) {
		g->nomem = true;
		return;
	}
	bool args32 = params_abi32(a->arch);
	struct known k = { NULL, 0, 0, 0 };
	k.nr = syscall_numbers(abi, &k.n);
	uint64_t next = from; /* first nr not yet covered */
	for (size_t i = 0; i <= a->nranges; i++) {
		const struct ir_range *r = i < a->nranges ? &a->ranges[i] : NULL;
		if (r && (r->hi < from || r->lo > to))
			continue; /* ir.c keeps every number on its side of the x32 guard */
		uint64_t gap_end = r ? (uint64_t)r->lo - 1 : to;
		/* cppcheck-suppress nullPointer ; r is tested before r->lo is read */
		if (r ? r->lo > next : next <= to) {
			double w = seg_prior(g, &k, abi, (uint32_t)next, (uint32_t)gap_end);
			seg_push(g, L,
				 (struct seg){ (uint32_t)next, (uint32_t)gap_end, NULL, a->default_action,
					       false, w, abi == JITK_ARCH_X32 ? 0 : w, 0, 0, 0 });
		}
		if (!r)
			break;
		/* a decision without cases is its `ret` (an unconditional rule) */
		double w = seg_prior(g, &k, abi, r->lo, r->hi);
		seg_push(g, L,
			 (struct seg){ r->lo, r->hi, r->dec->ncases ? r->dec : NULL, r->dec->otherwise,
				       r->dec->ncases && args32, w, abi == JITK_ARCH_X32 ? 0 : w, 0, 0, 0 });
		next = (uint64_t)r->hi + 1;
	}
}

static size_t gen_leaf_code(struct cg *g, const struct seg *s)
{
	if (!s->dec)
		return cg_ret_label(g, s->action);
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
		    cg_dist(g, c->label) <= CG_JMAX)
			return c->label;
	}
	size_t code = gen_leaf_code(g, s);
	size_t l = cg_emit_jump(g, BPF_JEQ, g->audit, code, cg_ret_label(g, g->foreign));
	l = cg_emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH, l);
	if (cg_failed(g))
		return 0;
	if (!array_grow((void **)&g->checked, &g->capchecked, g->nchecked + 1, sizeof *g->checked)) {
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
	struct cg t = { .opts = g->opts, .entry = g->entry, .args32 = s->args32, .be = g->be };
	size_t entry = gen_decision(&t, s->dec);
	s->size = (size_t)-1;
	s->worst = 1000;
	size_t *lp = t.nomem || t.ceiling ? NULL : malloc((t.n ? t.n : 1) * sizeof *lp);
	if (lp) {
		/* labels count from the end: every jump goes to a smaller one */
		for (size_t l = 0; l < t.n; l++) {
			const jitk_insn *i = &t.buf[l];
			size_t next = 0;
			/* the emitter's invariant: label 0 is a ret, jumps go back */
			ANALYZER_ASSUME(BPF_CLASS(i->code) == BPF_RET ||
					(l > 0 && (i->code == (BPF_JMP | BPF_JA)
							   ? i->k < l
							   : BPF_CLASS(i->code) != BPF_JMP ||
								     (i->jt < l && i->jf < l))));
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

/* Search tree over segs[lo..hi] (which cover the nr values that can get
 * here), entered with A == nr.  Only jumps with K: cache-friendly. */
static size_t gen_tree(struct cg *g, const struct seg *segs, const struct tree_plan *tp, size_t lo,
		       size_t hi, unsigned d)
{
	if (cg_failed(g))
		return 0;
	if (lo == hi)
		return gen_leaf(g, &segs[lo]);
	size_t m = plan_split(tp, segs, lo, hi, d);
	if (m == 0) {
		size_t mid = gen_leaf(g, &segs[lo + 1]);
		size_t out = gen_leaf(g, &segs[lo]);
		return cg_emit_jump(g, BPF_JEQ, segs[lo + 1].lo, mid, out);
	}
	size_t right = gen_tree(g, segs, tp, m, hi, d + 1);
	size_t left = gen_tree(g, segs, tp, lo, m - 1, d + 1);
	return cg_emit_jump(g, BPF_JGE, segs[m].lo, right, left);
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
		if (sg->dec) {
			/* a decision is measured once (the IR shares equal ones) */
			size_t j = 0;
			while (j < i && !(L->v[j].dec == sg->dec && L->v[j].args32 == sg->args32))
				j++;
			if (j < i) {
				sg->size = L->v[j].size;
				sg->worst = L->v[j].worst;
			} else {
				decision_measure(g, sg);
			}
		}
	}
	for (size_t i = 0; g->nr_first && i < L->n; i++) {
		struct seg *sg = &L->v[i];
		if (sg->dec || sg->action != g->foreign) {
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
	struct median_ws mws = { 0 };
	double *H = !traced && tp.split && cover > 0 && L->n <= CG_MED_MAXN
			    ? mean_bounds(L->v, L->n, tp.split, &G)
			    : NULL;
	if (H) {
		/* the median tree's longest path is no longer than the mean
		 * tree's (estimated from each leaf's longest path) */
		double maxlen = P + H[L->n - 1];
		unsigned T;
		tp.msplit = median_plan(&mws, L->v, L->n, tp.split, mcost, H, G, maxlen, P, &T, &tp.dcut);
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
	median_free(&mws);
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
	size_t foreign = cg_ret_label(g, ir->foreign_action);

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
	g->nr_first = g->may_nr_first && naudit == 1 && only && only->default_action == ir->foreign_action;
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
		g->be = params_big_endian(JITK_ARCH_X86_64); /* x32's too: one AUDIT_ARCH */
		struct seglist L = { 0 };
		add_abi(g, &L, x64, JITK_ARCH_X86_64, 0, JITK_X32_SYSCALL_BIT - 1, ir->foreign_action);
		add_abi(g, &L, x32, JITK_ARCH_X32, JITK_X32_SYSCALL_BIT, 0xffffffffu, ir->foreign_action);
		size_t tree = gen_search(g, &L);
		free(L.v);
		blocks[nblocks] = cg_emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, OFF_NR, tree);
		audits[nblocks++] = g->audit;
	}
	for (size_t i = 0; i < ir->narch; i++) {
		const struct ir_arch *a = &ir->arches[i];
		if (a->arch == JITK_ARCH_X86_64 || a->arch == JITK_ARCH_X32)
			continue;
		g->audit = a->audit;
		g->be = params_big_endian(a->arch); /* each block its own byte order */
		struct seglist L = { 0 };
		add_abi(g, &L, a, a->arch, 0, 0xffffffffu, ir->foreign_action);
		size_t tree = gen_search(g, &L);
		free(L.v);
		blocks[nblocks] = cg_emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, OFF_NR, tree);
		audits[nblocks++] = a->audit;
	}
	if (g->nr_first)
		return; /* the block is the program: ld [0]; <search with checked leaves> */
	/* The arch chain, in the order above (x86-64 first). */
	size_t next = foreign;
	for (size_t i = nblocks; i-- > 0;)
		next = cg_emit_jump(g, BPF_JEQ, audits[i], blocks[i], next);
	cg_emit_stmt(g, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH, next); /* A == arch for the chain */
}

jitk_err codegen(const struct ir_policy *ir, const jitk_compile_opts *opts, jitk_filter **out, jitk_diag *d)
{
	if (!ir || !out)
		return diag_err(d, JITK_E_INVAL, "codegen: NULL argument");
	*out = NULL;
	/* The arch check comes first unless the caller opts into checking it
	 * at the leaves (jitk_compile_opts.arch_at_leaves). */
	struct cg g = { .opts = opts, .entry = ACC_NR, .may_nr_first = opts && opts->arch_at_leaves };
	gen_program(&g, ir);
	if (g.nr_first && !g.nomem && (g.ceiling || g.n > JITK_MAXINSNS)) {
		/* The arch checks at the leaves made it too big: the arch first. */
		free(g.buf);
		free(g.rets);
		free(g.memo);
		free(g.checked);
		struct cg h = { .opts = opts, .entry = ACC_NR };
		g = h;
		gen_program(&g, ir);
	}
	free(g.rets);
	free(g.memo);
	free(g.checked);
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
				 "the compiled filter has %zu instructions; seccomp allows at most %d", n,
				 JITK_MAXINSNS);
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
