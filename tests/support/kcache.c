/* kcache.c - see kcache.h. */
#include "kcache.h"

#include <linux/filter.h>

bool kcache_const_allow(const jitk_filter *f, uint32_t arch, uint32_t nr)
{
	const jitk_insn *p = jitk_filter_insns(f);
	size_t n = jitk_filter_len(f);
	uint32_t a = 0;
	size_t pc = 0;
	while (pc < n) {
		const jitk_insn *i = &p[pc];
		bool taken;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k == 0)
				a = nr;
			else if (i->k == 4)
				a = arch;
			else
				return false;
			pc++;
			continue;
		case BPF_RET | BPF_K: return i->k == JITK_RET_ALLOW;
		case BPF_JMP | BPF_JA: pc += 1 + (size_t)i->k; continue;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= i->k;
			pc++;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K: taken = a == i->k; break;
		case BPF_JMP | BPF_JGT | BPF_K: taken = a > i->k; break;
		case BPF_JMP | BPF_JGE | BPF_K: taken = a >= i->k; break;
		case BPF_JMP | BPF_JSET | BPF_K: taken = (a & i->k) != 0; break;
		default: return false;
		}
		pc += 1 + (size_t)(taken ? i->jt : i->jf);
	}
	return false; /* ran off the end: the checker forbids it */
}
