/*
 * commands.c - the table of jitk's commands: one entry per command, the
 * one source of `jitk help`, `jitk CMD --help`, option checking, the
 * jitk(1) man page and the bash completion.  cli.h says how to add one.
 *
 * Defaults stated here are the commands' own (cli/cmd_*.c, src/verify.c);
 * docs/cli.md describes the same commands at length.
 */
#include "cli.h"

#include <string.h>

/* The option and command tables keep their hand layout. */
/* clang-format off */
/* Options several commands share. */
#define OPT_OUTPUT(what)                                                              \
	{ "--output", "-o", "OUT", CLI_ARG_FILE, NULL, NULL, true,                    \
	  "write " what " to OUT ('-': standard output); written to a temporary "    \
	  "file and renamed, so a failure leaves no partial file" }
#define OPT_FORMAT                                                                     \
	{ "--format", "-f", "raw|text|c|dot", CLI_ARG_WORDS, "raw text c dot",        \
	  "raw, or text for OUT named *.s/*.asm/*.bpfasm, C for *.c/*.h, dot for "    \
	  "*.dot/*.gv", false,                                                         \
	  "raw struct sock_filter bytes, assembler text, a C array, or a Graphviz "   \
	  "picture of the control flow" }
#define OPT_NAME                                                                       \
	{ "--name", NULL, "NAME", CLI_ARG_VALUE, NULL, "filter", false,               \
	  "the C identifier of --format c's array (NAME and NAME_prog)" }
/* compile names the array after the policy (cmd_policy.c, c_name_of): a
 * program that embeds several filters gets distinct names without --name. */
#define OPT_NAME_POLICY                                                                \
	{ "--name", NULL, "NAME", CLI_ARG_VALUE, NULL,                                 \
	  "the policy file's name, '_' for other characters (docker_default for "     \
	  "docker-default.scpl), or filter where that is no C identifier",             \
	  false, "the C identifier of --format c's array (NAME and NAME_prog)" }
#define OPT_FROM                                                                       \
	{ "--from", NULL, "auto|raw|text", CLI_ARG_WORDS, "auto raw text", "auto",    \
	  false,                                                                       \
	  "read the filter as raw bytes or assembler text; auto: .s/.asm/.bpfasm "    \
	  "or printable content is text" }
#define OPT_TIMEOUT                                                                    \
	{ "--timeout", NULL, "MS", CLI_ARG_VALUE, NULL, "10000", false,               \
	  "give the Z3 proof at most MS milliseconds" }
#define OPT_NO_VERIFY                                                                  \
	{ "--no-verify", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,                 \
	  "skip the Z3 proof that the filter means what the policy says" }
#define OPT_NO_CACHE                                                                   \
	{ "--no-cache", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,                  \
	  "neither use nor store the proof cache ($XDG_CACHE_HOME/jitk; also "        \
	  "JITK_NO_CACHE=1)" }
#define OPT_FLAGS                                                                      \
	{ "--flags", NULL, "F,...", CLI_ARG_LIST,                                      \
	  "log spec_allow tsync tsync_esrch keep_privs", "none", false,               \
	  "seccomp(2) filter flags ('-' or '_'); keep_privs: do not set "             \
	  "no_new_privs (needs CAP_SYS_ADMIN)" }
/* For OCI/Docker profiles (docs/oci.md); main() hands them to cli_profile. */
#define OPT_PROFILE                                                                    \
	{ "--caps", NULL, "LIST", CLI_ARG_VALUE, NULL, "Docker's default set", false,  \
	  "profiles: the container's capabilities, comma-separated, CAP_ optional "   \
	  "(\"\" for none)" },                                                         \
	{ "--kernel", NULL, "X.Y", CLI_ARG_VALUE, NULL, "the running kernel", false,   \
	  "profiles: the kernel version minKernel entries are compared with" },       \
	{ "--host-arch", NULL, "ARCH", CLI_ARG_ARCH, NULL, "this machine", false,      \
	  "profiles: the runtime's arch (its archMap entry, includes/excludes arches)" }, \
	{ "--strict", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,                     \
	  "profiles: a syscall name missing on a selected ABI is an error, not skipped" }
#define OPT_END { NULL, NULL, NULL, CLI_ARG_NONE, NULL, NULL, false, NULL }

#define OPT_LINT                                                                       \
	{ "--werror", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,                    \
	  "make the policy's warnings errors (nothing is written or run)" },          \
	{ "--no-warn", NULL, "NAME,...", CLI_ARG_LIST,                                 \
	  "alias-refused shadowed-rule wide-compare pointer-compare mux-refused "      \
	  "mux-bypass notify-no-listener "                                             \
	  "trace-no-tracer all", "none",                                                 \
	  false, "silence these warnings (each warning ends with its name)" }
static const struct cli_opt compile_opts[] = {
	OPT_OUTPUT("the filter"),
	{ "--format", "-f", "raw|text|c|dot|oci", CLI_ARG_WORDS, "raw text c dot oci",
	  "raw, or text for OUT named *.s/*.asm/*.bpfasm, C for *.c/*.h, dot for "
	  "*.dot/*.gv, oci for *.json", false,
	  "raw struct sock_filter bytes, assembler text, a C array, a Graphviz picture "
	  "of the control flow, or an OCI profile (proved equal under runc/libseccomp's "
	  "semantics, docs/oci.md)" },
	OPT_NAME_POLICY, OPT_NO_VERIFY, OPT_TIMEOUT, OPT_NO_CACHE, OPT_PROFILE, OPT_LINT,
	OPT_END,
};
static const char *const compile_ex[] = {
	"jitk compile policies/openssh-preauth.scpl -o ssh.bpf",
	"jitk compile policies/paper.scpl -o - --format text",
	"jitk compile default.json -o docker.bpf --caps CAP_SYS_ADMIN --kernel 5.10",
	NULL,
};

static const struct cli_opt run_opts[] = {
	OPT_FLAGS,
	OPT_NO_VERIFY,
	OPT_TIMEOUT,
	OPT_NO_CACHE,
	{ "--best-effort", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "apply the policy's Landlock rules as far as this kernel's Landlock ABI "
	  "allows: a right it lacks stays unrestricted, with a warning (default: an error)" },
	{ "--verbose", "-v", NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "say on standard error what was compiled and what runs; with --permissive, "
	  "one line per refused call" },
	{ "--report", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "also report the calls answered with an errno (by default: kills and traps)" },
	{ "--permissive", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "refuse nothing: run every call the policy would refuse, and summarise them at exit" },
	{ "--no-report", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "no supervising tracer: load the filter and become the command" },
	OPT_PROFILE,
	OPT_LINT,
	OPT_END,
};
static const char *const run_ex[] = {
	"jitk run policies/demo.scpl -- sh -c 'echo hi > /tmp/x'",
	"jitk run -- make   # under Docker's default policy",
	NULL,
};

static const struct cli_opt learn_opts[] = {
	{ "--output", "-o", "OUT.scpl", CLI_ARG_FILE, NULL, "standard output", false,
	  "write the learned policy to OUT.scpl" },
	{ "--args", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "restrict the calls whose argument selects an operation (ioctl, fcntl, prctl, "
	  "socket, clone flags, PROT_EXEC, ...) to the values seen" },
	{ "--paths", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "also record the files and directories it used and write a Landlock filesystem "
	  "block (system trees and directories coarsened, a comment per entry)" },
	{ "--merge", NULL, "OLD.scpl", CLI_ARG_FILE, NULL, NULL, false,
	  "add the calls recorded in a policy jitk learn wrote before (repeatable, up to 16)" },
	{ "--default", NULL, "ACTION", CLI_ARG_VALUE, NULL, "KillProcess", false,
	  "the SCPL action for every call not seen" },
	OPT_FLAGS,
	OPT_END,
};
static const char *const learn_ex[] = {
	"jitk learn -o ls.scpl -- ls /tmp",
	"jitk learn --args --merge ls.scpl -o ls.scpl -- ls -l /",
	NULL,
};

static const struct cli_opt stack_opts[] = {
	OPT_OUTPUT("the filter"), OPT_FORMAT, OPT_NAME, OPT_TIMEOUT, OPT_PROFILE, OPT_END,
};
static const char *const stack_ex[] = {
	"jitk stack runtime.bpf app.scpl -o effective.bpf",
	"jitk diff runtime.bpf+app.scpl effective.bpf",
	NULL,
};

static const struct cli_opt dump_opts[] = {
	{ "--output", "-o", "OUT", CLI_ARG_FILE, NULL, "the disassembly on standard output", false,
	  "write the filter to OUT; several go to OUT.1, OUT.2, ... oldest first" },
	{ "--format", "-f", "raw|text|c", CLI_ARG_WORDS, "raw text c",
	  "raw, or text for OUT named *.s", false,
	  "raw struct sock_filter bytes, assembler text, or a C array" },
	{ "--effective", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "write ONE filter equal to the whole stack (what the process may really do), "
	  "proved against the kernel's stacked semantics" },
	OPT_END,
};
static const char *const dump_ex[] = {
	"jitk dump $PID -o live.bpf && jitk diff live.bpf paper.bpf",
	"jitk dump $PID --effective -o effective.bpf",
	NULL,
};

static const struct cli_opt verify_opts[] = {
	OPT_TIMEOUT,
	OPT_PROFILE,
	{ "--cross-check", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "re-check every part Z3 answered unsat with cvc5, on the same query exported as "
	  "SMT-LIB 2 (exit 3 if cvc5 is missing or disagrees)" },
	OPT_END,
};
static const char *const verify_ex[] = {
	"jitk verify policies/paper.scpl paper.bpf",
	"jitk verify policies/paper.scpl paper.bpf --cross-check",
	NULL,
};

static const struct cli_opt diff_opts[] = {
	{ "--max", NULL, "N", CLI_ARG_VALUE, NULL, "32", false,
	  "report at most N differing syscalls (1 to 100000)" },
	OPT_TIMEOUT,
	OPT_PROFILE,
	OPT_END,
};
static const char *const diff_ex[] = {
	"jitk diff policies/paper.scpl paper2.scpl",
	NULL,
};

static const struct cli_opt asm_opts[] = {
	OPT_OUTPUT("the program"),
	{ "--format", "-f", "raw|text|c", CLI_ARG_WORDS, "raw text c", "raw", false,
	  "raw struct sock_filter bytes, canonical assembler text, or a C array" },
	OPT_NAME,
	OPT_END,
};
static const char *const asm_ex[] = {
	"jitk asm paper.s -o paper.bin",
	"jitk asm paper.s -o - --format c --name paper",
	NULL,
};

static const struct cli_opt disasm_opts[] = {
	{ "--output", "-o", "OUT", CLI_ARG_FILE, NULL, "standard output", false,
	  "write the text to OUT" },
	{ "--format", "-f", "text|dot", CLI_ARG_WORDS, "text dot", "text", false,
	  "assembler text, or a Graphviz digraph of the control flow (dot -Tsvg renders it)" },
	OPT_FROM,
	OPT_END,
};
static const char *const disasm_ex[] = {
	"jitk disasm paper.bin -o paper2.s && jitk asm paper2.s -o - | cmp - paper.bin",
	NULL,
};

static const struct cli_opt check_opts[] = { OPT_FROM, OPT_END };
static const char *const check_ex[] = {
	"jitk check paper.bin",
	NULL,
};

static const struct cli_opt eval_opts[] = {
	{ "--nr", NULL, "NAME|N", CLI_ARG_SYSCALL, NULL, NULL, true,
	  "the syscall: a name on --arch (open, SYS_open, __NR_open) or a number" },
	{ "--arch", NULL, "ARCH", CLI_ARG_ARCH, NULL, "x86_64", false,
	  "the ABI whose AUDIT_ARCH value seccomp_data.arch carries (x86_64, i386, "
	  "x32, aarch64)" },
	{ "--args", NULL, "a0,...,a5", CLI_ARG_VALUE, NULL, "all 0", false,
	  "up to six 64-bit arguments: numbers, negative decimals or constants "
	  "such as O_CLOEXEC" },
	{ "--ip", NULL, "N", CLI_ARG_VALUE, NULL, "0", false,
	  "seccomp_data.instruction_pointer" },
	{ "--quiet", "-q", NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "print only the return value, as 0x%08x" },
	{ "--jit", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "run the JIT-compiled code and check that it agrees with the interpreter" },
	OPT_FROM,
	OPT_END,
};
static const char *const eval_ex[] = {
	"jitk eval paper.bin --nr open",
	"jitk eval paper.bin --nr openat --args 0,0,O_CLOEXEC --quiet",
	NULL,
};

static const struct cli_opt exec_opts[] = { OPT_FLAGS, OPT_FROM, OPT_END };
static const char *const exec_ex[] = {
	"jitk exec deny_open.s -- cat /etc/hostname",
	NULL,
};

static const struct cli_opt jit_opts[] = {
	{ "--dump", "-o", "OUT", CLI_ARG_FILE, NULL, NULL, false,
	  "write the x86-64 code to OUT ('-': standard output)" },
	{ "--map", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "print the native offset of each BPF instruction" },
	{ "--check", NULL, "IMAGE", CLI_ARG_FILE, NULL, NULL, false,
	  "prove IMAGE (raw x86-64, e.g. from --dump) equal to FILTER instead (docs/jit.md)" },
	{ "--rlimit", NULL, "N", CLI_ARG_VALUE, NULL, "200000000", false,
	  "the --check proof's Z3 resource limit, the budget that decides (1 to 4294967295; "
	  "the same answer on a quiet or a loaded machine)" },
	{ "--timeout", NULL, "MS", CLI_ARG_VALUE, NULL, "120000", false,
	  "the --check proof's wall-clock cap, a last resort (1 to 86400000)" },
	{ "--cross-check", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "re-check the image proof Z3 answered unsat with cvc5, on the same query exported "
	  "as SMT-LIB 2 (exit 3 if cvc5 is missing or disagrees)" },
	{ "--from", NULL, "raw|text|auto", CLI_ARG_WORDS, "auto raw text", "auto", false,
	  "read the filter as raw bytes or assembler text, or guess" },
	OPT_END,
};
static const char *const jit_ex[] = {
	"jitk jit paper.bin --dump paper.x86 && objdump -D -b binary -mi386:x86-64 paper.x86",
	"jitk jit paper.bin --check edited.x86",
	"jitk jit paper.bin --cross-check",
	NULL,
};

static const struct cli_opt import_opts[] = {
	{ "--output", "-o", "OUT.scpl", CLI_ARG_FILE, NULL, NULL, true,
	  "write the SCPL to OUT.scpl ('-': standard output); written to a temporary "
	  "file and renamed, so a failure leaves no partial file" },
	{ "--quiet", "-q", NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "do not list what was skipped (names unknown on an ABI)" },
	OPT_PROFILE,
	OPT_END,
};
static const char *const import_ex[] = {
	"jitk import default.json -o docker.scpl",
	"jitk import default.json -o - --caps CAP_SYS_ADMIN --host-arch aarch64",
	NULL,
};

static const struct cli_opt explain_opts[] = {
	{ "--output", "-o", "OUT", CLI_ARG_FILE, NULL, "standard output", false,
	  "write the decompiled policy to OUT" },
	{ "--arch", NULL, "ARCH", CLI_ARG_ARCH, NULL, "every ABI", false,
	  "print one ABI's rules only (x86_64, i386, x32, aarch64)" },
	{ "--scpl", NULL, NULL, CLI_ARG_NONE, NULL, NULL, false,
	  "write a complete policy, and only once it is proved equal to the filter" },
	OPT_NO_VERIFY,
	OPT_TIMEOUT,
	OPT_FROM,
	OPT_END,
};
static const char *const explain_ex[] = {
	"jitk explain libseccomp-docker.bpf --arch x86_64",
	"jitk explain dumped.bpf --scpl -o dumped.scpl",
	NULL,
};

static const struct cli_opt syscall_opts[] = {
	{ "--arch", NULL, "ARCH", CLI_ARG_ARCH, NULL, "every ABI", false,
	  "one ABI: x86_64, i386, x32, aarch64, or an AUDIT_ARCH value in hex as "
	  "audit records print it (c000003e)" },
	OPT_END,
};
static const char *const syscall_ex[] = {
	"jitk syscall openat",
	"jitk syscall 257 --arch c000003e   # type=SECCOMP ... arch=c000003e syscall=257",
	NULL,
};

const struct cli_command cli_commands[] = {
	{ "compile", cmd_compile, "POLICY", CLI_ARG_FILE, NULL,
	  "compile an SCPL policy to a classic BPF filter, proved equal to the policy",
	  "Parses, lowers and compiles POLICY (SCPL, docs/scpl.md, or an OCI/Docker JSON "
	  "profile, docs/oci.md), runs the kernel's acceptance "
	  "checks on the result and proves with Z3 that the filter returns what the policy "
	  "says for every input.  A bad policy writes nothing.  One summary line goes to "
	  "standard error.",
	  compile_opts, compile_ex },
	{ "run", cmd_run, "[POLICY]", CLI_ARG_FILE, "-- CMD [ARGS...]",
	  "run a command under a policy (default: Docker's)",
	  "Compiles POLICY (proved as by compile), sets no_new_privs, installs the filter "
	  "with seccomp(2) and executes CMD.  Without POLICY the built-in policy applies: "
	  "policies/docker-default.scpl, embedded at build time.  Exits with CMD's status, "
	  "or 127 (not found) / 126 when CMD cannot be executed.",
	  run_opts, run_ex },
	{ "learn", cmd_learn, NULL, CLI_ARG_NONE, "-- CMD [ARGS...]",
	  "learn an allow-list policy from what a command does",
	  "Runs CMD under ptrace (every thread, fork, clone and execve followed) and writes "
	  "an SCPL policy allowing exactly the (ABI, syscall) pairs it made, one commented "
	  "rule each; anything else gets --default.  Ctrl-C ends the command and writes "
	  "what was learned.  Exits with CMD's status.",
	  learn_opts, learn_ex },
	{ "verify", cmd_verify, "POLICY FILTER", CLI_ARG_FILE, NULL,
	  "prove with Z3 that FILTER implements POLICY",
	  "Proves that FILTER (raw or text, from any generator) returns exactly what POLICY "
	  "says for every seccomp_data, or prints a counterexample replayed through the "
	  "reference interpreter and the SCPL evaluator.  Exit 1: different; 3: no answer "
	  "from the solver (timeout); never 0 without a proof.",
	  verify_opts, verify_ex },
	{ "diff", cmd_diff, "A B", CLI_ARG_FILE, NULL,
	  "compare two policies or filters (Z3)",
	  "A and B are each a policy (*.scpl, or a *.json profile) or a filter.  Prints \"equivalent\", or the "
	  "syscalls on which they differ, each with one concrete input and both results.  "
	  "Exit 1: different; 3: no answer from the solver.",
	  diff_opts, diff_ex },
	{ "stack", cmd_stack, "F1 F2 ...", CLI_ARG_FILE, NULL,
	  "one filter equal to a stack of filters (Z3)",
	  "Writes one filter that returns, for every seccomp_data, what the kernel answers "
	  "when F1, F2, ... are all installed, F1 first.  Each Fi is a filter or a policy "
	  "(*.scpl).  The result is proved against the kernel's stacked semantics before "
	  "anything is written.  Exit 3: the proof was undecided.",
	  stack_opts, stack_ex },
	{ "import", cmd_import, "PROFILE.json", CLI_ARG_FILE, NULL,
	  "an OCI/Docker seccomp profile as readable SCPL",
	  "Translates PROFILE.json with the semantics of runc/crun on libseccomp "
	  "(docs/oci.md) for --caps, --kernel and --host-arch, and writes SCPL that compiles "
	  "to the same filter as `jitk compile PROFILE.json`: the profile's comments kept, "
	  "every entry listed with why it was or was not selected.  The names libseccomp "
	  "would skip are listed on standard error (--strict refuses them).",
	  import_opts, import_ex },
	{ "asm", cmd_asm, "IN", CLI_ARG_FILE, NULL, "assemble classic BPF text",
	  "Assembles the text IN (docs/asm.md).  Programs seccomp would refuse are written "
	  "with a warning naming the instruction and the rule.  -o is required so that raw "
	  "bytes never land on a terminal by accident.",
	  asm_opts, asm_ex },
	{ "disasm", cmd_disasm, "IN", CLI_ARG_FILE, NULL, "disassemble or draw a filter",
	  "Prints the filter as assembler text that assembles back to exactly the same "
	  "bytes, including fields an instruction does not use; comments name fields, ABIs "
	  "and, by the ABI the code has tested, syscalls.  --format dot draws it instead.",
	  disasm_opts, disasm_ex },
	{ "check", cmd_check, "FILTER", CLI_ARG_FILE, NULL,
	  "apply the kernel's seccomp acceptance rules",
	  "Applies the kernel's acceptance rules for a seccomp filter (length 1..4096, "
	  "bpf_check_classic, check_load_and_stores, seccomp_check_filter; docs/checker.md) "
	  "without loading anything.  Exit 1 names the instruction and the rule.",
	  check_opts, check_ex },
	{ "eval", cmd_eval, "FILTER", CLI_ARG_FILE, NULL,
	  "run a filter on one system call with the reference interpreter",
	  "Runs FILTER on one struct seccomp_data with the reference interpreter (the "
	  "kernel's runtime semantics) and prints the action, its data, the raw return "
	  "value and the number of instructions executed.",
	  eval_opts, eval_ex },
	{ "exec", cmd_exec, "FILTER", CLI_ARG_FILE, "-- CMD [ARGS...]",
	  "run a command under a raw filter",
	  "Checks FILTER, installs it with seccomp(2) (no_new_privs first unless "
	  "keep_privs) and executes CMD.  A filter the checker rejects is never loaded.  "
	  "Exits with CMD's status, or 127 (not found) / 126 when CMD cannot be executed.",
	  exec_opts, exec_ex },
	{ "jit", cmd_jit, "FILTER", CLI_ARG_FILE, NULL,
	  "compile a filter to x86-64 code, validated before use",
	  "Compiles FILTER to x86-64 machine code in user space, validates the image "
	  "(docs/jit.md) and reports its size.",
	  jit_opts, jit_ex },
	{ "dump", cmd_dump, "PID", CLI_ARG_VALUE, NULL,
	  "the seccomp filters of a running process",
	  "Reads every seccomp filter of process PID with PTRACE_SECCOMP_GET_FILTER (needs "
	  "CAP_SYS_ADMIN) and prints them in installation order.  The process is stopped "
	  "with PTRACE_INTERRUPT, no signal is sent, and detached at once.",
	  dump_opts, dump_ex },
	{ "explain", cmd_explain, "FILTER|POLICY", CLI_ARG_FILE, NULL,
	  "what a filter does, as SCPL rules decompiled from the BPF",
	  "Executes the filter symbolically per ABI and syscall number (arguments "
	  "symbolic), groups the numbers decided alike into one rule each and prints the "
	  "result as SCPL, proved equal to the filter with Z3.  With --scpl the policy is "
	  "complete and written only when proved.  A POLICY (*.scpl) is compiled first.",
	  explain_opts, explain_ex },
	{ "syscall", cmd_syscall, "NAME|NR", CLI_ARG_SYSCALL, NULL,
	  "syscall name <-> number, per ABI",
	  "Turns a syscall name into its number on each ABI, or a number into its name, "
	  "from the tables generated from the kernel headers.  Exit 1: unknown name or "
	  "number (with a spelling hint, or the ABIs that do have the name).",
	  syscall_opts, syscall_ex },
};
/* clang-format on */
const size_t cli_ncommands = sizeof cli_commands / sizeof *cli_commands;

const struct cli_command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (!strcmp(cli_commands[i].name, name))
			return &cli_commands[i];
	return NULL;
}
