// SPDX-License-Identifier: GPL-2.0-only
/*
 * The two hook stages: prestart starts a tracer for an annotated container,
 * poststop has it write the profile and collects its record.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "annotation.h"
#include "client.h"
#include "bpfshare.h"
#include "commands.h"
#include "fileio.h"
#include "hook.h"
#include "jsonutil.h"
#include "log.h"
#include "proc.h"
#include "profile.h"
#include "rundir.h"
#include "scope.h"
#include "state.h"
#include "tenant.h"
#include "tracer.h"

/* A finished record no poststop collected within this many seconds is removed. */
#define OSR_STALE_RECORD_AGE 3600

/* A stage's start: no arguments, the state on stdin (OSR_EXIT_USAGE or -errno). */
static int read_state(int argc, char **argv, struct oci_state *st)
{
	_cleanup_free_ char *text = NULL;
	struct osr_err err = { "" };
	size_t len;
	int r;

	if (argc > 1) {
		log_error("'%s' takes no arguments (the state comes on stdin)", argv[0]);
		return OSR_EXIT_USAGE;
	}

	r = read_all(STDIN_FILENO, OSR_STATE_MAX, &text, &len);
	if (r == -EFBIG) {
		log_error("state on stdin is larger than %u bytes", OSR_STATE_MAX);
		return r;
	}
	if (r < 0) {
		log_error("cannot read the state on stdin: %s", osr_strerror(-r));
		return r;
	}
	r = state_parse(text, len, st, &err);
	if (r < 0) {
		log_error("%s", osr_err_text(&err, r));
		return r;
	}
	log_set_container(st->id);
	return 0;
}

/*
 * A stage's deadline: --timeout, else the 'timeout' the runtime gives this
 * hook (hooks.d's, which podman and CRI-O copy into the bundle), else
 * OSR_TIMEOUT_DEFAULT_S (runc and crun wait for ever), less a tenth (250 ms
 * to 2 s) to kill the tracer and say why before the runtime gives up.
 */
static void stage_deadline(const struct options *in, const struct oci_state *st, const char *stage,
			   struct options *o, char *why, size_t size)
{
	struct osr_err err = { "" };
	long secs = 0, margin;

	*o = *in;
	o->timeout_why = why;
	if (in->timeout_ms > 0) {
		snprintf(why, size, "set by --timeout");
		return;
	}
	if (st->bundle && bundle_hook_timeout(st->bundle, stage, &secs, &err) < 0)
		log_debug("%s; taking %d s", err.msg, OSR_TIMEOUT_DEFAULT_S);
	margin = secs ? secs * 100 : OSR_TIMEOUT_DEFAULT_S * 100;
	margin = margin < 250 ? 250 : margin > 2000 ? 2000 : margin;
	if (secs)
		snprintf(why, size,
			 "the runtime's 'timeout' of %ld s for the %s hook less %ld ms to clean up; "
			 "the 'timeout' in its hooks.d file or --timeout MS changes it",
			 secs, stage, margin);
	else
		snprintf(why, size,
			 "no 'timeout' given for the %s hook: %d s less %ld ms to clean up; "
			 "a 'timeout' in its hooks.d file or --timeout MS changes it",
			 stage, OSR_TIMEOUT_DEFAULT_S, margin);
	o->timeout_ms = (int)((secs ? secs : OSR_TIMEOUT_DEFAULT_S) * 1000 - margin);
}

int cmd_prestart(const struct options *in, int argc, char **argv)
{
	_cleanup_(state_free) struct oci_state st = { 0 };
	struct options o;
	char why[256];
	int r;

	r = read_state(argc, argv, &st);
	if (r != 0)
		return r;
	stage_deadline(in, &st, "prestart", &o, why, sizeof(why));
	return hook_start(&o, &st);
}

/* What the annotations ask for, checked: the request, its scope and noNewPrivileges. */
static int hook_parse_request(const struct oci_state *st, struct trace_request *req,
			      struct tracer_config *cfg, struct osr_err *err)
{
	struct osr_esc e;
	int r;

	r = annotation_parse(st->annotation, req, err);
	if (r < 0)
		return r;
	cfg->spec.scope = OSR_SCOPE_WORKLOAD;
	if (st->scope && scope_parse(st->scope, &cfg->spec.scope) < 0)
		return osr_fail(err, -EINVAL,
				"annotation '%s' is '%s' (expected 'workload', 'exact' or 'all')",
				OSR_SCOPE_ANNOTATION, osr_escape(st->scope, SIZE_MAX, &e));
	if (st->nnp) {
		bool given, nnp;

		if (nnp_parse(st->nnp, &given, &nnp, &cfg->spec.any_nnp) < 0 ||
		    (given && !cfg->spec.any_nnp))
			return osr_fail(err, -EINVAL,
					"annotation '%s' is '%s' (expected 'recorded' or 'both')",
					OSR_NNP_ANNOTATION, osr_escape(st->nnp, SIZE_MAX, &e));
	}
	if (st->args && args_parse(st->args, &cfg->spec.args) < 0)
		return osr_fail(err, -EINVAL,
				"annotation '%s' is '%s' (expected " OSR_ARGS_ACCEPTED ")",
				OSR_ARGS_ANNOTATION, osr_escape(st->args, SIZE_MAX, &e));
	if (st->pid <= 0)
		return osr_fail(err, -EINVAL,
				"state has no 'pid' above 0 (prestart needs the container's process)");
	return 0;
}

/*
 * Where a file the annotation names (the profile, the stats) may go, by the
 * hook's options: *path moved into the tenant's folder where confined, then
 * resolved into t, once (target.h): everything that can be checked now is,
 * so a bad request stops the container here.
 */
static int hook_place(const struct options *o, const struct oci_state *st, char **path,
		      struct output_target *t, struct osr_err *err)
{
	const char *folder;
	int r;

	/*
	 * In the shared folder (the Security Profiles Operator's, whose daemon
	 * reads the exact name its webhook chose) names are kept, and a file is
	 * written once: no recording replaces another's.
	 */
	if (o->shared_output_dir && path_inside(*path, o->shared_output_dir))
		return target_open(t, *path, place_beneath(o->shared_output_dir), true, err);
	r = tenant_confine(o->output_dir, st->k8s_namespace, path, err);
	if (r < 0)
		return r;
	if (o->output_dir && st->k8s_namespace)
		log_debug("namespace '%s' records into '%s'", st->k8s_namespace, *path);
	folder = o->output_dir;
	/* Confined to the shared folder only, anything else is outside it. */
	if (!folder && o->shared_output_dir)
		folder = o->shared_output_dir;
	return target_open(t, *path, place_beneath_or_strict(folder), false, err);
}

/* Where the profile, and the stats if asked, may go. */
static int hook_output(const struct options *o, const struct oci_state *st,
		       struct trace_request *req, struct tracer_config *cfg, struct osr_err *err)
{
	bool same = false;
	int r;

	r = hook_place(o, st, &req->output, &cfg->out, err);
	if (r < 0 || !req->stats)
		return r;
	r = hook_place(o, st, &req->stats, &cfg->stats, err);
	if (r >= 0)
		r = target_same(&cfg->stats, &cfg->out, &same, err);
	if (r >= 0 && same)
		r = osr_fail(err, -EINVAL,
			     "annotation '%s': 'stats:' '%s' names the profile's own file '%s'",
			     OSR_ANNOTATION, req->stats, req->output);
	return r;
}

/*
 * Read the base (if:). Confined, a base in the record folder is a namespace's
 * recording: read from the namespace's own folder, beneath it (if the base
 * folder takes the record folder in, or none is set), so no namespace reads
 * another's, nor learns from a message whether another's file exists.
 */
static int hook_base(const struct options *o, const struct oci_state *st, struct trace_request *req,
		     json_object **base, struct profile_source *src, struct osr_err *err)
{
	_cleanup_free_ char *folder = NULL;
	const char *within = o->input_dir;
	char *path = NULL;
	int r;

	if (o->output_dir && st->k8s_namespace) {
		r = tenant_base_path(req->input, o->output_dir, st->k8s_namespace, &path, &folder,
				     err);
		if (r < 0)
			return r;
		free(req->input);
		req->input = path;
		if (r > 0 && (!within || path_inside(folder, within)))
			within = folder;
		if (r > 0)
			log_debug("namespace '%s' reads its base from '%s'", st->k8s_namespace,
				  path);
	}
	return profile_load(req->input, place_beneath_or_strict(within), "base profile", base, src,
			    err);
}

int hook_start(const struct options *o, const struct oci_state *st_in)
{
	const struct oci_state st = *st_in;
	_cleanup_(trace_request_free) struct trace_request req = { 0 };
	_cleanup_json_ json_object *base = NULL;
	_cleanup_(tracer_config_release) struct tracer_config cfg = TRACER_CONFIG_INIT;
	struct osr_err err = { "" };
	int r;

	if (!st.annotation)
		return 0;
	r = hook_parse_request(&st, &req, &cfg, &err);
	if (r < 0)
		goto fail;
	/* A rootless runtime's hook: the recording service records for it. */
	if (!can_record_here()) {
		r = client_start(o, &st, &req, &cfg, &err);
		if (r < 0)
			goto fail;
		return 0;
	}
	r = hook_output(o, &st, &req, &cfg, &err);
	if (r >= 0 && req.input)
		r = hook_base(o, &st, &req, &base, &cfg.base_src, &err);
	if (r < 0)
		goto fail;
	/* Without the bundle, assume privileges are dropped after the filter: the larger tail. */
	if (st.bundle && bundle_no_new_privs(st.bundle, &cfg.spec.no_new_privs, &err) < 0)
		log_warn("%s; assuming noNewPrivileges is false, ignoring", err.msg);
	cfg.id = st.id;
	cfg.bundle = st.bundle;
	cfg.pid = st.pid;
	cfg.base = base;
	cfg.input = req.input;
	cfg.tenant = st.k8s_namespace;
	cfg.alone = o->alone;
	cfg.workload_running = o->workload_running;
	cfg.tenant_quota = o->tenant_quota;
	r = recording_start(o, &cfg, &err);
	if (r < 0)
		goto fail;
	return 0;
fail:
	log_error("%s", osr_err_text(&err, r));
	return r;
}

/*
 * What the recording is keyed on: the container's PID namespace, or its mount
 * namespace where it shares the host's; and the runtime's executable.
 */
static int recording_key(struct tracer_config *cfg, struct osr_err *err)
{
	unsigned int self_inum, self_level, self_mnt;
	int r;

	r = pidns_of(cfg->pid, &cfg->pidns_inum, &cfg->pidns_level, err);
	if (r >= 0)
		r = exe_of(cfg->pid, &cfg->runtime_exe_ino, &cfg->runtime_exe_dev, err);
	if (r >= 0)
		r = pidns_of(getpid(), &self_inum, &self_level, err);
	/*
	 * A container in the host's PID namespace (podman --pid=host) would make a
	 * PID-namespace filter record the whole host: key on its mount namespace,
	 * which every OCI container has of its own.
	 */
	if (r < 0 || cfg->pidns_inum != self_inum)
		return r;
	r = ns_inum(cfg->pid, "mnt", &cfg->mntns_inum, err);
	if (r >= 0)
		r = ns_inum(getpid(), "mnt", &self_mnt, err);
	if (r >= 0 && cfg->mntns_inum == self_mnt)
		r = osr_fail(err, -EINVAL,
			     "the container shares the host's PID and mount namespaces; "
			     "recording it would record every process on the host, refusing");
	if (r >= 0)
		log_info("the container shares the host's PID namespace: recording its "
			 "mount namespace %u instead",
			 cfg->mntns_inum);
	return r;
}

/* The id's one record: never replaced while its tracer lives, whoever's it is. */
static int recording_claim_id(const struct options *o, const struct tracer_config *cfg,
			      struct osr_err *err)
{
	struct tracer_record old;

	if (rundir_read(o->rundir, cfg->id, &old, err) >= 0 && old.status == TRACER_RECORDING &&
	    process_alive(old.pid, old.start_time)) {
		if (rundir_same_container(&old, cfg->bundle))
			return osr_fail(err, -EBUSY,
					"container '%s' is being recorded already by pid %d",
					cfg->id, (int)old.pid);
		return osr_fail(err, -EBUSY,
				"container id '%s' is being recorded already by pid %d for bundle "
				"'%s' (another runtime root?)",
				cfg->id, (int)old.pid, old.bundle);
	}
	rundir_remove(o->rundir, cfg->id);
	return 0;
}

int recording_start(const struct options *o, struct tracer_config *c, struct osr_err *err)
{
	struct tracer_config cfg = *c;
	int r;

	r = recording_key(&cfg, err);
	if (r >= 0)
		r = rundir_prepare(o->rundir, err);
	if (r < 0)
		return r;
	if ((r = rundir_gc(o->rundir, OSR_STALE_RECORD_AGE)) > 0)
		log_debug("removed %d stale tracer records", r);
	r = recording_claim_id(o, &cfg, err);
	if (r < 0)
		return r;

	cfg.rundir = o->rundir;
	cfg.ready_timeout_ms = stage_timeout_ms(o);
	cfg.timeout_why = o->timeout_why;
	cfg.linger_s = o->linger_s;
	r = tracer_spawn(&cfg, err);
	if (r < 0)
		return r;
	log_debug("recording pid namespace %u (depth %u) into '%s'", cfg.pidns_inum,
		  cfg.pidns_level, cfg.out.shown);
	return 0;
}

int cmd_poststop(const struct options *in, int argc, char **argv)
{
	_cleanup_(state_free) struct oci_state st = { 0 };
	struct osr_err err = { "" };
	struct options oo;
	const struct options *o = &oo;
	char why[256];
	int r;

	r = read_state(argc, argv, &st);
	if (r != 0)
		return r;
	stage_deadline(in, &st, "poststop", &oo, why, sizeof(why));
	if (can_record_here())
		r = recording_stop(o, st.id, st.bundle, &err);
	else
		r = client_stop(o, st.id, st.bundle, &err);
	if (r < 0)
		log_error("%s", osr_err_text(&err, r));
	return r;
}

int recording_stop(const struct options *o, const char *id, const char *bundle, struct osr_err *err)
{
	struct tracer_record rec;
	int r;

	r = rundir_read(o->rundir, id, &rec, err);
	if (r == -ENOENT)
		return 0; /* not recorded, or poststop ran already */
	if (r < 0) {
		rundir_remove(o->rundir, id);
		return r;
	}
	/* Ids are unique per runtime root: the same one under another root is not ours. */
	if (!rundir_same_container(&rec, bundle)) {
		log_info("the record of '%s' is for bundle '%s', not '%s': another container's, left "
			 "alone",
			 id, rec.bundle, bundle ? bundle : "");
		return 0;
	}
	if (rec.status == TRACER_RECORDING) {
		/* Ask the tracer to finish and wait, bounded, until it has exited. */
		r = process_wait_gone(rec.pid, rec.start_time, SIGTERM, stage_timeout_ms(o));
		if (r == -ETIMEDOUT)
			return osr_fail(err, r,
					"the tracer (pid %d) did not write '%s' within %d ms (%s)",
					(int)rec.pid, rec.output, stage_timeout_ms(o),
					o->timeout_why ? o->timeout_why : "set by --timeout");
		if (r < 0)
			return osr_fail(err, r, "cannot stop the tracer (pid %d): %s", (int)rec.pid,
					osr_strerror(-r));
		r = rundir_read(o->rundir, id, &rec, err);
		if (r == -ENOENT) {
			/* A tracer started with -s removes its record itself once it is done. */
			log_debug("the tracer finished and removed its record");
			return 0;
		}
		if (r < 0)
			return r;
	}
	rundir_remove(o->rundir, id);
	switch (rec.status) {
	case TRACER_DONE:
		/* Written, but not all of it (the stats): say so, the profile is fine. */
		if (rec.message[0])
			log_warn("%s", rec.message);
		return 0;
	case TRACER_FAILED:
		return osr_fail(err, -EIO, "no profile written to '%s': %s", rec.output,
				rec.message);
	default:
		/* Its entry would keep the program attached: take it out now. */
		bpf_share_collect(o->linger_s);
		return osr_fail(err, -EIO,
				"the tracer (pid %d) died before writing '%s'; nothing was recorded",
				(int)rec.pid, rec.output);
	}
}
