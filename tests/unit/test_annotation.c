// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of annotation_parse(), the io.containers.trace-syscall value, and
 * learned_parse(), watch mode's learned file.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "annotation.h"
#include "state.h"
#include "unit.h"
#include "watched.h"

/* A rejected value: negative return, no path left allocated, a message naming word. */
static void expect_reject(const char *value, const char *word)
{
	struct osr_err err = { "" };
	struct trace_request req;
	int r;

	r = annotation_parse(value, &req, &err);
	CHECK(r < 0);
	CHECK(err.msg[0] != '\0');
	CHECK_STR_CONTAINS(err.msg, word);
	CHECK(req.output == NULL && req.input == NULL);
	trace_request_free(&req);
}

TEST(output_only)
{
	struct osr_err err = { "" };
	struct trace_request req;

	CHECK(annotation_parse("of:/a.json", &req, &err) == 0);
	CHECK(err.msg[0] == '\0');
	CHECK(req.output && !strcmp(req.output, "/a.json"));
	CHECK(req.input == NULL);
	trace_request_free(&req);
	CHECK(req.output == NULL && req.input == NULL);
}

TEST(output_then_input)
{
	struct osr_err err = { "" };
	struct trace_request req;

	CHECK(annotation_parse("of:/a;if:/b", &req, &err) == 0);
	CHECK(req.output && !strcmp(req.output, "/a"));
	CHECK(req.input && !strcmp(req.input, "/b"));
	trace_request_free(&req);
}

TEST(input_then_output)
{
	struct osr_err err = { "" };
	struct trace_request req;

	CHECK(annotation_parse("if:/b;of:/a", &req, &err) == 0);
	CHECK(req.output && !strcmp(req.output, "/a"));
	CHECK(req.input && !strcmp(req.input, "/b"));
	trace_request_free(&req);
}

TEST(paths_kept_verbatim)
{
	struct osr_err err = { "" };
	struct trace_request req;

	CHECK(annotation_parse("of:/var/lib/my profiles/out-1.json;if:/etc/a:b.json", &req, &err) ==
	      0);
	CHECK(req.output && !strcmp(req.output, "/var/lib/my profiles/out-1.json"));
	CHECK(req.input && !strcmp(req.input, "/etc/a:b.json"));
	trace_request_free(&req);
}

TEST(reject_empty)
{
	expect_reject("", "empty");
}

TEST(reject_empty_output_path)
{
	expect_reject("of:", "of:");
	expect_reject("of:/a;if:", "if:");
}

TEST(reject_relative_path)
{
	expect_reject("of:rel/path", "rel/path");
	expect_reject("of:/a;if:base.json", "base.json");
}

TEST(reject_input_without_output)
{
	expect_reject("if:/b", "of:");
}

/* oci-seccomp-bpf-hook's rule: a field named twice, the last one counts. */
TEST(twice_last_counts)
{
	struct osr_err err = { "" };
	struct trace_request req;

	CHECK(annotation_parse("of:/a;of:/b", &req, &err) == 0);
	CHECK(req.output && !strcmp(req.output, "/b"));
	CHECK(!req.input);
	trace_request_free(&req);
	expect_reject("if:/a;if:/b", "no 'of:'");
}

/* Blanks around fields and after the prefix are trimmed, as the peer trims them. */
TEST(blanks_trimmed)
{
	struct osr_err err = { "" };
	struct trace_request req;

	CHECK(annotation_parse("of: /x.json", &req, &err) == 0);
	CHECK(req.output && !strcmp(req.output, "/x.json"));
	trace_request_free(&req);
	CHECK(annotation_parse(" of:\t/my dir/x.json ; if: /b.json ", &req, &err) == 0);
	CHECK(req.output && !strcmp(req.output, "/my dir/x.json"));
	CHECK(req.input && !strcmp(req.input, "/b.json"));
	trace_request_free(&req);
	expect_reject("of:  ", "empty path");
	expect_reject("  ", "empty");
}

TEST(reject_four_fields)
{
	expect_reject("of:/a;if:/b;stats:/c;x", "three fields");
	expect_reject("of:/a;if:/b;stats:/c;", "three fields");
	expect_reject("of:/a;if:/b;x", "unknown field 'x'");
}

/* stats: is ours: a third field, in any order, with the same path rules. */
TEST(stats_field)
{
	struct trace_request req;
	struct osr_err err = { "" };

	CHECK(annotation_parse("stats:/s.json;of:/a.json", &req, &err) == 0);
	CHECK(req.stats && !strcmp(req.stats, "/s.json") && !strcmp(req.output, "/a.json"));
	trace_request_free(&req);
	CHECK(annotation_parse("of:/a.json", &req, &err) == 0 && !req.stats);
	trace_request_free(&req);
	expect_reject("of:/a.json;stats:rel.json", "'stats:' path 'rel.json' is not absolute");
	expect_reject("of:/a.json;stats:", "'stats:' has an empty path");
}

TEST(reject_empty_middle_field)
{
	expect_reject("of:/a;;if:/b", "empty field");
}

TEST(reject_trailing_separator)
{
	expect_reject("of:/a;", "empty field");
	expect_reject(";of:/a", "empty field");
}

TEST(reject_unknown_field)
{
	expect_reject("xf:/a", "xf:/a");
	expect_reject("of:/a;OF:/b", "OF:/b");
	expect_reject("of=/a", "of=/a");
}

TEST(reject_control_character)
{
	expect_reject("of:/a\n", "control");
	expect_reject("of:/a;if:/b\tc", "control");
	expect_reject("of:/a\x7f", "control");
}

/* No byte of a value in a message may start a line or an escape sequence. */
static bool printable(const char *msg)
{
	for (const char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

/*
 * A value quoted in a message is escaped: a line break and an ESC in it
 * forged a whole "oci-seccomp-recorder: info:" line in stderr and syslog.
 */
TEST(message_escapes_value)
{
	static const char forged[] = "x\noci-seccomp-recorder: info: \x1b[2K ok";
	struct osr_err err = { "" };
	struct trace_request req;
	char value[128];
	struct osr_esc e;

	snprintf(value, sizeof(value), "of:/a;%s", forged);
	CHECK(annotation_parse(value, &req, &err) < 0);
	CHECK(printable(err.msg));
	CHECK_STR_CONTAINS(err.msg, "unknown field 'x\\noci-seccomp-recorder: info: \\x1b[...'");
	snprintf(value, sizeof(value), "of:x\r\x1b]0:t\x07");
	CHECK(annotation_parse(value, &req, &err) < 0);
	CHECK(printable(err.msg));
	CHECK_STR_CONTAINS(err.msg, "path 'x\\r\\x1b]0:t\\x07' is not absolute");
	/* Quotes, backslashes and bytes past ASCII (a C1 CSI in UTF-8) too. */
	CHECK(!strcmp(osr_escape("a'b\\c\xc2\x9b", SIZE_MAX, &e), "a\\'b\\\\c\\xc2\\x9b"));
	CHECK(!strcmp(osr_escape("workload", SIZE_MAX, &e), "workload"));
	CHECK(!strcmp(osr_escape("abc", 2, &e), "ab"));
	/* At most OSR_ESC_MAX bytes of a long one: a 4 MiB annotation is not echoed. */
	CHECK(!strcmp(osr_escape("0123456789abcdef0123456789abcdefXYZ", SIZE_MAX, &e),
		      "0123456789abcdef0123456789abcdef..."));
}

/* "of:" and a path of n characters: '/' then n - 1 letters. */
static char *value_with_path(size_t n)
{
	char *v = malloc(n + 4);

	if (!v)
		return NULL;
	memcpy(v, "of:/", 4);
	memset(v + 4, 'a', n - 1);
	v[n + 3] = '\0';
	return v;
}

TEST(reject_path_max)
{
	char *v = value_with_path(PATH_MAX);

	CHECK(v != NULL);
	if (!v)
		return;
	CHECK(strlen(v) == 3 + PATH_MAX);
	expect_reject(v, "longer");
	free(v);
}

TEST(path_max_minus_one_accepted)
{
	struct osr_err err = { "" };
	struct trace_request req;
	char *v = value_with_path(PATH_MAX - 1);

	CHECK(v != NULL);
	if (!v)
		return;
	CHECK(annotation_parse(v, &req, &err) == 0);
	CHECK(req.output && strlen(req.output) == PATH_MAX - 1 && !strcmp(req.output, v + 3));
	trace_request_free(&req);
	free(v);
}

TEST(free_after_failure)
{
	struct osr_err err = { "" };
	struct trace_request req;

	/* The output is parsed (and allocated) before the input fails. */
	CHECK(annotation_parse("of:/a;if:rel", &req, &err) < 0);
	CHECK(req.output == NULL && req.input == NULL);
	trace_request_free(&req);
	trace_request_free(&req);
	CHECK(req.output == NULL && req.input == NULL);

	CHECK(annotation_parse("if:/b", &req, &err) < 0);
	CHECK(req.output == NULL && req.input == NULL);
	trace_request_free(&req);

	/* A struct holding old pointers is reset, not freed twice. */
	CHECK(annotation_parse("of:/a", &req, &err) == 0);
	trace_request_free(&req);
	CHECK(annotation_parse("", &req, &err) < 0);
	trace_request_free(&req);
	CHECK(req.output == NULL && req.input == NULL);
}

TEST(messages_name_the_annotation)
{
	static const char *const bad[] = { "",	      "of:",	     "xf:/a", "if:/b",
					   "of:/a;;", "if:/a;if:/b", "of:rel" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct osr_err err = { "" };
		struct trace_request req;

		CHECK(annotation_parse(bad[i], &req, &err) < 0);
		CHECK_STR_CONTAINS(err.msg, OSR_ANNOTATION);
		trace_request_free(&req);
	}
}

/* Unconfined, the learned path as given; a path of another form refused, naming the annotation. */
TEST(learned_as_given)
{
	const char *bad[] = { "", "/a.json", "of:", "of:a.json", "of:/a\n.json", "if:/a.json" };
	struct osr_err err = { "" };
	char *out = NULL;

	CHECK(learned_parse(" of:/p/a.json ", NULL, "team-a", &out, &err) == 0);
	CHECK(out && !strcmp(out, "/p/a.json"));
	free(out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = NULL;
		CHECK(learned_parse(bad[i], NULL, NULL, &out, &err) < 0);
		CHECK(out == NULL);
		CHECK_STR_CONTAINS(err.msg, OSR_WATCH_LEARNED_ANNOTATION);
	}
}

/* Confined, inside the folder and there in the namespace's own, as the hook's of:. */
TEST(learned_confined_to_namespace)
{
	char root[] = "/tmp/osr-test-learned.XXXXXX", want[PATH_MAX], in[PATH_MAX + 8];
	struct osr_err err = { "" };
	char *out = NULL;

	CHECK(mkdtemp(root) != NULL);
	snprintf(in, sizeof(in), "of:%s/team-b/app.json", root);
	CHECK(learned_parse(in, root, "team-a", &out, &err) == 0);
	snprintf(want, sizeof(want), "%s/team-a/team-b/app.json", root);
	CHECK(out && !strcmp(out, want));
	free(out);
	out = NULL;
	snprintf(in, sizeof(in), "of:%s/../team-b/app.json", root);
	CHECK(learned_parse(in, root, "team-a", &out, &err) < 0 && out == NULL);
	CHECK(learned_parse("of:/etc/app.json", root, "team-a", &out, &err) == -EPERM);
	snprintf(in, sizeof(in), "of:%s/app.json", root);
	CHECK(learned_parse(in, root, "Not_A_Namespace", &out, &err) < 0 && out == NULL);
	CHECK_STR_CONTAINS(err.msg, "namespace");
	snprintf(in, sizeof(in), "%s/team-a", root);
	rmdir(in);
	rmdir(root);
}

int main(void)
{
	RUN(output_only);
	RUN(output_then_input);
	RUN(input_then_output);
	RUN(paths_kept_verbatim);
	RUN(reject_empty);
	RUN(reject_empty_output_path);
	RUN(reject_relative_path);
	RUN(reject_input_without_output);
	RUN(twice_last_counts);
	RUN(blanks_trimmed);
	RUN(reject_four_fields);
	RUN(stats_field);
	RUN(reject_empty_middle_field);
	RUN(reject_trailing_separator);
	RUN(reject_unknown_field);
	RUN(reject_control_character);
	RUN(message_escapes_value);
	RUN(reject_path_max);
	RUN(path_max_minus_one_accepted);
	RUN(free_after_failure);
	RUN(messages_name_the_annotation);
	RUN(learned_as_given);
	RUN(learned_confined_to_namespace);
	return 0;
}
