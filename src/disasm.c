/* src/disasm.c - stub: not written yet; replaced by the real stage. */
#include "internal.h"
jitk_err jitk_disasm(const jitk_filter *f, char **out) { (void)f; (void)out; return JITK_E_UNSUPPORTED; }
jitk_err jitk_format_c(const jitk_filter *f, const char *name, char **out) { (void)f; (void)name; (void)out; return JITK_E_UNSUPPORTED; }
