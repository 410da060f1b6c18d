// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "kv.h"
#include "proc.h"
#include "rundir.h"
#include "state.h"

static const char *const status_names[3] = {
	[TRACER_RECORDING] = "recording",
	[TRACER_DONE] = "done",
	[TRACER_FAILED] = "failed",
};

int rundir_prepare(const char *dir, struct osr_err *err)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return osr_fail(err, -errno, "cannot create run directory '%s': %s", dir,
				osr_strerror(errno));
	if (lstat(dir, &st) < 0)
		return osr_fail(err, -errno, "cannot stat run directory '%s': %s", dir,
				osr_strerror(errno));
	/* State here decides which process poststop signals: nobody else may write it. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0022))
		return osr_fail(err, -EPERM,
				"run directory '%s' is not a folder owned by uid %u and writable by it "
				"alone",
				dir, (unsigned int)geteuid());
	return 0;
}

static int record_path(char *buf, size_t size, const char *dir, const char *id)
{
	if (snprintf(buf, size, "%s/%s.state", dir, id) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* The record, one field a line; fields an older version wrote are still read (kv.h). */
static const struct kv_field record_fields[] = {
	KV_FIELD(struct tracer_record, pid, "pid", KV_INT, .required = true),
	KV_FIELD(struct tracer_record, start_time, "start_time", KV_U64),
	KV_ENUM(struct tracer_record, status, "status", status_names, .required = true),
	KV_FIELD(struct tracer_record, output, "output", KV_STR),
	KV_FIELD(struct tracer_record, message, "message", KV_STR),
	KV_FIELD(struct tracer_record, key, "key", KV_U32),
	KV_FIELD(struct tracer_record, by_mntns, "by_mntns", KV_BOOL),
	PROFILE_SPEC_FIELDS(struct tracer_record, spec),
	KV_FIELD(struct tracer_record, input, "input", KV_STR),
	KV_FIELD(struct tracer_record, input_dev, "input_dev", KV_U64),
	KV_FIELD(struct tracer_record, input_ino, "input_ino", KV_U64),
	KV_FIELD(struct tracer_record, bundle, "bundle", KV_STR),
};
_Static_assert(sizeof(enum tracer_status) == sizeof(int), "kv.h reads enums as int");

int rundir_write(const char *dir, const char *id, const struct tracer_record *rec,
		 struct osr_err *err)
{
	struct tracer_record r = *rec;
	char path[PATH_MAX], text[3 * PATH_MAX + 1024 + 256], what[NAME_MAX + 32];
	size_t len = 0;
	int n;

	if (record_path(path, sizeof(path), dir, id) < 0)
		return osr_fail(err, -ENAMETOOLONG, "run directory path is too long");
	/*
	 * The bundle comes from whoever started the runtime: a line break in it
	 * would add lines (a pid) of its choosing. Paths from the annotation
	 * cannot hold one (annotation.c).
	 */
	if (strpbrk(rec->bundle, "\n\r"))
		return osr_fail(err, -EINVAL, "bundle '%s' holds a line break", rec->bundle);
	/* One record per line: a message must not start a line of its own. */
	for (char *p = r.message; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	snprintf(what, sizeof(what), "tracer record for '%s'", id);
	n = kv_render(record_fields, ARRAY_SIZE(record_fields), &r, text, sizeof(text), &len, what,
		      err);
	if (n < 0)
		return n;
	return write_file_volatile(path, place_strict(), text, len, 0600, err);
}

int rundir_read(const char *dir, const char *id, struct tracer_record *rec, struct osr_err *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX], what[PATH_MAX + 32];
	uint64_t seen = 0;
	size_t len;
	int r;

	memset(rec, 0, sizeof(*rec));
	if (record_path(path, sizeof(path), dir, id) < 0)
		return osr_fail(err, -ENAMETOOLONG, "run directory path is too long");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : osr_fail(err, -errno, "cannot open '%s': %s", path,
						  osr_strerror(errno));
	r = read_all(fd, sizeof(struct tracer_record) + 1024, &text, &len);
	if (r < 0)
		return osr_fail(err, r, "cannot read '%s': %s", path, osr_strerror(-r));
	snprintf(what, sizeof(what), "tracer record '%s'", path);
	r = kv_parse(record_fields, ARRAY_SIZE(record_fields), rec, text, len, false, what, &seen,
		     err);
	if (r < 0)
		return osr_fail(err, -EINVAL, "tracer record '%s' is damaged", path);
	return 0;
}

int rundir_remove(const char *dir, const char *id)
{
	char path[PATH_MAX];

	if (record_path(path, sizeof(path), dir, id) < 0)
		return -ENAMETOOLONG;
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

/* The ids that start with a prefix, the first few by name. */
struct id_matches {
	unsigned int n;
	bool exact;
	char shown[RUNDIR_MATCHES_SHOWN][NAME_MAX + 1];
};

/* Keep name among the shown ones if it sorts before one of them. */
static void matches_add(struct id_matches *m, const char *name)
{
	unsigned int k = m->n < RUNDIR_MATCHES_SHOWN ? m->n : RUNDIR_MATCHES_SHOWN;
	unsigned int i;

	m->n++;
	for (i = k; i > 0 && strcmp(name, m->shown[i - 1]) < 0; i--)
		if (i < RUNDIR_MATCHES_SHOWN)
			memcpy(m->shown[i], m->shown[i - 1], sizeof(m->shown[i]));
	if (i < RUNDIR_MATCHES_SHOWN)
		snprintf(m->shown[i], sizeof(m->shown[i]), "%s", name);
}

/* Every record's id that starts with prefix; an equal one alone, as it wins. */
static int matches_collect(const char *dir, const char *prefix, struct id_matches *m)
{
	DIR *d = opendir(dir);
	size_t plen = strlen(prefix);
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char id[NAME_MAX + 1];
		size_t n = strlen(de->d_name);

		if (n <= 6 || strcmp(de->d_name + n - 6, ".state"))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(n - 6), de->d_name);
		if (!container_id_valid(id) || strncmp(id, prefix, plen))
			continue;
		if (!strcmp(id, prefix)) {
			m->exact = true;
			m->n = 0;
			matches_add(m, id);
			break;
		}
		matches_add(m, id);
	}
	closedir(d);
	return 0;
}

int rundir_lookup(const char *dir, const char *prefix, char id[NAME_MAX + 1], struct osr_err *err)
{
	struct id_matches m = { 0 };
	struct osr_esc e;
	char list[RUNDIR_MATCHES_SHOWN * (NAME_MAX + 2) + 32] = "";
	int r;

	if (!*prefix)
		return osr_fail(err, -EINVAL, "an empty container id names no container");
	if (!container_id_valid(prefix))
		return osr_fail(err, -EINVAL,
				"'%s' is not a container id or the start of one (letters, digits, "
				"'_', '-', '+' and '.', not '.' or '..' alone)",
				osr_escape(prefix, SIZE_MAX, &e));
	r = matches_collect(dir, prefix, &m);
	if (r == -ENOENT || (r >= 0 && !m.n))
		return osr_fail(err, -ENOENT,
				"no recording of a container whose id starts with '%s' (no record "
				"in '%s')",
				prefix, dir);
	if (r < 0)
		return osr_fail(err, r, "cannot read run directory '%s': %s", dir, osr_strerror(-r));
	if (m.n == 1) {
		snprintf(id, NAME_MAX + 1, "%s", m.shown[0]);
		return 0;
	}
	for (unsigned int i = 0; i < RUNDIR_MATCHES_SHOWN && i < m.n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'%s'", i ? ", " : "",
			 m.shown[i]);
	if (m.n > RUNDIR_MATCHES_SHOWN)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), " and %u more",
			 m.n - RUNDIR_MATCHES_SHOWN);
	return osr_fail(err, -ENOTUNIQ,
			"'%s' is the start of %u recorded containers' ids: %s; give more of the id",
			prefix, m.n, list);
}

/*
 * The bundle path as the runtime gave it at both stages (runc, crun and podman
 * pass the same string). A record without one (from an older version) matches
 * no state that has one: its tracer still ends with the container's init.
 */
bool rundir_same_container(const struct tracer_record *rec, const char *bundle)
{
	return !strcmp(rec->bundle, bundle ? bundle : "");
}

int rundir_gc(const char *dir, unsigned int max_age)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	time_t now = time(NULL);
	int removed = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct tracer_record rec;
		struct stat st;
		char id[NAME_MAX + 1];
		size_t n = strlen(de->d_name);

		if (n <= 6 || strcmp(de->d_name + n - 6, ".state"))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    now - st.st_mtime < (time_t)max_age)
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(n - 6), de->d_name);
		if (rundir_read(dir, id, &rec, NULL) >= 0 && rec.status == TRACER_RECORDING &&
		    process_alive(rec.pid, rec.start_time))
			continue; /* still recording: a long-lived container */
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
