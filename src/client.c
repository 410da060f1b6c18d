// SPDX-License-Identifier: GPL-2.0-only
/* The hook's side of the recording service, where it cannot record by itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "client.h"
#include "log.h"
#include "protocol.h"
#include "proc.h"

bool can_record_here(void)
{
	return geteuid() == 0 && proc_in_initial_userns();
}

/* One request, its reply: the service's answer or why it could not be had. */
static int ask(const struct options *o, const char *text, size_t len, const int *fds, size_t nfds,
	       struct osr_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = stage_timeout_ms(o) / 1000 + 1 };
	_cleanup_close_ int sock = -1;
	char reply[4096];
	int rfds[OSR_PROTO_MAX_FDS];
	size_t rlen, rn;
	int r;

	if (strlen(o->socket) >= sizeof(sa.sun_path))
		return osr_fail(err, -ENAMETOOLONG, "socket path '%s' is too long", o->socket);
	strcpy(sa.sun_path, o->socket);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return osr_fail(err, -errno,
				"cannot reach the recording service at '%s': %s (this hook runs "
				"as uid %u%s and cannot record by itself: run 'oci-seccomp-recorder "
				"serve' as root, or enable its systemd socket)",
				o->socket, osr_strerror(errno), (unsigned int)getuid(),
				geteuid() == 0 ? " in a user namespace" : "");
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	r = proto_send(sock, text, len, fds, nfds);
	if (r >= 0)
		r = proto_recv(sock, reply, sizeof(reply) - 1, &rlen, rfds, &rn);
	for (size_t i = 0; r >= 0 && i < rn; i++)
		close(rfds[i]);
	if (r < 0)
		return osr_fail(err, r, "the recording service at '%s' did not answer: %s",
				o->socket, osr_strerror(-r));
	reply[rlen] = '\0';
	reply[strcspn(reply, "\n")] = '\0';
	if (!strcmp(reply, "ok"))
		return 0;
	if (!strncmp(reply, "error ", 6))
		return osr_fail(err, -EPERM, "the recording service: %s", reply + 6);
	return osr_fail(err, -EPROTO, "the recording service answered something else than ok");
}

/*
 * The folder of path, opened as the user (what the user may reach is all the
 * service gets), and the file's name in it.
 */
static int open_folder(const char *path, char *name, size_t size, struct osr_err *err)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	if (!slash || !slash[1])
		return osr_fail(err, -EINVAL, "'%s' does not name a file", path);
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return osr_fail(err, -errno, "cannot open the output folder '%s': %s", dir,
				osr_strerror(errno));
	snprintf(name, size, "%s", slash + 1);
	return fd;
}

int client_start(const struct options *o, const struct oci_state *st,
		 const struct trace_request *req, const struct tracer_config *cfg,
		 struct osr_err *err)
{
	struct proto_request pr = { .op = PROTO_START, .spec = cfg->spec };
	_cleanup_close_ int pidfd = -1, dirfd = -1, basefd = -1, statsfd = -1;
	char text[OSR_PROTO_MAX];
	int fds[OSR_PROTO_MAX_FDS], n;
	size_t nfds = 2;

	dirfd = open_folder(req->output, pr.name, sizeof(pr.name), err);
	if (dirfd < 0)
		return dirfd;
	if (req->stats) {
		statsfd = open_folder(req->stats, pr.stats_name, sizeof(pr.stats_name), err);
		if (statsfd < 0)
			return statsfd;
		pr.has_stats = true;
		snprintf(pr.stats_path, sizeof(pr.stats_path), "%s", req->stats);
	}
	if (req->input) {
		basefd = open(req->input, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (basefd < 0)
			return osr_fail(err, -errno, "cannot open base profile '%s': %s",
					req->input, osr_strerror(errno));
	}
	pidfd = process_pidfd(st->pid, 0);
	if (pidfd < 0)
		return osr_fail(err, pidfd, "cannot open the container's process %d: %s",
				(int)st->pid, osr_strerror(-pidfd));
	/* As the hook does: unknown, assume privileges are dropped after the filter. */
	if (st->bundle && bundle_no_new_privs(st->bundle, &pr.spec.no_new_privs, err) < 0)
		log_warn("%s; assuming noNewPrivileges is false, ignoring", err->msg);
	pr.alone = o->alone;
	snprintf(pr.id, sizeof(pr.id), "%s", st->id);
	snprintf(pr.path, sizeof(pr.path), "%s", req->output);
	snprintf(pr.bundle, sizeof(pr.bundle), "%s", st->bundle ? st->bundle : "");
	if (req->input) {
		pr.has_input = true;
		snprintf(pr.input, sizeof(pr.input), "%s", req->input);
	}
	n = proto_render(&pr, text, sizeof(text));
	if (n < 0)
		return osr_fail(err, n, "the request for '%s' %s", req->output,
				n == -ENAMETOOLONG ? "is too long" : "holds a control character");
	fds[0] = pidfd;
	fds[1] = dirfd;
	if (basefd >= 0)
		fds[nfds++] = basefd;
	if (statsfd >= 0)
		fds[nfds++] = statsfd;
	return ask(o, text, (size_t)n, fds, nfds, err);
}

int client_stop(const struct options *o, const char *id, const char *bundle, struct osr_err *err)
{
	struct proto_request pr = { .op = PROTO_STOP };
	char text[OSR_PROTO_MAX];
	int n;

	snprintf(pr.id, sizeof(pr.id), "%s", id);
	snprintf(pr.bundle, sizeof(pr.bundle), "%s", bundle ? bundle : "");
	n = proto_render(&pr, text, sizeof(text));
	if (n < 0)
		return osr_fail(err, n, "the request for '%s' %s", id,
				n == -ENAMETOOLONG ? "is too long" : "holds a control character");
	return ask(o, text, (size_t)n, NULL, 0, err);
}
