/*
 * cache.c - the proof cache of `jitk compile` and `jitk run` (docs/cli.md,
 * "The proof cache"; what it trusts: docs/verify.md).
 *
 * The proof costs 100 ms to seconds, and `jitk run POLICY` used to pay it
 * at every start.  An entry holds the filter proved for one input, under a
 * key that is the SHA-256 (nettle) of everything the filter depends on:
 *   - the bytes the parse read: the policy's text and every include (or,
 *     for an OCI profile, the SCPL it became, which holds --caps, --kernel,
 *     --host-arch and --strict), as the parser saw them
 *     (jitk_policy_source), with their names;
 *   - the jitk_compile_opts that shape the filter;
 *   - jitk's version, the GNU build ID of the running program (and of the
 *     object holding the library, if another), and the fingerprint of the
 *     generated syscall, constant and parameter tables (cli_tables_sha256,
 *     computed by the Makefile from build/gen/).
 * The proof's timeout is not in the key: a proof that finished is a proof,
 * whatever time it was allowed; only finished proofs are stored.
 *
 * Entries live in $XDG_CACHE_HOME/jitk (else $HOME/.cache/jitk): the
 * directory is 0700 and must belong to the user and be writable by nobody
 * else, or it is not used (with a note); files are 0600, written to a
 * temporary file in the same directory, fsync()ed and renamed into place,
 * so a reader sees a whole entry or none.  An entry is used only if its
 * size, magic, key, jitk version, kind and SHA-256 all match and (for a
 * filter) jitk_check accepts it; anything else is removed and the proof
 * done again.  Nothing here can make a compile fail: a cache that cannot
 * be read or written is a cache miss.
 *
 * Entry layout (all of it covered by the final hash):
 *    0   8  "JITKPC01"
 *    8  32  the key
 *   40  32  jitk_version(), NUL-padded
 *   72   4  kind (1 filter, 2 lint warnings), little endian
 *   76   4  payload length, little endian
 *   80   n  payload: the filter's encoding, or the warnings
 * 80+n  32  SHA-256 of bytes 0 .. 80+n
 */
#include "cli.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <dirent.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Generated at build time (Makefile): SHA-256 of the generated tables. */
extern const char cli_tables_sha256[];

bool cli_cache_off;
bool cli_cache_verbose;

#define MAGIC "JITKPC01"
#define HDR 80
#define VERSION_LEN 32
#define HASH_LEN SHA256_DIGEST_SIZE
#define MAX_LINT 256 /* warnings kept per entry; more are not cached */
#define MAX_PAYLOAD (4 + MAX_LINT * sizeof(jitk_diag))
enum { KIND_FILTER = 1, KIND_LINT = 2 };

/* A stale temporary file (a writer killed by SIGKILL) is removed after: */
#define STALE_TMP_SECONDS 3600
/* The cache holds at most MAX_ENTRIES files (about 33 KiB each at most):
 * beyond, a write removes the least recently used (by mtime, which a hit
 * renews) down to PRUNE_TO. */
#define MAX_ENTRIES 1024
#define PRUNE_TO (MAX_ENTRIES * 3 / 4)

/* Every field of jitk_compile_opts that can change the filter is in the
 * key (cache_key below).  A new field breaks this assertion on purpose:
 * add it to the key, or say there why it cannot change the filter. */
_Static_assert(sizeof(jitk_compile_opts) == 32,
	       "jitk_compile_opts changed: add the new field to the proof cache key (cli/cache.c)");

/* ------------------------------------------------------------ notes */

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "jitk: note: proof cache: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ------------------------------------------------------- the key */

static void put_u64(struct sha256_ctx *c, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	sha256_update(c, sizeof b, b);
}

/* Length-prefixed, so that no two different sequences hash the same bytes. */
static void put_bytes(struct sha256_ctx *c, const void *p, size_t n)
{
	put_u64(c, n);
	if (n)
		sha256_update(c, n, p);
}

static void put_str(struct sha256_ctx *c, const char *s)
{
	put_bytes(c, s, strlen(s));
}

/* The GNU build IDs of the program and of the object holding jitk_compile
 * (the same object when the library is linked statically, as build/jitk
 * is): they change with any change to jitk's code. */
struct build_ids {
	struct sha256_ctx *c;
	unsigned found_main, found_lib;
};

static bool note_build_id(const struct dl_phdr_info *info, struct sha256_ctx *c)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		size_t off = 0, end = ph->p_memsz;
		while (off + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(p + off);
			size_t name = off + sizeof *nh, desc = name + ((nh->n_namesz + 3) & ~3u);
			size_t next = desc + ((nh->n_descsz + 3) & ~3u);
			if (next > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + name, "GNU", 4) && nh->n_descsz > 0) {
				put_bytes(c, p + desc, nh->n_descsz);
				return true;
			}
			off = next;
		}
	}
	return false;
}

static bool holds(const struct dl_phdr_info *info, uintptr_t addr)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && addr >= lo && addr - lo < ph->p_memsz)
			return true;
	}
	return false;
}

static int each_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	struct build_ids *b = arg;
	/* The program is the first object (its name is ""). */
	bool is_main = !b->found_main && !info->dlpi_name[0];
	bool is_lib = holds(info, (uintptr_t)&jitk_compile);
	if (is_main && note_build_id(info, b->c))
		b->found_main = 1;
	else if (is_main)
		b->found_main = 2; /* seen, without an ID */
	if (is_lib && !is_main)
		b->found_lib = note_build_id(info, b->c) ? 1 : 2;
	return 0;
}

bool cli_cache_key(const jitk_policy *p, const jitk_compile_opts *o, unsigned char key[CLI_CACHE_KEY])
{
	if (cli_cache_off || (o && o->no_verify))
		return false;
	const char *name, *text;
	size_t len;
	/* No sources: a policy the library built otherwise; never cached. */
	if (!jitk_policy_source(p, 0, NULL, NULL, NULL))
		return false;
	struct sha256_ctx c;
	sha256_init(&c);
	put_str(&c, "jitk proof cache key 1");
	put_str(&c, jitk_version());
	struct build_ids b = { .c = &c };
	dl_iterate_phdr(each_object, &b);
	if (b.found_main != 1 || b.found_lib == 2) {
		/* Without a build ID two builds of the same version could not be
		 * told apart: no cache rather than a wrong one. */
		if (cli_cache_verbose)
			note("not used: this jitk has no GNU build ID");
		return false;
	}
	put_str(&c, cli_tables_sha256);
	jitk_compile_opts z = { 0 };
	if (!o)
		o = &z;
	/* verify_timeout_ms is left out (see the top of this file). */
	put_u64(&c, o->no_verify);
	put_u64(&c, o->arch_at_leaves);
	put_bytes(&c, o->weights, o->weights ? o->nweights * sizeof *o->weights : 0);
	size_t i;
	for (i = 0; jitk_policy_source(p, i, &name, &text, &len); i++) {
		put_str(&c, name);
		put_bytes(&c, text, len);
	}
	put_u64(&c, i);
	sha256_digest(&c, CLI_CACHE_KEY, key);
	return true;
}

/* ------------------------------------------------- the directory */

static int dir_fd = -2; /* -2: not opened yet; -1: no cache */
static char dir_path[4096];

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The base directory: $XDG_CACHE_HOME if it is an absolute path (the XDG
 * Base Directory specification says to ignore a relative one), else
 * $HOME/.cache. */
static bool base_dir(char *buf, size_t cap)
{
	const char *x = getenv("XDG_CACHE_HOME");
	if (x && x[0] == '/')
		return (size_t)snprintf(buf, cap, "%s", x) < cap;
	const char *h = getenv("HOME");
	if (h && h[0] == '/')
		return (size_t)snprintf(buf, cap, "%s/.cache", h) < cap;
	return false;
}

static int open_dir(void)
{
	if (dir_fd != -2)
		return dir_fd;
	dir_fd = -1;
	char base[sizeof dir_path - 8];
	if (cli_cache_off || !base_dir(base, sizeof base))
		return -1;
	snprintf(dir_path, sizeof dir_path, "%s/jitk", base);
	/* The base may be missing (a fresh account) or a symlink (a cache
	 * moved to another disk): made 0700 as the specification says,
	 * followed.  The jitk directory itself is never a symlink. */
	if (mkdir(base, 0700) < 0 && errno != EEXIST)
		goto unusable;
	int bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		goto unusable;
	if (mkdirat(bfd, "jitk", 0700) < 0 && errno != EEXIST) {
		close(bfd);
		goto unusable;
	}
	int fd = openat(bfd, "jitk", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(bfd);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			note("%s is %s; not used", dir_path, "not a directory (a symlink?)");
		else
			goto unusable;
		return -1;
	}
	/* Whoever else can write here could plant a filter for us to load:
	 * such a directory is never trusted (and never repaired). */
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		goto unusable;
	}
	char why[64];
	if (st.st_uid != geteuid())
		snprintf(why, sizeof why, "owned by uid %u, not by you (uid %u)", (unsigned)st.st_uid,
			 (unsigned)geteuid());
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		snprintf(why, sizeof why, "writable by others (mode %04o)", (unsigned)(st.st_mode & 07777));
	else
		why[0] = '\0';
	if (why[0]) {
		note("%s is %s; not used (make it yours, mode 0700, or remove it)", dir_path, why);
		close(fd);
		return -1;
	}
	return dir_fd = fd;
unusable:
	if (cli_cache_verbose)
		note("%s: %s; working without the cache", dir_path, strerror(errno));
	return -1;
}

/* --------------------------------------------------------- entries */

static void entry_name(const unsigned char key[CLI_CACHE_KEY], int kind, char *buf)
{
	hex(key, CLI_CACHE_KEY, buf);
	strcat(buf, kind == KIND_FILTER ? ".bpf" : ".lint");
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void version_field(uint8_t out[VERSION_LEN])
{
	memset(out, 0, VERSION_LEN);
	size_t n = strlen(jitk_version());
	memcpy(out, jitk_version(), n < VERSION_LEN - 1 ? n : VERSION_LEN - 1);
}

/* A bad entry: said, and removed so that the proof's result replaces it. */
static void *bad_entry(int dfd, const char *name, const char *why, uint8_t *buf)
{
	note("entry %s %s; ignored, proving again", name, why);
	unlinkat(dfd, name, 0);
	free(buf);
	return NULL;
}

/* The payload of entry (key, kind) if it is whole and matches, else NULL
 * (a missing entry silently; a bad one with a note, removed).  Release
 * with free(). */
static uint8_t *read_entry(const unsigned char key[CLI_CACHE_KEY], int kind, size_t *plen)
{
	int dfd = open_dir();
	if (dfd < 0)
		return NULL;
	char name[2 * CLI_CACHE_KEY + 8];
	entry_name(key, kind, name);
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return bad_entry(dfd, name, "cannot be opened (not a regular file?)", NULL);
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bad_entry(dfd, name, "is not a regular file", NULL);
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return bad_entry(dfd, name, "is not yours alone (owner or mode)", NULL);
	}
	if (st.st_size < HDR + HASH_LEN || (size_t)st.st_size > HDR + MAX_PAYLOAD + HASH_LEN) {
		close(fd);
		return bad_entry(dfd, name, "has a wrong size (truncated?)", NULL);
	}
	size_t n = (size_t)st.st_size, got = 0;
	uint8_t *buf = malloc(n);
	if (!buf) {
		close(fd);
		return NULL;
	}
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != n)
		return bad_entry(dfd, name, "could not be read whole", buf);
	uint8_t h[HASH_LEN], ver[VERSION_LEN];
	struct sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, n - HASH_LEN, buf);
	sha256_digest(&c, HASH_LEN, h);
	version_field(ver);
	if (memcmp(buf, MAGIC, 8))
		return bad_entry(dfd, name, "is not a jitk cache entry (bad magic)", buf);
	if (memcmp(buf + n - HASH_LEN, h, HASH_LEN))
		return bad_entry(dfd, name, "is corrupt (its SHA-256 does not match)", buf);
	if (memcmp(buf + 8, key, CLI_CACHE_KEY))
		return bad_entry(dfd, name, "holds another input's key", buf);
	if (memcmp(buf + 40, ver, VERSION_LEN))
		return bad_entry(dfd, name, "was written by another jitk version", buf);
	if (get_le32(buf + 72) != (uint32_t)kind)
		return bad_entry(dfd, name, "is of another kind", buf);
	if (get_le32(buf + 76) != n - HDR - HASH_LEN)
		return bad_entry(dfd, name, "has a wrong payload length", buf);
	*plen = n - HDR - HASH_LEN;
	memmove(buf, buf + HDR, *plen);
	/* Recently used: the pruning (sweep_stale) removes the oldest first. */
	utimensat(dfd, name, NULL, AT_SYMLINK_NOFOLLOW);
	return buf;
}

struct aged {
	time_t mtime;
	char name[2 * CLI_CACHE_KEY + 8];
};

static int by_age(const void *a, const void *b)
{
	time_t x = ((const struct aged *)a)->mtime, y = ((const struct aged *)b)->mtime;
	return (x > y) - (x < y);
}

/* An entry's name: 64 hex digits and .bpf or .lint. */
static bool is_entry_name(const char *n)
{
	size_t i = 0;
	while (i < 2 * CLI_CACHE_KEY && ((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
		i++;
	return i == 2 * CLI_CACHE_KEY && (!strcmp(n + i, ".bpf") || !strcmp(n + i, ".lint"));
}

/* Remove temporary files that writers killed by SIGKILL left behind, and
 * the least recently used entries beyond MAX_ENTRIES. */
static void sweep_stale(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	time_t now = time(NULL);
	struct dirent *e;
	struct aged *ents = NULL;
	size_t n = 0, cap = 0;
	while ((e = readdir(d))) {
		struct stat st;
		bool tmp = !strncmp(e->d_name, ".tmp-", 5);
		if (!(tmp || is_entry_name(e->d_name)) ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (tmp) {
			if (now - st.st_mtime > STALE_TMP_SECONDS)
				unlinkat(dfd, e->d_name, 0);
			continue;
		}
		if (n == cap) {
			struct aged *m = realloc(ents, (cap = cap ? 2 * cap : 64) * sizeof *ents);
			if (!m)
				break;
			ents = m;
		}
		ents[n].mtime = st.st_mtime;
		/* is_entry_name bounds its length. */
		memcpy(ents[n].name, e->d_name, strlen(e->d_name) + 1);
		n++;
	}
	closedir(d);
	if (n > MAX_ENTRIES) {
		qsort(ents, n, sizeof *ents, by_age);
		for (size_t i = 0; i < n - PRUNE_TO; i++)
			unlinkat(dfd, ents[i].name, 0);
	}
	free(ents);
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Store entry (key, kind): temporary file, fsync, rename in the same
 * directory.  Failure is silent (a note with --verbose): no cache then. */
static void write_entry(const unsigned char key[CLI_CACHE_KEY], int kind, const void *payload, size_t len)
{
	int dfd = open_dir();
	if (dfd < 0 || len > MAX_PAYLOAD)
		return;
	size_t n = HDR + len + HASH_LEN;
	uint8_t *buf = malloc(n);
	if (!buf)
		return;
	memcpy(buf, MAGIC, 8);
	memcpy(buf + 8, key, CLI_CACHE_KEY);
	version_field(buf + 40);
	put_le32(buf + 72, (uint32_t)kind);
	put_le32(buf + 76, (uint32_t)len);
	memcpy(buf + HDR, payload, len);
	struct sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, HDR + len, buf);
	sha256_digest(&c, HASH_LEN, buf + HDR + len);

	char name[2 * CLI_CACHE_KEY + 8], tmp[sizeof name + 48];
	entry_name(key, kind, name);
	static unsigned seq;
	snprintf(tmp, sizeof tmp, ".tmp-%.16s-%ld-%u", name, (long)getpid(), seq++);
	/* No signal between creating the temporary file and renaming or
	 * removing it: SIGINT, SIGTERM and SIGHUP wait these few
	 * milliseconds, so none leaves a temporary file behind. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	const char *fail = NULL;
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		fail = strerror(errno);
	} else {
		/* 0600 whatever the umask. */
		if (fchmod(fd, 0600) < 0 || !write_all(fd, buf, n) || fsync(fd) < 0)
			fail = strerror(errno);
		if (close(fd) < 0 && !fail)
			fail = strerror(errno);
		if (!fail && renameat(dfd, tmp, dfd, name) < 0)
			fail = strerror(errno);
		if (fail)
			unlinkat(dfd, tmp, 0);
		else
			fsync(dfd); /* the rename itself on disk */
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(buf);
	if (fail && cli_cache_verbose)
		note("cannot write to %s (%s); working without the cache", dir_path, fail);
	if (!fail)
		sweep_stale(dfd);
}

/* ---------------------------------------------------------- filters */

/* About a hundred inputs through the trusted evaluator and interpreter:
 * every SPOT_STRIDE-th syscall number of every ABI's table (from an offset
 * the key picks) with all arguments 0, and the foreign-arch case.  Not a
 * proof (the earlier one was); a cheap guard (well under a millisecond:
 * jitk_interp re-runs the checker each time) against an entry, or a key,
 * that is wrong for this policy. */
#define SPOT_STRIDE 16
static bool spot_check(const jitk_policy *p, const jitk_filter *f, unsigned start)
{
	struct seccomp_data in = { 0 };
	jitk_result r;
	in.arch = 0; /* no ABI's AUDIT_ARCH value */
	if (jitk_interp(f, &in, &r) || r.ret != jitk_policy_eval(p, &in))
		return false;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		const char *name;
		int nr;
		in.arch = jitk_arch_audit((jitk_arch)a);
		for (size_t i = start % SPOT_STRIDE; jitk_syscall_at((jitk_arch)a, i, &name, &nr);
		     i += SPOT_STRIDE) {
			in.nr = nr;
			if (jitk_interp(f, &in, &r) || r.ret != jitk_policy_eval(p, &in))
				return false;
		}
	}
	return true;
}

jitk_filter *cli_cache_get_filter(const unsigned char key[CLI_CACHE_KEY], const jitk_policy *p)
{
	size_t len;
	uint8_t *b = read_entry(key, KIND_FILTER, &len);
	if (!b)
		return NULL;
	jitk_filter *f = NULL;
	/* The trusted checker, as for any filter read from a file: a cached
	 * filter the kernel would refuse is never loaded or written. */
	char name[2 * CLI_CACHE_KEY + 8];
	entry_name(key, KIND_FILTER, name);
	if (len % 8 || len == 0 || len > JITK_MAXINSNS * 8 || jitk_decode(b, len, &f, NULL) ||
	    jitk_check(f, NULL)) {
		jitk_filter_free(f);
		bad_entry(open_dir(), name, "holds no valid filter", b);
		return NULL;
	}
	if (!spot_check(p, f, key[0])) {
		jitk_filter_free(f);
		bad_entry(open_dir(), name, "holds a filter that disagrees with the policy", b);
		return NULL;
	}
	free(b);
	return f;
}

void cli_cache_put_filter(const unsigned char key[CLI_CACHE_KEY], const jitk_filter *f)
{
	size_t n = jitk_encoded_size(f);
	if (jitk_check(f, NULL) || n == 0 || n > JITK_MAXINSNS * 8)
		return;
	uint8_t buf[JITK_MAXINSNS * 8];
	if (jitk_encode(f, buf, sizeof buf))
		return;
	write_entry(key, KIND_FILTER, buf, n);
}

/* ----------------------------------------------------- lint warnings */

/* The warnings' key: the filter's key, the lint flags. */
static void lint_key(const unsigned char key[CLI_CACHE_KEY], unsigned flags, uint8_t out[CLI_CACHE_KEY])
{
	struct sha256_ctx c;
	sha256_init(&c);
	put_str(&c, "lint");
	put_bytes(&c, key, CLI_CACHE_KEY);
	put_u64(&c, flags);
	sha256_digest(&c, CLI_CACHE_KEY, out);
}

#define TERMINATE(s) ((s)[sizeof(s) - 1] = '\0')

bool cli_cache_get_lint(const unsigned char key[CLI_CACHE_KEY], unsigned flags, jitk_diag **w, size_t *n)
{
	uint8_t k[CLI_CACHE_KEY];
	lint_key(key, flags, k);
	size_t len;
	uint8_t *b = read_entry(k, KIND_LINT, &len);
	if (!b)
		return false;
	/* The layout of jitk_diag is this build's: the build ID in the key
	 * guarantees the entry was written by the same code. */
	uint32_t cnt = len >= 4 ? get_le32(b) : 0;
	if (len < 4 || cnt > MAX_LINT || len != 4 + cnt * sizeof(jitk_diag)) {
		char name[2 * CLI_CACHE_KEY + 8];
		entry_name(k, KIND_LINT, name);
		bad_entry(open_dir(), name, "holds no valid warnings", b);
		return false;
	}
	jitk_diag *d = calloc(cnt ? cnt : 1, sizeof *d);
	if (!d) {
		free(b);
		return false;
	}
	memcpy(d, b + 4, cnt * sizeof *d);
	free(b);
	for (uint32_t i = 0; i < cnt; i++) {
		TERMINATE(d[i].file);
		TERMINATE(d[i].rule);
		TERMINATE(d[i].msg);
		TERMINATE(d[i].hint);
		TERMINATE(d[i].src_line);
	}
	*w = d;
	*n = cnt;
	return true;
}

void cli_cache_put_lint(const unsigned char key[CLI_CACHE_KEY], unsigned flags, const jitk_diag *w, size_t n)
{
	if (n > MAX_LINT)
		return;
	uint8_t k[CLI_CACHE_KEY];
	lint_key(key, flags, k);
	size_t len = 4 + n * sizeof *w;
	uint8_t *b = malloc(len);
	if (!b)
		return;
	put_le32(b, (uint32_t)n);
	if (n)
		memcpy(b + 4, w, n * sizeof *w);
	write_entry(k, KIND_LINT, b, len);
	free(b);
}

void cli_cache_init(bool no_cache)
{
	const char *e = getenv("JITK_NO_CACHE");
	cli_cache_off = no_cache || (e && e[0] && strcmp(e, "0"));
}
