/* test_interp.c - the reference interpreter, one test per opcode family,
 * with exact expected values.  The kernel differential test is
 * tests/kernel/test_interp_kernel.c. */
#include "testlib.h"
#include "insn.h"
#include "interp.h"

#include <linux/filter.h>

#define S(code, k) I(code, 0, 0, k)
#define RUN(data, ...)                               \
	run_prog((const jitk_insn[]){ __VA_ARGS__ }, \
		 sizeof((const jitk_insn[]){ __VA_ARGS__ }) / sizeof(jitk_insn), (data))

/* Opcodes spelled from the code bits; the unit tests must not depend on the
 * table they test, beyond insn_op_of itself. */
#define LD_IMM (BPF_LD | BPF_W | BPF_IMM)
#define LD_ABS (BPF_LD | BPF_W | BPF_ABS)
#define LD_MEM (BPF_LD | BPF_MEM)
#define LD_LEN (BPF_LD | BPF_W | BPF_LEN)
#define LDX_IMM (BPF_LDX | BPF_W | BPF_IMM)
#define LDX_MEM (BPF_LDX | BPF_MEM)
#define LDX_LEN (BPF_LDX | BPF_W | BPF_LEN)
#define ST (BPF_ST)
#define STX (BPF_STX)
#define ALU_K(op) (BPF_ALU | (op) | BPF_K)
#define ALU_X(op) (BPF_ALU | (op) | BPF_X)
#define JMP_K(op) (BPF_JMP | (op) | BPF_K)
#define JMP_X(op) (BPF_JMP | (op) | BPF_X)
#define JA (BPF_JMP | BPF_JA)
#define RET_K (BPF_RET | BPF_K)
#define RET_A (BPF_RET | BPF_A)
#define TAX (BPF_MISC | BPF_TAX)
#define TXA (BPF_MISC | BPF_TXA)

static const struct seccomp_data zero_data;

static jitk_result run_prog(const jitk_insn *insns, size_t n, const struct seccomp_data *d)
{
	jitk_result r = { 0xdeadbeef, 0xdeadbeef, true };
	interp_run(insns, n, d ? d : &zero_data, &r);
	return r;
}

/* A = k, X = x, then A op= (K form with k2, or X form), ret A. */
static uint32_t alu_k(uint16_t op, uint32_t a, uint32_t k)
{
	jitk_result r = RUN(NULL, S(LD_IMM, a), S(ALU_K(op), k), S(RET_A, 0));
	assert_int_equal(r.steps, 3);
	assert_false(r.unspecified);
	return r.ret;
}

static uint32_t alu_x(uint16_t op, uint32_t a, uint32_t x)
{
	jitk_result r = RUN(NULL, S(LDX_IMM, x), S(LD_IMM, a), S(ALU_X(op), 0), S(RET_A, 0));
	assert_int_equal(r.steps, 4);
	return r.ret;
}

/* Every ALU result, in both forms, with the same expectations. */
static void check_alu(uint16_t op, uint32_t a, uint32_t v, uint32_t want)
{
	assert_int_equal(alu_k(op, a, v), want);
	assert_int_equal(alu_x(op, a, v), want);
}

static void entry_state_is_zero(void **state)
{
	(void)state;
	jitk_result r = RUN(NULL, S(RET_A, 0));
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.steps, 1);
	assert_false(r.unspecified);
	r = RUN(NULL, S(LD_IMM, 7), S(TXA, 0), S(RET_A, 0));
	assert_int_equal(r.ret, 0); /* X was 0 */
	r = RUN(NULL, S(RET_K, 0x7fff0000u));
	assert_int_equal(r.ret, 0x7fff0000u);
	assert_int_equal(r.steps, 1);
}

static void loads_and_moves(void **state)
{
	(void)state;
	jitk_result r = RUN(NULL, S(LD_IMM, 0xfedcba98u), S(RET_A, 0));
	assert_int_equal(r.ret, 0xfedcba98u);
	assert_int_equal(r.steps, 2);
	r = RUN(NULL, S(LDX_IMM, 0x12345678u), S(TXA, 0), S(RET_A, 0));
	assert_int_equal(r.ret, 0x12345678u);
	r = RUN(NULL, S(LD_IMM, 0x55u), S(TAX, 0), S(LD_IMM, 0), S(TXA, 0), S(RET_A, 0));
	assert_int_equal(r.ret, 0x55u);
	assert_int_equal(r.steps, 5);
}

/* LEN is sizeof(struct seccomp_data) = 64, for LD and LDX. */
static void len_is_64(void **state)
{
	(void)state;
	assert_int_equal(RUN(NULL, S(LD_LEN, 0), S(RET_A, 0)).ret, 64);
	assert_int_equal(RUN(NULL, S(LDX_LEN, 0), S(TXA, 0), S(RET_A, 0)).ret, 64);
	/* k is ignored by LEN. */
	assert_int_equal(RUN(NULL, S(LD_LEN, 12345), S(RET_A, 0)).ret, 64);
}

/* ld [k] for every k = 0, 4, ..., 60: the native-endian word at byte k. */
static void loads_every_word(void **state)
{
	(void)state;
	struct seccomp_data d = {
		.nr = -2, /* 0xfffffffe */
		.arch = 0xc000003eu,
		.instruction_pointer = 0x1122334455667788ull,
	};
	for (int i = 0; i < 6; i++)
		d.args[i] = (uint64_t)(0xb0000000u | (unsigned)i) << 32 | (0xc0000000u | (unsigned)i);
	uint32_t want[16];
	want[0] = 0xfffffffeu;
	want[1] = 0xc000003eu;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	want[2] = 0x55667788u, want[3] = 0x11223344u;
	for (int i = 0; i < 6; i++)
		want[4 + 2 * i] = 0xc0000000u | (unsigned)i, want[5 + 2 * i] = 0xb0000000u | (unsigned)i;
#else
	want[3] = 0x55667788u, want[2] = 0x11223344u;
	for (int i = 0; i < 6; i++)
		want[5 + 2 * i] = 0xc0000000u | (unsigned)i, want[4 + 2 * i] = 0xb0000000u | (unsigned)i;
#endif
	for (uint32_t w = 0; w < 16; w++) {
		jitk_result r = RUN(&d, S(LD_ABS, 4 * w), S(RET_A, 0));
		assert_int_equal(r.ret, want[w]);
		assert_int_equal(r.steps, 2);
	}
}

static void scratch_memory(void **state)
{
	(void)state;
	/* Fill M[0..15] alternately from A and X, read back with LD and LDX. */
	for (uint32_t c = 0; c < 16; c++) {
		uint32_t v = 0x01010101u * (c + 1);
		jitk_result r = RUN(NULL, S(LD_IMM, v), S(ST, c), S(LD_IMM, 0), S(LD_MEM, c), S(RET_A, 0));
		assert_int_equal(r.ret, v);
		r = RUN(NULL, S(LDX_IMM, v), S(STX, c), S(LDX_IMM, 0), S(LDX_MEM, c), S(TXA, 0), S(RET_A, 0));
		assert_int_equal(r.ret, v);
	}
	/* Cells are independent. */
	jitk_result r = RUN(NULL, S(LD_IMM, 1), S(ST, 0), S(LD_IMM, 2), S(ST, 15), S(LD_MEM, 0),
			    S(LDX_MEM, 15), S(ALU_X(BPF_ADD), 0), S(RET_A, 0));
	assert_int_equal(r.ret, 3);
	assert_int_equal(r.steps, 8);
}

static void alu_add_sub(void **state)
{
	(void)state;
	check_alu(BPF_ADD, 2, 3, 5);
	check_alu(BPF_ADD, 0xffffffffu, 2, 1); /* wraps */
	check_alu(BPF_ADD, 0x80000000u, 0x80000000u, 0);
	check_alu(BPF_SUB, 5, 3, 2);
	check_alu(BPF_SUB, 0, 1, 0xffffffffu); /* wraps */
	check_alu(BPF_SUB, 3, 0xffffffffu, 4);
}

static void alu_mul(void **state)
{
	(void)state;
	check_alu(BPF_MUL, 6, 7, 42);
	check_alu(BPF_MUL, 0x10000u, 0x10000u, 0); /* low 32 bits of 2^32 */
	check_alu(BPF_MUL, 0xffffffffu, 0xffffffffu, 1);
	check_alu(BPF_MUL, 0x12345678u, 0x9abcdef0u, 0x242d2080u);
	check_alu(BPF_MUL, 0x80000001u, 2, 2);
}

static void alu_div(void **state)
{
	(void)state;
	check_alu(BPF_DIV, 7, 2, 3);
	check_alu(BPF_DIV, 0xffffffffu, 0x10u, 0x0fffffffu); /* unsigned */
	check_alu(BPF_DIV, 0x80000000u, 0xffffffffu, 0);
	check_alu(BPF_DIV, 0xffffffffu, 1, 0xffffffffu);
	check_alu(BPF_DIV, 3, 7, 0);
}

/* DIV by X == 0 ends the program at once with return value 0, even with
 * instructions and a RET ALLOW after it. */
static void div_by_x_zero_returns_0(void **state)
{
	(void)state;
	jitk_result r = RUN(NULL, S(LD_IMM, 5), S(LDX_IMM, 0), S(ALU_X(BPF_DIV), 0), S(LD_IMM, 9),
			    S(RET_K, 0x7fff0000u));
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.steps, 3);
	/* X == 0 at entry; 0 / 0 also stops. */
	r = RUN(NULL, S(ALU_X(BPF_DIV), 0), S(RET_K, 0x7fff0000u));
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.steps, 1);
	/* X from the data: stops only when the word is 0. */
	struct seccomp_data d = { .nr = 0 };
	r = RUN(&d, S(LD_ABS, 0), S(TAX, 0), S(LD_IMM, 100), S(ALU_X(BPF_DIV), 0), S(RET_A, 0));
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.steps, 4);
	d.nr = 7;
	r = RUN(&d, S(LD_ABS, 0), S(TAX, 0), S(LD_IMM, 100), S(ALU_X(BPF_DIV), 0), S(RET_A, 0));
	assert_int_equal(r.ret, 14);
	assert_int_equal(r.steps, 5);
}

static void alu_bitwise(void **state)
{
	(void)state;
	check_alu(BPF_OR, 0xf0f0f0f0u, 0x0ff00ff0u, 0xfff0fff0u);
	check_alu(BPF_AND, 0xf0f0f0f0u, 0x0ff00ff0u, 0x00f000f0u);
	check_alu(BPF_XOR, 0xf0f0f0f0u, 0x0ff00ff0u, 0xff00ff00u);
	check_alu(BPF_XOR, 0xffffffffu, 0xffffffffu, 0);
}

static void alu_shifts(void **state)
{
	(void)state;
	check_alu(BPF_LSH, 1, 31, 0x80000000u);
	check_alu(BPF_LSH, 0x80000001u, 1, 2);
	check_alu(BPF_LSH, 0xdeadbeefu, 0, 0xdeadbeefu);
	check_alu(BPF_RSH, 0x80000000u, 31, 1); /* logical, not arithmetic */
	check_alu(BPF_RSH, 0xffffffffu, 4, 0x0fffffffu);
	check_alu(BPF_RSH, 0xdeadbeefu, 0, 0xdeadbeefu);
	/* X < 32 is fully specified. */
	jitk_result r = RUN(NULL, S(LDX_IMM, 31), S(LD_IMM, 3), S(ALU_X(BPF_LSH), 0), S(RET_A, 0));
	assert_int_equal(r.ret, 0x80000000u);
	assert_false(r.unspecified);
}

/* A shift by X >= 32 uses X & 31, as the kernel's interpreter and the x86-64
 * JIT do, and is flagged: other JITs may differ. */
static void shift_by_large_x(void **state)
{
	(void)state;
	jitk_result r = RUN(NULL, S(LD_IMM, 1), S(LDX_IMM, 33), S(ALU_X(BPF_LSH), 0), S(RET_A, 0));
	assert_int_equal(r.ret, 2);
	assert_true(r.unspecified);
	assert_int_equal(r.steps, 4);
	r = RUN(NULL, S(LD_IMM, 0x80000000u), S(LDX_IMM, 33), S(ALU_X(BPF_RSH), 0), S(RET_A, 0));
	assert_int_equal(r.ret, 0x40000000u);
	assert_true(r.unspecified);
	r = RUN(NULL, S(LD_IMM, 0x1234u), S(LDX_IMM, 32), S(ALU_X(BPF_LSH), 0), S(RET_A, 0));
	assert_int_equal(r.ret, 0x1234u); /* by 0 */
	assert_true(r.unspecified);
	r = RUN(NULL, S(LD_IMM, 0x1234u), S(LDX_IMM, 0xffffffffu), S(ALU_X(BPF_RSH), 0), S(RET_A, 0));
	assert_int_equal(r.ret, 0); /* by 31 */
	assert_true(r.unspecified);
	/* The flag is sticky for the run even if the shift's result is unused. */
	r = RUN(NULL, S(LDX_IMM, 40), S(ALU_X(BPF_LSH), 0), S(RET_K, 5));
	assert_int_equal(r.ret, 5);
	assert_true(r.unspecified);
}

static void neg(void **state)
{
	(void)state;
	assert_int_equal(RUN(NULL, S(LD_IMM, 1), S(ALU_K(BPF_NEG), 0), S(RET_A, 0)).ret, 0xffffffffu);
	assert_int_equal(RUN(NULL, S(LD_IMM, 0), S(ALU_K(BPF_NEG), 0), S(RET_A, 0)).ret, 0);
	assert_int_equal(RUN(NULL, S(LD_IMM, 0x80000000u), S(ALU_K(BPF_NEG), 0), S(RET_A, 0)).ret,
			 0x80000000u);
	assert_int_equal(RUN(NULL, S(LD_IMM, 0xfffffffbu), S(ALU_K(BPF_NEG), 0), S(RET_A, 0)).ret, 5);
}

/* One conditional jump: A = a, compare with v (K form or X form); returns
 * 1 if taken, 2 if not, and checks the step count (3 or 4 instructions). */
static int jump_taken(uint16_t op, uint32_t a, uint32_t v)
{
	jitk_result rk = RUN(NULL, S(LD_IMM, a), I(JMP_K(op), 1, 0, v), S(RET_K, 2), S(RET_K, 1));
	jitk_result rx =
		RUN(NULL, S(LDX_IMM, v), S(LD_IMM, a), I(JMP_X(op), 1, 0, 0), S(RET_K, 2), S(RET_K, 1));
	assert_int_equal(rk.ret, rx.ret);
	assert_int_equal(rk.steps, 3);
	assert_int_equal(rx.steps, 4);
	assert_true(rk.ret == 1 || rk.ret == 2);
	return rk.ret == 1;
}

static void jumps_compare_unsigned(void **state)
{
	(void)state;
	assert_true(jump_taken(BPF_JEQ, 5, 5));
	assert_false(jump_taken(BPF_JEQ, 5, 6));
	assert_true(jump_taken(BPF_JGT, 6, 5));
	assert_false(jump_taken(BPF_JGT, 5, 5));
	assert_true(jump_taken(BPF_JGT, 0xffffffffu, 1)); /* unsigned */
	assert_false(jump_taken(BPF_JGT, 1, 0x80000000u));
	assert_true(jump_taken(BPF_JGE, 5, 5));
	assert_false(jump_taken(BPF_JGE, 4, 5));
	assert_true(jump_taken(BPF_JGE, 0x80000000u, 0x7fffffffu));
	assert_true(jump_taken(BPF_JSET, 0x10u, 0x30u));
	assert_false(jump_taken(BPF_JSET, 0x10u, 0x20u));
	assert_false(jump_taken(BPF_JSET, 0xffffffffu, 0));
	assert_true(jump_taken(BPF_JSET, 0x80000000u, 0x80000000u));
}

/* Offsets are relative to pc + 1; jt and jf are independent. */
static void jump_offsets_and_steps(void **state)
{
	(void)state;
	/* 0: ja +2 -> 3;  3: jeq #0 (taken), +1, +2 -> 5;  5: ret #5 */
	jitk_result r = RUN(NULL, S(JA, 2), S(RET_K, 1), S(RET_K, 2), I(JMP_K(BPF_JEQ), 1, 2, 0),
			    S(RET_K, 4), S(RET_K, 5), S(RET_K, 6));
	assert_int_equal(r.ret, 5);
	assert_int_equal(r.steps, 3);
	/* 3: jeq #0, +2, +1 -> 6 */
	r = RUN(NULL, S(JA, 2), S(RET_K, 1), S(RET_K, 2), I(JMP_K(BPF_JEQ), 2, 1, 0), S(RET_K, 4),
		S(RET_K, 5), S(RET_K, 6));
	assert_int_equal(r.ret, 6);
	/* 3: jeq #1 (not taken), +1, +0 -> 4 */
	r = RUN(NULL, S(JA, 2), S(RET_K, 1), S(RET_K, 2), I(JMP_K(BPF_JEQ), 1, 0, 1), S(RET_K, 4),
		S(RET_K, 5), S(RET_K, 6));
	assert_int_equal(r.ret, 4);
	assert_int_equal(r.steps, 3);
	/* ja 0 is a no-op that still counts as a step. */
	r = RUN(NULL, S(JA, 0), S(JA, 0), S(RET_K, 9));
	assert_int_equal(r.ret, 9);
	assert_int_equal(r.steps, 3);
	/* A long straight line: n steps. */
	jitk_insn line[4096];
	for (size_t i = 0; i < 4095; i++)
		line[i] = S(ALU_K(BPF_ADD), 1);
	line[4095] = S(RET_A, 0);
	r = run_prog(line, 4096, NULL);
	assert_int_equal(r.ret, 4095);
	assert_int_equal(r.steps, 4096);
}

/* The precondition is broken on purpose: the interpreter must stop with
 * ret 0 without reading outside the program or the data (ASan run). */
static void impossible_states_stop_with_0(void **state)
{
	(void)state;
	jitk_result r;
	r = RUN(NULL, S(LD_ABS, 64), S(RET_K, 1)); /* past seccomp_data */
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.steps, 1);
	assert_int_equal(RUN(NULL, S(LD_ABS, 2), S(RET_K, 1)).ret, 0); /* unaligned */
	assert_int_equal(RUN(NULL, S(LD_ABS, 0xfffffffcu), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(LD_MEM, 16), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(LDX_MEM, 0xffffffffu), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(ST, 16), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(STX, 99), S(RET_K, 1)).ret, 0);
	/* The first cell past M[], for each access (mutation testing found
	 * these bounds unchecked at exactly 16), and the first shift too far. */
	assert_int_equal(RUN(NULL, S(LDX_MEM, 16), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(STX, 16), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(LD_IMM, 1), S(ALU_K(BPF_RSH), 32), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(ALU_K(BPF_DIV), 0), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(ALU_K(BPF_LSH), 32), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(ALU_K(BPF_RSH), 0xffffffffu), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(ALU_K(BPF_MOD), 3), S(RET_K, 1)).ret, 0); /* not seccomp */
	assert_int_equal(RUN(NULL, S(BPF_LD | BPF_H | BPF_ABS, 0), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(BPF_LD | BPF_W | BPF_IND, 0), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(BPF_LDX | BPF_B | BPF_MSH, 0), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(0x0e, 0), S(RET_K, 1)).ret, 0); /* RET|X */
	assert_int_equal(RUN(NULL, S(0xffff, 0), S(RET_K, 1)).ret, 0);
	/* Jumps out of the program, including offsets that would overflow. */
	assert_int_equal(RUN(NULL, S(JA, 1), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, S(JA, 0xffffffffu), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, I(JMP_K(BPF_JEQ), 0, 1, 0), S(RET_K, 1)).ret, 1);
	assert_int_equal(RUN(NULL, I(JMP_K(BPF_JEQ), 1, 0, 0), S(RET_K, 1)).ret, 0);
	assert_int_equal(RUN(NULL, I(JMP_X(BPF_JGT), 0, 255, 0), S(RET_K, 1)).ret, 0);
	/* Running off the end without a RET. */
	r = RUN(NULL, S(LD_IMM, 5), S(ALU_K(BPF_ADD), 1));
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.steps, 2);
	/* Empty and NULL programs. */
	r = run_prog(NULL, 0, NULL);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.steps, 0);
	jitk_insn one = S(RET_K, 1);
	r = run_prog(&one, 0, NULL);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.steps, 0);
}

/* Random garbage never crashes or reads out of bounds (ASan+UBSan), and a
 * run takes at most n steps (forward-only progress). */
static void garbage_is_safe(void **state)
{
	(void)state;
	rng_t g;
	rng_seed(&g, test_seed(7));
	struct seccomp_data d;
	for (unsigned long it = 0; it < test_scaled(20000); it++) {
		jitk_insn p[32];
		size_t n = 1 + rng_below(&g, 32);
		for (size_t i = 0; i < n; i++) {
			/* Mostly real opcodes so runs get long. */
			uint16_t code = rng_below(&g, 8) ? insn_info[rng_below(&g, INSN__COUNT)].code
							 : (uint16_t)rng_u32(&g);
			uint32_t k = rng_below(&g, 2) ? rng_below(&g, 80) : rng_u32(&g);
			p[i] = I(code, rng_below(&g, 4) ? rng_below(&g, 4) : rng_u32(&g),
				 rng_below(&g, 4) ? rng_below(&g, 4) : rng_u32(&g), k);
		}
		for (size_t i = 0; i < sizeof d / 4; i++)
			((uint32_t *)(void *)&d)[i] = rng_u32(&g);
		jitk_result r = run_prog(p, n, &d);
		assert_true(r.steps >= 1 && r.steps <= n);
	}
}

/* jitk_interp refuses bad arguments and programs the checker rejects; on a
 * good program it agrees with interp_run. */
static void public_api(void **state)
{
	(void)state;
	struct seccomp_data d = { .nr = 3 };
	jitk_result r;
	jitk_filter *good = TEST_FILTER(S(LD_ABS, 0), S(ALU_K(BPF_ADD), 1), S(RET_A, 0));
	assert_int_equal(jitk_interp(NULL, &d, &r), JITK_E_INVAL);
	assert_int_equal(jitk_interp(good, NULL, &r), JITK_E_INVAL);
	assert_int_equal(jitk_interp(good, &d, NULL), JITK_E_INVAL);

	jitk_err e = jitk_interp(good, &d, &r);
	if (e == JITK_E_UNSUPPORTED) {
		/* jitk_check is still a stub: nothing runs. */
		jitk_filter_free(good);
		skip();
	}
	assert_int_equal(e, JITK_OK);
	assert_int_equal(r.ret, 4);
	assert_int_equal(r.steps, 3);

	/* Rejected programs: nothing runs, result zeroed. */
	jitk_filter *bad[] = {
		TEST_FILTER(S(LD_ABS, 64), S(RET_A, 0)),        /* past seccomp_data */
		TEST_FILTER(S(LD_MEM, 0), S(RET_A, 0)),         /* M read before write */
		TEST_FILTER(S(ALU_K(BPF_MOD), 3), S(RET_A, 0)), /* MOD */
		TEST_FILTER(S(LD_IMM, 1)),                      /* no RET at the end */
		TEST_FILTER(S(JA, 1), S(RET_A, 0)),             /* jump out */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = (jitk_result){ 1, 1, true };
		assert_int_equal(jitk_interp(bad[i], &d, &r), JITK_E_CHECK);
		assert_int_equal(r.ret, 0);
		assert_int_equal(r.steps, 0);
		jitk_filter_free(bad[i]);
	}
	jitk_insn big[4097];
	for (size_t i = 0; i < 4097; i++)
		big[i] = S(RET_K, 0);
	jitk_filter *f = test_filter(big, 4097);
	assert_int_equal(jitk_interp(f, &d, &r), JITK_E_CHECK);
	jitk_filter_free(f);
	jitk_filter_free(good);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entry_state_is_zero),
		cmocka_unit_test(loads_and_moves),
		cmocka_unit_test(len_is_64),
		cmocka_unit_test(loads_every_word),
		cmocka_unit_test(scratch_memory),
		cmocka_unit_test(alu_add_sub),
		cmocka_unit_test(alu_mul),
		cmocka_unit_test(alu_div),
		cmocka_unit_test(div_by_x_zero_returns_0),
		cmocka_unit_test(alu_bitwise),
		cmocka_unit_test(alu_shifts),
		cmocka_unit_test(shift_by_large_x),
		cmocka_unit_test(neg),
		cmocka_unit_test(jumps_compare_unsigned),
		cmocka_unit_test(jump_offsets_and_steps),
		cmocka_unit_test(impossible_states_stop_with_0),
		cmocka_unit_test(garbage_is_safe),
		cmocka_unit_test(public_api),
	};
	return cmocka_run_group_tests_name("interp", tests, NULL, NULL);
}
