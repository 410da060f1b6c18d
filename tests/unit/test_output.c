// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of output_write(): the mode it gives a profile made from a base,
 * never readable by more than the base; and of output_render() with recorded
 * argument values: which become conditions under each args setting.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include <seccomp.h>

#include "fileio.h"
#include "output.h"
#include "profile.h"
#include "scope.h"
#include "target.h"
#include "tmpfiles.h"
#include "unit.h"

/* ---- the output's mode: never readable by more than its base ---- */

/* The mode of the profile written from a base of the given mode. */
static mode_t mode_from_base(mode_t base_mode)
{
	struct osr_container *table = calloc(1, sizeof(*table));
	struct osr_err err = { "" };
	/* As record --base takes them: a 0777 base is refused by the hook's StrictModes walk. */
	struct output_target t = OUTPUT_TARGET_INIT;
	struct output_opts o = { .spec.scope = OSR_SCOPE_WORKLOAD, .target = &t };
	char base[PATH_MAX], out[PATH_MAX];
	struct stat st = { 0 };
	int r;

	CHECK(table != NULL && make_tmpdir() == 0);
	path_in(base, sizeof(base), "base.json");
	path_in(out, sizeof(out), "out.json");
	CHECK(put_file(base, MERGE_BASE) == 0 && chmod(base, base_mode) == 0);
	r = profile_load(base, place_as_given(), "base profile", &o.base, &o.base_src, &err);
	CHECK(r == 0);
	r = r == 0 ? target_open(&t, out, place_as_given(), false, &err) : r;
	if (r == 0) {
		r = output_write(table, &o, &err);
		if (r < 0)
			printf("# %s\n", err.msg);
		CHECK(r == 0 && stat(out, &st) == 0);
	}
	json_object_put(o.base);
	target_close(&t);
	free(table);
	remove_tree(tmpdir);
	return st.st_mode & 07777;
}

TEST(write_mode_follows_base)
{
	CHECK(mode_from_base(0600) == 0600);
	CHECK(mode_from_base(0640) == 0640);
	CHECK(mode_from_base(0400) == 0400);
	CHECK(mode_from_base(0644) == 0644);
	/* Never wider than a profile without a base. */
	CHECK(mode_from_base(0777) == 0644);
}

/* ---- recorded argument values: which become conditions ---- */

#define TIOCGWINSZ_ 0x5413u
#define PR_SET_NAME_ 15u
#define AF_INET_STREAM_ (2u | 1u << 16) /* OSR_SOCKET_DOMAIN 2, OSR_SOCKET_TYPE 1 */

/* The workload made name, with these values of kind kept (none for 0). */
static void made(struct osr_container *t, const char *name, enum osr_arg_kind kind, uint64_t v)
{
	int nr = seccomp_syscall_resolve_name(name);
	struct osr_argset *s = &t->args[OSR_ABI_NATIVE][kind];

	CHECK(nr >= 0 && nr < OSR_MAX_SYSCALLS);
	if (nr < 0 || nr >= OSR_MAX_SYSCALLS)
		return;
	t->seen[OSR_PHASE_WORKLOAD][OSR_ABI_NATIVE][nr] = OSR_SEEN | OSR_KIND_SEEN(kind);
	if (kind)
		s->v[s->n++] = v | OSR_ARG_PRESENT;
}

/* A container that read a terminal's size, named a thread and opened a TCP socket. */
static struct osr_container *recorded_with_values(void)
{
	struct osr_container *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	made(t, "read", OSR_ARG_NONE, 0);
	made(t, "exit_group", OSR_ARG_NONE, 0);
	made(t, "ioctl", OSR_ARG_IOCTL, TIOCGWINSZ_);
	made(t, "prctl", OSR_ARG_PRCTL, PR_SET_NAME_);
	made(t, "socket", OSR_ARG_SOCKET, AF_INET_STREAM_);
	return t;
}

/* The profile output_render() makes of t under args, parsed; NULL on failure. */
static json_object *render_with(const struct osr_container *t, enum osr_args args)
{
	struct output_target target = OUTPUT_TARGET_INIT;
	struct output_opts o = { .spec = { .scope = OSR_SCOPE_EXACT, .args = args },
				 .target = &target };
	struct osr_err err = { "" };
	char *text = NULL;
	json_object *p;

	if (!t || output_render(t, &o, &text, &err) < 0) {
		printf("# %s\n", err.msg);
		return NULL;
	}
	p = json_tokener_parse(text);
	free(text);
	return p;
}

/*
 * How the profile allows name: 'p' plain (any value), 'c' under conditions
 * only, 'b' both, '-' not at all. *value gets the one condition's value of
 * the last conditional rule, arg its index.
 */
static char allowed_as(json_object *p, const char *name, int *arg, uint64_t *value)
{
	json_object *rules = NULL, *rule, *v;
	bool plain = false, cond = false;

	json_object_object_get_ex(p, "syscalls", &rules);
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		json_object *names = NULL, *args = NULL, *action = NULL;
		bool has = false;

		rule = json_object_array_get_idx(rules, i);
		json_object_object_get_ex(rule, "names", &names);
		json_object_object_get_ex(rule, "action", &action);
		for (size_t j = 0; j < json_object_array_length(names); j++)
			has |= !strcmp(json_object_get_string(json_object_array_get_idx(names, j)),
				       name);
		if (!has || strcmp(json_object_get_string(action), "SCMP_ACT_ALLOW"))
			continue;
		if (!json_object_object_get_ex(rule, "args", &args) || !args) {
			plain = true;
			continue;
		}
		cond = true;
		v = json_object_array_get_idx(args, json_object_array_length(args) - 1);
		if (arg && json_object_object_get_ex(v, "index", &action))
			*arg = json_object_get_int(action);
		if (value && json_object_object_get_ex(v, "valueTwo", &action))
			*value = json_object_get_uint64(action);
	}
	return plain && cond ? 'b' : plain ? 'p' : cond ? 'c' : '-';
}

static const char *first_comment(json_object *p)
{
	json_object *rules = NULL, *c = NULL;

	json_object_object_get_ex(p, "syscalls", &rules);
	json_object_object_get_ex(json_object_array_get_idx(rules, 0), "comment", &c);
	return c ? json_object_get_string(c) : "";
}

/* By default ioctl and prctl go by name though their values were recorded; socket by value. */
TEST(args_default_ioctl_by_name)
{
	struct osr_container *t = recorded_with_values();
	json_object *p = render_with(t, OSR_ARGS_DEFAULT);
	uint64_t v = 0;
	int arg = -1;

	CHECK(p != NULL);
	CHECK(allowed_as(p, "ioctl", NULL, NULL) == 'p');
	CHECK(allowed_as(p, "prctl", NULL, NULL) == 'p');
	/* The last of socket's conditions: the type, SOCK_STREAM. */
	CHECK(allowed_as(p, "socket", &arg, &v) == 'c' && arg == 1 && v == 1);
	CHECK(allowed_as(p, "read", NULL, NULL) == 'p');
	/* By choice, not for want of values: the comment does not say they were lost. */
	CHECK(strstr(first_comment(p), "with any arguments") == NULL);
	json_object_put(p);
	free(t);
}

/* With all, every recorded value is a condition: ioctl only with its one request. */
TEST(args_all_ioctl_by_value)
{
	struct osr_container *t = recorded_with_values();
	json_object *p = render_with(t, OSR_ARGS_ALL);
	uint64_t v = 0;
	int arg = -1;

	CHECK(p != NULL);
	CHECK(allowed_as(p, "ioctl", &arg, &v) == 'c' && arg == 1 && v == TIOCGWINSZ_);
	CHECK(allowed_as(p, "prctl", &arg, &v) == 'c' && arg == 0 && v == PR_SET_NAME_);
	CHECK(allowed_as(p, "socket", NULL, NULL) == 'c');
	json_object_put(p);
	free(t);
}

/* None: names only, whatever was recorded. */
TEST(args_none_names_only)
{
	struct osr_container *t = recorded_with_values();
	json_object *p = render_with(t, OSR_ARGS_NONE);

	CHECK(p != NULL);
	CHECK(allowed_as(p, "ioctl", NULL, NULL) == 'p');
	CHECK(allowed_as(p, "prctl", NULL, NULL) == 'p');
	CHECK(allowed_as(p, "socket", NULL, NULL) == 'p');
	CHECK(strstr(first_comment(p), "with any arguments") == NULL);
	json_object_put(p);
	free(t);
}

/* An opt-in kind past the bound still says so when its values were asked for. */
TEST(args_all_full_is_commented)
{
	struct osr_container *t = recorded_with_values();
	json_object *p;

	if (t)
		t->args[OSR_ABI_NATIVE][OSR_ARG_IOCTL].full = 1;
	p = render_with(t, OSR_ARGS_ALL);
	CHECK(p != NULL);
	CHECK(allowed_as(p, "ioctl", NULL, NULL) == 'p');
	CHECK_STR_CONTAINS(first_comment(p), "with any arguments");
	CHECK_STR_CONTAINS(first_comment(p), "ioctl");
	json_object_put(p);
	free(t);
}

/* The values of a kind left to its name are still there for whoever reads the selection. */
TEST(args_default_keeps_values)
{
	struct osr_container *t = recorded_with_values();
	struct recording *rec = calloc(1, sizeof(*rec));
	struct selection *sel = calloc(1, sizeof(*sel));
	const struct profile_spec spec = { .scope = OSR_SCOPE_EXACT };
	struct scope_report rep;

	CHECK(t && rec && sel);
	if (t && rec && sel) {
		recording_read(t, rec);
		scope_select(rec, &spec, sel, &rep);
		CHECK(sel->by_name[OSR_ARG_IOCTL] && !sel->by_name[OSR_ARG_SOCKET]);
		CHECK(sel->args[OSR_ABI_NATIVE][OSR_ARG_IOCTL].n == 1);
		CHECK(sel->args[OSR_ABI_NATIVE][OSR_ARG_IOCTL].v[0] == TIOCGWINSZ_);
	}
	free(sel);
	free(rec);
	free(t);
}

int main(void)
{
	RUN(write_mode_follows_base);
	RUN(args_default_ioctl_by_name);
	RUN(args_all_ioctl_by_value);
	RUN(args_none_names_only);
	RUN(args_all_full_is_commented);
	RUN(args_default_keeps_values);
	return 0;
}
