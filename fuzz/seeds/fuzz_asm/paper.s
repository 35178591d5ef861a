ld [0]                       ; load syscall number
jeq #SYS_open, L1, L2
L1: ret #RET_ERRNO|#EACCES   ; deny open() with errno = EACCES
L2: jeq #SYS_getpid, L3, L4
L3: ret #RET_ALLOW           ; allow getpid()
L4: jeq #SYS_gettimeofday, L5, L6
L5: ret #RET_ALLOW           ; allow gettimeofday()
L6: ret #RET_KILL            ; default: kill current process
