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

#include <stdbool.h>

/* The table's entry for syscall number nr on ABI a (x32 numbers with the
 * x32 bit), or NULL if the kernel runs nothing for nr there that jitk
 * knows the prototype of (unknown numbers, sys_ni_syscall). */
const struct tbl_params *params_find(jitk_arch a, int nr);

/*
 * The number of low bits of args[argi] the kernel uses for syscall nr on
 * ABI a: the width of the parameter's C type (8, 16, 32 or 64), since the
 * syscall wrappers cast each register to it; at most 32 on an ABI of
 * 32-bit registers (params_abi32: i386's wrappers truncate every register
 * to 32 bits first; arm, ppc, s390 and mips o32 pass 32-bit registers).
 * For an argument the syscall does not have, or a number the table lacks,
 * the width of the register as seccomp_data carries it: 32 on those ABIs,
 * 64 elsewhere.
 */
unsigned params_width(jitk_arch a, int nr, unsigned argi);

/* Whether ABI a passes 32-bit registers: its AUDIT_ARCH_* value lacks
 * __AUDIT_ARCH_64BIT (i386, arm, ppc, s390, mips o32; x32 and mips n32
 * report a 64-bit value and pass 64-bit registers).  docs/kernel-notes.md,
 * section 8. */
bool params_abi32(jitk_arch a);

/*
 * Where the 32-bit halves of the 64-bit fields of seccomp_data are
 * (docs/kernel-notes.md, section 11).  The kernel fills struct seccomp_data
 * in its own byte order and `ld [k]` loads the native u32 at byte k, so on
 * a big-endian ABI the high half of args[i] is the word at 16 + 8i and the
 * low half the word at 20 + 8i, the reverse of a little-endian one (and the
 * same for instruction_pointer at 8).  An ABI is big-endian when its
 * AUDIT_ARCH value lacks __AUDIT_ARCH_LE.  This is the only place that
 * says so: the semantics (scpl_eval.c, smt_scpl.c), the compiler and the
 * library's accessors (jitk_data_arg) all ask here.
 */
#define PARAMS_IP JITK_DATA_IP /* the field number of instruction_pointer; args are 0..5 */

/* Whether calls whose seccomp_data.arch is `audit` see a big-endian
 * seccomp_data (no __AUDIT_ARCH_LE); params_big_endian: the same for ABI
 * a (its AUDIT_ARCH value, tools/abis.txt), false for no ABI. */
bool params_audit_big_endian(uint32_t audit);
bool params_big_endian(jitk_arch a);

/* The index (0..15; byte offset 4 * index) of the word `ld` reads for the
 * low (high = false) or high half of field f (args[f], f < 6, or
 * PARAMS_IP), in a seccomp_data of the given byte order. */
unsigned params_word(bool big_endian, unsigned f, bool high);

/* The value of field f of *in, and setting it, for a call whose
 * seccomp_data has the given byte order.  jitk keeps a seccomp_data as the
 * sixteen words `ld` reads, each a u32 of this (little-endian) host, so on
 * a big-endian ABI the two halves of each 64-bit field are stored swapped
 * (include/jitk.h). */
uint64_t params_field(bool big_endian, const struct seccomp_data *in, unsigned f);
void params_set_field(bool big_endian, struct seccomp_data *in, unsigned f, uint64_t v);

/* All ones in the low `width` bits (width 1..64). */
static inline uint64_t params_mask(unsigned width)
{
	return width >= 64 ? UINT64_MAX : ((uint64_t)1 << width) - 1;
}

#endif
