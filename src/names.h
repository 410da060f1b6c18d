/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_NAMES_H
#define OSR_NAMES_H

/*
 * Every table of names the project reads or writes, in one place, each with
 * its lookups both ways: architectures, actions and comparisons as profiles
 * spell them (libseccomp's tokens), phases as stats files spell them, and the
 * syscalls whose arguments are recorded. Nothing here depends on another
 * module, so any module may use it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <seccomp.h>

#include "recorder.h"

/* "SCMP_ARCH_X86_64" for SCMP_ARCH_X86_64, NULL if unknown; and back (0 if unknown). */
const char *arch_name(uint32_t token);
uint32_t arch_token(const char *name);
/* The libseccomp architecture token for an ABI slot of this machine, 0 if none. */
uint32_t abi_arch(unsigned int abi);
/* libseccomp's name (malloc'd; NULL if none or arch is 0) of the syscall recorded as nr. */
char *recorded_syscall_name(uint32_t arch, unsigned int nr);

/*
 * "SCMP_ACT_ERRNO" → its token; *takes_errno says whether the token carries a
 * return value (errnoRet). -EINVAL for a name libseccomp does not take.
 */
int action_parse(const char *name, uint32_t *action, bool *takes_errno);

/* "SCMP_CMP_EQ" → SCMP_CMP_EQ; -EINVAL for anything else. */
int compare_parse(const char *name, enum scmp_compare *op);
/* How a person reads a comparison ("==", "<"), NULL for one without a symbol (masked). */
const char *compare_symbol(const char *name);

/* "workload", "runtime-filtered", "setup" ("unknown" out of range); -EINVAL from parse otherwise. */
const char *phase_name(int phase);
int phase_parse(const char *s, int *phase);

/* The kind of argument recorded for a syscall name, OSR_ARG_NONE if none. */
enum osr_arg_kind arg_kind_of(const char *name);
/* The syscall name of a kind ("socket"), NULL for OSR_ARG_NONE. */
const char *arg_kind_name(enum osr_arg_kind kind);

#endif
