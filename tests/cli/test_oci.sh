#!/bin/sh
# test_oci.sh JITK - OCI/Docker profiles on the command line: compile, import,
# the profile options, located errors without output files.  TAP lines.
. "$(dirname "$0")/lib.sh"
cli_setup oci "$@"

PROFILE=${JITK_SHARED:-$R/../shared}/corpus/original/moby-profiles/default.json
[ -f "$PROFILE" ] || { echo "1..0 # SKIP no Docker profile at $PROFILE"; exit 0; }

# ------------------------------------------------- Docker's profile as shipped
H="--host-arch x86_64 --kernel 6.1"
expect 0 "compile Docker's default.json" "$J" compile "$PROFILE" -o d.bpf $H
has err "proved equal to the policy" "the profile's filter is proved"
expect 0 "the filter passes the kernel's rules" "$J" check d.bpf
expect 0 "import it" "$J" import "$PROFILE" -o d.scpl $H
has err "note: syscall \"cachestat\" is unknown on every selected architecture" "import lists what it skipped"
has err "is not a syscall on i386: skipped there" "import lists names missing on one ABI"
has d.scpl "arch = [x86_64; i386; x32];" "the archMap entry of the host"
has d.scpl "default_action = Errno EPERM;" "defaultAction + defaultErrnoRet"
has d.scpl "# syscalls[19]: s390 parameter ordering for clone is different" "the profile's comments are kept"
has d.scpl "not selected: includes caps CAP_SYS_BOOT;" "unselected entries are kept as comments"
has d.scpl "when = (arg0 & 0x7e020000) == 0;" "clone's masked condition"
expect 0 "the imported SCPL compiles" "$J" compile d.scpl -o d2.bpf
if cmp -s d.bpf d2.bpf; then ok "import and direct compile give the same filter"
else notok "import and direct compile give the same filter"; fi
expect 0 "verify the profile against its own filter" "$J" verify "$PROFILE" d.bpf $H
expect 0 "diff the profile with its import" "$J" diff "$PROFILE" d.scpl $H
expect 0 "import -q" "$J" import "$PROFILE" -o - -q $H
lacks err "note:" "--quiet keeps the notes back"
has out "foreign_action = KillThread;" "-o - writes to stdout"

# ------------------------------------------------------------------- options
"$J" eval d.bpf --nr reboot >out 2>err
has out "ERRNO(1" "reboot: CAP_SYS_BOOT is not a default capability"
expect 0 "--caps CAP_SYS_BOOT" "$J" compile "$PROFILE" -o boot.bpf $H --caps CAP_CHOWN,sys_boot
"$J" eval boot.bpf --nr reboot >out 2>err
has out "ALLOW" "reboot is allowed with CAP_SYS_BOOT"
"$J" eval boot.bpf --nr chroot >out 2>err
has out "ERRNO(1" "chroot needs CAP_SYS_CHROOT, not in the list"
expect 0 "--kernel 4.7" "$J" compile "$PROFILE" -o old.bpf --host-arch x86_64 --kernel 4.7
"$J" eval old.bpf --nr ptrace >out 2>err
has out "ERRNO(1" "ptrace needs minKernel 4.8"
"$J" eval d.bpf --nr ptrace >out 2>err
has out "ALLOW" "ptrace on 6.1"
# Every architecture Docker's profile names (its archMap) is one of jitk's.
for h in aarch64 arm riscv64 ppc64le ppc64 ppc s390x s390 mips mipsel mips64 mipsel64 mips64n32 mipsel64n32; do
	expect 0 "--host-arch $h" "$J" compile "$PROFILE" -o a.bpf --kernel 6.1 --host-arch $h
done
expect 0 "import --host-arch mips64" "$J" import "$PROFILE" -o m.scpl --kernel 6.1 --host-arch mips64 -q
has m.scpl "arch = [mips; mips64; mips64n32];" "mips64's sub-architectures are o32 and n32"
expect 0 "compile --host-arch aarch64" "$J" compile "$PROFILE" -o a.bpf --kernel 6.1 --host-arch aarch64
"$J" eval a.bpf --arch arm --nr read >out 2>err
has out "ALLOW" "read is allowed on arm, aarch64's sub-architecture"
"$J" eval a.bpf --arch arm --nr reboot >out 2>err
has out "ERRNO(1" "reboot is refused on arm"
"$J" eval a.bpf --arch s390x --nr read >out 2>err
has out "KILL" "an arch not in the profile: libseccomp's bad-arch action"
cat > loong.json <<'P'
{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_LOONGARCH64"], "syscalls": []}
P
expect 1 "loongarch64: not one of jitk's ABIs" "$J" compile loong.json -o l.bpf
has err "SCMP_ARCH_LOONGARCH64 is not supported by jitk yet" "the unsupported arch is named"
absent l.bpf "no output for an unsupported arch"
# mips n32 passes 64-bit registers but libseccomp compares 32 bits there
# (docs/oci.md D6): a compare of more than the low 32 bits is refused.
cat > n32.scpl <<'P'
{ arch = [mips64n32]; default_action = Allow; foreign_action = KillThread; rules = [
  { action = Errno 1; syscall = mmap; when = arg1 > 0x10 } ] }
P
expect 1 "--format oci: a 64-bit compare on mips n32 is refused" "$J" compile n32.scpl -o n32.json --format oci
has err "on mips64n32 is read in 64 bits by the policy, 32 by libseccomp" "the refusal says why"
absent n32.json "no profile written"
sed -i 's/arg1 > 0x10/low32(arg1) == 0x10/' n32.scpl
expect 0 "--format oci: a low32 compare on mips n32 is written" "$J" compile n32.scpl -o n32.json --format oci
has n32.json '"SCMP_ARCH_MIPS64N32"' "the profile names the arch"
expect 1 "--strict refuses a skipped name" "$J" compile "$PROFILE" -o s.bpf $H --strict
has err "default.json:" "--strict names the file"
absent s.bpf "no output under --strict"
expect 1 "--kernel bad" "$J" compile "$PROFILE" -o k.bpf --kernel six
has err "bad kernel version 'six'" "a bad --kernel is named"
expect 1 "--caps bad" "$J" compile "$PROFILE" -o k.bpf --caps CAP_NOPE
has err "unknown capability 'CAP_NOPE'" "a bad --caps is named"
expect 2 "--caps without a value" "$J" compile "$PROFILE" -o k.bpf --caps
absent k.bpf "no output for bad options"

# ------------------------------------------------------------ a small profile
cat > small.json <<'P'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 38,
  "syscalls": [
    { "names": ["getpid", "exit_group"], "action": "SCMP_ACT_ALLOW" },
    { "names": ["write"], "action": "SCMP_ACT_ALLOW",
      "args": [ { "index": 0, "value": 1, "op": "SCMP_CMP_EQ" } ] }
  ]
}
P
expect 0 "compile a small profile" "$J" compile small.json -o small.bpf $H
"$J" eval small.bpf --nr write --args 1 >out 2>err
has out "ALLOW" "write(1) allowed"
"$J" eval small.bpf --nr write --args 2 >out 2>err
has out "ERRNO(38" "write(2) gets defaultErrnoRet"
cat > cond.json <<'P'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
P
expect 0 "compile a deny-list profile" "$J" compile cond.json -o cond.bpf $H
"$J" eval cond.bpf --nr getppid >out 2>err
has out "ERRNO(1" "getppid denied"
expect 0 "run a command under a profile" "$J" run cond.json $H -- /bin/true

# ------------------------------------------------------- bad profiles, CLI
printf '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ALOW" } ]\n}\n' > bad.json
expect 1 "an unknown action" "$J" compile bad.json -o bad.bpf
has err "bad.json:3:48: error: unknown action \"SCMP_ACT_ALOW\"" "file:line:col of the action"
has err "^~~~~~~~~~~~~~~" "a caret under the value"
has err "hint: did you mean SCMP_ACT_ALLOW?" "a hint"
absent bad.bpf "no output file"
expect 1 "import of a bad profile" "$J" import bad.json -o bad.scpl
absent bad.scpl "import writes nothing either"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [' > trunc.json
expect 1 "a truncated profile" "$J" compile trunc.json -o t.bpf
has err "trunc.json:1:50: error: truncated JSON" "truncation located at the end"
absent t.bpf "no output for a truncated profile"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}' > idx.json
expect 1 "index 6" "$J" verify idx.json d.bpf
has err "idx.json:1:117: error: index 6 is out of range (0..5)" "verify locates the bad index"
expect 1 "import of SCPL is refused" "$J" import "$R/policies/paper.scpl" -o p.scpl
has err "is not an OCI/Docker JSON profile" "import says what it wants"

# ------------------------------------------------------------ --format oci
expect 0 "a policy out as an OCI profile" "$J" compile "$R/policies/vsftpd-prelogin.scpl" -o v.json
has err "OCI profile written, proved equal" "the profile is proved equal to the policy"
has v.json '"defaultAction":"SCMP_ACT_KILL_THREAD"' "the profile has the default action"
expect 0 "the written profile compiles back" "$J" compile v.json -o v.bpf --host-arch x86_64
expect 0 "and is the policy (jitk diff)" "$J" diff "$R/policies/vsftpd-prelogin.scpl" v.json --host-arch x86_64
expect 0 "--format oci to stdout" "$J" compile "$R/policies/vsftpd-prelogin.scpl" -o - --format oci
has out '"architectures"' "stdout has the profile"
expect 1 "a policy libseccomp cannot express is refused" "$J" compile "$R/policies/paper.scpl" -o p.json
has err "foreign_action must be KillThread" "the refusal says why"
absent p.json "no profile written"
expect 1 "a rule libseccomp cannot express is named" "$J" compile "$R/policies/openssh-preauth.scpl" -o o.json
has err "openssh-preauth.scpl:34:5: error: an OCI profile cannot express this rule" "file:line:col of the rule"
absent o.json "no profile written for a refused rule"

echo "1..$n"
