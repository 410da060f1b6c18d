// SPDX-License-Identifier: GPL-2.0-only
/*
 * The name tables, kept together the way runc keeps its seccomp maps: a new
 * architecture, action, comparison, phase or argument kind is one row here.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "names.h"
#include "util.h"

static const struct {
	uint32_t token;
	const char *name;
} arches[] = {
	{ SCMP_ARCH_X86, "SCMP_ARCH_X86" },
	{ SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64" },
	{ SCMP_ARCH_X32, "SCMP_ARCH_X32" },
	{ SCMP_ARCH_ARM, "SCMP_ARCH_ARM" },
	{ SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64" },
	{ SCMP_ARCH_MIPS, "SCMP_ARCH_MIPS" },
	{ SCMP_ARCH_MIPS64, "SCMP_ARCH_MIPS64" },
	{ SCMP_ARCH_MIPS64N32, "SCMP_ARCH_MIPS64N32" },
	{ SCMP_ARCH_MIPSEL, "SCMP_ARCH_MIPSEL" },
	{ SCMP_ARCH_MIPSEL64, "SCMP_ARCH_MIPSEL64" },
	{ SCMP_ARCH_MIPSEL64N32, "SCMP_ARCH_MIPSEL64N32" },
	{ SCMP_ARCH_PPC, "SCMP_ARCH_PPC" },
	{ SCMP_ARCH_PPC64, "SCMP_ARCH_PPC64" },
	{ SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE" },
	{ SCMP_ARCH_S390, "SCMP_ARCH_S390" },
	{ SCMP_ARCH_S390X, "SCMP_ARCH_S390X" },
	{ SCMP_ARCH_PARISC, "SCMP_ARCH_PARISC" },
	{ SCMP_ARCH_PARISC64, "SCMP_ARCH_PARISC64" },
	{ SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64" },
};

static const struct {
	const char *name;
	uint32_t action;
	bool takes_errno;
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, false },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

static const struct {
	const char *name;
	enum scmp_compare op;
	const char *symbol;
} compares[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE, "!=" },
	{ "SCMP_CMP_LT", SCMP_CMP_LT, "<" },
	{ "SCMP_CMP_LE", SCMP_CMP_LE, "<=" },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ, "==" },
	{ "SCMP_CMP_GE", SCMP_CMP_GE, ">=" },
	{ "SCMP_CMP_GT", SCMP_CMP_GT, ">" },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ, NULL },
};

static const char *const phases[OSR_PHASE_COUNT] = {
	[OSR_PHASE_SETUP] = "setup",
	[OSR_PHASE_FILTERED] = "runtime-filtered",
	[OSR_PHASE_WORKLOAD] = "workload",
};

#define KIND_NAME(kind, name, arg, mask) [kind] = name,
static const char *const kinds[OSR_ARG_KIND_COUNT] = { OSR_ARG_TABLE(KIND_NAME) };
#undef KIND_NAME

const char *arch_name(uint32_t token)
{
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (arches[i].token == token)
			return arches[i].name;
	return NULL;
}

uint32_t arch_token(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (!strcmp(arches[i].name, name))
			return arches[i].token;
	return 0;
}

uint32_t abi_arch(unsigned int abi)
{
	static const uint32_t tokens[OSR_ABI_COUNT] = OSR_ARCH_TOKENS;

	return abi < OSR_ABI_COUNT ? tokens[abi] : 0;
}

/* Where an architecture records some numbers in other slots (arm64's ARM private calls). */
#ifndef OSR_ARCH_RECORDED_NR
#define OSR_ARCH_RECORDED_NR(arch, nr) (nr)
#endif

char *recorded_syscall_name(uint32_t arch, unsigned int nr)
{
	return arch ? seccomp_syscall_resolve_num_arch(arch, (int)OSR_ARCH_RECORDED_NR(arch, nr))
		    : NULL;
}

int action_parse(const char *name, uint32_t *action, bool *takes_errno)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (!strcmp(actions[i].name, name)) {
			*action = actions[i].action;
			*takes_errno = actions[i].takes_errno;
			return 0;
		}
	return -EINVAL;
}

int compare_parse(const char *name, enum scmp_compare *op)
{
	for (size_t i = 0; i < ARRAY_SIZE(compares); i++)
		if (!strcmp(compares[i].name, name)) {
			*op = compares[i].op;
			return 0;
		}
	return -EINVAL;
}

const char *compare_symbol(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(compares); i++)
		if (!strcmp(compares[i].name, name))
			return compares[i].symbol;
	return NULL;
}

const char *phase_name(int phase)
{
	return phase >= 0 && phase < OSR_PHASE_COUNT ? phases[phase] : "unknown";
}

int phase_parse(const char *s, int *phase)
{
	for (int p = 0; p < OSR_PHASE_COUNT; p++)
		if (!strcmp(s, phases[p])) {
			*phase = p;
			return 0;
		}
	return -EINVAL;
}

enum osr_arg_kind arg_kind_of(const char *name)
{
	for (int k = OSR_ARG_NONE + 1; k < OSR_ARG_KIND_COUNT; k++)
		if (!strcmp(kinds[k], name))
			return (enum osr_arg_kind)k;
	return OSR_ARG_NONE;
}

const char *arg_kind_name(enum osr_arg_kind kind)
{
	return kind > OSR_ARG_NONE && kind < OSR_ARG_KIND_COUNT ? kinds[kind] : NULL;
}
