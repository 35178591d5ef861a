#!/bin/sh
# test_runtime.sh JITK - the Z3-free runtime library (build/libjitk-rt.a):
# a program that loads a filter made at build time links without libz3,
# and the filter it loads is in force (tests/rt/rt_load.c).
. "$(dirname "$0")/lib.sh"
cli_setup runtime "$@"
B=$(dirname "$J")
rt=$B/tests/rt/rt_load

if [ -x "$rt" ]; then ok "rt_load is built"; else notok "rt_load is built" "no $rt"; fi
ldd "$rt" >deps 2>&1
lacks deps z3 "rt_load does not need libz3"
nm "$B/libjitk-rt.a" >syms 2>&1
lacks syms " U Z3_" "libjitk-rt.a references no Z3 symbol"
run "$rt"
same_line out loaded "the --format c array loads and is in force (getppid refused)"
"$J" compile "$R/tests/rt/rt.scpl" -o rt.bpf >/dev/null 2>&1
run "$rt" raw rt.bpf
same_line out loaded "raw bytes load and are in force"
# a truncated filter is refused before the kernel sees it
head -c 13 rt.bpf >bad.bpf
expect 1 "a truncated filter is refused" "$rt" raw bad.bpf
has err "rt_load: bad.bpf" "the refusal names the file"
