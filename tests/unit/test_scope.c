// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of reducing a recording to the syscalls a profile must allow:
 * scope_select(), scope_parse(), scope_name() and args_parse().
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>

#include "profile.h"
#include "recorder.h"
#include "scope.h"
#include "unit.h"

/* What every profile allows, on the native ABI only (as src/scope.c has it). */
static const char *const always[] = {
	"rt_sigreturn",
	"restart_syscall",
	"exit",
	"exit_group",
};

/* Allocated once in main(): a recording is about 30 KiB. */
typedef uint8_t seen_t[OSR_ABI_COUNT][OSR_MAX_SYSCALLS];
static struct recording *rec;
static struct selection *sel;
static seen_t *want;
static struct scope_report rep;

#define LIST(...)                                                                                  \
	(const char *const[]){ __VA_ARGS__ },                                                      \
		sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)

/* Report a failure of the running case at a caller's line, once per case. */
__attribute__((format(printf, 2, 3))) static void fail_at(int line, const char *fmt, ...)
{
	va_list ap;

	if (unit_failed_in_case)
		return;
	printf("FAIL: %s: %s:%d: ", unit_case, __FILE__, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	unit_failed_in_case = 1;
}

/* The number of a name on an architecture; -1 (and a failure) if it has none. */
static int nr_arch(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	if (nr < 0 || nr >= OSR_MAX_SYSCALLS) {
		fail_at(__LINE__, "no syscall number for '%s'", name);
		return -1;
	}
	return nr;
}

static int nr_of(const char *name)
{
	return nr_arch(SCMP_ARCH_X86_64, name);
}

static void reset(void)
{
	memset(rec, 0, sizeof(*rec));
	memset(sel, 0xa5, sizeof(*sel)); /* scope_select must clear what it does not set */
	memset(&rep, 0x5a, sizeof(rep));
	rep.left_out_list[sizeof(rep.left_out_list) - 1] = '\0';
}

/* Record x86-64 syscalls in one phase. */
static void mark(enum osr_phase phase, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = nr_of(names[i]);

		if (nr >= 0)
			rec->seen[phase][OSR_ABI_NATIVE][nr] = 1;
	}
}

#define MARK(phase, ...) mark((phase), LIST(__VA_ARGS__))

/* Record an ia32 syscall, by its ia32 number, in one phase. */
static void mark_compat(enum osr_phase phase, const char *name)
{
	int nr = nr_arch(SCMP_ARCH_X86, name);

	if (nr >= 0)
		rec->seen[phase][OSR_ABI_COMPAT][nr] = 1;
}

static void select_scope(enum osr_scope scope, bool no_new_privs)
{
	scope_select(rec, &(struct profile_spec){ .scope = scope, .no_new_privs = no_new_privs },
		     sel, &rep);
}

static bool allowed(const char *name)
{
	int nr = nr_of(name);

	return nr >= 0 && sel->seen[OSR_ABI_NATIVE][nr];
}

/* Each name is (expect) or is not (!expect) allowed on the native ABI. */
static void check_allowed(int line, bool expect, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (allowed(names[i]) != expect)
			fail_at(line, "%s %s in the output", names[i], expect ? "not" : "wrongly");
}

#define CHECK_ALLOWED(...) check_allowed(__LINE__, true, LIST(__VA_ARGS__))
#define CHECK_NOT_ALLOWED(...) check_allowed(__LINE__, false, LIST(__VA_ARGS__))

/* Is name one of the space-separated words of list? */
static bool listed(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

static void check_listed(int line, bool expect, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (listed(rep.left_out_list, names[i]) != expect)
			fail_at(line, "%s %s in left_out_list '%s'", names[i],
				expect ? "not" : "wrongly", rep.left_out_list);
}

#define CHECK_LISTED(...) check_listed(__LINE__, true, LIST(__VA_ARGS__))
#define CHECK_NOT_LISTED(...) check_listed(__LINE__, false, LIST(__VA_ARGS__))

/* The expected output: the always set on the native ABI, plus what want_add() adds. */
static void want_reset(void)
{
	memset(want, 0, sizeof(*want));
	for (size_t i = 0; i < ARRAY_SIZE(always); i++) {
		int nr = nr_of(always[i]);

		if (nr >= 0)
			(*want)[OSR_ABI_NATIVE][nr] = 1;
	}
}

static void want_add(unsigned int abi, uint32_t arch, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = nr_arch(arch, names[i]);

		if (nr >= 0)
			(*want)[abi][nr] = 1;
	}
}

#define WANT(...) want_add(OSR_ABI_NATIVE, SCMP_ARCH_X86_64, LIST(__VA_ARGS__))

static const char *abi_name(unsigned int abi)
{
	return abi == OSR_ABI_NATIVE ? "native" : abi == OSR_ABI_COMPAT ? "compat" : "x32";
}

/* The output is exactly the expected set, on every ABI. */
static void check_out(int line)
{
	static const uint32_t arch[OSR_ABI_COUNT] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86,
						      SCMP_ARCH_X32 };

	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++) {
		for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++) {
			bool got = sel->seen[abi][nr] != 0, exp = (*want)[abi][nr] != 0;
			char *name;

			if (got == exp)
				continue;
			name = seccomp_syscall_resolve_num_arch(arch[abi], (int)nr);
			fail_at(line, "%s %u (%s) %s in the output", abi_name(abi), nr,
				name ? name : "?", exp ? "not" : "wrongly");
			free(name);
			return;
		}
	}
}

#define CHECK_OUT() check_out(__LINE__)

static bool abi_empty(unsigned int abi)
{
	for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++)
		if (sel->seen[abi][nr])
			return false;
	return true;
}

/* ---- scope "workload" ---- */

/* The runtime loaded a filter: only what ran under it, and its async syscalls, are kept. */
TEST(workload_filter_seen)
{
	reset();
	MARK(OSR_PHASE_SETUP, "mount", "pivot_root", "sethostname", "setgroups", "capset",
	     "umount2", "openat", "futex", "tgkill", "close");
	MARK(OSR_PHASE_FILTERED, "close", "write", "execve");
	MARK(OSR_PHASE_WORKLOAD, "brk", "arch_prctl", "read", "getrandom", "exit_group");
	select_scope(OSR_SCOPE_EXACT, true);

	want_reset();
	WANT("close", "write", "execve", "brk", "arch_prctl", "read", "getrandom", "exit_group",
	     "futex", "tgkill");
	CHECK_OUT();
	CHECK_NOT_ALLOWED("mount", "pivot_root", "sethostname", "setgroups", "capset", "umount2",
			  "openat");
	CHECK_ALLOWED("futex", "tgkill");
	CHECK(rep.filter_seen);
	CHECK(rep.left_out == 7);
	CHECK(rep.tail_added == 2);
	CHECK_LISTED("mount", "pivot_root", "sethostname", "setgroups", "capset", "umount2",
		     "openat");
	CHECK_NOT_LISTED("futex", "tgkill", "close");
}

/* The same setup with no_new_privs false: a seen filter still decides, not the tails. */
TEST(workload_filter_seen_ignores_no_new_privs)
{
	reset();
	MARK(OSR_PHASE_SETUP, "capset", "setuid", "prctl", "read", "openat", "mount");
	MARK(OSR_PHASE_FILTERED, "execve");
	select_scope(OSR_SCOPE_EXACT, false);

	want_reset();
	WANT("execve");
	CHECK_OUT();
	CHECK(rep.filter_seen);
	CHECK(rep.left_out == 6);
	CHECK(rep.tail_added == 0);
}

/* A filter loaded on another ABI counts too. */
TEST(workload_filter_seen_on_compat)
{
	reset();
	MARK(OSR_PHASE_SETUP, "openat", "mount");
	mark_compat(OSR_PHASE_FILTERED, "getpid");
	select_scope(OSR_SCOPE_EXACT, true);

	CHECK(rep.filter_seen);
	CHECK_NOT_ALLOWED("openat", "mount");
	CHECK(rep.left_out == 2);
}

/* No filter, no_new_privs: the runtime loads it late, only the late tail is kept. */
TEST(workload_no_filter_nnp)
{
	reset();
	MARK(OSR_PHASE_SETUP, "close", "openat", "write", "execve", "getdents64", "fstatfs",
	     "capset", "setuid", "setgroups", "prctl", "mount", "futex");
	MARK(OSR_PHASE_WORKLOAD, "read", "exit_group");
	select_scope(OSR_SCOPE_EXACT, true);

	want_reset();
	WANT("close", "openat", "write", "execve", "getdents64", "fstatfs", "futex", "read",
	     "exit_group");
	CHECK_OUT();
	CHECK_ALLOWED("close", "openat", "write", "execve", "getdents64", "fstatfs");
	CHECK_NOT_ALLOWED("capset", "setuid", "setgroups", "prctl", "mount");
	CHECK(!rep.filter_seen);
	CHECK(rep.left_out == 5);
	CHECK(rep.tail_added == 7);
	CHECK_LISTED("capset", "setuid", "setgroups", "prctl", "mount");
}

/* No filter, no no_new_privs: the filter goes on before privileges drop, more is kept. */
TEST(workload_no_filter_privileged)
{
	reset();
	MARK(OSR_PHASE_SETUP, "capset", "setuid", "setgid", "setgroups", "prctl", "read", "close",
	     "openat", "execve", "mount", "pivot_root", "sethostname", "umount2");
	MARK(OSR_PHASE_WORKLOAD, "write", "exit_group");
	select_scope(OSR_SCOPE_EXACT, false);

	want_reset();
	WANT("capset", "setuid", "setgid", "setgroups", "prctl", "read", "close", "openat",
	     "execve", "write", "exit_group");
	CHECK_OUT();
	CHECK_ALLOWED("capset", "setuid", "setgid", "setgroups", "prctl", "read");
	CHECK_NOT_ALLOWED("mount", "pivot_root", "sethostname", "umount2");
	CHECK(!rep.filter_seen);
	CHECK(rep.left_out == 4);
	CHECK(rep.tail_added == 9);
	CHECK_LISTED("mount", "pivot_root", "sethostname", "umount2");
	CHECK_NOT_LISTED("capset", "read");
}

/* What the workload did itself is allowed, even if the runtime's setup did it too. */
TEST(setup_and_workload_not_left_out)
{
	reset();
	MARK(OSR_PHASE_SETUP, "sethostname", "mount");
	MARK(OSR_PHASE_FILTERED, "execve");
	MARK(OSR_PHASE_WORKLOAD, "sethostname");
	select_scope(OSR_SCOPE_EXACT, true);

	CHECK_ALLOWED("sethostname", "execve");
	CHECK_NOT_ALLOWED("mount");
	CHECK(rep.left_out == 1);
	CHECK(rep.tail_added == 0);
	CHECK_LISTED("mount");
	CHECK_NOT_LISTED("sethostname");

	/* Without a filter seen, the same. */
	reset();
	MARK(OSR_PHASE_SETUP, "sethostname", "mount");
	MARK(OSR_PHASE_WORKLOAD, "sethostname");
	select_scope(OSR_SCOPE_EXACT, true);

	CHECK_ALLOWED("sethostname");
	CHECK(rep.left_out == 1);
	CHECK_NOT_LISTED("sethostname");
}

/*
 * The always set is allowed whatever phase it was seen in, so a setup-only
 * exit_group or rt_sigreturn is not "left out" of the profile.
 */
TEST(always_set_not_left_out)
{
	reset();
	MARK(OSR_PHASE_SETUP, "exit_group", "rt_sigreturn", "mount");
	MARK(OSR_PHASE_FILTERED, "execve");
	select_scope(OSR_SCOPE_EXACT, true);

	want_reset();
	WANT("execve");
	CHECK_OUT();
	CHECK(rep.left_out == 1);
	CHECK_LISTED("mount");
	CHECK_NOT_LISTED("exit_group", "rt_sigreturn");
}

/* ---- scope "all" ---- */

TEST(scope_all_is_union)
{
	reset();
	MARK(OSR_PHASE_SETUP, "mount", "pivot_root", "sethostname", "capset");
	MARK(OSR_PHASE_FILTERED, "execve", "close");
	MARK(OSR_PHASE_WORKLOAD, "read", "write", "capset");
	mark_compat(OSR_PHASE_SETUP, "mount");
	select_scope(OSR_SCOPE_ALL, true);

	CHECK_ALLOWED("mount", "pivot_root", "sethostname", "capset", "execve", "close", "read",
		      "write");
	/* The default's superset: what the other runtimes make after their load point too. */
	CHECK_ALLOWED("fstatfs", "getdents64", "futex", "nanosleep", "epoll_pwait");
	CHECK(rep.portable_added > 0);
	/* The runtimes' calls are native: the ia32 ABI keeps what it made. */
	for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++)
		CHECK(sel->seen[OSR_ABI_COMPAT][nr] ==
		      (nr == (unsigned int)nr_arch(SCMP_ARCH_X86, "mount")));
	CHECK(rep.filter_seen);
	CHECK(rep.left_out == 0);
	CHECK(rep.tail_added == 0);
	CHECK(rep.left_out_list[0] == '\0');

	/* No filter and no_new_privs false: the union still, and the tails without it. */
	reset();
	MARK(OSR_PHASE_SETUP, "mount", "pivot_root");
	select_scope(OSR_SCOPE_ALL, false);

	CHECK_ALLOWED("mount", "pivot_root", "capset", "setuid", "chdir");
	CHECK(!rep.filter_seen);
	CHECK(rep.left_out == 0);
	CHECK(rep.left_out_list[0] == '\0');
}

/* ---- ABIs ---- */

/* The always set is native only: an ABI the container never used stays empty. */
TEST(always_native_only)
{
	reset();
	MARK(OSR_PHASE_WORKLOAD, "read");
	select_scope(OSR_SCOPE_EXACT, true);

	want_reset();
	WANT("read");
	CHECK_OUT();
	CHECK(abi_empty(OSR_ABI_COMPAT));
	CHECK(abi_empty(OSR_ABI_X32));
	CHECK_ALLOWED("rt_sigreturn", "restart_syscall", "exit", "exit_group");
}

/* A compat (ia32) syscall the workload made is kept, with its ia32 number. */
TEST(compat_workload_kept)
{
	reset();
	CHECK(nr_arch(SCMP_ARCH_X86, "getpid") == 20);
	MARK(OSR_PHASE_WORKLOAD, "read");
	mark_compat(OSR_PHASE_WORKLOAD, "getpid");
	select_scope(OSR_SCOPE_EXACT, true);

	want_reset();
	WANT("read");
	want_add(OSR_ABI_COMPAT, SCMP_ARCH_X86, LIST("getpid"));
	CHECK_OUT();
	CHECK(abi_empty(OSR_ABI_X32));
	CHECK(rep.left_out == 0);
}

/* Compat setup syscalls are judged by their ia32 names. */
TEST(compat_setup_by_name)
{
	reset();
	mark_compat(OSR_PHASE_SETUP, "mount");
	mark_compat(OSR_PHASE_SETUP, "futex");
	MARK(OSR_PHASE_FILTERED, "execve");
	select_scope(OSR_SCOPE_EXACT, true);

	want_reset();
	WANT("execve");
	want_add(OSR_ABI_COMPAT, SCMP_ARCH_X86, LIST("futex"));
	CHECK_OUT();
	CHECK(rep.left_out == 1);
	CHECK(rep.tail_added == 1);
	CHECK_LISTED("mount");
}

/* ---- nothing recorded ---- */

/* Exact adds nothing of its own (workload and all add the runtimes' tails). */
TEST(nothing_recorded)
{
	static const struct {
		enum osr_scope scope;
		bool nnp;
	} runs[] = {
		{ OSR_SCOPE_EXACT, true },
		{ OSR_SCOPE_EXACT, false },
	};

	want_reset();
	for (size_t i = 0; i < ARRAY_SIZE(runs); i++) {
		reset();
		select_scope(runs[i].scope, runs[i].nnp);
		CHECK_OUT();
		CHECK(!rep.filter_seen);
		CHECK(rep.left_out == 0);
		CHECK(rep.tail_added == 0);
		CHECK(rep.left_out_list[0] == '\0');
	}
}

/* ---- the report's list ---- */

/*
 * Every native number in setup, one under the filter: everything is either kept
 * or left out, and the list, too long for its buffer, ends at its " ..." marker.
 */
TEST(left_out_list_truncated)
{
	size_t len;
	const char *dots;

	reset();
	memset(rec->seen[OSR_PHASE_SETUP][OSR_ABI_NATIVE], 1, OSR_MAX_SYSCALLS);
	MARK(OSR_PHASE_FILTERED, "read");
	select_scope(OSR_SCOPE_EXACT, true);

	len = strnlen(rep.left_out_list, sizeof(rep.left_out_list));
	dots = strstr(rep.left_out_list, " ...");
	CHECK(len < sizeof(rep.left_out_list));
	CHECK(rep.left_out + rep.tail_added == OSR_MAX_SYSCALLS - 1);
	CHECK_LISTED("write", "close");
	CHECK_NOT_LISTED("read", "futex");
	CHECK(dots != NULL);
	if (dots && strcmp(dots, " ..."))
		fail_at(__LINE__, "names after the ' ...' marker: '%s'", dots);
}

/* ---- scope "workload": portable across runtimes ---- */

static void select_portable(bool no_new_privs, bool any)
{
	scope_select(rec,
		     &(struct profile_spec){ .scope = OSR_SCOPE_WORKLOAD,
					     .no_new_privs = no_new_privs,
					     .any_nnp = any },
		     sel, &rep);
}

/*
 * Recorded under crun with noNewPrivileges (its tail: close, execve,
 * rt_sigprocmask): the profile also has what runc makes after its load
 * point (fstatfs, getdents64, openat...), not what only a runtime without
 * noNewPrivileges makes (capset, setuid...), and never the setup.
 */
TEST(portable_adds_other_runtimes_tails)
{
	reset();
	MARK(OSR_PHASE_SETUP, "mount", "pivot_root", "capset");
	MARK(OSR_PHASE_FILTERED, "close", "execve", "rt_sigprocmask");
	MARK(OSR_PHASE_WORKLOAD, "getcpu");
	select_portable(true, false);
	CHECK_ALLOWED("getcpu", "close", "execve", "rt_sigprocmask", "fstatfs", "getdents64",
		      "openat", "write", "futex", "nanosleep", "epoll_pwait");
	CHECK_NOT_ALLOWED("mount", "pivot_root", "capset", "setuid", "capget", "chdir");
	CHECK(rep.portable_added > 0);
}

/* Without noNewPrivileges: what runc and crun do before they drop privileges too. */
TEST(portable_without_nnp)
{
	reset();
	MARK(OSR_PHASE_WORKLOAD, "getcpu");
	select_portable(false, false);
	CHECK_ALLOWED("capget", "capset", "chdir", "getcwd", "faccessat2", "fstat", "setuid",
		      "setgroups", "setresuid", "pselect6", "fstatfs");
	CHECK_NOT_ALLOWED("mount", "pivot_root");
}

/* Both settings: the union. */
TEST(portable_both_nnp)
{
	reset();
	MARK(OSR_PHASE_WORKLOAD, "getcpu");
	select_portable(true, true);
	CHECK_ALLOWED("capset", "setuid", "fstatfs", "rt_sigprocmask");
}

/*
 * Where the vDSO cannot read the clock source (hpet, acpi_pm), runc's Go
 * runtime reads the clock by syscall at any moment, after the load point
 * too: a portable profile allows it with either setting, and an exact one
 * keeps it from setup, where the recording machine's vDSO did not hide it.
 */
TEST(portable_clock_without_vdso)
{
	for (int nnp = 0; nnp < 2; nnp++) {
		reset();
		MARK(OSR_PHASE_WORKLOAD, "getcpu");
		select_portable(nnp, false);
		CHECK_ALLOWED("clock_gettime");
	}
	reset();
	MARK(OSR_PHASE_SETUP, "mount", "clock_gettime");
	MARK(OSR_PHASE_FILTERED, "execve");
	select_scope(OSR_SCOPE_EXACT, true);
	CHECK_ALLOWED("clock_gettime", "execve");
	CHECK_NOT_ALLOWED("mount");
}

/* ---- scope_parse and scope_name ---- */

TEST(parse_accepts)
{
	enum osr_scope s = OSR_SCOPE_ALL;

	CHECK(scope_parse("workload", &s) == 0);
	CHECK(s == OSR_SCOPE_WORKLOAD);
	CHECK(scope_parse("exact", &s) == 0);
	CHECK(s == OSR_SCOPE_EXACT);
	CHECK(scope_parse("all", &s) == 0);
	CHECK(s == OSR_SCOPE_ALL);
}

TEST(parse_rejects)
{
	static const char *const bad[] = {
		"", "ALL", "Workload", "everything", "all ", " all", "workloads", "al",
	};
	enum osr_scope s;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (scope_parse(bad[i], &s) >= 0)
			fail_at(__LINE__, "'%s' accepted", bad[i]);
}

TEST(name_round_trips)
{
	static const enum osr_scope all[] = { OSR_SCOPE_WORKLOAD, OSR_SCOPE_EXACT, OSR_SCOPE_ALL };

	CHECK(!strcmp(scope_name(OSR_SCOPE_WORKLOAD), "workload"));
	CHECK(!strcmp(scope_name(OSR_SCOPE_EXACT), "exact"));
	CHECK(!strcmp(scope_name(OSR_SCOPE_ALL), "all"));
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		enum osr_scope s = all[i] == OSR_SCOPE_ALL ? OSR_SCOPE_EXACT : OSR_SCOPE_ALL;

		CHECK(scope_parse(scope_name(all[i]), &s) == 0);
		CHECK(s == all[i]);
	}
}

/* ---- args_parse and args_by_value ---- */

TEST(args_parse_accepts)
{
	enum osr_args a = OSR_ARGS_NONE;

	CHECK(args_parse("default", &a) == 0 && a == OSR_ARGS_DEFAULT);
	CHECK(args_parse("none", &a) == 0 && a == OSR_ARGS_NONE);
	CHECK(args_parse("all", &a) == 0 && a == OSR_ARGS_ALL);
	/* The old default's name: it used every recorded value, as "all" does now. */
	a = OSR_ARGS_DEFAULT;
	CHECK(args_parse("recorded", &a) == 0 && a == OSR_ARGS_ALL);
	for (size_t i = 0; i < ARRAY_SIZE(osr_args_names); i++)
		CHECK(args_parse(osr_args_names[i], &a) == 0 && a == (enum osr_args)i);
}

TEST(args_parse_rejects)
{
	static const char *const bad[] = {
		"", "All", "NONE", "default,+ioctl", "all ", " none", "records", "1", "0",
	};
	enum osr_args a = OSR_ARGS_NONE;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (args_parse(bad[i], &a) >= 0)
			fail_at(__LINE__, "'%s' accepted", bad[i]);
	CHECK(a == OSR_ARGS_NONE);
}

/* Which kinds become conditions: ioctl and prctl only when asked, the rest by default. */
TEST(args_by_value_kinds)
{
	for (int k = OSR_ARG_NONE + 1; k < OSR_ARG_KIND_COUNT; k++) {
		bool opt_in = k == OSR_ARG_IOCTL || k == OSR_ARG_PRCTL;

		CHECK(args_by_value(OSR_ARGS_ALL, (enum osr_arg_kind)k));
		CHECK(!args_by_value(OSR_ARGS_NONE, (enum osr_arg_kind)k));
		CHECK(args_by_value(OSR_ARGS_DEFAULT, (enum osr_arg_kind)k) == !opt_in);
	}
}

/* The selection cases use x86-64 and ia32 numbers; elsewhere they are skipped. */
#if defined(__x86_64__)
#define RUN_X86(name) RUN(name)
#else
#define RUN_X86(name)                                                                              \
	do {                                                                                       \
		(void)test_##name;                                                                 \
		printf("SKIP: %s: x86-64 numbers\n", #name);                                       \
	} while (0)
#endif

int main(void)
{
	rec = calloc(1, sizeof(*rec));
	sel = calloc(1, sizeof(*sel));
	want = calloc(1, sizeof(*want));
	if (!rec || !sel || !want) {
		printf("FAIL: test_scope: out of memory\n");
		return 0;
	}

	RUN_X86(workload_filter_seen);
	RUN_X86(workload_filter_seen_ignores_no_new_privs);
	RUN_X86(workload_filter_seen_on_compat);
	RUN_X86(workload_no_filter_nnp);
	RUN_X86(workload_no_filter_privileged);
	RUN_X86(setup_and_workload_not_left_out);
	RUN_X86(always_set_not_left_out);
	RUN_X86(scope_all_is_union);
	RUN_X86(always_native_only);
	RUN_X86(compat_workload_kept);
	RUN_X86(compat_setup_by_name);
	RUN_X86(nothing_recorded);
	RUN_X86(left_out_list_truncated);
	RUN_X86(portable_adds_other_runtimes_tails);
	RUN_X86(portable_without_nnp);
	RUN_X86(portable_both_nnp);
	RUN_X86(portable_clock_without_vdso);
	RUN(parse_accepts);
	RUN(parse_rejects);
	RUN(name_round_trips);
	RUN(args_parse_accepts);
	RUN(args_parse_rejects);
	RUN(args_by_value_kinds);

	free(want);
	free(sel);
	free(rec);
	return 0;
}
