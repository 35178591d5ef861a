/*
 * oracle.h - ask the running kernel whether seccomp(2) accepts a program.
 *
 * The verdict is the return of seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog)
 * in a forked child with no_new_privs: 0 (accepted) or the errno (EINVAL for
 * every checker rejection).  A child that got a program accepted makes no
 * further system call of its own except exit_group, which the new filter
 * judges; whatever the filter returns, the child dies (see oracle.c), so no
 * program under test can disturb the harness, and no core file is written.
 *
 * Batches are fast: a rejected program changes nothing, so one child tries
 * programs one after another until one is accepted; only then is a new child
 * started (clone with CLONE_VM | CLONE_VFORK: it shares the caller's memory
 * while the caller sleeps).  About 4,000 programs a second on the loaded
 * 2-core VM, half of them accepted.  Not thread
 * safe; call it from the main thread of a test, not under ASan.
 */
#ifndef JITK_ORACLE_H
#define JITK_ORACLE_H

#include <stddef.h>

#include "jitk.h"

/* One program: n instructions at insns (insns may be NULL when n == 0). */
typedef struct oracle_prog {
	const jitk_insn *insns;
	size_t n;
} oracle_prog;

/*
 * out[i] = 0 if the kernel accepts progs[i], else the positive errno it
 * returned.  Programs longer than 65535 instructions cannot be described to
 * the kernel (sock_fprog.len is 16 bits) and get EINVAL without asking, which
 * is what the kernel's length rule would say.  Returns 0, or -1 if the harness
 * failed (allocation, clone, a child died without answering), with out[] unspecified.
 */
int oracle_verdicts(const oracle_prog *progs, size_t count, int *out);

/* One program: 0 accepted, > 0 errno, -1 harness failure. */
int oracle_verdict(const jitk_insn *insns, size_t n);

/* Children started so far by this process (for reports). */
unsigned long oracle_forks(void);

#endif
