/*
 * params.h - what the kernel does with each syscall argument, per ABI.
 *
 * TRUSTED BASE.  The SCPL semantics (scpl_eval.c, smt_scpl.c) read the
 * width of a parameter here, and so do the compiler's lowering (ir.c) and
 * the lint: one generated table (tools/gen_params.py, from the kernel's
 * prototypes and syscall tables), one lookup.  docs/kernel-notes.md,
 * section 8, gives the kernel code each width follows.
 */
#ifndef JITK_PARAMS_H
#define JITK_PARAMS_H

#include "tables.h"

/* The table's entry for syscall number nr on ABI a (x32 numbers with the
 * x32 bit), or NULL if the kernel runs nothing for nr there that jitk
 * knows the prototype of (unknown numbers, sys_ni_syscall). */
const struct tbl_params *params_find(jitk_arch a, int nr);

/*
 * The number of low bits of args[argi] the kernel uses for syscall nr on
 * ABI a: the width of the parameter's C type (8, 16, 32 or 64), since the
 * syscall wrappers cast each register to it; at most 32 on i386, whose
 * wrappers truncate every register to 32 bits first.  For an argument the
 * syscall does not have, or a number the table lacks, the width of the
 * register as seccomp_data carries it: 32 on i386, 64 elsewhere.
 */
unsigned params_width(jitk_arch a, int nr, unsigned argi);

/* All ones in the low `width` bits (width 1..64). */
static inline uint64_t params_mask(unsigned width)
{
	return width >= 64 ? UINT64_MAX : ((uint64_t)1 << width) - 1;
}

#endif
