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

#include <stdlib.h>
#include <string.h>

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

/* Line n of file, without its newline; false if unreadable. */
static bool source_line(const char *file, unsigned n, char *buf, size_t cap)
{
	FILE *fp = fopen(file, "r");
	if (!fp)
		return false;
	unsigned line = 1;
	bool ok = false;
	while (fgets(buf, (int)cap, fp)) {
		if (line == n) {
			buf[strcspn(buf, "\n")] = '\0';
			ok = true;
			break;
		}
		if (strchr(buf, '\n'))
			line++;
	}
	fclose(fp);
	return ok;
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
		if (d->line && source_line(d->file, d->line, src, sizeof src)) {
			fprintf(stderr, "  %s\n  ", src);
			for (unsigned c = 1; c < d->col; c++)
				fputc(src[c - 1] == '\t' ? '\t' : ' ', stderr);
			fprintf(stderr, "^\n");
		}
		if (d->hint[0])
			fprintf(stderr, "  hint: %s\n", d->hint);
		fprintf(stderr, "  (silence with --no-warn %s)\n", d->rule);
	}
	if (cached)
		free(w);
	else
		jitk_free(w);
	return shown;
}
