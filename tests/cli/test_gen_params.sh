#!/bin/sh
# test_gen_params.sh - tools/gen_params.py on small made-up kernel sources:
# it reads the width of each parameter from the prototype, takes the
# configuration's #ifdef variant, and refuses (no output, non-zero exit) a
# prototype and a definition that disagree.
. "$(dirname "$0")/lib.sh"
cli_setup gen_params "$@"
G=$R/tools/gen_params.py

# One ABI with three syscalls in a syscall table of the tbl kind.
mkabi() {
	mkdir -p k/include/linux k/arch/x86/entry/syscalls k/arch/x86/include gen
	cat > abis.txt <<'E'
t  T  AUDIT_ARCH_X86_64  x86_64-linux-gnu  /nonexistent  0  tbl:arch/x86/entry/syscalls/syscall_64.tbl:common  X86,64BIT  -
E
	printf '0\tcommon\tclose\tsys_close\n1\tcommon\tioctl\tsys_ioctl\n2\tcommon\tclone\tsys_clone\n' \
		> k/arch/x86/entry/syscalls/syscall_64.tbl
	printf 'const struct tbl_sys tbl_sys_t[] = {\n  { "close", 0 },\n  { "ioctl", 1 },\n  { "clone", 2 },\n};\n' > gen/sys_t.c
	printf 'config X86\n\tselect FOO\nconfig X86_32\n\tselect CLONE_BACKWARDS\n' > k/arch/x86/Kconfig
	cat > k/include/linux/syscalls.h <<'E'
typedef unsigned short umode_t;
asmlinkage long sys_close(unsigned int fd);
asmlinkage long sys_ioctl(unsigned int fd, unsigned int cmd, unsigned long arg);
#ifdef CONFIG_CLONE_BACKWARDS
asmlinkage long sys_clone(unsigned long, int, umode_t);
#else
asmlinkage long sys_clone(unsigned long, umode_t, int);
#endif
E
	printf 'fs/open.c\t SYSCALL_DEFINE1(close, unsigned int, fd)\t\n' > k/defines.txt
	printf 'fs/ioctl.c\t SYSCALL_DEFINE3(ioctl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)\t\n' >> k/defines.txt
	printf 'kernel/fork.c\t SYSCALL_DEFINE3(clone, unsigned long, flags, int, x, umode_t, m)\tdefined(CONFIG_CLONE_BACKWARDS)\n' >> k/defines.txt
	printf 'kernel/fork.c\t SYSCALL_DEFINE3(clone, unsigned long, flags, umode_t, m, int, x)\t!(defined(CONFIG_CLONE_BACKWARDS))\n' >> k/defines.txt
	: > k/include/linux/compat.h
}

mkabi
expect 0 "consistent sources are accepted" python3 "$G" abis.txt k gen out.c
has out.c '{ 0, 1, "close", "sys_close", { { 32, TBL_PARAM_FD, "unsigned int", "fd" } } }' "close(unsigned int fd) is 32 bits"
has out.c '{ 64, TBL_PARAM_ULONG, "unsigned long", "arg" }' "ioctl's unsigned long arg is 64 bits"
has out.c '{ 16, TBL_PARAM_UINT, "umode_t", "m" }, { 32, TBL_PARAM_INT, "int", "x" }' \
	"clone: the variant the configuration selects (CLONE_BACKWARDS is X86_32's only)"

# The definition says unsigned long where the prototype says unsigned int.
mkabi
sed -i 's/SYSCALL_DEFINE1(close, unsigned int, fd)/SYSCALL_DEFINE1(close, unsigned long, fd)/' k/defines.txt
expect 1 "a definition that disagrees with its prototype is refused" python3 "$G" abis.txt k gen out2.c
has err "no prototype agrees with the definition" "the refusal names the problem"
absent out2.c "nothing is written when refused"

# A type neither source can size.
mkabi
sed -i 's/unsigned int cmd/mystery_t cmd/' k/include/linux/syscalls.h
expect 1 "an unknown type is refused" python3 "$G" abis.txt k gen out3.c
has err "unknown type" "the refusal says unknown type"

# The syscall table and the headers disagree on a number.
mkabi
sed -i 's/{ "ioctl", 1 }/{ "ioctl", 7 }/' gen/sys_t.c
expect 1 "a number that differs from the UAPI headers is refused" python3 "$G" abis.txt k gen out4.c
has err "ioctl is 1" "the refusal names the syscall"
