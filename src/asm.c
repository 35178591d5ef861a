/*
 * asm.c - the classic BPF assembler (bpf_asm and Jitk paper syntax): the
 * parser and the entry point; the lexer is asm_lex.c, targets and layout
 * asm_layout.c (asm.h).
 *
 * Untrusted stage: whatever it produces goes through jitk_check before it
 * reaches the kernel, so the assembler's job is to be faithful to the text
 * and to explain mistakes, not to decide what is a valid seccomp filter.
 * The syntax is documented in docs/asm.md.  Opcodes are never listed here:
 * every mnemonic and operand shape is looked up in insn_info[] (insn.h).
 *
 * Three passes:
 *   1. parse: one line at a time into "source instructions" whose jump
 *      targets are still symbolic (label, numeric offset, or fall-through);
 *   2. resolve: every target becomes a source index, forward only;
 *   3. layout: conditional jumps whose target is more than 255 instructions
 *      away get `ja` trampolines, iterated to a fixed point, then emit.
 *
 * The text is (text, len) and need not be NUL-terminated; the assembler
 * never reads text[len].  Every input either assembles or yields a located
 * diagnostic: no input crashes or loops (fuzz/fuzz_asm.c checks).
 */
#include "asm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- symbols */

/* seccomp return values.  RET_KILL is the kernel header's SECCOMP_RET_KILL,
 * an alias of SECCOMP_RET_KILL_THREAD (0), which is what the Jitk paper's
 * listing means by "kill"; it is NOT RET_KILL_PROCESS. */
static const struct {
	const char *name;
	uint32_t value;
} ret_names[] = {
	{ "RET_KILL", JITK_RET_KILL_THREAD },
	{ "RET_KILL_PROCESS", JITK_RET_KILL_PROCESS },
	{ "RET_KILL_THREAD", JITK_RET_KILL_THREAD },
	{ "RET_TRAP", JITK_RET_TRAP },
	{ "RET_ERRNO", JITK_RET_ERRNO },
	{ "RET_USER_NOTIF", JITK_RET_USER_NOTIF },
	{ "RET_TRACE", JITK_RET_TRACE },
	{ "RET_LOG", JITK_RET_LOG },
	{ "RET_ALLOW", JITK_RET_ALLOW },
	{ "RET_ACTION_FULL", JITK_RET_ACTION_FULL },
	{ "RET_DATA", JITK_RET_DATA },
};

static bool starts_with(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Hint for an unknown symbol: the closest RET_ name, errno name or syscall. */
static void hint_symbol(struct asm_ctx *a, const char *name)
{
	if (jitk_syscall_nr(JITK_ARCH_X86_64, name) >= 0) {
		diag_hint(a->d, "syscall numbers are written SYS_%s", name);
		return;
	}
	struct closest c;
	closest_init(&c, name, 3);
	for (size_t i = 0; i < sizeof ret_names / sizeof *ret_names; i++)
		closest_try(&c, ret_names[i].name);
	/* errno names all start with E; the scan is slow, so only for those. */
	for (int e = 1; name[0] == 'E' && e < 150; e++) {
		const char *en = jitk_errno_name(e);
		if (en)
			closest_try(&c, en);
	}
	if (c.best)
		diag_hint(a->d, "did you mean %s?", c.best);
	else
		diag_hint(a->d, "known names: RET_*, SYS_<syscall> (x86_64), errno names "
				"(EACCES), AUDIT_ARCH_* and other header constants");
}

/* The value of a symbolic name in an immediate. */
static jitk_err resolve_symbol(struct asm_ctx *a, const struct tok *t, uint32_t *out)
{
	char name[ASM_NAME_MAX];
	if (!asm_tok_str(a, t, name, sizeof name))
		return asm_err_tok(a, JITK_E_NAME, t, "unknown name '%.*s...'", tok_w(t), tok_p(a, t));
	const char *r = starts_with(name, "SECCOMP_RET_") ? name + 8 : name;
	for (size_t i = 0; i < sizeof ret_names / sizeof *ret_names; i++)
		if (strcmp(r, ret_names[i].name) == 0) {
			*out = ret_names[i].value;
			return JITK_OK;
		}
	if (starts_with(name, "SYS_") || starts_with(name, "__NR_")) {
		int nr = jitk_syscall_nr(JITK_ARCH_X86_64, name);
		if (nr >= 0) {
			*out = (uint32_t)nr;
			return JITK_OK;
		}
		asm_err_tok(a, JITK_E_NAME, t, "unknown x86_64 syscall '%s'", name);
		const char *s = jitk_syscall_suggest(JITK_ARCH_X86_64, name);
		if (s)
			diag_hint(a->d, "did you mean SYS_%s?", s);
		return JITK_E_NAME;
	}
	int e = jitk_errno_value(name);
	if (e >= 0) {
		*out = (uint32_t)e;
		return JITK_OK;
	}
	uint64_t v;
	if (jitk_const_value(name, &v)) {
		/* Negative constants come sign-extended; keep those that are
		 * 32-bit values either way. */
		if (v <= UINT32_MAX || v >= 0xffffffff80000000ull) {
			*out = (uint32_t)v;
			return JITK_OK;
		}
		asm_err_tok(a, JITK_E_RANGE, t, "constant %s = 0x%llx does not fit in 32 bits", name,
			    (unsigned long long)v);
		diag_hint(a->d, "k is an unsigned 32-bit value");
		return JITK_E_RANGE;
	}
	asm_err_tok(a, JITK_E_NAME, t, "unknown name '%s'", name);
	hint_symbol(a, name);
	return JITK_E_NAME;
}

static jitk_err parse_value(struct asm_ctx *a, uint32_t *out, int depth);

/* term = ["#"] ( number | "-" number | name | "(" value ")" ) */
static jitk_err parse_term(struct asm_ctx *a, uint32_t *out, int depth)
{
	jitk_err err;
	if (is_punct(&a->tok, '#') && (err = asm_lex(a)))
		return err;
	struct tok t = a->tok;
	if (t.kind == TK_NUM) {
		*out = t.num;
		return asm_lex(a);
	}
	if (is_punct(&t, '-')) {
		if ((err = asm_lex(a)))
			return err;
		struct tok nt = a->tok;
		if (nt.kind != TK_NUM)
			return asm_err_tok(a, JITK_E_PARSE, &nt, "expected a number after '-'");
		if (nt.num > 0x80000000u) {
			asm_err_at(a, JITK_E_RANGE, t.off, nt.off + nt.len - t.off,
				   "negative number -%u is below -2147483648", nt.num);
			diag_hint(a->d, "negative numbers are 32-bit two's complement: "
					"-2147483648..-1");
			return JITK_E_RANGE;
		}
		*out = (uint32_t)(0u - nt.num);
		return asm_lex(a);
	}
	if (t.kind == TK_IDENT) {
		if ((err = resolve_symbol(a, &t, out)))
			return err;
		return asm_lex(a);
	}
	if (is_punct(&t, '(')) {
		if (depth >= ASM_MAX_DEPTH)
			return asm_err_tok(a, JITK_E_PARSE, &t, "parentheses nested too deeply");
		if ((err = asm_lex(a)) || (err = parse_value(a, out, depth + 1)))
			return err;
		return asm_expect(a, ')', "to close '('");
	}
	if (at_eol(&t))
		return asm_err_tok(a, JITK_E_PARSE, &t, "expected a value, found %s", asm_tok_desc(&t));
	return asm_err_tok(a, JITK_E_PARSE, &t, "expected a value, found '%.*s'", tok_w(&t), tok_p(a, &t));
}

/* value = term { "|" term } */
static jitk_err parse_value(struct asm_ctx *a, uint32_t *out, int depth)
{
	jitk_err err = parse_term(a, out, depth);
	while (!err && is_punct(&a->tok, '|')) {
		uint32_t v;
		if ((err = asm_lex(a)) || (err = parse_term(a, &v, depth)))
			break;
		*out |= v;
	}
	return err;
}

/* A value with the span of its text, for range diagnostics. */
static jitk_err parse_value_at(struct asm_ctx *a, uint32_t *out, size_t *off, size_t *span)
{
	*off = a->tok.off;
	size_t before = a->tok.off;
	jitk_err err = parse_value(a, out, 0);
	if (err)
		return err;
	/* The token after the value starts past its end; trim trailing blanks. */
	size_t end = a->tok.off;
	while (end > before && (a->text[end - 1] == ' ' || a->text[end - 1] == '\t'))
		end--;
	*span = end > before ? end - before : 1;
	return JITK_OK;
}

/* ------------------------------------------------------------ seccomp_data */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ASM_LO_HALF 4u
#define ASM_HI_HALF 0u
#else
#define ASM_LO_HALF 0u
#define ASM_HI_HALF 4u
#endif

/* Symbolic offsets inside brackets: nr, arch, ip[.lo|.hi], args[i][.lo|.hi].
 * The current token is the name; on success the closing ']' is next. */
static jitk_err parse_symoff(struct asm_ctx *a, uint32_t *out)
{
	struct tok name = a->tok;
	jitk_err err;
	uint32_t base;
	if (asm_tok_is(a, &name, "nr")) {
		*out = (uint32_t)offsetof(struct seccomp_data, nr);
		return asm_lex(a);
	}
	if (asm_tok_is(a, &name, "arch")) {
		*out = (uint32_t)offsetof(struct seccomp_data, arch);
		return asm_lex(a);
	}
	if (asm_tok_is(a, &name, "ip") || asm_tok_is(a, &name, "instruction_pointer")) {
		base = (uint32_t)offsetof(struct seccomp_data, instruction_pointer);
		if ((err = asm_lex(a)))
			return err;
	} else {
		/* args[i] */
		if ((err = asm_lex(a)) || (err = asm_expect(a, '[', "after args")))
			return err;
		struct tok it = a->tok;
		if (it.kind != TK_NUM)
			return asm_err_tok(a, JITK_E_PARSE, &it, "expected an argument index 0..5");
		if (it.num > 5) {
			asm_err_tok(a, JITK_E_RANGE, &it, "argument index %u out of range 0..5", it.num);
			diag_hint(a->d, "a syscall has six arguments, args[0] to args[5]");
			return JITK_E_RANGE;
		}
		base = (uint32_t)offsetof(struct seccomp_data, args) + 8u * it.num;
		if ((err = asm_lex(a)) || (err = asm_expect(a, ']', "after the argument index")))
			return err;
	}
	/* The 64-bit fields are loaded 32 bits at a time: .lo (the default) or .hi. */
	if (asm_tok_is(a, &a->tok, ".hi")) {
		*out = base + ASM_HI_HALF;
		return asm_lex(a);
	}
	if (asm_tok_is(a, &a->tok, ".lo"))
		err = asm_lex(a);
	*out = base + ASM_LO_HALF;
	return err;
}

static bool is_symoff_name(const struct asm_ctx *a, const struct tok *t)
{
	return asm_tok_is(a, t, "nr") || asm_tok_is(a, t, "arch") || asm_tok_is(a, t, "ip") ||
	       asm_tok_is(a, t, "instruction_pointer") || asm_tok_is(a, t, "args");
}

/* -------------------------------------------------------------- operands */

/* True if the token t is followed (after blanks) by the character c. */
static bool followed_by(const struct asm_ctx *a, const struct tok *t, char c)
{
	size_t p = t->off + t->len;
	while (p < a->len && (a->text[p] == ' ' || a->text[p] == '\t'))
		p++;
	return p < a->len && a->text[p] == c;
}

struct opnd {
	enum insn_opnd shape;
	uint32_t k;
	size_t off, span;   /* the operand text */
	size_t koff, kspan; /* the k value, for range diagnostics */
};

/* The syntax of each operand shape, for messages. */
static const char *shape_syntax(enum insn_opnd s)
{
	switch (s) {
	case OPND_NONE: return "";
	case OPND_IMM: return "#k";
	case OPND_X: return "x";
	case OPND_A: return "a";
	case OPND_ABS: return "[k]";
	case OPND_IND: return "[x + k]";
	case OPND_MEM: return "M[k]";
	case OPND_LEN: return "#len";
	case OPND_MSH: return "4*([k]&0xf)";
	case OPND_JA: return "label";
	case OPND_JK: return "#k, Lt[, Lf]";
	case OPND_JX: return "x, Lt[, Lf]";
	}
	return "?";
}

/* Parse the operand of a non-jump instruction (or the comparand of a
 * conditional jump).  Shapes are syntactic; the table decides which
 * mnemonic takes which. */
static jitk_err parse_operand(struct asm_ctx *a, struct opnd *o)
{
	jitk_err err;
	struct tok t = a->tok;
	memset(o, 0, sizeof *o);
	o->off = t.off;
	o->span = t.len;
	if (at_eol(&t) || is_punct(&t, ',')) {
		o->shape = OPND_NONE;
		return JITK_OK;
	}
	if (is_punct(&t, '#')) {
		if ((err = asm_lex(a)))
			return err;
		if (asm_tok_is(a, &a->tok, "len")) {
			o->shape = OPND_LEN;
			o->span = a->tok.off + a->tok.len - t.off;
			return asm_lex(a);
		}
		o->shape = OPND_IMM;
		if ((err = parse_value_at(a, &o->k, &o->koff, &o->kspan)))
			return err;
		o->span = o->koff + o->kspan - t.off;
		return JITK_OK;
	}
	if (asm_tok_is(a, &t, "len")) {
		o->shape = OPND_LEN;
		return asm_lex(a);
	}
	if (asm_tok_is_x(a, &t)) {
		o->shape = OPND_X;
		return asm_lex(a);
	}
	if (asm_tok_is_a(a, &t)) {
		o->shape = OPND_A;
		return asm_lex(a);
	}
	if (asm_tok_is(a, &t, "m")) {
		if ((err = asm_lex(a)) || (err = asm_expect(a, '[', "after M")))
			return err;
		o->shape = OPND_MEM;
		if ((err = parse_value_at(a, &o->k, &o->koff, &o->kspan)) ||
		    (err = asm_expect(a, ']', "to close M[")))
			return err;
		o->span = o->koff + o->kspan + 1 - t.off;
		if (o->k >= INSN_MEMWORDS) {
			asm_err_at(a, JITK_E_RANGE, o->koff, o->kspan,
				   "scratch cell M[%u] out of range 0..%u", o->k, INSN_MEMWORDS - 1);
			diag_hint(a->d, "classic BPF has %u scratch cells, M[0] to M[%u]", INSN_MEMWORDS,
				  INSN_MEMWORDS - 1);
			return JITK_E_RANGE;
		}
		return JITK_OK;
	}
	if (is_punct(&t, '[')) {
		if ((err = asm_lex(a)))
			return err;
		if (asm_tok_is_x(a, &a->tok)) {
			o->shape = OPND_IND;
			if ((err = asm_lex(a)))
				return err;
			if (is_punct(&a->tok, '+')) {
				if ((err = asm_lex(a)) ||
				    (err = parse_value_at(a, &o->k, &o->koff, &o->kspan)))
					return err;
			}
		} else {
			o->shape = OPND_ABS;
			o->koff = a->tok.off;
			if (is_symoff_name(a, &a->tok)) {
				if ((err = parse_symoff(a, &o->k)))
					return err;
				o->kspan = a->tok.off - o->koff;
			} else if ((err = parse_value_at(a, &o->k, &o->koff, &o->kspan))) {
				return err;
			}
		}
		o->span = a->tok.off + 1 - t.off;
		return asm_expect(a, ']', "to close '['");
	}
	if (t.kind == TK_NUM && t.num == 4 && followed_by(a, &t, '*')) {
		/* 4*([k]&0xf) */
		if ((err = asm_lex(a)) || (err = asm_expect(a, '*', "in 4*([k]&0xf)")) ||
		    (err = asm_expect(a, '(', "in 4*([k]&0xf)")) ||
		    (err = asm_expect(a, '[', "in 4*([k]&0xf)")) ||
		    (err = parse_value_at(a, &o->k, &o->koff, &o->kspan)) ||
		    (err = asm_expect(a, ']', "in 4*([k]&0xf)")) ||
		    (err = asm_expect(a, '&', "in 4*([k]&0xf)")))
			return err;
		struct tok m = a->tok;
		if (m.kind != TK_NUM || m.num != 0xf)
			return asm_err_tok(a, JITK_E_PARSE, &m, "expected 0xf in 4*([k]&0xf)");
		if ((err = asm_lex(a)))
			return err;
		o->shape = OPND_MSH;
		o->span = a->tok.off + 1 - t.off;
		return asm_expect(a, ')', "to close 4*([k]&0xf)");
	}
	if (t.kind == TK_NUM) {
		asm_err_tok(a, JITK_E_PARSE, &t, "immediate without '#'");
		diag_hint(a->d, "write #%.*s", tok_w(&t), tok_p(a, &t));
		return JITK_E_PARSE;
	}
	if (at_eol(&t))
		return asm_err_tok(a, JITK_E_PARSE, &t, "expected an operand, found %s", asm_tok_desc(&t));
	return asm_err_tok(a, JITK_E_PARSE, &t, "expected an operand, found '%.*s'", tok_w(&t), tok_p(a, &t));
}

/* A jump target: a label name or a numeric offset (in source instructions). */
static jitk_err parse_target(struct asm_ctx *a, struct target *tg, bool cond)
{
	struct tok t = a->tok;
	memset(tg, 0, sizeof *tg);
	tg->off = t.off;
	tg->len = t.len;
	if (t.kind == TK_IDENT && a->text[t.off] != '%') {
		tg->kind = TGT_LABEL;
		return asm_lex(a);
	}
	if (t.kind == TK_NUM) {
		if (cond && t.num > 255) {
			asm_err_tok(a, JITK_E_RANGE, &t, "jump offset %u out of range 0..255", t.num);
			diag_hint(a->d, "jt and jf are 8 bits; jump to a label instead and the "
					"assembler inserts a ja trampoline");
			return JITK_E_RANGE;
		}
		tg->kind = TGT_NUM;
		tg->num = t.num;
		return asm_lex(a);
	}
	if (at_eol(&t))
		return asm_err_tok(a, JITK_E_PARSE, &t, "expected a jump target, found %s", asm_tok_desc(&t));
	return asm_err_tok(a, JITK_E_PARSE, &t, "expected a jump target (label or offset), found '%.*s'",
			   tok_w(&t), tok_p(a, &t));
}

/* ------------------------------------------------------------ mnemonics */

/* bpf_asm's pseudo-ops and aliases.  swap: the branches are exchanged
 * (jne = jeq with jt and jf swapped, jlt = jge swapped, jle = jgt swapped). */
static const struct {
	const char *alias, *base;
	bool swap;
} aliases[] = {
	{ "jmp", "ja", false }, { "jne", "jeq", true }, { "jneq", "jeq", true },
	{ "jlt", "jge", true }, { "jle", "jgt", true },
};

static bool mnemonic_known(const char *m)
{
	for (int op = 0; op < INSN__COUNT; op++)
		if (strcmp(insn_info[op].mnemonic, m) == 0)
			return true;
	return false;
}

static void hint_mnemonic(struct asm_ctx *a, const char *m)
{
	/* Mnemonics are short: allow one edit in short words, two in longer. */
	struct closest c;
	closest_init(&c, m, strlen(m) <= 3 ? 2 : 3);
	for (int op = 0; op < INSN__COUNT; op++)
		closest_try(&c, insn_info[op].mnemonic);
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
		closest_try(&c, aliases[i].alias);
	const char *best = c.best;
	/* Else the longest mnemonic the word starts with ("return" -> ret). */
	if (!best)
		for (int op = 0; op < INSN__COUNT; op++) {
			const char *mn = insn_info[op].mnemonic;
			if (strncmp(m, mn, strlen(mn)) == 0 && (!best || strlen(mn) > strlen(best)))
				best = mn;
		}
	if (best)
		diag_hint(a->d, "did you mean %s?", best);
	else
		diag_hint(a->d, "if '%s' is a label, it needs a colon: %s:", m, m);
}

/* "ld #k, ld [k], ..." for a mnemonic, from the table. */
static void hint_forms(struct asm_ctx *a, const char *m)
{
	char buf[200];
	size_t n = 0;
	buf[0] = '\0';
	for (int op = 0; op < INSN__COUNT; op++) {
		if (strcmp(insn_info[op].mnemonic, m) != 0)
			continue;
		int w = snprintf(buf + n, sizeof buf - n, "%s%s%s%s", n ? ", " : "", m,
				 insn_info[op].opnd == OPND_NONE ? "" : " ",
				 shape_syntax(insn_info[op].opnd));
		if (w < 0 || (size_t)w >= sizeof buf - n)
			break;
		n += (size_t)w;
	}
	diag_hint(a->d, "valid forms: %s", buf);
}

/* --------------------------------------------------------------- storage */

static jitk_err push_src(struct asm_ctx *a, const struct src_insn *s)
{
	if (a->nsrc >= ASM_MAX_INSNS) {
		asm_err_at(a, JITK_E_TOO_BIG, s->off, s->len, "more than %u instructions", ASM_MAX_INSNS);
		return JITK_E_TOO_BIG;
	}
	if (a->nsrc == a->capsrc) {
		size_t cap = a->capsrc ? a->capsrc * 2 : 64;
		struct src_insn *p = realloc(a->src, cap * sizeof *p);
		if (!p)
			return diag_err(a->d, JITK_E_NOMEM, "out of memory");
		a->src = p;
		a->capsrc = cap;
	}
	a->src[a->nsrc++] = *s;
	return JITK_OK;
}

static uint64_t hash_name(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The label named by text[off, off+n), or NULL. */
struct label *asm_find_label(const struct asm_ctx *a, size_t off, size_t n)
{
	if (!a->caphash)
		return NULL;
	size_t mask = a->caphash - 1;
	for (size_t i = (size_t)hash_name(a->text + off, n) & mask;; i = (i + 1) & mask) {
		size_t e = a->hash[i];
		if (!e)
			return NULL;
		struct label *l = &a->labels[e - 1];
		if (l->len == n && memcmp(a->text + l->off, a->text + off, n) == 0)
			return l;
	}
}

static void hash_insert(struct asm_ctx *a, size_t li)
{
	size_t mask = a->caphash - 1;
	const struct label *l = &a->labels[li];
	size_t i = (size_t)hash_name(a->text + l->off, l->len) & mask;
	while (a->hash[i])
		i = (i + 1) & mask;
	a->hash[i] = li + 1;
}

unsigned asm_line_of(const struct asm_ctx *a, size_t off)
{
	unsigned line = 1;
	for (size_t i = 0; i < off && i < a->len; i++)
		line += a->text[i] == '\n';
	return line;
}

static jitk_err define_label(struct asm_ctx *a, const struct tok *t)
{
	struct label *old = asm_find_label(a, t->off, t->len);
	if (old) {
		asm_err_tok(a, JITK_E_NAME, t, "duplicate label '%.*s'", tok_w(t), tok_p(a, t));
		diag_hint(a->d, "first defined on line %u", asm_line_of(a, old->off));
		return JITK_E_NAME;
	}
	if (a->nlabels == a->caplabels) {
		size_t cap = a->caplabels ? a->caplabels * 2 : 32;
		struct label *p = realloc(a->labels, cap * sizeof *p);
		if (!p)
			return diag_err(a->d, JITK_E_NOMEM, "out of memory");
		a->labels = p;
		a->caplabels = cap;
	}
	/* Keep the hash table at most half full. */
	if ((a->nlabels + 1) * 2 > a->caphash) {
		size_t cap = a->caphash ? a->caphash * 2 : 64;
		size_t *h = calloc(cap, sizeof *h);
		if (!h)
			return diag_err(a->d, JITK_E_NOMEM, "out of memory");
		free(a->hash);
		a->hash = h;
		a->caphash = cap;
		for (size_t i = 0; i < a->nlabels; i++)
			hash_insert(a, i);
	}
	a->labels[a->nlabels] = (struct label){ t->off, t->len, a->nsrc };
	hash_insert(a, a->nlabels);
	a->nlabels++;
	return JITK_OK;
}

/* ---------------------------------------------------------------- parser */

/* .insn code, jt, jf, k: the raw escape, taken as is. */
static jitk_err parse_raw(struct asm_ctx *a, struct src_insn *s)
{
	uint32_t v[4];
	static const uint32_t max[4] = { 0xffff, 0xff, 0xff, UINT32_MAX };
	static const char *const what[4] = { "code", "jt", "jf", "k" };
	jitk_err err;
	for (int i = 0; i < 4; i++) {
		if (i && (err = asm_expect(a, ',', "between .insn fields")))
			return err;
		size_t off, span;
		if ((err = parse_value_at(a, &v[i], &off, &span)))
			return err;
		if (v[i] > max[i]) {
			asm_err_at(a, JITK_E_RANGE, off, span, ".insn %s %u out of range 0..%u", what[i],
				   v[i], max[i]);
			diag_hint(a->d, ".insn takes code (16 bits), jt, jf (8 bits each), k (32 bits)");
			return JITK_E_RANGE;
		}
	}
	s->kind = SRC_RAW;
	s->ins = (jitk_insn){ (uint16_t)v[0], (uint8_t)v[1], (uint8_t)v[2], v[3] };
	return JITK_OK;
}

static jitk_err parse_insn(struct asm_ctx *a)
{
	struct tok mt = a->tok;
	struct src_insn s;
	jitk_err err;
	memset(&s, 0, sizeof s);
	s.off = mt.off;
	s.len = mt.len;

	char m[16];
	bool fits = asm_tok_str(a, &mt, m, sizeof m);
	for (size_t i = 0; fits && m[i]; i++)
		if (m[i] >= 'A' && m[i] <= 'Z')
			m[i] = (char)(m[i] - 'A' + 'a');
	if ((err = asm_lex(a)))
		return err;
	if (fits && strcmp(m, ".insn") == 0) {
		if ((err = parse_raw(a, &s)))
			return err;
		goto end;
	}
	bool swap = false;
	for (size_t i = 0; fits && i < sizeof aliases / sizeof *aliases; i++)
		if (strcmp(m, aliases[i].alias) == 0) {
			str_copy(m, sizeof m, aliases[i].base);
			swap = aliases[i].swap;
		}
	if (!fits || !mnemonic_known(m)) {
		asm_err_tok(a, JITK_E_PARSE, &mt, "unknown mnemonic '%.*s'", tok_w(&mt), tok_p(a, &mt));
		if (fits)
			hint_mnemonic(a, m);
		return JITK_E_PARSE;
	}

	/* Which family: unconditional jump, conditional jump, or the rest. */
	bool is_ja = false, is_cond = false;
	for (int op = 0; op < INSN__COUNT; op++)
		if (strcmp(insn_info[op].mnemonic, m) == 0) {
			is_ja |= insn_info[op].opnd == OPND_JA;
			is_cond |= insn_info[op].opnd == OPND_JK || insn_info[op].opnd == OPND_JX;
		}

	enum insn_opnd shape;
	struct opnd o;
	memset(&o, 0, sizeof o);
	if (is_ja) {
		s.kind = SRC_JA;
		shape = OPND_JA;
		if ((err = parse_target(a, &s.t[0], false)))
			return err;
	} else {
		if ((err = parse_operand(a, &o)))
			return err;
		shape = o.shape;
		if (is_cond) {
			if (shape == OPND_IMM)
				shape = OPND_JK;
			else if (shape == OPND_X)
				shape = OPND_JX;
			else {
				asm_err_at(a, JITK_E_PARSE, o.off, o.span, "%s compares A with #k or x", m);
				hint_forms(a, m);
				return JITK_E_PARSE;
			}
			s.kind = SRC_COND;
			struct target t1, t2;
			t2.kind = TGT_NEXT;
			t2.off = mt.off;
			t2.len = mt.len;
			if ((err = asm_expect(a, ',', "before the jump target")) ||
			    (err = parse_target(a, &t1, true)))
				return err;
			if (is_punct(&a->tok, ',')) {
				if ((err = asm_lex(a)) || (err = parse_target(a, &t2, true)))
					return err;
			}
			s.t[0] = swap ? t2 : t1;
			s.t[1] = swap ? t1 : t2;
		}
	}

	/* The opcode: the table row with this mnemonic and shape.  `ldx` also
	 * takes bpf_asm's 4*([k]&0xf), whose table mnemonic is ldxb. */
	int found = -1;
	for (int op = 0; op < INSN__COUNT; op++)
		if (insn_info[op].opnd == shape && (strcmp(insn_info[op].mnemonic, m) == 0 ||
						    (shape == OPND_MSH && strcmp(m, "ldx") == 0 &&
						     strcmp(insn_info[op].mnemonic, "ldxb") == 0)))
			found = op;
	if (found < 0) {
		size_t off = shape == OPND_NONE ? mt.off : o.off;
		size_t span = shape == OPND_NONE ? mt.len : o.span;
		if (strcmp(m, "ret") == 0 && shape == OPND_X) {
			asm_err_at(a, JITK_E_PARSE, off, span,
				   "'ret x' is not a classic BPF instruction (the kernel rejects RET|X)");
			diag_hint(a->d, "copy X to A and return A: txa then ret a");
			return JITK_E_PARSE;
		}
		if (shape == OPND_NONE)
			asm_err_at(a, JITK_E_PARSE, off, span, "%s needs an operand", m);
		else
			asm_err_at(a, JITK_E_PARSE, off, span, "%s does not take %s", m, shape_syntax(shape));
		hint_forms(a, m);
		return JITK_E_PARSE;
	}
	s.ins.code = insn_info[found].code;
	if (shape != OPND_JA && shape != OPND_JX)
		s.ins.k = o.k;
	if (shape == OPND_JX)
		s.ins.k = 0;
end:
	if (!at_eol(&a->tok)) {
		asm_err_tok(a, JITK_E_PARSE, &a->tok, "unexpected '%.*s' after the instruction",
			    tok_w(&a->tok), tok_p(a, &a->tok));
		diag_hint(a->d, "one instruction per line; comments start with ';' or '//'");
		return JITK_E_PARSE;
	}
	return push_src(a, &s);
}

static jitk_err parse_program(struct asm_ctx *a)
{
	jitk_err err = asm_lex(a);
	while (!err && a->tok.kind != TK_EOF) {
		/* labels: name ':' (several may precede one instruction) */
		while (!err && a->tok.kind == TK_IDENT && followed_by(a, &a->tok, ':')) {
			struct tok t = a->tok;
			if (a->text[t.off] == '%')
				return asm_err_tok(a, JITK_E_PARSE, &t, "a label cannot start with '%%'");
			if ((err = define_label(a, &t)) || (err = asm_lex(a)) || (err = asm_lex(a)))
				return err;
		}
		if (err)
			break;
		if (a->tok.kind == TK_IDENT) {
			err = parse_insn(a);
		} else if (!at_eol(&a->tok)) {
			if (a->tok.kind == TK_PUNCT && a->tok.c == '#')
				asm_err_tok(a, JITK_E_PARSE, &a->tok,
					    "expected an instruction or label, found '#'");
			else
				asm_err_tok(a, JITK_E_PARSE, &a->tok,
					    "expected an instruction or label, found '%.*s'",
					    tok_w(&a->tok), tok_p(a, &a->tok));
			if (a->tok.kind == TK_PUNCT && a->tok.c == '#')
				diag_hint(a->d, "comments start with ';' or '//'; '#' starts an immediate");
			return JITK_E_PARSE;
		}
		if (!err && a->tok.kind == TK_EOL)
			err = asm_lex(a);
	}
	return err;
}

jitk_err jitk_asm(const char *text, size_t len, const char *filename, jitk_filter **out, jitk_diag *d)
{
	if (!out || (!text && len))
		return diag_err(d, JITK_E_INVAL, "jitk_asm: NULL argument");
	*out = NULL;
	diag_clear(d);
	struct asm_ctx a;
	memset(&a, 0, sizeof a);
	a.text = text ? text : "";
	a.len = len;
	a.file = filename;
	a.d = d;
	size_t *pos = NULL;
	jitk_err err = parse_program(&a);
	if (!err)
		err = asm_resolve(&a);
	if (!err && a.nsrc == 0) {
		/* An empty program (the checker rejects it, but it round-trips).
		 * Handled apart: clang 14 -O2 miscompiles the general path for
		 * nsrc == 0 (GVN turns the load of pos[0] into undef). */
		jitk_filter *f = filter_alloc(0);
		if (!f)
			err = diag_err(d, JITK_E_NOMEM, "out of memory");
		*out = f;
		goto done;
	}
	if (!err) {
		pos = malloc((a.nsrc + 1) * sizeof *pos);
		err = pos ? asm_place_trampolines(&a, pos) : diag_err(d, JITK_E_NOMEM, "out of memory");
	}
	if (!err)
		err = asm_emit(&a, pos, out);
done:
	free(pos);
	free(a.src);
	free(a.labels);
	free(a.hash);
	return err;
}
