/*
 * cmd_import.c - jitk import PROFILE.json -o OUT.scpl [--quiet]
 *
 * Writes the SCPL translation of an OCI/Docker seccomp profile, for the
 * profile options (--caps, --kernel, --host-arch, --strict; cli/profile.c).
 * `jitk compile PROFILE.json` compiles this same text, so the imported file
 * compiles to the same filter.  What libseccomp would skip (names unknown on
 * an ABI) is listed on stderr unless --quiet; --strict makes it an error.
 * The output is read back before it is written: a translation that does not
 * parse is an internal error and writes nothing.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_USAGE \
	"import PROFILE.json -o OUT.scpl [--quiet] [--caps LIST] [--kernel X.Y] [--host-arch A] [--strict]"

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		cli_error("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (cap > (64u << 20)) { /* far beyond the importer's limit */
			free(buf);
			buf = NULL;
			cli_error("%s: file too large", path);
			break;
		}
		char *nb = realloc(buf, 2 * cap + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
		}
		buf = nb;
		cap *= 2;
	}
	bool bad = f != stdin && ferror(f);
	if (f != stdin)
		fclose(f);
	if (buf && bad) {
		free(buf);
		cli_error("cannot read %s", path);
		return NULL;
	}
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

int cmd_import(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	bool quiet = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n", IMPORT_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!(out = cli_opt_value(argc, argv, &i)))
				return cli_usage(IMPORT_USAGE, "%s needs a file name", a);
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(IMPORT_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(IMPORT_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (!in)
		return cli_usage(IMPORT_USAGE, "missing profile file%s", "");
	if (!out)
		return cli_usage(IMPORT_USAGE, "missing -o OUT.scpl (use -o - for standard output)%s", "");
	size_t len;
	char *text = read_all(in, &len);
	if (!text)
		return CLI_FAIL;
	jitk_diag d;
	if (!jitk_is_profile(text, len)) {
		free(text);
		return cli_error("%s is not an OCI/Docker JSON profile (it must be a JSON object)", in);
	}
	char *scpl = NULL, *notes = NULL;
	jitk_err err = jitk_profile_import(text, len, in, &cli_profile, &scpl, &notes, &d);
	free(text);
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", in);
		cli_report(in, err, &d);
		return CLI_FAIL;
	}
	jitk_policy *p = NULL;
	err = jitk_policy_parse(scpl, strlen(scpl), out, &p, &d);
	if (err) {
		cli_report(out, err, &d);
		fprintf(stderr, "jitk: internal error: the translation of %s does not parse\n", in);
		jitk_free(scpl);
		jitk_free(notes);
		return CLI_FAIL;
	}
	jitk_policy_free(p);
	int rc = cli_write_bytes(out, scpl, strlen(scpl));
	if (rc == CLI_OK && !quiet && notes[0])
		fputs(notes, stderr);
	if (rc == CLI_OK && strcmp(out, "-"))
		fprintf(stderr, "jitk: wrote %s\n", out);
	jitk_free(scpl);
	jitk_free(notes);
	return rc;
}
