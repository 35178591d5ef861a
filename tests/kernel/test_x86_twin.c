/* test_x86_twin.c - the x86-64 semantics (trusted/smt_x86.c) against the
 * CPU.
 *
 * The per-image proof is only as good as the meaning smt_x86 gives each
 * instruction.  This test is its twin discipline (as test_interp_kernel is
 * for the interpreter against the kernel): random straight-line and
 * forward-branching sequences of the decoder's subset -- every form the
 * JIT emits, with random registers, immediates, imm8 sign extension, shift
 * counts 0..31, unaligned context reads, a stack frame, guarded div, jcc and
 * cmov on the flags of every flag-setting instruction, early returns --
 * are run natively and through the semantics evaluated concretely, on many
 * inputs each; every result must agree.
 *
 * Concrete evaluation: the term smt_x86 builds for a sequence (over a
 * symbolic input) is compiled once into a flat program of Z3's own
 * operators (bvadd, bvudiv, extract, ite, ...) and that program is run on
 * each input, which is fast enough for millions of cases.  That evaluator
 * is itself checked against Z3 (substitute the input and simplify to a
 * numeral) on the first input of every fourth sequence, so a mistake in it cannot
 * hide a mistake in the semantics.
 *
 * JITK_SEED replays, JITK_TEST_SCALE scales the count (default 1,000,000
 * cases: 4,000 sequences x 250 inputs). */
#include "testlib.h"
#include "jit_check.h"
#include "smt.h"
#include "smt_x86.h"
#include "z3test.h"

#include <sys/mman.h>
#include <time.h>

/* ------------------------------------------------------------ generator */

enum { EAX = 0, ECX = 1, EDX = 2, ESI = 6 };
static const uint8_t regs[4] = { EAX, ECX, EDX, ESI };

#define MAXI 160 /* instructions per sequence */

struct ins {
	uint8_t b[8];
	unsigned len;
	int target; /* branch: the unit it goes to (its first instruction), else -1 */
	bool rel8;
};

struct seq {
	struct ins in[MAXI];
	unsigned n;
	unsigned frame;           /* bytes, 0: none */
	bool flags;               /* flags defined at the end of what is generated */
	unsigned unit;            /* units generated so far */
	unsigned first[MAXI + 1]; /* first instruction of each unit */
	bool is_target[MAXI + 1]; /* some branch goes to unit u */
};

static uint8_t modrm(unsigned mod, unsigned reg, unsigned rm)
{
	return (uint8_t)(mod << 6 | reg << 3 | rm);
}

static struct ins *emit(struct seq *s, unsigned len, ...)
{
	struct ins *x = &s->in[s->n++];
	*x = (struct ins){ .len = len, .target = -1 };
	va_list ap;
	va_start(ap, len);
	for (unsigned i = 0; i < len; i++)
		x->b[i] = (uint8_t)va_arg(ap, int);
	va_end(ap);
	return x;
}

static void emit_imm(struct seq *s, unsigned len, const uint8_t *pre, unsigned npre, uint32_t imm)
{
	struct ins *x = &s->in[s->n++];
	*x = (struct ins){ .len = len, .target = -1 };
	memcpy(x->b, pre, npre);
	for (unsigned i = npre; i < len; i++)
		x->b[i] = (uint8_t)(imm >> (8 * (i - npre)));
}

static uint32_t some_imm(rng_t *r)
{
	static const uint32_t edges[] = { 0,           1,           2,          31,         32,
					  0x7f,        0x80,        0xff,       0x7fffffff, 0x80000000u,
					  0xfffffffeu, 0xffffffffu, 0xffffff80u };
	switch (rng_below(r, 3)) {
	case 0: return edges[rng_below(r, sizeof edges / sizeof edges[0])];
	case 1: return rng_below(r, 300);
	default: return rng_u32(r);
	}
}

static unsigned rreg(rng_t *r)
{
	return regs[rng_below(r, 4)];
}

/* A branch to a later instruction; its target is fixed when generated. */
static void branch(struct seq *s, rng_t *r, int cc, unsigned remaining)
{
	unsigned ahead = 1 + rng_below(r, remaining < 6 ? remaining : 6);
	bool rel8 = rng_below(r, 3) != 0;
	struct ins *x;
	if (cc < 0)
		x = rel8 ? emit(s, 2, 0xeb, 0) : emit(s, 5, 0xe9, 0, 0, 0, 0);
	else
		x = rel8 ? emit(s, 2, 0x70 | cc, 0) : emit(s, 6, 0x0f, 0x80 | cc, 0, 0, 0, 0);
	x->rel8 = rel8;
	x->target = (int)(s->unit + ahead);
	if (x->target <= MAXI)
		s->is_target[x->target] = true;
}

static void gen_exit(struct seq *s)
{
	if (s->frame)
		emit(s, 4, 0x48, 0x83, 0xc4, s->frame);
	emit(s, 1, 0xc3);
}

/* One random unit at the end of s (a few instructions that stay
 * together); `remaining` units may follow before the epilogue. */
static void gen_unit(struct seq *s, rng_t *r, unsigned remaining)
{
	s->first[s->unit] = s->n;
	if (s->is_target[s->unit])
		s->flags = false; /* paths meet: the generator forgets the flags */
	unsigned a = rreg(r), b = rreg(r);
	uint32_t k = some_imm(r);
	switch (rng_below(r, 22)) {
	case 0: { /* mov r, imm32 */
		uint8_t pre[1] = { (uint8_t)(0xb8 + a) };
		emit_imm(s, 5, pre, 1, k);
		break;
	}
	case 1: { /* add/or/and/sub/xor/cmp/test/mov r, r */
		static const uint8_t ops[] = { 0x01, 0x09, 0x21, 0x29, 0x31, 0x39, 0x85, 0x89 };
		uint8_t op = ops[rng_below(r, 8)];
		emit(s, 2, op, modrm(3, b, a));
		if (op != 0x89)
			s->flags = true;
		break;
	}
	case 2:
	case 3: { /* 81 /0,1,4,5,6,7 r, imm32 */
		static const uint8_t dig[] = { 0, 1, 4, 5, 6, 7 };
		uint8_t pre[2] = { 0x81, modrm(3, dig[rng_below(r, 6)], a) };
		emit_imm(s, 6, pre, 2, k);
		s->flags = true;
		break;
	}
	case 4: /* cmp r, imm8 (sign-extended) */
		emit(s, 3, 0x83, modrm(3, 7, a), (int)rng_below(r, 256));
		s->flags = true;
		break;
	case 5: { /* test r, imm32 */
		uint8_t pre[2] = { 0xf7, modrm(3, 0, a) };
		emit_imm(s, 6, pre, 2, k);
		s->flags = true;
		break;
	}
	case 6: /* neg r */
		emit(s, 2, 0xf7, modrm(3, 3, a));
		s->flags = true;
		break;
	case 7: { /* imul r, r, imm32 */
		uint8_t pre[2] = { 0x69, modrm(3, a, b) };
		emit_imm(s, 6, pre, 2, k);
		s->flags = false;
		break;
	}
	case 8: /* imul r, r */
		emit(s, 3, 0x0f, 0xaf, modrm(3, a, b));
		s->flags = false;
		break;
	case 9: { /* shl/shr r, imm8 (count 0 keeps the flags) */
		unsigned cnt = rng_below(r, 32);
		emit(s, 3, 0xc1, modrm(3, rng_below(r, 2) ? 4 : 5, a), (int)cnt);
		if (cnt)
			s->flags = true;
		break;
	}
	case 10: /* shl/shr r, cl */
		emit(s, 2, 0xd3, modrm(3, rng_below(r, 2) ? 4 : 5, a));
		s->flags = false;
		break;
	case 11: /* mov r, [rdi + d8], any d8 with d8 + 4 <= 64 */
		emit(s, 3, 0x8b, modrm(1, a, 7), (int)rng_below(r, 61));
		break;
	case 12: /* mov r, [rsp + 4i] / mov [rsp + 4i], r */
		if (!s->frame)
			break;
		emit(s, 4, rng_below(r, 2) ? 0x8b : 0x89, modrm(1, a, 4), 0x24,
		     (int)(4 * rng_below(r, s->frame / 4)));
		break;
	case 13: { /* div by a nonzero constant: mov R, k != 0; xor edx, edx; div R */
		static const uint8_t dv[] = { EAX, ECX, ESI };
		unsigned d = dv[rng_below(r, 3)];
		uint8_t pre[1] = { (uint8_t)(0xb8 + d) };
		emit_imm(s, 5, pre, 1, k ? k : 7);
		emit(s, 2, 0x31, modrm(3, EDX, EDX));
		emit(s, 2, 0xf7, modrm(3, 6, d));
		s->flags = false;
		break;
	}
	case 14: { /* div ecx guarded: xor edx, edx; test ecx, ecx; je over; div ecx */
		emit(s, 2, 0x31, modrm(3, EDX, EDX));
		emit(s, 2, 0x85, modrm(3, ECX, ECX));
		struct ins *j = emit(s, 2, 0x74, 0);
		j->rel8 = true;
		j->target = (int)s->unit + 1; /* the next unit, after the div */
		s->is_target[j->target] = true;
		emit(s, 2, 0xf7, modrm(3, 6, ECX));
		s->flags = false;
		break;
	}
	case 15:
	case 16: /* jcc */
		if (s->flags && remaining > 0)
			branch(s, r, 2 + (int)rng_below(r, 6), remaining);
		break;
	case 17: /* jmp */
		if (remaining > 0)
			branch(s, r, -1, remaining);
		break;
	case 18:
	case 19: /* cmovcc r, r */
		if (s->flags)
			emit(s, 3, 0x0f, 0x42 + rng_below(r, 6), modrm(3, a, b));
		break;
	case 20: /* an early return (reached only through branches after it) */
		if (rng_below(r, 3) == 0)
			gen_exit(s);
		break;
	default: /* xor r, r (the zeroing idiom) */
		emit(s, 2, 0x31, modrm(3, a, a));
		s->flags = true;
		break;
	}
}

/* A whole sequence; returns its byte length in code[]. */
static size_t gen_seq(rng_t *r, uint8_t *code, size_t cap)
{
	static struct seq s;
	memset(&s, 0, sizeof s);
	s.frame = rng_below(r, 3) ? 4 * (1 + rng_below(r, 31)) : 0;
	if (s.frame)
		emit(&s, 4, 0x48, 0x83, 0xec, s.frame);
	/* every register from the input or a constant, every cell written */
	for (unsigned i = 0; i < 4; i++) {
		if (rng_below(r, 4)) {
			emit(&s, 3, 0x8b, modrm(1, regs[i], 7), (int)rng_below(r, 61));
		} else {
			uint8_t pre[1] = { (uint8_t)(0xb8 + regs[i]) };
			emit_imm(&s, 5, pre, 1, some_imm(r));
		}
	}
	for (unsigned c = 0; c < s.frame / 4; c++)
		emit(&s, 4, 0x89, modrm(1, rreg(r), 4), 0x24, (int)(4 * c));
	unsigned units = 4 + rng_below(r, 28);
	for (unsigned u = 0; u < units && s.n + 12 < MAXI; u++) {
		gen_unit(&s, r, units - u);
		s.unit++;
	}
	/* epilogue: fold every register into eax, then return */
	unsigned epi = s.n;
	s.first[s.unit] = epi;
	for (unsigned i = 1; i < 4; i++) {
		uint8_t pre[2] = { 0x69, modrm(3, EAX, EAX) };
		emit_imm(&s, 6, pre, 2, 0x9e3779b1u);
		emit(&s, 2, 0x01, modrm(3, regs[i], EAX));
	}
	gen_exit(&s);
	/* layout: branch targets past the end go to the epilogue */
	size_t pos[MAXI + 1], p = 0;
	for (unsigned i = 0; i < s.n; i++) {
		if (s.in[i].target > (int)s.unit)
			s.in[i].target = (int)s.unit;
		if (s.in[i].target >= 0)
			s.in[i].target = (int)s.first[s.in[i].target];
		pos[i] = p;
		p += s.in[i].len;
	}
	pos[s.n] = p;
	assert_true(p <= cap);
	for (unsigned i = 0; i < s.n; i++) {
		struct ins *x = &s.in[i];
		if (x->target >= 0) {
			int64_t disp = (int64_t)pos[x->target] - (int64_t)(pos[i] + x->len);
			if (x->rel8) {
				assert_true(disp >= 0 && disp <= 127);
				x->b[x->len - 1] = (uint8_t)disp;
			} else {
				uint32_t d = (uint32_t)disp;
				memcpy(x->b + x->len - 4, &d, 4);
			}
		}
		memcpy(code + pos[i], x->b, x->len);
	}
	return p;
}

/* -------------------------------------------- concrete evaluation of terms */

enum eop { E_NUM, E_VAR, E_BV2, E_BV1, E_CMP, E_EQ, E_ITE, E_AND, E_OR, E_NOT, E_EXTRACT, E_CONCAT };

struct enode {
	enum eop op;
	Z3_decl_kind k;
	unsigned width;   /* bits of the result (1 for booleans) */
	uint32_t a, b, c; /* operand node indices */
	unsigned hi, lo;  /* extract */
	uint64_t v;       /* E_NUM value; E_VAR index into the variables */
};

struct eprog {
	struct enode *n;
	size_t len, cap;
	/* Z3 AST id -> node index + 1 */
	uint32_t *map;
	size_t mapcap;
	Z3_ast vars[SMT_NWORDS + SMT_X86_NREGS + SMT_X86_NCELLS];
	size_t nvars;
};

static uint64_t mask(unsigned w)
{
	return w >= 64 ? ~0ull : (1ull << w) - 1;
}

static uint32_t compile(Z3_context c, struct eprog *e, Z3_ast t);

static uint32_t add_node(struct eprog *e, struct enode nd)
{
	if (e->len == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 1024;
		e->n = realloc(e->n, e->cap * sizeof *e->n);
		assert_non_null(e->n);
	}
	e->n[e->len] = nd;
	return (uint32_t)e->len++;
}

static uint32_t compile(Z3_context c, struct eprog *e, Z3_ast t)
{
	unsigned id = Z3_get_ast_id(c, t);
	if (id >= e->mapcap) {
		size_t nc = e->mapcap ? e->mapcap : 4096;
		while (nc <= id)
			nc *= 2;
		e->map = realloc(e->map, nc * sizeof *e->map);
		assert_non_null(e->map);
		memset(e->map + e->mapcap, 0, (nc - e->mapcap) * sizeof *e->map);
		e->mapcap = nc;
	}
	if (e->map[id])
		return e->map[id] - 1;
	Z3_sort s = Z3_get_sort(c, t);
	unsigned w = Z3_get_sort_kind(c, s) == Z3_BV_SORT ? Z3_get_bv_sort_size(c, s) : 1;
	struct enode nd = { .width = w };
	if (Z3_get_ast_kind(c, t) == Z3_NUMERAL_AST) {
		uint64_t v = 0;
		assert_true(Z3_get_numeral_uint64(c, t, &v));
		nd.op = E_NUM;
		nd.v = v;
	} else {
		assert_int_equal(Z3_get_ast_kind(c, t), Z3_APP_AST);
		Z3_app app = Z3_to_app(c, t);
		Z3_func_decl f = Z3_get_app_decl(c, app);
		Z3_decl_kind k = Z3_get_decl_kind(c, f);
		unsigned na = Z3_get_app_num_args(c, app);
		uint32_t arg[3] = { 0, 0, 0 };
		if (k != Z3_OP_AND && k != Z3_OP_OR)
			for (unsigned i = 0; i < na && i < 3; i++)
				arg[i] = compile(c, e, Z3_get_app_arg(c, app, i));
		nd.k = k;
		nd.a = arg[0];
		nd.b = arg[1];
		nd.c = arg[2];
		switch (k) {
		case Z3_OP_TRUE:
			nd.op = E_NUM;
			nd.v = 1;
			break;
		case Z3_OP_FALSE:
			nd.op = E_NUM;
			nd.v = 0;
			break;
		case Z3_OP_UNINTERPRETED: {
			assert_int_equal(na, 0);
			size_t i = 0;
			while (i < e->nvars && !Z3_is_eq_ast(c, e->vars[i], t))
				i++;
			assert_true(i < e->nvars);
			nd.op = E_VAR;
			nd.v = i;
			break;
		}
		case Z3_OP_BADD:
		case Z3_OP_BSUB:
		case Z3_OP_BMUL:
		case Z3_OP_BAND:
		case Z3_OP_BOR:
		case Z3_OP_BXOR:
		case Z3_OP_BSHL:
		case Z3_OP_BLSHR:
		case Z3_OP_BUDIV:
		case Z3_OP_BUREM:
		case Z3_OP_BUDIV_I:
		case Z3_OP_BUREM_I:
			assert_int_equal(na, 2);
			nd.op = E_BV2;
			break;
		case Z3_OP_BNEG:
		case Z3_OP_BNOT: nd.op = E_BV1; break;
		case Z3_OP_ULT:
		case Z3_OP_ULEQ:
		case Z3_OP_UGT:
		case Z3_OP_UGEQ: nd.op = E_CMP; break;
		case Z3_OP_EQ: nd.op = E_EQ; break;
		case Z3_OP_ITE: nd.op = E_ITE; break;
		case Z3_OP_NOT: nd.op = E_NOT; break;
		case Z3_OP_EXTRACT:
			nd.op = E_EXTRACT;
			nd.hi = (unsigned)Z3_get_decl_int_parameter(c, f, 0);
			nd.lo = (unsigned)Z3_get_decl_int_parameter(c, f, 1);
			break;
		case Z3_OP_CONCAT:
			assert_int_equal(na, 2);
			nd.op = E_CONCAT;
			break;
		case Z3_OP_AND:
		case Z3_OP_OR: {
			/* n-ary: fold into a chain of binary nodes */
			uint32_t acc = compile(c, e, Z3_get_app_arg(c, app, 0));
			for (unsigned i = 1; i < na; i++) {
				uint32_t nx = compile(c, e, Z3_get_app_arg(c, app, i));
				acc = add_node(e, (struct enode){ .op = k == Z3_OP_AND ? E_AND : E_OR,
								  .width = 1,
								  .a = acc,
								  .b = nx });
			}
			e->map[id] = acc + 1;
			return acc;
		}
		default: fail_msg("evaluator: Z3 operator %d not handled", (int)k);
		}
	}
	uint32_t ix = add_node(e, nd);
	e->map[id] = ix + 1;
	return ix;
}

/* Run the program on variable values var[]; returns node `root`'s value. */
static uint64_t run_prog(const struct eprog *e, const uint64_t *var, uint64_t *val, uint32_t root)
{
	for (size_t i = 0; i <= root; i++) {
		const struct enode *nd = &e->n[i];
		uint64_t m = mask(nd->width), x = val[nd->a], y = val[nd->b], r = 0;
		switch (nd->op) {
		case E_NUM: r = nd->v; break;
		case E_VAR: r = var[nd->v]; break;
		case E_BV2:
			switch (nd->k) {
			case Z3_OP_BADD: r = x + y; break;
			case Z3_OP_BSUB: r = x - y; break;
			case Z3_OP_BMUL: r = x * y; break;
			case Z3_OP_BAND: r = x & y; break;
			case Z3_OP_BOR: r = x | y; break;
			case Z3_OP_BXOR: r = x ^ y; break;
			case Z3_OP_BSHL: r = y >= nd->width ? 0 : x << y; break;
			case Z3_OP_BLSHR: r = y >= nd->width ? 0 : x >> y; break;
			/* SMT-LIB: x / 0 is all ones, x % 0 is x */
			case Z3_OP_BUDIV:
			case Z3_OP_BUDIV_I: r = y ? x / y : m; break;
			default: r = y ? x % y : x; break;
			}
			break;
		case E_BV1: r = nd->k == Z3_OP_BNEG ? 0 - x : ~x; break;
		case E_CMP:
			switch (nd->k) {
			case Z3_OP_ULT: r = x < y; break;
			case Z3_OP_ULEQ: r = x <= y; break;
			case Z3_OP_UGT: r = x > y; break;
			default: r = x >= y; break;
			}
			break;
		case E_EQ: r = x == y; break;
		case E_ITE: r = x ? y : val[nd->c]; break;
		case E_AND: r = x && y; break;
		case E_OR: r = x || y; break;
		case E_NOT: r = !x; break;
		case E_EXTRACT: r = x >> nd->lo; break;
		case E_CONCAT: r = x << e->n[nd->b].width | y; break;
		}
		val[i] = r & m;
	}
	return val[root];
}

/* ------------------------------------------------------------ the test */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void random_input(rng_t *r, uint32_t w[SMT_NWORDS])
{
	for (unsigned i = 0; i < SMT_NWORDS; i++)
		w[i] = some_imm(r);
}

static void cpu_vs_semantics(void **state)
{
	(void)state;
	rng_t r;
	uint64_t seed = test_seed(0x7817);
	rng_seed(&r, seed);
	unsigned long nseq = test_scaled(4000), per = 250;
	unsigned long cases = 0, checked_z3 = 0, bad = 0, branches = 0;
	size_t maplen = 4096;
	uint8_t *mem = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	uint64_t *val = NULL;
	size_t valcap = 0;
	double t0 = now();
	/* One context for a batch of sequences: creating one costs more than
	 * building a sequence's term. */
	Z3_context c = NULL;
	for (unsigned long it = 0; it < nseq; it++) {
		uint8_t code[MAXI * 8];
		size_t len = gen_seq(&r, code, sizeof code);
		for (size_t i = 0; i + 1 < len; i++)
			branches += code[i] == 0xeb || (code[i] >= 0x72 && code[i] <= 0x77);

		if (it % 200 == 0) {
			if (c)
				Z3_del_context(c);
			c = z3test_ctx();
		}
		struct smt_input in;
		smt_input_init(c, &in);
		struct smt_x86 x;
		jitk_diag d;
		if (smt_x86(c, code, len, &in, &x, &d) != JITK_OK)
			fail_msg("sequence %lu refused by the semantics: %s", it, d.msg);
		struct eprog e = { 0 };
		for (unsigned i = 0; i < SMT_NWORDS; i++)
			e.vars[e.nvars++] = in.w[i];
		for (unsigned i = 0; i < SMT_X86_NREGS + SMT_X86_NCELLS; i++)
			e.vars[e.nvars++] = x.init[i];
		uint32_t rret = compile(c, &e, x.ret), rfault = compile(c, &e, x.fault);
		uint32_t root = rret > rfault ? rret : rfault;
		if (valcap < e.len) {
			valcap = e.len;
			uint64_t *grown = realloc(val, valcap * sizeof *val);
			assert_non_null(grown);
			val = grown;
		}

		/* the code, executable */
		assert_int_equal(mprotect(mem, maplen, PROT_READ | PROT_WRITE), 0);
		memcpy(mem, code, len);
		assert_int_equal(mprotect(mem, maplen, PROT_READ | PROT_EXEC), 0);
		uint32_t (*fn)(const struct seccomp_data *);
		memcpy(&fn, &mem, sizeof fn);

		for (unsigned long k = 0; k < per; k++) {
			uint32_t w[SMT_NWORDS];
			random_input(&r, w);
			struct seccomp_data sd;
			smt_data_of(w, &sd);
			uint64_t var[SMT_NWORDS + SMT_X86_NREGS + SMT_X86_NCELLS] = { 0 };
			for (unsigned i = 0; i < SMT_NWORDS; i++)
				var[i] = w[i];
			run_prog(&e, var, val, root);
			uint32_t sem = (uint32_t)val[rret];
			if (val[rfault])
				fail_msg("sequence %lu: the semantics says it faults", it);
			if (k == 0 && it % 4 == 0) { /* the evaluator against Z3 itself */
				uint32_t z = z3test_eval(c, x.ret, &in, w);
				if (z != sem)
					fail_msg("sequence %lu: evaluator 0x%08x, Z3 0x%08x", it, sem, z);
				checked_z3++;
			}
			uint32_t cpu = fn(&sd);
			cases++;
			if (cpu != sem && bad++ < 3) {
				fprintf(stderr, "MISMATCH seq %lu: cpu 0x%08x semantics 0x%08x\ncode:", it,
					cpu, sem);
				for (size_t i = 0; i < len; i++)
					fprintf(stderr, " %02x", code[i]);
				fprintf(stderr, "\ninput:");
				for (unsigned i = 0; i < SMT_NWORDS; i++)
					fprintf(stderr, " %08x", w[i]);
				fprintf(stderr, "\n");
			}
		}
		free(e.n);
		free(e.map);
	}
	if (c)
		Z3_del_context(c);
	free(val);
	munmap(mem, maplen);
	print_message("x86 twin: seed 0x%llx, %lu sequences, %lu cases (CPU vs semantics), "
		      "%lu checked against Z3, %lu branches, %lu mismatches, %.1fs\n",
		      (unsigned long long)seed, nseq, cases, checked_z3, branches, bad, now() - t0);
	assert_int_equal(bad, 0);
}

int main(void)
{
#if !defined(__x86_64__)
	print_message("x86 twin: not an x86-64 host; skipped\n");
	return 0;
#endif
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpu_vs_semantics),
	};
	return cmocka_run_group_tests_name("x86_twin", tests, NULL, NULL);
}
