/* main.c - `jitk COMMAND ...`: dispatch through the command table
 * (commands.c); help, option checking and --version live in help.c. */
#include "cli.h"

#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		cli_overview(stderr);
		return CLI_USAGE;
	}
	const char *a = argv[1];
	if (cli_is_help(a)) {
		if (argc > 2)
			return cli_usage("--help", "unexpected argument '%s' (try: jitk help COMMAND)",
					 argv[2]);
		cli_overview(stdout);
		return CLI_OK;
	}
	if (!strcmp(a, "help"))
		return cli_help(argc - 1, argv + 1);
	if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
		if (argc > 2)
			return cli_usage("--version", "unexpected argument '%s'", argv[2]);
		return cli_version();
	}
	const struct cli_command *c = cli_find_command(a);
	if (!c)
		return cli_unknown_command(a);
	int n = argc - 1;
	char **v = argv + 1;
	int rc = cli_check_args(c, &n, &v);
	if (rc >= 0)
		return rc;
	/* The OCI profile options (the table lists them for the commands that
	 * read a policy) go to cli_profile, which cli_load_policy uses. */
	if (cli_take_profile_opts(&n, v) < 0)
		return CLI_USAGE;
	return c->fn(n, v);
}
