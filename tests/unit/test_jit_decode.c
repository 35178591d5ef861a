/* test_jit_decode.c - the trusted x86-64 decoder (jit_decode in
 * trusted/jit_check.c), form by form.
 *
 * Every accepted form of the subset (jit_check.h) decodes from its exact
 * bytes to the right kind, length and fields, and the same with bytes
 * after it; every shorter prefix is "truncated", never a shorter
 * instruction; each condition of the subset (register, ModRM mode, opcode
 * extension, SIB byte, shift count, condition code) has a near miss that
 * is refused.  And a bad byte or a truncation in the trailer, which
 * belongs to no BPF instruction, is reported with index -1. */
#include "testlib.h"
#include "jit_check.h"
#include "jit_x86.h"

#include <linux/filter.h>

struct form {
	const char *what;
	uint8_t b[8];
	unsigned len;
	enum xkind kind;
	int reg, rm; /* -1: not checked */
	uint32_t imm;
	int disp;
	int64_t target;
	int cc;
};

/* clang-format off */
static const struct form forms[] = {
	{ "sub rsp, 0x40", { 0x48, 0x83, 0xec, 0x40 }, 4, XK_SUB_RSP, -1, -1, 0x40, 0, 0, -1 },
	{ "sub rsp, -0x80", { 0x48, 0x83, 0xec, 0x80 }, 4, XK_SUB_RSP, -1, -1, 0xffffff80u, 0, 0, -1 },
	{ "add rsp, 0x40", { 0x48, 0x83, 0xc4, 0x40 }, 4, XK_ADD_RSP, -1, -1, 0x40, 0, 0, -1 },
	{ "ret", { 0xc3 }, 1, XK_RET, -1, -1, 0, 0, 0, -1 },
	{ "mov eax, imm", { 0xb8, 0x78, 0x56, 0x34, 0x12 }, 5, XK_MOV_RI, -1, 0, 0x12345678, 0, 0, -1 },
	{ "mov ecx, imm", { 0xb9, 1, 0, 0, 0 }, 5, XK_MOV_RI, -1, 1, 1, 0, 0, -1 },
	{ "mov edx, imm", { 0xba, 0xff, 0xff, 0xff, 0xff }, 5, XK_MOV_RI, -1, 2, 0xffffffffu, 0, 0, -1 },
	{ "mov esi, imm", { 0xbe, 7, 0, 0, 0 }, 5, XK_MOV_RI, -1, 6, 7, 0, 0, -1 },
	{ "add eax, ecx", { 0x01, 0xc8 }, 2, XK_ALU_RR, 1, 0, 0, 0, 0, -1 },
	{ "or eax, edx", { 0x09, 0xd0 }, 2, XK_ALU_RR, 2, 0, 0, 0, 0, -1 },
	{ "and eax, esi", { 0x21, 0xf0 }, 2, XK_ALU_RR, 6, 0, 0, 0, 0, -1 },
	{ "sub ecx, eax", { 0x29, 0xc1 }, 2, XK_ALU_RR, 0, 1, 0, 0, 0, -1 },
	{ "xor eax, eax", { 0x31, 0xc0 }, 2, XK_ALU_RR, 0, 0, 0, 0, 0, -1 },
	{ "cmp eax, ecx", { 0x39, 0xc8 }, 2, XK_ALU_RR, 1, 0, 0, 0, 0, -1 },
	{ "test ecx, ecx", { 0x85, 0xc9 }, 2, XK_ALU_RR, 1, 1, 0, 0, 0, -1 },
	{ "mov edx, eax", { 0x89, 0xc2 }, 2, XK_ALU_RR, 0, 2, 0, 0, 0, -1 },
	{ "mov [rsp+8], eax", { 0x89, 0x44, 0x24, 0x08 }, 4, XK_STORE_STACK, 0, 4, 0, 8, 0, -1 },
	{ "mov [rsp-4], ecx", { 0x89, 0x4c, 0x24, 0xfc }, 4, XK_STORE_STACK, 1, 4, 0, -4, 0, -1 },
	{ "mov eax, [rsp+8]", { 0x8b, 0x44, 0x24, 0x08 }, 4, XK_LOAD_STACK, 0, 4, 0, 8, 0, -1 },
	{ "mov esi, [rsp+0x7c]", { 0x8b, 0x74, 0x24, 0x7c }, 4, XK_LOAD_STACK, 6, 4, 0, 0x7c, 0, -1 },
	{ "mov eax, [rdi+16]", { 0x8b, 0x47, 0x10 }, 3, XK_LOAD_CTX, 0, 7, 0, 16, 0, -1 },
	{ "mov ecx, [rdi-1]", { 0x8b, 0x4f, 0xff }, 3, XK_LOAD_CTX, 1, 7, 0, -1, 0, -1 },
	{ "add eax, imm32", { 0x81, 0xc0, 1, 0, 0, 0 }, 6, XK_ALU_RI, 0, 0, 1, 0, 0, -1 },
	{ "or eax, imm32", { 0x81, 0xc8, 2, 0, 0, 0 }, 6, XK_ALU_RI, 1, 0, 2, 0, 0, -1 },
	{ "and eax, imm32", { 0x81, 0xe0, 0, 1, 0, 0 }, 6, XK_ALU_RI, 4, 0, 0x100, 0, 0, -1 },
	{ "sub eax, imm32", { 0x81, 0xe8, 0, 0, 1, 0 }, 6, XK_ALU_RI, 5, 0, 0x10000, 0, 0, -1 },
	{ "xor eax, imm32", { 0x81, 0xf0, 0, 0, 0, 1 }, 6, XK_ALU_RI, 6, 0, 0x1000000, 0, 0, -1 },
	{ "cmp ecx, imm32", { 0x81, 0xf9, 0xff, 0xff, 0xff, 0xff }, 6, XK_ALU_RI, 7, 1, 0xffffffffu, 0, 0, -1 },
	{ "cmp eax, -1", { 0x83, 0xf8, 0xff }, 3, XK_ALU_RI, 7, 0, 0xffffffffu, 0, 0, -1 },
	{ "cmp esi, 5", { 0x83, 0xfe, 0x05 }, 3, XK_ALU_RI, 7, 6, 5, 0, 0, -1 },
	{ "test eax, imm32", { 0xf7, 0xc0, 0, 1, 0, 0 }, 6, XK_TEST_RI, 0, 0, 0x100, 0, 0, -1 },
	{ "neg eax", { 0xf7, 0xd8 }, 2, XK_NEG, 3, 0, 0, 0, 0, -1 },
	{ "div esi", { 0xf7, 0xf6 }, 2, XK_DIV, 6, 6, 0, 0, 0, -1 },
	{ "div ecx", { 0xf7, 0xf1 }, 2, XK_DIV, 6, 1, 0, 0, 0, -1 },
	{ "imul eax, ecx, 3", { 0x69, 0xc1, 3, 0, 0, 0 }, 6, XK_IMUL_RRI, 0, 1, 3, 0, 0, -1 },
	{ "imul eax, ecx", { 0x0f, 0xaf, 0xc1 }, 3, XK_IMUL_RR, 0, 1, 0, 0, 0, -1 },
	{ "imul esi, edx", { 0x0f, 0xaf, 0xf2 }, 3, XK_IMUL_RR, 6, 2, 0, 0, 0, -1 },
	{ "shl eax, 5", { 0xc1, 0xe0, 0x05 }, 3, XK_SHIFT_I, 4, 0, 5, 0, 0, -1 },
	{ "shr ecx, 31", { 0xc1, 0xe9, 0x1f }, 3, XK_SHIFT_I, 5, 1, 31, 0, 0, -1 },
	{ "shl eax, cl", { 0xd3, 0xe0 }, 2, XK_SHIFT_CL, 4, 0, 0, 0, 0, -1 },
	{ "shr edx, cl", { 0xd3, 0xea }, 2, XK_SHIFT_CL, 5, 2, 0, 0, 0, -1 },
	{ "jmp +5", { 0xeb, 0x05 }, 2, XK_JMP, -1, -1, 0, 0, 7, -1 },
	{ "jmp -2", { 0xeb, 0xfe }, 2, XK_JMP, -1, -1, 0, 0, 0, -1 },
	{ "jmp rel32", { 0xe9, 0x10, 0x01, 0, 0 }, 5, XK_JMP, -1, -1, 0, 0, 0x115, -1 },
	{ "jmp rel32 -1", { 0xe9, 0xff, 0xff, 0xff, 0xff }, 5, XK_JMP, -1, -1, 0, 0, 4, -1 },
	{ "jb +3", { 0x72, 0x03 }, 2, XK_JCC, -1, -1, 0, 0, 5, 2 },
	{ "jae", { 0x73, 0x00 }, 2, XK_JCC, -1, -1, 0, 0, 2, 3 },
	{ "je", { 0x74, 0x10 }, 2, XK_JCC, -1, -1, 0, 0, 0x12, 4 },
	{ "jne", { 0x75, 0x7f }, 2, XK_JCC, -1, -1, 0, 0, 0x81, 5 },
	{ "jbe", { 0x76, 0x80 }, 2, XK_JCC, -1, -1, 0, 0, -126, 6 },
	{ "ja", { 0x77, 0x01 }, 2, XK_JCC, -1, -1, 0, 0, 3, 7 },
	{ "jb rel32", { 0x0f, 0x82, 0, 1, 0, 0 }, 6, XK_JCC, -1, -1, 0, 0, 0x106, 2 },
	{ "je rel32", { 0x0f, 0x84, 0x10, 0, 0, 0 }, 6, XK_JCC, -1, -1, 0, 0, 0x16, 4 },
	{ "ja rel32", { 0x0f, 0x87, 0xfa, 0xff, 0xff, 0xff }, 6, XK_JCC, -1, -1, 0, 0, 0, 7 },
	{ "cmovb eax, edx", { 0x0f, 0x42, 0xc2 }, 3, XK_CMOV, 0, 2, 0, 0, 0, 2 },
	{ "cmove ecx, esi", { 0x0f, 0x44, 0xce }, 3, XK_CMOV, 1, 6, 0, 0, 0, 4 },
	{ "cmova eax, edx", { 0x0f, 0x47, 0xc2 }, 3, XK_CMOV, 0, 2, 0, 0, 0, 7 },
};

/* Near misses of the forms above: each breaks one condition. */
static const struct { const char *what; uint8_t b[8]; unsigned len; } bad[] = {
	{ "add rax, imm8 (REX.W, not rsp)", { 0x48, 0x83, 0xc0, 0x08 }, 4 },
	{ "REX.W 81 (imm32 form)", { 0x48, 0x81, 0xec, 0x40 }, 4 },
	{ "REX.W add", { 0x48, 0x01, 0xc0, 0x00 }, 4 },
	{ "mov ebx, imm", { 0xbb, 0, 0, 0, 0 }, 5 },
	{ "mov esp, imm", { 0xbc, 0, 0, 0, 0 }, 5 },
	{ "mov ebp, imm", { 0xbd, 0, 0, 0, 0 }, 5 },
	{ "mov edi, imm", { 0xbf, 0, 0, 0, 0 }, 5 },
	{ "add [rax], ebx (mod 0)", { 0x01, 0x18 }, 2 },
	/* a ModRM outside the subset is refused as soon as it is read, even
	 * when the bytes end there (not "truncated") */
	{ "mov eax, eax by 8b (mod 3), two bytes", { 0x8b, 0xc0 }, 2 },
	{ "add eax, imm8 (83 /0), two bytes", { 0x83, 0xc0 }, 2 },
	{ "adc eax, imm32 (81 /2), two bytes", { 0x81, 0xd0 }, 2 },
	{ "c0 (no opcode of the subset), alone", { 0xc0 }, 1 },
	{ "test [rax], imm32 (f7, mod 0), two bytes", { 0xf7, 0x00 }, 2 },
	{ "imul eax, [rax], imm32 (69, mod 0), two bytes", { 0x69, 0x00 }, 2 },
	{ "rol [rax], imm8 (c1, mod 0), two bytes", { 0xc1, 0x00 }, 2 },
	{ "rol [rax], cl (d3, mod 0), two bytes", { 0xd3, 0x00 }, 2 },
	{ "add eax, ebx", { 0x01, 0xd8 }, 2 },
	{ "add ebx, eax", { 0x01, 0xc3 }, 2 },
	{ "xor edi, eax", { 0x31, 0xc7 }, 2 },
	{ "test ebp, ebp", { 0x85, 0xed }, 2 },
	{ "mov eax, ebx", { 0x89, 0xd8 }, 2 },
	{ "mov ebx, eax", { 0x89, 0xc3 }, 2 },
	{ "mov [rsp], eax (mod 0)", { 0x89, 0x04, 0x24, 0x00 }, 4 },
	{ "mov [rsp+8], eax with an index", { 0x89, 0x44, 0x25, 0x08 }, 4 },
	{ "mov [rbp+8], eax", { 0x89, 0x45, 0x08, 0x00 }, 4 },
	{ "mov [rsp+8], ebx", { 0x89, 0x5c, 0x24, 0x08 }, 4 },
	{ "mov [rsp+d32], eax (mod 2)", { 0x89, 0x84, 0x24, 0x08 }, 4 },
	{ "mov eax, [rdi] (mod 0)", { 0x8b, 0x07, 0x00 }, 3 },
	{ "mov ebx, [rdi+8]", { 0x8b, 0x5f, 0x08 }, 3 },
	{ "mov eax, [rsp+8] with an index", { 0x8b, 0x44, 0x25, 0x08 }, 4 },
	{ "mov eax, [rsi+8]", { 0x8b, 0x46, 0x08 }, 3 },
	{ "mov eax, ecx (8b, mod 3)", { 0x8b, 0xc1, 0x00 }, 3 },
	{ "adc eax, imm32", { 0x81, 0xd0, 1, 0, 0, 0 }, 6 },
	{ "sbb eax, imm32", { 0x81, 0xd8, 1, 0, 0, 0 }, 6 },
	{ "add [rax], imm32", { 0x81, 0x00, 1, 0, 0, 0 }, 6 },
	{ "add ebx, imm32", { 0x81, 0xc3, 1, 0, 0, 0 }, 6 },
	{ "add eax, imm8", { 0x83, 0xc0, 0x01 }, 3 },
	{ "cmp [rax], imm8", { 0x83, 0x38, 0x01 }, 3 },
	{ "cmp ebx, imm8", { 0x83, 0xfb, 0x01 }, 3 },
	{ "not eax", { 0xf7, 0xd0 }, 2 },
	{ "mul eax", { 0xf7, 0xe0 }, 2 },
	{ "imul eax (f7 /5)", { 0xf7, 0xe8 }, 2 },
	{ "idiv eax", { 0xf7, 0xf8 }, 2 },
	{ "div ebx", { 0xf7, 0xf3 }, 2 },
	{ "div [rax]", { 0xf7, 0x30 }, 2 },
	{ "test ebx, imm32", { 0xf7, 0xc3, 0, 0, 0, 0 }, 6 },
	{ "imul [rax]", { 0x69, 0x00, 3, 0, 0, 0 }, 6 },
	{ "imul ebx, eax, imm", { 0x69, 0xd8, 3, 0, 0, 0 }, 6 },
	{ "imul eax, ebx, imm", { 0x69, 0xc3, 3, 0, 0, 0 }, 6 },
	{ "imul ebx, eax", { 0x0f, 0xaf, 0xd8 }, 3 },
	{ "imul eax, ebx", { 0x0f, 0xaf, 0xc3 }, 3 },
	{ "imul eax, [rax]", { 0x0f, 0xaf, 0x00 }, 3 },
	{ "rol eax, 5", { 0xc1, 0xc0, 0x05 }, 3 },
	{ "sar eax, 5", { 0xc1, 0xf8, 0x05 }, 3 },
	{ "shl eax, 32", { 0xc1, 0xe0, 0x20 }, 3 },
	{ "shl eax, 0xff", { 0xc1, 0xe0, 0xff }, 3 },
	{ "shl [rax], 5", { 0xc1, 0x20, 0x05 }, 3 },
	{ "shl ebx, 5", { 0xc1, 0xe3, 0x05 }, 3 },
	{ "rol eax, cl", { 0xd3, 0xc0 }, 2 },
	{ "sar eax, cl", { 0xd3, 0xf8 }, 2 },
	{ "shl [rax], cl", { 0xd3, 0x20 }, 2 },
	{ "shl ebx, cl", { 0xd3, 0xe3 }, 2 },
	{ "jno", { 0x71, 0x00 }, 2 },
	{ "js", { 0x78, 0x00 }, 2 },
	{ "jo", { 0x70, 0x00 }, 2 },
	{ "jno rel32", { 0x0f, 0x81, 0, 0, 0, 0 }, 6 },
	{ "js rel32", { 0x0f, 0x88, 0, 0, 0, 0 }, 6 },
	{ "cmovno", { 0x0f, 0x41, 0xc2 }, 3 },
	{ "cmovs", { 0x0f, 0x48, 0xc2 }, 3 },
	{ "cmovb eax, [rdx]", { 0x0f, 0x42, 0x02 }, 3 },
	{ "cmovb ebx, edx", { 0x0f, 0x42, 0xda }, 3 },
	{ "cmovb eax, ebx", { 0x0f, 0x42, 0xc3 }, 3 },
	{ "syscall", { 0x0f, 0x05 }, 2 },
	{ "nop", { 0x90 }, 1 },
	{ "int3", { 0xcc }, 1 },
	{ "push rax", { 0x50 }, 1 },
	{ "call rel32", { 0xe8, 0, 0, 0, 0 }, 5 },
	{ "jmp rax", { 0xff, 0xe0 }, 2 },
	{ "ret imm16", { 0xc2, 0, 0 }, 3 },
};
/* clang-format on */

static void check_form(const struct form *f, const uint8_t *c, size_t avail)
{
	struct xinsn x;
	memset(&x, 0x5a, sizeof x);
	int r = jit_decode(c, avail, &x);
	if (r != JIT_DEC_OK)
		fail_msg("%s (%zu bytes available): not decoded (%d)", f->what, avail, r);
	if (x.kind != f->kind || x.len != f->len)
		fail_msg("%s: kind %d len %u, expected %d len %u", f->what, x.kind, x.len, f->kind, f->len);
	if (f->kind == XK_ALU_RR && x.op != f->b[0])
		fail_msg("%s: op 0x%02x", f->what, x.op);
	if (f->reg >= 0 && x.reg != f->reg)
		fail_msg("%s: reg %u, expected %d", f->what, x.reg, f->reg);
	if (f->rm >= 0 && x.rm != f->rm)
		fail_msg("%s: rm %u, expected %d", f->what, x.rm, f->rm);
	if (f->cc >= 0 && x.cc != f->cc)
		fail_msg("%s: cc %u, expected %d", f->what, x.cc, f->cc);
	switch (f->kind) {
	case XK_SUB_RSP:
	case XK_ADD_RSP:
	case XK_MOV_RI:
	case XK_ALU_RI:
	case XK_TEST_RI:
	case XK_IMUL_RRI:
	case XK_SHIFT_I:
		if (x.imm != f->imm)
			fail_msg("%s: imm 0x%x, expected 0x%x", f->what, x.imm, f->imm);
		break;
	case XK_LOAD_STACK:
	case XK_STORE_STACK:
	case XK_LOAD_CTX:
		if (x.disp != f->disp)
			fail_msg("%s: disp %d, expected %d", f->what, x.disp, f->disp);
		break;
	case XK_JMP:
	case XK_JCC:
		if (x.target != f->target)
			fail_msg("%s: target %lld, expected %lld", f->what, (long long)x.target,
				 (long long)f->target);
		break;
	default: break;
	}
}

static void forms_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		const struct form *f = &forms[i];
		/* exactly its bytes, then with more after it */
		check_form(f, f->b, f->len);
		uint8_t more[16];
		memset(more, 0xcc, sizeof more);
		memcpy(more, f->b, f->len);
		check_form(f, more, sizeof more);
		/* every shorter prefix: truncated */
		for (unsigned k = 0; k < f->len; k++) {
			struct xinsn x;
			int r = jit_decode(f->b, k, &x);
			if (r != JIT_DEC_TRUNC)
				fail_msg("%s: %u of %u bytes decode as %d, not truncated", f->what, k,
					 f->len, r);
		}
	}
}

static void near_misses_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct xinsn x;
		int r = jit_decode(bad[i].b, bad[i].len, &x);
		if (r != JIT_DEC_BAD)
			fail_msg("%s: decoded as %d (kind %d), not refused", bad[i].what, r, x.kind);
		uint8_t more[16];
		memset(more, 0, sizeof more);
		memcpy(more, bad[i].b, bad[i].len);
		if (jit_decode(more, sizeof more, &x) != JIT_DEC_BAD)
			fail_msg("%s: with more bytes after it, not refused", bad[i].what);
	}
}

/* The trailer (xor eax, eax; ret after offs[n]) belongs to no BPF
 * instruction: what is wrong there is reported with index -1. */
static void trailer_index(void **state)
{
	(void)state;
	static const jitk_insn p[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0) };
	uint8_t *code;
	size_t len;
	uint32_t *offs;
	jitk_diag d;
	assert_int_equal(jit_generate(p, 2, &code, &len, &offs, &d), JITK_OK);
	assert_int_equal(jit_check_image(p, 2, code, len, offs, 3, NULL, &d), JITK_OK);
	assert_true(offs[2] < len);
	/* a byte outside the subset in the trailer */
	uint8_t keep = code[offs[2]];
	code[offs[2]] = 0x90;
	assert_int_equal(jit_check_image(p, 2, code, len, offs, 3, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "native-opcode");
	assert_int_equal(d.index, -1);
	/* the same byte in the code of instruction 1: index 1 */
	code[offs[2]] = keep;
	keep = code[offs[1]];
	code[offs[1]] = 0x90;
	assert_int_equal(jit_check_image(p, 2, code, len, offs, 3, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "native-opcode");
	assert_int_equal(d.index, 1);
	code[offs[1]] = keep;
	/* the trailer's last instruction cut short: a mov eax, imm32 that runs
	 * past the end */
	code[len - 1] = 0xb8;
	assert_int_equal(jit_check_image(p, 2, code, len, offs, 3, NULL, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "truncated");
	assert_int_equal(d.index, -1);
	free(code);
	free(offs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forms_decode),
		cmocka_unit_test(near_misses_refused),
		cmocka_unit_test(trailer_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
