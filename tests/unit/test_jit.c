/* test_jit.c - the x86-64 JIT: every opcode, jump encodings at the rel8/rel32
 * boundary, W^X, refusals.  The heavy random comparison against the
 * interpreter is tests/kernel/test_jit_equiv.c. */
#include "testlib.h"
#include "insn.h"
#include "interp.h"
#include "jit_map.h"
#include "jit_x86.h"
#include "jit_check.h"

#include <linux/filter.h>

#if defined(__x86_64__)

#define RETA I(BPF_RET | BPF_A, 0, 0, 0)
#define RETK(k) I(BPF_RET | BPF_K, 0, 0, k)

/* An input whose every 32-bit word is distinct and recognisable. */
static struct seccomp_data sample_input(void)
{
	struct seccomp_data in;
	uint32_t w[16];
	for (unsigned i = 0; i < 16; i++)
		w[i] = 0x11111111u * (i + 1) ^ (i << 28);
	memcpy(&in, w, sizeof in);
	return in;
}

/* Compile insns, run on in, compare with the interpreter and return the
 * JIT's result. */
static uint32_t jit_run(const jitk_insn *insns, size_t n, const struct seccomp_data *in)
{
	jitk_filter *f = test_filter(insns, n);
	jitk_jit *j = NULL;
	jitk_diag d;
	jitk_err err = jitk_jit_compile(f, &j, &d);
	if (err)
		fail_msg("jit compile: %s: %s", jitk_strerror(err), d.msg);
	uint32_t got = jitk_jit_func(j)(in);
	jitk_result want;
	interp_run(insns, n, in, &want);
	assert_int_equal(got, want.ret);
	jitk_jit_free(j);
	jitk_filter_free(f);
	return got;
}

#define RUN(in, ...)                                \
	jit_run((const jitk_insn[]){ __VA_ARGS__ }, \
		sizeof((const jitk_insn[]){ __VA_ARGS__ }) / sizeof(jitk_insn), in)

/* Ops the tests below cover, to prove none of the seccomp table is missed. */
static bool covered[INSN__COUNT];
static void cover(uint16_t code)
{
	int op = insn_op_of(code);
	assert_true(op >= 0);
	covered[op] = true;
}

static void loads_and_moves(void **state)
{
	(void)state;
	struct seccomp_data in = sample_input();
	uint32_t w[16];
	memcpy(w, &in, sizeof w);
	assert_int_equal(RUN(&in, RETK(0x7fff0000u)), 0x7fff0000u);
	cover(BPF_RET | BPF_K);
	assert_int_equal(RUN(&in, RETA), 0); /* A = 0 at entry */
	cover(BPF_RET | BPF_A);
	assert_int_equal(RUN(&in, I(BPF_MISC | BPF_TXA, 0, 0, 0), RETA), 0); /* X = 0 at entry */
	assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 0xdeadbeef), RETA), 0xdeadbeef);
	cover(BPF_LD | BPF_IMM);
	for (uint32_t k = 0; k < 64; k += 4)
		assert_int_equal(RUN(&in, I(BPF_LD | BPF_W | BPF_ABS, 0, 0, k), RETA), w[k / 4]);
	cover(BPF_LD | BPF_W | BPF_ABS);
	assert_int_equal(RUN(&in, I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), RETA), 64);
	cover(BPF_LD | BPF_W | BPF_LEN);
	assert_int_equal(
		RUN(&in, I(BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0), I(BPF_MISC | BPF_TXA, 0, 0, 0), RETA), 64);
	cover(BPF_LDX | BPF_W | BPF_LEN);
	cover(BPF_MISC | BPF_TXA);
	assert_int_equal(RUN(&in, I(BPF_LDX | BPF_IMM, 0, 0, 77), I(BPF_MISC | BPF_TXA, 0, 0, 0), RETA), 77);
	cover(BPF_LDX | BPF_IMM);
	assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 5), I(BPF_MISC | BPF_TAX, 0, 0, 0),
			     I(BPF_LD | BPF_IMM, 0, 0, 9), I(BPF_MISC | BPF_TXA, 0, 0, 0), RETA),
			 5);
	cover(BPF_MISC | BPF_TAX);
	/* Every scratch cell, through ST/LD and STX/LDX. */
	for (uint32_t m = 0; m < 16; m++) {
		assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 100 + m), I(BPF_ST, 0, 0, m),
				     I(BPF_LD | BPF_IMM, 0, 0, 0), I(BPF_LD | BPF_MEM, 0, 0, m), RETA),
				 100 + m);
		assert_int_equal(RUN(&in, I(BPF_LDX | BPF_IMM, 0, 0, 200 + m), I(BPF_STX, 0, 0, m),
				     I(BPF_LDX | BPF_IMM, 0, 0, 0), I(BPF_LDX | BPF_MEM, 0, 0, m),
				     I(BPF_MISC | BPF_TXA, 0, 0, 0), RETA),
				 200 + m);
	}
	cover(BPF_ST);
	cover(BPF_STX);
	cover(BPF_LD | BPF_MEM);
	cover(BPF_LDX | BPF_MEM);
	/* Cells are independent. */
	jitk_insn p[40];
	size_t n = 0;
	for (uint32_t m = 0; m < 16; m++) {
		p[n++] = I(BPF_LD | BPF_IMM, 0, 0, 1u << m);
		p[n++] = I(BPF_ST, 0, 0, m);
	}
	p[n++] = I(BPF_LD | BPF_MEM, 0, 0, 7);
	p[n++] = I(BPF_LDX | BPF_MEM, 0, 0, 12);
	p[n++] = I(BPF_ALU | BPF_OR | BPF_X, 0, 0, 0);
	p[n++] = RETA;
	assert_int_equal(jit_run(p, n, &in), (1u << 7) | (1u << 12));
}

struct alu_case {
	uint16_t op; /* BPF_ADD ... */
	uint32_t a, v, want;
};

static void alu_ops(void **state)
{
	(void)state;
	struct seccomp_data in = sample_input();
	const struct alu_case cases[] = {
		{ BPF_ADD, 0xffffffffu, 2, 1 },
		{ BPF_ADD, 5, 7, 12 },
		{ BPF_SUB, 1, 2, 0xffffffffu },
		{ BPF_SUB, 10, 3, 7 },
		{ BPF_MUL, 0x10000u, 0x10000u, 0 },
		{ BPF_MUL, 0xffffffffu, 0xffffffffu, 1 },
		{ BPF_MUL, 3, 0x80000001u, 0x80000003u },
		{ BPF_DIV, 0xffffffffu, 1, 0xffffffffu },
		{ BPF_DIV, 0xffffffffu, 0x10000u, 0xffff },
		{ BPF_DIV, 7, 8, 0 },
		{ BPF_DIV, 0x80000000u, 0xffffffffu, 0 },
		{ BPF_OR, 0xf0f0, 0x0f0f, 0xffff },
		{ BPF_AND, 0xf0f0, 0x0ff0, 0x00f0 },
		{ BPF_XOR, 0xffff0000u, 0x0ffff000u, 0xf000f000u },
		{ BPF_LSH, 0x80000001u, 1, 2 },
		{ BPF_LSH, 1, 31, 0x80000000u },
		{ BPF_LSH, 0xabcd, 0, 0xabcd },
		{ BPF_RSH, 0x80000000u, 31, 1 },
		{ BPF_RSH, 0xffffffffu, 4, 0x0fffffffu },
		{ BPF_RSH, 0xabcd, 0, 0xabcd },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct alu_case *c = &cases[i];
		uint32_t k = RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, c->a),
				 I(BPF_ALU | c->op | BPF_K, 0, 0, c->v), RETA);
		uint32_t x = RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, c->a), I(BPF_LDX | BPF_IMM, 0, 0, c->v),
				 I(BPF_ALU | c->op | BPF_X, 0, 0, 0), RETA);
		if (k != c->want || x != c->want)
			fail_msg("case %zu op 0x%x: K %#x X %#x want %#x", i, c->op, k, x, c->want);
		cover(BPF_ALU | c->op | BPF_K);
		cover(BPF_ALU | c->op | BPF_X);
	}
	assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 1), I(BPF_ALU | BPF_NEG, 0, 0, 0), RETA),
			 0xffffffffu);
	assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 0x80000000u), I(BPF_ALU | BPF_NEG, 0, 0, 0), RETA),
			 0x80000000u);
	cover(BPF_ALU | BPF_NEG);
}

/* DIV by X == 0 stops the filter with 0, mid-program; shifts by X >= 32
 * use X & 31 as the kernel's interpreter (and x86) do. */
static void div_zero_and_wide_shifts(void **state)
{
	(void)state;
	struct seccomp_data in = sample_input();
	assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 99), I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0),
			     RETK(0x7fff0000u)),
			 0);
	/* Division by zero after A and memory were set, and one by a nonzero X
	 * taken from the input on the same code path. */
	assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 7), I(BPF_ST, 0, 0, 3),
			     I(BPF_LDX | BPF_MEM, 0, 0, 3), I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0),
			     I(BPF_LDX | BPF_IMM, 0, 0, 0), I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0), RETK(5)),
			 0);
	const uint32_t counts[] = { 31, 32, 33, 63, 64, 0xffffffffu, 0x80000001u };
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		uint32_t x = counts[i];
		assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 0x12345678u),
				     I(BPF_LDX | BPF_IMM, 0, 0, x), I(BPF_ALU | BPF_LSH | BPF_X, 0, 0, 0),
				     RETA),
				 0x12345678u << (x & 31));
		assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 0x87654321u),
				     I(BPF_LDX | BPF_IMM, 0, 0, x), I(BPF_ALU | BPF_RSH | BPF_X, 0, 0, 0),
				     RETA),
				 0x87654321u >> (x & 31));
	}
	/* 1 << 33 == 2 on x86 and in the kernel's interpreter (facts 1.6). */
	assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 0, 0, 1), I(BPF_LDX | BPF_IMM, 0, 0, 33),
			     I(BPF_ALU | BPF_LSH | BPF_X, 0, 0, 0), RETA),
			 2);
}

struct jmp_case {
	uint16_t op;
	uint32_t a, v;
	bool taken;
};

static void conditional_jumps(void **state)
{
	(void)state;
	struct seccomp_data in = sample_input();
	/* clang-format off */
	const struct jmp_case cases[] = {
		{ BPF_JEQ, 5, 5, true },           { BPF_JEQ, 5, 6, false },
		{ BPF_JGT, 6, 5, true },           { BPF_JGT, 5, 5, false },
		{ BPF_JGT, 0x80000000u, 1, true }, /* unsigned */
		{ BPF_JGE, 5, 5, true },           { BPF_JGE, 4, 5, false },
		{ BPF_JGE, 1, 0xffffffffu, false },
		{ BPF_JSET, 6, 2, true },          { BPF_JSET, 6, 1, false },
		{ BPF_JSET, 0x80000000u, 0x80000000u, true },
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct jmp_case *c = &cases[i];
		uint32_t want = c->taken ? 1 : 2;
		/* Both targets explicit, jt only (fall through on false), jf only. */
		for (int form = 0; form < 2; form++) {
			uint16_t src = form ? BPF_X : BPF_K;
			/* clang-format off */
			jitk_insn p[] = {
				I(BPF_LD | BPF_IMM, 0, 0, c->a), I(BPF_LDX | BPF_IMM, 0, 0, c->v),
				I(BPF_JMP | c->op | src, 1, 2, c->v), RETK(0), RETK(1), RETK(2),
			};
			/* clang-format on */
			assert_int_equal(jit_run(p, 6, &in), want);
			p[2].jt = 2, p[2].jf = 0; /* true -> 5, false -> next */
			p[3] = RETK(2);
			p[5] = RETK(1);
			assert_int_equal(jit_run(p, 6, &in), want);
			p[2].jt = 0, p[2].jf = 2; /* true -> next, false -> 5 */
			p[3] = RETK(1);
			p[5] = RETK(2);
			assert_int_equal(jit_run(p, 6, &in), want);
			p[2].jt = 1, p[2].jf = 1; /* both ways to the same place */
			p[4] = RETK(9);
			assert_int_equal(jit_run(p, 6, &in), 9);
			cover(BPF_JMP | c->op | src);
		}
	}
	/* JA, including k = 0 and a jump to the last instruction. */
	assert_int_equal(RUN(&in, I(BPF_JMP | BPF_JA, 0, 0, 0), RETK(3), RETK(4)), 3);
	assert_int_equal(RUN(&in, I(BPF_JMP | BPF_JA, 0, 0, 1), RETK(3), RETK(4)), 4);
	cover(BPF_JMP | BPF_JA);
	/* Junk in unused jt/jf of non-jumps and of RET is ignored. */
	assert_int_equal(RUN(&in, I(BPF_LD | BPF_IMM, 7, 9, 3), I(BPF_RET | BPF_K, 0xff, 0xff, 8)), 8);
}

/* Every opcode seccomp admits was exercised by the tests above. */
static void every_seccomp_opcode_covered(void **state)
{
	(void)state;
	for (int op = 0; op < INSN__COUNT; op++)
		if (insn_info[op].seccomp && !covered[op])
			fail_msg("opcode %s not exercised", insn_info[op].name);
}

/* A program `ja +K; K x (ld #i or tax); tax; ret #2` whose JA spans
 * exactly `bytes` of native code.  The JA's target is the final tax, not
 * the RET (a jump to a RET becomes a copy of the RET, not a jmp). */
static size_t span_program(jitk_insn *p, unsigned bytes)
{
	/* ld #k is 5 bytes, tax 2: bytes = 5a + 2b. */
	unsigned b = 0;
	while ((bytes - 2 * b) % 5)
		b++;
	unsigned a = (bytes - 2 * b) / 5;
	size_t n = 0;
	p[n++] = I(BPF_JMP | BPF_JA, 0, 0, a + b);
	for (unsigned i = 0; i < a; i++)
		p[n++] = I(BPF_LD | BPF_IMM, 0, 0, i);
	for (unsigned i = 0; i < b; i++)
		p[n++] = I(BPF_MISC | BPF_TAX, 0, 0, 0);
	p[n++] = I(BPF_MISC | BPF_TAX, 0, 0, 0);
	p[n++] = RETK(2);
	return n;
}

static void jump_encoding_boundary(void **state)
{
	(void)state;
	struct seccomp_data in = sample_input();
	jitk_insn p[64];
	for (unsigned bytes = 120; bytes <= 136; bytes++) {
		size_t n = span_program(p, bytes);
		jitk_filter *f = test_filter(p, n);
		jitk_jit *j = NULL;
		assert_int_equal(jitk_jit_compile(f, &j, NULL), JITK_OK);
		size_t len, nb;
		const uint8_t *code = jitk_jit_code(j, &len);
		const uint32_t *offs = jit_offsets(j, &nb);
		assert_int_equal(nb, n);
		uint32_t at = offs[0];
		/* rel8 reaches exactly 127 bytes past the jump's end. */
		if (bytes <= 127) {
			assert_int_equal(code[at], 0xeb);
			assert_int_equal(code[at + 1], bytes);
			assert_int_equal(offs[1] - offs[0], 2);
		} else {
			assert_int_equal(code[at], 0xe9);
			uint32_t disp;
			memcpy(&disp, code + at + 1, 4);
			assert_int_equal(disp, bytes);
			assert_int_equal(offs[1] - offs[0], 5);
		}
		assert_int_equal(offs[n - 2], offs[1] + bytes);
		assert_int_equal(jitk_jit_func(j)(&in), 2);
		jitk_jit_free(j);
		jitk_filter_free(f);
	}
}

/* The conditional-jump forms pick rel8/rel32 independently per branch, and
 * a jump shrinking makes another one fit (the fixed-point passes). */
static void jump_encoding_chains(void **state)
{
	(void)state;
	struct seccomp_data in = sample_input();
	uint32_t w[16];
	memcpy(w, &in, sizeof w);
	static jitk_insn p[600];
	/* A ladder of JEQs on nr, each with a far false target, over padding. */
	for (unsigned pad = 0; pad < 70; pad += 7) {
		size_t n = 0;
		p[n++] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0);
		for (unsigned r = 0; r < 8; r++) {
			p[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)(pad + 1), w[0] + r - 4);
			for (unsigned i = 0; i < pad; i++)
				p[n++] = I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, i);
			p[n++] = RETK(100 + r);
		}
		p[n++] = RETK(7);
		jitk_filter *f = test_filter(p, n);
		jitk_jit *j = NULL;
		assert_int_equal(jitk_jit_compile(f, &j, NULL), JITK_OK);
		jitk_result want;
		for (int delta = -5; delta <= 5; delta++) {
			in.nr = (int)(w[0] + (uint32_t)delta);
			interp_run(p, n, &in, &want);
			assert_int_equal(jitk_jit_func(j)(&in), want.ret);
		}
		in.nr = (int)w[0];
		jitk_jit_free(j);
		jitk_filter_free(f);
	}
	/* A 4096-instruction program: rel32 jumps and the DIV guard's jump to
	 * the far trailer. */
	static jitk_insn big[JITK_MAXINSNS];
	size_t n = 0;
	big[n++] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 24);
	big[n++] = I(BPF_MISC | BPF_TAX, 0, 0, 0);
	big[n++] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 16);
	big[n++] = I(BPF_JMP | BPF_JGT | BPF_K, 0, 0, 0); /* jt=jf=0 */
	big[n++] = I(BPF_JMP | BPF_JA, 0, 0, JITK_MAXINSNS - 7);
	while (n < JITK_MAXINSNS - 2)
		big[n++] = I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1);
	big[n++] = I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0);
	big[n++] = RETA;
	jitk_filter *f = test_filter(big, n);
	jitk_jit *j = NULL;
	assert_int_equal(jitk_jit_compile(f, &j, NULL), JITK_OK);
	jitk_result want;
	for (uint32_t x = 0; x < 3; x++) {
		in.args[1] = x;
		interp_run(big, n, &in, &want);
		assert_int_equal(jitk_jit_func(j)(&in), want.ret);
	}
	jitk_jit_free(j);
	jitk_filter_free(f);
}

/* W^X: the code lies in a mapping that is readable and executable but not
 * writable (read from /proc/self/maps). */
static void code_is_not_writable(void **state)
{
	(void)state;
	jitk_filter *f = TEST_FILTER(RETK(1));
	jitk_jit *j = NULL;
	assert_int_equal(jitk_jit_compile(f, &j, NULL), JITK_OK);
	size_t len;
	uintptr_t code = (uintptr_t)jitk_jit_code(j, &len);
	assert_true(len > 0);
	FILE *fp = fopen("/proc/self/maps", "r");
	assert_non_null(fp);
	char line[512], perms[8] = "";
	bool found = false;
	while (fgets(line, sizeof line, fp)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
			continue;
		if (code >= lo && code + len <= hi) {
			found = true;
			break;
		}
	}
	fclose(fp);
	assert_true(found);
	assert_int_equal(perms[0], 'r');
	assert_int_equal(perms[1], '-');
	assert_int_equal(perms[2], 'x');
	jitk_jit_free(j);
	jitk_filter_free(f);
}

/* The JIT never compiles what the checker rejects, and reports why. */
static void refuses_rejected_filters(void **state)
{
	(void)state;
	/* clang-format off */
	const jitk_insn bad[][2] = {
		{ I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 3), RETA },   /* MOD: not seccomp */
		{ I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 64), RETA },   /* outside seccomp_data */
		{ I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2), RETA },    /* misaligned */
		{ I(BPF_LD | BPF_MEM, 0, 0, 0), RETA },            /* M[0] never written */
		{ I(BPF_JMP | BPF_JA, 0, 0, 1), RETA },            /* jump past the end */
		{ I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), RETA },   /* divide by constant 0 */
		{ RETA, I(BPF_LD | BPF_IMM, 0, 0, 0) },            /* last is not RET */
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		jitk_filter *f = test_filter(bad[i], 2);
		static int dummy;
		jitk_jit *j = (jitk_jit *)&dummy; /* must be reset to NULL */
		jitk_diag d;
		jitk_err err = jitk_jit_compile(f, &j, &d);
		assert_int_equal(err, JITK_E_CHECK);
		assert_null(j);
		assert_int_equal(d.err, JITK_E_CHECK);
		jitk_filter_free(f);
	}
	jitk_filter *empty = test_filter(NULL, 0);
	jitk_jit *j = NULL;
	assert_int_equal(jitk_jit_compile(empty, &j, NULL), JITK_E_TOO_BIG);
	jitk_filter_free(empty);
	assert_int_equal(jitk_jit_compile(NULL, &j, NULL), JITK_E_INVAL);
	assert_null(jitk_jit_func(NULL));
	size_t len = 9;
	assert_null(jitk_jit_code(NULL, &len));
	assert_int_equal(len, 0);
	jitk_jit_free(NULL);
}

/* The generator alone refuses non-seccomp code even without the checker. */
static void generator_refuses_untranslatable(void **state)
{
	(void)state;
	const jitk_insn bad[][2] = {
		{ I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), RETA },
		{ I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 61), RETA },
		{ I(BPF_ST, 0, 0, 16), RETA },
		{ I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32), RETA },
		{ I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0), RETA },
		{ I(0xffff, 0, 0, 0), RETA },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t *code = NULL;
		uint32_t *offs = NULL;
		size_t len = 0;
		jitk_diag d;
		assert_int_equal(jit_generate(bad[i], 2, &code, &len, &offs, &d), JITK_E_CHECK);
		assert_null(code);
		assert_null(offs);
		assert_int_equal(d.index, 0);
	}
}

/* The code the library produced is exactly what the validator accepts,
 * and the decoded count is reported. */
static void image_passes_validator(void **state)
{
	(void)state;
	jitk_filter *f = TEST_FILTER(I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
				     I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 59), RETK(0), RETK(0x7fff0000u));
	jitk_jit *j = NULL;
	assert_int_equal(jitk_jit_compile(f, &j, NULL), JITK_OK);
	size_t len, n;
	const uint8_t *code = jitk_jit_code(j, &len);
	const uint32_t *offs = jit_offsets(j, &n);
	struct jit_check_info info;
	assert_int_equal(jit_check_image(jitk_filter_insns(f), n, code, len, offs, n + 1, &info, NULL),
			 JITK_OK);
	assert_int_equal(info.native_insns, jit_native_count(j));
	/* No M[]: no frame.  xor, xor | mov | cmp, jne | mov, ret | mov, ret | xor, ret */
	assert_int_equal(info.native_insns, 11);
	assert_int_equal(info.frame, 0);
	struct seccomp_data in = { .nr = 59 };
	assert_int_equal(jitk_jit_func(j)(&in), 0);
	in.nr = 60;
	assert_int_equal(jitk_jit_func(j)(&in), 0x7fff0000u);
	jitk_jit_free(j);
	jitk_filter_free(f);
}

/* Compile, check the image against the validator, return the handle. */
static jitk_jit *compile_ok(const jitk_insn *insns, size_t n)
{
	jitk_filter *f = test_filter(insns, n);
	jitk_jit *j = NULL;
	jitk_diag d;
	if (jitk_jit_compile(f, &j, &d) != JITK_OK)
		fail_msg("jit compile: %s", d.msg);
	jitk_filter_free(f);
	return j;
}

/* Does the image contain this byte sequence? */
static bool has_bytes(const jitk_jit *j, const uint8_t *pat, size_t plen)
{
	size_t len;
	const uint8_t *code = jitk_jit_code(j, &len);
	for (size_t i = 0; i + plen <= len; i++)
		if (!memcmp(code + i, pat, plen))
			return true;
	return false;
}

/* A frame only when the program uses M[]: the prologue and every exit
 * show it. */
static void frame_only_with_scratch_memory(void **state)
{
	(void)state;
	static const uint8_t sub_rsp[] = { 0x48, 0x83, 0xec, 0x40 };
	static const uint8_t add_rsp_ret[] = { 0x48, 0x83, 0xc4, 0x40, 0xc3 };
	static const uint8_t no_frame[] = { 0x31, 0xc0, 0x31, 0xc9 };
	const jitk_insn plain[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
				    I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 2), RETA, RETK(7) };
	jitk_jit *j = compile_ok(plain, 4);
	size_t len;
	const uint8_t *code = jitk_jit_code(j, &len);
	assert_memory_equal(code, no_frame, sizeof no_frame);
	assert_false(has_bytes(j, sub_rsp, 2 + 1)); /* no 48 83 ec at all */
	assert_false(has_bytes(j, add_rsp_ret, 3));
	struct seccomp_data in = { .nr = 2 };
	assert_int_equal(jitk_jit_func(j)(&in), 2);
	in.nr = 3;
	assert_int_equal(jitk_jit_func(j)(&in), 7);
	jitk_jit_free(j);
	/* Each of the four M[] instructions brings the frame back. */
	const uint16_t mem_ops[] = { BPF_ST, BPF_STX, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM };
	for (size_t i = 0; i < 4; i++) {
		jitk_insn p[] = { I(BPF_ST, 0, 0, 3), I(mem_ops[i], 0, 0, 3), RETA };
		j = compile_ok(i < 2 ? p + 1 : p, i < 2 ? 2 : 3);
		code = jitk_jit_code(j, &len);
		assert_memory_equal(code, sub_rsp, sizeof sub_rsp);
		assert_true(has_bytes(j, add_rsp_ret, sizeof add_rsp_ret));
		jitk_jit_free(j);
	}
}

/* A conditional jump to two RET K is a select: cmovcc, no branch, for
 * every condition, K and X forms, with and without a frame. */
static void select_of_two_returns(void **state)
{
	(void)state;
	const uint16_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
	const uint32_t vals[] = { 0, 1, 5, 6, 0x7f, 0x80, 0x80000000u, 0xffffffffu };
	for (size_t o = 0; o < 4; o++) {
		for (int form = 0; form < 4; form++) {
			bool xsrc = form & 1, mem = form & 2;
			uint16_t src = xsrc ? BPF_X : BPF_K;
			/* A = nr; X = 5 (through M[2] when mem); jcc 5 -> ret 11 : ret 22 */
			/* clang-format off */
			jitk_insn p[] = {
				I(BPF_LDX | BPF_IMM, 0, 0, 5),
				mem ? I(BPF_STX, 0, 0, 2) : I(BPF_MISC | BPF_TXA, 0, 0, 0),
				mem ? I(BPF_LDX | BPF_MEM, 0, 0, 2) : I(BPF_MISC | BPF_TAX, 0, 0, 0),
				I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
				I(BPF_JMP | ops[o] | src, 1, 2, 5),
				RETK(0), RETK(11), RETK(22),
			};
			/* clang-format on */
			jitk_jit *j = compile_ok(p, 8);
			static const uint8_t cmov[] = { 0x0f };
			size_t len;
			const uint8_t *code = jitk_jit_code(j, &len);
			bool found = false;
			for (size_t i = 0; i + 3 <= len; i++)
				found |= code[i] == cmov[0] && code[i + 1] >= 0x42 && code[i + 1] <= 0x47 &&
					 code[i + 2] == 0xc2; /* cmovcc eax, edx */
			assert_true(found);
			for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
				struct seccomp_data in = { .nr = (int)vals[v] };
				jitk_result want;
				interp_run(p, 8, &in, &want);
				assert_int_equal(jitk_jit_func(j)(&in), want.ret);
			}
			jitk_jit_free(j);
		}
	}
}

/* A jump to a RET is a copy of the RET: JA, jt == jf, and one outcome of a
 * conditional jump (RET A returns the A of the compare). */
static void jumps_to_returns_are_copies(void **state)
{
	(void)state;
	struct seccomp_data in = sample_input();
	/* ja -> ret #9: mov eax, 9; ret, no jmp at all. */
	const jitk_insn ja[] = { I(BPF_JMP | BPF_JA, 0, 0, 1), RETK(3), RETK(9) };
	jitk_jit *j = compile_ok(ja, 3);
	size_t len, n;
	const uint8_t *code = jitk_jit_code(j, &len);
	const uint32_t *offs = jit_offsets(j, &n);
	static const uint8_t ret9[] = { 0xb8, 9, 0, 0, 0, 0xc3 };
	assert_int_equal(offs[1] - offs[0], sizeof ret9);
	assert_memory_equal(code + offs[0], ret9, sizeof ret9);
	assert_int_equal(jitk_jit_func(j)(&in), 9);
	jitk_jit_free(j);
	/* jgt #100, next, ret a  /  jgt #100, ret a, next: A flows through. */
	for (int side = 0; side < 2; side++) {
		jitk_insn p[] = {
			I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
			I(BPF_JMP | BPF_JGT | BPF_K, side ? 2 : 1, side ? 1 : 2, 100),
			RETK(1),
			I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1000),
			RETA,
		};
		j = compile_ok(p, 5);
		for (uint32_t nr = 98; nr <= 102; nr++) {
			in.nr = (int)nr;
			jitk_result want;
			interp_run(p, 5, &in, &want);
			assert_int_equal(jitk_jit_func(j)(&in), want.ret);
		}
		jitk_jit_free(j);
	}
	/* jeq with jt == jf onto a RET A. */
	const jitk_insn same[] = { I(BPF_LD | BPF_IMM, 0, 0, 77), I(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 77),
				   RETK(1), RETA };
	assert_int_equal(jit_run(same, 4, &in), 77);
}

/* cmp eax, imm8 sign-extends: the constants at the edge of the short form
 * compare right against values on both sides. */
static void short_compare_constants(void **state)
{
	(void)state;
	const uint32_t ks[] = { 0,     1,           0x7e,        0x7f,        0x80,        0xff,
				0x100, 0xffffff7fu, 0xffffff80u, 0xffffff81u, 0xfffffffeu, 0xffffffffu };
	const uint16_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE };
	for (size_t o = 0; o < 3; o++) {
		for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
			uint32_t k = ks[i];
			jitk_insn p[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
					  I(BPF_JMP | ops[o] | BPF_K, 0, 1, k), RETK(1), RETK(2) };
			jitk_jit *j = compile_ok(p, 4);
			size_t len, n;
			const uint8_t *code = jitk_jit_code(j, &len);
			const uint32_t *offs = jit_offsets(j, &n);
			bool short_form = k <= 0x7f || k >= 0xffffff80u;
			assert_int_equal(code[offs[1]], short_form ? 0x83 : 0x81);
			for (int d = -2; d <= 2; d++) {
				struct seccomp_data in = { .nr = (int)(k + (uint32_t)d) };
				jitk_result want;
				interp_run(p, 4, &in, &want);
				assert_int_equal(jitk_jit_func(j)(&in), want.ret);
			}
			jitk_jit_free(j);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_and_moves),
		cmocka_unit_test(alu_ops),
		cmocka_unit_test(div_zero_and_wide_shifts),
		cmocka_unit_test(conditional_jumps),
		cmocka_unit_test(every_seccomp_opcode_covered),
		cmocka_unit_test(jump_encoding_boundary),
		cmocka_unit_test(jump_encoding_chains),
		cmocka_unit_test(code_is_not_writable),
		cmocka_unit_test(refuses_rejected_filters),
		cmocka_unit_test(generator_refuses_untranslatable),
		cmocka_unit_test(image_passes_validator),
		cmocka_unit_test(frame_only_with_scratch_memory),
		cmocka_unit_test(select_of_two_returns),
		cmocka_unit_test(jumps_to_returns_are_copies),
		cmocka_unit_test(short_compare_constants),
	};
	return cmocka_run_group_tests_name("jit", tests, NULL, NULL);
}

#else

static void unsupported_off_x86_64(void **state)
{
	(void)state;
	jitk_filter *f = TEST_FILTER({ 0x06, 0, 0, 0 });
	jitk_jit *j = NULL;
	assert_int_equal(jitk_jit_compile(f, &j, NULL), JITK_E_UNSUPPORTED);
	assert_null(j);
	jitk_filter_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(unsupported_off_x86_64) };
	return cmocka_run_group_tests_name("jit", tests, NULL, NULL);
}

#endif
