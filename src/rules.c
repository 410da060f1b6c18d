// SPDX-License-Identifier: GPL-2.0-only
/* Reading the rules of a seccomp profile (OCI/Docker JSON), shared by merging and checking. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rules.h"

/* "a b c", malloc'd; NULL when out of memory. */
char *names_join(const struct strset *s)
{
	size_t len = 1;
	char *out, *p;

	for (size_t i = 0; i < s->n; i++)
		len += strlen(s->v[i]) + 1;
	out = malloc(len);
	if (!out)
		return NULL;
	p = out;
	*p = '\0';
	for (size_t i = 0; i < s->n; i++)
		p += sprintf(p, "%s%s", i ? " " : "", s->v[i]);
	return out;
}

json_object *json_get_array(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* The i-th member of an array as a string. */
const char *json_str_at(json_object *arr, size_t i)
{
	return json_object_get_string(json_object_array_get_idx(arr, i));
}

const char *json_get_string(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The i-th syscall name of a rule ("names", or the older single "name"), NULL past the end. */
const char *rule_name(json_object *rule, size_t i)
{
	json_object *v;

	if (!json_object_is_type(rule, json_type_object))
		return NULL;
	if (json_object_object_get_ex(rule, "names", &v)) {
		if (!json_object_is_type(v, json_type_array) || i >= json_object_array_length(v))
			return NULL;
		v = json_object_array_get_idx(v, i);
		return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	}
	if (i == 0 && json_object_object_get_ex(rule, "name", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

const char *rule_action(json_object *rule)
{
	json_object *v;

	if (!json_object_is_type(rule, json_type_object) ||
	    !json_object_object_get_ex(rule, "action", &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool rule_has_members(json_object *rule, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(rule, key, &v) || json_object_is_type(v, json_type_null))
		return false;
	return !json_object_is_type(v, json_type_object) || json_object_object_length(v) > 0;
}

/* Argument, capability or architecture conditions ("includes": {} is none). */
bool rule_is_conditional(json_object *rule)
{
	json_object *v;

	if (!json_object_is_type(rule, json_type_object))
		return false;
	v = json_get_array(rule, "args");
	if (v && json_object_array_length(v) > 0)
		return true;
	return rule_has_members(rule, "includes") || rule_has_members(rule, "excludes");
}

bool rule_is_plain_allow(json_object *rule)
{
	const char *action = rule_action(rule);

	return action && !strcmp(action, "SCMP_ACT_ALLOW") && !rule_is_conditional(rule);
}

/*
 * profile_load() and write_file_atomic() take absolute paths; a relative one
 * is taken from the working directory, as a user means it.
 */
int absolute_path(const char *cmd, const char *path, char **out)
{
	_cleanup_free_ char *cwd = NULL;
	int r = 0;

	if (path[0] == '/') {
		*out = strdup(path);
		r = *out ? 0 : -ENOMEM;
	} else if (!(cwd = getcwd(NULL, 0))) {
		r = -errno;
	} else if (asprintf(out, "%s/%s", strcmp(cwd, "/") ? cwd : "", path) < 0) {
		r = -ENOMEM;
	}
	if (r < 0)
		log_error("%s: cannot make '%s' an absolute path: %s", cmd, path, osr_strerror(-r));
	return r;
}
