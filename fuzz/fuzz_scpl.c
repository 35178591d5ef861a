/*
 * fuzz_scpl.c - libFuzzer harness for the SCPL front end and the compiler.
 *
 * The input is policy text.  Whatever it is, jitk_policy_parse must not
 * crash, leak or read out of bounds.  When it parses:
 *  - jitk_compile (without the Z3 proof, too slow here) must succeed unless
 *    the program is too big, or the stage is still a stub;
 *  - jitk_check must accept the filter;
 *  - on inputs sampled from the policy's own syscall numbers and constants
 *    (and their neighbours, with junk in the high halves), mixed with
 *    numbers drawn from the fuzz bytes, jitk_interp must return exactly
 *    what jitk_policy_eval says.
 * Any disagreement is a bug somewhere in the chain: abort().
 */
#include "jitk.h"
#include "policy.h"

#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POOL 256
#define MAX_SAMPLES 512

struct pool {
	uint64_t v[MAX_POOL];
	size_t n;
};

static void pool_add(struct pool *p, uint64_t v)
{
	if (p->n < MAX_POOL)
		p->v[p->n++] = v;
}

/* Argument values that sit on the edges of every comparison. */
static void collect_cond(const struct pol_cond *c, struct pool *args, unsigned depth)
{
	if (!c || depth > 200)
		return;
	if (c->kind == POL_CMP) {
		uint64_t v = c->value, m = c->mask;
		pool_add(args, v);
		pool_add(args, v + 1);
		pool_add(args, v - 1);
		pool_add(args, v | ~m);
		pool_add(args, v ^ 0xdeadbeef00000000u); /* junk in the high half */
		pool_add(args, (v & 0xffffffffu) | 0xffffffff00000000u);
		pool_add(args, m);
		return;
	}
	collect_cond(c->l, args, depth + 1);
	if (c->kind != POL_NOT)
		collect_cond(c->r, args, depth + 1);
}

/* A small deterministic PRNG seeded from the fuzz bytes. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void differential(const jitk_policy *p, const jitk_filter *f, const uint8_t *data, size_t size)
{
	static const uint32_t arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64,
					   0x40000028u /* ARM */, 0 };
	struct pool nrs = { .n = 0 }, args = { .n = 0 };
	pool_add(&nrs, 0);
	pool_add(&nrs, 0x40000000u);
	pool_add(&nrs, 0xffffffffu);
	pool_add(&args, 0);
	pool_add(&args, UINT64_MAX);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			for (size_t k = 0; k < r->nnrs[a]; k++) {
				uint32_t nr = (uint32_t)r->nrs[a][k];
				pool_add(&nrs, nr);
				pool_add(&nrs, nr + 1);
				pool_add(&nrs, nr - 1);
				pool_add(&nrs, nr ^ JITK_X32_SYSCALL_BIT);
			}
		collect_cond(r->cond, &args, 0);
	}
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	if (!seed)
		seed = 1;
	for (unsigned s = 0; s < MAX_SAMPLES; s++) {
		struct seccomp_data in;
		memset(&in, 0, sizeof in);
		uint64_t r = next_rand(&seed);
		in.arch = arches[r % (sizeof arches / sizeof *arches)];
		in.nr = (int)(r >> 8 & 7 ? nrs.v[(r >> 16) % nrs.n] : (uint32_t)next_rand(&seed));
		in.instruction_pointer = next_rand(&seed);
		for (int k = 0; k < 6; k++) {
			uint64_t x = next_rand(&seed);
			in.args[k] = x & 3 ? args.v[(x >> 8) % args.n] : next_rand(&seed);
		}
		uint32_t want = jitk_policy_eval(p, &in);
		jitk_result got;
		jitk_err e = jitk_interp(f, &in, &got);
		if (e != JITK_OK || got.ret != want) {
			fprintf(stderr,
				"MISMATCH arch=0x%08x nr=0x%08x args=[%llx %llx %llx %llx %llx %llx]: "
				"policy 0x%08x, filter 0x%08x (err %d)\n",
				in.arch, (uint32_t)in.nr, (unsigned long long)in.args[0],
				(unsigned long long)in.args[1], (unsigned long long)in.args[2],
				(unsigned long long)in.args[3], (unsigned long long)in.args[4],
				(unsigned long long)in.args[5], want, got.ret, (int)e);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jitk_policy *p = NULL;
	jitk_diag d;
	jitk_err e = jitk_policy_parse((const char *)data, size, NULL, &p, &d);
	if (e != JITK_OK) {
		/* A refusal is always located and explained. */
		if (e != JITK_E_NOMEM &&
		    (d.err != e || !d.msg[0] || !d.hint[0] || (d.err != JITK_E_IO && d.line == 0)))
			abort();
		return 0;
	}
	jitk_compile_opts opts = { .no_verify = true };
	jitk_filter *f = NULL;
	e = jitk_compile(p, &opts, &f, &d);
	if (e == JITK_E_UNSUPPORTED || e == JITK_E_TOO_BIG || e == JITK_E_NOMEM) {
		jitk_policy_free(p);
		return 0;
	}
	if (e != JITK_OK) {
		fprintf(stderr, "jitk_compile refused a parsed policy: %s: %s\n", jitk_strerror(e), d.msg);
		abort();
	}
	if (jitk_check(f, &d) != JITK_OK) {
		fprintf(stderr, "compiled filter fails jitk_check: %s\n", d.msg);
		abort();
	}
	differential(p, f, data, size);
	jitk_filter_free(f);
	jitk_policy_free(p);
	return 0;
}
