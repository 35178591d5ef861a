/*
 * dot.c - a filter's control flow as a Graphviz digraph (jitk_format_dot).
 *
 * One box per basic block (its instructions as disassembled text, with the
 * comments that name the fields, ABIs and syscalls it tests), one edge per
 * way out: a conditional jump's true edge solid and labelled "T", its false
 * edge dashed and labelled "F", fall-through and `ja` plain.  A block that
 * is a lone `ret #k` becomes one shared oval per return value, coloured by
 * action, so every path to the same answer ends in the same node.  The
 * text printer's facts (disasm.h) are reused: the picture says what
 * `jitk disasm` says.
 */
#include "disasm.h"
#include "insn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A dot string literal body: quotes and backslashes escaped. */
static void dot_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_printf(sb, "\\%c", *s);
		else
			sb_printf(sb, "%c", *s);
	}
}

static const char *ret_colour(uint32_t k)
{
	switch (k & JITK_RET_ACTION_FULL) {
	case JITK_RET_ALLOW: return "palegreen";
	case JITK_RET_LOG: return "khaki";
	case JITK_RET_ERRNO: return "orange";
	case JITK_RET_TRACE:
	case JITK_RET_USER_NOTIF: return "lightblue";
	case JITK_RET_TRAP: return "plum";
	default: return "tomato"; /* kills, and undefined values (kill) */
	}
}

/* The node an edge to instruction t goes to: a block, or the shared oval
 * of a lone `ret #k`. */
static void node_name(const jitk_filter *f, const bool *lone_ret, size_t t, char *buf, size_t cap)
{
	if (lone_ret[t])
		snprintf(buf, cap, "r%08x", f->insns[t].k);
	else
		snprintf(buf, cap, "b%zu", t);
}

jitk_err jitk_format_dot(const jitk_filter *f, const char *name, char **out)
{
	if (!f || !out || f->len == 0)
		return JITK_E_INVAL;
	size_t n = f->len;
	struct dis d;
	jitk_err err = dis_prepare(f, &d);
	if (err)
		return err;
	bool *leader = calloc(n + 1, sizeof *leader), *lone_ret = calloc(n, sizeof *lone_ret);
	if (!leader || !lone_ret) {
		free(leader);
		free(lone_ret);
		dis_free(&d);
		return JITK_E_NOMEM;
	}
	leader[0] = true;
	for (size_t i = 0; i < n; i++) {
		const jitk_insn *in = &f->insns[i];
		if (!d.canon[i])
			continue;
		if (INSN_IS_RET(in->code)) {
			leader[i + 1] = true;
		} else if (INSN_IS_JUMP(in->code)) {
			leader[i + 1] = true;
			if (INSN_IS_COND(in->code)) {
				leader[i + 1 + in->jt] = true;
				leader[i + 1 + in->jf] = true;
			} else {
				leader[i + 1 + in->k] = true;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		lone_ret[i] = leader[i] && leader[i + 1] && d.canon[i] &&
			      insn_op_of(f->insns[i].code) == INSN_RET_K;

	struct strbuf sb = { 0 };
	sb_printf(&sb, "digraph \"");
	dot_escape(&sb, name && *name ? name : "filter");
	sb_printf(&sb, "\" {\n  graph [rankdir=TB];\n"
		       "  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
		       "  edge [fontname=\"monospace\", fontsize=9];\n");
	/* Return ovals, once per value. */
	for (size_t i = 0; i < n; i++) {
		if (!lone_ret[i])
			continue;
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = lone_ret[j] && f->insns[j].k == f->insns[i].k;
		if (dup)
			continue;
		char c[96];
		unsigned abis = 0; /* every ABI reaching a ret of this value */
		for (size_t j = i; j < n; j++)
			if (lone_ret[j] && f->insns[j].k == f->insns[i].k)
				abis |= d.abi[j];
		dis_ret_comment(f->insns[i].k, abis, c, sizeof c);
		sb_printf(&sb, "  r%08x [shape=oval, style=filled, fillcolor=%s, label=\"", f->insns[i].k,
			  ret_colour(f->insns[i].k));
		dot_escape(&sb, c);
		sb_printf(&sb, "\\n0x%08x\"];\n", f->insns[i].k);
	}
	char text[96], cmt[96], to[32], from[32];
	for (size_t b = 0; b < n;) {
		size_t e = b + 1;
		while (e < n && !leader[e])
			e++;
		if (lone_ret[b]) {
			b = e;
			continue;
		}
		snprintf(from, sizeof from, "b%zu", b);
		sb_printf(&sb, "  %s [label=\"L%zu\\l", from, b);
		for (size_t i = b; i < e; i++) {
			dis_insn(f, &d, i, text, sizeof text, cmt, sizeof cmt);
			const jitk_insn *x = &f->insns[i];
			/* A block's closing test is shown as the raw condition
			 * (jeq, jgt, jge, jset), without targets: its edges are
			 * T and F of that condition, never of an inverted jne. */
			if (d.canon[i] && INSN_IS_COND(x->code)) {
				int op = insn_op_of(x->code);
				if (BPF_SRC(x->code) == BPF_X)
					snprintf(text, sizeof text, "%s x", insn_info[op].mnemonic);
				else if (x->k < 4096)
					snprintf(text, sizeof text, "%s #%u", insn_info[op].mnemonic, x->k);
				else
					snprintf(text, sizeof text, "%s #0x%x", insn_info[op].mnemonic, x->k);
			}
			dot_escape(&sb, text);
			if (cmt[0]) {
				sb_printf(&sb, "   ; ");
				dot_escape(&sb, cmt);
			}
			sb_printf(&sb, "\\l");
		}
		sb_printf(&sb, "\"];\n");
		/* The ways out of the block, from its last instruction. */
		size_t last = e - 1;
		const jitk_insn *in = &f->insns[last];
		if (d.canon[last] && INSN_IS_RET(in->code)) {
			/* ends here */
		} else if (d.canon[last] && INSN_IS_COND(in->code)) {
			node_name(f, lone_ret, last + 1 + in->jt, to, sizeof to);
			sb_printf(&sb, "  %s -> %s [label=\"T\"];\n", from, to);
			node_name(f, lone_ret, last + 1 + in->jf, to, sizeof to);
			sb_printf(&sb, "  %s -> %s [label=\"F\", style=dashed];\n", from, to);
		} else if (d.canon[last] && INSN_IS_JUMP(in->code)) {
			node_name(f, lone_ret, last + 1 + in->k, to, sizeof to);
			sb_printf(&sb, "  %s -> %s;\n", from, to);
		} else if (e < n) {
			node_name(f, lone_ret, e, to, sizeof to);
			sb_printf(&sb, "  %s -> %s;\n", from, to);
		}
		b = e;
	}
	sb_printf(&sb, "}\n");
	free(leader);
	free(lone_ret);
	dis_free(&d);
	return sb_finish(&sb, out);
}
