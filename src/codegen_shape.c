/*
 * codegen_shape.c - the shape of the search on nr (codegen.h): the
 * mean-optimal and the median tree over the segments, by dynamic
 * programming.  Pure arithmetic over struct seg: no instruction is made
 * here, so the plans can be tested without BPF.
 */
#include "codegen.h"

#include <math.h>
#include <stdlib.h>

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
	return hi - lo == 2 && seg_same_leaf(&segs[lo], &segs[hi]) &&
	       segs[lo + 1].lo == segs[lo + 1].hi;
}

/* Split points of an optimal tree: cost(i, j) = W(i..j) + min over the
 * split k of cost(i, k-1) + cost(k, j), a jeq node costing W once.
 * split[i * n + j] is k, or 0 for the jeq node.  NULL if too big. */
size_t *optimal_splits(const struct seg *segs, size_t n, double **cost_out)
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
static size_t balanced_split(const struct seg *segs, size_t lo, size_t hi);

size_t plan_split(const struct tree_plan *tp, const struct seg *segs, size_t lo, size_t hi,
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
double plan_cover(const struct tree_plan *tp, const struct seg *segs, size_t lo, size_t hi,
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

uint16_t *median_splits(const struct seg *segs, size_t n, const double *mcost,
			       const double *H, const double *G, double maxlen, unsigned P,
			       unsigned T, unsigned *dcut_out)
{
	if (n == 0) /* no segment, no tree (cost[n - 1] below) */
		return NULL;
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
