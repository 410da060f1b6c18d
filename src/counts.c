// SPDX-License-Identifier: GPL-2.0-only
/* Syscall counts: the stats file (written, read back) and the table people read. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "counts.h"
#include "fileio.h"
#include "jsonutil.h"
#include "names.h"
#include "recorder.h"
#include "target.h"

void counts_free(struct counts *c)
{
	free(c->container);
	free(c->v);
	c->container = NULL;
	c->v = NULL;
	c->n = 0;
	c->total = 0;
}

int counts_add(struct counts *c, const struct count_entry *e)
{
	struct count_entry *nv;
	uint64_t total;

	/* A stats file states its total as a JSON int64: a sum past that, or wrapped, is false. */
	if (__builtin_add_overflow(c->total, e->count, &total) || total > INT64_MAX)
		return -EOVERFLOW;
	nv = realloc(c->v, (c->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	c->v = nv;
	c->v[c->n++] = *e;
	c->total = total;
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct count_entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

void counts_sort(struct counts *c)
{
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), by_count);
}

static const char *arch_or_unknown(uint32_t arch)
{
	const char *n = arch_name(arch);

	return n ? n : "unknown";
}

char *counts_render(const struct counts *c)
{
	_cleanup_json_ json_object *root = json_object_new_object();
	json_object *list = json_object_new_array();

	if (!root || !list) {
		json_object_put(list);
		return NULL;
	}
	json_object_object_add(root, "container",
			       c->container ? json_object_new_string(c->container) : NULL);
	json_object_object_add(root, "syscalls", list);
	for (size_t i = 0; i < c->n; i++) {
		const struct count_entry *e = &c->v[i];
		json_object *o = json_object_new_object();

		if (!o || json_object_array_add(list, o) < 0) {
			json_object_put(o);
			return NULL;
		}
		json_object_object_add(o, "name", json_object_new_string(e->name));
		json_object_object_add(o, "nr", json_object_new_int(e->nr));
		json_object_object_add(o, "abi", json_object_new_string(arch_or_unknown(e->arch)));
		json_object_object_add(o, "phase", json_object_new_string(phase_name(e->phase)));
		json_object_object_add(o, "count", json_object_new_int64((int64_t)e->count));
		json_object_object_add(o, "first_seen_ns",
				       json_object_new_int64((int64_t)e->first_ns));
	}
	json_object_object_add(root, "total", json_object_new_int64((int64_t)c->total));
	return json_to_text(root);
}

/* A member that must be an int of at least 0 (and at most max). */
static int get_count(json_object *o, const char *key, int64_t max, uint64_t *out)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < 0 || n > max)
		return -ERANGE;
	*out = (uint64_t)n;
	return 0;
}

/* One member of "syscalls", every field present and of its type. */
static int parse_entry(json_object *o, struct count_entry *e, const char *what, size_t i,
		       struct osr_err *err)
{
	const char *name = json_get_string(o, "name"), *abi = json_get_string(o, "abi");
	const char *phase = json_get_string(o, "phase");
	uint64_t nr;

	memset(e, 0, sizeof(*e));
	if (!name || !abi || !phase || strlen(name) >= sizeof(e->name) || !*name)
		return osr_fail(err, -EINVAL,
				"%s: syscalls[%zu] needs the strings 'name' (at most %zu bytes), "
				"'abi' and 'phase'",
				what, i, sizeof(e->name) - 1);
	strcpy(e->name, name);
	e->arch = arch_token(abi);
	if (!e->arch)
		return osr_fail(err, -EINVAL, "%s: syscalls[%zu]: unknown abi '%.40s'", what, i,
				abi);
	if (phase_parse(phase, &e->phase) < 0)
		return osr_fail(err, -EINVAL,
				"%s: syscalls[%zu]: phase '%.40s' (expected 'workload', "
				"'runtime-filtered' or 'setup')",
				what, i, phase);
	if (get_count(o, "nr", OSR_MAX_SYSCALLS - 1, &nr) < 0 ||
	    get_count(o, "count", INT64_MAX, &e->count) < 0 ||
	    get_count(o, "first_seen_ns", INT64_MAX, &e->first_ns) < 0)
		return osr_fail(err, -EINVAL,
				"%s: syscalls[%zu] ('%s') needs 'nr' (0 to %d), 'count' and "
				"'first_seen_ns' as whole numbers of at least 0",
				what, i, name, OSR_MAX_SYSCALLS - 1);
	e->nr = (int)nr;
	return 0;
}

int counts_parse(const char *text, size_t len, const char *what, struct counts *out,
		 struct osr_err *err)
{
	_cleanup_json_ json_object *root = NULL;
	json_object *list, *id;
	uint64_t total;
	int r;

	memset(out, 0, sizeof(*out));
	r = json_parse_object(text, len, OSR_STATS_MAX, what, &root, err);
	if (r < 0)
		return r;
	list = json_get_array(root, "syscalls");
	if (!list || get_count(root, "total", INT64_MAX, &total) < 0)
		return osr_fail(err, -EINVAL,
				"%s is not a stats file: it needs an array 'syscalls' and a number "
				"'total'",
				what);
	if (json_object_object_get_ex(root, "container", &id) && id &&
	    (!json_object_is_type(id, json_type_string) ||
	     !(out->container = strdup(json_object_get_string(id)))))
		return osr_fail(err, -EINVAL, "%s: 'container' is not a string or null", what);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct count_entry e;

		r = parse_entry(json_object_array_get_idx(list, i), &e, what, i, err);
		if (r >= 0)
			r = counts_add(out, &e);
		if (r == -EOVERFLOW)
			r = osr_fail(err, r,
				     "%s: the counts of its syscalls add up to more than %" PRId64
				     " (at syscalls[%zu]), refusing",
				     what, INT64_MAX, i);
		else if (r == -ENOMEM)
			r = osr_fail(err, r, "out of memory");
		if (r < 0) {
			counts_free(out);
			return r;
		}
	}
	if (out->total != total) {
		counts_free(out);
		return osr_fail(err, -EINVAL,
				"%s: 'total' is %" PRIu64 ", its syscalls add up to %" PRIu64, what,
				total, out->total);
	}
	counts_sort(out);
	return 0;
}

int counts_load(const char *path, struct counts *out, struct osr_err *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	char what[PATH_MAX + 16];
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	fd = open_input(path, place_as_given(), err);
	if (fd < 0)
		return fd;
	snprintf(what, sizeof(what), "stats file '%s'", path);
	r = json_read_file(fd, OSR_STATS_MAX, what, &text, &len, err);
	return r < 0 ? r : counts_parse(text, len, what, out, err);
}

/* A number's name for an ABI, libseccomp's; "nr_N" where it has none. */
static void syscall_name(uint32_t arch, int nr, char *buf, size_t size)
{
	_cleanup_free_ char *n = recorded_syscall_name(arch, (unsigned int)nr);

	if (n && strlen(n) < size)
		snprintf(buf, size, "%s", n);
	else
		snprintf(buf, size, "nr_%d", nr);
}

int counts_read(const struct osr_container *table, const struct osr_stats *stats, struct counts *out)
{
	memset(out, 0, sizeof(*out));
	for (int p = 0; p < OSR_PHASE_COUNT; p++)
		for (int abi = 0; abi < OSR_ABI_COUNT; abi++)
			for (int nr = 0; nr < OSR_MAX_SYSCALLS; nr++) {
				uint64_t first = stats->first_ns[p][abi][nr];
				struct count_entry e = {
					.nr = nr,
					.arch = abi_arch((unsigned int)abi),
					.phase = p,
					.count = stats->count[p][abi][nr],
					/* 0 while the first call has counted but not written its time. */
					.first_ns = first > table->start_ns ? first - table->start_ns
									    : 0,
				};

				if (!e.count)
					continue;
				syscall_name(e.arch, nr, e.name, sizeof(e.name));
				int r = counts_add(out, &e);

				if (r < 0) {
					counts_free(out);
					return r;
				}
			}
	counts_sort(out);
	return 0;
}

int counts_save(const struct osr_container *table, const struct osr_stats *stats,
		const char *container, const struct output_target *t, struct osr_err *err)
{
	_cleanup_(counts_free) struct counts c = { 0 };
	_cleanup_free_ char *text = NULL;

	int r = counts_read(table, stats, &c);

	if (r == -EOVERFLOW)
		return osr_fail(err, r,
				"the recording's counts add up to more than %" PRId64
				", which a stats file cannot state; no stats written",
				INT64_MAX);
	if (r < 0 || (container && !(c.container = strdup(container))) ||
	    !(text = counts_render(&c)))
		return osr_fail(err, -ENOMEM, "out of memory rendering the stats");
	return target_write(t, text, strlen(text), 0644, err);
}

/* "x86_64" for SCMP_ARCH_X86_64: the table's short form. */
static void short_arch(uint32_t arch, char *buf, size_t size)
{
	const char *n = arch_or_unknown(arch);
	size_t i;

	if (!strncmp(n, "SCMP_ARCH_", 10))
		n += 10;
	for (i = 0; n[i] && i + 1 < size; i++)
		buf[i] = (n[i] >= 'A' && n[i] <= 'Z') ? (char)(n[i] - 'A' + 'a') : n[i];
	buf[i] = '\0';
}

void counts_print(FILE *f, const struct counts *c)
{
	fprintf(f, "%s%s%s: %" PRIu64 " syscalls made, %zu distinct (by phase and ABI)\n",
		c->container ? "container '" : "", c->container ? c->container : "recording",
		c->container ? "'" : "", c->total, c->n);
	fprintf(f, "%-24s %12s %7s %16s  %-17s %s\n", "NAME", "COUNT", "SHARE", "FIRST SEEN (ms)",
		"PHASE", "ABI");
	for (size_t i = 0; i < c->n; i++) {
		const struct count_entry *e = &c->v[i];
		char arch[24];

		short_arch(e->arch, arch, sizeof(arch));
		fprintf(f, "%-24s %12" PRIu64 " %6.2f%% %16.3f  %-17s %s\n", e->name, e->count,
			c->total ? 100.0 * (double)e->count / (double)c->total : 0.0,
			(double)e->first_ns / 1e6, phase_name(e->phase), arch);
	}
}

uint64_t counts_in_profile(const struct counts *c, const char *name)
{
	uint64_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].phase != OSR_PHASE_SETUP && !strcmp(c->v[i].name, name))
			n += c->v[i].count;
	return n;
}
