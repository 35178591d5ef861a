#!/usr/bin/env python3
"""gen_cases.py POLICY.json [TRIALS] - test inputs and the corpus's verdicts.

Prints one line per case, all numbers hex:
    audit_arch nr a0 a1 a2 a3 a4 a5 expected
where `expected` is what ../shared/corpus/tools/corpus_eval.py (the corpus's
reference evaluator, not our code) returns.  Inputs: every syscall number of
each listed ABI in libseccomp's table plus numbers outside it, argument
vectors from the policy's own constants (+-1, flipped bits, junk in the high
32 bits), vectors built to satisfy each rule, and a foreign architecture.

x32: libseccomp's table lists x32 numbers without the x32 bit; the kernel
reports them as AUDIT_ARCH_X86_64 with nr | 0x40000000, so that is what we
print.  Numbers >= 0x40000000 on x86_64 are not printed: the corpus format
does not define them (our own tests cover them).
"""
import os
import random
import sys

corpus_tools = os.path.join(os.environ.get("JITK_SHARED", "../shared"), "corpus", "tools")
sys.path.insert(0, corpus_tools)
import json  # noqa: E402
from corpus_eval import AUDIT_ARCH, M64, evaluate, interesting_values  # noqa: E402
from corpus_lib import SYSCALLS  # noqa: E402

X32_BIT = 0x40000000


def satisfying(rule):
    """An argument vector meeting every condition of rule (best effort)."""
    args = [0] * 6
    for c in rule.get("when", []):
        v = int(c["value"], 16)
        op = c["op"]
        if op in ("eq", "le", "ge", "masked_eq"):
            x = v
        elif op == "lt":
            x = v - 1
        elif op == "gt":
            x = v + 1
        else:  # ne
            x = v ^ 1
        args[c["arg"]] = x & M64
    return args


def main():
    policy = json.load(open(sys.argv[1]))
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    rnd = random.Random(7)
    vals = interesting_values(policy)
    by_name = {}
    for r in policy["rules"]:
        by_name.setdefault(r["syscall"], []).append(satisfying(r))
    out = []
    for arch in policy["arch"] + ["aarch64"]:
        if arch == "aarch64" and "aarch64" in policy["arch"]:
            continue
        table = {a[arch]: n for n, a in SYSCALLS.items() if isinstance(a.get(arch), int)}
        nrs = sorted(table) + [max(table) + 1, 999, 4095, 0x3fffffff]
        for n in nrs:
            cases = [(0,) * 6]
            cases += [tuple(by_name_args) for by_name_args in by_name.get(table.get(n), [])]
            for _ in range(trials):
                cases.append(tuple(rnd.choice(vals) if rnd.random() < 0.8 else rnd.getrandbits(64)
                                   for _ in range(6)))
            wire = n | X32_BIT if arch == "x32" else n
            for args in cases:
                exp = evaluate(policy, arch if arch in policy["arch"] else arch, n, args)
                out.append("%x %x %s %x" % (AUDIT_ARCH[arch], wire,
                                            " ".join("%x" % (a & M64) for a in args), exp))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
