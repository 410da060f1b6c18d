/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_LOG_H
#define OSR_LOG_H

#include <syslog.h>

/*
 * Runtimes often discard a hook's stderr (crun sends it to /dev/null unless
 * asked), so every message goes to syslog as well. Only top-level code logs.
 */
void log_init(const char *ident, const char *container_id);
void log_set_container(const char *container_id);
void log_set_stderr(int enabled);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Raise the verbosity: debug messages are printed too. */
void log_set_debug(int enabled);

#endif
