#!/bin/sh
# test_verify.sh JITK - verify, diff and jit from the command line.
# Prints TAP lines.
. "$(dirname "$0")/lib.sh"
cli_setup verify "$@"
PAPER=$R/policies/paper.scpl

expect 0 "compile the paper policy without the proof" "$J" compile "$PAPER" -o paper.bpf --no-verify

# ---------------------------------------------------------------- verify
expect 0 "verify proves the compiled paper filter" "$J" verify "$PAPER" paper.bpf
has out "verified: paper.bpf implements" "verify says what it proved"

# A hand-written filter that allows open instead of denying it.
cat >wrong.s <<'X'
ld [4]
jne #0xc000003e, kill
ld [0]
jge #0x40000000, kill
jeq #SYS_open, allow
jeq #SYS_getpid, allow
jeq #SYS_gettimeofday, allow
kill: ret #RET_KILL_PROCESS
allow: ret #RET_ALLOW
X
expect 1 "verify refuses a filter that allows open" "$J" verify "$PAPER" wrong.s
has out "nr    open (2)" "the counterexample names the syscall"
has out "policy returns  ERRNO 13 EACCES" "the counterexample gives the policy's result"
has out "filter returns  ALLOW" "the counterexample gives the filter's result"

# A deny-list without the x32 guard (the firejail/kafel bypass): x32 open
# (0x40000002) passes the filter, while the policy treats x32 as foreign.
printf '{ default_action = Allow; rules = [ { action = Errno EACCES; syscall = [open; openat] } ] }\n' >deny.scpl
cat >nox32.s <<'X'
ld [4]
jne #0xc000003e, kill
ld [0]
jeq #SYS_open, eacces
jeq #SYS_openat, eacces
ret #RET_ALLOW
eacces: ret #RET_ERRNO|#EACCES
kill: ret #RET_KILL_PROCESS
X
expect 1 "verify catches a missing x32 guard" "$J" verify deny.scpl nox32.s
has out "arch  x32 (0xc000003e)" "the witness is an x32 call"
has out "filter returns  ALLOW" "which the filter allows"

printf 'ld #1\n' >noret.s
expect 1 "verify reports a filter the checker rejects" "$J" verify "$PAPER" noret.s
lacks out "verified" "a rejected filter is never called verified"
has err "last-not-ret" "the rejection names the checker rule"

printf '{ default_action = Kill; rules = [ { action = Allow; syscall = SYS_getpidd } ] }\n' >typo.scpl
expect 1 "verify reports a bad policy" "$J" verify typo.scpl paper.bpf
has err "typo.scpl:1:" "with file:line:col"
has err "^" "and a caret"
expect 2 "verify wants two operands" "$J" verify "$PAPER"
expect 2 "a malformed --timeout is a usage error" "$J" verify --timeout soon "$PAPER" paper.bpf

# ------------------------------------------------------------------ diff
expect 0 "diff of a policy and its own filter: equivalent" "$J" diff "$PAPER" paper.bpf
has out "equivalent" "diff says equivalent"
sed 's/action = Allow; syscall = SYS_getpid/action = Errno EPERM; syscall = SYS_getpid/' "$PAPER" >paper2.scpl
expect 1 "diff finds a changed rule" "$J" diff "$PAPER" paper2.scpl
has out "different: 1 syscall differs" "one syscall differs"
has out "getpid (39)" "the difference is grouped under getpid"
has out "B: ERRNO 1 EPERM" "with B's result"
expect 1 "diff of two filters finds the difference" "$J" diff paper.bpf wrong.s
has out "open" "the filter difference is on open"

# ------------------------------------------------------------------- jit
expect 0 "jit dumps validated code" "$J" jit paper.bpf --dump code.bin
has out "image validated" "jit says the image was validated"
if command -v objdump >/dev/null 2>&1; then
	objdump -D -b binary -mi386:x86-64 code.bin >dis 2>&1
	has dis "ret" "objdump reads the dumped code"
fi
expect 1 "jit refuses a filter the checker rejects" "$J" jit noret.s --dump bad.bin
absent bad.bin "no code file after a refusal"
for nr in open getpid gettimeofday read; do
	run "$J" eval paper.bpf --nr $nr --quiet
	want=$(cat out)
	run "$J" eval paper.bpf --nr $nr --quiet --jit
	same_line out "$want" "eval --jit equals the interpreter on $nr"
done

echo "1..$n"
