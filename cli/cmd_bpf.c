/* cmd_bpf.c - asm, disasm, check, eval, exec (stub, to be written). */
#include "cli.h"
int cmd_asm(int argc, char **argv) { (void)argc; (void)argv; return cli_error("asm: not implemented yet"); }
int cmd_disasm(int argc, char **argv) { (void)argc; (void)argv; return cli_error("disasm: not implemented yet"); }
int cmd_check(int argc, char **argv) { (void)argc; (void)argv; return cli_error("check: not implemented yet"); }
int cmd_eval(int argc, char **argv) { (void)argc; (void)argv; return cli_error("eval: not implemented yet"); }
int cmd_exec(int argc, char **argv) { (void)argc; (void)argv; return cli_error("exec: not implemented yet"); }
