// SPDX-License-Identifier: GPL-2.0-only
/*
 * Validation of a profile by compiling it with libseccomp, the way runc and
 * podman will: a profile that passes here loads there.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <seccomp.h>

#include "jsonutil.h"
#include "bounds.h"
#include "names.h"
#include "rules.h"
#include "strset.h"
#include "validate.h"

/* Marks a name whose rule adds nothing libseccomp does not have already. */
#define NR_SKIP INT_MIN

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* One entry of "syscalls", as libseccomp takes it. */
struct rule {
	uint32_t action;
	unsigned int ncmp;
	bool same_index;
	struct scmp_arg_cmp cmps[OSR_ARGS_MAX];
	size_t first, count; /* its names' numbers in profile.nrs */
};

/*
 * A profile parsed once, then compiled for each architecture on its own: the
 * time libseccomp 2.5 takes to generate a program grows with about the cube of
 * its length, and one program of ten architectures took four times what ten
 * programs of one did, for the same verdict (each architecture's rules are
 * added and laid out apart).
 */
struct parsed {
	json_object *syscalls; /* NULL for none */
	uint32_t def;
	uint32_t arches[32];
	size_t narch, listed; /* arches[listed..narch): added for a recording */
	struct rule *rules;
	size_t nrules;
	int *nrs; /* native syscall number of every name, or NR_SKIP */
	size_t nrs_cap;
	bool quiet; /* say where a problem is, never what the profile says there */
};

static void parsed_free(struct parsed *p)
{
	free(p->rules);
	free(p->nrs);
}

/* An optional unsigned member no larger than max. */
static int get_uint(json_object *obj, const char *key, uint64_t max, uint64_t *out, bool *found,
		    const char *where, struct osr_err *err)
{
	json_object *v;

	*found = false;
	if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return osr_fail(err, -EINVAL, "%s: '%s' is a %s, not an integer", where, key,
				json_type_of(v));
	if (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0)
		return osr_fail(err, -ERANGE, "%s: '%s' is negative", where, key);
	*out = json_object_get_uint64(v);
	if (*out > max)
		return osr_fail(err, -ERANGE, "%s: '%s' is larger than %llu", where, key,
				(unsigned long long)max);
	*found = true;
	return 0;
}

static int parse_action(json_object *obj, const char *where, const char *key, const char *errno_key,
			bool quiet, uint32_t *out, struct osr_err *err)
{
	json_object *v;
	const char *name;
	uint64_t ret = EPERM;
	bool found, takes_errno;
	int r;

	if (!json_object_object_get_ex(obj, key, &v))
		return osr_fail(err, -EINVAL, "%s has no '%s'", where, key);
	if (!json_object_is_type(v, json_type_string))
		return osr_fail(err, -EINVAL, "%s: '%s' is a %s, not a string", where, key,
				json_type_of(v));
	name = json_object_get_string(v);
	r = get_uint(obj, errno_key, 4095, &ret, &found, where, err);
	if (r < 0)
		return r;
	if (!found)
		ret = EPERM;
	if (action_parse(name, out, &takes_errno) == 0) {
		if (takes_errno)
			*out |= (uint32_t)ret;
		return 0;
	}
	if (quiet)
		return osr_fail(err, -EINVAL, "%s: '%s' is not a known action", where, key);
	return osr_fail(err, -EINVAL, "%s: unknown action '%.64s'", where, name);
}

static int add_arch_token(struct parsed *p, uint32_t token)
{
	for (size_t i = 0; i < p->narch; i++)
		if (p->arches[i] == token)
			return 0;
	if (p->narch == ARRAY_SIZE(p->arches))
		return -E2BIG; /* not reached: there are fewer architectures */
	p->arches[p->narch++] = token;
	return 0;
}

/* The architectures of a list ("architectures", or an archMap entry's), into p and ctx. */
static int add_arches(struct parsed *p, scmp_filter_ctx ctx, json_object *list, const char *key,
		      struct osr_err *err)
{
	if (!json_object_is_type(list, json_type_array))
		return osr_fail(err, -EINVAL, "profile: '%s' is a %s, not an array", key,
				json_type_of(list));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *a = json_object_array_get_idx(list, i);
		uint32_t token;
		int r;

		if (!json_object_is_type(a, json_type_string))
			return osr_fail(err, -EINVAL,
					"profile: '%s' entry %zu is a %s, not a string", key, i,
					json_type_of(a));
		token = arch_token(json_object_get_string(a));
		if (!token && p->quiet)
			return osr_fail(err, -EINVAL,
					"profile: '%s' entry %zu is not a known architecture", key,
					i);
		if (!token)
			return osr_fail(err, -EINVAL, "profile: unknown architecture '%.64s'",
					json_object_get_string(a));
		r = seccomp_arch_add(ctx, token);
		if (r < 0 && r != -EEXIST && p->quiet)
			return osr_fail(err, r,
					"profile: libseccomp cannot add the architecture of '%s' "
					"entry %zu: %s",
					key, i, osr_strerror(-r));
		if (r < 0 && r != -EEXIST)
			return osr_fail(err, r,
					"profile: libseccomp cannot add architecture '%s': %s",
					json_object_get_string(a), osr_strerror(-r));
		r = add_arch_token(p, token);
		if (r < 0)
			return osr_fail(err, r, "profile: too many architectures");
	}
	return 0;
}

static int parse_archmap(struct parsed *p, scmp_filter_ctx ctx, json_object *map,
			 struct osr_err *err)
{
	if (!json_object_is_type(map, json_type_array))
		return osr_fail(err, -EINVAL, "profile: 'archMap' is a %s, not an array",
				json_type_of(map));
	for (size_t i = 0; i < json_object_array_length(map); i++) {
		json_object *e = json_object_array_get_idx(map, i), *a, *subs;
		_cleanup_json_ json_object *one = NULL;
		int r;

		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "architecture", &a))
			return osr_fail(err, -EINVAL,
					"profile: 'archMap' entry %zu has no 'architecture'", i);
		one = json_object_new_array();
		if (!one)
			return -ENOMEM;
		json_object_array_add(one, json_object_get(a));
		r = add_arches(p, ctx, one, "archMap", err);
		if (r >= 0 && json_object_object_get_ex(e, "subArchitectures", &subs) &&
		    !json_object_is_type(subs, json_type_null))
			r = add_arches(p, ctx, subs, "subArchitectures", err);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * The architectures the profile names, each checked by adding it to one
 * filter; with for_base, then those a recording on this machine may add.
 */
static int parse_arches(struct parsed *p, json_object *profile, bool for_base, struct osr_err *err)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(p->def);
	json_object *v;
	int r;

	if (!ctx)
		return osr_fail(err, -EINVAL, "libseccomp rejects the default action");
	/* A filter always holds the native architecture, as runc's does. */
	add_arch_token(p, seccomp_arch_native());
	if (json_object_object_get_ex(profile, "architectures", &v) &&
	    !json_object_is_type(v, json_type_null) &&
	    (r = add_arches(p, ctx, v, "architectures", err)) < 0)
		return r;
	if (json_object_object_get_ex(profile, "archMap", &v) &&
	    !json_object_is_type(v, json_type_null) && (r = parse_archmap(p, ctx, v, err)) < 0)
		return r;
	p->listed = p->narch;
	for (unsigned int abi = 0; for_base && abi < OSR_ABI_COUNT; abi++) {
		uint32_t token = abi_arch(abi);

		if (!token)
			continue;
		r = seccomp_arch_add(ctx, token);
		if (r < 0 && r != -EEXIST)
			return osr_fail(err, r,
					"libseccomp cannot add architecture '%s', which a "
					"recording may add: %s",
					arch_name(token), osr_strerror(-r));
		add_arch_token(p, token);
	}
	return 0;
}

static int parse_args(json_object *rule, const char *where, bool quiet, struct rule *out,
		      struct osr_err *err)
{
	json_object *args;
	unsigned int used = 0;

	out->ncmp = 0;
	out->same_index = false;
	if (!json_object_object_get_ex(rule, "args", &args) ||
	    json_object_is_type(args, json_type_null))
		return 0;
	if (!json_object_is_type(args, json_type_array))
		return osr_fail(err, -EINVAL, "%s: 'args' is a %s, not an array", where,
				json_type_of(args));
	if (json_object_array_length(args) > OSR_ARGS_MAX)
		return osr_fail(err, -E2BIG,
				"%s has %zu argument conditions, more than the limit of %u in a "
				"rule",
				where, json_object_array_length(args), OSR_ARGS_MAX);
	for (size_t i = 0; i < json_object_array_length(args); i++) {
		json_object *a = json_object_array_get_idx(args, i), *op;
		uint64_t index = 0, value = 0, value2 = 0;
		enum scmp_compare cmp;
		bool found, known;
		int r;

		if (!json_object_is_type(a, json_type_object))
			return osr_fail(err, -EINVAL, "%s: argument %zu is not an object", where, i);
		r = get_uint(a, "index", 5, &index, &found, where, err);
		if (r >= 0 && !found)
			r = osr_fail(err, -EINVAL, "%s: argument %zu has no 'index'", where, i);
		if (r >= 0)
			r = get_uint(a, "value", UINT64_MAX, &value, &found, where, err);
		if (r >= 0)
			r = get_uint(a, "valueTwo", UINT64_MAX, &value2, &found, where, err);
		if (r < 0)
			return r;
		if (!json_object_object_get_ex(a, "op", &op) ||
		    !json_object_is_type(op, json_type_string))
			return osr_fail(err, -EINVAL, "%s: argument %zu has no 'op' string", where,
					i);
		known = compare_parse(json_object_get_string(op), &cmp) == 0;
		if (!known && quiet)
			return osr_fail(err, -EINVAL, "%s: argument %zu has an unknown 'op'", where,
					i);
		if (!known)
			return osr_fail(err, -EINVAL, "%s: unknown comparison '%.64s'", where,
					json_object_get_string(op));
		if (used & (1u << index))
			out->same_index = true;
		used |= 1u << index;
		out->cmps[i] = (struct scmp_arg_cmp){
			.arg = (unsigned int)index, .op = cmp, .datum_a = value, .datum_b = value2
		};
	}
	out->ncmp = (unsigned int)json_object_array_length(args);
	return 0;
}

/*
 * The number of one name. libseccomp keeps every rule it is given, duplicates
 * too, and walks them all on each addition: a name repeated under the same
 * unconditional action is added once (it would change nothing).
 */
static int parse_name(struct parsed *p, struct rule *ru, json_object *n, size_t j,
		      const char *where, struct strset *plain, struct osr_err *err)
{
	char key[32];
	int nr, r;

	if (!json_object_is_type(n, json_type_string))
		return osr_fail(err, -EINVAL, "%s: name %zu is a %s, not a string", where, j,
				json_type_of(n));
	if (json_string_has_nul(n))
		return osr_fail(err, -EINVAL, "%s: name %zu contains a NUL character", where, j);
	nr = seccomp_syscall_resolve_name(json_object_get_string(n));
	if (nr == __NR_SCMP_ERROR && p->quiet)
		return osr_fail(err, -EINVAL, "%s: name %zu is not a known syscall", where, j);
	if (nr == __NR_SCMP_ERROR)
		return osr_fail(err, -EINVAL, "%s: unknown syscall '%.64s'", where,
				json_object_get_string(n));
	/* A rule that repeats the default action adds nothing; runc skips it too. */
	if (ru->action == p->def) {
		nr = NR_SKIP;
	} else if (ru->ncmp == 0) {
		snprintf(key, sizeof(key), "%d %u", nr, ru->action);
		r = strset_add_once(plain, key);
		if (r < 0)
			return osr_fail(err, r, "out of memory");
		if (r == 0)
			nr = NR_SKIP;
	}
	p->nrs[ru->first + j] = nr;
	return 0;
}

static int parse_rule(struct parsed *p, size_t i, size_t *next, struct strset *plain,
		      struct osr_err *err)
{
	json_object *rule = json_object_array_get_idx(p->syscalls, i), *v;
	struct rule *ru = &p->rules[i];
	struct rule_names rn;
	char where[48];
	int r;

	snprintf(where, sizeof(where), "rule %zu", i);
	if (!json_object_is_type(rule, json_type_object))
		return osr_fail(err, -EINVAL, "%s is a %s, not an object", where,
				json_type_of(rule));
	r = parse_action(rule, where, "action", "errnoRet", p->quiet, &ru->action, err);
	if (r >= 0)
		r = parse_args(rule, where, p->quiet, ru, err);
	if (r < 0)
		return r;
	for (const char *k = "includes"; k; k = strcmp(k, "includes") ? NULL : "excludes")
		if (json_object_object_get_ex(rule, k, &v) &&
		    !json_object_is_type(v, json_type_object) &&
		    !json_object_is_type(v, json_type_null))
			return osr_fail(err, -EINVAL, "%s: '%s' is a %s, not an object", where, k,
					json_type_of(v));

	ru->first = *next;
	r = rule_names(rule, &rn);
	if (r == -EINVAL)
		return osr_fail(err, -EINVAL, "%s: 'names' is a %s, not an array", where,
				json_type_of(rn.list));
	if (r < 0 || (rn.single && (!json_object_is_type(rn.single, json_type_string) ||
				    json_string_has_nul(rn.single))))
		return osr_fail(err, -EINVAL, "%s has no 'names' array", where);
	ru->count = rn.n;
	*next += ru->count;
	if (*next > p->nrs_cap) {
		int *nrs = realloc(p->nrs, *next * 2 * sizeof(*nrs));

		if (!nrs)
			return osr_fail(err, -ENOMEM, "out of memory");
		p->nrs = nrs;
		p->nrs_cap = *next * 2;
	}
	for (size_t j = 0; j < ru->count; j++) {
		r = parse_name(p, ru, rule_names_at(&rn, j), j, where, plain, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_rules(struct parsed *p, struct osr_err *err)
{
	_cleanup_(strset_free) struct strset plain = { 0 };
	size_t next = 0;
	int r;

	if (!p->syscalls)
		return 0;
	if (!json_object_is_type(p->syscalls, json_type_array))
		return osr_fail(err, -EINVAL, "profile: 'syscalls' is a %s, not an array",
				json_type_of(p->syscalls));
	p->nrules = json_object_array_length(p->syscalls);
	p->rules = calloc(p->nrules ? p->nrules : 1, sizeof(*p->rules));
	if (!p->rules)
		return osr_fail(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nrules; i++) {
		r = parse_rule(p, i, &next, &plain, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_rule_name(const struct parsed *p, scmp_filter_ctx ctx, size_t i, size_t j,
			 const char *on, struct osr_err *err)
{
	const struct rule *ru = &p->rules[i];
	int nr = p->nrs[ru->first + j], r = 0;

	if (nr == NR_SKIP)
		return 0;
	if (ru->same_index) {
		/* Several conditions on one argument mean "any of them", as runc reads it. */
		for (unsigned int k = 0; k < ru->ncmp && r >= 0; k++)
			r = seccomp_rule_add_array(ctx, ru->action, nr, 1, &ru->cmps[k]);
	} else {
		r = seccomp_rule_add_array(ctx, ru->action, nr, ru->ncmp, ru->cmps);
	}
	if (r >= 0)
		return 0;
	if (p->quiet)
		return osr_fail(err, r, "rule %zu: libseccomp rejects it for name %zu%s: %s", i, j,
				on, osr_strerror(-r));
	return osr_fail(err, r, "rule %zu: libseccomp rejects the rule for '%s'%s: %s", i,
			rule_name(json_object_array_get_idx(p->syscalls, i), j), on,
			osr_strerror(-r));
}

/* Add every rule to a filter of one architecture and generate its program. */
static int compile(const struct parsed *p, size_t a, int null_fd, struct osr_err *err)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(p->def);
	uint32_t arch = p->arches[a];
	char on[64] = "";
	int r;

	if (!ctx)
		return osr_fail(err, -EINVAL, "libseccomp rejects the default action");
	/* Which architectures a confined base lists is the base's content too. */
	if (p->narch > 1 && (!p->quiet || a >= p->listed))
		snprintf(on, sizeof(on), " on %s%s", arch_name(arch),
			 a >= p->listed ? ", which a recording may add" : "");
	if (arch != seccomp_arch_native()) {
		r = seccomp_arch_add(ctx, arch);
		if (r >= 0)
			r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
		if (r < 0)
			return osr_fail(err, r,
					"libseccomp cannot make a filter of one "
					"architecture%s: %s",
					on, osr_strerror(-r));
	}
	for (size_t i = 0; i < p->nrules; i++) {
		for (size_t j = 0; j < p->rules[i].count; j++) {
			r = add_rule_name(p, ctx, i, j, on, err);
			if (r < 0)
				return r;
		}
	}
	/* Generating the BPF program is where libseccomp finds what cannot be expressed. */
	r = seccomp_export_bpf(ctx, null_fd);
	if (r < 0)
		return osr_fail(err, r, "libseccomp cannot compile the profile%s: %s", on,
				osr_strerror(-r));
	return 0;
}

static int validate(json_object *profile, bool for_base, bool quiet, struct osr_err *err)
{
	_cleanup_(parsed_free) struct parsed p = { .quiet = quiet };
	_cleanup_close_ int null_fd = -1;
	int r;

	if (!json_object_is_type(profile, json_type_object))
		return osr_fail(err, -EINVAL, "profile is a %s, not an object",
				json_type_of(profile));
	r = parse_action(profile, "profile", "defaultAction", "defaultErrnoRet", quiet, &p.def, err);
	if (r >= 0)
		r = parse_arches(&p, profile, for_base, err);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(profile, "syscalls", &p.syscalls) &&
	    json_object_is_type(p.syscalls, json_type_null))
		p.syscalls = NULL;
	r = parse_rules(&p, err);
	if (r < 0)
		return r;

	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		return osr_fail(err, -errno, "cannot open '/dev/null': %s", osr_strerror(errno));
	for (size_t a = 0; a < p.narch; a++) {
		r = compile(&p, a, null_fd, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int profile_validate(json_object *profile, bool quiet, struct osr_err *err)
{
	return validate(profile, false, quiet, err);
}

/*
 * Everything a profile's cost grows with, counted before any of it is spent:
 * array lengths only, whatever their members are (parse_rules() checks those).
 */
int profile_check_limits(json_object *profile, struct osr_err *err)
{
	json_object *syscalls = profile_syscalls(profile);
	size_t rules, names = 0, conditions = 0;

	if (!syscalls)
		return 0;
	rules = json_object_array_length(syscalls);
	if (rules > OSR_RULES_MAX)
		return osr_fail(err, -E2BIG, "'syscalls' has %zu rules, more than the limit of %u",
				rules, OSR_RULES_MAX);
	for (size_t i = 0; i < rules; i++) {
		json_object *rule = json_object_array_get_idx(syscalls, i);
		size_t args = rule_arg_count(rule), n;
		struct rule_names rn;

		/* "names" of the wrong type counts none: validation refuses it. */
		n = rule_names(rule, &rn) < 0 ? 0 : rn.n;
		if (n > OSR_RULE_NAMES_MAX)
			return osr_fail(err, -E2BIG,
					"rule %zu has %zu names, more than the limit of %u in a "
					"rule",
					i, n, OSR_RULE_NAMES_MAX);
		if (args > OSR_ARGS_MAX)
			return osr_fail(err, -E2BIG,
					"rule %zu has %zu argument conditions, more than the limit "
					"of %u in a rule",
					i, args, OSR_ARGS_MAX);
		names += n;
		conditions += n * args;
	}
	if (names > OSR_NAMES_MAX)
		return osr_fail(err, -E2BIG,
				"the rules have %zu names in all, more than the limit of %u", names,
				OSR_NAMES_MAX);
	if (conditions > OSR_CONDITIONS_MAX)
		return osr_fail(err, -E2BIG,
				"the rules have %zu argument conditions in all (each counted once "
				"per name of its rule), more than the limit of %u",
				conditions, OSR_CONDITIONS_MAX);
	return 0;
}

/*
 * A recording adds the architectures it saw (ia32 on x86-64) to the base, and
 * libseccomp may refuse the base's rules on one (two socket rules turn into
 * conflicting socketcall rules on ia32): found when the container exits, that
 * would lose the recording, so it is checked before the container starts, in
 * the same pass as the base as it is.
 */
int profile_validate_base(json_object *base, bool quiet, struct osr_err *err)
{
	int r = profile_check_limits(base, err);

	return r < 0 ? r : validate(base, true, quiet, err);
}
