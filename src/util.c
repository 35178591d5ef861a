/* util.c - diagnostics, strings and files shared by every stage. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const err_text[JITK_E__COUNT] = {
	[JITK_OK] = "success",
	[JITK_E_NOMEM] = "out of memory",
	[JITK_E_IO] = "input/output error",
	[JITK_E_INVAL] = "invalid argument",
	[JITK_E_PARSE] = "syntax error",
	[JITK_E_NAME] = "unknown name",
	[JITK_E_RANGE] = "value out of range",
	[JITK_E_FORMAT] = "malformed binary filter",
	[JITK_E_CHECK] = "rejected by the seccomp checker",
	[JITK_E_TOO_BIG] = "program too large",
	[JITK_E_KERNEL] = "refused by the kernel",
	[JITK_E_UNSUPPORTED] = "not supported on this host",
	[JITK_E_DIFFERENT] = "the two sides differ",
	[JITK_E_SOLVER] = "solver gave no answer",
	[JITK_E_JIT] = "JIT image rejected by the validator",
};

const char *jitk_strerror(jitk_err err)
{
	if ((unsigned)err >= JITK_E__COUNT)
		return "unknown error";
	return err_text[err];
}

void jitk_free(void *p)
{
	free(p);
}

void str_copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void diag_clear(jitk_diag *d)
{
	if (!d)
		return;
	memset(d, 0, sizeof *d);
	d->index = -1;
}

static void diag_vmsg(jitk_diag *d, jitk_err err, const char *fmt, va_list ap)
{
	d->err = err;
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
}

jitk_err(diag_err)(jitk_diag *d, jitk_err err, const char *fmt, ...)
{
	if (d) {
		va_list ap;
		diag_clear(d);
		va_start(ap, fmt);
		diag_vmsg(d, err, fmt, ap);
		va_end(ap);
	}
	return err;
}

jitk_err(diag_insn)(jitk_diag *d, jitk_err err, long index, const char *rule, const char *fmt, ...)
{
	if (d) {
		va_list ap;
		diag_clear(d);
		d->index = index;
		str_copy(d->rule, sizeof d->rule, rule ? rule : "");
		va_start(ap, fmt);
		diag_vmsg(d, err, fmt, ap);
		va_end(ap);
	}
	return err;
}

jitk_err(diag_text)(jitk_diag *d, jitk_err err, const char *file, const char *text, size_t textlen,
		    size_t off, size_t span, const char *fmt, ...)
{
	if (!d)
		return err;
	diag_clear(d);
	str_copy(d->file, sizeof d->file, file ? file : "");
	if (off > textlen)
		off = textlen;
	size_t bol = off;
	while (bol > 0 && text[bol - 1] != '\n')
		bol--;
	size_t eol = off;
	while (eol < textlen && text[eol] != '\n')
		eol++;
	unsigned line = 1;
	for (size_t i = 0; i < bol; i++)
		line += text[i] == '\n';
	d->line = line;
	d->col = (unsigned)(off - bol) + 1;
	d->span = span ? (unsigned)span : 1;
	size_t n = eol - bol;
	if (n >= sizeof d->src_line)
		n = sizeof d->src_line - 1;
	memcpy(d->src_line, text + bol, n);
	d->src_line[n] = '\0';
	/* Tabs and control characters would break caret alignment. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)d->src_line[i] < 0x20)
			d->src_line[i] = ' ';
	va_list ap;
	va_start(ap, fmt);
	diag_vmsg(d, err, fmt, ap);
	va_end(ap);
	return err;
}

void diag_hint(jitk_diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->hint, sizeof d->hint, fmt, ap);
	va_end(ap);
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	if (sb->failed)
		return;
	for (;;) {
		va_list ap;
		size_t room = sb->cap - sb->len;
		va_start(ap, fmt);
		int n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->failed = true;
			return;
		}
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		size_t cap = sb->cap ? sb->cap * 2 : 256;
		while (cap - sb->len <= (size_t)n)
			cap *= 2;
		char *p = realloc(sb->buf, cap);
		if (!p) {
			sb->failed = true;
			return;
		}
		sb->buf = p;
		sb->cap = cap;
	}
}

jitk_err sb_finish(struct strbuf *sb, char **out)
{
	if (!sb->failed && !sb->buf)
		sb_printf(sb, "%s", "");
	if (sb->failed) {
		free(sb->buf);
		*sb = (struct strbuf){ 0 };
		return JITK_E_NOMEM;
	}
	*out = sb->buf;
	*sb = (struct strbuf){ 0 };
	return JITK_OK;
}

void size_text(size_t n, char *buf, size_t cap)
{
	if (n >= ((size_t)1 << 20) && n % ((size_t)1 << 20) == 0)
		snprintf(buf, cap, "%zu MiB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, cap, "%zu KiB", n >> 10);
	else
		snprintf(buf, cap, "%zu bytes", n);
}

jitk_err read_file(const char *path, size_t max, bool regular_only, char **text, size_t *len, jitk_diag *d)
{
	/* O_NONBLOCK: opening a fifo must not wait for a writer before we
	 * know what the file is; reads of a regular file ignore it. */
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | (regular_only ? O_NONBLOCK : 0));
	struct stat st;
	int e = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		e = errno;
		ANALYZER_ASSUME(e != 0); /* a failed call sets errno */
	}
	if (!e && S_ISDIR(st.st_mode))
		e = EISDIR;
	if (e) {
		if (fd >= 0)
			close(fd);
		diag_err(d, JITK_E_IO, "cannot read %s: %s", path, strerror(e));
		if (d)
			d->sys_errno = e;
		return JITK_E_IO;
	}
	if (regular_only && !S_ISREG(st.st_mode)) {
		close(fd);
		return diag_err(d, JITK_E_IO, "%s is not a regular file", path);
	}
	/* Ask for one byte more than max, to tell "max" from "larger". */
	size_t cap = S_ISREG(st.st_mode) && st.st_size >= 0 && (uint64_t)st.st_size < max
			     ? (size_t)st.st_size + 2
			     : 65536;
	size_t n = 0;
	char *buf = malloc(cap);
	jitk_err err = JITK_OK;
	while (buf) {
		if (n == cap - 1) {
			if (n > max)
				break;
			size_t ncap = cap * 2 < max + 2 ? cap * 2 : max + 2;
			char *p = realloc(buf, ncap);
			if (!p) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
			cap = ncap;
		}
		/* cppcheck-suppress nullPointerArithmeticRedundantCheck ; the loop runs while buf != NULL */
		ssize_t got = read(fd, buf + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = diag_err(d, JITK_E_IO, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (!buf)
		return diag_err(d, JITK_E_NOMEM, "out of memory reading %s", path);
	if (!err && n > max) {
		char lim[32];
		size_text(max, lim, sizeof lim);
		err = diag_err(d, JITK_E_TOO_BIG, "%s is larger than the input limit of %s", path, lim);
	}
	if (err) {
		free(buf);
		return err;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return JITK_OK;
}

jitk_err jitk_read_file(const char *path, char **text, size_t *len, jitk_diag *d)
{
	if (!path || !text || !len)
		return diag_err(d, JITK_E_INVAL, "jitk_read_file: NULL argument");
	diag_clear(d);
	*text = NULL;
	return read_file(path, JITK_MAX_INPUT, false, text, len, d);
}

int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

void sort_u64(uint64_t *v, uint64_t *tmp, size_t n)
{
	/* runs of 8 by insertion, then bottom-up merges between v and tmp */
	for (size_t lo = 0; lo < n; lo += 8) {
		size_t hi = lo + 8 < n ? lo + 8 : n;
		for (size_t i = lo + 1; i < hi; i++) {
			uint64_t x = v[i];
			size_t j = i;
			for (; j > lo && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
	}
	uint64_t *src = v, *dst = tmp;
	for (size_t w = 8; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
}

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return (size_t)-1;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void closest_init(struct closest *c, const char *want, size_t limit)
{
	c->want = want;
	c->best = NULL;
	c->best_d = limit;
}

bool closest_try(struct closest *c, const char *cand)
{
	size_t d = edit_distance(c->want, cand);
	if (d >= c->best_d)
		return false;
	c->best_d = d;
	c->best = cand;
	return true;
}

const char *closest_plausible(const struct closest *c)
{
	size_t n = strlen(c->want);
	return c->best && c->best_d <= (n < 5 ? 1 : n / 3 + 1) ? c->best : NULL;
}
