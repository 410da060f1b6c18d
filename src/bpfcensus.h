/* SPDX-License-Identifier: GPL-2.0-only */
/* The census of the node's recordings and its limits: see bpfcensus.c. */
#ifndef OSR_BPFCENSUS_H
#define OSR_BPFCENSUS_H

#include <stdbool.h>

#include "bpfmaps.h"
#include "util.h"

struct census {
	unsigned int total;	      /* recordings on the node */
	unsigned int tenant;	      /* of them, the tenant's */
	unsigned int tenant_counting; /* of those, how many count (have a `stats` entry) */
	bool removed;		      /* whether dead tracers' recordings were taken out */
	bool slot_used[OSR_STATIC_TABLES];
	bool count_slot_used[OSR_MAX_COUNTING];
};

/*
 * Count the recordings (with the lock held), all and the tenant's. With
 * collect, first take out those whose tracer died (killed: their namespace may
 * be reused); that reads /proc for each, so it is done only when a limit is
 * reached or a key is held.
 */
void share_census(const struct bpf_share *bs, const char *tenant, bool collect, struct census *c);
/* Where the limits are reached: the message says which, with the numbers. */
int share_over_limits(const struct census *c, const struct share_request *req, bool counting,
		      struct osr_err *err);

#endif
