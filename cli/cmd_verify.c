/* cmd_verify.c - verify, diff (stub, to be written). */
#include "cli.h"
int cmd_verify(int argc, char **argv) { (void)argc; (void)argv; return cli_error("verify: not implemented yet"); }
int cmd_diff(int argc, char **argv) { (void)argc; (void)argv; return cli_error("diff: not implemented yet"); }
