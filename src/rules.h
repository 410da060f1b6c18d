/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_RULES_H
#define OSR_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "strset.h"
#include "util.h"

/*
 * The one reader of a profile's rules (OCI/Docker JSON): building, merging,
 * checking, validating and rendering all read them through here. The readers
 * take the profile as it is: validate.c says what is wrong with it, here a
 * member of the wrong type reads as absent.
 */

/* The "syscalls" array of a profile, NULL when it has none. */
json_object *profile_syscalls(json_object *profile);

/* A rule's names as written: the "names" array, or the older single "name". */
struct rule_names {
	json_object *list;   /* "names" as found, whatever its type; NULL if absent */
	json_object *single; /* "name" as found, when there is no "names" */
	size_t n;	     /* members of list, 1 for single */
};

/*
 * Find a rule's names: 0, -EINVAL when "names" is not an array (list is set
 * to it, n is 0), -ENOENT when the rule has neither or is not an object.
 */
int rule_names(json_object *rule, struct rule_names *out);
/* The i-th name as written (any type), NULL past the end. */
json_object *rule_names_at(const struct rule_names *rn, size_t i);
/* The i-th syscall name of a rule, NULL past the end or where it is not a string. */
const char *rule_name(json_object *rule, size_t i);

const char *rule_action(json_object *rule);
/* Whether "errnoRet" is there (not null), and its value. */
bool rule_errno_ret(json_object *rule, uint64_t *out);

/* One entry of "args"; absent numbers are 0, as libseccomp takes them. */
struct rule_arg {
	uint64_t index, value, value_two;
	const char *op; /* NULL when absent or not a string */
	bool has_index, has_value, has_value_two;
};

/* Members of "args", 0 without an array. */
size_t rule_arg_count(json_object *rule);
/* The i-th argument condition: 0, -EINVAL when it is not an object, -ENOENT past the end. */
int rule_arg(json_object *rule, size_t i, struct rule_arg *out);
/*
 * The argument conditions as one string, equal for two rules whose conditions
 * are the same but for their order (malloc'd, "" without any; NULL when out
 * of memory).
 */
char *rule_args_key(json_object *rule);

/* A key present with members: containers-common writes "includes": {} for none. */
bool rule_has_members(json_object *rule, const char *key);
/* Argument, capability or architecture conditions. */
bool rule_is_conditional(json_object *rule);

enum rule_class {
	RULE_PLAIN_ALLOW,	/* SCMP_ACT_ALLOW, no condition */
	RULE_CONDITIONAL_ALLOW, /* SCMP_ACT_ALLOW under "args" conditions only */
	RULE_DECIDES,		/* any other action, with or without conditions */
	RULE_OTHER,		/* SCMP_ACT_ALLOW with includes/excludes, or no action */
};
enum rule_class rule_classify(json_object *rule);

static inline bool rule_is_plain_allow(json_object *rule)
{
	return rule_classify(rule) == RULE_PLAIN_ALLOW;
}

/*
 * The one writer of rules: {"names": names, "action": action}, then "args"
 * when args is not NULL. It takes names and args, even when it fails (NULL:
 * out of memory). Members added later (errnoRet, comment) follow these.
 */
json_object *rule_new(json_object *names, const char *action, json_object *args);
/* The same for a single name. */
json_object *rule_new_name(const char *name, const char *action, json_object *args);
/* Add a syscall name to a rule rule_new() made: 0 or -ENOMEM. */
int rule_add_name(json_object *rule, const char *name);
/* Append rule to a "syscalls" array, which takes it (put on failure; NULL rule: -ENOMEM). */
int rule_append(json_object *syscalls, json_object *rule);

/*
 * The walk over an "archMap" array (NULL or anything else: nothing to walk),
 * as the readers take it: fn gets each entry, its "architecture" when that is
 * a string (else NULL) and its "subArchitectures" when that is an array (else
 * NULL). A non-zero return from fn ends the walk and is returned. validate.c
 * walks the map on its own, strictly, to say what is wrong with it.
 */
typedef int archmap_fn(json_object *entry, const char *arch, json_object *subs, void *data);
int archmap_walk(json_object *map, archmap_fn *fn, void *data);

/*
 * Every architecture a profile names: "architectures", then each archMap
 * entry's architecture and subArchitectures, each once, in that order.
 */
int profile_arches(json_object *profile, struct strset *out);

/* "a b c", malloc'd; NULL when out of memory. */
char *names_join(const struct strset *s);
/* Append item to a space-separated list in buf, ending it with " ..." once it is full. */
void names_append(char *buf, size_t size, const char *item);

/*
 * A path as the user means it: a relative one is taken from the working
 * directory. A failure is logged, named after cmd.
 */
int absolute_path(const char *cmd, const char *path, char **out);

#endif
