/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_STRSET_H
#define OSR_STRSET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A set of strings (syscall names: hundreds at most), kept in insertion order
 * until strset_sort() sorts and dedupes it; strset_has() needs a sorted set.
 */
struct strset {
	char **v;
	size_t n, cap;
};

int strset_add(struct strset *s, const char *str);
void strset_sort(struct strset *s);
bool strset_has(const struct strset *s, const char *str);
void strset_free(struct strset *s);

#endif
