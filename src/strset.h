/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_STRSET_H
#define OSR_STRSET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A set of strings (syscall names, architectures, actions), kept in insertion
 * order until strset_sort() sorts and dedupes it. A hash index answers
 * strset_has() and strset_add_once() in constant time, sorted or not: a base
 * profile is a pod author's input, and a list scan per name made its cost
 * quadratic.
 */
struct strset {
	char **v;
	size_t n, cap;
	size_t *index; /* open addressing: 1 + position in v, 0 for empty */
	size_t slots;  /* a power of two, at least twice n */
};

/* Add str, even if present (strset_sort() dedupes). */
int strset_add(struct strset *s, const char *str);
/* Add str unless present: 1 if added, 0 if it was there, -ENOMEM. */
int strset_add_once(struct strset *s, const char *str);
void strset_sort(struct strset *s);
bool strset_has(const struct strset *s, const char *str);
void strset_free(struct strset *s);

#endif
