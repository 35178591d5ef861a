/* kcache.h - the kernel's seccomp action-cache emulation, for tests and
 * benches: which (arch, nr) the kernel (5.11+) allows without running the
 * filter at all. */
#ifndef JITK_KCACHE_H
#define JITK_KCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "jitk.h"

/*
 * kernel/seccomp.c's seccomp_is_const_allow, written from the rules in
 * docs/kernel-notes.md section 6 (not from its code): run the
 * program with only nr and arch known, A starting at 0, and say true only
 * if it reaches `ret #0x7fff0000` (ALLOW with no data, exactly) through
 * ld [0] / ld [4], ja, jeq/jgt/jge/jset with K and `and #k`.  Any other
 * instruction or return value means "not cacheable".
 */
bool kcache_const_allow(const jitk_filter *f, uint32_t arch, uint32_t nr);

#endif
