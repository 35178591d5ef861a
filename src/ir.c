/* src/ir.c - stub: not written yet; replaced by the real stage. */
#include "policy.h"
jitk_err ir_build(const jitk_policy *p, struct ir_policy **out, jitk_diag *d) { (void)p; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "IR not written yet"); }
void ir_free(struct ir_policy *ir) { (void)ir; }
