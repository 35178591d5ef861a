/* src/scpl_parse.c - stub: not written yet; replaced by the real stage. */
#include "policy.h"
jitk_err jitk_policy_parse(const char *text, size_t len, const char *filename, jitk_policy **out, jitk_diag *d) { (void)text; (void)len; (void)filename; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "SCPL not written yet"); }
jitk_err jitk_policy_load(const char *path, jitk_policy **out, jitk_diag *d) { (void)path; (void)out; return diag_err(d, JITK_E_UNSUPPORTED, "SCPL not written yet"); }
void jitk_policy_free(jitk_policy *p) { (void)p; }
