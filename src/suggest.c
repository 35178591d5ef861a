/* suggest.c - "did you mean" for syscall names: the one home of that hint
 * (internal.h, syscall_suggest_abis), over the generated tables through
 * jitk_syscall_at.  Not in the runtime library (mk/runtime.mk), which has
 * no names, nor in the trusted base: a hint never changes a policy. */
#include "internal.h"

#include <stdint.h>
#include <string.h>

/* A syscall name of a that starts with name (shortest), for hints such as
 * open -> openat where the edit distance is too large; names under three
 * characters are no prefix worth offering. */
static const char *prefix_suggest(jitk_arch a, const char *name)
{
	size_t n = strlen(name);
	const char *best = NULL, *s;
	if (n < 3)
		return NULL;
	for (size_t i = 0; jitk_syscall_at(a, i, &s, NULL); i++)
		if (strncmp(s, name, n) == 0 && (!best || strlen(s) < strlen(best)))
			best = s;
	return best;
}

/* The syscall of a at edit distance <= 2 from name (first of the closest),
 * for short typos closest_plausible is too strict for. */
static const char *near_suggest(jitk_arch a, const char *name)
{
	const char *s;
	struct closest c;
	closest_init(&c, name, 3);
	for (size_t i = 0; jitk_syscall_at(a, i, &s, NULL); i++)
		closest_try(&c, s);
	return strlen(name) >= 4 ? c.best : NULL;
}

const char *syscall_suggest_abis(const bool abi[], const char *name)
{
	if (!name)
		return NULL;
	name = strip_sys_prefix(name);
	const char *s = NULL, *t;
	for (int a = 0; a < JITK_ARCH__COUNT && !s; a++)
		if (abi[a]) {
			struct closest c;
			closest_init(&c, name, SIZE_MAX);
			for (size_t i = 0; jitk_syscall_at((jitk_arch)a, i, &t, NULL); i++)
				closest_try(&c, t);
			s = closest_plausible(&c); /* only plausible corrections */
		}
	for (int a = 0; a < JITK_ARCH__COUNT && !s; a++)
		if (abi[a])
			s = prefix_suggest((jitk_arch)a, name);
	for (int a = 0; a < JITK_ARCH__COUNT && !s; a++)
		if (abi[a])
			s = near_suggest((jitk_arch)a, name);
	return s;
}
