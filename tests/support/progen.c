/* progen.c - see progen.h.
 *
 * Opcodes come from the instruction table (insn.h), grouped here by their
 * code bits, so a new table entry is generated automatically.  The valid
 * generator tracks the kernel's check_load_and_stores state while it emits
 * (masks[] of the jumps seen so far, memvalid), so M[] reads are exactly the
 * ones the kernel accepts, including reads after a RET that rely on its
 * fall-through rule. */
#include "progen.h"
#include "insn.h"

#include <linux/filter.h>
#include <string.h>

/* Opcode groups, filled from insn_info on first use. */
static struct {
	bool ready;
	int alu[INSN__COUNT], nalu;              /* seccomp ALU ops (no MOD) */
	int jcond[INSN__COUNT], njcond;          /* conditional jumps */
	int classic_only[INSN__COUNT], nclassic; /* classic ops seccomp refuses */
} G;

static void progen_init(void)
{
	if (G.ready)
		return;
	for (int op = 0; op < INSN__COUNT; op++) {
		uint16_t c = insn_info[op].code;
		if (!insn_info[op].seccomp)
			G.classic_only[G.nclassic++] = op;
		else if (BPF_CLASS(c) == BPF_ALU)
			G.alu[G.nalu++] = op;
		else if (INSN_IS_COND(c))
			G.jcond[G.njcond++] = op;
	}
	G.ready = true;
}

static jitk_insn mk(int op, uint32_t jt, uint32_t jf, uint32_t k)
{
	return (jitk_insn){ insn_info[op].code, (uint8_t)jt, (uint8_t)jf, k };
}

static bool chance(rng_t *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* A constant near the checker's and the ALU's edges. */
static uint32_t edge_k(rng_t *r)
{
	static const uint32_t edges[] = {
		0,      1,          2,          3,          4,          15,         16,         17, 31,
		32,     33,         60,         61,         62,         63,         64,         65, 255,
		0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xfffff000, 0xffffeffc,
	};
	switch (rng_below(r, 4)) {
	case 0: return rng_u32(r);
	case 1: return rng_below(r, 70);
	default: return edges[rng_below(r, sizeof edges / sizeof edges[0])];
	}
}

/* An offset in [0, max], biased to both ends. */
static uint32_t edge_off(rng_t *r, uint32_t max)
{
	switch (rng_below(r, 5)) {
	case 0:
	case 1: return max;
	case 2: return 0;
	case 3: return max ? max - 1 : 0;
	default: return rng_below(r, max + 1);
	}
}

static uint32_t ret_value(rng_t *r)
{
	static const uint32_t vals[] = {
		JITK_RET_ALLOW, JITK_RET_KILL_PROCESS, JITK_RET_KILL_THREAD,
		JITK_RET_TRAP,  JITK_RET_ERRNO | 1,    JITK_RET_ERRNO | 0xffff,
		JITK_RET_LOG,   JITK_RET_TRACE,        JITK_RET_USER_NOTIF,
	};
	if (chance(r, 15))
		return rng_u32(r);
	return vals[rng_below(r, sizeof vals / sizeof vals[0])];
}

/* A valid k for a seccomp ALU op. */
static uint32_t alu_k(rng_t *r, int op)
{
	uint32_t k = edge_k(r);
	if (op == INSN_DIV_K && k == 0)
		k = 1 + rng_below(r, 7);
	if (op == INSN_LSH_K || op == INSN_RSH_K)
		k = chance(r, 50) ? edge_k(r) % 32 : (chance(r, 50) ? 31 : 0);
	return k;
}

/* Cell i among the set bits of v (v != 0), chosen at random. */
static unsigned pick_bit(rng_t *r, uint16_t v)
{
	unsigned cells[16] = { 0 }, n = 0;
	for (unsigned i = 0; i < 16; i++)
		if (v & (1u << i))
			cells[n++] = i;
	return cells[rng_below(r, n)];
}

/* One valid non-final instruction at pc of an n-instruction program, given
 * the kernel's memvalid at pc. */
static jitk_insn valid_insn(rng_t *r, size_t pc, size_t n, uint16_t memvalid)
{
	uint32_t room = (uint32_t)(n - pc - 2); /* largest offset to a real instruction */
	uint32_t croom = room < 255 ? room : 255;
	unsigned w = rng_below(r, 100);
	jitk_insn in;
	if (w < 20) {
		in = mk(INSN_LD_W_ABS, 0, 0, 4 * rng_below(r, 16));
	} else if (w < 28) {
		in = mk(chance(r, 50) ? INSN_LD_IMM : INSN_LDX_IMM, 0, 0, edge_k(r));
	} else if (w < 31) {
		in = mk(chance(r, 50) ? INSN_LD_W_LEN : INSN_LDX_W_LEN, 0, 0, 0);
	} else if (w < 50) {
		int op = G.alu[rng_below(r, (uint32_t)G.nalu)];
		in = mk(op, 0, 0, insn_info[op].opnd == OPND_IMM ? alu_k(r, op) : 0);
	} else if (w < 54) {
		static const int misc[] = { INSN_NEG, INSN_TAX, INSN_TXA };
		in = mk(misc[rng_below(r, 3)], 0, 0, 0);
	} else if (w < 62) {
		unsigned cell = chance(r, 30) ? (chance(r, 50) ? 0 : 15) : rng_below(r, 16);
		in = mk(chance(r, 50) ? INSN_ST : INSN_STX, 0, 0, cell);
	} else if (w < 70) {
		if (memvalid)
			in = mk(chance(r, 50) ? INSN_LD_MEM : INSN_LDX_MEM, 0, 0, pick_bit(r, memvalid));
		else
			in = mk(INSN_ST, 0, 0, rng_below(r, 16));
	} else if (w < 76) {
		in = mk(INSN_JA, 0, 0, edge_off(r, room));
	} else if (w < 95) {
		int op = G.jcond[rng_below(r, (uint32_t)G.njcond)];
		in = mk(op, edge_off(r, croom), edge_off(r, croom),
			insn_info[op].opnd == OPND_JK ? edge_k(r) : 0);
	} else {
		in = chance(r, 70) ? mk(INSN_RET_K, 0, 0, ret_value(r)) : mk(INSN_RET_A, 0, 0, 0);
	}
	/* Fields the kernel ignores may hold junk. */
	if (!INSN_IS_COND(in.code) && chance(r, 3)) {
		in.jt = (uint8_t)rng_u32(r);
		in.jf = (uint8_t)rng_u32(r);
	}
	enum insn_opnd o = insn_info[insn_op_of(in.code)].opnd;
	if ((o == OPND_NONE || o == OPND_X || o == OPND_A || o == OPND_LEN || o == OPND_JX) && chance(r, 3))
		in.k = rng_u32(r);
	return in;
}

/* The kernel's check_load_and_stores step for one instruction (k and the
 * targets are known to be in range). */
static void mem_step(const jitk_insn *in, size_t pc, uint16_t *masks, uint16_t *memvalid)
{
	switch (insn_op_of(in->code)) {
	case INSN_ST:
	case INSN_STX: *memvalid |= (uint16_t)(1u << in->k); break;
	case INSN_JA:
		masks[pc + 1 + in->k] &= *memvalid;
		*memvalid = 0xffff;
		break;
	default:
		if (INSN_IS_COND(in->code)) {
			masks[pc + 1 + in->jt] &= *memvalid;
			masks[pc + 1 + in->jf] &= *memvalid;
			*memvalid = 0xffff;
		}
		break;
	}
}

static void gen_valid(rng_t *r, jitk_insn *out, size_t n)
{
	uint16_t masks[PROGEN_MAXLEN];
	uint16_t memvalid = 0;
	for (size_t pc = 0; pc < n; pc++)
		masks[pc] = 0xffff;
	for (size_t pc = 0; pc + 1 < n; pc++) {
		memvalid &= masks[pc];
		out[pc] = valid_insn(r, pc, n, memvalid);
		mem_step(&out[pc], pc, masks, &memvalid);
	}
	out[n - 1] = chance(r, 75) ? mk(INSN_RET_K, 0, 0, ret_value(r)) : mk(INSN_RET_A, 0, 0, 0);
	if (chance(r, 3)) {
		out[n - 1].jt = (uint8_t)rng_u32(r);
		out[n - 1].jf = (uint8_t)rng_u32(r);
	}
}

/* One edge mutation of the program out[0..n). */
static void mutate(rng_t *r, jitk_insn *out, size_t n)
{
	size_t pc = chance(r, 20) ? n - 1 : (chance(r, 10) ? 0 : rng_below(r, (uint32_t)n));
	jitk_insn *in = &out[pc];
	uint32_t room = (uint32_t)(n - pc - 1); /* first out-of-range offset */
	unsigned w = rng_below(r, 100);
	if (w < 5) {
		in->code = (uint16_t)rng_u32(r); /* almost always not an opcode */
	} else if (w < 9) {
		in->code = (uint16_t)(insn_info[rng_below(r, INSN__COUNT)].code |
				      (1u << (8 + rng_below(r, 8))));
	} else if (w < 24) {
		*in = mk((int)rng_below(r, INSN__COUNT), edge_k(r), edge_k(r), edge_k(r));
	} else if (w < 39) {
		in->k = edge_k(r);
	} else if (w < 51) {
		/* Jumps at and just past the end. */
		uint32_t off = room - (chance(r, 50) ? 1 : 0) + (chance(r, 30) ? rng_below(r, 3) : 0);
		if (chance(r, 10))
			off = 0xffffffff - rng_below(r, 4);
		if (chance(r, 40)) {
			*in = mk(INSN_JA, 0, 0, off);
		} else {
			int op = G.jcond[rng_below(r, (uint32_t)G.njcond)];
			uint32_t other = room ? rng_below(r, room < 256 ? room : 256) : 0;
			off = off > 255 ? 255 : off;
			*in = chance(r, 50) ? mk(op, off, other, edge_k(r)) : mk(op, other, off, edge_k(r));
		}
	} else if (w < 56) {
		/* Something other than RET last. */
		out[n - 1] = n >= 2 ? out[rng_below(r, (uint32_t)n - 1)]
				    : mk((int)rng_below(r, INSN__COUNT), 0, 0, edge_k(r));
	} else if (w < 71) {
		/* A read that may not be covered by a store on every path. */
		*in = mk(chance(r, 50) ? INSN_LD_MEM : INSN_LDX_MEM, 0, 0,
			 chance(r, 10) ? 16 : rng_below(r, 16));
	} else if (w < 79) {
		/* RET, then a read: the kernel's fall-through rule across RET. */
		if (pc + 1 < n) {
			*in = mk(INSN_RET_K, 0, 0, JITK_RET_ALLOW);
			out[pc + 1] = mk(INSN_LD_MEM, 0, 0, rng_below(r, 16));
		}
	} else if (w < 87) {
		static const uint32_t ks[] = {
			2,          61,         62,         63,         64,
			68,         0x7ffffffc, 0xfffff000, 0xfffff004, 0xfffff03c,
			0xfffff040, 0xfffff002, 0xffffeffc, 0xffffffff, 0xfffffffc,
		};
		*in = mk(INSN_LD_W_ABS, 0, 0, ks[rng_below(r, sizeof ks / sizeof ks[0])]);
	} else if (w < 95) {
		int op = G.classic_only[rng_below(r, (uint32_t)G.nclassic)];
		*in = mk(op, 0, 0, chance(r, 70) ? rng_below(r, 64) + 1 : edge_k(r));
	} else {
		static const int ops[] = { INSN_DIV_K, INSN_MOD_K, INSN_LSH_K, INSN_RSH_K };
		static const uint32_t ks[] = { 0, 1, 31, 32, 33, 0xffffffff };
		*in = mk(ops[rng_below(r, 4)], 0, 0, ks[rng_below(r, 6)]);
	}
}

size_t progen_len(rng_t *r, enum progen_mode mode, jitk_insn *out, size_t n)
{
	progen_init();
	if (n == 0)
		return 0;
	if (n > PROGEN_MAXLEN)
		n = PROGEN_MAXLEN;
	gen_valid(r, out, n);
	if (mode == PROGEN_EDGES) {
		unsigned w = rng_below(r, 100), m;
		if (w < 40)
			m = 0;
		else if (w < 75)
			m = 1;
		else if (w < 92)
			m = 2;
		else
			m = 3 + rng_below(r, 4);
		for (unsigned i = 0; i < m; i++)
			mutate(r, out, n);
		/* Now and then, a program of raw random instructions. */
		if (chance(r, 2))
			for (size_t i = 0; i < n; i++)
				out[i] = (jitk_insn){
					(uint16_t)(chance(r, 50) ? rng_u32(r)
								 : insn_info[rng_below(r, INSN__COUNT)].code),
					(uint8_t)rng_u32(r), (uint8_t)rng_u32(r), edge_k(r)
				};
	}
	return n;
}

size_t progen(rng_t *r, enum progen_mode mode, jitk_insn *out, size_t cap)
{
	unsigned w = rng_below(r, 1000);
	size_t n;
	if (mode == PROGEN_EDGES && w < 15)
		n = 0;
	else if (mode == PROGEN_EDGES && w < 35)
		n = JITK_MAXINSNS + 1;
	else if (w < 55)
		n = JITK_MAXINSNS - rng_below(r, 4);
	else if (w < 85)
		n = 301 + rng_below(r, JITK_MAXINSNS - 300);
	else if (w < 185)
		n = 1;
	else if (w < 500)
		n = 2 + rng_below(r, 7);
	else if (w < 830)
		n = 9 + rng_below(r, 32);
	else
		n = 41 + rng_below(r, 260);
	if (n > cap)
		n = cap;
	return progen_len(r, mode, out, n);
}
