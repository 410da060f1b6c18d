// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which part of a recording a profile covers. A seccomp filter binds a task
 * from the moment the runtime loads it, so the runtime's setup before that
 * (mount, pivot_root, sethostname, ...) need not, and should not, be allowed.
 */
#include <errno.h>
#include <string.h>
#include <seccomp.h>

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

int scope_parse(const char *value, enum osr_scope *out)
{
	if (!strcmp(value, "workload"))
		*out = OSR_SCOPE_WORKLOAD;
	else if (!strcmp(value, "all"))
		*out = OSR_SCOPE_ALL;
	else if (!strcmp(value, "exact"))
		*out = OSR_SCOPE_EXACT;
	else
		return -EINVAL;
	return 0;
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
	return scope == OSR_SCOPE_ALL ? "all" : scope == OSR_SCOPE_EXACT ? "exact" : "workload";
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
static void add_runtime_tails(const struct scope_opts *so, uint32_t native, osr_seen_t *out,
			      struct scope_report *rep)
{
	for (size_t i = 0; i <= runtime_tail_count; i++) {
		const char *const *names =
			i < runtime_tail_count ? runtime_tails[i].names : runtime_async;

		if (i < runtime_tail_count && !so->any_nnp && runtime_tails[i].no_new_privs >= 0 &&
		    runtime_tails[i].no_new_privs != (int)so->no_new_privs)
			continue;
		for (; *names; names++) {
			int nr = seccomp_syscall_resolve_name_arch(native, *names);

			if (nr < 0 || nr >= OSR_MAX_SYSCALLS || (*out)[OSR_ABI_NATIVE][nr])
				continue;
			(*out)[OSR_ABI_NATIVE][nr] = 1;
			rep->portable_added++;
		}
	}
}

void scope_select(const osr_phases_t *phases, const struct scope_opts *so, osr_seen_t *out,
		  struct scope_report *rep)
{
	const enum osr_scope scope = so->scope;
	const bool no_new_privs = so->no_new_privs;
	const uint32_t native = profile_abi_arch(OSR_ABI_NATIVE);

	memset(rep, 0, sizeof(*rep));
	memset(out, 0, sizeof(*out));
	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++)
		for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++)
			if ((*phases)[OSR_PHASE_FILTERED][abi][nr])
				rep->filter_seen = true;

	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++) {
		uint32_t arch = profile_abi_arch(abi);

		for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++) {
			const uint8_t setup = (*phases)[OSR_PHASE_SETUP][abi][nr];
			char *name;

			(*out)[abi][nr] = (*phases)[OSR_PHASE_FILTERED][abi][nr] |
					  (*phases)[OSR_PHASE_WORKLOAD][abi][nr];
			if (!setup || (*out)[abi][nr])
				continue;
			if (scope == OSR_SCOPE_ALL) {
				(*out)[abi][nr] = 1;
				continue;
			}
			name = arch ? seccomp_syscall_resolve_num_arch(arch, (int)nr) : NULL;
			if (name && keep_setup(name, rep->filter_seen, no_new_privs)) {
				(*out)[abi][nr] = 1;
				rep->tail_added++;
			} else {
				note(rep, name ? name : "?");
			}
			free(name);
		}
	}

	if (scope == OSR_SCOPE_WORKLOAD && native)
		add_runtime_tails(so, native, out, rep);
	/* Native numbers only: an ABI the container never used stays out of the profile. */
	for (size_t i = 0; native && always[i]; i++) {
		int nr = seccomp_syscall_resolve_name_arch(native, always[i]);

		if (nr >= 0 && nr < OSR_MAX_SYSCALLS)
			(*out)[OSR_ABI_NATIVE][nr] = 1;
	}
}
