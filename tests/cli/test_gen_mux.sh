#!/bin/sh
# test_gen_mux.sh - tools/gen_mux.sh on copies of the kernel's dispatchers:
# the real ones give the 32 calls; a dispatcher without a call, native and
# compat dispatchers that disagree, and an argument-size table of the wrong
# length are refused (no output, non-zero exit).
. "$(dirname "$0")/lib.sh"
cli_setup gen_mux "$@"
G=$R/tools/gen_mux.sh
K=$(dirname "$J")/ksrc # the build directory of the jitk under test

mk() {
	rm -rf k gen
	mkdir -p k/net k/ipc gen
	cp "$K/net/socket.c" "$K/net/compat.c" k/net/
	cp "$K/ipc/syscall.c" k/ipc/
}

mk
expect 0 "the kernel's dispatchers are accepted" sh "$G" gen k
has gen/mux.c '{ "socket", MUX_SOCKETCALL, 1 },' "socket is SYS_SOCKET 1"
has gen/mux.c '{ "sendmmsg", MUX_SOCKETCALL, 20 },' "sendmmsg is SYS_SENDMMSG 20"
has gen/mux.c '{ "shmget", MUX_IPC, 23 },' "shmget is SHMGET 23"
lacks gen/mux.c '"dipc"' "DIPC is no call (ksys_ipc has no case for it)"
[ "$(grep -c 'MUX_' gen/mux.c)" = 32 ] && ok "32 calls" || notok "32 calls" "$(grep -c MUX_ gen/mux.c)"

mk
sed -i '/^SYSCALL_DEFINE2(socketcall,/,/^}/ s/case SYS_SEND:/case SYS_SEND_X:/' k/net/socket.c
expect 1 "a socketcall label that is no SYS_ macro is refused" sh "$G" gen k
has err "differ" "it says what differs"
absent gen/mux.c "no output"

mk
sed -i '/^int compat_ksys_ipc(/,/^}/ s/case SHMDT:/case SHMDTX:/' k/ipc/syscall.c
expect 1 "native and compat ipc dispatchers that disagree are refused" sh "$G" gen k
has err "different calls" "it says so"

mk
sed -i 's/^static unsigned char nas\[21\]/static unsigned char nas[22]/' k/net/compat.c
expect 1 "nas[] of the wrong length is refused" sh "$G" gen k
has err "nas" "it names the table"

mk
rm k/ipc/syscall.c
expect 1 "a missing dispatcher is refused" sh "$G" gen k
has err "missing" "it says so"
echo "1..$n"
