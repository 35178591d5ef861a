/*
 * check.h - the seccomp checker's internal entry point.  TRUSTED BASE.
 *
 * check_insns() decides exactly what seccomp(SECCOMP_SET_MODE_FILTER) on
 * Linux 6.x accepts: the length limit, bpf_check_classic(),
 * check_load_and_stores() and seccomp_check_filter(), in the kernel's order,
 * reporting the first failure.  docs/checker.md lists the rules and their
 * stable ids.  Stages that consume instructions without a jitk_filter (the
 * JIT, codegen, the interpreter) call it directly; jitk_check() is a thin
 * wrapper.
 */
#ifndef JITK_CHECK_H
#define JITK_CHECK_H

#include "jitk.h"

/* Rule ids written to jitk_diag.rule, in the order the kernel applies them. */
#define CHECK_RULE_LENGTH "length"                 /* n == 0 or n > 4096 */
#define CHECK_RULE_OPCODE "opcode"                 /* code not in the classic table */
#define CHECK_RULE_DIV_BY_ZERO "div-by-zero"       /* DIV/MOD K with k == 0 */
#define CHECK_RULE_SHIFT_RANGE "shift-range"       /* LSH/RSH K with k >= 32 */
#define CHECK_RULE_MEM_INDEX "mem-index"           /* LD/LDX MEM, ST, STX with k >= 16 */
#define CHECK_RULE_JUMP_RANGE "jump-range"         /* jump target past the last insn */
#define CHECK_RULE_LD_ABS_RANGE "ld-abs-range"     /* LD ABS k >= SKF_AD_OFF, not ancillary */
#define CHECK_RULE_LAST_NOT_RET "last-not-ret"     /* last insn is not RET K / RET A */
#define CHECK_RULE_MEM_UNINIT "mem-uninit"         /* M[k] read not preceded by a store */
#define CHECK_RULE_SECCOMP_OPCODE "seccomp-opcode" /* classic-legal, not admitted by seccomp */
#define CHECK_RULE_SECCOMP_LOAD "seccomp-load"     /* LD W ABS k >= 64 or k % 4 != 0 */

/*
 * JITK_OK if seccomp(2) accepts insns[0..n).  Otherwise JITK_E_TOO_BIG (n == 0,
 * index -1; n > 4096, index 4096) or JITK_E_CHECK, with d->index the failing
 * instruction, d->rule one of the ids above, d->msg and usually d->hint.
 * JITK_E_INVAL if insns is NULL with n > 0.  d may be NULL; on success it is
 * cleared.  No allocation; uses about 8 KiB of stack.
 */
jitk_err check_insns(const jitk_insn *insns, size_t n, jitk_diag *d);

#endif
