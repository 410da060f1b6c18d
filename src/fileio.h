/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_FILEIO_H
#define OSR_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/*
 * Where a path may lead, for the functions below: placement says how it is
 * resolved, never a pointer's identity.
 */
enum placement {
	/*
	 * What a hook stage opens unconfined: every folder on the way must be
	 * owned by root or the euid and writable by nobody else, as sshd's
	 * StrictModes wants (fileio.c says why and what a sticky folder may be).
	 */
	PLACE_STRICT,
	/*
	 * Inside folder (--output-dir, --input-dir), reached without "..",
	 * symlinks or magic links.
	 */
	PLACE_BENEATH,
	/*
	 * A file a person names on the command line of record, merge or check:
	 * resolved by the kernel as given, as cp would.
	 */
	PLACE_AS_GIVEN,
};

struct place {
	enum placement how;
	const char *folder; /* PLACE_BENEATH only */
};

static inline struct place place_strict(void)
{
	return (struct place){ .how = PLACE_STRICT };
}

static inline struct place place_as_given(void)
{
	return (struct place){ .how = PLACE_AS_GIVEN };
}

static inline struct place place_beneath(const char *folder)
{
	return (struct place){ .how = PLACE_BENEATH, .folder = folder };
}

/* A hook's folder option: beneath the folder it names, or, with none set, the strict walk. */
static inline struct place place_beneath_or_strict(const char *folder)
{
	return folder ? place_beneath(folder) : place_strict();
}

/*
 * Replace path with data, atomically: a temporary file in the same folder,
 * fsynced, then renamed over the final name, and the folder fsynced. The old
 * file stays whole until the new one is complete; the temporary is removed on
 * any failure. An existing final name that is not a regular file (a symlink,
 * a folder, a device) is refused, never followed.
 */
int write_file_atomic(const char *path, struct place place, const char *data, size_t len,
		      mode_t mode, struct osr_err *err);
/*
 * The same, without the two fsyncs (about 4 ms each on a disk-backed /run):
 * for the run directory's records, which describe processes and so mean
 * nothing after a reboot. Readers still see the old file or the new one whole.
 */
int write_file_volatile(const char *path, struct place place, const char *data, size_t len,
			mode_t mode, struct osr_err *err);

/*
 * The same, but an existing final name is never replaced (the rename fails
 * with -EEXIST): for a folder whose names several writers share.
 */
int write_file_once(const char *path, struct place place, const char *data, size_t len, mode_t mode,
		    struct osr_err *err);

/*
 * The same, in a folder given as an open fd (resolved once, by
 * open_output_folder() or by a user who handed it over: no path is resolved
 * but the single name), replacing an existing file or never (as
 * write_file_once), the file owned by uid:gid (-1: as created). shown names
 * the file in messages.
 */
int write_file_in(int dirfd, const char *name, const char *shown, const char *data, size_t len,
		  mode_t mode, bool replace, uid_t uid, gid_t gid, struct osr_err *err);

/*
 * The folder of path, placed as write_file_atomic() walks to it, opened
 * (O_PATH) once its final name is checked (absent or a regular file) and the
 * folder writable; *base is the final name, within path.
 */
int open_output_folder(const char *path, struct place place, const char **base, struct osr_err *err);

/* Check, before any work, that write_file_atomic(path, place) could create files there. */
int check_output_path(const char *path, struct place place, struct osr_err *err);

/* Whether path (absolute) names something inside the folder root, by its text alone. */
bool path_inside(const char *path, const char *root);

/*
 * Open a file for reading, placed as write_file_atomic: a regular file, never
 * a FIFO or device that would block. Beneath a folder, the last component may
 * not be a symlink; strict, the file must be owned by root or the euid and
 * writable by nobody else, and a symlink to it must be theirs.
 */
int open_input(const char *path, struct place place, struct osr_err *err);

#endif
