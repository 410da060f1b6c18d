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

/*
 * How many PID namespace levels above a task are searched for a recorded one:
 * the kernel's own limit (MAX_PID_NS_LEVEL), so none can hide a task.
 */
#define OSR_MAX_PIDNS_DEPTH 32

/*
 * How many containers one node can record at once. The first
 * OSR_STATIC_TABLES recordings at a time have their table in an array map
 * made with the program (about 9 KiB each), which the program reaches with
 * plain loads; the others in a hash map without preallocation, made as they
 * start, which costs a lookup call per recorded syscall. So the capacity
 * costs no memory until it is used, and the usual few recordings the least
 * time.
 */
#define OSR_MAX_RECORDINGS 1024
#define OSR_STATIC_TABLES 64

/*
 * Where a recording's table is (its "loc", what the index, the hints and the
 * marks hold): slot + 1 in the array, or OSR_LOC_HASH | id in the hash map.
 * 0 is no table.
 */
#define OSR_LOC_HASH 0x80000000u

/*
 * One container's table, in the `tables` map under the recording's id: what
 * the program needs per syscall, and what it saw. Ids are handed out in
 * sequence and never reused while the program is loaded, so nothing made for
 * one recording (a task's mark) is ever taken for another's.
 */
struct osr_container {
	__u64 exe_ino;	  /* the runtime's init executable, as it was at prestart */
	__u32 exe_dev;	  /* its device, as the kernel encodes it */
	__u32 unfollowed; /* tasks that left the container's mount namespace unmarked */
	__u64 overflow;	  /* syscalls with numbers beyond OSR_MAX_SYSCALLS */
	__u32 id;	  /* the recording's: a slot of the array serves many in turn */
	__u32 pad;
	__u8 seen[OSR_PHASE_COUNT][OSR_ABI_COUNT][OSR_MAX_SYSCALLS];
};

/*
 * Who owns a recording, in the `recordings` map under its id: read by user
 * space only, to clean up after a killed tracer and to count a tenant's
 * recordings against its quota.
 */
#define OSR_TENANT_MAX 64

struct osr_recording {
	__u32 tracer_pid;   /* who owns it */
	__u32 key;	    /* the namespace inode it is entered under */
	__u32 loc;	    /* where its table is */
	__u32 pad2;
	__u64 tracer_start; /* the tracer's start time, so a reused pid is not taken for it */
	__u32 by_mntns;	    /* key is a mount namespace (a host-PID container) */
	__u32 pad;
	char tenant[OSR_TENANT_MAX]; /* the Kubernetes namespace, or "" */
};

/*
 * The program's way from a namespace inode to a recording, without a helper
 * call: one array map, written by user space through mmap (id first, then
 * inode) and read by the program with plain loads. A bucket is one cache line
 * of OSR_INDEX_WAYS entries; an inode whose bucket is full is looked up in the
 * hash maps, which hold every entry and stay the reference (user space keeps
 * the index in step with them, under the node's lock). 256 buckets of 8 hold
 * twice the capacity, so spills are rare even with every recording in use.
 */
#define OSR_INDEX_BUCKET_BITS 8
#define OSR_INDEX_BUCKETS (1 << OSR_INDEX_BUCKET_BITS)
#define OSR_INDEX_WAYS 8

struct osr_index_entry {
	__u32 inum; /* 0: free */
	__u32 loc;
};

struct osr_index {
	__u32 mntns_count; /* entries in mntns_targets: host tasks look only while there are any */
	__u32 spilled;	   /* entries found in the hash maps only, their bucket being full */
	__u32 gen;	   /* bumped by user space after every change */
	__u32 stale;	   /* bumped by the program when every hint may be stale: a task exits
			    * (its stack may be reused) or moves to another mount namespace */
	__u32 next_id;	   /* the next recording id user space hands out (0 is never one) */
	__u32 pad[11];	   /* the buckets start on a cache line of their own */
	struct osr_index_entry pidns[OSR_INDEX_BUCKETS][OSR_INDEX_WAYS];
	struct osr_index_entry mntns[OSR_INDEX_BUCKETS][OSR_INDEX_WAYS];
};

/*
 * A task of a host-PID container that leaves its mount namespace (unshare -m,
 * setns, clone with CLONE_NEWNS: systemd's PrivateTmp, ip netns exec) is
 * still the container's: the program marks it, in task storage, with the
 * recording's id, and its children inherit the mark. A mark lives and dies
 * with its task, so nothing is left behind for dead namespaces.
 */
struct osr_mark {
	__u32 id;  /* the recording's, checked against its table's */
	__u32 loc; /* where its table is */
};

/* Fibonacci hashing: inodes are handed out in sequence, the buckets get them spread. */
static inline __u32 osr_index_bucket(__u32 inum)
{
	return (inum * 0x9E3779B1u) >> (32 - OSR_INDEX_BUCKET_BITS);
}

#endif
