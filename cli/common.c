/* common.c - helpers every jitk subcommand uses: reporting, filter I/O. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
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

void cli_report(const char *what, jitk_err err, const jitk_diag *d)
{
	const char *msg = d && d->msg[0] ? d->msg : jitk_strerror(err);
	const char *file = d && d->file[0] ? d->file : what;
	if (d && d->line) {
		fprintf(stderr, "%s:%u:%u: error: %s\n", file, d->line, d->col, msg);
		if (d->src_line[0] || d->col == 1) {
			fprintf(stderr, "  %s\n  ", d->src_line);
			for (unsigned i = 1; i < d->col; i++)
				fputc(' ', stderr);
			fputc('^', stderr);
			for (unsigned i = 1; i < d->span; i++)
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
			fprintf(stderr, "%s: error: %s", file ? file : "jitk", msg);
		else
			fprintf(stderr, "%s: %s: error: %s", file ? file : "jitk", where, msg);
		if (d->rule[0] && !strstr(msg, d->rule))
			fprintf(stderr, " [%s]", d->rule);
		fputc('\n', stderr);
	} else {
		fprintf(stderr, "%s: error: %s\n", file ? file : "jitk", msg);
	}
	if (d && d->hint[0])
		fprintf(stderr, "  hint: %s\n", d->hint);
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

static bool looks_like_text(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
			return false;
		if (c >= 0x7f)
			return false;
	}
	return true;
}

/* The whole of path ("-": standard input), or NULL after printing why. */
static char *slurp(const char *path, size_t *len)
{
	char *buf;
	jitk_diag d;
	if (jitk_read_file(strcmp(path, "-") ? path : "/dev/stdin", &buf, len, &d)) {
		cli_error("%s", d.msg);
		return NULL;
	}
	return buf;
}

jitk_filter *cli_read_filter(const char *path, enum cli_format fmt)
{
	size_t len;
	char *buf = slurp(path, &len);
	if (!buf)
		return NULL;
	if (fmt == FMT_AUTO) {
		if (cli_ends_with(path, ".s") || cli_ends_with(path, ".asm") || cli_ends_with(path, ".bpfasm"))
			fmt = FMT_TEXT;
		else if (cli_ends_with(path, ".bpf") || cli_ends_with(path, ".bin"))
			fmt = FMT_RAW;
		else
			fmt = len && looks_like_text(buf, len) ? FMT_TEXT : FMT_RAW;
	}
	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_err err = fmt == FMT_TEXT ? jitk_asm(buf, len, path, &f, &d)
				       : jitk_decode(buf, len, &f, &d);
	free(buf);
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", path);
		cli_report(path, err, &d);
		return NULL;
	}
	return f;
}

int cli_write_bytes(const char *path, const void *buf, size_t len)
{
	if (!strcmp(path, "-")) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout))
			return cli_error("cannot write to standard output");
		return CLI_OK;
	}
	/* Write beside the target, then rename: readers never see a partial
	 * file, and a failed run leaves whatever was there before. */
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	if (!tmp)
		return cli_error("out of memory");
	snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return cli_error("cannot write %s: %s", path, strerror(e));
	}
	const char *p = buf;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		left -= (size_t)w;
	}
	int e = left ? errno : 0;
	if (!left && fchmod(fd, 0644) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		free(tmp);
		return cli_error("cannot write %s: %s", path, strerror(e ? e : EIO));
	}
	free(tmp);
	return CLI_OK;
}

int cli_write_filter(const char *path, const jitk_filter *f, enum cli_format fmt,
		     const char *c_name)
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
	jitk_err err = fmt == FMT_C	? jitk_format_c(f, c_name ? c_name : "filter", &text)
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
