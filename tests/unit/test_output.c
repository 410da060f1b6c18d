// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of output_write(): the mode it gives a profile made from a base,
 * never readable by more than the base.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "fileio.h"
#include "output.h"
#include "profile.h"
#include "scope.h"
#include "target.h"
#include "tmpfiles.h"
#include "unit.h"


/* ---- the output's mode: never readable by more than its base ---- */

/* The mode of the profile written from a base of the given mode. */
static mode_t mode_from_base(mode_t base_mode)
{
	struct osr_container *table = calloc(1, sizeof(*table));
	struct osr_err err = { "" };
	/* As record --base takes them: a 0777 base is refused by the hook's StrictModes walk. */
	struct output_target t = OUTPUT_TARGET_INIT;
	struct output_opts o = { .spec.scope = OSR_SCOPE_WORKLOAD, .target = &t };
	char base[PATH_MAX], out[PATH_MAX];
	struct stat st = { 0 };
	int r;

	CHECK(table != NULL && make_tmpdir() == 0);
	path_in(base, sizeof(base), "base.json");
	path_in(out, sizeof(out), "out.json");
	CHECK(put_file(base, MERGE_BASE) == 0 && chmod(base, base_mode) == 0);
	r = profile_load(base, place_as_given(), "base profile", &o.base, &o.base_src, &err);
	CHECK(r == 0);
	r = r == 0 ? target_open(&t, out, place_as_given(), false, &err) : r;
	if (r == 0) {
		r = output_write(table, &o, &err);
		if (r < 0)
			printf("# %s\n", err.msg);
		CHECK(r == 0 && stat(out, &st) == 0);
	}
	json_object_put(o.base);
	target_close(&t);
	free(table);
	remove_tree(tmpdir);
	return st.st_mode & 07777;
}

TEST(write_mode_follows_base)
{
	CHECK(mode_from_base(0600) == 0600);
	CHECK(mode_from_base(0640) == 0640);
	CHECK(mode_from_base(0400) == 0400);
	CHECK(mode_from_base(0644) == 0644);
	/* Never wider than a profile without a base. */
	CHECK(mode_from_base(0777) == 0644);
}

int main(void)
{
	RUN(write_mode_follows_base);
	return 0;
}
