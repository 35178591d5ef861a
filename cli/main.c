/* main.c - `jitk COMMAND ...`: dispatch to the subcommands. */
#include "cli.h"

#include <string.h>

static const struct {
	const char *name;
	cli_cmd_fn fn;
	const char *usage;
} commands[] = {
	{ "compile", cmd_compile, "POLICY -o OUT [--format raw|text|c] [--no-verify] [--timeout MS]" },
	{ "run", cmd_run, "[POLICY] [--flags F,...] [--verbose] -- CMD [ARGS...]  (default policy: Docker's)" },
	{ "verify", cmd_verify, "POLICY FILTER [--timeout MS]     prove with Z3 that FILTER implements POLICY" },
	{ "diff", cmd_diff, "A B [--max N] [--timeout MS]       compare two policies or filters (Z3)" },
	{ "asm", cmd_asm, "IN -o OUT [--format raw|text|c] [--name C_NAME]  assemble classic BPF text" },
	{ "disasm", cmd_disasm, "IN [-o OUT] [--from raw|text]     disassemble a filter" },
	{ "check", cmd_check, "FILTER [--from raw|text]           the kernel's seccomp acceptance rules" },
	{ "eval", cmd_eval, "FILTER --nr NAME|N [--arch A] [--args a0,...] [--ip N] [--quiet] [--jit]" },
	{ "exec", cmd_exec, "FILTER [--flags F,...] -- CMD [ARGS...]  run a command under a raw filter" },
	{ "stack", cmd_stack, "F1 F2 ... -o OUT [--format raw|text|c]  one filter equal to a stack (Z3)" },
	{ "jit", cmd_jit, "FILTER [--dump OUT] [--map]          x86-64 code, validated before use" },
	{ "learn", cmd_learn, "[-o OUT.scpl] [--args] [--merge OLD] [--default A] -- CMD  learn a policy" },
	{ "dump", cmd_dump, "PID [-o OUT] [--format raw|text|c]  the seccomp filters of a process" },
	{ "syscall", cmd_syscall, "NAME|NR [--arch A]               syscall name <-> number, per ABI" },
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *fp)
{
	fprintf(fp, "usage: jitk COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].usage);
	fprintf(fp, "\n--flags: log, spec_allow, tsync, tsync_esrch, keep_privs (seccomp(2) filter flags).\n");
	fprintf(fp, "\nFilters are read as classic BPF text (.s, .asm, or printable) or raw\n"
		    "struct sock_filter bytes.  See README.md and docs/.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "jitk: error: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
