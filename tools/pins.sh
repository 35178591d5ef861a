#!/bin/sh
# pins.sh JITK - the SHA-256 of what every shipped policy compiles to, and of
# what every assembler input in tests/cli/data/ assembles to, one
# "HASH  KIND:PATH" line each, sorted by path.  Run from the repository root.
#
# tests/cli/data/pins.sha256 holds the expected lines; tests/cli/test_pins.sh
# recomputes them and compares.  A change that alters the meaning or the
# shape of a compiled policy on purpose regenerates the file with
# `make pins` and says why in the commit body (see HACKING.md).
set -eu
J=${1:?usage: tools/pins.sh path/to/jitk}
T=$(mktemp -d "${TMPDIR:-/tmp}/jitk-pins.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export LC_ALL=C
for p in $(ls policies/*.scpl policies/*/*.scpl 2>/dev/null | sort); do
	"$J" compile "$p" -o "$T/out" --format raw --no-verify 2>"$T/err" || {
		cat "$T/err" >&2
		exit 1
	}
	echo "$(sha256sum <"$T/out" | cut -d' ' -f1)  compile:$p"
done
for s in $(ls tests/cli/data/*.s | sort); do
	# Inputs the assembler must refuse have no pin.
	"$J" asm "$s" -o "$T/out" --format raw 2>/dev/null || continue
	echo "$(sha256sum <"$T/out" | cut -d' ' -f1)  asm:$s"
done
