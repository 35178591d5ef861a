/*
 * listener.c - hand a seccomp notification listener to the agent at an OCI
 * profile's listenerPath, as runc and crun do (docs/oci.md, "listenerPath").
 *
 * runtime-spec config-linux.md: the runtime connects to the AF_UNIX
 * SOCK_STREAM socket at listenerPath, sends one container process state
 * (JSON) with the listener fd in SCM_RIGHTS ("fds": ["seccompFd"]), and
 * closes the connection; a failure is an error.  jitk has no container, so
 * the state describes the command (docs/oci.md says what is sent).
 *
 * Order, and why:
 *   1. cli_listener_open, before anything runs: connect (an unreachable
 *      agent is an error before the command starts);
 *   2. cli_listener_prepare, in the process that will exec, before the
 *      filter: the state JSON with its pid, the message, and a check that
 *      the policy lets exactly that sendmsg through (after step 3 the
 *      filter is in force for jitk too: a refused or notified sendmsg would
 *      fail or hang, as a notified write hangs runc);
 *   3. jitk_load with JITK_LOAD_NEW_LISTENER;
 *   4. cli_listener_send: one sendmsg, nothing else.  The socket and the
 *      listener are O_CLOEXEC (the kernel opens listeners so), so the exec
 *      closes both: the command never holds the fd that answers for it.
 */
#include "cli.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The runtime-spec version that defined the container process state. */
#define LISTENER_OCI_VERSION "1.0.2"

bool cli_listener_open(struct cli_listener *L, const char *path, const char *metadata, const jitk_policy *p,
		       const char *policy_name, const char *cmd, char *err, size_t cap)
{
	memset(L, 0, sizeof *L);
	L->sock = -1;
	L->metadata = metadata;
	L->policy = p;
	L->policy_name = policy_name;
	L->cmd = cmd;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, cap, "listenerPath %s: longer than a UNIX socket path may be", path);
		return false;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	L->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (L->sock < 0 || connect(L->sock, (struct sockaddr *)&sa, sizeof sa) < 0) {
		snprintf(err, cap, "cannot connect to the seccomp agent at listenerPath %s: %s", path,
			 strerror(errno));
		if (L->sock >= 0)
			close(L->sock);
		L->sock = -1;
		return false;
	}
	return true;
}

/* The container process state of the command (runtime-spec). */
static char *state_json(const struct cli_listener *L)
{
	long pid = (long)getpid();
	char id[64], cwd[4096];
	snprintf(id, sizeof id, "jitk-run-%ld", pid);
	if (!getcwd(cwd, sizeof cwd))
		snprintf(cwd, sizeof cwd, "/");
	json_object *st = json_object_new_object(), *top = json_object_new_object();
	json_object *fds = json_object_new_array(), *ann = json_object_new_object();
	char *out = NULL;
	if (st && top && fds && ann) {
		json_object_object_add(top, "ociVersion", json_object_new_string(LISTENER_OCI_VERSION));
		json_object_array_add(fds, json_object_new_string("seccompFd"));
		json_object_object_add(top, "fds", fds);
		json_object_object_add(top, "pid", json_object_new_int64(pid));
		if (L->metadata)
			json_object_object_add(top, "metadata", json_object_new_string(L->metadata));
		json_object_object_add(st, "ociVersion", json_object_new_string(LISTENER_OCI_VERSION));
		json_object_object_add(st, "id", json_object_new_string(id));
		json_object_object_add(st, "status", json_object_new_string("creating"));
		json_object_object_add(st, "pid", json_object_new_int64(pid));
		json_object_object_add(st, "bundle", json_object_new_string(cwd));
		json_object_object_add(ann, "org.jitk.policy", json_object_new_string(L->policy_name));
		json_object_object_add(ann, "org.jitk.command", json_object_new_string(L->cmd));
		json_object_object_add(st, "annotations", ann);
		json_object_object_add(top, "state", st);
		fds = ann = st = NULL;
		const char *s = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN);
		out = s ? strdup(s) : NULL;
	}
	json_object_put(fds);
	json_object_put(ann);
	json_object_put(st);
	json_object_put(top);
	return out;
}

bool cli_listener_prepare(struct cli_listener *L, char *err, size_t cap)
{
	free(L->state);
	if (!(L->state = state_json(L))) {
		snprintf(err, cap, "out of memory");
		return false;
	}
	L->iov = (struct iovec){ .iov_base = L->state, .iov_len = strlen(L->state) };
	L->msg = (struct msghdr){ .msg_iov = &L->iov,
				  .msg_iovlen = 1,
				  .msg_control = L->ctl.buf,
				  .msg_controllen = CMSG_SPACE(sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&L->msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	/* The call cli_listener_send makes, as the filter will see it. */
#if defined(__x86_64__)
	const jitk_arch native = JITK_ARCH_X86_64;
#elif defined(__aarch64__)
	const jitk_arch native = JITK_ARCH_AARCH64;
#else
	const jitk_arch native = JITK_ARCH_I386;
#endif
	struct seccomp_data sd = {
		.nr = jitk_syscall_nr(native, "sendmsg"),
		.arch = jitk_arch_audit(native),
		.args = { (uint64_t)L->sock, (uint64_t)(uintptr_t)&L->msg, MSG_NOSIGNAL },
	};
	uint32_t ret = jitk_policy_eval(L->policy, &sd);
	uint32_t act = ret & JITK_RET_ACTION_FULL;
	if (act != JITK_RET_ALLOW && act != JITK_RET_LOG) {
		snprintf(err, cap,
			 "the policy answers sendmsg with %s: jitk hands the listener to listenerPath "
			 "with one sendmsg after the filter is in force, so the policy must allow it",
			 jitk_action_name(ret));
		return false;
	}
	return true;
}

bool cli_listener_send(struct cli_listener *L, int fd, char *err, size_t cap)
{
	/* Only memory writes and one sendmsg here: the filter is in force. */
	struct cmsghdr *c = CMSG_FIRSTHDR(&L->msg);
	if (!c) { /* msg_controllen too small: cli_listener_prepare was not called */
		snprintf(err, cap, "cannot send the listener: no control message prepared");
		return false;
	}
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	ssize_t n = sendmsg(L->sock, &L->msg, MSG_NOSIGNAL);
	if (n != (ssize_t)L->iov.iov_len) {
		snprintf(err, cap, "cannot send the listener to the seccomp agent: %s",
			 n < 0 ? strerror(errno) : "short write");
		return false;
	}
	return true;
}

void cli_listener_close(struct cli_listener *L)
{
	if (L->sock >= 0)
		close(L->sock);
	L->sock = -1;
	free(L->state);
	L->state = NULL;
}
