/*
 * progen.h - random classic BPF programs for differential tests.
 *
 * Deterministic from the rng_t state (testlib.h): the same seed gives the
 * same programs on every machine.  Two modes:
 *
 *   PROGEN_VALID  programs the kernel accepts as seccomp filters (every
 *                 output passes jitk_check): seccomp opcodes only, legal
 *                 operands, forward jumps in range (near the end, too), M[]
 *                 reads only of cells the kernel's analysis sees as stored,
 *                 RETs in the middle and at the end, and kernel-ignored junk
 *                 in unused jt/jf/k fields now and then.  Loads use k =
 *                 0, 4, ..., 60.  Good input for the interpreter, the JIT and
 *                 codegen tests.
 *
 *   PROGEN_EDGES  a PROGEN_VALID program with zero or more mutations aimed
 *                 at the checker's edges: random and near-miss 16-bit codes,
 *                 classic-only opcodes, k at 0/15/16/31/32/60/62/63/64/...,
 *                 ancillary offsets, jump offsets at and past the end, M[]
 *                 reads without a store on some path (also after a RET),
 *                 a non-RET last instruction, and lengths 0, 1, 4096, 4097.
 *                 About half the outputs are accepted.
 *
 * Lengths are biased toward small programs with a tail up to 4096 (4097 in
 * PROGEN_EDGES); each call writes at most cap instructions (cap >= 1;
 * PROGEN_MAXLEN is always enough).
 */
#ifndef JITK_PROGEN_H
#define JITK_PROGEN_H

#include <stddef.h>

#include "jitk.h"
#include "testlib.h"

enum progen_mode { PROGEN_VALID, PROGEN_EDGES };

#define PROGEN_MAXLEN (JITK_MAXINSNS + 1)

/* Write a random program into out[0..cap) and return its length (which is 0
 * only in PROGEN_EDGES mode). */
size_t progen(rng_t *r, enum progen_mode mode, jitk_insn *out, size_t cap);

/* As progen, with the length chosen by the caller (1 <= n <= cap). */
size_t progen_len(rng_t *r, enum progen_mode mode, jitk_insn *out, size_t n);

#endif
