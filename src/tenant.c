// SPDX-License-Identifier: GPL-2.0-only
/* Keeping the recordings of a node's tenants (Kubernetes namespaces) apart. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "tenant.h"

bool tenant_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 63 || name[0] == '-' || name[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			return false;
	return true;
}

int tenant_output_path(const char *path, const char *root, const char *tenant, char **out,
		       struct osr_err *err)
{
	_cleanup_close_ int rootfd = -1;
	size_t rlen = strlen(root);
	const char *rel;
	struct stat st;

	if (!tenant_valid(tenant))
		return osr_fail(err, -EINVAL,
				"the container's namespace annotation '%s' is not a Kubernetes "
				"namespace name",
				OSR_K8S_NAMESPACE_ANNOTATION);
	while (rlen > 1 && root[rlen - 1] == '/')
		rlen--;
	if (strncmp(path, root, rlen) != 0 || (rlen > 1 && path[rlen] != '/'))
		return osr_fail(err, -EXDEV, "'%s' is not inside '%.*s'", path, (int)rlen, root);
	rel = path + (rlen > 1 ? rlen : 0);
	while (*rel == '/')
		rel++;
	/* Resolved beneath root, ROOT/A/../B would still be inside it: B's folder. */
	for (const char *p = rel; *p; p += strcspn(p, "/"), p += *p == '/')
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return osr_fail(err, -EXDEV, "'%s' has a '..' component, refusing", path);
	if (asprintf(out, "%.*s/%s/%s", (int)rlen, root, tenant, rel) < 0) {
		*out = NULL;
		return osr_fail(err, -ENOMEM, "out of memory");
	}
	if (strlen(*out) >= PATH_MAX)
		return osr_fail(err, -ENAMETOOLONG, "'%s' is too long", *out);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return osr_fail(err, -errno, "cannot open folder '%s': %s", root,
				osr_strerror(errno));
	/* The tenant's folder: made here, or a folder already (a symlink is refused later). */
	if (mkdirat(rootfd, tenant, 0755) < 0 && errno != EEXIST)
		return osr_fail(err, -errno, "cannot make the folder of namespace '%s' in '%s': %s",
				tenant, root, osr_strerror(errno));
	if (fstatat(rootfd, tenant, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return osr_fail(err, -ENOTDIR, "'%s/%s' is not a folder", root, tenant);
	return 0;
}

int tenant_confine(const char *output_dir, const char *tenant, char **path, struct osr_err *err)
{
	char *own = NULL;
	int r;

	if (!output_dir || !tenant)
		return 0;
	/* Confined, no pod author can name, replace or alter another namespace's file. */
	r = tenant_output_path(*path, output_dir, tenant, &own, err);
	free(*path);
	*path = own;
	return r;
}

int path_normalize(const char *path, char **out)
{
	size_t n = strlen(path), o = 0;
	char *buf;

	*out = NULL;
	if (path[0] != '/')
		return -EINVAL;
	buf = malloc(n + 2);
	if (!buf)
		return -ENOMEM;
	for (const char *p = path; *p;) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(buf);
			return -EXDEV;
		}
		buf[o++] = '/';
		memcpy(buf + o, p, len);
		o += len;
		p += len;
	}
	if (o == 0)
		buf[o++] = '/';
	buf[o] = '\0';
	*out = buf;
	return 0;
}

int tenant_base_path(const char *path, const char *root, const char *tenant, char **out,
		     char **folder, struct osr_err *err)
{
	_cleanup_free_ char *norm = NULL, *rnorm = NULL;
	int r;

	*out = *folder = NULL;
	r = path_normalize(path, &norm);
	if (r == -EXDEV)
		return osr_fail(err, r, "base profile '%s' has a '..' component, refusing", path);
	if (r >= 0)
		r = path_normalize(root, &rnorm);
	if (r < 0)
		return osr_fail(err, r, "base profile '%s': %s", path, osr_strerror(-r));
	if (!path_inside(norm, rnorm)) {
		*out = norm;
		norm = NULL;
		return 0;
	}
	r = tenant_output_path(norm, rnorm, tenant, out, err);
	if (r < 0)
		return r;
	if (asprintf(folder, "%s/%s", strcmp(rnorm, "/") ? rnorm : "", tenant) < 0) {
		*folder = NULL;
		return osr_fail(err, -ENOMEM, "out of memory");
	}
	return 1;
}
