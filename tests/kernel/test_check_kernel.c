/* test_check_kernel.c - the checker against the running kernel's seccomp(2).
 *
 * The kernel is the oracle (tests/support/oracle.h): for every program,
 * check_insns() must accept exactly when seccomp(SECCOMP_SET_MODE_FILTER)
 * does, and every rejection must be EINVAL.  Programs come from progen
 * (edge-biased) plus the hand-written facts the unit tests rely on.
 * JITK_SEED replays a run, JITK_TEST_SCALE scales the program count. */
#include "testlib.h"
#include "check.h"
#include "oracle.h"
#include "progen.h"

#include <errno.h>
#include <linux/filter.h>
#include <sys/prctl.h>
#include <time.h>

/* Programs compared with the kernel in the main differential test. */
#define CHECK_KERNEL_PROGRAMS 100000ul
/* Valid-mode programs, to confirm progen's PROGEN_VALID promise. */
#define CHECK_KERNEL_VALID 10000ul
/* Programs per oracle batch. */
#define BATCH 500u

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_prog(const jitk_insn *p, size_t n)
{
	size_t shown = n > 64 ? 64 : n;
	for (size_t i = 0; i < shown; i++)
		printf("    %4zu: %04x %02x %02x %08x\n", i, (unsigned)p[i].code, (unsigned)p[i].jt,
		       (unsigned)p[i].jf, (unsigned)p[i].k);
	if (shown < n)
		printf("    ... %zu more; last: %04x %02x %02x %08x\n", n - shown, (unsigned)p[n - 1].code,
		       (unsigned)p[n - 1].jt, (unsigned)p[n - 1].jf, (unsigned)p[n - 1].k);
}

/* Rule ids in the kernel's order, plus "accepted", for the tallies. */
static const char *const rules[] = {
	"accepted",
	CHECK_RULE_LENGTH,
	CHECK_RULE_OPCODE,
	CHECK_RULE_DIV_BY_ZERO,
	CHECK_RULE_SHIFT_RANGE,
	CHECK_RULE_MEM_INDEX,
	CHECK_RULE_JUMP_RANGE,
	CHECK_RULE_LD_ABS_RANGE,
	CHECK_RULE_LAST_NOT_RET,
	CHECK_RULE_MEM_UNINIT,
	CHECK_RULE_SECCOMP_OPCODE,
	CHECK_RULE_SECCOMP_LOAD,
};
#define NRULES (sizeof rules / sizeof rules[0])

static size_t rule_index(const char *rule)
{
	for (size_t i = 1; i < NRULES; i++)
		if (strcmp(rules[i], rule) == 0)
			return i;
	fail_msg("unknown rule id \"%s\"", rule);
	return 0;
}

struct tally {
	unsigned long programs, insns, disagree;
	unsigned long per_rule[NRULES];
};

/* Compare the checker and the kernel on n programs stored back to back in
 * pool (lengths in lens).  Prints each disagreement. */
static void compare_batch(const jitk_insn *pool, const size_t *lens, size_t n, struct tally *t)
{
	oracle_prog *progs = calloc(n, sizeof *progs);
	int *kv = calloc(n, sizeof *kv);
	assert_non_null(progs);
	assert_non_null(kv);
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		progs[i] = (oracle_prog){ pool + off, lens[i] };
		off += lens[i];
	}
	assert_int_equal(oracle_verdicts(progs, n, kv), 0);
	for (size_t i = 0; i < n; i++) {
		jitk_diag d;
		jitk_err e = check_insns(progs[i].insns, progs[i].n, &d);
		bool ours = e == JITK_OK;
		assert_true(e == JITK_OK || e == JITK_E_CHECK || e == JITK_E_TOO_BIG);
		t->programs++;
		t->insns += progs[i].n;
		t->per_rule[ours ? 0 : rule_index(d.rule)]++;
		/* Agreement: same verdict, and the kernel's rejections are EINVAL. */
		if (ours == (kv[i] == 0) && (ours || kv[i] == EINVAL))
			continue;
		if (++t->disagree <= 5) {
			printf("DISAGREE: program of %zu instructions: checker %s (%s at %ld: %s), "
			       "kernel %s (errno %d)\n",
			       progs[i].n, ours ? "accepts" : "rejects", d.rule, d.index, d.msg,
			       kv[i] == 0 ? "accepts" : "rejects", kv[i]);
			print_prog(progs[i].insns, progs[i].n);
		}
	}
	free(progs);
	free(kv);
}

static void report(const char *what, const struct tally *t, double secs)
{
	printf("%s: %lu programs (%lu instructions) in %.1f s, %lu oracle forks so far\n", what,
	       t->programs, t->insns, secs, oracle_forks());
	printf("  accepted %lu, rejected %lu, disagreements %lu\n", t->per_rule[0],
	       t->programs - t->per_rule[0], t->disagree);
	for (size_t i = 1; i < NRULES; i++)
		printf("  %-16s %lu\n", rules[i], t->per_rule[i]);
}

/* Generate count programs in batches and compare each batch. */
static void run_generated(enum progen_mode mode, unsigned long count, uint64_t seed, struct tally *t)
{
	rng_t r;
	rng_seed(&r, seed);
	jitk_insn *buf = malloc(PROGEN_MAXLEN * sizeof *buf);
	size_t cap = 1 << 16, used = 0;
	jitk_insn *pool = malloc(cap * sizeof *pool);
	size_t *lens = malloc(BATCH * sizeof *lens);
	assert_non_null(buf);
	assert_non_null(pool);
	assert_non_null(lens);
	size_t nb = 0;
	for (unsigned long i = 0; i < count; i++) {
		size_t n = progen(&r, mode, buf, PROGEN_MAXLEN);
		if (used + n > cap) {
			while (used + n > cap)
				cap *= 2;
			jitk_insn *grown = realloc(pool, cap * sizeof *pool);
			assert_non_null(grown);
			pool = grown;
		}
		memcpy(pool + used, buf, n * sizeof *buf);
		used += n;
		lens[nb++] = n;
		if (nb == BATCH || i + 1 == count) {
			compare_batch(pool, lens, nb, t);
			nb = 0;
			used = 0;
		}
	}
	free(buf);
	free(pool);
	free(lens);
}

/* The main differential test: edge-biased programs. */
static void edges_agree_with_kernel(void **state)
{
	(void)state;
	uint64_t seed = test_seed(0x5ecc0c4ec4ull);
	unsigned long count = test_scaled(CHECK_KERNEL_PROGRAMS);
	printf("seed 0x%llx (JITK_SEED to replay), %lu programs\n", (unsigned long long)seed, count);
	struct tally t = { 0 };
	double t0 = now_s();
	run_generated(PROGEN_EDGES, count, seed, &t);
	report("edges", &t, now_s() - t0);
	assert_int_equal(t.disagree, 0);
	/* The generator must reach every rule, or the comparison proves little. */
	for (size_t i = 0; i < NRULES; i++)
		if (t.per_rule[i] == 0)
			fail_msg("no program exercised \"%s\"", rules[i]);
}

/* PROGEN_VALID promises programs that the kernel accepts. */
static void valid_programs_are_accepted(void **state)
{
	(void)state;
	uint64_t seed = test_seed(0x7a11d5eedull);
	struct tally t = { 0 };
	double t0 = now_s();
	run_generated(PROGEN_VALID, test_scaled(CHECK_KERNEL_VALID), seed, &t);
	report("valid", &t, now_s() - t0);
	assert_int_equal(t.disagree, 0);
	assert_int_equal(t.per_rule[0], t.programs);
}

/* The facts the unit tests assert, confirmed on this kernel. */
static void facts_confirmed(void **state)
{
	(void)state;
	static jitk_insn big[JITK_MAXINSNS + 1];
	for (size_t i = 0; i < JITK_MAXINSNS + 1; i++)
		big[i] = I(BPF_LD | BPF_IMM, 0, 0, i);
	big[JITK_MAXINSNS - 1] = I(BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW);
	big[JITK_MAXINSNS] = I(BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW);
	static jitk_insn bigja[JITK_MAXINSNS];
	memcpy(bigja, big, sizeof bigja);
	bigja[0] = I(BPF_JMP | BPF_JA, 0, 0, JITK_MAXINSNS - 2);
	static jitk_insn bigja2[JITK_MAXINSNS];
	memcpy(bigja2, big, sizeof bigja2);
	bigja2[0] = I(BPF_JMP | BPF_JA, 0, 0, JITK_MAXINSNS - 1);

	const uint32_t AD = (uint32_t)SKF_AD_OFF;
	struct fact {
		const char *what;
		jitk_insn p[6];
		size_t n;
		bool accept;
	} facts[] = {
		{ "RET with junk jt/jf", { I(0x06, 0xff, 0xee, JITK_RET_ALLOW) }, 1, true },
		{ "unreachable code", { I(0x06, 0, 0, 0), I(0x00, 0, 0, 1), I(0x16, 0, 0, 0) }, 3, true },
		{ "RET ALLOW; LD M[3]; RET A",
		  { I(0x06, 0, 0, JITK_RET_ALLOW), I(0x60, 0, 0, 3), I(0x16, 0, 0, 0) },
		  3,
		  false },
		{ "ST M[3]; RET; LD M[3]; RET A",
		  { I(0x02, 0, 0, 3), I(0x06, 0, 0, 0), I(0x60, 0, 0, 3), I(0x16, 0, 0, 0) },
		  4,
		  true },
		{ "JA 1; LD M[5] (dead); RET", { I(0x05, 0, 0, 1), I(0x60, 0, 0, 5), I(0x06, 0, 0, 0) }, 3, true },
		{ "MOD K", { I(0x94, 0, 0, 3), I(0x16, 0, 0, 0) }, 2, false },
		{ "MOD X", { I(0x9c, 0, 0, 0), I(0x16, 0, 0, 0) }, 2, false },
		{ "XOR K, XOR X", { I(0xa4, 0, 0, 3), I(0xac, 0, 0, 0), I(0x16, 0, 0, 0) }, 3, true },
		{ "LD W ABS 60", { I(0x20, 0, 0, 60), I(0x16, 0, 0, 0) }, 2, true },
		{ "LD W ABS 62", { I(0x20, 0, 0, 62), I(0x16, 0, 0, 0) }, 2, false },
		{ "LD W ABS 64", { I(0x20, 0, 0, 64), I(0x16, 0, 0, 0) }, 2, false },
		{ "LD W ABS ancillary", { I(0x20, 0, 0, AD + SKF_AD_PROTOCOL), I(0x16, 0, 0, 0) }, 2, false },
		{ "LEN, LDX LEN with junk k", { I(0x80, 0, 0, 0), I(0x81, 0, 0, 77), I(0x16, 0, 0, 0) }, 3, true },
		{ "RET|X 0x0e", { I(0x0e, 0, 0, 0) }, 1, false },
		{ "NEG|X 0x8c", { I(0x8c, 0, 0, 0), I(0x16, 0, 0, 0) }, 2, false },
		{ "DIV K 0", { I(0x34, 0, 0, 0), I(0x16, 0, 0, 0) }, 2, false },
		{ "LSH K 31", { I(0x64, 0, 0, 31), I(0x16, 0, 0, 0) }, 2, true },
		{ "LSH K 32", { I(0x64, 0, 0, 32), I(0x16, 0, 0, 0) }, 2, false },
		{ "ST M[16]", { I(0x02, 0, 0, 16), I(0x16, 0, 0, 0) }, 2, false },
		{ "JA to last", { I(0x05, 0, 0, 1), I(0x06, 0, 0, 0), I(0x06, 0, 0, 0) }, 3, true },
		{ "JA one past", { I(0x05, 0, 0, 2), I(0x06, 0, 0, 0), I(0x06, 0, 0, 0) }, 3, false },
		{ "JEQ jt to last", { I(0x15, 1, 0, 0), I(0x06, 0, 0, 0), I(0x06, 0, 0, 0) }, 3, true },
		{ "JEQ jf one past", { I(0x15, 0, 2, 0), I(0x06, 0, 0, 0), I(0x06, 0, 0, 0) }, 3, false },
		{ "last not RET", { I(0x06, 0, 0, 0), I(0x07, 0, 0, 0) }, 2, false },
	};
	size_t nf = sizeof facts / sizeof facts[0];
	oracle_prog progs[sizeof facts / sizeof facts[0] + 5];
	bool want[sizeof facts / sizeof facts[0] + 5];
	const char *what[sizeof facts / sizeof facts[0] + 5];
	for (size_t i = 0; i < nf; i++) {
		progs[i] = (oracle_prog){ facts[i].p, facts[i].n };
		want[i] = facts[i].accept;
		what[i] = facts[i].what;
	}
	progs[nf] = (oracle_prog){ big, JITK_MAXINSNS }, want[nf] = true, what[nf] = "4096 instructions";
	progs[nf + 1] = (oracle_prog){ big, JITK_MAXINSNS + 1 }, want[nf + 1] = false,
		   what[nf + 1] = "4097 instructions";
	progs[nf + 2] = (oracle_prog){ NULL, 0 }, want[nf + 2] = false, what[nf + 2] = "0 instructions";
	progs[nf + 3] = (oracle_prog){ bigja, JITK_MAXINSNS }, want[nf + 3] = true,
		   what[nf + 3] = "JA over 4096 to last";
	progs[nf + 4] = (oracle_prog){ bigja2, JITK_MAXINSNS }, want[nf + 4] = false,
		   what[nf + 4] = "JA over 4096 one past";
	size_t n = nf + 5;
	int kv[sizeof facts / sizeof facts[0] + 5];
	assert_int_equal(oracle_verdicts(progs, n, kv), 0);
	for (size_t i = 0; i < n; i++) {
		bool kernel = kv[i] == 0, ours = check_insns(progs[i].insns, progs[i].n, NULL) == JITK_OK;
		printf("  %-32s kernel %-7s checker %s\n", what[i], kernel ? "accepts" : "rejects",
		       ours ? "accepts" : "rejects");
		if (kernel != want[i] || ours != want[i] || (!kernel && kv[i] != EINVAL))
			fail_msg("%s: expected %s, kernel errno %d, checker %s", what[i],
				 want[i] ? "accept" : "reject", kv[i], ours ? "accepts" : "rejects");
	}
}

/* The oracle itself: filters that would kill, fail or trap every syscall
 * cannot disturb it, and verdicts land on the right programs. */
static void oracle_is_robust(void **state)
{
	(void)state;
	const jitk_insn kill[] = { I(BPF_RET | BPF_K, 0, 0, JITK_RET_KILL_PROCESS) };
	const jitk_insn err[] = { I(BPF_RET | BPF_K, 0, 0, JITK_RET_ERRNO | 1) };
	const jitk_insn trap[] = { I(BPF_RET | BPF_K, 0, 0, JITK_RET_TRAP) };
	const jitk_insn bad[] = { I(0x0e, 0, 0, 0) };
	oracle_prog progs[] = { { bad, 1 },  { kill, 1 }, { bad, 1 }, { err, 1 },
				{ trap, 1 }, { bad, 1 },  { bad, 1 }, { kill, 1 } };
	int kv[8];
	assert_int_equal(oracle_verdicts(progs, 8, kv), 0);
	const int want[8] = { EINVAL, 0, EINVAL, 0, 0, EINVAL, EINVAL, 0 };
	for (int i = 0; i < 8; i++)
		assert_int_equal(kv[i], want[i]);
	assert_int_equal(oracle_verdict(kill, 1), 0);
	assert_int_equal(oracle_verdict(bad, 1), EINVAL);
	/* Too long for sock_fprog.len: answered without the kernel. */
	assert_int_equal(oracle_verdict(kill, 70000), EINVAL);
	/* And this process is still unfiltered. */
	assert_int_equal(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(oracle_is_robust),
		cmocka_unit_test(facts_confirmed),
		cmocka_unit_test(valid_programs_are_accepted),
		cmocka_unit_test(edges_agree_with_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
