#!/bin/sh
# test_stack.sh JITK - jitk stack, and stacks as operands of diff and verify.
# Prints TAP lines.
. "$(dirname "$0")/lib.sh"
cli_setup stack "$@"
PAPER=$R/policies/paper.scpl
DOCKER=$R/policies/docker-default.scpl

# Two filters answering ERRNO with different data for getpid: on a tie of
# actions the newest filter's answer, data included, wins.
cat >e1.s <<'X'
ld [0]
jeq #39, e
ret #RET_ALLOW
e: ret #0x50001
X
cat >e2.s <<'X'
ld [0]
jeq #39, e
ret #RET_ALLOW
e: ret #0x50002
X
expect 0 "stack two filters" "$J" stack e1.s e2.s -o s12.bpf
expect 0 "eval the stack on getpid" "$J" eval s12.bpf --nr getpid
has out "ERRNO" "the stack answers ERRNO"
has out "0x00050002" "the newest filter's data wins the tie"
expect 0 "stack in the other order" "$J" stack e2.s e1.s -o s21.bpf
expect 0 "eval the reversed stack" "$J" eval s21.bpf --nr getpid
has out "0x00050001" "reversed: the other data wins"
expect 1 "the two orders differ" "$J" diff s12.bpf s21.bpf
expect 0 "diff takes a stack operand" "$J" diff e1.s+e2.s s12.bpf
has out "equivalent" "the stack equals its combined filter"
expect 1 "the stack in another order is not the combined filter" "$J" diff e2.s+e1.s s12.bpf

# A policy and a filter: the strictest answer wins.
expect 0 "stack a policy on a filter" "$J" stack "$DOCKER" "$PAPER" -o dp.bpf
expect 0 "eval: open is denied by the paper policy" "$J" eval dp.bpf --nr open
has out "EACCES" "paper's Errno EACCES on open wins over Docker's allow"
expect 0 "eval: ptrace is killed" "$J" eval dp.bpf --nr ptrace
has out "KILL" "paper's kill wins over Docker's errno"
"$J" compile "$PAPER" -o paper.bpf >/dev/null 2>&1
expect 0 "verify a policy against a stack" "$J" verify "$PAPER" paper.bpf+paper.bpf
has out "verified" "a policy stacked on itself is itself"
# paper below Docker is paper (paper is the stricter everywhere) ...
expect 0 "verify: paper stacked under Docker is paper" "$J" verify "$PAPER" paper.bpf+"$DOCKER"
# ... but not Docker's profile
expect 1 "verify: Docker stacked on paper is not Docker" "$J" verify "$DOCKER" dp.bpf
has out "DIFFERENT" "verify says the stack differs"

# Bad input: nothing written, a clear message.
expect 2 "stack without -o" "$J" stack e1.s e2.s
expect 2 "stack without filters" "$J" stack -o x.bpf
expect 2 "stack with an unknown option" "$J" stack e1.s --frob -o x.bpf
printf 'ld [0]\n' >noret.s
expect 1 "stack refuses an invalid member" "$J" stack e1.s noret.s -o bad.bpf
has err "noret.s" "the message names the invalid member"
if [ -e bad.bpf ]; then notok "no output after a refusal"; else ok "no output after a refusal"; fi
expect 1 "a missing member of a stack operand" "$J" diff e1.s+nosuch.s s12.bpf
has err "nosuch.s" "the message names the missing member"
expect 1 "an empty member of a stack operand" "$J" diff e1.s++e2.s s12.bpf
has err "empty member" "the message says the member is empty"
# a file whose name contains '+' is a file, not a stack
cp e1.s 'a+b.s'
expect 0 "a path with '+' that exists is one filter" "$J" diff 'a+b.s' e1.s

# explain takes a stack: the stack as one readable policy, proved equal.
printf '{ default_action = Allow; rules = [ { action = Errno 1; syscall = getpid } ] }\n' >a.scpl
printf '{ default_action = Allow; rules = [ { action = Errno 2; syscall = [getpid; getuid] } ] }\n' >b.scpl
expect 0 "explain a stack of two policies" "$J" explain a.scpl+b.scpl --scpl -o ab.scpl
has ab.scpl "Errno ENOENT" "the newer policy's errno 2 wins the tie on getpid"
lacks ab.scpl "Errno EPERM" "and the older one's errno 1 is gone"
expect 0 "the explained policy equals the stack" "$J" diff ab.scpl a.scpl+b.scpl

# dump --effective: a process's whole stack as one proved filter.
"$J" exec e1.s -- "$J" exec e2.s -- sleep 30 &
xp=$!
i=0
while [ "$(cat /proc/$xp/comm 2>/dev/null)" != sleep ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect 0 "dump --effective of a process under two filters" "$J" dump $xp --effective -o eff.bpf
expect 0 "the effective filter equals the stack e1+e2" "$J" diff eff.bpf e1.s+e2.s
expect 0 "and the combined filter of jitk stack" "$J" diff eff.bpf s12.bpf
expect 0 "dump --effective to standard output" "$J" dump $xp --effective
has out "the effective filter of process $xp: its 2 filters as one" "the listing says what it is"
kill $xp 2>/dev/null
wait $xp 2>/dev/null
echo "1..$n"
