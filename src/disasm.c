/*
 * disasm.c - classic BPF to text (jitk_disasm) and to C (jitk_format_c).
 *
 * Contract of jitk_disasm (tested on random programs and fuzzed):
 *     jitk_asm(jitk_disasm(p)) == p   for EVERY filter p,
 * including unknown opcodes, junk jt/jf/k in fields an instruction does not
 * use, and jumps past the end.  An instruction is printed in mnemonic form
 * exactly when that form assembles back to the same 8 bytes (insn_canonical
 * below); otherwise it is printed as the raw escape `.insn code, jt, jf, k`.
 * Jump targets get labels named after their index (`L5:` is instruction 5),
 * so no trampoline is ever needed to reassemble: every printed branch is the
 * original 8-bit offset.
 */
#include "disasm.h"
#include "insn.h"
#include "params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does the mnemonic form of instruction i round-trip through jitk_asm?
 * Mirrors what the assembler can express: fields the operand shape does
 * not use must be 0, M[k] needs k < 16, and jumps must land inside the
 * program (the assembler refuses jumps past the end). */
static bool insn_canonical(const jitk_filter *f, size_t i)
{
	const jitk_insn *in = &f->insns[i];
	int op = insn_op_of(in->code);
	if (op < 0)
		return false;
	uint64_t next = (uint64_t)i + 1, n = f->len;
	switch (insn_info[op].opnd) {
	case OPND_NONE:
	case OPND_X:
	case OPND_A:
	case OPND_LEN: return in->jt == 0 && in->jf == 0 && in->k == 0;
	case OPND_IMM:
	case OPND_ABS:
	case OPND_IND:
	case OPND_MSH: return in->jt == 0 && in->jf == 0;
	case OPND_MEM: return in->jt == 0 && in->jf == 0 && in->k < INSN_MEMWORDS;
	case OPND_JA: return in->jt == 0 && in->jf == 0 && next + in->k < n;
	case OPND_JX:
		if (in->k != 0)
			return false;
		/* fall through */
	case OPND_JK: return next + in->jt < n && next + in->jf < n;
	}
	return false;
}

/* bpf_asm's inverted pseudo-op of a conditional jump, or NULL. */
static const char *inverse_mnemonic(const char *m)
{
	if (strcmp(m, "jeq") == 0)
		return "jne";
	if (strcmp(m, "jgt") == 0)
		return "jle";
	if (strcmp(m, "jge") == 0)
		return "jlt";
	return NULL;
}

/* How a canonical conditional jump is printed: mnemonic and one or two
 * targets (absolute indices).  `jeq #k, Lt` when jf == 0 (false falls
 * through), `jne #k, Lf` when only jt == 0, else `jeq #k, Lt, Lf`. */
struct cond_form {
	const char *mnemonic;
	size_t t1, t2;
	bool two;
};

static struct cond_form cond_form(const jitk_insn *in, size_t i)
{
	const char *m = insn_info[insn_op_of(in->code)].mnemonic;
	struct cond_form c = { m, i + 1 + in->jt, i + 1 + in->jf, true };
	const char *inv = inverse_mnemonic(m);
	if (in->jf == 0) {
		c.two = false;
	} else if (in->jt == 0 && inv) {
		c.mnemonic = inv;
		c.t1 = i + 1 + in->jf;
		c.two = false;
	}
	return c;
}

static void fmt_k(char *buf, size_t cap, uint32_t k)
{
	if (k < 4096)
		snprintf(buf, cap, "%u", k);
	else
		snprintf(buf, cap, "0x%x", k);
}

/* Whether every ABI of the set is big-endian: then a u64 of seccomp_data
 * has its high word first (docs/kernel-notes.md, section 11).  An unknown
 * set (before the arch is tested) is read as little-endian. */
static bool abis_big_endian(unsigned abis)
{
	if (!abis || abis == ((1u << JITK_ARCH__COUNT) - 1))
		return false;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if ((abis & (1u << a)) && !params_big_endian((jitk_arch)a))
			return false;
	return true;
}

/* Name of a 32-bit word of seccomp_data at byte k, or NULL, in the word
 * order of the ABIs the instruction runs for (abis). */
static const char *field_name(uint32_t k, unsigned abis, char *buf, size_t cap)
{
	const size_t args = offsetof(struct seccomp_data, args);
	const size_t ip = offsetof(struct seccomp_data, instruction_pointer);
	bool be = abis_big_endian(abis);
	const char *at0 = be ? ".hi" : ".lo", *at4 = be ? ".lo" : ".hi";
	if (k == offsetof(struct seccomp_data, nr))
		return "nr";
	if (k == offsetof(struct seccomp_data, arch))
		return "arch";
	if (k == ip || k == ip + 4) {
		snprintf(buf, cap, "instruction_pointer%s", k == ip ? at0 : at4);
		return buf;
	}
	if (k >= args && k < args + 48 && k % 4 == 0) {
		uint32_t r = (uint32_t)(k - args);
		snprintf(buf, cap, "args[%u]%s", r / 8, r % 8 ? at4 : at0);
		return buf;
	}
	return NULL;
}

/* The set of every ABI (a bit per jitk_arch): nothing is known. */
#define ABI_ALL ((1u << JITK_ARCH__COUNT) - 1)

/* Comment naming a return value: "ALLOW", "ERRNO(EACCES)", ...  The errno
 * name is the one the value has on every ABI the call can be of (abis, a
 * bit per jitk_arch: errno numbers differ per ABI, mips's 89 is ENOSYS and
 * x86's EDESTADDRREQ), the number alone where they disagree, and the build
 * host's name where nothing is known (ABI_ALL or 0), as nr_comment. */
static void ret_comment(uint32_t k, unsigned abis, char *buf, size_t cap)
{
	const char *act = jitk_action_name(k);
	uint32_t data = k & JITK_RET_DATA;
	uint32_t full = k & JITK_RET_ACTION_FULL;
	if (full == JITK_RET_ERRNO) {
		const char *e = abis == ABI_ALL || !abis ? jitk_errno_name((int)data)
							 : errno_name_abis(abis, (int)data);
		if (e)
			snprintf(buf, cap, "%s(%s)", act, e);
		else
			snprintf(buf, cap, "%s(%u)", act, data);
	} else if (data && (full == JITK_RET_TRAP || full == JITK_RET_TRACE)) {
		snprintf(buf, cap, "%s(%u)", act, data);
	} else {
		snprintf(buf, cap, "%s", act);
	}
}

/* What A holds at each instruction, for comments only: the seccomp_data
 * offset it was loaded from, -1 for anything else, -2 not reached yet. */
static void track_a(const jitk_filter *f, const bool *canon, int *asrc)
{
	size_t n = f->len;
	for (size_t i = 0; i < n; i++)
		asrc[i] = -2;
	if (n)
		asrc[0] = -1;
	for (size_t i = 0; i < n; i++) {
		const jitk_insn *in = &f->insns[i];
		int cur = asrc[i] == -2 ? -1 : asrc[i];
		int op = insn_op_of(in->code);
		int out = cur;
		if (op < 0 || !canon[i])
			out = -1;
		else if (op == INSN_LD_W_ABS)
			out = in->k < SECCOMP_DATA_SIZE ? (int)in->k : -1;
		else if (BPF_CLASS(in->code) == BPF_LD || BPF_CLASS(in->code) == BPF_ALU || op == INSN_TXA)
			out = -1;
		size_t succ[2];
		int ns = 0;
		if (op < 0 || !canon[i]) {
			ns = 0; /* unknown control flow: successors get "unknown" below */
			if (i + 1 < n)
				succ[ns++] = i + 1;
		} else if (INSN_IS_RET(in->code)) {
			ns = 0;
		} else if (op == INSN_JA) {
			succ[ns++] = i + 1 + in->k;
		} else if (INSN_IS_COND(in->code)) {
			succ[ns++] = i + 1 + in->jt;
			succ[ns++] = i + 1 + in->jf;
		} else if (i + 1 < n) {
			succ[ns++] = i + 1;
		}
		for (int s = 0; s < ns; s++) {
			int *t = &asrc[succ[s]];
			*t = *t == -2 ? out : *t == out ? out : -1;
		}
	}
}

/* The ABIs a call can be of at each instruction, for comments only: a bit
 * per jitk_arch, narrowed by the arch checks on the paths that reach it
 * (after `jeq #AUDIT_ARCH_I386` is true, only i386), ABI_ALL where nothing
 * is known, 0 where nothing reaches.  Jumps go forward, so one pass in
 * index order sees every predecessor first (as track_a). */
static void track_abi(const jitk_filter *f, const bool *canon, const int *asrc, unsigned *abi)
{
	size_t n = f->len;
	for (size_t i = 0; i < n; i++)
		abi[i] = 0;
	if (n)
		abi[0] = ABI_ALL;
	for (size_t i = 0; i < n; i++) {
		const jitk_insn *in = &f->insns[i];
		unsigned cur = abi[i] ? abi[i] : ABI_ALL; /* unreached: assume nothing */
		int op = insn_op_of(in->code);
		size_t succ[2];
		unsigned val[2] = { cur, cur };
		int ns = 0;
		if (op < 0 || !canon[i]) {
			if (i + 1 < n) {
				succ[ns] = i + 1;
				val[ns++] = ABI_ALL;
			}
		} else if (INSN_IS_RET(in->code)) {
			ns = 0;
		} else if (op == INSN_JA) {
			succ[ns++] = i + 1 + in->k;
		} else if (INSN_IS_COND(in->code)) {
			succ[0] = i + 1 + in->jt;
			succ[1] = i + 1 + in->jf;
			ns = 2;
			if (BPF_OP(in->code) == BPF_JEQ && BPF_SRC(in->code) == BPF_K &&
			    asrc[i] == (int)offsetof(struct seccomp_data, arch)) {
				unsigned m = 0;
				for (int a = 0; a < JITK_ARCH__COUNT; a++)
					if (jitk_arch_audit((jitk_arch)a) == in->k)
						m |= 1u << a;
				val[0] = cur & m;
				val[1] = cur & ~m;
			}
		} else if (i + 1 < n) {
			succ[ns++] = i + 1;
		}
		for (int s = 0; s < ns; s++)
			abi[succ[s]] |= val[s];
	}
}

/* The comment of `jeq #k` on nr: the syscall k is on the ABIs the call can
 * be of here.  x86_64 and x32 share an AUDIT value and are told apart by
 * the x32 bit.  Where no arch check narrowed anything, the x86_64 name (or
 * nothing).  Names that differ between the possible ABIs are each given
 * with their ABI. */
static void nr_comment(uint32_t k, unsigned abis, char *cmt, size_t ccap)
{
	if (abis == ABI_ALL || !abis)
		abis = 1u << JITK_ARCH_X86_64;
	if (k >= JITK_X32_SYSCALL_BIT)
		abis &= ~(1u << JITK_ARCH_X86_64);
	else
		abis &= ~(1u << JITK_ARCH_X32);
	const char *names[JITK_ARCH__COUNT] = { NULL };
	const char *first = NULL;
	bool same = true;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		if (!(abis & (1u << a)))
			continue;
		names[a] = k <= 0x7fffffffu ? jitk_syscall_name((jitk_arch)a, (int)k) : NULL;
		if (!names[a] || (first && strcmp(first, names[a])))
			same = false;
		if (!first)
			first = names[a];
	}
	if (same && first) {
		snprintf(cmt, ccap, "%s", first);
		return;
	}
	size_t len = 0;
	for (int a = 0; a < JITK_ARCH__COUNT && len < ccap; a++)
		if (names[a])
			len += (size_t)snprintf(cmt + len, ccap - len, "%s%s %s", len ? ", " : "",
						jitk_arch_name((jitk_arch)a), names[a]);
}

/* One instruction in assembler syntax (no label, no newline). */
static void fmt_insn(const jitk_filter *f, size_t i, bool canon, int asrc, unsigned abis, char *buf,
		     size_t cap, char *cmt, size_t ccap)
{
	const jitk_insn *in = &f->insns[i];
	char k[16], tmp[48];
	cmt[0] = '\0';
	if (!canon) {
		snprintf(buf, cap, ".insn 0x%04x, %u, %u, 0x%08x", in->code, in->jt, in->jf, in->k);
		if (insn_op_of(in->code) < 0)
			snprintf(cmt, ccap, "not a classic BPF opcode");
		return;
	}
	int op = insn_op_of(in->code);
	const char *m = insn_info[op].mnemonic;
	fmt_k(k, sizeof k, in->k);
	switch (insn_info[op].opnd) {
	case OPND_NONE: snprintf(buf, cap, "%s", m); break;
	case OPND_IMM:
		snprintf(buf, cap, "%s #%s", m, k);
		if (op == INSN_RET_K)
			ret_comment(in->k, abis, cmt, ccap);
		break;
	case OPND_X: snprintf(buf, cap, "%s x", m); break;
	case OPND_A: snprintf(buf, cap, "%s a", m); break;
	case OPND_ABS: {
		snprintf(buf, cap, "%s [%s]", m, k);
		const char *fn = op == INSN_LD_W_ABS ? field_name(in->k, abis, tmp, sizeof tmp) : NULL;
		if (fn)
			snprintf(cmt, ccap, "%s", fn);
		break;
	}
	case OPND_IND: snprintf(buf, cap, "%s [x + %s]", m, k); break;
	case OPND_MEM: snprintf(buf, cap, "%s M[%u]", m, in->k); break;
	case OPND_LEN: snprintf(buf, cap, "%s #len", m); break;
	case OPND_MSH: snprintf(buf, cap, "%s 4*([%s]&0xf)", m, k); break;
	case OPND_JA: snprintf(buf, cap, "%s L%zu", m, i + 1 + (size_t)in->k); break;
	case OPND_JK:
	case OPND_JX: {
		struct cond_form c = cond_form(in, i);
		char cmp[24];
		if (insn_info[op].opnd == OPND_JX)
			snprintf(cmp, sizeof cmp, "x");
		else
			snprintf(cmp, sizeof cmp, "#%s", k);
		if (c.two)
			snprintf(buf, cap, "%s %s, L%zu, L%zu", c.mnemonic, cmp, c.t1, c.t2);
		else
			snprintf(buf, cap, "%s %s, L%zu", c.mnemonic, cmp, c.t1);
		/* Only an equality names a syscall: the bound of a range
		 * (jgt, jge) or a bit test is not a call. */
		if (insn_info[op].opnd == OPND_JK && BPF_OP(in->code) == BPF_JEQ &&
		    asrc == (int)offsetof(struct seccomp_data, nr)) {
			nr_comment(in->k, abis, cmt, ccap);
		} else if (insn_info[op].opnd == OPND_JK && asrc == (int)offsetof(struct seccomp_data, arch)) {
			for (int a = 0; a < JITK_ARCH__COUNT; a++)
				if (jitk_arch_audit((jitk_arch)a) == in->k) {
					snprintf(cmt, ccap, "%s", jitk_arch_name((jitk_arch)a));
					break;
				}
		}
		break;
	}
	}
}

void dis_free(struct dis *d)
{
	free(d->canon);
	free(d->label);
	free(d->asrc);
	free(d->abi);
}

void dis_insn(const jitk_filter *f, const struct dis *d, size_t i, char *buf, size_t cap, char *cmt,
	      size_t ccap)
{
	fmt_insn(f, i, d->canon[i], d->asrc[i], d->abi[i], buf, cap, cmt, ccap);
}

void dis_ret_comment(uint32_t k, unsigned abis, char *buf, size_t cap)
{
	ret_comment(k, abis, buf, cap);
}

jitk_err dis_prepare(const jitk_filter *f, struct dis *d)
{
	size_t n = f->len;
	d->canon = calloc(n ? n : 1, sizeof *d->canon);
	d->label = calloc(n ? n : 1, sizeof *d->label);
	d->asrc = calloc(n ? n : 1, sizeof *d->asrc);
	d->abi = calloc(n ? n : 1, sizeof *d->abi);
	if (!d->canon || !d->label || !d->asrc || !d->abi) {
		dis_free(d);
		return JITK_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		d->canon[i] = insn_canonical(f, i);
	for (size_t i = 0; i < n; i++) {
		const jitk_insn *in = &f->insns[i];
		if (!d->canon[i] || !INSN_IS_JUMP(in->code))
			continue;
		if (!INSN_IS_COND(in->code)) {
			d->label[i + 1 + in->k] = true;
			continue;
		}
		struct cond_form c = cond_form(in, i);
		d->label[c.t1] = true;
		if (c.two)
			d->label[c.t2] = true;
	}
	track_a(f, d->canon, d->asrc);
	track_abi(f, d->canon, d->asrc, d->abi);
	return JITK_OK;
}

jitk_err jitk_disasm(const jitk_filter *f, char **out)
{
	if (!f || !out)
		return JITK_E_INVAL;
	struct dis d;
	jitk_err err = dis_prepare(f, &d);
	if (err)
		return err;
	struct strbuf sb = { 0 };
	char text[96], cmt[96], lab[32];
	for (size_t i = 0; i < f->len; i++) {
		dis_insn(f, &d, i, text, sizeof text, cmt, sizeof cmt);
		if (d.label[i])
			snprintf(lab, sizeof lab, "L%zu:", i);
		else
			lab[0] = '\0';
		if (cmt[0])
			sb_printf(&sb, "%-7s %-32s ; %s\n", lab, text, cmt);
		else
			sb_printf(&sb, "%-7s %s\n", lab, text);
	}
	dis_free(&d);
	return sb_finish(&sb, out);
}

/* ---------------------------------------------------------------- C form */

/* The <linux/filter.h> expression for a classic opcode, built from its code
 * bits; false if the pieces do not add up to the code (then the caller
 * prints the raw number). */
static bool code_expr(uint16_t code, char *buf, size_t cap)
{
	static const char *const cls[8] = { "BPF_LD",  "BPF_LDX", "BPF_ST",  "BPF_STX",
					    "BPF_ALU", "BPF_JMP", "BPF_RET", "BPF_MISC" };
	static const char *const alu[16] = { "BPF_ADD", "BPF_SUB", "BPF_MUL", "BPF_DIV",
					     "BPF_OR",  "BPF_AND", "BPF_LSH", "BPF_RSH",
					     "BPF_NEG", "BPF_MOD", "BPF_XOR" };
	static const char *const jmp[16] = { "BPF_JA", "BPF_JEQ", "BPF_JGT", "BPF_JGE", "BPF_JSET" };
	static const char *const mode[8] = { "BPF_IMM", "BPF_ABS", "BPF_IND",
					     "BPF_MEM", "BPF_LEN", "BPF_MSH" };
	static const char *const size[4] = { "BPF_W", "BPF_H", "BPF_B" };
	if (insn_op_of(code) < 0)
		return false;
	unsigned c = BPF_CLASS(code);
	unsigned val = c;
	int n = 0;
	switch (c) {
	case BPF_LD:
	case BPF_LDX: {
		unsigned md = BPF_MODE(code) >> 5, sz = BPF_SIZE(code) >> 3;
		if (!mode[md] || !size[sz])
			return false;
		val |= BPF_MODE(code) | BPF_SIZE(code);
		if (BPF_MODE(code) == BPF_IMM || BPF_MODE(code) == BPF_MEM)
			n = snprintf(buf, cap, "%s | %s", cls[c], mode[md]);
		else
			n = snprintf(buf, cap, "%s | %s | %s", cls[c], size[sz], mode[md]);
		break;
	}
	case BPF_ST:
	case BPF_STX: n = snprintf(buf, cap, "%s", cls[c]); break;
	case BPF_ALU:
		if (!alu[BPF_OP(code) >> 4])
			return false;
		val |= BPF_OP(code);
		if (BPF_OP(code) == BPF_NEG) {
			n = snprintf(buf, cap, "%s | %s", cls[c], alu[BPF_OP(code) >> 4]);
		} else {
			val |= BPF_SRC(code);
			n = snprintf(buf, cap, "%s | %s | %s", cls[c], alu[BPF_OP(code) >> 4],
				     BPF_SRC(code) == BPF_X ? "BPF_X" : "BPF_K");
		}
		break;
	case BPF_JMP:
		if (!jmp[BPF_OP(code) >> 4])
			return false;
		val |= BPF_OP(code);
		if (BPF_OP(code) == BPF_JA) {
			n = snprintf(buf, cap, "%s | %s", cls[c], jmp[0]);
		} else {
			val |= BPF_SRC(code);
			n = snprintf(buf, cap, "%s | %s | %s", cls[c], jmp[BPF_OP(code) >> 4],
				     BPF_SRC(code) == BPF_X ? "BPF_X" : "BPF_K");
		}
		break;
	case BPF_RET:
		val |= BPF_RVAL(code);
		n = snprintf(buf, cap, "%s | %s", cls[c], BPF_RVAL(code) == BPF_A ? "BPF_A" : "BPF_K");
		break;
	default: /* BPF_MISC */
		val |= BPF_MISCOP(code);
		n = snprintf(buf, cap, "%s | %s", cls[c],
			     BPF_MISCOP(code) == BPF_TXA ? "BPF_TXA" : "BPF_TAX");
		break;
	}
	return n > 0 && (size_t)n < cap && val == code;
}

static bool c_identifier(const char *s)
{
	if (!s || !*s || strlen(s) > 200)
		return false;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

jitk_err jitk_format_c(const jitk_filter *f, const char *name, char **out)
{
	/* An empty array is not valid C, and sock_fprog.len is 16 bits. */
	if (!f || !out || !c_identifier(name) || f->len == 0)
		return JITK_E_INVAL;
	if (f->len > 0xffff)
		return JITK_E_TOO_BIG;
	struct dis d;
	jitk_err err = dis_prepare(f, &d);
	if (err)
		return err;
	struct strbuf sb = { 0 };
	char text[96], cmt[96], expr[64];
	sb_printf(&sb, "/* Classic BPF, %zu instructions, generated by jitk. */\n", f->len);
	sb_printf(&sb, "#include <linux/filter.h>\n\n");
	sb_printf(&sb, "static const struct sock_filter %s[] = {\n", name);
	for (size_t i = 0; i < f->len; i++) {
		const jitk_insn *in = &f->insns[i];
		dis_insn(f, &d, i, text, sizeof text, cmt, sizeof cmt);
		/* BPF_STMT zeroes jt and jf, so it is used only where they are 0. */
		bool sym = code_expr(in->code, expr, sizeof expr);
		if (sym && INSN_IS_JUMP(in->code))
			sb_printf(&sb, "\t/* %4zu */ BPF_JUMP(%s, 0x%x, %u, %u),", i, expr, in->k, in->jt,
				  in->jf);
		else if (sym && in->jt == 0 && in->jf == 0)
			sb_printf(&sb, "\t/* %4zu */ BPF_STMT(%s, 0x%x),", i, expr, in->k);
		else
			sb_printf(&sb, "\t/* %4zu */ { 0x%02x, %u, %u, 0x%08x },", i, in->code, in->jt,
				  in->jf, in->k);
		sb_printf(&sb, " /* %s%s%s */\n", text, cmt[0] ? " ; " : "", cmt);
	}
	sb_printf(&sb, "};\n\n");
	sb_printf(&sb, "static const struct sock_fprog %s_prog = {\n", name);
	sb_printf(&sb, "\t.len = %zu,\n", f->len);
	sb_printf(&sb, "\t.filter = (struct sock_filter *)%s,\n", name);
	sb_printf(&sb, "};\n");
	dis_free(&d);
	return sb_finish(&sb, out);
}
