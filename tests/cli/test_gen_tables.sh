#!/bin/sh
# test_gen_tables.sh - tools/gen_tables.sh cross-checks arm's private calls
# (__ARM_NR_*) against arm_syscall()'s cases in arch/arm/kernel/traps.c:
# the real sources are accepted, a traps.c without one of the cases is
# refused with no table written.
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
