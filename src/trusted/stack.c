/*
 * stack.c - the kernel's answer for a stack of filters (see stack.h).
 *
 * TRUSTED BASE.  Both functions transcribe seccomp_run_filters: the walk
 * goes from the newest filter (rets[n-1]) to the oldest, and an answer
 * replaces the current one only if its action is strictly smaller as a
 * signed 32-bit number (ACTION_ONLY in kernel/seccomp.c).
 */
#include "stack.h"

#define STACK_RET_ALLOW 0x7fff0000u
#define STACK_ACTION_FULL 0xffff0000u

static int32_t action_only(uint32_t ret)
{
	return (int32_t)(ret & STACK_ACTION_FULL);
}

uint32_t stack_fold(const uint32_t *rets, size_t n)
{
	uint32_t ret = STACK_RET_ALLOW;
	for (size_t i = n; i-- > 0;)
		if (action_only(rets[i]) < action_only(ret))
			ret = rets[i];
	return ret;
}

Z3_ast smt_stack(Z3_context c, const Z3_ast *rets, size_t n)
{
	Z3_sort bv32 = Z3_mk_bv_sort(c, 32);
	Z3_ast full = Z3_mk_unsigned_int(c, STACK_ACTION_FULL, bv32);
	Z3_ast ret = Z3_mk_unsigned_int(c, STACK_RET_ALLOW, bv32);
	for (size_t i = n; i-- > 0;) {
		Z3_ast lt = Z3_mk_bvslt(c, Z3_mk_bvand(c, rets[i], full), Z3_mk_bvand(c, ret, full));
		ret = Z3_mk_ite(c, lt, rets[i], ret);
	}
	return Z3_get_error_code(c) == Z3_OK ? ret : NULL;
}
