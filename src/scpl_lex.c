/* scpl_lex.c - the SCPL tokenizer (contract in scpl_lex.h). */
#include "scpl_lex.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lexer {
	const char *text;
	size_t len;
	const char *file;
	jitk_diag *d;
	struct scpl_tok *toks;
	size_t n, cap;
	/* Where the previous token started, and its line and the offset of
	 * that line's first byte: positions advance from there, so finding
	 * every token's line costs one pass over the text in total (a rescan
	 * from the start per token made parsing quadratic). */
	size_t at, line, bol;
};

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static jitk_err lex_error(struct lexer *L, jitk_err err, size_t off, size_t span, const char *msg,
			  const char *hint)
{
	diag_text(L->d, err, L->file, L->text, L->len, off, span, "%s", msg);
	if (hint)
		diag_hint(L->d, "%s", hint);
	return err;
}

static jitk_err push(struct lexer *L, enum scpl_tk kind, size_t off, size_t len, uint64_t num)
{
	if (L->n == L->cap) {
		size_t cap = L->cap ? L->cap * 2 : 64;
		struct scpl_tok *t = realloc(L->toks, cap * sizeof *t);
		if (!t)
			return diag_err(L->d, JITK_E_NOMEM, "out of memory while reading the policy");
		L->toks = t;
		L->cap = cap;
	}
	for (; L->at < off; L->at++)
		if (L->text[L->at] == '\n') {
			L->line++;
			L->bol = L->at + 1;
		}
	size_t col = off - L->bol + 1;
	L->toks[L->n++] = (struct scpl_tok){
		kind, off, len, num, (unsigned)L->line, col > UINT_MAX ? UINT_MAX : (unsigned)col
	};
	return JITK_OK;
}

/* Skip a (* ... *) comment starting at *i, nested ones included. */
static jitk_err skip_block_comment(struct lexer *L, size_t *i)
{
	size_t start = *i, p = *i + 2;
	unsigned long depth = 1;
	while (p < L->len) {
		if (p + 1 < L->len && L->text[p] == '(' && L->text[p + 1] == '*') {
			depth++;
			p += 2;
		} else if (p + 1 < L->len && L->text[p] == '*' && L->text[p + 1] == ')') {
			p += 2;
			if (--depth == 0) {
				*i = p;
				return JITK_OK;
			}
		} else {
			p++;
		}
	}
	return lex_error(L, JITK_E_PARSE, start, 2, "unterminated comment",
			 "close it with '*)' (comments nest)");
}

/*
 * A number: decimal, 0x hex or 0 octal, 64 bits unsigned.  Overflow is an
 * error rather than a silent wrap: a wrapped constant in a security policy
 * would compare against a different value than the author wrote.
 */
static jitk_err lex_number(struct lexer *L, size_t *i)
{
	const char *s = L->text;
	size_t start = *i, p = *i;
	unsigned base = 10;
	if (s[p] == '0' && p + 1 < L->len && (s[p + 1] == 'x' || s[p + 1] == 'X')) {
		base = 16;
		p += 2;
		if (p >= L->len || hex_value(s[p]) < 0)
			return lex_error(L, JITK_E_PARSE, start, p - start,
					 "hexadecimal number without digits", "write e.g. 0x1f");
	} else if (s[p] == '0') {
		base = 8;
		p++;
	}
	uint64_t v = 0;
	bool overflow = false;
	for (; p < L->len; p++) {
		int dv = hex_value(s[p]);
		if (dv < 0 || (base != 16 && !is_digit(s[p])))
			break;
		if ((unsigned)dv >= base) {
			char msg[64];
			snprintf(msg, sizeof msg, "invalid digit '%c' in octal number", s[p]);
			return lex_error(L, JITK_E_PARSE, p, 1, msg,
					 "a leading 0 makes a number octal; drop it for decimal");
		}
		if (v > (UINT64_MAX - (uint64_t)dv) / base)
			overflow = true;
		v = v * base + (uint64_t)dv;
	}
	if (p < L->len && is_ident_char(s[p])) {
		size_t e = p;
		while (e < L->len && is_ident_char(s[e]))
			e++;
		return lex_error(L, JITK_E_PARSE, start, e - start, "invalid character in number",
				 "separate a number from a following name with a space");
	}
	if (overflow)
		return lex_error(L, JITK_E_RANGE, start, p - start, "number does not fit in 64 bits",
				 "SCPL numbers are unsigned 64-bit (at most 0xffffffffffffffff)");
	*i = p;
	return push(L, SCPL_TK_NUM, start, p - start, v);
}

static jitk_err lex_string(struct lexer *L, size_t *i)
{
	size_t start = *i, p = *i + 1;
	while (p < L->len && L->text[p] != '"' && L->text[p] != '\n')
		p++;
	if (p >= L->len || L->text[p] != '"')
		return lex_error(L, JITK_E_PARSE, start, p - start, "unterminated string",
				 "close it with '\"' on the same line");
	*i = p + 1;
	return push(L, SCPL_TK_STR, start, p + 1 - start, 0);
}

static const char *const puncts[] = {
	/* two-character ones first: longest match */
	"==", "!=", "<=", ">=", "&&", "||", "{", "}", "[", "]",
	"(",  ")",  ";",  "=",  "<",  ">",  "!", "&", "|", "-",
};

jitk_err scpl_lex(const char *text, size_t len, const char *file, struct scpl_tok **toks, size_t *ntoks,
		  jitk_diag *d)
{
	struct lexer L = { .text = text, .len = len, .file = file, .d = d, .line = 1 };
	jitk_err err = JITK_OK;
	*toks = NULL;
	*ntoks = 0;
	size_t i = 0;
	while (i < len && !err) {
		char c = text[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			i++;
		} else if (c == '#' || (c == '/' && i + 1 < len && text[i + 1] == '/')) {
			while (i < len && text[i] != '\n')
				i++;
		} else if (c == '(' && i + 1 < len && text[i + 1] == '*') {
			err = skip_block_comment(&L, &i);
		} else if (is_digit(c)) {
			err = lex_number(&L, &i);
		} else if (is_ident_start(c)) {
			size_t start = i;
			while (i < len && is_ident_char(text[i]))
				i++;
			if (i - start > SCPL_MAX_IDENT)
				err = lex_error(&L, JITK_E_PARSE, start, i - start, "identifier too long",
						"names are at most 127 characters");
			else
				err = push(&L, SCPL_TK_IDENT, start, i - start, 0);
		} else if (c == '"') {
			err = lex_string(&L, &i);
		} else {
			size_t n = 0;
			for (size_t k = 0; k < sizeof puncts / sizeof *puncts; k++) {
				size_t pl = strlen(puncts[k]);
				if (i + pl <= len && memcmp(text + i, puncts[k], pl) == 0) {
					n = pl;
					break;
				}
			}
			if (n) {
				err = push(&L, SCPL_TK_PUNCT, i, n, 0);
				i += n;
			} else {
				char msg[64];
				unsigned char uc = (unsigned char)c;
				if (uc > 0x20 && uc < 0x7f)
					snprintf(msg, sizeof msg, "unexpected character '%c'", c);
				else
					snprintf(msg, sizeof msg, "unexpected byte 0x%02x", uc);
				err = lex_error(
					&L, JITK_E_PARSE, i, 1, msg,
					c == ','   ? "fields, rules and list items are separated by ';'"
					: c == '/' ? "comments start with '#', '//' or '(*'"
						   : "outside comments and strings SCPL uses letters, digits, '_' "
						     "and { } [ ] ( ) ; = ! < > & | -");
			}
		}
	}
	if (!err)
		err = push(&L, SCPL_TK_EOF, len, 0, 0);
	if (err) {
		free(L.toks);
		return err;
	}
	*toks = L.toks;
	*ntoks = L.n;
	return JITK_OK;
}

bool scpl_tok_is(const char *text, const struct scpl_tok *t, const char *s)
{
	if (t->kind != SCPL_TK_PUNCT && t->kind != SCPL_TK_IDENT)
		return false;
	size_t n = strlen(s);
	return t->len == n && memcmp(text + t->off, s, n) == 0;
}
