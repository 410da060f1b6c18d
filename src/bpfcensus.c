// SPDX-License-Identifier: GPL-2.0-only
/*
 * The census of the node's recordings, and the limits it is held to: the
 * node's, a tenant's quota and its share of the counting slots. Recordings of
 * tracers that died are collected here.
 */
#include <string.h>
#include <bpf/bpf.h>

#include "bpfcensus.h"
#include "bpfindex.h"
#include "bpfload.h"
#include "proc.h"

static bool tracer_alive(const struct osr_recording *rec)
{
	unsigned long long start;

	return proc_start_time((pid_t)rec->tracer_pid, &start) == 0 && start == rec->tracer_start;
}

/* The ids of the recordings that count: the keys of `stats`, at most OSR_MAX_COUNTING. */
static unsigned int counting_ids(const struct bpf_share *bs, uint32_t *ids)
{
	uint32_t id, next, *prev = NULL;
	unsigned int n = 0;

	while (n < OSR_MAX_COUNTING &&
	       bpf_map_get_next_key(bs->fds[OSR_MAP_STATS], prev, &next) == 0) {
		id = next;
		prev = &id;
		ids[n++] = id;
	}
	return n;
}

static bool id_in(const uint32_t *ids, unsigned int n, uint32_t id)
{
	for (unsigned int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

void share_census(const struct bpf_share *bs, const char *tenant, bool collect, struct census *c)
{
	uint32_t id, next, *prev = NULL, ids[OSR_MAX_COUNTING];
	struct osr_recording rec;
	unsigned int nids;

	memset(c, 0, sizeof(*c));
	nids = counting_ids(bs, ids);
	while (bpf_map_get_next_key(bs->fds[OSR_MAP_RECORDINGS], prev, &next) == 0) {
		id = next;
		prev = &id;
		if (bpf_map_lookup_elem(bs->fds[OSR_MAP_RECORDINGS], &id, &rec) < 0)
			continue;
		if (collect && !tracer_alive(&rec)) {
			share_remove(bs, id, &rec);
			c->removed = true;
			c->total = c->tenant = c->tenant_counting = 0;
			memset(c->slot_used, 0, sizeof(c->slot_used));
			memset(c->count_slot_used, 0, sizeof(c->count_slot_used));
			prev = NULL; /* the walk starts over after a deletion */
			continue;
		}
		c->total++;
		if (!(rec.loc & OSR_LOC_HASH) && rec.loc && rec.loc <= OSR_STATIC_TABLES)
			c->slot_used[rec.loc - 1] = true;
		if (rec.count_slot && rec.count_slot <= OSR_MAX_COUNTING)
			c->count_slot_used[rec.count_slot - 1] = true;
		if (tenant && *tenant && !strncmp(rec.tenant, tenant, sizeof(rec.tenant))) {
			c->tenant++;
			c->tenant_counting += id_in(ids, nids, id);
		}
	}
	if (c->removed)
		share_index_sync(bs);
}

/*
 * A tenant's share of the counting slots: the share of the recordings its
 * quota gives it (16 of 64 by default), at least 1, so one namespace or user
 * cannot take all 64 and keep every other's `stats:` out.
 */
static unsigned int counting_quota(unsigned int quota)
{
	unsigned long q = ((unsigned long)quota * OSR_MAX_COUNTING + OSR_MAX_RECORDINGS - 1) /
			  OSR_MAX_RECORDINGS;

	return q < 1 ? 1 : q > OSR_MAX_COUNTING ? OSR_MAX_COUNTING : (unsigned int)q;
}

/* Where the limits are reached: the message says which, with the numbers. */
int share_over_limits(const struct census *c, const struct share_request *req, bool counting,
		      struct osr_err *err)
{
	bool user = req->tenant &&
		    !strncmp(req->tenant, OSR_TENANT_UID_PREFIX, strlen(OSR_TENANT_UID_PREFIX));
	/* Unconfined, the namespace annotation is anybody's: escaped. */
	struct osr_esc e;

	if (c->total >= OSR_MAX_RECORDINGS)
		return osr_fail(err, -EBUSY,
				"%u containers are being recorded on this node already, the most it "
				"can record at once",
				c->total);
	/* Tenants are Kubernetes namespaces, or users of the recording service. */
	if (req->tenant && *req->tenant && c->tenant >= req->quota &&
	    !strncmp(req->tenant, OSR_TENANT_UID_PREFIX, strlen(OSR_TENANT_UID_PREFIX)))
		return osr_fail(err, -EDQUOT,
				"uid %s has %u containers being recorded on this node already, its "
				"quota (--max-per-user %u)",
				req->tenant + strlen(OSR_TENANT_UID_PREFIX), c->tenant, req->quota);
	if (req->tenant && *req->tenant && c->tenant >= req->quota)
		return osr_fail(err, -EDQUOT,
				"namespace '%s' has %u containers being recorded on this node "
				"already, its quota (--max-per-namespace %u)",
				osr_escape(req->tenant, SIZE_MAX, &e), c->tenant, req->quota);
	if (counting && req->tenant && *req->tenant &&
	    c->tenant_counting >= counting_quota(req->quota))
		return osr_fail(err, -EDQUOT,
				"%s '%s' has %u recordings counting on this node already, its "
				"share of the node's %d counting slots (as %s %u is of its %d "
				"recordings); record without stats, or when one of them has "
				"finished",
				user ? "uid" : "namespace",
				user ? req->tenant + strlen(OSR_TENANT_UID_PREFIX)
				     : osr_escape(req->tenant, SIZE_MAX, &e),
				c->tenant_counting, OSR_MAX_COUNTING,
				user ? "--max-per-user" : "--max-per-namespace", req->quota,
				OSR_MAX_RECORDINGS);
	return 0;
}
