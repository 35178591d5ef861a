/* src/asm.c - stub: not written yet; replaced by the real stage. */
#include "internal.h"
jitk_err jitk_asm(const char *text, size_t len, const char *filename, jitk_filter **out, jitk_diag *d)
{ (void)text; (void)len; (void)filename; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "assembler not written yet"); }
