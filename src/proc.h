/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_PROC_H
#define OSR_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/*
 * What the kernel says about a process: its namespaces, executable, start
 * time, pidfd, whether it is gone. A process is named by its pid and start
 * time together, so a pid reused meanwhile is never taken for it.
 */

/* Field 22 of /proc/PID/stat: with the pid, it names one process for good. */
int proc_start_time(pid_t pid, unsigned long long *out);

/* Whether the process that started at start still runs under pid. */
bool process_alive(pid_t pid, unsigned long long start);

/* The executable a process runs: inode and device as the kernel encodes them. */
int exe_of(pid_t pid, unsigned long long *ino, unsigned int *dev, struct osr_err *err);

/* The inode of a namespace of a process ("pid", "mnt", ...). */
int ns_inum(pid_t pid, const char *ns, unsigned int *inum, struct osr_err *err);

/* The PID namespace of a process: its inode and its depth (0 for the host's). */
int pidns_of(pid_t pid, unsigned int *inum, unsigned int *level, struct osr_err *err);
/* Its depth alone. */
int pidns_level(pid_t pid, unsigned int *level, struct osr_err *err);

/*
 * The owner of the user namespace that owns pid's PID namespace: who made the
 * container (a rootless user's, root's). -errno.
 */
int proc_pidns_owner(pid_t pid, uid_t *owner);

/*
 * May uid record or watch pid: root anything; anyone else only a process in
 * a PID namespace made in a user namespace of theirs (a rootless container),
 * never one in the host's. 0, or -EPERM / -ESRCH with the reason in err.
 */
int proc_check_owner(pid_t pid, uid_t uid, struct osr_err *err);

/* A caller whose principal cannot be told: refused, never given a bucket. */
#define OSR_CALLER_UNKNOWN ((uid_t)-1)

/*
 * Whom the peer of a Unix socket counts as for per-user limits: a rootless
 * user for any of their subordinate ids (proc_outer_userns_owner), else its
 * uid; OSR_CALLER_UNKNOWN when that cannot be told.
 */
struct ucred;
uid_t proc_peer_principal(int conn, const struct ucred *cr);

/*
 * The owner of the outermost user namespace below this process's that pid
 * is in (a rootless user, for any of their subordinate ids); 1 (no owner)
 * when pid is in this process's user namespace; -errno when that cannot be
 * told (the process is gone: -ENOENT).
 */
int proc_outer_userns_owner(pid_t pid, uid_t *owner);

/* Whether this process is in the initial user namespace (true where that cannot be read). */
bool proc_in_initial_userns(void);

/*
 * A pidfd of pid, if it is still the process that started at start (0: take
 * whichever it is): -ESRCH if that one is gone, -ENOSYS before Linux 5.3.
 */
int process_pidfd(pid_t pid, unsigned long long start);

/* Send sig through a pidfd (0: only ask whether its process lives). */
int pidfd_signal(int pidfd, int sig);

/* The pid a pidfd names, from /proc/self/fdinfo (-ESRCH once it has exited). */
int pidfd_pid(int pidfd, pid_t *pid);

/*
 * Send the process named by pid and start time sig (0: none), then wait until
 * it has exited, at most timeout_ms (-1: for ever). 0 once it is gone (or was
 * already), -ETIMEDOUT, or -errno. By pidfd, or where there is none by pid,
 * its start time checked again each time.
 */
int process_wait_gone(pid_t pid, unsigned long long start, int sig, int timeout_ms);

#endif
