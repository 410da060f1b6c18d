// SPDX-License-Identifier: GPL-2.0-only
/* The recording service's messages: see protocol.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "kv.h"
#include "protocol.h"
#include "scope.h"
#include "state.h"

/* A request's fields (kv.h); a start may take them all, a stop only id and bundle. */
static const struct kv_field request_fields[] = {
	KV_FIELD(struct proto_request, id, "id", KV_STR),
	KV_FIELD(struct proto_request, name, "name", KV_STR),
	KV_FIELD(struct proto_request, path, "path", KV_STR),
	KV_FIELD(struct proto_request, input, "input", KV_STR, .skip_empty = true),
	PROFILE_SPEC_FIELDS(struct proto_request, spec),
	KV_FIELD(struct proto_request, alone, "alone", KV_BOOL),
	KV_FIELD(struct proto_request, stats_name, "stats_name", KV_STR, .skip_empty = true),
	KV_FIELD(struct proto_request, stats_path, "stats_path", KV_STR, .skip_empty = true),
	KV_FIELD(struct proto_request, bundle, "bundle", KV_STR),
};
#define FIELD_BIT(key) kv_bit(request_fields, ARRAY_SIZE(request_fields), key)

/* A file name in the folder sent: one component. */
static bool file_name_ok(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* What a start's fields must say, beyond each being well formed. */
static int check_start(const struct proto_request *req, uint64_t seen, struct osr_err *err)
{
	if (!file_name_ok(req->name))
		return osr_fail(err, -EINVAL, "request: 'name' is not a file name");
	if (req->path[0] != '/')
		return osr_fail(err, -EINVAL, "request: 'path' is not absolute");
	if (!(seen & FIELD_BIT("stats_name")) != !(seen & FIELD_BIT("stats_path")))
		return osr_fail(err, -EINVAL, "request: 'stats_name' and 'stats_path' go together");
	if (req->has_stats && !file_name_ok(req->stats_name))
		return osr_fail(err, -EINVAL, "request: 'stats_name' is not a file name");
	if (req->has_stats && req->stats_path[0] != '/')
		return osr_fail(err, -EINVAL, "request: 'stats_path' is not absolute");
	return 0;
}

int proto_parse(const char *buf, size_t len, struct proto_request *req, struct osr_err *err)
{
	const char *p = buf, *end = buf + len, *nl;
	uint64_t seen = 0;
	char head[32];
	int r;

	memset(req, 0, sizeof(*req));
	if (len == 0 || len > OSR_PROTO_MAX)
		return osr_fail(err, -EINVAL, "request: empty or longer than %d bytes",
				OSR_PROTO_MAX);
	if (memchr(buf, '\0', len))
		return osr_fail(err, -EINVAL, "request: it has a NUL byte");
	nl = memchr(p, '\n', len);
	if (!nl || (size_t)(nl - p) >= sizeof(head))
		return osr_fail(err, -EINVAL, "request: no 'osr VERSION OP' line");
	memcpy(head, p, (size_t)(nl - p));
	head[nl - p] = '\0';
	if (!strcmp(head, "osr 1 start"))
		req->op = PROTO_START;
	else if (!strcmp(head, "osr 1 stop"))
		req->op = PROTO_STOP;
	else if (!strncmp(head, "osr ", 4) && strncmp(head, "osr 1 ", 6))
		return osr_fail(err, -EPROTONOSUPPORT,
				"request: protocol version other than %d (hook and service "
				"differ in version?)",
				OSR_PROTO_VERSION);
	else
		return osr_fail(err, -EINVAL, "request: unknown operation");
	r = kv_parse(request_fields, ARRAY_SIZE(request_fields), req, nl + 1,
		     (size_t)(end - nl - 1), true, "request", &seen, err);
	if (r < 0)
		return r;
	req->has_input = seen & FIELD_BIT("input");
	req->has_stats = seen & FIELD_BIT("stats_name");
	if (!container_id_valid(req->id))
		return osr_fail(err, -EINVAL, "request: no valid container 'id'");
	if (req->bundle[0] && req->bundle[0] != '/')
		return osr_fail(err, -EINVAL, "request: 'bundle' is not absolute");
	/* A stop names a recording, nothing more. */
	if (req->op == PROTO_STOP)
		return seen & ~(FIELD_BIT("id") | FIELD_BIT("bundle"))
			       ? osr_fail(err, -EINVAL, "request: stop takes only 'id' and 'bundle'")
			       : 0;
	return check_start(req, seen, err);
}

int proto_render(const struct proto_request *req, char *buf, size_t size)
{
	static const struct kv_field stop_fields[] = {
		KV_FIELD(struct proto_request, id, "id", KV_STR),
		KV_FIELD(struct proto_request, bundle, "bundle", KV_STR),
	};
	size_t len;
	int n;

	n = snprintf(buf, size, "osr %d %s\n", OSR_PROTO_VERSION,
		     req->op == PROTO_STOP ? "stop" : "start");
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	len = (size_t)n;
	n = req->op == PROTO_STOP ? kv_render(stop_fields, ARRAY_SIZE(stop_fields), req, buf, size,
					      &len, "request", NULL)
				  : kv_render(request_fields, ARRAY_SIZE(request_fields), req, buf,
					      size, &len, "request", NULL);
	return n < 0 ? n : (int)len;
}

int proto_send(int sock, const char *text, size_t len, const int *fds, size_t nfds)
{
	char cbuf[CMSG_SPACE(OSR_PROTO_MAX_FDS * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)text, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > OSR_PROTO_MAX_FDS)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *c;

		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int proto_recv(int sock, char *buf, size_t size, size_t *len, int *fds, size_t *nfds)
{
	char cbuf[CMSG_SPACE(OSR_PROTO_MAX_FDS * sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	ssize_t n;

	*nfds = 0;
	for (size_t i = 0; i < OSR_PROTO_MAX_FDS; i++)
		fds[i] = -1;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0)
		if (errno != EINTR)
			return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*nfds < OSR_PROTO_MAX_FDS)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) {
		for (size_t i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		return -EMSGSIZE;
	}
	*len = (size_t)n;
	return 0;
}
