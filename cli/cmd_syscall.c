/*
 * cmd_syscall.c - `jitk syscall NAME|NR [--arch A]`: syscall names and
 * numbers, both ways, from the generated tables (src/names.c).
 *
 *   $ jitk syscall openat
 *   x86_64   257         openat
 *   i386     295         openat
 *   x32      1073742081  openat  (0x40000101)
 *   aarch64  56          openat
 *   $ jitk syscall 257 --arch c000003e        # the fields of an audit line
 *   x86_64   257         openat
 *
 * --arch takes a name (x86_64, i386, x32, aarch64) or an AUDIT_ARCH value
 * as kernel audit records print it (arch=c000003e).  A number is decimal,
 * 0x hex or octal, as in audit records (syscall=257).  Without --arch every
 * ABI is listed; a number no ABI knows, or a name unknown everywhere, is an
 * error (status 1) with a spelling hint.  AUDIT_ARCH_X86_64 covers both
 * x86_64 and x32 (numbers with the x32 bit, 0x40000000).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define SYSCALL_USAGE "syscall NAME|NR [--arch x86_64|i386|x32|aarch64|AUDIT_ARCH]"

/* The ABIs an --arch value names: one bit per jitk_arch.  0 if unknown. */
static unsigned arch_mask(const char *v)
{
	int a = jitk_arch_from_name(v);
	if (a >= 0)
		return 1u << a;
	uint64_t audit;
	char buf[24];
	/* Audit records print the arch in hex without 0x. */
	snprintf(buf, sizeof buf, "%s%s", strncmp(v, "0x", 2) ? "0x" : "", v);
	if (!cli_parse_u64(buf, &audit))
		return 0;
	unsigned m = 0;
	for (int i = 0; i < JITK_ARCH__COUNT; i++)
		if (jitk_arch_audit((jitk_arch)i) == audit)
			m |= 1u << i;
	return m;
}

static void print_one(jitk_arch a, int nr, const char *name)
{
	if (a == JITK_ARCH_X32)
		printf("%-8s %-11d %s  (0x%x)\n", jitk_arch_name(a), nr, name, (unsigned)nr);
	else
		printf("%-8s %-11d %s\n", jitk_arch_name(a), nr, name);
}

int cmd_syscall(int argc, char **argv)
{
	const char *what = NULL;
	unsigned mask = (1u << JITK_ARCH__COUNT) - 1;
	bool arch_given = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n", SYSCALL_USAGE);
			printf("Prints the number of a syscall name, or the name of a number, per ABI.\n");
			return CLI_OK;
		} else if (!strcmp(a, "--arch")) {
			const char *v = cli_opt_value(argc, argv, &i);
			if (!v || !(mask = arch_mask(v)))
				return cli_usage(SYSCALL_USAGE,
						 "--arch wants x86_64, i386, x32, aarch64 or an AUDIT_ARCH "
						 "value (c000003e), not '%s'",
						 v ? v : "");
			arch_given = true;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(SYSCALL_USAGE, "unknown option '%s'", a);
		} else if (!what) {
			what = a;
		} else {
			return cli_usage(SYSCALL_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (!what)
		return cli_usage(SYSCALL_USAGE, "missing syscall name or number%s", "");

	uint64_t n;
	int found = 0;
	if (cli_parse_u64(what, &n)) {
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			if (!(mask & (1u << a)) || n > 0xffffffffu)
				continue;
			int nr = (int)(uint32_t)n;
			const char *name = jitk_syscall_name((jitk_arch)a, nr);
			/* An x32 number may be given without its bit (an x32
			 * --arch was asked for by name) ... */
			if (!name && a == JITK_ARCH_X32 && arch_given && mask == 1u << a &&
			    n < JITK_X32_SYSCALL_BIT) {
				nr = (int)(n | JITK_X32_SYSCALL_BIT);
				name = jitk_syscall_name((jitk_arch)a, nr);
			}
			if (name) {
				print_one((jitk_arch)a, nr, name);
				found++;
			}
		}
		if (!found) {
			cli_error("no syscall has number %s on %s", what,
				  arch_given ? "the ABI asked for" : "any ABI jitk knows");
			if (n >= JITK_X32_SYSCALL_BIT && n <= 0xffffffffu && !(mask & (1u << JITK_ARCH_X32)))
				fprintf(stderr, "  hint: numbers from 0x40000000 up are x32 "
						"(try --arch x32)\n");
			return CLI_FAIL;
		}
		return CLI_OK;
	}
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		if (!(mask & (1u << a)))
			continue;
		int nr = jitk_syscall_nr((jitk_arch)a, what);
		if (nr < 0)
			continue;
		print_one((jitk_arch)a, nr, jitk_syscall_name((jitk_arch)a, nr));
		found++;
	}
	if (!found) {
		cli_error("unknown syscall '%s'%s", what, arch_given ? " on the ABI asked for" : "");
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			if (!(mask & (1u << a)) && jitk_syscall_nr((jitk_arch)a, what) >= 0) {
				fprintf(stderr, "  hint: '%s' exists on %s\n", what,
					jitk_arch_name((jitk_arch)a));
				return CLI_FAIL;
			}
		int a0 = 0;
		while (!(mask & (1u << a0)))
			a0++;
		const char *s = jitk_syscall_suggest((jitk_arch)a0, what);
		if (s)
			fprintf(stderr, "  hint: did you mean '%s'?\n", s);
		return CLI_FAIL;
	}
	return CLI_OK;
}
