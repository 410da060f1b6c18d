// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel side of oci-seccomp-recorder: one program on the raw_syscalls:sys_enter
 * tracepoint, shared by every container recorded on the node. Each container's
 * tracer takes a slot of the tables map and enters it under the inode of the
 * container's PID namespace (or, for a container in the host's PID namespace,
 * its mount namespace); the program marks each (phase, ABI, syscall number) a
 * task of a recorded container uses in its slot. Nothing goes to user space per
 * syscall, and a syscall costs the same however many containers are recorded:
 * one program, one bucket of the index looked at. Two small programs help it:
 * one counts task exits (they make its per-CPU hint stale), one follows the
 * mount namespaces made by clone() inside host-PID containers.
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

/* Mount namespace id -> slot and owner, for namespaces made inside host-PID containers. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OSR_MAX_CHILD_MNTNS);
	__type(key, __u64);
	__type(value, struct osr_child);
} mntns_children SEC(".maps");

/*
 * A recorded task that enters unshare(): its container and the mount namespace
 * it had, looked at again at its next syscall, when the unshare is done (no
 * tracepoint marks the making of a namespace). Freed with the task, so a note
 * never outlives it.
 */
struct osr_unsharing {
	__u64 old_id;
	struct osr_child ch;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct osr_unsharing);
} unsharing SEC(".maps");

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
 * 1, or 0: no recorded container), under which index generation and stale
 * count. The task is known by its pt_regs, which the tracepoint hands over
 * for nothing: the frame at the top of its kernel stack, its own while it
 * lives (a stack is reused only after its task exits, which bumps the stale
 * count). So a task making syscall after syscall is told apart with a few
 * loads and no helper call; a hint that does not match is worked out again.
 */
struct osr_hint {
	__u64 regs;
	__u32 gen;
	__u32 stale;
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
 * namespace), and unshare() may make one the program must follow. ia32
 * numbers too on x86-64; a 64-bit syscall that shares one of those numbers
 * only costs a hint.
 */
#if defined(__TARGET_ARCH_x86)
#define OSR_UNSHARE(id) (((id) & ~OSR_X32_SYSCALL_BIT) == 272 || (id) == 310)
#define OSR_MOVES_NS(id)                                                                         \
	(OSR_UNSHARE(id) || ((id) & ~OSR_X32_SYSCALL_BIT) == 308 || (id) == 346)
#elif defined(__TARGET_ARCH_arm64)
#define OSR_UNSHARE(id) ((id) == 97)
#define OSR_MOVES_NS(id) (OSR_UNSHARE(id) || (id) == 268)
#else
#define OSR_UNSHARE(id) 0
#define OSR_MOVES_NS(id) 1
#endif

#define OSR_SECCOMP_MODE_FILTER 2
#define OSR_CLONE_NEWNS 0x00020000

/*
 * A mount namespace's 64-bit id, never reused while the system runs:
 * ns_common.ns_id from Linux 6.18, mnt_namespace.seq before. Local types, so
 * the program builds against either kernel's vmlinux.h.
 */
struct ns_common___id {
	__u64 ns_id;
} __attribute__((preserve_access_index));

struct mnt_namespace___id {
	struct ns_common___id ns;
} __attribute__((preserve_access_index));

struct mnt_namespace___seq {
	__u64 seq;
} __attribute__((preserve_access_index));

static __always_inline __u64 mntns_id(struct mnt_namespace *ns)
{
	struct mnt_namespace___id *n = (void *)ns;
	struct mnt_namespace___seq *o = (void *)ns;

	if (bpf_core_field_exists(n->ns.ns_id))
		return BPF_CORE_READ(n, ns.ns_id);
	if (bpf_core_field_exists(o->seq))
		return BPF_CORE_READ(o, seq);
	return 0;
}

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

/* The table of the slot a namespace was entered for, if the same tracer still owns it. */
static __always_inline struct osr_container *owned_table(const struct osr_child *ch)
{
	__u32 slot = ch->slot;
	struct osr_container *c = bpf_map_lookup_elem(&tables, &slot);

	return c && c->tracer_pid == ch->owner ? c : NULL;
}

/*
 * The slot of the host-PID container a mount namespace is of (the one its
 * tracer entered, or one made inside such a container), or -1. A global
 * function, verified once on its own: inlined, the verifier walked it after
 * every way through the PID namespace lookups (12,600 instructions instead of
 * 2,400, 10 ms more for every cold prestart). So it takes the namespace as a
 * number and reads it with probe reads; only the rare paths call it.
 */
__attribute__((noinline)) int osr_mntns_slot(__u64 mnt_addr)
{
	struct mnt_namespace *mnt = (struct mnt_namespace *)mnt_addr;
	__u32 zero = 0, slot = 0;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);
	struct osr_child *ch;
	__u64 id;

	if (!ix || !mnt)
		return -1;
	if (find(ix, ix->mntns, &mntns_targets, BPF_CORE_READ(mnt, ns.inum), &slot))
		return slot;
	if (!ix->children)
		return -1;
	id = mntns_id(mnt);
	ch = id ? bpf_map_lookup_elem(&mntns_children, &id) : NULL;
	return ch && owned_table(ch) ? (int)ch->slot : -1;
}

/* The host-PID container of a task's namespaces (the pointer read as a number). */
static __always_inline struct osr_container *by_mntns(struct nsproxy *nsp, __u32 *slot)
{
	int s = osr_mntns_slot((__u64)BPF_CORE_READ(nsp, mnt_ns));

	if (s < 0)
		return NULL;
	*slot = s;
	return bpf_map_lookup_elem(&tables, slot);
}

/*
 * The recorded container a task belongs to: the one whose PID namespace is the
 * task's or an ancestor of it (a container that runs `unshare -p` hides
 * nothing), or, while a host-PID container is recorded, whose mount namespace
 * is the task's (whatever PID namespace it has made since). Host tasks leave
 * after two loads while no host-PID container is recorded.
 */
static __always_inline struct osr_container *recorded_container(struct osr_index *ix,
								struct task_struct *task, __u32 *slot)
{
	struct pid *pid = task->thread_pid;
	unsigned int level = pid->level;
	struct osr_container *c = NULL;
	struct nsproxy *nsp;

	/* The usual case, a container started from the host. */
	if (level == 1)
		c = find(ix, ix->pidns, &pidns_targets, pid->numbers[1].ns->ns.inum, slot);
	/* Nested PID namespaces are rare: the hash map, which holds every entry. */
	for (int i = 0; level > 1 && i < OSR_MAX_PIDNS_DEPTH; i++) {
		struct pid_namespace *ns;

		if (i >= (int)level)
			break;
		ns = BPF_CORE_READ(pid, numbers[level - i].ns);
		c = ns ? table_of(&pidns_targets, BPF_CORE_READ(ns, ns.inum), slot) : NULL;
		if (c)
			break;
	}
	if (c || !ix->mntns_count)
		return c;
	nsp = task->nsproxy;
	if (!nsp) /* exiting */
		return NULL;
	return by_mntns(nsp, slot);
}

/* Enter the mount namespace id as one of the container in slot (c). */
static __always_inline void follow(struct osr_index *ix, struct osr_container *c, __u32 slot,
				   __u64 id)
{
	struct osr_child ch = { .slot = slot, .owner = c->tracer_pid };

	if (id && bpf_map_update_elem(&mntns_children, &id, &ch, BPF_ANY) == 0)
		__sync_fetch_and_add(&ix->children, 1);
	else
		__sync_fetch_and_add(&c->unfollowed, 1);
}

/*
 * A task of a host-PID container enters unshare(): note its container and the
 * mount namespace it is in, to look again at its next syscall. Called before
 * anything else in sys_enter, where the verifier has one state to walk it in.
 */
static __always_inline void note_unshare(struct osr_index *ix)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct nsproxy *nsp = readable(cur)->nsproxy;
	struct osr_unsharing *u;
	struct osr_container *c;
	__u32 slot = 0;

	c = nsp ? by_mntns(nsp, &slot) : NULL;
	if (!c)
		return;
	u = bpf_task_storage_get(&unsharing, cur, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!u) {
		__sync_fetch_and_add(&c->unfollowed, 1);
		return;
	}
	if (!u->ch.owner) /* a new note */
		__sync_fetch_and_add(&ix->unsharing, 1);
	u->old_id = mntns_id(nsp->mnt_ns);
	u->ch.slot = slot;
	u->ch.owner = c->tracer_pid;
}

/*
 * The first syscall after a noted unshare(): a mount namespace other than the
 * one noted was made by it, so it is the container's (if its tracer still
 * owns the slot). The note goes either way.
 */
static __always_inline void after_unshare(struct osr_index *ix, struct task_struct *cur,
					  struct task_struct *task)
{
	struct osr_unsharing *u = bpf_task_storage_get(&unsharing, cur, 0, 0);
	struct nsproxy *nsp = task->nsproxy;
	struct osr_container *c;
	struct osr_unsharing n;
	__u64 id;

	if (!u)
		return;
	n = *u;
	bpf_task_storage_delete(&unsharing, cur);
	__sync_fetch_and_add(&ix->unsharing, -1);
	id = nsp ? mntns_id(nsp->mnt_ns) : 0;
	if (!id || id == n.old_id)
		return;
	c = owned_table(&n.ch);
	if (c)
		follow(ix, c, n.ch.slot, id);
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
 * The slot of the recorded container the current task belongs to, or -1: what
 * a hint miss costs. A global function, verified once on its own rather than
 * along every way sys_enter reaches it.
 */
__attribute__((noinline)) int osr_current_slot(void)
{
	__u32 zero = 0, slot = 0;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);
	struct task_struct *cur = bpf_get_current_task_btf();
	struct task_struct *task = readable(cur);

	if (!ix)
		return -1;
	if (ix->unsharing)
		after_unshare(ix, cur, task);
	return recorded_container(ix, task, &slot) ? (int)slot : -1;
}

/*
 * The index's generation and the stale count, read before what they vouch for.
 * x86 keeps loads in order; the barrier keeps the compiler from moving the
 * index's loads above them.
 */
static __always_inline void index_gens(struct osr_index *ix, __u32 *gen, __u32 *stale)
{
	*gen = READ_ONCE(ix->gen);
	*stale = READ_ONCE(ix->stale);
	barrier();
}

/* A stack freed can be the next task's: every hint made before is stale. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(osr_task_exit, struct task_struct *task)
{
	__u32 zero = 0;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);

	if (ix)
		__sync_fetch_and_add(&ix->stale, 1);
	return 0;
}

/*
 * A task made with a mount namespace of its own (clone with CLONE_NEWNS) by a
 * task of a host-PID container: its namespace is the container's. Runs once a
 * task, with its namespaces made, before it runs; never per syscall.
 */
SEC("tp_btf/task_newtask")
int BPF_PROG(osr_task_new, struct task_struct *task, __u64 clone_flags)
{
	__u32 zero = 0, slot = 0;
	struct osr_index *ix;
	struct task_struct *parent, *child;
	struct nsproxy *pn, *cn;
	struct osr_container *c;

	if (!(clone_flags & OSR_CLONE_NEWNS))
		return 0;
	ix = bpf_map_lookup_elem(&ns_index, &zero);
	if (!ix || !ix->mntns_count)
		return 0;
	parent = readable(bpf_get_current_task_btf());
	child = readable(task);
	pn = parent->nsproxy;
	cn = child->nsproxy;
	if (!pn || !cn || pn->mnt_ns == cn->mnt_ns)
		return 0;
	c = by_mntns(pn, &slot);
	if (c)
		follow(ix, c, slot, mntns_id(cn->mnt_ns));
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(osr_sys_enter, struct pt_regs *regs, long id)
{
	__u32 zero = 0, abi, phase, slot = 0, gen, stale, hinted;
	bool hint_ok;
	__u64 named;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);
	struct osr_hint *h = bpf_map_lookup_elem(&hints, &zero);
	struct task_struct *task;
	struct osr_container *c;

	if (!ix || !h)
		return 0;
	index_gens(ix, &gen, &stale);
	/*
	 * A task entering setns() or unshare() may come out in another mount
	 * namespace: every hint naming it, on any CPU, goes stale (it makes no
	 * other syscall meanwhile). Only while a host-PID container is recorded.
	 */
	if (ix->mntns_count && OSR_MOVES_NS(id)) {
		__sync_fetch_and_add(&ix->stale, 1);
		if (OSR_UNSHARE(id))
			note_unshare(ix);
	}
	/*
	 * The program can be preempted, and another task's syscall on this CPU
	 * rewrite the hint meanwhile (a seqlock with the task as the sequence):
	 * a writer names no task while it writes, so the hint counts only if it
	 * names this task both before and after it is read.
	 */
	named = READ_ONCE(h->regs);
	barrier();
	hinted = h->slot;
	hint_ok = named == (__u64)regs && h->gen == gen && h->stale == stale;
	barrier();
	if (!hint_ok || READ_ONCE(h->regs) != (__u64)regs) {
		int s = osr_current_slot();

		hinted = s >= 0 ? s + 1 : 0;
		WRITE_ONCE(h->regs, 0);
		barrier();
		h->gen = gen;
		h->stale = stale;
		h->slot = hinted;
		barrier();
		WRITE_ONCE(h->regs, (__u64)regs);
		barrier();
		/* Another writer in between leaves a mix: then it names no task. */
		if (h->gen != gen || h->stale != stale || h->slot != hinted)
			WRITE_ONCE(h->regs, 0);
	}
	/* Most syscalls end here: a task of no recorded container. */
	if (!hinted)
		return 0;
	slot = hinted - 1;
	c = bpf_map_lookup_elem(&tables, &slot);
	if (!c)
		return 0;
	task = readable(bpf_get_current_task_btf());
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
