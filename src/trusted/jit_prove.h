/*
 * jit_prove.h - the per-image proof: a JIT image computes exactly what its
 * filter computes, for every input.
 *
 * TRUSTED BASE.  jit_prove asks Z3 (QF_BV) whether
 *     fault(image) || x86(image) != bpf(filter)
 * is satisfiable, over a fully symbolic struct seccomp_data and arbitrary
 * initial registers and stack (smt_x86.h, smt.h).  UNSAT: proved.  SAT:
 * the model is a counterexample; its input is replayed through the
 * reference interpreter, and the image's value in the model must really
 * differ (or the image fault) there, else it is an internal error, never a
 * pass.  Unknown (a limit reached): refused.  The semantics of both sides are the
 * trusted encodings; the emitter is not involved at all.
 */
#ifndef JITK_JIT_PROVE_H
#define JITK_JIT_PROVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jitk.h"

/* The budget of one proof.  The limit that decides is Z3's resource limit
 * (rlimit: a count of Z3's own steps, the same for the same query on a
 * quiet or a loaded machine, so the same image always gets the same
 * answer); the wall-clock timeout is only a last resort against a solver
 * that stops counting (docs/jit.md, "The proof": how the default was
 * chosen).  0 in jit_prove's arguments means these defaults. */
#define JIT_PROVE_DEFAULT_RLIMIT 200000000u
#define JIT_PROVE_DEFAULT_TIMEOUT_MS 120000u

struct jit_proof {
	bool has_cex;           /* a counterexample was found (and replayed) */
	struct seccomp_data in; /* its input */
	uint32_t image_ret;     /* what the image returns there (the semantics) */
	uint32_t filter_ret;    /* what the filter returns (jitk_interp) */
	bool image_faults;      /* the image faults (divide error) there */
	size_t x86_insns;       /* instructions decoded */
	uint64_t rlimit_used;   /* Z3's resource count of the check */
	char *smtlib;           /* the query as SMT-LIB 2 if asked (free()) */
};

/* Prove code[0..len) equal to filter f (which must pass jitk_check; else
 * JITK_E_CHECK).  rlimit 0: JIT_PROVE_DEFAULT_RLIMIT; timeout_ms 0:
 * JIT_PROVE_DEFAULT_TIMEOUT_MS.  want_smtlib:
 * also store the query (the assertion Z3 found UNSAT, or not) in
 * res->smtlib.  JITK_OK: proved.  JITK_E_JIT: refused -- the image is not
 * in the modelled subset (d->msg names the native offset; the first byte
 * the decoder cannot read is named), or it differs (res->has_cex, d->msg
 * states the input and both results), or Z3 did not decide within the
 * limits
 * (rule "jit-proof-undecided", d->msg naming the image and the limit
 * that stopped Z3).  JITK_E_SOLVER: a Z3 error or a
 * counterexample that does not replay (an internal error).  res may be
 * NULL. */
jitk_err jit_prove(const jitk_filter *f, const uint8_t *code, size_t len, unsigned rlimit,
		   unsigned timeout_ms, bool want_smtlib, struct jit_proof *res, jitk_diag *d);

#endif
