"""scpl_gen.py - a grammar-based generator of SCPL policy texts and inputs.

Seeded (random.Random(seed)): the same seed gives the same texts, so a
failure of tests/oracle/run.py replays with JITK_SEED=<the seed it printed>.
Every construct of docs/scpl.md's grammar is produced: every action with
and without data, every relop, masks, low32(), reg64(), !, &&, ||, parentheses,
true/false, every ABI and alias, policy and rule arch lists, syscalls by
name, number, SYS_ and __NR_, errno and per-ABI named constants, negative,
64-bit and near-width values, includes (nested, relative to the including
file), and every comment form.  About one text in eight is broken on
purpose (an unknown name, a constant that cannot fit its parameter, arg6,
a duplicate field, a lexical error...): the two readers must refuse it
alike.
"""
import os

from scpl_ref import M64

ACTIONS0 = ["Allow", "Kill", "KillProcess", "KillThread", "Log", "Notify"]
RELOPS = ["==", "!=", "<", "<=", ">", ">="]
FOREIGN_ARCH = [0, 0x40000028, 0xC0000028, 0x80000016, 0xC00000F3, 0xFFFFFFFF, 0x3E]


def num_text(r, v):
    """v (0..2^64-1) as decimal, hex or octal."""
    k = r.random()
    if k < 0.4:
        return str(v)
    if k < 0.85 or v == 0:
        return hex(v)
    return "0" + oct(v)[2:]


class Gen:
    def __init__(self, tables, r, workdir):
        self.t, self.r, self.dir = tables, r, workdir
        self.n = 0
        t = tables
        self.names = {a: sorted(t.sys[a]) for a in t.abis}
        self.aliases = {a: [n for n, b in sorted(t.alias.items()) if b == a and n.isidentifier()]
                        for a in t.abis}
        self.errnos = sorted(t.errno)
        # Named constants, for picking: the ones of each ABI.
        self.cnames = {a: sorted(t.consts[a]) for a in t.abis}
        self.incs = self.make_includes()

    # ------------------------------------------------------------ pieces
    def comment(self):
        r = self.r
        k = r.random()
        if k < 0.75:
            return " "
        return r.choice([" # c\n", " // c\n", " (* c *) ", " (* a (* nested *) b *) ", "\n\t"])

    def archname(self, a):
        return self.r.choice([a] + self.aliases[a])

    def arch_list(self, abis):
        if len(abis) == 1 and self.r.random() < 0.4:
            return self.archname(abis[0])
        return "[" + "; ".join(self.archname(a) for a in abis) + "]"

    def action(self):
        r = self.r
        k = r.random()
        if k < 0.45:
            return r.choice(ACTIONS0)
        kind = r.choice(["Trap", "Trace", "Errno"])
        top = 4095 if kind == "Errno" else 0xFFFF
        if kind != "Errno" and r.random() < 0.3:
            return kind
        if kind == "Errno" and r.random() < 0.5:
            return "Errno " + r.choice(self.errnos)
        return "%s %s" % (kind, num_text(r, r.choice([0, 1, top, r.randrange(top + 1)])))

    def sysref(self, abis):
        r = self.r
        if r.random() < 0.12:
            nr = r.choice([0, 1, 2, 39, 60, 231, 0x40000001, 0x40000000 | r.randrange(600),
                           r.randrange(1000), 0x7FFFFFFF])
            return num_text(r, nr), nr
        name = r.choice(self.names[r.choice(abis)])
        return r.choice(["", "", "", "SYS_", "__NR_"]) + name, name

    def widths(self, abis, refs, argi, low):
        """The widths argi is read at over the rule's (ABI, nr) pairs."""
        ws = set()
        for a in abis:
            for text, ref in refs:
                nrs = [ref] if isinstance(ref, int) else (
                    [self.t.sys[a][ref]] if ref in self.t.sys[a] else [])
                for nr in nrs:
                    w = self.t.width(a, nr, argi)
                    ws.add(min(w, 32) if low else w)
        return ws or {64}

    def value(self, w, cabis):
        """A constant that fits width w (the narrowest the compare is read at)."""
        r = self.r
        k = r.random()
        if k < 0.25:
            return num_text(r, r.choice([0, 1, 2, 3, 7, 0x10, 0x1000, r.randrange(256)]))
        if k < 0.45:
            v = r.choice([(1 << w) - 1, (1 << w) - 2, 1 << (w - 1), (1 << (w - 1)) - 1,
                          r.randrange(1 << w)])
            return num_text(r, v)
        if k < 0.6:
            n = r.choice([1, 2, 100, 1 << (w - 1), (1 << (w - 1)) - 1, r.randrange(1, 1 << (w - 1))])
            return "-" + num_text(r, n)
        if k < 0.7:
            return r.choice(self.errnos)
        # A named constant every ABI of the rule defines and that fits there.
        if cabis:
            for _ in range(8):
                name = r.choice(self.cnames[r.choice(cabis)])
                vals = [self.t.consts[a].get(name) for a in cabis]
                if all(v is not None and (v < (1 << w) or v >= (1 << 64) - (1 << (w - 1)))
                       for v in vals):
                    if r.random() < 0.2:
                        return name + " | " + num_text(r, r.randrange(1 << min(w, 8)))
                    return name
        return num_text(r, r.randrange(1 << w))

    def compare(self, abis, refs, cabis):
        r = self.r
        argi = r.randrange(6)
        k = r.random()
        low = k < 0.25
        reg = not low and k < 0.35
        w = 64 if reg else min(self.widths(abis, refs, argi, low))
        ref = "arg%d" % argi
        if low:
            ref = "low32(%s)" % ref
        elif reg:
            ref = "reg64(%s)" % ref
        op = r.choice(RELOPS)
        if r.random() < 0.35:
            mw = 32 if low else 64
            if r.random() < 0.8:
                m = self.value(min(w, mw) if r.random() < 0.7 else mw, cabis)
            else:
                m = num_text(r, r.randrange(1 << mw))
            operand = "(%s & %s)" % (ref, m)
        else:
            operand = ref
        return "%s %s %s" % (operand, op, self.value(w, cabis))

    def cond(self, abis, refs, cabis, depth):
        r = self.r
        k = r.random()
        if depth > 3 or k < 0.4:
            if r.random() < 0.06:
                return r.choice(["true", "false"])
            return self.compare(abis, refs, cabis)
        if k < 0.55:
            return "!" + r.choice(["", " "]) + self.cond(abis, refs, cabis, depth + 1)
        if k < 0.7:
            return "(" + self.cond(abis, refs, cabis, depth + 1) + ")"
        op = r.choice([" && ", " || ", "&&", " ||"])
        n = r.randrange(2, 4)
        return op.join(self.cond(abis, refs, cabis, depth + 1) for _ in range(n))

    def rule(self, pabis):
        r = self.r
        abis = pabis
        fields = []
        if r.random() < 0.2:
            sub = r.sample(pabis, r.randrange(1, len(pabis) + 1))
            extra = [a for a in self.t.abis if a not in pabis]
            if extra and r.random() < 0.3:
                sub.append(r.choice(extra))   # ignored: the policy does not list it
            fields.append("arch = " + self.arch_list(sub))
            abis = [a for a in pabis if a in sub]
        refs = []
        seen = set()
        for _ in range(r.choice([1, 1, 1, 2, 3, 5])):
            ref = self.sysref(abis)
            if ref[0] not in seen:
                seen.add(ref[0])
                refs.append(ref)
        if len(refs) == 1 and r.random() < 0.6:
            sys = refs[0][0]
        else:
            sys = "[" + "; ".join(t for t, _ in refs) + (";" if r.random() < 0.2 else "") + "]"
        fields.append(r.choice(["syscall", "syscalls"]) + " = " + sys)
        fields.append("action = " + self.action())
        if r.random() < 0.7:
            # Constants are looked up on the ABIs where the rule has syscalls.
            cabis = [a for a in abis if any(isinstance(x, int) or x in self.t.sys[a]
                                            for _, x in refs)]
            fields.append("when = " + self.cond(abis, refs, cabis, 0))
        r.shuffle(fields)
        return "{ " + (";" + self.comment()).join(fields) + (";" if r.random() < 0.3 else "") + " }"

    def make_includes(self):
        """inc/a.rules includes b.rules (found relative to inc/)."""
        os.makedirs(os.path.join(self.dir, "inc"), exist_ok=True)
        every = list(self.t.abis)
        b = "[ %s;\n  %s ]\n" % (self.rule(every), self.rule(every))
        a = "(* spliced in place *)\n[ %s; include \"b.rules\"; %s ]\n" % (
            self.rule(every), self.rule(every))
        for name, text in (("a.rules", a), ("b.rules", b)):
            with open(os.path.join(self.dir, "inc", name), "w") as fh:
                fh.write(text)
        return ["include \"inc/a.rules\"", "include \"inc/b.rules\""]

    # ------------------------------------------------------------ policy
    def policy(self):
        """One policy text, and whether it was broken on purpose."""
        r = self.r
        k = r.random()
        if k < 0.55:
            pabis = [r.choice(self.t.abis)]
        else:
            pabis = r.sample(self.t.abis, r.randrange(1, len(self.t.abis) + 1))
        fields = []
        if pabis != ["x86_64"] or r.random() < 0.5:
            fields.append("arch = " + self.arch_list(pabis))
        fields.append("default_action = " + self.action())
        if r.random() < 0.6:
            fields.append("foreign_action = " + self.action())
        items = [self.rule(pabis) for _ in range(r.choice([0, 1, 2, 3, 4, 6, 8, 12]))]
        if r.random() < 0.1:
            items.insert(r.randrange(len(items) + 1), r.choice(self.incs))
        rules = "rules = [" + (";\n    ".join(items)) + (";" if items and r.random() < 0.5 else "") + "]"
        fields.append(rules)
        r.shuffle(fields)
        text = "# generated\n{ " + (";\n  ".join(fields)) + (";" if r.random() < 0.3 else "") + " }\n"
        broken = r.random() < 0.12
        if broken:
            text = self.breakit(text)
        return text, broken

    def breakit(self, text):
        r = self.r
        muts = [("Allow", "Allw"), ("arg", "arg6"), ("syscall", "syscal"), ("= ", "= = "),
                (";", ","), ("}", ""), ("0x", "0x0x"), ("rules", "rules = []; rules"),
                ("default_action", "default_action = Kill; default_action"),
                ("(", "(("), ("arch", "arch = [x86_64; amd64]; arch"), ("==", "== 99999999999999999999 |"),
                ("== ", "== 0x1ffffffffffffffff | "), ("== ", "== 0x100000000 | "),
                ("< ", "< -0x80000001 | "), ("Errno ", "Errno 4096 | "), ("Trap", "Trap 65536 |"),
                ("== ", "== O_NO_SUCH_FLAG | "), ("read", "no_such_call"), ("(*", "(* (*"),
                ("0", "08"), ("1", "1z"), ("low32(", "low32 "), ("reg64(", "reg64 "),
                ("arg", "reg64(arg6) == 1 || arg"),
                ("arch = [", "arch = [x86_64; amd64; "), ("arch = [", "arch = [i386; ia32; ")]
        for _ in range(10):
            a, b = r.choice(muts)
            i = text.find(a, r.randrange(len(text)))
            if i < 0:
                i = text.find(a)
            if i >= 0:
                return text[:i] + b + text[i + len(a):]
        return text + "junk"

    # ------------------------------------------------------------ inputs
    def inputs(self, pol, n):
        """n inputs aimed at pol (a scpl_ref.Policy, or None)."""
        r, t = self.r, self.t
        vals, nrs = [0, 1, M64, 0xFFFFFFFF, 0x80000000, 1 << 32, 0x7FFFFFFF], []
        if pol is not None:
            for a, d in pol.by_abi.items():
                for nr, lst in d.items():
                    nrs.append((a, nr))
                    for c, _ in lst:
                        collect(c, vals)
        vals = list(set(vals))
        out = []
        for _ in range(n):
            k = r.random()
            if nrs and k < 0.75:
                a, nr = r.choice(nrs)
                arch = t.audit[a]
            else:
                a = r.choice(t.abis)
                arch = t.audit[a] if r.random() < 0.85 else r.choice(FOREIGN_ARCH)
                nr = r.choice([-1, 0, 1, 2, 59, 60, 231, 0x3FFFFFFF, 0x40000000, 0x40000002,
                               0x7FFFFFFF, -0x80000000, r.randrange(600)]) | t.nrbase[a]
                nr = ((nr + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)
            args = []
            for _ in range(6):
                v = r.choice(vals)
                j = r.random()
                if j < 0.25:
                    v = (v + r.choice([1, -1])) & M64
                elif j < 0.45:
                    v = (v & 0xFFFFFFFF) | (r.choice([0xFFFFFFFF, 0xDEADBEEF, 1, 0x80000000]) << 32)
                elif j < 0.5:
                    v = r.getrandbits(64)
                elif j < 0.55:
                    v = v & 0xFFFF | (r.getrandbits(48) << 16)
                args.append(v)
            out.append((arch, nr, args))
        return out


def collect(c, vals):
    """The constants and masks of a compiled condition, and their neighbours."""
    if isinstance(c, bool):
        return
    if c[0] == "cmp":
        _, _, m, _, v = c
        vals.extend([v, m, v | ~m & M64, v ^ 1])
        return
    if c[0] == "not":
        collect(c[1], vals)
        return
    for x in c[1]:
        collect(x, vals)
