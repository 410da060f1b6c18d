// SPDX-License-Identifier: GPL-2.0-only
/*
 * The watch-mode listener: one thread, one epoll loop over its socket, the
 * connections on it, and each watched container's notify fds. Level-
 * triggered, one notification per ready fd per round: a container that
 * floods it with refused calls gets its turn like every other, and never
 * more than one (tests/integration/watch.sh measures it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <linux/seccomp.h>

#include "annotation.h"
#include "fileio.h"
#include "jsonutil.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "state.h"
#include "tenant.h"
#include "watch.h"
#include "watched.h"

#define LISTEN_MAX_CONTAINERS 1024
#define LISTEN_MAX_CONNS 32
/* Of them from one user (root aside): one user's stalled connections cannot keep the others out. */
#define LISTEN_MAX_CONNS_PER_USER 8
/* A connection that has not said what it wants by then is closed. */
#define LISTEN_CONN_MS 2000
/* State files of containers that changed are rewritten at most this often. */
#define LISTEN_FLUSH_MS 1000

enum tag_type { TAG_SOCK = 1, TAG_CONN, TAG_NOTIFY, TAG_PIDFD };
#define TAG(type, slot, idx) ((uint64_t)(type) << 56 | (uint64_t)(slot) << 8 | (idx))

struct conn {
	int fd, passed_fd;
	struct ucred cr; /* who connected, from the kernel */
	uid_t principal; /* whom they count as for LISTEN_MAX_CONNS_PER_USER */
	char *buf;
	size_t len;
	uint64_t deadline;
};

struct listener {
	int sock, ep;
	const char *state_dir, *out_root;
	struct watched *c[LISTEN_MAX_CONTAINERS];
	struct conn conns[LISTEN_MAX_CONNS];
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct seccomp_notif_sizes sizes;
	uint64_t flushed;
};

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	stopping = sig;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- state files ---------------------------------------------------------- */

/* Two users may name containers alike: a rootless user's state files carry their uid. */
static void state_path(const struct listener *l, const struct watched *w, char *buf, size_t size)
{
	if (w->owner == 0)
		snprintf(buf, size, "%s/%s.json", l->state_dir, w->id);
	else
		snprintf(buf, size, "%s/u%u-%s.json", l->state_dir, (unsigned int)w->owner, w->id);
}

static void save_state(struct listener *l, struct watched *w)
{
	_cleanup_json_ json_object *o = watched_to_state(w);
	_cleanup_free_ char *text = o ? json_to_text(o) : NULL;
	char path[PATH_MAX];
	struct osr_err err = { "" };

	state_path(l, w, path, sizeof(path));
	if (!text || write_file_atomic(path, place_as_given(), text, strlen(text), 0600, &err) < 0)
		log_warn("listen: cannot keep the state of container '%s': %s, ignoring", w->id,
			 text ? err.msg : "out of memory");
	else
		w->dirty = false;
}

static void flush_states(struct listener *l, bool all)
{
	uint64_t now = now_ms();

	if (!all && now < l->flushed + LISTEN_FLUSH_MS)
		return;
	l->flushed = now;
	for (size_t i = 0; i < LISTEN_MAX_CONTAINERS; i++)
		if (l->c[i] && (l->c[i]->dirty || all))
			save_state(l, l->c[i]);
}

/*
 * A rootless user's learned file is written by a child with their uid and
 * gid, so it lands only where they may write themselves: root never writes
 * a path a user named.
 */
static int write_learned(const struct listener *l, const struct watched *w, const char *text,
			 struct osr_err *err)
{
	struct place where = place_beneath_or_strict(l->out_root);
	int pfd[2], status = 0;
	ssize_t n;
	pid_t child;

	if (w->owner == 0)
		return write_file_atomic(w->learned, where, text, strlen(text), 0644, err);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return osr_fail(err, -errno, "pipe: %s", osr_strerror(errno));
	child = fork();
	if (child == 0) {
		int r = -EPERM;

		close(pfd[0]);
		if (setgroups(0, NULL) < 0 ||
		    setresgid(w->owner_gid, w->owner_gid, w->owner_gid) < 0 ||
		    setresuid(w->owner, w->owner, w->owner) < 0)
			osr_fail(err, -errno, "cannot become uid %u: %s", (unsigned int)w->owner,
				 osr_strerror(errno));
		else
			r = write_file_atomic(w->learned, where, text, strlen(text), 0644, err);
		if (r < 0)
			write_all(pfd[1], err->msg, strlen(err->msg));
		_exit(r < 0);
	}
	close(pfd[1]);
	if (child < 0) {
		close(pfd[0]);
		return osr_fail(err, -errno, "fork: %s", osr_strerror(errno));
	}
	n = read(pfd[0], err->msg, sizeof(err->msg) - 1);
	err->msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return n > 0 ? -EPERM
			     : osr_fail(err, -EIO, "the writer as uid %u failed",
					(unsigned int)w->owner);
	return 0;
}

/* The container is gone: its learned calls to their file, its state removed. */
static void container_end(struct listener *l, size_t slot)
{
	struct watched *w = l->c[slot];
	_cleanup_json_ json_object *p = watched_learned_profile(w);
	_cleanup_free_ char *text = p ? json_to_text(p) : NULL;
	struct osr_err err = { "" };
	char path[PATH_MAX];

	if (w->learned[0]) {
		if (!text || write_learned(l, w, text, &err) < 0)
			log_error("listen: cannot write what container '%s' learned: %s", w->id,
				  text ? err.msg : "out of memory");
		else
			log_info("listen: container '%s' ended: %zu distinct calls (%llu dropped) "
				 "written to '%s'",
				 w->id, w->n, (unsigned long long)w->dropped, w->learned);
	}
	state_path(l, w, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("listen: cannot remove '%s': %s, ignoring", path, osr_strerror(errno));
	if (w->pidfd >= 0)
		epoll_ctl(l->ep, EPOLL_CTL_DEL, w->pidfd, NULL);
	watched_free(w);
	free(w);
	l->c[slot] = NULL;
}

/*
 * The container id names for uid: root sees every user's, anyone else only
 * their own, so that another's container is as absent as one that never was.
 * -1 none; -2 for root when users' containers share the id (a user may name
 * theirs as they like): root is not to act on one it did not mean.
 */
static ssize_t find_container(const struct listener *l, const char *id, uid_t uid)
{
	ssize_t found = -1;

	for (size_t i = 0; i < LISTEN_MAX_CONTAINERS; i++) {
		if (!l->c[i] || strcmp(l->c[i]->id, id) || (uid != 0 && l->c[i]->owner != uid))
			continue;
		if (found >= 0)
			return -2;
		found = (ssize_t)i;
	}
	return found;
}

/* The reply when find_container() found none, or several. */
static char *reply_none(const char *id, ssize_t slot)
{
	char *reply = NULL;

	if (asprintf(&reply,
		     slot == -2 ? "error: users' containers share the id '%s': ask as its owner\n"
				: "error: no watched container '%s'\n",
		     id) < 0)
		reply = NULL;
	return reply;
}

/* The container a handover from uid joins: its own of that id (root's are root's). */
static ssize_t find_owned(const struct listener *l, const char *id, uid_t uid)
{
	for (size_t i = 0; i < LISTEN_MAX_CONTAINERS; i++)
		if (l->c[i] && !strcmp(l->c[i]->id, id) && l->c[i]->owner == uid)
			return (ssize_t)i;
	return -1;
}

static ssize_t free_slot(const struct listener *l)
{
	for (size_t i = 0; i < LISTEN_MAX_CONTAINERS; i++)
		if (!l->c[i])
			return (ssize_t)i;
	return -1;
}

/*
 * A state file left by an earlier listener. Its notify fds died with that
 * listener (the kernel then fails the container's notified calls with
 * ENOSYS, and nothing can attach to the filter again), but its policy and
 * what it learned are kept, and its learned file is still written when its
 * init exits, watched through a pidfd.
 */
static void restore_one(struct listener *l, int dirfd, const char *name)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_json_ json_object *o = NULL;
	struct osr_err err = { "" };
	struct watched *w;
	ssize_t slot = free_slot(l);

	if (fd < 0 || slot < 0 || json_load_file(fd, LISTEN_MSG_MAX, name, &o, &err) < 0)
		goto bad;
	w = calloc(1, sizeof(*w));
	if (!w)
		goto bad;
	watched_init(w);
	l->c[slot] = w;
	if (watched_from_state(o, w, &err) < 0 || find_owned(l, w->id, w->owner) != slot) {
		watched_free(w);
		free(w);
		l->c[slot] = NULL;
		goto bad;
	}
	w->pidfd = w->pid > 0 ? process_pidfd(w->pid, w->start) : -1;
	if (w->pidfd < 0 ||
	    epoll_ctl(l->ep, EPOLL_CTL_ADD, w->pidfd,
		      &(struct epoll_event){ .events = EPOLLIN,
					     .data.u64 = TAG(TAG_PIDFD, slot, 0) }) < 0) {
		log_info("listen: container '%s' ended while no listener ran", w->id);
		container_end(l, (size_t)slot);
		return;
	}
	log_info("listen: container '%s' kept from an earlier listener: policy %s, %zu distinct "
		 "calls; its notified calls now fail with ENOSYS (a listener cannot attach again)",
		 w->id, watch_policy_name(w->policy), w->n);
	return;
bad:
	log_warn("listen: cannot take over state file '%s/%s': %s, ignoring", l->state_dir, name,
		 err.msg[0] ? err.msg : "unreadable or too many containers");
}

static int restore_states(struct listener *l)
{
	DIR *d = opendir(l->state_dir);
	struct dirent *e;

	if (!d) {
		log_error("listen: cannot open the state folder '%s': %s", l->state_dir,
			  osr_strerror(errno));
		return -errno;
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 5 && !strcmp(e->d_name + n - 5, ".json") && e->d_name[0] != '.')
			restore_one(l, dirfd(d), e->d_name);
	}
	closedir(d);
	return 0;
}

/* ---- a runtime hands a container over ------------------------------------ */

struct handover {
	const char *id, *metadata, *policy, *learned, *k8s_namespace;
	pid_t pid;
};

/* The OCI ContainerProcessState: its first fd must be the seccomp fd. */
static int parse_handover(json_object *o, struct handover *h, struct osr_err *err)
{
	json_object *fds = json_get_array(o, "fds"), *state, *ann, *pid;

	if (!fds || json_object_array_length(fds) != 1 || !json_str_at(fds, 0) ||
	    strcmp(json_str_at(fds, 0), "seccompFd"))
		return osr_fail(err, -EINVAL, "'fds' is not [\"seccompFd\"]");
	if (!json_object_object_get_ex(o, "state", &state) ||
	    !json_object_is_type(state, json_type_object))
		return osr_fail(err, -EINVAL, "no 'state' object");
	h->id = json_get_string(state, "id");
	if (!h->id || !container_id_valid(h->id))
		return osr_fail(err, -EINVAL, "no usable container id");
	if (!json_object_object_get_ex(o, "pid", &pid) || !json_object_is_type(pid, json_type_int) ||
	    json_object_get_int64(pid) <= 0 || json_object_get_int64(pid) > INT32_MAX)
		return osr_fail(err, -EINVAL, "no usable 'pid'");
	h->pid = (pid_t)json_object_get_int64(pid);
	h->metadata = json_get_string(o, "metadata");
	if (json_object_object_get_ex(state, "annotations", &ann) &&
	    json_object_is_type(ann, json_type_object)) {
		h->policy = json_get_string(ann, OSR_WATCH_POLICY_ANNOTATION);
		h->learned = json_get_string(ann, OSR_WATCH_LEARNED_ANNOTATION);
		h->k8s_namespace = json_get_string(ann, OSR_K8S_NAMESPACE_ANNOTATION);
	}
	return 0;
}

/* A new watched container from its handover: its policy and learned file from the annotations. */
static int watched_new(const struct listener *l, const struct handover *h, const struct ucred *cr,
		       struct watched **out, struct osr_err *err)
{
	_cleanup_free_ struct watched *w = calloc(1, sizeof(*w));
	_cleanup_free_ char *learned = NULL;
	struct osr_esc e;

	if (!w)
		return osr_fail(err, -ENOMEM, "out of memory");
	watched_init(w);
	snprintf(w->id, sizeof(w->id), "%s", h->id);
	w->owner = cr->uid;
	w->owner_gid = cr->gid;
	if (h->policy && watch_policy_parse(h->policy, &w->policy) < 0)
		return osr_fail(err, -EINVAL, "annotation %s '%s' is not complain, enforce or kill",
				OSR_WATCH_POLICY_ANNOTATION, osr_escape(h->policy, SIZE_MAX, &e));
	if (h->learned) {
		int r = learned_parse(h->learned, l->out_root, h->k8s_namespace, &learned, err);

		if (r < 0)
			return r;
		if (strlen(learned) >= sizeof(w->learned))
			return osr_fail(err, -ENAMETOOLONG, "annotation %s names a path too long",
					OSR_WATCH_LEARNED_ANNOTATION);
		snprintf(w->learned, sizeof(w->learned), "%s", learned);
	}
	w->errno_ret = watch_metadata_errno(h->metadata);
	w->errno_given = h->metadata && !strncmp(h->metadata, "errno=", 6);
	w->pid = h->pid;
	if (proc_start_time(h->pid, &w->start) < 0 ||
	    (w->pidfd = process_pidfd(h->pid, w->start)) < 0)
		return osr_fail(err, -ESRCH, "its process %d is gone", h->pid);
	w->attached = true;
	w->dirty = true;
	*out = w;
	w = NULL;
	return 0;
}

/*
 * A container the listener will not watch is killed, not left to run: a
 * policy annotation it cannot read must not fail open (complain), and its
 * notified calls would otherwise fail with ENOSYS, unexplained. Only after
 * the caller was found to own the process.
 */
static void refuse_container(const struct handover *h)
{
	unsigned long long start;
	_cleanup_close_ int pidfd = -1;

	if (proc_start_time(h->pid, &start) >= 0 && (pidfd = process_pidfd(h->pid, start)) >= 0)
		pidfd_signal(pidfd, SIGKILL);
}

/*
 * Take the container's notify fd: a new container, or one more fd of one
 * (runc exec). The caller must own the process (proc_check_owner: root, or
 * the rootless user whose user namespace made its PID namespace), and joins
 * only a container of its own.
 */
static int take_container(struct listener *l, const struct handover *h, const struct ucred *cr,
			  int *fd, bool *refuse, struct osr_err *err)
{
	ssize_t slot;
	struct watched *w = NULL;
	size_t i;
	int r;

	if ((r = proc_check_owner(h->pid, cr->uid, err)) < 0)
		return r;
	slot = find_owned(l, h->id, cr->uid);
	if (slot < 0) {
		if ((slot = free_slot(l)) < 0)
			r = osr_fail(err, -EMFILE, "%d containers are watched already",
				     LISTEN_MAX_CONTAINERS);
		else
			r = watched_new(l, h, cr, &w, err);
		/* Killed by the caller once the reason is logged: it is there when runc returns. */
		if (r < 0) {
			*refuse = true;
			return osr_wrap(err, r, "killed it");
		}
		l->c[slot] = w;
	}
	w = l->c[slot];
	for (i = 0; i < WATCH_MAX_FDS && w->fds[i] >= 0; i++)
		;
	if (i == WATCH_MAX_FDS)
		return osr_fail(err, -EMFILE, "it has %d processes watched already", WATCH_MAX_FDS);
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, *fd,
		      &(struct epoll_event){ .events = EPOLLIN,
					     .data.u64 = TAG(TAG_NOTIFY, slot, i) }) < 0)
		return osr_fail(err, -errno, "cannot watch its fd: %s", osr_strerror(errno));
	w->fds[i] = take_fd(fd);
	w->nfds++;
	save_state(l, w);
	log_info("listen: watching container '%s' (pid %d), policy %s, enforce errno %d", w->id,
		 w->pid, watch_policy_name(w->policy), w->errno_ret);
	return 0;
}

/* ---- a notified call ------------------------------------------------------ */

static void read_comm(pid_t pid, char comm[16])
{
	char path[32];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, comm, 15)) <= 0)
		return;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

static void handle_notify(struct listener *l, size_t slot, size_t idx)
{
	struct watched *w = l->c[slot];
	int fd = w->fds[idx];
	char comm[16];

	memset(l->req, 0, l->sizes.seccomp_notif);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, l->req) < 0)
		return; /* ENOENT: the caller was gone before we read it */
	read_comm(l->req->pid, comm);
	/* The pid may be another process's by now: keep what was read only if it was the caller. */
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &l->req->id) < 0)
		return;
	size_t known = w->n;

	watched_note(w, l->req->data.arch, l->req->data.nr, (const uint64_t *)l->req->data.args,
		     l->req->pid, comm, wall_ms());
	/* A new call is kept at once (at most WATCH_MAX_ENTRIES writes): a listener that dies
	 * loses at most the last second's counts, never a call. */
	if (w->n > known)
		save_state(l, w);
	memset(l->resp, 0, l->sizes.seccomp_notif_resp);
	l->resp->id = l->req->id;
	switch (w->policy) {
	case WATCH_COMPLAIN:
		l->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		break;
	case WATCH_KILL:
		if (pidfd_signal(w->pidfd, SIGKILL) >= 0 && w->notified == 1)
			log_info("listen: killed container '%s' for a call its profile lacks",
				 w->id);
		/* The caller must not go on while it dies. */
		__attribute__((fallthrough));
	case WATCH_ENFORCE:
		l->resp->error = -w->errno_ret;
		break;
	}
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, l->resp);
}

/* One of the container's processes and its children are gone: its fd says so. */
static void notify_hangup(struct listener *l, size_t slot, size_t idx)
{
	struct watched *w = l->c[slot];

	epoll_ctl(l->ep, EPOLL_CTL_DEL, w->fds[idx], NULL);
	close(w->fds[idx]);
	w->fds[idx] = -1;
	if (--w->nfds == 0)
		container_end(l, slot);
}

/* ---- requests from people -------------------------------------------------- */

static char *reply_policy(struct listener *l, uid_t uid, char *id, char *mode)
{
	ssize_t slot = id ? find_container(l, id, uid) : -1;
	enum watch_policy p;
	char *reply = NULL;

	if (!mode || watch_policy_parse(mode, &p) < 0)
		return strdup("error: give a container id and complain, enforce or kill\n");
	if (slot < 0)
		return reply_none(id, slot);
	l->c[slot]->policy = p;
	save_state(l, l->c[slot]);
	log_info("listen: container '%s' now in policy %s (asked by uid %u)", id, mode,
		 (unsigned int)uid);
	if (asprintf(&reply, "container '%s': policy %s%s\n", id, mode,
		     l->c[slot]->nfds ? ""
				      : " (but its listener was lost: its notified calls fail with "
					"ENOSYS whatever the policy)") < 0)
		reply = NULL;
	return reply;
}

/* A request from uid: about its own containers only, unless root. */
static char *reply_to(struct listener *l, uid_t uid, char *line)
{
	char *save = NULL, *verb = strtok_r(line, " \n", &save);
	char *id = strtok_r(NULL, " \n", &save), *arg = strtok_r(NULL, " \n", &save);
	ssize_t slot;

	if (verb && !strcmp(verb, "ping"))
		return strdup("ok\n");
	if (verb && !strcmp(verb, "policy"))
		return reply_policy(l, uid, id, arg);
	if (verb && !strcmp(verb, "report") && id) {
		slot = find_container(l, id, uid);
		return slot >= 0 ? watched_report(l->c[slot]) : reply_none(id, slot);
	}
	return strdup("error: unknown request (ping, policy ID MODE, report ID)\n");
}

/* ---- connections ----------------------------------------------------------- */

static void conn_close(struct listener *l, size_t i)
{
	struct conn *c = &l->conns[i];

	if (c->fd >= 0) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	if (c->passed_fd >= 0)
		close(c->passed_fd);
	free(c->buf);
	*c = (struct conn){ .fd = -1, .passed_fd = -1 };
}

static void conn_reply(struct conn *c, const char *text)
{
	int flags = fcntl(c->fd, F_GETFL);

	/* A reader that does not read gets a second, not the listener. */
	if (flags >= 0)
		fcntl(c->fd, F_SETFL, flags & ~O_NONBLOCK);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &(struct timeval){ .tv_sec = 1 },
		   sizeof(struct timeval));
	write_all(c->fd, text ? text : "error: out of memory\n",
		  strlen(text ? text : "error: out of memory\n"));
}

/* A whole message: a container handed over, or a request. */
static void conn_finish(struct listener *l, size_t i)
{
	struct conn *c = &l->conns[i];
	_cleanup_json_ json_object *o = NULL;
	struct handover h = { 0 };
	struct osr_err err = { "" };
	bool refuse = false;

	if (c->passed_fd < 0) {
		_cleanup_free_ char *reply =
			reply_to(l, c->cr.uid, c->buf ? c->buf : (char[]){ "" });

		conn_reply(c, reply);
	} else if (json_parse_object(c->buf, c->len, LISTEN_MSG_MAX, "container state", &o, &err) <
			   0 ||
		   parse_handover(o, &h, &err) < 0 ||
		   take_container(l, &h, &c->cr, &c->passed_fd, &refuse, &err) < 0) {
		/* Its notified calls now fail with ENOSYS: the fd is closed below. */
		log_error("listen: cannot watch container '%s': %s", h.id ? h.id : "?", err.msg);
		if (refuse)
			refuse_container(&h);
	}
	conn_close(l, i);
}

/* Whether what arrived is all of it: a line, or a JSON object that came with an fd. */
static bool conn_complete(const struct conn *c)
{
	size_t n = c->len;

	if (c->passed_fd < 0)
		return memchr(c->buf, '\n', n) != NULL;
	while (n && strchr(" \t\r\n", c->buf[n - 1]))
		n--;
	if (!n || c->buf[n - 1] != '}')
		return false;
	json_object *o = json_tokener_parse(c->buf);

	json_object_put(o);
	return o != NULL;
}

static void conn_read(struct listener *l, size_t i)
{
	struct conn *c = &l->conns[i];
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov;
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	ssize_t n;

	if (!c->buf && !(c->buf = malloc(LISTEN_MSG_MAX + 1)))
		return conn_close(l, i);
	iov = (struct iovec){ c->buf + c->len, LISTEN_MSG_MAX - c->len };
	n = recvmsg(c->fd, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); n >= 0 && h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(h) + k * sizeof(int), sizeof(int));
			if (c->passed_fd < 0)
				c->passed_fd = fd;
			else
				close(fd);
		}
	}
	if (n < 0 || (n == 0 && c->len == 0) || (n > 0 && c->len + (size_t)n >= LISTEN_MSG_MAX))
		return conn_close(l, i);
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (n == 0 || conn_complete(c))
		conn_finish(l, i);
}

/* A free connection slot for principal, or LISTEN_MAX_CONNS when full or over its share. */
static size_t conn_slot(const struct listener *l, uid_t principal)
{
	size_t i, free_i = LISTEN_MAX_CONNS, theirs = 0;

	for (i = 0; i < LISTEN_MAX_CONNS; i++) {
		if (l->conns[i].fd < 0 && free_i == LISTEN_MAX_CONNS)
			free_i = i;
		else if (l->conns[i].fd >= 0 && l->conns[i].principal == principal)
			theirs++;
	}
	if (principal == OSR_CALLER_UNKNOWN ||
	    (principal != 0 && theirs >= LISTEN_MAX_CONNS_PER_USER))
		return LISTEN_MAX_CONNS;
	return free_i;
}

static void conn_accept(struct listener *l)
{
	int fd;

	while ((fd = accept4(l->sock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		struct ucred cr = { .uid = (uid_t)-1 };
		socklen_t len = sizeof(cr);
		uid_t principal = OSR_CALLER_UNKNOWN;
		size_t i;

		/* Root is root in any namespace: a runtime that sent and left is still taken. */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0)
			principal = cr.uid == 0 ? 0 : proc_peer_principal(fd, &cr);
		i = conn_slot(l, principal);
		if (i == LISTEN_MAX_CONNS ||
		    epoll_ctl(l->ep, EPOLL_CTL_ADD, fd,
			      &(struct epoll_event){ .events = EPOLLIN,
						     .data.u64 = TAG(TAG_CONN, 0, i) }) < 0) {
			close(fd);
			continue;
		}
		l->conns[i] = (struct conn){ .fd = fd,
					     .passed_fd = -1,
					     .cr = cr,
					     .principal = principal,
					     .deadline = now_ms() + LISTEN_CONN_MS };
	}
}

static void conns_expire(struct listener *l)
{
	uint64_t now = now_ms();

	for (size_t i = 0; i < LISTEN_MAX_CONNS; i++)
		if (l->conns[i].fd >= 0 && now > l->conns[i].deadline)
			conn_close(l, i);
}

/* ---- the loop -------------------------------------------------------------- */

static void dispatch(struct listener *l, uint64_t tag, uint32_t events)
{
	unsigned int type = (unsigned int)(tag >> 56), idx = (unsigned int)(tag & 0xff);
	size_t slot = (size_t)((tag >> 8) & 0xffffff);

	switch (type) {
	case TAG_SOCK:
		conn_accept(l);
		break;
	case TAG_CONN:
		conn_read(l, idx);
		break;
	case TAG_NOTIFY:
		if (!l->c[slot] || l->c[slot]->fds[idx] < 0)
			break;
		if (events & EPOLLIN)
			handle_notify(l, slot, idx);
		else if (events & (EPOLLHUP | EPOLLERR))
			notify_hangup(l, slot, idx);
		break;
	case TAG_PIDFD:
		if (l->c[slot])
			container_end(l, slot);
		break;
	}
}

/*
 * The socket, for every user: rootless runtimes hand their containers over
 * too, and each request is answered for the caller's own containers only
 * (the kernel's SO_PEERCRED). A stale one (nobody listening) is replaced, a
 * live one never.
 */
static int open_socket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	_cleanup_close_ int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(a.sun_path)) {
		log_error("listen: socket path '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	if (fd < 0 || probe < 0)
		return -errno;
	if (connect(probe, (struct sockaddr *)&a, sizeof(a)) == 0) {
		log_error("listen: a listener answers at '%s' already", path);
		return -EADDRINUSE;
	}
	if (errno == ECONNREFUSED)
		unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(path, 0666) < 0 ||
	    listen(fd, 64) < 0) {
		int r = -errno;

		log_error("listen: cannot listen at '%s': %s", path, osr_strerror(-r));
		return r;
	}
	return take_fd(&fd);
}

static int listener_init(struct listener *l, const char *socket_path)
{
	struct sigaction sa = { .sa_handler = on_stop };

	for (size_t i = 0; i < LISTEN_MAX_CONNS; i++)
		l->conns[i] = (struct conn){ .fd = -1, .passed_fd = -1 };
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &l->sizes) < 0) {
		log_error("listen: this kernel has no seccomp user notifier: %s",
			  osr_strerror(errno));
		return -errno;
	}
	l->req = calloc(1, l->sizes.seccomp_notif);
	l->resp = calloc(1, l->sizes.seccomp_notif_resp);
	if (!l->req || !l->resp)
		return -ENOMEM;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (mkdir(l->state_dir, 0700) < 0 && errno != EEXIST) {
		log_error("listen: cannot make the state folder '%s': %s", l->state_dir,
			  osr_strerror(errno));
		return -errno;
	}
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0)
		return -errno;
	l->sock = open_socket(socket_path);
	if (l->sock < 0)
		return l->sock;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, l->sock,
		      &(struct epoll_event){ .events = EPOLLIN, .data.u64 = TAG(TAG_SOCK, 0, 0) }) <
	    0)
		return -errno;
	return restore_states(l);
}

static void listener_fini(struct listener *l, const char *socket_path)
{
	flush_states(l, true);
	for (size_t i = 0; i < LISTEN_MAX_CONNS; i++)
		conn_close(l, i);
	for (size_t i = 0; i < LISTEN_MAX_CONTAINERS; i++) {
		if (l->c[i]) {
			watched_free(l->c[i]);
			free(l->c[i]);
		}
	}
	if (l->sock >= 0) {
		close(l->sock);
		unlink(socket_path);
	}
	if (l->ep >= 0)
		close(l->ep);
	free(l->req);
	free(l->resp);
}

int listener_run(const char *socket_path, const char *state_dir, const char *out_root)
{
	static struct listener l;
	struct epoll_event ev[64];
	int r, n;

	l = (struct listener){ .sock = -1, .ep = -1, .state_dir = state_dir, .out_root = out_root };
	r = listener_init(&l, socket_path);
	if (r >= 0)
		log_info("listen: at '%s', state in '%s'", socket_path, state_dir);
	while (r >= 0 && !stopping) {
		n = epoll_wait(l.ep, ev, ARRAY_SIZE(ev), 500);
		if (n < 0 && errno != EINTR) {
			r = -errno;
			log_error("listen: epoll_wait: %s", osr_strerror(-r));
		}
		for (int i = 0; i < n; i++)
			dispatch(&l, ev[i].data.u64, ev[i].events);
		conns_expire(&l);
		flush_states(&l, false);
	}
	listener_fini(&l, socket_path);
	if (stopping)
		log_info("listen: stopped: watched containers keep their state in '%s'; their "
			 "notified calls fail with ENOSYS until they end",
			 state_dir);
	return r < 0 ? r : 0;
}

int listener_ask(const char *socket_path, const char *request, int timeout_ms, char **reply)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000 };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t len;
	int r;

	if (fd < 0 || strlen(socket_path) >= sizeof(a.sun_path))
		return fd < 0 ? -errno : -ENAMETOOLONG;
	strcpy(a.sun_path, socket_path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -errno;
	r = write_all(fd, request, strlen(request));
	if (r >= 0)
		r = write_all(fd, "\n", 1);
	if (r >= 0 && shutdown(fd, SHUT_WR) < 0)
		r = -errno;
	if (r >= 0)
		r = read_all(fd, LISTEN_MSG_MAX, reply, &len);
	if (r >= 0 && len == 0) {
		free(*reply);
		*reply = NULL;
		r = -ETIMEDOUT;
	}
	return r;
}
