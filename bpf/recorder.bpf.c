// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel side of oci-seccomp-recorder: one program on the raw_syscalls:sys_enter
 * tracepoint that marks each (phase, ABI, syscall number) used by any task whose
 * PID namespace is the container's, or is nested inside it. Nothing is sent to
 * user space per syscall: user space reads the `seen` table once, at the end.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "recorder.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load. */
const volatile __u32 target_pidns_inum = 0;
const volatile __u32 target_pidns_level = 0;
/*
 * For a container that shares the host's PID namespace: match its mount
 * namespace instead (0: match the PID namespace).
 */
const volatile __u32 target_mntns_inum = 0;
/* The runtime's init executable (inode, kernel dev_t), as it was at prestart. */
const volatile __u64 runtime_exe_ino = 0;
const volatile __u32 runtime_exe_dev = 0;

/* Results, read by user space through the skeleton's mmapped .bss. */
__u8 seen[OSR_PHASE_COUNT][OSR_ABI_COUNT][OSR_MAX_SYSCALLS];
__u64 overflow;

#define OSR_SECCOMP_MODE_FILTER 2

/* x86 thread_info.status bits (arch/x86/include/asm/thread_info.h). */
#define OSR_TS_COMPAT 0x0002
#define OSR_X32_SYSCALL_BIT 0x40000000

static __always_inline bool in_target_pidns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	__u32 level = target_pidns_level;
	struct pid_namespace *ns;

	if (!pid || BPF_CORE_READ(pid, level) < level)
		return false;
	/*
	 * numbers[L] is the task's pid in the namespace at depth L; a task in a
	 * namespace nested inside the container's still has one there.
	 */
	ns = BPF_CORE_READ(pid, numbers[level].ns);
	return ns && BPF_CORE_READ(ns, ns.inum) == target_pidns_inum;
}

static __always_inline bool in_target(struct task_struct *task)
{
	if (target_mntns_inum) {
		struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);

		/* An exiting task has no nsproxy any more. */
		return nsp && BPF_CORE_READ(nsp, mnt_ns, ns.inum) == target_mntns_inum;
	}
	return in_target_pidns(task);
}

static __always_inline __u32 syscall_abi(struct task_struct *task, long *id)
{
#if defined(__TARGET_ARCH_x86)
	if (*id & OSR_X32_SYSCALL_BIT) {
		*id &= ~OSR_X32_SYSCALL_BIT;
		return OSR_ABI_X32;
	}
	if (bpf_core_field_exists(task->thread_info.status) &&
	    (BPF_CORE_READ(task, thread_info.status) & OSR_TS_COMPAT))
		return OSR_ABI_COMPAT;
#endif
	return OSR_ABI_NATIVE;
}

/*
 * A task still running the runtime's executable is the runtime setting the
 * container up; once it has exec'd the entrypoint (and in every process the
 * workload starts) the executable is another one.
 */
static __always_inline __u32 task_phase(struct task_struct *task)
{
	struct inode *inode = BPF_CORE_READ(task, mm, exe_file, f_inode);

	if (!inode || BPF_CORE_READ(inode, i_ino) != runtime_exe_ino ||
	    BPF_CORE_READ(inode, i_sb, s_dev) != runtime_exe_dev)
		return OSR_PHASE_WORKLOAD;
	/* The filter binds this task from here on: what it does now, a profile must allow. */
	if (BPF_CORE_READ(task, seccomp.mode) == OSR_SECCOMP_MODE_FILTER)
		return OSR_PHASE_FILTERED;
	return OSR_PHASE_SETUP;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(osr_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 abi, phase;

	if (!in_target(task))
		return 0;

	abi = syscall_abi(task, &id);
	phase = task_phase(task);
	if (id < 0 || id >= OSR_MAX_SYSCALLS || abi >= OSR_ABI_COUNT ||
	    phase >= OSR_PHASE_COUNT) {
		__sync_fetch_and_add(&overflow, 1);
		return 0;
	}
	/* Read before writing: a hot syscall does not keep dirtying the cache line. */
	if (!seen[phase][abi][id])
		seen[phase][abi][id] = 1;
	return 0;
}
