/* src/compile.c - stub: not written yet; replaced by the real stage. */
#include "policy.h"
jitk_err jitk_compile(const jitk_policy *p, const jitk_compile_opts *opts, jitk_filter **out, jitk_diag *d) { (void)p; (void)opts; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "compiler not written yet"); }
