/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shared program's pins, maps and a recording's place in them: what
 * bpfshare.c (entering, leaving, finding), bpfload.c (loading and pinning),
 * bpfindex.c (the namespace index) and bpfcensus.c (the limits) all work on.
 *
 * Two numbers name a recording, never one for the other: its id (the key of
 * `recordings` and `stats`, in its table's header) and its loc (where its
 * table is, the value of the targets maps: OSR_LOC_HASH).
 */
#ifndef OSR_BPFMAPS_H
#define OSR_BPFMAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "recorder.h"

/* Where the shared program's links and maps are pinned (a bpffs). */
#define OSR_BPF_PIN_DIR "/sys/fs/bpf/oci-seccomp-recorder"
/* Serialises entering and leaving, node-wide like the pins. */
#define OSR_BPF_LOCK "/run/oci-seccomp-recorder.lock"
/*
 * Bumped whenever a recorded struct, the maps, what the holders of the lock
 * keep beside them (bpfcensus.c) or what a pin means (bpfload.c: which links
 * stay pinned while idle) change: versions never share.
 */
#define OSR_BPF_ABI "abi11"
/*
 * The tenant of a recording service user's recordings: "uid:N". A ':' is in
 * no Kubernetes namespace's name (a DNS label), so no namespace shares a
 * user's quota by naming itself after it.
 */
#define OSR_TENANT_UID_PREFIX "uid:"

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
	OSR_MAP_COUNTS,
	OSR_MAP_COUNT,
};

/* The programs, each attached by one link. */
#define OSR_LINK_COUNT 3

/* What a start is doing, for a deadline's message and debug mode's times. */
enum share_step {
	SHARE_STEP_LOCK,   /* waiting for the node's lock */
	SHARE_STEP_LOAD,   /* loading (verifying) the program, or waiting for another's load */
	SHARE_STEP_ATTACH, /* attaching the loaded program */
	SHARE_STEP_ENTER,  /* entering the recording */
	SHARE_STEP_COUNT,
};
extern const char *const share_step_names[SHARE_STEP_COUNT];

/* How long a start spent in each step, in microseconds. */
struct share_times {
	uint64_t lock_us, load_us, attach_us, enter_us;
};

/* OSR_LINGER_FOREVER: the program stays loaded until the node reboots. */
#define OSR_LINGER_FOREVER (-1)
/* Seconds the detached program stays loaded after the last recording, unless told. */
#define OSR_LINGER_DEFAULT 600

/* What a recording is entered for. */
struct share_request {
	pid_t pid;	    /* a process of the container, checked by the caller to be it */
	bool by_mntns;	    /* keyed on its mount namespace (a host-PID container), not PID */
	const char *tenant; /* the Kubernetes namespace, or NULL */
	unsigned int quota; /* the most recordings a tenant may hold at once */
	int linger_s;	    /* when this one leaves last: seconds to keep the program loaded */
	bool shell_parent;  /* its parent is a user's shell (record): a waiter may be its child */
	void (*on_step)(enum share_step step, void *arg); /* told as each step begins */
	void *step_arg;
};

/*
 * One container's place in the program that every recorded container on the
 * node shares: the program is loaded and pinned by the first tracer, reused by
 * the next ones, detached by the last one to leave and unpinned (unloaded)
 * once it has lingered detached for --linger seconds.
 */
struct bpf_share {
	int fds[OSR_MAP_COUNT];
	struct osr_index *index;     /* ns_index, mapped */
	struct census_state *census; /* the node's counts, mapped (bpfcensus.c) */
	uint32_t id;		     /* this recording's id */
	uint32_t loc;		     /* where its table is (OSR_LOC_HASH) */
	uint32_t key;		     /* the namespace inode it is entered under */
	int ns_fd;		     /* that namespace, held open while entered */
	bool entered;
	bool by_mntns;
	bool pinned;		  /* false: a program of our own, where no bpffs could be had */
	bool census_held;	  /* census marked being changed by this holder of the lock */
	int linger_s;		  /* see share_request */
	bool shell_parent;	  /* see share_request */
	struct share_times times; /* of bpf_share_enter() */
	int private_links[OSR_LINK_COUNT]; /* its links in that case, else -1 */
	char pin_dir[128];
};

/* The targets map a recording of this kind is entered in: namespace inode -> loc. */
static inline int share_targets_fd(const struct bpf_share *bs, bool by_mntns)
{
	return bs->fds[by_mntns ? OSR_MAP_MNTNS_TARGETS : OSR_MAP_PIDNS_TARGETS];
}

/* The map of the table at loc (OSR_LOC_HASH), and the table's key in it. */
static inline int share_table_fd(const struct bpf_share *bs, uint32_t loc, uint32_t *table_key)
{
	if (loc & OSR_LOC_HASH) {
		*table_key = loc & ~OSR_LOC_HASH;
		return bs->fds[OSR_MAP_MORE_TABLES];
	}
	*table_key = loc - 1;
	return bs->fds[OSR_MAP_TABLES];
}

#endif
