#!/bin/sh
# test_bad_inputs.sh JITK - the bad-input corpus: every row of
# tests/cli/bad_inputs.tsv is one malformed input or command line that must
# be refused cleanly.  Prints TAP lines, one per row, and a count per command.
#
# Each row runs in a directory holding a copy of tests/cli/bad/ and a few
# good files (good.bpf, good.s, paper.scpl, allow.scpl), twice:
#   - with jitk under ulimit: 10 s of CPU, 1 GiB of address space, 8 MiB
#     files (and a 20 s wall-clock timeout): a hang or a runaway allocation
#     fails the row instead of the machine;
#   - with the ASan+UBSan build (build/asan/jitk, when it exists; 10 s of
#     CPU, 1 GiB of RSS): any sanitizer report fails the row.
# Both runs must exit with the row's status and print a message matching
# its regex on stderr, and the directory must stay exactly as it was: no
# output file, no temporary file, no input changed (names, types, sizes,
# modes, inodes, modification times).  The rows run in two lanes (two
# directories) at once.
#
# Table format (tab-separated; '#' lines and blank lines are skipped):
#   STATUS <TAB> STDERR-REGEX (grep -E) <TAB> COMMAND (sh; `jitk` is the binary)
# Add a row for every new way of refusing input.  Messages should be
# located: file:line:col for text, "instruction N" for programs.
. "$(dirname "$0")/lib.sh"
cli_setup bad "$@"

TABLE=$R/tests/cli/bad_inputs.tsv
BAD=$R/tests/cli/bad
JA=$(dirname "$J")/asan/jitk
[ -x "$JA" ] || JA=

# Good fixtures every row may use.
mkdir fx
cp "$BAD"/* fx/
cp "$R/policies/paper.scpl" fx/paper.scpl
printf '{ default_action = Allow; rules = [ { action = Errno EPERM; syscall = ptrace } ] }\n' >fx/allow.scpl
"$J" compile fx/paper.scpl -o fx/good.bpf --no-verify 2>/dev/null
"$J" disasm fx/good.bpf -o fx/good.s 2>/dev/null
[ -s fx/good.bpf ] && [ -s fx/good.s ] || { echo "not ok 1 - fixtures"; exit 1; }

# state DIR: every entry with its type, size, mode, inode and mtime.
state() {
	(cd "$1" && find . -mindepth 1 -printf '%p %y %s %m %i %T@ %l\n' | sort)
}

# one_run LANE BIN CMD: run CMD in the lane's directory; sets rc, leaves
# LANE.out, LANE.err and LANE.state.
one_run() {
	(
		cd "$1" || exit 99
		ulimit -t 10
		ulimit -f 16384
		[ "$2" = "$J" ] && ulimit -v 1048576
		JITK=$2
		export JITK
		ASAN_OPTIONS=detect_leaks=1:hard_rss_limit_mb=1024 UBSAN_OPTIONS=print_stacktrace=1 \
			exec timeout 20 sh -c 'jitk() { "$JITK" "$@"; }; '"$3"
	) >"$1.out" 2>"$1.err" </dev/null
	rc=$?
	state "$1" >"$1.state"
}

# check LANE WANT REGEX LABEL: the checks of one run; prints what failed.
check() {
	[ "$rc" -eq "$2" ] || echo "$4: exit $rc, want $2"
	grep -Eq -- "$3" "$1.err" || echo "$4: stderr does not match /$3/"
	if grep -Eq 'Sanitizer|runtime error:' "$1.err"; then echo "$4: sanitizer report"; fi
	cmp -s "$1.base" "$1.state" ||
		echo "$4: files changed: $(diff "$1.base" "$1.state" | grep '^[<>]' | head -n 3 | tr '\n' ' ')"
}

# lane NAME K: run every row whose number is K mod 2; one result line each,
# "ROW<TAB>COMMAND-WORD<TAB>COMMAND<TAB>problems" (joined by \037).
lane() {
	L=$1 K=$2
	cp -a fx "$L"
	state "$L" >"$L.base"
	row=0
	while IFS="$tab" read -r want re cmd; do
		case $want in '' | '#'*) continue ;; esac
		row=$((row + 1))
		[ $((row % 2)) -eq "$K" ] || continue
		problems=$(
			one_run "$L" "$J" "$cmd"
			check "$L" "$want" "$re" "jitk"
			cp "$L.err" "$L.err.$row"
			if [ -n "$JA" ]; then
				one_run "$L" "$JA" "$cmd"
				check "$L" "$want" "$re" "asan"
			fi
		)
		if ! cmp -s "$L.base" "$L.state"; then # undo a failed row's damage
			rm -rf "$L"
			cp -a fx "$L"
			state "$L" >"$L.base"
		fi
		word=$(echo "$cmd" | awk '{ print $2 }')
		case $word in compile | run | verify | diff | asm | disasm | check | eval | exec | jit | stack | syscall | learn | dump) ;; *) word=global ;; esac
		printf '%s\t%s\t%s\t%s\n' "$row" "$word" "$cmd" "$(printf '%s' "$problems" | tr '\n' '\037')"
	done <"$TABLE"
}

tab=$(printf '\t')
lane a 0 >a.results &
lane b 1 >b.results
wait
sort -n a.results b.results >results
while IFS="$tab" read -r row word cmd problems; do
	if [ -z "$problems" ]; then
		ok "[$word] $cmd"
	else
		n=$((n + 1))
		echo "not ok $n - [$word] $cmd"
		printf '%s\n' "$problems" | tr '\037' '\n' | grep . | sed 's/^/#   /'
		for e in a.err.$row b.err.$row; do [ -f "$e" ] && sed 's/^/#   stderr: /' "$e" | head -n 6; done
	fi
done <results
echo "# bad inputs per command:"
cut -f2 results | sort | uniq -c | awk '{ printf "#   %-8s %d\n", $2, $1 }'
echo "# total: $(wc -l <results)"
