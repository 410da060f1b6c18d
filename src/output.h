/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_OUTPUT_H
#define OSR_OUTPUT_H

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "profile.h"
#include "recorder.h"
#include "spec.h"
#include "target.h"
#include "util.h"

/* How a recording becomes a profile on disk (or on stdout). */
struct output_opts {
	struct profile_spec spec;	    /* what the profile covers */
	json_object *base;		    /* validated base profile to extend, or NULL */
	struct profile_source base_src;	    /* its file's mode and confinement */
	const struct output_target *target; /* where, in which format, under which name */
};

/*
 * Select what the profile covers, resolve, merge, validate with libseccomp and
 * render the profile text. What the user should know (syscalls left out,
 * numbers without a name, base rules kept) is logged as a warning or note.
 */
int output_render(const struct osr_container *table, const struct output_opts *o, char **text,
		  struct osr_err *err);

/* output_render, then write the text to o->target. */
int output_write(const struct osr_container *table, const struct output_opts *o,
		 struct osr_err *err);

#endif
