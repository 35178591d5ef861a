/* lsc_arch.h - libseccomp's arch token of a jitk ABI, for the tests and the
 * bench that link libseccomp (header-only: the other tests do not).  The
 * mapping is oci.c's scmp_arches[] (oci_scmp_arch): its SCMP_ARCH_ name,
 * whose lowercase suffix is libseccomp's own arch name, which
 * seccomp_arch_resolve_name turns into the token.  0: libseccomp does not
 * know the arch (or jitk has no SCMP_ARCH_ name for it). */
#ifndef JITK_LSC_ARCH_H
#define JITK_LSC_ARCH_H

#include "internal.h"

#include <ctype.h>
#include <seccomp.h>
#include <string.h>

/* The token of an SCMP_ARCH_ name ("SCMP_ARCH_X86_64"), 0 if none. */
static inline uint32_t lsc_arch_named(const char *s)
{
	if (!s || strncmp(s, "SCMP_ARCH_", 10) != 0)
		return 0;
	char low[32];
	size_t n = 0;
	for (s += 10; *s && n + 1 < sizeof low; s++)
		low[n++] = (char)tolower((unsigned char)*s);
	low[n] = '\0';
	return seccomp_arch_resolve_name(low);
}

static inline uint32_t lsc_arch(jitk_arch a)
{
	return lsc_arch_named(oci_scmp_arch(a));
}

/* jitk's ABI of an SCMP_ARCH_ name, -1 if jitk has none. */
static inline int lsc_jitk_arch(const char *s)
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		const char *n = oci_scmp_arch((jitk_arch)a);
		if (n && !strcmp(n, s))
			return a;
	}
	return -1;
}

#endif
