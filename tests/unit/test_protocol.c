// SPDX-License-Identifier: GPL-2.0-only
/* The recording service's request parser and renderer (src/protocol.c). */
#include <errno.h>
#include <string.h>

#include "protocol.h"
#include "scope.h"
#include "unit.h"

static int parse(const char *text, struct proto_request *req, struct osr_err *err)
{
	return proto_parse(text, strlen(text), req, err);
}

static void expect_refused(const char *text, const char *why)
{
	struct proto_request req;
	struct osr_err err = { "" };

	CHECK(parse(text, &req, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, why);
}

TEST(start_parsed)
{
	struct proto_request req;
	struct osr_err err = { "" };

	CHECK(parse("osr 1 start\nid=c1\nname=p.json\npath=/home/u/p.json\ninput=/home/u/b.json\n"
		    "scope=exact\nnnp=1\nany_nnp=0\nalone=1\nbundle=/run/b\n",
		    &req, &err) == 0);
	CHECK(req.op == PROTO_START && !strcmp(req.id, "c1") && !strcmp(req.name, "p.json"));
	CHECK(!strcmp(req.path, "/home/u/p.json") && req.has_input &&
	      !strcmp(req.input, "/home/u/b.json"));
	CHECK(req.spec.scope == OSR_SCOPE_EXACT && req.spec.no_new_privs && !req.spec.any_nnp &&
	      req.alone);
	CHECK(!strcmp(req.bundle, "/run/b"));
}

TEST(stop_parsed)
{
	struct proto_request req;
	struct osr_err err = { "" };

	CHECK(parse("osr 1 stop\nid=c1\nbundle=/run/b\n", &req, &err) == 0);
	CHECK(req.op == PROTO_STOP && !strcmp(req.id, "c1"));
}

TEST(round_trip)
{
	struct proto_request req = { .op = PROTO_START,
				     .spec = { .scope = OSR_SCOPE_ALL, .any_nnp = true } },
			     again;
	struct osr_err err = { "" };
	char text[OSR_PROTO_MAX];
	int n;

	strcpy(req.id, "abc");
	strcpy(req.name, "x.json");
	strcpy(req.path, "/a b/x.json");
	n = proto_render(&req, text, sizeof(text));
	CHECK(n > 0 && proto_parse(text, (size_t)n, &again, &err) == 0);
	CHECK(again.spec.scope == OSR_SCOPE_ALL && again.spec.any_nnp && !again.has_input);
	CHECK(!strcmp(again.path, "/a b/x.json"));
}

/* The stats' target travels as a second name and path (and a fourth fd). */
TEST(stats_round_trip)
{
	struct proto_request req = { .op = PROTO_START, .has_stats = true }, again;
	struct osr_err err = { "" };
	char text[OSR_PROTO_MAX];
	int n;

	strcpy(req.id, "abc");
	strcpy(req.name, "x.json");
	strcpy(req.path, "/h/x.json");
	strcpy(req.stats_name, "x.stats.json");
	strcpy(req.stats_path, "/h/x.stats.json");
	n = proto_render(&req, text, sizeof(text));
	CHECK(n > 0 && proto_parse(text, (size_t)n, &again, &err) == 0);
	CHECK(again.has_stats && !strcmp(again.stats_name, "x.stats.json") &&
	      !strcmp(again.stats_path, "/h/x.stats.json"));
	CHECK_STR_CONTAINS(text, "\nscope=workload\n");
	expect_refused("osr 1 start\nid=c1\nname=a\npath=/x/a\nstats_name=s\n", "go together");
	expect_refused("osr 1 start\nid=c1\nname=a\npath=/x/a\nstats_name=a/b\nstats_path=/x/s\n",
		       "'stats_name' is not a file name");
	expect_refused("osr 1 start\nid=c1\nname=a\npath=/x/a\nstats_name=s\nstats_path=s\n",
		       "'stats_path' is not absolute");
	expect_refused("osr 1 start\nid=c1\nname=a\npath=/x/a\ninput=\n", "'input' is empty");
}

TEST(refusals)
{
	expect_refused("", "empty");
	expect_refused("osr 2 start\nid=c1\n", "version");
	expect_refused("osr 1 dance\nid=c1\n", "unknown operation");
	expect_refused("osr 1 stop\nid=c1", "no line break");
	expect_refused("osr 1 stop\nid=c1\nid=c2\n", "twice");
	expect_refused("osr 1 stop\nid=c1\nuid=0\n", "unknown key");
	expect_refused("osr 1 stop\nid=../x\n", "container 'id'");
	expect_refused("osr 1 stop\nid=c1\npath=/x\n", "only 'id' and 'bundle'");
	expect_refused("osr 1 stop\nid=c1\nbundle=rel\n", "not absolute");
	expect_refused("osr 1 start\nid=c1\nname=a/b\npath=/x/a\n", "not a file name");
	expect_refused("osr 1 start\nid=c1\nname=..\npath=/x/a\n", "not a file name");
	expect_refused("osr 1 start\nid=c1\nname=a\npath=rel\n", "not absolute");
	expect_refused("osr 1 start\nid=c1\nname=a\npath=/x\x01y\n", "control character");
	expect_refused("osr 1 start\nid=c1\nname=a\npath=/x\nnnp=2\n", "not 0 or 1");
	expect_refused("osr 1 start\nid=c1\nname=a\npath=/x\nscope=some\n",
		       "'scope' is not one of 'workload'");
	expect_refused("osr 1 stop\nid=c1\n\n", "no '='");
}

TEST(nul_refused)
{
	struct proto_request req;
	struct osr_err err = { "" };
	static const char text[] = "osr 1 stop\nid=c1\0x\n";

	CHECK(proto_parse(text, sizeof(text) - 1, &req, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "NUL");
}

int main(void)
{
	RUN(start_parsed);
	RUN(stop_parsed);
	RUN(round_trip);
	RUN(stats_round_trip);
	RUN(refusals);
	RUN(nul_refused);
	return 0;
}
