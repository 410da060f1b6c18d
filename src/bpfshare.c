// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF program every recorded container on a node shares. One program on
 * the tracepoint, whatever the number of containers, keeps the cost of a
 * syscall flat; each tracer still owns its container's table and can die
 * alone. One lock file for the node (the pins are the node's, whatever run
 * directory a hook is given) serialises entering and leaving. This file
 * enters, leaves and finds recordings; bpfmaps.h says where the rest is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <bpf/bpf.h>

#include "bpfcensus.h"
#include "bpfidle.h"
#include "bpfindex.h"
#include "bpfload.h"
#include "bpfshare.h"
#include "recording.h"
#include "log.h"
#include "proc.h"

static bool detach_if_empty(const struct bpf_share *bs);

/* An id no recording has (with the lock held): ids go up, so none is reused. */
static uint32_t new_id(const struct bpf_share *bs)
{
	struct osr_recording rec;
	uint32_t id = bs->index->next_id;

	for (int tries = 0; tries <= OSR_MAX_RECORDINGS; tries++, id++) {
		/* Below OSR_LOC_HASH: an id is a loc too, with that bit. */
		if (id == 0 || (id & OSR_LOC_HASH))
			id = 1;
		if (bpf_map_lookup_elem(bs->fds[OSR_MAP_RECORDINGS], &id, &rec) < 0)
			break;
	}
	bs->index->next_id = id + 1;
	return id;
}

/*
 * Hold the namespace the recording is keyed on open until it leaves: while a
 * namespace lives, the kernel gives its inode to no other, so a container
 * whose processes all left it (exec unshare -m) never lends its key to a
 * namespace made later.
 */
static int hold_namespace(struct bpf_share *bs, pid_t pid, struct osr_err *err)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, bs->by_mntns ? "mnt" : "pid");
	bs->ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (bs->ns_fd < 0 || fstat(bs->ns_fd, &st) < 0)
		return osr_fail(err, -errno, "cannot open the container's namespace '%s': %s", path,
				osr_strerror(errno));
	bs->key = (uint32_t)st.st_ino;
	return 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The counts of a new recording, zeroed (with the lock held): its `stats`
 * entry and a free counting slot, whose number goes in its table and its
 * recording (*slot, + 1). Made before its table, so the program never counts
 * into a stale entry; share_census() removes the entry with the recording,
 * and frees its slot.
 */
static int add_stats(const struct bpf_share *bs, const struct census *cen, uint32_t *slot,
		     struct osr_err *err)
{
	_cleanup_free_ struct osr_stats *zero = calloc(1, sizeof(*zero));
	uint32_t key, next, *prev = NULL, n = 0, k;

	if (!zero)
		return osr_fail(err, -ENOMEM, "out of memory");
	for (k = 0; k < OSR_MAX_COUNTING && cen->count_slot_used[k]; k++)
		;
	if (k < OSR_MAX_COUNTING &&
	    bpf_map_update_elem(bs->fds[OSR_MAP_STATS], &bs->id, zero, BPF_NOEXIST) == 0) {
		/* A struct osr_counts is the head of a struct osr_stats' size: zeroes both. */
		*slot = k + 1;
		if (bpf_map_update_elem(bs->fds[OSR_MAP_COUNTS], &k, zero, BPF_ANY) == 0)
			return 0;
		return osr_fail(err, -errno, "cannot zero counting slot %u in the BPF map: %s", k,
				osr_strerror(errno));
	}
	if (k < OSR_MAX_COUNTING && errno != E2BIG)
		return osr_fail(err, -errno, "cannot make the recording's counts in the BPF map: %s",
				osr_strerror(errno));
	while (bpf_map_get_next_key(bs->fds[OSR_MAP_STATS], prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	return osr_fail(err, -EBUSY,
			"%u recordings are counting already on this node, the most that can at "
			"once; record without stats, or when one of them has finished",
			n);
}

/* Make the recording's table and entries (with the lock held); c: the census. */
static int add_recording(struct bpf_share *bs, const struct share_request *req,
			 struct osr_container *hdr, const struct census *cen, struct osr_err *err)
{
	struct osr_recording rec = { .key = bs->key, .by_mntns = req->by_mntns };
	unsigned long long start;
	uint32_t table_key, slot;
	struct census c;
	int r, fd;

	rec.tracer_pid = (uint32_t)getpid();
	r = proc_start_time(getpid(), &start);
	if (r < 0)
		return osr_fail(err, r, "cannot read the tracer's own start time: %s",
				osr_strerror(-r));
	rec.tracer_start = start;
	if (req->tenant)
		snprintf(rec.tenant, sizeof(rec.tenant), "%s", req->tenant);
	bs->id = new_id(bs);
	hdr->id = bs->id;
	hdr->start_ns = monotonic_ns();
	r = hdr->counting ? add_stats(bs, cen, &rec.count_slot, err) : 0;
	if (r < 0)
		return r;
	hdr->counting = rec.count_slot;
	/* A free slot of the array if there is one: its lookups cost nothing. */
	for (slot = 0; slot < OSR_STATIC_TABLES && cen->slot_used[slot]; slot++)
		;
	bs->loc = rec.loc = slot < OSR_STATIC_TABLES ? slot + 1 : (bs->id | OSR_LOC_HASH);
	fd = share_table_fd(bs, bs->loc, &table_key);
	r = bpf_map_update_elem(fd, &table_key, hdr,
				(bs->loc & OSR_LOC_HASH) ? BPF_NOEXIST : BPF_ANY);
	if (r < 0 ||
	    bpf_map_update_elem(bs->fds[OSR_MAP_RECORDINGS], &bs->id, &rec, BPF_NOEXIST) < 0) {
		r = -errno;
		share_remove(bs, bs->id, &rec);
		return osr_fail(err, r, "cannot make the recording's table in the BPF maps: %s",
				osr_strerror(-r));
	}
	share_census_add(bs, &rec, hdr->counting);
	/* The table is made before it is entered: the program never sees a stale one. */
	r = bpf_map_update_elem(share_targets_fd(bs, bs->by_mntns), &bs->key, &bs->loc, BPF_NOEXIST);
	if (r < 0 && errno == EEXIST) {
		/* Held by a recording whose tracer was killed? Take those out and try again. */
		share_census(bs, NULL, true, &c);
		r = bpf_map_update_elem(share_targets_fd(bs, bs->by_mntns), &bs->key, &bs->loc,
					BPF_NOEXIST);
	}
	if (r < 0) {
		r = -errno;
		share_remove(bs, bs->id, &rec);
		return osr_fail(err, r,
				r == -EEXIST
					? "the container's %s namespace %u is being recorded already"
					: "cannot enter the %s namespace %u in the BPF map: %s",
				bs->by_mntns ? "mount" : "PID", bs->key, osr_strerror(-r));
	}
	share_index_add(bs, bs->by_mntns, bs->key, bs->loc);
	return 0;
}

static void step(const struct share_request *req, enum share_step st)
{
	if (req->on_step)
		req->on_step(st, req->step_arg);
}

static uint64_t since_us(uint64_t *t)
{
	uint64_t now = monotonic_ns() / 1000, d = now - *t;

	*t = now;
	return d;
}

/*
 * Take the node lock with the program's maps open: loaded by another start,
 * or by this one (outside the node lock, so the starts queued on it wait
 * only for the few map updates each holds it for; a start that finds another
 * loading waits on the load lock for that load instead of making its own).
 */
static int lock_loaded(struct bpf_share *bs, const struct share_request *req, struct osr_err *err)
{
	uint64_t t = monotonic_ns() / 1000;
	int lock, r;

	for (int tries = 0;; tries++) {
		step(req, SHARE_STEP_LOCK);
		lock = share_lock(OSR_BPF_LOCK);
		if (lock < 0)
			return osr_fail(err, lock, "cannot lock '%s': %s", OSR_BPF_LOCK,
					osr_strerror(-lock));
		bs->times.lock_us += since_us(&t);
		if (bs->private_links[0] >= 0)
			return lock; /* a program of our own: no bpffs */
		/* Opened again under the lock: the one loaded may have been unloaded since. */
		share_close_maps(bs);
		if (share_open_pinned(bs) == 0) {
			bs->pinned = true;
			return lock;
		}
		close(lock);
		/* Unloaded each time between the load and the lock: an idle node's race, bounded. */
		if (tries == 3)
			return osr_fail(err, -EAGAIN,
					"the BPF program was unloaded as it was loaded");
		step(req, SHARE_STEP_LOAD);
		r = share_load_once(bs, err);
		bs->times.load_us += since_us(&t);
		if (r < 0)
			return r;
	}
}

int bpf_share_enter(struct bpf_share *bs, const struct share_request *req,
		    struct osr_container *hdr, struct osr_err *err)
{
	_cleanup_close_ int lock = -1;
	struct census c;
	uint64_t t;
	int r;

	share_init(bs, req->by_mntns);
	bs->linger_s = req->linger_s;
	bs->shell_parent = req->shell_parent;
	/* Per container but the same for all: done before the lock, not under it. */
	recording_prepare(hdr);
	r = share_variant_check(err);
	if (r >= 0)
		r = hold_namespace(bs, req->pid, err);
	if (r < 0)
		goto fail;
	lock = lock_loaded(bs, req, err);
	if (lock < 0) {
		r = lock;
		goto fail;
	}
	t = monotonic_ns() / 1000;
	r = share_census_lock(bs, err);
	if (r < 0)
		goto fail;
	step(req, SHARE_STEP_ATTACH);
	r = bs->pinned ? share_attach(bs, err) : 0;
	bs->times.attach_us = since_us(&t);
	if (r < 0)
		goto fail;
	step(req, SHARE_STEP_ENTER);
	share_census(bs, req->tenant, false, &c);
	if (share_over_limits(&c, req, hdr->counting, NULL) < 0)
		share_census(bs, req->tenant, true, &c);
	r = share_over_limits(&c, req, hdr->counting, err);
	if (r >= 0)
		r = add_recording(bs, req, hdr, &c, err);
	if (r < 0)
		goto fail;
	bs->entered = true;
	share_census_unlock(bs);
	bs->times.enter_us = since_us(&t);
	return 0;
fail:
	share_census_unlock(bs);
	if (lock >= 0 && detach_if_empty(bs)) {
		close(take_fd(&lock));
		share_after_detach(bs);
	}
	bpf_share_close(bs);
	return r;
}

/*
 * The last one out detaches the program (called with the lock held): with
 * nothing recorded, no syscall on the node runs it. It stays loaded for the
 * next start (share_after_detach()). True if it did.
 */
static bool detach_if_empty(const struct bpf_share *bs)
{
	uint32_t key;

	if (bs->pinned && bs->fds[OSR_MAP_RECORDINGS] >= 0 &&
	    bpf_map_get_next_key(bs->fds[OSR_MAP_RECORDINGS], NULL, &key) < 0 && errno == ENOENT &&
	    share_attached(bs)) {
		share_detach(bs);
		return true;
	}
	return false;
}

/*
 * The counts of recording id, its counting slot + 1 given (-ENOENT: it does
 * not count): its `stats` entry with its slot's native counts put in.
 */
static int read_stats(const struct bpf_share *bs, uint32_t id, uint32_t slot,
		      struct osr_stats *stats)
{
	_cleanup_free_ struct osr_counts *native = malloc(sizeof(*native));
	uint32_t k = slot - 1;

	if (!slot || slot > OSR_MAX_COUNTING)
		return -ENOENT;
	if (!native)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bs->fds[OSR_MAP_STATS], &id, stats) < 0 ||
	    bpf_map_lookup_elem(bs->fds[OSR_MAP_COUNTS], &k, native) < 0)
		return -errno;
	for (int p = 0; p < OSR_PHASE_COUNT; p++)
		memcpy(stats->count[p][OSR_ABI_NATIVE], native->count[p], sizeof(native->count[p]));
	return 0;
}

int bpf_share_leave(struct bpf_share *bs, struct osr_container *out, struct osr_stats *stats)
{
	_cleanup_close_ int lock = -1;
	struct osr_recording rec;
	int r = 0;

	if (!bs->entered)
		return -ENOENT;
	/*
	 * Never change the node's maps without the lock: another tracer may be
	 * entering. The recording stays entered, and is collected once this
	 * tracer is gone.
	 */
	lock = share_lock(OSR_BPF_LOCK);
	if (lock < 0)
		return lock;
	/* Failing, it leaves the counts to be made again by the next holder: go on. */
	share_census_lock(bs, NULL);
	bs->entered = false;
	/* Only our own recording: a collection after we were thought dead may have taken it. */
	if (bpf_map_lookup_elem(bs->fds[OSR_MAP_RECORDINGS], &bs->id, &rec) < 0 ||
	    rec.tracer_pid != (uint32_t)getpid()) {
		r = -ENOENT;
		goto out;
	}
	/* Read once the entry is gone: what is read is then final. */
	share_unkey(bs, &rec);
	{
		uint32_t table_key;
		int fd = share_table_fd(bs, rec.loc, &table_key);

		if (out && bpf_map_lookup_elem(fd, &table_key, out) < 0)
			r = -errno;
		if (r >= 0 && stats)
			r = read_stats(bs, bs->id, rec.count_slot, stats);
	}
	share_remove(bs, bs->id, &rec);
out:
	share_census_unlock(bs);
	if (detach_if_empty(bs)) {
		close(take_fd(&lock));
		share_after_detach(bs);
	}
	return r;
}

void bpf_share_times_text(const struct bpf_share *bs, char *buf, size_t size)
{
	snprintf(buf, size, "lock wait %.1f ms, load %.1f ms, attach %.1f ms, enter %.1f ms",
		 bs->times.lock_us / 1000.0, bs->times.load_us / 1000.0,
		 bs->times.attach_us / 1000.0, bs->times.enter_us / 1000.0);
}

void bpf_share_close(struct bpf_share *bs)
{
	share_close_maps(bs);
	for (size_t i = 0; i < OSR_LINK_COUNT; i++) {
		if (bs->private_links[i] >= 0)
			close(bs->private_links[i]);
		bs->private_links[i] = -1;
	}
	if (bs->ns_fd >= 0)
		close(bs->ns_fd);
	bs->ns_fd = -1;
	share_census_unmap(bs);
}

void bpf_share_collect(int linger_s)
{
	struct bpf_share bs;
	struct census c;
	_cleanup_close_ int lock = -1;

	share_init(&bs, false);
	lock = share_lock(OSR_BPF_LOCK);
	if (lock < 0 || share_open_pinned(&bs) < 0)
		return;
	bs.pinned = true;
	bs.linger_s = linger_s;
	if (share_census_lock(&bs, NULL) == 0) {
		share_census(&bs, NULL, true, &c);
		share_census_unlock(&bs);
		if (detach_if_empty(&bs)) {
			close(take_fd(&lock));
			share_after_detach(&bs);
		}
	}
	share_census_unmap(&bs);
	share_close_maps(&bs);
}

int bpf_share_find(uint32_t key, bool by_mntns, struct osr_container *out, struct osr_stats *stats)
{
	struct bpf_share bs;
	uint32_t loc;
	int r;

	share_init(&bs, by_mntns);
	r = share_open_pinned(&bs);
	if (r < 0)
		return r;
	if (bpf_map_lookup_elem(share_targets_fd(&bs, by_mntns), &key, &loc) < 0) {
		r = -ENOENT;
	} else {
		uint32_t table_key;
		int fd = share_table_fd(&bs, loc, &table_key);

		r = bpf_map_lookup_elem(fd, &table_key, out) < 0 ? -errno : 0;
		/* The table's id, not the loc: an array slot's loc is no recording's id. */
		if (r >= 0 && stats) {
			r = read_stats(&bs, out->id, out->counting, stats);
			if (r == -ENOENT)
				r = -ENODATA;
		}
	}
	share_close_maps(&bs);
	return r;
}
