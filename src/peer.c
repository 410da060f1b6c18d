// SPDX-License-Identifier: GPL-2.0-only
/*
 * oci-seccomp-bpf-hook's command line, so that its hooks.d file works with
 * only its `path` changed. Its flags (Go's flag package: -name or --name,
 * -name=value or -name value for the others, bool flags without a value):
 *   -s              start tracing, the OCI state on stdin (its hooks.d file
 *                   registers it for prestart only: no poststop follows)
 *   -r PID -o OUT [-i IN]
 *                   trace PID's PID namespace until PID exits, then write OUT
 *                   (extending IN); in the foreground
 *   -version        print the version
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "hook.h"
#include "log.h"
#include "proc.h"
#include "rundir.h"
#include "state.h"

static const char *const peer_flags[] = { "s", "r", "o", "i", "version", "h", "help" };

/* The flag an argument names ("-r=1" -> "r"), or NULL if it is no peer flag. */
static const char *flag_of(const char *arg, const char **value)
{
	size_t n;

	*value = NULL;
	if (arg[0] != '-' || !arg[1])
		return NULL;
	arg += arg[1] == '-' ? 2 : 1;
	n = strcspn(arg, "=");
	if (arg[n] == '=')
		*value = arg + n + 1;
	for (size_t i = 0; i < ARRAY_SIZE(peer_flags); i++)
		if (strlen(peer_flags[i]) == n && !strncmp(arg, peer_flags[i], n))
			return peer_flags[i];
	return NULL;
}

bool peer_args(int argc, char **argv)
{
	const char *v, *f;

	if (argc < 2)
		return false;
	f = flag_of(argv[1], &v);
	/* --version, --help and -h are ours too, and mean the same. */
	return f && strcmp(argv[1], "--version") && strcmp(argv[1], "--help") &&
	       strcmp(argv[1], "-h");
}

/* -r PID -o OUT [-i IN]: record PID's namespace in the foreground until PID exits. */
static int trace_pid(const struct options *o, long pid, const char *out, const char *in)
{
	struct oci_state st = { 0 };
	struct tracer_record rec;
	struct osr_err err = { "" };
	char id[32], ann[2 * PATH_MAX + 16];
	int r;

	snprintf(id, sizeof(id), "pid-%ld", pid);
	if (snprintf(ann, sizeof(ann), "of:%s%s%s", out, in ? ";if:" : "", in ? in : "") >=
	    (int)sizeof(ann)) {
		log_error("-o '%s' or -i is too long", out);
		return -ENAMETOOLONG;
	}
	st.id = id;
	st.pid = (pid_t)pid;
	st.annotation = ann;
	log_set_container(id);
	r = hook_start(o, &st);
	if (r != 0)
		return r;
	r = rundir_read(o->rundir, id, &rec, &err);
	if (r < 0) {
		log_error("%s", r == -ENOENT ? "the tracer left no record" : osr_err_text(&err, r));
		return r;
	}
	/* It finishes by itself, when the traced process exits. */
	process_wait_gone(rec.pid, rec.start_time, 0, -1);
	r = rundir_read(o->rundir, id, &rec, &err);
	rundir_remove(o->rundir, id);
	if (r < 0 || rec.status == TRACER_RECORDING) {
		log_error("the tracer (pid %d) died before writing '%s'", (int)rec.pid, out);
		return -EIO;
	}
	if (rec.status == TRACER_FAILED) {
		log_error("no profile written to '%s': %s", rec.output, rec.message);
		return -EIO;
	}
	return 0;
}

int cmd_peer(const struct options *o, int argc, char **argv)
{
	const char *out = NULL, *in = NULL, *v, *f;
	bool start = false;
	struct options po = *o;
	long pid = 0;

	for (int i = 1; i < argc; i++) {
		f = flag_of(argv[i], &v);
		if (!f) {
			log_error("'%s' is not a flag of oci-seccomp-bpf-hook's (-s, -r PID -o OUT "
				  "[-i IN], -version)",
				  argv[i]);
			return OSR_EXIT_USAGE;
		}
		if (!strcmp(f, "version")) {
			printf("oci-seccomp-recorder %s (as oci-seccomp-bpf-hook)\n", OSR_VERSION);
			return 0;
		}
		if (!strcmp(f, "h") || !strcmp(f, "help")) {
			printf("Usage: oci-seccomp-bpf-hook -s < STATE\n"
			       "       oci-seccomp-bpf-hook -r PID -o OUT [-i IN]\n"
			       "oci-seccomp-recorder taking oci-seccomp-bpf-hook's flags; see "
			       "oci-seccomp-recorder --help.\n");
			return 0;
		}
		if (!strcmp(f, "s")) {
			if (v && strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") &&
			    strcmp(v, "0")) {
				log_error("-s='%s' is not a boolean", v);
				return OSR_EXIT_USAGE;
			}
			start = !v || !strcmp(v, "true") || !strcmp(v, "1");
			continue;
		}
		if (!v && i + 1 >= argc) {
			log_error("-%s needs a value", f);
			return OSR_EXIT_USAGE;
		}
		if (!v)
			v = argv[++i];
		if (!strcmp(f, "r")) {
			if (parse_long(v, 1, INT_MAX, &pid) < 0) {
				log_error("-r '%s' is not a process id", v);
				return OSR_EXIT_USAGE;
			}
		} else if (!strcmp(f, "o")) {
			out = v;
		} else {
			in = v;
		}
	}
	if (start) {
		/* Its hooks.d file runs it at prestart only: the tracer cleans up after itself. */
		po.alone = true;
		return cmd_prestart(&po, 1, argv);
	}
	if (pid > 0) {
		if (!out) {
			log_error("-r needs -o OUT (the profile to write)");
			return OSR_EXIT_USAGE;
		}
		/* A running process: its own executable is what prestart takes for the runtime's. */
		po.workload_running = true;
		return trace_pid(&po, pid, out, in);
	}
	log_error("nothing to do: give -s (the OCI state on stdin) or -r PID -o OUT");
	return OSR_EXIT_USAGE;
}
