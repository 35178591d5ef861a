#!/bin/sh
# test_learn.sh JITK - the commands that explain a sandbox to its user:
# syscall (names <-> numbers), run's refusal reports and --permissive, dump,
# learn.  Prints TAP lines.
. "$(dirname "$0")/lib.sh"
cli_setup learn "$@"

# ------------------------------------------------------------- syscall
expect 0 "syscall NAME lists every ABI" "$J" syscall openat
has out "x86_64   257 " "openat is 257 on x86_64"
has out "i386     295 " "openat is 295 on i386"
has out "(0x40000101)" "x32 numbers carry the x32 bit"
has out "aarch64  56 " "openat is 56 on aarch64"
expect 0 "syscall NR --arch AUDIT_ARCH, as an audit line prints them" "$J" syscall 257 --arch c000003e
has out "openat" "257 on AUDIT_ARCH_X86_64 is openat"
lacks out "remap_file_pages" "--arch restricts the answer"
expect 0 "syscall NR --arch i386" "$J" syscall 26 --arch i386
has out "ptrace" "26 on i386 is ptrace"
expect 0 "syscall NR on every ABI" "$J" syscall 257
has out "remap_file_pages" "257 is remap_file_pages on i386"
expect 0 "syscall x32 number without its bit" "$J" syscall 0x101 --arch x32
has out "openat" "x32 0x101 is openat"
expect 1 "syscall misspelt name" "$J" syscall opneat
has err "did you mean 'openat'" "a misspelt name gets a hint"
expect 1 "syscall name absent on the ABI" "$J" syscall open --arch aarch64
has err "exists on x86_64" "the hint names an ABI that has it"
expect 1 "syscall unknown number" "$J" syscall 9999
expect 2 "syscall bad --arch" "$J" syscall openat --arch foo
expect 2 "syscall unknown option" "$J" syscall openat --bogus
expect 2 "syscall without argument" "$J" syscall
