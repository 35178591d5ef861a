/*
 * pol.h - a parsed and resolved SCPL policy, as the semantics reads it.
 *
 * TRUSTED BASE: the structure the SCPL semantics (scpl_eval.c, smt_scpl.c)
 * walks; the front end (src/scpl_*.c) builds it and the compiler reads it
 * through src/policy.h, which adds the IR.  It is immutable once built.
 */
#ifndef JITK_POL_H
#define JITK_POL_H

#include "jitk.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pol_op { POL_EQ, POL_NE, POL_LT, POL_LE, POL_GT, POL_GE };

enum pol_kind { POL_CMP, POL_AND, POL_OR, POL_NOT };

/* A condition on the arguments.  POL_CMP compares, for syscall nr on ABI a,
 *     ((args[arg] & mask) mod 2^W)  op  (value mod 2^W)
 * as unsigned numbers, W = the bits of the argument the kernel uses
 * (params_width(a, nr, arg), trusted/params.h), at most 32 for low32,
 * exactly 64 for reg64: the whole register as seccomp sees it, whatever the
 * parameter and ABI (docs/scpl.md, "Argument widths").  mask is all ones
 * when the policy gave none; the front end accepts only constants that fit
 * W bits, unsigned or as W-bit two's complement, and stores low32 ones cut
 * to 32 bits.  low32 and reg64 are never both set. */
struct pol_cond {
	enum pol_kind kind;
	/* POL_CMP */
	uint8_t arg; /* 0..5 */
	bool low32;
	bool reg64;
	enum pol_op op;
	uint64_t mask;
	uint64_t value;
	/* POL_AND, POL_OR: l and r; POL_NOT: l */
	const struct pol_cond *l, *r;
};

/* Whether the POL_CMP condition c holds on ABI a for syscall nr when
 * args[c->arg] is arg: the comparison at the condition's width, as the
 * semantics reads it (scpl_eval.c; docs/scpl.md, "Argument widths"). */
bool pol_cmp_holds(const struct pol_cond *c, int a, int nr, uint64_t arg);

/* One rule: for the listed syscalls, if cond holds (NULL: always), action.
 * A source rule whose constants differ between its ABIs (O_DIRECTORY) is
 * resolved into one pol_rule per group of ABIs with equal conditions, in
 * place, each with numbers only on its own ABIs (so on each ABI exactly one
 * of them can apply, where the source rule did). */
struct pol_rule {
	uint32_t action;             /* a full SECCOMP_RET_* value with data */
	const struct pol_cond *cond; /* NULL means true */
	/* Syscall numbers per architecture, sorted, no duplicates.  A name
	 * unknown on an architecture is absent there (libseccomp's rule). */
	const int *nrs[JITK_ARCH__COUNT];
	size_t nnrs[JITK_ARCH__COUNT];
	unsigned line, col; /* where the rule starts, for messages */
	const char *file;   /* the source it is written in ("" if none) */
};

/* The Landlock part of a policy (docs/landlock.md): not a seccomp filter,
 * applied beside it by jitk_landlock_apply (landlock.c).  Access masks are
 * Landlock's own bits (LANDLOCK_ACCESS_FS_*, _NET_*, LANDLOCK_SCOPE_*). */
struct pol_fs_rule {
	const char *path;   /* as written */
	uint64_t access;    /* rights granted beneath path */
	unsigned line, col; /* the path string, for messages */
};

struct pol_net_rule {
	uint16_t port;
	uint64_t access; /* bind_tcp, connect_tcp */
	unsigned line, col;
};

struct pol_landlock {
	bool has_fs, has_net; /* the block was written (maybe empty) */
	size_t nfs, nnet;
	const struct pol_fs_rule *fs;   /* one entry per distinct path */
	const struct pol_net_rule *net; /* one entry per distinct port */
	uint64_t scope;                 /* LANDLOCK_SCOPE_* bits, 0 if none */
	unsigned max_abi;               /* highest ABI a listed right needs */
};

/* A text the parse read (jitk_policy_source): not part of the policy's
 * meaning, kept so that a front end can key a cache on exactly the bytes
 * that were parsed. */
struct pol_source {
	const char *name; /* as the parser named it, "" if none */
	const char *text; /* len bytes, NUL-terminated */
	size_t len;
};

struct jitk_policy {
	char file[256];
	bool arch[JITK_ARCH__COUNT]; /* architectures the policy accepts */
	uint32_t default_action;     /* listed arch, no rule matched */
	uint32_t foreign_action;     /* arch not listed (incl. x32 if not listed) */
	size_t nrules;
	const struct pol_rule *rules; /* in source order */
	struct pol_landlock landlock; /* filesystem, network, scope */
	size_t nsources;              /* the texts the parse read, 0 if unknown */
	const struct pol_source *sources;
	/* What the front end warns about (docs/scpl.md, "Warnings"): rules
	 * whose meaning the per-ABI semantics changed, rules about calls the
	 * kernel never filters.  Not part of the meaning. */
	size_t nwarnings;
	const jitk_diag *warnings;
	/* How an OCI profile asks to be installed (its "flags", "listenerPath"
	 * and "listenerMetadata", docs/oci.md): the loader's business, no part
	 * of the semantics.  0 / NULL for SCPL (jitk_policy_loader_opts). */
	unsigned load_flags;       /* JITK_LOAD_* bits */
	const char *listener_path; /* NULL: none, or no Notify action */
	const char *listener_meta; /* NULL: none */
	void *arena;               /* owner of everything above */
};

#endif
