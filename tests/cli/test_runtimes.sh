#!/bin/sh
# test_runtimes.sh JITK - jitk's filters in real sandboxes: Debian's crun runs
# a container whose filter comes from jitk through crun's raw-BPF annotation
# (run.oci.seccomp_bpf_data), and Debian's bubblewrap runs a command with
# --seccomp FD from jitk's raw output.  The rootfs is one static binary built
# here, which calls acct(2): the profile answers it with errno 42, which no
# kernel would, so seeing 42 inside proves the filter was jitk's.  TAP lines.
. "$(dirname "$0")/lib.sh"
cli_setup runtimes "$@"

cat > probe.c <<'C'
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void)
{
	long r = syscall(SYS_acct, 0);
	printf("acct=%ld errno=%d\n", r, r < 0 ? errno : 0);
	return 0;
}
C
cat > deny.json <<'P'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["acct"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42 } ] }
P
expect 0 "compile the profile for the runtimes" "$J" compile deny.json -o deny.bpf --host-arch x86_64
if ! ${CC:-cc} -static -O2 -o probe probe.c 2>cc.err; then
	notok "build the static probe" "$(head -n 3 cc.err)"
	echo "1..$n"
	exit 0
fi
ok "build the static probe"

# ------------------------------------------------------------- bubblewrap
if ! command -v bwrap >/dev/null; then
	notok "bubblewrap is installed (tools/deps.sh installs it)"
else
	run bwrap --ro-bind / / --dev /dev --seccomp 3 ./probe 3<deny.bpf
	if [ "$rc" -eq 0 ] && grep -q "errno=42" out; then
		ok "bwrap --seccomp FD: acct fails with jitk's errno 42"
	elif grep -qi "operation not permitted\|creating new namespace\|No permissions" err; then
		ok "bwrap # SKIP the kernel refuses bwrap's namespaces here: $(head -n 1 err)"
	else
		notok "bwrap --seccomp FD: acct fails with jitk's errno 42" "exit $rc"
	fi
	run bwrap --ro-bind / / --dev /dev ./probe
	if grep -q "errno=42" out; then notok "without the filter acct is not errno 42"
	else ok "without the filter acct is not errno 42"; fi
fi

# ------------------------------------------------------------------ crun
if ! command -v crun >/dev/null; then
	notok "crun is installed (tools/deps.sh installs it)"
elif [ "$(id -u)" -ne 0 ]; then
	ok "crun # SKIP needs root for a rootful container (running as uid $(id -u))"
else
	mkdir -p bundle/rootfs/dev bundle/rootfs/proc state
	cp probe bundle/rootfs/t
	config() { # ANNOTATIONS -> bundle/config.json
		cat > bundle/config.json <<J
{
  "ociVersion": "1.0.2",
  "process": { "terminal": false, "user": { "uid": 0, "gid": 0 }, "args": ["/t"],
               "env": ["PATH=/"], "cwd": "/", "noNewPrivileges": true },
  "root": { "path": "rootfs", "readonly": true },
  "mounts": [],
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" } ] },
  "annotations": { $1 }
}
J
	}
	# crun refuses a hybrid cgroup v1/v2 host; in a private mount namespace
	# the test mounts cgroup2 on /sys/fs/cgroup (the host is not touched) and
	# runs without a cgroup manager.
	crun_run() { # ID
		unshare -m sh -c 'mount --make-rprivate / && mount -t cgroup2 none /sys/fs/cgroup &&
			exec crun --root "$1/state" --cgroup-manager=disabled run --bundle "$1/bundle" "$2"' \
			sh "$T" "$1"
	}
	config "\"run.oci.seccomp_bpf_data\": \"$(base64 -w0 deny.bpf)\""
	run crun_run "jitk-test-$$-a"
	if [ "$rc" -eq 0 ] && grep -q "errno=42" out; then
		ok "crun with run.oci.seccomp_bpf_data: acct fails with jitk's errno 42"
	elif grep -qi "operation not permitted" err; then
		ok "crun # SKIP the kernel refuses the container's namespaces here: $(head -n 1 err)"
	else
		notok "crun with run.oci.seccomp_bpf_data: acct fails with jitk's errno 42" "exit $rc"
	fi
	config "\"org.jitk.test\": \"no filter\""
	run crun_run "jitk-test-$$-b"
	if [ "$rc" -eq 0 ] && ! grep -q "errno=42" out; then ok "the same container without the annotation: not errno 42"
	else notok "the same container without the annotation: not errno 42" "exit $rc"; fi
	crun --root "$T/state" delete -f "jitk-test-$$-a" >/dev/null 2>&1
	crun --root "$T/state" delete -f "jitk-test-$$-b" >/dev/null 2>&1
fi

echo "1..$n"
