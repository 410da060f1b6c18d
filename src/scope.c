// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which part of a recording a profile covers. A seccomp filter binds a task
 * from the moment the runtime loads it, so the runtime's setup before that
 * (mount, pivot_root, sethostname, ...) need not, and should not, be allowed.
 */
#include <errno.h>
#include <string.h>
#include <seccomp.h>

#include "scope.h"

/*
 * Syscalls no process controls the timing of: returning from a signal handler,
 * restarting an interrupted syscall, exiting. A recording sees them or not by
 * chance (a signal arrived or not), so every profile allows them.
 */
static const char *const always[] = {
	"rt_sigreturn", "restart_syscall", "exit", "exit_group",
};

/*
 * What a runtime's init (runc's is a Go program) does at moments it does not
 * choose: scheduling, preemption signals, memory. If it was seen making one at
 * all, it may make it after the filter is loaded, so the profile allows it.
 */
static const char *const runtime_async[] = {
	"futex",	"nanosleep", "clock_nanosleep", "sched_yield", "getpid",     "gettid",
	"tgkill",	"rt_sigprocmask", "sigaltstack", "mmap",	   "munmap",	  "madvise",
	"epoll_pwait", "epoll_wait", "epoll_ctl",
};

/*
 * What a runtime's init does between loading the filter and exec'ing the
 * entrypoint when it loads it as late as it can (runc with noNewPrivileges,
 * crun): close its pipes and fds (listing /proc/self/fd), open and write the
 * exec fifo, exec. Used only when the recorded container had no filter, so the
 * load point could not be seen.
 */
static const char *const tail_late[] = {
	"close",     "close_range", "openat",	  "open",     "write",
	"execve",    "execveat",    "fstatfs",	  "getdents64", "getdents",
};

/*
 * Without noNewPrivileges, loading a filter needs CAP_SYS_ADMIN, so runtimes
 * load it before they drop privileges and switch user: all of that runs under
 * the filter too.
 */
static const char *const tail_early[] = {
	"read",	     "fstat",	   "newfstatat", "stat",    "lstat",   "fcntl",	 "getcwd",
	"chdir",     "faccessat",  "faccessat2", "access",  "getppid", "prctl",	 "capget",
	"capset",    "setgroups",  "setuid",	 "setgid",  "setresuid", "setresgid", "setfsuid",
	"setfsgid",
};

#define IN(name, list) in_list(name, list, ARRAY_SIZE(list))

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

int scope_parse(const char *value, enum osr_scope *out)
{
	if (!strcmp(value, "workload"))
		*out = OSR_SCOPE_WORKLOAD;
	else if (!strcmp(value, "all"))
		*out = OSR_SCOPE_ALL;
	else
		return -EINVAL;
	return 0;
}

const char *scope_name(enum osr_scope scope)
{
	return scope == OSR_SCOPE_ALL ? "all" : "workload";
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
	if (IN(name, always) || IN(name, runtime_async))
		return true;
	if (filter_seen)
		return false; /* the exact set is known: setup stays out */
	return IN(name, tail_late) || (!no_new_privs && IN(name, tail_early));
}

void scope_select(const osr_phases_t *phases, enum osr_scope scope, bool no_new_privs,
		  osr_seen_t *out, struct scope_report *rep)
{
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

	/* Native numbers only: an ABI the container never used stays out of the profile. */
	for (size_t i = 0; native && i < ARRAY_SIZE(always); i++) {
		int nr = seccomp_syscall_resolve_name_arch(native, always[i]);

		if (nr >= 0 && nr < OSR_MAX_SYSCALLS)
			(*out)[OSR_ABI_NATIVE][nr] = 1;
	}
}
