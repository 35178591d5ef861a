/*
 * profile.c - the options of OCI/Docker profiles, shared by every command
 * that reads a policy:
 *
 *   --caps LIST      the container's capabilities (CAP_ optional; default:
 *                    Docker's default set; "" for none)
 *   --kernel X.Y     the kernel version minKernel is compared with
 *                    (default: the running kernel)
 *   --host-arch A    the arch the runtime runs on (default: this machine)
 *   --strict         a syscall name missing on a selected ABI is an error
 *
 * main() takes them out of argv before the command sees its arguments, so
 * a command gets them by loading its policy through cli_load_policy.  They
 * are ignored for SCPL policies (see docs/oci.md).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

jitk_profile_opts cli_profile;

int cli_take_profile_opts(int *argc, char **argv)
{
	int w = 1;
	bool rest = false;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (rest || !strcmp(a, "--")) {
			rest = true;
			argv[w++] = argv[i];
			continue;
		}
		const char **slot = !strcmp(a, "--caps")        ? &cli_profile.caps
				    : !strcmp(a, "--kernel")    ? &cli_profile.kernel
				    : !strcmp(a, "--host-arch") ? &cli_profile.host_arch
								: NULL;
		if (slot) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "jitk: error: %s needs a value\n", a);
				return -1;
			}
			*slot = argv[++i];
		} else if (!strcmp(a, "--strict")) {
			cli_profile.strict = true;
		} else {
			argv[w++] = argv[i];
		}
	}
	argv[w] = NULL;
	*argc = w;
	return 0;
}

jitk_err cli_parse_policy_text(const char *text, size_t len, const char *name, jitk_policy **p, jitk_diag *d)
{
	if (jitk_is_profile(text, len))
		return jitk_policy_parse_opts(text, len, name, &cli_profile, p, d);
	jitk_policy_limits lim = cli_policy_limits();
	return jitk_policy_parse_limited(text, len, name, &lim, p, d);
}

jitk_err cli_load_policy(const char *path, jitk_policy **p, jitk_diag *d)
{
	/* Read like every input (cli_read_input_diag: bounded, "-" is stdin),
	 * refuse binary data without echoing it, then parse by content. */
	*p = NULL;
	size_t len;
	char *text = cli_read_input_diag(path, &len, d);
	if (!text)
		return d->err ? d->err : JITK_E_IO;
	const char *name = cli_input_name(path);
	jitk_err e;
	if (cli_sniff(text, len) == CLI_KIND_BINARY) {
		memset(d, 0, sizeof *d);
		d->index = -1;
		e = d->err = JITK_E_PARSE;
		snprintf(d->msg, sizeof d->msg, "%s holds binary data (a raw filter?), not an SCPL policy",
			 name);
		snprintf(d->hint, sizeof d->hint, "a policy is SCPL text (docs/scpl.md) or a JSON profile");
	} else {
		e = cli_parse_policy_text(text, len, name, p, d);
	}
	free(text);
	return e;
}
