// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno)
		return -errno;
	if (*end || end == s)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

const char *osr_escape(const char *s, size_t n, struct osr_esc *e)
{
	static const char hex[] = "0123456789abcdef";
	char *o = e->s;
	size_t i;

	if (n == SIZE_MAX)
		n = strnlen(s, OSR_ESC_MAX + 1);
	for (i = 0; i < n && i < OSR_ESC_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		if (c == '\n' || c == '\t' || c == '\r' || c == '\\' || c == '\'') {
			*o++ = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : (char)c;
			continue;
		}
		*o++ = 'x';
		*o++ = hex[c >> 4];
		*o++ = hex[c & 15];
	}
	if (i < n)
		o += sprintf(o, "...");
	*o = '\0';
	return e->s;
}

int read_all(int fd, size_t max, char **out, size_t *len)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (size + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nbuf;

			/* One byte past max: a file of exactly max bytes is not too large. */
			if (ncap > max + 2)
				ncap = max + 2;
			if (size + 1 >= ncap)
				return -EFBIG;
			nbuf = realloc(buf, ncap);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + size, cap - size - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		size += n;
		if (size > max)
			return -EFBIG;
	}
	if (!buf) {
		buf = strdup("");
		if (!buf)
			return -ENOMEM;
	}
	buf[size] = '\0';
	*out = buf;
	buf = NULL;
	if (len)
		*len = size;
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *osr_strerror(int errnum)
{
	if (errnum == ENOENT)
		return "it does not exist";
	return strerror(errnum);
}

int osr_fail(struct osr_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int osr_wrap(struct osr_err *err, int code, const char *fmt, ...)
{
	const size_t size = sizeof(err->msg);
	size_t len, keep, n;
	va_list ap;
	int w;
	char c;

	if (!err)
		return code;
	osr_err_text(err, code);
	va_start(ap, fmt);
	w = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (w < 0)
		return code;
	/* The context and ": ", then as much of the old message as still fits. */
	n = (size_t)w + 2 < size - 1 ? (size_t)w + 2 : size - 1;
	len = strlen(err->msg);
	keep = len < size - 1 - n ? len : size - 1 - n;
	memmove(err->msg + n, err->msg, keep);
	err->msg[n + keep] = '\0';
	c = err->msg[n];
	va_start(ap, fmt);
	vsnprintf(err->msg, n + 1 > (size_t)w + 1 ? (size_t)w + 1 : n + 1, fmt, ap);
	va_end(ap);
	if ((size_t)w < n)
		err->msg[w] = ':';
	if ((size_t)w + 1 < n)
		err->msg[w + 1] = ' ';
	err->msg[n] = c;
	return code;
}

const char *osr_err_text(struct osr_err *err, int code)
{
	if (!err->msg[0] && code < 0)
		snprintf(err->msg, sizeof(err->msg), "%s", osr_strerror(-code));
	return err->msg;
}
