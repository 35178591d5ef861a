#!/bin/sh
# run.sh BUILD_DIR [unit] - run every test (or, with "unit", the unit tests
# alone: make check) and end with the line "N passed, N failed".
#   build/tests/unit/*        cmocka unit tests
#   build/asan/tests/unit/*   the same under ASan+UBSan
#   build/tests/kernel/*      differential tests against the running kernel
#   tests/cli/*.sh            CLI tests printing TAP lines ("ok" / "not ok")
# Logs go to BUILD_DIR/test-logs/.  Run from the repository root.
B=${1:-build}
log=$B/test-logs
mkdir -p "$log"
pass=0
fail=0
t0=$(date +%s)

count() { # FILE -> "passed failed" from cmocka summaries and TAP lines
	awk '/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
	     /^\[  FAILED  \] [0-9]+ test/ { f += $4 }
	     /^ok / { p++ } /^not ok / { f++ }
	     END { printf "%d %d\n", p, f }' "$1"
}

run() { # NAME CMD... : run one test program, add its counts
	name=$1
	shift
	out="$log/$(echo "$name" | tr '/' '_').log"
	s=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	set -- $(count "$out")
	p=$1 f=$2
	# A crash or a non-zero exit with nothing counted as failed is a failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "  $name exited with status $rc"
	fi
	printf '%-40s %4d passed, %d failed  (%ds)\n' "$name" "$p" "$f" $(($(date +%s) - s))
	if [ "$f" -ne 0 ]; then
		grep -E '^\[  (ERROR|FAILED) \]|^not ok|error|Error|ERROR|FAIL' "$out" | head -n 20 | sed 's/^/    /'
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

# One fresh proof cache (cli/cache.c) for the whole run, never the user's:
# the suites that compile a policy twice exercise it as users do.
XDG_CACHE_HOME=$(cd "$B" && pwd)/test-cache
rm -rf "$XDG_CACHE_HOME"
export XDG_CACHE_HOME
unset JITK_NO_CACHE

only=${2:-all}
for t in "$B"/tests/unit/test_*; do [ -x "$t" ] && run "unit/${t##*/}" "$t"; done
if [ "$only" != unit ]; then
for t in "$B"/asan/tests/unit/test_*; do [ -x "$t" ] && run "asan/${t##*/}" "$t"; done
for t in "$B"/tests/kernel/test_*; do [ -x "$t" ] && run "kernel/${t##*/}" "$t"; done
for t in tests/cli/test_*.sh; do [ -f "$t" ] && run "cli/${t##*/}" sh "$t" "$B/jitk"; done
fi

echo "make test took $(($(date +%s) - t0))s; logs in $log/"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
