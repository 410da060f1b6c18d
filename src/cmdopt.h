/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_CMDOPT_H
#define OSR_CMDOPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * A command's options, one table: getopt_long() reads it and --help prints it,
 * so the two cannot disagree (tests/integration/docs.sh holds the man page and
 * the README to it).
 */
struct cmd_option {
	int val;	  /* what getopt_long() returns: the short option's letter */
	const char *name; /* the long option, without "--"; NULL ends the table */
	const char *arg;  /* the argument's name in the help; NULL: takes none */
	const char *help; /* lines of the description, '\n' between them */
	bool long_only;	  /* val is no short option (-x is not accepted) */
};

/* An option with a short form (-c), and one with none. */
#define CMD_OPT(c, name, arg, help)                                                                \
	{                                                                                          \
		(c), (name), (arg), (help), false                                                  \
	}
#define CMD_LONG(c, name, arg, help)                                                               \
	{                                                                                          \
		(c), (name), (arg), (help), true                                                   \
	}

/* What a command's --help prints, and the top-level --help takes its synopsis from. */
struct cmd_help {
	/* Each form after "oci-seccomp-recorder ", '\n' between forms; wrapped here. */
	const char *synopsis;
	const char *about; /* the paragraph after it, or NULL */
	const struct cmd_option *opts;
	const char *status; /* the exit status paragraph, or NULL */
};

#define CMD_OPTS_MAX 16
/* After each table: it fits struct cmd_getopt (its { 0 } end counted). */
#define CMD_OPTS_FIT(t)                                                                            \
	_Static_assert(sizeof(t) / sizeof((t)[0]) <= CMD_OPTS_MAX + 1, #t " is too long")

/* The table as getopt_long() takes it. */
struct cmd_getopt {
	struct option longopts[CMD_OPTS_MAX + 1];
	char shortopts[3 * CMD_OPTS_MAX + 2];
};

/* prefix: getopt's leading flags ("+" to stop at the first operand), or "". */
void cmd_getopt_init(struct cmd_getopt *g, const struct cmd_option *opts, const char *prefix);
/* "Usage: " (lead) and each form of the synopsis, wrapped to 80 columns. */
void cmd_synopsis(FILE *f, const char *lead, const char *synopsis);
/* The option list, descriptions aligned. */
void cmd_options(FILE *f, const struct cmd_option *opts);
/* All of it: synopsis, about, options, exit status. */
void cmd_usage(FILE *f, const struct cmd_help *h);

#endif
