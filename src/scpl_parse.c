/*
 * scpl_parse.c - the SCPL grammar and the front end's entry points
 * (docs/scpl.md); included files are read by scpl_include.c and names
 * resolved by scpl_resolve.c (scpl_parse.h).
 *
 * A recursive-descent parser in the chibicc style: one function per grammar
 * rule, named after it.  It works in two phases:
 *  1. parse: the whole policy (and every included file) is read into an
 *     intermediate list of rules whose syscalls are still unresolved tokens,
 *     because `arch` may be given after `rules`;
 *  2. resolve (scpl_resolve.c): each syscall reference is looked up on every listed arch and
 *     the struct jitk_policy of policy.h is built in one arena.
 * The first error stops everything; it is reported as a located jitk_diag
 * (diag_text) pointing into the file the offending token came from.
 * Every source read stays alive until the end so that diagnostics found in
 * phase 2 can still quote the line.
 */
#include "scpl_parse.h"
#include "tables.h"

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "landlock.h"

/* --------------------------------------------------------------- parser */

enum { PF_DEFAULT, PF_FOREIGN, PF_ARCH, PF_RULES, PF_FILESYSTEM, PF_NETWORK, PF_SCOPE, PF__COUNT };
enum { RF_ACTION, RF_SYSCALL, RF_WHEN, RF_ARCH, RF__COUNT };

static const struct scpl_tok *peek_at(struct parser *P, size_t k)
{
	struct src *s = cur_src(P);
	size_t i = P->pos + k;
	return &s->toks[i < s->ntoks ? i : s->ntoks - 1];
}

static const struct scpl_tok *peek(struct parser *P)
{
	return peek_at(P, 0);
}

static const struct scpl_tok *next(struct parser *P)
{
	const struct scpl_tok *t = peek(P);
	if (t->kind != SCPL_TK_EOF)
		P->pos++;
	return t;
}

static bool is(struct parser *P, const struct scpl_tok *t, const char *s)
{
	return scpl_tok_is(cur_src(P)->text, t, s);
}

/* Consume the next token if it is s. */
static bool accept(struct parser *P, const char *s)
{
	if (!is(P, peek(P), s))
		return false;
	next(P);
	return true;
}

/* Copy the text of t (truncated) into buf. */
static void tok_text(struct parser *P, const struct scpl_tok *t, char *buf, size_t cap)
{
	size_t n = t->len < cap - 1 ? t->len : cap - 1;
	memcpy(buf, cur_src(P)->text + t->off, n);
	buf[n] = '\0';
}

/* How a token is named in "found ..." messages. */
static void tok_desc(struct parser *P, const struct scpl_tok *t, char *buf, size_t cap)
{
	if (t->kind == SCPL_TK_EOF) {
		snprintf(buf, cap, "end of file");
		return;
	}
	char txt[40];
	tok_text(P, t, txt, sizeof txt);
	snprintf(buf, cap, "'%s'%s", txt, t->len >= sizeof txt ? "..." : "");
}

/* Record an error at a byte range of source s. */
jitk_err(scpl_err_range)(struct parser *P, size_t s, size_t off, size_t span, jitk_err err, const char *fmt,
			 ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct src *S = P->srcs[s];
	return diag_text(P->d, err, S->name, S->text, S->len, off, span, "%s", msg);
}

/* Record an error at token t of the current source. */
jitk_err(scpl_err_at)(struct parser *P, const struct scpl_tok *t, jitk_err err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return scpl_err_range(P, P->cur, t->off, t->len, err, "%s", msg);
}

void scpl_hint(struct parser *P, const char *fmt, ...)
{
	if (!P->d)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(P->d->hint, sizeof P->d->hint, fmt, ap);
	va_end(ap);
}

/* "expected WHAT, found X" at the next token, with a hint (may be NULL). */
static jitk_err expected(struct parser *P, const char *what, const char *hnt)
{
	char found[64];
	const struct scpl_tok *t = peek(P);
	tok_desc(P, t, found, sizeof found);
	jitk_err e = scpl_err_at(P, t, JITK_E_PARSE, "expected %s, found %s", what, found);
	scpl_hint(P, "%s", hnt ? hnt : "see docs/scpl.md for the grammar");
	return e;
}

static jitk_err expect(struct parser *P, const char *s, const char *what, const char *hnt)
{
	if (accept(P, s))
		return JITK_OK;
	return expected(P, what, hnt);
}
#ifdef __clang_analyzer__ /* never JITK_OK (diag.h) */
#define expected(...) diag_analyzer_err(expected(__VA_ARGS__))
#endif

jitk_err(scpl_nomem)(struct parser *P)
{
	return diag_err(P->d, JITK_E_NOMEM, "out of memory while parsing the policy");
}

/* Closest candidate to name among list[0..n) (NULL-terminated if n is
 * SIZE_MAX), or NULL if none is plausibly a typo of it. */
static const char *closest(const char *name, const char *const *list, size_t n)
{
	struct closest c;
	closest_init(&c, name, SIZE_MAX);
	for (size_t i = 0; i < n && list[i]; i++) {
		if (strcasecmp(name, list[i]) == 0)
			return list[i];
		closest_try(&c, list[i]);
	}
	return closest_plausible(&c);
}

/* ------------------------------------------------------------- grammar */

static jitk_err policy(struct parser *P);
static jitk_err pfield(struct parser *P, const struct scpl_tok *seen[]);
static jitk_err archlist(struct parser *P, bool arch[]);
static jitk_err archname(struct parser *P, bool arch[]);
static jitk_err rulelist(struct parser *P);
static jitk_err item(struct parser *P);
static jitk_err include(struct parser *P);
static jitk_err fslist(struct parser *P);
static jitk_err netlist(struct parser *P);
static jitk_err accesslist(struct parser *P, enum tbl_ll_kind kind, uint64_t *mask);
static jitk_err rule(struct parser *P);
static jitk_err rfield(struct parser *P, struct prule *r, const struct scpl_tok *seen[]);
static jitk_err action(struct parser *P, uint32_t *ret, const struct cval **cv);
static jitk_err syscalls(struct parser *P, struct prule *r);
static jitk_err sysref(struct parser *P);
static jitk_err cond(struct parser *P, const struct pol_cond **out);
static jitk_err andcond(struct parser *P, const struct pol_cond **out);
static jitk_err unary(struct parser *P, const struct pol_cond **out);
static jitk_err compare(struct parser *P, const struct pol_cond **out);
static jitk_err operand(struct parser *P, struct pol_cond *c);
static jitk_err argref(struct parser *P, struct pol_cond *c);
static jitk_err constant(struct parser *P, struct cval *out);
static jitk_err cterm(struct parser *P, struct cval *out);

static const char *const pfield_names[PF__COUNT] = {
	[PF_DEFAULT] = "default_action",
	[PF_FOREIGN] = "foreign_action",
	[PF_ARCH] = "arch",
	[PF_RULES] = "rules",
	[PF_FILESYSTEM] = "filesystem",
	[PF_NETWORK] = "network",
	[PF_SCOPE] = "scope",
};

/* policy = "{" pfield { ";" pfield } [ ";" ] "}" */
static jitk_err policy(struct parser *P)
{
	const struct scpl_tok *open = peek(P);
	const struct scpl_tok *seen[PF__COUNT] = { 0 };
	jitk_err e = expect(P, "{", "'{'", "a policy is written { default_action = ...; rules = [ ... ] }");
	if (e)
		return e;
	if ((e = pfield(P, seen)))
		return e;
	while (accept(P, ";")) {
		if (is(P, peek(P), "}"))
			break;
		if ((e = pfield(P, seen)))
			return e;
	}
	if ((e = expect(P, "}", "';' or '}'", "expected ';' or '}' after a field")))
		return e;
	if (peek(P)->kind != SCPL_TK_EOF) {
		e = scpl_err_at(P, peek(P), JITK_E_PARSE, "unexpected text after the policy");
		scpl_hint(P, "a file holds one policy { ... }");
		return e;
	}
	if (!seen[PF_DEFAULT]) {
		e = scpl_err_at(P, open, JITK_E_PARSE, "the policy has no default_action");
		scpl_hint(P, "add e.g. 'default_action = KillProcess;'");
		return e;
	}
	if (!seen[PF_RULES]) {
		e = scpl_err_at(P, open, JITK_E_PARSE, "the policy has no rules");
		scpl_hint(P, "add 'rules = [ ... ];' (it may be empty)");
		return e;
	}
	return JITK_OK;
}

/* Report field t (name) given twice; first is the earlier occurrence. */
static jitk_err duplicate_field(struct parser *P, const struct scpl_tok *t, const struct scpl_tok *first,
				const char *name)
{
	unsigned line = first->line;
	jitk_err e = scpl_err_at(P, t, JITK_E_NAME, "duplicate field '%s'", name);
	scpl_hint(P, "'%s' was already given on line %u", name, line);
	return e;
}

/* pfield = "default_action" "=" action | "foreign_action" "=" action
 *        | "arch" "=" archlist | "rules" "=" rulelist */
static jitk_err pfield(struct parser *P, const struct scpl_tok *seen[])
{
	const struct scpl_tok *t = peek(P);
	if (t->kind != SCPL_TK_IDENT)
		return expected(P, "a field name",
				"policy fields: default_action, foreign_action, arch, rules");
	char name[SCPL_MAX_IDENT + 1];
	tok_text(P, t, name, sizeof name);
	int f = -1;
	for (int i = 0; i < PF__COUNT; i++)
		if (strcmp(name, pfield_names[i]) == 0)
			f = i;
	if (f < 0) {
		jitk_err e = scpl_err_at(P, t, JITK_E_NAME, "unknown policy field '%s'", name);
		const char *s = closest(name, pfield_names, PF__COUNT);
		if (s)
			scpl_hint(P, "did you mean %s?", s);
		else if (!strcmp(name, "action") || !strcmp(name, "syscall") || !strcmp(name, "syscalls") ||
			 !strcmp(name, "when"))
			scpl_hint(P, "'%s' belongs in a rule: rules = [ { %s = ...; ... } ]", name, name);
		else
			scpl_hint(P, "policy fields: default_action, foreign_action, arch, rules");
		return e;
	}
	if (seen[f])
		return duplicate_field(P, t, seen[f], name);
	seen[f] = t;
	next(P);
	jitk_err e = expect(P, "=", "'='", NULL);
	if (e) {
		scpl_hint(P, "write %s = ...", name);
		return e;
	}
	switch (f) {
	case PF_DEFAULT: return action(P, &P->default_action, &P->default_cv);
	case PF_FOREIGN: return action(P, &P->foreign_action, &P->foreign_cv);
	case PF_ARCH: return archlist(P, P->arch);
	case PF_FILESYSTEM: return fslist(P);
	case PF_NETWORK: return netlist(P);
	case PF_SCOPE: return accesslist(P, TBL_LL_SCOPE, &P->ll.scope);
	default: return rulelist(P);
	}
}

/* ARCH_NAMES_CAP bytes of buf: pre, then the names of the ABIs
 * (tools/abis.txt), "x86_64, i386, ...". */
#define ARCH_NAMES_CAP (32 + JITK_ARCH__COUNT * 16)
static const char *arch_names(char *buf, const char *pre)
{
	size_t n = (size_t)snprintf(buf, ARCH_NAMES_CAP, "%s", pre);
	for (int a = 0; a < JITK_ARCH__COUNT && n < ARCH_NAMES_CAP; a++)
		n += (size_t)snprintf(buf + n, ARCH_NAMES_CAP - n, "%s%s", a ? ", " : "",
				      jitk_arch_name((jitk_arch)a));
	return buf;
}

/* archlist = archname | "[" archname { ";" archname } [ ";" ] "]"
 * Sets arch[a] for each listed a (and clears the others). */
static jitk_err archlist(struct parser *P, bool arch[])
{
	memset(arch, 0, JITK_ARCH__COUNT * sizeof *arch);
	if (!accept(P, "["))
		return archname(P, arch);
	jitk_err e;
	if (is(P, peek(P), "]")) {
		e = scpl_err_at(P, peek(P), JITK_E_PARSE, "empty architecture list");
		char names[ARCH_NAMES_CAP];
		scpl_hint(P, "%s", arch_names(names, "list at least one of "));
		return e;
	}
	if ((e = archname(P, arch)))
		return e;
	while (accept(P, ";")) {
		if (is(P, peek(P), "]"))
			break;
		if ((e = archname(P, arch)))
			return e;
	}
	return expect(P, "]", "';' or ']'", "expected ';' or ']' after an architecture");
}

/* archname = a name of tools/abis.txt: "x86_64" | "i386" | "x32" |
 * "aarch64" | "arm" | ... (and the aliases of jitk_arch_from_name) */
static jitk_err archname(struct parser *P, bool arch[])
{
	const char *known[JITK_ARCH__COUNT];
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		known[a] = jitk_arch_name((jitk_arch)a);
	const struct scpl_tok *t = peek(P);
	char names[ARCH_NAMES_CAP];
	if (t->kind != SCPL_TK_IDENT)
		return expected(P, "an architecture name", arch_names(names, "architectures: "));
	char name[SCPL_MAX_IDENT + 1];
	tok_text(P, t, name, sizeof name);
	int a = jitk_arch_from_name(name);
	jitk_err e;
	if (a < 0) {
		e = scpl_err_at(P, t, JITK_E_NAME, "unknown architecture '%s'", name);
		const char *s = closest(name, known, JITK_ARCH__COUNT);
		if (s)
			scpl_hint(P, "did you mean %s?", s);
		else
			scpl_hint(P, "%s", arch_names(names, "architectures: "));
		return e;
	}
	if (arch[a]) {
		e = scpl_err_at(P, t, JITK_E_NAME, "architecture '%s' listed twice", jitk_arch_name(a));
		scpl_hint(P, "list each architecture once");
		return e;
	}
	arch[a] = true;
	next(P);
	return JITK_OK;
}

/* rulelist = "[" [ item { ";" item } [ ";" ] ] "]" */
static jitk_err rulelist(struct parser *P)
{
	jitk_err e = expect(P, "[", "'['", "a rule list is written [ { ... }; { ... } ]");
	if (e)
		return e;
	if (accept(P, "]"))
		return JITK_OK;
	if ((e = item(P)))
		return e;
	while (accept(P, ";")) {
		if (is(P, peek(P), "]"))
			break;
		if ((e = item(P)))
			return e;
	}
	return expect(P, "]", "';' or ']'", "expected ';' or ']' after a rule");
}

/* item = rule | "include" string */
static jitk_err item(struct parser *P)
{
	if (is(P, peek(P), "include")) {
		next(P);
		return include(P);
	}
	return rule(P);
}

/* include: string; the file holds a rulelist, spliced in place.  A relative
 * path is taken relative to the including file's directory. */
static jitk_err include(struct parser *P)
{
	const struct scpl_tok *t = peek(P);
	jitk_err e;
	if (t->kind != SCPL_TK_STR)
		return expected(P, "a file name in double quotes", "write include \"file.scpl\"");
	next(P);
	size_t plen = t->len - 2;
	const char *ptext = cur_src(P)->text + t->off + 1;
	if (plen == 0) {
		e = scpl_err_at(P, t, JITK_E_PARSE, "empty include file name");
		scpl_hint(P, "write include \"file.scpl\"");
		return e;
	}
	if (memchr(ptext, '\0', plen)) {
		e = scpl_err_at(P, t, JITK_E_PARSE, "include file name contains a NUL byte");
		scpl_hint(P, "write include \"file.scpl\"");
		return e;
	}
	size_t idx;
	if ((e = scpl_include_open(P, t, ptext, plen, &idx)))
		return e;

	/* Parse the included rule list, then come back. */
	size_t save_cur = P->cur, save_pos = P->pos;
	P->cur = idx;
	P->pos = 0;
	P->inc_stack[P->ninc++] = P->cur;
	if ((e = rulelist(P)))
		return e;
	if (peek(P)->kind != SCPL_TK_EOF) {
		e = scpl_err_at(P, peek(P), JITK_E_PARSE, "unexpected text after the included rule list");
		scpl_hint(P, "an included file holds one rule list [ ... ]");
		return e;
	}
	P->ninc--;
	P->cur = save_cur;
	P->pos = save_pos;
	return JITK_OK;
}

/* ------------------------------------------------- Landlock (landlock.c) */

/* The 1-based line and column of token t of the current source. */
static void tok_pos(struct parser *P, const struct scpl_tok *t, unsigned *line, unsigned *col)
{
	const struct src *S = cur_src(P);
	size_t bol = 0;
	*line = 1;
	for (size_t i = 0; i < t->off; i++)
		if (S->text[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	*col = (unsigned)(t->off - bol) + 1;
}

/* Copy the array v[0..n) into the arena (or NULL when n is 0). */
static void *arena_dup(struct parser *P, const void *v, size_t n, size_t elem)
{
	if (n == 0)
		return NULL;
	void *q = arena_alloc(&P->arena, n * elem);
	if (q)
		memcpy(q, v, n * elem);
	return q;
}

/* One kind of Landlock entry: { KEY = value; access = LIST }. */
struct llkind {
	const char *what; /* "filesystem", "network" */
	const char *key;  /* "path", "port" */
	enum tbl_ll_kind kind;
	const char *example;                              /* a whole entry, for hints */
	jitk_err (*value)(struct parser *P, void *entry); /* KEY's value */
	size_t size, access_off;                          /* the entry struct, its access mask */
	bool (*same)(const void *a, const void *b);       /* one KEY: merged */
};

/* llentry = "{" llfield { ";" llfield } [ ";" ] "}"
 * llfield = KEY "=" value | "access" "=" accesslist   (both required, once) */
static jitk_err llentry(struct parser *P, const struct llkind *k, void *entry, uint64_t *access)
{
	const struct scpl_tok *open = peek(P), *key = NULL, *acc = NULL;
	char hint[160], what[64], list[64];
	snprintf(hint, sizeof hint, "write %s", k->example);
	snprintf(list, sizeof list, "%s fields: %s, access", k->what, k->key);
	snprintf(what, sizeof what, "'{' to start a %s entry", k->what);
	jitk_err e = expect(P, "{", what, hint);
	while (!e && !is(P, peek(P), "}")) {
		const struct scpl_tok *t = peek(P);
		bool is_key = is(P, t, k->key);
		if (!is_key && !is(P, t, "access")) {
			if (t->kind != SCPL_TK_IDENT) {
				snprintf(what, sizeof what, "a %s field", k->what);
				return expected(P, what, list);
			}
			char name[SCPL_MAX_IDENT + 1];
			tok_text(P, t, name, sizeof name);
			const char *const f[] = { k->key, "access" };
			e = scpl_err_at(P, t, JITK_E_NAME, "unknown %s field '%s'", k->what, name);
			const char *c = closest(name, f, 2);
			if (c)
				scpl_hint(P, "did you mean %s?", c);
			else
				scpl_hint(P, "%s", list);
			return e;
		}
		const struct scpl_tok **seen = is_key ? &key : &acc;
		if (*seen)
			return duplicate_field(P, t, *seen, is_key ? k->key : "access");
		*seen = t;
		next(P);
		if ((e = expect(P, "=", "'='", NULL)))
			break;
		e = is_key ? k->value(P, entry) : accesslist(P, k->kind, access);
		if (!e && !accept(P, ";"))
			break;
	}
	if (e || (e = expect(P, "}", "';' or '}'", "expected ';' or '}' after a field")))
		return e;
	if (!key || !acc) {
		e = scpl_err_at(P, open, JITK_E_PARSE, "%s entry has no %s", k->what,
				key ? "access" : k->key);
		scpl_hint(P, "%s", hint);
		return e;
	}
	return JITK_OK;
}

/* path = string: absolute, trailing '/' dropped, copied into the arena. */
static jitk_err fspath(struct parser *P, void *entry)
{
	struct pol_fs_rule *r = entry;
	if (peek(P)->kind != SCPL_TK_STR)
		return expected(P, "a path in double quotes", "write path = \"/usr\"");
	const struct scpl_tok *st = next(P);
	const char *txt = cur_src(P)->text + st->off + 1;
	size_t len = st->len - 2;
	while (len > 1 && txt[len - 1] == '/')
		len--;
	if (len == 0 || txt[0] != '/' || memchr(txt, '\0', len)) {
		jitk_err e = scpl_err_at(P, st, JITK_E_PARSE, "a filesystem path must be absolute");
		scpl_hint(P, "write e.g. path = \"/usr\"");
		return e;
	}
	char *cp = arena_alloc(&P->arena, len + 1);
	if (!cp)
		return scpl_nomem(P);
	memcpy(cp, txt, len);
	r->path = cp;
	tok_pos(P, st, &r->line, &r->col);
	return JITK_OK;
}

static bool same_path(const void *a, const void *b)
{
	return !strcmp(((const struct pol_fs_rule *)a)->path, ((const struct pol_fs_rule *)b)->path);
}

static const struct llkind fs_kind = {
	"filesystem",
	"path",
	TBL_LL_FS,
	"{ path = \"/usr\"; access = [read; execute] }",
	fspath,
	sizeof(struct pol_fs_rule),
	offsetof(struct pol_fs_rule, access),
	same_path,
};

/* port = number, 0..65535. */
static jitk_err netport(struct parser *P, void *entry)
{
	struct pol_net_rule *r = entry;
	if (peek(P)->kind != SCPL_TK_NUM)
		return expected(P, "a port number", "write port = 443");
	const struct scpl_tok *nt = next(P);
	if (nt->num > 65535) {
		jitk_err e = scpl_err_at(P, nt, JITK_E_RANGE, "port %llu is out of range",
					 (unsigned long long)nt->num);
		scpl_hint(P, "a TCP port is 0 to 65535");
		return e;
	}
	r->port = (uint16_t)nt->num;
	tok_pos(P, nt, &r->line, &r->col);
	return JITK_OK;
}

static bool same_port(const void *a, const void *b)
{
	return ((const struct pol_net_rule *)a)->port == ((const struct pol_net_rule *)b)->port;
}

static const struct llkind net_kind = {
	"network",
	"port",
	TBL_LL_NET,
	"{ port = 443; access = [connect] }",
	netport,
	sizeof(struct pol_net_rule),
	offsetof(struct pol_net_rule, access),
	same_port,
};

/* lllist = "[" [ llentry { ";" llentry } [ ";" ] ] "]"
 * Entries with the same KEY (a path, trailing '/' aside; a port) are
 * merged: their rights are joined, nothing is dropped.  Returns the
 * entries, copied into the arena (NULL when there are none). */
static const void *lllist(struct parser *P, const struct llkind *k, size_t *nout, jitk_err *err)
{
	union {
		struct pol_fs_rule fs;
		struct pol_net_rule net;
	} r;
	char *v = NULL, hint[160], after[80];
	size_t n = 0, cap = 0;
	snprintf(hint, sizeof hint, "write %s = [ %s ]", k->what, k->example);
	snprintf(after, sizeof after, "expected ';' or ']' after a %s entry", k->what);
	jitk_err e = expect(P, "[", "'['", hint);
	while (!e && !is(P, peek(P), "]")) {
		memset(&r, 0, sizeof r);
		uint64_t *acc = (uint64_t *)((char *)&r + k->access_off);
		if ((e = llentry(P, k, &r, acc)))
			break;
		size_t i = 0;
		while (i < n && !k->same(v + i * k->size, &r))
			i++;
		if (i < n) {
			*(uint64_t *)(v + i * k->size + k->access_off) |= *acc;
		} else if (!array_grow((void **)&v, &cap, n + 1, k->size)) {
			e = scpl_nomem(P);
			break;
		} else {
			memcpy(v + n++ * k->size, &r, k->size);
		}
		if (!accept(P, ";"))
			break;
	}
	if (!e)
		e = expect(P, "]", "';' or ']'", after);
	const void *out = NULL;
	if (!e && n && !(out = arena_dup(P, v, n, k->size)))
		e = scpl_nomem(P);
	free(v);
	*nout = e ? 0 : n;
	*err = e;
	return out;
}

static jitk_err fslist(struct parser *P)
{
	jitk_err e;
	P->ll.fs = lllist(P, &fs_kind, &P->ll.nfs, &e);
	P->ll.has_fs = !e;
	return e;
}

static jitk_err netlist(struct parser *P)
{
	jitk_err e;
	P->ll.net = lllist(P, &net_kind, &P->ll.nnet, &e);
	P->ll.has_net = !e;
	return e;
}

/* accesslist = accessname | "[" accessname { ";" accessname } [ ";" ] "]"
 * accessname: a Landlock right of the kind (read_file, connect_tcp,
 * signal) or a group (read, write, execute; bind, connect). */
static jitk_err accessname(struct parser *P, enum tbl_ll_kind kind, uint64_t *mask)
{
	const struct scpl_tok *t = peek(P);
	static const char *const what[] = { "a filesystem right", "a network right", "a scope" };
	if (t->kind != SCPL_TK_IDENT)
		return expected(P, what[kind],
				kind == TBL_LL_FS    ? "e.g. read, write, execute, read_file"
				: kind == TBL_LL_NET ? "e.g. bind, connect"
						     : "e.g. signal, abstract_unix_socket");
	char name[SCPL_MAX_IDENT + 1];
	tok_text(P, t, name, sizeof name);
	unsigned abi;
	uint64_t bits = ll_access_of(kind, name, &abi);
	if (!bits) {
		static const char *const kw[] = { "filesystem right", "network right", "scope" };
		jitk_err e = scpl_err_at(P, t, JITK_E_NAME, "unknown %s '%s'", kw[kind], name);
		const char *s = ll_access_suggest(kind, name);
		if (s)
			scpl_hint(P, "did you mean %s?", s);
		else
			scpl_hint(P, "%s",
				  kind == TBL_LL_FS
					  ? "rights: read, write, execute, or a Landlock name such as read_file, make_dir, ioctl_dev"
				  : kind == TBL_LL_NET ? "rights: bind, connect (bind_tcp, connect_tcp)"
						       : "scopes: signal, abstract_unix_socket");
		return e;
	}
	next(P);
	*mask |= bits;
	if (abi > P->ll.max_abi)
		P->ll.max_abi = abi;
	return JITK_OK;
}

static jitk_err accesslist(struct parser *P, enum tbl_ll_kind kind, uint64_t *mask)
{
	if (!accept(P, "["))
		return accessname(P, kind, mask);
	jitk_err e;
	if (is(P, peek(P), "]")) {
		e = scpl_err_at(P, peek(P), JITK_E_PARSE, "empty access list");
		scpl_hint(P, "list at least one right (a rule that grants nothing can be left out)");
		return e;
	}
	if ((e = accessname(P, kind, mask)))
		return e;
	while (accept(P, ";")) {
		if (is(P, peek(P), "]"))
			break;
		if ((e = accessname(P, kind, mask)))
			return e;
	}
	return expect(P, "]", "';' or ']'", "expected ';' or ']' in the access list");
}

static const char *const rfield_names[RF__COUNT] = {
	[RF_ACTION] = "action",
	[RF_SYSCALL] = "syscall",
	[RF_WHEN] = "when",
	[RF_ARCH] = "arch",
};

/* rule = "{" rfield { ";" rfield } [ ";" ] "}" */
static jitk_err rule(struct parser *P)
{
	const struct scpl_tok *open = peek(P);
	const struct scpl_tok *seen[RF__COUNT] = { 0 };
	struct prule r = { .ref0 = P->nrefs, .src = P->cur, .tok = P->pos };
	jitk_err e =
		expect(P, "{", "'{' to start a rule", "a rule is written { action = ...; syscall = ... }");
	if (e)
		return e;
	if ((e = rfield(P, &r, seen)))
		return e;
	while (accept(P, ";")) {
		if (is(P, peek(P), "}"))
			break;
		if ((e = rfield(P, &r, seen)))
			return e;
	}
	if ((e = expect(P, "}", "';' or '}'", "expected ';' or '}' after a field")))
		return e;
	if (!seen[RF_ACTION]) {
		e = scpl_err_at(P, open, JITK_E_PARSE, "rule has no action");
		scpl_hint(P, "add e.g. 'action = Allow;'");
		return e;
	}
	if (!seen[RF_SYSCALL]) {
		e = scpl_err_at(P, open, JITK_E_PARSE, "rule has no syscall");
		scpl_hint(P, "add e.g. 'syscall = read;' or 'syscalls = [read; write]'");
		return e;
	}
	r.nref = P->nrefs - r.ref0;
	if (P->nrules >= P->lim.max_rules) {
		char chain[200];
		scpl_include_chain(P, NULL, chain, sizeof chain);
		e = scpl_err_at(P, open, JITK_E_TOO_BIG, "the policy has more than %zu rules",
				P->lim.max_rules);
		scpl_hint(P, "includes spliced in; reading %s", chain);
		return e;
	}
	if (!array_grow((void **)&P->rules, &P->caprules, P->nrules + 1, sizeof *P->rules))
		return scpl_nomem(P);
	P->rules[P->nrules++] = r;
	return JITK_OK;
}

/* rfield = "action" "=" action | ("syscall" | "syscalls") "=" syscalls
 *        | "when" "=" cond | "arch" "=" archlist */
static jitk_err rfield(struct parser *P, struct prule *r, const struct scpl_tok *seen[])
{
	const struct scpl_tok *t = peek(P);
	if (t->kind != SCPL_TK_IDENT)
		return expected(P, "a rule field", "rule fields: action, syscall, when, arch");
	char name[SCPL_MAX_IDENT + 1];
	tok_text(P, t, name, sizeof name);
	int f = -1;
	for (int i = 0; i < RF__COUNT; i++)
		if (strcmp(name, rfield_names[i]) == 0)
			f = i;
	if (strcmp(name, "syscalls") == 0)
		f = RF_SYSCALL;
	jitk_err e;
	if (f < 0) {
		static const char *const all[] = { "action", "syscall", "syscalls", "when", "arch" };
		e = scpl_err_at(P, t, JITK_E_NAME, "unknown rule field '%s'", name);
		const char *s = closest(name, all, 5);
		if (s)
			scpl_hint(P, "did you mean %s?", s);
		else
			scpl_hint(P, "rule fields: action, syscall, when, arch");
		return e;
	}
	if (seen[f])
		return duplicate_field(P, t, seen[f], name);
	seen[f] = t;
	next(P);
	if ((e = expect(P, "=", "'='", NULL))) {
		scpl_hint(P, "write %s = ...", name);
		return e;
	}
	switch (f) {
	case RF_ACTION: return action(P, &r->action, &r->act_cv);
	case RF_SYSCALL: return syscalls(P, r);
	case RF_ARCH:
		r->has_arch = true;
		r->arch_tok = (size_t)(t - cur_src(P)->toks);
		return archlist(P, r->arch);
	default: return cond(P, &r->cond);
	}
}

/* Whether the next token can start a const.  An identifier followed by '='
 * is the next field (a missing ';'), not a constant. */
static bool const_starts(struct parser *P)
{
	const struct scpl_tok *t = peek(P);
	if (t->kind == SCPL_TK_IDENT)
		return !is(P, peek_at(P, 1), "=");
	return t->kind == SCPL_TK_NUM || is(P, t, "-");
}

enum data_kind { DATA_NONE, DATA_OPTIONAL, DATA_REQUIRED };

static const struct {
	const char *name;
	uint32_t ret;
	enum data_kind data;
	uint32_t max; /* largest data value */
} actions[] = {
	{ "Allow", JITK_RET_ALLOW, DATA_NONE, 0 },
	/* Kill is the paper's "kill the current process". */
	{ "Kill", JITK_RET_KILL_PROCESS, DATA_NONE, 0 },
	{ "KillProcess", JITK_RET_KILL_PROCESS, DATA_NONE, 0 },
	{ "KillThread", JITK_RET_KILL_THREAD, DATA_NONE, 0 },
	{ "Log", JITK_RET_LOG, DATA_NONE, 0 },
	{ "Notify", JITK_RET_USER_NOTIF, DATA_NONE, 0 },
	{ "Trap", JITK_RET_TRAP, DATA_OPTIONAL, 0xffff },
	{ "Trace", JITK_RET_TRACE, DATA_OPTIONAL, 0xffff },
	/* The kernel returns -min(data, 4095) (MAX_ERRNO); a larger value
	 * would silently mean 4095, so it is refused. */
	{ "Errno", JITK_RET_ERRNO, DATA_REQUIRED, 4095 },
};
#define NACTIONS (sizeof actions / sizeof *actions)

/* action = "Allow" | "Kill" | "KillProcess" | "KillThread" | "Log" | "Notify"
 *        | "Trap" [ const ] | "Trace" [ const ] | "Errno" const */
static jitk_err action(struct parser *P, uint32_t *ret, const struct cval **cv)
{
	*cv = NULL;
	const struct scpl_tok *t = peek(P);
	if (t->kind != SCPL_TK_IDENT)
		return expected(
			P, "an action",
			"actions: Allow, Kill, KillProcess, KillThread, Log, Notify, Trap, Trace, Errno");
	char name[SCPL_MAX_IDENT + 1];
	tok_text(P, t, name, sizeof name);
	size_t a = NACTIONS;
	for (size_t i = 0; i < NACTIONS; i++)
		if (strcmp(name, actions[i].name) == 0)
			a = i;
	jitk_err e;
	if (a == NACTIONS) {
		const char *names[NACTIONS];
		for (size_t i = 0; i < NACTIONS; i++)
			names[i] = actions[i].name;
		e = scpl_err_at(P, t, JITK_E_NAME, "unknown action '%s'", name);
		const char *s = closest(name, names, NACTIONS);
		if (s)
			scpl_hint(P, "did you mean %s?", s);
		else
			scpl_hint(P,
				  "actions: Allow, Kill, KillProcess, KillThread, Log, Notify, Trap, Trace, Errno");
		return e;
	}
	next(P);
	*ret = actions[a].ret;
	if (actions[a].data == DATA_NONE) {
		if (peek(P)->kind == SCPL_TK_NUM || is(P, peek(P), "-")) {
			e = scpl_err_at(P, peek(P), JITK_E_PARSE, "%s takes no value", name);
			scpl_hint(P, "only Errno, Trap and Trace carry a value");
			return e;
		}
		return JITK_OK;
	}
	if (!const_starts(P)) {
		if (actions[a].data == DATA_OPTIONAL)
			return JITK_OK;
		e = expected(P, "an errno value after Errno", "write e.g. Errno EPERM or Errno 1");
		return e;
	}
	struct cval v;
	if ((e = constant(P, &v)))
		return e;
	/* Every ABI's value must fit; which ABIs' the action takes is known
	 * once the policy is read (scpl_resolve.c, action_data). */
	bool differs = v.missing != 0, big = v.v > actions[a].max;
	for (int k = 0; k < JITK_ARCH__COUNT; k++)
		if (!(v.missing >> k & 1)) {
			differs |= v.abi[k] != v.v;
			big |= v.abi[k] > actions[a].max;
		}
	if (big) {
		char txt[48];
		size_t n = v.end - v.off < sizeof txt - 1 ? v.end - v.off : sizeof txt - 1;
		memcpy(txt, cur_src(P)->text + v.off, n);
		txt[n] = '\0';
		e = scpl_err_range(P, P->cur, v.off, v.end - v.off, JITK_E_RANGE,
				   "%s value %s is out of range (0..%u)", name, txt,
				   (unsigned)actions[a].max);
		if (actions[a].data == DATA_REQUIRED)
			scpl_hint(P, "the kernel clamps errno values above 4095 (MAX_ERRNO)");
		else
			scpl_hint(P, "SECCOMP_RET_DATA holds 16 bits");
		return e;
	}
	*ret |= (uint32_t)v.v;
	if (differs && !(*cv = arena_dup(P, &v, 1, sizeof v)))
		return scpl_nomem(P);
	return JITK_OK;
}

/* syscalls = sysref | "[" sysref { ";" sysref } [ ";" ] "]" */
static jitk_err syscalls(struct parser *P, struct prule *r)
{
	(void)r; /* references go to P->refs from r->ref0 on */
	if (!accept(P, "["))
		return sysref(P);
	jitk_err e;
	if (is(P, peek(P), "]")) {
		e = scpl_err_at(P, peek(P), JITK_E_PARSE, "empty syscall list");
		scpl_hint(P, "list at least one syscall");
		return e;
	}
	if ((e = sysref(P)))
		return e;
	while (accept(P, ";")) {
		if (is(P, peek(P), "]"))
			break;
		if ((e = sysref(P)))
			return e;
	}
	return expect(P, "]", "';' or ']'", "expected ';' or ']' after a syscall");
}

/* sysref = ident | number.  Resolved later, once the arch list is known. */
static jitk_err sysref(struct parser *P)
{
	const struct scpl_tok *t = peek(P);
	struct sref s = { .src = P->cur, .tok = P->pos };
	if (t->kind == SCPL_TK_NUM) {
		/* seccomp_data.nr is an int; negative numbers never name a
		 * syscall (-1 is "skip" for tracers). */
		if (t->num > INT32_MAX) {
			jitk_err e = scpl_err_at(P, t, JITK_E_RANGE,
						 "syscall number %.*s is out of range (0..2147483647)",
						 (int)(t->len > 24 ? 24 : t->len), cur_src(P)->text + t->off);
			scpl_hint(P, "seccomp_data.nr is an int; negative numbers are never syscalls");
			return e;
		}
		s.is_num = true;
		s.nr = (uint32_t)t->num;
	} else if (is(P, t, "-") && peek_at(P, 1)->kind == SCPL_TK_NUM) {
		/* Say what was written, sign included: "-1", not "'-'". */
		const struct scpl_tok *n = peek_at(P, 1);
		jitk_err e = scpl_err_range(P, P->cur, t->off, n->off + n->len - t->off, JITK_E_RANGE,
					    "syscall number -%.*s is out of range (0..2147483647)",
					    (int)(n->len > 24 ? 24 : n->len), cur_src(P)->text + n->off);
		scpl_hint(P, "seccomp_data.nr is an int; negative numbers are never syscalls");
		return e;
	} else if (t->kind != SCPL_TK_IDENT) {
		return expected(P, "a syscall name or number",
				"e.g. syscall = read or syscall = [SYS_read; 1]");
	}
	next(P);
	if (!array_grow((void **)&P->refs, &P->caprefs, P->nrefs + 1, sizeof *P->refs))
		return scpl_nomem(P);
	P->refs[P->nrefs++] = s;
	return JITK_OK;
}

static struct pol_cond *new_cond(struct parser *P, enum pol_kind kind)
{
	struct pol_cond *c = arena_alloc(&P->arena, sizeof *c);
	if (c)
		c->kind = kind;
	return c;
}

/* A POL_CMP node: the template of a comparison, with all its constants
 * zero on every ABI (scpl_parse.h, struct pcmp). */
static struct pcmp *new_cmp(struct parser *P)
{
	struct pcmp *pc = arena_alloc(&P->arena, sizeof *pc);
	if (pc) {
		memset(pc, 0, sizeof *pc);
		pc->c.kind = POL_CMP;
		pc->mask.src = pc->value.src = P->cur;
	}
	return pc;
}

/* A balanced tree of kind over v[lo..hi): chains of && or || do not make
 * the tree (and every recursive consumer of it) deep. */
static const struct pol_cond *balanced(struct parser *P, enum pol_kind kind, const struct pol_cond **v,
				       size_t lo, size_t hi)
{
	if (hi - lo == 1)
		return v[lo];
	size_t mid = lo + (hi - lo) / 2;
	const struct pol_cond *l = balanced(P, kind, v, lo, mid);
	const struct pol_cond *r = balanced(P, kind, v, mid, hi);
	struct pol_cond *c = l && r ? new_cond(P, kind) : NULL;
	if (c) {
		c->l = l;
		c->r = r;
	}
	return c;
}

/* Shared by cond and andcond: sub { op sub }, built balanced. */
static jitk_err chain(struct parser *P, const char *op, enum pol_kind kind,
		      jitk_err (*sub)(struct parser *, const struct pol_cond **), const struct pol_cond **out)
{
	const struct pol_cond **v = NULL;
	size_t n = 0, cap = 0;
	jitk_err e;
	do {
		if (!array_grow((void **)&v, &cap, n + 1, sizeof *v)) {
			free(v);
			return scpl_nomem(P);
		}
		if ((e = sub(P, &v[n]))) {
			free(v);
			return e;
		}
		n++;
	} while (accept(P, op));
	*out = balanced(P, kind, v, 0, n);
	free(v);
	return *out ? JITK_OK : scpl_nomem(P);
}

/* cond = andcond { "||" andcond } */
static jitk_err cond(struct parser *P, const struct pol_cond **out)
{
	return chain(P, "||", POL_OR, andcond, out);
}

/* andcond = unary { "&&" unary } */
static jitk_err andcond(struct parser *P, const struct pol_cond **out)
{
	return chain(P, "&&", POL_AND, unary, out);
}

/* Whether the '(' at the next token opens a masked operand "(argref & ...". */
static bool masked_operand_ahead(struct parser *P)
{
	if (is(P, peek_at(P, 1), "low32") || is(P, peek_at(P, 1), "reg64"))
		return is(P, peek_at(P, 5), "&");
	return is(P, peek_at(P, 2), "&");
}

/* unary = "!" unary | "(" cond ")" | compare | "true" | "false" */
static jitk_err unary(struct parser *P, const struct pol_cond **out)
{
	const struct scpl_tok *t = peek(P);
	jitk_err e;
	/* 64 levels of '!' and '(' are fine (docs/scpl.md); the 65th operator
	 * is refused, and the message points at it. */
	bool nests = is(P, t, "!") || (is(P, t, "(") && !masked_operand_ahead(P));
	if (nests && P->depth >= SCPL_MAX_COND_DEPTH) {
		e = scpl_err_at(P, t, JITK_E_RANGE, "condition nested too deeply (more than %d levels)",
				SCPL_MAX_COND_DEPTH);
		scpl_hint(P, "simplify the condition");
		return e;
	}
	P->depth++;
	if (accept(P, "!")) {
		const struct pol_cond *x;
		struct pol_cond *c;
		e = unary(P, &x);
		if (!e && !(c = new_cond(P, POL_NOT)))
			e = scpl_nomem(P);
		if (!e) {
			c->l = x;
			*out = c;
		}
	} else if (is(P, t, "(") && !masked_operand_ahead(P)) {
		next(P);
		e = cond(P, out);
		if (!e)
			e = expect(P, ")", "')'", "expected ')' to close '('");
	} else if (is(P, t, "true") || is(P, t, "false")) {
		/* There is no constant node in pol_cond: true is encoded as
		 * (arg0 & 0) == 0 and false as (arg0 & 0) != 0. */
		struct pcmp *pc = new_cmp(P);
		if (!pc) {
			e = scpl_nomem(P);
		} else {
			pc->c.op = is(P, t, "true") ? POL_EQ : POL_NE;
			pc->c.mask = 0;
			pc->c.value = 0;
			pc->has_mask = true;
			*out = &pc->c;
			next(P);
			e = JITK_OK;
		}
	} else {
		e = compare(P, out);
	}
	P->depth--;
	return e;
}

static const struct {
	const char *s;
	enum pol_op op;
} relops[] = {
	{ "==", POL_EQ }, { "!=", POL_NE }, { "<", POL_LT },
	{ "<=", POL_LE }, { ">", POL_GT },  { ">=", POL_GE },
};

/* compare = operand relop const.  The constants are only read here; that
 * they fit the parameter they are compared with is checked per ABI and
 * syscall once those are known (scpl_resolve.c). */
static jitk_err compare(struct parser *P, const struct pol_cond **out)
{
	struct pcmp *pc = new_cmp(P);
	if (!pc)
		return scpl_nomem(P);
	struct pol_cond *c = &pc->c;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		pc->mask.abi[a] = UINT64_MAX;
	pc->mask.v = UINT64_MAX;
	jitk_err e;
	if (is(P, peek(P), "(")) {
		/* operand = "(" argref "&" const ")" */
		next(P);
		if ((e = argref(P, c)))
			return e;
		if ((e = expect(P, "&", "'&'", "a masked operand is written (argN & MASK)")))
			return e;
		if ((e = constant(P, &pc->mask)))
			return e;
		pc->has_mask = true;
		if ((e = expect(P, ")", "')'", "a masked operand is written (argN & MASK) == VALUE")))
			return e;
	} else if ((e = operand(P, c))) {
		return e;
	}
	const struct scpl_tok *t = peek(P);
	size_t i;
	for (i = 0; i < sizeof relops / sizeof *relops; i++)
		if (is(P, t, relops[i].s))
			break;
	if (i == sizeof relops / sizeof *relops)
		return expected(P, "a comparison (==, !=, <, <=, >, >=)",
				is(P, t, "=") ? "use '==' to compare"
					      : "a comparison is written argN OP VALUE, e.g. arg0 == 1");
	c->op = relops[i].op;
	next(P);
	if ((e = constant(P, &pc->value)))
		return e;
	c->mask = pc->mask.v;
	c->value = pc->value.v;
	*out = c;
	return JITK_OK;
}

/* operand = argref | "(" argref "&" const ")".  The masked form is
 * handled by compare, which owns the mask; here only the plain argref. */
static jitk_err operand(struct parser *P, struct pol_cond *c)
{
	return argref(P, c);
}

/* The N of an identifier "argN", or -1 if it is not of that form. */
static long arg_index(struct parser *P, const struct scpl_tok *t)
{
	if (t->kind != SCPL_TK_IDENT || t->len < 4)
		return -1;
	const char *s = cur_src(P)->text + t->off;
	if (memcmp(s, "arg", 3) != 0)
		return -1;
	long n = 0;
	for (size_t i = 3; i < t->len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (n < 1000)
			n = n * 10 + (s[i] - '0');
	}
	return n;
}

/* argref = "arg0" | ... | "arg5" | "low32" "(" argN ")" | "reg64" "(" argN ")" */
static jitk_err argref(struct parser *P, struct pol_cond *c)
{
	jitk_err e;
	bool low32 = is(P, peek(P), "low32"), reg64 = is(P, peek(P), "reg64");
	const char *fn = low32 ? "write low32(argN)" : reg64 ? "write reg64(argN)" : NULL;
	if (fn) {
		next(P);
		if ((e = expect(P, "(", "'('", fn)))
			return e;
	}
	const struct scpl_tok *t = peek(P);
	long n = arg_index(P, t);
	if (n < 0)
		return expected(P, fn ? "an argument arg0..arg5" : "a condition",
				"a comparison is written argN OP VALUE, low32(argN) OP VALUE, "
				"reg64(argN) OP VALUE or (argN & MASK) OP VALUE");
	if (n > 5) {
		e = scpl_err_at(P, t, JITK_E_RANGE, "argument index %ld out of range (arg0..arg5)", n);
		scpl_hint(P, "syscalls have at most 6 arguments");
		return e;
	}
	next(P);
	if (fn && (e = expect(P, ")", "')'", fn)))
		return e;
	c->arg = (uint8_t)n;
	c->low32 = low32;
	c->reg64 = reg64;
	return JITK_OK;
}

/* const = cterm { "|" cterm }, on every ABI at once. */
static jitk_err constant(struct parser *P, struct cval *out)
{
	memset(out, 0, sizeof *out);
	out->src = P->cur;
	out->off = peek(P)->off;
	jitk_err e;
	do {
		struct cval x;
		if ((e = cterm(P, &x)))
			return e;
		out->v |= x.v;
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			out->abi[a] |= x.abi[a];
		if (x.missing && !out->missing) {
			out->miss_off = x.miss_off;
			out->miss_len = x.miss_len;
		}
		out->missing |= x.missing;
	} while (accept(P, "|"));
	const struct scpl_tok *last = &cur_src(P)->toks[P->pos - 1];
	out->end = last->off + last->len;
	return JITK_OK;
}

/* Closest known constant or errno name to name, or NULL. */
static const char *closest_const(const char *name)
{
	struct closest near;
	closest_init(&near, name, SIZE_MAX);
	const struct tbl_const *tables[] = { tbl_abis[JITK_ARCH_X86_64].consts, tbl_errno };
	for (size_t k = 0; k < 2; k++)
		for (const struct tbl_const *c = tables[k]; c->name; c++)
			closest_try(&near, c->name);
	return closest_plausible(&near);
}

/* cterm = number | "-" number | ident.  Constants are 64-bit; "-N" is the
 * two's complement.  Identifiers are errno names (the same on every ABI) or
 * the flag constants generated from each ABI's headers
 * (jitk_const_value_arch): a name unknown on every ABI is an error here; one
 * some ABIs lack is marked missing there, an error only if a rule that
 * uses it applies to such an ABI (scpl_resolve.c). */
static jitk_err cterm(struct parser *P, struct cval *out)
{
	const struct scpl_tok *t = peek(P);
	jitk_err e;
	memset(out, 0, sizeof *out);
	uint64_t v;
	if (is(P, t, "-")) {
		next(P);
		const struct scpl_tok *n = peek(P);
		if (n->kind != SCPL_TK_NUM)
			return expected(P, "a number after '-'", "only numbers can be negated, e.g. -1");
		if (n->num > (uint64_t)1 << 63) {
			e = scpl_err_range(P, P->cur, t->off, n->off + n->len - t->off, JITK_E_RANGE,
					   "negative number does not fit in 64 bits");
			scpl_hint(P, "the smallest is -0x8000000000000000");
			return e;
		}
		next(P);
		v = (uint64_t)0 - n->num;
	} else if (t->kind == SCPL_TK_NUM) {
		next(P);
		v = t->num;
	} else if (t->kind != SCPL_TK_IDENT) {
		return expected(P, "a number or a constant name",
				"a value is a number, -number or a name (EPERM, O_RDONLY), joined with '|'");
	} else {
		char name[SCPL_MAX_IDENT + 1];
		tok_text(P, t, name, sizeof name);
		/* An errno name has each ABI's value (<asm/errno.h>: ENOSYS is 89
		 * on mips), as the other constants do. */
		bool is_errno = false;
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			is_errno |= errno_value_arch((jitk_arch)a, name) >= 0;
		bool any = false;
		for (int a = 0; a < JITK_ARCH__COUNT; a++) {
			bool have;
			if (is_errno) {
				int ev = errno_value_arch((jitk_arch)a, name);
				have = ev >= 0;
				if (have)
					out->abi[a] = (uint64_t)ev;
			} else {
				have = jitk_const_value_arch((jitk_arch)a, name, &out->abi[a]);
			}
			if (have)
				any = true;
			else
				out->missing |= 1u << a;
		}
		if (!any) { /* never for an errno name: some ABI has it */
			e = scpl_err_at(P, t, JITK_E_NAME, "unknown constant '%s'", name);
			const char *s = closest_const(name);
			if (s)
				scpl_hint(P, "did you mean %s?", s);
			else
				scpl_hint(P,
					  "constants are errno names (EPERM) and flags from each ABI's kernel headers (O_RDONLY, PROT_EXEC, ...)");
			return e;
		}
		out->miss_off = t->off;
		out->miss_len = t->len;
		/* v: x86_64's value, else that of the first ABI that has one. */
		for (int a = JITK_ARCH__COUNT; a-- > 0;)
			if (!(out->missing >> a & 1))
				out->v = out->abi[a];
		next(P);
		return JITK_OK;
	}
	out->v = v;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		out->abi[a] = v;
	return JITK_OK;
}

static void parser_free(struct parser *P)
{
	for (size_t i = 0; i < P->nsrcs; i++) {
		struct src *S = P->srcs[i];
		if (S->own_text)
			free(S->text);
		free(S->name);
		free(S->real);
		free(S->toks);
		free(S);
	}
	free(P->srcs);
	free(P->rules);
	free(P->refs);
	arena_free(P->arena);
}

/* lim with every 0 field replaced by its default. */
static jitk_policy_limits limits_of(const jitk_policy_limits *lim)
{
	jitk_policy_limits l = lim ? *lim : (jitk_policy_limits){ 0 };
	if (!l.max_input)
		l.max_input = JITK_MAX_INPUT;
	if (!l.max_total)
		l.max_total = l.max_input;
	if (!l.max_rules)
		l.max_rules = JITK_MAX_RULES;
	return l;
}

jitk_err jitk_policy_parse(const char *text, size_t len, const char *filename, jitk_policy **out,
			   jitk_diag *d)
{
	return jitk_policy_parse_limited(text, len, filename, NULL, out, d);
}

jitk_err jitk_policy_parse_limited(const char *text, size_t len, const char *filename,
				   const jitk_policy_limits *lim, jitk_policy **out, jitk_diag *d)
{
	diag_clear(d);
	if (!out || (!text && len))
		return diag_err(d, JITK_E_INVAL, "jitk_policy_parse: NULL argument");
	*out = NULL;
	if (!text)
		text = "";
	/* The one entry point: an OCI/Docker JSON profile goes to oci.c,
	 * which translates it to SCPL and comes back here. */
	if (jitk_is_profile(text, len))
		return jitk_policy_parse_opts(text, len, filename, NULL, out, d);
	struct parser P = { .d = d, .lim = limits_of(lim) };
	/* Defaults: the native ABI only; anything else is killed. */
	P.arch[JITK_ARCH_X86_64] = true;
	P.foreign_action = JITK_RET_KILL_PROCESS;

	jitk_err e = JITK_E_NOMEM;
	struct src *S = calloc(1, sizeof *S);
	if (!S || !array_grow((void **)&P.srcs, &P.capsrcs, 1, sizeof *P.srcs)) {
		free(S);
		e = scpl_nomem(&P);
		goto done;
	}
	P.srcs[P.nsrcs++] = S;
	S->text = (char *)text; /* borrowed, never written or freed */
	S->len = len;
	S->name = strdup(filename ? filename : "");
	if (!S->name) {
		e = scpl_nomem(&P);
		goto done;
	}
	if (filename)
		S->real = realpath(filename, NULL);
	P.inc_stack[P.ninc++] = 0;
	if ((e = scpl_lex(S->text, S->len, S->name, &S->toks, &S->ntoks, d)))
		goto done;
	if ((e = policy(&P)) || (e = scpl_keep_sources(&P)))
		goto done;
	e = scpl_resolve(&P, filename, out);
	if (!e) {
		/* In the arena scpl_resolve handed to the policy. */
		(*out)->sources = P.kept;
		(*out)->nsources = P.nkept;
	}
done:
	parser_free(&P);
	return e;
}

jitk_err jitk_policy_load(const char *path, jitk_policy **out, jitk_diag *d)
{
	return jitk_policy_load_limited(path, NULL, out, d);
}

jitk_err jitk_policy_load_limited(const char *path, const jitk_policy_limits *lim, jitk_policy **out,
				  jitk_diag *d)
{
	diag_clear(d);
	if (!path || !out)
		return diag_err(d, JITK_E_INVAL, "jitk_policy_load: NULL argument");
	*out = NULL;
	char *text;
	size_t len;
	jitk_policy_limits l = limits_of(lim);
	jitk_err e = read_file(path, l.max_input, false, &text, &len, d);
	if (e)
		return e;
	e = jitk_policy_parse_limited(text, len, path, &l, out, d);
	free(text);
	return e;
}

size_t jitk_policy_nwarnings(const jitk_policy *p)
{
	return p ? p->nwarnings : 0;
}

const jitk_diag *jitk_policy_warning(const jitk_policy *p, size_t i)
{
	return p && i < p->nwarnings ? &p->warnings[i] : NULL;
}

void jitk_policy_free(jitk_policy *p)
{
	if (!p)
		return;
	arena_free(p->arena);
	free(p);
}
