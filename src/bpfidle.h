/* SPDX-License-Identifier: GPL-2.0-only */
/* The program between recordings, loaded once and kept detached: see bpfidle.c. */
#ifndef OSR_BPFIDLE_H
#define OSR_BPFIDLE_H

#include "bpfmaps.h"
#include "util.h"

/* Serialises loading and unloading; taken before the node lock, never inside it. */
#define OSR_BPF_LOAD_LOCK "/run/oci-seccomp-recorder.load.lock"
/*
 * Held by the one process waiting to unload an idle program: one per ABI, as
 * each ABI's program is its own (a waiter of another version, during an
 * upgrade, must not keep this one's from being waited for).
 */
#define OSR_BPF_LINGER_LOCK "/run/oci-seccomp-recorder." OSR_BPF_ABI ".linger.lock"

/* Load and pin the program unless another start has (load lock held, node lock not). */
int share_load_once(struct bpf_share *bs, struct osr_err *err);
/* After the last one out detached it (node lock released): unload now, later or never. */
void share_after_detach(const struct bpf_share *bs);

/*
 * Unload the detached program now if nothing has been recorded for
 * min_idle_s seconds (0: whenever nothing is); -EBUSY if something is.
 */
int bpf_share_unload_idle(int min_idle_s);

#endif
