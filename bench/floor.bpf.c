// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor for the benchmark: a program on the same tracepoint that does
 * nothing. What a syscall costs with it attached is what enabling the
 * tracepoint costs at all; the recorder is measured against it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(osr_floor, struct pt_regs *regs, long id)
{
	return 0;
}
