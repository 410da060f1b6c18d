// SPDX-License-Identifier: GPL-2.0-only
/* Where a confined recording for a Kubernetes namespace lands. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenant.h"
#include "unit.h"

static char root[64];

TEST(tenant_names)
{
	CHECK(tenant_valid("default"));
	CHECK(tenant_valid("team-a"));
	CHECK(tenant_valid("a1"));
	CHECK(!tenant_valid(""));
	CHECK(!tenant_valid("-a"));
	CHECK(!tenant_valid("a-"));
	CHECK(!tenant_valid("Team"));
	CHECK(!tenant_valid("a/b"));
	CHECK(!tenant_valid(".."));
	CHECK(!tenant_valid("a_b"));
	CHECK(!tenant_valid("0123456789012345678901234567890123456789012345678901234567890123"));
}

TEST(tenant_folder_of_its_own)
{
	struct osr_err err = { "" };
	char in[PATH_MAX], want[PATH_MAX], *out = NULL;
	struct stat st;

	snprintf(in, sizeof(in), "%s/web.json", root);
	snprintf(want, sizeof(want), "%s/shop/web.json", root);
	CHECK(tenant_output_path(in, root, "shop", &out, &err) == 0);
	CHECK(out && !strcmp(out, want));
	snprintf(want, sizeof(want), "%s/shop", root);
	CHECK(stat(want, &st) == 0 && S_ISDIR(st.st_mode));
	free(out);
	out = NULL;
	/* Another namespace's same of: lands apart. */
	snprintf(want, sizeof(want), "%s/other/web.json", root);
	CHECK(tenant_output_path(in, root, "other", &out, &err) == 0);
	CHECK(out && !strcmp(out, want));
	free(out);
}

/* The one rule the hook's of: and the listener's learned=of: follow. */
TEST(tenant_confine_rule)
{
	struct osr_err err = { "" };
	char in[PATH_MAX], want[PATH_MAX];
	char *path;

	snprintf(in, sizeof(in), "%s/app.learned.json", root);
	/* No folder, or no namespace: the path as given. */
	path = strdup(in);
	CHECK(tenant_confine(NULL, "shop", &path, &err) == 0 && !strcmp(path, in));
	CHECK(tenant_confine(root, NULL, &path, &err) == 0 && !strcmp(path, in));
	/* Both: the namespace's folder. */
	snprintf(want, sizeof(want), "%s/shop/app.learned.json", root);
	CHECK(tenant_confine(root, "shop", &path, &err) == 0 && path && !strcmp(path, want));
	free(path);
	/* A bad one: an error, and no path left to use. */
	path = strdup(in);
	CHECK(tenant_confine(root, "Shop", &path, &err) == -EINVAL && !path);
	free(path);
}

TEST(tenant_cannot_reach_another)
{
	struct osr_err err = { "" };
	char in[PATH_MAX], *out = NULL;

	snprintf(in, sizeof(in), "%s/../other/web.json", root);
	CHECK(tenant_output_path(in, root, "shop", &out, &err) == -EXDEV);
	CHECK_STR_CONTAINS(err.msg, "'..'");
	free(out);
	out = NULL;
	snprintf(in, sizeof(in), "%s/x/../../other/web.json", root);
	CHECK(tenant_output_path(in, root, "shop", &out, &err) == -EXDEV);
	free(out);
	out = NULL;
	CHECK(tenant_output_path("/elsewhere/web.json", root, "shop", &out, &err) == -EXDEV);
	free(out);
	out = NULL;
	snprintf(in, sizeof(in), "%s/web.json", root);
	CHECK(tenant_output_path(in, root, "../other", &out, &err) == -EINVAL);
	free(out);
}

TEST(tenant_folder_symlink_refused)
{
	struct osr_err err = { "" };
	char in[PATH_MAX], link[PATH_MAX], *out = NULL;

	snprintf(link, sizeof(link), "%s/planted", root);
	CHECK(symlink("/etc", link) == 0);
	snprintf(in, sizeof(in), "%s/web.json", root);
	CHECK(tenant_output_path(in, root, "planted", &out, &err) == -ENOTDIR);
	free(out);
}

static bool normalizes(const char *in, const char *want)
{
	char *out = NULL;
	bool ok = path_normalize(in, &out) == 0 && !strcmp(out, want);

	free(out);
	return ok;
}

TEST(path_normalized)
{
	char *out = NULL;

	CHECK(normalizes("/a/b.json", "/a/b.json"));
	CHECK(normalizes("//a/./b//./c.json", "/a/b/c.json"));
	CHECK(normalizes("/a/b/", "/a/b"));
	CHECK(normalizes("/./", "/"));
	CHECK(path_normalize("/a/../b", &out) == -EXDEV && !out);
	CHECK(path_normalize("/a/..", &out) == -EXDEV && !out);
	CHECK(path_normalize("a/b", &out) == -EINVAL && !out);
	CHECK(normalizes("/a/..b/c..", "/a/..b/c.."));
}

/*
 * A base in the record folder is read from the namespace's own folder, and
 * beneath it, whatever spelling names another namespace's; one elsewhere is
 * kept, normalized.
 */
TEST(tenant_base_in_own_folder)
{
	struct osr_err err = { "" };
	char in[PATH_MAX], want[PATH_MAX], wantdir[PATH_MAX], rec[PATH_MAX];
	char *out = NULL, *folder = NULL;

	snprintf(rec, sizeof(rec), "%s/rec/", root);
	CHECK(mkdir(rec, 0755) == 0);
	snprintf(wantdir, sizeof(wantdir), "%s/rec/shop", root);
	snprintf(in, sizeof(in), "%s/rec/other/secret.json", root);
	snprintf(want, sizeof(want), "%s/rec/shop/other/secret.json", root);
	CHECK(tenant_base_path(in, rec, "shop", &out, &folder, &err) == 1);
	CHECK(out && !strcmp(out, want) && folder && !strcmp(folder, wantdir));
	free(out);
	free(folder);
	snprintf(in, sizeof(in), "%s/./rec//other/secret.json", root);
	CHECK(tenant_base_path(in, rec, "shop", &out, &folder, &err) == 1);
	CHECK(out && !strcmp(out, want) && folder && !strcmp(folder, wantdir));
	free(out);
	free(folder);
	snprintf(in, sizeof(in), "%s/rec/shop/../other/secret.json", root);
	CHECK(tenant_base_path(in, rec, "shop", &out, &folder, &err) == -EXDEV);
	CHECK_STR_CONTAINS(err.msg, "'..'");
	CHECK(!out && !folder);
	/* The operator's shared bases, outside the record folder: as named. */
	snprintf(in, sizeof(in), "%s//bases/./web.json", root);
	snprintf(want, sizeof(want), "%s/bases/web.json", root);
	CHECK(tenant_base_path(in, rec, "shop", &out, &folder, &err) == 0);
	CHECK(out && !strcmp(out, want) && !folder);
	free(out);
}

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/osr-tenant-XXXXXX");
	if (!mkdtemp(root)) {
		printf("FAIL: tenant_setup: cannot make a folder\n");
		return 0;
	}
	RUN(tenant_names);
	RUN(tenant_folder_of_its_own);
	RUN(tenant_confine_rule);
	RUN(tenant_cannot_reach_another);
	RUN(tenant_folder_symlink_refused);
	RUN(path_normalized);
	RUN(tenant_base_in_own_folder);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			printf("# cannot remove '%s'\n", root);
	}
	return 0;
}
