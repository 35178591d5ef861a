#!/bin/sh
# demo.sh JITK - a tour for newcomers (`make demo`): compile the Jitk paper's
# example policy, look at the filter, ask it about a few calls, then run
# real commands under a small read-only policy and watch a write fail.
# Run from the repository root.
set -u
J=${1:?usage: demo.sh path/to/jitk}
case $J in /*) ;; *) J=$(pwd)/$J ;; esac
P=policies
T=$(mktemp -d "${TMPDIR:-/tmp}/jitk-demo.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# show 'WHAT IS PRINTED' CMD...: print the command as a user would type it,
# then run the real one (absolute paths) with its messages in line.
show() { printf '$ %s\n' "$1"; shift; "$@" 2>&1; }

[ -t 1 ] || step() { printf '\n== %s\n' "$*"; }

step "1. The policy from the Jitk paper (policies/paper.scpl)"
sed 's/^/    /' "$P/paper.scpl"
echo "Every other system call kills the process (default_action = Kill)."

step "2. Compile it: SCPL -> classic BPF, checked, then proved equal to the policy with Z3"
show "jitk compile policies/paper.scpl -o paper.bpf" "$J" compile "$P/paper.scpl" -o "$T/paper.bpf" || exit 1
echo "The filter is $(wc -c <"$T/paper.bpf") bytes: 8 bytes per instruction, as seccomp(2) takes it."

step "3. The filter, as text"
show "jitk disasm paper.bpf" "$J" disasm "$T/paper.bpf" || exit 1
cat <<'EOF'
It checks the architecture first (an x32 or i386 call would otherwise be
misread), then finds the syscall number by binary search.  getpid and
gettimeofday are reached by reading only nr and arch, so the kernel's
action cache allows them without running the filter at all.
EOF

step "4. Ask the filter about single calls (the reference interpreter, no kernel)"
for nr in open getpid write; do
	show "jitk eval paper.bpf --nr $nr" "$J" eval "$T/paper.bpf" --nr "$nr"
done
show "jitk eval paper.bpf --nr open --arch x32" "$J" eval "$T/paper.bpf" --nr open --arch x32

step "5. Run real commands under a policy (policies/demo.scpl)"
echo "The paper's policy would kill any real program at its first system call,"
echo "so this part uses a small read-only policy instead:"
grep -v '^#' "$P/demo.scpl" | sed 's/^/    /'
out=$T/hello.txt
echo
echo "Reading a file is allowed:"
show "jitk run policies/demo.scpl -- cat /etc/hostname" "$J" run "$P/demo.scpl" -- cat /etc/hostname
echo "(The warning is true: demo.scpl leaves openat2 open, as its comment says."
echo "The next runs silence it with --no-warn.)"
echo
echo "Writing to standard output is allowed:"
show "jitk run policies/demo.scpl --no-warn alias-refused -- sh -c 'echo hello'" \
	"$J" run "$P/demo.scpl" --no-warn alias-refused -- sh -c 'echo hello'
echo
echo "Creating a file is not: openat(..., O_WRONLY|O_CREAT|O_TRUNC) returns EACCES."
show "jitk run policies/demo.scpl --no-warn alias-refused -- sh -c 'echo hello > $out'" \
	"$J" run "$P/demo.scpl" --no-warn alias-refused -- sh -c "echo hello > $out"
echo "(exit status $?; $out exists: $([ -e "$out" ] && echo yes || echo no))"
echo
echo "Without jitk the same command works:"
show "sh -c 'echo hello > $out && cat $out'" sh -c "echo hello > $out && cat $out"
echo
echo "Next: docs/scpl.md (the language), docs/compiler.md (how it compiles),"
echo "      \`jitk --help\` (all commands)."
