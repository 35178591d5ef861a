/* test_smt_bpf.c - the Z3 encoding of cBPF against the concrete interpreter.
 *
 * The encoding (trusted/smt_bpf.c) is evaluated on concrete inputs by
 * substituting the sixteen input words and simplifying the term to a
 * numeral; the result must equal what the interpreter returns, for many
 * random valid programs that use every seccomp opcode. */
#include "testlib.h"
#include "insn.h"
#include "smt.h"
#include "z3test.h"

#include "interp.h"

/* ------------------------------------------------------------ helpers */

/* The concrete interpreter on a program the generator made valid. */
static uint32_t oracle(const jitk_insn *p, size_t n, const struct seccomp_data *sd)
{
	jitk_result res;
	memset(&res, 0, sizeof res);
	interp_run(p, n, sd, &res);
	return res.ret;
}

/* Encode p[0..n) unchecked (the generator guarantees validity). */
static Z3_ast encode(Z3_context c, const struct smt_input *in, const jitk_insn *p, size_t n)
{
	Z3_ast t = NULL;
	jitk_diag d;
	jitk_err err = smt_bpf_unchecked(c, p, n, in, &t, &d);
	if (err)
		print_error("encode: %s (insn %ld, %s)\n", d.msg, d.index, d.rule);
	assert_int_equal(err, JITK_OK);
	assert_non_null(t);
	return t;
}

/* Run a tiny program on words w and return the encoding's value. */
static uint32_t run_enc(const jitk_insn *p, size_t n, const uint32_t w[SMT_NWORDS])
{
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	uint32_t v = z3test_eval(c, encode(c, &in, p, n), &in, w);
	Z3_del_context(c);
	return v;
}
#define RUN_ENC(w, ...)                             \
	run_enc((const jitk_insn[]){ __VA_ARGS__ }, \
		sizeof((const jitk_insn[]){ __VA_ARGS__ }) / sizeof(jitk_insn), w)

/* ---------------------------------------------------- random programs */

static int seccomp_ops[INSN__COUNT];
static int nseccomp_ops;

static void init_ops(void)
{
	nseccomp_ops = 0;
	for (int op = 0; op < INSN__COUNT; op++)
		if (insn_info[op].seccomp)
			seccomp_ops[nseccomp_ops++] = op;
}

/* Constants worth comparing against: the program's and a few edges. */
struct pool {
	uint32_t v[256];
	size_t n;
};

static void pool_add(struct pool *pl, uint32_t v)
{
	if (pl->n < 256)
		pl->v[pl->n++] = v;
}

static uint32_t pick_const(rng_t *r, const struct pool *pl)
{
	switch (rng_below(r, 4)) {
	case 0: return rng_below(r, 8);
	case 1: return rng_u32(r);
	default: return pl->n ? pl->v[rng_below(r, (uint32_t)pl->n)] + rng_below(r, 3) - 1 : 0;
	}
}

static uint32_t jump_off(rng_t *r, size_t pc, size_t n, uint32_t cap)
{
	size_t room = n - pc - 1; /* targets pc+1 .. n-1 */
	if (room > cap)
		room = cap;
	return rng_below(r, (uint32_t)room);
}

/* A random program that passes the seccomp checker by construction: loads
 * are aligned and inside seccomp_data, M cells are read only after a
 * straight-line prefix stored them, jumps stay inside, the last is RET. */
static size_t gen_prog(rng_t *r, jitk_insn *p, size_t maxn, struct pool *pl)
{
	size_t n = 8 + rng_below(r, (uint32_t)(maxn - 7));
	unsigned nst = rng_below(r, 3);
	size_t pc = 0;
	pl->n = 0;
	for (unsigned s = 0; s < nst; s++) {
		p[pc++] = (jitk_insn){ 0x20, 0, 0, 4 * rng_below(r, 16) };
		p[pc++] = (jitk_insn){ 0x02, 0, 0, s };
	}
	for (; pc < n - 1; pc++) {
		int op = seccomp_ops[rng_below(r, (uint32_t)nseccomp_ops)];
		const struct insn_info *ii = &insn_info[op];
		jitk_insn in = { ii->code, 0, 0, 0 };
		switch (ii->opnd) {
		case OPND_NONE:
		case OPND_X:
		case OPND_A:
		case OPND_LEN:
			/* The kernel ignores the unused fields: leave junk. */
			in.jt = (uint8_t)rng_u32(r);
			in.jf = (uint8_t)rng_u32(r);
			in.k = rng_u32(r);
			break;
		case OPND_ABS: in.k = 4 * rng_below(r, 16); break;
		case OPND_MEM:
			if (op == INSN_ST || op == INSN_STX) {
				in.k = rng_below(r, 16);
			} else if (nst == 0) {
				in = (jitk_insn){ insn_info[INSN_LD_IMM].code, 0, 0, rng_u32(r) };
			} else {
				in.k = rng_below(r, nst);
			}
			break;
		case OPND_IMM:
			if (op == INSN_DIV_K)
				in.k = 1 + rng_below(r, 40);
			else if (op == INSN_LSH_K || op == INSN_RSH_K)
				in.k = rng_below(r, 32);
			else
				in.k = pick_const(r, pl);
			pool_add(pl, in.k);
			break;
		case OPND_JA: in.k = jump_off(r, pc, n, 0xffffffffu); break;
		case OPND_JK:
		case OPND_JX:
			in.jt = (uint8_t)jump_off(r, pc, n, 256);
			in.jf = (uint8_t)jump_off(r, pc, n, 256);
			in.k = pick_const(r, pl);
			pool_add(pl, in.k);
			break;
		default: fail_msg("unexpected operand shape");
		}
		p[pc] = in;
	}
	p[n - 1] = rng_below(r, 2) ? (jitk_insn){ 0x06, 0, 0, rng_u32(r) } : (jitk_insn){ 0x16, 0, 0, 0 };
	return n;
}

static void gen_words(rng_t *r, const struct pool *pl, uint32_t w[SMT_NWORDS])
{
	for (unsigned i = 0; i < SMT_NWORDS; i++)
		w[i] = pick_const(r, pl);
}

/* -------------------------------------------------------------- tests */

/* The encoding equals the interpreter on random programs and inputs. */
static void random_programs_match_interp(void **state)
{
	(void)state;
	init_ops();
	rng_t r;
	uint64_t seed = test_seed(0x5eed0b9f);
	rng_seed(&r, seed);
	unsigned long nprog = test_scaled(TEST_UNDER_ASAN ? 60 : 400);
	unsigned ninputs = TEST_UNDER_ASAN ? 16 : 40;
	unsigned long compared = 0;
	for (unsigned long it = 0; it < nprog; it++) {
		jitk_insn p[96];
		struct pool pl;
		size_t n = gen_prog(&r, p, it % 10 == 0 ? 96 : 24, &pl);
		Z3_context c = z3test_ctx();
		struct smt_input in;
		smt_input_init(c, &in);
		Z3_ast t = encode(c, &in, p, n);
		for (unsigned k = 0; k < ninputs; k++) {
			uint32_t w[SMT_NWORDS], want;
			gen_words(&r, &pl, w);
			struct seccomp_data sd;
			smt_data_of(w, &sd);
			want = oracle(p, n, &sd);
			uint32_t got = z3test_eval(c, t, &in, w);
			if (got != want)
				fail_msg("seed 0x%llx program %lu input %u: encoding 0x%08x, interp 0x%08x",
					 (unsigned long long)seed, it, k, got, want);
			compared++;
		}
		Z3_del_context(c);
	}
	print_message("compared %lu (program, input) pairs\n", compared);
}

/* Word i of seccomp_data is what LD [4i] reads, little endian halves. */
static void words_are_seccomp_data(void **state)
{
	(void)state;
	struct seccomp_data sd = { .nr = -2, .arch = 0xc000003e, .instruction_pointer = 0x1122334455667788ull };
	for (unsigned i = 0; i < 6; i++)
		sd.args[i] = 0xa0a0000000000000ull * (i + 1) + 0x10 * i + 1;
	uint32_t w[SMT_NWORDS];
	smt_words_of(&sd, w);
	/* The word map is the memory layout: compare with the bytes. */
	uint32_t raw[SMT_NWORDS];
	memcpy(raw, &sd, sizeof raw);
	assert_memory_equal(w, raw, sizeof raw);
	assert_int_equal(w[0], 0xfffffffeu);
	assert_int_equal(w[2], 0x55667788u);
	assert_int_equal(w[3], 0x11223344u);
	struct seccomp_data back;
	smt_data_of(w, &back);
	assert_memory_equal(&back, &sd, sizeof sd);
	for (unsigned i = 0; i < SMT_NWORDS; i++)
		assert_int_equal(RUN_ENC(w, { 0x20, 0, 0, 4 * i }, { 0x16, 0, 0, 0 }), w[i]);
}

/* DIV by X == 0 returns 0 at once, whatever follows. */
static void div_by_x_zero_returns_zero(void **state)
{
	(void)state;
	uint32_t w[SMT_NWORDS] = { 0 };
	for (uint32_t nr = 0; nr < 4; nr++) {
		w[0] = nr;
		/* ld #100; ldx #0; div x; ret #5 */
		assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 100 }, { 0x01, 0, 0, 0 }, { 0x3c, 0, 0, 0 },
					 { 0x06, 0, 0, 5 }),
				 0);
		uint32_t v = RUN_ENC(w, { 0x00, 0, 0, 100 }, { 0x20, 0, 0, 0 }, { 0x07, 0, 0, 0 },
				     { 0x00, 0, 0, 100 }, { 0x3c, 0, 0, 0 }, { 0x06, 0, 0, 0x7fff0000 });
		assert_int_equal(v, nr == 0 ? 0 : 0x7fff0000);
		v = RUN_ENC(w, { 0x20, 0, 0, 0 }, { 0x07, 0, 0, 0 }, { 0x00, 0, 0, 100 }, { 0x3c, 0, 0, 0 },
			    { 0x16, 0, 0, 0 });
		assert_int_equal(v, nr == 0 ? 0 : 100 / nr);
	}
}

/* Shifts by X use X & 31 (the kernel interpreter), not Z3's rule. */
static void shift_by_x_masks_31(void **state)
{
	(void)state;
	uint32_t w[SMT_NWORDS] = { 0 };
	/* ld #1; ldx #33; lsh x; ret a  ->  2 */
	assert_int_equal(
		RUN_ENC(w, { 0x00, 0, 0, 1 }, { 0x01, 0, 0, 33 }, { 0x6c, 0, 0, 0 }, { 0x16, 0, 0, 0 }), 2);
	/* ld #0x80000000; ldx #63; rsh x; ret a  ->  1 */
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 0x80000000u }, { 0x01, 0, 0, 63 }, { 0x7c, 0, 0, 0 },
				 { 0x16, 0, 0, 0 }),
			 1);
	/* a count of 32 is a count of 0 */
	assert_int_equal(
		RUN_ENC(w, { 0x00, 0, 0, 5 }, { 0x01, 0, 0, 32 }, { 0x6c, 0, 0, 0 }, { 0x16, 0, 0, 0 }), 5);
}

/* Shifts by K: a count of 0 is A itself (smt_bpf keeps A, not a shift
 * term), and every other count shifts (mutation testing found a count of
 * 1 taken for the no-shift case unnoticed). */
static void shift_by_k(void **state)
{
	(void)state;
	uint32_t w[SMT_NWORDS] = { 0 };
	/* ld #5; lsh #0; ret a  ->  5 */
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 5 }, { 0x64, 0, 0, 0 }, { 0x16, 0, 0, 0 }), 5);
	/* ld #5; lsh #1; ret a  ->  10 */
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 5 }, { 0x64, 0, 0, 1 }, { 0x16, 0, 0, 0 }), 10);
	/* ld #5; lsh #31; ret a  ->  0x80000000 */
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 5 }, { 0x64, 0, 0, 31 }, { 0x16, 0, 0, 0 }), 0x80000000u);
	/* ld #5; rsh #0; ret a  ->  5;  rsh #1  ->  2 */
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 5 }, { 0x74, 0, 0, 0 }, { 0x16, 0, 0, 0 }), 5);
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 5 }, { 0x74, 0, 0, 1 }, { 0x16, 0, 0, 0 }), 2);
}

static void len_and_registers(void **state)
{
	(void)state;
	uint32_t w[SMT_NWORDS] = { 0 };
	assert_int_equal(RUN_ENC(w, { 0x80, 0, 0, 0 }, { 0x16, 0, 0, 0 }), 64);
	assert_int_equal(RUN_ENC(w, { 0x81, 0, 0, 0 }, { 0x87, 0, 0, 0 }, { 0x16, 0, 0, 0 }), 64);
	/* A and X start at 0 */
	assert_int_equal(RUN_ENC(w, { 0x16, 0, 0, 0 }), 0);
	assert_int_equal(RUN_ENC(w, { 0x87, 0, 0, 0 }, { 0x16, 0, 0, 0 }), 0);
	/* wraparound, neg, mul low bits, scratch memory */
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 0xffffffffu }, { 0x04, 0, 0, 2 }, { 0x16, 0, 0, 0 }), 1);
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 1 }, { 0x84, 0, 0, 0 }, { 0x16, 0, 0, 0 }), 0xffffffffu);
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 0x10000 }, { 0x24, 0, 0, 0x10001 }, { 0x16, 0, 0, 0 }),
			 0x10000);
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 9 }, { 0x02, 0, 0, 15 }, { 0x00, 0, 0, 1 },
				 { 0x61, 0, 0, 15 }, { 0x87, 0, 0, 0 }, { 0x16, 0, 0, 0 }),
			 9);
	/* jset / jge / jgt / ja with a merge point */
	w[0] = 6;
	assert_int_equal(RUN_ENC(w, { 0x20, 0, 0, 0 }, { 0x45, 0, 2, 4 }, { 0x00, 0, 0, 1 },
				 { 0x05, 0, 0, 1 }, { 0x00, 0, 0, 2 }, { 0x16, 0, 0, 0 }),
			 1);
	w[0] = 3;
	assert_int_equal(RUN_ENC(w, { 0x20, 0, 0, 0 }, { 0x45, 0, 2, 4 }, { 0x00, 0, 0, 1 },
				 { 0x05, 0, 0, 1 }, { 0x00, 0, 0, 2 }, { 0x16, 0, 0, 0 }),
			 2);
}

static jitk_err enc_err(const jitk_insn *p, size_t n, jitk_diag *d)
{
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	Z3_ast t = NULL;
	jitk_err err = smt_bpf_unchecked(c, p, n, &in, &t, d);
	Z3_del_context(c);
	return err;
}
#define ENC_ERR(d, ...)                             \
	enc_err((const jitk_insn[]){ __VA_ARGS__ }, \
		sizeof((const jitk_insn[]){ __VA_ARGS__ }) / sizeof(jitk_insn), d)

/* The encoder refuses what it cannot encode exactly, even unchecked. */
static void encoder_refuses_invalid(void **state)
{
	(void)state;
	jitk_diag d;
	const uint32_t R = 0x7fff0000;
	assert_int_equal(ENC_ERR(&d, { 0x94, 0, 0, 3 }, { 0x06, 0, 0, R }), JITK_E_CHECK); /* MOD */
	assert_int_equal(d.index, 0);
	assert_int_equal(ENC_ERR(&d, { 0x28, 0, 0, 0 }, { 0x06, 0, 0, R }), JITK_E_CHECK); /* LDH */
	assert_int_equal(ENC_ERR(&d, { 0x0e, 0, 0, 0 }), JITK_E_CHECK);                    /* RET|X */
	assert_int_equal(ENC_ERR(&d, { 0x20, 0, 0, 64 }, { 0x06, 0, 0, R }), JITK_E_CHECK);
	assert_int_equal(ENC_ERR(&d, { 0x20, 0, 0, 2 }, { 0x06, 0, 0, R }), JITK_E_CHECK);
	assert_int_equal(ENC_ERR(&d, { 0x60, 0, 0, 3 }, { 0x16, 0, 0, 0 }), JITK_E_CHECK); /* M[3] unset */
	assert_string_equal(d.rule, "mem-uninit");
	assert_int_equal(ENC_ERR(&d, { 0x60, 0, 0, 16 }, { 0x16, 0, 0, 0 }), JITK_E_CHECK);
	assert_int_equal(ENC_ERR(&d, { 0x02, 0, 0, 16 }, { 0x16, 0, 0, 0 }), JITK_E_CHECK);
	/* M[1] written on one path only */
	assert_int_equal(ENC_ERR(&d, { 0x20, 0, 0, 0 }, { 0x15, 0, 1, 1 }, { 0x02, 0, 0, 1 },
				 { 0x60, 0, 0, 1 }, { 0x16, 0, 0, 0 }),
			 JITK_E_CHECK);
	assert_int_equal(ENC_ERR(&d, { 0x15, 1, 0, 1 }, { 0x06, 0, 0, R }), JITK_E_CHECK); /* jt out */
	assert_int_equal(d.index, 0);
	assert_int_equal(ENC_ERR(&d, { 0x15, 0, 5, 1 }, { 0x06, 0, 0, R }), JITK_E_CHECK); /* jf out */
	assert_int_equal(ENC_ERR(&d, { 0x05, 0, 0, 1 }, { 0x06, 0, 0, R }), JITK_E_CHECK); /* ja out */
	assert_int_equal(ENC_ERR(&d, { 0x05, 0, 0, 0xffffffffu }, { 0x06, 0, 0, R }), JITK_E_CHECK);
	assert_int_equal(ENC_ERR(&d, { 0x00, 0, 0, 1 }), JITK_E_CHECK); /* falls off */
	assert_int_equal(ENC_ERR(&d, { 0x34, 0, 0, 0 }, { 0x16, 0, 0, 0 }), JITK_E_CHECK);
	assert_int_equal(ENC_ERR(&d, { 0x64, 0, 0, 32 }, { 0x16, 0, 0, 0 }), JITK_E_CHECK);
	assert_int_equal(ENC_ERR(&d, { 0x74, 0, 0, 33 }, { 0x16, 0, 0, 0 }), JITK_E_CHECK);
	assert_int_equal(enc_err((const jitk_insn[]){ { 0x06, 0, 0, R } }, 0, &d), JITK_E_TOO_BIG);
	/* The same programs are fine once fixed. */
	assert_int_equal(ENC_ERR(&d, { 0x20, 0, 0, 60 }, { 0x06, 0, 0, R }), JITK_OK);
	assert_int_equal(ENC_ERR(&d, { 0x05, 0, 0, 0 }, { 0x06, 0, 0, R }), JITK_OK);
}

/* Found by mutation testing: every scratch cell is merged where paths
 * join (M[0] too); each refusal names its own rule and message, at the
 * boundary (a jump to exactly n, from pc 0 and from pc 1; falling off at
 * the last instruction); a program of exactly JITK_MAXINSNS encodes. */
static void merges_messages_and_limits(void **state)
{
	(void)state;
	uint32_t w[SMT_NWORDS] = { 0 };
	for (uint32_t nr = 0; nr < 2; nr++) {
		w[0] = nr;
		/* ld [0]; jeq #0, +0, +3; ld #7; st M[0]; ja +2; ld #9; st M[0];
		 * ld #0; ld M[0]; ret a */
		assert_int_equal(RUN_ENC(w, { 0x20, 0, 0, 0 }, { 0x15, 0, 3, 0 }, { 0x00, 0, 0, 7 },
					 { 0x02, 0, 0, 0 }, { 0x05, 0, 0, 2 }, { 0x00, 0, 0, 9 },
					 { 0x02, 0, 0, 0 }, { 0x00, 0, 0, 0 }, { 0x60, 0, 0, 0 },
					 { 0x16, 0, 0, 0 }),
				 nr ? 9 : 7);
	}
	jitk_diag d;
	const uint32_t R = 0x7fff0000;
	assert_int_equal(ENC_ERR(&d, { 0x05, 0, 0, 1 }, { 0x06, 0, 0, R }), JITK_E_CHECK);
	assert_string_equal(d.rule, "jump-range");
	assert_string_equal(d.msg, "cannot encode: jump out of the program");
	assert_int_equal(ENC_ERR(&d, { 0x00, 0, 0, 0 }, { 0x05, 0, 0, 1 }, { 0x06, 0, 0, R }), JITK_E_CHECK);
	assert_int_equal(d.index, 1);
	assert_string_equal(d.msg, "cannot encode: jump out of the program");
	assert_int_equal(ENC_ERR(&d, { 0x15, 1, 0, 1 }, { 0x06, 0, 0, R }), JITK_E_CHECK);
	assert_string_equal(d.msg, "control leaves the program (target 2 of 2)");
	assert_int_equal(ENC_ERR(&d, { 0x00, 0, 0, 0 }, { 0x00, 0, 0, 1 }), JITK_E_CHECK);
	assert_int_equal(d.index, 1);
	assert_string_equal(d.rule, "last-ret");
	assert_string_equal(d.msg, "cannot encode: control falls off the end of the program");
	static jitk_insn big[JITK_MAXINSNS + 1];
	for (size_t i = 0; i < JITK_MAXINSNS; i++)
		big[i] = (jitk_insn){ 0x00, 0, 0, (uint32_t)i };
	big[JITK_MAXINSNS - 1] = (jitk_insn){ 0x16, 0, 0, 0 };
	assert_int_equal(enc_err(big, JITK_MAXINSNS, &d), JITK_OK);
	assert_int_equal(enc_err(big, JITK_MAXINSNS + 1, &d), JITK_E_TOO_BIG);
	assert_int_equal(RUN_ENC(w, { 0x00, 0, 0, 0 }, { 0x16, 0, 0, 0 }), 0);
}

/* smt_bpf runs the checker: a program the kernel refuses is never encoded. */
static void checked_entry_refuses(void **state)
{
	(void)state;
	jitk_filter *good = TEST_FILTER({ 0x06, 0, 0, 0x7fff0000 });
	if (jitk_check(good, NULL) == JITK_E_UNSUPPORTED) {
		jitk_filter_free(good);
		skip(); /* checker still a stub */
	}
	Z3_context c = z3test_ctx();
	struct smt_input in;
	smt_input_init(c, &in);
	Z3_ast t = NULL;
	jitk_diag d;
	assert_int_equal(smt_bpf(c, good, &in, &t, &d), JITK_OK);
	assert_int_equal(smt_bpf(c, NULL, &in, &t, &d), JITK_E_INVAL);
	assert_string_equal(d.msg, "smt_bpf: NULL filter");
	assert_int_equal(smt_bpf_unchecked(c, NULL, 1, &in, &t, &d), JITK_E_INVAL);
	assert_string_equal(d.msg, "smt_bpf: NULL argument");
	jitk_filter *bad = TEST_FILTER({ 0x20, 0, 0, 0 }, { 0x94, 0, 0, 3 }, { 0x16, 0, 0, 0 });
	assert_int_equal(smt_bpf(c, bad, &in, &t, &d), JITK_E_CHECK);
	assert_int_equal(d.index, 1);
	jitk_filter_free(bad);
	/* Reads M[0] after a RET whose "fall-through" never wrote it: the
	 * kernel refuses this (facts 1.3) although the encoder could. */
	bad = TEST_FILTER({ 0x06, 0, 0, 0 }, { 0x60, 0, 0, 0 }, { 0x16, 0, 0, 0 });
	assert_int_equal(smt_bpf(c, bad, &in, &t, &d), JITK_E_CHECK);
	jitk_filter_free(bad);
	jitk_filter_free(good);
	Z3_del_context(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words_are_seccomp_data),
		cmocka_unit_test(div_by_x_zero_returns_zero),
		cmocka_unit_test(shift_by_x_masks_31),
		cmocka_unit_test(shift_by_k),
		cmocka_unit_test(len_and_registers),
		cmocka_unit_test(encoder_refuses_invalid),
		cmocka_unit_test(merges_messages_and_limits),
		cmocka_unit_test(checked_entry_refuses),
		cmocka_unit_test(random_programs_match_interp),
	};
	return cmocka_run_group_tests_name("smt_bpf", tests, NULL, NULL);
}
