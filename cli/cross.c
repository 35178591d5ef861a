/*
 * cross.c - a second solver for the CLI: re-check an UNSAT answer of Z3
 * with cvc5 (Debian's cvc5 package), run as a separate program on the
 * query exported as SMT-LIB 2.  A Z3 bug then cannot pass a proof alone.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int cli_cvc5_unsat(const char *smtlib, char *verdict, size_t cap)
{
	snprintf(verdict, cap, "cvc5 could not be run");
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/jitk-cross-XXXXXX.smt2", dir && *dir ? dir : "/tmp");
	int fd = mkstemps(path, 5);
	if (fd < 0)
		return -1;
	size_t len = strlen(smtlib);
	bool ok = write(fd, smtlib, len) == (ssize_t)len;
	ok = close(fd) == 0 && ok;
	if (!ok) {
		unlink(path);
		return -1;
	}
	int p[2];
	if (pipe(p) != 0) {
		unlink(path);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		unlink(path);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execlp("cvc5", "cvc5", "--lang=smt2", "--tlimit=600000", path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char out[512];
	size_t n = 0;
	ssize_t r;
	while ((r = read(p[0], out + n, sizeof out - 1 - n)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			n += (size_t)r;
	close(p[0]);
	out[n] = 0;
	int st = 0;
	waitpid(pid, &st, 0);
	unlink(path);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		snprintf(verdict, cap, "cvc5 not found (install the cvc5 package)");
		return -1;
	}
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
		out[--n] = 0;
	snprintf(verdict, cap, "%s", n ? out : "(no answer)");
	return strcmp(out, "unsat") == 0 ? 1 : 0;
}
