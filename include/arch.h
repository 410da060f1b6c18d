/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The header of the architecture being built for: include/arch/ARCH.h, one
 * per architecture the project supports (the Makefile refuses the others).
 */
#ifndef OSR_ARCH_H
#define OSR_ARCH_H

#include "recorder.h"

#if defined(__TARGET_ARCH_x86) || (!defined(__bpf__) && defined(__x86_64__))
#include "arch/x86.h"
#elif defined(__TARGET_ARCH_arm64) || (!defined(__bpf__) && defined(__aarch64__))
#include "arch/arm64.h"
#else
#error "oci-seccomp-recorder supports x86-64 and arm64: add include/arch/ARCH.h for another"
#endif

#endif
