// SPDX-License-Identifier: GPL-2.0-only
/*
 * Validation of a profile by compiling it with libseccomp, the way runc and
 * podman will: a profile that passes here loads there.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <seccomp.h>

#include "jsonutil.h"
#include "profile.h"

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static const struct {
	const char *name;
	uint32_t action;
	bool takes_errno;
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, false },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

static const struct {
	const char *name;
	enum scmp_compare op;
} compares[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },	  { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },	  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },	  { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* An optional unsigned member no larger than max. */
static int get_uint(json_object *obj, const char *key, uint64_t max, uint64_t *out, bool *found,
		    const char *where, struct osr_err *err)
{
	json_object *v;

	*found = false;
	if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return osr_fail(err, -EINVAL, "%s: '%s' is a %s, not an integer", where, key,
				json_type_of(v));
	if (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0)
		return osr_fail(err, -ERANGE, "%s: '%s' is negative", where, key);
	*out = json_object_get_uint64(v);
	if (*out > max)
		return osr_fail(err, -ERANGE, "%s: '%s' is larger than %llu", where, key,
				(unsigned long long)max);
	*found = true;
	return 0;
}

static int parse_action(json_object *obj, const char *where, const char *key,
			const char *errno_key, uint32_t *out, struct osr_err *err)
{
	json_object *v;
	const char *name;
	uint64_t ret = EPERM;
	bool found;
	int r;

	if (!json_object_object_get_ex(obj, key, &v))
		return osr_fail(err, -EINVAL, "%s has no '%s'", where, key);
	if (!json_object_is_type(v, json_type_string))
		return osr_fail(err, -EINVAL, "%s: '%s' is a %s, not a string", where, key,
				json_type_of(v));
	name = json_object_get_string(v);
	r = get_uint(obj, errno_key, 4095, &ret, &found, where, err);
	if (r < 0)
		return r;
	if (!found)
		ret = EPERM;
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (strcmp(actions[i].name, name))
			continue;
		*out = actions[i].takes_errno ? (actions[i].action | (uint32_t)ret)
					      : actions[i].action;
		return 0;
	}
	return osr_fail(err, -EINVAL, "%s: unknown action '%.64s'", where, name);
}

static int add_arches(scmp_filter_ctx ctx, json_object *list, const char *key,
		      struct osr_err *err)
{
	if (!json_object_is_type(list, json_type_array))
		return osr_fail(err, -EINVAL, "profile: '%s' is a %s, not an array", key,
				json_type_of(list));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *a = json_object_array_get_idx(list, i);
		uint32_t token;
		int r;

		if (!json_object_is_type(a, json_type_string))
			return osr_fail(err, -EINVAL, "profile: '%s' entry %zu is a %s, not a string",
					key, i, json_type_of(a));
		token = profile_arch_token(json_object_get_string(a));
		if (!token)
			return osr_fail(err, -EINVAL, "profile: unknown architecture '%.64s'",
					json_object_get_string(a));
		r = seccomp_arch_add(ctx, token);
		if (r < 0 && r != -EEXIST)
			return osr_fail(err, r, "profile: libseccomp cannot add architecture '%s': %s",
					json_object_get_string(a), osr_strerror(-r));
	}
	return 0;
}

static int parse_archmap(scmp_filter_ctx ctx, json_object *map, struct osr_err *err)
{
	if (!json_object_is_type(map, json_type_array))
		return osr_fail(err, -EINVAL, "profile: 'archMap' is a %s, not an array",
				json_type_of(map));
	for (size_t i = 0; i < json_object_array_length(map); i++) {
		json_object *e = json_object_array_get_idx(map, i), *a, *subs;
		_cleanup_json_ json_object *one = NULL;
		int r;

		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "architecture", &a))
			return osr_fail(err, -EINVAL,
					"profile: 'archMap' entry %zu has no 'architecture'", i);
		one = json_object_new_array();
		if (!one)
			return -ENOMEM;
		json_object_array_add(one, json_object_get(a));
		r = add_arches(ctx, one, "archMap", err);
		if (r >= 0 && json_object_object_get_ex(e, "subArchitectures", &subs) &&
		    !json_object_is_type(subs, json_type_null))
			r = add_arches(ctx, subs, "subArchitectures", err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_args(json_object *rule, const char *where, struct scmp_arg_cmp *cmps,
		      unsigned int *n, bool *same_index, struct osr_err *err)
{
	json_object *args;
	unsigned int used = 0;

	*n = 0;
	*same_index = false;
	if (!json_object_object_get_ex(rule, "args", &args) ||
	    json_object_is_type(args, json_type_null))
		return 0;
	if (!json_object_is_type(args, json_type_array))
		return osr_fail(err, -EINVAL, "%s: 'args' is a %s, not an array", where,
				json_type_of(args));
	if (json_object_array_length(args) > 6)
		return osr_fail(err, -EINVAL, "%s: more than 6 argument conditions", where);
	for (size_t i = 0; i < json_object_array_length(args); i++) {
		json_object *a = json_object_array_get_idx(args, i), *op;
		uint64_t index = 0, value = 0, value2 = 0;
		bool found;
		size_t k;
		int r;

		if (!json_object_is_type(a, json_type_object))
			return osr_fail(err, -EINVAL, "%s: argument %zu is not an object", where, i);
		r = get_uint(a, "index", 5, &index, &found, where, err);
		if (r >= 0 && !found)
			r = osr_fail(err, -EINVAL, "%s: argument %zu has no 'index'", where, i);
		if (r >= 0)
			r = get_uint(a, "value", UINT64_MAX, &value, &found, where, err);
		if (r >= 0)
			r = get_uint(a, "valueTwo", UINT64_MAX, &value2, &found, where, err);
		if (r < 0)
			return r;
		if (!json_object_object_get_ex(a, "op", &op) ||
		    !json_object_is_type(op, json_type_string))
			return osr_fail(err, -EINVAL, "%s: argument %zu has no 'op' string", where,
					i);
		for (k = 0; k < ARRAY_SIZE(compares); k++)
			if (!strcmp(compares[k].name, json_object_get_string(op)))
				break;
		if (k == ARRAY_SIZE(compares))
			return osr_fail(err, -EINVAL, "%s: unknown comparison '%.64s'", where,
					json_object_get_string(op));
		if (used & (1u << index))
			*same_index = true;
		used |= 1u << index;
		cmps[i] = (struct scmp_arg_cmp){ .arg = (unsigned int)index,
						 .op = compares[k].op,
						 .datum_a = value,
						 .datum_b = value2 };
	}
	*n = (unsigned int)json_object_array_length(args);
	return 0;
}

static int add_rule_name(scmp_filter_ctx ctx, uint32_t action, uint32_t def, const char *name,
			 const struct scmp_arg_cmp *cmps, unsigned int n, bool same_index,
			 const char *where, struct osr_err *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	int r = 0;

	if (nr == __NR_SCMP_ERROR)
		return osr_fail(err, -EINVAL, "%s: unknown syscall '%.64s'", where, name);
	/* A rule that repeats the default action adds nothing; runc skips it too. */
	if (action == def)
		return 0;
	if (same_index) {
		/* Several conditions on one argument mean "any of them", as runc reads it. */
		for (unsigned int i = 0; i < n && r >= 0; i++)
			r = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[i]);
	} else {
		r = seccomp_rule_add_array(ctx, action, nr, n, cmps);
	}
	if (r < 0)
		return osr_fail(err, r, "%s: libseccomp rejects the rule for '%s': %s", where, name,
				osr_strerror(-r));
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, json_object *syscalls, uint32_t def,
		     struct osr_err *err)
{
	if (!json_object_is_type(syscalls, json_type_array))
		return osr_fail(err, -EINVAL, "profile: 'syscalls' is a %s, not an array",
				json_type_of(syscalls));
	for (size_t i = 0; i < json_object_array_length(syscalls); i++) {
		json_object *rule = json_object_array_get_idx(syscalls, i), *names, *v;
		struct scmp_arg_cmp cmps[6];
		unsigned int ncmp;
		bool same_index;
		uint32_t action;
		char where[48];
		int r;

		snprintf(where, sizeof(where), "rule %zu", i);
		if (!json_object_is_type(rule, json_type_object))
			return osr_fail(err, -EINVAL, "%s is a %s, not an object", where,
					json_type_of(rule));
		r = parse_action(rule, where, "action", "errnoRet", &action, err);
		if (r >= 0)
			r = parse_args(rule, where, cmps, &ncmp, &same_index, err);
		if (r < 0)
			return r;
		for (const char *k = "includes"; k; k = strcmp(k, "includes") ? NULL : "excludes")
			if (json_object_object_get_ex(rule, k, &v) &&
			    !json_object_is_type(v, json_type_object) &&
			    !json_object_is_type(v, json_type_null))
				return osr_fail(err, -EINVAL, "%s: '%s' is a %s, not an object",
						where, k, json_type_of(v));

		if (json_object_object_get_ex(rule, "names", &names)) {
			if (!json_object_is_type(names, json_type_array))
				return osr_fail(err, -EINVAL, "%s: 'names' is a %s, not an array",
						where, json_type_of(names));
			for (size_t j = 0; j < json_object_array_length(names); j++) {
				json_object *n = json_object_array_get_idx(names, j);

				if (!json_object_is_type(n, json_type_string))
					return osr_fail(err, -EINVAL,
							"%s: name %zu is a %s, not a string", where,
							j, json_type_of(n));
				if (json_string_has_nul(n))
					return osr_fail(err, -EINVAL,
							"%s: name %zu contains a NUL character", where,
							j);
				r = add_rule_name(ctx, action, def, json_object_get_string(n),
						  cmps, ncmp, same_index, where, err);
				if (r < 0)
					return r;
			}
		} else if (json_object_object_get_ex(rule, "name", &v) &&
			   json_object_is_type(v, json_type_string) && !json_string_has_nul(v)) {
			r = add_rule_name(ctx, action, def, json_object_get_string(v), cmps, ncmp,
					  same_index, where, err);
			if (r < 0)
				return r;
		} else {
			return osr_fail(err, -EINVAL, "%s has no 'names' array", where);
		}
	}
	return 0;
}

int profile_validate(json_object *profile, struct osr_err *err)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
	_cleanup_close_ int null_fd = -1;
	json_object *v;
	uint32_t def;
	int r;

	if (!json_object_is_type(profile, json_type_object))
		return osr_fail(err, -EINVAL, "profile is a %s, not an object",
				json_type_of(profile));
	r = parse_action(profile, "profile", "defaultAction", "defaultErrnoRet", &def, err);
	if (r < 0)
		return r;
	ctx = seccomp_init(def);
	if (!ctx)
		return osr_fail(err, -EINVAL, "libseccomp rejects the default action");

	if (json_object_object_get_ex(profile, "architectures", &v) &&
	    !json_object_is_type(v, json_type_null) &&
	    (r = add_arches(ctx, v, "architectures", err)) < 0)
		return r;
	if (json_object_object_get_ex(profile, "archMap", &v) &&
	    !json_object_is_type(v, json_type_null) && (r = parse_archmap(ctx, v, err)) < 0)
		return r;
	if (json_object_object_get_ex(profile, "syscalls", &v) &&
	    !json_object_is_type(v, json_type_null) && (r = add_rules(ctx, v, def, err)) < 0)
		return r;

	/* Generating the BPF program is where libseccomp finds what cannot be expressed. */
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		return osr_fail(err, -errno, "cannot open '/dev/null': %s", osr_strerror(errno));
	r = seccomp_export_bpf(ctx, null_fd);
	if (r < 0)
		return osr_fail(err, r, "libseccomp cannot compile the profile: %s", osr_strerror(-r));
	return 0;
}
