/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64: what the program and user space need to know of this architecture,
 * and nothing of it anywhere else. A task enters the kernel as a 64-bit
 * (aarch64) or, on kernels with CONFIG_COMPAT, a 32-bit ARM (EABI) task.
 */
#ifndef OSR_ARCH_ARM64_H
#define OSR_ARCH_ARM64_H

/* The libseccomp (audit) architecture of each ABI slot: native, compat, none. */
#define OSR_ARCH_TOKENS                                                                            \
	{                                                                                          \
		0xc00000b7u /* SCMP_ARCH_AARCH64 */, 0x40000028u /* SCMP_ARCH_ARM */, 0            \
	}

/* thread_info.flags bit of a 32-bit task (arch/arm64/include/asm/thread_info.h). */
#define OSR_ARM64_TIF_32BIT 22

/*
 * 32-bit ARM's private syscalls, 0xf0000 + 1 to 6 (breakpoint, cacheflush,
 * usr26, usr32, set_tls, get_tls: arch/arm64/kernel/sys_compat.c): a static
 * armhf program calls set_tls first thing. Recorded in the table's last
 * slots, which no ARM syscall reaches; user space turns them back.
 */
#define OSR_ARM_PRIVATE_BASE 0xf0000
#define OSR_ARM_PRIVATE_SLOTS 8
#define OSR_ARM_PRIVATE_SLOT (OSR_MAX_SYSCALLS - OSR_ARM_PRIVATE_SLOTS)
/* The number a recorded slot stands for, for libseccomp's architecture arch. */
#define OSR_ARCH_RECORDED_NR(arch, nr)                                                             \
	((arch) == 0x40000028u && (nr) >= OSR_ARM_PRIVATE_SLOT                                     \
		 ? OSR_ARM_PRIVATE_BASE - OSR_ARM_PRIVATE_SLOT + (nr)                              \
		 : (nr))

#ifdef __VMLINUX_H__
/* unshare and setns: 97 and 268 for aarch64, 337 and 375 for 32-bit ARM. */
#define OSR_MOVES_NS(id) ((id) == 97 || (id) == 268 || (id) == 337 || (id) == 375)

/* execve and execveat (221 and 281 on arm64, 11 and 387 on arm). */
#define OSR_EXECS(id) ((id) == 221 || (id) == 281 || (id) == 11 || (id) == 387)

static __always_inline __u32 osr_syscall_abi(struct task_struct *task, long *id)
{
	if (OSR_LOAD(task, thread_info.flags) & (1UL << OSR_ARM64_TIF_32BIT)) {
		if (*id >= OSR_ARM_PRIVATE_BASE &&
		    *id < OSR_ARM_PRIVATE_BASE + OSR_ARM_PRIVATE_SLOTS)
			*id = OSR_ARM_PRIVATE_SLOT + *id - OSR_ARM_PRIVATE_BASE;
		return OSR_ABI_COMPAT;
	}
	return OSR_ABI_NATIVE;
}

/* Argument n (0-5): x0-x5, or r0-r5 for a 32-bit task. The first is orig_x0's. */
static __always_inline __u64 osr_syscall_arg(struct pt_regs *regs, __u32 abi, int n)
{
	__u64 v = n ? regs->regs[n & 7] : regs->orig_x0;

	return abi == OSR_ABI_COMPAT ? (__u32)v : v;
}
#endif /* __VMLINUX_H__ */

#endif
