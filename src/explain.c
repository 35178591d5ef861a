/*
 * explain.c - decompile a filter into SCPL (jitk_explain).
 *
 * For each ABI (x86_64, i386, x32, aarch64) the program is run
 * symbolically with arch and nr concrete and the arguments symbolic: a load
 * of an argument word gives the symbol (word & mask), a conditional jump on
 * a symbol forks the path with the atom true and false (an atom already
 * decided on the path is not forked again), and each path ends in a return
 * value.  Paths are disjoint and cover every input, so a syscall's decision
 * is exactly "the return of the path whose atoms hold".
 *
 * The numbers are not enumerated one by one: nr is only ever compared with
 * constants of the program, so between two consecutive constants (and
 * their successors) every number takes the same paths; one representative
 * per interval decides the whole interval.  A program that computes on nr
 * (an ALU operation on it, a compare with X holding a non-constant) is
 * refused.  Numbers decided alike are grouped into one rule, with their
 * ranges in a comment.  The result is plain SCPL; the CLI proves it equal
 * to the filter with Z3 before trusting it (jitk explain --scpl).
 */
#include "internal.h"
#include "insn.h"
#include "params.h"

#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EX_MAX_PATHS 4096  /* per (ABI, number) */
#define EX_MAX_ATOMS 64    /* per path */
#define EX_MAX_LISTED 4096 /* numbers one non-default interval may hold */

/* ------------------------------------------------------------ values */

enum sv_kind { SV_CONST, SV_WORD, SV_UNK };

struct sv {
	enum sv_kind kind;
	uint32_t c;    /* SV_CONST */
	bool from_nr;  /* SV_CONST computed from nr */
	uint8_t word;  /* SV_WORD: seccomp_data offset / 4 (args words) */
	uint32_t mask; /* SV_WORD: (word & mask) */
};

/* A test on an argument word: ((word & mask) op k) == truth. */
struct atom {
	uint8_t word;
	uint32_t mask;
	uint16_t op; /* BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET */
	uint32_t k;
	bool truth;
};

struct path {
	uint32_t ret;
	size_t natoms;
	struct atom atoms[EX_MAX_ATOMS];
};

struct state {
	size_t pc;
	struct sv a, x, m[16];
	size_t natoms;
	struct atom atoms[EX_MAX_ATOMS];
};

struct ex {
	const jitk_filter *f;
	uint32_t arch, nr;
	struct path *paths;
	size_t npaths;
	const char *fail; /* why the program cannot be decompiled */
};

static struct sv sv_const(uint32_t c, bool from_nr)
{
	return (struct sv){ .kind = SV_CONST, .c = c, .from_nr = from_nr };
}

static struct sv load_abs(const struct ex *E, uint32_t k)
{
	if (k == 0)
		return sv_const(E->nr, true);
	if (k == 4)
		return sv_const(E->arch, false);
	if (k >= 16 && k < 64 && k % 4 == 0)
		return (struct sv){ .kind = SV_WORD, .word = (uint8_t)(k / 4), .mask = 0xffffffffu };
	return (struct sv){ .kind = SV_UNK }; /* instruction_pointer, or out of range */
}

static uint32_t alu_k(uint16_t op, uint32_t a, uint32_t k, bool *ok)
{
	*ok = true;
	switch (op) {
	case BPF_ADD: return a + k;
	case BPF_SUB: return a - k;
	case BPF_MUL: return a * k;
	case BPF_DIV: return k ? a / k : 0;
	case BPF_OR: return a | k;
	case BPF_AND: return a & k;
	case BPF_LSH: return k < 32 ? a << k : 0;
	case BPF_RSH: return k < 32 ? a >> k : 0;
	case BPF_XOR: return a ^ k;
	case BPF_NEG: return -a;
	default: *ok = false; return 0;
	}
}

static bool cmp_k(uint16_t op, uint32_t a, uint32_t k)
{
	switch (op) {
	case BPF_JEQ: return a == k;
	case BPF_JGT: return a > k;
	case BPF_JGE: return a >= k;
	default: return (a & k) != 0; /* BPF_JSET */
	}
}

/* Is the atom already decided on this path?  1 true, 0 false, -1 open. */
static int atom_known(const struct state *s, const struct atom *t)
{
	for (size_t i = 0; i < s->natoms; i++) {
		const struct atom *u = &s->atoms[i];
		if (u->word == t->word && u->mask == t->mask && u->op == t->op && u->k == t->k)
			return u->truth;
	}
	return -1;
}

/* What the full-mask compares of a path say about one word: it lies in
 * [*lo, *hi] and differs from ne[0 .. *nne).  Masked compares and bit
 * tests are not summarised (the caller keeps them as they are).  false if
 * they contradict each other: no input takes the path. */
static bool word_range(const struct atom *at, size_t n, uint8_t word, uint32_t *lo, uint32_t *hi,
		       uint32_t *ne, size_t *nne)
{
	*lo = 0;
	*hi = 0xffffffffu;
	*nne = 0;
	for (size_t i = 0; i < n; i++) {
		const struct atom *t = &at[i];
		if (t->word != word || t->mask != 0xffffffffu || t->op == BPF_JSET)
			continue;
		uint32_t k = t->k;
		if (t->op == BPF_JEQ && t->truth) {
			if (k > *lo)
				*lo = k;
			if (k < *hi)
				*hi = k;
		} else if (t->op == BPF_JEQ) {
			ne[(*nne)++] = k;
		} else if (t->op == BPF_JGT && t->truth) {
			if (k == 0xffffffffu)
				return false;
			if (k + 1 > *lo)
				*lo = k + 1;
		} else if (t->op == BPF_JGT) {
			if (k < *hi)
				*hi = k;
		} else if (t->truth) { /* JGE */
			if (k > *lo)
				*lo = k;
		} else {
			if (k == 0)
				return false;
			if (k - 1 < *hi)
				*hi = k - 1;
		}
	}
	if (*lo > *hi)
		return false;
	if (*lo == *hi)
		for (size_t i = 0; i < *nne; i++)
			if (ne[i] == *lo)
				return false;
	return true;
}

static bool state_feasible(const struct state *s, uint8_t word)
{
	uint32_t lo, hi, ne[EX_MAX_ATOMS];
	size_t nne;
	return word_range(s->atoms, s->natoms, word, &lo, &hi, ne, &nne);
}

/* Run from state s to every return; appends paths. */
static void explore(struct ex *E, struct state *s)
{
	const jitk_filter *f = E->f;
	while (!E->fail) {
		if (s->pc >= f->len) {
			E->fail = "a path runs past the end of the program";
			return;
		}
		const jitk_insn *in = &f->insns[s->pc];
		uint16_t c = in->code;
		switch (BPF_CLASS(c)) {
		case BPF_LD:
			if (c == (BPF_LD | BPF_W | BPF_ABS))
				s->a = load_abs(E, in->k);
			else if (c == (BPF_LD | BPF_IMM))
				s->a = sv_const(in->k, false);
			else if (c == (BPF_LD | BPF_MEM) && in->k < 16)
				s->a = s->m[in->k];
			else if (c == (BPF_LD | BPF_W | BPF_LEN))
				s->a = sv_const(64, false);
			else
				s->a = (struct sv){ .kind = SV_UNK };
			s->pc++;
			break;
		case BPF_LDX:
			if (c == (BPF_LDX | BPF_IMM))
				s->x = sv_const(in->k, false);
			else if (c == (BPF_LDX | BPF_MEM) && in->k < 16)
				s->x = s->m[in->k];
			else if (c == (BPF_LDX | BPF_W | BPF_LEN))
				s->x = sv_const(64, false);
			else
				s->x = (struct sv){ .kind = SV_UNK };
			s->pc++;
			break;
		case BPF_ST:
			if (in->k < 16)
				s->m[in->k] = s->a;
			s->pc++;
			break;
		case BPF_STX:
			if (in->k < 16)
				s->m[in->k] = s->x;
			s->pc++;
			break;
		case BPF_ALU: {
			uint16_t op = BPF_OP(c);
			struct sv k = BPF_SRC(c) == BPF_X && op != BPF_NEG ? s->x : sv_const(in->k, false);
			if (s->a.kind == SV_CONST && k.kind == SV_CONST) {
				if (s->a.from_nr || k.from_nr) {
					E->fail = "the program computes on the syscall number";
					return;
				}
				bool ok;
				s->a.c = alu_k(op, s->a.c, k.c, &ok);
				if (!ok)
					s->a.kind = SV_UNK;
			} else if (s->a.kind == SV_WORD && op == BPF_AND && k.kind == SV_CONST) {
				s->a.mask &= k.c;
			} else {
				s->a = (struct sv){ .kind = SV_UNK };
			}
			s->pc++;
			break;
		}
		case BPF_MISC:
			if (BPF_MISCOP(c) == BPF_TAX)
				s->x = s->a;
			else
				s->a = s->x;
			s->pc++;
			break;
		case BPF_RET: {
			struct sv r = BPF_RVAL(c) == BPF_A ? s->a : sv_const(in->k, false);
			if (r.kind != SV_CONST) {
				E->fail = "a return value depends on the arguments (ret a)";
				return;
			}
			if (E->npaths == EX_MAX_PATHS) {
				E->fail = "more than 4096 paths for one syscall";
				return;
			}
			struct path *p = &E->paths[E->npaths++];
			p->ret = r.c;
			p->natoms = s->natoms;
			memcpy(p->atoms, s->atoms, s->natoms * sizeof *s->atoms);
			return;
		}
		case BPF_JMP: {
			uint16_t op = BPF_OP(c);
			if (op == BPF_JA) {
				s->pc += 1 + in->k;
				break;
			}
			struct sv k = BPF_SRC(c) == BPF_X ? s->x : sv_const(in->k, false);
			size_t t = s->pc + 1 + in->jt, e = s->pc + 1 + in->jf;
			if (k.kind != SV_CONST || k.from_nr) {
				E->fail = "a compare with a computed value";
				return;
			}
			if (s->a.kind == SV_CONST) {
				if (s->a.from_nr && BPF_SRC(c) == BPF_X) {
					E->fail = "the syscall number is compared with X";
					return;
				}
				s->pc = cmp_k(op, s->a.c, k.c) ? t : e;
				break;
			}
			if (s->a.kind != SV_WORD) {
				E->fail = "a compare on the instruction pointer or a computed value";
				return;
			}
			struct atom at = { s->a.word, s->a.mask, op, k.c, true };
			/* Decided by the mask alone? */
			int known = atom_known(s, &at);
			if (known < 0 && op == BPF_JEQ && (k.c & ~at.mask))
				known = 0;
			if (known < 0 && op == BPF_JSET && !(k.c & at.mask))
				known = 0;
			if (known < 0 && op == BPF_JGE && k.c == 0)
				known = 1;
			if (known < 0 && at.mask == 0)
				known = cmp_k(op, 0, k.c);
			if (known >= 0) {
				s->pc = known ? t : e;
				break;
			}
			if (s->natoms == EX_MAX_ATOMS) {
				E->fail = "more than 64 argument tests on one path";
				return;
			}
			struct state *other = malloc(sizeof *other);
			if (!other) {
				E->fail = "out of memory";
				return;
			}
			*other = *s;
			at.truth = false;
			other->atoms[other->natoms++] = at;
			other->pc = e;
			at.truth = true;
			s->atoms[s->natoms++] = at;
			s->pc = t;
			/* A branch the path's compares rule out is not taken. */
			bool f_ok = state_feasible(other, at.word), t_ok = state_feasible(s, at.word);
			if (f_ok)
				explore(E, other);
			free(other);
			if (!t_ok)
				return;
			break;
		}
		default: E->fail = "an unknown opcode"; return;
		}
	}
}

/* --------------------------------------------------------- decisions */

/* An errno value in a decision's text, "\x01" NUMBER "\x02", until
 * errno_names gives it its name. */
#define ERRNO_MARK "\x01"
#define ERRNO_END "\x02"

/* The decompiled text with each errno marker replaced by the value's name
 * where it has that value on every ABI of abis (a bit per jitk_arch), else
 * by the number: the text is read back per ABI (docs/scpl.md: an errno
 * name takes each ABI's value) and default_action applies to all of them,
 * so a filter for x86_64 and mips says "Errno 38", not x86's ENOSYS, which
 * is 89 on mips. */
static void errno_names(struct strbuf *sb, unsigned abis)
{
	struct strbuf out = { .failed = sb->failed };
	const char *p = sb->buf ? sb->buf : "";
	for (;;) {
		const char *m = strchr(p, ERRNO_MARK[0]);
		if (!m) {
			sb_printf(&out, "%s", p);
			break;
		}
		sb_printf(&out, "%.*s", (int)(m - p), p);
		char *end;
		unsigned long v = strtoul(m + 1, &end, 10);
		const char *e = errno_name_abis(abis, (int)v);
		if (e)
			sb_printf(&out, "%s", e);
		else
			sb_printf(&out, "%lu", v);
		p = *end == ERRNO_END[0] ? end + 1 : end;
	}
	free(sb->buf);
	*sb = out;
}

/* One decision in canonical text: "ret=...;" or conditions per return. */
static void action_scpl(uint32_t ret, char *buf, size_t cap, const char **fail)
{
	uint32_t act = ret & JITK_RET_ACTION_FULL, data = ret & JITK_RET_DATA;
	switch (act) {
	case JITK_RET_KILL_PROCESS: snprintf(buf, cap, "KillProcess"); return;
	case JITK_RET_KILL_THREAD: snprintf(buf, cap, "KillThread"); return;
	case JITK_RET_TRAP: snprintf(buf, cap, "Trap %u", data); return;
	case JITK_RET_TRACE: snprintf(buf, cap, "Trace %u", data); return;
	case JITK_RET_LOG:
		if (!data) {
			snprintf(buf, cap, "Log");
			return;
		}
		break;
	case JITK_RET_ALLOW:
		if (!data) {
			snprintf(buf, cap, "Allow");
			return;
		}
		break;
	case JITK_RET_USER_NOTIF:
		if (!data) {
			snprintf(buf, cap, "Notify");
			return;
		}
		break;
	case JITK_RET_ERRNO: {
		/* The name is chosen when the policy's ABIs are known
		 * (errno_names): a marker until then. */
		snprintf(buf, cap, "Errno " ERRNO_MARK "%u" ERRNO_END, data);
		return;
	}
	default: break;
	}
	snprintf(buf, cap, "KillProcess");
	*fail = "a return value SCPL has no action for (undefined action or data on Allow/Log/Notify)";
}

/*
 * Operands.  Which SCPL operand reads a word of an argument depends on the
 * width the kernel uses of it (docs/scpl.md, "Argument widths"), which
 * differs between the syscalls of one rule; the decision text, shared by
 * all the numbers decided alike, holds a marker byte and the argument's
 * digit, and expand_operands writes the operand once the rule's numbers
 * are known:
 *   OP64    all 64 bits: argN where every number uses 64 bits of the
 *           argument, else reg64(argN), the register as seccomp sees it;
 *   OPLO    the low word, unmasked: low32(argN) where every number uses
 *           at least 32 bits, else (reg64(argN) & 0xffffffff);
 *   OPLOM   the low word inside "(... & MASK)" with a 32-bit mask:
 *           low32(argN), else reg64(argN).
 * So the text reads exactly the words the program reads, never fewer.
 */
#define OP64 '\x01'
#define OPLO '\x02'
#define OPLOM '\x03'

/* One atom as an SCPL compare. */
static void atom_scpl(const struct atom *t, struct strbuf *sb)
{
	unsigned w = t->word - 4, arg = w / 2;
	bool hi = w % 2; /* little-endian: the high half is the second word */
	const char *rel;
	if (!hi) {
		char opnd[48];
		if (t->mask == 0xffffffffu || (t->op == BPF_JSET))
			snprintf(opnd, sizeof opnd, "%c%u", OPLO, arg);
		else
			snprintf(opnd, sizeof opnd, "(%c%u & 0x%x)", OPLOM, arg, t->mask);
		switch (t->op) {
		case BPF_JEQ:
			rel = t->truth ? "==" : "!=";
			sb_printf(sb, "%s %s 0x%x", opnd, rel, t->k);
			return;
		case BPF_JGT:
			rel = t->truth ? ">" : "<=";
			sb_printf(sb, "%s %s 0x%x", opnd, rel, t->k);
			return;
		case BPF_JGE:
			rel = t->truth ? ">=" : "<";
			sb_printf(sb, "%s %s 0x%x", opnd, rel, t->k);
			return;
		default:
			sb_printf(sb, "(%c%u & 0x%x) %s 0", OPLOM, arg, t->mask & t->k,
				  t->truth ? "!=" : "==");
			return;
		}
	}
	uint64_t m = (uint64_t)t->mask << 32, k = (uint64_t)t->k << 32;
	switch (t->op) {
	case BPF_JEQ:
		sb_printf(sb, "(%c%u & 0x%llx) %s 0x%llx", OP64, arg, (unsigned long long)m,
			  t->truth ? "==" : "!=", (unsigned long long)k);
		return;
	case BPF_JGT:
		if (t->k == 0xffffffffu) {
			sb_printf(sb, "%s", t->truth ? "false" : "true");
			return;
		}
		sb_printf(sb, "(%c%u & 0x%llx) %s 0x%llx", OP64, arg, (unsigned long long)m,
			  t->truth ? ">=" : "<", (unsigned long long)((uint64_t)(t->k + 1ull) << 32));
		return;
	case BPF_JGE:
		sb_printf(sb, "(%c%u & 0x%llx) %s 0x%llx", OP64, arg, (unsigned long long)m,
			  t->truth ? ">=" : "<", (unsigned long long)k);
		return;
	default:
		sb_printf(sb, "(%c%u & 0x%llx) %s 0", OP64, arg, (unsigned long long)(m & k),
			  t->truth ? "!=" : "==");
		return;
	}
}

/* A path's atoms as a conjunction, per argument: the full-mask compares of
 * each half summarised into bounds and exclusions, and both halves joined
 * into 64-bit compares where the high half is known (libseccomp compares a
 * 64-bit argument as two 32-bit words). */
static void path_scpl(const struct path *p, struct strbuf *sb)
{
	bool any = false;
#define AND() sb_printf(sb, "%s", any ? " && " : ""), any = true
	for (unsigned arg = 0; arg < 6; arg++) {
		uint8_t wlo = (uint8_t)(4 + 2 * arg), whi = (uint8_t)(5 + 2 * arg);
		uint32_t llo, lhi, hlo, hhi, lne[EX_MAX_ATOMS], hne[EX_MAX_ATOMS];
		size_t nlne, nhne;
		word_range(p->atoms, p->natoms, wlo, &llo, &lhi, lne, &nlne);
		word_range(p->atoms, p->natoms, whi, &hlo, &hhi, hne, &nhne);
		bool hi_fixed = hlo == hhi;
		if (hi_fixed && llo == lhi) {
			AND();
			sb_printf(sb, "%c%u == 0x%llx", OP64, arg,
				  (unsigned long long)(((uint64_t)hlo << 32) | llo));
		} else if (hi_fixed && hlo == 0) {
			/* The high half is 0: the low half's bounds are the
			 * argument's. */
			if (llo) {
				AND();
				sb_printf(sb, "%c%u >= 0x%x", OP64, arg, llo);
			}
			AND();
			sb_printf(sb, "%c%u <= 0x%x", OP64, arg, lhi);
			for (size_t i = 0; i < nlne; i++)
				if (lne[i] >= llo && lne[i] <= lhi) {
					AND();
					sb_printf(sb, "%c%u != 0x%x", OP64, arg, lne[i]);
				}
		} else {
			if (hi_fixed) {
				AND();
				/* hlo * 2^32 (clang 14's analyzer drops the widening
				 * cast of a symbolic hlo and calls hlo << 32 an overflow) */
				sb_printf(sb, "(%c%u & 0xffffffff00000000) == 0x%llx", OP64, arg,
					  (unsigned long long)hlo * 0x100000000ull);
			} else {
				if (hlo) {
					AND();
					sb_printf(sb, "(%c%u & 0xffffffff00000000) >= 0x%llx", OP64, arg,
						  (unsigned long long)hlo << 32);
				}
				if (hhi != 0xffffffffu) {
					AND();
					sb_printf(sb, "(%c%u & 0xffffffff00000000) < 0x%llx", OP64, arg,
						  (unsigned long long)(hhi + 1ull) << 32);
				}
				for (size_t i = 0; i < nhne; i++)
					if (hne[i] >= hlo && hne[i] <= hhi) {
						AND();
						sb_printf(sb, "(%c%u & 0xffffffff00000000) != 0x%llx", OP64,
							  arg, (unsigned long long)hne[i] << 32);
					}
			}
			if (llo == lhi) {
				AND();
				sb_printf(sb, "%c%u == 0x%x", OPLO, arg, llo);
			} else {
				if (llo) {
					AND();
					sb_printf(sb, "%c%u >= 0x%x", OPLO, arg, llo);
				}
				if (lhi != 0xffffffffu) {
					AND();
					sb_printf(sb, "%c%u <= 0x%x", OPLO, arg, lhi);
				}
				for (size_t i = 0; i < nlne; i++)
					if (lne[i] >= llo && lne[i] <= lhi) {
						AND();
						sb_printf(sb, "%c%u != 0x%x", OPLO, arg, lne[i]);
					}
			}
		}
		/* Masked compares and bit tests, as they are. */
		for (size_t i = 0; i < p->natoms; i++) {
			const struct atom *t = &p->atoms[i];
			if ((t->word != wlo && t->word != whi) ||
			    (t->mask == 0xffffffffu && t->op != BPF_JSET))
				continue;
			AND();
			atom_scpl(t, sb);
		}
	}
#undef AND
	if (!any)
		sb_printf(sb, "true");
}

/* The decision of (arch, nr) as canonical text (for grouping): the SCPL
 * rule bodies in order, separated by \x1f; *uncond set when one return holds
 * for every input. */
static char *decide(struct ex *E, bool *uncond, uint32_t *only, const char **fail)
{
	E->npaths = 0;
	E->fail = NULL;
	struct state *s = calloc(1, sizeof *s);
	if (!s) {
		*fail = "out of memory";
		return NULL;
	}
	explore(E, s);
	free(s);
	if (E->fail) {
		*fail = E->fail;
		return NULL;
	}
	*uncond = true;
	for (size_t i = 1; i < E->npaths; i++)
		if (E->paths[i].ret != E->paths[0].ret)
			*uncond = false;
	*only = E->paths[0].ret;
	struct strbuf sb = { 0 };
	char act[64];
	if (*uncond) {
		action_scpl(*only, act, sizeof act, fail);
		sb_printf(&sb, "%s", act);
	} else {
		/* The return of most paths is the fall-through. */
		uint32_t other = E->paths[0].ret;
		size_t best = 0;
		for (size_t i = 0; i < E->npaths; i++) {
			size_t c = 0;
			for (size_t j = 0; j < E->npaths; j++)
				c += E->paths[j].ret == E->paths[i].ret;
			if (c > best) {
				best = c;
				other = E->paths[i].ret;
			}
		}
		bool *done = calloc(E->npaths, sizeof *done);
		if (!done) {
			*fail = "out of memory";
			return NULL;
		}
		for (size_t i = 0; i < E->npaths; i++) {
			if (done[i] || E->paths[i].ret == other)
				continue;
			action_scpl(E->paths[i].ret, act, sizeof act, fail);
			sb_printf(&sb, "%s\twhen = ", act);
			bool first = true;
			for (size_t j = i; j < E->npaths; j++) {
				if (E->paths[j].ret != E->paths[i].ret)
					continue;
				done[j] = true;
				sb_printf(&sb, "%s(", first ? "" : "\n          || ");
				path_scpl(&E->paths[j], &sb);
				sb_printf(&sb, ")");
				first = false;
			}
			sb_printf(&sb, "\x1f");
		}
		free(done);
		action_scpl(other, act, sizeof act, fail);
		sb_printf(&sb, "%s", act);
		*only = other;
	}
	char *out = NULL;
	if (sb_finish(&sb, &out)) {
		*fail = "out of memory";
		return NULL;
	}
	return out;
}

/* ------------------------------------------------------------ driver */

struct group {
	char *dec;     /* canonical decision */
	uint32_t *nrs; /* representative-expanded numbers */
	size_t n, cap;
	uint64_t count; /* numbers decided so, incl. intervals not listed */
};

struct abi_view {
	bool listed;
	struct group *g;
	size_t ng;
	size_t deflt; /* index of the largest group */
};

static void free_view(struct abi_view *v)
{
	for (size_t i = 0; i < v->ng; i++) {
		free(v->g[i].dec);
		free(v->g[i].nrs);
	}
	free(v->g);
}

/* Decide every interval of [lo, hi] on arch; group them. */
static const char *view_abi(struct ex *E, uint32_t arch, uint64_t lo, uint64_t hi, const uint32_t *cuts,
			    size_t ncuts, struct abi_view *v)
{
	memset(v, 0, sizeof *v);
	E->arch = arch;
	uint64_t start = lo;
	size_t ci = 0;
	while (ci < ncuts && cuts[ci] <= lo)
		ci++;
	while (start <= hi) {
		uint64_t end = ci < ncuts && cuts[ci] <= hi ? (uint64_t)cuts[ci] - 1 : hi;
		E->nr = (uint32_t)start;
		bool uncond;
		uint32_t only;
		const char *fail = NULL;
		char *dec = decide(E, &uncond, &only, &fail);
		if (!dec)
			return fail;
		if (fail) {
			free(dec);
			return fail;
		}
		size_t gi;
		for (gi = 0; gi < v->ng; gi++)
			if (!strcmp(v->g[gi].dec, dec))
				break;
		if (gi == v->ng) {
			struct group *ng = realloc(v->g, (v->ng + 1) * sizeof *ng);
			if (!ng) {
				free(dec);
				return "out of memory";
			}
			v->g = ng;
			memset(&v->g[v->ng], 0, sizeof *v->g);
			v->g[v->ng++].dec = dec;
		} else {
			free(dec);
		}
		struct group *g = &v->g[gi];
		g->count += end - start + 1;
		/* Remember the numbers; a huge interval only if it is not the
		 * default (checked by the caller through count vs n). */
		if (end - start + 1 <= EX_MAX_LISTED) {
			for (uint64_t x = start; x <= end; x++) {
				if (g->n == g->cap) {
					size_t cap = g->cap ? 2 * g->cap : 64;
					uint32_t *p = realloc(g->nrs, cap * sizeof *p);
					if (!p)
						return "out of memory";
					g->nrs = p;
					g->cap = cap;
				}
				g->nrs[g->n++] = (uint32_t)x;
			}
		}
		start = end + 1;
		if (ci < ncuts && cuts[ci] == start)
			ci++;
	}
	for (size_t i = 1; i < v->ng; i++)
		if (v->g[i].count > v->g[v->deflt].count)
			v->deflt = i;
	return NULL;
}

/* Text [s, s+len) with its operand markers (OP64, OPLO, OPLOM and a digit)
 * written as SCPL for the numbers nrs[0..n) of ABI a: each operand reads
 * the words it names on every one of them (see OP64). */
static void expand_operands(struct strbuf *sb, const char *s, size_t len, jitk_arch a, const uint32_t *nrs,
			    size_t n)
{
	for (size_t i = 0; i < len; i++) {
		char m = s[i];
		if ((m != OP64 && m != OPLO && m != OPLOM) || i + 1 >= len) {
			sb_printf(sb, "%c", m);
			continue;
		}
		unsigned arg = (unsigned)(s[++i] - '0');
		unsigned w = 64;
		for (size_t k = 0; k < n; k++) {
			unsigned wk = params_width(a, (int)nrs[k], arg);
			if (wk < w)
				w = wk;
		}
		if (m == OP64)
			sb_printf(sb, w >= 64 ? "arg%u" : "reg64(arg%u)", arg);
		else if (m == OPLO)
			sb_printf(sb, w >= 32 ? "low32(arg%u)" : "(reg64(arg%u) & 0xffffffff)", arg);
		else
			sb_printf(sb, w >= 32 ? "low32(arg%u)" : "reg64(arg%u)", arg);
	}
}

static void ranges_comment(struct strbuf *sb, const uint32_t *nrs, size_t n)
{
	sb_printf(sb, "    # numbers");
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && nrs[j + 1] == nrs[j] + 1)
			j++;
		if (j == i)
			sb_printf(sb, " %u", nrs[i]);
		else
			sb_printf(sb, " %u-%u", nrs[i], nrs[j]);
		sb_printf(sb, "%s", j + 1 < n ? "," : "");
		i = j + 1;
	}
	sb_printf(sb, "\n");
}

jitk_err jitk_explain(const jitk_filter *f, unsigned abis, char **out, jitk_diag *d)
{
	if (!f || !out)
		return diag_err(d, JITK_E_INVAL, "jitk_explain: NULL argument");
	*out = NULL;
	jitk_err err = jitk_check(f, d);
	if (err)
		return err;
	/* Cut points: every constant a jump compares with, and its successor. */
	size_t ncuts = 0;
	uint32_t *cuts = malloc((4 * f->len + 4) * sizeof *cuts);
	struct ex E = { .f = f, .paths = malloc(EX_MAX_PATHS * sizeof(struct path)) };
	if (!cuts || !E.paths) {
		free(cuts);
		free(E.paths);
		return diag_err(d, JITK_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < f->len; i++) {
		const jitk_insn *in = &f->insns[i];
		if ((BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) != BPF_JA) ||
		    in->code == (BPF_LD | BPF_IMM) || in->code == (BPF_LDX | BPF_IMM)) {
			cuts[ncuts++] = in->k;
			if (in->k != 0xffffffffu)
				cuts[ncuts++] = in->k + 1;
		}
	}
	cuts[ncuts++] = JITK_X32_SYSCALL_BIT;
	qsort(cuts, ncuts, sizeof *cuts, cmp_u32);
	size_t m = 0;
	for (size_t i = 0; i < ncuts; i++)
		if (!m || cuts[m - 1] != cuts[i])
			cuts[m++] = cuts[i];
	ncuts = m;

	const char *fail = NULL;
	/* Foreign: an arch value no jump compares with. */
	uint32_t farch = 0;
	for (bool clash = true; clash;) {
		clash = bsearch(&farch, cuts, ncuts, sizeof *cuts, cmp_u32) != NULL;
		if (clash)
			farch++;
	}
	struct abi_view fv, views[JITK_ARCH__COUNT];
	memset(views, 0, sizeof views);
	fail = view_abi(&E, farch, 0, 0xffffffffu, cuts, ncuts, &fv);
	uint32_t foreign = 0;
	char foreign_dec[64] = "";
	if (!fail && (fv.ng != 1 || strchr(fv.g[0].dec, '\t')))
		fail = "the filter's answer for an unknown architecture depends on the call, "
		       "which SCPL's foreign_action cannot say";
	if (!fail) {
		snprintf(foreign_dec, sizeof foreign_dec, "%s", fv.g[0].dec);
		(void)foreign;
	}
	free_view(&fv);
	/* Each ABI's numbers: all of its AUDIT_ARCH value's, but x86_64's
	 * and x32's, which split AUDIT_ARCH_X86_64 at the x32 bit. */
	struct {
		jitk_arch a;
		uint64_t lo, hi;
	} doms[JITK_ARCH__COUNT];
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		doms[a].a = (jitk_arch)a;
		doms[a].lo = a == JITK_ARCH_X32 ? JITK_X32_SYSCALL_BIT : 0;
		doms[a].hi = a == JITK_ARCH_X86_64 ? JITK_X32_SYSCALL_BIT - 1 : 0xffffffffu;
	}
	for (size_t i = 0; !fail && i < sizeof doms / sizeof *doms; i++) {
		struct abi_view *v = &views[doms[i].a];
		fail = view_abi(&E, jitk_arch_audit(doms[i].a), doms[i].lo, doms[i].hi, cuts, ncuts, v);
		if (!fail)
			v->listed = !(v->ng == 1 && !strcmp(v->g[0].dec, foreign_dec));
	}
	/* One default_action for every listed ABI: the largest group of the
	 * first listed ABI, which must be unconditional. */
	const char *deflt = NULL;
	for (int a = 0; !fail && a < JITK_ARCH__COUNT; a++)
		if (views[a].listed && !deflt)
			deflt = views[a].g[views[a].deflt].dec;
	if (!fail && deflt && strchr(deflt, '\t'))
		fail = "the most common decision is conditional";
	for (int a = 0; !fail && a < JITK_ARCH__COUNT; a++) {
		if (!views[a].listed)
			continue;
		for (size_t gi = 0; gi < views[a].ng && !fail; gi++) {
			struct group *g = &views[a].g[gi];
			if (strcmp(g->dec, deflt) && g->count != g->n)
				fail = "more than 4096 consecutive numbers decided alike but not as the "
				       "default; SCPL has no number ranges";
		}
	}
	struct strbuf sb = { 0 };
	if (!fail) {
		sb_printf(&sb, "# Decompiled by jitk explain from a %zu-instruction filter.\n", f->len);
		sb_printf(&sb, "{ default_action = %s;\n  foreign_action = %s;\n  arch = [",
			  deflt ? deflt : foreign_dec, foreign_dec);
		bool first = true;
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			if (views[a].listed) {
				sb_printf(&sb, "%s%s", first ? "" : "; ", jitk_arch_name((jitk_arch)a));
				first = false;
			}
		if (first)
			sb_printf(&sb, "x86_64");
		sb_printf(&sb, "];\n  rules = [\n");
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			if (!views[a].listed || !(abis & (1u << a)))
				continue;
			for (size_t gi = 0; gi < views[a].ng; gi++) {
				struct group *g = &views[a].g[gi];
				if (!strcmp(g->dec, deflt))
					continue;
				qsort(g->nrs, g->n, sizeof *g->nrs, cmp_u32);
				sb_printf(&sb, "    # %s: %zu number%s\n", jitk_arch_name((jitk_arch)a),
					  g->n, g->n == 1 ? "" : "s");
				ranges_comment(&sb, g->nrs, g->n);
				/* rule bodies: "ACT\twhen = C" parts, \x1f-separated,
				 * the last one unconditional */
				char *dec = g->dec;
				for (char *part = dec; part;) {
					char *bar = strchr(part, '\x1f');
					size_t plen = bar ? (size_t)(bar - part) : strlen(part);
					char *tab = memchr(part, '\t', plen);
					size_t alen = tab ? (size_t)(tab - part) : plen;
					bool last = !bar;
					if (!(last && !strncmp(part, deflt, alen) &&
					      strlen(deflt) == alen && !tab)) {
						sb_printf(&sb,
							  "    { action = %.*s; arch = [%s];\n      syscalls = [",
							  (int)alen, part, jitk_arch_name((jitk_arch)a));
						for (size_t k = 0; k < g->n; k++) {
							const char *nm = jitk_syscall_name((jitk_arch)a,
											   (int)g->nrs[k]);
							if (nm)
								sb_printf(&sb, "%s%s", k ? "; " : "", nm);
							else
								sb_printf(&sb, "%s%u", k ? "; " : "",
									  g->nrs[k]);
						}
						sb_printf(&sb, "]");
						if (tab) {
							sb_printf(&sb, ";\n      ");
							expand_operands(&sb, tab + 1, plen - alen - 1,
									(jitk_arch)a, g->nrs, g->n);
						}
						sb_printf(&sb, " };\n");
					}
					part = bar ? bar + 1 : NULL;
				}
			}
		}
		sb_printf(&sb, "  ] }\n");
		unsigned listed = 0;
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			if (views[a].listed)
				listed |= 1u << a;
		errno_names(&sb, listed ? listed : 1u << JITK_ARCH_X86_64);
	}
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		free_view(&views[a]);
	free(cuts);
	free(E.paths);
	if (fail) {
		free(sb.buf);
		return diag_err(d, JITK_E_UNSUPPORTED, "cannot decompile: %s", fail);
	}
	return sb_finish(&sb, out);
}
