/* common.c - helpers every jitk subcommand uses: reporting, reading policies
 * and filters (through io.c), option values. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("jitk: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_FAIL;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if the
 * byte there does not start one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Print n bytes of s as the terminal should see them: valid UTF-8 as is,
 * every control character or invalid byte as '?' (input text is never
 * echoed raw: it could hold terminal escapes).  Returns the number of
 * columns; fp NULL only counts them. */
static unsigned put_clean(const char *s, size_t n, FILE *fp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cols = 0;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_len(u + i, n - i);
		if (l == 0 || u[i] < 0x20 || u[i] == 0x7f) {
			if (fp)
				fputc(u[i] == '\t' ? ' ' : '?', fp);
			i++;
		} else {
			if (fp)
				fwrite(u + i, 1, l, fp);
			i += l;
		}
		cols++;
	}
	return cols;
}

static void puts_clean(const char *s, FILE *fp)
{
	put_clean(s, strlen(s), fp);
}

/* A located diagnostic of the library as an error or a warning (kind). */
static void report_as(const char *kind, const char *what, jitk_err err, const jitk_diag *d)
{
	const char *msg = d && d->msg[0] ? d->msg : jitk_strerror(err);
	const char *file = d && d->file[0] ? d->file : what;
	if (!file)
		file = "jitk";
	puts_clean(file, stderr);
	if (d && d->line) {
		fprintf(stderr, ":%u:%u: %s: ", d->line, d->col, kind);
		puts_clean(msg, stderr);
		fputc('\n', stderr);
		if (d->src_line[0] || d->col == 1) {
			/* The caret counts characters, not bytes, so it stays
			 * under the token after a multi-byte character. */
			size_t n = strlen(d->src_line);
			size_t c0 = d->col - 1 < n ? d->col - 1 : n;
			size_t c1 = c0 + (d->span ? d->span : 1);
			if (c1 > n)
				c1 = n;
			fputs("  ", stderr);
			put_clean(d->src_line, n, stderr);
			fputs("\n  ", stderr);
			unsigned pre = put_clean(d->src_line, c0, NULL);
			unsigned width = put_clean(d->src_line + c0, c1 - c0, NULL);
			for (unsigned i = 0; i < pre; i++)
				fputc(' ', stderr);
			fputc('^', stderr);
			for (unsigned i = 1; i < width; i++)
				fputc('~', stderr);
			fputc('\n', stderr);
		}
	} else if (d && d->index >= 0) {
		/* Instruction-level messages from the library may already name
		 * the instruction and the rule (they are meant to stand alone);
		 * add what is missing, never repeat it. */
		char where[48];
		snprintf(where, sizeof where, "instruction %ld", d->index);
		if (strstr(msg, where))
			fprintf(stderr, ": %s: ", kind);
		else
			fprintf(stderr, ": %s: %s: ", where, kind);
		puts_clean(msg, stderr);
		if (d->rule[0] && !strstr(msg, d->rule))
			fprintf(stderr, " [%s]", d->rule);
		fputc('\n', stderr);
	} else {
		fprintf(stderr, ": %s: ", kind);
		puts_clean(msg, stderr);
		fputc('\n', stderr);
	}
	if (d && d->hint[0]) {
		fputs("  hint: ", stderr);
		puts_clean(d->hint, stderr);
		fputc('\n', stderr);
	}
}

void cli_report(const char *what, jitk_err err, const jitk_diag *d)
{
	report_as("error", what, err, d);
}

void cli_warnings(const char *what, const jitk_policy *p)
{
	for (size_t i = 0; i < jitk_policy_nwarnings(p); i++)
		report_as("warning", what, JITK_OK, jitk_policy_warning(p, i));
}

int cli_parse_format(const char *s)
{
	if (!strcmp(s, "raw") || !strcmp(s, "bin"))
		return FMT_RAW;
	if (!strcmp(s, "text") || !strcmp(s, "asm"))
		return FMT_TEXT;
	if (!strcmp(s, "c"))
		return FMT_C;
	if (!strcmp(s, "dot"))
		return FMT_DOT;
	return -1;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool cli_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

enum cli_kind cli_sniff(const char *buf, size_t len)
{
	if (len == 0)
		return CLI_KIND_EMPTY;
	/* Raw struct sock_filter: whole instructions whose 16-bit code has a
	 * zero high byte (no opcode is above 0xff).  Text essentially never
	 * has a NUL at every 8th byte. */
	if (len % 8 == 0) {
		bool raw = true;
		for (size_t i = 0; i < len && i < 8 * 512 && raw; i += 8) {
			uint16_t code;
			memcpy(&code, buf + i, sizeof code);
			raw = code <= 0xff;
		}
		if (raw)
			return CLI_KIND_BINARY;
	}
	/* Anything else with a quarter of its bytes unprintable (an ELF, a
	 * gzip) is binary too; a text with a stray NUL or bad byte stays
	 * text, so the lexer can point at it. */
	size_t n = len < 4096 ? len : 4096, bad = 0;
	for (size_t i = 0; i < n;) {
		const unsigned char *u = (const unsigned char *)buf + i;
		size_t l = utf8_len(u, n - i);
		if (l == 0 || u[0] == 0 || (u[0] < 0x20 && !strchr("\t\n\r\f\v", u[0])) || u[0] == 0x7f) {
			bad++;
			i++;
		} else {
			i += l;
		}
	}
	if (bad * 4 > n)
		return CLI_KIND_BINARY;
	/* Skip blanks and comments of either language: SCPL '#', '//' and
	 * nested (* *), assembler ';' and '//' ('#' never starts an
	 * assembler line: it is the immediate sign). */
	size_t i = 0;
	while (i < len) {
		char c = buf[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			i++;
		} else if (c == '#' || c == ';' || (c == '/' && i + 1 < len && buf[i + 1] == '/')) {
			while (i < len && buf[i] != '\n')
				i++;
		} else if (c == '(' && i + 1 < len && buf[i + 1] == '*') {
			int depth = 0;
			while (i < len) {
				if (buf[i] == '(' && i + 1 < len && buf[i + 1] == '*')
					depth++, i += 2;
				else if (buf[i] == '*' && i + 1 < len && buf[i + 1] == ')') {
					i += 2;
					if (--depth == 0)
						break;
				} else
					i++;
			}
		} else {
			break;
		}
	}
	if (i == len)
		return CLI_KIND_EMPTY;
	if (buf[i] != '{')
		return CLI_KIND_ASM;
	for (i++; i < len && strchr(" \t\r\n", buf[i]); i++)
		;
	return i < len && buf[i] == '"' ? CLI_KIND_JSON : CLI_KIND_POLICY;
}

jitk_filter *cli_read_filter_as(const char *path, enum cli_format fmt, const char *hint)
{
	const char *name = cli_input_name(path);
	size_t len;
	char *buf = cli_read_input(path, &len);
	if (!buf)
		return NULL;
	/* The content decides; the name only when the content cannot
	 * (an empty file). */
	enum cli_kind kind = cli_sniff(buf, len);
	if (kind == CLI_KIND_POLICY || kind == CLI_KIND_JSON) {
		free(buf);
		cli_error("%s is %s, not a filter", name,
			  kind == CLI_KIND_POLICY ? "an SCPL policy" : "a JSON profile");
		fprintf(stderr, "  hint: %s\n",
			hint ? hint : "compile a policy first: jitk compile POLICY -o FILTER.bpf");
		return NULL;
	}
	if (fmt == FMT_TEXT && kind == CLI_KIND_BINARY) {
		free(buf);
		cli_error("%s holds binary data, not assembler text", name);
		fprintf(stderr, "  hint: %s\n",
			hint ? hint
			     : "a raw filter is read with --from raw (or disassembled with jitk disasm)");
		return NULL;
	}
	if (fmt == FMT_AUTO) {
		if (kind == CLI_KIND_BINARY)
			fmt = FMT_RAW;
		else if (kind == CLI_KIND_ASM)
			fmt = FMT_TEXT;
		else if (cli_ends_with(path, ".s") || cli_ends_with(path, ".asm") ||
			 cli_ends_with(path, ".bpfasm"))
			fmt = FMT_TEXT;
		else
			fmt = FMT_RAW;
	}
	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_err err = fmt == FMT_TEXT ? jitk_asm(buf, len, name, &f, &d) : jitk_decode(buf, len, &f, &d);
	free(buf);
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", name);
		cli_report(name, err, &d);
		return NULL;
	}
	return f;
}

jitk_filter *cli_read_filter(const char *path, enum cli_format fmt)
{
	return cli_read_filter_as(path, fmt, NULL);
}

jitk_policy *cli_read_policy_as(const char *path, const char *hint, jitk_err *errp)
{
	const char *name = cli_input_name(path);
	size_t len;
	if (errp)
		*errp = JITK_E_IO;
	char *buf = cli_read_input(path, &len);
	if (!buf)
		return NULL;
	enum cli_kind kind = cli_sniff(buf, len);
	if (kind == CLI_KIND_BINARY) {
		free(buf);
		cli_error("%s holds binary data (a raw filter?), not an SCPL policy", name);
		fprintf(stderr, "  hint: %s\n", hint ? hint : "a policy is SCPL text, see docs/scpl.md");
		return NULL;
	}
	jitk_policy *p = NULL;
	jitk_diag d;
	/* Includes are read with the same limit; all they splice in together
	 * is bounded by it too. */
	jitk_err err = cli_parse_policy_text(buf, len, name, &p, &d);
	free(buf);
	if (errp)
		*errp = err;
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", name);
		if (kind == CLI_KIND_ASM)
			snprintf(d.hint, sizeof d.hint,
				 "this looks like classic BPF assembler, not an SCPL policy%s%s",
				 hint ? "; " : "", hint ? hint : "");
		cli_report(name, err, &d);
		return NULL;
	}
	return p;
}

void cli_report_load(const char *name, jitk_err err, jitk_diag *d)
{
	if (!d->file[0] && !d->line && d->index < 0) {
		/* A file that could not be read: the message names it. */
		cli_error("%s", d->msg[0] ? d->msg : jitk_strerror(err));
		if (d->hint[0])
			fprintf(stderr, "  hint: %s\n", d->hint);
		return;
	}
	if (!d->file[0])
		snprintf(d->file, sizeof d->file, "%s", name);
	cli_report(name, err, d);
}

jitk_policy_limits cli_policy_limits(void)
{
	return (jitk_policy_limits){ .max_input = cli_max_input };
}

jitk_policy *cli_read_policy(const char *path)
{
	return cli_read_policy_as(path, NULL, NULL);
}

int cli_write_filter(const char *path, const jitk_filter *f, enum cli_format fmt, const char *c_name)
{
	if (fmt == FMT_AUTO)
		fmt = (!strcmp(path, "-") && isatty(STDOUT_FILENO)) ? FMT_TEXT : FMT_RAW;
	if (fmt == FMT_RAW) {
		size_t n = jitk_encoded_size(f);
		void *buf = malloc(n ? n : 1);
		if (!buf)
			return cli_error("out of memory");
		int rc = jitk_encode(f, buf, n) ? cli_error("cannot encode filter")
						: cli_write_bytes(path, buf, n);
		free(buf);
		return rc;
	}
	char *text = NULL;
	jitk_err err = fmt == FMT_C     ? jitk_format_c(f, c_name ? c_name : "filter", &text)
		       : fmt == FMT_DOT ? jitk_format_dot(f, c_name ? c_name : "filter", &text)
					: jitk_disasm(f, &text);
	if (err)
		return cli_error("cannot format filter: %s", jitk_strerror(err));
	int rc = cli_write_bytes(path, text, strlen(text));
	jitk_free(text);
	return rc;
}

static const struct {
	const char *name;
	unsigned flag;
} load_flags[] = {
	{ "log", JITK_LOAD_LOG },
	{ "spec_allow", JITK_LOAD_SPEC_ALLOW },
	{ "tsync", JITK_LOAD_TSYNC },
	{ "tsync_esrch", JITK_LOAD_TSYNC_ESRCH },
	{ "keep_privs", JITK_LOAD_KEEP_PRIVS },
};

bool cli_parse_load_flags(const char *s, unsigned *flags, char *bad, size_t cap)
{
	const char *p = s;
	for (;;) {
		size_t n = strcspn(p, ",");
		size_t i;
		for (i = 0; i < sizeof load_flags / sizeof *load_flags; i++) {
			const char *name = load_flags[i].name;
			size_t j;
			for (j = 0; j < n; j++)
				if ((p[j] == '-' ? '_' : p[j]) != name[j])
					break;
			if (j == n && name[n] == '\0')
				break;
		}
		if (i == sizeof load_flags / sizeof *load_flags) {
			snprintf(bad, cap, "%.*s", (int)n, p);
			return false;
		}
		*flags |= load_flags[i].flag;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

int cli_usage(const char *usage, const char *fmt, const char *arg)
{
	if (fmt) {
		fputs("jitk: error: ", stderr);
		fprintf(stderr, fmt, arg);
		fputc('\n', stderr);
	}
	/* The table's synopsis when usage names a command (its first word). */
	char name[32];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(usage, " "), usage);
	const struct cli_command *c = cli_find_command(name);
	if (c) {
		fputs("usage: jitk ", stderr);
		cli_synopsis(c, stderr);
		fprintf(stderr, "\n(jitk help %s: options and examples)\n", c->name);
	} else {
		fprintf(stderr, "usage: jitk %s\n", usage);
	}
	return CLI_USAGE;
}

const char *cli_opt_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

bool cli_is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

bool cli_parse_from(const char *s, enum cli_format *fmt)
{
	if (!strcmp(s, "auto")) {
		*fmt = FMT_AUTO;
		return true;
	}
	int f = cli_parse_format(s);
	if (f != FMT_RAW && f != FMT_TEXT)
		return false;
	*fmt = (enum cli_format)f;
	return true;
}

bool cli_parse_timeout(const char *s, unsigned *ms)
{
	uint64_t v;
	if (!s || !cli_parse_u64(s, &v) || v == 0 || v > 24u * 3600 * 1000)
		return false;
	*ms = (unsigned)v;
	return true;
}

bool cli_is_c_ident(const char *s)
{
	static const char *const keywords[] = {
		"auto",       "break",     "case",           "char",
		"const",      "continue",  "default",        "do",
		"double",     "else",      "enum",           "extern",
		"float",      "for",       "goto",           "if",
		"inline",     "int",       "long",           "register",
		"restrict",   "return",    "short",          "signed",
		"sizeof",     "static",    "struct",         "switch",
		"typedef",    "union",     "unsigned",       "void",
		"volatile",   "while",     "_Bool",          "_Complex",
		"_Imaginary", "_Alignas",  "_Alignof",       "_Atomic",
		"_Generic",   "_Noreturn", "_Static_assert", "_Thread_local",
	};
	size_t n = strlen(s);
	if (n == 0 || n > 63 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
		if (!strcmp(s, keywords[i]))
			return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}
