/* tables.h - name tables generated at build time from the kernel and libc
 * headers by tools/gen_tables.sh (never typed in by hand). */
#ifndef JITK_TABLES_H
#define JITK_TABLES_H
#include <stddef.h>
#include <stdint.h>

struct tbl_sys { const char *name; int nr; };
struct tbl_const { const char *name; uint64_t value; };

/* Each array ends with an entry whose name is NULL. */
extern const struct tbl_sys tbl_sys_x86_64[];
extern const struct tbl_sys tbl_sys_i386[];
extern const struct tbl_sys tbl_sys_x32[];
extern const struct tbl_sys tbl_sys_aarch64[];
/* Entries in each syscall table, the terminator not counted. */
extern const size_t tbl_sys_x86_64_len, tbl_sys_i386_len, tbl_sys_x32_len, tbl_sys_aarch64_len;
extern const struct tbl_const tbl_errno[];
extern const struct tbl_const tbl_consts[];
#endif
