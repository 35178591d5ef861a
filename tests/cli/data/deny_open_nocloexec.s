; ERRNO(EACCES) for openat(2) without O_CLOEXEC on x86-64, allow the rest.
; The dynamic loader opens libraries with O_CLOEXEC, cat opens its
; argument without it: so `cat FILE` starts, then fails on FILE.
ld [4]                       ; arch
jeq #AUDIT_ARCH_X86_64, native, allow
native: ld [0]               ; nr
jeq #SYS_openat, openat, allow
openat: ld [32]              ; args[2] low half: flags
jset #O_CLOEXEC, allow, deny
deny: ret #RET_ERRNO|#EACCES
allow: ret #RET_ALLOW
