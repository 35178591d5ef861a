/* src/trusted/interp.c - stub: not written yet; replaced by the real stage. */
#include "internal.h"
jitk_err jitk_interp(const jitk_filter *f, const struct seccomp_data *in, jitk_result *out) { (void)f; (void)in; (void)out; return JITK_E_UNSUPPORTED; }
