// SPDX-License-Identifier: GPL-2.0-only
/*
 * The namespace index: a mmapped copy of the targets maps the program reads
 * without a map lookup helper (recorder.h says how), kept in step by the
 * tracers, with the lock held, whenever a recording enters or leaves.
 */
#include <bpf/bpf.h>

#include "bpfindex.h"

/*
 * Make one kind of the index say what its hash map says (with the lock held):
 * entries gone from the map are cleared, the map's entries missing from their
 * bucket are added (loc first, then inode, so the program never reads a
 * half-written entry) or, their bucket full, counted as spilled.
 */
static void index_sync_kind(struct osr_index_entry (*kind)[OSR_INDEX_WAYS], int fd,
			    uint32_t *spilled, uint32_t *count)
{
	uint32_t key, next, *prev = NULL, loc;

	for (int b = 0; b < OSR_INDEX_BUCKETS; b++)
		for (int w = 0; w < OSR_INDEX_WAYS; w++) {
			struct osr_index_entry *e = &kind[b][w];

			if (e->inum &&
			    (bpf_map_lookup_elem(fd, &e->inum, &loc) < 0 || loc != e->loc))
				__atomic_store_n(&e->inum, 0, __ATOMIC_RELEASE);
		}
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct osr_index_entry *bucket = kind[osr_index_bucket(next)], *free = NULL;
		bool found = false;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &loc) < 0)
			continue;
		(*count)++;
		for (int w = 0; w < OSR_INDEX_WAYS && !found; w++) {
			found = bucket[w].inum == key;
			if (!bucket[w].inum && !free)
				free = &bucket[w];
		}
		if (found)
			continue;
		if (!free) {
			(*spilled)++;
			continue;
		}
		free->loc = loc;
		__atomic_store_n(&free->inum, key, __ATOMIC_RELEASE);
	}
}

void share_index_sync(const struct bpf_share *bs)
{
	uint32_t spilled = 0, pidns = 0, mntns = 0;

	index_sync_kind(bs->index->pidns, bs->fds[OSR_MAP_PIDNS_TARGETS], &spilled, &pidns);
	index_sync_kind(bs->index->mntns, bs->fds[OSR_MAP_MNTNS_TARGETS], &spilled, &mntns);
	__atomic_store_n(&bs->index->spilled, spilled, __ATOMIC_RELEASE);
	__atomic_store_n(&bs->index->mntns_count, mntns, __ATOMIC_RELEASE);
	/* Last: every CPU's hint from before is stale now. */
	__atomic_store_n(&bs->index->gen, bs->index->gen + 1, __ATOMIC_RELEASE);
}

/* Stop recording rec (with the lock held): the index is synced by the caller. */
void share_unkey(const struct bpf_share *bs, const struct osr_recording *rec)
{
	int fd = share_targets_fd(bs, rec->by_mntns);
	uint32_t held_loc;

	/* The key only if it still leads to rec's table: a later recording may hold it now. */
	if (bpf_map_lookup_elem(fd, &rec->key, &held_loc) == 0 && held_loc == rec->loc)
		bpf_map_delete_elem(fd, &rec->key);
}

/* Take a recording out of every map (with the lock held); the index is synced by the caller. */
void share_remove(const struct bpf_share *bs, uint32_t id, const struct osr_recording *rec)
{
	uint32_t table_key;
	int fd;

	share_unkey(bs, rec);
	/* An array slot stays: the next recording in it writes it whole. */
	fd = share_table_fd(bs, rec->loc, &table_key);
	if (rec->loc & OSR_LOC_HASH)
		bpf_map_delete_elem(fd, &table_key);
	bpf_map_delete_elem(bs->fds[OSR_MAP_STATS], &id); /* if it counted */
	bpf_map_delete_elem(bs->fds[OSR_MAP_RECORDINGS], &id);
}
