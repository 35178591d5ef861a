/* src/codegen.c - stub: not written yet; replaced by the real stage. */
#include "policy.h"
jitk_err codegen(const struct ir_policy *ir, const jitk_compile_opts *opts, jitk_filter **out, jitk_diag *d) { (void)ir; (void)opts; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "codegen not written yet"); }
