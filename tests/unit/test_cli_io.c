/* test_cli_io.c - the CLI's file helpers (cli/io.c) where a shell test
 * cannot reach: a signal that arrives while the temporary file is being
 * written must remove it and leave the old target as it was.
 *
 * A child writes a large buffer through cli_write_bytes; the parent waits
 * until the temporary file exists and kills the child with SIGINT, SIGTERM
 * or SIGHUP.  If the write wins the race (it finished first, or the signal
 * came in its last, blocked step and the new file is whole), the case is
 * retried with a larger buffer; it is never counted as a pass. */
#include "testlib.h"
#include "cli.h"

#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/jitk-test-cli-io.XXXXXX";

/* Whether a file whose name starts with prefix is in dir. */
static bool has_prefix(const char *prefix)
{
	DIR *d = opendir(dir);
	bool found = false;
	for (struct dirent *e; d && (e = readdir(d));)
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			found = true;
	if (d)
		closedir(d);
	return found;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void read_back(const char *path, char *buf, size_t cap)
{
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(buf, 1, cap - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

/* One kill during a write of len bytes; returns true if the signal came
 * while the temporary file existed (the case was decided). */
static bool kill_during_write(int sig, size_t len)
{
	char target[128], buf[64];
	snprintf(target, sizeof target, "%s/out.bpf", dir);
	write_file(target, "old contents");
	/* Zero pages from the kernel: a large buffer costs no memory. */
	void *big = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(big != MAP_FAILED);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Whoever started the tests may have left sig ignored (nohup,
		 * or `cmd &` in a script, which ignores SIGINT), and a write
		 * keeps an inherited SIG_IGN (test_ignored_stays_ignored): this
		 * case is about the default action, so start from it. */
		signal(sig, SIG_DFL);
		_exit(cli_write_bytes(target, big, len) == CLI_OK ? 0 : 1);
	}
	struct timespec nap = { 0, 100000 };
	bool seen = false;
	for (int i = 0; i < 100000 && !seen; i++) {
		seen = has_prefix("out.bpf.tmp");
		if (!seen) {
			int st;
			if (waitpid(pid, &st, WNOHANG) == pid) {
				munmap(big, len);
				return false; /* finished before we saw it */
			}
			nanosleep(&nap, NULL);
		}
	}
	kill(pid, sig);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	munmap(big, len);
	if (WIFEXITED(st))
		return false; /* the write won the race after all */
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), sig);
	assert_false(has_prefix("out.bpf.tmp"));
	/* The signal may arrive while it is blocked around the rename (the
	 * last step of the write, after the parent saw the temporary file):
	 * then it is delivered after the new file is in place.  Either whole
	 * file is right, never a part: the complete new one means the write
	 * won the race, and the case is retried. */
	struct stat sb;
	assert_int_equal(stat(target, &sb), 0);
	if ((size_t)sb.st_size == len)
		return false;
	read_back(target, buf, sizeof buf);
	assert_string_equal(buf, "old contents");
	return true;
}

static void signal_removes_temp(int sig)
{
	for (size_t len = (size_t)32 << 20; len <= (size_t)4 << 30; len *= 2)
		if (kill_during_write(sig, len))
			return;
	fail_msg("the write always finished before signal %d", sig);
}

static void test_sigint(void **state)
{
	(void)state;
	signal_removes_temp(SIGINT);
}

static void test_sigterm(void **state)
{
	(void)state;
	signal_removes_temp(SIGTERM);
}

static void test_sighup(void **state)
{
	(void)state;
	signal_removes_temp(SIGHUP);
}

/* The handlers are only there during a write: afterwards the defaults are
 * back (a command that runs a long proof after writing dies normally). */
static void test_handlers_restored(void **state)
{
	(void)state;
	char target[128];
	snprintf(target, sizeof target, "%s/small.bpf", dir);
	assert_int_equal(cli_write_bytes(target, "12345678", 8), CLI_OK);
	struct sigaction sa;
	sigaction(SIGTERM, NULL, &sa);
	assert_true(sa.sa_handler == SIG_DFL);
	sigaction(SIGXFSZ, NULL, &sa);
	assert_true(sa.sa_handler == SIG_DFL);
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	assert_false(sigismember(&set, SIGINT));
}

/* A signal ignored by whoever started us stays ignored during and after a
 * write (cli/io.c, install_handlers): nohup's SIGHUP must not kill it. */
static void test_ignored_stays_ignored(void **state)
{
	(void)state;
	char target[128];
	snprintf(target, sizeof target, "%s/ign.bpf", dir);
	struct sigaction ign = { .sa_handler = SIG_IGN }, old, now;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGHUP, &ign, &old);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Raised in the middle of the write would be the real test; a
		 * write is too short to aim at, so check the disposition the
		 * handler install leaves, and that a raise is survived. */
		int ok = cli_write_bytes(target, "12345678", 8) == CLI_OK;
		struct sigaction cur;
		sigaction(SIGHUP, NULL, &cur);
		raise(SIGHUP);
		_exit(ok && cur.sa_handler == SIG_IGN ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	sigaction(SIGHUP, &old, &now);
	(void)now;
}

/* cli_parse_size: the sizes --max-input takes, and refuses. */
static void test_parse_size(void **state)
{
	(void)state;
	size_t n;
	assert_true(cli_parse_size("100", &n) && n == 100);
	assert_true(cli_parse_size("64K", &n) && n == 64 << 10);
	assert_true(cli_parse_size("16M", &n) && n == 16 << 20);
	assert_true(cli_parse_size("2MiB", &n) && n == 2 << 20);
	assert_true(cli_parse_size("1G", &n) && n == (size_t)1 << 30);
	assert_false(cli_parse_size("0", &n));
	assert_false(cli_parse_size("-1", &n));
	assert_false(cli_parse_size("12Q", &n));
	assert_false(cli_parse_size("1MX", &n));
	assert_false(cli_parse_size("", &n));
	assert_false(cli_parse_size("99999999999999999999", &n));
	assert_false(cli_parse_size("9999999999999G", &n));
}

/* cli_sniff: content decides what a file is. */
static void test_sniff(void **state)
{
	(void)state;
	static const unsigned char raw[] = { 0x06, 0, 0, 0, 0, 0, 0xff, 0x7f };
	assert_int_equal(cli_sniff((const char *)raw, sizeof raw), CLI_KIND_BINARY);
	assert_int_equal(cli_sniff("", 0), CLI_KIND_EMPTY);
	assert_int_equal(cli_sniff("# c\n// d\n(* (* e *) *)\n", 23), CLI_KIND_EMPTY);
	assert_int_equal(cli_sniff("# c\n{ default_action", 20), CLI_KIND_POLICY);
	assert_int_equal(cli_sniff("(* x *) {", 9), CLI_KIND_POLICY);
	assert_int_equal(cli_sniff("{ \"defaultAction\"", 17), CLI_KIND_JSON);
	assert_int_equal(cli_sniff("; c\nld [4]\n", 11), CLI_KIND_ASM);
	/* A text with one stray NUL is still text, for a located message. */
	assert_int_equal(cli_sniff("ld [4]\n\0ret #0\n", 15), CLI_KIND_ASM);
	assert_int_equal(cli_sniff("\x7f"
				   "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0",
				   20),
			 CLI_KIND_BINARY);
}

/* cli_listener_send refuses a listener whose control message was never
 * prepared (no room for the descriptor) instead of writing through NULL. */
static void test_listener_unprepared(void **state)
{
	(void)state;
	struct cli_listener L = { .sock = -1 };
	char err[128] = "";
	assert_false(cli_listener_send(&L, 0, err, sizeof err));
	assert_non_null(strstr(err, "no control message"));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigint),
		cmocka_unit_test(test_sigterm),
		cmocka_unit_test(test_sighup),
		cmocka_unit_test(test_handlers_restored),
		cmocka_unit_test(test_ignored_stays_ignored),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_listener_unprepared),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, setup, teardown);
}
