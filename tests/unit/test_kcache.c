/* test_kcache.c - the action-cache emulation the tests and the bench rely
 * on must refuse what the kernel refuses: every instruction outside its
 * list, any load but nr and arch, and any return but exactly ALLOW. */
#include "testlib.h"
#include "kcache.h"

#include <linux/filter.h>

#define X86 0xc000003eu

/* ld [4]; jne X86 -> kill; ld [0]; jeq 39 -> allow; ret kill; ret allow */
#define PLAIN(allow_ret)                                                                        \
	{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 }, { BPF_JMP | BPF_JEQ | BPF_K, 0, 2, X86 },        \
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 }, { BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 39 }, \
		{ BPF_RET | BPF_K, 0, 0, JITK_RET_KILL_PROCESS },                               \
	{                                                                                       \
		BPF_RET | BPF_K, 0, 0, allow_ret                                                \
	}

static void plain_allow_is_cached(void **state)
{
	(void)state;
	jitk_filter *f = TEST_FILTER(PLAIN(JITK_RET_ALLOW));
	assert_true(kcache_const_allow(f, X86, 39));
	assert_false(kcache_const_allow(f, X86, 40));         /* kill */
	assert_false(kcache_const_allow(f, 0x40000003u, 39)); /* other arch */
	jitk_filter_free(f);
	/* ALLOW with data is not the constant the kernel looks for. */
	f = TEST_FILTER(PLAIN(JITK_RET_ALLOW | 1));
	assert_false(kcache_const_allow(f, X86, 39));
	jitk_filter_free(f);
}

static void and_ja_jset_are_understood(void **state)
{
	(void)state;
	jitk_filter *f = TEST_FILTER(
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 }, { BPF_ALU | BPF_AND | BPF_K, 0, 0, 0xff },
		{ BPF_JMP | BPF_JSET | BPF_K, 1, 0, 0x80 }, { BPF_JMP | BPF_JA, 0, 0, 1 },
		{ BPF_RET | BPF_K, 0, 0, JITK_RET_ERRNO | 1 }, { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW });
	/* 0x17f & 0xff = 0x7f: bit 7 clear, ja over the errno to ALLOW */
	assert_true(kcache_const_allow(f, X86, 0x17f));
	/* 0x180 & 0xff = 0x80: bit 7 set, the errno */
	assert_false(kcache_const_allow(f, X86, 0x180));
	jitk_filter_free(f);
}

/* Anything that looks past nr and arch, or any other instruction, makes
 * the call uncacheable even when the answer would be ALLOW. */
static void refuses_what_the_kernel_refuses(void **state)
{
	(void)state;
	/* clang-format off */
	const jitk_insn bad[][3] = {
		{ { BPF_LD | BPF_W | BPF_ABS, 0, 0, 16 }, { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW } },
		{ { BPF_LD | BPF_IMM, 0, 0, 0 }, { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW } },
		{ { BPF_LDX | BPF_IMM, 0, 0, 0 }, { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW } },
		{ { BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 }, { BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0 },
		  { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW } },
		{ { BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 }, { BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1 },
		  { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW } },
		{ { BPF_LD | BPF_IMM, 0, 0, JITK_RET_ALLOW }, { BPF_RET | BPF_A, 0, 0, 0 } },
		{ { BPF_ST, 0, 0, 0 }, { BPF_RET | BPF_K, 0, 0, JITK_RET_ALLOW } },
	};
	/* clang-format on */
	const size_t len[] = { 2, 2, 2, 3, 3, 2, 2 };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		jitk_filter *f = test_filter(bad[i], len[i]);
		assert_false(kcache_const_allow(f, X86, 39));
		jitk_filter_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_allow_is_cached),
		cmocka_unit_test(and_ja_jset_are_understood),
		cmocka_unit_test(refuses_what_the_kernel_refuses),
	};
	return cmocka_run_group_tests_name("kcache", tests, NULL, NULL);
}
