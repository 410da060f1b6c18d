/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_RUNDIR_H
#define OSR_RUNDIR_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "spec.h"
#include "util.h"

#define OSR_RUNDIR_DEFAULT "/run/oci-seccomp-recorder"

/*
 * What prestart leaves for poststop: one root-only file per container id in the
 * run directory, naming the tracer (pid and start time, so a reused pid is never
 * signalled) and, once it has finished, how it ended. An id is unique only
 * within one runtime root (runc --root), so the record also names the bundle:
 * a poststop acts on it only for the container it was made for.
 */
enum tracer_status {
	TRACER_RECORDING,
	TRACER_DONE,
	TRACER_FAILED,
};

struct tracer_record {
	pid_t pid;
	unsigned long long start_time;
	enum tracer_status status;
	char output[PATH_MAX];
	char message[1024];
	/* What `report` needs to find and render the recording while it runs. */
	unsigned int key; /* namespace inode the container is entered under */
	bool by_mntns;
	struct profile_spec spec;
	char input[PATH_MAX]; /* the base profile, or "" */
	/*
	 * The base the tracer read, by device and inode: input is only its name
	 * (a rootless caller's text, in its own view), which report must not
	 * take for the file. 0 in records of older versions.
	 */
	unsigned long long input_dev, input_ino;
	char bundle[PATH_MAX]; /* the OCI state's bundle, or "" */
};

int rundir_prepare(const char *dir, struct osr_err *err);
int rundir_write(const char *dir, const char *id, const struct tracer_record *rec,
		 struct osr_err *err);
/* -ENOENT when the id has no record. */
int rundir_read(const char *dir, const char *id, struct tracer_record *rec, struct osr_err *err);
int rundir_remove(const char *dir, const char *id);

/* The most ids an ambiguous prefix's message names. */
#define RUNDIR_MATCHES_SHOWN 5

/*
 * The container id of the one record that prefix names, as runc and podman
 * users type ids (podman shows 12 characters): an id equal to prefix, else
 * the only one starting with it. 0 with the id in id; -EINVAL (prefix is not
 * a container id, or empty), -ENOENT (none) or -ENOTUNIQ (several, the first
 * RUNDIR_MATCHES_SHOWN by name listed), each with err saying so.
 */
int rundir_lookup(const char *dir, const char *prefix, char id[NAME_MAX + 1], struct osr_err *err);

/* Whether rec was made for the container of this state's bundle (NULL: none given). */
bool rundir_same_container(const struct tracer_record *rec, const char *bundle);

/*
 * Remove records no poststop will collect: those whose tracer is gone (done,
 * failed or killed) and that are older than max_age seconds, as left by a
 * runtime that never ran poststop. Returns how many were removed.
 */
int rundir_gc(const char *dir, unsigned int max_age);

#endif
