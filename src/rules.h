/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_RULES_H
#define OSR_RULES_H

#include <stdbool.h>
#include <json-c/json.h>

#include "strset.h"
#include "util.h"

/* "a b c", malloc'd; NULL when out of memory. */
char *names_join(const struct strset *s);

/* A member of the given type, or NULL. */
json_object *json_get_array(json_object *obj, const char *key);
const char *json_get_string(json_object *obj, const char *key);
/* The i-th member of an array as a string. */
const char *json_str_at(json_object *arr, size_t i);

/* The i-th syscall name of a rule ("names", or the older single "name"), NULL past the end. */
const char *rule_name(json_object *rule, size_t i);
const char *rule_action(json_object *rule);
/* A key present with members: containers-common writes "includes": {} for none. */
bool rule_has_members(json_object *rule, const char *key);
/* Argument, capability or architecture conditions. */
bool rule_is_conditional(json_object *rule);
/* SCMP_ACT_ALLOW with no condition. */
bool rule_is_plain_allow(json_object *rule);

/*
 * A path as the user means it: a relative one is taken from the working
 * directory. A failure is logged, named after cmd.
 */
int absolute_path(const char *cmd, const char *path, char **out);

#endif
