/*
 * trace.c - the supervisor behind `jitk run` reports, --permissive and
 * `jitk learn` (trace.h).
 *
 * How a refused call is enforced (and never runs).  The kernel runs the
 * filter; a return the supervisor must see is SECCOMP_RET_TRACE | i, which
 * stops the thread at PTRACE_EVENT_SECCOMP before the call runs.  After the
 * tracer resumes it, the kernel checks the call again on the registers as
 * the tracer left them (kernel/seccomp.c __seccomp_filter, "Recheck the
 * syscall"; a TRACE answer on that recheck means allow).  So:
 *   - let it run: resume unchanged; the recheck answers TRACE, the call runs
 *     (permissive mode, learning);
 *   - errno: the tracer skips the call itself (nr -1, return value -errno),
 *     as a filter's ERRNO does;
 *   - kill or trap: the tracer sets nr to TRACE_MAGIC_NR and args[0] to the
 *     original seccomp value; the filter's prologue returns args[0] for that
 *     number, so on the recheck the kernel kills (SIGSYS, audit record, core
 *     dump as usual) or traps by itself.  For a trap the registers and the
 *     siginfo are put back before the handler sees them (syscall-exit-stop,
 *     then signal-delivery-stop), so the handler sees the original call.
 * TRACE_MAGIC_NR is no syscall on x86_64 or i386 (both answer ENOSYS for
 * it); a command that calls it itself only chooses its own outcome for a
 * call that does not exist.  If the supervisor dies, PTRACE_O_EXITKILL
 * kills the command; a TRACE return without a tracer is ENOSYS anyway, so
 * nothing the policy refuses runs unsupervised.
 */
#include "trace.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE_MAGIC_NR 0x3fff6a6bu /* above every x86_64/i386 number, below x32 */
#define PROLOGUE_LEN 8

/* ------------------------------------------------------------ filter */

jitk_filter *trace_filter(const jitk_filter *f, bool (*redirect)(uint32_t ret), uint32_t **table,
			  size_t *ntable)
{
	size_t n = jitk_filter_len(f);
	const jitk_insn *in = jitk_filter_insns(f);
	if (n + PROLOGUE_LEN > JITK_MAXINSNS)
		return NULL;
	jitk_insn *out = calloc(n + PROLOGUE_LEN, sizeof *out);
	uint32_t *tab = calloc(n ? n : 1, sizeof *tab);
	if (!out || !tab)
		goto fail;
	/* The prologue: for TRACE_MAGIC_NR on x86_64 or i386 return args[0]
	 * (low half); otherwise clear A and run the original program, whose
	 * relative jumps are unchanged.  */
	const jitk_insn pro[PROLOGUE_LEN] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },                  /* 0: A = nr */
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 5, TRACE_MAGIC_NR },    /* 1: -> 2 : 7 */
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 },                  /* 2: A = arch */
		{ BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64 }, /* 3: -> 5 : 4 */
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 2, AUDIT_ARCH_I386 },   /* 4: -> 5 : 7 */
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 16 },                 /* 5: A = args[0] low */
		{ BPF_RET | BPF_A, 0, 0, 0 },                           /* 6 */
		{ BPF_LD | BPF_IMM, 0, 0, 0 },                          /* 7: A = 0 */
	};
	memcpy(out, pro, sizeof pro);
	size_t nt = 0;
	for (size_t i = 0; i < n; i++) {
		jitk_insn x = in[i];
		if (BPF_CLASS(x.code) == BPF_RET && BPF_RVAL(x.code) != BPF_K)
			goto fail; /* RET A: the value is not known here */
		if (BPF_CLASS(x.code) == BPF_RET && redirect(x.k)) {
			size_t j = 0;
			while (j < nt && tab[j] != x.k)
				j++;
			if (j == nt) {
				if (nt > 0xffff)
					goto fail;
				tab[nt++] = x.k;
			}
			x.k = JITK_RET_TRACE | (uint32_t)j;
		}
		out[PROLOGUE_LEN + i] = x;
	}
	jitk_filter *g = NULL;
	if (jitk_filter_new(out, n + PROLOGUE_LEN, &g))
		goto fail;
	free(out);
	*table = tab;
	*ntable = nt;
	return g;
fail:
	free(out);
	free(tab);
	return NULL;
}

/* ------------------------------------------------------------- tasks */

enum fixup { FIX_NONE, FIX_TRAP_EXIT, FIX_TRAP_SIG };

struct task {
	pid_t tid;
	bool started;   /* its initial SIGSTOP was seen */
	enum fixup fix; /* pending work after a trap was applied */
	struct user_regs_struct saved;
	char prog[64]; /* basename of /proc/tid/exe, "" if not read yet */
};

struct tracer {
	struct task *t;
	size_t n, cap;
	pid_t first; /* the command's first process */
	bool first_execd;
	const char *first_prog;
	trace_hook hook;
	void *ctx;
	struct trace_result *r;
};

static struct task *task_get(struct tracer *T, pid_t tid, bool create)
{
	for (size_t i = 0; i < T->n; i++)
		if (T->t[i].tid == tid)
			return &T->t[i];
	if (!create)
		return NULL;
	if (T->n == T->cap) {
		size_t cap = T->cap ? 2 * T->cap : 16;
		struct task *p = realloc(T->t, cap * sizeof *p);
		if (!p)
			return NULL;
		T->t = p;
		T->cap = cap;
	}
	struct task *k = &T->t[T->n++];
	memset(k, 0, sizeof *k);
	k->tid = tid;
	return k;
}

static void task_drop(struct tracer *T, pid_t tid)
{
	for (size_t i = 0; i < T->n; i++)
		if (T->t[i].tid == tid) {
			T->t[i] = T->t[--T->n];
			return;
		}
}

static const char *task_prog(struct tracer *T, struct task *k)
{
	if (k->tid == T->first && !T->first_execd)
		return T->first_prog;
	if (!k->prog[0]) {
		char link[64], buf[4096];
		snprintf(link, sizeof link, "/proc/%d/exe", (int)k->tid);
		ssize_t m = readlink(link, buf, sizeof buf - 1);
		if (m <= 0) {
			snprintf(k->prog, sizeof k->prog, "?");
		} else {
			buf[m] = '\0';
			const char *b = strrchr(buf, '/');
			snprintf(k->prog, sizeof k->prog, "%.63s", b ? b + 1 : buf);
		}
	}
	return k->prog;
}

/* ------------------------------------------------------------- stops */

static bool is_i386(const struct seccomp_data *sd)
{
	return sd->arch == AUDIT_ARCH_I386;
}

/* Make the kernel apply ret to the call stopped at its seccomp check. */
static void trace_apply(struct task *k, const struct seccomp_data *sd, uint32_t ret, bool *syscall_stop)
{
	struct user_regs_struct regs;
	*syscall_stop = false;
	if (ptrace(PTRACE_GETREGS, k->tid, 0, &regs) < 0)
		return;
	uint32_t act = ret & JITK_RET_ACTION_FULL;
	if (act == JITK_RET_ERRNO || act == JITK_RET_TRACE || act == JITK_RET_USER_NOTIF) {
		/* Skip the call with -errno, as the kernel does for ERRNO
		 * (errno capped at MAX_ERRNO) and for TRACE / USER_NOTIF with
		 * nobody to answer them (ENOSYS). */
		long e = act == JITK_RET_ERRNO ? (long)(ret & JITK_RET_DATA) : ENOSYS;
		if (e > 4095)
			e = 4095;
		regs.orig_rax = (unsigned long long)-1;
		regs.rax = (unsigned long long)-e;
		ptrace(PTRACE_SETREGS, k->tid, 0, &regs);
		return;
	}
	/* Kill or trap: the kernel does it on the recheck (prologue). */
	k->saved = regs;
	regs.orig_rax = TRACE_MAGIC_NR;
	if (is_i386(sd))
		regs.rbx = ret;
	else
		regs.rdi = ret;
	ptrace(PTRACE_SETREGS, k->tid, 0, &regs);
	if (act == JITK_RET_TRAP) {
		k->fix = FIX_TRAP_EXIT;
		*syscall_stop = true;
	}
}

static void on_seccomp_stop(struct tracer *T, struct task *k, int *resume)
{
	struct __ptrace_syscall_info si;
	memset(&si, 0, sizeof si);
	long got = ptrace(PTRACE_GET_SYSCALL_INFO, k->tid, (void *)sizeof si, &si);
	if (got <= 0 || si.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return;
	struct trace_call c;
	memset(&c, 0, sizeof c);
	c.tid = k->tid;
	c.sd.nr = (int)si.seccomp.nr;
	c.sd.arch = si.arch;
	c.sd.instruction_pointer = si.instruction_pointer;
	for (int i = 0; i < 6; i++)
		c.sd.args[i] = si.seccomp.args[i];
	if (is_i386(&c.sd)) /* what the filter saw: 32-bit registers */
		for (int i = 0; i < 6; i++)
			c.sd.args[i] &= 0xffffffffu;
	c.data = (uint16_t)si.seccomp.ret_data;
	bool before = k->tid == T->first && !T->first_execd;
	/* Before the command starts, the calls are jitk's own (the child
	 * between loading the filter and execve): only the execve counts. */
	bool is_exec = !is_i386(&c.sd) && (c.sd.nr == SYS_execve || c.sd.nr == SYS_execveat);
	if (before && !is_exec)
		return;
	c.first_exec = before;
	c.prog = task_prog(T, k);
	if ((uint32_t)c.sd.nr == TRACE_MAGIC_NR) {
		/* The command called the supervisor's number itself. */
		bool dummy;
		trace_apply(k, &c.sd, JITK_RET_ERRNO | ENOSYS, &dummy);
		return;
	}
	struct trace_verdict v = T->hook(T->ctx, &c);
	if (!v.apply)
		return;
	if (before)
		T->r->exec_refused = true;
	bool sys = false;
	trace_apply(k, &c.sd, v.ret, &sys);
	if (sys)
		*resume = PTRACE_SYSCALL;
}

/* The syscall-exit-stop after a trap was applied: put the registers back
 * as the call left them (nr in rax, as the kernel's rollback does). */
static void on_trap_exit(struct task *k)
{
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, k->tid, 0, &regs) == 0) {
		unsigned long long rax = regs.rax;
		regs = k->saved;
		regs.rax = rax == TRACE_MAGIC_NR ? k->saved.orig_rax : rax;
		ptrace(PTRACE_SETREGS, k->tid, 0, &regs);
	}
	k->fix = FIX_TRAP_SIG;
}

/* The SIGSYS of an applied trap: it names the original call. */
static void on_trap_signal(struct task *k)
{
	siginfo_t si;
	if (ptrace(PTRACE_GETSIGINFO, k->tid, 0, &si) == 0 && si.si_code == 1 /* SYS_SECCOMP */ &&
	    (unsigned)si.si_syscall == TRACE_MAGIC_NR) {
		si.si_syscall = (int)k->saved.orig_rax;
		ptrace(PTRACE_SETSIGINFO, k->tid, 0, &si);
	}
	k->fix = FIX_NONE;
}

/* ---------------------------------------------------------------- run */

int trace_resolve(const char *cmd, char *buf, size_t cap, char *err, size_t errcap)
{
	struct stat st;
	if (strchr(cmd, '/')) {
		if (stat(cmd, &st) < 0) {
			snprintf(err, errcap, "cannot execute %s: %s", cmd, strerror(errno));
			return errno == ENOENT ? 127 : 126;
		}
		if (!S_ISREG(st.st_mode) || access(cmd, X_OK) < 0) {
			snprintf(err, errcap, "cannot execute %s: %s", cmd,
				 S_ISDIR(st.st_mode) ? "Is a directory" : strerror(errno ? errno : EACCES));
			return 126;
		}
		snprintf(buf, cap, "%s", cmd);
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	bool denied = false;
	for (const char *p = path;; p++) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		snprintf(buf, cap, "%.*s%s%s", (int)n, p, n ? "/" : "", cmd);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(buf, X_OK) == 0)
				return 0;
			denied = true;
		}
		if (!e)
			break;
		p = e;
	}
	snprintf(err, errcap, "cannot execute %s: %s", cmd,
		 denied ? "Permission denied" : "command not found");
	return denied ? 126 : 127;
}

struct child_report {
	int stage; /* 1: load failed, 2: exec failed */
	jitk_err err;
	int sys_errno;
	char msg[200];
};

static void child(const jitk_filter *f, unsigned flags, struct cli_listener *L, const char *path,
		  char **argv, int fd)
{
	struct child_report rep;
	memset(&rep, 0, sizeof rep);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) {
		rep.stage = 1;
		rep.sys_errno = errno;
		snprintf(rep.msg, sizeof rep.msg, "PTRACE_TRACEME: %s", strerror(errno));
		goto out;
	}
	raise(SIGSTOP); /* the tracer sets its options now */
	jitk_diag d;
	int lfd = -1;
	if (L && !cli_listener_prepare(L, rep.msg, sizeof rep.msg)) {
		rep.stage = 1;
		goto out;
	}
	jitk_err e = jitk_load(f, flags | (L ? JITK_LOAD_NEW_LISTENER : 0), L ? &lfd : NULL, &d);
	if (e) {
		rep.stage = 1;
		rep.err = e;
		rep.sys_errno = d.sys_errno;
		snprintf(rep.msg, sizeof rep.msg, "%.199s", d.msg[0] ? d.msg : jitk_strerror(e));
		goto out;
	}
	/* The listener and the socket are O_CLOEXEC: execv closes them. */
	if (L && !cli_listener_send(L, lfd, rep.msg, sizeof rep.msg)) {
		rep.stage = 1;
		goto out;
	}
	execv(path, argv);
	rep.stage = 2;
	rep.sys_errno = errno;
out:
	if (write(fd, &rep, sizeof rep) < 0) {
		/* nothing more to say */
	}
	_exit(rep.stage == 2 ? (rep.sys_errno == ENOENT ? 127 : 126) : 1);
}

bool trace_run(const jitk_filter *f, unsigned flags, struct cli_listener *L, const char *path, char **argv,
	       trace_hook hook, void *ctx, volatile int *stop, struct trace_result *r)
{
	memset(r, 0, sizeof *r);
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(r->error, sizeof r->error, "pipe: %s", strerror(errno));
		return false;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(r->error, sizeof r->error, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return false;
	}
	if (pid == 0) {
		close(pfd[0]);
		child(f, flags, L, path, argv, pfd[1]);
	}
	close(pfd[1]);
	/* The child has the agent's connection now: the agent sees it closed
	 * when the child executes (runtime-spec: one state per connection). */
	if (L && L->sock >= 0) {
		close(L->sock);
		L->sock = -1;
	}
	struct tracer T = { .first = pid, .hook = hook, .ctx = ctx, .r = r };
	const char *b = strrchr(argv[0], '/');
	T.first_prog = b ? b + 1 : argv[0];

	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		snprintf(r->error, sizeof r->error, "the command could not be traced");
		close(pfd[0]);
		return false;
	}
	long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		    PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)opts) < 0) {
		snprintf(r->error, sizeof r->error, "PTRACE_SETOPTIONS: %s", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		close(pfd[0]);
		return false;
	}
	struct task *k0 = task_get(&T, pid, true);
	if (k0)
		k0->started = true;
	ptrace(PTRACE_CONT, pid, 0, 0);

	bool killed = false;
	for (;;) {
		if (stop && *stop && !killed) {
			for (size_t i = 0; i < T.n; i++)
				kill(T.t[i].tid, SIGKILL);
			killed = true;
		}
		pid_t tid = waitpid(-1, &st, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: every task is gone */
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (tid == pid)
				r->status = st;
			task_drop(&T, tid);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		struct task *k = task_get(&T, tid, true);
		if (!k) {
			ptrace(PTRACE_CONT, tid, 0, 0);
			continue;
		}
		int sig = WSTOPSIG(st), event = (unsigned)st >> 16;
		int resume = PTRACE_CONT, inject = 0;
		if (sig == SIGTRAP && event) {
			k->started = true;
			if (event == PTRACE_EVENT_SECCOMP) {
				on_seccomp_stop(&T, k, &resume);
			} else if (event == PTRACE_EVENT_EXEC) {
				unsigned long old = 0;
				ptrace(PTRACE_GETEVENTMSG, tid, 0, &old);
				if ((pid_t)old != tid)
					task_drop(&T, (pid_t)old);
				k = task_get(&T, tid, true);
				if (k)
					k->prog[0] = '\0';
				if (tid == pid && !T.first_execd) {
					T.first_execd = true;
					r->started = true;
				}
			} else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
				   event == PTRACE_EVENT_CLONE) {
				unsigned long nt = 0;
				ptrace(PTRACE_GETEVENTMSG, tid, 0, &nt);
				/* The new task reports its own SIGSTOP. */
			}
		} else if (sig == (SIGTRAP | 0x80)) {
			if (k->fix == FIX_TRAP_EXIT)
				on_trap_exit(k);
		} else if (!k->started && sig == SIGSTOP) {
			k->started = true; /* the initial stop of a new task */
		} else {
			siginfo_t si;
			if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) < 0) {
				inject = 0; /* a group-stop */
			} else {
				if (sig == SIGSYS && k->fix == FIX_TRAP_SIG)
					on_trap_signal(k);
				inject = sig;
			}
		}
		ptrace(resume, tid, 0, (void *)(long)inject);
	}
	free(T.t);

	struct child_report rep;
	ssize_t m = read(pfd[0], &rep, sizeof rep);
	close(pfd[0]);
	if (m == (ssize_t)sizeof rep && rep.stage == 1) {
		snprintf(r->error, sizeof r->error, "%s", rep.msg);
		return false;
	}
	if (m == (ssize_t)sizeof rep && rep.stage == 2)
		r->exec_errno = rep.sys_errno;
	return true;
}
