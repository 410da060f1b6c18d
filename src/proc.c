// SPDX-License-Identifier: GPL-2.0-only
/* What the kernel says about a process, from /proc and pidfds. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/nsfs.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#include "proc.h"

int proc_start_time(pid_t pid, unsigned long long *out)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	char path[64], *p;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read_all(fd, 4096, &text, NULL);
	if (r < 0)
		return r;
	/* The command name may hold spaces and parentheses: count from the last ')'. */
	p = strrchr(text, ')');
	if (!p)
		return -EINVAL;
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	*out = strtoull(p + 1, NULL, 10);
	return 0;
}

bool process_alive(pid_t pid, unsigned long long start)
{
	unsigned long long now;

	return proc_start_time(pid, &now) >= 0 && now == start;
}

/*
 * The inode an inotify instance's one watch is on, as the kernel has it: the
 * "ino:" and "sdev:" of its line in fdinfo, in hex, the device encoded as the
 * kernel encodes it. -ENODATA where there is no such line.
 */
static int watched_inode(int ifd, unsigned long long *ino, unsigned int *dev)
{
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long long i, d;
	char path[64], line[512], *p, *end;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ifd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "inotify wd:", 11))
			continue;
		p = strstr(line, " ino:");
		if (!p || !isxdigit((unsigned char)p[5]))
			return -EINVAL;
		errno = 0;
		i = strtoull(p + 5, &end, 16);
		if (strncmp(end, " sdev:", 6) || !isxdigit((unsigned char)end[6]))
			return -EINVAL;
		d = strtoull(end + 6, &end, 16);
		if (*end != ' ' || errno || d > UINT_MAX)
			return -EINVAL;
		*ino = i;
		*dev = (unsigned int)d;
		return 0;
	}
	return -ENODATA;
}

int exe_of(pid_t pid, unsigned long long *ino, unsigned int *dev, struct osr_err *err)
{
	_cleanup_close_ int ifd = -1;
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st) < 0)
		return osr_fail(err, -errno, "cannot stat the executable of pid %d ('%s'): %s",
				(int)pid, path, osr_strerror(errno));
	/*
	 * The program compares mm->exe_file's inode and its superblock's device,
	 * which stat does not always report: overlayfs with its layers on
	 * different filesystems reports a device of the layer's (measured on
	 * 6.18, ext4 lower and tmpfs upper: stat 0:42, the overlay 0:40), btrfs
	 * one of the subvolume's. runc 1.1 execs its init from a bind mount of
	 * itself that it detaches at once, so no mountinfo names it. An inotify
	 * watch on the executable shows the inode as the kernel has it (fdinfo,
	 * Linux 3.8 on); where there is none to be had (no inotify, no more
	 * instances), stat's, right on every other filesystem.
	 */
	ifd = inotify_init1(IN_CLOEXEC);
	if (ifd >= 0 && inotify_add_watch(ifd, path, IN_DELETE_SELF) >= 0 &&
	    watched_inode(ifd, ino, dev) >= 0)
		return 0;
	*ino = st.st_ino;
	/* The kernel's dev_t is MAJOR << 20 | MINOR, not glibc's encoding. */
	*dev = (major(st.st_dev) << 20) | minor(st.st_dev);
	return 0;
}

int ns_inum(pid_t pid, const char *ns, unsigned int *inum, struct osr_err *err)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	if (stat(path, &st) < 0)
		return osr_fail(err, -errno, "cannot read the %s namespace of pid %d ('%s'): %s",
				ns, (int)pid, path, osr_strerror(errno));
	*inum = (unsigned int)st.st_ino;
	return 0;
}

int pidns_of(pid_t pid, unsigned int *inum, unsigned int *level, struct osr_err *err)
{
	int r = ns_inum(pid, "pid", inum, err);

	return r < 0 ? r : pidns_level(pid, level, err);
}

/*
 * The value of one line of /proc/PID/status ("NSpid:", "Uid:"), -ENODATA where
 * it has none. Status needs no ptrace access where a process's namespace links
 * would.
 */
static int status_field(pid_t pid, const char *key, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = NULL;
	size_t n = strlen(key);
	char path[64], line[512];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n)) {
			snprintf(buf, size, "%s", line + n);
			return 0;
		}
	return -ENODATA;
}

int pidns_level(pid_t pid, unsigned int *level, struct osr_err *err)
{
	char val[512];
	unsigned int n = 0;
	int r;

	/* NSpid lists the pid in each namespace from the host's down: depth + 1 entries. */
	r = status_field(pid, "NSpid:", val, sizeof(val));
	if (r < 0 && r != -ENODATA)
		return osr_fail(err, r, "cannot open '/proc/%d/status': %s", (int)pid,
				osr_strerror(-r));
	for (char *tok = r < 0 ? NULL : strtok(val, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
		n++;
	if (n == 0)
		return osr_fail(err, -ENOTSUP,
				"'/proc/%d/status' has no NSpid line (kernel older than 4.1?)",
				(int)pid);
	*level = n - 1;
	return 0;
}

int proc_pidns_owner(pid_t pid, uid_t *owner)
{
	_cleanup_close_ int nfd = -1, ufd = -1;
	char path[64];
	uid_t uid;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	nfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nfd < 0)
		return -errno;
	ufd = ioctl(nfd, NS_GET_USERNS);
	if (ufd < 0 || ioctl(ufd, NS_GET_OWNER_UID, &uid) < 0)
		return -errno;
	*owner = uid;
	return 0;
}

/*
 * May uid record or watch pid? Root may take anything the hook may. Anyone
 * else only a process in a PID namespace of its own (not the host's: that
 * would record by mount namespace, other processes included) that is theirs:
 * one made in a user namespace they own (a rootless container). A recording
 * takes the whole PID namespace, so it is the namespace's owner that counts,
 * not the process's: a process of theirs (running as them, or in a user namespace it
 * made) in a PID namespace root made (a root container run as their uid) is
 * not theirs to record, nor are the other processes in there.
 */
int proc_check_owner(pid_t pid, uid_t uid, struct osr_err *err)
{
	unsigned int level;
	uid_t owner = (uid_t)-1;

	if (uid == 0)
		return 0;
	if (pidns_level(pid, &level, err) < 0)
		return osr_fail(err, -ESRCH, "process %d is gone", (int)pid);
	if (level == 0)
		return osr_fail(err, -EPERM,
				"process %d is in the host's PID namespace: only root may record "
				"or watch it, refusing",
				(int)pid);
	if (proc_pidns_owner(pid, &owner) < 0)
		return osr_fail(err, -EPERM,
				"cannot tell who owns the PID namespace of process %d: %s, refusing",
				(int)pid, osr_strerror(errno));
	if (owner == uid)
		return 0;
	return osr_fail(err, -EPERM,
			"process %d is not yours (its PID namespace was made in a user namespace "
			"of uid %u), refusing",
			(int)pid, (unsigned int)owner);
}

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/*
 * Whom a caller counts as, for the limits on connections and recordings: a
 * process in a user namespace counts as the owner of the outermost one it is
 * in (below the host's), so that a rootless user's subordinate ids, each a
 * uid to SO_PEERCRED, cannot take a share each. One in the service's own user
 * namespace, or in a namespace root made, counts by its uid. A caller that
 * cannot be told (the process that connected is gone, so its namespaces
 * cannot be read) is OSR_CALLER_UNKNOWN: its uid may be any of a user's
 * subordinate ids, which would multiply that user's share. Never used to
 * decide what the caller may do: that is its uid's.
 */
uid_t proc_peer_principal(int conn, const struct ucred *cr)
{
	_cleanup_close_ int pidfd = -1;
	socklen_t len = sizeof(pidfd);
	uid_t owner = (uid_t)-1;
	pid_t pid = cr->pid;
	int r;

	if (cr->pid <= 0 || cr->uid == (uid_t)-1)
		return OSR_CALLER_UNKNOWN;
	if (getsockopt(conn, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 &&
	    pidfd_pid(pidfd, &pid) < 0)
		return OSR_CALLER_UNKNOWN;
	r = proc_outer_userns_owner(pid, &owner);
	if (r < 0)
		return OSR_CALLER_UNKNOWN;
	/* The pid read is still the caller: else its namespaces were another's. */
	if (pidfd >= 0 ? pidfd_signal(pidfd, 0) < 0 : kill(pid, 0) < 0)
		return OSR_CALLER_UNKNOWN;
	return r > 0 || owner == 0 ? cr->uid : owner;
}

int proc_outer_userns_owner(pid_t pid, uid_t *owner)
{
	_cleanup_close_ int self = -1, cur = -1;
	char path[64];
	struct stat ss, cs;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	cur = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || cur < 0 || fstat(self, &ss) < 0)
		return -errno;
	for (int depth = 0; depth < 64; depth++) {
		int parent;
		struct stat ps;

		if (fstat(cur, &cs) < 0)
			return -errno;
		if (cs.st_ino == ss.st_ino && cs.st_dev == ss.st_dev)
			return 1;
		parent = ioctl(cur, NS_GET_PARENT);
		if (parent < 0)
			return -errno;
		if (fstat(parent, &ps) == 0 && ps.st_ino == ss.st_ino && ps.st_dev == ss.st_dev) {
			uid_t uid;

			close(parent);
			if (ioctl(cur, NS_GET_OWNER_UID, &uid) < 0)
				return -errno;
			*owner = uid;
			return 0;
		}
		close(cur);
		cur = parent;
	}
	return -ELOOP;
}

bool proc_in_initial_userns(void)
{
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long a, b, n;
	char line[128];

	/* The initial user namespace maps every id to itself. */
	f = fopen("/proc/self/uid_map", "re");
	if (!f || !fgets(line, sizeof(line), f))
		return true;
	return sscanf(line, "%lu %lu %lu", &a, &b, &n) == 3 && a == 0 && b == 0 &&
	       n == 4294967295UL && !fgets(line, sizeof(line), f);
}

int process_pidfd(pid_t pid, unsigned long long start)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return -errno;
	/* The pid may have been reused before the pidfd was opened: check who it is. */
	if (start && !process_alive(pid, start)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

int pidfd_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

int pidfd_pid(int pidfd, pid_t *pid)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[128];
	long v;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Pid:", 4)) {
			line[strcspn(line, "\n")] = '\0';
			if (parse_long(line + 4 + strspn(line + 4, " \t"), -1, INT_MAX, &v) < 0)
				return -EINVAL;
			if (v <= 0)
				return -ESRCH;
			*pid = (pid_t)v;
			return 0;
		}
	return -EBADF; /* not a pidfd */
}

int process_wait_gone(pid_t pid, unsigned long long start, int sig, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	_cleanup_close_ int pidfd = process_pidfd(pid, start);
	int r;

	if (pidfd == -ESRCH)
		return 0; /* gone already */
	if (pidfd >= 0) {
		if (sig && (r = pidfd_signal(pidfd, sig)) < 0)
			return r == -ESRCH ? 0 : r;
		for (;;) {
			struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
			uint64_t t = now_ms();
			int n;

			if (timeout_ms >= 0 && t >= deadline)
				return -ETIMEDOUT;
			n = poll(&pfd, 1, timeout_ms < 0 ? -1 : (int)(deadline - t));
			if (n > 0)
				return 0;
			if (n < 0 && errno != EINTR)
				return -errno;
		}
	}
	/* No pidfd (kernel before 5.3): by pid, its start time checked each time. */
	if (!process_alive(pid, start))
		return 0;
	if (sig && kill(pid, sig) < 0)
		return errno == ESRCH ? 0 : -errno;
	while (process_alive(pid, start)) {
		if (timeout_ms >= 0 && now_ms() >= deadline)
			return -ETIMEDOUT;
		poll(NULL, 0, 5);
	}
	return 0;
}
