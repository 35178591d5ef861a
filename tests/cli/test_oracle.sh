#!/bin/sh
# test_oracle.sh JITK - the second reader's differential test: docs/scpl.md
# read by an independent Python reader (tests/oracle/scpl_ref.py) against
# jitk_policy_eval on generated and shipped policies, and the proved
# parse/print/parse round trip (tests/oracle/run.py prints the TAP lines).
# JITK_SEED=N replays a run; docs/verify.md says how to see it fail.
B=$(dirname "${1:-build/jitk}")
exec python3 tests/oracle/run.py "$B"
