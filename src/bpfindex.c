// SPDX-License-Identifier: GPL-2.0-only
/*
 * The namespace index: a mmapped copy of the targets maps the program reads
 * without a map lookup helper (recorder.h says how), kept in step by the
 * tracers, with the lock held: one entry changed as a recording enters or
 * leaves, so what a start holds the lock for does not grow with the node's
 * recordings; a whole sync only when a holder died mid-change (bpfcensus.c).
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

/* The bucket of key in the index of its kind (PID or mount namespaces). */
static struct osr_index_entry *key_bucket(const struct bpf_share *bs, bool by_mntns, uint32_t key)
{
	return by_mntns ? bs->index->mntns[osr_index_bucket(key)]
			: bs->index->pidns[osr_index_bucket(key)];
}

/* Bumped after every change: every CPU's hint from before is stale now. */
static void index_changed(const struct bpf_share *bs)
{
	__atomic_store_n(&bs->index->gen, bs->index->gen + 1, __ATOMIC_RELEASE);
}

/*
 * One entry added to the index for a key just entered in its targets map
 * (lock held): into a free way of its bucket (loc first, then inode), or
 * counted as spilled if the bucket is full. What a full sync would do for it,
 * without walking every bucket and target.
 */
void share_index_add(const struct bpf_share *bs, bool by_mntns, uint32_t key, uint32_t loc)
{
	struct osr_index_entry *bucket = key_bucket(bs, by_mntns, key);
	struct osr_index_entry *free = NULL;

	for (int w = 0; w < OSR_INDEX_WAYS && !free; w++)
		if (!bucket[w].inum)
			free = &bucket[w];
	if (free) {
		free->loc = loc;
		__atomic_store_n(&free->inum, key, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&bs->index->spilled, bs->index->spilled + 1, __ATOMIC_RELEASE);
	}
	if (by_mntns)
		__atomic_store_n(&bs->index->mntns_count, bs->index->mntns_count + 1,
				 __ATOMIC_RELEASE);
	index_changed(bs);
}

/* The entry of a key just taken out of its targets map (lock held): cleared, or one spill less. */
static void index_del(const struct bpf_share *bs, bool by_mntns, uint32_t key)
{
	struct osr_index_entry *bucket = key_bucket(bs, by_mntns, key);
	bool found = false;

	for (int w = 0; w < OSR_INDEX_WAYS && !found; w++) {
		found = bucket[w].inum == key;
		if (found)
			__atomic_store_n(&bucket[w].inum, 0, __ATOMIC_RELEASE);
	}
	if (!found && bs->index->spilled)
		__atomic_store_n(&bs->index->spilled, bs->index->spilled - 1, __ATOMIC_RELEASE);
	if (by_mntns && bs->index->mntns_count)
		__atomic_store_n(&bs->index->mntns_count, bs->index->mntns_count - 1,
				 __ATOMIC_RELEASE);
	index_changed(bs);
}

/* Stop recording rec (with the lock held), in the map and the index. */
void share_unkey(const struct bpf_share *bs, const struct osr_recording *rec)
{
	int fd = share_targets_fd(bs, rec->by_mntns);
	uint32_t held_loc;

	/* The key only if it still leads to rec's table: a later recording may hold it now. */
	if (bpf_map_lookup_elem(fd, &rec->key, &held_loc) == 0 && held_loc == rec->loc &&
	    bpf_map_delete_elem(fd, &rec->key) == 0)
		index_del(bs, rec->by_mntns, rec->key);
}
