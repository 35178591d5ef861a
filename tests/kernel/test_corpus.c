/* test_corpus.c - the SCPL translations in policies/ against the corpus.
 *
 * For every policy of ../shared/corpus/policies (real programs' seccomp
 * policies as JSON facts), the SCPL version in policies/ must give, on the
 * same inputs, exactly what the corpus's own reference evaluator
 * (tools/corpus_eval.py, run through tests/corpus/gen_cases.py) gives.  The
 * SCPL semantics (jitk_policy_eval) is compared, and so is the compiled
 * filter run by the reference interpreter.  This checks the translations and,
 * independently of our own evaluator, the compiler.
 *
 * The corpus compares all 64 bits of every argument (its format says so);
 * jitk compares the bits the kernel uses (docs/scpl.md, "Argument widths"),
 * so where a 32- or 16-bit parameter has bits set above its width the two
 * legitimately differ.  Such inputs are counted and left out of the
 * comparison; every other input must agree. */
#include "testlib.h"
#include "params.h"

#include <dirent.h>
#include <linux/audit.h>
#include <inttypes.h>

struct totals {
	unsigned long policies, cases, narrow, eval_bad, filter_bad, insns;
};

/* Whether some argument of the call has bits above the width the kernel
 * uses of it (then the corpus's 64-bit view is not the kernel's). */
static bool beyond_width(const struct seccomp_data *in)
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		if (jitk_arch_audit((jitk_arch)a) != in->arch)
			continue;
		bool x32 = (uint32_t)in->nr >= JITK_X32_SYSCALL_BIT;
		if (in->arch == AUDIT_ARCH_X86_64 && x32 != (a == JITK_ARCH_X32))
			continue;
		for (unsigned i = 0; i < 6; i++)
			if (in->args[i] & ~params_mask(params_width((jitk_arch)a, in->nr, i)))
				return true;
	}
	return false;
}

static void scpl_path(const char *name, char *buf, size_t cap)
{
	if (strncmp(name, "crosvm-", 7) == 0)
		snprintf(buf, cap, "policies/crosvm/%s.scpl", name + 7);
	else
		snprintf(buf, cap, "policies/%s.scpl", name);
}

static void check_one(const char *json, const char *name, struct totals *t)
{
	char path[512], cmd[2048];
	scpl_path(name, path, sizeof path);
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err err = jitk_policy_load(path, &p, &d);
	if (err) {
		print_error("%s: %s:%u:%u: %s\n", name, d.file, d.line, d.col, d.msg);
		fail();
	}
	jitk_filter *f = NULL;
	jitk_compile_opts opts = { .no_verify = true };
	err = jitk_compile(p, &opts, &f, &d);
	if (err) {
		print_error("%s: compile: %s\n", name, d.msg);
		fail();
	}
	t->insns += jitk_filter_len(f);
	snprintf(cmd, sizeof cmd, "python3 tests/corpus/gen_cases.py %s", json);
	FILE *fp = popen(cmd, "r");
	assert_non_null(fp);
	char line[512];
	unsigned long n = 0;
	while (fgets(line, sizeof line, fp)) {
		struct seccomp_data in = { 0 };
		uint32_t arch, nr, want;
		uint64_t a[6];
		int got = sscanf(line,
				 "%" SCNx32 " %" SCNx32 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64
				 " %" SCNx64 " %" SCNx64 " %" SCNx32,
				 &arch, &nr, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &want);
		assert_int_equal(got, 9);
		in.arch = arch;
		in.nr = (int)nr;
		memcpy(in.args, a, sizeof a);
		n++;
		if (beyond_width(&in)) {
			t->narrow++;
			continue;
		}
		uint32_t ours = jitk_policy_eval(p, &in);
		if (ours != want) {
			if (t->eval_bad++ < 10)
				print_error("%s: arch 0x%x nr %d args %" PRIx64 ",%" PRIx64 ",%" PRIx64
					    ": corpus 0x%08x, SCPL 0x%08x\n",
					    name, arch, (int)nr, a[0], a[1], a[2], want, ours);
		}
		jitk_result r;
		assert_int_equal(jitk_interp(f, &in, &r), JITK_OK);
		if (r.ret != want && t->filter_bad++ < 10)
			print_error("%s: arch 0x%x nr %d: corpus 0x%08x, compiled filter 0x%08x\n", name,
				    arch, (int)nr, want, r.ret);
	}
	assert_int_equal(pclose(fp), 0);
	assert_true(n > 0);
	t->cases += n;
	t->policies++;
	jitk_filter_free(f);
	jitk_policy_free(p);
}

static void corpus_agrees(void **state)
{
	(void)state;
	char dir[512];
	snprintf(dir, sizeof dir, "%s/corpus/policies", test_shared_dir());
	DIR *dp = opendir(dir);
	if (!dp) {
		print_message("no corpus at %s: skipped\n", dir);
		skip();
	}
	struct totals t = { 0 };
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		char name[256], json[1024];
		snprintf(name, sizeof name, "%.*s", (int)(len - 5), e->d_name);
		snprintf(json, sizeof json, "%s/%s", dir, e->d_name);
		check_one(json, name, &t);
	}
	closedir(dp);
	print_message("corpus: %lu policies, %lu cases (%lu left out: bits above a parameter's "
		      "width), %lu SCPL disagreements, %lu compiled-filter disagreements, "
		      "%lu BPF instructions in all\n",
		      t.policies, t.cases, t.narrow, t.eval_bad, t.filter_bad, t.insns);
	assert_true(t.narrow * 2 < t.cases); /* most inputs are still compared */
	assert_true(t.policies >= 40);
	assert_int_equal(t.eval_bad, 0);
	assert_int_equal(t.filter_bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(corpus_agrees),
	};
	return cmocka_run_group_tests_name("corpus", tests, NULL, NULL);
}
