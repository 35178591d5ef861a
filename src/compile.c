/*
 * compile.c - jitk_compile: policy -> IR -> cBPF -> checked -> proved.
 *
 * Each arrow is validated by something that does not trust the previous
 * stage: codegen() runs the seccomp checker on its own output, and unless
 * the caller opts out, the Z3 verifier proves that the filter returns what
 * the SCPL semantics say for every possible seccomp_data.
 */
#include "policy.h"

#include <stdio.h>

jitk_err jitk_compile(const jitk_policy *p, const jitk_compile_opts *opts, jitk_filter **out, jitk_diag *d)
{
	if (!p || !out)
		return diag_err(d, JITK_E_INVAL, "jitk_compile: NULL argument");
	*out = NULL;
	static const jitk_compile_opts defaults;
	if (!opts)
		opts = &defaults;

	struct ir_policy *ir = NULL;
	jitk_err err = ir_build(p, &ir, d);
	if (err)
		return err;
	jitk_filter *f = NULL;
	err = codegen(ir, opts, &f, d);
	ir_free(ir);
	if (err)
		return err;

	if (!opts->no_verify) {
		jitk_cex cex;
		jitk_diag vd;
		err = jitk_verify(p, f, opts->verify_timeout_ms, &cex, &vd);
		if (err == JITK_E_DIFFERENT) {
			jitk_filter_free(f);
			diag_err(d, JITK_E_DIFFERENT,
				 "internal compiler error: the filter differs from the policy at "
				 "arch=0x%08x nr=%d args=[0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx]: "
				 "policy 0x%08x (%s), filter 0x%08x (%s); this is a compiler bug",
				 cex.in.arch, cex.in.nr, (unsigned long long)jitk_data_arg(&cex.in, 0),
				 (unsigned long long)jitk_data_arg(&cex.in, 1),
				 (unsigned long long)jitk_data_arg(&cex.in, 2),
				 (unsigned long long)jitk_data_arg(&cex.in, 3),
				 (unsigned long long)jitk_data_arg(&cex.in, 4),
				 (unsigned long long)jitk_data_arg(&cex.in, 5), cex.left,
				 jitk_action_name(cex.left), cex.right, jitk_action_name(cex.right));
			diag_hint(d, "please report it with the policy; --no-verify skips the proof");
			return JITK_E_DIFFERENT;
		}
		if (err) { /* no proof, no filter: a solver timeout is a failure too */
			jitk_filter_free(f);
			if (d) {
				*d = vd;
				if (err == JITK_E_SOLVER)
					diag_hint(d,
						  "raise --timeout, or compile with --no-verify to skip the proof");
			}
			return err;
		}
	}
	*out = f;
	return JITK_OK;
}
