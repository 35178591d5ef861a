/* test_tables.c - the generated tables against the sources they come from.
 *
 * Constants: for every ABI of tools/abis.txt, every named constant jitk has
 * is checked by clang, for that ABI's target, against the very headers it
 * came from (build/gen/consts_<abi>.h lists them): one _Static_assert per
 * constant, so the compiler's own evaluation of the header macro is the
 * second reading (the generator expands and evaluates differently).  On
 * x86_64 the values are also compared with the build host's libc headers.
 * Parameters: known widths from the kernel's prototypes (written out by
 * hand from include/linux/syscalls.h, compat.h and the syscall tables), and
 * the generator's refusal of sources that disagree. */
#include "testlib.h"
#include "internal.h"
#include "params.h"
#include "tables.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *gen_dir(void)
{
	const char *g = getenv("JITK_GEN");
	return g ? g : "build/gen";
}

/* The target triple and include directory of ABI name from tools/abis.txt. */
static bool abi_line(const char *name, char *target, char *inc)
{
	FILE *f = fopen("tools/abis.txt", "r");
	if (!f)
		return false;
	char line[512], n[64], e[64], au[64];
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		if (line[0] != '#' && sscanf(line, "%63s %63s %63s %127s %255s", n, e, au, target, inc) == 5 &&
		    strcmp(n, name) == 0)
			found = true;
	fclose(f);
	return found;
}

static void constants_match_headers(void **state)
{
	(void)state;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		const char *name = jitk_arch_name((jitk_arch)a);
		char target[128], inc[256], path[512], cmd[2048];
		assert_true(abi_line(name, target, inc));
		char tmpl[] = "/tmp/jitk-consts-XXXXXX.c";
		int fd = mkstemps(tmpl, 2);
		assert_true(fd >= 0);
		FILE *f = fdopen(fd, "w");
		snprintf(path, sizeof path, "%s/consts_%s.h", gen_dir(), name);
		fprintf(f, "#include \"%s\"\n", path);
		size_t n = 0;
		for (const struct tbl_const *c = tbl_abis[a].consts; c->name; c++, n++)
			fprintf(f, "_Static_assert((long long)(%s) == (long long)%#llxull, \"%s\");\n",
				c->name, (unsigned long long)c->value, c->name);
		/* The errno values too: the ABI's <asm/errno.h>, and glibc's
		 * ENOTSUP (#define ENOTSUP EOPNOTSUPP) as EOPNOTSUPP's. */
		fprintf(f, "#include <asm/errno.h>\n");
		size_t ne = 0;
		for (const struct tbl_const *c = tbl_abis[a].errnos; c->name; c++, ne++)
			fprintf(f, "_Static_assert((%s) == %llu, \"%s\");\n",
				strcmp(c->name, "ENOTSUP") ? c->name : "EOPNOTSUPP",
				(unsigned long long)c->value, c->name);
		fclose(f);
		assert_true(ne > 130);
		/* Enough constants that a broken generator cannot pass by having none. */
		assert_true(n > 900);
		snprintf(cmd, sizeof cmd,
			 "clang --target=%s -nostdinc -isystem %s -I. -w -fsyntax-only -x c %s 2>&1 | head -n 5",
			 target, inc, tmpl);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		char out[1024];
		size_t got = fread(out, 1, sizeof out - 1, p);
		out[got] = '\0';
		int rc = pclose(p);
		unlink(tmpl);
		if (got || rc != 0)
			fail_msg("%s: %zu constants, clang says:\n%s", name, n, out);
	}
}

/* The check above refuses a wrong value: the same file with one value off. */
static void constants_check_refuses_wrong_value(void **state)
{
	(void)state;
	char target[128], inc[256], cmd[1024];
	assert_true(abi_line("aarch64", target, inc));
	char tmpl[] = "/tmp/jitk-consts-XXXXXX.c";
	int fd = mkstemps(tmpl, 2);
	FILE *f = fdopen(fd, "w");
	/* x86's O_DIRECTORY (the bug of issue 9) is not arm64's. */
	fprintf(f, "#include <linux/fcntl.h>\n_Static_assert((long long)(O_DIRECTORY) == 0200000, \"\");\n");
	fclose(f);
	snprintf(cmd, sizeof cmd, "clang --target=%s -nostdinc -isystem %s -w -fsyntax-only %s 2>/dev/null",
		 target, inc, tmpl);
	int rc = system(cmd);
	unlink(tmpl);
	assert_int_not_equal(rc, 0);
}

static uint64_t cval(jitk_arch a, const char *name)
{
	uint64_t v = 0;
	if (!jitk_const_value_arch(a, name, &v))
		fail_msg("%s has no %s", jitk_arch_name(a), name);
	return v;
}

/* Issue 9's first bug: aarch64 rules used x86-64 values. */
static void aarch64_has_its_own_values(void **state)
{
	(void)state;
	/* arch/arm64/include/uapi/asm/fcntl.h */
	assert_int_equal(cval(JITK_ARCH_AARCH64, "O_DIRECTORY"), 040000);
	assert_int_equal(cval(JITK_ARCH_AARCH64, "O_NOFOLLOW"), 0100000);
	assert_int_equal(cval(JITK_ARCH_AARCH64, "O_DIRECT"), 0200000);
	assert_int_equal(cval(JITK_ARCH_AARCH64, "O_LARGEFILE"), 0400000);
	/* include/uapi/asm-generic/fcntl.h, used by x86 */
	assert_int_equal(cval(JITK_ARCH_X86_64, "O_DIRECTORY"), 0200000);
	assert_int_equal(cval(JITK_ARCH_X86_64, "O_NOFOLLOW"), 0400000);
	assert_int_equal(cval(JITK_ARCH_X86_64, "O_DIRECT"), 040000);
	assert_int_equal(cval(JITK_ARCH_X86_64, "O_LARGEFILE"), 0100000);
	/* x86-only constants exist only there (arch/x86/include/uapi/asm/prctl.h). */
	uint64_t v;
	assert_true(jitk_const_value_arch(JITK_ARCH_X86_64, "ARCH_SET_FS", &v));
	assert_false(jitk_const_value_arch(JITK_ARCH_AARCH64, "ARCH_SET_FS", &v));
	assert_false(jitk_const_value_arch(JITK_ARCH__COUNT, "O_RDONLY", &v));
	/* Negative constants are sign-extended. */
	assert_int_equal(cval(JITK_ARCH_I386, "AT_FDCWD"), (uint64_t)-100);
}

/* x86_64 against the build host's libc headers, a second source. */
static void x86_64_matches_host_libc(void **state)
{
	(void)state;
	static const struct {
		const char *n;
		uint64_t v;
	} host[] = {
#define H(x) { #x, (uint64_t)(long long)(x) }
		H(O_RDONLY),
		H(O_WRONLY),
		H(O_RDWR),
		H(O_CREAT),
		H(O_EXCL),
		H(O_TRUNC),
		H(O_APPEND),
		H(O_NONBLOCK),
		H(O_DIRECTORY),
		H(O_NOFOLLOW),
		H(O_CLOEXEC),
		H(O_DIRECT),
		H(O_PATH),
		H(O_TMPFILE),
		H(O_SYNC),
		H(O_DSYNC),
		H(O_NOATIME),
		H(O_NOCTTY),
		H(AT_FDCWD),
		H(AT_SYMLINK_NOFOLLOW),
		H(AT_REMOVEDIR),
		H(AT_EMPTY_PATH),
		H(PROT_READ),
		H(PROT_WRITE),
		H(PROT_EXEC),
		H(PROT_NONE),
		H(MAP_SHARED),
		H(MAP_PRIVATE),
		H(MAP_FIXED),
		H(MAP_ANONYMOUS),
		H(MAP_FIXED_NOREPLACE),
		H(MAP_GROWSDOWN),
		H(MAP_32BIT),
		H(CLONE_VM),
		H(CLONE_FS),
		H(CLONE_FILES),
		H(CLONE_SIGHAND),
		H(CLONE_THREAD),
		H(CLONE_NEWUSER),
		H(CLONE_NEWNS),
		H(CLONE_NEWPID),
		H(CLONE_NEWNET),
		H(S_IFMT),
		H(S_IFREG),
		H(F_GETFL),
		H(F_SETFL),
		H(F_DUPFD_CLOEXEC),
		H(AUDIT_ARCH_X86_64),
		H(AUDIT_ARCH_AARCH64),
#undef H
	};
	for (size_t i = 0; i < sizeof host / sizeof *host; i++)
		if (cval(JITK_ARCH_X86_64, host[i].n) != host[i].v)
			fail_msg("%s: jitk %#llx, libc %#llx", host[i].n,
				 (unsigned long long)cval(JITK_ARCH_X86_64, host[i].n),
				 (unsigned long long)host[i].v);
}

static void abi_list(void **state)
{
	(void)state;
	assert_int_equal(tbl_abis_len, JITK_ARCH__COUNT);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_X86_64), AUDIT_ARCH_X86_64);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_X32), AUDIT_ARCH_X86_64);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_I386), AUDIT_ARCH_I386);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_AARCH64), AUDIT_ARCH_AARCH64);
	assert_int_equal(jitk_arch_from_name("arm64"), JITK_ARCH_AARCH64);
	assert_int_equal(jitk_arch_from_name("i686"), JITK_ARCH_I386);
	assert_int_equal(jitk_arch_from_name("amd64"), JITK_ARCH_X86_64);
	assert_int_equal(jitk_arch_from_name("x32"), JITK_ARCH_X32);
	assert_int_equal(jitk_arch_from_name("arm"), JITK_ARCH_ARM);
	assert_int_equal(jitk_arch_from_name("ppc64el"), JITK_ARCH_PPC64LE);
	assert_int_equal(jitk_arch_from_name("mips64el"), JITK_ARCH_MIPSEL64);
	assert_int_equal(jitk_arch_from_name("armeb"), -1);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_ARM), AUDIT_ARCH_ARM);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_RISCV64), AUDIT_ARCH_RISCV64);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_PPC64LE), AUDIT_ARCH_PPC64LE);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_PPC64), AUDIT_ARCH_PPC64);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_PPC), AUDIT_ARCH_PPC);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_S390X), AUDIT_ARCH_S390X);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_S390), AUDIT_ARCH_S390);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_MIPS), AUDIT_ARCH_MIPS);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_MIPSEL), AUDIT_ARCH_MIPSEL);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_MIPS64), AUDIT_ARCH_MIPS64);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_MIPSEL64), AUDIT_ARCH_MIPSEL64);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_MIPS64N32), AUDIT_ARCH_MIPS64N32);
	assert_int_equal(jitk_arch_audit(JITK_ARCH_MIPSEL64N32), AUDIT_ARCH_MIPSEL64N32);
	/* the names libseccomp gives the ABIs (seccomp_arch_resolve_name) */
	static const char *const lsc[] = { "arm",      "riscv64",   "ppc64le",    "ppc64",  "ppc",
					   "s390x",    "s390",      "mips",       "mipsel", "mips64",
					   "mipsel64", "mips64n32", "mipsel64n32" };
	for (size_t i = 0; i < sizeof lsc / sizeof *lsc; i++)
		assert_int_equal(jitk_arch_from_name(lsc[i]), JITK_ARCH_ARM + (int)i);
	assert_int_equal(jitk_arch_from_name(""), -1);
	assert_int_equal(tbl_abis[JITK_ARCH_X32].nrbase, JITK_X32_SYSCALL_BIT);
}

/* arm's private calls (__ARM_NR_*, arch/arm/kernel/traps.c) are named. */
static void arm_private_calls(void **state)
{
	(void)state;
	static const char *const names[] = { "breakpoint", "cacheflush", "usr26",
					     "usr32",      "set_tls",    "get_tls" };
	for (int i = 0; i < 6; i++) {
		assert_int_equal(jitk_syscall_nr(JITK_ARCH_ARM, names[i]), 0x0f0001 + i);
		assert_string_equal(jitk_syscall_name(JITK_ARCH_ARM, 0x0f0001 + i), names[i]);
		assert_int_equal(jitk_syscall_nr(JITK_ARCH_AARCH64, names[i]), -1);
	}
	assert_int_equal(jitk_syscall_nr(JITK_ARCH_ARM, "read"), 3);
}

/* Each ABI's errno numbering (docs/kernel-notes.md section 9): mips has
 * its own, powerpc its own EDEADLOCK, the others the generic one, which is
 * the build host's. */
static void errno_per_abi(void **state)
{
	(void)state;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		const char *n = jitk_arch_name((jitk_arch)a);
		bool mips = !strncmp(n, "mips", 4), ppc = !strncmp(n, "ppc", 3);
		assert_int_equal(errno_value_arch((jitk_arch)a, "EPERM"), 1);
		assert_int_equal(errno_value_arch((jitk_arch)a, "ENOSYS"), mips ? 89 : 38);
		assert_int_equal(errno_value_arch((jitk_arch)a, "EDEADLOCK"), mips ? 56 : ppc ? 58 : 35);
		assert_int_equal(errno_value_arch((jitk_arch)a, "ENOTSUP"), mips ? 122 : 95);
		assert_int_equal(errno_value_arch((jitk_arch)a, "EINIT"), mips ? 141 : -1);
		if (!mips && !ppc) /* the generic numbering is the host's */
			for (const struct tbl_const *c = tbl_errno; c->name; c++)
				assert_int_equal(errno_value_arch((jitk_arch)a, c->name), (int)c->value);
	}
	assert_int_equal(errno_value_arch(JITK_ARCH__COUNT, "EPERM"), -1);
	/* a name for a value on a set of ABIs: one they agree on, or none */
	unsigned x86 = 1u << JITK_ARCH_X86_64, mips = 1u << JITK_ARCH_MIPS;
	assert_string_equal(errno_name_abis(x86, 38), "ENOSYS");
	assert_string_equal(errno_name_abis(mips, 89), "ENOSYS");
	assert_string_equal(errno_name_abis(x86 | mips, 1), "EPERM");
	assert_null(errno_name_abis(x86 | mips, 38));
	assert_string_equal(errno_name_abis(x86, 11), "EAGAIN"); /* the canonical name */
	assert_null(errno_name_abis(0, 1));
}

/* ------------------------------------------------------------ parameters */

static const struct tbl_param *param(jitk_arch a, const char *sys, unsigned i)
{
	int nr = jitk_syscall_nr(a, sys);
	assert_true(nr >= 0);
	const struct tbl_params *p = params_find(a, nr);
	if (!p)
		fail_msg("%s: no parameters for %s", jitk_arch_name(a), sys);
	assert_string_equal(p->name, sys);
	assert_true(i < p->nargs);
	return &p->arg[i];
}

static void param_widths(void **state)
{
	(void)state;
	const jitk_arch X = JITK_ARCH_X86_64, I = JITK_ARCH_I386, X32 = JITK_ARCH_X32, A = JITK_ARCH_AARCH64;
	/* sys_close(unsigned int fd) */
	assert_int_equal(param(X, "close", 0)->width, 32);
	assert_int_equal(param(X, "close", 0)->kind, TBL_PARAM_FD);
	/* sys_ioctl(unsigned int fd, unsigned int cmd, unsigned long arg) */
	assert_int_equal(param(X, "ioctl", 1)->width, 32);
	assert_int_equal(param(X, "ioctl", 2)->width, 64);
	assert_int_equal(param(A, "ioctl", 2)->width, 64);
	/* x32's ioctl is 514, a row of abi x32: compat_sys_ioctl(..., compat_ulong_t arg) */
	assert_int_equal(jitk_syscall_nr(X32, "ioctl"), 0x40000000 + 514);
	assert_string_equal(params_find(X32, 0x40000000 + 514)->entry, "compat_sys_ioctl");
	assert_int_equal(param(X32, "ioctl", 2)->width, 32);
	/* ... but x32's common rows run the 64-bit functions: sys_mmap */
	assert_int_equal(param(X32, "mmap", 0)->width, 64);
	assert_int_equal(param(X32, "mmap", 0)->kind, TBL_PARAM_ULONG);
	/* i386: every register is truncated to 32 bits. */
	assert_int_equal(param(I, "mmap2", 0)->width, 32);
	assert_int_equal(param(I, "ioctl", 2)->width, 32);
	/* umode_t is unsigned short: sys_openat(int dfd, const char *, int flags, umode_t mode) */
	assert_int_equal(param(X, "openat", 0)->kind, TBL_PARAM_FD);
	assert_int_equal(param(X, "openat", 1)->kind, TBL_PARAM_PTR);
	assert_int_equal(param(X, "openat", 1)->width, 64);
	assert_int_equal(param(X, "openat", 2)->kind, TBL_PARAM_FLAGS);
	assert_int_equal(param(X, "openat", 2)->width, 32);
	assert_int_equal(param(X, "openat", 3)->width, 16);
	assert_string_equal(param(X, "openat", 3)->type, "umode_t");
	/* sys_clone: the configuration's variant (kernel/fork.c): x86-64 has
	 * (flags, newsp, parent_tid, child_tid, tls), arm64 CLONE_BACKWARDS's
	 * (flags, newsp, parent_tid, tls, child_tid). */
	assert_string_equal(param(X, "clone", 3)->name, "child_tidptr");
	assert_string_equal(param(A, "clone", 3)->name, "tls");
	/* clone's unsigned long flags: the body reads lower_32_bits(clone_flags)
	 * only (kernel/fork.c, sys_clone; tools/knarrow.py), so 32 bits. */
	assert_int_equal(param(X, "clone", 0)->width, 32);
	assert_string_equal(param(X, "clone", 0)->type, "unsigned long");
	/* mmap's fd reaches fget(unsigned int) only (mm/mmap.c, ksys_mmap_pgoff);
	 * its addr keeps 64 bits. */
	assert_int_equal(param(X, "mmap", 4)->width, 32);
	assert_int_equal(param(X, "mmap", 0)->width, 64);
	/* mips n32's sys_32_personality masks with 0xffffffff (arch/mips/kernel/linux32.c). */
	assert_int_equal(param(JITK_ARCH_MIPS64N32, "personality", 0)->width, 32);
	assert_string_equal(
		params_find(JITK_ARCH_MIPS64N32, jitk_syscall_nr(JITK_ARCH_MIPS64N32, "personality"))->entry,
		"sys_32_personality");
	/* socket(int, int, int); size_t count of read */
	assert_int_equal(param(A, "socket", 0)->kind, TBL_PARAM_INT);
	assert_int_equal(param(X, "read", 2)->kind, TBL_PARAM_SIZE);
	assert_int_equal(param(X, "read", 2)->width, 64);
}

static void param_width_lookup(void **state)
{
	(void)state;
	const jitk_arch X = JITK_ARCH_X86_64, I = JITK_ARCH_I386;
	assert_int_equal(params_width(X, 3, 0), 32); /* close(fd) */
	assert_int_equal(params_width(X, 3, 1), 64); /* close has one parameter */
	assert_int_equal(params_width(X, 9, 5), 64); /* mmap's offset */
	assert_int_equal(params_width(I, 6, 0), 32);
	assert_int_equal(params_width(I, 6, 3), 32); /* i386 registers are 32 bits */
	assert_int_equal(params_width(I, 123456, 0), 32);
	assert_int_equal(params_width(X, 123456, 0), 64);
	assert_int_equal(params_width(X, -1, 0), 64);
	assert_null(params_find(X, 123456));
	assert_null(params_find(JITK_ARCH__COUNT, 3));
	assert_int_equal(params_width(JITK_ARCH_X32, 0x40000000 + 514, 1), 32);
	assert_int_equal(params_mask(16), 0xffff);
	assert_int_equal(params_mask(64), UINT64_MAX);
	/* Every entry of every table is sorted, inside its ABI's numbers, and
	 * each argument's width is one the kernel's casts can give. */
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		const struct tbl_params *t = tbl_abis[a].params;
		size_t n = *tbl_abis[a].nparams;
		assert_true(n > 250);
		for (size_t i = 0; i < n; i++) {
			if (i)
				assert_true(t[i - 1].nr < t[i].nr);
			assert_string_equal(jitk_syscall_name((jitk_arch)a, t[i].nr), t[i].name);
			assert_true(t[i].nargs <= 6);
			for (unsigned k = 0; k < t[i].nargs; k++) {
				unsigned w = t[i].arg[k].width;
				assert_true(w == 8 || w == 16 || w == 32 || w == 64);
				if (params_abi32((jitk_arch)a))
					assert_true(w <= 32);
				if (t[i].arg[k].kind == TBL_PARAM_PTR)
					assert_int_equal(w, params_abi32((jitk_arch)a) ? 32 : 64);
			}
		}
	}
}

/* Whether v[0..n) is ABI a's syscall numbers (jitk_syscall_at, one per
 * name) in ascending order: the name table's numbers sorted here by qsort,
 * apart from the generator's `sort -n`, compared entry by entry. */
static bool is_sorted_numbers(jitk_arch a, const uint32_t *v, size_t n)
{
	size_t m = 0;
	int nr;
	while (jitk_syscall_at(a, m, NULL, &nr))
		m++;
	if (n != m || m == 0)
		return false;
	uint32_t *w = malloc(m * sizeof *w);
	assert_non_null(w);
	for (size_t i = 0; i < m; i++) {
		assert_true(jitk_syscall_at(a, i, NULL, &nr));
		assert_true(nr >= 0);
		w[i] = (uint32_t)nr;
	}
	qsort(w, m, sizeof *w, cmp_u32);
	bool same = memcmp(v, w, m * sizeof *w) == 0;
	free(w);
	return same;
}

/* The sorted numbers the compiler weighs segments by (tbl_abi.sysnr,
 * syscall_numbers) are each ABI's name table's, and hold every number of
 * the kernel's own syscall table (the parameter table, tools/gen_params.py:
 * the second source); the check refuses a copy that is out of order, has
 * a number off, one missing or one repeat lost. */
static void sorted_numbers(void **state)
{
	(void)state;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		size_t n = 0;
		const uint32_t *v = syscall_numbers((jitk_arch)a, &n);
		assert_non_null(v);
		assert_ptr_equal(v, tbl_abis[a].sysnr);
		if (!is_sorted_numbers((jitk_arch)a, v, n))
			fail_msg("%s: tbl_sysnr is not its name table's numbers, sorted",
				 jitk_arch_name((jitk_arch)a));
		const struct tbl_params *t = tbl_abis[a].params;
		for (size_t i = 0; i < *tbl_abis[a].nparams; i++) {
			uint32_t x = (uint32_t)t[i].nr;
			if (!bsearch(&x, v, n, sizeof *v, cmp_u32))
				fail_msg("%s: %s (%d) is not in tbl_sysnr", jitk_arch_name((jitk_arch)a),
					 t[i].name, t[i].nr);
		}
	}
	size_t n = 1;
	assert_null(syscall_numbers(JITK_ARCH__COUNT, &n));
	assert_int_equal(n, 0);
	/* wrong copies: a swap of neighbours, one number off, one missing */
	const uint32_t *v = syscall_numbers(JITK_ARCH_X86_64, &n);
	uint32_t *w = malloc(n * sizeof *w);
	assert_non_null(w);
	memcpy(w, v, n * sizeof *w);
	assert_true(is_sorted_numbers(JITK_ARCH_X86_64, w, n));
	w[10] = v[11];
	w[11] = v[10];
	assert_false(is_sorted_numbers(JITK_ARCH_X86_64, w, n));
	memcpy(w, v, n * sizeof *w);
	w[n - 1] += 1;
	assert_false(is_sorted_numbers(JITK_ARCH_X86_64, w, n));
	assert_false(is_sorted_numbers(JITK_ARCH_X86_64, v, n - 1));
	free(w);
	/* a number two names share (arm: 341 is arm_sync_file_range and
	 * sync_file_range2) is kept twice: a copy with the repeat lost is
	 * refused */
	size_t repeats = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		v = syscall_numbers((jitk_arch)a, &n);
		for (size_t i = 1; i < n; i++)
			if (v[i] == v[i - 1]) {
				w = malloc(n * sizeof *w);
				assert_non_null(w);
				memcpy(w, v, n * sizeof *w);
				w[i] = i + 1 < n ? v[i + 1] : v[i] + 1;
				assert_false(is_sorted_numbers((jitk_arch)a, w, n));
				free(w);
				repeats++;
				break;
			}
	}
	assert_true(repeats > 0);
	assert_int_equal(jitk_syscall_nr(JITK_ARCH_ARM, "arm_sync_file_range"),
			 jitk_syscall_nr(JITK_ARCH_ARM, "sync_file_range2"));
}

/* The one "did you mean" for syscall names (names.c): a plausible typo,
 * else a name it is a prefix of, else one within edit distance 2; nothing
 * for a name no table is near, or a prefix too short to mean anything. */
static void syscall_suggest_tiers(void **state)
{
	(void)state;
	assert_string_equal(jitk_syscall_suggest(JITK_ARCH_X86_64, "opne"), "open");
	assert_string_equal(jitk_syscall_suggest(JITK_ARCH_X86_64, "SYS_gettimeofdya"), "gettimeofday");
	assert_string_equal(jitk_syscall_suggest(JITK_ARCH_AARCH64, "open"), "openat");
	/* a swap of neighbours is one edit: getpdi is getpid's typo */
	assert_string_equal(jitk_syscall_suggest(JITK_ARCH_X86_64, "__NR_getpdi"), "getpid");
	assert_string_equal(jitk_syscall_suggest(JITK_ARCH_X86_64, "getpgdi"), "getpgid");
	/* a name the tables lack is not "corrected" into a far one: cachestat
	 * (Linux 6.5) is three edits from faccessat, a third of its letters */
	assert_null(jitk_syscall_suggest(JITK_ARCH_X86_64, "cachestat"));
	assert_null(jitk_syscall_suggest(JITK_ARCH_X86_64, "mseal"));
	assert_string_equal(jitk_syscall_suggest(JITK_ARCH_X86_64, "opn"), "open");
	assert_null(jitk_syscall_suggest(JITK_ARCH_X86_64, "frobnicate_fd"));
	assert_null(jitk_syscall_suggest(JITK_ARCH_X86_64, "zq"));
	assert_null(jitk_syscall_suggest(JITK_ARCH__COUNT, "open"));
	assert_null(jitk_syscall_suggest(JITK_ARCH_X86_64, NULL));
	/* several ABIs: each tier is tried over all of them before the next */
	bool both[JITK_ARCH__COUNT] = { false }, none[JITK_ARCH__COUNT] = { false };
	both[JITK_ARCH_X86_64] = both[JITK_ARCH_AARCH64] = true;
	assert_string_equal(syscall_suggest_abis(both, "opne"), "open");
	assert_string_equal(syscall_suggest_abis(both, "SYS_opne"), "open");
	bool arm64[JITK_ARCH__COUNT] = { false };
	arm64[JITK_ARCH_AARCH64] = true;
	assert_string_equal(syscall_suggest_abis(arm64, "open"), "openat");
	assert_null(syscall_suggest_abis(none, "opne"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(constants_match_headers),
		cmocka_unit_test(constants_check_refuses_wrong_value),
		cmocka_unit_test(aarch64_has_its_own_values),
		cmocka_unit_test(x86_64_matches_host_libc),
		cmocka_unit_test(abi_list),
		cmocka_unit_test(errno_per_abi),
		cmocka_unit_test(arm_private_calls),
		cmocka_unit_test(param_widths),
		cmocka_unit_test(param_width_lookup),
		cmocka_unit_test(sorted_numbers),
		cmocka_unit_test(syscall_suggest_tiers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
