/* z3test.h - Z3 for tests: a context whose errors are returned as values
 * (the code under test checks Z3_get_error_code), never printed or fatal,
 * and concrete evaluation of the encodings' terms. */
#ifndef JITK_Z3TEST_H
#define JITK_Z3TEST_H
#include "smt.h"

Z3_context z3test_ctx(void);
/* The value of a 32-bit term over in's sixteen words when they hold w[]
 * (substitute, then simplify to a numeral; fails the test otherwise). */
uint32_t z3test_eval(Z3_context c, Z3_ast t, const struct smt_input *in, const uint32_t w[SMT_NWORDS]);
#endif
