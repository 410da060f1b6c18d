// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

const char *json_type_of(json_object *o)
{
	return json_type_to_name(json_object_get_type(o));
}

json_object *json_get_array(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

const char *json_get_string(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

const char *json_str_at(json_object *arr, size_t i)
{
	return json_object_get_string(json_object_array_get_idx(arr, i));
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

int json_parse_object(const char *text, size_t len, size_t max, const char *what, json_object **out,
		      struct osr_err *err)
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
	while (end < len &&
	       (text[end] == ' ' || text[end] == '\t' || text[end] == '\r' || text[end] == '\n'))
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

/* splitmix64's finalizer: every bit of the input moves every bit of the output. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Equal values (as json_object_equal() has it) hash alike; an object's keys in any order. */
static uint64_t json_hash(json_object *o)
{
	enum json_type type = json_object_get_type(o);
	uint64_t h = (uint64_t)type << 56;
	double d;
	int64_t i;

	switch (type) {
	case json_type_boolean:
		return mix(h + (uint64_t)json_object_get_boolean(o));
	case json_type_double:
		d = json_object_get_double(o);
		if (d == 0)
			d = 0; /* -0.0 equals 0.0 */
		memcpy(&i, &d, sizeof(i));
		return mix(h ^ (uint64_t)i);
	case json_type_int:
		/* 5 as int64 equals 5 as uint64; a negative int64 equals no uint64. */
		i = json_object_get_int64(o);
		return mix(h ^ (i < 0 ? (uint64_t)i : json_object_get_uint64(o)));
	case json_type_string:
		return mix(h ^ hash_bytes(json_object_get_string(o),
					  (size_t)json_object_get_string_len(o)));
	case json_type_array:
		for (size_t k = 0; k < json_object_array_length(o); k++)
			h = mix(h ^ json_hash(json_object_array_get_idx(o, k)));
		return mix(h + json_object_array_length(o));
	case json_type_object: {
		uint64_t sum = 0;

		json_object_object_foreach(o, key, val) sum +=
			mix(hash_bytes(key, strlen(key)) ^ mix(json_hash(val)));
		return mix(h ^ sum);
	}
	default:
		return mix(h);
	}
}

struct hashed {
	uint64_t hash;
	size_t pos;
	bool dup;
};

static int cmp_hashed(const void *a, const void *b)
{
	const struct hashed *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_pos(const void *a, const void *b)
{
	const struct hashed *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

json_object *json_array_unique(json_object *arr)
{
	size_t n = json_object_array_length(arr);
	_cleanup_free_ struct hashed *h = calloc(n ? n : 1, sizeof(*h));
	json_object *out = json_object_new_array_ext((int)n);

	if (!h || !out) {
		json_object_put(out);
		return NULL;
	}
	for (size_t k = 0; k < n; k++)
		h[k] = (struct hashed){ json_hash(json_object_array_get_idx(arr, k)), k, false };
	qsort(h, n, sizeof(*h), cmp_hashed);
	/* Within a run of one hash, positions ascend: the first of equal members stays. */
	for (size_t k = 0; k < n; k++) {
		json_object *v = json_object_array_get_idx(arr, h[k].pos);

		for (size_t m = k; m-- > 0 && h[m].hash == h[k].hash;)
			if (!h[m].dup &&
			    json_object_equal(json_object_array_get_idx(arr, h[m].pos), v)) {
				h[k].dup = true;
				break;
			}
	}
	qsort(h, n, sizeof(*h), cmp_pos);
	for (size_t k = 0; k < n; k++) {
		json_object *v = json_object_array_get_idx(arr, k);

		if (!h[k].dup && json_object_array_add(out, json_object_get(v)) < 0) {
			json_object_put(out);
			return NULL;
		}
	}
	return out;
}

char *json_to_text(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_SPACED |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out;

	if (!s || asprintf(&out, "%s\n", s) < 0)
		return NULL;
	return out;
}

int json_read_file(int fd, size_t max, const char *what, char **text, size_t *len,
		   struct osr_err *err)
{
	int r = read_all(fd, max, text, len);

	if (r == -EFBIG)
		return osr_fail(err, r, "%s is larger than %zu bytes", what, max);
	if (r < 0)
		return osr_fail(err, r, "cannot read %s: %s", what, osr_strerror(-r));
	return 0;
}

int json_load_file(int fd, size_t max, const char *what, json_object **out, struct osr_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = json_read_file(fd, max, what, &text, &len, err);

	return r < 0 ? r : json_parse_object(text, len, max, what, out, err);
}
