/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_TARGET_H
#define OSR_TARGET_H

/*
 * Where a profile or a stats file goes, resolved once: at prestart (root),
 * at the service (rootless: the folder the user opened), or by record,
 * report and merge. The tracer, a forked child, inherits the folder and
 * writes into it; nothing resolves the path again.
 */
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "fileio.h"
#include "format.h"
#include "util.h"

struct output_target {
	int dirfd;		 /* the folder (O_PATH); -1: standard output */
	char name[NAME_MAX + 1]; /* the file's name in it */
	char shown[PATH_MAX];	 /* how messages name it: the path as given */
	bool once;		 /* never replace an existing file (a shared folder) */
	uid_t owner_uid;	 /* the file's owner ((uid_t)-1: as created) */
	gid_t owner_gid;
	enum profile_format format;
	char resource[OSR_RESOURCE_NAME_MAX + 1]; /* a SeccompProfile's name */
};

#define OUTPUT_TARGET_INIT                                                                         \
	{                                                                                          \
		.dirfd = -1, .shown = "-", .owner_uid = (uid_t)-1, .owner_gid = (gid_t)-1,         \
		.resource = "recorded"                                                             \
	}

/*
 * The format and resource name a path implies: of:/x/app.yaml is a
 * SeccompProfile named app, for kubectl apply. -EINVAL (the name left
 * "recorded") when the file name has nothing to make a name of.
 */
int target_describe(struct output_target *t, const char *path);

/*
 * Resolve path ("-": standard output), placed as fileio.h takes it, and
 * describe it. once: the name must not exist (-EEXIST), and is never
 * replaced.
 */
int target_open(struct output_target *t, const char *path, struct place place, bool once,
		struct osr_err *err);

/*
 * A folder a user opened and handed over, written as its owner (the user).
 * dirfd stays the caller's to close.
 */
int target_adopt(struct output_target *t, int dirfd, const char *name, const char *shown,
		 uid_t owner_uid, gid_t owner_gid, struct osr_err *err);

/* Whether a and b are one file: the same folder, by device and inode, and name. */
int target_same(const struct output_target *a, const struct output_target *b, bool *same,
		struct osr_err *err);

/* Write text there atomically (fileio.h), or to standard output. */
int target_write(const struct output_target *t, const char *text, size_t len, mode_t mode,
		 struct osr_err *err);

/* Whether it names a file (not standard output, nor nothing). */
static inline bool target_is_file(const struct output_target *t)
{
	return t->dirfd >= 0;
}

void target_close(struct output_target *t);

#endif
