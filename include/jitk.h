/*
 * jitk.h - the only public header of jitk, a trustworthy seccomp toolchain.
 *
 *   SCPL policy --compile--> cBPF --encode--> bytes --load--> seccomp
 *        |                     |                 \--jit--> x86-64 code
 *     semantics          check + interpret        validate
 *
 * Conventions
 *  - Every fallible call returns a jitk_err (JITK_OK is 0) and, when the
 *    caller passes a non-NULL jitk_diag, fills it with a located message.
 *  - Handles are opaque.  Whatever the library allocates, it frees: each
 *    handle has a *_free, and strings it returns are released with jitk_free.
 *  - The library never prints and never exits; only the CLI does.
 *  - struct seccomp_data is the kernel's (linux/seccomp.h): nr, arch,
 *    instruction_pointer, args[6], held as the sixteen 32-bit words a
 *    filter's `ld [4k]` reads, each in this host's byte order.  On a
 *    little-endian ABI that is the kernel's struct as is; on a big-endian
 *    one (AUDIT_ARCH without __AUDIT_ARCH_LE: mips, ppc64, s390x, ...) the
 *    two halves of instruction_pointer and of each args[i] are stored
 *    swapped.  jitk_data_arg and jitk_data_set_arg read and write those
 *    fields as numbers for the call's arch.
 */
#ifndef JITK_H
#define JITK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/seccomp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared here is the library's interface: the library is
 * built with -fvisibility=hidden, so only these names (and only jitk_*)
 * leave libjitk.so; tools/libjitk.map says the same to the linker. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* --------------------------------------------------------------- version */

/* The version of this header.  The soname's number (libjitk.so.0) is the
 * major version: it changes when the ABI does. */
#define JITK_VERSION_MAJOR 0
#define JITK_VERSION_MINOR 1
#define JITK_VERSION_MICRO 0

/* The version of the library actually linked, "MAJOR.MINOR.MICRO". */
const char *jitk_version(void);

/* ---------------------------------------------------------------- errors */

/* Closed set of error kinds.  New kinds are an ABI change. */
typedef enum jitk_err {
	JITK_OK = 0,
	JITK_E_NOMEM,       /* an allocation failed */
	JITK_E_IO,          /* a file could not be read or written */
	JITK_E_INVAL,       /* bad argument from the caller (NULL, bad flag) */
	JITK_E_PARSE,       /* malformed text (assembler, SCPL) */
	JITK_E_NAME,        /* unknown or duplicate name (label, syscall, constant) */
	JITK_E_RANGE,       /* a number out of range for its place */
	JITK_E_FORMAT,      /* binary filter truncated or of odd size */
	JITK_E_CHECK,       /* the seccomp checker rejects the program */
	JITK_E_TOO_BIG,     /* more than 4096 instructions, or an input beyond its
			       limit (jitk_policy_limits) */
	JITK_E_KERNEL,      /* the kernel refused; diag.sys_errno says why */
	JITK_E_UNSUPPORTED, /* not available here (e.g. the JIT off x86-64) */
	JITK_E_DIFFERENT,   /* verification found an input where two sides differ */
	JITK_E_SOLVER,      /* SMT solver timed out or answered unknown */
	JITK_E_JIT,         /* the JIT image validator refused the code */
	JITK_E__COUNT
} jitk_err;

/* A stable, short English description of an error kind. */
const char *jitk_strerror(jitk_err err);

/*
 * A located diagnostic.  Text inputs give file:line:col (1-based) and a copy
 * of the offending source line so a front end can draw a caret; binary and
 * instruction-level problems give the instruction index.  Unknown fields are
 * 0 / -1 / "".
 */
typedef struct jitk_diag {
	jitk_err err;
	char file[256];     /* source file name, "" if none */
	unsigned line, col; /* 1-based; 0 if not from text */
	unsigned span;      /* length of the offending token, >= 1 when col > 0 */
	long index;         /* instruction index, -1 if none */
	char rule[48];      /* short rule id, e.g. "jump-range", "" if none */
	char msg[256];      /* what is wrong */
	char hint[256];     /* how to fix it, "" if no hint */
	char src_line[256]; /* the source line (no newline), "" if none */
	int sys_errno;      /* errno for JITK_E_IO / JITK_E_KERNEL, else 0 */
} jitk_diag;

/* Release a string or buffer the library returned. */
void jitk_free(void *p);

/* ---------------------------------------------------------- instructions */

/* One classic BPF instruction; same layout as the kernel's struct sock_filter. */
typedef struct jitk_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
} jitk_insn;

#define JITK_MAXINSNS 4096 /* BPF_MAXINSNS: the kernel's per-program limit */

/* seccomp return values (SECCOMP_RET_*) and their parts. */
#define JITK_RET_KILL_PROCESS 0x80000000u
#define JITK_RET_KILL_THREAD 0x00000000u
#define JITK_RET_TRAP 0x00030000u
#define JITK_RET_ERRNO 0x00050000u
#define JITK_RET_USER_NOTIF 0x7fc00000u
#define JITK_RET_TRACE 0x7ff00000u
#define JITK_RET_LOG 0x7ffc0000u
#define JITK_RET_ALLOW 0x7fff0000u
#define JITK_RET_ACTION_FULL 0xffff0000u
#define JITK_RET_DATA 0x0000ffffu

/* Name of the action of a return value ("ALLOW", "ERRNO", ...).  Undefined
 * action values are named "KILL_PROCESS(undefined)" as the kernel treats them. */
const char *jitk_action_name(uint32_t ret);

/* ---------------------------------------------------------------- filter */

/* An immutable classic BPF program. */
typedef struct jitk_filter jitk_filter;

/* Copy n instructions into a new filter (n may be 0 or > 4096: the checker,
 * not the container, decides what is acceptable). */
jitk_err jitk_filter_new(const jitk_insn *insns, size_t n, jitk_filter **out);
void jitk_filter_free(jitk_filter *f);
size_t jitk_filter_len(const jitk_filter *f);
/* The instructions, valid until jitk_filter_free. */
const jitk_insn *jitk_filter_insns(const jitk_filter *f);
bool jitk_filter_equal(const jitk_filter *a, const jitk_filter *b);

/* ----------------------------------------------------------------- codec */

/* Bytes are an array of struct sock_filter in native byte order (8 bytes per
 * instruction), exactly what seccomp(2) and PTRACE_SECCOMP_GET_FILTER use.
 * decode fails with JITK_E_FORMAT on a size that is not a multiple of 8 (diag
 * names the byte offset of the truncated instruction) or is 0. */
jitk_err jitk_decode(const void *bytes, size_t nbytes, jitk_filter **out, jitk_diag *d);
/* Size in bytes of the encoding of f. */
size_t jitk_encoded_size(const jitk_filter *f);
/* Write the encoding of f into buf (cap bytes); JITK_E_INVAL if too small. */
jitk_err jitk_encode(const jitk_filter *f, void *buf, size_t cap);

/* ------------------------------------------------- assembler / printers */

/* Assemble classic BPF text (bpf_asm / Jitk paper syntax, see docs/asm.md).
 * filename is used in diagnostics only (may be NULL). */
jitk_err jitk_asm(const char *text, size_t len, const char *filename, jitk_filter **out, jitk_diag *d);
/* Disassemble to text that jitk_asm assembles back to the same program.
 * *out is NUL-terminated; release with jitk_free. */
jitk_err jitk_disasm(const jitk_filter *f, char **out);
/* Emit a C array "static const struct sock_filter NAME[] = {...};" plus a
 * struct sock_fprog NAME_prog; release with jitk_free. */
jitk_err jitk_format_c(const jitk_filter *f, const char *name, char **out);
/* A Graphviz digraph NAME of f's control flow: a box per basic block (its
 * disassembly, naming the syscalls it decides), T/F edges, one oval per
 * return value coloured by action.  `dot -Tsvg` renders it. */
jitk_err jitk_format_dot(const jitk_filter *f, const char *name, char **out);

/* --------------------------------------------------------------- checker */

/* Exactly the kernel's acceptance rules for a seccomp filter
 * (bpf_check_classic, check_load_and_stores, seccomp_check_filter).
 * JITK_OK if seccomp(2) would accept f, else JITK_E_CHECK (or JITK_E_TOO_BIG
 * for length 0 or > 4096) with diag.index and diag.rule set. */
jitk_err jitk_check(const jitk_filter *f, jitk_diag *d);

/* ----------------------------------------------------------- interpreter */

typedef struct jitk_result {
	uint32_t ret;     /* the filter's 32-bit return value */
	uint32_t steps;   /* instructions executed, including the final RET */
	bool unspecified; /* a shift by X >= 32 happened: the kernel's
			      interpreter masks the count with 31, JITs may differ */
} jitk_result;

/* Run f on one input with the kernel's runtime semantics.  f must pass
 * jitk_check (else JITK_E_CHECK, and nothing runs). */
jitk_err jitk_interp(const jitk_filter *f, const struct seccomp_data *in, jitk_result *out);

/* ---------------------------------------------------------------- arches */

typedef enum jitk_arch {
	JITK_ARCH_X86_64,
	JITK_ARCH_I386,
	JITK_ARCH_X32, /* reports AUDIT_ARCH_X86_64 with nr | 0x40000000 */
	JITK_ARCH_AARCH64,
	JITK_ARCH_ARM, /* EABI */
	JITK_ARCH_RISCV64,
	JITK_ARCH_PPC64LE,
	JITK_ARCH_PPC64,
	JITK_ARCH_PPC,
	JITK_ARCH_S390X,
	JITK_ARCH_S390, /* 31-bit */
	JITK_ARCH_MIPS, /* o32, big-endian; numbers from 4000 */
	JITK_ARCH_MIPSEL,
	JITK_ARCH_MIPS64, /* n64; numbers from 5000 */
	JITK_ARCH_MIPSEL64,
	JITK_ARCH_MIPS64N32, /* n32; numbers from 6000 */
	JITK_ARCH_MIPSEL64N32,
	JITK_ARCH__COUNT
} jitk_arch;

#define JITK_X32_SYSCALL_BIT 0x40000000u

const char *jitk_arch_name(jitk_arch a);
/* "x86_64", "i386" (also "x86"), "x32", "aarch64", "arm", ... (tools/abis.txt,
 * docs/scpl.md); -1 if unknown. */
int jitk_arch_from_name(const char *name);
/* The AUDIT_ARCH_* value seccomp_data.arch carries for this ABI. */
uint32_t jitk_arch_audit(jitk_arch a);

/* Syscall number of name on arch (x32 numbers include the x32 bit), or -1.
 * Accepts "SYS_name", "__NR_name" and "name". */
int jitk_syscall_nr(jitk_arch a, const char *name);
/* Name of number nr on arch, or NULL. */
const char *jitk_syscall_name(jitk_arch a, int nr);
/* The known syscall of a that is closest in spelling to name (for hints): a
 * plausible typo, else the shortest name it is a prefix of (open -> openat),
 * else one within edit distance 2; NULL if none. */
const char *jitk_syscall_suggest(jitk_arch a, const char *name);
/* Iterate the syscall table of arch: i from 0 until it returns false. */
bool jitk_syscall_at(jitk_arch a, size_t i, const char **name, int *nr);

/* errno value of a name such as "EACCES", or -1. */
int jitk_errno_value(const char *name);
/* Name of an errno value, or NULL (the build host's <errno.h>). */
const char *jitk_errno_name(int value);
/* Name of errno value `value` on ABI a, from that ABI's own <asm/errno.h>
 * (mips numbers above 34 differently from x86: its 89 is ENOSYS, x86's
 * EDESTADDRREQ), or NULL if the ABI has no name for it; for a value that
 * is no jitk_arch (a call of an ABI jitk does not know), jitk_errno_name's. */
const char *jitk_errno_name_arch(jitk_arch a, int value);
/* A named constant of ABI a, from that ABI's own UAPI headers (O_*, PROT_*,
 * MAP_*, CLONE_*, TIOC*, AF_*, ...; values differ between ABIs: O_DIRECTORY
 * is 0200000 on x86, 040000 on aarch64).  Negative constants are
 * sign-extended to 64 bits.  false if a has no such constant. */
bool jitk_const_value_arch(jitk_arch a, const char *name, uint64_t *value);
/* The same for x86_64. */
bool jitk_const_value(const char *name, uint64_t *value);

/* ---------------------------------------------------------------- loader */

/* seccomp(2) filter flags, same values as SECCOMP_FILTER_FLAG_*. */
#define JITK_LOAD_TSYNC (1u << 0)
#define JITK_LOAD_LOG (1u << 1)
#define JITK_LOAD_SPEC_ALLOW (1u << 2)
#define JITK_LOAD_NEW_LISTENER (1u << 3)
#define JITK_LOAD_TSYNC_ESRCH (1u << 4)
#define JITK_LOAD_WAIT_KILLABLE_RECV (1u << 5)
/* jitk's own: do not set no_new_privs (caller must have CAP_SYS_ADMIN). */
#define JITK_LOAD_KEEP_PRIVS (1u << 16)

/* Install f for the calling thread (or all threads with TSYNC).  Sets
 * no_new_privs first unless JITK_LOAD_KEEP_PRIVS.  Uses seccomp(2), falling
 * back to prctl(PR_SET_SECCOMP) when the syscall is missing and no flag needs
 * it.  With NEW_LISTENER, *listener receives the notification fd. */
jitk_err jitk_load(const jitk_filter *f, unsigned flags, int *listener, jitk_diag *d);

/* ----------------------------------------------------------------- SCPL */

/* A parsed, resolved, immutable SCPL policy (see docs/scpl.md). */
typedef struct jitk_policy jitk_policy;

/* What one policy may pull in, so that no input makes the parser read
 * forever (/dev/zero) or splice in exponentially many rules (12 files each
 * including the next 8 times would be 8^12 rules).  Beyond a limit the
 * parse fails with JITK_E_TOO_BIG, located at the include or rule that
 * crossed it and naming the include chain.  A field 0 takes its default. */
typedef struct jitk_policy_limits {
	size_t max_input; /* bytes of any one file read: the policy, each include
			     (default JITK_MAX_INPUT) */
	size_t max_total; /* bytes the includes splice in, a file counted each time
			     it is included (default: max_input) */
	size_t max_rules; /* rules, includes spliced (default JITK_MAX_RULES) */
} jitk_policy_limits;

#define JITK_MAX_INPUT ((size_t)16 << 20) /* 16 MiB */
#define JITK_MAX_RULES ((size_t)1 << 20)

/* Parse policy text.  filename is used in diagnostics and to resolve
 * `include` relative to it (NULL: relative to the working directory). */
jitk_err jitk_policy_parse(const char *text, size_t len, const char *filename, jitk_policy **out,
			   jitk_diag *d);
/* Read and parse a policy file (at most JITK_MAX_INPUT bytes). */
jitk_err jitk_policy_load(const char *path, jitk_policy **out, jitk_diag *d);
/* The same with explicit limits (lim may be NULL: the defaults). */
jitk_err jitk_policy_parse_limited(const char *text, size_t len, const char *filename,
				   const jitk_policy_limits *lim, jitk_policy **out, jitk_diag *d);
jitk_err jitk_policy_load_limited(const char *path, const jitk_policy_limits *lim, jitk_policy **out,
				  jitk_diag *d);
void jitk_policy_free(jitk_policy *p);
/* The warnings of a parsed policy (docs/scpl.md, "Warnings"): located
 * diagnostics (err is JITK_OK) about rules whose meaning changed with the
 * per-ABI semantics and rules about calls the kernel never filters.
 * jitk_policy_warning(p, i) for i < jitk_policy_nwarnings(p), else NULL. */
size_t jitk_policy_nwarnings(const jitk_policy *p);
const jitk_diag *jitk_policy_warning(const jitk_policy *p, size_t i);

/* Read a whole file into *text (NUL-terminated, *len bytes without the
 * NUL; release with free()), at most JITK_MAX_INPUT bytes.  JITK_E_IO
 * (d->sys_errno set when the system said why), JITK_E_TOO_BIG (larger than
 * the limit: /dev/zero ends there) or JITK_E_NOMEM; *text is NULL then. */
jitk_err jitk_read_file(const char *path, char **text, size_t *len, jitk_diag *d);

/* The SCPL semantics: the return value the policy gives for one input
 * (the trusted specification, independent of the compiler). */
uint32_t jitk_policy_eval(const jitk_policy *p, const struct seccomp_data *in);

/* The same semantics, also telling what decides the input: *rule (if
 * non-NULL) receives the index of the deciding rule in source order (see
 * jitk_policy_rule), or one of: */
#define JITK_DECIDED_DEFAULT (-1L) /* no rule applies: default_action */
#define JITK_DECIDED_FOREIGN (-2L) /* an ABI the policy does not list */
uint32_t jitk_policy_decide(const jitk_policy *p, const struct seccomp_data *in, long *rule);

/* Where rule i (source order, 0-based) was written: its file (the policy's
 * or an included one), line and column (1-based), and its action.  false if
 * i is out of range.  *file stays valid until jitk_policy_free. */
bool jitk_policy_rule(const jitk_policy *p, size_t i, const char **file, unsigned *line, unsigned *col,
		      uint32_t *action);
/* The policy's file name as given to jitk_policy_parse/_load ("" if none). */
const char *jitk_policy_file(const jitk_policy *p);
/* The texts the parse read, so that a front end can key a cache on exactly
 * the bytes parsed (jitk's proof cache does): i = 0 is the policy's own
 * text (for an OCI/Docker profile, the SCPL it was translated to, which
 * holds the profile options' effect), then each included file once, in
 * the order first read.  *name as the parser named it (an include's path
 * joined to its includer's directory, "" if none), *text the *len bytes
 * parsed (NUL-terminated).  false if i is out of range.  Valid until
 * jitk_policy_free. */
bool jitk_policy_source(const jitk_policy *p, size_t i, const char **name, const char **text, size_t *len);

/* Print a policy as SCPL text (release with jitk_free).  jitk_policy_parse
 * reads it back to a policy that gives, for every ABI and syscall number,
 * the same rules (action, condition) in the same order, so the same
 * result on every input.  JITK_E_INVAL if p holds an action SCPL cannot
 * write (never for a parsed policy); JITK_E_UNSUPPORTED for a policy with
 * Landlock blocks, which the printer does not write yet. */
jitk_err jitk_policy_print(const jitk_policy *p, char **out);

/* OCI / Docker seccomp profiles (JSON; docs/oci.md).  jitk_policy_parse and
 * jitk_policy_load recognise a profile by content (a JSON object) and read
 * it with the default options below; the *_opts variants take them. */
typedef struct jitk_profile_opts {
	const char *caps;      /* the container's capabilities, "CAP_A,B" (CAP_
				  optional); NULL: Docker's default set; "": none */
	const char *kernel;    /* "X.Y" for minKernel; NULL: the running kernel */
	const char *host_arch; /* x86_64, i386, aarch64; NULL: this machine */
	bool strict;           /* a name missing on a selected ABI is an error,
				  not skipped as libseccomp skips it */
} jitk_profile_opts;

/* Is text an OCI/Docker JSON profile rather than SCPL? */
bool jitk_is_profile(const char *text, size_t len);
/* Translate a profile into SCPL text that jitk_policy_parse reads to the
 * policy the runtimes (runc/crun on libseccomp) would enforce.  *scpl and
 * (if notes is non-NULL) *notes, one "file:line:col: note: ..." line per
 * skipped name, are released with jitk_free.  opts may be NULL. */
jitk_err jitk_profile_import(const char *text, size_t len, const char *filename,
			     const jitk_profile_opts *opts, char **scpl, char **notes, jitk_diag *d);
/* Write p as an OCI seccomp profile (JSON, release with jitk_free) that
 * runc/crun on libseccomp enforce exactly as p says, for a host whose arch
 * is one of p's: read back with jitk_policy_parse and proved equal to p
 * (jitk_equiv, timeout_ms 0: default).  JITK_E_UNSUPPORTED, naming the
 * rule, when libseccomp cannot express it (docs/oci.md). */
jitk_err jitk_policy_to_profile(const jitk_policy *p, unsigned timeout_ms, char **out, jitk_diag *d);
/* jitk_policy_parse / _load with profile options (ignored for SCPL). */
jitk_err jitk_policy_parse_opts(const char *text, size_t len, const char *filename,
				const jitk_profile_opts *opts, jitk_policy **out, jitk_diag *d);
jitk_err jitk_policy_load_opts(const char *path, const jitk_profile_opts *opts, jitk_policy **out,
			       jitk_diag *d);

/* How a policy asks to be installed, from an OCI profile (docs/oci.md):
 * its "flags" as JITK_LOAD_* bits (TSYNC, LOG, SPEC_ALLOW,
 * WAIT_KILLABLE_RECV) for jitk_load, and, when its filter has a Notify
 * action, "listenerPath" and "listenerMetadata": load with
 * JITK_LOAD_NEW_LISTENER and hand the listener to the agent at that UNIX
 * socket, as runc and crun do (`jitk run` does).  All 0 / NULL for SCPL,
 * which has no such fields.  The strings live until jitk_policy_free. */
typedef struct jitk_loader_opts {
	unsigned flags;
	const char *listener_path;     /* NULL: none (or no Notify action) */
	const char *listener_metadata; /* NULL: none */
} jitk_loader_opts;
void jitk_policy_loader_opts(const jitk_policy *p, jitk_loader_opts *out);

/* The ABI the SCPL semantics gives an input (step 1, docs/scpl.md): by
 * in->arch, and on AUDIT_ARCH_X86_64 x32 when nr >= JITK_X32_SYSCALL_BIT
 * (unsigned), else x86_64.  -1 for an arch jitk does not know. */
int jitk_input_abi(const struct seccomp_data *in);

/* args[i] (i = 0..5) or instruction_pointer (i = JITK_DATA_IP) of *in as a
 * number, and setting it, in the byte order of in->arch (set arch first):
 * the low half is the word at byte 16 + 8i (8 for the instruction pointer)
 * on a little-endian ABI, the word 4 bytes above it on a big-endian one
 * (docs/kernel-notes.md, section 11).  Any other i: 0, nothing set. */
#define JITK_DATA_IP 6u
uint64_t jitk_data_arg(const struct seccomp_data *in, unsigned i);
void jitk_data_set_arg(struct seccomp_data *in, unsigned i, uint64_t v);

typedef struct jitk_compile_opts {
	bool no_verify;             /* skip the SMT proof (on by default) */
	unsigned verify_timeout_ms; /* 0: default */
	/* Optional per-syscall weights (x86_64 numbers) to shape the search
	 * tree; NULL for a balanced tree. */
	const double *weights;
	size_t nweights;
	/* Opt-in: with one AUDIT_ARCH value and default == foreign action,
	 * read nr first and check the arch at the leaves of the search, so a
	 * number the policy denies by default costs two instructions less.  No
	 * path decides anything but the foreign action, or reads an argument,
	 * before the arch is checked, and the proof covers every arch; but the
	 * program no longer starts with the arch check.  Off: the arch check
	 * comes first, always. */
	bool arch_at_leaves;
} jitk_compile_opts;

/* Compile a policy to a checked filter.  opts may be NULL. */
jitk_err jitk_compile(const jitk_policy *p, const jitk_compile_opts *opts, jitk_filter **out, jitk_diag *d);

/* ------------------------------------------------------------ verifier */

/* A concrete input on which two sides differ. */
typedef struct jitk_cex {
	struct seccomp_data in;
	uint32_t left, right; /* policy/filter (or A/B) results */
} jitk_cex;

/* Prove with Z3 that f returns what p says, for every seccomp_data.
 * JITK_OK: equal.  JITK_E_DIFFERENT: *cex (if non-NULL) is a witness.
 * JITK_E_CHECK: f is not a valid filter.  JITK_E_SOLVER: timeout/unknown.
 * timeout_ms 0 means the default. */
jitk_err jitk_verify(const jitk_policy *p, const jitk_filter *f, unsigned timeout_ms, jitk_cex *cex,
		     jitk_diag *d);

/* One side of a comparison: exactly one of policy, filter and stack is
 * given.  A stack is nstack filters in installation order (stack[0] first),
 * meaning what the kernel answers when all of them are installed: every
 * filter runs and the most restrictive answer wins (docs/stack.md). */
typedef struct jitk_side {
	const jitk_policy *policy;
	const jitk_filter *filter;
	const jitk_filter *const *stack;
	size_t nstack;
} jitk_side;

/* Decide with Z3 whether a and b return the same value for every
 * seccomp_data.  JITK_OK: equivalent.  JITK_E_DIFFERENT: up to maxcex
 * witnesses are stored in cex[0..*ncex), at most one per (arch, nr), so a
 * caller can list the differing syscalls (jitk diff).  Errors as jitk_verify. */
jitk_err jitk_equiv(jitk_side a, jitk_side b, unsigned timeout_ms, jitk_cex *cex, size_t maxcex,
		    size_t *ncex, jitk_diag *d);

/* ---------------------------------------------------------------- stack */

/* One filter equal to the stack fs[0..n) (installation order: fs[0] was
 * installed first), proved with Z3 against the kernel's stacked semantics
 * before it is returned: for every seccomp_data it returns exactly what the
 * kernel answers for the stack.  Each fs[i] must pass jitk_check.
 * JITK_E_TOO_BIG if the result exceeds 4096 instructions; JITK_E_SOLVER if
 * the proof is undecided (no filter then).  timeout_ms 0: the default. */
jitk_err jitk_stack(const jitk_filter *const *fs, size_t n, unsigned timeout_ms, jitk_filter **out,
		    jitk_diag *d);

/* The kernel's answer for a stack of filter answers rets[0..n)
 * (installation order); the trusted fold jitk_stack is proved against. */
uint32_t jitk_stack_fold(const uint32_t *rets, size_t n);

/* -------------------------------------------------------------- Landlock */

/* The Landlock ABI version of the running kernel, 0 if it has none. */
int jitk_landlock_abi(void);
/* Whether p has a filesystem, network or scope block (docs/landlock.md). */
bool jitk_policy_has_landlock(const jitk_policy *p);

#define JITK_LANDLOCK_BEST_EFFORT (1u << 0) /* drop rights this kernel lacks */
#define JITK_LANDLOCK_KEEP_PRIVS (1u << 16) /* do not set no_new_privs */

/* Restrict the calling thread (and its future children) with p's Landlock
 * rules: with `filesystem`, every filesystem right the running ABI knows is
 * denied except beneath the listed paths; with `network`, TCP bind and
 * connect except the listed ports; `scope` isolates signals and abstract
 * UNIX sockets.  Call it before jitk_load (the seccomp filter may deny the
 * Landlock system calls).  A right the running kernel lacks is
 * JITK_E_UNSUPPORTED naming it and its ABI, unless JITK_LANDLOCK_BEST_EFFORT:
 * then it stays unrestricted and *warnings (if non-NULL; release with
 * jitk_free) says so, one line each.  A path that does not exist is
 * JITK_E_NAME.  Nothing is applied on error.  JITK_OK without a block. */
jitk_err jitk_landlock_apply(const jitk_policy *p, unsigned flags, char **warnings, jitk_diag *d);

/* ------------------------------------------------------------------ lint */

/* Warnings about a policy that probably means something else than meant.
 * Each is a jitk_diag located at the rule (file, line, col), with a hint
 * and its name in .rule, so a front end can silence it by name:
 *   alias-refused       a syscall refused by a rule while another that does
 *                       the same job (open / openat / openat2, the stat
 *                       family, rename / renameat2, ...) is allowed
 *   mux-refused         a socket / SysV IPC call allowed on an ABI whose
 *                       socketcall / ipc refuses it (a C library may use it)
 *   mux-bypass          a socket / SysV IPC call refused while socketcall /
 *                       ipc lets it through
 *   shadowed-rule       a rule that never applies: earlier rules decide
 *                       every input it covers (proved with Z3)
 *   wide-compare        argN compared on all 64 bits where the kernel uses
 *                       fewer (an int parameter): write low32(argN)
 *   pointer-compare     a compare of a pointer parameter (an address)
 *   notify-no-listener, trace-no-tracer   (JITK_LINT_RUN only)
 * *warnings (release with jitk_free) holds *n entries, 0 if none. */
#define JITK_LINT_RUN (1u << 0)       /* for jitk run: nobody answers Notify/Trace */
#define JITK_LINT_NO_PROOFS (1u << 1) /* skip the Z3 checks */
jitk_err jitk_lint(const jitk_policy *p, unsigned flags, jitk_diag **warnings, size_t *n);

/* --------------------------------------------------------------- explain */

/* Decompile f into SCPL: per ABI, the program is executed symbolically
 * (arch and nr concrete, arguments symbolic); numbers decided alike are
 * grouped into one rule (their ranges in a comment), the most common
 * decision becomes default_action.  abis selects whose rules are written
 * (a bit per jitk_arch; all bits: a complete policy).  The text is not
 * proved here: jitk_equiv on its parse does that.  JITK_E_UNSUPPORTED
 * (with the reason) for programs SCPL cannot express or that compute on
 * the syscall number. */
jitk_err jitk_explain(const jitk_filter *f, unsigned abis, char **out, jitk_diag *d);

/* ------------------------------------------------------------------ JIT */

typedef struct jitk_jit jitk_jit;
typedef uint32_t (*jitk_jit_fn)(const struct seccomp_data *);

/* Compile a checked filter to x86-64 code in W^X memory.  The image is
 * validated before it is made executable (JITK_E_JIT if the validator
 * refuses).  JITK_E_UNSUPPORTED on other hosts. */
jitk_err jitk_jit_compile(const jitk_filter *f, jitk_jit **out, jitk_diag *d);
jitk_jit_fn jitk_jit_func(const jitk_jit *j);
const uint8_t *jitk_jit_code(const jitk_jit *j, size_t *len);
void jitk_jit_free(jitk_jit *j);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif /* JITK_H */
