/* tables.h - tables generated at build time from the kernel and its
 * headers (never typed in by hand): tools/gen_tables.sh writes the ABI list
 * (from tools/abis.txt), the syscall numbers, the named constants per ABI
 * and the errno names; tools/gen_params.py writes the parameter table. */
#ifndef JITK_TABLES_H
#define JITK_TABLES_H
#include <stddef.h>
#include <stdint.h>

#include "jitk.h"

struct tbl_sys {
	const char *name;
	int nr;
};
struct tbl_const {
	const char *name;
	uint64_t value;
};

/* The kind of a syscall parameter, from its C type and name in the
 * kernel's prototype (tools/gen_params.py). */
enum tbl_param_kind {
	TBL_PARAM_PTR,   /* a pointer (or compat_uptr_t-like address) */
	TBL_PARAM_FD,    /* an int-sized file descriptor (fd, dfd, epfd, ...) */
	TBL_PARAM_FLAGS, /* a parameter named *flags* */
	TBL_PARAM_INT,   /* other signed, at most 32 bits */
	TBL_PARAM_UINT,  /* other unsigned, at most 32 bits */
	TBL_PARAM_LONG,  /* other signed 64-bit */
	TBL_PARAM_ULONG, /* other unsigned 64-bit */
	TBL_PARAM_SIZE,  /* size_t */
};

struct tbl_param {
	uint8_t width;    /* bits of the register the kernel uses: 8, 16, 32 or 64 */
	uint8_t kind;     /* enum tbl_param_kind */
	const char *type; /* the C type in the prototype */
	const char *name; /* the parameter's name in the prototype */
};

/* One syscall number of an ABI and the kernel function it runs. */
struct tbl_params {
	int nr; /* as seccomp_data.nr carries it (x32: with the x32 bit) */
	uint8_t nargs;
	const char *name;  /* the syscall */
	const char *entry; /* the kernel function (sys_ioctl, compat_sys_ioctl) */
	struct tbl_param arg[6];
};

/* One ABI of tools/abis.txt. */
struct tbl_abi {
	const char *name;
	uint32_t audit;            /* AUDIT_ARCH_* */
	uint32_t nrbase;           /* carried by every number (x32 bit) */
	const struct tbl_sys *sys; /* sorted by name, NULL-terminated */
	const size_t *nsys;
	const uint32_t *sysnr;           /* sys[0..*nsys)'s numbers, ascending (repeats kept) */
	const struct tbl_const *consts;  /* NULL-terminated */
	const struct tbl_const *errnos;  /* its <asm/errno.h> and libc's aliases, NULL-terminated */
	const struct tbl_params *params; /* sorted by nr */
	const size_t *nparams;
	const char *aliases; /* "a\0b\0", ends with an empty name */
};

/* Indexed by jitk_arch. */
extern const struct tbl_abi tbl_abis[];
extern const size_t tbl_abis_len;
/* The build host's errno names (libc's <errno.h>): jitk_errno_value. */
extern const struct tbl_const tbl_errno[];
#endif
