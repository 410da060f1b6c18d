// SPDX-License-Identifier: GPL-2.0-only
/*
 * `report`, for people rather than runtimes: renders what a container's
 * running recording has seen so far, without stopping it.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "bpfshare.h"
#include "cmdopt.h"
#include "commands.h"
#include "counts.h"
#include "format.h"
#include "jsonutil.h"
#include "log.h"
#include "output.h"
#include "profile.h"
#include "recording.h"
#include "rundir.h"
#include "state.h"

static const struct cmd_option report_opts[] = {
	CMD_OPT('f', "format", "FORMAT",
		"json (default) or seccompprofile; with --counts, table\n"
		"(default) or json (the stats file's shape)"),
	CMD_OPT('c', "counts", NULL, "the syscall counts, most made first"),
	CMD_OPT('s', "stats", "FILE", "with --counts: read them from a stats file"),
	CMD_OPT('h', "help", NULL, "show this help"),
	{ 0 },
};
CMD_OPTS_FIT(report_opts);

const struct cmd_help report_help = {
	.synopsis =
		"[--run-dir DIR] report [--format FORMAT] CONTAINER-ID\n"
		"[--run-dir DIR] report --counts [--format table|json] CONTAINER-ID|--stats FILE",
	.about = "Print the profile a running recording would write now, without stopping it;\n"
		 "with --counts, how many times it made each syscall so far (a recording that\n"
		 "counts: the annotation's stats:), or what a stats file holds. CONTAINER-ID\n"
		 "may be any start of the id that names one recording (podman's 12 characters).\n",
	.opts = report_opts,
	.status = "Exit status: 0 printed, 1 failure (the message says why), 2 usage error.\n",
};

/* What report's options ask for. */
struct report_args {
	enum profile_format fmt; /* of the profile printed */
	bool counts, counts_json;
	const char *format; /* as given, read once --counts is known */
	const char *stats;
	const char *id;
};

/* 0 to go on, or what cmd_report() returns. */
static int report_format(struct report_args *a)
{
	if (!a->format)
		return 0;
	if (a->counts && (!strcmp(a->format, "json") || !strcmp(a->format, "table"))) {
		a->counts_json = !strcmp(a->format, "json");
		return 0;
	}
	if (a->counts) {
		log_error("--format '%s' is not 'table' or 'json' (with --counts)", a->format);
		return OSR_EXIT_USAGE;
	}
	if (format_parse(a->format, &a->fmt) < 0) {
		log_error("--format '%s' is not 'json' or 'seccompprofile'", a->format);
		return OSR_EXIT_USAGE;
	}
	return 0;
}

/* 0 to go on with a->id (or a->stats), or what cmd_report() returns. */
static int report_parse(int argc, char **argv, struct report_args *a)
{
	struct cmd_getopt g;
	int c, r;

	cmd_getopt_init(&g, report_opts, "");
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->format = optarg;
			break;
		case 'c':
			a->counts = true;
			break;
		case 's':
			a->stats = optarg;
			break;
		case 'h':
			cmd_usage(stdout, &report_help);
			return OSR_ARGS_DONE;
		default:
			cmd_usage(stderr, &report_help);
			return OSR_EXIT_USAGE;
		}
	}
	if ((r = report_format(a)) != 0)
		return r;
	if (a->stats && !a->counts) {
		log_error("--stats is read with --counts only");
		return OSR_EXIT_USAGE;
	}
	if (optind != argc - (a->stats ? 0 : 1)) {
		cmd_usage(stderr, &report_help);
		return OSR_EXIT_USAGE;
	}
	if (a->stats)
		return 0;
	a->id = argv[optind];
	return 0;
}

/*
 * The record of the recording the id, or a unique start of it, names, if it
 * is still recording; id is then the whole id.
 */
static int report_find(const struct options *o, const char *prefix, char id[NAME_MAX + 1],
		       struct tracer_record *rec)
{
	struct osr_err err = { "" };
	int r;

	r = rundir_lookup(o->rundir, prefix, id, &err);
	if (r == -EINVAL) {
		log_error("%s", osr_err_text(&err, r));
		return OSR_EXIT_USAGE;
	}
	if (r >= 0)
		r = rundir_read(o->rundir, id, rec, &err);
	if (r == -ENOENT && !err.msg[0])
		osr_fail(&err, r, "container '%s' is not being recorded any more", id);
	if (r < 0) {
		log_error("%s", osr_err_text(&err, r));
		return r;
	}
	if (rec->status != TRACER_RECORDING) {
		log_error("container '%s' is not being recorded any more: its profile is '%s'", id,
			  rec->output);
		return -ESRCH;
	}
	return 0;
}

/* The counts of a running recording that counts. */
static int report_live_counts(const struct options *o, const char *prefix, struct counts *c)
{
	_cleanup_free_ struct osr_container *table = malloc(sizeof(*table));
	_cleanup_free_ struct osr_stats *stats = malloc(sizeof(*stats));
	struct tracer_record rec;
	char id[NAME_MAX + 1];
	int r;

	if (!table || !stats)
		return -ENOMEM;
	r = report_find(o, prefix, id, &rec);
	if (r != 0)
		return r;
	r = bpf_share_find(rec.key, rec.by_mntns, table, stats);
	if (r == -ENODATA)
		log_error("container '%s' is recorded without counting (ask for counts with the "
			  "annotation's 'stats:/path.json')",
			  id);
	else if (r < 0)
		log_error("cannot read the recording of container '%s': %s", id,
			  r == -ENOENT ? "its tracer has it no more" : osr_strerror(-r));
	if (r < 0)
		return r;
	if (counts_read(table, stats, c) < 0 || !(c->container = strdup(id)))
		return -ENOMEM;
	return 0;
}

/* --counts: a running recording's, or a stats file's, as a table or JSON. */
static int report_counts(const struct options *o, const struct report_args *a)
{
	_cleanup_(counts_free) struct counts c = { 0 };
	_cleanup_free_ char *text = NULL;
	struct osr_err err = { "" };
	int r;

	if (a->stats) {
		r = counts_load(a->stats, &c, &err);
		if (r < 0)
			log_error("%s", osr_err_text(&err, r));
	} else {
		r = report_live_counts(o, a->id, &c);
	}
	if (r != 0)
		return r;
	if (!a->counts_json) {
		counts_print(stdout, &c);
		return 0;
	}
	text = counts_render(&c);
	if (!text)
		return -ENOMEM;
	fputs(text, stdout);
	return 0;
}

int cmd_report(const struct options *o, int argc, char **argv)
{
	_cleanup_free_ struct osr_container *table = NULL;
	_cleanup_json_ json_object *base = NULL;
	struct report_args a = { 0 };
	/* Printed, in the format asked for, named as the file the recording will write. */
	struct output_target target = OUTPUT_TARGET_INIT;
	struct output_opts out = { .target = &target };
	struct osr_err err = { "" };
	struct tracer_record rec;
	char id[NAME_MAX + 1];
	int r;

	r = report_parse(argc, argv, &a);
	if (r != 0)
		return r == OSR_ARGS_DONE ? 0 : r;
	if (a.counts)
		return report_counts(o, &a);
	r = report_find(o, a.id, id, &rec);
	if (r != 0)
		return r;
	if (rec.input[0] && (r = profile_load(rec.input, place_beneath_or_strict(o->input_dir),
					      "base profile", &base, &out.base_src, &err)) < 0) {
		log_error("%s", osr_err_text(&err, r));
		return r;
	}
	/*
	 * The name is the caller's text (a rootless one's may name any file in
	 * root's view, or its own file be replaced since): render with the
	 * file the tracer read, or not at all.
	 */
	if (rec.input[0] && rec.input_ino &&
	    (out.base_src.dev != rec.input_dev || out.base_src.ino != rec.input_ino)) {
		log_error("base profile '%s' is not the file the recording was started with "
			  "(replaced since, or the name of another file in this view)",
			  rec.input);
		return -ESTALE;
	}
	table = malloc(sizeof(*table));
	if (!table)
		return -ENOMEM;
	r = bpf_share_find(rec.key, rec.by_mntns, table, NULL);
	if (r < 0) {
		log_error("cannot read the recording of container '%s': %s", id,
			  r == -ENOENT ? "its tracer has it no more" : osr_strerror(-r));
		return r;
	}
	target_describe(&target, rec.output);
	target.format = a.fmt;
	out.spec = rec.spec;
	out.base = base;
	r = output_write(table, &out, &err);
	if (r < 0)
		log_error("%s", osr_err_text(&err, r));
	return r;
}
