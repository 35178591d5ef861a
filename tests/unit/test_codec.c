/* test_codec.c - the instruction table and the byte codec. */
#include "testlib.h"
#include "insn.h"

/* Every classic opcode appears once, and the index finds it. */
static void table_is_consistent(void **state)
{
	(void)state;
	unsigned seen = 0, sec = 0;
	for (int op = 0; op < INSN__COUNT; op++) {
		assert_int_equal(insn_op_of(insn_info[op].code), op);
		seen++;
		sec += insn_info[op].seccomp;
	}
	/* 49 codes in bpf_check_classic's table; MOD x2, LD H/B ABS, LD IND x3
	 * and LDX MSH are the 8 that seccomp refuses. */
	assert_int_equal(seen, 49);
	assert_int_equal(sec, 41);
	unsigned legal = 0;
	for (unsigned c = 0; c < 0x10000; c++)
		legal += insn_op_of((uint16_t)c) >= 0;
	assert_int_equal(legal, 49);
	/* Unused bits are not masked: RET|X and NEG|X are not opcodes. */
	assert_int_equal(insn_op_of(0x0e), -1);
	assert_int_equal(insn_op_of(0x8c), -1);
	assert_int_equal(insn_op_of(0x120), -1);
}

/* decode(encode(p)) == p for random programs, including junk fields. */
static void roundtrip_random(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(42));
	for (int iter = 0; iter < 2000; iter++) {
		size_t n = 1 + rng_below(&r, 64);
		jitk_insn insns[64];
		for (size_t i = 0; i < n; i++)
			insns[i] = (jitk_insn){ (uint16_t)rng_u32(&r), (uint8_t)rng_u32(&r),
						(uint8_t)rng_u32(&r), rng_u32(&r) };
		jitk_filter *f = test_filter(insns, n);
		size_t sz = jitk_encoded_size(f);
		assert_int_equal(sz, n * 8);
		unsigned char buf[64 * 8];
		assert_int_equal(jitk_encode(f, buf, sizeof buf), JITK_OK);
		jitk_filter *g = NULL;
		assert_int_equal(jitk_decode(buf, sz, &g, NULL), JITK_OK);
		assert_true(jitk_filter_equal(f, g));
		/* encode(decode(b)) == b */
		unsigned char buf2[64 * 8];
		assert_int_equal(jitk_encode(g, buf2, sizeof buf2), JITK_OK);
		assert_memory_equal(buf, buf2, sz);
		jitk_filter_free(f);
		jitk_filter_free(g);
	}
}

/* The byte layout is the kernel's struct sock_filter in native order. */
static void layout_is_sock_filter(void **state)
{
	(void)state;
	jitk_filter *f = TEST_FILTER({ 0x0020, 1, 2, 0x04030201u }, { 0x0006, 0, 0, 0x7fff0000u });
	unsigned char buf[16];
	assert_int_equal(jitk_encode(f, buf, sizeof buf), JITK_OK);
	const unsigned char want[16] = { 0x20, 0x00, 1, 2, 0x01, 0x02, 0x03, 0x04,
					 0x06, 0x00, 0, 0, 0x00, 0x00, 0xff, 0x7f };
	assert_memory_equal(buf, want, 16);
	assert_int_equal(jitk_encode(f, buf, 15), JITK_E_INVAL);
	jitk_filter_free(f);
}

static void decode_rejects_bad_sizes(void **state)
{
	(void)state;
	unsigned char buf[24] = { 0 };
	jitk_filter *f = NULL;
	jitk_diag d;
	assert_int_equal(jitk_decode(buf, 0, &f, &d), JITK_E_FORMAT);
	for (size_t n = 1; n < 24; n++) {
		if (n % 8 == 0)
			continue;
		assert_int_equal(jitk_decode(buf, n, &f, &d), JITK_E_FORMAT);
		assert_int_equal(d.index, (long)(n / 8));
		assert_non_null(strstr(d.msg, "truncated"));
		assert_null(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_consistent),
		cmocka_unit_test(roundtrip_random),
		cmocka_unit_test(layout_is_sock_filter),
		cmocka_unit_test(decode_rejects_bad_sizes),
	};
	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
