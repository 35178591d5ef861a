/* test_check.c - the seccomp checker, rule by rule, on hand-written programs.
 *
 * Each case names the verdict the kernel gives (confirmed on 6.18 by
 * tests/kernel/test_check_kernel.c, which replays the interesting ones
 * against seccomp(2)) and, for rejections, the instruction index and rule id
 * the checker must report. */
#include "testlib.h"
#include "check.h"
#include "insn.h"
#include "progen.h"

#include <linux/filter.h>

#define ALLOW JITK_RET_ALLOW
#define RET_K(k) I(BPF_RET | BPF_K, 0, 0, k)
#define RET_A I(BPF_RET | BPF_A, 0, 0, 0)
#define LD_IMM(k) I(BPF_LD | BPF_IMM, 0, 0, k)
#define LD_ABS(k) I(BPF_LD | BPF_W | BPF_ABS, 0, 0, k)
#define LD_MEM(k) I(BPF_LD | BPF_MEM, 0, 0, k)
#define ST(k) I(BPF_ST, 0, 0, k)
#define JA(k) I(BPF_JMP | BPF_JA, 0, 0, k)
#define JEQ(k, t, f) I(BPF_JMP | BPF_JEQ | BPF_K, t, f, k)

/* Check insns[0..n) and compare with the expected outcome.  rule NULL means
 * accepted. */
static void expect_at(const jitk_insn *insns, size_t n, jitk_err err, long index, const char *rule, int line)
{
	jitk_diag d;
	memset(&d, 0x5a, sizeof d); /* the checker must overwrite everything it reports */
	jitk_err got = check_insns(insns, n, &d);
	if (got != err || (rule && (d.index != index || strcmp(d.rule, rule) != 0))) {
		print_error("line %d: expected %s at %ld [%s], got %s at %ld [%s]: %s\n", line,
			    jitk_strerror(err), index, rule ? rule : "", jitk_strerror(got), d.index,
			    d.rule, d.msg);
		fail();
	}
	assert_int_equal(d.err, err);
	if (err == JITK_OK) {
		assert_int_equal(d.index, -1);
		assert_string_equal(d.rule, "");
	} else {
		/* The message names the rule, and the instruction when there is one. */
		assert_non_null(strstr(d.msg, rule));
		if (index >= 0 && err == JITK_E_CHECK) {
			char want[32];
			snprintf(want, sizeof want, "instruction %ld", index);
			assert_non_null(strstr(d.msg, want));
		}
	}
	/* The result does not depend on whether a diagnostic is requested. */
	assert_int_equal(check_insns(insns, n, NULL), err);
}

#define EXPECT(err, index, rule, ...)                                                               \
	expect_at((const jitk_insn[]){ __VA_ARGS__ },                                               \
		  sizeof((const jitk_insn[]){ __VA_ARGS__ }) / sizeof(jitk_insn), err, index, rule, \
		  __LINE__)
#define ACCEPT(...) EXPECT(JITK_OK, -1, NULL, __VA_ARGS__)
#define REJECT(index, rule, ...) EXPECT(JITK_E_CHECK, index, rule, __VA_ARGS__)

static void accepts_basic(void **state)
{
	(void)state;
	ACCEPT(RET_K(ALLOW));
	ACCEPT(RET_A);
	ACCEPT(LD_ABS(0), JEQ(59, 0, 1), RET_K(ALLOW), RET_K(JITK_RET_KILL_PROCESS));
	/* RET with junk jt/jf, TAX/NEG/RET A with junk k: unused fields are not checked. */
	ACCEPT(I(BPF_MISC | BPF_TAX, 7, 9, 0xdeadbeef), I(BPF_ALU | BPF_NEG, 1, 1, 5),
	       I(BPF_RET | BPF_K, 0xff, 0xee, ALLOW));
	ACCEPT(I(BPF_RET | BPF_A, 3, 4, 99));
	/* Unreachable code is fine. */
	ACCEPT(RET_K(ALLOW), LD_IMM(1), RET_A);
	ACCEPT(RET_K(ALLOW), I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), RET_A);
	/* XOR is admitted by seccomp (MOD is not). */
	ACCEPT(I(BPF_ALU | BPF_XOR | BPF_K, 0, 0, 5), I(BPF_ALU | BPF_XOR | BPF_X, 0, 0, 0), RET_A);
	/* LEN, with any k (the kernel rewrites it to 64). */
	ACCEPT(I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), I(BPF_LDX | BPF_W | BPF_LEN, 0, 0, 12345), RET_A);
}

static void rejects_length(void **state)
{
	(void)state;
	jitk_diag d;
	assert_int_equal(check_insns(NULL, 0, &d), JITK_E_TOO_BIG);
	assert_string_equal(d.rule, "length");
	assert_int_equal(d.index, -1);

	static jitk_insn big[JITK_MAXINSNS + 1];
	for (size_t i = 0; i < JITK_MAXINSNS + 1; i++)
		big[i] = LD_IMM(i);
	big[JITK_MAXINSNS - 1] = RET_K(ALLOW);
	expect_at(big, JITK_MAXINSNS, JITK_OK, -1, NULL, __LINE__);
	big[JITK_MAXINSNS] = RET_K(ALLOW);
	expect_at(big, JITK_MAXINSNS + 1, JITK_E_TOO_BIG, JITK_MAXINSNS, "length", __LINE__);
	/* A jump across the whole 4096 program to the last instruction. */
	big[0] = JA(JITK_MAXINSNS - 2);
	expect_at(big, JITK_MAXINSNS, JITK_OK, -1, NULL, __LINE__);
	big[0] = JA(JITK_MAXINSNS - 1);
	expect_at(big, JITK_MAXINSNS, JITK_E_CHECK, 0, "jump-range", __LINE__);

	assert_int_equal(check_insns(NULL, 3, &d), JITK_E_INVAL);
}

static void rejects_opcodes(void **state)
{
	(void)state;
	REJECT(0, "opcode", I(0x0e, 0, 0, 0));                   /* RET|X */
	REJECT(1, "opcode", LD_IMM(1), I(0x8c, 0, 0, 0), RET_A); /* NEG|X */
	REJECT(0, "opcode", I(0x0120, 0, 0, 4), RET_A);          /* LD W ABS with a high bit */
	REJECT(2, "opcode", RET_K(0), RET_K(0), I(0xffff, 0, 0, 0), RET_K(0));
	/* The hint explains stray high bits. */
	jitk_diag d;
	const jitk_insn p[] = { I(0x8020, 0, 0, 4), RET_A };
	assert_int_equal(check_insns(p, 2, &d), JITK_E_CHECK);
	assert_non_null(strstr(d.hint, "LD_W_ABS"));

	/* Every 16-bit code: exactly the table's codes pass the opcode rule. */
	unsigned legal = 0;
	for (unsigned c = 0; c < 0x10000; c++) {
		jitk_insn q[2] = { I(c, 0, 0, 0), RET_K(0) };
		jitk_err e = check_insns(q, 2, &d);
		bool bad_code = e == JITK_E_CHECK && d.index == 0 && strcmp(d.rule, "opcode") == 0;
		assert_int_equal(bad_code, insn_op_of((uint16_t)c) < 0);
		legal += !bad_code;
	}
	assert_int_equal(legal, INSN__COUNT);
}

/* Every table opcode with harmless operands: accepted iff seccomp admits it. */
static void table_opcodes(void **state)
{
	(void)state;
	for (int op = 0; op < INSN__COUNT; op++) {
		const struct insn_info *ii = &insn_info[op];
		jitk_insn p[3] = { ST(0), I(ii->code, 0, 0, 0), RET_K(ALLOW) };
		switch (op) {
		case INSN_DIV_K:
		case INSN_MOD_K:
		case INSN_LSH_K:
		case INSN_RSH_K:
		case INSN_LD_H_ABS:
		case INSN_LD_B_ABS:
		case INSN_LDX_B_MSH: p[1].k = 1; break;
		case INSN_LD_W_ABS: p[1].k = 4; break;
		default: break;
		}
		if (ii->seccomp)
			expect_at(p, 3, JITK_OK, -1, NULL, __LINE__);
		else
			expect_at(p, 3, JITK_E_CHECK, 1, "seccomp-opcode", __LINE__);
	}
}

static void rejects_operands(void **state)
{
	(void)state;
	/* DIV/MOD by constant 0, a classic rule (so MOD by 0 is not "seccomp-opcode"). */
	ACCEPT(I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 1), I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0), RET_A);
	REJECT(0, "div-by-zero", I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), RET_A);
	REJECT(1, "div-by-zero", RET_K(0), I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 0), RET_A);
	REJECT(0, "seccomp-opcode", I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 7), RET_A);
	REJECT(0, "seccomp-opcode", I(BPF_ALU | BPF_MOD | BPF_X, 0, 0, 0), RET_A);
	/* Shifts by constants 0..31 only; X shifts are not checked. */
	ACCEPT(I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 31), I(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 0),
	       I(BPF_ALU | BPF_LSH | BPF_X, 0, 0, 99), RET_A);
	REJECT(0, "shift-range", I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32), RET_A);
	REJECT(1, "shift-range", LD_IMM(0), I(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 0xffffffff), RET_A);
	/* M[0..15]. */
	ACCEPT(ST(15), I(BPF_STX, 0, 0, 0), LD_MEM(15), I(BPF_LDX | BPF_MEM, 0, 0, 0), RET_A);
	REJECT(0, "mem-index", ST(16), RET_A);
	REJECT(0, "mem-index", I(BPF_STX, 0, 0, 0x80000000), RET_A);
	REJECT(1, "mem-index", ST(0), LD_MEM(16), RET_A);
	REJECT(1, "mem-index", ST(0), I(BPF_LDX | BPF_MEM, 0, 0, 16), RET_A);
}

static void rejects_jumps(void **state)
{
	(void)state;
	/* JA to exactly the last instruction, and one past. */
	ACCEPT(JA(1), RET_K(0), RET_K(ALLOW));
	REJECT(0, "jump-range", JA(2), RET_K(0), RET_K(ALLOW));
	REJECT(0, "jump-range", JA(0xffffffff), RET_K(0), RET_K(ALLOW));
	ACCEPT(RET_K(0), JA(0), RET_K(ALLOW));
	/* A jump as the last instruction is a jump-range error, found before the
	 * last-instruction rule. */
	REJECT(1, "jump-range", RET_K(0), JA(0));
	REJECT(1, "jump-range", RET_K(0), JEQ(0, 0, 0));
	/* Conditional targets, each checked. */
	ACCEPT(JEQ(1, 0, 0), RET_K(ALLOW));
	ACCEPT(JEQ(1, 2, 0), RET_K(0), RET_K(1), RET_K(ALLOW));
	ACCEPT(JEQ(1, 0, 2), RET_K(0), RET_K(1), RET_K(ALLOW));
	REJECT(0, "jump-range", JEQ(1, 3, 0), RET_K(0), RET_K(1), RET_K(ALLOW));
	REJECT(0, "jump-range", JEQ(1, 0, 3), RET_K(0), RET_K(1), RET_K(ALLOW));
	REJECT(0, "jump-range", I(BPF_JMP | BPF_JSET | BPF_X, 255, 255, 0), RET_K(ALLOW));
	REJECT(2, "jump-range", RET_K(0), JEQ(0, 0, 0), I(BPF_JMP | BPF_JGE | BPF_K, 1, 0, 0), RET_K(ALLOW));
	/* jt/jf reach 255 ahead at most. */
	static jitk_insn p[300];
	for (size_t i = 0; i < 300; i++)
		p[i] = RET_K(i);
	p[0] = I(BPF_JMP | BPF_JGT | BPF_X, 255, 255, 0);
	expect_at(p, 257, JITK_OK, -1, NULL, __LINE__);
	expect_at(p, 256, JITK_E_CHECK, 0, "jump-range", __LINE__);
}

static void rejects_ld_abs(void **state)
{
	(void)state;
	ACCEPT(LD_ABS(60), RET_A);
	ACCEPT(LD_ABS(0), RET_A);
	REJECT(0, "seccomp-load", LD_ABS(62), RET_A);
	REJECT(0, "seccomp-load", LD_ABS(64), RET_A);
	REJECT(0, "seccomp-load", LD_ABS(2), RET_A);
	REJECT(1, "seccomp-load", LD_IMM(0), LD_ABS(0x7ffffffc), RET_A);
	/* The ancillary area: unknown extensions are a classic error ... */
	REJECT(0, "ld-abs-range", LD_ABS(0xffffffff), RET_A);
	REJECT(0, "ld-abs-range", LD_ABS((uint32_t)SKF_AD_OFF + 2), RET_A);
	REJECT(0, "ld-abs-range", LD_ABS((uint32_t)SKF_AD_OFF + SKF_AD_MAX), RET_A);
	REJECT(0, "ld-abs-range", I(BPF_LD | BPF_B | BPF_ABS, 0, 0, 0xfffffff0), RET_A);
	/* ... known ones pass the classic check and fail seccomp's. */
	REJECT(0, "seccomp-load", LD_ABS((uint32_t)SKF_AD_OFF + SKF_AD_PROTOCOL), RET_A);
	REJECT(0, "seccomp-load", LD_ABS((uint32_t)SKF_AD_OFF + SKF_AD_VLAN_TPID), RET_A);
	REJECT(0, "seccomp-opcode", I(BPF_LD | BPF_H | BPF_ABS, 0, 0, (uint32_t)SKF_AD_OFF + 4), RET_A);
	/* Just below the ancillary area is classic-legal (a packet offset). */
	REJECT(0, "seccomp-load", LD_ABS((uint32_t)SKF_AD_OFF - 4), RET_A);
	/* Other packet loads are classic BPF only. */
	REJECT(0, "seccomp-opcode", I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), RET_A);
	REJECT(0, "seccomp-opcode", I(BPF_LD | BPF_W | BPF_IND, 0, 0, 0), RET_A);
	REJECT(0, "seccomp-opcode", I(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0), RET_A);
}

static void rejects_last_not_ret(void **state)
{
	(void)state;
	REJECT(0, "last-not-ret", LD_IMM(0));
	REJECT(1, "last-not-ret", RET_K(0), I(BPF_MISC | BPF_TAX, 0, 0, 0));
	REJECT(2, "last-not-ret", LD_ABS(0), RET_A, I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 3));
	jitk_diag d;
	const jitk_insn p[] = { LD_IMM(0) };
	assert_int_equal(check_insns(p, 1, &d), JITK_E_CHECK);
	assert_true(d.hint[0] != '\0');
}

static void rejects_mem_uninit(void **state)
{
	(void)state;
	ACCEPT(ST(0), LD_MEM(0), RET_A);
	REJECT(0, "mem-uninit", LD_MEM(0), RET_A);
	REJECT(1, "mem-uninit", ST(1), I(BPF_LDX | BPF_MEM, 0, 0, 0), RET_A);
	/* The kernel's strictness across RET: dead code after RET inherits the
	 * state before it. */
	REJECT(1, "mem-uninit", RET_K(ALLOW), LD_MEM(3), RET_A);
	ACCEPT(ST(3), RET_K(ALLOW), LD_MEM(3), RET_A);
	/* Reached only by a jump from before the store: rejected even though the
	 * store's fall-through ends in RET. */
	REJECT(4, "mem-uninit", LD_IMM(0), JEQ(0, 0, 2), ST(0), RET_K(0), LD_MEM(0), RET_A);
	/* Stored on one branch only. */
	REJECT(2, "mem-uninit", JEQ(0, 0, 1), ST(2), LD_MEM(2), RET_A);
	/* Stored on both branches. */
	ACCEPT(JEQ(0, 0, 2), ST(2), JA(1), I(BPF_STX, 0, 0, 2), LD_MEM(2), RET_A);
	/* Dead code right after a JA starts from "all stored": the kernel accepts. */
	ACCEPT(JA(1), LD_MEM(5), RET_K(ALLOW));
	/* A store before the jump flows to its target. */
	ACCEPT(ST(7), JA(1), RET_K(0), LD_MEM(7), RET_A);
}

/* The kernel's passes are ordered: every classic rule (any pc) beats
 * last-not-ret, which beats mem-uninit, which beats the seccomp whitelist. */
static void rules_in_kernel_order(void **state)
{
	(void)state;
	REJECT(1, "div-by-zero", LD_IMM(0), I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), I(0x0e, 0, 0, 0), RET_A);
	REJECT(2, "opcode", I(BPF_ALU | BPF_MOD | BPF_X, 0, 0, 0), LD_MEM(0), I(0xff, 0, 0, 0), RET_A);
	REJECT(2, "last-not-ret", I(BPF_ALU | BPF_MOD | BPF_X, 0, 0, 0), LD_MEM(0), LD_IMM(0));
	REJECT(1, "mem-uninit", I(BPF_ALU | BPF_MOD | BPF_X, 0, 0, 0), LD_MEM(0), RET_A);
	REJECT(2, "ld-abs-range", LD_ABS(64), I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), LD_ABS(0xfffff001),
	       RET_A);
	REJECT(0, "seccomp-load", LD_ABS(64), I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), RET_A);
}

static void public_entry(void **state)
{
	(void)state;
	jitk_diag d;
	assert_int_equal(jitk_check(NULL, &d), JITK_E_INVAL);
	jitk_filter *f = TEST_FILTER(RET_K(ALLOW));
	assert_int_equal(jitk_check(f, &d), JITK_OK);
	assert_int_equal(jitk_check(f, NULL), JITK_OK);
	jitk_filter_free(f);
	f = TEST_FILTER(LD_IMM(0), LD_MEM(0), RET_A);
	assert_int_equal(jitk_check(f, &d), JITK_E_CHECK);
	assert_int_equal(d.err, JITK_E_CHECK);
	assert_int_equal(d.index, 1);
	assert_string_equal(d.rule, "mem-uninit");
	assert_non_null(strstr(d.hint, "M[0]"));
	jitk_filter_free(f);
	assert_int_equal(jitk_filter_new(NULL, 0, &f), JITK_OK);
	assert_int_equal(jitk_check(f, &d), JITK_E_TOO_BIG);
	assert_string_equal(d.rule, "length");
	jitk_filter_free(f);
}

/* Check p[0..n), expect a rejection, and return the diagnostic. */
static jitk_diag refused(const jitk_insn *p, size_t n)
{
	jitk_diag d;
	memset(&d, 0, sizeof d);
	assert_int_equal(check_insns(p, n, &d), JITK_E_CHECK);
	return d;
}
#define REFUSED(...)                                \
	refused((const jitk_insn[]){ __VA_ARGS__ }, \
		sizeof((const jitk_insn[]){ __VA_ARGS__ }) / sizeof(jitk_insn))

/* The messages and hints say exactly what is wrong and where (the mutation
 * run of make mutate found each of these unchecked; docs/verify.md). */
static void messages_are_exact(void **state)
{
	(void)state;
	/* Op 0 (LD_IMM) is described by its table name like every other op. */
	jitk_diag d = REFUSED(RET_K(0), LD_IMM(5));
	assert_string_equal(d.rule, "last-not-ret");
	assert_non_null(strstr(d.msg, "instruction 1, LD_IMM (code 0x00, jt 0, jf 0, k 0x5)"));
	/* Stray high bits over a valid low byte, op 0 included; the two parts
	 * of the code are printed exactly. */
	d = REFUSED(I(0x0100, 0, 0, 0), RET_A);
	assert_string_equal(d.hint, "the low byte 0x00 is LD_IMM, but bits 0x0100 must be zero");
	d = REFUSED(I(0x8115, 0, 0, 0), RET_A);
	assert_string_equal(d.hint, "the low byte 0x15 is JEQ_K, but bits 0x8100 must be zero");
	/* Not a valid low byte either: the generic hint only. */
	d = REFUSED(I(0x01ff, 0, 0, 0), RET_A);
	assert_null(strstr(d.hint, "low byte"));
	/* Which conditional target is out of range, at the boundaries: the
	 * true target exactly one past the end, the false target past the end
	 * while the true one is the very last instruction. */
	jitk_insn p[10];
	for (size_t i = 0; i < 10; i++)
		p[i] = RET_K(0);
	p[0] = JEQ(0, 9, 0);
	d = refused(p, 10);
	assert_non_null(strstr(d.msg, "true target is past the last instruction"));
	p[0] = JEQ(0, 8, 200);
	d = refused(p, 10);
	assert_non_null(strstr(d.msg, "false target is past the last instruction"));
	p[8] = JEQ(0, 0, 1);
	d = refused(p, 10);
	assert_int_equal(d.index, 0);
	p[0] = RET_K(0);
	d = refused(p, 10);
	assert_int_equal(d.index, 8);
	assert_non_null(strstr(d.msg, "false target is past the last instruction"));
	/* The seccomp hints: MOD (K and X) vs the loads seccomp refuses. */
	d = REFUSED(I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 3), RET_A);
	assert_non_null(strstr(d.hint, "seccomp has no MOD"));
	d = REFUSED(I(BPF_ALU | BPF_MOD | BPF_X, 0, 0, 0), RET_A);
	assert_non_null(strstr(d.hint, "seccomp has no MOD"));
	d = REFUSED(I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), RET_A);
	assert_non_null(strstr(d.hint, "no byte/half/indirect loads"));
	/* The word-load message at the first offset past the struct. */
	d = REFUSED(LD_ABS(64), RET_A);
	assert_non_null(strstr(d.msg, "outside the 64-byte seccomp_data"));
	d = REFUSED(LD_ABS(62), RET_A);
	assert_non_null(strstr(d.msg, "not a multiple of 4"));
	/* A NULL program of one instruction is refused before it is read. */
	assert_int_equal(check_insns(NULL, 1, &d), JITK_E_INVAL);
	assert_int_equal(check_insns(NULL, 1, NULL), JITK_E_INVAL);
}

/* progen (tests/support): deterministic, PROGEN_VALID output always passes
 * the checker, PROGEN_EDGES reaches every rule.  (The kernel test confirms
 * both against seccomp(2).) */
static void progen_contract(void **state)
{
	(void)state;
	static jitk_insn a[PROGEN_MAXLEN], b[PROGEN_MAXLEN];
	rng_t r1, r2;
	uint64_t seed = test_seed(7);
	rng_seed(&r1, seed);
	rng_seed(&r2, seed);
	for (int i = 0; i < 200; i++) {
		size_t n = progen(&r1, PROGEN_EDGES, a, PROGEN_MAXLEN);
		assert_int_equal(progen(&r2, PROGEN_EDGES, b, PROGEN_MAXLEN), n);
		assert_memory_equal(a, b, n * sizeof a[0]);
	}
	/* cap is respected */
	for (int i = 0; i < 200; i++)
		assert_true(progen(&r1, PROGEN_EDGES, a, 5) <= 5);
	assert_int_equal(progen_len(&r1, PROGEN_VALID, a, 17), 17);

	const char *rules[] = { "length",     "opcode",         "div-by-zero",  "shift-range",
				"mem-index",  "jump-range",     "ld-abs-range", "last-not-ret",
				"mem-uninit", "seccomp-opcode", "seccomp-load" };
	unsigned long seen[11] = { 0 }, accepted = 0;
	unsigned long count = test_scaled(3000);
	for (unsigned long i = 0; i < count; i++) {
		jitk_diag d;
		size_t n = progen(&r1, PROGEN_VALID, a, PROGEN_MAXLEN);
		if (check_insns(a, n, &d) != JITK_OK) {
			print_error("PROGEN_VALID program %lu rejected: %s\n", i, d.msg);
			fail();
		}
		n = progen(&r1, PROGEN_EDGES, a, PROGEN_MAXLEN);
		if (check_insns(a, n, &d) == JITK_OK) {
			accepted++;
			continue;
		}
		for (size_t j = 0; j < 11; j++)
			seen[j] += strcmp(d.rule, rules[j]) == 0;
	}
	assert_true(accepted > count / 4 && accepted < count * 3 / 4);
	for (size_t j = 0; j < 11; j++)
		if (!seen[j])
			fail_msg("PROGEN_EDGES never reached rule %s", rules[j]);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_basic),
		cmocka_unit_test(rejects_length),
		cmocka_unit_test(rejects_opcodes),
		cmocka_unit_test(table_opcodes),
		cmocka_unit_test(rejects_operands),
		cmocka_unit_test(rejects_jumps),
		cmocka_unit_test(rejects_ld_abs),
		cmocka_unit_test(rejects_last_not_ret),
		cmocka_unit_test(rejects_mem_uninit),
		cmocka_unit_test(rules_in_kernel_order),
		cmocka_unit_test(public_entry),
		cmocka_unit_test(messages_are_exact),
		cmocka_unit_test(progen_contract),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
