/*
 * stack.h - the kernel's semantics of a stack of seccomp filters.
 *
 * TRUSTED BASE.  When a thread has several filters, the kernel runs every
 * one of them and keeps one answer (kernel/seccomp.c, seccomp_run_filters;
 * docs/kernel-notes.md "Stacked filters"):
 *
 *     ret = SECCOMP_RET_ALLOW;
 *     for (f = newest; f; f = f->prev) {
 *             cur = run(f);
 *             if ((s32)(cur & RET_ACTION_FULL) < (s32)(ret & RET_ACTION_FULL))
 *                     ret = cur;
 *     }
 *
 * So the action that is smallest as a signed 32-bit number wins
 * (KILL_PROCESS 0x80000000 < KILL_THREAD 0 < TRAP < ERRNO < USER_NOTIF <
 * TRACE < LOG < ALLOW; an undefined action sits where its value puts it),
 * its data comes with it, and on a tie the most recently installed filter
 * wins because the comparison is strict and the walk starts at the newest.
 * Answers whose action is ALLOW become exactly SECCOMP_RET_ALLOW (their
 * data is dropped), as the initial value wins every tie with them.
 *
 * Filters are given in installation order: rets[0] is the first installed.
 */
#ifndef JITK_TRUSTED_STACK_H
#define JITK_TRUSTED_STACK_H

#include <stddef.h>
#include <stdint.h>
#include <z3.h>

/* The kernel's answer for a stack whose filters returned rets[0..n). */
uint32_t stack_fold(const uint32_t *rets, size_t n);

/* The same over 32-bit Z3 terms; NULL only if Z3 failed.  The context
 * contract of smt.h applies (Z3_mk_context, ASTs live with the context). */
Z3_ast smt_stack(Z3_context c, const Z3_ast *rets, size_t n);

#endif
