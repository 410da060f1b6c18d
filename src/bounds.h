/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_BOUNDS_H
#define OSR_BOUNDS_H

/*
 * What a profile read from a file (an if: or --base base, an input of merge or
 * check) may hold. On a node shared by tenants a pod author picks the base, and
 * prestart processes it as root while the container waits: every part of its
 * cost is bounded here, so that the worst profile accepted takes well under a
 * second (bench/base-cost measures it, docs/PERFORMANCE.md has the figure).
 *
 * Real profiles are far inside: Docker's and containers-common's default is
 * 16 KiB, 35 rules, 472 names (374 in its largest rule), 2 argument conditions
 * in a rule and 10 in all; a Security Profiles Operator recording is one rule
 * of a few hundred names; one rule per syscall is about 450 rules.
 */

/*
 * The file, in bytes. JSON of small values takes about 75 bytes of memory per
 * byte of text, held by the tracer for the container's lifetime: 256 KiB is
 * at most about 20 MB, and 16 times Docker's profile.
 */
#define OSR_PROFILE_MAX (256u << 10)

/* Entries of "syscalls". */
#define OSR_RULES_MAX 1024u

/* Names in one rule: twice the 487 syscall names libseccomp 2.5.4 knows on all architectures. */
#define OSR_RULE_NAMES_MAX 1024u

/* Names in all rules together. */
#define OSR_NAMES_MAX 4096u

/* Conditions in one rule's "args": a syscall has 6 arguments, seccomp compares no more. */
#define OSR_ARGS_MAX 6u

/*
 * Argument conditions in all rules together, each counted once per name of
 * its rule (a rule of 3 names and 2 args is 6): what libseccomp turns into
 * comparisons in the BPF program, and the time it takes to generate a program
 * grows with about the cube of its length. Docker's profile has 10. At 128,
 * the worst case found (64-bit SCMP_CMP_GT on a few syscalls, every other
 * syscall under its own errno, ten architectures) compiles in about 0.3 s on
 * the test machine; at 256 it took 0.8 s.
 */
#define OSR_CONDITIONS_MAX 128u

#endif
