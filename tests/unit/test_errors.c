// SPDX-License-Identifier: GPL-2.0-only
/* osr_wrap() and osr_err_text(): context added in place, and never an empty message. */
#include <errno.h>
#include <string.h>

#include "util.h"
#include "unit.h"

TEST(wrap_prepends_context)
{
	struct osr_err err = { "" };

	osr_fail(&err, -EINVAL, "'x' is not a known action");
	CHECK(osr_wrap(&err, -EINVAL, "profile '%s' is invalid", "/p.json") == -EINVAL);
	CHECK(!strcmp(err.msg, "profile '/p.json' is invalid: 'x' is not a known action"));
	osr_wrap(&err, -EINVAL, "merge");
	CHECK(!strcmp(err.msg, "merge: profile '/p.json' is invalid: 'x' is not a known action"));
	CHECK(osr_wrap(NULL, -EIO, "ignored") == -EIO);
}

TEST(wrap_of_empty_message_says_errno)
{
	struct osr_err err = { "" };

	osr_wrap(&err, -ENOMEM, "base profile");
	CHECK(!strcmp(err.msg, "base profile: Cannot allocate memory"));
}

/* A full message loses its end, never the context, and stays NUL-terminated. */
TEST(wrap_cuts_the_old_message)
{
	struct osr_err err = { "" };
	size_t size = sizeof(err.msg);

	memset(err.msg, 'a', size - 1);
	err.msg[size - 1] = '\0';
	osr_wrap(&err, -EINVAL, "ctx");
	CHECK(strlen(err.msg) == size - 1);
	CHECK(!strncmp(err.msg, "ctx: aaa", 8));
	/* A context longer than the whole message fills it, cut. */
	static char big[sizeof(err.msg) + 10];
	memset(big, 'b', sizeof(big) - 1);
	osr_wrap(&err, -EINVAL, "%s", big);
	CHECK(strlen(err.msg) == size - 1 && err.msg[0] == 'b' && err.msg[size - 2] == 'b');
}

TEST(err_text_falls_back_to_errno)
{
	struct osr_err err = { "" };

	CHECK(!strcmp(osr_err_text(&err, -ENOMEM), "Cannot allocate memory"));
	osr_fail(&err, -EINVAL, "own message");
	CHECK(!strcmp(osr_err_text(&err, -EINVAL), "own message"));
	/* ENOENT in our own words: podman reads strerror's as a missing command. */
	err.msg[0] = '\0';
	CHECK(!strcmp(osr_err_text(&err, -ENOENT), "it does not exist"));
}

int main(void)
{
	RUN(wrap_prepends_context);
	RUN(wrap_of_empty_message_says_errno);
	RUN(wrap_cuts_the_old_message);
	RUN(err_text_falls_back_to_errno);
	return 0;
}
