// SPDX-License-Identifier: GPL-2.0-only
/* The kernel releases the BPF program is said to be too old for. */
#include "bpfload.h"
#include "unit.h"

TEST(kernel_too_old_by_release)
{
	CHECK(bpf_kernel_too_old("5.4.0-150-generic"));
	CHECK(bpf_kernel_too_old("4.19.0-27-amd64"));
	CHECK(bpf_kernel_too_old("5.9.16"));
	CHECK(bpf_kernel_too_old("3.10.0-1160.el7.x86_64"));
	CHECK(!bpf_kernel_too_old("5.10.0-32-amd64"));
	CHECK(!bpf_kernel_too_old("5.10.223-212.873.amzn2.x86_64"));
	CHECK(!bpf_kernel_too_old("5.15.0"));
	CHECK(!bpf_kernel_too_old("6.1.0-50-amd64"));
	CHECK(!bpf_kernel_too_old("10.0"));
}

/* A release it cannot read is not refused for its number. */
TEST(kernel_too_old_unreadable)
{
	CHECK(!bpf_kernel_too_old(""));
	CHECK(!bpf_kernel_too_old("linux"));
	CHECK(!bpf_kernel_too_old("5"));
}

int main(void)
{
	RUN(kernel_too_old_by_release);
	RUN(kernel_too_old_unreadable);
	return 0;
}
