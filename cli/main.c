/* main.c - `jitk COMMAND ...`: dispatch through the command table
 * (commands.c); help, option checking and --version live in help.c. */
#include "cli.h"

#include <string.h>

/* Take the global option --max-input SIZE (or --max-input=SIZE) off the
 * command line, wherever it stands before a "--": every command reads its
 * inputs through cli_read_input, so each honours it without parsing it. */
static int take_global_options(int *argc, char **argv)
{
	bool seen = false;
	for (int i = 1; i < *argc;) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			break;
		const char *v = NULL;
		int take = 0;
		if (!strcmp(a, "--max-input")) {
			v = i + 1 < *argc ? argv[i + 1] : NULL;
			take = 2;
		} else if (!strncmp(a, "--max-input=", 12)) {
			v = a + 12;
			take = 1;
		} else {
			i++;
			continue;
		}
		if (seen)
			return cli_usage("COMMAND ... [--max-input SIZE]", "option '%s' given twice",
					 "--max-input");
		seen = true;
		if (!cli_parse_size(v, &cli_max_input))
			return cli_usage("COMMAND ... [--max-input SIZE]",
					 "--max-input wants a size such as 64M or 1G, not '%s'", v ? v : "");
		if (take > *argc - i)
			take = *argc - i;
		for (int k = i; k + take <= *argc; k++)
			argv[k] = argv[k + take]; /* moves the terminating NULL too */
		*argc -= take;
	}
	return CLI_OK;
}

int main(int argc, char **argv)
{
	int grc = take_global_options(&argc, argv);
	if (grc != CLI_OK)
		return grc;
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
