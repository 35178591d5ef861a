#!/bin/sh
# run.sh BUILD_DIR - run every bench program, collect bench/results.md.
B=${1:-build}
out=bench/results.md
tmp=$(mktemp)
echo "# jitk benchmarks" > "$tmp"
echo >> "$tmp"
echo "Machine: $(uname -srm), $(nproc) cores; $(date -u +%Y-%m-%d)." >> "$tmp"
for b in "$B"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo >> "$tmp"
	"$b" >> "$tmp" || echo "(${b##*/} failed with status $?)" >> "$tmp"
done
mv "$tmp" "$out"
cat "$out"
