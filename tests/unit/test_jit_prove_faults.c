/* test_jit_prove_faults.c - the per-image proof (trusted/jit_prove.c)
 * refuses when Z3 fails, however it fails.
 *
 * A correct image of a small filter is proved while Z3 is made to fail one
 * way at a time: no configuration, no context, an API error after the
 * query is built or after the check, "unknown" (a timeout), a SAT answer
 * with no model, a model that cannot be read (each of the 18 values read
 * from it), a "counterexample" that does not replay, an SMT-LIB export
 * that fails.  Each must be refused with its own error and message, and
 * nothing may leak (the ASan build).
 *
 * The faults are injected by interposition: this program defines the Z3
 * functions jit_prove calls, and each forwards to libz3's own (dlsym
 * RTLD_NEXT) unless a fault is armed.  The library is the shipped one,
 * untouched; only this test program carries the hook. */
#include "testlib.h"
#include "jit_prove.h"
#include "jit_x86.h"

#include <dlfcn.h>
#include <linux/filter.h>
#include <z3.h>

enum fault {
	F_NONE,
	F_CONFIG,    /* Z3_mk_config gives NULL */
	F_CONTEXT,   /* Z3_mk_context gives NULL */
	F_SIMPLIFY,  /* an API error raised by Z3_simplify */
	F_CHECK_ERR, /* an API error raised by Z3_solver_check */
	F_UNKNOWN,   /* Z3_solver_check answers unknown */
	F_SAT,       /* the query is replaced by "true": SAT, a model that replays equal */
	F_NO_MODEL,  /* F_SAT, and Z3_solver_get_model gives NULL */
	F_EVAL,      /* F_SAT, and the eval_nth-th Z3_model_eval fails */
	F_NUMERAL,   /* F_SAT, and the eval_nth-th Z3_get_numeral_uint fails */
	F_SMTLIB,    /* Z3_benchmark_to_smtlib_string gives NULL */
	F_PIN,       /* no fault: the input words are pinned to pin[] */
};

static enum fault fault;
static int eval_nth; /* which call of Z3_model_eval / Z3_get_numeral_uint fails */
static int evals, numerals;
static bool raised; /* an injected API error is pending */
static unsigned timeout_set, rlimit_set;
static const char *unknown_reason = "injected timeout"; /* F_UNKNOWN's reason */
static int models_live;                                 /* Z3_model_inc_ref minus Z3_model_dec_ref */
/* sixteen different words (nr, arch, ip halves, args halves) */
static const uint32_t pin[16] = { 0x11,       0xc000003e, 0x33333333, 0x44444444, 0x55555555, 0x66666666,
				  0x77777777, 0x88888888, 0x99999999, 0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc,
				  0xdddddddd, 0xeeeeeeee, 0xfefefefe, 0x0f0f0f0f };

#define REAL(name) ((__typeof__(&name))real_fn(#name))
static void *real_fn(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p)
		abort();
	return p;
}

Z3_config Z3_mk_config(void)
{
	return fault == F_CONFIG ? NULL : REAL(Z3_mk_config)();
}

Z3_context Z3_mk_context(Z3_config cfg)
{
	return fault == F_CONTEXT ? NULL : REAL(Z3_mk_context)(cfg);
}

Z3_error_code Z3_get_error_code(Z3_context c)
{
	return raised ? Z3_INVALID_ARG : REAL(Z3_get_error_code)(c);
}

Z3_ast Z3_simplify(Z3_context c, Z3_ast a)
{
	Z3_ast r = REAL(Z3_simplify)(c, a);
	if (fault == F_SIMPLIFY)
		raised = true;
	return r;
}

void Z3_params_set_uint(Z3_context c, Z3_params p, Z3_symbol k, unsigned v)
{
	if (!strcmp(Z3_get_symbol_string(c, k), "timeout"))
		timeout_set = v;
	if (!strcmp(Z3_get_symbol_string(c, k), "rlimit"))
		rlimit_set = v;
	REAL(Z3_params_set_uint)(c, p, k, v);
}

void Z3_solver_assert(Z3_context c, Z3_solver s, Z3_ast a)
{
	if (fault == F_SAT || fault == F_NO_MODEL || fault == F_EVAL || fault == F_NUMERAL)
		a = Z3_mk_true(c);
	REAL(Z3_solver_assert)(c, s, a);
	/* the words are smt_input_init's constants w0..w15 (smt_bpf.c) */
	for (unsigned i = 0; fault == F_PIN && i < 16; i++) {
		char name[8];
		snprintf(name, sizeof name, "w%u", i);
		Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
		Z3_ast w = Z3_mk_const(c, Z3_mk_string_symbol(c, name), bv32);
		REAL(Z3_solver_assert)(c, s, Z3_mk_eq(c, w, Z3_mk_unsigned_int(c, pin[i], bv32)));
	}
}

Z3_lbool Z3_solver_check(Z3_context c, Z3_solver s)
{
	if (fault == F_UNKNOWN)
		return Z3_L_UNDEF;
	Z3_lbool r = REAL(Z3_solver_check)(c, s);
	if (fault == F_CHECK_ERR)
		raised = true;
	return r;
}

Z3_string Z3_solver_get_reason_unknown(Z3_context c, Z3_solver s)
{
	return fault == F_UNKNOWN ? unknown_reason : REAL(Z3_solver_get_reason_unknown)(c, s);
}

Z3_model Z3_solver_get_model(Z3_context c, Z3_solver s)
{
	return fault == F_NO_MODEL ? NULL : REAL(Z3_solver_get_model)(c, s);
}

void Z3_model_inc_ref(Z3_context c, Z3_model m)
{
	models_live++;
	REAL(Z3_model_inc_ref)(c, m);
}

void Z3_model_dec_ref(Z3_context c, Z3_model m)
{
	models_live--;
	REAL(Z3_model_dec_ref)(c, m);
}

bool Z3_model_eval(Z3_context c, Z3_model m, Z3_ast t, bool completion, Z3_ast *v)
{
	if (fault == F_EVAL && evals++ == eval_nth)
		return false;
	return REAL(Z3_model_eval)(c, m, t, completion, v);
}

bool Z3_get_numeral_uint(Z3_context c, Z3_ast v, unsigned *u)
{
	if (fault == F_NUMERAL && numerals++ == eval_nth)
		return false;
	return REAL(Z3_get_numeral_uint)(c, v, u);
}

Z3_string Z3_benchmark_to_smtlib_string(Z3_context c, Z3_string name, Z3_string logic, Z3_string status,
					Z3_string attributes, unsigned num_assumptions,
					Z3_ast const assumptions[], Z3_ast formula)
{
	if (fault == F_SMTLIB)
		return NULL;
	return REAL(Z3_benchmark_to_smtlib_string)(c, name, logic, status, attributes, num_assumptions,
						   assumptions, formula);
}

/* ------------------------------------------------------------ the image */

/* ld [0] (nr); jeq #2, allow, errno: an image with a branch and two
 * returns, and its filter. */
static const jitk_insn prog[] = {
	I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
	I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 2),
	I(BPF_RET | BPF_K, 0, 0, 0x7fff0000),
	I(BPF_RET | BPF_K, 0, 0, 0x00050001),
};
#define NPROG (sizeof prog / sizeof prog[0])

struct img {
	jitk_filter *f;
	uint8_t *code;
	size_t len;
	uint32_t *offs;
};

static int setup(void **state)
{
	static struct img im;
	jitk_diag d;
	im.f = test_filter(prog, NPROG);
	if (jit_generate(prog, NPROG, &im.code, &im.len, &im.offs, &d) != JITK_OK)
		return -1;
	*state = &im;
	return 0;
}

static int teardown(void **state)
{
	struct img *im = *state;
	free(im->code);
	free(im->offs);
	jitk_filter_free(im->f);
	return 0;
}

/* Prove the image under fault f; res is filled in. */
static jitk_err prove(void **state, enum fault f, unsigned timeout, bool smtlib, struct jit_proof *res,
		      jitk_diag *d)
{
	struct img *im = *state;
	fault = f;
	raised = false;
	evals = numerals = 0;
	timeout_set = rlimit_set = 0;
	models_live = 0;
	memset(d, 0, sizeof *d);
	jitk_err err = jit_prove(im->f, im->code, im->len, 0, timeout, smtlib, res, d);
	fault = F_NONE;
	raised = false;
	/* every model taken is released, whatever failed */
	assert_int_equal(models_live, 0);
	return err;
}

static void contains(const char *s, const char *what)
{
	if (!strstr(s, what))
		fail_msg("\"%s\" does not contain \"%s\"", s, what);
}

/* ------------------------------------------------------------ the cases */

/* Without a fault the image is proved, with the default timeout handed to
 * Z3 for 0 and the caller's otherwise; the query is exported only when
 * asked, and then it is a QF_BV benchmark. */
static void proved(void **state)
{
	struct jit_proof res;
	jitk_diag d;
	assert_int_equal(prove(state, F_NONE, 0, false, &res, &d), JITK_OK);
	assert_int_equal(timeout_set, JIT_PROVE_DEFAULT_TIMEOUT_MS);
	assert_int_equal(rlimit_set, JIT_PROVE_DEFAULT_RLIMIT);
	assert_false(res.has_cex);
	assert_true(res.rlimit_used > 0);
	assert_null(res.smtlib);
	assert_true(res.x86_insns > 0);
	assert_int_equal(prove(state, F_NONE, 1234, true, &res, &d), JITK_OK);
	assert_int_equal(timeout_set, 1234);
	assert_non_null(res.smtlib);
	contains(res.smtlib, "QF_BV");
	free(res.smtlib);
	/* res may be NULL, the query then freed inside (ASan sees a leak) */
	struct img *im = *state;
	assert_int_equal(jit_prove(im->f, im->code, im->len, 0, 0, true, NULL, &d), JITK_OK);
}

static void null_arguments(void **state)
{
	struct img *im = *state;
	struct jit_proof res;
	jitk_diag d;
	res.has_cex = true;
	assert_int_equal(jit_prove(NULL, im->code, im->len, 0, 0, false, &res, &d), JITK_E_INVAL);
	assert_false(res.has_cex);                   /* res is cleared first */
	assert_string_equal(d.msg, "NULL argument"); /* refused here, before any Z3 work */
	assert_int_equal(jit_prove(im->f, NULL, im->len, 0, 0, false, &res, &d), JITK_E_INVAL);
	contains(d.msg, "NULL");
}

static void no_config_no_context(void **state)
{
	struct jit_proof res;
	jitk_diag d;
	assert_int_equal(prove(state, F_CONFIG, 0, false, &res, &d), JITK_E_NOMEM);
	contains(d.msg, "Z3 configuration");
	assert_int_equal(prove(state, F_CONTEXT, 0, false, &res, &d), JITK_E_NOMEM);
	contains(d.msg, "Z3 context");
}

static void api_errors(void **state)
{
	struct jit_proof res;
	jitk_diag d;
	/* raised while the query is built: refused before any check */
	assert_int_equal(prove(state, F_SIMPLIFY, 0, false, &res, &d), JITK_E_SOLVER);
	contains(d.msg, "Z3 error: ");
	assert_int_equal(timeout_set, 0);
	/* raised by the check itself (which said "unsat") */
	assert_int_equal(prove(state, F_CHECK_ERR, 0, false, &res, &d), JITK_E_SOLVER);
	contains(d.msg, "Z3 error: ");
	assert_false(res.has_cex);
}

/* "unknown" is a refusal, never a pass, and says what was not decided and
 * which limit stopped Z3 (the hint: its value and the option raising it). */
static void unknown_refused(void **state)
{
	struct jit_proof res;
	jitk_diag d;
	unknown_reason = "injected timeout";
	assert_int_equal(prove(state, F_UNKNOWN, 0, false, &res, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "jit-proof-undecided");
	contains(d.msg, "Z3 did not decide whether the ");
	char want[128];
	snprintf(want, sizeof want, "-instruction image computes what its %zu-instruction filter", NPROG);
	contains(d.msg, want);
	contains(d.msg, "computes on every input: wall-clock timeout reached (injected timeout)");
	assert_string_equal(
		d.hint, "the wall-clock cap was 120000 ms (jitk jit --check IMAGE --timeout MS raises it)");
	assert_int_equal(d.index, -1);
	assert_false(res.has_cex);
	assert_int_equal(prove(state, F_UNKNOWN, 7, false, &res, &d), JITK_E_JIT);
	contains(d.hint, "was 7 ms");
	unknown_reason = "max. resource limit exceeded";
	assert_int_equal(prove(state, F_UNKNOWN, 7, false, &res, &d), JITK_E_JIT);
	assert_string_equal(d.rule, "jit-proof-undecided");
	contains(d.msg, "resource limit reached (max. resource limit exceeded)");
	assert_string_equal(
		d.hint, "the resource limit was 200000000 (jitk jit --check IMAGE --rlimit N raises it)");
	assert_false(res.has_cex);
	unknown_reason = "injected timeout";
}

/* SAT for an image that is right: the witness does not replay, so an
 * encoding is wrong; an internal error, never "different" and never a
 * pass. */
static void witness_not_replayed(void **state)
{
	struct jit_proof res;
	jitk_diag d;
	assert_int_equal(prove(state, F_SAT, 0, false, &res, &d), JITK_E_SOLVER);
	contains(d.msg, "internal error: Z3's counterexample (arch 0x00000000, nr 0) does not replay: "
			"both return 0x00050001");
	assert_false(res.has_cex);
	assert_false(res.image_faults);
	assert_int_equal(res.image_ret, 0x00050001);
	assert_int_equal(res.filter_ret, 0x00050001);
}

static void no_model(void **state)
{
	struct jit_proof res;
	jitk_diag d;
	assert_int_equal(prove(state, F_NO_MODEL, 0, false, &res, &d), JITK_E_SOLVER);
	contains(d.msg, "Z3 gave no model");
	assert_false(res.has_cex);
}

/* The model is read through 16 input words, the image's value and its
 * fault flag (18 evaluations, 17 numerals): a failure at any of them is
 * an internal error. */
static void model_unreadable(void **state)
{
	struct jit_proof res;
	jitk_diag d;
	for (eval_nth = 0; eval_nth < 18; eval_nth++) {
		assert_int_equal(prove(state, F_EVAL, 0, false, &res, &d), JITK_E_SOLVER);
		contains(d.msg, "internal error: cannot read Z3's model");
		assert_false(res.has_cex);
	}
	for (eval_nth = 0; eval_nth < 17; eval_nth++) {
		assert_int_equal(prove(state, F_NUMERAL, 0, false, &res, &d), JITK_E_SOLVER);
		contains(d.msg, "internal error: cannot read Z3's model");
	}
	/* one past the last read: nothing fails, the witness is read and
	 * does not replay */
	eval_nth = 18;
	assert_int_equal(prove(state, F_EVAL, 0, false, &res, &d), JITK_E_SOLVER);
	contains(d.msg, "does not replay");
	assert_int_equal(evals, 18);
	eval_nth = 17;
	assert_int_equal(prove(state, F_NUMERAL, 0, false, &res, &d), JITK_E_SOLVER);
	contains(d.msg, "does not replay");
	assert_int_equal(numerals, 17);
	eval_nth = 0;
}

/* A real counterexample is reported with its input: the sixteen words in
 * order in the hint, and the fields of res->in. */
static void witness_reported(void **state)
{
	struct img *im = *state;
	struct img wrong = *im;
	wrong.code = malloc(im->len);
	assert_non_null(wrong.code);
	memcpy(wrong.code, im->code, im->len);
	/* the errno return 0x00050001 becomes 0x00050002 */
	static const uint8_t ret[] = { 0x01, 0x00, 0x05, 0x00 };
	uint8_t *at = memmem(wrong.code, im->len, ret, sizeof ret);
	assert_non_null(at);
	at[0] = 0x02;
	void *st = &wrong;
	struct jit_proof res;
	jitk_diag d;
	assert_int_equal(prove(&st, F_PIN, 0, false, &res, &d), JITK_E_JIT);
	assert_true(res.has_cex);
	assert_false(res.image_faults);
	assert_string_equal(d.rule, "jit-proof");
	assert_int_equal(d.index, -1);
	assert_string_equal(d.msg, "the image differs from its filter: on arch 0xc000003e nr 17 it returns "
				   "0x00050002, the filter 0x00050001");
	assert_string_equal(d.hint, "input words: 00000011 c000003e 33333333 44444444 55555555 66666666 "
				    "77777777 88888888 99999999 aaaaaaaa bbbbbbbb cccccccc dddddddd eeeeeeee "
				    "fefefefe 0f0f0f0f");
	assert_int_equal(res.in.nr, 0x11);
	assert_int_equal(res.in.arch, 0xc000003e);
	assert_int_equal(res.in.instruction_pointer, 0x4444444433333333ull);
	assert_int_equal(res.in.args[0], 0x6666666655555555ull);
	assert_int_equal(res.in.args[5], 0x0f0f0f0ffefefefeull);
	assert_int_equal(res.image_ret, 0x00050002);
	assert_int_equal(res.filter_ret, 0x00050001);
	free(wrong.code);
}

static void export_fails(void **state)
{
	struct jit_proof res;
	jitk_diag d;
	assert_int_equal(prove(state, F_SMTLIB, 0, true, &res, &d), JITK_E_NOMEM);
	contains(d.msg, "cannot export the query");
	assert_null(res.smtlib);
	/* not asked: not exported, so the failing export is never reached */
	assert_int_equal(prove(state, F_SMTLIB, 0, false, &res, &d), JITK_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(proved, setup, teardown),
		cmocka_unit_test_setup_teardown(null_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(no_config_no_context, setup, teardown),
		cmocka_unit_test_setup_teardown(api_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(witness_not_replayed, setup, teardown),
		cmocka_unit_test_setup_teardown(no_model, setup, teardown),
		cmocka_unit_test_setup_teardown(model_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(witness_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(export_fails, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
