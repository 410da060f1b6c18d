/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_KV_H
#define OSR_KV_H

/*
 * Records of key=value lines, one per field, described by a table of named
 * fields: the run-dir record (rundir.c) and the service's requests
 * (protocol.c) are both written and read here, so a field is added as one
 * row. Numbers are parsed checked; an enum is written by name.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum kv_type {
	KV_STR,	 /* char[size], no control character */
	KV_BOOL, /* bool, "0" or "1" */
	KV_INT,	 /* int, 1 to INT_MAX (a pid) */
	KV_U32,	 /* unsigned int */
	KV_U64,	 /* unsigned long long */
	KV_ENUM, /* an enum (int-sized), written as one of names */
};

struct kv_field {
	const char *name;
	enum kv_type type;
	size_t offset;
	size_t size;
	const char *const *names; /* KV_ENUM: each value's name */
	unsigned int nnames;
	bool required;
	bool skip_empty; /* KV_STR: an empty value is not written (and not accepted strict) */
	const char *old; /* lenient reading: the name an older version wrote it under */
};

#define KV_FIELD(T, member, key, kind, ...)                                                        \
	{                                                                                          \
		.name = key, .type = kind, .offset = offsetof(T, member),                          \
		.size = sizeof(((T *)0)->member), __VA_ARGS__                                      \
	}
#define KV_ENUM(T, member, key, table, ...)                                                        \
	KV_FIELD(T, member, key, KV_ENUM, .names = table,                                          \
		 .nnames = sizeof(table) / sizeof(table[0]), __VA_ARGS__)

/* The most fields a table may have (the seen mask is 64 bits). */
#define KV_MAX_FIELDS 64

/* The bit of key in a seen mask, 0 for no such key. */
uint64_t kv_bit(const struct kv_field *f, size_t n, const char *key);

/*
 * Append each field of obj as "key=value\n" to buf (*len bytes used of
 * size). -ENAMETOOLONG when it does not fit; -EINVAL for a string with a
 * control character, which would start a line of its own. what names the
 * text in err's message.
 */
int kv_render(const struct kv_field *f, size_t n, const void *obj, char *buf, size_t size,
	      size_t *len, const char *what, struct osr_err *err);

/*
 * Parse lines of text (len bytes, each ending in '\n') into obj, adding the
 * bits of the keys seen to *seen. Strict: an unknown key, one given twice, a
 * line without '=' or a text not ending in '\n' is refused. Lenient (a record
 * an older or newer version may have written): those are skipped, an old
 * name is taken for its field, and an enum may be given by number. Either
 * way a value that does not parse is refused, and so is a missing required
 * field. what names the text in messages.
 */
int kv_parse(const struct kv_field *f, size_t n, void *obj, const char *text, size_t len,
	     bool strict, const char *what, uint64_t *seen, struct osr_err *err);

#endif
