/*
 * asm_lex.c - the assembler's lexer (asm.h): numbers, names, punctuation
 * and end of line, and the located errors every stage reports through.
 */
#include "asm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ lexer */

jitk_err(asm_err_at)(struct asm_ctx *a, jitk_err err, size_t off, size_t span, const char *fmt, ...)
{
	char msg[sizeof a->d->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return diag_text(a->d, err, a->file, a->text, a->len, off, span ? span : 1, "%s", msg);
}

jitk_err(asm_err_tok)(struct asm_ctx *a, jitk_err err, const struct tok *t, const char *fmt, ...)
{
	char msg[sizeof a->d->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return asm_err_at(a, err, t->off, t->len, "%s", msg);
}

const char *asm_tok_desc(const struct tok *t)
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
			return asm_err_at(a, JITK_E_PARSE, start, n, "malformed number '%.*s'",
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
			asm_err_at(a, JITK_E_PARSE, start, n, "malformed %s number '%.*s'",
				   base == 16  ? "hexadecimal"
				   : base == 8 ? "octal"
					       : "decimal",
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
		/* A '-' right before the digits is part of what the user wrote:
		 * keep the sign in the message. */
		size_t neg = start > 0 && a->text[start - 1] == '-';
		asm_err_at(a, JITK_E_RANGE, start - neg, n + neg, "number '%.*s' does not fit in 32 bits",
			   (int)(n + neg > 32 ? 32 : n + neg), s - neg);
		diag_hint(a->d, "k is an unsigned 32-bit value: 0..4294967295 (0xffffffff), "
				"or -2147483648..-1");
		return JITK_E_RANGE;
	}
	a->tok.num = (uint32_t)v;
	return JITK_OK;
}

/* Read the next token into a->tok. */
jitk_err asm_lex(struct asm_ctx *a)
{
	const char *t = a->text;
	size_t n = a->len, p = a->pos;
	for (;;) {
		while (p < n && (t[p] == ' ' || t[p] == '\t' || t[p] == '\r' || t[p] == '\f' || t[p] == '\v'))
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
	if (c && strchr("#,:[]()+*&|-", c)) { /* strchr would find the NUL too */
		k->kind = TK_PUNCT;
		k->c = c;
		a->pos = p + 1;
		return JITK_OK;
	}
	if ((unsigned char)c >= 0x21 && (unsigned char)c < 0x7f)
		return asm_err_at(a, JITK_E_PARSE, p, 1, "unexpected character '%c'", c);
	return asm_err_at(a, JITK_E_PARSE, p, 1, "unexpected byte 0x%02x", (unsigned char)c);
}

/* Case-insensitive comparison of an identifier token with a word. */
bool asm_tok_is(const struct asm_ctx *a, const struct tok *t, const char *w)
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

bool asm_tok_is_x(const struct asm_ctx *a, const struct tok *t)
{
	return asm_tok_is(a, t, "x") || asm_tok_is(a, t, "%x");
}

bool asm_tok_is_a(const struct asm_ctx *a, const struct tok *t)
{
	return asm_tok_is(a, t, "a") || asm_tok_is(a, t, "%a");
}

/* Copy a token into a NUL-terminated buffer; false if it does not fit. */
bool asm_tok_str(const struct asm_ctx *a, const struct tok *t, char *buf, size_t cap)
{
	if (t->len >= cap)
		return false;
	memcpy(buf, a->text + t->off, t->len);
	buf[t->len] = '\0';
	return true;
}

jitk_err asm_expect(struct asm_ctx *a, char c, const char *after)
{
	if (!is_punct(&a->tok, c)) {
		if (at_eol(&a->tok))
			return asm_err_tok(a, JITK_E_PARSE, &a->tok, "expected '%c' %s, found %s", c, after,
					   asm_tok_desc(&a->tok));
		return asm_err_tok(a, JITK_E_PARSE, &a->tok, "expected '%c' %s, found '%.*s'", c, after,
				   tok_w(&a->tok), tok_p(a, &a->tok));
	}
	return asm_lex(a);
}
