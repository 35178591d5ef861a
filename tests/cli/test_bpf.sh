#!/bin/sh
# test_bpf.sh JITK - the BPF-level commands: asm, disasm, check, eval, exec.
# Prints TAP lines.  Inputs are in tests/cli/data/; raw filters are also
# built here byte by byte, so eval/check/exec are tested independently of
# the assembler.
. "$(dirname "$0")/lib.sh"
cli_setup bpf "$@"

# insn CODE JT JF K: one struct sock_filter, little-endian, on stdout
byte() { printf "\\$(printf '%03o' "$(($1 & 255))")"; }
insn() {
	byte "$1"; byte "$(($1 >> 8))"; byte "$2"; byte "$3"
	byte "$4"; byte "$(($4 >> 8))"; byte "$(($4 >> 16))"; byte "$(($4 >> 24))"
}

# The paper's listing, assembled by hand (x86-64: open 2, getpid 39,
# gettimeofday 96; RET_KILL is SECCOMP_RET_KILL = 0).
{
	insn 32 0 0 0                 # ld [0]
	insn 21 0 1 2                 # jeq #SYS_open, L1, L2
	insn 6 0 0 $((0x5000d))       # L1: ret #RET_ERRNO|#EACCES
	insn 21 0 1 39                # L2: jeq #SYS_getpid, L3, L4
	insn 6 0 0 $((0x7fff0000))    # L3: ret #RET_ALLOW
	insn 21 0 1 96                # L4: jeq #SYS_gettimeofday, L5, L6
	insn 6 0 0 $((0x7fff0000))    # L5: ret #RET_ALLOW
	insn 6 0 0 0                  # L6: ret #RET_KILL
} >want_paper.bin
insn 6 0 0 $((0x7fff0000)) >allow.bin
{ # deny openat without O_CLOEXEC (data/deny_open_nocloexec.s)
	insn 32 0 0 4
	insn 21 0 5 $((0xc000003e))
	insn 32 0 0 0
	insn 21 0 3 257
	insn 32 0 0 32
	insn 69 1 0 $((0x80000))
	insn 6 0 0 $((0x5000d))
	insn 6 0 0 $((0x7fff0000))
} >deny_open.bin
{ insn 32 0 0 0; insn 148 0 0 3; insn 22 0 0 0; } >mod.bin   # ld [0]; mod #3; ret a
{ insn 32 0 0 0; insn 0 0 0 1; } >noret.bin                   # no RET at the end
head -c 12 want_paper.bin >trunc.bin                          # 1.5 instructions
head -c 5 want_paper.bin >odd.bin

# ------------------------------------------------------------------ asm
expect 0 "asm the paper listing" "$J" asm "$D/paper.s" -o paper.bin
if cmp -s paper.bin want_paper.bin; then ok "asm output is the expected 64 bytes"
else notok "asm output is the expected 64 bytes" "$(od -An -tx1 paper.bin 2>/dev/null | head -n 2)"; fi
expect 0 "disasm to a file" "$J" disasm want_paper.bin -o paper.s
expect 0 "asm the disassembly" "$J" asm paper.s -o paper2.bin
if cmp -s paper2.bin want_paper.bin; then ok "asm(disasm(paper)) == paper"; else notok "asm(disasm(paper)) == paper"; fi
expect 0 "disasm to stdout" "$J" disasm want_paper.bin
has out "ld [0]" "disasm prints text"
# Word names follow the ABI's byte order (docs/kernel-notes.md, section 11):
# an int parameter is the low word, at +4 on big-endian mips64, +0 on x86_64.
for a in "mips64 20" "x86_64 16"; do
	set -- $a
	printf '{ arch = [%s]; default_action = Errno EPERM; rules = [ { action = Allow; syscall = personality; when = arg0 == 0 } ] }\n' "$1" >bo.scpl
	expect 0 "compile a one-word compare for $1" "$J" compile bo.scpl --no-verify -o bo.bpf
	expect 0 "disasm the $1 filter" "$J" disasm bo.bpf
	has out "ld [$2]                          ; args[0].lo" "disasm names $1's low word of arg0 at byte $2"
done
expect 0 "asm -o - writes raw to stdout" "$J" asm "$D/paper.s" -o -
if cmp -s out want_paper.bin; then ok "stdout bytes match"; else notok "stdout bytes match"; fi
expect 0 "asm --format c" "$J" asm "$D/paper.s" -o paper.c --format c --name paper
has paper.c "sock_filter" "C output declares a sock_filter array"
expect 0 "asm --format text" "$J" asm "$D/paper.s" -o paper.txt --format text
expect 0 "asm text output reassembles" "$J" asm paper.txt -o paper3.bin
if cmp -s paper3.bin want_paper.bin; then ok "text format round trip"; else notok "text format round trip"; fi
expect 0 "asm writes a program seccomp refuses (with a warning)" "$J" asm "$D/mod.s" -o mod2.bin
has err "warning" "the warning is printed"
if cmp -s mod2.bin mod.bin; then ok "MOD program bytes"; else notok "MOD program bytes"; fi

# ---------------------------------------------------------------- check
expect 0 "check accepts the paper filter" "$J" check want_paper.bin
same_line out "want_paper.bin: ok (8 instructions)" "check output"
expect 0 "check accepts the paper listing as text" "$J" check "$D/paper.s"
expect 1 "check rejects MOD" "$J" check mod.bin
has err "mod.bin: error: instruction 1," "rejection names the file and the instruction"
has err "seccomp-opcode" "rejection names the rule"
expect 1 "check rejects a program without RET" "$J" check noret.bin
has err "instruction 1" "missing RET at the last instruction"

# ----------------------------------------------------------------- eval
expect 0 "eval open" "$J" eval want_paper.bin --nr open
same_line out "ERRNO(13 EACCES)  ret=0x0005000d  steps=3" "open is denied with EACCES"
expect 0 "eval getpid" "$J" eval want_paper.bin --nr getpid
same_line out "ALLOW  ret=0x7fff0000  steps=4" "getpid is allowed"
expect 0 "eval gettimeofday" "$J" eval want_paper.bin --nr SYS_gettimeofday
same_line out "ALLOW  ret=0x7fff0000  steps=5" "gettimeofday is allowed"
expect 0 "eval read" "$J" eval want_paper.bin --nr read --args 0,0x1000,16
same_line out "KILL_THREAD  ret=0x00000000  steps=5" "anything else is killed"
expect 0 "eval --quiet" "$J" eval want_paper.bin --nr open --quiet
same_line out "0x0005000d" "--quiet prints only the value"
expect 0 "eval by number" "$J" eval want_paper.bin --nr 39 -q
same_line out "0x7fff0000" "--nr 39 is getpid"
expect 0 "eval on x32" "$J" eval want_paper.bin --nr open --arch x32 -q
same_line out "0x00000000" "x32 open carries the x32 bit and is not open"
expect 0 "eval arch and args reach the filter" "$J" eval deny_open.bin --nr openat --args 0,0,0 -q
same_line out "0x0005000d" "openat without O_CLOEXEC is denied"
expect 0 "eval openat with O_CLOEXEC" "$J" eval deny_open.bin --nr openat --args 0,0,0x80000 -q
same_line out "0x7fff0000" "openat with O_CLOEXEC is allowed"
expect 0 "eval i386 arch" "$J" eval deny_open.bin --nr openat --arch i386 -q
same_line out "0x7fff0000" "i386 arch skips the x86-64 rule"
run "$J" eval want_paper.bin --nr open --jit
if [ "$rc" -eq 0 ]; then
	same_line out "ERRNO(13 EACCES)  ret=0x0005000d  steps=3  jit" "eval --jit agrees"
elif [ "$rc" -eq 1 ] && grep -q "JIT" err; then
	ok "eval --jit reports an unavailable JIT cleanly # $(head -n 1 err)"
else
	notok "eval --jit" "exit $rc"
fi

# ----------------------------------------------------------------- exec
expect 0 "exec true under an allow-all filter" "$J" exec allow.bin -- true
expect 3 "exec passes the exit status through" "$J" exec allow.bin -- sh -c 'exit 3'
expect 0 "exec with flags" "$J" exec allow.bin --flags log,spec_allow,tsync -- true
run "$J" exec deny_open.bin -- cat /etc/hostname
if [ "$rc" -ne 0 ] && grep -qF "/etc/hostname: Permission denied" err; then
	ok "a denied openat makes cat fail with Permission denied"
else
	notok "a denied openat makes cat fail with Permission denied" "exit $rc"
fi
expect 0 "cat still works when openat is allowed" "$J" exec allow.bin -- cat /etc/hostname
expect 1 "exec refuses a filter the checker rejects" "$J" exec mod.bin -- touch ran
has err "instruction 1" "exec names the instruction"
absent ran "the command did not run"
expect 127 "exec of a missing command" "$J" exec allow.bin -- ./no-such-command
has err "cannot execute ./no-such-command" "exec names the command"

# ----------------------------------------------------------- bad inputs
for c in check disasm; do
	expect 1 "$c: truncated binary" "$J" $c trunc.bin --from raw
	has err "truncated" "$c: truncated binary is reported"
	expect 1 "$c: odd-sized binary" "$J" $c odd.bin --from raw
	has err "odd.bin" "$c: names the file"
done
expect 1 "disasm -o: truncated binary" "$J" disasm trunc.bin -o trunc.s
absent trunc.s "no output file after a failed disasm"
expect 1 "eval: truncated binary" "$J" eval trunc.bin --from raw --nr open
expect 1 "exec: truncated binary" "$J" exec trunc.bin --from raw -- touch ran
absent ran "the command did not run"

expect 1 "asm: unknown mnemonic" "$J" asm "$D/bad_mnemonic.s" -o out.bin
has err "bad_mnemonic.s:2:1:" "unknown mnemonic: file:line:col"
has err "jeqq" "the caret line shows the source"
has err "^" "a caret marks the token"
absent out.bin "no output file after an unknown mnemonic"
expect 1 "asm: undefined label" "$J" asm "$D/undef_label.s" -o out.bin
has err "undef_label.s:2:" "undefined label: file:line"
has err "nowhere" "the label is named"
absent out.bin "no output file after an undefined label"
expect 1 "asm: constant out of range" "$J" asm "$D/range_const.s" -o out.bin
has err "range_const.s:1:" "constant out of range: file:line"
absent out.bin "no output file after a range error"
cp want_paper.bin keep.bin
expect 1 "asm over an existing file fails" "$J" asm "$D/bad_mnemonic.s" -o keep.bin
if cmp -s keep.bin want_paper.bin; then ok "the old file is left intact"; else notok "the old file is left intact"; fi
expect 1 "asm: missing file" "$J" asm does-not-exist.s -o x.bin
absent x.bin "no output file for a missing input"
expect 1 "disasm: missing file" "$J" disasm does-not-exist.bin
expect 1 "check: missing file" "$J" check does-not-exist.bin
has err "cannot open does-not-exist.bin" "missing file is named"
expect 1 "eval: missing file" "$J" eval does-not-exist.bin --nr open
expect 1 "exec: missing file" "$J" exec does-not-exist.bin -- true

# -------------------------------------------------------- command lines
expect 2 "asm without arguments" "$J" asm
has err "usage: jitk asm" "usage is printed"
expect 2 "asm without -o" "$J" asm "$D/paper.s"
absent paper.bin.tmp "nothing written"
expect 2 "asm with a bad --format" "$J" asm "$D/paper.s" -o x.bin --format elf
absent x.bin "nothing written on a usage error"
expect 2 "asm with an unknown option" "$J" asm "$D/paper.s" -o x.bin --frobnicate
expect 2 "disasm with two inputs" "$J" disasm a.bin b.bin
expect 2 "check without a filter" "$J" check
expect 2 "eval without --nr" "$J" eval want_paper.bin
expect 2 "eval with an unknown syscall" "$J" eval want_paper.bin --nr opn
has err "did you mean" "a spelling hint for the syscall"
expect 2 "eval with an unknown arch" "$J" eval want_paper.bin --nr open --arch armeb
expect 2 "eval with seven args" "$J" eval want_paper.bin --nr open --args 1,2,3,4,5,6,7
expect 2 "eval with a bad arg" "$J" eval want_paper.bin --nr open --args 1,zz
expect 2 "exec without a command" "$J" exec allow.bin --
expect 2 "exec with an unknown flag" "$J" exec allow.bin --flags log,bogus -- true
has err "bogus" "the flag is named"

# Errno names are the call's ABI's own: mips's ENOSYS is 89, which x86
# calls EDESTADDRREQ (docs/kernel-notes.md, "Errno values per ABI").
printf '{ arch = mips; default_action = Allow; rules = [ { action = Errno ENOSYS; syscall = getpid } ] }\n' > mipsnosys.scpl
expect 0 "compile a mips policy" "$J" compile mipsnosys.scpl -o mipsnosys.bin
expect 0 "eval on mips" "$J" eval mipsnosys.bin --nr getpid --arch mips
has out "ERRNO(89 ENOSYS)" "eval names 89 with mips's name"
lacks out "EDESTADDRREQ" "not x86's name for 89"
expect 0 "disasm of the mips filter" "$J" disasm mipsnosys.bin
has out "ERRNO(ENOSYS)" "disasm names the return with mips's name"
lacks out "EDESTADDRREQ" "disasm: not x86's name"
expect 0 "explain of the mips filter" "$J" explain mipsnosys.bin
has out "Errno ENOSYS" "explain names it with mips's name"

echo "1..$n"
