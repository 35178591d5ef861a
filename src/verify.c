/* src/verify.c - stub: not written yet; replaced by the real stage. */
#include "internal.h"
jitk_err jitk_verify(const jitk_policy *p, const jitk_filter *f, unsigned timeout_ms, jitk_cex *cex, jitk_diag *d) { (void)p; (void)f; (void)timeout_ms; (void)cex; return diag_err(d, JITK_E_UNSUPPORTED, "verifier not written yet"); }
jitk_err jitk_equiv(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex, size_t maxcex, size_t *ncex, jitk_diag *d) { (void)a; (void)b; (void)timeout_ms; (void)cex; (void)maxcex; (void)ncex; return diag_err(d, JITK_E_UNSUPPORTED, "verifier not written yet"); }
