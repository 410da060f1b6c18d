// SPDX-License-Identifier: GPL-2.0-only
/*
 * One watched container: what its notified calls were, bounded, in the three
 * forms they are read in (a state file, a report, a profile).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <seccomp.h>

#include "argrules.h"
#include "jsonutil.h"
#include "names.h"
#include "rules.h"
#include "strset.h"
#include "watched.h"

static const char *const policy_names[] = {
	[WATCH_COMPLAIN] = "complain",
	[WATCH_ENFORCE] = "enforce",
	[WATCH_KILL] = "kill",
};

int watch_policy_parse(const char *s, enum watch_policy *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(policy_names); i++) {
		if (!strcmp(s, policy_names[i])) {
			*p = (enum watch_policy)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *watch_policy_name(enum watch_policy p)
{
	return (size_t)p < ARRAY_SIZE(policy_names) ? policy_names[p] : "unknown";
}

void watched_init(struct watched *w)
{
	memset(w, 0, sizeof(*w));
	w->pidfd = -1;
	for (size_t i = 0; i < WATCH_MAX_FDS; i++)
		w->fds[i] = -1;
	w->errno_ret = EPERM;
}

void watched_free(struct watched *w)
{
	if (w->pidfd >= 0)
		close(w->pidfd);
	for (size_t i = 0; i < WATCH_MAX_FDS; i++)
		if (w->fds[i] >= 0)
			close(w->fds[i]);
	free(w->v);
	watched_init(w);
}

#define KIND_ARG(kind, name, arg, mask) [kind] = { arg, mask },
static const struct {
	unsigned int arg;
	uint64_t mask;
} kind_arg[OSR_ARG_KIND_COUNT] = { OSR_ARG_TABLE(KIND_ARG) };
#undef KIND_ARG

/* The value the recorder would keep of this call's restricted argument (recorder.h). */
static uint64_t kind_value(enum osr_arg_kind kind, const uint64_t args[6])
{
	if (kind == OSR_ARG_SOCKET || kind == OSR_ARG_SOCKETPAIR) {
		uint64_t domain = args[0] & 0xffff,
			 type = args[1] & ~(uint64_t)OSR_SOCK_FLAGS & 0xffff;
		uint64_t proto =
			domain == OSR_AF_NETLINK || domain == OSR_AF_PACKET ? args[2] & 0xffff : 0;

		return domain | type << 16 | proto << 32;
	}
	return args[kind_arg[kind].arg] & kind_arg[kind].mask;
}

int watched_note(struct watched *w, uint32_t arch, int nr, const uint64_t args[6], pid_t pid,
		 const char *comm, uint64_t now)
{
	_cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(arch, nr);
	enum osr_arg_kind kind = name ? arg_kind_of(name) : OSR_ARG_NONE;
	uint64_t value = kind != OSR_ARG_NONE ? kind_value(kind, args) : 0;
	struct watch_entry *e;

	w->notified++;
	w->dirty = true;
	for (size_t i = 0; i < w->n; i++) {
		e = &w->v[i];
		if (e->arch == arch && e->nr == nr && e->value == value) {
			e->count++;
			return 0;
		}
	}
	if (w->n >= WATCH_MAX_ENTRIES) {
		w->dropped++;
		return -ENOSPC;
	}
	if (!w->v && !(w->v = calloc(WATCH_MAX_ENTRIES, sizeof(*w->v)))) {
		w->dropped++;
		return -ENOSPC;
	}
	e = &w->v[w->n++];
	memset(e, 0, sizeof(*e));
	if (name)
		snprintf(e->name, sizeof(e->name), "%s", name);
	else
		snprintf(e->name, sizeof(e->name), "(%d)", nr);
	e->arch = arch;
	e->nr = nr;
	e->kind = kind;
	e->value = value;
	memcpy(e->args, args, sizeof(e->args));
	e->count = 1;
	e->first_ms = now;
	e->pid = pid;
	snprintf(e->comm, sizeof(e->comm), "%s", comm ? comm : "");
	return 0;
}

/* Add key: value to o, taking value; false when out of memory. */
static bool put(json_object *o, const char *key, json_object *value)
{
	if (!value || json_object_object_add(o, key, value) < 0) {
		json_object_put(value);
		return false;
	}
	return true;
}

static json_object *entry_to_json(const struct watch_entry *e)
{
	json_object *o = json_object_new_object(), *args = json_object_new_array();
	bool ok = o && args;

	for (size_t i = 0; ok && i < 6; i++)
		ok = json_object_array_add(args, json_object_new_uint64(e->args[i])) >= 0;
	ok = ok && put(o, "name", json_object_new_string(e->name)) &&
	     put(o, "arch", json_object_new_uint64(e->arch)) &&
	     put(o, "nr", json_object_new_int(e->nr)) &&
	     put(o, "kind", json_object_new_int((int)e->kind)) &&
	     put(o, "value", json_object_new_uint64(e->value));
	if (ok)
		ok = put(o, "args", args);
	else
		json_object_put(args);
	args = NULL;
	ok = ok && put(o, "count", json_object_new_uint64(e->count)) &&
	     put(o, "first_ms", json_object_new_uint64(e->first_ms)) &&
	     put(o, "pid", json_object_new_int(e->pid)) &&
	     put(o, "comm", json_object_new_string(e->comm));
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

json_object *watched_to_state(const struct watched *w)
{
	json_object *o = json_object_new_object(), *v = json_object_new_array();
	bool ok = o && v;

	for (size_t i = 0; ok && i < w->n; i++) {
		json_object *e = entry_to_json(&w->v[i]);

		ok = e && json_object_array_add(v, e) >= 0;
		if (!ok)
			json_object_put(e);
	}
	ok = ok && put(o, "id", json_object_new_string(w->id)) &&
	     put(o, "pid", json_object_new_int(w->pid)) &&
	     put(o, "owner", json_object_new_uint64(w->owner)) &&
	     put(o, "owner_gid", json_object_new_uint64(w->owner_gid)) &&
	     put(o, "start", json_object_new_uint64(w->start)) &&
	     put(o, "policy", json_object_new_string(watch_policy_name(w->policy))) &&
	     put(o, "errno", json_object_new_int(w->errno_ret)) &&
	     put(o, "errno_given", json_object_new_boolean(w->errno_given)) &&
	     put(o, "learned", json_object_new_string(w->learned)) &&
	     put(o, "notified", json_object_new_uint64(w->notified)) &&
	     put(o, "dropped", json_object_new_uint64(w->dropped));
	if (ok)
		ok = put(o, "entries", v);
	else
		json_object_put(v);
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A member of the state file as a number, or 0 (the file is ours: checked for type, not trusted). */
static uint64_t get_u64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int)
		       ? json_object_get_uint64(v)
		       : 0;
}

static void entry_from_json(json_object *j, struct watch_entry *e)
{
	json_object *args = json_get_array(j, "args");
	const char *s;

	memset(e, 0, sizeof(*e));
	if ((s = json_get_string(j, "name")))
		snprintf(e->name, sizeof(e->name), "%s", s);
	if ((s = json_get_string(j, "comm")))
		snprintf(e->comm, sizeof(e->comm), "%s", s);
	e->arch = (uint32_t)get_u64(j, "arch");
	e->nr = (int)get_u64(j, "nr");
	e->kind = (enum osr_arg_kind)get_u64(j, "kind");
	if (e->kind >= OSR_ARG_KIND_COUNT)
		e->kind = OSR_ARG_NONE;
	e->value = get_u64(j, "value");
	for (size_t i = 0; args && i < 6 && i < json_object_array_length(args); i++)
		e->args[i] = json_object_get_uint64(json_object_array_get_idx(args, i));
	e->count = get_u64(j, "count");
	e->first_ms = get_u64(j, "first_ms");
	e->pid = (pid_t)get_u64(j, "pid");
}

int watched_from_state(json_object *o, struct watched *w, struct osr_err *err)
{
	const char *id = json_get_string(o, "id"), *policy = json_get_string(o, "policy");
	const char *learned = json_get_string(o, "learned");
	json_object *v = json_get_array(o, "entries"), *given;

	if (!id || strlen(id) > OSR_ID_MAX || !policy || watch_policy_parse(policy, &w->policy) < 0)
		return osr_fail(err, -EINVAL, "no id or policy");
	snprintf(w->id, sizeof(w->id), "%s", id);
	snprintf(w->learned, sizeof(w->learned), "%s", learned ? learned : "");
	w->pid = (pid_t)get_u64(o, "pid");
	w->start = get_u64(o, "start");
	w->owner = (uid_t)get_u64(o, "owner");
	w->owner_gid = (gid_t)get_u64(o, "owner_gid");
	w->errno_ret = (int)get_u64(o, "errno");
	if (w->errno_ret <= 0 || w->errno_ret > 4095)
		w->errno_ret = EPERM;
	w->errno_given = json_object_object_get_ex(o, "errno_given", &given) &&
			 json_object_get_boolean(given);
	w->notified = get_u64(o, "notified");
	w->dropped = get_u64(o, "dropped");
	if (v && json_object_array_length(v) && !(w->v = calloc(WATCH_MAX_ENTRIES, sizeof(*w->v))))
		return osr_fail(err, -ENOMEM, "out of memory");
	for (size_t i = 0; v && i < json_object_array_length(v) && w->n < WATCH_MAX_ENTRIES; i++)
		entry_from_json(json_object_array_get_idx(v, i), &w->v[w->n++]);
	return 0;
}

/* Each architecture a call came from, once. */
static json_object *learned_arches(const struct watched *w)
{
	struct strset seen = { 0 };
	json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < w->n; i++) {
		const char *name = arch_name(w->v[i].arch);
		int r = name ? strset_add_once(&seen, name) : 0;

		if (r < 0 || (r > 0 && json_object_array_add(a, json_object_new_string(name)) < 0)) {
			json_object_put(a);
			a = NULL;
		}
	}
	strset_free(&seen);
	return a;
}

/* The learned calls as rules: plain names in one, each restricted value in its own. */
static bool learned_rules(const struct watched *w, json_object *syscalls)
{
	json_object *plain = rule_new(json_object_new_array(), "SCMP_ACT_ALLOW", NULL);
	json_object *cond = json_object_new_array();
	struct strset names = { 0 };
	bool ok = plain && cond;

	for (size_t i = 0; ok && i < w->n; i++) {
		const struct watch_entry *e = &w->v[i];

		if (e->name[0] == '(') /* a number libseccomp cannot name: nothing to allow */
			continue;
		if (e->kind == OSR_ARG_NONE) {
			if (strset_add_once(&names, e->name) > 0)
				ok = rule_add_name(plain, e->name) >= 0;
			continue;
		}
		ok = rule_append(cond, rule_new_name(e->name, "SCMP_ACT_ALLOW",
						     arg_conditions(e->kind, e->value))) >= 0;
	}
	if (ok && names.n)
		ok = rule_append(syscalls, plain) >= 0;
	else
		json_object_put(plain);
	for (size_t i = 0; ok && i < json_object_array_length(cond); i++)
		ok = rule_append(syscalls, json_object_get(json_object_array_get_idx(cond, i))) >= 0;
	json_object_put(cond);
	strset_free(&names);
	return ok;
}

json_object *watched_learned_profile(const struct watched *w)
{
	json_object *p = json_object_new_object(), *syscalls = json_object_new_array();
	bool ok = p && syscalls;

	ok = ok && put(p, "defaultAction", json_object_new_string("SCMP_ACT_ERRNO"));
	if (ok && w->errno_given)
		ok = put(p, "defaultErrnoRet", json_object_new_int(w->errno_ret));
	ok = ok && put(p, "architectures", learned_arches(w)) && learned_rules(w, syscalls);
	if (ok)
		ok = put(p, "syscalls", syscalls);
	else
		json_object_put(syscalls);
	if (!ok) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

char *watched_report(const struct watched *w)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f,
		"container '%s': policy %s, errno %d, %" PRIu64 " notified calls, %zu distinct, "
		"%" PRIu64 " dropped (beyond %d distinct)\n",
		w->id, watch_policy_name(w->policy), w->errno_ret, w->notified, w->n, w->dropped,
		WATCH_MAX_ENTRIES);
	fprintf(f, "listener: %s\n",
		w->nfds ? "attached"
		: w->attached
			? "attached, no process left under the filter"
			: "lost when the listener restarted: its notified calls fail with ENOSYS");
	fprintf(f, "learned: %s\n",
		w->learned[0] ? w->learned
			      : "(no file: annotation " OSR_WATCH_LEARNED_ANNOTATION " not set)");
	for (size_t i = 0; i < w->n; i++) {
		const struct watch_entry *e = &w->v[i];
		time_t t = (time_t)(e->first_ms / 1000);
		struct tm tm;
		char when[32] = "?";

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(f, "%s %" PRIu64 " first %s pid %d comm '%s' args", e->name, e->count, when,
			e->pid, e->comm);
		for (size_t a = 0; a < 6; a++)
			fprintf(f, " %#" PRIx64, e->args[a]);
		if (e->kind != OSR_ARG_NONE)
			fprintf(f, " (%s value %#" PRIx64 ")", arg_kind_name(e->kind), e->value);
		fputc('\n', f);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
