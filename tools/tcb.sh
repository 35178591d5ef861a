#!/bin/sh
# tcb.sh [--markdown | --check FILE... | --update FILE...] - the trusted
# computing base of jitk, per guarantee, with line counts (`make tcb`).
#
# For each guarantee jitk makes, the files a bug in which could break it
# without any test or proof noticing, and what checks them.  Two counts per
# file: "lines" is `wc -l`; "code" is the lines left once blank lines and
# comments (C /* */ and //, '#' in shell and Python) are dropped.  The
# generated tables are counted from BUILD (default build/) when built.
#
#   --markdown       the same as Markdown tables, one per guarantee (docs/verify.md)
#   --summary        one Markdown row per guarantee (README.md)
#   --check FILE...  each FILE's block between "<!-- tcb:begin -->" and
#                    "<!-- tcb:end -->" must list every trusted file, each with
#                    a code count within 20% of today's (formatting may move
#                    a few lines; a new trusted file or a rewrite may not)
#   --update FILE... rewrite those blocks with --markdown's table
# Run from the repository root.
set -eu
B=${B:-build}
export LC_ALL=C

# guarantee|files (globs)|checked by
GUARANTEES='meaning|src/scpl_lex.c src/scpl_lex.h src/scpl_parse.c src/scpl_parse.h src/scpl_include.c src/scpl_resolve.c src/names.c src/policy.h src/trusted/pol.h src/trusted/scpl_eval.c src/trusted/params.c src/trusted/params.h src/trusted/tables.h|the second reader (tests/oracle/, 200,000+ cases), the corpus (tests/kernel/test_corpus.c, the reference evaluator of ../shared/corpus), the grammar and error tests
tables|tools/gen_tables.sh tools/gen_params.py tools/ksrc.sh tools/abis.txt|a second reading: tests/unit/test_tables.c (clang on each ABI'"'"'s own headers, libc on x86_64, hand-checked widths), tests/cli/test_gen_params.sh
proof|src/verify.c src/verify.h src/compile.c src/trusted/smt.h src/trusted/smt_scpl.c src/trusted/smt_bpf.c src/trusted/check.c src/trusted/check.h src/trusted/insn.c src/trusted/insn.h|the encodings against their concrete twins, the checker and interpreter against the kernel, jitk verify --cross-check (cvc5), Z3 (trusted, not counted)
loaded|src/filter.c src/loader.c|round trips, the kernel'"'"'s PTRACE_SECCOMP_GET_FILTER (tests/kernel/test_loader.c)
jit|src/trusted/jit_check.c src/trusted/jit_check.h src/trusted/smt_x86.c src/trusted/smt_x86.h src/trusted/jit_prove.c src/trusted/jit_prove.h|the image validator and the per-image proof; differential tests against the interpreter
interp|src/trusted/interp.c src/trusted/interp.h src/trusted/stack.c src/trusted/stack.h src/trusted/diag.h src/trusted/analyzer.h|the real kernel: random programs, inputs and stacks (tests/kernel/)'

title() {
	case $1 in
	meaning) echo "What a policy means: front end (lexer, parser, includes, resolver) and the specification" ;;
	tables) echo "The generated tables: their generators (syscall numbers, constants, parameter widths per ABI)" ;;
	proof) echo "Filter = policy: the proof, its split and UNSAT-means-equal step, the no-proof-no-filter gate" ;;
	loaded) echo "The filter loaded is the filter proved: codec and loader" ;;
	jit) echo "jitk's x86-64 code = the filter" ;;
	interp) echo "jitk eval and jitk stack answer as the kernel" ;;
	esac
}

# count FILE -> "lines code"
count() {
	case $1 in
	*.c | *.h) kind=c ;;
	*) kind=sh ;;
	esac
	awk -v kind=$kind '
	{ n++; s = $0
	  if (kind == "c") {
	    out = ""
	    while (length(s) > 0) {
	      if (inc) { i = index(s, "*/"); if (!i) { s = ""; break } s = substr(s, i + 2); inc = 0; continue }
	      i = index(s, "/*"); j = index(s, "//")
	      if (j && (!i || j < i)) { out = out substr(s, 1, j - 1); s = ""; break }
	      if (i) { out = out substr(s, 1, i - 1); s = substr(s, i + 2); inc = 1; continue }
	      out = out s; s = ""
	    }
	    s = out
	  } else { sub(/^[ \t]*#.*/, "", s) }
	  if (s ~ /[^ \t\r]/) code++ }
	END { printf "%d %d\n", n, code }' "$1"
}

table() { # mode: text | markdown (a table per guarantee) | summary (a row per guarantee)
	[ "$1" = summary ] && printf '| guarantee | trusted files | lines | code | checked by |\n|---|---|---:|---:|---|\n'
	echo "$GUARANTEES" | while IFS='|' read -r g files checked; do
		tl=0 tc=0 names=
		case $1 in
		markdown) printf '\n**%s** (checked by %s)\n\n| file | lines | code |\n|---|---:|---:|\n' "$(title "$g")" "$checked" ;;
		text) printf '\n== %s\n' "$(title "$g")" ;;
		esac
		for f in $files; do
			[ -f "$f" ] || { echo "tcb.sh: $f is gone: update tools/tcb.sh" >&2; exit 1; }
			set -- $(count "$f") "$1"
			tl=$((tl + $1)) tc=$((tc + $2)) names="$names${names:+, }${f##*/}"
			case $3 in
			markdown) printf '| `%s` | %d | %d |\n' "$f" "$1" "$2" ;;
			text) printf '   %-32s %6d %6d\n' "$f" "$1" "$2" ;;
			esac
			set -- "$3"
		done
		case $1 in
		markdown) printf '| total | %d | %d |\n' "$tl" "$tc" ;;
		text) printf '   %-32s %6d %6d\n   checked by: %s\n' total "$tl" "$tc" "$checked" ;;
		summary) printf '| %s | %s | %d | %d | %s |\n' "$(title "$g")" "$names" "$tl" "$tc" "$checked" ;;
		esac
	done
}

# Every file of src/trusted/ must be under some guarantee.
for f in src/trusted/*; do
	echo "$GUARANTEES" | grep -q " $f\b\|[|]$f\b" || { echo "tcb.sh: $f is trusted but in no guarantee" >&2; exit 1; }
done

mode=${1:-text}
case $mode in
text)
	echo "jitk trusted computing base, per guarantee (lines: wc -l; code: non-blank, non-comment)"
	table text
	echo
	echo "== Generated tables ($B/gen, from the kernel headers and source at build time)"
	if ls "$B"/gen/sys_*.c >/dev/null 2>&1; then
		for f in "$B"/gen/abis.c "$B"/gen/sys_*.c "$B"/gen/consts_*.c "$B"/gen/errno.c "$B"/gen/params.c; do
			if [ -f "$f" ]; then printf "   %-32s %6d\n" "$f" "$(wc -l <"$f")"; fi
		done
	else
		echo "   (not built: make first)"
	fi
	echo
	echo "Also trusted, not counted: Z3 (UNSAT answers), the C compiler, the kernel."
	;;
--markdown)
	table markdown
	;;
--summary)
	table summary
	;;
--check | --update)
	action=$mode
	shift
	T=$(mktemp "${TMPDIR:-/tmp}/jitk-tcb.XXXXXX")
	trap 'rm -f "$T" "$T.new"' EXIT INT TERM
	bad=0
	for doc in "$@"; do
		case $doc in
		*README.md) table summary >"$T" ;;
		*) table markdown >"$T" ;;
		esac
		grep -q '^<!-- tcb:begin -->$' "$doc" || { echo "$doc: no <!-- tcb:begin --> block" >&2; exit 1; }
		if [ "$action" = --update ]; then
			awk -v t="$T" '/^<!-- tcb:begin -->$/ { print; while ((getline l < t) > 0) print l; skip = 1; next }
			     /^<!-- tcb:end -->$/ { skip = 0 } !skip' "$doc" >"$T.new" && cat "$T.new" >"$doc"
			continue
		fi
		# Each row's code count in the doc within 20% of today's (rows keyed
		# by their first cell; "code" is the 4th column in both forms).
		awk -v t="$T" -v doc="$doc" '
		  function row(l) { return l ~ /^\| / && l !~ /^\|---/ && l !~ /^\| (file|guarantee|total) \|/ }
		  BEGIN { while ((getline l < t) > 0) if (row(l)) { split(l, a, "|"); now[a[2]] = a[4] + 0 } }
		  /^<!-- tcb:begin -->$/ { in_ = 1; next } /^<!-- tcb:end -->$/ { in_ = 0 }
		  in_ && row($0) { split($0, a, "|"); was[a[2]] = a[4] + 0 }
		  END { for (f in now) {
		          if (!(f in was)) { printf "%s: %s missing\n", doc, f; bad = 1; continue }
		          d = now[f] - was[f]; if (d < 0) d = -d
		          if (d > now[f] / 5 + 2) { printf "%s: %s has %d code lines, the doc says %d\n", doc, f, now[f], was[f]; bad = 1 } }
		        for (f in was) if (!(f in now)) { printf "%s: %s is no longer trusted\n", doc, f; bad = 1 }
		        exit bad }' "$doc" || bad=1
	done
	[ "$bad" -eq 0 ] || { echo "run: tools/tcb.sh --update README.md docs/verify.md" >&2; exit 1; }
	;;
*)
	echo "usage: tools/tcb.sh [--markdown | --check FILE... | --update FILE...]" >&2
	exit 2
	;;
esac
