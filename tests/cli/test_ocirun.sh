#!/bin/sh
# test_ocirun.sh JITK - an OCI profile's "flags", "listenerPath" and
# "listenerMetadata" in `jitk run` (docs/oci.md, rule 8): the kernel sees
# the flags (PTRACE_SECCOMP_GET_METADATA), an agent at listenerPath gets the
# container process state and the listener fd and answers the command's
# notified calls; bad loader fields are located errors.  TAP lines.
. "$(dirname "$0")/lib.sh"
cli_setup ocirun "$@"

AGENT=$(dirname "$J")/tests/tools/seccomp_agent
[ -x "$AGENT" ] || { echo "1..0 # SKIP no $AGENT (make test builds it)"; exit 0; }

# wait_exec PID NAME: until process PID runs NAME (the filter is in force).
wait_exec() {
	i=0
	while [ "$(cat /proc/"$1"/comm 2>/dev/null)" != "$2" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# ---------------------------------------------------------------- flags
cat > log.json <<'P'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"],
  "syscalls": [ { "names": ["mknod", "mknodat"], "action": "SCMP_ACT_ERRNO" } ] }
P
cat > nolog.json <<'P'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["mknod", "mknodat"], "action": "SCMP_ACT_ERRNO" } ] }
P
for p in log nolog; do
	"$J" run $p.json --no-verify --no-report -- sleep 5 2>err &
	pid=$!
	wait_exec $pid sleep
	"$AGENT" meta $pid >meta.$p 2>&1
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
done
same_line meta.log "flags 0x2" "SECCOMP_FILTER_FLAG_LOG reaches the kernel (GET_METADATA)"
same_line meta.nolog "flags 0x0" "without flags the filter does not log"
expect 0 "jitk run --verbose names the profile's flags" "$J" run log.json --no-verify --no-report --verbose -- true
has err "seccomp flags 0x7 from the profile" "LOG|SPEC_ALLOW|TSYNC = 0x7"
expect 0 "compile a profile with flags" "$J" compile log.json -o log.bpf --no-verify
has err "its \"flags\" are not part of the filter" "compile says the raw filter cannot carry the flags"
expect 0 "--format oci keeps the flags" "$J" compile log.json -o log-out.json --timeout 60000
tr -d ' \n' < log-out.json > log-out.flat
has log-out.flat '"flags":["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]' "the written profile has them"
expect 0 "import a profile with flags" "$J" import log.json -o log.scpl
has log.scpl "# flags (for the loader, not part of the filter): SECCOMP_FILTER_FLAG_LOG" "import keeps them as a comment"
has err "\"flags\" are not part of the filter" "import notes that SCPL drops them"

# ------------------------------------------------------------- listener
S=$T/agent.sock
cat > notify.json <<P
{ "defaultAction": "SCMP_ACT_ALLOW",
  "listenerPath": "$S", "listenerMetadata": "MKDIR=answer",
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY" } ] }
P
expect 0 "--format oci keeps listenerPath" "$J" compile notify.json -o notify-out.json --timeout 60000
has notify-out.json "\"listenerPath\":\"$S\"" "the written profile has it"
has notify-out.json "\"listenerMetadata\":\"MKDIR=answer\"" "with its metadata"
for mode in --no-report --report; do
	rm -f state state.notif
	"$AGENT" listen "$S" state 95 # EOPNOTSUPP
	expect 1 "$mode: the notified mkdir fails with the agent's errno" \
		"$J" run notify.json --no-verify $mode -- mkdir "$T/d1"
	has err "Operation not supported" "$mode: the command sees the agent's answer"
	absent "$T/d1" "$mode: nothing was created"
	i=0
	while [ ! -s state.notif ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	has state '"fds":["seccompFd"]' "$mode: the agent got the container process state"
	has state '"metadata":"MKDIR=answer"' "$mode: with listenerMetadata"
	has state '"status":"creating"' "$mode: and the state of the command"
	has state "fd received" "$mode: the listener fd came with SCM_RIGHTS"
	has state "connection closed" "$mode: one state per connection, then closed"
	has state.notif "nr 83" "$mode: the agent received mkdir's notification (x86_64 nr 83)"
done
rm -f state state.notif
"$AGENT" listen "$S" state 0 # SECCOMP_USER_NOTIF_FLAG_CONTINUE
expect 0 "an agent answering CONTINUE lets mkdir run" "$J" run notify.json --no-verify -- mkdir "$T/d2"
if [ -d "$T/d2" ]; then ok "the directory exists"; else notok "the directory exists"; fi
"$AGENT" listen "$S" state 0
expect 0 "a profile with a listener runs" "$J" run notify.json --no-verify --no-report -- true
lacks err "notify-no-listener" "its Notify rules are no lint warning: the agent answers them"
rm -f "$S"
expect 1 "an unreachable listenerPath is an error" "$J" run notify.json --no-verify -- mkdir "$T/d3"
has err "cannot connect to the seccomp agent at listenerPath $S" "the path and the reason are named"
absent "$T/d3" "the command did not run"

cat > deny-sendmsg.json <<P
{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "$S",
  "syscalls": [ { "names": ["mkdirat"], "action": "SCMP_ACT_NOTIFY" },
                { "names": ["sendmsg"], "action": "SCMP_ACT_ERRNO" } ] }
P
"$AGENT" listen "$S" state 0
expect 1 "a policy refusing sendmsg cannot hand the listener over" \
	"$J" run deny-sendmsg.json --no-verify --no-report -- true
has err "the policy answers sendmsg with ERRNO" "the reason is named"
: | "$J" run nolog.json --no-verify -- true # the agent's connection ends

cat > ignored.json <<P
{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "$T/nobody.sock",
  "syscalls": [ { "names": ["mknod", "mknodat"], "action": "SCMP_ACT_ERRNO" } ] }
P
expect 0 "listenerPath without a Notify action is ignored (runtime-spec)" \
	"$J" run ignored.json --no-verify --no-report -- true
expect 0 "import notes it" "$J" import ignored.json -o ignored.scpl
has err "ignored.json:1:54: note: listenerPath is ignored: no selected entry has SCMP_ACT_NOTIFY" \
	"the note is located"

# ------------------------------------------------------------ bad input
bad() { # NAME JSON FRAGMENT: a located error from compile and run, no output
	printf '%s\n' "$2" > "bad-$1.json"
	expect 1 "$1: refused" "$J" compile "bad-$1.json" -o "bad-$1.bpf"
	has err "$3" "$1: $3"
	has err "bad-$1.json:" "$1: located"
	absent "bad-$1.bpf" "$1: no output"
	expect 1 "$1: run refuses it too" "$J" run "bad-$1.json" -- true
}
bad flag-name '{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FAST"] }' \
	'1:48: error: unknown flag "SECCOMP_FILTER_FLAG_FAST"'
bad flag-type '{ "defaultAction": "SCMP_ACT_ALLOW", "flags": "SECCOMP_FILTER_FLAG_LOG" }' \
	"flags must be an array, not a string"
bad flag-elem '{ "defaultAction": "SCMP_ACT_ALLOW", "flags": [2] }' "a flag must be a string"
bad path-type '{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": 7 }' \
	"listenerPath must be a string, not a number"
bad path-relative '{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "agent.sock" }' \
	'listenerPath must be an absolute path, not "agent.sock"'
bad path-long "{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/$(printf '%0120d' 0)\" }" \
	"a UNIX socket path has at most 107"
bad path-nul '{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/a\u0000b" }' \
	"listenerPath holds a NUL character"
bad meta-alone '{ "defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "x" }' \
	"listenerMetadata without listenerPath"
bad meta-type '{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/a", "listenerMetadata": [] }' \
	"listenerMetadata must be a string, not an array"
expect 2 "an unknown --flags word is a usage error" "$J" run --flags nope -- true
echo "1..$n"
