/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_STATE_H
#define OSR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* The annotation that asks for a recording, as oci-seccomp-bpf-hook reads it. */
#define OSR_ANNOTATION "io.containers.trace-syscall"
/* Ours alone: what part of the container's life the profile covers. */
#define OSR_SCOPE_ANNOTATION "io.containers.trace-syscall.scope"
/* Ours alone: the noNewPrivileges settings the profile is to start under. */
#define OSR_NNP_ANNOTATION "io.containers.trace-syscall.nnp"
/* Ours alone: "none" writes names only, without the recorded arguments. */
#define OSR_ARGS_ANNOTATION "io.containers.trace-syscall.args"

/* The largest state JSON accepted on stdin; real ones are a few KiB. */
#define OSR_STATE_MAX (4u << 20)
/* The largest bundle config.json read. */
#define OSR_CONFIG_MAX (16u << 20)

/* The fields of the OCI runtime-spec state that the hook uses. */
struct oci_state {
	char *id;
	char *status;
	char *bundle;
	pid_t pid;	     /* 0 when absent (poststop) */
	char *annotation;    /* value of OSR_ANNOTATION, or NULL */
	char *scope;	     /* value of OSR_SCOPE_ANNOTATION, or NULL */
	char *nnp;	     /* value of OSR_NNP_ANNOTATION, or NULL */
	char *args;	     /* value of OSR_ARGS_ANNOTATION, or NULL */
	char *k8s_namespace; /* the pod's Kubernetes namespace (see tenant.h), or NULL */
};

/* Parse a state document; every field is checked for presence and type. */
int state_parse(const char *json, size_t len, struct oci_state *st, struct osr_err *err);
void state_free(struct oci_state *st);

/*
 * process.noNewPrivileges from the bundle's config.json: where the runtime
 * loads a seccomp filter depends on it. Missing means false, as in the spec.
 */
int bundle_no_new_privs(const char *bundle, bool *nnp, struct osr_err *err);

/*
 * The 'timeout' (seconds) the bundle's config.json gives this hook at stage
 * (the entry of hooks.STAGE whose path is this executable): 0 if none does.
 */
int bundle_hook_timeout(const char *bundle, const char *stage, long *secs, struct osr_err *err);

/* The longest container id accepted. */
#define OSR_ID_MAX 256
/* A container id that is safe to use as a file name in the run directory. */
bool container_id_valid(const char *id);

#endif
