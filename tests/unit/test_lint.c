/* test_lint.c - jitk_lint: each warning fires on a policy that has the
 * problem and stays quiet on one that does not; locations and names. */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static size_t lint(const char *text, unsigned flags, jitk_diag **w)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	if (jitk_policy_parse(text, strlen(text), "t.scpl", &p, &d))
		fail_msg("parse: %s", d.msg);
	size_t n = 0;
	assert_int_equal(jitk_lint(p, flags, w, &n), JITK_OK);
	jitk_policy_free(p);
	return n;
}

static size_t count(const jitk_diag *w, size_t n, const char *name)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += !strcmp(w[i].rule, name);
	return c;
}

static void alias_refused(void **state)
{
	(void)state;
	jitk_diag *w;
	size_t n = lint("{ default_action = Allow;\n  rules = [\n"
			"    { action = Errno EPERM; syscall = rename } ] }",
			0, &w);
	assert_int_equal(count(w, n, "alias-refused"), 1);
	assert_int_equal(w[0].line, 3);
	assert_int_equal(w[0].col, 5);
	assert_non_null(strstr(w[0].msg, "renameat"));
	jitk_free(w);
	n = lint("{ default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscalls = [rename; renameat; renameat2] } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "alias-refused"), 0);
	jitk_free(w);
	/* One source rule over several ABIs: one warning naming them all,
	 * not one per ABI. */
	n = lint("{ arch = [x86_64; i386; mips]; default_action = Allow;\n  rules = [\n"
		 "    { action = Errno EPERM; syscall = rename } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "alias-refused"), 1);
	assert_int_equal(w[0].line, 3);
	assert_non_null(strstr(w[0].msg, "rename is refused here on x86_64, i386, mips, but renameat"));
	jitk_free(w);
	/* ... and where the alias is allowed differs per ABI: one warning per place. */
	n = lint("{ arch = [x86_64; i386]; default_action = Allow;\n  rules = [\n"
		 "    { action = Errno EPERM; syscall = rename };\n"
		 "    { action = Allow; syscall = renameat; arch = i386 } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "alias-refused"), 2);
	jitk_free(w);
	/* A conditional refusal is not "refused": no warning. */
	n = lint("{ default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscall = open; when = arg1 == 1 } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "alias-refused"), 0);
	jitk_free(w);
}

/* The arguments count: creat refused while open and openat are allowed
 * only read-only (policies/demo.scpl) is no contradiction, creat could not
 * use them; open allowed with O_CREAT is one. */
static void alias_arguments(void **state)
{
	(void)state;
	jitk_diag *w;
	size_t n = lint("{ default_action = Allow; rules = [\n"
			"  { action = Errno EACCES; syscall = creat };\n"
			"  { action = Errno EACCES; syscall = open;\n"
			"    when = (arg1 & O_ACCMODE) != O_RDONLY || (arg1 & O_CREAT) != 0 };\n"
			"  { action = Errno EACCES; syscall = openat;\n"
			"    when = (arg2 & O_ACCMODE) != O_RDONLY || (arg2 & O_CREAT) != 0 };\n"
			"  { action = Errno ENOSYS; syscall = openat2 } ] }",
			0, &w);
	assert_int_equal(count(w, n, "alias-refused"), 1); /* openat2 refused, openat read-only allowed */
	assert_null(strstr(w[0].msg, "creat"));
	jitk_free(w);
	/* The same on big-endian ABIs, where the probe's O_CREAT|O_WRONLY must
	 * land in the low half of arg1 as the ABI places it (it went to the
	 * high half, and creat was said to be open's job, allowed). */
	static const char *const be[] = { "ppc64", "s390x", "mips", "mips64n32" };
	for (size_t i = 0; i < sizeof be / sizeof *be; i++) {
		char text[1024];
		snprintf(text, sizeof text,
			 "{ arch = %s; default_action = Allow; rules = [\n"
			 "  { action = Errno EACCES; syscall = creat };\n"
			 "  { action = Errno EACCES; syscall = open;\n"
			 "    when = (arg1 & O_ACCMODE) != O_RDONLY || (arg1 & O_CREAT) != 0 };\n"
			 "  { action = Errno EACCES; syscall = openat;\n"
			 "    when = (arg2 & O_ACCMODE) != O_RDONLY || (arg2 & O_CREAT) != 0 };\n"
			 "  { action = Errno ENOSYS; syscall = openat2 } ] }",
			 be[i]);
		n = lint(text, 0, &w);
		for (size_t k = 0; k < n; k++)
			if (!strcmp(w[k].rule, "alias-refused") && strstr(w[k].msg, "creat is refused"))
				fail_msg("%s: %s", be[i], w[k].msg);
		jitk_free(w);
	}
	/* openat2 allowed: creat's job (O_CREAT in its struct) is possible. */
	n = lint("{ default_action = Allow; rules = [\n"
		 "  { action = Errno EACCES; syscall = creat };\n"
		 "  { action = Errno EACCES; syscall = open; when = (arg1 & O_CREAT) != 0 };\n"
		 "  { action = Errno EACCES; syscall = openat; when = (arg2 & O_CREAT) != 0 } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "alias-refused"), 1);
	assert_non_null(strstr(w[0].msg, "creat is refused here on x86_64, but openat2"));
	jitk_free(w);
	/* The real contradiction: open may create while creat is refused. */
	n = lint("{ default_action = KillProcess; rules = [\n"
		 "  { action = Errno EACCES; syscall = creat };\n"
		 "  { action = Allow; syscall = open; when = (arg1 & O_CREAT) != 0 } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "alias-refused"), 1);
	assert_int_equal(w[0].line, 2);
	assert_non_null(strstr(w[0].msg, "creat is refused here on x86_64, but open,"));
	jitk_free(w);
	/* open refused, openat allowed from AT_FDCWD only: open's job. */
	n = lint("{ default_action = KillProcess; rules = [\n"
		 "  { action = Errno EACCES; syscall = open };\n"
		 "  { action = Allow; syscall = openat; when = arg0 == AT_FDCWD } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "alias-refused"), 1);
	jitk_free(w);
}

/* socketcall / ipc on i386 (docs/kernel-notes.md 10). */
static void mux(void **state)
{
	(void)state;
	jitk_diag *w;
	/* mux-refused: socket and shmget allowed, the multiplexers refused */
	size_t n = lint("{ arch = [x86_64; i386]; default_action = Errno EPERM; rules = [\n"
			"  { action = Allow; syscalls = [socket; connect; shmget] } ] }",
			0, &w);
	assert_int_equal(count(w, n, "mux-refused"), 2);
	assert_int_equal(w[0].line, 2);
	assert_non_null(strstr(w[0].msg, "socketcall refuses them"));
	assert_non_null(strstr(w[0].msg, "socket (1), connect (3)"));
	assert_non_null(strstr(w[1].msg, "shmget (23)"));
	jitk_free(w);
	/* allowed there too, also under conditions the multiplexer may meet */
	n = lint("{ arch = [x86_64; i386]; default_action = Errno EPERM; rules = [\n"
		 "  { action = Allow; syscalls = [socket; shmget; ipc] };\n"
		 "  { action = Allow; syscall = connect; when = arg2 == 16 };\n"
		 "  { action = Allow; syscall = socketcall; when = arg0 == 1 || (arg0 == 3 && arg1 != 0) } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "mux-refused") + count(w, n, "mux-bypass"), 0);
	jitk_free(w);
	/* x86_64 alone has no multiplexer */
	n = lint("{ default_action = Errno EPERM; rules = [ { action = Allow; syscall = socket } ] }", 0, &w);
	assert_int_equal(count(w, n, "mux-refused"), 0);
	jitk_free(w);
	/* mux-bypass: socket refused, socketcall(1) allowed (by default) */
	n = lint("{ arch = i386; default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscalls = [socket; shmget] } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "mux-bypass"), 2);
	assert_non_null(strstr(w[0].msg, "socket is refused here on i386, but socketcall(1)"));
	jitk_free(w);
	/* ipc refused for SHMGET only as libseccomp writes it: version 2 passes */
	n = lint("{ arch = i386; default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscalls = [socket; shmget] };\n"
		 "  { action = Errno EPERM; syscall = socketcall; when = arg0 == 1 };\n"
		 "  { action = Errno EPERM; syscall = ipc; when = arg0 == 23 } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "mux-bypass"), 1);
	assert_non_null(strstr(w[0].msg, "ipc(0x20017)"));
	jitk_free(w);
	/* refused whatever the version: quiet; a conditional refusal too */
	n = lint("{ arch = i386; default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscall = shmget };\n"
		 "  { action = Errno EPERM; syscall = socket; when = arg0 == AF_VSOCK };\n"
		 "  { action = Errno EPERM; syscall = ipc; when = (arg0 & 0xffff) == 23 } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "mux-bypass"), 0);
	jitk_free(w);
}

static void shadowed(void **state)
{
	(void)state;
	jitk_diag *w;
	size_t n = lint("{ default_action = KillProcess; rules = [\n"
			"  { action = Allow; syscall = ioctl; when = (arg1 & 0x4000) == 0x4000 };\n"
			"  { action = Allow; syscall = ioctl; when = arg1 == 0x40087543 };\n"
			"  { action = Allow; syscall = ioctl; when = arg1 == 0x1234 } ] }",
			0, &w);
	assert_int_equal(count(w, n, "shadowed-rule"), 1);
	assert_int_equal(w[0].line, 3);
	jitk_free(w);
	/* Every input that reaches rule 2 is decided by rule 1: shadowed,
	 * though each value tried from rule 2's constants (10, 11, 9, 20, 21,
	 * 19) reaches it, as the sample in lint.c finds before asking Z3. */
	n = lint("{ default_action = KillProcess; rules = [\n"
		 "  { action = Allow; syscall = ioctl; when = arg1 >= 5 && arg1 <= 25 };\n"
		 "  { action = Errno EPERM; syscall = ioctl; when = arg1 >= 10 && arg1 <= 20 } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "shadowed-rule"), 1);
	assert_int_equal(w[0].line, 3);
	jitk_free(w);
	/* Not shadowed: rule 2 decides where arg2 != 0, a value the sample
	 * (arg2 is not compared in rule 2: only 0) never tries; Z3 finds it. */
	n = lint("{ default_action = KillProcess; rules = [\n"
		 "  { action = Allow; syscall = ioctl; when = arg0 == 1 && arg1 == 2 && arg2 == 0 };\n"
		 "  { action = Errno EPERM; syscall = ioctl; when = arg0 == 1 && arg1 == 2 } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "shadowed-rule"), 0);
	jitk_free(w);
	/* Not shadowed, found by the sample without a proof (3 is not
	 * decided by rules 1 and 2). */
	n = lint("{ default_action = KillProcess; rules = [\n"
		 "  { action = Allow; syscall = ioctl; when = arg1 == 1 };\n"
		 "  { action = Allow; syscall = ioctl; when = arg1 > 1 && arg1 != 3 };\n"
		 "  { action = Errno EPERM; syscall = ioctl; when = arg1 == 3 } ] }",
		 0, &w);
	assert_int_equal(count(w, n, "shadowed-rule"), 0);
	jitk_free(w);
	/* Without proofs, only the syntactic case is found. */
	n = lint("{ default_action = KillProcess; rules = [\n"
		 "  { action = Allow; syscall = ioctl; when = (arg1 & 0x4000) == 0x4000 };\n"
		 "  { action = Allow; syscall = ioctl; when = arg1 == 0x40087543 } ] }",
		 JITK_LINT_NO_PROOFS, &w);
	assert_int_equal(count(w, n, "shadowed-rule"), 0);
	jitk_free(w);
}

static void params(void **state)
{
	(void)state;
	jitk_diag *w;
	/* ioctl's cmd is an unsigned int: an explicit reg64() compares bits
	 * the kernel ignores and warns; arg1 and low32(arg1) do not */
	size_t n = lint("{ default_action = Allow; rules = [\n"
			"  { action = Errno EPERM; syscall = ioctl; when = reg64(arg1) == 0x5412 } ] }",
			JITK_LINT_NO_PROOFS, &w);
	assert_int_equal(count(w, n, "wide-compare"), 1);
	assert_int_equal(w[0].line, 2);
	assert_non_null(strstr(w[0].msg, "arg1 of ioctl is a 32-bit"));
	assert_non_null(strstr(w[0].msg, "ignores the high 32 bits"));
	assert_non_null(strstr(w[0].hint, "write arg1"));
	jitk_free(w);
	n = lint("{ default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscall = ioctl; when = low32(arg1) == 0x5412 || arg1 == 1 } ] }",
		 JITK_LINT_NO_PROOFS, &w);
	assert_int_equal(count(w, n, "wide-compare"), 0);
	jitk_free(w);
	/* ioctl's arg is an unsigned long on x86_64 (reg64 is exact there) but
	 * 32 bits on i386, whose kernel truncates every register */
	n = lint("{ arch = [x86_64; i386]; default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscall = ioctl; when = reg64(arg2) == 7 } ] }",
		 JITK_LINT_NO_PROOFS, &w);
	assert_int_equal(count(w, n, "wide-compare"), 1);
	assert_non_null(strstr(w[0].msg, "on i386"));
	jitk_free(w);
	n = lint("{ default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscall = ioctl; when = reg64(arg2) == 7 } ] }",
		 JITK_LINT_NO_PROOFS, &w);
	assert_int_equal(count(w, n, "wide-compare"), 0);
	jitk_free(w);
	/* mmap's length is 64 bits: no warning */
	n = lint("{ default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscall = mmap; when = arg1 > 0x100000 } ] }",
		 JITK_LINT_NO_PROOFS, &w);
	assert_int_equal(count(w, n, "wide-compare"), 0);
	assert_int_equal(count(w, n, "pointer-compare"), 0);
	jitk_free(w);
	/* openat's filename is a pointer */
	n = lint("{ default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscall = openat; when = arg1 == 0 } ] }",
		 JITK_LINT_NO_PROOFS, &w);
	assert_int_equal(count(w, n, "pointer-compare"), 1);
	assert_non_null(strstr(w[0].msg, "arg1 of openat is a pointer"));
	jitk_free(w);
	n = lint("{ default_action = Allow; rules = [\n"
		 "  { action = Errno EPERM; syscall = openat; when = low32(arg2) == 0 } ] }",
		 JITK_LINT_NO_PROOFS, &w);
	assert_int_equal(count(w, n, "pointer-compare"), 0);
	assert_int_equal(count(w, n, "wide-compare"), 0);
	jitk_free(w);
}

static void run_actions(void **state)
{
	(void)state;
	jitk_diag *w;
	const char *t = "{ default_action = Allow; rules = [\n"
			"  { action = Notify; syscall = mkdirat };\n"
			"  { action = Trace 1; syscall = unlinkat } ] }";
	size_t n = lint(t, 0, &w);
	assert_int_equal(count(w, n, "notify-no-listener") + count(w, n, "trace-no-tracer"), 0);
	jitk_free(w);
	n = lint(t, JITK_LINT_RUN, &w);
	assert_int_equal(count(w, n, "notify-no-listener"), 1);
	assert_int_equal(count(w, n, "trace-no-tracer"), 1);
	jitk_free(w);
	assert_int_equal(jitk_lint(NULL, 0, &w, &n), JITK_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alias_refused), cmocka_unit_test(alias_arguments),
		cmocka_unit_test(mux),           cmocka_unit_test(shadowed),
		cmocka_unit_test(params),        cmocka_unit_test(run_actions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
