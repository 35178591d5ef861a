/*
 * user.c - a program as a user of the library writes it, for
 * tests/cli/test_pkg.sh.  It defines edit_distance, codegen and str_copy, names
 * the library uses internally, with other types: it links against the
 * installed libjitk.so and libjitk.a only because no internal name leaves
 * them.  It compiles the policy argv[1] and prints what it returns for
 * getpid and for open: "jitk VERSION getpid=0x... open=0x...".
 */
#include <jitk.h>

#include <stdio.h>
#include <string.h>

int edit_distance = 1; /* data, not the library's function */
const char *codegen(void)
{
	return "user";
}
char str_copy[16] = "user";

static uint32_t eval(const jitk_filter *f, const char *name)
{
	struct seccomp_data in;
	memset(&in, 0, sizeof in);
	in.arch = jitk_arch_audit(JITK_ARCH_X86_64);
	in.nr = jitk_syscall_nr(JITK_ARCH_X86_64, name);
	jitk_result r;
	if (jitk_interp(f, &in, &r))
		return 0xdeadbeef;
	return r.ret;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	jitk_policy *p;
	jitk_filter *f;
	jitk_diag d;
	if (jitk_policy_load(argv[1], &p, &d) || jitk_compile(p, NULL, &f, &d)) {
		fprintf(stderr, "%s:%u:%u: %s\n", d.file, d.line, d.col, d.msg);
		return 1;
	}
	jitk_policy_free(p);
	printf("jitk %s getpid=0x%08x open=0x%08x %s %d %s\n", jitk_version(), eval(f, "getpid"),
	       eval(f, "open"), codegen(), edit_distance, str_copy);
	jitk_filter_free(f);
	return 0;
}
