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

#endif
