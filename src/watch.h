/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_WATCH_H
#define OSR_WATCH_H

/*
 * Watch mode's profile (src/watch.c): from a recorded profile, the one a
 * container runs under while a listener (src/listener.c) sees what the
 * profile lacks. What the profile allows stays allowed in the kernel; the
 * rest goes to the listener through the seccomp user notifier.
 */
#include <json-c/json.h>

#include "util.h"

/* The listener's socket (src/listener.c), its state beside it. */
#define OSR_WATCH_SOCKET_DEFAULT "/run/oci-seccomp-recorder/watch.sock"

enum watch_runtime {
	WATCH_RUNC, /* NOTIFY refused as the default: every other syscall listed */
	WATCH_CRUN, /* NOTIFY as the default */
};

/* "runc" or "crun": -EINVAL for anything else. */
int watch_runtime_parse(const char *s, enum watch_runtime *rt);

/*
 * The watch profile for runtime rt, its listenerPath the given socket
 * (absolute). in is not changed. The profile's errno for a refused call
 * (defaultErrnoRet, EPERM without one) travels in listenerMetadata as
 * "errno=N", which the runtime hands the listener with the seccomp fd.
 */
int watch_profile(json_object *in, enum watch_runtime rt, const char *listener, json_object **out,
		  struct osr_err *err);

/* The errno a listener returns in enforce mode: listenerMetadata's "errno=N", else EPERM. */
int watch_metadata_errno(const char *metadata);

#endif
