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
# Shipped examples need no transitional warning: tools/corpus2scpl.py writes
# low32(argN) where a compare is on a parameter of at most 32 bits, so no
# shipped rule gets "this rule's meaning changed" (docs/scpl.md, Warnings).
# Other warnings (pointer compares in Tor, uretprobe in Docker, shadowed
# rules in crosvm) state facts about those policies and stay.  Known
# exceptions: !=/< />  compares on an int keep argN, since low32() there
# could not be written as an OCI profile (corpus2scpl.py): Docker's two
# socket ranges and qemu-strict's sched_setscheduler.
for p in $(cd "$R" && ls policies/*.scpl policies/*/*.scpl 2>/dev/null); do
	"$J" compile "$R/$p" -o a.bin --format raw --no-verify 2>w.txt
	n=$(grep -c "meaning changed" w.txt)
	case $p in
	policies/docker-default.scpl) want=2 ;;
	policies/qemu-sandbox-strict.scpl) want=1 ;;
	*) want=0 ;;
	esac
	[ "$n" = "$want" ] && ok "$p: $want change-of-meaning warnings" ||
		notok "$p: $want change-of-meaning warnings" "$n warned; first: $(grep -m1 "meaning changed" w.txt)"
done
# disasm -> asm round trip over the compiled policies.
for p in $(cd "$R" && ls policies/*.scpl policies/*/*.scpl 2>/dev/null); do
	"$J" compile "$R/$p" -o a.bin --format raw --no-verify 2>/dev/null &&
		"$J" disasm a.bin -o a.s 2>/dev/null &&
		"$J" asm a.s -o b.bin --format raw 2>/dev/null &&
		cmp -s a.bin b.bin && ok "$p: disasm | asm gives the same bytes" ||
		notok "$p: disasm | asm gives the same bytes"
done
