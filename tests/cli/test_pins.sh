#!/bin/sh
# test_pins.sh JITK - every shipped policy compiles to the pinned bytes, and
# the assembler inputs of tests/cli/data/ assemble to the pinned bytes
# (tests/cli/data/pins.sha256, written by `make pins`).  Also: each compiled
# policy, disassembled to text and assembled again, gives the same bytes.
# Prints TAP lines.
. "$(dirname "$0")/lib.sh"
cli_setup pins "$@"
cd "$R" || exit 1
sh tools/pins.sh "$J" >"$T/got" 2>"$T/err" || { cat "$T/err"; echo "not ok 1 - tools/pins.sh ran"; exit 1; }
cd "$T" || exit 1
want=$D/pins.sha256
# One line per pinned input: the hash matches, or the input is new/removed.
while read -r h what; do
	w=$(awk -v k="$what" '$2 == k { print $1 }' "$want")
	if [ -z "$w" ]; then
		notok "$what is pinned" "no line in tests/cli/data/pins.sha256: run make pins and say why in the commit"
	elif [ "$w" = "$h" ]; then
		ok "$what: same bytes as pinned"
	else
		notok "$what: same bytes as pinned" "got $h" "want $w" "on purpose? run make pins and say why in the commit"
	fi
done <got
while read -r h what; do
	grep -qF "  $what" got || notok "$what still exists" "pinned but not produced: run make pins"
done <"$want"
# disasm -> asm round trip over the compiled policies.
for p in $(cd "$R" && ls policies/*.scpl policies/*/*.scpl 2>/dev/null); do
	"$J" compile "$R/$p" -o a.bin --format raw --no-verify 2>/dev/null &&
		"$J" disasm a.bin -o a.s 2>/dev/null &&
		"$J" asm a.s -o b.bin --format raw 2>/dev/null &&
		cmp -s a.bin b.bin && ok "$p: disasm | asm gives the same bytes" ||
		notok "$p: disasm | asm gives the same bytes"
done
