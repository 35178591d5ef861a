/*
 * cmd_jit.c - `jitk jit FILTER [--dump OUT] [--map] [--from raw|text|auto]`:
 * JIT-compile a filter to x86-64, validate the image, report its size and
 * optionally write the raw machine code, which
 *     objdump -D -b binary -mi386:x86-64 OUT
 * disassembles.  The code is exactly what would run: the bytes of the
 * validated, executable mapping.
 *
 * Every image is proved equal to its filter before it is made executable
 * (src/trusted/jit_prove.c).  `--check IMAGE` proves a given image instead
 * (one written by --dump, possibly edited): "proved", or a counterexample
 * with the input, the image's result run natively (in a child process,
 * so a fault cannot take the CLI down) and the interpreter's.
 * `--cross-check` (either way) exports the image proof's query as SMT-LIB 2
 * once Z3 has proved it, and requires cvc5 to answer unsat too
 * (cli/cross.c), so that a Z3 bug cannot pass an image alone.
 *
 * Exit statuses: 0 compiled, validated and proved (--check: proved), 1 the
 * filter or image is rejected (checker, validator, proof) or I/O failed,
 * 2 bad command line, 3 --cross-check: cvc5 is missing or does not answer
 * unsat.
 */
#include "cli.h"
#include "jit_map.h"
#include "jit_prove.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define JIT_USAGE \
	"jit FILTER [--dump OUT] [--map] [--check IMAGE [--rlimit N] [--timeout MS]] [--cross-check] [--from raw|text|auto]"

/* Run image code[0..len) natively on *in in a child process.  The image has
 * passed smt_x86's structural rules (forward branches only, stack and input
 * accesses bounded), but it was not proved, so it runs where a fault or a
 * hang (alarm) only kills the child.  false if it did not return normally;
 * *how then says why. */
static bool run_native(const uint8_t *code, size_t len, const struct seccomp_data *in, uint32_t *out,
		       const char **how)
{
	*how = "could not be run";
#if defined(__x86_64__)
	int fd[2];
	if (pipe(fd) != 0)
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return false;
	}
	if (pid == 0) {
		close(fd[0]);
		alarm(5);
		void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(3);
		memcpy(mem, code, len);
		if (mprotect(mem, len, PROT_READ | PROT_EXEC) != 0)
			_exit(3);
		uint32_t (*fn)(const struct seccomp_data *);
		memcpy(&fn, &mem, sizeof fn);
		uint32_t r = fn(in);
		_exit(write(fd[1], &r, sizeof r) == (ssize_t)sizeof r ? 0 : 3);
	}
	close(fd[1]);
	uint32_t r = 0;
	ssize_t got = read(fd[0], &r, sizeof r);
	close(fd[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st)) {
		*how = WTERMSIG(st) == SIGFPE    ? "faults (divide error, SIGFPE)"
		       : WTERMSIG(st) == SIGALRM ? "did not return within 5 s"
						 : "was killed by a signal";
		return false;
	}
	if (got != (ssize_t)sizeof r || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return false;
	*out = r;
	return true;
#else
	(void)code;
	(void)len;
	(void)in;
	(void)out;
	*how = "cannot run here (not x86-64)";
	return false;
#endif
}

/* A refused image's exit status: 3 when the proof was undecided (the
 * solver gave no answer in time), as for compile, verify and diff, so a
 * script can tell "different" (1) from "could not decide" (3). */
static int refused_rc(const jitk_diag *d)
{
	return strcmp(d->rule, "jit-proof-undecided") ? CLI_FAIL : CLI_SOLVER;
}

/* --cross-check: the image was proved by Z3; prove it again exporting the
 * query, and require cvc5's unsat on it.  CLI_OK, CLI_FAIL (the proof
 * itself failed this time) or 3 (cvc5 missing or not unsat). */
static int cross_check(FILE *out, const char *image, const jitk_filter *f, const uint8_t *code, size_t len,
		       unsigned rlimit, unsigned timeout)
{
	jitk_diag d;
	memset(&d, 0, sizeof d);
	d.index = -1;
	struct jit_proof res;
	jitk_err err = jit_prove(f, code, len, rlimit, timeout, true, &res, &d);
	if (err) {
		free(res.smtlib);
		cli_report(image, err, &d);
		return CLI_FAIL;
	}
	char verdict[256];
	int r = cli_cvc5_unsat(res.smtlib, verdict, sizeof verdict);
	size_t qlen = res.smtlib ? strlen(res.smtlib) : 0;
	free(res.smtlib);
	if (r < 0) {
		cli_error("cross-check: %s", verdict);
		return 3;
	}
	if (r == 0) {
		cli_error("cross-check: the solvers disagree on the image proof of %s: Z3 unsat, cvc5 '%s'",
			  image, verdict);
		return 3;
	}
	fprintf(out, "cross-checked: cvc5 also answers unsat on the image proof (%zu bytes of SMT-LIB 2)\n",
		qlen);
	return CLI_OK;
}

static int check_image(const char *in, const jitk_filter *f, const char *image, unsigned rlimit,
		       unsigned timeout, bool cross)
{
	size_t len = 0;
	char *bytes = cli_read_input(image, &len); /* bounded, like every input */
	if (!bytes)
		return CLI_FAIL;
	jitk_diag d;
	memset(&d, 0, sizeof d);
	d.index = -1;
	struct jit_proof res;
	jitk_err err = jit_prove(f, (const uint8_t *)bytes, len, rlimit, timeout, false, &res, &d);
	if (!err) {
		printf("proved: %s (%zu bytes, %zu x86-64 instructions) computes what %s computes, for every input\n",
		       image, len, res.x86_insns, in);
		int rc = cross ? cross_check(stdout, image, f, (const uint8_t *)bytes, len, rlimit, timeout)
			       : CLI_OK;
		free(bytes);
		return rc;
	}
	if (!res.has_cex) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", image);
		cli_report(image, err, &d);
		free(bytes);
		return refused_rc(&d);
	}
	const struct seccomp_data *x = &res.in;
	printf("DIFFERENT: %s does not compute what %s computes; counterexample:\n", image, in);
	printf("  arch  0x%08x\n  nr    %d\n  args ", x->arch, x->nr);
	for (int i = 0; i < 6; i++)
		printf(" %#llx", (unsigned long long)jitk_data_arg(x, (unsigned)i));
	printf("\n  ip    %#llx\n", (unsigned long long)jitk_data_arg(x, JITK_DATA_IP));
	uint32_t nat = 0;
	const char *how = NULL;
	if (run_native((const uint8_t *)bytes, len, x, &nat, &how))
		printf("  image returns        0x%08x (run natively)\n", nat);
	else
		printf("  image %s (run natively)\n", how);
	if (res.image_faults)
		printf("  the x86-64 semantics: the image faults (divide error)\n");
	else
		printf("  the x86-64 semantics: 0x%08x\n", res.image_ret);
	printf("  interpreter returns  0x%08x\n", res.filter_ret);
	free(bytes);
	return CLI_FAIL;
}

int cmd_jit(int argc, char **argv)
{
	const char *in = NULL, *dump = NULL, *image = NULL;
	unsigned timeout = 0, rlimit = 0;
	bool map = false, cross = false;
	enum cli_format fmt = FMT_AUTO;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			printf("usage: jitk %s\n"
			       "  --dump OUT   write the x86-64 code to OUT ('-' for stdout)\n"
			       "  --map        print the native offset of each BPF instruction\n"
			       "  --check IMAGE  prove IMAGE (raw x86-64, e.g. from --dump) equal to FILTER\n"
			       "  --rlimit N     the proof's Z3 resource limit, the deterministic budget (default %u)\n"
			       "  --timeout MS   the proof's wall-clock cap, a last resort (default %u ms)\n"
			       "  --cross-check  re-check the image proof with cvc5 (SMT-LIB 2)\n"
			       "  --from FMT   read FILTER as raw bytes, assembler text, or guess\n",
			       JIT_USAGE, JIT_PROVE_DEFAULT_RLIMIT, JIT_PROVE_DEFAULT_TIMEOUT_MS);
			return CLI_OK;
		} else if (!strcmp(a, "--dump") || !strcmp(a, "-o")) {
			if (i + 1 >= argc)
				return cli_usage(JIT_USAGE, "%s needs a file name", a);
			dump = argv[++i];
		} else if (!strcmp(a, "--check")) {
			if (i + 1 >= argc)
				return cli_usage(JIT_USAGE, "%s needs an image file", a);
			image = argv[++i];
		} else if (!strcmp(a, "--timeout")) {
			const char *t = i + 1 < argc ? argv[++i] : "";
			if (!cli_parse_timeout(t, &timeout))
				return cli_usage(JIT_USAGE,
						 "--timeout wants milliseconds from 1 to 86400000, not '%s'",
						 t);
		} else if (!strcmp(a, "--rlimit")) {
			const char *t = i + 1 < argc ? argv[++i] : "";
			uint64_t v = 0;
			if (!cli_parse_u64(t, &v) || v == 0 || v > UINT32_MAX)
				return cli_usage(JIT_USAGE,
						 "--rlimit wants a count from 1 to 4294967295, not '%s'", t);
			rlimit = (unsigned)v;
		} else if (!strcmp(a, "--map")) {
			map = true;
		} else if (!strcmp(a, "--cross-check")) {
			cross = true;
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

	if (image && (dump || map))
		return cli_usage(JIT_USAGE, "%s", "--check does not combine with --dump or --map");
	if ((timeout || rlimit) && !image)
		return cli_usage(JIT_USAGE, "%s", "--timeout and --rlimit apply to --check");
	jitk_filter *f = cli_read_filter(in, fmt);
	if (!f)
		return CLI_FAIL;
	in = cli_input_name(in);
	if (image) {
		jitk_err cerr = jitk_check(f, NULL);
		int rc = CLI_FAIL;
		if (cerr) {
			jitk_diag cd;
			jitk_check(f, &cd);
			cli_report(in, cerr, &cd);
		} else {
			rc = check_image(in, f, image, rlimit, timeout, cross);
		}
		jitk_filter_free(f);
		return rc;
	}
	if (dump && cli_check_output(dump) != CLI_OK) {
		jitk_filter_free(f);
		return CLI_FAIL;
	}
	jitk_jit *j = NULL;
	jitk_diag d;
	jitk_err err = jitk_jit_compile(f, &j, &d);
	if (err) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", in);
		cli_report(in, err, &d);
		jitk_filter_free(f);
		return refused_rc(&d);
	}
	size_t len = 0, n = 0;
	const uint8_t *code = jitk_jit_code(j, &len);
	const uint32_t *offs = jit_offsets(j, &n);
	/* With the code on stdout, the report goes to stderr. */
	FILE *rep = dump && !strcmp(dump, "-") ? stderr : stdout;
	int rc = CLI_OK;
	if (dump)
		rc = cli_write_bytes(dump, code, len);
	fprintf(rep,
		"%s: %zu BPF instructions -> %zu bytes of x86-64 code, %zu instructions "
		"(%.1f bytes per BPF instruction); image validated and proved\n",
		in, n, len, jit_native_count(j), (double)len / (double)n);
	if (map) {
		fprintf(rep, "  prologue  0x%04x bytes\n", offs[0]);
		for (size_t i = 0; i < n; i++)
			fprintf(rep, "  %5zu  0x%04x\n", i, offs[i]);
		fprintf(rep, "  trailer  0x%04x (DIV by X == 0 returns 0 here)\n", offs[n]);
	}
	if (cross && rc == CLI_OK) {
		fflush(rep);
		rc = cross_check(rep, in, f, code, len, 0, 0);
	}
	jitk_jit_free(j);
	jitk_filter_free(f);
	return rc;
}
