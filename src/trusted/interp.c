/*
 * interp.c - the reference interpreter.  TRUSTED BASE; contract in interp.h.
 *
 * One switch over the ops of insn.h, one case per seccomp opcode, in the
 * order of the table.  Every operation is written the way the kernel's
 * interpreter (___bpf_prog_run on the converted program) computes it on u32
 * values; nothing is optimised.  Checked against the real kernel by
 * tests/kernel/test_interp_kernel.c.
 */
#include "diag.h"
#include "insn.h"
#include "interp.h"

/* The outcome of one instruction. */
enum step {
	STEP_NEXT, /* go on at pc + 1 */
	STEP_JUMP, /* go on at pc + 1 + off */
	STEP_RET,  /* the program returned *ret */
	STEP_STOP, /* the program stops and returns 0 */
};

/* Machine state.  M is zeroed although the checker guarantees every cell is
 * written before it is read: an uninitialised read can never leak anything,
 * even if the precondition is broken (CVE-2010-4158). */
struct machine {
	uint32_t a, x;
	uint32_t mem[INSN_MEMWORDS];
	const struct seccomp_data *in;
	bool unspecified;
};

/* The u32 at byte k of seccomp_data, native endian, as the kernel's context
 * load does.  Only aligned offsets below 64 exist (seccomp_check_filter);
 * anything else is reported as impossible.  Read field by field rather
 * than copied from the bytes, so that no pointer is cast and Frama-C's WP
 * discharges every access (docs/verify.md); on a little-endian host the
 * low half of a 64-bit field is the lower address. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "load_word assumes a little-endian host"
#endif
/*@ requires \valid_read(in) && \valid(v);
  @ assigns *v;
  @*/
static bool load_word(const struct seccomp_data *in, uint32_t k, uint32_t *v)
{
	if (k >= SECCOMP_DATA_SIZE || k % 4 != 0)
		return false;
	uint32_t w = k / 4;
	if (w == 0) {
		*v = (uint32_t)in->nr;
	} else if (w == 1) {
		*v = in->arch;
	} else if (w < 4) {
		*v = (uint32_t)(in->instruction_pointer >> (w == 3 ? 32 : 0));
	} else {
		uint64_t arg = in->args[(w - 4) / 2];
		*v = (uint32_t)(arg >> (w % 2 ? 32 : 0));
	}
	return true;
}

/* A shift by a register: the kernel's interpreter and the x86-64 JIT use the
 * count modulo 32 (the hardware masks it); other JITs may give 0, so a count
 * of 32 or more is flagged as unspecified.  Never shift by >= 32 in C. */
/*@ requires \valid(m);
  @ assigns m->unspecified;
  @ ensures \result < 32;
  @*/
static uint32_t shift_count(struct machine *m, uint32_t count)
{
	if (count >= 32)
		m->unspecified = true;
	return count & 31u;
}

/* A conditional jump's taken/not-taken offset. */
/*@ requires \valid_read(i) && \valid(off);
  @ assigns *off;
  @*/
static enum step branch(bool cond, const jitk_insn *i, uint32_t *off)
{
	*off = cond ? i->jt : i->jf;
	return STEP_JUMP;
}

/* Execute insns[pc]; set *off for jumps and *ret for returns. */
/*@ requires \valid(m) && \valid_read(i) && \valid(off) && \valid(ret);
  @ requires \valid_read(m->in);
  @ requires \separated(m, off, ret, i);
  @ assigns m->a, m->x, m->mem[0 .. INSN_MEMWORDS - 1], m->unspecified, *off, *ret;
  @*/
static enum step exec(struct machine *m, const jitk_insn *i, uint32_t *off, uint32_t *ret)
{
	const uint32_t k = i->k;

	switch (insn_op_of(i->code)) {
	/* Loads into A. */
	case INSN_LD_IMM: m->a = k; return STEP_NEXT;
	case INSN_LD_W_ABS: return load_word(m->in, k, &m->a) ? STEP_NEXT : STEP_STOP;
	case INSN_LD_MEM:
		if (k >= INSN_MEMWORDS)
			return STEP_STOP;
		m->a = m->mem[k];
		return STEP_NEXT;
	case INSN_LD_W_LEN: m->a = SECCOMP_DATA_SIZE; return STEP_NEXT;

	/* Loads into X. */
	case INSN_LDX_IMM: m->x = k; return STEP_NEXT;
	case INSN_LDX_MEM:
		if (k >= INSN_MEMWORDS)
			return STEP_STOP;
		m->x = m->mem[k];
		return STEP_NEXT;
	case INSN_LDX_W_LEN: m->x = SECCOMP_DATA_SIZE; return STEP_NEXT;

	/* Stores. */
	case INSN_ST:
		if (k >= INSN_MEMWORDS)
			return STEP_STOP;
		m->mem[k] = m->a;
		return STEP_NEXT;
	case INSN_STX:
		if (k >= INSN_MEMWORDS)
			return STEP_STOP;
		m->mem[k] = m->x;
		return STEP_NEXT;

	/* ALU: u32 arithmetic, wrapping.  The products go through u64 so no
	 * operand is ever promoted to a signed int. */
	case INSN_ADD_K: m->a = m->a + k; return STEP_NEXT;
	case INSN_ADD_X: m->a = m->a + m->x; return STEP_NEXT;
	case INSN_SUB_K: m->a = m->a - k; return STEP_NEXT;
	case INSN_SUB_X: m->a = m->a - m->x; return STEP_NEXT;
	case INSN_MUL_K: m->a = (uint32_t)((uint64_t)m->a * k); return STEP_NEXT;
	case INSN_MUL_X: m->a = (uint32_t)((uint64_t)m->a * m->x); return STEP_NEXT;
	case INSN_DIV_K:
		/* k == 0 is rejected at load time. */
		if (k == 0)
			return STEP_STOP;
		m->a = m->a / k;
		return STEP_NEXT;
	case INSN_DIV_X:
		/* The kernel's rule since the first BPF interpreter: dividing
		 * by X == 0 ends the program with return value 0. */
		if (m->x == 0)
			return STEP_STOP;
		m->a = m->a / m->x;
		return STEP_NEXT;
	case INSN_OR_K: m->a = m->a | k; return STEP_NEXT;
	case INSN_OR_X: m->a = m->a | m->x; return STEP_NEXT;
	case INSN_AND_K: m->a = m->a & k; return STEP_NEXT;
	case INSN_AND_X: m->a = m->a & m->x; return STEP_NEXT;
	case INSN_LSH_K:
		/* k >= 32 is rejected at load time. */
		if (k >= 32)
			return STEP_STOP;
		m->a = m->a << k;
		return STEP_NEXT;
	case INSN_LSH_X: m->a = m->a << shift_count(m, m->x); return STEP_NEXT;
	case INSN_RSH_K:
		if (k >= 32)
			return STEP_STOP;
		m->a = m->a >> k;
		return STEP_NEXT;
	case INSN_RSH_X: m->a = m->a >> shift_count(m, m->x); return STEP_NEXT;
	case INSN_NEG: m->a = 0u - m->a; return STEP_NEXT;
	case INSN_XOR_K: m->a = m->a ^ k; return STEP_NEXT;
	case INSN_XOR_X: m->a = m->a ^ m->x; return STEP_NEXT;

	/* Jumps: unsigned comparisons of A, offsets relative to pc + 1. */
	case INSN_JA: *off = k; return STEP_JUMP;
	case INSN_JEQ_K: return branch(m->a == k, i, off);
	case INSN_JEQ_X: return branch(m->a == m->x, i, off);
	case INSN_JGT_K: return branch(m->a > k, i, off);
	case INSN_JGT_X: return branch(m->a > m->x, i, off);
	case INSN_JGE_K: return branch(m->a >= k, i, off);
	case INSN_JGE_X: return branch(m->a >= m->x, i, off);
	case INSN_JSET_K: return branch((m->a & k) != 0, i, off);
	case INSN_JSET_X: return branch((m->a & m->x) != 0, i, off);

	/* Returns. */
	case INSN_RET_K: *ret = k; return STEP_RET;
	case INSN_RET_A: *ret = m->a; return STEP_RET;

	/* Register moves. */
	case INSN_TAX: m->x = m->a; return STEP_NEXT;
	case INSN_TXA: m->a = m->x; return STEP_NEXT;

	default:
		/* Not a classic opcode, or one seccomp refuses (packet loads,
		 * MOD, MSH): impossible after the checker. */
		return STEP_STOP;
	}
}

/*@ requires insns == \null || \valid_read(insns + (0 .. n - 1));
  @ requires in == \null || \valid_read(in);
  @ requires \valid(out);
  @ assigns *out;
  @*/
void interp_run(const jitk_insn *insns, size_t n, const struct seccomp_data *in, jitk_result *out)
{
	struct machine m = { .a = 0, .x = 0, .in = in, .unspecified = false };
	uint32_t steps = 0, ret = 0;
	size_t pc = 0;

	/* pc only grows (jumps are forward), so this runs at most n times. */
	/*@ loop invariant 0 <= pc <= n;
	  @ loop invariant m.in == in;
	  @ loop assigns pc, steps, ret, m;
	  @ loop variant n - pc;
	  @*/
	while (insns && in && pc < n) {
		uint32_t off = 0;
		steps++;
		enum step s = exec(&m, &insns[pc], &off, &ret);
		if (s == STEP_RET)
			break;
		if (s == STEP_STOP) {
			ret = 0;
			break;
		}
		if (s == STEP_JUMP) {
			/* Target pc + 1 + off must be < n; written so that
			 * nothing can overflow (pc < n here). */
			if (off >= n - pc - 1) {
				ret = 0;
				break;
			}
			pc += (size_t)off;
		}
		pc++;
	}
	/* Running off the end (no RET reached) is impossible after the
	 * checker; ret is still 0 then. */
	out->ret = ret;
	out->steps = steps;
	out->unspecified = m.unspecified;
}

jitk_err jitk_interp(const jitk_filter *f, const struct seccomp_data *in, jitk_result *out)
{
	if (!f || !in || !out)
		return JITK_E_INVAL;
	*out = (jitk_result){ 0 };
	/* Nothing runs unless the kernel would have accepted the program:
	 * the interpreter's precondition. */
	jitk_err e = jitk_check(f, NULL);
	if (e == JITK_E_TOO_BIG)
		e = JITK_E_CHECK;
	if (e != JITK_OK)
		return e;
	interp_run(jitk_filter_insns(f), jitk_filter_len(f), in, out);
	return JITK_OK;
}
