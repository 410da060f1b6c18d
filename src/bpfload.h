/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading the shared program and pinning it: see bpfload.c. */
#ifndef OSR_BPFLOAD_H
#define OSR_BPFLOAD_H

#include <stdbool.h>

#include "bpfmaps.h"
#include "util.h"

/* Every fd -1, the pins under this ABI's folder. */
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
/*
 * Unpin sys_enter's link: the programs stay loaded and no syscall runs them;
 * the fork and exit ones stay attached, once per task (node lock held).
 */
void share_detach(const struct bpf_share *bs);
void share_close_maps(struct bpf_share *bs);
/* Flock path (created 0600), waiting: the fd, or -errno. */
int share_lock(const char *path);

/*
 * Whether a kernel of this release (uname -r) is older than the oldest the
 * program loads on (5.10); false for a release that does not start "N.N".
 */
bool bpf_kernel_too_old(const char *release);

#endif
