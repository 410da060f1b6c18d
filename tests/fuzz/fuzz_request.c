// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the recording service's request parser: proto_parse()
 * on any bytes, the promises it makes about what it accepts, and that what
 * it accepts renders back to a request that parses the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct proto_request req, again;
	static char text[OSR_PROTO_MAX + 1];
	struct osr_err err;
	int n;

	if (proto_parse((const char *)data, size, &req, &err) < 0)
		return 0;
	if (!container_id_valid(req.id))
		abort();
	check_text(req.path);
	check_text(req.input);
	check_text(req.bundle);
	if (req.op == PROTO_START) {
		if (req.path[0] != '/' || !req.name[0] || strchr(req.name, '/') ||
		    !strcmp(req.name, "..") || !strcmp(req.name, "."))
			abort();
		check_text(req.name);
	}
	n = proto_render(&req, text, sizeof(text));
	if (n < 0)
		return 0;
	if (proto_parse(text, (size_t)n, &again, &err) < 0 || again.op != req.op ||
	    strcmp(again.id, req.id) || strcmp(again.path, req.path) ||
	    strcmp(again.stats_path, req.stats_path) || again.has_stats != req.has_stats ||
	    memcmp(&again.spec, &req.spec, sizeof(req.spec)) || again.alone != req.alone)
		abort();
	return 0;
}
