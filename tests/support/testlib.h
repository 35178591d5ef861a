/* testlib.h - shared by the cmocka tests: includes, a seeded RNG, helpers. */
#ifndef JITK_TESTLIB_H
#define JITK_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glob.h>

#include "jitk.h"

/* For make analyze: a failed cmocka assertion, fail() and skip() end the
 * test (cmocka longjmps out), but cmocka does not declare so, and the clang
 * analyzer would follow the path past them.  Under the analyzer only, the
 * failure functions are noreturn and the assertions branch to them; the
 * tests' binaries are unchanged. */
#ifdef __clang_analyzer__
__attribute__((noreturn)) void _fail(const char *const file, const int line);
__attribute__((noreturn)) void _skip(const char *const file, const int line);
#undef assert_true
#undef assert_false
#undef assert_non_null
#undef assert_null
#define assert_true(c) ((c) ? (void)0 : _fail(__FILE__, __LINE__))
#define assert_false(c) (!(c) ? (void)0 : _fail(__FILE__, __LINE__))
#define assert_non_null(c) ((c) != NULL ? (void)0 : _fail(__FILE__, __LINE__))
#define assert_null(c) ((c) == NULL ? (void)0 : _fail(__FILE__, __LINE__))
#endif

/* Whether this build runs under AddressSanitizer: heavy loops scale down
 * there (gcc defines __SANITIZE_ADDRESS__, clang has the feature test). */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_UNDER_ASAN 1
#endif
#endif
#ifndef TEST_UNDER_ASAN
#define TEST_UNDER_ASAN 0
#endif

/* A small deterministic PRNG (xorshift64*).  Tests print their seed and take
 * JITK_SEED from the environment to replay a failure. */
typedef struct {
	uint64_t s;
} rng_t;
void rng_seed(rng_t *r, uint64_t seed);
uint64_t rng_u64(rng_t *r);
uint32_t rng_u32(rng_t *r);
/* Uniform in [0, n), n > 0. */
uint32_t rng_below(rng_t *r, uint32_t n);
/* The seed for this run: $JITK_SEED or the given default. */
uint64_t test_seed(uint64_t dflt);
/* A count scaled by $JITK_TEST_SCALE (percent, default 100). */
unsigned long test_scaled(unsigned long n);

/* One instruction from its four fields (code, jt, jf, k), for tables of
 * hand-written programs. */
#define I(c, t, f, k) ((jitk_insn){ (uint16_t)(c), (uint8_t)(t), (uint8_t)(f), (uint32_t)(k) })

/* Build a filter from an array literal; fails the test on error. */
jitk_filter *test_filter(const jitk_insn *insns, size_t n);
#define TEST_FILTER(...)                                \
	test_filter((const jitk_insn[]){ __VA_ARGS__ }, \
		    sizeof((const jitk_insn[]){ __VA_ARGS__ }) / sizeof(jitk_insn))

/* The shipped policies: the .scpl files of policies/ and of its
 * subfolders, relative to the repository root (where tests run).  false if
 * there are none; else the caller owns *gl (globfree). */
bool test_policy_files(glob_t *gl);

/* Path of the shared corpus directory ($JITK_SHARED or ../shared). */
const char *test_shared_dir(void);

#endif
