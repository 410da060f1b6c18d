// SPDX-License-Identifier: GPL-2.0-only
/*
 * `check`: compile profiles with libseccomp, the way runc and podman will, and
 * say what they allow and deny.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <seccomp.h>

#include "cmdopt.h"
#include "commands.h"
#include "counts.h"
#include "fileio.h"
#include "format.h"
#include "jsonutil.h"
#include "log.h"
#include "names.h"
#include "profile.h"
#include "rules.h"
#include "strset.h"
#include "validate.h"

static const struct cmd_option check_opts[] = {
	CMD_OPT('q', "quiet", NULL, "print only errors"),
	CMD_OPT('s', "stats", "FILE", "a stats file of the recording (stats: or record --stats)"),
	CMD_OPT('r', "rare", "N",
		"with --stats: list the syscalls the profile allows that\n"
		"were made fewer than N times (default 1: never) under\n"
		"the filter and by the workload"),
	CMD_OPT('h', "help", NULL, "show this help"),
	{ 0 },
};
CMD_OPTS_FIT(check_opts);

const struct cmd_help check_help = {
	.synopsis = "check [--quiet] [--stats FILE [--rare N]] PROFILE...",
	.about = "Compile each JSON profile with libseccomp, the way runc and podman will, and\n"
		 "print what it says: the default action, the architectures, how many syscalls\n"
		 "each action covers, which syscalls rules deny, and every syscall name\n"
		 "libseccomp does not know. SeccompProfile resources (YAML) are not read: check\n"
		 "the JSON profile they were made from.\n",
	.opts = check_opts,
	.status = "Exit status: 0 every profile is valid, 1 one is not or cannot be read,\n"
		  "2 usage error.\n",
};

/* Does the text start, past blank and comment lines, with "apiVersion:" (or "---")? */
static bool looks_like_yaml(const char *text)
{
	const char *p = text;

	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p != '#')
			break;
		p += strcspn(p, "\n");
	}
	return !strncmp(p, "apiVersion:", 11) || !strncmp(p, "---", 3);
}

struct action_count {
	char *action;
	struct strset names, conditional;
};

struct summary {
	struct action_count *v;
	size_t n;
	struct strset denied, unknown;
};

static void summary_free(struct summary *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].action);
		strset_free(&s->v[i].names);
		strset_free(&s->v[i].conditional);
	}
	free(s->v);
	strset_free(&s->denied);
	strset_free(&s->unknown);
}

static struct action_count *summary_action(struct summary *s, const char *action)
{
	struct action_count *nv;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].action, action))
			return &s->v[i];
	nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	s->v = nv;
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	s->v[s->n].action = strdup(action);
	if (!s->v[s->n].action)
		return NULL;
	return &s->v[s->n++];
}

/* Every name under every rule: by action, which are denied, which libseccomp does not know. */
static int summarize(json_object *profile, struct summary *s)
{
	json_object *syscalls = profile_syscalls(profile);
	int r;

	for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++) {
		json_object *rule = json_object_array_get_idx(syscalls, i);
		const char *action = rule_action(rule), *n;
		bool cond = rule_is_conditional(rule);
		struct action_count *ac = summary_action(s, action ? action : "(no action)");

		if (!ac)
			return -ENOMEM;
		for (size_t k = 0; (n = rule_name(rule, k)); k++) {
			r = strset_add(&ac->names, n);
			if (r >= 0 && cond)
				r = strset_add(&ac->conditional, n);
			if (r >= 0 && rule_classify(rule) == RULE_DECIDES)
				r = strset_add(&s->denied, n);
			if (r >= 0 && seccomp_syscall_resolve_name(n) == __NR_SCMP_ERROR)
				r = strset_add(&s->unknown, n);
			if (r < 0)
				return r;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		strset_sort(&s->v[i].names);
		strset_sort(&s->v[i].conditional);
	}
	strset_sort(&s->denied);
	strset_sort(&s->unknown);
	return 0;
}

static void print_list(const char *label, const struct strset *s, const char *none)
{
	printf("  %s:", label);
	for (size_t i = 0; i < s->n; i++)
		printf(" %s", s->v[i]);
	printf("%s\n", s->n ? "" : none);
}

/* One condition as a person reads it: "arg1 & 0xfff7f7ff == 1". */
static void print_condition(const struct rule_arg *a)
{
	const char *op = a->op ? a->op : "(no op)", *sym = compare_symbol(op);

	if (!strcmp(op, "SCMP_CMP_MASKED_EQ")) {
		printf("arg%llu & %#llx == %llu", (unsigned long long)a->index,
		       (unsigned long long)a->value, (unsigned long long)a->value_two);
		return;
	}
	printf("arg%llu %s %llu", (unsigned long long)a->index, sym ? sym : op,
	       (unsigned long long)a->value);
}

/* Each rule with argument conditions, a line each: "socket: arg0 & 0xffffffff == 2, ...". */
static void print_conditions(json_object *profile)
{
	json_object *syscalls = profile_syscalls(profile);
	bool header = false;

	for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++) {
		json_object *rule = json_object_array_get_idx(syscalls, i);
		const char *action = rule_action(rule), *n;
		struct rule_arg a;

		if (!rule_arg_count(rule))
			continue;
		if (!header)
			printf("  argument conditions:\n");
		header = true;
		printf("   ");
		for (size_t k = 0; (n = rule_name(rule, k)); k++)
			printf(" %s", n);
		printf(" (%s):", action ? action : "no action");
		for (size_t k = 0; rule_arg(rule, k, &a) == 0; k++) {
			printf(k ? ", " : " ");
			print_condition(&a);
		}
		printf("\n");
	}
}

static void print_summary(json_object *profile, const struct summary *s)
{
	_cleanup_(strset_free) struct strset arches = { 0 };
	json_object *v;
	const char *def = json_get_string(profile, "defaultAction");

	printf("  defaultAction: %s", def ? def : "(none)");
	if (json_object_object_get_ex(profile, "defaultErrnoRet", &v) &&
	    !json_object_is_type(v, json_type_null))
		printf(" (defaultErrnoRet %s)", json_object_get_string(v));
	printf("\n");

	/* Only for printing: a name lost to a failed allocation is not worth an error. */
	(void)profile_arches(profile, &arches);
	print_list("architectures", &arches, " none listed (the native one only)");

	for (size_t i = 0; i < s->n; i++) {
		printf("  %s: %zu name%s", s->v[i].action, s->v[i].names.n,
		       s->v[i].names.n == 1 ? "" : "s");
		if (s->v[i].conditional.n)
			printf(" (%zu under conditions)", s->v[i].conditional.n);
		printf("\n");
	}
	if (s->n == 0)
		printf("  no rules: every syscall gets the default action\n");
	print_list("denied by rules", &s->denied, " none");
	print_conditions(profile);
	if (s->unknown.n)
		print_list("unknown to libseccomp", &s->unknown, "");
}

/* What --stats and --rare ask for. */
struct rare_opts {
	const struct counts *stats; /* NULL: not asked */
	const char *path;
	long below;
};

struct rare {
	const char *name;
	uint64_t count;
};

static int by_rarity(const void *a, const void *b)
{
	const struct rare *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The syscalls the profile allows that the stats say were made fewer than below times. */
static int print_rare(const struct summary *s, const struct rare_opts *ro)
{
	_cleanup_free_ struct rare *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].action, "SCMP_ACT_ALLOW"))
			continue;
		for (size_t k = 0; k < s->v[i].names.n; k++) {
			const char *name = s->v[i].names.v[k];
			uint64_t c = counts_in_profile(ro->stats, name);

			if (c >= (uint64_t)ro->below)
				continue;
			if (n == cap) {
				struct rare *nv =
					realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

				if (!nv)
					return -ENOMEM;
				v = nv;
			}
			v[n++] = (struct rare){ name, c };
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), by_rarity);
	printf("  allowed, made fewer than %ld time%s (stats '%s'): %zu\n", ro->below,
	       ro->below == 1 ? "" : "s", ro->path, n);
	for (size_t i = 0; i < n; i++)
		printf("    %-24s %llu\n", v[i].name, (unsigned long long)v[i].count);
	return 0;
}

/* 0 when the profile is valid; otherwise the reasons are logged, naming the file. */
static int check_one(const char *path, bool quiet, const struct rare_opts *ro)
{
	_cleanup_json_ json_object *profile = NULL;
	_cleanup_(summary_free) struct summary s = { 0 };
	_cleanup_free_ char *abs = NULL, *text = NULL, *unknown = NULL;
	_cleanup_close_ int fd = -1;
	struct osr_err err = { "" };
	char what[PATH_MAX + 16];
	size_t len;
	int r, valid;

	r = absolute_path("check", path, &abs);
	if (r < 0)
		return r;
	fd = open_input(abs, place_as_given(), &err);
	if (fd < 0) {
		log_error("check: %s", osr_err_text(&err, fd));
		return fd;
	}
	snprintf(what, sizeof(what), "'%s'", path);
	r = json_read_file(fd, OSR_PROFILE_MAX, what, &text, &len, &err);
	if (r < 0) {
		log_error("check: %s", osr_err_text(&err, r));
		return r;
	}
	if (looks_like_yaml(text)) {
		log_error("check: '%s' is YAML (a SeccompProfile resource?), not a JSON profile: "
			  "check reads JSON only (there is no YAML parser here); check the JSON "
			  "profile it was made from",
			  path);
		if (!quiet)
			printf("%s: not checked (YAML)\n", path);
		return -EINVAL;
	}
	r = json_parse_object(text, len, OSR_PROFILE_MAX, what, &profile, &err);
	if (r < 0) {
		log_error("check: %s", osr_err_text(&err, r));
		if (!quiet)
			printf("%s: invalid\n", path);
		return r;
	}

	/* Beyond the limits, even the summary would take long: say which, and stop. */
	r = profile_check_limits(profile, &err);
	if (r < 0) {
		log_error("check: '%s' is invalid: %s", path, osr_err_text(&err, r));
		if (!quiet)
			printf("%s: invalid\n", path);
		return r;
	}
	valid = profile_validate(profile, false, &err);
	r = summarize(profile, &s);
	if (r < 0) {
		log_error("check: out of memory summarizing '%s'", path);
		return r;
	}
	if (valid < 0) {
		log_error("check: '%s' is invalid: %s", path, osr_err_text(&err, valid));
	}
	/* libseccomp stops at the first; all of them are worth knowing. */
	if (s.unknown.n) {
		unknown = names_join(&s.unknown);
		log_error("check: '%s': %zu syscall name%s libseccomp does not know: %s", path,
			  s.unknown.n, s.unknown.n == 1 ? "" : "s",
			  unknown ? unknown : "(out of memory)");
	}
	if (!quiet) {
		printf("%s: %s\n", path, valid < 0 ? "invalid" : "valid");
		print_summary(profile, &s);
		if (ro->stats && print_rare(&s, ro) < 0) {
			log_error("check: out of memory listing the rare syscalls of '%s'", path);
			return -ENOMEM;
		}
	}
	return valid < 0 ? valid : 0;
}

int cmd_check(const struct options *o, int argc, char **argv)
{
	_cleanup_(counts_free) struct counts stats = { 0 };
	struct rare_opts ro = { .below = 1 };
	struct osr_err err = { "" };
	bool quiet = false, rare_given = false;
	struct cmd_getopt g;
	int c, failed = 0;

	cmd_getopt_init(&g, check_opts, "");
	while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 's':
			ro.path = optarg;
			break;
		case 'r':
			if (parse_long(optarg, 1, LONG_MAX, &ro.below) < 0) {
				log_error("check: --rare '%s' is not a number of at least 1",
					  optarg);
				return OSR_EXIT_USAGE;
			}
			rare_given = true;
			break;
		case 'h':
			cmd_usage(stdout, &check_help);
			return 0;
		default:
			cmd_usage(stderr, &check_help);
			return OSR_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		log_error("check: no profile to check (give one or more files)");
		return OSR_EXIT_USAGE;
	}
	if (rare_given && !ro.path) {
		log_error("check: --rare needs --stats FILE (the counts to compare with)");
		return OSR_EXIT_USAGE;
	}
	if (ro.path) {
		int r = counts_load(ro.path, &stats, &err);

		if (r < 0) {
			log_error("check: %s", osr_err_text(&err, r));
			return -EINVAL;
		}
		ro.stats = &stats;
	}
	for (int i = optind; i < argc; i++) {
		if (check_one(argv[i], quiet, &ro) < 0)
			failed++;
		fflush(stdout);
	}
	return failed ? -EINVAL : 0;
}
