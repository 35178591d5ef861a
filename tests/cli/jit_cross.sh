#!/bin/sh
# jit_cross.sh JITK - `make jit-cross` (not part of make test: cvc5 on the
# larger images takes seconds each).  The second solver on the third arrow: the image
# proof of every shipped policy's JIT image (x86-64 semantics vs the BPF,
# src/trusted/jit_prove.c) is re-checked by cvc5 on the same query exported
# as SMT-LIB 2 (`jitk jit FILTER --cross-check`).  Two policies at a time.
. "$(dirname "$0")/lib.sh"
cli_setup jit_cross "$@"

if ! command -v cvc5 >/dev/null 2>&1; then
	echo "not ok 1 - cvc5 is installed (tools/deps.sh installs it)"
	echo "1..1"
	exit 0
fi

ls "$R"/policies/*.scpl "$R"/policies/*/*.scpl 2>/dev/null >list
xargs -P 2 -I{} sh -c '
	p={}; b=$(echo "$p" | tr "/" "_")
	if ! "$0" compile "$p" -o "$b.bpf" --no-verify >/dev/null 2>"$b.err"; then
		echo "not ok - $p compiles # $(head -n 1 "$b.err")"
	elif "$0" jit "$b.bpf" --cross-check >"$b.out" 2>"$b.err"; then
		echo "ok - $p: $(tail -n 1 "$b.out")"
	else
		echo "not ok - $p: cvc5 cross-check of the image # $(head -n 1 "$b.err")"
	fi' "$J" <list >results
total=$(wc -l <list)
while IFS= read -r l; do
	n=$((n + 1))
	echo "$l" | sed "s/^ok -/ok $n -/; s/^not ok -/not ok $n -/"
done <results
if [ "$(wc -l <results)" -eq "$total" ] && [ "$total" -gt 0 ] && ! grep -q '^not ok' results; then
	ok "all $total shipped policies' images cross-checked"
else
	notok "all shipped policies' images cross-checked" "$(grep -c '^ok' results) of $total"
fi

"$J" compile "$R/policies/paper.scpl" -o paper.bpf >/dev/null 2>&1
"$J" jit paper.bpf --dump paper.x86 >/dev/null 2>&1
expect 0 "--check IMAGE --cross-check: proved and cross-checked" "$J" jit paper.bpf --check paper.x86 --cross-check
has out "cross-checked: cvc5 also answers unsat" "and says so"
# Without cvc5 the cross-check fails loudly, never silently passes.
PATH=/nonexistent expect 3 "no cvc5: jit --cross-check fails" "$J" jit paper.bpf --cross-check
has err "cvc5 not found" "and says why"
# A second solver that disagrees (a stand-in answering sat) fails it.
mkdir fake
printf '#!/bin/sh\necho sat\n' >fake/cvc5
chmod +x fake/cvc5
PATH=$T/fake:$PATH expect 3 "a second solver answering sat fails the cross-check" "$J" jit paper.bpf --cross-check
has err "the solvers disagree on the image proof" "and names the disagreement"
PATH=$T/fake:$PATH expect 3 "the same for --check IMAGE" "$J" jit paper.bpf --check paper.x86 --cross-check
expect 0 "without --cross-check no second solver runs" env PATH=/nonexistent "$J" jit paper.bpf
lacks out "cross-checked" "nothing claims a cross-check"

echo "1..$n"
