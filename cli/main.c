/* main.c - `jitk COMMAND ...`: dispatch to the subcommands. */
#include "cli.h"

#include <string.h>

static const struct {
	const char *name;
	cli_cmd_fn fn;
	const char *usage;
} commands[] = {
	{ "compile", cmd_compile, "POLICY -o OUT [--format raw|text|c] [--no-verify]  compile an SCPL policy" },
	{ "run", cmd_run, "[POLICY] -- CMD [ARGS...]       run a command under a policy (default: Docker's)" },
	{ "verify", cmd_verify, "POLICY FILTER                  prove a filter equals a policy (Z3)" },
	{ "diff", cmd_diff, "A B                            compare two policies or filters" },
	{ "asm", cmd_asm, "IN -o OUT [--format raw|text|c]  assemble classic BPF text" },
	{ "disasm", cmd_disasm, "IN [-o OUT]                    disassemble a binary filter" },
	{ "check", cmd_check, "FILTER                         apply the kernel's seccomp acceptance rules" },
	{ "eval", cmd_eval, "FILTER --nr NAME|N [--arch A] [--args a0,...] [--quiet] [--jit]  run one call" },
	{ "exec", cmd_exec, "FILTER -- CMD [ARGS...]        run a command under a raw filter" },
	{ "jit", cmd_jit, "FILTER --dump OUT               JIT-compile to x86-64 and write the code" },
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *fp)
{
	fprintf(fp, "usage: jitk COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].usage);
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
