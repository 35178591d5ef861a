/*
 * test_interp_kernel.c - the reference interpreter against the running
 * kernel, which is the oracle.
 *
 * differential_random: random programs, valid by construction, each
 * installed once in a forked child; the child issues many system calls with
 * controlled nr, arch (syscall / int $0x80), instruction pointer (copies of
 * the call stub at random addresses) and arguments, and compares what the
 * kernel did with interp_run on the same seccomp_data.
 *
 * Every program is BODY followed by a fixed EPILOGUE.  The body is random; it
 * never contains a RET: "return A" is a jump to (or a fall into) the
 * epilogue, and "return #k" is `ld #k` followed by such a jump.  The
 * epilogue turns the body's 32-bit result R into a seccomp TRAP whose data is
 * one half of R, chosen by bit 0 of a selector word the body never reads:
 *
 *     E+0  st M[0]                  E+6  ld M[0]
 *     E+1  ld [sel]                 E+7  and #0xffff
 *     E+2  jset #1, E+3, E+6        E+8  jeq #0, E+9, E+10
 *     E+3  ld M[0]                  E+9  ret #0x30000    (SECCOMP_RET_TRAP)
 *     E+4  rsh #16                  E+10 or #0x30000
 *     E+5  ja E+8                   E+11 ret a
 *
 * So no call ever runs: the kernel answers with SIGSYS, whose siginfo gives
 * the data (si_errno) and the nr, arch and instruction pointer the filter
 * saw.  Each input is issued twice (low and high half), so every comparison
 * checks the full 32-bit body result.  A DIV by X == 0 makes the filter
 * return 0 (KILL_THREAD) without reaching the epilogue: the child skips
 * inputs for which the interpreter predicts that, and ends with the first
 * one, expecting to be killed by SIGSYS.
 *
 * The other tests check the calls that do not reach the filter (docs/
 * kernel-notes.md): x86-64 uretprobe (335) and uprobe (336), a scan of the
 * number space for any other, the vsyscall page, and int $0x80 with dirty
 * upper register halves.
 */
#include "testlib.h"
#include "insn.h"
#include "interp.h"
#include "kexec.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>

#define ARCH_X86_64 0xc000003eu /* AUDIT_ARCH_X86_64 */
#define ARCH_I386 0x40000003u   /* AUDIT_ARCH_I386 */
#define SYS_SECCOMP_CODE 1      /* si_code of a seccomp SIGSYS */
#define NR_URETPROBE 335        /* x86-64 only */
#define NR_UPROBE 336

#define MAXBODY 320
#define EPILOGUE 12
#define MAXPROG (MAXBODY + EPILOGUE)
#define NSITES 4

static uint32_t arch_of(enum kexec_abi abi)
{
	return abi == KEXEC_X86_64 ? ARCH_X86_64 : ARCH_I386;
}

/* ------------------------------------------------------------ generator */

struct gprog {
	jitk_insn insns[MAXPROG];
	size_t n, body;
	unsigned sel;        /* selector: word index 4 + 2j, args[j] low half */
	uint32_t consts[64]; /* constants in the body, reused as inputs */
	size_t nconsts;
};

static jitk_insn mk(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	return (jitk_insn){ code, jt, jf, k };
}

/* Values that make comparisons, shifts and divisions interesting. */
static uint32_t interesting(rng_t *r, const struct gprog *p)
{
	static const uint32_t special[] = { 0,           1,           2,           3,           31,
					    32,          33,          63,          64,          0xff,
					    0xffff,      0x10000,     0x7fffffff,  0x80000000u, 0xfffffffeu,
					    0xffffffffu, 0x40000000u, ARCH_X86_64, ARCH_I386 };
	switch (rng_below(r, 7)) {
	case 0:
	case 1: return special[rng_below(r, sizeof special / sizeof special[0])];
	case 2: return rng_below(r, 512);
	case 3:
		if (p && p->nconsts)
			return p->consts[rng_below(r, (uint32_t)p->nconsts)] + rng_below(r, 3) - 1;
		return rng_u32(r);
	case 4: /* one bit set or one bit clear: masks for JSET and AND */
		return rng_below(r, 2) ? 1u << rng_below(r, 32) : ~(1u << rng_below(r, 32));
	default: return rng_u32(r);
	}
}

static void note_const(struct gprog *p, uint32_t k)
{
	if (p->nconsts < sizeof p->consts / sizeof p->consts[0])
		p->consts[p->nconsts++] = k;
}

/* The ALU ops of the instruction table with their K and X codes. */
static const uint16_t alu_ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR,
				    BPF_AND, BPF_LSH, BPF_RSH, BPF_XOR };
static const uint16_t jmp_ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };

/*
 * A random valid program.  Scratch-memory reads follow the kernel's own
 * check_load_and_stores, simulated while generating (jumps only go forward,
 * so masks[pc] is final when pc is reached): memvalid &= masks[pc]; a store
 * sets its bit; a jump ANDs memvalid into each target's mask and then sets
 * memvalid to all ones.
 */
static void gen_program(rng_t *r, struct gprog *p)
{
	memset(p, 0, sizeof *p);
	size_t B = rng_below(r, 10) ? 1 + rng_below(r, 48) : 1 + rng_below(r, MAXBODY);
	p->body = B;
	p->n = B + EPILOGUE;
	p->sel = 4 + 2 * (1 + rng_below(r, 5)); /* args[1..5] low half */
	uint16_t masks[MAXPROG];
	for (size_t i = 0; i < MAXPROG; i++)
		masks[i] = 0xffff;
	uint16_t mv = 0;

	for (size_t pc = 0; pc < B; pc++) {
		mv &= masks[pc];
		size_t room = B - pc - 1; /* largest offset that stays in BODY..E */
		jitk_insn in;
		uint32_t k;
		unsigned kind = rng_below(r, 100);
		if (kind < 12) { /* LD W ABS, any word but the selector */
			unsigned w;
			do
				w = rng_below(r, 16);
			while (w == p->sel);
			in = mk(BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 * w);
		} else if (kind < 16) {
			k = interesting(r, p);
			note_const(p, k);
			in = mk(BPF_LD | BPF_W | BPF_IMM, 0, 0, k);
		} else if (kind < 21) {
			k = rng_below(r, 3) ? interesting(r, p) : 32 + rng_below(r, 40);
			note_const(p, k);
			in = mk(BPF_LDX | BPF_W | BPF_IMM, 0, 0, k);
		} else if (kind < 23) {
			in = mk(rng_below(r, 2) ? BPF_LD | BPF_W | BPF_LEN : BPF_LDX | BPF_W | BPF_LEN, 0,
				0, rng_below(r, 4) ? 0 : rng_u32(r));
		} else if (kind < 30) { /* ST / STX */
			unsigned c = rng_below(r, INSN_MEMWORDS);
			in = mk(rng_below(r, 2) ? BPF_ST : BPF_STX, 0, 0, c);
			mv |= (uint16_t)(1u << c);
		} else if (kind < 36 && mv) { /* LD / LDX MEM of a cell known written */
			unsigned c;
			do
				c = rng_below(r, INSN_MEMWORDS);
			while (!(mv & (1u << c)));
			in = mk(rng_below(r, 2) ? BPF_LD | BPF_MEM : BPF_LDX | BPF_MEM, 0, 0, c);
		} else if (kind < 52) { /* ALU K */
			uint16_t op = alu_ops[rng_below(r, 9)];
			k = interesting(r, p);
			if (op == BPF_DIV && k == 0)
				k = 1 + rng_below(r, 7);
			if (op == BPF_LSH || op == BPF_RSH)
				k &= 31;
			note_const(p, k);
			in = mk(BPF_ALU | op | BPF_K, 0, 0, k);
		} else if (kind < 64) { /* ALU X, DIV by X included */
			uint16_t op = alu_ops[rng_below(r, 9)];
			in = mk(BPF_ALU | op | BPF_X, 0, 0, rng_below(r, 4) ? 0 : rng_u32(r));
		} else if (kind < 67) {
			in = mk(BPF_ALU | BPF_NEG, 0, 0, 0);
		} else if (kind < 72) {
			in = mk(rng_below(r, 2) ? BPF_MISC | BPF_TAX : BPF_MISC | BPF_TXA, 0, 0, 0);
		} else if (kind < 76) { /* JA: often straight to the epilogue */
			uint32_t off = rng_below(r, 2) ? (uint32_t)room : rng_below(r, (uint32_t)room + 1);
			in = mk(BPF_JMP | BPF_JA, 0, 0, off);
			masks[pc + 1 + off] &= mv;
			mv = 0xffff;
		} else { /* conditional jumps, K and X */
			uint16_t op = jmp_ops[rng_below(r, 4)];
			uint32_t lim = room < 255 ? (uint32_t)room : 255;
			uint8_t jt = (uint8_t)(rng_below(r, 3) ? rng_below(r, lim < 4 ? lim + 1 : 4)
							       : rng_below(r, lim + 1));
			uint8_t jf = (uint8_t)(rng_below(r, 3) ? rng_below(r, lim < 4 ? lim + 1 : 4)
							       : rng_below(r, lim + 1));
			/* Equal offsets make the comparison invisible; keep
			 * them rare. */
			if (jt == jf && lim > 0 && rng_below(r, 4))
				jf = (uint8_t)(jt < lim ? jt + 1 : jt - 1);
			if (rng_below(r, 2)) {
				k = interesting(r, p);
				note_const(p, k);
				in = mk(BPF_JMP | op | BPF_K, jt, jf, k);
			} else {
				in = mk(BPF_JMP | op | BPF_X, jt, jf, rng_below(r, 4) ? 0 : rng_u32(r));
			}
			masks[pc + 1 + jt] &= mv;
			masks[pc + 1 + jf] &= mv;
			mv = 0xffff;
		}
		p->insns[pc] = in;
	}
	jitk_insn *e = &p->insns[B];
	e[0] = mk(BPF_ST, 0, 0, 0);
	e[1] = mk(BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 * p->sel);
	e[2] = mk(BPF_JMP | BPF_JSET | BPF_K, 0, 3, 1);
	e[3] = mk(BPF_LD | BPF_MEM, 0, 0, 0);
	e[4] = mk(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 16);
	e[5] = mk(BPF_JMP | BPF_JA, 0, 0, 2);
	e[6] = mk(BPF_LD | BPF_MEM, 0, 0, 0);
	e[7] = mk(BPF_ALU | BPF_AND | BPF_K, 0, 0, 0xffff);
	e[8] = mk(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
	e[9] = mk(BPF_RET | BPF_K, 0, 0, JITK_RET_TRAP);
	e[10] = mk(BPF_ALU | BPF_OR | BPF_K, 0, 0, JITK_RET_TRAP);
	e[11] = mk(BPF_RET | BPF_A, 0, 0, 0);
}

/* ---------------------------------------------------------- one input */

struct input {
	enum kexec_abi abi;
	unsigned site;
	uint64_t nr;      /* the full rax value */
	uint64_t args[6]; /* the full registers */
};

/* A number the random run may use: everything except the two x86-64 calls
 * that skip seccomp (their low 32 bits are what counts, see the scan). */
static bool nr_allowed(enum kexec_abi abi, uint64_t nr)
{
	uint32_t lo = (uint32_t)nr;
	return abi != KEXEC_X86_64 || (lo != NR_URETPROBE && lo != NR_UPROBE);
}

static void gen_input(rng_t *r, const struct gprog *p, struct input *in)
{
	in->abi = rng_below(r, 2) ? KEXEC_X86_64 : KEXEC_I386;
	in->site = rng_below(r, NSITES);
	uint32_t nr;
	do {
		switch (rng_below(r, 8)) {
		case 0:
		case 1: nr = rng_below(r, 500); break;
		case 2: nr = JITK_X32_SYSCALL_BIT | rng_below(r, 600); break;
		case 3: nr = (uint32_t)-1 - rng_below(r, 1000); break;
		case 4: nr = interesting(r, p); break;
		default: nr = rng_u32(r); break;
		}
		in->nr = nr;
		/* Junk above bit 31 of rax: the kernel uses only eax. */
		if (in->abi == KEXEC_X86_64 && rng_below(r, 4) == 0)
			in->nr |= (uint64_t)rng_u32(r) << 32;
	} while (!nr_allowed(in->abi, in->nr));
	for (int i = 0; i < 6; i++) {
		uint64_t lo = interesting(r, p), hi = rng_below(r, 2) ? 0 : interesting(r, p);
		/* int $0x80 takes 32-bit arguments. */
		in->args[i] = in->abi == KEXEC_I386 ? lo : hi << 32 | lo;
	}
}

/* The seccomp_data the kernel builds for this call (x86-64 is little
 * endian: the low half of args[j] is word 4 + 2j). */
static void data_of(const struct input *in, uint64_t ip, struct seccomp_data *d)
{
	memset(d, 0, sizeof *d);
	d->nr = (int)(uint32_t)in->nr;
	d->arch = arch_of(in->abi);
	d->instruction_pointer = ip;
	for (int i = 0; i < 6; i++)
		d->args[i] = in->args[i];
}

static void set_half(struct input *in, unsigned sel, unsigned half)
{
	unsigned j = (sel - 4) / 2;
	in->args[j] = (in->args[j] & ~(uint64_t)1) | half;
}

/* ------------------------------------------------ parent <-> child record */

struct rec {
	struct input in;
	uint64_t ip;   /* expected instruction pointer */
	uint32_t want; /* interp_run's return value */
	kexec_outcome got;
};

#define MAXMIS 8
struct shared {
	int stage; /* 0 forked, 1 installed, 2 done */
	int install_err;
	int expect_kill; /* the last call is predicted to kill */
	int kill_survived;
	unsigned long calls, compared, kill_skipped, unspecified;
	struct rec cur; /* the call in flight */
	unsigned nmis;
	struct rec mis[MAXMIS];
};

static void add_mismatch(struct shared *sh, const struct rec *rc)
{
	if (sh->nmis < MAXMIS)
		sh->mis[sh->nmis] = *rc;
	sh->nmis++;
}

static bool outcome_matches(const struct rec *rc, const struct seccomp_data *d)
{
	const kexec_outcome *o = &rc->got;
	return o->trapped && o->code == SYS_SECCOMP_CODE && (uint32_t)o->data == (rc->want & 0xffff) &&
	       (rc->want & JITK_RET_ACTION_FULL) == JITK_RET_TRAP && o->nr == d->nr && o->arch == d->arch &&
	       o->ip == d->instruction_pointer;
}

/* Pick NSITES code sites: the binary's own stubs and copies at random
 * addresses below 4 GiB and anywhere in the 47-bit user half. */
static void map_sites(rng_t *r, kexec_site *s)
{
	s[0] = kexec_site_default();
	for (unsigned i = 1; i < NSITES; i++) {
		s[i] = s[0];
		for (int tries = 0; tries < 8; tries++) {
			uint64_t page = i == 1 ? 0x10 + rng_below(r, 0xfff00) /* < 4 GiB */
					       : 0x10 + (rng_u64(r) % 0x7fffffff0ull);
			if (kexec_site_map(page << 12, &s[i]) == 0)
				break;
		}
	}
}

/* The child: install p, issue ninputs inputs (two calls each), record. */
static _Noreturn void child_run(const struct gprog *p, uint64_t seed, unsigned ninputs, struct shared *sh)
{
	rng_t r;
	rng_seed(&r, seed);
	kexec_site sites[NSITES];
	map_sites(&r, sites);
	if (kexec_catch_sigsys() != 0)
		_exit(3);
	int e = kexec_install(p->insns, p->n);
	if (e != 0) {
		sh->install_err = -e;
		_exit(2);
	}
	/* From here on: no system call except through kexec_call. */
	sh->stage = 1;
	struct rec kill = { 0 };
	bool have_kill = false;
	for (unsigned i = 0; i < ninputs; i++) {
		struct input in;
		gen_input(&r, p, &in);
		for (unsigned half = 0; half < 2; half++) {
			set_half(&in, p->sel, half);
			struct rec rc = { .in = in, .ip = sites[in.site].ip[in.abi] };
			struct seccomp_data d;
			data_of(&in, rc.ip, &d);
			jitk_result res;
			interp_run(p->insns, p->n, &d, &res);
			rc.want = res.ret;
			if (res.ret == 0) { /* DIV by X == 0: would kill us */
				sh->kill_skipped++;
				if (!have_kill)
					kill = rc, have_kill = true;
				continue;
			}
			sh->cur = rc;
			sh->calls++;
			kexec_call(&sites[in.site], in.abi, in.nr, in.args, &rc.got);
			sh->compared++;
			sh->unspecified += res.unspecified;
			if (!outcome_matches(&rc, &d))
				add_mismatch(sh, &rc);
		}
	}
	if (have_kill) {
		sh->cur = kill;
		sh->expect_kill = 1;
		sh->stage = 2;
		kexec_call(&sites[kill.in.site], kill.in.abi, kill.in.nr, kill.in.args, &kill.got);
		/* Still alive: the kernel did not return KILL. */
		sh->kill_survived = 1;
		sh->cur = kill;
		add_mismatch(sh, &kill);
		kexec_die();
	}
	sh->stage = 2;
	kexec_die();
}

static void print_rec(const char *what, unsigned long prog, const struct gprog *p, const struct rec *rc)
{
	const struct input *in = &rc->in;
	printf("# MISMATCH (%s) program %lu (%zu insns), %s nr=%#llx ip=%#llx\n#   args", what, prog, p->n,
	       in->abi == KEXEC_X86_64 ? "syscall" : "int80", (unsigned long long)in->nr,
	       (unsigned long long)rc->ip);
	for (int i = 0; i < 6; i++)
		printf(" %#llx", (unsigned long long)in->args[i]);
	printf("\n#   interp %#x; kernel trapped=%d code=%d data=%#x nr=%d arch=%#x ip=%#llx\n", rc->want,
	       rc->got.trapped, rc->got.code, rc->got.data, rc->got.nr, rc->got.arch,
	       (unsigned long long)rc->got.ip);
	for (size_t i = 0; i < p->n; i++)
		printf("#   %3zu: code=%#06x jt=%u jf=%u k=%#x\n", i, p->insns[i].code, p->insns[i].jt,
		       p->insns[i].jf, p->insns[i].k);
}

/* One program in flight. */
struct slot {
	pid_t pid;
	unsigned long idx;
	struct shared *sh;
	struct gprog p;
};

struct totals {
	unsigned long programs, calls, compared, kill_skipped, kills, unspecified, mismatches;
};

/* Account for the child of slot s, which ended with wait status st. */
static void collect(struct slot *s, int st, struct totals *t)
{
	struct shared *sh = s->sh;
	char sbuf[64];
	if (sh->stage == 0) {
		printf("# program %lu not installed: %s, errno %d\n", s->idx,
		       kexec_status_str(st, sbuf, sizeof sbuf), sh->install_err);
		print_rec("install", s->idx, &s->p, &sh->cur);
		t->mismatches++;
		return;
	}
	t->programs++;
	t->calls += sh->calls;
	t->compared += sh->compared;
	t->kill_skipped += sh->kill_skipped;
	t->unspecified += sh->unspecified;
	bool died_sigsys = st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
	bool died_sigill = st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGILL;
	if (sh->stage == 2 && sh->expect_kill && died_sigsys && !sh->kill_survived) {
		t->kills++;
	} else if (sh->stage == 2 && !sh->expect_kill && died_sigill) {
		/* the normal end: kexec_die */
	} else if (!sh->kill_survived) {
		/* Died in the middle: the call in flight is the culprit. */
		printf("# program %lu: child ended with %s at stage %d\n", s->idx,
		       kexec_status_str(st, sbuf, sizeof sbuf), sh->stage);
		print_rec("death", s->idx, &s->p, &sh->cur);
		t->mismatches++;
	}
	for (unsigned m = 0; m < sh->nmis && m < MAXMIS; m++)
		print_rec("value", s->idx, &s->p, &sh->mis[m]);
	t->mismatches += sh->nmis;
}

#define NPAR 2 /* children in flight: one per core */

static void differential_random(void **state)
{
	(void)state;
	uint64_t seed = test_seed(0x1f2e3d4c5b6a7988ull);
	unsigned long nprog = test_scaled(10000);
	const unsigned ninputs = 120;
	printf("# seed %#llx, %lu programs x %u inputs x 2 halves\n", (unsigned long long)seed, nprog,
	       ninputs);
	static struct slot slots[NPAR];
	for (int i = 0; i < NPAR; i++) {
		slots[i].pid = 0;
		slots[i].sh = kexec_shared(sizeof *slots[i].sh);
		assert_non_null(slots[i].sh);
	}
	struct totals t = { 0 };
	unsigned long insns = 0, op_count[INSN__COUNT] = { 0 };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rng_t r;
	rng_seed(&r, seed);
	unsigned long next = 0;
	int active = 0;
	while (active > 0 || (next < nprog && t.mismatches <= 20)) {
		/* Fill the free slots. */
		for (int i = 0; i < NPAR && next < nprog && t.mismatches <= 20; i++) {
			struct slot *s = &slots[i];
			if (s->pid)
				continue;
			gen_program(&r, &s->p);
			uint64_t cseed = rng_u64(&r);
			for (size_t j = 0; j < s->p.n; j++)
				op_count[insn_op_of(s->p.insns[j].code)]++;
			insns += s->p.n;
			memset(s->sh, 0, sizeof *s->sh);
			s->idx = next++;
			pid_t pid = kexec_fork(60);
			assert_true(pid >= 0);
			if (pid == 0)
				child_run(&s->p, cseed, ninputs, s->sh);
			s->pid = pid;
			active++;
		}
		int st;
		pid_t w = waitpid(-1, &st, 0);
		if (w < 0) {
			assert_int_equal(errno, EINTR);
			continue;
		}
		for (int i = 0; i < NPAR; i++) {
			if (slots[i].pid == w) {
				collect(&slots[i], st, &t);
				slots[i].pid = 0;
				active--;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# %lu programs (%lu insns) accepted by the kernel; %lu calls compared "
	       "(%lu inputs x 2 halves), %lu with a shift by X >= 32\n",
	       t.programs, insns, t.compared, t.compared / 2, t.unspecified);
	printf("# %lu kill predictions skipped, %lu confirmed by a SIGSYS death; "
	       "%lu disagreements; %.1f s\n",
	       t.kill_skipped, t.kills, t.mismatches, secs);
	for (int i = 0; i < NPAR; i++)
		kexec_shared_free(slots[i].sh, sizeof *slots[i].sh);
	/* Every seccomp opcode was exercised. */
	for (int op = 0; op < INSN__COUNT; op++) {
		if (insn_info[op].seccomp && op_count[op] == 0)
			printf("# opcode %s never generated\n", insn_info[op].name);
		if (insn_info[op].seccomp && nprog >= 1000)
			assert_true(op_count[op] > 0);
	}
	assert_int_equal(t.mismatches, 0);
	assert_int_equal(t.programs, nprog);
	if (nprog >= 10000)
		assert_true(t.compared / 2 >= 1000000);
	assert_true(t.kills > 0 || nprog < 100);
}

/* ------------------------------------------------- explicit kernel facts */

/* Run calls[0..n) in a child under filter f; results into out[]; returns the
 * child's wait status.  *ncalls receives how many calls returned. */
struct probe_shm {
	unsigned started, returned;
	kexec_outcome out[64];
};

static int probe(const jitk_insn *f, size_t nf, const struct input *calls, unsigned n, struct probe_shm *sh)
{
	memset(sh, 0, sizeof *sh);
	pid_t pid = kexec_fork(10);
	assert_true(pid >= 0);
	if (pid == 0) {
		kexec_site s = kexec_site_default();
		if (kexec_catch_sigsys() != 0 || kexec_install(f, nf) != 0)
			_exit(2);
		for (unsigned i = 0; i < n && i < 64; i++) {
			sh->started = i + 1;
			kexec_call(&s, calls[i].abi, calls[i].nr, calls[i].args, &sh->out[i]);
			sh->returned = i + 1;
		}
		kexec_die();
	}
	return kexec_wait(pid);
}

static bool died_of(int st, int sig)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

/* DIV by X == 0 stops the filter with return value 0 = KILL_THREAD: the
 * (single-threaded) caller dies of SIGSYS; with X != 0 the same program
 * reaches its RET. */
static void div_by_zero_kills(void **state)
{
	(void)state;
	struct probe_shm *sh = kexec_shared(sizeof *sh);
	/* A = 1000; X = args[0] low; A /= X; return TRAP | A */
	const jitk_insn f[] = {
		mk(BPF_LD | BPF_W | BPF_ABS, 0, 0, 16),
		mk(BPF_MISC | BPF_TAX, 0, 0, 0),
		mk(BPF_LD | BPF_W | BPF_IMM, 0, 0, 1000),
		mk(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0),
		mk(BPF_ALU | BPF_OR | BPF_K, 0, 0, JITK_RET_TRAP),
		mk(BPF_RET | BPF_A, 0, 0, 0),
	};
	struct input calls[3] = {
		{ KEXEC_X86_64, 0, 39, { 7 } },
		{ KEXEC_I386, 0, 20, { 10 } },
		{ KEXEC_X86_64, 0, 39, { 0 } },
	};
	int st = probe(f, 6, calls, 3, sh);
	assert_true(died_of(st, SIGSYS));
	assert_int_equal(sh->started, 3);
	assert_int_equal(sh->returned, 2);
	assert_true(sh->out[0].trapped);
	assert_int_equal(sh->out[0].data, 1000 / 7);
	assert_int_equal(sh->out[1].data, 1000 / 10);
	/* The interpreter says the same. */
	struct seccomp_data d = { .nr = 39, .arch = ARCH_X86_64 };
	jitk_result res;
	interp_run(f, 6, &d, &res);
	assert_int_equal(res.ret, 0);
	assert_int_equal(res.steps, 4);
	d.args[0] = 7;
	interp_run(f, 6, &d, &res);
	assert_int_equal(res.ret, JITK_RET_TRAP | 142);
	/* X = 0 at entry: `div x` as the first instruction always kills. */
	const jitk_insn g[] = { mk(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0),
				mk(BPF_RET | BPF_K, 0, 0, JITK_RET_TRAP | 1) };
	st = probe(g, 2, calls, 1, sh);
	assert_true(died_of(st, SIGSYS));
	assert_int_equal(sh->returned, 0);
	kexec_shared_free(sh, sizeof *sh);
}

/* x86-64 uretprobe (335) and uprobe (336) skip every seccomp filter
 * (seccomp_uprobe_exception via the action cache, kernel 6.11+/6.18): the
 * call runs even under "trap everything".  Only the native arch and the
 * exact numbers are exempt; rax bits above 31 are ignored, so
 * 0x1_0000_014f is also uretprobe. */
static void uprobe_calls_skip_filters(void **state)
{
	(void)state;
	struct probe_shm *sh = kexec_shared(sizeof *sh);
	const jitk_insn trap[] = { mk(BPF_RET | BPF_K, 0, 0, JITK_RET_TRAP | 0x5a) };

	/* uprobe outside a uprobe trampoline: -ENXIO, no SIGSYS. */
	for (int junk = 0; junk < 2; junk++) {
		struct input c = { KEXEC_X86_64, 0, (junk ? 0xabcd00000000ull : 0) | NR_UPROBE, { 0 } };
		int st = probe(trap, 1, &c, 1, sh);
		assert_true(died_of(st, SIGILL)); /* kexec_die: the normal end */
		assert_int_equal(sh->returned, 1);
		printf("# x86-64 nr %#llx (uprobe): %s, ret %lld\n", (unsigned long long)c.nr,
		       sh->out[0].trapped ? "trapped" : "NOT FILTERED", (long long)sh->out[0].ret);
		if (!sh->out[0].trapped)
			assert_int_equal(sh->out[0].ret, -ENXIO);
	}
	/* uretprobe outside the trampoline: the kernel sends SIGILL and the
	 * call never returns. */
	for (int junk = 0; junk < 2; junk++) {
		struct input c = { KEXEC_X86_64, 0, (junk ? 0x100000000ull : 0) | NR_URETPROBE, { 0 } };
		int st = probe(trap, 1, &c, 1, sh);
		bool bypassed = sh->returned == 0 && died_of(st, SIGILL);
		printf("# x86-64 nr %#llx (uretprobe): %s\n", (unsigned long long)c.nr,
		       bypassed ? "NOT FILTERED (ran, SIGILL)" : "trapped");
		if (!bypassed) {
			assert_int_equal(sh->returned, 1);
			assert_true(sh->out[0].trapped);
		}
	}
	/* Not exempt: the i386 numbers 335/336 and the x32 forms. */
	struct input c[4] = {
		{ KEXEC_I386, 0, NR_URETPROBE, { 0 } },
		{ KEXEC_I386, 0, NR_UPROBE, { 0 } },
		{ KEXEC_X86_64, 0, JITK_X32_SYSCALL_BIT | NR_URETPROBE, { 0 } },
		{ KEXEC_X86_64, 0, JITK_X32_SYSCALL_BIT | NR_UPROBE, { 0 } },
	};
	int st = probe(trap, 1, c, 4, sh);
	assert_true(died_of(st, SIGILL));
	assert_int_equal(sh->returned, 4);
	for (int i = 0; i < 4; i++) {
		assert_true(sh->out[i].trapped);
		assert_int_equal(sh->out[i].data, 0x5a);
		assert_int_equal(sh->out[i].nr, (int)(uint32_t)c[i].nr);
	}
	kexec_shared_free(sh, sizeof *sh);
}

/* Every other number reaches the filter, on both entry paths: a scan of the
 * low numbers, the x32 range, negative numbers, the sign boundary and random
 * values; each call must trap with the nr and arch the filter saw.  Calls
 * that were not trapped (they ran!) are listed. */
struct scan_shm {
	unsigned long done, trapped;
	int in_flight_abi;
	uint64_t in_flight;
	unsigned nbad;
	struct {
		int abi;
		uint64_t nr;
		kexec_outcome o;
	} bad[16];
};

static void scan_push(struct scan_shm *sh, int abi, uint64_t nr, const kexec_outcome *o)
{
	if (sh->nbad < 16) {
		sh->bad[sh->nbad].abi = abi;
		sh->bad[sh->nbad].nr = nr;
		sh->bad[sh->nbad].o = *o;
	}
	sh->nbad++;
}

static void scan_one(struct scan_shm *sh, const kexec_site *s, enum kexec_abi abi, uint64_t nr)
{
	if (!nr_allowed(abi, nr))
		return;
	/* Arguments that make any call that did run fail harmlessly: kernel
	 * addresses for pointers, huge values for the rest. */
	static const uint64_t args[6] = { 0xffffffffff000000ull, 0xffffffffff000000ull,
					  0xffffffffff000000ull, 0xffffffffff000000ull,
					  0xffffffffff000000ull, 0xffffffffff000000ull };
	static const uint64_t args32[6] = { 0xfffff000u, 0xfffff000u, 0xfffff000u,
					    0xfffff000u, 0xfffff000u, 0xfffff000u };
	kexec_outcome o;
	sh->in_flight_abi = abi;
	sh->in_flight = nr;
	kexec_call(s, abi, nr, abi == KEXEC_I386 ? args32 : args, &o);
	sh->done++;
	if (o.trapped && o.code == SYS_SECCOMP_CODE && o.data == 0x77 && o.nr == (int)(uint32_t)nr &&
	    o.arch == arch_of(abi) && o.ip == s->ip[abi])
		sh->trapped++;
	else
		scan_push(sh, abi, nr, &o);
}

static void scan_number_space(void **state)
{
	(void)state;
	struct scan_shm *sh = kexec_shared(sizeof *sh);
	const jitk_insn trap[] = { mk(BPF_RET | BPF_K, 0, 0, JITK_RET_TRAP | 0x77) };
	pid_t pid = kexec_fork(60);
	assert_true(pid >= 0);
	if (pid == 0) {
		kexec_site s = kexec_site_default();
		rng_t r;
		rng_seed(&r, test_seed(99));
		if (kexec_catch_sigsys() != 0 || kexec_install(trap, 1) != 0)
			_exit(2);
		for (int abi = 0; abi < 2; abi++) {
			for (uint32_t n = 0; n < 1024; n++) {
				scan_one(sh, &s, abi, n);
				scan_one(sh, &s, abi, JITK_X32_SYSCALL_BIT | n);
				scan_one(sh, &s, abi, (uint32_t)-1 - n);
				scan_one(sh, &s, abi, 0x7ffffe00u + n); /* across INT_MAX/INT_MIN */
			}
			for (int i = 0; i < 20000; i++)
				scan_one(sh, &s, abi, rng_u32(&r));
		}
		kexec_die();
	}
	int st = kexec_wait(pid);
	char b[64];
	printf("# scan: %lu calls, %lu trapped as expected, %u not; child %s\n", sh->done, sh->trapped,
	       sh->nbad, kexec_status_str(st, b, sizeof b));
	for (unsigned i = 0; i < sh->nbad && i < 16; i++)
		printf("#   %s nr %#llx: trapped=%d ret=%lld nr=%d arch=%#x\n",
		       sh->bad[i].abi ? "i386" : "x86_64", (unsigned long long)sh->bad[i].nr,
		       sh->bad[i].o.trapped, (long long)sh->bad[i].o.ret, sh->bad[i].o.nr, sh->bad[i].o.arch);
	if (!died_of(st, SIGILL))
		printf("#   died during %s nr %#llx\n", sh->in_flight_abi ? "i386" : "x86_64",
		       (unsigned long long)sh->in_flight);
	assert_true(died_of(st, SIGILL));
	assert_int_equal(sh->nbad, 0);
	assert_true(sh->done > 2 * 4 * 1024);
	kexec_shared_free(sh, sizeof *sh);
}

/* int $0x80 from 64-bit code: the filter sees the whole 64-bit registers as
 * arguments (kernel 6.18: syscall_get_arguments copies regs->bx etc.), so on
 * the i386 arch the high argument words are NOT always 0.  The i386 system
 * call itself uses only the low 32 bits. */
static void int80_high_halves(void **state)
{
	(void)state;
	struct probe_shm *sh = kexec_shared(sizeof *sh);
	for (int j = 0; j < 6; j++) {
		/* return TRAP | (args[j] high & 0xffff) */
		const jitk_insn f[] = {
			mk(BPF_LD | BPF_W | BPF_ABS, 0, 0, 20 + 8 * (uint32_t)j),
			mk(BPF_ALU | BPF_AND | BPF_K, 0, 0, 0xffff),
			mk(BPF_ALU | BPF_OR | BPF_K, 0, 0, JITK_RET_TRAP),
			mk(BPF_RET | BPF_A, 0, 0, 0),
		};
		struct input c = { KEXEC_I386, 0, 20, { 0 } };
		for (int i = 0; i < 6; i++)
			c.args[i] = (uint64_t)(0x1230u + (unsigned)i) << 32 | (0x40u + (unsigned)i);
		int st = probe(f, 4, &c, 1, sh);
		assert_true(died_of(st, SIGILL));
		assert_true(sh->out[0].trapped);
		assert_int_equal(sh->out[0].arch, ARCH_I386);
		int seen = sh->out[0].data;
		if (j == 0)
			printf("# int $0x80 with rbx = %#llx: the filter sees args[0] high = %#x\n",
			       (unsigned long long)c.args[0], seen);
		/* Either the register's upper half (6.18) or 0 (zero-extending
		 * kernels); never anything else. */
		assert_true(seen == 0x1230 + j || seen == 0);
	}
	kexec_shared_free(sh, sizeof *sh);
}

/* The vsyscall page (time at 0xffffffffff600400, gettimeofday at ...600000)
 * is emulated by the kernel and goes through seccomp with the native nr and
 * the page's address as instruction pointer. */
static void vsyscall_is_filtered(void **state)
{
	(void)state;
	FILE *m = fopen("/proc/self/maps", "r");
	assert_non_null(m);
	char line[256];
	bool present = false;
	while (fgets(line, sizeof line, m))
		if (strstr(line, "[vsyscall]") && strstr(line, "x"))
			present = true;
	fclose(m);
	if (!present)
		skip();
	struct probe_shm *sh = kexec_shared(sizeof *sh);
	const jitk_insn trap[] = { mk(BPF_RET | BPF_K, 0, 0, JITK_RET_TRAP | 0x33) };
	pid_t pid = kexec_fork(10);
	if (pid == 0) {
		if (kexec_catch_sigsys() != 0 || kexec_install(trap, 1) != 0)
			_exit(2);
		kexec_call_fn(0xffffffffff600400ull, 0, &sh->out[0]);
		kexec_call_fn(0xffffffffff600000ull, 0, &sh->out[1]);
		sh->returned = 2;
		kexec_die();
	}
	int st = kexec_wait(pid);
	assert_true(died_of(st, SIGILL));
	assert_int_equal(sh->returned, 2);
	const int nrs[2] = { 201, 96 }; /* time, gettimeofday */
	const uint64_t ips[2] = { 0xffffffffff600400ull, 0xffffffffff600000ull };
	for (int i = 0; i < 2; i++) {
		assert_true(sh->out[i].trapped);
		assert_int_equal(sh->out[i].data, 0x33);
		assert_int_equal(sh->out[i].nr, nrs[i]);
		assert_int_equal(sh->out[i].arch, ARCH_X86_64);
		assert_int_equal(sh->out[i].ip, ips[i]);
	}
	kexec_shared_free(sh, sizeof *sh);
}

int main(void)
{
#if !defined(__x86_64__)
	printf("# x86-64 only\n");
	return 0;
#endif
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(div_by_zero_kills),
		cmocka_unit_test(uprobe_calls_skip_filters),
		cmocka_unit_test(scan_number_space),
		cmocka_unit_test(int80_high_halves),
		cmocka_unit_test(vsyscall_is_filtered),
		cmocka_unit_test(differential_random),
	};
	/* clang-format on */
	return cmocka_run_group_tests_name("interp_kernel", tests, NULL, NULL);
}
