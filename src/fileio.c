// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fileio.h"

/* Split path into an open O_PATH fd of its folder and its last component. */
static int open_parent(const char *path, const char **base, struct osr_err *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (!slash)
		return osr_fail(err, -EINVAL, "output '%s' is not an absolute path", path);
	*base = slash + 1;
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, ".."))
		return osr_fail(err, -EINVAL, "output '%s' does not name a file", path);
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return osr_fail(err, -ENAMETOOLONG, "output '%s' is too long", path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return osr_fail(err, -errno, "cannot open output folder '%s': %s", dir,
				strerror(errno));
	return fd;
}

/* The final name may be absent or a regular file; anything else is refused. */
static int check_final(int dirfd, const char *base, const char *path, struct osr_err *err)
{
	struct stat st;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return osr_fail(err, -errno, "cannot stat output '%s': %s", path, strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return osr_fail(err, -ELOOP, "output '%s' is a symbolic link, refusing to replace it",
				path);
	if (!S_ISREG(st.st_mode))
		return osr_fail(err, -EINVAL, "output '%s' exists and is not a regular file", path);
	return 0;
}

int check_output_path(const char *path, struct osr_err *err)
{
	_cleanup_close_ int dirfd = -1;
	const char *base;
	char proc[64];
	int r;

	dirfd = open_parent(path, &base, err);
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

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
		      struct osr_err *err)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	char tmp[NAME_MAX + 1];
	const char *base;
	uint32_t rnd = 0;
	int r;

	dirfd = open_parent(path, &base, err);
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
	if (r >= 0 && renameat(dirfd, tmp, dirfd, base) < 0)
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
