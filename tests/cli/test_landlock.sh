#!/bin/sh
# test_landlock.sh JITK - filesystem, network and scope blocks under jitk run.
# Prints TAP lines.  Skips (with a reason) where the kernel has no Landlock.
. "$(dirname "$0")/lib.sh"
cli_setup landlock "$@"

cat >probe.scpl <<'X'
{ default_action = Allow; rules = []; filesystem = [ { path = "/usr"; access = read } ] }
X
if ! "$J" run probe.scpl -- /usr/bin/true 2>err && grep -q "no Landlock" err; then
	echo "1..0 # skipped: no Landlock on this kernel"
	exit 0
fi

# The policy of docs/landlock.md (and of the issue), as written.  The
# directory it names is left in place: several runs of the suite may share
# it at once, and the --best-effort case below reads the policy again.
mkdir -p /tmp/work
cat >doc.scpl <<'X'
{ default_action = Allow;
  rules = [ { action = Errno EPERM; syscall = ptrace } ];
  filesystem = [ { path = "/usr"; access = [read; execute] };
                 { path = "/tmp/work"; access = [read; write] } ];
  network = [ { port = 443; access = [connect] } ] }
X
echo inside >/tmp/work/jitk-test-$$
expect 0 "the documented policy runs cat on a granted file" "$J" run doc.scpl -- /usr/bin/cat /tmp/work/jitk-test-$$
has out "inside" "cat read the file under /tmp/work"
expect 1 "reading outside the granted paths fails" "$J" run doc.scpl -- /usr/bin/cat /etc/hostname
has err "Permission denied" "the denial is EACCES"
expect 0 "writing under /tmp/work is granted" "$J" run doc.scpl -- /usr/bin/sh -c "echo w >/tmp/work/jitk-test-$$"
expect 2 "writing under /etc is not" "$J" run doc.scpl -- /usr/bin/sh -c "echo w >/etc/jitk-test-$$"
rm -f /tmp/work/jitk-test-$$

# A path that does not exist is an error naming it; nothing runs.
cat >missing.scpl <<'X'
{ default_action = Allow; rules = [];
  filesystem = [ { path = "/nonexistent/jitk"; access = read } ] }
X
expect 1 "a missing path is an error" "$J" run missing.scpl -- /usr/bin/true
has err "/nonexistent/jitk" "the message names the path"
has err "missing.scpl:2:" "the message gives the policy line"

# Bad access names get the nearest one, located with a caret.
cat >typo.scpl <<'X'
{ default_action = Allow; rules = [];
  filesystem = [ { path = "/usr"; access = [raed] } ] }
X
expect 1 "an unknown access name is refused" "$J" run typo.scpl -- /usr/bin/true
has err "typo.scpl:2:45" "located at the name"
has err "did you mean read?" "the nearest name is suggested"
has err "^" "a caret marks it"

expect 0 "--best-effort is accepted" "$J" run --best-effort doc.scpl -- /usr/bin/true
# compile says the Landlock part is not in the filter
expect 0 "compile a policy with Landlock rules" "$J" compile doc.scpl -o doc.bpf
has err "not part of the filter" "compile says the Landlock rules are applied by run"
# learn --paths: the files a workload used, then the workload under them.
mkdir -p lt/a lt/b
echo A >lt/a/x
echo B >lt/b/y
W="cat $T/lt/a/x >$T/lt/a/copy; ls $T/lt/a | wc -l; (cat $T/lt/a/copy) | tr A Z"
expect 0 "learn --paths a multi-process shell workload" "$J" learn --paths -o learned.scpl -- /bin/sh -c "$W"
has learned.scpl "filesystem = [" "the learned policy has a filesystem block"
has learned.scpl "{ path = \"$T/lt/a\"; access = [read; write] };" "the workload's directory is granted read and write"
has learned.scpl "{ path = \"/usr\"; access = [read; execute] };" "/usr is granted whole, with execute"
has learned.scpl "# " "entries carry comments"
lacks learned.scpl "$T/lt/b" "a directory it never used is not granted"
rm -f lt/a/copy
expect 0 "the workload runs under its learned policy" "$J" run learned.scpl -- /bin/sh -c "$W"
has out "Z" "and does its work"
expect 1 "a sibling directory is refused" "$J" run learned.scpl -- /bin/cat "$T/lt/b/y"
has err "Permission denied" "with EACCES"
echo "1..$n"
