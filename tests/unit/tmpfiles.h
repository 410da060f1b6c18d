/* SPDX-License-Identifier: GPL-2.0-only */
/* A temporary folder for the unit tests that read and write files, and files in it. */
#ifndef OSR_UNIT_TMPFILES_H
#define OSR_UNIT_TMPFILES_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64] __attribute__((unused));

static __attribute__((unused)) int make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/osr-unit-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -errno;
}

/* Remove the temporary folder and everything in it (one level, plus sub-folders). */
static __attribute__((unused)) void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static __attribute__((unused)) void path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static __attribute__((unused)) int put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int r;

	if (!f)
		return -errno;
	r = fputs(text, f) < 0 ? -EIO : 0;
	if (fclose(f) != 0)
		r = -EIO;
	return r;
}

/* The whole content of a file, or NULL. */
static __attribute__((unused)) char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A base profile with a comment, a vendor key, a denial and an argument rule: merged and written. */
#define MERGE_BASE                                                                                 \
	"{\"comment\":\"my base\",\"x-vendor\":{\"k\":[1,2]},"                                     \
	"\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"           \
	"\"syscalls\":["                                                                           \
	"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"                                    \
	"{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1},"                   \
	"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","                              \
	"\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}"

#endif
