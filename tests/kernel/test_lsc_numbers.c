/* test_lsc_numbers.c - jitk's syscall tables against libseccomp's, the
 * second source of syscall numbers (issue 12).
 *
 * For every ABI of the generated tables (tools/abis.txt, JITK_ARCH__COUNT)
 * and every name jitk has, jitk's number must be libseccomp's
 * (seccomp_syscall_resolve_name_arch); and every number libseccomp names on
 * that ABI (seccomp_syscall_resolve_num_arch, from jitk's lowest number to
 * 1024 past its highest) must be jitk's number of that name.  libseccomp's
 * arch token comes from oci.c's scmp_arches[] (lsc_arch.h).  A difference
 * fails the test unless one of these rules explains it (docs/oci.md,
 * "Syscall numbers against libseccomp"):
 *   N1  newer than jitk's tables: a name jitk knows on no ABI, numbered
 *       by libseccomp above jitk's highest number on some ABI (libseccomp
 *       2.5.4 knows syscalls of kernels newer than jitk's headers: D3);
 *   N2  newer than libseccomp: a name libseccomp knows on no ABI, numbered
 *       above libseccomp's highest on that ABI (D1);
 *   N3  multiplexed: libseccomp resolves a socket or SysV IPC name to its
 *       negative pseudo-number on an ABI with socketcall/ipc (docs/oci.md
 *       rule 9), while jitk has the direct number the kernel added later,
 *       and libseccomp names that number the same (i386 socket: 359);
 *   N4  another name of one number: libseccomp lacks a name the headers
 *       define as an alias (arm's sync_file_range2, 341);
 *   N5  a placeholder: the kernel table's "unusedN"/"reservedN" slot
 *       (mips), a name libseccomp knows on no ABI;
 *   N6  reserved in jitk's kernel source: s390/s390x memfd_secret 447.
 * The self-tests feed the comparison a table with one number changed, one
 * name dropped, and another ABI's token, and want it to refuse each. */
#include "testlib.h"
#include "lsc_arch.h"
#include "mux.h"

#include <stdio.h>
#include <stdlib.h>

struct sys {
	const char *name;
	int nr;
};

struct table {
	jitk_arch abi;
	uint32_t tok;
	struct sys *s;
	size_t n;
};

static struct table table_of(jitk_arch a)
{
	struct table t = { .abi = a, .tok = lsc_arch(a) };
	const char *name;
	int nr;
	while (jitk_syscall_at(a, t.n, NULL, NULL))
		t.n++;
	t.s = calloc(t.n ? t.n : 1, sizeof *t.s);
	assert_non_null(t.s);
	for (size_t i = 0; jitk_syscall_at(a, i, &name, &nr); i++)
		t.s[i] = (struct sys){ name, nr };
	return t;
}

static int table_nr(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->s[i].name, name))
			return t->s[i].nr;
	return -1;
}

static bool jitk_knows_anywhere(const char *name)
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (jitk_syscall_nr((jitk_arch)a, name) >= 0)
			return true;
	return false;
}

/* Does libseccomp know name on any arch it has?  The ABIs of jitk's tables
 * and libseccomp's native one are enough to tell "newer" from "missing". */
static bool lsc_knows_anywhere(const char *name)
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		uint32_t tok = lsc_arch((jitk_arch)a);
		if (tok && seccomp_syscall_resolve_name_arch(tok, name) != __NR_SCMP_ERROR)
			return true;
	}
	return false;
}

/* Is name newer than jitk's tables: unknown to jitk on every ABI, and on
 * some ABI numbered by libseccomp above jitk's highest number there?  (On
 * x32 a new call sits below the 512.. compat range, so the ABI's own
 * highest number does not tell.) */
static bool newer_than_jitk(const char *name)
{
	if (jitk_knows_anywhere(name))
		return false;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		uint32_t tok = lsc_arch((jitk_arch)a);
		int l = tok ? seccomp_syscall_resolve_name_arch(tok, name) : __NR_SCMP_ERROR;
		int hi = -1, nr;
		for (size_t i = 0; jitk_syscall_at((jitk_arch)a, i, NULL, &nr); i++)
			hi = nr > hi ? nr : hi;
		if (l >= 0 && l > hi)
			return true;
	}
	return false;
}

struct counts {
	unsigned same, n1, n2, n3, n4, n5, n6, bad;
};

/* N4: libseccomp has no syscall of this name on the ABI (a pseudo-number)
 * but names jitk's number otherwise, and jitk numbers that other name the
 * same: the headers define both names for one call (arm's
 * __NR_sync_file_range2 is __NR_arm_sync_file_range, 341). */
static bool header_alias(const struct table *t, const struct sys *s)
{
	char *other = seccomp_syscall_resolve_num_arch(t->tok, s->nr);
	bool yes = other && strcmp(other, s->name) && table_nr(t, other) == s->nr &&
		   seccomp_syscall_resolve_name_arch(t->tok, other) == s->nr;
	free(other);
	return yes;
}

/* N5: a slot the kernel's table reserves, named "unusedN" or "reservedN"
 * after its number (mips: "18 o32 unused18 sys_ni_syscall"), which
 * libseccomp knows on no ABI and names nothing on this one. */
static bool placeholder(const struct table *t, const struct sys *s)
{
	const char *d = !strncmp(s->name, "unused", 6)     ? s->name + 6
			: !strncmp(s->name, "reserved", 8) ? s->name + 8
							   : NULL;
	if (!d || !*d || strspn(d, "0123456789") != strlen(d))
		return false;
	char *back = seccomp_syscall_resolve_num_arch(t->tok, s->nr);
	bool named = back != NULL;
	free(back);
	return !named && !lsc_knows_anywhere(s->name);
}

/* N6: a number libseccomp 2.5.4 gives a call on an ABI where the kernel
 * source jitk's tables come from (6.1) only reserves it: s390's and
 * s390x's syscall.tbl have "# 447 reserved for memfd_secret". */
static bool reserved_by_kernel(const struct table *t, const char *name, long n)
{
	const char *abi = jitk_arch_name(t->abi);
	return n == 447 && !strcmp(name, "memfd_secret") && (!strcmp(abi, "s390") || !strcmp(abi, "s390x"));
}

static void report(const struct table *t, bool quiet, const char *rule, const char *name, int jitk_nr,
		   int lsc_nr)
{
	if (!quiet)
		printf("# %s %s: %s jitk %d, libseccomp %d\n", jitk_arch_name(t->abi), rule, name, jitk_nr,
		       lsc_nr);
}

/* Compare table t with libseccomp's numbers of t->tok; counts by rule. */
static struct counts compare(const struct table *t, bool quiet)
{
	struct counts c = { 0 };
	long lo = 0, hi = -1;
	for (size_t i = 0; i < t->n; i++) {
		if (i == 0 || t->s[i].nr < lo)
			lo = t->s[i].nr;
		if (t->s[i].nr > hi)
			hi = t->s[i].nr;
	}
	/* From the 1024-aligned base of the ABI's numbers (x32's 0x40000000,
	 * a table whose first entries were dropped still starts there) */
	lo -= lo % 1024;
	/* libseccomp's names over the range, and its highest number */
	long lsc_hi = -1;
	for (long n = lo; n <= hi + 1024; n++) {
		char *s = seccomp_syscall_resolve_num_arch(t->tok, (int)n);
		if (s)
			lsc_hi = n;
		free(s);
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct sys *s = &t->s[i];
		int l = seccomp_syscall_resolve_name_arch(t->tok, s->name);
		if (l == s->nr) {
			c.same++;
			continue;
		}
		const struct mux_call *mc = mux_find(s->name);
		char *back = seccomp_syscall_resolve_num_arch(t->tok, s->nr);
		bool same_back = back && !strcmp(back, s->name);
		free(back);
		if (l == __NR_SCMP_ERROR && !lsc_knows_anywhere(s->name) && s->nr > lsc_hi) {
			c.n2++;
			report(t, quiet, "N2 newer than libseccomp", s->name, s->nr, l);
		} else if (l < 0 && l != __NR_SCMP_ERROR && mc && mux_nr(t->abi, mc->mux) >= 0 && same_back) {
			c.n3++;
			report(t, quiet, "N3 multiplexed in libseccomp", s->name, s->nr, l);
		} else if (l < 0 && l != __NR_SCMP_ERROR && header_alias(t, s)) {
			c.n4++;
			report(t, quiet, "N4 another name of the same number", s->name, s->nr, l);
		} else if (l == __NR_SCMP_ERROR && placeholder(t, s)) {
			c.n5++;
			report(t, quiet, "N5 an unused slot of the kernel's table", s->name, s->nr, l);
		} else {
			c.bad++;
			report(t, quiet, "UNEXPLAINED", s->name, s->nr, l);
		}
	}
	for (long n = lo; n <= hi + 1024; n++) {
		char *s = seccomp_syscall_resolve_num_arch(t->tok, (int)n);
		if (!s)
			continue;
		int j = table_nr(t, s);
		if (j != n) {
			if (j < 0 && newer_than_jitk(s)) {
				c.n1++;
				report(t, quiet, "N1 newer than jitk's tables", s, j, (int)n);
			} else if (j < 0 && reserved_by_kernel(t, s, n)) {
				c.n6++;
				report(t, quiet, "N6 reserved in jitk's kernel source", s, j, (int)n);
			} else {
				c.bad++;
				report(t, quiet, "UNEXPLAINED (libseccomp's name)", s, j, (int)n);
			}
		}
		free(s);
	}
	return c;
}

/* The mapping: every ABI of the tables has a token libseccomp knows, the
 * native one among them, no two alike. */
static void arch_tokens(void **state)
{
	(void)state;
	bool native = false;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		uint32_t tok = lsc_arch((jitk_arch)a);
		assert_int_not_equal(tok, 0);
		native |= tok == seccomp_arch_native();
		for (int b = 0; b < a; b++)
			assert_int_not_equal(tok, lsc_arch((jitk_arch)b));
	}
	assert_true(native);
}

static void numbers_match(void **state)
{
	(void)state;
	unsigned bad = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		struct table t = table_of((jitk_arch)a);
		struct counts c = compare(&t, false);
		printf("# %s: %u names the same, N1 %u, N2 %u, N3 %u, N4 %u, N5 %u, N6 %u, unexplained %u\n",
		       jitk_arch_name(t.abi), c.same, c.n1, c.n2, c.n3, c.n4, c.n5, c.n6, c.bad);
		assert_true(c.same > 200);
		bad += c.bad;
		free(t.s);
	}
	assert_int_equal(bad, 0);
}

/* The comparison refuses a wrong table: a number changed, a name dropped,
 * the wrong ABI's numbers. */
static void comparison_refuses(void **state)
{
	(void)state;
	struct table t = table_of(JITK_ARCH_X86_64);
	assert_int_equal(compare(&t, true).bad, 0);
	size_t r = 0;
	while (r < t.n && strcmp(t.s[r].name, "read"))
		r++;
	assert_true(r < t.n);
	t.s[r].nr++;
	printf("# self-test: read numbered %d\n", t.s[r].nr);
	assert_true(compare(&t, false).bad >= 1);
	t.s[r].nr--;
	struct sys keep = t.s[r];
	t.s[r] = t.s[--t.n];
	printf("# self-test: read dropped\n");
	assert_true(compare(&t, false).bad >= 1);
	t.s[t.n++] = t.s[r];
	t.s[r] = keep;
	assert_int_equal(compare(&t, true).bad, 0);
	t.tok = lsc_arch(JITK_ARCH_AARCH64);
	assert_true(compare(&t, true).bad > 100);
	free(t.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arch_tokens),
		cmocka_unit_test(numbers_match),
		cmocka_unit_test(comparison_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
