/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_TRACER_H
#define OSR_TRACER_H

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "profile.h"
#include "spec.h"
#include "target.h"
#include "util.h"

struct tracer_config {
	const char *id;
	const char *bundle; /* the OCI state's: with id, which container this is */
	const char *rundir;
	pid_t pid;		 /* the container's init */
	unsigned int pidns_inum; /* its PID namespace */
	unsigned int pidns_level;
	unsigned int mntns_inum;	    /* non-zero: match this mount namespace instead */
	unsigned long long runtime_exe_ino; /* the runtime's init executable */
	unsigned int runtime_exe_dev;	    /* as the kernel encodes it */
	/*
	 * Where the profile goes, and the syscall counts (a folder of -1: no
	 * counting), resolved by the caller (target.h): the tracer inherits
	 * the folders and writes into them.
	 */
	struct output_target out;
	struct output_target stats;
	json_object *base;		/* validated base profile, or NULL */
	struct profile_source base_src; /* what the output must respect of it */
	const char *input;		/* where it came from (for `report`), or NULL */
	struct profile_spec spec;	/* what the profile covers */
	int ready_timeout_ms;
	const char *timeout_why; /* what set it, for the message when it passes */
	int linger_s;	    /* seconds the idle program stays loaded after the last recording */
	const char *tenant; /* the Kubernetes namespace, or NULL */
	unsigned int tenant_quota; /* the most recordings it may hold at once */
	bool alone;		   /* no poststop will come: remove the record once finished */
	unsigned long long expect_start; /* the pid's start time as checked, or 0 */
	/*
	 * The process runs its workload already (oci-seccomp-bpf-hook's -r PID):
	 * no runtime's exec of it is to come, so none is required.
	 */
	bool workload_running;
};

/*
 * Fork a tracer that attaches the BPF program, then return once it is attached
 * (0) or has failed (negative errno, err says why, with the verifier log if the
 * kernel rejected the program). The tracer holds none of the caller's fds,
 * outlives it, and writes the profile when the container's init exits or when
 * it is sent SIGTERM.
 */
int tracer_spawn(const struct tracer_config *cfg, struct osr_err *err);

/* The config's initial value, and what the caller closes once the tracer is spawned. */
#define TRACER_CONFIG_INIT                                                                         \
	{                                                                                          \
		.out = OUTPUT_TARGET_INIT, .stats = OUTPUT_TARGET_INIT                             \
	}
void tracer_config_release(struct tracer_config *cfg);

#endif
