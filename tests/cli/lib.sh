# lib.sh - shared by the CLI test scripts (sourced, not run).
#   . "$(dirname "$0")/lib.sh"  then  cli_setup NAME "$@"
# Sets J (absolute path of jitk), R (repository root), D (tests/cli/data),
# and moves into a fresh temporary directory removed on exit.  The helpers
# print TAP lines ("ok N - what" / "not ok N - what" with # details).

cli_setup() {
	name=$1
	J=${2:?usage: test_$name.sh path/to/jitk}
	case $J in /*) ;; *) J=$(pwd)/$J ;; esac
	R=$(cd "$(dirname "$0")/../.." && pwd)
	D=$R/tests/cli/data
	T=$(mktemp -d "${TMPDIR:-/tmp}/jitk-$name.XXXXXX") || exit 1
	trap 'rm -rf "$T"' EXIT INT TERM
	cd "$T" || exit 1
	export LC_ALL=C
	n=0
}

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for l in "$@"; do echo "#   $l"; done
	[ -s err ] && sed 's/^/#   stderr: /' err | head -n 8
	[ -s out ] && sed 's/^/#   stdout: /' out | head -n 4
	return 0
}

# run CMD...: status in $rc, stdout in ./out, stderr in ./err
run() {
	"$@" >out 2>err
	rc=$?
}

# expect STATUS WHAT CMD...: run CMD and check its exit status
expect() {
	want=$1 what=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok "$what"; else notok "$what" "exit $rc, want $want"; fi
}

# has FILE FRAGMENT WHAT: FILE contains FRAGMENT (fixed string)
has() {
	if grep -qF -- "$2" "$1" 2>/dev/null; then ok "$3"; else notok "$3" "no '$2' in $1"; fi
}

# lacks FILE FRAGMENT WHAT: FILE does not contain FRAGMENT
lacks() {
	if grep -qF -- "$2" "$1" 2>/dev/null; then notok "$3" "'$2' in $1"; else ok "$3"; fi
}

# same_line FILE LINE WHAT: FILE is exactly LINE
same_line() {
	got=$(cat "$1")
	if [ "$got" = "$2" ]; then ok "$3"; else notok "$3" "got '$got'" "want '$2'"; fi
}

# absent FILE WHAT: FILE and its temporaries do not exist
absent() {
	if [ -e "$1" ] || ls "$1".tmp* >/dev/null 2>&1; then
		notok "$2" "$1 exists after a failure"
	else
		ok "$2"
	fi
}
