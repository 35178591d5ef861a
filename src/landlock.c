/*
 * landlock.c - the filesystem, network and scope rules of a policy, applied
 * with Landlock (docs/landlock.md).
 *
 * Semantics.  When a policy has `filesystem`, every filesystem right the
 * running kernel's Landlock ABI can restrict is handled (denied), and each
 * entry grants its rights beneath its path; `network` does the same for TCP
 * bind and connect by port; `scope` isolates the domain (ABI 6).  A right
 * the running ABI lacks is an error naming it and the ABI it needs, unless
 * JITK_LANDLOCK_BEST_EFFORT, which drops it with a warning (as the kernel's
 * own documentation recommends: a right the kernel cannot restrict stays
 * allowed).  The rights and their ABIs come from the kernel source
 * (tools/gen_landlock.sh).
 */
#include "internal.h"
#include "landlock.h"
#include "landlock_uapi.h"
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The SCPL groups (docs/landlock.md).  A group is language, not a kernel
 * table: its members are looked up by name in the generated table. */
static const struct {
	enum tbl_ll_kind kind;
	const char *name;
	const char *members; /* space-separated right names */
} groups[] = {
	{ TBL_LL_FS, "read", "read_file read_dir" },
	{ TBL_LL_FS, "write",
	  "write_file truncate make_char make_dir make_reg make_sock make_fifo "
	  "make_block make_sym remove_dir remove_file refer" },
	{ TBL_LL_NET, "bind", "bind_tcp" },
	{ TBL_LL_NET, "connect", "connect_tcp" },
};

/* Rights that apply to a file that is not a directory (landlock.h,
 * "A file can only receive these access rights"). */
#define LL_FILE_RIGHTS                                                                               \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

static const struct tbl_landlock *right_named(enum tbl_ll_kind kind, const char *name, size_t len)
{
	for (size_t i = 0; i < tbl_landlock_len; i++)
		if (tbl_landlock[i].kind == kind && strlen(tbl_landlock[i].name) == len &&
		    !strncmp(tbl_landlock[i].name, name, len))
			return &tbl_landlock[i];
	return NULL;
}

uint64_t ll_access_of(enum tbl_ll_kind kind, const char *name, unsigned *abi)
{
	*abi = 0;
	const struct tbl_landlock *r = right_named(kind, name, strlen(name));
	if (r) {
		*abi = r->abi;
		return r->bit;
	}
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		if (groups[g].kind != kind || strcmp(groups[g].name, name))
			continue;
		uint64_t bits = 0;
		for (const char *m = groups[g].members; *m;) {
			size_t n = strcspn(m, " ");
			const struct tbl_landlock *x = right_named(kind, m, n);
			if (x) { /* a member the kernel source lacks is not granted */
				bits |= x->bit;
				*abi = x->abi > *abi ? x->abi : *abi;
			}
			m += n;
			m += *m == ' ';
		}
		return bits;
	}
	return 0;
}

const char *ll_access_suggest(enum tbl_ll_kind kind, const char *name)
{
	const char *best = NULL;
	size_t bd = (size_t)-1;
	for (size_t i = 0; i < tbl_landlock_len; i++) {
		if (tbl_landlock[i].kind != kind)
			continue;
		size_t dd = edit_distance(name, tbl_landlock[i].name);
		if (dd < bd) {
			bd = dd;
			best = tbl_landlock[i].name;
		}
	}
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		if (groups[g].kind != kind)
			continue;
		size_t dd = edit_distance(name, groups[g].name);
		if (dd < bd) {
			bd = dd;
			best = groups[g].name;
		}
	}
	return bd <= strlen(name) / 2 + 1 ? best : NULL;
}

uint64_t ll_rights_upto(enum tbl_ll_kind kind, unsigned abi)
{
	uint64_t bits = 0;
	for (size_t i = 0; i < tbl_landlock_len; i++)
		if (tbl_landlock[i].kind == kind && tbl_landlock[i].abi <= abi)
			bits |= tbl_landlock[i].bit;
	return bits;
}

static const char *kind_word(enum tbl_ll_kind k)
{
	return k == TBL_LL_FS ? "filesystem" : k == TBL_LL_NET ? "network" : "scope";
}

int jitk_landlock_abi(void)
{
#ifdef SYS_landlock_create_ruleset
	long r = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	return r < 0 ? 0 : (int)r;
#else
	return 0;
#endif
}

bool jitk_policy_has_landlock(const jitk_policy *p)
{
	return p && (p->landlock.has_fs || p->landlock.has_net || p->landlock.scope);
}

/* Warnings collected for the caller (the library never prints). */
static void warn(struct strbuf *w, const char *fmt, ...) JITK_PRINTF(2, 3);
static void warn(struct strbuf *w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	sb_printf(w, "%s%s", w->len ? "\n" : "", buf);
}

/* Rights in mask (of kind) that need a newer ABI than abi: an error, or
 * with best effort a warning; returns the rights that stay. */
static jitk_err check_rights(const jitk_policy *p, enum tbl_ll_kind kind, uint64_t mask, unsigned abi,
			     bool best, unsigned line, struct strbuf *w, uint64_t *keep, jitk_diag *d)
{
	*keep = mask;
	for (size_t i = 0; i < tbl_landlock_len; i++) {
		const struct tbl_landlock *r = &tbl_landlock[i];
		if (r->kind != kind || !(mask & r->bit) || r->abi <= abi)
			continue;
		if (!best) {
			jitk_err e = diag_err(
				d, JITK_E_UNSUPPORTED,
				"%s:%u: %s right '%s' needs Landlock ABI %u; this kernel has ABI %u",
				p->file[0] ? p->file : "policy", line, kind_word(kind), r->name, r->abi, abi);
			diag_hint(d, "run on a newer kernel, drop the right, or use --best-effort "
				     "(the right then stays unrestricted)");
			return e;
		}
		warn(w, "%s:%u: %s right '%s' needs Landlock ABI %u (this kernel has %u): not restricted",
		     p->file[0] ? p->file : "policy", line, kind_word(kind), r->name, r->abi, abi);
		*keep &= ~r->bit;
	}
	return JITK_OK;
}

#ifdef SYS_landlock_create_ruleset
static long ll_add_rule(int fd, enum landlock_rule_type t, const void *attr)
{
	return syscall(SYS_landlock_add_rule, fd, t, attr, 0);
}
#endif

jitk_err ll_check(const jitk_policy *p, unsigned abi, bool best, struct strbuf *w, uint64_t *scope,
		  jitk_diag *d)
{
	const struct pol_landlock *L = &p->landlock;
	*scope = 0;
	if (abi == 0) {
		if (!best) {
			jitk_err e = diag_err(d, JITK_E_UNSUPPORTED,
					      "the policy has Landlock rules, but this kernel has no Landlock "
					      "(or it is disabled)");
			diag_hint(d, "boot with lsm=...,landlock, or use --best-effort to run without them");
			return e;
		}
		warn(w, "this kernel has no Landlock: the filesystem, network and scope rules are "
			"not applied");
		return JITK_OK;
	}
	if (L->has_net && abi < 4) {
		if (!best)
			return diag_err(d, JITK_E_UNSUPPORTED,
					"the policy has network rules, which need Landlock ABI 4; this "
					"kernel has ABI %u",
					abi);
		warn(w, "network rules need Landlock ABI 4 (this kernel has %u): not applied", abi);
	}
	jitk_err err = check_rights(p, TBL_LL_SCOPE, L->scope, abi, best, 0, w, scope, d);
	for (size_t i = 0; i < L->nfs && !err; i++) {
		uint64_t keep;
		err = check_rights(p, TBL_LL_FS, L->fs[i].access, abi, best, L->fs[i].line, w, &keep, d);
	}
	for (size_t i = 0; i < L->nnet && abi >= 4 && !err; i++) {
		uint64_t keep;
		err = check_rights(p, TBL_LL_NET, L->net[i].access, abi, best, L->net[i].line, w, &keep, d);
	}
	return err;
}

jitk_err jitk_landlock_apply(const jitk_policy *p, unsigned flags, char **warnings, jitk_diag *d)
{
	diag_clear(d);
	if (warnings)
		*warnings = NULL;
	if (!p)
		return diag_err(d, JITK_E_INVAL, "jitk_landlock_apply: NULL policy");
	if (!jitk_policy_has_landlock(p))
		return JITK_OK;
	const struct pol_landlock *L = &p->landlock;
	bool best = flags & JITK_LANDLOCK_BEST_EFFORT;
	struct strbuf w = { 0 };
	unsigned abi = (unsigned)jitk_landlock_abi();
	int rfd = -1;
	uint64_t scope;
	/* Every listed right is checked first, so nothing is applied half. */
	jitk_err err = ll_check(p, abi, best, &w, &scope, d);
	if (err || abi == 0)
		goto out;
	struct landlock_ruleset_attr attr = {
		.handled_access_fs = L->has_fs ? ll_rights_upto(TBL_LL_FS, abi) : 0,
		.handled_access_net = L->has_net ? ll_rights_upto(TBL_LL_NET, abi) : 0,
		.scoped = scope,
	};
#ifdef SYS_landlock_create_ruleset
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (rfd < 0) {
		int e = errno;
		err = diag_err(d, JITK_E_KERNEL, "landlock_create_ruleset: %s", strerror(e));
		if (d)
			d->sys_errno = e;
		goto out;
	}
	for (size_t i = 0; i < L->nfs; i++) {
		const struct pol_fs_rule *r = &L->fs[i];
		int fd = open(r->path, O_PATH | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			err = diag_err(d, e == ENOENT ? JITK_E_NAME : JITK_E_IO,
				       "%s:%u:%u: filesystem path %s: %s", p->file[0] ? p->file : "policy",
				       r->line, r->col, r->path, strerror(e));
			if (d)
				d->sys_errno = e;
			goto out;
		}
		struct stat st;
		uint64_t allowed = r->access & attr.handled_access_fs;
		if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
			allowed &= LL_FILE_RIGHTS; /* the kernel refuses directory rights on a file */
		struct landlock_path_beneath_attr pb = { .allowed_access = allowed, .parent_fd = fd };
		long rc = allowed ? ll_add_rule(rfd, LANDLOCK_RULE_PATH_BENEATH, &pb) : 0;
		int e = errno;
		close(fd);
		if (rc < 0) {
			err = diag_err(d, JITK_E_KERNEL, "%s:%u:%u: landlock_add_rule(%s): %s",
				       p->file[0] ? p->file : "policy", r->line, r->col, r->path,
				       strerror(e));
			if (d)
				d->sys_errno = e;
			goto out;
		}
	}
	for (size_t i = 0; i < L->nnet && abi >= 4; i++) {
		const struct pol_net_rule *r = &L->net[i];
		struct landlock_net_port_attr np = { .allowed_access = r->access & attr.handled_access_net,
						     .port = r->port };
		if (np.allowed_access && ll_add_rule(rfd, LANDLOCK_RULE_NET_PORT, &np) < 0) {
			int e = errno;
			err = diag_err(d, JITK_E_KERNEL, "%s:%u:%u: landlock_add_rule(port %u): %s",
				       p->file[0] ? p->file : "policy", r->line, r->col, r->port,
				       strerror(e));
			if (d)
				d->sys_errno = e;
			goto out;
		}
	}
	/* Landlock, like seccomp, needs no_new_privs unless the caller keeps
	 * CAP_SYS_ADMIN and asked to keep its privileges. */
	if (!(flags & JITK_LANDLOCK_KEEP_PRIVS) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		err = diag_err(d, JITK_E_KERNEL, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		goto out;
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) != 0) {
		int e = errno;
		err = diag_err(d, JITK_E_KERNEL, "landlock_restrict_self: %s", strerror(e));
		if (d)
			d->sys_errno = e;
		goto out;
	}
#else
	(void)attr;
	err = diag_err(d, JITK_E_UNSUPPORTED, "built without Landlock system calls");
#endif
out:
	if (rfd >= 0)
		close(rfd);
	if (warnings && !err && w.len) {
		if (sb_finish(&w, warnings))
			return diag_err(d, JITK_E_NOMEM, "out of memory");
	} else {
		free(w.buf);
	}
	return err;
}
