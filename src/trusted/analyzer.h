/*
 * analyzer.h - what the clang static analyzer (make analyze) cannot see for
 * itself, said once.  Both macros compile to nothing outside the analyzer:
 * they change no code, only which paths the analyzer believes possible.
 */
#ifndef JITK_ANALYZER_H
#define JITK_ANALYZER_H

/* ANALYZER_ASSUME(c): c holds here because an earlier pass or the caller's
 * contract established it (the comment at each use says which), in a way
 * the analyzer does not follow (other loop iterations, strcmp, another
 * file).  Not a run-time check: the code after it relies on that pass. */
/* diag_analyzer_err(call): call returns an error, never JITK_OK (diag.h).
 * A statement expression, not a function: the analyzer stops inlining calls
 * deep in a recursive descent. */
#ifdef __clang_analyzer__
#define ANALYZER_ASSUME(c)                       \
	do {                                     \
		if (!(c))                        \
			__builtin_unreachable(); \
	} while (0)
#define diag_analyzer_err(call)                  \
	__extension__({                          \
		jitk_err diag_e_ = (call);       \
		if (diag_e_ == JITK_OK)          \
			__builtin_unreachable(); \
		diag_e_;                         \
	})
#else
#define ANALYZER_ASSUME(c) ((void)0)
#endif

#endif
