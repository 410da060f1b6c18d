/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_WATCHED_H
#define OSR_WATCHED_H

/*
 * One container in watch mode, as the listener (src/listener.c) keeps it: its
 * policy, and what it learned, bounded; as a state file that outlives the
 * listener, as a report for people, and as a profile that `merge` folds into
 * the recorded one (src/watched.c).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "bounds.h"
#include "recorder.h"
#include "state.h"
#include "util.h"

/* The annotations a watched container may carry. */
#define OSR_WATCH_POLICY_ANNOTATION "io.containers.seccomp-watch.policy"
#define OSR_WATCH_LEARNED_ANNOTATION "io.containers.seccomp-watch.learned"

enum watch_policy {
	WATCH_COMPLAIN, /* the call goes on, and is recorded */
	WATCH_ENFORCE,	/* the call fails with the profile's errno */
	WATCH_KILL,	/* the container is killed */
};

int watch_policy_parse(const char *s, enum watch_policy *p);
const char *watch_policy_name(enum watch_policy p);

/*
 * Distinct calls kept per container: a syscall, with its argument value where
 * the recorder restricts that syscall's arguments. Beyond it, calls are only
 * counted (dropped), never silently lost.
 */
#define WATCH_MAX_ENTRIES 256
/* Notify fds per container: its init's, and one per `runc exec`. */
#define WATCH_MAX_FDS 16

struct watch_entry {
	char name[48];
	uint32_t arch;
	int nr;
	enum osr_arg_kind kind; /* OSR_ARG_NONE: every value is one entry */
	uint64_t value;		/* the argument & mask of kind */
	uint64_t args[6];	/* the first call's */
	uint64_t count;
	uint64_t first_ms; /* wall clock, ms since the epoch */
	pid_t pid;	   /* the first call's, as the listener sees it */
	char comm[16];
};

struct watched {
	char id[OSR_ID_MAX + 1];
	pid_t pid;		  /* the container's init */
	uid_t owner;		  /* who handed it over: root, or the rootless user it is of */
	gid_t owner_gid;	  /* their group, for the learned file */
	unsigned long long start; /* its start time, to know it again after a restart */
	int pidfd;
	int fds[WATCH_MAX_FDS]; /* -1: free */
	size_t nfds;
	bool attached; /* it came with a notify fd in this listener's life */
	enum watch_policy policy;
	int errno_ret;		/* what enforce returns */
	bool errno_given;	/* the profile named it (defaultErrnoRet) */
	char learned[PATH_MAX]; /* where its learned profile goes at the end, "" none */
	struct watch_entry *v;
	size_t n;
	uint64_t notified, dropped;
	bool dirty; /* changed since the state file was written */
};

void watched_init(struct watched *w);
void watched_free(struct watched *w);

/* Count one notified call: 0, or -ENOSPC when it was only counted as dropped. */
int watched_note(struct watched *w, uint32_t arch, int nr, const uint64_t args[6], pid_t pid,
		 const char *comm, uint64_t now_ms);

/* The state file's JSON, and back. */
json_object *watched_to_state(const struct watched *w);
int watched_from_state(json_object *o, struct watched *w, struct osr_err *err);

/* What it learned, as a profile of allowed syscalls: what `merge` folds in. */
json_object *watched_learned_profile(const struct watched *w);

/* What `watch-report` prints, malloc'd. */
char *watched_report(const struct watched *w);

#endif
