"""knarrow.py - the low bits of a syscall argument that the kernel's body uses.

tools/gen_params.py takes the width of an argument from the C type of its
parameter (the wrappers' cast, docs/kernel-notes.md section 8).  Some
bodies use fewer bits than that type: mips's
`SYSCALL_DEFINE1(32_personality, unsigned long, personality)` starts with
`unsigned int p = personality & 0xffffffff;`, and x86-64's
`sys_mmap(..., unsigned long fd, ...)` hands fd to `ksys_mmap_pgoff`,
which hands it to `audit_mmap_fd(int fd, ...)` and `fget(unsigned int fd)`
only.  A filter that compares all 64 bits there can be passed by setting
high bits the call never reads, so the width must be what the body uses.

This module reads the body (the kernel's .c files that tools/ksrc.sh keeps)
and computes, for a parameter p, the largest number of low bits of p that
any use of p reads.  It is deliberately narrow-minded: a use counts as
reading fewer bits than the full value only when it is one of

  * a cast `(T)p` to an integer type T narrower than p;
  * a mask `p & C` or `C & p` by a constant C (a literal, or a macro whose
    value is a literal), not part of a tighter-binding expression;
  * the initializer of a declaration `T v = p;` of such a type;
  * a whole argument `f(..., p, ...)` of a function whose parameter there
    has a narrower type (its prototype, in the kernel's headers or the same
    .c file), or of the same width and whose body uses fewer bits of it
    (the same analysis, a few calls deep, where the body is among the kept
    files);
  * a whole argument of a function-like macro, whose expansion is then
    read the same way (`personality(p)` is `(p & PER_MASK)`);
  * `(p)`, the same as p;
  * `p = E;` where E is p and constants under & | ^ ~ only: bit by bit the
    new p is the old, so it reads what the later uses read (powerpc's
    do_ppc64_personality).

Every other use (a comparison, a shift, arithmetic, an assignment to p or
its address, a call whose prototype is unknown or variadic) reads all of
p, so one such use anywhere keeps the parameter's own width.  The answer
is therefore never narrower than what some use of the body can see; it is
as wide as the type when the analysis cannot tell.  The `#if` branches of
a body are all read (more uses, never fewer).
"""
import os
import re

FULL = 64
TOK = re.compile(r"[A-Za-z_]\w*|0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|"
                 r"\|\||[-+*/%&|^]=|##|\S")
KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "else", "do", "case", "goto", "typeof",
            "__typeof__", "_Generic", "default", "break", "continue"}
ASSIGN = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="}
# Tokens around `p & C` that cannot take part in a tighter-binding
# expression: `&` binds less tightly than arithmetic, shifts and
# comparisons, more tightly than ^, |, && and ||.
SAFE_LEFT = {"(", ",", ";", "{", "}", "?", ":", "return", "&&", "||", "|", "^"} | ASSIGN
SAFE_RIGHT = {")", ",", ";", "?", ":", "&&", "||", "|", "^", "&", "]"}
POSTFIX = {"[", "(", ".", "->", "++", "--"}
STORAGE = {"static", "register", "const", "volatile", "auto", "unsigned", "signed"}
MAXDEPTH = 4


def strip_code(s):
    """Comments and string/char literals out (the latter as a 0)."""
    s = re.sub(r"/\*.*?\*/", " ", s, flags=re.S)
    s = re.sub(r"//[^\n]*", " ", s)
    return re.sub(r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", " 0 ", s)


def tokens(s):
    """The tokens of code text, preprocessor lines left out (both sides of
    an #if are read)."""
    s = s.replace("\\\n", " ")
    s = "\n".join(l for l in s.splitlines() if not l.lstrip().startswith("#"))
    return TOK.findall(s)


def is_ident(t):
    return re.match(r"[A-Za-z_]\w*$", t) is not None


def round_width(bits):
    for w in (8, 16, 32):
        if bits <= w:
            return w
    return FULL


FUNC_RE = re.compile(r"^[ \t]*((?:[A-Za-z_]\w*[ \t\*]+|\*[ \t]*)+)([A-Za-z_]\w*)[ \t]*"
                     r"\(([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*)\)\s*((?:__\w+(?:\([^()]*\))?\s*)*)([;{])", re.M)
MACRO_RE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?[ \t]*(.*)$", re.M)


class Index:
    """The functions (prototypes, bodies) and macros of the kernel's headers
    for one arch and of the kept .c files."""

    def __init__(self, ksrc, arch, files, split_params, param_of_decl, type_info, td, cache):
        self.split_params, self.param_of_decl, self.type_info, self.td = split_params, param_of_decl, type_info, td
        self.funcs, self.macros, self.byfile = {}, {}, {}
        roots = ["arch/%s/include" % arch, "include"]
        for root in roots:
            key = ("hdr", root)
            if key not in cache:
                cache[key] = self._scan_tree(ksrc, root)
            self._merge(cache[key], None)
        for fn in files:
            key = ("c", fn)
            if key not in cache:
                cache[key] = self._scan_file(ksrc, fn)
            self._merge(cache[key], fn)

    def _scan_tree(self, ksrc, root):
        res = ([], [])
        for d, _, names in sorted(os.walk(os.path.join(ksrc, root))):
            for n in sorted(names):
                if n.endswith(".h"):
                    rel = os.path.relpath(os.path.join(d, n), ksrc)
                    f, m = self._scan_file(ksrc, rel)
                    res[0].extend(f)
                    res[1].extend(m)
        return res

    def _scan_file(self, ksrc, rel):
        try:
            raw = open(os.path.join(ksrc, rel), errors="replace").read()
        except OSError:
            return ([], [])
        txt = strip_code(raw).replace("\\\n", " ")
        macros = []
        for m in MACRO_RE.finditer(txt):
            params = None if m.group(2) is None else [x.strip() for x in m.group(2)[1:-1].split(",") if x.strip()]
            macros.append((m.group(1), params, m.group(3), rel))
        code = "\n".join(l for l in txt.splitlines() if not l.lstrip().startswith("#"))
        # Enumerators given a literal value, as object-like macros.
        for e in re.finditer(r"\benum\s*\w*\s*\{([^{}]*)\}", code):
            for m in re.finditer(r"(?:^|,)\s*([A-Za-z_]\w*)\s*=\s*((?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*)\s*(?=,|$)", e.group(1)):
                macros.append((m.group(1), None, m.group(2), rel))
        funcs = []
        for m in FUNC_RE.finditer(code):
            ret, name = m.group(1), m.group(2)
            if any(w in KEYWORDS for w in re.findall(r"\w+", ret)) or name in KEYWORDS:
                continue
            ps = m.group(3).strip()
            params = [] if ps in ("", "void") else [self.param_of_decl(p, self.td) for p in self.split_params(ps)]
            body = None
            if m.group(5) == "{":
                body = self._body(code, m.end(5) - 1)
            funcs.append((name, params, body, rel, "static" in ret.split()))
        return (funcs, macros)

    @staticmethod
    def _body(code, at):
        depth = 0
        for i in range(at, len(code)):
            c = code[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return code[at + 1:i]
        return None

    def _merge(self, scanned, fn):
        funcs, macros = scanned
        for name, params, body, rel, static in funcs:
            self.funcs.setdefault(name, []).append((params, body, rel, static))
        for name, params, body, rel in macros:
            self.macros.setdefault(name, []).append((params, body, rel))

    def functions(self, name, infile):
        """The definitions and prototypes a call of `name` in file infile
        can be: the file's own if it has any, else the headers' and the
        other files' non-static ones."""
        cands = self.funcs.get(name, [])
        own = [c for c in cands if c[2] == infile]
        return own or [c for c in cands if not (c[3] and c[2].endswith(".c"))]

    def const_value(self, t, depth=0):
        m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)[uUlL]*", t)
        if m:
            v = m.group(1)
            return int(v, 16) if v[:2] in ("0x", "0X") else int(v, 8) if v.startswith("0") else int(v)
        if depth < 6 and is_ident(t) and t in self.macros:
            vals = set()
            for params, body, _ in self.macros[t]:
                b = body.strip()
                while b.startswith("(") and b.endswith(")"):
                    b = b[1:-1].strip()
                v = None if params is not None else self.const_value(b, depth + 1)
                vals.add(v)
            if len(vals) == 1:
                return vals.pop()
        return None

    def type_bits(self, words):
        """The width of an integer type named by tokens, or None."""
        if not words or any(not (is_ident(w) or w == "*") for w in words):
            return None
        if "*" in words:
            return None
        ws = [w for w in words if w not in ("static", "register", "auto")]
        info = self.type_info(" ".join(ws), self.td)
        if info is None or info[2]:
            return None
        return info[0]

    def is_type(self, words):
        return self.type_bits(words) is not None


class Analysis:
    def __init__(self, index):
        self.ix = index

    def param_width(self, body, p, where, depth=0):
        """(width, uses) of parameter p in the body text; width None when p
        is not used at all; uses: the narrowing uses found, as text."""
        toks = tokens(body) if isinstance(body, str) else body
        ws, why = [], []
        skip = self.bitwise_updates(toks, p, where, why)
        for i, t in enumerate(toks):
            if t != p or (i > 0 and toks[i - 1] in (".", "->")) or i in skip:
                continue
            if i + 1 < len(toks) and toks[i + 1] == "(":
                continue  # a function or macro of the same name (personality())
            w, r = self.use(toks, i, i + 1, where, depth)
            ws.append(w)
            why.extend(r)
        if not ws:
            return None, []
        return max(ws), why

    def bitwise_updates(self, toks, p, where, why):
        """The token positions of the statements `p = E;` whose E is p and
        constants under & | ^ ~ and parentheses only.  Each bit of the new p
        is a function of the same bit of the old one, so such a statement
        reads the bits of p that the later uses read, and no others: it and
        the p in it are not uses of their own."""
        skip = set()
        for i, t in enumerate(toks):
            if t != p or i + 1 >= len(toks) or toks[i + 1] != "=" or (i > 0 and toks[i - 1] not in (";", "{", "}", ")")):
                continue
            if i > 0 and toks[i - 1] == ")":
                j = self.open_of(toks, i - 1)
                if j is None or j == 0 or toks[j - 1] not in ("if", "else"):
                    continue
            k = i + 2
            ok = True
            while k < len(toks) and toks[k] != ";":
                x = toks[k]
                if not (x == p or x in ("(", ")", "&", "|", "^", "~") or self.ix.const_value(x) is not None):
                    ok = False
                    break
                k += 1
            if ok and k < len(toks):
                skip.update(range(i, k))
                why.append("%s: %s" % (where, " ".join(toks[i:k])))
        return skip

    def use(self, toks, s, e, where, depth):
        """(bits, uses) read by the expression toks[s:e], whose value is p's."""
        def at(k):
            return toks[k] if 0 <= k < len(toks) else ";"

        prev, nxt = at(s - 1), at(e)
        # (p): the same value, unless the parentheses are a call's or a
        # condition's.
        if prev == "(" and nxt == ")":
            before = at(s - 2)
            if before in KEYWORDS and before != "return":
                return FULL, []
            if not is_ident(before) or before == "return":
                return self.use(toks, s - 1, e + 1, where, depth)
        if nxt in POSTFIX or nxt in ASSIGN or prev in ("++", "--"):
            return FULL, []
        if prev == "&" and at(s - 2) in SAFE_LEFT | {"*", "&", "!", "~", "-", "+"}:
            return FULL, []  # its address
        # (T)p
        if prev == ")":
            j = self.open_of(toks, s - 1)
            if j is not None and (not is_ident(at(j - 1)) or at(j - 1) in ("return", "case")):
                bits = self.ix.type_bits(toks[j + 1:s - 1])
                if bits is not None:
                    if bits < FULL:
                        return bits, ["%s: (%s)" % (where, " ".join(toks[j + 1:s - 1]))]
                    return FULL, []
            return FULL, []
        # p & C, C & p
        if nxt == "&" and prev in SAFE_LEFT and at(e + 2) in SAFE_RIGHT:
            c = self.ix.const_value(at(e + 1))
            if c is not None:
                return round_width(max(c.bit_length(), 1)), ["%s: & %s" % (where, at(e + 1))]
        if prev == "&" and at(s - 3) in SAFE_LEFT and nxt in SAFE_RIGHT:
            c = self.ix.const_value(at(s - 2))
            if c is not None:
                return round_width(max(c.bit_length(), 1)), ["%s: %s &" % (where, at(s - 2))]
        # T v = p;
        if prev == "=" and nxt == ";" and is_ident(at(s - 2)):
            k = s - 3
            while k >= 0 and (is_ident(toks[k]) and toks[k] not in KEYWORDS):
                k -= 1
            words = toks[k + 1:s - 2]
            if at(k) in ("{", ";", "}") and words:
                bits = self.ix.type_bits(words)
                if bits is not None and bits < FULL:
                    return bits, ["%s: %s %s = " % (where, " ".join(words), at(s - 2))]
            return FULL, []
        # f(..., p, ...)
        if prev in ("(", ",") and nxt in (",", ")"):
            return self.argument(toks, s, e, where, depth)
        return FULL, []

    @staticmethod
    def open_of(toks, close):
        depth = 0
        for k in range(close, -1, -1):
            if toks[k] == ")":
                depth += 1
            elif toks[k] == "(":
                depth -= 1
                if depth == 0:
                    return k
        return None

    @staticmethod
    def close_of(toks, open_):
        depth = 0
        for k in range(open_, len(toks)):
            if toks[k] == "(":
                depth += 1
            elif toks[k] == ")":
                depth -= 1
                if depth == 0:
                    return k
        return None

    def argument(self, toks, s, e, where, depth):
        # The call's open parenthesis and the argument's index.
        depth_p, idx, k = 0, 0, s - 1
        while k >= 0:
            t = toks[k]
            if t in (")", "]", "}"):
                depth_p += 1
            elif t in ("(", "[", "{"):
                if depth_p == 0:
                    break
                depth_p -= 1
            elif t == "," and depth_p == 0:
                idx += 1
            k -= 1
        if k < 1 or toks[k] != "(" or not is_ident(toks[k - 1]) or toks[k - 1] in KEYWORDS:
            return FULL, []
        callee = toks[k - 1]
        if depth >= MAXDEPTH:
            return FULL, []
        close = self.close_of(toks, k)
        if close is None:
            return FULL, []
        results = []
        for params, body, rel in self.ix.macros.get(callee, []):
            if params is None:
                continue
            results.append(self.expand(toks, k - 1, k, close, idx, params, body, rel, callee, where, depth))
        funcs = self.ix.functions(callee, where.split(":")[0])
        with_body = any(f[1] is not None for f in funcs)
        for params, body, rel, _ in funcs:
            if body is None and with_body and idx < len(params) and (self.ix.type_info(params[idx][0], self.ix.td)
                                                                     or (0, 0, 0))[0] == FULL:
                continue  # a declaration of a definition read below
            if idx >= len(params) or params[idx][0] == "..." or any(t == "..." for t, _ in params):
                results.append((FULL, []))
                continue
            t, n = params[idx]
            info = self.ix.type_info(t, self.ix.td)
            if info is None or info[2]:
                results.append((FULL, []))
            elif info[0] < FULL:
                results.append((info[0], ["%s: %s(%s %s)" % (where, callee, t, n)]))
            elif body is not None and n:
                w, r = self.param_width(body, n, "%s:%s" % (rel, callee), depth + 1)
                results.append((FULL, []) if w is None else (w, r))
            else:
                results.append((FULL, []))
        if not results:
            return FULL, []
        w = max(r[0] for r in results)
        return w, [x for r in results for x in r[1]] if w < FULL else []

    def expand(self, toks, name_at, open_, close, idx, params, body, rel, callee, where, depth):
        """The macro call toks[name_at..close] expanded once, the argument
        idx as a placeholder; the placeholder's uses in the result."""
        args, cur, d = [], [], 0
        for t in toks[open_ + 1:close]:
            if t in ("(", "[", "{"):
                d += 1
            elif t in (")", "]", "}"):
                d -= 1
            if t == "," and d == 0:
                args.append(cur)
                cur = []
            else:
                cur.append(t)
        args.append(cur)
        if "..." in params or len(args) != len(params) or idx >= len(params):
            return FULL, []
        btoks = TOK.findall(body)
        if "#" in btoks or "##" in btoks:
            return FULL, []
        ph = "__jitk_arg__"
        out = []
        for t in btoks:
            if t in params:
                j = params.index(t)
                out.extend([ph] if j == idx else args[j])
            else:
                out.append(t)
        spliced = toks[:name_at] + out + toks[close + 1:]
        w, r = self.param_width(spliced, ph, "%s (%s, %s)" % (where, callee, rel), depth + 1)
        return (FULL, []) if w is None else (w, r)
