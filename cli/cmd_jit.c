/* cmd_jit.c - jit (stub, to be written). */
#include "cli.h"
int cmd_jit(int argc, char **argv) { (void)argc; (void)argv; return cli_error("jit: not implemented yet"); }
