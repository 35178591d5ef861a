/* src/loader.c - stub: not written yet; replaced by the real stage. */
#include "internal.h"
jitk_err jitk_load(const jitk_filter *f, unsigned flags, int *listener, jitk_diag *d) { (void)f; (void)flags; (void)listener; return diag_err(d, JITK_E_UNSUPPORTED, "loader not written yet"); }
