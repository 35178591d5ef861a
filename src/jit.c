/* src/jit.c - stub: not written yet; replaced by the real stage. */
#include "internal.h"
jitk_err jitk_jit_compile(const jitk_filter *f, jitk_jit **out, jitk_diag *d) { (void)f; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "JIT not written yet"); }
jitk_jit_fn jitk_jit_func(const jitk_jit *j) { (void)j; return NULL; }
const uint8_t *jitk_jit_code(const jitk_jit *j, size_t *len) { (void)j; *len = 0; return NULL; }
void jitk_jit_free(jitk_jit *j) { (void)j; }
