// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of state_parse(), container_id_valid() and bundle_hook_timeout(). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "unit.h"

#define RUNC_STATE                                                                                 \
	"{\"ociVersion\":\"1.0.2-dev\",\"id\":\"ctr-1.web_2+x\",\"status\":\"created\","           \
	"\"pid\":4242,\"bundle\":\"/run/bundles/ctr-1\",\"annotations\":{"                         \
	"\"io.containers.trace-syscall\":\"of:/tmp/out.json;if:/tmp/base.json\","                  \
	"\"org.opencontainers.image.os\":\"linux\"}}"

static int parse(const char *json, struct oci_state *st, struct osr_err *err)
{
	return state_parse(json, strlen(json), st, err);
}

/* A rejected state: negative return, nothing left allocated, a message naming word. */
static void expect_reject_len(const char *json, size_t len, const char *word)
{
	struct osr_err err = { "" };
	struct oci_state st;
	int r;

	r = state_parse(json, len, &st, &err);
	CHECK(r < 0);
	CHECK(err.msg[0] != '\0');
	CHECK_STR_CONTAINS(err.msg, word);
	CHECK(!st.id && !st.status && !st.bundle && !st.annotation && st.pid == 0);
	state_free(&st);
}

static void expect_reject(const char *json, const char *word)
{
	expect_reject_len(json, strlen(json), word);
}

TEST(full_runc_state)
{
	struct osr_err err = { "" };
	struct oci_state st;

	CHECK(parse(RUNC_STATE, &st, &err) == 0);
	CHECK(err.msg[0] == '\0');
	CHECK(st.id && !strcmp(st.id, "ctr-1.web_2+x"));
	CHECK(st.status && !strcmp(st.status, "created"));
	CHECK(st.bundle && !strcmp(st.bundle, "/run/bundles/ctr-1"));
	CHECK(st.pid == 4242);
	CHECK(st.annotation && !strcmp(st.annotation, "of:/tmp/out.json;if:/tmp/base.json"));
	state_free(&st);
	CHECK(!st.id && !st.status && !st.bundle && !st.annotation && st.pid == 0);
}

TEST(annotations_absent)
{
	struct osr_err err = { "" };
	struct oci_state st;

	CHECK(parse("{\"id\":\"abc\",\"status\":\"stopped\",\"pid\":1}", &st, &err) == 0);
	CHECK(st.id && !strcmp(st.id, "abc"));
	CHECK(st.annotation == NULL);
	state_free(&st);
}

TEST(annotations_null)
{
	struct osr_err err = { "" };
	struct oci_state st;

	CHECK(parse("{\"id\":\"abc\",\"annotations\":null}", &st, &err) == 0);
	CHECK(st.annotation == NULL);
	state_free(&st);
}

TEST(annotations_without_key)
{
	struct osr_err err = { "" };
	struct oci_state st;

	CHECK(parse("{\"id\":\"abc\",\"annotations\":{\"io.containers.other\":\"of:/x\","
		    "\"io.containers.trace-syscall.x\":\"of:/y\"}}",
		    &st, &err) == 0);
	CHECK(st.annotation == NULL);
	state_free(&st);
}

TEST(annotation_value_kept_verbatim)
{
	struct osr_err err = { "" };
	struct oci_state st;

	/* The state parser does not judge the value; annotation_parse() does. */
	CHECK(parse("{\"id\":\"abc\",\"annotations\":{\"io.containers.trace-syscall\":\"\"}}", &st,
		    &err) == 0);
	CHECK(st.annotation && st.annotation[0] == '\0');
	state_free(&st);
}

TEST(pid_absent_is_zero)
{
	struct osr_err err = { "" };
	struct oci_state st;

	CHECK(parse("{\"id\":\"abc\",\"status\":\"stopped\",\"bundle\":\"/b\"}", &st, &err) == 0);
	CHECK(st.pid == 0);
	CHECK(st.status && !strcmp(st.status, "stopped"));
	state_free(&st);
}

TEST(pid_null_is_zero)
{
	struct osr_err err = { "" };
	struct oci_state st;

	CHECK(parse("{\"id\":\"abc\",\"pid\":null}", &st, &err) == 0);
	CHECK(st.pid == 0);
	state_free(&st);
}

TEST(pid_int_max_accepted)
{
	struct osr_err err = { "" };
	struct oci_state st;

	CHECK(parse("{\"id\":\"abc\",\"pid\":2147483647}", &st, &err) == 0);
	CHECK(st.pid == INT_MAX);
	state_free(&st);
}

TEST(optional_fields_absent)
{
	struct osr_err err = { "" };
	struct oci_state st;

	CHECK(parse("{\"id\":\"abc\"}", &st, &err) == 0);
	CHECK(st.id && !strcmp(st.id, "abc"));
	CHECK(st.status == NULL && st.bundle == NULL && st.annotation == NULL && st.pid == 0);
	state_free(&st);
}

TEST(trailing_white_space_accepted)
{
	struct osr_err err = { "" };
	struct oci_state st;

	CHECK(parse("  {\"id\":\"abc\"} \r\n\t\n", &st, &err) == 0);
	CHECK(st.id && !strcmp(st.id, "abc"));
	state_free(&st);
}

TEST(only_len_bytes_are_read)
{
	/* The document is the first len bytes; what follows in memory is not part of it. */
	static const char buf[] = "{\"id\":\"abc\"}\n\n";
	struct osr_err err = { "" };
	struct oci_state st;
	int r;

	r = state_parse(buf, strlen("{\"id\":\"abc\"}"), &st, &err);
	if (r < 0)
		printf("# state_parse read past len: %s\n", err.msg);
	CHECK(r == 0);
	CHECK(st.id && !strcmp(st.id, "abc"));
	state_free(&st);
}

TEST(reject_empty)
{
	expect_reject("", "state");
	expect_reject_len("{\"id\":\"abc\"}", 0, "state");
}

TEST(reject_white_space_only)
{
	expect_reject(" \n", "JSON");
}

TEST(reject_not_json)
{
	expect_reject("not json", "JSON");
	expect_reject("{\"id\":\"abc\"", "JSON");
	expect_reject("{'id':'abc'}", "JSON");
}

TEST(reject_trailing_garbage)
{
	expect_reject("{\"id\":\"abc\"} x", "state");
	expect_reject("{\"id\":\"abc\"}{}", "state");
	expect_reject("{\"id\":\"abc\"}\n{\"id\":\"def\"}", "state");
}

TEST(reject_array)
{
	expect_reject("[{\"id\":\"abc\"}]", "array");
}

TEST(reject_not_object)
{
	expect_reject("\"abc\"", "not an object");
}

TEST(reject_invalid_utf8)
{
	expect_reject("{\"id\":\"abc\",\"status\":\"cr\xff\xfe"
		      "ated\"}",
		      "JSON");
	expect_reject("{\"id\":\"abc\",\"bundle\":\"/b\xc3\"}", "JSON");
}

TEST(reject_nul_byte)
{
	static const char json[] = "{\"id\":\"abc\",\"bundle\":\"/b\0/c\"}";

	expect_reject_len(json, sizeof(json) - 1, "NUL");
	/* A NUL after the document is refused too, not taken as its end. */
	expect_reject_len("{\"id\":\"abc\"}\0", sizeof("{\"id\":\"abc\"}\0") - 1, "NUL");
}

TEST(reject_id_missing)
{
	expect_reject("{\"status\":\"created\",\"pid\":1}", "'id'");
	expect_reject("{\"id\":null}", "'id'");
}

TEST(reject_id_not_string)
{
	expect_reject("{\"id\":42}", "'id'");
	expect_reject("{\"id\":[\"abc\"]}", "'id'");
}

TEST(reject_id_dotdot)
{
	expect_reject("{\"id\":\"..\"}", "container id");
	expect_reject("{\"id\":\".\"}", "container id");
}

TEST(reject_id_slash)
{
	expect_reject("{\"id\":\"a/b\"}", "container id");
	expect_reject("{\"id\":\"../../etc\"}", "container id");
}

TEST(reject_id_newline)
{
	expect_reject("{\"id\":\"abc\\n\"}", "container id");
}

TEST(reject_id_empty)
{
	expect_reject("{\"id\":\"\"}", "container id");
}

TEST(reject_pid_string)
{
	expect_reject("{\"id\":\"abc\",\"pid\":\"4242\"}", "pid");
}

TEST(reject_pid_not_integer)
{
	expect_reject("{\"id\":\"abc\",\"pid\":42.5}", "pid");
	expect_reject("{\"id\":\"abc\",\"pid\":true}", "pid");
}

TEST(reject_pid_negative)
{
	expect_reject("{\"id\":\"abc\",\"pid\":-1}", "pid");
}

TEST(reject_pid_above_int_max)
{
	expect_reject("{\"id\":\"abc\",\"pid\":2147483648}", "pid");
	expect_reject("{\"id\":\"abc\",\"pid\":18446744073709551615}", "pid");
}

TEST(reject_status_not_string)
{
	expect_reject("{\"id\":\"abc\",\"status\":1}", "status");
	expect_reject("{\"id\":\"abc\",\"bundle\":{}}", "bundle");
}

TEST(reject_annotations_array)
{
	expect_reject("{\"id\":\"abc\",\"annotations\":[\"io.containers.trace-syscall\"]}",
		      "annotations");
}

TEST(reject_annotation_number)
{
	expect_reject("{\"id\":\"abc\",\"annotations\":{\"io.containers.trace-syscall\":1}}",
		      OSR_ANNOTATION);
}

/* A valid state of exactly size bytes: the id, then white space up to the size. */
static char *state_of_size(size_t size)
{
	static const char head[] = "{\"id\":\"abc\"}";
	char *buf = malloc(size + 1);

	if (!buf)
		return NULL;
	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, ' ', size - (sizeof(head) - 1));
	buf[size] = '\0';
	return buf;
}

TEST(reject_too_large)
{
	char *buf = state_of_size((size_t)OSR_STATE_MAX + 1);

	CHECK(buf != NULL);
	if (!buf)
		return;
	expect_reject_len(buf, (size_t)OSR_STATE_MAX + 1, "larger");
	free(buf);
}

TEST(max_size_accepted)
{
	struct osr_err err = { "" };
	struct oci_state st;
	char *buf = state_of_size(OSR_STATE_MAX);

	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK(state_parse(buf, OSR_STATE_MAX, &st, &err) == 0);
	CHECK(st.id && !strcmp(st.id, "abc"));
	state_free(&st);
	free(buf);
}

TEST(id_valid)
{
	char id[258];

	CHECK(container_id_valid("abc"));
	CHECK(container_id_valid("0123456789abcdef0123456789abcdef"));
	CHECK(container_id_valid("A-b_c.d+e"));
	CHECK(container_id_valid("..."));
	CHECK(container_id_valid(".hidden"));
	memset(id, 'a', 256);
	id[256] = '\0';
	CHECK(container_id_valid(id));
}

TEST(id_invalid)
{
	char id[258];

	CHECK(!container_id_valid(""));
	CHECK(!container_id_valid("."));
	CHECK(!container_id_valid(".."));
	CHECK(!container_id_valid("a/b"));
	CHECK(!container_id_valid("/abc"));
	CHECK(!container_id_valid("abc\n"));
	CHECK(!container_id_valid("a b"));
	CHECK(!container_id_valid("a:b"));
	CHECK(!container_id_valid("a\\b"));
	CHECK(!container_id_valid("caf\xc3\xa9"));
	memset(id, 'a', 257);
	id[257] = '\0';
	CHECK(!container_id_valid(id));
}

/* A bundle of hooks: another program's at prestart, then this test's own, with timeouts. */
static void write_bundle(char *dir)
{
	char self[PATH_MAX], path[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *f;

	CHECK(n > 0);
	self[n > 0 ? n : 0] = '\0';
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "we");
	CHECK(f != NULL);
	if (f) {
		fprintf(f,
			"{\"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", \"timeout\": 5},"
			"{\"path\": \"%s\", \"timeout\": 30}], \"poststop\": [{\"path\": \"%s\"}]}}",
			self, self);
		fclose(f);
	}
}

/* Its own entry's timeout, for the stage asked; another program's is not its own. */
TEST(hook_timeout_own_entry)
{
	char dir[] = "/tmp/osr-test-bundle.XXXXXX", path[64];
	struct osr_err err = { "" };
	long secs = -1;

	write_bundle(dir);
	CHECK(bundle_hook_timeout(dir, "prestart", &secs, &err) == 0 && secs == 30);
	CHECK(bundle_hook_timeout(dir, "poststop", &secs, &err) == 0 && secs == 0);
	CHECK(bundle_hook_timeout(dir, "createRuntime", &secs, &err) == 0 && secs == 0);
	CHECK(bundle_hook_timeout("/nonexistent-bundle", "prestart", &secs, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, "/nonexistent-bundle/config.json");
	snprintf(path, sizeof(path), "%s/config.json", dir);
	unlink(path);
	rmdir(dir);
}

/* The bundle's own entry with a given timeout value, as JSON text: the seconds taken. */
static long timeout_of(const char *value)
{
	char dir[] = "/tmp/osr-test-bundle.XXXXXX", self[PATH_MAX], path[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct osr_err err = { "" };
	long secs = -1;
	FILE *f;

	CHECK(n > 0 && mkdtemp(dir) != NULL);
	self[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "we");
	CHECK(f != NULL);
	if (f) {
		fprintf(f, "{\"hooks\": {\"prestart\": [{\"path\": \"%s\", \"timeout\": %s}]}}",
			self, value);
		fclose(f);
	}
	if (bundle_hook_timeout(dir, "prestart", &secs, &err) < 0)
		secs = -2;
	unlink(path);
	rmdir(dir);
	return secs;
}

/*
 * A timeout that is no number of seconds above 0 is none (the default then);
 * a huge one is an hour: no value makes a start wait for ever. A config.json
 * that is a FIFO is refused at once, not waited on.
 */
TEST(hook_timeout_bogus)
{
	char dir[] = "/tmp/osr-test-bundle.XXXXXX", path[64];
	struct osr_err err = { "" };
	long secs = -1;

	CHECK(timeout_of("-5") == 0);
	CHECK(timeout_of("0") == 0);
	CHECK(timeout_of("\"30\"") == 0);
	CHECK(timeout_of("1.5e9") == 0);
	CHECK(timeout_of("null") == 0);
	CHECK(timeout_of("4000") == 3600);
	CHECK(timeout_of("9223372036854775807") == 3600);
	CHECK(timeout_of("99999999999999999999") == 3600);
	CHECK(timeout_of("-99999999999999999999") == 0);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	CHECK(mkfifo(path, 0600) == 0);
	alarm(10); /* a wait on the FIFO fails the test, rather than hanging it */
	CHECK(bundle_hook_timeout(dir, "prestart", &secs, &err) < 0);
	alarm(0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN(hook_timeout_own_entry);
	RUN(hook_timeout_bogus);
	RUN(full_runc_state);
	RUN(annotations_absent);
	RUN(annotations_null);
	RUN(annotations_without_key);
	RUN(annotation_value_kept_verbatim);
	RUN(pid_absent_is_zero);
	RUN(pid_null_is_zero);
	RUN(pid_int_max_accepted);
	RUN(optional_fields_absent);
	RUN(trailing_white_space_accepted);
	RUN(only_len_bytes_are_read);
	RUN(reject_empty);
	RUN(reject_white_space_only);
	RUN(reject_not_json);
	RUN(reject_trailing_garbage);
	RUN(reject_array);
	RUN(reject_not_object);
	RUN(reject_invalid_utf8);
	RUN(reject_nul_byte);
	RUN(reject_id_missing);
	RUN(reject_id_not_string);
	RUN(reject_id_dotdot);
	RUN(reject_id_slash);
	RUN(reject_id_newline);
	RUN(reject_id_empty);
	RUN(reject_pid_string);
	RUN(reject_pid_not_integer);
	RUN(reject_pid_negative);
	RUN(reject_pid_above_int_max);
	RUN(reject_status_not_string);
	RUN(reject_annotations_array);
	RUN(reject_annotation_number);
	RUN(reject_too_large);
	RUN(max_size_accepted);
	RUN(id_valid);
	RUN(id_invalid);
	return 0;
}
