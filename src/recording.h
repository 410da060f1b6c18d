/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_RECORDING_H
#define OSR_RECORDING_H

/*
 * The recording model, user space's side: how a table (struct osr_container,
 * include/recorder.h) is made ready for the program and read back. A new
 * kind of recorded fact touches recorder.h, one function of the program and
 * this file's reader.
 */
#include <stdbool.h>
#include <stdint.h>

#include "recorder.h"

/* seen[phase][abi][nr]: was the syscall made (the kind bits masked off). */
typedef uint8_t osr_phases_t[OSR_PHASE_COUNT][OSR_ABI_COUNT][OSR_MAX_SYSCALLS];

/* The values of one (ABI or profile, kind), each once, in ascending order. */
struct arg_values {
	bool any; /* not all were kept: the syscall takes any value */
	unsigned int n;
	uint64_t v[OSR_ARG_VALUES * OSR_ABI_COUNT + 16]; /* room for a union over ABIs */
};

/* What a recording saw, as a profile is built from it. */
struct recording {
	osr_phases_t seen;
	struct arg_values args[OSR_ABI_COUNT][OSR_ARG_KIND_COUNT];
	uint64_t overflow;   /* syscalls with numbers beyond the table */
	uint32_t unfollowed; /* tasks that could not be followed */
};

/*
 * Mark, in a new table, the syscalls whose arguments the program records, in
 * the phases a profile covers (their numbers resolved for each ABI by
 * libseccomp).
 */
void recording_prepare(struct osr_container *table);

/* What a profile is to allow: syscalls by ABI, and the values of the tabled ones. */
struct selection {
	uint8_t seen[OSR_ABI_COUNT][OSR_MAX_SYSCALLS];
	struct arg_values args[OSR_ABI_COUNT][OSR_ARG_KIND_COUNT]; /* any: without conditions */
	bool by_name[OSR_ARG_KIND_COUNT]; /* allowed by name, values or not: the spec's choice */
};

/* Read a table the program has finished with. */
void recording_read(const struct osr_container *table, struct recording *out);

/*
 * Whether the workload ran: a syscall was made after the runtime's exec of it
 * (in the workload phase). Without one the container never started (its
 * entrypoint could not be executed, the runtime failed before its exec), and
 * the recording holds only a setup that was cut short: no profile is made of it.
 */
bool recording_workload_ran(const struct osr_container *table);

/* Add a value once (keeping the order); -E2BIG when there is no room (then any is set). */
int arg_values_add(struct arg_values *s, uint64_t v);
/* Add every value of src; src->any makes dst->any. */
void arg_values_union(struct arg_values *dst, const struct arg_values *src);

#endif
