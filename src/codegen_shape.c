/*
 * codegen_shape.c - the shape of the search on nr (codegen.h): the
 * mean-optimal and the median tree over the segments, by dynamic
 * programming.  Pure arithmetic over struct seg: no instruction is made
 * here, so the plans can be tested without BPF.
 */
#include "codegen.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MED_AVX2 1 /* wider vector steps where the CPU has them (AVX, AVX2) */
#endif

bool cg_simd_narrow;

bool seg_same_leaf(const struct seg *a, const struct seg *b)
{
	if (a->dec || b->dec)
		return a->dec == b->dec && a->args32 == b->args32;
	return a->action == b->action;
}

/* segs[lo+1] is one number between two pieces with the same leaf
 * (typically default gaps around a listed syscall): a single jeq. */
bool jeq_shape(const struct seg *segs, size_t lo, size_t hi)
{
	return hi - lo == 2 && seg_same_leaf(&segs[lo], &segs[hi]) && segs[lo + 1].lo == segs[lo + 1].hi;
}

/*
 * The mean DP, cost(i, j) = W(i..j) + min over k in (i, j] of
 * cost(i, k-1) + cost(k, j) (the first strict minimum's k), is computed
 * by length, in a table laid out by diagonals: D[L * s + i] = cost(i,
 * i + L - 1), the intervals of length L in row L, in order of i.  For a
 * split t = k - i the left parts cost(i, k-1) of the cells (i, i+L-1), i =
 * 0, 1, ..., are then row t from i, and the right parts cost(k, j) row
 * L - t from i + t: both contiguous across consecutive cells.  So each
 * vector lane holds one cell (interval) and the splits are tried in order,
 * t = 1, 2, ..., L-1, each lane keeping its running minimum and its t,
 * replaced only by a strictly smaller sum: lane by lane the same rounded
 * sums a + b compared in the same order as the plain scan over k, hence
 * the same value and the same first minimising k (no horizontal step, no
 * second pass for the first split reaching the minimum).  The minimum is
 * taken with MINPD, whose result is its first operand when it is strictly
 * below the second and the second otherwise (also for NaN and for zeros of
 * either sign): exactly "replace on a strictly smaller sum"; the split
 * kept is max(t', lt & t), lt the lane's mask of c < minimum: t when the
 * sum is strictly smaller (t exceeds every earlier t'), else +0 and t'
 * stays (t' >= 1).  The split table gets k = i + t.  A row's
 * cells go by blocks of up to MD_CELLS (4 vectors), the last block with
 * as few vectors as its cells need; lanes past a row's end compute values
 * no valid lane reads (row t holds n - t + 1 cells, and a valid lane i <=
 * n - L reads row t at i and row L - t at i + t <= n - (L - t)), inside a
 * stride padded by MD_CELLS.  The jeq node (length 3, jeq_shape) then
 * replaces a cell as in the plain scan.  Finally the cost and split tables
 * are filled from the diagonal ones.
 *
 * Knuth's root monotonicity (search k only in [r(i, j-1), r(i+1, j)])
 * would make the DP O(n^2), but it is not used: the jeq node breaks the
 * quadrangle inequality it needs, and the costs are rounded doubles
 * (weights are counts plus a floor that is no binary fraction), so exact
 * ties become ulp differences and nothing shows that the full scan's
 * first minimiser stays in the restricted range (docs/compiler.md).
 */
#define MD_CELLS 16u

#ifndef __SSE2__
/* The plain steps (no SSE2): every cell of row L scanned on its own. */
static void mean_row(double *D, size_t s, size_t L, size_t m, const double *pre, double *best, int32_t *at)
{
	for (size_t i = 0; i < m; i++) {
		const double *a = D + s + i, *b = D + (L - 1) * s + i + 1;
		double lo = *a + *b;
		int32_t arg = 1;
		for (size_t t = 2; t < L; t++) {
			a += s;
			b -= s - 1;
			double c = *a + *b;
			if (c < lo) {
				lo = c;
				arg = (int32_t)t;
			}
		}
		best[i] = lo;
		at[i] = (int32_t)i + arg;
		D[L * s + i] = (pre[i + L] - pre[i]) + lo;
	}
}
#endif

#ifdef __SSE2__
/* NV vectors of 2 cells of row L from cell i (SSE2), the lanes in named
 * variables as in mean_block_avx below. */
#define MD_SSE_INIT(v) \
	__m128d lo##v = _mm_add_pd(_mm_loadu_pd(a + 2 * v), _mm_loadu_pd(b + 2 * v)), arg##v = tv
#define MD_SSE_STEP(v)                                                                    \
	do {                                                                              \
		__m128d c = _mm_add_pd(_mm_loadu_pd(a + 2 * v), _mm_loadu_pd(b + 2 * v)); \
		arg##v = _mm_max_pd(arg##v, _mm_and_pd(_mm_cmplt_pd(c, lo##v), tv));      \
		lo##v = _mm_min_pd(c, lo##v);                                             \
	} while (0)
#define MD_SSE_DONE(v)                                                                                    \
	do {                                                                                              \
		__m128d k##v = _mm_add_pd(_mm_set1_pd((double)(i + 2 * v)), _mm_set_pd(1, 0));            \
		__m128d w = _mm_sub_pd(_mm_loadu_pd(pre + i + L + 2 * v), _mm_loadu_pd(pre + i + 2 * v)); \
		_mm_storeu_pd(D + L * s + i + 2 * v, _mm_add_pd(w, lo##v));                               \
		_mm_storeu_pd(best + i + 2 * v, lo##v);                                                   \
		_mm_storel_epi64((__m128i *)(void *)(at + i + 2 * v),                                     \
				 _mm_cvttpd_epi32(_mm_add_pd(arg##v, k##v)));                             \
	} while (0)
/* The next split for the block's first NV vectors (t, and a, b to its
 * rows), then its results. */
#define MD_SSE_SPLIT(NV)                  \
	do {                              \
		a += s;                   \
		b -= s - 1;               \
		tv = _mm_add_pd(tv, one); \
		MD_SSE_STEP(0);           \
		if ((NV) > 1)             \
			MD_SSE_STEP(1);   \
		if ((NV) > 2)             \
			MD_SSE_STEP(2);   \
		if ((NV) > 3)             \
			MD_SSE_STEP(3);   \
	} while (0)
#define MD_SSE_DONE_NV(NV)              \
	do {                            \
		MD_SSE_DONE(0);         \
		if ((NV) > 1)           \
			MD_SSE_DONE(1); \
		if ((NV) > 2)           \
			MD_SSE_DONE(2); \
		if ((NV) > 3)           \
			MD_SSE_DONE(3); \
	} while (0)
static inline __attribute__((always_inline)) void mean_block(double *D, size_t s, size_t L, size_t i,
							     const double *pre, double *best, int32_t *at,
							     unsigned nv)
{
	const double *a = D + s + i, *b = D + (L - 1) * s + i + 1;
	__m128d tv = _mm_set1_pd(1);
	const __m128d one = _mm_set1_pd(1);
	MD_SSE_INIT(0);
	MD_SSE_INIT(1);
	MD_SSE_INIT(2);
	MD_SSE_INIT(3);
	for (size_t t = 2; t < L; t++) {
		MD_SSE_SPLIT(nv);
	}
	MD_SSE_DONE_NV(nv);
}

static void mean_row_sse2(double *D, size_t s, size_t L, size_t m, const double *pre, double *best,
			  int32_t *at)
{
	size_t i = 0;
	for (; i + 8 <= m; i += 8)
		mean_block(D, s, L, i, pre, best, at, 4);
	switch ((m - i + 1) / 2) {
	case 4: mean_block(D, s, L, i, pre, best, at, 4); break;
	case 3: mean_block(D, s, L, i, pre, best, at, 3); break;
	case 2: mean_block(D, s, L, i, pre, best, at, 2); break;
	case 1: mean_block(D, s, L, i, pre, best, at, 1); break;
	default: break;
	}
}
#endif

#ifdef MED_AVX2
/* NV vectors of 4 cells of row L from cell i (AVX); the lanes in named
 * variables, so that they stay in registers. */
#define MD_AVX_INIT(v) \
	__m256d lo##v = _mm256_add_pd(_mm256_loadu_pd(a + 4 * v), _mm256_loadu_pd(b + 4 * v)), arg##v = tv
#define MD_AVX_STEP(v)                                                                                  \
	do {                                                                                            \
		__m256d c = _mm256_add_pd(_mm256_loadu_pd(a + 4 * v), _mm256_loadu_pd(b + 4 * v));      \
		arg##v = _mm256_max_pd(arg##v, _mm256_and_pd(_mm256_cmp_pd(c, lo##v, _CMP_LT_OQ), tv)); \
		lo##v = _mm256_min_pd(c, lo##v);                                                        \
	} while (0)
#define MD_AVX_DONE(v)                                                                                 \
	do {                                                                                           \
		__m256d k##v =                                                                         \
			_mm256_add_pd(_mm256_set1_pd((double)(i + 4 * v)), _mm256_set_pd(3, 2, 1, 0)); \
		__m256d w = _mm256_sub_pd(_mm256_loadu_pd(pre + i + L + 4 * v),                        \
					  _mm256_loadu_pd(pre + i + 4 * v));                           \
		_mm256_storeu_pd(D + L * s + i + 4 * v, _mm256_add_pd(w, lo##v));                      \
		_mm256_storeu_pd(best + i + 4 * v, lo##v);                                             \
		_mm_storeu_si128((__m128i *)(void *)(at + i + 4 * v),                                  \
				 _mm256_cvttpd_epi32(_mm256_add_pd(arg##v, k##v)));                    \
	} while (0)
/* The next split for the block's first NV vectors (t, and a, b to its
 * rows), then its results. */
#define MD_AVX_SPLIT(NV)                     \
	do {                                 \
		a += s;                      \
		b -= s - 1;                  \
		tv = _mm256_add_pd(tv, one); \
		MD_AVX_STEP(0);              \
		if ((NV) > 1)                \
			MD_AVX_STEP(1);      \
		if ((NV) > 2)                \
			MD_AVX_STEP(2);      \
		if ((NV) > 3)                \
			MD_AVX_STEP(3);      \
	} while (0)
#define MD_AVX_DONE_NV(NV)              \
	do {                            \
		MD_AVX_DONE(0);         \
		if ((NV) > 1)           \
			MD_AVX_DONE(1); \
		if ((NV) > 2)           \
			MD_AVX_DONE(2); \
		if ((NV) > 3)           \
			MD_AVX_DONE(3); \
	} while (0)
__attribute__((target("avx"))) static inline __attribute__((always_inline)) void
mean_block_avx(double *D, size_t s, size_t L, size_t i, const double *pre, double *best, int32_t *at,
	       unsigned nv)
{
	const double *a = D + s + i, *b = D + (L - 1) * s + i + 1;
	__m256d tv = _mm256_set1_pd(1);
	const __m256d one = _mm256_set1_pd(1);
	MD_AVX_INIT(0);
	MD_AVX_INIT(1);
	MD_AVX_INIT(2);
	MD_AVX_INIT(3);
	size_t t = 2;
	for (; t + 1 < L; t += 2) { /* two splits a step, in order */
		MD_AVX_SPLIT(nv);
		MD_AVX_SPLIT(nv);
	}
	if (t < L) {
		MD_AVX_SPLIT(nv);
	}
	MD_AVX_DONE_NV(nv);
}

__attribute__((target("avx"))) static void mean_row_avx(double *D, size_t s, size_t L, size_t m,
							const double *pre, double *best, int32_t *at)
{
	size_t i = 0;
	for (; i + 16 <= m; i += 16)
		mean_block_avx(D, s, L, i, pre, best, at, 4);
	switch ((m - i + 3) / 4) {
	case 4: mean_block_avx(D, s, L, i, pre, best, at, 4); break;
	case 3: mean_block_avx(D, s, L, i, pre, best, at, 3); break;
	case 2: mean_block_avx(D, s, L, i, pre, best, at, 2); break;
	case 1: mean_block_avx(D, s, L, i, pre, best, at, 1); break;
	default: break;
	}
}
#endif

typedef void mean_row_fn(double *D, size_t s, size_t L, size_t m, const double *pre, double *best,
			 int32_t *at);

/* Split points of an optimal tree: cost(i, j) = W(i..j) + min over the
 * split k of cost(i, k-1) + cost(k, j), a jeq node costing W once.
 * split[i * n + j] is k, or 0 for the jeq node; cost[i * n + j] (i <= j)
 * is cost(i, j), also at its transpose cost[j * n + i].  NULL if too big.
 * O(n^3) steps, by rows of the diagonal tables (above). */
size_t *optimal_splits(const struct seg *segs, size_t n, double **cost_out)
{
	*cost_out = NULL;
	if (n > CG_DP_MAX)
		return NULL;
	size_t s = n + MD_CELLS; /* a diagonal row's stride */
	double *cost = malloc(n * n * sizeof *cost);
	size_t *split = malloc(n * n * sizeof *split);
	/* D's rows 1..n, pre (padded as far as a block reads), a row of minima */
	double *D = malloc(((n + 1) * s + (s + 1) + s) * sizeof *D);
	int32_t *A = malloc((n + 1) * s * sizeof *A);
	if (!cost || !split || !D || !A) {
		free(cost);
		free(split);
		free(D);
		free(A);
		return NULL;
	}
	double *pre = D + (n + 1) * s, *best = pre + s + 1;
	pre[0] = 0;
	for (size_t i = 0; i < n; i++)
		pre[i + 1] = pre[i] + segs[i].weight;
	for (size_t i = n + 1; i <= s; i++)
		pre[i] = pre[n];
	/* row 1 (cost(i, i) = 0) and every row's lanes past its cells, which
	 * blocks read (for lanes no result is taken from) before or without
	 * writing them: defined values */
	memset(D + s, 0, s * sizeof *D);
	for (size_t L = 2; L <= n; L++)
		memset(D + L * s + (n - L + 1), 0, (s - (n - L + 1)) * sizeof *D);
#ifdef __SSE2__
	mean_row_fn *row = mean_row_sse2;
#else
	mean_row_fn *row = mean_row;
#endif
#ifdef MED_AVX2
	if (!cg_simd_narrow && __builtin_cpu_supports("avx"))
		row = mean_row_avx;
#endif
	for (size_t L = 2; L <= n; L++) {
		size_t m = n - L + 1;
		row(D, s, L, m, pre, best, A + L * s);
		if (L == 3)
			for (size_t i = 0; i < m; i++)
				if (jeq_shape(segs, i, i + 2) && 0 <= best[i]) {
					double w = pre[i + 3] - pre[i], zero = 0;
					D[3 * s + i] = w + zero; /* both leaves at depth 1 under one node */
					A[3 * s + i] = 0;
				}
	}
	for (size_t i = 0; i < n; i++) { /* row i: (i, j) at D[(j - i + 1) * s + i] */
		const double *dv = D + 2 * s + i;
		const int32_t *at = A + 2 * s + i;
		double *cr = cost + i * n, *col = cr + n + i;
		size_t *sp = split + i * n;
		cr[i] = 0;
		sp[i] = 0;
		for (size_t j = i + 1; j < n; j++, dv += s, at += s, col += n) {
			cr[j] = *col = *dv;
			sp[j] = (size_t)*at;
		}
	}
	free(D);
	free(A);
	*cost_out = cost;
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
static size_t balanced_split(const struct seg *segs, size_t lo, size_t hi);

size_t plan_split(const struct tree_plan *tp, const struct seg *segs, size_t lo, size_t hi, unsigned d)
{
	size_t n = tp->n;
	if (tp->msplit && d < tp->dcut)
		return tp->msplit[((size_t)d * n + lo) * n + hi];
	if (tp->split)
		return tp->split[lo * n + hi];
	return jeq_shape(segs, lo, hi) ? 0 : balanced_split(segs, lo, hi);
}

/* Known syscalls of segs[lo..hi] decided within T instructions (prologue P). */
double plan_cover(const struct tree_plan *tp, const struct seg *segs, size_t lo, size_t hi, unsigned d,
		  unsigned P, unsigned T)
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
static void mean_depths(const struct seg *segs, size_t n, const size_t *split, size_t lo, size_t hi,
			unsigned d, unsigned *depth)
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
double *mean_bounds(const struct seg *segs, size_t n, const size_t *split, double **G_out)
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
	/* by rows from the last, each from its diagonal: (i, j) reads (i, k-1),
	 * earlier in its row, and (k, j), k > i, in a row done before; the
	 * same values as by length, in the order of memory */
	for (size_t i = n; i-- > 0;) {
		const size_t *sp = split + i * n;
		double *hr = H + i * n, *gr = G + i * n;
		hr[i] = segs[i].worst;
		gr[i] = segs[i].dec ? depth[i] : HUGE_VAL;
		for (size_t j = i + 1; j < n; j++) {
			size_t k = sp[j];
			double h, gg;
			if (k == 0) { /* jeq: the three leaves one jump down */
				h = segs[i].worst > segs[i + 1].worst ? segs[i].worst : segs[i + 1].worst;
				h = 1 + (h > segs[j].worst ? h : segs[j].worst);
				gg = HUGE_VAL;
				for (size_t m = i; m <= j; m++)
					if (segs[m].dec && depth[m] - 1.0 < gg)
						gg = depth[m] - 1.0;
			} else {
				double hl = hr[k - 1], hk = H[k * n + j], gl = gr[k - 1], gk = G[k * n + j];
				h = 1 + (hl > hk ? hl : hk);
				gg = (gl < gk ? gl : gk) - 1;
			}
			hr[j] = h;
			gr[j] = gg;
		}
	}
	free(depth);
	*G_out = G;
	return H;
}

void median_free(struct median_ws *ws)
{
	free(ws->val); /* the block cov, split and fin lie in (median_room) */
	free(ws->slot);
	/* field by field: the clang analyzer does not see a compound-literal
	 * assignment clear the freed pointers (make analyze) */
	ws->cov = NULL;
	ws->val = NULL;
	ws->split = NULL;
	ws->bnd = NULL;
	ws->fin = NULL;
	ws->slot = NULL;
	ws->slot_bits = 0;
	ws->nused = 0;
	ws->oom = false;
	ws->n = 0;
}

#define MED_NONE INT16_MIN /* covers: infeasible */
#define MED_PAD 16         /* covers read past the end (med_rowmax, med_rowmax16) */

/* One budget T of the median DP (median_plan). */
struct med {
	const struct seg *segs;
	size_t n;
	const double *mcost, *H, *G, *pre, *cpre;
	double maxlen, M;
	unsigned P, T, dcut;
	const int16_t *cov;   /* NULL: no first pass, every split is tried */
	struct median_ws *ws; /* the memo of med() */
	uint16_t *split;
	bool wide;          /* med_splits16 (AVX2) for the rows */
	const bool *jeq;    /* jeq[i]: jeq_shape(segs, i, i + 2), false where i + 2 >= n */
	bool top;           /* levels 2 and 1 by med_top (dcut >= 3, n >= 3) */
	int16_t *l2;        /* the second pass: level 2 of cov, set by med_need */
	const size_t *full; /* n entries n - 1 (med_need) */
};

/* A state of the second pass, med(i, j, d), by its index
 * ((d * n + i) * n + j) + 1 (0: an empty slot), with its cost and split.
 * The states it reaches are few and scattered over the (d, i, j) space, so
 * an open-addressed table, not a dense one: fewer pages to touch. */
struct med_slot {
	uint32_t key;
	uint16_t split;
	double val;
};

/* The slot of key, or the empty one where it goes (the table is never
 * more than half full). */
static struct med_slot *memo_find(struct median_ws *ws, uint32_t key)
{
	size_t mask = ((size_t)1 << ws->slot_bits) - 1;
	size_t h = (uint32_t)(key * 2654435761u) >> (32 - ws->slot_bits);
	while (ws->slot[h].key && ws->slot[h].key != key)
		h = (h + 1) & mask;
	return &ws->slot[h];
}

/* Twice the slots (the first 128: the shipped policies' second passes
 * keep 2-180 states), keeping the entries; false when out of memory (the
 * table is as it was).  Where a state's slot is changes nothing but the
 * time to find it. */
static bool memo_grow(struct median_ws *ws)
{
	struct med_slot *old = ws->slot;
	size_t nold = old ? (size_t)1 << ws->slot_bits : 0;
	unsigned bits = old ? ws->slot_bits + 1 : 7;
	struct med_slot *s = bits < 32 ? calloc((size_t)1 << bits, sizeof *s) : NULL;
	if (!s)
		return false;
	ws->slot = s;
	ws->slot_bits = bits;
	for (size_t t = 0; t < nold; t++)
		if (old[t].key)
			*memo_find(ws, old[t].key) = old[t];
	free(old);
	return true;
}

/* An empty memo (nothing to clear where nothing was put in: only
 * med_val's insertions set a key, each counted in nused). */
static void memo_clear(struct median_ws *ws)
{
	if (ws->nused)
		memset(ws->slot, 0, ((size_t)1 << ws->slot_bits) * sizeof *ws->slot);
	ws->nused = 0;
}

/* The subtree over segs[i..j] at depth d would make a path longer than
 * maxlen, or put a decision deeper than the mean tree does. */
static inline bool med_too_long(const struct med *c, size_t i, size_t j, unsigned d)
{
	return c->P + d + c->H[i * c->n + j] > c->maxlen || d > c->G[i * c->n + j];
}

/* med(i, i, d): a leaf at depth d. */
static inline double med_pen(const struct med *c, size_t i, unsigned d)
{
	const struct seg *s = &c->segs[i];
	return c->P + d + s->worst > c->maxlen || d > c->G[i * c->n + i] ? HUGE_VAL
	       : c->P + d + s->cost > c->T                               ? c->M * s->cover
									 : 0;
}

/* Its known syscalls within T (MED_NONE: infeasible). */
static inline int16_t med_pen_cov(const struct med *c, size_t i, unsigned d)
{
	const struct seg *s = &c->segs[i];
	return c->P + d + s->worst > c->maxlen || d > c->G[i * c->n + i] ? MED_NONE
	       : c->P + d + s->cost > c->T                               ? 0
									 : (int16_t)s->cover;
}

/*
 * The first pass: cov(i, j, d), the most known syscalls a subtree over
 * segs[i..j] at depth d decides within T (MED_NONE if no subtree is
 * feasible), for every state the root reaches (the whole range at depth 0,
 * its prefixes and suffixes at 1, every interval deeper), into
 * cov[d * nt + med_off(n, i) + j] for d <= dcut (row i from column i on, a
 * level of nt = n (n + 1) / 2 entries; below dcut: the mean subtree's
 * feasibility alone, 0 or MED_NONE).  Exact small integers: every entry
 * is MED_NONE or in [0, 2^13), so a sum of two feasible entries fits 16
 * bits and a sum with MED_NONE is negative.
 *
 * cov(i, j, d) for i < j is the larger of the jeq node's (j = i + 2) and
 * the maximum over the splits k of cov(i, k-1, d+1) + cov(k, j, d+1),
 * MED_NONE if that is negative.  Taken row by row: for each feasible
 * left part cov(i, k-1, d+1) = s, row i of level d gets s + row k of
 * level d+1, lane by lane (8 lanes of the vector unit, no transpose, no
 * branch on the data); the order of the maxima changes nothing, as they
 * are exact.  A row k is read only up to its last feasible entry (lastfin,
 * the level below's, k - 1 where none): beyond it every sum is negative.
 */
/* Where row i of a level of the first pass starts, less i: cell (i, j),
 * j >= i, is at med_off(n, i) + j.  The rows are packed, the upper
 * triangle only, for fewer pages to touch. */
static inline size_t med_off(size_t n, size_t i)
{
	return i * n - i * (i - 1) / 2 - i;
}

/* dst[t] = max(dst[t], s + src[t]) for t < m (1 <= m <= room), s in
 * [0, 2^13), where dst[0..room) and src[0..room) are the rest of a row each
 * (columns k.. of rows i and k, from the same column): returns how many
 * entries from dst[0] on it may have changed, m or more.  Past m it works
 * in whole blocks of 8 while they fit the rows: there src (beyond its
 * row's last feasible entry) is MED_NONE, so each dst entry is kept or,
 * if negative, made another negative (the caller's pass over the row
 * makes every negative entry MED_NONE).  A block crossing the row's end
 * changes only t..m-1, reading and writing back up to 7 entries past
 * dst[m - 1] and reading as many past src[m - 1] (the buffer has room,
 * MED_PAD), and leaves them as they were. */
static size_t med_rowmax(int16_t *dst, const int16_t *src, int16_t s, size_t m, size_t room)
{
	size_t t = 0;
#ifdef __SSE2__
	const __m128i vs = _mm_set1_epi16(s);
	for (;; t += 8) {
		__m128i *q = (__m128i *)(dst + t), d = _mm_loadu_si128(q);
		__m128i v = _mm_max_epi16(d, _mm_adds_epi16(vs, _mm_loadu_si128((const __m128i *)(src + t))));
		if (t + 8 > room) { /* the row's end: only t..m-1 change */
			const __m128i lane = _mm_set_epi16(7, 6, 5, 4, 3, 2, 1, 0);
			__m128i in = _mm_cmpgt_epi16(_mm_set1_epi16((short)(m - t)), lane);
			_mm_storeu_si128(q, _mm_or_si128(_mm_and_si128(in, v), _mm_andnot_si128(in, d)));
			return m;
		}
		_mm_storeu_si128(q, v);
		if (t + 8 >= m)
			return t + 8;
	}
#else
	(void)room;
	for (; t < m; t++) {
		int v = s + src[t]; /* >= MED_NONE: no saturation needed */
		dst[t] = (int16_t)(v > dst[t] ? v : dst[t]);
	}
	return m;
#endif
}

/* The splits k of row i (i < k <= kend) into row, from the level below
 * (left: row i of it), each by rowmax (med_rowmax or med_rowmax16, a
 * constant where this is inlined, so that the step is inlined too):
 * returns the last column changed, i if none. */
typedef size_t med_rowmax_fn(int16_t *dst, const int16_t *src, int16_t s, size_t m, size_t room);
static inline __attribute__((always_inline)) size_t med_splits_by(med_rowmax_fn *rowmax, size_t n,
								  const int16_t *below, int16_t *row,
								  const int16_t *left, const size_t *lastfin,
								  size_t i, size_t kend)
{
	size_t reach = i;
	const int16_t *rk = below + med_off(n, i + 1); /* row k, less k */
	for (size_t k = i + 1; k <= kend; rk += n - k - 1, k++) {
		size_t e = lastfin[k];
		if (left[k - 1] == MED_NONE || e < k)
			continue;
		e = k - 1 + rowmax(row + k, rk + k, left[k - 1], e - k + 1, n - k);
		reach = e > reach ? e : reach;
	}
	return reach;
}

/* med_splits_by with the SSE2 (or plain) step. */
static size_t med_splits(size_t n, const int16_t *below, int16_t *row, const int16_t *left,
			 const size_t *lastfin, size_t i, size_t kend)
{
	return med_splits_by(med_rowmax, n, below, row, left, lastfin, i, kend);
}

#ifdef MED_AVX2
/* med_rowmax by blocks of 16 (AVX2), with the same contract; a block
 * crossing the row's end reads and writes back up to 15 entries past
 * dst[m - 1] and reads as many past src[m - 1] (MED_PAD).  The same exact
 * integer steps lane by lane, so the same covers. */
__attribute__((target("avx2"))) static inline size_t med_rowmax16(int16_t *dst, const int16_t *src,
								  int16_t s, size_t m, size_t room)
{
	const __m256i vs = _mm256_set1_epi16(s);
	for (size_t t = 0;; t += 16) {
		__m256i *q = (__m256i *)(dst + t), d = _mm256_loadu_si256(q);
		__m256i v = _mm256_max_epi16(
			d, _mm256_adds_epi16(vs, _mm256_loadu_si256((const __m256i *)(src + t))));
		if (t + 16 > room) { /* the row's end: only t..m-1 change */
			const __m256i lane =
				_mm256_set_epi16(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
			__m256i in = _mm256_cmpgt_epi16(_mm256_set1_epi16((short)(m - t)), lane);
			_mm256_storeu_si256(q, _mm256_blendv_epi8(d, v, in));
			return m;
		}
		_mm256_storeu_si256(q, v);
		if (t + 16 >= m)
			return t + 16;
	}
}

/* med_splits_by with med_rowmax16. */
__attribute__((target("avx2"))) static size_t med_splits16(size_t n, const int16_t *below, int16_t *row,
							   const int16_t *left, const size_t *lastfin,
							   size_t i, size_t kend)
{
	return med_splits_by(med_rowmax16, n, below, row, left, lastfin, i, kend);
}
#endif

/* v[0..m) = MED_NONE */
static void med_none(int16_t *v, size_t m)
{
	size_t t = 0;
#ifdef __SSE2__
	const __m128i none = _mm_set1_epi16(MED_NONE);
	for (; t + 8 <= m; t += 8)
		_mm_storeu_si128((__m128i *)(v + t), none);
#endif
	for (; t < m; t++)
		v[t] = MED_NONE;
}

/* The jeq node over segs[i..i+2] at depth d, into *m if it decides more. */
static inline void med_jeq(const struct med *c, size_t i, unsigned d, int *m)
{
	if (!c->jeq[i])
		return;
	int x = med_pen_cov(c, i, d + 1), y = med_pen_cov(c, i + 1, d + 1), z = med_pen_cov(c, i + 2, d + 1);
	if (x != MED_NONE && y != MED_NONE && z != MED_NONE && x + y + z > *m)
		*m = x + y + z;
}

/* med_splits or med_splits16, as c chose. */
static inline size_t med_splits_c(const struct med *c, const int16_t *below, int16_t *row,
				  const int16_t *left, const size_t *lastfin, size_t i, size_t kend)
{
#ifdef MED_AVX2
	if (c->wide)
		return med_splits16(c->n, below, row, left, lastfin, i, kend);
#endif
	return med_splits(c->n, below, row, left, lastfin, i, kend);
}

/* row[j..reach] negative -> MED_NONE; returns the last feasible j there,
 * or last if none. */
static inline size_t med_clean(int16_t *row, size_t j, size_t reach, size_t last)
{
#ifdef __SSE2__
	/* by blocks of 8, the same as the scalar pass below */
	const __m128i none = _mm_set1_epi16(MED_NONE), zero = _mm_setzero_si128();
	for (; j + 8 <= reach + 1; j += 8) {
		__m128i v = _mm_loadu_si128((const __m128i *)(row + j)), neg = _mm_cmplt_epi16(v, zero);
		_mm_storeu_si128((__m128i *)(row + j),
				 _mm_or_si128(_mm_and_si128(neg, none), _mm_andnot_si128(neg, v)));
		unsigned keep = ~(unsigned)_mm_movemask_epi8(neg) & 0xffffu; /* two bits a lane */
		if (keep)
			last = j + (31 - (size_t)__builtin_clz(keep)) / 2;
	}
#endif
	for (; j <= reach; j++) {
		if (row[j] < 0)
			row[j] = MED_NONE;
		else
			last = j;
	}
	return last;
}

/* max(a[t - 1] + b[t]) over lo <= t <= hi, MED_NONE if none is feasible
 * (hi < lo: none): a dot product of the max-plus kind, by blocks of 8
 * within [lo, hi], each sum saturating (exact where both are feasible,
 * negative otherwise). */
static int16_t med_dot(const int16_t *a, const int16_t *b, size_t lo, size_t hi)
{
	int m = MED_NONE;
	size_t t = lo;
#ifdef __SSE2__
	if (hi >= lo + 8) {
		__m128i mx = _mm_set1_epi16(MED_NONE);
		for (; t + 8 <= hi + 1; t += 8)
			mx = _mm_max_epi16(mx, _mm_adds_epi16(_mm_loadu_si128((const __m128i *)(a + t - 1)),
							      _mm_loadu_si128((const __m128i *)(b + t))));
		mx = _mm_max_epi16(mx, _mm_srli_si128(mx, 8));
		mx = _mm_max_epi16(mx, _mm_srli_si128(mx, 4));
		mx = _mm_max_epi16(mx, _mm_srli_si128(mx, 2));
		m = (int16_t)_mm_cvtsi128_si32(mx);
	}
#endif
	for (; t <= hi; t++) {
		int v = a[t - 1] + b[t];
		m = v > m ? v : m;
	}
	return m < 0 ? MED_NONE : (int16_t)m;
}

/* Row i of level d (cov(i, j, d) for every j >= i) from the level below;
 * returns its last feasible j (i - 1 if none). */
static size_t med_row(const struct med *c, const int16_t *below, int16_t *cur, const size_t *lastfin,
		      size_t i, unsigned d)
{
	size_t n = c->n, reach = i;
	int16_t *row = cur + med_off(n, i);
	const int16_t *left = below + med_off(n, i);
	med_none(row + i, n - i);
	row[i] = med_pen_cov(c, i, d);
	/* a split k needs cov(i, k-1, d+1) feasible: k - 1 <= lastfin[i] */
	size_t kend = lastfin[i] + 1 < n - 1 ? lastfin[i] + 1 : n - 1;
	if (lastfin[i] + 1 > i)
		reach = med_splits_c(c, below, row, left, lastfin, i, kend);
	if (i + 2 < n) {
		int m = row[i + 2];
		med_jeq(c, i, d, &m);
		row[i + 2] = (int16_t)m;
		reach = i + 2 > reach ? i + 2 : reach;
	}
	return med_clean(row, i + 1, reach, row[i] == MED_NONE ? i - 1 : i);
}

/* cov(i, j, d) for one cell (i < j), scanning the splits: for the cells
 * the row pass does not set (the root's, the suffixes at depth 1, level 2's
 * where med_top leaves it unset).  col, if not NULL, is column j of the
 * level below (col[k] = cov(k, j, d+1) for k <= j), so that the scan is
 * med_dot over two runs in order: the same maximum as the scan down
 * column j of the rows. */
static int16_t med_cell(const struct med *c, const int16_t *below, const size_t *lastfin, size_t i,
			size_t j, unsigned d, const int16_t *col)
{
	size_t n = c->n;
	int m = MED_NONE;
	if (lastfin[i] + 1 > i) {
		const int16_t *left = below + med_off(n, i), *rk = below + med_off(n, i + 1); /* row k */
		size_t kend = j < lastfin[i] + 1 ? j : lastfin[i] + 1;
		if (col)
			m = med_dot(left, col, i + 1, kend);
		else
			for (size_t k = i + 1; k <= kend; rk += n - k - 1, k++) {
				int v = left[k - 1] + rk[j];
				m = v > m ? v : m;
			}
	}
	if (j == i + 2)
		med_jeq(c, i, d, &m);
	return m < 0 ? MED_NONE : (int16_t)m;
}

/* x + y where both are feasible, else MED_NONE. */
static inline int med_sum(int x, int y)
{
	return x < 0 || y < 0 ? MED_NONE : x + y;
}

/*
 * Levels 2 and 1 from level 3 where dcut >= 3 (c->top): level 1 is
 * needed only at the prefixes (row 0) and the suffixes (column n - 1),
 * and those follow from level 3 without the whole of level 2, because the
 * max-plus products are associative.  With L2(k, j) = max over m of
 * L3(k, m-1) + L3(m, j), the jeq node (j = k + 2) and the leaf (k = j):
 *   P1(j) = max over k of P2(k-1) + L2(k, j)
 *         = max over m of Q(m-1) + L3(m, j),  Q(x) = max over k of
 *           P2(k-1) + L3(k, x),  with P2(j-1) + leaf(j), P2(j-3) + jeq(j-2)
 *           and the jeq node at depth 1 (j = 2);
 *   S1(i) = max over k of L2(i, k-1) + S2(k)
 *         = max over m of L3(i, m-1) + R(m),  R(m) = max over k of
 *           L3(m, k-1) + S2(k),  with leaf(i) + S2(i+1), jeq(i) + S2(i+3)
 *           and the jeq node at depth 1 (i = n - 3),
 * where P2 = row 0 and S2 = column n - 1 of level 2 (computed as before).
 * Every term is a sum of covers, exact where each part is feasible and
 * negative otherwise (MED_NONE is below -2^14 and every feasible one below
 * 2^13), and taking maxima in another order changes nothing, so each P1(j)
 * and S1(i) is what the full level 2 gives: O(n^2) steps instead of
 * O(n^3).  Of level 2 only row 0 and column n - 1 are set; the second pass
 * sets the cells its states read (med_need).  Returns row 0's last
 * feasible entry at level 1 (all the root needs of lastfin).
 */
static size_t med_top(const struct med *c, int16_t *cov, const size_t *lf3)
{
	size_t n = c->n, nt = n * (n + 1) / 2, W = CG_MED_MAXN + 16;
	const int16_t *L3 = cov + 3 * nt;
	int16_t *L2 = cov + 2 * nt, *L1 = cov + nt;
	int16_t *col = c->ws->bnd, *S2 = col + W, *Q = S2 + W, *R = Q + W;
	/* P2: row 0 of level 2 (cell (0, j) at L2[j]) */
	size_t lf20 = med_row(c, L3, L2, lf3, 0, 2);
	/* S2(k) = cov(k, n - 1, 2), kept in level 2 too */
	for (size_t k = 0; k < n; k++)
		col[k] = L3[med_off(n, k) + n - 1];
	S2[0] = L2[n - 1];
	for (size_t k = 1; k + 1 < n; k++)
		S2[k] = L2[med_off(n, k) + n - 1] = med_cell(c, L3, lf3, k, n - 1, 2, col);
	S2[n - 1] = L2[med_off(n, n - 1) + n - 1] = med_pen_cov(c, n - 1, 2);
	/* Q, then the splits of P1 */
	size_t lastQ = 0; /* Q(0) is MED_NONE: no k <= 0 */
	med_none(Q, n);
	if (lf20 + 1 > 0) {
		size_t kend = lf20 + 1 < n - 1 ? lf20 + 1 : n - 1;
		lastQ = med_clean(Q, 1, med_splits_c(c, L3, Q, L2, lf3, 0, kend), 0);
	}
	int16_t *P1 = L1; /* row 0 of level 1 */
	med_none(P1, n);
	size_t reach = 0;
	if (lastQ > 0)
		reach = med_splits_c(c, L3, P1, Q, lf3, 0, lastQ + 1 < n - 1 ? lastQ + 1 : n - 1);
	size_t last = SIZE_MAX; /* none yet */
	for (size_t j = 1; j < n; j++) {
		int m = j <= reach && P1[j] >= 0 ? P1[j] : MED_NONE, v;
		v = med_sum(L2[j - 1], med_pen_cov(c, j, 2));
		m = v > m ? v : m;
		if (j >= 3) {
			int J = MED_NONE;
			med_jeq(c, j - 2, 2, &J);
			v = med_sum(L2[j - 3], J);
			m = v > m ? v : m;
		}
		if (j == 2)
			med_jeq(c, 0, 1, &m);
		P1[j] = m < 0 ? MED_NONE : (int16_t)m;
		if (m >= 0)
			last = j;
	}
	for (size_t i = 0; i < n; i++)
		L1[med_off(n, i) + i] = med_pen_cov(c, i, 1);
	if (P1[0] != MED_NONE && last == SIZE_MAX)
		last = 0;
	/* R, then the suffixes */
	for (size_t m = 1; m + 1 < n; m++)
		R[m] = lf3[m] + 1 > m ? med_dot(L3 + med_off(n, m), S2, m + 1,
						lf3[m] + 1 < n - 1 ? lf3[m] + 1 : n - 1)
				      : MED_NONE;
	for (size_t i = 1; i + 1 < n; i++) {
		int m = lf3[i] + 1 > i ? med_dot(L3 + med_off(n, i), R, i + 1,
						 lf3[i] + 1 < n - 2 ? lf3[i] + 1 : n - 2)
				       : MED_NONE,
		    v = med_sum(med_pen_cov(c, i, 2), S2[i + 1]);
		m = v > m ? v : m;
		if (i + 3 < n) {
			int J = MED_NONE;
			med_jeq(c, i, 2, &J);
			v = med_sum(J, S2[i + 3]);
			m = v > m ? v : m;
		}
		if (i + 3 == n)
			med_jeq(c, i, 1, &m);
		L1[med_off(n, i) + n - 1] = m < 0 ? MED_NONE : (int16_t)m;
	}
	return last == SIZE_MAX ? (size_t)-1 : last; /* -1: i - 1 for i = 0 */
}

/* The cells of level 2 the second pass reads at med(i, j, 1) where level 2
 * was not set whole (med_top): a prefix (i = 0) reads column j, a suffix
 * (j = n - 1) row i.  Each the same as the first pass would have set:
 * med_cell and med_row over level 3, every row taken up to its end (c->full:
 * the entries past a row's last feasible one are MED_NONE, so this adds
 * only negative sums). */
static void med_need(const struct med *c, size_t i, size_t j)
{
	size_t n = c->n, nt = n * (n + 1) / 2;
	const int16_t *L3 = c->cov + 3 * nt;
	int16_t *L2 = c->l2;
	if (i == 0) {
		int16_t *col = c->ws->bnd;
		for (size_t k = 0; k <= j; k++)
			col[k] = L3[med_off(n, k) + j];
		for (size_t k = 1; k < j; k++)
			L2[med_off(n, k) + j] = med_cell(c, L3, c->full, k, j, 2, col);
		L2[med_off(n, j) + j] = med_pen_cov(c, j, 2);
	} else if (j == n - 1) {
		med_row(c, L3, L2, c->full, i, 2);
	}
}

/* fin holds two arrays of n: the level below's lastfin, the current's. */
static void med_cover(const struct med *c, int16_t *cov, size_t *fin)
{
	size_t n = c->n, nt = n * (n + 1) / 2;
	size_t *lastfin = fin, *nlast = fin + n, *t;
	int16_t *base = cov + (size_t)c->dcut * nt;
	/* the base level: med_too_long at dcut, as H > hlim or G < dcut
	 * (small integers, so the same comparisons exactly) */
	const double hlim = c->maxlen - c->P - c->dcut, dc = c->dcut;
	for (size_t i = 0; i < n; i++) {
		const double *H = c->H + i * n, *G = c->G + i * n;
		int16_t *row = base + med_off(n, i);
		size_t j = i, last = i - 1;
#ifdef __SSE2__
		/* by blocks of 8: the 64-bit masks packed to 16 bits */
		const __m128i none = _mm_set1_epi16(MED_NONE);
		const __m128d vh = _mm_set1_pd(hlim), vd = _mm_set1_pd(dc);
		for (; j + 8 <= n; j += 8) {
			__m128i m[4];
			for (int q = 0; q < 4; q++)
				m[q] = _mm_castpd_si128(
					_mm_or_pd(_mm_cmpgt_pd(_mm_loadu_pd(H + j + 2 * q), vh),
						  _mm_cmplt_pd(_mm_loadu_pd(G + j + 2 * q), vd)));
			__m128i bad =
				_mm_packs_epi16(_mm_packs_epi32(m[0], m[1]), _mm_packs_epi32(m[2], m[3]));
			_mm_storeu_si128((__m128i *)(row + j), _mm_and_si128(bad, none));
			unsigned keep = ~(unsigned)_mm_movemask_epi8(bad) & 0xffffu; /* two bits a lane */
			if (keep)
				last = j + (31 - (size_t)__builtin_clz(keep)) / 2;
		}
#endif
		for (; j < n; j++) {
			bool bad = H[j] > hlim || G[j] < dc;
			row[j] = bad ? MED_NONE : 0;
			if (!bad)
				last = j;
		}
		lastfin[i] = last;
	}
	for (unsigned d = c->dcut; d-- > 0;) {
		const int16_t *below = cov + (size_t)(d + 1) * nt;
		int16_t *cur = cov + (size_t)d * nt;
		if (d == 0) {
			cur[n - 1] = med_cell(c, below, lastfin, 0, n - 1, 0, NULL);
		} else if (d == 2 && c->top) {
			nlast[0] = med_top(c, cov, lastfin);
			d = 1; /* level 1 too */
		} else if (d == 1) {
			/* the prefixes (row 0) and suffixes; the root needs row 0's
			 * lastfin only.  The suffixes read column n - 1 of level 2,
			 * gathered once into the bound's rows (unused meanwhile) */
#ifdef __clang_analyzer__
			/* level 2 is set (the base level or med_row, every cell
			 * (k, n - 1)) but the analyzer does not follow the levels:
			 * it takes the plain scan, which gives the same cells */
			int16_t *col = NULL;
#else
			int16_t *col = c->ws->bnd;
			for (size_t k = 0; k < n; k++)
				col[k] = below[med_off(n, k) + n - 1];
#endif
			for (size_t i = 0; i < n; i++)
				cur[med_off(n, i) + i] = med_pen_cov(c, i, 1);
			nlast[0] = med_row(c, below, cur, lastfin, 0, 1);
			for (size_t i = 1; i + 1 < n; i++)
				cur[med_off(n, i) + n - 1] = med_cell(c, below, lastfin, i, n - 1, 1, col);
		} else {
			for (size_t i = 0; i < n; i++)
				nlast[i] = med_row(c, below, cur, lastfin, i, d);
		}
		t = lastfin, lastfin = nlast, nlast = t;
	}
}

/*
 * The second pass: med(i, j, d) and its split, computed from the root
 * down for the states it needs.  A split k can be the cheapest only if
 * its two subtrees decide cov(i, j, d) syscalls: any other costs at least
 * M more (M exceeds every weight x depth sum, far beyond rounding), so
 * only those k are tried, in order, keeping the first strictly cheaper;
 * each sum is the same rounded a + b as in the plain scan over every k,
 * so the cost and the split are the plain scan's.  Without the first pass
 * (c->cov NULL) every k is tried.
 */
static double med_val(const struct med *c, size_t i, size_t j, unsigned d)
{
	size_t n = c->n;
	if (d >= c->dcut) /* the mean DP's subtree, every syscall beyond T */
		return med_too_long(c, i, j, d)
			       ? HUGE_VAL
			       : (i == j ? 0 : c->mcost[i * n + j]) + c->M * (c->cpre[j + 1] - c->cpre[i]);
	if (i == j)
		return med_pen(c, i, d);
	size_t at = ((size_t)d * n + i) * n + j;
	struct med_slot *sl = memo_find(c->ws, (uint32_t)at + 1);
	if (sl->key)
		return sl->val;
	double best = HUGE_VAL;
	size_t arg = i + 1;
	size_t nt = n * (n + 1) / 2;
	const int16_t *cv = c->cov, *below = cv ? cv + (size_t)(d + 1) * nt : NULL;
	const int16_t *row = cv ? below + med_off(n, i) : NULL;
	if (cv && c->top && d == 1)
		med_need(c, i, j);
	int want = cv ? cv[d * nt + med_off(n, i) + j] : 0;
	if (want != MED_NONE)
		for (size_t k = i + 1; k <= j; k++) {
			if (cv && row[k - 1] + below[med_off(n, k) + j] != want)
				continue;
			double v = med_val(c, i, k - 1, d + 1) + med_val(c, k, j, d + 1);
			if (v < best) {
				best = v;
				arg = k;
			}
		}
	if (j - i == 2 && c->jeq[i]) {
		double v = med_pen(c, i, d + 1) + med_pen(c, i + 1, d + 1) + med_pen(c, j, d + 1);
		if (v <= best) {
			best = v;
			arg = 0;
		}
	}
	struct median_ws *ws = c->ws;
	if (2 * (ws->nused + 1) > (size_t)1 << ws->slot_bits && !memo_grow(ws))
		ws->oom = true;
	if (ws->oom)
		return HUGE_VAL;
	sl = memo_find(ws, (uint32_t)at + 1); /* the recursion may have moved it */
	sl->key = (uint32_t)at + 1;
	sl->val = c->pre[j + 1] - c->pre[i] + best;
	sl->split = (uint16_t)arg;
	ws->nused++;
	return sl->val;
}

/* The splits of the tree med() chose, from segs[i..j] at depth d down to
 * depth dcut, into c->split (the entries plan_split reads; no other). */
static void med_mark(const struct med *c, size_t i, size_t j, unsigned d)
{
	if (i == j || d >= c->dcut)
		return;
	size_t at = ((size_t)d * c->n + i) * c->n + j;
	const struct med_slot *sl = memo_find(c->ws, (uint32_t)at + 1);
	if (!sl->key) /* not reached: every state of the tree was weighed */
		return;
	c->split[at] = sl->split;
	if (sl->split == 0) /* the jeq node: three leaves */
		return;
	med_mark(c, i, sl->split - 1u, d + 1);
	med_mark(c, sl->split, j, d + 1);
}

/* ws sized for n segments; false when out of memory. */
static bool median_room(struct median_ws *ws, size_t n)
{
	if (ws->n == n)
		return true;
	median_free(ws);
	size_t nt = n * (n + 1) / 2, lv = (size_t)CG_MED_MAXD * n * n;
	/* pre and cpre; the first pass's lastfin; covers of two budgets
	 * (CG_MED_MAXD + 1 levels each); the splits of CG_MED_MAXD levels;
	 * med()'s memo apart (it grows).  One block, not four, in the order
	 * of their alignments: glibc serves a block above its mmap threshold
	 * by mmap and, once one is freed, raises the threshold to its size
	 * and the heap's trim threshold to twice that, so that one block
	 * larger than the tables around it keeps the heap from being trimmed
	 * and refaulted at every compile (several such blocks together can
	 * exceed the trim threshold).  No allocator setting is changed. */
	size_t nval = 2 * (n + 1), nfin = 2 * n, ncov = 2 * (CG_MED_MAXD + 1) * nt + MED_PAD;
	size_t nbnd = CG_BOUND_CELLS;
	char *b = malloc(nval * sizeof *ws->val + nfin * sizeof *ws->fin + (ncov + nbnd) * sizeof *ws->cov +
			 lv * sizeof *ws->split);
	if (!b)
		return false;
	ws->val = (double *)(void *)b;
	ws->fin = (size_t *)(void *)(b + nval * sizeof *ws->val);
	ws->cov = (int16_t *)(void *)(b + nval * sizeof *ws->val + nfin * sizeof *ws->fin);
	ws->bnd = ws->cov + ncov;
	ws->split = (uint16_t *)(void *)(ws->bnd + nbnd);
	if (!memo_grow(ws)) {
		median_free(ws);
		return false;
	}
	ws->n = n;
	return true;
}

/* The deepest depth a segment may take as a leaf (med_pen_cov's bounds:
 * its longest path within maxlen, a decision no deeper than g), -1 if
 * none. */
static inline long bound_deepest(const struct seg *s, double g, double maxlen, unsigned P)
{
	double d = maxlen - P - s->worst;
	d = g < d ? g : d;
	return d < 0 ? -1 : d > CG_MED_MAXN ? (long)CG_MED_MAXN : (long)d;
}

/* An item of size z (a power of two <= W) deciding g after every end at
 * a multiple of z: dst[at + z] = max(dst[at + z], F[at] + g) where F[at]
 * is not -1.  By blocks of 8 for z = 1 (writing whole blocks, up to 7
 * entries past dst[W], which the rows have room for: CG_BOUND_ROW). */
static void bound_place(const int16_t *F, int16_t *dst, size_t z, size_t W, int g)
{
	size_t at = 0;
#ifdef __SSE2__
	if (z == 1) {
		const __m128i vg = _mm_set1_epi16((short)g), zero = _mm_setzero_si128();
		for (; at < W; at += 8) {
			__m128i f = _mm_loadu_si128((const __m128i *)(F + at)),
				*q = (__m128i *)(dst + at + 1);
			__m128i v = _mm_or_si128(_mm_add_epi16(f, vg), _mm_cmplt_epi16(f, zero));
			_mm_storeu_si128(q, _mm_max_epi16(_mm_loadu_si128(q), v));
		}
		return;
	}
#endif
	for (; at + z <= W; at += z)
		if (F[at] >= 0 && dst[at + z] < F[at] + g)
			dst[at + z] = (int16_t)(F[at] + g);
}

/*
 * An upper bound on the first pass's answer for budget T, cov(0, n-1, 0),
 * in far fewer steps: when it shows that half of the known syscalls do not
 * fit, the pass itself is not run.  Cut a tree the first pass weighs at
 * depth K = T - P - cmin, the deepest a leaf can be and still be decided
 * within T.  What remains is an alphabetic tree whose leaves, in order,
 * are items: a segment at depth l <= K (decided within T if P + l + cost
 * <= T), a jeq node at depth l < K (its three leaves at l + 1), or a node
 * at depth K over two or more segments (a bucket: none decided within T).
 * Every decided leaf is in an item, so the items' covers bound the tree's.
 * Two facts about the items are kept, both necessary, so that every tree
 * the first pass weighs is among the item sequences counted here:
 *   - each segment's own bounds at its depth (med_pen_cov: its longest path
 *     within maxlen, a decision no deeper than G[i][i]); a bucket's
 *     segments lie at depth K + 1 or deeper, where a mean subtree's bounds
 *     H and G (mean_bounds) imply the same of each of its segments;
 *   - depths l_1, l_2, ... of an ordered sequence of leaves are those of an
 *     alphabetic tree only if the greedy placement fits the unit interval:
 *     each item starts at the first multiple of 2^-l at or after the end of
 *     the one before and takes 2^-l (intervals of a prefix code are
 *     disjoint, aligned and in order; the greedy ends each item earliest).
 * The rest (the mean subtrees' bounds as intervals, the choice among
 * equally covering trees) is dropped, so the answer may exceed cov(0, n-1,
 * 0), never fall below it.  A dynamic program over (segments placed, end
 * of the last item in units of 2^-K, whether that item is a bucket that
 * may take the next segment too), the most cover for each.  An item placed
 * after an end pos starts at the first multiple of its size z at or after
 * pos, so every pos in ((k-1) z, k z] leads to the same end k z + z, and
 * the best of them is the most cover over ends <= k z (a prefix maximum):
 * a row costs O(2^K) steps, the whole O(n 2^K).  buf: CG_BOUND_CELLS
 * entries.  Returns the bound, -1 if no item sequence fits (no tree is
 * feasible), or INT_MAX if K > CG_BOUND_MAXK (no bound: run the pass).
 */
int median_bound(const struct seg *segs, size_t n, const double *G, double maxlen, unsigned P, unsigned T,
		 int16_t *buf)
{
	double M;
	unsigned cmin = median_dims(segs, n, &M);
	if (n < 2 || T < P + cmin || T - P - cmin > CG_BOUND_MAXK)
		return INT_MAX;
	unsigned K = T - P - cmin;
	/* each array: ends 0..W, then room for whole blocks of 8 (entries past
	 * W are never read for an end <= W) */
	size_t W = (size_t)1 << K, R = CG_BOUND_ROW(K), S = 2 * R;
	/* rows i .. i+3 (a jeq item places three segments) in a ring, each the
	 * most cover by the end of the last item: closed items, then buckets;
	 * -1 where none ends there */
#define CLOSED(i) (buf + ((i)&3) * S)
#define OPEN(i) (CLOSED(i) + R)
	for (size_t t = 0; t < 4 * S + R; t++)
		buf[t] = -1;
	CLOSED(0)[0] = 0;
	int16_t *F = buf + 4 * S; /* the prefix maxima of row i */
				  /* the deepest depth segment m may take (-1: none) */
#define DEEPEST(m) bound_deepest(&segs[m], G[(m)*n + (m)], maxlen, P)
	for (size_t i = 0; i < n; i++) {
		int16_t *fc = CLOSED(i), *fo = OPEN(i), *nc = CLOSED(i + 1), *no = OPEN(i + 1);
		int16_t *jc = CLOSED(i + 3);
		long la = DEEPEST(i), lc = (long)T - (long)P - (long)segs[i].cost;
		int cover = (int)segs[i].cover;
		bool inb = la >= (long)K + 1;
		size_t pos = 0;
#ifdef __SSE2__
		/* by blocks of 8: the same maxima as the scalar steps below */
		const __m128i m1 = _mm_set_epi16(0, 0, 0, 0, 0, 0, 0, -1),
			      m2 = _mm_set_epi16(0, 0, 0, 0, 0, 0, -1, -1),
			      m4 = _mm_set_epi16(0, 0, 0, 0, -1, -1, -1, -1);
		__m128i run = _mm_set1_epi16(-1);
		for (; pos + 8 <= R - 8; pos += 8) {
			__m128i o = _mm_loadu_si128((const __m128i *)(fo + pos));
			__m128i v = _mm_max_epi16(_mm_loadu_si128((const __m128i *)(fc + pos)), o);
			if (inb) {
				__m128i *q = (__m128i *)(no + pos), *q1 = (__m128i *)(no + pos + 1);
				_mm_storeu_si128(q, _mm_max_epi16(_mm_loadu_si128(q), o));
				_mm_storeu_si128(q1, _mm_max_epi16(_mm_loadu_si128(q1), v));
			}
			v = _mm_max_epi16(v, _mm_or_si128(_mm_slli_si128(v, 2), m1));
			v = _mm_max_epi16(v, _mm_or_si128(_mm_slli_si128(v, 4), m2));
			v = _mm_max_epi16(v, _mm_or_si128(_mm_slli_si128(v, 8), m4));
			v = _mm_max_epi16(v, run);
			_mm_storeu_si128((__m128i *)(F + pos), v);
			run = _mm_set1_epi16((short)_mm_extract_epi16(v, 7));
		}
#endif
		for (int16_t r = pos ? F[pos - 1] : -1; pos <= W; pos++) {
			int16_t v = fc[pos] > fo[pos] ? fc[pos] : fo[pos];
			if (inb) { /* into the bucket, or a new one */
				no[pos] = fo[pos] > no[pos] ? fo[pos] : no[pos];
				no[pos + 1] = v > no[pos + 1] ? v : no[pos + 1];
			}
			F[pos] = r = v > r ? v : r;
		}
		/* singles: the deepest depth allowed, and if it is not decided
		 * there, the deepest where it is */
		long l1 = la < (long)K ? la : (long)K, l2 = l1 <= lc ? -1 : lc;
		for (int o = 0; o < 2; o++) {
			long l = o ? l2 : l1;
			if (l < 1)
				continue;
			bound_place(F, nc, (size_t)1 << (K - (unsigned)l), W, l <= lc ? cover : 0);
		}
		/* the jeq item over segs[i..i+2] at depths jlo..jhi */
		long jlo = i == 0 && n == 3 ? 0 : 1, jhi = -1;
		if (i + 2 < n && jeq_shape(segs, i, i + 2)) {
			jhi = (long)K - 1;
			for (size_t m = i; m <= i + 2; m++)
				jhi = DEEPEST(m) - 1 < jhi ? DEEPEST(m) - 1 : jhi;
		}
		for (long l = jhi, gl = -1; l >= jlo; l--) {
			int g = 0;
			for (size_t m = i; m <= i + 2; m++)
				g += l + 1 <= (long)T - (long)P - (long)segs[m].cost ? (int)segs[m].cover : 0;
			if (g == gl) /* a deeper one decides as much and ends no later */
				continue;
			gl = g;
			bound_place(F, jc, (size_t)1 << (K - (unsigned)l), W, g);
		}
		for (size_t t = 0; t < S; t++) /* the ring's row i + 4 */
			fc[t] = -1;
	}
	int most = -1;
	for (size_t t = 0; t <= W; t++) {
		most = CLOSED(n)[t] > most ? CLOSED(n)[t] : most;
		most = OPEN(n)[t] > most ? OPEN(n)[t] : most;
	}
#undef CLOSED
#undef OPEN
#undef DEEPEST
	return most;
}

/* The first pass for budget T (dcut levels) into cov: whether more than
 * half of the known syscalls fit; not run when median_bound shows they
 * do not (cov is then left as it was), nor the bound where T is known to
 * fit (known). */
static bool med_fits(struct median_ws *ws, struct med *c, unsigned T, unsigned cmin, int16_t *cov, bool known)
{
	size_t n = c->n;
	int most = known ? INT_MAX : median_bound(c->segs, n, c->G, c->maxlen, c->P, T, ws->bnd);
	if (most < 0 || 2.0 * most <= c->cpre[n] + 1)
		return false;
	c->T = T;
	c->dcut = T - c->P - cmin + 1; /* depth >= dcut: no leaf within T */
	c->top = c->dcut >= 3 && n >= 3;
#ifdef MED_AVX2
	c->wide = !cg_simd_narrow && __builtin_cpu_supports("avx2");
#endif
	med_cover(c, cov, ws->fin);
	int16_t got = cov[n - 1]; /* cov(0, n - 1, 0) */
	return got != MED_NONE && 2.0 * got > c->cpre[n] + 1;
}

unsigned median_dims(const struct seg *segs, size_t n, double *M)
{
	unsigned cmin = ~0u;
	double wsum = 0;
	for (size_t i = 0; i < n; i++) {
		cmin = segs[i].cost < cmin ? segs[i].cost : cmin;
		wsum += segs[i].weight;
	}
	*M = wsum * (double)(n + 2) + 1; /* a depth is at most n + 1 */
	return cmin;
}

uint16_t *median_plan(struct median_ws *ws, const struct seg *segs, size_t n, const size_t *split,
		      const double *mcost, const double *H, const double *G, double maxlen, unsigned P,
		      unsigned *T_out, unsigned *dcut_out)
{
	if (n == 0 || n > CG_MED_MAXN) /* no segment, no tree; splits fit 16 bits */
		return NULL;
	double M;
	unsigned cmin = median_dims(segs, n, &M);
	bool counts = true; /* every cover a small count: the first pass applies */
	for (size_t i = 0; i < n; i++)
		counts &= segs[i].cover >= 0 && segs[i].cover == (double)(int)segs[i].cover;
	if (!median_room(ws, n))
		return NULL;
	double *pre = ws->val, *cpre = pre + n + 1;
	pre[0] = cpre[0] = 0;
	for (size_t i = 0; i < n; i++) {
		pre[i + 1] = pre[i] + segs[i].weight;
		cpre[i + 1] = cpre[i] + segs[i].cover;
	}
	counts &= cpre[n] < 1 << 13;
	bool jeq[CG_MED_MAXN]; /* once, not at every row of every level */
	for (size_t i = 0; i < n; i++)
		jeq[i] = i + 2 < n && jeq_shape(segs, i, i + 2);
	struct med c = { .segs = segs,
			 .n = n,
			 .mcost = mcost,
			 .H = H,
			 .G = G,
			 .pre = pre,
			 .cpre = cpre,
			 .maxlen = maxlen,
			 .M = M,
			 .P = P,
			 .ws = ws,
			 .split = ws->split,
			 .jeq = jeq };
	/* T from the first within which a leaf fits while dcut <= CG_MED_MAXD */
	unsigned Tmin = P + cmin > P + 1 ? P + cmin : P + 1, Tmax = P + CG_MED_MAXD - (cmin == 0), T = 0;
	if (counts) {
		/* The smallest T that fits, by the first pass alone.  Fitting
		 * is monotone in T: a tree feasible for T - 1 is feasible for T
		 * (a mean subtree at depth dcut - 1 is the mean split there
		 * above mean subtrees, which the bounds H and G admit one level
		 * down) and decides at least as much.  The mean tree
		 * is one of the trees the DP weighs, so the T where it fits is
		 * an upper bound: the search starts just below it. */
		unsigned Tm = Tmin, Tfit = UINT_MAX, *depth = malloc(n * sizeof *depth);
		if (depth) {
			double fit[CG_MED_MAXD + 1] = { 0 }, sum = 0; /* by the T they need */
			mean_depths(segs, n, split, 0, n - 1, 0, depth);
			for (size_t i = 0; i < n; i++)
				if (P + depth[i] + segs[i].cost <= Tmax)
					fit[P + depth[i] + segs[i].cost - (P + 1)] += segs[i].cover;
			free(depth);
			for (Tm = P + 1; Tm <= Tmax; Tm++)
				if (2 * (sum += fit[Tm - (P + 1)]) > cpre[n] + 1 && Tm >= Tmin)
					break;
			Tfit = Tm; /* from here on the mean tree fits: no bound needed */
		}
		int16_t *fit = ws->cov, *work = fit + (CG_MED_MAXD + 1) * (n * (n + 1) / 2), *t;
		unsigned at = Tm > Tmin ? Tm - 1 : Tmin;
		if (med_fits(ws, &c, at, cmin, fit, at >= Tfit)) {
			T = at; /* downwards while it fits */
			while (T > Tmin && med_fits(ws, &c, T - 1, cmin, work, T - 1 >= Tfit)) {
				t = fit, fit = work, work = t;
				T--;
			}
		} else { /* upwards until it fits */
			while (++at <= Tmax)
				if (med_fits(ws, &c, at, cmin, fit, at >= Tfit)) {
					T = at;
					break;
				}
		}
		if (!T)
			return NULL;
		c.T = T;
		c.dcut = T - P - cmin + 1;
		c.top = c.dcut >= 3 && n >= 3; /* as med_fits had it for fit */
		c.cov = fit;
		c.l2 = fit + 2 * (n * (n + 1) / 2);
		for (size_t i = 0; i < n; i++) /* the first pass is done with fin */
			ws->fin[i] = n - 1;
		c.full = ws->fin;
		memo_clear(ws);
		med_val(&c, 0, n - 1, 0);
		if (ws->oom)
			return NULL;
		med_mark(&c, 0, n - 1, 0);
	} else {
		for (T = Tmin; T <= Tmax; T++) {
			c.T = T;
			c.dcut = T - P - cmin + 1;
			memo_clear(ws);
			struct tree_plan tp = { n, (size_t *)split, ws->split, c.dcut };
			double v = med_val(&c, 0, n - 1, 0);
			if (ws->oom)
				return NULL;
			if (v < HUGE_VAL) {
				med_mark(&c, 0, n - 1, 0);
				if (2 * plan_cover(&tp, segs, 0, n - 1, 0, P, T) > cpre[n] + 1)
					break;
			}
		}
		if (T > Tmax)
			return NULL;
	}
	*T_out = T;
	*dcut_out = c.dcut;
	return ws->split;
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
