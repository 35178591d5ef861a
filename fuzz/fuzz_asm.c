/*
 * fuzz_asm.c - libFuzzer harness for the assembler and the disassembler.
 *
 * Properties checked on every input (abort() = finding):
 *  - jitk_asm never crashes, and either returns a filter or a located
 *    diagnostic (line and column for every text error, no filter);
 *  - if the text assembles, jitk_asm(jitk_disasm(p)) == p, and printing the
 *    reassembled program gives the same text (the printer is a function of
 *    the program alone);
 *  - jitk_format_c succeeds on any non-empty program.
 */
#include "jitk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_err err = jitk_asm((const char *)data, size, "fuzz.s", &f, &d);
	if (err != JITK_OK) {
		if (f)
			abort();
		switch (err) {
		case JITK_E_PARSE:
		case JITK_E_NAME:
		case JITK_E_RANGE:
		case JITK_E_TOO_BIG:
			if (d.err != err || d.line == 0 || d.col == 0 || d.span == 0 || !d.msg[0])
				abort();
			break;
		case JITK_E_NOMEM: break;
		default: abort();
		}
		return 0;
	}
	char *s = NULL;
	if (jitk_disasm(f, &s) != JITK_OK)
		abort();
	jitk_filter *g = NULL;
	if (jitk_asm(s, strlen(s), "disasm", &g, &d) != JITK_OK)
		abort();
	if (!jitk_filter_equal(f, g))
		abort();
	char *s2 = NULL;
	if (jitk_disasm(g, &s2) != JITK_OK || strcmp(s, s2) != 0)
		abort();
	if (jitk_filter_len(f) > 0) {
		char *c = NULL;
		if (jitk_format_c(f, "fuzz", &c) != JITK_OK)
			abort();
		jitk_free(c);
	}
	jitk_free(s);
	jitk_free(s2);
	jitk_filter_free(g);
	jitk_filter_free(f);
	return 0;
}
