// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * FNV-1a. Names chosen to collide cost at worst the list scan this replaced,
 * and the profile limits (bounds.h) bound how many there are.
 */
static size_t hash_str(const char *str)
{
	uint64_t h = 1469598103934665603ull;

	for (const unsigned char *p = (const unsigned char *)str; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)h;
}

/* The slot holding str, or the empty slot where it would go. */
static size_t find_slot(const struct strset *s, const char *str)
{
	size_t mask = s->slots - 1, i = hash_str(str) & mask;

	while (s->index[i] && strcmp(s->v[s->index[i] - 1], str))
		i = (i + 1) & mask;
	return i;
}

/* Index every member again; the first of equal members is the one found. */
static void fill_index(struct strset *s)
{
	memset(s->index, 0, s->slots * sizeof(*s->index));
	for (size_t i = 0; i < s->n; i++) {
		size_t slot = find_slot(s, s->v[i]);

		if (!s->index[slot])
			s->index[slot] = i + 1;
	}
}

static int grow_index(struct strset *s)
{
	size_t slots = s->slots ? s->slots * 2 : 128;
	size_t *index = calloc(slots, sizeof(*index));

	if (!index)
		return -ENOMEM;
	free(s->index);
	s->index = index;
	s->slots = slots;
	fill_index(s);
	return 0;
}

void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->index);
	memset(s, 0, sizeof(*s));
}

static int add(struct strset *s, const char *str, bool once)
{
	size_t slot;
	int r;

	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		char **nv = realloc(s->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = ncap;
	}
	if (2 * (s->n + 1) > s->slots && (r = grow_index(s)) < 0)
		return r;
	slot = find_slot(s, str);
	if (once && s->index[slot])
		return 0;
	s->v[s->n] = strdup(str);
	if (!s->v[s->n])
		return -ENOMEM;
	if (!s->index[slot])
		s->index[slot] = s->n + 1;
	s->n++;
	return 1;
}

int strset_add(struct strset *s, const char *str)
{
	int r = add(s, str, false);

	return r < 0 ? r : 0;
}

int strset_add_once(struct strset *s, const char *str)
{
	return add(s, str, true);
}

void strset_sort(struct strset *s)
{
	size_t out = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (size_t i = 0; i < s->n; i++) {
		if (out && !strcmp(s->v[out - 1], s->v[i])) {
			free(s->v[i]);
			continue;
		}
		s->v[out++] = s->v[i];
	}
	s->n = out;
	fill_index(s); /* positions moved */
}

bool strset_has(const struct strset *s, const char *str)
{
	return s->n && s->index[find_slot(s, str)];
}
