// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel side of oci-seccomp-recorder: one program on the raw_syscalls:sys_enter
 * tracepoint, shared by every container recorded on the node. Each container's
 * tracer makes a table (a slot of an array made with the program, or past
 * its slots an entry of a hash map) and enters where it is under the inode of
 * the container's PID namespace (or, for a container in the host's PID
 * namespace, its mount namespace), which it holds open so the kernel cannot
 * give the inode to another namespace meanwhile; the program marks each
 * (phase, ABI, syscall number) a task of a recorded container uses in its
 * table. Nothing goes to user space per syscall, and a syscall costs the same
 * however many containers are recorded: one program, one bucket of the index
 * looked at when a CPU's hint changes, and none while it holds (a syscall
 * the hint says was seen never reaches the table, wherever it is). Two small
 * programs help it: one counts task exits (they make its per-CPU hint
 * stale), one passes a host-PID container's mark on to the tasks its marked
 * tasks make.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "recorder.h"

char LICENSE[] SEC("license") = "GPL";

/* The first recordings' tables, by slot, made with the program (see OSR_STATIC_TABLES). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OSR_STATIC_TABLES);
	__type(key, __u32);
	__type(value, struct osr_container);
} tables SEC(".maps");

/* The others' tables, by id, made as recordings start. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, OSR_MAX_RECORDINGS);
	__type(key, __u32);
	__type(value, struct osr_container);
} more_tables SEC(".maps");

/* The counts of the recordings that count, by id (see struct osr_stats). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, OSR_MAX_COUNTING);
	__type(key, __u32);
	__type(value, struct osr_stats);
} stats SEC(".maps");

/*
 * The native ABI's counts of the recordings that count, by counting slot (see
 * struct osr_counts): an array, so the program reaches them with plain loads
 * where the `stats` entry costs a hash lookup call on every syscall.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OSR_MAX_COUNTING);
	__type(key, __u32);
	__type(value, struct osr_counts);
} counts SEC(".maps");

/* Who owns each recording: for user space only (see struct osr_recording). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, OSR_MAX_RECORDINGS);
	__type(key, __u32);
	__type(value, struct osr_recording);
} recordings SEC(".maps");

/*
 * PID namespace inode -> where the recording's table is: every entry, the reference user space
 * keeps ns_index in step with; the program reads it only for nested PID
 * namespaces and spilled entries. Plain hash maps, not maps of maps: changing
 * a map of maps waits for an RCU grace period, 15 ms here, on every prestart
 * and poststop.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, OSR_MAX_RECORDINGS);
	__type(key, __u32);
	__type(value, __u32);
} pidns_targets SEC(".maps");

/* Mount namespace inode -> table, for containers in the host's PID namespace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, OSR_MAX_RECORDINGS);
	__type(key, __u32);
	__type(value, __u32);
} mntns_targets SEC(".maps");

/* Namespace inode -> table, read with plain loads: see struct osr_index. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct osr_index);
} ns_index SEC(".maps");

/*
 * Per CPU, what the last task to make a syscall on it was found to be (where
 * its recording's table is, or 0: no recorded container), under which index generation and stale
 * count. The task is known by its pt_regs, which the tracepoint hands over
 * for nothing: the frame at the top of its kernel stack, its own while it
 * lives (a stack is reused only after its task exits, which bumps the stale
 * count). So a task making syscall after syscall is told apart with a few
 * loads and no helper call; a hint that does not match is worked out again.
 * With the loc it keeps what a recorded task's syscalls need of the table
 * (the recording's id, whether it counts, whether the task runs the
 * runtime's executable: an exec makes every hint stale), so a syscall
 * already seen never reaches the table: see seen below.
 */
struct osr_hint {
	__u64 regs;
	__u32 gen;
	__u32 stale;
	__u32 loc;
	__u32 id;      /* the recording's */
	__u32 tag;     /* this hint's, in seen; 0: seen unused */
	__u8 runtime;  /* the task runs the runtime's executable (see task_phase()) */
	__u8 counting; /* the recording's counting slot + 1, or 0: it does not count */
	__u16 pad;
	__u32 next_tag; /* the last tag handed out on this CPU */
	__u32 pad2[7];	/* seen starts on a cache line of its own */
	/*
	 * The native syscalls this CPU set seen in the hint's table, by phase:
	 * word i holds tag << 32 | a bit for each of syscalls 32i to 32i + 31.
	 * A word stands for the hint whose tag it carries, and each hint made
	 * takes a tag of its own, so a word of an earlier hint (or one written by
	 * a task preempted as the hint changed) counts for nothing and nothing
	 * is ever cleared; a seen byte, once set, stays set while the index's
	 * generation lasts. One cache line per 256 syscalls, beside the hint, in
	 * place of the table's header, a seen byte and, past the array's slots,
	 * a hash lookup.
	 */
	__u64 seen[OSR_PHASE_COUNT][OSR_MAX_SYSCALLS / 32];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct osr_hint);
} hints SEC(".maps");

#define OSR_SECCOMP_MODE_FILTER 2
#define OSR_CLONE_NEWNS 0x00020000

#define barrier() asm volatile("" ::: "memory")
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))

/*
 * What differs between the builds, here and nowhere else. OSR_COMPAT: kernels
 * before 6.2, no bpf_rdonly_cast. OSR_K510 (with OSR_COMPAT): Linux 5.10,
 * which lacks what arrived in 5.11 and 5.12: bpf_get_current_task_btf() (the
 * current task is a plain address there, read with probe reads), task storage
 * (marks are a hash map's, by task), atomic adds that return the old value
 * (see add_first() and claim_slot()), and pointer arguments to global
 * functions (those are static there, verified along every way to them).
 */
#ifdef OSR_K510
#define OSR_CURRENT() ((struct task_struct *)bpf_get_current_task())
#define OSR_LOAD(p, field) BPF_CORE_READ(p, field)
#define OSR_PTR_ARGS_FUNC static __attribute__((noinline))
#else
#define OSR_CURRENT() bpf_get_current_task_btf()
#define OSR_LOAD(p, field) ((p)->field)
#define OSR_PTR_ARGS_FUNC __attribute__((noinline))
#endif

#ifdef OSR_COMPAT
/* The same walks, slower to verify. */
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
#define readable(task)                                                                             \
	((struct task_struct *)bpf_rdonly_cast(task, bpf_core_type_id_kernel(struct task_struct)))
#endif

/* The tasks of host-PID containers that left the container's mount namespace. */
#ifdef OSR_K510
/*
 * By the task's address: its own from task_newtask (the earliest a mark is
 * made) to sched_process_exit (where its mark goes), through exec, where a
 * pid is not (a thread that execs takes its leader's).
 */
#define OSR_MAX_MARKS 16384 /* tasks marked at once; past them, a task is counted unfollowed */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, OSR_MAX_MARKS);
	__type(key, __u64);
	__type(value, struct osr_mark);
} marks SEC(".maps");

/*
 * The argument slots being written, by (id, ABI, kind, slot): the one call
 * whose insert makes a slot's entry writes it. A claim matters only until
 * its slot is written, a moment: the LRU map forgets old ones, and ids are
 * never reused, so no claim is taken for another recording's.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} claims SEC(".maps");

static __always_inline struct osr_mark *mark_get(struct task_struct *task)
{
	__u64 key = (__u64)task;

	return bpf_map_lookup_elem(&marks, &key);
}

static __always_inline int mark_set(struct task_struct *task, struct osr_mark *m)
{
	__u64 key = (__u64)task;

	return bpf_map_update_elem(&marks, &key, m, BPF_ANY);
}

/* Task storage goes with its task; this map's entry is taken out as it exits. */
static __always_inline void mark_drop(void)
{
	__u64 key = bpf_get_current_task();

	bpf_map_delete_elem(&marks, &key);
}

/*
 * Add 1, and say whether the count was 0. Two CPUs making a first call at
 * once may both say so: each writes its time, nanoseconds apart.
 */
static __always_inline bool add_first(__u64 *count)
{
	bool first = READ_ONCE(*count) == 0;

	__sync_fetch_and_add(count, 1);
	return first;
}

/* A free slot of s this call alone may write (set: the set's key), or OSR_ARG_VALUES. */
static __always_inline __u32 claim_slot(struct osr_argset *s, __u64 set)
{
	__u8 one = 1;

	for (__u32 i = 0; i < OSR_ARG_VALUES; i++) {
		__u64 key = set << 8 | i;

		if (READ_ONCE(s->v[i]) || bpf_map_update_elem(&claims, &key, &one, BPF_NOEXIST))
			continue;
		__sync_fetch_and_add(&s->n, 1);
		return i;
	}
	return OSR_ARG_VALUES;
}
#else
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct osr_mark);
} marks SEC(".maps");

/* task: trusted (bpf_get_current_task_btf(), or a tracepoint's argument). */
static __always_inline struct osr_mark *mark_get(struct task_struct *task)
{
	return bpf_task_storage_get(&marks, task, 0, 0);
}

static __always_inline int mark_set(struct task_struct *task, struct osr_mark *m)
{
	struct osr_mark *s = bpf_task_storage_get(&marks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!s)
		return -1;
	*s = *m;
	return 0;
}

static __always_inline void mark_drop(void)
{
}

static __always_inline bool add_first(__u64 *count)
{
	return __sync_fetch_and_add(count, 1) == 0;
}

/* Slots are claimed in turn: the next one, whoever else claims at once. */
static __always_inline __u32 claim_slot(struct osr_argset *s, __u64 set)
{
	if (READ_ONCE(s->n) >= OSR_ARG_VALUES)
		return OSR_ARG_VALUES;
	return __sync_fetch_and_add(&s->n, 1);
}
#endif

#include "arch.h"

/*
 * A table of the hash map. A function of its own: inlined, the compiler
 * merges both lookups of table_at() into one call on a map chosen at run
 * time, which the verifier cannot inline (a generic helper call on every
 * recorded syscall, +12% here, where the array's lookup is a few loads).
 */
static __attribute__((noinline)) struct osr_container *more_table(__u32 id)
{
	return bpf_map_lookup_elem(&more_tables, &id);
}

/* The table at loc: an array slot's with plain loads, the hash map's with a lookup. */
static __always_inline struct osr_container *table_at(__u32 loc)
{
	__u32 k;

	if (loc & OSR_LOC_HASH)
		return more_table(loc & ~OSR_LOC_HASH);
	k = loc - 1;
	return loc ? bpf_map_lookup_elem(&tables, &k) : NULL;
}

static __always_inline __u32 loc_of(void *targets, __u32 inum)
{
	__u32 *v = bpf_map_lookup_elem(targets, &inum);

	return v ? *v : 0;
}

/* The table entered under inum: its bucket first, the hash map only for spills. */
static __always_inline __u32 find(struct osr_index *ix,
				  struct osr_index_entry (*kind)[OSR_INDEX_WAYS], void *targets,
				  __u32 inum)
{
	struct osr_index_entry *b = kind[osr_index_bucket(inum)];

#pragma unroll
	for (int i = 0; i < OSR_INDEX_WAYS; i++)
		if (b[i].inum == inum)
			return b[i].loc;
	return ix->spilled ? loc_of(targets, inum) : 0;
}

/*
 * The table of the host-PID container the current task is of: its mark's (if
 * the recording it names still has it), or its mount namespace's (mnt_addr,
 * the task's). A global function, verified once on its own: inlined, the
 * verifier walked it after every way through the PID namespace lookups. So
 * it takes the namespace as a number and reads it with probe reads; only the
 * rare paths call it. Returns the loc, or 0.
 */
__attribute__((noinline)) int osr_host_loc(__u64 mnt_addr)
{
	struct mnt_namespace *mnt = (struct mnt_namespace *)mnt_addr;
	__u32 zero = 0;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);
	struct osr_container *c;
	struct osr_mark *m;

	if (!ix)
		return 0;
	m = mark_get(OSR_CURRENT());
	if (m && (c = table_at(m->loc)) && c->id == m->id)
		return m->loc;
	return mnt ? find(ix, ix->mntns, &mntns_targets, BPF_CORE_READ(mnt, ns.inum)) : 0;
}

/*
 * The inode of pid's PID namespace at level i, or 0. struct pid's numbers[]
 * is an array of one before Linux 6.1, which CO-RE will not index past: the
 * entry's address is worked out here instead.
 */
static __always_inline __u32 pidns_inum(struct pid *pid, unsigned int i)
{
	struct upid *u = (struct upid *)((__u64)pid + bpf_core_field_offset(struct pid, numbers) +
					 i * bpf_core_type_size(struct upid));
	struct pid_namespace *ns = BPF_CORE_READ(u, ns);

	return ns ? BPF_CORE_READ(ns, ns.inum) : 0;
}

/* The table of a PID namespace's recording, walking up from the task's own to the host's. */
__attribute__((noinline)) int osr_pidns_loc(__u64 pid_addr)
{
	struct pid *pid = (struct pid *)pid_addr;
	__u32 zero = 0, loc;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);
	unsigned int level;

	if (!ix || !pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	/* The usual case, a container started from the host. */
	if (level == 1)
		return find(ix, ix->pidns, &pidns_targets, pidns_inum(pid, 1));
	/* Nested PID namespaces are rare: the hash map, which holds every entry. */
	for (int i = 0; i < OSR_MAX_PIDNS_DEPTH; i++) {
		__u32 inum;

		if (i >= (int)level)
			break;
		inum = pidns_inum(pid, (level - i) & 63);
		loc = inum ? loc_of(&pidns_targets, inum) : 0;
		if (loc)
			return loc;
	}
	return 0;
}

/*
 * The recorded container a task belongs to: the one whose PID namespace is the
 * task's or an ancestor of it (a container that runs `unshare -p` hides
 * nothing), or, while a host-PID container is recorded, the one it is marked
 * for or whose mount namespace is the task's. Host tasks leave after two
 * loads while no host-PID container is recorded.
 */
static __always_inline __u32 recorded_loc(struct osr_index *ix, struct task_struct *task)
{
	__u32 loc = osr_pidns_loc((__u64)BPF_CORE_READ(task, thread_pid));
	struct nsproxy *nsp;

	if (loc || !ix->mntns_count)
		return loc;
	nsp = OSR_LOAD(task, nsproxy);
	if (!nsp) /* exiting */
		return 0;
	return osr_host_loc((__u64)BPF_CORE_READ(nsp, mnt_ns));
}

/* Mark a task (see mark_get()) as the container's; a mark that cannot be made is counted. */
static __always_inline void mark(struct task_struct *task, __u32 loc)
{
	struct osr_container *c = table_at(loc);
	struct osr_mark m;

	if (!c)
		return;
	m.id = c->id;
	m.loc = loc;
	if (mark_set(task, &m))
		__sync_fetch_and_add(&c->unfollowed, 1);
}

/*
 * A task of a host-PID container enters unshare() or setns(): mark it before
 * it may leave the container's mount namespace. Marking a task whose call then
 * fails costs nothing: it is the container's either way. A global function:
 * inlined, it kept sys_enter's registers busy on every syscall.
 */
__attribute__((noinline)) int osr_mark_leaving(void)
{
	struct task_struct *cur = OSR_CURRENT();
	struct nsproxy *nsp = OSR_LOAD(readable(cur), nsproxy);
	__u32 loc;

	if (!nsp)
		return 0;
	loc = osr_host_loc((__u64)BPF_CORE_READ(nsp, mnt_ns));
	if (loc)
		mark(cur, loc);
	return 0;
}

/*
 * A task still running the runtime's executable is the runtime setting the
 * container up; once it has exec'd the entrypoint (and in every process the
 * workload starts) the executable is another one. Worked out when a hint is
 * made: it changes at an exec, which makes every hint stale (and at a
 * prctl(PR_SET_MM_EXE_FILE), a checkpoint/restore tool's, which the hint
 * follows the next time it is made).
 */
static __always_inline bool runs_runtime(struct task_struct *task, struct osr_container *c)
{
	struct mm_struct *mm = OSR_LOAD(task, mm);
	struct file *exe = mm ? OSR_LOAD(mm, exe_file) : NULL;
	struct super_block *sb;
	struct inode *inode;

	if (!exe)
		return false;
	inode = OSR_LOAD(exe, f_inode);
	if (OSR_LOAD(inode, i_ino) != c->exe_ino)
		return false;
	sb = OSR_LOAD(inode, i_sb);
	return OSR_LOAD(sb, s_dev) == c->exe_dev;
}

static __always_inline __u32 task_phase(struct task_struct *task, bool runtime)
{
	if (!runtime)
		return OSR_PHASE_WORKLOAD;
	/* The filter binds this task from here on: what it does now, a profile must allow. */
	if (OSR_LOAD(task, seccomp.mode) == OSR_SECCOMP_MODE_FILTER)
		return OSR_PHASE_FILTERED;
	return OSR_PHASE_SETUP;
}

/*
 * Keep a value in a set, once: the slots are claimed in turn, so a value
 * racing another CPU's may be kept twice (user space takes each once), and a
 * claimed slot not yet written reads 0, which ends the search early: at worst
 * a value is kept twice, never lost. Past the last slot the set is full.
 */
static __attribute__((noinline)) void keep_value(struct osr_argset *s, __u64 v, __u64 set)
{
	__u32 i;

	v |= OSR_ARG_PRESENT;
	for (i = 0; i < OSR_ARG_VALUES; i++) {
		__u64 x = READ_ONCE(s->v[i]);

		if (x == v)
			return;
		if (!x)
			break;
	}
	i = claim_slot(s, set);
	if (i < OSR_ARG_VALUES)
		WRITE_ONCE(s->v[i], v);
	else
		WRITE_ONCE(s->full, 1);
}

/* A socket's arguments in one value (see OSR_SOCKET_DOMAIN), or ~0 if they do not fit. */
static __always_inline __u64 socket_value(__u64 a0, __u64 a1, __u64 a2)
{
	__u64 domain = a0 & OSR_INT_MASK;
	__u64 type = a1 & OSR_INT_MASK & ~OSR_SOCK_FLAGS;
	__u64 proto = 0;

	if (domain == OSR_AF_NETLINK || domain == OSR_AF_PACKET)
		proto = a2 & OSR_INT_MASK;
	if (domain > 0xffff || type > 0xffff || proto > 0xffff)
		return ~0ULL;
	return domain | type << 16 | proto << 32;
}

/*
 * The arguments of a syscall in the table of recorded arguments (its seen
 * byte names the kind; abi_kind is abi << 8 | kind, a0-a2 its first three
 * arguments): the one function that records them. A global function,
 * verified once on its own: as a static one the verifier walked it again
 * for every state sys_enter reaches it in, which cost 6 ms of every load.
 */
OSR_PTR_ARGS_FUNC int osr_record_args(struct osr_container *c, __u32 abi_kind, __u64 a0, __u64 a1,
				      __u64 a2)
{
	__u32 abi = abi_kind >> 8, kind = abi_kind & 0xff;
	__u64 args[3] = { a0, a1, a2 };
	struct osr_argset *s;
	__u64 v;

	if (!c || abi >= OSR_ABI_COUNT || kind >= OSR_ARG_KIND_COUNT)
		return 0;
	s = &c->args[abi][kind];
	switch (kind) {
#define OSR_ARG_CASE(k, name, arg, mask)                                                           \
	case k:                                                                                    \
		v = args[arg] & (mask);                                                            \
		break;
		OSR_ARG_TABLE(OSR_ARG_CASE)
#undef OSR_ARG_CASE
	default:
		return 0;
	}
	if (kind == OSR_ARG_SOCKET || kind == OSR_ARG_SOCKETPAIR)
		v = socket_value(a0, a1, a2);
	if (v == ~0ULL)
		WRITE_ONCE(s->full, 1);
	else
		keep_value(s, v, (__u64)c->id << 16 | abi_kind);
	return 0;
}

/*
 * Count a syscall of a recording that counts (slot: its counting slot + 1):
 * the one function that does. A native call's count is in the `counts`
 * array, an array lookup the verifier makes a few loads; another ABI's, and
 * every first call's time, in the recording's `stats` entry, a hash lookup
 * (rare calls). An atomic add, so no call is lost to another CPU's; the call
 * that finds the count at 0 is the first and writes the time. Inlined: a
 * call of its own cost a tenth of a counted syscall's time here.
 */
static __always_inline void count_syscall(__u32 id, __u32 slot, __u32 phase, __u32 abi, long nr)
{
	struct osr_counts *a = NULL;
	struct osr_stats *s = NULL;
	__u32 k = slot - 1;
	__u64 *n;

	if (abi == OSR_ABI_NATIVE)
		a = bpf_map_lookup_elem(&counts, &k);
	else
		s = bpf_map_lookup_elem(&stats, &id);
	/* Checked after the lookup: see the same in osr_sys_enter(). */
	barrier_var(phase);
	barrier_var(abi);
	barrier_var(nr);
	if (phase >= OSR_PHASE_COUNT || abi >= OSR_ABI_COUNT || nr < 0 || nr >= OSR_MAX_SYSCALLS)
		return;
	if (a)
		n = &a->count[phase][nr];
	else if (s)
		n = &s->count[phase][abi][nr];
	else
		return;
	if (!add_first(n))
		return;
	s = bpf_map_lookup_elem(&stats, &id);
	barrier_var(phase);
	barrier_var(abi);
	barrier_var(nr);
	if (s && phase < OSR_PHASE_COUNT && abi < OSR_ABI_COUNT && nr >= 0 && nr < OSR_MAX_SYSCALLS)
		WRITE_ONCE(s->first_ns[phase][abi][nr], bpf_ktime_get_ns());
}

/*
 * Where the table of the recording the current task belongs to is, or 0:
 * what a hint miss costs. A global function, verified once on its own rather
 * than along every way sys_enter reaches it.
 */
__attribute__((noinline)) int osr_current_loc(void)
{
	__u32 zero = 0;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);
	struct task_struct *cur = OSR_CURRENT();

	if (!ix)
		return 0;
	return recorded_loc(ix, readable(cur));
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
	mark_drop();
	return 0;
}

/*
 * A task made by a task of a host-PID container: marked when its parent is
 * (its mark passes on), or when it is made with a mount namespace of its own
 * (clone with CLONE_NEWNS). Runs once a task, before it runs; never per
 * syscall, and returns at once while no host-PID container is recorded.
 */
SEC("tp_btf/task_newtask")
int BPF_PROG(osr_task_new, struct task_struct *task, __u64 clone_flags)
{
	__u32 zero = 0, loc;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);
	struct task_struct *parent;
	struct osr_container *c;
	struct osr_mark *m;
	struct nsproxy *pn;

	if (!ix || !ix->mntns_count)
		return 0;
	parent = OSR_CURRENT();
	m = mark_get(parent);
	if (m) {
		loc = m->loc;
		c = table_at(loc);
		if (c && c->id == m->id)
			mark(task, loc);
		return 0;
	}
	if (!(clone_flags & OSR_CLONE_NEWNS))
		return 0;
	pn = OSR_LOAD(readable(parent), nsproxy);
	loc = pn ? osr_host_loc((__u64)BPF_CORE_READ(pn, mnt_ns)) : 0;
	if (loc)
		mark(task, loc);
	return 0;
}

/* What a hint tells a syscall: read whole, or not at all. */
struct osr_view {
	__u32 loc;
	__u32 id;
	__u32 tag;
	__u8 runtime;
	__u8 counting;
};

/*
 * The hint names this task if it does both before and after it is read: the
 * program can be preempted, and another task's syscall on this CPU rewrite
 * the hint meanwhile (a seqlock with the task as the sequence; a writer names
 * no task while it writes).
 */
static __always_inline bool hint_read(struct osr_hint *h, __u64 regs, __u32 gen, __u32 stale,
				      struct osr_view *v)
{
	__u64 named = READ_ONCE(h->regs);
	bool ok;

	barrier();
	v->loc = h->loc;
	v->id = h->id;
	v->tag = h->tag;
	v->runtime = h->runtime;
	v->counting = h->counting;
	ok = named == regs && h->gen == gen && h->stale == stale;
	barrier();
	return ok && READ_ONCE(h->regs) == regs;
}

/*
 * A tag no hint of this CPU had: the counter is this CPU's, and the atomic
 * add keeps a preempted writer from taking the one another took. When it
 * comes round to 0 every word is cleared, so no word of a hint 2^32 hints ago
 * can be taken for a new one's; 0 means no tag (5.10: no add that returns the
 * old value, so no cache).
 */
static __always_inline __u32 new_tag(struct osr_hint *h)
{
#ifdef OSR_K510
	return 0;
#else
	__u32 tag = __sync_fetch_and_add(&h->next_tag, 1) + 1;

	if (tag)
		return tag;
	for (int i = 0; i < OSR_PHASE_COUNT; i++)
		for (int j = 0; j < OSR_MAX_SYSCALLS / 32; j++)
			WRITE_ONCE(h->seen[i][j], 0);
	return 0;
#endif
}

/* Work out what the hint should say of the current task, and say it: a hint miss. */
static __always_inline void hint_make(struct osr_hint *h, __u64 regs, __u32 gen, __u32 stale,
				      struct osr_view *v)
{
	struct osr_container *c;

	v->loc = osr_current_loc();
	c = v->loc ? table_at(v->loc) : NULL;
	v->id = c ? c->id : 0;
	v->counting = c && c->counting <= OSR_MAX_COUNTING ? c->counting : 0;
	v->runtime = c ? runs_runtime(readable(OSR_CURRENT()), c) : 0;
	v->tag = c ? new_tag(h) : 0;
	if (!c)
		v->loc = 0;
	WRITE_ONCE(h->regs, 0);
	barrier();
	h->gen = gen;
	h->stale = stale;
	h->loc = v->loc;
	h->id = v->id;
	h->tag = v->tag;
	h->runtime = v->runtime;
	h->counting = v->counting;
	barrier();
	WRITE_ONCE(h->regs, regs);
	barrier();
	/* Another writer in between leaves a mix: then it names no task. */
	if (h->gen != gen || h->stale != stale || h->loc != v->loc || h->tag != v->tag ||
	    h->id != v->id || h->runtime != v->runtime || h->counting != v->counting)
		WRITE_ONCE(h->regs, 0);
}

/* Whether this CPU has seen native syscall nr in phase set in the hint's table. */
static __always_inline bool seen_cached(struct osr_hint *h, const struct osr_view *v, __u32 phase,
					long nr)
{
	__u64 w;

	if (!v->tag || phase >= OSR_PHASE_COUNT || nr < 0 || nr >= OSR_MAX_SYSCALLS)
		return false;
	w = READ_ONCE(h->seen[phase][nr / 32]);
	return (w >> 32) == v->tag && (w & (1ULL << (nr % 32)));
}

/* Note that it is: a word of another tag is this hint's from now on. */
static __always_inline void cache_seen(struct osr_hint *h, const struct osr_view *v, __u32 phase,
				       long nr)
{
	__u64 w;

	if (!v->tag || phase >= OSR_PHASE_COUNT || nr < 0 || nr >= OSR_MAX_SYSCALLS)
		return;
	w = READ_ONCE(h->seen[phase][nr / 32]);
	if ((w >> 32) != v->tag)
		w = (__u64)v->tag << 32;
	WRITE_ONCE(h->seen[phase][nr / 32], w | 1ULL << (nr % 32));
}

SEC("tp_btf/sys_enter")
int BPF_PROG(osr_sys_enter, struct pt_regs *regs, long id)
{
	__u32 zero = 0, abi, phase, gen, stale;
	struct osr_index *ix = bpf_map_lookup_elem(&ns_index, &zero);
	struct osr_hint *h = bpf_map_lookup_elem(&hints, &zero);
	struct task_struct *task;
	struct osr_container *c;
	struct osr_view v;
	__u8 seen;

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
		osr_mark_leaving();
	}
	if (!hint_read(h, (__u64)regs, gen, stale, &v))
		hint_make(h, (__u64)regs, gen, stale, &v);
	/* Most syscalls end here: a task of no recorded container. */
	if (!v.loc)
		return 0;
	/* A recorded task that execs may change phase: its hints go stale. */
	if (OSR_EXECS(id))
		__sync_fetch_and_add(&ix->stale, 1);
	task = readable(OSR_CURRENT());
	abi = osr_syscall_abi(task, &id);
	phase = task_phase(task, v.runtime);
	if (id < 0 || id >= OSR_MAX_SYSCALLS || abi >= OSR_ABI_COUNT || phase >= OSR_PHASE_COUNT) {
		c = table_at(v.loc);
		if (c)
			__sync_fetch_and_add(&c->overflow, 1);
		return 0;
	}
	/* Recordings that do not count pay this branch only. */
	if (v.counting)
		count_syscall(v.id, v.counting, phase, abi, id);
	/* Most recorded syscalls end here: seen already, and said so on this CPU. */
	if (abi == OSR_ABI_NATIVE && seen_cached(h, &v, phase, id))
		return 0;
	c = table_at(v.loc);
	/*
	 * Checked again after the call: the compiler keeps id on the stack
	 * across it, and Linux 5.10's verifier forgets the bounds of a value
	 * spilled there (it keeps a constant's only; 5.11 keeps them), which
	 * made it refuse the index below. The barrier keeps the compiler from
	 * dropping a check it knows holds.
	 */
	barrier_var(id);
	barrier_var(phase);
	barrier_var(abi);
	if (!c || id < 0 || id >= OSR_MAX_SYSCALLS || abi >= OSR_ABI_COUNT ||
	    phase >= OSR_PHASE_COUNT)
		return 0;
	/* Read before writing: a hot syscall does not keep dirtying the cache line. */
	seen = c->seen[phase][abi][id];
	if (OSR_SEEN_KIND(seen))
		osr_record_args(c, abi << 8 | OSR_SEEN_KIND(seen), osr_syscall_arg(regs, abi, 0),
				osr_syscall_arg(regs, abi, 1), osr_syscall_arg(regs, abi, 2));
	if (!(seen & OSR_SEEN))
		c->seen[phase][abi][id] = seen | OSR_SEEN;
	/* A syscall whose arguments are recorded comes here every time. */
	if (!OSR_SEEN_KIND(seen) && abi == OSR_ABI_NATIVE)
		cache_seen(h, &v, phase, id);
	return 0;
}
