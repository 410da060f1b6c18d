// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of finding a recording by its container id or a unique start of
 * it (rundir_lookup()), and the record written and read (rundir_write(),
 * rundir_read()), in a run directory of files made here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rundir.h"
#include "unit.h"

static char dir[64];

/* A run directory holding a record file for each id (contents do not matter here). */
static void records(const char *const *ids)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", dir);
	if (system(cmd) != 0)
		printf("note: cannot empty '%s'\n", dir);
	for (; *ids; ids++) {
		char path[PATH_MAX];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, *ids);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
}

#define ID_A "3f2a9c01bb7e4d55a0c1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
#define ID_B "3f2a9c01bb7e99999999999999999999999999999999999999999999999999999"

TEST(lookup_whole_id)
{
	char id[NAME_MAX + 1];

	records((const char *const[]){ ID_A ".state", ID_B ".state", NULL });
	CHECK(rundir_lookup(dir, ID_A, id, NULL) == 0);
	CHECK(!strcmp(id, ID_A));
}

/* podman's short id: the first 12 characters. */
TEST(lookup_unique_prefix)
{
	char id[NAME_MAX + 1];

	records((const char *const[]){ ID_A ".state", "other.state", NULL });
	CHECK(rundir_lookup(dir, "3f2a9c01bb7e", id, NULL) == 0);
	CHECK(!strcmp(id, ID_A));
	CHECK(rundir_lookup(dir, "o", id, NULL) == 0);
	CHECK(!strcmp(id, "other"));
}

/* An id that is also the start of longer ones is the one meant. */
TEST(lookup_exact_wins)
{
	char id[NAME_MAX + 1];

	records((const char *const[]){ "web-10.state", "web-1.state", "web-11.state", NULL });
	CHECK(rundir_lookup(dir, "web-1", id, NULL) == 0);
	CHECK(!strcmp(id, "web-1"));
}

TEST(lookup_ambiguous_lists_matches)
{
	struct osr_err err = { "" };
	char id[NAME_MAX + 1];

	records((const char *const[]){ ID_B ".state", ID_A ".state", "4.state", NULL });
	CHECK(rundir_lookup(dir, "3f2a9c01bb7e", id, &err) == -ENOTUNIQ);
	CHECK_STR_CONTAINS(err.msg,
			   "'3f2a9c01bb7e' is the start of 2 recorded containers' ids: '" ID_A
			   "', '" ID_B "'; give more of the id");
}

/* However many match, the message names a few, the first by name. */
TEST(lookup_ambiguous_bounded)
{
	struct osr_err err = { "" };
	char id[NAME_MAX + 1];

	records((const char *const[]){ "c-7.state", "c-3.state", "c-9.state", "c-1.state",
				       "c-5.state", "c-2.state", "c-8.state", NULL });
	CHECK(rundir_lookup(dir, "c-", id, &err) == -ENOTUNIQ);
	CHECK_STR_CONTAINS(err.msg, "7 recorded containers' ids: 'c-1', 'c-2', 'c-3', 'c-5', "
				    "'c-7' and 2 more;");
}

TEST(lookup_unknown)
{
	struct osr_err err = { "" };
	char id[NAME_MAX + 1];

	records((const char *const[]){ ID_A ".state", NULL });
	CHECK(rundir_lookup(dir, "3f2b", id, &err) == -ENOENT);
	CHECK_STR_CONTAINS(err.msg, "no recording of a container whose id starts with '3f2b'");
	CHECK(rundir_lookup("/nonexistent/run-dir", "3f2b", id, &err) == -ENOENT);
	CHECK_STR_CONTAINS(err.msg, "no record in '/nonexistent/run-dir'");
}

/* Only records count: not their temporary files, nor anything else in the folder. */
TEST(lookup_only_records)
{
	struct osr_err err = { "" };
	char id[NAME_MAX + 1];

	records((const char *const[]){ ".abc.state.0badcafe.tmp", "abc.stat", "abcd", "abc",
				       ".state", NULL });
	CHECK(rundir_lookup(dir, "abc", id, &err) == -ENOENT);
	CHECK(rundir_lookup(dir, ".", id, &err) == -EINVAL);
}

TEST(lookup_rejects_bad_ids)
{
	static const char *const bad[] = { "",	".",   "..",   "../x",	    "a/b",
					   "/", "a b", "a\nb", "a\x1b[2Jb", "\xc3\xa9" };
	struct osr_err err = { "" };
	char id[NAME_MAX + 1];

	records((const char *const[]){ "a.state", NULL });
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(rundir_lookup(dir, bad[i], id, &err) == -EINVAL);
		/* Never a terminal's escape or a line break of the user's in a message. */
		for (const char *p = err.msg; *p; p++)
			CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	}
	CHECK(rundir_lookup(dir, "", id, &err) == -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "an empty container id names no container");
	CHECK(rundir_lookup(dir, "a\x1b[2Jb", id, &err) == -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'a\\x1b[2Jb' is not a container id or the start of one");
}

/* A record file of the given text, for id "r". */
static void record_text(const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	records((const char *const[]){ NULL });
	snprintf(path, sizeof(path), "%s/r.state", dir);
	f = fopen(path, "we");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Written and read back whole: the spec by name ("scope=all"), every field kept. */
TEST(record_round_trip)
{
	struct tracer_record rec = { .pid = 42,
				     .start_time = 1ull << 40,
				     .status = TRACER_DONE,
				     .key = 4026531836u,
				     .by_mntns = true,
				     .spec = { .scope = OSR_SCOPE_ALL,
					       .any_nnp = true,
					       .args = OSR_ARGS_ALL } },
			     back;
	struct osr_err err = { "" };
	char path[PATH_MAX], text[512] = "";
	FILE *f;

	records((const char *const[]){ NULL });
	strcpy(rec.output, "/x/p.json");
	strcpy(rec.message, "two\nlines");
	CHECK(rundir_write(dir, "r", &rec, &err) == 0);
	snprintf(path, sizeof(path), "%s/r.state", dir);
	f = fopen(path, "re");
	if (f) {
		fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	CHECK_STR_CONTAINS(text, "\nscope=all\n");
	CHECK_STR_CONTAINS(text, "\nargs=all\n");
	CHECK_STR_CONTAINS(text, "\nmessage=two lines\n");
	CHECK(rundir_read(dir, "r", &back, &err) == 0);
	CHECK(back.pid == 42 && back.start_time == 1ull << 40 && back.status == TRACER_DONE);
	CHECK(back.key == 4026531836u && back.by_mntns && !strcmp(back.output, "/x/p.json"));
	CHECK(!memcmp(&back.spec, &rec.spec, sizeof(rec.spec)));
}

/* A record an older version wrote (scope by number, no_new_privs): read as it meant. */
TEST(record_of_older_version)
{
	struct tracer_record rec;
	struct osr_err err = { "" };

	record_text("pid=7\nstart_time=99\nstatus=recording\noutput=/o.json\nmessage=\nkey=5\n"
		    "by_mntns=0\nscope=2\nno_new_privs=1\nany_nnp=0\nno_args=1\ninput=\n"
		    "bundle=/b\n");
	CHECK(rundir_read(dir, "r", &rec, &err) == 0);
	CHECK(rec.pid == 7 && rec.start_time == 99 && rec.status == TRACER_RECORDING);
	CHECK(rec.spec.scope == OSR_SCOPE_EXACT && rec.spec.no_new_privs);
	CHECK(rec.spec.args == OSR_ARGS_NONE);
	CHECK(!strcmp(rec.bundle, "/b") && rec.key == 5);
	/* no_args=0 was the old default: every value used then, the default's now. */
	record_text("pid=7\nstart_time=99\nstatus=recording\noutput=/o.json\nmessage=\nkey=5\n"
		    "scope=0\nno_args=0\n");
	CHECK(rundir_read(dir, "r", &rec, &err) == 0 && rec.spec.args == OSR_ARGS_DEFAULT);
}

/* Numbers are checked: a start time that is not one is a damaged record, not 0. */
TEST(record_damaged)
{
	struct tracer_record rec;
	struct osr_err err = { "" };

	record_text("pid=7\nstart_time=12abc\nstatus=done\n");
	CHECK(rundir_read(dir, "r", &rec, &err) == -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "is damaged");
	record_text("pid=7\nstart_time=12\n");
	CHECK(rundir_read(dir, "r", &rec, &err) == -EINVAL);
	record_text("pid=7\nstart_time=12\nstatus=done\nfuture_key=1\n");
	CHECK(rundir_read(dir, "r", &rec, &err) == 0);
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/osr-test-rundir.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("FAIL: test_rundir: cannot make a folder in /tmp\n");
		return 0;
	}
	RUN(lookup_whole_id);
	RUN(lookup_unique_prefix);
	RUN(lookup_exact_wins);
	RUN(lookup_ambiguous_lists_matches);
	RUN(lookup_ambiguous_bounded);
	RUN(lookup_unknown);
	RUN(lookup_only_records);
	RUN(lookup_rejects_bad_ids);
	RUN(record_round_trip);
	RUN(record_of_older_version);
	RUN(record_damaged);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("note: cannot remove '%s'\n", dir);
	return 0;
}
