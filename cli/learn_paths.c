/*
 * learn_paths.c - the files a traced command used, as a Landlock block.
 *
 * At each seccomp stop of a call that names a path (open, openat, openat2,
 * creat, execve, execveat, and the calls that create, remove or rename
 * entries), the path is read from the tracee's memory, made absolute
 * against its working directory or dirfd, and recorded with the access it
 * needs: read (O_RDONLY, O_RDWR, a directory), write (O_WRONLY, O_RDWR,
 * O_CREAT, O_TRUNC, and every create/remove/rename, granted on the parent
 * directory, where Landlock checks them), execute (execve).
 *
 * Coarsening, so that the block is short and survives small changes of the
 * workload (docs/landlock.md): system trees (/usr, /etc, /lib*, /bin,
 * /sbin, /opt) are granted whole at their top directory; /proc and /sys
 * whole; a device is granted as the one file (never /dev); anything else at
 * the directory of the file.  Each entry carries a comment: how many files
 * it covers and an example.  A directory that no longer exists (a temporary
 * one) is replaced by its nearest existing parent.
 */
#include "learn_paths.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum { ACC_READ = 1, ACC_WRITE = 2, ACC_EXEC = 4 };

struct lpath {
	char path[PATH_MAX]; /* the granted path (coarsened) */
	unsigned access;
	unsigned long files; /* distinct names recorded beneath it */
	char example[160];
};

/* How a syscall names its path: argument indexes, the dirfd (-1: none). */
static const struct {
	const char *name;
	int dirfd, path, flags; /* flags: -1 none, -2 openat2's struct */
	unsigned access;        /* when flags is -1 */
	bool parent;            /* the access is on the parent directory */
} calls[] = {
	{ "open", -1, 0, 1, 0, false },
	{ "openat", 0, 1, 2, 0, false },
	{ "openat2", 0, 1, -2, 0, false },
	{ "creat", -1, 0, -1, ACC_WRITE, true },
	{ "execve", -1, 0, -1, ACC_EXEC | ACC_READ, false },
	{ "execveat", 0, 1, -1, ACC_EXEC | ACC_READ, false },
	{ "mkdir", -1, 0, -1, ACC_WRITE, true },
	{ "mkdirat", 0, 1, -1, ACC_WRITE, true },
	{ "mknod", -1, 0, -1, ACC_WRITE, true },
	{ "mknodat", 0, 1, -1, ACC_WRITE, true },
	{ "unlink", -1, 0, -1, ACC_WRITE, true },
	{ "unlinkat", 0, 1, -1, ACC_WRITE, true },
	{ "rmdir", -1, 0, -1, ACC_WRITE, true },
	{ "rename", -1, 0, -1, ACC_WRITE, true },
	{ "renameat", 0, 1, -1, ACC_WRITE, true },
	{ "renameat2", 0, 1, -1, ACC_WRITE, true },
	{ "link", -1, 1, -1, ACC_WRITE, true },
	{ "linkat", 2, 3, -1, ACC_WRITE, true },
	{ "symlink", -1, 1, -1, ACC_WRITE, true },
	{ "symlinkat", 1, 2, -1, ACC_WRITE, true },
	{ "truncate", -1, 0, -1, ACC_WRITE, false },
};

/* A NUL-terminated string from the tracee, or false. */
static bool read_str(pid_t tid, uint64_t addr, char *buf, size_t cap)
{
	if (addr < 0x1000 || addr >= 0x800000000000ull)
		return false;
	size_t got = 0;
	while (got + 1 < cap) {
		/* never cross a page: the next one may be unmapped */
		size_t room = 4096 - (size_t)((addr + got) & 4095);
		if (room > cap - 1 - got)
			room = cap - 1 - got;
		struct iovec l = { buf + got, room }, r = { (void *)(uintptr_t)(addr + got), room };
		ssize_t m = process_vm_readv(tid, &l, 1, &r, 1, 0);
		if (m <= 0)
			return false;
		if (memchr(buf + got, '\0', (size_t)m))
			return true;
		got += (size_t)m;
	}
	return false; /* longer than PATH_MAX */
}

/* The absolute form of name for thread tid: against its cwd or dirfd. */
static bool absolute(pid_t tid, int64_t dirfd, const char *name, char *out, size_t cap)
{
	if (name[0] == '/') {
		snprintf(out, cap, "%s", name);
		return true;
	}
	char link[64], base[PATH_MAX];
	if (dirfd == -100)
		snprintf(link, sizeof link, "/proc/%d/cwd", (int)tid);
	else
		snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)tid, (int)dirfd);
	ssize_t n = readlink(link, base, sizeof base - 1);
	if (n <= 0)
		return false;
	base[n] = '\0';
	return snprintf(out, cap, "%s/%s", strcmp(base, "/") ? base : "", name) < (int)cap;
}

/* Lexically normalise: no "//", ".", ".." (symlinks are left as they are:
 * Landlock resolves the granted path when the policy is applied). */
static void normalise(char *p)
{
	char *seg[PATH_MAX / 2];
	size_t n = 0;
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", p);
	for (char *s = strtok(tmp, "/"); s; s = strtok(NULL, "/")) {
		if (!strcmp(s, "."))
			continue;
		if (!strcmp(s, "..")) {
			n -= n > 0;
			continue;
		}
		seg[n++] = s;
	}
	size_t len = 0;
	p[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(p + len, PATH_MAX - len, "/%s", seg[i]);
	if (!n)
		snprintf(p, PATH_MAX, "/");
}

static void dirname_of(char *p)
{
	char *s = strrchr(p, '/');
	if (s && s != p)
		*s = '\0';
	else
		snprintf(p, PATH_MAX, "/");
}

/* The path to grant for file (absolute, normalised). */
static void coarsen(const char *file, bool is_dir, char *out)
{
	static const char *const trees[] = { "/usr", "/etc",  "/lib", "/lib32", "/lib64", "/libx32",
					     "/bin", "/sbin", "/opt", "/proc",  "/sys" };
	for (size_t i = 0; i < sizeof trees / sizeof trees[0]; i++) {
		size_t n = strlen(trees[i]);
		if (!strncmp(file, trees[i], n) && (file[n] == '/' || !file[n])) {
			snprintf(out, PATH_MAX, "%s", trees[i]);
			return;
		}
	}
	snprintf(out, PATH_MAX, "%s", file);
	if (!strncmp(file, "/dev/", 5) && strncmp(file, "/dev/shm/", 9))
		return; /* one device, never all of /dev */
	if (!is_dir)
		dirname_of(out);
}

/* Whether p can be written in an SCPL string (no escapes exist there). */
static bool writable(const char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == '"')
			return false;
	return true;
}

static void add(struct lpaths *L, const char *file, bool is_dir, unsigned access)
{
	char g[PATH_MAX];
	coarsen(file, is_dir, g);
	if (!writable(g) || !writable(file))
		return; /* not expressible; the run under the policy will say so */
	for (size_t i = 0; i < L->n; i++)
		if (!strcmp(L->p[i].path, g)) {
			L->p[i].access |= access;
			L->p[i].files++;
			return;
		}
	if (L->n == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 16;
		struct lpath *q = realloc(L->p, cap * sizeof *q);
		if (!q) {
			L->nomem = true;
			return;
		}
		L->p = q;
		L->cap = cap;
	}
	struct lpath *e = &L->p[L->n++];
	memset(e, 0, sizeof *e);
	snprintf(e->path, sizeof e->path, "%s", g);
	snprintf(e->example, sizeof e->example, "%s", file);
	e->access = access;
	e->files = 1;
}

void lpaths_record(struct lpaths *L, pid_t tid, jitk_arch abi, const struct seccomp_data *sd)
{
	const char *name = jitk_syscall_name(abi, sd->nr);
	if (!name)
		return;
	size_t k = 0;
	while (k < sizeof calls / sizeof calls[0] && strcmp(calls[k].name, name))
		k++;
	if (k == sizeof calls / sizeof calls[0])
		return;
	uint64_t a[6];
	for (int i = 0; i < 6; i++)
		a[i] = !(jitk_arch_audit(abi) & __AUDIT_ARCH_64BIT) ? (uint32_t)sd->args[i] : sd->args[i];
	char raw[PATH_MAX], abs_[PATH_MAX];
	int64_t dirfd = calls[k].dirfd < 0 ? -100 : (int64_t)(int32_t)a[calls[k].dirfd];
	if (!read_str(tid, a[calls[k].path], raw, sizeof raw) || !raw[0] ||
	    !absolute(tid, dirfd, raw, abs_, sizeof abs_))
		return;
	normalise(abs_);
	unsigned access = calls[k].access;
	uint64_t flags = 0;
	if (calls[k].flags >= 0) {
		flags = a[calls[k].flags];
	} else if (calls[k].flags == -2) { /* struct open_how: flags first */
		struct iovec l = { &flags, sizeof flags }, r = { (void *)(uintptr_t)a[2], sizeof flags };
		if (process_vm_readv(tid, &l, 1, &r, 1, 0) != (ssize_t)sizeof flags)
			flags = 0;
	}
	if (calls[k].flags != -1) {
		unsigned mode = (unsigned)flags & O_ACCMODE;
		access = mode == O_WRONLY ? ACC_WRITE : mode == O_RDWR ? ACC_READ | ACC_WRITE : ACC_READ;
		if (flags & (O_CREAT | O_TRUNC))
			access |= ACC_WRITE;
	}
	struct stat st;
	bool is_dir = stat(abs_, &st) == 0 && S_ISDIR(st.st_mode);
	if (calls[k].parent || (access & ACC_WRITE && !is_dir && stat(abs_, &st) != 0)) {
		/* created, removed or renamed: Landlock checks the directory */
		dirname_of(abs_);
		is_dir = true;
	}
	add(L, abs_, is_dir, access);
}

static int by_path(const void *x, const void *y)
{
	return strcmp(((const struct lpath *)x)->path, ((const struct lpath *)y)->path);
}

char *lpaths_render(const struct lpaths *L)
{
	struct lpath *v = calloc(L->n ? L->n : 1, sizeof *v);
	if (!v)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < L->n; i++) {
		struct lpath e = L->p[i];
		/* the nearest existing directory of one that is gone */
		struct stat st;
		while (strcmp(e.path, "/") && stat(e.path, &st) != 0)
			dirname_of(e.path);
		size_t j = 0;
		while (j < n && strcmp(v[j].path, e.path))
			j++;
		if (j < n) {
			v[j].access |= e.access;
			v[j].files += e.files;
		} else {
			v[n++] = e;
		}
	}
	qsort(v, n, sizeof *v, by_path);
	size_t cap = 256 + n * (2 * PATH_MAX + 256), len = 0;
	char *out = malloc(cap);
	if (!out) {
		free(v);
		return NULL;
	}
	len += (size_t)snprintf(out + len, cap - len, "  filesystem = [\n");
	for (size_t i = 0; i < n; i++) {
		const struct lpath *e = &v[i];
		const char *acc[3];
		size_t na = 0;
		if (e->access & ACC_READ)
			acc[na++] = "read";
		if (e->access & ACC_WRITE)
			acc[na++] = "write";
		if (e->access & ACC_EXEC)
			acc[na++] = "execute";
		len += (size_t)snprintf(out + len, cap - len, "    # %lu use%s, e.g. %s\n", e->files,
					e->files == 1 ? "" : "s", e->example);
		len += (size_t)snprintf(out + len, cap - len, "    { path = \"%s\"; access = [", e->path);
		for (size_t k = 0; k < na; k++)
			len += (size_t)snprintf(out + len, cap - len, "%s%s", k ? "; " : "", acc[k]);
		len += (size_t)snprintf(out + len, cap - len, "] };\n");
	}
	snprintf(out + len, cap - len, "  ]");
	free(v);
	return out;
}

void lpaths_free(struct lpaths *L)
{
	free(L->p);
	L->p = NULL;
	L->n = L->cap = 0;
}
