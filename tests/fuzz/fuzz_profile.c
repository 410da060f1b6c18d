// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the base-profile merge (`if:`): a base that
 * profile_validate_base() accepts (as profile_load() does for `if:`), extended
 * by profile_build() with a recording,
 * must still be accepted, and so must the text profile_to_string() writes.
 *
 * Input: a JSON object, the base profile. If the first byte cannot start one
 * (anything but '{' or JSON white space), it is not part of the JSON but a
 * mask of which syscalls the recording saw (see seen_table); a plain JSON
 * input is recorded with the default set, so plain profiles work as seeds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "jsonutil.h"
#include "profile.h"
#include "recording.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* x86-64 numbers, ia32 ones on the compat ABI, x32 ones without __X32_SYSCALL_BIT. */
static const struct {
	uint8_t bit;
	unsigned int abi;
	unsigned int nr;
} seen_table[] = {
	{ 0x01, OSR_ABI_NATIVE, 0 },	/* read */
	{ 0x02, OSR_ABI_NATIVE, 1 },	/* write */
	{ 0x04, OSR_ABI_NATIVE, 257 },	/* openat */
	{ 0x08, OSR_ABI_NATIVE, 59 },	/* execve */
	{ 0x10, OSR_ABI_NATIVE, 231 },	/* exit_group */
	{ 0x20, OSR_ABI_COMPAT, 20 },	/* getpid */
	{ 0x40, OSR_ABI_NATIVE, 41 },	/* socket, with two values (below) */
	{ 0x40, OSR_ABI_NATIVE, 56 },	/* clone, without namespace flags: clone3 gets ENOSYS */
	{ 0x40, OSR_ABI_COMPAT, 102 },	/* socketcall: ia32 only */
	{ 0x80, OSR_ABI_X32, 0 },	/* read */
	{ 0x80, OSR_ABI_NATIVE, 1023 }, /* no such syscall: reported, never named */
};

/* read, write, openat, execve, exit_group and ia32 getpid. */
#define SEEN_DEFAULT 0x3f

static struct selection sel;

static bool json_start(uint8_t c)
{
	return c == '{' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void fail(const char *what, const char *msg, const char *text)
{
	fprintf(stderr, "fuzz_profile: %s: %s\n", what, msg);
	if (text)
		fprintf(stderr, "--- output ---\n%s--- end ---\n", text);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *base = NULL, *out = NULL, *again = NULL;
	struct profile_report rep;
	struct osr_err err;
	uint8_t mask = SEEN_DEFAULT;
	char *buf, *text;

	if (size && !json_start(data[0])) {
		mask = data[0];
		data++;
		size--;
	}
	if (size == 0 || size > OSR_PROFILE_MAX)
		return 0;

	/* Exactly size bytes and no NUL after them: the parser takes a length. */
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (json_parse_object(buf, size, OSR_PROFILE_MAX, "base", &base, &err) < 0)
		goto out;
	if (profile_validate_base(base, false, &err) < 0) /* what profile_load() requires */
		goto out;

	memset(&sel, 0, sizeof(sel));
	for (size_t i = 0; i < sizeof(seen_table) / sizeof(seen_table[0]); i++)
		if (mask & seen_table[i].bit)
			sel.seen[seen_table[i].abi][seen_table[i].nr] = 1;
	/* Argument rules too: an IPv4 stream and a netlink route socket, clone plain. */
	arg_values_add(&sel.args[OSR_ABI_NATIVE][OSR_ARG_SOCKET], 2 | 1 << 16);
	arg_values_add(&sel.args[OSR_ABI_NATIVE][OSR_ARG_SOCKET], 16 | 3 << 16);
	arg_values_add(&sel.args[OSR_ABI_NATIVE][OSR_ARG_CLONE], 0);

	if (profile_build(&sel, base, &out, &rep, &err) < 0)
		fail("profile_build() failed on a valid base", err.msg, NULL);
	if (!out)
		fail("profile_build()", "no profile", NULL);
	if (rep.added > rep.recorded || rep.base_kept > rep.recorded)
		fail("profile_build()", "report counts more names than were recorded", NULL);
	if (profile_validate(out, false, &err) < 0)
		fail("merged profile is invalid", err.msg,
		     json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY));

	/* What is written must parse back, and load as well as what was built. */
	text = profile_to_string(out);
	if (!text)
		fail("profile_to_string()", "NULL", NULL);
	if (json_parse_object(text, strlen(text), OSR_PROFILE_MAX, "written profile", &again,
			      &err) < 0)
		fail("written profile does not parse", err.msg, text);
	if (profile_validate(again, false, &err) < 0)
		fail("written profile is invalid", err.msg, text);
	free(text);

out:
	json_object_putp(&again);
	json_object_putp(&out);
	json_object_putp(&base);
	free(buf);
	return 0;
}
