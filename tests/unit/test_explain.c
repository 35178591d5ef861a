/* test_explain.c - jitk_explain: decompiled SCPL is proved equal to the
 * filter it came from (hand-written policies with 64-bit, masked, low32
 * and i386 compares, the shipped policies), and programs SCPL cannot say
 * are refused with the reason. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

/* Compile text, explain the filter, parse the result, prove equal. */
static void round_trip(const char *text)
{
	jitk_policy *p = NULL, *q = NULL;
	jitk_filter *f = NULL;
	jitk_diag d;
	char *out = NULL;
	assert_int_equal(jitk_policy_parse(text, strlen(text), "t.scpl", &p, &d), JITK_OK);
	assert_int_equal(jitk_compile(p, NULL, &f, &d), JITK_OK);
	if (jitk_explain(f, ~0u, &out, &d))
		fail_msg("explain: %s", d.msg);
	if (jitk_policy_parse(out, strlen(out), "explained.scpl", &q, &d))
		fail_msg("the explained policy does not parse: %u:%u %s\n%s", d.line, d.col, d.msg, out);
	jitk_side a = { .filter = f }, b = { .policy = q };
	size_t ncex = 0;
	jitk_cex cex;
	assert_int_equal(jitk_equiv(a, b, 0, &cex, 1, &ncex, &d), JITK_OK);
	jitk_free(out);
	jitk_policy_free(q);
	jitk_policy_free(p);
	jitk_filter_free(f);
}

static void hand_written(void **state)
{
	(void)state;
	round_trip("{ default_action = Kill; rules = [ { action = Allow; syscall = read } ] }");
	round_trip("{ default_action = Errno EPERM; arch = [x86_64; i386; x32];\n"
		   "  rules = [\n"
		   "    { action = Allow; syscall = ioctl; when = low32(arg1) == TIOCGWINSZ };\n"
		   "    { action = Trap 3; syscall = openat; when = (arg2 & O_WRONLY|O_RDWR) != 0 };\n"
		   "    { action = Allow; syscall = openat };\n"
		   "    { action = Allow; syscall = mmap; arch = [x86_64; x32]; when = arg0 == 0x123456789 || arg1 > 0x100000000 };\n"
		   "    { action = KillThread; syscalls = [execve; execveat]; arch = [i386] };\n"
		   "    { action = Log; syscall = write; when = arg0 >= 3 && arg0 < 10 && arg2 != 0 };\n"
		   "  ] }");
	/* reg64() on 32-bit parameters, on x86_64 and on i386 */
	round_trip("{ default_action = Allow; arch = [x86_64; i386];\n"
		   "  rules = [\n"
		   "    { action = Errno EPERM; syscall = socket; when = reg64(arg0) == 40 || (reg64(arg1) & 0x100000001) != 0 };\n"
		   "    { action = Errno EPERM; syscall = close; when = reg64(arg0) > 0xffffffff };\n"
		   "  ] }");
}

/* The text of `what` (explain or disasm) of a policy's filter. */
static char *render(const char *text, bool disasm)
{
	jitk_policy *p = NULL;
	jitk_filter *f = NULL;
	jitk_diag d;
	char *out = NULL;
	assert_int_equal(jitk_policy_parse(text, strlen(text), "t.scpl", &p, &d), JITK_OK);
	assert_int_equal(jitk_compile(p, NULL, &f, &d), JITK_OK);
	if (disasm)
		assert_int_equal(jitk_disasm(f, &out), JITK_OK);
	else if (jitk_explain(f, ~0u, &out, &d))
		fail_msg("explain: %s", d.msg);
	jitk_policy_free(p);
	jitk_filter_free(f);
	return out;
}

/* Errno names are the ABI's own (mips's ENOSYS is 89, x86's 38, and 89 is
 * x86's EDESTADDRREQ): the explained text reads back to the same values on
 * every ABI it names, and the disassembly's comments name each return
 * with the name it has on the ABIs that reach it. */
static void errno_names_per_abi(void **state)
{
	(void)state;
	assert_string_equal(jitk_errno_name_arch(JITK_ARCH_MIPS, 89), "ENOSYS");
	assert_string_equal(jitk_errno_name_arch(JITK_ARCH_X86_64, 89), "EDESTADDRREQ");
	assert_string_equal(jitk_errno_name_arch(JITK_ARCH_MIPSEL64N32, 1133), "EDQUOT");
	assert_null(jitk_errno_name_arch(JITK_ARCH_X86_64, 1133));
	assert_string_equal(jitk_errno_name_arch(JITK_ARCH__COUNT, 38), "ENOSYS"); /* no ABI: the host's */
	const char *mips = "{ arch = mips; default_action = Allow; rules = [\n"
			   "  { action = Errno ENOSYS; syscall = getpid } ] }";
	char *t = render(mips, false);
	assert_non_null(strstr(t, "Errno ENOSYS"));
	jitk_free(t);
	t = render(mips, true);
	assert_non_null(strstr(t, "ERRNO(ENOSYS)"));
	assert_null(strstr(t, "EDESTADDRREQ"));
	jitk_free(t);
	/* Two ABIs whose ENOSYS differ: each rule's number, no name that
	 * would mean another value on the other ABI. */
	const char *both =
		"{ arch = [x86_64; mips]; default_action = Allow; rules = [\n"
		"  { action = Errno ENOSYS; syscall = getpid }; { action = Errno EPERM; syscall = read } ] }";
	t = render(both, false);
	assert_null(strstr(t, "ENOSYS"));
	assert_non_null(strstr(t, "Errno 38"));
	assert_non_null(strstr(t, "Errno 89"));
	assert_non_null(strstr(t, "Errno EPERM")); /* 1 on both */
	jitk_free(t);
	round_trip(both);
	t = render(both, true);
	assert_non_null(strstr(t, "ERRNO(ENOSYS)")); /* each ret reached by one ABI only */
	assert_null(strstr(t, "EDESTADDRREQ"));
	jitk_free(t);
}

/*
 * The operand explain writes for a test of an argument word depends on the
 * width the kernel uses of the argument (docs/scpl.md): a program that tests
 * the high half of socket's int family (as libseccomp does) needs
 * reg64(arg0); mmap's size_t length reads 64 bits as arg1; a test of the
 * low word of chmod's umode_t mode needs the whole low word, which
 * low32() (16 bits there) does not read.  Each result is proved equal.
 */
static void operand_widths(void **state)
{
	(void)state;
	const char *src = "ld [4]\n"
			  "jeq #AUDIT_ARCH_X86_64, native, allow\n"
			  "native: ld [0]\n"
			  "jeq #SYS_socket, sock, n2\n"
			  "sock: ld [20]\n"
			  "jeq #0, slo, deny\n"
			  "slo: ld [16]\n"
			  "jeq #40, deny, allow\n"
			  "n2: jeq #SYS_mmap, mm, n3\n"
			  "mm: ld [28]\n"
			  "jeq #1, deny, allow\n"
			  "n3: jeq #SYS_chmod, ch, allow\n"
			  "ch: ld [24]\n"
			  "jeq #0x10000, deny, allow\n"
			  "deny: ret #RET_ERRNO|#EPERM\n"
			  "allow: ret #RET_ALLOW\n";
	jitk_filter *f = NULL;
	jitk_policy *q = NULL;
	jitk_diag d;
	char *out = NULL;
	assert_int_equal(jitk_asm(src, strlen(src), "t.s", &f, &d), JITK_OK);
	if (jitk_explain(f, ~0u, &out, &d))
		fail_msg("explain: %s", d.msg);
	assert_non_null(strstr(out, "when = (reg64(arg0) <= 0xffffffff && reg64(arg0) != 0x28)"));
	assert_non_null(strstr(out, "(arg1 & 0xffffffff00000000) == 0x100000000"));
	assert_non_null(strstr(out, "(reg64(arg1) & 0xffffffff) == 0x10000"));
	assert_null(strstr(out, "low32(arg1) == 0x10000"));
	if (jitk_policy_parse(out, strlen(out), "explained.scpl", &q, &d))
		fail_msg("the explained policy does not parse: %u:%u %s\n%s", d.line, d.col, d.msg, out);
	jitk_side a = { .filter = f }, b = { .policy = q };
	size_t ncex = 0;
	jitk_cex cex;
	assert_int_equal(jitk_equiv(a, b, 0, &cex, 1, &ncex, &d), JITK_OK);
	jitk_policy_free(q);
	/* The same text with the operands a reader might write by habit means
	 * something else, and the proof says so: argN reads only the int's
	 * 32 bits, low32() only the mode's 16. */
	char *wrong = strdup(out);
	assert_non_null(wrong);
	for (char *r; (r = strstr(wrong, "reg64(arg0)"));)
		memcpy(r, "      arg0 ", 11); /* blanks are blanks */
	assert_int_equal(jitk_policy_parse(wrong, strlen(wrong), "wrong.scpl", &q, &d), JITK_OK);
	b.policy = q;
	assert_int_equal(jitk_equiv(a, b, 0, &cex, 1, &ncex, &d), JITK_E_DIFFERENT);
	jitk_policy_free(q);
	free(wrong);
	jitk_free(out);
	jitk_filter_free(f);
}

static void shipped_policies(void **state)
{
	(void)state;
	glob_t gl;
	assert_true(test_policy_files(&gl));
	size_t n = 0;
	for (size_t i = 0; i < gl.gl_pathc && (!TEST_UNDER_ASAN || n < 3); i++, n++) {
		char *text = NULL;
		size_t len = 0;
		FILE *fp = fopen(gl.gl_pathv[i], "rb");
		assert_non_null(fp);
		text = malloc(1 << 20);
		assert_non_null(text);
		len = fread(text, 1, (1 << 20) - 1, fp);
		fclose(fp);
		text[len] = '\0';
		if (!strstr(text, "include"))
			round_trip(text);
		free(text);
	}
	globfree(&gl);
}

/* A filter with no arch check: unknown arches depend on nr. */
static void refusals(void **state)
{
	(void)state;
	const char *src = "ld [0]\njeq #1, a, b\na: ret #0x7fff0000\nb: ret #0\n";
	jitk_filter *f = NULL;
	jitk_diag d;
	char *out = NULL;
	assert_int_equal(jitk_asm(src, strlen(src), "t.s", &f, &d), JITK_OK);
	assert_int_equal(jitk_explain(f, ~0u, &out, &d), JITK_E_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "unknown architecture"));
	assert_null(out);
	jitk_filter_free(f);
	/* Computing on nr. */
	const char *src2 = "ld [4]\njeq #0xc000003e, n, k\nn: ld [0]\nand #0xff\njeq #1, a, k\n"
			   "a: ret #0x7fff0000\nk: ret #0\n";
	assert_int_equal(jitk_asm(src2, strlen(src2), "t.s", &f, &d), JITK_OK);
	assert_int_equal(jitk_explain(f, ~0u, &out, &d), JITK_E_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "computes on the syscall number"));
	jitk_filter_free(f);
	/* ret a depending on an argument. */
	const char *src3 = "ld [4]\njeq #0xc000003e, n, k\nn: ld [16]\nret a\nk: ret #0\n";
	assert_int_equal(jitk_asm(src3, strlen(src3), "t.s", &f, &d), JITK_OK);
	assert_int_equal(jitk_explain(f, ~0u, &out, &d), JITK_E_UNSUPPORTED);
	jitk_filter_free(f);
	assert_int_equal(jitk_explain(NULL, ~0u, &out, &d), JITK_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_written),   cmocka_unit_test(errno_names_per_abi),
		cmocka_unit_test(operand_widths), cmocka_unit_test(shipped_policies),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
