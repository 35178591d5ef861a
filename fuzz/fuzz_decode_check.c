/*
 * fuzz_decode_check.c - libFuzzer harness for the binary side of the BPF
 * layer: codec, checker, interpreter, printers.
 *
 * Input layout: two bytes little-endian n, then up to n bytes of filter,
 * then the rest (zero-padded to 64 bytes) is a struct seccomp_data.
 * Properties checked (abort() = finding):
 *  - jitk_decode accepts exactly the non-empty multiples of 8 bytes, and
 *    encode(decode(b)) == b byte for byte (the paper's Lemma 3);
 *  - jitk_check never crashes; if it accepts, the program has 1..4096
 *    instructions ending in RET, and jitk_interp on the input succeeds,
 *    having run between 1 and len instructions (loop-free programs);
 *  - jitk_asm(jitk_disasm(p)) == p for every decoded program.
 */
#include "jitk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t want = (size_t)data[0] | (size_t)data[1] << 8;
	const uint8_t *prog = data + 2;
	size_t m = size - 2 < want ? size - 2 : want;
	const uint8_t *rest = prog + m;
	size_t nrest = size - 2 - m;

	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_err err = jitk_decode(prog, m, &f, &d);
	if (m == 0 || m % 8 != 0) {
		if (err != JITK_E_FORMAT || f)
			abort();
		return 0;
	}
	if (err != JITK_OK || jitk_filter_len(f) != m / 8)
		abort();
	uint8_t *buf = malloc(m);
	if (!buf || jitk_encoded_size(f) != m || jitk_encode(f, buf, m) != JITK_OK ||
	    memcmp(buf, prog, m) != 0)
		abort();
	free(buf);

	err = jitk_check(f, &d);
	if (err == JITK_OK) {
		size_t n = jitk_filter_len(f);
		const jitk_insn *last = &jitk_filter_insns(f)[n - 1];
		if (n == 0 || n > JITK_MAXINSNS || (last->code != 0x06 && last->code != 0x16))
			abort();
		struct seccomp_data in;
		memset(&in, 0, sizeof in);
		memcpy(&in, rest, nrest < sizeof in ? nrest : sizeof in);
		jitk_result r;
		if (jitk_interp(f, &in, &r) != JITK_OK || r.steps == 0 || r.steps > n)
			abort();
	} else if (err != JITK_E_CHECK && err != JITK_E_TOO_BIG) {
		abort();
	}

	char *s = NULL;
	if (jitk_disasm(f, &s) != JITK_OK)
		abort();
	jitk_filter *g = NULL;
	if (jitk_asm(s, strlen(s), "disasm", &g, &d) != JITK_OK || !jitk_filter_equal(f, g))
		abort();
	jitk_free(s);
	jitk_filter_free(g);
	jitk_filter_free(f);
	return 0;
}
