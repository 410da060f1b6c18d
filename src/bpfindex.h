/* SPDX-License-Identifier: GPL-2.0-only */
/* The namespace index and a recording's keys in the targets maps: see bpfindex.c. */
#ifndef OSR_BPFINDEX_H
#define OSR_BPFINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfmaps.h"

/* Make the mmapped index say what the targets maps say, walking them all (lock held). */
void share_index_sync(const struct bpf_share *bs);

/* Index one key just entered in its targets map (lock held): O(1). */
void share_index_add(const struct bpf_share *bs, bool by_mntns, uint32_t key, uint32_t loc);

/* Stop recording rec (lock held): its key out of its targets map and the index. */
void share_unkey(const struct bpf_share *bs, const struct osr_recording *rec);

#endif
