// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which part of a recording a profile covers. A seccomp filter binds a task
 * from the moment the runtime loads it, so the runtime's setup before that
 * (mount, pivot_root, sethostname, ...) need not, and should not, be allowed.
 */
#include <errno.h>
#include <string.h>
#include <seccomp.h>

#include "jsonutil.h"
#include "names.h"
#include "runtimes.h"
#include "scope.h"

/*
 * Syscalls no process controls the timing of: returning from a signal handler,
 * restarting an interrupted syscall, exiting. A recording sees them or not by
 * chance (a signal arrived or not), so every profile allows them.
 */
static const char *const always[] = {
	"rt_sigreturn", "restart_syscall", "exit", "exit_group", NULL,
};

const char *const osr_scope_names[3] = {
	[OSR_SCOPE_WORKLOAD] = "workload",
	[OSR_SCOPE_ALL] = "all",
	[OSR_SCOPE_EXACT] = "exact",
};

int scope_parse(const char *value, enum osr_scope *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(osr_scope_names); i++)
		if (!strcmp(value, osr_scope_names[i])) {
			*out = (enum osr_scope)i;
			return 0;
		}
	return -EINVAL;
}

const char *const osr_args_names[3] = {
	[OSR_ARGS_DEFAULT] = "default",
	[OSR_ARGS_NONE] = "none",
	[OSR_ARGS_ALL] = "all",
};

int args_parse(const char *value, enum osr_args *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(osr_args_names); i++)
		if (!strcmp(value, osr_args_names[i])) {
			*out = (enum osr_args)i;
			return 0;
		}
	if (strcmp(value, "recorded"))
		return -EINVAL;
	*out = OSR_ARGS_ALL;
	return 0;
}

/*
 * By default, the kinds whose values reach little a workload could not reach
 * anyway, and which workloads vary on paths a recording easily misses, go by
 * name (docs/ARGUMENTS.md): ioctl's requests (FIONREAD on a large request
 * body, TIOCSWINSZ from stty) and prctl's options (thread names, a parent's
 * death signal; those that raise privilege check capabilities).
 */
static const enum osr_arg_kind opt_in[] = { OSR_ARG_PRCTL, OSR_ARG_IOCTL };

bool args_by_value(enum osr_args args, enum osr_arg_kind kind)
{
	if (args == OSR_ARGS_NONE)
		return false;
	if (args == OSR_ARGS_ALL)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(opt_in); i++)
		if (opt_in[i] == kind)
			return false;
	return true;
}

int nnp_parse(const char *value, bool *given, bool *nnp, bool *any)
{
	*given = *any = false;
	if (!strcmp(value, "both"))
		*given = *any = true;
	else if (!strcmp(value, "true") || !strcmp(value, "false"))
		*given = true, *nnp = !strcmp(value, "true");
	else if (strcmp(value, "recorded"))
		return -EINVAL;
	return 0;
}

const char *scope_name(enum osr_scope scope)
{
	return (unsigned int)scope < ARRAY_SIZE(osr_scope_names) ? osr_scope_names[scope]
								 : "workload";
}

static void note(struct scope_report *rep, const char *name)
{
	size_t len = strlen(rep->left_out_list);

	rep->left_out++;
	if (len >= 4 && !strcmp(rep->left_out_list + len - 4, " ..."))
		return;
	if (len + strlen(name) + 6 >= sizeof(rep->left_out_list)) {
		strcat(rep->left_out_list, " ...");
		return;
	}
	if (len)
		strcat(rep->left_out_list, " ");
	strcat(rep->left_out_list, name);
}

/* Should a syscall the runtime made before any filter be in the profile? */
static bool keep_setup(const char *name, bool filter_seen, bool no_new_privs)
{
	if (name_in(name, always) || name_in(name, runtime_async))
		return true;
	if (filter_seen)
		return false; /* the exact set is known: setup stays out */
	/* Where the load point could not be seen: what runtimes make after it. */
	return runtime_needs(name, no_new_privs, false);
}

/* Portable: what any runtime makes after its load point, whether seen or not. */
static void add_runtime_tails(const struct profile_spec *so, uint32_t native, struct selection *out,
			      struct scope_report *rep)
{
	for (size_t i = 0; i <= runtime_tail_count; i++) {
		const char *const *names =
			i < runtime_tail_count ? runtime_tails[i].names : runtime_async;

		if (i < runtime_tail_count &&
		    !runtime_tail_applies(&runtime_tails[i], so->no_new_privs, so->any_nnp))
			continue;
		for (; *names; names++) {
			int nr = seccomp_syscall_resolve_name_arch(native, *names);

			if (nr < 0 || nr >= OSR_MAX_SYSCALLS || out->seen[OSR_ABI_NATIVE][nr])
				continue;
			out->seen[OSR_ABI_NATIVE][nr] = 1;
			rep->portable_added++;
		}
	}
}

/* The values the covered runtimes pass after their load point, for the tabled names they make. */
static void add_runtime_values(const struct profile_spec *so, struct selection *out)
{
	for (size_t i = 0; i < runtime_tail_count; i++) {
		if (!runtime_tail_applies(&runtime_tails[i], so->no_new_privs, so->any_nnp))
			continue;
		for (const struct runtime_args *a = runtime_tails[i].args; a && a->name; a++) {
			enum osr_arg_kind k = arg_kind_of(a->name);

			for (size_t j = 0; k && j < a->n; j++)
				arg_values_add(&out->args[OSR_ABI_NATIVE][k], a->v[j]);
		}
	}
}

/* Decide each syscall a phase saw; rep counts what setup alone made, kept or left out. */
static void select_names(const struct recording *rec, const struct profile_spec *so,
			 struct selection *out, struct scope_report *rep)
{
	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++) {
		uint32_t arch = abi_arch(abi);

		for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++) {
			const uint8_t setup = rec->seen[OSR_PHASE_SETUP][abi][nr];
			char *name;

			out->seen[abi][nr] = rec->seen[OSR_PHASE_FILTERED][abi][nr] |
					     rec->seen[OSR_PHASE_WORKLOAD][abi][nr];
			if (!setup || out->seen[abi][nr])
				continue;
			name = recorded_syscall_name(arch, nr);
			if (so->scope == OSR_SCOPE_ALL) {
				enum osr_arg_kind k = name ? arg_kind_of(name) : OSR_ARG_NONE;

				/* The setup's arguments are not recorded. */
				out->seen[abi][nr] = 1;
				if (k)
					out->args[abi][k].any = true;
			} else if (name && keep_setup(name, rep->filter_seen, so->no_new_privs)) {
				out->seen[abi][nr] = 1;
				rep->tail_added++;
			} else {
				note(rep, name ? name : "?");
			}
			free(name);
		}
	}
}

void scope_select(const struct recording *rec, const struct profile_spec *so, struct selection *out,
		  struct scope_report *rep)
{
	const uint32_t native = abi_arch(OSR_ABI_NATIVE);
	bool portable;

	memset(rep, 0, sizeof(*rep));
	memset(out, 0, sizeof(*out));
	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++)
		for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++)
			if (rec->seen[OSR_PHASE_FILTERED][abi][nr])
				rep->filter_seen = true;
	memcpy(out->args, rec->args, sizeof(out->args));
	select_names(rec, so, out, rep);
	/*
	 * Every scope but exact starts under the other runtimes: "all" is the
	 * default's superset, not one run's (runc's Go runtime makes a call or
	 * two more or fewer from one run to the next).
	 */
	portable = so->scope != OSR_SCOPE_EXACT && native;
	if (portable)
		add_runtime_tails(so, native, out, rep);
	/* What runtimes make after loading a filter, kept from setup or added: with their values. */
	if (rep->tail_added || portable)
		add_runtime_values(so, out);
	/* Native numbers only: an ABI the container never used stays out of the profile. */
	for (size_t i = 0; native && always[i]; i++) {
		int nr = seccomp_syscall_resolve_name_arch(native, always[i]);

		if (nr >= 0 && nr < OSR_MAX_SYSCALLS)
			out->seen[OSR_ABI_NATIVE][nr] = 1;
	}
	for (unsigned int k = OSR_ARG_NONE + 1; k < OSR_ARG_KIND_COUNT; k++)
		out->by_name[k] = !args_by_value(so->args, (enum osr_arg_kind)k);
}

int runtime_tail_profile(bool no_new_privs, bool any, json_object *like, json_object **out)
{
	_cleanup_free_ struct recording *none = calloc(1, sizeof(*none));
	_cleanup_free_ struct selection *sel = malloc(sizeof(*sel));
	/* Every value: merge's inputs decide whether a name is allowed with any. */
	const struct profile_spec so = { .scope = OSR_SCOPE_WORKLOAD,
					 .no_new_privs = no_new_privs,
					 .any_nnp = any,
					 .args = OSR_ARGS_ALL };
	struct profile_report rep;
	struct scope_report srep;
	struct osr_err err;
	json_object *p, *v;
	int r;

	if (!none || !sel)
		return -ENOMEM;
	/* What a recording of nothing allows: the runtimes' tails, with their values. */
	scope_select(none, &so, sel, &srep);
	r = profile_build(sel, NULL, &p, &rep, &err);
	if (r < 0)
		return r;
	if (rep.rule)
		json_object_object_add(rep.rule, "comment",
				       json_object_new_string(runtime_cover(no_new_privs, any)));
	if (json_object_object_get_ex(like, "defaultAction", &v))
		json_object_object_add(p, "defaultAction", json_object_get(v));
	if (json_object_object_get_ex(like, "defaultErrnoRet", &v))
		json_object_object_add(p, "defaultErrnoRet", json_object_get(v));
	*out = p;
	return 0;
}
