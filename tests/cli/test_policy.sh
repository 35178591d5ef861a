#!/bin/sh
# test_policy.sh JITK - the SCPL commands: compile and run.  Prints TAP lines.
# Policies come from policies/ (paper.scpl, demo.scpl) or are written here.
. "$(dirname "$0")/lib.sh"
cli_setup policy "$@"

PAPER=$R/policies/paper.scpl
DEMO=$R/policies/demo.scpl

# ------------------------------------------------------------- compile
expect 0 "compile the paper's policy" "$J" compile "$PAPER" -o paper.bpf
has err "instructions" "compile prints a summary line"
has err "proved equal to the policy" "the summary says the filter was proved"
size=$(wc -c <paper.bpf 2>/dev/null || echo 0)
if [ "$size" -gt 0 ] && [ $((size % 8)) -eq 0 ]; then ok "raw output is whole instructions ($size bytes)"
else notok "raw output is whole instructions" "size $size"; fi
expect 0 "the kernel-rules checker accepts the output" "$J" check paper.bpf
expect 0 "eval open on the compiled filter" "$J" eval paper.bpf --nr open
has out "ERRNO(13" "open gets EACCES"
expect 0 "eval getpid" "$J" eval paper.bpf --nr getpid
has out "ALLOW" "getpid is allowed"
expect 0 "eval write" "$J" eval paper.bpf --nr write
has out "KILL_PROCESS" "anything else is killed"
expect 0 "eval an x32 call" "$J" eval paper.bpf --nr open --arch x32
has out "KILL_PROCESS" "x32 calls are foreign on an x86_64 policy"

expect 0 "compile --format text to stdout" "$J" compile "$PAPER" -o - --format text
has out "ld [4]" "text output starts from the arch check"
has out "ret #0x5000d" "text output has the EACCES return"
expect 0 "an .s output name picks text" "$J" compile "$PAPER" -o paper.s
# The x32 guard, by behaviour (its code shape is the optimiser's business):
# no number at or above 0x40000000 on AUDIT_ARCH_X86_64 reaches x86_64 rules.
expect 0 "eval nr 0x40000002 (x32 open) on x86_64" "$J" eval paper.bpf --nr 0x40000002 --arch x86_64
has out "KILL_PROCESS" "the x32 guard catches x32 open"
expect 0 "eval nr 0x80000002 on x86_64" "$J" eval paper.bpf --nr 0x80000002 --arch x86_64
has out "KILL_PROCESS" "the x32 guard catches numbers with bit 31"
expect 0 "the text output assembles back" "$J" asm paper.s -o paper2.bpf
if cmp -s paper.bpf paper2.bpf; then ok "asm(text) is the same filter"; else notok "asm(text) is the same filter"; fi
expect 0 "compile --format c" "$J" compile "$PAPER" -o paper.h --format c
has paper.h "struct sock_filter" "C output declares a sock_filter array"
has paper.h "paper" "C output is named after the policy"
cp "$R/policies/docker-default.scpl" int.scpl
expect 0 "compile --format c of int.scpl" "$J" compile int.scpl -o int.h --format c --no-verify
has int.h "filter_prog" "a file name that is a C keyword gives the array the name filter"
lacks int.h " int\[" "the keyword is not the array's name"
expect 0 "compile --format c of docker-default.scpl" "$J" compile "$R/policies/docker-default.scpl" -o dd.h --format c --no-verify
has dd.h "docker_default_prog" "the array is named after the file, '-' made '_'"
expect 0 "compile help" "$J" help compile
has out "(docker_default for" "compile's help says what --name defaults to"
expect 0 "compile --no-verify" "$J" compile "$PAPER" -o nv.bpf --no-verify
has err "not verified" "--no-verify says so"
if cmp -s paper.bpf nv.bpf; then ok "the proof does not change the filter"; else notok "the proof does not change the filter"; fi
expect 0 "compile --timeout" "$J" compile "$PAPER" -o t.bpf --timeout 60000

# bad policies: diagnostic with caret and hint, status 1, no output
cat >typo.scpl <<'EOF'
{ default_action = Allow;
  rules = [ { action = Errno EACCES; syscall = SYS_opne } ] }
EOF
expect 1 "an unknown syscall fails" "$J" compile typo.scpl -o typo.bpf
has err "typo.scpl:2:" "the error names file and line"
has err "^" "the error draws a caret"
has err "hint:" "the error has a hint"
has err "open" "the hint suggests the real name"
absent typo.bpf "no output file after an error"

cat >syntax.scpl <<'EOF'
{ default_action = Allow;
  rules = [ { action = Allow syscall = read } ] }
EOF
expect 1 "a syntax error fails" "$J" compile syntax.scpl -o syntax.bpf
has err "syntax.scpl:2:" "the syntax error is located"
absent syntax.bpf "no output file after a syntax error"

echo old >keep.bpf
expect 1 "a failure keeps an existing output" "$J" compile typo.scpl -o keep.bpf
if [ "$(cat keep.bpf)" = old ]; then ok "the old output is untouched"; else notok "the old output is untouched"; fi

expect 1 "a missing policy file fails" "$J" compile nosuch.scpl -o x.bpf
has err "nosuch.scpl" "the error names the missing file"
expect 2 "compile without -o is a usage error" "$J" compile "$PAPER"
expect 2 "compile without a policy is a usage error" "$J" compile -o x.bpf
expect 2 "an unknown --format is a usage error" "$J" compile "$PAPER" -o x --format elf
expect 2 "a bad --timeout is a usage error" "$J" compile "$PAPER" -o x --timeout soon
expect 2 "an unknown option is a usage error" "$J" compile "$PAPER" -o x --fast
expect 0 "compile --help" "$J" compile --help
has out "usage: jitk compile" "compile --help prints usage"

# ----------------------------------------------------------------- run
expect 0 "run: an allowed command runs" "$J" run "$DEMO" -- cat "$PAPER"
has out "default_action = Kill" "run: its output arrives"
expect 2 "run: writing a file is denied" "$J" run "$DEMO" -- sh -c 'echo hi > made.txt'
has err "Permission denied" "run: the denial is EACCES"
absent made.txt "run: the file was not created"
expect 0 "run: the same write without jitk works" sh -c 'echo hi > made.txt'

# The tour (make demo) runs demo.scpl three times; its one true lint
# warning (openat2 left open) is shown once.
expect 0 "the demo runs" sh -c 'cd "$1" && sh tools/demo.sh "$2"' demo "$R" "$J"
nwarn=$(grep -c 'alias-refused\]' out)
[ "$nwarn" -eq 1 ] && ok "the demo shows its alias-refused warning once" ||
	notok "the demo shows its alias-refused warning once" "shown $nwarn times"

cat >nouname.scpl <<'EOF'
{ default_action = Allow; rules = [ { action = Errno EPERM; syscall = uname } ] }
EOF
expect 1 "run: uname under Errno EPERM fails" "$J" run nouname.scpl -- uname
has err "Operation not permitted" "run: uname reports EPERM"
expect 0 "run --flags log" "$J" run --flags log nouname.scpl -- true
expect 0 "run --verbose" "$J" run -v nouname.scpl -- true
has err "instructions" "run --verbose prints the summary"
expect 1 "run: a bad policy fails" "$J" run typo.scpl -- touch ran.txt
has err "hint:" "run: the diagnostic has a hint"
absent ran.txt "run: the command did not run"
expect 127 "run: a missing command is 127" "$J" run nouname.scpl -- /nonexistent/cmd
expect 2 "run without -- is a usage error" "$J" run nouname.scpl true
expect 2 "run without a command is a usage error" "$J" run nouname.scpl --
expect 2 "run: an unknown flag is a usage error" "$J" run --flags loud nouname.scpl -- true

# Issue 9: warnings for rules whose meaning changed and for calls the
# kernel never filters; errors for constants that cannot fit.
cat >changed.scpl <<'EOF'
{ arch = [x86_64; i386]; default_action = Allow; rules = [
  { action = Errno EPERM; syscall = ioctl; when = arg1 == TIOCSTI };
  { action = Errno EPERM; syscall = ioctl; when = low32(arg1) == TIOCSTI };
  { action = Errno EPERM; syscall = 335 };
  { action = Errno EPERM; syscall = ioctl; when = reg64(arg1) == TIOCSTI };
  { action = Errno EPERM; syscall = 336; arch = x86_64 };
  { action = Errno EPERM; syscall = openat; when = (low32(arg3) & 0xf7ff) == 0 } ] }
EOF
expect 0 "compile: a policy with warnings compiles" "$J" compile changed.scpl -o changed.bpf
has err "changed.scpl:2:3: warning: this rule's meaning changed: the 32-bit parameter 'cmd' (unsigned int) of ioctl on x86_64 is compared in its low 32 bits now (64 before)" "compile: the changed rule is named with its reason"
has err "  ^" "compile: the warning has a caret"
lacks err "changed.scpl:3:3: warning: this rule's meaning changed" "compile: low32() written out: no change-of-meaning warning"
has err "changed.scpl:4:3: warning: on x86_64, syscall 335 (uretprobe) never reaches seccomp" "compile: 335 never reaches seccomp"
has err "changed.scpl:6:3: warning: on x86_64, syscall 336 (uprobe) never reaches seccomp" "compile: 336 never reaches seccomp"
lacks err "changed.scpl:5:3: warning: this rule's meaning changed" "compile: reg64() written out: no change-of-meaning warning"
lacks err "changed.scpl:7:3: warning" "compile: low32() with a mask of the 16-bit umode_t's width: no warning"
has err "changed.scpl:5:3: warning: reg64(arg1) compares all 64 bits, but arg1 of ioctl is a 32-bit unsigned int (cmd) on x86_64: the kernel ignores the high 32 bits of the register [wide-compare]" "compile: reg64() on an int is linted"
expect 0 "compile --no-warn all silences the compiler's warnings too" "$J" compile changed.scpl -o changed.bpf --no-warn all
lacks err "warning" "compile --no-warn all: no warning printed"
cat >wide.scpl <<'EOF'
{ default_action = Allow; rules = [ { action = Errno EPERM; syscall = close; when = arg0 == 0x100000003 } ] }
EOF
expect 1 "compile: a constant wider than its parameter is an error" "$J" compile wide.scpl -o wide.bpf
has err "wide.scpl:1:93: error: value 0x100000003 does not fit the 32-bit parameter 'fd' (unsigned int) of close on x86_64" "compile: the error is at the constant and names the parameter"
has err "                                                                                            ^~~~~~~~~~~" "compile: the caret is under the constant"
absent wide.bpf "compile: no output after the error"
cat >noval.scpl <<'EOF'
{ arch = [x86_64; aarch64]; default_action = Allow; rules = [
  { action = Errno EPERM; syscall = prctl; when = arg1 == ARCH_SET_FS } ] }
EOF
expect 1 "compile: a constant one of the rule's ABIs lacks is an error" "$J" compile noval.scpl -o noval.bpf
has err "noval.scpl:2:59: error: constant 'ARCH_SET_FS' has no value on aarch64" "compile: the error is at the constant and names the ABI"
has err "                                                         ^~~~~~~~~~~" "compile: the caret is under the name"
absent noval.bpf "compile: no output after the missing constant"
cat >wide.json <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
 {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 4294967336, "op": "SCMP_CMP_EQ"}]}]}
EOF
expect 1 "compile: a profile value wider than its parameter is an error" "$J" compile wide.json -o wide.bpf --host-arch x86_64
has err "wide.json:2:83: error: value 0x100000028 does not fit the 32-bit parameter 'family' (int) of socket on x86_64" "compile: located at the JSON value"
has err "                                                                                  ^~~~~~~~~~" "compile: the caret is under the JSON value"
absent wide.bpf "compile: no output after the profile's error"

# Lint warnings quote their line of the file they are in (cli/lint_report.c
# reads each file once and seeks to the line): many warnings, in the main
# file and an include taking turns, after lines of every length, indented
# with spaces and tabs; every quoted line must be that line of that file,
# and the caret under the rule's column (a tab under a tab).
awk 'BEGIN {
	print "{ default_action = Kill; rules = ["
	for (i = 0; i < 120; i++) {
		if (i % 3 == 0) printf "# %0" (i * 5 + 1) "d\n", 0
		if (i % 2) print "  include \"inc.scpl\";"
		printf "%s{ action = Allow; syscall = openat; when = arg1 == %d };\n", (i % 4 == 1 ? "\t " : substr("      ", 1, i % 5)), i
	}
	print "] }"
}' >many.scpl
awk 'BEGIN { print "[ # the include"; print "\t{ action = Allow; syscall = stat; when = arg0 == 1 } ]" }' >inc.scpl
expect 0 "compile: a policy with 180 lint warnings" "$J" compile --no-verify --no-cache many.scpl -o many.bpf
nw=$(grep -c ': warning: .*\[pointer-compare\]$' err)
[ "$nw" -eq 180 ] && ok "compile: every pointer-compare warning is shown" ||
	notok "compile: every pointer-compare warning is shown" "shown $nw, want 180"
bad=$(awk '
	/^[^ ].*:[0-9]+:[0-9]+: warning: / {
		split($0, f, ":"); file = f[1]; line = f[2]; col = f[3]
		want = ""; k = 0
		while ((getline l < file) > 0) if (++k == line) { want = l; break }
		close(file)
		getline q; getline c
		caret = "  "
		for (j = 1; j < col; j++) caret = caret (substr(want, j, 1) == "\t" ? "\t" : " ")
		if (q != "  " want || c != caret "^") { print file ":" line ": [" q "] [" c "]"; exit }
		n++
	}
	END { if (!n) print "no warning" }' err)
[ -z "$bad" ] && ok "compile: each warning quotes its own line, caret under the rule" ||
	notok "compile: each warning quotes its own line, caret under the rule" "$bad"

# A rule past the width of a quoted line (255 bytes): the caret line is
# spaces up to its column, never bytes beyond the quoted text.
awk 'BEGIN { printf "{ default_action = Kill; rules = [ (* %0290d *) { action = Allow; syscall = openat; when = arg1 == 1 } ] }\n", 0 }' >long.scpl
expect 0 "compile: a warned rule at column 333" "$J" compile --no-verify --no-cache long.scpl -o long.bpf
has err "long.scpl:1:333: warning: arg1 of openat is a pointer" "compile: the long line's warning is located"
caret=$(grep -A2 '^long.scpl:1:333: warning' err | sed -n 3p)
want_caret=$(awk 'BEGIN { s = "  "; for (i = 1; i < 333; i++) s = s " "; print s "^" }')
[ "$caret" = "$want_caret" ] && ok "compile: the caret past the quoted text is under column 333" ||
	notok "compile: the caret past the quoted text is under column 333" "got '$caret'"

# A NUL byte in a comment before the warned rule: the quoted line is the
# rule's line (counting lines stopped at the NUL before).
printf '# a\000b\n#\n#\n{ default_action = Kill; rules = [\n  { action = Allow; syscall = openat; when = arg1 == 1 } ] }\n' >nul.scpl
expect 0 "compile: a NUL byte in a comment" "$J" compile --no-verify --no-cache nul.scpl -o nul.bpf
has err "nul.scpl:5:3: warning: arg1 of openat is a pointer" "compile: the warning after the NUL is on line 5"
has err "  { action = Allow; syscall = openat; when = arg1 == 1 } ] }" "compile: the warning after the NUL quotes line 5"

# The built-in default policy: either it runs the command, or (when the
# build had no policies/docker-default.scpl, or it does not compile) it
# says what is wrong with the built-in policy.
run "$J" run -- true
if [ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && grep -q "built-in" err; }; then
	ok "run with the built-in policy: runs, or says why not (exit $rc)"
else
	notok "run with the built-in policy" "exit $rc"
fi

echo "1..$n"
