/*
 * smt_x86.h - the x86-64 semantics of a JIT image, as a Z3 term.
 *
 * TRUSTED BASE.  jit_prove (src/trusted/jit_prove.c) proves an image equal
 * to its filter by asking Z3 whether smt_x86(image) can differ from
 * smt_bpf(filter) or fault.  The semantics is written from the Intel SDM
 * (vol. 2, the instruction pages of the subset in jit_check.h) over the
 * validator's decoder (jit_decode); it shares nothing with the emitter
 * (src/jit.c, src/jit_x86.h), and it does not need the emitter's offset
 * table: it reads the bytes alone.
 *
 * Machine model.  The image is called as uint32_t f(const struct
 * seccomp_data *rdi).  State: eax, ecx, edx, esi (32-bit; the only
 * registers the decoder admits), CF and ZF, the depth of rsp below its
 * entry value (a number known at each instruction), and the stack frame
 * as 32-bit cells.  At entry the four registers and every frame cell hold
 * arbitrary values: free constants (smt_x86.init[]), so a proved image is
 * equal to its filter whatever the caller leaves in them.  [rdi + d]
 * reads bytes d..d+3 of the input (smt.h's word map, little-endian).
 *
 * Flags are kept as the two predicates the subset's condition codes read:
 * after cmp a, b (and sub) CF is a <u b and ZF is a == b; after test/and/
 * or/xor CF is false and ZF is (result == 0); after add CF is the carry
 * (result <u a); after neg CF is (src != 0).  A condition code is the
 * predicate it means over them (jb CF, jae !CF, je ZF, jne !ZF, jbe
 * CF | ZF, ja !CF & !ZF), never a bit computed from an arithmetic result.
 * Where the SDM leaves the flags undefined (div, imul's ZF) or this model
 * does not track them (shift by cl, the rsp adjustments) they become
 * unknown, and an instruction that reads unknown flags is refused.
 *
 * div r is the 32-bit unsigned division eax / r, remainder to edx, which
 * is what the SDM's EDX:EAX / r computes when edx == 0.  Every other case
 * (r == 0: #DE; edx != 0: outside this model) is a fault: smt_x86.fault
 * holds exactly on the inputs where some reached div has r == 0 or
 * edx != 0.
 *
 * What is refused (JITK_E_JIT, d->msg naming the native offset): bytes the
 * decoder does not accept (the first such byte is named), an instruction
 * running past the end, a backward branch or one that does not land on an
 * instruction boundary inside the image (so every run terminates), code
 * that runs off the end, a ret with rsp not at its entry value, rsp
 * changed other than by one sub rsp, F (0 < F <= 128, a multiple of 4) at
 * depth 0 and add rsp, F back to 0, a stack access that is not an aligned
 * cell inside the frame, a context read outside struct seccomp_data, paths
 * meeting with different rsp depths, reading unknown flags.  Together with
 * fault == false this means the image terminates, touches only its frame
 * and the input, and returns through ret with rsp restored.
 */
#ifndef JITK_SMT_X86_H
#define JITK_SMT_X86_H

#include "smt.h"

#define SMT_X86_NREGS 4u   /* eax, ecx, edx, esi */
#define SMT_X86_NCELLS 32u /* 128-byte frame / 4 */
#define SMT_X86_MAX_FRAME 128u

struct smt_x86 {
	Z3_ast ret;   /* 32-bit: eax at the ret that ends the run */
	Z3_ast fault; /* bool: the run reaches a div that faults */
	/* The free initial values: eax, ecx, edx, esi, then frame cells
	 * 0..31 (cell i is [rsp + 4i] after the sub). */
	Z3_ast init[SMT_X86_NREGS + SMT_X86_NCELLS];
	size_t ninsns;  /* x86 instructions decoded */
	unsigned frame; /* F of the sub rsp, 0 if none */
};

/* The semantics of code[0..len) on input `in` (smt.h's input model).
 * JITK_OK filling *out; JITK_E_JIT with d->index = -1 and d->msg naming
 * the native offset for an image outside the model; JITK_E_NOMEM,
 * JITK_E_SOLVER (a Z3 error). */
jitk_err smt_x86(Z3_context c, const uint8_t *code, size_t len, const struct smt_input *in,
		 struct smt_x86 *out, jitk_diag *d);

#endif
