/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_UTIL_H
#define OSR_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand an fd or pointer out of a _cleanup_ variable. */
static inline int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Checked number parsing: the whole string, base 10, within [min, max]. */
int parse_long(const char *s, long min, long max, long *out);

/* Read all of fd into a NUL-terminated buffer of at most max bytes (-EFBIG beyond). */
int read_all(int fd, size_t max, char **out, size_t *len);

/* Write the whole buffer, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/* Monotonic clock in milliseconds. */
uint64_t now_ms(void);

/* A message for the top level to log: parsers fill it, only main() prints it. */
struct osr_err {
	char msg[8192];
};

/*
 * strerror() as our messages say it. podman reads "no such file or
 * directory" in a hook's message as a missing command ("OCI runtime attempted
 * to invoke a command that was not found", exit 127), so ENOENT is worded so
 * that it names the missing thing instead. Every message takes its errno text
 * from here, never from strerror() or %m.
 */
const char *osr_strerror(int errnum);

/*
 * A value someone else chose (an annotation, a request), fit to quote in a
 * message: its stderr becomes pod events and its syslog lines are read as
 * ours, so a line break or an escape sequence in it must not start a line or
 * repaint one. Control bytes, bytes past ASCII (C1 controls hide in UTF-8),
 * backslashes and single quotes come out as \n, \t, \r, \\, \' or \xHH; at most
 * OSR_ESC_MAX bytes of it, then "...". n bytes of s (SIZE_MAX: up to its NUL).
 */
#define OSR_ESC_MAX 32
struct osr_esc {
	char s[4 * OSR_ESC_MAX + 4];
};
const char *osr_escape(const char *s, size_t n, struct osr_esc *e);

/* Fill err (if non-NULL) and return code, which must be a negative errno. */
int osr_fail(struct osr_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prepend context to err's message in place, as "context: message" (as
 * crun_error_wrap does), and return code; an empty message becomes code's
 * errno text. What does not fit is cut from the end of the old message.
 */
int osr_wrap(struct osr_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The message for the top level to print after code (a negative errno): err's
 * own, or, where the failing call left none (an allocation that failed deep
 * down), code's errno text, so no error prints as an empty line.
 */
const char *osr_err_text(struct osr_err *err, int code);

#endif
