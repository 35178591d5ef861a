/* disasm.h - what the printers of a filter share (disasm.c): per
 * instruction, whether it prints in mnemonic form, whether it is a jump
 * target, what A holds and which ABIs a call can be of there.  The text and
 * C printers live in disasm.c, the Graphviz printer in dot.c. */
#ifndef JITK_DISASM_H
#define JITK_DISASM_H

#include "internal.h"

struct dis {
	bool *canon;   /* the mnemonic form assembles back to the same bytes */
	bool *label;   /* a jump target */
	int *asrc;     /* seccomp_data offset A was loaded from, -1 other */
	unsigned *abi; /* bit per jitk_arch: the ABIs a call can be of here */
};

jitk_err dis_prepare(const jitk_filter *f, struct dis *d);
void dis_free(struct dis *d);
/* Instruction i as assembler text and its comment ("" if none). */
void dis_insn(const jitk_filter *f, const struct dis *d, size_t i, char *buf, size_t cap, char *cmt,
	      size_t ccap);
/* "ALLOW", "ERRNO(EACCES)", ... for a return value of a call of one of
 * the ABIs abis (a bit per jitk_arch; 0: unknown): the errno name they
 * share, else the number. */
void dis_ret_comment(uint32_t k, unsigned abis, char *buf, size_t cap);

#endif
