/*
 * lint_report.c - print the policy warnings of jitk_lint for compile and
 * run (--werror, --no-warn NAME,...).
 *
 *   policy.scpl:4:5: warning: open is refused here on x86_64, but openat,
 *   which does the same job, is allowed (by default_action) [alias-refused]
 *     { action = Errno EACCES; syscall = open };
 *     ^
 *     hint: refuse openat as well, or allow both
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static const char *const lint_names[] = {
	"alias-refused", "shadowed-rule", "wide-compare",       "pointer-compare",
	"mux-refused",   "mux-bypass",    "notify-no-listener", "trace-no-tracer",
};
#define NLINT (sizeof lint_names / sizeof *lint_names)

bool cli_lint_parse(const char *list, struct cli_lint *l, char *bad, size_t cap)
{
	for (const char *p = list;;) {
		size_t n = strcspn(p, ",");
		size_t i;
		for (i = 0; i < NLINT; i++)
			if (strlen(lint_names[i]) == n && !strncmp(lint_names[i], p, n))
				break;
		if (!strncmp(p, "all", n) && n == 3) {
			l->off_mask = ~0u;
		} else if (i == NLINT) {
			snprintf(bad, cap, "%.*s", (int)n, p);
			return false;
		} else {
			l->off_mask |= 1u << i;
		}
		if (!p[n])
			return true;
		p += n + 1;
	}
}

unsigned cli_lint_bit(const char *name)
{
	for (size_t i = 0; i < NLINT; i++)
		if (!strcmp(lint_names[i], name))
			return 1u << i;
	return 0;
}

/*
 * The files the warnings quote, each read once: where every line starts,
 * so that quoting a line is one seek and one read.  Reading the file from
 * its start for each warning was quadratic (Tor's policy: 86 warnings,
 * 10,000 fgets calls, a fifth of `jitk compile --no-verify`).  The index
 * ends the same way fgets did: line n is the bytes after the (n-1)th
 * newline, and a file ending in a newline has no line after it.
 */
struct src_file {
	char *name;
	FILE *fp;     /* NULL: unreadable, no line is quoted */
	off_t *start; /* start[i]: the offset of line i + 1 */
	size_t nlines;
};

struct src_files {
	struct src_file *f;
	size_t n;
};

static bool index_lines(struct src_file *sf)
{
	size_t cap = 64;
	if (!(sf->start = malloc(cap * sizeof *sf->start)))
		return false;
	sf->start[0] = 0;
	sf->nlines = 1;
	char buf[4096];
	off_t base = 0;
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, sf->fp)) > 0) {
		for (const char *q = buf; (q = memchr(q, '\n', got - (size_t)(q - buf))); q++) {
			if (sf->nlines == cap) {
				off_t *s = realloc(sf->start, 2 * cap * sizeof *s);
				if (!s)
					return false;
				sf->start = s;
				cap *= 2;
			}
			sf->start[sf->nlines++] = base + (off_t)(q - buf) + 1;
		}
		base += (off_t)got;
	}
	return !ferror(sf->fp);
}

static struct src_file *src_file(struct src_files *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].name, name))
			return &fs->f[i];
	struct src_file *f = realloc(fs->f, (fs->n + 1) * sizeof *f);
	if (!f)
		return NULL;
	fs->f = f;
	struct src_file *sf = &f[fs->n];
	*sf = (struct src_file){ .name = strdup(name) };
	if (!sf->name)
		return NULL;
	fs->n++;
	sf->fp = fopen(name, "r");
	if (sf->fp && !index_lines(sf)) {
		fclose(sf->fp);
		sf->fp = NULL;
	}
	return sf;
}

static void src_files_free(struct src_files *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		if (fs->f[i].fp)
			fclose(fs->f[i].fp);
		free(fs->f[i].start);
		free(fs->f[i].name);
	}
	free(fs->f);
}

/* Line n of file, without its newline (its first cap - 1 bytes); false if
 * unreadable. */
static bool source_line(struct src_files *fs, const char *file, unsigned n, char *buf, size_t cap)
{
	struct src_file *sf = src_file(fs, file);
	if (!sf || !sf->fp || n == 0 || n > sf->nlines)
		return false;
	if (fseeko(sf->fp, sf->start[n - 1], SEEK_SET) || !fgets(buf, (int)cap, sf->fp))
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

int cli_lint_policy(const jitk_policy *p, const struct cli_lint *l, unsigned flags, const unsigned char *key)
{
	if (l->off_mask == ~0u)
		return 0;
	/* shadowed-rule is the one warning jitk_lint proves with Z3 (jitk.h):
	 * silenced, its proofs (seconds on a policy of many shadowed rules)
	 * are not made at all. */
	if (l->off_mask & cli_lint_bit("shadowed-rule"))
		flags |= JITK_LINT_NO_PROOFS;
	jitk_diag *w = NULL;
	size_t n = 0;
	/* From the proof cache: the same input, the same warnings. */
	bool cached = key && cli_cache_get_lint(key, flags, &w, &n);
	if (!cached && jitk_lint(p, flags, &w, &n)) {
		cli_error("out of memory checking the policy");
		return -1;
	}
	if (key && !cached)
		cli_cache_put_lint(key, flags, w, n);
	int shown = 0;
	struct src_files fs = { 0 };
	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < NLINT; k++)
			if (!strcmp(lint_names[k], w[i].rule))
				break;
		if (k < NLINT && (l->off_mask & (1u << k)))
			continue;
		shown++;
		const jitk_diag *d = &w[i];
		if (d->line)
			fprintf(stderr, "%s:%u:%u: %s: %s [%s]\n", d->file, d->line, d->col,
				l->werror ? "error" : "warning", d->msg, d->rule);
		else
			fprintf(stderr, "%s: %s: %s [%s]\n", d->file, l->werror ? "error" : "warning",
				d->msg, d->rule);
		char src[256];
		if (d->line && source_line(&fs, d->file, d->line, src, sizeof src)) {
			fprintf(stderr, "  %s\n  ", src);
			/* Under a tab, a tab; past the quoted text (a line longer
			 * than src), spaces. */
			size_t len = strlen(src);
			for (unsigned c = 1; c < d->col; c++)
				fputc(c - 1 < len && src[c - 1] == '\t' ? '\t' : ' ', stderr);
			fprintf(stderr, "^\n");
		}
		if (d->hint[0])
			fprintf(stderr, "  hint: %s\n", d->hint);
		fprintf(stderr, "  (silence with --no-warn %s)\n", d->rule);
	}
	src_files_free(&fs);
	if (cached)
		free(w);
	else
		jitk_free(w);
	return shown;
}
