// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "jsonutil.h"

const char *json_type_of(json_object *o)
{
	return json_type_to_name(json_object_get_type(o));
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
	*out = root;
	root = NULL;
	return 0;
}
