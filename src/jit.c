/*
 * jit.c - classic BPF (seccomp subset) to x86-64 machine code, in user space.
 *
 * UNTRUSTED: the image this file builds is believed only after the
 * independent validator (src/trusted/jit_check.c) accepts it.  The pipeline:
 *
 *   jitk_check  ->  jit_generate (passes to a fixed point)
 *               ->  mmap RW, copy  ->  jit_check_image on the mapped bytes
 *               ->  mprotect R+X   (the mapping is never W and X at once)
 *
 * Image layout (the contract the validator checks, see jit_check.h):
 *   prologue   [sub rsp, 64;] xor eax, eax; xor ecx, ecx    (A = X = 0)
 *   offs[pc]   the native code of BPF instruction pc, pc = 0 .. n-1
 *   offs[n]    the zero-return trailer: xor eax, eax; [add rsp, 64;] ret,
 *              the target of the DIV-by-X==0 guard (the filter returns 0)
 * The 64-byte frame (M[0..15]) exists only when the program has an
 * instruction that touches M[] (LD/LDX M[k], ST, STX); most seccomp filters
 * have none and run without touching the stack.  "exit" below is
 * [add rsp, 64;] ret.
 *
 * Speed (a filter is a short run of instructions, so every taken branch
 * counts; docs/jit.md has the figures):
 *  - every RET is translated in place to [mov eax, k;] exit;
 *  - a jump whose target is a RET gets a copy of that RET instead of a jmp
 *    (one taken branch fewer: the copy is the "RET copy" of jit_check.h);
 *  - a conditional jump whose two targets are both RET K is a branch-free
 *    select: cmp; mov edx, kt; mov eax, kf; cmovcc eax, edx; exit;
 *  - a compare with a constant that fits a sign-extended byte uses the
 *    3-byte cmp eax, imm8 (denser code, more rel8 jumps).
 *
 * Jumps: every BPF jump goes forward, so the emitter runs passes to a fixed
 * point.  Pass 0 uses rel32 everywhere; later passes use rel8 when the
 * previous pass's offsets put the target within 127 bytes of the jump's end
 * (estimated from the end of the jumping BPF instruction's code, see
 * gen_jump).  Sizes only shrink from pass to pass (a
 * jump that was short stays short, since the distances it spans only
 * shrink), so the total size strictly decreases until the offsets stop
 * changing; the pass whose offsets equal the previous pass's is exact, its
 * displacements having been computed from those same offsets.  This is the
 * place where CVE-2014-2889 and CVE-2021-29154 lived, which is why the
 * validator re-derives every branch target from the final bytes.
 */
#include "internal.h"
#include "jit_map.h"
#include "jit_x86.h"
#include "jit_check.h"
#include "jit_prove.h"
#include "insn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct jitk_jit {
	void *mem;      /* the R+X mapping */
	size_t maplen;  /* its length (whole pages) */
	size_t len;     /* bytes of code */
	size_t n;       /* BPF instructions */
	uint32_t *offs; /* n + 1 native offsets */
	size_t native;  /* x86 instructions, as decoded by the validator */
	jitk_jit_fn fn;
};

/* State of one emission pass. */
struct jit_gen {
	struct jit_buf b;
	const uint32_t *prev; /* offsets of the previous pass, NULL in pass 0 */
	uint32_t *cur;        /* offsets being built, n + 1 entries */
	bool inexact;         /* some displacement is not final in this pass */
	const jitk_insn *insns;
	size_t n;
	uint8_t frame; /* bytes of stack frame: 0 or JIT_FRAME_BYTES */
};

/* Jump from the current position (inside the code of BPF instruction pc) to
 * the start of BPF instruction t > pc (t == n: the trailer).  cc < 0: jmp.
 * `after` bounds the bytes instruction pc emits after this jump, so the
 * distance from the jump's end to t is at most prev[t] - prev[pc+1] + after
 * in the previous pass's layout, and no more in this one (sizes only
 * shrink): choosing rel8 on that estimate is safe and monotone. */
static void gen_jump(struct jit_gen *g, int cc, size_t pc, size_t t, unsigned after)
{
	struct jit_buf *b = &g->b;
	bool is_short = g->prev && t > pc && (uint64_t)g->prev[t] - g->prev[pc + 1] + after <= 127;
	size_t ilen = is_short ? 2 : (cc < 0 ? 5 : 6);
	int64_t disp = 0;
	if (g->prev)
		disp = (int64_t)g->prev[t] - (int64_t)(b->len + ilen);
	else
		g->inexact = true;
	if (is_short) {
		if (disp < -128 || disp > 127)
			g->inexact = true; /* cannot be the final pass */
		jit_emit1(b, cc < 0 ? 0xeb : (uint8_t)(0x70 | cc));
		jit_emit1(b, (uint8_t)(int8_t)disp);
	} else {
		if (cc < 0) {
			jit_emit1(b, 0xe9);
		} else {
			jit_emit1(b, 0x0f);
			jit_emit1(b, (uint8_t)(0x80 | cc));
		}
		jit_emit4(b, (uint32_t)(int32_t)disp);
	}
}

/* The epilogue of every return: release the frame (if any), return eax. */
static void gen_exit(struct jit_gen *g)
{
	if (g->frame)
		jit_add_rsp(&g->b, g->frame);
	jit_ret(&g->b);
}

/* The op of insns[t] if it is a RET (INSN_RET_K or INSN_RET_A), else -1. */
static int ret_op(const struct jit_gen *g, size_t t)
{
	if (t >= g->n)
		return -1;
	int op = insn_op_of(g->insns[t].code);
	return op == INSN_RET_K || op == INSN_RET_A ? op : -1;
}

/* Bytes of the copy of RET insns[t]: [mov eax, k (5);] [add rsp (4);] ret. */
static unsigned ret_copy_len(const struct jit_gen *g, size_t t)
{
	return (ret_op(g, t) == INSN_RET_K ? 5u : 0u) + (g->frame ? 4u : 0u) + 1u;
}

/* The code of RET insns[t], emitted in place of a jump to it.  A is not
 * touched before the copy, so RET A returns the same A. */
static void gen_ret_copy(struct jit_gen *g, size_t t)
{
	if (ret_op(g, t) == INSN_RET_K)
		jit_mov_ri(&g->b, JIT_REG_A, g->insns[t].k);
	gen_exit(g);
}

/* Unconditional transfer to BPF instruction t as the last code of pc. */
static void gen_goto(struct jit_gen *g, size_t pc, size_t t)
{
	if (ret_op(g, t) >= 0)
		gen_ret_copy(g, t);
	else
		gen_jump(g, -1, pc, t, 0);
}

/* Emit the native code of insns[pc].  Anything outside the seccomp subset,
 * or out of the ranges the checker guarantees, is refused: the generator
 * never relies on its caller for memory safety of the image. */
static jitk_err gen_insn(struct jit_gen *g, const jitk_insn *insns, size_t n, size_t pc, jitk_diag *d)
{
	struct jit_buf *b = &g->b;
	const jitk_insn *in = &insns[pc];
	uint32_t k = in->k;
	int op = insn_op_of(in->code);
	if (op < 0 || !insn_info[op].seccomp)
		return diag_insn(d, JITK_E_CHECK, (long)pc, "seccomp-opcode",
				 "code 0x%04x is not a seccomp instruction", in->code);
	switch ((enum insn_op)op) {
	case INSN_LD_IMM: jit_mov_ri(b, JIT_REG_A, k); break;
	case INSN_LD_W_ABS:
		if (k >= SECCOMP_DATA_SIZE || k % 4)
			return diag_insn(d, JITK_E_CHECK, (long)pc, "seccomp-load",
					 "load offset %u outside seccomp_data", k);
		jit_load_ctx(b, JIT_REG_A, (uint8_t)k);
		break;
	case INSN_LD_MEM:
	case INSN_LDX_MEM:
	case INSN_ST:
	case INSN_STX:
		if (k >= INSN_MEMWORDS)
			return diag_insn(d, JITK_E_CHECK, (long)pc, "mem-index", "M[%u] out of range", k);
		if (op == INSN_LD_MEM)
			jit_load_stack(b, JIT_REG_A, (uint8_t)(4 * k));
		else if (op == INSN_LDX_MEM)
			jit_load_stack(b, JIT_REG_X, (uint8_t)(4 * k));
		else if (op == INSN_ST)
			jit_store_stack(b, JIT_REG_A, (uint8_t)(4 * k));
		else
			jit_store_stack(b, JIT_REG_X, (uint8_t)(4 * k));
		break;
	case INSN_LD_W_LEN: jit_mov_ri(b, JIT_REG_A, SECCOMP_DATA_SIZE); break;
	case INSN_LDX_IMM: jit_mov_ri(b, JIT_REG_X, k); break;
	case INSN_LDX_W_LEN: jit_mov_ri(b, JIT_REG_X, SECCOMP_DATA_SIZE); break;
	case INSN_ADD_K: jit_alu_ri(b, 0, JIT_REG_A, k); break;
	case INSN_OR_K: jit_alu_ri(b, 1, JIT_REG_A, k); break;
	case INSN_AND_K: jit_alu_ri(b, 4, JIT_REG_A, k); break;
	case INSN_SUB_K: jit_alu_ri(b, 5, JIT_REG_A, k); break;
	case INSN_XOR_K: jit_alu_ri(b, 6, JIT_REG_A, k); break;
	case INSN_ADD_X: jit_alu_rr(b, 0x01, JIT_REG_A, JIT_REG_X); break;
	case INSN_OR_X: jit_alu_rr(b, 0x09, JIT_REG_A, JIT_REG_X); break;
	case INSN_AND_X: jit_alu_rr(b, 0x21, JIT_REG_A, JIT_REG_X); break;
	case INSN_SUB_X: jit_alu_rr(b, 0x29, JIT_REG_A, JIT_REG_X); break;
	case INSN_XOR_X: jit_alu_rr(b, 0x31, JIT_REG_A, JIT_REG_X); break;
	case INSN_MUL_K:
		/* imul eax, eax, imm32: the low 32 bits are the same signed or not. */
		jit_emit1(b, 0x69);
		jit_modrm(b, 3, JIT_REG_A, JIT_REG_A);
		jit_emit4(b, k);
		break;
	case INSN_MUL_X:
		/* imul eax, ecx */
		jit_emit1(b, 0x0f);
		jit_emit1(b, 0xaf);
		jit_modrm(b, 3, JIT_REG_A, JIT_REG_X);
		break;
	case INSN_DIV_K:
		if (k == 0)
			return diag_insn(d, JITK_E_CHECK, (long)pc, "div-by-zero", "division by constant 0");
		/* mov esi, k; xor edx, edx; div esi.  edx = 0 makes the quotient
		 * fit in 32 bits, so DIV cannot fault (#DE). */
		jit_mov_ri(b, JIT_ESI, k);
		jit_alu_rr(b, 0x31, JIT_EDX, JIT_EDX);
		jit_emit1(b, 0xf7);
		jit_modrm(b, 3, 6, JIT_ESI);
		break;
	case INSN_DIV_X:
		/* test ecx, ecx; jz trailer (the filter returns 0, as the kernel
		 * does); xor edx, edx; div ecx. */
		jit_alu_rr(b, 0x85, JIT_REG_X, JIT_REG_X);
		gen_jump(g, JIT_CC_E, pc, n, 4); /* then xor edx, edx; div ecx */
		jit_alu_rr(b, 0x31, JIT_EDX, JIT_EDX);
		jit_emit1(b, 0xf7);
		jit_modrm(b, 3, 6, JIT_REG_X);
		break;
	case INSN_LSH_K:
	case INSN_RSH_K:
		if (k >= 32)
			return diag_insn(d, JITK_E_CHECK, (long)pc, "shift-range", "shift by %u", k);
		jit_emit1(b, 0xc1);
		jit_modrm(b, 3, op == INSN_LSH_K ? 4 : 5, JIT_REG_A);
		jit_emit1(b, (uint8_t)k);
		break;
	case INSN_LSH_X:
	case INSN_RSH_X:
		/* shl/shr eax, cl: the CPU masks the count with 31, which is the
		 * kernel interpreter's A op (X & 31). */
		jit_emit1(b, 0xd3);
		jit_modrm(b, 3, op == INSN_LSH_X ? 4 : 5, JIT_REG_A);
		break;
	case INSN_NEG:
		jit_emit1(b, 0xf7);
		jit_modrm(b, 3, 3, JIT_REG_A);
		break;
	case INSN_JA:
		if ((uint64_t)pc + 1 + k >= n)
			return diag_insn(d, JITK_E_CHECK, (long)pc, "jump-range",
					 "jump target out of the program");
		gen_goto(g, pc, pc + 1 + k);
		break;
	case INSN_JEQ_K:
	case INSN_JEQ_X:
	case INSN_JGT_K:
	case INSN_JGT_X:
	case INSN_JGE_K:
	case INSN_JGE_X:
	case INSN_JSET_K:
	case INSN_JSET_X: {
		size_t t = pc + 1 + in->jt, f = pc + 1 + in->jf;
		if (t >= n || f >= n)
			return diag_insn(d, JITK_E_CHECK, (long)pc, "jump-range",
					 "jump target out of the program");
		if (t == f) { /* both ways lead to the same place */
			gen_goto(g, pc, t);
			break;
		}
		bool xform = BPF_SRC(in->code) == BPF_X;
		bool jset = op == INSN_JSET_K || op == INSN_JSET_X;
		int cc = jset                                     ? JIT_CC_NE
			 : (op == INSN_JEQ_K || op == INSN_JEQ_X) ? JIT_CC_E
			 : (op == INSN_JGT_K || op == INSN_JGT_X) ? JIT_CC_A
								  : JIT_CC_AE;
		if (xform) {
			jit_alu_rr(b, jset ? 0x85 : 0x39, JIT_REG_A, JIT_REG_X);
		} else if (jset) {
			jit_emit1(b, 0xf7); /* test eax, imm32 */
			jit_modrm(b, 3, 0, JIT_REG_A);
			jit_emit4(b, k);
		} else if (k <= 0x7f || k >= 0xffffff80u) {
			jit_cmp_ri8(b, JIT_REG_A, (uint8_t)k); /* sign-extends to k */
		} else {
			jit_alu_ri(b, 7, JIT_REG_A, k); /* cmp eax, imm32 */
		}
		/* x86 condition codes come in pairs: cc ^ 1 is the negation. */
		if (in->jt == 0) {
			gen_jump(g, cc ^ 1, pc, f, 0);
		} else if (in->jf == 0) {
			gen_jump(g, cc, pc, t, 0);
		} else if (ret_op(g, t) == INSN_RET_K && ret_op(g, f) == INSN_RET_K) {
			/* Both outcomes return a constant: no branch at all.  mov
			 * leaves the flags of the compare alone. */
			jit_mov_ri(b, JIT_EDX, insns[t].k);
			jit_mov_ri(b, JIT_REG_A, insns[f].k);
			jit_cmov(b, cc, JIT_REG_A, JIT_EDX);
			gen_exit(g);
		} else if (ret_op(g, f) >= 0) {
			gen_jump(g, cc, pc, t, ret_copy_len(g, f));
			gen_ret_copy(g, f);
		} else if (ret_op(g, t) >= 0) {
			gen_jump(g, cc ^ 1, pc, f, ret_copy_len(g, t));
			gen_ret_copy(g, t);
		} else {
			gen_jump(g, cc, pc, t, 5);
			gen_jump(g, -1, pc, f, 0);
		}
		break;
	}
	case INSN_RET_K:
		jit_mov_ri(b, JIT_REG_A, k);
		gen_exit(g);
		break;
	case INSN_RET_A: gen_exit(g); break;
	case INSN_TAX: jit_alu_rr(b, 0x89, JIT_REG_X, JIT_REG_A); break;
	case INSN_TXA: jit_alu_rr(b, 0x89, JIT_REG_A, JIT_REG_X); break;
	default:
		return diag_insn(d, JITK_E_CHECK, (long)pc, "seccomp-opcode",
				 "code 0x%04x is not a seccomp instruction", in->code);
	}
	return JITK_OK;
}

/* One full pass over the program into g->b, filling g->cur. */
static jitk_err gen_pass(struct jit_gen *g, const jitk_insn *insns, size_t n, jitk_diag *d)
{
	struct jit_buf *b = &g->b;
	b->len = 0;
	b->overflow = false;
	g->inexact = false;
	if (g->frame)
		jit_sub_rsp(b, g->frame);
	jit_alu_rr(b, 0x31, JIT_REG_A, JIT_REG_A);
	jit_alu_rr(b, 0x31, JIT_REG_X, JIT_REG_X);
	for (size_t pc = 0; pc < n; pc++) {
		g->cur[pc] = (uint32_t)b->len;
		jitk_err err = gen_insn(g, insns, n, pc, d);
		if (err)
			return err;
	}
	g->cur[n] = (uint32_t)b->len;
	jit_alu_rr(b, 0x31, JIT_REG_A, JIT_REG_A);
	gen_exit(g);
	if (b->overflow)
		return diag_err(d, JITK_E_JIT, "JIT buffer overflow (%zu > %zu bytes)", b->len, b->cap);
	return JITK_OK;
}

jitk_err jit_generate(const jitk_insn *insns, size_t n, uint8_t **code, size_t *len, uint32_t **offs,
		      jitk_diag *d)
{
	if (!insns || !code || !len || !offs)
		return diag_err(d, JITK_E_INVAL, "NULL argument");
	*code = NULL;
	*len = 0;
	*offs = NULL;
	if (n == 0 || n > JITK_MAXINSNS)
		return diag_err(d, JITK_E_TOO_BIG, "program of %zu instructions", n);
	struct jit_gen g = { 0 };
	g.insns = insns;
	g.n = n;
	/* A frame only for programs that use M[]: the others never touch the
	 * stack (and the validator then refuses any stack access). */
	for (size_t i = 0; i < n; i++) {
		int op = insn_op_of(insns[i].code);
		if (op == INSN_LD_MEM || op == INSN_LDX_MEM || op == INSN_ST || op == INSN_STX)
			g.frame = JIT_FRAME_BYTES;
	}
	g.b.cap = JIT_MAX_FIXED_BYTES + n * JIT_MAX_INSN_BYTES;
	g.b.p = malloc(g.b.cap);
	uint32_t *ta = calloc(n + 1, sizeof *ta), *tb = calloc(n + 1, sizeof *tb);
	jitk_err err = JITK_OK;
	if (!g.b.p || !ta || !tb) {
		err = diag_err(d, JITK_E_NOMEM, "out of memory");
		goto out;
	}
	g.cur = ta;
	/* Each non-final pass shrinks the image by at least 3 bytes, so this
	 * bound is never reached; it only guards against a broken invariant. */
	size_t max_passes = 2 + g.b.cap / 3;
	for (size_t pass = 0;; pass++) {
		if (pass > max_passes) {
			err = diag_err(d, JITK_E_JIT, "jump sizes did not converge");
			goto out;
		}
		err = gen_pass(&g, insns, n, d);
		if (err)
			goto out;
		if (g.prev && !g.inexact && memcmp(g.prev, g.cur, (n + 1) * sizeof *g.cur) == 0)
			break;
		g.prev = g.cur;
		g.cur = g.cur == ta ? tb : ta;
	}
	ANALYZER_ASSUME(g.cur == ta || g.cur == tb); /* the passes only swap them */
	*code = g.b.p;
	*len = g.b.len;
	*offs = g.cur;
	g.b.p = NULL;
	if (g.cur == ta)
		ta = NULL;
	else
		tb = NULL;
out:
	free(g.b.p);
	free(ta);
	free(tb);
	return err;
}

#if defined(__x86_64__)

/* A fresh read-write mapping of maplen bytes for an image, wherever the
 * kernel's ASLR puts it.  Placing images next to the calling program was
 * measured to save little (docs/jit.md has the figure) and rejected: it ties
 * the image's address to the program's, so leaking one would reveal the
 * other, and a sandboxing library must not weaken ASLR for speed. */
static void *jit_map(size_t maplen)
{
	return mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

jitk_err jit_compile(const jitk_filter *f, bool prove, jitk_jit **out, jitk_diag *d)
{
	if (!f || !out)
		return diag_err(d, JITK_E_INVAL, "NULL argument");
	*out = NULL;
	/* Never translate a program seccomp would refuse. */
	jitk_err err = jitk_check(f, d);
	if (err)
		return err;

	uint8_t *code = NULL;
	uint32_t *offs = NULL;
	size_t len = 0;
	err = jit_generate(f->insns, f->len, &code, &len, &offs, d);
	if (err)
		return err;

	jitk_jit *j = calloc(1, sizeof *j);
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		page = 4096;
	size_t maplen = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
	void *mem = MAP_FAILED;
	if (j)
		mem = jit_map(maplen);
	if (!j || mem == MAP_FAILED) {
		free(code);
		free(offs);
		free(j);
		return diag_err(d, JITK_E_NOMEM, "cannot map %zu bytes for JIT code", maplen);
	}
	memcpy(mem, code, len);
	memset((uint8_t *)mem + len, 0xcc, maplen - len); /* int3 padding */
	free(code);

	/* Validate the bytes exactly as they will be executed: in the mapping,
	 * after the copy, while it is still not executable. */
	struct jit_check_info info;
	err = jit_check_image(f->insns, f->len, mem, len, offs, f->len + 1, &info, d);
	/* Then prove, from the same bytes, that they compute what the filter
	 * computes on every input (src/trusted/jit_prove.c): a refused or
	 * undecided proof is JITK_E_JIT and the image never runs. */
	if (!err && prove)
		err = jit_prove(f, mem, len, 0, 0, false, NULL, d);
	if (err) {
		munmap(mem, maplen);
		free(offs);
		free(j);
		return err;
	}
	if (mprotect(mem, maplen, PROT_READ | PROT_EXEC) != 0) {
		int e = errno;
		munmap(mem, maplen);
		free(offs);
		free(j);
		err = diag_err(d, e == ENOMEM ? JITK_E_NOMEM : JITK_E_UNSUPPORTED,
			       "cannot make JIT code executable (mprotect: %s)", strerror(e));
		if (d)
			d->sys_errno = e;
		return err;
	}
	j->mem = mem;
	j->maplen = maplen;
	j->len = len;
	j->n = f->len;
	j->offs = offs;
	j->native = info.native_insns;
	/* POSIX guarantees that a data pointer to code converts to a function
	 * pointer (dlsym relies on it); ISO C does not, hence the memcpy. */
	_Static_assert(sizeof j->fn == sizeof mem, "function pointer size");
	memcpy(&j->fn, &mem, sizeof mem);
	*out = j;
	return JITK_OK;
}

jitk_err jitk_jit_compile(const jitk_filter *f, jitk_jit **out, jitk_diag *d)
{
	return jit_compile(f, true, out, d);
}

#else

jitk_err jit_compile(const jitk_filter *f, bool prove, jitk_jit **out, jitk_diag *d)
{
	(void)prove;
	return jitk_jit_compile(f, out, d);
}

jitk_err jitk_jit_compile(const jitk_filter *f, jitk_jit **out, jitk_diag *d)
{
	(void)f;
	if (out)
		*out = NULL;
	return diag_err(d, JITK_E_UNSUPPORTED, "the JIT emits x86-64 code; this host is not x86-64");
}

#endif

jitk_jit_fn jitk_jit_func(const jitk_jit *j)
{
	return j ? j->fn : NULL;
}

const uint8_t *jitk_jit_code(const jitk_jit *j, size_t *len)
{
	if (len)
		*len = j ? j->len : 0;
	return j ? j->mem : NULL;
}

void jitk_jit_free(jitk_jit *j)
{
	if (!j)
		return;
	munmap(j->mem, j->maplen);
	free(j->offs);
	free(j);
}

const uint32_t *jit_offsets(const struct jitk_jit *j, size_t *n)
{
	if (n)
		*n = j ? j->n : 0;
	return j ? j->offs : NULL;
}

size_t jit_native_count(const struct jitk_jit *j)
{
	return j ? j->native : 0;
}
