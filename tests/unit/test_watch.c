// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of watch mode's user side: the watch profile made from a
 * recorded one (src/watch.c), and a watched container's record, its bound,
 * its state file and its learned profile (src/watched.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <seccomp.h>

#include "rules.h"
#include "unit.h"
#include "watch.h"
#include "watched.h"

#define RECORDED                                                                                   \
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_64\"], "      \
	"\"syscalls\": [{\"names\": [\"read\", \"write\", \"exit_group\"], "                       \
	"\"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"socket\"], \"action\": "                  \
	"\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}"

/* The names of the rules under action, as a set. */
static bool rule_has(json_object *p, const char *action, const char *name)
{
	json_object *s = profile_syscalls(p);
	const char *n;

	for (size_t i = 0; s && i < json_object_array_length(s); i++) {
		json_object *r = json_object_array_get_idx(s, i);

		if (strcmp(rule_action(r), action))
			continue;
		for (size_t k = 0; (n = rule_name(r, k)); k++)
			if (!strcmp(n, name))
				return true;
	}
	return false;
}

TEST(runc_lists_every_other_syscall)
{
	json_object *in = json_tokener_parse(RECORDED), *out = NULL;
	struct osr_err err = { "" };

	CHECK(watch_profile(in, WATCH_RUNC, "/run/x.sock", &out, &err) == 0);
	CHECK(out && !strcmp(json_object_get_string(json_object_object_get(out, "defaultAction")),
			     "SCMP_ACT_ERRNO"));
	CHECK(out && rule_has(out, "SCMP_ACT_NOTIFY", "mkdir"));
	/* Recorded names stay allowed; write never notifies under runc; socket's other values
	 * get the errno: it is named by a rule. */
	CHECK(out && rule_has(out, "SCMP_ACT_ALLOW", "read") &&
	      !rule_has(out, "SCMP_ACT_NOTIFY", "read"));
	CHECK(out && !rule_has(out, "SCMP_ACT_NOTIFY", "write"));
	CHECK(out && !rule_has(out, "SCMP_ACT_NOTIFY", "socket"));
	/* runc's own calls after loading (the runtimes table) are allowed, not notified. */
	CHECK(out && rule_has(out, "SCMP_ACT_ALLOW", "epoll_pwait"));
	CHECK(out && !strcmp(json_object_get_string(json_object_object_get(out, "listenerPath")),
			     "/run/x.sock"));
	CHECK(out && !strcmp(json_object_get_string(json_object_object_get(out, "listenerMetadata")),
			     "errno=1"));
	json_object_put(in);
	json_object_put(out);
}

TEST(crun_notifies_by_default)
{
	json_object *in = json_tokener_parse(RECORDED), *out = NULL;
	struct osr_err err = { "" };

	json_object_object_add(in, "defaultErrnoRet", json_object_new_int(38));
	CHECK(watch_profile(in, WATCH_CRUN, "/run/x.sock", &out, &err) == 0);
	CHECK(out && !strcmp(json_object_get_string(json_object_object_get(out, "defaultAction")),
			     "SCMP_ACT_NOTIFY"));
	CHECK(out && !json_object_object_get_ex(out, "defaultErrnoRet", NULL));
	CHECK(out && !rule_has(out, "SCMP_ACT_NOTIFY", "mkdir"));
	CHECK(out && watch_metadata_errno(json_object_get_string(
			     json_object_object_get(out, "listenerMetadata"))) == 38);
	json_object_put(in);
	json_object_put(out);
}

/* The rules that name name, and the one argument condition of the last (index, value). */
static size_t rules_naming(json_object *p, const char *name, const char **action, uint64_t *index,
			   uint64_t *value)
{
	json_object *s = profile_syscalls(p);
	struct rule_arg a;
	size_t found = 0;
	const char *n;

	*index = *value = UINT64_MAX;
	for (size_t i = 0; s && i < json_object_array_length(s); i++) {
		json_object *r = json_object_array_get_idx(s, i);

		for (size_t k = 0; (n = rule_name(r, k)); k++) {
			if (strcmp(n, name))
				continue;
			found++;
			*action = rule_action(r);
			if (rule_arg_count(r) == 1 && rule_arg(r, 0, &a) == 0 && a.op &&
			    !strcmp(a.op, "SCMP_CMP_MASKED_EQ") && a.value == 0xffffffffu)
				*index = a.index, *value = a.value_two;
		}
	}
	return found;
}

/*
 * crun, handing the listener its fd, waits for and kills its helper after
 * the load (src/runtimes.c): those values allowed, the rest still notified;
 * a name the profile decides is left to it; runc makes none.
 */
TEST(crun_listener_calls_allowed)
{
	json_object *in = json_tokener_parse(RECORDED), *out = NULL, *runc = NULL;
	json_object *mine = json_tokener_parse(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"kill\"], "
		"\"action\": \"SCMP_ACT_ERRNO\"}]}");
	struct osr_err err = { "" };
	const char *action = NULL;
	uint64_t index, value;

	CHECK(watch_profile(in, WATCH_CRUN, "/run/x.sock", &out, &err) == 0);
	CHECK(out && rules_naming(out, "kill", &action, &index, &value) == 1 &&
	      !strcmp(action, "SCMP_ACT_ALLOW") && index == 1 && value == 9);
	CHECK(out && rules_naming(out, "wait4", &action, &index, &value) == 1 &&
	      !strcmp(action, "SCMP_ACT_ALLOW") && index == 2 && value == 0);
	CHECK(out && rules_naming(out, "munmap", &action, &index, &value) == 1 &&
	      !strcmp(action, "SCMP_ACT_ALLOW") && index == UINT64_MAX);
	CHECK(watch_profile(in, WATCH_RUNC, "/run/x.sock", &runc, &err) == 0);
	CHECK(runc && rules_naming(runc, "kill", &action, &index, &value) == 1 &&
	      !strcmp(action, "SCMP_ACT_NOTIFY"));
	json_object_put(out);
	out = NULL;
	CHECK(watch_profile(mine, WATCH_CRUN, "/run/x.sock", &out, &err) == 0);
	CHECK(out && rules_naming(out, "kill", &action, &index, &value) == 1 &&
	      !strcmp(action, "SCMP_ACT_ERRNO"));
	json_object_put(in);
	json_object_put(mine);
	json_object_put(out);
	json_object_put(runc);
}

TEST(allow_default_refused)
{
	json_object *in = json_tokener_parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}"), *out = NULL;
	struct osr_err err = { "" };

	CHECK(watch_profile(in, WATCH_RUNC, "/x", &out, &err) == -EINVAL && !out);
	CHECK_STR_CONTAINS(err.msg, "SCMP_ACT_ALLOW");
	CHECK(watch_metadata_errno(NULL) == EPERM && watch_metadata_errno("errno=x") == EPERM);
	json_object_put(in);
}

static const uint64_t no_args[6];

TEST(bound_counts_what_is_dropped)
{
	struct watched w;
	int nr_mkdir = seccomp_syscall_resolve_name("mkdir");

	watched_init(&w);
	for (int i = 0; i < WATCH_MAX_ENTRIES + 10; i++)
		watched_note(&w, SCMP_ARCH_X86_64, i, no_args, 1, "c", 0);
	CHECK(w.n == WATCH_MAX_ENTRIES && w.dropped == 10 && w.notified == WATCH_MAX_ENTRIES + 10);
	/* A call already kept is counted, never dropped. */
	CHECK(watched_note(&w, SCMP_ARCH_X86_64, nr_mkdir, no_args, 1, "c", 0) == 0);
	CHECK(w.dropped == 10);
	watched_free(&w);
}

TEST(learned_profile_and_state_round_trip)
{
	struct watched w, back;
	uint64_t sock[6] = { 16, 3, 9 }; /* AF_NETLINK, SOCK_RAW, NETLINK_AUDIT */
	struct osr_err err = { "" };
	json_object *p, *st;
	const char *text;

	watched_init(&w);
	watched_init(&back);
	snprintf(w.id, sizeof(w.id), "c1");
	w.policy = WATCH_ENFORCE;
	watched_note(&w, SCMP_ARCH_X86_64, seccomp_syscall_resolve_name("mkdir"), no_args, 7, "sh",
		     5);
	watched_note(&w, SCMP_ARCH_X86_64, seccomp_syscall_resolve_name("socket"), sock, 7, "sh", 6);
	watched_note(&w, SCMP_ARCH_X86_64, seccomp_syscall_resolve_name("socket"), sock, 7, "sh", 7);
	p = watched_learned_profile(&w);
	text = p ? json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN) : "";
	CHECK_STR_CONTAINS(text, "\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ALLOW\"");
	CHECK_STR_CONTAINS(text, "\"names\":[\"socket\"]");
	CHECK_STR_CONTAINS(text, "\"valueTwo\":16");
	CHECK_STR_CONTAINS(text, "\"valueTwo\":9,");
	CHECK_STR_CONTAINS(text, "SCMP_ARCH_X86_64");
	st = watched_to_state(&w);
	CHECK(st && watched_from_state(st, &back, &err) == 0);
	CHECK(back.policy == WATCH_ENFORCE && back.n == 2 && back.notified == 3 &&
	      back.v[1].count == 2 && !strcmp(back.v[0].comm, "sh"));
	json_object_put(p);
	json_object_put(st);
	watched_free(&w);
	watched_free(&back);
}

int main(void)
{
	RUN(runc_lists_every_other_syscall);
	RUN(crun_notifies_by_default);
	RUN(crun_listener_calls_allowed);
	RUN(allow_default_refused);
	RUN(bound_counts_what_is_dropped);
	RUN(learned_profile_and_state_round_trip);
	return 0;
}
