// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF program every recorded container on a node shares. One program on
 * the tracepoint, whatever the number of containers, keeps the cost of a
 * syscall flat; each tracer still owns its container's table and can die
 * alone. One lock file for the node (the pins are the node's, whatever run
 * directory a hook is given) serialises entering and leaving.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "recorder.lskel.h"
#include "recorder.skel.h"
#include "recorder_k510.skel.h"
#include "bpfshare.h"
#include "recording.h"
#include "log.h"
#include "proc.h"

/* The index map's value, as mmap sees it: whole pages. */
#define INDEX_MAP_SIZE ((sizeof(struct osr_index) + 4095) & ~(size_t)4095)

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/*
 * The maps, by name: the name each is pinned and found under, and where the
 * light skeleton keeps its fd. A new map is one line here and one in enum
 * osr_map.
 */
static const struct {
	const char *name;
	size_t lskel_fd;
} maps[OSR_MAP_COUNT] = {
	[OSR_MAP_TABLES] = { "tables", offsetof(struct recorder_lskel, maps.tables.map_fd) },
	[OSR_MAP_MORE_TABLES] = { "more_tables",
				  offsetof(struct recorder_lskel, maps.more_tables.map_fd) },
	[OSR_MAP_RECORDINGS] = { "recordings",
				 offsetof(struct recorder_lskel, maps.recordings.map_fd) },
	[OSR_MAP_PIDNS_TARGETS] = { "pidns_targets",
				    offsetof(struct recorder_lskel, maps.pidns_targets.map_fd) },
	[OSR_MAP_MNTNS_TARGETS] = { "mntns_targets",
				    offsetof(struct recorder_lskel, maps.mntns_targets.map_fd) },
	[OSR_MAP_INDEX] = { "ns_index", offsetof(struct recorder_lskel, maps.ns_index.map_fd) },
	[OSR_MAP_STATS] = { "stats", offsetof(struct recorder_lskel, maps.stats.map_fd) },
};

/*
 * The programs' links, by the name they are pinned under (sys_enter's first:
 * its pin is the sign the program is there), where the light skeleton keeps
 * each and the program it attaches.
 */
static const struct {
	const char *pin;
	size_t lskel_fd;
	const char *prog;
} links[OSR_LINK_COUNT] = {
	{ "link", offsetof(struct recorder_lskel, links.osr_sys_enter_fd), "osr_sys_enter" },
	{ "exit_link", offsetof(struct recorder_lskel, links.osr_task_exit_fd), "osr_task_exit" },
	{ "newtask_link", offsetof(struct recorder_lskel, links.osr_task_new_fd), "osr_task_new" },
};

/*
 * The builds of the program (see the Makefile), in the order they are tried,
 * by the name OSR_BPF_VARIANT gives them. The oldest kernel the last loads on
 * is the oldest supported.
 */
enum variant { VARIANT_FAST, VARIANT_COMPAT, VARIANT_K510, VARIANT_COUNT };

static const struct {
	const char *name;
	const char *by;
} variants[VARIANT_COUNT] = {
	[VARIANT_FAST] = { "fast", "the light skeleton" },
	[VARIANT_COMPAT] = { "compat", "libbpf (compatibility build)" },
	[VARIANT_K510] = { "k510", "libbpf (Linux 5.10 build)" },
};

#define OSR_MIN_KERNEL "5.10"
#define OSR_MIN_KERNEL_MAJOR 5
#define OSR_MIN_KERNEL_MINOR 10

/* libbpf's warnings, kept so a verifier rejection can be shown to the user. */
static char bpf_log[4096];
static size_t bpf_log_len;

static int bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n <= 0)
		return 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* Keep the tail: the verifier's verdict is at the end of its log. */
	if (bpf_log_len + n >= sizeof(bpf_log)) {
		size_t drop = bpf_log_len + n - sizeof(bpf_log) + 1;

		if (drop > bpf_log_len)
			drop = bpf_log_len;
		memmove(bpf_log, bpf_log + drop, bpf_log_len - drop);
		bpf_log_len -= drop;
	}
	memcpy(bpf_log + bpf_log_len, line, n);
	bpf_log_len += n;
	bpf_log[bpf_log_len] = '\0';
	return 0;
}

static void share_init(struct bpf_share *bs, bool by_mntns)
{
	memset(bs, 0, sizeof(*bs));
	for (size_t i = 0; i < OSR_MAP_COUNT; i++)
		bs->fds[i] = -1;
	for (size_t i = 0; i < OSR_LINK_COUNT; i++)
		bs->private_links[i] = -1;
	bs->ns_fd = -1;
	bs->by_mntns = by_mntns;
	snprintf(bs->pin_dir, sizeof(bs->pin_dir), "%s/%s", OSR_BPF_PIN_DIR, OSR_BPF_ABI);
}

static void pin_path(char *buf, size_t size, const struct bpf_share *bs, const char *name)
{
	snprintf(buf, size, "%s/%s", bs->pin_dir, name);
}

/* The targets map a recording of this kind is entered in. */
static int targets_fd(const struct bpf_share *bs, bool by_mntns)
{
	return bs->fds[by_mntns ? OSR_MAP_MNTNS_TARGETS : OSR_MAP_PIDNS_TARGETS];
}

/* A bpffs at /sys/fs/bpf, mounted if the system has none (systemd mounts one). */
static int ensure_bpffs(void)
{
	struct statfs sfs;

	if (statfs("/sys/fs/bpf", &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
		return -errno;
	return 0;
}

static void close_maps(struct bpf_share *bs)
{
	if (bs->index)
		munmap(bs->index, INDEX_MAP_SIZE);
	bs->index = NULL;
	for (size_t i = 0; i < OSR_MAP_COUNT; i++) {
		if (bs->fds[i] >= 0)
			close(bs->fds[i]);
		bs->fds[i] = -1;
	}
}

/* Take the maps' fds (in enum osr_map order) as this container's, and map the index. */
static int set_fds(struct bpf_share *bs, const int *fds)
{
	void *ix;

	memcpy(bs->fds, fds, sizeof(bs->fds));
	ix = mmap(NULL, INDEX_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bs->fds[OSR_MAP_INDEX],
		  0);
	if (ix == MAP_FAILED)
		return -errno;
	bs->index = ix;
	return 0;
}

static int open_pinned(struct bpf_share *bs)
{
	int fds[OSR_MAP_COUNT];
	char path[256];
	int link_fd;

	pin_path(path, sizeof(path), bs, links[0].pin);
	link_fd = bpf_obj_get(path);
	if (link_fd < 0)
		return -errno;
	close(link_fd); /* its pin keeps it; it was only a sign the program is there */
	for (size_t i = 0; i < OSR_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), bs, maps[i].name);
		fds[i] = bpf_obj_get(path);
		if (fds[i] < 0) {
			int r = -errno;

			while (i-- > 0)
				close(fds[i]);
			return r;
		}
	}
	return set_fds(bs, fds);
}

static void unpin_all(const struct bpf_share *bs)
{
	char path[256];

	/* The link first: a prestart that still sees it finds the maps too. */
	for (size_t i = 0; i < OSR_LINK_COUNT; i++) {
		pin_path(path, sizeof(path), bs, links[i].pin);
		unlink(path);
	}
	for (size_t i = 0; i < OSR_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), bs, maps[i].name);
		unlink(path);
	}
	rmdir(bs->pin_dir);
	rmdir(OSR_BPF_PIN_DIR); /* fails while another ABI version is in use: fine */
}

/* The programs loaded and attached, by either loader: the fds to pin or keep. */
struct loaded {
	int links[OSR_LINK_COUNT];
	int maps[OSR_MAP_COUNT];
};

/*
 * The light skeleton: the kernel applies the CO-RE relocations itself, so no
 * BTF is read or parsed here (libbpf's read and parse of the kernel's 5.5 MB
 * of BTF took about 20 ms). Linux 6.2 and later. The fds are dup'd: the skeleton is freed on return.
 */
static int load_fast(struct loaded *l)
{
	struct recorder_lskel *skel = recorder_lskel__open();
	int r;

	if (!skel)
		return -ENOMEM;
	r = recorder_lskel__load(skel);
	if (r == 0 && recorder_lskel__attach(skel) < 0)
		r = -errno;
	if (r == 0) {
		for (size_t i = 0; i < OSR_LINK_COUNT; i++)
			l->links[i] = dup(*(int *)((char *)skel + links[i].lskel_fd));
		for (size_t i = 0; i < OSR_MAP_COUNT; i++)
			l->maps[i] = dup(*(int *)((char *)skel + maps[i].lskel_fd));
	}
	recorder_lskel__destroy(skel);
	return r < 0 ? r : 0;
}

/* Attach the loaded object's programs and dup the fds to keep (see load_fast()). */
static int keep_object(struct bpf_object *obj, struct loaded *l)
{
	for (size_t i = 0; i < OSR_LINK_COUNT; i++) {
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, links[i].prog);
		struct bpf_link *link = prog ? bpf_program__attach(prog) : NULL;

		if (!link)
			return prog ? -errno : -ENOENT;
		l->links[i] = dup(bpf_link__fd(link));
		bpf_link__destroy(link); /* the dup keeps it attached */
	}
	for (size_t i = 0; i < OSR_MAP_COUNT; i++)
		l->maps[i] = dup(bpf_map__fd(bpf_object__find_map_by_name(obj, maps[i].name)));
	return 0;
}

/*
 * A build loaded through libbpf (CO-RE done here, from the kernel's BTF), for
 * kernels the light skeleton cannot load on; it also keeps the verifier's log.
 */
static int load_object(enum variant v, struct loaded *l, struct osr_err *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = variants[v].name);
	struct bpf_object *obj;
	const void *elf;
	size_t size;
	int r;

	elf = v == VARIANT_K510 ? recorder_k510__elf_bytes(&size) : recorder_bpf__elf_bytes(&size);
	libbpf_set_print(bpf_print);
	bpf_log_len = 0;
	bpf_log[0] = '\0';
	obj = bpf_object__open_mem(elf, size, &opts);
	if (!obj)
		return osr_fail(err, -errno, "cannot open the BPF program: %s", osr_strerror(errno));
	r = bpf_object__load(obj);
	if (r < 0) {
		bpf_object__close(obj);
		return osr_fail(err, r, "the kernel refused the BPF program: %s%s%s%s", osr_strerror(-r),
				r == -EPERM ? " (the hook must run as root, with CAP_BPF and "
					      "CAP_PERFMON or CAP_SYS_ADMIN; before Linux 5.11, "
					      "with an RLIMIT_MEMLOCK that holds its maps)"
					    : "",
				bpf_log_len ? "; libbpf said:\n" : "", bpf_log);
	}
	r = keep_object(obj, l);
	bpf_object__close(obj);
	/* The kernel's BTF, parsed for CO-RE, is freed now: give its pages back. */
	malloc_trim(0);
	if (r < 0)
		return osr_fail(err, r,
				"cannot attach the BPF programs to raw_syscalls:sys_enter, "
				"sched:sched_process_exit and task:task_newtask: %s%s%s",
				osr_strerror(-r), bpf_log_len ? "; libbpf said:\n" : "", bpf_log);
	return 0;
}

static void close_loaded(struct loaded *l)
{
	for (size_t i = 0; i < OSR_LINK_COUNT; i++)
		if (l->links[i] >= 0)
			close(l->links[i]);
	for (size_t i = 0; i < OSR_MAP_COUNT; i++)
		if (l->maps[i] >= 0)
			close(l->maps[i]);
}

/* Pin the maps first and the link last: it is the sign all is there. */
static int pin_loaded(const struct bpf_share *bs, const struct loaded *l)
{
	char path[256];

	for (size_t i = 0; i < OSR_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), bs, maps[i].name);
		if (bpf_obj_pin(l->maps[i], path) < 0)
			return -errno;
	}
	for (size_t i = OSR_LINK_COUNT; i-- > 0;) {
		pin_path(path, sizeof(path), bs, links[i].pin);
		if (bpf_obj_pin(l->links[i], path) < 0)
			return -errno;
	}
	return 0;
}

bool bpf_kernel_too_old(const char *rel)
{
	unsigned int major, minor;

	if (sscanf(rel, "%u.%u", &major, &minor) != 2)
		return false;
	return major < OSR_MIN_KERNEL_MAJOR ||
	       (major == OSR_MIN_KERNEL_MAJOR && minor < OSR_MIN_KERNEL_MINOR);
}

/* The builds to try: the one OSR_BPF_VARIANT names, or all in turn. */
static int variants_to_try(enum variant *first, enum variant *last, struct osr_err *err)
{
	const char *want = getenv("OSR_BPF_VARIANT");
	int v;

	*first = VARIANT_FAST;
	*last = VARIANT_K510;
	if (!want || !*want)
		return 0;
	for (v = 0; v < VARIANT_COUNT; v++)
		if (!strcmp(want, variants[v].name))
			break;
	if (v == VARIANT_COUNT)
		return osr_fail(err, -EINVAL,
				"OSR_BPF_VARIANT '%s' names no build of the BPF program: 'fast', "
				"'compat' or 'k510'",
				want);
	*first = *last = v;
	return 0;
}

/*
 * Load and attach the first build the kernel takes. If none, the last one's
 * error, with the kernel named and the oldest supported: before 5.10 it lacks
 * what even the 5.10 build needs, and its refusal reads as a bare EINVAL.
 */
static int load_any(struct loaded *l, const char **by, struct osr_err *err)
{
	struct osr_err last_err;
	enum variant first, last;
	struct utsname u;
	int r = variants_to_try(&first, &last, err);

	if (r < 0)
		return r;
	for (enum variant v = first; v <= last; v++) {
		/*
		 * Where the light skeleton did not load: without task storage (before
		 * 5.11) the compatibility build cannot either, and its verifier log
		 * is not worth the time.
		 */
		if (v == VARIANT_COMPAT && first != last &&
		    libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 0)
			continue;
		memset(l, 0xff, sizeof(*l)); /* every fd -1 */
		if (v == VARIANT_FAST) {
			r = load_fast(l);
			if (r < 0)
				osr_fail(&last_err, r,
					 "the kernel refused the BPF program's light skeleton "
					 "(Linux 6.2 and later): %s",
					 osr_strerror(-r));
		} else {
			r = load_object(v, l, &last_err);
		}
		if (r == 0) {
			*by = variants[v].by;
			return 0;
		}
		log_debug("%s did not load: %s", variants[v].by, last_err.msg);
		close_loaded(l);
	}
	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "?");
	if (bpf_kernel_too_old(u.release))
		return osr_fail(err, r,
				"the kernel, Linux '%s', is older than " OSR_MIN_KERNEL ", the oldest "
				"the recorder supports and is tested on: %s",
				u.release, last_err.msg);
	return osr_fail(err, r, "on Linux '%s' (the recorder supports " OSR_MIN_KERNEL
			" and later, with BTF): %s", u.release, last_err.msg);
}

static int load_program(struct bpf_share *bs, struct osr_err *err)
{
	struct loaded l;
	const char *by = NULL;
	struct utsname u;
	int r;

	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		r = errno;
		if (uname(&u) < 0)
			snprintf(u.release, sizeof(u.release), "?");
		return osr_fail(err, -ENOTSUP,
				"the kernel has no BTF ('/sys/kernel/btf/vmlinux': %s); the tracer "
				"needs Linux " OSR_MIN_KERNEL " or later built with "
				"CONFIG_DEBUG_INFO_BTF=y, and this is '%s'",
				osr_strerror(r), u.release);
	}
	r = load_any(&l, &by, err);
	if (r < 0)
		return r;
	log_debug("BPF program loaded and attached by %s", by);
	for (size_t i = 0; i < OSR_LINK_COUNT + OSR_MAP_COUNT; i++)
		if ((i < OSR_LINK_COUNT ? l.links[i] : l.maps[i - OSR_LINK_COUNT]) < 0) {
			close_loaded(&l);
			return osr_fail(err, -EMFILE, "cannot keep the BPF program's fds: %s",
					osr_strerror(errno));
		}

	bs->pinned = ensure_bpffs() >= 0 &&
		     (mkdir(OSR_BPF_PIN_DIR, 0700) == 0 || errno == EEXIST) &&
		     (mkdir(bs->pin_dir, 0700) == 0 || errno == EEXIST);
	if (bs->pinned && pin_loaded(bs, &l) < 0) {
		unpin_all(bs);
		bs->pinned = false;
	}
	if (!bs->pinned) {
		/* No bpffs: a program of this container's own, detached when its link fds close. */
		memcpy(bs->private_links, l.links, sizeof(l.links));
		r = set_fds(bs, l.maps);
		return r < 0 ? osr_fail(err, r, "cannot map the BPF index: %s", osr_strerror(-r)) : 0;
	}
	close_loaded(&l); /* the pins hold the links, the programs and the maps */
	r = open_pinned(bs);
	return r < 0 ? osr_fail(err, r, "cannot open the pinned maps in '%s': %s", bs->pin_dir,
				osr_strerror(-r))
		     : 0;
}

/*
 * Make one kind of the index say what its hash map says (with the lock held):
 * entries gone from the map are cleared, the map's entries missing from their
 * bucket are added (loc first, then inode, so the program never reads a
 * half-written entry) or, their bucket full, counted as spilled.
 */
static void index_sync_kind(struct osr_index_entry (*kind)[OSR_INDEX_WAYS], int fd,
			    uint32_t *spilled, uint32_t *count)
{
	uint32_t key, next, *prev = NULL, loc;

	for (int b = 0; b < OSR_INDEX_BUCKETS; b++)
		for (int w = 0; w < OSR_INDEX_WAYS; w++) {
			struct osr_index_entry *e = &kind[b][w];

			if (e->inum &&
			    (bpf_map_lookup_elem(fd, &e->inum, &loc) < 0 || loc != e->loc))
				__atomic_store_n(&e->inum, 0, __ATOMIC_RELEASE);
		}
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct osr_index_entry *bucket = kind[osr_index_bucket(next)], *free = NULL;
		bool found = false;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &loc) < 0)
			continue;
		(*count)++;
		for (int w = 0; w < OSR_INDEX_WAYS && !found; w++) {
			found = bucket[w].inum == key;
			if (!bucket[w].inum && !free)
				free = &bucket[w];
		}
		if (found)
			continue;
		if (!free) {
			(*spilled)++;
			continue;
		}
		free->loc = loc;
		__atomic_store_n(&free->inum, key, __ATOMIC_RELEASE);
	}
}

static void index_sync(const struct bpf_share *bs)
{
	uint32_t spilled = 0, pidns = 0, mntns = 0;

	index_sync_kind(bs->index->pidns, bs->fds[OSR_MAP_PIDNS_TARGETS], &spilled, &pidns);
	index_sync_kind(bs->index->mntns, bs->fds[OSR_MAP_MNTNS_TARGETS], &spilled, &mntns);
	__atomic_store_n(&bs->index->spilled, spilled, __ATOMIC_RELEASE);
	__atomic_store_n(&bs->index->mntns_count, mntns, __ATOMIC_RELEASE);
	/* Last: every CPU's hint from before is stale now. */
	__atomic_store_n(&bs->index->gen, bs->index->gen + 1, __ATOMIC_RELEASE);
}

/* Stop recording (with the lock held): the index is synced by the caller. */
static void unkey(const struct bpf_share *bs, uint32_t id, const struct osr_recording *rec)
{
	int fd = targets_fd(bs, rec->by_mntns);
	uint32_t held;

	/* The key only if it still names it: a later recording may hold it now. */
	if (bpf_map_lookup_elem(fd, &rec->key, &held) == 0 && held == id)
		bpf_map_delete_elem(fd, &rec->key);
}

/* The map and key of the table at loc (OSR_LOC_HASH). */
static int table_fd(const struct bpf_share *bs, uint32_t loc, uint32_t *key)
{
	if (loc & OSR_LOC_HASH) {
		*key = loc & ~OSR_LOC_HASH;
		return bs->fds[OSR_MAP_MORE_TABLES];
	}
	*key = loc - 1;
	return bs->fds[OSR_MAP_TABLES];
}

/* Take a recording out of every map (with the lock held); the index is synced by the caller. */
static void remove_recording(const struct bpf_share *bs, uint32_t id,
			     const struct osr_recording *rec)
{
	uint32_t k;
	int fd;

	unkey(bs, rec->loc, rec);
	/* An array slot stays: the next recording in it writes it whole. */
	fd = table_fd(bs, rec->loc, &k);
	if (rec->loc & OSR_LOC_HASH)
		bpf_map_delete_elem(fd, &k);
	bpf_map_delete_elem(bs->fds[OSR_MAP_STATS], &id); /* if it counted */
	bpf_map_delete_elem(bs->fds[OSR_MAP_RECORDINGS], &id);
}

static bool tracer_alive(const struct osr_recording *rec)
{
	unsigned long long start;

	return proc_start_time((pid_t)rec->tracer_pid, &start) == 0 && start == rec->tracer_start;
}

struct census {
	unsigned int total;  /* recordings on the node */
	unsigned int tenant; /* of them, the tenant's */
	unsigned int tenant_counting; /* of those, how many count (have a `stats` entry) */
	bool removed;	     /* whether dead tracers' recordings were taken out */
	bool slot_used[OSR_STATIC_TABLES];
};

/*
 * Count the recordings (with the lock held), all and the tenant's. With
 * collect, first take out those whose tracer died (killed: their namespace may
 * be reused); that reads /proc for each, so it is done only when a limit is
 * reached or a key is held.
 */
/* The ids of the recordings that count: the keys of `stats`, at most OSR_MAX_COUNTING. */
static unsigned int counting_ids(const struct bpf_share *bs, uint32_t *ids)
{
	uint32_t key, next, *prev = NULL;
	unsigned int n = 0;

	while (n < OSR_MAX_COUNTING &&
	       bpf_map_get_next_key(bs->fds[OSR_MAP_STATS], prev, &next) == 0) {
		key = next;
		prev = &key;
		ids[n++] = key;
	}
	return n;
}

static bool id_in(const uint32_t *ids, unsigned int n, uint32_t id)
{
	for (unsigned int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static void census(const struct bpf_share *bs, const char *tenant, bool collect,
		   struct census *c)
{
	uint32_t key, next, *prev = NULL, ids[OSR_MAX_COUNTING];
	struct osr_recording rec;
	unsigned int nids;

	memset(c, 0, sizeof(*c));
	nids = counting_ids(bs, ids);
	while (bpf_map_get_next_key(bs->fds[OSR_MAP_RECORDINGS], prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(bs->fds[OSR_MAP_RECORDINGS], &key, &rec) < 0)
			continue;
		if (collect && !tracer_alive(&rec)) {
			remove_recording(bs, key, &rec);
			c->removed = true;
			c->total = c->tenant = c->tenant_counting = 0;
			memset(c->slot_used, 0, sizeof(c->slot_used));
			prev = NULL; /* the walk starts over after a deletion */
			continue;
		}
		c->total++;
		if (!(rec.loc & OSR_LOC_HASH) && rec.loc && rec.loc <= OSR_STATIC_TABLES)
			c->slot_used[rec.loc - 1] = true;
		if (tenant && *tenant && !strncmp(rec.tenant, tenant, sizeof(rec.tenant))) {
			c->tenant++;
			c->tenant_counting += id_in(ids, nids, key);
		}
	}
	if (c->removed)
		index_sync(bs);
}

static int lock_share(void)
{
	int fd = open(OSR_BPF_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return -errno;
		}
	return fd;
}

static void unpin_if_empty(const struct bpf_share *bs);

/* An id no recording has (with the lock held): ids go up, so none is reused. */
static uint32_t new_id(const struct bpf_share *bs)
{
	struct osr_recording rec;
	uint32_t id = bs->index->next_id;

	for (int tries = 0; tries <= OSR_MAX_RECORDINGS; tries++, id++) {
		/* Below OSR_LOC_HASH: an id is a loc too, with that bit. */
		if (id == 0 || (id & OSR_LOC_HASH))
			id = 1;
		if (bpf_map_lookup_elem(bs->fds[OSR_MAP_RECORDINGS], &id, &rec) < 0)
			break;
	}
	bs->index->next_id = id + 1;
	return id;
}

/*
 * Hold the namespace the recording is keyed on open until it leaves: while a
 * namespace lives, the kernel gives its inode to no other, so a container
 * whose processes all left it (exec unshare -m) never lends its key to a
 * namespace made later.
 */
static int hold_namespace(struct bpf_share *bs, pid_t pid, struct osr_err *err)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, bs->by_mntns ? "mnt" : "pid");
	bs->ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (bs->ns_fd < 0 || fstat(bs->ns_fd, &st) < 0)
		return osr_fail(err, -errno, "cannot open the container's namespace '%s': %s", path,
				osr_strerror(errno));
	bs->key = (uint32_t)st.st_ino;
	return 0;
}

/*
 * A tenant's share of the counting slots: the share of the recordings its
 * quota gives it (16 of 64 by default), at least 1, so one namespace or user
 * cannot take all 64 and keep every other's `stats:` out.
 */
static unsigned int counting_quota(unsigned int quota)
{
	unsigned long q = ((unsigned long)quota * OSR_MAX_COUNTING + OSR_MAX_RECORDINGS - 1) /
			  OSR_MAX_RECORDINGS;

	return q < 1 ? 1 : q > OSR_MAX_COUNTING ? OSR_MAX_COUNTING : (unsigned int)q;
}

/* Where the limits are reached: the message says which, with the numbers. */
static int over_limits(const struct census *c, const struct share_request *req, bool counting,
		       struct osr_err *err)
{
	bool user = req->tenant && !strncmp(req->tenant, OSR_TENANT_UID_PREFIX,
					    strlen(OSR_TENANT_UID_PREFIX));
	/* Unconfined, the namespace annotation is anybody's: escaped. */
	struct osr_esc e;

	if (c->total >= OSR_MAX_RECORDINGS)
		return osr_fail(err, -EBUSY,
				"%u containers are being recorded on this node already, the most it "
				"can record at once",
				c->total);
	/* Tenants are Kubernetes namespaces, or users of the recording service. */
	if (req->tenant && *req->tenant && c->tenant >= req->quota &&
	    !strncmp(req->tenant, OSR_TENANT_UID_PREFIX, strlen(OSR_TENANT_UID_PREFIX)))
		return osr_fail(err, -EDQUOT,
				"uid %s has %u containers being recorded on this node already, its "
				"quota (--max-per-user %u)",
				req->tenant + strlen(OSR_TENANT_UID_PREFIX), c->tenant, req->quota);
	if (req->tenant && *req->tenant && c->tenant >= req->quota)
		return osr_fail(err, -EDQUOT,
				"namespace '%s' has %u containers being recorded on this node "
				"already, its quota (--max-per-namespace %u)",
				osr_escape(req->tenant, SIZE_MAX, &e), c->tenant, req->quota);
	if (counting && req->tenant && *req->tenant &&
	    c->tenant_counting >= counting_quota(req->quota))
		return osr_fail(err, -EDQUOT,
				"%s '%s' has %u recordings counting on this node already, its "
				"share of the node's %d counting slots (as %s %u is of its %d "
				"recordings); record without stats, or when one of them has "
				"finished",
				user ? "uid" : "namespace",
				user ? req->tenant + strlen(OSR_TENANT_UID_PREFIX)
				     : osr_escape(req->tenant, SIZE_MAX, &e),
				c->tenant_counting, OSR_MAX_COUNTING,
				user ? "--max-per-user" : "--max-per-namespace", req->quota,
				OSR_MAX_RECORDINGS);
	return 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The counts of a new recording, zeroed (with the lock held). Made before its
 * table, so the program never counts into a stale entry; census() removes
 * it with the recording.
 */
static int add_stats(const struct bpf_share *bs, struct osr_err *err)
{
	_cleanup_free_ struct osr_stats *zero = calloc(1, sizeof(*zero));
	uint32_t key, next, *prev = NULL, n = 0;
	int r;

	if (!zero)
		return osr_fail(err, -ENOMEM, "out of memory");
	if (bpf_map_update_elem(bs->fds[OSR_MAP_STATS], &bs->id, zero, BPF_NOEXIST) == 0)
		return 0;
	r = -errno;
	if (r != -E2BIG)
		return osr_fail(err, r, "cannot make the recording's counts in the BPF map: %s",
				osr_strerror(-r));
	while (bpf_map_get_next_key(bs->fds[OSR_MAP_STATS], prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	return osr_fail(err, -EBUSY,
			"%u recordings are counting already on this node, the most that can at "
			"once; record without stats, or when one of them has finished",
			n);
}

/* Make the recording's table and entries (with the lock held); c: the census. */
static int add_recording(struct bpf_share *bs, const struct share_request *req,
			 struct osr_container *hdr, const struct census *cen, struct osr_err *err)
{
	struct osr_recording rec = { .key = bs->key, .by_mntns = req->by_mntns };
	unsigned long long start;
	uint32_t k, slot;
	struct census c;
	int r, fd;

	rec.tracer_pid = (uint32_t)getpid();
	r = proc_start_time(getpid(), &start);
	if (r < 0)
		return osr_fail(err, r, "cannot read the tracer's own start time: %s", osr_strerror(-r));
	rec.tracer_start = start;
	if (req->tenant)
		snprintf(rec.tenant, sizeof(rec.tenant), "%s", req->tenant);
	bs->id = new_id(bs);
	hdr->id = bs->id;
	hdr->start_ns = monotonic_ns();
	recording_prepare(hdr);
	r = hdr->counting ? add_stats(bs, err) : 0;
	if (r < 0)
		return r;
	/* A free slot of the array if there is one: its lookups cost nothing. */
	for (slot = 0; slot < OSR_STATIC_TABLES && cen->slot_used[slot]; slot++)
		;
	bs->loc = rec.loc = slot < OSR_STATIC_TABLES ? slot + 1 : (bs->id | OSR_LOC_HASH);
	fd = table_fd(bs, bs->loc, &k);
	r = bpf_map_update_elem(fd, &k, hdr, (bs->loc & OSR_LOC_HASH) ? BPF_NOEXIST : BPF_ANY);
	if (r < 0 || bpf_map_update_elem(bs->fds[OSR_MAP_RECORDINGS], &bs->id, &rec, BPF_NOEXIST) < 0) {
		r = -errno;
		remove_recording(bs, bs->id, &rec);
		return osr_fail(err, r, "cannot make the recording's table in the BPF maps: %s",
				osr_strerror(-r));
	}
	/* The table is made before it is entered: the program never sees a stale one. */
	r = bpf_map_update_elem(targets_fd(bs, bs->by_mntns), &bs->key, &bs->loc, BPF_NOEXIST);
	if (r < 0 && errno == EEXIST) {
		/* Held by a recording whose tracer was killed? Take those out and try again. */
		census(bs, NULL, true, &c);
		r = bpf_map_update_elem(targets_fd(bs, bs->by_mntns), &bs->key, &bs->loc,
					BPF_NOEXIST);
	}
	if (r < 0) {
		r = -errno;
		remove_recording(bs, bs->id, &rec);
		return osr_fail(err, r,
				r == -EEXIST ? "the container's %s namespace %u is being recorded already"
					     : "cannot enter the %s namespace %u in the BPF map: %s",
				bs->by_mntns ? "mount" : "PID", bs->key, osr_strerror(-r));
	}
	return 0;
}

int bpf_share_enter(struct bpf_share *bs, const struct share_request *req,
		    struct osr_container *hdr, struct osr_err *err)
{
	_cleanup_close_ int lock = -1;
	struct census c;
	int r;

	share_init(bs, req->by_mntns);
	r = hold_namespace(bs, req->pid, err);
	if (r < 0)
		goto fail;
	lock = lock_share();
	if (lock < 0) {
		r = osr_fail(err, lock, "cannot lock '%s': %s", OSR_BPF_LOCK, osr_strerror(-lock));
		goto fail;
	}
	if (open_pinned(bs) == 0) {
		bs->pinned = true;
	} else {
		r = load_program(bs, err);
		if (r < 0)
			goto fail;
	}
	census(bs, req->tenant, false, &c);
	if (over_limits(&c, req, hdr->counting, NULL) < 0)
		census(bs, req->tenant, true, &c);
	r = over_limits(&c, req, hdr->counting, err);
	if (r >= 0)
		r = add_recording(bs, req, hdr, &c, err);
	if (r < 0)
		goto fail;
	bs->entered = true;
	index_sync(bs);
	return 0;
fail:
	unpin_if_empty(bs);
	bpf_share_close(bs);
	return r;
}

/* The last one out takes the program down (called with the lock held). */
static void unpin_if_empty(const struct bpf_share *bs)
{
	uint32_t key;

	if (bs->pinned && bs->fds[OSR_MAP_RECORDINGS] >= 0 &&
	    bpf_map_get_next_key(bs->fds[OSR_MAP_RECORDINGS], NULL, &key) < 0 && errno == ENOENT)
		unpin_all(bs);
}

/* The counts of recording id (-ENOENT: it does not count). */
static int read_stats(const struct bpf_share *bs, uint32_t id, struct osr_stats *stats)
{
	return bpf_map_lookup_elem(bs->fds[OSR_MAP_STATS], &id, stats) < 0 ? -errno : 0;
}

int bpf_share_leave(struct bpf_share *bs, struct osr_container *out, struct osr_stats *stats)
{
	_cleanup_close_ int lock = -1;
	struct osr_recording rec;
	int r = 0;

	if (!bs->entered)
		return -ENOENT;
	lock = lock_share();
	bs->entered = false;
	/* Only our own recording: a collection after we were thought dead may have taken it. */
	if (bpf_map_lookup_elem(bs->fds[OSR_MAP_RECORDINGS], &bs->id, &rec) < 0 ||
	    rec.tracer_pid != (uint32_t)getpid()) {
		r = -ENOENT;
		goto out;
	}
	/* Read once the entry is gone: what is read is then final. */
	unkey(bs, rec.loc, &rec);
	index_sync(bs);
	{
		uint32_t k;
		int fd = table_fd(bs, rec.loc, &k);

		if (out && bpf_map_lookup_elem(fd, &k, out) < 0)
			r = -errno;
		if (r >= 0 && stats)
			r = read_stats(bs, bs->id, stats);
	}
	remove_recording(bs, bs->id, &rec);
out:
	unpin_if_empty(bs);
	return r;
}

void bpf_share_close(struct bpf_share *bs)
{
	close_maps(bs);
	for (size_t i = 0; i < OSR_LINK_COUNT; i++) {
		if (bs->private_links[i] >= 0)
			close(bs->private_links[i]);
		bs->private_links[i] = -1;
	}
	if (bs->ns_fd >= 0)
		close(bs->ns_fd);
	bs->ns_fd = -1;
}

void bpf_share_collect(void)
{
	struct bpf_share bs;
	struct census c;
	_cleanup_close_ int lock = -1;

	share_init(&bs, false);
	lock = lock_share();
	if (lock < 0 || open_pinned(&bs) < 0)
		return;
	bs.pinned = true;
	census(&bs, NULL, true, &c);
	unpin_if_empty(&bs);
	close_maps(&bs);
}

int bpf_share_find(uint32_t key, bool by_mntns, struct osr_container *out,
		   struct osr_stats *stats)
{
	struct bpf_share bs;
	uint32_t id;
	int r;

	share_init(&bs, by_mntns);
	r = open_pinned(&bs);
	if (r < 0)
		return r;
	if (bpf_map_lookup_elem(targets_fd(&bs, by_mntns), &key, &id) < 0) {
		r = -ENOENT;
	} else {
		uint32_t k;
		int fd = table_fd(&bs, id, &k);

		r = bpf_map_lookup_elem(fd, &k, out) < 0 ? -errno : 0;
		/* The table's id, not the loc: an array slot's loc is no recording's id. */
		if (r >= 0 && stats) {
			r = read_stats(&bs, out->id, stats);
			if (r == -ENOENT)
				r = -ENODATA;
		}
	}
	close_maps(&bs);
	return r;
}
