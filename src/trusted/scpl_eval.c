/* src/trusted/scpl_eval.c - stub: not written yet; replaced by the real stage. */
#include "policy.h"
uint32_t jitk_policy_eval(const jitk_policy *p, const struct seccomp_data *in) { (void)p; (void)in; return 0; }
