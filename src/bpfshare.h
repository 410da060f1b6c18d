/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_BPFSHARE_H
#define OSR_BPFSHARE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "recorder.h"
#include "util.h"

/* Where the shared program's links and maps are pinned (a bpffs). */
#define OSR_BPF_PIN_DIR "/sys/fs/bpf/oci-seccomp-recorder"
/* Serialises entering and leaving, node-wide like the pins. */
#define OSR_BPF_LOCK "/run/oci-seccomp-recorder.lock"
/* Bumped whenever a recorded struct or the maps change: versions never share. */
/*
 * The tenant of a recording service user's recordings: "uid:N". A ':' is in
 * no Kubernetes namespace's name (a DNS label), so no namespace shares a
 * user's quota by naming itself after it.
 */
#define OSR_TENANT_UID_PREFIX "uid:"

#define OSR_BPF_ABI "abi7"

/* The recordings one Kubernetes namespace may hold at once, unless told otherwise. */
#define OSR_DEFAULT_TENANT_QUOTA (OSR_MAX_RECORDINGS / 4)

/* The maps, in the order of the table in bpfload.c: one line there names each. */
enum osr_map {
	OSR_MAP_TABLES,
	OSR_MAP_MORE_TABLES,
	OSR_MAP_RECORDINGS,
	OSR_MAP_PIDNS_TARGETS,
	OSR_MAP_MNTNS_TARGETS,
	OSR_MAP_INDEX,
	OSR_MAP_STATS,
	OSR_MAP_COUNT,
};

/* The programs, each attached by one link. */
#define OSR_LINK_COUNT 3

/* What a recording is entered for. */
struct share_request {
	pid_t pid;	    /* a process of the container, checked by the caller to be it */
	bool by_mntns;	    /* keyed on its mount namespace (a host-PID container), not PID */
	const char *tenant; /* the Kubernetes namespace, or NULL */
	unsigned int quota; /* the most recordings a tenant may hold at once */
};

/*
 * One container's place in the program that every recorded container on the
 * node shares: the program is loaded and pinned by the first tracer, reused by
 * the next ones, and unpinned (so detached) by the last one to leave.
 */
struct bpf_share {
	int fds[OSR_MAP_COUNT];
	struct osr_index *index; /* ns_index, mapped */
	uint32_t id;		 /* this recording's id */
	uint32_t loc;		 /* where its table is (OSR_LOC_HASH) */
	uint32_t key;		 /* the namespace inode it is entered under */
	int ns_fd;		 /* that namespace, held open while entered */
	bool entered;
	bool by_mntns;
	bool pinned;			   /* false: a program of our own, where no bpffs could be had */
	int private_links[OSR_LINK_COUNT]; /* its links in that case, else -1 */
	char pin_dir[128];
};

/*
 * Enter a recording: (load and pin the program if needed,) make its table from
 * hdr (its id and start time written in) under a new id and enter it under the inode of the
 * namespace of the request's pid (kept open until it leaves, so no other namespace gets it).
 * With hdr->counting set, its `stats` entry is made too. Recording starts on
 * return. Fails with -EBUSY when the node holds OSR_MAX_RECORDINGS, or
 * OSR_MAX_COUNTING counting ones and hdr->counting is set, -EDQUOT when the
 * tenant holds its quota, -EEXIST when the key is being recorded.
 */
int bpf_share_enter(struct bpf_share *bs, const struct share_request *req,
		    struct osr_container *hdr, struct osr_err *err);

/*
 * Leave: remove the entry (recording stops) and copy the final table into out
 * and its counts into stats (each if not NULL; -ENOENT if stats is asked of a
 * recording that did not count); the last container out unpins the program.
 */
int bpf_share_leave(struct bpf_share *bs, struct osr_container *out, struct osr_stats *stats);
void bpf_share_close(struct bpf_share *bs);

/*
 * Remove the recordings of tracers that died (and the program, if that leaves
 * it with none): poststop calls it when it finds its tracer killed.
 */
void bpf_share_collect(void);

/*
 * Copy the table of a running recording, found by namespace, for `report`
 * (-ENOENT: not being recorded), and its counts if stats is not NULL
 * (-ENODATA: it does not count).
 */
int bpf_share_find(uint32_t key, bool by_mntns, struct osr_container *out,
		   struct osr_stats *stats);

/*
 * Whether a kernel of this release (uname -r) is older than the oldest the
 * program loads on (5.10); false for a release that does not start "N.N".
 */
bool bpf_kernel_too_old(const char *release);

#endif
