/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_PROFILE_H
#define OSR_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "bounds.h"
#include "recorder.h"
#include "fileio.h"
#include "util.h"

/* What profile_load() learnt of a base besides its content; all zero without a base. */
struct profile_source {
	mode_t umask;  /* permission bits the file lacks: what is written from it lacks them too */
	bool confined; /* read under --input-dir: messages never quote what it says */
	/* The file it was read from: report renders with that file or none. */
	unsigned long long dev, ino;
};

/* What a build noticed that the top level should tell the user about. */
struct profile_report {
	unsigned int recorded;	   /* distinct names seen */
	unsigned int added;	   /* names the output allows that the base did not mention */
	unsigned int unresolved;   /* numbers libseccomp could not name */
	unsigned int base_kept;	   /* recorded names a base rule already decides */
	char unresolved_list[256]; /* "abi:nr ..." */
	char base_kept_list[512];  /* names a base rule decides other than a plain allow */
	unsigned int conditional;  /* names allowed with their recorded arguments only */
	char any_args_list[256];   /* names whose arguments are recorded, allowed with any */
	json_object *rule;	   /* the ALLOW rule added for the recording (borrowed), or NULL */
};

/*
 * Build the allowlist from a recording. With a base, the output is the base
 * plus one ALLOW rule for the recorded names no base rule mentions: whatever
 * the base says of a name (deny, allow under conditions) stands. A name whose
 * arguments were recorded is allowed with those values only (src/argrules.h),
 * and clone3 then fails with ENOSYS, unless the base says otherwise.
 */
struct selection;
int profile_build(const struct selection *sel, json_object *base, json_object **out,
		  struct profile_report *rep, struct osr_err *err);

/*
 * Read, parse and validate a profile file (a base for `if:`, an input of
 * merge), placed as fileio.h says; beneath a folder, quiet, since the pod's
 * author who sees the errors cannot read the file. what names the file in
 * messages ("base profile"). src (may be NULL) gets what the output must
 * respect.
 */
int profile_load(const char *path, struct place place, const char *what, json_object **out,
		 struct profile_source *src, struct osr_err *err);

/* The same from a file already open (handed over by a user): path names it in messages. */
int profile_load_fd(int fd, const char *path, bool confined, json_object **out,
		    struct profile_source *src, struct osr_err *err);

/* The text written to disk: pretty JSON with a trailing newline. */
char *profile_to_string(json_object *profile);

#endif
