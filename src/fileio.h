/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_FILEIO_H
#define OSR_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/*
 * Replace path with data, atomically: a temporary file in the same folder,
 * fsynced, then renamed over the final name, and the folder fsynced. The old
 * file stays whole until the new one is complete; the temporary is removed on
 * any failure. An existing final name that is not a regular file (a symlink,
 * a folder, a device) is refused, never followed. With root (may be NULL),
 * path must lie inside that folder and is reached without "..", symlinks or
 * magic links on the way.
 */
int write_file_atomic(const char *path, const char *root, const char *data, size_t len,
		      mode_t mode, struct osr_err *err);

/* Check, before any work, that write_file_atomic(path, root) could create files there. */
int check_output_path(const char *path, const char *root, struct osr_err *err);

/*
 * Open a file for reading, confined to root like write_file_atomic (root may
 * be NULL): a regular file, never a FIFO or device that would block.
 */
int open_input(const char *path, const char *root, struct osr_err *err);

#endif
