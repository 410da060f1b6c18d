// SPDX-License-Identifier: GPL-2.0-only
/*
 * `report`, for people rather than runtimes: renders what a container's
 * running recording has seen so far, without stopping it.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "bpfshare.h"
#include "commands.h"
#include "format.h"
#include "jsonutil.h"
#include "log.h"
#include "output.h"
#include "profile.h"
#include "rundir.h"
#include "state.h"

static void report_usage(FILE *f)
{
	fprintf(f, "Usage: oci-seccomp-recorder [--run-dir DIR] report [--format FORMAT] CONTAINER-ID\n"
		   "\n"
		   "Print the profile a running recording would write now, without stopping it.\n"
		   "\n"
		   "  -f, --format FORMAT json (default) or seccompprofile\n"
		   "  -h, --help          show this help\n");
}

/* 0 to go on with *id, or what cmd_report() returns. */
static int report_parse(int argc, char **argv, struct output_opts *out, const char **id)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (format_parse(optarg, (enum profile_format *)&out->format) < 0) {
				log_error("--format '%s' is not 'json' or 'seccompprofile'", optarg);
				return OSR_EXIT_USAGE;
			}
			break;
		case 'h':
			report_usage(stdout);
			return OSR_ARGS_DONE;
		default:
			report_usage(stderr);
			return OSR_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		report_usage(stderr);
		return OSR_EXIT_USAGE;
	}
	*id = argv[optind];
	if (!container_id_valid(*id)) {
		log_error("'%.64s' is not a container id", *id);
		return OSR_EXIT_USAGE;
	}
	return 0;
}

/* The record of id's recording, if it is still recording. */
static int report_find(const struct options *o, const char *id, struct tracer_record *rec)
{
	struct osr_err err = { "" };
	int r;

	r = rundir_read(o->rundir, id, rec, &err);
	if (r == -ENOENT) {
		log_error("container '%s' is not being recorded (no record in '%s')", id, o->rundir);
		return r;
	}
	if (r < 0) {
		log_error("%s", err.msg);
		return r;
	}
	if (rec->status != TRACER_RECORDING) {
		log_error("container '%s' is not being recorded any more: its profile is '%s'", id,
			  rec->output);
		return -ESRCH;
	}
	return 0;
}

int cmd_report(const struct options *o, int argc, char **argv)
{
	_cleanup_free_ struct osr_container *table = NULL;
	_cleanup_json_ json_object *base = NULL;
	struct output_opts out = { .path = "-" };
	struct osr_err err = { "" };
	struct tracer_record rec;
	const char *id;
	char name[OSR_RESOURCE_NAME_MAX + 1];
	int r;

	r = report_parse(argc, argv, &out, &id);
	if (r != 0)
		return r == OSR_ARGS_DONE ? 0 : r;
	r = report_find(o, id, &rec);
	if (r < 0)
		return r;
	if (rec.input[0] &&
	    (r = profile_load(rec.input, o->input_dir, &base, &out.base_src, &err)) < 0) {
		log_error("%s", err.msg);
		return r;
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
	if (format_resource_name(rec.output, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "recorded");
	out.scope = rec.scope;
	out.no_new_privs = rec.no_new_privs;
	out.any_nnp = rec.any_nnp;
	out.no_args = rec.no_args;
	out.base = base;
	out.name = name;
	r = output_write(table, &out, &err);
	if (r < 0)
		log_error("%s", err.msg);
	return r;
}
