// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writing a profile as JSON, or as the SeccompProfile resource of the
 * Security Profiles Operator (YAML, written by hand: every string double
 * quoted and escaped, so no value can change the document's structure).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "jsonutil.h"
#include "profile.h"
#include "rules.h"
#include "strset.h"

static const struct {
	const char *name;
	enum profile_format fmt;
} format_names[] = {
	{ "json", PROFILE_FORMAT_JSON },
	{ "seccompprofile", PROFILE_FORMAT_SPO_YAML },
	{ "spo", PROFILE_FORMAT_SPO_YAML },
	{ "yaml", PROFILE_FORMAT_SPO_YAML },
};

int format_parse(const char *name, enum profile_format *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_names); i++) {
		if (strcasecmp(format_names[i].name, name))
			continue;
		*out = format_names[i].fmt;
		return 0;
	}
	return -EINVAL;
}

enum profile_format format_for_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	if (dot && (!strcasecmp(dot, ".yaml") || !strcasecmp(dot, ".yml")))
		return PROFILE_FORMAT_SPO_YAML;
	return PROFILE_FORMAT_JSON;
}

int format_resource_name(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	const char *end = dot && dot != base ? dot : base + strlen(base);
	size_t n = 0, max;

	if (size == 0)
		return -EINVAL;
	max = size - 1 < OSR_RESOURCE_NAME_MAX ? size - 1 : OSR_RESOURCE_NAME_MAX;
	for (const char *p = base; p < end && n < max; p++) {
		/* ASCII only, whatever the locale. */
		char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			buf[n++] = c;
		else if (n > 0 && buf[n - 1] != '-')
			buf[n++] = '-';
	}
	while (n > 0 && buf[n - 1] == '-')
		n--;
	buf[n] = '\0';
	return n ? 0 : -EINVAL;
}

int format_check(json_object *profile, enum profile_format fmt, struct osr_err *err)
{
	json_object *v, *syscalls;

	if (fmt == PROFILE_FORMAT_JSON)
		return 0;
	if (!json_object_is_type(profile, json_type_object))
		return osr_fail(err, -EINVAL, "the profile is a %s, not an object",
				json_type_of(profile));
	if (json_object_object_get_ex(profile, "defaultErrnoRet", &v) &&
	    !json_object_is_type(v, json_type_null) &&
	    (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != EPERM))
		/* Not quoted: from a confined base, the pod's author must not read it back. */
		return osr_fail(err, -EINVAL,
				"'defaultErrnoRet' is not 1 (EPERM): a SeccompProfile has none "
				"(its default action returns EPERM)");
	syscalls = profile_syscalls(profile);
	for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++) {
		json_object *rule = json_object_array_get_idx(syscalls, i);

		for (const char *k = "includes"; k; k = strcmp(k, "includes") ? NULL : "excludes")
			if (rule_has_members(rule, k))
				return osr_fail(err, -EINVAL,
						"rule %zu has '%s' conditions, which a "
						"SeccompProfile cannot express",
						i, k);
	}
	return 0;
}

/* A YAML double-quoted scalar: the few escapes that matter, everything else as is (UTF-8). */
static void yaml_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '\t') {
			fputs("\\t", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\x%02x", *p);
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls, U+0085 (a YAML line break) among them. */
			fprintf(f, "\\x%02x", p[1]);
			p++;
		} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			/* U+2028, U+2029: line and paragraph separators. */
			fputs(p[2] == 0xa8 ? "\\L" : "\\P", f);
			p += 2;
		} else if (p[0] == 0xef && ((p[1] == 0xbb && p[2] == 0xbf) ||
					    (p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)))) {
			/* A byte order mark and the two noncharacters YAML does not print. */
			fprintf(f, "\\u%s", p[1] == 0xbb ? "FEFF" : p[2] == 0xbe ? "FFFE" : "FFFF");
			p += 2;
		} else {
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void yaml_key_string(FILE *f, int indent, const char *key, const char *value)
{
	fprintf(f, "%*s%s: ", indent, "", key);
	yaml_string(f, value);
	fputc('\n', f);
}

static void yaml_item_string(FILE *f, int indent, const char *value)
{
	fprintf(f, "%*s- ", indent, "");
	yaml_string(f, value);
	fputc('\n', f);
}

static void yaml_uint(FILE *f, int indent, const char *key, uint64_t v)
{
	fprintf(f, "%*s%s: %" PRIu64 "\n", indent, "", key, v);
}

static void yaml_arg(FILE *f, json_object *rule, size_t i)
{
	struct rule_arg a;

	fprintf(f, "        - ");
	/* The first key goes on the "- " line. */
	if (rule_arg(rule, i, &a) < 0 || !a.has_index) {
		fprintf(f, "{}\n");
		return;
	}
	fprintf(f, "index: %" PRIu64 "\n", a.index);
	if (a.has_value)
		yaml_uint(f, 10, "value", a.value);
	if (a.has_value_two)
		yaml_uint(f, 10, "valueTwo", a.value_two);
	if (a.op)
		yaml_key_string(f, 10, "op", a.op);
}

static void yaml_rule(FILE *f, json_object *rule)
{
	const char *action = rule_action(rule), *n;
	uint64_t ret;

	/* The order of SPO's Syscall type: names, action, errnoRet, args. */
	fprintf(f, "    - names:\n");
	for (size_t i = 0; (n = rule_name(rule, i)); i++)
		yaml_item_string(f, 8, n);
	if (action)
		yaml_key_string(f, 6, "action", action);
	if (rule_errno_ret(rule, &ret))
		yaml_uint(f, 6, "errnoRet", ret);
	if (rule_arg_count(rule) == 0)
		return;
	fprintf(f, "      args:\n");
	for (size_t i = 0; i < rule_arg_count(rule); i++)
		yaml_arg(f, rule, i);
}

static char *render_spo(json_object *profile, const char *name)
{
	_cleanup_(strset_free) struct strset arches = { 0 };
	/* Declared before f, so freed after the stream that writes it is closed. */
	_cleanup_free_ char *text = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	json_object *v, *syscalls;
	const char *s;
	size_t len = 0;
	char *out;

	if (profile_arches(profile, &arches) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;

	yaml_key_string(f, 0, "apiVersion", OSR_SPO_API_VERSION);
	yaml_key_string(f, 0, "kind", OSR_SPO_KIND);
	fprintf(f, "metadata:\n");
	yaml_key_string(f, 2, "name", name);
	fprintf(f, "spec:\n");
	if (json_object_object_get_ex(profile, "defaultAction", &v))
		yaml_key_string(f, 2, "defaultAction", json_object_get_string(v));
	if (arches.n > 0) {
		fprintf(f, "  architectures:\n");
		for (size_t i = 0; i < arches.n; i++)
			yaml_item_string(f, 4, arches.v[i]);
	}
	for (const char *k = "listenerPath"; k;
	     k = strcmp(k, "listenerPath") ? NULL : "listenerMetadata")
		if ((s = json_get_string(profile, k)))
			yaml_key_string(f, 2, k, s);
	syscalls = profile_syscalls(profile);
	if (syscalls && json_object_array_length(syscalls) > 0) {
		fprintf(f, "  syscalls:\n");
		for (size_t i = 0; i < json_object_array_length(syscalls); i++)
			yaml_rule(f, json_object_array_get_idx(syscalls, i));
	}
	v = json_get_array(profile, "flags");
	if (v && json_object_array_length(v) > 0) {
		fprintf(f, "  flags:\n");
		for (size_t i = 0; i < json_object_array_length(v); i++)
			yaml_item_string(f, 4, json_str_at(v, i));
	}
	if (ferror(f) || fclose(f) != 0) {
		f = NULL;
		errno = ENOMEM;
		return NULL;
	}
	f = NULL;
	out = text;
	text = NULL;
	return out;
}

char *profile_render(json_object *profile, enum profile_format fmt, const char *name)
{
	switch (fmt) {
	case PROFILE_FORMAT_JSON:
		return profile_to_string(profile);
	case PROFILE_FORMAT_SPO_YAML:
		if (!name || !*name || format_check(profile, fmt, NULL) < 0) {
			errno = EINVAL;
			return NULL;
		}
		return render_spo(profile, name);
	}
	errno = EINVAL;
	return NULL;
}
