/* names.c - architectures, syscall numbers, errno names and named constants.
 * The tables themselves are generated from the headers (tables.h). */
#include "internal.h"
#include "tables.h"

#include <string.h>

/* The ABI list is generated from tools/abis.txt (tables.h, tbl_abis). */
#define arches tbl_abis

const char *jitk_arch_name(jitk_arch a)
{
	return (unsigned)a < JITK_ARCH__COUNT ? arches[a].name : "unknown";
}

int jitk_arch_from_name(const char *name)
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		if (strcmp(name, arches[a].name) == 0)
			return a;
		for (const char *al = arches[a].aliases; *al; al += strlen(al) + 1)
			if (strcmp(name, al) == 0)
				return a;
	}
	return -1;
}

uint32_t jitk_arch_audit(jitk_arch a)
{
	return (unsigned)a < JITK_ARCH__COUNT ? arches[a].audit : 0;
}

const char *strip_sys_prefix(const char *name)
{
	if (strncmp(name, "SYS_", 4) == 0)
		return name + 4;
	if (strncmp(name, "__NR_", 5) == 0)
		return name + 5;
	return name;
}

bool syscall_placeholder(const char *name)
{
	if (!name)
		return false;
	name = strip_sys_prefix(name);
	size_t k = strncmp(name, "unused", 6) == 0 ? 6 : strncmp(name, "reserved", 8) == 0 ? 8 : 0;
	if (k == 0 || name[k] == '\0')
		return false;
	for (; name[k]; k++)
		if (name[k] < '0' || name[k] > '9')
			return false;
	return true;
}

int jitk_syscall_nr(jitk_arch a, const char *name)
{
	if ((unsigned)a >= JITK_ARCH__COUNT || !name)
		return -1;
	name = strip_sys_prefix(name);
	/* Binary search: tools/gen_tables.sh writes each table sorted by name
	 * in strcmp's order (LC_ALL=C sort), unique (test_names checks both). */
	const struct tbl_sys *s = arches[a].sys;
	size_t lo = 0, hi = *arches[a].nsys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s[mid].name, name);
		if (c == 0)
			return s[mid].nr;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const char *jitk_syscall_name(jitk_arch a, int nr)
{
	if ((unsigned)a >= JITK_ARCH__COUNT)
		return NULL;
	for (const struct tbl_sys *s = arches[a].sys; s->name; s++)
		if (s->nr == nr)
			return s->name;
	return NULL;
}

bool jitk_syscall_at(jitk_arch a, size_t i, const char **name, int *nr)
{
	if ((unsigned)a >= JITK_ARCH__COUNT)
		return false;
	if (i >= *arches[a].nsys)
		return false;
	const struct tbl_sys *s = arches[a].sys;
	if (name)
		*name = s[i].name;
	if (nr)
		*nr = s[i].nr;
	return true;
}

const uint32_t *syscall_numbers(jitk_arch a, size_t *n)
{
	if ((unsigned)a >= JITK_ARCH__COUNT) {
		*n = 0;
		return NULL;
	}
	*n = *arches[a].nsys;
	return arches[a].sysnr;
}

const char *jitk_syscall_suggest(jitk_arch a, const char *name)
{
	if ((unsigned)a >= JITK_ARCH__COUNT)
		return NULL;
	bool abi[JITK_ARCH__COUNT] = { false };
	abi[a] = true;
	return syscall_suggest_abis(abi, name);
}

int jitk_errno_value(const char *name)
{
	for (const struct tbl_const *c = tbl_errno; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return (int)c->value;
	return -1;
}

int errno_value_arch(jitk_arch a, const char *name)
{
	if ((unsigned)a >= JITK_ARCH__COUNT)
		return -1;
	for (const struct tbl_const *c = arches[a].errnos; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return (int)c->value;
	return -1;
}

const char *errno_name_abis(unsigned abis, int value)
{
	static const char *const preferred[] = { "EAGAIN", "EDEADLK", "ENOTSUP", "EOPNOTSUPP" };
	int first = -1;
	for (int a = 0; a < JITK_ARCH__COUNT && first < 0; a++)
		if (abis >> a & 1)
			first = a;
	if (first < 0)
		return NULL;
	/* a name with this value on every ABI of the set, canonical first */
	for (size_t i = 0; i <= sizeof preferred / sizeof *preferred; i++)
		for (const struct tbl_const *c = arches[first].errnos; c->name; c++) {
			if (i < sizeof preferred / sizeof *preferred && strcmp(c->name, preferred[i]))
				continue;
			bool all = (int)c->value == value;
			for (int a = first + 1; all && a < JITK_ARCH__COUNT; a++)
				all = !(abis >> a & 1) || errno_value_arch((jitk_arch)a, c->name) == value;
			if (all)
				return c->name;
		}
	return NULL;
}

const char *jitk_errno_name_arch(jitk_arch a, int value)
{
	if ((unsigned)a >= JITK_ARCH__COUNT)
		return jitk_errno_name(value);
	return errno_name_abis(1u << a, value);
}

const char *jitk_errno_name(int value)
{
	/* Prefer the canonical name where aliases exist (EAGAIN, not EWOULDBLOCK). */
	static const char *const preferred[] = { "EAGAIN", "EDEADLK", "ENOTSUP", "EOPNOTSUPP" };
	for (size_t i = 0; i < sizeof preferred / sizeof *preferred; i++)
		if (jitk_errno_value(preferred[i]) == value)
			return preferred[i];
	for (const struct tbl_const *c = tbl_errno; c->name; c++)
		if ((int)c->value == value)
			return c->name;
	return NULL;
}

bool jitk_const_value(const char *name, uint64_t *value)
{
	return jitk_const_value_arch(JITK_ARCH_X86_64, name, value);
}

bool jitk_const_value_arch(jitk_arch a, const char *name, uint64_t *value)
{
	if ((unsigned)a >= JITK_ARCH__COUNT || !name)
		return false;
	for (const struct tbl_const *c = arches[a].consts; c->name; c++)
		if (strcmp(c->name, name) == 0) {
			if (value)
				*value = c->value;
			return true;
		}
	return false;
}
