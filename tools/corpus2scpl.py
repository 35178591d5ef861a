#!/usr/bin/env python3
"""corpus2scpl.py - translate the shared corpus's policy facts into SCPL.

    python3 tools/corpus2scpl.py ../shared/corpus/policies/NAME.json > policies/NAME.scpl

The corpus (../shared/corpus, format scpl-corpus/1) records real programs'
seccomp policies as facts: which syscalls, under which argument conditions,
get which action, first match wins.  This tool writes the same facts as SCPL
(docs/scpl.md).  It is a maintenance tool: its output is committed under
policies/ and checked by tests/kernel/test_corpus.c against the corpus's own
reference evaluator (tools/corpus_eval.py), so a translation mistake is caught.

Choices, each preserving the corpus semantics exactly:
  * consecutive rules with the same action and the same conditions are
    merged into one rule naming several syscalls (rules of different
    syscalls never interact, and the order among rules of one syscall is
    kept);
  * a condition list (AND) becomes `c1 && c2 && ...`;
  * masked_eq with mask 0xffffffff becomes `low32(argN) == v`, the form that
    says "the kernel reads this as a 32-bit int"; other masks stay masked;
  * a syscall name the build machine's kernel headers do not know (newer
    than linux-libc-dev) is written as its number from the corpus's
    libseccomp table, with a comment; the number must be the same on every
    ABI the rule applies to (SCPL numbers are raw seccomp nr values, so the
    x32 form carries the 0x40000000 bit), and a rule is limited with
    `arch = [...]` to the ABIs where the syscall exists.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
M64 = (1 << 64) - 1

ARCH = {"x86_64": "x86_64", "x86": "i386", "x32": "x32", "aarch64": "aarch64"}
HEADERS = {
    "x86_64": "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
    "x86": "/usr/include/x86_64-linux-gnu/asm/unistd_32.h",
    "x32": "/usr/include/x86_64-linux-gnu/asm/unistd_x32.h",
}
ACTION = {"allow": "Allow", "kill_process": "KillProcess", "kill_thread": "KillThread",
          "trap": "Trap", "log": "Log", "user_notif": "Notify"}


def header_names(arch):
    with open(HEADERS[arch]) as f:
        return set(re.findall(r"^#define __NR_(\w+)\s", f.read(), re.M))


def libseccomp_table(corpus):
    sys.path.insert(0, os.path.join(corpus, "tools"))
    from corpus_lib import SYSCALLS  # data: libseccomp's syscall table
    return SYSCALLS


def action(a):
    kind = a["action"]
    if kind == "errno":
        return "Errno %s" % a["errno"]
    if kind == "trace":
        return "Trace %d" % a.get("data", 0)
    if kind == "trap" and "data" in a:
        return "Trap %d" % a["data"]
    return ACTION[kind]


def hexv(v):
    return "0x%x" % v


def cond(c):
    arg, op, v = c["arg"], c["op"], int(c["value"], 16)
    if op == "masked_eq":
        m = int(c["mask"], 16)
        if m == 0xffffffff:
            text = "low32(arg%d) == %s" % (arg, hexv(v))
        else:
            text = "(arg%d & %s) == %s" % (arg, hexv(m), hexv(v))
    else:
        sym = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
        text = "arg%d %s %s" % (arg, sym, hexv(v))
    return text


def when(r):
    conds = r.get("when", [])
    return " && ".join(cond(c) for c in conds)


def placeholder_note(r):
    notes = [c["placeholder"] for c in r.get("when", []) if c.get("placeholder")]
    return "; ".join(str(n) for n in notes)


def translate(path, corpus):
    p = json.load(open(path))
    table = libseccomp_table(corpus)
    arches = p["arch"]
    known = {a: header_names(a) for a in arches}
    out = []
    w = out.append
    w("# %s" % p["title"])
    w("#")
    w("# SCPL translation of the facts in ../shared/corpus/policies/%s" % os.path.basename(path))
    w("# (written by tools/corpus2scpl.py; checked against the corpus's reference")
    w("# evaluator by tests/kernel/test_corpus.c).")
    src = p.get("source", {})
    w("# Source: %s %s @ %s" % (src.get("repo", "?"), src.get("path", ""),
                               str(src.get("commit", "?"))[:12]))
    if p.get("variant"):
        w("# Variant: %s" % p["variant"])
    if p.get("simplified"):
        w("# Simplified instance of a dynamic or very large policy: see the corpus notes.")
    w("{")
    w("  arch = [%s];" % "; ".join(ARCH[a] for a in arches))
    w("  foreign_action = %s;" % action(p["arch_mismatch"]))
    w("  default_action = %s;" % action(p["default"]))
    w("  rules = [")

    def sysref(name):
        """(text, restrict) for one syscall of a rule."""
        here = [a for a in arches if a in table.get(name, {})]
        if all(name in known[a] for a in here) and here:
            return name, None
        nums = {table[name][a] for a in here}
        if len(nums) != 1:
            raise SystemExit("%s: %s has different numbers %s on %s" % (path, name, nums, here))
        restrict = None if set(here) == set(arches) else here
        nr = nums.pop()
        if "x32" not in here:
            return "%d" % nr, (name, restrict)
        # SCPL numbers are the raw nr on every ABI: x32's carry the x32 bit.
        x32 = "0x%x" % (nr | 0x40000000)
        return ("[%d; %s]" % (nr, x32) if len(here) > 1 else x32), (name, restrict)

    # Group consecutive rules with equal action and conditions.
    groups = []
    for r in p["rules"]:
        key = (action(r), when(r))
        if groups and groups[-1][0] == key:
            groups[-1][1].append(r)
        else:
            groups.append((key, [r]))
    for (act, cnd), rules in groups:
        plain, special = [], []
        for r in rules:
            text, extra = sysref(r["syscall"])
            (special if extra else plain).append((text, extra, r))
        notes = [placeholder_note(r) for r in rules if placeholder_note(r)]
        if notes:
            w("    # placeholder values (run-time values in the original): %s" % "; ".join(sorted(set(notes))))
        items = []
        if plain:
            items.append((plain, None))
        for s in special:
            items.append(([s], s[1]))
        for members, extra in items:
            names = [m[0] for m in members]
            if extra:
                name, restrict = extra
                w("    # %s: syscall %s, newer than this system's kernel headers" % (name, names[0]))
            sc = names[0] if len(names) == 1 else "[%s]" % "; ".join(names)
            fields = ["action = %s" % act, "syscall = %s" % sc]
            if extra and extra[1]:
                fields.append("arch = [%s]" % "; ".join(ARCH[a] for a in extra[1]))
            if cnd:
                fields.append("when = %s" % cnd)
            line = "    { %s };" % "; ".join(fields)
            if len(line) > 100 and len(names) > 1:
                w("    { action = %s;" % act)
                w("      syscall = [")
                row = "        "
                for n in names:
                    if len(row) + len(n) + 2 > 96:
                        w(row.rstrip())
                        row = "        "
                    row += n + "; "
                w(row.rstrip())
                w("      ]%s };" % ("; when = %s" % cnd if cnd else ""))
            else:
                w(line)
    w("  ]")
    w("}")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    path = sys.argv[1]
    corpus = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    sys.stdout.write(translate(path, corpus))


if __name__ == "__main__":
    main()
