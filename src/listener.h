/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_LISTENER_H
#define OSR_LISTENER_H

/*
 * The watch-mode listener (src/listener.c): a root daemon at a listenerPath
 * socket. Runtimes hand it each watched container's seccomp notify fd with
 * the container's state (OCI runtime-spec, linux.seccomp.listenerPath); the
 * `policy` and `watch-report` commands talk to it on the same socket, one
 * text line each ("policy ID MODE", "report ID", "ping").
 */

/* Where it keeps each container's state, so a restart keeps policies and learned calls. */
#define OSR_WATCH_STATE_DEFAULT "/run/oci-seccomp-recorder/watch"

/* The longest request or container state accepted on the socket. */
#define LISTEN_MSG_MAX (1u << 20)

/* Run until SIGTERM or SIGINT: 0, or -errno once logged. out_root: --output-dir, or NULL. */
int listener_run(const char *socket_path, const char *state_dir, const char *out_root);

/* One request to the listener: its reply in *reply (malloc'd). -errno once logged. */
int listener_ask(const char *socket_path, const char *request, int timeout_ms, char **reply);

#endif
