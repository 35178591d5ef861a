/* cli.h - the jitk command line: one cmd_* per subcommand, shared helpers. */
#ifndef JITK_CLI_H
#define JITK_CLI_H

#include "jitk.h"

#include <stdio.h>

/* Each command gets argv after the subcommand name (argv[0] is the name)
 * and returns the process exit status. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_asm(int argc, char **argv);     /* cli/cmd_bpf.c */
int cmd_disasm(int argc, char **argv);  /* cli/cmd_bpf.c */
int cmd_check(int argc, char **argv);   /* cli/cmd_bpf.c */
int cmd_eval(int argc, char **argv);    /* cli/cmd_bpf.c */
int cmd_exec(int argc, char **argv);    /* cli/cmd_bpf.c */
int cmd_compile(int argc, char **argv); /* cli/cmd_policy.c */
int cmd_run(int argc, char **argv);     /* cli/cmd_policy.c */
int cmd_verify(int argc, char **argv);  /* cli/cmd_verify.c */
int cmd_diff(int argc, char **argv);    /* cli/cmd_verify.c */
int cmd_jit(int argc, char **argv);     /* cli/cmd_jit.c */
int cmd_syscall(int argc, char **argv); /* cli/cmd_syscall.c */
int cmd_stack(int argc, char **argv);   /* cli/cmd_stack.c */
int cmd_learn(int argc, char **argv);   /* cli/cmd_learn.c */
int cmd_dump(int argc, char **argv);    /* cli/cmd_dump.c */

/* `jitk run` under supervision (cli/run_report.c): run argv under f, p's
 * compiled filter, naming each refused call and its deciding rule; with
 * permissive nothing is refused and a summary is printed at exit; with
 * report_errno errno answers are reported as well as kills and traps.
 * Returns the exit status (the command's, 128+signal, 126/127). */
int run_report(const jitk_policy *p, const jitk_filter *f, unsigned flags, bool permissive,
	       bool report_errno, bool verbose, char **argv);

/* Exit statuses. */
#define CLI_OK 0
#define CLI_FAIL 1  /* the input is bad, or the answer is "no" */
#define CLI_USAGE 2 /* wrong command line */

/* Print "jitk: error: ..." for err with d's location:
 *   file:line:col: error: msg
 *     source line
 *     ^~~~
 *   hint: ...
 * or "file: instruction N: error: msg [rule]" for instruction-level errors. */
void cli_report(const char *what, jitk_err err, const jitk_diag *d);
/* Printf-style error to stderr prefixed "jitk: error: "; returns CLI_FAIL. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Output formats. */
enum cli_format { FMT_AUTO, FMT_RAW, FMT_TEXT, FMT_C };
/* Parse "raw", "text", "c"; -1 if unknown. */
int cli_parse_format(const char *s);

/* Read a filter from path ("-" is stdin).  fmt FMT_AUTO picks text when the
 * name ends in .s/.asm/.bpfasm or the content is printable text, else raw.
 * Prints its own error and returns NULL on failure. */
jitk_filter *cli_read_filter(const char *path, enum cli_format fmt);

/* Write f to path ("-" is stdout) in fmt (FMT_AUTO: raw for files, text for
 * a terminal or "-").  Writes to a temporary file in the same directory and
 * renames it, so a failure never leaves a partial output file.  Prints its
 * own error; returns CLI_OK or CLI_FAIL. */
int cli_write_filter(const char *path, const jitk_filter *f, enum cli_format fmt,
		     const char *c_name);
/* Write len bytes atomically the same way. */
int cli_write_bytes(const char *path, const void *buf, size_t len);

/* The built-in policy of `jitk run -- cmd` (policies/docker-default.scpl,
 * embedded at build time; empty if that file is absent). */
extern const char cli_default_policy[];
extern const size_t cli_default_policy_len;

/* Parse a --flags list such as "log,spec-allow,tsync" ('-' or '_') into
 * JITK_LOAD_* bits added to *flags; on failure the offending word is copied
 * to bad (cap bytes) and false returned.  new_listener and
 * wait_killable_recv are not offered: nobody would read the notification
 * fd, so a USER_NOTIF action would block the command forever. */
bool cli_parse_load_flags(const char *s, unsigned *flags, char *bad, size_t cap);

/* Print "jitk: error: " fmt (with one string argument arg) unless fmt is
 * NULL, then "usage: jitk USAGE"; returns CLI_USAGE. */
int cli_usage(const char *usage, const char *fmt, const char *arg);
/* The value of option argv[*i] (which needs one), advancing *i; NULL if
 * missing. */
const char *cli_opt_value(int argc, char **argv, int *i);
/* -h or --help. */
bool cli_is_help(const char *a);
/* s ends with suffix. */
bool cli_ends_with(const char *s, const char *suffix);
/* --from raw|text|auto: how to read an input filter; false if unknown. */
bool cli_parse_from(const char *s, enum cli_format *fmt);

/* A filter read from path, or a policy (*.scpl) compiled and proved. */
jitk_filter *cli_load_filter_or_policy(const char *path, unsigned timeout_ms);

/* A stack of filters in installation order (cli/cmd_stack.c). */
struct cli_stack {
	jitk_filter **f;
	size_t n;
};
/* An operand naming a stack "F1+F2+...": it contains '+' and is not itself
 * an existing path. */
bool cli_is_stack_operand(const char *arg);
/* Load every member of such an operand (filters or policies), each checked;
 * prints its own error and returns false on failure. */
bool cli_load_stack(const char *arg, unsigned timeout_ms, struct cli_stack *s);
void cli_stack_free(struct cli_stack *s);

/* Parse an unsigned number (decimal, 0x hex, 0 octal); false if bad. */
bool cli_parse_u64(const char *s, uint64_t *out);

#endif
