/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_COUNTS_H
#define OSR_COUNTS_H

/*
 * A recording's syscall counts as people see them: read from the kernel
 * (counts_read()) or from a stats file, written as
 * one, shown as a table. The stats file's shape is in the man page:
 *
 *   {"container": "ID" or null,
 *    "syscalls": [{"name": "read", "nr": 0, "abi": "SCMP_ARCH_X86_64",
 *                  "phase": "workload", "count": 12, "first_seen_ns": 4051},
 *                 ...],   (by count, most first)
 *    "total": 12}
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

/* A stats file is at most this large: 9216 (phase, ABI, syscall) entries of ~120 bytes. */
#define OSR_STATS_MAX (4u << 20)

/* One (phase, ABI, syscall) a recording made. */
struct count_entry {
	char name[48]; /* libseccomp's, or "nr_N" for a number it has no name for */
	int nr;
	uint32_t arch; /* libseccomp's token of the ABI */
	int phase;     /* enum osr_phase */
	uint64_t count;
	uint64_t first_ns; /* the first call, in ns after recording began */
};

struct counts {
	char *container; /* the OCI id, or NULL (record) */
	struct count_entry *v;
	size_t n;
	uint64_t total;
};

void counts_free(struct counts *c);

/* Add an entry (the total too); -ENOMEM, or -EOVERFLOW if the total would pass INT64_MAX. */
int counts_add(struct counts *c, const struct count_entry *e);

/* Most made first; equal counts by first seen, then name. */
void counts_sort(struct counts *c);

/* The stats file's text (pretty JSON, a trailing newline), malloc'd; NULL when out of memory. */
char *counts_render(const struct counts *c);

/* Parse a stats file's text, every field checked; what names it in messages. */
int counts_parse(const char *text, size_t len, const char *what, struct counts *out,
		 struct osr_err *err);

/*
 * Read the counts of a recording that counted (its table and its `stats`
 * entry) into out: an entry per (phase, ABI, syscall) made, named, its first
 * call's time since the recording began, most made first. -ENOMEM, or
 * -EOVERFLOW as counts_add().
 */
struct osr_container;
struct osr_stats;
int counts_read(const struct osr_container *table, const struct osr_stats *stats,
		struct counts *out);

/* Read a stats file a person names (as given, as cp would). */
int counts_load(const char *path, struct counts *out, struct osr_err *err);

/*
 * Write the stats file of a recording that counted (its final table and
 * counts) to its target (target.h), atomically.
 */
struct osr_container;
struct osr_stats;
struct output_target;
int counts_save(const struct osr_container *table, const struct osr_stats *stats,
		const char *container, const struct output_target *t, struct osr_err *err);

/* The table `report --counts` prints: name, count, share, first seen, phase, ABI. */
void counts_print(FILE *f, const struct counts *c);

/*
 * How many times name was made in the phases a profile covers (under the
 * filter and the workload's), any ABI.
 */
uint64_t counts_in_profile(const struct counts *c, const char *name);

#endif
