/* test_asm.c - the assembler, the disassembler and the C printer.
 *
 * The assembler is checked against the instruction table (every row from
 * its documented syntax), against the kernel (the paper's listing installed
 * in a forked child) and against the reference interpreter; long jumps by
 * following every branch of random programs through their trampolines;
 * errors by exact file:line:col; the printers by jitk_asm(jitk_disasm(p))
 * == p on random programs (junk included) and by compiling the C output. */
#include "testlib.h"
#include "insn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char paper_listing[] = "ld [0]                       ; load syscall number\n"
				    "jeq #SYS_open, L1, L2\n"
				    "L1: ret #RET_ERRNO|#EACCES   ; deny open() with errno = EACCES\n"
				    "L2: jeq #SYS_getpid, L3, L4\n"
				    "L3: ret #RET_ALLOW           ; allow getpid()\n"
				    "L4: jeq #SYS_gettimeofday, L5, L6\n"
				    "L5: ret #RET_ALLOW           ; allow gettimeofday()\n"
				    "L6: ret #RET_KILL            ; default: kill current process\n";

/* Assemble or fail the test, printing the diagnostic. */
static jitk_filter *asm_ok(const char *text)
{
	jitk_filter *f = NULL;
	jitk_diag d;
	jitk_err err = jitk_asm(text, strlen(text), "t.s", &f, &d);
	if (err != JITK_OK)
		print_error("asm failed: %s:%u:%u: %s (%s)\n--\n%s\n--\n", d.file, d.line, d.col, d.msg,
			    d.hint, text);
	assert_int_equal(err, JITK_OK);
	assert_non_null(f);
	return f;
}

/* A growable text buffer for generated programs. */
struct tbuf {
	char *s;
	size_t len, cap;
};

static void tb_printf(struct tbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_printf(struct tbuf *t, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if (t->s && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap ? t->cap * 2 : 1024;
		while (cap - t->len <= (size_t)n)
			cap *= 2;
		t->s = realloc(t->s, cap);
		assert_non_null(t->s);
		t->cap = cap;
	}
}

/* ------------------------------------------------------- the paper listing */

static void paper_listing_encodes(void **state)
{
	(void)state;
	jitk_filter *f = asm_ok(paper_listing);
	const jitk_insn want[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, __NR_open },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | EACCES },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, __NR_getpid },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, __NR_gettimeofday },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW },
		/* RET_KILL is the kernel header's SECCOMP_RET_KILL (= KILL_THREAD, 0). */
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL },
	};
	jitk_filter *g = TEST_FILTER(want[0], want[1], want[2], want[3], want[4], want[5], want[6], want[7]);
	assert_true(jitk_filter_equal(f, g));
	assert_int_equal(jitk_check(f, NULL), JITK_OK);
	jitk_filter_free(f);
	jitk_filter_free(g);
}

/* The listing does what its comments say, by the reference interpreter. */
static void paper_listing_interp(void **state)
{
	(void)state;
	jitk_filter *f = asm_ok(paper_listing);
	const struct {
		int nr;
		uint32_t ret;
	} cases[] = {
		{ __NR_open, JITK_RET_ERRNO | EACCES }, { __NR_getpid, JITK_RET_ALLOW },
		{ __NR_gettimeofday, JITK_RET_ALLOW },  { __NR_read, JITK_RET_KILL_THREAD },
		{ __NR_openat, JITK_RET_KILL_THREAD },  { 100000, JITK_RET_KILL_THREAD },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct seccomp_data in = { .nr = cases[i].nr, .arch = AUDIT_ARCH_X86_64 };
		jitk_result r;
		jitk_err err = jitk_interp(f, &in, &r);
		if (err == JITK_E_UNSUPPORTED) {
			jitk_filter_free(f);
			skip(); /* the interpreter is not written yet */
		}
		assert_int_equal(err, JITK_OK);
		assert_int_equal(r.ret, cases[i].ret);
	}
	jitk_filter_free(f);
}

/* The listing installed in the real kernel: open fails with EACCES, getpid
 * and gettimeofday run, anything else kills the (single-threaded) child
 * with SIGSYS.  Results travel through shared memory, since after the
 * filter the child cannot even write(2). */
static void paper_listing_in_kernel(void **state)
{
	(void)state;
	jitk_filter *f = asm_ok(paper_listing);
	struct sock_fprog prog = { .len = (unsigned short)jitk_filter_len(f),
				   .filter = (struct sock_filter *)jitk_filter_insns(f) };
	volatile long *shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(shm != MAP_FAILED);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(10);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(11);
		shm[0] = syscall(SYS_getpid);
		errno = 0;
		shm[1] = syscall(SYS_open, "/", O_RDONLY);
		shm[2] = errno;
		struct timeval tv;
		shm[3] = syscall(SYS_gettimeofday, &tv, NULL);
		shm[4] = 1;
		syscall(SYS_getppid); /* default action: killed here */
		shm[5] = 1;
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	assert_int_equal(shm[0], pid);
	assert_int_equal(shm[1], -1);
	assert_int_equal(shm[2], EACCES);
	assert_int_equal(shm[3], 0);
	assert_int_equal(shm[4], 1);
	assert_int_equal(shm[5], 0);
	munmap((void *)shm, 4096);
	jitk_filter_free(f);
}

/* --------------------------------------------------------------- syntax */

/* Every row of the instruction table, written in its documented syntax. */
static void every_table_row_assembles(void **state)
{
	(void)state;
	for (int op = 0; op < INSN__COUNT; op++) {
		const struct insn_info *ii = &insn_info[op];
		char text[256];
		jitk_insn want = { ii->code, 0, 0, 0 };
		const char *tail = "\nret #1\nT: ret #2\nF: ret #3\n";
		switch (ii->opnd) {
		case OPND_NONE: snprintf(text, sizeof text, "%s\n", ii->mnemonic); break;
		case OPND_IMM:
			snprintf(text, sizeof text, "%s #1234\n", ii->mnemonic);
			want.k = 1234;
			break;
		case OPND_X: snprintf(text, sizeof text, "%s x\n", ii->mnemonic); break;
		case OPND_A: snprintf(text, sizeof text, "%s a\n", ii->mnemonic); break;
		case OPND_ABS:
			snprintf(text, sizeof text, "%s [12]\n", ii->mnemonic);
			want.k = 12;
			break;
		case OPND_IND:
			snprintf(text, sizeof text, "%s [x + 7]\n", ii->mnemonic);
			want.k = 7;
			break;
		case OPND_MEM:
			snprintf(text, sizeof text, "%s M[5]\n", ii->mnemonic);
			want.k = 5;
			break;
		case OPND_LEN: snprintf(text, sizeof text, "%s #len\n", ii->mnemonic); break;
		case OPND_MSH:
			snprintf(text, sizeof text, "%s 4*([14]&0xf)\n", ii->mnemonic);
			want.k = 14;
			break;
		case OPND_JA:
			snprintf(text, sizeof text, "%s F%s", ii->mnemonic, tail);
			want.k = 2;
			break;
		case OPND_JK:
			snprintf(text, sizeof text, "%s #9, T, F%s", ii->mnemonic, tail);
			want = (jitk_insn){ ii->code, 1, 2, 9 };
			break;
		case OPND_JX:
			snprintf(text, sizeof text, "%s x, T, F%s", ii->mnemonic, tail);
			want = (jitk_insn){ ii->code, 1, 2, 0 };
			break;
		}
		jitk_filter *f = asm_ok(text);
		const jitk_insn *got = jitk_filter_insns(f);
		if (memcmp(got, &want, sizeof want) != 0)
			fail_msg("%s: got %04x %u %u %x", ii->name, got->code, got->jt, got->jf, got->k);
		jitk_filter_free(f);
	}
}

/* Assemble text and compare with the expected instructions. */
static void expect_insns(const char *text, const jitk_insn *want, size_t n)
{
	jitk_filter *f = asm_ok(text);
	if (jitk_filter_len(f) != n)
		fail_msg("length %zu, want %zu for:\n%s", jitk_filter_len(f), n, text);
	for (size_t i = 0; i < n; i++) {
		const jitk_insn *g = &jitk_filter_insns(f)[i];
		if (memcmp(g, &want[i], sizeof *g) != 0)
			fail_msg("insn %zu: got {%#x,%u,%u,%#x} want {%#x,%u,%u,%#x} for:\n%s", i, g->code,
				 g->jt, g->jf, g->k, want[i].code, want[i].jt, want[i].jf, want[i].k, text);
	}
	jitk_filter_free(f);
}
#define EXPECT(text, ...)                                      \
	expect_insns(text, (const jitk_insn[]){ __VA_ARGS__ }, \
		     sizeof((const jitk_insn[]){ __VA_ARGS__ }) / sizeof(jitk_insn))

static void numbers_symbols_and_aliases(void **state)
{
	(void)state;
	/* Numbers: decimal, hex, octal, negative (two's complement). */
	EXPECT("ld #10\nld #0x1F\nld #017\nld #0\nld #-1\nld #-2147483648\nld #4294967295\n",
	       { 0, 0, 0, 10 }, { 0, 0, 0, 0x1f }, { 0, 0, 0, 15 }, { 0, 0, 0, 0 },
	       { 0, 0, 0, 0xffffffffu }, { 0, 0, 0, 0x80000000u }, { 0, 0, 0, 0xffffffffu });
	/* Symbols, OR-combined with or without a second '#', in parentheses. */
	EXPECT("ret #RET_ERRNO|#EACCES\nret #RET_ERRNO|EPERM\nret #(RET_ERRNO|13)\n"
	       "ret #SECCOMP_RET_TRAP | 7\nret #RET_KILL_PROCESS\nret #RET_KILL_THREAD\n"
	       "ret #RET_USER_NOTIF\nret #RET_TRACE\nret #RET_LOG\nret #RET_ALLOW\n",
	       { 6, 0, 0, 0x5000d }, { 6, 0, 0, 0x50001 }, { 6, 0, 0, 0x5000d }, { 6, 0, 0, 0x30007 },
	       { 6, 0, 0, 0x80000000u }, { 6, 0, 0, 0 }, { 6, 0, 0, 0x7fc00000u }, { 6, 0, 0, 0x7ff00000u },
	       { 6, 0, 0, 0x7ffc0000u }, { 6, 0, 0, 0x7fff0000u });
	EXPECT("ld #SYS_read\nld #__NR_write\nld #AUDIT_ARCH_X86_64\nld #AUDIT_ARCH_I386\n"
	       "ld #O_RDONLY|O_CREAT\n",
	       { 0, 0, 0, 0 }, { 0, 0, 0, 1 }, { 0, 0, 0, AUDIT_ARCH_X86_64 }, { 0, 0, 0, AUDIT_ARCH_I386 },
	       { 0, 0, 0, O_CREAT });
	/* Symbolic seccomp_data offsets (x86-64 is little endian). */
	EXPECT("ld [nr]\nld [arch]\nld [ip]\nld [ip.hi]\nld [args[0]]\nld [args[0].lo]\n"
	       "ld [args[5].hi]\n",
	       { 0x20, 0, 0, 0 }, { 0x20, 0, 0, 4 }, { 0x20, 0, 0, 8 }, { 0x20, 0, 0, 12 },
	       { 0x20, 0, 0, 16 }, { 0x20, 0, 0, 16 }, { 0x20, 0, 0, 60 });
	/* Lengths, operand spellings, case, bpf_asm's ldx 4*([k]&0xf). */
	EXPECT("ld #len\nld len\nldx #len\nLDX M[15]\nadd %x\nret %a\nret A\nld [x]\n"
	       "ld [ %x + 0x10 ]\nldx 4*([14]&0xf)\n",
	       { 0x80, 0, 0, 0 }, { 0x80, 0, 0, 0 }, { 0x81, 0, 0, 0 }, { 0x61, 0, 0, 15 },
	       { 0x0c, 0, 0, 0 }, { 0x16, 0, 0, 0 }, { 0x16, 0, 0, 0 }, { 0x40, 0, 0, 0 },
	       { 0x40, 0, 0, 16 }, { 0xb1, 0, 0, 14 });
	/* Labels, comments, blank lines, CRLF, several labels on one line. */
	EXPECT("; header\n\n  // another\nA: B:\tld #1 // c\r\nC:\n  ret a;x\n", { 0, 0, 0, 1 },
	       { 0x16, 0, 0, 0 });
	/* The raw escape. */
	EXPECT(".insn 0xffff, 255, 0, 0xdeadbeef\n.insn 6,1,2,3\n", { 0xffff, 255, 0, 0xdeadbeefu },
	       { 6, 1, 2, 3 });
	/* An empty program is an empty filter (the checker rejects it). */
	jitk_filter *f = asm_ok("; nothing\n");
	assert_int_equal(jitk_filter_len(f), 0);
	jitk_filter_free(f);
}

static void jumps_and_pseudo_ops(void **state)
{
	(void)state;
	const char *tail = "R0: ret #0\nR1: ret #1\nR2: ret #2\n";
	char text[512];
	/* one target: false falls through */
	snprintf(text, sizeof text, "jeq #5, R1\n%s", tail);
	EXPECT(text, { 0x15, 1, 0, 5 }, { 6, 0, 0, 0 }, { 6, 0, 0, 1 }, { 6, 0, 0, 2 });
	/* jne / jneq: the branches swapped */
	snprintf(text, sizeof text, "jne #5, R1\n%s", tail);
	EXPECT(text, { 0x15, 0, 1, 5 }, { 6, 0, 0, 0 }, { 6, 0, 0, 1 }, { 6, 0, 0, 2 });
	snprintf(text, sizeof text, "jneq #5, R1, R2\n%s", tail);
	EXPECT(text, { 0x15, 2, 1, 5 }, { 6, 0, 0, 0 }, { 6, 0, 0, 1 }, { 6, 0, 0, 2 });
	/* jlt = jge swapped, jle = jgt swapped */
	snprintf(text, sizeof text, "jlt #5, R1, R2\n%s", tail);
	EXPECT(text, { 0x35, 2, 1, 5 }, { 6, 0, 0, 0 }, { 6, 0, 0, 1 }, { 6, 0, 0, 2 });
	snprintf(text, sizeof text, "jle x, R2\n%s", tail);
	EXPECT(text, { 0x2d, 0, 2, 0 }, { 6, 0, 0, 0 }, { 6, 0, 0, 1 }, { 6, 0, 0, 2 });
	/* numeric offsets, ja and jmp */
	snprintf(text, sizeof text, "jset #0x80, 2, 0\n%s", tail);
	EXPECT(text, { 0x45, 2, 0, 0x80 }, { 6, 0, 0, 0 }, { 6, 0, 0, 1 }, { 6, 0, 0, 2 });
	snprintf(text, sizeof text, "ja R2\njmp 1\n%s", tail);
	EXPECT(text, { 0x05, 0, 0, 3 }, { 0x05, 0, 0, 1 }, { 6, 0, 0, 0 }, { 6, 0, 0, 1 }, { 6, 0, 0, 2 });
	/* label on the same line as the jump's target instruction, and a label
	 * on its own line before it */
	EXPECT("jgt #1, A, B\nA:\nret #1\nB: ret #2\n", { 0x25, 0, 1, 1 }, { 6, 0, 0, 1 }, { 6, 0, 0, 2 });
}

/* ---------------------------------------------------------------- errors */

struct bad {
	const char *text;
	jitk_err err;
	unsigned line, col, span;
	const char *msg, *hint; /* substrings; hint may be NULL */
};

static const struct bad bad_inputs[] = {
	/* JITK_E_PARSE */
	{ "ld [0]\n  jqe #1, a, b\n", JITK_E_PARSE, 2, 3, 3, "unknown mnemonic 'jqe'", "did you mean" },
	{ "ld [0]\nreturn #0\n", JITK_E_PARSE, 2, 1, 6, "unknown mnemonic", "did you mean ret?" },
	{ "ld #1\nret x\n", JITK_E_PARSE, 2, 5, 1, "'ret x'", "txa then ret a" },
	{ "tax x\n", JITK_E_PARSE, 1, 5, 1, "tax does not take x", "valid forms: tax" },
	{ "add\n", JITK_E_PARSE, 1, 1, 3, "add needs an operand", "add #k, add x" },
	{ "ld 5\n", JITK_E_PARSE, 1, 4, 1, "immediate without '#'", "#5" },
	{ "ld [0] ret #0\n", JITK_E_PARSE, 1, 8, 3, "unexpected 'ret'", NULL },
	{ "# comment\n", JITK_E_PARSE, 1, 1, 1, "found '#'", "comments start with ';'" },
	{ "ld #09\n", JITK_E_PARSE, 1, 5, 2, "malformed octal number", "octal" },
	{ "ld #0x\n", JITK_E_PARSE, 1, 5, 2, "malformed number", NULL },
	{ "ld #12ab\n", JITK_E_PARSE, 1, 5, 4, "malformed decimal", NULL },
	{ "ld [0\nret #0\n", JITK_E_PARSE, 1, 6, 1, "expected ']'", NULL },
	{ "ret #(1|(2)\n", JITK_E_PARSE, 1, 12, 1, "expected ')'", NULL },
	{ "jeq #1 L\n", JITK_E_PARSE, 1, 8, 1, "expected ','", NULL },
	{ "jeq [0], L\nL: ret #0\n", JITK_E_PARSE, 1, 5, 3, "compares A with", NULL },
	{ "ld #1 @\n", JITK_E_PARSE, 1, 7, 1, "unexpected character '@'", NULL },
	{ "ld #1\n\x01\n", JITK_E_PARSE, 2, 1, 1, "unexpected byte 0x01", NULL },
	{ "ldxb 4*([1]&0xe)\n", JITK_E_PARSE, 1, 13, 3, "expected 0xf", NULL },
	{ "%x: ret #0\n", JITK_E_PARSE, 1, 1, 2, "label cannot start", NULL },
	{ "foo\n", JITK_E_PARSE, 1, 1, 3, "unknown mnemonic", "label, it needs a colon" },
	/* JITK_E_NAME */
	{ "ld #SYS_opn\n", JITK_E_NAME, 1, 5, 7, "unknown x86_64 syscall 'SYS_opn'", "SYS_open" },
	{ "ret #RET_ALOW\n", JITK_E_NAME, 1, 6, 8, "unknown name 'RET_ALOW'", "RET_ALLOW" },
	{ "ld #getpid\n", JITK_E_NAME, 1, 5, 6, "unknown name", "SYS_getpid" },
	{ "ret #RET_ERRNO|#EACCESS\n", JITK_E_NAME, 1, 17, 7, "'EACCESS'", "EACCES" },
	{ "ld [0]\n jeq #1, L1, L9\nL1: ret #0\nL2: ret #1\n", JITK_E_NAME, 2, 14, 2,
	  "undefined label 'L9'", "did you mean L1?" },
	{ "ja nowhere\nret #0\n", JITK_E_NAME, 1, 4, 7, "undefined label 'nowhere'", "nowhere:" },
	{ "a: ld #0\nb: ld #1\na: ret #0\n", JITK_E_NAME, 3, 1, 1, "duplicate label 'a'",
	  "first defined on line 1" },
	/* JITK_E_RANGE */
	{ "ld #0x100000000\n", JITK_E_RANGE, 1, 5, 11, "does not fit in 32 bits", "0..4294967295" },
	{ "ld #4294967296\n", JITK_E_RANGE, 1, 5, 10, "does not fit in 32 bits", NULL },
	{ "ld #-2147483649\n", JITK_E_RANGE, 1, 5, 11, "below -2147483648", "-2147483648..-1" },
	{ "st M[16]\n", JITK_E_RANGE, 1, 6, 2, "M[16] out of range 0..15", NULL },
	{ "ld [args[6]]\n", JITK_E_RANGE, 1, 10, 1, "argument index 6 out of range 0..5", NULL },
	{ "jeq #1, 256\nret #0\n", JITK_E_RANGE, 1, 9, 3, "jump offset 256 out of range 0..255",
	  "trampoline" },
	{ ".insn 0x10000, 0, 0, 0\n", JITK_E_RANGE, 1, 7, 7, ".insn code 65536 out of range", NULL },
	{ ".insn 6, 0, 256, 0\n", JITK_E_RANGE, 1, 13, 3, ".insn jf 256 out of range 0..255", NULL },
	{ "ld #0\nL: ld #1\n  ja L\nret #0\n", JITK_E_RANGE, 3, 6, 1, "backward jump to 'L' (line 2)",
	  "forward only" },
	{ "L: jeq #1, L, M\nM: ret #0\n", JITK_E_RANGE, 1, 12, 1, "backward jump", NULL },
	{ "ld #0\njeq #1, E\nret #0\nE:\n", JITK_E_RANGE, 2, 9, 1, "past the last instruction", NULL },
	{ "ld #0\njeq #1, 1\nret #0\n", JITK_E_RANGE, 2, 9, 1, "past the last instruction", NULL },
	{ "ld #0\nL: jne #1, L\n", JITK_E_RANGE, 2, 4, 3, "fall-through branch leaves", NULL },
	{ "ja 0\n", JITK_E_RANGE, 1, 4, 1, "past the last instruction", NULL },
};

static void errors_are_located(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_inputs / sizeof *bad_inputs; i++) {
		const struct bad *b = &bad_inputs[i];
		jitk_filter *f = (jitk_filter *)1;
		jitk_diag d;
		jitk_err err = jitk_asm(b->text, strlen(b->text), "bad.s", &f, &d);
		if (err != b->err || d.line != b->line || d.col != b->col || d.span != b->span ||
		    !strstr(d.msg, b->msg) || (b->hint && !strstr(d.hint, b->hint)) ||
		    strcmp(d.file, "bad.s") != 0 || d.err != b->err || f != NULL)
			fail_msg("case %zu %s: got %s %u:%u+%u '%s' hint '%s'; want %s %u:%u+%u '%s' '%s'",
				 i, b->text, jitk_strerror(err), d.line, d.col, d.span, d.msg, d.hint,
				 jitk_strerror(b->err), b->line, b->col, b->span, b->msg,
				 b->hint ? b->hint : "");
		assert_true(d.src_line[0] != '\0' || b->text[0] == '\n');
	}
}

static void bad_arguments(void **state)
{
	(void)state;
	jitk_filter *f = NULL;
	jitk_diag d;
	assert_int_equal(jitk_asm(NULL, 3, NULL, &f, &d), JITK_E_INVAL);
	assert_int_equal(jitk_asm("ret #0", 6, NULL, NULL, &d), JITK_E_INVAL);
	/* len, not NUL, ends the text; no diag is fine. */
	assert_int_equal(jitk_asm("ret #0 garbage", 6, NULL, &f, NULL), JITK_OK);
	assert_int_equal(jitk_filter_len(f), 1);
	char *s = NULL;
	assert_int_equal(jitk_disasm(NULL, &s), JITK_E_INVAL);
	assert_int_equal(jitk_disasm(f, NULL), JITK_E_INVAL);
	assert_int_equal(jitk_format_c(f, "1bad", &s), JITK_E_INVAL);
	assert_int_equal(jitk_format_c(f, "a-b", &s), JITK_E_INVAL);
	assert_int_equal(jitk_format_c(f, NULL, &s), JITK_E_INVAL);
	jitk_filter_free(f);
	jitk_filter *e = NULL;
	assert_int_equal(jitk_filter_new(NULL, 0, &e), JITK_OK);
	assert_int_equal(jitk_format_c(e, "x", &s), JITK_E_INVAL);
	assert_int_equal(jitk_disasm(e, &s), JITK_OK);
	assert_string_equal(s, "");
	jitk_free(s);
	jitk_filter_free(e);
}

/* ------------------------------------------------------------ long jumps */

/* Where a branch of the conditional jump at pc finally lands, following
 * ja trampolines. */
static size_t land(const jitk_filter *f, size_t pc, bool taken)
{
	const jitk_insn *p = jitk_filter_insns(f);
	size_t n = jitk_filter_len(f);
	size_t t = pc + 1 + (taken ? p[pc].jt : p[pc].jf);
	for (int hops = 0; t < n && p[t].code == (BPF_JMP | BPF_JA); hops++) {
		assert_true(hops < 4);
		t = t + 1 + p[t].k;
	}
	assert_true(t < n);
	return t;
}

/*
 * Random programs of conditional jumps and `Lid: ret #id` lines, with jumps
 * up to ~700 lines ahead.  In the output, every non-ja instruction is one
 * source line in order; each branch must land on the ret of its label.
 */
static void long_jumps_get_trampolines(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(7));
	unsigned rounds = (unsigned)test_scaled(12);
	size_t total_tramps = 0;
	for (unsigned round = 0; round < rounds; round++) {
		enum { N = 900 };
		static bool is_ret[N];
		static size_t tgt[N][2];
		static int form[N];
		for (size_t i = 0; i < N; i++)
			is_ret[i] = i >= N - 10 || rng_below(&r, 3) == 0;
		struct tbuf t = { 0 };
		for (size_t i = 0; i < N; i++) {
			if (is_ret[i]) {
				tb_printf(&t, "R%zu: ret #%zu\n", i, i);
				continue;
			}
			for (int b = 0; b < 2; b++) {
				size_t j;
				do
					j = i + 1 + rng_below(&r, round & 1 ? 700 : 300);
				while (j >= N || !is_ret[j]);
				tgt[i][b] = j;
			}
			form[i] = (int)rng_below(&r, 3);
			if (form[i] == 0)
				tb_printf(&t, "jeq #%zu, R%zu, R%zu\n", i, tgt[i][0], tgt[i][1]);
			else if (form[i] == 1) /* false = next line, a ret */
				tb_printf(&t, "jgt #%zu, R%zu\n", i, tgt[i][0]);
			else
				tb_printf(&t, "jne #%zu, R%zu, R%zu\n", i, tgt[i][0], tgt[i][1]);
		}
		jitk_filter *f = asm_ok(t.s);
		const jitk_insn *p = jitk_filter_insns(f);
		size_t n = jitk_filter_len(f);
		/* map source lines to output indices */
		static size_t at[N];
		size_t line = 0;
		for (size_t pc = 0; pc < n; pc++) {
			if (p[pc].code == (BPF_JMP | BPF_JA)) {
				total_tramps++;
				continue;
			}
			assert_true(line < N);
			at[line++] = pc;
		}
		assert_int_equal(line, N);
		for (size_t i = 0; i < N; i++) {
			const jitk_insn *in = &p[at[i]];
			if (is_ret[i]) {
				assert_int_equal(in->code, BPF_RET | BPF_K);
				assert_int_equal(in->k, i);
				continue;
			}
			assert_int_equal(in->k, i);
			size_t want_t = tgt[i][0], want_f = form[i] == 1 ? i + 1 : tgt[i][1];
			if (form[i] == 2) { /* jne: jeq with the branches swapped */
				size_t x = want_t;
				want_t = want_f;
				want_f = x;
			}
			assert_int_equal(land(f, at[i], true), at[want_t]);
			assert_int_equal(land(f, at[i], false), at[want_f]);
		}
		/* The result is a valid seccomp filter, and round-trips. */
		if (n <= JITK_MAXINSNS) {
			jitk_diag d;
			jitk_err err = jitk_check(f, &d);
			if (err != JITK_E_UNSUPPORTED && err != JITK_OK)
				fail_msg("check: %s at %ld (%s)", d.msg, d.index, d.rule);
		}
		char *s = NULL;
		assert_int_equal(jitk_disasm(f, &s), JITK_OK);
		jitk_filter *g = asm_ok(s);
		assert_true(jitk_filter_equal(f, g));
		jitk_free(s);
		jitk_filter_free(g);
		jitk_filter_free(f);
		free(t.s);
	}
	/* The 700-line rounds cannot do without trampolines. */
	assert_true(rounds < 2 || total_tramps > 0);
}

/* The exact shape of a trampoline, both branches far. */
static void long_jump_shape(void **state)
{
	(void)state;
	struct tbuf t = { 0 };
	tb_printf(&t, "ld [0]\njeq #1, FAR1, FAR2\n");
	for (int i = 0; i < 300; i++)
		tb_printf(&t, "ld #%d\n", i);
	tb_printf(&t, "FAR1: ret #1\nFAR2: ret #2\n");
	jitk_filter *f = asm_ok(t.s);
	const jitk_insn *p = jitk_filter_insns(f);
	assert_int_equal(jitk_filter_len(f), 2 + 2 + 300 + 2);
	assert_int_equal(p[1].code, 0x15);
	assert_int_equal(p[1].jt, 0);
	assert_int_equal(p[1].jf, 1);
	assert_int_equal(p[2].code, 0x05);
	assert_int_equal(p[2].k, 301); /* lands on index 304: FAR1 */
	assert_int_equal(p[3].code, 0x05);
	assert_int_equal(p[3].k, 301); /* index 305: FAR2 */
	assert_int_equal(p[304].k, 1);
	assert_int_equal(p[305].k, 2);
	jitk_filter_free(f);
	free(t.s);

	/* Exactly 255 ahead needs no trampoline; 256 does. */
	for (int gap = 254; gap <= 256; gap++) {
		struct tbuf u = { 0 };
		tb_printf(&u, "jeq #1, T\n");
		for (int i = 0; i < gap; i++)
			tb_printf(&u, "ld #%d\n", i);
		tb_printf(&u, "T: ret #1\n");
		f = asm_ok(u.s);
		p = jitk_filter_insns(f);
		if (gap <= 255) {
			assert_int_equal(jitk_filter_len(f), (size_t)gap + 2);
			assert_int_equal(p[0].jt, gap);
		} else {
			assert_int_equal(jitk_filter_len(f), (size_t)gap + 3);
			assert_int_equal(p[0].jt, 0);
			assert_int_equal(p[0].jf, 1);
			assert_int_equal(p[1].code, 0x05);
			assert_int_equal(p[1].k, gap);
		}
		jitk_filter_free(f);
		free(u.s);
	}

	/* A raw .insn jump across an inserted trampoline is refused. */
	struct tbuf v = { 0 };
	tb_printf(&v, ".insn 0x15, 0, 2, 0\njeq #1, FAR\nret #1\n");
	for (int i = 0; i < 300; i++)
		tb_printf(&v, "ld #%d\n", i);
	tb_printf(&v, "FAR: ret #2\n");
	jitk_diag d;
	f = NULL;
	assert_int_equal(jitk_asm(v.s, v.len, NULL, &f, &d), JITK_E_RANGE);
	assert_null(f);
	assert_int_equal(d.line, 1);
	assert_int_equal(d.col, 1);
	assert_non_null(strstr(d.msg, "trampoline"));
	free(v.s);
}

/* ------------------------------------------------------------ round trip */

static void check_roundtrip(const jitk_filter *f, bool expect_no_raw)
{
	char *s = NULL;
	assert_int_equal(jitk_disasm(f, &s), JITK_OK);
	jitk_filter *g = NULL;
	jitk_diag d;
	jitk_err err = jitk_asm(s, strlen(s), "disasm", &g, &d);
	if (err)
		fail_msg("reassembly failed at %u:%u: %s\n%s", d.line, d.col, d.msg, s);
	if (!jitk_filter_equal(f, g))
		fail_msg("round trip changed the program:\n%s", s);
	if (expect_no_raw && strstr(s, ".insn"))
		fail_msg("valid program printed with .insn:\n%s", s);
	jitk_free(s);
	jitk_filter_free(g);
}

/* Random programs of random 16-bit codes and fields, junk included. */
static void roundtrip_random_junk(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(11));
	unsigned iters = (unsigned)test_scaled(1500);
	for (unsigned it = 0; it < iters; it++) {
		size_t n = 1 + rng_below(&r, 40);
		jitk_insn p[40];
		for (size_t i = 0; i < n; i++) {
			uint32_t kind = rng_below(&r, 5);
			uint16_t code = kind == 0   ? (uint16_t)rng_u32(&r)
					: kind == 1 ? (uint16_t)rng_below(&r, 0x100)
						    : insn_info[rng_below(&r, INSN__COUNT)].code;
			p[i] = (jitk_insn){ code, (uint8_t)rng_u32(&r), (uint8_t)rng_u32(&r), rng_u32(&r) };
			/* Often zero the fields so the mnemonic form is exercised. */
			if (kind >= 3) {
				p[i].jt = (uint8_t)rng_below(&r, (uint32_t)(n - i));
				p[i].jf = (uint8_t)rng_below(&r, (uint32_t)(n - i));
				if (rng_below(&r, 2))
					p[i].jt = p[i].jf = 0;
				if (rng_below(&r, 2))
					p[i].k = rng_below(&r, 4) == 0 ? 0 : rng_below(&r, 20);
			}
		}
		jitk_filter *f = test_filter(p, n);
		check_roundtrip(f, false);
		jitk_filter_free(f);
	}
}

/* A random program whose every instruction has the fields its shape uses. */
static size_t random_valid(rng_t *r, jitk_insn *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int op = (int)rng_below(r, INSN__COUNT);
		enum insn_opnd s = insn_info[op].opnd;
		size_t room = n - i - 1; /* instructions after this one */
		if (i == n - 1 || ((s == OPND_JA || s == OPND_JK || s == OPND_JX) && room == 0))
			op = rng_below(r, 2) ? INSN_RET_K : INSN_RET_A;
		s = insn_info[op].opnd;
		jitk_insn in = { insn_info[op].code, 0, 0, 0 };
		uint32_t lim = room > 256 ? 256 : (uint32_t)room;
		switch (s) {
		case OPND_IMM:
		case OPND_ABS:
		case OPND_IND:
		case OPND_MSH: in.k = rng_below(r, 2) ? rng_u32(r) : rng_below(r, 64); break;
		case OPND_MEM: in.k = rng_below(r, 16); break;
		case OPND_JA: in.k = rng_below(r, (uint32_t)room); break;
		case OPND_JK: in.k = rng_u32(r); /* fall through */
		case OPND_JX:
			in.jt = (uint8_t)rng_below(r, lim);
			in.jf = (uint8_t)rng_below(r, lim);
			break;
		default: break;
		}
		p[i] = in;
	}
	return n;
}

static void roundtrip_random_valid(void **state)
{
	(void)state;
	rng_t r;
	rng_seed(&r, test_seed(13));
	unsigned iters = (unsigned)test_scaled(600);
	static jitk_insn p[400];
	for (unsigned it = 0; it < iters; it++) {
		size_t n = 1 + rng_below(&r, it % 10 == 0 ? 400 : 40);
		random_valid(&r, p, n);
		jitk_filter *f = test_filter(p, n);
		check_roundtrip(f, true);
		jitk_filter_free(f);
	}
}

/* The disassembly of the paper listing, exactly. */
static void disasm_text(void **state)
{
	(void)state;
	jitk_filter *f = asm_ok(paper_listing);
	char *s = NULL;
	assert_int_equal(jitk_disasm(f, &s), JITK_OK);
	const char *want = "        ld [0]                           ; nr\n"
			   "        jne #2, L3                       ; open\n"
			   "        ret #0x5000d                     ; ERRNO(EACCES)\n"
			   "L3:     jne #39, L5                      ; getpid\n"
			   "        ret #0x7fff0000                  ; ALLOW\n"
			   "L5:     jne #96, L7                      ; gettimeofday\n"
			   "        ret #0x7fff0000                  ; ALLOW\n"
			   "L7:     ret #0                           ; KILL_THREAD\n";
	assert_string_equal(s, want);
	jitk_free(s);
	jitk_filter_free(f);

	/* Junk gets the raw escape, and only junk. */
	f = TEST_FILTER({ 0x06, 1, 0, 5 }, { 0x0e, 0, 0, 0 }, { 0x61, 0, 0, 16 }, { 0x15, 0, 9, 1 },
			{ 0x16, 0, 0, 0 });
	assert_int_equal(jitk_disasm(f, &s), JITK_OK);
	assert_string_equal(s, "        .insn 0x0006, 1, 0, 0x00000005\n"
			       "        .insn 0x000e, 0, 0, 0x00000000   ; not a classic BPF opcode\n"
			       "        .insn 0x0061, 0, 0, 0x00000010\n"
			       "        .insn 0x0015, 0, 9, 0x00000001\n"
			       "        ret a\n");
	jitk_free(s);
	jitk_filter_free(f);
}

/* ------------------------------------------------------------ C printer */

/* Compile the C output with a main that writes the array's bytes, run it,
 * and compare with jitk_encode. */
static void c_output_compiles(const jitk_filter *f, const char *dir, int tag)
{
	char *c = NULL;
	assert_int_equal(jitk_format_c(f, "my_filter", &c), JITK_OK);
	char src[512], bin[512], cmd[1200];
	snprintf(src, sizeof src, "%s/f%d.c", dir, tag);
	snprintf(bin, sizeof bin, "%s/f%d", dir, tag);
	FILE *fp = fopen(src, "w");
	assert_non_null(fp);
	fprintf(fp,
		"%s\n#include <stdio.h>\nint main(void)\n{\n"
		"\tif (my_filter_prog.filter != (struct sock_filter *)my_filter)\n\t\treturn 1;\n"
		"\tfwrite(my_filter, sizeof my_filter[0], my_filter_prog.len, stdout);\n"
		"\treturn 0;\n}\n",
		c);
	fclose(fp);
	jitk_free(c);
	snprintf(cmd, sizeof cmd, "cc -std=c11 -Wall -Wextra -Werror -o %s %s 2>&1", bin, src);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("generated C does not compile: %s", src);
	FILE *pp = popen(bin, "r");
	assert_non_null(pp);
	size_t n = jitk_encoded_size(f);
	unsigned char *got = malloc(n + 8), *want = malloc(n);
	assert_non_null(got);
	assert_non_null(want);
	size_t rd = fread(got, 1, n + 8, pp);
	assert_int_equal(pclose(pp), 0);
	assert_int_equal(rd, n);
	assert_int_equal(jitk_encode(f, want, n), JITK_OK);
	assert_memory_equal(got, want, n);
	free(got);
	free(want);
	unlink(src);
	unlink(bin);
}

static void format_c_compiles(void **state)
{
	(void)state;
	char dir[] = "/tmp/jitk-asm-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	rng_t r;
	rng_seed(&r, test_seed(17));
	jitk_filter *f = asm_ok(paper_listing);
	c_output_compiles(f, dir, 0);
	jitk_filter_free(f);
	/* every table row, junk fields, unknown codes */
	jitk_insn p[300];
	size_t n = 0;
	for (int op = 0; op < INSN__COUNT; op++)
		p[n++] = (jitk_insn){ insn_info[op].code, 0, 0, rng_u32(&r) };
	for (int op = 0; op < INSN__COUNT; op++)
		p[n++] = (jitk_insn){ insn_info[op].code, (uint8_t)rng_u32(&r), (uint8_t)rng_u32(&r),
				      rng_u32(&r) };
	while (n < 200)
		p[n++] = (jitk_insn){ (uint16_t)rng_u32(&r), (uint8_t)rng_u32(&r), (uint8_t)rng_u32(&r),
				      rng_u32(&r) };
	f = test_filter(p, n);
	c_output_compiles(f, dir, 1);
	jitk_filter_free(f);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_listing_encodes),
		cmocka_unit_test(paper_listing_interp),
		cmocka_unit_test(paper_listing_in_kernel),
		cmocka_unit_test(every_table_row_assembles),
		cmocka_unit_test(numbers_symbols_and_aliases),
		cmocka_unit_test(jumps_and_pseudo_ops),
		cmocka_unit_test(errors_are_located),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(long_jump_shape),
		cmocka_unit_test(long_jumps_get_trampolines),
		cmocka_unit_test(roundtrip_random_junk),
		cmocka_unit_test(roundtrip_random_valid),
		cmocka_unit_test(disasm_text),
		cmocka_unit_test(format_c_compiles),
	};
	return cmocka_run_group_tests_name("asm", tests, NULL, NULL);
}
