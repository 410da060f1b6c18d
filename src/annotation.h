/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_ANNOTATION_H
#define OSR_ANNOTATION_H

#include "util.h"

/*
 * `of:OUT[;if:BASE]` in either order, as oci-seccomp-bpf-hook takes it; ours
 * alone, `;stats:FILE` asks for the syscall counts too.
 */
struct trace_request {
	char *output; /* absolute path of the profile to write */
	char *input;  /* absolute path of a base profile to extend, or NULL */
	char *stats;  /* absolute path of the counts to write, or NULL: no counting */
};

int annotation_parse(const char *value, struct trace_request *req, struct osr_err *err);
void trace_request_free(struct trace_request *req);

#endif
