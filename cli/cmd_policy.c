/* cmd_policy.c - compile, run (stub, to be written). */
#include "cli.h"
int cmd_compile(int argc, char **argv) { (void)argc; (void)argv; return cli_error("compile: not implemented yet"); }
int cmd_run(int argc, char **argv) { (void)argc; (void)argv; return cli_error("run: not implemented yet"); }
