/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_MERGE_H
#define OSR_MERGE_H

#include <stddef.h>
#include <json-c/json.h>

#include "util.h"

/* What a merge noticed that the top level should tell the user about. */
struct merge_report {
	unsigned int allowed;	  /* names the output allows outright */
	unsigned int conditional; /* allow rules under argument conditions, after union */
	unsigned int kept;	  /* other rules, after dedup */
	unsigned int withheld;	  /* names one input allows and another decides otherwise */
	char withheld_list[512];
};

/*
 * One profile from n (n >= 1). Their defaultAction and defaultErrnoRet must
 * agree (-EINVAL otherwise), as must listenerPath and listenerMetadata where
 * two have one; the first gives the other keys. Architectures, archMap and
 * flags are united. A name any input allows outright is allowed outright,
 * unless an input puts it under another action: that rule stands and the
 * allow is withheld. A name not allowed outright keeps every distinct set of
 * argument conditions an input allows it under (rule_args_key()), names
 * with the same set sharing one rule. Every other rule is kept once. paths
 * name the inputs in messages. The result is not validated.
 */
int merge_profiles(json_object *const *in, char *const *paths, size_t n, json_object **out,
		   struct merge_report *rep, struct osr_err *err);

#endif
