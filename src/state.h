/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_STATE_H
#define OSR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* The annotation that asks for a recording, as oci-seccomp-bpf-hook reads it. */
#define OSR_ANNOTATION "io.containers.trace-syscall"

/* The largest state JSON accepted on stdin; real ones are a few KiB. */
#define OSR_STATE_MAX (4u << 20)

/* The fields of the OCI runtime-spec state that the hook uses. */
struct oci_state {
	char *id;
	char *status;
	char *bundle;
	pid_t pid; /* 0 when absent (poststop) */
	char *annotation; /* value of OSR_ANNOTATION, or NULL */
};

/* Parse a state document; every field is checked for presence and type. */
int state_parse(const char *json, size_t len, struct oci_state *st, struct osr_err *err);
void state_free(struct oci_state *st);

/* A container id that is safe to use as a file name in the run directory. */
bool container_id_valid(const char *id);

#endif
