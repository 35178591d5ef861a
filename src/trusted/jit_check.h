/*
 * jit_check.h - the JIT image validator.
 *
 * TRUSTED BASE.  The x86-64 JIT (src/jit.c) is untrusted; before its code is
 * made executable, this validator decodes the bytes with its own decoder
 * (it shares no code with the emitter) and checks them against the BPF
 * program and the emitter's claimed offset table.
 *
 * The image contract (what a valid image looks like):
 *   [0, offs[0])          prologue, exactly: [sub rsp, F;] xor eax, eax;
 *                         xor ecx, ecx   (with the sub: 0 < F <= 128 and a
 *                         multiple of 4, with the imm8 form F <= 124;
 *                         without it the image is frameless, F = 0)
 *   [offs[pc], offs[pc+1]) the code of BPF instruction pc, 0 <= pc < n
 *   [offs[n], len)        the zero-return trailer, exactly:
 *                         xor eax, eax; exit
 *   where exit is "add rsp, F; ret" with a frame and "ret" without one.
 *   offs[] has n + 1 strictly increasing entries (every BPF instruction has
 *   at least one native instruction).
 *
 * The accepted instruction subset (no prefixes except the REX.W of the two
 * rsp forms; "r" is one of eax, ecx, edx, esi -- all caller-saved, so the
 * image cannot clobber a callee-saved register, rsp or rdi):
 *   48 83 EC ib     sub rsp, imm8         only as the first instruction; the
 *                                         CPU sign-extends imm8, so F <= 124
 *   48 83 C4 ib     add rsp, imm8         imm8 == F > 0, only right before ret
 *   C3              ret                   with a frame only right after
 *                                         add rsp, F
 *   B8+r id         mov r, imm32
 *   01/09/21/29/31/39/85/89 /r (mod 3)
 *                   add/or/and/sub/xor/cmp/test/mov r, r
 *   81 /0,1,4,5,6,7 id (mod 3)  add/or/and/sub/xor/cmp r, imm32
 *   83 /7 ib (mod 3) cmp r, imm8          the CPU sign-extends imm8
 *   0F 42..47 /r (mod 3) cmovb..cmova r, r  only in a select (below)
 *   F7 /0 id        test r, imm32
 *   F7 /3           neg r
 *   F7 /6           div r                 guarded, see below
 *   69 /r id        imul r, r, imm32
 *   0F AF /r        imul r, r
 *   C1 /4,/5 ib     shl/shr r, imm8       imm8 < 32
 *   D3 /4,/5        shl/shr r, cl
 *   8B /r 24 d8     mov r, [rsp + d8]     0 <= d8, d8 + 4 <= F
 *   89 /r 24 d8     mov [rsp + d8], r     0 <= d8, d8 + 4 <= F
 *   8B /r d8 (rm=rdi) mov r, [rdi + d8]   0 <= d8, d8 + 4 <= 64 (seccomp_data)
 *   EB cb, E9 cd    jmp rel8 / rel32
 *   72..77 cb, 0F 82..87 cd   jb/jae/je/jne/jbe/ja rel8 / rel32
 * Everything else -- call, indirect jmp, syscall, int/int3, push/pop, other
 * registers or addressing modes -- is refused.
 *
 * What an accepted image satisfies:
 *  - decoding from 0 is contiguous and ends exactly at len; every offs[]
 *    entry is an instruction boundary;
 *  - every branch goes forward and lands exactly on offs[t] for a BPF
 *    successor t of the BPF instruction that contains it (JA: pc+1+k; a
 *    conditional jump: pc+1+jt or pc+1+jf), or, for DIV X, on the trailer
 *    offs[n]; no other instruction contains a branch;
 *  - the code of pc falls through into the code of pc+1 only if pc+1 is a
 *    BPF successor of pc, and never into the trailer;
 *  - the whole code of every BPF jump has one of these shapes, where a
 *    "transfer to t" is either jmp to offs[t] or, when t is a RET, a copy
 *    of that RET (mov eax, k; exit for RET K with the same k, exit alone
 *    for RET A):
 *      JA, or a conditional jump with jt == jf: one transfer to its target;
 *      a conditional jump (jt != jf): the compare of A (eax) with its k
 *      (imm32, or imm8 whose sign extension is k) or X (ecx) -- cmp for
 *      JEQ/JGT/JGE, test for JSET -- then jcc's whose condition codes (je,
 *      ja, jae, jne and their negations) test this jump, then at most one
 *      final transfer or, when both targets are RET K, a select:
 *        mov edx, k1; mov eax, k2; cmovcc eax, edx; exit
 *      and for each outcome of the compare, the first jcc taken, else the
 *      final transfer or select, else the fall-through, goes to the code
 *      of the right target or returns exactly what that target returns:
 *      the decisions of the filter are preserved, not just its graph;
 *  - ret occurs only in the code of a BPF RET, at the end of a transfer
 *    copy or select in the code of a jump, and in the trailer; the code of
 *    RET K is exactly mov eax, k; exit and that of RET A exactly exit;
 *  - the stack frame, if any, is F <= 128 bytes, allocated once, released
 *    before every ret; every stack access lies inside it (so a frameless
 *    image touches no stack at all); context reads lie inside struct
 *    seccomp_data;
 *  - every div is immediately preceded by xor edx, edx and, before that,
 *    either mov esi, imm32 != 0 (div esi) or test ecx, ecx; je trailer
 *    (div ecx), all in the same BPF instruction: DIV never faults, and DIV
 *    by X == 0 returns 0 from the filter.
 * Together: the code terminates, always returns through ret with rsp
 * restored, touches no memory but its frame and the input, preserves the
 * BPF control-flow graph and branch decisions, and returns the constants
 * of its RET K instructions (also where a jump copies them).  It does NOT prove that the loads, stores and
 * ALU instructions compute what their BPF instructions mean (so the value
 * of A or X at a compare or RET A is not proved); the per-image proof
 * (jit_prove.h, over smt_x86.c) does, after this validator.
 */
#ifndef JITK_JIT_CHECK_H
#define JITK_JIT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "jitk.h"

/* Decoded instruction kinds. */
enum xkind {
	XK_SUB_RSP,     /* sub rsp, imm8 */
	XK_ADD_RSP,     /* add rsp, imm8 */
	XK_RET,         /* ret */
	XK_MOV_RI,      /* mov r, imm32 */
	XK_ALU_RR,      /* op r/m(rm), r(reg); op is the opcode byte */
	XK_ALU_RI,      /* 81 /digit r, imm32 */
	XK_TEST_RI,     /* test r, imm32 */
	XK_NEG,         /* neg r */
	XK_DIV,         /* div r */
	XK_IMUL_RRI,    /* imul r, r, imm32 */
	XK_IMUL_RR,     /* imul r, r */
	XK_SHIFT_I,     /* shl/shr r, imm8 */
	XK_SHIFT_CL,    /* shl/shr r, cl */
	XK_LOAD_STACK,  /* mov r, [rsp + d8] */
	XK_STORE_STACK, /* mov [rsp + d8], r */
	XK_LOAD_CTX,    /* mov r, [rdi + d8] */
	XK_JMP,         /* jmp rel */
	XK_JCC,         /* jcc rel */
	XK_CMOV,        /* cmovcc r(reg), r(rm) */
};

struct xinsn {
	size_t pos;   /* offset of the first byte */
	unsigned len; /* bytes */
	enum xkind kind;
	uint8_t op;      /* opcode byte (XK_ALU_RR) */
	uint8_t reg, rm; /* ModRM fields (digit in reg for group opcodes) */
	uint8_t cc;      /* condition code (XK_JCC, XK_CMOV) */
	uint32_t imm;    /* immediate (the imm8 of shifts zero-extended, of
			    cmp r, imm8 and the rsp forms sign-extended, as
			    the CPU extends them) */
	int disp;        /* memory displacement (signed 8-bit) */
	int64_t target;  /* branch target offset (XK_JMP, XK_JCC) */
};

/* Decode the one instruction of the subset above at c[0..avail): JIT_DEC_OK
 * filling *x (x->pos is left to the caller; a branch's x->target is
 * relative to the instruction's start), JIT_DEC_BAD if the bytes are not an
 * instruction of the subset, JIT_DEC_TRUNC if it runs past avail.  Shared
 * by the validator and the x86-64 semantics (smt_x86.c), never by the
 * emitter. */
enum { JIT_DEC_OK, JIT_DEC_BAD, JIT_DEC_TRUNC };
int jit_decode(const uint8_t *c, size_t avail, struct xinsn *x);

#define JIT_CHECK_MAX_FRAME 128u
/* Upper bound on an image's size, 32 bytes per BPF instruction: far above what the JIT needs. */
#define JIT_CHECK_MAX_IMAGE (1u << 17)

struct jit_check_info {
	size_t native_insns; /* x86-64 instructions decoded */
	unsigned frame;      /* bytes of stack frame F, 0 for a frameless image */
};

/* Validate code[0..len) as the translation of insns[0..n) with the claimed
 * offset table offs[0..noffs), noffs == n + 1.  insns must have passed the
 * seccomp checker (the validator still refuses out-of-range jump targets).
 * JITK_OK, filling *info if non-NULL; otherwise JITK_E_JIT (or
 * JITK_E_INVAL / JITK_E_NOMEM) with d->rule, d->msg naming the native
 * offset and d->index the BPF instruction (-1 for prologue/trailer). */
jitk_err jit_check_image(const jitk_insn *insns, size_t n, const uint8_t *code, size_t len,
			 const uint32_t *offs, size_t noffs, struct jit_check_info *info, jitk_diag *d);

#endif
