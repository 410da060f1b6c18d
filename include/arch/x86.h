/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86-64: what the program and user space need to know of this architecture,
 * and nothing of it anywhere else. A task enters the kernel with one of three
 * ABIs: x86-64, ia32 (int 0x80, or a 32-bit program) and x32 (x86-64 numbers
 * with bit 30 set).
 */
#ifndef OSR_ARCH_X86_H
#define OSR_ARCH_X86_H

/* The libseccomp (audit) architecture of each ABI slot: native, compat, x32. */
#define OSR_ARCH_TOKENS                                                                            \
	{                                                                                          \
		0xc000003eu /* SCMP_ARCH_X86_64 */, 0x40000003u /* SCMP_ARCH_X86 */,               \
			0x4000003eu /* SCMP_ARCH_X32 */                                            \
	}

/* thread_info.status bit (arch/x86/include/asm/thread_info.h) and the x32 number bit. */
#define OSR_X86_TS_COMPAT 0x0002
#define OSR_X86_X32_SYSCALL_BIT 0x40000000

#ifdef __VMLINUX_H__
/*
 * The syscalls that move a task to another mount namespace (unshare, setns:
 * 272 and 308 on x86-64 and x32, 310 and 346 on ia32). A 64-bit syscall that
 * shares an ia32 number only costs a hint and a look.
 */
#define OSR_MOVES_NS(id)                                                                           \
	(((id) & ~OSR_X86_X32_SYSCALL_BIT) == 272 || (id) == 310 ||                                \
	 ((id) & ~OSR_X86_X32_SYSCALL_BIT) == 308 || (id) == 346)

/*
 * The syscalls that exec (execve, execveat: 59 and 322 on x86-64, 520 and
 * 545 on x32, 11 and 358 on ia32): a task that execs may change phase. A
 * number another ABI shares only costs a stale hint.
 */
#define OSR_EXECS(id)                                                                              \
	(((id) & ~OSR_X86_X32_SYSCALL_BIT) == 59 || ((id) & ~OSR_X86_X32_SYSCALL_BIT) == 322 ||    \
	 ((id) & ~OSR_X86_X32_SYSCALL_BIT) == 520 || ((id) & ~OSR_X86_X32_SYSCALL_BIT) == 545 ||   \
	 (id) == 11 || (id) == 358)

/* The ABI a syscall was made with; the x32 bit is taken off its number. */
static __always_inline __u32 osr_syscall_abi(struct task_struct *task, long *id)
{
	if (*id & OSR_X86_X32_SYSCALL_BIT) {
		*id &= ~OSR_X86_X32_SYSCALL_BIT;
		return OSR_ABI_X32;
	}
	if (bpf_core_field_exists(task->thread_info.status) &&
	    (OSR_LOAD(task, thread_info.status) & OSR_X86_TS_COMPAT))
		return OSR_ABI_COMPAT;
	return OSR_ABI_NATIVE;
}

/* Argument n (0-5) of the syscall being entered, as the ABI passes it. */
static __always_inline __u64 osr_syscall_arg(struct pt_regs *regs, __u32 abi, int n)
{
	if (abi == OSR_ABI_COMPAT) {
		switch (n) {
		case 0:
			return (__u32)regs->bx;
		case 1:
			return (__u32)regs->cx;
		case 2:
			return (__u32)regs->dx;
		case 3:
			return (__u32)regs->si;
		case 4:
			return (__u32)regs->di;
		default:
			return (__u32)regs->bp;
		}
	}
	switch (n) {
	case 0:
		return regs->di;
	case 1:
		return regs->si;
	case 2:
		return regs->dx;
	case 3:
		return regs->r10;
	case 4:
		return regs->r8;
	default:
		return regs->r9;
	}
}
#endif /* __VMLINUX_H__ */

#endif
