// SPDX-License-Identifier: GPL-2.0-only
/*
 * What each runtime does between loading the container's seccomp filter and
 * exec'ing its entrypoint. With noNewPrivileges, runtimes load the filter as
 * late as they can (close their fds, open and write the exec fifo, exec);
 * without it, loading needs CAP_SYS_ADMIN, so they load it before they drop
 * privileges and switch user, and all of that runs under the filter too.
 *
 * Measured on x86-64 by recording a container that only calls getpid under a
 * permissive filter (names, and the arguments of those whose arguments are
 * recorded), with runc 1.1.5 and crun 1.8.1, each directly and under
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
#define VALUES(...)                                                                                \
	(sizeof((const unsigned long long[]){ __VA_ARGS__ }) / sizeof(unsigned long long)),        \
		((const unsigned long long[]){ __VA_ARGS__ })
#define ARGS(...) ((const struct runtime_args[]){ __VA_ARGS__, { NULL, 0, NULL } })

/*
 * Without noNewPrivileges both runtimes keep their capabilities across the
 * switch of user and then set them: PR_SET_KEEPCAPS (8), PR_CAPBSET_DROP (24)
 * and PR_CAP_AMBIENT (47), measured as the names were.
 */
#define PRCTL_CAPS ARGS({ "prctl", VALUES(8, 24, 47) })

const struct runtime_tail runtime_tails[] = {
	{ "runc 1.1.5 (also under podman)", 1,
	  NAMES("close", "epoll_ctl", "epoll_pwait", "execve", "fstatfs", "futex", "getdents64",
		"nanosleep", "openat", "write"),
	  NULL },
	{ "runc 1.1.5 (also under podman)", 0,
	  /* fchown: the stdio fds handed to a process.user other than root. */
	  NAMES("capget", "capset", "chdir", "close", "epoll_ctl", "epoll_pwait", "execve",
		"faccessat2", "fchown", "fcntl", "fstat", "fstatfs", "futex", "getcwd",
		"getdents64", "getppid", "nanosleep", "newfstatat", "openat", "prctl", "read",
		"setgid", "setgroups", "setuid", "write"),
	  PRCTL_CAPS },
	{ "crun 1.8.1 (also under podman)", 1, NAMES("close", "execve", "rt_sigprocmask"), NULL },
	{ "crun 1.8.1 (also under podman)", 0,
	  NAMES("capset", "close", "execve", "prctl", "pselect6", "read", "rt_sigaction",
		"rt_sigprocmask", "setresgid", "setresuid", "write"),
	  PRCTL_CAPS },
	/*
	 * The same steps as other versions and architectures make them: runc
	 * 1.2 closes its fds with close_range, crun may exec with execveat, and
	 * older calls stand for the *at ones where a table has no *at call.
	 */
	{ "other versions and architectures", 1,
	  NAMES("close_range", "execveat", "open", "getdents"), NULL },
	{ "other versions and architectures", 0,
	  NAMES("close_range", "execveat", "open", "getdents", "stat", "lstat", "faccessat",
		"access", "setresuid", "setresgid", "setfsuid", "setfsgid"),
	  NULL },
};
const size_t runtime_tail_count = sizeof(runtime_tails) / sizeof(runtime_tails[0]);

/*
 * With a listener, crun 1.8.1's libcrun_apply_seccomp() clones a helper
 * before loading the filter (pid 2 in the container's PID namespace) to send
 * the listener its fd, since the profile may refuse sendmsg. After the load
 * it waits for the helper, then its cleanup kills it and waits again, and
 * unmaps the word they shared. strace -f of crun under a watch profile:
 *   wait4(2, [...], 0, NULL) kill(2, SIGKILL) wait4(2, NULL, 0, NULL)
 *   close(6) munmap(0x7f..., 4) close(5) close(4) execve(...)
 * The pid is the helper's, 2 only in a PID namespace of the container's own,
 * so only the constant argument is compared: a kill with another signal, or
 * a wait4 with options, still reaches the listener. munmap is allowed by
 * every profile of the default scope (runtime_async), not by an exact one.
 * runc 1.1.5 sends the fd from its parent: nothing more under the filter
 * (tests/integration/watch.sh holds its learned files to that). A call with
 * a condition suits a runtime that takes NOTIFY as the default, as crun does:
 * in runc's list of NOTIFY names its other values would get the profile's
 * errno, as any value a rule does not allow does there.
 */
const struct runtime_listener_call runtime_listener_calls[] = {
	{ "crun 1.8.1 (also under podman)", "wait4", 2, 0 },
	{ "crun 1.8.1 (also under podman)", "kill", 1, 9 /* SIGKILL */ },
	{ "crun 1.8.1 (also under podman)", "munmap", -1, 0 },
};
const size_t runtime_listener_call_count =
	sizeof(runtime_listener_calls) / sizeof(runtime_listener_calls[0]);

/*
 * clock_gettime: Go reads the clock through the vDSO (its scheduler and
 * sysmon, at any moment), and the vDSO makes this syscall where it cannot
 * read the clock source itself (hpet, acpi_pm: some VMs and Xen guests), as
 * Go does where there is no vDSO. On the clock source the table was measured
 * on it never showed; runc made it under the filter in a qemu guest whose
 * clock source the vDSO cannot read, and here, with the vDSO hidden from it
 * (portable.sh), in 9 of 10 runs. Its binary has no other clock
 * syscall (Debian's runc 1.1.5, go 1.19, disassembled: three clock_gettime,
 * no gettimeofday, time or clock_getres). crun (C) reads the clock for log
 * lines, none after its load point when it succeeds: it started in that
 * guest. The vDSO's time() reads no clock source and makes no syscall.
 */
const char *const runtime_async[] = {
	"futex",       "nanosleep",	 "clock_nanosleep", "sched_yield",   "getpid", "gettid",
	"tgkill",      "rt_sigprocmask", "sigaltstack",	    "mmap",	     "munmap", "madvise",
	"epoll_pwait", "epoll_wait",	 "epoll_ctl",	    "clock_gettime", NULL,
};

bool name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

bool runtime_tail_applies(const struct runtime_tail *t, bool no_new_privs, bool any)
{
	return any || t->no_new_privs < 0 || t->no_new_privs == (int)no_new_privs;
}

bool runtime_needs(const char *name, bool no_new_privs, bool any)
{
	if (name_in(name, runtime_async))
		return true;
	for (size_t i = 0; i < runtime_tail_count; i++)
		if (runtime_tail_applies(&runtime_tails[i], no_new_privs, any) &&
		    name_in(name, runtime_tails[i].names))
			return true;
	return false;
}

const char *runtime_cover(bool no_new_privs, bool any)
{
	if (any)
		return "runc, crun, podman+runc and podman+crun, with noNewPrivileges true or false";
	return no_new_privs ? "runc, crun, podman+runc and podman+crun, with noNewPrivileges true"
			    : "runc, crun, podman+runc and podman+crun, with noNewPrivileges false";
}
