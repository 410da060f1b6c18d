// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of merging profiles: merge_profiles() on profiles given as text,
 * its rules compared as compact JSON, and the rule reader it stands on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "merge.h"
#include "profile.h"
#include "rules.h"
#include "unit.h"
#include "validate.h"

#define ERRNO_PROFILE "\"defaultAction\": \"SCMP_ACT_ERRNO\""
#define ALLOW "\"action\": \"SCMP_ACT_ALLOW\""

/* Parse the inputs and merge them; the result is NULL on failure, with r and err set. */
static json_object *merge_texts(const char *a, const char *b, int *r, struct merge_report *rep,
				struct osr_err *err)
{
	json_object *in[2] = { json_tokener_parse(a), json_tokener_parse(b) }, *out = NULL;
	char *paths[2] = { "/a.json", "/b.json" };

	if (!in[0] || !in[1]) {
		*r = -EINVAL;
		snprintf(err->msg, sizeof(err->msg), "test input does not parse");
	} else {
		*r = merge_profiles(in, paths, 2, &out, rep, err);
	}
	json_object_put(in[0]);
	json_object_put(in[1]);
	return out;
}

/* A member of the merged profile as compact JSON ("" when absent), valid until out is put. */
static const char *member(json_object *out, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(out, key, &v))
		return "";
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Whether libseccomp takes the merged profile. */
static bool compiles(json_object *out)
{
	struct osr_err err = { "" };
	int r = profile_validate(out, false, &err);

	if (r < 0)
		printf("# %s\n", err.msg);
	return r == 0;
}

/*
 * Merge a and b: whether that succeeds, the member key of the result is want
 * (compact JSON) and libseccomp takes the result. Says what it got if not.
 */
static bool merges_to(const char *a, const char *b, const char *key, const char *want,
		      struct merge_report *rep)
{
	struct osr_err err = { "" };
	json_object *out;
	bool ok;
	int r;

	out = merge_texts(a, b, &r, rep, &err);
	ok = r == 0 && !strcmp(member(out, key), want);
	if (!ok)
		printf("# merge: %d %s; %s: %s\n", r, err.msg, key, out ? member(out, key) : "");
	ok = ok && compiles(out);
	json_object_put(out);
	return ok;
}

TEST(plain_allows_united)
{
	struct merge_report rep;

	/* One sorted allow rule; "includes": {} is no condition, the old "name" is read. */
	CHECK(merges_to("{" ERRNO_PROFILE
			", \"syscalls\": [{\"names\": [\"write\", \"read\"], " ALLOW "}]}",
			"{" ERRNO_PROFILE ", \"syscalls\": [{\"name\": \"openat\", " ALLOW "},"
			"{\"names\": [\"write\"], " ALLOW ", \"includes\": {}}]}",
			"syscalls",
			"[{\"names\":[\"openat\",\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]",
			&rep));
	CHECK(rep.allowed == 3 && rep.withheld == 0 && rep.conditional == 0 && rep.kept == 0);
}

TEST(deny_withholds_the_allow)
{
	struct merge_report rep;

	CHECK(merges_to("{" ERRNO_PROFILE
			", \"syscalls\": [{\"names\": [\"mkdir\", \"read\"], " ALLOW "}]}",
			"{" ERRNO_PROFILE ", \"syscalls\": [{\"names\": [\"mkdir\"], "
			"\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}",
			"syscalls",
			"[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
			"{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]",
			&rep));
	CHECK(rep.allowed == 1 && rep.withheld == 1 && rep.kept == 1);
	CHECK(!strcmp(rep.withheld_list, "mkdir"));
}

#define MASKED                                                                                     \
	"{\"index\": 0, \"value\": 4294967295, \"valueTwo\": 1, \"op\": \"SCMP_CMP_MASKED_EQ\"}"
#define INET "{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}"
#define STREAM "{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}"
/*
 * Not [STREAM] alone beside [INET, STREAM]: libseccomp 2.5 leaks nodes when
 * one rule's conditions take in another's (LeakSanitizer under SANITIZE=1).
 */
#define INET6 "{\"index\": 0, \"value\": 10, \"op\": \"SCMP_CMP_EQ\"}"

TEST(conditional_allows_united_once)
{
	struct merge_report rep;

	CHECK(merges_to("{" ERRNO_PROFILE ", \"syscalls\": ["
			"{\"names\": [\"read\"], " ALLOW "},"
			"{\"names\": [\"socket\", \"ioctl\"], " ALLOW ", \"args\": [" MASKED "]},"
			"{\"names\": [\"socket\"], " ALLOW ", \"args\": [" INET ", " STREAM "],"
			" \"comment\": \"tcp\"}]}",
			/* The same conditions in another order, and a new name under MASKED. */
			"{" ERRNO_PROFILE ", \"syscalls\": ["
			"{\"names\": [\"socket\"], " ALLOW ", \"args\": [" STREAM ", " INET "]},"
			"{\"names\": [\"connect\", \"socket\"], " ALLOW ", \"args\": [" MASKED "]},"
			"{\"names\": [\"socket\"], " ALLOW ", \"args\": [" INET6 "]}]}",
			"syscalls",
			"[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
			"{\"names\":[\"connect\",\"ioctl\",\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
			"\"args\":[{\"index\":0,\"value\":4294967295,\"valueTwo\":1,"
			"\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
			"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
			"\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"},"
			"{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
			"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
			"\"args\":[{\"index\":0,\"value\":10,\"op\":\"SCMP_CMP_EQ\"}]}]",
			&rep));
	CHECK(rep.allowed == 1 && rep.conditional == 3 && rep.kept == 0);
}

TEST(plain_allow_overrides_conditional)
{
	struct merge_report rep;

	/* socket is allowed outright: its conditions go; connect keeps them. */
	CHECK(merges_to("{" ERRNO_PROFILE ", \"syscalls\": ["
			"{\"names\": [\"socket\", \"connect\"], " ALLOW ", \"args\": [" MASKED
			"]}]}",
			"{" ERRNO_PROFILE ", \"syscalls\": [{\"names\": [\"socket\"], " ALLOW "}]}",
			"syscalls",
			"[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\"},"
			"{\"names\":[\"connect\"],\"action\":\"SCMP_ACT_ALLOW\","
			"\"args\":[{\"index\":0,\"value\":4294967295,\"valueTwo\":1,"
			"\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]",
			&rep));
	CHECK(rep.allowed == 1 && rep.conditional == 1);
}

TEST(conditional_kept_where_allow_withheld)
{
	struct merge_report rep;

	/* As before conditions were united: the deciding rule stands, the conditional is kept. */
	CHECK(merges_to("{" ERRNO_PROFILE ", \"syscalls\": [{\"names\": [\"socket\"], " ALLOW "},"
			"{\"names\": [\"socket\"], " ALLOW ", \"args\": [" INET "]}]}",
			"{" ERRNO_PROFILE ", \"syscalls\": [{\"names\": [\"socket\"], "
			"\"action\": \"SCMP_ACT_KILL\"}]}",
			"syscalls",
			"[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
			"\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]},"
			"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_KILL\"}]",
			&rep));
	CHECK(rep.allowed == 0 && rep.withheld == 1 && rep.conditional == 1 && rep.kept == 1);
}

TEST(includes_kept_as_they_are)
{
	const char *clone = "{\"names\": [\"clone\"], " ALLOW ", \"args\": [" MASKED "],"
			    " \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}, \"comment\": \"c\"}";
	char a[1024], b[1024];
	struct merge_report rep;

	snprintf(a, sizeof(a), "{" ERRNO_PROFILE ", \"syscalls\": [%s]}", clone);
	snprintf(b, sizeof(b),
		 "{" ERRNO_PROFILE ", \"syscalls\": [{\"names\": [\"read\"], " ALLOW "}, %s]}",
		 clone);
	/* Not regrouped, not stripped of its comment, and once. */
	CHECK(merges_to(a, b, "syscalls",
			"[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
			"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\","
			"\"args\":[{\"index\":0,\"value\":4294967295,\"valueTwo\":1,"
			"\"op\":\"SCMP_CMP_MASKED_EQ\"}],"
			"\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]},\"comment\":\"c\"}]",
			&rep));
	CHECK(rep.kept == 1 && rep.conditional == 0);
}

TEST(default_action_mismatch_refused)
{
	struct merge_report rep;
	struct osr_err err = { "" };
	json_object *out;
	int r;

	out = merge_texts("{" ERRNO_PROFILE "}", "{\"defaultAction\": \"SCMP_ACT_KILL\"}", &r, &rep,
			  &err);
	CHECK(r == -EINVAL && !out);
	CHECK_STR_CONTAINS(err.msg, "'/b.json' has 'SCMP_ACT_KILL'");
	CHECK_STR_CONTAINS(err.msg, "must have the same default action");
	json_object_put(out);

	/* Absent, defaultErrnoRet is EPERM: 1 agrees, 38 does not. */
	out = merge_texts("{" ERRNO_PROFILE "}", "{" ERRNO_PROFILE ", \"defaultErrnoRet\": 1}", &r,
			  &rep, &err);
	CHECK(r == 0 && out);
	json_object_put(out);
	out = merge_texts("{" ERRNO_PROFILE "}", "{" ERRNO_PROFILE ", \"defaultErrnoRet\": 38}", &r,
			  &rep, &err);
	CHECK(r == -EINVAL && !out);
	CHECK_STR_CONTAINS(err.msg, "defaultErrnoRet 1 but '/b.json' has 38");
	json_object_put(out);
}

#define ARCH_A                                                                                     \
	"{" ERRNO_PROFILE ", \"architectures\": [\"SCMP_ARCH_X86_64\"],"                           \
	" \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","                                  \
	" \"subArchitectures\": [\"SCMP_ARCH_X86\"]}]}"
#define ARCH_B                                                                                     \
	"{" ERRNO_PROFILE ", \"architectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X86_64\"],"        \
	" \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","                                  \
	" \"subArchitectures\": [\"SCMP_ARCH_X32\", \"SCMP_ARCH_X86\"]},"                          \
	" {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]}]}"

TEST(archmap_united)
{
	struct merge_report rep;

	CHECK(merges_to(ARCH_A, ARCH_B, "architectures", "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"]",
			&rep));
	CHECK(merges_to(ARCH_A, ARCH_B, "archMap",
			"[{\"architecture\":\"SCMP_ARCH_X86_64\","
			"\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},"
			"{\"architecture\":\"SCMP_ARCH_AARCH64\","
			"\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}]",
			&rep));
}

/* What merging stands on: the same conditions in any order have one key, not fewer. */
TEST(args_key_ignores_order_only)
{
	json_object *ab = json_tokener_parse("{\"args\": [" INET ", " STREAM "]}");
	json_object *ba = json_tokener_parse("{\"args\": [" STREAM ", " INET "]}");
	json_object *aab = json_tokener_parse("{\"args\": [" INET ", " INET ", " STREAM "]}");
	json_object *none = json_tokener_parse("{\"names\": [\"read\"]}");
	char *kab = rule_args_key(ab), *kba = rule_args_key(ba), *kaab = rule_args_key(aab),
	     *knone = rule_args_key(none);

	CHECK(kab && kba && kaab && knone);
	CHECK(kab && kba && !strcmp(kab, kba));
	/* Conditions on one argument mean "any of them" to runc: a repeat is not dropped. */
	CHECK(kab && kaab && strcmp(kab, kaab));
	CHECK(knone && !strcmp(knone, ""));
	free(kab);
	free(kba);
	free(kaab);
	free(knone);
	json_object_put(ab);
	json_object_put(ba);
	json_object_put(aab);
	json_object_put(none);
}

TEST(rule_classes)
{
	const struct {
		const char *rule;
		enum rule_class class;
	} cases[] = {
		{ "{\"names\": [\"a\"], " ALLOW "}", RULE_PLAIN_ALLOW },
		{ "{\"names\": [\"a\"], " ALLOW ", \"args\": [], \"excludes\": {}}",
		  RULE_PLAIN_ALLOW },
		{ "{\"names\": [\"a\"], " ALLOW ", \"args\": [" INET "]}", RULE_CONDITIONAL_ALLOW },
		{ "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ERRNO\"}", RULE_DECIDES },
		{ "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_LOG\", "
		  "\"excludes\": {\"caps\": [\"X\"]}}",
		  RULE_DECIDES },
		{ "{\"names\": [\"a\"], " ALLOW ", \"includes\": {\"arches\": [\"x\"]}}",
		  RULE_OTHER },
		{ "{\"names\": [\"a\"]}", RULE_OTHER },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *rule = json_tokener_parse(cases[i].rule);

		CHECK(rule && rule_classify(rule) == cases[i].class);
		json_object_put(rule);
	}
}

int main(void)
{
	RUN(plain_allows_united);
	RUN(deny_withholds_the_allow);
	RUN(conditional_allows_united_once);
	RUN(plain_allow_overrides_conditional);
	RUN(conditional_kept_where_allow_withheld);
	RUN(includes_kept_as_they_are);
	RUN(default_action_mismatch_refused);
	RUN(archmap_united);
	RUN(args_key_ignores_order_only);
	RUN(rule_classes);
	return 0;
}
