/* suggest.c - "did you mean" for syscall names: the one home of that hint
 * (internal.h, syscall_suggest_abis), over the generated tables through
 * jitk_syscall_at.  Not in the runtime library (mk/runtime.mk), which has
 * no names, nor in the trusted base: a hint never changes a policy. */
#include "internal.h"

#include <stdint.h>
#include <string.h>

/* The optimal-string-alignment distance of a and b: insertions, deletions,
 * substitutions and swaps of two neighbours each cost 1 (opne -> open is
 * one swap); SIZE_MAX for names over 63 characters. */
static size_t typo_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return SIZE_MAX;
	size_t d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* How far a suggestion may be from a name of n characters: a third of
 * it, at most 2 (opne -> open, getpdi -> getpgid), so that a name the
 * tables lack is not "corrected" into an unrelated one (cachestat is three
 * edits from faccessat: nothing is said). */
static size_t typo_bound(size_t n)
{
	return n / 3 < 2 ? n / 3 : 2;
}

/* The syscall of a closest to name within typo_bound (first in table
 * order of the closest), or NULL. */
static const char *typo_suggest(jitk_arch a, const char *name)
{
	size_t bound = typo_bound(strlen(name)), best_d = SIZE_MAX;
	const char *best = NULL, *s;
	for (size_t i = 0; jitk_syscall_at(a, i, &s, NULL); i++) {
		if (syscall_placeholder(s))
			continue; /* never offered (names.c) */
		size_t d = typo_distance(name, s);
		if (d <= bound && d < best_d) {
			best_d = d;
			best = s;
		}
	}
	return best;
}

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
		if (strncmp(s, name, n) == 0 && !syscall_placeholder(s) && (!best || strlen(s) < strlen(best)))
			best = s;
	return best;
}

const char *syscall_suggest_abis(const bool abi[], const char *name)
{
	if (!name)
		return NULL;
	name = strip_sys_prefix(name);
	const char *s = NULL;
	for (int a = 0; a < JITK_ARCH__COUNT && !s; a++)
		if (abi[a])
			s = typo_suggest((jitk_arch)a, name);
	for (int a = 0; a < JITK_ARCH__COUNT && !s; a++)
		if (abi[a])
			s = prefix_suggest((jitk_arch)a, name);
	return s;
}
