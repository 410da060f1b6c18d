/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_OUTPUT_H
#define OSR_OUTPUT_H

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "profile.h"
#include "recorder.h"
#include "util.h"

/* How a recording becomes a profile on disk (or on stdout). */
struct output_opts {
	int scope;	   /* enum osr_scope */
	bool no_new_privs; /* the container's process.noNewPrivileges */
	bool any_nnp;	   /* portable to both noNewPrivileges settings */
	bool no_args;	   /* names only, no argument conditions */
	json_object *base; /* validated base profile to extend, or NULL */
	struct profile_source base_src; /* its file's mode and confinement */
	const char *path;  /* where to write; "-" for stdout */
	struct place place; /* where path may lead (fileio.h) */
	bool once;	   /* never replace an existing file (--shared-output-dir) */
	bool in_dir;	   /* write file_name in the folder dirfd (a user's), not path */
	int dirfd;
	const char *file_name;
	uid_t owner_uid;   /* the file's owner there ((uid_t)-1: as created) */
	gid_t owner_gid;
	int format;	   /* enum profile_format */
	const char *name;  /* the resource name, for a SeccompProfile */
};

/*
 * Select what the profile covers, resolve, merge, validate with libseccomp and
 * render the profile text. What the user should know (syscalls left out,
 * numbers without a name, base rules kept) is logged as a warning or note.
 */
int output_render(const struct osr_container *table, const struct output_opts *o, char **text,
		  struct osr_err *err);

/* output_render, then write the text atomically to o->path (or to stdout for "-"). */
int output_write(const struct osr_container *table, const struct output_opts *o,
		 struct osr_err *err);

#endif
