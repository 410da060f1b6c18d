/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_PROTOCOL_H
#define OSR_PROTOCOL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "spec.h"
#include "util.h"

/*
 * The recording service's protocol: one request and one reply per
 * connection on a Unix stream socket. A request is at most OSR_PROTO_MAX
 * bytes of text, sent in one message with its fds (SCM_RIGHTS):
 *
 *   osr 1 start\n          fds: the container's pidfd, its output folder
 *   id=ID\n                     (O_PATH), the base (O_RDONLY) if any, the
 *                          stats folder (O_PATH) if any
 *   name=FILE\n            the output's name in that folder
 *   path=/abs/out.json\n   how the caller named it (messages, records)
 *   input=/abs/base.json\n (when a base is sent)
 *   scope=workload|exact|all\n  nnp=0|1\n  any_nnp=0|1\n  args=default|none|all\n  alone=0|1\n
 *   stats_name=FILE\n  stats_path=/abs/stats.json\n   (optional, with a 4th fd:
 *                          the stats file's folder)
 *   bundle=/abs/bundle\n   (optional)
 *
 *   osr 1 stop\n  id=ID\n  bundle=/abs/bundle\n      no fds
 *
 * The reply: "ok\n", or "error MESSAGE\n" (one line). Keys may come in any
 * order, each once; an unknown key, a second version or a line without '='
 * is refused. The fields are a table in protocol.c (kv.h); the spec's rows
 * are PROFILE_SPEC_FIELDS (spec.h).
 */
#define OSR_PROTO_VERSION 1
#define OSR_PROTO_MAX 8192
#define OSR_SOCKET_DEFAULT "/run/oci-seccomp-recorder.sock"

enum proto_op {
	PROTO_START,
	PROTO_STOP,
};

struct proto_request {
	enum proto_op op;
	char id[257];
	char name[NAME_MAX + 1];
	char path[PATH_MAX];
	char input[PATH_MAX];
	char bundle[PATH_MAX];
	char stats_name[NAME_MAX + 1]; /* the stats file's name in its folder (4th fd) */
	char stats_path[PATH_MAX];
	struct profile_spec spec;
	bool alone;
	bool has_input, has_stats;
};

/* Parse a request's text (not NUL-terminated); every field is checked. */
int proto_parse(const char *buf, size_t len, struct proto_request *req, struct osr_err *err);

/*
 * Render a request (for the client); returns the length, or -ENAMETOOLONG,
 * or -EINVAL for a value with a control character (a bundle path's).
 */
int proto_render(const struct proto_request *req, char *buf, size_t size);

/* The most fds a message carries. */
#define OSR_PROTO_MAX_FDS 4

/* Send text with up to OSR_PROTO_MAX_FDS fds in one message; receive the same (fds set -1 if absent). */
int proto_send(int sock, const char *text, size_t len, const int *fds, size_t nfds);
int proto_recv(int sock, char *buf, size_t size, size_t *len, int *fds, size_t *nfds);

#endif
