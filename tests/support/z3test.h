/* z3test.h - a Z3 context for tests: errors are returned as values (the
 * code under test checks Z3_get_error_code), never printed or fatal. */
#ifndef JITK_Z3TEST_H
#define JITK_Z3TEST_H
#include <z3.h>

Z3_context z3test_ctx(void);
#endif
