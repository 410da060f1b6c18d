// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of writing files: write_file_atomic() (mode, content,
 * replacing, refusing symlinks and folders) and check_output_path().
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "tmpfiles.h"
#include "unit.h"

/* ---- write_file_atomic, check_output_path ---- */

/* How many temporary files ("." name ".tmp") the folder holds. */
static int count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' && len > 4 && !strcmp(e->d_name + len - 4, ".tmp"))
			n++;
	}
	closedir(d);
	return n;
}

TEST(write_mode_and_content)
{
	static const char text[] = "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\"\n}\n";
	struct osr_err err = { "" };
	char p[PATH_MAX];
	struct stat st;
	mode_t old = umask(077);
	char *got;

	CHECK(make_tmpdir() == 0);
	path_in(p, sizeof(p), "out.json");
	CHECK(write_file_atomic(p, place_strict(), text, strlen(text), 0644, &err) == 0);
	umask(old);
	CHECK(lstat(p, &st) == 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK((st.st_mode & 07777) == 0644);
	CHECK(st.st_size == (off_t)strlen(text));
	got = slurp(p);
	CHECK(got && !strcmp(got, text));
	CHECK(count_tmp(tmpdir) == 0);
	remove_tree(tmpdir);
}

TEST(write_replaces)
{
	static const char old_text[] = "an old profile that is longer than the new one\n";
	struct osr_err err = { "" };
	char p[PATH_MAX];
	struct stat st;
	char *got;

	CHECK(make_tmpdir() == 0);
	path_in(p, sizeof(p), "out.json");
	CHECK(put_file(p, old_text) == 0);
	CHECK(chmod(p, 0600) == 0);
	CHECK(write_file_atomic(p, place_strict(), "new\n", 4, 0644, &err) == 0);
	got = slurp(p);
	CHECK(got && !strcmp(got, "new\n"));
	CHECK(lstat(p, &st) == 0 && (st.st_mode & 07777) == 0644);
	CHECK(count_tmp(tmpdir) == 0);
	remove_tree(tmpdir);
}

TEST(write_refuses_symlink)
{
	struct osr_err err = { "" };
	char p[PATH_MAX], target[PATH_MAX];
	struct stat st;
	char *got;

	CHECK(make_tmpdir() == 0);
	path_in(target, sizeof(target), "target.json");
	path_in(p, sizeof(p), "out.json");
	CHECK(put_file(target, "target\n") == 0);
	CHECK(symlink(target, p) == 0);
	CHECK(write_file_atomic(p, place_strict(), "new\n", 4, 0644, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, p);
	got = slurp(target);
	CHECK(got && !strcmp(got, "target\n"));
	CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(count_tmp(tmpdir) == 0);

	/* A dangling symlink is not followed either. */
	path_in(target, sizeof(target), "nowhere.json");
	path_in(p, sizeof(p), "dangling.json");
	CHECK(symlink(target, p) == 0);
	CHECK(write_file_atomic(p, place_strict(), "new\n", 4, 0644, &err) < 0);
	CHECK(access(target, F_OK) < 0 && errno == ENOENT);
	CHECK(count_tmp(tmpdir) == 0);
	remove_tree(tmpdir);
}

TEST(write_refuses_directory)
{
	struct osr_err err = { "" };
	char p[PATH_MAX];
	struct stat st;

	CHECK(make_tmpdir() == 0);
	path_in(p, sizeof(p), "out.json");
	CHECK(mkdir(p, 0755) == 0);
	CHECK(write_file_atomic(p, place_strict(), "new\n", 4, 0644, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, p);
	CHECK(lstat(p, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(count_tmp(tmpdir) == 0);
	remove_tree(tmpdir);
}

TEST(write_missing_folder)
{
	struct osr_err err = { "" };
	char p[PATH_MAX];

	CHECK(make_tmpdir() == 0);
	path_in(p, sizeof(p), "missing/out.json");
	CHECK(write_file_atomic(p, place_strict(), "new\n", 4, 0644, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "missing");
	CHECK(count_tmp(tmpdir) == 0);
	remove_tree(tmpdir);
}

TEST(check_output_path)
{
	struct osr_err err = { "" };
	char p[PATH_MAX], target[PATH_MAX];

	CHECK(make_tmpdir() == 0);
	path_in(p, sizeof(p), "missing/out.json");
	CHECK(check_output_path(p, place_strict(), &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "missing");

	path_in(p, sizeof(p), "out.json");
	CHECK(check_output_path(p, place_strict(), &err) == 0);
	CHECK(access(p, F_OK) < 0); /* a check, not a write */

	path_in(target, sizeof(target), "target.json");
	CHECK(symlink(target, p) == 0);
	CHECK(check_output_path(p, place_strict(), &err) < 0);
	CHECK_STR_CONTAINS(err.msg, p);

	path_in(p, sizeof(p), "dir.json");
	CHECK(mkdir(p, 0755) == 0);
	CHECK(check_output_path(p, place_strict(), &err) < 0);

	CHECK(check_output_path("relative.json", place_strict(), &err) < 0);
	path_in(p, sizeof(p), "");
	CHECK(check_output_path(p, place_strict(), &err) < 0);
	CHECK(count_tmp(tmpdir) == 0);
	remove_tree(tmpdir);
}

int main(void)
{
	RUN(write_mode_and_content);
	RUN(write_replaces);
	RUN(write_refuses_symlink);
	RUN(write_refuses_directory);
	RUN(write_missing_folder);
	RUN(check_output_path);
	return 0;
}
