/* src/policy_stub.c - stub: not written yet; replaced by the real stage. */
#include "internal.h"
jitk_err jitk_policy_parse(const char *text, size_t len, const char *filename, jitk_policy **out, jitk_diag *d) { (void)text; (void)len; (void)filename; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "SCPL not written yet"); }
jitk_err jitk_policy_load(const char *path, jitk_policy **out, jitk_diag *d) { (void)path; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "SCPL not written yet"); }
void jitk_policy_free(jitk_policy *p) { (void)p; }
uint32_t jitk_policy_eval(const jitk_policy *p, const struct seccomp_data *in) { (void)p; (void)in; return 0; }
jitk_err jitk_compile(const jitk_policy *p, const jitk_compile_opts *opts, jitk_filter **out, jitk_diag *d) { (void)p; (void)opts; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "SCPL not written yet"); }
