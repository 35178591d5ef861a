/*
 * test_stack_kernel.c - jitk_stack against the running kernel.
 *
 * stack_random: random stacks of 2 to 4 random filters (random actions and
 * data, rules on shared and separate syscalls, on the arch and on
 * arguments).  Each stack is installed filter by filter in a forked child,
 * which then makes real system calls through both entries (syscall and
 * int $0x80) and records what the kernel did.  The parent predicts every
 * call from ONE filter, the one jitk_stack made (and proved) for the stack,
 * run through jitk_interp, and the two must agree on every call:
 *
 *     ALLOW, LOG             the call ran: it returns its real value
 *     ERRNO n                it returns -min(n, 4095) without running
 *     TRACE, USER_NOTIF      -ENOSYS: no tracer, no listener is attached
 *     TRAP n                 SIGSYS with si_errno n
 *     KILL_*, undefined      the child dies of SIGSYS (the last call)
 *
 * The calls are getpid, getppid, gettid and getpgrp, which never fail and
 * never return 0, so "ran" is told from ERRNO 0 and from -ENOSYS.  Every
 * filter starts by allowing prctl and seccomp from x86-64, so that the next
 * one can be installed; the test calls never use those numbers.
 *
 * The same calls are also predicted by folding the individual filters'
 * answers with jitk_stack_fold, which must give the same value.
 */
#include "testlib.h"
#include "kexec.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>

#define NCALLS 24
#define MAXF 4
#define MAXLEN 64

/* The test calls: x86-64 and i386 numbers. */
static const struct {
	int nr64, nr32;
} calls[] = { { 39, 20 }, { 110, 64 }, { 186, 224 }, { 111, 65 } };
#define NKINDS (sizeof calls / sizeof calls[0])

static const uint32_t actions[] = { JITK_RET_KILL_PROCESS, JITK_RET_KILL_THREAD, JITK_RET_TRAP,
				    JITK_RET_ERRNO,        JITK_RET_USER_NOTIF,  JITK_RET_TRACE,
				    JITK_RET_LOG,          JITK_RET_ALLOW };

static uint32_t rand_ret(rng_t *r)
{
	uint32_t act = actions[rng_below(r, 8)];
	/* mostly errno/trap/allow so that stacks tie often; a kill now and then */
	if (rng_below(r, 3) == 0)
		act = rng_below(r, 2) ? JITK_RET_ERRNO : JITK_RET_TRAP;
	uint32_t data = rng_below(r, 4) == 0 ? rng_below(r, 0x10000) : rng_below(r, 4);
	return act | data;
}

struct rfilter {
	jitk_insn p[MAXLEN];
	size_t n;
};

static void emit(struct rfilter *f, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	f->p[f->n++] = (jitk_insn){ code, jt, jf, k };
}

/* args[i] low word, offset in seccomp_data */
static uint32_t arg_lo(unsigned i)
{
	return 16 + 8 * i;
}

static void gen_filter(rng_t *r, struct rfilter *f, const uint32_t *vals, size_t nvals)
{
	f->n = 0;
	/* prefix: x86-64 prctl and seccomp are allowed (the next install) */
	emit(f, BPF_LD | BPF_W | BPF_ABS, 0, 0, 4);
	emit(f, BPF_JMP | BPF_JEQ | BPF_K, 0, 4, AUDIT_ARCH_X86_64);
	emit(f, BPF_LD | BPF_W | BPF_ABS, 0, 0, 0);
	emit(f, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 157);
	emit(f, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 317);
	emit(f, BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW);
	unsigned nrules = rng_below(r, 5);
	for (unsigned i = 0; i < nrules; i++) {
		/* one rule: [arch ==] [nr ==] [arg cond] ret */
		bool want_arch = rng_below(r, 3) == 0, want_nr = rng_below(r, 4) != 0,
		     want_arg = rng_below(r, 2) == 0;
		unsigned len = 1 + 2 * want_arch + 2 * want_nr + 2 * want_arg;
		unsigned left = len; /* instructions of this rule from here */
		if (want_arch) {
			emit(f, BPF_LD | BPF_W | BPF_ABS, 0, 0, 4);
			left -= 2;
			emit(f, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)left,
			     rng_below(r, 2) ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_I386);
		}
		if (want_nr) {
			unsigned k = rng_below(r, NKINDS);
			emit(f, BPF_LD | BPF_W | BPF_ABS, 0, 0, 0);
			left -= 2;
			emit(f, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)left,
			     rng_below(r, 2) ? (uint32_t)calls[k].nr64 : (uint32_t)calls[k].nr32);
		}
		if (want_arg) {
			static const uint16_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
			emit(f, BPF_LD | BPF_W | BPF_ABS, 0, 0, arg_lo(rng_below(r, 6)));
			left -= 2;
			emit(f, BPF_JMP | ops[rng_below(r, 4)] | BPF_K, 0, (uint8_t)left,
			     vals[rng_below(r, (uint32_t)nvals)]);
		}
		emit(f, BPF_RET | BPF_K, 0, 0, rand_ret(r));
	}
	emit(f, BPF_RET | BPF_K, 0, 0, rand_ret(r));
}

struct call {
	enum kexec_abi abi;
	unsigned kind;
	uint64_t args[6];
	uint32_t ret; /* predicted filter answer */
};

struct shm {
	int installed;
	int done;
	kexec_outcome out[NCALLS];
};

static void make_input(const struct call *c, struct seccomp_data *sd, uint64_t ip)
{
	memset(sd, 0, sizeof *sd);
	sd->nr = c->abi == KEXEC_X86_64 ? calls[c->kind].nr64 : calls[c->kind].nr32;
	sd->arch = c->abi == KEXEC_X86_64 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_I386;
	sd->instruction_pointer = ip;
	for (int i = 0; i < 6; i++)
		sd->args[i] = c->abi == KEXEC_I386 ? (uint32_t)c->args[i] : c->args[i];
}

static bool is_kill(uint32_t ret)
{
	uint32_t a = ret & JITK_RET_ACTION_FULL;
	return a != JITK_RET_TRAP && a != JITK_RET_ERRNO && a != JITK_RET_USER_NOTIF &&
	       a != JITK_RET_TRACE && a != JITK_RET_LOG && a != JITK_RET_ALLOW;
}

static void stack_random(void **state)
{
	(void)state;
	uint64_t seed = test_seed(0x57ac4u);
	rng_t r;
	rng_seed(&r, seed);
	unsigned long nstacks = test_scaled(1000);
	struct shm *sh = kexec_shared(sizeof *sh);
	assert_non_null(sh);
	kexec_site site = kexec_site_default();
	pid_t self = getpid(), pgrp = getpgrp();
	unsigned long ncalls = 0, nkills = 0, nties = 0, bad = 0;
	for (unsigned long s = 0; s < nstacks; s++) {
		uint32_t vals[6];
		for (int i = 0; i < 6; i++)
			vals[i] = rng_below(&r, 3) ? rng_below(&r, 8) : rng_u32(&r);
		size_t nf = 2 + rng_below(&r, MAXF - 1);
		struct rfilter fs[MAXF];
		jitk_filter *jf[MAXF];
		for (size_t i = 0; i < nf; i++) {
			gen_filter(&r, &fs[i], vals, 6);
			assert_int_equal(jitk_filter_new(fs[i].p, fs[i].n, &jf[i]), JITK_OK);
		}
		jitk_filter *one = NULL;
		jitk_diag d;
		jitk_err err = jitk_stack((const jitk_filter *const *)jf, nf, 0, &one, &d);
		if (err)
			print_message("stack %lu: %s\n", s, d.msg);
		assert_int_equal(err, JITK_OK);

		/* the calls, each predicted; a kill (if any) goes last */
		struct call cs[NCALLS];
		size_t n = 0;
		bool killed = false;
		for (int t = 0; t < NCALLS * 4 && n < NCALLS && !killed; t++) {
			struct call c = { .abi = rng_below(&r, 2) ? KEXEC_X86_64 : KEXEC_I386,
					  .kind = rng_below(&r, NKINDS) };
			for (int i = 0; i < 6; i++)
				c.args[i] = rng_below(&r, 2) ? vals[rng_below(&r, 6)] + rng_below(&r, 3) - 1
							     : rng_below(&r, 8);
			struct seccomp_data sd;
			make_input(&c, &sd, site.ip[c.abi]);
			jitk_result res;
			assert_int_equal(jitk_interp(one, &sd, &res), JITK_OK);
			uint32_t each[MAXF];
			for (size_t i = 0; i < nf; i++) {
				jitk_result ri;
				assert_int_equal(jitk_interp(jf[i], &sd, &ri), JITK_OK);
				each[i] = ri.ret;
			}
			assert_int_equal(res.ret, jitk_stack_fold(each, nf));
			/* a tie: two members answer the winning action with other data */
			bool tie = false;
			for (size_t i = 0; i < nf; i++)
				for (size_t j = 0; j < nf; j++)
					tie |= each[i] != each[j] &&
					       (each[i] & JITK_RET_ACTION_FULL) ==
						       (res.ret & JITK_RET_ACTION_FULL) &&
					       (each[j] & JITK_RET_ACTION_FULL) ==
						       (res.ret & JITK_RET_ACTION_FULL);
			nties += tie;
			c.ret = res.ret;
			if (is_kill(c.ret)) {
				if (rng_below(&r, 4) != 0 && n > 0)
					continue; /* kill rarely, so most stacks see many calls */
				killed = true;
			}
			cs[n++] = c;
		}
		memset(sh, 0, sizeof *sh);
		pid_t pid = kexec_fork(30);
		assert_true(pid >= 0);
		if (pid == 0) {
			if (kexec_catch_sigsys() != 0)
				_exit(3);
			for (size_t i = 0; i < nf; i++)
				if (kexec_install(fs[i].p, fs[i].n) != 0)
					_exit(4);
			sh->installed = 1;
			for (size_t i = 0; i < n; i++) {
				uint64_t a[6];
				for (int j = 0; j < 6; j++)
					a[j] = cs[i].abi == KEXEC_I386 ? (uint32_t)cs[i].args[j]
								       : cs[i].args[j];
				uint64_t nr = (uint64_t)(cs[i].abi == KEXEC_X86_64 ? calls[cs[i].kind].nr64
										   : calls[cs[i].kind].nr32);
				kexec_call(&site, cs[i].abi, nr, a, &sh->out[i]);
				sh->done = (int)i + 1;
			}
			kexec_die();
		}
		int st = kexec_wait(pid);
		char sbuf[64];
		assert_int_equal(sh->installed, 1);
		size_t done = (size_t)sh->done;
		for (size_t i = 0; i < n; i++) {
			const struct call *c = &cs[i];
			uint32_t act = c->ret & JITK_RET_ACTION_FULL, data = c->ret & JITK_RET_DATA;
			const kexec_outcome *o = &sh->out[i];
			bool ok;
			if (is_kill(c->ret)) {
				ok = i + 1 == n && done == i && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
				nkills++;
			} else if (i >= done) {
				ok = false;
			} else if (act == JITK_RET_TRAP) {
				ok = o->trapped && o->code == 1 && (uint32_t)o->data == data;
			} else if (act == JITK_RET_ERRNO) {
				ok = !o->trapped && o->ret == -(int64_t)(data > 4095 ? 4095 : data);
			} else if (act == JITK_RET_TRACE || act == JITK_RET_USER_NOTIF) {
				ok = !o->trapped && o->ret == -ENOSYS;
			} else { /* ALLOW, LOG: the call ran */
				/* getpid and gettid: the child; getppid: this process */
				int64_t want = c->kind == 1 ? self : c->kind == 3 ? pgrp : pid;
				ok = !o->trapped && o->ret == want;
			}
			if (!ok && bad++ < 10)
				print_message("stack %lu call %zu (abi %d kind %u): predicted 0x%08x; kernel: "
					      "trapped %d data %d ret %lld; child %s\n",
					      s, i, c->abi, c->kind, c->ret, o->trapped, o->data,
					      (long long)o->ret, kexec_status_str(st, sbuf, sizeof sbuf));
			ncalls++;
		}
		if (!killed && !(WIFSIGNALED(st) && WTERMSIG(st) == SIGILL) && bad++ < 10)
			print_message("stack %lu: child ended with %s\n", s,
				      kexec_status_str(st, sbuf, sizeof sbuf));
		jitk_filter_free(one);
		for (size_t i = 0; i < nf; i++)
			jitk_filter_free(jf[i]);
	}
	print_message("seed %#llx: %lu stacks, %lu real calls (%lu kills), %lu decided by a tie "
		      "of one action with other data, %lu disagreements\n",
		      (unsigned long long)seed, nstacks, ncalls, nkills, nties, bad);
	kexec_shared_free(sh, sizeof *sh);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(stack_random) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
