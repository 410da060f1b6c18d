// SPDX-License-Identifier: GPL-2.0-only
/* Building an allowlist from a recording, and merging it into a base profile. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <seccomp.h>

#include "argrules.h"
#include "fileio.h"
#include "jsonutil.h"
#include "names.h"
#include "profile.h"
#include "rules.h"
#include "strset.h"
#include "validate.h"

/*
 * Every name the recording saw, resolved with the table of the ABI it was
 * seen on; for the names whose arguments are recorded, vals[kind] gets the
 * values of every ABI it was seen on.
 */
static int resolve_recording(const struct selection *sel, struct strset *names, uint32_t *arches,
			     struct arg_values *vals, struct profile_report *rep)
{
	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++) {
		uint32_t arch = abi_arch(abi);

		for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++) {
			enum osr_arg_kind kind;
			char *name;
			int r;

			if (!sel->seen[abi][nr])
				continue;
			name = recorded_syscall_name(arch, nr);
			if (!name) {
				char item[32];

				snprintf(item, sizeof(item), "%s:%u",
					 arch ? arch_name(arch) + 10 : "?", nr);
				names_append(rep->unresolved_list, sizeof(rep->unresolved_list),
					     item);
				rep->unresolved++;
				continue;
			}
			kind = arg_kind_of(name);
			if (kind)
				arg_values_union(&vals[kind], &sel->args[abi][kind]);
			r = strset_add(names, name);
			free(name);
			if (r < 0)
				return r;
			arches[abi] = arch;
		}
	}
	strset_sort(names);
	rep->recorded = names->n;
	return 0;
}

/* 1 when an archMap entry names data, as its architecture or a sub-architecture. */
static int entry_names(json_object *entry, const char *arch, json_object *subs, void *data)
{
	const char *name = data;

	if (arch && !strcmp(arch, name))
		return 1;
	for (size_t j = 0; subs && j < json_object_array_length(subs); j++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(subs, j)), name))
			return 1;
	return 0;
}

static int add_arch(json_object *profile, const char *name)
{
	json_object *list, *archmap;

	/* A Docker-style base with only archMap keeps that form. */
	if (!json_object_object_get_ex(profile, "architectures", &list) &&
	    json_object_object_get_ex(profile, "archMap", &archmap) &&
	    json_object_is_type(archmap, json_type_array)) {
		json_object *entry;

		if (archmap_walk(archmap, entry_names, (void *)name) > 0)
			return 0;
		entry = json_object_new_object();
		if (!entry)
			return -ENOMEM;
		json_object_object_add(entry, "architecture", json_object_new_string(name));
		json_object_object_add(entry, "subArchitectures", json_object_new_array());
		return json_object_array_add(archmap, entry) < 0 ? -ENOMEM : 0;
	}
	if (!json_object_object_get_ex(profile, "architectures", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		list = json_object_new_array();
		if (!list)
			return -ENOMEM;
		json_object_object_add(profile, "architectures", list);
	}
	for (size_t i = 0; i < json_object_array_length(list); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(list, i)), name))
			return 0;
	return json_object_array_add(list, json_object_new_string(name)) < 0 ? -ENOMEM : 0;
}

/* Names any base rule mentions; `decided` gets those it does not simply allow. */
static int base_names(json_object *syscalls, struct strset *mentioned, struct strset *decided)
{
	for (size_t i = 0; i < json_object_array_length(syscalls); i++) {
		json_object *rule = json_object_array_get_idx(syscalls, i);
		bool plain = rule_is_plain_allow(rule);
		const char *n;

		for (size_t j = 0; (n = rule_name(rule, j)); j++) {
			int r = strset_add(mentioned, n);

			if (r >= 0 && !plain)
				r = strset_add(decided, n);
			if (r < 0)
				return r;
		}
	}
	strset_sort(mentioned);
	strset_sort(decided);
	return 0;
}

/* A copy of the base, or an empty profile that denies by default. */
static json_object *profile_start(json_object *base)
{
	json_object *profile = NULL;

	if (base)
		return json_object_deep_copy(base, &profile, NULL) < 0 ? NULL : profile;
	profile = json_object_new_object();
	if (!profile)
		return NULL;
	json_object_object_add(profile, "defaultAction", json_object_new_string("SCMP_ACT_ERRNO"));
	json_object_object_add(profile, "architectures", json_object_new_array());
	return profile;
}

/* The profile's rules, made an array if the base had none. */
static json_object *profile_rules(json_object *profile)
{
	json_object *syscalls = profile_syscalls(profile);

	if (syscalls)
		return syscalls;
	syscalls = json_object_new_array();
	if (syscalls)
		json_object_object_add(profile, "syscalls", syscalls);
	return syscalls;
}

/* What the recording adds beside a base's rules. */
struct additions {
	json_object *plain;		      /* names allowed with any arguments */
	bool conditional[OSR_ARG_KIND_COUNT]; /* kinds allowed with their values only */
	bool clone3;			      /* clone3 gets ENOSYS: clone's flags are restricted */
};

/* Sort the recorded names the base does not mention into plain and conditional. */
static int sort_additions(const struct strset *names, struct arg_values *vals, const bool *by_name,
			  const struct strset *mentioned, const struct strset *decided,
			  struct additions *add, struct profile_report *rep)
{
	for (size_t i = 0; i < names->n; i++) {
		const char *name = names->v[i];
		enum osr_arg_kind kind = arg_kind_of(name);

		if (strset_has(mentioned, name)) {
			if (strset_has(decided, name)) {
				names_append(rep->base_kept_list, sizeof(rep->base_kept_list), name);
				rep->base_kept++;
			}
			continue;
		}
		rep->added++;
		/* Seen without a value kept (a runtime's, not measured): any value. */
		if (kind && !by_name[kind] && !vals[kind].any && vals[kind].n) {
			add->conditional[kind] = true;
			rep->conditional++;
			continue;
		}
		/* Listed where the values could not be used, not where they were not wanted. */
		if (kind && !by_name[kind])
			names_append(rep->any_args_list, sizeof(rep->any_args_list), name);
		if (json_object_array_add(add->plain, json_object_new_string(name)) < 0)
			return -ENOMEM;
	}
	add->clone3 = add->conditional[OSR_ARG_CLONE] && !strset_has(mentioned, "clone3") &&
		      seccomp_syscall_resolve_name("clone3") >= 0;
	return 0;
}

/* Take name out of a names array. */
static void names_remove(json_object *list, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(list); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(list, i)), name)) {
			json_object_array_del_idx(list, i, 1);
			return;
		}
}

/* Append the plain rule, the rules with arguments and clone3's. */
static int append_additions(json_object *syscalls, struct additions *add,
			    const struct arg_values *vals, bool commented,
			    struct profile_report *rep)
{
	size_t first;
	json_object *rule;
	int r;

	if (add->clone3)
		names_remove(add->plain, "clone3");
	if (json_object_array_length(add->plain)) {
		rule = rule_new(add->plain, "SCMP_ACT_ALLOW", NULL);
		add->plain = NULL;
		if (!rule)
			return -ENOMEM;
		if (commented)
			json_object_object_add(rule, "comment",
					       json_object_new_string(
						       "recorded by oci-seccomp-recorder"));
		r = rule_append(syscalls, rule);
		if (r < 0)
			return r;
		rep->rule = rule;
	}
	first = json_object_array_length(syscalls);
	for (int k = OSR_ARG_NONE + 1; k < OSR_ARG_KIND_COUNT; k++)
		if (add->conditional[k] &&
		    (r = argrules_append(syscalls, first, arg_kind_name(k), k, &vals[k])) < 0)
			return r;
	return add->clone3 ? rule_append(syscalls, clone3_rule()) : 0;
}

int profile_build(const struct selection *sel, json_object *base, json_object **out,
		  struct profile_report *rep, struct osr_err *err)
{
	_cleanup_json_ json_object *profile = NULL;
	_cleanup_(strset_free) struct strset names = { 0 }, mentioned = { 0 }, decided = { 0 };
	_cleanup_free_ struct arg_values *vals = calloc(OSR_ARG_KIND_COUNT, sizeof(*vals));
	struct additions add = { 0 };
	uint32_t arches[OSR_ABI_COUNT] = { 0 };
	json_object *syscalls, *def;
	int r;

	memset(rep, 0, sizeof(*rep));
	if (!vals)
		return osr_fail(err, -ENOMEM, "out of memory");
	r = resolve_recording(sel, &names, arches, vals, rep);
	if (r < 0)
		return osr_fail(err, r, "out of memory resolving syscall names");
	profile = profile_start(base);
	if (!profile)
		return osr_fail(err, -ENOMEM, "out of memory copying the base profile");
	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++) {
		if (arches[abi] && (r = add_arch(profile, arch_name(arches[abi]))) < 0)
			return osr_fail(err, r, "out of memory adding architectures");
	}
	syscalls = profile_rules(profile);
	if (!syscalls)
		return -ENOMEM;
	r = base_names(syscalls, &mentioned, &decided);
	if (r < 0)
		return osr_fail(err, r, "out of memory reading the base rules");

	/* Under a base that allows by default, the recorded names are allowed already. */
	json_object_object_get_ex(profile, "defaultAction", &def);
	if (def && !strcmp(json_object_get_string(def), "SCMP_ACT_ALLOW")) {
		*out = profile;
		profile = NULL;
		return 0;
	}
	add.plain = json_object_new_array_ext((int)names.n);
	if (!add.plain)
		return -ENOMEM;
	r = sort_additions(&names, vals, sel->by_name, &mentioned, &decided, &add, rep);
	if (r >= 0)
		r = append_additions(syscalls, &add, vals, base != NULL, rep);
	json_object_put(add.plain);
	if (r < 0)
		return osr_fail(err, r, "out of memory adding the recorded rules");
	*out = profile;
	profile = NULL;
	return 0;
}

static int load_fd(int fd, const char *path, const char *what, bool confined, json_object **out,
		   struct profile_source *src, struct osr_err *err)
{
	_cleanup_json_ json_object *profile = NULL;
	char named[PATH_MAX + 32];
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return osr_fail(err, -errno, "cannot stat %s '%s': %s", what, path,
				osr_strerror(errno));
	/* A FIFO or device would block the read, or never end. */
	if (!S_ISREG(st.st_mode))
		return osr_fail(err, -EINVAL, "%s '%s' is not a regular file", what, path);
	if ((uint64_t)st.st_size > OSR_PROFILE_MAX)
		return osr_fail(err, -EFBIG,
				"%s '%s' is %llu bytes, larger than the limit of %u bytes", what,
				path, (unsigned long long)st.st_size, OSR_PROFILE_MAX);
	snprintf(named, sizeof(named), "%s '%s'", what, path);
	r = json_load_file(fd, OSR_PROFILE_MAX, named, &profile, err);
	if (r < 0)
		return r;
	r = profile_validate_base(profile, confined, err);
	if (r < 0)
		return osr_wrap(err, r, "%s '%s' is invalid", what, path);
	if (src) {
		src->umask = ~st.st_mode & 0777;
		src->confined = confined;
		src->dev = st.st_dev;
		src->ino = st.st_ino;
	}
	*out = profile;
	profile = NULL;
	return 0;
}

int profile_load(const char *path, struct place place, const char *what, json_object **out,
		 struct profile_source *src, struct osr_err *err)
{
	_cleanup_close_ int fd = -1;

	fd = open_input(path, place, err);
	if (fd < 0)
		return osr_wrap(err, fd, "%s", what);
	/* Only a file read beneath a folder is hidden from whoever reads the messages. */
	return load_fd(fd, path, what, place.how == PLACE_BENEATH, out, src, err);
}

int profile_load_fd(int fd, const char *path, bool confined, json_object **out,
		    struct profile_source *src, struct osr_err *err)
{
	return load_fd(fd, path, "base profile", confined, out, src, err);
}

char *profile_to_string(json_object *profile)
{
	return json_to_text(profile);
}
