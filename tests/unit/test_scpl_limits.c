/* test_scpl_limits.c - what one policy may pull in (jitk_policy_limits) and
 * the positions the parser records, which it now counts as the lexer goes
 * (a rescan from the start per rule made parsing quadratic; the speed is
 * measured by `make bench`, never asserted here).
 *
 * Every limit is fed an input just inside it (accepted) and one just past
 * it (refused with JITK_E_TOO_BIG, located at the include or rule that
 * crossed it, and naming the include chain). */
#include "testlib.h"
#include "policy.h"

#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

static void put_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static const char *in_tmp(const char *name)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

/* Each rule's line and column, in the top file and in an include, on a
 * policy of many lines: the incremental count agrees with the text. */
static void test_rule_positions(void **state)
{
	(void)state;
	put_file("pos.rules",
		 "[\n  { action = Allow; syscall = write };\n\n      { action = Allow; syscall = close } ]\n");
	struct strbuf sb = { 0 };
	sb_printf(&sb, "# positions\n{ default_action = Kill;\n  rules = [\n");
	for (int i = 0; i < 2000; i++)
		sb_printf(&sb, "%*s{ action = Allow; syscall = read };\n", i % 7, "");
	sb_printf(&sb, "    include \"pos.rules\" ] }\n");
	char *text;
	assert_int_equal(sb_finish(&sb, &text), JITK_OK);
	jitk_policy *p = NULL;
	jitk_diag d;
	char top[256];
	snprintf(top, sizeof top, "%s/top.scpl", tmpdir);
	assert_int_equal(jitk_policy_parse(text, strlen(text), top, &p, &d), JITK_OK);
	assert_int_equal(p->nrules, 2002);
	for (unsigned i = 0; i < 2000; i++) {
		assert_int_equal(p->rules[i].line, 4 + i);
		assert_int_equal(p->rules[i].col, 1 + i % 7);
	}
	assert_int_equal(p->rules[2000].line, 2);
	assert_int_equal(p->rules[2000].col, 3);
	assert_int_equal(p->rules[2001].line, 4);
	assert_int_equal(p->rules[2001].col, 7);
	jitk_policy_free(p);
	/* An error on the last line is located there too. */
	text[strlen(text) - 3] = '@';
	assert_int_equal(jitk_policy_parse(text, strlen(text), top, &p, &d), JITK_E_PARSE);
	assert_int_equal(d.line, 2004);
	jitk_free(text);
}

static const char *four_rules = "{ default_action = Kill; rules = [ { action = Allow; syscall = read };\n"
				"  { action = Allow; syscall = write }; { action = Allow; syscall = close };\n"
				"  { action = Allow; syscall = getpid } ] }";

static void test_max_rules(void **state)
{
	(void)state;
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_policy_limits lim = { .max_rules = 4 };
	assert_int_equal(jitk_policy_parse_limited(four_rules, strlen(four_rules), "four.scpl", &lim, &p, &d),
			 JITK_OK);
	jitk_policy_free(p);
	lim.max_rules = 3;
	assert_int_equal(jitk_policy_parse_limited(four_rules, strlen(four_rules), "four.scpl", &lim, &p, &d),
			 JITK_E_TOO_BIG);
	assert_null(p);
	assert_non_null(strstr(d.msg, "more than 3 rules"));
	assert_int_equal(d.line, 3); /* the fourth rule's '{' */
	assert_int_equal(d.col, 3);
	assert_non_null(strstr(d.hint, "four.scpl"));
}

/* A file included five times counts five times against max_total; it is
 * still read once. */
static void test_max_total(void **state)
{
	(void)state;
	const char *rules = "[ { action = Allow; syscall = read } ]\n";
	size_t n = strlen(rules);
	put_file("five.rules", rules);
	put_file("five.scpl", "{ default_action = Kill; rules = [\n"
			      "  include \"five.rules\"; include \"five.rules\"; include \"five.rules\";\n"
			      "  include \"five.rules\"; include \"five.rules\" ] }\n");
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_policy_limits lim = { .max_total = 5 * n };
	assert_int_equal(jitk_policy_load_limited(in_tmp("five.scpl"), &lim, &p, &d), JITK_OK);
	assert_int_equal(p->nrules, 5);
	jitk_policy_free(p);
	lim.max_total = 5 * n - 1;
	assert_int_equal(jitk_policy_load_limited(in_tmp("five.scpl"), &lim, &p, &d), JITK_E_TOO_BIG);
	assert_non_null(strstr(d.msg, "includes splice in more than"));
	assert_int_equal(d.line, 3); /* the fifth include */
	assert_int_equal(d.col, 33);
	assert_non_null(strstr(d.hint, "five.scpl -> "));
	assert_non_null(strstr(d.hint, "five.rules"));
}

/* 12 files, each including the next 8 times: 8^11 splices unbounded.  With
 * the defaults it stops at the total (16 MiB); here at 256 KiB to keep the
 * test quick, naming the chain with its middle elided. */
static void test_exponential_includes(void **state)
{
	(void)state;
	char name[32], body[512];
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof name, "exp%02d.rules", i);
		size_t k = 0;
		if (i == 11) {
			snprintf(body, sizeof body, "[ { action = Allow; syscall = read } ]\n");
		} else {
			k += (size_t)snprintf(body + k, sizeof body - k, "[ ");
			for (int j = 0; j < 8; j++)
				k += (size_t)snprintf(body + k, sizeof body - k,
						      "%sinclude \"exp%02d.rules\"", j ? "; " : "", i + 1);
			snprintf(body + k, sizeof body - k, " ]\n");
		}
		put_file(name, body);
	}
	put_file("exp.scpl", "{ default_action = Kill; rules = [ include \"exp00.rules\" ] }\n");
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_policy_limits lim = { .max_total = 256 << 10 };
	assert_int_equal(jitk_policy_load_limited(in_tmp("exp.scpl"), &lim, &p, &d), JITK_E_TOO_BIG);
	assert_null(p);
	assert_non_null(strstr(d.msg, "includes splice in more than 256 KiB in total"));
	assert_non_null(strstr(d.hint, "exp.scpl -> "));
	assert_non_null(strstr(d.hint, " -> ... -> "));
}

/* Each file read, the policy and each include, is bounded by max_input. */
static void test_max_input(void **state)
{
	(void)state;
	char hundred[101];
	snprintf(hundred, sizeof hundred, "%-99s\n", "[ { action = Allow; syscall = read } ]");
	assert_int_equal(strlen(hundred), 100);
	put_file("hundred.rules", hundred);
	put_file("inc100.scpl", "{ default_action = Kill; rules = [ include \"hundred.rules\" ] }\n");
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_policy_limits lim = { .max_input = 100, .max_total = 1000 };
	assert_int_equal(jitk_policy_load_limited(in_tmp("inc100.scpl"), &lim, &p, &d), JITK_OK);
	jitk_policy_free(p);
	lim.max_input = 99;
	assert_int_equal(jitk_policy_load_limited(in_tmp("inc100.scpl"), &lim, &p, &d), JITK_E_TOO_BIG);
	assert_non_null(strstr(d.msg, "include file"));
	assert_non_null(strstr(d.msg, "larger than the input limit of 99 bytes"));
	assert_int_equal(d.line, 1);
	lim.max_input = 50; /* the policy itself (63 bytes) is too large now */
	assert_int_equal(jitk_policy_load_limited(in_tmp("inc100.scpl"), &lim, &p, &d), JITK_E_TOO_BIG);
	assert_non_null(strstr(d.msg, "larger than the input limit of 50 bytes"));
	/* /dev/zero as the policy ends at the limit. */
	lim.max_input = 4096;
	assert_int_equal(jitk_policy_load_limited("/dev/zero", &lim, &p, &d), JITK_E_TOO_BIG);
}

/* An include of a fifo nobody writes fails at once instead of blocking. */
static void test_include_fifo(void **state)
{
	(void)state;
	assert_int_equal(mkfifo(in_tmp("fifo.rules"), 0600), 0);
	put_file("fifo.scpl", "{ default_action = Kill; rules = [ include \"fifo.rules\" ] }\n");
	jitk_policy *p = NULL;
	jitk_diag d;
	assert_int_equal(jitk_policy_load(in_tmp("fifo.scpl"), &p, &d), JITK_E_IO);
	assert_non_null(strstr(d.msg, "not a regular file"));
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/jitk-scpl-limits-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_positions),
		cmocka_unit_test(test_max_rules),
		cmocka_unit_test(test_max_total),
		cmocka_unit_test(test_exponential_includes),
		cmocka_unit_test(test_max_input),
		cmocka_unit_test(test_include_fifo),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, setup, teardown);
}
