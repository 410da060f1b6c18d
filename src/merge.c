// SPDX-License-Identifier: GPL-2.0-only
/*
 * Merging profiles: the containers of a pod, the replicas of a deployment.
 * What a merged profile allows, denies and keeps is decided here; `merge`
 * (cmd_merge.c) reads the inputs and writes the result.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "jsonutil.h"
#include "merge.h"
#include "rules.h"
#include "strset.h"

#define ACT_ALLOW "SCMP_ACT_ALLOW"

/* An errno value a default action returns: defaultErrnoRet, EPERM without one. */
static int64_t default_errno(json_object *profile)
{
	json_object *v;

	if (!json_object_object_get_ex(profile, "defaultErrnoRet", &v) ||
	    json_object_is_type(v, json_type_null))
		return EPERM;
	return json_object_get_int64(v);
}

/* Every member of src appended to dst: json_array_unique() drops repeats once all are in. */
static int add_all(json_object *dst, json_object *src)
{
	for (size_t i = 0; src && i < json_object_array_length(src); i++) {
		json_object *v = json_object_array_get_idx(src, i);

		if (json_object_array_add(dst, json_object_get(v)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Replace the array under key in obj with its members that repeat no earlier one. */
static int unique_member(json_object *obj, const char *key)
{
	json_object *arr = json_get_array(obj, key), *u;

	if (!arr)
		return 0;
	u = json_array_unique(arr);
	if (!u)
		return -ENOMEM;
	json_object_object_add(obj, key, u);
	return 0;
}

/* The archMap entry of an architecture. */
struct arch_find {
	const char *arch;
	json_object *found;
};

static int find_arch(json_object *entry, const char *arch, json_object *subs, void *data)
{
	struct arch_find *f = data;

	if (!arch || strcmp(arch, f->arch))
		return 0;
	f->found = entry;
	return 1;
}

/* An entry of src into dst: a copy, or its subArchitectures added to dst's entry. */
static int merge_arch_entry(json_object *e, const char *arch, json_object *esubs, void *data)
{
	json_object *dst = data, *copy = NULL, *subs;
	struct arch_find f = { .arch = arch };

	if (arch)
		archmap_walk(dst, find_arch, &f);
	if (!f.found) {
		if (json_object_deep_copy(e, &copy, NULL) < 0 || !copy)
			return -ENOMEM;
		if (json_object_array_add(dst, copy) < 0) {
			json_object_put(copy);
			return -ENOMEM;
		}
		return 0;
	}
	subs = json_get_array(f.found, "subArchitectures");
	if (!subs) {
		subs = json_object_new_array();
		if (!subs)
			return -ENOMEM;
		json_object_object_add(f.found, "subArchitectures", subs);
	}
	return add_all(subs, esubs);
}

/* archMap entries united by architecture, their subArchitectures united too. */
static int merge_archmap(json_object *dst, json_object *src)
{
	int r = archmap_walk(src, merge_arch_entry, dst);

	if (r < 0)
		return r;
	for (size_t i = 0; i < json_object_array_length(dst) && r >= 0; i++)
		r = unique_member(json_object_array_get_idx(dst, i), "subArchitectures");
	return r < 0 ? r : 0;
}

/* Keys taken from whichever input has them, that two inputs may not disagree on. */
static int merge_string_key(json_object *out, json_object *in, const char *key,
			    const char *first_path, const char *path, struct osr_err *err)
{
	json_object *v, *have;

	if (!json_object_object_get_ex(in, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (json_object_object_get_ex(out, key, &have) &&
	    !json_object_is_type(have, json_type_null)) {
		if (!json_object_equal(have, v))
			return osr_fail(err, -EINVAL,
					"'%s' has %s '%s' but '%s' (or an earlier profile) "
					"has '%s'",
					path, key, json_object_get_string(v), first_path,
					json_object_get_string(have));
		return 0;
	}
	json_object_object_add(out, key, json_object_get(v));
	return 0;
}

/* What the inputs' rules say, read before any output rule is written. */
struct rule_sets {
	struct strset allowed;	  /* names some input allows outright */
	struct strset decided;	  /* names some input puts under another action */
	json_object *conditional; /* the inputs' conditional allows, in input order */
	json_object *others;	  /* every other rule but plain allows, in input order */
};

static void rule_sets_free(struct rule_sets *s)
{
	strset_free(&s->allowed);
	strset_free(&s->decided);
	json_object_putp(&s->conditional);
	json_object_putp(&s->others);
}

/* Whether the output allows a name outright (then its conditional allows add nothing). */
static bool allowed_outright(const struct rule_sets *s, const char *name)
{
	return strset_has(&s->allowed, name) && !strset_has(&s->decided, name);
}

static int read_rules(json_object *const *in, size_t n, struct rule_sets *s)
{
	s->conditional = json_object_new_array();
	s->others = json_object_new_array();
	if (!s->conditional || !s->others)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *syscalls = profile_syscalls(in[i]);

		for (size_t j = 0; syscalls && j < json_object_array_length(syscalls); j++) {
			json_object *ru = json_object_array_get_idx(syscalls, j);
			enum rule_class class = rule_classify(ru);
			const char *name;
			int r = 0;

			for (size_t k = 0; (name = rule_name(ru, k)) && r >= 0; k++) {
				if (class == RULE_PLAIN_ALLOW)
					r = strset_add(&s->allowed, name);
				else if (class == RULE_DECIDES)
					r = strset_add(&s->decided, name);
			}
			if (r >= 0 && class == RULE_CONDITIONAL_ALLOW)
				r = json_object_array_add(s->conditional, json_object_get(ru));
			else if (r >= 0 && class != RULE_PLAIN_ALLOW)
				r = json_object_array_add(s->others, json_object_get(ru));
			if (r < 0)
				return -ENOMEM;
		}
	}
	strset_sort(&s->allowed);
	strset_sort(&s->decided);
	return 0;
}

/* One allow rule for every name allowed outright, as a recording writes it. */
static int plain_rule(const struct rule_sets *s, json_object *rules, struct merge_report *rep)
{
	json_object *list = json_object_new_array();

	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < s->allowed.n; i++) {
		/*
		 * libseccomp lets an unconditional rule override every conditional
		 * one on the same syscall: allowing it outright would undo the deny.
		 */
		if (strset_has(&s->decided, s->allowed.v[i])) {
			names_append(rep->withheld_list, sizeof(rep->withheld_list),
				     s->allowed.v[i]);
			rep->withheld++;
			continue;
		}
		if (json_object_array_add(list, json_object_new_string(s->allowed.v[i])) < 0) {
			json_object_put(list);
			return -ENOMEM;
		}
		rep->allowed++;
	}
	if (json_object_array_length(list) == 0) {
		json_object_put(list);
		return 0;
	}
	return rule_append(rules, rule_new(list, ACT_ALLOW, NULL));
}

/*
 * A name allowed under the conditions of rule ru (their key), into the rule
 * of groups (key -> rule) for those conditions, once.
 */
static int group_name(json_object *groups, struct strset *seen, const char *key, json_object *ru,
		      const char *name)
{
	_cleanup_free_ char *pair = NULL;
	json_object *group;
	int r;

	if (asprintf(&pair, "%s\n%s", key, name) < 0)
		return -ENOMEM;
	r = strset_add_once(seen, pair);
	if (r <= 0)
		return r;
	if (!json_object_object_get_ex(groups, key, &group)) {
		group = rule_new(json_object_new_array(), ACT_ALLOW,
				 json_object_get(json_get_array(ru, "args")));
		if (!group)
			return -ENOMEM;
		json_object_object_add(groups, key, group);
	}
	return rule_add_name(group, name);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a),
		      json_object_get_string(*(json_object *const *)b));
}

/*
 * The union of the conditional allows of every name not allowed outright:
 * each distinct (name, conditions) once, one rule for the names that share
 * their conditions, in the order the conditions first appear.
 */
static int conditional_rules(const struct rule_sets *s, json_object *rules, struct merge_report *rep)
{
	_cleanup_json_ json_object *groups = json_object_new_object();
	_cleanup_(strset_free) struct strset seen = { 0 };
	int r = groups ? 0 : -ENOMEM;

	for (size_t i = 0; r >= 0 && i < json_object_array_length(s->conditional); i++) {
		json_object *ru = json_object_array_get_idx(s->conditional, i);
		_cleanup_free_ char *key = rule_args_key(ru);
		const char *name;

		if (!key)
			return -ENOMEM;
		for (size_t k = 0; r >= 0 && (name = rule_name(ru, k)); k++)
			if (!allowed_outright(s, name))
				r = group_name(groups, &seen, key, ru, name);
	}
	if (r < 0)
		return r;
	json_object_object_foreach(groups, key, group)
	{
		(void)key;
		json_object_array_sort(json_get_array(group, "names"), cmp_name);
		r = rule_append(rules, json_object_get(group));
		if (r < 0)
			return r;
		rep->conditional++;
	}
	return 0;
}

/*
 * The rules of every input: one allow rule first, as a recording writes it,
 * then the conditional allows united, then the other rules in input order,
 * each once.
 */
static int merge_syscalls(json_object *const *in, size_t n, json_object *out,
			  struct merge_report *rep)
{
	_cleanup_(rule_sets_free) struct rule_sets s = { 0 };
	_cleanup_json_ json_object *rules = json_object_new_array(), *kept = NULL;
	int r;

	if (!rules)
		return -ENOMEM;
	r = read_rules(in, n, &s);
	if (r >= 0)
		r = plain_rule(&s, rules, rep);
	if (r >= 0)
		r = conditional_rules(&s, rules, rep);
	if (r < 0)
		return r;
	kept = json_array_unique(s.others);
	if (!kept)
		return -ENOMEM;
	rep->kept = (unsigned int)json_object_array_length(kept);
	for (size_t i = 0; i < json_object_array_length(kept); i++) {
		json_object *ru = json_object_array_get_idx(kept, i);

		if (json_object_array_add(rules, json_object_get(ru)) < 0)
			return -ENOMEM;
	}
	json_object_object_add(out, "syscalls", rules);
	rules = NULL;
	return 0;
}

/* The default action, and the keys two inputs may not disagree on: as in the first. */
static int merge_defaults(json_object *out, json_object *const *in, char *const *paths, size_t i,
			  struct osr_err *err)
{
	const char *def = json_get_string(in[0], "defaultAction");
	const char *d = json_get_string(in[i], "defaultAction");
	int r;

	if (!d || !def || strcmp(d, def))
		return osr_fail(err, -EINVAL,
				"'%s' has defaultAction '%s' but '%s' has '%s': the "
				"profiles merged must have the same default action",
				paths[0], def ? def : "", paths[i], d ? d : "");
	if (default_errno(in[i]) != default_errno(in[0]))
		return osr_fail(err, -EINVAL,
				"'%s' has defaultErrnoRet %lld but '%s' has %lld (1, "
				"EPERM, when absent): the profiles merged must have the "
				"same default action",
				paths[0], (long long)default_errno(in[0]), paths[i],
				(long long)default_errno(in[i]));
	if (i == 0)
		return 0;
	r = merge_string_key(out, in[i], "listenerPath", paths[0], paths[i], err);
	if (r >= 0)
		r = merge_string_key(out, in[i], "listenerMetadata", paths[0], paths[i], err);
	return r;
}

/* Set key to list, deduplicated, unless the list is empty. */
static int set_list(json_object *profile, const char *key, json_object **list)
{
	if (json_object_array_length(*list) == 0)
		return 0;
	json_object_object_add(profile, key, *list);
	*list = NULL;
	return unique_member(profile, key);
}

/* "architectures", "archMap" and "flags" of every input, united. */
static int merge_lists(json_object *const *in, size_t n, json_object *out)
{
	_cleanup_json_ json_object *arches = json_object_new_array(),
				   *archmap = json_object_new_array(),
				   *flags = json_object_new_array();
	int r = arches && archmap && flags ? 0 : -ENOMEM;

	for (size_t i = 0; i < n && r >= 0; i++) {
		json_object *map = json_get_array(in[i], "archMap");

		r = add_all(arches, json_get_array(in[i], "architectures"));
		if (r >= 0)
			r = add_all(flags, json_get_array(in[i], "flags"));
		if (r >= 0 && map)
			r = merge_archmap(archmap, map);
	}
	if (r >= 0)
		r = set_list(out, "architectures", &arches);
	if (r >= 0 && json_object_array_length(archmap) > 0) {
		json_object_object_add(out, "archMap", archmap);
		archmap = NULL;
	}
	if (r >= 0)
		r = set_list(out, "flags", &flags);
	return r;
}

int merge_profiles(json_object *const *in, char *const *paths, size_t n, json_object **out,
		   struct merge_report *rep, struct osr_err *err)
{
	_cleanup_json_ json_object *profile = NULL;
	int r;

	memset(rep, 0, sizeof(*rep));
	/* The first input gives the other keys (comments, listener, ...). */
	if (json_object_deep_copy(in[0], &profile, NULL) < 0 || !profile)
		return osr_fail(err, -ENOMEM, "out of memory copying '%s'", paths[0]);
	for (size_t i = 0; i < n; i++) {
		r = merge_defaults(profile, in, paths, i, err);
		if (r < 0)
			return r;
	}
	r = merge_lists(in, n, profile);
	if (r < 0)
		return osr_fail(err, r, "out of memory merging the architectures");
	r = merge_syscalls(in, n, profile, rep);
	if (r < 0)
		return osr_fail(err, r, "out of memory merging the rules");
	*out = profile;
	profile = NULL;
	return 0;
}
