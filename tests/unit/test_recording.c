// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the recording model's reader: whether the workload ran. */
#include <stdlib.h>

#include "recording.h"
#include "unit.h"

/* The workload ran when a syscall was made after the runtime's exec of it, not before. */
TEST(workload_ran)
{
	struct osr_container *t = calloc(1, sizeof(*t));

	CHECK(t != NULL);
	if (!t)
		return;
	recording_prepare(t);
	t->seen[OSR_PHASE_SETUP][OSR_ABI_NATIVE][59] = OSR_SEEN;
	t->seen[OSR_PHASE_FILTERED][OSR_ABI_NATIVE][59] = OSR_SEEN;
	/* The kind bits recording_prepare() sets are not a syscall made. */
	CHECK(!recording_workload_ran(t));
	t->seen[OSR_PHASE_WORKLOAD][OSR_ABI_COMPAT][1] |= OSR_SEEN;
	CHECK(recording_workload_ran(t));
	free(t);
}

TEST(workload_ran_empty)
{
	struct osr_container *t = calloc(1, sizeof(*t));

	CHECK(t != NULL);
	if (t)
		CHECK(!recording_workload_ran(t));
	free(t);
}

int main(void)
{
	RUN(workload_ran);
	RUN(workload_ran_empty);
	return 0;
}
