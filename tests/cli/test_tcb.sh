#!/bin/sh
# test_tcb.sh JITK - `make tcb` (tools/tcb.sh) and the trusted lists of
# README.md and docs/verify.md: every trusted file listed, each count within
# 20% of what tools/tcb.sh counts today; a doc with a wrong count or a
# missing file is refused.
. "$(dirname "$0")/lib.sh"
cli_setup tcb "$@"
(cd "$R" && B="$(dirname "$J")" sh tools/tcb.sh) >out 2>err
if [ $? -eq 0 ] && grep -q '^== What a policy means' out && grep -q 'src/trusted/scpl_eval.c' out &&
	grep -q '^== Filter = policy' out && grep -q 'src/loader.c' out; then
	ok "make tcb prints the trusted base per guarantee"
else
	notok "make tcb prints the trusted base per guarantee"
fi
expect 0 "README.md and docs/verify.md list the trusted base as tools/tcb.sh counts it" \
	sh -c "cd '$R' && sh tools/tcb.sh --check README.md docs/verify.md"
# A count changed by half, a trusted file left out: both refused.
awk '/^\| `src\/trusted\/scpl_eval.c` \|/ { $0 = "| `src/trusted/scpl_eval.c` | 1 | 1 |" } 1' \
	"$R/docs/verify.md" > "$T/wrong-count.md"
grep -v '^| `src/loader.c` |' "$R/docs/verify.md" > "$T/missing.md"
grep -v '^| The filter loaded is' "$R/README.md" > "$T/README.md"
for f in wrong-count.md missing.md README.md; do
	expect 1 "a trusted list that is not true is refused ($f)" \
		sh -c "cd '$R' && sh tools/tcb.sh --check '$T/$f'"
done
