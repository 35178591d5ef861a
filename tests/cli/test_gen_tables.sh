#!/bin/sh
# test_gen_tables.sh - tools/gen_tables.sh cross-checks arm's private calls
# (__ARM_NR_*) against arm_syscall()'s cases in arch/arm/kernel/traps.c:
# the real sources are accepted, a traps.c without one of the cases is
# refused with no table written.  The numbers are also written sorted
# (tbl_sysnr_<abi>, for the compiler's weights); a number that is no
# seccomp_data.nr (negative, or above 2^32-1) is refused.
. "$(dirname "$0")/lib.sh"
cli_setup gen_tables "$@"
G=$R/tools/gen_tables.sh
K=$(dirname "$J")/ksrc
grep '^arm ' "$R/tools/abis.txt" > abis.txt
mkdir -p k/include/linux k/arch/arm/kernel
cp "$K/include/linux/socket.h" "$K/include/linux/splice.h" k/include/linux/
cp "$K/arch/arm/kernel/traps.c" k/arch/arm/kernel/
expect 0 "the kernel's traps.c agrees with the headers" sh "$G" gen abis.txt k
has gen/sys_arm.c '{ "cacheflush", 983042 },' "arm's cacheflush is __ARM_NR_BASE + 2"
sed -i 's/case NR(set_tls):/case NR(set_tls_x):/' k/arch/arm/kernel/traps.c
expect 1 "a private call arm_syscall() lacks is refused" sh "$G" gen2 abis.txt k
has err "__ARM_NR_set_tls is no case of arm_syscall()" "the refusal names the call"
absent gen2/sys_arm.c "nothing is written when refused"
has gen/sys_arm.c 'const uint32_t tbl_sysnr_arm[] = {' "the sorted numbers are written"
first=$(sed -n '/^const uint32_t tbl_sysnr_arm/{n;p;}' gen/sys_arm.c)
[ "$first" = "  0u," ] && ok "they start at restart_syscall's 0" || notok "they start at 0" "got '$first'"
last=$(sed -n '/^const uint32_t tbl_sysnr_arm/,/^};/p' gen/sys_arm.c | tail -n 2 | head -n 1)
[ "$last" = "  983046u," ] && ok "they end at __ARM_NR_get_tls" || notok "they end at 983046" "got '$last'"
mkdir -p fake/asm
printf '#define __NR_read 3\n#define __NR_write (-2)\n' > fake/asm/unistd.h
awk -v inc="$PWD/fake" '{ $5 = inc; print }' abis.txt > abis_neg.txt
expect 1 "a negative syscall number is refused" sh "$G" gen3 abis_neg.txt k
has err "a syscall number outside 0..2^32-1" "the refusal says why"
absent gen3/sys_arm.c "nothing is written when refused"
printf '#define __NR_read 3\n#define __NR_write 0x100000000\n' > fake/asm/unistd.h
expect 1 "a syscall number above 2^32-1 is refused" sh "$G" gen4 abis_neg.txt k
absent gen4/sys_arm.c "nothing is written for it"
