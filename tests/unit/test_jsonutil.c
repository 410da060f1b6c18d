// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the JSON helpers: json_array_unique() (merge's duplicate
 * rules, architectures and flags), and json_load_file(), the one bounded
 * reader of a JSON file.
 */
#include <fcntl.h>
#include <json-c/json.h>

#include "jsonutil.h"
#include "tmpfiles.h"
#include "unit.h"

/* ---- json_array_unique: merge's duplicate rules, architectures and flags ---- */

TEST(array_unique)
{
	json_object *in = json_tokener_parse(
		"[\"a\", \"b\", \"a\", {\"x\": 1, \"y\": [1, 2]}, {\"y\": [1, 2], \"x\": 1},"
		" {\"y\": [2, 1], \"x\": 1}, 5, 18446744073709551615, 5, null, null, 1.0, 1, -0.0, 0.0]");
	json_object *want = json_tokener_parse(
		"[\"a\", \"b\", {\"x\": 1, \"y\": [1, 2]}, {\"y\": [2, 1], \"x\": 1}, 5,"
		" 18446744073709551615, null, 1.0, 1, -0.0]");
	json_object *out = in ? json_array_unique(in) : NULL;

	CHECK(in && want && out);
	CHECK(json_object_equal(out, want));
	json_object_put(out);
	json_object_put(want);
	json_object_put(in);
}

/* Load the file name holding text under a limit of max bytes. */
static int load(const char *name, const char *text, size_t max, json_object **out,
		struct osr_err *err)
{
	char p[PATH_MAX], what[PATH_MAX + 16];
	int fd, r;

	path_in(p, sizeof(p), name);
	if (text && put_file(p, text) < 0)
		return -EIO;
	if (!text && mkdir(p, 0700) < 0)
		return -EIO;
	fd = open(p, O_RDONLY | O_CLOEXEC | (text ? 0 : O_DIRECTORY));
	if (fd < 0)
		return -EIO;
	snprintf(what, sizeof(what), "test file '%s'", p);
	r = json_load_file(fd, max, what, out, err);
	close(fd);
	return r;
}

TEST(load_file)
{
	struct osr_err err = { "" };
	json_object *out = NULL;

	CHECK(make_tmpdir() == 0);
	CHECK(load("good.json", "{\"a\": [1, 2]}\n", 64, &out, &err) == 0);
	CHECK(out && json_object_is_type(out, json_type_object));
	json_object_put(out);
	out = NULL;
	/* At the limit is taken; one byte past it is refused, naming the file and the limit. */
	CHECK(load("at.json", "{\"abc\": 1}", 10, &out, &err) == 0);
	json_object_put(out);
	out = NULL;
	CHECK(load("over.json", "{\"abcd\": 1}", 10, &out, &err) == -EFBIG && !out);
	CHECK_STR_CONTAINS(err.msg, "over.json' is larger than 10 bytes");
	CHECK(load("empty.json", "", 64, &out, &err) == -EINVAL && !out);
	CHECK_STR_CONTAINS(err.msg, "empty.json' is empty");
	CHECK(load("bad.json", "{\"a\": }", 64, &out, &err) == -EINVAL && !out);
	CHECK_STR_CONTAINS(err.msg, "bad.json' is not valid JSON");
	CHECK(load("folder.json", NULL, 64, &out, &err) == -EISDIR && !out);
	CHECK_STR_CONTAINS(err.msg, "cannot read test file '");
	CHECK_STR_CONTAINS(err.msg, "folder.json'");
	remove_tree(tmpdir);
}

int main(void)
{
	RUN(array_unique);
	RUN(load_file);
	return 0;
}
