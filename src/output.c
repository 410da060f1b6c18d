// SPDX-License-Identifier: GPL-2.0-only
/* From a container's table to the profile the user gets. */
#include <errno.h>
#include <string.h>

#include "fileio.h"
#include "format.h"
#include "jsonutil.h"
#include "log.h"
#include "output.h"
#include "profile.h"
#include "recording.h"
#include "runtimes.h"
#include "scope.h"
#include "validate.h"

/*
 * A profile that looks complete but is not would break the workload in
 * production, far from here: what the program could not keep fails the
 * recording, and no profile is written.
 */
static int check_complete(const struct recording *rec, struct osr_err *err)
{
	if (rec->overflow)
		return osr_fail(err, -ERANGE,
				"the recording is incomplete: %llu syscalls had numbers beyond %d, "
				"which the recording cannot keep; no profile written",
				(unsigned long long)rec->overflow, OSR_MAX_SYSCALLS - 1);
	if (rec->unfollowed)
		return osr_fail(err, -ENOMEM,
				"the recording is incomplete: %u tasks left the container's mount "
				"namespace and the kernel could not mark them (out of memory), so "
				"their syscalls are missing; no profile written",
				rec->unfollowed);
	return 0;
}

/* Say what the profile covers, where runtimes read it (and ignore it). */
static void comment_rule(json_object *rule, const struct output_opts *o,
			 const struct profile_report *rep)
{
	char comment[512];
	size_t len;

	snprintf(comment, sizeof(comment), "recorded by oci-seccomp-recorder; %s%s",
		 o->spec.scope == OSR_SCOPE_WORKLOAD ? "starts under "
		 : o->spec.scope == OSR_SCOPE_EXACT  ? "exact: for the recording runtime, "
						       "with noNewPrivileges "
						     : "scope all: every syscall the runtime and "
						       "the workload made; starts under ",
		 o->spec.scope == OSR_SCOPE_EXACT
			 ? (o->spec.no_new_privs ? "true" : "false")
			 : runtime_cover(o->spec.no_new_privs, o->spec.any_nnp));
	len = strlen(comment);
	if (rep->any_args_list[0])
		snprintf(comment + len, sizeof(comment) - len,
			 "; with any arguments, more values seen than are kept or none recorded: %s",
			 rep->any_args_list);
	json_object_object_add(rule, "comment", json_object_new_string(comment));
}

/* What the user should know of the build: at debug level, or as warnings. */
static void log_reports(const struct scope_report *srep, const struct profile_report *rep)
{
	if (srep->portable_added)
		log_debug("allowed %u syscalls that other runtimes make after loading the filter",
			  srep->portable_added);
	if (srep->left_out)
		log_debug("left out %u syscalls only the runtime's setup made, before %s: %s",
			  srep->left_out,
			  srep->filter_seen ? "it loaded the seccomp filter"
					    : "where it would load a seccomp filter",
			  srep->left_out_list);
	if (rep->unresolved)
		log_warn("%u syscall numbers have no name in this libseccomp and are left out: %s",
			 rep->unresolved, rep->unresolved_list);
	if (rep->base_kept)
		log_warn("the base profile decides %u recorded syscalls other than by a plain allow, "
			 "its rules kept: %s",
			 rep->base_kept, rep->base_kept_list);
}

int output_render(const struct osr_container *table, const struct output_opts *o, char **text,
		  struct osr_err *err)
{
	_cleanup_json_ json_object *profile = NULL;
	_cleanup_free_ struct recording *rec = malloc(sizeof(*rec));
	_cleanup_free_ struct selection *sel = malloc(sizeof(*sel));
	struct profile_report rep;
	struct scope_report srep;
	int r;

	if (!rec || !sel)
		return osr_fail(err, -ENOMEM, "out of memory");
	recording_read(table, rec);
	r = check_complete(rec, err);
	if (r < 0)
		return r;
	scope_select(rec, &o->spec, sel, &srep);
	r = profile_build(sel, o->base, &profile, &rep, err);
	if (r < 0)
		return r;
	if (rep.rule)
		comment_rule(rep.rule, o, &rep);
	log_reports(&srep, &rep);
	r = profile_validate(profile, o->base_src.confined, err);
	if (r < 0)
		return osr_wrap(err, r, "refusing to write an invalid profile");
	r = format_check(profile, o->target->format, err);
	if (r < 0)
		return r;
	*text = profile_render(profile, o->target->format, o->target->resource);
	if (!*text)
		return osr_fail(err, -errno, "cannot render the profile: %s", osr_strerror(errno));
	log_debug("%u syscalls recorded, %u allowed beyond the base", rep.recorded, rep.added);
	return 0;
}

int output_write(const struct osr_container *table, const struct output_opts *o, struct osr_err *err)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = output_render(table, o, &text, err);
	if (r < 0)
		return r;
	/* The base's rules and keys are in it: readable by no one who cannot read the base. */
	return target_write(o->target, text, strlen(text), 0644 & ~o->base_src.umask, err);
}
