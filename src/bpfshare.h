/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_BPFSHARE_H
#define OSR_BPFSHARE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpfmaps.h"
#include "recorder.h"
#include "util.h"

/*
 * Enter a recording: (load and pin the program if needed,) make its table from
 * hdr (its id and start time written in) under a new id and enter it under the inode of the
 * namespace of the request's pid (kept open until it leaves, so no other namespace gets it).
 * With hdr->counting set, its `stats` entry and counting slot are made too
 * (hdr->counting becomes the slot + 1). Recording starts on
 * return. Fails with -EBUSY when the node holds OSR_MAX_RECORDINGS, or
 * OSR_MAX_COUNTING counting ones and hdr->counting is set, -EDQUOT when the
 * tenant holds its quota, -EEXIST when the key is being recorded.
 */
int bpf_share_enter(struct bpf_share *bs, const struct share_request *req,
		    struct osr_container *hdr, struct osr_err *err);

/*
 * Leave: remove the entry (recording stops) and copy the final table into out
 * and its counts into stats (each if not NULL; -ENOENT if stats is asked of a
 * recording that did not count). The last container out detaches the program
 * and leaves it loaded for linger_s seconds (bpfidle.c).
 */
int bpf_share_leave(struct bpf_share *bs, struct osr_container *out, struct osr_stats *stats);
void bpf_share_close(struct bpf_share *bs);
/* The times of bpf_share_enter()'s steps, as text for --debug. */
void bpf_share_times_text(const struct bpf_share *bs, char *buf, size_t size);

/*
 * Remove the recordings of tracers that died (and the program, if that leaves
 * it with none): poststop calls it when it finds its tracer killed.
 */
void bpf_share_collect(int linger_s);

/*
 * Copy the table of a running recording, found by namespace, for `report`
 * (-ENOENT: not being recorded), and its counts if stats is not NULL
 * (-ENODATA: it does not count).
 */
int bpf_share_find(uint32_t key, bool by_mntns, struct osr_container *out, struct osr_stats *stats);

#endif
