/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_VALIDATE_H
#define OSR_VALIDATE_H

/*
 * Whether a profile loads: compiled by libseccomp as runc and podman will
 * (src/validate.c), within the limits of bounds.h.
 */
#include <stdbool.h>
#include <json-c/json.h>

#include "util.h"

/*
 * Compile the profile with libseccomp, each architecture on its own: every
 * name resolves, every rule adds. Quiet: messages say where a problem is
 * (rule 3, name 2), never what the profile says there.
 */
int profile_validate(json_object *profile, bool quiet, struct osr_err *err);

/* Refuse a profile beyond the limits of bounds.h (-E2BIG), before any work on it. */
int profile_check_limits(json_object *profile, struct osr_err *err);

/*
 * Validate a profile to be used as a base: within the limits, and valid as it
 * is and with every architecture a recording on this machine may add to it.
 */
int profile_validate_base(json_object *base, bool quiet, struct osr_err *err);

#endif
