// SPDX-License-Identifier: GPL-2.0-only
/* Parsing of the io.containers.trace-syscall annotation value. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "annotation.h"
#include "fileio.h"
#include "state.h"
#include "tenant.h"
#include "watched.h"

/* Blanks around a field or after its prefix, which oci-seccomp-bpf-hook trims too. */
static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

/* A path field of annotation ann (its key: "of", "if", "stats"). */
static int parse_path(const char *ann, const char *key, const char *val, size_t n, char **out,
		      struct osr_err *err)
{
	struct osr_esc e;

	trim(&val, &n);
	if (n == 0)
		return osr_fail(err, -EINVAL, "annotation '%s': '%s:' has an empty path", ann, key);
	if (n >= PATH_MAX)
		return osr_fail(err, -ENAMETOOLONG, "annotation '%s': '%s:' path is longer than %d",
				ann, key, PATH_MAX - 1);
	if (val[0] != '/')
		return osr_fail(err, -EINVAL, "annotation '%s': '%s:' path '%s' is not absolute",
				ann, key, osr_escape(val, n, &e));
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)val[i] < 0x20 || val[i] == 0x7f)
			return osr_fail(err, -EINVAL,
					"annotation '%s': '%s:' path has a control character", ann,
					key);
	/* Named twice: the last one counts, as in oci-seccomp-bpf-hook. */
	free(*out);
	*out = strndup(val, n);
	return *out ? 0 : -ENOMEM;
}

int annotation_parse(const char *value, struct trace_request *req, struct osr_err *err)
{
	const char *p = value;
	int fields = 0, r = 0;
	struct osr_esc e;

	memset(req, 0, sizeof(*req));
	if (!value[strspn(value, " \t")])
		return osr_fail(err, -EINVAL,
				"annotation '%s' is empty (expected 'of:/path.json'); refusing to run "
				"the container unrecorded",
				OSR_ANNOTATION);

	while (r >= 0) {
		const char *semi = strchr(p, ';'), *f = p;
		size_t n = semi ? (size_t)(semi - p) : strlen(p);

		if (++fields > 3) {
			r = osr_fail(err, -EINVAL,
				     "annotation '%s' has more than three fields (expected "
				     "'of:/out.json[;if:/base.json][;stats:/counts.json]')",
				     OSR_ANNOTATION);
			break;
		}
		trim(&f, &n);
		if (n >= 3 && !strncmp(f, "of:", 3))
			r = parse_path(OSR_ANNOTATION, "of", f + 3, n - 3, &req->output, err);
		else if (n >= 3 && !strncmp(f, "if:", 3))
			r = parse_path(OSR_ANNOTATION, "if", f + 3, n - 3, &req->input, err);
		else if (n >= 6 && !strncmp(f, "stats:", 6))
			r = parse_path(OSR_ANNOTATION, "stats", f + 6, n - 6, &req->stats, err);
		else if (n == 0)
			r = osr_fail(err, -EINVAL, "annotation '%s' has an empty field",
				     OSR_ANNOTATION);
		else
			r = osr_fail(err, -EINVAL,
				     "annotation '%s': unknown field '%s' (expected 'of:', 'if:' or "
				     "'stats:')",
				     OSR_ANNOTATION, osr_escape(f, n, &e));
		if (!semi)
			break;
		p = semi + 1;
	}
	if (r >= 0 && !req->output)
		r = osr_fail(err, -EINVAL, "annotation '%s' has no 'of:' (the profile to write)",
			     OSR_ANNOTATION);
	if (r < 0)
		trace_request_free(req);
	return r;
}

void trace_request_free(struct trace_request *req)
{
	free(req->output);
	free(req->input);
	free(req->stats);
	req->output = req->input = req->stats = NULL;
}

int learned_parse(const char *value, const char *root, const char *tenant, char **out,
		  struct osr_err *err)
{
	_cleanup_free_ char *path = NULL;
	size_t n = strlen(value);
	const char *v = value;
	int r;

	*out = NULL;
	trim(&v, &n);
	if (n < 3 || strncmp(v, "of:", 3))
		return osr_fail(err, -EINVAL, "annotation '%s' is not 'of:/ABSOLUTE/PATH'",
				OSR_WATCH_LEARNED_ANNOTATION);
	r = parse_path(OSR_WATCH_LEARNED_ANNOTATION, "of", v + 3, n - 3, &path, err);
	if (r < 0)
		return r;
	if (root && !path_inside(path, root))
		return osr_fail(err, -EPERM, "annotation '%s' names a file outside '%s'",
				OSR_WATCH_LEARNED_ANNOTATION, root);
	/* Confined, as the hook's of: is: no namespace names or replaces another's file. */
	r = tenant_confine(root, tenant, &path, err);
	if (r < 0)
		return r;
	*out = path;
	path = NULL;
	return 0;
}
