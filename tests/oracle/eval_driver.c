/*
 * eval_driver.c - the C side of the second reader's differential test
 * (tests/oracle/run.py, docs/verify.md "What checks the front end").
 *
 *   eval_driver tables
 *       Prints the generated tables the second reader cannot derive from
 *       docs/scpl.md: per ABI its name, AUDIT_ARCH value, number base and
 *       aliases, its syscall numbers, its named constants and the widths of
 *       its syscalls' parameters; and the errno names.  These tables are
 *       checked against a second source elsewhere (tests/unit/test_tables.c,
 *       tests/cli/test_gen_params.sh), so the reader takes them as given.
 *
 *   eval_driver eval CASES
 *       CASES holds blocks "P path", then input lines "W w0 .. w15": the
 *       sixteen 32-bit words of seccomp_data a filter's `ld` reads
 *       (hexadecimal; run.py places each argument's halves in its ABI's
 *       byte order), handed to jitk as they are (include/jitk.h).  For each
 *       block prints "P ok" or "P err KIND", then one line with
 *       jitk_policy_eval's answer (hex) for every input.
 *
 *   eval_driver roundtrip [--mutate] PATH...
 *       For each policy: parse, jitk_policy_print, parse the printed text,
 *       and prove the two policies equal with jitk_equiv (Z3).  Prints
 *       "PATH equal", "PATH different", or "PATH error: ...".  --mutate
 *       first changes the printed text's default_action to another action
 *       (a broken printer): the proof must then say "different".
 */
#include "jitk.h"
#include "tables.h"

#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void dump_tables(void)
{
	for (size_t a = 0; a < tbl_abis_len; a++) {
		const struct tbl_abi *t = &tbl_abis[a];
		printf("abi %s 0x%x 0x%x", t->name, (unsigned)t->audit, (unsigned)t->nrbase);
		for (const char *s = t->aliases; *s; s += strlen(s) + 1)
			printf(" %s", s);
		printf("\n");
		for (size_t i = 0; i < *t->nsys; i++)
			printf("sys %s %s %d\n", t->name, t->sys[i].name, t->sys[i].nr);
		for (const struct tbl_const *c = t->consts; c->name; c++)
			printf("const %s %s 0x%llx\n", t->name, c->name, (unsigned long long)c->value);
		for (const struct tbl_const *c = t->errnos; c->name; c++)
			printf("aerrno %s %s %llu\n", t->name, c->name, (unsigned long long)c->value);
		for (size_t i = 0; i < *t->nparams; i++) {
			const struct tbl_params *p = &t->params[i];
			printf("param %s %d", t->name, p->nr);
			for (unsigned k = 0; k < p->nargs; k++)
				printf(" %u", (unsigned)p->arg[k].width);
			printf("\n");
		}
	}
	for (const struct tbl_const *c = tbl_errno; c->name; c++)
		printf("errno %s %llu\n", c->name, (unsigned long long)c->value);
}

static jitk_policy *load(const char *path, jitk_diag *d)
{
	jitk_policy *p = NULL;
	memset(d, 0, sizeof *d);
	if (jitk_policy_load(path, &p, d) != JITK_OK)
		return NULL;
	return p;
}

static int eval_cases(const char *cases)
{
	FILE *f = fopen(cases, "r");
	if (!f) {
		perror(cases);
		return 2;
	}
	char line[8192];
	jitk_policy *p = NULL;
	int open_line = 0; /* an answer line has been started */
	while (fgets(line, sizeof line, f)) {
		if (line[0] == 'P' && line[1] == ' ') {
			if (open_line)
				printf("\n");
			jitk_policy_free(p);
			line[strcspn(line, "\n")] = 0;
			jitk_diag d;
			p = load(line + 2, &d);
			if (p)
				printf("P ok\n");
			else
				printf("P err %s %s:%u:%u %s\n", jitk_strerror(d.err), d.file, d.line,
				       d.col, d.msg);
			open_line = 1;
		} else if (line[0] == 'W' && line[1] == ' ') {
			struct seccomp_data in;
			uint32_t w[16];
			_Static_assert(sizeof w == sizeof in, "seccomp_data is sixteen words");
			char *s = line + 2, *end;
			for (int k = 0; k < 16; k++, s = end) {
				unsigned long v = strtoul(s, &end, 16);
				if (end == s || v > 0xffffffffu) {
					fprintf(stderr, "bad input line: %s", line);
					return 2;
				}
				w[k] = (uint32_t)v;
			}
			memcpy(&in, w, sizeof in); /* the words, as this host stores them */
			printf(" %x", p ? (unsigned)jitk_policy_eval(p, &in) : 0u);
		}
	}
	if (open_line)
		printf("\n");
	jitk_policy_free(p);
	fclose(f);
	return 0;
}

/* The printed text with its default_action replaced by another action. */
static char *mutate(const char *text)
{
	const char *k = strstr(text, "default_action");
	if (!k)
		return NULL;
	const char *eq = strchr(k, '=');
	const char *end = eq ? strpbrk(eq, ";}") : NULL;
	if (!end)
		return NULL;
	const char *repl = strstr(eq, "Allow") && strstr(eq, "Allow") < end ? "Log" : "Allow";
	size_t n = strlen(text) + 16;
	char *out = malloc(n);
	if (!out)
		return NULL;
	snprintf(out, n, "%.*s= %s%s", (int)(eq - text), text, repl, end);
	return out;
}

static int roundtrip(int argc, char **argv)
{
	int bad = 0, mut = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--mutate")) {
			mut = 1;
			continue;
		}
		jitk_diag d;
		jitk_policy *a = load(argv[i], &d), *b = NULL;
		char *text = NULL, *m = NULL;
		if (!a) {
			printf("%s error: parse: %s\n", argv[i], d.msg);
			bad = 1;
			continue;
		}
		jitk_err e = jitk_policy_print(a, &text);
		if (e != JITK_OK) {
			printf("%s error: print: %s\n", argv[i], jitk_strerror(e));
			bad = 1;
			jitk_policy_free(a);
			continue;
		}
		const char *t = text;
		if (mut && !(t = m = mutate(text))) {
			printf("%s error: nothing to mutate\n", argv[i]);
			bad = 1;
			goto next;
		}
		/* Read back as from the original's place, so includes (already
		 * spliced by the printer) and relative names resolve alike. */
		memset(&d, 0, sizeof d);
		if (jitk_policy_parse(t, strlen(t), argv[i], &b, &d) != JITK_OK) {
			printf("%s error: reparse: %u:%u: %s\n", argv[i], d.line, d.col, d.msg);
			bad = 1;
			goto next;
		}
		jitk_side sa = { .policy = a }, sb = { .policy = b };
		size_t ncex = 0;
		jitk_cex cex;
		e = jitk_equiv(sa, sb, 0, &cex, 1, &ncex, &d);
		if (e == JITK_OK)
			printf("%s equal\n", argv[i]);
		else if (e == JITK_E_DIFFERENT)
			printf("%s different (arch 0x%x nr %d: %x vs %x)\n", argv[i], (unsigned)cex.in.arch,
			       cex.in.nr, (unsigned)cex.left, (unsigned)cex.right);
		else {
			printf("%s error: equiv: %s %s\n", argv[i], jitk_strerror(e), d.msg);
			bad = 1;
		}
	next:
		free(m);
		jitk_free(text);
		jitk_policy_free(a);
		jitk_policy_free(b);
	}
	return bad;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "tables")) {
		dump_tables();
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "eval"))
		return eval_cases(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "roundtrip"))
		return roundtrip(argc - 2, argv + 2);
	fprintf(stderr, "usage: eval_driver tables | eval CASES | roundtrip [--mutate] PATH...\n");
	return 2;
}
