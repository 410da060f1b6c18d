// SPDX-License-Identifier: GPL-2.0-only
/* Rules from recorded arguments: see argrules.h. */
#include <errno.h>
#include <string.h>

#include "argrules.h"
#include "jsonutil.h"
#include "rules.h"

#define KIND_ARG(kind, name, arg, mask) [kind] = { arg, mask },
static const struct {
	unsigned int arg;
	uint32_t mask;
} kind_args[OSR_ARG_KIND_COUNT] = { OSR_ARG_TABLE(KIND_ARG) };
#undef KIND_ARG

int arg_cmp_add(json_object *args, unsigned int index, uint64_t mask, uint64_t value)
{
	json_object *c = json_object_new_object();

	if (!c)
		return -ENOMEM;
	json_object_object_add(c, "index", json_object_new_int64(index));
	json_object_object_add(c, "value", json_object_new_uint64(mask));
	json_object_object_add(c, "valueTwo", json_object_new_uint64(value));
	json_object_object_add(c, "op", json_object_new_string("SCMP_CMP_MASKED_EQ"));
	return json_object_array_add(args, c) < 0 ? -ENOMEM : 0;
}

json_object *arg_conditions(enum osr_arg_kind kind, uint64_t v)
{
	json_object *args = json_object_new_array();
	int r;

	if (!args || kind <= OSR_ARG_NONE || kind >= OSR_ARG_KIND_COUNT) {
		json_object_put(args);
		return NULL;
	}
	if (kind == OSR_ARG_SOCKET || kind == OSR_ARG_SOCKETPAIR) {
		uint64_t domain = OSR_SOCKET_DOMAIN(v);

		r = arg_cmp_add(args, 0, OSR_INT_MASK, domain);
		if (r >= 0)
			r = arg_cmp_add(args, 1, OSR_INT_MASK & ~OSR_SOCK_FLAGS, OSR_SOCKET_TYPE(v));
		if (r >= 0 && (domain == OSR_AF_NETLINK || domain == OSR_AF_PACKET))
			r = arg_cmp_add(args, 2, OSR_INT_MASK, OSR_SOCKET_PROTOCOL(v));
	} else {
		r = arg_cmp_add(args, kind_args[kind].arg, kind_args[kind].mask, v);
	}
	if (r < 0) {
		json_object_put(args);
		return NULL;
	}
	return args;
}

/* The rule among syscalls[first..] with exactly these conditions, or NULL. */
static json_object *rule_with(json_object *syscalls, size_t first, json_object *args)
{
	for (size_t i = first; i < json_object_array_length(syscalls); i++) {
		json_object *rule = json_object_array_get_idx(syscalls, i), *a;

		if (json_object_object_get_ex(rule, "args", &a) && json_object_equal(a, args))
			return rule;
	}
	return NULL;
}

static int add_value(json_object *syscalls, size_t first, const char *name, enum osr_arg_kind kind,
		     uint64_t v)
{
	json_object *args = arg_conditions(kind, v), *rule;

	if (!args)
		return -ENOMEM;
	rule = rule_with(syscalls, first, args);
	if (rule) {
		json_object_put(args);
		return rule_add_name(rule, name);
	}
	return rule_append(syscalls, rule_new_name(name, "SCMP_ACT_ALLOW", args));
}

int argrules_append(json_object *syscalls, size_t first, const char *name, enum osr_arg_kind kind,
		    const struct arg_values *values)
{
	for (unsigned int i = 0; i < values->n; i++) {
		int r = add_value(syscalls, first, name, kind, values->v[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

json_object *clone3_rule(void)
{
	json_object *rule = rule_new_name("clone3", "SCMP_ACT_ERRNO", NULL);

	if (!rule)
		return NULL;
	json_object_object_add(rule, "errnoRet", json_object_new_int(OSR_CLONE3_ERRNO));
	json_object_object_add(rule, "comment",
			       json_object_new_string("clone3's flags are beyond seccomp's reach and "
						      "clone's namespace flags are restricted: "
						      "ENOSYS, so glibc falls back to clone"));
	return rule;
}
