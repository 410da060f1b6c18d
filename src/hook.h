/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_HOOK_H
#define OSR_HOOK_H

/* The hook's work behind its commands (src/hook.c), which the service shares. */
#include "commands.h"
#include "util.h"

struct oci_state;
struct tracer_config;

/* prestart's work once the state is read (src/hook.c). */
int hook_start(const struct options *o, const struct oci_state *st);
/*
 * Start recording what cfg names (id, bundle, pid, output, base, tenant...),
 * once the output and base are settled: for the hook and the service alike.
 * Stop the recording of id (for bundle) and collect how it ended.
 */
int recording_start(const struct options *o, struct tracer_config *cfg, struct osr_err *err);
int recording_stop(const struct options *o, const char *id, const char *bundle, struct osr_err *err);

#endif
