// SPDX-License-Identifier: GPL-2.0-only
/*
 * oci-seccomp-recorder: an OCI runtime hook that records the syscalls a
 * container makes and writes them as a seccomp allowlist.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bpfshare.h"
#include "cmdopt.h"
#include "commands.h"
#include "protocol.h"
#include "log.h"
#include "rundir.h"
#include "util.h"

static const struct command {
	const char *name;
	int (*run)(const struct options *o, int argc, char **argv);
} commands[] = {
	{ "prestart", cmd_prestart },
	/* The same work at the runtime spec's newer stage name. */
	{ "createRuntime", cmd_prestart },
	{ "poststop", cmd_poststop },
	{ "merge", cmd_merge },
	{ "check", cmd_check },
	{ "record", cmd_record },
	{ "report", cmd_report },
	{ "serve", cmd_serve },
	{ "watch-profile", cmd_watch_profile },
	{ "listen", cmd_listen },
	{ "policy", cmd_policy },
	{ "watch-report", cmd_watch_report },
};

/* The options before the command, for the hook stages and every command. */
static const struct cmd_option main_opts[] = {
	CMD_LONG('o', "output-dir", "DIR",
		 "of: must name a file inside DIR (no '..', no\n"
		 "symlinks); a Kubernetes namespace's land in\n"
		 "DIR/NAMESPACE"),
	CMD_LONG('s', "shared-output-dir", "DIR",
		 "or inside DIR, as named, never replacing a file (the\n"
		 "Security Profiles Operator's recordings folder)"),
	CMD_LONG('i', "input-dir", "DIR", "if: must name a file inside DIR (no '..', no symlinks)"),
	CMD_LONG('r', "run-dir", "DIR",
		 "where tracer state is kept\n(default " OSR_RUNDIR_DEFAULT ")"),
	CMD_LONG('S', "socket", "PATH",
		 "the recording service's socket, which a hook that cannot\n"
		 "record by itself (rootless) asks\n"
		 "(default " OSR_SOCKET_DEFAULT ")"),
	CMD_LONG('t', "timeout", "MS",
		 "how long a stage waits for the tracer (default: the\n"
		 "hook's 'timeout' in the bundle, else 30 s, less a\n"
		 "margin to clean up)"),
	CMD_LONG('l', "linger", "SECONDS",
		 "keep the BPF program loaded, detached, this long\n"
		 "after the last recording ends, so the next start\n"
		 "skips the verifier ('forever', or 0; default 600)"),
	CMD_LONG('q', "max-per-namespace", "N",
		 "recordings one Kubernetes namespace may hold at once on\n"
		 "this node (default 256 of the node's 1024), and the\n"
		 "same share of the 64 that may count (stats:)"),
	CMD_LONG('d', "debug", NULL, "print debug messages"),
	CMD_OPT('h', "help", NULL, "show this help"),
	CMD_OPT('V', "version", NULL, "show the version"),
	{ 0 },
};
CMD_OPTS_FIT(main_opts);
_Static_assert(OSR_DEFAULT_TENANT_QUOTA == 256 && OSR_MAX_RECORDINGS == 1024,
	       "--help says a namespace may hold 256 of the node's 1024 recordings");

/* The commands for people, in the order the help lists them. */
static const struct cmd_help *const people_commands[] = {
	&record_help,	     &report_help, &merge_help,	 &check_help,	     &serve_help,
	&watch_profile_help, &listen_help, &policy_help, &watch_report_help,
};

static void usage(FILE *f)
{
	cmd_synopsis(f, "Usage: ", "[OPTIONS] prestart|poststop < STATE");
	for (size_t i = 0; i < ARRAY_SIZE(people_commands); i++)
		cmd_synopsis(f, "       ", people_commands[i]->synopsis);
	fputs("\n"
	      "An OCI runtime hook. For a container annotated (absolute paths)\n"
	      "  io.containers.trace-syscall=of:/out.json[;if:/base.json][;stats:/s.json]\n"
	      "prestart starts recording its syscalls; poststop writes them to out.json as a\n"
	      "seccomp allowlist (merged into base.json if given), and with stats: how many\n"
	      "times each syscall was made to s.json. Without the annotation the\n"
	      "hook does nothing. The OCI state JSON is read on stdin.\n"
	      "\n"
	      "record runs a command on this machine in a PID namespace of its own and writes\n"
	      "its profile; report prints what a container's running recording has seen so\n"
	      "far; merge makes one profile of several (the containers of a pod), as JSON or\n"
	      "as a Security Profiles Operator SeccompProfile; check compiles profiles with\n"
	      "libseccomp and says what they allow and deny; serve records for rootless\n"
	      "hooks. 'COMMAND --help' for details.\n"
	      "\n"
	      "Options:\n",
	      f);
	cmd_options(f, main_opts);
	fputs("\n"
	      "Exit status: 0 success or nothing to do, 1 failure (the message says why),\n"
	      "2 usage error.\n",
	      f);
}

/* oci-seccomp-bpf-hook's command line, under its name where it was called by it. */
static int run_peer(struct options *o, int argc, char **argv)
{
	/* Its users look for its syslog tag (journalctl -t oci-seccomp-bpf-hook). */
	const char *base = strrchr(argv[0], '/');
	int r;

	if (!strcmp(base ? base + 1 : argv[0], "oci-seccomp-bpf-hook"))
		log_init("oci-seccomp-bpf-hook", NULL);
	r = cmd_peer(o, argc, argv);
	return r == OSR_EXIT_USAGE ? 2 : r < 0 ? 1 : 0;
}

/* --run-dir, --output-dir, --shared-output-dir and --input-dir: absolute paths. */
static int dir_option(int c, const char *arg, struct options *o)
{
	if (arg[0] != '/') {
		log_error("--%s '%s' is not an absolute path",
			  c == 'r'   ? "run-dir"
			  : c == 'o' ? "output-dir"
			  : c == 's' ? "shared-output-dir"
				     : "input-dir",
			  arg);
		return 2;
	}
	*(c == 'r'   ? &o->rundir
	  : c == 'o' ? &o->output_dir
	  : c == 's' ? &o->shared_output_dir
		     : &o->input_dir) = arg;
	return -1;
}

/* The options before the command: -1 to go on with argv[optind], or the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
	struct cmd_getopt g;
	long v;
	int c, r;

	/* "+": stop at the command, whose own options follow it. */
	cmd_getopt_init(&g, main_opts, "+");
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'o':
		case 's':
		case 'i':
			if ((r = dir_option(c, optarg, o)) >= 0)
				return r;
			break;
		case 't':
			if (parse_long(optarg, 1, 3600 * 1000, &v) < 0) {
				log_error("--timeout '%s' is not a number of milliseconds from 1 to "
					  "3600000",
					  optarg);
				return 2;
			}
			o->timeout_ms = (int)v;
			break;
		case 'l':
			if (!strcmp(optarg, "forever")) {
				o->linger_s = OSR_LINGER_FOREVER;
			} else if (parse_long(optarg, 0, 7 * 24 * 3600, &v) < 0) {
				log_error("--linger '%s' is not a number of seconds from 0 to 604800, "
					  "or 'forever'",
					  optarg);
				return 2;
			} else {
				o->linger_s = (int)v;
			}
			break;
		case 'S':
			if (optarg[0] != '/') {
				log_error("--socket '%s' is not an absolute path", optarg);
				return 2;
			}
			o->socket = optarg;
			break;
		case 'q':
			if (parse_long(optarg, 1, OSR_MAX_RECORDINGS, &v) < 0) {
				log_error("--max-per-namespace '%s' is not a number from 1 to %d",
					  optarg, OSR_MAX_RECORDINGS);
				return 2;
			}
			o->tenant_quota = (unsigned int)v;
			break;
		case 'd':
			log_set_debug(1);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("oci-seccomp-recorder %s\n", OSR_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/* "prestart --help", "COMMAND --version": -1 where the command is to run, or the exit status. */
static int help_after_command(int argc, char **argv)
{
	const char *cmd = argv[optind];

	/* The hook stages take no options; "prestart --help" shows the general help. */
	if (optind + 1 < argc &&
	    (!strcmp(cmd, "prestart") || !strcmp(cmd, "poststop") || !strcmp(cmd, "createRuntime")) &&
	    (!strcmp(argv[optind + 1], "--help") || !strcmp(argv[optind + 1], "-h"))) {
		usage(stdout);
		return 0;
	}
	/* "COMMAND --version" too (only there: not among record's COMMAND words). */
	if (optind + 1 < argc &&
	    (!strcmp(argv[optind + 1], "--version") || !strcmp(argv[optind + 1], "-V"))) {
		printf("oci-seccomp-recorder %s\n", OSR_VERSION);
		return 0;
	}
	return -1;
}

/* Run the command argv[optind] names: its exit status. */
static int run_command(const struct options *o, int argc, char **argv)
{
	const char *cmd = argv[optind];
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, cmd))
			continue;
		int first = optind;

		optind = 0; /* the command parses its own options afresh */
		r = commands[i].run(o, argc - first, argv + first);
		if (r > 0 && (r & 0x10000))
			return r & 0xff;
		return r == OSR_EXIT_USAGE ? 2 : r < 0 ? 1 : 0;
	}
	log_error("unknown command '%s' (see --help)", cmd);
	return 2;
}

int main(int argc, char **argv)
{
	struct options o = { .rundir = OSR_RUNDIR_DEFAULT,
			     .timeout_ms = 0,
			     .linger_s = OSR_LINGER_DEFAULT,
			     .tenant_quota = OSR_DEFAULT_TENANT_QUOTA,
			     .socket = OSR_SOCKET_DEFAULT };
	int r;

	log_init("oci-seccomp-recorder", NULL);
	/* Called as oci-seccomp-bpf-hook is (its hooks.d file, its flags). */
	if (peer_args(argc, argv))
		return run_peer(&o, argc, argv);
	r = parse_options(argc, argv, &o);
	if (r < 0)
		r = help_after_command(argc, argv);
	if (r < 0)
		r = run_command(&o, argc, argv);
	return r;
}
