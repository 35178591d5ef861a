/*
 * loader.c - install a checked filter into the running kernel (jitk_load).
 *
 * Order of operations, and why:
 *   1. argument checks (no side effects yet);
 *   2. jitk_check: we never hand the kernel a program our own checker
 *      rejects.  A kernel refusal of a checker-accepted program would mean
 *      the checker is wrong, and we want to find that out in tests, not let
 *      the kernel silently be the only line of defence;
 *   3. PR_SET_NO_NEW_PRIVS (unless JITK_LOAD_KEEP_PRIVS);
 *   4. seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog), or
 *      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) when the syscall
 *      does not exist and no flag is asked for.
 * Every kernel failure comes back as JITK_E_KERNEL with d->sys_errno and a
 * message naming the cause (the flag, the privilege, the limit).
 */
#include "internal.h"

#include <errno.h>
#include <linux/filter.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The six kernel flags jitk knows.  Our bit values are the kernel's ABI:
 * they are passed through unchanged, so they must stay equal. */
#define LOADER_KERNEL_FLAGS                                                                \
	(JITK_LOAD_TSYNC | JITK_LOAD_LOG | JITK_LOAD_SPEC_ALLOW | JITK_LOAD_NEW_LISTENER | \
	 JITK_LOAD_TSYNC_ESRCH | JITK_LOAD_WAIT_KILLABLE_RECV)

#ifdef SECCOMP_FILTER_FLAG_TSYNC
_Static_assert(JITK_LOAD_TSYNC == SECCOMP_FILTER_FLAG_TSYNC, "TSYNC value");
#endif
#ifdef SECCOMP_FILTER_FLAG_LOG
_Static_assert(JITK_LOAD_LOG == SECCOMP_FILTER_FLAG_LOG, "LOG value");
#endif
#ifdef SECCOMP_FILTER_FLAG_SPEC_ALLOW
_Static_assert(JITK_LOAD_SPEC_ALLOW == SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SPEC_ALLOW value");
#endif
#ifdef SECCOMP_FILTER_FLAG_NEW_LISTENER
_Static_assert(JITK_LOAD_NEW_LISTENER == SECCOMP_FILTER_FLAG_NEW_LISTENER, "NEW_LISTENER value");
#endif
#ifdef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
_Static_assert(JITK_LOAD_TSYNC_ESRCH == SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "TSYNC_ESRCH value");
#endif
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
_Static_assert(JITK_LOAD_WAIT_KILLABLE_RECV == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
	       "WAIT_KILLABLE_RECV value");
#endif
/* jitk's own flag must never collide with a kernel flag. */
_Static_assert((JITK_LOAD_KEEP_PRIVS & LOADER_KERNEL_FLAGS) == 0, "KEEP_PRIVS is private");
_Static_assert(sizeof(jitk_insn) == sizeof(struct sock_filter), "insn is sock_filter");

#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif

/* The kernel's name of one flag bit. */
static const char *loader_flag_name(unsigned bit)
{
	switch (bit) {
	case JITK_LOAD_TSYNC: return "SECCOMP_FILTER_FLAG_TSYNC";
	case JITK_LOAD_LOG: return "SECCOMP_FILTER_FLAG_LOG";
	case JITK_LOAD_SPEC_ALLOW: return "SECCOMP_FILTER_FLAG_SPEC_ALLOW";
	case JITK_LOAD_NEW_LISTENER: return "SECCOMP_FILTER_FLAG_NEW_LISTENER";
	case JITK_LOAD_TSYNC_ESRCH: return "SECCOMP_FILTER_FLAG_TSYNC_ESRCH";
	case JITK_LOAD_WAIT_KILLABLE_RECV: return "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";
	default: return NULL;
	}
}

/* The first flag bit of kflags the running kernel does not know, or 0.
 * seccomp_set_mode_filter (kernel/seccomp.c) refuses unknown bits with
 * EINVAL before it reads the program, so a probe with a NULL program fails
 * with EFAULT for a known bit and installs nothing (docs/kernel-notes.md).
 * WAIT_KILLABLE_RECV is probed with NEW_LISTENER, which it requires. */
static unsigned loader_unknown_flag(unsigned kflags)
{
	for (unsigned bit = 1; bit && bit <= kflags; bit <<= 1) {
		if (!(kflags & bit))
			continue;
		unsigned probe = bit == JITK_LOAD_WAIT_KILLABLE_RECV ? bit | JITK_LOAD_NEW_LISTENER : bit;
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, probe, NULL) < 0 && errno == EINVAL)
			return bit;
	}
	return 0;
}

/* Explain an EINVAL from seccomp(2) after jitk_check accepted the program:
 * the only remaining causes are the flags (facts 1.1 step 1). */
static jitk_err loader_einval(jitk_diag *d, unsigned kflags)
{
	jitk_err e;
	if (kflags & ~LOADER_KERNEL_FLAGS)
		e = diag_err(d, JITK_E_KERNEL, "seccomp: unknown filter flag bit(s) 0x%x",
			     kflags & ~LOADER_KERNEL_FLAGS);
	else if ((kflags & JITK_LOAD_TSYNC) && (kflags & JITK_LOAD_NEW_LISTENER) &&
		 !(kflags & JITK_LOAD_TSYNC_ESRCH)) {
		e = diag_err(d, JITK_E_KERNEL,
			     "seccomp: TSYNC together with NEW_LISTENER requires TSYNC_ESRCH");
		diag_hint(d, "add the tsync_esrch flag: a TSYNC failure must not be "
			     "confused with a listener fd");
	} else if ((kflags & JITK_LOAD_WAIT_KILLABLE_RECV) && !(kflags & JITK_LOAD_NEW_LISTENER)) {
		e = diag_err(d, JITK_E_KERNEL, "seccomp: WAIT_KILLABLE_RECV requires NEW_LISTENER");
	} else if (kflags && loader_unknown_flag(kflags)) {
		e = diag_err(d, JITK_E_KERNEL, "seccomp: this kernel does not support %s",
			     loader_flag_name(loader_unknown_flag(kflags)));
		diag_hint(d, "run on a newer kernel, or install without the flag (runc fails the "
			     "same way; crun silently retries without any flag)");
	} else if (kflags) {
		e = diag_err(d, JITK_E_KERNEL,
			     "seccomp: invalid argument with flags 0x%x (flag not supported "
			     "by this kernel, or the kernel rejects a program jitk_check accepted)",
			     kflags);
	} else {
		e = diag_err(d, JITK_E_KERNEL,
			     "seccomp: the kernel rejected a program jitk_check accepted "
			     "(checker disagreement)");
		diag_hint(d, "this is a jitk bug; please report the filter");
	}
	if (d)
		d->sys_errno = EINVAL;
	return e;
}

/* A failed seccomp(2)/prctl(2) call, errno e, as JITK_E_KERNEL. */
static jitk_err loader_fail(jitk_diag *d, int e, unsigned kflags, bool keep_privs)
{
	jitk_err r;
	switch (e) {
	case EINVAL: return loader_einval(d, kflags);
	case EACCES:
		r = diag_err(d, JITK_E_KERNEL,
			     "seccomp: permission denied: no_new_privs is not set and the "
			     "caller lacks CAP_SYS_ADMIN");
		if (keep_privs)
			diag_hint(d, "KEEP_PRIVS needs CAP_SYS_ADMIN; drop it to let jitk "
				     "set no_new_privs");
		break;
	case EFAULT:
		r = diag_err(d, JITK_E_KERNEL,
			     "seccomp: the kernel could not read the program (bad address)");
		break;
	case ENOMEM:
		r = diag_err(d, JITK_E_KERNEL,
			     "seccomp: out of memory, or the filters stacked on this thread "
			     "would exceed the kernel's limit of 32768 instructions per path");
		diag_hint(d, "each installed filter counts its converted length + 4; "
			     "merge filters or install fewer");
		break;
	case EBUSY:
		r = diag_err(d, JITK_E_KERNEL,
			     "seccomp: NEW_LISTENER refused: a filter already installed on "
			     "this thread has a notification listener");
		break;
	case ESRCH:
		r = diag_err(d, JITK_E_KERNEL,
			     "seccomp: TSYNC failed: another thread could not be synchronised "
			     "(TSYNC_ESRCH)");
		break;
	case ENOSYS:
		r = diag_err(d, JITK_E_KERNEL,
			     "seccomp: the seccomp(2) system call is not available and flags "
			     "0x%x need it",
			     kflags);
		break;
	case EPERM:
		r = diag_err(d, JITK_E_KERNEL,
			     "seccomp: operation not permitted (a filter already installed "
			     "denies seccomp/prctl?)");
		break;
	default: r = diag_err(d, JITK_E_KERNEL, "seccomp: %s", strerror(e)); break;
	}
	if (d)
		d->sys_errno = e;
	return r;
}

jitk_err jitk_load(const jitk_filter *f, unsigned flags, int *listener, jitk_diag *d)
{
	diag_clear(d);
	if (listener)
		*listener = -1;
	if (!f)
		return diag_err(d, JITK_E_INVAL, "jitk_load: no filter");
	/* The notification fd is the only handle on the listener: refuse to
	 * create one the caller cannot receive (it would leak). */
	if ((flags & JITK_LOAD_NEW_LISTENER) && !listener)
		return diag_err(d, JITK_E_INVAL,
				"jitk_load: NEW_LISTENER needs a place to return the listener fd");

	/* Step 2: our checker first.  Its diagnostic (index, rule) is passed
	 * through unchanged; the error is JITK_E_CHECK or JITK_E_TOO_BIG (or
	 * whatever else it reports: never load what was not accepted). */
	jitk_err err = jitk_check(f, d);
	if (err != JITK_OK)
		return err;

	const bool keep_privs = flags & JITK_LOAD_KEEP_PRIVS;
	/* Kernel flags are jitk's bits minus the private ones.  Bits jitk does
	 * not know are passed on, so the kernel (the authority on its own ABI)
	 * refuses them with EINVAL or accepts a newer flag. */
	const unsigned kflags = flags & ~JITK_LOAD_KEEP_PRIVS;

	/* Step 3: no_new_privs is what lets an unprivileged process install a
	 * filter, and it makes exec of setuid binaries unable to escape the
	 * filter's intent.  It is one-way and inherited: that is the point. */
	if (!keep_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		int e = errno;
		diag_err(d, JITK_E_KERNEL, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(e));
		if (d)
			d->sys_errno = e;
		return JITK_E_KERNEL;
	}

	/* The kernel reads struct sock_filter; jitk_insn has the same layout
	 * (asserted above), and len <= 4096 fits the u16 after jitk_check. */
	struct sock_fprog prog = {
		.len = (unsigned short)f->len,
		.filter = (struct sock_filter *)(void *)f->insns,
	};
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kflags, &prog);
	if (rc < 0 && errno == ENOSYS && kflags == 0) {
		/* Pre-3.17 kernels (or a filter that answers ENOSYS for
		 * seccomp): the prctl route is equivalent for flags 0 and the
		 * only one that exists there. */
		rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
		if (rc < 0 && errno == EINVAL) {
			/* Without seccomp(2), EINVAL most likely means a kernel
			 * without filter mode, else a checker disagreement. */
			jitk_err e = diag_err(d, JITK_E_KERNEL,
					      "prctl(PR_SET_SECCOMP): invalid argument (kernel "
					      "without CONFIG_SECCOMP_FILTER, or it rejects a "
					      "program jitk_check accepted)");
			if (d)
				d->sys_errno = EINVAL;
			return e;
		}
	}
	if (rc < 0)
		return loader_fail(d, errno, kflags, keep_privs);

	if (kflags & JITK_LOAD_NEW_LISTENER) {
		/* Success returns the listener fd (also with TSYNC, which the
		 * kernel only allows together with TSYNC_ESRCH, so a positive
		 * value cannot be a thread id). */
		ANALYZER_ASSUME(listener); /* refused above without one */
		*listener = (int)rc;
		return JITK_OK;
	}
	if (rc > 0 && (kflags & JITK_LOAD_TSYNC)) {
		/* TSYNC without TSYNC_ESRCH reports the thread that could not
		 * be synchronised by its TID; nothing was installed. */
		jitk_err e = diag_err(d, JITK_E_KERNEL,
				      "seccomp: TSYNC failed: thread %ld could not be "
				      "synchronised (it has a diverging seccomp filter)",
				      rc);
		if (d)
			d->sys_errno = ESRCH;
		return e;
	}
	return JITK_OK;
}
