/* filter.c - the immutable filter container and the byte codec.
 *
 * The byte form is the kernel's: an array of struct sock_filter in native
 * byte order.  jitk_insn has the same layout, checked below, so encoding is
 * a field-by-field copy with no padding to leak and decoding is its inverse:
 * decode(encode(p)) == p and encode(decode(b)) == b (the Jitk paper's
 * Lemma 3), tested against the kernel's PTRACE_SECCOMP_GET_FILTER. */
#include "internal.h"

#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(jitk_insn) == sizeof(struct sock_filter), "insn size");
_Static_assert(offsetof(jitk_insn, code) == offsetof(struct sock_filter, code), "code");
_Static_assert(offsetof(jitk_insn, jt) == offsetof(struct sock_filter, jt), "jt");
_Static_assert(offsetof(jitk_insn, jf) == offsetof(struct sock_filter, jf), "jf");
_Static_assert(offsetof(jitk_insn, k) == offsetof(struct sock_filter, k), "k");

#define INSN_BYTES 8u

jitk_filter *filter_alloc(size_t n)
{
	if (n > SIZE_MAX / sizeof(jitk_insn) - 1)
		return NULL;
	jitk_filter *f = malloc(sizeof *f + n * sizeof(jitk_insn));
	if (f)
		f->len = n;
	return f;
}

jitk_err jitk_filter_new(const jitk_insn *insns, size_t n, jitk_filter **out)
{
	if (!out || (n && !insns))
		return JITK_E_INVAL;
	jitk_filter *f = filter_alloc(n);
	if (!f)
		return JITK_E_NOMEM;
	if (n)
		memcpy(f->insns, insns, n * sizeof *insns);
	*out = f;
	return JITK_OK;
}

void jitk_filter_free(jitk_filter *f)
{
	free(f);
}

size_t jitk_filter_len(const jitk_filter *f)
{
	return f ? f->len : 0;
}

const jitk_insn *jitk_filter_insns(const jitk_filter *f)
{
	return f ? f->insns : NULL;
}

bool jitk_filter_equal(const jitk_filter *a, const jitk_filter *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		const jitk_insn *x = &a->insns[i], *y = &b->insns[i];
		if (x->code != y->code || x->jt != y->jt || x->jf != y->jf || x->k != y->k)
			return false;
	}
	return true;
}

jitk_err jitk_decode(const void *bytes, size_t nbytes, jitk_filter **out, jitk_diag *d)
{
	if (!out || (nbytes && !bytes))
		return diag_err(d, JITK_E_INVAL, "decode: NULL argument");
	if (nbytes == 0)
		return diag_err(d, JITK_E_FORMAT, "empty filter: 0 bytes");
	if (nbytes % INSN_BYTES) {
		size_t whole = nbytes / INSN_BYTES;
		diag_insn(d, JITK_E_FORMAT, (long)whole, "truncated",
			  "truncated instruction %zu: %zu bytes is not a multiple of 8 "
			  "(the last %zu bytes are a partial instruction)",
			  whole, nbytes, nbytes % INSN_BYTES);
		diag_hint(d, "a classic BPF filter is an array of 8-byte struct sock_filter");
		return JITK_E_FORMAT;
	}
	size_t n = nbytes / INSN_BYTES;
	jitk_filter *f = filter_alloc(n);
	if (!f)
		return diag_err(d, JITK_E_NOMEM, "out of memory");
	const unsigned char *p = bytes;
	for (size_t i = 0; i < n; i++) {
		struct sock_filter s;
		memcpy(&s, p + i * INSN_BYTES, sizeof s);
		f->insns[i] = (jitk_insn){ .code = s.code, .jt = s.jt, .jf = s.jf, .k = s.k };
	}
	*out = f;
	return JITK_OK;
}

size_t jitk_encoded_size(const jitk_filter *f)
{
	return f->len * INSN_BYTES;
}

jitk_err jitk_encode(const jitk_filter *f, void *buf, size_t cap)
{
	if (!f || !buf || cap < jitk_encoded_size(f))
		return JITK_E_INVAL;
	unsigned char *p = buf;
	for (size_t i = 0; i < f->len; i++) {
		struct sock_filter s = { .code = f->insns[i].code,
					 .jt = f->insns[i].jt,
					 .jf = f->insns[i].jf,
					 .k = f->insns[i].k };
		memcpy(p + i * INSN_BYTES, &s, sizeof s);
	}
	return JITK_OK;
}

const char *jitk_action_name(uint32_t ret)
{
	switch (ret & JITK_RET_ACTION_FULL) {
	case JITK_RET_KILL_PROCESS: return "KILL_PROCESS";
	case JITK_RET_KILL_THREAD: return "KILL_THREAD";
	case JITK_RET_TRAP: return "TRAP";
	case JITK_RET_ERRNO: return "ERRNO";
	case JITK_RET_USER_NOTIF: return "USER_NOTIF";
	case JITK_RET_TRACE: return "TRACE";
	case JITK_RET_LOG: return "LOG";
	case JITK_RET_ALLOW: return "ALLOW";
	default: return "KILL_PROCESS(undefined)";
	}
}
