/*
 * rte_main.c - the entry point of `make prove-rte` (tools/prove-rte.sh):
 * Frama-C's EVA runs the reference interpreter and the checker on every
 * program of up to RTE_N instructions (each field any value) and every
 * input, and reports each operation that could be a runtime error.
 *
 * The diagnostics (src/util.c: vsnprintf into jitk_diag) are untrusted
 * formatting and are replaced by stubs here with the same contract as far
 * as the callers can tell: they record err and return it.  check.c's own
 * snprintf of an instruction description goes to Frama-C's libc model.
 */
#include "__fc_builtin.h"
#include "diag.h"
#include "check.h"
#include "interp.h"

#ifndef RTE_N
#define RTE_N 5
#endif

/* The names in parentheses: diag.h's macros of the same names (make analyze) do not apply. */
jitk_err(diag_err)(jitk_diag *d, jitk_err err, const char *fmt, ...)
{
	(void)fmt;
	if (d)
		d->err = err;
	return err;
}

jitk_err(diag_insn)(jitk_diag *d, jitk_err err, long index, const char *rule, const char *fmt, ...)
{
	(void)rule;
	(void)fmt;
	if (d) {
		d->err = err;
		d->index = index;
	}
	return err;
}

void diag_hint(jitk_diag *d, const char *fmt, ...)
{
	(void)d;
	(void)fmt;
}

void diag_clear(jitk_diag *d)
{
	if (d)
		d->err = JITK_OK;
}

void rte_main(void)
{
	static jitk_insn p[RTE_N];
	for (int i = 0; i < RTE_N; i++) {
		p[i].code = (uint16_t)Frama_C_unsigned_short_interval(0, 0xffff);
		p[i].jt = (uint8_t)Frama_C_unsigned_char_interval(0, 0xff);
		p[i].jf = (uint8_t)Frama_C_unsigned_char_interval(0, 0xff);
		p[i].k = Frama_C_unsigned_int_interval(0, 0xffffffffu);
	}
	size_t n = (size_t)Frama_C_unsigned_int_interval(0, RTE_N);
	struct seccomp_data in;
	Frama_C_make_unknown((char *)&in, sizeof in);
	jitk_diag d;
	jitk_err err = check_insns(p, n, &d);
	jitk_result r;
	if (n > 0)
		interp_run(p, n, &in, &r); /* even on a program the checker refused */
	(void)err;
}
