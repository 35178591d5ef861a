/*
 * test_policies.c - every policy shipped in policies/, compiled, against the
 * SCPL semantics, and a sample of it on the real kernel.
 *
 * For each policies/ (and policies/ subfolder) file, the compiled filter run
 * by the reference interpreter must equal jitk_policy_eval on:
 *  - every syscall number of each ABI's table, and its neighbours +-1, on
 *    every architecture (listed or foreign);
 *  - x32 numbers (the x32 bit with every x86_64 number), negative numbers
 *    and numbers outside the tables;
 *  - argument vectors built from the policy's own constants, +-1, with
 *    junk in the high 32 bits, and all-zero / all-ones.
 * Then the filter is installed in a forked child with every `ret #k`
 * rewritten to `ret #TRAP|i` (i = index of k among the filter's return
 * values; the control flow is untouched), a sample of the same calls is
 * made with real `syscall` and `int $0x80` instructions, and the value the
 * kernel's run of the filter chose (si_errno) must map back to what the
 * semantics says.
 */
#include "testlib.h"
#include "kexec.h"
#include "policy.h"

#include <glob.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <sys/wait.h>

#define MAXVALS 512
#define MAXRETS 256
#define KCALLS 400

struct vals {
	uint64_t v[MAXVALS];
	size_t n;
};

static void add_val(struct vals *s, uint64_t v)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == v)
			return;
	if (s->n < MAXVALS)
		s->v[s->n++] = v;
}

/* The policy's own constants, their neighbours, and junk-high variants. */
static void collect(const struct pol_cond *c, struct vals *s)
{
	if (!c)
		return;
	if (c->kind != POL_CMP) {
		collect(c->l, s);
		collect(c->r, s);
		return;
	}
	uint64_t v = c->value, m = c->mask;
	const uint64_t more[] = {
		v, v + 1,   v - 1, v | 0xdead000000000000ull, (v & 0xffffffffu) | 0x100000000ull, v ^ 1,
		m, ~m & ~v, v | ~m
	};
	for (size_t i = 0; i < sizeof more / sizeof *more; i++)
		add_val(s, more[i]);
}

/* Inputs: the arch/nr pairs to try. */
struct probe {
	uint32_t arch;
	uint32_t nr;
};

static size_t probes(struct probe *out, size_t cap)
{
	size_t n = 0;
#define PUT(a, x)                                                        \
	do {                                                             \
		if (n < cap)                                             \
			out[n++] = (struct probe){ (a), (uint32_t)(x) }; \
	} while (0)
	static const struct {
		jitk_arch abi;
		uint32_t audit;
	} abis[] = {
		{ JITK_ARCH_X86_64, AUDIT_ARCH_X86_64 },
		{ JITK_ARCH_X32, AUDIT_ARCH_X86_64 },
		{ JITK_ARCH_I386, AUDIT_ARCH_I386 },
		{ JITK_ARCH_AARCH64, AUDIT_ARCH_AARCH64 },
	};
	for (size_t a = 0; a < sizeof abis / sizeof *abis; a++) {
		const char *name;
		int nr;
		uint32_t max = 0;
		for (size_t i = 0; jitk_syscall_at(abis[a].abi, i, &name, &nr); i++) {
			PUT(abis[a].audit, nr);
			PUT(abis[a].audit, nr + 1);
			if ((uint32_t)nr > max)
				max = (uint32_t)nr;
			if (abis[a].abi == JITK_ARCH_X86_64) /* the x32 form of every x86_64 number */
				PUT(AUDIT_ARCH_X86_64, (uint32_t)nr | JITK_X32_SYSCALL_BIT);
		}
		const uint32_t odd[] = { 0,          max + 1,    max + 2,    999,        4095,
					 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0x80000002,
					 0xbfffffff, 0xc0000000, 0xfffffffe, 0xffffffff };
		for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
			PUT(abis[a].audit, odd[i]);
	}
	/* Foreign architectures: arm, riscv64, a made-up one. */
	PUT(0x40000028u, 20);
	PUT(0xc00000f3u, 172);
	PUT(0x12345678u, 39);
#undef PUT
	return n;
}

struct kcall {
	enum kexec_abi abi;
	uint32_t nr;
	uint64_t args[6];
	uint32_t want; /* index of the expected return value */
};

struct shm {
	struct kcall calls[KCALLS];
	kexec_outcome out[KCALLS];
	size_t ncalls;
	int installed;
	int done;
};

struct totals {
	unsigned long policies, inputs, bad, kcalls, kbad;
};

/* Run a sample of calls in the kernel under f with its returns renumbered. */
static void kernel_sample(const char *path, const jitk_filter *f, struct shm *sh, size_t ncalls,
			  const uint32_t *rets, size_t nrets, struct totals *t)
{
	size_t n = jitk_filter_len(f);
	jitk_insn *ins = malloc(n * sizeof *ins);
	assert_non_null(ins);
	memcpy(ins, jitk_filter_insns(f), n * sizeof *ins);
	for (size_t i = 0; i < n; i++) {
		if (ins[i].code == (BPF_RET | BPF_A)) {
			print_message("%s: ret a in the filter: kernel sample skipped\n", path);
			free(ins);
			return;
		}
		if (ins[i].code == (BPF_RET | BPF_K)) {
			size_t j = 0;
			while (j < nrets && rets[j] != ins[i].k)
				j++;
			assert_true(j < nrets);
			ins[i].k = JITK_RET_TRAP | (uint32_t)j;
		}
	}
	sh->ncalls = ncalls;
	sh->installed = 0;
	sh->done = 0;
	pid_t pid = kexec_fork(60);
	assert_true(pid >= 0);
	if (pid == 0) {
		kexec_site s = kexec_site_default();
		if (kexec_catch_sigsys() != 0)
			_exit(3);
		sh->installed = kexec_install(ins, n) + 1;
		if (sh->installed != 1)
			_exit(2);
		for (size_t i = 0; i < sh->ncalls; i++)
			kexec_call(&s, sh->calls[i].abi, sh->calls[i].nr, sh->calls[i].args, &sh->out[i]);
		sh->done = 1;
		kexec_die();
	}
	int st = kexec_wait(pid);
	free(ins);
	char buf[64];
	if (!sh->done) {
		print_error("%s: child ended early (%s, installed %d)\n", path,
			    kexec_status_str(st, buf, sizeof buf), sh->installed - 1);
		fail();
	}
	for (size_t i = 0; i < ncalls; i++) {
		const struct kcall *c = &sh->calls[i];
		const kexec_outcome *o = &sh->out[i];
		t->kcalls++;
		if (!o->trapped || o->code != 1 /* SYS_SECCOMP */ || (uint32_t)o->data != c->want) {
			if (t->kbad++ < 10)
				print_error("%s: kernel: %s nr 0x%x: trapped %d data %d, want %u (0x%08x)\n",
					    path, c->abi == KEXEC_I386 ? "int80" : "syscall", c->nr,
					    o->trapped, o->data, c->want, rets[c->want]);
		}
	}
}

static void check_policy(const char *path, struct shm *sh, rng_t *r, struct totals *t)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	if (jitk_policy_load(path, &p, &d) != JITK_OK) {
		print_error("%s:%u:%u: %s\n", d.file, d.line, d.col, d.msg);
		fail();
	}
	jitk_filter *f = NULL;
	if (jitk_compile(p, NULL, &f, &d) != JITK_OK) {
		print_error("%s: compile: %s\n", path, d.msg);
		fail();
	}
	/* The filter's distinct return values. */
	uint32_t rets[MAXRETS];
	size_t nrets = 0;
	const jitk_insn *fi = jitk_filter_insns(f);
	for (size_t i = 0; i < jitk_filter_len(f); i++)
		if (fi[i].code == (BPF_RET | BPF_K)) {
			size_t j = 0;
			while (j < nrets && rets[j] != fi[i].k)
				j++;
			if (j == nrets) {
				assert_true(nrets < MAXRETS);
				rets[nrets++] = fi[i].k;
			}
		}

	static struct vals vals;
	vals.n = 0;
	const uint64_t base[] = { 0, 1, 2, 0xffffffffu, 0x100000000ull, ~0ull, 0x8000000000000000ull };
	for (size_t i = 0; i < sizeof base / sizeof *base; i++)
		add_val(&vals, base[i]);
	for (size_t i = 0; i < p->nrules; i++)
		collect(p->rules[i].cond, &vals);

	static struct probe pr[8192];
	size_t npr = probes(pr, sizeof pr / sizeof *pr);
	size_t nk = 0;
	for (size_t i = 0; i < npr; i++) {
		for (int k = 0; k < 6; k++) {
			struct seccomp_data in;
			memset(&in, 0, sizeof in);
			in.arch = pr[i].arch;
			in.nr = (int)pr[i].nr;
			in.instruction_pointer = rng_u64(r);
			for (int a = 0; a < 6; a++)
				in.args[a] = k == 0 ? 0 : vals.v[rng_below(r, (uint32_t)vals.n)];
			uint32_t want = jitk_policy_eval(p, &in);
			jitk_result res;
			assert_int_equal(jitk_interp(f, &in, &res), JITK_OK);
			t->inputs++;
			if (res.ret != want && t->bad++ < 10)
				print_error("%s: arch 0x%x nr 0x%x args %llx %llx %llx: filter 0x%08x, "
					    "policy 0x%08x\n",
					    path, in.arch, (unsigned)in.nr, (unsigned long long)in.args[0],
					    (unsigned long long)in.args[1], (unsigned long long)in.args[2],
					    res.ret, want);
			/* A sample for the kernel: x86-64 and i386 entries only
			 * (the machine's own ABIs), never the numbers the kernel
			 * runs without asking seccomp (uretprobe, uprobe). */
			bool x86 = in.arch == AUDIT_ARCH_X86_64, i386 = in.arch == AUDIT_ARCH_I386;
			if (nk < KCALLS && (x86 || i386) && rng_below(r, 40) == 0 &&
			    !(x86 && (pr[i].nr == 335 || pr[i].nr == 336))) {
				struct kcall *c = &sh->calls[nk++];
				c->abi = x86 ? KEXEC_X86_64 : KEXEC_I386;
				c->nr = pr[i].nr;
				memcpy(c->args, in.args, sizeof c->args);
				size_t j = 0;
				while (j < nrets && rets[j] != want)
					j++;
				c->want = (uint32_t)j; /* nrets if the filter never returns it: a failure */
			}
		}
	}
	kernel_sample(path, f, sh, nk, rets, nrets, t);
	t->policies++;
	jitk_filter_free(f);
	jitk_policy_free(p);
}

static void shipped_policies(void **state)
{
	(void)state;
	glob_t gl;
	if (!test_policy_files(&gl)) {
		print_message("no policies/*.scpl here (run from the repository root); skipped\n");
		skip();
	}
	struct shm *sh = kexec_shared(sizeof *sh);
	assert_non_null(sh);
	rng_t r;
	uint64_t seed = test_seed(2026);
	rng_seed(&r, seed);
	struct totals t = { 0 };
	for (size_t i = 0; i < gl.gl_pathc; i++)
		check_policy(gl.gl_pathv[i], sh, &r, &t);
	globfree(&gl);
	kexec_shared_free(sh, sizeof *sh);
	print_message("%lu policies: %lu inputs filter vs semantics, %lu disagreements; "
		      "%lu real calls, %lu disagreements (seed %llu)\n",
		      t.policies, t.inputs, t.bad, t.kcalls, t.kbad, (unsigned long long)seed);
	assert_true(t.policies >= 40);
	assert_int_equal(t.bad, 0);
	assert_int_equal(t.kbad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_policies),
	};
	return cmocka_run_group_tests_name("policies", tests, NULL, NULL);
}
