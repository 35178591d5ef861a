/*
 * jit_map.h - where the JIT put each BPF instruction, for `jitk jit --map`
 * and the tests (jit.c; not public API, and apart from jit_x86.h so that
 * its readers see nothing of the emitter).
 */
#ifndef JITK_JIT_MAP_H
#define JITK_JIT_MAP_H

#include "jitk.h"

/* The native offset of each BPF instruction; *n receives the BPF length.
 * Entry n (one past the program) is the start of the zero-return trailer. */
const uint32_t *jit_offsets(const jitk_jit *j, size_t *n);
/* Number of x86-64 instructions the validator decoded. */
size_t jit_native_count(const jitk_jit *j);

#endif
