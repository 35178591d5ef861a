#!/usr/bin/env python3
"""mutate.py - mutation score of the trusted base (`make mutate`).

Applies one semantic mutant at a time to a copy of the tree (never to the
working files): a swapped relational, equality, arithmetic or logical
operator, a constant changed by one, or a dropped rule (the condition of an
`if` that returns or fails made false).  For each mutant it rebuilds in
that copy and runs the fast tests that exercise the file (FAST below, with
the heavy ones scaled down); a mutant is killed when a test fails (or the
build does), else it survives.  The report (build/mutate/report.md) lists
every mutant with its verdict; survivors need a new test or an argument
that they are equivalent (docs/verify.md, "Mutation score").

  tools/mutate.py [--files a.c,b.c] [--max N] [--seed S] [--jobs J]

--max samples N mutants (deterministically by --seed) when there are more.
"""
import argparse, os, random, re, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The fast tests of each trusted file (binaries under build/), with the
# environment that keeps them short.
UNIT = "tests/unit/"
KERN = "tests/kernel/"
FAST = {
    "check.c": [UNIT + "test_check", UNIT + "test_interp"],
    "insn.c": [UNIT + "test_check", UNIT + "test_interp", UNIT + "test_smt_bpf"],
    "interp.c": [UNIT + "test_interp", UNIT + "test_smt_bpf", UNIT + "test_jit_proof"],
    "smt_bpf.c": [UNIT + "test_smt_bpf", UNIT + "test_verify"],
    "smt_scpl.c": [UNIT + "test_smt_scpl", UNIT + "test_verify"],
    "scpl_eval.c": [UNIT + "test_scpl_eval", UNIT + "test_smt_scpl"],
    "jit_check.c": [UNIT + "test_jit_validator", UNIT + "test_jit", UNIT + "test_jit_proof"],
    "smt_x86.c": [UNIT + "test_jit_proof", KERN + "test_x86_twin"],
    "jit_prove.c": [UNIT + "test_jit_proof"],
    "stack.c": [UNIT + "test_stack"],
}
ENV = {"JITK_TEST_SCALE": "5"}

OPS = [  # (pattern, replacement) on code outside comments and strings
    (r"(?<![<>=!&|])<=(?!=)", "<"), (r"(?<![<>=!&|-])<(?![<=])", "<="),
    (r"(?<![<>=!&|-])>=(?!=)", ">"), (r"(?<![<>=!&|-])>(?![>=])", ">="),
    (r"==", "!="), (r"!=", "=="),
    (r"&&", "||"), (r"\|\|", "&&"),
    (r"(?<![+\w)\]]) *\+ (?!\+)", " - "), (r"(?<=[\w)\]]) \+ (?!\+)", " - "),
    (r"(?<=[\w)\]]) - (?!-)", " + "),
]


def code_spans(line):
    """The parts of a line outside string/char literals and // comments."""
    out, i, n = [], 0, len(line)
    start = 0
    while i < n:
        c = line[i]
        if c in "\"'":
            out.append((start, i))
            q = c
            i += 1
            while i < n and line[i] != q:
                i += 2 if line[i] == "\\" else 1
            i += 1
            start = i
        elif line.startswith("//", i) or line.startswith("/*", i):
            out.append((start, i))
            return out
        else:
            i += 1
    out.append((start, n))
    return out


def mutants_of(path):
    lines = open(path).read().split("\n")
    muts = []
    in_comment = False
    for ln, line in enumerate(lines):
        s = line.strip()
        if in_comment:
            if "*/" in s:
                in_comment = False
            continue
        if s.startswith("/*") and "*/" not in s:
            in_comment = True
            continue
        if not s or s.startswith(("#", "*", "/*", "//")) or "@" in s:
            continue
        for a, b in code_spans(line):
            seg = line[a:b]
            for pat, rep in OPS:
                for m in re.finditer(pat, seg):
                    new = line[:a + m.start()] + rep + line[a + m.end():]
                    muts.append((ln, new, "operator %r -> %r" % (m.group(0).strip(), rep.strip())))
            for m in re.finditer(r"(?<![\w.])(\d+)u?(?![\w.])", seg):
                v = int(m.group(1))
                if v > 4096:
                    continue
                new = line[:a + m.start(1)] + str(v + 1) + line[a + m.end(1):]
                muts.append((ln, new, "constant %d -> %d" % (v, v + 1)))
        m = re.match(r"(\s*)if \((.*)\)\s*$", line)
        if m and ln + 1 < len(lines) and re.search(r"\breturn\b|FAIL|REFUSE|goto", lines[ln + 1]):
            muts.append((ln, "%sif (0 && (%s))" % (m.group(1), m.group(2)), "dropped rule"))
    return lines, muts


def run(cmd, cwd, env=None, timeout=900):
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return -1, "timeout"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", default=",".join(sorted(FAST)))
    ap.add_argument("--max", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--report", default=os.path.join(ROOT, "build", "mutate", "report.md"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="jitk-mutate-")
    for d in ("src", "include", "tests", "tools", "cli", "policies", "mk", "man", "bench", "fuzz", "Makefile"):
        src = os.path.join(ROOT, d)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(work, d), symlinks=True)
        elif os.path.exists(src):
            shutil.copy(src, work)
    all_muts = []
    for f in a.files.split(","):
        path = os.path.join(work, "src", "trusted", f)
        if not os.path.exists(path) or f not in FAST:
            print("mutate: skipping %s (no such trusted file or no fast tests)" % f, file=sys.stderr)
            continue
        lines, muts = mutants_of(path)
        for m in muts:
            all_muts.append((f, lines, m))
    total = len(all_muts)
    if a.max and total > a.max:
        random.Random(a.seed).shuffle(all_muts)
        all_muts = sorted(all_muts[: a.max], key=lambda x: (x[0], x[2][0]))
    tests = sorted({t for f in a.files.split(",") for t in FAST.get(f, [])})
    env = dict(os.environ, **ENV)
    b = os.path.join(work, "build")
    rc, out = run(["make", "-j%d" % a.jobs, "B=build"] + ["build/" + t for t in tests], work)
    if rc != 0:
        print(out[-3000:])
        sys.exit("mutate: the unmutated tree does not build")
    for t in tests:
        rc, out = run(["build/" + t], work, env)
        if rc != 0:
            print(out[-3000:])
            sys.exit("mutate: %s fails on the unmutated tree" % t)
    results = []
    t0 = time.time()
    for i, (f, lines, (ln, new, what)) in enumerate(all_muts):
        path = os.path.join(work, "src", "trusted", f)
        orig = "\n".join(lines)
        mutated = lines[:ln] + [new] + lines[ln + 1:]
        open(path, "w").write("\n".join(mutated))
        verdict, by = "survived", ""
        rc, out = run(["make", "-j%d" % a.jobs, "B=build"] + ["build/" + t for t in FAST[f]], work)
        if rc != 0:
            verdict, by = "killed", "build"
        else:
            for t in FAST[f]:
                rc, out = run(["build/" + t], work, env, timeout=300)
                if rc != 0:
                    verdict, by = "killed", os.path.basename(t) + (" (timeout)" if rc == -1 else "")
                    break
        open(path, "w").write(orig)
        os.utime(path, (time.time() + 1, time.time() + 1))
        results.append((f, ln + 1, what, lines[ln].strip(), verdict, by))
        print("[%d/%d] %s:%d %s: %s %s" % (i + 1, len(all_muts), f, ln + 1, what, verdict, by),
              flush=True)
    killed = sum(1 for r in results if r[4] == "killed")
    os.makedirs(os.path.dirname(a.report), exist_ok=True)
    with open(a.report, "w") as o:
        o.write("# Mutation score of src/trusted/\n\n")
        o.write("%d mutants run (of %d generated in %s), %d killed, %d survived: score %.1f%%; "
                "%.0f s.\n\n" % (len(results), total, a.files, killed, len(results) - killed,
                                 100.0 * killed / max(1, len(results)), time.time() - t0))
        o.write("| file:line | mutant | original | verdict | killed by |\n|---|---|---|---|---|\n")
        for f, ln, what, src, v, by in results:
            o.write("| %s:%d | %s | `%s` | %s | %s |\n" % (f, ln, what, src.replace("|", "\\|"), v, by))
    print("mutate: %d run, %d killed, %d survived (%.1f%%); report %s" %
          (len(results), killed, len(results) - killed, 100.0 * killed / max(1, len(results)),
           a.report))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
