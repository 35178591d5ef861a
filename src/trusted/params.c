/* params.c - lookups in the generated parameter table (params.h). */
#include "params.h"

#include <linux/audit.h>

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

bool params_abi32(jitk_arch a)
{
	return (unsigned)a < JITK_ARCH__COUNT && (tbl_abis[a].audit & __AUDIT_ARCH_64BIT) == 0;
}

unsigned params_width(jitk_arch a, int nr, unsigned argi)
{
	/* The register width: 32 where the AUDIT_ARCH value is a 32-bit one
	 * (the kernel truncates or the registers are 32-bit;
	 * docs/kernel-notes.md section 8), 64 elsewhere. */
	unsigned reg = params_abi32(a) ? 32 : 64;
	const struct tbl_params *p = params_find(a, nr);
	if (!p || argi >= p->nargs)
		return reg;
	unsigned w = p->arg[argi].width;
	return w < reg ? w : reg;
}

/* The byte order of seccomp_data, from the AUDIT_ARCH value: the kernel's
 * syscall_get_arch() sets __AUDIT_ARCH_LE exactly when it is built
 * little-endian (docs/kernel-notes.md, section 11). */
bool params_audit_big_endian(uint32_t audit)
{
	return (audit & __AUDIT_ARCH_LE) == 0;
}

bool params_big_endian(jitk_arch a)
{
	return (unsigned)a < JITK_ARCH__COUNT && params_audit_big_endian(tbl_abis[a].audit);
}

/* A 64-bit field occupies two words, the first at byte 8 (PARAMS_IP) or
 * 16 + 8f; `ld` reads each as a native u32, so the low half is the first
 * word in little-endian order and the second in big-endian order
 * (docs/kernel-notes.md, section 11). */
unsigned params_word(bool big_endian, unsigned f, bool high)
{
	unsigned first = f < 6 ? 4 + 2 * f : 2;
	return first + (high != big_endian);
}

/* This host is little-endian, so the u64 stored in a field holds the
 * field's first word in its low half and its second in its high half. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "params_field assumes a little-endian host"
#endif

uint64_t params_field(bool big_endian, const struct seccomp_data *in, unsigned f)
{
	uint64_t raw = f < 6 ? in->args[f] : in->instruction_pointer;
	uint32_t w[2] = { (uint32_t)raw, (uint32_t)(raw >> 32) };
	unsigned first = params_word(big_endian, f, false) & ~1u;
	uint64_t lo = w[params_word(big_endian, f, false) - first];
	uint64_t hi = w[params_word(big_endian, f, true) - first];
	return hi << 32 | lo;
}

void params_set_field(bool big_endian, struct seccomp_data *in, unsigned f, uint64_t v)
{
	uint32_t w[2];
	unsigned first = params_word(big_endian, f, false) & ~1u;
	w[params_word(big_endian, f, false) - first] = (uint32_t)v;
	w[params_word(big_endian, f, true) - first] = (uint32_t)(v >> 32);
	uint64_t raw = (uint64_t)w[1] << 32 | w[0];
	if (f < 6)
		in->args[f] = raw;
	else
		in->instruction_pointer = raw;
}

uint64_t jitk_data_arg(const struct seccomp_data *in, unsigned f)
{
	return in && f <= PARAMS_IP ? params_field(params_audit_big_endian(in->arch), in, f) : 0;
}

void jitk_data_set_arg(struct seccomp_data *in, unsigned f, uint64_t v)
{
	if (in && f <= PARAMS_IP)
		params_set_field(params_audit_big_endian(in->arch), in, f, v);
}
