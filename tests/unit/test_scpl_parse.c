/* test_scpl_parse.c - the SCPL front end: what a well-formed policy parses to
 * (struct jitk_policy of policy.h).  Expected syscall numbers are written
 * out by hand from the kernel's tables (arch/x86/entry/syscalls, asm-generic). */
#include "testlib.h"
#include "policy.h"

#include <dirent.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>

/* Parse text, failing the test with the diagnostic if it does not parse. */
static jitk_policy *parse_ok(const char *text)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err e = jitk_policy_parse(text, strlen(text), "t.scpl", &p, &d);
	if (e != JITK_OK)
		fail_msg("parse failed: %s:%u:%u: %s (%s)\n%s", d.file, d.line, d.col, d.msg, d.hint, text);
	assert_non_null(p);
	return p;
}

/* The syscall list of rule r on arch a equals want[0..n). */
static void assert_nrs(const struct pol_rule *r, jitk_arch a, const int *want, size_t n)
{
	if (r->nnrs[a] != n) {
		fail_msg("arch %s: %zu numbers, want %zu", jitk_arch_name(a), r->nnrs[a], n);
	}
	for (size_t i = 0; i < n; i++)
		assert_int_equal(r->nrs[a][i], want[i]);
}
#define ASSERT_NRS(r, a, ...) \
	assert_nrs(r, a, (const int[]){ __VA_ARGS__ }, sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

/* The paper's example, exactly as printed. */
static void paper_example(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ default_action = Kill;\n"
				  "  rules = [\n"
				  "    { action = Errno EACCES; syscall = SYS_open };\n"
				  "    { action = Allow; syscall = SYS_getpid };\n"
				  "    { action = Allow; syscall = SYS_gettimeofday };\n"
				  "  ] }\n");
	assert_string_equal(p->file, "t.scpl");
	assert_int_equal(p->default_action, 0x80000000u);
	assert_int_equal(p->foreign_action, 0x80000000u);
	assert_true(p->arch[JITK_ARCH_X86_64]);
	assert_false(p->arch[JITK_ARCH_I386]);
	assert_false(p->arch[JITK_ARCH_X32]);
	assert_false(p->arch[JITK_ARCH_AARCH64]);
	assert_int_equal(p->nrules, 3);
	assert_int_equal(p->rules[0].action, 0x0005000du); /* EACCES = 13 */
	assert_int_equal(p->rules[1].action, 0x7fff0000u);
	assert_int_equal(p->rules[2].action, 0x7fff0000u);
	ASSERT_NRS(&p->rules[0], JITK_ARCH_X86_64, 2);
	ASSERT_NRS(&p->rules[1], JITK_ARCH_X86_64, 39);
	ASSERT_NRS(&p->rules[2], JITK_ARCH_X86_64, 96);
	for (size_t i = 0; i < 3; i++) {
		assert_null(p->rules[i].cond);
		assert_null(p->rules[i].nrs[JITK_ARCH_I386]);
		assert_int_equal(p->rules[i].nnrs[JITK_ARCH_I386], 0);
		assert_int_equal(p->rules[i].line, 3 + i);
		assert_int_equal(p->rules[i].col, 5);
	}
	jitk_policy_free(p);
}

/* Every action, as default_action, foreign_action and rule action, gives its
 * exact SECCOMP_RET value. */
static void every_action(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint32_t ret;
	} cases[] = {
		{ "Allow", 0x7fff0000u },
		{ "Kill", 0x80000000u },
		{ "KillProcess", 0x80000000u },
		{ "KillThread", 0x00000000u },
		{ "Log", 0x7ffc0000u },
		{ "Notify", 0x7fc00000u },
		{ "Trap", 0x00030000u },
		{ "Trap 7", 0x00030007u },
		{ "Trap 0xffff", 0x0003ffffu },
		{ "Trace", 0x7ff00000u },
		{ "Trace 3", 0x7ff00003u },
		{ "Trace 65535", 0x7ff0ffffu },
		{ "Errno 0", 0x00050000u },
		{ "Errno EPERM", 0x00050001u },
		{ "Errno EACCES", 0x0005000du },
		{ "Errno 4095", 0x00050fffu },
		{ "Errno 010", 0x00050008u },
		{ "Errno ENOSYS", 0x00050026u },
		{ "Trap EPERM | 0x100", 0x00030101u },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[256];
		snprintf(text, sizeof text,
			 "{ default_action = %s; foreign_action = %s;\n"
			 "  rules = [ { action = %s; syscall = read } ] }",
			 cases[i].text, cases[i].text, cases[i].text);
		jitk_policy *p = parse_ok(text);
		assert_int_equal(p->default_action, cases[i].ret);
		assert_int_equal(p->foreign_action, cases[i].ret);
		assert_int_equal(p->rules[0].action, cases[i].ret);
		jitk_policy_free(p);
	}
}

/* Several syscalls per rule, by SYS_name, plain name, __NR_name and number;
 * sorted, duplicates removed, per arch. */
static void syscall_lists(void **state)
{
	(void)state;
	jitk_policy *p =
		parse_ok("{ arch = [x86_64; i386; x32; aarch64]; default_action = Allow;\n"
			 "  rules = [ { action = Kill; syscalls = [SYS_write; read; 2; __NR_read; 0] };\n"
			 "            { action = Kill; syscall = getpid };\n"
			 "            { action = Kill; syscall = [open; openat;] };\n"
			 "            { action = Kill; syscall = 0x40000000 } ] }");
	assert_int_equal(p->nrules, 4);
	const struct pol_rule *r = p->rules;
	ASSERT_NRS(&r[0], JITK_ARCH_X86_64, 0, 1, 2);
	ASSERT_NRS(&r[0], JITK_ARCH_I386, 0, 2, 3, 4);
	/* A number is the raw nr on every ABI, so 0 and 2 lack the x32 bit. */
	ASSERT_NRS(&r[0], JITK_ARCH_X32, 0, 2, 0x40000000, 0x40000001);
	ASSERT_NRS(&r[0], JITK_ARCH_AARCH64, 0, 2, 63, 64);
	ASSERT_NRS(&r[1], JITK_ARCH_X86_64, 39);
	ASSERT_NRS(&r[1], JITK_ARCH_I386, 20);
	ASSERT_NRS(&r[1], JITK_ARCH_X32, 0x40000027);
	ASSERT_NRS(&r[1], JITK_ARCH_AARCH64, 172);
	/* open does not exist on aarch64: skipped there, not an error. */
	ASSERT_NRS(&r[2], JITK_ARCH_X86_64, 2, 257);
	ASSERT_NRS(&r[2], JITK_ARCH_I386, 5, 295);
	ASSERT_NRS(&r[2], JITK_ARCH_AARCH64, 56);
	ASSERT_NRS(&r[3], JITK_ARCH_X32, 0x40000000);
	ASSERT_NRS(&r[3], JITK_ARCH_X86_64, 0x40000000);
	jitk_policy_free(p);

	/* Every listed arch gets a list even when nothing resolves there. */
	p = parse_ok("{ arch = [x86_64; aarch64]; default_action = Allow;\n"
		     "  rules = [ { action = Kill; syscall = open } ] }");
	assert_non_null(p->rules[0].nrs[JITK_ARCH_AARCH64]);
	assert_int_equal(p->rules[0].nnrs[JITK_ARCH_AARCH64], 0);
	ASSERT_NRS(&p->rules[0], JITK_ARCH_X86_64, 2);
	jitk_policy_free(p);
}

/* Parse one rule's condition. */
static jitk_policy *parse_when(const char *when)
{
	static const char pre[] =
		"{ default_action = Allow; rules = [ { action = Kill; syscall = read; when = ";
	static const char post[] = " } ] }";
	size_t n = strlen(when);
	char *text = malloc(sizeof pre + n + sizeof post);
	assert_non_null(text);
	memcpy(text, pre, sizeof pre - 1);
	memcpy(text + sizeof pre - 1, when, n);
	memcpy(text + sizeof pre - 1 + n, post, sizeof post);
	jitk_policy *p = parse_ok(text);
	free(text);
	return p;
}

static void assert_cmp(const struct pol_cond *c, unsigned arg, bool low32, enum pol_op op, uint64_t mask,
		       uint64_t value)
{
	assert_non_null(c);
	assert_int_equal(c->kind, POL_CMP);
	assert_int_equal(c->arg, arg);
	assert_int_equal(c->low32, low32);
	assert_int_equal(c->op, op);
	assert_int_equal(c->mask, mask);
	assert_int_equal(c->value, value);
}

static void relops_masks_low32(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		enum pol_op op;
	} ops[] = { { "==", POL_EQ }, { "!=", POL_NE }, { "<", POL_LT },
		    { "<=", POL_LE }, { ">", POL_GT },  { ">=", POL_GE } };
	for (size_t i = 0; i < 6; i++) {
		char w[64];
		snprintf(w, sizeof w, "arg%zu %s %zu", i, ops[i].s, i + 40);
		jitk_policy *p = parse_when(w);
		assert_cmp(p->rules[0].cond, (unsigned)i, false, ops[i].op, UINT64_MAX, i + 40);
		jitk_policy_free(p);
		snprintf(w, sizeof w, "low32(arg%zu)%s0x%zx", 5 - i, ops[i].s, i);
		p = parse_when(w);
		/* low32 compares carry a 32-bit mask (policy.h) */
		assert_cmp(p->rules[0].cond, (unsigned)(5 - i), true, ops[i].op, 0xffffffffu, i);
		jitk_policy_free(p);
	}
	jitk_policy *p = parse_when("(arg1 & 0xff00) == 0x300");
	assert_cmp(p->rules[0].cond, 1, false, POL_EQ, 0xff00, 0x300);
	jitk_policy_free(p);
	p = parse_when("(low32(arg2) & 0xffffffff) >= 0xfffffffe");
	assert_cmp(p->rules[0].cond, 2, true, POL_GE, 0xffffffffu, 0xfffffffeu);
	jitk_policy_free(p);
	/* 64-bit constants and negatives (read's size_t count is 64 bits). */
	p = parse_when("arg2 == 0xffffffffffffffff");
	assert_cmp(p->rules[0].cond, 2, false, POL_EQ, UINT64_MAX, UINT64_MAX);
	jitk_policy_free(p);
	p = parse_when("arg2 == -1");
	assert_cmp(p->rules[0].cond, 2, false, POL_EQ, UINT64_MAX, UINT64_MAX);
	jitk_policy_free(p);
	p = parse_when("arg2 == -0x8000000000000000");
	assert_cmp(p->rules[0].cond, 2, false, POL_EQ, UINT64_MAX, 0x8000000000000000u);
	jitk_policy_free(p);
	/* A 32-bit parameter keeps the 64-bit value (the semantics cut it);
	 * one that does not fit 32 bits is an error. */
	p = parse_when("arg0 == -1");
	assert_cmp(p->rules[0].cond, 0, false, POL_EQ, UINT64_MAX, UINT64_MAX);
	jitk_policy_free(p);
	/* In a low32 compare a negative constant means its low 32 bits. */
	p = parse_when("low32(arg0) == -1");
	assert_cmp(p->rules[0].cond, 0, true, POL_EQ, UINT64_MAX & 0xffffffffu, 0xffffffffu);
	jitk_policy_free(p);
	p = parse_when("(low32(arg3) & -16) != -0x80000000");
	assert_cmp(p->rules[0].cond, 3, true, POL_NE, 0xfffffff0u, 0x80000000u);
	jitk_policy_free(p);
	/* reg64() keeps every constant at 64 bits, on any parameter: read's fd
	 * is an unsigned int, yet 0x100000000 is no error there. */
	p = parse_when("reg64(arg0) == 0x100000000 && (reg64(arg1) & -16) != -1");
	const struct pol_cond *c = p->rules[0].cond;
	assert_int_equal(c->kind, POL_AND);
	assert_cmp(c->l, 0, false, POL_EQ, UINT64_MAX, 0x100000000u);
	assert_true(c->l->reg64);
	assert_cmp(c->r, 1, false, POL_NE, 0xfffffffffffffff0u, UINT64_MAX);
	assert_true(c->r->reg64);
	assert_true(p->nwarnings == 0); /* no old meaning to differ from */
	jitk_policy_free(p);
	p = parse_when("arg0 == 1 || low32(arg0) == 1");
	assert_false(p->rules[0].cond->l->reg64);
	assert_false(p->rules[0].cond->r->reg64);
	jitk_policy_free(p);
}

static void named_constants(void **state)
{
	(void)state;
	jitk_policy *p = parse_when("low32(arg0) == AT_FDCWD");
	assert_cmp(p->rules[0].cond, 0, true, POL_EQ, 0xffffffffu, 0xffffff9cu);
	jitk_policy_free(p);
	p = parse_when("arg0 == AT_FDCWD");
	assert_cmp(p->rules[0].cond, 0, false, POL_EQ, UINT64_MAX, 0xffffffffffffff9cu);
	jitk_policy_free(p);
	uint64_t cl, wr, rdwr;
	assert_true(jitk_const_value("O_CLOEXEC", &cl));
	assert_true(jitk_const_value("O_WRONLY", &wr));
	assert_true(jitk_const_value("O_RDWR", &rdwr));
	p = parse_when("(arg2 & O_WRONLY|O_RDWR | O_CLOEXEC) == O_CLOEXEC");
	assert_cmp(p->rules[0].cond, 2, false, POL_EQ, wr | rdwr | cl, cl);
	jitk_policy_free(p);
	p = parse_when("low32(arg1) == TIOCSTI");
	assert_cmp(p->rules[0].cond, 1, true, POL_EQ, 0xffffffffu, 0x5412);
	jitk_policy_free(p);
	p = parse_when("arg0 == EPERM || arg0 == 0755 || arg0 == 0");
	assert_int_equal(p->rules[0].cond->kind, POL_OR);
	assert_cmp(p->rules[0].cond->l, 0, false, POL_EQ, UINT64_MAX, 1);
	assert_cmp(p->rules[0].cond->r->l, 0, false, POL_EQ, UINT64_MAX, 0755);
	assert_cmp(p->rules[0].cond->r->r, 0, false, POL_EQ, UINT64_MAX, 0);
	jitk_policy_free(p);
}

static size_t cond_depth(const struct pol_cond *c)
{
	if (c->kind == POL_CMP)
		return 1;
	size_t l = cond_depth(c->l), r = c->kind == POL_NOT ? 0 : cond_depth(c->r);
	return 1 + (l > r ? l : r);
}

/* Precedence: ! binds tighter than &&, && tighter than ||; parentheses. */
static void boolean_structure(void **state)
{
	(void)state;
	jitk_policy *p = parse_when("arg0 == 1 || arg1 == 2 && arg2 == 3");
	const struct pol_cond *c = p->rules[0].cond;
	assert_int_equal(c->kind, POL_OR);
	assert_cmp(c->l, 0, false, POL_EQ, UINT64_MAX, 1);
	assert_int_equal(c->r->kind, POL_AND);
	assert_cmp(c->r->l, 1, false, POL_EQ, UINT64_MAX, 2);
	assert_cmp(c->r->r, 2, false, POL_EQ, UINT64_MAX, 3);
	jitk_policy_free(p);

	p = parse_when("(arg0 == 1 || arg1 == 2) && !arg2 == 3");
	c = p->rules[0].cond;
	assert_int_equal(c->kind, POL_AND);
	assert_int_equal(c->l->kind, POL_OR);
	assert_int_equal(c->r->kind, POL_NOT);
	assert_cmp(c->r->l, 2, false, POL_EQ, UINT64_MAX, 3);
	jitk_policy_free(p);

	p = parse_when("!(arg0 == 1 || ((arg1 & 4) == 4)) && (true) || !!false");
	c = p->rules[0].cond;
	assert_int_equal(c->kind, POL_OR);
	assert_int_equal(c->l->kind, POL_AND);
	assert_int_equal(c->l->l->kind, POL_NOT);
	assert_int_equal(c->l->l->l->kind, POL_OR);
	assert_cmp(c->l->l->l->r, 1, false, POL_EQ, 4, 4);
	/* true is (arg0 & 0) == 0, false is (arg0 & 0) != 0 */
	assert_cmp(c->l->r, 0, false, POL_EQ, 0, 0);
	assert_int_equal(c->r->kind, POL_NOT);
	assert_int_equal(c->r->l->kind, POL_NOT);
	assert_cmp(c->r->l->l, 0, false, POL_NE, 0, 0);
	jitk_policy_free(p);

	/* A chain is built balanced, leaves in source order. */
	p = parse_when("arg0 == 1 && arg0 == 2 && arg0 == 3 && arg0 == 4");
	c = p->rules[0].cond;
	assert_int_equal(c->kind, POL_AND);
	assert_int_equal(c->l->kind, POL_AND);
	assert_int_equal(c->r->kind, POL_AND);
	assert_int_equal(c->l->l->value, 1);
	assert_int_equal(c->l->r->value, 2);
	assert_int_equal(c->r->l->value, 3);
	assert_int_equal(c->r->r->value, 4);
	jitk_policy_free(p);

	/* A long chain stays shallow (no depth error, no deep recursion). */
	char big[40000];
	size_t n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "%sarg1 == %d", i ? " || " : "", i);
	p = parse_when(big);
	assert_int_equal(cond_depth(p->rules[0].cond), 11); /* 1 + ceil(log2(1000)) */
	jitk_policy_free(p);
}

/* A rule's own arch list narrows the ABIs it applies to: elsewhere its
 * syscall lists are empty. */
static void rule_arch(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok("{ arch = [x86_64; i386; x32]; default_action = Allow; rules = [\n"
				  "  { action = Kill; syscall = [getpid; 1000]; arch = [x86_64; x32] };\n"
				  "  { arch = i386; action = Log; syscall = socketcall };\n"
				  "  { action = Trap; syscall = getpid; arch = [i386; aarch64] } ] }");
	const struct pol_rule *r = p->rules;
	ASSERT_NRS(&r[0], JITK_ARCH_X86_64, 39, 1000);
	ASSERT_NRS(&r[0], JITK_ARCH_X32, 1000, 0x40000027);
	assert_non_null(r[0].nrs[JITK_ARCH_I386]);
	assert_int_equal(r[0].nnrs[JITK_ARCH_I386], 0);
	assert_null(r[0].nrs[JITK_ARCH_AARCH64]);
	ASSERT_NRS(&r[1], JITK_ARCH_I386, 102);
	assert_int_equal(r[1].nnrs[JITK_ARCH_X86_64], 0);
	assert_int_equal(r[1].nnrs[JITK_ARCH_X32], 0);
	/* aarch64 is not in the policy: only i386 remains. */
	ASSERT_NRS(&r[2], JITK_ARCH_I386, 20);
	assert_int_equal(r[2].nnrs[JITK_ARCH_X86_64], 0);
	assert_null(r[2].nrs[JITK_ARCH_AARCH64]);
	jitk_policy_free(p);
}

static void arch_lists(void **state)
{
	(void)state;
	static const struct {
		const char *arch;
		bool want[JITK_ARCH__COUNT];
	} cases[] = {
		{ "x86_64", { true, false, false, false } },
		{ "[i386]", { false, true, false, false } },
		{ "[x32; aarch64;]", { false, false, true, true } },
		{ "[ x86_64 ; i386 ; x32 ; aarch64 ]", { true, true, true, true } },
		{ "[amd64; x86; arm64]", { true, true, false, true } },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[256];
		snprintf(text, sizeof text, "{ rules = []; arch = %s; default_action = Allow }",
			 cases[i].arch);
		jitk_policy *p = parse_ok(text);
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			assert_int_equal(p->arch[a], cases[i].want[a]);
		assert_int_equal(p->nrules, 0);
		jitk_policy_free(p);
	}
}

/* Comments of all three kinds, nested block comments, odd spacing, trailing
 * separators, fields in any order. */
static void comments_and_layout(void **state)
{
	(void)state;
	jitk_policy *p = parse_ok(
		"# hash comment { not parsed\n"
		"// line comment\n"
		"(* block (* nested *) comment ; } *)\n"
		"{rules=[{syscall=read;action=Allow;when=(* c *)(arg0==1)};\n"
		"\t{when = arg0 != 2 # trailing\n ; action = Log // x\n ; syscall = [ write ; ] ; } ; ] ;\n"
		"\r\n default_action=Errno EPERM;}# end");
	assert_int_equal(p->nrules, 2);
	assert_int_equal(p->default_action, 0x00050001u);
	assert_int_equal(p->rules[0].action, 0x7fff0000u);
	assert_cmp(p->rules[0].cond, 0, false, POL_EQ, UINT64_MAX, 1);
	assert_int_equal(p->rules[1].action, 0x7ffc0000u);
	assert_cmp(p->rules[1].cond, 0, false, POL_NE, UINT64_MAX, 2);
	ASSERT_NRS(&p->rules[1], JITK_ARCH_X86_64, 1);
	assert_int_equal(p->rules[0].line, 4);
	assert_int_equal(p->rules[0].col, 9);
	assert_int_equal(p->rules[1].line, 5);
	assert_int_equal(p->rules[1].col, 2);
	jitk_policy_free(p);

	/* Empty rules are allowed; default arch is x86_64. */
	p = parse_ok("{default_action=Allow;rules=[]}");
	assert_int_equal(p->nrules, 0);
	assert_true(p->arch[JITK_ARCH_X86_64]);
	jitk_policy_free(p);

	/* Text with an explicit length: the bytes after it are not read. */
	const char *t = "{default_action=Allow;rules=[]} garbage";
	p = NULL;
	assert_int_equal(jitk_policy_parse(t, 31, NULL, &p, NULL), JITK_OK);
	assert_string_equal(p->file, "");
	jitk_policy_free(p);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* include splices a file's rule list in place, relative to the including
 * file, nested includes from a subdirectory relative to that subdirectory. */
static void includes(void **state)
{
	(void)state;
	char dir[] = "/tmp/jitk-scpl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[4096], sub[4096];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof path, "%s/main.scpl", dir);
	write_text(path, "{ default_action = Kill; rules = [\n"
			 "  { action = Allow; syscall = read };\n"
			 "  include \"sub/a.scpl\";\n"
			 "  { action = Allow; syscall = close };\n"
			 "  include \"sub/a.scpl\"; ] }\n");
	snprintf(path, sizeof path, "%s/sub/a.scpl", dir);
	write_text(path,
		   "# rules for writing\n[ { action = Errno 5; syscall = write };\n include \"b.scpl\" ]\n");
	snprintf(path, sizeof path, "%s/sub/b.scpl", dir);
	write_text(path, "[]");
	snprintf(path, sizeof path, "%s/sub/c.scpl", dir);
	write_text(path, "[ { action = Log; syscall = getpid } ]");

	snprintf(path, sizeof path, "%s/main.scpl", dir);
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err e = jitk_policy_load(path, &p, &d);
	if (e)
		fail_msg("%s:%u:%u: %s", d.file, d.line, d.col, d.msg);
	assert_string_equal(p->file, path);
	assert_int_equal(p->nrules, 4); /* the same file may be included twice */
	assert_int_equal(p->rules[0].action, 0x7fff0000u);
	assert_int_equal(p->rules[1].action, 0x00050005u);
	ASSERT_NRS(&p->rules[1], JITK_ARCH_X86_64, 1);
	assert_int_equal(p->rules[1].line, 2); /* in sub/a.scpl */
	assert_int_equal(p->rules[1].col, 3);
	ASSERT_NRS(&p->rules[2], JITK_ARCH_X86_64, 3);
	assert_int_equal(p->rules[3].action, 0x00050005u);
	jitk_policy_free(p);

	/* An absolute include path. */
	char text[8192];
	snprintf(text, sizeof text, "{ default_action = Kill; rules = [ include \"%s/sub/c.scpl\" ] }", dir);
	p = parse_ok(text);
	assert_int_equal(p->nrules, 1);
	assert_int_equal(p->rules[0].action, 0x7ffc0000u);
	jitk_policy_free(p);

	const char *names[] = { "sub/a.scpl", "sub/b.scpl", "sub/c.scpl", "main.scpl", "sub", "" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		assert_int_equal(remove(path), 0);
	}
}

static void load_errors(void **state)
{
	(void)state;
	jitk_policy *p = (jitk_policy *)&p;
	jitk_diag d;
	assert_int_equal(jitk_policy_load("/nonexistent/x.scpl", &p, &d), JITK_E_IO);
	assert_null(p);
	assert_int_equal(d.sys_errno, ENOENT);
	assert_int_equal(jitk_policy_parse(NULL, 3, NULL, &p, &d), JITK_E_INVAL);
	assert_int_equal(jitk_policy_parse("", 0, NULL, NULL, &d), JITK_E_INVAL);
	jitk_policy_free(NULL);
}

/* Every .scpl file in tests/scpl/good loads; every one in tests/scpl/bad fails with a
 * located, explained diagnostic (*.rules are included fragments).  Skipped
 * when not run from the repository root. */
static void corpus_files(void **state)
{
	(void)state;
	const char *dirs[] = { "tests/scpl/good", "tests/scpl/bad" };
	for (int k = 0; k < 2; k++) {
		DIR *dir = opendir(dirs[k]);
		if (!dir)
			skip();
		struct dirent *e;
		size_t n = 0;
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			if (len < 5 || strcmp(e->d_name + len - 5, ".scpl") != 0)
				continue;
			char path[512];
			snprintf(path, sizeof path, "%s/%s", dirs[k], e->d_name);
			jitk_policy *p = NULL;
			jitk_diag d;
			jitk_err err = jitk_policy_load(path, &p, &d);
			if (k == 0 && err)
				fail_msg("%s:%u:%u: %s", d.file, d.line, d.col, d.msg);
			if (k == 1) {
				assert_int_not_equal(err, JITK_OK);
				assert_true(d.line > 0 && d.col > 0 && d.msg[0] && d.hint[0]);
			}
			jitk_policy_free(p);
			n++;
		}
		closedir(dir);
		assert_true(n >= 3);
	}
}

/*
 * Located warnings (scpl_resolve.c warn): each names its token's line and
 * column and quotes that line, wherever it lies in the file.  The resolver
 * takes the line from the lexer's count and gives diag_text only the text
 * from that line on; this is the check that the two agree, on line 1, after
 * lines of every length (one longer than a quoted line holds, a tab, a
 * comment spanning lines), past SCPL_MAX_WARNINGS, and in an included file.
 */
static void warnings_located(void **state)
{
	(void)state;
	enum { NW = 70 }; /* past SCPL_MAX_WARNINGS */
	static char text[64 * 1024];
	unsigned want_line[NW], want_col[NW];
	char want_src[NW][96];
	size_t len = 0;
	unsigned line = 1;
#define PUT(...) (len += (size_t)snprintf(text + len, sizeof text - len, __VA_ARGS__))
	PUT("{ default_action = Kill; rules = [ { action = Allow; syscall = 336 };\n");
	want_line[0] = 1;
	want_col[0] = (unsigned)(strstr(text, "{ action") - text) + 1;
	snprintf(want_src[0], sizeof want_src[0], "%.*s", (int)(len - 1), text);
	for (unsigned i = 1; i < NW; i++) {
		line++;
		switch (i % 4) {
		case 0:
			PUT("# %0*u\n", (int)(i * 7), 0u); /* lines of growing length */
			break;
		case 1:
			PUT("(* a comment\n   over two lines *)\n");
			line++;
			break;
		case 2: PUT("\n"); break;
		default:
			PUT("# %0*u\n", 300, i); /* longer than a quoted line */
			break;
		}
		line++;
		size_t bol = len;
		const char *pad = i % 3 == 0 ? "\t" : i % 3 == 1 ? "  " : "";
		PUT("%s{ action = Allow; syscall = %s };\n", pad, i % 2 ? "335" : "336");
		want_line[i] = line;
		want_col[i] = (unsigned)strlen(pad) + 1;
		snprintf(want_src[i], sizeof want_src[i], "%s%.*s", *pad == '\t' ? " " : pad,
			 (int)(len - bol - 1 - strlen(pad)), text + bol + strlen(pad));
	}
	PUT("] }\n");
#undef PUT
	assert_true(len < sizeof text - 1);
	jitk_policy *p = parse_ok(text);
	assert_int_equal(jitk_policy_nwarnings(p), 64);
	for (size_t i = 0; i < 64; i++) {
		const jitk_diag *d = jitk_policy_warning(p, i);
		assert_non_null(d);
		assert_string_equal(d->file, "t.scpl");
		if (d->line != want_line[i] || d->col != want_col[i])
			fail_msg("warning %zu at %u:%u, want %u:%u", i, d->line, d->col, want_line[i],
				 want_col[i]);
		assert_int_equal(d->span, 1);
		assert_string_equal(d->src_line, want_src[i]);
		assert_non_null(strstr(d->msg, i % 2 ? "syscall 335 (uretprobe)" : "syscall 336 (uprobe)"));
	}
	assert_string_equal(jitk_policy_warning(p, 63)->hint, "and 6 more warnings");
	assert_null(jitk_policy_warning(p, 64));
	jitk_policy_free(p);

	/* In an included file: its own lines, its own name. */
	char dir[] = "/tmp/jitk-scpl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char main_path[4096], inc_path[4096];
	snprintf(main_path, sizeof main_path, "%s/main.scpl", dir);
	snprintf(inc_path, sizeof inc_path, "%s/inc.scpl", dir);
	write_text(main_path, "# main\n\n{ default_action = Kill; rules = [\n  include \"inc.scpl\";\n"
			      "   { action = Allow; syscall = 336 } ] }\n");
	write_text(inc_path, "# one\n# two\n[\n\n    { action = Log; syscall = 335 } ]\n");
	jitk_diag err;
	if (jitk_policy_load(main_path, &p, &err))
		fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	assert_int_equal(jitk_policy_nwarnings(p), 2);
	const jitk_diag *d = jitk_policy_warning(p, 0);
	assert_string_equal(d->file, inc_path);
	assert_int_equal(d->line, 5);
	assert_int_equal(d->col, 5);
	assert_string_equal(d->src_line, "    { action = Log; syscall = 335 } ]");
	d = jitk_policy_warning(p, 1);
	assert_string_equal(d->file, main_path);
	assert_int_equal(d->line, 5);
	assert_int_equal(d->col, 4);
	assert_string_equal(d->src_line, "   { action = Allow; syscall = 336 } ] }");
	jitk_policy_free(p);
	assert_int_equal(unlink(inc_path), 0);
	assert_int_equal(unlink(main_path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_example),
		cmocka_unit_test(every_action),
		cmocka_unit_test(syscall_lists),
		cmocka_unit_test(relops_masks_low32),
		cmocka_unit_test(named_constants),
		cmocka_unit_test(boolean_structure),
		cmocka_unit_test(arch_lists),
		cmocka_unit_test(rule_arch),
		cmocka_unit_test(comments_and_layout),
		cmocka_unit_test(includes),
		cmocka_unit_test(load_errors),
		cmocka_unit_test(corpus_files),
		cmocka_unit_test(warnings_located),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
