/* testlib.c - see testlib.h. */
#include "testlib.h"

void rng_seed(rng_t *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t rng_u64(rng_t *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

uint32_t rng_u32(rng_t *r)
{
	return (uint32_t)(rng_u64(r) >> 32);
}

uint32_t rng_below(rng_t *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)rng_u32(r) * n) >> 32);
}

uint64_t test_seed(uint64_t dflt)
{
	const char *s = getenv("JITK_SEED");
	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

unsigned long test_scaled(unsigned long n)
{
	const char *s = getenv("JITK_TEST_SCALE");
	unsigned long pct = s && *s ? strtoul(s, NULL, 10) : 100;
	unsigned long v = n * pct / 100;
	return v ? v : 1;
}

jitk_filter *test_filter(const jitk_insn *insns, size_t n)
{
	jitk_filter *f = NULL;
	assert_int_equal(jitk_filter_new(insns, n, &f), JITK_OK);
	return f;
}

const char *test_shared_dir(void)
{
	const char *s = getenv("JITK_SHARED");
	return s && *s ? s : "../shared";
}

bool test_policy_files(glob_t *gl)
{
	int g1 = glob("policies/*.scpl", 0, NULL, gl);
	int g2 = glob("policies/*/*.scpl", g1 == 0 ? GLOB_APPEND : 0, NULL, gl);
	if (g1 != 0 && g2 != 0) {
		if (g1 == GLOB_NOMATCH && g2 == GLOB_NOMATCH)
			globfree(gl);
		return false;
	}
	return true;
}
