/*
 * io.c - the one way a jitk command reads or writes a file (cli.h).
 *
 * Reading: "-" is standard input; every input is read up to cli_max_input
 * bytes (16 MiB unless --max-input says otherwise) and refused beyond, so
 * /dev/zero or a fifo fed forever ends after that many bytes instead of
 * eating the machine.  Every regular file read is remembered, so that no
 * command can write its output over one of its inputs.
 *
 * Writing: a regular target is replaced atomically (a temporary file
 * beside it, then rename), keeping the old file's mode and, where
 * permitted, its owner; a symlink is followed and the file it names is
 * replaced, the link stays; anything else (a character device such as
 * /dev/null, a fifo) is opened and written in place, never renamed over.
 * While the temporary file exists, SIGINT, SIGTERM and SIGHUP remove it
 * before the process dies, and a file size limit (SIGXFSZ) is an error
 * like any other.  A failed write leaves the old target as it was.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

size_t cli_max_input = CLI_MAX_INPUT_DEFAULT;

const char *cli_input_name(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

/* ------------------------------------------------------------ inputs */

/* The regular files read so far (device, inode). */
static struct input_id {
	dev_t dev;
	ino_t ino;
} * inputs;
static size_t ninputs, capinputs;

static void note_input(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return;
	if (ninputs == capinputs) {
		size_t cap = capinputs ? capinputs * 2 : 8;
		struct input_id *p = realloc(inputs, cap * sizeof *p);
		if (!p)
			return; /* the output check is then weaker, nothing else */
		inputs = p;
		capinputs = cap;
	}
	inputs[ninputs++] = (struct input_id){ st->st_dev, st->st_ino };
}

static bool is_input(const struct stat *st)
{
	for (size_t i = 0; i < ninputs; i++)
		if (inputs[i].dev == st->st_dev && inputs[i].ino == st->st_ino)
			return true;
	return false;
}

/* "16 MiB", "1.5 KiB", "100 bytes". */
static void size_text(size_t n, char *buf, size_t cap)
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(buf, cap, "%zu MiB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, cap, "%zu KiB", n >> 10);
	else
		snprintf(buf, cap, "%zu bytes", n);
}

/* Fill d (no file: the message names it) and return NULL. */
static void fail(jitk_diag *d, jitk_err err, int sys, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(jitk_diag *d, jitk_err err, int sys, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	d->err = err;
	d->sys_errno = sys;
}

char *cli_read_input_diag(const char *path, size_t *len, jitk_diag *d)
{
	memset(d, 0, sizeof *d);
	d->index = -1;
	const char *name = cli_input_name(path);
	bool std = !strcmp(path, "-");
	/* O_NOCTTY: reading a terminal device must not make it ours. */
	int fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		fail(d, JITK_E_IO, errno, "cannot open %s: %s", name, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		fail(d, JITK_E_IO, errno, "cannot read %s: %s", name, strerror(errno));
		goto fail_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		fail(d, JITK_E_IO, EISDIR, "cannot read %s: %s", name, strerror(EISDIR));
		goto fail_fd;
	}
	note_input(&st);
	size_t limit = cli_max_input;
	/* A regular file's size is known; anything else grows as it comes.
	 * One byte more than the limit is asked for, to tell "exactly the
	 * limit" from "larger". */
	size_t cap = 65536;
	if (S_ISREG(st.st_mode) && st.st_size >= 0 && (uint64_t)st.st_size < limit)
		cap = (size_t)st.st_size + 2;
	char *buf = malloc(cap);
	size_t n = 0;
	for (;;) {
		if (!buf) {
			fail(d, JITK_E_NOMEM, 0, "out of memory reading %s", name);
			goto fail_fd;
		}
		if (n == cap - 1) {
			if (n > limit)
				break;
			size_t ncap = cap * 2 < limit + 2 ? cap * 2 : limit + 2;
			char *p = realloc(buf, ncap);
			if (!p) {
				free(buf);
				buf = NULL;
				continue;
			}
			buf = p;
			cap = ncap;
		}
		ssize_t got = read(fd, buf + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fail(d, JITK_E_IO, errno, "cannot read %s: %s", name, strerror(errno));
			free(buf);
			goto fail_fd;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (!std)
		close(fd);
	if (n > limit) {
		char lim[32];
		size_text(limit, lim, sizeof lim);
		fail(d, JITK_E_TOO_BIG, 0, "%s is larger than the input limit of %s", name, lim);
		snprintf(d->hint, sizeof d->hint, "--max-input SIZE raises the limit (e.g. --max-input 64M)");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
fail_fd:
	if (!std)
		close(fd);
	return NULL;
}

char *cli_read_input(const char *path, size_t *len)
{
	jitk_diag d;
	char *buf = cli_read_input_diag(path, len, &d);
	if (!buf) {
		cli_error("%s", d.msg);
		if (d.hint[0])
			fprintf(stderr, "  hint: %s\n", d.hint);
	}
	return buf;
}

bool cli_parse_size(const char *s, size_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	unsigned shift = 0;
	switch (*end) {
	case '\0': break;
	case 'k':
	case 'K': shift = 10; break;
	case 'm':
	case 'M': shift = 20; break;
	case 'g':
	case 'G': shift = 30; break;
	default: return false;
	}
	if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
		return false;
	if (v == 0 || v > (SIZE_MAX >> shift) / 2)
		return false;
	*out = (size_t)(v << shift);
	return true;
}

/* ----------------------------------------------------------- outputs */

/* The temporary file being written, for the signal handler.  Set and
 * cleared with the signals blocked, so the handler sees a whole path. */
static char tmp_path[PATH_MAX + 32];
static volatile sig_atomic_t tmp_live;

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NCLEANUP (sizeof cleanup_signals / sizeof *cleanup_signals)
static struct sigaction old_actions[NCLEANUP], old_xfsz;

/* Remove the temporary file, then die of the same signal (SA_RESETHAND
 * restored the default action; the signal is delivered again on return). */
static void on_signal(int sig)
{
	if (tmp_live)
		unlink(tmp_path);
	raise(sig);
}

static void block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < NCLEANUP; i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NCLEANUP; i++) {
		sigaction(cleanup_signals[i], NULL, &old_actions[i]);
		/* A signal ignored by whoever started us (nohup) stays ignored. */
		if (old_actions[i].sa_handler != SIG_IGN)
			sigaction(cleanup_signals[i], &sa, NULL);
	}
	/* Past RLIMIT_FSIZE, write() fails with EFBIG instead of killing us,
	 * and the failure path removes the temporary file. */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGXFSZ, &sa, &old_xfsz);
}

static void restore_handlers(void)
{
	for (size_t i = 0; i < NCLEANUP; i++)
		sigaction(cleanup_signals[i], &old_actions[i], NULL);
	sigaction(SIGXFSZ, &old_xfsz, NULL);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		if (w == 0)
			return EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The file path finally names, symlinks followed (a dangling link names
 * the file it would create).  malloc'd; NULL with errno on failure. */
static char *resolve_links(const char *path)
{
	char *cur = strdup(path);
	for (int hops = 0; cur && hops < 40; hops++) {
		struct stat st;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;
		char link[PATH_MAX];
		ssize_t n = readlink(cur, link, sizeof link - 1);
		if (n < 0)
			return cur;
		link[n] = '\0';
		char *next;
		const char *slash = strrchr(cur, '/');
		if (link[0] == '/' || !slash) {
			next = strdup(link);
		} else {
			size_t dl = (size_t)(slash - cur) + 1;
			next = malloc(dl + (size_t)n + 1);
			if (next) {
				memcpy(next, cur, dl);
				memcpy(next + dl, link, (size_t)n + 1);
			}
		}
		free(cur);
		cur = next;
	}
	if (cur) {
		free(cur);
		errno = ELOOP;
	} else {
		errno = ENOMEM;
	}
	return NULL;
}

/* Why path cannot be an output, or 0.  *st is filled when it exists. */
static int output_problem(const char *target, struct stat *st, bool *exists)
{
	*exists = stat(target, st) == 0;
	if (!*exists)
		return errno == ENOENT ? 0 : errno;
	if (S_ISDIR(st->st_mode))
		return EISDIR;
	if (S_ISSOCK(st->st_mode))
		return ENXIO;
	/* rename() would replace a file we may not write; refuse instead. */
	if (access(target, W_OK) < 0)
		return errno;
	return 0;
}

int cli_check_output(const char *path)
{
	if (!strcmp(path, "-"))
		return CLI_OK;
	char *target = resolve_links(path);
	if (!target)
		return cli_error("cannot write %s: %s", path, strerror(errno));
	struct stat st;
	bool exists;
	int e = output_problem(target, &st, &exists);
	int rc = CLI_OK;
	if (e == ENXIO)
		rc = cli_error("cannot write %s: it is a socket", path);
	else if (e)
		rc = cli_error("cannot write %s: %s", path, strerror(e));
	else if (exists && is_input(&st))
		rc = cli_error("cannot write %s: it is also an input of this command", path);
	free(target);
	return rc;
}

int cli_write_bytes(const char *path, const void *buf, size_t len)
{
	if (!strcmp(path, "-")) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout))
			return cli_error("cannot write to standard output: %s", strerror(errno));
		return CLI_OK;
	}
	if (cli_check_output(path) != CLI_OK)
		return CLI_FAIL;
	char *target = resolve_links(path);
	if (!target)
		return cli_error("cannot write %s: %s", path, strerror(errno));
	struct stat st;
	bool exists = stat(target, &st) == 0;
	int e = 0;
	if (exists && !S_ISREG(st.st_mode)) {
		/* A device or fifo: write to it; renaming over it would replace
		 * the node itself (/dev/null becoming a regular file). */
		int fd = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			e = errno;
		} else {
			e = write_all(fd, buf, len);
			if (close(fd) < 0 && !e)
				e = errno;
		}
		free(target);
		return e ? cli_error("cannot write %s: %s", path, strerror(e)) : CLI_OK;
	}
	size_t n = strlen(target);
	if (n + sizeof ".tmpXXXXXX" > sizeof tmp_path) {
		free(target);
		return cli_error("cannot write %s: %s", path, strerror(ENAMETOOLONG));
	}
	sigset_t old;
	block_signals(&old);
	install_handlers();
	snprintf(tmp_path, sizeof tmp_path, "%s.tmpXXXXXX", target);
	int fd = mkstemp(tmp_path);
	if (fd < 0) {
		e = errno;
	} else {
		tmp_live = 1;
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* The replacement keeps what the user set on the old file; a new
		 * file gets the usual 0666 & ~umask. */
		mode_t mode;
		if (exists) {
			if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
			    fchown(fd, st.st_uid, st.st_gid) < 0) {
				/* Not permitted (not root): the file becomes ours. */
			}
			mode = st.st_mode & 07777;
		} else {
			mode_t mask = umask(0);
			umask(mask);
			mode = 0666 & ~mask;
		}
		e = write_all(fd, buf, len);
		if (!e && fchmod(fd, mode) < 0)
			e = errno;
		if (!e && fsync(fd) < 0 && errno != EINVAL)
			e = errno;
		if (close(fd) < 0 && !e)
			e = errno;
		block_signals(NULL);
		if (!e && rename(tmp_path, target) < 0)
			e = errno;
		if (e)
			unlink(tmp_path);
		tmp_live = 0;
	}
	restore_handlers();
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(target);
	if (e)
		return cli_error("cannot write %s: %s", path, strerror(e));
	return CLI_OK;
}
