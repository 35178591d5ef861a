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
#include "verify.h"
#include "stack.h"

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
	if (s.nstack && !s.stack)
		return false;
	for (size_t i = 0; i < s.nstack; i++)
		if (!s.stack[i])
			return false;
	return (s.policy != NULL) + (s.filter != NULL) + (s.nstack != 0) == 1;
}

/* The term of one side. */
static jitk_err side_term(Z3_context c, jitk_side s, const struct smt_input *in, Z3_ast *t,
			  jitk_diag *d)
{
	if (s.filter)
		return smt_bpf(c, s.filter, in, t, d);
	if (s.nstack) {
		Z3_ast *rets = malloc(s.nstack * sizeof *rets);
		if (!rets)
			return diag_err(d, JITK_E_NOMEM, "out of memory");
		jitk_err err = JITK_OK;
		for (size_t i = 0; i < s.nstack && !err; i++)
			err = smt_bpf(c, s.stack[i], in, &rets[i], d);
		*t = err ? NULL : smt_stack(c, rets, s.nstack);
		free(rets);
		if (err)
			return err;
		if (!*t)
			return diag_err(d, JITK_E_SOLVER, "Z3 error while encoding the stack");
		return JITK_OK;
	}
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
	size_t n = s.nstack ? s.nstack : 1;
	uint32_t rets[64], *r = n <= 64 ? rets : malloc(n * sizeof *r);
	if (!r)
		return diag_err(d, JITK_E_NOMEM, "out of memory");
	jitk_err err = JITK_OK;
	for (size_t i = 0; i < n && !err; i++) {
		jitk_result res;
		err = jitk_interp(s.nstack ? s.stack[i] : s.filter, in, &res);
		r[i] = res.ret;
	}
	if (!err)
		*out = s.nstack ? stack_fold(r, n) : r[0];
	if (r != rets)
		free(r);
	if (err)
		return diag_err(d, JITK_E_SOLVER,
				"internal error: cannot replay a counterexample through the interpreter: %s",
				jitk_strerror(err));
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
	jitk_cex *cex;           /* NULL, or maxcex entries */
	size_t maxcex, ncex;
	uint32_t (*blk)[2];      /* nr, arch of each witness: maxcex entries */
	verify_unsat_fn on_unsat; /* NULL, or gets each UNSAT part (verify.h) */
	void *on_unsat_ctx;
};

/* One satisfiability check: *sat tells SAT from UNSAT; timeout, "unknown"
 * and API errors are JITK_E_SOLVER. */
static jitk_err check(struct vrun *v, bool *sat, jitk_diag *d)
{
	Z3_context c = v->c;
	Z3_lbool r = Z3_solver_check(c, v->s);
	if (Z3_get_error_code(c) != Z3_OK)
		return diag_err(d, JITK_E_SOLVER, "Z3 error: %s", Z3_get_error_msg(c, Z3_get_error_code(c)));
	if (r == Z3_L_UNDEF) {
		jitk_err e = diag_err(d, JITK_E_SOLVER, "Z3 could not decide: %s",
				      Z3_solver_get_reason_unknown(c, v->s));
		diag_hint(d, "raise the timeout (--timeout MS); the default is %u ms",
			  VERIFY_DEFAULT_TIMEOUT_MS);
		return e;
	}
	*sat = r == Z3_L_TRUE;
	return JITK_OK;
}

/* Read the model of a SAT answer, replay it, and record it as witness
 * number v->ncex (its nr and arch also go to v->blk for blocking). */
static jitk_err take_witness(struct vrun *v, jitk_diag *d)
{
	Z3_context c = v->c;
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
		ok = ok && Z3_model_eval(c, m, v->in.w[i], true, &val) && Z3_get_numeral_uint(c, val, &u);
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
	/* Security: a witness that does not replay means an encoding and its
	 * concrete semantics disagree; nothing can be concluded, and saying
	 * "different" or "equal" would both be unfounded. */
	if (x.left == x.right)
		return diag_err(d, JITK_E_SOLVER,
				"internal error: Z3's counterexample (arch 0x%08x, nr %d) does not "
				"replay: both sides return 0x%08x",
				x.in.arch, x.in.nr, x.left);
	if (v->cex)
		v->cex[v->ncex] = x;
	v->blk[v->ncex][0] = w[0];
	v->blk[v->ncex][1] = w[1];
	v->ncex++;
	return JITK_OK;
}

/* No further witness with the (nr, arch) of witness i. */
static void block(struct vrun *v, size_t i)
{
	Z3_context c = v->c;
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	Z3_ast same[2] = { Z3_mk_eq(c, v->in.w[0], Z3_mk_unsigned_int(c, v->blk[i][0], bv32)),
			   Z3_mk_eq(c, v->in.w[1], Z3_mk_unsigned_int(c, v->blk[i][1], bv32)) };
	Z3_solver_assert(c, v->s, Z3_mk_not(c, Z3_mk_and(c, 2, same)));
}

/* Collect witnesses, blocking each (arch, nr), until UNSAT or maxcex. */
static jitk_err collect(struct vrun *v, bool *full, jitk_diag *d)
{
	for (;;) {
		bool sat;
		jitk_err err = check(v, &sat, d);
		if (err || !sat)
			return err;
		err = take_witness(v, d);
		if (err)
			return err;
		if (v->ncex >= v->maxcex) {
			*full = true;
			return JITK_OK;
		}
		block(v, v->ncex - 1);
	}
}

/* "nr is a syscall number that some ABI reporting this arch value names"
 * (x86_64 and x32 share one), as range tests; NULL if there is none. */
static Z3_ast known_nrs(Z3_context c, Z3_ast nr, uint32_t audit)
{
	enum { CAP = 4096 };
	uint32_t *nrs = malloc(CAP * sizeof *nrs);
	Z3_ast *alts = malloc(CAP * sizeof *alts);
	Z3_ast r = NULL;
	size_t n = 0, k = 0;
	if (!nrs || !alts)
		goto out;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		int x;
		if (jitk_arch_audit((jitk_arch)a) != audit)
			continue;
		for (size_t i = 0; n < CAP && jitk_syscall_at((jitk_arch)a, i, NULL, &x); i++)
			nrs[n++] = (uint32_t)x;
	}
	if (n == 0)
		goto out;
	qsort(nrs, n, sizeof *nrs, cmp_u32);
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && nrs[j + 1] <= nrs[j] + 1 && nrs[j] != UINT32_MAX)
			j++;
		Z3_ast range[2] = { Z3_mk_bvuge(c, nr, Z3_mk_unsigned_int(c, nrs[i], bv32)),
				    Z3_mk_bvule(c, nr, Z3_mk_unsigned_int(c, nrs[j], bv32)) };
		alts[k++] = Z3_mk_and(c, 2, range);
		i = j + 1;
	}
	r = Z3_mk_or(c, (unsigned)k, alts);
out:
	free(nrs);
	free(alts);
	return r;
}

/* Decide the assertions currently in the solver.  UNSAT (the common case
 * of a proof) costs one query.  If the sides differ, witnesses are taken
 * first among the inputs satisfying `prefer` (named syscalls), so that a
 * diff lists real syscalls before the arbitrary numbers a changed
 * default_action also affects; then among all inputs. */
static jitk_err solve_part(struct vrun *v, Z3_ast prefer, bool *full, jitk_diag *d)
{
	Z3_context c = v->c;
	bool sat;
	jitk_err err = check(v, &sat, d);
	if (err || !sat)
		return err;
	size_t start = v->ncex;
	Z3_solver_push(c, v->s);
	Z3_solver_assert(c, v->s, prefer);
	err = collect(v, full, d);
	Z3_solver_pop(c, v->s, 1);
	if (err || *full)
		return err;
	for (size_t i = start; i < v->ncex; i++)
		block(v, i); /* the pop dropped these */
	return collect(v, full, d);
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
		Z3_ast asserted;
		if (i < nv) {
			/* Substitute the arch so both terms fold their arch
			 * tests away before Z3 sees them. */
			Z3_ast from[1] = { v->in.w[1] }, to[1] = { Z3_mk_unsigned_int(c, vals[i], bv32) };
			asserted = Z3_simplify(c, Z3_substitute(c, differ, 1, from, to));
		} else {
			asserted = Z3_simplify(c, differ);
		}
		Z3_solver_assert(c, v->s, asserted);
		Z3_solver_assert(c, v->s, part);
		/* preferred witnesses: a named syscall of this arch, or for
		 * other arch values a small number (x32 bit aside) */
		Z3_ast prefer = i < nv ? known_nrs(c, v->in.w[0], vals[i]) : NULL;
		if (!prefer)
			prefer = Z3_mk_bvult(c, Z3_mk_bvand(c, v->in.w[0],
							    Z3_mk_unsigned_int(c, ~JITK_X32_SYSCALL_BIT, bv32)),
					     Z3_mk_unsigned_int(c, 1024, bv32));
		size_t before = v->ncex;
		err = solve_part(v, prefer, &full, d);
		Z3_solver_pop(c, v->s, 1);
		if (!err && v->ncex == before && v->on_unsat) {
			/* UNSAT: export exactly the assertions of this part for
			 * a second solver (verify.h). */
			Z3_ast both[2] = { asserted, part };
			const char *txt = Z3_benchmark_to_smtlib_string(
				c, "jitk verify part", "QF_BV", "unsat", "", 0, NULL,
				Z3_mk_and(c, 2, both));
			if (!txt || Z3_get_error_code(c) != Z3_OK)
				err = diag_err(d, JITK_E_SOLVER, "cannot export part %zu as SMT-LIB", i);
			else
				v->on_unsat(v->on_unsat_ctx, i, txt);
		}
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
	return verify_equiv_export(a, b, timeout_ms, cex, maxcex, ncex, NULL, NULL, d);
}

jitk_err verify_equiv_export(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex,
			     size_t maxcex, size_t *ncex, verify_unsat_fn fn, void *ctx,
			     jitk_diag *d)
{
	diag_clear(d);
	if (ncex)
		*ncex = 0;
	if (!side_ok(a) || !side_ok(b))
		return diag_err(d, JITK_E_INVAL, "each side must be exactly one of a policy, a filter and a stack");
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
	struct vrun v = { .c = c, .a = a, .b = b, .cex = cex, .maxcex = cex ? maxcex : 1,
			  .on_unsat = fn, .on_unsat_ctx = ctx };
	v.blk = calloc(v.maxcex, sizeof *v.blk);
	jitk_err err = v.blk ? equiv_in(&v, timeout_ms ? timeout_ms : VERIFY_DEFAULT_TIMEOUT_MS, d)
			     : diag_err(d, JITK_E_NOMEM, "out of memory");
	free(v.blk);
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
