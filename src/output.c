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
		 o->scope == OSR_SCOPE_WORKLOAD ? "starts under "
		 : o->scope == OSR_SCOPE_EXACT	 ? "exact: for the recording runtime, "
						   "with noNewPrivileges "
						   : "scope all: every syscall the runtime and "
						     "the workload made",
		 o->scope == OSR_SCOPE_WORKLOAD ? runtime_cover(o->no_new_privs, o->any_nnp)
		 : o->scope == OSR_SCOPE_EXACT	 ? (o->no_new_privs ? "true" : "false")
						   : "");
	len = strlen(comment);
	if (rep->any_args_list[0] && !o->no_args)
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
	scope_select(rec,
		     &(struct scope_opts){ .scope = (enum osr_scope)o->scope,
					   .no_new_privs = o->no_new_privs,
					   .any_nnp = o->any_nnp,
					   .no_args = o->no_args },
		     sel, &srep);
	r = profile_build(sel, o->base, &profile, &rep, err);
	if (r < 0)
		return r;
	if (rep.rule)
		comment_rule(rep.rule, o, &rep);
	log_reports(&srep, &rep);
	r = profile_validate(profile, o->base_src.confined, err);
	if (r < 0)
		return osr_wrap(err, r, "refusing to write an invalid profile");
	r = format_check(profile, o->format, err);
	if (r < 0)
		return r;
	*text = profile_render(profile, o->format, o->name ? o->name : "recorded");
	if (!*text)
		return osr_fail(err, -errno, "cannot render the profile: %s", osr_strerror(errno));
	log_debug("%u syscalls recorded, %u allowed beyond the base", rep.recorded, rep.added);
	return 0;
}

int output_write(const struct osr_container *table, const struct output_opts *o,
		 struct osr_err *err)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = output_render(table, o, &text, err);
	if (r < 0)
		return r;
	if (!strcmp(o->path, "-")) {
		r = write_all(STDOUT_FILENO, text, strlen(text));
		return r < 0 ? osr_fail(err, r, "cannot write the profile to stdout: %s",
					osr_strerror(-r))
			     : 0;
	}
	/* The base's rules and keys are in it: readable by no one who cannot read the base. */
	if (o->in_dir)
		return write_file_in(o->dirfd, o->file_name, o->path, text, strlen(text),
				     0644 & ~o->base_src.umask, o->owner_uid, o->owner_gid, err);
	if (o->once)
		return write_file_once(o->path, o->place, text, strlen(text),
				       0644 & ~o->base_src.umask, err);
	return write_file_atomic(o->path, o->place, text, strlen(text), 0644 & ~o->base_src.umask,
				 err);
}
