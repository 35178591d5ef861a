/*
 * jit_prove.c - the per-image proof (contract in jit_prove.h).
 *
 * TRUSTED BASE.  Plain: build both terms, one QF_BV query, read a model.
 */
#include "diag.h"
#include "jit_prove.h"
#include "smt.h"
#include "smt_x86.h"

#include <stdlib.h>
#include <string.h>

/* Z3 reports API errors here; the default handler would exit.  The code
 * stays readable through Z3_get_error_code and is checked after each step. */
static void prove_z3_error(Z3_context c, Z3_error_code e)
{
	(void)c;
	(void)e;
}

static bool eval_u32(Z3_context c, Z3_model m, Z3_ast t, uint32_t *out)
{
	Z3_ast v = NULL;
	unsigned u = 0;
	/* model completion: a constant the formula ignores gets 0 */
	if (!Z3_model_eval(c, m, t, true, &v) || !Z3_get_numeral_uint(c, v, &u))
		return false;
	*out = u;
	return true;
}

/* Read the counterexample of a SAT answer and replay its input through the
 * interpreter. */
static jitk_err take_cex(Z3_context c, Z3_solver s, const jitk_filter *f, const struct smt_input *in,
			 const struct smt_x86 *x, struct jit_proof *res, jitk_diag *d)
{
	Z3_model m = Z3_solver_get_model(c, s);
	if (!m)
		return diag_err(d, JITK_E_SOLVER, "Z3 gave no model");
	Z3_model_inc_ref(c, m);
	uint32_t w[SMT_NWORDS];
	bool ok = true;
	for (unsigned i = 0; i < SMT_NWORDS; i++)
		ok = ok && eval_u32(c, m, in->w[i], &w[i]);
	ok = ok && eval_u32(c, m, x->ret, &res->image_ret);
	Z3_ast fv = NULL;
	ok = ok && Z3_model_eval(c, m, x->fault, true, &fv);
	res->image_faults = ok && Z3_get_bool_value(c, fv) == Z3_L_TRUE;
	Z3_model_dec_ref(c, m);
	if (!ok)
		return diag_err(d, JITK_E_SOLVER, "internal error: cannot read Z3's model");
	smt_data_of(w, &res->in);
	jitk_result r;
	if (jitk_interp(f, &res->in, &r) != JITK_OK)
		return diag_err(d, JITK_E_SOLVER, "internal error: cannot replay a counterexample");
	res->filter_ret = r.ret;
	/* A witness that does not replay means an encoding is wrong: nothing
	 * can be concluded. */
	if (!res->image_faults && res->image_ret == res->filter_ret)
		return diag_err(d, JITK_E_SOLVER,
				"internal error: Z3's counterexample (arch 0x%08x, nr %d) does not replay: "
				"both return 0x%08x",
				res->in.arch, res->in.nr, r.ret);
	res->has_cex = true;
	if (res->image_faults)
		diag_insn(d, JITK_E_JIT, -1, "jit-proof",
			  "the image faults (divide error) on arch 0x%08x nr %d, where the filter returns 0x%08x",
			  res->in.arch, res->in.nr, res->filter_ret);
	else
		diag_insn(d, JITK_E_JIT, -1, "jit-proof",
			  "the image differs from its filter: on arch 0x%08x nr %d it returns 0x%08x, the filter 0x%08x",
			  res->in.arch, res->in.nr, res->image_ret, res->filter_ret);
	diag_hint(d,
		  "input words: %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x",
		  w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13],
		  w[14], w[15]);
	return JITK_E_JIT;
}

/* The solver: simplify, bit-blast, SAT (Z3's tactics of those names).
 * Z3's default QF_BV strategy (4.8.12) rewrites the query first in ways
 * that split the shared multiplications of the two encodings into
 * differently sized pieces, which then have to be proved equal bit by
 * bit: images it did not prove in 300 s are proved this way in 0.1 s
 * (docs/jit.md, "The proof").  The pipeline is complete for QF_BV: every
 * term is bit-blasted, so "unknown" comes only from a limit.  The model of
 * a SAT answer is translated back through the tactics' model converters
 * and is checked by replay (take_cex) anyway. */
static Z3_solver mk_solver(Z3_context c)
{
	/* Tactics are reference counted even in a Z3_mk_context context: each
	 * is held while the next one is made. */
	static const char *const names[3] = { "simplify", "bit-blast", "sat" };
	Z3_tactic t[3] = { NULL, NULL, NULL };
	for (unsigned i = 0; i < 3; i++) {
		t[i] = Z3_mk_tactic(c, names[i]);
		if (t[i])
			Z3_tactic_inc_ref(c, t[i]);
	}
	Z3_solver s = NULL;
	if (t[0] && t[1] && t[2]) {
		Z3_tactic tail = Z3_tactic_and_then(c, t[1], t[2]);
		if (tail) {
			Z3_tactic_inc_ref(c, tail);
			Z3_tactic all = Z3_tactic_and_then(c, t[0], tail);
			if (all) {
				Z3_tactic_inc_ref(c, all);
				s = Z3_mk_solver_from_tactic(c, all);
				if (s)
					Z3_solver_inc_ref(c, s);
				Z3_tactic_dec_ref(c, all);
			}
			Z3_tactic_dec_ref(c, tail);
		}
	}
	for (unsigned i = 0; i < 3; i++)
		if (t[i])
			Z3_tactic_dec_ref(c, t[i]);
	return s;
}

static uint64_t rlimit_count(Z3_context c, Z3_solver s)
{
	Z3_stats st = Z3_solver_get_statistics(c, s);
	uint64_t n = 0;
	if (!st)
		return 0;
	Z3_stats_inc_ref(c, st);
	for (unsigned i = 0; i < Z3_stats_size(c, st); i++)
		if (!strcmp(Z3_stats_get_key(c, st, i), "rlimit count") && Z3_stats_is_uint(c, st, i))
			n = Z3_stats_get_uint_value(c, st, i);
	Z3_stats_dec_ref(c, st);
	return n;
}

static jitk_err prove_in(Z3_context c, const jitk_filter *f, const uint8_t *code, size_t len, unsigned rlimit,
			 unsigned timeout_ms, bool want_smtlib, struct jit_proof *res, jitk_diag *d)
{
	struct smt_input in;
	smt_input_init(c, &in);
	Z3_ast tb = NULL;
	jitk_err err = smt_bpf(c, f, &in, &tb, d);
	if (err)
		return err;
	struct smt_x86 x;
	err = smt_x86(c, code, len, &in, &x, d);
	if (err)
		return err;
	res->x86_insns = x.ninsns;
	Z3_ast bad[2] = { x.fault, Z3_mk_not(c, Z3_mk_eq(c, x.ret, tb)) };
	Z3_ast q = Z3_simplify(c, Z3_mk_or(c, 2, bad));
	if (Z3_get_error_code(c) != Z3_OK)
		return diag_err(d, JITK_E_SOLVER, "Z3 error: %s", Z3_get_error_msg(c, Z3_get_error_code(c)));
	if (want_smtlib) {
		const char *txt = Z3_benchmark_to_smtlib_string(c, "jitk image proof", "QF_BV", "unknown",
								"", 0, NULL, q);
		res->smtlib = txt ? strdup(txt) : NULL;
		if (!res->smtlib)
			return diag_err(d, JITK_E_NOMEM, "cannot export the query");
	}
	Z3_solver s = mk_solver(c); /* referenced */
	if (!s)
		return diag_err(d, JITK_E_SOLVER, "Z3 error: cannot build the solver");
	Z3_params prm = Z3_mk_params(c);
	Z3_params_inc_ref(c, prm);
	Z3_params_set_uint(c, prm, Z3_mk_string_symbol(c, "rlimit"), rlimit);
	Z3_params_set_uint(c, prm, Z3_mk_string_symbol(c, "timeout"), timeout_ms);
	Z3_solver_set_params(c, s, prm);
	Z3_params_dec_ref(c, prm);
	Z3_solver_assert(c, s, q);
	Z3_lbool r = Z3_solver_check(c, s);
	res->rlimit_used = rlimit_count(c, s);
	if (Z3_get_error_code(c) != Z3_OK) {
		err = diag_err(d, JITK_E_SOLVER, "Z3 error: %s", Z3_get_error_msg(c, Z3_get_error_code(c)));
	} else if (r == Z3_L_UNDEF) {
		/* Undecided is refused: an image is run only once proved.  The
		 * message names what was not decided and which limit stopped
		 * Z3, so the user knows which knob to turn (docs/jit.md). */
		const char *why = Z3_solver_get_reason_unknown(c, s);
		/* Z3 names an exhausted rlimit "max. resource limit exceeded"
		 * in some tactics and "canceled" in others: the count decides. */
		bool by_rlimit = res->rlimit_used >= rlimit || (why && strstr(why, "resource"));
		err = diag_insn(d, JITK_E_JIT, -1, "jit-proof-undecided",
				"Z3 did not decide whether the %zu-instruction image computes what its "
				"%zu-instruction filter computes on every input: %s (%s)",
				x.ninsns, jitk_filter_len(f),
				by_rlimit ? "resource limit reached" : "wall-clock timeout reached",
				why ? why : "");
		diag_hint(d,
			  by_rlimit
				  ? "the resource limit was %u (jitk jit --check IMAGE --rlimit N raises it)"
				  : "the wall-clock cap was %u ms (jitk jit --check IMAGE --timeout MS raises it)",
			  by_rlimit ? rlimit : timeout_ms);
	} else if (r == Z3_L_TRUE) {
		err = take_cex(c, s, f, &in, &x, res, d);
	}
	Z3_solver_dec_ref(c, s);
	return err;
}

jitk_err jit_prove(const jitk_filter *f, const uint8_t *code, size_t len, unsigned rlimit,
		   unsigned timeout_ms, bool want_smtlib, struct jit_proof *res, jitk_diag *d)
{
	struct jit_proof local;
	if (!res)
		res = &local;
	memset(res, 0, sizeof *res);
	if (!f || !code)
		return diag_err(d, JITK_E_INVAL, "NULL argument");
	Z3_config cfg = Z3_mk_config();
	if (!cfg)
		return diag_err(d, JITK_E_NOMEM, "cannot create a Z3 configuration");
	/* Z3_mk_context, not _rc: ASTs live until Z3_del_context (smt.h). */
	Z3_context c = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	if (!c)
		return diag_err(d, JITK_E_NOMEM, "cannot create a Z3 context");
	Z3_set_error_handler(c, prove_z3_error);
	jitk_err err = prove_in(c, f, code, len, rlimit ? rlimit : JIT_PROVE_DEFAULT_RLIMIT,
				timeout_ms ? timeout_ms : JIT_PROVE_DEFAULT_TIMEOUT_MS, want_smtlib, res, d);
	Z3_del_context(c);
	if (res == &local)
		free(local.smtlib);
	return err;
}
