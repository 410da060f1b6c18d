// SPDX-License-Identifier: GPL-2.0-only
/* Options tables: what getopt_long() reads and what --help prints, from one place. */
#include <string.h>

#include "cmdopt.h"

#define WIDTH 80
/* Descriptions start here, or on the next line below a longer option. */
#define HELP_COLUMN 24

void cmd_getopt_init(struct cmd_getopt *g, const struct cmd_option *opts, const char *prefix)
{
	char *s = g->shortopts;
	size_t n = 0;

	s = stpcpy(s, prefix);
	/* CMD_OPTS_FIT() holds each table to CMD_OPTS_MAX; a longer one would be cut. */
	for (; opts->name && n < CMD_OPTS_MAX; opts++, n++) {
		int has_arg = opts->arg ? required_argument : no_argument;

		g->longopts[n] = (struct option){ opts->name, has_arg, NULL, opts->val };
		if (opts->long_only)
			continue;
		*s++ = (char)opts->val;
		if (opts->arg)
			*s++ = ':';
	}
	*s = '\0';
	g->longopts[n] = (struct option){ 0 };
}

/* Where to break text to fit room: the last blank outside brackets that fits, or the first. */
static size_t break_at(const char *text, size_t len, size_t room)
{
	size_t depth = 0, brk = 0;

	if (len <= room)
		return len;
	for (size_t j = 1; j < len; j++) {
		if (text[j] == '[')
			depth++;
		else if (text[j] == ']' && depth)
			depth--;
		else if (text[j] == ' ' && !depth) {
			if (j <= room || !brk)
				brk = j;
			if (j > room)
				break;
		}
	}
	return brk ? brk : len;
}

/* Print text from column col on, wrapped, the lines after the first indented. */
static void wrap_form(FILE *f, const char *text, size_t len, size_t col, size_t indent)
{
	while (len) {
		size_t n = break_at(text, len, col < WIDTH ? WIDTH - col : 0);

		fprintf(f, "%.*s\n", (int)n, text);
		for (; n < len && text[n] == ' '; n++)
			;
		text += n;
		len -= n;
		if (len)
			fprintf(f, "%*s", (int)indent, "");
		col = indent;
	}
}

/* Where the words after a form's command start: past any global options before it. */
static size_t after_command(const char *form, size_t len)
{
	size_t i = 0, depth = 0;

	for (; i < len; i++) {
		if (form[i] == '[')
			depth++;
		else if (form[i] == ']' && depth)
			depth--;
		else if (!depth && form[i] != ' ' && (i == 0 || form[i - 1] == ' '))
			break;
	}
	i += strcspn(form + i, " ");
	return i < len ? i + 1 : 0;
}

void cmd_synopsis(FILE *f, const char *lead, const char *synopsis)
{
	static const char prog[] = "oci-seccomp-recorder ";
	const char *p = synopsis;

	for (bool first = true; *p; first = false) {
		size_t len = strcspn(p, "\n");
		size_t col = strlen(lead) + strlen(prog);

		fprintf(f, "%*s%s", (int)strlen(lead), first ? lead : "", prog);
		wrap_form(f, p, len, col, col + after_command(p, len));
		p += len;
		if (*p == '\n')
			p++;
	}
}

void cmd_options(FILE *f, const struct cmd_option *opts)
{
	for (; opts->name; opts++) {
		char left[64];
		const char *h = opts->help;
		int n;

		if (opts->long_only)
			n = snprintf(left, sizeof(left), "      --%s%s%s", opts->name,
				     opts->arg ? " " : "", opts->arg ? opts->arg : "");
		else
			n = snprintf(left, sizeof(left), "  -%c, --%s%s%s", opts->val, opts->name,
				     opts->arg ? " " : "", opts->arg ? opts->arg : "");
		fputs(left, f);
		if (n + 2 > HELP_COLUMN)
			fprintf(f, "\n%*s", HELP_COLUMN, "");
		else
			fprintf(f, "%*s", HELP_COLUMN - n, "");
		for (;;) {
			size_t len = strcspn(h, "\n");

			fprintf(f, "%.*s\n", (int)len, h);
			if (!h[len])
				break;
			h += len + 1;
			fprintf(f, "%*s", HELP_COLUMN, "");
		}
	}
}

void cmd_usage(FILE *f, const struct cmd_help *h)
{
	cmd_synopsis(f, "Usage: ", h->synopsis);
	if (h->about)
		fprintf(f, "\n%s", h->about);
	fputs("\nOptions:\n", f);
	cmd_options(f, h->opts);
	if (h->status)
		fprintf(f, "\n%s", h->status);
}
