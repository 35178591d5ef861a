#!/bin/sh
# test_cross.sh JITK - the second solver: every UNSAT answer of the proofs
# of the shipped policies (each compiled filter against its policy, one
# query per arch part) is re-checked by cvc5 on the same query exported as
# SMT-LIB 2 (`jitk verify --cross-check`).  Two policies at a time.
. "$(dirname "$0")/lib.sh"
cli_setup cross "$@"

if ! command -v cvc5 >/dev/null 2>&1; then
	echo "not ok 1 - cvc5 is installed (tools/deps.sh installs it)"
	echo "1..1"
	exit 0
fi

ls "$R"/policies/*.scpl "$R"/policies/*/*.scpl 2>/dev/null >list
# one line per policy: "ok" or "not ok", with cvc5's verdict
xargs -P 2 -I{} sh -c '
	p={}; b=$(echo "$p" | tr "/" "_")
	if ! "$0" compile "$p" -o "$b.bpf" --no-verify >/dev/null 2>"$b.err"; then
		echo "not ok - $p compiles # $(head -n 1 "$b.err")"
	elif "$0" verify "$p" "$b.bpf" --cross-check >"$b.out" 2>"$b.err"; then
		echo "ok - $p: $(tail -n 1 "$b.out")"
	else
		echo "not ok - $p: cvc5 cross-check # $(head -n 1 "$b.err")"
	fi' "$J" <list >results
total=$(wc -l <list)
while IFS= read -r l; do
	n=$((n + 1))
	echo "$l" | sed "s/^\(not \)\{0,1\}ok -/&/; s/^ok -/ok $n -/; s/^not ok -/not ok $n -/"
done <results
if [ "$(wc -l <results)" -eq "$total" ] && [ "$total" -gt 0 ]; then
	ok "all $total shipped policies cross-checked"
else
	notok "all shipped policies cross-checked" "$(wc -l <results) of $total"
fi

# Without cvc5 the cross-check fails loudly, never silently passes.
"$J" compile "$R/policies/paper.scpl" -o paper.bpf >/dev/null 2>&1
PATH=/nonexistent expect 3 "no cvc5: --cross-check fails" "$J" verify "$R/policies/paper.scpl" paper.bpf --cross-check
has err "cvc5 not found" "and says why"
expect 0 "without --cross-check no second solver runs" env PATH=/nonexistent "$J" verify "$R/policies/paper.scpl" paper.bpf
lacks out "cross-checked" "nothing claims a cross-check"

echo "1..$n"
