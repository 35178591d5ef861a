/*
 * verify.c - translation validation with Z3: jitk_verify and jitk_equiv.
 *
 * Each side (a policy or a filter) becomes a 32-bit term over one symbolic
 * seccomp_data (trusted/smt_bpf.c, trusted/smt_scpl.c).  Z3 is asked
 * whether the two terms can differ:
 *   UNSAT   - they are equal on all 2^512 inputs: JITK_OK;
 *   SAT     - the model is a concrete input; it is replayed through the
 *             concrete semantics (jitk_interp, jitk_policy_eval) and must
 *             really differ there, else it is an internal error (never a
 *             silent pass); then its (arch, nr) is blocked and Z3 asked
 *             again, up to maxcex witnesses: JITK_E_DIFFERENT;
 *   UNKNOWN - timeout or incompleteness: JITK_E_SOLVER, never success.
 * A filter the checker rejects is JITK_E_CHECK before Z3 is involved.
 *
 * Speed: the query is split per value of seccomp_data.arch (one query per
 * listed ABI's AUDIT_ARCH, one for every other arch value), because a
 * compiled filter's first test is the arch and each part is then a much
 * smaller bit-vector problem; every part is simplified before solving.
 * The parts cover every input: the last one asserts arch differs from all
 * the fixed values.
 */
#include "policy.h"
#include "smt.h"

#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_DEFAULT_TIMEOUT_MS 10000u

/* Z3 calls this on an API error; the default handler would exit the
 * process, which the library never does.  The error code stays readable
 * through Z3_get_error_code and is checked after each step. */
static void verify_z3_error(Z3_context c, Z3_error_code e)
{
	(void)c;
	(void)e;
}

static bool side_ok(jitk_side s)
{
	return (s.policy != NULL) != (s.filter != NULL);
}

/* The term of one side. */
static jitk_err side_term(Z3_context c, jitk_side s, const struct smt_input *in, Z3_ast *t,
			  jitk_diag *d)
{
	if (s.filter)
		return smt_bpf(c, s.filter, in, t, d);
	*t = smt_scpl(c, s.policy, in);
	if (!*t)
		return diag_err(d, JITK_E_SOLVER, "Z3 error while encoding the policy");
	return JITK_OK;
}

/* The concrete value of one side on one input (the replay). */
static jitk_err side_eval(jitk_side s, const struct seccomp_data *in, uint32_t *out, jitk_diag *d)
{
	if (s.policy) {
		*out = jitk_policy_eval(s.policy, in);
		return JITK_OK;
	}
	jitk_result r;
	jitk_err err = jitk_interp(s.filter, in, &r);
	if (err)
		return diag_err(d, JITK_E_SOLVER,
				"internal error: cannot replay a counterexample through the interpreter: %s",
				jitk_strerror(err));
	*out = r.ret;
	return JITK_OK;
}

/* The arch values of the split: the AUDIT_ARCH of every ABI either side
 * lists (filters list none; they are split by the policy side, or not at
 * all).  x32 shares x86_64's value.  Returns the count. */
static size_t split_arches(jitk_side a, jitk_side b, uint32_t vals[JITK_ARCH__COUNT])
{
	size_t n = 0;
	for (int i = 0; i < JITK_ARCH__COUNT; i++) {
		bool listed = (a.policy && a.policy->arch[i]) || (b.policy && b.policy->arch[i]);
		if (!listed)
			continue;
		uint32_t v = jitk_arch_audit((jitk_arch)i);
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= vals[j] == v;
		if (!dup)
			vals[n++] = v;
	}
	return n;
}

struct vrun {
	Z3_context c;
	Z3_solver s;
	struct smt_input in;
	jitk_side a, b;
	jitk_cex *cex;
	size_t maxcex, ncex;
};

/* Solve the assertions currently in the solver, collecting witnesses until
 * UNSAT or maxcex is reached.  Each witness blocks its (arch, nr). */
static jitk_err solve_part(struct vrun *v, bool *full, jitk_diag *d)
{
	Z3_context c = v->c;
	for (;;) {
		Z3_lbool r = Z3_solver_check(c, v->s);
		if (Z3_get_error_code(c) != Z3_OK)
			return diag_err(d, JITK_E_SOLVER, "Z3 error: %s",
					Z3_get_error_msg(c, Z3_get_error_code(c)));
		if (r == Z3_L_FALSE)
			return JITK_OK;
		if (r == Z3_L_UNDEF) {
			jitk_err e = diag_err(d, JITK_E_SOLVER, "Z3 could not decide: %s",
					      Z3_solver_get_reason_unknown(c, v->s));
			diag_hint(d, "raise the timeout (--timeout MS); the default is %u ms",
				  VERIFY_DEFAULT_TIMEOUT_MS);
			return e;
		}
		Z3_model m = Z3_solver_get_model(c, v->s);
		if (!m)
			return diag_err(d, JITK_E_SOLVER, "Z3 gave no model");
		Z3_model_inc_ref(c, m);
		uint32_t w[SMT_NWORDS];
		bool ok = true;
		for (unsigned i = 0; i < SMT_NWORDS; i++) {
			Z3_ast val = NULL;
			unsigned u = 0;
			/* model completion: a word the formula ignores gets 0 */
			ok = ok && Z3_model_eval(c, m, v->in.w[i], true, &val) &&
			     Z3_get_numeral_uint(c, val, &u);
			w[i] = u;
		}
		Z3_model_dec_ref(c, m);
		if (!ok)
			return diag_err(d, JITK_E_SOLVER, "internal error: cannot read Z3's model");
		jitk_cex x;
		memset(&x, 0, sizeof x);
		smt_data_of(w, &x.in);
		jitk_err err = side_eval(v->a, &x.in, &x.left, d);
		if (!err)
			err = side_eval(v->b, &x.in, &x.right, d);
		if (err)
			return err;
		/* Security: a witness that does not replay means an encoding
		 * and its concrete semantics disagree; nothing can be
		 * concluded, and saying "different" or "equal" would both be
		 * unfounded. */
		if (x.left == x.right)
			return diag_err(d, JITK_E_SOLVER,
					"internal error: Z3's counterexample (arch 0x%08x, nr %d) does not "
					"replay: both sides return 0x%08x",
					x.in.arch, x.in.nr, x.left);
		if (v->ncex < v->maxcex && v->cex)
			v->cex[v->ncex] = x;
		v->ncex++;
		if (v->ncex >= v->maxcex) {
			*full = true;
			return JITK_OK;
		}
		Z3_ast same[2] = { Z3_mk_eq(c, v->in.w[0], Z3_mk_unsigned_int(c, w[0], Z3_mk_bv_sort(c, 32))),
				   Z3_mk_eq(c, v->in.w[1], Z3_mk_unsigned_int(c, w[1], Z3_mk_bv_sort(c, 32))) };
		Z3_solver_assert(c, v->s, Z3_mk_not(c, Z3_mk_and(c, 2, same)));
	}
}

static jitk_err equiv_in(struct vrun *v, unsigned timeout_ms, jitk_diag *d)
{
	Z3_context c = v->c;
	smt_input_init(c, &v->in);
	Z3_ast ta, tb;
	jitk_err err = side_term(c, v->a, &v->in, &ta, d);
	if (!err)
		err = side_term(c, v->b, &v->in, &tb, d);
	if (err)
		return err;

	v->s = Z3_mk_solver_for_logic(c, Z3_mk_string_symbol(c, "QF_BV"));
	Z3_solver_inc_ref(c, v->s);
	Z3_params prm = Z3_mk_params(c);
	Z3_params_inc_ref(c, prm);
	Z3_params_set_uint(c, prm, Z3_mk_string_symbol(c, "timeout"), timeout_ms);
	Z3_solver_set_params(c, v->s, prm);
	Z3_params_dec_ref(c, prm);

	uint32_t vals[JITK_ARCH__COUNT];
	size_t nv = split_arches(v->a, v->b, vals);
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	Z3_ast differ = Z3_mk_not(c, Z3_mk_eq(c, ta, tb));
	bool full = false;
	/* Parts 0..nv-1: arch == vals[i]; part nv: arch is none of them. */
	for (size_t i = 0; i <= nv && !err && !full; i++) {
		Z3_ast part;
		if (i < nv) {
			part = Z3_mk_eq(c, v->in.w[1], Z3_mk_unsigned_int(c, vals[i], bv32));
		} else {
			part = Z3_mk_true(c);
			for (size_t j = 0; j < nv; j++) {
				Z3_ast ne = Z3_mk_not(c, Z3_mk_eq(c, v->in.w[1],
								 Z3_mk_unsigned_int(c, vals[j], bv32)));
				Z3_ast args[2] = { part, ne };
				part = Z3_mk_and(c, 2, args);
			}
		}
		Z3_solver_push(c, v->s);
		if (i < nv) {
			/* Substitute the arch so both terms fold their arch
			 * tests away before Z3 sees them. */
			Z3_ast from[1] = { v->in.w[1] }, to[1] = { Z3_mk_unsigned_int(c, vals[i], bv32) };
			Z3_solver_assert(c, v->s, Z3_simplify(c, Z3_substitute(c, differ, 1, from, to)));
		} else {
			Z3_solver_assert(c, v->s, Z3_simplify(c, differ));
		}
		Z3_solver_assert(c, v->s, part);
		err = solve_part(v, &full, d);
		Z3_solver_pop(c, v->s, 1);
	}
	if (!err && Z3_get_error_code(c) != Z3_OK)
		err = diag_err(d, JITK_E_SOLVER, "Z3 error: %s", Z3_get_error_msg(c, Z3_get_error_code(c)));
	if (!err && v->ncex)
		err = diag_err(d, JITK_E_DIFFERENT, "the two sides differ on %zu input%s (arch 0x%08x, nr %d first)",
			       v->ncex, v->ncex == 1 ? "" : "s", v->cex ? v->cex[0].in.arch : 0,
			       v->cex ? v->cex[0].in.nr : 0);
	return err;
}

jitk_err jitk_equiv(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex,
		    size_t maxcex, size_t *ncex, jitk_diag *d)
{
	diag_clear(d);
	if (ncex)
		*ncex = 0;
	if (!side_ok(a) || !side_ok(b))
		return diag_err(d, JITK_E_INVAL, "each side must be exactly one of a policy and a filter");
	if (maxcex == 0)
		maxcex = 1; /* deciding needs at least one witness */
	Z3_config cfg = Z3_mk_config();
	if (!cfg)
		return diag_err(d, JITK_E_NOMEM, "cannot create a Z3 configuration");
	/* Z3_mk_context, not _rc: ASTs live until Z3_del_context (smt.h). */
	Z3_context c = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	if (!c)
		return diag_err(d, JITK_E_NOMEM, "cannot create a Z3 context");
	Z3_set_error_handler(c, verify_z3_error);
	struct vrun v = { .c = c, .a = a, .b = b, .cex = cex, .maxcex = cex ? maxcex : 1 };
	jitk_err err = equiv_in(&v, timeout_ms ? timeout_ms : VERIFY_DEFAULT_TIMEOUT_MS, d);
	if (v.s)
		Z3_solver_dec_ref(c, v.s);
	Z3_del_context(c);
	if (ncex)
		*ncex = cex ? v.ncex : 0;
	return err;
}

jitk_err jitk_verify(const jitk_policy *p, const jitk_filter *f, unsigned timeout_ms,
		     jitk_cex *cex, jitk_diag *d)
{
	if (!p || !f)
		return diag_err(d, JITK_E_INVAL, "jitk_verify: NULL policy or filter");
	jitk_side a = { .policy = p }, b = { .filter = f };
	size_t n = 0;
	return jitk_equiv(a, b, timeout_ms, cex, 1, &n, d);
}
