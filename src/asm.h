/*
 * asm.h - what the assembler's three stages share (docs/asm.md):
 *   asm_lex.c     tokens of one line, located errors
 *   asm.c         the parser: lines to source instructions, symbols, entry
 *   asm_layout.c  targets to indexes, ja trampolines, the final program
 * Nothing outside the assembler includes it.
 */
#ifndef JITK_ASM_H
#define JITK_ASM_H

#include "internal.h"
#include "insn.h"

/* Source instructions accepted before JITK_E_TOO_BIG: far above the kernel's
 * 4096 (the checker reports that), low enough to bound the work. */
#define ASM_MAX_INSNS 65536u
/* Nesting of parentheses in immediates, to bound recursion. */
#define ASM_MAX_DEPTH 16
/* Longest name looked up in the symbol tables. */
#define ASM_NAME_MAX 64

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
	size_t pos;     /* lexer position */
	struct tok tok; /* current token */

	struct src_insn *src;
	size_t nsrc, capsrc;
	struct label *labels;
	size_t nlabels, caplabels;
	size_t *hash; /* open addressing over labels, entries are index + 1 */
	size_t caphash;
};

static inline bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* A printable rendering of a token for messages: at most 32 characters. */
static inline int tok_w(const struct tok *t)
{
	return t->len > 32 ? 32 : (int)t->len;
}

static inline const char *tok_p(const struct asm_ctx *a, const struct tok *t)
{
	return a->text + t->off;
}

static inline bool is_punct(const struct tok *t, char c)
{
	return t->kind == TK_PUNCT && t->c == c;
}

static inline bool at_eol(const struct tok *t)
{
	return t->kind == TK_EOL || t->kind == TK_EOF;
}

/* the lexer (asm_lex.c) */
/* A located error at [off, off + span) of the text, or at token t. */
jitk_err asm_err_at(struct asm_ctx *a, jitk_err err, size_t off, size_t span, const char *fmt, ...)
	JITK_PRINTF(5, 6);
jitk_err asm_err_tok(struct asm_ctx *a, jitk_err err, const struct tok *t, const char *fmt, ...)
	JITK_PRINTF(4, 5);
#ifdef __clang_analyzer__ /* never JITK_OK (diag.h) */
#define asm_err_at(...) diag_analyzer_err(asm_err_at(__VA_ARGS__))
#define asm_err_tok(...) diag_analyzer_err(asm_err_tok(__VA_ARGS__))
#endif
jitk_err asm_expect(struct asm_ctx *a, char c, const char *after);
jitk_err asm_lex(struct asm_ctx *a);
const char *asm_tok_desc(const struct tok *t);
bool asm_tok_is(const struct asm_ctx *a, const struct tok *t, const char *w);
bool asm_tok_is_a(const struct asm_ctx *a, const struct tok *t);
bool asm_tok_is_x(const struct asm_ctx *a, const struct tok *t);
bool asm_tok_str(const struct asm_ctx *a, const struct tok *t, char *buf, size_t cap);

/* the parser (asm.c) */
struct label *asm_find_label(const struct asm_ctx *a, size_t off, size_t n);
unsigned asm_line_of(const struct asm_ctx *a, size_t off);

/* targets and layout (asm_layout.c) */
jitk_err asm_emit(struct asm_ctx *a, const size_t *pos, jitk_filter **out);
jitk_err asm_place_trampolines(struct asm_ctx *a, size_t *pos);
jitk_err asm_resolve(struct asm_ctx *a);

#endif
