// SPDX-License-Identifier: GPL-2.0-only
/*
 * `merge`: one profile from several (the containers of a pod, the replicas of
 * a deployment); a syscall any input denies stays denied.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <seccomp.h>

#include "commands.h"
#include "fileio.h"
#include "format.h"
#include "jsonutil.h"
#include "log.h"
#include "profile.h"
#include "runtimes.h"
#include "scope.h"
#include "rules.h"
#include "strset.h"

#define ACT_ALLOW "SCMP_ACT_ALLOW"

static void merge_usage(FILE *f)
{
	fprintf(f,
		"Usage: oci-seccomp-recorder merge -o OUT [--format FORMAT] [--name NAME]\n"
		"                                  PROFILE...\n"
		"\n"
		"Merge the profiles of several containers (the containers of a pod) into one.\n"
		"Their default actions must agree. The output has every architecture they list\n"
		"and allows every syscall one of them allows outright, except a syscall that any\n"
		"of them puts under another action (SCMP_ACT_ERRNO, SCMP_ACT_KILL, ...): that one\n"
		"stays under the rule that says so. Rules with conditions (args, includes,\n"
		"excludes) are kept as they are. The result is compiled with libseccomp before\n"
		"it is written.\n"
		"\n"
		"Options:\n"
		"  -o, --output OUT     where to write the profile ('-' for standard output)\n"
		"  -f, --format FORMAT  'json', or 'seccompprofile' (also 'spo', 'yaml'): a\n"
		"                       Security Profiles Operator SeccompProfile resource;\n"
		"                       by default seccompprofile when OUT ends in .yaml or .yml\n"
		"  -n, --name NAME      the SeccompProfile's name (default: from OUT's file name)\n"
		"  --nnp SETTING        also allow what runc and crun do after loading a filter\n"
		"                       with noNewPrivileges 'true', 'false' or 'both', so the\n"
		"                       profile starts the pod under either runtime\n"
		"  -h, --help           show this help\n"
		"\n"
		"Exit status: 0 written, 1 failure (the message says why), 2 usage error.\n");
}

struct merge_report {
	unsigned int allowed;	    /* names the output allows outright */
	unsigned int kept;	    /* rules other than plain allows, after dedup */
	unsigned int withheld;	    /* names one input allows and another decides otherwise */
	char withheld_list[512];
};

/* An errno value a default action returns: defaultErrnoRet, EPERM without one. */
static int64_t default_errno(json_object *profile)
{
	json_object *v;

	if (!json_object_object_get_ex(profile, "defaultErrnoRet", &v) ||
	    json_object_is_type(v, json_type_null))
		return EPERM;
	return json_object_get_int64(v);
}

/* Every member of src appended to dst: json_array_unique() drops repeats once all are in. */
static int add_all(json_object *dst, json_object *src)
{
	for (size_t i = 0; src && i < json_object_array_length(src); i++) {
		json_object *v = json_object_array_get_idx(src, i);

		if (json_object_array_add(dst, json_object_get(v)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Replace the array under key in obj with its members that repeat no earlier one. */
static int unique_member(json_object *obj, const char *key)
{
	json_object *arr = json_get_array(obj, key), *u;

	if (!arr)
		return 0;
	u = json_array_unique(arr);
	if (!u)
		return -ENOMEM;
	json_object_object_add(obj, key, u);
	return 0;
}

/* archMap entries united by architecture, their subArchitectures united too. */
static int merge_archmap(json_object *dst, json_object *src)
{
	for (size_t i = 0; i < json_object_array_length(src); i++) {
		json_object *e = json_object_array_get_idx(src, i), *copy = NULL, *found = NULL;
		const char *arch = json_get_string(e, "architecture");
		json_object *subs;
		int r;

		for (size_t j = 0; arch && j < json_object_array_length(dst) && !found; j++) {
			json_object *d = json_object_array_get_idx(dst, j);
			const char *darch = json_get_string(d, "architecture");

			if (darch && !strcmp(darch, arch))
				found = d;
		}
		if (!found) {
			if (json_object_deep_copy(e, &copy, NULL) < 0 || !copy)
				return -ENOMEM;
			if (json_object_array_add(dst, copy) < 0) {
				json_object_put(copy);
				return -ENOMEM;
			}
			continue;
		}
		subs = json_get_array(found, "subArchitectures");
		if (!subs) {
			subs = json_object_new_array();
			if (!subs)
				return -ENOMEM;
			json_object_object_add(found, "subArchitectures", subs);
		}
		r = add_all(subs, json_get_array(e, "subArchitectures"));
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < json_object_array_length(dst); i++) {
		int r = unique_member(json_object_array_get_idx(dst, i), "subArchitectures");

		if (r < 0)
			return r;
	}
	return 0;
}

/* Keys taken from whichever input has them, that two inputs may not disagree on. */
static int merge_string_key(json_object *out, json_object *in, const char *key,
			    const char *first_path, const char *path, struct osr_err *err)
{
	json_object *v, *have;

	if (!json_object_object_get_ex(in, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (json_object_object_get_ex(out, key, &have) &&
	    !json_object_is_type(have, json_type_null)) {
		if (!json_object_equal(have, v))
			return osr_fail(err, -EINVAL,
					"'%s' has %s '%s' but '%s' (or an earlier profile) "
					"has '%s'",
					path, key, json_object_get_string(v), first_path,
					json_object_get_string(have));
		return 0;
	}
	json_object_object_add(out, key, json_object_get(v));
	return 0;
}

static int merge_syscalls(json_object *const *in, size_t n, json_object *out,
			  struct merge_report *rep)
{
	_cleanup_(strset_free) struct strset allowed = { 0 }, decided = { 0 };
	_cleanup_json_ json_object *all = NULL, *kept = NULL, *rules = NULL, *list = NULL;
	json_object *rule;
	int r;

	all = json_object_new_array();
	rules = json_object_new_array();
	list = json_object_new_array();
	if (!all || !rules || !list)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *syscalls = profile_syscalls(in[i]);

		for (size_t j = 0; syscalls && j < json_object_array_length(syscalls); j++) {
			json_object *ru = json_object_array_get_idx(syscalls, j);
			enum rule_class class = rule_classify(ru);
			bool plain = class == RULE_PLAIN_ALLOW;
			const char *name;

			for (size_t k = 0; (name = rule_name(ru, k)); k++) {
				if (plain)
					r = strset_add(&allowed, name);
				else if (class == RULE_DECIDES)
					r = strset_add(&decided, name);
				else
					r = 0;
				if (r < 0)
					return r;
			}
			if (!plain && json_object_array_add(all, json_object_get(ru)) < 0)
				return -ENOMEM;
		}
	}
	kept = json_array_unique(all);
	if (!kept)
		return -ENOMEM;
	strset_sort(&allowed);
	strset_sort(&decided);

	for (size_t i = 0; i < allowed.n; i++) {
		/*
		 * libseccomp lets an unconditional rule override every conditional
		 * one on the same syscall: allowing it outright would undo the deny.
		 */
		if (strset_has(&decided, allowed.v[i])) {
			names_append(rep->withheld_list, sizeof(rep->withheld_list), allowed.v[i]);
			rep->withheld++;
			continue;
		}
		if (json_object_array_add(list, json_object_new_string(allowed.v[i])) < 0)
			return -ENOMEM;
		rep->allowed++;
	}
	/* One allow rule first, as a recording writes it, then the other rules in input order. */
	if (json_object_array_length(list) > 0) {
		rule = json_object_new_object();
		if (!rule)
			return -ENOMEM;
		json_object_object_add(rule, "names", list);
		list = NULL;
		json_object_object_add(rule, "action", json_object_new_string(ACT_ALLOW));
		if (json_object_array_add(rules, rule) < 0) {
			json_object_put(rule);
			return -ENOMEM;
		}
	}
	rep->kept = (unsigned int)json_object_array_length(kept);
	for (size_t i = 0; i < json_object_array_length(kept); i++) {
		json_object *ru = json_object_array_get_idx(kept, i);

		if (json_object_array_add(rules, json_object_get(ru)) < 0)
			return -ENOMEM;
	}
	json_object_object_add(out, "syscalls", rules);
	rules = NULL;
	return 0;
}

/* paths: the inputs' names as given, for messages. */
static int merge_profiles(json_object *const *in, char *const *paths, size_t n,
			  json_object **out, struct merge_report *rep, struct osr_err *err)
{
	_cleanup_json_ json_object *profile = NULL, *arches = NULL, *archmap = NULL,
				   *flags = NULL;
	const char *def = json_get_string(in[0], "defaultAction");
	int r;

	memset(rep, 0, sizeof(*rep));
	/* The first input gives the other keys (comments, listener, ...). */
	if (json_object_deep_copy(in[0], &profile, NULL) < 0 || !profile)
		return osr_fail(err, -ENOMEM, "out of memory copying '%s'", paths[0]);
	arches = json_object_new_array();
	archmap = json_object_new_array();
	flags = json_object_new_array();
	if (!arches || !archmap || !flags)
		return osr_fail(err, -ENOMEM, "out of memory");

	for (size_t i = 0; i < n; i++) {
		const char *d = json_get_string(in[i], "defaultAction");
		json_object *map;

		if (!d || !def || strcmp(d, def))
			return osr_fail(err, -EINVAL,
					"'%s' has defaultAction '%s' but '%s' has '%s': the "
					"profiles merged must have the same default action",
					paths[0], def ? def : "", paths[i], d ? d : "");
		if (default_errno(in[i]) != default_errno(in[0]))
			return osr_fail(err, -EINVAL,
					"'%s' has defaultErrnoRet %lld but '%s' has %lld (1, "
					"EPERM, when absent): the profiles merged must have the "
					"same default action",
					paths[0], (long long)default_errno(in[0]), paths[i],
					(long long)default_errno(in[i]));
		if (i > 0) {
			r = merge_string_key(profile, in[i], "listenerPath", paths[0], paths[i],
					     err);
			if (r >= 0)
				r = merge_string_key(profile, in[i], "listenerMetadata", paths[0],
						     paths[i], err);
			if (r < 0)
				return r;
		}
		r = add_all(arches, json_get_array(in[i], "architectures"));
		if (r >= 0)
			r = add_all(flags, json_get_array(in[i], "flags"));
		if (r >= 0 && (map = json_get_array(in[i], "archMap")))
			r = merge_archmap(archmap, map);
		if (r < 0)
			return osr_fail(err, r, "out of memory merging '%s'", paths[i]);
	}
	if (json_object_array_length(arches) > 0) {
		json_object_object_add(profile, "architectures", arches);
		arches = NULL;
	}
	if (json_object_array_length(archmap) > 0) {
		json_object_object_add(profile, "archMap", archmap);
		archmap = NULL;
	}
	if (json_object_array_length(flags) > 0) {
		json_object_object_add(profile, "flags", flags);
		flags = NULL;
	}
	r = unique_member(profile, "architectures");
	if (r >= 0)
		r = unique_member(profile, "flags");
	if (r < 0)
		return osr_fail(err, r, "out of memory merging the architectures");
	r = merge_syscalls(in, n, profile, rep);
	if (r < 0)
		return osr_fail(err, r, "out of memory merging the rules");
	*out = profile;
	profile = NULL;
	return 0;
}

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

int cmd_merge(const struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "nnp", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	_cleanup_(inputs_free) struct inputs in = { 0 };
	_cleanup_json_ json_object *merged = NULL;
	_cleanup_free_ char *text = NULL, *out_abs = NULL;
	const char *output = NULL, *format = NULL, *name = NULL;
	bool tails = false, nnp = false, any_nnp = false;
	char derived[OSR_RESOURCE_NAME_MAX + 1];
	enum profile_format fmt = PROFILE_FORMAT_JSON;
	struct merge_report rep;
	struct osr_err err = { "" };
	mode_t umask_all = 0;
	size_t count;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:f:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'N':
			if (nnp_parse(optarg, &tails, &nnp, &any_nnp) < 0 || !tails) {
				log_error("merge: --nnp '%s' is not 'true', 'false' or 'both'", optarg);
				return OSR_EXIT_USAGE;
			}
			break;
		case 'h':
			merge_usage(stdout);
			return 0;
		default:
			merge_usage(stderr);
			return OSR_EXIT_USAGE;
		}
	}
	if (!output || !*output) {
		log_error("merge: -o OUT is required (the file to write, '-' for standard output)");
		return OSR_EXIT_USAGE;
	}
	if (optind >= argc) {
		log_error("merge: no profile to merge (give one or more files after the options)");
		return OSR_EXIT_USAGE;
	}
	if (format && format_parse(format, &fmt) < 0) {
		log_error("merge: --format '%s' is not 'json' or 'seccompprofile'", format);
		return OSR_EXIT_USAGE;
	}
	if (!format && strcmp(output, "-"))
		fmt = format_for_path(output);
	if (name && fmt != PROFILE_FORMAT_SPO_YAML) {
		log_error("merge: --name '%s' names a SeccompProfile, but the output is JSON "
			  "(add --format seccompprofile)",
			  name);
		return OSR_EXIT_USAGE;
	}
	if (name && !valid_resource_name(name)) {
		log_error("merge: --name '%s' is not a resource name (1 to %d of a-z, 0-9 and '-', "
			  "a letter or digit at each end)",
			  name, OSR_RESOURCE_NAME_MAX);
		return OSR_EXIT_USAGE;
	}
	if (fmt == PROFILE_FORMAT_SPO_YAML && !name) {
		if (!strcmp(output, "-")) {
			log_error("merge: a SeccompProfile on standard output needs --name NAME");
			return OSR_EXIT_USAGE;
		}
		if (format_resource_name(output, derived, sizeof(derived)) < 0) {
			log_error("merge: cannot make a SeccompProfile name of '%s' (no letter or "
				  "digit in its file name); give one with --name",
				  output);
			return -EINVAL;
		}
		name = derived;
	}

	count = (size_t)(argc - optind);
	/* One more: what the runtimes make after loading the filter, as a profile of its own. */
	in.v = calloc(count + 1, sizeof(*in.v));
	in.paths = calloc(count + 1, sizeof(*in.paths));
	if (!in.v || !in.paths) {
		log_error("merge: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		const char *path = argv[optind + (int)i];
		struct profile_source src;

		in.n = i + 1;
		r = absolute_path("merge", path, &in.paths[i]);
		if (r < 0)
			return r;
		r = profile_load(in.paths[i], FILEIO_AS_GIVEN, &in.v[i], &src, &err);
		if (r < 0) {
			log_error("merge: %s", err.msg);
			return r;
		}
		umask_all |= src.umask;
	}

	if (tails) {
		r = runtime_tail_profile(nnp, any_nnp, in.v[0], &in.v[in.n]);
		if (r < 0) {
			log_error("merge: out of memory");
			return r;
		}
		in.paths[in.n] = strdup("(what runtimes do after loading the filter)");
		if (!in.paths[in.n++])
			return -ENOMEM;
	}
	r = merge_profiles(in.v, in.paths, in.n, &merged, &rep, &err);
	if (r < 0) {
		log_error("merge: %s", err.msg);
		return r;
	}
	r = profile_validate(merged, false, &err);
	if (r < 0) {
		log_error("merge: the profile merged for '%s' does not compile with libseccomp: %s",
			  output, err.msg);
		return r;
	}
	r = format_check(merged, fmt, &err);
	if (r < 0) {
		log_error("merge: the profile merged for '%s' cannot be written as a "
			  "SeccompProfile: %s (write JSON with --format json)",
			  output, err.msg);
		return r;
	}
	text = profile_render(merged, fmt, name);
	if (!text) {
		r = -(errno ? errno : ENOMEM);
		log_error("merge: cannot render the profile for '%s': %s", output, osr_strerror(-r));
		return r;
	}

	if (!strcmp(output, "-")) {
		r = write_all(STDOUT_FILENO, text, strlen(text));
		if (r < 0) {
			log_error("merge: cannot write the profile to standard output: %s",
				  osr_strerror(-r));
			return r;
		}
	} else {
		r = absolute_path("merge", output, &out_abs);
		if (r < 0)
			return r;
		/* Every input is in it: readable by no one who cannot read them all. */
		r = write_file_atomic(out_abs, FILEIO_AS_GIVEN, text, strlen(text), 0644 & ~umask_all, &err);
		if (r < 0) {
			log_error("merge: %s", err.msg);
			return r;
		}
	}
	if (rep.withheld)
		log_info("merge: allowed by one profile but put under another action by another, "
			 "so not allowed outright: %s",
			 rep.withheld_list);
	log_debug("merge: %zu profiles into '%s': %u syscalls allowed outright, %u other rules",
		  in.n, output, rep.allowed, rep.kept);
	return 0;
}

