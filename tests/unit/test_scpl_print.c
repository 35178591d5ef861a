/* test_scpl_print.c - jitk_policy_print: parse -> print -> parse keeps, for
 * every ABI and syscall number, the same rules (action, condition) in the
 * same order; printing is a fixpoint; printed forms of the hard cases. */
#include "testlib.h"
#include "policy.h"

#include <stdlib.h>

static jitk_policy *parse_ok(const char *text, const char *name)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err e = jitk_policy_parse(text, strlen(text), name, &p, &d);
	if (e != JITK_OK)
		fail_msg("parse failed: %s:%u:%u: %s (%s)\n%s", d.file, d.line, d.col, d.msg, d.hint, text);
	return p;
}

static char *print_ok(const jitk_policy *p)
{
	char *s = NULL;
	assert_int_equal(jitk_policy_print(p, &s), JITK_OK);
	assert_non_null(s);
	return s;
}

static bool has_nr(const struct pol_rule *r, int a, int nr)
{
	for (size_t i = 0; i < r->nnrs[a]; i++)
		if (r->nrs[a][i] == nr)
			return true;
	return false;
}

/* The rules that apply to (a, nr), in order: equal action and condition. */
static void assert_same_at(const jitk_policy *x, const jitk_policy *y, int a, int nr)
{
	size_t i = 0, j = 0;
	for (;;) {
		while (i < x->nrules && !has_nr(&x->rules[i], a, nr))
			i++;
		while (j < y->nrules && !has_nr(&y->rules[j], a, nr))
			j++;
		if (i == x->nrules || j == y->nrules) {
			if (i != x->nrules || j != y->nrules)
				fail_msg("%s nr %d: different number of rules",
					 jitk_arch_name((jitk_arch)a), nr);
			return;
		}
		if (x->rules[i].action != y->rules[j].action ||
		    !pol_cond_equal(x->rules[i].cond, y->rules[j].cond))
			fail_msg("%s nr %d: rule %zu and rule %zu differ", jitk_arch_name((jitk_arch)a), nr,
				 i, j);
		i++;
		j++;
	}
}

/* x and y agree rule for rule on every (arch, nr) either mentions. */
static void assert_same_policy(const jitk_policy *x, const jitk_policy *y)
{
	assert_int_equal(x->default_action, y->default_action);
	assert_int_equal(x->foreign_action, y->foreign_action);
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		assert_int_equal(x->arch[a], y->arch[a]);
		for (int side = 0; side < 2; side++) {
			const jitk_policy *p = side ? y : x;
			for (size_t r = 0; r < p->nrules; r++)
				for (size_t k = 0; k < p->rules[r].nnrs[a]; k++)
					assert_same_at(x, y, a, p->rules[r].nrs[a][k]);
		}
	}
}

/* Drop '#' comment lines (they name source positions, which move). */
static char *strip_comments(const char *s)
{
	char *o = malloc(strlen(s) + 1), *w = o;
	assert_non_null(o);
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s + 1) : strlen(s);
		const char *t = s;
		while (*t == ' ')
			t++;
		if (*t != '#') {
			memcpy(w, s, n);
			w += n;
		}
		s += n;
	}
	*w = '\0';
	return o;
}

static void round_trip(const char *text, const char *name)
{
	jitk_policy *p = parse_ok(text, name);
	char *s1 = print_ok(p);
	jitk_policy *q = parse_ok(s1, "printed.scpl");
	assert_same_policy(p, q);
	char *s2 = print_ok(q);
	char *a = strip_comments(s1), *b = strip_comments(s2);
	if (strcmp(a, b))
		fail_msg("printing is not a fixpoint for %s:\n%s\n----\n%s", name, a, b);
	free(a);
	free(b);
	free(s1);
	free(s2);
	jitk_policy_free(p);
	jitk_policy_free(q);
}

/* Every shipped policy survives parse -> print -> parse. */
static void shipped_policies(void **state)
{
	(void)state;
	glob_t gl;
	assert_true(test_policy_files(&gl));
	for (size_t i = 0; i < gl.gl_pathc; i++) {
		jitk_policy *p = NULL;
		jitk_diag d;
		if (jitk_policy_load(gl.gl_pathv[i], &p, &d))
			fail_msg("%s: %s", gl.gl_pathv[i], d.msg);
		char *s = print_ok(p);
		jitk_policy_free(p);
		/* round_trip parses the file afresh through the same path */
		jitk_policy *q = NULL;
		assert_int_equal(jitk_policy_load(gl.gl_pathv[i], &q, &d), JITK_OK);
		jitk_policy *r = parse_ok(s, "printed.scpl");
		assert_same_policy(q, r);
		jitk_policy_free(q);
		jitk_policy_free(r);
		free(s);
	}
	globfree(&gl);
}

/* The forms that need care, each printed and read back. */
static void hard_cases(void **state)
{
	(void)state;
	round_trip("{ arch = [x86_64; i386; x32; aarch64]; default_action = Errno EPERM;\n"
		   "  foreign_action = KillThread;\n"
		   "  rules = [\n"
		   /* open: not on aarch64; chown32: i386 only */
		   "    { action = Allow; syscalls = [open; chown32; read] };\n"
		   /* limited to some ABIs */
		   "    { action = Trap 7; arch = [i386]; syscall = write };\n"
		   /* numbers the tables do not name, and an x32 number */
		   "    { action = Trace 3; syscalls = [999; 0x40000999] };\n"
		   "    { action = Log; syscall = ioctl; when = low32(arg1) == TIOCSTI };\n"
		   "    { action = Errno 3; syscall = socket; when = reg64(arg0) == 40 || (reg64(arg1) & 0x100000000) != 0 };\n"
		   "    { action = Errno 4095; syscall = mmap;\n"
		   "      when = (arg2 & 4) == 4 && !(arg3 == 0 || arg3 >= 0x80000000) };\n"
		   "    { action = Errno 200; syscall = openat;\n"
		   "      when = (low32(arg2) & O_WRONLY|O_RDWR) != 0 || (arg0 < 3 && arg1 > 5) };\n"
		   "    { action = Notify; syscall = getpid; when = true };\n"
		   "    { action = KillProcess; syscall = getppid; when = false };\n"
		   "    { action = KillThread; syscall = gettid; when = !true };\n"
		   "  ] }\n",
		   "hard.scpl");
	round_trip("{ default_action = Allow; rules = [] }", "empty.scpl");
}

/* What the printer writes for a name missing on one ABI, a limited rule
 * and the actions. */
static void printed_text(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok(
		"{ arch = [x86_64; aarch64]; default_action = Errno EACCES;\n"
		"  rules = [ { action = Allow; syscalls = [open; read] };\n"
		"            { action = Trap 5; syscall = read; arch = [aarch64];\n"
		"              when = arg0 == 1 || arg1 != 2 };\n"
		"            { action = Trap 6; syscall = read;\n"
		"              when = reg64(arg0) == 0x100000001 && (reg64(arg1) & 0xffff00000000) != 0 } ] }",
		"t.scpl");
	char *s = print_ok(p);
	assert_non_null(strstr(s, "arch = [x86_64; aarch64];"));
	assert_non_null(strstr(s, "default_action = Errno EACCES;"));
	assert_non_null(strstr(s, "foreign_action = KillProcess;"));
	assert_non_null(strstr(s, "syscalls = [\n        read; open;\n"));
	assert_non_null(strstr(s, "{ action = Trap 5; arch = [aarch64];"));
	assert_non_null(strstr(s, "when = arg0 == 1 || arg1 != 2;"));
	assert_non_null(strstr(s, "reg64(arg0) == 0x100000001 && (reg64(arg1) & 0xffff00000000) != 0"));
	free(s);
	jitk_policy_free(p);
}

/* A negative constant or mask of a low32() compare on a parameter narrower
 * than 32 bits (i386 setuid's 16-bit old_uid_t, open's umode_t mode) is
 * printed as negative: its 32-bit two's complement, 0xffffffff, would not
 * fit the 16 bits the parser checks it against (docs/scpl.md, "Constants
 * at width W").  At 32 bits the same text means the same 32 bits. */
static void low32_negative(void **state)
{
	(void)state;
	const char *text =
		"{ arch = [x86_64; i386]; default_action = Allow; rules = [\n"
		"    { action = Errno EPERM; arch = [i386]; syscall = setuid; when = low32(arg0) == -1 };\n"
		"    { action = Errno 5; syscall = open; when = (low32(arg2) & -2) != -0x8000 };\n"
		"    { action = Errno 6; syscall = close; when = low32(arg0) == -1 };\n"
		"    { action = Errno 7; syscall = ioctl; when = (low32(arg1) & 0x80000000) == 0x80000000 } ] }";
	round_trip(text, "low32neg.scpl");
	jitk_policy *p = parse_ok(text, "low32neg.scpl");
	char *s = print_ok(p);
	assert_non_null(strstr(s, "when = low32(arg0) == -1;"));
	assert_non_null(strstr(s, "when = (low32(arg2) & -2) != -0x8000;"));
	assert_null(strstr(s, "0xffffffff"));
	/* a flag bit 31 at 32 bits stays as written */
	assert_non_null(strstr(s, "(low32(arg1) & 0x80000000) == 0x80000000"));
	free(s);
	jitk_policy_free(p);
}

/* A policy holding an action SCPL cannot write is refused, not
 * misprinted (the check can fail). */
static void unprintable(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ default_action = Allow; rules = [] }", "t.scpl");
	p->default_action = JITK_RET_ERRNO | 5000;
	char *s = (char *)"unchanged";
	assert_int_equal(jitk_policy_print(p, &s), JITK_E_INVAL);
	assert_null(s);
	p->default_action = JITK_RET_ALLOW | 1;
	assert_int_equal(jitk_policy_print(p, &s), JITK_E_INVAL);
	p->default_action = JITK_RET_ALLOW;
	p->landlock.scope = 1; /* a Landlock block is refused, not dropped */
	assert_int_equal(jitk_policy_print(p, &s), JITK_E_UNSUPPORTED);
	jitk_policy_free(p);
	assert_int_equal(jitk_policy_print(NULL, &s), JITK_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_policies), cmocka_unit_test(hard_cases),
		cmocka_unit_test(printed_text),     cmocka_unit_test(low32_negative),
		cmocka_unit_test(unprintable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
