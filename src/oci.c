/*
 * oci.c - OCI / Docker seccomp profiles (JSON) -> SCPL text.
 *
 * A profile is translated into SCPL that jitk_policy_parse then reads, so
 * `jitk compile profile.json` and `jitk import profile.json` + `jitk compile
 * out.scpl` give the same filter by construction.  The translation follows
 * what the runtimes do (docs/oci.md states each rule and whom it follows):
 *
 *  1. moby's profile expansion (moby/profiles seccomp_linux.go): archMap
 *     entry of the host arch, includes/excludes on the host's arch name,
 *     the container's capabilities and the kernel version;
 *  2. runc's libseccomp calls (libcontainer/seccomp/seccomp_linux.go): an
 *     entry whose action equals the default is skipped; the conditions of
 *     an entry are ANDed unless two name the same argument, then ORed;
 *  3. libseccomp's rule database (src/db.c db_rule_add): per syscall the
 *     first unconditional entry wins over everything else, conditional
 *     entries are ORed; a name unknown on an ABI is skipped there.
 *
 * JSON is parsed with json-c (strict mode), never by hand.  json-c keeps no
 * positions in its tree, so for located messages the walker below asks
 * json-c to parse each value where it starts in the text: json-c says where
 * the value ends (json_tokener_get_parse_end), the walker only steps over
 * the blanks, ':' and ',' between values of a document json-c has already
 * accepted as a whole.
 */
#include "internal.h"
#include "mux.h"
#include "params.h"
#include "policy.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#define OCI_MAX_BYTES (16u << 20) /* a profile larger than 16 MiB is refused */
#define OCI_MAX_DEPTH 32          /* JSON nesting; real profiles use 5 */
#define OCI_MAX_NAME 64           /* longest syscall name accepted */
#define OCI_MAX_ENTRIES 10000     /* syscalls[] entries (Docker's: 33) */
#define OCI_MAX_NAMES 10000       /* names of one entry (Docker's: 370) */

/* ------------------------------------------------------------ json walker */

struct oci {
	const char *text;
	size_t len;
	const char *file;
	jitk_diag *d;
	json_tokener *tok;
	jitk_profile_opts o;
	/* selection */
	jitk_arch host;
	const char *host_moby; /* moby's native name of the host arch */
	const char *host_scmp; /* its SCMP_ARCH_ name */
	unsigned kmaj, kmin;
	char **caps;
	size_t ncaps;
	bool arch[JITK_ARCH__COUNT];
	bool has_archmap_host;
	/* an unconditional entry decides socketcall / ipc (docs/oci.md, rule 9) */
	bool mux_uncond[MUX__COUNT];
};

/* A JSON value at text[off, end), parsed by json-c. */
struct jv {
	size_t off, end;
	json_object *o; /* owned; NULL for JSON null */
};

static void jv_put(struct jv *v)
{
	json_object_put(v->o);
	v->o = NULL;
}

static jitk_err err_at(struct oci *C, jitk_err e, size_t off, size_t span, const char *fmt, ...)
	JITK_PRINTF(5, 6);
static jitk_err err_at(struct oci *C, jitk_err e, size_t off, size_t span, const char *fmt, ...)
{
	char msg[sizeof C->d->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* The caret covers at most the rest of the line. */
	size_t n = 0;
	while (off + n < C->len && n < span && C->text[off + n] != '\n')
		n++;
	return diag_text(C->d, e, C->file, C->text, C->len, off, n ? n : 1, "%s", msg);
}

static jitk_err err_v(struct oci *C, jitk_err e, const struct jv *v, const char *fmt, ...) JITK_PRINTF(4, 5);
static jitk_err err_v(struct oci *C, jitk_err e, const struct jv *v, const char *fmt, ...)
{
	char msg[sizeof C->d->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_at(C, e, v->off, v->end - v->off, "%s", msg);
}
#ifdef __clang_analyzer__ /* never JITK_OK (diag.h) */
#define err_at(...) diag_analyzer_err(err_at(__VA_ARGS__))
#define err_v(...) diag_analyzer_err(err_v(__VA_ARGS__))
#endif

static size_t skip_ws(const struct oci *C, size_t off)
{
	while (off < C->len &&
	       (C->text[off] == ' ' || C->text[off] == '\t' || C->text[off] == '\n' || C->text[off] == '\r'))
		off++;
	return off;
}

/* Parse the one value that starts at off. */
static jitk_err jv_at(struct oci *C, size_t off, struct jv *v)
{
	json_tokener_reset(C->tok);
	v->off = off;
	v->o = json_tokener_parse_ex(C->tok, C->text + off, (int)(C->len - off));
	enum json_tokener_error je = json_tokener_get_error(C->tok);
	v->end = off + json_tokener_get_parse_end(C->tok);
	if (je != json_tokener_success) {
		/* Cannot happen after the whole document parsed; be safe. */
		jv_put(v);
		return err_at(C, JITK_E_PARSE, v->end, 1, "JSON: %s", json_tokener_error_desc(je));
	}
	return JITK_OK;
}

static const char *type_desc(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fractional number";
	case json_type_int: return "a number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "a value";
}

static jitk_err want(struct oci *C, const struct jv *v, json_type t, const char *what)
{
	static const char *const names[] = {
		[json_type_string] = "a string",   [json_type_array] = "an array",
		[json_type_object] = "an object",  [json_type_int] = "a number",
		[json_type_boolean] = "a boolean",
	};
	if (v->o && json_object_get_type(v->o) == t)
		return JITK_OK;
	return err_v(C, JITK_E_PARSE, v, "%s must be %s, not %s", what, names[t], type_desc(v->o));
}

/* An unsigned integer no larger than max, written as a JSON integer. */
static jitk_err want_uint(struct oci *C, const struct jv *v, uint64_t max, const char *what, uint64_t *out)
{
	jitk_err e = want(C, v, json_type_int, what);
	if (e)
		return e;
	const char *s = C->text + v->off;
	if (*s == '-')
		return err_v(C, JITK_E_RANGE, v, "%s must not be negative", what);
	uint64_t x = json_object_get_uint64(v->o);
	/* json-c saturates at UINT64_MAX: only the exact spelling is that value. */
	if (x == UINT64_MAX && !(v->end - v->off == 20 && !strncmp(s, "18446744073709551615", 20)))
		return err_v(C, JITK_E_RANGE, v, "%s does not fit in 64 bits", what);
	if (x > max)
		return err_v(C, JITK_E_RANGE, v, "%s %llu is out of range (0..%llu)", what,
			     (unsigned long long)x, (unsigned long long)max);
	*out = x;
	return JITK_OK;
}

/* Iterating an object's members or an array's elements in text order. */
struct jiter {
	size_t pos;
	bool first, done;
};

static void jiter_begin(struct jiter *it, const struct jv *container)
{
	it->pos = container->off + 1;
	it->first = true;
	it->done = false;
}

/* Next element: *v is parsed (the caller puts it); false at the end. */
static bool jiter_elem(struct oci *C, struct jiter *it, struct jv *v, jitk_err *e)
{
	it->pos = skip_ws(C, it->pos);
	if (it->pos >= C->len || C->text[it->pos] == ']')
		return false;
	if (!it->first)
		it->pos = skip_ws(C, it->pos + 1); /* the ',' */
	it->first = false;
	if ((*e = jv_at(C, it->pos, v)))
		return false;
	it->pos = v->end;
	return true;
}

/* Next member: key (NUL-terminated, at most cap - 1 bytes; longer keys are
 * unknown anyway), its offset, and the parsed value. */
static bool jiter_member(struct oci *C, struct jiter *it, char *key, size_t cap, struct jv *k, struct jv *v,
			 jitk_err *e)
{
	it->pos = skip_ws(C, it->pos);
	if (it->pos >= C->len || C->text[it->pos] == '}')
		return false;
	if (!it->first)
		it->pos = skip_ws(C, it->pos + 1);
	it->first = false;
	if ((*e = jv_at(C, it->pos, k)))
		return false;
	str_copy(key, cap, json_object_get_string(k->o));
	if (strlen(json_object_get_string(k->o)) >= cap)
		key[0] = '\0';
	jv_put(k);
	it->pos = skip_ws(C, skip_ws(C, k->end) + 1); /* the ':' */
	if ((*e = jv_at(C, it->pos, v)))
		return false;
	it->pos = v->end;
	return true;
}

/* Duplicate keys: json-c keeps the last silently; a profile with two
 * values for one field is ambiguous, so it is refused. */
#define MAX_FIELDS 16
struct seen {
	const char *names[MAX_FIELDS];
	size_t n;
};

static jitk_err field(struct oci *C, struct seen *s, const char *const *known, const char *key,
		      const struct jv *k, const char *where, int *idx)
{
	for (int i = 0; known[i]; i++)
		if (!strcmp(known[i], key)) {
			for (size_t j = 0; j < s->n; j++)
				if (!strcmp(s->names[j], key))
					return err_v(C, JITK_E_NAME, k, "duplicate field \"%s\"", key);
			s->names[s->n++] = known[i];
			*idx = i;
			return JITK_OK;
		}
	jitk_err e = err_v(C, JITK_E_NAME, k, "unknown field \"%s\" in %s", key, where);
	const char *best = NULL;
	size_t bd = 4;
	for (int i = 0; known[i]; i++) {
		size_t dd = edit_distance(key, known[i]);
		if (dd < bd) {
			bd = dd;
			best = known[i];
		}
	}
	if (best)
		diag_hint(C->d, "did you mean \"%s\"?", best);
	else {
		char list[200] = "";
		for (int i = 0; known[i]; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
				 known[i]);
		diag_hint(C->d, "known fields: %s", list);
	}
	return e;
}

/* The key's jv for messages: only off/end are used. */
#define KEYBUF 64

/* ------------------------------------------------------------ vocabulary */

/* Actions (runtime-spec config-linux.md, runc getAction): the SCPL text and
 * the return value, data filled in later. */
static const struct {
	const char *name, *scpl;
	uint32_t ret;
	bool data; /* takes errnoRet */
} actions[] = {
	{ "SCMP_ACT_KILL", "KillThread", JITK_RET_KILL_THREAD, false }, /* libseccomp: KILL == KILL_THREAD */
	{ "SCMP_ACT_KILL_THREAD", "KillThread", JITK_RET_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_PROCESS", "KillProcess", JITK_RET_KILL_PROCESS, false },
	{ "SCMP_ACT_TRAP", "Trap", JITK_RET_TRAP, false },
	{ "SCMP_ACT_ERRNO", "Errno", JITK_RET_ERRNO, true },
	{ "SCMP_ACT_TRACE", "Trace", JITK_RET_TRACE, true },
	{ "SCMP_ACT_ALLOW", "Allow", JITK_RET_ALLOW, false },
	{ "SCMP_ACT_LOG", "Log", JITK_RET_LOG, false },
	{ "SCMP_ACT_NOTIFY", "Notify", JITK_RET_USER_NOTIF, false },
};
#define NACTIONS (sizeof actions / sizeof *actions)

/* SCMP_ARCH_* names of libseccomp 2.5 / runtime-spec, with jitk's ABI where
 * jitk has it, and moby's native spelling (nativeToSeccomp). */
static const struct {
	const char *scmp, *moby;
	int arch; /* jitk_arch or -1: not supported by jitk yet */
} scmp_arches[] = {
	{ "SCMP_ARCH_X86_64", "amd64", JITK_ARCH_X86_64 },
	{ "SCMP_ARCH_X86", "x86", JITK_ARCH_I386 },
	{ "SCMP_ARCH_X32", NULL, JITK_ARCH_X32 },
	{ "SCMP_ARCH_AARCH64", "arm64", JITK_ARCH_AARCH64 },
	{ "SCMP_ARCH_ARM", "arm", JITK_ARCH_ARM },
	{ "SCMP_ARCH_MIPS", "mips", JITK_ARCH_MIPS },
	{ "SCMP_ARCH_MIPSEL", "mipsle", JITK_ARCH_MIPSEL },
	{ "SCMP_ARCH_MIPS64", "mips64", JITK_ARCH_MIPS64 },
	{ "SCMP_ARCH_MIPSEL64", "mipsel64", JITK_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPS64N32", "mips64n32", JITK_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL64N32", "mips3l64n32", JITK_ARCH_MIPSEL64N32 },
	{ "SCMP_ARCH_PPC", "ppc", JITK_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", "ppc64", JITK_ARCH_PPC64 },
	{ "SCMP_ARCH_PPC64LE", "ppc64le", JITK_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", "s390", JITK_ARCH_S390 },
	{ "SCMP_ARCH_S390X", "s390x", JITK_ARCH_S390X },
	{ "SCMP_ARCH_PARISC", NULL, -1 },
	{ "SCMP_ARCH_PARISC64", NULL, -1 },
	{ "SCMP_ARCH_RISCV64", "riscv64", JITK_ARCH_RISCV64 },
	{ "SCMP_ARCH_LOONGARCH64", "loong64", -1 },
};
#define NSCMP (sizeof scmp_arches / sizeof *scmp_arches)

const char *oci_scmp_arch(jitk_arch a)
{
	for (size_t i = 0; i < NSCMP; i++)
		if (scmp_arches[i].arch >= 0 && scmp_arches[i].arch == (int)a)
			return scmp_arches[i].scmp;
	return NULL;
}

/* Names moby compares includes/excludes "arches" with: its native names
 * (goToNative) plus the names Docker's own profile uses that no host ever
 * has ("x32"); anything else is a typo and refused. */
static const char *const moby_arch_names[] = {
	"x86",    "amd64",   "x32",     "arm",       "arm64",    "loongarch64", "loong64",     "mips",
	"mipsel", "mipsle",  "mips64",  "mips64n32", "mipsel64", "mips3l64n32", "mipsel64n32", "ppc",
	"ppc64",  "ppc64le", "riscv64", "s390",      "s390x",    NULL,
};

/* The runtime-spec's flags (config-linux.md, "flags") and the seccomp(2)
 * bits they stand for (jitk.h's JITK_LOAD_* are the kernel's values). */
static const struct {
	const char *name;
	unsigned bit;
} seccomp_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", JITK_LOAD_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", JITK_LOAD_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", JITK_LOAD_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", JITK_LOAD_WAIT_KILLABLE_RECV },
	{ NULL, 0 },
};

const char *oci_flag_name(unsigned bit)
{
	for (size_t i = 0; seccomp_flags[i].name; i++)
		if (seccomp_flags[i].bit == bit)
			return seccomp_flags[i].name;
	return NULL;
}

/* sizeof(struct sockaddr_un.sun_path): a listenerPath that long cannot be
 * connected to. */
#define OCI_MAX_SUN_PATH 108

/* Docker's default capability set (moby oci/caps/defaults.go,
 * DefaultCapabilities): what `docker run` grants without --cap-add. */
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

/* A capability name from <linux/capability.h> (generated table). */
static bool cap_known(const char *name)
{
	uint64_t v, last;
	return strcmp(name, "CAP_LAST_CAP") && jitk_const_value(name, &v) &&
	       jitk_const_value("CAP_LAST_CAP", &last) && v <= last;
}

/* --------------------------------------------------------------- options */

static jitk_err opt_err(struct oci *C, const char *fmt, const char *arg)
{
	jitk_err e = diag_err(C->d, JITK_E_INVAL, fmt, arg);
	return e;
}

static jitk_err setup(struct oci *C)
{
	/* Host arch: this machine unless told. */
	const char *ha = C->o.host_arch;
	int a;
	if (ha) {
		a = jitk_arch_from_name(ha);
		if (a < 0)
			return opt_err(C, "unknown host architecture '%s' (x86_64, i386, aarch64, arm, ...)",
				       ha);
	} else {
#if defined(__x86_64__) && defined(__ILP32__)
		a = JITK_ARCH_X32;
#elif defined(__x86_64__)
		a = JITK_ARCH_X86_64;
#elif defined(__i386__)
		a = JITK_ARCH_I386;
#elif defined(__aarch64__)
		a = JITK_ARCH_AARCH64;
#elif defined(__arm__)
		a = JITK_ARCH_ARM;
#elif defined(__riscv) && __riscv_xlen == 64
		a = JITK_ARCH_RISCV64;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		a = JITK_ARCH_PPC64LE;
#elif defined(__powerpc64__)
		a = JITK_ARCH_PPC64;
#elif defined(__powerpc__)
		a = JITK_ARCH_PPC;
#elif defined(__s390x__)
		a = JITK_ARCH_S390X;
#elif defined(__s390__)
		a = JITK_ARCH_S390;
#elif defined(__mips__) && _MIPS_SIM == _ABIO32
		a = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? JITK_ARCH_MIPSEL : JITK_ARCH_MIPS;
#elif defined(__mips__) && _MIPS_SIM == _ABI64
		a = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? JITK_ARCH_MIPSEL64 : JITK_ARCH_MIPS64;
#elif defined(__mips__) && _MIPS_SIM == _ABIN32
		a = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? JITK_ARCH_MIPSEL64N32 : JITK_ARCH_MIPS64N32;
#else
		return opt_err(C, "%s", "this machine's architecture is not known to jitk; give --host-arch");
#endif
	}
	C->host = (jitk_arch)a;
	C->host_moby = NULL;
	C->host_scmp = NULL;
	for (size_t i = 0; i < NSCMP; i++)
		if (scmp_arches[i].arch == a) {
			C->host_moby = scmp_arches[i].moby;
			C->host_scmp = scmp_arches[i].scmp;
		}
	/* Kernel: X.Y as moby's parseRelease reads uname's release. */
	const char *kv = C->o.kernel;
	struct utsname u;
	if (!kv) {
		if (uname(&u) != 0)
			return opt_err(C, "%s", "uname failed; give --kernel X.Y");
		kv = u.release;
	}
	unsigned maj, min;
	char tail;
	int n = sscanf(kv, "%u.%u%c", &maj, &min, &tail);
	if (n < 2 || (C->o.kernel && n == 3) || maj > 255 || min > 255)
		return opt_err(C, "bad kernel version '%s' (want X.Y, e.g. 6.1)", kv);
	C->kmaj = maj;
	C->kmin = min;
	/* Capabilities: comma-separated, CAP_ optional, case-insensitive. */
	const char *cl = C->o.caps;
	size_t cap = 0;
	if (!cl) {
		for (const char *const *c = docker_caps; *c; c++)
			cap++;
	} else {
		cap = 1;
		for (const char *s = cl; *s; s++)
			cap += *s == ',';
	}
	C->caps = calloc(cap + 1, sizeof *C->caps);
	if (!C->caps)
		return diag_err(C->d, JITK_E_NOMEM, "out of memory");
	if (!cl) {
		for (const char *const *c = docker_caps; *c; c++)
			if (!(C->caps[C->ncaps++] = strdup(*c)))
				return diag_err(C->d, JITK_E_NOMEM, "out of memory");
		return JITK_OK;
	}
	const char *s = cl;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		char buf[64];
		if (l == 0 || l + 5 > sizeof buf) {
			if (l == 0 && !e && s == cl)
				break; /* "" : no capabilities */
			return opt_err(C, "bad capability list '%s'", cl);
		}
		size_t o = 0;
		if (!(l > 4 && !strncasecmp(s, "CAP_", 4))) {
			memcpy(buf, "CAP_", 4);
			o = 4;
		}
		for (size_t i = 0; i < l; i++)
			buf[o + i] = (char)toupper((unsigned char)s[i]);
		buf[o + l] = '\0';
		if (!cap_known(buf))
			return opt_err(C, "unknown capability '%s'", buf);
		if (!(C->caps[C->ncaps++] = strdup(buf)))
			return diag_err(C->d, JITK_E_NOMEM, "out of memory");
		if (!e)
			break;
		s = e + 1;
	}
	return JITK_OK;
}

static bool has_cap(const struct oci *C, const char *cap)
{
	for (size_t i = 0; i < C->ncaps; i++)
		if (!strcmp(C->caps[i], cap))
			return true;
	return false;
}

/* ------------------------------------------------------------ the model */

struct arg {
	unsigned index;
	int op; /* index into ops[] */
	uint64_t value, value2;
	struct jv at; /* where the compared value (valueTwo of MASKED_EQ) is; o NULL */
};

static const struct {
	const char *name, *scpl;
} ops[] = {
	{ "SCMP_CMP_NE", "!=" },        { "SCMP_CMP_LT", "<" },  { "SCMP_CMP_LE", "<=" },
	{ "SCMP_CMP_EQ", "==" },        { "SCMP_CMP_GE", ">=" }, { "SCMP_CMP_GT", ">" },
	{ "SCMP_CMP_MASKED_EQ", NULL },
};
#define NOPS (sizeof ops / sizeof *ops)

struct name {
	const char *s; /* owned */
	size_t off, len;
	bool keep;   /* survives libseccomp's per-syscall resolution */
	bool direct; /* a syscall of its own on a selected ABI */
};

struct entry {
	size_t index, off;
	bool selected;
	char why[160]; /* why not selected, or the filters that held */
	char *comment; /* owned */
	struct name *names;
	size_t nnames;
	const char *act_scpl;
	uint32_t ret;
	struct arg args[64];
	size_t nargs;
};

struct profile {
	uint32_t def_ret;
	const char *def_scpl;
	bool has_archmap, has_archs;
	char flags[200];       /* the flags as written, for the import's comment */
	unsigned load_flags;   /* the same as JITK_LOAD_* bits */
	char *listener, *meta; /* listenerPath, listenerMetadata (owned) */
	size_t listener_off, meta_off, flags_off;
	struct entry *entries;
	size_t nentries;
};

static void profile_free(struct profile *P)
{
	for (size_t i = 0; i < P->nentries; i++) {
		struct entry *e = &P->entries[i];
		for (size_t k = 0; k < e->nnames; k++)
			free((char *)e->names[k].s);
		free(e->names);
		free(e->comment);
	}
	free(P->entries);
	free(P->listener);
	free(P->meta);
}

/* action string + optional errnoRet -> SCPL text and return value. */
static jitk_err action_of(struct oci *C, const struct jv *act, const struct jv *eret, const char *what,
			  uint32_t *ret, const char **scpl)
{
	jitk_err e = want(C, act, json_type_string, what);
	if (e)
		return e;
	const char *s = json_object_get_string(act->o);
	size_t i;
	for (i = 0; i < NACTIONS; i++)
		if (!strcmp(s, actions[i].name))
			break;
	if (i == NACTIONS) {
		e = err_v(C, JITK_E_NAME, act, "unknown action \"%s\"", s);
		const char *best = NULL;
		size_t bd = 5;
		for (size_t k = 0; k < NACTIONS; k++) {
			size_t dd = edit_distance(s, actions[k].name);
			if (dd < bd) {
				bd = dd;
				best = actions[k].name;
			}
		}
		diag_hint(C->d, best ? "did you mean %s?" : "%s",
			  best ? best : "SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, ...");
		return e;
	}
	*ret = actions[i].ret;
	*scpl = actions[i].scpl;
	uint64_t data = 1; /* runc: EPERM when errnoRet is absent (ERRNO and TRACE) */
	if (eret && eret->o) {
		if (!actions[i].data) {
			e = err_v(C, JITK_E_NAME, eret, "errnoRet is meaningless with %s", s);
			diag_hint(C->d, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take errnoRet");
			return e;
		}
		/* The kernel clamps ERRNO data above MAX_ERRNO (4095), runc truncates
		 * to int16: a larger value never means what it says. */
		if ((e = want_uint(C, eret, actions[i].ret == JITK_RET_ERRNO ? 4095 : 0xffff, "errnoRet",
				   &data)))
			return e;
	}
	if (actions[i].data)
		*ret |= (uint32_t)data;
	return JITK_OK;
}

static const char *const top_fields[] = {
	"defaultAction", "defaultErrnoRet",  "architectures", "archMap", "flags",
	"listenerPath",  "listenerMetadata", "syscalls",      NULL,
};
enum { F_DEFACT, F_DEFERR, F_ARCHS, F_ARCHMAP, F_FLAGS, F_LPATH, F_LMETA, F_SYSCALLS };

static const char *const sys_fields[] = {
	"names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes", NULL,
};
enum { S_NAMES, S_NAME, S_ACTION, S_ERRNO, S_ARGS, S_COMMENT, S_INCL, S_EXCL };

static const char *const arg_fields[] = { "index", "value", "valueTwo", "op", NULL };
static const char *const filt_fields[] = { "caps", "arches", "minKernel", NULL };
static const char *const map_fields[] = { "architecture", "subArchitectures", NULL };

/* An SCMP_ARCH_ name: its index in scmp_arches. */
static jitk_err scmp_arch(struct oci *C, const struct jv *v, size_t *idx)
{
	jitk_err e = want(C, v, json_type_string, "an architecture");
	if (e)
		return e;
	const char *s = json_object_get_string(v->o);
	for (size_t i = 0; i < NSCMP; i++)
		if (!strcmp(s, scmp_arches[i].scmp)) {
			*idx = i;
			return JITK_OK;
		}
	e = err_v(C, JITK_E_NAME, v, "unknown architecture \"%s\"", s);
	diag_hint(C->d, "architectures are written SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, ...");
	return e;
}

/* Add an architecture the filter accepts. */
static jitk_err use_arch(struct oci *C, const struct jv *v, size_t idx)
{
	if (scmp_arches[idx].arch < 0) {
		jitk_err e = err_v(C, JITK_E_UNSUPPORTED, v, "architecture %s is not supported by jitk yet",
				   scmp_arches[idx].scmp);
		diag_hint(C->d, "jitk knows x86_64, i386 (x86), x32 and aarch64; for another host see "
				"--host-arch");
		return e;
	}
	C->arch[scmp_arches[idx].arch] = true;
	return JITK_OK;
}

static jitk_err parse_archmap(struct oci *C, const struct jv *map)
{
	jitk_err e = want(C, map, json_type_array, "archMap");
	if (e)
		return e;
	struct jiter it;
	struct jv el, k, v;
	jiter_begin(&it, map);
	while (jiter_elem(C, &it, &el, &e)) {
		if ((e = want(C, &el, json_type_object, "an archMap entry"))) {
			jv_put(&el);
			return e;
		}
		struct jiter mi;
		struct seen seen = { 0 };
		char key[KEYBUF];
		jiter_begin(&mi, &el);
		bool is_host = false, have_arch = false;
		struct jv subs = { 0 };
		bool have_subs = false;
		while (!e && jiter_member(C, &mi, key, sizeof key, &k, &v, &e)) {
			int f;
			if (!(e = field(C, &seen, map_fields, key, &k, "an archMap entry", &f))) {
				size_t idx;
				if (f == 0) {
					if (!(e = scmp_arch(C, &v, &idx))) {
						have_arch = true;
						is_host = C->host_scmp &&
							  !strcmp(scmp_arches[idx].scmp, C->host_scmp);
					}
				} else if (v.o) {
					if (!(e = want(C, &v, json_type_array, "subArchitectures"))) {
						/* validate every name now, use it below */
						struct jiter si;
						struct jv sv;
						jiter_begin(&si, &v);
						while (!e && jiter_elem(C, &si, &sv, &e)) {
							e = scmp_arch(C, &sv, &idx);
							jv_put(&sv);
						}
						subs = v;
						subs.o = NULL;
						have_subs = true;
					}
				}
			}
			jv_put(&v);
		}
		if (!e && !have_arch)
			e = err_v(C, JITK_E_PARSE, &el, "archMap entry without \"architecture\"");
		/* moby takes the first entry of the host's arch (break). */
		if (!e && is_host && !C->has_archmap_host) {
			C->has_archmap_host = true;
			size_t idx;
			C->arch[C->host] = true;
			if (have_subs) {
				struct jv sv;
				subs.o = NULL;
				struct jiter si;
				jiter_begin(&si, &subs);
				while (!e && jiter_elem(C, &si, &sv, &e)) {
					if (!(e = scmp_arch(C, &sv, &idx)))
						e = use_arch(C, &sv, idx);
					jv_put(&sv);
				}
			}
		}
		jv_put(&el);
		if (e)
			return e;
	}
	return e;
}

/* includes / excludes (moby's Filter).  *hold: the filter's conditions
 * (for includes: all hold; for excludes: any holds), as moby evaluates them
 * on the host arch, the container's capabilities and the kernel. */
static jitk_err parse_filter(struct oci *C, const struct jv *fv, bool excl, bool *hold, char *why, size_t wcap)
{
	const char *what = excl ? "excludes" : "includes";
	jitk_err e = want(C, fv, json_type_object, what);
	if (e)
		return e;
	bool any = false, all = true;
	struct jiter it;
	struct seen seen = { 0 };
	char key[KEYBUF];
	struct jv k, v;
	jiter_begin(&it, fv);
	while (!e && jiter_member(C, &it, key, sizeof key, &k, &v, &e)) {
		int f;
		if ((e = field(C, &seen, filt_fields, key, &k, what, &f)) || !v.o) {
			jv_put(&v);
			continue;
		}
		if (f == 2) { /* minKernel "X.Y" (moby KernelVersion.UnmarshalJSON) */
			if (!(e = want(C, &v, json_type_string, "minKernel"))) {
				const char *s = json_object_get_string(v.o);
				unsigned a, b;
				int n = -1;
				if (*s && (sscanf(s, "%u.%u%n", &a, &b, &n) != 2 || n != (int)strlen(s) ||
					   a > 255 || b > 255 || (a == 0 && b == 0) ||
					   !isdigit((unsigned char)*s))) {
					e = err_v(C, JITK_E_PARSE, &v, "bad minKernel \"%s\"", s);
					diag_hint(C->d, "write the kernel version as \"X.Y\", e.g. \"4.8\"");
				} else if (*s) {
					bool ge = C->kmaj > a || (C->kmaj == a && C->kmin >= b);
					(ge ? (void)(any = true) : (void)(all = false));
					snprintf(why + strlen(why), wcap - strlen(why),
						 " %s minKernel %s (kernel %u.%u);", what, s, C->kmaj,
						 C->kmin);
				}
			}
			jv_put(&v);
			continue;
		}
		if ((e = want(C, &v, json_type_array, f == 0 ? "caps" : "arches"))) {
			jv_put(&v);
			continue;
		}
		struct jiter li;
		struct jv el;
		bool in_any = false, in_all = true, nonempty = false;
		size_t wl = strlen(why);
		snprintf(why + wl, wcap - wl, " %s %s", what, f == 0 ? "caps" : "arches");
		jiter_begin(&li, &v);
		while (!e && jiter_elem(C, &li, &el, &e)) {
			if (!(e = want(C, &el, json_type_string, f == 0 ? "a capability" : "an arch name"))) {
				const char *s = json_object_get_string(el.o);
				nonempty = true;
				bool m;
				if (f == 0) {
					if (!cap_known(s)) {
						e = err_v(C, JITK_E_NAME, &el, "unknown capability \"%s\"",
							  s);
						diag_hint(C->d,
							  "capabilities are written CAP_SYS_ADMIN, CAP_NET_RAW, ...");
					}
					m = has_cap(C, s);
				} else {
					size_t i;
					for (i = 0; moby_arch_names[i]; i++)
						if (!strcmp(s, moby_arch_names[i]))
							break;
					if (!moby_arch_names[i]) {
						e = err_v(C, JITK_E_NAME, &el, "unknown arch name \"%s\"", s);
						diag_hint(C->d,
							  "moby's names: amd64, x86, arm64, arm, ppc64le, s390x, riscv64, ...");
					}
					m = C->host_moby && !strcmp(s, C->host_moby);
				}
				in_any |= m;
				in_all &= m;
				wl = strlen(why);
				snprintf(why + wl, wcap - wl, " %s", s);
			}
			jv_put(&el);
		}
		wl = strlen(why);
		snprintf(why + wl, wcap - wl, ";");
		jv_put(&v);
		if (e || !nonempty)
			continue;
		if (f == 0) {
			/* includes: every cap held; excludes: any cap held */
			if (excl ? in_any : !in_all)
				excl ? (void)(any = true) : (void)(all = false);
		} else {
			/* the host's arch name is in the list */
			if (excl ? in_any : !in_any)
				excl ? (void)(any = true) : (void)(all = false);
		}
	}
	*hold = excl ? any : all;
	return e;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > OCI_MAX_NAME)
		return false;
	for (const char *c = s; *c; c++)
		if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
			return false;
	return true;
}

static jitk_err add_name(struct oci *C, struct entry *en, const struct jv *v)
{
	jitk_err e = want(C, v, json_type_string, "a syscall name");
	if (e)
		return e;
	const char *s = json_object_get_string(v->o);
	if (!name_ok(s)) {
		e = err_v(C, JITK_E_NAME, v, "\"%.64s\" is not a syscall name", s);
		diag_hint(C->d, "syscall names are lower-case letters, digits and '_'");
		return e;
	}
	if (en->nnames == OCI_MAX_NAMES)
		return err_v(C, JITK_E_RANGE, v, "more than %u names in one entry", OCI_MAX_NAMES);
	if (en->nnames % 16 == 0) {
		struct name *nn = realloc(en->names, (en->nnames + 16) * sizeof *nn);
		if (!nn)
			return diag_err(C->d, JITK_E_NOMEM, "out of memory");
		en->names = nn;
	}
	struct name *n = &en->names[en->nnames];
	if (!(n->s = strdup(s)))
		return diag_err(C->d, JITK_E_NOMEM, "out of memory");
	n->off = v->off;
	n->len = v->end - v->off;
	n->keep = n->direct = false;
	en->nnames++;
	return JITK_OK;
}

static jitk_err parse_arg(struct oci *C, struct entry *en, const struct jv *av)
{
	jitk_err e = want(C, av, json_type_object, "an argument condition");
	if (e)
		return e;
	if (en->nargs == sizeof en->args / sizeof *en->args)
		return err_v(C, JITK_E_RANGE, av, "more than %zu argument conditions in one entry",
			     sizeof en->args / sizeof *en->args);
	struct arg *a = &en->args[en->nargs];
	memset(a, 0, sizeof *a);
	a->op = -1;
	bool has_index = false, has_value = false;
	struct jv opv = { 0 }, v2v = { 0 };
	struct jiter it;
	struct seen seen = { 0 };
	char key[KEYBUF];
	struct jv k, v;
	jiter_begin(&it, av);
	while (!e && jiter_member(C, &it, key, sizeof key, &k, &v, &e)) {
		int f;
		uint64_t x;
		if (!(e = field(C, &seen, arg_fields, key, &k, "an argument condition", &f)) && v.o) {
			switch (f) {
			case 0:
				/* seccomp_data has args[0..5] */
				if (!(e = want_uint(C, &v, 5, "index", &x))) {
					a->index = (unsigned)x;
					has_index = true;
				}
				break;
			case 1:
				if (!(e = want_uint(C, &v, UINT64_MAX, "value", &a->value)))
					has_value = true;
				a->at.off = v.off, a->at.end = v.end;
				break;
			case 2:
				e = want_uint(C, &v, UINT64_MAX, "valueTwo", &a->value2);
				v2v = v;
				break;
			case 3:
				if (!(e = want(C, &v, json_type_string, "op"))) {
					const char *s = json_object_get_string(v.o);
					for (size_t i = 0; i < NOPS; i++)
						if (!strcmp(s, ops[i].name))
							a->op = (int)i;
					if (a->op < 0) {
						e = err_v(C, JITK_E_NAME, &v, "unknown op \"%s\"", s);
						diag_hint(C->d,
							  "SCMP_CMP_EQ, _NE, _LT, _LE, _GT, _GE or _MASKED_EQ");
					}
					opv = v;
				}
				break;
			}
		}
		jv_put(&v);
	}
	if (e)
		return e;
	if (!has_index)
		return err_v(C, JITK_E_PARSE, av, "argument condition without \"index\"");
	if (a->op < 0)
		return err_v(C, JITK_E_PARSE, av, "argument condition without \"op\"");
	if (!has_value)
		return err_v(C, JITK_E_PARSE, av, "argument condition without \"value\"");
	(void)opv;
	/* libseccomp reads valueTwo only for SCMP_CMP_MASKED_EQ; a non-zero one
	 * elsewhere is ignored by the runtimes, so it is surely a mistake. */
	if (ops[a->op].scpl && a->value2 != 0) {
		e = err_v(C, JITK_E_RANGE, &v2v, "valueTwo is only used by SCMP_CMP_MASKED_EQ");
		diag_hint(C->d, "drop valueTwo or set it to 0");
		return e;
	}
	if (!ops[a->op].scpl) /* MASKED_EQ compares valueTwo; a missing one is 0 */
		a->at = v2v.end ? (struct jv){ v2v.off, v2v.end, NULL }
				: (struct jv){ av->off, av->end, NULL };
	en->nargs++;
	return JITK_OK;
}

static jitk_err parse_entry(struct oci *C, struct profile *P, const struct jv *sv, size_t idx)
{
	jitk_err e = want(C, sv, json_type_object, "a syscalls entry");
	if (e)
		return e;
	struct entry *en = &P->entries[P->nentries++];
	memset(en, 0, sizeof *en);
	en->index = idx;
	en->off = sv->off;
	en->selected = true;
	struct jv act = { 0 }, eret = { 0 }, names = { 0 }, name = { 0 };
	bool incl_hold = true, excl_hold = false;
	struct jiter it;
	struct seen seen = { 0 };
	char key[KEYBUF];
	struct jv k, v;
	jiter_begin(&it, sv);
	while (!e && jiter_member(C, &it, key, sizeof key, &k, &v, &e)) {
		int f;
		if ((e = field(C, &seen, sys_fields, key, &k, "a syscalls entry", &f)) || !v.o) {
			if (!e && f == S_ACTION)
				e = want(C, &v, json_type_string, "action");
			jv_put(&v);
			continue;
		}
		switch (f) {
		case S_NAMES:
			if (!(e = want(C, &v, json_type_array, "names"))) {
				struct jiter li;
				struct jv el;
				jiter_begin(&li, &v);
				while (!e && jiter_elem(C, &li, &el, &e)) {
					e = add_name(C, en, &el);
					jv_put(&el);
				}
				names = v;
			}
			break;
		case S_NAME:
			if (!(e = add_name(C, en, &v)))
				name = v;
			break;
		case S_ACTION:
			act = v;
			v.o = NULL;
			break;
		case S_ERRNO:
			eret = v;
			v.o = NULL;
			break;
		case S_ARGS:
			if (!(e = want(C, &v, json_type_array, "args"))) {
				struct jiter li;
				struct jv el;
				jiter_begin(&li, &v);
				while (!e && jiter_elem(C, &li, &el, &e)) {
					e = parse_arg(C, en, &el);
					jv_put(&el);
				}
			}
			break;
		case S_COMMENT:
			if (!(e = want(C, &v, json_type_string, "comment")) &&
			    !(en->comment = strdup(json_object_get_string(v.o))))
				e = diag_err(C->d, JITK_E_NOMEM, "out of memory");
			break;
		case S_INCL: e = parse_filter(C, &v, false, &incl_hold, en->why, sizeof en->why); break;
		case S_EXCL: e = parse_filter(C, &v, true, &excl_hold, en->why, sizeof en->why); break;
		}
		jv_put(&v);
	}
	if (!e && names.end && name.end) {
		/* moby: "use either 'name' or 'names'" */
		e = err_v(C, JITK_E_PARSE, &name, "both \"name\" and \"names\" in one entry");
		diag_hint(C->d, "use either \"name\" or \"names\"");
	}
	if (!e && !act.o)
		e = err_v(C, JITK_E_PARSE, sv, "syscalls entry without \"action\"");
	if (!e)
		e = action_of(C, &act, &eret, "action", &en->ret, &en->act_scpl);
	if (!e && en->nnames == 0) {
		/* runc: "empty string is not a valid syscall"; an entry naming no
		 * syscall would silently do nothing. */
		e = err_v(C, JITK_E_PARSE, sv, "syscalls entry without syscall names");
	}
	jv_put(&act);
	jv_put(&eret);
	en->selected = incl_hold && !excl_hold;
	return e;
}

static jitk_err parse_profile(struct oci *C, struct profile *P, const struct jv *top)
{
	jitk_err e = want(C, top, json_type_object, "an OCI seccomp profile");
	if (e)
		return e;
	struct jv defact = { 0 }, deferr = { 0 }, archs = { 0 }, amap = { 0 };
	struct jiter it;
	struct seen seen = { 0 };
	char key[KEYBUF];
	struct jv k, v;
	jiter_begin(&it, top);
	while (!e && jiter_member(C, &it, key, sizeof key, &k, &v, &e)) {
		int f;
		if ((e = field(C, &seen, top_fields, key, &k, "the profile", &f)) || !v.o) {
			jv_put(&v);
			continue;
		}
		switch (f) {
		case F_DEFACT:
			defact = v;
			v.o = NULL;
			break;
		case F_DEFERR:
			deferr = v;
			v.o = NULL;
			break;
		case F_ARCHS:
			e = want(C, &v, json_type_array, "architectures");
			archs = v;
			v.o = NULL;
			break;
		case F_ARCHMAP:
			e = want(C, &v, json_type_array, "archMap");
			amap = v;
			v.o = NULL;
			break;
		case F_FLAGS:
			P->flags_off = v.off;
			if (!(e = want(C, &v, json_type_array, "flags"))) {
				struct jiter li;
				struct jv el;
				jiter_begin(&li, &v);
				while (!e && jiter_elem(C, &li, &el, &e)) {
					if (!(e = want(C, &el, json_type_string, "a flag"))) {
						const char *s = json_object_get_string(el.o);
						size_t i;
						for (i = 0; seccomp_flags[i].name; i++)
							if (!strcmp(s, seccomp_flags[i].name))
								break;
						if (!seccomp_flags[i].name) {
							e = err_v(C, JITK_E_NAME, &el,
								  "unknown flag \"%s\"", s);
							diag_hint(C->d,
								  "SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW or _WAIT_KILLABLE_RECV");
						} else if (!(P->load_flags & seccomp_flags[i].bit)) {
							size_t l = strlen(P->flags);
							snprintf(P->flags + l, sizeof P->flags - l, "%s%s",
								 l ? " " : "", s);
							P->load_flags |= seccomp_flags[i].bit;
						}
					}
					jv_put(&el);
				}
			}
			break;
		case F_LPATH:
		case F_LMETA: {
			if ((e = want(C, &v, json_type_string, key)))
				break;
			const char *str = json_object_get_string(v.o);
			size_t slen = (size_t)json_object_get_string_len(v.o);
			if (strlen(str) != slen) {
				e = err_v(C, JITK_E_PARSE, &v, "%s holds a NUL character (\\u0000)", key);
			} else if (f == F_LPATH && str[0] != '/') {
				/* crun (open_seccomp_receiver) refuses a relative
				 * path; runc would resolve it against its own cwd. */
				e = err_v(C, JITK_E_PARSE, &v,
					  "listenerPath must be an absolute path, not \"%.100s\"", str);
				diag_hint(C->d,
					  "the UNIX socket of the seccomp agent, e.g. \"/run/seccomp-agent.sock\"");
			} else if (f == F_LPATH && slen >= OCI_MAX_SUN_PATH) {
				e = err_v(C, JITK_E_RANGE, &v,
					  "listenerPath is %zu bytes long: a UNIX socket path has at most %d",
					  slen, OCI_MAX_SUN_PATH - 1);
			} else if (!(*(f == F_LPATH ? &P->listener : &P->meta) = strdup(str))) {
				e = diag_err(C->d, JITK_E_NOMEM, "out of memory");
			} else if (f == F_LPATH) {
				P->listener_off = v.off;
			} else {
				P->meta_off = v.off;
			}
			break;
		}
		case F_SYSCALLS:
			if (!(e = want(C, &v, json_type_array, "syscalls"))) {
				size_t n = json_object_array_length(v.o);
				if (n > OCI_MAX_ENTRIES) {
					e = err_v(C, JITK_E_RANGE, &v, "more than %u syscalls entries",
						  OCI_MAX_ENTRIES);
					break;
				}
				ANALYZER_ASSUME(!P->entries); /* field() refuses a second "syscalls" */
				P->entries = calloc(n ? n : 1, sizeof *P->entries);
				if (!P->entries) {
					e = diag_err(C->d, JITK_E_NOMEM, "out of memory");
					break;
				}
				struct jiter li;
				struct jv el;
				jiter_begin(&li, &v);
				size_t i = 0;
				while (!e && jiter_elem(C, &li, &el, &e)) {
					e = parse_entry(C, P, &el, i++);
					jv_put(&el);
				}
			}
			break;
		}
		jv_put(&v);
	}
	if (!e && P->meta && !P->listener) {
		/* runtime-spec config-linux.md: listenerMetadata "MUST NOT be set
		 * if listenerPath is not set". */
		e = err_at(C, JITK_E_PARSE, P->meta_off, 1, "listenerMetadata without listenerPath");
		diag_hint(C->d, "the metadata is sent to the agent at listenerPath; give both or neither");
	}
	if (!e && !defact.o) {
		e = err_at(C, JITK_E_PARSE, top->off, 1, "the profile has no \"defaultAction\"");
		diag_hint(C->d, "add e.g. \"defaultAction\": \"SCMP_ACT_ERRNO\"");
	}
	if (!e)
		e = action_of(C, &defact, &deferr, "defaultAction", &P->def_ret, &P->def_scpl);
	if (!e && archs.end && amap.end && json_object_array_length(archs.o) && amap.o &&
	    json_object_array_length(amap.o)) {
		e = err_v(C, JITK_E_PARSE, &amap, "both \"architectures\" and \"archMap\"");
		diag_hint(C->d, "moby refuses this: use either 'architectures' or 'archMap'");
	}
	/* The native arch is always in a libseccomp filter (seccomp_init). */
	C->arch[C->host] = true;
	if (!e && archs.o) {
		struct jiter li;
		struct jv el;
		jiter_begin(&li, &archs);
		while (!e && jiter_elem(C, &li, &el, &e)) {
			size_t idx;
			if (!(e = scmp_arch(C, &el, &idx)))
				e = use_arch(C, &el, idx);
			jv_put(&el);
		}
	}
	if (!e && amap.o)
		e = parse_archmap(C, &amap);
	jv_put(&defact);
	jv_put(&deferr);
	jv_put(&archs);
	jv_put(&amap);
	return e;
}

/* ------------------------------------------------- resolution and output */

struct ref {
	const char *name;
	size_t entry, k;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* Does libseccomp multiplex name on ABI a: a socket or SysV IPC call on an
 * ABI with socketcall / ipc (docs/oci.md, rule 9)? */
static bool via_mux(const struct oci *C, const char *name, int a)
{
	const struct mux_call *mc = mux_find(name);
	return mc && C->arch[a] && mux_nr((jitk_arch)a, mc->mux) >= 0;
}

static bool name_direct(const struct oci *C, const char *n)
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (C->arch[a] && jitk_syscall_nr((jitk_arch)a, n) >= 0)
			return true;
	return false;
}

static bool name_anywhere(const struct oci *C, const char *n)
{
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (via_mux(C, n, a))
			return true;
	return name_direct(C, n);
}

/* The hint for a name none of the selected ABIs has: the closest known
 * name, and how to filter a syscall jitk's tables lack (a profile names
 * syscalls only, the SCPL the import writes may give a number). */
static void unknown_hint(const struct oci *C, const char *name, char *buf, size_t cap)
{
	const char *s = syscall_suggest_abis(C->arch, name);
	int first = 0;
	while (first < JITK_ARCH__COUNT - 1 && !C->arch[first])
		first++;
	snprintf(buf, cap,
		 "%s%s%sif jitk's tables lack it, import the profile and give its number in the SCPL: "
		 "{ arch = %s; syscall = NR; ... }",
		 s ? "did you mean \"" : "", s ? s : "", s ? "\"? " : "", jitk_arch_name((jitk_arch)first));
}

static void note(struct oci *C, struct strbuf *nb, size_t off, const char *fmt, ...) JITK_PRINTF(4, 5);
static void note(struct oci *C, struct strbuf *nb, size_t off, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	for (size_t i = 0; i < off && i < C->len; i++) {
		if (C->text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sb_printf(nb, "%s:%u:%u: note: %s\n", C->file, line, col, msg);
}

/* Per syscall name, libseccomp's resolution of the selected entries
 * (docs/oci.md): sets names[].keep, notes what is skipped. */
static jitk_err resolve(struct oci *C, struct profile *P, struct strbuf *nb)
{
	size_t n = 0;
	for (size_t i = 0; i < P->nentries; i++)
		n += P->entries[i].nnames;
	struct ref *refs = malloc((n ? n : 1) * sizeof *refs);
	if (!refs)
		return diag_err(C->d, JITK_E_NOMEM, "out of memory");
	n = 0;
	for (size_t i = 0; i < P->nentries; i++) {
		struct entry *en = &P->entries[i];
		/* runc matchCall: "if callAct == defAct { return nil }" */
		if (!en->selected || en->ret == P->def_ret)
			continue;
		for (size_t k = 0; k < en->nnames; k++) {
			struct name *nm = &en->names[k];
			if (!name_anywhere(C, nm->s)) {
				/* runc: GetSyscallFromName fails -> the name is ignored */
				char hint[200];
				unknown_hint(C, nm->s, hint, sizeof hint);
				if (C->o.strict) {
					free(refs);
					jitk_err e = err_at(
						C, JITK_E_NAME, nm->off, nm->len,
						"syscall \"%s\" is not known on any selected architecture",
						nm->s);
					diag_hint(C->d,
						  "%s; without --strict it is skipped, as runc skips names libseccomp does not know",
						  hint);
					return e;
				}
				note(C, nb, nm->off,
				     "syscall \"%s\" is unknown on every selected architecture: skipped (%s)",
				     nm->s, hint);
				continue;
			}
			nm->direct = name_direct(C, nm->s);
			char missing[100] = "";
			for (int a = 0; a < JITK_ARCH__COUNT; a++)
				if (C->arch[a] && jitk_syscall_nr((jitk_arch)a, nm->s) < 0 &&
				    !via_mux(C, nm->s, a))
					snprintf(missing + strlen(missing),
						 sizeof missing - strlen(missing), "%s%s",
						 missing[0] ? ", " : "", jitk_arch_name((jitk_arch)a));
			if (missing[0]) {
				if (C->o.strict) {
					free(refs);
					jitk_err e = err_at(C, JITK_E_NAME, nm->off, nm->len,
							    "syscall \"%s\" does not exist on %s", nm->s,
							    missing);
					diag_hint(C->d,
						  "without --strict it is skipped there, as libseccomp does");
					return e;
				}
				note(C, nb, nm->off, "\"%s\" is not a syscall on %s: skipped there", nm->s,
				     missing);
			}
			refs[n++] = (struct ref){ nm->s, i, k };
		}
	}
	qsort(refs, n, sizeof *refs, ref_cmp);
	/* A name twice in one entry counts once. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || strcmp(refs[m - 1].name, refs[i].name) || refs[m - 1].entry != refs[i].entry)
			refs[m++] = refs[i];
	n = m;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && !strcmp(refs[j].name, refs[i].name))
			j++;
		/* libseccomp db_rule_add: the first unconditional rule of a syscall
		 * stays (later ones are no-ops) and replaces its conditional ones. */
		size_t uncond = j;
		for (size_t k = i; k < j && uncond == j; k++)
			if (P->entries[refs[k].entry].nargs == 0)
				uncond = k;
		for (size_t k = i; k < j; k++)
			P->entries[refs[k].entry].names[refs[k].k].keep = uncond == j || k == uncond;
		/* The multiplexers' own unconditional entry replaces the rules
		 * libseccomp adds on them (they are conditional: arg0 == call). */
		for (int x = 0; x < MUX__COUNT; x++)
			if (uncond != j && !strcmp(refs[i].name, mux_name((enum mux_kind)x)))
				C->mux_uncond[x] = true;
		i = j;
	}
	free(refs);
	return JITK_OK;
}

static void num(struct strbuf *sb, uint64_t v)
{
	if (v < 256)
		sb_printf(sb, "%llu", (unsigned long long)v);
	else
		sb_printf(sb, "0x%llx", (unsigned long long)v);
}

/* An errno value is written by a name only where it has that value on every
 * selected ABI (ENOSYS is 38 on x86, 89 on mips), so that the SCPL means
 * the number the profile gives. */
static void action_text(const struct oci *C, struct strbuf *sb, const char *scpl, uint32_t ret)
{
	uint32_t data = ret & JITK_RET_DATA;
	if (!strcmp(scpl, "Errno")) {
		unsigned abis = 0;
		for (int a = 0; a < JITK_ARCH__COUNT; a++)
			abis |= (unsigned)C->arch[a] << a;
		const char *en = errno_name_abis(abis, (int)data);
		if (en)
			sb_printf(sb, "Errno %s", en);
		else
			sb_printf(sb, "Errno %u", data);
	} else if (!strcmp(scpl, "Trace")) {
		sb_printf(sb, "Trace %u", data);
	} else {
		sb_printf(sb, "%s", scpl);
	}
}

/* A comment: printable ASCII only, one line. */
static void comment_text(struct strbuf *sb, const char *s, size_t max)
{
	size_t n = 0;
	for (; *s && n < max; s++, n++)
		sb_printf(sb, "%c", (*s >= 0x20 && *s < 0x7f) ? *s : '?');
	if (*s)
		sb_printf(sb, "...");
}

/* One condition of a profile as an SCPL compare; MASKED_EQ as a masked ==. */
static void cmp_text(struct strbuf *sb, const struct arg *a)
{
	if (ops[a->op].scpl) {
		sb_printf(sb, "arg%u %s ", a->index, ops[a->op].scpl);
		num(sb, a->value);
	} else {
		sb_printf(sb, "(arg%u & ", a->index);
		num(sb, a->value);
		sb_printf(sb, ") == ");
		num(sb, a->value2);
	}
}

/* runc: conditions are ANDed in one rule, unless two name the same
 * argument: then each condition is a rule of its own (ORed). */
static void cond_text(struct strbuf *sb, const struct entry *en)
{
	bool repeat = false;
	for (size_t i = 0; i < en->nargs; i++)
		for (size_t j = 0; j < i; j++)
			repeat |= en->args[i].index == en->args[j].index;
	for (size_t i = 0; i < en->nargs; i++) {
		const struct arg *a = &en->args[i];
		if (i)
			sb_printf(sb, repeat ? " || " : " && ");
		cmp_text(sb, a);
	}
}

/* The names that are kept (and have a syscall of their own on a selected
 * ABI: a name only multiplexed there is in the multiplexer's rule alone),
 * or those that are not. */
static void names_text(struct strbuf *sb, const struct entry *en, bool keep, const char *indent)
{
	size_t col = 0;
	for (size_t k = 0; k < en->nnames; k++) {
		const struct name *nm = &en->names[k];
		if (nm->keep != keep || (keep && !nm->direct))
			continue;
		size_t l = strlen(nm->s) + 2;
		if (col == 0 || col + l > 92) {
			sb_printf(sb, "\n%s", indent);
			col = strlen(indent);
		}
		sb_printf(sb, "%s; ", nm->s);
		col += l;
	}
}

/*
 * libseccomp's multiplexed rules (docs/oci.md, rule 9; abi_rule_add in its
 * syscalls.c): for a socket or SysV IPC call on an ABI with socketcall /
 * ipc, the rule is added a second time on the multiplexer, its arg0
 * condition replaced by arg0 == the call's number and the conditions on
 * arg1..arg5 kept as they are (they then compare the multiplexer's own
 * arguments).  Its selected ABIs with the multiplexer, in *abis (NULL ok):
 * how many.
 */
static unsigned mux_abis(const struct oci *C, enum mux_kind m, char *abis, size_t cap)
{
	unsigned n = 0;
	if (abis && cap)
		abis[0] = '\0';
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (C->arch[a] && mux_nr((jitk_arch)a, m) >= 0) {
			if (abis)
				snprintf(abis + strlen(abis), cap - strlen(abis), "%s%s", n ? "; " : "",
					 jitk_arch_name((jitk_arch)a));
			n++;
		}
	return n;
}

/* Does the entry give the multiplexer m a rule: a kept name it runs. */
static bool mux_used(const struct oci *C, const struct entry *en, enum mux_kind m)
{
	if (C->mux_uncond[m] || !mux_abis(C, m, NULL, 0))
		return false;
	for (size_t k = 0; k < en->nnames; k++) {
		const struct mux_call *mc = mux_find(en->names[k].s);
		if (en->names[k].keep && mc && mc->mux == m)
			return true;
	}
	return false;
}

/* The conditions the multiplexed rule keeps: runc's one rule per condition
 * when an argument repeats (ORed; one on arg0 makes the OR true), else all
 * but those on arg0, ANDed.  Is an argument kept? */
static bool mux_keeps(const struct entry *en, size_t i)
{
	bool repeat = false, on0 = false;
	for (size_t a = 0; a < en->nargs; a++) {
		on0 |= en->args[a].index == 0;
		for (size_t b = 0; b < a; b++)
			repeat |= en->args[a].index == en->args[b].index;
	}
	return en->args[i].index != 0 && !(repeat && on0);
}

static void mux_rule(struct oci *C, const struct entry *en, enum mux_kind m, struct strbuf *sb)
{
	if (!mux_used(C, en, m))
		return;
	char abis[200];
	mux_abis(C, m, abis, sizeof abis);
	bool repeat = false;
	for (size_t a = 0; a < en->nargs; a++)
		for (size_t b = 0; b < a; b++)
			repeat |= en->args[a].index == en->args[b].index;
	sb_printf(sb, "    #  libseccomp's multiplexed rule on %s (docs/oci.md, rule 9):", mux_name(m));
	size_t ncalls = 0, col = 100;
	uint32_t calls[64] = { 0 }; /* zeroed: cppcheck cannot see that qsort reads only ncalls */
	for (size_t k = 0; k < en->nnames; k++) {
		const struct mux_call *mc = mux_find(en->names[k].s);
		if (!en->names[k].keep || !mc || mc->mux != m)
			continue;
		size_t l = strlen(mc->name) + 6;
		if (col + l > 92) {
			sb_printf(sb, "\n    #    ");
			col = 9;
		}
		sb_printf(sb, "%s %u; ", mc->name, mc->call);
		col += l;
		bool dup = false;
		for (size_t c = 0; c < ncalls; c++)
			dup |= calls[c] == mc->call;
		if (!dup && ncalls < sizeof calls / sizeof *calls)
			calls[ncalls++] = mc->call;
	}
	qsort(calls, ncalls, sizeof *calls, cmp_u32);
	sb_printf(sb, "\n    { action = ");
	action_text(C, sb, en->act_scpl, en->ret);
	sb_printf(sb, "; arch = [%s];\n      when = ", abis);
	size_t nkept = 0;
	for (size_t i = 0; i < en->nargs; i++)
		nkept += mux_keeps(en, i);
	bool paren = ncalls > 1 && nkept;
	sb_printf(sb, "%s", paren ? "(" : "");
	for (size_t c = 0; c < ncalls; c++)
		sb_printf(sb, "%sarg0 == %u", c ? " || " : "", calls[c]);
	sb_printf(sb, "%s", paren ? ")" : "");
	bool orred = repeat && nkept > 1;
	for (size_t i = 0, n = 0; i < en->nargs; i++) {
		if (!mux_keeps(en, i))
			continue;
		const struct arg *a = &en->args[i];
		sb_printf(sb, "%s", n ? (repeat ? " || " : " && ") : orred ? " && (" : " && ");
		cmp_text(sb, a);
		n++;
	}
	sb_printf(sb, "%s;\n      syscall = %s };\n", orred ? ")" : "", mux_name(m));
}

/*
 * A compare reads the bits of the argument the kernel uses (docs/scpl.md,
 * "Argument widths"; the deviation D6 of docs/oci.md): a value that cannot
 * fit the width of its parameter, on a name and ABI the entry decides,
 * could never mean what it says, and is an error at the value, as in
 * SCPL.  A value fits W bits as an unsigned number or as the W-bit two's
 * complement of a negative one (0xffffffffffffffff is -1 for an int).
 */
static jitk_err width_check(struct oci *C, const struct arg *a, int ab, int nr, const char *name,
			    const char *via)
{
	unsigned w = params_width((jitk_arch)ab, nr, a->index);
	uint64_t v = ops[a->op].scpl ? a->value : a->value2, keep = params_mask(w);
	if (w >= 64 || v <= keep || v >= ~(keep >> 1))
		return JITK_OK;
	const struct tbl_params *tp = params_find((jitk_arch)ab, nr);
	char what[96];
	if (tp && a->index < tp->nargs)
		snprintf(what, sizeof what, "the %u-bit parameter '%s' (%s)", w, tp->arg[a->index].name,
			 tp->arg[a->index].type);
	else
		snprintf(what, sizeof what, "arg%u, %u bits there,", a->index, w);
	jitk_err e = err_v(C, JITK_E_RANGE, &a->at, "value %#llx does not fit %s of %s on %s%s",
			   (unsigned long long)v, what, name, jitk_arch_name((jitk_arch)ab), via);
	diag_hint(C->d,
		  "the kernel uses only the low %u bits of this argument, so "
		  "the compare could never mean what it says (docs/oci.md, D6)",
		  w);
	return e;
}

static jitk_err check_widths(struct oci *C, const struct profile *P)
{
	for (size_t i = 0; i < P->nentries; i++) {
		const struct entry *en = &P->entries[i];
		if (!en->selected || en->ret == P->def_ret)
			continue;
		jitk_err e;
		for (size_t k = 0; k < en->nnames; k++) {
			if (!en->names[k].keep)
				continue;
			for (int ab = 0; ab < JITK_ARCH__COUNT; ab++) {
				int nr = C->arch[ab] ? jitk_syscall_nr((jitk_arch)ab, en->names[k].s) : -1;
				for (size_t j = 0; nr >= 0 && j < en->nargs; j++)
					if ((e = width_check(C, &en->args[j], ab, nr, en->names[k].s, "")))
						return e;
			}
		}
		/* The conditions libseccomp's multiplexed rule keeps compare the
		 * multiplexer's arguments. */
		for (int m = 0; m < MUX__COUNT; m++) {
			if (!mux_used(C, en, (enum mux_kind)m))
				continue;
			for (int ab = 0; ab < JITK_ARCH__COUNT; ab++) {
				int nr = C->arch[ab] ? mux_nr((jitk_arch)ab, (enum mux_kind)m) : -1;
				for (size_t j = 0; nr >= 0 && j < en->nargs; j++)
					if (mux_keeps(en, j) &&
					    (e = width_check(C, &en->args[j], ab, nr,
							     mux_name((enum mux_kind)m),
							     " (libseccomp's multiplexed rule)")))
						return e;
			}
		}
	}
	return JITK_OK;
}

static void emit(struct oci *C, const struct profile *P, struct strbuf *sb)
{
	sb_printf(sb, "# Imported by jitk from %s, an OCI/Docker seccomp profile, with the\n", C->file);
	sb_printf(sb, "# semantics of runc/crun on libseccomp (docs/oci.md), for:\n");
	sb_printf(sb, "#   host arch %s", jitk_arch_name(C->host));
	if (C->host_moby)
		sb_printf(sb, " (moby: %s)", C->host_moby);
	sb_printf(sb, ", kernel %u.%u, capabilities:", C->kmaj, C->kmin);
	if (!C->ncaps)
		sb_printf(sb, " none");
	for (size_t i = 0; i < C->ncaps; i++)
		sb_printf(sb, "%s%s", i % 6 == 5 ? "\n#    " : " ", C->caps[i] + 4);
	sb_printf(sb, "\n");
	if (P->flags[0])
		sb_printf(sb, "# flags (for the loader, not part of the filter): %s\n", P->flags);
	if (P->listener) {
		sb_printf(sb, "# listenerPath (for the runtime): ");
		comment_text(sb, P->listener, 150);
		sb_printf(sb, "\n");
	}
	if (P->meta) {
		sb_printf(sb, "# listenerMetadata: ");
		comment_text(sb, P->meta, 150);
		sb_printf(sb, "\n");
	}
	sb_printf(sb, "{\n  arch = [");
	bool first = true;
	for (int a = 0; a < JITK_ARCH__COUNT; a++)
		if (C->arch[a]) {
			sb_printf(sb, "%s%s", first ? "" : "; ", jitk_arch_name((jitk_arch)a));
			first = false;
		}
	sb_printf(sb, "];\n  default_action = ");
	action_text(C, sb, P->def_scpl, P->def_ret);
	sb_printf(sb, ";\n  # an arch not in the filter: libseccomp's default bad-arch action\n");
	sb_printf(sb, "  foreign_action = KillThread;\n  rules = [\n");
	for (size_t i = 0; i < P->nentries; i++) {
		const struct entry *en = &P->entries[i];
		sb_printf(sb, "    # syscalls[%zu]", en->index);
		if (en->comment) {
			sb_printf(sb, ": ");
			comment_text(sb, en->comment, 200);
		}
		if (en->why[0] && en->selected)
			sb_printf(sb, "\n    #  selected:%s", en->why);
		sb_printf(sb, "\n");
		const char *skip = !en->selected           ? "not selected:"
				   : en->ret == P->def_ret ? "the default action (runc skips it):"
							   : NULL;
		size_t nkeep = 0, ndrop = 0;
		for (size_t k = 0; k < en->nnames; k++) {
			if (!en->names[k].keep)
				ndrop++;
			else if (en->names[k].direct)
				nkeep++;
		}
		if (skip) {
			sb_printf(sb, "    #  %s%s\n    #  names:", skip, en->why);
			names_text(sb, en, false, "    #    ");
			sb_printf(sb, "\n");
			continue;
		}
		if (ndrop) {
			sb_printf(sb, "    #  not here (unknown, or decided by an unconditional entry):");
			names_text(sb, en, false, "    #    ");
			sb_printf(sb, "\n");
		}
		if (nkeep) {
			sb_printf(sb, "    { action = ");
			action_text(C, sb, en->act_scpl, en->ret);
			sb_printf(sb, ";");
			if (en->nargs) {
				sb_printf(sb, "\n      when = ");
				cond_text(sb, en);
				sb_printf(sb, ";");
			}
			sb_printf(sb, "\n      syscalls = [");
			names_text(sb, en, true, "        ");
			sb_printf(sb, "\n      ] };\n");
		}
		for (int m = 0; m < MUX__COUNT; m++)
			mux_rule(C, en, (enum mux_kind)m, sb);
	}
	sb_printf(sb, "  ] }\n");
}

/* Does the filter have a Notify action: the default, or a selected entry
 * that still decides a name (runtime-spec: listenerPath is used only
 * "when the SCMP_ACT_NOTIFY action is used"). */
static bool notify_used(const struct profile *P)
{
	if ((P->def_ret & JITK_RET_ACTION_FULL) == JITK_RET_USER_NOTIF)
		return true;
	for (size_t i = 0; i < P->nentries; i++) {
		const struct entry *en = &P->entries[i];
		if (!en->selected || en->ret == P->def_ret ||
		    (en->ret & JITK_RET_ACTION_FULL) != JITK_RET_USER_NOTIF)
			continue;
		for (size_t k = 0; k < en->nnames; k++)
			if (en->names[k].keep)
				return true;
	}
	return false;
}

/* The loader fields of a profile, as jitk_policy_loader_opts returns them. */
struct oci_loader {
	unsigned flags;
	char *listener, *meta; /* owned; NULL when absent or unused */
};

/* The loader fields: what they become, and notes on what SCPL loses. */
static void loader_fields(struct oci *C, struct profile *P, struct strbuf *nb, struct oci_loader *lo)
{
	bool notify = notify_used(P);
	if (P->listener && !notify)
		note(C, nb, P->listener_off,
		     "listenerPath is ignored: no selected entry has SCMP_ACT_NOTIFY (runtime-spec)");
	if (P->load_flags)
		note(C, nb, P->flags_off,
		     "\"flags\" are not part of the filter: `jitk run` on the profile installs with them; "
		     "SCPL keeps them only as a comment (`jitk run --flags` gives them)");
	if (P->listener && notify)
		note(C, nb, P->listener_off,
		     "listenerPath is not part of the filter: `jitk run` on the profile hands the listener "
		     "to it; SCPL keeps it only as a comment");
	if (!lo)
		return;
	lo->flags = P->load_flags;
	if (notify) {
		lo->listener = P->listener;
		lo->meta = P->meta;
		P->listener = P->meta = NULL;
	}
}

/* ------------------------------------------------------------ public API */

bool jitk_is_profile(const char *text, size_t len)
{
	size_t i = 0;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3; /* a BOM: still JSON, refused with a located message */
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i >= len || text[i] != '{')
		return false;
	i++;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	/* SCPL has no strings outside include; JSON keys are strings.  "{}"
	 * stays SCPL (an empty policy, refused as such). */
	return i < len && text[i] == '"';
}

/* jitk_profile_import, also returning the loader fields (lo may be NULL;
 * its strings are the caller's to free). */
static jitk_err import(const char *text, size_t len, const char *filename, const jitk_profile_opts *opts,
		       char **scpl, char **notes, struct oci_loader *lo, jitk_diag *d)
{
	diag_clear(d);
	if (!text || !scpl)
		return diag_err(d, JITK_E_INVAL, "jitk_profile_import: NULL argument");
	*scpl = NULL;
	if (notes)
		*notes = NULL;
	static const jitk_profile_opts none;
	struct oci C = { .text = text,
			 .len = len,
			 .file = filename ? filename : "<profile>",
			 .d = d,
			 .o = opts ? *opts : none };
	struct profile P = { 0 };
	struct strbuf sb = { 0 }, nb = { 0 };
	jitk_err e;
	if (len > OCI_MAX_BYTES) {
		e = diag_err(d, JITK_E_RANGE, "%s: profile larger than %u MiB", C.file, OCI_MAX_BYTES >> 20);
		goto out;
	}
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		e = err_at(&C, JITK_E_PARSE, 0, 3, "byte order mark (U+FEFF) before the JSON");
		diag_hint(d, "save the profile as UTF-8 without BOM");
		goto out;
	}
	if (memchr(text, '\0', len)) {
		e = err_at(&C, JITK_E_PARSE, (size_t)((const char *)memchr(text, '\0', len) - text), 1,
			   "NUL byte in the profile");
		goto out;
	}
	if ((e = setup(&C)))
		goto out;
	C.tok = json_tokener_new_ex(OCI_MAX_DEPTH);
	if (!C.tok) {
		e = diag_err(d, JITK_E_NOMEM, "out of memory");
		goto out;
	}
	json_tokener_set_flags(C.tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	/* The whole document first: syntax errors with json-c's own offset. */
	size_t start = skip_ws(&C, 0);
	struct jv top;
	json_object *all = json_tokener_parse_ex(C.tok, text, (int)len);
	enum json_tokener_error je = json_tokener_get_error(C.tok);
	size_t end = json_tokener_get_parse_end(C.tok);
	json_object_put(all);
	if (je == json_tokener_continue) {
		e = err_at(&C, JITK_E_PARSE, len, 1, "truncated JSON: the profile ends inside a value");
		goto out;
	}
	if (je != json_tokener_success) {
		/* json-c stops at the offending character, or just after the
		 * bracket that nests too deep */
		if (je == json_tokener_error_depth && end > 0)
			end--;
		e = err_at(&C, JITK_E_PARSE, end < len ? end : len - 1, 1, "JSON: %s",
			   json_tokener_error_desc(je));
		if (je == json_tokener_error_depth)
			diag_hint(d, "nesting deeper than %d levels", OCI_MAX_DEPTH);
		goto out;
	}
	if (skip_ws(&C, end) != len) {
		e = err_at(&C, JITK_E_PARSE, skip_ws(&C, end), 1, "text after the end of the JSON profile");
		goto out;
	}
	if ((e = jv_at(&C, start, &top)))
		goto out;
	e = parse_profile(&C, &P, &top);
	jv_put(&top);
	if (!e)
		e = resolve(&C, &P, &nb);
	if (!e)
		e = check_widths(&C, &P);
	if (e)
		goto out;
	loader_fields(&C, &P, &nb, lo);
	emit(&C, &P, &sb);
	if ((e = sb_finish(&sb, scpl)))
		goto out;
	if (notes && (e = sb_finish(&nb, notes))) {
		free(*scpl);
		*scpl = NULL;
	}
out:
	free(sb.buf);
	free(nb.buf);
	profile_free(&P);
	for (size_t i = 0; i < C.ncaps; i++)
		free(C.caps[i]);
	free(C.caps);
	if (C.tok)
		json_tokener_free(C.tok);
	return e;
}

jitk_err jitk_profile_import(const char *text, size_t len, const char *filename,
			     const jitk_profile_opts *opts, char **scpl, char **notes, jitk_diag *d)
{
	return import(text, len, filename, opts, scpl, notes, NULL, d);
}

/* A copy of s in p's arena (NULL for NULL). */
static const char *policy_strdup(jitk_policy *p, const char *s)
{
	if (!s)
		return NULL;
	struct arena_blk *a = p->arena;
	char *c = arena_alloc(&a, strlen(s) + 1);
	p->arena = a;
	if (c)
		memcpy(c, s, strlen(s) + 1);
	return c;
}

jitk_err jitk_policy_parse_opts(const char *text, size_t len, const char *filename,
				const jitk_profile_opts *opts, jitk_policy **out, jitk_diag *d)
{
	if (!text || !jitk_is_profile(text, len))
		return jitk_policy_parse(text, len, filename, out, d);
	if (!out)
		return diag_err(d, JITK_E_INVAL, "jitk_policy_parse: NULL argument");
	*out = NULL;
	char *scpl = NULL;
	struct oci_loader lo = { 0 };
	jitk_err e = import(text, len, filename, opts, &scpl, NULL, &lo, d);
	if (e)
		return e;
	e = jitk_policy_parse(scpl, strlen(scpl), filename, out, d);
	if (!e) {
		(*out)->load_flags = lo.flags;
		(*out)->listener_path = policy_strdup(*out, lo.listener);
		(*out)->listener_meta = policy_strdup(*out, lo.meta);
		if ((lo.listener && !(*out)->listener_path) || (lo.meta && !(*out)->listener_meta)) {
			jitk_policy_free(*out);
			*out = NULL;
			e = diag_err(d, JITK_E_NOMEM, "out of memory");
		}
	}
	free(lo.listener);
	free(lo.meta);
	if (e && e != JITK_E_NOMEM && d) {
		/* Cannot happen: the translation only writes what SCPL accepts. */
		char m[sizeof d->msg];
		snprintf(m, sizeof m, "internal error in jitk's SCPL translation: %.200s", d->msg);
		str_copy(d->msg, sizeof d->msg, m);
	}
	free(scpl);
	return e;
}

void jitk_policy_loader_opts(const jitk_policy *p, jitk_loader_opts *out)
{
	if (!out)
		return;
	*out = (jitk_loader_opts){ 0 };
	if (!p)
		return;
	out->flags = p->load_flags;
	out->listener_path = p->listener_path;
	out->listener_metadata = p->listener_meta;
}

jitk_err jitk_policy_load_opts(const char *path, const jitk_profile_opts *opts, jitk_policy **out,
			       jitk_diag *d)
{
	diag_clear(d);
	if (!path || !out)
		return diag_err(d, JITK_E_INVAL, "jitk_policy_load: NULL argument");
	*out = NULL;
	char *text;
	size_t len;
	jitk_err e = jitk_read_file(path, &text, &len, d);
	if (e)
		return e;
	e = jitk_policy_parse_opts(text, len, path, opts, out, d);
	free(text);
	return e;
}
