/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_TENANT_H
#define OSR_TENANT_H

#include <stdbool.h>

#include "util.h"

/*
 * The Kubernetes namespace a container belongs to, as the kubelet labels it.
 * CRI-O writes the kubelet's container labels into config.json after the pod's
 * annotations (internal/factory/container/container.go, SpecAddAnnotations),
 * so a pod author's annotation of the same name is overwritten: the value is
 * the API object's namespace, not something the pod spec can forge.
 */
#define OSR_K8S_NAMESPACE_ANNOTATION "io.kubernetes.pod.namespace"

/* A Kubernetes namespace name: an RFC 1123 label, at most 63 characters. */
bool tenant_valid(const char *name);

/*
 * Where a confined recording for tenant lands: of:ROOT/REL becomes
 * ROOT/TENANT/REL, so no namespace can name, replace or alter a file of
 * another's. The tenant's folder is made (0755) if missing, inside root and
 * never through a symlink. *out is malloc'd.
 */
int tenant_output_path(const char *path, const char *root, const char *tenant, char **out,
		       struct osr_err *err);

/*
 * The one rule for where a file a container's annotation names (of:, stats:,
 * a watched container's learned file) goes: with an output folder and a
 * Kubernetes namespace, *path (malloc'd) is replaced by its place in the
 * namespace's folder (tenant_output_path); otherwise it is kept. The caller
 * then writes it beneath output_dir (place_beneath_or_strict).
 */
int tenant_confine(const char *output_dir, const char *tenant, char **path, struct osr_err *err);

/*
 * path as RESOLVE_BENEATH without symlinks resolves it: "//" and "." taken
 * out, no trailing "/"; -EXDEV for a "..", -EINVAL if not absolute. *out is
 * malloc'd.
 */
int path_normalize(const char *path, char **out);

/*
 * Where a confined recording's base (if:) is read from. A base the record
 * folder root holds is a namespace's recording: if:ROOT/REL is read from
 * ROOT/TENANT/REL, resolved beneath ROOT/TENANT (*folder), so that no
 * namespace reads another's and no answer tells anything of another's files
 * (1). A base elsewhere (a folder the node's operator fills) is kept (0), its
 * path only normalized, so that no spelling ("/./", "//") reaches the record
 * folder unmapped. *out and *folder are malloc'd.
 */
int tenant_base_path(const char *path, const char *root, const char *tenant, char **out,
		     char **folder, struct osr_err *err);

#endif
