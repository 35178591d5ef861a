#!/bin/sh
# test_pkg.sh JITK - jitk as a library people link (mk/pkg.mk):
#  - libjitk.so.0 exports jitk_* and nothing else; libjitk.a's only global
#    symbols are jitk_*; a program defining edit_distance, codegen and str_copy
#    links against both (and fails against the internal archive, which
#    shows the check can fail);
#  - make install into a temporary PREFIX puts every file in place; the
#    program builds with `pkg-config --cflags --libs jitk`, shared and
#    static, and runs; the man pages render without warnings and name every
#    command, option and function; the completion completes them;
#  - make uninstall leaves the prefix empty; the same with DESTDIR.
. "$(dirname "$0")/lib.sh"
cli_setup pkg "$@"
B=${J%/jitk}
case $B in "$R"/*) B=${B#"$R"/} ;; esac
CC=${CC:-cc}
mk() { make -s -C "$R" B="$B" "$@" >mk.log 2>&1; }
funcs=$(sed -n 's/.*[ *]\(jitk_[a-z0-9_]*\)(.*/\1/p' "$R/include/jitk.h" | sort -u)

# ---------------------------------------------------------- the libraries
so=$(ls "$R/$B"/lib/libjitk.so.*.*.* 2>/dev/null | head -n1)
[ -f "$so" ] && ok "built $so" || notok "built libjitk.so.MAJOR.MINOR.MICRO" "in $R/$B/lib"
soname=$(readelf -d "$so" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
same_soname() { [ "$soname" = "libjitk.so.0" ]; }
same_soname && ok "soname is libjitk.so.0" || notok "soname is libjitk.so.0" "got '$soname'"
nm -D --defined-only "$so" | awk '$2 != "A" { print $NF }' | sed 's/@.*//' | sort -u > so.syms
bad=$(grep -v '^jitk_' so.syms | tr '\n' ' ')
[ -s so.syms ] && [ -z "$bad" ] && ok "libjitk.so exports only jitk_*" ||
	notok "libjitk.so exports only jitk_*" "also: $bad"
missing=
for f in $funcs; do grep -qx "$f" so.syms || missing="$missing $f"; done
[ -z "$missing" ] && ok "libjitk.so exports every function of jitk.h" ||
	notok "libjitk.so exports every function of jitk.h" "missing:$missing"
nm -g --defined-only "$R/$B/lib/libjitk.a" | awk 'NF == 3 { print $3 }' | sort -u > a.syms
bad=$(grep -v '^jitk_' a.syms | tr '\n' ' ')
[ -s a.syms ] && [ -z "$bad" ] && ok "libjitk.a's global symbols are jitk_*" ||
	notok "libjitk.a's global symbols are jitk_*" "also: $bad"
missing=
for f in $funcs; do grep -qx "$f" a.syms || missing="$missing $f"; done
[ -z "$missing" ] && ok "libjitk.a defines every function of jitk.h" ||
	notok "libjitk.a defines every function of jitk.h" "missing:$missing"

# The link-clash program against each library.
U=$R/tests/pkg/user.c
POL=$R/policies/paper.scpl
ver=$("$J" --version | sed -n '1s/^jitk \([^ ]*\) .*/\1/p')
want="jitk $ver getpid=0x7fff0000 open=0x0005000d user 1 user"
if $CC -std=c11 -I"$R/include" -o clash-internal "$U" "$R/$B/libjitk.a" -lz3 -ljson-c 2>clash.err; then
	notok "the internal archive clashes with the user's edit_distance (the check can fail)"
else
	has clash.err "multiple definition" "the internal archive clashes with the user's edit_distance (the check can fail)"
fi
run $CC -std=c11 -I"$R/include" -o clash-static "$U" "$R/$B/lib/libjitk.a" -lz3 -ljson-c
[ "$rc" -eq 0 ] && ok "a program defining edit_distance, codegen, str_copy links with libjitk.a" ||
	notok "a program defining edit_distance, codegen, str_copy links with libjitk.a"
run ./clash-static "$POL"
same_line out "$want" "... and runs"
run $CC -std=c11 -I"$R/include" -o clash-shared "$U" -L"$R/$B/lib" -ljitk -Wl,-rpath,"$R/$B/lib"
[ "$rc" -eq 0 ] && ok "... and links with libjitk.so" || notok "... and links with libjitk.so"
run ./clash-shared "$POL"
same_line out "$want" "... and runs"

# ------------------------------------------------------- install, PREFIX
P=$T/prefix
mkdir "$P"
mk install PREFIX="$P" && ok "make install PREFIX=..." || { notok "make install PREFIX=..."; cat mk.log; }
for f in bin/jitk lib/libjitk.a lib/libjitk.so lib/libjitk.so.0 include/jitk.h \
	lib/libjitk-rt.a lib/pkgconfig/jitk-rt.pc \
	lib/pkgconfig/jitk.pc share/man/man1/jitk.1 share/man/man3/libjitk.3 \
	share/man/man5/jitk-scpl.5 share/bash-completion/completions/jitk \
	share/doc/jitk/README.md share/doc/jitk/docs/scpl.md share/doc/jitk/docs/cli.md; do
	[ -e "$P/$f" ] && ok "installed $f" || notok "installed $f"
done
n_src=$(cd "$R/policies" && find . -name '*.scpl' | sort)
n_ins=$(cd "$P/share/jitk/policies" 2>/dev/null && find . -name '*.scpl' | sort)
[ -n "$n_src" ] && [ "$n_src" = "$n_ins" ] && ok "every policy installed, crosvm's too ($(echo "$n_ins" | wc -l))" ||
	notok "every policy installed, crosvm's too" "$(echo "$n_ins" | wc -l) of $(echo "$n_src" | wc -l)"
[ -f "$P/share/jitk/policies/crosvm/net-device.scpl" ] && ok "policies/crosvm/ keeps its directory" ||
	notok "policies/crosvm/ keeps its directory"
"$P/bin/jitk" compile "$P/share/jitk/policies/docker-default.scpl" -o d.bpf --no-verify 2>/dev/null &&
	ok "the installed jitk compiles an installed policy" || notok "the installed jitk compiles an installed policy"

export PKG_CONFIG_PATH="$P/lib/pkgconfig"
run pkg-config --cflags --libs jitk
has out "-I$P/include" "pkg-config --cflags names the prefix"
has out "-ljitk" "pkg-config --libs names -ljitk"
run pkg-config --static --libs jitk
has out "-lz3" "pkg-config --static --libs adds Z3"
# the Z3-free runtime: its own .pc, no Z3 even for static links
run pkg-config --static --libs jitk-rt
has out "-ljitk-rt" "pkg-config --libs jitk-rt names -ljitk-rt"
lacks out "-lz3" "pkg-config --static --libs jitk-rt needs no Z3"
run pkg-config --modversion jitk
same_line out "$ver" "pkg-config --modversion is jitk's version"
libdir=$(pkg-config --variable=libdir jitk)
# shellcheck disable=SC2046
run $CC -std=c11 -o user-shared "$U" $(pkg-config --cflags --libs jitk) -Wl,-rpath,"$libdir"
[ "$rc" -eq 0 ] && ok "builds with pkg-config --cflags --libs jitk (shared)" ||
	notok "builds with pkg-config --cflags --libs jitk (shared)"
readelf -d user-shared 2>/dev/null | grep -q 'NEEDED.*libjitk\.so\.0' && ok "... needs libjitk.so.0" ||
	notok "... needs libjitk.so.0"
run ./user-shared "$POL"
same_line out "$want" "... and runs"
# shellcheck disable=SC2046
run $CC -std=c11 -o user-static "$U" $(pkg-config --cflags jitk) -Wl,-Bstatic \
	$(pkg-config --libs-only-L --libs-only-l jitk) -Wl,-Bdynamic $(pkg-config --static --libs-only-l jitk | sed 's/-ljitk//')
[ "$rc" -eq 0 ] && ok "builds with pkg-config --static (libjitk.a)" || notok "builds with pkg-config --static (libjitk.a)"
readelf -d user-static 2>/dev/null | grep -q 'libjitk' && notok "... does not need libjitk.so" ||
	ok "... does not need libjitk.so"
run ./user-static "$POL"
same_line out "$want" "... and runs"

# Man pages: no groff warning; jitk(1) names every command and option of
# the table, libjitk(3) every function of jitk.h.
for m in man1/jitk.1 man3/libjitk.3 man5/jitk-scpl.5; do
	LC_ALL=C groff -man -ww -z "$P/share/man/$m" >groff.out 2>&1
	[ ! -s groff.out ] && ok "$m renders without warnings" || notok "$m renders without warnings" "$(head -n3 groff.out)"
	lacks "$P/share/man/$m" "@" "$m has no placeholder left"
done
man1=$P/share/man/man1/jitk.1
for c in $("$J" help --list commands); do
	grep -q "^\.SS \"jitk $c\"" "$man1" && ok "jitk(1) has $c" || notok "jitk(1) has $c"
	for o in $("$J" help --list options "$c" | cut -f1); do
		grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$man1" && ok "jitk(1) names $c $o" || notok "jitk(1) names $c $o"
	done
done
missing=
for f in $funcs; do grep -q "$f" "$P/share/man/man3/libjitk.3" || missing="$missing $f"; done
[ -z "$missing" ] && ok "libjitk(3) has every function of jitk.h" || notok "libjitk(3) has every function of jitk.h" "$missing"
grep -q 'first match wins' "$P/share/man/man5/jitk-scpl.5" && ok "jitk-scpl(5) is docs/scpl.md" ||
	notok "jitk-scpl(5) is docs/scpl.md"

# Completion, from the installed script and binary.
if command -v bash >/dev/null; then
	cat > comp.bash <<EOF
. "$P/share/bash-completion/completions/jitk"
c() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _jitk; printf '%s\n' "\${COMPREPLY[@]}"; }
EOF
	comp() { bash -c ". ./comp.bash; c $*" > out 2>err; }
	comp "$P/bin/jitk" "''"
	for c in $("$J" help --list commands); do has out "$c" "completes the command $c"; done
	for c in $("$J" help --list commands); do
		comp "$P/bin/jitk" "$c" --
		for o in $("$J" help --list options "$c" | cut -f1); do
			grep -qx -- "$o" out && ok "completes $c $o" || notok "completes $c $o"
		done
	done
	comp "$P/bin/jitk" eval x --arch i386 --nr socketc
	same_line out socketcall "completes syscall names of --arch"
	comp "$P/bin/jitk" eval x --arch "''"
	has out aarch64 "completes arch names"
	comp "$P/bin/jitk" compile -f t
	same_line out text "completes option values"
	comp "$P/bin/jitk" run --flags log,tsync_
	same_line out log,tsync_esrch "completes a comma list"
	mkdir -p pdir && : > pdir/my.scpl
	comp "$P/bin/jitk" compile pdir/m
	same_line out pdir/my.scpl "completes file operands"
	comp "$P/bin/jitk" exec f -- tru
	has out true "completes the command after --"
fi

mk uninstall PREFIX="$P" && ok "make uninstall" || notok "make uninstall"
left=$(find "$P" -mindepth 1 | head -n5)
[ -z "$left" ] && [ -d "$P" ] && ok "the prefix is empty after uninstall" || notok "the prefix is empty after uninstall" "$left"

# ------------------------------------------------------ install, DESTDIR
D=$T/dest
mk install DESTDIR="$D" PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu && ok "make install DESTDIR=..." ||
	notok "make install DESTDIR=..."
has "$D/usr/lib/x86_64-linux-gnu/pkgconfig/jitk.pc" "prefix=/usr" "the .pc names PREFIX, not DESTDIR"
has "$D/usr/share/man/man1/jitk.1" "/usr/share/jitk/policies" "jitk(1) names the installed policies"
[ -L "$D/usr/lib/x86_64-linux-gnu/libjitk.so.0" ] && ok "LIBDIR is honoured" || notok "LIBDIR is honoured"
mk uninstall DESTDIR="$D" PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu && ok "make uninstall DESTDIR=..." ||
	notok "make uninstall DESTDIR=..."
left=$(find "$D" -mindepth 1 -not -type d | head -n5)
[ -z "$left" ] && ok "DESTDIR holds no file after uninstall" || notok "DESTDIR holds no file after uninstall" "$left"
exit 0
