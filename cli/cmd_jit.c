/*
 * cmd_jit.c - `jitk jit FILTER [--dump OUT] [--map] [--from raw|text|auto]`:
 * JIT-compile a filter to x86-64, validate the image, report its size and
 * optionally write the raw machine code, which
 *     objdump -D -b binary -mi386:x86-64 OUT
 * disassembles.  The code is exactly what would run: the bytes of the
 * validated, executable mapping.
 *
 * Exit statuses: 0 compiled and validated, 1 the filter is rejected (by the
 * checker or the image validator) or I/O failed, 2 bad command line.
 */
#include "cli.h"
#include "jit_x86.h"

#include <string.h>

#define JIT_USAGE "jit FILTER [--dump OUT] [--map] [--from raw|text|auto]"

int cmd_jit(int argc, char **argv)
{
	const char *in = NULL, *dump = NULL;
	bool map = false;
	enum cli_format fmt = FMT_AUTO;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n"
			       "  --dump OUT   write the x86-64 code to OUT ('-' for stdout)\n"
			       "  --map        print the native offset of each BPF instruction\n"
			       "  --from FMT   read FILTER as raw bytes, assembler text, or guess\n",
			       JIT_USAGE);
			return CLI_OK;
		} else if (!strcmp(a, "--dump") || !strcmp(a, "-o")) {
			if (i + 1 >= argc)
				return cli_usage(JIT_USAGE, "%s needs a file name", a);
			dump = argv[++i];
		} else if (!strcmp(a, "--map")) {
			map = true;
		} else if (!strcmp(a, "--from")) {
			if (i + 1 >= argc)
				return cli_usage(JIT_USAGE, "%s needs raw, text or auto", a);
			const char *v = argv[++i];
			if (!cli_parse_from(v, &fmt))
				return cli_usage(JIT_USAGE, "unknown input format '%s'", v);
		} else if (a[0] == '-' && a[1]) {
			return cli_usage(JIT_USAGE, "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(JIT_USAGE, "unexpected argument '%s'", a);
		}
	}
	if (!in)
		return cli_usage(JIT_USAGE, "missing FILTER", NULL);

	jitk_filter *f = cli_read_filter(in, fmt);
	if (!f)
		return CLI_FAIL;
	jitk_jit *j = NULL;
	jitk_diag d;
	jitk_err err = jitk_jit_compile(f, &j, &d);
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", in);
		cli_report(in, err, &d);
		jitk_filter_free(f);
		return CLI_FAIL;
	}
	size_t len = 0, n = 0;
	const uint8_t *code = jitk_jit_code(j, &len);
	const uint32_t *offs = jit_offsets(j, &n);
	/* With the code on stdout, the report goes to stderr. */
	FILE *rep = dump && !strcmp(dump, "-") ? stderr : stdout;
	int rc = CLI_OK;
	if (dump)
		rc = cli_write_bytes(dump, code, len);
	fprintf(rep, "%s: %zu BPF instructions -> %zu bytes of x86-64 code, %zu instructions "
		     "(%.1f bytes per BPF instruction); image validated\n",
		in, n, len, jit_native_count(j), (double)len / (double)n);
	if (map) {
		fprintf(rep, "  prologue  0x%04x bytes\n", offs[0]);
		for (size_t i = 0; i < n; i++)
			fprintf(rep, "  %5zu  0x%04x\n", i, offs[i]);
		fprintf(rep, "  trailer  0x%04x (DIV by X == 0 returns 0 here)\n", offs[n]);
	}
	jitk_jit_free(j);
	jitk_filter_free(f);
	return rc;
}
