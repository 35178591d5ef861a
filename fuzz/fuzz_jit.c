/* fuzz_jit.c - libFuzzer harness: bytes -> decode -> check -> JIT -> compare.
 *
 * Input layout: byte 0 is the number of BPF instructions m (0..255); the
 * next 8*m bytes are the program (struct sock_filter, native order); the
 * rest fills seccomp_data inputs, 64 bytes each (the last one zero-padded,
 * at least one input).  Properties, each an abort on failure:
 *  - a program the checker rejects is never compiled (jitk_jit_compile
 *    returns the checker's error);
 *  - a program the checker accepts always compiles and passes the image
 *    validator;
 *  - the JIT returns what the reference interpreter returns, on every
 *    input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitk.h"
#include "interp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t m = data[0];
	if (size < 1 + 8 * m)
		return 0;
	const uint8_t *prog = data + 1;
	const uint8_t *rest = prog + 8 * m;
	size_t nrest = size - 1 - 8 * m;

	jitk_filter *f = NULL;
	if (jitk_decode(prog, 8 * m, &f, NULL) != JITK_OK)
		return 0; /* m == 0 */
	jitk_err chk = jitk_check(f, NULL);
	jitk_jit *j = NULL;
	jitk_diag d;
	jitk_err err = jitk_jit_compile(f, &j, &d);
	if (chk != JITK_OK) {
		if (err != chk || j) {
			fprintf(stderr, "checker said %d but the JIT returned %d\n", chk, err);
			abort();
		}
		jitk_filter_free(f);
		return 0;
	}
	if (err != JITK_OK) {
		fprintf(stderr, "accepted filter not compiled: %s: %s [%s]\n", jitk_strerror(err), d.msg,
			d.rule);
		abort();
	}
	jitk_jit_fn fn = jitk_jit_func(j);
	const jitk_insn *insns = jitk_filter_insns(f);
	size_t ninputs = nrest / 64 + 1;
	for (size_t i = 0; i < ninputs; i++) {
		struct seccomp_data in;
		memset(&in, 0, sizeof in);
		size_t off = i * 64, take = nrest - off < 64 ? nrest - off : 64;
		memcpy(&in, rest + off, take);
		jitk_result want;
		interp_run(insns, m, &in, &want);
		uint32_t got = fn(&in);
		if (got != want.ret) {
			fprintf(stderr, "JIT returned 0x%08x, interpreter 0x%08x (input %zu)\n", got,
				want.ret, i);
			abort();
		}
	}
	jitk_jit_free(j);
	jitk_filter_free(f);
	return 0;
}
