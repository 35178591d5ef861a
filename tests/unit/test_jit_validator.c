/* test_jit_validator.c - the JIT image validator refuses corrupted images.
 *
 * Two sources of images: real ones from the emitter (jit_generate), which
 * must be accepted and are then corrupted one way at a time, and small
 * hand-assembled ones, where a foreign instruction is spliced in. */
#include "testlib.h"
#include "insn.h"
#include "jit_check.h"
#include "jit_x86.h"
#include "smt_x86.h"
#include "z3test.h"

#include <linux/filter.h>

#define RETA I(BPF_RET | BPF_A, 0, 0, 0)
#define RETK(k) I(BPF_RET | BPF_K, 0, 0, k)

/* ------------------------------------------------------------ helpers */

struct image {
	const jitk_insn *insns;
	size_t n;
	uint8_t *code;
	size_t len;
	uint32_t *offs;
};

static void gen(struct image *im, const jitk_insn *insns, size_t n)
{
	im->insns = insns;
	im->n = n;
	jitk_diag d;
	jitk_err err = jit_generate(insns, n, &im->code, &im->len, &im->offs, &d);
	if (err)
		fail_msg("jit_generate: %s", d.msg);
}

static void image_free(struct image *im)
{
	free(im->code);
	free(im->offs);
}

/* Validate; return the error and copy the rule into rule (if non-NULL). */
static jitk_err validate(const struct image *im, char *rule)
{
	jitk_diag d;
	jitk_err err = jit_check_image(im->insns, im->n, im->code, im->len, im->offs, im->n + 1, NULL, &d);
	if (rule)
		strcpy(rule, err ? d.rule : "");
	if (err) {
		assert_int_equal(err, JITK_E_JIT);
		assert_true(d.msg[0] != '\0');
		/* jitk_diag's contract: an instruction index, or -1 for none. */
		assert_true(d.index >= -1 && d.index < (long)im->n);
	}
	return err;
}

static void expect_refused(const struct image *im, const char *want_rule)
{
	char rule[64];
	jitk_err err = validate(im, rule);
	if (err == JITK_OK)
		fail_msg("validator accepted a corrupted image (expected rule %s)", want_rule);
	if (want_rule && strcmp(rule, want_rule) != 0)
		fail_msg("refused with rule '%s', expected '%s'", rule, want_rule);
}

/* A program with every kind of branch the JIT emits (conditional with both
 * targets, jt only, jf only, jt == jf, JA, DIV X guard), far and near. */
static size_t branchy_program(jitk_insn *p)
{
	size_t n = 0;
	p[n++] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0);
	p[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 2, 5, 1);   /* both */
	p[n++] = I(BPF_JMP | BPF_JGT | BPF_K, 0, 40, 10); /* jf only, far */
	p[n++] = I(BPF_JMP | BPF_JGE | BPF_X, 1, 0, 0);   /* jt only */
	p[n++] = I(BPF_JMP | BPF_JSET | BPF_K, 1, 1, 4);  /* same target */
	p[n++] = I(BPF_JMP | BPF_JA, 0, 0, 1);
	p[n++] = I(BPF_LDX | BPF_IMM, 0, 0, 3);
	p[n++] = I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0);
	p[n++] = I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 7);
	for (int i = 0; i < 40; i++)
		p[n++] = I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, (uint32_t)i);
	p[n++] = RETA;
	p[n++] = RETK(0x7fff0000u);
	return n;
}

struct branch {
	size_t pos, len;
}; /* a decoded branch in an emitted image */

/* Bytes of the compare that starts the code of a conditional jump:
 * cmp/test eax, ecx (2), cmp eax, imm8 (3), cmp/test eax, imm32 (6). */
static size_t compare_len(const uint8_t *c)
{
	return c[0] == 0x83 ? 3 : c[0] == 0x81 || c[0] == 0xf7 ? 6 : 2;
}

/* The branches of an emitted image, from the emitter's known layout: a
 * conditional jump is a compare followed by jumps, JA a jump, DIV X is
 * test (2), je, xor (2), div (2).  (branchy_program has no jump to a RET,
 * so no RET copies or selects.) */
static size_t find_branches(const struct image *im, struct branch *out, size_t cap)
{
	size_t nb = 0;
	for (size_t pc = 0; pc < im->n; pc++) {
		uint16_t c = im->insns[pc].code;
		size_t p = im->offs[pc], end = im->offs[pc + 1];
		if (c == (BPF_ALU | BPF_DIV | BPF_X)) {
			p += 2;   /* test ecx, ecx */
			end -= 4; /* xor edx, edx; div ecx */
		} else if (!INSN_IS_JUMP(c)) {
			continue;
		} else if (INSN_IS_COND(c) && im->insns[pc].jt != im->insns[pc].jf) {
			p += compare_len(im->code + p);
		}
		while (p < end && nb < cap) {
			size_t l = im->code[p] == 0xeb || (im->code[p] >= 0x70 && im->code[p] <= 0x7f) ? 2
				   : im->code[p] == 0xe9                                               ? 5
												       : 6;
			out[nb++] = (struct branch){ p, l };
			p += l;
		}
	}
	return nb;
}

/* Add delta to the displacement of the branch b. */
static void shift_disp(struct image *im, struct branch b, int delta)
{
	if (b.len == 2) {
		im->code[b.pos + 1] = (uint8_t)((int8_t)im->code[b.pos + 1] + delta);
	} else {
		int32_t disp;
		memcpy(&disp, im->code + b.pos + b.len - 4, 4);
		disp += delta;
		memcpy(im->code + b.pos + b.len - 4, &disp, 4);
	}
}

/* ------------------------------------------------------------ hand-made */

/* Assemble prologue + one chunk per BPF instruction + trailer, frame F
 * (F == 0: the frameless form, no sub rsp / add rsp at all). */
struct handmade {
	uint8_t code[512];
	size_t len;
	uint32_t offs[16];
};

static void put(struct handmade *h, const char *hex)
{
	for (const char *s = hex; *s;) {
		if (*s == ' ') {
			s++;
			continue;
		}
		unsigned v;
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		h->code[h->len++] = (uint8_t)v;
		s += 2;
	}
}

static void handmade(struct handmade *h, unsigned frame, const char *const *chunks, size_t n)
{
	char buf[32];
	h->len = 0;
	if (frame) {
		snprintf(buf, sizeof buf, "48 83 ec %02x", frame);
		put(h, buf);
	}
	put(h, "31 c0 31 c9");
	for (size_t i = 0; i < n; i++) {
		h->offs[i] = (uint32_t)h->len;
		put(h, chunks[i]);
	}
	h->offs[n] = (uint32_t)h->len;
	if (frame) {
		snprintf(buf, sizeof buf, "31 c0 48 83 c4 %02x c3", frame);
		put(h, buf);
	} else {
		put(h, "31 c0 c3");
	}
}

/* check_handmade must refuse with exactly this rule. */
#define REFUSED(h, insns, n, want)                                                                   \
	do {                                                                                         \
		char rule_[64];                                                                      \
		if (check_handmade(h, insns, n, rule_) != JITK_E_JIT || strcmp(rule_, want))         \
			fail_msg("line %d: expected refusal '%s', got '%s'", __LINE__, want, rule_); \
	} while (0)
#define ACCEPTED(h, insns, n)                                                    \
	do {                                                                     \
		char rule_[64];                                                  \
		if (check_handmade(h, insns, n, rule_) != JITK_OK)               \
			fail_msg("line %d: refused with '%s'", __LINE__, rule_); \
	} while (0)

static jitk_err check_handmade(const struct handmade *h, const jitk_insn *insns, size_t n, char *rule)
{
	jitk_diag d;
	jitk_err err = jit_check_image(insns, n, h->code, h->len, h->offs, n + 1, NULL, &d);
	strcpy(rule, err ? d.rule : "");
	/* jitk_diag's contract: an instruction index, or -1 for none (the
	 * image-wide rules: prologue, boundary, length, opcodes). */
	if (err)
		assert_true(d.index >= -1 && d.index < (long)n);
	return err;
}

/* ------------------------------------------------------------ tests */

static jitk_err check_handmade(const struct handmade *h, const jitk_insn *insns, size_t n, char *rule);

static void accepts_emitted_images(void **state)
{
	(void)state;
	static jitk_insn p[64];
	struct image im;
	size_t n = branchy_program(p);
	gen(&im, p, n);
	assert_int_equal(validate(&im, NULL), JITK_OK);
	image_free(&im);
	/* Handmade baseline: ld #5; ret a (frame 64), also frame 124, the
	 * largest that sub rsp, imm8 can express. */
	const jitk_insn q[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETA };
	const char *chunks[] = { "b8 05 00 00 00", "48 83 c4 40 c3" };
	struct handmade h;
	char rule[64];
	handmade(&h, 64, chunks, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_OK);
	const char *chunks124[] = { "b8 05 00 00 00", "48 83 c4 7c c3" };
	handmade(&h, 124, chunks124, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_OK);
}

/* Every branch displacement off by +-1 (and +-2) is refused: it no longer
 * lands on the first byte of its BPF target's code. */
static void refuses_shifted_displacements(void **state)
{
	(void)state;
	static jitk_insn p[64];
	size_t n = branchy_program(p);
	struct image im;
	gen(&im, p, n);
	struct branch br[32];
	size_t nb = find_branches(&im, br, 32);
	assert_int_equal(nb, 7); /* JEQ 2, JGT 1, JGE 1, JSET 1, JA 1, DIV X 1 */
	bool saw_short = false, saw_long = false;
	for (size_t i = 0; i < nb; i++) {
		saw_short |= br[i].len == 2;
		saw_long |= br[i].len > 2;
		for (int delta = -2; delta <= 2; delta++) {
			if (delta == 0)
				continue;
			shift_disp(&im, br[i], delta);
			/* Mid-instruction or elsewhere: branch-target; onto the
			 * code of the other successor: branch-cond. */
			char rule[64];
			assert_int_equal(validate(&im, rule), JITK_E_JIT);
			if (strcmp(rule, "branch-target") && strcmp(rule, "branch-cond"))
				fail_msg("branch %zu shifted by %d: rule %s", i, delta, rule);
			shift_disp(&im, br[i], -delta);
		}
	}
	assert_true(saw_short && saw_long);
	assert_int_equal(validate(&im, NULL), JITK_OK);
	image_free(&im);
}

/* A branch that lands on an instruction boundary of the wrong BPF target,
 * or on the trailer from a non-DIV instruction, is refused too. */
static void refuses_wrong_target(void **state)
{
	(void)state;
	/* jeq #1, jt 1 (jf 0): the jcc must go to pc 3; send it to pc 2. */
	const jitk_insn p[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0), I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
				RETK(1), RETK(2) };
	struct image im;
	gen(&im, p, 4);
	assert_int_equal(validate(&im, NULL), JITK_OK);
	size_t at = im.offs[1] + 3; /* after cmp eax, imm8 */
	assert_int_equal(im.code[im.offs[1]], 0x83);
	assert_int_equal(im.code[at], 0x74);
	uint8_t saved = im.code[at + 1];
	/* To pc 2: the code of a BPF successor, but the one for "not equal". */
	im.code[at + 1] = 0;
	expect_refused(&im, "branch-cond");
	/* Same target, condition negated (jne): swaps the outcomes. */
	im.code[at + 1] = saved;
	im.code[at] = 0x75;
	expect_refused(&im, "branch-cond");
	im.code[at] = 0x77; /* ja: not the condition of JEQ */
	expect_refused(&im, "branch-cond");
	im.code[at] = 0x74;
	/* The compare against another constant. */
	im.code[im.offs[1] + 2] ^= 1;
	expect_refused(&im, "branch-cond");
	im.code[im.offs[1] + 2] ^= 1;
	assert_int_equal(validate(&im, NULL), JITK_OK);
	im.code[at + 1] = (uint8_t)(im.offs[4] - (at + 2)); /* to the trailer */
	expect_refused(&im, "branch-target");
	im.code[at + 1] = saved;
	assert_int_equal(validate(&im, NULL), JITK_OK);
	image_free(&im);
}

/* Foreign instructions spliced into a well-formed image. */
static void refuses_foreign_instructions(void **state)
{
	(void)state;
	const jitk_insn q[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETA };
	/* clang-format off */
	const char *foreign[] = {
		"e8 00 00 00 00",  /* call rel32 */
		"ff d0",           /* call rax */
		"ff e0",           /* jmp rax */
		"ff 24 24",        /* jmp [rsp] */
		"0f 05",           /* syscall */
		"0f 34",           /* sysenter */
		"cd 80",           /* int 0x80 */
		"cc",              /* int3 */
		"f4",              /* hlt */
		"50",              /* push rax */
		"5c",              /* pop rsp */
		"c2 00 00",        /* ret imm16 */
		"48 89 c4",        /* mov rsp, rax */
		"89 c4",           /* mov esp, eax */
		"89 c7",           /* mov edi, eax */
		"89 c3",           /* mov ebx, eax (callee-saved) */
		"bb 01 00 00 00",  /* mov ebx, 1 */
		"89 07",           /* mov [rdi], eax: writes the input */
		"8b 00",           /* mov eax, [rax] */
		"8b 44 8c 04",     /* mov eax, [rsp + rcx*4 + 4]: indexed */
		"66 90",           /* prefixed nop */
		"90",              /* nop: not in the subset either */
		"f7 f8",           /* idiv eax */
		"f7 e1",           /* mul ecx */
		"0f 0b",           /* ud2 */
		"e2 fe",           /* loop */
		"e3 00",           /* jrcxz */
		"70 00",           /* jo: condition the JIT never uses */
		"0f 8f 00 00 00 00", /* jg rel32: signed, never used */
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
		struct handmade h;
		char rule[64];
		const char *chunks[] = { foreign[i], "48 83 c4 40 c3" };
		handmade(&h, 64, chunks, 2);
		jitk_err err = check_handmade(&h, q, 2, rule);
		if (err != JITK_E_JIT || strcmp(rule, "native-opcode") != 0)
			fail_msg("foreign '%s' gave err %d rule '%s'", foreign[i], err, rule);
	}
}

/* Frame: oversized, changed twice, not released, accesses outside. */
static void refuses_bad_frames(void **state)
{
	(void)state;
	struct handmade h;
	char rule[64];
	const jitk_insn q[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETA };
	const char *ok[] = { "b8 05 00 00 00", "48 83 c4 40 c3" };

	/* imm8 0x80 / 0x84 / 0xf0: the CPU sign-extends, so these would ADD
	 * 128 / 124 / 16 bytes to rsp and the "frame" would overwrite the
	 * caller's stack. */
	const char *neg[] = { "b8 05 00 00 00", "48 83 c4 80 c3" };
	handmade(&h, 0x80, neg, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "frame");
	const char *big[] = { "b8 05 00 00 00", "48 83 c4 84 c3" };
	handmade(&h, 0x84, big, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "frame");
	const char *huge[] = { "b8 05 00 00 00", "48 83 c4 f0 c3" };
	handmade(&h, 0xf0, huge, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "frame");

	/* Release of a different size than allocated. */
	const char *unbalanced[] = { "b8 05 00 00 00", "48 83 c4 48 c3" };
	handmade(&h, 64, unbalanced, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "frame");

	/* A second sub rsp in the body. */
	const char *twice[] = { "48 83 ec 08 b8 05 00 00 00", "48 83 c4 40 c3" };
	handmade(&h, 64, twice, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "frame");

	/* ret without add rsp first. */
	const char *noadd[] = { "b8 05 00 00 00", "c3" };
	handmade(&h, 64, noadd, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "frame");

	/* Stack accesses: [rsp+60] is the last cell of 64 bytes; [rsp+64] is
	 * the return address; [rsp-4] is below the frame. */
	const jitk_insn st[] = { I(BPF_ST, 0, 0, 15), RETA };
	const char *last[] = { "89 44 24 3c", "48 83 c4 40 c3" };
	handmade(&h, 64, last, 2);
	assert_int_equal(check_handmade(&h, st, 2, rule), JITK_OK);
	const char *past[] = { "89 44 24 40", "48 83 c4 40 c3" };
	handmade(&h, 64, past, 2);
	assert_int_equal(check_handmade(&h, st, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "stack-access");
	const char *straddle[] = { "89 44 24 3e", "48 83 c4 40 c3" };
	handmade(&h, 64, straddle, 2);
	assert_int_equal(check_handmade(&h, st, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "stack-access");
	const char *below[] = { "8b 44 24 fc", "48 83 c4 40 c3" };
	handmade(&h, 64, below, 2);
	assert_int_equal(check_handmade(&h, st, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "stack-access");

	/* Context reads: [rdi+60] fine, [rdi+62] and [rdi+64] outside. */
	const jitk_insn ld[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 60), RETA };
	const char *ctx_ok[] = { "8b 47 3c", "48 83 c4 40 c3" };
	handmade(&h, 64, ctx_ok, 2);
	assert_int_equal(check_handmade(&h, ld, 2, rule), JITK_OK);
	const char *ctx_bad[] = { "8b 47 40", "48 83 c4 40 c3" };
	handmade(&h, 64, ctx_bad, 2);
	assert_int_equal(check_handmade(&h, ld, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "ctx-access");
	const char *ctx_neg[] = { "8b 47 f8", "48 83 c4 40 c3" };
	handmade(&h, 64, ctx_neg, 2);
	assert_int_equal(check_handmade(&h, ld, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "ctx-access");

	/* A wrong prologue: A or X not zeroed. */
	handmade(&h, 64, ok, 2);
	h.code[4] = 0x90; /* xor eax, eax -> nop, nop */
	h.code[5] = 0x90;
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	handmade(&h, 64, ok, 2);
	h.code[7] = 0xc0; /* xor ecx, ecx -> xor eax, eax */
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "prologue");
}

/* Missing ret: a RET whose code falls through, a trailer without ret, a
 * ret inside a non-RET instruction. */
static void refuses_missing_or_misplaced_ret(void **state)
{
	(void)state;
	struct handmade h;
	char rule[64];
	const jitk_insn q[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETK(9) };
	const char *noret[] = { "b8 05 00 00 00", "b8 09 00 00 00" };
	handmade(&h, 64, noret, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "fallthrough");

	/* The trailer with its ret cut off. */
	const char *ok[] = { "b8 05 00 00 00", "b8 09 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, ok, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_OK);
	h.len--;
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "trailer");

	/* Returning early from the code of `ld #5`. */
	const char *early[] = { "48 83 c4 40 c3", "b8 09 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, early, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "ret");

	/* A jump inside a non-jump instruction. */
	const char *jmp[] = { "eb 00", "b8 09 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, jmp, 2);
	assert_int_equal(check_handmade(&h, q, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "branch-target");

	/* A backward jump (a loop): jmp -2 onto itself. */
	const jitk_insn ja[] = { I(BPF_JMP | BPF_JA, 0, 0, 0), RETK(9) };
	const char *loop[] = { "eb fe", "b8 09 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, loop, 2);
	assert_int_equal(check_handmade(&h, ja, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "branch-target");

	/* A conditional with both targets far that falls through instead of
	 * jumping to its false target. */
	const jitk_insn c[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0), RETK(1), RETK(2), RETK(3) };
	const char *nofalse[] = { "81 f8 00 00 00 00 74 0a", "b8 01 00 00 00 48 83 c4 40 c3",
				  "b8 02 00 00 00 48 83 c4 40 c3", "b8 03 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, nofalse, 4);
	assert_int_equal(check_handmade(&h, c, 4, rule), JITK_E_JIT);
	assert_string_equal(rule, "fallthrough");
	/* jeq with its two branches both to the true target. */
	const char *bothtrue[] = { "81 f8 00 00 00 00 74 0c eb 0a", "b8 01 00 00 00 48 83 c4 40 c3",
				   "b8 02 00 00 00 48 83 c4 40 c3", "b8 03 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, bothtrue, 4);
	assert_int_equal(check_handmade(&h, c, 4, rule), JITK_E_JIT);
	assert_string_equal(rule, "branch-cond");
	/* An instruction between the compare and the branch. */
	const char *between[] = { "81 f8 00 00 00 00 89 c1 74 0c eb 14", "b8 01 00 00 00 48 83 c4 40 c3",
				  "b8 02 00 00 00 48 83 c4 40 c3", "b8 03 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, between, 4);
	assert_int_equal(check_handmade(&h, c, 4, rule), JITK_E_JIT);
	assert_string_equal(rule, "branch-cond");
	/* RET K returning another constant, RET A clobbering eax. */
	const char *wrongk[] = { "81 f8 00 00 00 00 74 0c eb 14", "b8 01 00 00 00 48 83 c4 40 c3",
				 "b8 02 00 00 00 48 83 c4 40 c3", "b8 00 00 ff 7f 48 83 c4 40 c3" };
	handmade(&h, 64, wrongk, 4);
	assert_int_equal(check_handmade(&h, c, 4, rule), JITK_E_JIT);
	assert_string_equal(rule, "ret-value");
	const jitk_insn ra[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETA };
	const char *clobber[] = { "b8 05 00 00 00", "b8 00 00 ff 7f 48 83 c4 40 c3" };
	handmade(&h, 64, clobber, 2);
	assert_int_equal(check_handmade(&h, ra, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "ret-value");
	const char *withfalse[] = { "81 f8 00 00 00 00 74 0c eb 14", "b8 01 00 00 00 48 83 c4 40 c3",
				    "b8 02 00 00 00 48 83 c4 40 c3", "b8 03 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, withfalse, 4);
	assert_int_equal(check_handmade(&h, c, 4, rule), JITK_OK);
}

/* DIV must keep its guards. */
static void refuses_unguarded_div(void **state)
{
	(void)state;
	struct handmade h;
	char rule[64];
	const jitk_insn dk[] = { I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 3), RETA };
	const char *good_k[] = { "be 03 00 00 00 31 d2 f7 f6", "48 83 c4 40 c3" };
	handmade(&h, 64, good_k, 2);
	assert_int_equal(check_handmade(&h, dk, 2, rule), JITK_OK);
	const char *zero_k[] = { "be 00 00 00 00 31 d2 f7 f6", "48 83 c4 40 c3" };
	handmade(&h, 64, zero_k, 2);
	assert_int_equal(check_handmade(&h, dk, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "div-guard");
	const char *no_edx[] = { "be 03 00 00 00 f7 f6", "48 83 c4 40 c3" };
	handmade(&h, 64, no_edx, 2);
	assert_int_equal(check_handmade(&h, dk, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "div-guard");

	const jitk_insn dx[] = { I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0), RETA };
	/* test ecx, ecx; je trailer (+9: xor, div, add rsp, ret = 2+2+5); ... */
	const char *good_x[] = { "85 c9 74 09 31 d2 f7 f1", "48 83 c4 40 c3" };
	handmade(&h, 64, good_x, 2);
	assert_int_equal(check_handmade(&h, dx, 2, rule), JITK_OK);
	const char *no_test[] = { "85 c0 74 09 31 d2 f7 f1", "48 83 c4 40 c3" }; /* tests eax */
	handmade(&h, 64, no_test, 2);
	assert_int_equal(check_handmade(&h, dx, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "div-guard");
	const char *jne[] = { "85 c9 75 09 31 d2 f7 f1", "48 83 c4 40 c3" }; /* jne */
	handmade(&h, 64, jne, 2);
	assert_int_equal(check_handmade(&h, dx, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "div-guard");
	const char *nojump[] = { "85 c9 31 d2 f7 f1", "48 83 c4 40 c3" };
	handmade(&h, 64, nojump, 2);
	assert_int_equal(check_handmade(&h, dx, 2, rule), JITK_E_JIT);
	assert_string_equal(rule, "div-guard");
	/* div ecx where the BPF instruction is DIV K. */
	handmade(&h, 64, good_x, 2);
	assert_int_equal(check_handmade(&h, dk, 2, rule), JITK_E_JIT);
}

/* Truncated images: every cut is refused. */
static void refuses_truncated_images(void **state)
{
	(void)state;
	static jitk_insn p[64];
	size_t n = branchy_program(p);
	struct image im;
	gen(&im, p, n);
	size_t full = im.len;
	for (size_t cut = 1; cut < full; cut++) {
		im.len = full - cut;
		char rule[64];
		assert_int_equal(validate(&im, rule), JITK_E_JIT);
	}
	im.len = full;
	assert_int_equal(validate(&im, NULL), JITK_OK);
	image_free(&im);
}

/* Every offset-table entry off by +-1 is refused, and so is a table of the
 * wrong size. */
static void refuses_bad_offset_tables(void **state)
{
	(void)state;
	static jitk_insn p[64];
	size_t n = branchy_program(p);
	struct image im;
	gen(&im, p, n);
	for (size_t i = 0; i <= n; i++) {
		for (int delta = -1; delta <= 1; delta += 2) {
			im.offs[i] += (uint32_t)delta;
			char rule[64];
			assert_int_equal(validate(&im, rule), JITK_E_JIT);
			im.offs[i] -= (uint32_t)delta;
		}
	}
	jitk_diag d;
	assert_int_equal(jit_check_image(im.insns, n, im.code, im.len, im.offs, n, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "offset-table");
	/* A table for a different (shorter) program. */
	assert_int_equal(jit_check_image(im.insns, n - 1, im.code, im.len, im.offs, n, NULL, &d), JITK_E_JIT);
	assert_int_equal(jit_check_image(NULL, n, im.code, im.len, im.offs, n + 1, NULL, &d), JITK_E_INVAL);
	/* Each table rule by its own rule and index: no program, the first
	 * entry not below the second, the last at the image's end. */
	assert_int_equal(jit_check_image(im.insns, 0, im.code, im.len, im.offs, 1, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "length");
	assert_int_equal(d.index, -1);
	assert_int_equal(jit_check_image(im.insns, JITK_MAXINSNS + 1, im.code, im.len, im.offs, n + 1, NULL,
					 &d),
			 JITK_E_JIT);
	assert_string_equal(d.rule, "length");
	uint32_t o0 = im.offs[0], o1 = im.offs[1], on = im.offs[n];
	im.offs[0] = o1;
	assert_int_equal(jit_check_image(im.insns, n, im.code, im.len, im.offs, n + 1, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "offset-table");
	assert_int_equal(d.index, 0);
	char want[128];
	snprintf(want, sizeof want, "offset table not increasing at 0 (%u >= %u)", o1, o1);
	assert_string_equal(d.msg, want);
	im.offs[0] = o0;
	im.offs[n] = (uint32_t)im.len;
	assert_int_equal(jit_check_image(im.insns, n, im.code, im.len, im.offs, n + 1, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "offset-table");
	assert_int_equal(d.index, -1);
	im.offs[n] = on;
	assert_int_equal(validate(&im, NULL), JITK_OK);
	image_free(&im);
}

/* The image must match the program: validating against a different BPF
 * program (other jump targets) is refused. */
static void refuses_other_program(void **state)
{
	(void)state;
	static jitk_insn p[64];
	size_t n = branchy_program(p);
	struct image im;
	gen(&im, p, n);
	static jitk_insn q[64];
	memcpy(q, p, n * sizeof *p);
	q[1].jf = 4; /* JEQ's false target moves by one */
	im.insns = q;
	expect_refused(&im, "branch-target");
	memcpy(q, p, n * sizeof *p);
	q[n - 2] = I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 0); /* a RET is no longer a RET */
	expect_refused(&im, "ret");
	image_free(&im);
}

/* Random byte corruption never crashes the validator (ASan checks the
 * reads); most corruptions are refused. */
static void random_corruption(void **state)
{
	(void)state;
	static jitk_insn p[64];
	size_t n = branchy_program(p);
	struct image im;
	gen(&im, p, n);
	uint8_t *orig = malloc(im.len);
	assert_non_null(orig);
	memcpy(orig, im.code, im.len);
	rng_t r;
	rng_seed(&r, test_seed(7));
	unsigned long iters = test_scaled(20000), refused = 0;
	for (unsigned long it = 0; it < iters; it++) {
		unsigned k = 1 + rng_below(&r, 3);
		for (unsigned i = 0; i < k; i++)
			im.code[rng_below(&r, (uint32_t)im.len)] = (uint8_t)rng_u32(&r);
		refused += validate(&im, NULL) != JITK_OK;
		memcpy(im.code, orig, im.len);
	}
	print_message("random corruption: %lu of %lu refused\n", refused, iters);
	assert_true(refused > iters / 2);
	free(orig);
	image_free(&im);
}

/* Frameless images (no M[] in the program): accepted exactly, and any use
 * of the stack, or a frame release that was never allocated, is refused. */
static void frameless_images(void **state)
{
	(void)state;
	struct handmade h;
	const jitk_insn q[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETA };
	const char *ok[] = { "b8 05 00 00 00", "c3" };
	handmade(&h, 0, ok, 2);
	ACCEPTED(&h, q, 2);
	struct jit_check_info info;
	assert_int_equal(jit_check_image(q, 2, h.code, h.len, h.offs, 3, &info, NULL), JITK_OK);
	assert_int_equal(info.frame, 0);
	assert_int_equal(info.native_insns, 6); /* xor, xor, mov, ret, xor, ret */

	/* Touching the stack without a frame: [rsp] holds the return address,
	 * [rsp + 8] and up belong to the caller. */
	const jitk_insn st[] = { I(BPF_ST, 0, 0, 0), RETA };
	const char *store0[] = { "89 44 24 00", "c3" };
	handmade(&h, 0, store0, 2);
	REFUSED(&h, st, 2, "stack-access");
	const char *store8[] = { "89 44 24 08", "c3" };
	handmade(&h, 0, store8, 2);
	REFUSED(&h, st, 2, "stack-access");
	const char *load0[] = { "8b 4c 24 00", "c3" };
	handmade(&h, 0, load0, 2);
	REFUSED(&h, st, 2, "stack-access");
	const char *below[] = { "89 44 24 fc", "c3" };
	handmade(&h, 0, below, 2);
	REFUSED(&h, st, 2, "stack-access");

	/* Releasing a frame that does not exist (rsp would move up into the
	 * caller's frame and ret would jump to whatever lies there). */
	const char *release[] = { "b8 05 00 00 00", "48 83 c4 40 c3" };
	handmade(&h, 0, release, 2);
	REFUSED(&h, q, 2, "frame");
	const char *release0[] = { "b8 05 00 00 00", "48 83 c4 00 c3" };
	handmade(&h, 0, release0, 2);
	REFUSED(&h, q, 2, "frame");
	/* A frameless trailer in a framed image and the reverse. */
	const char *framed[] = { "b8 05 00 00 00", "48 83 c4 40 c3" };
	handmade(&h, 64, framed, 2);
	ACCEPTED(&h, q, 2);
	h.len -= 7;
	put(&h, "31 c0 c3"); /* trailer without add rsp */
	REFUSED(&h, q, 2, "trailer");
	handmade(&h, 0, ok, 2);
	h.len -= 3;
	put(&h, "31 c0 48 83 c4 40 c3");
	REFUSED(&h, q, 2, "trailer");
	/* A frameless RET in a framed image: ret without the release. */
	handmade(&h, 64, ok, 2);
	REFUSED(&h, q, 2, "frame");
	/* sub rsp, 0 is not a frame: the two forms are distinct. */
	h.len = 0;
	put(&h, "48 83 ec 00 31 c0 31 c9");
	h.offs[0] = (uint32_t)h.len;
	put(&h, "b8 05 00 00 00");
	h.offs[1] = (uint32_t)h.len;
	put(&h, "48 83 c4 00 c3");
	h.offs[2] = (uint32_t)h.len;
	put(&h, "31 c0 48 83 c4 00 c3");
	REFUSED(&h, q, 2, "frame");
	/* The prologue must still zero A and X. */
	handmade(&h, 0, ok, 2);
	h.code[1] = 0xc9; /* xor eax, eax -> xor ecx, ecx */
	REFUSED(&h, q, 2, "prologue");
}

/* A jump to a RET may be a copy of that RET; the copy must return exactly
 * what the RET returns, end the jump's code, and the RET A copy must leave
 * eax alone. */
static void ret_copies(void **state)
{
	(void)state;
	struct handmade h;
	/* jeq #0, pc 2 (ret #2), pc 3 (ret #3): the false outcome is a copy. */
	const jitk_insn c[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0), RETK(1), RETK(2), RETK(3) };
	const char *good[] = { "83 f8 00 74 0c b8 03 00 00 00 c3", "b8 01 00 00 00 c3", "b8 02 00 00 00 c3",
			       "b8 03 00 00 00 c3" };
	handmade(&h, 0, good, 4);
	ACCEPTED(&h, c, 4);
	/* The copy returns another constant. */
	const char *wrongk[] = { "83 f8 00 74 0c b8 04 00 00 00 c3", "b8 01 00 00 00 c3",
				 "b8 02 00 00 00 c3", "b8 03 00 00 00 c3" };
	handmade(&h, 0, wrongk, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* The copy is of the other target (ret #2, reached when equal). */
	const char *other[] = { "83 f8 00 74 0c b8 02 00 00 00 c3", "b8 01 00 00 00 c3",
				"b8 02 00 00 00 c3", "b8 03 00 00 00 c3" };
	handmade(&h, 0, other, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* A RET A copy where the target is RET K (it would return A). */
	const char *reta[] = { "83 f8 00 74 07 c3", "b8 01 00 00 00 c3", "b8 02 00 00 00 c3",
			       "b8 03 00 00 00 c3" };
	handmade(&h, 0, reta, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* Code after the copy (it would fall into instruction 1, not a
	 * successor); and after the copy, ending in a jmp to a successor. */
	const char *after[] = { "83 f8 00 74 0e b8 03 00 00 00 c3 89 c1", "b8 01 00 00 00 c3",
				"b8 02 00 00 00 c3", "b8 03 00 00 00 c3" };
	handmade(&h, 0, after, 4);
	REFUSED(&h, c, 4, "fallthrough");
	const char *after_jmp[] = { "83 f8 00 74 0e b8 03 00 00 00 c3 eb 06", "b8 01 00 00 00 c3",
				    "b8 02 00 00 00 c3", "b8 03 00 00 00 c3" };
	handmade(&h, 0, after_jmp, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* Something between the value and the ret. */
	const char *between[] = { "83 f8 00 74 0e b8 03 00 00 00 89 c1 c3", "b8 01 00 00 00 c3",
				  "b8 02 00 00 00 c3", "b8 03 00 00 00 c3" };
	handmade(&h, 0, between, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* The copy into a register other than eax. */
	const char *ecx[] = { "83 f8 00 74 0c b9 03 00 00 00 c3", "b8 01 00 00 00 c3", "b8 02 00 00 00 c3",
			      "b8 03 00 00 00 c3" };
	handmade(&h, 0, ecx, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* With a frame the copy must release it too. */
	const char *framed[] = { "83 f8 00 74 14 b8 03 00 00 00 48 83 c4 40 c3",
				 "b8 01 00 00 00 48 83 c4 40 c3", "b8 02 00 00 00 48 83 c4 40 c3",
				 "b8 03 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, framed, 4);
	ACCEPTED(&h, c, 4);
	const char *unreleased[] = { "83 f8 00 74 10 b8 03 00 00 00 c3", "b8 01 00 00 00 48 83 c4 40 c3",
				     "b8 02 00 00 00 48 83 c4 40 c3", "b8 03 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, unreleased, 4);
	REFUSED(&h, c, 4, "frame");

	/* JA: one jmp or one copy of the target, nothing else. */
	const jitk_insn ja[] = { I(BPF_JMP | BPF_JA, 0, 0, 1), RETK(3), RETK(9) };
	const char *ja_ok[] = { "b8 09 00 00 00 c3", "b8 03 00 00 00 c3", "b8 09 00 00 00 c3" };
	handmade(&h, 0, ja_ok, 3);
	ACCEPTED(&h, ja, 3);
	const char *ja_jmp[] = { "eb 06", "b8 03 00 00 00 c3", "b8 09 00 00 00 c3" };
	handmade(&h, 0, ja_jmp, 3);
	ACCEPTED(&h, ja, 3);
	const char *ja_wrong[] = { "b8 03 00 00 00 c3", "b8 03 00 00 00 c3", "b8 09 00 00 00 c3" };
	handmade(&h, 0, ja_wrong, 3);
	REFUSED(&h, ja, 3, "jump-shape");
	const char *ja_junk[] = { "89 c1 eb 06", "b8 03 00 00 00 c3", "b8 09 00 00 00 c3" };
	handmade(&h, 0, ja_junk, 3);
	REFUSED(&h, ja, 3, "jump-shape");
	const char *ja_two[] = { "eb 08 eb 06", "b8 03 00 00 00 c3", "b8 09 00 00 00 c3" };
	handmade(&h, 0, ja_two, 3);
	REFUSED(&h, ja, 3, "jump-shape");
	/* RET A copy: exactly ret, eax untouched. */
	const jitk_insn ra[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), I(BPF_JMP | BPF_JA, 0, 0, 0), RETA };
	const char *ra_ok[] = { "b8 05 00 00 00", "c3", "c3" };
	handmade(&h, 0, ra_ok, 3);
	ACCEPTED(&h, ra, 3);
	const char *ra_k[] = { "b8 05 00 00 00", "b8 05 00 00 00 c3", "c3" };
	handmade(&h, 0, ra_k, 3);
	REFUSED(&h, ra, 3, "jump-shape");
	/* A ret in the code of a non-jump is still refused. */
	const jitk_insn q[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETK(5) };
	const char *early[] = { "b8 05 00 00 00 c3", "b8 05 00 00 00 c3" };
	handmade(&h, 0, early, 2);
	REFUSED(&h, q, 2, "ret");
}

/* The select (both targets RET K): mov edx, kt; mov eax, kf; cmovcc eax,
 * edx; exit.  Checked by value for each outcome. */
static void selects(void **state)
{
	(void)state;
	struct handmade h;
	/* jeq #0: equal -> ret #2, not equal -> ret #3. */
	const jitk_insn c[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0), RETK(1), RETK(2), RETK(3) };
#define TAIL "b8 01 00 00 00 c3", "b8 02 00 00 00 c3", "b8 03 00 00 00 c3"
	const char *good[] = { "83 f8 00 ba 02 00 00 00 b8 03 00 00 00 0f 44 c2 c3", TAIL };
	handmade(&h, 0, good, 4);
	ACCEPTED(&h, c, 4);
	/* The negated condition with the values swapped means the same. */
	const char *negated[] = { "83 f8 00 ba 03 00 00 00 b8 02 00 00 00 0f 45 c2 c3", TAIL };
	handmade(&h, 0, negated, 4);
	ACCEPTED(&h, c, 4);
	/* Values swapped alone: each outcome returns the other's value. */
	const char *swapped[] = { "83 f8 00 ba 03 00 00 00 b8 02 00 00 00 0f 44 c2 c3", TAIL };
	handmade(&h, 0, swapped, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* A value no target returns. */
	const char *wrong[] = { "83 f8 00 ba 02 00 00 00 b8 07 00 00 00 0f 44 c2 c3", TAIL };
	handmade(&h, 0, wrong, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* cmova: not a condition of JEQ. */
	const char *cond[] = { "83 f8 00 ba 02 00 00 00 b8 03 00 00 00 0f 47 c2 c3", TAIL };
	handmade(&h, 0, cond, 4);
	REFUSED(&h, c, 4, "select");
	/* cmove eax, ecx: moves X, not the value in edx. */
	const char *regs[] = { "83 f8 00 ba 02 00 00 00 b8 03 00 00 00 0f 44 c1 c3", TAIL };
	handmade(&h, 0, regs, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* The movs in the other order (eax first: edx holds kf). */
	const char *order[] = { "83 f8 00 b8 03 00 00 00 ba 02 00 00 00 0f 44 c2 c3", TAIL };
	handmade(&h, 0, order, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* No ret after the cmov: falls into the next instruction (not a
	 * successor), or a jmp instead of the ret. */
	const char *noret[] = { "83 f8 00 ba 02 00 00 00 b8 03 00 00 00 0f 44 c2", TAIL };
	handmade(&h, 0, noret, 4);
	REFUSED(&h, c, 4, "fallthrough");
	const char *jmp[] = { "83 f8 00 ba 02 00 00 00 b8 03 00 00 00 0f 44 c2 eb 06", TAIL };
	handmade(&h, 0, jmp, 4);
	REFUSED(&h, c, 4, "branch-cond");
	/* A select where one target is RET A. */
	const jitk_insn ca[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0), RETK(1), RETA, RETK(3) };
	const char *reta[] = { "83 f8 00 ba 02 00 00 00 b8 03 00 00 00 0f 44 c2 c3", "b8 01 00 00 00 c3",
			       "c3", "b8 03 00 00 00 c3" };
	handmade(&h, 0, reta, 4);
	REFUSED(&h, ca, 4, "branch-cond");
	/* A select for jt == jf (an unconditional transfer). */
	const jitk_insn same[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0), RETK(1), RETK(2) };
	const char *sel_same[] = { "83 f8 00 ba 02 00 00 00 b8 02 00 00 00 0f 44 c2 c3",
				   "b8 01 00 00 00 c3", "b8 02 00 00 00 c3" };
	handmade(&h, 0, sel_same, 3);
	REFUSED(&h, same, 3, "jump-shape");
	/* cmov in the code of a non-jump. */
	const jitk_insn q[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETA };
	const char *alu[] = { "b8 05 00 00 00 0f 44 c2", "c3" };
	handmade(&h, 0, alu, 2);
	REFUSED(&h, q, 2, "select");
	/* Framed: the select releases the frame. */
	const char *framed[] = { "83 f8 00 ba 02 00 00 00 b8 03 00 00 00 0f 44 c2 48 83 c4 40 c3",
				 "b8 01 00 00 00 48 83 c4 40 c3", "b8 02 00 00 00 48 83 c4 40 c3",
				 "b8 03 00 00 00 48 83 c4 40 c3" };
	handmade(&h, 64, framed, 4);
	ACCEPTED(&h, c, 4);
#undef TAIL
}

/* cmp eax, imm8: the validator compares with the sign-extended value, as
 * the CPU does, and accepts no other imm8 form. */
static void short_compares(void **state)
{
	(void)state;
	struct handmade h;
	jitk_insn c[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0xffffffffu), RETK(1), RETK(2) };
	const char *m1[] = { "83 f8 ff 75 06", "b8 01 00 00 00 c3", "b8 02 00 00 00 c3" };
	handmade(&h, 0, m1, 3);
	ACCEPTED(&h, c, 3);
	c[0].k = 0xff; /* 0xff as imm8 means 0xffffffff */
	REFUSED(&h, c, 3, "branch-cond");
	c[0].k = 0x7f;
	const char *p7f[] = { "83 f8 7f 75 06", "b8 01 00 00 00 c3", "b8 02 00 00 00 c3" };
	handmade(&h, 0, p7f, 3);
	ACCEPTED(&h, c, 3);
	c[0].k = 0xffffff7fu;
	REFUSED(&h, c, 3, "branch-cond");
	/* Other imm8 forms and registers. */
	const jitk_insn q[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETA };
	const char *forms[] = { "83 c0 01", "83 e8 01", "83 e0 01", "83 c8 01", "83 f0 01",
				"83 d0 01", "83 fc 00", "83 ff 00", "83 3f 00", "83 7c 24 00 00" };
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		const char *chunks[] = { forms[i], "c3" };
		handmade(&h, 0, chunks, 2);
		REFUSED(&h, q, 2, "native-opcode");
	}
	/* cmov forms outside the subset. */
	const char *cmovs[] = { "0f 40 c2", "0f 4c c2", "0f 44 c4", "0f 44 c7", "0f 44 07" };
	for (size_t i = 0; i < sizeof cmovs / sizeof cmovs[0]; i++) {
		const char *chunks[] = { cmovs[i], "c3" };
		handmade(&h, 0, chunks, 2);
		REFUSED(&h, q, 2, "native-opcode");
	}
}

/* Found by mutation testing: the decision of JSET X is test eax, ecx in
 * either operand order and no other register pair; a last instruction
 * whose code falls through is reported as falling into the trailer. */
static void jset_x_and_fallthrough(void **state)
{
	(void)state;
	struct handmade h;
	const jitk_insn c[] = { I(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 0), RETK(1), RETK(2) };
	const char *pairs[] = { "85 c8", "85 c1", "85 c0", "85 c9", "85 d0" };
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		char chunk[16];
		snprintf(chunk, sizeof chunk, "%s 74 06", pairs[i]);
		const char *chunks[] = { chunk, "b8 01 00 00 00 c3", "b8 02 00 00 00 c3" };
		handmade(&h, 0, chunks, 3);
		if (i < 2)
			ACCEPTED(&h, c, 3);
		else
			REFUSED(&h, c, 3, "branch-cond");
	}
	const jitk_insn q[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), RETA };
	const char *falls[] = { "b8 05 00 00 00", "b8 05 00 00 00" };
	handmade(&h, 0, falls, 2);
	jitk_diag d;
	assert_int_equal(jit_check_image(q, 2, h.code, h.len, h.offs, 3, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "fallthrough");
	assert_non_null(strstr(d.msg, "falls through into the trailer"));
}

/* A program whose image has every new shape: frameless, RET copies
 * (conditional, JA, RET A), a select, short and long compares. */
static size_t shapes_program(jitk_insn *p)
{
	size_t n = 0;
	p[n++] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 4);
	p[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 0, 9, 0xc000003eu); /* long compare, far false */
	p[n++] = I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0);
	p[n++] = I(BPF_JMP | BPF_JGE | BPF_K, 1, 0, 100);         /* short compare */
	p[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 3, 4, 2);           /* select: 8 / 9 */
	p[n++] = I(BPF_JMP | BPF_JGT | BPF_K, 5, 0, 0xffffff80u); /* jt to RET A */
	p[n++] = I(BPF_JMP | BPF_JSET | BPF_K, 1, 2, 4);          /* one copy */
	p[n++] = I(BPF_JMP | BPF_JA, 0, 0, 2);                    /* JA copy */
	p[n++] = RETK(0x7fff0000u);
	p[n++] = RETK(0x50001u);
	p[n++] = RETK(0);
	p[n++] = RETA;
	return n;
}

/* Mutations of the shapes image: truncation, every single-byte change of
 * its value bytes, random corruption; the validator never crashes and
 * refuses what changes behaviour. */
static void refuses_corrupted_shapes(void **state)
{
	(void)state;
	static jitk_insn p[16];
	size_t n = shapes_program(p);
	struct image im;
	gen(&im, p, n);
	assert_int_equal(validate(&im, NULL), JITK_OK);
	assert_int_not_equal(im.code[0], 0x48); /* frameless */
	/* It has a select, a cmp imm8 and a RET copy in a jump. */
	bool cmov = false, imm8 = false;
	for (size_t i = 0; i + 2 < im.len; i++) {
		cmov |= im.code[i] == 0x0f && im.code[i + 1] == 0x44 && im.code[i + 2] == 0xc2;
		imm8 |= im.code[i] == 0x83 && im.code[i + 1] == 0xf8;
	}
	assert_true(cmov && imm8);
	size_t full = im.len;
	for (size_t cut = 1; cut < full; cut++) {
		im.len = full - cut;
		assert_int_equal(validate(&im, NULL), JITK_E_JIT);
	}
	im.len = full;
	/* Any change of a RET constant (in a RET, a copy or a select) is
	 * refused: flip each byte of each mov r, imm32. */
	size_t flipped = 0;
	for (size_t i = 0; i + 5 <= full; i++) {
		if (im.code[i] != 0xb8 && im.code[i] != 0xba)
			continue;
		for (size_t b = 1; b <= 4; b++) {
			/* (In this image every 0xb8/0xba byte starts a mov; a
			 * byte inside another instruction would do too, its
			 * change being refused as well.) */
			im.code[i + b] ^= 0x01;
			jitk_err err = validate(&im, NULL);
			im.code[i + b] ^= 0x01;
			if (err == JITK_OK) {
				im.code[i + b] ^= 0x01;
				fail_msg("changing byte %zu of the mov at 0x%zx was accepted", b, i);
			}
			flipped++;
		}
	}
	assert_true(flipped >= 4 * 6);
	assert_int_equal(validate(&im, NULL), JITK_OK);
	rng_t r;
	rng_seed(&r, test_seed(11));
	uint8_t *orig = malloc(full);
	assert_non_null(orig);
	memcpy(orig, im.code, full);
	unsigned long iters = test_scaled(20000), refused = 0;
	for (unsigned long it = 0; it < iters; it++) {
		unsigned k = 1 + rng_below(&r, 3);
		for (unsigned i = 0; i < k; i++)
			im.code[rng_below(&r, (uint32_t)full)] = (uint8_t)rng_u32(&r);
		refused += validate(&im, NULL) != JITK_OK;
		memcpy(im.code, orig, full);
	}
	print_message("shapes: random corruption: %lu of %lu refused\n", refused, iters);
	assert_true(refused > iters / 2);
	free(orig);
	image_free(&im);
}

/* check_handmade must refuse with exactly this rule, index and message
 * (the diagnostic names the rule broken, the BPF instruction or -1, and
 * the native offset). */
#define EXACTLY(h, insns, n, rule, index, msg) exactly(__LINE__, h, insns, n, rule, index, msg)
static void exactly(int line, const struct handmade *h, const jitk_insn *insns, size_t n, const char *rule,
		    long index, const char *msg)
{
	jitk_diag d;
	jitk_err err = jit_check_image(insns, n, h->code, h->len, h->offs, n + 1, NULL, &d);
	if (err != JITK_E_JIT)
		fail_msg("line %d: error %d, not a refusal (%s)", line, err, err ? d.msg : "accepted");
	if (strcmp(d.rule, rule) || d.index != index || strcmp(d.msg, msg))
		fail_msg("line %d: refused as %s, index %ld, '%s'; expected %s, %ld, '%s'", line, d.rule,
			 d.index, d.msg, rule, index, msg);
}

#define LD0 I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0)

/* Each refusal by its own rule, index and message, where a weaker check
 * would refuse later under another rule (or accept). */
static void refusal_diagnostics(void **state)
{
	(void)state;
	struct handmade h;
	/* Fall-through out of a RET's code into the next RET: "a
	 * non-successor" (a RET has none), not the shape rule of check 7. */
	const jitk_insn rets[] = { RETK(0), RETK(1) };
	const char *into_ret[] = { "b8 00 00 00 00", "b8 01 00 00 00 c3" };
	handmade(&h, 0, into_ret, 2);
	EXACTLY(&h, rets, 2, "fallthrough", 0,
		"native offset 0x4: the code of instruction 0 falls through into a non-successor");
	/* Into the trailer, even from an instruction that is no RET (a
	 * program the checker refuses: the validator does not rely on it). */
	const jitk_insn ld[] = { LD0 };
	const char *into_trailer[] = { "8b 47 00" };
	handmade(&h, 0, into_trailer, 1);
	EXACTLY(&h, ld, 1, "fallthrough", 0,
		"native offset 0x4: the code of instruction 0 falls through into the trailer");
	/* JA 2 falls through into instruction 1: JA's only successor is 3. */
	const jitk_insn ja2[] = { I(BPF_JMP | BPF_JA, 0, 0, 2), RETK(0), RETK(1), RETK(2) };
	const char *ja_falls[] = { "b8 05 00 00 00", "b8 00 00 00 00 c3", "b8 01 00 00 00 c3",
				   "b8 02 00 00 00 c3" };
	handmade(&h, 0, ja_falls, 4);
	EXACTLY(&h, ja2, 4, "fallthrough", 0,
		"native offset 0x4: the code of instruction 0 falls through into a non-successor");
	/* A jump past the last instruction (the checker refuses it): as a
	 * RET copy it is refused without reading insns[n] (heap-allocated,
	 * exactly n, for the ASan build). */
	jitk_insn *ja1 = malloc(2 * sizeof *ja1);
	assert_non_null(ja1);
	ja1[0] = I(BPF_JMP | BPF_JA, 0, 0, 1);
	ja1[1] = RETK(0);
	const char *copy_past[] = { "b8 00 00 00 00 c3", "b8 00 00 00 00 c3" };
	handmade(&h, 0, copy_past, 2);
	EXACTLY(&h, ja1, 2, "jump-shape", 0,
		"native offset 0x4: the jump is not exactly one jmp to, or a copy of, instruction 2");
	/* ... and as a jmp to the trailer, the code of "instruction 2" */
	const char *jmp_past[] = { "eb 06", "b8 00 00 00 00 c3" };
	handmade(&h, 0, jmp_past, 2);
	EXACTLY(&h, ja1, 2, "branch-target", 0,
		"native offset 0x4: branch to 0xc is not the code of a BPF target of instruction 0");
	free(ja1);
	/* A jmp to itself, and one to the end of the image: backward or
	 * outside, said so. */
	const jitk_insn ja0[] = { I(BPF_JMP | BPF_JA, 0, 0, 0), RETK(0) };
	const char *self[] = { "eb fe", "b8 00 00 00 00 c3" };
	handmade(&h, 0, self, 2);
	EXACTLY(&h, ja0, 2, "branch-target", 0,
		"native offset 0x4: branch to 0x4 is backward or outside the image");
	const char *to_end[] = { "eb 09", "b8 00 00 00 00 c3" };
	handmade(&h, 0, to_end, 2);
	assert_int_equal(h.len, 15);
	EXACTLY(&h, ja0, 2, "branch-target", 0,
		"native offset 0x4: branch to 0xf is backward or outside the image");
	/* The trailer's add rsp releases another size: refused at the
	 * trailer, which is no BPF instruction (-1). */
	const jitk_insn ret0[] = { RETK(0) };
	const char *framed[] = { "b8 00 00 00 00 48 83 c4 10 c3" };
	handmade(&h, 16, framed, 1);
	ACCEPTED(&h, ret0, 1);
	assert_int_equal(h.code[h.len - 2], 0x10);
	h.code[h.len - 2] = 0x08;
	EXACTLY(&h, ret0, 1, "frame", -1,
		"native offset 0x14: add rsp, 8 is not the release of a 16-byte frame before ret");
	/* DIV K's guard (mov esi, k; xor edx, edx) must lie in the DIV's own
	 * code: a mov esi in the code before it does not count. */
	const jitk_insn divk[] = { LD0, I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 3), RETA };
	const char *own_guard[] = { "8b 47 00", "be 03 00 00 00 31 d2 f7 f6", "c3" };
	handmade(&h, 0, own_guard, 3);
	ACCEPTED(&h, divk, 3);
	const char *prev_guard[] = { "8b 47 00 be 03 00 00 00", "31 d2 f7 f6", "c3" };
	handmade(&h, 0, prev_guard, 3);
	EXACTLY(&h, divk, 3, "div-guard", 1, "native offset 0xe: div without its zero-divisor guard");
	/* DIV X: test ecx, ecx; je trailer; xor edx, edx; div ecx.  A mov
	 * to edx in place of the xor is no guard. */
	const jitk_insn divx[] = { I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0), RETA };
	const char *xguard[] = { "85 c9 74 05 31 d2 f7 f1", "c3" };
	handmade(&h, 0, xguard, 2);
	ACCEPTED(&h, divx, 2);
	const char *no_xor[] = { "85 c9 74 08 ba 05 00 00 00 f7 f1", "c3" };
	handmade(&h, 0, no_xor, 2);
	EXACTLY(&h, divx, 2, "div-guard", 0, "native offset 0xd: div without its zero-divisor guard");
	/* A branch in the code of an instruction that is no jump, even to
	 * the next instruction's code. */
	const jitk_insn ld_ret[] = { LD0, RETA };
	const char *ld_jmp[] = { "8b 47 00 eb 00", "c3" };
	handmade(&h, 0, ld_jmp, 2);
	EXACTLY(&h, ld_ret, 2, "branch-target", 0,
		"native offset 0x7: branch to 0x9 is not the code of a BPF target of instruction 0");
	/* A conditional jump without its compare names the operand (k). */
	const jitk_insn jeq[] = { LD0, I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 5), RETK(0), RETK(1) };
	const char *no_cmp[] = { "8b 47 00", "89 c0", "b8 00 00 00 00 c3", "b8 01 00 00 00 c3" };
	handmade(&h, 0, no_cmp, 4);
	EXACTLY(&h, jeq, 4, "branch-cond", 1,
		"native offset 0x7: the jump does not start with the compare of A and k");
	/* JA 0 whose code falls into its target is no jmp: the shape rule,
	 * not the fall-through rule (instruction 1 is JA's successor). */
	const jitk_insn ja0f[] = { I(BPF_JMP | BPF_JA, 0, 0, 0), RETK(0) };
	const char *ja0_falls[] = { "b8 05 00 00 00", "b8 00 00 00 00 c3" };
	handmade(&h, 0, ja0_falls, 2);
	EXACTLY(&h, ja0f, 2, "jump-shape", 0,
		"native offset 0x4: the jump is not exactly one jmp to, or a copy of, instruction 1");
	/* A conditional jump's jcc's end with its code: a JA whose code is a
	 * je (refused as JA's shape) does not count as one of them. */
	const jitk_insn jne_ja[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 5), I(BPF_JMP | BPF_JA, 0, 0, 0),
				     RETK(0) };
	const char *je_in_ja[] = { "83 f8 05 75 02", "74 00", "b8 00 00 00 00 c3" };
	handmade(&h, 0, je_in_ja, 3);
	EXACTLY(&h, jne_ja, 3, "jump-shape", 1,
		"native offset 0x9: the jump is not exactly one jmp to, or a copy of, instruction 2");
	/* A jcc on a condition that does not test the jump (jb after the
	 * cmp of a JEQ). */
	const jitk_insn jeq01[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 5), RETK(0), RETK(1) };
	const char *jb[] = { "83 f8 05 72 06", "b8 00 00 00 00 c3", "b8 01 00 00 00 c3" };
	handmade(&h, 0, jb, 3);
	EXACTLY(&h, jeq01, 3, "branch-cond", 0,
		"native offset 0x7: condition code 0x2 does not test this jump");
	/* A select on a condition that does not test the jump names its
	 * cmov. */
	const jitk_insn sel[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0), RETK(1), RETK(2), RETK(3) };
	const char *cmova[] = { "83 f8 00 ba 02 00 00 00 b8 03 00 00 00 0f 47 c2 c3", "b8 01 00 00 00 c3",
				"b8 02 00 00 00 c3", "b8 03 00 00 00 c3" };
	handmade(&h, 0, cmova, 4);
	EXACTLY(&h, sel, 4, "select", 0, "native offset 0x11: cmov condition 0x7 does not test this jump");
}

/* The offset table and the image size, refused as such before anything
 * is decoded or allocated. */
static void table_diagnostics(void **state)
{
	(void)state;
	struct handmade h;
	const jitk_insn ret0[] = { RETK(0) };
	const char *chunk[] = { "b8 00 00 00 00 c3" };
	handmade(&h, 0, chunk, 1);
	ACCEPTED(&h, ret0, 1);
	jitk_diag d;
	/* no bytes at all; more than any allocation can hold */
	assert_int_equal(jit_check_image(ret0, 1, h.code, 0, h.offs, 2, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "image-size");
	assert_string_equal(d.msg, "image of 0 bytes");
	assert_int_equal(jit_check_image(ret0, 1, h.code, SIZE_MAX, h.offs, 2, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "image-size");
	assert_int_equal(d.index, -1);
	/* a table of another length */
	assert_int_equal(jit_check_image(ret0, 1, h.code, h.len, h.offs, 3, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "offset-table");
	assert_string_equal(d.msg, "offset table has 3 entries, expected 2");
	assert_int_equal(d.index, -1);
	/* the first instruction's code inside the prologue's first xor */
	h.offs[0] = 1;
	EXACTLY(&h, ret0, 1, "boundary", 0, "offset table entry 0 (0x1) is inside an instruction");
	/* the trailer's entry inside its first xor */
	h.offs[0] = 4;
	h.offs[1] = 11;
	EXACTLY(&h, ret0, 1, "boundary", -1, "offset table entry 1 (0xb) is inside an instruction");
	h.offs[1] = 10;
	/* a RET K translated to another value: said so, K and its mov */
	const jitk_insn ret5[] = { RETK(5) };
	EXACTLY(&h, ret5, 1, "ret-value", 0, "native offset 0x4: RET K is not translated to mov eax, k; ret");
	/* ... at byte 0, where the prologue is */
	h.offs[0] = 0;
	EXACTLY(&h, ret0, 1, "offset-table", -1, "offset table [0, 10] outside the image of 13 bytes");
}

/* An image of exactly JIT_CHECK_MAX_IMAGE bytes is accepted (by the
 * validator and the x86 model), one byte more is not: LD's code padded
 * with mov eax, 0 and mov eax, eax, then RET A. */
static void largest_image(void **state)
{
	(void)state;
	const jitk_insn p[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0), RETA };
	size_t len = JIT_CHECK_MAX_IMAGE;
	uint8_t *code = malloc(len + 2);
	assert_non_null(code);
	static const uint8_t pro[] = { 0x31, 0xc0, 0x31, 0xc9 }, tail[] = { 0xc3, 0x31, 0xc0, 0xc3 };
	for (int extra = 0; extra <= 2; extra += 2) {
		size_t total = len + (size_t)extra, at = 0;
		memcpy(code, pro, sizeof pro);
		at += sizeof pro;
		uint32_t offs[3] = { (uint32_t)at };
		size_t pad = total - sizeof pro - sizeof tail - 3; /* mov eax, [rdi] */
		while (pad % 5) {
			memcpy(code + at, "\x89\xc0", 2); /* mov eax, eax */
			at += 2;
			pad -= 2;
		}
		for (; pad; pad -= 5, at += 5)
			memcpy(code + at, "\xb8\x00\x00\x00\x00", 5);
		memcpy(code + at, "\x8b\x47\x00", 3);
		at += 3;
		offs[1] = (uint32_t)at;
		memcpy(code + at, tail, sizeof tail);
		at += sizeof tail;
		offs[2] = (uint32_t)(at - 3);
		assert_int_equal(at, total);
		jitk_diag d;
		jitk_err err = jit_check_image(p, 2, code, total, offs, 3, NULL, &d);
		Z3_context c = z3test_ctx();
		struct smt_input in;
		smt_input_init(c, &in);
		struct smt_x86 out;
		jitk_err xerr = smt_x86(c, code, total, &in, &out, &d);
		Z3_del_context(c);
		if (extra == 0) {
			if (err)
				fail_msg("the largest image is refused: %s", d.msg);
			assert_int_equal(xerr, JITK_OK);
		} else {
			assert_int_equal(err, JITK_E_JIT);
			assert_string_equal(d.rule, "image-size");
			assert_int_equal(xerr, JITK_E_JIT);
			assert_string_equal(d.rule, "image-size");
		}
	}
	free(code);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_emitted_images),
		cmocka_unit_test(refuses_shifted_displacements),
		cmocka_unit_test(refuses_wrong_target),
		cmocka_unit_test(refuses_foreign_instructions),
		cmocka_unit_test(refuses_bad_frames),
		cmocka_unit_test(refuses_missing_or_misplaced_ret),
		cmocka_unit_test(refuses_unguarded_div),
		cmocka_unit_test(refuses_truncated_images),
		cmocka_unit_test(refuses_bad_offset_tables),
		cmocka_unit_test(refuses_other_program),
		cmocka_unit_test(random_corruption),
		cmocka_unit_test(frameless_images),
		cmocka_unit_test(ret_copies),
		cmocka_unit_test(selects),
		cmocka_unit_test(short_compares),
		cmocka_unit_test(jset_x_and_fallthrough),
		cmocka_unit_test(refuses_corrupted_shapes),
		cmocka_unit_test(refusal_diagnostics),
		cmocka_unit_test(table_diagnostics),
		cmocka_unit_test(largest_image),
	};
	return cmocka_run_group_tests_name("jit_validator", tests, NULL, NULL);
}
