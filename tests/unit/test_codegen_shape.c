/*
 * test_codegen_shape.c - the search tree's dynamic programs
 * (src/codegen_shape.c) choose what the plain programs choose.
 *
 * The library's programs skip work (a vector pass for the minimum, splits
 * whose subtrees are infeasible, states depth 0 and 1 cannot reach); the
 * references here are the plain scans they replace, which keep the first
 * strictly smaller split.  On random segment lists, built so that ties,
 * jeq shapes, infeasible subtrees and every budget occur:
 *  - optimal_splits gives the same cost and the same split for every
 *    interval as the plain scan, and its cost is the least over every tree
 *    (an exhaustive enumeration on small lists, independent of any DP);
 *  - median_plan picks the same budget T as codegen's plain loop over T
 *    (the plain scan for each, then the tree's cover within T), or none
 *    alike, and the same tree: the same split at every node of it, so the
 *    same cover; with covers that are counts (its first pass and search
 *    over T, levels 2 and 1 from level 3 where dcut >= 3, and the cells
 *    of level 2 the second pass reads set on demand) and with fractional
 *    ones (every split tried).
 * Each both with the wider vector steps (AVX, AVX2, where the CPU has
 * them) and with the SSE2 ones (cg_simd_narrow).
 */
#include "testlib.h"
#include "codegen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define SLOW 4
#else
#define SLOW 1
#endif

/* ---------------------------------------------------- the plain scans */

static size_t *ref_optimal_splits(const struct seg *segs, size_t n, double **cost_out)
{
	assert_true(n > 0);
	double *cost = calloc(n * n, sizeof *cost);
	double *pre = malloc((n + 1) * sizeof *pre);
	size_t *split = calloc(n * n, sizeof *split);
	assert_non_null(cost);
	assert_non_null(pre);
	assert_non_null(split);
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
				best = 0;
				at = 0;
			}
			cost[i * n + j] = w + best;
			split[i * n + j] = at;
		}
	free(pre);
	*cost_out = cost;
	return split;
}

/* The mean tree's leaf depths (for ref_mean_bounds). */
static void ref_depths(size_t n, const size_t *split, size_t lo, size_t hi, unsigned d, unsigned *depth)
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
	ref_depths(n, split, lo, k - 1, d + 1, depth);
	ref_depths(n, split, k, hi, d + 1, depth);
}

/* mean_bounds by length, as it was first written: H (returned) and G. */
static double *ref_mean_bounds(const struct seg *segs, size_t n, const size_t *split, double **G_out)
{
	double *H = calloc(n * n, sizeof *H), *G = calloc(n * n, sizeof *G);
	unsigned *depth = calloc(n, sizeof *depth);
	assert_true(H && G && depth);
	ref_depths(n, split, 0, n - 1, 0, depth);
	for (size_t len = 1; len <= n; len++)
		for (size_t i = 0; i + len <= n; i++) {
			size_t j = i + len - 1, k = len == 1 ? 1 : split[i * n + j];
			double h, gg;
			if (len == 1) {
				h = segs[i].worst;
				gg = segs[i].dec ? depth[i] : HUGE_VAL;
			} else if (k == 0) {
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

static uint16_t *ref_median_splits(const struct seg *segs, size_t n, const double *mcost, const double *H,
				   const double *G, double maxlen, unsigned P, unsigned T, unsigned *dcut_out)
{
	assert_true(n > 0);
	double M;
	unsigned cmin = median_dims(segs, n, &M);
	if (P + cmin > T)
		return NULL;
	unsigned dcut = T - P - cmin + 1;
	if (dcut > CG_MED_MAXD)
		return NULL;
	double *pre = malloc((n + 1) * sizeof *pre), *cpre = malloc((n + 1) * sizeof *cpre);
	double *cost = malloc((size_t)dcut * n * n * sizeof *cost);
	uint16_t *split = calloc((size_t)dcut * n * n, sizeof *split);
	assert_true(pre && cpre && cost && split);
	pre[0] = cpre[0] = 0;
	for (size_t i = 0; i < n; i++) {
		pre[i + 1] = pre[i] + segs[i].weight;
		cpre[i + 1] = cpre[i] + segs[i].cover;
	}
#define TOO_LONG(i, j, d) (P + (d) + H[(i)*n + (j)] > maxlen || (d) > G[(i)*n + (j)])
#define MED(i, j, d)                                                                                     \
	((d) >= dcut ? (TOO_LONG(i, j, d)                                                                \
				? HUGE_VAL                                                               \
				: ((i) == (j) ? 0 : mcost[(i)*n + (j)]) + M * (cpre[(j) + 1] - cpre[i])) \
		     : cost[((size_t)(d)*n + (i)) * n + (j)])
#define PEN(i, d)                                                                     \
	(P + (d) + segs[i].worst > maxlen || (d) > G[(i)*n + (i)] ? HUGE_VAL          \
	 : P + (d) + segs[i].cost > T                             ? M * segs[i].cover \
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
	bool feasible = cost[n - 1] < HUGE_VAL;
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

/* -------------------------------------------------------- random lists */

/* n segments over consecutive numbers: few leaves (so that neighbours
 * share one and jeq shapes occur), many one-number segments, weights
 * with ties (small integers plus a common floor) and without. */
static void random_segs(rng_t *r, struct seg *s, size_t n, bool frac)
{
	static const struct ir_decision decs[3];
	uint32_t nr = 0;
	bool ties = rng_below(r, 2);
	double floor = ties ? 0.25 : (double)rng_below(r, 1000) / 997.0;
	for (size_t i = 0; i < n; i++) {
		uint32_t len = rng_below(r, 3) ? 1 : 1 + rng_below(r, 40);
		bool dec = rng_below(r, 4) == 0;
		memset(&s[i], 0, sizeof s[i]);
		s[i].lo = nr;
		s[i].hi = nr + len - 1;
		nr += len;
		s[i].dec = dec ? &decs[rng_below(r, 3)] : NULL;
		s[i].action = rng_below(r, 3);
		s[i].args32 = dec && rng_below(r, 4) == 0;
		s[i].cover = rng_below(r, 5) ? (double)(len < 6 || rng_below(r, 2) ? len : rng_below(r, 6))
					     : 0;
		if (frac && rng_below(r, 3) == 0)
			s[i].cover += 0.5;
		s[i].weight = (ties ? s[i].cover : s[i].cover + (double)rng_below(r, 100) / 37.0) + floor;
		s[i].cost = dec ? 3 + rng_below(r, 3) : 1;
		s[i].worst = s[i].cost + (dec ? rng_below(r, 6) : 0);
	}
}

/* n segments as codegen makes them from a policy: default gaps holding
 * many known syscalls between listed numbers (one syscall each, a `ret`
 * of another action or a decision), weights the covers plus a floor. */
static void policy_segs(rng_t *r, struct seg *s, size_t n)
{
	static const struct ir_decision decs[4];
	uint32_t nr = 0;
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		bool gap = i % 2 == 0 || rng_below(r, 4) == 0;
		uint32_t len = gap ? 1 + rng_below(r, 30) : 1;
		bool dec = !gap && rng_below(r, 3) == 0;
		memset(&s[i], 0, sizeof s[i]);
		s[i].lo = nr;
		s[i].hi = nr + len - 1;
		nr += len;
		s[i].dec = dec ? &decs[rng_below(r, 4)] : NULL;
		s[i].action = gap ? 0 : 1 + rng_below(r, 2);
		s[i].cover = gap && rng_below(r, 5) == 0 ? 0 : len;
		s[i].cost = dec ? 3 : 1;
		s[i].worst = s[i].cost + (dec ? rng_below(r, 8) : 0);
		total += s[i].cover;
	}
	for (size_t i = 0; i < n; i++)
		s[i].weight = s[i].cover + total / (16.0 * (double)n);
}

/* --------------------------------------------------------------- tests */

/* The least cost over every tree of segs[lo..hi] (root at depth 0),
 * enumerated without memory: cost = sum of weight x depth. */
static double exhaustive_cost(const struct seg *s, size_t lo, size_t hi)
{
	if (lo == hi)
		return 0;
	double w = 0;
	for (size_t i = lo; i <= hi; i++)
		w += s[i].weight;
	double best = HUGE_VAL;
	for (size_t k = lo + 1; k <= hi; k++) {
		double c = exhaustive_cost(s, lo, k - 1) + exhaustive_cost(s, k, hi);
		best = c < best ? c : best;
	}
	if (jeq_shape(s, lo, hi))
		best = 0; /* three leaves one jump down */
	return w + best;
}

static void mean_matches_plain_scan(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(0x5ba9e));
	struct seg s[80];
	unsigned long cases = test_scaled(600 / SLOW);
	size_t jeqs = 0;
	for (unsigned long c = 0; c < cases; c++) {
		size_t n = 1 + rng_below(&r, c % 4 ? 12 : 80);
		assert_true(n >= 1 && n <= 80); /* every s[i] below n is set (for the analyzer) */
		random_segs(&r, s, n, false);
		cg_simd_narrow = c / 4 % 2; /* the wide steps and the SSE2 ones */
		double *cost, *rcost;
		size_t *split = optimal_splits(s, n, &cost);
		size_t *rsplit = ref_optimal_splits(s, n, &rcost);
		assert_non_null(split);
		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++) {
				assert_true(cost[i * n + j] == rcost[i * n + j]);
				assert_int_equal(split[i * n + j], rsplit[i * n + j]);
				jeqs += j > i && split[i * n + j] == 0;
			}
		if (n <= 9) {
			double e = exhaustive_cost(s, 0, n - 1);
			assert_true(fabs(cost[n - 1] - e) <= 1e-9 * (1 + e));
		}
		free(cost);
		free(rcost);
		free(split);
		free(rsplit);
	}
	assert_true(jeqs > 0); /* the jeq node was exercised */
}

/* optimal_splits on segs[0..n-1] equals the plain scan (cost and split of
 * every interval, bitwise), with the wide steps and with the SSE2 ones;
 * returns the jeq nodes it chose. */
static size_t mean_same(const struct seg *s, size_t n)
{
	double *rcost;
	size_t *rsplit = ref_optimal_splits(s, n, &rcost), jeqs = 0;
	for (int narrow = 0; narrow < 2; narrow++) {
		cg_simd_narrow = narrow;
		double *cost;
		size_t *split = optimal_splits(s, n, &cost);
		assert_non_null(split);
		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++) {
				assert_memory_equal(&cost[i * n + j], &rcost[i * n + j], sizeof cost[0]);
				assert_memory_equal(&cost[j * n + i], &rcost[i * n + j], sizeof cost[0]);
				assert_int_equal(split[i * n + j], rsplit[i * n + j]);
				jeqs += j > i && split[i * n + j] == 0;
			}
		free(cost);
		free(split);
	}
	cg_simd_narrow = false;
	free(rcost);
	free(rsplit);
	return jeqs;
}

/* The mean DP's vector lanes (one interval each, by diagonals, blocks of
 * up to 16 cells) against the plain scan on inputs made to find a lane
 * that takes a different split: weights that tie (equal counts plus a
 * floor that is not a binary fraction, so that the sums round), weights
 * of the floor alone (every split of a length ties in exact arithmetic),
 * weights of a thousandth (x32's), jeq shapes everywhere (a listed number
 * between gaps of one action), codegen's policy shapes, and lengths
 * around each block size and up to CG_DP_MAX (every row's last block). */
static void mean_lanes_match_plain_scan(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(0x4d7a1));
	static struct seg s[CG_DP_MAX];
	static const struct ir_decision dec;
	unsigned long cases = test_scaled(240 / SLOW);
	size_t jeqs = 0;
	for (unsigned long c = 0; c < cases; c++) {
		unsigned kind = c % 6;
		size_t n = c < 6 ? CG_DP_MAX - c * 37 : 1 + rng_below(&r, c % 5 ? 40 : 150);
		if (kind == 0) {
			policy_segs(&r, s, n);
		} else {
			double floor = 1.0 / (double)(3 + rng_below(&r, 200)), total = 0;
			uint32_t nr = 0;
			for (size_t i = 0; i < n; i++) {
				bool gap = kind == 3 ? i % 2 == 0 : rng_below(&r, 3) == 0;
				uint32_t len = gap ? 1 + rng_below(&r, 9) : 1;
				memset(&s[i], 0, sizeof s[i]);
				s[i].lo = nr;
				s[i].hi = nr + len - 1;
				nr += len;
				s[i].dec = !gap && rng_below(&r, 4) == 0 ? &dec : NULL;
				s[i].action = gap ? 0 : 1 + rng_below(&r, 2);
				s[i].cover = kind == 2   ? 0
					     : kind == 4 ? (double)rng_below(&r, 3) / 1000
							 : len;
				total += s[i].cover;
				s[i].cost = s[i].worst = 1;
			}
			if (kind == 5)
				floor = total / (16.0 * (double)n);
			for (size_t i = 0; i < n; i++)
				s[i].weight = s[i].cover + floor;
		}
		jeqs += mean_same(s, n);
	}
	assert_true(jeqs > 0);
	double *cost;
	assert_null(optimal_splits(s, CG_DP_MAX + 1, &cost)); /* too big: no table */
	assert_null(cost);
}

/* mean_bounds (by rows in memory order) gives the H and G of the plain
 * loop by length, bitwise, over the mean DP's splits. */
static void bounds_match_plain_loop(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(0xb0d5));
	static struct seg s[CG_DP_MAX];
	unsigned long cases = test_scaled(300 / SLOW);
	for (unsigned long c = 0; c < cases; c++) {
		size_t n = c == 0 ? CG_DP_MAX : 1 + rng_below(&r, c % 4 ? 30 : 140);
		if (c % 2)
			policy_segs(&r, s, n);
		else
			random_segs(&r, s, n, false);
		double *cost, *G, *rG;
		size_t *split = optimal_splits(s, n, &cost);
		assert_non_null(split);
		double *H = mean_bounds(s, n, split, &G), *rH = ref_mean_bounds(s, n, split, &rG);
		assert_non_null(H);
		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++) {
				assert_memory_equal(&H[i * n + j], &rH[i * n + j], sizeof H[0]);
				assert_memory_equal(&G[i * n + j], &rG[i * n + j], sizeof G[0]);
			}
		free(H);
		free(G);
		free(rH);
		free(rG);
		free(cost);
		free(split);
	}
}

/* The nodes of the median tree tp plans, in preorder, into out (the
 * split of each); returns their number. */
static size_t walk(const struct tree_plan *tp, const struct seg *s, size_t lo, size_t hi, unsigned d,
		   size_t *out, size_t k)
{
	if (lo == hi)
		return k;
	size_t m = plan_split(tp, s, lo, hi, d);
	out[k++] = m;
	if (m == 0)
		return k;
	k = walk(tp, s, lo, m - 1, d + 1, out, k);
	return walk(tp, s, m, hi, d + 1, out, k);
}

static void median_matches_plain_loop(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(0x3ed1a));
	struct seg s[120];
	size_t wa[120], wb[120];
	unsigned long cases = test_scaled(1500 / SLOW);
	size_t found = 0, none = 0, fracs = 0, deep = 0, grown = 0, tops = 0;
	for (unsigned long c = 0; c < cases; c++) {
		size_t n = 2 + rng_below(&r, c % 3 ? 14 : 58);
		bool frac = c % 5 == 4;
		cg_simd_narrow = c / 3 % 2; /* the wide steps and the SSE2 ones */
		if (c % 50 == 7)            /* some of a real policy's size */
			policy_segs(&r, s, n = 60 + rng_below(&r, 60));
		else
			random_segs(&r, s, n, frac);
		double *mcost, *G;
		size_t *split = optimal_splits(s, n, &mcost);
		double *H = mean_bounds(s, n, split, &G);
		assert_non_null(H);
		double cover = 0;
		for (size_t i = 0; i < n; i++)
			cover += s[i].cover;
		unsigned P = c % 50 == 7 ? 3 : 1 + 2 * rng_below(&r, 2);
		/* the longest path allowed: the mean tree's, or less (so that
		 * some states are infeasible) */
		double maxlen = P + H[n - 1] - (c % 50 == 7 ? 0 : rng_below(&r, 3));
		/* codegen's loop before median_plan: the first T whose plain
		 * DP is feasible and decides more than half within T */
		uint16_t *rm = NULL;
		unsigned rT = 0, rdc = 0;
		for (unsigned T = P + 1; T <= P + CG_MED_MAXD && !rm; T++) {
			rm = ref_median_splits(s, n, mcost, H, G, maxlen, P, T, &rdc);
			struct tree_plan rtp = { n, split, rm, rdc };
			if (rm && !(2 * plan_cover(&rtp, s, 0, n - 1, 0, P, T) > cover + 1)) {
				free(rm);
				rm = NULL;
			}
			rT = T;
		}
		struct median_ws ws = { 0 };
		unsigned T = 0, dc = 0;
		uint16_t *m = median_plan(&ws, s, n, split, mcost, H, G, maxlen, P, &T, &dc);
		assert_int_equal(m != NULL, rm != NULL);
		if (m) {
			found++;
			fracs += frac;
			deep += dc >= 4;
			tops += !frac && dc >= 3 && n >= 3; /* levels 2 and 1 by med_top */
			assert_int_equal(T, rT);
			assert_int_equal(dc, rdc);
			struct tree_plan tp = { n, split, m, dc }, rtp = { n, split, rm, rdc };
			size_t k = walk(&tp, s, 0, n - 1, 0, wa, 0);
			assert_int_equal(k, walk(&rtp, s, 0, n - 1, 0, wb, 0));
			for (size_t i = 0; i < k; i++)
				assert_int_equal(wa[i], wb[i]);
			assert_true(plan_cover(&tp, s, 0, n - 1, 0, P, T) ==
				    plan_cover(&rtp, s, 0, n - 1, 0, P, T));
		} else {
			none++;
		}
		grown += ws.slot_bits > 7; /* the memo grew past its first 128 slots */
		free(rm);
		median_free(&ws);
		free(H);
		free(G);
		free(mcost);
		free(split);
	}
	/* both answers, fractional covers, deep cuts, levels 2 and 1 from
	 * level 3 and a memo that grew all occurred */
	assert_true(found > 0 && none > 0 && fracs > 0 && deep > 0 && grown > 0 && tops > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mean_matches_plain_scan),
		cmocka_unit_test(mean_lanes_match_plain_scan),
		cmocka_unit_test(bounds_match_plain_loop),
		cmocka_unit_test(median_matches_plain_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
