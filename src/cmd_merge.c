// SPDX-License-Identifier: GPL-2.0-only
/*
 * `merge`: one profile from several (the containers of a pod, the replicas of
 * a deployment); a syscall any input denies stays denied. What the result
 * says is merge.c's; here are the options, the inputs and the output.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmdopt.h"
#include "commands.h"
#include "fileio.h"
#include "format.h"
#include "jsonutil.h"
#include "log.h"
#include "merge.h"
#include "profile.h"
#include "runtimes.h"
#include "scope.h"
#include "rules.h"
#include "validate.h"
#include "target.h"

static const struct cmd_option merge_opts[] = {
	CMD_OPT('o', "output", "OUT", "where to write the profile ('-' for standard output)"),
	CMD_OPT('f', "format", "FORMAT",
		"'json', or 'seccompprofile' (also 'spo', 'yaml'): a\n"
		"Security Profiles Operator SeccompProfile resource;\n"
		"default: seccompprofile when OUT ends in .yaml or .yml"),
	CMD_OPT('n', "name", "NAME", "the SeccompProfile's name (default: from OUT's file\nname)"),
	CMD_LONG('N', "nnp", "SETTING",
		 "also allow what runc and crun do after loading a filter\n"
		 "with noNewPrivileges 'true', 'false' or 'both', so the\n"
		 "profile starts the pod under either runtime"),
	CMD_OPT('h', "help", NULL, "show this help"),
	{ 0 },
};
CMD_OPTS_FIT(merge_opts);

const struct cmd_help merge_help = {
	.synopsis = "merge -o OUT [--format FORMAT] [--name NAME] [--nnp SETTING] PROFILE...",
	.about = "Merge the profiles of several containers (the containers of a pod) into one.\n"
		 "Their default actions must agree. The output has every architecture they list\n"
		 "and allows every syscall one of them allows outright, except a syscall that any\n"
		 "of them puts under another action (SCMP_ACT_ERRNO, SCMP_ACT_KILL, ...): that one\n"
		 "stays under the rule that says so. A syscall the output does not allow outright\n"
		 "is allowed under every distinct set of argument conditions (args) an input\n"
		 "allows it under, syscalls with the same conditions sharing one rule (without\n"
		 "the inputs' comments); one allowed outright needs no conditions. Rules with\n"
		 "includes or excludes, and rules under other actions, are kept as they are.\n"
		 "The result is compiled with libseccomp before it is written.\n",
	.opts = merge_opts,
	.status = "Exit status: 0 written, 1 failure (the message says why), 2 usage error.\n",
};

struct inputs {
	json_object **v;
	char **paths; /* absolute, as profile_load() wants them */
	size_t n;
};

static void inputs_free(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		if (in->v)
			json_object_put(in->v[i]);
		if (in->paths)
			free(in->paths[i]);
	}
	free(in->v);
	free(in->paths);
}

/* A DNS label: [a-z0-9-], 1 to 63 characters, a letter or digit at each end. */
static bool valid_resource_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > OSR_RESOURCE_NAME_MAX || name[0] == '-' || name[len - 1] == '-')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

struct merge_options {
	const char *output, *name;
	enum profile_format fmt;
	bool tails, nnp, any_nnp;    /* --nnp: add what the runtimes do after loading */
	struct output_target target; /* the format and name the output's path implies */
};

/* --name against the output's format, or one made from its file name. */
static int check_name(struct merge_options *m)
{
	if (m->name && m->fmt != PROFILE_FORMAT_SPO_YAML) {
		log_error("merge: --name '%s' names a SeccompProfile, but the output is JSON "
			  "(add --format seccompprofile)",
			  m->name);
		return OSR_EXIT_USAGE;
	}
	if (m->name && !valid_resource_name(m->name)) {
		log_error("merge: --name '%s' is not a resource name (1 to %d of a-z, 0-9 and '-', "
			  "a letter or digit at each end)",
			  m->name, OSR_RESOURCE_NAME_MAX);
		return OSR_EXIT_USAGE;
	}
	if (m->fmt != PROFILE_FORMAT_SPO_YAML || m->name)
		return 0;
	if (!strcmp(m->output, "-")) {
		log_error("merge: a SeccompProfile on standard output needs --name NAME");
		return OSR_EXIT_USAGE;
	}
	if (target_describe(&m->target, m->output) < 0) {
		log_error("merge: cannot make a SeccompProfile name of '%s' (no letter or "
			  "digit in its file name); give one with --name",
			  m->output);
		return -EINVAL;
	}
	m->name = m->target.resource;
	return 0;
}

/* The options, checked. False when cmd_merge() is done, returning *status. */
static bool parse_options(int argc, char **argv, struct merge_options *m, int *status)
{
	struct cmd_getopt g;
	const char *format = NULL;
	int c;

	*status = OSR_EXIT_USAGE;
	cmd_getopt_init(&g, merge_opts, "");
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			m->output = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'n':
			m->name = optarg;
			break;
		case 'N':
			if (nnp_parse(optarg, &m->tails, &m->nnp, &m->any_nnp) < 0 || !m->tails) {
				log_error("merge: --nnp '%s' is not 'true', 'false' or 'both'",
					  optarg);
				return false;
			}
			break;
		case 'h':
			cmd_usage(stdout, &merge_help);
			*status = 0;
			return false;
		default:
			cmd_usage(stderr, &merge_help);
			return false;
		}
	}
	if (!m->output || !*m->output) {
		log_error("merge: -o OUT is required (the file to write, '-' for standard output)");
		return false;
	}
	if (optind >= argc) {
		log_error("merge: no profile to merge (give one or more files after the options)");
		return false;
	}
	if (format && format_parse(format, &m->fmt) < 0) {
		log_error("merge: --format '%s' is not 'json' or 'seccompprofile'", format);
		return false;
	}
	if (!format && strcmp(m->output, "-")) {
		target_describe(&m->target, m->output);
		m->fmt = m->target.format;
	}
	*status = check_name(m);
	return *status == 0;
}

/*
 * Every input, loaded and validated, then with --nnp what the runtimes do
 * after loading the filter, as a profile of its own; *umask_all gets every
 * permission bit one of them lacks.
 */
static int load_inputs(char *const *argv, size_t count, const struct merge_options *m,
		       struct inputs *in, mode_t *umask_all)
{
	struct osr_err err = { "" };
	int r;

	in->v = calloc(count + 1, sizeof(*in->v));
	in->paths = calloc(count + 1, sizeof(*in->paths));
	if (!in->v || !in->paths) {
		log_error("merge: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		struct profile_source src;

		in->n = i + 1;
		r = absolute_path("merge", argv[i], &in->paths[i]);
		if (r < 0)
			return r;
		r = profile_load(in->paths[i], place_as_given(), "profile", &in->v[i], &src, &err);
		if (r < 0) {
			log_error("merge: %s", osr_err_text(&err, r));
			return r;
		}
		*umask_all |= src.umask;
	}
	if (!m->tails)
		return 0;
	r = runtime_tail_profile(m->nnp, m->any_nnp, in->v[0], &in->v[in->n]);
	if (r < 0) {
		log_error("merge: out of memory");
		return r;
	}
	in->paths[in->n] = strdup("(what runtimes do after loading the filter)");
	if (!in->paths[in->n++])
		return -ENOMEM;
	return 0;
}

/* The merged profile, checked, in its format, to the output. */
static int write_merged(json_object *merged, const struct merge_options *m, mode_t umask_all)
{
	_cleanup_free_ char *text = NULL, *out_abs = NULL;
	_cleanup_(target_close) struct output_target t = OUTPUT_TARGET_INIT;
	struct osr_err err = { "" };
	int r;

	r = profile_validate(merged, false, &err);
	if (r < 0) {
		log_error("merge: the profile merged for '%s' does not compile with libseccomp: %s",
			  m->output, osr_err_text(&err, r));
		return r;
	}
	r = format_check(merged, m->fmt, &err);
	if (r < 0) {
		log_error("merge: the profile merged for '%s' cannot be written as a "
			  "SeccompProfile: %s (write JSON with --format json)",
			  m->output, osr_err_text(&err, r));
		return r;
	}
	text = profile_render(merged, m->fmt, m->name);
	if (!text) {
		r = -(errno ? errno : ENOMEM);
		log_error("merge: cannot render the profile for '%s': %s", m->output,
			  osr_strerror(-r));
		return r;
	}
	if (!strcmp(m->output, "-")) {
		r = write_all(STDOUT_FILENO, text, strlen(text));
		if (r < 0)
			log_error("merge: cannot write the profile to standard output: %s",
				  osr_strerror(-r));
		return r;
	}
	r = absolute_path("merge", m->output, &out_abs);
	if (r < 0)
		return r;
	/* Every input is in it: readable by no one who cannot read them all. */
	r = target_open(&t, out_abs, place_as_given(), false, &err);
	if (r >= 0)
		r = target_write(&t, text, strlen(text), 0644 & ~umask_all, &err);
	if (r < 0)
		log_error("merge: %s", osr_err_text(&err, r));
	return r;
}

int cmd_merge(const struct options *o, int argc, char **argv)
{
	_cleanup_(inputs_free) struct inputs in = { 0 };
	_cleanup_json_ json_object *merged = NULL;
	struct merge_options m = { .fmt = PROFILE_FORMAT_JSON, .target = OUTPUT_TARGET_INIT };
	struct merge_report rep;
	struct osr_err err = { "" };
	mode_t umask_all = 0;
	int r;

	if (!parse_options(argc, argv, &m, &r))
		return r;
	r = load_inputs(argv + optind, (size_t)(argc - optind), &m, &in, &umask_all);
	if (r < 0)
		return r;
	r = merge_profiles(in.v, in.paths, in.n, &merged, &rep, &err);
	if (r < 0) {
		log_error("merge: %s", osr_err_text(&err, r));
		return r;
	}
	r = write_merged(merged, &m, umask_all);
	if (r < 0)
		return r;
	if (rep.withheld)
		log_info("merge: allowed by one profile but put under another action by another, "
			 "so not allowed outright: %s",
			 rep.withheld_list);
	log_debug("merge: %zu profiles into '%s': %u syscalls allowed outright, %u allow rules "
		  "under conditions, %u other rules",
		  in.n, m.output, rep.allowed, rep.conditional, rep.kept);
	return 0;
}
