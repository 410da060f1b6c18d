/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_SCOPE_H
#define OSR_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "recorder.h"
#include "recording.h"
#include "spec.h"

struct scope_report {
	bool filter_seen;	     /* the runtime loaded a seccomp filter during the recording */
	unsigned int tail_added;     /* setup syscalls kept as the runtime's post-load tail */
	unsigned int left_out;	     /* setup-only syscalls the profile does not allow */
	unsigned int portable_added; /* allowed for other runtimes only (src/runtimes.c) */
	char left_out_list[512];
};

int scope_parse(const char *value, enum osr_scope *out);
/*
 * Which noNewPrivileges settings a profile is to start under: "true", "false",
 * "both" or "recorded" (the container's own: *given stays false).
 */
int nnp_parse(const char *value, bool *given, bool *nnp, bool *any);
const char *scope_name(enum osr_scope scope);
/*
 * "default", "none" or "all" (osr_args_names), or "recorded": what versions
 * before "default" had as theirs, every recorded value used, so "all".
 */
int args_parse(const char *value, enum osr_args *out);
/* The accepted values, quoted, for messages: "'default', 'all' or 'none'". */
#define OSR_ARGS_ACCEPTED "'default', 'all' or 'none'"
/* Whether a profile of spec allows kind by its recorded values (rather than by name). */
bool args_by_value(enum osr_args args, enum osr_arg_kind kind);

/*
 * Reduce the phases to the syscalls a profile must allow. With scope "all",
 * every phase. With "exact": what the workload did, plus what the runtime
 * did under the filter it loaded; when it loaded none (a container without a
 * seccomp profile), plus those setup syscalls that runtimes make after the
 * point where they load one, which depends on no_new_privs (without it the
 * filter goes on before the runtime drops privileges). With "workload" (the
 * default): "exact", plus what any runtime makes after its load point
 * (src/runtimes.c), for the recorded no_new_privs or, with any_nnp, for both,
 * so the profile starts the workload under any of them.
 *
 * Arguments: the values recorded (under the filter and in the workload), plus
 * those of what a runtime makes after its load point where the profile
 * covers it; a syscall kept from the runtime's setup (scope "all") takes any.
 * The kinds so->args leaves to their names keep their values (for whoever
 * reads them) and are marked by_name.
 */
void scope_select(const struct recording *rec, const struct profile_spec *so, struct selection *out,
		  struct scope_report *rep);

/*
 * A profile that allows what runtime_needs() names (those this machine's
 * libseccomp knows on the native architecture), with the default action of
 * like: for merge to add to its inputs.
 */
struct json_object;
int runtime_tail_profile(bool no_new_privs, bool any, struct json_object *like,
			 struct json_object **out);

#endif
