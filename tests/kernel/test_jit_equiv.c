/* test_jit_equiv.c - the JIT computes what the reference interpreter does
 * (the Jitk paper's Lemma 4, tested), on many (program, input) pairs.
 *
 * A plain user-space test; it lives in tests/kernel/ because it is heavy
 * and is not run under ASan.  Sources of programs:
 *   1. one random valid program of every length 1..512 and of 64 lengths
 *      spread over 513..4096, the last 4096 (rel8 and rel32 jumps, the DIV
 *      guard's jump to a far trailer), from progen and the generator below;
 *   2. many short programs from this file's own generator, which stresses
 *      every seccomp opcode with edge operands: DIV by X == 0, shifts by
 *      X >= 32, all 16 loads, all M[] cells, constants the inputs hit;
 *   3. every filter compiled from the .scpl files under policies/ (one
 *      directory level deep; skipped if absent).
 * Every result is compared with interp_run; 0 mismatches are allowed.
 * JITK_SEED replays, JITK_TEST_SCALE scales the counts.
 *
 * Every image compiled here is proved (jit_prove), as jitk_jit_compile
 * always does: the per-image proof runs on every JIT compile of make test.
 * A proof costs far more than running an image on many inputs, and grows
 * faster than the program's length, so the test compiles few distinct
 * images and runs each on many inputs (docs/jit.md, "The proof", has the
 * measured costs).  JITK_JIT_PROVE_EVERY=N proves only every N-th random
 * program (0: none), e.g. for the many runs of make mutate. */
#include "testlib.h"
#include "insn.h"
#include "interp.h"
#include "jit_x86.h"

#include <glob.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <time.h>

#if __has_include("progen.h")
#include "progen.h"
#define HAVE_PROGEN 1
#endif

static unsigned long long total_pairs;
static unsigned long proved, undecided, prove_every = 1;
static double prove_seconds, undecided_seconds;

/* ------------------------------------------------------ inputs */

/* Constants a program compares with, so inputs can hit them. */
struct pool {
	uint32_t v[64];
	size_t n;
};

static void pool_add(struct pool *p, uint32_t v)
{
	if (p->n < 64)
		p->v[p->n++] = v;
	else
		p->v[v % 64] = v;
}

static uint32_t edge_u32(rng_t *r)
{
	static const uint32_t edges[] = { 0,
					  1,
					  2,
					  3,
					  4,
					  7,
					  8,
					  15,
					  16,
					  31,
					  32,
					  33,
					  63,
					  64,
					  65,
					  0x7f,
					  0x80,
					  0xff,
					  0x100,
					  0xffff,
					  0x10000,
					  0x7fffffff,
					  0x80000000u,
					  0x80000001u,
					  0xfffffffeu,
					  0xffffffffu,
					  0x7fff0000u,
					  0x00050000u,
					  0x40000000u,
					  AUDIT_ARCH_X86_64,
					  AUDIT_ARCH_I386 };
	return edges[rng_below(r, sizeof edges / sizeof edges[0])];
}

static uint32_t some_u32(rng_t *r, const struct pool *p)
{
	switch (rng_below(r, 4)) {
	case 0: return edge_u32(r);
	case 1: return p->n ? p->v[rng_below(r, (uint32_t)p->n)] + (rng_below(r, 3) - 1) : 0;
	case 2: return rng_below(r, 512);
	default: return rng_u32(r);
	}
}

static void random_input(rng_t *r, const struct pool *p, struct seccomp_data *in)
{
	uint32_t w[16];
	for (unsigned i = 0; i < 16; i++)
		w[i] = some_u32(r, p);
	memcpy(in, w, sizeof w);
}

/* ------------------------------------------------------ own generator */

/* A valid seccomp program of exactly n instructions (1 <= n <= 4096).
 * Valid by construction: seccomp opcodes, legal operands, forward jumps in
 * range, M[] read only from cells stored in a straight-line prefix (so the
 * kernel's check_load_and_stores sees them written on every path), RET
 * last. */
static size_t gen_program(rng_t *r, jitk_insn *p, size_t n, struct pool *pool)
{
	size_t pc = 0;
	uint16_t stored = 0;
	/* Prefix: store some cells, at most a quarter of the program. */
	while (pc + 3 < n && pc < n / 4 && rng_below(r, 3)) {
		uint32_t m = rng_below(r, 16);
		if (rng_below(r, 2)) {
			p[pc++] = I(BPF_LD | BPF_IMM, 0, 0, some_u32(r, pool));
			p[pc++] = I(BPF_ST, 0, 0, m);
		} else {
			p[pc++] = I(BPF_LDX | BPF_IMM, 0, 0, some_u32(r, pool));
			p[pc++] = I(BPF_STX, 0, 0, m);
		}
		stored |= (uint16_t)(1u << m);
	}
	static const uint16_t alu[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR,
					BPF_AND, BPF_LSH, BPF_RSH, BPF_XOR };
	static const uint16_t jmp[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
	while (pc + 1 < n) {
		size_t room = n - 2 - pc; /* largest legal jump offset */
		uint32_t k = some_u32(r, pool);
		switch (rng_below(r, 16)) {
		case 0:
		case 1: p[pc] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 * rng_below(r, 16)); break;
		case 2:
			p[pc] = I(rng_below(r, 2) ? BPF_LD | BPF_IMM : BPF_LDX | BPF_IMM, 0, 0, edge_u32(r));
			break;
		case 3:
			p[pc] = I(rng_below(r, 2) ? BPF_LD | BPF_W | BPF_LEN : BPF_LDX | BPF_W | BPF_LEN, 0,
				  0, 0);
			break;
		case 4: {
			uint32_t m = rng_below(r, 16);
			if (stored & (1u << m))
				p[pc] = I(rng_below(r, 2) ? BPF_LD | BPF_MEM : BPF_LDX | BPF_MEM, 0, 0, m);
			else
				p[pc] = I(rng_below(r, 2) ? BPF_ST : BPF_STX, 0, 0, m);
			break;
		}
		case 5:
		case 6:
		case 7: {
			uint16_t op = alu[rng_below(r, 9)];
			if (op == BPF_DIV && k == 0)
				k = 1 + rng_below(r, 100);
			if (op == BPF_LSH || op == BPF_RSH)
				k &= 31;
			p[pc] = I(BPF_ALU | op | BPF_K, 0, 0, k);
			break;
		}
		case 8:
		case 9:
			/* X forms: DIV by X (X may be 0), shifts by X (X may be >= 32). */
			p[pc] = I(BPF_ALU | alu[rng_below(r, 9)] | BPF_X, 0, 0, 0);
			break;
		case 10:
			p[pc] = I(rng_below(r, 3) == 0 ? BPF_ALU | BPF_NEG
				  : rng_below(r, 2)    ? BPF_MISC | BPF_TAX
						       : BPF_MISC | BPF_TXA,
				  0, 0, 0);
			break;
		case 11:
		case 12:
		case 13: {
			uint32_t lim = room < 255 ? (uint32_t)room : 255;
			uint8_t jt = (uint8_t)(rng_below(r, 4) ? rng_below(r, (lim < 8 ? lim : 8) + 1)
							       : rng_below(r, lim + 1));
			uint8_t jf = (uint8_t)(rng_below(r, 4) ? rng_below(r, (lim < 8 ? lim : 8) + 1)
							       : rng_below(r, lim + 1));
			uint16_t src = rng_below(r, 3) ? BPF_K : BPF_X;
			p[pc] = I(BPF_JMP | jmp[rng_below(r, 4)] | src, jt, jf, k);
			pool_add(pool, k);
			break;
		}
		case 14: {
			uint32_t far = room > 0xffffffffu ? 0xffffffffu : (uint32_t)room;
			p[pc] = I(BPF_JMP | BPF_JA, 0, 0,
				  rng_below(r, 3) ? rng_below(r, (far < 4 ? far : 4) + 1)
						  : rng_below(r, far + 1));
			break;
		}
		default:
			if (rng_below(r, 4) == 0)
				p[pc] = rng_below(r, 2) ? I(BPF_RET | BPF_A, 0, 0, 0)
							: I(BPF_RET | BPF_K, 0, 0, k);
			else
				p[pc] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 * rng_below(r, 16));
			break;
		}
		pc++;
	}
	p[pc++] = rng_below(r, 2) ? I(BPF_RET | BPF_A, 0, 0, 0) : I(BPF_RET | BPF_K, 0, 0, some_u32(r, pool));
	return pc;
}

/* ------------------------------------------------------ comparison */

static void dump_failure(const jitk_insn *p, size_t n, const struct seccomp_data *in, uint32_t got,
			 uint32_t want)
{
	if (in)
		fprintf(stderr, "MISMATCH: jit 0x%08x interp 0x%08x\n", got, want);
	fprintf(stderr, "program (%zu):\n", n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %4zu: { 0x%04x, %u, %u, 0x%08x }\n", i, p[i].code, p[i].jt, p[i].jf,
			p[i].k);
	if (!in)
		return;
	uint32_t w[16];
	memcpy(w, in, sizeof w);
	fprintf(stderr, "input words:");
	for (int i = 0; i < 16; i++)
		fprintf(stderr, " 0x%08x", w[i]);
	fprintf(stderr, "\n");
}

/* Compile p and compare on ninputs inputs.  Returns the mismatches;
 * *refused counts programs the checker refused (not compiled). */
static double now(void);

/* jit_compile, proving every prove_every-th random program (counted in
 * *seq; all of them by default), or always (seq == NULL: the policies).
 * A random program's proof that Z3 does not decide within the default
 * budget (JIT_PROVE_DEFAULT_RLIMIT, deterministic) is refused, as
 * jitk_jit_compile's contract says (JITK_E_JIT, rule jit-proof-undecided;
 * counted, reported with the program); the image is then compiled
 * unproved so that the emitter is still compared on that program.  A
 * refuted proof and an undecided policy proof fail; so does an undecided
 * random program of the default seeds (no_undecided), which include the
 * four programs undecided before docs/jit.md's "The proof" changes. */
static jitk_err compile_sampled(const jitk_filter *f, unsigned long *seq, jitk_jit **j, jitk_diag *d)
{
	bool prove = !seq || (prove_every && (*seq)++ % prove_every == 0);
	double t0 = now();
	jitk_err err = jit_compile(f, prove, j, d);
	if (prove && err == JITK_OK) {
		proved++;
		prove_seconds += now() - t0;
	} else if (prove && seq && err == JITK_E_JIT && !strcmp(d->rule, "jit-proof-undecided")) {
		undecided++;
		undecided_seconds += now() - t0;
		fprintf(stderr, "undecided: %s\n", d->msg);
		dump_failure(jitk_filter_insns(f), jitk_filter_len(f), NULL, 0, 0);
		err = jit_compile(f, false, j, d);
	}
	return err;
}

static unsigned long compare(const jitk_insn *p, size_t n, rng_t *r, const struct pool *pool,
			     unsigned long ninputs, unsigned long *refused)
{
	static unsigned long seq;
	jitk_filter *f = test_filter(p, n);
	jitk_jit *j = NULL;
	jitk_diag d;
	jitk_err err = compile_sampled(f, &seq, &j, &d);
	if (err == JITK_E_CHECK || err == JITK_E_TOO_BIG) {
		(*refused)++;
		jitk_filter_free(f);
		return 0;
	}
	if (err) {
		dump_failure(p, n, NULL, 0, 0);
		fail_msg("jit compile of a %zu-instruction program: %s: %s", n, jitk_strerror(err), d.msg);
	}
	jitk_jit_fn fn = jitk_jit_func(j);
	unsigned long bad = 0;
	for (unsigned long i = 0; i < ninputs; i++) {
		struct seccomp_data in;
		random_input(r, pool, &in);
		jitk_result want;
		interp_run(p, n, &in, &want);
		uint32_t got = fn(&in);
		if (got != want.ret && bad++ < 3)
			dump_failure(p, n, &in, got, want.ret);
	}
	total_pairs += ninputs;
	jitk_jit_free(j);
	jitk_filter_free(f);
	return bad;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* With the default seeds and scale every proof is decided: the budget is
 * Z3's resource count, so this does not depend on the machine's load.
 * With JITK_SEED or JITK_TEST_SCALE other programs are drawn, and an
 * undecided one is only reported (it is still refused: the library never
 * runs an unproved image). */
static void no_undecided(const char *what)
{
	const char *seed = getenv("JITK_SEED"), *scale = getenv("JITK_TEST_SCALE");
	if ((seed && *seed) || (scale && *scale))
		return;
	if (undecided)
		fail_msg("%s: %lu random programs' proofs undecided (printed above)", what, undecided);
}

/* 1. One program of every length 1..512, then of every 56th length up to
 * 4096 (4096 itself is the last), each of these on 24 times as many
 * inputs. */
static void every_length(void **state)
{
	(void)state;
	rng_t r;
	uint64_t seed = test_seed(0x1175);
	rng_seed(&r, seed);
	static jitk_insn p[JITK_MAXINSNS + 1];
	unsigned long bad = 0, refused = 0, programs = 0;
	unsigned long long before = total_pairs;
	unsigned long per = test_scaled(600);
	double t0 = now();
	for (size_t len = 1; len <= JITK_MAXINSNS; len += len < 512 ? 1 : 56) {
		struct pool pool = { .n = 0 };
		size_t n;
#ifdef HAVE_PROGEN
		if (len % 2)
			n = progen_len(&r, PROGEN_VALID, p, len);
		else
#endif
			n = gen_program(&r, p, len, &pool);
		for (size_t i = 0; i < n; i++)
			if (INSN_IS_COND(p[i].code) && BPF_SRC(p[i].code) == BPF_K)
				pool_add(&pool, p[i].k);
		bad += compare(p, n, &r, &pool, len <= 512 ? per : 24 * per, &refused);
		programs++;
	}
	print_message("lengths: seed 0x%llx, %lu programs (lengths 1..512, every 56th to 4096), %llu pairs, "
		      "%lu refused by the checker, %lu mismatches, %.1fs\n",
		      (unsigned long long)seed, programs, total_pairs - before, refused, bad, now() - t0);
	assert_int_equal(bad, 0);
	assert_int_equal(refused, 0);
	no_undecided("lengths");
}

/* 2. Many short programs stressing the opcodes and their edges. */
static void short_programs(void **state)
{
	(void)state;
	rng_t r;
	uint64_t seed = test_seed(0x5eed);
	rng_seed(&r, seed);
	static jitk_insn p[64];
	unsigned long bad = 0, refused = 0;
	unsigned long nprog = test_scaled(5000), per = 1280;
	unsigned long long before = total_pairs;
	unsigned long opcount[INSN__COUNT] = { 0 };
	double t0 = now();
	for (unsigned long it = 0; it < nprog; it++) {
		struct pool pool = { .n = 0 };
		size_t n = gen_program(&r, p, 2 + rng_below(&r, 63), &pool);
		for (size_t i = 0; i < n; i++)
			opcount[insn_op_of(p[i].code)]++;
		bad += compare(p, n, &r, &pool, per, &refused);
	}
	print_message("short programs: seed 0x%llx, %lu programs, %llu pairs, %lu mismatches, %.1fs\n",
		      (unsigned long long)seed, nprog, total_pairs - before, bad, now() - t0);
	for (int op = 0; op < INSN__COUNT; op++)
		if (insn_info[op].seccomp && opcount[op] == 0)
			fail_msg("opcode %s never generated", insn_info[op].name);
	assert_int_equal(bad, 0);
	assert_int_equal(refused, 0);
	no_undecided("short programs");
}

/* 3. Filters compiled from the shipped policies. */
static void policies(void **state)
{
	(void)state;
	glob_t g;
	if (!test_policy_files(&g)) {
		print_message("policies: none found (run from the repository root); skipped\n");
		return;
	}
	rng_t r;
	rng_seed(&r, test_seed(0xfeed));
	unsigned long bad = 0, refused = 0, compiled = 0, skipped = 0;
	unsigned long per = test_scaled(100000);
	unsigned long long before = total_pairs;
	double t0 = now();
	for (size_t i = 0; i < g.gl_pathc; i++) {
		jitk_policy *pol = NULL;
		jitk_filter *f = NULL;
		jitk_diag d;
		jitk_compile_opts opts = { .no_verify = true };
		if (jitk_policy_load(g.gl_pathv[i], &pol, &d) != JITK_OK ||
		    jitk_compile(pol, &opts, &f, &d) != JITK_OK) {
			print_message("policies: %s not compiled: %s\n", g.gl_pathv[i], d.msg);
			skipped++;
			jitk_policy_free(pol);
			continue;
		}
		compiled++;
		/* Inputs: real arches and syscall numbers, args from the
		 * filter's constants. */
		struct pool pool = { .n = 0 };
		const jitk_insn *p = jitk_filter_insns(f);
		size_t n = jitk_filter_len(f);
		for (size_t k = 0; k < n; k++)
			if (BPF_CLASS(p[k].code) == BPF_JMP && BPF_SRC(p[k].code) == BPF_K)
				pool_add(&pool, p[k].k);
		jitk_jit *j = NULL;
		if (compile_sampled(f, NULL, &j, &d) != JITK_OK) /* always proved */
			fail_msg("%s: jit: %s", g.gl_pathv[i], d.msg);
		jitk_jit_fn fn = jitk_jit_func(j);
		static const uint32_t arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64,
						   0x40000028u };
		for (unsigned long t = 0; t < per; t++) {
			struct seccomp_data in;
			random_input(&r, &pool, &in);
			if (rng_below(&r, 8)) {
				in.arch = arches[rng_below(&r, 4)];
				in.nr = (int)rng_below(&r, 460);
				if (rng_below(&r, 10) == 0)
					in.nr |= (int)0x40000000;
			}
			jitk_result want;
			interp_run(p, n, &in, &want);
			uint32_t got = fn(&in);
			if (got != want.ret && bad++ < 3) {
				fprintf(stderr, "%s:\n", g.gl_pathv[i]);
				dump_failure(p, n, &in, got, want.ret);
			}
		}
		total_pairs += per;
		jitk_jit_free(j);
		jitk_filter_free(f);
		jitk_policy_free(pol);
	}
	print_message("policies: %lu compiled, %lu not compiled (stage missing or error), %llu pairs, "
		      "%lu mismatches, %.1fs\n",
		      compiled, skipped, total_pairs - before, bad, now() - t0);
	globfree(&g);
	(void)refused;
	assert_int_equal(bad, 0);
}

static int report(void **state)
{
	(void)state;
	print_message("total: %llu (program, input) pairs compared\n", total_pairs);
	print_message("proofs: %lu images proved equal to their filters (every %lu-th random program "
		      "and every policy), %.1fs including their compiles; %lu random programs' proofs "
		      "undecided within the limit (refused, then compared unproved), %.1fs\n",
		      proved, prove_every, prove_seconds, undecided, undecided_seconds);
	return 0;
}

int main(void)
{
#if !defined(__x86_64__)
	print_message("JIT equivalence: not an x86-64 host; skipped\n");
	return 0;
#endif
	const char *pe = getenv("JITK_JIT_PROVE_EVERY");
	if (pe && *pe)
		prove_every = strtoul(pe, NULL, 10);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_length),
		cmocka_unit_test(short_programs),
		cmocka_unit_test(policies),
	};
	return cmocka_run_group_tests_name("jit_equiv", tests, NULL, report);
}
