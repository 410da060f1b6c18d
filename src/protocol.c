// SPDX-License-Identifier: GPL-2.0-only
/* The recording service's messages: see protocol.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "protocol.h"
#include "scope.h"
#include "state.h"

/* A value: no control character (a line break would start another key). */
static int copy_value(const char *key, const char *v, size_t n, char *out, size_t size,
		      struct osr_err *err)
{
	if (n >= size)
		return osr_fail(err, -ENAMETOOLONG, "request: '%s' is longer than %zu bytes", key,
				size - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return osr_fail(err, -EINVAL, "request: '%s' has a control character", key);
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

static int parse_bool(const char *key, const char *v, size_t n, bool *out, struct osr_err *err)
{
	if (n != 1 || (v[0] != '0' && v[0] != '1'))
		return osr_fail(err, -EINVAL, "request: '%s' is not 0 or 1", key);
	*out = v[0] == '1';
	return 0;
}

static int parse_line(struct proto_request *req, const char *line, size_t n, unsigned int *seen,
		      struct osr_err *err)
{
	static const char *const keys[] = { "id",    "name", "path",	"input", "bundle",
					    "scope", "nnp",  "any_nnp", "alone", "no_args" };
	const char *eq = memchr(line, '=', n);
	char scope[16];
	struct osr_esc e;
	size_t k, kl, vl;
	const char *v;

	if (!eq)
		return osr_fail(err, -EINVAL, "request: a line has no '='");
	kl = (size_t)(eq - line);
	v = eq + 1;
	vl = n - kl - 1;
	for (k = 0; k < ARRAY_SIZE(keys); k++)
		if (strlen(keys[k]) == kl && !memcmp(keys[k], line, kl))
			break;
	if (k == ARRAY_SIZE(keys))
		return osr_fail(err, -EINVAL, "request: unknown key '%s'",
				osr_escape(line, kl, &e));
	if (*seen & (1u << k))
		return osr_fail(err, -EINVAL, "request: '%s' given twice", keys[k]);
	*seen |= 1u << k;
	switch (k) {
	case 0:
		return copy_value("id", v, vl, req->id, sizeof(req->id), err);
	case 1:
		return copy_value("name", v, vl, req->name, sizeof(req->name), err);
	case 2:
		return copy_value("path", v, vl, req->path, sizeof(req->path), err);
	case 3:
		req->has_input = true;
		return copy_value("input", v, vl, req->input, sizeof(req->input), err);
	case 4:
		return copy_value("bundle", v, vl, req->bundle, sizeof(req->bundle), err);
	case 5:
		if (copy_value("scope", v, vl, scope, sizeof(scope), err) < 0 ||
		    scope_parse(scope, (enum osr_scope *)&req->scope) < 0)
			return osr_fail(err, -EINVAL, "request: 'scope' is not a scope");
		return 0;
	case 6:
		return parse_bool("nnp", v, vl, &req->nnp, err);
	case 7:
		return parse_bool("any_nnp", v, vl, &req->any_nnp, err);
	case 9:
		return parse_bool("no_args", v, vl, &req->no_args, err);
	default:
		return parse_bool("alone", v, vl, &req->alone, err);
	}
}

int proto_parse(const char *buf, size_t len, struct proto_request *req, struct osr_err *err)
{
	const char *p = buf, *end = buf + len, *nl;
	unsigned int seen = 0;
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
	for (p = nl + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return osr_fail(err, -EINVAL, "request: its last line has no line break");
		r = parse_line(req, p, (size_t)(nl - p), &seen, err);
		if (r < 0)
			return r;
	}
	if (!container_id_valid(req->id))
		return osr_fail(err, -EINVAL, "request: no valid container 'id'");
	if (req->bundle[0] && req->bundle[0] != '/')
		return osr_fail(err, -EINVAL, "request: 'bundle' is not absolute");
	/* A stop names a recording, nothing more. */
	if (req->op == PROTO_STOP)
		return seen & ~((1u << 0) | (1u << 4))
			       ? osr_fail(err, -EINVAL, "request: stop takes only 'id' and 'bundle'")
			       : 0;
	if (!req->name[0] || strchr(req->name, '/') || !strcmp(req->name, ".") ||
	    !strcmp(req->name, ".."))
		return osr_fail(err, -EINVAL, "request: 'name' is not a file name");
	if (req->path[0] != '/')
		return osr_fail(err, -EINVAL, "request: 'path' is not absolute");
	return 0;
}

int proto_render(const struct proto_request *req, char *buf, size_t size)
{
	int n;

	if (req->op == PROTO_STOP)
		n = snprintf(buf, size, "osr %d stop\nid=%s\nbundle=%s\n", OSR_PROTO_VERSION,
			     req->id, req->bundle);
	else
		n = snprintf(buf, size,
			     "osr %d start\nid=%s\nname=%s\npath=%s\n%s%s%sscope=%s\nnnp=%d\n"
			     "any_nnp=%d\nalone=%d\nno_args=%d\nbundle=%s\n",
			     OSR_PROTO_VERSION, req->id, req->name, req->path,
			     req->has_input ? "input=" : "", req->has_input ? req->input : "",
			     req->has_input ? "\n" : "", scope_name((enum osr_scope)req->scope),
			     req->nnp, req->any_nnp, req->alone, req->no_args, req->bundle);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

int proto_send(int sock, const char *text, size_t len, const int *fds, size_t nfds)
{
	char cbuf[CMSG_SPACE(3 * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)text, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 3)
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
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	ssize_t n;

	*nfds = 0;
	for (size_t i = 0; i < 3; i++)
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
			if (*nfds < 3)
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
