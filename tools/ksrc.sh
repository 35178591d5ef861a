#!/bin/sh
# ksrc.sh TARBALL OUTDIR
#
# Extracts from Debian's linux-source tarball the few kernel files the
# generated tables are computed from (tools/gen_params.py, tools/gen_tables.sh):
# the syscall prototypes (include/linux/syscalls.h, compat.h), the syscall
# tables (arch/*/entry/syscalls/*.tbl, arch/*/kernel/syscalls/*.tbl,
# arch/arm/tools/syscall.tbl,
# asm-generic/unistd.h), the headers the parameter types are defined in, the
# kernel-internal socket constants (include/linux/socket.h, splice.h), and,
# as the second source of the prototypes, every SYSCALL_DEFINEn and
# COMPAT_SYSCALL_DEFINEn of the .c files, one per line, prefixed with its
# file (OUTDIR/defines.txt), and the socketcall(2) and ipc(2) dispatchers
# (net/socket.c, net/compat.c, ipc/syscall.c) for tools/gen_mux.sh, and arm's
# private calls (arch/arm/kernel/traps.c) for tools/gen_tables.sh, and
# every .c file with a SYSCALL_DEFINEn, whose function bodies
# tools/knarrow.py reads for the arguments a body narrows (docs/kernel-notes.md,
# section 8).  Only OUTDIR (a few tens of MB) is kept.
set -eu
export LC_ALL=C
tar=$1
out=$2
[ -f "$tar" ] || { echo "ksrc: $tar missing (Debian package linux-source-6.1)" >&2; exit 1; }
# On tmpfs when there is one: the .c files are read once and dropped.
tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d "${out%/}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tar" -C "$tmp" --wildcards --no-wildcards-match-slash \
	'*/include/linux/*.h' '*/include/uapi/*' '*/include/asm-generic/*.h' \
	'*/arch/*/include/*' '*/arch/*/entry/syscalls/*' '*/arch/*/kernel/syscalls/*' '*/arch/arm/tools/syscall.tbl' '*/arch/*/Kconfig' \
	--wildcards-match-slash '*.c'
top=$(ls "$tmp")
src="$tmp/$top"
# One SYSCALL_DEFINE per line: from the macro to its closing parenthesis.
(cd "$src" && find . -name '*.c' | sort | xargs awk '
	# The preprocessor conditions around each definition, outermost first,
	# as one C expression per level (for the #ifdef variants of sys_clone).
	FNR == 1 { open = 0; depth_if = 0 }
	/^[ \t]*#[ \t]*if(n?def)?[ \t(]/ {
		c = $0; sub(/^[ \t]*#[ \t]*/, "", c)
		if (c ~ /^ifdef/) { sub(/^ifdef[ \t]*/, "", c); c = "defined(" c ")" }
		else if (c ~ /^ifndef/) { sub(/^ifndef[ \t]*/, "", c); c = "!defined(" c ")" }
		else { sub(/^if[ \t]*/, "", c); c = "(" c ")" }
		depth_if++; prev[depth_if] = c; cond[depth_if] = c
	}
	/^[ \t]*#[ \t]*elif/ {
		c = $0; sub(/^[ \t]*#[ \t]*elif[ \t]*/, "", c)
		cond[depth_if] = "!(" prev[depth_if] ") && (" c ")"; prev[depth_if] = prev[depth_if] " || (" c ")"
	}
	/^[ \t]*#[ \t]*else/ { cond[depth_if] = "!(" prev[depth_if] ")" }
	/^[ \t]*#[ \t]*endif/ { if (depth_if > 0) depth_if-- }
	open == 0 && /^(COMPAT_)?SYSCALL_DEFINE[0-6]\(/ {
		open = 1; text = ""; depth = 0; ctx = ""
		for (k = 1; k <= depth_if; k++) ctx = ctx (k > 1 ? " && " : "") cond[k]
	}
	open == 1 {
		line = $0; gsub(/\t/, " ", line); text = text " " line
		n = split($0, ch, "")
		for (i = 1; i <= n; i++) {
			if (ch[i] == "(") depth++
			else if (ch[i] == ")") { depth--; if (depth == 0) break }
		}
		if (depth == 0) { f = FILENAME; sub(/^\.\//, "", f); print f "\t" text "\t" ctx; open = 0 }
	}') > "$tmp/defines.txt"
rm -rf "$out"
mkdir -p "$out"
(cd "$src" && find include arch \( -name '*.h' -o -name '*.tbl' \) -path '*include*' -o -name '*.tbl' -o -name Kconfig -path 'arch/*') |
	grep -v '/dts/' | sort -u > "$tmp/keep"
(cd "$src" && tar -cf - -T "$tmp/keep") | (cd "$out" && tar -xf -)
mv "$tmp/defines.txt" "$out/defines.txt"
for f in net/socket.c net/compat.c ipc/syscall.c arch/arm/kernel/traps.c $(cut -f1 "$out/defines.txt" | sort -u); do
	mkdir -p "$out/${f%/*}" && cp "$src/$f" "$out/$f"
done
echo "kernel sources in $out" >&2
