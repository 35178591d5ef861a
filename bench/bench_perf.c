/*
 * bench_perf.c - instructions per system call: jitk against libseccomp,
 * built from the same policy, in one run (docs/performance.md).
 *
 * For every policy policies/NAME.scpl (and a compact table for
 * policies/crosvm/NAME.scpl), four filters are built from ONE struct
 * jitk_policy (jitk_policy_load):
 *   jitk             jitk_compile, default options (proved by Z3);
 *   jitk + trace     jitk_compile with the recorded trace as weights;
 *   libseccomp 1     libseccomp 2.5, SCMP_FLTATR_CTL_OPTIMIZE = 1 (linear,
 *                    what runc and Podman use);
 *   libseccomp 2     the same with OPTIMIZE = 2 (binary tree).
 * libseccomp's program is used only if jitk_verify proves it equal to the
 * policy (bench/perf_lsc.h explains the translation, perf_lsc.c does it); otherwise its column
 * says "cannot express" and why, and the rest still runs.
 *
 * Figures per filter:
 *  - program length;
 *  - the action cache: of the syscalls the policy allows unconditionally
 *    (x86_64 and i386, the ABIs the kernel caches), how many the kernel's
 *    emulator (seccomp_cache_prepare / seccomp_is_const_allow, re-implemented
 *    in tests/support/kcache.c from docs/kernel-notes.md section 6) proves
 *    constant ALLOW;
 *  - instructions executed (jitk_interp steps) for every syscall number of
 *    the main ABI (x86_64 if listed), args 0: min, median, mean, max, and
 *    the mean weighted by bench/trace-workload.txt (strace -c "calls");
 *  - compile time (libseccomp: rules + export; jitk: without / with proof);
 *  - kernel cost (perf_kernel.c): ns per call relative to no filter for an
 *    argument-checked allowed call, a call denied with an errno, and a call
 *    allowed unconditionally.
 * Then the targets, met / not met, for jitk against libseccomp's tree.
 *
 * Usage: bench_perf [POLICY.scpl ...]   (default: the shipped policies)
 * Environment: PERF_ROUNDS (default 15), PERF_ITERS (default 20000),
 * PERF_NO_KERNEL=1 skips the kernel measurements.  Progress goes to stderr,
 * the markdown report to stdout.
 */
#include "jitk.h"
#include "kcache.h"
#include "policy.h"
#include "perf_lsc.h"
#include "perf_kernel.h"
#include "perf_report.h"

#include <fcntl.h>
#include <glob.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <math.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TRACE_FILE "bench/trace-workload.txt"
#define MAXNR 4096 /* syscall numbers considered per ABI: 0 .. MAXNR-1 */

static double ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* ------------------------------------------------------------ trace */

static double trace_w[MAXNR]; /* calls per x86_64 number */
static double trace_total;

static void load_trace(void)
{
	FILE *fp = fopen(TRACE_FILE, "r");
	if (!fp) {
		fprintf(stderr, "bench_perf: %s: cannot open (no trace weights)\n", TRACE_FILE);
		return;
	}
	char line[512];
	bool table = false;
	while (fgets(line, sizeof line, fp)) {
		if (!strncmp(line, "------", 6)) {
			table = !table; /* the table sits between two rules */
			continue;
		}
		if (!table || line[0] == '#' || line[0] == '%')
			continue;
		char *tok[8];
		int n = 0;
		for (char *s = strtok(line, " \t\n"); s && n < 8; s = strtok(NULL, " \t\n"))
			tok[n++] = s;
		if (n < 5) /* % seconds usecs calls [errors] name */
			continue;
		int nr = jitk_syscall_nr(JITK_ARCH_X86_64, tok[n - 1]);
		if (nr < 0 || nr >= MAXNR)
			continue;
		trace_w[nr] += atof(tok[3]);
		trace_total += atof(tok[3]);
	}
	fclose(fp);
}

/* --------------------------------------------------- the action cache */

/* -------------------------------------------------- numbers of an ABI */

/* Every number of ABI a worth a look: its syscall table and every number a
 * rule names there (sorted, unique, below MAXNR | the x32 bit). */
static size_t abi_numbers(const jitk_policy *p, jitk_arch a, uint32_t *out)
{
	size_t n = 0;
	const char *name;
	int nr;
	for (size_t i = 0; jitk_syscall_at(a, i, &name, &nr); i++)
		if (n < MAXNR)
			out[n++] = (uint32_t)nr;
	uint32_t *pn;
	size_t m = policy_numbers(p, a, &pn);
	for (size_t i = 0; i < m && n < MAXNR; i++)
		if ((pn[i] & ~JITK_X32_SYSCALL_BIT) < MAXNR)
			out[n++] = pn[i];
	free(pn);
	qsort(out, n, sizeof *out, cmp_u32);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

/* Does the policy allow (a, nr) whatever the arguments, by its rules?
 * (Only ALLOW with data 0 counts: the kernel caches nothing else.) */
static bool policy_uncond_allow(const jitk_policy *p, jitk_arch a, uint32_t nr)
{
	struct lsc_case stack[64];
	struct lsc_case *cases = p->nrules <= 64 ? stack : malloc(p->nrules * sizeof *cases);
	if (!cases)
		return false;
	uint32_t otherwise;
	size_t k = policy_cases(p, a, nr, cases, &otherwise);
	bool all = otherwise == JITK_RET_ALLOW;
	for (size_t i = 0; i < k; i++)
		all &= cases[i].action == JITK_RET_ALLOW;
	if (cases != stack)
		free(cases);
	return all;
}

/* ------------------------------------------------------- the variants */

static int cmp_steps(const void *a, const void *b)
{
	return cmp_u32(a, b);
}

static void compute_stats(const jitk_policy *p, struct report *r, struct variant *v)
{
	v->st.len = jitk_filter_len(v->f);
	/* the action cache on the native and compat ABIs */
	static const jitk_arch cached[] = { JITK_ARCH_X86_64, JITK_ARCH_I386 };
	static uint32_t nums[MAXNR];
	for (size_t c = 0; c < 2; c++) {
		jitk_arch a = cached[c];
		if (!p->arch[a])
			continue;
		size_t n = abi_numbers(p, a, nums);
		for (size_t i = 0; i < n; i++)
			if (policy_uncond_allow(p, a, nums[i])) {
				v->st.cache_all++;
				v->st.cache_ok += kcache_const_allow(v->f, jitk_arch_audit(a), nums[i]);
			}
	}
	/* steps on every number of the main ABI, args 0 */
	size_t n = abi_numbers(p, r->main, nums);
	uint32_t *steps = malloc((n ? n : 1) * sizeof *steps);
	double sum = 0, wsum = 0, wtot = 0;
	for (size_t i = 0; i < n; i++) {
		struct seccomp_data in = { .nr = (int)nums[i], .arch = jitk_arch_audit(r->main) };
		jitk_result res = { 0 };
		if (jitk_interp(v->f, &in, &res))
			res.steps = 0;
		steps[i] = res.steps;
		sum += res.steps;
		if (r->main == JITK_ARCH_X86_64 && nums[i] < MAXNR && trace_w[nums[i]] > 0) {
			wsum += trace_w[nums[i]] * res.steps;
			wtot += trace_w[nums[i]];
		}
	}
	qsort(steps, n, sizeof *steps, cmp_steps);
	v->st.min = n ? steps[0] : 0;
	v->st.max = n ? steps[n - 1] : 0;
	v->st.median = !n ? 0 : n % 2 ? steps[n / 2] : (steps[n / 2 - 1] + steps[n / 2]) / 2.0;
	v->st.mean = n ? sum / (double)n : 0;
	v->st.trace_mean = wtot > 0 ? wsum / wtot : -1;
	r->nnums = n;
	free(steps);
}

static void build_jitk(const jitk_policy *p, struct variant *v, bool weighted)
{
	jitk_compile_opts o = { .no_verify = true };
	if (weighted) {
		o.weights = trace_w;
		o.nweights = MAXNR;
	}
	jitk_diag d;
	jitk_filter *f = NULL;
	double t0 = ms_now();
	jitk_err err = jitk_compile(p, &o, &f, &d);
	v->compile_ms = ms_now() - t0;
	if (err) {
		snprintf(v->why, sizeof v->why, "does not compile: %s", d.msg);
		return;
	}
	jitk_filter_free(f);
	/* The filter reported is the proved one: jitk_compile with the proof,
	 * as `jitk compile` does by default. */
	o.no_verify = false;
	t0 = ms_now();
	err = jitk_compile(p, &o, &v->f, &d);
	v->proof_ms = ms_now() - t0 - v->compile_ms;
	if (err)
		snprintf(v->why, sizeof v->why, "does not compile with the proof: %s", d.msg);
}

/* f preceded by: if arch is x86_64 and nr is -1, return what the policy
 * says there (for args 0: no policy names -1); else f, whose jumps are
 * relative and so unchanged. */
static jitk_filter *wrap_minus_one(const jitk_policy *p, const jitk_filter *f)
{
	struct seccomp_data in = { .nr = -1, .arch = AUDIT_ARCH_X86_64 };
	uint32_t k = jitk_policy_eval(p, &in);
	size_t n = jitk_filter_len(f);
	jitk_insn *v = malloc((n + 5) * sizeof *v);
	if (!v)
		return NULL;
	v[0] = (jitk_insn){ BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 };
	v[1] = (jitk_insn){ BPF_JMP | BPF_JEQ | BPF_K, 0, 3, AUDIT_ARCH_X86_64 };
	v[2] = (jitk_insn){ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 };
	v[3] = (jitk_insn){ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0xffffffffu };
	v[4] = (jitk_insn){ BPF_RET | BPF_K, 0, 0, k };
	memcpy(v + 5, jitk_filter_insns(f), n * sizeof *v);
	jitk_filter *w = NULL;
	jitk_filter_new(v, n + 5, &w);
	free(v);
	return w;
}

/* libseccomp at one optimisation level from policy p, both translations;
 * the program must be proved equal to p.  False with v->why; then
 * *nearest (if NULL so far) receives a program that built but is not
 * equal, preferring the disjoint translation. */
static bool try_lsc(const jitk_policy *p, struct variant *v, int optimize, bool *unknown,
		    jitk_filter **nearest, double *nearest_ms)
{
	char why[2][256] = { "", "" };
	jitk_filter *near[2] = { NULL, NULL };
	double near_ms[2] = { 0, 0 };
	*unknown = false;
	for (int mode = LSC_DIRECT; mode <= LSC_DISJOINT; mode++) {
		double t0 = ms_now();
		jitk_filter *f =
			lsc_build_filter(p, optimize, (enum lsc_mode)mode, why[mode], sizeof why[mode]);
		double t = ms_now() - t0;
		if (!f) {
			*unknown |= strstr(why[mode], "does not know") != NULL;
			continue;
		}
		jitk_diag d;
		if (jitk_check(f, &d)) {
			snprintf(why[mode], sizeof why[mode], "its program fails the checker: %.160s", d.msg);
			jitk_filter_free(f);
			continue;
		}
		jitk_cex cex;
		jitk_err err = jitk_verify(p, f, 0, &cex, &d);
		bool minus_one = false;
		if (err == JITK_E_DIFFERENT && cex.in.arch == AUDIT_ARCH_X86_64 && cex.in.nr == -1) {
			/* libseccomp sends x86_64 syscall -1 (what a tracer uses to
			 * skip a call) to the default action on purpose.  Prove the
			 * rest: the program with that one input answered first. */
			jitk_filter *w = wrap_minus_one(p, f);
			jitk_cex wcex;
			err = w ? jitk_verify(p, w, 0, &wcex, &d) : JITK_E_NOMEM;
			jitk_filter_free(w);
			minus_one = err == JITK_OK;
			if (err == JITK_E_DIFFERENT)
				cex = wcex;
		}
		if (err == JITK_OK) {
			v->f = f;
			v->compile_ms = t;
			v->disjoint = mode == LSC_DISJOINT;
			v->minus_one = minus_one;
			jitk_filter_free(near[0]);
			return true;
		}
		if (err == JITK_E_DIFFERENT) {
			const char *name = NULL, *abi = "?";
			for (int a = 0; a < JITK_ARCH__COUNT && !name; a++)
				if (jitk_arch_audit((jitk_arch)a) == cex.in.arch) {
					jitk_arch x = (jitk_arch)a;
					if (x == JITK_ARCH_X86_64 &&
					    (uint32_t)cex.in.nr >= JITK_X32_SYSCALL_BIT)
						x = JITK_ARCH_X32;
					abi = jitk_arch_name(x);
					name = jitk_syscall_name(x, cex.in.nr);
				}
			snprintf(why[mode], sizeof why[mode],
				 "its program differs from the policy at %s nr %d (%s) arg0 0x%llx "
				 "arg1 0x%llx: 0x%08x instead of 0x%08x",
				 abi, cex.in.nr, name ? name : "?", (unsigned long long)cex.in.args[0],
				 (unsigned long long)cex.in.args[1], cex.right, cex.left);
			near[mode] = f;
			near_ms[mode] = t;
			continue;
		}
		snprintf(why[mode], sizeof why[mode], "cannot verify its program: %.160s", d.msg);
		jitk_filter_free(f);
	}
	/* The disjoint translation is the more faithful one: its reason is
	 * the one that matters. */
	snprintf(v->why, sizeof v->why, "%s", why[LSC_DISJOINT]);
	int m = near[LSC_DISJOINT] ? LSC_DISJOINT : LSC_DIRECT;
	if (!*nearest && near[m]) {
		*nearest = near[m];
		*nearest_ms = near_ms[m];
		near[m] = NULL;
	}
	jitk_filter_free(near[0]);
	jitk_filter_free(near[1]);
	return false;
}

/* libseccomp; if it does not know some syscalls of a non-native ABI (its
 * tables are compiled in), libseccomp on the policy without them; if no
 * program is equal, the nearest one, marked as such. */
static void build_lsc(const jitk_policy *p, struct variant *v, int optimize, struct report *r)
{
	v->proof_ms = -1;
	bool unknown;
	jitk_filter *nearest = NULL;
	double nearest_ms = 0;
	if (try_lsc(p, v, optimize, &unknown, &nearest, &nearest_ms))
		return;
	if (unknown) {
		char full_why[sizeof v->why];
		memcpy(full_why, v->why, sizeof full_why);
		if (!r->reduced)
			r->reduced = lsc_reduced(p, &r->ndropped);
		if (r->reduced && try_lsc(r->reduced, v, optimize, &unknown, &nearest, &nearest_ms)) {
			v->impl = r->reduced;
			jitk_filter_free(nearest);
			return;
		}
		char reduced_why[sizeof v->why];
		memcpy(reduced_why, v->why, sizeof reduced_why);
		snprintf(v->why, sizeof v->why, "%.150s; without those: %.150s", full_why, reduced_why);
		if (nearest)
			v->impl = r->reduced;
	}
	if (nearest) {
		v->f = nearest;
		v->compile_ms = nearest_ms;
		v->inexact = true;
	}
}

/* ---------------------------------------------------- kernel calls */

struct cand {
	char label[96];
	struct km_call call;
};

#define MAXCAND 96
static struct cand cand_argchk[MAXCAND], cand_denied[MAXCAND], cand_cheap[MAXCAND];
static int ncand_argchk, ncand_denied, ncand_cheap;

static void add_cand(struct cand *v, int *n, const char *label, long nr, uint64_t a0, uint64_t a1,
		     uint64_t a2, uint64_t a3)
{
	if (*n >= MAXCAND)
		return;
	struct cand *c = &v[(*n)++];
	snprintf(c->label, sizeof c->label, "%s", label);
	c->call = (struct km_call){ nr, { a0, a1, a2, a3, 0, 0 } };
}

/*
 * The calls worth timing, each harmless when it really runs (the no-filter
 * child runs them all): queries, wake-ups of nobody, no-op changes on a
 * private page.  Pointers are the parent's, valid in the forked child.
 */
static void make_candidates(void)
{
	static uint32_t futex_word;
	static char buf[4096] __attribute__((aligned(64)));
	static int devnull = -1;
	static void *page;
	if (devnull < 0)
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t b = (uint64_t)(uintptr_t)buf, pg = (uint64_t)(uintptr_t)page;
	uint64_t fd = (uint64_t)devnull, pid = (uint64_t)getpid();
	struct cand *A = cand_argchk, *D = cand_denied, *C = cand_cheap;
	int *na = &ncand_argchk, *nd = &ncand_denied, *nc = &ncand_cheap;

	/* allowed after argument checks, in a rough order of how common */
	add_cand(A, na, "personality(0xffffffff)", SYS_personality, 0xffffffffu, 0, 0, 0);
	add_cand(A, na, "futex(&w, FUTEX_WAKE_PRIVATE, 1)", SYS_futex, (uint64_t)(uintptr_t)&futex_word,
		 129, 1, 0);
	add_cand(A, na, "futex(&w, FUTEX_WAKE, 1)", SYS_futex, (uint64_t)(uintptr_t)&futex_word, 1, 1, 0);
	add_cand(A, na, "madvise(p, 4096, MADV_NORMAL)", SYS_madvise, pg, 4096, 0, 0);
	add_cand(A, na, "madvise(p, 4096, MADV_DONTNEED)", SYS_madvise, pg, 4096, 4, 0);
	add_cand(A, na, "mprotect(p, 4096, PROT_READ)", SYS_mprotect, pg, 4096, 1, 0);
	add_cand(A, na, "fcntl(fd, F_GETFD)", SYS_fcntl, fd, 1, 0, 0);
	add_cand(A, na, "fcntl(fd, F_GETFL)", SYS_fcntl, fd, 3, 0, 0);
	add_cand(A, na, "prctl(PR_GET_DUMPABLE)", SYS_prctl, 3, 0, 0, 0);
	add_cand(A, na, "prctl(PR_GET_NAME, buf)", SYS_prctl, 16, b, 0, 0);
	add_cand(A, na, "clock_gettime(CLOCK_MONOTONIC, &ts)", SYS_clock_gettime, 1, b, 0, 0);
	add_cand(A, na, "clock_gettime(CLOCK_REALTIME, &ts)", SYS_clock_gettime, 0, b, 0, 0);
	add_cand(A, na, "clock_getres(CLOCK_MONOTONIC, &ts)", SYS_clock_getres, 1, b, 0, 0);
	add_cand(A, na, "time(NULL)", SYS_time, 0, 0, 0, 0);
	add_cand(A, na, "getpriority(PRIO_PROCESS, 0)", SYS_getpriority, 0, 0, 0, 0);
	add_cand(A, na, "sched_getaffinity(0, 128, buf)", SYS_sched_getaffinity, 0, 128, b, 0);
	add_cand(A, na, "prlimit64(0, RLIMIT_NOFILE, NULL, &old)", SYS_prlimit64, 0, 7, 0, b);
	add_cand(A, na, "getrandom(buf, 8, GRND_NONBLOCK)", SYS_getrandom, b, 8, 1, 0);
	add_cand(A, na, "kill(ppid, 0)", SYS_kill, pid, 0, 0, 0);
	add_cand(A, na, "lseek(fd, 0, SEEK_CUR)", SYS_lseek, fd, 0, 1, 0);
	add_cand(A, na, "membarrier(MEMBARRIER_CMD_QUERY, 0, 0)", SYS_membarrier, 0, 0, 0, 0);
	add_cand(A, na, "getrusage(RUSAGE_SELF, buf)", SYS_getrusage, 0, b, 0, 0);
	add_cand(A, na, "ioctl(fd, TCGETS, buf)", SYS_ioctl, fd, 0x5401, b, 0);
	add_cand(A, na, "fadvise64(fd, 0, 0, POSIX_FADV_NORMAL)", SYS_fadvise64, fd, 0, 0, 0);
	for (int how = 0; how <= 2; how++) {
		char l[96];
		snprintf(l, sizeof l, "rt_sigprocmask(%d, NULL, &old, 8)", how);
		add_cand(A, na, l, SYS_rt_sigprocmask, (uint64_t)how, 0, b, 8);
	}
	for (int sig = 1; sig < 32; sig++) {
		char l[96];
		snprintf(l, sizeof l, "rt_sigaction(%d, NULL, &old, 8)", sig);
		add_cand(A, na, l, SYS_rt_sigaction, (uint64_t)sig, 0, b, 8);
	}

	/* denied calls: all harmless if they do run */
	add_cand(D, nd, "kcmp(ppid, ppid, KCMP_FILE, fd, fd)", SYS_kcmp, pid, pid, 0, fd);
	add_cand(D, nd, "syslog(SYSLOG_ACTION_SIZE_BUFFER)", SYS_syslog, 10, 0, 0, 0);
	add_cand(D, nd, "fstat(fd, buf)", SYS_fstat, fd, b, 0, 0);
	add_cand(D, nd, "getpgid(0)", SYS_getpgid, 0, 0, 0, 0);
	add_cand(D, nd, "getsid(0)", SYS_getsid, 0, 0, 0, 0);
	add_cand(D, nd, "sched_getscheduler(0)", SYS_sched_getscheduler, 0, 0, 0, 0);
	add_cand(D, nd, "ioprio_get(IOPRIO_WHO_PROCESS, 0)", SYS_ioprio_get, 1, 0, 0, 0);
	add_cand(D, nd, "sysinfo(buf)", SYS_sysinfo, b, 0, 0, 0);
	add_cand(D, nd, "uname(buf)", SYS_uname, b, 0, 0, 0);
	add_cand(D, nd, "times(buf)", SYS_times, b, 0, 0, 0);
	add_cand(D, nd, "getcwd(buf, 4096)", SYS_getcwd, b, 4096, 0, 0);
	add_cand(D, nd, "getitimer(ITIMER_REAL, buf)", SYS_getitimer, 0, b, 0, 0);
	add_cand(D, nd, "sigaltstack(NULL, buf)", SYS_sigaltstack, 0, b, 0, 0);
	add_cand(D, nd, "mincore(p, 4096, buf)", SYS_mincore, pg, 4096, b, 0);
	for (int i = 0; i < ncand_argchk; i++)
		if (*nd < MAXCAND)
			D[(*nd)++] = A[i];

	/* cheap unconditional allows */
	add_cand(C, nc, "getppid()", SYS_getppid, 0, 0, 0, 0);
	add_cand(C, nc, "getpid()", SYS_getpid, 0, 0, 0, 0);
	add_cand(C, nc, "gettid()", SYS_gettid, 0, 0, 0, 0);
	add_cand(C, nc, "getuid()", SYS_getuid, 0, 0, 0, 0);
	add_cand(C, nc, "geteuid()", SYS_geteuid, 0, 0, 0, 0);
	add_cand(C, nc, "getgid()", SYS_getgid, 0, 0, 0, 0);
	add_cand(C, nc, "getegid()", SYS_getegid, 0, 0, 0, 0);
	add_cand(C, nc, "getpgrp()", SYS_getpgrp, 0, 0, 0, 0);
	add_cand(C, nc, "sched_yield()", SYS_sched_yield, 0, 0, 0, 0);
	add_cand(C, nc, "fstat(fd, buf)", SYS_fstat, fd, b, 0, 0);
	add_cand(C, nc, "fcntl(fd, F_GETFD)", SYS_fcntl, fd, 1, 0, 0);
}

static uint32_t eval_call(const jitk_policy *p, const struct km_call *c)
{
	struct seccomp_data in = { .nr = (int)c->nr, .arch = AUDIT_ARCH_X86_64 };
	for (int i = 0; i < 6; i++)
		in.args[i] = c->args[i];
	return jitk_policy_eval(p, &in);
}

static bool has_cases(const jitk_policy *p, uint32_t nr)
{
	struct lsc_case stack[64];
	struct lsc_case *cases = p->nrules <= 64 ? stack : malloc(p->nrules * sizeof *cases);
	if (!cases)
		return false;
	uint32_t otherwise;
	size_t k = policy_cases(p, JITK_ARCH_X86_64, nr, cases, &otherwise);
	if (cases != stack)
		free(cases);
	return k > 0;
}

/* Pick the three calls for policy p (x86_64). */
static void pick_calls(const jitk_policy *p, struct report *r, struct km_call *calls)
{
	r->ncalls = 0;
	for (int slot = 0; slot < KM_MAXCALLS; slot++) {
		const struct cand *v = slot == 0 ? cand_argchk : slot == 1 ? cand_denied : cand_cheap;
		int n = slot == 0 ? ncand_argchk : slot == 1 ? ncand_denied : ncand_cheap;
		const struct cand *pick = NULL;
		for (int i = 0; i < n && !pick; i++) {
			uint32_t ret = eval_call(p, &v[i].call);
			uint32_t nr = (uint32_t)v[i].call.nr;
			if (slot == 0 && ret == JITK_RET_ALLOW && has_cases(p, nr))
				pick = &v[i];
			if (slot == 1 && (ret & JITK_RET_ACTION_FULL) == JITK_RET_ERRNO &&
			    (ret & JITK_RET_DATA) != 0)
				pick = &v[i];
			if (slot == 2 && policy_uncond_allow(p, JITK_ARCH_X86_64, nr))
				pick = &v[i];
		}
		r->call_slot[slot] = -1;
		if (!pick) {
			snprintf(r->skipped[slot], sizeof r->skipped[slot], "%s",
				 slot == 0 ? "no harmless call that the policy allows after argument checks"
				 : slot == 1 ? "no harmless call that the policy denies with an errno"
					     : "no harmless call that the policy allows unconditionally");
			continue;
		}
		snprintf(r->call_label[slot], sizeof r->call_label[slot], "%s", pick->label);
		r->call_slot[slot] = r->ncalls;
		calls[r->ncalls++] = pick->call;
	}
}

static void measure_kernel(const jitk_policy *p, struct report *r, int rounds, long iters)
{
	struct km_call calls[KM_MAXCALLS];
	if (!p->arch[JITK_ARCH_X86_64]) {
		for (int s = 0; s < KM_MAXCALLS; s++) {
			r->call_slot[s] = -1;
			snprintf(r->skipped[s], sizeof r->skipped[s], "the policy does not accept x86_64");
		}
		return;
	}
	pick_calls(p, r, calls);
	if (!r->ncalls)
		return;
	const jitk_filter *filters[KM_MAXCONF];
	int which[KM_MAXCONF];
	int nconf = 0;
	filters[nconf] = NULL;
	which[nconf++] = -1;
	for (int i = 0; i < NVAR; i++) {
		if (!r->v[i].f)
			continue;
		/* A nearest (not equal) libseccomp program is timed only if it
		 * answers these calls as the policy does. */
		bool same = true;
		for (int c = 0; c < r->ncalls; c++) {
			struct seccomp_data in = { .nr = (int)calls[c].nr, .arch = AUDIT_ARCH_X86_64 };
			memcpy(in.args, calls[c].args, sizeof in.args);
			jitk_result res;
			same &= !jitk_interp(r->v[i].f, &in, &res) && res.ret == jitk_policy_eval(p, &in);
		}
		if (!same)
			continue;
		filters[nconf] = r->v[i].f;
		which[nconf++] = i;
	}
	double out[KM_MAXCONF][KM_MAXCALLS];
	bool ok[KM_MAXCONF];
	km_measure(filters, nconf, calls, r->ncalls, iters, rounds, out, ok);
	r->kernel = true;
	r->none_ok = ok[0];
	for (int c = 0; c < r->ncalls; c++)
		r->ns_none[c] = out[0][c];
	for (int i = 1; i < nconf; i++) {
		r->kok[which[i]] = ok[i] && ok[0];
		for (int c = 0; c < r->ncalls; c++)
			r->ratio[which[i]][c] = ok[0] && out[0][c] > 0 ? out[i][c] / out[0][c] : 0;
	}
}

/* ------------------------------------------------------------- driver */

static bool run_policy(const char *path, struct report *r, bool kernel, int rounds, long iters,
		       jitk_policy **pout)
{
	memset(r, 0, sizeof *r);
	r->path = path;
	const char *slash = strrchr(path, '/');
	r->name = slash ? slash + 1 : path;
	for (int s = 0; s < KM_MAXCALLS; s++)
		r->call_slot[s] = -1;
	jitk_diag d;
	jitk_policy *p = NULL;
	if (jitk_policy_load(path, &p, &d)) {
		printf("\n### %s\n\ndoes not load: %s:%u: %s\n", r->name, d.file, d.line, d.msg);
		return false;
	}
	r->main = JITK_ARCH_X86_64;
	for (int a = JITK_ARCH__COUNT; a-- > 0;)
		if (p->arch[a] && !p->arch[r->main])
			r->main = (jitk_arch)a;
	double t0 = ms_now();
	build_jitk(p, &r->v[V_JITK], false);
	build_jitk(p, &r->v[V_JITK_TRACE], true);
	build_lsc(p, &r->v[V_LSC1], 1, r);
	build_lsc(p, &r->v[V_LSC2], 2, r);
	for (int i = 0; i < NVAR; i++)
		if (r->v[i].f)
			compute_stats(r->v[i].impl ? r->v[i].impl : p, r, &r->v[i]);
	double t1 = ms_now();
	if (kernel)
		measure_kernel(p, r, rounds, iters);
	fprintf(stderr, "bench_perf: %s: build+verify %.0f ms, kernel %.0f ms\n", r->name, t1 - t0,
		ms_now() - t1);
	*pout = p;
	return true;
}

static void free_report(struct report *r)
{
	for (int i = 0; i < NVAR; i++)
		jitk_filter_free(r->v[i].f);
	lsc_reduced_free(r->reduced);
	r->reduced = NULL;
}

static size_t list_policies(const char *pattern, char ***out)
{
	glob_t g;
	*out = NULL;
	if (glob(pattern, 0, NULL, &g))
		return 0;
	char **v = calloc(g.gl_pathc, sizeof *v);
	for (size_t i = 0; v && i < g.gl_pathc; i++)
		v[i] = strdup(g.gl_pathv[i]);
	size_t n = v ? g.gl_pathc : 0;
	globfree(&g);
	*out = v;
	return n;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	const char *e;
	int rounds = (e = getenv("PERF_ROUNDS")) ? atoi(e) : 15;
	long iters = (e = getenv("PERF_ITERS")) ? atol(e) : 20000;
	bool kernel = !((e = getenv("PERF_NO_KERNEL")) && *e && *e != '0');
	if (rounds < 1)
		rounds = 1;
	if (iters < 100)
		iters = 100;
	load_trace();
	make_candidates();

	char **main_list = NULL, **crosvm = NULL;
	size_t nmain, ncrosvm = 0;
	if (argc > 1) {
		main_list = argv + 1;
		nmain = (size_t)(argc - 1);
	} else {
		nmain = list_policies("policies/*.scpl", &main_list);
		ncrosvm = list_policies("policies/crosvm/*.scpl", &crosvm);
	}
	const struct scmp_version *lv = seccomp_version();
	printf("## Instructions per system call: jitk vs libseccomp %u.%u.%u\n\n", lv->major, lv->minor,
	       lv->micro);
	printf("Every filter is built from the same parsed policy and proved equal to it by Z3 "
	       "(libseccomp's too: a program that is not equal is reported as \"cannot express\"). "
	       "Steps = BPF instructions executed (reference interpreter) per syscall number of the "
	       "main ABI with args 0; trace mean weights them by %s (%.0f calls). Action cache = "
	       "unconditionally allowed syscalls (x86_64 + i386) the kernel's cache emulation proves "
	       "constant ALLOW. Kernel columns: median ns per call under the filter / without a filter, "
	       "%d alternating rounds of %ld calls (SPEC_ALLOW, so the SSB mitigation is not counted). "
	       "See docs/performance.md.\n",
	       TRACE_FILE, trace_total, rounds, iters);

	struct report *reps = calloc(nmain + ncrosvm, sizeof *reps);
	struct targets *tg = calloc(nmain + ncrosvm, sizeof *tg);
	bool *loaded = calloc(nmain + ncrosvm, sizeof *loaded);
	int rc = 1;
	if (!reps || !tg || !loaded)
		goto out;
	for (size_t i = 0; i < nmain; i++) {
		jitk_policy *p = NULL;
		loaded[i] = run_policy(main_list[i], &reps[i], kernel, rounds, iters, &p);
		if (!loaded[i])
			continue;
		print_policy(p, &reps[i]);
		eval_targets(&reps[i], &tg[i]);
		print_targets(&tg[i]);
		jitk_policy_free(p);
		fflush(stdout);
	}

	/* Summary */
	printf("\n### Summary (jitk vs libseccomp tree)\n\n");
	printf("| policy | insns jitk / tree / linear | median steps jitk / tree / linear | max steps jitk / tree / linear | cacheable jitk / tree | trace mean jitk / jitk+trace / tree | median <= 0.6x | max <= | 100%% cached | kernel |\n");
	printf("|---|--:|--:|--:|--:|--:|:-:|:-:|:-:|:-:|\n");
	int met[4] = { 0 }, count[4] = { 0 };
	for (size_t i = 0; i < nmain; i++) {
		if (!loaded[i])
			continue;
		const struct report *r = &reps[i];
		const struct variant *j = &r->v[V_JITK], *jt = &r->v[V_JITK_TRACE], *l1 = &r->v[V_LSC1],
				     *l2 = &r->v[V_LSC2];
		char s[3][3][24];
		const struct variant *vs[3] = { j, l2, l1 };
		for (int k = 0; k < 3; k++) {
			if (!vs[k]->f) {
				for (int m = 0; m < 3; m++)
					snprintf(s[k][m], sizeof s[k][m], "-");
				continue;
			}
			const char *ap = vs[k]->inexact ? "~" : "";
			char med[16];
			fmt_num(med, sizeof med, vs[k]->st.median);
			snprintf(s[k][0], sizeof s[k][0], "%s%zu", ap, vs[k]->st.len);
			snprintf(s[k][1], sizeof s[k][1], "%s%s", ap, med);
			snprintf(s[k][2], sizeof s[k][2], "%s%u", ap, vs[k]->st.max);
		}
		char c1[24] = "-", c2[24] = "-", t1[16] = "-", t2[16] = "-", t3[16] = "-";
		if (j->f && j->st.cache_all)
			snprintf(c1, sizeof c1, "%.0f%%", 100.0 * j->st.cache_ok / j->st.cache_all);
		if (l2->f && l2->st.cache_all)
			snprintf(c2, sizeof c2, "%.0f%%", 100.0 * l2->st.cache_ok / l2->st.cache_all);
		if (j->f && j->st.trace_mean >= 0)
			snprintf(t1, sizeof t1, "%.1f", j->st.trace_mean);
		if (jt->f && jt->st.trace_mean >= 0)
			snprintf(t2, sizeof t2, "%.1f", jt->st.trace_mean);
		if (l2->f && l2->st.trace_mean >= 0)
			snprintf(t3, sizeof t3, "%.1f", l2->st.trace_mean);
		printf("| %s | %s / %s / %s | %s / %s / %s | %s / %s / %s | %s / %s | %s / %s / %s |",
		       r->name, s[0][0], s[1][0], s[2][0], s[0][1], s[1][1], s[2][1], s[0][2], s[1][2],
		       s[2][2], c1, c2, t1, t2, t3);
		for (int k = 0; k < 4; k++) {
			printf(" %s |", mark(tg[i].t[k]));
			if (tg[i].t[k] >= 0) {
				count[k]++;
				met[k] += is_met(tg[i].t[k]);
			}
		}
		printf("\n");
	}
	printf("\n~ and *: libseccomp cannot express the policy; figures of the nearest program it "
	       "makes, which is NOT equal to the policy (see the policy's section).\n");
	printf("\nTargets met: median %d/%d, max %d/%d, action cache %d/%d, kernel %d/%d "
	       "(n/a: no libseccomp program, or no kernel run).\n",
	       met[0], count[0], met[1], count[1], met[2], count[2], met[3], count[3]);

	/* crosvm: the compact table, no kernel runs */
	if (ncrosvm) {
		printf("\n### crosvm device policies (compact; no kernel runs)\n\n");
		printf("| policy | insns jitk / tree | median jitk / tree | max jitk / tree | cacheable jitk / tree | targets (median, max, cache) |\n");
		printf("|---|--:|--:|--:|--:|:-:|\n");
		int cm[3] = { 0 }, cc[3] = { 0 };
		for (size_t i = 0; i < ncrosvm; i++) {
			struct report *r = &reps[nmain + i];
			jitk_policy *p = NULL;
			if (!run_policy(crosvm[i], r, false, 0, 0, &p))
				continue;
			struct targets *t = &tg[nmain + i];
			eval_targets(r, t);
			const struct variant *j = &r->v[V_JITK], *l = &r->v[V_LSC2];
			char jm[16] = "-", lm[16] = "-", ll[16] = "-", lx[16] = "-", lc[16] = "-",
			     jc[16] = "-";
			if (j->f) {
				fmt_num(jm, sizeof jm, j->st.median);
				if (j->st.cache_all)
					snprintf(jc, sizeof jc, "%.0f%%",
						 100.0 * j->st.cache_ok / j->st.cache_all);
			}
			if (l->f) {
				fmt_num(lm, sizeof lm, l->st.median);
				snprintf(ll, sizeof ll, "%zu", l->st.len);
				snprintf(lx, sizeof lx, "%u", l->st.max);
				if (l->st.cache_all)
					snprintf(lc, sizeof lc, "%.0f%%",
						 100.0 * l->st.cache_ok / l->st.cache_all);
			}
			printf("| %s | %zu / %s | %s / %s | %u / %s | %s / %s | %s, %s, %s |\n", r->name,
			       j->f ? j->st.len : 0, ll, jm, lm, j->f ? j->st.max : 0, lx, jc, lc,
			       mark(t->t[0]), mark(t->t[1]), mark(t->t[2]));
			for (int k = 0; k < 3; k++)
				if (t->t[k] >= 0) {
					cc[k]++;
					cm[k] += is_met(t->t[k]);
				}
			if (!l->f)
				printf("|  | libseccomp: %s | | | | |\n", l->why);
			jitk_policy_free(p);
			free_report(r);
			fflush(stdout);
		}
		printf("\ncrosvm targets met: median %d/%d, max %d/%d, action cache %d/%d.\n", cm[0], cc[0],
		       cm[1], cc[1], cm[2], cc[2]);
	}
	rc = 0;
out:
	for (size_t i = 0; loaded && i < nmain; i++)
		if (loaded[i])
			free_report(&reps[i]);
	if (argc <= 1) {
		for (size_t i = 0; i < nmain; i++)
			free(main_list[i]);
		free(main_list);
		for (size_t i = 0; i < ncrosvm; i++)
			free(crosvm[i]);
		free(crosvm);
	}
	free(reps);
	free(tg);
	free(loaded);
	return rc;
}
