/*
 * scpl_lex.h - the SCPL tokenizer (see docs/scpl.md, "Lexical structure").
 *
 * The lexer turns a whole source text into an array of tokens that the
 * parser (scpl_parse.c) walks.  Tokens carry byte offsets into the text so
 * every diagnostic can point at the exact spot; nothing is copied.
 */
#ifndef JITK_SCPL_LEX_H
#define JITK_SCPL_LEX_H

#include "internal.h"

enum scpl_tk {
	SCPL_TK_EOF,   /* end of input: always the last token, off == len */
	SCPL_TK_IDENT, /* [A-Za-z_][A-Za-z0-9_]* */
	SCPL_TK_NUM,   /* decimal, 0x hex or 0 octal; value in num */
	SCPL_TK_STR,   /* "..." (no escapes, no newline); off/len include the quotes */
	SCPL_TK_PUNCT, /* { } [ ] ( ) ; = == != < <= > >= && || ! & | - */
};

struct scpl_tok {
	enum scpl_tk kind;
	size_t off, len;    /* byte range in the source text */
	uint64_t num;       /* SCPL_TK_NUM only */
	unsigned line, col; /* 1-based position of off, counted as the lexer goes */
};

/* Longest identifier accepted; longer ones are a lexical error (no name in
 * any table is anywhere near this long). */
#define SCPL_MAX_IDENT 127

/*
 * Tokenize text[0..len).  On success *toks (release with free) holds *ntoks
 * tokens, the last one SCPL_TK_EOF.  On a lexical error (bad character,
 * unterminated string or comment, malformed or too large number) returns
 * JITK_E_PARSE or JITK_E_RANGE with d located in file; *toks is NULL.
 * text need not be NUL-terminated and may contain NUL bytes.
 */
jitk_err scpl_lex(const char *text, size_t len, const char *file, struct scpl_tok **toks, size_t *ntoks,
		  jitk_diag *d);

/* Whether token t of text is exactly the punctuator or identifier s. */
bool scpl_tok_is(const char *text, const struct scpl_tok *t, const char *s);

#endif
