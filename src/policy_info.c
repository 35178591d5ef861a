/* policy_info.c - read-only views of a parsed policy for front ends
 * (where a rule was written, for `jitk run`'s refusal reports). */
#include "policy.h"

bool jitk_policy_rule(const jitk_policy *p, size_t i, const char **file, unsigned *line, unsigned *col,
		      uint32_t *action)
{
	if (!p || i >= p->nrules)
		return false;
	const struct pol_rule *r = &p->rules[i];
	if (file)
		*file = r->file && r->file[0] ? r->file : p->file;
	if (line)
		*line = r->line;
	if (col)
		*col = r->col;
	if (action)
		*action = r->action;
	return true;
}

const char *jitk_policy_file(const jitk_policy *p)
{
	return p ? p->file : "";
}

bool jitk_policy_source(const jitk_policy *p, size_t i, const char **name, const char **text, size_t *len)
{
	if (!p || i >= p->nsources)
		return false;
	const struct pol_source *s = &p->sources[i];
	if (name)
		*name = s->name;
	if (text)
		*text = s->text;
	if (len)
		*len = s->len;
	return true;
}
