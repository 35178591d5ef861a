/*
 * fuzz_oci.c - libFuzzer harness for the OCI/Docker profile importer.
 *
 * Properties checked on every input (abort() = finding):
 *  - jitk_profile_import never crashes, and either returns SCPL text and
 *    notes, or a diagnostic with a line and column inside the input (for
 *    input errors) and no text;
 *  - the SCPL it returns parses (jitk_policy_parse), and printing that
 *    policy and parsing the print works too (jitk_policy_print).
 */
#include "jitk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const jitk_profile_opts o = { .host_arch = "x86_64", .kernel = "6.1" };
	char *scpl = NULL, *notes = NULL;
	jitk_diag d;
	jitk_err err = jitk_profile_import((const char *)data, size, "fuzz.json", &o, &scpl, &notes, &d);
	if (err != JITK_OK) {
		if (scpl || notes)
			abort();
		if ((err == JITK_E_PARSE || err == JITK_E_NAME) && (d.line == 0 || d.col == 0))
			abort();
		return 0;
	}
	jitk_policy *p = NULL;
	if (jitk_policy_parse(scpl, strlen(scpl), "fuzz.scpl", &p, &d) != JITK_OK)
		abort(); /* the translation must be valid SCPL */
	char *printed = NULL;
	if (jitk_policy_print(p, &printed) != JITK_OK)
		abort();
	jitk_policy *q = NULL;
	if (jitk_policy_parse(printed, strlen(printed), "printed.scpl", &q, &d) != JITK_OK)
		abort();
	jitk_policy_free(q);
	jitk_free(printed);
	jitk_policy_free(p);
	jitk_free(scpl);
	jitk_free(notes);
	return 0;
}
