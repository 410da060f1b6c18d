/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Between the files that make up the shared program (bpfshare.h is what the
 * rest uses): bpfload.c loads and pins it, bpfindex.c keeps the namespace
 * index, bpfcensus.c counts recordings against the limits, bpfshare.c enters,
 * leaves and finds them.
 *
 * Two numbers name a recording, never one for the other: its id (the key of
 * `recordings` and `stats`, in its table's header) and its loc (where its
 * table is, the value of the targets maps: OSR_LOC_HASH).
 */
#ifndef OSR_BPFSHARE_INT_H
#define OSR_BPFSHARE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfshare.h"

/* bpfload.c: every fd -1, the pins under this ABI's folder. */
void share_init(struct bpf_share *bs, bool by_mntns);
/* Open the pinned maps, if the program is there (-ENOENT: it is not). */
int share_open_pinned(struct bpf_share *bs);
/* Load and attach the program, pinned where a bpffs can be had (else bs's own). */
int share_load(struct bpf_share *bs, struct osr_err *err);
/* OSR_BPF_VARIANT names a build, or is unset: checked on every start, loading or not. */
int share_variant_check(struct osr_err *err);
void share_unpin_all(const struct bpf_share *bs);
/* Whether the programs are attached (their links pinned). */
bool share_attached(const struct bpf_share *bs);
/* Attach the pinned programs if they are not (node lock held). */
int share_attach(const struct bpf_share *bs, struct osr_err *err);
/* Unpin the links: the programs stay loaded, and run no more (node lock held). */
void share_detach(const struct bpf_share *bs);
/* Flock path (created 0600), waiting: the fd, or -errno. */
int share_lock(const char *path);

/* bpfidle.c: the program between recordings. */
/* Serialises loading and unloading; taken before the node lock, never inside it. */
#define OSR_BPF_LOAD_LOCK "/run/oci-seccomp-recorder.load.lock"
/* Held by the one process waiting to unload an idle program. */
#define OSR_BPF_LINGER_LOCK "/run/oci-seccomp-recorder.linger.lock"
/* Load and pin the program unless another start has (load lock held, node lock not). */
int share_load_once(struct bpf_share *bs, struct osr_err *err);
/* After the last one out detached it (node lock released): unload now, later or never. */
void share_after_detach(const struct bpf_share *bs);
void share_close_maps(struct bpf_share *bs);

/* The targets map a recording of this kind is entered in: namespace inode -> loc. */
static inline int share_targets_fd(const struct bpf_share *bs, bool by_mntns)
{
	return bs->fds[by_mntns ? OSR_MAP_MNTNS_TARGETS : OSR_MAP_PIDNS_TARGETS];
}

/* bpfindex.c: make the mmapped index say what the targets maps say (lock held). */
void share_index_sync(const struct bpf_share *bs);

/* bpfcensus.c */
struct census {
	unsigned int total;	      /* recordings on the node */
	unsigned int tenant;	      /* of them, the tenant's */
	unsigned int tenant_counting; /* of those, how many count (have a `stats` entry) */
	bool removed;		      /* whether dead tracers' recordings were taken out */
	bool slot_used[OSR_STATIC_TABLES];
};

/*
 * Count the recordings (with the lock held), all and the tenant's. With
 * collect, first take out those whose tracer died (killed: their namespace may
 * be reused); that reads /proc for each, so it is done only when a limit is
 * reached or a key is held.
 */
void share_census(const struct bpf_share *bs, const char *tenant, bool collect,
		  struct census *c);
/* Where the limits are reached: the message says which, with the numbers. */
int share_over_limits(const struct census *c, const struct share_request *req, bool counting,
		      struct osr_err *err);

/* bpfshare.c: take recording id out of every map (lock held); the caller syncs the index. */
void share_remove(const struct bpf_share *bs, uint32_t id, const struct osr_recording *rec);

#endif
