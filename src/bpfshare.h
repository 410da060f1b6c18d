/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_BPFSHARE_H
#define OSR_BPFSHARE_H

#include <stdbool.h>
#include <stdint.h>

#include "recorder.h"
#include "util.h"

/* Where the shared program's link and maps are pinned (a bpffs). */
#define OSR_BPF_PIN_DIR "/sys/fs/bpf/oci-seccomp-recorder"
/* Serialises entering and leaving, node-wide like the pins. */
#define OSR_BPF_LOCK "/run/oci-seccomp-recorder.lock"
/* Bumped whenever struct osr_container or the maps change: versions never share. */
#define OSR_BPF_ABI "abi3"

/*
 * One container's place in the program that every recorded container on the
 * node shares: the program is loaded and pinned by the first tracer, reused by
 * the next ones, and unpinned (so detached) by the last one to leave.
 */
struct bpf_share {
	int targets_fd; /* pidns_targets or mntns_targets */
	int others_fd;	/* the other one */
	int index_fd;	/* ns_index, mapped at index */
	int tables_fd;	/* tables */
	int children_fd; /* mntns_children */
	struct osr_index *index;
	uint32_t slot;	/* this container's slot in tables */
	uint32_t key;	/* the namespace inode it is entered under */
	bool entered;
	bool by_mntns;
	bool pinned;	     /* false: a program of our own, where no bpffs could be had */
	int private_links[3]; /* its links in that case (one per program), else -1 */
	char pin_dir[128];
};

/*
 * Enter a container: (load and pin the program if needed,) take a free slot,
 * fill it with hdr and enter it under key. Recording starts on return.
 * rundir holds the lock that serialises entering and leaving.
 */
int bpf_share_enter(struct bpf_share *bs, uint32_t key, bool by_mntns,
		    const struct osr_container *hdr, struct osr_err *err);

/*
 * Leave: remove the entry (recording stops) and copy the final table into out
 * (if not NULL); the last container out unpins the program.
 */
int bpf_share_leave(struct bpf_share *bs, struct osr_container *out);
void bpf_share_close(struct bpf_share *bs);

/*
 * Remove the entries of tracers that died (and the program, if that leaves
 * it with none): poststop calls it when it finds its tracer killed.
 */
void bpf_share_collect(void);

/*
 * Copy the table of a running recording, found by namespace, for `report`
 * (-ENOENT: not being recorded).
 */
int bpf_share_find(uint32_t key, bool by_mntns, struct osr_container *out);

#endif
