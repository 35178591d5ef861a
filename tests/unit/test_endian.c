/*
 * test_endian.c - argument words per ABI byte order (docs/kernel-notes.md,
 * section 11).
 *
 * The kernel fills seccomp_data in its own byte order and `ld [k]` loads
 * the native u32 at byte k, so the low half of args[i] is the word at
 * 16 + 8i on a little-endian ABI (AUDIT_ARCH with __AUDIT_ARCH_LE) and the
 * word at 20 + 8i on a big-endian one.  The inputs here are written as the
 * sixteen words a filter reads, placed by this file's own reading of that
 * rule (word_place), never by jitk's accessors; then, on every ABI jitk
 * knows: the compiled filter (interpreter) and the semantics agree with
 * the value the words make; the proof passes; and the same filter reading
 * the other byte order's words is proved different.
 */
#include "testlib.h"
#include "insn.h"
#include "params.h"

#include <linux/audit.h>

/* The words of an input: args[i] = value on an ABI of the given order. */
static void word_place(uint32_t w[16], bool be, unsigned first, uint64_t value)
{
	w[first + (be ? 1 : 0)] = (uint32_t)value;
	w[first + (be ? 0 : 1)] = (uint32_t)(value >> 32);
}

static void data_of_words(const uint32_t w[16], struct seccomp_data *in)
{
	_Static_assert(sizeof *in == 16 * sizeof *w, "seccomp_data is 16 words");
	memcpy(in, w, sizeof *in); /* the words as this host stores them */
}

static bool audit_be(uint32_t audit)
{
	return !(audit & __AUDIT_ARCH_LE);
}

/* The rule itself, on AUDIT_ARCH values of both kinds (also ones jitk has
 * no ABI for). */
static void rule_by_audit_bit(void **state)
{
	(void)state;
	static const uint32_t le[] = { AUDIT_ARCH_X86_64,  AUDIT_ARCH_I386,   AUDIT_ARCH_AARCH64,
				       AUDIT_ARCH_PPC64LE, AUDIT_ARCH_MIPSEL, AUDIT_ARCH_RISCV64 };
	static const uint32_t be[] = { AUDIT_ARCH_PPC64,     AUDIT_ARCH_PPC,
				       AUDIT_ARCH_S390X,     AUDIT_ARCH_S390,
				       AUDIT_ARCH_MIPS,      AUDIT_ARCH_MIPS64,
				       AUDIT_ARCH_MIPS64N32, 0 };
	for (size_t i = 0; i < sizeof le / sizeof *le; i++)
		assert_false(params_audit_big_endian(le[i]));
	for (size_t i = 0; i < sizeof be / sizeof *be; i++)
		assert_true(params_audit_big_endian(be[i]));
	for (unsigned f = 0; f < 6; f++) {
		assert_int_equal(params_word(false, f, false), 4 + 2 * f); /* byte 16 + 8f */
		assert_int_equal(params_word(false, f, true), 5 + 2 * f);
		assert_int_equal(params_word(true, f, false), 5 + 2 * f); /* byte 20 + 8f */
		assert_int_equal(params_word(true, f, true), 4 + 2 * f);
	}
	assert_int_equal(params_word(false, PARAMS_IP, false), 2);
	assert_int_equal(params_word(false, PARAMS_IP, true), 3);
	assert_int_equal(params_word(true, PARAMS_IP, false), 3);
	assert_int_equal(params_word(true, PARAMS_IP, true), 2);
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		assert_int_equal(params_big_endian((jitk_arch)a), audit_be(jitk_arch_audit((jitk_arch)a)));
	assert_false(params_big_endian(JITK_ARCH__COUNT)); /* no such ABI */
	assert_false(params_abi32(JITK_ARCH__COUNT));
	assert_int_equal(params_width(JITK_ARCH__COUNT, 0, 0), 64);
}

/* jitk_data_arg / jitk_data_set_arg against words placed by hand. */
static void data_accessors(void **state)
{
	(void)state;
	static const uint32_t arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_PPC64, AUDIT_ARCH_S390X,
					   AUDIT_ARCH_AARCH64, 0x12345678u };
	rng_t r;
	rng_seed(&r, test_seed(0xe7d1a2));
	for (size_t k = 0; k < sizeof arches / sizeof *arches; k++) {
		bool be = audit_be(arches[k]);
		for (int rep = 0; rep < 100; rep++) {
			uint32_t w[16] = { 0 };
			uint64_t v[7];
			w[0] = rng_u32(&r);
			w[1] = arches[k];
			for (unsigned f = 0; f < 7; f++) {
				v[f] = rng_u64(&r);
				word_place(w, be, f < 6 ? 4 + 2 * f : 2, v[f]);
			}
			struct seccomp_data in, set;
			data_of_words(w, &in);
			memset(&set, 0, sizeof set);
			set.nr = in.nr;
			set.arch = in.arch;
			for (unsigned f = 0; f < 7; f++) {
				assert_true(jitk_data_arg(&in, f) == v[f]);
				jitk_data_set_arg(&set, f, v[f]);
			}
			assert_memory_equal(&in, &set, sizeof in);
		}
	}
	/* 0x1122334455667788 on ppc64: the high word at byte 16. */
	struct seccomp_data in = { .arch = AUDIT_ARCH_PPC64 };
	jitk_data_set_arg(&in, 0, 0x1122334455667788ull);
	uint32_t w[16];
	memcpy(w, &in, sizeof w);
	assert_int_equal(w[4], 0x11223344u);
	assert_int_equal(w[5], 0x55667788u);
	/* out of range: nothing read, nothing written */
	struct seccomp_data before = in;
	jitk_data_set_arg(&in, 7, 1);
	jitk_data_set_arg(NULL, 0, 1);
	assert_memory_equal(&in, &before, sizeof in);
	assert_true(jitk_data_arg(&in, 7) == 0);
	assert_true(jitk_data_arg(NULL, 0) == 0);
}

/* One policy with 64-bit and low32 compares on one ABI (or on all). */
static jitk_policy *parse_abis(const bool *abis)
{
	char list[512] = "";
	size_t n = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (abis[a])
			n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? "; " : "",
					      jitk_arch_name((jitk_arch)a));
	char text[2048];
	snprintf(text, sizeof text,
		 "{ arch = [%s]; default_action = Allow; foreign_action = Kill;\n"
		 "  rules = [\n"
		 "    { action = Errno 1; syscall = write; when = reg64(arg0) > 0x100000000 && low32(arg2) == 7 };\n"
		 "    { action = Errno 2; syscall = write; when = reg64(arg1) == 0x1122334455667788 };\n"
		 "    { action = Errno 3; syscall = write; when = (reg64(arg3) & 0xff000000ff) == 0x120000003f };\n"
		 "    { action = Errno 4; syscall = write; when = reg64(arg4) < 0x300000000 && reg64(arg4) >= 0x200000000 };\n"
		 "  ] }\n",
		 list);
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err e = jitk_policy_parse(text, strlen(text), "endian.scpl", &p, &d);
	if (e != JITK_OK)
		fail_msg("%s:%u:%u: %s", d.file, d.line, d.col, d.msg);
	return p;
}

static const uint64_t interesting[] = {
	0,
	7,
	0x700000007ull,
	0x100000000ull,
	0x100000001ull,
	0xffffffffu,
	0x10000000ull << 4,
	0x1122334455667788ull,
	0x5566778811223344ull,
	0x120000003full,
	0x3f00000012ull,
	0x200000000ull,
	0x2ffffffffull,
	0x300000000ull,
	0x200000003ull,
};

static uint64_t pick(rng_t *r)
{
	uint32_t k = rng_below(r, sizeof interesting / sizeof *interesting + 2);
	if (k < sizeof interesting / sizeof *interesting)
		return interesting[k];
	return k % 2 ? rng_u64(r) : rng_u32(r);
}

/* Interpreter and semantics on n random inputs of ABI a (words by hand);
 * *hits counts answers by a rule (by its errno). */
static void differential(const jitk_policy *p, const jitk_filter *f, jitk_arch a, rng_t *r, unsigned n,
			 unsigned hits[5])
{
	uint32_t audit = jitk_arch_audit(a);
	bool be = audit_be(audit);
	int nr = jitk_syscall_nr(a, "write");
	assert_true(nr != -1);
	for (unsigned i = 0; i < n; i++) {
		uint32_t w[16] = { (uint32_t)nr, audit };
		uint64_t v[6];
		for (unsigned k = 0; k < 6; k++) {
			v[k] = pick(r);
			word_place(w, be, 4 + 2 * k, v[k]);
		}
		word_place(w, be, 2, rng_u64(r));
		struct seccomp_data in;
		data_of_words(w, &in);
		/* the answer from the values, as the policy text says */
		uint32_t want = JITK_RET_ALLOW;
		if (v[0] > 0x100000000ull && (uint32_t)v[2] == 7)
			want = JITK_RET_ERRNO | 1;
		else if (v[1] == 0x1122334455667788ull)
			want = JITK_RET_ERRNO | 2;
		else if ((v[3] & 0xff000000ffull) == 0x120000003full)
			want = JITK_RET_ERRNO | 3;
		else if (v[4] < 0x300000000ull && v[4] >= 0x200000000ull)
			want = JITK_RET_ERRNO | 4;
		jitk_result res;
		assert_int_equal(jitk_interp(f, &in, &res), JITK_OK);
		if (res.ret != want || jitk_policy_eval(p, &in) != want)
			fail_msg("%s: args %#llx %#llx %#llx %#llx %#llx: want %#x, filter %#x, semantics %#x",
				 jitk_arch_name(a), (unsigned long long)v[0], (unsigned long long)v[1],
				 (unsigned long long)v[2], (unsigned long long)v[3],
				 (unsigned long long)v[4], want, res.ret, jitk_policy_eval(p, &in));
		hits[want == JITK_RET_ALLOW ? 0 : want & 0xffff]++;
	}
}

/* The filter with every 64-bit field's two word loads exchanged: what a
 * compiler that ignores the byte order would emit for the other kind. */
static jitk_filter *swap_words(const jitk_filter *f)
{
	size_t n = jitk_filter_len(f);
	jitk_insn *v = malloc(n * sizeof *v);
	assert_non_null(v);
	memcpy(v, jitk_filter_insns(f), n * sizeof *v);
	size_t swapped = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].code == (BPF_LD | BPF_W | BPF_ABS) && v[i].k >= 8 && v[i].k < 64) {
			v[i].k ^= 4;
			swapped++;
		}
	assert_true(swapped > 0);
	jitk_filter *g = NULL;
	assert_int_equal(jitk_filter_new(v, n, &g), JITK_OK);
	free(v);
	return g;
}

/* Every ABI on its own: compile (with the proof), run, and the filter
 * reading the other byte order's words is refused by the proof with a
 * witness on that ABI. */
static void every_abi(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(0xb16e4d));
	unsigned nbe = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		bool abis[JITK_ARCH__COUNT] = { false };
		abis[a] = true;
		jitk_policy *p = parse_abis(abis);
		jitk_filter *f = NULL;
		jitk_diag d;
		if (jitk_compile(p, NULL, &f, &d) != JITK_OK)
			fail_msg("%s: %s", jitk_arch_name((jitk_arch)a), d.msg);
		unsigned hits[5] = { 0 };
		differential(p, f, (jitk_arch)a, &r, (unsigned)test_scaled(3000), hits);
		for (int k = 0; k < 5; k++)
			assert_true(hits[k] > 0); /* every rule decided some input */
		jitk_filter *g = swap_words(f);
		jitk_cex cex;
		assert_int_equal(jitk_verify(p, g, 0, &cex, &d), JITK_E_DIFFERENT);
		assert_int_equal(cex.in.arch, jitk_arch_audit((jitk_arch)a));
		jitk_result res;
		assert_int_equal(jitk_interp(g, &cex.in, &res), JITK_OK);
		assert_int_equal(res.ret, cex.right);
		assert_int_equal(jitk_policy_eval(p, &cex.in), cex.left);
		assert_true(cex.left != cex.right);
		nbe += params_big_endian((jitk_arch)a);
		jitk_filter_free(g);
		jitk_filter_free(f);
		jitk_policy_free(p);
	}
	print_message("ABIs: %d, of them big-endian: %u\n", JITK_ARCH__COUNT, nbe);
}

/* All ABIs in one filter: each block reads its own ABI's words. */
static void all_abis_one_filter(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(0x5eed3e));
	bool abis[JITK_ARCH__COUNT];
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		abis[a] = true;
	jitk_policy *p = parse_abis(abis);
	jitk_filter *f = NULL;
	jitk_diag d;
	if (jitk_compile(p, NULL, &f, &d) != JITK_OK)
		fail_msg("%s", d.msg);
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		unsigned hits[5] = { 0 };
		differential(p, f, (jitk_arch)a, &r, (unsigned)test_scaled(1000), hits);
	}
	jitk_filter *g = swap_words(f);
	jitk_cex cex;
	assert_int_equal(jitk_verify(p, g, 0, &cex, &d), JITK_E_DIFFERENT);
	jitk_filter_free(g);
	jitk_filter_free(f);
	jitk_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule_by_audit_bit),
		cmocka_unit_test(data_accessors),
		cmocka_unit_test(every_abi),
		cmocka_unit_test(all_abis_one_filter),
	};
	return cmocka_run_group_tests_name("endian", tests, NULL, NULL);
}
