/* learn_paths.h - `jitk learn --paths`: the files and directories a traced
 * command used, coarsened into an SCPL filesystem block (learn_paths.c). */
#ifndef JITK_LEARN_PATHS_H
#define JITK_LEARN_PATHS_H

#include "jitk.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct lpath;
struct lpaths {
	struct lpath *p;
	size_t n, cap;
	bool nomem;
};

/* Record the path (if any) of one system call at its seccomp stop, with the
 * Landlock access it needs; relative names are resolved against the
 * thread's working directory or dirfd (/proc/TID/cwd, /proc/TID/fd/N). */
void lpaths_record(struct lpaths *L, pid_t tid, jitk_arch abi, const struct seccomp_data *sd);

/* The filesystem block ("  filesystem = [ ... ]", with a comment per entry
 * saying what it covers), or NULL on allocation failure; free() it. */
char *lpaths_render(const struct lpaths *L);

void lpaths_free(struct lpaths *L);

#endif
