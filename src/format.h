/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_FORMAT_H
#define OSR_FORMAT_H

#include <stddef.h>
#include <json-c/json.h>

#include "util.h"

/* The forms a profile can be written in. */
enum profile_format {
	PROFILE_FORMAT_JSON,	 /* what runc, podman, Docker and the kubelet read */
	PROFILE_FORMAT_SPO_YAML, /* a Security Profiles Operator SeccompProfile resource */
};

/* The API version and kind written for PROFILE_FORMAT_SPO_YAML. */
#define OSR_SPO_API_VERSION "security-profiles-operator.x-k8s.io/v1beta1"
#define OSR_SPO_KIND "SeccompProfile"

/* The longest resource name written: a DNS label. */
#define OSR_RESOURCE_NAME_MAX 63

/*
 * "json", or "seccompprofile" (also "spo", "yaml") for the SPO resource, in
 * any case. -EINVAL for anything else.
 */
int format_parse(const char *name, enum profile_format *out);

/* PROFILE_FORMAT_SPO_YAML for a path ending in ".yaml" or ".yml", else JSON. */
enum profile_format format_for_path(const char *path);

/*
 * A resource name from a file name: the last component without its extension,
 * lower-cased, every run of characters outside [a-z0-9] made one '-', no '-'
 * at either end, at most OSR_RESOURCE_NAME_MAX characters (and size - 1).
 * -EINVAL when nothing usable is left ("/x/__.json").
 */
int format_resource_name(const char *path, char *buf, size_t size);

/*
 * Whether the profile can be written in fmt without changing what it does. A
 * SeccompProfile has no includes/excludes on rules and no defaultErrnoRet
 * (other than EPERM, the default): -EINVAL naming what is in the way.
 */
int format_check(json_object *profile, enum profile_format fmt, struct osr_err *err);

/*
 * The text of the profile in fmt, malloc'd, NULL with errno set on failure
 * (EINVAL: format_check() refuses it). JSON is profile_to_string(); the
 * SeccompProfile resource is named `name`, keeps defaultAction, architectures
 * (with archMap's architectures folded in), listenerPath, listenerMetadata,
 * flags and each rule's names, action, errnoRet and args; comments are left out.
 */
char *profile_render(json_object *profile, enum profile_format fmt, const char *name);

#endif
