/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_RUNTIMES_H
#define OSR_RUNTIMES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * What OCI runtimes do after loading a container's seccomp filter, which a
 * profile must allow for the container to start under them: the one table of
 * it (src/runtimes.c).
 */
/* The values a runtime passes to a syscall whose arguments are recorded (recorder.h). */
struct runtime_args {
	const char *name; /* NULL ends a list */
	size_t n;
	const unsigned long long *v;
};

struct runtime_tail {
	const char *runtime;		 /* as it is called, with the version measured */
	int no_new_privs;		 /* 1, 0, or -1: either */
	const char *const *names;	 /* NULL-terminated */
	const struct runtime_args *args; /* for the names whose arguments are recorded */
};

extern const struct runtime_tail runtime_tails[];
extern const size_t runtime_tail_count;

/*
 * A call a runtime makes after loading the filter only when it hands the
 * filter's fd to a listener (linux.seccomp.listenerPath): a recording has no
 * listener, so a recorded profile lacks it, and watch mode must allow it.
 */
struct runtime_listener_call {
	const char *runtime; /* as in runtime_tails */
	const char *name;
	int arg;		  /* the argument compared, -1: none */
	unsigned long long value; /* its value, as a 32-bit int */
};

extern const struct runtime_listener_call runtime_listener_calls[];
extern const size_t runtime_listener_call_count;

/*
 * The syscalls runc's init (a Go program) makes at moments it does not
 * choose: scheduling, preemption signals, memory. NULL-terminated.
 */
extern const char *const runtime_async[];

/* Is name in a NULL-terminated list? */
bool name_in(const char *name, const char *const *list);

/*
 * Would some runtime make name after loading the filter, with this
 * noNewPrivileges setting (any: either)? The asynchronous ones count.
 */
bool runtime_needs(const char *name, bool no_new_privs, bool any);

/* Whether a tail is that of a runtime run with this noNewPrivileges setting (any: either). */
bool runtime_tail_applies(const struct runtime_tail *t, bool no_new_privs, bool any);

/* What the profile covers, for its comment: "runc, crun, ... with noNewPrivileges X". */
const char *runtime_cover(bool no_new_privs, bool any);

#endif
