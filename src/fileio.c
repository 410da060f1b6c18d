// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "fileio.h"

/* As the kernel's own limit on symlinks followed in one lookup. */
#define OSR_MAX_LINKS 40
/* How every refusal of the walk below ends, to say where the rule comes from. */
#define STRICT "; refusing (as sshd StrictModes)"

/*
 * Open a folder below root without leaving it: no "..", no symlink anywhere on
 * the way, no magic links. openat2() does it in the kernel (5.6+); elsewhere
 * the walk is done a component at a time with O_NOFOLLOW.
 */
static int open_beneath(int rootfd, const char *rel)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	char buf[PATH_MAX], *save = NULL, *part;
	int fd;

	fd = (int)syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd >= 0 ? fd : -errno;

	/* No openat2 (or a seccomp filter refuses it): walk by hand. */
	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (part = strtok_r(buf, "/", &save); fd >= 0 && part; part = strtok_r(NULL, "/", &save)) {
		int next;

		if (!strcmp(part, "..")) {
			close(fd);
			return -EXDEV;
		}
		if (!strcmp(part, "."))
			continue;
		next = openat(fd, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		/* O_PATH|O_NOFOLLOW opens the link itself: O_DIRECTORY then fails with ENOTDIR. */
		fd = next >= 0 ? next : -(errno == ENOTDIR ? ELOOP : errno);
		if (fd < 0)
			return fd;
	}
	return fd < 0 ? -errno : fd;
}

/*
 * Unconfined, the hook stages take of:/if: paths as the annotation gives them,
 * but a root process writing or reading where another user can swap a folder
 * or plant a symlink would write or read where that user chooses. So, as
 * sshd's StrictModes does for authorized_keys, every folder on the way must be
 * owned by root (or the uid the hook runs as) and writable by nobody else. A
 * sticky folder (/tmp, mode 1777) is the one exception: others may add names
 * there but may not rename or remove anybody else's, so it is trusted for a
 * step to an entry a trusted uid owns. An output's own name may be anybody's
 * regular file, or none: it is never opened, only replaced by a rename, and
 * root's file then stays put. A symlink is followed only if a trusted uid owns
 * it, and its target is walked by the same rule. The walk holds an O_PATH fd
 * of each folder it checked and opens the next name relative to it: nothing is
 * looked up by path again once checked.
 */
static bool trusted_uid(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* Where a strict walk stands: a checked folder's O_PATH fd, stat and path as resolved. */
struct walk {
	int fd;
	struct stat st;
	char at[PATH_MAX];
};

/* "/" needs no separator before the next name. */
static const char *sep(const struct walk *w)
{
	return w->at[1] ? "/" : "";
}

static int walk_to_root(struct walk *w, struct osr_err *err)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w->fd < 0 || fstat(w->fd, &w->st) < 0)
		return osr_fail(err, -errno, "cannot open folder '/': %s", osr_strerror(errno));
	strcpy(w->at, "/");
	return 0;
}

/*
 * The rule for the folder w stands in, before a step to the entry est
 * (NULL: none, or not to be judged here).
 */
static int check_folder(const struct walk *w, const char *name, const struct stat *est,
			const char *path, struct osr_err *err)
{
	if (!trusted_uid(w->st.st_uid))
		return osr_fail(err, -EPERM,
				"folder '%s' of '%s' is writable by uid %u, its owner" STRICT,
				w->at, path, (unsigned int)w->st.st_uid);
	if (!(w->st.st_mode & 0022))
		return 0;
	if (!(w->st.st_mode & S_ISVTX))
		return osr_fail(err, -EPERM,
				"folder '%s' of '%s' is writable by group or others" STRICT, w->at,
				path);
	if (est && !trusted_uid(est->st_uid))
		return osr_fail(err, -EPERM,
				"folder '%s' of '%s' is writable by others and '%s' in it belongs "
				"to uid %u" STRICT,
				w->at, path, name, (unsigned int)est->st_uid);
	return 0;
}

/* Put a symlink's target in front of what is left to walk; an absolute one restarts at "/". */
static int follow_link(struct walk *w, int lfd, char *rest, size_t size, const char **left,
		       const char *path, struct osr_err *err)
{
	char target[PATH_MAX], joined[PATH_MAX];
	ssize_t n;

	n = readlinkat(lfd, "", target, sizeof(target) - 1);
	if (n < 0)
		return osr_fail(err, -errno, "cannot read a symbolic link on the way to '%s': %s",
				path, osr_strerror(errno));
	if (n == 0 || n == (ssize_t)sizeof(target) - 1)
		return osr_fail(err, n ? -ENAMETOOLONG : -ENOENT,
				"a symbolic link on the way to '%s' has an unusable target", path);
	target[n] = '\0';
	if (snprintf(joined, sizeof(joined), "%s/%s", target, *left) >= (int)sizeof(joined))
		return osr_fail(err, -ENAMETOOLONG, "'%s' is too long once its links are followed",
				path);
	snprintf(rest, size, "%s", joined);
	*left = rest;
	return target[0] == '/' ? walk_to_root(w, err) : 0;
}

/* Walk from "/" to dir (a folder of path, for messages), checking every step. */
static int walk_strict(struct walk *w, const char *dir, const char *path, struct osr_err *err)
{
	char rest[PATH_MAX], name[NAME_MAX + 1];
	const char *left = rest;
	unsigned int links = 0;
	int r;

	snprintf(rest, sizeof(rest), "%s", dir);
	r = walk_to_root(w, err);
	while (r >= 0) {
		_cleanup_close_ int nfd = -1;
		struct stat est;
		size_t n;

		left += strspn(left, "/");
		if (!*left)
			return 0;
		n = strcspn(left, "/");
		if (n > NAME_MAX)
			return osr_fail(err, -ENAMETOOLONG, "a name in '%s' is too long", path);
		memcpy(name, left, n);
		name[n] = '\0';
		left += n;
		if (!strcmp(name, "."))
			continue;
		nfd = openat(w->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 || fstat(nfd, &est) < 0) {
			int e = -errno;

			/* A folder that fails the rule is the better answer than ENOENT. */
			r = check_folder(w, name, NULL, path, err);
			if (r < 0)
				return r;
			return osr_fail(err, e, "cannot open folder '%s%s%s' of '%s': %s", w->at,
					sep(w), name, path, osr_strerror(-e));
		}
		/* A folder's parent is one the walk came down through, checked already. */
		if (strcmp(name, "..") && (r = check_folder(w, name, &est, path, err)) < 0)
			return r;
		if (S_ISLNK(est.st_mode)) {
			if (!trusted_uid(est.st_uid))
				return osr_fail(err, -EPERM,
						"symbolic link '%s%s%s' of '%s' belongs to uid "
						"%u" STRICT,
						w->at, sep(w), name, path, (unsigned int)est.st_uid);
			if (++links > OSR_MAX_LINKS)
				return osr_fail(err, -ELOOP,
						"too many symbolic links on the way to '%s'", path);
			r = follow_link(w, nfd, rest, sizeof(rest), &left, path, err);
			continue;
		}
		if (!S_ISDIR(est.st_mode))
			return osr_fail(err, -ENOTDIR, "'%s%s%s' of '%s' is not a folder", w->at,
					sep(w), name, path);
		if (!strcmp(name, "..")) {
			char *slash = strrchr(w->at, '/');

			slash[slash == w->at] = '\0';
		} else if (strlen(w->at) + n + 2 > sizeof(w->at)) {
			return osr_fail(err, -ENAMETOOLONG,
					"'%s' is too long once its links are followed", path);
		} else {
			if (w->at[1])
				strcat(w->at, "/");
			strcat(w->at, name);
		}
		close(w->fd);
		w->fd = take_fd(&nfd);
		w->st = est;
	}
	return r;
}

/* dir, inside folder, opened without leaving it: no "..", symlinks or mounts' magic links. */
static int open_dir_beneath(const char *dir, const char *path, const char *folder,
			    struct osr_err *err)
{
	_cleanup_close_ int folderfd = -1;
	size_t flen = strlen(folder);
	const char *rel;
	int fd;

	while (flen > 1 && folder[flen - 1] == '/')
		flen--;
	if (strncmp(path, folder, flen) != 0 || (path[flen] != '/' && flen > 1))
		return osr_fail(err, -EXDEV, "'%s' is not inside '%.*s'", path, (int)flen, folder);
	rel = dir + (flen > 1 ? flen : 0);
	while (*rel == '/')
		rel++;
	folderfd = open(folder, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (folderfd < 0)
		return osr_fail(err, -errno, "cannot open folder '%s': %s", folder,
				osr_strerror(errno));
	fd = open_beneath(folderfd, rel);
	if (fd < 0)
		return osr_fail(err, fd,
				"cannot open '%s' inside '%s' without leaving it or following a "
				"symlink: %s",
				dir, folder, osr_strerror(-fd));
	return fd;
}

/*
 * Split path into an open O_PATH fd of its folder and its last component, as
 * the placement says (fileio.h): beneath a folder, by walk_strict(), or opened
 * as the kernel resolves it.
 */
static int open_parent(const char *path, struct place place, const char **base, struct osr_err *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct walk w = { .fd = -1 };
	size_t n;
	int fd;

	if (!slash || path[0] != '/')
		return osr_fail(err, -EINVAL, "'%s' is not an absolute path", path);
	*base = slash + 1;
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, ".."))
		return osr_fail(err, -EINVAL, "'%s' does not name a file", path);
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return osr_fail(err, -ENAMETOOLONG, "'%s' is too long", path);
	memcpy(dir, path, n);
	dir[n] = '\0';

	switch (place.how) {
	case PLACE_BENEATH:
		return open_dir_beneath(dir, path, place.folder, err);
	case PLACE_STRICT:
		fd = walk_strict(&w, dir, path, err);
		if (fd >= 0)
			fd = check_folder(&w, *base, NULL, path, err);
		if (fd < 0) {
			if (w.fd >= 0)
				close(w.fd);
			return fd;
		}
		return w.fd;
	case PLACE_AS_GIVEN:
		break;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return osr_fail(err, -errno, "cannot open folder '%s': %s", dir,
				osr_strerror(errno));
	return fd;
}

/* The final name may be absent or a regular file; anything else is refused. */
static int check_final(int dirfd, const char *base, const char *path, struct osr_err *err)
{
	struct stat st;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return osr_fail(err, -errno, "cannot stat '%s': %s", path, osr_strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return osr_fail(err, -ELOOP,
				"output '%s' is a symbolic link, refusing to replace it", path);
	if (!S_ISREG(st.st_mode))
		return osr_fail(err, -EINVAL, "output '%s' exists and is not a regular file", path);
	return 0;
}

int open_output_folder(const char *path, struct place place, const char **base, struct osr_err *err)
{
	_cleanup_close_ int dirfd = -1;
	char proc[64];
	int r;

	dirfd = open_parent(path, place, base, err);
	if (dirfd < 0)
		return dirfd;
	r = check_final(dirfd, *base, path, err);
	if (r < 0)
		return r;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
	if (access(proc, W_OK) < 0)
		return osr_fail(err, -errno, "output folder of '%s' is not writable: %s", path,
				osr_strerror(errno));
	return take_fd(&dirfd);
}

int check_output_path(const char *path, struct place place, struct osr_err *err)
{
	const char *base;
	int fd = open_output_folder(path, place, &base, err);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* How a file is written: its mode, whether it may replace one, its owner ((uid_t)-1: ours). */
struct write_how {
	mode_t mode;
	bool replace;
	uid_t uid;
	gid_t gid;
	bool volatile_; /* no fsync: the file does not outlive a reboot by design */
};

/* Write base in the folder dirfd (path names it in messages), as write_file_atomic says. */
static int write_in(int dirfd, const char *base, const char *path, const char *data, size_t len,
		    const struct write_how *how, struct osr_err *err)
{
	_cleanup_close_ int fd = -1;
	const mode_t mode = how->mode;
	const bool replace = how->replace;
	char tmp[NAME_MAX + 1];
	uint32_t rnd = 0;
	int r;

	r = check_final(dirfd, base, path, err);
	if (r < 0)
		return r;

	for (int tries = 0; tries < 16; tries++) {
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd ^= (uint32_t)now_ms() * 2654435761u + (uint32_t)getpid();
		if (snprintf(tmp, sizeof(tmp), ".%.200s.%08x.tmp", base, rnd) >= (int)sizeof(tmp))
			return osr_fail(err, -ENAMETOOLONG, "output name '%s' is too long", base);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return osr_fail(err, -errno, "cannot create a temporary file beside '%s': %s", path,
				osr_strerror(errno));

	r = write_all(fd, data, len);
	if (r >= 0 && how->uid != (uid_t)-1 && fchown(fd, how->uid, how->gid) < 0)
		r = -errno;
	if (r >= 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r >= 0 && !how->volatile_ && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && close(take_fd(&fd)) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return osr_fail(err, r, "cannot write '%s': %s", path, osr_strerror(-r));
	}
	/* Checked again: the folder may have changed while the data was written. */
	r = check_final(dirfd, base, path, err);
	if (r >= 0 && !replace && renameat2(dirfd, tmp, dirfd, base, RENAME_NOREPLACE) < 0)
		r = osr_fail(err, -errno,
			     errno == EEXIST ? "'%s' exists: a file there is never replaced"
					     : "cannot rename the temporary file to '%s': %s",
			     path, osr_strerror(errno));
	if (r >= 0 && replace && renameat(dirfd, tmp, dirfd, base) < 0)
		r = osr_fail(err, -errno, "cannot rename the temporary file to '%s': %s", path,
			     osr_strerror(errno));
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	if (how->volatile_)
		return 0;
	/* Make the rename itself durable; a failure here leaves a complete file. */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
	return 0;
}

static int write_file(const char *path, struct place place, const char *data, size_t len,
		      const struct write_how *how, struct osr_err *err)
{
	_cleanup_close_ int dirfd = -1;
	const char *base;

	dirfd = open_parent(path, place, &base, err);
	if (dirfd < 0)
		return dirfd;
	return write_in(dirfd, base, path, data, len, how, err);
}

int write_file_in(int dirfd, const char *name, const char *shown, const char *data, size_t len,
		  mode_t mode, bool replace, uid_t uid, gid_t gid, struct osr_err *err)
{
	const struct write_how how = { mode, replace, uid, gid, false };

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return osr_fail(err, -EINVAL, "'%s' is not a file name", name);
	return write_in(dirfd, name, shown, data, len, &how, err);
}

int write_file_atomic(const char *path, struct place place, const char *data, size_t len,
		      mode_t mode, struct osr_err *err)
{
	const struct write_how how = { mode, true, (uid_t)-1, (gid_t)-1, false };

	return write_file(path, place, data, len, &how, err);
}

int write_file_volatile(const char *path, struct place place, const char *data, size_t len,
			mode_t mode, struct osr_err *err)
{
	const struct write_how how = { mode, true, (uid_t)-1, (gid_t)-1, true };

	return write_file(path, place, data, len, &how, err);
}

int write_file_once(const char *path, struct place place, const char *data, size_t len, mode_t mode,
		    struct osr_err *err)
{
	const struct write_how how = { mode, false, (uid_t)-1, (gid_t)-1, false };

	return write_file(path, place, data, len, &how, err);
}

bool path_inside(const char *path, const char *root)
{
	size_t rlen = strlen(root);

	while (rlen > 1 && root[rlen - 1] == '/')
		rlen--;
	return !strncmp(path, root, rlen) && (rlen == 1 || path[rlen] == '/');
}

/*
 * Strict, the file read must itself be a trusted uid's and writable by nobody
 * else (a base profile others can edit decides what the result allows), and a
 * final symlink is followed only if a trusted uid owns it, its target walked
 * anew from "/".
 */
static int open_input_strict(const char *path, struct osr_err *err)
{
	char cur[PATH_MAX], next[PATH_MAX];

	snprintf(cur, sizeof(cur), "%s", path);
	for (unsigned int links = 0;; links++) {
		_cleanup_close_ int dirfd = -1, fd = -1, lfd = -1;
		char target[PATH_MAX];
		const char *base;
		struct stat st;
		ssize_t n;

		dirfd = open_parent(cur, place_strict(), &base, err);
		if (dirfd < 0)
			return dirfd;
		fd = openat(dirfd, base, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
		if (fd >= 0) {
			if (fstat(fd, &st) < 0)
				return osr_fail(err, -errno, "cannot stat '%s': %s", cur,
						osr_strerror(errno));
			if (!trusted_uid(st.st_uid))
				return osr_fail(err, -EPERM,
						"'%s' is writable by uid %u, its owner" STRICT, cur,
						(unsigned int)st.st_uid);
			if (S_ISREG(st.st_mode) && (st.st_mode & 0022))
				return osr_fail(err, -EPERM,
						"'%s' is writable by group or others" STRICT, cur);
			return take_fd(&fd);
		}
		if (errno != ELOOP)
			return osr_fail(err, -errno, "cannot open '%s': %s", cur,
					osr_strerror(errno));
		lfd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (lfd < 0 || fstat(lfd, &st) < 0)
			return osr_fail(err, -errno, "cannot open '%s': %s", cur,
					osr_strerror(errno));
		if (!trusted_uid(st.st_uid))
			return osr_fail(err, -EPERM, "symbolic link '%s' belongs to uid %u" STRICT,
					cur, (unsigned int)st.st_uid);
		if (links >= OSR_MAX_LINKS)
			return osr_fail(err, -ELOOP, "too many symbolic links on the way to '%s'",
					path);
		n = readlinkat(lfd, "", target, sizeof(target) - 1);
		if (n <= 0 || n == (ssize_t)sizeof(target) - 1)
			return osr_fail(err, n < 0 ? -errno : -ENAMETOOLONG,
					"cannot read symbolic link '%s'", cur);
		target[n] = '\0';
		/* Relative to the link's folder: cur up to its last slash. */
		if (target[0] == '/')
			n = snprintf(next, sizeof(next), "%s", target);
		else
			n = snprintf(next, sizeof(next), "%.*s/%s", (int)(base - cur - 1), cur,
				     target);
		if (n >= (ssize_t)sizeof(next))
			return osr_fail(err, -ENAMETOOLONG,
					"'%s' is too long once its links are followed", path);
		memcpy(cur, next, sizeof(cur));
	}
}

int open_input(const char *path, struct place place, struct osr_err *err)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	const char *base;
	struct stat st;

	if (place.how == PLACE_STRICT) {
		fd = open_input_strict(path, err);
		if (fd < 0)
			return fd;
	} else {
		dirfd = open_parent(path, place, &base, err);
		if (dirfd < 0)
			return dirfd;
		/* Confined, the last component may not be a symlink either. */
		fd = openat(dirfd, base,
			    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
				    (place.how == PLACE_BENEATH ? O_NOFOLLOW : 0));
		if (fd < 0)
			return osr_fail(err, -errno, "cannot open '%s': %s", path,
					errno == ELOOP ? "it is a symbolic link"
						       : osr_strerror(errno));
	}
	if (fstat(fd, &st) < 0)
		return osr_fail(err, -errno, "cannot stat '%s': %s", path, osr_strerror(errno));
	if (!S_ISREG(st.st_mode))
		return osr_fail(err, -EINVAL, "'%s' is not a regular file", path);
	return take_fd(&fd);
}
