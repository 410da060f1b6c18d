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
 * Split path into an open O_PATH fd of its folder and its last component. With
 * a root, path must lie inside it, reached without "..", symlinks or mounts'
 * magic links.
 */
static int open_parent(const char *path, const char *root, const char **base,
		       struct osr_err *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n, rlen;
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

	if (root) {
		_cleanup_close_ int rootfd = -1;
		const char *rel;

		rlen = strlen(root);
		while (rlen > 1 && root[rlen - 1] == '/')
			rlen--;
		if (strncmp(path, root, rlen) != 0 || (path[rlen] != '/' && rlen > 1))
			return osr_fail(err, -EXDEV, "'%s' is not inside '%.*s'", path, (int)rlen,
					root);
		rel = dir + (rlen > 1 ? rlen : 0);
		while (*rel == '/')
			rel++;
		rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return osr_fail(err, -errno, "cannot open folder '%s': %s", root,
					strerror(errno));
		fd = open_beneath(rootfd, rel);
		if (fd < 0)
			return osr_fail(err, fd,
					"cannot open '%s' inside '%s' without leaving it or following "
					"a symlink: %s",
					dir, root, strerror(-fd));
		return fd;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return osr_fail(err, -errno, "cannot open folder '%s': %s", dir, strerror(errno));
	return fd;
}

/* The final name may be absent or a regular file; anything else is refused. */
static int check_final(int dirfd, const char *base, const char *path, struct osr_err *err)
{
	struct stat st;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return osr_fail(err, -errno, "cannot stat '%s': %s", path, strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return osr_fail(err, -ELOOP, "output '%s' is a symbolic link, refusing to replace it",
				path);
	if (!S_ISREG(st.st_mode))
		return osr_fail(err, -EINVAL, "output '%s' exists and is not a regular file", path);
	return 0;
}

int check_output_path(const char *path, const char *root, struct osr_err *err)
{
	_cleanup_close_ int dirfd = -1;
	const char *base;
	char proc[64];
	int r;

	dirfd = open_parent(path, root, &base, err);
	if (dirfd < 0)
		return dirfd;
	r = check_final(dirfd, base, path, err);
	if (r < 0)
		return r;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
	if (access(proc, W_OK) < 0)
		return osr_fail(err, -errno, "output folder of '%s' is not writable: %s", path,
				strerror(errno));
	return 0;
}

static int write_file(const char *path, const char *root, const char *data, size_t len,
		      mode_t mode, bool replace, struct osr_err *err)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	char tmp[NAME_MAX + 1];
	const char *base;
	uint32_t rnd = 0;
	int r;

	dirfd = open_parent(path, root, &base, err);
	if (dirfd < 0)
		return dirfd;
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
				strerror(errno));

	r = write_all(fd, data, len);
	if (r >= 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && close(take_fd(&fd)) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return osr_fail(err, r, "cannot write '%s': %s", path, strerror(-r));
	}
	/* Checked again: the folder may have changed while the data was written. */
	r = check_final(dirfd, base, path, err);
	if (r >= 0 && !replace &&
	    renameat2(dirfd, tmp, dirfd, base, RENAME_NOREPLACE) < 0)
		r = osr_fail(err, -errno,
			     errno == EEXIST ? "'%s' exists: a file there is never replaced"
					     : "cannot rename the temporary file to '%s': %s",
			     path, strerror(errno));
	if (r >= 0 && replace && renameat(dirfd, tmp, dirfd, base) < 0)
		r = osr_fail(err, -errno, "cannot rename the temporary file to '%s': %s", path,
			     strerror(errno));
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	/* Make the rename itself durable; a failure here leaves a complete file. */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
	return 0;
}

int write_file_atomic(const char *path, const char *root, const char *data, size_t len,
		      mode_t mode, struct osr_err *err)
{
	return write_file(path, root, data, len, mode, true, err);
}

int write_file_once(const char *path, const char *root, const char *data, size_t len,
		    mode_t mode, struct osr_err *err)
{
	return write_file(path, root, data, len, mode, false, err);
}

int check_output_new(const char *path, const char *root, struct osr_err *err)
{
	struct stat st;
	int r = check_output_path(path, root, err);

	if (r >= 0 && lstat(path, &st) == 0)
		return osr_fail(err, -EEXIST, "'%s' exists: a file in '%s' is never replaced", path,
				root);
	return r;
}

bool path_inside(const char *path, const char *root)
{
	size_t rlen = strlen(root);

	while (rlen > 1 && root[rlen - 1] == '/')
		rlen--;
	return !strncmp(path, root, rlen) && (rlen == 1 || path[rlen] == '/');
}

int open_input(const char *path, const char *root, struct osr_err *err)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	const char *base;
	struct stat st;

	dirfd = open_parent(path, root, &base, err);
	if (dirfd < 0)
		return dirfd;
	/* Confined, the last component may not be a symlink either. */
	fd = openat(dirfd, base, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (root ? O_NOFOLLOW : 0));
	if (fd < 0)
		return osr_fail(err, -errno, "cannot open '%s': %s", path,
				errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	if (fstat(fd, &st) < 0)
		return osr_fail(err, -errno, "cannot stat '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return osr_fail(err, -EINVAL, "'%s' is not a regular file", path);
	return take_fd(&fd);
}
