// SPDX-License-Identifier: GPL-2.0-only
/*
 * `watch-profile`: the profile a container runs under in watch mode, made
 * from a recorded one (src/watch.c).
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cmdopt.h"
#include "commands.h"
#include "fileio.h"
#include "jsonutil.h"
#include "log.h"
#include "profile.h"
#include "rules.h"
#include "target.h"
#include "watch.h"

static const struct cmd_option watch_profile_opts[] = {
	CMD_OPT('o', "output", "OUT", "where to write the profile ('-' for standard output)"),
	CMD_OPT('r', "runtime", "RUNTIME",
		"'runc' (default: every syscall the profile does not\n"
		"name listed as SCMP_ACT_NOTIFY) or 'crun'\n"
		"(SCMP_ACT_NOTIFY as the defaultAction)"),
	CMD_OPT('S', "socket", "PATH",
		"the listener's socket, the profile's listenerPath\n"
		"(default " OSR_WATCH_SOCKET_DEFAULT ")"),
	CMD_OPT('h', "help", NULL, "show this help"),
	{ 0 },
};
CMD_OPTS_FIT(watch_profile_opts);

const struct cmd_help watch_profile_help = {
	.synopsis = "watch-profile -o OUT [--runtime RUNTIME] [--socket PATH] PROFILE",
	.about = "Make the profile a container runs under in watch mode from a recorded one:\n"
		 "every rule of PROFILE stays as it is (what it allows costs nothing), the\n"
		 "runtime's own calls after loading the filter are allowed, and every other\n"
		 "syscall goes to the listener ('listen') at the socket, which lets it\n"
		 "through, refuses it with the profile's errno or kills the container, as the\n"
		 "container's policy says, and records it. Under runc, argument values a rule\n"
		 "does not allow get the profile's errno (libseccomp cannot send them to the\n"
		 "listener); under crun they go to the listener too. The result is compiled\n"
		 "with libseccomp before it is written.\n",
	.opts = watch_profile_opts,
	.status = "Exit status: 0 written, 1 failure (the message says why), 2 usage error.\n",
};

struct watch_profile_args {
	const char *output, *socket, *input;
	enum watch_runtime rt;
};

static bool parse_args(int argc, char **argv, struct watch_profile_args *a, int *status)
{
	struct cmd_getopt g;
	int c;

	*status = OSR_EXIT_USAGE;
	cmd_getopt_init(&g, watch_profile_opts, "");
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->output = optarg;
			break;
		case 'r':
			if (watch_runtime_parse(optarg, &a->rt) < 0) {
				log_error("watch-profile: --runtime '%s' is not 'runc' or 'crun'",
					  optarg);
				return false;
			}
			break;
		case 'S':
			if (optarg[0] != '/') {
				log_error("watch-profile: --socket '%s' is not an absolute path",
					  optarg);
				return false;
			}
			a->socket = optarg;
			break;
		case 'h':
			cmd_usage(stdout, &watch_profile_help);
			*status = 0;
			return false;
		default:
			cmd_usage(stderr, &watch_profile_help);
			return false;
		}
	}
	if (!a->output || !*a->output) {
		log_error("watch-profile: -o OUT is required (the file to write, '-' for "
			  "standard output)");
		return false;
	}
	if (optind != argc - 1) {
		log_error("watch-profile: give exactly one recorded profile after the options");
		return false;
	}
	a->input = argv[optind];
	return true;
}

static int write_out(const char *output, json_object *p)
{
	_cleanup_free_ char *text = profile_to_string(p), *abs = NULL;
	_cleanup_(target_close) struct output_target t = OUTPUT_TARGET_INIT;
	struct osr_err err = { "" };
	int r;

	if (!text) {
		log_error("watch-profile: out of memory");
		return -ENOMEM;
	}
	if (!strcmp(output, "-")) {
		r = write_all(STDOUT_FILENO, text, strlen(text));
		if (r < 0)
			log_error("watch-profile: cannot write to standard output: %s",
				  osr_strerror(-r));
		return r;
	}
	r = absolute_path("watch-profile", output, &abs);
	if (r < 0)
		return r;
	r = target_open(&t, abs, place_as_given(), false, &err);
	if (r >= 0)
		r = target_write(&t, text, strlen(text), 0644, &err);
	if (r < 0)
		log_error("watch-profile: %s", osr_err_text(&err, r));
	return r;
}

int cmd_watch_profile(const struct options *o, int argc, char **argv)
{
	struct watch_profile_args a = { .socket = OSR_WATCH_SOCKET_DEFAULT, .rt = WATCH_RUNC };
	_cleanup_json_ json_object *in = NULL, *out = NULL;
	_cleanup_free_ char *abs = NULL;
	struct osr_err err = { "" };
	int r;

	if (!parse_args(argc, argv, &a, &r))
		return r;
	r = absolute_path("watch-profile", a.input, &abs);
	if (r < 0)
		return r;
	r = profile_load(abs, place_as_given(), "profile", &in, NULL, &err);
	if (r >= 0)
		r = watch_profile(in, a.rt, a.socket, &out, &err);
	if (r < 0) {
		log_error("watch-profile: '%s': %s", a.input, osr_err_text(&err, r));
		return r;
	}
	return write_out(a.output, out);
}
