/* test_landlock.c - the Landlock part of SCPL: the generated rights table
 * against second sources, the grammar, and its refusals.
 *
 * The table (tools/gen_landlock.sh, from linux-source-6.12's landlock.h and
 * landlock.rst) is compared with the installed 6.1 UAPI header's values for
 * every right that header has, and its ABI numbers with the "available
 * since the Nth version" sentences of the 6.12 header itself.  The running
 * kernel is the third source (tests/kernel/test_landlock_kernel.c). */
#include "testlib.h"
#include "landlock.h"
#include "policy.h"
#include "internal.h"

#include <ctype.h>
#include <linux/landlock.h> /* the installed (6.1) header: the second source */

static const struct tbl_landlock *find(const char *name)
{
	for (size_t i = 0; i < tbl_landlock_len; i++)
		if (!strcmp(tbl_landlock[i].name, name))
			return &tbl_landlock[i];
	return NULL;
}

static void table_vs_installed_header(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		uint64_t bit;
	} old[] = {
		{ "execute", LANDLOCK_ACCESS_FS_EXECUTE },
		{ "write_file", LANDLOCK_ACCESS_FS_WRITE_FILE },
		{ "read_file", LANDLOCK_ACCESS_FS_READ_FILE },
		{ "read_dir", LANDLOCK_ACCESS_FS_READ_DIR },
		{ "remove_dir", LANDLOCK_ACCESS_FS_REMOVE_DIR },
		{ "remove_file", LANDLOCK_ACCESS_FS_REMOVE_FILE },
		{ "make_char", LANDLOCK_ACCESS_FS_MAKE_CHAR },
		{ "make_dir", LANDLOCK_ACCESS_FS_MAKE_DIR },
		{ "make_reg", LANDLOCK_ACCESS_FS_MAKE_REG },
		{ "make_sock", LANDLOCK_ACCESS_FS_MAKE_SOCK },
		{ "make_fifo", LANDLOCK_ACCESS_FS_MAKE_FIFO },
		{ "make_block", LANDLOCK_ACCESS_FS_MAKE_BLOCK },
		{ "make_sym", LANDLOCK_ACCESS_FS_MAKE_SYM },
		{ "refer", LANDLOCK_ACCESS_FS_REFER },
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
		{ "truncate", LANDLOCK_ACCESS_FS_TRUNCATE },
#endif
	};
	for (size_t i = 0; i < sizeof old / sizeof old[0]; i++) {
		const struct tbl_landlock *r = find(old[i].name);
		assert_non_null(r);
		assert_int_equal(r->kind, TBL_LL_FS);
		assert_int_equal(r->bit, old[i].bit);
	}
	/* every right once, distinct bits per kind, network and scopes present */
	for (size_t i = 0; i < tbl_landlock_len; i++)
		for (size_t j = i + 1; j < tbl_landlock_len; j++)
			if (tbl_landlock[i].kind == tbl_landlock[j].kind)
				assert_int_not_equal(tbl_landlock[i].bit, tbl_landlock[j].bit);
	assert_non_null(find("connect_tcp"));
	assert_non_null(find("bind_tcp"));
	assert_non_null(find("signal"));
	assert_non_null(find("abstract_unix_socket"));
	assert_non_null(find("ioctl_dev"));
}

/* The ABI of each right as the 6.12 header states it in prose. */
static void abi_vs_header_sentences(void **state)
{
	(void)state;
	FILE *f = fopen("build/gen/landlock/landlock.h", "r");
	if (!f)
		f = fopen(getenv("JITK_LANDLOCK_H") ? getenv("JITK_LANDLOCK_H") : "", "r");
	assert_non_null(f);
	static const char *const ord[] = { "first", "second", "third", "fourth", "fifth", "sixth", "seventh" };
	char line[512], item[64] = "";
	unsigned checked = 0;
	while (fgets(line, sizeof line, f)) {
		/* " * - %LANDLOCK_ACCESS_FS_TRUNCATE: ..." starts an item */
		char *m = strstr(line, "- %LANDLOCK_ACCESS_FS_");
		if (m) {
			m += strlen("- %LANDLOCK_ACCESS_FS_");
			size_t k = 0;
			while (m[k] && (isupper((unsigned char)m[k]) || m[k] == '_') && k + 1 < sizeof item)
				item[k] = (char)tolower((unsigned char)m[k]), k++;
			item[k] = '\0';
		}
		for (unsigned v = 0; v < 7; v++) {
			char want[64];
			snprintf(want, sizeof want, "since the %s version", ord[v]);
			if (strstr(line, want) && item[0]) {
				const struct tbl_landlock *r = find(item);
				assert_non_null(r);
				assert_int_equal(r->abi, v + 1);
				checked++;
			}
		}
		if (strstr(line, "supported since the Landlock ABI version 4")) {
			assert_int_equal(find("bind_tcp")->abi, 4);
			assert_int_equal(find("connect_tcp")->abi, 4);
			checked++;
		}
	}
	fclose(f);
	assert_true(checked >= 4); /* refer, truncate, ioctl_dev, network */
	assert_int_equal(find("read_file")->abi, 1);
	assert_int_equal(find("signal")->abi, 6);
}

static jitk_policy *parse(const char *text, jitk_diag *d)
{
	jitk_policy *p = NULL;
	jitk_err e = jitk_policy_parse(text, strlen(text), "t.scpl", &p, d);
	if (e)
		return NULL;
	return p;
}

static void grammar(void **state)
{
	(void)state;
	jitk_diag d;
	jitk_policy *p =
		parse("{ default_action = Allow;\n"
		      "  rules = [ { action = Errno EPERM; syscall = ptrace } ];\n"
		      "  filesystem = [ { path = \"/usr\"; access = [read; execute] };\n"
		      "                 { path = \"/tmp/work\"; access = [read; write] };\n"
		      "                 { path = \"/usr/\"; access = make_dir } ];\n"
		      "  network = [ { port = 443; access = [connect] }; { port = 80; access = bind };\n"
		      "              { port = 443; access = bind_tcp } ];\n"
		      "  scope = [signal; abstract_unix_socket] }\n",
		      &d);
	if (!p)
		print_message("%u:%u %s\n", d.line, d.col, d.msg);
	assert_non_null(p);
	assert_true(jitk_policy_has_landlock(p));
	const struct pol_landlock *L = &p->landlock;
	assert_true(L->has_fs && L->has_net);
	assert_int_equal(L->nfs, 2); /* "/usr/" merged into "/usr" */
	assert_string_equal(L->fs[0].path, "/usr");
	assert_int_equal(L->fs[0].access, find("read_file")->bit | find("read_dir")->bit |
						  find("execute")->bit | find("make_dir")->bit);
	assert_int_equal(L->fs[0].line, 3);
	assert_int_equal(L->fs[0].col, 27);
	uint64_t w = 0;
	unsigned abi;
	w = ll_access_of(TBL_LL_FS, "write", &abi);
	assert_int_equal(abi, 3); /* truncate (3) is the newest member */
	assert_true(w & find("refer")->bit);
	assert_false(w & find("ioctl_dev")->bit);
	assert_int_equal(L->fs[1].access, w | find("read_file")->bit | find("read_dir")->bit);
	assert_int_equal(L->nnet, 2);
	assert_int_equal(L->net[0].port, 443);
	assert_int_equal(L->net[0].access, find("connect_tcp")->bit | find("bind_tcp")->bit);
	assert_int_equal(L->net[1].access, find("bind_tcp")->bit);
	assert_int_equal(L->scope, find("signal")->bit | find("abstract_unix_socket")->bit);
	assert_int_equal(L->max_abi, 6);
	jitk_policy_free(p);
	/* an empty filesystem list: every filesystem access denied */
	p = parse("{ default_action = Allow; rules = []; filesystem = [] }", &d);
	assert_non_null(p);
	assert_true(p->landlock.has_fs && p->landlock.nfs == 0 && !p->landlock.has_net);
	jitk_policy_free(p);
	p = parse("{ default_action = Allow; rules = [] }", &d);
	assert_false(jitk_policy_has_landlock(p));
	jitk_policy_free(p);
}

static void refusals(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned line, col;
		const char *msg, *hint;
	} t[] = {
		{ "{ default_action = Allow; rules = []; filesystem = [ { path = \"/usr\"; access = [raed] } ] }",
		  1, 81, "unknown filesystem right 'raed'", "did you mean read?" },
		{ "{ default_action = Allow; rules = []; filesystem = [ { path = \"usr\"; access = read } ] }",
		  1, 63, "a filesystem path must be absolute", "" },
		{ "{ default_action = Allow; rules = []; filesystem = [ { path = \"/usr\" } ] }", 1, 54,
		  "filesystem entry has no access", "" },
		{ "{ default_action = Allow; rules = []; filesystem = [ { access = read } ] }", 1, 54,
		  "filesystem entry has no path", "" },
		{ "{ default_action = Allow; rules = []; filesystem = [ { path = \"/a\"; access = [] } ] }",
		  1, 79, "empty access list", "" },
		{ "{ default_action = Allow; rules = []; filesystem = [ { path = \"/a\"; acess = read } ] }",
		  1, 69, "unknown filesystem field 'acess'", "did you mean access?" },
		{ "{ default_action = Allow; rules = []; filesystem = [ { path = \"/a\"; path = \"/b\"; access = read } ] }",
		  1, 69, "duplicate field 'path'", "" },
		{ "{ default_action = Allow; rules = []; filesystem = [ { path = \"/a\"; access = connect } ] }",
		  1, 78, "unknown filesystem right 'connect'", "" },
		{ "{ default_action = Allow; rules = []; network = [ { port = 70000; access = connect } ] }",
		  1, 60, "port 70000 is out of range", "" },
		{ "{ default_action = Allow; rules = []; network = [ { port = 22; access = read } ] }", 1,
		  73, "unknown network right 'read'", "" },
		{ "{ default_action = Allow; rules = []; network = [ { port = \"22\"; access = bind } ] }",
		  1, 60, "expected a port number", "" },
		{ "{ default_action = Allow; rules = []; scope = [signals] }", 1, 48,
		  "unknown scope 'signals'", "did you mean signal?" },
		{ "{ default_action = Allow; rules = []; scope = signal; scope = signal }", 1, 55,
		  "duplicate field 'scope'", "" },
		{ "{ default_action = Allow; rules = []; filesytem = [] }", 1, 39,
		  "unknown policy field 'filesytem'", "did you mean filesystem?" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		jitk_diag d;
		jitk_policy *p = parse(t[i].text, &d);
		if (p || strstr(d.msg, t[i].msg) == NULL || d.line != t[i].line || d.col != t[i].col ||
		    (t[i].hint[0] && strstr(d.hint, t[i].hint) == NULL))
			print_message("case %zu: got %u:%u '%s' hint '%s'\n", i, d.line, d.col, d.msg,
				      d.hint);
		assert_null(p);
		assert_non_null(strstr(d.msg, t[i].msg));
		assert_int_equal(d.line, t[i].line);
		assert_int_equal(d.col, t[i].col);
		if (t[i].hint[0])
			assert_non_null(strstr(d.hint, t[i].hint));
	}
	/* no policy: the library refuses, without a crash */
	jitk_diag d;
	assert_int_equal(jitk_landlock_apply(NULL, 0, NULL, &d), JITK_E_INVAL);
}

/* The ABI checks of jitk_landlock_apply, for kernels older than this one. */
static void older_kernels(void **state)
{
	(void)state;
	jitk_diag d;
	jitk_policy *p = parse("{ default_action = Allow; rules = [];\n"
			       "  filesystem = [ { path = \"/usr\"; access = [read; truncate] };\n"
			       "                 { path = \"/dev/tty\"; access = ioctl_dev } ];\n"
			       "  network = [ { port = 443; access = connect } ];\n"
			       "  scope = signal }",
			       &d);
	assert_non_null(p);
	uint64_t scope;
	struct strbuf w = { 0 };
	/* ABI 7: everything is there */
	assert_int_equal(ll_check(p, 7, false, &w, &scope, &d), JITK_OK);
	assert_int_equal(w.len, 0);
	assert_int_equal(scope, find("signal")->bit);
	/* ABI 3: network is an error naming the ABI */
	assert_int_equal(ll_check(p, 3, false, &w, &scope, &d), JITK_E_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "network rules, which need Landlock ABI 4"));
	/* ABI 5: the scope needs 6 */
	assert_int_equal(ll_check(p, 5, false, &w, &scope, &d), JITK_E_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "scope right 'signal' needs Landlock ABI 6; this kernel has ABI 5"));
	/* ABI 4 with best effort: the scope, ioctl_dev dropped with warnings */
	assert_int_equal(ll_check(p, 4, true, &w, &scope, &d), JITK_OK);
	assert_int_equal(scope, 0);
	assert_non_null(w.buf);
	assert_non_null(strstr(w.buf, "'signal' needs Landlock ABI 6"));
	assert_non_null(strstr(w.buf, "t.scpl:3: filesystem right 'ioctl_dev' needs Landlock ABI 5"));
	free(w.buf);
	w = (struct strbuf){ 0 };
	/* ABI 2 with best effort: truncate and the whole network block too */
	assert_int_equal(ll_check(p, 2, true, &w, &scope, &d), JITK_OK);
	assert_non_null(strstr(w.buf, "'truncate' needs Landlock ABI 3"));
	assert_non_null(strstr(w.buf, "network rules need Landlock ABI 4 (this kernel has 2)"));
	free(w.buf);
	w = (struct strbuf){ 0 };
	/* no Landlock: an error, or one warning */
	assert_int_equal(ll_check(p, 0, false, &w, &scope, &d), JITK_E_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "no Landlock"));
	assert_int_equal(ll_check(p, 0, true, &w, &scope, &d), JITK_OK);
	assert_non_null(strstr(w.buf, "not applied"));
	free(w.buf);
	/* the rights up to each ABI */
	assert_false(ll_rights_upto(TBL_LL_FS, 1) & find("refer")->bit);
	assert_true(ll_rights_upto(TBL_LL_FS, 2) & find("refer")->bit);
	assert_int_equal(ll_rights_upto(TBL_LL_NET, 3), 0);
	jitk_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_vs_installed_header),
		cmocka_unit_test(abi_vs_header_sentences),
		cmocka_unit_test(grammar),
		cmocka_unit_test(refusals),
		cmocka_unit_test(older_kernels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
