/* params.c - lookups in the generated parameter table (params.h). */
#include "params.h"

const struct tbl_params *params_find(jitk_arch a, int nr)
{
	if ((unsigned)a >= JITK_ARCH__COUNT)
		return NULL;
	const struct tbl_params *t = tbl_abis[a].params;
	size_t lo = 0, hi = *tbl_abis[a].nparams; /* sorted by nr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].nr == nr)
			return &t[mid];
		if (t[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

unsigned params_width(jitk_arch a, int nr, unsigned argi)
{
	/* The register width: i386 passes 32-bit registers (the kernel
	 * truncates; docs/kernel-notes.md section 8), the others 64. */
	unsigned reg = a == JITK_ARCH_I386 ? 32 : 64;
	const struct tbl_params *p = params_find(a, nr);
	if (!p || argi >= p->nargs)
		return reg;
	unsigned w = p->arg[argi].width;
	return w < reg ? w : reg;
}
