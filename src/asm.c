/*
 * asm.c - the classic BPF assembler (bpf_asm and Jitk paper syntax).
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
#include "internal.h"
#include "insn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Source instructions accepted before JITK_E_TOO_BIG: far above the kernel's
 * 4096 (the checker reports that), low enough to bound the work. */
#define ASM_MAX_INSNS 65536u
/* Nesting of parentheses in immediates, to bound recursion. */
#define ASM_MAX_DEPTH 16
/* Longest name looked up in the symbol tables. */
#define ASM_NAME_MAX 64

/* ------------------------------------------------------------------ lexer */

enum tok_kind { TK_EOF, TK_EOL, TK_IDENT, TK_NUM, TK_PUNCT };

struct tok {
	enum tok_kind kind;
	size_t off, len; /* where in the text (EOL: the newline or comment) */
	uint32_t num;    /* TK_NUM: the value */
	char c;          /* TK_PUNCT: the character */
};

enum tgt_kind { TGT_NEXT, TGT_LABEL, TGT_NUM };

struct target {
	enum tgt_kind kind;
	size_t off, len; /* the token, for diagnostics */
	uint32_t num;    /* TGT_NUM: offset counted in source instructions */
	size_t dest;     /* after resolution: source index of the target */
};

enum src_kind { SRC_PLAIN, SRC_RAW, SRC_JA, SRC_COND };

struct src_insn {
	jitk_insn ins;
	enum src_kind kind;
	struct target t[2]; /* SRC_JA: t[0]; SRC_COND: t[0] true, t[1] false */
	bool tramp[2];      /* SRC_COND: branch goes through a ja trampoline */
	size_t off, len;    /* the mnemonic, for diagnostics */
};

struct label {
	size_t off, len; /* the name in the text */
	size_t index;    /* source index of the instruction it marks */
};

struct asm_ctx {
	const char *text;
	size_t len;
	const char *file;
	jitk_diag *d;
	size_t pos;    /* lexer position */
	struct tok tok; /* current token */

	struct src_insn *src;
	size_t nsrc, capsrc;
	struct label *labels;
	size_t nlabels, caplabels;
	size_t *hash; /* open addressing over labels, entries are index + 1 */
	size_t caphash;
};

static jitk_err err_at(struct asm_ctx *a, jitk_err err, size_t off, size_t span,
		       const char *fmt, ...) JITK_PRINTF(5, 6);

static jitk_err err_at(struct asm_ctx *a, jitk_err err, size_t off, size_t span,
		       const char *fmt, ...)
{
	char msg[sizeof a->d->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return diag_text(a->d, err, a->file, a->text, a->len, off, span ? span : 1, "%s", msg);
}

static jitk_err err_tok(struct asm_ctx *a, jitk_err err, const struct tok *t,
			const char *fmt, ...) JITK_PRINTF(4, 5);

static jitk_err err_tok(struct asm_ctx *a, jitk_err err, const struct tok *t,
			const char *fmt, ...)
{
	char msg[sizeof a->d->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_at(a, err, t->off, t->len, "%s", msg);
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* A printable rendering of a token for messages: at most 32 characters. */
static int tok_w(const struct tok *t)
{
	return t->len > 32 ? 32 : (int)t->len;
}

static const char *tok_p(const struct asm_ctx *a, const struct tok *t)
{
	return a->text + t->off;
}

static const char *tok_desc(const struct tok *t)
{
	switch (t->kind) {
	case TK_EOF: return "end of input";
	case TK_EOL: return "end of line";
	case TK_NUM: return "number";
	case TK_IDENT: return "name";
	default: return "symbol";
	}
}

/* Parse a number lexeme: decimal, 0x hex, 0 octal.  Values above 2^32-1 are
 * JITK_E_RANGE; stray letters or digits are JITK_E_PARSE. */
static jitk_err lex_number(struct asm_ctx *a, size_t start, size_t end)
{
	const char *s = a->text + start;
	size_t n = end - start, i = 0;
	unsigned base = 10;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
		if (n == 2)
			return err_at(a, JITK_E_PARSE, start, n, "malformed number '%.*s'",
				      (int)(n > 32 ? 32 : n), s);
	} else if (n >= 2 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	uint64_t v = 0;
	bool big = false;
	for (; i < n; i++) {
		char c = s[i];
		unsigned dig;
		if (c >= '0' && c <= '9')
			dig = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			dig = (unsigned)(c - 'a') + 10;
		else if (c >= 'A' && c <= 'F')
			dig = (unsigned)(c - 'A') + 10;
		else
			dig = 99;
		if (dig >= base) {
			err_at(a, JITK_E_PARSE, start, n, "malformed %s number '%.*s'",
			       base == 16 ? "hexadecimal" : base == 8 ? "octal" : "decimal",
			       (int)(n > 32 ? 32 : n), s);
			if (base == 8 && dig < 10)
				diag_hint(a->d, "a leading 0 makes the number octal; drop it for decimal");
			return JITK_E_PARSE;
		}
		v = v * base + dig;
		if (v > UINT32_MAX) {
			big = true;
			v = UINT32_MAX; /* keep scanning for malformed digits */
		}
	}
	if (big) {
		err_at(a, JITK_E_RANGE, start, n, "number '%.*s' does not fit in 32 bits",
		       (int)(n > 32 ? 32 : n), s);
		diag_hint(a->d, "k is an unsigned 32-bit value: 0..4294967295 (0xffffffff), "
			  "or -2147483648..-1");
		return JITK_E_RANGE;
	}
	a->tok.num = (uint32_t)v;
	return JITK_OK;
}

/* Read the next token into a->tok. */
static jitk_err lex(struct asm_ctx *a)
{
	const char *t = a->text;
	size_t n = a->len, p = a->pos;
	for (;;) {
		while (p < n && (t[p] == ' ' || t[p] == '\t' || t[p] == '\r' || t[p] == '\f' ||
				 t[p] == '\v'))
			p++;
		/* Comments: ';' or '//' to the end of the line.  ('#' starts an
		 * immediate, so it cannot be a comment character.) */
		if (p < n && (t[p] == ';' || (t[p] == '/' && p + 1 < n && t[p + 1] == '/'))) {
			while (p < n && t[p] != '\n')
				p++;
		}
		break;
	}
	struct tok *k = &a->tok;
	memset(k, 0, sizeof *k);
	k->off = p;
	k->len = 1;
	if (p >= n) {
		k->kind = TK_EOF;
		k->len = 1;
		a->pos = p;
		return JITK_OK;
	}
	char c = t[p];
	if (c == '\n') {
		k->kind = TK_EOL;
		a->pos = p + 1;
		return JITK_OK;
	}
	if (is_alpha(c) || c == '.' || c == '%') {
		size_t e = p + 1;
		while (e < n && is_alnum(t[e]))
			e++;
		k->kind = TK_IDENT;
		k->len = e - p;
		a->pos = e;
		return JITK_OK;
	}
	if (is_digit(c)) {
		size_t e = p + 1;
		while (e < n && is_alnum(t[e]))
			e++;
		k->kind = TK_NUM;
		k->len = e - p;
		a->pos = e;
		return lex_number(a, p, e);
	}
	if (strchr("#,:[]()+*&|-", c)) {
		k->kind = TK_PUNCT;
		k->c = c;
		a->pos = p + 1;
		return JITK_OK;
	}
	if ((unsigned char)c >= 0x21 && (unsigned char)c < 0x7f)
		return err_at(a, JITK_E_PARSE, p, 1, "unexpected character '%c'", c);
	return err_at(a, JITK_E_PARSE, p, 1, "unexpected byte 0x%02x", (unsigned char)c);
}

static bool is_punct(const struct tok *t, char c)
{
	return t->kind == TK_PUNCT && t->c == c;
}

static bool at_eol(const struct tok *t)
{
	return t->kind == TK_EOL || t->kind == TK_EOF;
}

/* Case-insensitive comparison of an identifier token with a word. */
static bool tok_is(const struct asm_ctx *a, const struct tok *t, const char *w)
{
	if (t->kind != TK_IDENT || t->len != strlen(w))
		return false;
	for (size_t i = 0; i < t->len; i++) {
		char c = a->text[t->off + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return false;
	}
	return true;
}

static bool tok_is_x(const struct asm_ctx *a, const struct tok *t)
{
	return tok_is(a, t, "x") || tok_is(a, t, "%x");
}

static bool tok_is_a(const struct asm_ctx *a, const struct tok *t)
{
	return tok_is(a, t, "a") || tok_is(a, t, "%a");
}

/* Copy a token into a NUL-terminated buffer; false if it does not fit. */
static bool tok_str(const struct asm_ctx *a, const struct tok *t, char *buf, size_t cap)
{
	if (t->len >= cap)
		return false;
	memcpy(buf, a->text + t->off, t->len);
	buf[t->len] = '\0';
	return true;
}

static jitk_err expect(struct asm_ctx *a, char c, const char *after)
{
	if (!is_punct(&a->tok, c)) {
		if (at_eol(&a->tok))
			return err_tok(a, JITK_E_PARSE, &a->tok, "expected '%c' %s, found %s", c,
				       after, tok_desc(&a->tok));
		return err_tok(a, JITK_E_PARSE, &a->tok, "expected '%c' %s, found '%.*s'", c,
			       after, tok_w(&a->tok), tok_p(a, &a->tok));
	}
	return lex(a);
}

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
	const char *best = NULL;
	size_t bestd = 3;
	for (size_t i = 0; i < sizeof ret_names / sizeof *ret_names; i++) {
		size_t dd = edit_distance(name, ret_names[i].name);
		if (dd < bestd) {
			bestd = dd;
			best = ret_names[i].name;
		}
	}
	/* errno names all start with E; the scan is slow, so only for those. */
	for (int e = 1; name[0] == 'E' && e < 150; e++) {
		const char *en = jitk_errno_name(e);
		if (!en)
			continue;
		size_t dd = edit_distance(name, en);
		if (dd < bestd) {
			bestd = dd;
			best = en;
		}
	}
	if (best)
		diag_hint(a->d, "did you mean %s?", best);
	else
		diag_hint(a->d, "known names: RET_*, SYS_<syscall> (x86_64), errno names "
			  "(EACCES), AUDIT_ARCH_* and other header constants");
}

/* The value of a symbolic name in an immediate. */
static jitk_err resolve_symbol(struct asm_ctx *a, const struct tok *t, uint32_t *out)
{
	char name[ASM_NAME_MAX];
	if (!tok_str(a, t, name, sizeof name))
		return err_tok(a, JITK_E_NAME, t, "unknown name '%.*s...'", tok_w(t), tok_p(a, t));
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
		err_tok(a, JITK_E_NAME, t, "unknown x86_64 syscall '%s'", name);
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
		err_tok(a, JITK_E_RANGE, t, "constant %s = 0x%llx does not fit in 32 bits", name,
			(unsigned long long)v);
		diag_hint(a->d, "k is an unsigned 32-bit value");
		return JITK_E_RANGE;
	}
	err_tok(a, JITK_E_NAME, t, "unknown name '%s'", name);
	hint_symbol(a, name);
	return JITK_E_NAME;
}

static jitk_err parse_value(struct asm_ctx *a, uint32_t *out, int depth);

/* term = ["#"] ( number | "-" number | name | "(" value ")" ) */
static jitk_err parse_term(struct asm_ctx *a, uint32_t *out, int depth)
{
	jitk_err err;
	if (is_punct(&a->tok, '#') && (err = lex(a)))
		return err;
	struct tok t = a->tok;
	if (t.kind == TK_NUM) {
		*out = t.num;
		return lex(a);
	}
	if (is_punct(&t, '-')) {
		if ((err = lex(a)))
			return err;
		struct tok nt = a->tok;
		if (nt.kind != TK_NUM)
			return err_tok(a, JITK_E_PARSE, &nt, "expected a number after '-'");
		if (nt.num > 0x80000000u) {
			err_at(a, JITK_E_RANGE, t.off, nt.off + nt.len - t.off,
			       "negative number -%u is below -2147483648", nt.num);
			diag_hint(a->d, "negative numbers are 32-bit two's complement: "
				  "-2147483648..-1");
			return JITK_E_RANGE;
		}
		*out = (uint32_t)(0u - nt.num);
		return lex(a);
	}
	if (t.kind == TK_IDENT) {
		if ((err = resolve_symbol(a, &t, out)))
			return err;
		return lex(a);
	}
	if (is_punct(&t, '(')) {
		if (depth >= ASM_MAX_DEPTH)
			return err_tok(a, JITK_E_PARSE, &t, "parentheses nested too deeply");
		if ((err = lex(a)) || (err = parse_value(a, out, depth + 1)))
			return err;
		return expect(a, ')', "to close '('");
	}
	if (at_eol(&t))
		return err_tok(a, JITK_E_PARSE, &t, "expected a value, found %s", tok_desc(&t));
	return err_tok(a, JITK_E_PARSE, &t, "expected a value, found '%.*s'", tok_w(&t),
		       tok_p(a, &t));
}

/* value = term { "|" term } */
static jitk_err parse_value(struct asm_ctx *a, uint32_t *out, int depth)
{
	jitk_err err = parse_term(a, out, depth);
	while (!err && is_punct(&a->tok, '|')) {
		uint32_t v;
		if ((err = lex(a)) || (err = parse_term(a, &v, depth)))
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
	if (tok_is(a, &name, "nr")) {
		*out = (uint32_t)offsetof(struct seccomp_data, nr);
		return lex(a);
	}
	if (tok_is(a, &name, "arch")) {
		*out = (uint32_t)offsetof(struct seccomp_data, arch);
		return lex(a);
	}
	if (tok_is(a, &name, "ip") || tok_is(a, &name, "instruction_pointer")) {
		base = (uint32_t)offsetof(struct seccomp_data, instruction_pointer);
		if ((err = lex(a)))
			return err;
	} else {
		/* args[i] */
		if ((err = lex(a)) || (err = expect(a, '[', "after args")))
			return err;
		struct tok it = a->tok;
		if (it.kind != TK_NUM)
			return err_tok(a, JITK_E_PARSE, &it, "expected an argument index 0..5");
		if (it.num > 5) {
			err_tok(a, JITK_E_RANGE, &it, "argument index %u out of range 0..5", it.num);
			diag_hint(a->d, "a syscall has six arguments, args[0] to args[5]");
			return JITK_E_RANGE;
		}
		base = (uint32_t)offsetof(struct seccomp_data, args) + 8u * it.num;
		if ((err = lex(a)) || (err = expect(a, ']', "after the argument index")))
			return err;
	}
	/* The 64-bit fields are loaded 32 bits at a time: .lo (the default) or .hi. */
	if (tok_is(a, &a->tok, ".hi")) {
		*out = base + ASM_HI_HALF;
		return lex(a);
	}
	if (tok_is(a, &a->tok, ".lo"))
		err = lex(a);
	*out = base + ASM_LO_HALF;
	return err;
}

static bool is_symoff_name(const struct asm_ctx *a, const struct tok *t)
{
	return tok_is(a, t, "nr") || tok_is(a, t, "arch") || tok_is(a, t, "ip") ||
	       tok_is(a, t, "instruction_pointer") || tok_is(a, t, "args");
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
	size_t off, span; /* the operand text */
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
		if ((err = lex(a)))
			return err;
		if (tok_is(a, &a->tok, "len")) {
			o->shape = OPND_LEN;
			o->span = a->tok.off + a->tok.len - t.off;
			return lex(a);
		}
		o->shape = OPND_IMM;
		if ((err = parse_value_at(a, &o->k, &o->koff, &o->kspan)))
			return err;
		o->span = o->koff + o->kspan - t.off;
		return JITK_OK;
	}
	if (tok_is(a, &t, "len")) {
		o->shape = OPND_LEN;
		return lex(a);
	}
	if (tok_is_x(a, &t)) {
		o->shape = OPND_X;
		return lex(a);
	}
	if (tok_is_a(a, &t)) {
		o->shape = OPND_A;
		return lex(a);
	}
	if (tok_is(a, &t, "m")) {
		if ((err = lex(a)) || (err = expect(a, '[', "after M")))
			return err;
		o->shape = OPND_MEM;
		if ((err = parse_value_at(a, &o->k, &o->koff, &o->kspan)) ||
		    (err = expect(a, ']', "to close M[")))
			return err;
		o->span = o->koff + o->kspan + 1 - t.off;
		if (o->k >= INSN_MEMWORDS) {
			err_at(a, JITK_E_RANGE, o->koff, o->kspan,
			       "scratch cell M[%u] out of range 0..%u", o->k, INSN_MEMWORDS - 1);
			diag_hint(a->d, "classic BPF has %u scratch cells, M[0] to M[%u]",
				  INSN_MEMWORDS, INSN_MEMWORDS - 1);
			return JITK_E_RANGE;
		}
		return JITK_OK;
	}
	if (is_punct(&t, '[')) {
		if ((err = lex(a)))
			return err;
		if (tok_is_x(a, &a->tok)) {
			o->shape = OPND_IND;
			if ((err = lex(a)))
				return err;
			if (is_punct(&a->tok, '+')) {
				if ((err = lex(a)) ||
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
		return expect(a, ']', "to close '['");
	}
	if (t.kind == TK_NUM && t.num == 4 && followed_by(a, &t, '*')) {
		/* 4*([k]&0xf) */
		if ((err = lex(a)) || (err = expect(a, '*', "in 4*([k]&0xf)")) ||
		    (err = expect(a, '(', "in 4*([k]&0xf)")) ||
		    (err = expect(a, '[', "in 4*([k]&0xf)")) ||
		    (err = parse_value_at(a, &o->k, &o->koff, &o->kspan)) ||
		    (err = expect(a, ']', "in 4*([k]&0xf)")) ||
		    (err = expect(a, '&', "in 4*([k]&0xf)")))
			return err;
		struct tok m = a->tok;
		if (m.kind != TK_NUM || m.num != 0xf)
			return err_tok(a, JITK_E_PARSE, &m, "expected 0xf in 4*([k]&0xf)");
		if ((err = lex(a)))
			return err;
		o->shape = OPND_MSH;
		o->span = a->tok.off + 1 - t.off;
		return expect(a, ')', "to close 4*([k]&0xf)");
	}
	if (t.kind == TK_NUM) {
		err_tok(a, JITK_E_PARSE, &t, "immediate without '#'");
		diag_hint(a->d, "write #%.*s", tok_w(&t), tok_p(a, &t));
		return JITK_E_PARSE;
	}
	if (at_eol(&t))
		return err_tok(a, JITK_E_PARSE, &t, "expected an operand, found %s", tok_desc(&t));
	return err_tok(a, JITK_E_PARSE, &t, "expected an operand, found '%.*s'", tok_w(&t),
		       tok_p(a, &t));
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
		return lex(a);
	}
	if (t.kind == TK_NUM) {
		if (cond && t.num > 255) {
			err_tok(a, JITK_E_RANGE, &t, "jump offset %u out of range 0..255", t.num);
			diag_hint(a->d, "jt and jf are 8 bits; jump to a label instead and the "
				  "assembler inserts a ja trampoline");
			return JITK_E_RANGE;
		}
		tg->kind = TGT_NUM;
		tg->num = t.num;
		return lex(a);
	}
	if (at_eol(&t))
		return err_tok(a, JITK_E_PARSE, &t, "expected a jump target, found %s", tok_desc(&t));
	return err_tok(a, JITK_E_PARSE, &t, "expected a jump target (label or offset), found '%.*s'",
		       tok_w(&t), tok_p(a, &t));
}

/* ------------------------------------------------------------ mnemonics */

/* bpf_asm's pseudo-ops and aliases.  swap: the branches are exchanged
 * (jne = jeq with jt and jf swapped, jlt = jge swapped, jle = jgt swapped). */
static const struct {
	const char *alias, *base;
	bool swap;
} aliases[] = {
	{ "jmp", "ja", false },
	{ "jne", "jeq", true },
	{ "jneq", "jeq", true },
	{ "jlt", "jge", true },
	{ "jle", "jgt", true },
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
	const char *best = NULL;
	size_t bestd = strlen(m) <= 3 ? 2 : 3;
	for (int op = 0; op < INSN__COUNT; op++) {
		size_t dd = edit_distance(m, insn_info[op].mnemonic);
		if (dd < bestd) {
			bestd = dd;
			best = insn_info[op].mnemonic;
		}
	}
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
		size_t dd = edit_distance(m, aliases[i].alias);
		if (dd < bestd) {
			bestd = dd;
			best = aliases[i].alias;
		}
	}
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
		err_at(a, JITK_E_TOO_BIG, s->off, s->len, "more than %u instructions",
		       ASM_MAX_INSNS);
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
static struct label *find_label(const struct asm_ctx *a, size_t off, size_t n)
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

static unsigned line_of(const struct asm_ctx *a, size_t off)
{
	unsigned line = 1;
	for (size_t i = 0; i < off && i < a->len; i++)
		line += a->text[i] == '\n';
	return line;
}

static jitk_err define_label(struct asm_ctx *a, const struct tok *t)
{
	struct label *old = find_label(a, t->off, t->len);
	if (old) {
		err_tok(a, JITK_E_NAME, t, "duplicate label '%.*s'", tok_w(t), tok_p(a, t));
		diag_hint(a->d, "first defined on line %u", line_of(a, old->off));
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
		if (i && (err = expect(a, ',', "between .insn fields")))
			return err;
		size_t off, span;
		if ((err = parse_value_at(a, &v[i], &off, &span)))
			return err;
		if (v[i] > max[i]) {
			err_at(a, JITK_E_RANGE, off, span, ".insn %s %u out of range 0..%u",
			       what[i], v[i], max[i]);
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
	bool fits = tok_str(a, &mt, m, sizeof m);
	for (size_t i = 0; fits && m[i]; i++)
		if (m[i] >= 'A' && m[i] <= 'Z')
			m[i] = (char)(m[i] - 'A' + 'a');
	if ((err = lex(a)))
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
		err_tok(a, JITK_E_PARSE, &mt, "unknown mnemonic '%.*s'", tok_w(&mt), tok_p(a, &mt));
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
				err_at(a, JITK_E_PARSE, o.off, o.span,
				       "%s compares A with #k or x", m);
				hint_forms(a, m);
				return JITK_E_PARSE;
			}
			s.kind = SRC_COND;
			struct target t1, t2;
			t2.kind = TGT_NEXT;
			t2.off = mt.off;
			t2.len = mt.len;
			if ((err = expect(a, ',', "before the jump target")) ||
			    (err = parse_target(a, &t1, true)))
				return err;
			if (is_punct(&a->tok, ',')) {
				if ((err = lex(a)) || (err = parse_target(a, &t2, true)))
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
		if (insn_info[op].opnd == shape &&
		    (strcmp(insn_info[op].mnemonic, m) == 0 ||
		     (shape == OPND_MSH && strcmp(m, "ldx") == 0 &&
		      strcmp(insn_info[op].mnemonic, "ldxb") == 0)))
			found = op;
	if (found < 0) {
		size_t off = shape == OPND_NONE ? mt.off : o.off;
		size_t span = shape == OPND_NONE ? mt.len : o.span;
		if (strcmp(m, "ret") == 0 && shape == OPND_X) {
			err_at(a, JITK_E_PARSE, off, span,
			       "'ret x' is not a classic BPF instruction (the kernel rejects RET|X)");
			diag_hint(a->d, "copy X to A and return A: txa then ret a");
			return JITK_E_PARSE;
		}
		if (shape == OPND_NONE)
			err_at(a, JITK_E_PARSE, off, span, "%s needs an operand", m);
		else
			err_at(a, JITK_E_PARSE, off, span, "%s does not take %s", m,
			       shape_syntax(shape));
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
		err_tok(a, JITK_E_PARSE, &a->tok, "unexpected '%.*s' after the instruction",
			tok_w(&a->tok), tok_p(a, &a->tok));
		diag_hint(a->d, "one instruction per line; comments start with ';' or '//'");
		return JITK_E_PARSE;
	}
	return push_src(a, &s);
}


static jitk_err parse_program(struct asm_ctx *a)
{
	jitk_err err = lex(a);
	while (!err && a->tok.kind != TK_EOF) {
		/* labels: name ':' (several may precede one instruction) */
		while (!err && a->tok.kind == TK_IDENT && followed_by(a, &a->tok, ':')) {
			struct tok t = a->tok;
			if (a->text[t.off] == '%')
				return err_tok(a, JITK_E_PARSE, &t, "a label cannot start with '%%'");
			if ((err = define_label(a, &t)) || (err = lex(a)) || (err = lex(a)))
				return err;
		}
		if (err)
			break;
		if (a->tok.kind == TK_IDENT) {
			err = parse_insn(a);
		} else if (!at_eol(&a->tok)) {
			if (a->tok.kind == TK_PUNCT && a->tok.c == '#')
				err_tok(a, JITK_E_PARSE, &a->tok,
					"expected an instruction or label, found '#'");
			else
				err_tok(a, JITK_E_PARSE, &a->tok,
					"expected an instruction or label, found '%.*s'",
					tok_w(&a->tok), tok_p(a, &a->tok));
			if (a->tok.kind == TK_PUNCT && a->tok.c == '#')
				diag_hint(a->d, "comments start with ';' or '//'; '#' starts an immediate");
			return JITK_E_PARSE;
		}
		if (!err && a->tok.kind == TK_EOL)
			err = lex(a);
	}
	return err;
}

/* -------------------------------------------------------------- resolver */

static void hint_label(struct asm_ctx *a, const struct target *t)
{
	const char *best = NULL;
	size_t bestn = 0, bestd = 3;
	char want[ASM_NAME_MAX], have[ASM_NAME_MAX];
	if (t->len >= sizeof want)
		return;
	memcpy(want, a->text + t->off, t->len);
	want[t->len] = '\0';
	for (size_t i = 0; i < a->nlabels; i++) {
		const struct label *l = &a->labels[i];
		if (l->len >= sizeof have)
			continue;
		memcpy(have, a->text + l->off, l->len);
		have[l->len] = '\0';
		size_t dd = edit_distance(want, have);
		if (dd < bestd) {
			bestd = dd;
			best = a->text + l->off;
			bestn = l->len;
		}
	}
	if (best)
		diag_hint(a->d, "did you mean %.*s?", (int)bestn, best);
	else
		diag_hint(a->d, "define it with '%s:' before the instruction to jump to", want);
}

/* Turn every target into a source index, forward and inside the program. */
static jitk_err resolve(struct asm_ctx *a)
{
	for (size_t p = 0; p < a->nsrc; p++) {
		struct src_insn *s = &a->src[p];
		int nt = s->kind == SRC_JA ? 1 : s->kind == SRC_COND ? 2 : 0;
		for (int i = 0; i < nt; i++) {
			struct target *t = &s->t[i];
			uint64_t dest;
			const struct label *l = NULL;
			switch (t->kind) {
			case TGT_NEXT:
				dest = p + 1;
				break;
			case TGT_NUM:
				dest = (uint64_t)p + 1 + t->num;
				break;
			default:
				l = find_label(a, t->off, t->len);
				if (!l) {
					err_at(a, JITK_E_NAME, t->off, t->len, "undefined label '%.*s'",
					       t->len > 64 ? 64 : (int)t->len, a->text + t->off);
					hint_label(a, t);
					return JITK_E_NAME;
				}
				dest = l->index;
				break;
			}
			if (dest <= p) {
				err_at(a, JITK_E_RANGE, t->off, t->len,
				       "backward jump to '%.*s' (line %u)",
				       t->len > 64 ? 64 : (int)t->len, a->text + t->off,
				       line_of(a, l ? l->off : t->off));
				diag_hint(a->d, "classic BPF jumps go forward only");
				return JITK_E_RANGE;
			}
			if (dest >= a->nsrc) {
				if (t->kind == TGT_NEXT)
					err_at(a, JITK_E_RANGE, t->off, t->len,
					       "the fall-through branch leaves the program");
				else
					err_at(a, JITK_E_RANGE, t->off, t->len,
					       "jump to '%.*s' lands past the last instruction",
					       t->len > 64 ? 64 : (int)t->len, a->text + t->off);
				diag_hint(a->d, "a program ends with ret; every jump must land on "
					  "an instruction");
				return JITK_E_RANGE;
			}
			t->dest = (size_t)dest;
		}
	}
	return JITK_OK;
}

/* Final index of every source instruction under the current trampoline
 * choices; pos[nsrc] is the total length. */
static void layout(const struct asm_ctx *a, size_t *pos)
{
	size_t at = 0;
	for (size_t p = 0; p < a->nsrc; p++) {
		pos[p] = at;
		at += 1u + a->src[p].tramp[0] + a->src[p].tramp[1];
	}
	pos[a->nsrc] = at;
}

/*
 * Long conditional jumps.  jt and jf are 8 bits, so a branch can reach at
 * most 255 instructions past the next one.  A branch that is farther goes
 * through a `ja` placed right after the conditional jump (true branch first,
 * then false): the conditional jump reaches its trampoline with offset 0 or
 * 1, and the ja's 32-bit k reaches anything.  Inserting a trampoline only
 * lengthens distances, so the set of trampolines only grows and the loop
 * reaches a fixed point in at most 2 * (number of jumps) rounds.
 */
static jitk_err place_trampolines(struct asm_ctx *a, size_t *pos)
{
	for (;;) {
		layout(a, pos);
		bool changed = false;
		for (size_t p = 0; p < a->nsrc; p++) {
			struct src_insn *s = &a->src[p];
			if (s->kind != SRC_COND)
				continue;
			for (int i = 0; i < 2; i++)
				if (!s->tramp[i] && pos[s->t[i].dest] - pos[p] - 1 > 255) {
					s->tramp[i] = true;
					changed = true;
				}
		}
		if (!changed)
			break;
	}
	/* Raw .insn jumps keep their offsets; refuse if a trampoline now sits
	 * between one and its target, since that would change its meaning. */
	if (pos[a->nsrc] == a->nsrc)
		return JITK_OK;
	for (size_t p = 0; p < a->nsrc; p++) {
		const struct src_insn *s = &a->src[p];
		if (s->kind != SRC_RAW || !INSN_IS_JUMP(s->ins.code))
			continue;
		uint64_t reach = BPF_OP(s->ins.code) == BPF_JA ? s->ins.k
			       : (s->ins.jt > s->ins.jf ? s->ins.jt : s->ins.jf);
		/* Source instructions p+1 .. up to p+reach+1 must not have moved
		 * relative to p. */
		for (size_t q = p + 1; q < a->nsrc && q - p <= reach + 1; q++)
			if (pos[q] - pos[p] != q - p) {
				err_at(a, JITK_E_RANGE, s->off, s->len,
				       "a ja trampoline was inserted inside the range of this raw jump");
				diag_hint(a->d, "write the jump with a mnemonic and labels so the "
					  "assembler can adjust it");
				return JITK_E_RANGE;
			}
	}
	return JITK_OK;
}

static jitk_err emit(struct asm_ctx *a, const size_t *pos, jitk_filter **out)
{
	size_t n = pos[a->nsrc];
	jitk_filter *f = filter_alloc(n);
	if (!f)
		return diag_err(a->d, JITK_E_NOMEM, "out of memory");
	for (size_t p = 0; p < a->nsrc; p++) {
		const struct src_insn *s = &a->src[p];
		size_t at = pos[p];
		jitk_insn in = s->ins;
		if (s->kind == SRC_JA) {
			in.k = (uint32_t)(pos[s->t[0].dest] - at - 1);
		} else if (s->kind == SRC_COND) {
			size_t tr = at + 1; /* next trampoline slot */
			size_t off[2];
			for (int i = 0; i < 2; i++) {
				if (s->tramp[i]) {
					f->insns[tr] = (jitk_insn){ BPF_JMP | BPF_JA, 0, 0,
								    (uint32_t)(pos[s->t[i].dest] - tr - 1) };
					off[i] = tr - at - 1;
					tr++;
				} else {
					off[i] = pos[s->t[i].dest] - at - 1;
				}
			}
			in.jt = (uint8_t)off[0];
			in.jf = (uint8_t)off[1];
		}
		f->insns[at] = in;
	}
	*out = f;
	return JITK_OK;
}

jitk_err jitk_asm(const char *text, size_t len, const char *filename, jitk_filter **out,
		  jitk_diag *d)
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
		err = resolve(&a);
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
		err = pos ? place_trampolines(&a, pos) : diag_err(d, JITK_E_NOMEM, "out of memory");
	}
	if (!err)
		err = emit(&a, pos, out);
done:
	free(pos);
	free(a.src);
	free(a.labels);
	free(a.hash);
	return err;
}
