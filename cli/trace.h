/*
 * trace.h - supervise a command with ptrace and SECCOMP_RET_TRACE
 * (cli/trace.c); used by `jitk run` (refusal reports, --permissive) and
 * `jitk learn`.
 *
 * The command runs under a filter derived from the proved one: returns the
 * supervisor must see become SECCOMP_RET_TRACE | i (trace_filter), and the
 * supervisor, a ptrace tracer following every thread, fork, vfork, clone
 * and execve, gets one stop per such call -- only those calls, so the rest
 * runs at full speed, and nothing is rate-limited.  At each stop a hook
 * decides: let the call run (permissive, learning) or apply a seccomp
 * return value (trace_apply), which the kernel itself then enforces.
 */
#ifndef JITK_CLI_TRACE_H
#define JITK_CLI_TRACE_H

#include "jitk.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One system call stopped at its seccomp check. */
struct trace_call {
	pid_t tid;
	struct seccomp_data sd; /* what the filter saw */
	uint16_t data;          /* SECCOMP_RET_DATA of the TRACE return */
	const char *prog;       /* the program the thread runs (basename) */
	bool first_exec;        /* the execve of the command itself */
};

/* What a hook decides for a call: let it run as if allowed, or apply ret. */
struct trace_verdict {
	bool apply;
	uint32_t ret; /* a SECCOMP_RET_* value, when apply */
};

typedef struct trace_verdict (*trace_hook)(void *ctx, const struct trace_call *c);

/* The filter the command runs under: f with each RET K whose value
 * redirect() selects replaced by RET TRACE | i, where table[i] is the
 * original value (*table, *ntable: malloc'd, distinct values).  A short
 * prologue lets the supervisor hand a call back to the kernel with a value
 * of its choice (trace_apply); see trace.c.  NULL if f has a RET A, too
 * many distinct values, or memory ran out. */
jitk_filter *trace_filter(const jitk_filter *f, bool (*redirect)(uint32_t ret), uint32_t **table,
			  size_t *ntable);

/* The result of one supervised run. */
struct trace_result {
	int status;        /* the command's wait status (its first process) */
	bool started;      /* the command was executed */
	bool exec_refused; /* a hook applied a refusal to the first execve */
	int exec_errno;    /* execve failed with this (not started) */
	char error[256];   /* set when trace_run returns false */
};

/* Run argv (path: the resolved executable) under filter f (loaded with
 * jitk_load flags in the child, after PTRACE_TRACEME; with L, also with
 * JITK_LOAD_NEW_LISTENER, the listener handed to L's agent), calling hook at
 * every seccomp stop of the command and its descendants.  Returns when the
 * last traced task is gone.  false (and r->error) if tracing could not be
 * set up or the filter could not be loaded (then nothing ran).  *stop, if
 * non-NULL, is polled: once it becomes true every traced task is killed. */
struct cli_listener;
bool trace_run(const jitk_filter *f, unsigned flags, struct cli_listener *L, const char *path, char **argv,
	       trace_hook hook, void *ctx, volatile int *stop, struct trace_result *r);

/* PATH lookup as execvp does it, done before anything runs so that "not
 * found" (127) and "not executable" (126) are told apart without running
 * anything under the filter.  Returns 0 and the path in buf, or the exit
 * status and a message in err. */
int trace_resolve(const char *cmd, char *buf, size_t cap, char *err, size_t errcap);

#endif
