// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the name tables (src/names.c): each lookup undoes the other,
 * and a name not in a table is refused.
 */
#include <errno.h>
#include <seccomp.h>

#include "names.h"
#include "unit.h"

TEST(arch_both_ways)
{
	static const char *const names[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
					     "SCMP_ARCH_AARCH64", "SCMP_ARCH_RISCV64" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t token = arch_token(names[i]);

		CHECK(token != 0);
		CHECK(arch_name(token) && !strcmp(arch_name(token), names[i]));
	}
	CHECK(arch_token("SCMP_ARCH_X86_64") == SCMP_ARCH_X86_64);
	CHECK(arch_token("x86_64") == 0);
	CHECK(arch_name(0) == NULL);
	CHECK(abi_arch(OSR_ABI_NATIVE) == seccomp_arch_native());
	CHECK(abi_arch(OSR_ABI_COUNT) == 0);
}

TEST(action_parse)
{
	uint32_t action;
	bool takes_errno;

	CHECK(action_parse("SCMP_ACT_ALLOW", &action, &takes_errno) == 0);
	CHECK(action == SCMP_ACT_ALLOW && !takes_errno);
	CHECK(action_parse("SCMP_ACT_ERRNO", &action, &takes_errno) == 0);
	CHECK(action == SCMP_ACT_ERRNO(0) && takes_errno);
	CHECK(action_parse("SCMP_ACT_KILL_PROCESS", &action, &takes_errno) == 0);
	CHECK(action == SCMP_ACT_KILL_PROCESS);
	CHECK(action_parse("SCMP_ACT_allow", &action, &takes_errno) == -EINVAL);
	CHECK(action_parse("", &action, &takes_errno) == -EINVAL);
}

TEST(compare_parse_and_symbol)
{
	enum scmp_compare op;

	CHECK(compare_parse("SCMP_CMP_MASKED_EQ", &op) == 0 && op == SCMP_CMP_MASKED_EQ);
	CHECK(compare_parse("SCMP_CMP_GE", &op) == 0 && op == SCMP_CMP_GE);
	CHECK(compare_parse("SCMP_CMP_XX", &op) == -EINVAL);
	CHECK(compare_symbol("SCMP_CMP_EQ") && !strcmp(compare_symbol("SCMP_CMP_EQ"), "=="));
	CHECK(compare_symbol("SCMP_CMP_LE") && !strcmp(compare_symbol("SCMP_CMP_LE"), "<="));
	CHECK(compare_symbol("SCMP_CMP_MASKED_EQ") == NULL);
	CHECK(compare_symbol("SCMP_CMP_XX") == NULL);
}

TEST(phase_both_ways)
{
	int phase = -1;

	for (int p = 0; p < OSR_PHASE_COUNT; p++) {
		CHECK(phase_parse(phase_name(p), &phase) == 0);
		CHECK(phase == p);
	}
	CHECK(!strcmp(phase_name(OSR_PHASE_FILTERED), "runtime-filtered"));
	CHECK(!strcmp(phase_name(OSR_PHASE_COUNT), "unknown"));
	CHECK(phase_parse("unknown", &phase) == -EINVAL);
}

TEST(arg_kind_both_ways)
{
	for (int k = OSR_ARG_NONE + 1; k < OSR_ARG_KIND_COUNT; k++) {
		const char *name = arg_kind_name((enum osr_arg_kind)k);

		CHECK(name != NULL);
		CHECK(name && arg_kind_of(name) == (enum osr_arg_kind)k);
	}
	CHECK(arg_kind_of("socket") != OSR_ARG_NONE);
	CHECK(arg_kind_of("read") == OSR_ARG_NONE);
	CHECK(arg_kind_name(OSR_ARG_NONE) == NULL);
	CHECK(arg_kind_name(OSR_ARG_KIND_COUNT) == NULL);
}

int main(void)
{
	RUN(arch_both_ways);
	RUN(action_parse);
	RUN(compare_parse_and_symbol);
	RUN(phase_both_ways);
	RUN(arg_kind_both_ways);
	return 0;
}
