/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal harness for the unit tests: each check prints one line that
 * tests/run counts ("PASS: name" or "FAIL: name: why"). The program exits 0
 * once it has reported; a crash is counted as a failure by tests/run.
 */
#ifndef OSR_UNIT_H
#define OSR_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_in_case __attribute__((unused));
static const char *unit_case __attribute__((unused));

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond) && !unit_failed_in_case) {                                             \
			printf("FAIL: %s: %s:%d: %s\n", unit_case, __FILE__, __LINE__, #cond);     \
			unit_failed_in_case = 1;                                                   \
		}                                                                                  \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                            \
	do {                                                                                       \
		const char *h_ = (hay);                                                            \
		if ((!h_ || !strstr(h_, (needle))) && !unit_failed_in_case) {                      \
			printf("FAIL: %s: %s:%d: '%s' does not contain '%s'\n", unit_case,         \
			       __FILE__, __LINE__, h_ ? h_ : "(null)", (needle));                  \
			unit_failed_in_case = 1;                                                   \
		}                                                                                  \
	} while (0)

/* TEST(name) { ... } defines a case; RUN(name) runs it and prints its line. */
#define TEST(name) static void test_##name(void)
#define RUN(name)                                                                                  \
	do {                                                                                       \
		unit_case = #name;                                                                 \
		unit_failed_in_case = 0;                                                           \
		test_##name();                                                                     \
		if (!unit_failed_in_case)                                                          \
			printf("PASS: %s\n", #name);                                               \
		fflush(stdout);                                                                    \
	} while (0)

#endif
