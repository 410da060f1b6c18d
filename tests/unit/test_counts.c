// SPDX-License-Identifier: GPL-2.0-only
/* The counts: read from a table and its stats, the stats file written and read back. */
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>

#include "counts.h"
#include "recording.h"
#include "unit.h"

static struct osr_container table;
static struct osr_stats stats;

/* A recording that made read 5 times (workload), getpid 9 (ia32), mount once (setup). */
static void fill(void)
{
	memset(&table, 0, sizeof(table));
	memset(&stats, 0, sizeof(stats));
	table.start_ns = 1000;
	stats.count[OSR_PHASE_WORKLOAD][OSR_ABI_NATIVE][0] = 5;
	stats.first_ns[OSR_PHASE_WORKLOAD][OSR_ABI_NATIVE][0] = 3000;
	stats.count[OSR_PHASE_WORKLOAD][OSR_ABI_COMPAT][20] = 9;
	stats.first_ns[OSR_PHASE_WORKLOAD][OSR_ABI_COMPAT][20] = 2500;
	stats.count[OSR_PHASE_SETUP][OSR_ABI_NATIVE][165] = 1;
	stats.first_ns[OSR_PHASE_SETUP][OSR_ABI_NATIVE][165] = 0; /* time not written yet */
}

TEST(read_sorted_named_relative)
{
	struct counts c;

	fill();
	CHECK(counts_read(&table, &stats, &c) == 0);
	CHECK(c.n == 3 && c.total == 15);
	CHECK(c.v[0].count == 9 && c.v[0].first_ns == 1500 && c.v[0].phase == OSR_PHASE_WORKLOAD);
#if defined(__x86_64__)
	CHECK(!strcmp(c.v[0].name, "getpid") && c.v[0].arch == SCMP_ARCH_X86);
	CHECK(!strcmp(c.v[1].name, "read") && c.v[1].first_ns == 2000);
	CHECK(!strcmp(c.v[2].name, "mount") && c.v[2].first_ns == 0);
#endif
	counts_free(&c);
}

TEST(render_parse_round_trip)
{
	struct counts c, back;
	struct osr_err err = { "" };
	char *text;

	fill();
	CHECK(counts_read(&table, &stats, &c) == 0);
	c.container = strdup("web");
	text = counts_render(&c);
	CHECK(text != NULL);
	CHECK_STR_CONTAINS(text, "\"first_seen_ns\"");
	CHECK(counts_parse(text, strlen(text), "t", &back, &err) == 0);
	CHECK(back.n == c.n && back.total == c.total && back.container &&
	      !strcmp(back.container, "web"));
	for (size_t i = 0; i < c.n && i < back.n; i++)
		CHECK(!strcmp(back.v[i].name, c.v[i].name) && back.v[i].count == c.v[i].count &&
		      back.v[i].arch == c.v[i].arch && back.v[i].phase == c.v[i].phase &&
		      back.v[i].first_ns == c.v[i].first_ns && back.v[i].nr == c.v[i].nr);
	free(text);
	counts_free(&c);
	counts_free(&back);
}

static void expect_bad(const char *text, const char *word)
{
	struct counts c;
	struct osr_err err = { "" };

	CHECK(counts_parse(text, strlen(text), "f", &c, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, word);
}

TEST(parse_refuses)
{
	expect_bad("{\"syscalls\": []}", "not a stats file");
	expect_bad("{\"syscalls\": [], \"total\": 2}", "add up to 0");
	expect_bad("{\"syscalls\": [{\"name\": \"read\", \"nr\": 0, \"abi\": \"SCMP_ARCH_X86_64\", "
		   "\"phase\": \"boot\", \"count\": 1, \"first_seen_ns\": 0}], \"total\": 1}",
		   "phase 'boot'");
	expect_bad("{\"syscalls\": [{\"name\": \"read\", \"nr\": 0, \"abi\": \"SCMP_ARCH_X86_64\", "
		   "\"phase\": \"setup\", \"count\": -1, \"first_seen_ns\": 0}], \"total\": -1}",
		   "not a stats file");
	expect_bad("{\"syscalls\": [{\"name\": \"read\", \"nr\": 0, \"abi\": \"SCMP_ARCH_NOPE\", "
		   "\"phase\": \"setup\", \"count\": 1, \"first_seen_ns\": 0}], \"total\": 1}",
		   "unknown abi");
	expect_bad("{\"container\": 3, \"syscalls\": [], \"total\": 0}", "'container'");
}

/* A stats file of counts n1, n2, n3 (read, write, close) stating total. */
static char *stats_text(const char *n1, const char *n2, const char *n3, const char *total)
{
	static const char *const names[] = { "read", "write", "close" };
	const char *const n[] = { n1, n2, n3 };
	static char buf[1024];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "{\"syscalls\": [");

	for (int i = 0; i < 3; i++)
		len += (size_t)
			snprintf(buf + len, sizeof(buf) - len,
				 "%s{\"name\": \"%s\", \"nr\": %d, \"abi\": \"SCMP_ARCH_X86_64\", "
				 "\"phase\": \"workload\", \"count\": %s, \"first_seen_ns\": 0}",
				 i ? ", " : "", names[i], i, n[i]);
	snprintf(buf + len, sizeof(buf) - len, "], \"total\": %s}", total);
	return buf;
}

/* 2^63-1 + 2^63-1 + 2 wrapped to 0 and matched a stated total of 0. */
TEST(parse_refuses_wrapping_total)
{
	struct counts c = { 0 };
	struct osr_err err = { "" };
	const char *text;

	expect_bad(stats_text("9223372036854775807", "9223372036854775807", "2", "0"),
		   "add up to more than 9223372036854775807 (at syscalls[1])");
	expect_bad(stats_text("9223372036854775807", "1", "0", "0"),
		   "add up to more than 9223372036854775807");
	/* The most a file can state is still read. */
	text = stats_text("9223372036854775800", "6", "1", "9223372036854775807");
	CHECK(counts_parse(text, strlen(text), "f", &c, &err) == 0);
	CHECK(c.total == INT64_MAX && c.n == 3);
	counts_free(&c);
}

/* check --rare sums what a profile covers: not the setup before the filter. */
TEST(in_profile_leaves_setup_out)
{
	struct counts c = { 0 };
	struct count_entry e = { .name = "mount", .phase = OSR_PHASE_SETUP, .count = 4 };

	CHECK(counts_add(&c, &e) == 0);
	e.phase = OSR_PHASE_FILTERED;
	e.count = 2;
	CHECK(counts_add(&c, &e) == 0);
	e.phase = OSR_PHASE_WORKLOAD;
	CHECK(counts_add(&c, &e) == 0);
	CHECK(counts_in_profile(&c, "mount") == 4 && counts_in_profile(&c, "read") == 0);
	counts_free(&c);
}

int main(void)
{
	RUN(read_sorted_named_relative);
	RUN(render_parse_round_trip);
	RUN(parse_refuses);
	RUN(in_profile_leaves_setup_out);
	RUN(parse_refuses_wrapping_total);
	return 0;
}
