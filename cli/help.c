/*
 * help.c - everything generated from the command table (commands.c):
 * `jitk help [CMD]`, `jitk CMD --help`, the check of a command line against
 * its entry, the COMMANDS section of jitk(1) (`jitk help --man`), the lists
 * the bash completion reads (`jitk help --list ...`) and `jitk --version`.
 */
#include "cli.h"
#include "internal.h" /* edit_distance */

#include <stdlib.h>
#include <string.h>
#include <z3.h>

/* Generated at build time by tools/gen_version.sh (build/gen/cli_version.c). */
extern const char cli_tables_source[];
/* The Makefile's SHA-256 of the generated tables (build/gen/cli_tables_hash.c). */
extern const char cli_tables_sha256[];

#define WIDTH 79

static const char *const kind_names[] = {
	[CLI_ARG_NONE] = "none",   [CLI_ARG_FILE] = "file",       [CLI_ARG_WORDS] = "words",
	[CLI_ARG_LIST] = "list",   [CLI_ARG_SYSCALL] = "syscall", [CLI_ARG_ARCH] = "arch",
	[CLI_ARG_VALUE] = "value",
};

/* ---------------------------------------------------------- spelling */

const char *cli_nearest(const char *s, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bd = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(s, cands[i]);
		if (d < bd) {
			bd = d;
			best = cands[i];
		}
	}
	/* Plausible only: a third of the word (at least 2 edits) may differ. */
	size_t len = strlen(s), lim = len / 3 > 2 ? len / 3 : 2;
	return best && bd <= lim ? best : NULL;
}

static const char *nearest_command(const char *s)
{
	const char *names[64];
	size_t n = 0;
	for (size_t i = 0; i < cli_ncommands && n < sizeof names / sizeof *names; i++)
		names[n++] = cli_commands[i].name;
	return cli_nearest(s, names, n);
}

static const struct cli_opt *find_opt(const struct cli_command *c, const char *a, size_t len)
{
	for (const struct cli_opt *o = c->opts; o->name; o++)
		if ((strlen(o->name) == len && !strncmp(o->name, a, len)) ||
		    (o->alias && strlen(o->alias) == len && !strncmp(o->alias, a, len)))
			return o;
	return NULL;
}

static const char *nearest_opt(const struct cli_command *c, const char *a)
{
	const char *names[128];
	size_t n = 0;
	names[n++] = "--help";
	for (const struct cli_opt *o = c->opts; o->name && n + 2 <= sizeof names / sizeof *names; o++) {
		names[n++] = o->name;
		if (o->alias)
			names[n++] = o->alias;
	}
	return cli_nearest(a, names, n);
}

/* ------------------------------------------------------------- usage */

/* The synopsis after "jitk ": "compile POLICY -o OUT [--format raw|text|c] ...". */
void cli_synopsis(const struct cli_command *c, FILE *fp)
{
	fprintf(fp, "%s", c->name);
	if (c->operands && *c->operands)
		fprintf(fp, " %s", c->operands);
	for (const struct cli_opt *o = c->opts; o->name; o++) {
		const char *n = o->required && o->alias ? o->alias : o->name;
		fprintf(fp, " %s%s%s%s%s", o->required ? "" : "[", n, o->arg ? " " : "",
			o->arg ? o->arg : "", o->required ? "" : "]");
	}
	if (c->tail)
		fprintf(fp, " %s", c->tail);
}

/* Print text wrapped to WIDTH, each line starting with indent spaces (the
 * first line after first columns already written). */
static void wrap(FILE *fp, const char *text, int indent, int first)
{
	int col = first;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (!n)
			break;
		if (col > indent && col + 1 + (int)n > WIDTH) {
			fprintf(fp, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', fp);
			col++;
		} else if (col < indent) {
			fprintf(fp, "%*s", indent - col, "");
			col = indent;
		}
		fprintf(fp, "%.*s", (int)n, p);
		col += (int)n;
		p += n;
	}
	fputc('\n', fp);
}

static void command_help(const struct cli_command *c, FILE *fp)
{
	fprintf(fp, "usage: jitk ");
	cli_synopsis(c, fp);
	fprintf(fp, "\n\n");
	char buf[256];
	snprintf(buf, sizeof buf, "%s.", c->summary);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	wrap(fp, buf, 0, 0);
	fputc('\n', fp);
	wrap(fp, c->description, 0, 0);
	fprintf(fp, "\noptions:\n");
	for (const struct cli_opt *o = c->opts; o->name; o++) {
		int col = fprintf(fp, "  %s%s%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "",
				  o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		char h[512];
		snprintf(h, sizeof h, "%s%s%s%s%s", o->help, o->def ? " (default: " : "",
			 o->def ? o->def : "", o->def ? ")" : "", o->required ? " (required)" : "");
		if (col > 24) {
			fputc('\n', fp);
			col = 0;
		}
		wrap(fp, h, 26, col);
	}
	wrap(fp, "this help", 26, fprintf(fp, "  -h, --help"));
	fprintf(fp, "\nexample%s:\n", c->examples[0] && c->examples[1] ? "s" : "");
	for (const char *const *e = c->examples; *e; e++)
		fprintf(fp, "  $ %s\n", *e);
}

void cli_overview(FILE *fp)
{
	fprintf(fp, "usage: jitk COMMAND [ARGS]   (jitk help COMMAND: its options and examples)\n"
		    "       jitk --version\n\ncommands:\n");
	for (size_t i = 0; i < cli_ncommands; i++)
		fprintf(fp, "  %-8s %s\n", cli_commands[i].name, cli_commands[i].summary);
	fprintf(fp, "\nFilters are read as classic BPF text (.s, .asm, or printable) or raw\n"
		    "struct sock_filter bytes.  See jitk(1), jitk-scpl(5) and docs/.\n");
}

static int usage_error(const struct cli_command *c, const char *fmt, const char *a, const char *near)
{
	fputs("jitk: error: ", stderr);
	fprintf(stderr, fmt, a);
	if (near)
		fprintf(stderr, "; did you mean '%s'?", near);
	fputc('\n', stderr);
	return cli_usage(c->name, NULL, NULL);
}

int cli_check_args(const struct cli_command *c, int *argcp, char ***argvp)
{
	int argc = *argcp;
	char **argv = *argvp;
	char **out = NULL;
	int n = 0;
	/* Options already given: each may come once unless it is repeatable
	 * (the same for every command, so none silently takes the last). */
	const struct cli_opt *seen[64];
	size_t nseen = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (i > 0 && !strcmp(a, "--")) {
			if (out)
				while (i < argc)
					out[n++] = argv[i++];
			break;
		}
		if (i == 0 || a[0] != '-' || !a[1]) {
			if (out)
				out[n++] = argv[i];
			continue;
		}
		if (cli_is_help(a)) {
			command_help(c, stdout);
			free(out);
			return CLI_OK;
		}
		const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		const struct cli_opt *o = find_opt(c, a, len);
		if (!o) {
			char name[128];
			snprintf(name, sizeof name, "%.*s", (int)len, a);
			free(out);
			return usage_error(c, "unknown option '%s'", name, nearest_opt(c, name));
		}
		if (eq && !o->arg) {
			free(out);
			return usage_error(c, "option '%s' takes no value", o->name, NULL);
		}
		if (!strstr(o->help, "(repeatable")) {
			for (size_t k = 0; k < nseen; k++)
				if (seen[k] == o) {
					free(out);
					return usage_error(c, "option '%s' given twice", o->name, NULL);
				}
			if (nseen < sizeof seen / sizeof *seen)
				seen[nseen++] = o;
		}
		if (eq) {
			/* "--opt=value" becomes "--opt" "value" for the command. */
			if (!out) {
				out = malloc((size_t)(2 * argc + 1) * sizeof *out);
				if (!out)
					return cli_error("out of memory");
				for (n = 0; n < i; n++)
					out[n] = argv[n];
			}
			char *name = strndup(a, len);
			if (!name) {
				free(out);
				return cli_error("out of memory");
			}
			out[n++] = name;
			out[n++] = (char *)eq + 1;
			continue;
		}
		if (out)
			out[n++] = argv[i];
		if (o->arg && i + 1 < argc) {
			/* The value is the command's to judge, even if it starts with '-'. */
			i++;
			if (out)
				out[n++] = argv[i];
		}
	}
	if (out) {
		out[n] = NULL;
		*argcp = n;
		*argvp = out; /* kept for the life of the process */
	}
	return -1;
}

/* ----------------------------------------------------------- jitk(1) */

/* Text for roff: escape backslashes and minus signs; a line never starts
 * with a control character. */
static void roff(FILE *fp, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", fp);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", fp);
		else if (*s == '-')
			fputs("\\-", fp);
		else
			fputc(*s, fp);
	}
}

/* The COMMANDS section of jitk(1); man/jitk.1.in holds the rest. */
static void man_commands(FILE *fp)
{
	fprintf(fp, ".SH COMMANDS\n");
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_command *c = &cli_commands[i];
		fprintf(fp, ".SS \"jitk %s\"\n.B jitk ", c->name);
		roff(fp, c->name);
		if (c->operands && *c->operands) {
			fprintf(fp, "\n.I \"");
			roff(fp, c->operands);
			fprintf(fp, "\"");
		}
		for (const struct cli_opt *o = c->opts; o->name; o++) {
			fprintf(fp, "\n%s\\fB", o->required ? "" : "[");
			roff(fp, o->required && o->alias ? o->alias : o->name);
			fprintf(fp, "\\fR");
			if (o->arg) {
				fprintf(fp, " \\fI");
				roff(fp, o->arg);
				fprintf(fp, "\\fR");
			}
			if (!o->required)
				fprintf(fp, "]");
		}
		if (c->tail) {
			fprintf(fp, "\n");
			roff(fp, c->tail);
		}
		fprintf(fp, "\n.PP\n");
		char sum[256];
		snprintf(sum, sizeof sum, "%s", c->summary);
		if (sum[0] >= 'a' && sum[0] <= 'z')
			sum[0] = (char)(sum[0] - 'a' + 'A');
		roff(fp, sum);
		fprintf(fp, ".\n");
		roff(fp, c->description);
		fprintf(fp, "\n");
		for (const struct cli_opt *o = c->opts; o->name; o++) {
			fprintf(fp, ".TP\n");
			if (o->alias) {
				fprintf(fp, "\\fB");
				roff(fp, o->alias);
				fprintf(fp, "\\fR, ");
			}
			fprintf(fp, "\\fB");
			roff(fp, o->name);
			fprintf(fp, "\\fR");
			if (o->arg) {
				fprintf(fp, " \\fI");
				roff(fp, o->arg);
				fprintf(fp, "\\fR");
			}
			fprintf(fp, "\n");
			roff(fp, o->help);
			if (o->def) {
				fprintf(fp, " (default: ");
				roff(fp, o->def);
				fprintf(fp, ")");
			}
			fprintf(fp, "%s.\n", o->required ? " (required)" : "");
		}
		fprintf(fp, ".PP\nExample%s:\n.PP\n.RS\n.nf\n", c->examples[0] && c->examples[1] ? "s" : "");
		for (const char *const *e = c->examples; *e; e++) {
			fprintf(fp, "$ ");
			roff(fp, *e);
			fprintf(fp, "\n");
		}
		fprintf(fp, ".fi\n.RE\n");
	}
}

/* ------------------------------------------------ lists for completion */

static int list(int argc, char **argv)
{
	const char *what = argc > 0 ? argv[0] : "";
	if (!strcmp(what, "commands") && argc == 1) {
		for (size_t i = 0; i < cli_ncommands; i++)
			printf("%s\n", cli_commands[i].name);
		return CLI_OK;
	}
	if (!strcmp(what, "archs") && argc == 1) {
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			printf("%s\n", jitk_arch_name((jitk_arch)a));
		return CLI_OK;
	}
	if (!strcmp(what, "syscalls") && argc <= 2) {
		int a = argc == 2 ? jitk_arch_from_name(argv[1]) : JITK_ARCH_X86_64;
		if (a < 0)
			return cli_usage("help --list syscalls [ARCH]", "unknown arch '%s'", argv[1]);
		const char *name;
		int nr;
		for (size_t i = 0; jitk_syscall_at((jitk_arch)a, i, &name, &nr); i++)
			printf("%s\n", name);
		return CLI_OK;
	}
	if ((!strcmp(what, "options") || !strcmp(what, "operands")) && argc == 2) {
		const struct cli_command *c = cli_find_command(argv[1]);
		if (!c)
			return cli_usage("help --list options|operands COMMAND", "unknown command '%s'",
					 argv[1]);
		if (!strcmp(what, "operands")) {
			/* The kind of the operands, then "command" if a command follows "--". */
			printf("%s\n", kind_names[c->operand_kind]);
			if (c->tail && strstr(c->tail, "--"))
				printf("command\n");
			return CLI_OK;
		}
		/* NAME TAB ALIAS-or-"-" TAB KIND TAB VALUES */
		for (const struct cli_opt *o = c->opts; o->name; o++)
			printf("%s\t%s\t%s\t%s\n", o->name, o->alias ? o->alias : "-", kind_names[o->kind],
			       o->values ? o->values : "");
		return CLI_OK;
	}
	return cli_usage("help --list commands|archs|syscalls [ARCH]|options CMD|operands CMD",
			 what[0] ? "cannot list '%s'" : "what to list?%s", what);
}

/* ------------------------------------------------------------- help */

int cli_help(int argc, char **argv)
{
	/* argv[0] is "help". */
	if (argc < 2) {
		cli_overview(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--man") && argc == 2) {
		man_commands(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--list"))
		return list(argc - 2, argv + 2);
	if (argc > 2)
		return cli_usage("help [COMMAND]", "unexpected argument '%s'", argv[2]);
	if (cli_is_help(argv[1])) {
		cli_overview(stdout);
		return CLI_OK;
	}
	const struct cli_command *c = cli_find_command(argv[1]);
	if (!c) {
		const char *near = nearest_command(argv[1]);
		fprintf(stderr, "jitk: error: no command '%s'", argv[1]);
		if (near)
			fprintf(stderr, "; did you mean '%s'?", near);
		fprintf(stderr, "\n(jitk help: the list of commands)\n");
		return CLI_USAGE;
	}
	command_help(c, stdout);
	return CLI_OK;
}

int cli_unknown_command(const char *name)
{
	static const char *const globals[] = { "help", "--help", "--version" };
	const char *near = name[0] == '-' ? cli_nearest(name, globals, 3) : nearest_command(name);
	fprintf(stderr, "jitk: error: unknown command '%s'", name);
	if (near)
		fprintf(stderr, "; did you mean '%s'?", near);
	fputc('\n', stderr);
	cli_overview(stderr);
	return CLI_USAGE;
}

/* ---------------------------------------------------------- version */

int cli_version(void)
{
	printf("jitk %s (header %d.%d.%d)\n", jitk_version(), JITK_VERSION_MAJOR, JITK_VERSION_MINOR,
	       JITK_VERSION_MICRO);
	printf("Z3 %s\n", Z3_get_full_version());
	printf("%s", cli_tables_source);
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		size_t n = 0;
		const char *name;
		int nr;
		while (jitk_syscall_at((jitk_arch)a, n, &name, &nr))
			n++;
		printf("%s%s %zu", a ? ", " : "syscalls known: ", jitk_arch_name((jitk_arch)a), n);
	}
	printf("\n");
	/* Part of the proof cache's key (cli/cache.c). */
	printf("tables fingerprint: sha256 %s\n", cli_tables_sha256);
	return CLI_OK;
}
