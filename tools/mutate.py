#!/usr/bin/env python3
"""mutate.py - mutation score of the trusted base (`make mutate`).

Applies one semantic mutant at a time to a file of src/trusted/ (a .c file,
or the static inline functions of a header: HEADERS below): a swapped
relational, equality, logical or arithmetic operator, a constant changed by
one, or a dropped rule (the condition of an `if` that returns or fails made
false).  Mutants are generated from the code only: comments, string and
character literals, preprocessor lines, ACSL annotations and assertions are
left alone.  The working files are never touched.

Per mutant, cheaply (the machine is shared):
  1. only the mutated object is recompiled (the build's own command, read
     from `make -n`), into a private directory; for a header, the object of
     every file of src/ that calls one of its inline functions;
  2. trivially equivalent mutants are removed without running a test: a
     mutant whose object code (debug information stripped) is the original's
     is equivalent ("same code": the compiler proved it), and one whose
     object code is an earlier mutant's gets that mutant's verdict;
  3. the test programs are relinked with the mutated object ahead of
     build/libjitk.a (the archive's copy is then never pulled in) and run in
     the order of FAST: first the tests that exercise the file directly and
     fail fast, then the others; the first failure kills the mutant;
  4. each test has a time limit (TIMEOUT_FACTOR times its time on the
     unmutated tree, at least MIN_TIMEOUT s): a mutant that hangs is killed
     ("timeout"), as usual in mutation testing;
  5. a mutant that survives the plain tests is rebuilt under ASan+UBSan and
     its file's direct unit tests run again there (make test runs them so).
A mutant that does not compile (-Werror included) is "stillborn" and not
counted in the score.  Run it under `nice -n 10` (make mutate does).

The report (build/mutate/report.md, and report.tsv) lists every mutant with
its verdict and killer, and the killed / survived / timed out counts per
file; a summary is printed.  Survivors need a new test or an argument that
they are equivalent: tools/mutate-equivalent.txt holds the arguments (a
survivor it names is reported "equivalent (argued)" with the reason, and
not counted in the score; a named mutant that a test kills is simply
killed; an entry that names no mutant any more is listed as stale).

Bounded and resumable: every verdict is appended to
build/mutate/report.progress.tsv as it is reached, keyed by the mutant's
content (file, original line, mutated line, and which occurrence of that
original line text in the file it is: never a line number, so a rebase
keeps the verdicts of the lines it did not touch, and two identical lines
of a file are two mutants), and a later run
reuses them (--fresh forgets them; --rerun-survivors runs the survivors
of some files again after new tests).  The mutants run in an order that
interleaves the files, each file's in a shuffled order (--seed), so a run
cut short by --budget (minutes of wall time) is a uniform sample of every
file; the report says how many of each file's mutants were run.

  tools/mutate.py [--files a.c,b.c] [--fraction F | --max N] [--seed S] [--jobs J]
                  [--budget MINUTES] [--fresh] [--rerun-survivors a.c,b.c]

--fraction F runs a stratified sample: a fraction F (at least one mutant)
of every (file, operator) stratum, chosen by --seed.  --max N samples N
mutants over all files instead.
"""
import argparse, hashlib, math, os, random, re, resource, shlex, signal, subprocess, sys, tempfile
import threading, time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = "build"

U = "tests/unit/"
K = "tests/kernel/"
# The tests of each trusted file, in the order they run: the direct and fast
# ones first.  The first list's unit tests are rerun under ASan for mutants
# that survive the plain runs.
FAST = {
    "check.c": [U + "test_check", U + "test_interp", K + "test_check_kernel", U + "test_smt_bpf",
                U + "test_verify", U + "test_jit_validator"],
    "insn.c": [U + "test_check", U + "test_interp", U + "test_smt_bpf", U + "test_asm",
               K + "test_check_kernel", U + "test_jit_proof"],
    "interp.c": [U + "test_interp", U + "test_smt_bpf", K + "test_interp_kernel", U + "test_jit_proof",
                 U + "test_verify", U + "test_stack"],
    "params.c": [U + "test_endian", U + "test_tables", U + "test_lint", U + "test_codegen", U + "test_scpl_eval",
                 U + "test_smt_scpl", U + "test_verify", U + "test_ir"],
    "smt_bpf.c": [U + "test_smt_bpf", U + "test_alloc_faults", U + "test_verify", U + "test_verify_parts", U + "test_jit_proof",
                  K + "test_policies"],
    "smt_scpl.c": [U + "test_smt_scpl", U + "test_alloc_faults", U + "test_verify", U + "test_verify_parts", U + "test_codegen",
                   K + "test_policies"],
    "scpl_eval.c": [U + "test_scpl_eval", U + "test_smt_scpl", U + "test_verify", U + "test_codegen",
                    K + "test_compile_kernel", K + "test_policies"],
    "jit_check.c": [U + "test_jit_decode", U + "test_jit_validator", U + "test_alloc_faults", U + "test_jit", U + "test_jit_proof", K + "test_x86_twin",
                    K + "test_jit_equiv"],
    "smt_x86.c": [U + "test_jit_proof", U + "test_alloc_faults", K + "test_x86_twin", U + "test_jit", U + "test_jit_validator",
                  K + "test_jit_equiv"],
    "jit_prove.c": [U + "test_jit_prove_faults", U + "test_jit_proof", U + "test_jit", K + "test_jit_equiv"],
    "stack.c": [U + "test_stack", K + "test_stack_kernel"],
    # smt_neg, the guard negation smt_bpf.c and smt_x86.c share: both
    # encodings' tests.
    "smt.h": [U + "test_smt_bpf", U + "test_jit_proof", U + "test_alloc_faults", U + "test_verify",
              U + "test_verify_parts", U + "test_jit", U + "test_jit_validator", K + "test_x86_twin",
              K + "test_policies", K + "test_jit_equiv"],
}
# The tests rerun under ASan+UBSan for a survivor: the file's first two unit
# tests of FAST, unless named here (an ASan run of a JIT test forks and maps
# a lot: ~10 s of wall time each on a loaded machine).
ASAN = {"smt_x86.c": [U + "test_jit_proof", U + "test_alloc_faults"],
        "smt.h": [U + "test_smt_bpf", U + "test_jit_proof", U + "test_alloc_faults"],
        "jit_check.c": [U + "test_jit_decode", U + "test_jit_validator", U + "test_alloc_faults"]}
ENV = {"JITK_TEST_SCALE": "5"}
EQUIV = os.path.join(ROOT, "tools", "mutate-equivalent.txt")
MIN_TIMEOUT = 10.0     # CPU seconds
TIMEOUT_FACTOR = 4.0

# (class, pattern, replacement) on code characters only.
OPS = [
    ("relational", r"(?<![<>=!&|])<=(?!=)", "<"), ("relational", r"(?<![<>=!&|-])<(?![<=])", "<="),
    ("relational", r"(?<![<>=!&|-])>=(?!=)", ">"), ("relational", r"(?<![<>=!&|-])>(?![>=])", ">="),
    ("equality", r"==", "!="), ("equality", r"!=", "=="),
    ("logical", r"&&", "||"), ("logical", r"\|\|", "&&"),
    ("arithmetic", r"(?<=[\w)\]]) \+ (?!\+)", " - "), ("arithmetic", r"(?<=[\w)\]]) - (?!-)", " + "),
    ("bitwise", r"(?<=[\w)\]]) & (?!&)", " | "), ("bitwise", r"(?<=[\w)\]]) \| (?!\|)", " & "),
]


def code_mask(text):
    """A bool per character: True where it is code (not a comment, a string or
    character literal, or a preprocessor line)."""
    n = len(text)
    mask = [True] * n
    i = 0
    bol = True
    while i < n:
        c = text[i]
        if bol and text[i:i + 200].lstrip(" \t").startswith("#"):
            j = text.find("\n", i)
            while j > 0 and text[j - 1] == "\\":
                j = text.find("\n", j + 1)
            j = n if j < 0 else j
            for k in range(i, j):
                mask[k] = False
            i = j
            continue
        bol = c == "\n"
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                mask[k] = False
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                mask[k] = False
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            for k in range(i, min(n, j + 1)):
                mask[k] = False
            i = j + 1
        else:
            i += 1
    return mask


def occurrences(lines):
    """Per line, which occurrence (1, 2, ...) of its stripped text in the file
    it is: with the file and the texts it names a mutant without a line
    number (a rebase that moves a line keeps its verdict), and two identical
    lines (the same `if (!p)` in two functions) apart."""
    seen, occ = {}, []
    for line in lines:
        s = line.strip()
        seen[s] = seen.get(s, 0) + 1
        occ.append(seen[s])
    return occ


def fname(f, occ):
    """How report.md and tools/mutate-equivalent.txt name a mutant's file:
    FILE for a line's first occurrence, FILE#N for its N-th."""
    return f if occ == 1 else "%s#%d" % (f, occ)


def inline_lines(text, mask):
    """The line indexes of a header's static inline functions, from the line
    of `static inline` to the one of the body's closing brace (braces
    counted in code only): the code of a header that a mutant can change
    (declarations, types and macros are no behaviour of the header's own)."""
    keep = set()
    for m in re.finditer(r"(?m)^static inline\b", text):
        if not mask[m.start()]:
            continue
        i = m.start()
        while i < len(text) and not (text[i] == "{" and mask[i]):
            if text[i] == ";" and mask[i]:
                break  # a declaration, no body
            i += 1
        if i == len(text) or text[i] != "{":
            continue
        depth = 0
        j = i
        while j < len(text):
            if mask[j] and text[j] == "{":
                depth += 1
            elif mask[j] and text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        keep.update(range(text.count("\n", 0, m.start()), text.count("\n", 0, j) + 1))
    return keep


def inline_names(path):
    """The names of a header's static inline functions."""
    return re.findall(r"(?m)^static inline\b[^;{(]*?\b(\w+)\s*\(", open(path).read())


def mutants_of(path):
    """(lines, [(line index, new line, class, description)]); for a header,
    only the lines of its static inline functions are mutated."""
    text = open(path).read()
    mask = code_mask(text)
    lines = text.split("\n")
    only = inline_lines(text, mask) if path.endswith(".h") else None
    muts = []
    off = 0
    for ln, line in enumerate(lines):
        m_line = mask[off:off + len(line)]
        base = off
        off += len(line) + 1
        if only is not None and ln not in only:
            continue
        s = line.strip()
        # Assertions and ACSL stay as they are (a mutant there is not a
        # mutant of the behaviour).
        if re.search(r"\b(assert|static_assert|_Static_assert)\s*\(", line):
            continue

        def code_at(a, b):
            return all(m_line[a:b])

        for cls, pat, rep in OPS:
            for m in re.finditer(pat, line):
                if not code_at(m.start(), m.end()):
                    continue
                new = line[:m.start()] + rep + line[m.end():]
                muts.append((ln, new, cls, "%r -> %r" % (m.group(0).strip(), rep.strip())))
        for m in re.finditer(r"(?<![\w.])(0x[0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])", line):
            if not code_at(m.start(), m.end()):
                continue
            v = int(m.group(1), 0)
            hexa = m.group(1).startswith("0x")
            if v > 0xffffffff:
                continue
            # Every constant once: +1; 1 and 0 are also the common boundary.
            w = v + 1
            lit = (hex(w) if hexa else str(w))
            new = line[:m.start(1)] + lit + line[m.end(1):]
            muts.append((ln, new, "constant", "%s -> %s" % (m.group(1), lit)))
        m = re.match(r"(\s*)(?:\} else )?if \((.*)\)\s*(\{)?\s*$", line)
        if m and code_at(len(m.group(1)), len(m.group(1)) + 2):
            nxt = lines[ln + 1] if ln + 1 < len(lines) else ""
            if m.group(3) or re.search(r"\breturn\b|FAIL|REFUSE|goto|break|continue", nxt):
                head = line[:m.start(2) - 1]
                tail = line[m.end(2) + 1:]
                muts.append((ln, "%s(0 && (%s))%s" % (head, m.group(2), tail), "rule",
                             "dropped rule"))
        del base
    return lines, muts


def read_equivalents(path):
    """{(file, occurrence, original, mutated): reason} from
    tools/mutate-equivalent.txt: a line "FILE: ORIGINAL => MUTATED" (the
    stripped lines, as report.md prints them; FILE#N when the original line
    text is the N-th of its kind in the file, as report.md names it), then
    the reason on indented lines; '#' starts a comment."""
    eq, key = {}, None
    if not os.path.exists(path):
        return eq
    for n, ln in enumerate(open(path), 1):
        if not ln.strip() or ln.startswith("#"):
            continue
        if ln[0] in " \t":
            if key is None:
                sys.exit("mutate: %s:%d: a reason before any mutant" % (path, n))
            eq[key] = (eq[key] + " " + ln.strip()).strip()
            continue
        m = re.match(r"([\w.]+?)(?:#([1-9]\d*))?: (.*?) => (.*)$", ln.rstrip("\n"))
        if not m:
            sys.exit("mutate: %s:%d: expected 'FILE[#N]: ORIGINAL => MUTATED'" % (path, n))
        key = (m.group(1), int(m.group(2) or 1), m.group(3).strip(), m.group(4).strip())
        if key in eq:
            sys.exit("mutate: %s:%d: the same mutant twice" % (path, n))
        eq[key] = ""
    for k, why in eq.items():
        if not why:
            sys.exit("mutate: %s: %s: %s => %s: no reason given" % (path, fname(k[0], k[1]), k[2], k[3]))
    return eq


def run(cmd, env=None, timeout=None):
    t = time.time()
    try:
        p = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), time.time() - t
    except subprocess.TimeoutExpired:
        return None, "timeout", time.time() - t


def run_test(exe, env, cpu_limit=None):
    """Run a test program; (status, CPU seconds).  status: "pass", "fail" or
    "timeout".  The limit is on CPU time (RLIMIT_CPU, each process of the
    test), so that a loaded machine does not turn a slow run into a "hang";
    a wall limit of 20 times as much backs it up."""
    def limit():
        os.setsid()
        if cpu_limit:
            c = int(math.ceil(cpu_limit))
            resource.setrlimit(resource.RLIMIT_CPU, (c, c + 5))
    with open(os.devnull, "wb") as null:
        p = subprocess.Popen([exe], cwd=ROOT, env=env, stdout=null, stderr=null, preexec_fn=limit)
    deadline = time.time() + (20 * cpu_limit + 60 if cpu_limit else 3600)
    while True:
        pid, st, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.time() > deadline:
            os.killpg(p.pid, signal.SIGKILL)
            pid, st, ru = os.wait4(p.pid, 0)
            p.returncode = -9
            return "timeout", ru.ru_utime + ru.ru_stime
        time.sleep(0.05)
    p.returncode = 0
    cpu = ru.ru_utime + ru.ru_stime
    try:
        os.killpg(p.pid, signal.SIGKILL)  # leftovers of a test that forked
    except OSError:
        pass
    if os.WIFSIGNALED(st) and os.WTERMSIG(st) in (signal.SIGXCPU, signal.SIGKILL):
        return "timeout", cpu
    if cpu_limit and cpu >= cpu_limit:
        return "timeout", cpu
    return ("pass" if os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0 else "fail"), cpu


def make_cmd(target, match):
    """The build's command for target (from make -n), as an argv."""
    rc, out, _ = run(["make", "-n", "-B", "--no-print-directory", target])
    for ln in out.split("\n"):
        if match in ln and ln.lstrip().startswith(("cc ", "gcc ", "clang ", os.environ.get("CC", "cc"))):
            return shlex.split(ln)
    sys.exit("mutate: no build command for %s (make -n said: %s)" % (target, out[-500:]))


class Builder:
    """Compiles a (mutated) trusted file and links tests with it, privately."""

    def __init__(self, work):
        self.work = work
        self.cc = {}
        self.link = {}

    def compile_cmd(self, rel, asan):
        """The build's command for src/REL (trusted/check.c, lint.c)."""
        key = (rel, asan)
        if key not in self.cc:
            obj = "%s/%s/src/%s.o" % (B, "asan" if asan else "obj", rel[:-2])
            self.cc[key] = make_cmd(obj, "-o " + obj)
        return self.cc[key]

    def link_cmd(self, test, asan):
        key = (test, asan)
        if key not in self.link:
            exe = "%s/%s%s" % (B, "asan/" if asan else "", test)
            self.link[key] = make_cmd(exe, "-o " + exe + " ")
        return self.link[key]

    def compile(self, f, text, asan, tag):
        """The objects of trusted file f with text as its content: [f's own]
        for a .c file; for a header, one per file of src/ that calls one of
        its inline functions (header_users).  (objects or None, output)."""
        d = os.path.join(self.work, tag, "src", "trusted")
        os.makedirs(d, exist_ok=True)
        if f.endswith(".c"):
            open(os.path.join(d, f), "w").write(text)
            users = ["trusted/" + f]
        else:
            # Every trusted header beside the mutant, so that a header that
            # includes f ("smt.h" from smt_x86.h) finds the mutant too: a
            # quoted include looks in the includer's directory first.
            for h in os.listdir(os.path.join(ROOT, "src", "trusted")):
                if h.endswith(".h"):
                    body = text if h == f else open(os.path.join(ROOT, "src", "trusted", h)).read()
                    open(os.path.join(d, h), "w").write(body)
            users = header_users(f)
        objs, outs = [], ""
        for rel in users:
            src = os.path.join(self.work, tag, "src", rel)
            if rel != "trusted/" + f:
                os.makedirs(os.path.dirname(src), exist_ok=True)
                open(src, "w").write(open(os.path.join(ROOT, "src", rel)).read())
            obj = os.path.join(self.work, tag, rel[:-2].replace("/", "_") + (".asan.o" if asan else ".o"))
            cmd = []
            it = iter(self.compile_cmd(rel, asan))
            for a in it:
                if a == "-o":
                    cmd += ["-o", obj]
                    next(it)
                elif a.endswith("src/" + rel):
                    cmd.append(src)
                elif a in ("-MMD", "-MP"):
                    continue
                else:
                    cmd.append(a)
            # The private trusted headers first, then the tree's.
            cmd += ["-iquote", d, "-iquote", "src/trusted"]
            rc, out, _ = run(cmd, timeout=600)
            outs += out
            if rc != 0:
                return None, outs
            objs.append(obj)
        return objs, outs

    def exe(self, test, objs, asan, tag):
        exe = os.path.join(self.work, tag, ("asan_" if asan else "") + os.path.basename(test))
        lib = "%s/libjitk%s.a" % (B, "-asan" if asan else "")
        cmd = []
        it = iter(self.link_cmd(test, asan))
        for a in it:
            if a == "-o":
                cmd += ["-o", exe]
                next(it)
            elif a == lib:
                cmd += objs + [a]
            else:
                cmd.append(a)
        rc, out, _ = run(cmd, timeout=600)
        return exe if rc == 0 else None


def obj_hash(objs):
    h = hashlib.sha256()
    for obj in objs:
        strip = obj + ".s"
        subprocess.run(["objcopy", "--strip-debug", obj, strip], check=True)
        h.update(hashlib.sha256(open(strip, "rb").read()).digest())
        os.unlink(strip)
    return h.hexdigest()


_users = {}


def header_users(h):
    """The files of src/ (paths under it) whose code calls one of trusted
    header h's static inline functions: the objects a mutant of h changes.
    A test that calls one itself would keep the original (its object is not
    rebuilt): refused, so that no such mutant is counted as run."""
    if h not in _users:
        names = inline_names(os.path.join(ROOT, "src", "trusted", h))
        call = re.compile(r"\b(%s)\s*\(" % "|".join(map(re.escape, names))) if names else None

        def calls(path):
            text = open(path).read()
            mask = code_mask(text)
            return call and any(mask[m.start()] for m in call.finditer(text))
        users = []
        for top, sub in (("src", True), ("tests", False), ("cli", False), ("bench", False)):
            for dp, _, fs in os.walk(os.path.join(ROOT, top)):
                for fn in sorted(fs):
                    path = os.path.join(dp, fn)
                    if not fn.endswith((".c", ".h")) or path.endswith("src/trusted/" + h):
                        continue
                    if not calls(path):
                        continue
                    if not sub or not fn.endswith(".c"):
                        if sub:  # a header of src/ calling it: its includers would be users
                            sys.exit("mutate: %s calls %s's inline functions: not supported" %
                                     (os.path.relpath(path, ROOT), h))
                        sys.exit("mutate: %s calls %s's inline functions itself: its object would "
                                 "keep the original" % (os.path.relpath(path, ROOT), h))
                    users.append(os.path.relpath(path, os.path.join(ROOT, "src")))
        if not users:
            sys.exit("mutate: no file of src/ calls an inline function of %s" % h)
        _users[h] = sorted(users)
    return _users[h]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", default=",".join(sorted(FAST)))
    ap.add_argument("--fraction", default="1",
                    help="F, or FILE=F,...,*=F: the fraction of each stratum run")
    ap.add_argument("--max", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--list", action="store_true", help="print the mutants and exit")
    ap.add_argument("--resume", action="store_true",
                    help="(the default) keep the verdicts of report.progress.tsv (by content)")
    ap.add_argument("--fresh", action="store_true", help="forget earlier verdicts")
    ap.add_argument("--budget", type=float, default=0,
                    help="minutes of wall time; mutants not started by then are 'not run'")
    ap.add_argument("--rerun-survivors", default="",
                    help="with --resume: run the survivors of these files (a,b.c) again "
                    "(after new tests)")
    ap.add_argument("--report", default=os.path.join(ROOT, B, "mutate", "report.md"))
    a = ap.parse_args()
    files = [f for f in a.files.split(",") if f]
    for f in files:
        if f not in FAST or not os.path.exists(os.path.join(ROOT, "src", "trusted", f)):
            sys.exit("mutate: %s: not a trusted file with tests (FAST in %s)" % (f, __file__))

    gen, src, occ = [], {}, {}
    for f in files:
        lines, muts = mutants_of(os.path.join(ROOT, "src", "trusted", f))
        src[f] = lines
        occ[f] = occurrences(lines)
        gen += [(f,) + m for m in muts]
    strata = {}
    for m in gen:
        strata.setdefault((m[0], m[3]), []).append(m)
    rnd = random.Random(a.seed)
    if a.max and a.max < len(gen):
        chosen = rnd.sample(gen, a.max)
    elif a.fraction != "1":
        frac = {}
        for part in a.fraction.split(","):
            k, _, v = part.rpartition("=")
            frac[k or "*"] = float(v)
        chosen = []
        for k in sorted(strata):
            ms = strata[k]
            fr = frac.get(k[0], frac.get("*", 1.0))
            chosen += rnd.sample(ms, min(len(ms), max(1, int(math.ceil(fr * len(ms))))))
    else:
        chosen = list(gen)
    # Interleave the files, each in a shuffled order: a run cut short by the
    # budget is then a uniform sample of every file.
    per_file = {f: [m for m in chosen if m[0] == f] for f in files}
    for f in files:
        per_file[f].sort(key=lambda m: m[1])
        random.Random("%d/%s" % (a.seed, f)).shuffle(per_file[f])
    order = []
    longest = max([len(v) for v in per_file.values()] + [0])
    for k in range(longest):
        for f in files:
            # spread each file's mutants evenly over the run
            n = len(per_file[f])
            lo, hi = k * n // longest, (k + 1) * n // longest
            order += per_file[f][lo:hi]
    chosen = order
    if a.list:
        for f, ln, new, cls, what in chosen:
            print("%s:%d %s %s: %s" % (f, ln + 1, cls, what, new.strip()))
        print("%d mutants of %d generated" % (len(chosen), len(gen)))
        return

    os.makedirs(os.path.dirname(a.report), exist_ok=True)
    prog = a.report[:-3] + ".progress.tsv"
    old = {}
    # A row of an older script (9 columns, no occurrence) names its line
    # only by text: kept only for a line text that is unique in its file.
    dup = {f: {s.strip() for s, k in zip(src[f], occ[f]) if k > 1} for f in files}
    if a.fresh and os.path.exists(prog):
        os.unlink(prog)
    if os.path.exists(prog):
        # Appended to as verdicts are reached: the last row of a mutant wins.
        for row in open(prog):
            r = row.rstrip("\n").split("\t")
            if len(r) < 9:
                continue
            if len(r) < 10:
                if r[8] in dup.get(r[0], ()):
                    continue
                r.append("1")
            k = (r[0], int(r[9]), r[8], r[7])
            if r[4] in ("duplicate", "not run") or (
                    r[4] == "survived" and r[0] in a.rerun_survivors.split(",")):
                old.pop(k, None)
            else:
                old[k] = r
    equiv = read_equivalents(EQUIV)
    work = tempfile.mkdtemp(prefix="jitk-mutate-")
    bld = Builder(work)
    env = dict(os.environ, **ENV)
    # The unmutated tree: every test passes, its time sets the limit.
    base_t, base_h = {}, {}
    for f in files:
        obj, out = bld.compile(f, "\n".join(src[f]), False, "orig")
        if not obj:
            sys.exit("mutate: %s does not compile unmutated:\n%s" % (f, out[-2000:]))
        base_h[f] = obj_hash(obj)
        for t in FAST[f]:
            if t in base_t:
                continue
            exe = bld.exe(t, obj, False, "orig")
            if not exe:
                sys.exit("mutate: %s does not link (make the tests first: make mutate does)" % t)
            st, dt = run_test(exe, env)
            if st != "pass":
                sys.exit("mutate: %s fails on the unmutated tree (%s)" % (t, st))
            base_t[t] = dt
            print("baseline %-32s %6.1f s CPU" % (t, dt), flush=True)

    lock = threading.Lock()
    seen = {}          # object hash -> index of the first mutant with that code
    results = [None] * len(chosen)
    done = [0]
    t0 = time.time()

    def one(i):
        f, ln, new, cls, what = chosen[i]
        prev = old.get((f, occ[f][ln], src[f][ln].strip(), new.strip()))
        # A verdict already reached costs nothing: only new runs are cut.
        if not prev and a.budget and time.time() - t0 > 60 * a.budget:
            results[i] = ["not run", "budget", 0.0]
            return
        tag = "m%d" % i
        text = "\n".join(src[f][:ln] + [new] + src[f][ln + 1:])
        verdict, by, secs = "survived", "", 0.0
        obj = out = None
        if prev:
            verdict, by, secs = prev[4], prev[5], float(prev[6])
        else:
            obj, out = bld.compile(f, text, False, tag)
        if prev:
            pass
        elif not obj:
            verdict, by = "stillborn", "does not compile"
        else:
            h = obj_hash(obj)
            with lock:
                first = seen.get(h)
                if first is None and h != base_h[f]:
                    seen[h] = i
            if h == base_h[f]:
                verdict, by = "equivalent", "same object code"
            elif first is not None:
                verdict, by = "duplicate", first
            else:
                for t in FAST[f]:
                    exe = bld.exe(t, obj, False, tag)
                    if not exe:
                        verdict, by = "stillborn", "does not link"
                        break
                    lim = max(MIN_TIMEOUT, TIMEOUT_FACTOR * base_t[t])
                    st, dt = run_test(exe, env, lim)
                    secs += dt
                    if st == "timeout":
                        verdict, by = "timeout", os.path.basename(t)
                        break
                    if st != "pass":
                        verdict, by = "killed", os.path.basename(t)
                        break
                if verdict == "survived":
                    aobj, out = bld.compile(f, text, True, tag)
                    asan = ASAN.get(f, [t for t in FAST[f] if t.startswith(U)][:2])
                    for t in asan if aobj else []:
                        exe = bld.exe(t, aobj, True, tag)
                        if not exe:
                            by = "asan/%s did not link: not run" % os.path.basename(t)
                            break
                        lim = max(MIN_TIMEOUT, 4 * TIMEOUT_FACTOR * base_t[t])
                        st, dt = run_test(exe, env, lim)
                        secs += dt
                        if st == "timeout":
                            verdict, by = "timeout", "asan/" + os.path.basename(t)
                            break
                        if st != "pass":
                            verdict, by = "killed", "asan/" + os.path.basename(t)
                            break
        subprocess.run(["rm", "-rf", os.path.join(work, tag)])
        results[i] = [verdict, by, secs]
        if verdict == "duplicate":
            return
        with lock:
            done[0] += 1
            if prev:
                return
            with open(a.report[:-3] + ".progress.tsv", "a") as o:
                o.write("\t".join([f, str(ln + 1), cls, what, verdict, str(by), "%.1f" % secs,
                                   new.strip(), src[f][ln].strip(), str(occ[f][ln])]) + "\n")
            print("[%d/%d %.0fs] %s:%d %s %s: %s %s" % (done[0], len(chosen), time.time() - t0, f,
                                                       ln + 1, cls, what, verdict, by), flush=True)

    with ThreadPoolExecutor(max_workers=a.jobs) as ex:
        list(ex.map(one, range(len(chosen))))
    # Duplicates take the verdict of the first mutant with the same code.
    for r in results:
        if r[0] == "duplicate":
            first = results[r[1]]
            r[0], r[1] = first[0], "same code as #%d (%s)" % (r[1], first[1])
    # Survivors argued equivalent in tools/mutate-equivalent.txt.
    used = set()
    for m, r in zip(chosen, results):
        k = (m[0], occ[m[0]][m[1]], src[m[0]][m[1]].strip(), m[2].strip())
        if k in equiv:
            used.add(k)
            if r[0] == "survived":
                r[0], r[1] = "argued", equiv[k]
    stale = [k for k in equiv if k not in used and k[0] in files]
    wall = time.time() - t0

    cats = ["killed", "timeout", "survived", "argued", "equivalent", "stillborn", "not run"]
    per = {f: dict.fromkeys(cats, 0) for f in files}
    gen_per = {f: 0 for f in files}
    for m in gen:
        gen_per[m[0]] += 1
    for m, r in zip(chosen, results):
        per[m[0]][r[0]] += 1

    def score(c):
        k = c["killed"] + c["timeout"]
        n = k + c["survived"]
        return "%.1f%%" % (100.0 * k / n) if n else "-"

    def ran(c):
        return sum(c.values()) - c["not run"]

    tot = {c: sum(per[f][c] for f in files) for c in cats}

    def where(m):
        # FILE#N:LINE for the N-th line of that text (the name
        # tools/mutate-equivalent.txt gives it), FILE:LINE for the first.
        return "%s:%d" % (fname(m[0], occ[m[0]][m[1]]), m[1] + 1)
    nrun = ran(tot)
    os.makedirs(os.path.dirname(a.report), exist_ok=True)
    with open(a.report, "w") as o:
        o.write("# Mutation score of src/trusted/\n\n")
        o.write("%d mutants run of %d generated (%.1f%%; %s, seed %d), %.0f s wall, %d jobs%s.\n"
                "Score = (killed + timed out) / (killed + timed out + survived); "
                "'argued' = survived, shown equivalent in tools/mutate-equivalent.txt (not counted); "
                "'equivalent' = the same object code as the original (not counted); "
                "'stillborn' = does not compile (not counted); 'not run' = cut by the budget.  "
                "FILE#N:LINE is a line whose text is the N-th of its kind in FILE (so named in "
                "tools/mutate-equivalent.txt).\n\n"
                % (nrun, len(gen), 100.0 * nrun / max(1, len(gen)),
                   "all" if len(chosen) == len(gen) else
                   ("stratified sample, fraction %s of every (file, operator)" % a.fraction
                    if not a.max else "random sample of %d" % a.max), a.seed, wall, a.jobs,
                   ", budget %g min" % a.budget if a.budget else ""))
        o.write("| file | generated | run | killed | timeout | survived | argued | equivalent "
                "| stillborn | not run | score |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
        for f in files + ["total"]:
            c = tot if f == "total" else per[f]
            g = len(gen) if f == "total" else gen_per[f]
            o.write("| %s | %d | %d | %s | %s |\n" % (f, g, ran(c),
                                                     " | ".join(str(c[x]) for x in cats), score(c)))
        o.write("\n## Survivors\n\n| file:line | mutant | original | mutated |\n|---|---|---|---|\n")
        for m, r in zip(chosen, results):
            if r[0] == "survived":
                o.write("| %s | %s %s | `%s` | `%s` |\n" % (where(m), m[3], m[4],
                                                            src[m[0]][m[1]].strip().replace("|", "\\|"),
                                                            m[2].strip().replace("|", "\\|")))
        o.write("\n## Shown equivalent (tools/mutate-equivalent.txt)\n\n"
                "| file:line | mutant | original | mutated | why |\n|---|---|---|---|---|\n")
        for m, r in zip(chosen, results):
            if r[0] == "argued":
                o.write("| %s | %s %s | `%s` | `%s` | %s |\n" % (
                    where(m), m[3], m[4], src[m[0]][m[1]].strip().replace("|", "\\|"),
                    m[2].strip().replace("|", "\\|"), r[1].replace("|", "\\|")))
        if stale:
            o.write("\n## Stale entries of tools/mutate-equivalent.txt (no such mutant)\n\n")
            for k in stale:
                o.write("- %s: `%s` => `%s`\n" % (fname(k[0], k[1]), k[2], k[3]))
        o.write("\n## Every mutant\n\n| file:line | mutant | verdict | by | test s |\n"
                "|---|---|---|---|---:|\n")
        for m, r in zip(chosen, results):
            o.write("| %s | %s %s | %s | %s | %.1f |\n" % (where(m), m[3],
                                                           m[4].replace("|", "\\|"), r[0],
                                                           str(r[1]).replace("|", "\\|"), r[2]))
    with open(a.report[:-3] + ".tsv", "w") as o:
        for m, r in zip(chosen, results):
            o.write("\t".join([m[0], str(m[1] + 1), m[3], m[4], r[0], str(r[1]), m[2].strip(),
                               str(occ[m[0]][m[1]])]) + "\n")
    print("mutate: %d of %d mutants run (%.1f%%): %d killed, %d timed out, %d survived, "
          "%d argued equivalent, %d equivalent (same code), %d stillborn; score %s; %.0f s; "
          "report %s" %
          (nrun, len(gen), 100.0 * nrun / max(1, len(gen)), tot["killed"], tot["timeout"],
           tot["survived"], tot["argued"], tot["equivalent"], tot["stillborn"], score(tot), wall,
           a.report))
    for f in files:
        c = per[f]
        print("  %-12s %4d of %4d run: %4d killed %3d timeout %3d survived %3d argued %3d same code"
              "  %s" % (f, ran(c), gen_per[f], c["killed"], c["timeout"], c["survived"],
                        c["argued"], c["equivalent"], score(c)))
    for k in stale:
        print("mutate: stale entry of %s: %s: %s => %s" % (os.path.basename(EQUIV), fname(k[0], k[1]),
                                                             k[2], k[3]))
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
