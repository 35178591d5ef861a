#!/bin/sh
# test_files.sh JITK - how every command reads and writes files (cli/io.c):
# bounded inputs, '-' as standard input, outputs that never destroy what
# they replace.  Prints TAP lines.
. "$(dirname "$0")/lib.sh"
cli_setup files "$@"

PAPER=$R/policies/paper.scpl
chmod 755 . # tests below run jitk as nobody in subdirectories
cp "$PAPER" p.scpl
"$J" compile p.scpl -o good.bpf --no-verify 2>/dev/null

# mode FILE: its permission bits and owner, as ls shows them
mode() { stat -c '%a %u:%g' "$1" 2>/dev/null; }

# ------------------------------------------------------- regular targets
printf 'old' >keep.bpf
chmod 600 keep.bpf
expect 0 "compile over an existing 0600 file" "$J" compile p.scpl -o keep.bpf --no-verify
same_line_cmd() { got=$($1); if [ "$got" = "$2" ]; then ok "$3"; else notok "$3" "got '$got'" "want '$2'"; fi; }
same_line_cmd "stat -c %a keep.bpf" 600 "the replaced file keeps mode 0600"
if cmp -s keep.bpf good.bpf; then ok "and holds the new filter"; else notok "and holds the new filter"; fi

umask 022
rm -f new.bpf
expect 0 "compile to a new file" "$J" compile p.scpl -o new.bpf --no-verify
same_line_cmd "stat -c %a new.bpf" 644 "a new file gets 0666 & ~umask"

if [ "$(id -u)" = 0 ]; then
	printf 'old' >owned.bpf
	chown 65534:65534 owned.bpf
	chmod 640 owned.bpf
	expect 0 "root replaces a file owned by nobody" "$J" compile p.scpl -o owned.bpf --no-verify
	same_line_cmd "mode owned.bpf" "640 65534:65534" "the replacement keeps owner, group and mode"
fi

# --------------------------------------------------------------- symlinks
printf 'old' >target.bpf
ln -s target.bpf link.bpf
expect 0 "compile to a symlink" "$J" compile p.scpl -o link.bpf --no-verify
if [ -L link.bpf ]; then ok "the symlink stays a symlink"; else notok "the symlink stays a symlink"; fi
if cmp -s target.bpf good.bpf; then ok "the file it names is replaced"; else notok "the file it names is replaced"; fi
mkdir sub
printf 'old' >sub/t.bpf
ln -s sub/t.bpf rel.bpf
ln -s rel.bpf chain.bpf
expect 0 "compile through a chain of relative symlinks" "$J" compile p.scpl -o chain.bpf --no-verify
if [ -L chain.bpf ] && [ -L rel.bpf ] && cmp -s sub/t.bpf good.bpf; then ok "the chain is followed to its end"
else notok "the chain is followed to its end"; fi
ln -s nowhere.bpf dangling.bpf
expect 0 "compile to a dangling symlink" "$J" compile p.scpl -o dangling.bpf --no-verify
if [ -L dangling.bpf ] && cmp -s nowhere.bpf good.bpf; then ok "it creates the file the link names"
else notok "it creates the file the link names"; fi
ln -s loop1 loop2
ln -s loop2 loop1
expect 1 "a symlink loop is refused" "$J" compile p.scpl -o loop1 --no-verify
has err "loop1: Too many levels of symbolic links" "with the reason"

# ------------------------------------------------ targets that are not files
mknod null c 1 3 2>/dev/null || ln -s /dev/null null
expect 0 "compile to a character device" "$J" compile p.scpl -o null --no-verify
if [ -c null ]; then ok "the device node stays a device"; else notok "the device node stays a device"; fi
absent null.tmpXXXXXX "no temporary file beside a device"
mkfifo fifo
timeout 20 cat fifo >from-fifo & # bounded: a jitk that never opens it fails the test, not the suite
expect 0 "compile to a fifo" "$J" compile p.scpl -o fifo --no-verify
wait
if [ -p fifo ] && cmp -s from-fifo good.bpf; then ok "the fifo is written in place and stays a fifo"
else notok "the fifo is written in place and stays a fifo"; fi
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind("sock")' 2>/dev/null
if [ -S sock ]; then
	expect 1 "a socket is refused" "$J" compile p.scpl -o sock --no-verify
	has err "sock: it is a socket" "with the reason"
fi
mkdir dir.bpf
expect 1 "a directory target is refused" "$J" compile p.scpl -o dir.bpf --no-verify
has err "cannot write dir.bpf: Is a directory" "with the real reason"
if [ -z "$(ls dir.bpf)" ] && ! ls dir.bpf.tmp* >/dev/null 2>&1; then ok "nothing is left beside or in it"
else notok "nothing is left beside or in it"; fi
expect 1 "a target in a missing directory is refused" "$J" compile p.scpl -o nodir/x.bpf --no-verify
has err "cannot write nodir/x.bpf: No such file or directory" "with the real reason"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -m 777 pub
	printf 'old' >pub/ro.bpf
	chmod 444 pub/ro.bpf
	cp p.scpl pub/p.scpl
	chmod 644 pub/p.scpl
	asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	expect 1 "an unwritable file in a writable directory is refused" \
		asnobody "$J" compile pub/p.scpl -o pub/ro.bpf --no-verify
	has err "cannot write pub/ro.bpf: Permission denied" "with the real reason"
	same_line_cmd "cat pub/ro.bpf" old "the unwritable file is untouched"
	mkdir -m 755 locked
	expect 1 "a file in an unwritable directory is refused" \
		asnobody "$J" compile pub/p.scpl -o locked/x.bpf --no-verify
	has err "cannot write locked/x.bpf: Permission denied" "with the real reason"
fi

# ------------------------------------------------------ output == input
cp p.scpl same.scpl
expect 1 "the output may not be the policy" "$J" compile same.scpl -o same.scpl --no-verify
has err "it is also an input" "says why"
if cmp -s same.scpl p.scpl; then ok "the policy is untouched"; else notok "the policy is untouched"; fi
ln -s same.scpl alias.scpl
expect 1 "nor a symlink to it" "$J" compile same.scpl -o alias.scpl --no-verify
expect 1 "nor the policy read from stdin" sh -c "'$J' compile - -o same.scpl --no-verify <same.scpl"
if cmp -s same.scpl p.scpl; then ok "the policy is still untouched"; else notok "the policy is still untouched"; fi
"$J" asm "$D/paper.s" -o f.s --format text 2>/dev/null
cp f.s f0.s
expect 1 "disasm -o its own input" "$J" disasm f.s -o f.s
expect 1 "asm -o its own input" "$J" asm f.s -o f.s --format text
if cmp -s f.s f0.s; then ok "the filter text is untouched"; else notok "the filter text is untouched"; fi

# --------------------------------------------------- a write that fails
printf 'old' >big.bpf
# ulimit -f counts 512-byte blocks: the message fits, docker's filter not
# (its lint warnings would not fit either: silenced, they go to stderr).
expect 1 "a write past the file size limit fails" \
	sh -c "ulimit -f 1; '$J' compile '$R/policies/docker-default.scpl' -o big.bpf --no-verify --no-warn all"
has err "File too large" "with the real reason"
same_line_cmd "cat big.bpf" old "the old file is as it was"
absent big.bpf.tmpXXXXXX "no temporary file is left"
if ls big.bpf.tmp* >/dev/null 2>&1; then notok "no temporary file (glob)"; else ok "no temporary file (glob)"; fi

# ---------------------------------------------------------- bounded input
for c in "check" "disasm" "eval --nr 0" "jit" "compile -o zero.out" "verify good.bpf" "diff good.bpf" "asm -o zero.out"; do
	set -- $c
	cmd=$1
	shift
	case $cmd in verify) args="/dev/zero $*" ;; diff) args="$* /dev/zero" ;; *) args="/dev/zero $*" ;; esac
	# shellcheck disable=SC2086
	expect 1 "$cmd on /dev/zero ends" sh -c "ulimit -t 5; '$J' $cmd $args"
	has err "larger than the input limit of 16 MiB" "$cmd names the limit"
done
absent zero.out "no output from an endless input"
mkfifo endless
timeout 20 sh -c 'yes >endless' 2>/dev/null &
expect 1 "a fifo that never ends stops at the limit" sh -c "ulimit -t 5; '$J' check endless"
has err "endless is larger than the input limit" "and says so"
wait
head -c 100 /dev/zero >hundred
expect 1 "--max-input lowers the limit" "$J" check hundred --max-input 99
has err "larger than the input limit of 99 bytes" "names the given limit"
expect 1 "--max-input=N before the command" "$J" --max-input=1K check /dev/zero
has err "limit of 1 KiB" "the limit is the given one"
expect 0 "a file of exactly the limit is read" "$J" check good.bpf --max-input "$(wc -c <good.bpf)"
expect 2 "--max-input twice" "$J" check good.bpf --max-input 1M --max-input 2M
has err "given twice" "says so"
expect 2 "--max-input 0" "$J" check good.bpf --max-input 0
expect 2 "--max-input junk" "$J" check good.bpf --max-input 12Q
expect 1 "a directory input says so" "$J" check .
has err "cannot read .: Is a directory" "with the reason"

# ------------------------------------------------------ '-' is stdin
expect 0 "compile - reads the policy from stdin" sh -c "'$J' compile - -o stdin.bpf --no-verify <p.scpl"
if cmp -s stdin.bpf good.bpf; then ok "the same filter as from the file"; else notok "the same filter as from the file"; fi
expect 0 "verify - FILTER" sh -c "'$J' verify - good.bpf <p.scpl"
expect 0 "verify POLICY - (filter from stdin)" sh -c "'$J' verify p.scpl - <good.bpf"
expect 0 "diff - POLICY" sh -c "'$J' diff - p.scpl <good.bpf"
expect 2 "diff - - is refused" "$J" diff - -
printf '{ default_action = Allow; rules = [ { action = Errno EPERM; syscall = ptrace } ] }\n' >allow.scpl
expect 0 "run - -- true" sh -c "'$J' run - -- true <allow.scpl"
printf '{ default_action = Allow; rules = [ { action = Bogus; syscall = read } ] }\n' >bad.scpl
expect 1 "a bad policy on stdin" sh -c "'$J' compile - -o x.bpf <bad.scpl"
has err "<stdin>:1:" "is located as <stdin>:line:col"
absent x.bpf "and writes nothing"

# --------------------------------------------------- content, not names
cp p.scpl policy.txt
cp good.bpf filter.scpl
expect 0 "diff decides policy vs filter by content" "$J" diff policy.txt filter.scpl
expect 0 "verify takes a policy without .scpl" "$J" verify policy.txt filter.scpl
expect 1 "verify with the operands swapped" "$J" verify good.bpf p.scpl
has err "good.bpf holds binary data" "says the first one is binary"
has err "are the two swapped?" "and hints at the order"
printable() { if LC_ALL=C grep -q '[^ -~]' "$1"; then notok "$2" "raw bytes in $1"; else ok "$2"; fi; }
printable err "without echoing its bytes"
expect 1 "check on a policy" "$J" check p.scpl
has err "p.scpl is an SCPL policy, not a filter" "says what it is"
has err "jitk compile" "and how to get a filter"
expect 1 "compile a raw filter" "$J" compile good.bpf -o x.bpf
has err "holds binary data" "says it is not a policy"
absent x.bpf "and writes nothing"
printf '\033[31mld [4]\nret #0\n' >esc.s
expect 1 "an escape sequence in assembler text" "$J" check esc.s
printable err "is never echoed to the terminal"
