/* z3test.c - see z3test.h. */
#include "testlib.h"
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

uint32_t z3test_eval(Z3_context c, Z3_ast t, const struct smt_input *in, const uint32_t w[SMT_NWORDS])
{
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	Z3_ast to[SMT_NWORDS];
	for (unsigned i = 0; i < SMT_NWORDS; i++)
		to[i] = Z3_mk_unsigned_int(c, w[i], bv32);
	Z3_ast r = Z3_simplify(c, Z3_substitute(c, t, SMT_NWORDS, in->w, to));
	unsigned u = 0;
	assert_true(Z3_get_numeral_uint(c, r, &u));
	return u;
}
