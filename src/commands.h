/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_COMMANDS_H
#define OSR_COMMANDS_H

#include <stdbool.h>

#include "util.h"

/* Options given before the command, shared by every command. */
/* A stage's deadline where neither --timeout nor the runtime gives one (runc waits for ever). */
#define OSR_TIMEOUT_DEFAULT_S 30

struct options {
	const char *rundir;
	const char *output_dir;	       /* of: must lie inside it */
	const char *shared_output_dir; /* or inside this one, written once, names shared */
	const char *input_dir;	       /* if: must lie inside it */
	int timeout_ms;		       /* 0: what the runtime gives the hook, less a margin */
	const char *timeout_why;       /* what set timeout_ms, for the message when it passes */
	int linger_s;		   /* seconds the idle program stays loaded (OSR_LINGER_FOREVER) */
	unsigned int tenant_quota; /* recordings one Kubernetes namespace may hold at once */
	bool alone;		   /* no poststop will come: the tracer removes its own record */
	bool workload_running;	   /* -r PID: the process runs its workload already */
	const char *socket; /* the recording service's, for hooks that cannot record themselves */
};

/* How long a stage waits for the tracer: --timeout or what cmd_prestart/poststop resolved. */
static inline int stage_timeout_ms(const struct options *o)
{
	return o->timeout_ms > 0 ? o->timeout_ms : OSR_TIMEOUT_DEFAULT_S * 1000;
}

/*
 * Each command gets its own argv (argv[0] is the command's name) and returns
 * 0, a negative errno once it has logged why (exit 1), or OSR_EXIT_USAGE for
 * bad arguments (exit 2).
 */
#define OSR_EXIT_USAGE 2
/* A command that sets its exit status itself (record passes on its command's). */
#define OSR_EXIT_CODE(n) (0x10000 | ((n)&0xff))
/* What a command's option parser returns once --help is shown: done, exit status 0. */
#define OSR_ARGS_DONE OSR_EXIT_CODE(0)
int cmd_prestart(const struct options *o, int argc, char **argv);
int cmd_poststop(const struct options *o, int argc, char **argv);
/* oci-seccomp-bpf-hook's command line (-s, -r PID -o OUT [-i IN], -version): src/peer.c. */
bool peer_args(int argc, char **argv);
int cmd_peer(const struct options *o, int argc, char **argv);
/* The recording service, for hooks that cannot record by themselves (src/service.c). */
int cmd_serve(const struct options *o, int argc, char **argv);
/* Commands for people: merge profiles (src/cmd_merge.c), check them (src/cmd_check.c). */
int cmd_merge(const struct options *o, int argc, char **argv);
int cmd_check(const struct options *o, int argc, char **argv);
/* Record a command (src/cmd_record.c); show a running recording (src/cmd_report.c). */
int cmd_record(const struct options *o, int argc, char **argv);
int cmd_report(const struct options *o, int argc, char **argv);
/* What each command's --help prints (src/cmdopt.h); the top-level help lists their synopses. */
struct cmd_help;
extern const struct cmd_help record_help, report_help, merge_help, check_help, serve_help;
/* Watch mode (src/cmd_watch.c, src/listener.c): enforce a profile, learn what it lacks. */
int cmd_watch_profile(const struct options *o, int argc, char **argv);
int cmd_listen(const struct options *o, int argc, char **argv);
int cmd_policy(const struct options *o, int argc, char **argv);
int cmd_watch_report(const struct options *o, int argc, char **argv);
extern const struct cmd_help watch_profile_help, listen_help, policy_help, watch_report_help;

#endif
