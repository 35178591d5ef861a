/* test_scpl_errors.c - bad policies: each must be refused with the right
 * error kind, a message, a hint, and the file:line:col of the offending
 * token (in the included file when the error is there).  Table-driven: each
 * case is written to a temporary directory as main.scpl (and inc.scpl) and
 * loaded with jitk_policy_load. */
#include "testlib.h"
#include "policy.h"

#include <unistd.h>
#include <sys/stat.h>

/* Most rule cases share this prefix: its '[' is column 35, so a rule written
 * right after it starts at column 36. */
#define P "{ default_action = Allow; rules = ["

struct bad {
	const char *main, *inc; /* inc: contents of inc.scpl, or NULL */
	jitk_err err;
	bool in_inc; /* the error points into inc.scpl */
	unsigned line, col;
	const char *msg;  /* fragment of diag.msg */
	const char *hint; /* fragment of diag.hint, NULL: not checked */
	unsigned span;    /* 0: not checked */
};

/* clang-format off */
static const struct bad cases[] = {
	/* ---- lexical */
	{ "{ default_action = Allow; rules = [] } $", NULL, JITK_E_PARSE, 0, 1, 40, "unexpected character '$'", NULL, 1 },
	{ "{ default_action = Allow; (* rules = [] }", NULL, JITK_E_PARSE, 0, 1, 27, "unterminated comment", "*)", 2 },
	{ "{ default_action = Allow; (* (* *) rules = [] }", NULL, JITK_E_PARSE, 0, 1, 27, "unterminated comment", "nest", 0 },
	{ P "include \"abc ] }", NULL, JITK_E_PARSE, 0, 1, 44, "unterminated string", NULL, 0 },
	{ "{ default_action = Errno 0x; rules = [] }", NULL, JITK_E_PARSE, 0, 1, 26, "hexadecimal number without digits", NULL, 2 },
	{ "{ default_action = Errno 09; rules = [] }", NULL, JITK_E_PARSE, 0, 1, 27, "invalid digit '9' in octal number", "octal", 1 },
	{ "{ default_action = Errno 99999999999999999999; rules = [] }", NULL, JITK_E_RANGE, 0, 1, 26, "does not fit in 64 bits", NULL, 20 },
	{ "{ default_action = Errno 12ab; rules = [] }", NULL, JITK_E_PARSE, 0, 1, 26, "invalid character in number", NULL, 4 },
	{ "{ default_action = Allow, rules = [] }", NULL, JITK_E_PARSE, 0, 1, 25, "unexpected character ','", "separated by ';'", 1 },
	{ "{ default_action = Allow; rules = [] } \xc3\xa9", NULL, JITK_E_PARSE, 0, 1, 40, "unexpected byte 0xc3", NULL, 1 },
	{ "{ default_action = Allow; rules = [] / }", NULL, JITK_E_PARSE, 0, 1, 38, "unexpected character '/'", NULL, 1 },

	/* ---- syntax */
	{ "", NULL, JITK_E_PARSE, 0, 1, 1, "expected '{', found end of file", NULL, 0 },
	{ "default_action = Allow", NULL, JITK_E_PARSE, 0, 1, 1, "expected '{', found 'default_action'", NULL, 14 },
	{ "{}", NULL, JITK_E_PARSE, 0, 1, 2, "expected a field name, found '}'", "default_action", 1 },
	{ "{ default_action = Allow rules = [] }", NULL, JITK_E_PARSE, 0, 1, 26, "expected ';' or '}', found 'rules'", "after a field", 5 },
	{ "{ default_action Allow; rules = [] }", NULL, JITK_E_PARSE, 0, 1, 18, "expected '=', found 'Allow'", "default_action = ", 5 },
	{ P "{ action = Allow; syscall = read ]", NULL, JITK_E_PARSE, 0, 1, 69, "expected ';' or '}', found ']'", "after a field", 0 },
	{ "{ default_action = Allow; rules = [] } {", NULL, JITK_E_PARSE, 0, 1, 40, "unexpected text after the policy", NULL, 0 },
	{ "{ default_action = Allow; rules = { } }", NULL, JITK_E_PARSE, 0, 1, 35, "expected '[', found '{'", NULL, 0 },
	{ P "{ action = Allow; syscall = read; when = arg0 = 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 82, "expected a comparison", "use '=='", 1 },
	{ P "{ action = Allow; syscall = read; when = arg0 == } ] }", NULL, JITK_E_PARSE, 0, 1, 85, "expected a number or a constant name, found '}'", NULL, 0 },
	{ P "{ action = Allow; syscall = read; when = (arg0 == 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 88, "expected ')'", NULL, 0 },
	{ P "{ action = Allow; syscall = read; when = (arg0 & 1 == 1) } ] }", NULL, JITK_E_PARSE, 0, 1, 87, "expected ')', found '=='", "(argN & MASK) == VALUE", 2 },
	{ P "{ action = Allow; syscall = read; when = foo == 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 77, "expected a condition, found 'foo'", "argN OP VALUE", 3 },
	{ P "{ action = Allow 5; syscall = read } ] }", NULL, JITK_E_PARSE, 0, 1, 53, "Allow takes no value", "Errno, Trap and Trace", 0 },
	{ P "{ action = Errno; syscall = read } ] }", NULL, JITK_E_PARSE, 0, 1, 52, "expected an errno value after Errno, found ';'", "Errno EPERM", 0 },
	{ P "{ action = Allow; syscall = [] } ] }", NULL, JITK_E_PARSE, 0, 1, 65, "empty syscall list", NULL, 0 },
	{ "{ arch = []; default_action = Allow; rules = [] }", NULL, JITK_E_PARSE, 0, 1, 11, "empty architecture list", "x86_64", 0 },
	{ P "{ action = Allow; syscall = \"read\" } ] }", NULL, JITK_E_PARSE, 0, 1, 64, "expected a syscall name or number, found '\"read\"'", NULL, 6 },
	{ P "{ action = Allow; syscall = read; when = arg0 == -foo } ] }", NULL, JITK_E_PARSE, 0, 1, 86, "expected a number after '-', found 'foo'", NULL, 0 },
	{ P "include foo ] }", NULL, JITK_E_PARSE, 0, 1, 44, "expected a file name in double quotes", "include \"", 0 },
	{ P "include \"\" ] }", NULL, JITK_E_PARSE, 0, 1, 44, "empty include file name", NULL, 2 },
	{ P "{ action = Allow; syscall = read } { action = Allow; syscall = read } ] }", NULL, JITK_E_PARSE, 0, 1, 71, "expected ';' or ']', found '{'", "after a rule", 0 },
	{ "{ default_action = Allow; rules = [] ", NULL, JITK_E_PARSE, 0, 1, 38, "expected ';' or '}', found end of file", NULL, 0 },
	{ P "{ action = Allow; syscall = read; when = low32 arg0 == 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 83, "expected '(', found 'arg0'", "low32(argN)", 0 },
	{ P "{ action = Allow; syscall = read; when = !! } ] }", NULL, JITK_E_PARSE, 0, 1, 80, "expected a condition, found '}'", NULL, 0 },
	{ P "{ action = Allow; syscall = read; when = arg0 == 1 && } ] }", NULL, JITK_E_PARSE, 0, 1, 90, "expected a condition, found '}'", NULL, 0 },
	{ P "{ action = Allow; syscall = read; when = low32(arg0 == 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 88, "expected ')', found '=='", "low32(argN)", 0 },
	{ P "[ ] ] }", NULL, JITK_E_PARSE, 0, 1, 36, "expected '{' to start a rule, found '['", NULL, 0 },
	{ P "{ action = Allow; syscall = read; when = reg64 arg0 == 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 83, "expected '(', found 'arg0'", "reg64(argN)", 0 },
	{ P "{ action = Allow; syscall = read; when = reg64(arg0 == 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 88, "expected ')', found '=='", "reg64(argN)", 0 },
	{ P "{ action = Allow; syscall = read; when = reg64(low32(arg0)) == 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 83, "expected an argument arg0..arg5, found 'low32'", "reg64(argN) OP VALUE", 0 },
	{ P "{ action = Allow; syscall = read; when = (reg64(arg0) & 1 == 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 94, "expected ')', found '=='", NULL, 0 },

	/* ---- names */
	{ "{ default_acton = Allow; rules = [] }", NULL, JITK_E_NAME, 0, 1, 3, "unknown policy field 'default_acton'", "did you mean default_action?", 13 },
	{ P "{ action = Allow; syscal = read } ] }", NULL, JITK_E_NAME, 0, 1, 54, "unknown rule field 'syscal'", "did you mean syscall?", 6 },
	{ "{ action = Allow; default_action = Allow; rules = [] }", NULL, JITK_E_NAME, 0, 1, 3, "unknown policy field 'action'", "belongs in a rule", 6 },
	{ P "{ action = Alow; syscall = read } ] }", NULL, JITK_E_NAME, 0, 1, 47, "unknown action 'Alow'", "did you mean Allow?", 4 },
	{ "{ default_action = KillProces; rules = [] }", NULL, JITK_E_NAME, 0, 1, 20, "unknown action 'KillProces'", "did you mean KillProcess?", 10 },
	{ "{ default_action = allow; rules = [] }", NULL, JITK_E_NAME, 0, 1, 20, "unknown action 'allow'", "did you mean Allow?", 5 },
	{ "{ default_action = Deny; rules = [] }", NULL, JITK_E_NAME, 0, 1, 20, "unknown action 'Deny'", "actions: Allow", 4 },
	{ "{ arch = [x86_64; armeb]; default_action = Allow; rules = [] }", NULL, JITK_E_NAME, 0, 1, 19, "unknown architecture 'armeb'", "did you mean arm?", 5 },
	{ "{ arch = [x86_64; qqqqqqqqq]; default_action = Allow; rules = [] }", NULL, JITK_E_NAME, 0, 1, 19, "unknown architecture 'qqqqqqqqq'", "x86_64, i386, x32, aarch64, arm, riscv64, ppc64le, ppc64, ppc, s390x, s390, mips, mipsel, mips64, mipsel64, mips64n32, mipsel64n32", 9 },
	{ "{ arch = [x32; i386; x32]; default_action = Allow; rules = [] }", NULL, JITK_E_NAME, 0, 1, 22, "architecture 'x32' listed twice", NULL, 3 },
	{ "{ default_action = Allow; rules = []; default_action = Kill }", NULL, JITK_E_NAME, 0, 1, 39, "duplicate field 'default_action'", "already given on line 1", 14 },
	{ P "{ action = Allow; syscall = read; syscalls = [write] } ] }", NULL, JITK_E_NAME, 0, 1, 70, "duplicate field 'syscalls'", NULL, 8 },
	{ P "{ action = Allow; when = true; action = Log; syscall = read } ] }", NULL, JITK_E_NAME, 0, 1, 67, "duplicate field 'action'", NULL, 6 },
	{ P "{ action = Allow; syscall = opne } ] }", NULL, JITK_E_NAME, 0, 1, 64, "unknown syscall 'opne'", "did you mean 'open'? Or, for a syscall jitk's tables lack, give its number on x86_64: syscall = NR", 4 },
	{ "{ arch = aarch64; default_action = Allow;\n  rules = [ { action = Allow; syscall = open } ] }", NULL, JITK_E_NAME, 0, 2, 41, "syscall 'open' does not exist on aarch64", "did you mean 'openat'? Or, for a syscall jitk's tables lack, give its number on aarch64: syscall = NR", 4 },
	/* a name no table has: no "did you mean", the numeric form; with several
	 * ABIs the rule should be limited to one, and x32 needs its bit */
	{ P "{ action = Allow; syscall = frobnicate_fd } ] }", NULL, JITK_E_NAME, 0, 1, 64, "unknown syscall 'frobnicate_fd'", "for a syscall jitk's tables lack, give its number on x86_64: syscall = NR", 13 },
	{ "{ arch = [x86_64; aarch64]; default_action = Allow; rules = [\n { action = Allow; syscall = frobnicate_fd } ] }", NULL, JITK_E_NAME, 0, 2, 30, "unknown syscall 'frobnicate_fd'", "give its number: syscall = NR, in a rule limited to one ABI (e.g. arch = x86_64), since numbers differ per ABI", 13 },
	{ "{ arch = x32; default_action = Allow; rules = [\n { action = Allow; syscall = frobnicate_fd } ] }", NULL, JITK_E_NAME, 0, 2, 30, "unknown syscall 'frobnicate_fd'", "on x32: syscall = NR (with the x32 bit, 0x40000000)", 13 },
	/* a placeholder of the kernel's table (mips o32's slot 18) is no name;
	 * also reserved<N>, on mips64 too, and with SYS_ */
	{ "{ arch = mips; default_action = Allow;\n  rules = [ { action = Allow; syscall = unused18 } ] }", NULL, JITK_E_NAME, 0, 2, 41, "'unused18' is a placeholder of the kernel's syscall table, not a syscall name", "syscall = NR (4018 on mips)", 8 },
	{ "{ arch = [mips64; x86_64]; default_action = Allow;\n  rules = [ { action = Allow; syscall = SYS_reserved177 } ] }", NULL, JITK_E_NAME, 0, 2, 41, "'SYS_reserved177' is a placeholder", "(5177 on mips64)", 15 },
	{ P "{ action = Allow; syscall = unused18 } ] }", NULL, JITK_E_NAME, 0, 1, 64, "'unused18' is a placeholder", "to mean a slot of the table, give it by number: syscall = NR", 8 },
	/* a far name gets no "did you mean" (cachestat is 3 edits from faccessat) */
	{ P "{ action = Allow; syscall = cachestat } ] }", NULL, JITK_E_NAME, 0, 1, 64, "unknown syscall 'cachestat'", "for a syscall jitk's tables lack", 9 },
	{ P "{ action = Allow; syscall = read; when = arg0 == O_RDONY } ] }", NULL, JITK_E_NAME, 0, 1, 85, "unknown constant 'O_RDONY'", "did you mean O_RDONLY?", 7 },
	{ "{ default_action = Errno EACCESS; rules = [] }", NULL, JITK_E_NAME, 0, 1, 26, "unknown constant 'EACCESS'", "did you mean EACCES?", 7 },
	{ P "{ action = Allow; syscall = read; arch = aarch64 } ] }", NULL, JITK_E_NAME, 0, 1, 70, "the rule's arch list shares no architecture with the policy", "[x86_64]", 4 },
	{ "{ arch = [x86_64; aarch64]; default_action = Allow; rules = [\n { action = Allow; syscall = open; arch = aarch64 } ] }", NULL, JITK_E_NAME, 0, 2, 30, "syscall 'open' does not exist on aarch64", "openat", 4 },
	{ P "{ arch = x86_64; action = Allow; syscall = read; arch = i386 } ] }", NULL, JITK_E_NAME, 0, 1, 85, "duplicate field 'arch'", NULL, 4 },
	{ P "{ action = Allow; syscall = read; arch = [armhfx] } ] }", NULL, JITK_E_NAME, 0, 1, 78, "unknown architecture 'armhfx'", NULL, 6 },
	{ "{\n  default_action = Allow;\n  rules = [\n    { action = Allow; syscall = SYS_gettimeofdya }\n  ]\n}", NULL, JITK_E_NAME, 0, 4, 33, "unknown syscall 'SYS_gettimeofdya'", "did you mean 'gettimeofday'?", 16 },

	/* ---- ranges */
	{ "{ default_action = Errno 4096; rules = [] }", NULL, JITK_E_RANGE, 0, 1, 26, "Errno value 4096 is out of range (0..4095)", "clamps", 4 },
	{ "{ default_action = Errno -1; rules = [] }", NULL, JITK_E_RANGE, 0, 1, 26, "Errno value -1 is out of range", NULL, 2 },
	{ "{ default_action = Trap 0x10000; rules = [] }", NULL, JITK_E_RANGE, 0, 1, 25, "Trap value 0x10000 is out of range (0..65535)", "16 bits", 7 },
	{ "{ default_action = Trace 70000; rules = [] }", NULL, JITK_E_RANGE, 0, 1, 26, "Trace value 70000 is out of range (0..65535)", "16 bits", 5 },
	{ "{ default_action = Errno EPERM | 0x1000; rules = [] }", NULL, JITK_E_RANGE, 0, 1, 26, "Errno value EPERM | 0x1000 is out of range", NULL, 14 },
	{ P "{ action = Allow; syscall = read; when = arg6 == 1 } ] }", NULL, JITK_E_RANGE, 0, 1, 77, "argument index 6 out of range", "at most 6 arguments", 4 },
	{ P "{ action = Allow; syscall = read; when = low32(arg0) == 0x100000000 } ] }", NULL, JITK_E_RANGE, 0, 1, 92, "value 0x100000000 does not fit low32(arg0) of read on x86_64", "low 32 bits", 11 },
	{ P "{ action = Allow; syscall = read; when = (low32(arg0) & 0xffffffff00) == 0 } ] }", NULL, JITK_E_RANGE, 0, 1, 92, "mask 0xffffffff00 does not fit low32(arg0)", NULL, 12 },
	{ P "{ action = Allow; syscall = read; when = low32(arg0) == -0x80000001 } ] }", NULL, JITK_E_RANGE, 0, 1, 92, "value -0x80000001 does not fit", NULL, 11 },
	{ P "{ action = Allow; syscall = read; when = reg64(arg6) == 1 } ] }", NULL, JITK_E_RANGE, 0, 1, 83, "argument index 6 out of range", NULL, 4 },
	/* Issue 9: a value no parameter of that width can hold, without low32:
	 * read's fd is an unsigned int; on i386 every argument is 32 bits. */
	{ P "{ action = Allow; syscall = read; when = arg0 == 0x100000000 } ] }", NULL, JITK_E_RANGE, 0, 1, 85, "does not fit the 32-bit parameter 'fd' (unsigned int) of read on x86_64", "low 32 bits", 11 },
	{ P "{ action = Allow; syscall = chmod; when = arg1 == 0x10000 } ] }", NULL, JITK_E_RANGE, 0, 1, 86, "16-bit parameter 'mode' (umode_t)", NULL, 7 },
	{ "{ arch = [x86_64; i386]; default_action = Allow; rules = [{ action = Allow; syscall = read; when = arg2 < 0x100000000 } ] }", NULL, JITK_E_RANGE, 0, 1, 107, "of read on i386", NULL, 11 },
	{ "{ arch = [x86_64; aarch64]; default_action = Allow; rules = [{ action = Allow; syscall = prctl; when = arg1 == ARCH_SET_FS } ] }", NULL, JITK_E_NAME, 0, 1, 112, "constant 'ARCH_SET_FS' has no value on aarch64", "arch = [", 11 },
	{ P "{ action = Allow; syscall = 0x80000000 } ] }", NULL, JITK_E_RANGE, 0, 1, 64, "syscall number 0x80000000 is out of range", NULL, 10 },
	{ P "{ action = Allow; syscall = read; when = arg0 == -0x8000000000000001 } ] }", NULL, JITK_E_RANGE, 0, 1, 85, "negative number does not fit in 64 bits", NULL, 19 },

	/* ---- structure */
	{ "{ rules = [] }", NULL, JITK_E_PARSE, 0, 1, 1, "the policy has no default_action", "default_action = ", 1 },
	{ "{ default_action = Allow }", NULL, JITK_E_PARSE, 0, 1, 1, "the policy has no rules", "rules = [", 1 },
	{ P "{ syscall = read } ] }", NULL, JITK_E_PARSE, 0, 1, 36, "rule has no action", "action = Allow", 1 },
	{ P "{ action = Allow; when = arg0 == 1 } ] }", NULL, JITK_E_PARSE, 0, 1, 36, "rule has no syscall", NULL, 1 },

	/* ---- includes */
	{ P "include \"nothere.scpl\" ] }", NULL, JITK_E_IO, 0, 1, 44, "cannot read include file", "relative to the including file", 14 },
	{ P "include \"main.scpl\" ] }", NULL, JITK_E_PARSE, 0, 1, 44, "include cycle", NULL, 11 },
	{ P "include \"/dev/zero\" ] }", NULL, JITK_E_IO, 0, 1, 44, "include file '/dev/zero' is not a regular file", NULL, 11 },
	{ P "include \".\" ] }", NULL, JITK_E_IO, 0, 1, 44, "is not a regular file", NULL, 3 },
	{ P "include \"inc.scpl\" ] }", "[ include \"main.scpl\" ]", JITK_E_PARSE, 1, 1, 11, "include cycle", NULL, 11 },
	{ P "include \"inc.scpl\" ] }", "[\n  { action = Allow; syscall = read };\n  { action = Allow; syscall = nosuchcall }\n]",
	  JITK_E_NAME, 1, 3, 31, "unknown syscall 'nosuchcall'", NULL, 10 },
	{ P "include \"inc.scpl\" ] }", "[ { action = Allow syscall = read } ]", JITK_E_PARSE, 1, 1, 20, "expected ';' or '}', found 'syscall'", "after a field", 7 },
	{ P "include \"inc.scpl\" ] }", "[ { action = Allow; syscall = read } ] @", JITK_E_PARSE, 1, 1, 40, "unexpected character '@'", NULL, 1 },
	{ P "include \"inc.scpl\" ] }", "[ ] x", JITK_E_PARSE, 1, 1, 5, "unexpected text after the included rule list", NULL, 1 },
	{ P "include \"inc.scpl\" ] }", "{ default_action = Allow; rules = [] }", JITK_E_PARSE, 1, 1, 1, "expected '['", "[ { ... }; { ... } ]", 1 },
	{ P "include \"inc.scpl\" ] }", "", JITK_E_PARSE, 1, 1, 1, "expected '[', found end of file", NULL, 0 },
	{ P "include \"inc.scpl\" ] }", "[ { action = Errno 5000; syscall = read } ]", JITK_E_RANGE, 1, 1, 20, "Errno value 5000", NULL, 4 },
};
/* clang-format on */

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/jitk-scpl-err-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void put_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int teardown(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/main.scpl", tmpdir);
	remove(path);
	snprintf(path, sizeof path, "%s/inc.scpl", tmpdir);
	remove(path);
	return rmdir(tmpdir);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void table(void **state)
{
	(void)state;
	size_t failures = 0;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct bad *c = &cases[i];
		char path[256];
		put_file("main.scpl", c->main);
		snprintf(path, sizeof path, "%s/inc.scpl", tmpdir);
		remove(path);
		if (c->inc)
			put_file("inc.scpl", c->inc);
		snprintf(path, sizeof path, "%s/main.scpl", tmpdir);
		jitk_policy *p = (jitk_policy *)&p;
		jitk_diag d;
		memset(&d, 0x5a, sizeof d);
		jitk_err e = jitk_policy_load(path, &p, &d);
		bool ok = e == c->err && p == NULL && d.err == c->err &&
			  ends_with(d.file, c->in_inc ? "/inc.scpl" : "/main.scpl") && d.line == c->line &&
			  d.col == c->col && strstr(d.msg, c->msg) && (!c->hint || strstr(d.hint, c->hint)) &&
			  d.hint[0] && d.span >= 1 && (!c->span || d.span == c->span) && d.index == -1;
		if (!ok) {
			print_error("case %zu: %s\n  got  %s (%s) %s:%u:%u span %u: %s [hint: %s]\n"
				    "  want %s %s:%u:%u span %u: %s [hint: %s]\n",
				    i, c->main, jitk_strerror(e), p ? "policy!" : "no policy", d.file,
				    d.line, d.col, d.span, d.msg, d.hint, jitk_strerror(c->err),
				    c->in_inc ? "inc" : "main", c->line, c->col, c->span, c->msg,
				    c->hint ? c->hint : "(any)");
			failures++;
			jitk_policy_free(p == (jitk_policy *)&p ? NULL : p);
			continue;
		}
		/* The same error without a diag, and from jitk_policy_parse on
		 * the main text alone when it has no include (same position). */
		assert_int_equal(jitk_policy_load(path, &p, NULL), c->err);
		if (!c->inc && !strstr(c->main, "include")) {
			jitk_diag d2;
			assert_int_equal(jitk_policy_parse(c->main, strlen(c->main), "x", &p, &d2), c->err);
			assert_string_equal(d2.file, "x");
			assert_int_equal(d2.line, c->line);
			assert_int_equal(d2.col, c->col);
			assert_string_equal(d2.msg, d.msg);
		}
	}
	if (failures)
		fail_msg("%zu of %zu bad policies not reported as expected", failures,
			 sizeof cases / sizeof *cases);
	assert_true(sizeof cases / sizeof *cases >= 40);
}

/* The source line is copied for a caret display. */
static void source_line_copied(void **state)
{
	(void)state;
	const char *t = "{ default_action = Allow;\n\trules = [ { action = Alow; syscall = read } ] }\n";
	jitk_policy *p;
	jitk_diag d;
	assert_int_equal(jitk_policy_parse(t, strlen(t), "f.scpl", &p, &d), JITK_E_NAME);
	assert_string_equal(d.src_line, " rules = [ { action = Alow; syscall = read } ] }");
	assert_int_equal(d.line, 2);
	assert_int_equal(d.col, 23);
	assert_int_equal(d.span, 4);
}

/* Inputs built at run time: lengths and nesting beyond the limits. */
static void limits(void **state)
{
	(void)state;
	jitk_policy *p = NULL;
	jitk_diag d;
	static char text[70000];

	/* An identifier of 128 characters. */
	snprintf(text, sizeof text, "{ default_action = %0128d; rules = [] }", 0);
	memset(text + 19, 'a', 128);
	assert_int_equal(jitk_policy_parse(text, strlen(text), NULL, &p, &d), JITK_E_PARSE);
	assert_non_null(strstr(d.msg, "identifier too long"));
	assert_int_equal(d.col, 20);

	/* A NUL byte inside the text (length given explicitly). */
	const char nul[] = "{ default_action = Allow;\0 rules = [] }";
	assert_int_equal(jitk_policy_parse(nul, sizeof nul - 1, NULL, &p, &d), JITK_E_PARSE);
	assert_non_null(strstr(d.msg, "unexpected byte 0x00"));
	assert_int_equal(d.col, 26);

	/* 64 nested operators are fine, 65 are not: '!' and '(' (docs/scpl.md:
	 * "conditions nest at most 64 levels"). */
	for (int kind = 0; kind < 2; kind++)
		for (int depth = 63; depth <= 65; depth++) {
			size_t n = (size_t)snprintf(
				text, sizeof text,
				"{ default_action = Allow; rules = [ { action = Kill; syscall = read; when = ");
			for (int i = 0; i < depth; i++)
				text[n++] = kind ? '(' : '!';
			n += (size_t)snprintf(text + n, sizeof text - n, "arg0 == 1");
			for (int i = 0; kind && i < depth; i++)
				text[n++] = ')';
			n += (size_t)snprintf(text + n, sizeof text - n, " } ] }");
			jitk_err e = jitk_policy_parse(text, n, NULL, &p, &d);
			if (depth <= 64) {
				assert_int_equal(e, JITK_OK);
				struct seccomp_data in = { .nr = 0, .arch = 0xc000003e, .args = { 1 } };
				/* depth negations of a true compare */
				uint32_t want = (!kind && depth % 2) ? 0x7fff0000u : 0x80000000u;
				assert_int_equal(jitk_policy_eval(p, &in), want);
				jitk_policy_free(p);
			} else {
				assert_int_equal(e, JITK_E_RANGE);
				assert_non_null(strstr(d.msg, "nested too deeply"));
				assert_int_equal(d.col, 77 + 64); /* the 65th operator */
			}
		}

	/* A chain of includes 20 deep (no cycle). */
	char name[64], body[128];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "chain%d.scpl", i);
		if (i == 19)
			snprintf(body, sizeof body, "[]");
		else
			snprintf(body, sizeof body, "[ include \"chain%d.scpl\" ]", i + 1);
		put_file(name, body);
	}
	snprintf(text, sizeof text, "%s/chain0.scpl", tmpdir);
	char top[512];
	snprintf(top, sizeof top, "{ default_action = Allow; rules = [ include \"%s\" ] }", text);
	assert_int_equal(jitk_policy_parse(top, strlen(top), NULL, &p, &d), JITK_E_RANGE);
	assert_non_null(strstr(d.msg, "nested too deeply"));
	assert_true(ends_with(d.file, "/chain15.scpl"));
	/* 15 levels are fine */
	snprintf(text, sizeof text, "%s/chain5.scpl", tmpdir);
	snprintf(top, sizeof top, "{ default_action = Allow; rules = [ include \"%s\" ] }", text);
	assert_int_equal(jitk_policy_parse(top, strlen(top), NULL, &p, &d), JITK_OK);
	assert_int_equal(p->nrules, 0);
	jitk_policy_free(p);
	for (int i = 0; i < 20; i++) {
		snprintf(text, sizeof text, "%s/chain%d.scpl", tmpdir, i);
		remove(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(source_line_copied),
		cmocka_unit_test(limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
