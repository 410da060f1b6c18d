// SPDX-License-Identifier: GPL-2.0-only
/*
 * Watch mode's profile: the recorded profile as the kernel enforces it, with
 * every syscall it does not decide sent to a listener instead of refused.
 * Measured with runc 1.1.5 and crun 1.8.1: runc refuses SCMP_ACT_NOTIFY as
 * the defaultAction and for write (its init writes to its sync pipe after
 * loading the filter, and would wait on its own listener), so for runc every
 * other syscall libseccomp knows is listed as NOTIFY; crun takes NOTIFY as
 * the default.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <seccomp.h>

#include "argrules.h"
#include "jsonutil.h"
#include "names.h"
#include "rules.h"
#include "runtimes.h"
#include "strset.h"
#include "validate.h"
#include "watch.h"

/* Syscall numbers are below this on every architecture libseccomp knows. */
#define WATCH_MAX_NR 1024
/* x32's numbers carry this bit (__X32_SYSCALL_BIT). */
#define WATCH_X32_BIT 0x40000000

int watch_runtime_parse(const char *s, enum watch_runtime *rt)
{
	if (!strcmp(s, "runc"))
		*rt = WATCH_RUNC;
	else if (!strcmp(s, "crun"))
		*rt = WATCH_CRUN;
	else
		return -EINVAL;
	return 0;
}

int watch_metadata_errno(const char *metadata)
{
	long v;

	if (metadata && !strncmp(metadata, "errno=", 6) &&
	    parse_long(metadata + 6, 1, 4095, &v) >= 0)
		return (int)v;
	return EPERM;
}

/* Every name any rule of the profile mentions, whatever it decides. */
static int mentioned_names(json_object *profile, struct strset *out)
{
	json_object *syscalls = profile_syscalls(profile);
	const char *n;
	int r;

	for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++) {
		json_object *rule = json_object_array_get_idx(syscalls, i);

		for (size_t k = 0; (n = rule_name(rule, k)); k++)
			if ((r = strset_add_once(out, n)) < 0)
				return r;
	}
	return 0;
}

static bool runtime_is(const char *runtime, enum watch_runtime rt)
{
	const char *prefix = rt == WATCH_RUNC ? "runc " : "crun ";

	return !strncmp(runtime, prefix, strlen(prefix));
}

/* What the runtime does after loading the filter: it must never wait on the listener. */
static int runtime_names(enum watch_runtime rt, struct strset *out)
{
	int r;

	for (size_t i = 0; i < runtime_tail_count; i++) {
		const struct runtime_tail *t = &runtime_tails[i];

		if (!runtime_is(t->runtime, rt))
			continue;
		for (size_t k = 0; t->names[k]; k++)
			if ((r = strset_add_once(out, t->names[k])) < 0)
				return r;
	}
	/* runc's init is a Go program: its runtime makes these at any moment. */
	for (size_t k = 0; rt == WATCH_RUNC && runtime_async[k]; k++)
		if ((r = strset_add_once(out, runtime_async[k])) < 0)
			return r;
	if (rt == WATCH_RUNC && (r = strset_add_once(out, "write")) < 0)
		return r;
	return 0;
}

/* Every syscall name libseccomp knows for the profile's architectures (native without any). */
static int known_names(json_object *profile, struct strset *out)
{
	struct strset arches = { 0 };
	uint32_t native[1] = { SCMP_ARCH_NATIVE };
	int r = profile_arches(profile, &arches);

	for (size_t a = 0; r >= 0 && a < (arches.n ? arches.n : 1); a++) {
		uint32_t token = arches.n ? arch_token(arches.v[a]) : native[0];

		for (int nr = 0; token && r >= 0 && nr < 2 * WATCH_MAX_NR; nr++) {
			int num = nr < WATCH_MAX_NR ? nr : (nr - WATCH_MAX_NR) | WATCH_X32_BIT;
			_cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(token, num);

			if (name)
				r = strset_add_once(out, name);
		}
	}
	strset_free(&arches);
	return r < 0 ? r : 0;
}

/* The profile's "syscalls" array, added if it has none: NULL when out of memory. */
static json_object *syscalls_of(json_object *profile)
{
	json_object *syscalls = profile_syscalls(profile);

	if (!syscalls) {
		syscalls = json_object_new_array();
		if (!syscalls || json_object_object_add(profile, "syscalls", syscalls) < 0)
			return NULL;
	}
	return syscalls;
}

/* One rule of action for the names of from that skip does not hold, appended if any. */
static int add_rule_of(json_object *profile, const struct strset *from, const struct strset *skip,
		       const char *action)
{
	json_object *rule = NULL, *syscalls = syscalls_of(profile);
	int r;

	if (!syscalls)
		return -ENOMEM;
	for (size_t i = 0; i < from->n; i++) {
		if (strset_has(skip, from->v[i]))
			continue;
		if (!rule && !(rule = rule_new(json_object_new_array(), action, NULL)))
			return -ENOMEM;
		if ((r = rule_add_name(rule, from->v[i])) < 0) {
			json_object_put(rule);
			return r;
		}
	}
	return rule ? rule_append(syscalls, rule) : 0;
}

/*
 * What the runtime makes after the load only because it hands a listener the
 * fd, each call allowed only with the value the runtime passes, where the
 * profile does not decide it: the rest of that call still reaches the
 * listener (crun's default). The names go into skip, which the NOTIFY list
 * leaves out.
 */
static int add_listener_rules(json_object *profile, enum watch_runtime rt, struct strset *skip)
{
	json_object *syscalls = syscalls_of(profile);
	int r = syscalls ? 0 : -ENOMEM;

	for (size_t i = 0; r >= 0 && i < runtime_listener_call_count; i++) {
		const struct runtime_listener_call *c = &runtime_listener_calls[i];
		json_object *args = NULL;

		if (!runtime_is(c->runtime, rt) || strset_has(skip, c->name))
			continue;
		if (c->arg >= 0) {
			args = json_object_new_array();
			if (!args ||
			    arg_cmp_add(args, (unsigned int)c->arg, OSR_INT_MASK, c->value) < 0) {
				json_object_put(args);
				return -ENOMEM;
			}
		}
		r = rule_append(syscalls, rule_new_name(c->name, "SCMP_ACT_ALLOW", args));
		if (r >= 0)
			r = strset_add_once(skip, c->name);
	}
	return r;
}

static int set_string(json_object *o, const char *key, const char *value)
{
	json_object *s = json_object_new_string(value);

	if (!s || json_object_object_add(o, key, s) < 0) {
		json_object_put(s);
		return -ENOMEM;
	}
	return 0;
}

/* The errno enforce mode returns: the profile's own for a refused call. */
static int profile_errno(json_object *profile)
{
	json_object *v;
	const char *def = json_get_string(profile, "defaultAction");

	if (def && !strcmp(def, "SCMP_ACT_ERRNO") &&
	    json_object_object_get_ex(profile, "defaultErrnoRet", &v) &&
	    json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0 &&
	    json_object_get_int64(v) < 4096)
		return (int)json_object_get_int64(v);
	return EPERM;
}

/* Allow the runtime's own calls, and send the rest to the listener as rt allows. */
static int add_watch_rules(json_object *p, enum watch_runtime rt)
{
	struct strset mentioned = { 0 }, runtime = { 0 }, known = { 0 };
	int r;

	r = mentioned_names(p, &mentioned);
	if (r >= 0)
		r = runtime_names(rt, &runtime);
	if (r >= 0)
		r = add_rule_of(p, &runtime, &mentioned, "SCMP_ACT_ALLOW");
	if (r >= 0)
		r = add_listener_rules(p, rt, &mentioned);
	if (r >= 0 && rt == WATCH_RUNC) {
		r = known_names(p, &known);
		for (size_t i = 0; r >= 0 && i < runtime.n; i++)
			r = strset_add_once(&mentioned, runtime.v[i]);
		strset_sort(&known);
		if (r >= 0)
			r = add_rule_of(p, &known, &mentioned, "SCMP_ACT_NOTIFY");
	} else if (r >= 0) {
		json_object_object_del(p, "defaultErrnoRet");
		r = set_string(p, "defaultAction", "SCMP_ACT_NOTIFY");
	}
	strset_free(&mentioned);
	strset_free(&runtime);
	strset_free(&known);
	return r;
}

int watch_profile(json_object *in, enum watch_runtime rt, const char *listener, json_object **out,
		  struct osr_err *err)
{
	_cleanup_json_ json_object *p = NULL;
	char meta[32];
	int r;

	const char *def = json_get_string(in, "defaultAction");
	if (def && (!strcmp(def, "SCMP_ACT_ALLOW") || !strcmp(def, "SCMP_ACT_NOTIFY") ||
		    !strcmp(def, "SCMP_ACT_LOG")))
		return osr_fail(err, -EINVAL,
				"the profile's defaultAction is '%s': watch mode watches an "
				"allowlist (a recorded profile), whose default refuses",
				def);
	if (json_object_deep_copy(in, &p, NULL) < 0)
		return osr_fail(err, -ENOMEM, "out of memory copying the profile");
	snprintf(meta, sizeof(meta), "errno=%d", profile_errno(in));
	r = add_watch_rules(p, rt);
	if (r >= 0)
		r = set_string(p, "listenerPath", listener);
	if (r >= 0)
		r = set_string(p, "listenerMetadata", meta);
	if (r < 0)
		return osr_fail(err, r, "cannot make the watch profile: %s", osr_strerror(-r));
	r = profile_check_limits(p, err);
	if (r >= 0)
		r = profile_validate(p, false, err);
	if (r < 0)
		return r;
	*out = p;
	p = NULL;
	return 0;
}
