// SPDX-License-Identifier: GPL-2.0-only
/* An output resolved once: see target.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "target.h"

int target_describe(struct output_target *t, const char *path)
{
	t->format = format_for_path(path);
	if (format_resource_name(path, t->resource, sizeof(t->resource)) < 0) {
		snprintf(t->resource, sizeof(t->resource), "recorded");
		return -EINVAL;
	}
	return 0;
}

static int set_names(struct output_target *t, const char *name, const char *shown,
		     struct osr_err *err)
{
	if (snprintf(t->name, sizeof(t->name), "%s", name) >= (int)sizeof(t->name) ||
	    snprintf(t->shown, sizeof(t->shown), "%s", shown) >= (int)sizeof(t->shown))
		return osr_fail(err, -ENAMETOOLONG, "'%s' is too long", shown);
	target_describe(t, shown);
	return 0;
}

int target_open(struct output_target *t, const char *path, struct place place, bool once,
		struct osr_err *err)
{
	const char *base;
	struct stat st;
	int fd;

	*t = (struct output_target)OUTPUT_TARGET_INIT;
	if (!strcmp(path, "-"))
		return 0;
	fd = open_output_folder(path, place, &base, err);
	if (fd < 0)
		return fd;
	t->dirfd = fd;
	t->once = once;
	if (once && fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		target_close(t);
		return osr_fail(err, -EEXIST, "'%s' exists: a file in '%s' is never replaced", path,
				place.folder ? place.folder : "its folder");
	}
	if (set_names(t, base, path, err) < 0) {
		target_close(t);
		return -ENAMETOOLONG;
	}
	return 0;
}

int target_adopt(struct output_target *t, int dirfd, const char *name, const char *shown,
		 uid_t owner_uid, gid_t owner_gid, struct osr_err *err)
{
	*t = (struct output_target)OUTPUT_TARGET_INIT;
	t->dirfd = dirfd;
	t->owner_uid = owner_uid;
	t->owner_gid = owner_gid;
	return set_names(t, name, shown, err);
}

int target_same(const struct output_target *a, const struct output_target *b, bool *same,
		struct osr_err *err)
{
	struct stat sa, sb;

	*same = false;
	if (!target_is_file(a) || !target_is_file(b))
		return 0;
	if (fstat(a->dirfd, &sa) < 0 || fstat(b->dirfd, &sb) < 0)
		return osr_fail(err, -errno, "cannot stat the folder of '%s' or '%s': %s", a->shown,
				b->shown, osr_strerror(errno));
	/* One folder and one name in it: one file, whatever "./", "//" or a link spelled. */
	*same = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && !strcmp(a->name, b->name);
	return 0;
}

int target_write(const struct output_target *t, const char *text, size_t len, mode_t mode,
		 struct osr_err *err)
{
	int r;

	if (!target_is_file(t)) {
		r = write_all(STDOUT_FILENO, text, len);
		return r < 0 ? osr_fail(err, r, "cannot write the profile to stdout: %s",
					osr_strerror(-r))
			     : 0;
	}
	return write_file_in(t->dirfd, t->name, t->shown, text, len, mode, !t->once, t->owner_uid,
			     t->owner_gid, err);
}

void target_close(struct output_target *t)
{
	if (t->dirfd >= 0)
		close(t->dirfd);
	t->dirfd = -1;
}
