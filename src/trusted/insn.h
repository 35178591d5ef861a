/*
 * insn.h - the classic BPF instruction set, described once.
 *
 * TRUSTED BASE.  Every opcode the kernel's bpf_check_classic() knows is one
 * line of INSN_TABLE: its name, its 16-bit code, its bpf_asm mnemonic, the
 * shape of its operand, whether seccomp_check_filter() admits it, and one
 * line of meaning.  The checker, the interpreter, the assembler, the
 * disassembler, the JIT and the SMT encoder all read this table; nothing
 * else lists opcodes.  Everything below the table is derived from it or from
 * the code bits (linux/bpf_common.h), in the manner of Lua's lopcodes.h.
 */
#ifndef JITK_INSN_H
#define JITK_INSN_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/filter.h>

/* Operand shapes, also the assembler's syntax classes. */
enum insn_opnd {
	OPND_NONE, /* tax, txa, neg */
	OPND_IMM,  /* #k            */
	OPND_X,    /* x             */
	OPND_A,    /* a (ret a)     */
	OPND_ABS,  /* [k]           */
	OPND_IND,  /* [x + k]       */
	OPND_MEM,  /* M[k]          */
	OPND_LEN,  /* #len          */
	OPND_MSH,  /* 4*([k]&0xf)   */
	OPND_JA,   /* label (pc+1+k) */
	OPND_JK,   /* #k, Lt, Lf    */
	OPND_JX,   /* x, Lt, Lf     */
};

/*    name       code  mnemonic operand   seccomp meaning */
/* clang-format off */
#define INSN_TABLE(X) \
	X(LD_IMM,    0x00, "ld",   OPND_IMM, true,  "A = k") \
	X(LD_W_ABS,  0x20, "ld",   OPND_ABS, true,  "A = u32 at byte k of seccomp_data (seccomp: k < 64, k % 4 == 0)") \
	X(LD_H_ABS,  0x28, "ldh",  OPND_ABS, false, "A = u16 at packet byte k") \
	X(LD_B_ABS,  0x30, "ldb",  OPND_ABS, false, "A = u8 at packet byte k") \
	X(LD_W_IND,  0x40, "ld",   OPND_IND, false, "A = u32 at packet byte X + k") \
	X(LD_H_IND,  0x48, "ldh",  OPND_IND, false, "A = u16 at packet byte X + k") \
	X(LD_B_IND,  0x50, "ldb",  OPND_IND, false, "A = u8 at packet byte X + k") \
	X(LD_MEM,    0x60, "ld",   OPND_MEM, true,  "A = M[k] (k < 16, written before)") \
	X(LD_W_LEN,  0x80, "ld",   OPND_LEN, true,  "A = 64, sizeof(struct seccomp_data)") \
	X(LDX_IMM,   0x01, "ldx",  OPND_IMM, true,  "X = k") \
	X(LDX_MEM,   0x61, "ldx",  OPND_MEM, true,  "X = M[k] (k < 16, written before)") \
	X(LDX_W_LEN, 0x81, "ldx",  OPND_LEN, true,  "X = 64, sizeof(struct seccomp_data)") \
	X(LDX_B_MSH, 0xb1, "ldxb", OPND_MSH, false, "X = 4 * (packet byte k & 0xf)") \
	X(ST,        0x02, "st",   OPND_MEM, true,  "M[k] = A (k < 16)") \
	X(STX,       0x03, "stx",  OPND_MEM, true,  "M[k] = X (k < 16)") \
	X(ADD_K,     0x04, "add",  OPND_IMM, true,  "A = A + k (mod 2^32)") \
	X(ADD_X,     0x0c, "add",  OPND_X,   true,  "A = A + X (mod 2^32)") \
	X(SUB_K,     0x14, "sub",  OPND_IMM, true,  "A = A - k (mod 2^32)") \
	X(SUB_X,     0x1c, "sub",  OPND_X,   true,  "A = A - X (mod 2^32)") \
	X(MUL_K,     0x24, "mul",  OPND_IMM, true,  "A = A * k (low 32 bits)") \
	X(MUL_X,     0x2c, "mul",  OPND_X,   true,  "A = A * X (low 32 bits)") \
	X(DIV_K,     0x34, "div",  OPND_IMM, true,  "A = A / k, unsigned (k == 0 rejected at load)") \
	X(DIV_X,     0x3c, "div",  OPND_X,   true,  "A = A / X, unsigned; X == 0 stops the filter, which returns 0") \
	X(OR_K,      0x44, "or",   OPND_IMM, true,  "A = A | k") \
	X(OR_X,      0x4c, "or",   OPND_X,   true,  "A = A | X") \
	X(AND_K,     0x54, "and",  OPND_IMM, true,  "A = A & k") \
	X(AND_X,     0x5c, "and",  OPND_X,   true,  "A = A & X") \
	X(LSH_K,     0x64, "lsh",  OPND_IMM, true,  "A = A << k (k >= 32 rejected at load)") \
	X(LSH_X,     0x6c, "lsh",  OPND_X,   true,  "A = A << (X & 31) in the interpreter; X >= 32 unspecified for JITs") \
	X(RSH_K,     0x74, "rsh",  OPND_IMM, true,  "A = A >> k, logical (k >= 32 rejected at load)") \
	X(RSH_X,     0x7c, "rsh",  OPND_X,   true,  "A = A >> (X & 31) in the interpreter; X >= 32 unspecified for JITs") \
	X(NEG,       0x84, "neg",  OPND_NONE, true, "A = -A (mod 2^32)") \
	X(MOD_K,     0x94, "mod",  OPND_IMM, false, "A = A % k (classic only: seccomp rejects MOD)") \
	X(MOD_X,     0x9c, "mod",  OPND_X,   false, "A = A % X (classic only: seccomp rejects MOD)") \
	X(XOR_K,     0xa4, "xor",  OPND_IMM, true,  "A = A ^ k") \
	X(XOR_X,     0xac, "xor",  OPND_X,   true,  "A = A ^ X") \
	X(JA,        0x05, "ja",   OPND_JA,  true,  "pc = pc + 1 + k (forward only, target < len)") \
	X(JEQ_K,     0x15, "jeq",  OPND_JK,  true,  "pc += 1 + (A == k ? jt : jf)") \
	X(JEQ_X,     0x1d, "jeq",  OPND_JX,  true,  "pc += 1 + (A == X ? jt : jf)") \
	X(JGT_K,     0x25, "jgt",  OPND_JK,  true,  "pc += 1 + (A > k ? jt : jf), unsigned") \
	X(JGT_X,     0x2d, "jgt",  OPND_JX,  true,  "pc += 1 + (A > X ? jt : jf), unsigned") \
	X(JGE_K,     0x35, "jge",  OPND_JK,  true,  "pc += 1 + (A >= k ? jt : jf), unsigned") \
	X(JGE_X,     0x3d, "jge",  OPND_JX,  true,  "pc += 1 + (A >= X ? jt : jf), unsigned") \
	X(JSET_K,    0x45, "jset", OPND_JK,  true,  "pc += 1 + ((A & k) != 0 ? jt : jf)") \
	X(JSET_X,    0x4d, "jset", OPND_JX,  true,  "pc += 1 + ((A & X) != 0 ? jt : jf)") \
	X(RET_K,     0x06, "ret",  OPND_IMM, true,  "return k") \
	X(RET_A,     0x16, "ret",  OPND_A,   true,  "return A") \
	X(TAX,       0x07, "tax",  OPND_NONE, true, "X = A") \
	X(TXA,       0x87, "txa",  OPND_NONE, true, "A = X")
/* clang-format on */

enum insn_op {
#define INSN_ENUM(name, code, mn, opnd, sec, meaning) INSN_##name,
	INSN_TABLE(INSN_ENUM)
#undef INSN_ENUM
		INSN__COUNT
};

struct insn_info {
	const char *name;     /* "LD_W_ABS" */
	uint16_t code;        /* 0x20 */
	const char *mnemonic; /* "ld" */
	enum insn_opnd opnd;
	bool seccomp; /* admitted by seccomp_check_filter() */
	const char *meaning;
};

extern const struct insn_info insn_info[INSN__COUNT];

/* The op of a 16-bit code, or -1 if the classic checker rejects the code.
 * The whole 16 bits must match: unused bits are not masked (kernel rule).
 * For Frama-C (make prove-rte), insn_op is this function in the logic: the
 * checker's passes state what an earlier pass established about an
 * instruction in terms of insn_op(code), and each later pass's
 * insn_op_of(code) is then the same op (docs/verify.md). */
/*@ axiomatic insn_op_logic {
  @   logic integer insn_op(integer code);
  @ }
  @*/
/*@ assigns \nothing;
  @ ensures insn_op_def: \result == insn_op(code);
  @ ensures insn_op_range: -1 <= \result < INSN__COUNT;
  @*/
int insn_op_of(uint16_t code);

/* Derived facts, from the code bits. */
#define INSN_IS_JUMP(code) (BPF_CLASS(code) == BPF_JMP)
#define INSN_IS_COND(code) (BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA)
#define INSN_IS_RET(code) (BPF_CLASS(code) == BPF_RET)

#define SECCOMP_DATA_SIZE 64u /* sizeof(struct seccomp_data), also LEN */
#define INSN_MEMWORDS 16u     /* BPF_MEMWORDS: scratch cells M[0..15] */

#endif
