// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel side of oci-seccomp-recorder: one program on the raw_syscalls:sys_enter
 * tracepoint, shared by every container recorded on the node. Each container's
 * tracer takes a slot of the tables map and enters it under the inode of the
 * container's PID namespace (or, for a container in the host's PID namespace,
 * its mount namespace); the program marks each (phase, ABI, syscall number) a
 * task of a recorded container uses in its slot. Nothing goes to user space per
 * syscall, and a syscall costs the same however many containers are recorded:
 * one program, one bucket of the index looked at.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "recorder.h"

char LICENSE[] SEC("license") = "GPL";

/* The containers' tables, one slot each. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OSR_MAX_CONTAINERS);
	__type(key, __u32);
	__type(value, struct osr_container);
} tables SEC(".maps");

/*
 * PID namespace inode -> slot: every entry, the reference user space keeps
 * ns_index in step with; the program reads it only for nested PID namespaces
 * and spilled entries. Plain hash maps, not maps of maps: changing a map of
 * maps waits for an RCU grace period, 15 ms here, on every prestart and poststop.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OSR_MAX_CONTAINERS);
	__type(key, __u32);
	__type(value, __u32);
} pidns_targets SEC(".maps");

/* Mount namespace inode -> slot, for containers in the host's PID namespace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OSR_MAX_CONTAINERS);
	__type(key, __u32);
	__type(value, __u32);
} mntns_targets SEC(".maps");

/* Namespace inode -> slot, read with plain loads: see struct osr_index. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct osr_index);
} ns_index SEC(".maps");

/*
 * Per CPU, what the last task to make a syscall on it was found to be (slot +
 * 1, or 0: no recorded container), under which index generation and exit
 * count. The task is known by its pt_regs, which the tracepoint hands over
 * for nothing: the frame at the top of its kernel stack, its own while it
 * lives (a stack is reused only after its task exits, which bumps the exit
 * count). So a task making syscall after syscall is told apart with a few
 * loads and no helper call; a hint that does not match is worked out again.
 */
struct osr_hint {
	__u64 regs;
	__u32 gen;
	__u32 exits;
	__u32 slot;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct osr_hint);
} hints SEC(".maps");

/* x86 thread_info.status bits (arch/x86/include/asm/thread_info.h). */
#define OSR_TS_COMPAT 0x0002
#define OSR_X32_SYSCALL_BIT 0x40000000

/*
 * The syscalls that move a task to another mount namespace: a hint made
 * before one is stale after it (a host-PID container is known by its mount
 * namespace). ia32 numbers too on x86-64; a 64-bit syscall that shares one of
 * those numbers only costs a hint.
 */
#if defined(__TARGET_ARCH_x86)
#define OSR_MOVES_NS(id)                                                                         \
	(((id) & ~OSR_X32_SYSCALL_BIT) == 272 || ((id) & ~OSR_X32_SYSCALL_BIT) == 308 ||          \
	 (id) == 310 || (id) == 346)
#elif defined(__TARGET_ARCH_arm64)
#define OSR_MOVES_NS(id) ((id) == 97 || (id) == 268)
#else
#define OSR_MOVES_NS(id) 1
#endif

#define OSR_SECCOMP_MODE_FILTER 2

#define barrier() asm volatile("" ::: "memory")
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))

#ifdef OSR_COMPAT
/* Kernels before 6.2 (no bpf_rdonly_cast): the same walks, slower to verify. */
#define readable(task) (task)
#else
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
/*
 * The task, for reading only. The verifier checks a pointer loaded from a
 * trusted task_struct against the kernel's trust annotations, each check a
 * search of the kernel's whole BTF by name (126,000 types on 6.18): that was 15
 * of the 16 ms this program took to verify. Through this untrusted view it
 * checks none; the loads are the same PROBE_MEM loads, and the cast itself
 * costs nothing at run time (the verifier turns it into a move).
 */
#define readable(task) \
	((struct task_struct *)bpf_rdonly_cast(task, bpf_core_type_id_kernel(struct task_struct)))
#endif


static __always_inline struct osr_container *table_of(void *targets, __u32 inum, __u32 *slot)
{
	__u32 *s = bpf_map_lookup_elem(targets, &inum);

	if (!s)
		return NULL;
	*slot = *s;
	return bpf_map_lookup_elem(&tables, s);
}

/* The container entered under inum: its bucket first, the hash map only for spills. */
static __always_inline struct osr_container *find(struct osr_index *ix,
						  struct osr_index_entry (*kind)[OSR_INDEX_WAYS],
						  void *targets, __u32 inum, __u32 *slot)
{
	struct osr_index_entry *b = kind[osr_index_bucket(inum)];

#pragma unroll
	for (int i = 0; i < OSR_INDEX_WAYS; i++)
		if (b[i].inum == inum) {
			*slot = b[i].slot;
			return bpf_map_lookup_elem(&tables, slot);
		}
	return ix->spilled ? table_of(targets, inum, slot) : NULL;
}

/*
 * The recorded container a task belongs to: the one whose PID namespace is the
 * task's or an ancestor of it (a container that runs `unshare -p` hides
 * nothing), or whose mount namespace is the task's, for a host-PID container.
 * Host tasks leave after two loads while no host-PID container is recorded.
 */
static __always_inline struct osr_container *recorded_container(struct osr_index *ix,
								struct task_struct *task, __u32 *slot)
{
	struct pid *pid = task->thread_pid;
	unsigned int level = pid->level;
	struct nsproxy *nsp;

	if (level == 0) {
		if (!ix->mntns_count)
			return NULL;
		nsp = task->nsproxy;
		if (!nsp) /* exiting */
			return NULL;
		return find(ix, ix->mntns, &mntns_targets, nsp->mnt_ns->ns.inum, slot);
	}
	/* The usual case, a container started from the host. */
	if (level == 1)
		return find(ix, ix->pidns, &pidns_targets, pid->numbers[1].ns->ns.inum, slot);
	/* Nested PID namespaces are rare: the hash map, which holds every entry. */
	for (int i = 0; i < OSR_MAX_PIDNS_DEPTH; i++) {
		struct osr_container *c;
		struct pid_namespace *ns;

		if (i >= (int)level)
			break;
		ns = BPF_CORE_READ(pid, numbers[level - i].ns);
		c = ns ? table_of(&pidns_targets, BPF_CORE_READ(ns, ns.inum), slot) : NULL;
		if (c)
			return c;
	}
	return NULL;
}

static __always_inline __u32 syscall_abi(struct task_struct *task, long *id)
{
#if defined(__TARGET_ARCH_x86)
	if (*id & OSR_X32_SYSCALL_BIT) {
		*id &= ~OSR_X32_SYSCALL_BIT;
		return OSR_ABI_X32;
	}
	if (bpf_core_field_exists(task->thread_info.status) &&
	    (task->thread_info.status & OSR_TS_COMPAT))
		return OSR_ABI_COMPAT;
#endif
	return OSR_ABI_NATIVE;
}

/*
 * A task still running the runtime's executable is the runtime setting the
 * container up; once it has exec'd the entrypoint (and in every process the
 * workload starts) the executable is another one.
 */
static __always_inline __u32 task_phase(struct task_struct *task, struct osr_container *c)
{
	struct mm_struct *mm = task->mm;
	struct inode *inode;

	if (!mm || !mm->exe_file)
		return OSR_PHASE_WORKLOAD;
	inode = mm->exe_file->f_inode;
	if (inode->i_ino != c->exe_ino || inode->i_sb->s_dev != c->exe_dev)
		return OSR_PHASE_WORKLOAD;
	/* The filter binds this task from here on: what it does now, a profile must allow. */
	if (task->seccomp.mode == OSR_SECCOMP_MODE_FILTER)
		return OSR_PHASE_FILTERED;
	return OSR_PHASE_SETUP;
}

/*
 * The index's generation and the exit count, read before what they vouch for.
 * x86 keeps loads in order; the barrier keeps the compiler from moving the
 * index's loads above them.
 */
static __always_inline void index_gens(struct osr_index *ix, __u32 *gen, __u32 *exits)
{
	*gen = READ_ONCE(ix->gen);
	*exits = READ_ONCE(ix->exits);
	barrier();
}

/* A stack freed can be the next task's: every hint made before is stale. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(osr_task_exit, struct task_struct *task)
{
	__u32 zero = 0;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);

	if (ix)
		__sync_fetch_and_add(&ix->exits, 1);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(osr_sys_enter, struct pt_regs *regs, long id)
{
	__u32 zero = 0, abi, phase, slot = 0, gen, exits, hinted;
	bool hint_ok;
	__u64 named;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);
	struct osr_hint *h = bpf_map_lookup_elem(&hints, &zero);
	struct task_struct *task;
	struct osr_container *c;

	if (!ix || !h)
		return 0;
	index_gens(ix, &gen, &exits);
	/*
	 * The program can be preempted, and another task's syscall on this CPU
	 * rewrite the hint meanwhile (a seqlock with the task as the sequence):
	 * a writer names no task while it writes, so the hint counts only if it
	 * names this task both before and after it is read.
	 */
	named = READ_ONCE(h->regs);
	barrier();
	hinted = h->slot;
	hint_ok = named == (__u64)regs && h->gen == gen && h->exits == exits;
	barrier();
	if (hint_ok && READ_ONCE(h->regs) == (__u64)regs) {
		if (ix->mntns_count && OSR_MOVES_NS(id))
			h->regs = 0; /* look again after this one */
		/* Most syscalls end here: a task of no recorded container, as hinted. */
		if (!hinted)
			return 0;
		slot = hinted - 1;
		c = bpf_map_lookup_elem(&tables, &slot);
		task = readable(bpf_get_current_task_btf());
	} else {
		task = readable(bpf_get_current_task_btf());
		c = recorded_container(ix, task, &slot);
		hinted = c ? slot + 1 : 0;
		WRITE_ONCE(h->regs, 0);
		barrier();
		h->gen = gen;
		h->exits = exits;
		h->slot = hinted;
		barrier();
		if (!(ix->mntns_count && OSR_MOVES_NS(id)))
			WRITE_ONCE(h->regs, (__u64)regs);
		barrier();
		/* Another writer in between leaves a mix: then it names no task. */
		if (h->gen != gen || h->exits != exits || h->slot != hinted)
			WRITE_ONCE(h->regs, 0);
	}
	if (!c)
		return 0;
	abi = syscall_abi(task, &id);
	phase = task_phase(task, c);
	if (id < 0 || id >= OSR_MAX_SYSCALLS || abi >= OSR_ABI_COUNT ||
	    phase >= OSR_PHASE_COUNT) {
		__sync_fetch_and_add(&c->overflow, 1);
		return 0;
	}
	/* Read before writing: a hot syscall does not keep dirtying the cache line. */
	if (!c->seen[phase][abi][id])
		c->seen[phase][abi][id] = 1;
	return 0;
}
