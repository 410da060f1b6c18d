// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the OCI state parser: state_parse() on the bytes a
 * runtime writes to the hook's stdin, and container_id_valid() on any string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_state st;
	struct osr_err err;
	char *buf, *str;

	/* Exactly size bytes and no NUL after them: the parser takes a length. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (state_parse(buf, size, &st, &err) >= 0) {
		/* On success the id is there and is one the run directory can use. */
		if (!st.id || !container_id_valid(st.id))
			abort();
		state_free(&st);
	}
	free(buf);

	str = malloc(size + 1);
	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	(void)container_id_valid(str);
	free(str);
	return 0;
}
