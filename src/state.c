// SPDX-License-Identifier: GPL-2.0-only
/* Parsing of the OCI runtime-spec state that runtimes feed hooks on stdin. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "jsonutil.h"
#include "state.h"
#include "tenant.h"

bool container_id_valid(const char *id)
{
	size_t n = strlen(id);

	/* runc's own rule is ^[\w+\-.]+$; "." and ".." would name directories. */
	if (n == 0 || n > OSR_ID_MAX || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	for (const char *p = id; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || c == '+'))
			return false;
	}
	return true;
}

/* Fetch an optional string member; -EINVAL if present with another type. */
static int get_string(json_object *obj, const char *key, bool required, char **out,
		      struct osr_err *err)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			return osr_fail(err, -EINVAL, "state has no '%s'", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return osr_fail(err, -EINVAL, "state field '%s' is a %s, not a string", key,
				json_type_of(v));
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

static int get_pid(json_object *obj, pid_t *out, struct osr_err *err)
{
	json_object *v;
	int64_t pid;

	if (!json_object_object_get_ex(obj, "pid", &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return osr_fail(err, -EINVAL, "state field 'pid' is a %s, not an integer",
				json_type_of(v));
	errno = 0;
	pid = json_object_get_int64(v);
	if (errno || pid < 0 || pid > INT_MAX)
		return osr_fail(err, -ERANGE, "state field 'pid' is out of range: '%s'",
				json_object_get_string(v));
	*out = (pid_t)pid;
	return 0;
}

static int get_annotations(json_object *obj, struct oci_state *st, struct osr_err *err)
{
	static const char *const keys[] = { OSR_ANNOTATION, OSR_SCOPE_ANNOTATION,
					    OSR_K8S_NAMESPACE_ANNOTATION, OSR_NNP_ANNOTATION,
					    OSR_ARGS_ANNOTATION };
	char **const outs[] = { &st->annotation, &st->scope, &st->k8s_namespace, &st->nnp,
				&st->args };
	json_object *ann, *v;

	if (!json_object_object_get_ex(obj, "annotations", &ann) ||
	    json_object_is_type(ann, json_type_null))
		return 0;
	if (!json_object_is_type(ann, json_type_object))
		return osr_fail(err, -EINVAL, "state field 'annotations' is a %s, not an object",
				json_type_of(ann));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!json_object_object_get_ex(ann, keys[i], &v))
			continue;
		if (!json_object_is_type(v, json_type_string))
			return osr_fail(err, -EINVAL, "annotation '%s' is a %s, not a string",
					keys[i], json_type_of(v));
		*outs[i] = strdup(json_object_get_string(v));
		if (!*outs[i])
			return -ENOMEM;
	}
	return 0;
}

int state_parse(const char *json, size_t len, struct oci_state *st, struct osr_err *err)
{
	_cleanup_json_ json_object *root = NULL;
	int r;

	memset(st, 0, sizeof(*st));
	if (len == 0)
		return osr_fail(err, -EINVAL, "no state on stdin (expected the OCI state JSON)");
	r = json_parse_object(json, len, OSR_STATE_MAX, "state on stdin", &root, err);
	if (r < 0)
		return r;

	r = get_string(root, "id", true, &st->id, err);
	if (r >= 0)
		r = get_string(root, "status", false, &st->status, err);
	if (r >= 0)
		r = get_string(root, "bundle", false, &st->bundle, err);
	if (r >= 0)
		r = get_pid(root, &st->pid, err);
	if (r >= 0)
		r = get_annotations(root, st, err);
	if (r >= 0 && !container_id_valid(st->id))
		r = osr_fail(err, -EINVAL,
			     "container id '%.64s' is not usable: up to %d of [A-Za-z0-9_+.-], "
			     "not '.' or '..'",
			     st->id, OSR_ID_MAX);
	if (r < 0)
		state_free(st);
	return r;
}

/* The bundle's config.json, parsed: 0, or -errno with err set. */
static int bundle_config_load(const char *bundle, json_object **config, struct osr_err *err)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX], what[PATH_MAX + 16];

	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return osr_fail(err, -ENAMETOOLONG, "bundle path '%.64s...' is too long", bundle);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return osr_fail(err, -errno, "cannot open '%s': %s", path, osr_strerror(errno));
	snprintf(what, sizeof(what), "'%s'", path);
	return json_load_file(fd, OSR_CONFIG_MAX, what, config, err);
}

int bundle_no_new_privs(const char *bundle, bool *nnp, struct osr_err *err)
{
	_cleanup_json_ json_object *config = NULL;
	json_object *process, *v;
	int r;

	*nnp = false;
	r = bundle_config_load(bundle, &config, err);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(config, "process", &process) &&
	    json_object_object_get_ex(process, "noNewPrivileges", &v))
		*nnp = json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
	return 0;
}

/* Whether hook entry h runs this executable, whatever path names it. */
static bool hook_is_self(json_object *h, const char *self)
{
	json_object *path;
	char real[PATH_MAX];

	return json_object_object_get_ex(h, "path", &path) &&
	       json_object_is_type(path, json_type_string) &&
	       realpath(json_object_get_string(path), real) && !strcmp(real, self);
}

int bundle_hook_timeout(const char *bundle, const char *stage, long *secs, struct osr_err *err)
{
	_cleanup_json_ json_object *config = NULL;
	char self[PATH_MAX];
	json_object *hooks, *list, *t;
	ssize_t n;
	int r;

	*secs = 0;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return osr_fail(err, -errno, "cannot read '/proc/self/exe': %s",
				osr_strerror(errno));
	self[n] = '\0';
	r = bundle_config_load(bundle, &config, err);
	if (r < 0)
		return r;
	if (!json_object_object_get_ex(config, "hooks", &hooks) ||
	    !json_object_object_get_ex(hooks, stage, &list) ||
	    !json_object_is_type(list, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *h = json_object_array_get_idx(list, i);

		if (hook_is_self(h, self) && json_object_object_get_ex(h, "timeout", &t) &&
		    json_object_is_type(t, json_type_int) && json_object_get_int64(t) > 0) {
			*secs = json_object_get_int64(t) > 3600 ? 3600
								: (long)json_object_get_int64(t);
			return 0;
		}
	}
	return 0;
}

void state_free(struct oci_state *st)
{
	free(st->id);
	free(st->status);
	free(st->bundle);
	free(st->annotation);
	free(st->scope);
	free(st->k8s_namespace);
	free(st->nnp);
	free(st->args);
	memset(st, 0, sizeof(*st));
}
