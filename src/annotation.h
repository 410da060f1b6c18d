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

/*
 * Watch mode's learned file (OSR_WATCH_LEARNED_ANNOTATION, of:/PATH): where
 * the learned file of a container goes: inside root when one is set
 * (the listener's --output-dir), and there in the folder of its Kubernetes
 * namespace tenant, as the hook's of: (tenant_output_path()). *out is malloc'd.
 */
int learned_parse(const char *value, const char *root, const char *tenant, char **out,
		  struct osr_err *err);

#endif
