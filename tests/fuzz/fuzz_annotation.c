// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the io.containers.trace-syscall annotation value:
 * annotation_parse() on any NUL-terminated string, and the promises it makes
 * about what it accepts.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "annotation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An absolute path of one field: no ';', no control character, shorter than PATH_MAX. */
static void check_path(const char *path)
{
	size_t n;

	if (path[0] != '/')
		abort();
	n = strlen(path);
	if (n >= PATH_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f || path[i] == ';')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_request req;
	struct osr_err err;
	char *str;

	str = malloc(size + 1);
	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	if (annotation_parse(str, &req, &err) >= 0) {
		if (!req.output)
			abort();
		check_path(req.output);
		if (req.input)
			check_path(req.input);
		trace_request_free(&req);
	}
	free(str);
	return 0;
}
