/*
 * test_landlock_kernel.c - the Landlock part of SCPL on the running kernel.
 *
 * Each case parses a policy, applies it with jitk_landlock_apply in a
 * forked child, and tries real operations there: reads inside and outside
 * the granted paths (EACCES outside), execve without `execute` (EACCES),
 * TCP connect to an ungranted port (EACCES) and to a granted closed port on
 * loopback (ECONNREFUSED: it reached the network stack), a signal to a
 * process outside a `scope = signal` domain (EPERM).  Failed applications
 * (a missing path) must leave the process unrestricted.  The generated
 * rights table is also checked against the kernel itself: each right of the
 * running ABI is accepted alone in a ruleset, the next bit is refused.
 */
#include "testlib.h"
#include "kexec.h"
#include "landlock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];

static void setup_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/jitk-ll.XXXXXX");
	assert_non_null(mkdtemp(dir));
	char p[128];
	snprintf(p, sizeof p, "%s/in", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/in/f", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("x\n", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/out", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/out/f", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

static jitk_policy *policy(const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	jitk_policy *p = NULL;
	jitk_diag d;
	if (jitk_policy_parse(text, strlen(text), "ll.scpl", &p, &d))
		print_message("%s: %u:%u %s\n", text, d.line, d.col, d.msg);
	assert_non_null(p);
	return p;
}

/* errno of open(path, O_RDONLY) in the child (0 if it succeeds) */
static int try_open(const char *sub)
{
	char p[160];
	snprintf(p, sizeof p, "%s/%s", dir, sub);
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_connect(unsigned port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return -errno;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int r = connect(s, (struct sockaddr *)&a, sizeof a);
	int e = r < 0 ? errno : 0;
	close(s);
	return e;
}

/* A loopback port nothing listens on. */
static unsigned closed_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t l = sizeof a;
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &l), 0);
	close(s);
	return ntohs(a.sin_port);
}

struct res {
	int applied; /* jitk_err of the apply */
	int e[8];
};

static struct res *run_child(const jitk_policy *p, void (*body)(struct res *r))
{
	struct res *r = kexec_shared(sizeof *r);
	assert_non_null(r);
	memset(r, 0xff, sizeof *r);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		jitk_diag d;
		r->applied = jitk_landlock_apply(p, 0, NULL, &d);
		body(r);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return r;
}

static void fs_body(struct res *r)
{
	r->e[0] = try_open("in/f");
	r->e[1] = try_open("out/f");
	r->e[2] = try_open("in"); /* read_dir */
	char p[160];
	snprintf(p, sizeof p, "%s/in/new", dir);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	r->e[3] = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	/* execute: /bin/true is beneath no granted path with execute */
	pid_t c = fork();
	if (c == 0) {
		char *argv[] = { "true", NULL };
		execv("/bin/true", argv);
		_exit(errno == EACCES ? 42 : 43);
	}
	int st;
	waitpid(c, &st, 0);
	r->e[4] = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void filesystem(void **state)
{
	(void)state;
	setup_dir();
	jitk_policy *p = policy("{ default_action = Allow; rules = [];\n"
				"  filesystem = [ { path = \"%s/in\"; access = read } ] }",
				dir);
	struct res *r = run_child(p, fs_body);
	assert_int_equal(r->applied, JITK_OK);
	assert_int_equal(r->e[0], 0);      /* read inside */
	assert_int_equal(r->e[1], EACCES); /* read outside */
	assert_int_equal(r->e[2], 0);
	assert_int_equal(r->e[3], EACCES); /* no write/make_reg granted */
	assert_int_equal(r->e[4], 42);     /* execve refused with EACCES */
	kexec_shared_free(r, sizeof *r);
	jitk_policy_free(p);

	/* write granted: creating works; executing /usr is granted */
	p = policy("{ default_action = Allow; rules = [];\n"
		   "  filesystem = [ { path = \"%s/in\"; access = [read; write] };\n"
		   "                 { path = \"/usr\"; access = [read; execute] };\n"
		   "                 { path = \"/lib\"; access = [read; execute] };\n"
		   "                 { path = \"/lib64\"; access = [read; execute] };\n"
		   "                 { path = \"/bin\"; access = [read; execute] } ] }",
		   dir);
	r = run_child(p, fs_body);
	assert_int_equal(r->applied, JITK_OK);
	assert_int_equal(r->e[1], EACCES);
	assert_int_equal(r->e[3], 0);
	assert_int_equal(r->e[4], 0); /* /bin/true ran and exited 0 */
	kexec_shared_free(r, sizeof *r);
	jitk_policy_free(p);
}

static unsigned port_a, port_b;

static void net_body(struct res *r)
{
	r->e[0] = try_connect(port_a); /* granted, closed */
	r->e[1] = try_connect(port_b); /* not granted */
}

static void network(void **state)
{
	(void)state;
	if (jitk_landlock_abi() < 4) {
		print_message("skipped: Landlock ABI %d has no network rights\n", jitk_landlock_abi());
		skip();
	}
	port_a = closed_port();
	do
		port_b = closed_port();
	while (port_b == port_a);
	jitk_policy *p = policy("{ default_action = Allow; rules = [];\n"
				"  network = [ { port = %u; access = [connect] } ] }",
				port_a);
	struct res *r = run_child(p, net_body);
	assert_int_equal(r->applied, JITK_OK);
	assert_int_equal(r->e[0], ECONNREFUSED);
	assert_int_equal(r->e[1], EACCES);
	kexec_shared_free(r, sizeof *r);
	jitk_policy_free(p);
}

static void scope_body(struct res *r)
{
	r->e[0] = kill(getppid(), 0) < 0 ? errno : 0;
	r->e[1] = kill(getpid(), 0) < 0 ? errno : 0;
}

static void scope(void **state)
{
	(void)state;
	if (jitk_landlock_abi() < 6)
		skip();
	jitk_policy *p = policy("{ default_action = Allow; rules = []; scope = signal }");
	struct res *r = run_child(p, scope_body);
	assert_int_equal(r->applied, JITK_OK);
	assert_int_equal(r->e[0], EPERM); /* the parent is outside the domain */
	assert_int_equal(r->e[1], 0);
	kexec_shared_free(r, sizeof *r);
	jitk_policy_free(p);
}

static void missing_path_applies_nothing(void **state)
{
	(void)state;
	if (!dir[0])
		setup_dir();
	jitk_policy *p = policy("{ default_action = Allow; rules = [];\n"
				"  filesystem = [ { path = \"%s/in\"; access = read };\n"
				"                 { path = \"/nonexistent/jitk\"; access = read } ] }",
				dir);
	struct res *r = kexec_shared(sizeof *r);
	pid_t pid = fork();
	if (pid == 0) {
		jitk_diag d;
		r->applied = jitk_landlock_apply(p, 0, NULL, &d);
		r->e[0] = strstr(d.msg, "/nonexistent/jitk") && d.sys_errno == ENOENT;
		r->e[1] = try_open("out/f"); /* still unrestricted */
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	assert_int_equal(r->applied, JITK_E_NAME);
	assert_int_equal(r->e[0], 1);
	assert_int_equal(r->e[1], 0);
	kexec_shared_free(r, sizeof *r);
	jitk_policy_free(p);
}

/* The table against the kernel: every right of the running ABI is handled
 * alone without EINVAL; the bit above each kind's last right is refused. */
static void table_vs_kernel(void **state)
{
	(void)state;
	int abi = jitk_landlock_abi();
	assert_true(abi >= 1);
	struct {
		uint64_t fs, net, scoped;
	} attr;
	uint64_t top[3] = { 0, 0, 0 };
	for (size_t i = 0; i < tbl_landlock_len; i++) {
		const struct tbl_landlock *t = &tbl_landlock[i];
		if (t->abi > (unsigned)abi)
			continue;
		memset(&attr, 0, sizeof attr);
		if (t->kind == TBL_LL_FS)
			attr.fs = t->bit;
		else if (t->kind == TBL_LL_NET)
			attr.net = t->bit;
		else
			attr.scoped = t->bit;
		if (t->bit > top[t->kind])
			top[t->kind] = t->bit;
		long fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
		if (fd < 0)
			print_message("right %s refused: %s\n", t->name, strerror(errno));
		assert_true(fd >= 0);
		close((int)fd);
	}
	for (int k = 0; k < 3; k++) {
		memset(&attr, 0, sizeof attr);
		uint64_t next = top[k] << 1;
		*(k == 0 ? &attr.fs : k == 1 ? &attr.net : &attr.scoped) = next;
		errno = 0;
		long fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
		/* a kernel newer than the table may know the next bit; ABI 7 does not */
		if (abi <= 7)
			assert_true(fd < 0 && errno == EINVAL);
		if (fd >= 0)
			close((int)fd);
	}
}

int main(void)
{
	if (jitk_landlock_abi() == 0) {
		printf("1..0 # skipped: no Landlock on this kernel\n");
		return 0;
	}
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(filesystem),
		cmocka_unit_test(network),
		cmocka_unit_test(scope),
		cmocka_unit_test(missing_path_applies_nothing),
		cmocka_unit_test(table_vs_kernel),
	};
	/* clang-format on */
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = rc ? rc : 1;
	}
	return rc;
}
