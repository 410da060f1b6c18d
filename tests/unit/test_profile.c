// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of building and loading profiles: profile_build(),
 * profile_load() and its limits, profile_to_string().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "bounds.h"
#include "fileio.h"
#include "jsonutil.h"
#include "output.h"
#include "profile.h"
#include "scope.h"
#include "tmpfiles.h"
#include "unit.h"
#include "validate.h"

/* x86-64 and ia32 syscall numbers used below. */
#define NR_READ 0
#define NR_WRITE 1
#define NR_EXECVE 59
#define NR_EXIT_GROUP 231
#define NR_PTRACE 101
#define NR_PERSONALITY 135
#define NR_IA32_READ 3
#define NR_IA32_GETPID 20
#define NR_IA32_SOCKETCALL 102
#define NR_IA32_LLSEEK 140
#define NR_IA32_MMAP2 192

static struct selection selected;
#define seen selected.seen

static void seen_reset(void)
{
	memset(&selected, 0, sizeof(selected));
	/* Names only here: argument rules have tests of their own. */
	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++)
		for (unsigned int k = 0; k < OSR_ARG_KIND_COUNT; k++)
			selected.args[abi][k].any = true;
}

static int build(json_object *base, json_object **out, struct profile_report *rep,
		 struct osr_err *err)
{
	return profile_build(&selected, base, out, rep, err);
}

static json_object *get(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (!obj || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static const char *get_str(json_object *obj, const char *key)
{
	json_object *v = get(obj, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static size_t array_len(json_object *arr)
{
	return arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

static json_object *rule_at(json_object *profile, size_t i)
{
	json_object *syscalls = get(profile, "syscalls");

	return i < array_len(syscalls) ? json_object_array_get_idx(syscalls, i) : NULL;
}

static bool has_string(json_object *arr, const char *s)
{
	for (size_t i = 0; i < array_len(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (json_object_is_type(e, json_type_string) &&
		    !strcmp(json_object_get_string(e), s))
			return true;
	}
	return false;
}

/* The array holds exactly these strings, in this order. */
static bool strings_are(json_object *arr, const char *const *want, size_t n)
{
	if (!arr || !json_object_is_type(arr, json_type_array) || array_len(arr) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string) ||
		    strcmp(json_object_get_string(e), want[i]))
			return false;
	}
	return true;
}

#define STRINGS_ARE(arr, ...)                                                                      \
	strings_are((arr), (const char *const[]){ __VA_ARGS__ },                                   \
		    sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

/* ---- profile_build ---- */

TEST(build_native)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *out = NULL, *rule;

	seen_reset();
	seen[OSR_ABI_NATIVE][NR_WRITE] = 1;
	seen[OSR_ABI_NATIVE][NR_EXIT_GROUP] = 1;
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_NATIVE][NR_EXECVE] = 1;
	CHECK(build(NULL, &out, &rep, &err) == 0);
	CHECK(out != NULL);
	if (!out)
		return;
	CHECK(get_str(out, "defaultAction") &&
	      !strcmp(get_str(out, "defaultAction"), "SCMP_ACT_ERRNO"));
	CHECK(STRINGS_ARE(get(out, "architectures"), "SCMP_ARCH_X86_64"));
	CHECK(array_len(get(out, "syscalls")) == 1);
	rule = rule_at(out, 0);
	CHECK(get_str(rule, "action") && !strcmp(get_str(rule, "action"), "SCMP_ACT_ALLOW"));
	CHECK(STRINGS_ARE(get(rule, "names"), "execve", "exit_group", "read", "write"));
	CHECK(get(rule, "args") == NULL);
	CHECK(rep.recorded == 4);
	CHECK(rep.added == 4);
	CHECK(rep.unresolved == 0 && rep.unresolved_list[0] == '\0');
	CHECK(rep.base_kept == 0);
	CHECK(profile_validate(out, false, &err) == 0);
	json_object_put(out);
}

TEST(build_nothing_recorded)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *out = NULL;

	seen_reset();
	CHECK(build(NULL, &out, &rep, &err) == 0);
	CHECK(out != NULL);
	CHECK(rep.recorded == 0 && rep.added == 0);
	CHECK(array_len(get(out, "syscalls")) == 0);
	CHECK(profile_validate(out, false, &err) == 0);
	json_object_put(out);
}

TEST(build_compat)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *out = NULL;

	seen_reset();
	seen[OSR_ABI_COMPAT][NR_IA32_GETPID] = 1;
	CHECK(build(NULL, &out, &rep, &err) == 0);
	CHECK(out != NULL);
	CHECK(has_string(get(out, "architectures"), "SCMP_ARCH_X86"));
	CHECK(has_string(get(rule_at(out, 0), "names"), "getpid"));
	CHECK(rep.recorded == 1);
	CHECK(profile_validate(out, false, &err) == 0);
	json_object_put(out);
}

TEST(build_same_name_on_two_abis)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *out = NULL;

	/* read is 0 natively and 3 on ia32: one name, both architectures. */
	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_COMPAT][NR_IA32_READ] = 1;
	CHECK(build(NULL, &out, &rep, &err) == 0);
	CHECK(STRINGS_ARE(get(rule_at(out, 0), "names"), "read"));
	CHECK(STRINGS_ARE(get(out, "architectures"), "SCMP_ARCH_X86_64", "SCMP_ARCH_X86"));
	CHECK(rep.recorded == 1);
	CHECK(profile_validate(out, false, &err) == 0);
	json_object_put(out);
}

TEST(build_compat_only_names_validate)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *out = NULL;
	int r;

	/* Names that exist on ia32 only must still give a profile libseccomp accepts. */
	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_COMPAT][NR_IA32_MMAP2] = 1;
	seen[OSR_ABI_COMPAT][NR_IA32_LLSEEK] = 1;
	seen[OSR_ABI_COMPAT][NR_IA32_SOCKETCALL] = 1;
	CHECK(build(NULL, &out, &rep, &err) == 0);
	CHECK(STRINGS_ARE(get(rule_at(out, 0), "names"), "_llseek", "mmap2", "read", "socketcall"));
	r = profile_validate(out, false, &err);
	if (r < 0)
		printf("# %s\n", err.msg);
	CHECK(r == 0);
	json_object_put(out);
}

TEST(build_unresolved)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *out = NULL;

	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_NATIVE][1000] = 1;
	CHECK(build(NULL, &out, &rep, &err) == 0);
	CHECK(out != NULL);
	CHECK(rep.unresolved == 1);
	CHECK_STR_CONTAINS(rep.unresolved_list, "1000");
	CHECK(rep.recorded == 1);
	CHECK(array_len(get(out, "syscalls")) == 1);
	CHECK(STRINGS_ARE(get(rule_at(out, 0), "names"), "read"));
	CHECK(profile_validate(out, false, &err) == 0);
	json_object_put(out);
}

TEST(build_merge_base)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *base = json_tokener_parse(MERGE_BASE), *out = NULL, *added;
	char *before;

	CHECK(base != NULL);
	if (!base)
		return;
	CHECK(profile_validate(base, false, &err) == 0);
	before = strdup(json_object_to_json_string(base));
	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_NATIVE][NR_WRITE] = 1;
	seen[OSR_ABI_NATIVE][NR_PTRACE] = 1;
	seen[OSR_ABI_NATIVE][NR_PERSONALITY] = 1;
	CHECK(build(base, &out, &rep, &err) == 0);
	CHECK(out != NULL && out != base);
	CHECK(!strcmp(before, json_object_to_json_string(base)));
	CHECK(array_len(get(out, "syscalls")) == 4);
	for (size_t i = 0; i < 3; i++)
		CHECK(json_object_equal(rule_at(out, i), rule_at(base, i)));
	added = rule_at(out, 3);
	CHECK(get_str(added, "action") && !strcmp(get_str(added, "action"), "SCMP_ACT_ALLOW"));
	CHECK(STRINGS_ARE(get(added, "names"), "write"));
	CHECK(get(added, "args") == NULL);
	CHECK(rep.recorded == 4);
	CHECK(rep.added == 1);
	CHECK(rep.base_kept == 2);
	CHECK_STR_CONTAINS(rep.base_kept_list, "ptrace");
	CHECK_STR_CONTAINS(rep.base_kept_list, "personality");
	CHECK(!strstr(rep.base_kept_list, "read"));
	CHECK(json_object_equal(get(out, "comment"), get(base, "comment")));
	CHECK(json_object_equal(get(out, "x-vendor"), get(base, "x-vendor")));
	CHECK(STRINGS_ARE(get(out, "architectures"), "SCMP_ARCH_X86_64"));
	CHECK(get_str(out, "defaultAction") &&
	      !strcmp(get_str(out, "defaultAction"), "SCMP_ACT_ERRNO"));
	CHECK(profile_validate(out, false, &err) == 0);
	free(before);
	json_object_put(out);
	json_object_put(base);
}

TEST(build_merge_nothing_new)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *base = json_tokener_parse(MERGE_BASE), *out = NULL;

	/* Every recorded name is in the base: no empty rule is appended. */
	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_NATIVE][NR_PTRACE] = 1;
	CHECK(build(base, &out, &rep, &err) == 0);
	CHECK(array_len(get(out, "syscalls")) == 3);
	CHECK(json_object_equal(get(out, "syscalls"), get(base, "syscalls")));
	CHECK(rep.added == 0 && rep.base_kept == 1);
	json_object_put(out);
	json_object_put(base);
}

TEST(build_merge_empty_conditions_are_plain)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *out = NULL;
	/*
	 * The form of containers-common's seccomp.json and older Docker profiles:
	 * empty args, includes and excludes on every rule; none of them is a condition.
	 */
	json_object *base = json_tokener_parse(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[],\"comment\":\"\",\"includes\":{},"
		"\"excludes\":{}}]}");

	CHECK(base != NULL);
	CHECK(profile_validate(base, false, &err) == 0);
	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_NATIVE][NR_WRITE] = 1;
	CHECK(build(base, &out, &rep, &err) == 0);
	CHECK(STRINGS_ARE(get(rule_at(out, 1), "names"), "write"));
	CHECK(rep.added == 1);
	if (rep.base_kept)
		printf("# a plain allow with empty includes/excludes reported as kept: '%s'\n",
		       rep.base_kept_list);
	CHECK(rep.base_kept == 0);
	json_object_put(out);
	json_object_put(base);
}

TEST(build_base_default_allow)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *base = json_tokener_parse(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
		"\"syscalls\":[{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
	json_object *out = NULL;

	CHECK(base != NULL);
	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_NATIVE][NR_WRITE] = 1;
	CHECK(build(base, &out, &rep, &err) == 0);
	CHECK(out != NULL);
	CHECK(array_len(get(out, "syscalls")) == 1);
	CHECK(json_object_equal(get(out, "syscalls"), get(base, "syscalls")));
	CHECK(rep.added == 0);
	CHECK(profile_validate(out, false, &err) == 0);
	json_object_put(out);
	json_object_put(base);
}

TEST(build_base_archmap)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *base = json_tokener_parse(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":"
		"\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X32\"]}],\"syscalls\":[]}");
	json_object *out = NULL, *map, *entry;

	CHECK(base != NULL);
	CHECK(profile_validate(base, false, &err) == 0);
	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_COMPAT][NR_IA32_GETPID] = 1;
	CHECK(build(base, &out, &rep, &err) == 0);
	CHECK(out != NULL);
	CHECK(get(out, "architectures") == NULL);
	map = get(out, "archMap");
	CHECK(array_len(map) == 2);
	CHECK(json_object_equal(json_object_array_get_idx(map, 0),
				json_object_array_get_idx(get(base, "archMap"), 0)));
	entry = array_len(map) == 2 ? json_object_array_get_idx(map, 1) : NULL;
	CHECK(get_str(entry, "architecture") &&
	      !strcmp(get_str(entry, "architecture"), "SCMP_ARCH_X86"));
	CHECK(STRINGS_ARE(get(rule_at(out, 0), "names"), "getpid", "read"));
	CHECK(profile_validate(out, false, &err) == 0);
	json_object_put(out);
	json_object_put(base);
}

TEST(build_base_archmap_known_sub)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *base = json_tokener_parse(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":"
		"\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]}],"
		"\"syscalls\":[]}");
	json_object *out = NULL;

	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_COMPAT][NR_IA32_GETPID] = 1;
	CHECK(build(base, &out, &rep, &err) == 0);
	CHECK(get(out, "architectures") == NULL);
	CHECK(json_object_equal(get(out, "archMap"), get(base, "archMap")));
	json_object_put(out);
	json_object_put(base);
}

/* ---- profile_load ---- */

#define RULES(rules) "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" rules "]}"

/* Loading the file name (written with text, or made by prepare) fails, naming its path. */
static void expect_load_fails(const char *name, const char *text, const char *word)
{
	struct osr_err err = { "" };
	json_object *out = NULL;
	char p[PATH_MAX];

	CHECK(make_tmpdir() == 0);
	path_in(p, sizeof(p), name);
	if (text)
		CHECK(put_file(p, text) == 0);
	else if (!strcmp(name, "folder.json"))
		CHECK(mkdir(p, 0755) == 0);
	CHECK(profile_load(p, place_strict(), "base profile", &out, NULL, &err) < 0);
	CHECK(out == NULL);
	CHECK_STR_CONTAINS(err.msg, p);
	if (word)
		CHECK_STR_CONTAINS(err.msg, word);
	if (out)
		json_object_put(out);
	remove_tree(tmpdir);
}

TEST(load_good)
{
	struct osr_err err = { "" };
	json_object *out = NULL;
	char p[PATH_MAX];

	CHECK(make_tmpdir() == 0);
	path_in(p, sizeof(p), "good.json");
	CHECK(put_file(p, MERGE_BASE "\n") == 0);
	CHECK(profile_load(p, place_strict(), "base profile", &out, NULL, &err) == 0);
	CHECK(out != NULL);
	CHECK(get_str(out, "defaultAction") &&
	      !strcmp(get_str(out, "defaultAction"), "SCMP_ACT_ERRNO"));
	CHECK(array_len(get(out, "syscalls")) == 3);
	CHECK(get_str(out, "comment") && !strcmp(get_str(out, "comment"), "my base"));
	if (out)
		json_object_put(out);
	remove_tree(tmpdir);
}

TEST(load_missing)
{
	expect_load_fails("missing.json", NULL, NULL);
}

TEST(load_directory)
{
	expect_load_fails("folder.json", NULL, "regular");
}

TEST(load_not_json)
{
	expect_load_fails("text.json", "defaultAction: SCMP_ACT_ERRNO\n", "JSON");
	expect_load_fails("array.json", "[]\n", "array");
	expect_load_fails("trailing.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}\n}\n", NULL);
}

TEST(load_empty)
{
	expect_load_fails("empty.json", "", "empty");
}

TEST(load_invalid_profile)
{
	expect_load_fails("invalid.json",
			  RULES("{\"names\":[\"not_a_syscall\"],\"action\":\"SCMP_ACT_ALLOW\"}"),
			  "not_a_syscall");
	expect_load_fails("nodefault.json", "{\"syscalls\":[]}", "defaultAction");
}

/* ---- profile_load: the limits of bounds.h, at and one past each ---- */

/*
 * A profile of nrules rules, each allowing name names_each times under
 * args_each conditions (values differ from rule to rule); malloc'd.
 */
static char *limits_text(size_t nrules, size_t names_each, const char *name, size_t args_each)
{
	size_t cap = 256 + nrules * (64 + names_each * (strlen(name) + 3) + args_each * 80);
	char *t = malloc(cap), *p = t;

	if (!t)
		return NULL;
	p += sprintf(p, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (size_t i = 0; i < nrules; i++) {
		p += sprintf(p, "%s{\"names\":[", i ? "," : "");
		for (size_t j = 0; j < names_each; j++)
			p += sprintf(p, "%s\"%s\"", j ? "," : "", name);
		p += sprintf(p, "],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[");
		for (size_t k = 0; k < args_each; k++)
			p += sprintf(p, "%s{\"index\":%zu,\"value\":%zu,\"op\":\"SCMP_CMP_EQ\"}",
				     k ? "," : "", k % 6, i);
		p += sprintf(p, "]}");
	}
	sprintf(p, "]}\n");
	return t;
}

/* Loading text fails (each word in the message) or, with no word, succeeds. */
static void expect_load(const char *text, const char *word1, const char *word2)
{
	struct osr_err err = { "" };
	json_object *out = NULL;
	char p[PATH_MAX];
	int r;

	CHECK(text != NULL);
	if (!text)
		return;
	CHECK(make_tmpdir() == 0);
	path_in(p, sizeof(p), "base.json");
	CHECK(put_file(p, text) == 0);
	r = profile_load(p, place_strict(), "base profile", &out, NULL, &err);
	if (!word1) {
		if (r < 0)
			printf("# refused: %s\n", err.msg);
		CHECK(r == 0 && out != NULL);
	} else {
		CHECK(r < 0 && out == NULL);
		CHECK_STR_CONTAINS(err.msg, p);
		CHECK_STR_CONTAINS(err.msg, word1);
		if (word2)
			CHECK_STR_CONTAINS(err.msg, word2);
	}
	if (out)
		json_object_put(out);
	remove_tree(tmpdir);
}

/* "limit of N", for a limit of bounds.h. */
static const char *limit_of(unsigned int n)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "limit of %u", n);
	return buf;
}

TEST(load_limit_rules)
{
	char *at = limits_text(OSR_RULES_MAX, 1, "read", 0);
	char *over = limits_text(OSR_RULES_MAX + 1, 1, "read", 0);

	expect_load(at, NULL, NULL);
	expect_load(over, "1025 rules", limit_of(OSR_RULES_MAX));
	free(at);
	free(over);
}

TEST(load_limit_rule_names)
{
	char *at = limits_text(1, OSR_RULE_NAMES_MAX, "read", 0);
	char *over = limits_text(1, OSR_RULE_NAMES_MAX + 1, "read", 0);

	expect_load(at, NULL, NULL);
	expect_load(over, "1025 names", limit_of(OSR_RULE_NAMES_MAX));
	free(at);
	free(over);
}

TEST(load_limit_names)
{
	/* 5 rules of 819 names is 4095, of 820 is 4100. */
	char *at = limits_text(5, OSR_NAMES_MAX / 5, "read", 0);
	char *over = limits_text(5, OSR_NAMES_MAX / 5 + 1, "read", 0);

	expect_load(at, NULL, NULL);
	expect_load(over, "4100 names in all", limit_of(OSR_NAMES_MAX));
	free(at);
	free(over);
}

TEST(load_limit_args)
{
	char *at = limits_text(1, 1, "personality", OSR_ARGS_MAX);
	char *over = limits_text(1, 1, "personality", OSR_ARGS_MAX + 1);

	expect_load(at, NULL, NULL);
	expect_load(over, "7 argument conditions", limit_of(OSR_ARGS_MAX));
	free(at);
	free(over);
}

TEST(load_limit_conditions)
{
	char *at = limits_text(OSR_CONDITIONS_MAX, 1, "personality", 1);
	char *over = limits_text(OSR_CONDITIONS_MAX + 1, 1, "personality", 1);
	/* Counted once per name: 22 rules of 3 names and 2 conditions are 132. */
	char *names = limits_text(22, 3, "personality", 2);

	expect_load(at, NULL, NULL);
	expect_load(over, "129 argument conditions", limit_of(OSR_CONDITIONS_MAX));
	expect_load(names, "132 argument conditions", limit_of(OSR_CONDITIONS_MAX));
	free(at);
	free(over);
	free(names);
}

TEST(load_limit_size)
{
	static const char head[] = "{\"defaultAction\":\"SCMP_ACT_ERRNO\"";
	char *text = malloc(OSR_PROFILE_MAX + 2);

	CHECK(text != NULL);
	if (!text)
		return;
	/* Valid JSON of exactly the limit, then one byte more. */
	memset(text, ' ', OSR_PROFILE_MAX + 1);
	memcpy(text, head, strlen(head));
	text[OSR_PROFILE_MAX - 1] = '}';
	text[OSR_PROFILE_MAX] = '\0';
	expect_load(text, NULL, NULL);
	text[OSR_PROFILE_MAX] = '\n';
	text[OSR_PROFILE_MAX + 1] = '\0';
	expect_load(text, "larger than the", limit_of(OSR_PROFILE_MAX));
	free(text);
}

/*
 * On x86-64 two socket rules conflict only as ia32 socketcall rules: the
 * message says on which architecture. A repeat of the first rule is added once
 * (libseccomp would walk every copy on each later rule) and hides nothing.
 */
TEST(load_names_the_architecture_a_recording_adds)
{
	expect_load(RULES("{\"names\":[\"socket\",\"socket\"],\"action\":\"SCMP_ACT_ERRNO\","
			  "\"errnoRet\":8},"
			  "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":8}"),
		    NULL, NULL);
	expect_load(RULES("{\"names\":[\"socket\",\"socket\"],\"action\":\"SCMP_ACT_ERRNO\","
			  "\"errnoRet\":8},"
			  "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":8},"
			  "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9}"),
		    "rule 2", "on SCMP_ARCH_X86, which a recording may add");
}

/* ---- profile_load confined: errors say where, never what the base says ---- */

static const struct {
	const char *text, *secret, *where;
} secrets[] = {
	{ RULES("{\"names\":[\"read\",\"osr_secret_name\"],\"action\":\"SCMP_ACT_ALLOW\"}"),
	  "osr_secret_name", "rule 0: name 1" },
	{ RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_SECRET\"}"), "SCMP_ACT_SECRET",
	  "rule 0: 'action'" },
	{ "{\"defaultAction\":\"SCMP_ACT_SECRET\"}", "SCMP_ACT_SECRET", "'defaultAction'" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
	  "\"SCMP_ARCH_SECRET\"]}",
	  "SCMP_ARCH_SECRET", "'architectures' entry 1" },
	{ RULES("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":0,\"op\":\"SCMP_CMP_SECRET\"}]}"),
	  "SCMP_CMP_SECRET", "rule 0: argument 0" },
#if defined(__x86_64__)
	/* libseccomp's own refusal, found on ia32 only. */
	{ RULES("{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":8},"
		"{\"names\":[\"read\",\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9}"),
	  "socket", "rule 1: libseccomp rejects it for name 1 on SCMP_ARCH_X86" },
#endif
};

TEST(load_confined_quotes_nothing)
{
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++) {
		struct profile_source src = { 0 };
		struct osr_err err = { "" };
		json_object *out = NULL;
		char p[PATH_MAX];

		CHECK(make_tmpdir() == 0);
		path_in(p, sizeof(p), "base.json");
		CHECK(put_file(p, secrets[i].text) == 0);
		CHECK(profile_load(p, place_beneath(tmpdir), "base profile", &out, &src, &err) < 0);
		if (strstr(err.msg, secrets[i].secret))
			printf("# case %zu quotes the base: %s\n", i, err.msg);
		CHECK(!strstr(err.msg, secrets[i].secret));
		CHECK_STR_CONTAINS(err.msg, p);
		CHECK_STR_CONTAINS(err.msg, secrets[i].where);
		/* Unconfined, the user reads their own file: the value helps. */
		CHECK(profile_load(p, place_strict(), "base profile", &out, &src, &err) < 0);
		CHECK_STR_CONTAINS(err.msg, secrets[i].secret);
		/* Nor is a file named on the command line (merge's inputs) a hidden one. */
		CHECK(profile_load(p, place_as_given(), "profile", &out, &src, &err) < 0);
		CHECK_STR_CONTAINS(err.msg, secrets[i].secret);
		CHECK(!strstr(err.msg, "base profile"));
		remove_tree(tmpdir);
	}
}

/* ---- profile_to_string ---- */

TEST(to_string)
{
	struct profile_report rep;
	struct osr_err err = { "" };
	json_object *out = NULL, *back;
	char *text;
	size_t len;

	seen_reset();
	seen[OSR_ABI_NATIVE][NR_READ] = 1;
	seen[OSR_ABI_NATIVE][NR_WRITE] = 1;
	CHECK(build(NULL, &out, &rep, &err) == 0);
	text = profile_to_string(out);
	CHECK(text != NULL);
	if (!text) {
		json_object_put(out);
		return;
	}
	len = strlen(text);
	CHECK(len > 1 && text[len - 1] == '\n' && text[len - 2] != '\n');
	back = json_tokener_parse(text);
	CHECK(back != NULL);
	CHECK(json_object_equal(back, out));
	json_object_put(back);
	free(text);
	json_object_put(out);
}

TEST(to_string_keeps_slashes)
{
	json_object *o = json_tokener_parse("{\"comment\":\"see /usr/share/doc\"}");
	char *text = profile_to_string(o);

	/* Written for people to read: no "\/" escapes. */
	CHECK_STR_CONTAINS(text, "/usr/share/doc");
	free(text);
	json_object_put(o);
}

/* The build cases use x86-64 and ia32 numbers; elsewhere they are skipped. */
#if defined(__x86_64__)
#define RUN_X86(name) RUN(name)
#else
#define RUN_X86(name) printf("SKIP: %s: x86-64 syscall numbers\n", #name)
#endif

int main(void)
{
	RUN_X86(build_native);
	RUN_X86(build_nothing_recorded);
	RUN_X86(build_compat);
	RUN_X86(build_same_name_on_two_abis);
	RUN_X86(build_compat_only_names_validate);
	RUN_X86(build_unresolved);
	RUN_X86(build_merge_base);
	RUN_X86(build_merge_nothing_new);
	RUN_X86(build_merge_empty_conditions_are_plain);
	RUN_X86(build_base_default_allow);
	RUN_X86(build_base_archmap);
	RUN_X86(build_base_archmap_known_sub);
	RUN(load_good);
	RUN(load_missing);
	RUN(load_directory);
	RUN(load_not_json);
	RUN(load_empty);
	RUN(load_invalid_profile);
	RUN(load_limit_rules);
	RUN(load_limit_rule_names);
	RUN(load_limit_names);
	RUN(load_limit_args);
	RUN(load_limit_conditions);
	RUN(load_limit_size);
	RUN_X86(load_names_the_architecture_a_recording_adds);
	RUN(load_confined_quotes_nothing);
	RUN(to_string);
	RUN(to_string_keeps_slashes);
	return 0;
}
