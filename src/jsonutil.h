/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_JSONUTIL_H
#define OSR_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <json-c/json.h>

#include "util.h"

static inline void json_object_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)

/*
 * Parse one JSON object from text: strict syntax, valid UTF-8, no NUL, nothing
 * but white space after it, at most max bytes and 64 levels deep. `what` names
 * the document in error messages ("state on stdin", "base profile '/x'").
 */
int json_parse_object(const char *text, size_t len, size_t max, const char *what, json_object **out,
		      struct osr_err *err);

/*
 * Read what fd holds, at most max bytes (a limit of bounds.h or the file's
 * own), what naming it in messages ("stats file '/x'"): malloc'd, NUL-ended.
 */
int json_read_file(int fd, size_t max, const char *what, char **text, size_t *len,
		   struct osr_err *err);
/* The same, then parsed by json_parse_object(): the one loader of a JSON file. */
int json_load_file(int fd, size_t max, const char *what, json_object **out, struct osr_err *err);

/* Whether a JSON string holds a NUL (\u0000): C would silently cut it there. */
static inline bool json_string_has_nul(json_object *s)
{
	return strlen(json_object_get_string(s)) != (size_t)json_object_get_string_len(s);
}

/* The type name of a member for messages ("string", "int", ...). */
const char *json_type_of(json_object *o);

/* The text of a file of ours: pretty JSON with a trailing newline, malloc'd; NULL out of memory. */
char *json_to_text(json_object *o);

/*
 * A new array of the members of arr that equal (json_object_equal) no member
 * before them, in their order; NULL when out of memory. Equal members are
 * found by a hash, not by comparing every pair: merge's inputs are files of
 * a thousand rules each, and as many files as the user names.
 */
json_object *json_array_unique(json_object *arr);

/* A member of the given type, or NULL. */
json_object *json_get_array(json_object *obj, const char *key);
const char *json_get_string(json_object *obj, const char *key);
/* The i-th member of an array as a string. */
const char *json_str_at(json_object *arr, size_t i);

#endif
