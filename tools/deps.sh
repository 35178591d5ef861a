#!/bin/sh
# deps.sh - install the Debian packages jitk needs, if any are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu
pkgs="gcc make clang libclang-rt-14-dev pkg-config linux-libc-dev libcmocka-dev libz3-dev libjson-c-dev libseccomp-dev python3 binutils graphviz"
# The CLI's proof cache hashes with nettle's SHA-256 (cli/cache.c).
pkgs="$pkgs nettle-dev"
# Packaging (mk/pkg.mk): groff checks the man pages in make test; make deb
# needs the Debian tools.
pkgs="$pkgs groff-base bash debhelper dpkg-dev fakeroot lintian"
# Landlock rights (tools/gen_landlock.sh) come from the kernel source.
pkgs="$pkgs linux-source-6.12 xz-utils"
# The runtime tests (tests/cli/test_runtimes.sh): crun, bubblewrap, a static libc.
pkgs="$pkgs libc6-dev crun bubblewrap"
# The second solver (jitk verify --cross-check, tests/cli/test_cross.sh) and
# make prove-rte (Frama-C WP through Why3 with Z3 and CVC4).
pkgs="$pkgs cvc5 frama-c-base why3 z3 cvc4"
# Syscall prototypes (tools/ksrc.sh) and each ABI's UAPI headers
# (tools/gen_tables.sh, tools/abis.txt).
pkgs="$pkgs linux-source-6.1 linux-libc-dev-amd64-cross linux-libc-dev-i386-cross linux-libc-dev-x32-cross linux-libc-dev-arm64-cross"
pkgs="$pkgs linux-libc-dev-armhf-cross linux-libc-dev-riscv64-cross linux-libc-dev-ppc64el-cross linux-libc-dev-ppc64-cross"
pkgs="$pkgs linux-libc-dev-powerpc-cross linux-libc-dev-s390x-cross linux-libc-dev-mips-cross linux-libc-dev-mipsel-cross"
pkgs="$pkgs linux-libc-dev-mips64-cross linux-libc-dev-mips64el-cross linux-libc-dev-mipsn32-cross linux-libc-dev-mipsn32el-cross"
# make format, format-check and analyze (HACKING.md).
pkgs="$pkgs clang-format-14 clang-tools-14 cppcheck"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || true
	$cmd >&2
else
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root:  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
