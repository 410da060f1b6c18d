/* SPDX-License-Identifier: GPL-2.0-only */
/* The namespace index and a recording's keys in the targets maps: see bpfindex.c. */
#ifndef OSR_BPFINDEX_H
#define OSR_BPFINDEX_H

#include <stdint.h>

#include "bpfmaps.h"

/* Make the mmapped index say what the targets maps say (lock held). */
void share_index_sync(const struct bpf_share *bs);

/* Stop recording rec (lock held): its key out of its targets map; the caller syncs the index. */
void share_unkey(const struct bpf_share *bs, const struct osr_recording *rec);

/* Take recording id out of every map (lock held); the caller syncs the index. */
void share_remove(const struct bpf_share *bs, uint32_t id, const struct osr_recording *rec);

#endif
