/*
 * codegen.h - what the code generator's stages share (never included
 * outside them):
 *   codegen_emit.c    the backward emitter: instructions, labels, far jumps
 *   codegen_decide.c  a decision's argument code: compares, cases, switches
 *   codegen_shape.c   the search tree's shape: dynamic programs over segments
 *   codegen.c         the program: arch chain, segments, search, checks
 * The picture of the generated code is at the top of codegen.c.
 */
#ifndef JITK_CODEGEN_H
#define JITK_CODEGEN_H

#include "insn.h"
#include "params.h"
#include "policy.h"

/* Far more than 4096, so that TOO_BIG can name the real size of reasonable
 * overflows, yet bounded so a pathological policy cannot exhaust memory. */
#define CG_CEILING (64u * JITK_MAXINSNS)
#define CG_JMAX 255u /* jt/jf are u8 */

#define OFF_NR 0u
#define OFF_ARCH 4u

/* The byte offsets of the low and high words of args[i] in the ABI being
 * generated: swapped on a big-endian ABI (params_word, trusted/params.h). */
static inline uint32_t cg_off_lo(bool be, unsigned i)
{
	return 4u * params_word(be, i, false);
}
static inline uint32_t cg_off_hi(bool be, unsigned i)
{
	return 4u * params_word(be, i, true);
}

/* What the accumulator holds at a point of the program, known from the
 * code that precedes it on every path.  ACC_WORD: A == word[off] & mask. */
enum acc_kind { ACC_NONE, ACC_UNKNOWN, ACC_WORD };
struct acc {
	enum acc_kind kind; /* ACC_NONE: the point is unreachable */
	uint32_t off, mask;
};

static const struct acc ACC_NR = { ACC_WORD, OFF_NR, 0xffffffffu };
static const struct acc ACC_UNKNOWN_ = { ACC_UNKNOWN, 0, 0 };

static inline bool acc_eq(struct acc a, struct acc b)
{
	return a.kind == b.kind && (a.kind != ACC_WORD || (a.off == b.off && a.mask == b.mask));
}

/* The state where two paths join. */
static inline struct acc acc_meet(struct acc a, struct acc b)
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
	bool be;     /* ... and for a big-endian one */
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
	/* The ABI being generated has 32-bit arguments (i386): the kernel
	 * uses only the low word, whatever the high word holds (docs/scpl.md),
	 * so the high word is never read. */
	bool args32;
	/* The ABIs of the AUDIT_ARCH value being generated are big-endian:
	 * the argument words are swapped (cg_off_lo, cg_off_hi). */
	bool be;
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
	} * checked;
	size_t nchecked, capchecked;
};

static inline bool cg_failed(const struct cg *g)
{
	return g->nomem || g->ceiling;
}

/* ---------------------------------------------- emitter (codegen_emit.c) */

size_t cg_emit(struct cg *g, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k);
size_t cg_dist(const struct cg *g, size_t t);
size_t cg_near(struct cg *g, size_t t);
size_t cg_emit_jump(struct cg *g, uint16_t op, uint32_t k, size_t lt, size_t lf);
size_t cg_emit_stmt(struct cg *g, uint16_t code, uint32_t k, size_t next);
size_t cg_ret_label(struct cg *g, uint32_t action);
size_t cg_load_word(struct cg *g, struct acc in, uint32_t off, uint32_t mask, size_t body);

/* ------------------------------------------- decisions (codegen_decide.c) */

/* The decision's code, entered with A in state g->entry. */
size_t gen_decision(struct cg *g, const struct ir_decision *dec);

/* --------------------------- the search on nr: its shape (codegen_shape.c) */

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
	bool args32; /* the decision's ABI has 32-bit arguments */
	double weight;
	double cover;   /* known syscalls of the main ABIs (not x32): the median's */
	unsigned cost;  /* instructions from the leaf's entry to its `ret` (estimate) */
	unsigned worst; /* ... on its longest path */
	size_t size;    /* instructions of its decision's code */
};

struct seglist {
	struct seg *v;
	size_t n, cap;
};

#define CG_DP_MAX 400u
#define CG_MED_MAXN 256u
#define CG_MED_MAXD 12u

struct tree_plan {
	size_t n;
	size_t *split;    /* mean-optimal splits (optimal_splits), or NULL */
	uint16_t *msplit; /* median splits per depth < dcut, or NULL */
	unsigned dcut;
};

bool seg_same_leaf(const struct seg *a, const struct seg *b);
bool jeq_shape(const struct seg *segs, size_t lo, size_t hi);
size_t *optimal_splits(const struct seg *segs, size_t n, double **cost_out);
size_t plan_split(const struct tree_plan *tp, const struct seg *segs, size_t lo, size_t hi, unsigned d);
double plan_cover(const struct tree_plan *tp, const struct seg *segs, size_t lo, size_t hi, unsigned d,
		  unsigned P, unsigned T);
double *mean_bounds(const struct seg *segs, size_t n, const size_t *split, double **G_out);
/* The median tree (codegen_shape.c): its splits at depths below *dcut_out
 * for the smallest budget *T_out within which more than half of the known
 * syscalls (seg.cover, counts) are decided, or NULL if no budget up to
 * P + CG_MED_MAXD does; split and mcost are the mean DP's, H and G
 * mean_bounds'.  The table lives in ws (zero-initialised before the call)
 * until median_free. */
struct med_slot;
struct median_ws {
	size_t n;
	int16_t *cov;
	int16_t *bnd; /* median_bound's rows */
	double *val;
	uint16_t *split;
	size_t *fin;
	struct med_slot *slot; /* the second pass's memo, 2^slot_bits slots */
	unsigned slot_bits;
	size_t nused;
	bool oom;
};
uint16_t *median_plan(struct median_ws *ws, const struct seg *segs, size_t n, const size_t *split,
		      const double *mcost, const double *H, const double *G, double maxlen, unsigned P,
		      unsigned *T_out, unsigned *dcut_out);
void median_free(struct median_ws *ws);
/* An upper bound on the known syscalls any tree median_plan weighs for
 * budget T decides within T (-1: no tree is feasible; INT_MAX: none
 * computed, the budget is too deep); buf holds CG_BOUND_CELLS entries. */
#define CG_BOUND_MAXK 10u
#define CG_BOUND_ROW(K) ((((size_t)1 << (K)) + 8) / 8 * 8 + 8)
#define CG_BOUND_CELLS (9 * CG_BOUND_ROW(CG_BOUND_MAXK))
int median_bound(const struct seg *segs, size_t n, const double *G, double maxlen, unsigned P, unsigned T,
		 int16_t *buf);
/* The median DP's givens: the cheapest leaf's cost (the return) and M in
 * *M, more than any weight x depth sum. */
unsigned median_dims(const struct seg *segs, size_t n, double *M);
/* For the tests: true takes the SSE2 steps of optimal_splits and of the
 * median's first pass even where the CPU has the wider ones (AVX, AVX2),
 * so that both are checked against the plain scans on one machine. */
extern bool cg_simd_narrow;

#endif
