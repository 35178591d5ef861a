/* test_scpl_eval.c - the SCPL semantics (jitk_policy_eval) on crafted
 * seccomp_data, every expectation computed by hand from docs/scpl.md. */
#include "testlib.h"
#include "policy.h"

#include <linux/audit.h>

#define X86_64 AUDIT_ARCH_X86_64
#define I386 AUDIT_ARCH_I386
#define AARCH64 AUDIT_ARCH_AARCH64
#define X32 0x40000000u

#define ALLOW 0x7fff0000u
#define KILL 0x80000000u
#define ERRNO(n) (0x00050000u | (n))

static jitk_policy *parse_ok(const char *text)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err e = jitk_policy_parse(text, strlen(text), "t.scpl", &p, &d);
	if (e != JITK_OK)
		fail_msg("parse failed: %u:%u: %s (%s)", d.line, d.col, d.msg, d.hint);
	return p;
}

static uint32_t eval(const jitk_policy *p, uint32_t arch, uint32_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct seccomp_data in;
	memset(&in, 0, sizeof in);
	in.arch = arch;
	in.nr = (int)nr;
	in.instruction_pointer = 0x401000;
	in.args[0] = a0;
	in.args[1] = a1;
	in.args[2] = a2;
	in.args[3] = 0x3333333333333333u; /* never looked at below */
	return jitk_policy_eval(p, &in);
}

static void paper_policy(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ default_action = Kill;\n"
				  "  rules = [\n"
				  "    { action = Errno EACCES; syscall = SYS_open };\n"
				  "    { action = Allow; syscall = SYS_getpid };\n"
				  "    { action = Allow; syscall = SYS_gettimeofday };\n"
				  "  ] }\n");
	assert_int_equal(eval(p, X86_64, 2, 0, 0, 0), ERRNO(13));      /* open */
	assert_int_equal(eval(p, X86_64, 39, 0, 0, 0), ALLOW);         /* getpid */
	assert_int_equal(eval(p, X86_64, 96, 7, 7, 7), ALLOW);         /* gettimeofday */
	assert_int_equal(eval(p, X86_64, 0, 0, 0, 0), KILL);           /* read: default */
	assert_int_equal(eval(p, X86_64, 257, 0, 0, 0), KILL);         /* openat */
	assert_int_equal(eval(p, X86_64, 0xffffffffu, 0, 0, 0), KILL); /* nr -1 */
	/* i386 is not listed: foreign_action (KillProcess by default), even for
	 * i386's getpid (20) and for nr 39, 2. */
	assert_int_equal(eval(p, I386, 20, 0, 0, 0), KILL);
	assert_int_equal(eval(p, I386, 39, 0, 0, 0), KILL);
	jitk_policy_free(p);
}

/* x32 calls arrive as AUDIT_ARCH_X86_64 with bit 30 of nr set: on a policy
 * that lists only x86_64 they get foreign_action, not x86_64's rules. */
static void x32_is_foreign(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ default_action = Errno 1; foreign_action = Errno 38;\n"
				  "  rules = [ { action = Allow; syscall = [getpid; 0x40000027] } ] }");
	assert_int_equal(eval(p, X86_64, 39, 0, 0, 0), ALLOW);
	assert_int_equal(eval(p, X86_64, 40, 0, 0, 0), ERRNO(1));
	/* x32 getpid = 39 | bit: foreign, although the number is in the rule. */
	assert_int_equal(eval(p, X86_64, X32 | 39, 0, 0, 0), ERRNO(38));
	assert_int_equal(eval(p, X86_64, X32 | 2, 0, 0, 0), ERRNO(38));
	assert_int_equal(eval(p, X86_64, 0xffffffffu, 0, 0, 0), ERRNO(38)); /* negative */
	/* The x32 guard is nr >= 0x40000000, unsigned: bit 31 alone is not x86_64 either. */
	assert_int_equal(eval(p, X86_64, 0x80000027u, 0, 0, 0), ERRNO(38));
	assert_int_equal(eval(p, X86_64, 0x3fffffffu, 0, 0, 0), ERRNO(1));
	assert_int_equal(eval(p, I386, 20, 0, 0, 0), ERRNO(38));
	assert_int_equal(eval(p, AARCH64, 172, 0, 0, 0), ERRNO(38));
	assert_int_equal(eval(p, 0x40000028u /* ARM */, 20, 0, 0, 0), ERRNO(38));
	assert_int_equal(eval(p, 0, 39, 0, 0, 0), ERRNO(38));
	jitk_policy_free(p);

	/* Listing x32 makes its own numbers apply, and x86_64 becomes foreign. */
	p = parse_ok("{ arch = [x32]; default_action = Errno 1; foreign_action = Errno 38;\n"
		     "  rules = [ { action = Allow; syscall = getpid }; { action = Log; syscall = 39 } ] }");
	assert_int_equal(eval(p, X86_64, X32 | 39, 0, 0, 0), ALLOW);
	assert_int_equal(eval(p, X86_64, X32 | 40, 0, 0, 0), ERRNO(1));
	assert_int_equal(eval(p, X86_64, 39, 0, 0, 0), ERRNO(38));
	jitk_policy_free(p);
}

/* Names resolve per ABI: getpid is 39 on x86_64, 20 on i386, 172 on
 * aarch64; 39 on i386 is mkdir. */
static void per_arch_numbers(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ arch = [x86_64; i386; aarch64]; default_action = Errno 1;\n"
				  "  rules = [ { action = Allow; syscall = getpid };\n"
				  "            { action = Errno 2; syscall = open };\n"
				  "            { action = Errno 3; syscall = 5 } ] }");
	assert_int_equal(eval(p, X86_64, 39, 0, 0, 0), ALLOW);
	assert_int_equal(eval(p, I386, 20, 0, 0, 0), ALLOW);
	assert_int_equal(eval(p, AARCH64, 172, 0, 0, 0), ALLOW);
	assert_int_equal(eval(p, I386, 39, 0, 0, 0), ERRNO(1));   /* mkdir */
	assert_int_equal(eval(p, X86_64, 20, 0, 0, 0), ERRNO(1)); /* writev */
	assert_int_equal(eval(p, X86_64, 2, 0, 0, 0), ERRNO(2));
	/* i386 open is 5: the open rule comes first, so not Errno 3. */
	assert_int_equal(eval(p, I386, 5, 0, 0, 0), ERRNO(2));
	/* 5 on x86_64 is fstat; on aarch64 setxattr (no open there). */
	assert_int_equal(eval(p, X86_64, 5, 0, 0, 0), ERRNO(3));
	assert_int_equal(eval(p, AARCH64, 5, 0, 0, 0), ERRNO(3));
	assert_int_equal(eval(p, AARCH64, 2, 0, 0, 0), ERRNO(1));
	/* x32 not listed */
	assert_int_equal(eval(p, X86_64, X32 | 39, 0, 0, 0), KILL);
	jitk_policy_free(p);
}

/* A rule limited with its own arch list does not apply on other ABIs. */
static void rule_arch_limits(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ arch = [x86_64; i386]; default_action = Errno 1; rules = [\n"
				  "  { action = Errno 2; syscall = 20; arch = i386 };\n"
				  "  { action = Allow; syscall = [getpid; 20] } ] }");
	assert_int_equal(eval(p, I386, 20, 0, 0, 0), ERRNO(2)); /* i386 getpid */
	assert_int_equal(eval(p, X86_64, 20, 0, 0, 0), ALLOW);  /* x86_64 writev */
	assert_int_equal(eval(p, X86_64, 39, 0, 0, 0), ALLOW);
	assert_int_equal(eval(p, I386, 39, 0, 0, 0), ERRNO(1));
	jitk_policy_free(p);
}

static void first_match_wins(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ default_action = Allow; rules = [\n"
				  "  { action = Errno 1; syscall = write; when = arg0 == 1 };\n"
				  "  { action = Errno 2; syscall = [read; write]; when = arg2 > 100 };\n"
				  "  { action = Errno 3; syscall = write };\n"
				  "  { action = Errno 4; syscall = write } ] }");
	assert_int_equal(eval(p, X86_64, 1, 1, 0, 1000), ERRNO(1));
	assert_int_equal(eval(p, X86_64, 1, 2, 0, 1000), ERRNO(2));
	assert_int_equal(eval(p, X86_64, 1, 2, 0, 100), ERRNO(3));
	assert_int_equal(eval(p, X86_64, 0, 1, 0, 101), ERRNO(2));
	assert_int_equal(eval(p, X86_64, 0, 1, 0, 100), ALLOW);
	jitk_policy_free(p);
}

/* The TIOCSTI bypass: ioctl's cmd is an unsigned int, the kernel only uses
 * its low 32 bits (__SC_CAST), so a 64-bit compare of it could be passed
 * with junk above them (0xdeadbeef00005412).  Since issue 9 the semantics
 * compare the bits the kernel uses: arg1 of ioctl is 32 bits, with or
 * without low32(); its unsigned long arg2 stays 64 bits. */
static void tiocsti_low32(void **state)
{
	(void)state;
	jitk_policy *wide =
		parse_ok("{ default_action = Allow; rules = [\n"
			 "  { action = Errno EPERM; syscall = ioctl; when = arg1 == TIOCSTI } ] }");
	jitk_policy *narrow =
		parse_ok("{ default_action = Allow; rules = [\n"
			 "  { action = Errno EPERM; syscall = ioctl; when = low32(arg1) == TIOCSTI } ] }");
	const uint64_t junk = 0xdeadbeef00005412u;
	assert_int_equal(eval(wide, X86_64, 16, 0, 0x5412, 0), ERRNO(1));
	assert_int_equal(eval(wide, X86_64, 16, 0, junk, 0), ERRNO(1)); /* no bypass */
	assert_int_equal(eval(narrow, X86_64, 16, 0, 0x5412, 0), ERRNO(1));
	assert_int_equal(eval(narrow, X86_64, 16, 0, junk, 0), ERRNO(1));
	assert_int_equal(eval(narrow, X86_64, 16, 0, 0x5413, 0), ALLOW);
	assert_int_equal(eval(narrow, X86_64, 16, 0, 0x100005413u, 0), ALLOW);
	jitk_policy_free(wide);
	jitk_policy_free(narrow);
	jitk_policy *arg = parse_ok("{ default_action = Allow; rules = [\n"
				    "  { action = Errno 3; syscall = ioctl; when = arg2 == 7 } ] }");
	assert_int_equal(eval(arg, X86_64, 16, 0, 0, 7), ERRNO(3));
	assert_int_equal(eval(arg, X86_64, 16, 0, 0, 0x100000007u), ALLOW); /* 64-bit */
	jitk_policy_free(arg);
	/* low32 of the 64-bit arg2 reads exactly its low 32 bits (bit 32 of
	 * the register is not one of them) */
	arg = parse_ok("{ default_action = Allow; rules = [\n"
		       "  { action = Errno 3; syscall = ioctl; when = low32(arg2) == 7 } ] }");
	assert_int_equal(eval(arg, X86_64, 16, 0, 0, 0x100000007u), ERRNO(3));
	assert_int_equal(eval(arg, X86_64, 16, 0, 0, 0x80000007u), ALLOW);
	jitk_policy_free(arg);

	/* A negative constant in a 32-bit compare means its 32-bit two's
	 * complement: openat's dfd is an int. */
	jitk_policy *p = parse_ok("{ default_action = Allow; rules = [\n"
				  "  { action = Errno 9; syscall = openat; when = low32(arg0) == AT_FDCWD };\n"
				  "  { action = Errno 8; syscall = openat; when = arg0 == AT_FDCWD } ] }");
	assert_int_equal(eval(p, X86_64, 257, 0xffffff9cu, 0, 0), ERRNO(9));
	assert_int_equal(eval(p, X86_64, 257, 0x12345678ffffff9cu, 0, 0), ERRNO(9));
	jitk_policy_free(p);
	p = parse_ok("{ default_action = Allow; rules = [\n"
		     "  { action = Errno 8; syscall = openat; when = arg0 == AT_FDCWD } ] }");
	assert_int_equal(eval(p, X86_64, 257, 0xffffffffffffff9cu, 0, 0), ERRNO(8));
	assert_int_equal(eval(p, X86_64, 257, 0xffffff9cu, 0, 0), ERRNO(8));
	assert_int_equal(eval(p, X86_64, 257, 0xffffff9du, 0, 0), ALLOW);
	jitk_policy_free(p);
}

/* i386 arguments are 32-bit: `int $0x80` from a 64-bit task hands seccomp
 * the full registers (docs/kernel-notes.md), but the call only uses the low
 * halves, so on i386 every compare reads the low 32 bits -- otherwise junk
 * in the high half would bypass `arg1 == TIOCSTI` -- and a negative value
 * means its 32-bit two's complement (issue 9: `arg0 == -1` never matched). */
static void i386_args_are_32_bit(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok(
		"{ arch = [x86_64; i386]; default_action = Allow; rules = [\n"
		"  { action = Errno EPERM; syscall = ioctl; when = arg1 == TIOCSTI };\n"
		"  { action = Errno 5; syscall = close; when = arg0 == -1 };\n"
		"  { action = Errno 6; syscall = openat; when = arg0 == AT_FDCWD };\n"
		"  { action = Errno 7; syscall = ioctl; arch = x86_64; when = arg2 > 0xffffffff } ] }");
	const uint64_t junk = 0xdeadbeef00005412u;
	assert_int_equal(eval(p, I386, 54, 0, 0x5412, 0), ERRNO(1));
	assert_int_equal(eval(p, I386, 54, 0, junk, 0), ERRNO(1));
	assert_int_equal(eval(p, I386, 6, 0xffffffffu, 0, 0), ERRNO(5));
	assert_int_equal(eval(p, I386, 6, 0x12300000ffffffffu, 0, 0), ERRNO(5));
	assert_int_equal(eval(p, I386, 6, 0xfffffffeu, 0, 0), ALLOW);
	assert_int_equal(eval(p, I386, 295, 0xffffff9cu, 0, 0), ERRNO(6));
	/* x86_64's ioctl arg (unsigned long) stays 64-bit. */
	assert_int_equal(eval(p, X86_64, 16, 0, 0, 0x100000000u), ERRNO(7));
	assert_int_equal(eval(p, X86_64, 3, 0xffffffffu, 0, 0), ERRNO(5));
	jitk_policy_free(p);
	/* A value no 32-bit argument can have is an error there. */
	jitk_policy *q = NULL;
	jitk_diag d;
	const char *bad = "{ arch = [x86_64; i386]; default_action = Allow; rules = [\n"
			  "  { action = Errno 7; syscall = ioctl; when = arg2 > 0x100000000 } ] }";
	assert_int_equal(jitk_policy_parse(bad, strlen(bad), "t.scpl", &q, &d), JITK_E_RANGE);
	assert_non_null(strstr(d.msg, "on i386"));
	assert_int_equal(d.line, 2);
	assert_int_equal(d.col, 54); /* at the constant */
	assert_int_equal(d.span, 11);
}

/* The compiled filter, proved equal to p by jitk_compile, gives want on
 * the input too (the kernel cannot run x32 or aarch64 calls here). */
static void filter_agrees(const jitk_policy *p, uint32_t arch, uint32_t nr, uint64_t a0, uint64_t a1,
			  uint64_t a2, uint32_t want)
{
	jitk_filter *f = NULL;
	jitk_diag d;
	if (jitk_compile(p, NULL, &f, &d))
		fail_msg("compile: %s", d.msg);
	struct seccomp_data in = { .nr = (int)nr, .arch = arch, .args = { a0, a1, a2 } };
	jitk_result r;
	assert_int_equal(jitk_interp(f, &in, &r), JITK_OK);
	assert_int_equal(r.ret, want);
	assert_int_equal(eval(p, arch, nr, a0, a1, a2), want);
	jitk_filter_free(f);
}

/* x32's ioctl (514) runs compat_sys_ioctl, whose arg is a compat_ulong_t:
 * the kernel uses 32 bits of it, x86_64's sys_ioctl all 64 (issue 9). */
static void x32_compat_widths(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ arch = [x86_64; x32]; default_action = Allow; rules = [\n"
				  "  { action = Errno 4; syscall = ioctl; when = arg2 == 5 };\n"
				  "  { action = Errno 3; syscall = mmap; when = arg0 == 5 } ] }");
	assert_int_equal(eval(p, X86_64, 16, 0, 0, 5), ERRNO(4));
	assert_int_equal(eval(p, X86_64, 16, 0, 0, 0x100000005u), ALLOW);
	assert_int_equal(eval(p, X86_64, X32 | 514, 0, 0, 5), ERRNO(4));
	assert_int_equal(eval(p, X86_64, X32 | 514, 0, 0, 0x100000005u), ERRNO(4)); /* the bypass closed */
	/* x32's mmap (9, a common row) is sys_mmap: 64 bits. */
	assert_int_equal(eval(p, X86_64, X32 | 9, 5, 0, 0), ERRNO(3));
	assert_int_equal(eval(p, X86_64, X32 | 9, 0x100000005u, 0, 0), ALLOW);
	filter_agrees(p, X86_64, X32 | 514, 0, 0, 0xdead000000000005u, ERRNO(4));
	filter_agrees(p, X86_64, 16, 0, 0, 0xdead000000000005u, ALLOW);
	jitk_policy_free(p);
}

/* The answer of policy p, and of its compiled filter (interpreter), for a
 * call with all six arguments given (a little-endian ABI: args as is). */
static uint32_t eval_both(const jitk_policy *p, uint32_t arch, uint32_t nr, const uint64_t args[6])
{
	struct seccomp_data in = { .nr = (int)nr, .arch = arch };
	memcpy(in.args, args, sizeof in.args);
	uint32_t sem = jitk_policy_eval(p, &in);
	jitk_filter *f = NULL;
	jitk_diag d;
	if (jitk_compile(p, NULL, &f, &d))
		fail_msg("compile: %s", d.msg);
	jitk_result r;
	assert_int_equal(jitk_interp(f, &in, &r), JITK_OK);
	jitk_filter_free(f);
	assert_int_equal(r.ret, sem);
	return sem;
}

/*
 * Arguments whose kernel body uses fewer bits than their C type
 * (docs/kernel-notes.md section 8, tools/knarrow.py): each deny rule below
 * was passed, with the old widths, by a call with high bits the kernel
 * never reads.  mips n32's personality is sys_32_personality(unsigned long),
 * whose body starts `unsigned int p = personality & 0xffffffff;`; ppc64's
 * sys_ppc64_personality ends in ksys_personality(unsigned int); x86-64's
 * mmap fd reaches fget(unsigned int) only; readv's vlen import_iovec's
 * unsigned nr_segs; clone's flags lower_32_bits(); exit's status `& 0xff`.
 */
static void body_narrowed_widths(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ arch = [mipsel64n32; ppc64le; x86_64]; default_action = Allow; rules = [\n"
				  "  { action = Errno 1; syscall = personality; when = arg0 == 8 };\n"
				  "  { action = Errno 2; syscall = mmap; when = arg4 == 3 };\n"
				  "  { action = Errno 3; syscall = readv; when = arg2 == 0 };\n"
				  "  { action = Errno 4; syscall = clone; when = arg0 == 0x11 };\n"
				  "  { action = Errno 5; syscall = exit_group; when = arg0 == 1 } ] }");
	const uint64_t hi = 0xdead000100000000u;
	/* mipsel64n32 personality is 6132, ppc64le's 136, x86-64's 135 (an
	 * unsigned int in every body: the same answer). */
	uint64_t a[6] = { 8 };
	assert_int_equal(eval_both(p, AUDIT_ARCH_MIPSEL64N32, 6132, a), ERRNO(1));
	a[0] = hi | 8;
	assert_int_equal(eval_both(p, AUDIT_ARCH_MIPSEL64N32, 6132, a), ERRNO(1)); /* the bypass, closed */
	assert_int_equal(eval_both(p, AUDIT_ARCH_PPC64LE, 136, a), ERRNO(1));
	assert_int_equal(eval_both(p, X86_64, 135, a), ERRNO(1));
	a[0] = hi | 9;
	assert_int_equal(eval_both(p, AUDIT_ARCH_MIPSEL64N32, 6132, a), ALLOW);
	/* mmap (x86-64 9, mipsel64n32 6009): fd in 32 bits, addr in 64. */
	uint64_t m[6] = { 0, 4096, 1, 2, hi | 3, 0 };
	assert_int_equal(eval_both(p, X86_64, 9, m), ERRNO(2));
	assert_int_equal(eval_both(p, AUDIT_ARCH_MIPSEL64N32, 6009, m), ERRNO(2));
	m[4] = hi | 4;
	assert_int_equal(eval_both(p, X86_64, 9, m), ALLOW);
	/* readv (x86-64 19): vlen 0x100000000 is a vlen of 0 to the kernel. */
	uint64_t r[6] = { 0, 0, 0x100000000u };
	assert_int_equal(eval_both(p, X86_64, 19, r), ERRNO(3));
	/* clone (x86-64 56): the flags' low 32 bits. */
	uint64_t c[6] = { hi | 0x11 };
	assert_int_equal(eval_both(p, X86_64, 56, c), ERRNO(4));
	/* exit_group (x86-64 231): the status is its low 8 bits; 257 is 1. */
	uint64_t e[6] = { 257 };
	assert_int_equal(eval_both(p, X86_64, 231, e), ERRNO(5));
	jitk_policy_free(p);
	/* A value above the narrowed width can never match: an error. */
	jitk_policy *q = NULL;
	jitk_diag d;
	const char *bad = "{ arch = [x86_64]; default_action = Allow; rules = [\n"
			  "  { action = Errno 2; syscall = mmap; when = arg4 == 0x100000003 } ] }";
	assert_int_not_equal(jitk_policy_parse(bad, strlen(bad), "t.scpl", &q, &d), JITK_OK);
	assert_null(q);
}

/* Constants take each ABI's own value (issue 9: O_DIRECTORY on aarch64). */
static void constants_per_abi(void **state)
{
	(void)state;
	jitk_policy *p =
		parse_ok("{ arch = [x86_64; aarch64]; default_action = Allow; rules = [\n"
			 "  { action = Errno 2; syscall = openat; when = (arg2 & O_DIRECTORY) != 0 } ] }");
	assert_int_equal(eval(p, X86_64, 257, 0, 0, 0200000), ERRNO(2));
	assert_int_equal(eval(p, X86_64, 257, 0, 0, 040000), ALLOW);
	assert_int_equal(eval(p, AARCH64, 56, 0, 0, 040000), ERRNO(2));
	assert_int_equal(eval(p, AARCH64, 56, 0, 0, 0200000), ALLOW); /* O_DIRECT there */
	filter_agrees(p, AARCH64, 56, 0, 0, 040000, ERRNO(2));
	filter_agrees(p, AARCH64, 56, 0, 0, 0200000, ALLOW);
	jitk_policy_free(p);
	/* A constant an ABI of the rule lacks is an error naming both. */
	jitk_policy *q = NULL;
	jitk_diag d;
	const char *bad = "{ arch = [x86_64; aarch64]; default_action = Allow; rules = [\n"
			  "  { action = Errno 2; syscall = arch_prctl; when = arg0 == ARCH_SET_FS } ] }";
	/* arch_prctl exists on x86_64 only, so the rule applies there only: fine. */
	assert_int_equal(jitk_policy_parse(bad, strlen(bad), "t.scpl", &q, &d), JITK_OK);
	jitk_policy_free(q);
	bad = "{ arch = [x86_64; aarch64]; default_action = Allow; rules = [\n"
	      "  { action = Errno 2; syscall = prctl; when = arg1 == ARCH_SET_FS } ] }";
	assert_int_equal(jitk_policy_parse(bad, strlen(bad), "t.scpl", &q, &d), JITK_E_NAME);
	assert_non_null(strstr(d.msg, "ARCH_SET_FS"));
	assert_non_null(strstr(d.msg, "aarch64"));
	assert_int_equal(d.col, 55);
}

/* umode_t is an unsigned short: the kernel uses 16 bits of a mode. */
static void sixteen_bit_mode(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ default_action = Allow; rules = [\n"
				  "  { action = Errno 1; syscall = chmod; when = arg1 == 04755 } ] }");
	assert_int_equal(eval(p, X86_64, 90, 0, 04755, 0), ERRNO(1));
	assert_int_equal(eval(p, X86_64, 90, 0, 0x10000 | 04755, 0), ERRNO(1));
	assert_int_equal(eval(p, X86_64, 90, 0, 04754, 0), ALLOW);
	jitk_policy_free(p);
}

/* reg64(argN) reads the whole 64-bit register as seccomp sees it, whatever
 * the parameter and the ABI: on socket's int family, on i386 (whose
 * arguments carry high halves from int $0x80 in a 64-bit task), with masks
 * and with values no parameter width limits. */
static void reg64_whole_register(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok(
		"{ arch = [x86_64; i386; x32]; default_action = Allow; rules = [\n"
		"  { action = Errno 1; syscall = socket; when = reg64(arg0) == AF_VSOCK };\n"
		"  { action = Errno 2; syscall = close; when = reg64(arg0) > 0xffffffff };\n"
		"  { action = Errno 3; syscall = chmod; when = (reg64(arg1) & 0x1ffff) == 0x10000 };\n"
		"  { action = Errno 4; syscall = dup; when = reg64(arg0) == -1 } ] }");
	/* x86_64 socket (41): family is an int, yet reg64 sees the high half */
	assert_int_equal(eval(p, X86_64, 41, 40, 0, 0), ERRNO(1));
	assert_int_equal(eval(p, X86_64, 41, 0x100000028u, 0, 0), ALLOW);
	/* i386 close (6): the high halves of int $0x80 reach the compare */
	assert_int_equal(eval(p, I386, 6, 0xffffffffu, 0, 0), ALLOW);
	assert_int_equal(eval(p, I386, 6, 0x100000000u, 0, 0), ERRNO(2));
	/* chmod's umode_t: a 17-bit mask is no error in reg64 */
	assert_int_equal(eval(p, X86_64, 90, 0, 0x10000, 0), ERRNO(3));
	assert_int_equal(eval(p, X86_64, 90, 0, 0x10001, 0), ALLOW);
	/* -1 is the 64-bit two's complement in reg64, on every ABI */
	assert_int_equal(eval(p, X86_64, 32, UINT64_MAX, 0, 0), ERRNO(4));
	assert_int_equal(eval(p, X86_64, 32, 0xffffffffu, 0, 0), ALLOW);
	assert_int_equal(eval(p, I386, 41, 0xffffffffu, 0, 0), ALLOW);
	assert_int_equal(eval(p, I386, 41, UINT64_MAX, 0, 0), ERRNO(4));
	/* x32's dup (32, a common row) */
	assert_int_equal(eval(p, X86_64, X32 | 32, UINT64_MAX, 0, 0), ERRNO(4));
	/* The compiled filter (proved equal by jitk_compile) reads both words,
	 * on i386 too. */
	filter_agrees(p, I386, 6, 0x100000000u, 0, 0, ERRNO(2));
	filter_agrees(p, I386, 6, 0xffffffffu, 0, 0, ALLOW);
	filter_agrees(p, I386, 41, 0xffffffffu, 0, 0, ALLOW);
	filter_agrees(p, I386, 41, UINT64_MAX, 0, 0, ERRNO(4));
	filter_agrees(p, X86_64, 41, 0x100000028u, 0, 0, ALLOW);
	filter_agrees(p, X86_64, 90, 0, 0x10000, 0, ERRNO(3));
	jitk_policy_free(p);
	/* argN on the same parameters reads what the kernel uses instead */
	p = parse_ok("{ arch = [x86_64; i386]; default_action = Allow; rules = [\n"
		     "  { action = Errno 1; syscall = socket; when = arg0 == AF_VSOCK };\n"
		     "  { action = Errno 2; syscall = close; when = arg0 == -1 } ] }");
	assert_int_equal(eval(p, X86_64, 41, 0x100000028u, 0, 0), ERRNO(1));
	assert_int_equal(eval(p, I386, 6, 0x12345678ffffffffu, 0, 0), ERRNO(2));
	jitk_policy_free(p);
}

/* Each relop, unsigned 64-bit, at the boundary. */
static void relops_unsigned(void **state)
{
	(void)state;
	static const struct {
		const char *op;
		bool lt, eq, gt; /* result for x < 5, x == 5, x > 5 */
	} ops[] = {
		{ "==", false, true, false }, { "!=", true, false, true }, { "<", true, false, false },
		{ "<=", true, true, false },  { ">", false, false, true }, { ">=", false, true, true },
	};
	for (size_t i = 0; i < 6; i++) {
		char text[256];
		snprintf(text, sizeof text,
			 "{ default_action = Allow; rules = [ { action = Kill; syscall = read; when = arg2 %s 5 } ] }",
			 ops[i].op);
		jitk_policy *p = parse_ok(text); /* read's size_t count: 64 bits */
		assert_int_equal(eval(p, X86_64, 0, 0, 0, 4), ops[i].lt ? KILL : ALLOW);
		assert_int_equal(eval(p, X86_64, 0, 0, 0, 5), ops[i].eq ? KILL : ALLOW);
		assert_int_equal(eval(p, X86_64, 0, 0, 0, 6), ops[i].gt ? KILL : ALLOW);
		/* unsigned: -1 and 2^32 + 4 are greater than 5 */
		assert_int_equal(eval(p, X86_64, 0, 0, 0, UINT64_MAX), ops[i].gt ? KILL : ALLOW);
		assert_int_equal(eval(p, X86_64, 0, 0, 0, 0x100000004u), ops[i].gt ? KILL : ALLOW);
		/* 2^32 + 5 is not 5 for a 64-bit compare ... */
		assert_int_equal(eval(p, X86_64, 0, 0, 0, 0x100000005u), ops[i].gt ? KILL : ALLOW);
		jitk_policy_free(p);
		/* ... but is for low32, and for the unsigned int fd (arg0) */
		snprintf(text, sizeof text,
			 "{ default_action = Allow; rules = [ { action = Kill; syscall = read; when = low32(arg0) %s 5 } ] }",
			 ops[i].op);
		p = parse_ok(text);
		assert_int_equal(eval(p, X86_64, 0, 0x100000005u, 0, 0), ops[i].eq ? KILL : ALLOW);
		assert_int_equal(eval(p, X86_64, 0, 0xffffffff00000004u, 0, 0), ops[i].lt ? KILL : ALLOW);
		assert_int_equal(eval(p, X86_64, 0, 0x00000001ffffffffu, 0, 0), ops[i].gt ? KILL : ALLOW);
		jitk_policy_free(p);
	}
}

static void masks_and_logic(void **state)
{
	(void)state;
	/* mmap/mprotect with PROT_EXEC (4) and PROT_WRITE (2) together. */
	jitk_policy *p = parse_ok("{ default_action = Allow; rules = [\n"
				  "  { action = Errno EACCES; syscall = [mmap; mprotect];\n"
				  "    when = (arg2 & PROT_EXEC|PROT_WRITE) == PROT_EXEC|PROT_WRITE } ] }");
	assert_int_equal(eval(p, X86_64, 9, 0, 0, 7), ERRNO(13));
	assert_int_equal(eval(p, X86_64, 10, 0, 0, 6), ERRNO(13));
	assert_int_equal(eval(p, X86_64, 10, 0, 0, 0xffffffff00000006u), ERRNO(13));
	assert_int_equal(eval(p, X86_64, 10, 0, 0, 5), ALLOW);
	assert_int_equal(eval(p, X86_64, 10, 0, 0, 3), ALLOW);
	assert_int_equal(eval(p, X86_64, 11, 0, 0, 6), ALLOW); /* munmap */
	jitk_policy_free(p);

	p = parse_ok("{ default_action = Errno 1; rules = [\n"
		     "  { action = Allow; syscall = read; when = !(arg0 == 1 || arg1 == 2) && arg2 != 3 };\n"
		     "  { action = Log; syscall = read; when = true };\n"
		     "  { action = Kill; syscall = write; when = false } ] }");
	/* rule 1 holds iff a0 != 1 and a1 != 2 and a2 != 3 */
	assert_int_equal(eval(p, X86_64, 0, 0, 0, 0), ALLOW);
	assert_int_equal(eval(p, X86_64, 0, 1, 0, 0), 0x7ffc0000u);
	assert_int_equal(eval(p, X86_64, 0, 0, 2, 0), 0x7ffc0000u);
	assert_int_equal(eval(p, X86_64, 0, 0, 0, 3), 0x7ffc0000u);
	assert_int_equal(eval(p, X86_64, 0, 0x101, 0x102, 0x103), ALLOW);
	/* false never holds */
	assert_int_equal(eval(p, X86_64, 1, 0, 0, 0), ERRNO(1));
	assert_int_equal(eval(p, X86_64, 1, UINT64_MAX, UINT64_MAX, UINT64_MAX), ERRNO(1));
	jitk_policy_free(p);

	/* Conditions on every argument index. */
	for (int i = 0; i < 6; i++) {
		char text[256];
		snprintf(text, sizeof text,
			 "{ default_action = Allow; rules = [ { action = Kill; syscall = read; when = arg%d == 77 } ] }",
			 i);
		p = parse_ok(text);
		struct seccomp_data in = { .nr = 0, .arch = X86_64 };
		assert_int_equal(jitk_policy_eval(p, &in), ALLOW);
		in.args[i] = 77;
		assert_int_equal(jitk_policy_eval(p, &in), KILL);
		in.args[i] = 0;
		in.args[(i + 1) % 6] = 77;
		assert_int_equal(jitk_policy_eval(p, &in), ALLOW);
		in.instruction_pointer = 77;
		assert_int_equal(jitk_policy_eval(p, &in), ALLOW);
		jitk_policy_free(p);
	}
}

/* Errno names take each ABI's value (its <asm/errno.h>: ENOSYS is 38 on x86
 * and 89 on mips, EDEADLOCK 35 on x86, 56 on mips and 58 on powerpc), in
 * actions and in conditions; one action has one value, so an action over
 * ABIs that disagree is an error (docs/scpl.md, the table of actions;
 * docs/kernel-notes.md section 9). */
static void errno_per_abi(void **state)
{
	(void)state;
	const uint32_t mipsel = AUDIT_ARCH_MIPSEL, ppc = AUDIT_ARCH_PPC64LE;
	jitk_policy *p =
		parse_ok("{ arch = [x86_64; mipsel; ppc64le]; default_action = Errno EPERM; rules = [\n"
			 "  { action = Errno ENOSYS; syscall = read };\n"
			 "  { action = Errno EDEADLOCK; syscall = write };\n"
			 "  { action = Allow; syscall = close; when = arg0 == ENOSYS } ] }");
	assert_int_equal(eval(p, X86_64, 0, 0, 0, 0), ERRNO(38));
	assert_int_equal(eval(p, mipsel, 4003, 0, 0, 0), ERRNO(89));
	assert_int_equal(eval(p, ppc, 3, 0, 0, 0), ERRNO(38));
	assert_int_equal(eval(p, X86_64, 1, 0, 0, 0), ERRNO(35));
	assert_int_equal(eval(p, mipsel, 4004, 0, 0, 0), ERRNO(56));
	assert_int_equal(eval(p, ppc, 4, 0, 0, 0), ERRNO(58));
	assert_int_equal(eval(p, X86_64, 3, 38, 0, 0), ALLOW);
	assert_int_equal(eval(p, X86_64, 3, 89, 0, 0), ERRNO(1));
	assert_int_equal(eval(p, mipsel, 4006, 89, 0, 0), ALLOW);
	assert_int_equal(eval(p, mipsel, 4006, 38, 0, 0), ERRNO(1));
	filter_agrees(p, mipsel, 4003, 0, 0, 0, ERRNO(89));
	filter_agrees(p, mipsel, 4006, 89, 0, 0, ALLOW);
	filter_agrees(p, X86_64, 0, 0, 0, 0, ERRNO(38));
	/* Printed and read back, it means the same. */
	char *txt = NULL;
	assert_int_equal(jitk_policy_print(p, &txt), JITK_OK);
	jitk_policy *q = parse_ok(txt);
	assert_int_equal(eval(q, mipsel, 4003, 0, 0, 0), ERRNO(89));
	assert_int_equal(eval(q, X86_64, 0, 0, 0, 0), ERRNO(38));
	assert_int_equal(eval(q, mipsel, 4004, 0, 0, 0), ERRNO(56));
	assert_int_equal(eval(q, ppc, 4, 0, 0, 0), ERRNO(58));
	free(txt);
	jitk_policy_free(q);
	jitk_policy_free(p);
	/* A default over ABIs that agree takes their value; a number is a number. */
	p = parse_ok("{ arch = [mips; mips64; mips64n32]; default_action = Errno ENOSYS; rules = [] }");
	assert_int_equal(eval(p, AUDIT_ARCH_MIPS64N32, 6000, 0, 0, 0), ERRNO(89));
	jitk_policy_free(p);
	p = parse_ok("{ arch = [x86_64; mips]; default_action = Errno 89; rules = [] }");
	assert_int_equal(eval(p, X86_64, 0, 0, 0, 0), ERRNO(89));
	jitk_policy_free(p);
	p = parse_ok("{ arch = [mips]; default_action = Errno EINIT; rules = [] }"); /* mips's own name */
	assert_int_equal(eval(p, AUDIT_ARCH_MIPS, 4003, 0, 0, 0), ERRNO(141));
	jitk_policy_free(p);
	/* ABIs that disagree, and a name an ABI lacks: errors at the name. */
	static const struct {
		const char *text, *msg;
		unsigned col;
	} bad[] = {
		{ "{ arch = [x86_64; mips]; default_action = Errno ENOSYS; rules = [] }",
		  "'ENOSYS' is 38 on x86_64 but 89 on mips", 49 },
		{ "{ arch = [ppc; s390]; default_action = Allow; foreign_action = Errno EDEADLOCK; rules = [] }",
		  "'EDEADLOCK' is 58 on ppc but 35 on s390", 70 },
		{ "{ default_action = Errno EINIT; rules = [] }", "constant 'EINIT' has no value on x86_64",
		  26 },
		{ "{ arch = [x86_64; mips]; default_action = Allow; rules = [\n"
		  "  { action = Errno EINIT; syscall = read } ] }",
		  "constant 'EINIT' has no value on x86_64", 20 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		jitk_diag d;
		jitk_policy *r = NULL;
		assert_int_equal(jitk_policy_parse(bad[i].text, strlen(bad[i].text), "t.scpl", &r, &d),
				 JITK_E_NAME);
		assert_null(r);
		if (!strstr(d.msg, bad[i].msg) || d.col != bad[i].col)
			fail_msg("case %zu: %u:%u: %s", i, d.line, d.col, d.msg);
	}
}

/* jitk_input_abi: the arch word picks the ABI, and on AUDIT_ARCH_X86_64 the
 * x32 bit (unsigned: negative numbers are x32 too) splits x32 off. */
static void input_abi(void **state)
{
	(void)state;
	struct seccomp_data in = { .nr = 0, .arch = X86_64 };
	assert_int_equal(jitk_input_abi(&in), JITK_ARCH_X86_64);
	in.nr = (int)(X32 - 1);
	assert_int_equal(jitk_input_abi(&in), JITK_ARCH_X86_64);
	in.nr = (int)X32;
	assert_int_equal(jitk_input_abi(&in), JITK_ARCH_X32);
	in.nr = -1;
	assert_int_equal(jitk_input_abi(&in), JITK_ARCH_X32);
	in.arch = I386;
	assert_int_equal(jitk_input_abi(&in), JITK_ARCH_I386); /* no x32 split on i386 */
	in.arch = AARCH64;
	assert_int_equal(jitk_input_abi(&in), JITK_ARCH_AARCH64);
	in.arch = AUDIT_ARCH_ARM;
	assert_int_equal(jitk_input_abi(&in), JITK_ARCH_ARM);
	in.arch = AUDIT_ARCH_MIPS64N32;
	in.nr = (int)X32; /* the x32 split is x86's alone */
	assert_int_equal(jitk_input_abi(&in), JITK_ARCH_MIPS64N32);
	in.arch = AUDIT_ARCH_S390;
	assert_int_equal(jitk_input_abi(&in), JITK_ARCH_S390);
	for (int a = 0; a < JITK_ARCH__COUNT; a++) /* every ABI by its own value */
		if (a != JITK_ARCH_X32) {
			in.arch = jitk_arch_audit((jitk_arch)a);
			in.nr = 0;
			assert_int_equal(jitk_input_abi(&in), a);
		}
	in.arch = AUDIT_ARCH_ARMEB; /* big-endian arm: not an ABI jitk knows */
	assert_int_equal(jitk_input_abi(&in), -1);
	in.arch = 0;
	assert_int_equal(jitk_input_abi(&in), -1);
	assert_int_equal(jitk_input_abi(NULL), -1);
}

/* The result is a pure function of the input: the whole seccomp_data
 * other than nr/arch/args (instruction_pointer) never matters. */
static void default_and_foreign_data(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ arch = [i386]; default_action = Trace 77; foreign_action = Trap 5;\n"
				  "  rules = [ { action = Errno 4095; syscall = getpid } ] }");
	assert_int_equal(eval(p, I386, 20, 0, 0, 0), ERRNO(4095));
	assert_int_equal(eval(p, I386, 21, 0, 0, 0), 0x7ff0004du);
	assert_int_equal(eval(p, X86_64, 39, 0, 0, 0), 0x00030005u);
	jitk_policy_free(p);
}

/* jitk_policy_decide names what decides: the first rule that applies (a
 * later rule covering the same call is never named), the default or the
 * foreign action; its answer is always jitk_policy_eval's, and
 * jitk_policy_rule gives the deciding rule's place, included files too. */
static void decide_names_the_rule(void **state)
{
	(void)state;
	FILE *fp = fopen("decide_inc.rules", "w");
	assert_non_null(fp);
	fputs("[\n  { action = Errno EPERM; syscall = write } ]\n", fp);
	fclose(fp);
	jitk_policy *p = parse_ok("{ default_action = Errno EACCES;\n"
				  "  rules = [\n"
				  "    { action = Allow; syscall = read; when = arg0 == 0 };\n"
				  "    { action = KillThread; syscall = read };\n"
				  "    { action = Allow; syscall = read };\n"
				  "    include \"decide_inc.rules\";\n"
				  "  ] }\n");
	struct seccomp_data in;
	memset(&in, 0, sizeof in);
	in.arch = X86_64;
	long rule = 99;
	const struct {
		uint32_t arch;
		int nr;
		uint64_t a0;
		long rule;
		uint32_t ret;
	} cases[] = {
		{ X86_64, 0, 0, 0, ALLOW },                                /* read(0): rule 0 */
		{ X86_64, 0, 5, 1, 0 },                                    /* read(5): rule 1, not 2 */
		{ X86_64, 1, 0, 3, ERRNO(1) },                             /* write: the included rule */
		{ X86_64, 39, 0, JITK_DECIDED_DEFAULT, ERRNO(13) },        /* getpid */
		{ I386, 3, 0, JITK_DECIDED_FOREIGN, KILL },                /* i386 is not listed */
		{ X86_64, (int)(X32 | 0), 0, JITK_DECIDED_FOREIGN, KILL }, /* x32 read */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		in.arch = cases[i].arch;
		in.nr = cases[i].nr;
		in.args[0] = cases[i].a0;
		uint32_t ret = jitk_policy_decide(p, &in, &rule);
		assert_int_equal(rule, cases[i].rule);
		assert_int_equal(ret, cases[i].ret);
		assert_int_equal(ret, jitk_policy_eval(p, &in));
		assert_int_equal(jitk_policy_decide(p, &in, NULL), ret);
	}
	const char *file;
	unsigned line, col;
	uint32_t act;
	assert_true(jitk_policy_rule(p, 1, &file, &line, &col, &act));
	assert_string_equal(file, "t.scpl");
	assert_int_equal(line, 4);
	assert_int_equal(col, 5);
	assert_int_equal(act, 0);
	assert_true(jitk_policy_rule(p, 3, &file, &line, &col, &act));
	assert_non_null(strstr(file, "decide_inc.rules"));
	assert_int_equal(line, 2);
	assert_int_equal(act, ERRNO(1));
	assert_false(jitk_policy_rule(p, 4, &file, &line, &col, &act));
	assert_string_equal(jitk_policy_file(p), "t.scpl");
	jitk_policy_free(p);
	remove("decide_inc.rules");
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_policy),
		cmocka_unit_test(x32_is_foreign),
		cmocka_unit_test(per_arch_numbers),
		cmocka_unit_test(first_match_wins),
		cmocka_unit_test(rule_arch_limits),
		cmocka_unit_test(tiocsti_low32),
		cmocka_unit_test(i386_args_are_32_bit),
		cmocka_unit_test(x32_compat_widths),
		cmocka_unit_test(body_narrowed_widths),
		cmocka_unit_test(constants_per_abi),
		cmocka_unit_test(sixteen_bit_mode),
		cmocka_unit_test(reg64_whole_register),
		cmocka_unit_test(relops_unsigned),
		cmocka_unit_test(masks_and_logic),
		cmocka_unit_test(default_and_foreign_data),
		cmocka_unit_test(decide_names_the_rule),
		cmocka_unit_test(input_abi),
		cmocka_unit_test(errno_per_abi),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
