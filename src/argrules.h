/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_ARGRULES_H
#define OSR_ARGRULES_H

/*
 * Rules from recorded arguments: a syscall of the table in recorder.h,
 * allowed with the values a container used and no others, as rules with
 * `args` (SCMP_CMP_MASKED_EQ: the kernel reads these arguments as 32-bit
 * ints, so the upper half of a register, whatever a caller left there, is
 * not compared). One rule per value; names whose values give the same
 * conditions share a rule.
 */
#include <json-c/json.h>

#include "recording.h"

/* The errno clone3 gets where clone's namespace flags are restricted: glibc then uses clone. */
#define OSR_CLONE3_ERRNO 38 /* ENOSYS */

/* Append to args the condition that argument index, masked with mask, is value: -ENOMEM. */
int arg_cmp_add(json_object *args, unsigned int index, uint64_t mask, uint64_t value);

/* The conditions (a JSON "args" array) allowing one value of kind. */
json_object *arg_conditions(enum osr_arg_kind kind, uint64_t value);

/*
 * Append to syscalls an ALLOW rule for each value of `name` (of kind), sharing
 * a rule already appended with the same conditions. -ENOMEM.
 */
int argrules_append(json_object *syscalls, size_t first, const char *name, enum osr_arg_kind kind,
		    const struct arg_values *values);

/* The rule that makes clone3 fail with ENOSYS: its flags are beyond seccomp's reach. */
json_object *clone3_rule(void);

#endif
