/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_CLIENT_H
#define OSR_CLIENT_H

#include <stdbool.h>

#include "annotation.h"
#include "commands.h"
#include "state.h"
#include "tracer.h"
#include "util.h"

/*
 * Whether this process can record by itself: root in the initial user
 * namespace (a rootless runtime runs its hooks as root of a user namespace
 * of its own, where BPF is out of reach).
 */
bool can_record_here(void);

/*
 * Have the recording service (oci-seccomp-recorder serve, as root) record
 * the container: the user's own process opens the output's folder, the base
 * and a pidfd of the container's process and hands them over, so root never
 * resolves a user's path. (cfg->spec: as the annotations say.)
 */
int client_start(const struct options *o, const struct oci_state *st,
		 const struct trace_request *req, const struct tracer_config *cfg,
		 struct osr_err *err);

/* Have the service stop the caller's recording of id and say how it ended. */
int client_stop(const struct options *o, const char *id, const char *bundle, struct osr_err *err);

#endif
