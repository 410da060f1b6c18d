// SPDX-License-Identifier: GPL-2.0-only
/*
 * What each runtime does between loading the container's seccomp filter and
 * exec'ing its entrypoint. With noNewPrivileges, runtimes load the filter as
 * late as they can (close their fds, open and write the exec fifo, exec);
 * without it, loading needs CAP_SYS_ADMIN, so they load it before they drop
 * privileges and switch user, and all of that runs under the filter too.
 *
 * Measured on x86-64 by recording a container that only calls getpid under a
 * permissive filter, with runc 1.1.5 and crun 1.8.1, each directly and under
 * podman 4.3, with noNewPrivileges true and false: the profile's names less
 * the program's own. tests/integration/portable.sh does that measurement on
 * every run and fails if a runtime does something this table lacks.
 */
#include <errno.h>
#include <string.h>
#include <json-c/json.h>
#include <seccomp.h>

#include "jsonutil.h"
#include "profile.h"
#include "runtimes.h"

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct runtime_tail runtime_tails[] = {
	{ "runc 1.1.5 (also under podman)", 1,
	  NAMES("close", "epoll_ctl", "epoll_pwait", "execve", "fstatfs", "futex", "getdents64",
		"nanosleep", "openat", "write") },
	{ "runc 1.1.5 (also under podman)", 0,
	  NAMES("capget", "capset", "chdir", "close", "epoll_ctl", "epoll_pwait", "execve",
		"faccessat2", "fcntl", "fstat", "fstatfs", "futex", "getcwd", "getdents64",
		"getppid", "nanosleep", "newfstatat", "openat", "prctl", "read", "setgid",
		"setgroups", "setuid", "write") },
	{ "crun 1.8.1 (also under podman)", 1, NAMES("close", "execve", "rt_sigprocmask") },
	{ "crun 1.8.1 (also under podman)", 0,
	  NAMES("capset", "close", "execve", "prctl", "pselect6", "read", "rt_sigaction",
		"rt_sigprocmask", "setresgid", "setresuid", "write") },
	/*
	 * The same steps as other versions and architectures make them: runc
	 * 1.2 closes its fds with close_range, crun may exec with execveat, and
	 * older calls stand for the *at ones where a table has no *at call.
	 */
	{ "other versions and architectures", 1,
	  NAMES("close_range", "execveat", "open", "getdents") },
	{ "other versions and architectures", 0,
	  NAMES("close_range", "execveat", "open", "getdents", "stat", "lstat", "faccessat",
		"access", "setresuid", "setresgid", "setfsuid", "setfsgid") },
};
const size_t runtime_tail_count = sizeof(runtime_tails) / sizeof(runtime_tails[0]);

const char *const runtime_async[] = {
	"futex",	  "nanosleep",	"clock_nanosleep", "sched_yield", "getpid",
	"gettid",	  "tgkill",	"rt_sigprocmask",  "sigaltstack", "mmap",
	"munmap",	  "madvise",	"epoll_pwait",	   "epoll_wait",  "epoll_ctl",
	NULL,
};

bool name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

bool runtime_needs(const char *name, bool no_new_privs, bool any)
{
	if (name_in(name, runtime_async))
		return true;
	for (size_t i = 0; i < runtime_tail_count; i++)
		if ((any || runtime_tails[i].no_new_privs == (int)no_new_privs ||
		     runtime_tails[i].no_new_privs < 0) &&
		    name_in(name, runtime_tails[i].names))
			return true;
	return false;
}

/* Add name to the array once, if libseccomp knows it on arch. */
static int add_name(json_object *names, uint32_t arch, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(names); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(names, i)), name))
			return 0;
	if (seccomp_syscall_resolve_name_arch(arch, name) < 0)
		return 0;
	return json_object_array_add(names, json_object_new_string(name)) < 0 ? -ENOMEM : 0;
}

int runtime_tail_profile(bool no_new_privs, bool any, json_object *like, json_object **out)
{
	_cleanup_json_ json_object *p = json_object_new_object();
	json_object *names = json_object_new_array(), *rule = json_object_new_object(), *v;
	uint32_t arch = profile_abi_arch(OSR_ABI_NATIVE);
	int r = 0;

	if (!p || !names || !rule) {
		json_object_put(names);
		json_object_put(rule);
		return -ENOMEM;
	}
	json_object_object_add(rule, "names", names);
	json_object_object_add(rule, "action", json_object_new_string("SCMP_ACT_ALLOW"));
	json_object_object_add(rule, "comment",
			       json_object_new_string(runtime_cover(no_new_privs, any)));
	json_object_object_add(p, "syscalls", json_object_new_array());
	json_object_array_add(json_object_object_get(p, "syscalls"), rule);
	for (const char *const *l = runtime_async; r >= 0 && *l; l++)
		r = add_name(names, arch, *l);
	for (size_t i = 0; r >= 0 && i < runtime_tail_count; i++)
		if (any || runtime_tails[i].no_new_privs < 0 ||
		    runtime_tails[i].no_new_privs == (int)no_new_privs)
			for (const char *const *l = runtime_tails[i].names; r >= 0 && *l; l++)
				r = add_name(names, arch, *l);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(like, "defaultAction", &v))
		json_object_object_add(p, "defaultAction", json_object_get(v));
	if (json_object_object_get_ex(like, "defaultErrnoRet", &v))
		json_object_object_add(p, "defaultErrnoRet", json_object_get(v));
	*out = p;
	p = NULL;
	return 0;
}

const char *runtime_cover(bool no_new_privs, bool any)
{
	if (any)
		return "runc, crun, podman+runc and podman+crun, with noNewPrivileges true or false";
	return no_new_privs ? "runc, crun, podman+runc and podman+crun, with noNewPrivileges true"
			    : "runc, crun, podman+runc and podman+crun, with noNewPrivileges false";
}
