/*
 * seccomp_agent.c - helpers for tests/cli/test_ocirun.sh.
 *
 *   seccomp_agent listen SOCK STATE ERRNO
 *       A seccomp agent as runc's and crun's listenerPath expects: listens
 *       on the UNIX socket SOCK, returns once it listens (the agent goes on
 *       in the background), accepts one connection, receives the container
 *       process state (written to STATE) and the listener fd (SCM_RIGHTS),
 *       then answers every notification (SECCOMP_IOCTL_NOTIF_RECV/SEND):
 *       with -ERRNO, or, for ERRNO 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE.
 *       It appends "nr N" per notification to STATE.notif and ends when
 *       the filtered processes are gone (or after 30 s).
 *   seccomp_agent meta PID
 *       Print the flags PTRACE_SECCOMP_GET_METADATA reports for the newest
 *       filter of process PID: "flags 0x2" for SECCOMP_FILTER_FLAG_LOG
 *       (kernel/seccomp.c seccomp_get_metadata).  Needs CAP_SYS_ADMIN and
 *       no filter of its own.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "seccomp_agent: %s: %s\n", what, strerror(errno));
	return 1;
}

static int agent(int ls, const char *state, int err)
{
	alarm(30);
	int c = accept(ls, NULL, NULL);
	if (c < 0)
		return die("accept");
	char buf[8192];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, sizeof buf - 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b
	};
	ssize_t n = recvmsg(c, &m, 0);
	if (n < 0)
		return die("recvmsg");
	buf[n] = '\0';
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	int fd = -1;
	if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(h), sizeof fd);
	/* The runtime closes the connection after the one state. */
	char more;
	ssize_t eof = recv(c, &more, 1, 0);
	FILE *f = fopen(state, "w");
	if (!f)
		return die(state);
	fprintf(f, "%s\n%s\n%s\n", buf, fd >= 0 ? "fd received" : "no fd",
		eof == 0 ? "connection closed" : "connection left open");
	fclose(f);
	if (fd < 0)
		return 1;
	char nfile[4096];
	snprintf(nfile, sizeof nfile, "%s.notif", state);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0 && errno == EINTR)
			continue;
		if (p.revents & (POLLHUP | POLLERR))
			return 0;
		struct seccomp_notif req;
		memset(&req, 0, sizeof req);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return die("SECCOMP_IOCTL_NOTIF_RECV");
		}
		FILE *nf = fopen(nfile, "a");
		if (nf) {
			fprintf(nf, "nr %d\n", req.data.nr);
			fclose(nf);
		}
		struct seccomp_notif_resp resp = { .id = req.id };
		if (err)
			resp.error = -err;
		else
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
			return die("SECCOMP_IOCTL_NOTIF_SEND");
	}
}

static int listen_cmd(const char *sock, const char *state, int err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof sa.sun_path)
		return die("socket path too long");
	strcpy(sa.sun_path, sock);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(sock);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1) < 0)
		return die("listen");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return die("fork");
	if (pid > 0)
		return 0; /* listening: the caller may connect now */
	/* The test's $(...) must not wait for the agent. */
	if (!freopen("/dev/null", "w", stdout))
		_exit(1);
	_exit(agent(ls, state, err));
}

static int meta_cmd(pid_t c)
{
	int rc = 1;
	if (ptrace(PTRACE_SEIZE, c, 0, 0) < 0 || ptrace(PTRACE_INTERRUPT, c, 0, 0) < 0 ||
	    waitpid(c, NULL, __WALL) != c) {
		die("ptrace");
	} else {
		struct __ptrace_seccomp_metadata md = { .filter_off = 0 };
		if (ptrace(PTRACE_SECCOMP_GET_METADATA, c, sizeof md, &md) < 0) {
			die("PTRACE_SECCOMP_GET_METADATA");
		} else {
			printf("flags 0x%llx\n", (unsigned long long)md.flags);
			rc = 0;
		}
		ptrace(PTRACE_DETACH, c, 0, 0);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "listen"))
		return listen_cmd(argv[2], argv[3], atoi(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "meta"))
		return meta_cmd((pid_t)atoi(argv[2]));
	fprintf(stderr, "usage: seccomp_agent listen SOCK STATE ERRNO | seccomp_agent meta PID\n");
	return 2;
}
