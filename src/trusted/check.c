/*
 * check.c - exactly what seccomp(SECCOMP_SET_MODE_FILTER) accepts.  TRUSTED BASE.
 *
 * The kernel (6.x) runs four passes over the program and fails with EINVAL at
 * the first problem; this file runs the same passes in the same order, so the
 * verdict is identical and the reported instruction is the one the kernel
 * stopped at:
 *
 *   1. seccomp_prepare_filter:  1 <= len <= BPF_MAXINSNS (4096).
 *   2. bpf_check_classic:       per instruction, in pc order: the whole 16-bit
 *      code is in the classic table; DIV/MOD K by 0; LSH/RSH K by >= 32;
 *      M[] index >= 16; jump targets inside the program; LD ABS k in the
 *      ancillary area but not a known extension.  Then the last instruction
 *      must be RET K or RET A.
 *   3. check_load_and_stores:   a forward "definitely stored" analysis of M[];
 *      note that RET does not reset it (see check_mem below).
 *   4. seccomp_check_filter:    the seccomp whitelist (insn_info[].seccomp),
 *      and LD W ABS only at 4-byte aligned offsets below 64.
 *
 * Each pass is written as a plain loop with no cleverness, mirroring the
 * kernel's own structure (not its code) so that a reader can compare them
 * rule by rule.  docs/checker.md records how each rule was confirmed on the
 * running kernel; tests/kernel/test_check_kernel.c compares this file with
 * the kernel on >= 100,000 generated programs.
 */
#include "check.h"
#include "insn.h"
#include "diag.h"
#include "analyzer.h"

#include <stdio.h>

/*
 * ACSL for Frama-C's WP (make prove-rte, docs/verify.md): what pass 2
 * establishes about the instruction at pc, which pass 3 relies on to index
 * masks[] and to shift by k.  Stated on insn_op(code), the logic name of
 * insn_op_of (insn.h).
 */
/*@ predicate is_mem_op(integer op) =
  @   op == INSN_LD_MEM || op == INSN_LDX_MEM || op == INSN_ST || op == INSN_STX;
  @ predicate is_cond_op(integer op) =
  @   op == INSN_JEQ_K || op == INSN_JEQ_X || op == INSN_JGT_K || op == INSN_JGT_X ||
  @   op == INSN_JGE_K || op == INSN_JGE_X || op == INSN_JSET_K || op == INSN_JSET_X;
  @ predicate classic_ok{L}(jitk_insn *p, integer n, integer pc) =
  @   0 <= insn_op(p[pc].code) &&
  @   (is_mem_op(insn_op(p[pc].code)) ==> p[pc].k < INSN_MEMWORDS) &&
  @   (insn_op(p[pc].code) == INSN_JA ==> pc + 1 + p[pc].k < n) &&
  @   (is_cond_op(insn_op(p[pc].code)) ==> pc + 1 + p[pc].jt < n && pc + 1 + p[pc].jf < n);
  @*/

/* Describe insns[pc] for a message: "ldh [k]" style is the disassembler's
 * job; here the table name and the raw fields are unambiguous. */
/*@ requires \valid_read(in) && 0 < cap && \valid(buf + (0 .. cap - 1));
  @ assigns buf[0 .. cap - 1];
  @*/
static void check_describe(char *buf, size_t cap, const jitk_insn *in)
{
	int op = insn_op_of(in->code);
	if (op >= 0)
		snprintf(buf, cap, "%s (code 0x%02x, jt %u, jf %u, k 0x%x)", insn_info[op].name,
			 (unsigned)in->code, (unsigned)in->jt, (unsigned)in->jf, (unsigned)in->k);
	else
		snprintf(buf, cap, "code 0x%04x (jt %u, jf %u, k 0x%x)", (unsigned)in->code,
			 (unsigned)in->jt, (unsigned)in->jf, (unsigned)in->k);
}

/* Record a rejection of insns[pc] under rule, with a hint. */
/*@ requires \valid_read(insns + pc);
  @ assigns *d;
  @ ensures \result == JITK_E_CHECK;
  @*/
static jitk_err check_fail(jitk_diag *d, const jitk_insn *insns, size_t pc, const char *rule,
			   const char *what, const char *hint)
{
	char desc[96];
	check_describe(desc, sizeof desc, &insns[pc]);
	diag_insn(d, JITK_E_CHECK, (long)pc, rule, "instruction %zu, %s: %s [%s]", pc, desc, what, rule);
	if (hint)
		diag_hint(d, "%s", hint);
	return JITK_E_CHECK;
}

/*
 * bpf_anc_helper(): the LD ABS offsets SKF_AD_OFF + SKF_AD_* that name a
 * socket-filter extension.  bpf_check_classic lets these through (and rejects
 * every other k >= SKF_AD_OFF); seccomp then refuses them all anyway (LD H/B
 * ABS by opcode, LD W ABS by k >= 64), so the only effect on seccomp is
 * which pass - and which instruction - reports the rejection.
 */
/*@ assigns \nothing; */
static bool check_is_ancillary(uint32_t k)
{
	static const uint32_t anc[] = {
		SKF_AD_PROTOCOL,         SKF_AD_PKTTYPE,    SKF_AD_IFINDEX,   SKF_AD_NLATTR,
		SKF_AD_NLATTR_NEST,      SKF_AD_MARK,       SKF_AD_QUEUE,     SKF_AD_HATYPE,
		SKF_AD_RXHASH,           SKF_AD_CPU,        SKF_AD_ALU_XOR_X, SKF_AD_VLAN_TAG,
		SKF_AD_VLAN_TAG_PRESENT, SKF_AD_PAY_OFFSET, SKF_AD_RANDOM,    SKF_AD_VLAN_TPID,
	};
	/*@ loop invariant 0 <= i <= sizeof(anc) / sizeof(anc[0]);
	  @ loop assigns i;
	  @ loop variant sizeof(anc) / sizeof(anc[0]) - i;
	  @*/
	for (size_t i = 0; i < sizeof anc / sizeof anc[0]; i++)
		if (k == (uint32_t)SKF_AD_OFF + anc[i])
			return true;
	return false;
}

/* Pass 2a: bpf_check_classic's per-instruction rules. */
/*@ requires n <= JITK_MAXINSNS && pc < n && \valid_read(insns + (0 .. n - 1));
  @ requires \separated(d, insns + (0 .. n - 1));
  @ assigns *d;
  @ ensures \result == JITK_OK ==> classic_ok(insns, n, pc);
  @*/
static jitk_err check_classic_insn(const jitk_insn *insns, size_t n, size_t pc, jitk_diag *d)
{
	const jitk_insn *in = &insns[pc];
	int op = insn_op_of(in->code);
	if (op < 0) {
		jitk_err e = check_fail(d, insns, pc, CHECK_RULE_OPCODE, "not a classic BPF opcode",
					"the whole 16-bit code must be one of the 49 classic opcodes; "
					"unused bits are not ignored");
		/* A valid opcode with stray high bits is a common slip. */
		int low = in->code > 0xff ? insn_op_of(in->code & 0xff) : -1;
		if (d && low >= 0)
			diag_hint(d, "the low byte 0x%02x is %s, but bits 0x%04x must be zero",
				  (unsigned)(in->code & 0xff), insn_info[low].name,
				  (unsigned)(in->code & 0xff00));
		return e;
	}
	switch (op) {
	case INSN_DIV_K:
	case INSN_MOD_K:
		if (in->k == 0)
			return check_fail(d, insns, pc, CHECK_RULE_DIV_BY_ZERO, "division by the constant 0",
					  "a constant divisor must be nonzero");
		break;
	case INSN_LSH_K:
	case INSN_RSH_K:
		if (in->k >= 32)
			return check_fail(d, insns, pc, CHECK_RULE_SHIFT_RANGE,
					  "constant shift count is 32 or more", "shift counts are 0..31");
		break;
	case INSN_LD_MEM:
	case INSN_LDX_MEM:
	case INSN_ST:
	case INSN_STX:
		if (in->k >= INSN_MEMWORDS)
			return check_fail(d, insns, pc, CHECK_RULE_MEM_INDEX,
					  "scratch memory index out of range",
					  "scratch memory is M[0] .. M[15]");
		break;
	case INSN_JA:
		/* The kernel's test is k >= len - pc - 1 in unsigned arithmetic:
		 * the target pc + 1 + k must be at most len - 1.  Written this way
		 * round, nothing can overflow (pc < n <= 4096). */
		if (in->k >= (uint32_t)(n - pc - 1))
			return check_fail(d, insns, pc, CHECK_RULE_JUMP_RANGE,
					  "jump target is past the last instruction",
					  "jumps go forward to pc + 1 + k, which must be an "
					  "instruction of the program");
		break;
	case INSN_JEQ_K:
	case INSN_JEQ_X:
	case INSN_JGT_K:
	case INSN_JGT_X:
	case INSN_JGE_K:
	case INSN_JGE_X:
	case INSN_JSET_K:
	case INSN_JSET_X:
		/* Both targets are checked, even if jt == jf. */
		if (pc + in->jt + 1 >= n || pc + in->jf + 1 >= n)
			return check_fail(d, insns, pc, CHECK_RULE_JUMP_RANGE,
					  pc + in->jt + 1 >= n ? "true target is past the last instruction"
							       : "false target is past the last instruction",
					  "conditional targets pc + 1 + jt and pc + 1 + jf must be "
					  "instructions of the program");
		break;
	case INSN_LD_W_ABS:
	case INSN_LD_H_ABS:
	case INSN_LD_B_ABS:
		if (in->k >= (uint32_t)SKF_AD_OFF && !check_is_ancillary(in->k))
			return check_fail(d, insns, pc, CHECK_RULE_LD_ABS_RANGE,
					  "offset is in the ancillary area but names no extension",
					  "seccomp loads use offsets 0, 4, ..., 60 of seccomp_data");
		break;
	default: break;
	}
	return JITK_OK;
}

/*
 * Pass 3: check_load_and_stores.  memvalid has one bit per M[] cell, starts
 * at 0 (nothing stored), and masks[pc] (all ones at first) collects the
 * states of the jumps that land on pc.  Walking pc in order:
 * memvalid &= masks[pc]; a store sets its bit; a load of a clear bit fails;
 * a jump ANDs memvalid into its targets' masks and sets memvalid to all ones
 * (the fall-through instruction is only reached through the jump, whose own
 * mask already constrains it).  RET does nothing: the instruction after a
 * RET inherits the pre-RET state as if it were reached by falling through.
 * That is stricter than necessary for code only reachable by a jump (its
 * mask is ANDed with the RET's state), and the kernel rejects such programs,
 * so we must too.  Pass 2 has already bounded every k and every target.
 */
/*@ requires 0 < n <= JITK_MAXINSNS && \valid_read(insns + (0 .. n - 1));
  @ requires \forall integer i; 0 <= i < n ==> classic_ok(insns, n, i);
  @ requires \separated(d, insns + (0 .. n - 1));
  @ assigns *d;
  @*/
static jitk_err check_mem(const jitk_insn *insns, size_t n, jitk_diag *d)
{
	uint16_t masks[JITK_MAXINSNS];
	uint16_t memvalid = 0;
	/*@ loop invariant 0 <= pc <= n;
	  @ loop assigns pc, masks[0 .. n - 1];
	  @ loop variant n - pc;
	  @*/
	for (size_t pc = 0; pc < n; pc++)
		masks[pc] = 0xffff;
	/*@ loop invariant 0 <= pc <= n;
	  @ loop assigns pc, memvalid, masks[0 .. n - 1];
	  @ loop variant n - pc;
	  @*/
	for (size_t pc = 0; pc < n; pc++) {
		const jitk_insn *in = &insns[pc];
		/*@ assert classic_ok(insns, n, pc); */
		memvalid &= masks[pc];
		switch (insn_op_of(in->code)) {
		case INSN_ST:
		case INSN_STX:
			ANALYZER_ASSUME(in->k < INSN_MEMWORDS); /* pass 2 */
			memvalid |= (uint16_t)(1u << in->k);
			break;
		case INSN_LD_MEM:
		case INSN_LDX_MEM:
			ANALYZER_ASSUME(in->k < INSN_MEMWORDS); /* pass 2 */
			if (!(memvalid & (1u << in->k))) {
				jitk_err e = check_fail(d, insns, pc, CHECK_RULE_MEM_UNINIT,
							"reads a scratch cell that is not stored on "
							"every path to it",
							NULL);
				diag_hint(d,
					  "store M[%u] first on every path; the kernel also "
					  "treats code after a RET as reached by falling through",
					  (unsigned)in->k);
				return e;
			}
			break;
		case INSN_JA:
			ANALYZER_ASSUME(in->k < n - pc - 1); /* pass 2: inside the program */
			masks[pc + 1 + in->k] &= memvalid;
			memvalid = 0xffff;
			break;
		case INSN_JEQ_K:
		case INSN_JEQ_X:
		case INSN_JGT_K:
		case INSN_JGT_X:
		case INSN_JGE_K:
		case INSN_JGE_X:
		case INSN_JSET_K:
		case INSN_JSET_X:
			masks[pc + 1 + in->jt] &= memvalid;
			masks[pc + 1 + in->jf] &= memvalid;
			memvalid = 0xffff;
			break;
		default: break;
		}
	}
	return JITK_OK;
}

/* insn_info[op].seccomp, on its own so that the table's initialiser (which
 * WP puts into every goal that reads the table) stays out of the loop's
 * goals below. */
/*@ requires 0 <= op < INSN__COUNT;
  @ assigns \nothing;
  @*/
static bool check_admitted(int op)
{
	return insn_info[op].seccomp;
}

/* Pass 4: seccomp_check_filter.  Only what insn_info marks seccomp-legal;
 * the seccomp_data load must be an aligned word inside the 64-byte struct.
 * LEN and the other admitted opcodes need no operand check here (the kernel
 * rewrites LEN's k to 64, ignoring the given one). */
/*@ requires \valid_read(insns + (0 .. n - 1));
  @ requires \separated(d, insns + (0 .. n - 1));
  @ assigns *d;
  @*/
static jitk_err check_seccomp(const jitk_insn *insns, size_t n, jitk_diag *d)
{
	/*@ loop invariant 0 <= pc <= n;
	  @ loop assigns pc, *d;
	  @ loop variant n - pc;
	  @*/
	for (size_t pc = 0; pc < n; pc++) {
		const jitk_insn *in = &insns[pc];
		int op = insn_op_of(in->code);
		/* op >= 0: pass 1 refused every unknown code (written out so
		 * that the index is visibly in range, docs/verify.md). */
		if (op < 0 || !check_admitted(op)) {
			jitk_err e = check_fail(d, insns, pc, CHECK_RULE_SECCOMP_OPCODE,
						"classic BPF, but seccomp does not admit this opcode", NULL);
			if (op == INSN_MOD_K || op == INSN_MOD_X)
				diag_hint(d, "seccomp has no MOD: compute A - (A / v) * v with "
					     "DIV, MUL and SUB");
			else
				diag_hint(d, "seccomp reads seccomp_data only with 32-bit "
					     "absolute loads (ld [k]); no byte/half/indirect loads");
			return e;
		}
		if (op == INSN_LD_W_ABS && (in->k >= SECCOMP_DATA_SIZE || (in->k & 3) != 0))
			return check_fail(d, insns, pc, CHECK_RULE_SECCOMP_LOAD,
					  in->k >= SECCOMP_DATA_SIZE
						  ? "load offset is outside the 64-byte seccomp_data"
						  : "load offset is not a multiple of 4",
					  "seccomp_data words are at k = 0, 4, ..., 60 (nr 0, arch 4, "
					  "ip 8/12, args[i] 16+8i low and 20+8i high on little endian)");
	}
	return JITK_OK;
}

/*@ requires insns == \null || \valid_read(insns + (0 .. n - 1));
  @ requires \separated(d, insns + (0 .. n - 1));
  @ assigns *d;
  @*/
jitk_err check_insns(const jitk_insn *insns, size_t n, jitk_diag *d)
{
	if (n > 0 && !insns)
		return diag_err(d, JITK_E_INVAL, "check: NULL instructions");
	/* 1. seccomp_prepare_filter: the length, before anything is read. */
	if (n == 0) {
		diag_insn(d, JITK_E_TOO_BIG, -1, CHECK_RULE_LENGTH, "the program is empty [%s]",
			  CHECK_RULE_LENGTH);
		diag_hint(d, "a filter needs at least one instruction, a RET");
		return JITK_E_TOO_BIG;
	}
	if (n > JITK_MAXINSNS) {
		diag_insn(d, JITK_E_TOO_BIG, JITK_MAXINSNS, CHECK_RULE_LENGTH,
			  "the program has %zu instructions, more than %u [%s]", n, (unsigned)JITK_MAXINSNS,
			  CHECK_RULE_LENGTH);
		diag_hint(d, "split the policy into several stacked filters, or shorten it");
		return JITK_E_TOO_BIG;
	}
	/* 2. bpf_check_classic: every instruction, then the final RET. */
	/*@ loop invariant 0 <= pc <= n;
	  @ loop invariant \forall integer i; 0 <= i < pc ==> classic_ok(insns, n, i);
	  @ loop assigns pc, *d;
	  @ loop variant n - pc;
	  @*/
	for (size_t pc = 0; pc < n; pc++) {
		jitk_err e = check_classic_insn(insns, n, pc, d);
		if (e != JITK_OK)
			return e;
	}
	if (!INSN_IS_RET(insns[n - 1].code))
		return check_fail(d, insns, n - 1, CHECK_RULE_LAST_NOT_RET,
				  "the last instruction is not a RET",
				  "end the program with ret #k or ret a");
	/* 3. check_load_and_stores. */
	jitk_err e = check_mem(insns, n, d);
	if (e != JITK_OK)
		return e;
	/* 4. seccomp_check_filter. */
	e = check_seccomp(insns, n, d);
	if (e != JITK_OK)
		return e;
	diag_clear(d);
	return JITK_OK;
}

jitk_err jitk_check(const jitk_filter *f, jitk_diag *d)
{
	if (!f)
		return diag_err(d, JITK_E_INVAL, "check: NULL filter");
	return check_insns(jitk_filter_insns(f), jitk_filter_len(f), d);
}
