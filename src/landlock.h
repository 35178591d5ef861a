/*
 * landlock.h - Landlock access rights (generated from the kernel source by
 * tools/gen_landlock.sh) and the SCPL names of rights and groups.
 */
#ifndef JITK_LANDLOCK_H
#define JITK_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

enum tbl_ll_kind { TBL_LL_FS, TBL_LL_NET, TBL_LL_SCOPE };

/* One right: its name (the macro's suffix in lower case: read_file,
 * connect_tcp, signal), kind, bit, and the Landlock ABI that introduced it. */
struct tbl_landlock {
	const char *name;
	enum tbl_ll_kind kind;
	uint64_t bit;
	unsigned abi;
};
extern const struct tbl_landlock tbl_landlock[]; /* ends with name NULL */
extern const size_t tbl_landlock_len;

/* The rights an SCPL access name stands for, in kind: a right's own name,
 * or a group (filesystem: read, write, execute; network: bind, connect).
 * 0 if the name is unknown there; *abi gets the highest ABI among them. */
uint64_t ll_access_of(enum tbl_ll_kind kind, const char *name, unsigned *abi);
/* The known access name closest to name in kind (for hints), or NULL. */
const char *ll_access_suggest(enum tbl_ll_kind kind, const char *name);
/* Every right of kind up to ABI abi. */
uint64_t ll_rights_upto(enum tbl_ll_kind kind, unsigned abi);

/* The checks of jitk_landlock_apply for a kernel of Landlock ABI abi (0:
 * none): a right, a network block or a scope the ABI lacks is an error, or
 * with best a warning in w; *scope gets the scopes that stay.  Separate so
 * that every ABI can be tested on any kernel. */
jitk_err ll_check(const jitk_policy *p, unsigned abi, bool best, struct strbuf *w, uint64_t *scope,
		  jitk_diag *d);

#endif
