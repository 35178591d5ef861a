#!/usr/bin/env python3
"""corpus2scpl.py - translate the shared corpus's policy facts into SCPL.

    python3 tools/corpus2scpl.py [--params build/gen/params.c] \
        ../shared/corpus/policies/NAME.json > policies/NAME.scpl

(build/gen/params.c, the parameter table, is made by `make`.)

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
  * a compare on a parameter of at most 32 bits on every ABI of the policy
    (an `int`, a `umode_t`: build/gen/params.c, docs/scpl.md "Argument
    widths") is written with `low32(argN)`, the explicit form of what jitk
    compiles for it anyway, so the shipped policies need no transitional
    "meaning changed" warning (except for !=, <, <=, >, >=: a masked
    operand there cannot be written as an OCI profile, so they stay argN); where the parameter is narrower than 32 bits
    (16: `umode_t`), a mask is cut to that width too (the bits it drops are
    never seen by the kernel nor by the filter) and a comment says so;
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


def param_widths(path):
    """{abi: {syscall name: [width of arg0, ...]}} from jitk's generated
    parameter table (tools/gen_params.py writes it from the kernel source)."""
    abis = {v: k for k, v in ARCH.items()}
    out, cur = {}, None
    entry = re.compile(r'^\s*\{ (\d+), (\d+), "(\w+)", "\w*", \{(.*)\} \},$')
    with open(path) as f:
        for line in f:
            m = re.match(r"const struct tbl_params tbl_params_(\w+)\[\]", line)
            if m:
                cur = out.setdefault(abis[m.group(1)], {}) if m.group(1) in abis else None
                continue
            m = entry.match(line)
            if m and cur is not None:
                cur[m.group(3)] = [int(w) for w in re.findall(r"\{ (\d+), TBL_PARAM_", m.group(4))]
    for a in ("x86_64", "x86", "x32"):
        if not out.get(a):
            raise SystemExit("%s: no parameter table for %s" % (path, a))
    return out


def width(widths, abi, name, arg):
    """Bits of argument arg of syscall name that a compare reads on abi
    (docs/scpl.md "Argument widths", rule 1): the parameter's, at most 32 on
    i386, the register's where jitk has no prototype."""
    reg = 32 if abi == "x86" else 64
    ws = widths.get(abi, {}).get(name)
    w = ws[arg] if ws is not None and arg < len(ws) else reg
    return min(w, reg)


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


def cond(c, ws, cut):
    """SCPL for condition c; ws: the compared argument's width on each ABI of
    the policy.  Where every width is at most 32 the compare is written
    low32(argN), which then compiles exactly as argN does (at min(32, W) =
    W bits) without the transitional warning; a mask is cut to W bits when
    W < 32 (an explicit low32() refuses mask bits above W), noted in cut."""
    arg, op, v = c["arg"], c["op"], int(c["value"], 16)
    w = max(ws)
    narrow = w <= 32
    ref = ("low32(arg%d)" if narrow else "arg%d") % arg
    if op == "masked_eq":
        m = int(c["mask"], 16)
        if narrow and w < 32 and m & ~((1 << w) - 1):
            if min(ws) != w:
                raise SystemExit("arg%d: mask %s on parameters of widths %s" % (arg, hexv(m), ws))
            cut.append("arg%d's mask %s cut to the parameter's %d bits" % (arg, hexv(m), w))
            m &= (1 << w) - 1
        if m == 0xffffffff:
            text = "low32(arg%d) == %s" % (arg, hexv(v))
        else:
            text = "(%s & %s) == %s" % (ref, hexv(m), hexv(v))
    else:
        if narrow and w < 32:
            raise SystemExit("arg%d: a %s compare on a %d-bit parameter" % (arg, op, w))
        sym = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
        if op != "eq":
            # low32() is a masked operand: OCI/libseccomp has only masked ==
            # (jitk compile --format oci, tests/tools/lsc_export refuse the
            # rest), so these keep argN and their transitional warning.
            ref = "arg%d" % arg
        text = "%s %s %s" % (ref, sym, hexv(v))
    return text


def when(r, arches, widths, cut):
    conds = r.get("when", [])
    return " && ".join(
        cond(c, [width(widths, a, r["syscall"], c["arg"]) for a in arches], cut) for c in conds)


def placeholder_note(r):
    notes = [c["placeholder"] for c in r.get("when", []) if c.get("placeholder")]
    return "; ".join(str(n) for n in notes)


def translate(path, corpus, params):
    p = json.load(open(path))
    widths = param_widths(params)
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
        cut = []
        key = (action(r), when(r, arches, widths, cut), "; ".join(cut))
        if groups and groups[-1][0] == key:
            groups[-1][1].append(r)
        else:
            groups.append((key, [r]))
    for (act, cnd, cut), rules in groups:
        plain, special = [], []
        for r in rules:
            text, extra = sysref(r["syscall"])
            (special if extra else plain).append((text, extra, r))
        notes = [placeholder_note(r) for r in rules if placeholder_note(r)]
        if cut:
            w("    # %s" % cut)
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
    args = sys.argv[1:]
    params = os.path.join(ROOT, "build", "gen", "params.c")
    if len(args) == 3 and args[0] == "--params":
        params, args = args[1], args[2:]
    if len(args) != 1:
        raise SystemExit(__doc__)
    path = args[0]
    corpus = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    sys.stdout.write(translate(path, corpus, params))


if __name__ == "__main__":
    main()
