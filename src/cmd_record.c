// SPDX-License-Identifier: GPL-2.0-only
/*
 * `record`, for people rather than runtimes: runs a command in a fresh PID
 * namespace and writes its profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>

#include "bpfshare.h"
#include "cmdopt.h"
#include "commands.h"
#include "counts.h"
#include "fileio.h"
#include "format.h"
#include "log.h"
#include "output.h"
#include "proc.h"
#include "profile.h"
#include "recording.h"
#include "rules.h"
#include "rundir.h"
#include "scope.h"

/* record's own failures, told apart from the command's exit status (as env(1) does). */
#define RECORD_EXIT_FAILED 125

static pid_t record_child = -1;

static void forward_signal(int sig)
{
	if (record_child > 0)
		kill(record_child, sig);
}

/* The signals passed on to the command: SIGINT, SIGTERM and SIGHUP. */
static void pass_on_signals(const struct sigaction *sa)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], sa, NULL);
}

/*
 * record itself: a signal a process sent (kill, timeout(1), a supervisor) goes
 * on to the command, and the recording is written once it has exited. A
 * terminal's ^C is not passed on: it reaches the command's process group itself.
 */
static void forward_sent_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si->si_code <= 0) /* SI_USER, SI_QUEUE, SI_TKILL: sent by a process */
		forward_signal(sig);
}

/*
 * pid 1 of the new namespace: start the command as its child, so the command
 * gets signals as any process does (pid 1 ignores those it has no handler for),
 * pass on SIGINT/SIGTERM/SIGHUP, reap everything, exit as the command did.
 */
static int namespace_init(int go_fd, char **cmd)
{
	struct sigaction sa = { .sa_handler = forward_signal };
	int status = 0;
	pid_t pid;
	char go;

	pid = fork();
	if (pid < 0)
		return 127;
	if (pid == 0) {
		/* Run only once the recording has started. */
		if (read(go_fd, &go, 1) != 1)
			_exit(127);
		close(go_fd);
		execvp(cmd[0], cmd);
		fprintf(stderr, "oci-seccomp-recorder: cannot run '%s': %s\n", cmd[0],
			osr_strerror(errno));
		/* As env(1) and the shells: 127 not found, 126 found but not run. */
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(go_fd);
	record_child = pid;
	pass_on_signals(&sa);
	for (;;) {
		int st;
		pid_t w = wait(&st);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (w == pid)
			status = st;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const struct cmd_option record_opts[] = {
	CMD_OPT('o', "output", "OUT", "where to write the profile (default '-': standard\noutput)"),
	CMD_OPT('b', "base", "FILE", "extend this profile, as the hook's if: does"),
	CMD_OPT('f', "format", "FORMAT",
		"'json', or 'seccompprofile' (also 'spo', 'yaml'): a\n"
		"Security Profiles Operator SeccompProfile resource;\n"
		"default: seccompprofile when OUT ends in .yaml or .yml"),
	CMD_LONG('s', "scope", "SCOPE",
		 "'workload' (default): from COMMAND's exec on, plus what\n"
		 "runc and crun do after loading a filter, so the profile\n"
		 "starts COMMAND in a container under either; 'exact':\n"
		 "from the exec on only; 'all': the recorder's own set-up\n"
		 "before it too"),
	CMD_LONG('N', "nnp", "SETTING",
		 "the containers' noNewPrivileges the profile is to start\n"
		 "under: 'false' (default, as Kubernetes and podman run\n"
		 "them), 'true' (runc's default spec) or 'both'"),
	CMD_LONG('A', "args", "WHAT",
		 "'default': socket, clone, unshare, setns, personality,\n"
		 "ptrace, keyctl and bpf are allowed with the argument\n"
		 "values COMMAND used only, prctl and ioctl by name;\n"
		 "'all' (or 'recorded'): prctl and ioctl by value too;\n"
		 "'none': names only"),
	CMD_LONG('S', "stats", "FILE",
		 "count every syscall too, and write the counts to FILE\n"
		 "(JSON, after the profile; see the man page)"),
	CMD_OPT('h', "help", NULL, "show this help"),
	{ 0 },
};
CMD_OPTS_FIT(record_opts);

const struct cmd_help record_help = {
	.synopsis = "record [-o OUT] [--base FILE] [--format FORMAT] [--scope SCOPE] "
		    "[--nnp SETTING] [--args WHAT] [--stats FILE] -- COMMAND [ARG...]",
	.about = "Run COMMAND in a new PID namespace on this machine, record every syscall it and\n"
		 "its children make, and write the allowlist to OUT. Needs root.\n",
	.opts = record_opts,
	.status = "Exit status: COMMAND's; 125 if recording failed, 2 usage error.\n",
};

/* What record's options ask for, and what it owns for them. */
struct record_args {
	struct output_opts out;
	struct output_target target, stats; /* resolved before the command runs */
	const char *path;		    /* -o as given */
	json_object *base;
	char *base_abs, *out_abs, *stats_abs;
	enum profile_format format;
	bool format_given;
	char **cmd;
};

static void record_args_free(struct record_args *a)
{
	target_close(&a->target);
	target_close(&a->stats);
	json_object_put(a->base);
	free(a->base_abs);
	free(a->out_abs);
	free(a->stats_abs);
}

/* -b: the base, read now. */
static int record_base(struct record_args *a, const char *path)
{
	struct osr_err err = { "" };
	int r;

	/* Relative to the working directory, as people give paths. */
	free(a->base_abs);
	a->base_abs = NULL;
	if (absolute_path("record", path, &a->base_abs) < 0)
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	json_object_put(a->base);
	a->base = NULL;
	r = profile_load(a->base_abs, place_as_given(), "base profile", &a->base, &a->out.base_src,
			 &err);
	if (r < 0) {
		log_error("%s", osr_err_text(&err, r));
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	}
	return 0;
}

/* 0 to go on, or what cmd_record() returns. */
static int record_parse(int argc, char **argv, struct record_args *a)
{
	struct cmd_getopt g;
	struct output_opts *out = &a->out;
	int c, r;

	cmd_getopt_init(&g, record_opts, "+");
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->path = optarg;
			break;
		case 'b':
			if ((r = record_base(a, optarg)) != 0)
				return r;
			break;
		case 'f':
			if (format_parse(optarg, &a->format) < 0) {
				log_error("--format '%s' is not 'json' or 'seccompprofile'", optarg);
				return OSR_EXIT_USAGE;
			}
			a->format_given = true;
			break;
		case 's':
			if (scope_parse(optarg, &out->spec.scope) < 0) {
				log_error("--scope '%s' is not 'workload', 'exact' or 'all'",
					  optarg);
				return OSR_EXIT_USAGE;
			}
			break;
		case 'N': {
			bool given;

			if (nnp_parse(optarg, &given, &out->spec.no_new_privs, &out->spec.any_nnp) <
				    0 ||
			    !given) {
				log_error("--nnp '%s' is not 'true', 'false' or 'both'", optarg);
				return OSR_EXIT_USAGE;
			}
			break;
		}
		case 'A':
			if (args_parse(optarg, &out->spec.args) < 0) {
				log_error("--args '%s' is not " OSR_ARGS_ACCEPTED, optarg);
				return OSR_EXIT_USAGE;
			}
			break;
		case 'S':
			free(a->stats_abs);
			a->stats_abs = NULL;
			if (absolute_path("record", optarg, &a->stats_abs) < 0)
				return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
			break;
		case 'h':
			cmd_usage(stdout, &record_help);
			return OSR_ARGS_DONE;
		default:
			cmd_usage(stderr, &record_help);
			return OSR_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		log_error("record: no command given (usage: record [-o OUT] -- COMMAND [ARG...])");
		return OSR_EXIT_USAGE;
	}
	a->cmd = argv + optind;
	return 0;
}

/* -o: made absolute. */
static int record_output(struct record_args *a)
{
	a->out.base = a->base;
	a->out.target = &a->target;
	if (!strcmp(a->path, "-"))
		return 0;
	if (absolute_path("record", a->path, &a->out_abs) < 0)
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	a->path = a->out_abs;
	return 0;
}

/*
 * Everything that can fail before the command runs, checked before it does:
 * the outputs resolved (as given, as cp would), in the format asked for.
 */
static int record_check(const struct options *o, struct record_args *a)
{
	struct osr_err err = { "" };
	bool same = false;
	int r;

	if ((r = target_open(&a->target, a->path, place_as_given(), false, &err)) < 0 ||
	    (a->stats_abs &&
	     (r = target_open(&a->stats, a->stats_abs, place_as_given(), false, &err)) < 0) ||
	    (r = target_same(&a->stats, &a->target, &same, &err)) < 0) {
		log_error("%s", osr_err_text(&err, r));
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	}
	if (same) {
		log_error("--stats '%s' names the profile's own file '%s'", a->stats_abs, a->path);
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	}
	if (a->format_given)
		a->target.format = a->format;
	r = rundir_prepare(o->rundir, &err);
	if (r < 0) {
		log_error("%s", osr_err_text(&err, r));
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	}
	return 0;
}

/*
 * Start cmd as the child of pid 1 of a PID namespace of its own, held until a
 * byte is written to *go. The pid 1's, or -1.
 */
static pid_t record_spawn(char **cmd, int *go)
{
	struct clone_args ca = { .flags = CLONE_NEWPID, .exit_signal = SIGCHLD };
	int fds[2];
	pid_t child;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	/*
	 * The child is born pid 1 of a PID namespace of its own; this process stays
	 * where it is (after unshare(CLONE_NEWPID) it could not even fork once that
	 * child is gone, which is what LeakSanitizer does at exit).
	 */
	fflush(NULL);
	child = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (child < 0) {
		log_error("cannot start COMMAND in a new PID namespace: %s (record needs root and "
			  "Linux 5.3)",
			  osr_strerror(errno));
		return -1;
	}
	if (child == 0) {
		close(fds[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(namespace_init(fds[0], cmd));
	}
	close(fds[0]);
	*go = fds[1];
	return child;
}

/* Enter the child's namespace into the program; on failure the child is killed. */
static int record_attach(pid_t child, int linger_s, struct osr_container *hdr, struct bpf_share *bs)
{
	struct osr_err err = { "" };
	unsigned int inum, level;
	int r;

	r = pidns_of(child, &inum, &level, &err);
	if (r >= 0)
		r = exe_of(child, &hdr->exe_ino, &hdr->exe_dev, &err);
	if (r >= 0)
		r = bpf_share_enter(bs,
				    &(struct share_request){ .pid = child,
							     .linger_s = linger_s,
							     .shell_parent = true },
				    hdr, &err);
	if (r >= 0) {
		char times[160];

		bpf_share_times_text(bs, times, sizeof(times));
		log_debug("entered: %s", times);
	}
	if (r < 0) {
		log_error("%s", osr_err_text(&err, r));
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	return r;
}

/* Let the command run, passing signals on, until it exits: its exit status. */
static int record_run(pid_t child, int go)
{
	int status;

	/* Recording: let the command run. */
	if (write(go, "g", 1) != 1)
		log_warn("cannot start the command: %s", osr_strerror(errno));
	close(go);
	record_child = child;
	pass_on_signals(&(struct sigaction){ .sa_sigaction = forward_sent_signal,
					     .sa_flags = SA_SIGINFO | SA_RESTART });
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR) {
			status = 127 << 8;
			break;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Take the recording out of the program and write its profile, then its stats if asked. */
static int record_write(struct bpf_share *bs, struct osr_container *table,
			const struct record_args *a)
{
	const struct output_opts *out = &a->out;
	_cleanup_free_ struct osr_stats *stats = NULL;
	struct osr_err err = { "" };
	int r;

	if (a->stats_abs && !(stats = malloc(sizeof(*stats))))
		return -ENOMEM;
	r = bpf_share_leave(bs, table, stats);
	bpf_share_close(bs);
	if (r < 0)
		osr_fail(&err, r, "cannot read the recording: %s", osr_strerror(-r));
	else if (!recording_workload_ran(table))
		r = osr_fail(&err, -ENOEXEC, "'%s' never ran: no profile written", a->cmd[0]);
	else
		r = output_write(table, out, &err);
	if (r < 0) {
		log_error("%s", osr_err_text(&err, r));
		return r;
	}
	if (target_is_file(&a->target))
		log_info("wrote '%s'", a->target.shown);
	if (!stats)
		return 0;
	r = counts_save(table, stats, NULL, &a->stats, &err);
	if (r < 0)
		log_error("%s", osr_err_text(&err, r));
	else
		log_info("wrote '%s'", a->stats_abs);
	return r;
}

int cmd_record(const struct options *o, int argc, char **argv)
{
	/* A person names -o and -b: written and read as given, as cp would. */
	_cleanup_(record_args_free) struct record_args a = {
		.out = { .spec.scope = OSR_SCOPE_WORKLOAD },
		.target = OUTPUT_TARGET_INIT,
		.stats = OUTPUT_TARGET_INIT,
		.path = "-",
	};
	_cleanup_free_ struct osr_container *hdr = NULL, *table = NULL;
	struct bpf_share bs;
	int go, r, code;
	pid_t child;

	r = record_parse(argc, argv, &a);
	if (r == 0)
		r = record_output(&a);
	if (r != 0)
		return r == OSR_ARGS_DONE ? 0 : r;
	hdr = calloc(1, sizeof(*hdr));
	table = malloc(sizeof(*table));
	if (!hdr || !table)
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	hdr->counting = a.stats_abs != NULL;
	r = record_check(o, &a);
	if (r != 0)
		return r;
	child = record_spawn(a.cmd, &go);
	if (child < 0)
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	if (record_attach(child, o->linger_s, hdr, &bs) < 0) {
		close(go);
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	}
	code = record_run(child, go);
	r = record_write(&bs, table, &a);
	/* A command that never ran: its status (126, 127) says why, where it has one. */
	if (r == -ENOEXEC && code)
		return OSR_EXIT_CODE(code);
	if (r < 0)
		return OSR_EXIT_CODE(RECORD_EXIT_FAILED);
	return OSR_EXIT_CODE(code);
}
