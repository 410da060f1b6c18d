/* SPDX-License-Identifier: GPL-2.0-only */
/* The census of the node's recordings and its limits: see bpfcensus.c. */
#ifndef OSR_BPFCENSUS_H
#define OSR_BPFCENSUS_H

#include <stdbool.h>

#include "bpfmaps.h"
#include "util.h"

struct census_state;

struct census {
	unsigned int total;	      /* recordings on the node */
	unsigned int tenant;	      /* of them, the tenant's */
	unsigned int tenant_counting; /* of those, how many count (have a `stats` entry) */
	bool removed;		      /* whether dead tracers' recordings were taken out */
	bool slot_used[OSR_STATIC_TABLES];
	bool count_slot_used[OSR_MAX_COUNTING];
};

/* The counts, kept by every holder of the node lock for the next: see bpfcensus.c. */
#define OSR_CENSUS_FILE "/run/oci-seccomp-recorder." OSR_BPF_ABI ".census"

/*
 * Just after the node lock is taken, with the maps open: map the counts and
 * trust them, or count them (and sync the index) again if the last holder
 * died holding the lock or they are of other maps. Marks them being changed.
 */
int share_census_lock(struct bpf_share *bs, struct osr_err *err);
/* Just before the node lock is let go: the counts say what the maps hold. */
void share_census_unlock(struct bpf_share *bs);
void share_census_unmap(struct bpf_share *bs);
/* A recording just put in or taken out of `recordings` (lock held); counting: has `stats`. */
void share_census_add(const struct bpf_share *bs, const struct osr_recording *rec, bool counting);
void share_census_drop(const struct bpf_share *bs, const struct osr_recording *rec, bool counted);
/* Take recording id out of every map, the index and the census (lock held). */
void share_remove(const struct bpf_share *bs, uint32_t id, const struct osr_recording *rec);

/*
 * The counts (with the lock held), all and the tenant's: O(1). With collect,
 * first take out the recordings whose tracer died (killed: their namespace
 * may be reused); that reads /proc for each, so it is done only when a limit
 * is reached or a key is held.
 */
void share_census(const struct bpf_share *bs, const char *tenant, bool collect, struct census *c);
/* Where the limits are reached: the message says which, with the numbers. */
int share_over_limits(const struct census *c, const struct share_request *req, bool counting,
		      struct osr_err *err);

#endif
