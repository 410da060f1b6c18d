// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>

#include "log.h"

static const char *log_ident = "oci-seccomp-recorder";
static char log_container[80];
static int log_to_stderr = 1;
static int log_debug_enabled;

void log_init(const char *ident, const char *container_id)
{
	if (ident)
		log_ident = ident;
	openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_set_container(container_id);
}

void log_set_container(const char *container_id)
{
	if (container_id)
		snprintf(log_container, sizeof(log_container), "%.64s", container_id);
	else
		log_container[0] = '\0';
}

void log_set_stderr(int enabled)
{
	log_to_stderr = enabled;
}

void log_set_debug(int enabled)
{
	log_debug_enabled = enabled;
}

void log_msg(int prio, const char *fmt, ...)
{
	int saved = errno;
	char buf[2048];
	va_list ap;

	if (prio == LOG_DEBUG && !log_debug_enabled)
		return;
	va_start(ap, fmt);
	errno = saved; /* so %m in fmt names the caller's error */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (log_container[0])
		syslog(prio, "[%s] %s", log_container, buf);
	else
		syslog(prio, "%s", buf);
	if (log_to_stderr)
		fprintf(stderr, "%s: %s%s%s%s%s\n", log_ident,
			prio <= LOG_ERR ? "error: " : (prio == LOG_WARNING ? "warning: " : ""),
			log_container[0] ? "[" : "", log_container, log_container[0] ? "] " : "",
			buf);
	errno = saved;
}
