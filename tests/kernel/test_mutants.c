/* test_mutants.c - the verifier against mutants of real compiled filters.
 *
 * Every .scpl file in policies/ (and one level of subdirectories) is
 * compiled, and
 * its filter mutated the ways generators and hand edits go wrong: jt/jf
 * flipped, constants +-1, actions swapped, instructions dropped or
 * duplicated (jumps fixed up), load offsets changed, the x32 guard removed,
 * 64-bit compares cut to their low half.  For each mutant:
 *   - the checker may refuse it: then jitk_verify must say JITK_E_CHECK;
 *   - otherwise sampled inputs run through the interpreter and the policy
 *     evaluator; if any tells them apart, jitk_verify must report
 *     JITK_E_DIFFERENT with a counterexample that replays; it must never
 *     say "equal" when a test input tells them apart, nor time out.
 * Then random pairs of small policies: jitk_equiv's list of differing
 * (arch, nr) must contain every pair a sampled input tells apart.
 * A plain user-space test, here because it is heavy (not run under ASan). */
#include "testlib.h"
#include "policy.h"
#include "insn.h"

#include <dirent.h>
#include <linux/audit.h>
#include <sys/stat.h>
#include <time.h>

#define NSAMPLES 160

/* ---------------------------------------------------- input sampling */

struct sampler {
	int nrs[JITK_ARCH__COUNT][512];
	size_t nnrs[JITK_ARCH__COUNT];
	uint64_t vals[256];
	size_t nvals;
};

static void collect_cond(struct sampler *s, const struct pol_cond *q)
{
	if (!q)
		return;
	if (q->kind == POL_CMP) {
		if (s->nvals < 256)
			s->vals[s->nvals++] = q->value;
		if (s->nvals < 256 && q->mask != ~0ull)
			s->vals[s->nvals++] = q->mask;
		return;
	}
	collect_cond(s, q->l);
	collect_cond(s, q->r);
}

static void sampler_init(struct sampler *s, const jitk_policy *p)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			for (size_t k = 0; k < r->nnrs[a] && s->nnrs[a] < 512; k++)
				s->nrs[a][s->nnrs[a]++] = r->nrs[a][k];
		collect_cond(s, r->cond);
	}
}

static const uint32_t abi_audit[JITK_ARCH__COUNT] = {
	[JITK_ARCH_X86_64] = AUDIT_ARCH_X86_64,
	[JITK_ARCH_I386] = AUDIT_ARCH_I386,
	[JITK_ARCH_X32] = AUDIT_ARCH_X86_64,
	[JITK_ARCH_AARCH64] = AUDIT_ARCH_AARCH64,
};

static uint64_t sample_arg(rng_t *r, const struct sampler *s)
{
	uint64_t v;
	switch (rng_below(r, 6)) {
	case 0: v = rng_below(r, 4); break;
	case 1: v = rng_u64(r); break;
	default: v = s->nvals ? s->vals[rng_below(r, (uint32_t)s->nvals)] : rng_below(r, 16); break;
	}
	switch (rng_below(r, 6)) {
	case 0: v += 1; break;
	case 1: v -= 1; break;
	case 2: v ^= (uint64_t)rng_u32(r) << 32; break; /* junk high half */
	case 3: v |= 1ull << rng_below(r, 64); break;
	default: break;
	}
	return v;
}

static void sample_input(rng_t *r, const struct sampler *s, const jitk_policy *p, struct seccomp_data *in)
{
	memset(in, 0, sizeof *in);
	int a = (int)rng_below(r, JITK_ARCH__COUNT);
	unsigned how = rng_below(r, 10);
	if (how < 7 && p->arch[a] && s->nnrs[a]) {
		in->arch = abi_audit[a];
		in->nr = s->nrs[a][rng_below(r, (uint32_t)s->nnrs[a])];
		if (how == 0)
			in->nr += (int)rng_below(r, 3) - 1;
	} else {
		static const uint32_t archs[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64,
						  AUDIT_ARCH_ARM, 0 };
		in->arch = rng_below(r, 8) ? archs[rng_below(r, 5)] : rng_u32(r);
		in->nr = (int)rng_below(r, 460);
		if (rng_below(r, 3) == 0)
			in->nr = (int)((uint32_t)in->nr | JITK_X32_SYSCALL_BIT);
		if (rng_below(r, 10) == 0)
			in->nr = (int)rng_u32(r);
	}
	in->instruction_pointer = rng_below(r, 2) ? rng_u64(r) : 0;
	for (int i = 0; i < 6; i++)
		in->args[i] = sample_arg(r, s);
}

static uint32_t run_filter(const jitk_filter *f, const struct seccomp_data *in)
{
	jitk_result res;
	assert_int_equal(jitk_interp(f, in, &res), JITK_OK);
	return res.ret;
}

/* ------------------------------------------------------------ mutants */

enum mkind { M_FLIP, M_CONST, M_SWAP_ACTION, M_DROP, M_DUP, M_LOAD, M_X32, M_CUT64, M__COUNT };
static const char *const mkind_name[M__COUNT] = {
	"flip jt/jf",     "constant +-1", "swap actions",      "drop insn",
	"duplicate insn", "load offset",  "x32 guard removed", "64-bit cut to 32",
};

static bool is_cond(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* Rewrite the jump x, which moved from old pc p to new pc np, so that each
 * old target t lands on the new index map(t): t' = t > at ? t + delta : t.
 * False if a conditional offset no longer fits in 8 bits. */
static bool remap(jitk_insn *x, size_t p, size_t np, size_t at, int delta)
{
	if (BPF_CLASS(x->code) != BPF_JMP)
		return true;
	if (BPF_OP(x->code) == BPF_JA) {
		uint64_t t = p + 1 + (uint64_t)x->k;
		uint64_t nt = t > at ? t + (uint64_t)(int64_t)delta : t;
		x->k = (uint32_t)(nt - np - 1);
		return true;
	}
	size_t tt = p + 1 + x->jt, tf = p + 1 + x->jf;
	size_t ntt = tt > at ? tt + (size_t)(ptrdiff_t)delta : tt;
	size_t ntf = tf > at ? tf + (size_t)(ptrdiff_t)delta : tf;
	if (ntt - np - 1 > 255 || ntf - np - 1 > 255)
		return false;
	x->jt = (uint8_t)(ntt - np - 1);
	x->jf = (uint8_t)(ntf - np - 1);
	return true;
}

/* f without instruction at; a jump to it now goes to its successor. */
static bool drop_insn(const jitk_insn *f, size_t n, size_t at, jitk_insn *m)
{
	size_t j = 0;
	for (size_t p = 0; p < n; p++) {
		if (p == at)
			continue;
		m[j] = f[p];
		if (!remap(&m[j], p, j, at, -1))
			return false;
		j++;
	}
	return true;
}

/* f with instruction at doubled.  Jumps elsewhere are fixed up; the copy
 * keeps its relative offsets, so it reaches the same instructions; the
 * original keeps its offsets too, so it now lands one instruction early
 * (a jump to its successor runs the copy) -- a doubled ALU step, a doubled
 * test, or a jump landing short, as a careless hand edit would make. */
static bool dup_insn(const jitk_insn *f, size_t n, size_t at, jitk_insn *m)
{
	size_t j = 0;
	for (size_t p = 0; p < n; p++) {
		m[j] = f[p];
		if (p != at && !remap(&m[j], p, j, at, +1))
			return false;
		j++;
		if (p == at)
			m[j++] = f[p];
	}
	return true;
}

/* Make one mutant of f in m (capacity n + 1); false if this kind has no
 * site here.  *len is the mutant's length. */
static bool mutate(rng_t *r, enum mkind kind, const jitk_insn *f, size_t n, jitk_insn *m, size_t *len)
{
	memcpy(m, f, n * sizeof *f);
	*len = n;
	size_t sites[4096], ns = 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t c = f[i].code;
		bool ok = false;
		switch (kind) {
		case M_FLIP: ok = is_cond(c) && f[i].jt != f[i].jf; break;
		case M_CONST:
			ok = (BPF_CLASS(c) == BPF_JMP && BPF_OP(c) != BPF_JA && BPF_SRC(c) == BPF_K) ||
			     BPF_CLASS(c) == BPF_ALU || c == (BPF_RET | BPF_K) || c == (BPF_LD | BPF_IMM);
			break;
		case M_SWAP_ACTION: ok = c == (BPF_RET | BPF_K); break;
		case M_DROP: ok = i + 1 < n; break;
		case M_DUP: ok = true; break;
		case M_LOAD: ok = c == (BPF_LD | BPF_W | BPF_ABS); break;
		case M_X32: ok = is_cond(c) && BPF_SRC(c) == BPF_K && f[i].k == JITK_X32_SYSCALL_BIT; break;
		case M_CUT64:
			/* ld [hi word of an argument] followed by a K jump */
			ok = c == (BPF_LD | BPF_W | BPF_ABS) && f[i].k >= 20 && f[i].k % 8 == 4 &&
			     i + 1 < n && is_cond(f[i + 1].code) && BPF_SRC(f[i + 1].code) == BPF_K;
			break;
		default: break;
		}
		if (ok)
			sites[ns++] = i;
	}
	if (ns == 0)
		return false;
	size_t i = sites[rng_below(r, (uint32_t)ns)];
	switch (kind) {
	case M_FLIP: {
		uint8_t t = m[i].jt;
		m[i].jt = m[i].jf;
		m[i].jf = t;
		break;
	}
	case M_CONST:
		m[i].k += rng_below(r, 2) ? 1 : (uint32_t)-1;
		if (BPF_CLASS(m[i].code) == BPF_ALU &&
		    (BPF_OP(m[i].code) == BPF_LSH || BPF_OP(m[i].code) == BPF_RSH))
			m[i].k &= 31;
		break;
	case M_SWAP_ACTION: {
		size_t j = sites[rng_below(r, (uint32_t)ns)];
		if (m[i].k == m[j].k)
			m[i].k ^= 1 + rng_below(r, 3); /* a different data value */
		else
			m[i].k = m[j].k;
		break;
	}
	case M_DROP: *len = n - 1; return drop_insn(f, n, i, m);
	case M_DUP: *len = n + 1; return dup_insn(f, n, i, m);
	case M_LOAD:
		/* another word, or (a quarter of the time) an unaligned or
		 * out-of-range offset that the checker must refuse */
		if (rng_below(r, 4))
			m[i].k = (m[i].k + 4 * (1 + rng_below(r, 15))) % 64;
		else
			m[i].k += rng_below(r, 2) ? 1 + rng_below(r, 3) : 64;
		break;
	case M_X32:
		m[i].jt = m[i].jf = 0; /* the test no longer branches */
		break;
	case M_CUT64:
		m[i] = (jitk_insn){ BPF_LD | BPF_IMM, 0, 0, m[i + 1].k }; /* "hi is as expected" */
		break;
	default: return false;
	}
	return true;
}

struct counts {
	unsigned long mutants, rejected, differing, caught, equivalent, smt_only;
	unsigned long by_kind[M__COUNT][3]; /* rejected, caught, equivalent */
};

static void check_mutant(const jitk_policy *p, const struct sampler *s, rng_t *r, const jitk_insn *m,
			 size_t n, enum mkind kind, struct counts *c, const char *name)
{
	jitk_filter *f = test_filter(m, n);
	jitk_cex x;
	jitk_diag d;
	c->mutants++;
	if (jitk_check(f, NULL) != JITK_OK) {
		jitk_err err = jitk_verify(p, f, 0, &x, &d);
		if (err != JITK_E_CHECK && err != JITK_E_TOO_BIG)
			fail_msg("%s: %s mutant refused by the checker but verify says %d", name,
				 mkind_name[kind], err);
		c->rejected++;
		c->by_kind[kind][0]++;
		jitk_filter_free(f);
		return;
	}
	bool differs = false;
	struct seccomp_data in;
	for (int k = 0; k < NSAMPLES && !differs; k++) {
		sample_input(r, s, p, &in);
		differs = run_filter(f, &in) != jitk_policy_eval(p, &in);
	}
	memset(&x, 0, sizeof x);
	jitk_err err = jitk_verify(p, f, 0, &x, &d);
	if (err == JITK_E_DIFFERENT) {
		c->caught++;
		c->by_kind[kind][1]++;
		c->smt_only += !differs;
		/* the witness replays */
		assert_int_equal(x.left, jitk_policy_eval(p, &x.in));
		assert_int_equal(x.right, run_filter(f, &x.in));
		assert_int_not_equal(x.left, x.right);
	} else if (err == JITK_OK) {
		if (differs)
			fail_msg("%s: %s mutant proved equal but input (arch 0x%x nr %d) tells it apart",
				 name, mkind_name[kind], in.arch, in.nr);
		c->equivalent++;
		c->by_kind[kind][2]++;
	} else {
		fail_msg("%s: %s mutant: verify error %d: %s", name, mkind_name[kind], err, d.msg);
	}
	c->differing += differs;
	jitk_filter_free(f);
}

/* The .scpl files in policies/ and its subdirectories, sorted. */
static size_t list_policies(char paths[][512], size_t cap)
{
	size_t n = 0;
	const char *dirs[64];
	char sub[64][512];
	size_t nd = 0;
	dirs[nd++] = "policies";
	for (size_t di = 0; di < nd; di++) {
		DIR *dp = opendir(dirs[di]);
		if (!dp)
			continue;
		struct dirent *e;
		while ((e = readdir(dp))) {
			if (e->d_name[0] == '.')
				continue;
			char path[512];
			snprintf(path, sizeof path, "%s/%s", dirs[di], e->d_name);
			struct stat st;
			if (stat(path, &st))
				continue;
			size_t l = strlen(e->d_name);
			if (S_ISDIR(st.st_mode) && di == 0 && nd < 64) {
				snprintf(sub[nd], sizeof sub[nd], "%s", path);
				dirs[nd] = sub[nd];
				nd++;
			} else if (S_ISREG(st.st_mode) && l > 5 && !strcmp(e->d_name + l - 5, ".scpl") &&
				   n < cap) {
				snprintf(paths[n++], 512, "%s", path);
			}
		}
		closedir(dp);
	}
	qsort(paths, n, 512, (int (*)(const void *, const void *))strcmp);
	return n;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void mutants_of_policies(void **state)
{
	(void)state;
	static char paths[256][512];
	size_t np = list_policies(paths, 256);
	if (np == 0)
		skip();
	rng_t r;
	uint64_t seed = test_seed(0x30a9e5);
	rng_seed(&r, seed);
	print_message("seed 0x%llx, %zu policies\n", (unsigned long long)seed, np);
	static struct sampler s;
	static jitk_insn m[4097];
	struct counts c;
	memset(&c, 0, sizeof c);
	unsigned long want_total = test_scaled(2000);
	unsigned long per = want_total / np + 1;
	size_t used = 0;
	double t0 = now_s(), tverify_max = 0;
	clock_t c0 = clock();
	for (size_t pi = 0; pi < np; pi++) {
		jitk_policy *p = NULL;
		jitk_diag d;
		jitk_err err = jitk_policy_load(paths[pi], &p, &d);
		if (err) {
			print_message("  %s: not loaded (%s), skipped\n", paths[pi], d.msg);
			continue;
		}
		jitk_compile_opts o = { .no_verify = true };
		jitk_filter *f = NULL;
		err = jitk_compile(p, &o, &f, &d);
		if (err == JITK_E_UNSUPPORTED) {
			jitk_policy_free(p);
			skip();
		}
		if (err)
			fail_msg("%s: compile: %s", paths[pi], d.msg);
		/* the unmutated filter is proved */
		double t = now_s();
		jitk_cex x;
		err = jitk_verify(p, f, 0, &x, &d);
		t = now_s() - t;
		if (t > tverify_max)
			tverify_max = t;
		if (err)
			fail_msg("%s: the compiled filter does not verify: %s", paths[pi], d.msg);
		used++;
		sampler_init(&s, p);
		const jitk_insn *fi = jitk_filter_insns(f);
		size_t n = jitk_filter_len(f);
		for (unsigned long k = 0; k < per; k++) {
			/* every kind in turn; kinds without a site here fall back to flips */
			enum mkind kind = (enum mkind)(k % M__COUNT);
			size_t len;
			if (!mutate(&r, kind, fi, n, m, &len)) {
				kind = M_CONST;
				if (!mutate(&r, kind, fi, n, m, &len))
					continue;
			}
			check_mutant(p, &s, &r, m, len, kind, &c, paths[pi]);
		}
		jitk_filter_free(f);
		jitk_policy_free(p);
	}
	if (used == 0)
		skip();
	print_message("%zu policies, %lu mutants in %.1f s, %.1f s CPU (slowest proof of an original %.3f s):\n"
		      "  rejected by the checker (verify: JITK_E_CHECK) %lu\n"
		      "  differing on sampled inputs %lu\n"
		      "  caught (JITK_E_DIFFERENT, replayed) %lu, of which only the proof saw %lu\n"
		      "  proved equivalent %lu\n",
		      used, c.mutants, now_s() - t0, (double)(clock() - c0) / CLOCKS_PER_SEC, tverify_max,
		      c.rejected, c.differing, c.caught, c.smt_only, c.equivalent);
	for (int k = 0; k < M__COUNT; k++)
		print_message("  %-20s rejected %4lu caught %4lu equivalent %4lu\n", mkind_name[k],
			      c.by_kind[k][0], c.by_kind[k][1], c.by_kind[k][2]);
	assert_true(c.mutants >= test_scaled(2000));
	assert_int_equal(c.mutants, c.rejected + c.caught + c.equivalent);
	assert_true(c.caught >= c.differing);
}

/* ------------------------------------- random pairs of small policies */

#define PR 6
#define PN 8
#define PC 24

struct tpol {
	jitk_policy p;
	struct pol_rule rules[PR];
	int nrs[PR][JITK_ARCH__COUNT][PN];
	struct pol_cond conds[PC];
	size_t ncond;
};

static const uint32_t pactions[] = { JITK_RET_ALLOW,     JITK_RET_KILL_PROCESS, JITK_RET_ERRNO | 1,
				     JITK_RET_ERRNO | 2, JITK_RET_TRAP,         JITK_RET_LOG };

static const struct pol_cond *pcond(rng_t *r, struct tpol *t, unsigned depth)
{
	if (t->ncond >= PC - 2)
		return NULL;
	struct pol_cond *q = &t->conds[t->ncond++];
	memset(q, 0, sizeof *q);
	unsigned k = depth >= 2 ? 0 : rng_below(r, 5);
	if (k >= 2) {
		q->kind = k == 2 ? POL_AND : k == 3 ? POL_OR : POL_NOT;
		q->l = pcond(r, t, depth + 1);
		q->r = q->kind == POL_NOT ? NULL : pcond(r, t, depth + 1);
		if (q->l && (q->kind == POL_NOT || q->r))
			return q;
	}
	q->kind = POL_CMP;
	q->l = q->r = NULL;
	q->arg = (uint8_t)rng_below(r, 3);
	q->low32 = rng_below(r, 2);
	q->op = (enum pol_op)rng_below(r, 6);
	q->mask = rng_below(r, 3) ? ~0ull : 0xff;
	q->value = rng_below(r, 2) ? rng_below(r, 8) : 0x100000000ull * rng_below(r, 3) + rng_below(r, 4);
	if (q->low32)
		q->value &= 0xffffffffu;
	return q;
}

static void ppolicy(rng_t *r, struct tpol *t)
{
	memset(t, 0, sizeof *t);
	t->p.arch[JITK_ARCH_X86_64] = true;
	t->p.arch[JITK_ARCH_I386] = rng_below(r, 2);
	t->p.arch[JITK_ARCH_X32] = rng_below(r, 2);
	t->p.default_action = JITK_RET_ERRNO | 38;
	t->p.foreign_action = JITK_RET_KILL_THREAD;
	t->p.nrules = 1 + rng_below(r, PR);
	t->p.rules = t->rules;
	for (size_t i = 0; i < t->p.nrules; i++) {
		struct pol_rule *ru = &t->rules[i];
		ru->action = pactions[rng_below(r, 6)];
		ru->cond = rng_below(r, 2) ? pcond(r, t, 0) : NULL;
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			int base = a == JITK_ARCH_X32 ? (int)JITK_X32_SYSCALL_BIT : 0;
			size_t n = 0;
			for (int nr = 0; nr < 12 && n < PN; nr++)
				if (rng_below(r, 4) == 0)
					t->nrs[i][a][n++] = base + nr;
			ru->nrs[a] = t->nrs[i][a];
			ru->nnrs[a] = n;
		}
	}
}

/* A small edit of a copy of a: what a policy review would compare.  The
 * arch list, default and foreign actions stay, so differences are limited
 * to the rules' numbers and jitk_equiv can list all of them. */
static void ptweak(rng_t *r, const struct tpol *a, struct tpol *b)
{
	*b = *a;
	b->p.rules = b->rules;
	for (size_t i = 0; i < b->p.nrules; i++)
		for (int k = 0; k < JITK_ARCH__COUNT; k++)
			b->rules[i].nrs[k] = b->nrs[i][k];
	/* conditions point into a's array: rebase them into b's */
	for (size_t i = 0; i < b->ncond; i++) {
		struct pol_cond *q = &b->conds[i];
		if (q->l)
			q->l = b->conds + (q->l - a->conds);
		if (q->r)
			q->r = b->conds + (q->r - a->conds);
	}
	for (size_t i = 0; i < b->p.nrules; i++)
		if (b->rules[i].cond)
			b->rules[i].cond = b->conds + (b->rules[i].cond - a->conds);
	size_t i = rng_below(r, (uint32_t)b->p.nrules);
	switch (rng_below(r, 6)) {
	case 0: b->rules[i].action = pactions[rng_below(r, 6)]; break;
	case 1: /* drop rule i */
		for (size_t j = i; j + 1 < b->p.nrules; j++)
			b->rules[j] = b->rules[j + 1];
		if (b->p.nrules > 1)
			b->p.nrules--;
		break;
	case 2: /* swap two rules: first match order */
		if (i + 1 < b->p.nrules) {
			struct pol_rule t = b->rules[i];
			b->rules[i] = b->rules[i + 1];
			b->rules[i + 1] = t;
		}
		break;
	case 3: /* a number less */
		if (b->rules[i].nnrs[JITK_ARCH_X86_64])
			b->rules[i].nnrs[JITK_ARCH_X86_64]--;
		break;
	case 4: /* a condition's constant +-1 */
		if (b->ncond) {
			struct pol_cond *q = &b->conds[rng_below(r, (uint32_t)b->ncond)];
			if (q->kind == POL_CMP)
				q->value += rng_below(r, 2) ? 1 : (uint64_t)-1;
		}
		break;
	default: break; /* unchanged: must be proved equal */
	}
}

static void policy_pairs_vs_sampling(void **state)
{
	(void)state;
	rng_t r;
	uint64_t seed = test_seed(0x9a1f5);
	rng_seed(&r, seed);
	static struct tpol a, b;
	static struct sampler s;
	unsigned long npairs = test_scaled(300), ndiff = 0, nequal = 0, listed = 0;
	jitk_cex cex[256];
	for (unsigned long it = 0; it < npairs; it++) {
		ppolicy(&r, &a);
		ptweak(&r, &a, &b);
		size_t n = 0;
		jitk_diag d;
		jitk_side sa = { .policy = &a.p }, sb = { .policy = &b.p };
		jitk_err err = jitk_equiv(sa, sb, 0, cex, 256, &n, &d);
		if (err != JITK_OK && err != JITK_E_DIFFERENT)
			fail_msg("pair %lu: equiv error %d %s", it, err, d.msg);
		assert_true(n < 256); /* the list is complete */
		for (size_t k = 0; k < n; k++) {
			assert_int_equal(cex[k].left, jitk_policy_eval(&a.p, &cex[k].in));
			assert_int_equal(cex[k].right, jitk_policy_eval(&b.p, &cex[k].in));
			assert_int_not_equal(cex[k].left, cex[k].right);
		}
		/* sampled inputs: every differing (arch, nr) must be listed */
		sampler_init(&s, &a.p);
		for (int k = 0; k < 400; k++) {
			struct seccomp_data in;
			sample_input(&r, &s, &a.p, &in);
			if (jitk_policy_eval(&a.p, &in) == jitk_policy_eval(&b.p, &in))
				continue;
			bool found = false;
			for (size_t j = 0; j < n && !found; j++)
				found = cex[j].in.arch == in.arch && cex[j].in.nr == in.nr;
			if (!found)
				fail_msg("seed 0x%llx pair %lu: input arch 0x%x nr %d differs but jitk_equiv "
					 "(%d, %zu listed) does not list it",
					 (unsigned long long)seed, it, in.arch, in.nr, err, n);
		}
		if (err == JITK_OK)
			nequal++;
		else
			ndiff++;
		listed += n;
	}
	print_message("%lu policy pairs: %lu equivalent, %lu different (%lu (arch, nr) listed)\n", npairs,
		      nequal, ndiff, listed);
	assert_true(ndiff > 0 && nequal > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_pairs_vs_sampling),
		cmocka_unit_test(mutants_of_policies),
	};
	return cmocka_run_group_tests_name("mutants", tests, NULL, NULL);
}
