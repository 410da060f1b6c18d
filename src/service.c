// SPDX-License-Identifier: GPL-2.0-only
/*
 * oci-seccomp-recorder serve: records for hooks that cannot record by
 * themselves (rootless podman runs its hooks as root of a user namespace of
 * its own, where BPF is out of reach). One request per connection on a Unix
 * seqpacket socket (protocol.h), each handled in a process of its own, so a
 * client that stalls or sends garbage holds up nobody else. Who asks is
 * taken from the kernel (SO_PEERCRED), never from the request; the caller
 * hands over what it opened itself (the container's pidfd, the output's
 * folder, the base), so root never resolves a user's path. The service
 * keeps no state of its own: recordings live in their tracers, the run
 * directory and the pinned maps, and go on across a restart of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "bpfshare.h"
#include "client.h"
#include "cmdopt.h"
#include "commands.h"
#include "hook.h"
#include "jsonutil.h"
#include "log.h"
#include "proc.h"
#include "profile.h"
#include "protocol.h"
#include "rundir.h"
#include "tracer.h"

/*
 * Connections handled at once, and of them from one user: past that a client
 * is told the service is busy, so one user stalling connections cannot keep
 * the others out.
 */
#define OSR_SERVE_MAX_CLIENTS 64
#define OSR_SERVE_MAX_PER_USER 8
/* How long a client may take to send its request or read the reply. */
#define OSR_SERVE_IO_SECONDS 5

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* A folder the caller sent for the file shown (named name in it): the caller's own. */
static int serve_folder(const struct ucred *cr, int fd, const char *name, const char *shown,
			struct output_target *t, struct osr_err *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return osr_fail(err, -ENOTDIR, "the output folder of '%s' is not a folder", shown);
	/* Written as root, so only into a folder that is the caller's own. */
	if (cr->uid != 0 && st.st_uid != cr->uid)
		return osr_fail(err, -EPERM,
				"the output folder of '%s' belongs to uid %u, not to you (uid %u)",
				shown, (unsigned int)st.st_uid, (unsigned int)cr->uid);
	return target_adopt(t, fd, name, shown, cr->uid, cr->gid, err);
}

/* The output and the stats, in the folders sent (after the pidfd, and the base if any). */
static int serve_targets(const struct ucred *cr, const struct proto_request *req, const int *fds,
			 struct tracer_config *cfg, struct osr_err *err)
{
	bool same = false;
	int r;

	r = serve_folder(cr, fds[1], req->name, req->path, &cfg->out, err);
	if (r < 0 || !req->has_stats)
		return r;
	r = serve_folder(cr, fds[req->has_input ? 3 : 2], req->stats_name, req->stats_path,
			 &cfg->stats, err);
	if (r >= 0)
		r = target_same(&cfg->stats, &cfg->out, &same, err);
	if (r >= 0 && same)
		r = osr_fail(err, -EINVAL, "'stats:' '%s' names the profile's own file '%s'",
			     req->stats_path, req->path);
	return r;
}

static int serve_start(const struct options *o, const struct ucred *cr, uid_t principal,
		       const struct proto_request *req, const int *fds, size_t nfds,
		       struct osr_err *err)
{
	_cleanup_json_ json_object *base = NULL;
	/* The folders in cfg are the connection's fds, closed by serve_one(). */
	struct tracer_config cfg = TRACER_CONFIG_INIT;
	char id[300], tenant[32];
	unsigned long long start;
	pid_t pid, again;
	int r;

	if (nfds != 2u + req->has_input + req->has_stats)
		return osr_fail(err, -EINVAL,
				"start needs the container's pidfd and the output folder%s%s (got "
				"%zu fds)",
				req->has_input ? ", the base" : "",
				req->has_stats ? ", the stats folder" : "", nfds);
	/* Pinned first: the pidfd names one process, whatever reuses its pid later. */
	r = pidfd_pid(fds[0], &pid);
	if (r < 0)
		return osr_fail(err, r, "the first fd is not the pidfd of a live process");
	r = proc_check_owner(pid, cr->uid, err);
	if (r < 0)
		return r;
	r = proc_start_time(pid, &start);
	/* Still the pidfd's process once its start time is read: the checks were of it. */
	if (r < 0 || pidfd_signal(fds[0], 0) < 0 || pidfd_pid(fds[0], &again) < 0 || again != pid)
		return osr_fail(err, -ESRCH, "process %d exited while it was being checked",
				(int)pid);
	r = serve_targets(cr, req, fds, &cfg, err);
	if (r < 0)
		return r;
	if (req->has_input) {
		r = profile_load_fd(fds[2], req->input, false, &base, &cfg.base_src, err);
		if (r < 0)
			return r;
	}
	/* A user's records apart from every other's: none can stop or replace another's. */
	snprintf(id, sizeof(id), "u%u-%s", (unsigned int)cr->uid, req->id);
	/* The quota is the principal's: a rootless user's subordinate ids share it. */
	snprintf(tenant, sizeof(tenant), OSR_TENANT_UID_PREFIX "%u", (unsigned int)principal);
	cfg.id = id;
	cfg.bundle = req->bundle[0] ? req->bundle : NULL;
	cfg.pid = pid;
	cfg.expect_start = start;
	cfg.base = base;
	cfg.input = req->has_input ? req->input : NULL;
	cfg.spec = req->spec;
	cfg.alone = req->alone;
	cfg.tenant = cr->uid ? tenant : NULL;
	cfg.tenant_quota = o->tenant_quota;
	r = recording_start(o, &cfg, err);
	if (r >= 0)
		log_info("uid %u: recording process %d into '%s'", (unsigned int)cr->uid, (int)pid,
			 req->path);
	return r;
}

/* One connection: one request, one reply. Runs in a process of its own. */
static int serve_one(const struct options *o, int conn, uid_t principal)
{
	struct timeval tv = { .tv_sec = OSR_SERVE_IO_SECONDS };
	struct proto_request req;
	struct osr_err err = { "" };
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	char buf[OSR_PROTO_MAX + 1], reply[sizeof(err.msg) + 16];
	int fds[OSR_PROTO_MAX_FDS];
	size_t len, nfds;
	int r;

	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0)
		return 1;
	r = proto_recv(conn, buf, sizeof(buf), &len, fds, &nfds);
	if (r < 0)
		r = osr_fail(&err, r, "cannot read the request: %s", osr_strerror(-r));
	else
		r = proto_parse(buf, len, &req, &err);
	if (r >= 0 && req.op == PROTO_START) {
		r = serve_start(o, &cr, principal, &req, fds, nfds, &err);
	} else if (r >= 0) {
		char id[300];

		snprintf(id, sizeof(id), "u%u-%s", (unsigned int)cr.uid, req.id);
		r = recording_stop(o, id, req.bundle[0] ? req.bundle : NULL, &err);
	}
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	if (r < 0)
		log_error("uid %u, pid %d: %s", (unsigned int)cr.uid, (int)cr.pid,
			  osr_err_text(&err, r));
	/* One line: a message must not end the reply early. */
	for (char *p = err.msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	snprintf(reply, sizeof(reply), r < 0 ? "error %s\n" : "ok\n", err.msg);
	proto_send(conn, reply, strlen(reply), NULL, 0);
	return r < 0 ? 1 : 0;
}

/* The listening socket: handed over by systemd (socket activation), or made here. */
static int listen_socket(const char *path, struct osr_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *lp = getenv("LISTEN_PID"), *lf = getenv("LISTEN_FDS");
	int fd, r, type = 0;
	socklen_t tl = sizeof(type);
	mode_t mask;
	struct stat st;
	long v;

	if (lp && lf && parse_long(lp, 1, INT_MAX, &v) >= 0 && v == getpid() &&
	    parse_long(lf, 1, 1, &v) >= 0) {
		if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_SEQPACKET)
			return osr_fail(err, -EINVAL,
					"the socket systemd passed is not a seqpacket socket "
					"(ListenSequentialPacket=)");
		fcntl(3, F_SETFD, FD_CLOEXEC);
		return 3;
	}
	if (strlen(path) >= sizeof(sa.sun_path))
		return osr_fail(err, -ENAMETOOLONG, "socket path '%s' is too long", path);
	strcpy(sa.sun_path, path);
	/* A socket left by a service that died; anything else there is not ours to remove. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return osr_fail(err, -EEXIST, "'%s' exists and is not a socket", path);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	/*
	 * Made 0666 by bind() itself: a chmod() of the path afterwards would follow
	 * whatever another user put there in between (a symlink to /etc/shadow).
	 */
	mask = umask(0111);
	r = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(mask);
	if (r < 0 || listen(fd, 64) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return osr_fail(err, -e, "cannot listen on '%s': %s", path, osr_strerror(e));
	}
	return fd;
}

static const struct cmd_option serve_opts[] = {
	CMD_LONG('q', "max-per-user", "N", "recordings one user may hold at once (default 256)"),
	CMD_OPT('h', "help", NULL, "show this help"),
	{ 0 },
};
CMD_OPTS_FIT(serve_opts);
_Static_assert(OSR_DEFAULT_TENANT_QUOTA == 256, "serve's --help says the default is 256");

const struct cmd_help serve_help = {
	.synopsis = "[--socket PATH] serve [--max-per-user N]",
	.about = "Record for hooks that cannot record by themselves (rootless podman), as root,\n"
		 "in the foreground, on a Unix socket (default " OSR_SOCKET_DEFAULT ";\n"
		 "or the one systemd passes). A user may record only their own processes, into\n"
		 "folders of their own; the files are theirs.\n",
	.opts = serve_opts,
	.status = NULL,
};

/* The connections being served, each by a child of its own. */
struct clients {
	struct {
		pid_t pid;
		uid_t uid;
	} busy[OSR_SERVE_MAX_CLIENTS];
	unsigned int n;
};

static void reap_clients(struct clients *cl)
{
	pid_t child;

	while (cl->n > 0 && (child = waitpid(-1, NULL, WNOHANG)) > 0)
		for (unsigned int i = 0; i < OSR_SERVE_MAX_CLIENTS; i++)
			if (cl->busy[i].pid == child) {
				cl->busy[i].pid = 0;
				cl->n--;
			}
}

/* Serve one connection in a child, or refuse it when the service or its caller is busy. */
static void accept_client(const struct options *o, int lfd, int conn, struct clients *cl)
{
	struct ucred cr = { .uid = (uid_t)-1 };
	socklen_t crlen = sizeof(cr);
	unsigned int mine = 0, free_at = OSR_SERVE_MAX_CLIENTS;
	pid_t child;
	uid_t who;

	getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &crlen);
	who = proc_peer_principal(conn, &cr);
	if (who == OSR_CALLER_UNKNOWN) {
		/* A hook waits for its reply: only a caller that left at once is refused. */
		static const char gone_msg[] = "error cannot tell who is calling (the process that "
					       "connected has exited), refusing\n";

		proto_send(conn, gone_msg, sizeof(gone_msg) - 1, NULL, 0);
		return;
	}
	for (unsigned int i = 0; i < OSR_SERVE_MAX_CLIENTS; i++) {
		if (cl->busy[i].pid && cl->busy[i].uid == who)
			mine++;
		if (!cl->busy[i].pid && free_at == OSR_SERVE_MAX_CLIENTS)
			free_at = i;
	}
	if (free_at == OSR_SERVE_MAX_CLIENTS || mine >= OSR_SERVE_MAX_PER_USER) {
		static const char busy_msg[] = "error the recording service is busy (too many "
					       "requests at once), try again\n";

		proto_send(conn, busy_msg, sizeof(busy_msg) - 1, NULL, 0);
		return;
	}
	fflush(NULL);
	child = fork();
	if (child == 0) {
		close(lfd);
		_exit(serve_one(o, conn, who));
	}
	if (child > 0) {
		cl->busy[free_at].pid = child;
		cl->busy[free_at].uid = who;
		cl->n++;
	}
}

/* 1 to go on, or what cmd_serve() returns. */
static int serve_parse(int argc, char **argv, struct options *o)
{
	struct cmd_getopt g;
	int c;
	long v;

	cmd_getopt_init(&g, serve_opts, "");
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			if (parse_long(optarg, 1, OSR_MAX_RECORDINGS, &v) < 0) {
				log_error("--max-per-user '%s' is not a number from 1 to %d",
					  optarg, OSR_MAX_RECORDINGS);
				return OSR_EXIT_USAGE;
			}
			o->tenant_quota = (unsigned int)v;
			break;
		case 'h':
			cmd_usage(stdout, &serve_help);
			return 0;
		default:
			cmd_usage(stderr, &serve_help);
			return OSR_EXIT_USAGE;
		}
	}
	return 1;
}

int cmd_serve(const struct options *o_in, int argc, char **argv)
{
	struct options o = *o_in;
	struct osr_err err = { "" };
	struct sigaction sa = { .sa_handler = on_stop };
	struct clients cl = { 0 };
	int lfd, r;

	r = serve_parse(argc, argv, &o);
	if (r != 1)
		return r;
	if (geteuid() != 0 || !can_record_here()) {
		log_error("serve must run as root in the initial user namespace");
		return -EPERM;
	}
	lfd = listen_socket(o.socket, &err);
	if (lfd < 0) {
		log_error("%s", osr_err_text(&err, lfd));
		return lfd;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_info("serving on '%s'", o.socket);
	while (!stopping) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		int conn;

		reap_clients(&cl);
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			continue;
		accept_client(&o, lfd, conn, &cl);
		close(conn);
	}
	log_info("stopping; recordings under way go on");
	close(lfd);
	return 0;
}
