/* test_policy_source.c - jitk_policy_source: the texts a parse read, which
 * the CLI's proof cache keys on (cli/cache.c).  Each is the exact bytes
 * parsed: the policy's own text, then each include once in the order first
 * read (a file included twice is one source), the translated SCPL for an
 * OCI profile; nothing for an index out of range. */
#include "testlib.h"

#include <unistd.h>

static char tmpdir[64];

static const char *in_tmp(const char *name)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

static void put_file(const char *name, const char *text)
{
	FILE *fp = fopen(in_tmp(name), "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_sources_with_includes(void **state)
{
	(void)state;
	const char *a = "[ { action = Allow; syscall = read } ]\n";
	const char *b = "[ { action = Allow; syscall = write }; include \"a.rules\" ]\n";
	put_file("a.rules", a);
	put_file("b.rules", b);
	const char *top = "{ default_action = Kill;\n"
			  "  rules = [ include \"a.rules\"; include \"b.rules\" ] }\n";
	put_file("top.scpl", top);
	jitk_policy *p = NULL;
	jitk_diag d;
	assert_int_equal(jitk_policy_load(in_tmp("top.scpl"), &p, &d), JITK_OK);
	const char *name, *text;
	size_t len;
	assert_true(jitk_policy_source(p, 0, &name, &text, &len));
	assert_string_equal(name, in_tmp("top.scpl"));
	assert_int_equal(len, strlen(top));
	assert_memory_equal(text, top, len);
	assert_int_equal(text[len], '\0');
	assert_true(jitk_policy_source(p, 1, &name, &text, &len));
	assert_string_equal(name, in_tmp("a.rules"));
	assert_string_equal(text, a);
	assert_true(jitk_policy_source(p, 2, &name, &text, &len));
	assert_string_equal(name, in_tmp("b.rules"));
	assert_string_equal(text, b);
	/* a.rules, included twice, is one source. */
	assert_false(jitk_policy_source(p, 3, &name, &text, &len));
	assert_false(jitk_policy_source(NULL, 0, &name, &text, &len));
	/* The sources are copies: the files may change, the policy's do not. */
	put_file("a.rules", "[ { action = Allow; syscall = close } ]\n");
	assert_true(jitk_policy_source(p, 1, NULL, &text, NULL));
	assert_string_equal(text, a);
	jitk_policy_free(p);
}

static void test_source_of_text(void **state)
{
	(void)state;
	const char *t = "{ default_action = Allow; rules = [] }";
	jitk_policy *p = NULL;
	jitk_diag d;
	assert_int_equal(jitk_policy_parse(t, strlen(t), NULL, &p, &d), JITK_OK);
	const char *name, *text;
	size_t len;
	assert_true(jitk_policy_source(p, 0, &name, &text, &len));
	assert_string_equal(name, "");
	assert_int_equal(len, strlen(t));
	assert_string_equal(text, t);
	assert_false(jitk_policy_source(p, 1, &name, &text, &len));
	jitk_policy_free(p);
}

/* An OCI profile's source is the SCPL it became, so the profile options
 * (here the host arch) change the source. */
static void test_source_of_profile(void **state)
{
	(void)state;
	const char *j = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
			"[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	const char *t1, *t2;
	size_t l1, l2;
	jitk_policy *p1 = NULL, *p2 = NULL;
	jitk_diag d;
	jitk_profile_opts o1 = { .host_arch = "x86_64" }, o2 = { .host_arch = "aarch64" };
	assert_int_equal(jitk_policy_parse_opts(j, strlen(j), "p.json", &o1, &p1, &d), JITK_OK);
	assert_int_equal(jitk_policy_parse_opts(j, strlen(j), "p.json", &o2, &p2, &d), JITK_OK);
	assert_true(jitk_policy_source(p1, 0, NULL, &t1, &l1));
	assert_true(jitk_policy_source(p2, 0, NULL, &t2, &l2));
	assert_non_null(strstr(t1, "read"));
	assert_false(l1 == l2 && !memcmp(t1, t2, l1));
	jitk_policy_free(p1);
	jitk_policy_free(p2);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/jitk-policy-source-XXXXXX");
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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources_with_includes),
		cmocka_unit_test(test_source_of_text),
		cmocka_unit_test(test_source_of_profile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
