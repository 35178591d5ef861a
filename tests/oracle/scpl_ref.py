#!/usr/bin/env python3
"""scpl_ref.py - a second SCPL reader and evaluator, the test oracle.

Written from docs/scpl.md alone (not from src/scpl_*.c or
src/trusted/scpl_eval.c), in another language, so that a mistake in
jitk's front end or evaluator shows up as a disagreement
(tests/oracle/run.py).  What the document cannot give - syscall numbers,
named constants and parameter widths per ABI, errno names, the ABIs'
AUDIT_ARCH values - comes from the generated tables, dumped by
`eval_driver tables`; those tables are checked against a second source by
tests/unit/test_tables.c and tests/cli/test_gen_params.sh.

Errors are an exception SCPLError(kind, where, msg); the texts need not
match jitk's, the accept/reject decision must.

JITK_ORACLE_BREAK=first-match|width|neg|x32|default|errno breaks one rule on
purpose, to show that the differential test sees it (tests/oracle/run.py
--self-test).
"""
import os
import re
import sys

M64 = (1 << 64) - 1
BREAK = os.environ.get("JITK_ORACLE_BREAK", "")

RET = {"Allow": 0x7FFF0000, "Kill": 0x80000000, "KillProcess": 0x80000000,
       "KillThread": 0, "Log": 0x7FFC0000, "Notify": 0x7FC00000}
RET_DATA = {"Trap": (0x00030000, 0xFFFF, False), "Trace": (0x7FF00000, 0xFFFF, False),
            "Errno": (0x00050000, 4095, True)}   # base, max data, data required
RELOPS = ("==", "!=", "<", "<=", ">", ">=")
PUNCT2 = ("==", "!=", "<=", ">=", "&&", "||")
PUNCT1 = "{}[]();=<>!&|-"
MAX_DEPTH = 64
# docs/scpl.md, "Constants at width W": a mask in an explicit low32() must
# fit the compare's width min(32, parameter width), e.g. 16 bits for
# umode_t.  Set to False only to check that the comparison sees a reader
# that allows any 32-bit mask there.
LOW32_MASK_AT_W = True
MAX_INCLUDE = 16
MAX_INPUT = 16 << 20        # bytes of one file, and of all included text
MAX_RULES = 1 << 20


class SCPLError(Exception):
    def __init__(self, kind, where, msg):
        Exception.__init__(self, "%s: %s: %s" % (where, kind, msg))
        self.kind = kind


class Tables:
    """The generated tables, from `eval_driver tables`."""

    def __init__(self, text):
        self.abis = []          # names, in table order
        self.audit, self.nrbase, self.alias = {}, {}, {}
        self.sys, self.consts, self.params, self.errno = {}, {}, {}, {}
        self.aerrno = {}        # abi -> errno name -> value (each ABI's <asm/errno.h>)
        for line in text.splitlines():
            f = line.split()
            if f[0] == "abi":
                a = f[1]
                self.abis.append(a)
                self.audit[a], self.nrbase[a] = int(f[2], 16), int(f[3], 16)
                for n in [a] + f[4:]:
                    self.alias[n] = a
                self.sys[a], self.consts[a], self.params[a], self.aerrno[a] = {}, {}, {}, {}
            elif f[0] == "sys":
                self.sys[f[1]][f[2]] = int(f[3])
            elif f[0] == "const":
                self.consts[f[1]][f[2]] = int(f[3], 16)
            elif f[0] == "param":
                self.params[f[1]][int(f[2])] = [int(w) for w in f[3:]]
            elif f[0] == "errno":
                self.errno[f[1]] = int(f[2])
            elif f[0] == "aerrno":
                self.aerrno[f[1]][f[2]] = int(f[3])

    def is_errno(self, name):
        return any(name in e for e in self.aerrno.values())

    def regwidth(self, abi):
        # docs/scpl.md, "Argument widths": the registers of an ABI whose
        # AUDIT_ARCH value lacks __AUDIT_ARCH_64BIT (i386, arm, ppc, s390,
        # mips o32) are 32 bits wide as the kernel uses them; the others'
        # (mips n32's too) 64.
        return 64 if self.audit[abi] & 0x80000000 else 32

    def width(self, abi, nr, argi):
        """Argument widths, rule 1: the parameter's width, at most the register's."""
        reg = self.regwidth(abi)
        if BREAK == "width":
            return 64
        p = self.params[abi].get(nr)
        if p is None or argi >= len(p):
            return reg
        return min(p[argi], reg)

    def input_abi(self, arch, nr):
        """Semantics step 1: the ABI of an input, or None."""
        cands = [a for a in self.abis if self.audit[a] == arch]
        for a in cands:
            if self.nrbase[a] and (nr & 0xFFFFFFFF) >= self.nrbase[a] and BREAK != "x32":
                return a
        for a in cands:
            if not self.nrbase[a]:
                return a
        return None


# ------------------------------------------------------------------ lexer

class Tok:
    __slots__ = ("kind", "val", "where")

    def __init__(self, kind, val, where):
        self.kind, self.val, self.where = kind, val, where


def lex(text, fname):
    toks, i, n, line, bol = [], 0, len(text), 1, 0
    ident0 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
    identc = ident0 + "0123456789"
    while True:
        while i < n:                      # blanks and comments
            c = text[i]
            if c in " \t\r\f\v":
                i += 1
            elif c == "\n":
                i += 1
                line, bol = line + 1, i
            elif c == "#" or text.startswith("//", i):
                while i < n and text[i] != "\n":
                    i += 1
            elif text.startswith("(*", i):
                depth, start = 1, "%s:%d:%d" % (fname, line, i - bol + 1)
                i += 2
                while depth:
                    if i >= n:
                        raise SCPLError("parse", start, "unterminated comment")
                    if text.startswith("(*", i):
                        depth, i = depth + 1, i + 2
                    elif text.startswith("*)", i):
                        depth, i = depth - 1, i + 2
                    else:
                        if text[i] == "\n":
                            line, bol = line + 1, i + 1
                        i += 1
            else:
                break
        where = "%s:%d:%d" % (fname, line, i - bol + 1)
        if i >= n:
            toks.append(Tok("eof", None, where))
            return toks
        c = text[i]
        if c in ident0:
            j = i
            while j < n and text[j] in identc:
                j += 1
            if j - i > 127:
                raise SCPLError("parse", where, "identifier longer than 127")
            toks.append(Tok("id", text[i:j], where))
            i = j
        elif c.isdigit() and c.isascii():
            j = i
            while j < n and text[j] in identc:
                j += 1
            toks.append(Tok("num", number(text[i:j], where), where))
            i = j
        elif c == '"':
            j = text.find('"', i + 1)
            nl = text.find("\n", i + 1)
            if j < 0 or (0 <= nl < j):
                raise SCPLError("parse", where, "unterminated string")
            toks.append(Tok("str", text[i + 1:j], where))
            i = j + 1
        elif text[i:i + 2] in PUNCT2:
            toks.append(Tok(text[i:i + 2], None, where))
            i += 2
        elif c in PUNCT1:
            toks.append(Tok(c, None, where))
            i += 1
        else:
            raise SCPLError("parse", where, "unexpected character %r" % c)


def number(s, where):
    """Decimal, 0x hexadecimal or 0 octal; unsigned 64-bit."""
    if s[:2] == "0x":
        digits, base = s[2:], 16
    elif s[0] == "0" and len(s) > 1:
        digits, base = s[1:], 8
    else:
        digits, base = s, 10
    ok = "0123456789abcdefABCDEF"[:base + (6 if base == 16 else 0)]
    if not digits or any(ch not in ok for ch in digits):
        raise SCPLError("parse", where, "bad number %r" % s)
    v = int(digits, base)
    if v > M64:
        raise SCPLError("range", where, "number beyond 64 bits")
    return v


# ----------------------------------------------------------------- parser

class Rule:
    def __init__(self, where):
        self.where, self.action, self.sysrefs, self.cond, self.arch = where, None, None, None, None


class Parser:
    def __init__(self, tables, toks, fname, chain, ctx):
        self.t, self.toks, self.i, self.fname, self.chain = tables, toks, 0, fname, chain
        self.files, self.depth = set(), 0   # files included beneath, their nesting
        self.ctx = ctx   # shared: {"total": included bytes, "rules": n, "cache": lexed files}

    def peek(self, k=0):
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, kind):
        tok = self.next()
        if tok.kind != kind:
            raise SCPLError("parse", tok.where, "expected %s" % kind)
        return tok

    def ident(self):
        return self.expect("id")

    def block(self, close, item):
        """item { ";" item } [ ";" ] close - the caller consumed the opener."""
        out = []
        while True:
            out.append(item())
            tok = self.next()
            if tok.kind == close:
                return out
            if tok.kind != ";":
                raise SCPLError("parse", tok.where, "expected ; or %s" % close)
            if self.peek().kind == close:
                self.next()
                return out

    def fields(self, names, one):
        """A { field = value; ... } record with each field at most once."""
        self.expect("{")
        seen = {}

        def field():
            tok = self.ident()
            name = {"syscalls": "syscall"}.get(tok.val, tok.val)
            if name not in names:
                raise SCPLError("name", tok.where, "unknown field %s" % tok.val)
            if name in seen:
                raise SCPLError("name", tok.where, "duplicate field %s" % tok.val)
            self.expect("=")
            seen[name] = one(name, tok)
        self.block("}", field)
        return seen

    def policy(self):
        names = ("default_action", "foreign_action", "arch", "rules", "filesystem",
                 "network", "scope")
        start = self.peek().where
        f = self.fields(names, self.pfield)
        self.expect("eof")
        for req in ("default_action", "rules"):
            if req not in f:
                raise SCPLError("parse", start, "missing %s" % req)
        return f

    def pfield(self, name, tok):
        if name in ("default_action", "foreign_action"):
            return self.action()
        if name == "arch":
            return self.archlist()
        if name == "rules":
            return self.rulelist()
        if name == "scope":
            return self.accesslist()
        return self.list_of(lambda: self.landlock(name))

    def landlock(self, name):
        key = "path" if name == "filesystem" else "port"
        f = self.fields((key, "access"), lambda n, t: self.expect(
            "str" if n == "path" else "num") if n != "access" else self.accesslist())
        if len(f) != 2:
            raise SCPLError("parse", self.peek().where, "%s and access required" % key)
        return f

    def list_of(self, item, allow_empty=True):
        tok = self.expect("[")
        if self.peek().kind == "]":
            if not allow_empty:
                raise SCPLError("parse", tok.where, "empty list")
            self.next()
            return []
        return self.block("]", item)

    def accesslist(self):
        if self.peek().kind == "[":
            return self.list_of(lambda: self.ident().val, False)
        return [self.ident().val]

    def archlist(self):
        def one():
            tok = self.ident()
            if tok.val not in self.t.alias:
                raise SCPLError("name", tok.where, "unknown arch %s" % tok.val)
            return (self.t.alias[tok.val], tok.where)
        lst = self.list_of(one, False) if self.peek().kind == "[" else [one()]
        seen = set()
        for a, where in lst:
            if a in seen:
                raise SCPLError("name", where, "arch listed twice")
            seen.add(a)
        return [a for a, _ in lst]

    def action(self):
        tok = self.ident()
        if tok.val in RET:
            return RET[tok.val]
        if tok.val not in RET_DATA:
            raise SCPLError("name", tok.where, "unknown action %s" % tok.val)
        base, top, required = RET_DATA[tok.val]
        if self.peek().kind in ("num", "-", "id") or required:
            where = self.peek().where
            cterms = self.const()
            # docs/scpl.md, the table of actions: an errno name has each ABI's value
            # (ENOSYS is 89 on mips); every one must fit, and the ABIs the
            # action applies to (known once the policy is read) must agree.
            vals = [self.action_value(cterms, a) for a in self.t.abis]
            if any(v is not None and v > top for v in vals):
                raise SCPLError("range", where, "action data out of range")
            if all(v == vals[0] for v in vals):
                return base | vals[0]
            return ("per-abi", base, dict(zip(self.t.abis, vals)), where)
        return base

    def action_value(self, cterms, abi):
        """The action's data on ABI abi, None if a name has no value there."""
        v = 0
        for kind, x, where in cterms:
            if kind == "id":
                if not self.t.is_errno(x):
                    raise SCPLError("name", where, "unknown errno %s" % x)
                e = self.t.errno if BREAK == "errno" else self.t.aerrno[abi]
                if x not in e:
                    return None
                x = e[x]
            v |= x
        return v

    def rulelist(self):
        def item():
            tok = self.peek()
            if tok.kind == "id" and tok.val == "include" and self.peek(1).kind == "str":
                self.next()
                return self.include(self.next())
            self.ctx["rules"] += 1
            if self.ctx["rules"] > MAX_RULES:
                raise SCPLError("too_big", tok.where, "too many rules")
            return [self.rule()]
        return [r for group in self.list_of(item) for r in group]

    def include(self, tok):
        path = tok.val
        if not path.startswith("/"):
            base = os.path.dirname(self.fname) if self.fname else ""
            path = os.path.join(base, path)
        real = os.path.realpath(path)
        if real in self.chain:
            raise SCPLError("parse", tok.where, "include cycle")
        if len(self.chain) >= MAX_INCLUDE:
            raise SCPLError("range", tok.where, "includes nest too deep")
        if not os.path.isfile(real):
            raise SCPLError("io", tok.where, "cannot read %s" % path)
        # A file read before is not read again (docs/scpl.md: "read and lexed
        # once"); its subtree is reused when neither a cycle nor the depth
        # limit can differ, and its bytes and rules still count each time.
        memo = self.ctx["sub"].get(real)
        if memo and not (memo[3] & set(self.chain)) and len(self.chain) + memo[4] <= MAX_INCLUDE:
            rules, size, nrules, files, depth = memo
        else:
            if real not in self.ctx["cache"]:
                text = read(real, tok.where)
                self.ctx["cache"][real] = (len(text), lex(text, path))
            size0, toks = self.ctx["cache"][real]
            t0, r0 = self.ctx["total"], self.ctx["rules"]
            self.ctx["total"] += size0
            if self.ctx["total"] > MAX_INPUT:
                raise SCPLError("too_big", tok.where, "includes beyond the limit")
            sub = Parser(self.t, toks, path, self.chain + [real], self.ctx)
            rules = sub.rulelist()
            sub.expect("eof")
            size, nrules = self.ctx["total"] - t0, self.ctx["rules"] - r0
            files, depth = sub.files | {real}, sub.depth + 1
            self.ctx["sub"][real] = (rules, size, nrules, files, depth)
            self.ctx["total"], self.ctx["rules"] = t0, r0
        self.files |= files
        self.depth = max(self.depth, depth)
        self.ctx["total"] += size
        self.ctx["rules"] += nrules
        if self.ctx["total"] > MAX_INPUT:
            raise SCPLError("too_big", tok.where, "includes beyond the limit")
        if self.ctx["rules"] > MAX_RULES:
            raise SCPLError("too_big", tok.where, "too many rules")
        return rules

    def rule(self):
        r = Rule(self.peek().where)

        def rfield(name, tok):
            if name == "action":
                return self.action()
            if name == "syscall":
                if self.peek().kind == "[":
                    return self.list_of(self.sysref, False)
                return [self.sysref()]
            if name == "when":
                return self.cond(0)
            return self.archlist()
        f = self.fields(("action", "syscall", "when", "arch"), rfield)
        if "action" not in f or "syscall" not in f:
            raise SCPLError("parse", r.where, "a rule needs action and syscall")
        r.action, r.sysrefs = f["action"], f["syscall"]
        r.cond, r.arch = f.get("when"), f.get("arch")
        return r

    def sysref(self):
        tok = self.next()
        if tok.kind == "num":
            if tok.val > 0x7FFFFFFF:
                raise SCPLError("range", tok.where, "syscall number out of range")
            return ("nr", tok.val, tok.where)
        if tok.kind != "id":
            raise SCPLError("parse", tok.where, "expected a syscall")
        name = tok.val
        for pre in ("SYS_", "__NR_"):
            if name.startswith(pre):
                name = name[len(pre):]
                break
        return ("name", name, tok.where)

    # cond = andcond { "||" andcond } ; andcond = unary { "&&" unary }
    def cond(self, depth):
        terms = [self.andcond(depth)]
        while self.peek().kind == "||":
            self.next()
            terms.append(self.andcond(depth))
        return terms[0] if len(terms) == 1 else ("or", terms)

    def andcond(self, depth):
        terms = [self.unary(depth)]
        while self.peek().kind == "&&":
            self.next()
            terms.append(self.unary(depth))
        return terms[0] if len(terms) == 1 else ("and", terms)

    def unary(self, depth):
        tok = self.peek()
        if tok.kind in ("!", "(") and depth >= MAX_DEPTH:
            raise SCPLError("range", tok.where, "conditions nest too deep")
        if tok.kind == "!":
            self.next()
            return ("not", self.unary(depth + 1))
        if tok.kind == "(" and not self.masked_ahead():
            self.next()
            c = self.cond(depth + 1)
            self.expect(")")
            return c
        if tok.kind == "id" and tok.val in ("true", "false"):
            self.next()
            return (tok.val,)
        return self.compare()

    def masked_ahead(self):
        k = 1
        if self.peek(k).kind == "id" and self.peek(k).val in ("low32", "reg64"):
            if self.peek(k + 1).kind != "(" or self.peek(k + 3).kind != ")":
                return False
            k += 2
            if self.peek(k).kind != "id" or not self.peek(k).val.startswith("arg"):
                return False
            k += 2
        elif self.peek(k).kind == "id" and self.peek(k).val.startswith("arg"):
            k += 1
        else:
            return False
        return self.peek(k).kind == "&"

    def argref(self):
        tok = self.ident()
        low = {"low32": 32, "reg64": 64}.get(tok.val)   # None: the parameter's width
        if low:
            self.expect("(")
            tok = self.ident()
        s = tok.val
        if not (s.startswith("arg") and s[3:].isdigit() and s[3:].isascii()):
            raise SCPLError("parse", tok.where, "expected argN")
        if len(s) != 4 or s[3] > "5":
            raise SCPLError("range", tok.where, "no argument %s" % s)
        if low:
            self.expect(")")
        return int(s[3]), low

    def compare(self):
        where = self.peek().where
        mask = None
        if self.peek().kind == "(":
            self.next()
            argi, low = self.argref()
            self.expect("&")
            mask = self.const()
            self.expect(")")
        else:
            argi, low = self.argref()
        op = self.next()
        if op.kind not in RELOPS:
            raise SCPLError("parse", op.where, "expected a comparison")
        return ("cmp", argi, low, mask, op.kind, self.const(), where)

    def const(self):
        terms = [self.cterm()]
        while self.peek().kind == "|":
            self.next()
            terms.append(self.cterm())
        return terms

    def cterm(self):
        tok = self.next()
        if tok.kind == "num":
            return ("num", tok.val, tok.where)
        if tok.kind == "-":
            n = self.expect("num")
            if n.val > 1 << 63:
                raise SCPLError("range", n.where, "negative number beyond 64 bits")
            return ("num", (-n.val) & M64, tok.where)
        if tok.kind == "id":
            return ("id", tok.val, tok.where)
        raise SCPLError("parse", tok.where, "expected a constant")


# --------------------------------------------------------------- resolver

def fits(v, w):
    """Constants at width W: 0..2^W-1, or a negative number of W bits."""
    return v < (1 << w) or v >= (1 << 64) - (1 << (w - 1))


class Policy:
    """A parsed policy, resolved per ABI: by_abi[abi][nr] = [(cond, ret)...]."""

    def __init__(self, tables, fields):
        t = self.t = tables
        self.abis = fields.get("arch", ["x86_64"])
        self.default = self.action_on(fields["default_action"], self.abis)
        self.foreign = self.action_on(fields.get("foreign_action", RET["KillProcess"]), self.abis)
        self.landlock = any(k in fields for k in ("filesystem", "network", "scope"))
        self.rules = fields["rules"]
        self.by_abi = {a: {} for a in self.abis}
        for r in self.rules:
            abis = [a for a in self.abis if r.arch is None or a in r.arch]
            if not abis:
                raise SCPLError("name", r.where, "rule arch shares no ABI with the policy")
            nrs = {a: set() for a in abis}
            for kind, x, where in r.sysrefs:
                if kind == "nr":
                    for a in abis:
                        nrs[a].add(x)
                    continue
                # docs/scpl.md: the kernel tables' placeholders
                # (unused<N>, reserved<N>) are no names.
                if re.fullmatch(r"(unused|reserved)[0-9]+", x):
                    raise SCPLError("name", where, "placeholder %s" % x)
                hit = False
                for a in abis:
                    if x in t.sys[a]:
                        nrs[a].add(t.sys[a][x])
                        hit = True
                if not hit:
                    raise SCPLError("name", where, "unknown syscall %s" % x)
            for a in abis:
                if nrs[a]:
                    act = self.action_on(r.action, [a])
                for nr in sorted(nrs[a]):
                    c = True if r.cond is None else self.compile(r.cond, a, nr)
                    self.by_abi[a].setdefault(nr, []).append((c, act))
        if BREAK == "first-match":
            for d in self.by_abi.values():
                for lst in d.values():
                    lst.reverse()

    @staticmethod
    def action_on(spec, abis):
        """An action on the ABIs abis: one whose errno name has a value per
        ABI takes theirs, which must agree (one action, one value)."""
        if not isinstance(spec, tuple):
            return spec
        _, base, vals, where = spec
        got = set(vals[a] for a in abis)
        if None in got:
            raise SCPLError("name", where, "the errno name has no value on an ABI of the action")
        if len(got) > 1:
            raise SCPLError("name", where, "the errno name differs between the action's ABIs")
        return base | got.pop()

    def value(self, cterms, abi):
        v = 0
        for kind, x, where in cterms:
            if kind == "id":
                if self.t.is_errno(x):
                    e = self.t.errno if BREAK == "errno" else self.t.aerrno[abi]
                    if x not in e:
                        raise SCPLError("name", where, "%s has no value on %s" % (x, abi))
                    x = e[x]
                elif x in self.t.consts[abi]:
                    x = self.t.consts[abi][x]
                else:
                    raise SCPLError("name", where, "%s has no value on %s" % (x, abi))
            v |= x
        return v

    def compile(self, c, abi, nr):
        """The condition for one ABI and number, constants cut to width."""
        if c[0] in ("true", "false"):
            return c[0] == "true"
        if c[0] == "not":
            return ("not", self.compile(c[1], abi, nr))
        if c[0] in ("and", "or"):
            return (c[0], [self.compile(x, abi, nr) for x in c[1]])
        _, argi, low, mask, op, const, where = c
        # Argument widths, rules 1 and 2: the parameter's width; low32() at
        # most 32; reg64() the whole register, 64, on every ABI.
        w = self.t.width(abi, nr, argi)
        if low == 32:
            w = min(w, 32)
        elif low == 64:
            w = 64
        full = (1 << w) - 1
        v = self.value(const, abi)
        if not fits(v, w):
            raise SCPLError("range", where, "constant does not fit %d bits (arg%d, nr %d, %s)"
                            % (w, argi, nr, abi))
        m = full
        if mask is not None:
            mv = self.value(mask, abi)
            if low == 32 and not fits(mv, w if LOW32_MASK_AT_W else 32):
                raise SCPLError("range", where, "mask does not fit %d bits in low32() (arg%d, nr %d, %s)"
                                % (w, argi, nr, abi))
            m = mv & full
        if BREAK != "neg":
            v &= full
        return ("cmp", argi, m, op, v)

    def eval(self, arch, nr, args):
        """The return value for seccomp_data (arch, nr, args)."""
        abi = self.t.input_abi(arch, nr)
        if abi is None or abi not in self.by_abi:
            return self.foreign
        for c, ret in self.by_abi[abi].get(nr, ()):
            if c is True or (c is not False and holds(c, args)):
                return ret
        return self.default if BREAK != "default" else self.foreign


def holds(c, args):
    k = c[0]
    if k == "cmp":
        _, argi, m, op, v = c
        x = args[argi] & m
        if op == "==":
            return x == v
        if op == "!=":
            return x != v
        if op == "<":
            return x < v
        if op == "<=":
            return x <= v
        if op == ">":
            return x > v
        return x >= v
    if k == "not":
        x = c[1]
        return not (x if isinstance(x, bool) else holds(x, args))
    if k == "and":
        return all(x if isinstance(x, bool) else holds(x, args) for x in c[1])
    return any(x if isinstance(x, bool) else holds(x, args) for x in c[1])


def read(path, where):
    with open(path, "rb") as fh:
        text = fh.read(MAX_INPUT + 1).decode("latin-1")
    if len(text) > MAX_INPUT:
        raise SCPLError("too_big", where, "file beyond the limit")
    return text


def load(tables, path):
    """Read and resolve the policy in file path (SCPLError if it is bad)."""
    text = read(path, path)
    ctx = {"total": 0, "rules": 0, "cache": {}, "sub": {}}
    p = Parser(tables, lex(text, path), path, [os.path.realpath(path)], ctx)
    return Policy(tables, p.policy())


if __name__ == "__main__":
    # scpl_ref.py TABLES POLICY [arch nr a0..a5]: check a policy, evaluate one input.
    tb = Tables(open(sys.argv[1]).read())
    try:
        pol = load(tb, sys.argv[2])
    except SCPLError as e:
        print("error:", e)
        sys.exit(1)
    if len(sys.argv) > 3:
        nums = [int(x, 0) for x in sys.argv[3:]]
        print("%x" % pol.eval(nums[0], nums[1], (nums[2:] + [0] * 6)[:6]))
    else:
        print("ok")
