/*
 * interp.h - the reference interpreter: the kernel's runtime semantics of a
 * seccomp classic BPF program, written as a plain specification.
 *
 * TRUSTED BASE.  The JIT, the compiler tests and the SMT encoder are all
 * compared against this function, and it is itself compared against the
 * running kernel (tests/kernel/test_interp_kernel.c), so it favours
 * obviously-correct code over speed.
 */
#ifndef JITK_INTERP_H
#define JITK_INTERP_H

#include <stddef.h>

#include "jitk.h"

/*
 * Run insns[0..n) on *in and store the outcome in *out (ret, steps,
 * unspecified).
 *
 * Semantics (docs/kernel-notes.md): A, X and M[0..15] are u32 and start at 0;
 * ALU operations wrap modulo 2^32; DIV by X == 0 stops the program, which
 * returns 0; a shift by X uses X & 31 (as the kernel's interpreter and the
 * x86-64 JIT do) and sets out->unspecified when X >= 32; LD W ABS k reads the
 * native-endian u32 at byte k of *in (word k/4: jitk holds seccomp_data as
 * the words a filter reads, in the call's ABI's order, include/jitk.h); LEN
 * is 64; a jump goes to pc + 1 + off.
 * out->steps counts executed instructions including the final RET (or the
 * DIV that stopped the program).
 *
 * Precondition: the program passed jitk_check (seccomp opcodes only, jumps in
 * range, last instruction a RET, M read only after a write, 1..4096
 * instructions).  The function still never reads outside insns[0..n) and *in
 * and has no undefined behaviour on any input: a state the checker rules out
 * (an unknown or non-seccomp opcode, an out-of-range offset, jump or cell, a
 * DIV or shift by an illegal constant, running off the end) stops the
 * program with ret 0, the most restrictive action (KILL_THREAD).
 */
void interp_run(const jitk_insn *insns, size_t n, const struct seccomp_data *in, jitk_result *out);

#endif
