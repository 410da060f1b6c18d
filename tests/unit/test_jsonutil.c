// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the JSON helpers: json_array_unique() (merge's duplicate
 * rules, architectures and flags).
 */
#include <json-c/json.h>

#include "jsonutil.h"
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

int main(void)
{
	RUN(array_unique);
	return 0;
}
