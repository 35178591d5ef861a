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

# ------------------------------------------------- run: what was refused
cat >deny.scpl <<'EOF2'
{ default_action = Allow;
  rules = [
    { action = Errno EACCES; syscall = mkdirat };
    { action = Kill; syscall = mkdir };
    { action = Errno EPERM; syscall = rmdir };
  ] }
EOF2
expect 159 "run: a killed command exits 128+SIGSYS" "$J" run deny.scpl -- mkdir d1
has err "jitk: refused mkdir(\"d1\"" "run names the refused call and its path argument"
has err "[x86_64] by deny.scpl:4 (KillProcess)" "run names the ABI, the deciding rule's file:line and action"
if [ -e d1 ]; then notok "the refused mkdir never ran" "d1 exists"; else ok "the refused mkdir never ran"; fi
mkdir keep
expect 1 "run: an errno answer reaches the command" "$J" run deny.scpl -- rmdir keep
lacks err "jitk: refused" "errno answers are not reported without --report"
expect 1 "run --report: errno answers too" "$J" run deny.scpl --report -- rmdir keep
has err "refused rmdir(\"keep\"" "--report names the errno call"
has err "[x86_64] by deny.scpl:5 (Errno EPERM)" "--report names the errno rule"
if [ -d keep ]; then ok "the refused rmdir never ran"; else notok "the refused rmdir never ran"; fi
expect 1 "run --no-report: the plain exec of before" "$J" run deny.scpl --no-report -- rmdir keep
cat >noexec.scpl <<'EOF2'
{ default_action = Allow; rules = [ { action = Errno EPERM; syscall = execve } ] }
EOF2
expect 126 "run: the policy denies execve: 126" "$J" run noexec.scpl -- true
has err "the policy denies execve" "run says the policy denies execve"
has err "by noexec.scpl:1" "and which rule"
cat >killexec.scpl <<'EOF2'
{ default_action = Allow; rules = [ { action = KillProcess; syscall = execve } ] }
EOF2
expect 126 "run: a killed execve of the command: 126" "$J" run killexec.scpl -- true
has err "the policy denies execve" "a killed execve is named too"
expect 127 "run: command not found: 127" "$J" run deny.scpl -- no-such-command-jitk
has err "command not found" "not found is said"
printf 'x\n' >notexec
expect 126 "run: not executable: 126" "$J" run deny.scpl -- ./notexec
expect 3 "run passes the command's exit status" "$J" run deny.scpl -- sh -c 'exit 3'

# The C probe: traps and the int $0x80 entry (skipped without a compiler).
CC=${CC:-cc}
if "$CC" -O1 -o sysprobe "$D/sysprobe.c" 2>/dev/null; then
	cat >trap.scpl <<'EOF2'
{ default_action = Allow; arch = [x86_64; i386];
  rules = [
    { action = Trap 7; syscall = chdir; arch = [x86_64] };
    { action = Errno EPERM; syscall = getppid; arch = [i386] };
  ] }
EOF2
	expect 0 "run: a trapped call under supervision" "$J" run trap.scpl --report -- ./sysprobe trap
	has out "SIGSYS 31 syscall 80 errno 7 rdi_ok 1 rax 80" \
		"the handler sees the original call, registers and Trap data, as without jitk"
	has err "[x86_64] by trap.scpl:3 (Trap 7)" "run names the trapped call"
	"$J" run trap.scpl --no-report -- ./sysprobe trap >plain 2>&1
	if cmp -s plain out; then ok "a trap looks the same with and without supervision"
	else notok "a trap looks the same with and without supervision" "$(cat plain)"; fi
	expect 0 "run: an int \$0x80 call" "$J" run trap.scpl --report -- ./sysprobe int80
	has out "int80 getppid refused" "the i386 rule answered the int \$0x80 call"
	has err "[i386] by trap.scpl:4 (Errno EPERM)" "run names the i386 ABI"
	HAVE_CC=1
else
	ok "# SKIP no C compiler for the probe"
	HAVE_CC=0
fi

# ------------------------------------------------------- run --permissive
expect 0 "run --permissive: nothing is refused" "$J" run deny.scpl --permissive -- sh -c 'mkdir p1 && mkdir p2 && rmdir p2'
if [ -d p1 ] && [ ! -e p2 ]; then ok "the calls the policy refuses ran"; else notok "the calls the policy refuses ran"; fi
has err "would have refused 3 calls (2 kinds)" "the summary counts every call"
has err "2  mkdir [x86_64] by deny.scpl:4 (KillProcess), first: mkdir(\"p1\"" "one line per syscall and rule, with a count and the first call"
has err "1  rmdir [x86_64] by deny.scpl:5 (Errno EPERM)" "errno answers are listed too"
expect 0 "run --permissive -v: live lines" "$J" run deny.scpl --permissive -v -- sh -c 'mkdir p3; mkdir p4'
has err "would refuse mkdir(\"p4\"" "-v prints each call as it happens"
# No rate limit loses a record: 2000 refused calls, all counted.
expect 0 "run --permissive: a burst of calls" "$J" run deny.scpl --permissive -- sh -c 'i=0; while [ $i -lt 1000 ]; do mkdir -p /; i=$((i+1)); done 2>/dev/null; true'
has err "would have refused 1000 calls" "every call of a burst is counted"

# ---------------------------------------------------------------- learn
W='for f in a b c; do echo $f > $f.txt; done; cat a.txt b.txt | sort | (wc -l; ls -l c.txt >/dev/null) && sh -c "ls | grep -c txt"'
expect 0 "learn a multi-process shell workload" "$J" learn -o w.scpl -- sh -c "$W"
cp out want
has err "jitk: learned" "learn says what it wrote"
has w.scpl "{ action = Allow; syscall = execve }" "the learned policy allows what ran (execve)"
has w.scpl "# clone [x86_64]:" "calls of child processes are learned (clone / fork)"
has w.scpl "first by " "each rule says the first program that made it"
lacks w.scpl "syscall = mkdir " "nothing the workload did not do is allowed"
expect 0 "the learned policy compiles (and is proved)" "$J" compile w.scpl -o w.bpf
rm -f a.txt b.txt c.txt
expect 0 "the workload runs under its learned policy" "$J" run w.scpl -- sh -c "$W"
if cmp -s out want; then ok "with the same output"; else notok "with the same output"; fi
expect 159 "the learned policy refuses what the workload did not do" "$J" run w.scpl -- sh -c "$W; mkdir nope"
has err "[x86_64] by default_action (KillProcess)" "and names it"
expect 7 "learn passes the exit status through" "$J" learn -o s.scpl -- sh -c 'exit 7'
expect 0 "learn --args" "$J" learn --args -o args.scpl -- sh -c 'ls -l / >/dev/null; echo x | cat'
has args.scpl "when = low32(arg1) == " "--args restricts ioctl requests / fcntl commands to the values seen"
has args.scpl "(arg0 & CLONE_NEWNS|" "--args restricts clone's namespace flags"
has args.scpl "{ action = Errno ENOSYS; syscall = clone3 }" "--args answers clone3 with ENOSYS"
expect 0 "the --args policy runs the workload" "$J" run args.scpl -- sh -c 'ls -l / >/dev/null; echo x | cat'
expect 0 "learn --default" "$J" learn --default 'Errno EPERM' -o e.scpl -- true
has e.scpl "default_action = Errno EPERM;" "--default sets the default action"
expect 0 "learn --merge a second workload" "$J" learn --merge s.scpl -o m.scpl -- sh -c 'mkdir m1'
has m.scpl "# mkdir [x86_64]" "the new run's calls are there"
has m.scpl "# exit_group [x86_64]" "the merged run's calls are there"
expect 0 "the merged policy compiles" "$J" compile m.scpl -o m.bpf
expect 1 "--merge refuses a policy jitk learn did not write" "$J" learn --merge deny.scpl -o x.scpl -- true
absent x.scpl "no output after a refused merge"
expect 2 "learn --default with a bad action" "$J" learn --default Bogus -o x.scpl -- true
expect 127 "learn: command not found" "$J" learn -o x.scpl -- no-such-command-jitk
absent x.scpl "no output when the command cannot start"
expect 2 "learn without a command" "$J" learn -o x.scpl
if [ "$HAVE_CC" = 1 ]; then
	expect 0 "learn an int \$0x80 call" "$J" learn -o i.scpl -- ./sysprobe int80
	has i.scpl "arch = [x86_64; i386]" "the i386 ABI is learned"
	has i.scpl "{ action = Allow; syscall = getppid; arch = [i386] }" "i386 calls get i386 rules"
	expect 0 "the learned policy runs the i386 call" "$J" run i.scpl -- ./sysprobe int80
	has out "int80 getppid ok" "the int \$0x80 call is allowed"
fi
# Interrupted: what was learned is written whole.
"$J" learn -o int.scpl -- sh -c 'echo started; sleep 30' >started 2>interr &
lp=$!
i=0
while ! grep -q started started 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $lp
wait $lp
has int.scpl "syscall = execve" "an interrupted learn writes what it learned"
expect 0 "the interrupted run's policy compiles" "$J" compile int.scpl -o int.bpf

# ----------------------------------------------------------------- dump
cat >two.s <<'EOF2'
ld [0]
jeq #SYS_mkdir, deny, allow
deny: ret #RET_ERRNO|#EPERM
allow: ret #RET_ALLOW
EOF2
"$J" compile "$R/policies/paper.scpl" -o paper.bpf 2>/dev/null
"$J" exec "$R/tests/cli/data/allow.s" -- "$J" exec two.s -- sleep 30 &
xp=$!
i=0
while [ "$(cat /proc/$xp/comm 2>/dev/null)" != sleep ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect 0 "dump a process started with jitk exec" "$J" dump $xp -o d.bpf
has err "d.bpf.1: filter 1 of 2" "two stacked filters, each to its own file"
expect 0 "the first dumped filter is the first installed" "$J" diff d.bpf.1 "$R/tests/cli/data/allow.s"
has out "equivalent" "dump 1 and allow.s are equivalent"
expect 0 "the second dumped filter is the one jitk exec loaded last" "$J" diff d.bpf.2 two.s
has out "equivalent" "dump 2 and two.s are equivalent"
"$J" asm two.s -o two.bpf
if cmp -s d.bpf.2 two.bpf; then ok "the dump is byte for byte what was loaded"; else notok "the dump is byte for byte what was loaded"; fi
expect 0 "dump to standard output" "$J" dump $xp
has out "# filter 2 of 2 (installed last), 4 instructions" "the listing names each filter in order"
kill $xp 2>/dev/null
wait $xp 2>/dev/null
sleep 30 &
np=$!
expect 1 "dump of a process without filters" "$J" dump $np
has err "has no seccomp filter" "says it has none"
kill $np
wait $np 2>/dev/null
expect 1 "dump of a dead process" "$J" dump $np
has err "no process $np" "says there is no such process"
expect 2 "dump of a non-number" "$J" dump abc

# ------------------------------------------------- pictures and comments
cat >abi.s <<'EOF2'
ld [4]
jeq #AUDIT_ARCH_I386, i386, x86
i386: ld [0]
jeq #26, deny, allow
x86: ld [0]
jeq #26, deny, next
next: jge #335, deny, allow
deny: ret #RET_KILL
allow: ret #RET_ALLOW
EOF2
expect 0 "disasm a two-ABI filter" "$J" disasm abi.s
has out "jeq #26, L7, L8                  ; ptrace" "after an i386 arch check, 26 is named as i386's ptrace"
has out "; x86_64 msync, aarch64 inotify_init1" "where several ABIs remain, each is named"
lacks out "jlt #335, L8                     ;" "a range boundary names no syscall"
expect 0 "disasm --format dot" "$J" disasm abi.s --format dot -o abi.dot
has abi.dot "digraph" "the output is a Graphviz digraph"
has abi.dot "jeq #26   ; ptrace" "blocks name the syscalls they decide"
has abi.dot "[label=\"F\", style=dashed]" "false edges are dashed and labelled"
has abi.dot "fillcolor=tomato, label=\"KILL_THREAD" "returns are coloured by action"
expect 0 "compile --format dot (picked by the .gv name)" "$J" compile "$R/policies/paper.scpl" -o paper.gv
has paper.gv "ERRNO(EACCES)" "the compiled picture has the policy's returns"
if command -v dot >/dev/null 2>&1; then
	expect 0 "Graphviz renders the disasm picture" dot -Tsvg abi.dot -o abi.svg
	has abi.svg "ptrace" "the rendered picture names the syscall"
	expect 0 "Graphviz renders the compiled docker profile" sh -c "'$J' compile '$R/policies/docker-default.scpl' -o - --format dot --no-verify 2>/dev/null | dot -Tsvg -o docker.svg"
	has docker.svg "ERRNO(EPERM)" "the docker picture is drawn"
else
	ok "# SKIP graphviz (dot) is not installed; tools/deps.sh installs it"
fi
expect 2 "disasm --format c is refused" "$J" disasm abi.s --format c

# -------------------------------------------------------------- explain
expect 0 "explain a policy" "$J" explain "$R/policies/paper.scpl"
has out "syscalls = [getpid; gettimeofday]" "numbers decided alike are one rule"
has out "# numbers 39, 96" "their numbers are listed as ranges"
has out "default_action = KillProcess;" "the most common decision is the default"
has err "proved equal to the filter (Z3)" "explain proves its rules equal to the filter"
expect 1 "explain refuses a filter SCPL cannot say" "$J" explain abi.s --scpl -o abi.scpl
has err "unknown architecture depends on the call" "and says why"
absent abi.scpl "no output when it cannot decompile"
expect 2 "explain --scpl with --arch is refused" "$J" explain "$R/policies/paper.scpl" --scpl --arch i386
LSC=$(dirname "$J")/tests/tools/lsc_export
if [ ! -x "$LSC" ]; then
	ok "# SKIP $LSC is not built (make test builds it)"
elif "$LSC" "$R/policies/docker-default.scpl" lsc-docker.bpf 2>lsc.err; then
	expect 0 "explain --scpl libseccomp's program for Docker's profile" "$J" explain lsc-docker.bpf --scpl -o lsc-docker.scpl
	has err "proved equal to the filter (Z3)" "the decompiled policy is proved equal to libseccomp's filter"
	has lsc-docker.scpl "arch = [x86_64; i386; x32];" "all three ABIs of the profile are there"
	# socket's family is an int, whose high half the kernel ignores and
	# libseccomp tests: reg64() says so (docs/scpl.md, "Argument widths")
	has lsc-docker.scpl "when = (reg64(arg0) >= 0x26 && reg64(arg0) <= 0x28 && reg64(arg0) != 0x27)" "64-bit argument compares read as one reg64() condition"
	lacks lsc-docker.scpl "when = (arg0 >= 0x26" "never as argN, which reads only the int's 32 bits"
	expect 0 "jitk diff agrees: policy == libseccomp's filter" "$J" diff lsc-docker.scpl lsc-docker.bpf
	has out "equivalent" "the decompiled policy and the filter are equivalent"
	expect 0 "explain --arch i386" "$J" explain lsc-docker.bpf --arch i386
	lacks out "arch = [x86_64];" "--arch keeps one ABI's rules"
	has out "arch = [i386];" "the i386 rules are there"
else
	notok "libseccomp's program for Docker's profile" "$(cat lsc.err 2>/dev/null)"
fi

# ----------------------------------------------------------------- lint
cat >alias.scpl <<'EOF2'
{ default_action = Allow;
  rules = [
    { action = Errno EACCES; syscall = open };
  ] }
EOF2
expect 0 "compile: a refused call with an allowed alias compiles" "$J" compile alias.scpl -o alias.bpf
has err "alias.scpl:3:5: warning: open is refused here on x86_64, but openat, which does the same job, is allowed (by default_action) [alias-refused]" "alias-refused warns, located, naming the alias"
has err "hint: refuse openat as well" "with a hint"
expect 1 "compile --werror fails on a warning" "$J" compile alias.scpl -o alias2.bpf --werror
absent alias2.bpf "--werror writes nothing"
expect 0 "compile --no-warn alias-refused" "$J" compile alias.scpl -o alias3.bpf --no-warn alias-refused --werror
lacks err "warning" "a silenced warning is not printed"
expect 2 "--no-warn with an unknown name" "$J" compile alias.scpl -o alias4.bpf --no-warn bogus
cat >noalias.scpl <<'EOF2'
{ default_action = Allow;
  rules = [ { action = Errno EACCES; syscalls = [open; openat; openat2; creat] } ] }
EOF2
expect 0 "compile: every alias refused" "$J" compile noalias.scpl -o noalias.bpf --werror
lacks err "alias-refused" "no alias warning when every alias is refused"
cat >allowlist.scpl <<'EOF2'
{ default_action = KillProcess; rules = [ { action = Allow; syscall = openat } ] }
EOF2
expect 0 "compile: an allow-list of openat" "$J" compile allowlist.scpl -o allowlist.bpf --werror
lacks err "alias-refused" "open refused by default_action is no warning"
cat >mux.scpl <<'EOF2'
{ arch = [x86_64; i386]; default_action = Allow;
  rules = [ { action = Errno EPERM; syscall = socket } ] }
EOF2
expect 0 "compile: socket refused, socketcall allowed on i386" "$J" compile mux.scpl -o mux.bpf
has err "mux.scpl:2:13: warning: socket is refused here on i386, but socketcall(1), which runs it, is allowed [mux-bypass]" "mux-bypass warns, located"
expect 0 "compile --no-warn mux-bypass,mux-refused" "$J" compile mux.scpl -o mux2.bpf --no-warn mux-bypass,mux-refused --werror
lacks err "warning" "silenced"
cat >shadow.scpl <<'EOF2'
{ default_action = Errno EPERM;
  rules = [
    { action = Allow; syscall = read };
    { action = KillProcess; syscall = read; when = arg0 == 3 };
    { action = Allow; syscall = write; when = arg0 < 10 };
    { action = Allow; syscall = write; when = arg0 >= 10 };
    { action = KillProcess; syscall = write; when = arg0 == 5 || arg2 == 7 };
    { action = Allow; syscall = close; when = arg0 == 0 };
    { action = KillProcess; syscall = close };
  ] }
EOF2
expect 0 "compile a policy with shadowed rules" "$J" compile shadow.scpl -o shadow.bpf
has err "shadow.scpl:4:5: warning: this rule never applies: the rule at shadow.scpl:3 decides all of its syscalls first [shadowed-rule]" "a rule behind an unconditional one is shadowed, naming it"
has err "shadow.scpl:7:5: warning: this rule never applies: the 2 earlier rules naming its syscalls, from shadow.scpl:5 on, decide every input it covers (proved with Z3)" "a rule behind conditional ones is proved shadowed"
lacks err "shadow.scpl:9:" "a rule that still decides some inputs is not shadowed"
cat >notify.scpl <<'EOF2'
{ default_action = Allow; rules = [ { action = Notify; syscall = mkdir } ] }
EOF2
expect 0 "compile: Notify is fine for a library user" "$J" compile notify.scpl -o notify.bpf --werror
lacks err "notify-no-listener" "compile does not warn about Notify"
expect 0 "run: Notify with nobody listening" "$J" run notify.scpl -- true
has err "warning: Notify under jitk run: nobody listens, so the call fails with ENOSYS [notify-no-listener]" "run warns about Notify"
expect 1 "run --werror refuses to run" "$J" run notify.scpl --werror -- sh -c 'echo ran'
lacks out "ran" "nothing ran"
