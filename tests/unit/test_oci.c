/* test_oci.c - OCI/Docker profiles: malformed and hostile profiles get a
 * located error and no policy; well-formed ones mean what runc on
 * libseccomp enforces (docs/oci.md), checked through jitk_policy_eval. */
#include "testlib.h"
#include "policy.h"

#include <linux/audit.h>
#include <stdlib.h>

/* Table rows leave .opts out when the defaults apply. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static const jitk_profile_opts host_x86 = { .host_arch = "x86_64", .kernel = "6.1" };

struct bad {
	const char *what, *text;
	jitk_err err;
	/* where the error points: the first occurrence of this text ("": the
	 * end of the text; NULL: no location) */
	const char *at;
	const char *msg; /* a fragment of the message */
	const jitk_profile_opts *opts;
};

#define A "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
#define S(x) A "\"syscalls\": [" x "]}"
#define E(x) S("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", " x "}")
#define ARG(x) E("\"args\": [" x "]")
#define ER(x) S("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", " x "}")

static const jitk_profile_opts strict = { .host_arch = "x86_64", .kernel = "6.1", .strict = true };
static const jitk_profile_opts bad_kernel = { .kernel = "6" };
static const jitk_profile_opts bad_caps = { .caps = "CAP_SYS_ADMN" };
static const jitk_profile_opts bad_host = { .host_arch = "z80" };

/* clang-format off */
static const struct bad bads[] = {
	{ "truncated", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"", JITK_E_PARSE, "", "truncated" },
	{ "truncated in a string", "{\"defaultAction\": \"SCMP_AC", JITK_E_PARSE, "", "truncated" },
	{ "byte order mark", "\xef\xbb\xbf{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", JITK_E_PARSE, "\xef", "byte order mark" },
	{ "text after the object", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"} x", JITK_E_PARSE, "x", "text after" },
	{ "a comment", "{\"defaultAction\": \"SCMP_ACT_ALLOW\" // no\n}", JITK_E_PARSE, "/", "JSON" },
	{ "a trailing comma", "{\"defaultAction\": \"SCMP_ACT_ALLOW\",}", JITK_E_PARSE, "}", "JSON" },
	{ "single quotes", "{\"defaultAction\": 'SCMP_ACT_ALLOW'}", JITK_E_PARSE, "'", "JSON" },
	{ "a NUL byte", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}\0", JITK_E_PARSE, "", "NUL" },
	{ "unknown field", A "\"defaultActon\": 1}", JITK_E_NAME, "\"defaultActon", "unknown field \"defaultActon\"" },
	{ "duplicate key", A "\"defaultAction\": \"SCMP_ACT_KILL\"}", JITK_E_NAME, "\"defaultAction\": \"SCMP_ACT_KILL", "duplicate field" },
	{ "defaultAction not a string", "{\"defaultAction\": 5}", JITK_E_PARSE, "5", "must be a string" },
	{ "unknown action", "{\"defaultAction\": \"SCMP_ACT_ALOW\"}", JITK_E_NAME, "\"SCMP", "unknown action" },
	{ "no defaultAction", "{\"syscalls\": []}", JITK_E_PARSE, "{", "no \"defaultAction\"" },
	{ "empty object", "{}", JITK_E_PARSE, "{", "no \"defaultAction\"" },
	{ "errnoRet 70000", ER("\"errnoRet\": 70000"), JITK_E_RANGE, "70000", "out of range" },
	{ "errnoRet negative", ER("\"errnoRet\": -1"), JITK_E_RANGE, "-1", "negative" },
	{ "errnoRet with ALLOW", E("\"errnoRet\": 1"), JITK_E_NAME, "1}", "meaningless" },
	{ "defaultErrnoRet a string", A "\"defaultErrnoRet\": \"1\"}", JITK_E_PARSE, "\"1\"", "must be a number" },
	{ "index 6", ARG("{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}"), JITK_E_RANGE, "6,", "out of range" },
	{ "index a string", ARG("{\"index\": \"0\", \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}"), JITK_E_PARSE, "\"0\"", "must be a number" },
	{ "unknown op", ARG("{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_LIKE\"}"), JITK_E_NAME, "\"SCMP_CMP_LIKE", "unknown op" },
	{ "no op", ARG("{\"index\": 0, \"value\": 1}"), JITK_E_PARSE, "{\"index", "without \"op\"" },
	{ "value beyond 64 bits", ARG("{\"index\": 0, \"value\": 18446744073709551616, \"op\": \"SCMP_CMP_EQ\"}"), JITK_E_RANGE, "1844", "64 bits" },
	{ "value fractional", ARG("{\"index\": 0, \"value\": 1.5, \"op\": \"SCMP_CMP_EQ\"}"), JITK_E_PARSE, "1.5", "fractional" },
	{ "valueTwo with EQ", ARG("{\"index\": 0, \"value\": 1, \"valueTwo\": 2, \"op\": \"SCMP_CMP_EQ\"}"), JITK_E_RANGE, "2,", "valueTwo" },
	/* Issue 9 / D6: a value the parameter's width cannot hold (read's fd is
	 * an unsigned int, its count a size_t; chmod's mode a 16-bit umode_t) */
	{ "value beyond an int", ARG("{\"index\": 0, \"value\": 4294967296, \"op\": \"SCMP_CMP_EQ\"}"), JITK_E_RANGE, "4294967296", "value 0x100000000 does not fit the 32-bit parameter 'fd' (unsigned int) of read on x86_64" },
	{ "masked valueTwo beyond an int", ARG("{\"index\": 0, \"value\": 1, \"valueTwo\": 4294967297, \"op\": \"SCMP_CMP_MASKED_EQ\"}"), JITK_E_RANGE, "4294967297", "does not fit the 32-bit parameter 'fd'" },
	{ "value beyond a umode_t", S("{\"names\": [\"chmod\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 65536, \"op\": \"SCMP_CMP_EQ\"}]}"), JITK_E_RANGE, "65536", "16-bit parameter 'mode' (umode_t) of chmod" },
	{ "unknown arg field", ARG("{\"indx\": 0}"), JITK_E_NAME, "\"indx", "unknown field \"indx\"" },
	{ "args not an array", E("\"args\": {}"), JITK_E_PARSE, "{}", "must be an array" },
	{ "names not an array", S("{\"names\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"}"), JITK_E_PARSE, "\"read", "must be an array" },
	{ "a name that is no name", S("{\"names\": [\"read; Allow\"], \"action\": \"SCMP_ACT_ALLOW\"}"), JITK_E_NAME, "\"read;", "not a syscall name" },
	{ "a name that is a number", S("{\"names\": [0], \"action\": \"SCMP_ACT_ALLOW\"}"), JITK_E_PARSE, "0]", "must be a string" },
	{ "name and names", E("\"name\": \"write\""), JITK_E_PARSE, "\"write", "both \"name\" and \"names\"" },
	{ "entry without action", S("{\"names\": [\"read\"]}"), JITK_E_PARSE, "{\"names", "without \"action\"" },
	{ "entry without names", S("{\"action\": \"SCMP_ACT_ALLOW\"}"), JITK_E_PARSE, "{\"action", "without syscall names" },
	{ "syscalls an object", A "\"syscalls\": {}}", JITK_E_PARSE, "{}", "must be an array" },
	{ "entry a string", S("\"read\""), JITK_E_PARSE, "\"read", "must be an object" },
	{ "unknown arch", A "\"architectures\": [\"SCMP_ARCH_Z80\"]}", JITK_E_NAME, "\"SCMP_ARCH_Z80", "unknown architecture" },
	{ "arch not supported yet", A "\"architectures\": [\"SCMP_ARCH_LOONGARCH64\"]}", JITK_E_UNSUPPORTED, "\"SCMP_ARCH_LOONG", "not supported" },
	{ "parisc not supported", A "\"architectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_PARISC64\"]}", JITK_E_UNSUPPORTED, "\"SCMP_ARCH_PARISC64", "not supported" },
	{ "architectures and archMap", A "\"architectures\": [\"SCMP_ARCH_X86\"], \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\"}]}", JITK_E_PARSE, "[{", "both \"architectures\" and \"archMap\"" },
	{ "archMap entry without architecture", A "\"archMap\": [{\"subArchitectures\": null}]}", JITK_E_PARSE, "{\"sub", "without \"architecture\"" },
	{ "unknown capability", E("\"includes\": {\"caps\": [\"CAP_SYS_ADMN\"]}"), JITK_E_NAME, "\"CAP_SYS_ADMN", "unknown capability" },
	{ "unknown arch name", E("\"excludes\": {\"arches\": [\"amd46\"]}"), JITK_E_NAME, "\"amd46", "unknown arch name" },
	{ "bad minKernel", E("\"includes\": {\"minKernel\": \"4.x\"}"), JITK_E_PARSE, "\"4.x", "bad minKernel" },
	{ "minKernel 0.0", E("\"includes\": {\"minKernel\": \"0.0\"}"), JITK_E_PARSE, "\"0.0", "bad minKernel" },
	{ "minKernel a number", E("\"includes\": {\"minKernel\": 4.8}"), JITK_E_PARSE, "4.8", "must be a string" },
	{ "includes an array", E("\"includes\": []"), JITK_E_PARSE, "[]", "must be an object" },
	{ "unknown flag", A "\"flags\": [\"SECCOMP_FILTER_FLAG_FAST\"]}", JITK_E_NAME, "\"SECCOMP", "unknown flag" },
	{ "flags a string", A "\"flags\": \"SECCOMP_FILTER_FLAG_LOG\"}", JITK_E_PARSE, "\"SECCOMP", "must be an array" },
	{ "listenerPath a number", A "\"listenerPath\": 7}", JITK_E_PARSE, "7}", "must be a string" },
	{ "listenerPath relative", A "\"listenerPath\": \"a.sock\"}", JITK_E_PARSE, "\"a.sock", "absolute path" },
	{ "listenerPath with a \\u0000", A "\"listenerPath\": \"/a\\u0000\"}", JITK_E_PARSE, "\"/a", "NUL" },
	{ "listenerMetadata alone", A "\"listenerMetadata\": \"m\"}", JITK_E_PARSE, "\"m\"", "without listenerPath" },
	{ "deep nesting", A "\"syscalls\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", JITK_E_PARSE, "[[[[[[[[[[[[[[[[[[[[]", "nesting too deep" },
	{ "unknown everywhere, --strict", S("{\"names\": [\"reed\"], \"action\": \"SCMP_ACT_ALLOW\"}"), JITK_E_NAME, "\"reed", "not known on any", &strict },
	{ "missing on a sub-arch, --strict", A "\"architectures\": [\"SCMP_ARCH_X86\"], \"syscalls\": [{\"names\": [\"newfstatat\"], \"action\": \"SCMP_ACT_ALLOW\"}]}", JITK_E_NAME, "\"newfstatat", "does not exist on i386", &strict },
	{ "--kernel 6", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", JITK_E_INVAL, NULL, "kernel version", &bad_kernel },
	{ "--caps unknown", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", JITK_E_INVAL, NULL, "unknown capability", &bad_caps },
	{ "--host-arch unknown", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", JITK_E_INVAL, NULL, "host architecture", &bad_host },
};
/* clang-format on */

static void bad_profiles(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof bads / sizeof *bads; i++) {
		const struct bad *b = &bads[i];
		size_t len = strlen(b->text) + (strstr(b->what, "NUL") ? 1 : 0);
		const jitk_profile_opts *o = b->opts ? b->opts : &host_x86;
		unsigned line = 0, col = 0;
		if (b->at) {
			const char *w = b->at[0] ? strstr(b->text, b->at) : b->text + strlen(b->text);
			assert_non_null(w);
			line = 1;
			col = 1;
			for (const char *c = b->text; c < w; c++) {
				col = *c == '\n' ? 1 : col + 1;
				line += *c == '\n';
			}
		}
		char *scpl = (char *)"x";
		jitk_diag d;
		jitk_err e = jitk_profile_import(b->text, len, "bad.json", o, &scpl, NULL, &d);
		if (e != b->err || d.line != line || d.col != col || !strstr(d.msg, b->msg)) {
			print_message("%s: got err %d at %u:%u \"%s\", want %d at %u:%u \"%s\"\n", b->what,
				      e, d.line, d.col, d.msg, b->err, line, col, b->msg);
			failed++;
			continue;
		}
		assert_null(scpl);
		if (b->at)
			assert_string_equal(d.file, "bad.json");
		/* The single entry point gives the same error and no policy. */
		if (jitk_is_profile(b->text, len)) {
			jitk_policy *p = (jitk_policy *)1;
			jitk_diag d2;
			assert_int_equal(jitk_policy_parse_opts(b->text, len, "bad.json", o, &p, &d2),
					 b->err);
			assert_null(p);
			assert_int_equal(d2.line, d.line);
			assert_int_equal(d2.col, d.col);
		}
	}
	assert_int_equal(failed, 0);
	assert_true(sizeof bads / sizeof *bads >= 30);
}

/* Huge arrays are refused with a location, not worked through. */
static void huge_profiles(void **state)
{
	(void)state;
	size_t n = 10001;
	struct strbuf sb = { 0 };
	char *t = malloc(n * 8 + 200);
	assert_non_null(t);
	strcpy(t, A "\"syscalls\": [{\"action\": \"SCMP_ACT_ALLOW\", \"names\": [");
	size_t l = strlen(t);
	for (size_t i = 0; i < n; i++) {
		memcpy(t + l, i ? ",\"read\"" : "\"read\"", i ? 7 : 6);
		l += i ? 7 : 6;
	}
	strcpy(t + l, "]}]}");
	char *scpl = NULL;
	jitk_diag d;
	assert_int_equal(jitk_profile_import(t, strlen(t), "huge.json", &host_x86, &scpl, NULL, &d),
			 JITK_E_RANGE);
	assert_non_null(strstr(d.msg, "more than"));
	assert_int_equal(d.line, 1);
	free(t);
	free(sb.buf);
}

/* ------------------------------------------------------------- meaning */

static jitk_policy *load(const char *text, const jitk_profile_opts *o)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err e = jitk_policy_parse_opts(text, strlen(text), "t.json", o ? o : &host_x86, &p, &d);
	if (e)
		fail_msg("%s:%u:%u: %s\n%s", d.file, d.line, d.col, d.msg, text);
	return p;
}

static uint32_t ev(const jitk_policy *p, uint32_t arch, const char *name, uint64_t a0, uint64_t a1)
{
	jitk_arch ja = arch == AUDIT_ARCH_I386      ? JITK_ARCH_I386
		       : arch == AUDIT_ARCH_AARCH64 ? JITK_ARCH_AARCH64
						    : JITK_ARCH_X86_64;
	struct seccomp_data in = { .nr = jitk_syscall_nr(ja, name), .arch = arch, .args = { a0, a1 } };
	assert_true(in.nr >= 0);
	return jitk_policy_eval(p, &in);
}
#define X64 AUDIT_ARCH_X86_64
#define ALLOW JITK_RET_ALLOW
#define EPERM_ (JITK_RET_ERRNO | 1)

/* libseccomp db_rule_add: the first unconditional entry of a syscall stays
 * and replaces its conditional ones; later ones are no-ops. */
/* The loader fields reach jitk_policy_loader_opts (docs/oci.md rule 8);
 * listenerPath only with a Notify action (runtime-spec). */
static void loader_fields(void **state)
{
	(void)state;
	jitk_policy *p = load(A "\"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_TSYNC\", "
				"\"SECCOMP_FILTER_FLAG_LOG\"], \"listenerPath\": \"/run/a.sock\", "
				"\"listenerMetadata\": \"m=1\", \"syscalls\": [{\"names\": [\"mkdir\"], "
				"\"action\": \"SCMP_ACT_NOTIFY\"}]}",
			      NULL);
	jitk_loader_opts lo;
	jitk_policy_loader_opts(p, &lo);
	assert_int_equal(lo.flags, JITK_LOAD_LOG | JITK_LOAD_TSYNC);
	assert_string_equal(lo.listener_path, "/run/a.sock");
	assert_string_equal(lo.listener_metadata, "m=1");
	jitk_policy_free(p);
	/* No Notify action: the listener is ignored, the flags stay. */
	p = load(A "\"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"], "
		   "\"listenerPath\": \"/run/a.sock\"}",
		 NULL);
	jitk_policy_loader_opts(p, &lo);
	assert_int_equal(lo.flags, JITK_LOAD_SPEC_ALLOW | JITK_LOAD_WAIT_KILLABLE_RECV);
	assert_null(lo.listener_path);
	assert_null(lo.listener_metadata);
	jitk_policy_free(p);
	/* A Notify entry runc skips (it is the default action) is no use. */
	p = load("{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/a\"}", NULL);
	jitk_policy_loader_opts(p, &lo);
	assert_string_equal(lo.listener_path, "/a");
	jitk_policy_free(p);
	/* SCPL has none. */
	static const char scpl[] = "{ default_action = Allow; rules = [] }";
	assert_int_equal(jitk_policy_parse(scpl, sizeof scpl - 1, NULL, &p, NULL), JITK_OK);
	lo.flags = 1;
	jitk_policy_loader_opts(p, &lo);
	assert_int_equal(lo.flags, 0);
	assert_null(lo.listener_path);
	jitk_policy_free(p);
	jitk_policy_loader_opts(NULL, &lo);
	assert_int_equal(lo.flags, 0);
}

static void unconditional_wins(void **state)
{
	(void)state;
	jitk_policy *p = load(S("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				"[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"
				"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5},"
				"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\"}"),
			      NULL);
	assert_int_equal(ev(p, X64, "read", 1, 0), JITK_RET_ERRNO | 5);
	assert_int_equal(ev(p, X64, "read", 2, 0), JITK_RET_ERRNO | 5);
	assert_int_equal(ev(p, X64, "write", 1, 0), EPERM_);
	jitk_policy_free(p);
}

/* Conditional entries of one syscall are ORed; one entry's conditions on
 * different arguments ANDed, on the same argument ORed (runc). */
static void conditions(void **state)
{
	(void)state;
	jitk_policy *p = load(
		S("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		  "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 7, \"op\": \"SCMP_CMP_GE\"}]},"
		  "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		  "[{\"index\": 0, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]},"
		  "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		  "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]},"
		  "{\"names\": [\"close\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		  "[{\"index\": 0, \"value\": 6, \"valueTwo\": 4, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}"),
		NULL);
	assert_int_equal(ev(p, X64, "read", 1, 7), ALLOW);
	assert_int_equal(ev(p, X64, "read", 1, 6), EPERM_);
	assert_int_equal(ev(p, X64, "read", 9, 0), ALLOW);
	assert_int_equal(ev(p, X64, "read", 2, 9), EPERM_);
	assert_int_equal(ev(p, X64, "write", 1, 0), ALLOW);
	assert_int_equal(ev(p, X64, "write", 2, 0), ALLOW);
	assert_int_equal(ev(p, X64, "write", 3, 0), EPERM_);
	assert_int_equal(ev(p, X64, "close", 5, 0), ALLOW);
	assert_int_equal(ev(p, X64, "close", 4, 0), ALLOW);
	assert_int_equal(ev(p, X64, "close", 6, 0), EPERM_);
	/* read's fd is an unsigned int: the kernel uses its low 32 bits, and so
	 * does the compare (docs/scpl.md "Argument widths", issue 9) */
	assert_int_equal(ev(p, X64, "read", 0x100000001ull, 7), ALLOW);
	jitk_policy_free(p);
}

/* runc skips an entry whose action is the default action, so it does not
 * decide the syscall (it would, as an unconditional rule). */
static void default_action_entry_skipped(void **state)
{
	(void)state;
	jitk_policy *p = load(S("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"},"
				"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				"[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}"),
			      NULL);
	assert_int_equal(ev(p, X64, "read", 1, 0), ALLOW);
	assert_int_equal(ev(p, X64, "read", 2, 0), EPERM_);
	jitk_policy_free(p);
}

/* Actions and their data: errnoRet defaults to EPERM (runc), KILL is
 * KILL_THREAD (libseccomp), an arch not in the filter is KILL_THREAD. */
static void actions(void **state)
{
	(void)state;
	jitk_policy *p = load("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": ["
			      "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\"},"
			      "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},"
			      "{\"names\": [\"close\"], \"action\": \"SCMP_ACT_TRACE\"},"
			      "{\"names\": [\"open\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 77},"
			      "{\"names\": [\"stat\"], \"action\": \"SCMP_ACT_TRAP\"},"
			      "{\"names\": [\"fstat\"], \"action\": \"SCMP_ACT_LOG\"},"
			      "{\"names\": [\"lstat\"], \"action\": \"SCMP_ACT_NOTIFY\"},"
			      "{\"name\": \"poll\", \"action\": \"SCMP_ACT_ERRNO\"},"
			      "{\"names\": [\"lseek\"], \"action\": \"SCMP_ACT_KILL_THREAD\"}]}",
			      NULL);
	assert_int_equal(ev(p, X64, "getpid", 0, 0), JITK_RET_ERRNO | 38);
	assert_int_equal(ev(p, X64, "read", 0, 0), JITK_RET_KILL_THREAD);
	assert_int_equal(ev(p, X64, "write", 0, 0), JITK_RET_KILL_PROCESS);
	assert_int_equal(ev(p, X64, "close", 0, 0), JITK_RET_TRACE | 1);
	assert_int_equal(ev(p, X64, "open", 0, 0), JITK_RET_TRACE | 77);
	assert_int_equal(ev(p, X64, "stat", 0, 0), JITK_RET_TRAP);
	assert_int_equal(ev(p, X64, "fstat", 0, 0), JITK_RET_LOG);
	assert_int_equal(ev(p, X64, "lstat", 0, 0), JITK_RET_USER_NOTIF);
	assert_int_equal(ev(p, X64, "poll", 0, 0), JITK_RET_ERRNO | 1);
	assert_int_equal(ev(p, X64, "lseek", 0, 0), JITK_RET_KILL_THREAD);
	/* only the native arch is in the filter: i386 is foreign */
	struct seccomp_data in = { .nr = 20, .arch = AUDIT_ARCH_I386 };
	assert_int_equal(jitk_policy_eval(p, &in), JITK_RET_KILL_THREAD);
	jitk_policy_free(p);
}

/* moby's selection: caps, host arch, minKernel; archMap of the host. */
static void selection(void **state)
{
	(void)state;
	const char *t =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\","
		" \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\"]},"
		"  {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": null}],"
		" \"syscalls\": ["
		"  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
		"  {\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
		"  {\"names\": [\"close\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"arm64\"]}},"
		"  {\"names\": [\"fstat\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"amd64\"]}},"
		"  {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"5.4\"}},"
		"  {\"names\": [\"gettid\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"minKernel\": \"5.4\"}},"
		"  {\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_KILL\", \"CAP_CHOWN\"]}}"
		"]}";
	jitk_profile_opts o = { .host_arch = "x86_64", .kernel = "5.3" };
	jitk_policy *p = load(t, &o); /* Docker's default caps */
	assert_true(p->arch[JITK_ARCH_X86_64] && p->arch[JITK_ARCH_I386]);
	assert_false(p->arch[JITK_ARCH_AARCH64] || p->arch[JITK_ARCH_X32]);
	assert_int_equal(ev(p, X64, "read", 0, 0), EPERM_);
	assert_int_equal(ev(p, X64, "write", 0, 0), ALLOW);
	assert_int_equal(ev(p, X64, "close", 0, 0), EPERM_);
	assert_int_equal(ev(p, X64, "fstat", 0, 0), ALLOW);
	assert_int_equal(ev(p, X64, "getpid", 0, 0), EPERM_);
	assert_int_equal(ev(p, X64, "gettid", 0, 0), ALLOW);
	assert_int_equal(ev(p, X64, "dup", 0, 0), ALLOW);
	assert_int_equal(ev(p, AUDIT_ARCH_I386, "write", 0, 0), ALLOW);
	jitk_policy_free(p);

	o = (jitk_profile_opts){ .host_arch = "aarch64", .kernel = "5.4", .caps = "sys_admin,CAP_KILL" };
	p = load(t, &o);
	assert_true(p->arch[JITK_ARCH_AARCH64]);
	assert_false(p->arch[JITK_ARCH_X86_64] || p->arch[JITK_ARCH_I386]);
	uint32_t A64 = AUDIT_ARCH_AARCH64;
	assert_int_equal(ev(p, A64, "read", 0, 0), ALLOW);
	assert_int_equal(ev(p, A64, "write", 0, 0), EPERM_);
	assert_int_equal(ev(p, A64, "close", 0, 0), ALLOW);
	assert_int_equal(ev(p, A64, "fstat", 0, 0), EPERM_);
	assert_int_equal(ev(p, A64, "getpid", 0, 0), ALLOW);
	assert_int_equal(ev(p, A64, "gettid", 0, 0), EPERM_);
	assert_int_equal(ev(p, A64, "dup", 0, 0), EPERM_); /* CAP_CHOWN missing */
	jitk_policy_free(p);

	o = (jitk_profile_opts){ .host_arch = "x86_64", .kernel = "5.4", .caps = "" };
	p = load(t, &o);
	assert_int_equal(ev(p, X64, "dup", 0, 0), EPERM_);
	assert_int_equal(ev(p, X64, "write", 0, 0), ALLOW);
	jitk_policy_free(p);
}

/* The native arch is always in a libseccomp filter; names are resolved
 * per ABI and skipped where missing; import lists what it skipped. */
static void architectures_and_names(void **state)
{
	(void)state;
	const char *t = A
		"\"architectures\": [\"SCMP_ARCH_X86\"], \"syscalls\": ["
		"{\"names\": [\"newfstatat\", \"chown32\", \"reed\", \"read\", \"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	jitk_policy *p = load(t, NULL);
	assert_true(p->arch[JITK_ARCH_X86_64] && p->arch[JITK_ARCH_I386]);
	assert_int_equal(ev(p, X64, "newfstatat", 0, 0), ALLOW);
	assert_int_equal(ev(p, AUDIT_ARCH_I386, "chown32", 0, 0), ALLOW);
	assert_int_equal(ev(p, AUDIT_ARCH_I386, "read", 0, 0), ALLOW);
	/* chown32's i386 number (212) is chown on x86_64? no: 212 is lookup_dcookie there */
	struct seccomp_data in = { .nr = 212, .arch = X64 };
	assert_int_equal(jitk_policy_eval(p, &in), EPERM_);
	jitk_policy_free(p);
	char *scpl, *notes;
	jitk_diag d;
	assert_int_equal(jitk_profile_import(t, strlen(t), "t.json", &host_x86, &scpl, &notes, &d), JITK_OK);
	assert_non_null(strstr(notes, "t.json:1:"));
	assert_non_null(strstr(notes,
			       "\"reed\" is unknown on every selected architecture: skipped (did you mean "
			       "\"read\"? if jitk's tables lack it, import the profile and give its number "
			       "in the SCPL: { arch = x86_64; syscall = NR; ... })"));
	assert_non_null(strstr(notes, "\"newfstatat\" is not a syscall on i386"));
	assert_non_null(strstr(notes, "\"chown32\" is not a syscall on x86_64"));
	assert_non_null(strstr(scpl, "arch = [x86_64; i386];"));
	jitk_free(scpl);
	jitk_free(notes);
}

/* Docker's profile as shipped: the import parses, and a few of its
 * decisions on an amd64 host with the default capabilities. */
static void docker_profile(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof path, "%s/corpus/original/moby-profiles/default.json", test_shared_dir());
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_profile_opts o = { .host_arch = "x86_64", .kernel = "6.1" };
	if (jitk_policy_load_opts(path, &o, &p, &d))
		fail_msg("%s:%u:%u: %s", d.file, d.line, d.col, d.msg);
	assert_true(p->arch[JITK_ARCH_X86_64] && p->arch[JITK_ARCH_I386] && p->arch[JITK_ARCH_X32]);
	assert_int_equal(ev(p, X64, "read", 0, 0), ALLOW);
	assert_int_equal(ev(p, X64, "mount", 0, 0), EPERM_);
	assert_int_equal(ev(p, X64, "clone3", 0, 0), JITK_RET_ERRNO | 38);
	assert_int_equal(ev(p, X64, "clone", 0x10000000 /* CLONE_NEWUSER */, 0), EPERM_);
	assert_int_equal(ev(p, X64, "clone", 0x11, 0), ALLOW);
	assert_int_equal(ev(p, X64, "socket", 40 /* AF_VSOCK */, 0), EPERM_);
	assert_int_equal(ev(p, X64, "socket", 2, 0), ALLOW);
	assert_int_equal(ev(p, X64, "personality", 0xffffffff, 0), ALLOW);
	assert_int_equal(ev(p, X64, "personality", 1, 0), EPERM_);
	assert_int_equal(ev(p, X64, "ptrace", 0, 0), ALLOW);  /* minKernel 4.8 */
	assert_int_equal(ev(p, X64, "chroot", 0, 0), ALLOW);  /* CAP_SYS_CHROOT is default */
	assert_int_equal(ev(p, X64, "reboot", 0, 0), EPERM_); /* CAP_SYS_BOOT is not */
	jitk_policy_free(p);
}

/* A name no table has: skipped with the hint to give it by number in the
 * imported SCPL (no "did you mean": nothing is near); under --strict the
 * same hint on the located error. */
static void unknown_name_hint(void **state)
{
	(void)state;
	const char *t = A "\"syscalls\": [{\"names\": [\"frobnicate_fd\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	char *scpl, *notes;
	jitk_diag d;
	assert_int_equal(jitk_profile_import(t, strlen(t), "t.json", &host_x86, &scpl, &notes, &d), JITK_OK);
	assert_non_null(strstr(notes,
			       "\"frobnicate_fd\" is unknown on every selected architecture: skipped (if "
			       "jitk's tables lack it, import the profile and give its number in the SCPL"));
	assert_null(strstr(notes, "did you mean"));
	jitk_free(scpl);
	jitk_free(notes);
	scpl = notes = NULL;
	assert_int_equal(jitk_profile_import(t, strlen(t), "t.json", &strict, &scpl, &notes, &d),
			 JITK_E_NAME);
	assert_null(scpl);
	assert_non_null(strstr(d.msg, "\"frobnicate_fd\" is not known on any selected architecture"));
	assert_non_null(strstr(d.hint, "give its number in the SCPL: { arch = x86_64; syscall = NR; ... }"));
	assert_non_null(strstr(d.hint, "without --strict it is skipped"));
	jitk_free(notes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_profiles),
		cmocka_unit_test(huge_profiles),
		cmocka_unit_test(loader_fields),
		cmocka_unit_test(unconditional_wins),
		cmocka_unit_test(conditions),
		cmocka_unit_test(default_action_entry_skipped),
		cmocka_unit_test(actions),
		cmocka_unit_test(selection),
		cmocka_unit_test(architectures_and_names),
		cmocka_unit_test(unknown_name_hint),
		cmocka_unit_test(docker_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
