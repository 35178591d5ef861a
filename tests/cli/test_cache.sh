#!/bin/sh
# test_cache.sh JITK - the proof cache of compile and run (cli/cache.c,
# docs/cli.md "The proof cache", docs/verify.md).  Prints TAP lines.
#
# The evidence that a warm run does not prove again is not timing: a small
# preloaded library (noz3.so) makes any call into Z3 abort, so a run under
# it succeeds only if no proof and no Z3 lint check was made.  Every bad
# case (corrupt, truncated, foreign, mismatched entries; untrusted or
# unwritable directories) must still end with the filter a fresh proof
# gives, byte for byte.
. "$(dirname "$0")/lib.sh"
cli_setup cache "$@"
unset JITK_NO_CACHE
CC=${CC:-cc}

cat >top.scpl <<'EOF'
{ arch = [x86_64; i386];
  default_action = Allow;
  rules = [
    { action = Errno EPERM; syscall = mkdir };
    include "deny.rules";
  ] }
EOF
echo '[ { action = Errno EACCES; syscall = rmdir } ]' >deny.rules
# A second policy, for entries of another input.
cat >other.scpl <<'EOF'
{ default_action = Allow; rules = [ { action = Errno EPERM; syscall = chmod } ] }
EOF

X=$T/xdg # XDG_CACHE_HOME of most cases
C=$X/jitk
export XDG_CACHE_HOME="$X"

# The reference filters, proved without the cache.
expect 0 "the reference compile (--no-cache)" "$J" compile top.scpl -o ref.bpf --no-cache
lacks err "cached" "--no-cache proves"
[ ! -e "$C" ] && ok "--no-cache creates no cache directory" || notok "--no-cache creates no cache directory"
"$J" compile other.scpl -o ref-other.bpf --no-cache 2>/dev/null

# The Z3 tripwire.
cat >noz3.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
static void tripped(void) { fputs("noz3: Z3 was called\n", stderr); abort(); }
void *Z3_mk_config(void) { tripped(); return NULL; }
void *Z3_mk_context(void *c) { (void)c; tripped(); return NULL; }
void *Z3_mk_context_rc(void *c) { (void)c; tripped(); return NULL; }
EOF
if $CC -shared -fPIC -o noz3.so noz3.c 2>cc.err; then
	NOZ3=$T/noz3.so
else
	NOZ3=
	notok "build the Z3 tripwire" "$(cat cc.err)"
fi
# noz3 CMD...: CMD with every Z3 call aborting.
noz3() { LD_PRELOAD=$NOZ3 "$@"; }
# The tripwire works: a proof under it fails.
expect 134 "a proof under the tripwire aborts (the tripwire works)" noz3 "$J" compile top.scpl -o x.bpf --no-cache
has err "noz3: Z3 was called" "the tripwire names itself"

same() { # FILE WHAT: FILE is the reference filter, byte for byte
	if cmp -s "$1" "${3:-ref.bpf}"; then ok "$2"; else notok "$2" "$1 differs from ${3:-ref.bpf}"; fi
}
# miss WHAT CMD...: CMD succeeds with a fresh proof
miss() {
	what=$1
	shift
	expect 0 "$what: exit 0" "$@"
	has err "proved equal to the policy" "$what: proved"
	lacks err "cached proof" "$what: not from the cache"
}
# hit WHAT CMD...: CMD succeeds from the cache, Z3 never called
hit() {
	what=$1
	shift
	expect 0 "$what: exit 0 without Z3" noz3 "$@"
	has err "cached proof" "$what: from the cache"
}
mode() { stat -c %a "$1"; }
no_tmp() { # WHAT
	if ls -a "$C" 2>/dev/null | grep -q '^\.tmp-'; then notok "$1" "$(ls -a "$C")"; else ok "$1"; fi
}
entries() { ls "$C" 2>/dev/null | grep -c '\.bpf$'; }

# ---------------------------------------------------------------- hit
miss "cold compile" "$J" compile top.scpl -o a.bpf
same a.bpf "the cold output is the reference"
[ "$(mode "$C")" = 700 ] && ok "the cache directory is 0700" || notok "the cache directory is 0700" "$(mode "$C")"
E=$(ls "$C"/*.bpf 2>/dev/null | head -n1)
[ -n "$E" ] && [ "$(mode "$E")" = 600 ] && ok "an entry is 0600" || notok "an entry is 0600" "$(ls -l "$C")"
no_tmp "no temporary file left after a write"
hit "warm compile" "$J" compile top.scpl -o b.bpf
same b.bpf "the warm output is the reference"
hit "warm compile with another --timeout (a finished proof is a proof)" "$J" compile top.scpl -o c.bpf --timeout 5
same c.bpf "... and its output is the reference"
hit "warm compile, text format" "$J" compile top.scpl -o warm.s
"$J" compile top.scpl -o cold.s --no-cache 2>/dev/null
if cmp -s warm.s cold.s; then ok "the format applies to the cached filter as to a proved one"; else notok "the format applies to the cached filter as to a proved one"; fi
hit "run shares compile's entry" "$J" run top.scpl -v --no-report -- /bin/true
hit "warm run, supervised" "$J" run top.scpl -v -- /bin/true
expect 1 "a warm run still enforces the policy (mkdir refused)" noz3 "$J" run top.scpl --no-report -- mkdir "$T/nodir"
[ ! -d "$T/nodir" ] && ok "... and nothing was made" || notok "... and nothing was made"
# The same from another working directory and policy name: the names are
# part of the key (they are in the warnings), so this proves again.
mkdir sub && cp top.scpl deny.rules sub/
miss "the same text under another name" "$J" compile sub/top.scpl -o d.bpf
same d.bpf "... with the reference output"

# The lint warnings (their Z3 checks cost as much as the proof) are cached too.
cat >shadow.scpl <<'EOF'
{ default_action = Allow;
  rules = [
    { action = Errno EPERM; syscall = chmod };
    { action = Errno EACCES; syscall = chmod } ] }
EOF
miss "cold compile with a warning" "$J" compile shadow.scpl -o s1.bpf
grep -v "^jitk: " err >warn1
has warn1 "shadowed-rule" "the cold compile warns of the shadowed rule"
hit "warm compile with a warning" "$J" compile shadow.scpl -o s2.bpf
grep -v "^jitk: " err >warn2
if cmp -s warn1 warn2; then ok "the cached warnings are the same"; else notok "the cached warnings are the same" "$(diff warn1 warn2 | head -n 5)"; fi
expect 1 "--werror refuses from the cache too" noz3 "$J" compile shadow.scpl -o s3.bpf --werror
absent s3.bpf "... and writes nothing"
# A rule shadowed only by a condition is proved so with Z3; silenced, that
# proof is not made (a filter from the cache then needs no Z3 at all).
cat >zshadow.scpl <<'EOF'
{ default_action = Allow;
  rules = [
    { action = Errno EPERM; syscall = ioctl; when = arg1 <= 100 };
    { action = Errno EACCES; syscall = ioctl; when = arg1 == 7 } ] }
EOF
miss "cold compile, a rule shadowed by a condition" "$J" compile zshadow.scpl -o z1.bpf
has err "(proved with Z3) [shadowed-rule]" "... proved shadowed with Z3"
rm -f "$C"/*.lint # the warnings are made again, the filter comes from the cache
expect 0 "warm compile with --no-warn shadowed-rule: no Z3 for the warning" noz3 "$J" compile zshadow.scpl -o z2.bpf --no-warn shadowed-rule
lacks err "shadowed-rule" "... and the warning is silenced"

# ------------------------------------------------- misses on any change
echo '# a comment' >>top.scpl
miss "the policy's text changed (a comment)" "$J" compile top.scpl -o e.bpf
same e.bpf "... with the reference output"
echo '[ { action = Errno EPERM; syscall = rmdir } ]' >deny.rules
miss "an include's content changed" "$J" compile top.scpl -o f.bpf
"$J" compile top.scpl -o ref2.bpf --no-cache 2>/dev/null
same f.bpf "... and the output is the new policy's" ref2.bpf
if cmp -s f.bpf ref.bpf; then notok "... not the old one"; else ok "... not the old one"; fi
hit "the changed include, again" "$J" compile top.scpl -o g.bpf
same g.bpf "... with the new output" ref2.bpf
echo '[ { action = Errno EACCES; syscall = rmdir } ]' >deny.rules
hit "the include changed back: the first entry again" "$J" compile top.scpl -o h.bpf
sed 's/arch = \[x86_64; i386\]/arch = [x86_64]/' top.scpl >top64.scpl
cp top64.scpl top.scpl.new && mv top.scpl top.scpl.orig && mv top.scpl.new top.scpl
miss "the arch set changed" "$J" compile top.scpl -o i.bpf
mv top.scpl.orig top.scpl
# Options: an OCI profile's --host-arch, --caps, --kernel are in the key
# (through the SCPL the profile becomes).
cat >p.json <<'EOF'
{ "defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
  "syscalls": [ { "names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW" },
                { "names": ["reboot"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_BOOT"] } } ] }
EOF
miss "a profile" "$J" compile p.json -o j1.bpf --format raw
hit "the profile again" "$J" compile p.json -o j2.bpf --format raw
miss "the profile with --caps" "$J" compile p.json -o j3.bpf --format raw --caps CAP_SYS_BOOT
if cmp -s j1.bpf j3.bpf; then notok "--caps changes the filter"; else ok "--caps changes the filter"; fi
miss "the profile with --host-arch" "$J" compile p.json -o j4.bpf --format raw --host-arch i386
hit "the profile with --caps, again" "$J" compile p.json -o j5.bpf --format raw --caps CAP_SYS_BOOT
same j5.bpf "... is its own filter" j3.bpf
expect 0 "--no-verify never reads the cache" noz3 "$J" compile top.scpl -o nv.bpf --no-verify
has err "not verified" "... and says so"

# ------------------------------------------------------------ corruption
# corrupt MODE FILE: damage an entry.  The "rehash" modes write a
# well-formed entry (a correct SHA-256) around a bad payload.
corrupt() {
	python3 - "$1" "$2" <<'EOF'
import hashlib, os, struct, sys
mode, path = sys.argv[1], sys.argv[2]
b = bytearray(open(path, 'rb').read())
def rehash(hdr, payload):
    hdr[76:80] = struct.pack('<I', len(payload))
    body = bytes(hdr) + payload
    return body + hashlib.sha256(body).digest()
if mode == 'flip':       b[80 + (len(b) - 112) // 2] ^= 0x10
elif mode == 'fliphash': b[-1] ^= 1
elif mode == 'fliphdr':  b[3] ^= 0x20
elif mode == 'truncate': b = b[:len(b) // 2]
elif mode == 'short':    b = b[:-1]
elif mode == 'garbage':  b = bytearray(os.urandom(len(b)))
elif mode == 'empty':    b = bytearray()
elif mode == 'badcode':  b = bytearray(rehash(b[:80], struct.pack('<HBBI', 0xffff, 0, 0, 0)))
elif mode == 'allowall': b = bytearray(rehash(b[:80], struct.pack('<HBBI', 0x06, 0, 0, 0x7fff0000)))
elif mode == 'version':
    h = b[:80]; h[40:72] = b'9.9.9'.ljust(32, b'\0'); b = bytearray(rehash(h, bytes(b[80:-32])))
elif mode == 'kind':
    h = b[:80]; h[72:76] = struct.pack('<I', 2); b = bytearray(rehash(h, bytes(b[80:-32])))
open(path, 'wb').write(b)
EOF
}
rm -rf "$C"
"$J" compile top.scpl -o /dev/null 2>/dev/null
E=$(ls "$C"/*.bpf)
cp "$E" good.entry
for m in flip fliphash fliphdr truncate short garbage empty badcode allowall version kind; do
	cp good.entry "$E"
	corrupt $m "$E"
	miss "a damaged entry ($m) is ignored" "$J" compile top.scpl -o k.bpf
	has err "note: proof cache: entry" "... with a note ($m)"
	same k.bpf "... and the output is the proved filter ($m)"
	hit "... and the entry is replaced by a good one ($m)" "$J" compile top.scpl -o k2.bpf
	same k2.bpf "... which is the proved filter ($m)"
done
cp good.entry "$E"
corrupt allowall "$E"
expect 1 "run: a well-hashed entry that disagrees with the policy..." "$J" run top.scpl -v --no-report -- mkdir "$T/nodir2"
has err "disagrees with the policy" "... is refused, with a note"
lacks err "cached proof" "... and the policy proved again"
[ ! -d "$T/nodir2" ] && ok "... and the proved filter ran (mkdir refused)" || notok "... and the proved filter ran (mkdir refused)"

# ------------------------------------------------- mismatched entries
rm -rf "$C"
"$J" compile top.scpl -o /dev/null 2>/dev/null
ET=$(ls "$C"/*.bpf)
"$J" compile other.scpl -o /dev/null 2>/dev/null
EO=$(ls "$C"/*.bpf | grep -vxF "$ET")
cp "$EO" "$ET"
miss "another input's entry under this key is ignored" "$J" compile top.scpl -o m.bpf
has err "holds another input's key" "... naming why"
same m.bpf "... and the output is this policy's filter"
hit "the other policy still hits" "$J" compile other.scpl -o m2.bpf
same m2.bpf "... with its own filter" ref-other.bpf
# A lint entry in place of a filter entry.
EL=$(ls "$C"/*.lint 2>/dev/null | head -n1)
if [ -n "$EL" ]; then
	cp "$EL" "$ET"
	miss "a warnings entry in place of a filter is ignored" "$J" compile top.scpl -o m3.bpf
	same m3.bpf "... with the proved output"
fi

# ------------------------------------------------------- permissions
rm -rf "$C"
mkdir -p "$C" && chmod 0777 "$C"
miss "a world-writable cache directory is not used" "$J" compile top.scpl -o n.bpf
has err "writable by others (mode 0777); not used" "... with a note"
same n.bpf "... and the proved output"
[ "$(entries)" = 0 ] && ok "... nothing written there" || notok "... nothing written there"
miss "... nor read (second run)" "$J" compile top.scpl -o n2.bpf
[ "$(mode "$C")" = 777 ] && ok "... and not repaired behind the user's back" || notok "... and not repaired"
chmod 0770 "$C"
miss "a group-writable cache directory is not used" "$J" compile top.scpl -o n3.bpf
has err "writable by others (mode 0770)" "... with a note"
chmod 0700 "$C"
if [ "$(id -u)" = 0 ]; then
	chown 65534 "$C"
	miss "a cache directory owned by another user is not used" "$J" compile top.scpl -o o.bpf
	has err "owned by uid 65534" "... with a note"
	same o.bpf "... and the proved output"
	chown 0 "$C"
fi
# A planted entry in a good directory, writable by others: removed, re-proved.
"$J" compile top.scpl -o /dev/null 2>/dev/null
E=$(ls "$C"/*.bpf)
chmod 0666 "$E"
miss "an entry writable by others is not used" "$J" compile top.scpl -o p1.bpf
[ "$(mode "$E")" = 600 ] && ok "... and is replaced by a 0600 one" || notok "... and is replaced by a 0600 one" "$(mode "$E")"
# The jitk directory as a symlink (to a good directory) is not followed.
rm -rf "$C" && mkdir -m 0700 "$T/elsewhere" && ln -s "$T/elsewhere" "$C"
miss "a symlinked cache directory is not used" "$J" compile top.scpl -o q.bpf
has err "not a directory" "... with a note"
[ -z "$(ls "$T/elsewhere")" ] && ok "... nothing written through it" || notok "... nothing written through it"
rm -f "$C"
# umask 0: still 0700 and 0600.
(umask 0 && "$J" compile top.scpl -o /dev/null 2>/dev/null)
E=$(ls "$C"/*.bpf 2>/dev/null | head -n1)
[ "$(mode "$C")" = 700 ] && [ -n "$E" ] && [ "$(mode "$E")" = 600 ] && ok "umask 0: the directory is 0700, the entry 0600" ||
	notok "umask 0: the directory is 0700, the entry 0600" "$(ls -la "$C")"

# Unwritable caches: work without, never fail.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# root writes anywhere; an unprivileged user with a read-only cache.
	mkdir -p "$T/ro/xdg/jitk" "$T/ro/out" && cp top.scpl deny.rules "$T/ro/"
	chmod 0711 "$T" && chmod 0755 "$T/ro" && chown -R 65534:65534 "$T/ro/xdg" "$T/ro/out"
	chmod 0500 "$T/ro/xdg/jitk"
	asnobody() { XDG_CACHE_HOME=$T/ro/xdg setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	cp "$J" "$T/ro/jitk" && chmod 0755 "$T/ro/jitk"
	miss "a read-only cache directory: compile works" asnobody "$T/ro/jitk" compile "$T/ro/top.scpl" -o "$T/ro/out/r.bpf"
	same "$T/ro/out/r.bpf" "... with the proved output"
	[ -z "$(ls "$T/ro/xdg/jitk")" ] && ok "... and nothing written" || notok "... and nothing written"
	expect 0 "a read-only cache directory: run works" asnobody "$T/ro/jitk" run "$T/ro/top.scpl" --no-report -- /bin/true
fi
expect 0 "an unusable XDG_CACHE_HOME (under a file): compile works" env XDG_CACHE_HOME="$T/top.scpl/x" "$J" compile top.scpl -o u.bpf
same u.bpf "... with the proved output"
expect 0 "no HOME and no XDG_CACHE_HOME: compile works" env -u HOME -u XDG_CACHE_HOME "$J" compile top.scpl -o v.bpf
same v.bpf "... with the proved output"
mkdir home
expect 0 "a relative XDG_CACHE_HOME is ignored for \$HOME/.cache" env HOME="$T/home" XDG_CACHE_HOME=rel "$J" compile top.scpl -o w.bpf
[ -d "$T/home/.cache/jitk" ] && [ ! -e rel ] && ok "... the entry is under \$HOME/.cache/jitk" || notok "... the entry is under \$HOME/.cache/jitk"

# ------------------------------------------------ atomicity, concurrency
rm -rf "$C"
cat >conc.scpl <<'EOF'
{ arch = [x86_64; i386; x32]; default_action = Allow;
  rules = [ { action = Errno EPERM; syscalls = [mkdir; rmdir; chmod; chown] } ] }
EOF
"$J" compile conc.scpl -o conc-ref.bpf --no-cache 2>/dev/null
for i in 1 2 3 4; do ("$J" compile conc.scpl -o conc$i.bpf 2>conc$i.err; echo $? >conc$i.rc) & done
wait
bad=
for i in 1 2 3 4; do [ "$(cat conc$i.rc)" = 0 ] && cmp -s conc$i.bpf conc-ref.bpf || bad="$bad $i"; done
[ -z "$bad" ] && ok "four concurrent cold compiles all give the proved filter" || notok "four concurrent cold compiles all give the proved filter" "bad:$bad"
[ "$(entries)" = 1 ] && ok "... one entry" || notok "... one entry" "$(ls -a "$C")"
no_tmp "... no temporary file left"
hit "... and it is whole" "$J" compile conc.scpl -o conc5.bpf
same conc5.bpf "... and the proved filter" conc-ref.bpf
# A writer killed by SIGKILL leaves a temporary file; the next write
# removes it once it is old, never a young one (another writer's).
touch -d '2 hours ago' "$C/.tmp-stale" && touch "$C/.tmp-young"
miss "a write after a crash" "$J" compile top.scpl -o x1.bpf
[ ! -e "$C/.tmp-stale" ] && ok "... removes an old temporary file" || notok "... removes an old temporary file"
[ -e "$C/.tmp-young" ] && ok "... keeps a young one" || notok "... keeps a young one"
rm -f "$C/.tmp-young"

# Bounded: beyond 1024 files a write removes the least recently used, and
# a hit makes an entry recently used.
rm -rf "$C"
"$J" compile top.scpl -o /dev/null 2>/dev/null
KEEP=$(ls "$C"/*.bpf)
touch -d '3 days ago' "$KEEP"
hit "a hit" "$J" compile top.scpl -o z1.bpf
[ "$(find "$KEEP" -mmin -60 | wc -l)" = 1 ] && ok "... renews the entry's mtime" || notok "... renews the entry's mtime" "$(ls -l "$KEEP")"
python3 -c '
import os, sys, time
old = time.time() - 2 * 86400
for i in range(1100):
    p = os.path.join(sys.argv[1], "%064x.bpf" % (i + 1))
    with open(p, "wb") as f:
        f.write(b"old")
    os.chmod(p, 0o600)
    os.utime(p, (old, old))
' "$C"
miss "a write into a full cache" "$J" compile conc.scpl -o z2.bpf
left=$(ls "$C" | wc -l)
[ "$left" -le 1024 ] && [ "$left" -ge 700 ] && ok "... prunes it to three quarters ($left files)" || notok "... prunes it to three quarters" "$left files"
hit "... keeping the recently used entry" "$J" compile top.scpl -o z3.bpf
hit "... and the new one" "$J" compile conc.scpl -o z4.bpf
rm -rf "$C"

# The built-in policy (Docker's) is cached like a file.
miss "run with the built-in policy" "$J" run -v --no-report -- /bin/true
hit "run with the built-in policy, again" "$J" run -v --no-report -- /bin/true
expect 0 "--version" "$J" --version
if grep -qE '^tables fingerprint: sha256 [0-9a-f]{64}$' out; then ok "--version shows the tables' fingerprint"; else notok "--version shows the tables' fingerprint"; fi

# --------------------------------------------------- --no-cache, JITK_NO_CACHE
"$J" compile top.scpl -o /dev/null 2>/dev/null
miss "--no-cache ignores a good entry" "$J" compile top.scpl -o y.bpf --no-cache
miss "JITK_NO_CACHE=1 ignores a good entry" env JITK_NO_CACHE=1 "$J" compile top.scpl -o y2.bpf
hit "JITK_NO_CACHE=0 uses it" env JITK_NO_CACHE=0 "$J" compile top.scpl -o y3.bpf
rm -rf "$C"
miss "run --no-cache" "$J" run top.scpl --no-cache -v --no-report -- /bin/true
[ "$(entries)" = 0 ] && ok "--no-cache writes nothing" || notok "--no-cache writes nothing" "$(ls "$C")"
expect 2 "--no-cache is an option of compile, not of asm" "$J" asm x.s -o x.bpf --no-cache
