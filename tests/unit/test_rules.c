// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the rule writer (rule_new() and its helpers) and of the
 * archMap walk, beside the reader in src/rules.c.
 */
#include <errno.h>
#include <json-c/json.h>

#include "jsonutil.h"
#include "rules.h"
#include "unit.h"

static bool text_is(json_object *o, const char *want)
{
	const char *got = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	bool same = got && !strcmp(got, want);

	if (!same)
		printf("# got %s\n", got ? got : "(null)");
	return same;
}

TEST(rule_new_members_in_order)
{
	json_object *args = json_tokener_parse("[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]");
	json_object *rule = rule_new_name("socket", "SCMP_ACT_ALLOW", args);

	CHECK(rule != NULL);
	CHECK(rule_add_name(rule, "socketpair") == 0);
	CHECK(text_is(rule, "{\"names\":[\"socket\",\"socketpair\"],\"action\":\"SCMP_ACT_ALLOW\","
			    "\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}"));
	CHECK(rule_classify(rule) == RULE_CONDITIONAL_ALLOW);
	json_object_put(rule);
}

TEST(rule_new_without_args)
{
	json_object *rule =
		rule_new(json_tokener_parse("[\"read\",\"write\"]"), "SCMP_ACT_ERRNO", NULL);

	CHECK(text_is(rule, "{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ERRNO\"}"));
	CHECK(rule_name(rule, 1) && !strcmp(rule_name(rule, 1), "write"));
	json_object_put(rule);
	/* No names (their allocation failed): nothing made, args released. */
	CHECK(rule_new(NULL, "SCMP_ACT_ALLOW", json_object_new_array()) == NULL);
}

TEST(rule_append)
{
	json_object *syscalls = json_object_new_array();

	CHECK(rule_append(syscalls, rule_new_name("read", "SCMP_ACT_ALLOW", NULL)) == 0);
	CHECK(rule_append(syscalls, NULL) == -ENOMEM);
	CHECK(json_object_array_length(syscalls) == 1);
	json_object_put(syscalls);
}

static int collect(json_object *entry, const char *arch, json_object *subs, void *data)
{
	json_object *out = data;

	json_object_array_add(out, arch ? json_object_new_string(arch) : NULL);
	json_object_array_add(out,
			      json_object_new_int(subs ? (int)json_object_array_length(subs) : -1));
	return 0;
}

static int stop_at_arm(json_object *entry, const char *arch, json_object *subs, void *data)
{
	++*(int *)data;
	return arch && !strcmp(arch, "SCMP_ARCH_AARCH64") ? 7 : 0;
}

TEST(archmap_walk)
{
	json_object *map = json_tokener_parse(
		"[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]},"
		" {\"architecture\":5,\"subArchitectures\":\"x\"},"
		" {\"architecture\":\"SCMP_ARCH_AARCH64\"}, 3]");
	json_object *seen = json_object_new_array();
	int calls = 0;

	CHECK(archmap_walk(map, collect, seen) == 0);
	/* A member of the wrong type reads as absent, as the other readers take it. */
	CHECK(text_is(seen, "[\"SCMP_ARCH_X86_64\",1,null,-1,\"SCMP_ARCH_AARCH64\",-1,null,-1]"));
	CHECK(archmap_walk(map, stop_at_arm, &calls) == 7);
	CHECK(calls == 3);
	CHECK(archmap_walk(NULL, collect, seen) == 0);
	CHECK(archmap_walk(json_object_array_get_idx(map, 0), stop_at_arm, &calls) == 0);
	CHECK(calls == 3);
	json_object_put(seen);
	json_object_put(map);
}

TEST(profile_arches_from_archmap)
{
	json_object *p = json_tokener_parse(
		"{\"architectures\":[\"SCMP_ARCH_X86_64\"],\"archMap\":["
		"{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\","
		"\"SCMP_ARCH_X32\"]},{\"architecture\":\"SCMP_ARCH_AARCH64\"}]}");
	struct strset s = { 0 };
	char *joined;

	CHECK(profile_arches(p, &s) == 0);
	joined = names_join(&s);
	CHECK(joined && !strcmp(joined, "SCMP_ARCH_X86_64 SCMP_ARCH_X86 SCMP_ARCH_X32 "
					"SCMP_ARCH_AARCH64"));
	free(joined);
	strset_free(&s);
	json_object_put(p);
}

int main(void)
{
	RUN(rule_new_members_in_order);
	RUN(rule_new_without_args);
	RUN(rule_append);
	RUN(archmap_walk);
	RUN(profile_arches_from_archmap);
	return 0;
}
