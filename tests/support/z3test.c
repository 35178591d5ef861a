/* z3test.c - see z3test.h. */
#include "z3test.h"

static void z3test_quiet(Z3_context c, Z3_error_code e)
{
	(void)c;
	(void)e;
}

Z3_context z3test_ctx(void)
{
	Z3_config cfg = Z3_mk_config();
	Z3_context c = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	Z3_set_error_handler(c, z3test_quiet);
	return c;
}
