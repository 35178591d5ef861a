/* internal.h - shared by every stage of the library, never installed. */
#ifndef JITK_INTERNAL_H
#define JITK_INTERNAL_H

#include "jitk.h"
#include "diag.h"

#include <stdarg.h>

/* The filter container: immutable once built. */
struct jitk_filter {
	size_t len;
	jitk_insn insns[]; /* len entries */
};

/* Allocate a filter of n instructions with unspecified contents; the caller
 * fills it before anyone else sees it.  NULL on allocation failure. */
jitk_filter *filter_alloc(size_t n);

/* Bounded string copy that always terminates dst (cap > 0). */
void str_copy(char *dst, size_t cap, const char *src);

/* Growable string used by printers; sticky error on allocation failure. */
struct strbuf {
	char *buf;
	size_t len, cap;
	bool failed;
};
void sb_printf(struct strbuf *sb, const char *fmt, ...) JITK_PRINTF(2, 3);
/* Hand the buffer over (NUL-terminated) or JITK_E_NOMEM, freeing it. */
jitk_err sb_finish(struct strbuf *sb, char **out);

/* All of path, NUL-terminated, at most max bytes (JITK_E_TOO_BIG beyond:
 * /dev/zero ends there).  regular_only refuses anything but a regular file
 * without blocking on it (a fifo with no writer). */
/* "16 MiB", "64 KiB", "100 bytes": a size for messages. */
void size_text(size_t n, char *buf, size_t cap);
jitk_err read_file(const char *path, size_t max, bool regular_only, char **text, size_t *len, jitk_diag *d);

/* An arena (arena.c): zeroed, max-aligned allocations that live until
 * arena_free releases the whole chain.  *a starts NULL; NULL on failure. */
struct arena_blk;
void *arena_alloc(struct arena_blk **a, size_t n);
void arena_free(struct arena_blk *a);

/* Make the malloc'd array *arr (*cap elements of elem bytes) hold at least
 * need elements, doubling.  false on overflow or allocation failure, with
 * *arr and *cap unchanged. */
bool array_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* qsort/bsearch order of uint32_t values (util.c). */
int cmp_u32(const void *a, const void *b);

/* Sort v[0..n) ascending, with tmp[0..n) as scratch (not overlapping v):
 * qsort's order without its calls through a pointer per compare (the
 * compiler sorts its (number, rule) keys at every compile, ir.c). */
void sort_u64(uint64_t *v, uint64_t *tmp, size_t n);

/* Levenshtein distance, capped (for "did you mean" hints). */
size_t edit_distance(const char *a, const char *b);

/* "Did you mean": the closest of a series of candidates to want, by
 * edit_distance; the first of equally close ones wins (util.c).
 *     struct closest c;
 *     closest_init(&c, name, 3);
 *     for (each candidate s) closest_try(&c, s);
 *     if (c.best) ...
 * Only candidates nearer than limit count (SIZE_MAX: any). */
struct closest {
	const char *want;
	const char *best; /* NULL while no candidate counted */
	size_t best_d;
};
void closest_init(struct closest *c, const char *want, size_t limit);
/* Offer a candidate; true if it is the new best. */
bool closest_try(struct closest *c, const char *cand);
/* The best if it is a plausible typo of want (distance at most 1 for names
 * under 5 characters, else len / 3 + 1), else NULL. */
const char *closest_plausible(const struct closest *c);

/* name without a leading SYS_ or __NR_ (names.c): how syscall names are
 * looked up and suggested. */
const char *strip_sys_prefix(const char *name);

/* Whether name (SYS_/__NR_ ignored) is a placeholder of a kernel syscall
 * table, "unused<N>" or "reserved<N>": the kernel's tables name their empty
 * or retired slots so (arch/mips/kernel/syscalls/syscall_o32.tbl: 18 o32
 * unused18 sys_ni_syscall), and the UAPI headers give them __NR_ numbers,
 * but no program calls such a name: a policy must give the slot by number. */
bool syscall_placeholder(const char *name);

/* The syscall numbers of ABI a (jitk_syscall_at's, with their repeats: two
 * names of one number count twice) in ascending order, *n of them; NULL
 * and 0 for an ABI out of range.  Sorted by the table generator
 * (tools/gen_tables.sh), so a caller needs no copy. */
const uint32_t *syscall_numbers(jitk_arch a, size_t *n);

/* "Did you mean" for a syscall name none of the ABIs abi[a] (indexed by
 * jitk_arch) has: the one home of that hint (suggest.c), which
 * jitk_syscall_suggest is for one ABI.  Tries, ABI by ABI in enum order,
 * the closest name within a third of the name's length and at most 2
 * edits (a swap of neighbours is one), then a name the given one is a
 * prefix of (open -> openat); NULL if none, so that a far name is never
 * offered.  SYS_ and __NR_ prefixes are ignored. */
const char *syscall_suggest_abis(const bool abi[], const char *name);

/* The SCMP_ARCH_ name (libseccomp, runtime-spec) of ABI a, or NULL: the
 * one mapping of jitk's ABIs to libseccomp's (oci.c's scmp_arches[]);
 * libseccomp's own name of the arch is its lowercase suffix
 * (seccomp_arch_resolve_name("x86_64")). */
const char *oci_scmp_arch(jitk_arch a);

/* The runtime-spec name of one JITK_LOAD_* flag bit a profile may carry
 * ("SECCOMP_FILTER_FLAG_LOG"), or NULL (oci.c). */
const char *oci_flag_name(unsigned bit);

/* errno value of name on ABI a (its own <asm/errno.h>: ENOSYS is 38 on x86
 * and 89 on mips), or -1; and a name whose value is `value` on every ABI of
 * the bit set abis (NULL: none, or the ABIs disagree).  names.c;
 * docs/kernel-notes.md, section 9. */
int errno_value_arch(jitk_arch a, const char *name);
const char *errno_name_abis(unsigned abis, int value);

#endif
