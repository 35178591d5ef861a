#!/usr/bin/env python3
"""gen_params.py ABIS KSRC GENDIR OUT.c

The parameter table: for every ABI of tools/abis.txt and every syscall
number of it, the kernel function the number runs and, for each of its
parameters, the C type, the name, the width in bits the kernel uses and a
kind (ptr, fd, flags, int, uint, long, ulong, size).  Generated at build
time from the kernel source (tools/ksrc.sh), nothing typed in by hand:

  * which function a number runs: the ABI's syscall table in the kernel
    source (arch/x86/entry/syscalls/syscall_{64,32}.tbl, asm-generic/unistd.h),
    per the ABI's `ksys` column; x32's numbers 512-547 are rows of abi "x32"
    naming compat_sys_* functions, so they get the compat prototypes;
  * its parameters: the prototype in include/linux/syscalls.h or
    include/linux/compat.h (primary source), checked against the
    SYSCALL_DEFINEn / COMPAT_SYSCALL_DEFINEn that defines it (second
    source); where no header declares it (arch-specific calls such as
    x86-64's mmap), the definition in the ABI's arch/ or generic code;
  * the width of a type: typedefs resolved through the kernel's own headers
    (arch first, then generic) down to C base types, sized for the kernel
    that runs the ABI (all listed ABIs run on a 64-bit LP64 kernel);
  * the width the kernel uses: the size of the parameter's type, since the
    syscall wrappers cast each 64-bit register to it (__SC_CAST in
    include/linux/syscalls.h, __SC_DELOUSE in include/linux/compat.h), and
    at most 32 bits on i386, whose wrappers read each register as
    (unsigned int) first (__SC_COMPAT_CAST, SC_IA32_REGS_TO_ARGS in
    arch/x86/include/asm/syscall_wrapper.h).  docs/kernel-notes.md, section 8;
  * fewer bits where every use of the parameter in the definition's body
    reads fewer (tools/knarrow.py: mips n32's sys_32_personality masks its
    unsigned long with 0xffffffff, mmap's fd reaches only fget(unsigned int)).
    Each such narrowing is listed in OUT's sibling params_narrow.txt, with
    the uses it follows.

Any disagreement between the two sources fails the build.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import knarrow  # noqa: E402

abis_file, ksrc, gendir, out = sys.argv[1:5]

LP64 = {"char": 8, "short": 16, "int": 32, "long": 64, "long long": 64, "_Bool": 8, "bool": 8}
QUALS = {"const", "volatile", "__user", "__force", "__bitwise", "restrict", "__restrict", "struct",
         "union", "enum", "__kernel", "__iomem"}
BASEWORDS = {"unsigned", "signed", "__signed__", "char", "short", "int", "long", "_Bool", "bool", "void"}
# What every listed ABI's kernel is configured with, for choosing between
# the #ifdef variants of a definition (sys_clone's CONFIG_CLONE_BACKWARDS*).
BASE_CONFIG = {"CONFIG_64BIT", "CONFIG_MMU", "CONFIG_COMPAT"}


def die(msg):
    sys.stderr.write("gen_params: " + msg + "\n")
    sys.exit(1)


def read(path):
    with open(os.path.join(ksrc, path), encoding="utf-8", errors="replace") as f:
        return f.read()


def strip_comments(s):
    s = re.sub(r"/\*.*?\*/", " ", s, flags=re.S)
    return re.sub(r"//[^\n]*", " ", s)


# ------------------------------------------------------------ ABI list
abis = []
for line in open(abis_file):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    f = line.split()
    abis.append({"name": f[0], "enum": f[1], "audit": f[2], "target": f[3], "nrbase": int(f[5], 0), "ksys": f[6],
                 "kconfig": f[7].split(",")})


def audit_64bit(macro):
    """Whether the ABI's AUDIT_ARCH_* value carries __AUDIT_ARCH_64BIT, from
    its definition in the kernel's include/uapi/linux/audit.h: the ABIs
    without it pass 32-bit registers (docs/kernel-notes.md, section 8)."""
    txt = read("include/uapi/linux/audit.h").replace("\\\n", " ")
    m = re.search(r"^#define\s+%s\s+\(([^)]*)\)" % re.escape(macro), txt, re.M)
    if not m:
        die("%s is not defined in include/uapi/linux/audit.h" % macro)
    return "__AUDIT_ARCH_64BIT" in m.group(1)


for a in abis:
    a["is32"] = not audit_64bit(a["audit"])


def karch(abi):
    """The kernel arch directory of an ABI (from its syscall table path or triple)."""
    if abi["ksys"].startswith("tbl:"):
        return abi["ksys"].split(":")[1].split("/")[1]
    t = abi["target"].split("-")[0]
    return {"aarch64": "arm64", "riscv64": "riscv"}.get(t, t)


# ------------------------------------------------------------ typedefs
def pp_true(cond):
    """A header's #if condition for the 64-bit kernel, where it depends on
    the word size only (__BITS_PER_LONG is 64); None when it does not."""
    if "__BITS_PER_LONG" not in cond or "defined" in cond:
        return None
    e = re.sub(r"\b__BITS_PER_LONG\b", " 64 ", cond)
    e = re.sub(r"(\d+)[UuLl]+", r"\1", e).replace("&&", " and ").replace("||", " or ")
    if not re.fullmatch(r"[\s\d()<>=!andor]*", e):
        return None
    try:
        return bool(eval(e, {"__builtins__": {}}))
    except Exception:
        return None


def active_lines(txt):
    """The lines of a header the 64-bit kernel can compile: a branch on the
    word size is decided; every other branch is kept (the first typedef of a
    name wins, and arch headers are read first)."""
    out, stack = [], []  # (this branch active, some branch taken); None: unknown
    for line in txt.splitlines():
        m = re.match(r"^\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b(.*)$", line)
        if m:
            d, rest = m.group(1), m.group(2).strip()
            if d in ("ifdef", "ifndef"):
                stack.append([True, None])
            elif d == "if":
                v = pp_true(rest)
                stack.append([v is not False, v])
            elif d == "elif" and stack:
                v = pp_true(rest)
                stack[-1] = [stack[-1][1] is not True and v is not False, True if stack[-1][1] or v else v]
            elif d == "else" and stack:
                stack[-1] = [stack[-1][1] is not True, True]
            elif d == "endif" and stack:
                stack.pop()
            continue
        if all(f[0] for f in stack):
            out.append(line)
    return "\n".join(out)


def typedefs_for(arch):
    """name -> type text, arch headers first (64-bit variants), then generic."""
    td = {}
    roots = ["arch/%s/include" % arch, "include"]
    for root in roots:
        for d, _, files in sorted(os.walk(os.path.join(ksrc, root))):
            for fn in sorted(files):
                if not fn.endswith(".h") or fn.endswith("_32.h") or "x32" in fn:
                    continue
                try:
                    txt = strip_comments(open(os.path.join(d, fn), errors="replace").read())
                except OSError:
                    continue
                txt = active_lines(txt)
                for m in re.finditer(r"^\s*typedef\s+([^;{}()]+?[\s*])(\w+)\s*;", txt, re.M):
                    td.setdefault(m.group(2), m.group(1))
                # typedef void (*name)(int);
                for m in re.finditer(r"^\s*typedef\s+[^;{}()]+\(\s*(?:__user\s*)?\*\s*(\w+)\s*\)\s*\(", txt, re.M):
                    td.setdefault(m.group(1), "void *")
                # typedef struct { ... } __user *name;
                for m in re.finditer(r"^\s*typedef\s+struct\s+\w*\s*\{[^}]*\}\s*(?:__user\s*)?\*\s*(\w+)\s*;", txt, re.M):
                    td.setdefault(m.group(1), "void *")
    return td


def words(t):
    return re.findall(r"[A-Za-z_]\w*|\*", t)


def type_info(t, td, depth=0, ilp32=False):
    """(bits, signed, is_ptr) of a C type text on the LP64 kernel (ilp32:
    on a 32-bit one, where long is 32 bits), or None."""
    w = words(t)
    if "*" in w:
        return (64, False, True)
    if "compat_arg_u64" in w:
        return (64, False, False)  # include/linux/compat.h: a u64 in two registers
    if "enum" in w:
        return (32, True, False)  # the kernel's enums are int-sized
    w = [x for x in w if x not in QUALS]
    if depth > 20 or not w:
        return None
    if all(x in BASEWORDS for x in w):
        signed = "unsigned" not in w
        if "char" in w:
            return (8, signed, False)
        if "short" in w:
            return (16, signed, False)
        if w.count("long") >= (2 if ilp32 else 1):
            return (64, signed, False)
        if "_Bool" in w or "bool" in w:
            return (8, False, False)
        return (32, signed, False)
    if len(w) == 1 and w[0] in td:
        return type_info(td[w[0]], td, depth + 1, ilp32)
    if len(w) >= 1 and w[-1] in td and all(x in QUALS for x in w[:-1]):
        return type_info(td[w[-1]], td, depth + 1, ilp32)
    return None


# ------------------------------------------------------------ prototypes
def split_params(s):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def param_of_decl(p, td):
    """(type, name) of a prototype parameter; name '' when omitted."""
    p = " ".join(p.split())
    m = re.match(r"^(.*?[\s*])(\w+)$", p)
    if m:
        t, n = m.group(1).strip(), m.group(2)
        if n in BASEWORDS or n in QUALS or (n in td and not t.endswith("*") and
                                              all(x in QUALS for x in words(t))):
            return p, ""
        if t and words(t) and not all(x in QUALS for x in words(t)):
            return t, n
    return p, ""


def header_protos(path, td):
    txt = strip_comments(read(path))
    protos = {}
    for m in re.finditer(r"asmlinkage\s+long\s+((?:compat_)?sys_\w+)\s*\(([^;]*?)\)\s*;", txt, re.S):
        name, ps = m.group(1), m.group(2).strip()
        params = [] if ps in ("void", "") else [param_of_decl(p, td) for p in split_params(ps)]
        protos.setdefault(name, []).append(params)
    return protos


def define_protos():
    """entry name -> [(file, [(type, name)])] from SYSCALL_DEFINEn lines."""
    defs = {}
    for line in open(os.path.join(ksrc, "defines.txt"), errors="replace"):
        fn, text, ctx = (line.rstrip("\n").split("\t") + ["", ""])[:3]
        m = re.match(r"\s*(COMPAT_)?SYSCALL_DEFINE(\d)\((.*)\)\s*$", text.strip(), re.S)
        if not m:
            continue
        args = [a.strip() for a in split_params(m.group(3))]
        name, rest = args[0], args[1:]
        if len(rest) != 2 * int(m.group(2)):
            continue
        params = [(" ".join(rest[i].split()), rest[i + 1]) for i in range(0, len(rest), 2)]
        entry = ("compat_sys_" if m.group(1) else "sys_") + name
        defs.setdefault(entry, []).append((fn, params, ctx))
    return defs


# ------------------------------------------------------------ syscall tables
def numbers(abi):
    """name -> nr from the generated sys_<abi>.c."""
    nrs = {}
    for m in re.finditer(r'\{ "(\w+)", (-?\d+) \}', open(os.path.join(gendir, "sys_%s.c" % abi["name"])).read()):
        nrs[m.group(1)] = int(m.group(2))
    return nrs


def entries(abi):
    """[(nr, name, entry)] the ABI dispatches."""
    ks = abi["ksys"]
    nrs = numbers(abi)
    res = []
    if ks.startswith("tbl:"):
        # tbl:<file>:<abis>[:<base>]: the table's numbers plus base (mips's
        # __NR_Linux, 4000/5000/6000, which its headers' numbers include).
        _, path, cols, base = (ks.split(":") + ["0"])[:4]
        cols = cols.split(",")
        tbl = read(path)
        # The fifth column is the entry a 64-bit kernel runs for a 32-bit
        # ABI where the table's format comment calls it the compat entry
        # (x86's syscall_32.tbl, powerpc's, s390's, mips's); arm's is the
        # OABI entry, not EABI's.
        compat = re.search(r"^#.*<(compat entry point|compat-entry)>", tbl, re.M) is not None
        for line in tbl.splitlines():
            f = line.split()
            if not f or f[0].startswith("#") or len(f) < 4 or f[1] not in cols:
                continue
            nr = int(f[0]) + abi["nrbase"] + int(base, 0)
            # On a 64-bit kernel a compat ABI runs the compat entry (5th column) if any.
            entry = f[4] if len(f) > 4 and abi["is32"] and compat else f[3]
            if nrs.get(f[2]) != nr:
                die("%s: %s is %s in %s but %s in the UAPI headers" % (abi["name"], f[2], nr, path, nrs.get(f[2])))
            res.append((nr, f[2], entry))
    elif ks == "generic":
        txt = strip_comments(read("include/uapi/asm-generic/unistd.h"))
        seen = set()
        for m in re.finditer(r"__(SYSCALL|SC_COMP|SC_3264|SC_COMP_3264)\(([^)]*)\)", txt):
            a = [x.strip() for x in m.group(2).split(",")]
            if not a[0].startswith("__NR"):
                continue  # the macros' own definitions
            name = re.sub(r"^__NR(3264)?_", "", a[0])
            # The 64-bit entry: __SC_3264(nr, 32-bit, 64-bit), __SC_COMP_3264(nr, 32, 64, compat).
            entry = a[2] if m.group(1) in ("SC_3264", "SC_COMP_3264") else a[1]
            if name in nrs and name not in seen:
                seen.add(name)
                res.append((nrs[name], name, entry))
    else:
        die("unknown ksys %s" % ks)
    return sorted(res)


# ------------------------------------------------------------ resolution
def arch_of_file(fn):
    m = re.match(r"arch/([^/]+)/", fn)
    return m.group(1) if m else None


def kind_of(t, n, info):
    bits, signed, ptr = info
    if ptr:
        return "PTR"
    if re.fullmatch(r"\w*fd|fd\w*|fd_(in|out)", n or "") and bits <= 32:
        return "FD"
    if "flags" in (n or "") or n == "flag":
        return "FLAGS"
    if re.search(r"\bsize_t\b", t):
        return "SIZE"
    if bits <= 32:
        return "INT" if signed else "UINT"
    return "LONG" if signed else "ULONG"


def arch_config(arch, symbols):
    """The configuration of the kernel that runs the ABI: the Kconfig
    symbols of its abis.txt line, what their `config` blocks in
    arch/<arch>/Kconfig select unconditionally, and the __ARCH_WANT_ macros
    its asm/unistd.h defines."""
    cfg = set(BASE_CONFIG) | {"CONFIG_" + x for x in symbols}
    try:
        block = None
        for line in read("arch/%s/Kconfig" % arch).splitlines():
            m = re.match(r"^(?:menu)?config\s+(\w+)", line)
            if m:
                block = m.group(1)
                continue
            m = re.match(r"^\s+select\s+(\w+)\s*$", line)
            if m and block in symbols:
                cfg.add("CONFIG_" + m.group(1))
    except OSError:
        pass
    try:
        for m in re.finditer(r"^\s*#\s*define\s+(__ARCH_WANT_\w+)", read("arch/%s/include/asm/unistd.h" % arch), re.M):
            cfg.add(m.group(1))
    except OSError:
        pass
    return cfg


def config_true(ctx, cfg):
    """The preprocessor condition ctx under configuration cfg (unknown
    macros are undefined, as the preprocessor has them)."""
    if not ctx.strip():
        return True
    e = re.sub(r"(?:defined|IS_ENABLED)\s*\(\s*(\w+)\s*\)", lambda m: " %s " % (m.group(1) in cfg), ctx)
    e = re.sub(r"\b(?!True\b|False\b)[A-Za-z_]\w*\b", lambda m: " %s " % (m.group(0) in cfg), e)
    e = e.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    if not re.fullmatch(r"[\sTrueFalsandotr()]*", e):
        die("cannot evaluate the condition %r" % ctx)
    return bool(eval(e, {"__builtins__": {}}))


def resolve(abi, td, headers, defs, problems, narrow_log):
    rows = []
    arch = karch(abi)
    cfg = arch_config(arch, abi["kconfig"])
    for nr, name, entry in entries(abi):
        if entry in ("sys_ni_syscall", "-"):
            continue
        # The definitions that can be the one this ABI runs: generic code
        # and the ABI's own arch directory.
        cands = [d for d in defs.get(entry, []) if arch_of_file(d[0]) in (None, arch)]
        widths = set()
        for fn, ps, ctx in cands:
            infos = [type_info(t, td) for t, _ in ps]
            if None not in infos:
                widths.add(tuple(i[0] for i in infos))
        if len(widths) > 1:
            # #ifdef variants: keep those the ABI's kernel configuration selects.
            cands = [d for d in cands if config_true(d[2], cfg)]
        dwidth = None
        for fn, ps, ctx in cands:
            infos = [type_info(t, td) for t, _ in ps]
            if None in infos:
                problems.append("%s %s: unknown type in %s: %s" % (abi["name"], entry, fn, ps))
                continue
            w = [i[0] for i in infos]
            if dwidth is None:
                dwidth, dparams = w, ps
            elif w != dwidth:
                problems.append("%s %s: definitions disagree (%s)" % (abi["name"], entry, fn))
        src = "define"
        params = None
        best = -1
        for variant in headers.get(entry, []):
            infos = [type_info(t, td) for t, _ in variant]
            if None in infos:
                problems.append("%s %s: unknown type in the prototype %s" % (abi["name"], entry, variant))
                continue
            w = [i[0] for i in infos]
            if dwidth is not None and w != dwidth:
                continue  # a variant for another configuration (sys_clone)
            # Of the #ifdef variants (sys_clone's), the one whose names and
            # types match the definition the configuration selects.
            score = sum(1 for i, (t, n) in enumerate(variant)
                        if dwidth is not None and " ".join(t.split()) == dparams[i][0] and n in ("", dparams[i][1]))
            if score > best:
                params, src, best = variant, "header", score
        if params is None and headers.get(entry) and dwidth is not None:
            problems.append("%s %s: no prototype agrees with the definition" % (abi["name"], entry))
            continue
        if params is None:
            if dwidth is None:
                continue  # neither source: the semantics use the register width
            params = dparams
        # Names: the definition's where the prototype omits them.
        if dwidth is not None and src == "header":
            params = [(t, n or dparams[i][1]) for i, (t, n) in enumerate(params)]
        args = []
        split = False
        for t, n in params:
            info = type_info(t, td)
            # A 64-bit scalar of a 32-bit ABI's native entry takes two
            # registers, so the prototype's parameters are not the
            # registers: such a call is left out (the register width).
            split = split or (abi["is32"] and not info[2] and type_info(t, td, ilp32=True)[0] > 32)
            bits = min(info[0], 32) if abi["is32"] else info[0]
            args.append((bits, kind_of(t, n, info), t, n))
        if split:
            continue
        for i, (w, why) in body_narrowing(arch, entry, cands, td).items():
            bits, kind, t, n = args[i]
            if w < bits:
                info = type_info(t, td)
                args[i] = (w, kind_of(t, n, (w, info[1], info[2])), t, n)
                narrow_log.append("%s\t%s\t%s\targ%d %s\t%d->%d\t%s" % (abi["name"], name, entry, i, n, bits, w,
                                                                      "; ".join(sorted(set(why)))))
        rows.append((nr, name, entry, src, args))
    return rows


INDEX_CACHE = {}
INDEXES = {}
BODY_FILES = None


def body_files():
    """The kernel .c files tools/ksrc.sh kept: those with a SYSCALL_DEFINEn."""
    global BODY_FILES
    if BODY_FILES is None:
        BODY_FILES = sorted({line.split("\t")[0] for line in open(os.path.join(ksrc, "defines.txt"), errors="replace")
                             if os.path.exists(os.path.join(ksrc, line.split("\t")[0]))})
    return BODY_FILES


def index_for(arch, td):
    if arch not in INDEXES:
        files = [f for f in body_files() if arch_of_file(f) in (None, arch)]
        INDEXES[arch] = knarrow.Index(ksrc, arch, files, split_params, param_of_decl, type_info, td, INDEX_CACHE)
    return INDEXES[arch]


def body_narrowing(arch, entry, cands, td):
    """{argument index: (width, uses)} for the arguments every body of the
    entry's definitions (cands) uses fewer bits of than all of them; a
    definition whose body is not among the kept files narrows nothing."""
    compat = entry.startswith("compat_sys_")
    short = entry[len("compat_sys_"):] if compat else entry[len("sys_"):]
    res = {}
    if not cands or not os.path.exists(os.path.join(ksrc, cands[0][0])):
        return res
    ix = index_for(arch, td)
    an = knarrow.Analysis(ix)
    per = []
    for fn, ps, _ in cands:
        try:
            code = knarrow.strip_code(read(fn))
        except OSError:
            return {}
        pat = r"(?<![\w])%sSYSCALL_DEFINE%d\(\s*%s\s*[,)]" % ("COMPAT_" if compat else "", len(ps), re.escape(short))
        bodies = []
        for m in re.finditer(pat, code):
            if not compat and code[max(0, m.start() - 7):m.start()].endswith("COMPAT_"):
                continue
            at = code.find("{", m.end())
            body = knarrow.Index._body(code, at) if at >= 0 else None
            if body is None:
                return {}
            bodies.append(body)
        if not bodies:
            return {}
        for body in bodies:
            per.append([an.param_width(body, n, "%s:%s" % (fn, entry)) for _, n in ps])
    for i in range(len(cands[0][1])):
        ws = [p[i] for p in per]
        if any(w is None or w[0] is None for w in ws):
            continue  # unused somewhere: the width changes nothing there; keep the type's
        w = max(x[0] for x in ws)
        if w < knarrow.FULL:
            res[i] = (w, [u for x in ws for u in x[1]])
    return res


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    problems = []
    narrow_log = []
    out_lines = ["/* Generated by tools/gen_params.py from the kernel source. Do not edit. */",
                 '#include "tables.h"']
    summary = []
    for abi in abis:
        td = typedefs_for(karch(abi))
        headers = {}
        for h in ("include/linux/syscalls.h", "include/linux/compat.h"):
            for k, v in header_protos(h, td).items():
                headers.setdefault(k, []).extend(v)
        defs = define_protos()
        rows = resolve(abi, td, headers, defs, problems, narrow_log)
        out_lines.append("const struct tbl_params tbl_params_%s[] = {" % abi["name"])
        for nr, name, entry, src, args in rows:
            a = ", ".join("{ %d, TBL_PARAM_%s, %s, %s }" % (b, k, cstr(t), cstr(n)) for b, k, t, n in args)
            out_lines.append("  { %d, %d, %s, %s, { %s } }," % (nr, len(args), cstr(name), cstr(entry), a))
        out_lines.append("};")
        out_lines.append("const size_t tbl_params_%s_len = sizeof tbl_params_%s / sizeof *tbl_params_%s;"
                         % (abi["name"], abi["name"], abi["name"]))
        nhdr = sum(1 for r in rows if r[3] == "header")
        summary.append("%s %d (%d from prototypes)" % (abi["name"], len(rows), nhdr))
    if problems:
        for p in problems:
            sys.stderr.write("gen_params: " + p + "\n")
        die("%d disagreements between the kernel's prototypes and definitions" % len(problems))
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out_lines) + "\n")
    os.replace(tmp, out)
    nout = os.path.join(os.path.dirname(out), "params_narrow.txt")
    with open(nout + ".tmp", "w") as f:
        f.write("# Generated by tools/gen_params.py: arguments whose body uses fewer bits than their type.\n"
                "# abi\tsyscall\tentry\targument\twidth\tthe uses (file:function: what)\n")
        f.write("".join(x + "\n" for x in narrow_log))
    os.replace(nout + ".tmp", nout)
    sys.stderr.write("gen_params: " + ", ".join(summary) + "\n")


main()
