/* cli.h - the jitk command line: one cmd_* per subcommand, shared helpers. */
#ifndef JITK_CLI_H
#define JITK_CLI_H

#include "jitk.h"

#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Each command gets argv after the subcommand name (argv[0] is the name)
 * and returns the process exit status. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

/*
 * The command table (cli/commands.c) is the one description of the command
 * line.  main.c dispatches from it; `jitk help CMD` and `jitk CMD --help`
 * print it; before a command runs, every option on its command line is
 * checked against it (unknown ones are refused with the nearest spelling);
 * the jitk(1) man page (`jitk help --man`, man/jitk.1.in) and the bash
 * completion (`jitk help --list ...`, tools/jitk.bash) are generated from
 * it; tests/cli/test_help.sh checks that docs/cli.md agrees with it.
 *
 * HOW TO ADD A COMMAND
 *   1. Write `int cmd_NAME(int argc, char **argv)` in a cli/cmd_*.c file and
 *      declare it below.  It parses its own options (the table does not do
 *      that for it) and need not handle -h/--help: main.c answers those.
 *   2. Add ONE entry to cli_commands[] in cli/commands.c: name, function,
 *      operands, a one-line summary, a paragraph, every option (long name,
 *      short alias, argument, what completion offers for it, default, one
 *      line of help) and at least one example.  An option the command
 *      accepts but the table lacks is refused before the command sees it.
 *   3. Add a "## jitk NAME" section to docs/cli.md with a synopsis block
 *      naming every option.  `make test` fails until 2 and 3 agree.
 *   Help, the man page and completion then show the command; nothing else
 *   needs editing.
 */

/* What an option's argument or an operand is, for completion. */
enum cli_arg_kind {
	CLI_ARG_NONE,    /* a flag: no argument */
	CLI_ARG_FILE,    /* a file name */
	CLI_ARG_WORDS,   /* one of the words in .values */
	CLI_ARG_LIST,    /* comma-separated words from .values */
	CLI_ARG_SYSCALL, /* a syscall name (of --arch) or a number */
	CLI_ARG_ARCH,    /* an architecture name */
	CLI_ARG_VALUE,   /* anything else: a number, a name */
};

struct cli_opt {
	const char *name;  /* long form, "--format" */
	const char *alias; /* short form, "-f", or NULL */
	const char *arg;   /* metavariable for the synopsis ("OUT"), NULL for a flag */
	enum cli_arg_kind kind;
	const char *values; /* space-separated words for CLI_ARG_WORDS and CLI_ARG_LIST */
	const char *def;    /* the default, in words; NULL if none */
	bool required;      /* the command refuses to run without it */
	const char *help;   /* one line; "(repeatable" in it lets the option be
				given more than once, else that is a usage
				error (cli_check_args) */
};

struct cli_command {
	const char *name;
	cli_cmd_fn fn;
	const char *operands; /* before the options: "POLICY", "[POLICY]", "A B" */
	enum cli_arg_kind operand_kind;
	const char *tail;            /* after the options: "-- CMD [ARGS...]" or NULL */
	const char *summary;         /* one line, no final period */
	const char *description;     /* a paragraph (wrapped when printed) */
	const struct cli_opt *opts;  /* ends with an entry whose name is NULL */
	const char *const *examples; /* shell lines ("$ " prefix added), NULL-terminated */
};

extern const struct cli_command cli_commands[];
extern const size_t cli_ncommands;

/* The entry called name, or NULL. */
const struct cli_command *cli_find_command(const char *name);
/* Check argv (argv[0] = the command's name) against c's table entry up to
 * "--": answer -h/--help, split "--opt=value", refuse unknown options with
 * the nearest spelling.  Returns -1 to go on with *argcp and *argvp (possibly a
 * new array, which the process keeps), else the exit status. */
int cli_check_args(const struct cli_command *c, int *argcp, char ***argvp);
/* The synopsis after "jitk ": "compile POLICY -o OUT [--format raw|text|c] ...". */
void cli_synopsis(const struct cli_command *c, FILE *fp);
/* `jitk help ...` and `jitk --version`. */
int cli_help(int argc, char **argv);
int cli_version(void);
/* "unknown command" with the nearest one and the overview; CLI_USAGE. */
int cli_unknown_command(const char *name);
/* One-paragraph overview of every command to fp. */
void cli_overview(FILE *fp);
/* The candidate closest in spelling to s among n strings, or NULL if none
 * is plausibly meant. */
const char *cli_nearest(const char *s, const char *const *cands, size_t n);

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
int cmd_explain(int argc, char **argv); /* cli/cmd_explain.c */

/* `jitk run` under supervision (cli/run_report.c): run argv under f, p's
 * compiled filter, naming each refused call and its deciding rule; with
 * permissive nothing is refused and a summary is printed at exit; with
 * report_errno errno answers are reported as well as kills and traps; with
 * L (NULL: none) Notify answers go to L's agent (cli/listener.c).  Returns the exit status (the command's, 128+signal, 126/127). */
struct cli_listener;
int run_report(const jitk_policy *p, const jitk_filter *f, unsigned flags, struct cli_listener *L,
	       bool permissive, bool report_errno, bool verbose, char **argv);
int cmd_import(int argc, char **argv); /* cli/cmd_import.c */

/* OCI/Docker profile options (--caps, --kernel, --host-arch, --strict),
 * taken out of argv by main() before any command runs (cli/profile.c). */
extern jitk_profile_opts cli_profile;
/* Remove the profile options from argv (up to a "--"); -1 on a missing
 * value (message printed). */
int cli_take_profile_opts(int *argc, char **argv);
/* Load a policy file, SCPL or OCI profile (by content), with cli_profile.
 * Every command that reads a policy goes through here. */
jitk_err cli_load_policy(const char *path, jitk_policy **p, jitk_diag *d);

/* Policy warnings (cli/lint_report.c, jitk_lint): --werror makes them
 * errors, --no-warn NAME,... (or all) silences them. */
struct cli_lint {
	bool werror;
	unsigned off_mask; /* silenced warnings, a bit per name; ~0u: all */
};
/* Parse a --no-warn list into l; false (the bad word in bad) if a name is
 * unknown. */
bool cli_lint_parse(const char *list, struct cli_lint *l, char *bad, size_t cap);
/* Print p's warnings that are not silenced (JITK_LINT_* flags); returns
 * how many were printed, -1 on failure.  key (NULL: none) is p's proof
 * cache key: the warnings (whose Z3 checks cost as much as the proof) are
 * then taken from the cache, or stored there. */
int cli_lint_policy(const jitk_policy *p, const struct cli_lint *l, unsigned flags, const unsigned char *key);

/* The proof cache of compile and run (cli/cache.c; docs/cli.md).  Keys
 * are SHA-256 digests of everything the filter depends on. */
#define CLI_CACHE_KEY 32
/* --no-cache, or JITK_NO_CACHE set (not "0"): no entry read or written. */
extern bool cli_cache_off;
/* Notes about an unusable cache directory (run --verbose). */
extern bool cli_cache_verbose;
void cli_cache_init(bool no_cache);
/* The key of p compiled with opts; false if p is not cached (--no-cache,
 * --no-verify: nothing proved, a policy without sources, no build ID). */
bool cli_cache_key(const jitk_policy *p, const jitk_compile_opts *opts, unsigned char key[CLI_CACHE_KEY]);
/* The filter proved earlier for p under key, its hash matched, re-checked
 * (jitk_check) and spot-checked against p on every syscall number, or NULL
 * (a bad entry is removed, with a note). */
jitk_filter *cli_cache_get_filter(const unsigned char key[CLI_CACHE_KEY], const jitk_policy *p);
/* Store f, just proved, under key (atomically; silently nothing if the
 * cache cannot be written). */
void cli_cache_put_filter(const unsigned char key[CLI_CACHE_KEY], const jitk_filter *f);
/* The policy warnings (jitk_lint with flags) found earlier under key:
 * *w (release with free()) holds *n; false if none are cached. */
bool cli_cache_get_lint(const unsigned char key[CLI_CACHE_KEY], unsigned flags, jitk_diag **w, size_t *n);
void cli_cache_put_lint(const unsigned char key[CLI_CACHE_KEY], unsigned flags, const jitk_diag *w, size_t n);
/* The off_mask bit of the warning called name (0 if none is). */
unsigned cli_lint_bit(const char *name);

/* Exit statuses. */
#define CLI_OK 0
#define CLI_FAIL 1   /* the input is bad, or the answer is "no" */
#define CLI_USAGE 2  /* wrong command line */
#define CLI_SOLVER 3 /* the solver could not decide (timeout): never a silent success */

/* Print "jitk: error: ..." for err with d's location:
 *   file:line:col: error: msg
 *     source line
 *     ^~~~
 *   hint: ...
 * or "file: instruction N: error: msg [rule]" for instruction-level errors. */
void cli_report(const char *what, jitk_err err, const jitk_diag *d);
/* Print the warnings of a parsed policy (jitk_policy_warning) to stderr. */
void cli_warnings(const char *what, const jitk_policy *p);
/* Printf-style error to stderr prefixed "jitk: error: "; returns CLI_FAIL. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Output formats. */
enum cli_format { FMT_AUTO, FMT_RAW, FMT_TEXT, FMT_C, FMT_DOT };
/* Parse "raw", "text", "c", "dot"; -1 if unknown. */
int cli_parse_format(const char *s);

/* ------------------------------------------------------------------
 * Files.  Every command reads and writes files ONLY through these (io.c,
 * common.c), so each gets the same guarantees:
 *  - an input is read up to cli_max_input bytes (default 16 MiB, raised
 *    with the global option --max-input SIZE that main.c takes off the
 *    command line of every command) and refused beyond: /dev/zero or an
 *    endless fifo ends in milliseconds;
 *  - "-" is standard input (or standard output for an output);
 *  - the content, not the file name, decides policy vs filter, raw vs text
 *    (cli_sniff); binary data is never echoed to the terminal;
 *  - an output replaces a regular file atomically (temp file + rename,
 *    mode and owner kept), follows a symlink to the file it names, writes a
 *    device or fifo in place, refuses a directory, a socket, an unwritable
 *    file and any file the command read as input, and leaves no temp file
 *    behind on failure or SIGINT/SIGTERM/SIGHUP.
 * Each prints its own "jitk: error: ..." and returns NULL / CLI_FAIL.
 * ------------------------------------------------------------------ */

#define CLI_MAX_INPUT_DEFAULT JITK_MAX_INPUT
extern size_t cli_max_input;

/* "<stdin>" for "-", else path: how an input is named in messages. */
const char *cli_input_name(const char *path);
/* All of path ("-" is stdin), NUL-terminated, at most cli_max_input bytes;
 * release with free(). */
char *cli_read_input(const char *path, size_t *len);
/* The same without printing: on failure d->msg (and d->hint) say why. */
char *cli_read_input_diag(const char *path, size_t *len, jitk_diag *d);
/* Parse policy text read by a command: an OCI/Docker JSON profile (with
 * the --caps/--kernel/... options) or SCPL with cli_policy_limits(). */
/* Report what cli_load_policy or cli_read_input_diag said about name:
 * "jitk: error: cannot open ..." for a file that could not be read, the
 * located form otherwise. */
void cli_report_load(const char *name, jitk_err err, jitk_diag *d);
jitk_err cli_parse_policy_text(const char *text, size_t len, const char *name, jitk_policy **p, jitk_diag *d);
/* "4096", "64K", "16M", "1G" (also KiB/MiB/GiB); false if bad or 0. */
bool cli_parse_size(const char *s, size_t *out);

/* What a file holds, by content. */
enum cli_kind {
	CLI_KIND_EMPTY,  /* nothing but blanks and comments */
	CLI_KIND_POLICY, /* SCPL: starts with '{' */
	CLI_KIND_JSON,   /* starts with '{' '"': an OCI/Docker profile */
	CLI_KIND_ASM,    /* other text: classic BPF assembler */
	CLI_KIND_BINARY, /* raw struct sock_filter or other binary data */
};
enum cli_kind cli_sniff(const char *buf, size_t len);

/* Read a filter from path ("-" is stdin).  fmt FMT_AUTO decides by content
 * (binary: raw bytes, text: assembler; the .s/.asm/.bpfasm suffix only for
 * an empty file).  A policy given where a filter is expected is refused
 * with hint (NULL: a generic one; commands with two operands pass one
 * about their order). */
jitk_filter *cli_read_filter(const char *path, enum cli_format fmt);
jitk_filter *cli_read_filter_as(const char *path, enum cli_format fmt, const char *hint);
/* Read and parse an SCPL policy from path ("-" is stdin; includes are then
 * relative to the working directory).  Binary data is refused with hint.
 * *err (may be NULL) receives the library's error kind. */
jitk_policy *cli_read_policy(const char *path);
/* The limits for jitk_policy_parse_limited: includes bounded by
 * cli_max_input each and in total.  Use it wherever a command parses a
 * policy it read itself. */
jitk_policy_limits cli_policy_limits(void);
jitk_policy *cli_read_policy_as(const char *path, const char *hint, jitk_err *err);

/* Write f to path ("-" is stdout) in fmt (FMT_AUTO: raw for files, text for
 * a terminal or "-") through cli_write_bytes. */
int cli_write_filter(const char *path, const jitk_filter *f, enum cli_format fmt, const char *c_name);
/* Write len bytes to path with the guarantees above; CLI_OK or CLI_FAIL. */
int cli_write_bytes(const char *path, const void *buf, size_t len);
/* The checks cli_write_bytes makes before writing (directory, socket,
 * unwritable, an input of this command), for a command to call before
 * long work such as a proof; CLI_OK or CLI_FAIL (message printed). */
int cli_check_output(const char *path);

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

/* Handing a notification listener to an OCI profile's listenerPath agent
 * (cli/listener.c, docs/oci.md).  open connects (before the command runs);
 * prepare, in the process that will exec and before the filter, builds the
 * container process state and checks that the policy allows the sendmsg;
 * send, after jitk_load(NEW_LISTENER), makes that one call. */
struct cli_listener {
	int sock;
	const char *metadata;
	const jitk_policy *policy;     /* whose filter will be in force */
	const char *policy_name, *cmd; /* for the state's annotations */
	char *state;
	struct iovec iov;
	struct msghdr msg;
	union {
		char buf[CMSG_SPACE(sizeof(int))]; /* SCM_RIGHTS, one fd */
		struct cmsghdr align;
	} ctl;
};
bool cli_listener_open(struct cli_listener *L, const char *path, const char *metadata, const jitk_policy *p,
		       const char *policy_name, const char *cmd, char *err, size_t cap);
bool cli_listener_prepare(struct cli_listener *L, char *err, size_t cap);
bool cli_listener_send(struct cli_listener *L, int fd, char *err, size_t cap);
void cli_listener_close(struct cli_listener *L);

/* Print "jitk: error: " fmt (with one string argument arg) unless fmt is
 * NULL, then "usage: jitk USAGE" -- the table's synopsis if USAGE's first
 * word is a command; returns CLI_USAGE. */
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

/* A filter read from path, or a policy (by content: cli_sniff) compiled and
 * proved. */
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
/* Such an operand as ONE filter, proved equal to the stack (jitk_stack);
 * prints its own error and returns NULL on failure. */
jitk_filter *cli_stack_filter(const char *arg, unsigned timeout_ms);

/* --timeout MS: 1 .. 86400000 milliseconds, the same for every command
 * (0 is refused: it would read as "no limit" to some and "default" to
 * others); false if bad. */
bool cli_parse_timeout(const char *s, unsigned *ms);
/* A C identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters, not a
 * keyword) for --name. */
bool cli_is_c_ident(const char *s);

/* Parse an unsigned number (decimal, 0x hex, 0 octal); false if bad. */
bool cli_parse_u64(const char *s, uint64_t *out);

/* Run cvc5 on an SMT-LIB 2 benchmark (cli/cross.c): 1 if it answers unsat,
 * 0 if it answers anything else, -1 if it cannot be run; verdict gets its
 * answer or the reason. */
int cli_cvc5_unsat(const char *smtlib, char *verdict, size_t cap);

#endif
