// SPDX-License-Identifier: GPL-2.0-only
/* key=value records by a table of fields: see kv.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

uint64_t kv_bit(const struct kv_field *f, size_t n, const char *key)
{
	for (size_t i = 0; i < n && i < KV_MAX_FIELDS; i++)
		if (!strcmp(f[i].name, key))
			return 1ull << i;
	return 0;
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* An enum is int-sized (every enum here has small values): read and written as an int. */
static int enum_get(const struct kv_field *f, const void *obj)
{
	int v;

	memcpy(&v, (const char *)obj + f->offset, sizeof(v));
	return v;
}

static int render_one(const struct kv_field *f, const void *obj, char *out, size_t size,
		      const char *what, struct osr_err *err)
{
	const char *p = (const char *)obj + f->offset;
	unsigned int u;
	unsigned long long ull;
	int v;

	switch (f->type) {
	case KV_STR:
		if (has_control(p, strlen(p)))
			return osr_fail(err, -EINVAL, "%s: '%s' holds a control character", what,
					f->name);
		if (f->skip_empty && !*p)
			return 0;
		return snprintf(out, size, "%s=%s\n", f->name, p);
	case KV_BOOL:
		return snprintf(out, size, "%s=%d\n", f->name, *(const bool *)p ? 1 : 0);
	case KV_INT:
		memcpy(&v, p, sizeof(v));
		return snprintf(out, size, "%s=%d\n", f->name, v);
	case KV_U32:
		memcpy(&u, p, sizeof(u));
		return snprintf(out, size, "%s=%u\n", f->name, u);
	case KV_U64:
		memcpy(&ull, p, sizeof(ull));
		return snprintf(out, size, "%s=%llu\n", f->name, ull);
	case KV_ENUM:
		v = enum_get(f, obj);
		if (v < 0 || (unsigned int)v >= f->nnames)
			return osr_fail(err, -EINVAL, "%s: '%s' has no name for %d", what, f->name,
					v);
		return snprintf(out, size, "%s=%s\n", f->name, f->names[v]);
	}
	return -EINVAL;
}

int kv_render(const struct kv_field *f, size_t n, const void *obj, char *buf, size_t size,
	      size_t *len, const char *what, struct osr_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int w = render_one(&f[i], obj, buf + *len, size - *len, what, err);

		if (w < 0)
			return w;
		if ((size_t)w >= size - *len)
			return osr_fail(err, -ENAMETOOLONG, "%s: '%s' does not fit in %zu bytes",
					what, f[i].name, size);
		*len += (size_t)w;
	}
	return 0;
}

/* An unsigned number of at most max, checked (no sign, no space, nothing after it). */
static int parse_unsigned(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end = NULL;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return *out > max ? -ERANGE : 0;
}

static int parse_enum(const struct kv_field *f, const char *v, bool strict, int *out)
{
	unsigned long long u;

	for (unsigned int i = 0; i < f->nnames; i++)
		if (!strcmp(v, f->names[i])) {
			*out = (int)i;
			return 0;
		}
	/* Records of versions before the table wrote the number. */
	if (!strict && parse_unsigned(v, f->nnames - 1, &u) >= 0) {
		*out = (int)u;
		return 0;
	}
	return -EINVAL;
}

/* v is NUL-terminated, vl long. */
static int parse_value(const struct kv_field *f, void *obj, const char *v, size_t vl, bool strict)
{
	char *p = (char *)obj + f->offset;
	unsigned long long u;
	unsigned int u32;
	int i, r;

	switch (f->type) {
	case KV_STR:
		if (vl >= f->size)
			return -ENAMETOOLONG;
		if (strict && f->skip_empty && !vl)
			return -ENODATA;
		/* Lenient: no line break can be in it; other bytes old versions wrote are kept. */
		if (strict && has_control(v, vl))
			return -EINVAL;
		memcpy(p, v, vl + 1);
		return 0;
	case KV_BOOL:
		if (strcmp(v, "0") && strcmp(v, "1"))
			return -EINVAL;
		*(bool *)p = v[0] == '1';
		return 0;
	case KV_INT:
		r = parse_unsigned(v, INT_MAX, &u);
		if (r < 0 || u == 0)
			return -EINVAL;
		i = (int)u;
		memcpy(p, &i, sizeof(i));
		return 0;
	case KV_U32:
		r = parse_unsigned(v, UINT_MAX, &u);
		u32 = (unsigned int)u;
		if (r >= 0)
			memcpy(p, &u32, sizeof(u32));
		return r;
	case KV_U64:
		r = parse_unsigned(v, ULLONG_MAX, &u);
		if (r >= 0)
			memcpy(p, &u, sizeof(u));
		return r;
	case KV_ENUM:
		r = parse_enum(f, v, strict, &i);
		if (r >= 0)
			memcpy(p, &i, sizeof(i));
		return r;
	}
	return -EINVAL;
}

static const struct kv_field *find(const struct kv_field *f, size_t n, const char *key, size_t kl,
				   bool strict, size_t *k)
{
	for (*k = 0; *k < n; (*k)++)
		if (strlen(f[*k].name) == kl && !memcmp(f[*k].name, key, kl))
			return &f[*k];
	for (*k = 0; !strict && *k < n; (*k)++)
		if (f[*k].old && strlen(f[*k].old) == kl && !memcmp(f[*k].old, key, kl))
			return &f[*k];
	return NULL;
}

static int parse_line(const struct kv_field *f, size_t n, void *obj, char *line, size_t ll,
		      bool strict, const char *what, uint64_t *seen, struct osr_err *err)
{
	const char *eq = memchr(line, '=', ll);
	const struct kv_field *fd;
	struct osr_esc e;
	size_t k, kl;
	int r;

	if (!eq)
		return strict ? osr_fail(err, -EINVAL, "%s: a line has no '='", what) : 0;
	kl = (size_t)(eq - line);
	fd = find(f, n, line, kl, strict, &k);
	if (!fd)
		return strict ? osr_fail(err, -EINVAL, "%s: unknown key '%s'", what,
					 osr_escape(line, kl, &e))
			      : 0;
	if (strict && (*seen & (1ull << k)))
		return osr_fail(err, -EINVAL, "%s: '%s' given twice", what, fd->name);
	*seen |= 1ull << k;
	line[ll] = '\0';
	r = parse_value(fd, obj, eq + 1, ll - kl - 1, strict);
	if (r == -ENAMETOOLONG)
		return osr_fail(err, r, "%s: '%s' is longer than %zu bytes", what, fd->name,
				fd->size - 1);
	if (r == -ENODATA)
		return osr_fail(err, -EINVAL, "%s: '%s' is empty", what, fd->name);
	if (r < 0 && fd->type == KV_ENUM) {
		char names[256] = "";

		for (unsigned int i = 0; i < fd->nnames; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s'%s'",
				 i ? ", " : "", fd->names[i]);
		return osr_fail(err, -EINVAL, "%s: '%s' is not one of %s", what, fd->name, names);
	}
	if (r < 0)
		return osr_fail(err, -EINVAL, "%s: '%s' is not %s", what, fd->name,
				fd->type == KV_STR    ? "a value without control characters"
				: fd->type == KV_BOOL ? "0 or 1"
						      : "a number in range");
	return 0;
}

int kv_parse(const struct kv_field *f, size_t n, void *obj, const char *text, size_t len,
	     bool strict, const char *what, uint64_t *seen, struct osr_err *err)
{
	const char *p = text, *end = text + len, *nl;
	char line[PATH_MAX + 64];

	for (; p < end; p = nl + 1) {
		size_t ll;
		int r;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl && strict)
			return osr_fail(err, -EINVAL, "%s: its last line has no line break", what);
		if (!nl)
			nl = end;
		ll = (size_t)(nl - p);
		if (ll >= sizeof(line))
			return osr_fail(err, -ENAMETOOLONG, "%s: a line is longer than %zu bytes",
					what, sizeof(line) - 1);
		memcpy(line, p, ll);
		r = parse_line(f, n, obj, line, ll, strict, what, seen, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n; i++)
		if (f[i].required && !(*seen & (1ull << i)))
			return osr_fail(err, -EINVAL, "%s: no '%s'", what, f[i].name);
	return 0;
}
