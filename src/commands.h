/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_COMMANDS_H
#define OSR_COMMANDS_H

/* Options given before the command, shared by every command. */
struct options {
	const char *rundir;
	const char *output_dir; /* of: must lie inside it */
	const char *input_dir;	/* if: must lie inside it */
	int timeout_ms;
};

/*
 * Each command gets its own argv (argv[0] is the command's name) and returns
 * 0, a negative errno once it has logged why (exit 1), or OSR_EXIT_USAGE for
 * bad arguments (exit 2).
 */
#define OSR_EXIT_USAGE 2
int cmd_prestart(const struct options *o, int argc, char **argv);
int cmd_poststop(const struct options *o, int argc, char **argv);

#endif
