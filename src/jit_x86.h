/*
 * jit_x86.h - x86-64 emitter helpers for the classic-BPF JIT (src/jit.c).
 *
 * UNTRUSTED.  Nothing here is believed: every image built with these
 * helpers goes through the independent validator in src/trusted/jit_check.c
 * before it may become executable.  The validator has its own decoder and
 * must never include this header.
 *
 * ubpf style: small emit helpers over one bounds-checked buffer with a
 * sticky error, so the code generator can emit freely and test once.
 *
 * Register assignment (System V AMD64; only caller-saved registers are
 * written, so nothing needs saving):
 *   eax  A            (also the return value)
 *   ecx  X            (so shifts by X use cl directly; x86 masks the count
 *                      with 31 for 32-bit operands, like the kernel's
 *                      interpreter)
 *   edx  scratch      (high half of the dividend, zeroed before DIV; the
 *                      true value of a branch-free RET K/RET K select)
 *   esi  scratch      (DIV K divisor)
 *   rdi  const struct seccomp_data *  (the argument; read-only)
 *   rsp  M[0..15] at [rsp + 4*k] in a fixed 64-byte frame, allocated only
 *        when the program uses M[]
 */
#ifndef JITK_JIT_X86_H
#define JITK_JIT_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* Register numbers as in ModRM. */
enum jit_reg { JIT_EAX = 0, JIT_ECX = 1, JIT_EDX = 2, JIT_ESI = 6 };

#define JIT_REG_A JIT_EAX
#define JIT_REG_X JIT_ECX

/* Bytes of stack the image reserves: the 16 scratch cells M[0..15]. */
#define JIT_FRAME_BYTES 64u

/* Upper bound on the native bytes of one BPF instruction (the largest is a
 * conditional jump: cmp 6 + jcc rel32 6 + jmp rel32 5 = 17, or cmp 6 +
 * jcc rel32 6 + a RET K copy 10 = 22, or the select cmp 6 + mov 5 + mov 5 +
 * cmov 3 + add rsp 4 + ret 1 = 24), and of the prologue and the shared
 * zero-return trailer. */
#define JIT_MAX_INSN_BYTES 24u
#define JIT_MAX_FIXED_BYTES 32u

/* x86 condition codes (the low nibble of 0x7x / 0x0f 0x8x). */
enum jit_cc {
	JIT_CC_B = 0x2,  /* below, CF=1 (unsigned <) */
	JIT_CC_AE = 0x3, /* above or equal (unsigned >=) */
	JIT_CC_E = 0x4,  /* equal / zero */
	JIT_CC_NE = 0x5, /* not equal / not zero */
	JIT_CC_BE = 0x6, /* below or equal (unsigned <=) */
	JIT_CC_A = 0x7,  /* above (unsigned >) */
};

/* The output buffer.  Writes past cap set `overflow` and are dropped; the
 * caller checks it once at the end of a pass. */
struct jit_buf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

static inline void jit_emit1(struct jit_buf *b, uint8_t v)
{
	if (b->len < b->cap)
		b->p[b->len] = v;
	else
		b->overflow = true;
	b->len++;
}

static inline void jit_emit4(struct jit_buf *b, uint32_t v)
{
	/* x86 is little-endian whatever the host (the JIT only runs on x86). */
	jit_emit1(b, (uint8_t)v);
	jit_emit1(b, (uint8_t)(v >> 8));
	jit_emit1(b, (uint8_t)(v >> 16));
	jit_emit1(b, (uint8_t)(v >> 24));
}

static inline void jit_modrm(struct jit_buf *b, unsigned mod, unsigned reg, unsigned rm)
{
	jit_emit1(b, (uint8_t)((mod << 6) | ((reg & 7) << 3) | (rm & 7)));
}

/* op r/m32(dst), r32(src) for the "MR" ALU forms (add 01, or 09, and 21,
 * sub 29, xor 31, cmp 39, test 85, mov 89). */
static inline void jit_alu_rr(struct jit_buf *b, uint8_t op, enum jit_reg dst, enum jit_reg src)
{
	jit_emit1(b, op);
	jit_modrm(b, 3, src, dst);
}

/* Group-1 ALU with imm32: 81 /digit (add 0, or 1, and 4, sub 5, xor 6, cmp 7). */
static inline void jit_alu_ri(struct jit_buf *b, unsigned digit, enum jit_reg dst, uint32_t imm)
{
	jit_emit1(b, 0x81);
	jit_modrm(b, 3, digit, dst);
	jit_emit4(b, imm);
}

/* cmp r32, imm8 (83 /7 ib): the CPU sign-extends imm8 to 32 bits. */
static inline void jit_cmp_ri8(struct jit_buf *b, enum jit_reg dst, uint8_t imm)
{
	jit_emit1(b, 0x83);
	jit_modrm(b, 3, 7, dst);
	jit_emit1(b, imm);
}

/* cmovcc r32(dst), r32(src) (0F 40+cc /r). */
static inline void jit_cmov(struct jit_buf *b, int cc, enum jit_reg dst, enum jit_reg src)
{
	jit_emit1(b, 0x0f);
	jit_emit1(b, (uint8_t)(0x40 | cc));
	jit_modrm(b, 3, dst, src);
}

/* mov r32, imm32 (B8+r). */
static inline void jit_mov_ri(struct jit_buf *b, enum jit_reg dst, uint32_t imm)
{
	jit_emit1(b, (uint8_t)(0xb8 + dst));
	jit_emit4(b, imm);
}

/* mov r32, [rsp + disp8] (8B /r, SIB 0x24). */
static inline void jit_load_stack(struct jit_buf *b, enum jit_reg dst, uint8_t disp)
{
	jit_emit1(b, 0x8b);
	jit_modrm(b, 1, dst, 4);
	jit_emit1(b, 0x24);
	jit_emit1(b, disp);
}

/* mov [rsp + disp8], r32 (89 /r, SIB 0x24). */
static inline void jit_store_stack(struct jit_buf *b, enum jit_reg src, uint8_t disp)
{
	jit_emit1(b, 0x89);
	jit_modrm(b, 1, src, 4);
	jit_emit1(b, 0x24);
	jit_emit1(b, disp);
}

/* mov r32, [rdi + disp8] (8B /r, rm = rdi). */
static inline void jit_load_ctx(struct jit_buf *b, enum jit_reg dst, uint8_t disp)
{
	jit_emit1(b, 0x8b);
	jit_modrm(b, 1, dst, 7);
	jit_emit1(b, disp);
}

/* sub rsp, imm8 / add rsp, imm8 (REX.W 83 /5 ib, REX.W 83 /0 ib). */
static inline void jit_sub_rsp(struct jit_buf *b, uint8_t imm)
{
	jit_emit1(b, 0x48);
	jit_emit1(b, 0x83);
	jit_emit1(b, 0xec);
	jit_emit1(b, imm);
}

static inline void jit_add_rsp(struct jit_buf *b, uint8_t imm)
{
	jit_emit1(b, 0x48);
	jit_emit1(b, 0x83);
	jit_emit1(b, 0xc4);
	jit_emit1(b, imm);
}

static inline void jit_ret(struct jit_buf *b)
{
	jit_emit1(b, 0xc3);
}

/* jitk_jit_compile with the per-image proof optional: prove == false
 * skips it (the structural validator still runs).  Only for tests that
 * compile tens of thousands of images and prove a sample of them
 * (docs/jit.md, "The proof"); the library and the CLI always prove. */
jitk_err jit_compile(const jitk_filter *f, bool prove, jitk_jit **out, jitk_diag *d);

/* The code generator alone, without the checker: the native bytes and the
 * offset table (n + 1 entries) for insns, into malloc'd buffers.  Exposed so
 * the validator's tests can corrupt real images; the precondition is that
 * insns passed the seccomp checker (the generator still refuses anything it
 * cannot translate, with JITK_E_CHECK). */
jitk_err jit_generate(const jitk_insn *insns, size_t n, uint8_t **code, size_t *len, uint32_t **offs,
		      jitk_diag *d);

#endif
