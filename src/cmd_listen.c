// SPDX-License-Identifier: GPL-2.0-only
/*
 * The watch-mode listener's commands: `listen` runs it, `policy` and
 * `watch-report` ask it about a container (src/listener.c).
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cmdopt.h"
#include "commands.h"
#include "listener.h"
#include "log.h"
#include "state.h"
#include "watch.h"
#include "watched.h"

#define SOCKET_OPT                                                                                 \
	CMD_OPT('S', "socket", "PATH",                                                             \
		"the listener's socket (default\n" OSR_WATCH_SOCKET_DEFAULT ")")

static const struct cmd_option listen_opts[] = {
	SOCKET_OPT,
	CMD_LONG('s', "state-dir", "DIR",
		 "where each watched container's policy and learned\n"
		 "calls are kept across restarts (default\n" OSR_WATCH_STATE_DEFAULT ")"),
	CMD_OPT('h', "help", NULL, "show this help"),
	{ 0 },
};
CMD_OPTS_FIT(listen_opts);

const struct cmd_help listen_help = {
	.synopsis = "listen [--socket PATH] [--state-dir DIR]",
	.about = "The watch-mode listener, as root: the socket a watch profile names as its\n"
		 "listenerPath ('watch-profile'). For each container the runtime hands over, a\n"
		 "policy, from the annotation " OSR_WATCH_POLICY_ANNOTATION " (complain,\n"
		 "the default: a call the profile lacks goes on; enforce: it fails with the\n"
		 "profile's errno; kill: the container is killed), and every such call recorded\n"
		 "(at most 256 distinct per container, the rest counted as dropped). When the\n"
		 "container ends, what it learned is written as a profile of allowed syscalls to\n"
		 "the file the annotation " OSR_WATCH_LEARNED_ANNOTATION "=of:PATH names\n"
		 "(inside --output-dir when given, and there, as the hook's of:, in the folder\n"
		 "of the container's Kubernetes namespace), for 'merge' to fold into its profile.\n"
		 "A bad policy annotation gets the container killed at its handover. Any user\n"
		 "may connect (rootless runtimes too): each sees and changes their own\n"
		 "containers only, root all of them.\n"
		 "While the listener is down, a watched container's notified calls fail with\n"
		 "ENOSYS; a new listener keeps its policy and learned calls, not its fd.\n",
	.opts = listen_opts,
	.status = "Exit status: 0 stopped by SIGTERM or SIGINT, 1 failure, 2 usage error.\n",
};

static const struct cmd_option ask_opts[] = {
	SOCKET_OPT,
	CMD_OPT('h', "help", NULL, "show this help"),
	{ 0 },
};
CMD_OPTS_FIT(ask_opts);

const struct cmd_help policy_help = {
	.synopsis = "policy [--socket PATH] ID complain|enforce|kill",
	.about = "Change a watched container's policy at once, without a restart: complain lets\n"
		 "the calls its profile lacks go on, enforce fails them with the profile's\n"
		 "errno, kill kills the container at the next one.\n",
	.opts = ask_opts,
	.status = "Exit status: 0 changed, 1 failure (no such container, no listener), 2 usage\n"
		  "error.\n",
};

const struct cmd_help watch_report_help = {
	.synopsis = "watch-report [--socket PATH] ID",
	.about = "What a watched container has made that its profile lacks, so far: each\n"
		 "syscall (with its argument where the profile restricts it), how many times,\n"
		 "when first, by which process.\n",
	.opts = ask_opts,
	.status = "Exit status: 0 shown, 1 failure (no such container, no listener), 2 usage\n"
		  "error.\n",
};

/* --socket and --state-dir: *status set and false where the command is not to run. */
static bool parse_args(int argc, char **argv, const struct cmd_help *h, const char **socket,
		       const char **state_dir, int *status)
{
	struct cmd_getopt g;
	int c;

	*status = OSR_EXIT_USAGE;
	cmd_getopt_init(&g, h->opts, "");
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
		case 's':
			if (optarg[0] != '/') {
				log_error("%s: --%s '%s' is not an absolute path", argv[0],
					  c == 'S' ? "socket" : "state-dir", optarg);
				return false;
			}
			*(c == 'S' ? socket : state_dir) = optarg;
			break;
		case 'h':
			cmd_usage(stdout, h);
			*status = 0;
			return false;
		default:
			cmd_usage(stderr, h);
			return false;
		}
	}
	return true;
}

int cmd_listen(const struct options *o, int argc, char **argv)
{
	const char *socket = OSR_WATCH_SOCKET_DEFAULT, *state_dir = OSR_WATCH_STATE_DEFAULT;
	int r;

	if (!parse_args(argc, argv, &listen_help, &socket, &state_dir, &r))
		return r;
	if (optind != argc) {
		log_error("listen: unexpected argument '%s'", argv[optind]);
		return OSR_EXIT_USAGE;
	}
	return listener_run(socket, state_dir, o->output_dir);
}

/* Send one request, print the reply: an "error: " reply fails. */
static int ask(const char *cmd, const char *socket, const char *request)
{
	_cleanup_free_ char *reply = NULL;
	int r = listener_ask(socket, request, 5000, &reply);

	if (r < 0) {
		log_error("%s: no answer from the listener at '%s': %s", cmd, socket,
			  osr_strerror(-r));
		return r;
	}
	if (!strncmp(reply, "error: ", 7)) {
		reply[strcspn(reply, "\n")] = '\0';
		log_error("%s: %s", cmd, reply + 7);
		return -EINVAL;
	}
	fputs(reply, stdout);
	return 0;
}

int cmd_policy(const struct options *o, int argc, char **argv)
{
	const char *socket = OSR_WATCH_SOCKET_DEFAULT, *unused = NULL;
	enum watch_policy p;
	char req[OSR_ID_MAX + 32];
	int r;

	if (!parse_args(argc, argv, &policy_help, &socket, &unused, &r))
		return r;
	if (argc - optind != 2 || !container_id_valid(argv[optind]) ||
	    watch_policy_parse(argv[optind + 1], &p) < 0) {
		log_error("policy: give a container id and 'complain', 'enforce' or 'kill'");
		return OSR_EXIT_USAGE;
	}
	snprintf(req, sizeof(req), "policy %s %s", argv[optind], watch_policy_name(p));
	return ask("policy", socket, req);
}

int cmd_watch_report(const struct options *o, int argc, char **argv)
{
	const char *socket = OSR_WATCH_SOCKET_DEFAULT, *unused = NULL;
	char req[OSR_ID_MAX + 32];
	int r;

	if (!parse_args(argc, argv, &watch_report_help, &socket, &unused, &r))
		return r;
	if (argc - optind != 1 || !container_id_valid(argv[optind])) {
		log_error("watch-report: give one container id");
		return OSR_EXIT_USAGE;
	}
	snprintf(req, sizeof(req), "report %s", argv[optind]);
	return ask("watch-report", socket, req);
}
