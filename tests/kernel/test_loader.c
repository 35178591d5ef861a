/*
 * test_loader.c - jitk_load against the running kernel.
 *
 * Every case installs filters, which is irreversible, so each one runs in a
 * forked child; the cmocka process itself never installs anything.  Inside a
 * child, CHILD_CHECK prints the failed condition and exits 1 (cmocka's
 * asserts would longjmp inside the child and run the rest of the suite
 * there).  The last test is the paper's Lemma 3 (decode(encode(p)) = p)
 * against the kernel: install random checker-accepted programs and read them
 * back with PTRACE_SECCOMP_GET_FILTER, byte for byte.
 */
#include "testlib.h"
#include "insn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_CHECK(cond)                                                                              \
	do {                                                                                           \
		if (!(cond)) {                                                                         \
			fprintf(stderr, "%s:%d: child check failed: %s\n", __FILE__, __LINE__, #cond); \
			_exit(1);                                                                      \
		}                                                                                      \
	} while (0)

/* A jitk_load that must fail with JITK_E_KERNEL, errno e and a message
 * containing frag. */
#define CHILD_LOAD_FAILS(f, flags, lst, e, frag)                                                        \
	do {                                                                                            \
		jitk_diag d_;                                                                           \
		jitk_err r_ = jitk_load((f), (flags), (lst), &d_);                                      \
		if (r_ != JITK_E_KERNEL || d_.sys_errno != (e) || !strstr(d_.msg, (frag))) {            \
			fprintf(stderr,                                                                 \
				"%s:%d: load(flags 0x%x): got %s errno %d "                             \
				"'%s', want errno %d '%s'\n",                                           \
				__FILE__, __LINE__, (unsigned)(flags), jitk_strerror(r_), d_.sys_errno, \
				d_.msg, (e), (frag));                                                   \
			_exit(1);                                                                       \
		}                                                                                       \
	} while (0)

#define CHILD_LOAD_OK(f, flags, lst)                                                             \
	do {                                                                                     \
		jitk_diag d_;                                                                    \
		jitk_err r_ = jitk_load((f), (flags), (lst), &d_);                               \
		if (r_ != JITK_OK) {                                                             \
			fprintf(stderr, "%s:%d: load(flags 0x%x): %s: %s\n", __FILE__, __LINE__, \
				(unsigned)(flags), jitk_strerror(r_), d_.msg);                   \
			_exit(1);                                                                \
		}                                                                                \
	} while (0)

/* Run fn in a forked child; the test passes if it exits 0. */
static void in_child(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		fail_msg("child killed by signal %d", WTERMSIG(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* The rest of the line of /proc/self/status that starts with key
 * (a static buffer; "" if none). */
static const char *d_status(const char *key)
{
	static char buf[4096];
	static char line[256];
	line[0] = '\0';
	int fd = open("/proc/self/status", O_RDONLY);
	if (fd < 0)
		return line;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	const char *k = strstr(buf, key);
	if (k) {
		k += strlen(key);
		size_t l = strcspn(k, "\n");
		snprintf(line, sizeof line, "%.*s", (int)(l < 255 ? l : 255), k);
	}
	return line;
}

static jitk_filter *allow_all(void)
{
	return TEST_FILTER({ BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW });
}

/* ERRNO(e) for syscall nr on x86-64, allow everything else. */
static jitk_filter *deny_nr(int nr, unsigned e)
{
	return TEST_FILTER({ BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 },
			   { BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0xc000003eu /* AUDIT_ARCH_X86_64 */ },
			   { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW }, { BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },
			   { BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)nr },
			   { BPF_RET | BPF_K, 0, 0, JITK_RET_ERRNO | e },
			   { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW });
}

/* ------------------------------------------------------------ basic */

static void child_errno_getpid(void)
{
	jitk_filter *f = deny_nr(SYS_getpid, EACCES);
	CHILD_CHECK(syscall(SYS_getpid) > 0);
	CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	CHILD_LOAD_OK(f, 0, NULL);
	CHILD_CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == SECCOMP_MODE_FILTER);
	/* jitk_load set no_new_privs itself. */
	CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	errno = 0;
	CHILD_CHECK(syscall(SYS_getpid) == -1 && errno == EACCES);
	CHILD_CHECK(syscall(SYS_getppid) > 0);
	jitk_filter_free(f);
}

static void errno_for_getpid(void **state)
{
	(void)state;
	in_child(child_errno_getpid);
}

/* A listener argument is reset to -1 when no listener is asked for. */
static void child_listener_reset(void)
{
	jitk_filter *f = allow_all();
	int fd = 1234;
	CHILD_LOAD_OK(f, JITK_LOAD_LOG, &fd);
	CHILD_CHECK(fd == -1);
	jitk_filter_free(f);
}

static void listener_reset(void **state)
{
	(void)state;
	in_child(child_listener_reset);
}

/* -------------------------------------------------------------- flags */

static bool is_notify_fd(int fd)
{
	char path[64], link[128];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strstr(link, "seccomp") != NULL;
}

static unsigned flag_case;
static const unsigned good_flags[] = {
	0,
	JITK_LOAD_LOG,
	JITK_LOAD_SPEC_ALLOW,
	JITK_LOAD_TSYNC,
	JITK_LOAD_TSYNC_ESRCH,
	JITK_LOAD_TSYNC | JITK_LOAD_TSYNC_ESRCH,
	JITK_LOAD_NEW_LISTENER,
	JITK_LOAD_NEW_LISTENER | JITK_LOAD_WAIT_KILLABLE_RECV,
	JITK_LOAD_TSYNC | JITK_LOAD_TSYNC_ESRCH | JITK_LOAD_NEW_LISTENER,
	JITK_LOAD_LOG | JITK_LOAD_SPEC_ALLOW | JITK_LOAD_TSYNC,
};

static void child_flag_ok(void)
{
	unsigned flags = flag_case;
	jitk_filter *f = deny_nr(SYS_getpid, EPERM);
	int fd = -2;
	CHILD_LOAD_OK(f, flags, &fd);
	if (flags & JITK_LOAD_NEW_LISTENER) {
		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(fcntl(fd, F_GETFD) >= 0);
		CHILD_CHECK(is_notify_fd(fd));
	} else {
		CHILD_CHECK(fd == -1);
	}
	/* The filter is really in force. */
	errno = 0;
	CHILD_CHECK(syscall(SYS_getpid) == -1 && errno == EPERM);
	jitk_filter_free(f);
}

static void each_flag_accepted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof good_flags / sizeof *good_flags; i++) {
		flag_case = good_flags[i];
		in_child(child_flag_ok);
	}
}

static void child_bad_flags(void)
{
	jitk_filter *f = allow_all();
	int fd;
	CHILD_LOAD_FAILS(f, JITK_LOAD_WAIT_KILLABLE_RECV, &fd, EINVAL,
			 "WAIT_KILLABLE_RECV requires NEW_LISTENER");
	CHILD_LOAD_FAILS(f, JITK_LOAD_TSYNC | JITK_LOAD_NEW_LISTENER, &fd, EINVAL, "requires TSYNC_ESRCH");
	CHILD_LOAD_FAILS(f, 1u << 6, &fd, EINVAL, "unknown filter flag bit(s) 0x40");
	CHILD_LOAD_FAILS(f, (1u << 31) | JITK_LOAD_LOG, &fd, EINVAL, "unknown filter flag bit(s) 0x80000000");
	/* None of these installed anything. */
	CHILD_CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
	/* NEW_LISTENER with nowhere to put the fd: refused before the kernel. */
	jitk_diag d;
	CHILD_CHECK(jitk_load(f, JITK_LOAD_NEW_LISTENER, NULL, &d) == JITK_E_INVAL);
	CHILD_CHECK(strstr(d.msg, "listener") != NULL);
	CHILD_CHECK(jitk_load(NULL, 0, NULL, &d) == JITK_E_INVAL);
	CHILD_CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
	/* A second listener on the same thread: EBUSY. */
	CHILD_LOAD_OK(f, JITK_LOAD_NEW_LISTENER, &fd);
	CHILD_CHECK(fd >= 0);
	int fd2;
	CHILD_LOAD_FAILS(f, JITK_LOAD_NEW_LISTENER, &fd2, EBUSY, "listener");
	CHILD_CHECK(fd2 == -1);
	jitk_filter_free(f);
}

static void invalid_flags_refused(void **state)
{
	(void)state;
	in_child(child_bad_flags);
}

/* ---------------------------------------------------- checker first */

static void child_checker_first(void)
{
	jitk_diag d;
	/* MOD is classic-legal but seccomp refuses it: jitk_check says so and
	 * the kernel never sees it (no filter, and no no_new_privs either). */
	jitk_filter *f = TEST_FILTER({ BPF_LD | BPF_IMM, 0, 0, 7 }, { BPF_ALU | BPF_MOD | BPF_K, 0, 0, 3 },
				     { BPF_RET | BPF_A, 0, 0, 0 });
	CHILD_CHECK(jitk_load(f, 0, NULL, &d) == JITK_E_CHECK);
	CHILD_CHECK(d.index == 1);
	CHILD_CHECK(d.rule[0] != '\0');
	jitk_filter_free(f);
	/* Not ending in RET. */
	f = TEST_FILTER({ BPF_LD | BPF_IMM, 0, 0, 7 });
	CHILD_CHECK(jitk_load(f, 0, NULL, &d) == JITK_E_CHECK);
	CHILD_CHECK(d.index == 0);
	jitk_filter_free(f);
	/* Empty: too big/small for the kernel's 1..4096. */
	CHILD_CHECK(jitk_filter_new(NULL, 0, &f) == JITK_OK);
	CHILD_CHECK(jitk_load(f, 0, NULL, &d) == JITK_E_TOO_BIG);
	jitk_filter_free(f);
	CHILD_CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
	CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
}

static void checker_runs_first(void **state)
{
	(void)state;
	in_child(child_checker_first);
}

/* ------------------------------------------------------- privileges */

static void child_keep_privs_root(void)
{
	jitk_filter *f = deny_nr(SYS_getpid, EPERM);
	CHILD_LOAD_OK(f, JITK_LOAD_KEEP_PRIVS, NULL);
	CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	errno = 0;
	CHILD_CHECK(syscall(SYS_getpid) == -1 && errno == EPERM);
	jitk_filter_free(f);
}

static void child_keep_privs_nocap(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	CHILD_CHECK(syscall(SYS_capget, &hdr, data) == 0);
	unsigned bit = 1u << (CAP_SYS_ADMIN % 32);
	data[CAP_SYS_ADMIN / 32].effective &= ~bit;
	data[CAP_SYS_ADMIN / 32].permitted &= ~bit;
	data[CAP_SYS_ADMIN / 32].inheritable &= ~bit;
	CHILD_CHECK(syscall(SYS_capset, &hdr, data) == 0);
	jitk_filter *f = allow_all();
	jitk_diag d;
	CHILD_LOAD_FAILS(f, JITK_LOAD_KEEP_PRIVS, NULL, EACCES, "CAP_SYS_ADMIN");
	/* The hint tells the caller what to do. */
	CHILD_CHECK(jitk_load(f, JITK_LOAD_KEEP_PRIVS, NULL, &d) == JITK_E_KERNEL);
	CHILD_CHECK(strstr(d.hint, "KEEP_PRIVS") != NULL);
	CHILD_CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
	/* Without KEEP_PRIVS jitk sets no_new_privs and the load succeeds. */
	CHILD_LOAD_OK(f, 0, NULL);
	CHILD_CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == SECCOMP_MODE_FILTER);
	jitk_filter_free(f);
}

static void keep_privs(void **state)
{
	(void)state;
	in_child(child_keep_privs_root);
	in_child(child_keep_privs_nocap);
}

/* ------------------------------------------------------------ limits */

static void child_path_limit(void)
{
	/* 4095 x LD IMM + RET: each costs 4096 + 4 (eBPF prologue and RET K)
	 * + 4 per stacked filter of the kernel's 32768 budget. */
	jitk_insn *p = malloc(JITK_MAXINSNS * sizeof *p);
	CHILD_CHECK(p);
	for (size_t i = 0; i + 1 < JITK_MAXINSNS; i++)
		p[i] = (jitk_insn){ BPF_LD | BPF_IMM, 0, 0, (uint32_t)i };
	p[JITK_MAXINSNS - 1] = (jitk_insn){ BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW };
	jitk_filter *f;
	CHILD_CHECK(jitk_filter_new(p, JITK_MAXINSNS, &f) == JITK_OK);
	int n = 0;
	jitk_diag d;
	jitk_err r;
	while ((r = jitk_load(f, 0, NULL, &d)) == JITK_OK && n < 100)
		n++;
	fprintf(stderr, "# %d filters of 4096 instructions stacked before ENOMEM\n", n);
	CHILD_CHECK(r == JITK_E_KERNEL && d.sys_errno == ENOMEM);
	CHILD_CHECK(strstr(d.msg, "32768") != NULL);
	CHILD_CHECK(n >= 1 && n <= 8);
	jitk_filter_free(f);
	free(p);
}

static void path_limit_enomem(void **state)
{
	(void)state;
	in_child(child_path_limit);
}

/* seccomp(2) answering ENOSYS (here: because a filter says so) makes
 * jitk_load fall back to prctl(PR_SET_SECCOMP) for flags 0 only. */
static void child_enosys_fallback(void)
{
	jitk_filter *no_seccomp = deny_nr(SYS_seccomp, ENOSYS);
	CHILD_LOAD_OK(no_seccomp, 0, NULL);
	errno = 0;
	CHILD_CHECK(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &(uint32_t){ 0 }) == -1 &&
		    errno == ENOSYS);
	jitk_filter *f = deny_nr(SYS_getpid, EACCES);
	CHILD_LOAD_FAILS(f, JITK_LOAD_LOG, NULL, ENOSYS, "not available");
	errno = 0;
	CHILD_CHECK(syscall(SYS_getpid) > 0);
	CHILD_LOAD_OK(f, 0, NULL); /* through prctl */
	errno = 0;
	CHILD_CHECK(syscall(SYS_getpid) == -1 && errno == EACCES);
	jitk_filter_free(f);
	jitk_filter_free(no_seccomp);
}

static void enosys_falls_back_to_prctl(void **state)
{
	(void)state;
	in_child(child_enosys_fallback);
}

/* A kernel without SECCOMP_FILTER_FLAG_LOG, made with a filter that
 * answers EINVAL to seccomp(2) calls with that flag bit (what the kernel
 * does for a flag it does not know): jitk_load names the flag. */
static void child_flag_missing(void)
{
	static const char old_kernel[] =
		"{ default_action = Allow; rules = [ { action = Errno EINVAL; syscall = seccomp;"
		"  when = (arg1 & 2) == 2 } ] }";
	jitk_policy *p;
	jitk_filter *old;
	CHILD_CHECK(jitk_policy_parse(old_kernel, sizeof old_kernel - 1, NULL, &p, NULL) == JITK_OK);
	CHILD_CHECK(jitk_compile(p, &(jitk_compile_opts){ .no_verify = true }, &old, NULL) == JITK_OK);
	CHILD_LOAD_OK(old, 0, NULL);
	jitk_filter *f = allow_all();
	CHILD_LOAD_FAILS(f, JITK_LOAD_LOG | JITK_LOAD_SPEC_ALLOW, NULL, EINVAL,
			 "this kernel does not support SECCOMP_FILTER_FLAG_LOG");
	CHILD_LOAD_FAILS(f, JITK_LOAD_LOG, NULL, EINVAL, "SECCOMP_FILTER_FLAG_LOG");
	/* The probe installed nothing: still one filter. */
	CHILD_CHECK(strstr(d_status("Seccomp_filters:"), "1") != NULL);
	CHILD_LOAD_OK(f, JITK_LOAD_SPEC_ALLOW, NULL);
	CHILD_CHECK(strstr(d_status("Seccomp_filters:"), "2") != NULL);
	jitk_filter_free(f);
	jitk_filter_free(old);
	jitk_policy_free(p);
}

static void missing_flag_named(void **state)
{
	(void)state;
	in_child(child_flag_missing);
}

/* --------------------------------------------------------- threads */

struct thr {
	int go[2];   /* main -> thread */
	int done[2]; /* thread -> main */
	bool own_filter;
	long getpid_ret;
	int getpid_errno;
};

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	char c = 0;
	if (t->own_filter) {
		/* A filter of its own makes this thread's chain diverge. */
		jitk_filter *f = allow_all();
		if (jitk_load(f, 0, NULL, NULL) != JITK_OK)
			c = 1;
		jitk_filter_free(f);
	}
	if (write(t->done[1], &c, 1) != 1 || read(t->go[0], &c, 1) != 1)
		return NULL;
	errno = 0;
	t->getpid_ret = syscall(SYS_getpid);
	t->getpid_errno = errno;
	c = 0;
	if (write(t->done[1], &c, 1) != 1)
		return NULL;
	return NULL;
}

static void child_tsync_ok(void)
{
	struct thr t = { .own_filter = false };
	CHILD_CHECK(pipe(t.go) == 0 && pipe(t.done) == 0);
	pthread_t th;
	CHILD_CHECK(pthread_create(&th, NULL, thread_main, &t) == 0);
	char c;
	CHILD_CHECK(read(t.done[0], &c, 1) == 1 && c == 0);
	jitk_filter *f = deny_nr(SYS_getpid, EACCES);
	CHILD_LOAD_OK(f, JITK_LOAD_TSYNC, NULL);
	/* The other thread got the filter too. */
	CHILD_CHECK(write(t.go[1], "", 1) == 1);
	CHILD_CHECK(read(t.done[0], &c, 1) == 1);
	CHILD_CHECK(t.getpid_ret == -1 && t.getpid_errno == EACCES);
	CHILD_CHECK(pthread_join(th, NULL) == 0);
	jitk_filter_free(f);
}

static void child_tsync_fails(void)
{
	struct thr t = { .own_filter = true };
	CHILD_CHECK(pipe(t.go) == 0 && pipe(t.done) == 0);
	pthread_t th;
	CHILD_CHECK(pthread_create(&th, NULL, thread_main, &t) == 0);
	char c;
	CHILD_CHECK(read(t.done[0], &c, 1) == 1 && c == 0);
	jitk_filter *f = deny_nr(SYS_getpid, EACCES);
	/* Without TSYNC_ESRCH the kernel names the thread by its TID. */
	CHILD_LOAD_FAILS(f, JITK_LOAD_TSYNC, NULL, ESRCH, "could not be synchronised");
	CHILD_LOAD_FAILS(f, JITK_LOAD_TSYNC | JITK_LOAD_TSYNC_ESRCH, NULL, ESRCH, "TSYNC_ESRCH");
	/* Nothing was installed on this thread. */
	CHILD_CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
	CHILD_CHECK(write(t.go[1], "", 1) == 1);
	CHILD_CHECK(read(t.done[0], &c, 1) == 1);
	CHILD_CHECK(t.getpid_ret > 0);
	CHILD_CHECK(pthread_join(th, NULL) == 0);
	jitk_filter_free(f);
}

static void tsync(void **state)
{
	(void)state;
	in_child(child_tsync_ok);
	in_child(child_tsync_fails);
}

/* ------------------------------------------- Lemma 3: kernel round trip */

/* A random program seccomp accepts, by construction (the checker must
 * agree; the test asserts it).  Fields an instruction does not use (jt/jf
 * of everything but conditional jumps, k of NONE/X/A/LEN shapes) are
 * random junk: the kernel keeps them in orig_prog and must give them back.
 * Scratch memory: a program either never loads M[] or starts with stores
 * to all 16 cells, which keeps check_load_and_stores satisfied on every
 * path. */
static size_t gen_program(rng_t *r, jitk_insn *p, size_t max)
{
	int ops[INSN__COUNT] = { 0 }, nops = 0;
	for (int op = 0; op < INSN__COUNT; op++)
		if (insn_info[op].seccomp)
			ops[nops++] = op;
	size_t n;
	uint32_t shape = rng_below(r, 100);
	if (shape < 5)
		n = 1 + rng_below(r, (uint32_t)max);
	else if (shape < 10)
		n = 1;
	else
		n = 1 + rng_below(r, 64);
	bool mem = n > 20 && rng_below(r, 2);
	size_t pc = 0;
	if (mem)
		for (; pc < INSN_MEMWORDS; pc++)
			p[pc] = (jitk_insn){ rng_below(r, 2) ? BPF_ST : BPF_STX, (uint8_t)rng_u32(r),
					     (uint8_t)rng_u32(r), (uint32_t)pc };
	for (; pc + 1 < n; pc++) {
		const struct insn_info *in;
		for (;;) {
			in = &insn_info[ops[rng_below(r, (uint32_t)nops)]];
			if (in->opnd == OPND_MEM && BPF_CLASS(in->code) <= BPF_LDX && !mem)
				continue; /* LD/LDX M[k] needs the store prefix */
			break;
		}
		jitk_insn x = { in->code, (uint8_t)rng_u32(r), (uint8_t)rng_u32(r), rng_u32(r) };
		uint32_t room = (uint32_t)(n - pc - 1); /* instructions after pc */
		switch (in->opnd) {
		case OPND_IMM:
			if (BPF_CLASS(in->code) == BPF_ALU && BPF_OP(in->code) == BPF_DIV)
				x.k = x.k ? x.k : 1;
			if (BPF_CLASS(in->code) == BPF_ALU &&
			    (BPF_OP(in->code) == BPF_LSH || BPF_OP(in->code) == BPF_RSH))
				x.k &= 31;
			break;
		case OPND_ABS: x.k = 4 * rng_below(r, SECCOMP_DATA_SIZE / 4); break;
		case OPND_MEM: x.k = rng_below(r, INSN_MEMWORDS); break;
		case OPND_JA: x.k = rng_below(r, room); break;
		case OPND_JK:
		case OPND_JX:
			x.jt = (uint8_t)rng_below(r, room < 256 ? room : 256);
			x.jf = (uint8_t)rng_below(r, room < 256 ? room : 256);
			break;
		default: break;
		}
		p[pc] = x;
	}
	/* Last: RET K or RET A, junk in the unused fields. */
	p[n - 1] = (jitk_insn){ (uint16_t)(BPF_RET | (rng_below(r, 2) ? BPF_K : BPF_A)),
				(uint8_t)rng_u32(r), (uint8_t)rng_u32(r), rng_u32(r) };
	return n;
}

/* Shared with the traced child: the load verdict, written without a
 * system call (the filter just installed may kill on any call). */
struct rt_shared {
	volatile int loaded; /* 0 not yet, 1 ok, 2 failed */
	char msg[320];
};

/* Install p in a traced child and read it back; returns the number of
 * instructions the kernel reported (or -1) and fills back. */
static long install_and_read(const jitk_filter *f, struct rt_shared *sh, void *back, size_t cap)
{
	sh->loaded = 0;
	sh->msg[0] = '\0';
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(3);
		jitk_diag d;
		jitk_err e = jitk_load(f, 0, NULL, &d);
		if (e != JITK_OK) {
			snprintf(sh->msg, sizeof sh->msg, "%s: %s", jitk_strerror(e), d.msg);
			sh->loaded = 2;
			_exit(2);
		}
		sh->loaded = 1;
		/* Stop for the tracer without a system call: ud2 raises
		 * SIGILL, a signal-delivery-stop under ptrace. */
		__builtin_trap();
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	long got = -1;
	if (WIFSTOPPED(st) && sh->loaded == 1) {
		/* Index 0 is the newest (here: the only) filter. */
		long cnt = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, NULL);
		if (cnt > 0 && (size_t)cnt * 8 <= cap)
			got = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, back);
		else
			got = cnt;
		if (got < 0)
			snprintf(sh->msg, sizeof sh->msg, "PTRACE_SECCOMP_GET_FILTER: %s", strerror(errno));
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == pid && !WIFEXITED(st) && !WIFSIGNALED(st))
		;
	return got;
}

static void kernel_round_trip(void **state)
{
	(void)state;
	struct rt_shared *sh =
		mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);
	static jitk_insn prog[JITK_MAXINSNS];
	static unsigned char want[JITK_MAXINSNS * 8], back[JITK_MAXINSNS * 8];
	uint64_t seed = test_seed(0x10ade5);
	rng_t r;
	rng_seed(&r, seed);
	unsigned long count = test_scaled(3000), ok = 0, junk = 0, insns = 0;
	for (unsigned long i = 0; i < count; i++) {
		size_t n = gen_program(&r, prog, JITK_MAXINSNS);
		jitk_filter *f = test_filter(prog, n);
		jitk_diag d;
		jitk_err ce = jitk_check(f, &d);
		if (ce != JITK_OK)
			fail_msg("program %lu (seed 0x%llx): checker refuses a valid "
				 "program: %s at %ld [%s]",
				 i, (unsigned long long)seed, d.msg, d.index, d.rule);
		size_t sz = jitk_encoded_size(f);
		assert_int_equal(jitk_encode(f, want, sizeof want), JITK_OK);
		memset(back, 0xa5, sz);
		long got = install_and_read(f, sh, back, sizeof back);
		if (got != (long)n)
			fail_msg("program %lu (n=%zu, seed 0x%llx): read back %ld "
				 "instructions: %s",
				 i, n, (unsigned long long)seed, got, sh->msg);
		if (memcmp(want, back, sz) != 0) {
			for (size_t j = 0; j < n; j++)
				if (memcmp(want + 8 * j, back + 8 * j, 8))
					fprintf(stderr,
						"  insn %zu: sent %02x%02x %02x %02x "
						"%02x%02x%02x%02x, got %02x%02x %02x %02x "
						"%02x%02x%02x%02x\n",
						j, want[8 * j], want[8 * j + 1], want[8 * j + 2],
						want[8 * j + 3], want[8 * j + 4], want[8 * j + 5],
						want[8 * j + 6], want[8 * j + 7], back[8 * j],
						back[8 * j + 1], back[8 * j + 2], back[8 * j + 3],
						back[8 * j + 4], back[8 * j + 5], back[8 * j + 6],
						back[8 * j + 7]);
			fail_msg("program %lu (seed 0x%llx): kernel returned different bytes", i,
				 (unsigned long long)seed);
		}
		/* Count programs whose unused fields carry junk. */
		for (size_t j = 0; j < n; j++)
			if (!INSN_IS_COND(prog[j].code) && (prog[j].jt || prog[j].jf)) {
				junk++;
				break;
			}
		ok++;
		insns += n;
		jitk_filter_free(f);
	}
	fprintf(stderr,
		"# Lemma 3: %lu/%lu programs (%lu instructions, %lu with junk "
		"jt/jf) round-tripped through the kernel byte for byte (seed 0x%llx)\n",
		ok, count, insns, junk, (unsigned long long)seed);
	munmap(sh, sizeof *sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(errno_for_getpid),
		cmocka_unit_test(listener_reset),
		cmocka_unit_test(each_flag_accepted),
		cmocka_unit_test(invalid_flags_refused),
		cmocka_unit_test(missing_flag_named),
		cmocka_unit_test(checker_runs_first),
		cmocka_unit_test(keep_privs),
		cmocka_unit_test(path_limit_enomem),
		cmocka_unit_test(enosys_falls_back_to_prctl),
		cmocka_unit_test(tsync),
		cmocka_unit_test(kernel_round_trip),
	};
	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
