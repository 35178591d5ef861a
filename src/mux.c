/*
 * mux.c - the calls socketcall(2) and ipc(2) multiplex.  An ABI has a
 * multiplexer when its syscall table has the number (i386 has both; x86_64
 * and aarch64 neither); the kernel dispatches socketcall(call, args) and
 * ipc(call, ...) on the first argument (docs/kernel-notes.md, section 10).
 */
#include "mux.h"

#include <string.h>

const struct mux_call *mux_find(const char *name)
{
	for (size_t i = 0; name && i < tbl_mux_len; i++)
		if (!strcmp(tbl_mux[i].name, name))
			return &tbl_mux[i];
	return NULL;
}

const char *mux_name(enum mux_kind m)
{
	return m == MUX_IPC ? "ipc" : "socketcall";
}

int mux_nr(jitk_arch a, enum mux_kind m)
{
	return jitk_syscall_nr(a, mux_name(m));
}
