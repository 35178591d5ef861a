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
	mkdir -p k/include/uapi/linux
	printf '#define AUDIT_ARCH_X86_64\t(EM_X86_64|__AUDIT_ARCH_64BIT|__AUDIT_ARCH_LE)\n' > k/include/uapi/linux/audit.h
	printf '#define AUDIT_ARCH_MIPS\t\t(EM_MIPS)\n' >> k/include/uapi/linux/audit.h
}

# A second, 32-bit ABI (its AUDIT_ARCH value lacks __AUDIT_ARCH_64BIT) on a
# table whose fifth column is the compat entry, numbered from 4000.
mkabi32() {
	mkabi
	mkdir -p k/arch/mips/kernel/syscalls
	echo 'u  U  AUDIT_ARCH_MIPS  mips-linux-gnu  /nonexistent  0  tbl:arch/mips/kernel/syscalls/syscall_o32.tbl:o32:4000  MIPS,64BIT  -' >> abis.txt
	printf '# <number> <abi> <name> <entry point> <compat entry point>\n' > k/arch/mips/kernel/syscalls/syscall_o32.tbl
	printf '0\to32\tioctl\tsys_ioctl\tcompat_sys_ioctl\n1\to32\tclose\tsys_close\n2\to32\tpread64\tsys_pread64\n' \
		>> k/arch/mips/kernel/syscalls/syscall_o32.tbl
	printf 'const struct tbl_sys tbl_sys_u[] = {\n  { "ioctl", 4000 },\n  { "close", 4001 },\n  { "pread64", 4002 },\n};\n' > gen/sys_u.c
	printf 'typedef long long loff_t;\ntypedef unsigned int compat_ulong_t;\n' >> k/include/linux/syscalls.h
	printf 'asmlinkage long sys_pread64(unsigned int fd, char __user *buf, unsigned long count, loff_t pos);\n' >> k/include/linux/syscalls.h
	printf 'asmlinkage long compat_sys_ioctl(unsigned int fd, unsigned int cmd, compat_ulong_t arg);\n' > k/include/linux/compat.h
	printf 'fs/ioctl.c\t COMPAT_SYSCALL_DEFINE3(ioctl, unsigned int, fd, unsigned int, cmd, compat_ulong_t, arg)\t\n' >> k/defines.txt
}

mkabi
expect 0 "consistent sources are accepted" python3 "$G" abis.txt k gen out.c
has out.c '{ 0, 1, "close", "sys_close", { { 32, TBL_PARAM_FD, "unsigned int", "fd" } } }' "close(unsigned int fd) is 32 bits"
has out.c '{ 64, TBL_PARAM_ULONG, "unsigned long", "arg" }' "ioctl's unsigned long arg is 64 bits"
has out.c '{ 16, TBL_PARAM_UINT, "umode_t", "m" }, { 32, TBL_PARAM_INT, "int", "x" }' \
	"clone: the variant the configuration selects (CLONE_BACKWARDS is X86_32's only)"

mkabi32
expect 0 "a 32-bit ABI is accepted" python3 "$G" abis.txt k gen out32.c
has out32.c '{ 0, 1, "close", "sys_close", { { 32, TBL_PARAM_FD, "unsigned int", "fd" } } }' "the 64-bit ABI's table is unchanged"
has out32.c '{ 4000, 3, "ioctl", "compat_sys_ioctl", { { 32, TBL_PARAM_FD, "unsigned int", "fd" }, { 32, TBL_PARAM_UINT, "unsigned int", "cmd" }, { 32, TBL_PARAM_UINT, "compat_ulong_t", "arg" } } }' \
	"the 32-bit ABI runs the compat entry, numbered from the table's base"
has out32.c '{ 4001, 1, "close", "sys_close",' "no compat entry: the native one"
lacks out32.c '"pread64"' "a 64-bit scalar takes two 32-bit registers: the call is left out"
has out32.c '{ 1, 3, "ioctl", "sys_ioctl", { { 32, TBL_PARAM_FD, "unsigned int", "fd" }, { 32, TBL_PARAM_UINT, "unsigned int", "cmd" }, { 64, TBL_PARAM_ULONG, "unsigned long", "arg" } } }' \
	"the 64-bit ABI keeps its 64-bit unsigned long"
sed -i 's/^u  U  AUDIT_ARCH_MIPS /u  U  AUDIT_ARCH_MIPSX /' abis.txt
expect 1 "an AUDIT_ARCH macro audit.h lacks is refused" python3 "$G" abis.txt k gen out5.c
has err "AUDIT_ARCH_MIPSX is not defined" "the refusal names the macro"
absent out5.c "nothing is written when refused"

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

# The body narrows an argument (tools/knarrow.py): ioctl's unsigned long
# arg gets the width every use of it in the body reads, and keeps its 64
# bits as soon as one use could read more.  $1: the body; $2: extra text
# for the file before it; $3: the width ioctl's arg must get; $4: what.
body() {
	mkabi
	mkdir -p k/fs
	printf 'struct file *fget(unsigned int fd);\nlong mystery();\n#define low(x) ((x) & 0xff)\nenum { LOWMASK = 0xffff };\n' >> k/include/linux/syscalls.h
	printf '%b\nSYSCALL_DEFINE3(ioctl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)\n{\n%b\n}\n' "$2" "$1" > k/fs/ioctl.c
	rm -f out.c params_narrow.txt
	run python3 "$G" abis.txt k gen out.c
	if [ "$rc" -ne 0 ]; then notok "$4" "exit $rc"; return; fi
	if grep -F '"ioctl"' out.c | grep -qE "\{ $3, TBL_PARAM_[A-Z]+, \"unsigned long\", \"arg\" \}"; then ok "$4"; else
		notok "$4" "$(grep -F '"ioctl"' out.c)"; fi
}
body '	return do_it(fd, arg & 0xffffffff);' '' 32 "a mask by 0xffffffff: 32 bits"
has params_narrow.txt "t	ioctl	sys_ioctl	arg2 arg	64->32	fs/ioctl.c:sys_ioctl: & 0xffffffff" \
	"the narrowing is listed with the use it follows"
body '	return do_it(fd, low(arg));' '' 8 "a macro's expansion is read: (arg & 0xff) is 8 bits"
body '	return do_it(fd, arg & LOWMASK);' '' 16 "an enumerator is a constant"
body '	unsigned int a = arg;\n	return do_it(fd, a);' '' 32 "an unsigned int initialized from arg: 32 bits"
body '	return do_it(fd, (unsigned int)arg, (unsigned short)arg);' '' 32 "casts: the widest of them"
body '	return helper(arg);' 'static long helper(unsigned long x) { return fget(x) != 0; }' 32 \
	"a same-file helper's body hands it to fget(unsigned int)"
body '	arg = (arg & ~0xff) | 3;\n	return fget(arg) != 0;' '' 32 "a bitwise update of arg reads what the later uses read"
lacks params_narrow.txt "64->64" "no non-narrowing is listed"
body '	if (arg > 5)\n		return 1;\n	return do_it(fd, arg & 0xffffffff);' '' 64 "a comparison reads all bits: no narrowing"
body '	return do_it(fd, arg & 0xffffffff + 1);' '' 64 "a mask inside a tighter-binding + is not a mask of arg"
body '	return do_it(fd, arg + 1 & 0xff);' '' 64 "arg + 1 & 0xff: arg is an operand of +"
body '	return mystery(arg);' '' 64 "an unknown or unprototyped callee: all bits"
body '	arg = arg + 1;\n	return fget(arg) != 0;' '' 64 "an arithmetic update: all bits"
body '	return take(&arg);' '' 64 "its address taken: all bits"
body '	return helper(arg);' 'static long helper(unsigned long x) { return x >> 3; }' 64 \
	"a helper that shifts it: all bits"
body '	return do_it(fd, arg & 0xffffffff, arg);' '' 64 "one whole-value use among masks: all bits"
absent params_narrow.txt.tmp "no temporary left"
lacks params_narrow.txt "sys_ioctl" "nothing is listed when nothing narrows"

# The list of narrowings the build made is the one docs/kernel-notes.md
# gives, entry by entry (section 8, "Arguments a body narrows").
NL=$R/build/gen/params_narrow.txt
if [ -f "$NL" ]; then
	missing=$(grep -v '^#' "$NL" | cut -f2,4,5 | sort -u | while IFS='	' read -r sc a w; do
		grep -F -- "\`$sc\`" "$R/docs/kernel-notes.md" | grep -qF -- "| ${a% *} | $w |" || echo "$sc ${a% *} $w"
	done)
	if [ -z "$missing" ]; then ok "docs/kernel-notes.md lists every narrowing of the build"; else
		notok "docs/kernel-notes.md lists every narrowing of the build" "missing: $missing"; fi
else
	ok "# SKIP no build/gen/params_narrow.txt"
fi
