/*
 * codegen_shape.c - the shape of the search on nr (codegen.h): the
 * mean-optimal and the median tree over the segments, by dynamic
 * programming.  Pure arithmetic over struct seg: no instruction is made
 * here, so the plans can be tested without BPF.
 */
#include "codegen.h"

#include <math.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

bool seg_same_leaf(const struct seg *a, const struct seg *b)
{
	if (a->dec || b->dec)
		return a->dec == b->dec && a->args32 == b->args32;
	return a->action == b->action;
}

/* segs[lo+1] is one number between two pieces with the same leaf
 * (typically default gaps around a listed syscall): a single jeq. */
static bool jeq_shape(const struct seg *segs, size_t lo, size_t hi)
{
	return hi - lo == 2 && seg_same_leaf(&segs[lo], &segs[hi]) && segs[lo + 1].lo == segs[lo + 1].hi;
}

/*
 * The inner step of both dynamic programs: the first t in [0, m) (m >= 1)
 * minimising a[t] + b[t], and that minimum in *best.  a[] is a run of a row
 * of the cost table (the left subtrees [i, k-1]) and b[] a run of a row of
 * its transpose (the right subtrees [k, j]), so both are read in order.
 * The minimum is taken first over four independent lanes (no branch on
 * the data), then the first t reaching it: the same t and the same value
 * as the plain scan that keeps the first strict minimum, because a[t] +
 * b[t] is the same rounded sum in both passes and taking a minimum rounds
 * nothing.  Costs are >= 0; an infinite cost (infeasible) is a value like
 * any other, and if every sum is infinite the answer is t = 0, as in the
 * plain scan.
 */
static inline __attribute__((always_inline)) size_t argmin_sum(const double *a, const double *b, size_t m,
							       double *best)
{
	size_t t = 0;
	double lo;
	if (m < 8) { /* short: the plain scan */
		size_t at = 0;
		lo = a[0] + b[0];
		for (t = 1; t < m; t++) {
			double c = a[t] + b[t];
			if (c < lo) {
				lo = c;
				at = t;
			}
		}
		*best = lo;
		return at;
	}
#ifdef __SSE2__
	__m128d v0 = _mm_set1_pd(HUGE_VAL), v1 = v0, v2 = v0, v3 = v0;
	for (; t + 8 <= m; t += 8) {
		v0 = _mm_min_pd(v0, _mm_add_pd(_mm_loadu_pd(a + t), _mm_loadu_pd(b + t)));
		v1 = _mm_min_pd(v1, _mm_add_pd(_mm_loadu_pd(a + t + 2), _mm_loadu_pd(b + t + 2)));
		v2 = _mm_min_pd(v2, _mm_add_pd(_mm_loadu_pd(a + t + 4), _mm_loadu_pd(b + t + 4)));
		v3 = _mm_min_pd(v3, _mm_add_pd(_mm_loadu_pd(a + t + 6), _mm_loadu_pd(b + t + 6)));
	}
	v0 = _mm_min_pd(_mm_min_pd(v0, v1), _mm_min_pd(v2, v3));
	v0 = _mm_min_sd(v0, _mm_unpackhi_pd(v0, v0));
	lo = _mm_cvtsd_f64(v0);
#else
	lo = HUGE_VAL;
#endif
	for (; t < m; t++) {
		double c = a[t] + b[t];
		lo = c < lo ? c : lo;
	}
	*best = lo;
	t = 0;
#ifdef __SSE2__
	__m128d want = _mm_set1_pd(lo);
	for (; t + 2 <= m; t += 2) {
		int eq = _mm_movemask_pd(
			_mm_cmpeq_pd(_mm_add_pd(_mm_loadu_pd(a + t), _mm_loadu_pd(b + t)), want));
		if (eq)
			return t + !(eq & 1);
	}
#endif
	for (; t + 1 < m; t++)
		if (a[t] + b[t] == lo)
			break;
	return t;
}

/* Split points of an optimal tree: cost(i, j) = W(i..j) + min over the
 * split k of cost(i, k-1) + cost(k, j), a jeq node costing W once.
 * split[i * n + j] is k, or 0 for the jeq node.  NULL if too big.
 * O(n^3) steps, each a pass of argmin_sum over contiguous rows. */
size_t *optimal_splits(const struct seg *segs, size_t n, double **cost_out)
{
	*cost_out = NULL;
	if (n > CG_DP_MAX)
		return NULL;
	double *cost = calloc(n * n, sizeof *cost);
	double *tcost = calloc(n * n, sizeof *tcost); /* tcost[j * n + k] = cost[k * n + j] */
	double *pre = malloc((n + 1) * sizeof *pre);
	size_t *split = calloc(n * n, sizeof *split);
	if (!cost || !tcost || !pre || !split) {
		free(cost);
		free(tcost);
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
			double w = pre[j + 1] - pre[i], best;
			/* k = i + 1 + t: cost(i, k-1) + cost(k, j) */
			size_t at = i + 1 + argmin_sum(cost + i * n + i, tcost + j * n + i + 1, j - i, &best);
			if (jeq_shape(segs, i, j) && 0 <= best) {
				best = 0; /* both leaves at depth 1 under one node */
				at = 0;
			}
			cost[i * n + j] = tcost[j * n + i] = w + best;
			split[i * n + j] = at;
		}
	*cost_out = cost;
	free(tcost);
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

void median_free(struct median_ws *ws)
{
	free(ws->buf);
	free(ws->split);
	/* field by field: the clang analyzer does not see a compound-literal
	 * assignment clear the freed pointers (make analyze) */
	ws->buf = NULL;
	ws->split = NULL;
	ws->n = 0;
	ws->dcap = 0;
}

/* ws sized for n segments and dcut levels; false when out of memory. */
static bool median_room(struct median_ws *ws, size_t n, unsigned dcut)
{
	size_t nn = n * n;
	if (ws->n != n) {
		median_free(ws);
		/* 4 n^2 costs, pre and cpre (n + 1 each), pen (n), 2 n indexes */
		ws->buf = malloc((4 * nn + 3 * n + 2) * sizeof *ws->buf + 2 * n * sizeof(size_t));
		ws->n = ws->buf ? n : 0;
	}
	if (ws->buf && ws->dcap < dcut) {
		uint16_t *sp = realloc(ws->split, (size_t)dcut * nn * sizeof *sp);
		if (!sp)
			return false;
		ws->split = sp;
		ws->dcap = dcut;
	}
	return ws->buf != NULL;
}

/* One level of the median DP: the costs below (depth d + 1, rows and
 * transpose), their finite extent, and the level being filled. */
struct med_level {
	size_t n;
	const struct seg *segs;
	const double *below, *tbelow, *pre, *pen;
	const size_t *lastfin, *firstfin;
	double *cur, *tcur;
};

/* med(i, j, d) for i < j, and its split into sp. */
static inline __attribute__((always_inline)) void med_cell(const struct med_level *L, uint16_t *sp,
							   size_t i, size_t j)
{
	size_t n = L->n;
	/* a split k costs HUGE_VAL unless cost(i, k-1) and cost(k, j) are
	 * finite: k - 1 <= lastfin[i] and k >= firstfin[j] */
	size_t klo = L->firstfin[j] > i + 1 ? L->firstfin[j] : i + 1;
	size_t khi = L->lastfin[i] + 1 < j ? L->lastfin[i] + 1 : j;
	double best = HUGE_VAL;
	size_t at = i + 1;
	if (klo <= khi && L->lastfin[i] + 1 > i) {
		at = klo +
		     argmin_sum(L->below + i * n + klo - 1, L->tbelow + j * n + klo, khi - klo + 1, &best);
		if (!(best < HUGE_VAL))
			at = i + 1; /* as the full scan: the first k */
	}
	if (j - i == 2 && jeq_shape(L->segs, i, j)) {
		double c = L->pen[i] + L->pen[i + 1] + L->pen[j];
		if (c <= best) {
			best = c;
			at = 0;
		}
	}
	L->cur[i * n + j] = L->tcur[j * n + i] = L->pre[j + 1] - L->pre[i] + best;
	sp[i * n + j] = (uint16_t)at;
}

uint16_t *median_splits(struct median_ws *ws, const struct seg *segs, size_t n, const double *mcost,
			const double *H, const double *G, double maxlen, unsigned P, unsigned T,
			unsigned *dcut_out)
{
	if (n == 0) /* no segment, no tree (cost[n - 1] below) */
		return NULL;
	unsigned cmin = ~0u;
	double wsum = 0;
	for (size_t i = 0; i < n; i++) {
		cmin = segs[i].cost < cmin ? segs[i].cost : cmin;
		wsum += segs[i].weight;
	}
	if (P + cmin > T)
		return NULL;
	unsigned dcut = T - P - cmin + 1; /* depth >= dcut: no leaf within T */
	if (dcut > CG_MED_MAXD)
		return NULL;
	double M = wsum * (double)(n + 2) + 1; /* > any weight x depth sum */
	size_t nn = n * n;
	if (!median_room(ws, n, dcut))
		return NULL;
	/* Two levels at a time, each as rows and as the transpose (argmin_sum):
	 * the level below (d + 1) and the one being filled (d). */
	double *below = ws->buf, *tbelow = below + nn, *cur = tbelow + nn, *tcur = cur + nn;
	double *pre = tcur + nn, *cpre = pre + n + 1, *pen = cpre + n + 1;
	/* Of the level below: the last j with a finite cost(i, j) (i - 1 if
	 * none), the first i with a finite cost(i, j) (j + 1 if none). */
	size_t *lastfin = (size_t *)(pen + n), *firstfin = lastfin + n;
	uint16_t *split = ws->split;
	pre[0] = cpre[0] = 0;
	for (size_t i = 0; i < n; i++) {
		pre[i + 1] = pre[i] + segs[i].weight;
		cpre[i + 1] = cpre[i] + segs[i].cover;
	}
	/* a subtree whose longest path would exceed maxlen is infeasible */
#define TOO_LONG(i, j, d) (P + (d) + H[(i)*n + (j)] > maxlen || (d) > G[(i)*n + (j)])
#define PEN(i, d)                                                                     \
	(P + (d) + segs[i].worst > maxlen || (d) > G[(i)*n + (i)] ? HUGE_VAL          \
	 : P + (d) + segs[i].cost > T                             ? M * segs[i].cover \
								  : 0)
	/* med(i, j, dcut): the mean DP's subtree, every syscall beyond T */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i; j < n; j++)
			below[i * n + j] = tbelow[j * n + i] =
				TOO_LONG(i, j, dcut)
					? HUGE_VAL
					: (i == j ? 0 : mcost[i * n + j]) + M * (cpre[j + 1] - cpre[i]);
	for (unsigned d = dcut; d-- > 0;) {
		uint16_t *sp = split + (size_t)d * nn;
		/* below is complete, except at depth 1 (prefixes and suffixes,
		 * all that depth 0 reads) */
		for (size_t i = 0; i < n; i++) {
			size_t x = n;
			if (d > 0 || i == 0)
				while (x-- > i && !(below[i * n + x] < HUGE_VAL))
					;
			lastfin[i] = x; /* i - 1 (or n) where none */
			size_t y = (size_t)-1;
			if (d > 0 || i == n - 1)
				while (++y <= i && !(tbelow[i * n + y] < HUGE_VAL))
					;
			firstfin[i] = y;
			pen[i] = PEN(i, d + 1); /* a leaf one jump down (jeq) */
		}
		for (size_t i = 0; i < n; i++)
			cur[i * n + i] = tcur[i * n + i] = PEN(i, d);
		struct med_level mc = { n, segs, below, tbelow, pre, pen, lastfin, firstfin, cur, tcur };
		/* Only what the root can reach is needed: the whole range at
		 * depth 0, its prefixes and suffixes at 1, everything deeper. */
		if (d == 0) {
			med_cell(&mc, sp, 0, n - 1);
		} else if (d == 1) {
			for (size_t j = 1; j < n; j++)
				med_cell(&mc, sp, 0, j);
			for (size_t i = 1; i + 1 < n; i++)
				med_cell(&mc, sp, i, n - 1);
		} else {
			for (size_t i = 0; i < n; i++)
				for (size_t j = i + 1; j < n; j++)
					med_cell(&mc, sp, i, j);
		}
		double *t = below;
		below = cur;
		cur = t;
		t = tbelow;
		tbelow = tcur;
		tcur = t;
	}
	bool feasible = below[0 * n + n - 1] < HUGE_VAL; /* level 0 */
#undef PEN
#undef TOO_LONG
	if (!feasible)
		return NULL;
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
