/* src/trusted/check.c - stub: not written yet; replaced by the real stage. */
#include "internal.h"
jitk_err jitk_check(const jitk_filter *f, jitk_diag *d) { (void)f; return diag_err(d, JITK_E_UNSUPPORTED, "checker not written yet"); }
