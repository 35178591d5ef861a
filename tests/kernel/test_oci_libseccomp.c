/* test_oci_libseccomp.c - the peer comparison of issue 12: Docker's profile
 * as shipped (../shared/corpus/original) is compiled with libseccomp exactly
 * as runc does it (moby's expansion, then runc's matchCall: skip the default
 * action, resolve the name, one rule per condition when an argument
 * repeats), exported with seccomp_export_bpf, and jitk_equiv compares that
 * program with jitk's policy of the same profile on every input.  It does so
 * with the runtime on every host arch jitk has the ABIs for (libseccomp's
 * native arch replaced by the host's, the host's archMap entry added; the
 * arch tokens from oci.c's one mapping, lsc_arch.h).  Every difference must
 * be one of the documented deviations of docs/oci.md, recognised here by its
 * own rule; anything else fails.  The expansion below is written again from
 * moby's seccomp_linux.go, not taken from src/oci.c, so the two are
 * independent. */
#include "testlib.h"
#include "lsc_arch.h"
#include "mux.h"
#include "params.h"

#include <json-c/json.h>
#include <linux/audit.h>
#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAXCEX 1024

struct variant {
	const char *caps; /* NULL: Docker's default set */
	const char *kernel;
	bool want_equal;  /* no difference but D5 (a profile --format oci wrote) */
	const char *host; /* the runtime's arch, SCMP_ARCH_...; NULL: x86_64 */
};

/* moby's name of a host arch (goToNative of runtime.GOARCH, the names
 * includes/excludes "arches" use), by the arch's SCMP_ARCH_ name; NULL: no
 * Go port runs there (x32), never a host. */
static const char *moby_name(const char *scmp)
{
	static const char *const names[][2] = {
		{ "SCMP_ARCH_X86_64", "amd64" },
		{ "SCMP_ARCH_X86", "x86" },
		{ "SCMP_ARCH_AARCH64", "arm64" },
		{ "SCMP_ARCH_ARM", "arm" },
		{ "SCMP_ARCH_PPC64LE", "ppc64le" },
		{ "SCMP_ARCH_PPC64", "ppc64" },
		{ "SCMP_ARCH_PPC", "ppc" },
		{ "SCMP_ARCH_S390X", "s390x" },
		{ "SCMP_ARCH_S390", "s390" },
		{ "SCMP_ARCH_RISCV64", "riscv64" },
		{ "SCMP_ARCH_MIPS", "mips" },
		{ "SCMP_ARCH_MIPSEL", "mipsle" },
		{ "SCMP_ARCH_MIPS64", "mips64" },
		{ "SCMP_ARCH_MIPSEL64", "mipsel64" },
		{ "SCMP_ARCH_MIPS64N32", "mips64n32" },
		{ "SCMP_ARCH_MIPSEL64N32", "mips3l64n32" },
		{ "SCMP_ARCH_LOONGARCH64", "loong64" },
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(names[i][0], scmp))
			return names[i][1];
	return NULL;
}

static const char *host_of(const struct variant *v)
{
	return v->host ? v->host : "SCMP_ARCH_X86_64";
}

static const char *const docker_caps[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_FSETID",
	"CAP_FOWNER",
	"CAP_MKNOD",
	"CAP_NET_RAW",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETFCAP",
	"CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT",
	"CAP_KILL",
	"CAP_AUDIT_WRITE",
	NULL,
};

static bool held(const struct variant *v, const char *cap)
{
	if (!v->caps) {
		for (const char *const *c = docker_caps; *c; c++)
			if (!strcmp(*c, cap))
				return true;
		return false;
	}
	const char *s = strstr(v->caps, cap);
	size_t n = strlen(cap);
	return s && (s[n] == ',' || s[n] == '\0');
}

static bool in_list(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return true;
	return false;
}

static bool kernel_ge(const struct variant *v, const char *min)
{
	unsigned a, b, x, y;
	assert_int_equal(sscanf(min, "%u.%u", &a, &b), 2);
	assert_int_equal(sscanf(v->kernel, "%u.%u", &x, &y), 2);
	return x > a || (x == a && y >= b);
}

/* moby setupSeccomp: is this entry kept on the variant's host? */
static bool selected(const struct variant *v, json_object *call)
{
	json_object *f, *l;
	const char *host = moby_name(host_of(v));
	if (json_object_object_get_ex(call, "excludes", &f)) {
		if (json_object_object_get_ex(f, "arches", &l) && in_list(l, host))
			return false;
		if (json_object_object_get_ex(f, "caps", &l))
			for (size_t i = 0; i < json_object_array_length(l); i++)
				if (held(v, json_object_get_string(json_object_array_get_idx(l, i))))
					return false;
		if (json_object_object_get_ex(f, "minKernel", &l) && kernel_ge(v, json_object_get_string(l)))
			return false;
	}
	if (json_object_object_get_ex(call, "includes", &f)) {
		if (json_object_object_get_ex(f, "arches", &l) && json_object_array_length(l) &&
		    !in_list(l, host))
			return false;
		if (json_object_object_get_ex(f, "caps", &l))
			for (size_t i = 0; i < json_object_array_length(l); i++)
				if (!held(v, json_object_get_string(json_object_array_get_idx(l, i))))
					return false;
		if (json_object_object_get_ex(f, "minKernel", &l) && !kernel_ge(v, json_object_get_string(l)))
			return false;
	}
	return true;
}

/* runc getAction */
static uint32_t action(json_object *call, const char *act_key, const char *errno_key)
{
	json_object *a, *e;
	assert_true(json_object_object_get_ex(call, act_key, &a));
	const char *s = json_object_get_string(a);
	int ret = json_object_object_get_ex(call, errno_key, &e) ? json_object_get_int(e) : 1;
	if (!strcmp(s, "SCMP_ACT_ALLOW"))
		return SCMP_ACT_ALLOW;
	if (!strcmp(s, "SCMP_ACT_ERRNO"))
		return SCMP_ACT_ERRNO(ret);
	if (!strcmp(s, "SCMP_ACT_KILL") || !strcmp(s, "SCMP_ACT_KILL_THREAD"))
		return SCMP_ACT_KILL_THREAD;
	if (!strcmp(s, "SCMP_ACT_KILL_PROCESS"))
		return SCMP_ACT_KILL_PROCESS;
	if (!strcmp(s, "SCMP_ACT_TRACE"))
		return SCMP_ACT_TRACE(ret);
	if (!strcmp(s, "SCMP_ACT_TRAP"))
		return SCMP_ACT_TRAP;
	if (!strcmp(s, "SCMP_ACT_LOG"))
		return SCMP_ACT_LOG;
	fail_msg("action %s not used by these tests", s);
	return 0;
}

static enum scmp_compare op_of(const char *s)
{
	static const struct {
		const char *n;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE },
		{ "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE },
		{ "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
		if (!strcmp(s, ops[i].n))
			return ops[i].op;
	fail_msg("op %s", s);
	return SCMP_CMP_EQ;
}

static uint64_t u64(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_uint64(v) : 0;
}

/* The profile compiled as runc compiles it; NULL-free or the test fails. */
static jitk_filter *runc_filter(const char *path, const struct variant *v, uint32_t *def)
{
	json_object *prof = json_object_from_file(path);
	assert_non_null(prof);
	*def = action(prof, "defaultAction", "defaultErrnoRet");
	scmp_filter_ctx ctx = seccomp_init(*def);
	assert_non_null(ctx);
	/* seccomp_init adds the native arch: runc runs on the host, so the
	 * host's arch replaces this machine's */
	uint32_t host = lsc_arch_named(host_of(v));
	assert_int_not_equal(host, 0);
	if (host != seccomp_arch_native()) {
		/* first out: a filter's arches share one byte order (-EDOM) */
		assert_int_equal(seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE), 0);
		assert_int_equal(seccomp_arch_add(ctx, host), 0);
	}
	/* architectures, or the archMap entry of the host */
	json_object *map = NULL, *calls, *archs;
	if (json_object_object_get_ex(prof, "architectures", &archs))
		for (size_t k = 0; k < json_object_array_length(archs); k++) {
			const char *s = json_object_get_string(json_object_array_get_idx(archs, k));
			int rc = seccomp_arch_add(ctx, lsc_arch_named(s));
			assert_true(rc == 0 || rc == -EEXIST); /* the native arch is in already */
		}
	json_object_object_get_ex(prof, "archMap", &map);
	for (size_t i = 0; map && i < json_object_array_length(map); i++) {
		json_object *e = json_object_array_get_idx(map, i), *a, *subs;
		json_object_object_get_ex(e, "architecture", &a);
		if (strcmp(json_object_get_string(a), host_of(v)))
			continue;
		json_object_object_get_ex(e, "subArchitectures", &subs);
		for (size_t k = 0; subs && k < json_object_array_length(subs); k++) {
			const char *s = json_object_get_string(json_object_array_get_idx(subs, k));
			assert_int_equal(seccomp_arch_add(ctx, lsc_arch_named(s)), 0);
		}
		break;
	}
	assert_true(json_object_object_get_ex(prof, "syscalls", &calls));
	for (size_t i = 0; i < json_object_array_length(calls); i++) {
		json_object *call = json_object_array_get_idx(calls, i), *names, *args;
		if (!selected(v, call))
			continue;
		uint32_t act = action(call, "action", "errnoRet");
		if (act == *def)
			continue; /* runc: "This rule is redundant, silently skip it" */
		struct scmp_arg_cmp conds[6];
		unsigned n = 0, count[6] = { 0 };
		bool repeat = false;
		if (json_object_object_get_ex(call, "args", &args) && args)
			for (size_t k = 0; k < json_object_array_length(args); k++) {
				json_object *a = json_object_array_get_idx(args, k), *op;
				json_object_object_get_ex(a, "op", &op);
				unsigned idx = (unsigned)u64(a, "index");
				repeat |= ++count[idx] > 1;
				conds[n++] = (struct scmp_arg_cmp){ idx, op_of(json_object_get_string(op)),
								    u64(a, "value"), u64(a, "valueTwo") };
			}
		assert_true(json_object_object_get_ex(call, "names", &names));
		for (size_t k = 0; k < json_object_array_length(names); k++) {
			const char *name = json_object_get_string(json_object_array_get_idx(names, k));
			/* runc's GetSyscallFromName, in the numbers of the arch this
			 * libseccomp is built for (seccomp_rule_add takes those and
			 * translates them by name to each arch of the filter, the
			 * host's among them; a name of another arch is a pseudo-number,
			 * one libseccomp knows on no arch an error) */
			int nr = seccomp_syscall_resolve_name(name);
			if (nr == __NR_SCMP_ERROR)
				continue; /* runc: unknown to libseccomp, ignored */
			int rc;
			if (n == 0) {
				rc = seccomp_rule_add(ctx, act, nr, 0);
			} else if (repeat) {
				rc = 0;
				for (unsigned c = 0; c < n && rc == 0; c++)
					rc = seccomp_rule_add_array(ctx, act, nr, 1, &conds[c]);
			} else {
				rc = seccomp_rule_add_array(ctx, act, nr, n, conds);
			}
			if (rc)
				fail_msg("libseccomp refuses %s: %d (runc would fail too)", name, rc);
		}
	}
	json_object_put(prof);
	int fd = memfd_create("bpf", 0);
	assert_true(fd >= 0);
	assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
	seccomp_release(ctx);
	off_t len = lseek(fd, 0, SEEK_END);
	void *buf = malloc((size_t)len);
	assert_int_equal(pread(fd, buf, (size_t)len, 0), len);
	close(fd);
	jitk_filter *f = NULL;
	jitk_diag d;
	assert_int_equal(jitk_decode(buf, (size_t)len, &f, &d), JITK_OK);
	free(buf);
	return f;
}

/* ------------------------------------------- the documented deviations */

/* The ABI of a seccomp_data, jitk's way (the x32 guard); every counterexample
 * is on an ABI of the policy, which jitk knows. */
static jitk_arch abi_of(const struct seccomp_data *in)
{
	int a = jitk_input_abi(in);
	assert_true(a >= 0);
	return (jitk_arch)a;
}

/* Which deviation of docs/oci.md explains cex, or NULL. */
static const char *explain(const jitk_policy *p, const jitk_filter *f, const jitk_cex *c, uint32_t def)
{
	jitk_arch a = abi_of(&c->in);
	/* D5: nr -1 on AUDIT_ARCH_X86_64 (what a tracer sets to skip a call):
	 * libseccomp treats it as an x86_64 number (the default action), jitk's
	 * x32 guard as x32 (x32's default, or the foreign action). */
	if (c->in.arch == AUDIT_ARCH_X86_64 && c->in.nr == -1 && c->right == def)
		return "D5 nr -1 is x86_64 for libseccomp, x32 for jitk";
	const char *jname = jitk_syscall_name(a, c->in.nr);
	char *sname = seccomp_syscall_resolve_num_arch(lsc_arch(a), c->in.nr);
	const char *why = NULL;
	/* D1: a syscall the kernel headers name but libseccomp 2.5.4 does not:
	 * runc skips the name, the call gets the default action there. */
	if (jname && !sname && c->right == def)
		why = "D1 syscall unknown to libseccomp 2.5.4";
	/* D3: a syscall libseccomp knows (Debian's 2.5.4 tables reach 456) but
	 * jitk's tables, from the kernel headers (6.1), do not: jitk skips the
	 * name, the call gets the default action there. */
	if (!why && !jname && sname && c->left == def)
		why = "D3 syscall newer than jitk's kernel headers";
	/* (D4, i386 socketcall/ipc multiplexing, is gone: jitk's import adds
	 * libseccomp's multiplexed rules, docs/oci.md rule 9; no difference on
	 * a multiplexer is explained.) */
	/* D2: argument widths of x32 and mips n32.  libseccomp compares their
	 * arguments on 32 bits (arch-x32.c, arch-mips64n32.c: ARCH_SIZE_32);
	 * jitk compares the bits the kernel uses (docs/scpl.md), 64 for their
	 * 64-bit parameters (the kernel passes them whole registers).  The
	 * difference is this one when it goes away with the high halves of the
	 * arguments cleared, where both read the same numbers.
	 * D6: parameter widths elsewhere.  libseccomp compares all 64 bits on a
	 * 64-bit ABI (x86_64, aarch64, ...) and 32 on a 32-bit one; jitk's
	 * import reads a compare at the width of the parameter (an int: 32
	 * bits, umode_t: 16), as the kernel does.  The difference is this one
	 * when it goes away with the bits of each argument above its
	 * parameter's width cleared. */
	if (!why) {
		uint32_t tok = lsc_arch(a);
		bool lsc32 = tok == SCMP_ARCH_X32 || tok == SCMP_ARCH_MIPS64N32 ||
			     tok == SCMP_ARCH_MIPSEL64N32;
		struct seccomp_data in = c->in;
		for (unsigned i = 0; i < 6; i++)
			jitk_data_set_arg(&in, i,
					  jitk_data_arg(&in, i) &
						  (lsc32 ? 0xffffffffu
							 : params_mask(params_width(a, in.nr, i))));
		jitk_result r;
		bool cleared = memcmp(&in, &c->in, sizeof in) != 0;
		if (cleared && jitk_interp(f, &in, &r) == JITK_OK && jitk_policy_eval(p, &in) == r.ret)
			why = lsc32 ? "D2 x32/n32 argument widths (the high halves)"
				    : "D6 parameter widths (bits the kernel ignores)";
	}
	free(sname);
	return why;
}

static void compare_file(const char *path, const struct variant *v);
static void compare_with(const char *path, const struct variant *v, const jitk_policy *want);

static void compare(const struct variant *v)
{
	char path[512];
	snprintf(path, sizeof path, "%s/corpus/original/moby-profiles/default.json", test_shared_dir());
	compare_file(path, v);
}

static void compare_file(const char *path, const struct variant *v)
{
	compare_with(path, v, NULL);
}

static void compare_with(const char *path, const struct variant *v, const jitk_policy *want)
{
	uint32_t def;
	jitk_filter *f = runc_filter(path, v, &def);
	int ha = lsc_jitk_arch(host_of(v));
	assert_true(ha >= 0);
	jitk_profile_opts o = { .caps = v->caps,
				.kernel = v->kernel,
				.host_arch = jitk_arch_name((jitk_arch)ha) };
	jitk_policy *p = NULL;
	jitk_diag d;
	if (want)
		p = (jitk_policy *)want;
	else if (jitk_policy_load_opts(path, &o, &p, &d))
		fail_msg("%s:%u:%u: %s", d.file, d.line, d.col, d.msg);
	static jitk_cex cex[MAXCEX];
	size_t n = 0;
	jitk_err e = jitk_equiv((jitk_side){ .policy = p }, (jitk_side){ .filter = f }, 120000, cex, MAXCEX,
				&n, &d);
	if (e != JITK_OK && e != JITK_E_DIFFERENT)
		fail_msg("host %s: jitk_equiv: %s: %s", host_of(v), jitk_strerror(e), d.msg);
	assert_true(n < MAXCEX); /* every differing syscall was listed */
	unsigned unexplained = 0, d1 = 0, d2 = 0, d3 = 0, d5 = 0, d6 = 0;
	for (size_t i = 0; i < n; i++) {
		const jitk_cex *c = &cex[i];
		const char *why = explain(p, f, c, def);
		jitk_arch a = abi_of(&c->in);
		const char *nm = jitk_syscall_name(a, c->in.nr);
		print_message(
			"host %s caps=%s kernel=%s: %s %s (nr %d) args [%#llx %#llx %#llx]: jitk %#x, libseccomp %#x: %s\n",
			jitk_arch_name((jitk_arch)ha), v->caps ? v->caps : "docker-default", v->kernel,
			jitk_arch_name(a), nm ? nm : "?", c->in.nr, (unsigned long long)c->in.args[0],
			(unsigned long long)c->in.args[1], (unsigned long long)c->in.args[2], c->left,
			c->right, why ? why : "UNEXPLAINED");
		if (!why)
			unexplained++;
		else if (why[1] == '1')
			d1++;
		else if (why[1] == '2')
			d2++;
		else if (why[1] == '3')
			d3++;
		else if (why[1] == '5')
			d5++;
		else
			d6++;
	}
	print_message("%s host %s caps=%s kernel=%s: %zu differences: %u D1, %u D2, %u D3, %u D5, "
		      "%u D6, %u unexplained\n",
		      path, jitk_arch_name((jitk_arch)ha), v->caps ? v->caps : "docker-default", v->kernel,
		      n, d1, d2, d3, d5, d6, unexplained);
	assert_int_equal(unexplained, 0);
	/* A written profile may differ from its policy only where libseccomp
	 * always does: nr -1.  Argument widths never: oci_write.c writes a
	 * compare only where libseccomp reads the bits the policy reads. */
	if (v->want_equal && n != d5)
		fail_msg("%s: a profile written by --format oci means something else under libseccomp "
			 "(%zu differences besides nr -1): oci_write.c must not write it",
			 path, n - d5);
	if (!want)
		jitk_policy_free(p);
	jitk_filter_free(f);
}

static void docker_default_caps(void **state)
{
	(void)state;
	compare(&(struct variant){ NULL, "6.1", false, NULL });
}

static void docker_sys_admin_old_kernel(void **state)
{
	(void)state;
	compare(&(struct variant){ "CAP_CHOWN,CAP_SYS_ADMIN,CAP_SYS_PTRACE,CAP_SYS_BOOT", "4.7", false,
				   NULL });
}

static void docker_no_caps(void **state)
{
	(void)state;
	compare(&(struct variant){ "", "5.10", false, NULL });
}

/* Does the profile's archMap entry of host name an arch jitk has no ABI
 * for (which jitk refuses, JITK_E_UNSUPPORTED, docs/oci.md rule 1)? */
static bool host_needs_unknown_arch(const char *path, const char *host)
{
	json_object *prof = json_object_from_file(path), *map;
	assert_non_null(prof);
	bool unknown = false;
	if (json_object_object_get_ex(prof, "archMap", &map))
		for (size_t i = 0; i < json_object_array_length(map); i++) {
			json_object *e = json_object_array_get_idx(map, i), *a, *subs;
			json_object_object_get_ex(e, "architecture", &a);
			if (strcmp(json_object_get_string(a), host))
				continue;
			if (json_object_object_get_ex(e, "subArchitectures", &subs) && subs)
				for (size_t k = 0; k < json_object_array_length(subs); k++)
					unknown |= lsc_jitk_arch(json_object_get_string(
							   json_object_array_get_idx(subs, k))) < 0;
			break;
		}
	json_object_put(prof);
	return unknown;
}

/* Docker's profile on every host jitk has an ABI for (its archMap entry's
 * sub-architectures, or the host alone): the same comparisons as on x86_64
 * above.  A host whose entry names an arch jitk
 * lacks is refused by jitk, and only such a host is left out. */
static void docker_every_host(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof path, "%s/corpus/original/moby-profiles/default.json", test_shared_dir());
	unsigned compared = 0;
	for (int a = 0; a < JITK_ARCH__COUNT; a++) {
		const char *scmp = oci_scmp_arch((jitk_arch)a);
		assert_non_null(scmp);
		if (a == JITK_ARCH_X86_64)
			continue; /* above, with three capability sets and kernels */
		if (!moby_name(scmp)) {
			print_message("host %s: no Go port runs there, never a runc host\n", scmp);
			continue;
		}
		/* libseccomp converts a big-endian arch's program to that byte
		 * order (gen_bpf.c, _htot32) but not all of it (its ret values stay
		 * in the order of the machine it runs on): exported on a
		 * little-endian machine, it is no program any kernel runs, so such
		 * a host is compared only where libseccomp runs natively. */
		if (!(jitk_arch_audit((jitk_arch)a) & __AUDIT_ARCH_LE) &&
		    (seccomp_arch_native() & __AUDIT_ARCH_LE)) {
			print_message("host %s: left out, big-endian: libseccomp on this little-endian "
				      "machine exports no program for it\n",
				      scmp);
			continue;
		}
		jitk_profile_opts o = { .kernel = "6.1", .host_arch = jitk_arch_name((jitk_arch)a) };
		jitk_policy *p = NULL;
		jitk_diag d;
		jitk_err e = jitk_policy_load_opts(path, &o, &p, &d);
		if (host_needs_unknown_arch(path, scmp)) {
			assert_int_equal(e, JITK_E_UNSUPPORTED);
			print_message("host %s: left out, jitk refuses the profile there: %u:%u: %s\n",
				      scmp, d.line, d.col, d.msg);
			continue;
		}
		if (e)
			fail_msg("host %s: %s:%u:%u: %s", scmp, d.file, d.line, d.col, d.msg);
		jitk_policy_free(p);
		/* the three capability sets and kernels of the x86_64 host */
		compare(&(struct variant){ NULL, "6.1", false, scmp });
		compare(&(struct variant){ "CAP_CHOWN,CAP_SYS_ADMIN,CAP_SYS_PTRACE,CAP_SYS_BOOT", "4.7",
					   false, scmp });
		compare(&(struct variant){ "", "5.10", false, scmp });
		compared++;
	}
	print_message("%u hosts besides x86_64 compared\n", compared);
}

/* A small profile for the multiplexers and the per-syscall resolution:
 * socket calls and SysV IPC calls unconditionally, with conditions on arg0
 * and others (ANDed), with one argument twice (ORed, on arg1 and on arg0),
 * calls i386 has only through the multiplexer (accept, semop) or nowhere
 * (send, recv); write with one argument twice (ORed), close conditional
 * then unconditional (the latter wins). */
static const char small_text[] =
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","
	" \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}], \"syscalls\": ["
	"{\"names\": [\"socket\", \"shmget\", \"read\", \"accept\", \"semop\", \"send\", \"recv\"],"
	" \"action\": \"SCMP_ACT_ALLOW\"},"
	"{\"names\": [\"bind\", \"msgget\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13, \"args\": ["
	"{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 2, \"value\": 16, \"op\": \"SCMP_CMP_LE\"}]},"
	"{\"names\": [\"connect\", \"semget\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	"{\"index\": 1, \"value\": 5, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 7, \"op\": \"SCMP_CMP_EQ\"}]},"
	"{\"names\": [\"listen\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	"{\"index\": 0, \"value\": 5, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, \"value\": 7, \"op\": \"SCMP_CMP_EQ\"}]},"
	"{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1,"
	" \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]},"
	"{\"names\": [\"close\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 3,"
	" \"op\": \"SCMP_CMP_GE\"}]},"
	"{\"names\": [\"close\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 9}]}";

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/jitk-oci-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void small_profile(void **state)
{
	(void)state;
	char *path = write_tmp(small_text);
	const struct variant v = { NULL, "6.1", false, NULL };
	compare_file(path, &v);
	/* What both say on the multiplexers (docs/oci.md rule 9), so the rules
	 * are there, not only equal: i386 socketcall(call, a1, a2) and ipc. */
	uint32_t def;
	jitk_filter *f = runc_filter(path, &v, &def);
	jitk_profile_opts o = { .kernel = "6.1", .host_arch = "x86_64" };
	jitk_policy *p = NULL;
	jitk_diag d;
	assert_int_equal(jitk_policy_load_opts(path, &o, &p, &d), JITK_OK);
	static const struct {
		const char *mux;
		uint64_t a0, a1, a2;
		uint32_t want;
	} probe[] = {
		{ "socketcall", 1, 0, 0, SCMP_ACT_ALLOW },      /* socket */
		{ "socketcall", 5, 0, 0, SCMP_ACT_ALLOW },      /* accept: only multiplexed on i386 */
		{ "socketcall", 9, 0, 0, SCMP_ACT_ALLOW },      /* send: no syscall of its own */
		{ "socketcall", 2, 3, 16, SCMP_ACT_ERRNO(13) }, /* bind: arg0 == 3 replaced, arg2 kept */
		{ "socketcall", 2, 4, 16, SCMP_ACT_ERRNO(13) }, /* bind: fd 3 is not in the args pointer */
		{ "socketcall", 2, 3, 17, SCMP_ACT_ERRNO(1) },  /* bind: arg2 > 16 */
		{ "socketcall", 3, 5, 0, SCMP_ACT_ALLOW },      /* connect: arg1 == 5 || arg1 == 7 */
		{ "socketcall", 3, 6, 0, SCMP_ACT_ERRNO(1) },   /* ... and nothing else */
		{ "socketcall", 4, 9, 9, SCMP_ACT_ALLOW },      /* listen: ORed conditions on arg0 */
		{ "socketcall", 6, 0, 0, SCMP_ACT_ERRNO(1) },   /* getsockname: not in the profile */
		{ "socketcall", 1ull << 32 | 1, 0, 0, SCMP_ACT_ALLOW }, /* i386: 32 bits, both */
		{ "ipc", 23, 0, 0, SCMP_ACT_ALLOW },                    /* shmget */
		{ "ipc", 1, 0, 0, SCMP_ACT_ALLOW },          /* semop: only multiplexed on i386 */
		{ "ipc", 13, 0, 16, SCMP_ACT_ERRNO(13) },    /* msgget */
		{ "ipc", 2, 7, 0, SCMP_ACT_ALLOW },          /* semget */
		{ "ipc", 0x10017, 0, 0, SCMP_ACT_ERRNO(1) }, /* version 1 shmget: not matched */
	};
	for (size_t i = 0; i < sizeof probe / sizeof *probe; i++) {
		struct seccomp_data in = { .nr = jitk_syscall_nr(JITK_ARCH_I386, probe[i].mux),
					   .arch = AUDIT_ARCH_I386,
					   .args = { probe[i].a0, probe[i].a1, probe[i].a2 } };
		jitk_result r;
		assert_int_equal(jitk_interp(f, &in, &r), JITK_OK);
		if (r.ret != probe[i].want || jitk_policy_eval(p, &in) != probe[i].want)
			fail_msg("%s(%#llx, %#llx, %#llx): libseccomp %#x, jitk %#x, want %#x",
				 probe[i].mux, (unsigned long long)probe[i].a0,
				 (unsigned long long)probe[i].a1, (unsigned long long)probe[i].a2, r.ret,
				 jitk_policy_eval(p, &in), probe[i].want);
	}
	jitk_policy_free(p);
	jitk_filter_free(f);
	unlink(path);
	/* An unconditional entry on the multiplexer replaces the rules added
	 * on it, wherever it is (libseccomp db_rule_add): socketcall refused
	 * after socket allowed refuses socket through socketcall. */
	path = write_tmp("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\"],"
			 " \"syscalls\": [{\"names\": [\"socket\", \"semop\"], \"action\": \"SCMP_ACT_LOG\"},"
			 "{\"names\": [\"bind\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 0,"
			 " \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}]},"
			 "{\"names\": [\"socketcall\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	compare_file(path, &v);
	unlink(path);
}

/* The generated table (tools/gen_mux.sh, from the UAPI headers and the
 * kernel's dispatchers) against libseccomp's pseudo-syscall numbers
 * (__PNR_socket = -101 ... __PNR_shmctl = -224: -(100 + SYS_x), -(200 +
 * call)), which its abi_rule_add turns into arg0 == the number, both ways. */
static void mux_table_is_libseccomps(void **state)
{
	(void)state;
	assert_int_equal(tbl_mux_len, 32);
	for (size_t i = 0; i < tbl_mux_len; i++) {
		int want = -(int)((tbl_mux[i].mux == MUX_IPC ? 200 : 100) + tbl_mux[i].call);
		int got = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, tbl_mux[i].name);
		if (got != want)
			fail_msg("%s: libseccomp %d, jitk %d", tbl_mux[i].name, got, want);
		assert_ptr_equal(mux_find(tbl_mux[i].name), &tbl_mux[i]);
	}
	size_t seen = 0;
	for (int k = -100; k >= -299; k--) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, k);
		if (!name)
			continue;
		const struct mux_call *mc = mux_find(name);
		if (!mc || -k != (int)((mc->mux == MUX_IPC ? 200 : 100) + mc->call))
			fail_msg("libseccomp's %d is %s; jitk's table disagrees", k, name);
		seen++;
		free(name);
	}
	assert_int_equal(seen, tbl_mux_len);
	/* The multiplexers: i386 has both, x86_64, x32 and aarch64 neither. */
	assert_int_equal(mux_nr(JITK_ARCH_I386, MUX_SOCKETCALL), 102);
	assert_int_equal(mux_nr(JITK_ARCH_I386, MUX_IPC), 117);
	assert_int_equal(mux_nr(JITK_ARCH_X86_64, MUX_SOCKETCALL), -1);
	assert_int_equal(mux_nr(JITK_ARCH_AARCH64, MUX_IPC), -1);
	assert_null(mux_find("read"));
}

/* --format oci: policies written as profiles are, compiled by libseccomp as
 * runc does, exactly the policy but for nr -1 (D5): where libseccomp reads
 * other bits of an argument than the policy (an int parameter: 64 against
 * 32), only == is written, as a MASKED_EQ of the bits both read; anything
 * else is refused, naming the rule. */
static void written_profiles(void **state)
{
	(void)state;
	static const char *const pols[] = {
		"policies/vsftpd-postlogin.scpl",
		/* socketcall refused, socket allowed: libseccomp's multiplexed
		 * rule is replaced by the unconditional one (rule 9) */
		"{ arch = [x86_64; i386]; default_action = Allow; foreign_action = KillThread;\n"
		"  rules = [ { action = Errno EPERM; syscalls = [socketcall; ipc] };\n"
		"    { action = Log; syscalls = [socket; shmget] };\n"
		"    { action = Errno EACCES; syscall = bind; when = arg0 == 3 } ] }",
		NULL,
	};
	static const char crafted[] =
		"{ arch = [x86_64; i386]; default_action = Errno EPERM; foreign_action = KillThread;\n"
		"  rules = [ { action = Allow; syscalls = [read; write; socketcall] };\n"
		"    { action = Allow; syscall = socket; when = arg0 == 1 || arg0 == AF_VSOCK };\n"
		"    { action = Trace 5; syscall = munmap; when = !(arg1 < 3) && (arg0 & 6) == 4 };\n"
		"    { action = Allow; syscall = mmap; when = low32(arg2) == 3 };\n"
		"    { action = Allow; syscall = chmod; when = arg1 == 0755 };\n"
		"    { action = Errno EPERM; syscall = getpid; when = arg0 == 1 };\n"
		"    { action = Allow; syscall = getppid; when = arg0 != 1 };\n"
		"    { action = Allow; syscalls = [getppid; gettid] } ] }";
	/* the shipped policies, then (pols[i] NULL) the crafted one */
	for (int i = 0;; i++) {
		jitk_policy *p = NULL;
		jitk_diag d;
		jitk_err e = !pols[i] ? jitk_policy_parse(crafted, sizeof crafted - 1, "crafted.scpl", &p, &d)
			     : pols[i][0] == '{'
				     ? jitk_policy_parse(pols[i], strlen(pols[i]), "mux.scpl", &p, &d)
				     : jitk_policy_load(pols[i], &p, &d);
		if (e)
			fail_msg("%s: %s", pols[i] ? pols[i] : "crafted", d.msg);
		char *json = NULL;
		if (jitk_policy_to_profile(p, 0, &json, &d))
			fail_msg("%s: %s", pols[i] ? pols[i] : "crafted", d.msg);
		char path[] = "/tmp/jitk-oci-out-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
		close(fd);
		compare_with(path, &(struct variant){ "", "6.1", true, NULL }, p);
		unlink(path);
		jitk_free(json);
		jitk_policy_free(p);
		if (!pols[i])
			break;
	}
	/* What libseccomp would read in 64 bits where the policy reads 32
	 * (qemu-sandbox-strict's sched_setscheduler policy != 5: libseccomp
	 * would let 0x100000005 through as "not 5", the kernel runs policy 5),
	 * and reg64() on a 32-bit parameter, which jitk's reading of the
	 * profile cannot prove: refused, naming the rule. */
	static const struct {
		const char *text, *msg;
		unsigned line;
	} bad[] = {
		{ "policies/qemu-sandbox-strict.scpl",
		  "arg1 of sched_setscheduler on x86_64 is read in 32 bits by the policy, 64 by libseccomp",
		  46 },
		{ "{ default_action = Allow; foreign_action = KillThread; rules = [\n"
		  "  { action = Errno EPERM; syscall = socket; when = arg0 != AF_VSOCK } ] }",
		  "arg0 of socket on x86_64 is read in 32 bits by the policy, 64 by libseccomp", 2 },
		{ "{ default_action = Allow; foreign_action = KillThread; rules = [\n"
		  "  { action = Errno EPERM; syscall = socket; when = reg64(arg0) == AF_VSOCK } ] }",
		  "read in 64 bits by the policy, 64 by libseccomp and 32 by jitk's reading", 2 },
		{ "{ arch = i386; default_action = Allow; foreign_action = KillThread; rules = [\n"
		  "  { action = Errno EPERM; syscall = close; when = reg64(arg0) == 3 } ] }",
		  "arg0 of close on i386 is read in 64 bits by the policy, 32 by libseccomp", 2 },
		{ "{ arch = [x86_64; i386]; default_action = Allow; foreign_action = KillThread; rules = [\n"
		  "  { action = Errno EPERM; syscall = accept } ] }",
		  "on i386 libseccomp would also decide socketcall(5) as accept; give socketcall an "
		  "unconditional action",
		  2 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		jitk_policy *p = NULL;
		jitk_diag d;
		const char *t = bad[i].text;
		jitk_err e = t[0] == '{' ? jitk_policy_parse(t, strlen(t), "bad.scpl", &p, &d)
					 : jitk_policy_load(t, &p, &d);
		if (e)
			fail_msg("%s: %s", t, d.msg);
		char *json = (char *)"unchanged";
		assert_int_equal(jitk_policy_to_profile(p, 0, &json, &d), JITK_E_UNSUPPORTED);
		assert_null(json);
		if (!strstr(d.msg, bad[i].msg))
			fail_msg("%s: %s", t, d.msg);
		assert_int_equal(d.line, bad[i].line);
		jitk_policy_free(p);
	}
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docker_default_caps),
		cmocka_unit_test(docker_sys_admin_old_kernel),
		cmocka_unit_test(docker_no_caps),
		cmocka_unit_test(docker_every_host),
		cmocka_unit_test(small_profile),
		cmocka_unit_test(mux_table_is_libseccomps),
		cmocka_unit_test(written_profiles),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
