/* perf_report.c - bench_perf's markdown report (perf_report.h). */
#include "perf_report.h"
#include "policy.h"

#include <math.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

const char *const var_name[NVAR] = {
	"jitk",
	"jitk + trace weights",
	"libseccomp linear (opt 1)",
	"libseccomp tree (opt 2)",
};

const char *const call_col[KM_MAXCALLS] = {
	"arg-checked allow",
	"denied (errno)",
	"unconditional allow",
};

/* ------------------------------------------------------------ output */

static const char *action_str(uint32_t a, char *buf, size_t cap)
{
	uint32_t data = a & JITK_RET_DATA;
	const char *name = jitk_action_name(a);
	if ((a & JITK_RET_ACTION_FULL) == JITK_RET_ERRNO) {
		const char *e = jitk_errno_name((int)data);
		snprintf(buf, cap, "%s(%s)", name, e ? e : "?");
	} else if (data) {
		snprintf(buf, cap, "%s(%u)", name, data);
	} else {
		snprintf(buf, cap, "%s", name);
	}
	return buf;
}

void fmt_num(char *buf, size_t cap, double x)
{
	if (x == floor(x))
		snprintf(buf, cap, "%.0f", x);
	else
		snprintf(buf, cap, "%.1f", x);
}

void print_policy(const jitk_policy *p, struct report *r)
{
	char a1[64], a2[64];
	printf("\n### %s\n\n", r->name);
	printf("ABIs:");
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (p->arch[a])
			printf(" %s", jitk_arch_name((jitk_arch)a));
	printf("; default %s; %zu rules; steps over %zu %s numbers (args 0)",
	       action_str(p->default_action, a1, sizeof a1), p->nrules, r->nnums, jitk_arch_name(r->main));
	printf("; foreign arch %s.\n\n", action_str(p->foreign_action, a2, sizeof a2));

	printf("| compiler | insns | action cache | steps min | median | mean | max | trace mean | compile ms |");
	for (int s = 0; s < KM_MAXCALLS; s++)
		if (r->call_slot[s] >= 0)
			printf(" %s |", call_col[s]);
	printf("\n|---|--:|--:|--:|--:|--:|--:|--:|--:|");
	for (int s = 0; s < KM_MAXCALLS; s++)
		if (r->call_slot[s] >= 0)
			printf("--:|");
	printf("\n");
	for (int i = 0; i < NVAR; i++) {
		const struct variant *v = &r->v[i];
		if (!v->f) {
			printf("| %s | %s%s%s |\n", var_name[i],
			       i >= V_LSC1 ? "cannot express this policy (" : "", v->why,
			       i >= V_LSC1 ? ")" : "");
			continue;
		}
		char med[32], tm[32];
		fmt_num(med, sizeof med, v->st.median);
		if (v->st.trace_mean >= 0)
			snprintf(tm, sizeof tm, "%.1f", v->st.trace_mean);
		else
			snprintf(tm, sizeof tm, "-");
		char cache[48];
		if (v->st.cache_all)
			snprintf(cache, sizeof cache, "%u/%u (%.0f%%)", v->st.cache_ok, v->st.cache_all,
				 100.0 * v->st.cache_ok / v->st.cache_all);
		else
			snprintf(cache, sizeof cache, "none to cache");
		char comp[64];
		if (v->proof_ms >= 0)
			snprintf(comp, sizeof comp, "%.1f (+%.0f proof)", v->compile_ms, v->proof_ms);
		else
			snprintf(comp, sizeof comp, "%.1f%s%s%s", v->compile_ms, v->disjoint ? " (a)" : "",
				 v->minus_one ? " (b)" : "", v->impl ? " (c)" : "");
		printf("| %s%s | %zu | %s | %u | %s | %.1f | %u | %s | %s |", var_name[i],
		       v->inexact ? ", nearest: NOT equal (d)" : "", v->st.len, cache, v->st.min, med,
		       v->st.mean, v->st.max, tm, comp);
		for (int s = 0; s < KM_MAXCALLS; s++) {
			int c = r->call_slot[s];
			if (c < 0)
				continue;
			if (r->kernel && r->kok[i])
				printf(" %.3f |", r->ratio[i][c]);
			else
				printf(" - |");
		}
		printf("\n");
	}
	if (r->kernel) {
		printf("| no filter | | | | | | | | |");
		for (int s = 0; s < KM_MAXCALLS; s++) {
			int c = r->call_slot[s];
			if (c >= 0)
				printf(r->none_ok ? " 1 (%.0f ns) |" : " failed |", r->ns_none[c]);
		}
		printf("\n");
	}
	printf("\n");
	bool fa = false, fb = false, fc = false, fd = false;
	for (int i = 0; i < NVAR; i++) {
		fa |= r->v[i].f && r->v[i].disjoint;
		fb |= r->v[i].f && r->v[i].minus_one;
		fc |= r->v[i].f && r->v[i].impl;
	}
	if (fa)
		printf("(a) libseccomp got the first-match rules rewritten into disjoint rules "
		       "(written as is, its program differs from the policy).\n");
	if (fb)
		printf("(b) proved equal to the policy except x86_64 syscall -1, which libseccomp "
		       "sends to the default action by design.\n");
	if (fc)
		printf("(c) libseccomp %u.%u.%u cannot name %zu (ABI, syscall) pairs of the policy on its "
		       "non-native ABIs (syscalls newer than its tables); it got the policy without them "
		       "and was proved equal to that; x86_64 is complete.\n",
		       seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro,
		       r->ndropped);
	for (int i = V_LSC1; i < NVAR; i++)
		if (r->v[i].f && r->v[i].inexact) {
			printf("(d) %s cannot express this policy: %s.  The row shows the nearest "
			       "program it makes (the translation above), which is not equal to the policy; "
			       "targets against it are marked *.\n",
			       var_name[i], r->v[i].why);
			fd = true;
		}
	if (fa || fb || fc || fd)
		printf("\n");
	bool any = false;
	for (int s = 0; s < KM_MAXCALLS; s++) {
		if (r->call_slot[s] >= 0)
			printf("%s %s = `%s`",
			       any ? ";" : "Kernel calls (time per call / no filter):", call_col[s],
			       r->call_label[s]);
		else
			printf("%s %s not measured: %s", any ? ";" : "Kernel calls:", call_col[s],
			       r->skipped[s]);
		any = true;
	}
	printf(".\n");
}

const char *mark(int t)
{
	switch (t) {
	case 1: return "met";
	case 0: return "NOT met";
	case 2: return "met*";
	case 3: return "NOT met*";
	default: return "n/a";
	}
}

/* A target result against libseccomp's nearest (inexact) program: met*
 * (2) or NOT met* (3). */
static int star(int t, bool inexact)
{
	return t >= 0 && inexact ? (t ? 2 : 3) : t;
}

bool is_met(int t)
{
	return t == 1 || t == 2;
}

void eval_targets(const struct report *r, struct targets *t)
{
	const struct variant *j = &r->v[V_JITK], *l = &r->v[V_LSC2];
	memset(t, 0, sizeof *t);
	if (!j->f) {
		for (int i = 0; i < 4; i++) {
			t->t[i] = -1;
			snprintf(t->text[i], sizeof t->text[i], "n/a (jitk failed)");
		}
		return;
	}
	if (l->f) {
		double lim = TARGET_MEDIAN_RATIO * l->st.median;
		t->t[0] = j->st.median <= lim + 1e-9;
		snprintf(t->text[0], sizeof t->text[0], "median %.1f <= 0.6 x %.1f = %.1f", j->st.median,
			 l->st.median, lim);
		t->t[1] = j->st.max <= l->st.max;
		snprintf(t->text[1], sizeof t->text[1], "max %u <= %u", j->st.max, l->st.max);
		t->t[0] = star(t->t[0], l->inexact);
		t->t[1] = star(t->t[1], l->inexact);
	} else {
		t->t[0] = t->t[1] = -1;
		snprintf(t->text[0], sizeof t->text[0], "median %.1f (libseccomp n/a)", j->st.median);
		snprintf(t->text[1], sizeof t->text[1], "max %u (libseccomp n/a)", j->st.max);
	}
	t->t[2] = j->st.cache_ok == j->st.cache_all;
	snprintf(t->text[2], sizeof t->text[2], "cacheable %u/%u", j->st.cache_ok, j->st.cache_all);
	if (!r->kernel || !r->kok[V_JITK] || !l->f || !r->kok[V_LSC2]) {
		t->t[3] = -1;
		snprintf(t->text[3], sizeof t->text[3], "kernel: n/a");
		return;
	}
	t->t[3] = 1;
	size_t off = (size_t)snprintf(t->text[3], sizeof t->text[3], "kernel overhead");
	for (int s = 0; s < KM_MAXCALLS; s++) {
		int c = r->call_slot[s];
		if (c < 0)
			continue;
		double oj = r->ratio[V_JITK][c] - 1, ol = r->ratio[V_LSC2][c] - 1;
		bool ok = oj <= ol + KERNEL_TOLERANCE;
		t->t[3] &= ok;
		if (off < sizeof t->text[3])
			off += (size_t)snprintf(t->text[3] + off, sizeof t->text[3] - off,
						" %+.1f%% vs %+.1f%%", 100 * oj, 100 * ol);
	}
	t->t[3] = star(t->t[3], l->inexact);
}

void print_targets(const struct targets *t)
{
	printf("\nTargets (jitk vs libseccomp tree): ");
	for (int i = 0; i < 4; i++)
		printf("%s%s: **%s**", i ? "; " : "", t->text[i], mark(t->t[i]));
	printf(".\n");
}
