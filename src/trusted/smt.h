/*
 * smt.h - the two Z3 encodings the translation validator compares.
 *
 * TRUSTED BASE.  jitk_verify/jitk_equiv (src/verify.c) prove "filter ==
 * policy" by asking Z3 whether smt_bpf(f) != smt_scpl(p) is satisfiable
 * over a fully symbolic struct seccomp_data.  A bug in either encoding can
 * make a wrong filter look right, so both are small, plain, and tested
 * against their concrete counterparts (jitk_interp, jitk_policy_eval) on
 * random inputs.  They share no code with the compiler (src/ir.c,
 * src/codegen.c), and no code with each other beyond the input model below.
 *
 * Input model: struct seccomp_data is 64 bytes = sixteen 32-bit words, the
 * values `ld [4k]` reads, each a free Z3 bit-vector constant of width 32:
 *     w[0] nr, w[1] arch, w[2]/w[3] instruction_pointer, w[4+2i]/w[5+2i]
 *     args[i],
 * the low half of a 64-bit field first on a little-endian ABI, second on a
 * big-endian one (params_word, trusted/params.h).  Every one of the 2^512
 * inputs is a model of these constants.  smt_bpf reads words and needs no
 * byte order; smt_scpl puts each argument together for its ABI.
 *
 * Z3 usage contract: the context must be created with Z3_mk_context (not
 * the _rc variant), so ASTs live until the context is deleted; the caller
 * owns the context and installs an error handler that does not exit.
 */
#ifndef JITK_SMT_H
#define JITK_SMT_H

#include <z3.h>

#include "diag.h"
#include "pol.h"

#define SMT_NWORDS 16u /* 64 bytes of seccomp_data / 4 */

/* Not p, without stacking negations: a branch's two edges carry p and its
 * plain negation.  An exact identity; smt_bpf.c and smt_x86.c both build
 * their branch guards with it, so the two encodings of an image's path
 * guards are the same terms and Z3 shares them (docs/verify.md, "The
 * per-image proof"). */
static inline Z3_ast smt_neg(Z3_context c, Z3_ast p)
{
	if (Z3_get_ast_kind(c, p) == Z3_APP_AST) {
		Z3_app app = Z3_to_app(c, p);
		if (Z3_get_decl_kind(c, Z3_get_app_decl(c, app)) == Z3_OP_NOT)
			return Z3_get_app_arg(c, app, 0);
	}
	return Z3_mk_not(c, p);
}

struct smt_input {
	Z3_ast w[SMT_NWORDS]; /* bit-vectors of width 32 */
};

/* Fresh symbolic input: constants named w0..w15. */
void smt_input_init(Z3_context c, struct smt_input *in);

/* The 16 words of a concrete seccomp_data, as this (little-endian) host
 * lays it out: jitk keeps a seccomp_data as the words `ld` reads
 * (include/jitk.h), so this is a copy, whatever the ABI's byte order. */
void smt_words_of(const struct seccomp_data *sd, uint32_t w[SMT_NWORDS]);
/* The inverse of smt_words_of. */
void smt_data_of(const uint32_t w[SMT_NWORDS], struct seccomp_data *sd);

/*
 * The kernel's runtime semantics of filter f: *ret becomes a 32-bit term
 * equal to what f returns on input `in`.  f must pass jitk_check; this
 * function runs the checker itself and returns its error (JITK_E_CHECK or
 * JITK_E_TOO_BIG) so that no unchecked program is ever "verified".
 */
jitk_err smt_bpf(Z3_context c, const jitk_filter *f, const struct smt_input *in, Z3_ast *ret, jitk_diag *d);

/*
 * The same without running jitk_check first.  Precondition: insns passed
 * the checker.  It still refuses (JITK_E_CHECK) anything it cannot encode
 * exactly -- an unknown or non-seccomp opcode, a jump out of range, a load
 * outside seccomp_data, a read of an unwritten scratch cell, a last
 * instruction that is not RET -- so a checker bug cannot turn into a wrong
 * encoding.  Exposed for the tests of the encoding itself.
 */
jitk_err smt_bpf_unchecked(Z3_context c, const jitk_insn *insns, size_t n, const struct smt_input *in,
			   Z3_ast *ret, jitk_diag *d);

/* The SCPL semantics of p (docs/scpl.md): a 32-bit term equal to
 * jitk_policy_eval(p, in) for every input.  NULL only if Z3 failed. */
Z3_ast smt_scpl(Z3_context c, const jitk_policy *p, const struct smt_input *in);

#endif
