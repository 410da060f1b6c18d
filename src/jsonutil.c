// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "jsonutil.h"

const char *json_type_of(json_object *o)
{
	return json_type_to_name(json_object_get_type(o));
}

/* Does any string (key or value) in the tree hold a NUL? */
static bool has_nul(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string:
		return json_string_has_nul(o);
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (has_nul(json_object_array_get_idx(o, i)))
				return true;
		return false;
	case json_type_object: {
		json_object_object_foreach(o, key, val)
		{
			(void)key; /* json-c keeps keys as C strings: a NUL ends them */
			if (has_nul(val))
				return true;
		}
		return false;
	}
	default:
		return false;
	}
}

int json_parse_object(const char *text, size_t len, size_t max, const char *what,
		      json_object **out, struct osr_err *err)
{
	_cleanup_json_ json_object *root = NULL;
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	size_t end;

	if (len == 0)
		return osr_fail(err, -EINVAL, "%s is empty", what);
	if (len > max)
		return osr_fail(err, -EFBIG, "%s is larger than %zu bytes", what, max);
	if (memchr(text, '\0', len))
		return osr_fail(err, -EINVAL, "%s contains a NUL byte", what);

	tok = json_tokener_new_ex(64);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue)
		jerr = json_tokener_error_parse_eof;
	if (!root || jerr != json_tokener_success)
		return osr_fail(err, -EINVAL, "%s is not valid JSON: %s at byte %zu", what,
				json_tokener_error_desc(jerr), end);
	while (end < len && (text[end] == ' ' || text[end] == '\t' || text[end] == '\r' || text[end] == '\n'))
		end++;
	if (end < len)
		return osr_fail(err, -EINVAL, "%s has data after the JSON document (byte %zu)",
				what, end);
	if (!json_object_is_type(root, json_type_object))
		return osr_fail(err, -EINVAL, "%s is a JSON %s, not an object", what,
				json_type_of(root));
	/* C would cut "of:/a\u0000;if:/b" at the NUL without a word. */
	if (has_nul(root))
		return osr_fail(err, -EINVAL, "%s has a string with a NUL character (\\u0000)",
				what);
	*out = root;
	root = NULL;
	return 0;
}
