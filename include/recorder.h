/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between the BPF program and user space: fixed-width types only. */
#ifndef OSR_RECORDER_H
#define OSR_RECORDER_H

/* The BPF side gets the types from vmlinux.h, user space from the kernel's uapi. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Syscall numbers are recorded in one byte per (ABI, number). 1024 covers every
 * table in use today (x86-64 tops out near 470, ia32 near 470, aarch64 near 470);
 * anything above is counted in `overflow` so it is reported, never silently lost.
 */
#define OSR_MAX_SYSCALLS 1024

/* The ABIs a task on one machine can enter the kernel with. */
enum osr_abi {
	OSR_ABI_NATIVE = 0, /* x86-64, aarch64, ... */
	OSR_ABI_COMPAT = 1, /* ia32 on x86-64, arm on aarch64 */
	OSR_ABI_X32 = 2,    /* x32 on x86-64 */
	OSR_ABI_COUNT = 3,
};

/*
 * Which part of a container's life a syscall belongs to. A profile binds from
 * the moment the runtime loads it, so what the runtime does before that (mount,
 * pivot_root, sethostname, ...) is setup the profile need not allow.
 */
enum osr_phase {
	OSR_PHASE_SETUP = 0,	/* the runtime's init, no seccomp filter yet */
	OSR_PHASE_FILTERED = 1, /* the runtime's init, under a seccomp filter */
	OSR_PHASE_WORKLOAD = 2, /* anything after the exec of the entrypoint */
	OSR_PHASE_COUNT = 3,
};

/* How many PID namespace levels above a task are searched for a recorded one. */
#define OSR_MAX_PIDNS_DEPTH 8

/*
 * How many containers one node can record at once: the tables are one array
 * map of this many slots (about 9 KiB each), made when the program loads.
 */
#define OSR_MAX_CONTAINERS 64

/*
 * One container's recording: a slot of the shared `tables` map, which its
 * tracer fills and then enters, by namespace inode, into a targets map.
 */
struct osr_container {
	__u64 exe_ino;	    /* the runtime's init executable, as it was at prestart */
	__u32 exe_dev;	    /* its device, as the kernel encodes it */
	__u32 tracer_pid;   /* who owns this entry (for clean-up after a killed tracer) */
	__u64 tracer_start; /* its start time, so a reused pid is not taken for it */
	__u64 overflow;	    /* syscalls with numbers beyond OSR_MAX_SYSCALLS */
	__u32 unfollowed;   /* mount namespaces made inside that could not be followed */
	__u32 pad;
	__u8 seen[OSR_PHASE_COUNT][OSR_ABI_COUNT][OSR_MAX_SYSCALLS];
};

/*
 * The program's way from a namespace inode to a slot, without a helper call:
 * one array map, written by user space through mmap (slot first, then inode)
 * and read by the program with plain loads. A bucket is one cache line of
 * OSR_INDEX_WAYS entries; an inode whose bucket is full is looked up in the
 * hash maps, which hold every entry and stay the reference (user space keeps
 * the index in step with them, under the node's lock).
 */
#define OSR_INDEX_BUCKET_BITS 6
#define OSR_INDEX_BUCKETS (1 << OSR_INDEX_BUCKET_BITS)
#define OSR_INDEX_WAYS 8

struct osr_index_entry {
	__u32 inum; /* 0: free */
	__u32 slot;
};

struct osr_index {
	__u32 mntns_count; /* entries in mntns_targets: host tasks look only while there are any */
	__u32 spilled;	   /* entries found in the hash maps only, their bucket being full */
	__u32 gen;	   /* bumped by user space after every change */
	__u32 stale;	   /* bumped by the program when every hint may be stale: a task exits
			    * (its stack may be reused) or moves to another mount namespace */
	__u32 children;	   /* bumped by the program as it enters one in mntns_children */
	__u32 unsharing;   /* tasks noted in `unsharing` and not yet looked at again */
	__u32 pad[10];	   /* the buckets start on a cache line of their own */
	struct osr_index_entry pidns[OSR_INDEX_BUCKETS][OSR_INDEX_WAYS];
	struct osr_index_entry mntns[OSR_INDEX_BUCKETS][OSR_INDEX_WAYS];
};

/*
 * A mount namespace made by a task of a host-PID container (unshare -m, clone
 * with CLONE_NEWNS: systemd's PrivateTmp, ip netns exec) is the container's
 * too: the program enters it in mntns_children, keyed by the namespace's
 * 64-bit id, which unlike its inode is never reused, with the slot and the
 * tracer that owned the slot then (an entry outliving its container is never
 * taken for the slot's next one). User space removes a slot's entries when it
 * leaves and before the slot is given out again.
 */
#define OSR_MAX_CHILD_MNTNS 1024

struct osr_child {
	__u32 slot;
	__u32 owner; /* the slot's tracer_pid when the namespace was made */
};

/* Fibonacci hashing: inodes are handed out in sequence, the buckets get them spread. */
static inline __u32 osr_index_bucket(__u32 inum)
{
	return (inum * 0x9E3779B1u) >> (32 - OSR_INDEX_BUCKET_BITS);
}

#endif
