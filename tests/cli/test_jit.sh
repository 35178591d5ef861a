#!/bin/sh
# test_jit.sh JITK - `jitk jit`: images are proved; --check proves a given
# image, prints a counterexample replayed natively for a changed one, and
# names the first byte it cannot decode.
. "$(dirname "$0")/lib.sh"
cli_setup jit "$@"

if [ "$(uname -m)" != x86_64 ]; then
	echo "1..0 # skip: the JIT emits x86-64"
	exit 0
fi

"$J" asm "$D/paper.s" -o paper.bin >/dev/null 2>&1
expect 0 "jit compiles, validates and proves" "$J" jit paper.bin --dump img
has out "image validated and proved" "the report says proved"
expect 0 "--check proves the dumped image" "$J" jit paper.bin --check img
has out "proved: img" "--check says proved"

# Change the first cmp eax, imm8 (83 f8 ib) by one: a structurally valid
# image that decides one syscall number wrongly.
python3 - <<'PY' 2>/dev/null || od -An -v -tx1 img >/dev/null
b = bytearray(open("img", "rb").read())
i = b.find(bytes([0x83, 0xf8]))
b[i + 2] = (b[i + 2] + 1) & 0xff
open("bad", "wb").write(b)
b = bytearray(open("img", "rb").read())
b[4] = 0x90
open("nop", "wb").write(b)
PY
if [ -f bad ]; then
	expect 1 "--check refuses a changed immediate" "$J" jit paper.bin --check bad
	has out "DIFFERENT: bad does not compute what paper.bin computes" "it says different"
	has out "(run natively)" "the counterexample is run natively"
	has out "interpreter returns" "and through the interpreter"
	# A tiny resource budget: undecided, a refusal naming the limit, never a pass.
	expect 3 "--check under --rlimit 1 refuses, undecided: exit 3" "$J" jit paper.bin --check bad --rlimit 1
	has err "resource limit reached" "the message names the limit that stopped Z3"
	has err "the resource limit was 1 (jitk jit --check IMAGE --rlimit N raises it)" "the hint says how to raise it"
	expect 1 "--check refuses a byte outside the subset" "$J" jit paper.bin --check nop
	has err "native offset 0x4: byte 0x90" "the first undecodable byte is named"
else
	ok "--check on changed images # skip: no python3"
fi
# A proof Z3 cannot finish in time refuses the image with status 3, as an
# undecided policy proof is (tor-client's image needs ~0.1 s, not 1 ms:
# the wall-clock cap, the last resort behind the resource limit).
"$J" compile "$R/policies/tor-client.scpl" -o tor.bin --no-verify --no-cache >/dev/null 2>&1
"$J" jit tor.bin --dump tor.img >/dev/null 2>&1
expect 3 "--check undecided within --timeout: exit 3" "$J" jit tor.bin --check tor.img --timeout 1
has err "wall-clock timeout reached" "... and says which limit stopped Z3"
has err "the wall-clock cap was 1 ms (jitk jit --check IMAGE --timeout MS raises it)" "... and how to raise it"
lacks out "proved:" "... and does not say proved"
expect 1 "--check on a missing image" "$J" jit paper.bin --check missing.img
expect 2 "--check without an image" "$J" jit paper.bin --check
expect 2 "--check with --dump" "$J" jit paper.bin --check img --dump x
expect 2 "--timeout without --check" "$J" jit paper.bin --timeout 10
expect 2 "--timeout not a number" "$J" jit paper.bin --check img --timeout 1x
expect 2 "--rlimit without --check" "$J" jit paper.bin --rlimit 10
expect 2 "--rlimit 0" "$J" jit paper.bin --check img --rlimit 0
expect 2 "--rlimit too large" "$J" jit paper.bin --check img --rlimit 4294967296
expect 0 "--check with --rlimit and --timeout" "$J" jit paper.bin --check img --rlimit 100000000 --timeout 60000

echo "1..$n"
