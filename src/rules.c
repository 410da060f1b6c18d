// SPDX-License-Identifier: GPL-2.0-only
/* Reading the rules of a seccomp profile (OCI/Docker JSON): the one place that walks them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jsonutil.h"
#include "log.h"
#include "rules.h"

json_object *profile_syscalls(json_object *profile)
{
	return json_get_array(profile, "syscalls");
}

int rule_names(json_object *rule, struct rule_names *out)
{
	*out = (struct rule_names){ 0 };
	if (!json_object_is_type(rule, json_type_object))
		return -ENOENT;
	if (json_object_object_get_ex(rule, "names", &out->list)) {
		if (!json_object_is_type(out->list, json_type_array))
			return -EINVAL;
		out->n = json_object_array_length(out->list);
		return 0;
	}
	out->list = NULL;
	if (!json_object_object_get_ex(rule, "name", &out->single))
		return -ENOENT;
	out->n = 1;
	return 0;
}

json_object *rule_names_at(const struct rule_names *rn, size_t i)
{
	if (i >= rn->n)
		return NULL;
	return rn->list ? json_object_array_get_idx(rn->list, i) : rn->single;
}

const char *rule_name(json_object *rule, size_t i)
{
	struct rule_names rn;
	json_object *v;

	if (rule_names(rule, &rn) < 0)
		return NULL;
	v = rule_names_at(&rn, i);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

const char *rule_action(json_object *rule)
{
	return json_get_string(rule, "action");
}

/* A member that is there and not null. */
static bool present(json_object *obj, const char *key, json_object **v)
{
	return json_object_object_get_ex(obj, key, v) && !json_object_is_type(*v, json_type_null);
}

bool rule_errno_ret(json_object *rule, uint64_t *out)
{
	json_object *v;

	if (!present(rule, "errnoRet", &v))
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

size_t rule_arg_count(json_object *rule)
{
	json_object *args = json_get_array(rule, "args");

	return args ? json_object_array_length(args) : 0;
}

int rule_arg(json_object *rule, size_t i, struct rule_arg *out)
{
	json_object *a, *v;

	*out = (struct rule_arg){ 0 };
	if (i >= rule_arg_count(rule))
		return -ENOENT;
	a = json_object_array_get_idx(json_get_array(rule, "args"), i);
	if (!json_object_is_type(a, json_type_object))
		return -EINVAL;
	if ((out->has_index = present(a, "index", &v)))
		out->index = json_object_get_uint64(v);
	if ((out->has_value = present(a, "value", &v)))
		out->value = json_object_get_uint64(v);
	if ((out->has_value_two = present(a, "valueTwo", &v)))
		out->value_two = json_object_get_uint64(v);
	out->op = json_get_string(a, "op");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_strv(char ***v)
{
	for (size_t i = 0; *v && (*v)[i]; i++)
		free((*v)[i]);
	free(*v);
}

/*
 * Sorted, not deduplicated: runc reads conditions on one argument as "any of
 * them" and otherwise "all of them", so [A, A, B] and [A, B] differ.
 */
char *rule_args_key(json_object *rule)
{
	size_t n = rule_arg_count(rule), len = 1;
	_cleanup_(free_strv) char **v = calloc(n + 1, sizeof(*v));
	char *out, *p;

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct rule_arg a;

		if (rule_arg(rule, i, &a) < 0)
			v[i] = strdup("-");
		else if (asprintf(&v[i], "%" PRIu64 " %" PRIu64 " %" PRIu64 " %s", a.index, a.value,
				  a.value_two, a.op ? a.op : "") < 0)
			v[i] = NULL;
		if (!v[i])
			return NULL;
		len += strlen(v[i]) + 1;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	out = malloc(len);
	if (!out)
		return NULL;
	p = out;
	*p = '\0';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? ";" : "", v[i]);
	return out;
}

bool rule_has_members(json_object *rule, const char *key)
{
	json_object *v;

	if (!json_object_is_type(rule, json_type_object) || !present(rule, key, &v))
		return false;
	return !json_object_is_type(v, json_type_object) || json_object_object_length(v) > 0;
}

/* Argument, capability or architecture conditions ("includes": {} is none). */
bool rule_is_conditional(json_object *rule)
{
	return rule_arg_count(rule) > 0 || rule_has_members(rule, "includes") ||
	       rule_has_members(rule, "excludes");
}

enum rule_class rule_classify(json_object *rule)
{
	const char *action = rule_action(rule);

	if (!action)
		return RULE_OTHER;
	if (strcmp(action, "SCMP_ACT_ALLOW"))
		return RULE_DECIDES;
	if (rule_has_members(rule, "includes") || rule_has_members(rule, "excludes"))
		return RULE_OTHER;
	return rule_arg_count(rule) > 0 ? RULE_CONDITIONAL_ALLOW : RULE_PLAIN_ALLOW;
}

json_object *rule_new(json_object *names, const char *action, json_object *args)
{
	json_object *rule = names ? json_object_new_object() : NULL;

	if (!rule) {
		json_object_put(names);
		json_object_put(args);
		return NULL;
	}
	json_object_object_add(rule, "names", names);
	json_object_object_add(rule, "action", json_object_new_string(action));
	if (args)
		json_object_object_add(rule, "args", args);
	return rule;
}

json_object *rule_new_name(const char *name, const char *action, json_object *args)
{
	json_object *rule = rule_new(json_object_new_array(), action, args);

	if (rule && rule_add_name(rule, name) < 0) {
		json_object_put(rule);
		return NULL;
	}
	return rule;
}

int rule_add_name(json_object *rule, const char *name)
{
	json_object *names = json_get_array(rule, "names");

	return names && json_object_array_add(names, json_object_new_string(name)) == 0 ? 0
											: -ENOMEM;
}

int rule_append(json_object *syscalls, json_object *rule)
{
	if (!rule)
		return -ENOMEM;
	if (json_object_array_add(syscalls, rule) < 0) {
		json_object_put(rule);
		return -ENOMEM;
	}
	return 0;
}

/* The string members of an array not in the set yet, in their order. */
static int add_strings_once(struct strset *s, json_object *arr)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_string) &&
		    strset_add_once(s, json_object_get_string(v)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int archmap_walk(json_object *map, archmap_fn *fn, void *data)
{
	if (!json_object_is_type(map, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(map); i++) {
		json_object *e = json_object_array_get_idx(map, i);
		int r = fn(e, json_get_string(e, "architecture"),
			   json_get_array(e, "subArchitectures"), data);

		if (r)
			return r;
	}
	return 0;
}

static int add_entry_arches(json_object *entry, const char *arch, json_object *subs, void *data)
{
	struct strset *out = data;

	if (arch && strset_add_once(out, arch) < 0)
		return -ENOMEM;
	return add_strings_once(out, subs);
}

int profile_arches(json_object *profile, struct strset *out)
{
	int r = add_strings_once(out, json_get_array(profile, "architectures"));

	return r < 0 ? r : archmap_walk(json_get_array(profile, "archMap"), add_entry_arches, out);
}

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

void names_append(char *buf, size_t size, const char *item)
{
	size_t len = strlen(buf);

	if (len + strlen(item) + 5 >= size) {
		if (len + 4 < size && (len < 3 || strcmp(buf + len - 3, "...")))
			strcat(buf, " ...");
		return;
	}
	if (len)
		strcat(buf, " ");
	strcat(buf, item);
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
