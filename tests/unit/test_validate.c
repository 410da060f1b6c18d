// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of profile_validate(): a profile libseccomp would refuse is
 * refused, naming the problem; one it takes is taken.
 */
#include <json-c/json.h>

#include "unit.h"
#include "validate.h"

static int validate_text(const char *text, struct osr_err *err)
{
	json_object *p = json_tokener_parse(text);
	int r;

	if (!p)
		return 1; /* a broken fixture, never a pass for a "rejects" case */
	r = profile_validate(p, false, err);
	json_object_put(p);
	return r;
}

/* ---- profile_validate ---- */

static void expect_invalid(const char *text, const char *word)
{
	struct osr_err err = { "" };
	int r = validate_text(text, &err);

	CHECK(r < 0);
	CHECK(err.msg[0] != '\0');
	CHECK_STR_CONTAINS(err.msg, word);
}

static void expect_valid(const char *text)
{
	struct osr_err err = { "" };
	int r = validate_text(text, &err);

	if (r != 0)
		printf("# rejected: %s\n", err.msg);
	CHECK(r == 0);
}

#define RULES(rules) "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" rules "]}"

TEST(validate_rejects_unknown_action)
{
	expect_invalid(RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_FOO\"}"), "SCMP_ACT_FOO");
	expect_invalid("{\"defaultAction\":\"SCMP_ACT_BAR\"}", "SCMP_ACT_BAR");
}

TEST(validate_rejects_unknown_syscall)
{
	expect_invalid(RULES("{\"names\":[\"read\",\"not_a_syscall\"],"
			     "\"action\":\"SCMP_ACT_ALLOW\"}"),
		       "not_a_syscall");
}

TEST(validate_rejects_names_not_array)
{
	expect_invalid(RULES("{\"names\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"}"), "names");
}

TEST(validate_rejects_no_names)
{
	expect_invalid(RULES("{\"action\":\"SCMP_ACT_ALLOW\"}"), "names");
}

TEST(validate_rejects_name_not_string)
{
	expect_invalid(RULES("{\"names\":[\"read\",0],\"action\":\"SCMP_ACT_ALLOW\"}"),
		       "not a string");
}

TEST(validate_rejects_unknown_architecture)
{
	expect_invalid("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
		       "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_VAX\"],\"syscalls\":[]}",
		       "SCMP_ARCH_VAX");
	expect_invalid("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":"
		       "\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_PDP11\"]}]}",
		       "SCMP_ARCH_PDP11");
}

TEST(validate_rejects_unknown_op)
{
	expect_invalid(RULES("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
			     "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_FOO\"}]}"),
		       "SCMP_CMP_FOO");
}

TEST(validate_rejects_arg_index_6)
{
	expect_invalid(RULES("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
			     "\"args\":[{\"index\":6,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}"),
		       "index");
}

TEST(validate_rejects_seven_args)
{
	expect_invalid(RULES("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
			     "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
			     "{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
			     "{\"index\":2,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
			     "{\"index\":3,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
			     "{\"index\":4,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
			     "{\"index\":5,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
			     "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"),
		       "6");
}

TEST(validate_rejects_negative_errno)
{
	expect_invalid(RULES("{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ERRNO\","
			     "\"errnoRet\":-1}"),
		       "errnoRet");
	expect_invalid(RULES("{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ERRNO\","
			     "\"errnoRet\":\"1\"}"),
		       "errnoRet");
}

TEST(validate_rejects_syscalls_not_array)
{
	expect_invalid("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{\"names\":[\"read\"]}}",
		       "syscalls");
}

TEST(validate_rejects_missing_default)
{
	expect_invalid("{\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[]}",
		       "defaultAction");
	expect_invalid("{\"defaultAction\":1,\"syscalls\":[]}", "defaultAction");
}

TEST(validate_rejects_architectures_not_array)
{
	expect_invalid("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
		       "\"SCMP_ARCH_X86_64\"}",
		       "architectures");
}

TEST(validate_rejects_not_object)
{
	struct osr_err err = { "" };
	json_object *arr = json_object_new_array();

	CHECK(profile_validate(arr, false, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "array");
	json_object_put(arr);
}

TEST(validate_accepts_args)
{
	expect_valid(RULES("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
			   "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
			   "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
			   "\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"},"
			   "{\"index\":0,\"value\":131072,\"op\":\"SCMP_CMP_EQ\"}]},"
			   "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\","
			   "\"args\":[{\"index\":0,\"value\":2114060288,\"valueTwo\":0,"
			   "\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
			   "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
			   "\"args\":[{\"index\":0,\"value\":16,\"op\":\"SCMP_CMP_NE\"},"
			   "{\"index\":2,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}"));
}

TEST(validate_accepts_errno_ret)
{
	expect_valid(RULES("{\"names\":[\"ptrace\",\"bpf\"],\"action\":\"SCMP_ACT_ERRNO\","
			   "\"errnoRet\":1},"
			   "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\","
			   "\"errnoRet\":38}"));
	expect_valid("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		     "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
}

TEST(validate_accepts_kill_process)
{
	expect_valid(RULES("{\"names\":[\"kexec_load\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
			   "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}"));
	expect_valid("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":["
		     "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
}

TEST(validate_accepts_default_action_rule)
{
	expect_valid(RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"},"
			   "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}"));
	expect_valid("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		     "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
}

TEST(validate_accepts_docker_style)
{
	expect_valid("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
		     "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":"
		     "[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]}],\"syscalls\":["
		     "{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[],"
		     "\"comment\":\"\",\"includes\":{},\"excludes\":{}},"
		     "{\"name\":\"getpid\",\"action\":\"SCMP_ACT_ALLOW\",\"args\":null},"
		     "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\","
		     "\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}");
}

int main(void)
{
	RUN(validate_rejects_unknown_action);
	RUN(validate_rejects_unknown_syscall);
	RUN(validate_rejects_names_not_array);
	RUN(validate_rejects_no_names);
	RUN(validate_rejects_name_not_string);
	RUN(validate_rejects_unknown_architecture);
	RUN(validate_rejects_unknown_op);
	RUN(validate_rejects_arg_index_6);
	RUN(validate_rejects_seven_args);
	RUN(validate_rejects_negative_errno);
	RUN(validate_rejects_syscalls_not_array);
	RUN(validate_rejects_missing_default);
	RUN(validate_rejects_architectures_not_array);
	RUN(validate_rejects_not_object);
	RUN(validate_accepts_args);
	RUN(validate_accepts_errno_ret);
	RUN(validate_accepts_kill_process);
	RUN(validate_accepts_default_action_rule);
	RUN(validate_accepts_docker_style);
	return 0;
}
