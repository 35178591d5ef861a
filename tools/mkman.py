#!/usr/bin/env python3
"""mkman.py - man pages generated from the documents they must agree with.

  mkman.py md DOC.md TEMPLATE > page    the markdown of DOC.md rendered as
                                        roff, at @BODY@ in TEMPLATE
  mkman.py api jitk.h TEMPLATE > page   every declaration of jitk.h with the
                                        comment above it, by section, at @BODY@

jitk-scpl(5) is docs/scpl.md and libjitk(3) is include/jitk.h, so neither
can drift from its source.  The markdown handled is what docs/ uses:
headings, paragraphs, fenced code, "-" and "1." lists, pipe tables, `code`,
**bold**.  Non-ASCII characters become groff's \\[uXXXX] escapes.
"""
import re
import sys


def esc(s):
    """Plain text -> roff text (no requests)."""
    s = s.replace("\\", "\\e").replace("-", "\\-")
    s = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in s)
    return s


def inline(s):
    """Markdown inline markup -> roff fonts."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", s)):
        if i % 2:
            out.append("\\fB" + esc(part[1:-1]) + "\\fR")
        else:
            part = part.replace("\\|", "|")
            part = esc(part)
            part = re.sub(r"\*\*(.+?)\*\*", r"\\fB\1\\fR", part)
            out.append(part)
    return "".join(out)


def line(s):
    """A text line that never starts with a control character."""
    s = s.strip()
    return "\\&" + s if s[:1] in (".", "'") else s


def md(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    para = False
    first_heading = True
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("```"):
            i += 1
            out += [".PP", ".RS 4", ".nf"]
            while i < len(lines) and not lines[i].startswith("```"):
                out.append("\\&" + esc(lines[i]))
                i += 1
            out += [".fi", ".RE"]
            para = False
        elif ln.startswith("#"):
            level = len(ln) - len(ln.lstrip("#"))
            text = ln.lstrip("#").strip()
            if first_heading and level == 1:
                first_heading = False  # the title: NAME says it
            elif level <= 2:
                out.append('.SH "%s"' % esc(text.upper()))
            else:
                out.append('.SS "%s"' % esc(text))
            para = False
        elif ln.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", ln.strip())[1:-1]]
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if re.match(r"^\|[-|: ]+\|$", nxt.strip()):
                i += 1  # a header row and its rule: the rows say enough
            elif not re.match(r"^\|[-|: ]+\|$", ln.strip()):
                out += [".TP", line(inline(cells[0])), line(inline(" ".join(cells[1:])))]
            para = False
        elif re.match(r"^(- |\d+\. )", ln):
            m = re.match(r"^(- |(\d+)\. )(.*)", ln)
            tag = "\\(bu" if m.group(1) == "- " else m.group(2) + "."
            out += [".IP %s 4" % tag, line(inline(m.group(3)))]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                out.append(line(inline(lines[i])))
                i += 1
            continue
        elif not ln.strip():
            para = False
        else:
            if not para:
                out.append(".PP")
                para = True
            out.append(line(inline(ln)))
        i += 1
    return out


def comment_text(c):
    c = re.sub(r"^/\*+|\*+/$", "", c.strip())
    return " ".join(l.strip().lstrip("*").strip() for l in c.split("\n")).strip()


def api(path):
    """Sections (the /* --- name */ banners), each declaration of a
    function, type or macro that has a comment, with that comment."""
    src = open(path, encoding="utf-8").read()
    body = src[src.index('extern "C"'):]
    out = []
    pending = None
    group = []  # the #defines under one comment

    def flush():
        if group:
            out.extend([".TP", ", ".join("\\fB%s\\fR" % esc(n) for n in group[1:]),
                        line(esc(group[0]))])
            del group[:]

    pos = 0
    tok = re.compile(r"/\*.*?\*/|#[^\n]*|[^;{}/#]*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}[^;]*)?;",
                     re.S)
    while pos < len(body):
        m = tok.match(body, pos)
        if not m:
            pos += 1
            continue
        pos = m.end()
        t = m.group(0).strip()
        if t.startswith("#"):
            d = re.match(r"#define (JITK_\w+)[^/]*(/\*.*\*/)?", t)
            if d and d.group(2):
                flush()
                group[:] = [comment_text(d.group(2)), d.group(1)]
                flush()
            elif d and pending:
                group[:] = [pending, d.group(1)]
                pending = None
            elif d and group:
                group.append(d.group(1))
            continue
        flush()
        if t.startswith("/*"):
            banner = re.match(r"/\* -{4,} ([^*]+?) \*/$", t)
            if banner:
                out.append('.SS "%s"' % esc(banner.group(1).strip()))
                pending = None
            else:
                pending = comment_text(t)
            continue
        if not t or t in ("}", ";"):
            continue
        if "jitk" not in t:
            pending = None
            continue
        if "{" in t:
            decl = [l.replace("\t", "    ") for l in t.split("\n")]
        else:
            decl = [" ".join(t.split())]
        decl[0] = "\\fB" + esc(decl[0])
        out += [".PP", ".nf"] + ["\\&" + esc(l) if i else decl[0]
                                 for i, l in enumerate(decl)]
        out[-1] += "\\fR"
        out.append(".fi")
        if pending:
            out += [".RS 4", line(esc(pending)), ".RE"]
        pending = None
    flush()
    return out


def main():
    mode, src, template = sys.argv[1:4]
    body = md(src) if mode == "md" else api(src)
    tpl = open(template, encoding="utf-8").read()
    before, after = tpl.split("@BODY@\n")
    sys.stdout.write(before + "\n".join(body) + "\n" + after)


if __name__ == "__main__":
    main()
