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
 * made with the program (about 14 KiB each), which the program reaches with
 * plain loads; the others in a hash map without preallocation, made as they
 * start, which costs a lookup call when a recorded syscall is not yet known
 * seen to the CPU's hint (its first on the CPU since the hint was made, and
 * every syscall whose arguments are recorded). So the capacity costs no
 * memory until it is used, and the usual few recordings the least time.
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
 * Arguments recorded: for the syscalls whose argument selects a kernel
 * subsystem or a privilege, the values a container used, so its profile
 * allows those and no others. X(kind, syscall, argument, mask): the program
 * keeps (argument & mask) of each call, deduplicated, up to OSR_ARG_VALUES
 * per (ABI, kind); past that the set is full and the syscall is allowed with
 * any value (the profile says so). socket and socketpair keep three
 * arguments in one value (see OSR_SOCKET_DOMAIN). docs/ARGUMENTS.md says why
 * each syscall is in the table, or not.
 */
#define OSR_CLONE_NEW_MASK 0x7e020080u /* CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET,TIME} */
#define OSR_INT_MASK 0xffffffffu       /* an int argument: the kernel reads 32 bits */

#define OSR_ARG_TABLE(X)                                                                           \
	X(OSR_ARG_SOCKET, "socket", 0, OSR_INT_MASK)                                               \
	X(OSR_ARG_SOCKETPAIR, "socketpair", 0, OSR_INT_MASK)                                       \
	X(OSR_ARG_CLONE, "clone", 0, OSR_CLONE_NEW_MASK)                                           \
	X(OSR_ARG_UNSHARE, "unshare", 0, OSR_CLONE_NEW_MASK)                                       \
	X(OSR_ARG_SETNS, "setns", 1, OSR_INT_MASK)                                                 \
	X(OSR_ARG_PERSONALITY, "personality", 0, OSR_INT_MASK)                                     \
	X(OSR_ARG_PRCTL, "prctl", 0, OSR_INT_MASK)                                                 \
	X(OSR_ARG_IOCTL, "ioctl", 1, OSR_INT_MASK)                                                 \
	X(OSR_ARG_PTRACE, "ptrace", 0, OSR_INT_MASK)                                               \
	X(OSR_ARG_KEYCTL, "keyctl", 0, OSR_INT_MASK)                                               \
	X(OSR_ARG_BPF, "bpf", 0, OSR_INT_MASK)

#define OSR_ARG_ENUM(kind, name, arg, mask) kind,
enum osr_arg_kind {
	OSR_ARG_NONE = 0, /* a syscall whose arguments are not recorded */
	OSR_ARG_TABLE(OSR_ARG_ENUM) OSR_ARG_KIND_COUNT,
};
#undef OSR_ARG_ENUM

#define OSR_ARG_VALUES 16

/*
 * A socket's (domain, type without SOCK_NONBLOCK and SOCK_CLOEXEC, protocol)
 * in one value, 16 bits each; the protocol only for netlink and packet
 * sockets, where it names the subsystem (for others it is 0 here). Values
 * that do not fit are not kept: the set is marked full.
 */
#define OSR_AF_NETLINK 16
#define OSR_AF_PACKET 17
#define OSR_SOCK_FLAGS 0x80800u /* SOCK_CLOEXEC | SOCK_NONBLOCK */
#define OSR_SOCKET_DOMAIN(v) ((v)&0xffff)
#define OSR_SOCKET_TYPE(v) (((v) >> 16) & 0xffff)
#define OSR_SOCKET_PROTOCOL(v) (((v) >> 32) & 0xffff)

/* Set on every value kept, so a slot's 0 means empty. */
#define OSR_ARG_PRESENT (1ULL << 63)

/* The values of one (ABI, kind), written only by the program. */
struct osr_argset {
	__u32 n;		 /* slots claimed */
	__u32 full;		 /* a value was not kept: the syscall takes any value */
	__u64 v[OSR_ARG_VALUES]; /* value | OSR_ARG_PRESENT; a value may appear twice */
};

/*
 * What a byte of osr_container.seen says: bit 0, the syscall was made; the
 * bits above, the kind of its arguments to record (set by user space when it
 * makes the table, in the phases a profile covers). The program looks no
 * further than a byte of 1, so untabled syscalls cost nothing more.
 */
#define OSR_SEEN 1u
#define OSR_SEEN_KIND(b) ((b) >> 1)
#define OSR_KIND_SEEN(kind) ((__u8)((kind) << 1))

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
	__u32 counting;	  /* 0, or its counting slot + 1: its syscalls are counted too */
	__u64 start_ns;	  /* when recording began (CLOCK_MONOTONIC, as bpf_ktime_get_ns) */
	__u8 seen[OSR_PHASE_COUNT][OSR_ABI_COUNT][OSR_MAX_SYSCALLS];
	struct osr_argset args[OSR_ABI_COUNT][OSR_ARG_KIND_COUNT];
};

/*
 * Counting is asked for per recording (it costs a locked add per syscall, and
 * 144 KiB of kernel memory while the recording lasts). At most
 * OSR_MAX_COUNTING recordings count at once, each in a counting slot user
 * space gives it at enter: its native calls' counts are the slot's entry of
 * the `counts` array (made with the program: 1.5 MiB for the 64 slots), which
 * the program reaches with plain loads; the rest (the other ABIs' counts,
 * every first call's time) an entry of the `stats` hash map under the
 * recording's id, which costs a lookup call. User space puts them together.
 */
#define OSR_MAX_COUNTING 64

/*
 * How many times a recorded container made each (phase, ABI, syscall), exact
 * (an atomic add, whichever CPU), and when it first did (bpf_ktime_get_ns;
 * 0 until the first call's time is written, just after its count).
 */
struct osr_stats {
	__u64 count[OSR_PHASE_COUNT][OSR_ABI_COUNT][OSR_MAX_SYSCALLS];
	__u64 first_ns[OSR_PHASE_COUNT][OSR_ABI_COUNT][OSR_MAX_SYSCALLS];
};

/* A counting slot: the native ABI's counts (osr_stats.count[][OSR_ABI_NATIVE] stays 0). */
struct osr_counts {
	__u64 count[OSR_PHASE_COUNT][OSR_MAX_SYSCALLS];
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
	__u32 count_slot;   /* its counting slot + 1, or 0: it does not count */
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
