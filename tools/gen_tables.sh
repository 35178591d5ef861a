#!/bin/sh
# gen_tables.sh OUTDIR ABIS-FILE KSRC
#
# Generates, at build time and from each ABI's own headers, the name tables
# jitk needs: per ABI (tools/abis.txt) its syscall numbers and its named
# constants, plus the errno names and the ABI list itself.  Nothing here is
# typed in by hand: each table is the list of macros a header defines, and
# the value of each is computed by clang for the ABI's target triple from
# that ABI's UAPI headers (Debian's linux-libc-dev-*-cross packages), so a
# constant that differs between ABIs (O_DIRECTORY is 0200000 on x86, 040000
# on arm64) gets each ABI's own value.  docs/kernel-notes.md, section 7.
#
# KSRC is the kernel source extracted by tools/ksrc.sh.
# Output: OUTDIR/sys_<abi>.c (names and numbers), OUTDIR/consts_<abi>.c (and .h: its headers),
#         OUTDIR/errno.c (the host's errno names and each ABI's),
#         OUTDIR/abis.c, OUTDIR/abis.mk
set -eu
export LC_ALL=C
out=$1
abis=$2
ksrc=$3
clang=${CLANG:-clang}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The constants policies may name: every macro with one of these prefixes
# whose expansion is a plain integer expression.
const_re='^(O_|AT_|F_|FD_|PROT_|MAP_|MREMAP_|MADV_|MFD_|MS_|MNT_|MCL_|MOUNT_|AF_|PF_|SOCK_|SOL_|SO_|SCM_|MSG_|IPPROTO_|CLONE_|CSIGNAL$|TIOC|TC|FIO|SIG[A-Z0-9]+$|SA_|SEEK_|PR_|RLIMIT_|FUTEX_|EPOLL|GRND_|S_I|WNOHANG$|WUNTRACED$|WEXITED$|WSTOPPED$|WCONTINUED$|WNOWAIT$|__WALL$|__WCLONE$|__WNOTHREAD$|P_|SCHED_|CLOCK_|TIMER_|TFD_|SFD_|IN_|POLL|LOCK_|FALLOC_FL_|RENAME_|NETLINK_|ARCH_|SECCOMP_|AUDIT_ARCH_|UMOUNT_|CLOSE_RANGE_|RESOLVE_|STATX_|AT_|MEMBARRIER_|LANDLOCK_|SPLICE_F_|EFD_|CAP_)'
# The UAPI headers the constants come from, the same for every ABI; a
# header an ABI lacks is skipped for it (asm/prctl.h exists on x86 only).
const_hdrs='linux/fcntl.h linux/mman.h linux/memfd.h linux/mount.h linux/sched.h asm/termios.h asm/signal.h asm/socket.h linux/in.h linux/prctl.h linux/resource.h linux/futex.h linux/eventpoll.h linux/random.h linux/stat.h linux/wait.h linux/time.h linux/timerfd.h linux/signalfd.h linux/inotify.h linux/poll.h linux/falloc.h linux/fs.h linux/netlink.h linux/seccomp.h linux/audit.h linux/close_range.h linux/openat2.h linux/membarrier.h linux/landlock.h linux/capability.h asm/prctl.h'

# Constants the kernel defines outside its UAPI headers, the same on every
# ABI (include/linux, not arch/): the socket families, levels and message
# flags (include/linux/socket.h) and the splice flags (include/linux/splice.h).
# Only the definitions outside any #if (CONFIG_COMPAT's MSG_CMSG_COMPAT is
# left out).  Each ABI evaluates them after its own UAPI headers.
for h in socket.h splice.h; do
	awk 'BEGIN { d = 0 } /^#[ \t]*if/ { d++ } /^#[ \t]*endif/ { d-- }
	     d == 1 && /^#define[ \t]+(AF|PF|MSG|SOL|SPLICE_F)_[A-Za-z0-9_]+[ \t]/ { print }' "$ksrc/include/linux/$h"
done > "$out/kconsts.h"
[ -s "$out/kconsts.h" ] || { echo "gen_tables: no constants in $ksrc/include/linux/socket.h" >&2; exit 1; }

# preproc TARGET INCLUDE FILE [FLAGS]: clang's preprocessor as the ABI sees it.
preproc() {
	$clang --target="$1" -nostdinc -isystem "$2" -w -x c -E $4 "$3"
}

# values TARGET INCLUDE HEADER-FILE NAMES-FILE: "name value" per line, the
# value as a signed 64-bit decimal, computed by clang for the target (so
# `long`, sizeof and shifts are the ABI's).  Names whose expansion is not a
# plain integer expression (casts, pointers, calls) are left out.
values() {
	{ cat "$3"; sed 's/.*/@@ "&" = &/' "$4"; } > "$tmp/v.c"
	preproc "$1" "$2" "$tmp/v.c" -P | sed -n 's/^@@ "\([A-Za-z0-9_]*\)" = \(.*\)$/\1 \2/p' |
		grep -E '^[A-Za-z0-9_]+ [-()0-9a-fA-FxXuUlL|&<>~+* ]+$' |
		grep -Ev '^[A-Za-z0-9_]+ [ ()]*$' > "$tmp/v.exprs" || true
	sed 's/^\([A-Za-z0-9_]*\) \(.*\)$/long long jitk_v_\1 = (long long)(\2);/' "$tmp/v.exprs" > "$tmp/v2.c"
	$clang --target="$1" -nostdinc -w -x c -S -emit-llvm -o - "$tmp/v2.c" |
		sed -n 's/^@jitk_v_\([A-Za-z0-9_]*\) = .* i64 \(-\{0,1\}[0-9]*\), .*/\1 \2/p'
}

# errno names: the build host's libc (<errno.h>), which adds the aliases
# programs use (ENOTSUP) to the kernel's errno names: tbl_errno, what
# jitk_errno_value and jitk_errno_name read.  Each ABI has its own table too
# (tbl_errno_<abi>, below): its <asm/errno.h>, as mips (ENOSYS is 89 there)
# and powerpc (EDEADLOCK 58) have their own.  docs/kernel-notes.md, section 9.
echo '#include <errno.h>' > "$tmp/e.h"
${CC:-cc} -E -dM -x c "$tmp/e.h" | sed -n 's/^#define \([A-Za-z0-9_]*\) .*/\1/p' | grep -E '^E[A-Z0-9]+$' | sort -u > "$tmp/e.names"
{ cat "$tmp/e.h"; sed 's/.*/@@ "&" = &/' "$tmp/e.names"; } > "$tmp/e.c"
${CC:-cc} -E -P -x c "$tmp/e.c" | sed -n 's/^@@ "\([A-Za-z0-9_]*\)" = \(.*\)$/\1 \2/p' |
	grep -E '^[A-Za-z0-9_]+ [-()0-9a-fA-FxXuUlL|&<>~+* ]+$' |
	grep -Ev '^[A-Za-z0-9_]+ [ ()]*$' > "$tmp/e.exprs"
: > "$tmp/e.vals"
while read -r n v; do
	echo "$n $(( v ))" >> "$tmp/e.vals"
done < "$tmp/e.exprs"
# The libc's names the kernel's <asm/errno.h> lacks, each with the kernel
# name of the same value on the build host (glibc: #define ENOTSUP
# EOPNOTSUPP); on each ABI the alias takes that name's value.
echo '#include <asm/errno.h>' > "$tmp/ek.h"
${CC:-cc} -E -dM -x c "$tmp/ek.h" | sed -n 's/^#define \(E[A-Z0-9]*\) .*/\1/p' | sort -u > "$tmp/ek.names"
: > "$tmp/e.alias"
while read -r n v; do
	grep -qx "$n" "$tmp/ek.names" && continue
	k=$(awk -v v="$v" -v n="$n" '$2 == v && $1 != n { print $1 }' "$tmp/e.vals" | grep -Fx -f "$tmp/ek.names" | head -n1)
	[ -n "$k" ] || { echo "gen_tables: errno $n ($v) is no kernel name's value" >&2; exit 1; }
	echo "$n $k" >> "$tmp/e.alias"
done < "$tmp/e.vals"
{
	echo "/* Generated by tools/gen_tables.sh from the system headers and each ABI's <asm/errno.h>. Do not edit. */"
	echo '#include "tables.h"'
	echo "const struct tbl_const tbl_errno[] = {"
	while read -r n v; do
		printf '  { "%s", (uint64_t)(long long)(%s) },\n' "$n" "$v"
	done < "$tmp/e.vals"
	echo '  { 0, 0 }'
	echo '};'
} > "$tmp/errno.c"

# Read the ABI list.
grep -v '^#' "$abis" | grep -v '^[ 	]*$' > "$tmp/abis"

: > "$tmp/abis.c"
: > "$tmp/abis.decl"
printf 'GEN_ABIS :=' > "$tmp/abis.mk"

while read -r name enum audit target inc nrbase ksys kconfig aliases; do
	[ -d "$inc" ] || { echo "gen_tables: $inc missing (Debian package linux-libc-dev-*-cross for $name)" >&2; exit 1; }
	# Syscall numbers: every __NR_ macro <asm/unistd.h> defines for the ABI,
	# and arm's private calls (__ARM_NR_cacheflush, ... at 0x0f0000 up),
	# which arm_syscall() runs (arch/arm/kernel/traps.c, the second source:
	# each must be a `case NR(name)` there) and seccomp sees like any
	# number (docs/kernel-notes.md, section 8).
	echo '#include <asm/unistd.h>' > "$tmp/u.h"
	preproc "$target" "$inc" "$tmp/u.h" -dM > "$tmp/u.dm"
	sed -n "s/^#define __NR_\\([a-z0-9_]*\\) .*/\\1/p" "$tmp/u.dm" |
		grep -Ev '^(syscalls|arch_specific_syscall)$' | sort -u | sed 's/^/__NR_/' > "$tmp/nr.names"
	sed -n "s/^#define \\(__ARM_NR_[a-z0-9_]*\\) .*/\\1/p" "$tmp/u.dm" | sort -u > "$tmp/nr.private"
	for n in $(sed 's/^__ARM_NR_//' "$tmp/nr.private"); do
		grep -q "case NR($n):" "$ksrc/arch/arm/kernel/traps.c" ||
			{ echo "gen_tables: $name: __ARM_NR_$n is no case of arm_syscall() in arch/arm/kernel/traps.c" >&2; exit 1; }
	done
	cat "$tmp/nr.private" >> "$tmp/nr.names"
	values "$target" "$inc" "$tmp/u.h" "$tmp/nr.names" | sed 's/^__ARM_NR_/__NR_/' | sort > "$tmp/nr.vals"
	# The header that defines the numbers (for jitk --version, tools/gen_version.sh).
	hdr=$($clang --target="$target" -nostdinc -isystem "$inc" -w -x c -E -H "$tmp/u.h" 2>&1 >/dev/null |
		sed -n 's/^\.* //p' | grep -E '/unistd[^/]*\.h$' | tail -n1)
	# The same numbers in ascending order, repeats kept (two names of one
	# number), for the compiler's weights (src/codegen.c, seg_prior), so
	# that no compile sorts them.  Each is a seccomp_data.nr, a u32.
	cut -d' ' -f2 "$tmp/nr.vals" > "$tmp/nr.nums"
	[ -s "$tmp/nr.nums" ] || { echo "gen_tables: $name: no syscall numbers in $hdr" >&2; exit 1; }
	if grep -Evq '^[0-9]{1,10}$' "$tmp/nr.nums" || awk '$1 > 4294967295 { bad = 1 } END { exit !bad }' "$tmp/nr.nums"; then
		echo "gen_tables: $name: a syscall number outside 0..2^32-1 in $hdr" >&2
		exit 1
	fi
	f="$out/sys_$name.c.tmp"
	{
		echo "/* Generated by tools/gen_tables.sh from $hdr ($target). Do not edit. */"
		echo '#include "tables.h"'
		echo "extern const struct tbl_sys tbl_sys_$name[];\nextern const size_t tbl_sys_${name}_len;"
		echo "extern const uint32_t tbl_sysnr_$name[];"
		echo "const struct tbl_sys tbl_sys_$name[] = {"
		sed 's/^__NR_\([a-z0-9_]*\) \(.*\)$/  { "\1", \2 },/' "$tmp/nr.vals"
		echo '  { 0, 0 }'
		echo '};'
		echo "const size_t tbl_sys_${name}_len = sizeof tbl_sys_$name / sizeof *tbl_sys_$name - 1;"
		echo "/* tbl_sys_$name's numbers, ascending. */"
		echo "const uint32_t tbl_sysnr_$name[] = {"
		sort -n "$tmp/nr.nums" | sed 's/^\(.*\)$/  \1u,/'
		echo '};'
		echo "_Static_assert(sizeof tbl_sysnr_$name / sizeof *tbl_sysnr_$name == sizeof tbl_sys_$name / sizeof *tbl_sys_$name - 1, \"tbl_sysnr_$name\");"
	} > "$f"
	mv "$f" "$out/sys_$name.c"

	# Constants.
	: > "$tmp/c.h"
	for h in $const_hdrs; do
		[ -f "$inc/$h" ] && echo "#include <$h>" >> "$tmp/c.h"
	done
	echo "#include \"$(cd "$out" && pwd)/kconsts.h\"" >> "$tmp/c.h"
	preproc "$target" "$inc" "$tmp/c.h" -dM | sed -n 's/^#define \([A-Za-z0-9_]*\) .*/\1/p' |
		grep -E "$const_re" | sort -u > "$tmp/c.names"
	values "$target" "$inc" "$tmp/c.h" "$tmp/c.names" > "$tmp/c.vals"
	cp "$tmp/c.h" "$out/consts_$name.h" # the headers, for tests/unit/test_tables.c
	f="$out/consts_$name.c.tmp"
	{
		echo "/* Generated by tools/gen_tables.sh from the UAPI headers in $inc ($target). Do not edit. */"
		echo '#include "tables.h"'
		echo "extern const struct tbl_const tbl_consts_$name[];"
		echo "const struct tbl_const tbl_consts_$name[] = {"
		sed 's/^\([A-Za-z0-9_]*\) \(.*\)$/  { "\1", (uint64_t)\2LL },/; s/(uint64_t)-9223372036854775808LL/(uint64_t)1 << 63/' "$tmp/c.vals"
		echo '  { 0, 0 }'
		echo '};'
	} > "$f"
	mv "$f" "$out/consts_$name.c"

	# errno values: the ABI's <asm/errno.h>, and the libc's aliases.
	echo '#include <asm/errno.h>' > "$tmp/er.h"
	preproc "$target" "$inc" "$tmp/er.h" -dM | sed -n 's/^#define \(E[A-Z0-9]*\) .*/\1/p' | sort -u > "$tmp/er.names"
	values "$target" "$inc" "$tmp/er.h" "$tmp/er.names" > "$tmp/er.vals"
	while read -r n k; do
		awk -v n="$n" -v k="$k" '$1 == k { print n, $2 }' "$tmp/er.vals"
	done < "$tmp/e.alias" > "$tmp/er.alias"
	cat "$tmp/er.alias" >> "$tmp/er.vals"
	[ "$(wc -l < "$tmp/er.vals")" -gt 100 ] || { echo "gen_tables: few errno names in $inc/asm/errno.h" >&2; exit 1; }
	{
		echo "/* $name: $inc/asm/errno.h ($target) */"
		echo "const struct tbl_const tbl_errno_$name[] = {"
		sort "$tmp/er.vals" | sed 's/^\([A-Za-z0-9_]*\) \(.*\)$/  { "\1", \2 },/'
		echo '  { 0, 0 }'
		echo '};'
	} >> "$tmp/errno.c"

	al=$(echo "$aliases" | sed 's/^-$//; s/,/\\0/g')
	[ -n "$al" ] && al="$al\\0"
	printf '  [JITK_ARCH_%s] = { "%s", %s, %s, tbl_sys_%s, &tbl_sys_%s_len, tbl_sysnr_%s, tbl_consts_%s, tbl_errno_%s, tbl_params_%s, &tbl_params_%s_len, "%s" },\n' \
		"$enum" "$name" "$audit" "$nrbase" "$name" "$name" "$name" "$name" "$name" "$name" "$name" "$al" >> "$tmp/abis.c"
	printf 'extern const struct tbl_sys tbl_sys_%s[];\nextern const size_t tbl_sys_%s_len;\nextern const uint32_t tbl_sysnr_%s[];\nextern const struct tbl_const tbl_consts_%s[];\nextern const struct tbl_const tbl_errno_%s[];\nextern const struct tbl_params tbl_params_%s[];\nextern const size_t tbl_params_%s_len;\n' \
		"$name" "$name" "$name" "$name" "$name" "$name" "$name" >> "$tmp/abis.decl"
	printf ' %s' "$name" >> "$tmp/abis.mk"
done < "$tmp/abis"
{
	echo "/* Generated by tools/gen_tables.sh from tools/abis.txt. Do not edit. */"
	echo '#include "tables.h"'
	echo '#include <linux/audit.h>'
	cat "$tmp/abis.decl"
	echo 'const struct tbl_abi tbl_abis[] = {'
	cat "$tmp/abis.c"
	echo '};'
	echo 'const size_t tbl_abis_len = sizeof tbl_abis / sizeof *tbl_abis;'
	echo '_Static_assert(sizeof tbl_abis / sizeof *tbl_abis == JITK_ARCH__COUNT, "tools/abis.txt and jitk_arch differ");'
} > "$tmp/abis.full"
mv "$tmp/abis.full" "$tmp/abis.c"
echo >> "$tmp/abis.mk"
mv "$tmp/abis.c" "$out/abis.c"
mv "$tmp/abis.mk" "$out/abis.mk"

mv "$tmp/errno.c" "$out/errno.c"

echo "generated tables in $out" >&2
