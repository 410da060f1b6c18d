// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the output formats: format_parse(), format_for_path(),
 * format_resource_name(), format_check() and profile_render().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "format.h"
#include "profile.h"
#include "unit.h"
#include "validate.h"

static json_object *parse(const char *text)
{
	return json_tokener_parse(text);
}

static int name_of(const char *path, char *buf, size_t size)
{
	memset(buf, 'x', size);
	return format_resource_name(path, buf, size);
}

TEST(resource_name_from_file_name)
{
	char buf[OSR_RESOURCE_NAME_MAX + 1];

	CHECK(name_of("/var/lib/profiles/My_App.json", buf, sizeof(buf)) == 0);
	CHECK(!strcmp(buf, "my-app"));
	CHECK(name_of("web.Server.v2.yaml", buf, sizeof(buf)) == 0);
	CHECK(!strcmp(buf, "web-server-v2"));
	CHECK(name_of("relative/dir.d/pod", buf, sizeof(buf)) == 0);
	CHECK(!strcmp(buf, "pod"));
	/* Runs of anything else become one '-', none at either end. */
	CHECK(name_of("/p/--Front  End!!__.yml", buf, sizeof(buf)) == 0);
	CHECK(!strcmp(buf, "front-end"));
	CHECK(name_of("/p/.hidden.json", buf, sizeof(buf)) == 0);
	CHECK(!strcmp(buf, "hidden"));
	/* Not ASCII: bytes outside [a-z0-9] whatever the locale. */
	CHECK(name_of("/p/caf\xc3\xa9-2.json", buf, sizeof(buf)) == 0);
	CHECK(!strcmp(buf, "caf-2"));
}

TEST(resource_name_limits)
{
	char buf[OSR_RESOURCE_NAME_MAX + 1], small[6];
	char path[200] = "/p/";

	/* 62 letters, then "-b" would make 64: cut at 63, and no '-' left at the end. */
	memset(path + 3, 'a', 62);
	strcpy(path + 65, "_bb.json");
	CHECK(name_of(path, buf, sizeof(buf)) == 0);
	CHECK(strlen(buf) == 62);
	CHECK(buf[61] == 'a');
	memset(path + 3, 'a', 100);
	strcpy(path + 103, ".json");
	CHECK(name_of(path, buf, sizeof(buf)) == 0);
	CHECK(strlen(buf) == OSR_RESOURCE_NAME_MAX);
	/* A smaller buffer cuts sooner, still NUL-terminated. */
	CHECK(name_of("/p/abcd-efgh.json", small, sizeof(small)) == 0);
	CHECK(!strcmp(small, "abcd"));
	/* Nothing usable. */
	CHECK(name_of("/p/__.json", buf, sizeof(buf)) == -EINVAL);
	CHECK(buf[0] == '\0');
	CHECK(name_of("/p/", buf, sizeof(buf)) == -EINVAL);
	CHECK(name_of("", buf, sizeof(buf)) == -EINVAL);
	CHECK(format_resource_name("/p/a.json", buf, 0) == -EINVAL);
}

TEST(format_for_path_by_extension)
{
	CHECK(format_for_path("/p/app.yaml") == PROFILE_FORMAT_SPO_YAML);
	CHECK(format_for_path("app.yml") == PROFILE_FORMAT_SPO_YAML);
	CHECK(format_for_path("/p/APP.YAML") == PROFILE_FORMAT_SPO_YAML);
	CHECK(format_for_path("/p/app.json") == PROFILE_FORMAT_JSON);
	CHECK(format_for_path("/p/app") == PROFILE_FORMAT_JSON);
	CHECK(format_for_path("/p/yaml") == PROFILE_FORMAT_JSON);
	CHECK(format_for_path("/p/app.yaml.json") == PROFILE_FORMAT_JSON);
	/* The folder's name does not count. */
	CHECK(format_for_path("/p.yaml/app") == PROFILE_FORMAT_JSON);
	CHECK(format_for_path("-") == PROFILE_FORMAT_JSON);
}

TEST(format_parse_names)
{
	enum profile_format f = PROFILE_FORMAT_SPO_YAML;

	CHECK(format_parse("json", &f) == 0 && f == PROFILE_FORMAT_JSON);
	CHECK(format_parse("seccompprofile", &f) == 0 && f == PROFILE_FORMAT_SPO_YAML);
	f = PROFILE_FORMAT_JSON;
	CHECK(format_parse("SeccompProfile", &f) == 0 && f == PROFILE_FORMAT_SPO_YAML);
	f = PROFILE_FORMAT_JSON;
	CHECK(format_parse("spo", &f) == 0 && f == PROFILE_FORMAT_SPO_YAML);
	f = PROFILE_FORMAT_JSON;
	CHECK(format_parse("yaml", &f) == 0 && f == PROFILE_FORMAT_SPO_YAML);
	CHECK(format_parse("xml", &f) == -EINVAL);
	CHECK(format_parse("", &f) == -EINVAL);
	CHECK(format_parse("json ", &f) == -EINVAL);
}

static const char small_profile[] =
	"{ \"defaultAction\": \"SCMP_ACT_ERRNO\","
	"  \"architectures\": [\"SCMP_ARCH_X86_64\"],"
	"  \"archMap\": [{ \"architecture\": \"SCMP_ARCH_X86_64\","
	"                  \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"] }],"
	"  \"listenerMetadata\": \"a\\\"b\\\\c\\nd\\u0001e\\u2028f\","
	"  \"comment\": \"left out\","
	"  \"syscalls\": ["
	"    { \"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\","
	"      \"comment\": \"left out\", \"includes\": {} },"
	"    { \"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
	"      \"args\": [{ \"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\" },"
	"                 { \"index\": 1, \"value\": 18446744073709551615,"
	"                   \"valueTwo\": 4, \"op\": \"SCMP_CMP_MASKED_EQ\" }] },"
	"    { \"name\": \"mkdir\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13 }"
	"  ],"
	"  \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"] }";

static const char small_yaml[] = "apiVersion: \"security-profiles-operator.x-k8s.io/v1beta1\"\n"
				 "kind: \"SeccompProfile\"\n"
				 "metadata:\n"
				 "  name: \"my-app\"\n"
				 "spec:\n"
				 "  defaultAction: \"SCMP_ACT_ERRNO\"\n"
				 "  architectures:\n"
				 "    - \"SCMP_ARCH_X86_64\"\n"
				 "    - \"SCMP_ARCH_X86\"\n"
				 "    - \"SCMP_ARCH_X32\"\n"
				 "  listenerMetadata: \"a\\\"b\\\\c\\nd\\x01e\\Lf\"\n"
				 "  syscalls:\n"
				 "    - names:\n"
				 "        - \"read\"\n"
				 "        - \"write\"\n"
				 "      action: \"SCMP_ACT_ALLOW\"\n"
				 "    - names:\n"
				 "        - \"personality\"\n"
				 "      action: \"SCMP_ACT_ALLOW\"\n"
				 "      args:\n"
				 "        - index: 0\n"
				 "          value: 8\n"
				 "          op: \"SCMP_CMP_EQ\"\n"
				 "        - index: 1\n"
				 "          value: 18446744073709551615\n"
				 "          valueTwo: 4\n"
				 "          op: \"SCMP_CMP_MASKED_EQ\"\n"
				 "    - names:\n"
				 "        - \"mkdir\"\n"
				 "      action: \"SCMP_ACT_ERRNO\"\n"
				 "      errnoRet: 13\n"
				 "  flags:\n"
				 "    - \"SECCOMP_FILTER_FLAG_LOG\"\n";

/* Print where two texts part, so a failure says which line. */
static void show_difference(const char *got, const char *want)
{
	size_t i = 0, line = 1;

	if (!got)
		return;
	for (; got[i] && got[i] == want[i]; i++)
		if (got[i] == '\n')
			line++;
	if (got[i] != want[i])
		printf("# line %zu differs: got '%.40s', want '%.40s'\n", line, got + i, want + i);
}

TEST(render_seccompprofile_yaml)
{
	json_object *p = parse(small_profile);
	char *text;

	CHECK(p != NULL);
	CHECK(profile_validate(p, false, NULL) == 0);
	CHECK(format_check(p, PROFILE_FORMAT_SPO_YAML, NULL) == 0);
	text = profile_render(p, PROFILE_FORMAT_SPO_YAML, "my-app");
	CHECK(text != NULL);
	if (text && strcmp(text, small_yaml))
		show_difference(text, small_yaml);
	CHECK(text && !strcmp(text, small_yaml));
	free(text);
	json_object_put(p);
}

TEST(render_json_is_profile_to_string)
{
	json_object *p = parse(small_profile);
	char *a = profile_render(p, PROFILE_FORMAT_JSON, NULL);
	char *b = profile_to_string(p);

	CHECK(a && b && !strcmp(a, b));
	free(a);
	free(b);
	json_object_put(p);
}

TEST(render_minimal_yaml)
{
	json_object *p = parse("{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }");
	char *text = profile_render(p, PROFILE_FORMAT_SPO_YAML, "x");

	CHECK(text && !strcmp(text, "apiVersion: \"security-profiles-operator.x-k8s.io/v1beta1\"\n"
				    "kind: \"SeccompProfile\"\n"
				    "metadata:\n"
				    "  name: \"x\"\n"
				    "spec:\n"
				    "  defaultAction: \"SCMP_ACT_ALLOW\"\n"));
	free(text);
	json_object_put(p);
}

TEST(seccompprofile_refuses_what_it_cannot_say)
{
	struct osr_err err = { "" };
	json_object *caps = parse("{ \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
				  "{ \"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\" },"
				  "{ \"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ALLOW\","
				  "  \"includes\": { \"caps\": [\"CAP_SYS_ADMIN\"] } }] }");
	json_object *enosys = parse("{ \"defaultAction\": \"SCMP_ACT_ERRNO\", "
				    "\"defaultErrnoRet\": 38 }");
	json_object *eperm = parse("{ \"defaultAction\": \"SCMP_ACT_ERRNO\", "
				   "\"defaultErrnoRet\": 1 }");

	CHECK(format_check(caps, PROFILE_FORMAT_SPO_YAML, &err) == -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "rule 1 has 'includes'");
	CHECK(format_check(caps, PROFILE_FORMAT_JSON, NULL) == 0);
	errno = 0;
	CHECK(profile_render(caps, PROFILE_FORMAT_SPO_YAML, "x") == NULL && errno == EINVAL);
	CHECK(format_check(enosys, PROFILE_FORMAT_SPO_YAML, &err) == -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'defaultErrnoRet' is not 1 (EPERM)");
	CHECK(!strstr(err.msg, "38"));
	/* EPERM is what a SeccompProfile's default action returns anyway. */
	CHECK(format_check(eperm, PROFILE_FORMAT_SPO_YAML, NULL) == 0);
	errno = 0;
	CHECK(profile_render(eperm, PROFILE_FORMAT_SPO_YAML, NULL) == NULL && errno == EINVAL);
	json_object_put(caps);
	json_object_put(enosys);
	json_object_put(eperm);
}

int main(void)
{
	RUN(resource_name_from_file_name);
	RUN(resource_name_limits);
	RUN(format_for_path_by_extension);
	RUN(format_parse_names);
	RUN(render_seccompprofile_yaml);
	RUN(render_json_is_profile_to_string);
	RUN(render_minimal_yaml);
	RUN(seccompprofile_refuses_what_it_cannot_say);
	return 0;
}
