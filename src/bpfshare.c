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
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "recorder.lskel.h"
#include "recorder.skel.h"
#include "bpfshare.h"
#include "log.h"
#include "rundir.h"

/* The index map's value, as mmap sees it: whole pages. */
#define INDEX_MAP_SIZE ((sizeof(struct osr_index) + 4095) & ~(size_t)4095)

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/*
 * What is pinned: the programs' links (sys_enter's first: its pin is the sign
 * the program is there), then the maps, in the order set_fds() takes them.
 */
#define N_LINKS 3
static const char *const pin_names[] = { "link",	  "exit_link",	"newtask_link",
					  "pidns_targets", "mntns_targets", "ns_index",
					  "tables",	  "mntns_children" };
static const char *const *const map_names = pin_names + N_LINKS;
#define N_MAPS (ARRAY_SIZE(pin_names) - N_LINKS)

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

static void share_init(struct bpf_share *bs, uint32_t key, bool by_mntns)
{
	memset(bs, 0, sizeof(*bs));
	bs->targets_fd = bs->others_fd = bs->index_fd = bs->tables_fd = bs->children_fd = -1;
	for (size_t i = 0; i < ARRAY_SIZE(bs->private_links); i++)
		bs->private_links[i] = -1;
	bs->key = key;
	bs->by_mntns = by_mntns;
	snprintf(bs->pin_dir, sizeof(bs->pin_dir), "%s/%s", OSR_BPF_PIN_DIR, OSR_BPF_ABI);
}

static void pin_path(char *buf, size_t size, const struct bpf_share *bs, const char *name)
{
	snprintf(buf, size, "%s/%s", bs->pin_dir, name);
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
	int *fds[] = { &bs->targets_fd, &bs->others_fd, &bs->index_fd, &bs->tables_fd,
		       &bs->children_fd };

	if (bs->index)
		munmap(bs->index, INDEX_MAP_SIZE);
	bs->index = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Take the maps' fds (in map_names order) as this container's, and map the index. */
static int set_fds(struct bpf_share *bs, const int *fds)
{
	void *ix;

	bs->targets_fd = bs->by_mntns ? fds[1] : fds[0];
	bs->others_fd = bs->by_mntns ? fds[0] : fds[1];
	bs->index_fd = fds[2];
	bs->tables_fd = fds[3];
	bs->children_fd = fds[4];
	ix = mmap(NULL, INDEX_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bs->index_fd, 0);
	if (ix == MAP_FAILED)
		return -errno;
	bs->index = ix;
	return 0;
}

static int open_pinned(struct bpf_share *bs)
{
	int fds[N_MAPS];
	char path[256];
	int link_fd;

	pin_path(path, sizeof(path), bs, "link");
	link_fd = bpf_obj_get(path);
	if (link_fd < 0)
		return -errno;
	close(link_fd); /* its pin keeps it; it was only a sign the program is there */
	for (size_t i = 0; i < N_MAPS; i++) {
		pin_path(path, sizeof(path), bs, map_names[i]);
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
	for (size_t i = 0; i < ARRAY_SIZE(pin_names); i++) {
		pin_path(path, sizeof(path), bs, pin_names[i]);
		unlink(path);
	}
	rmdir(bs->pin_dir);
	rmdir(OSR_BPF_PIN_DIR); /* fails while another ABI version is in use: fine */
}

/* The programs loaded and attached, by either loader: the fds to pin or keep. */
struct loaded {
	int fds[ARRAY_SIZE(pin_names)]; /* in pin_names order */
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
		int fds[] = { skel->links.osr_sys_enter_fd,	skel->links.osr_task_exit_fd,
			      skel->links.osr_task_new_fd,	skel->maps.pidns_targets.map_fd,
			      skel->maps.mntns_targets.map_fd,	skel->maps.ns_index.map_fd,
			      skel->maps.tables.map_fd,		skel->maps.mntns_children.map_fd };

		for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
			l->fds[i] = dup(fds[i]);
	}
	recorder_lskel__destroy(skel);
	return r < 0 ? r : 0;
}

/*
 * libbpf's skeleton of the compatibility build (no bpf_rdonly_cast), for
 * kernels the light skeleton cannot load on; it also keeps the verifier's log.
 */
static int load_compat(struct loaded *l, struct osr_err *err)
{
	struct recorder_bpf *skel;
	int r;

	libbpf_set_print(bpf_print);
	skel = recorder_bpf__open();
	if (!skel)
		return osr_fail(err, -errno, "cannot open the BPF program: %s", strerror(errno));
	r = recorder_bpf__load(skel);
	if (r < 0) {
		recorder_bpf__destroy(skel);
		return osr_fail(err, r, "the kernel refused the BPF program: %s%s%s%s", strerror(-r),
				r == -EPERM ? " (the hook must run as root, with CAP_BPF and "
					      "CAP_PERFMON or CAP_SYS_ADMIN)"
					    : "",
				bpf_log_len ? "; libbpf said:\n" : "", bpf_log);
	}
	r = recorder_bpf__attach(skel);
	if (r < 0) {
		recorder_bpf__destroy(skel);
		return osr_fail(err, r,
				"cannot attach the BPF programs to raw_syscalls:sys_enter, "
				"sched:sched_process_exit and task:task_newtask: %s%s%s",
				strerror(-r), bpf_log_len ? "; libbpf said:\n" : "", bpf_log);
	}
	l->fds[0] = dup(bpf_link__fd(skel->links.osr_sys_enter));
	l->fds[1] = dup(bpf_link__fd(skel->links.osr_task_exit));
	l->fds[2] = dup(bpf_link__fd(skel->links.osr_task_new));
	for (size_t i = 0; i < N_MAPS; i++)
		l->fds[N_LINKS + i] =
			dup(bpf_map__fd(bpf_object__find_map_by_name(skel->obj, map_names[i])));
	recorder_bpf__destroy(skel);
	/* The kernel's BTF, parsed for CO-RE, is freed now: give its pages back. */
	malloc_trim(0);
	return 0;
}

static void close_loaded(struct loaded *l)
{
	for (size_t i = 0; i < ARRAY_SIZE(l->fds); i++)
		if (l->fds[i] >= 0)
			close(l->fds[i]);
}

static int load_program(struct bpf_share *bs, struct osr_err *err)
{
	struct loaded l;
	const char *compat = getenv("OSR_BPF_COMPAT");
	bool fast = !compat || strcmp(compat, "1");
	const char *by = "the light skeleton";
	char path[256];
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(l.fds); i++)
		l.fds[i] = -1;
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		return osr_fail(err, -ENOTSUP,
				"the kernel has no BTF ('/sys/kernel/btf/vmlinux': %s); the tracer "
				"needs a kernel built with CONFIG_DEBUG_INFO_BTF=y",
				strerror(errno));
	if (fast)
		r = load_fast(&l);
	if (!fast || r < 0) {
		if (fast)
			log_debug("the light skeleton did not load (%s): trying libbpf's",
				  strerror(-r));
		close_loaded(&l);
		r = load_compat(&l, err);
		if (r < 0)
			return r;
		by = "libbpf (compatibility build)";
	}
	log_debug("BPF program loaded and attached by %s", by);
	for (size_t i = 0; i < ARRAY_SIZE(l.fds); i++)
		if (l.fds[i] < 0) {
			close_loaded(&l);
			return osr_fail(err, -EMFILE, "cannot keep the BPF program's fds: %s",
					strerror(errno));
		}

	bs->pinned = ensure_bpffs() >= 0 &&
		     (mkdir(OSR_BPF_PIN_DIR, 0700) == 0 || errno == EEXIST) &&
		     (mkdir(bs->pin_dir, 0700) == 0 || errno == EEXIST);
	if (bs->pinned) {
		/* The maps first, the link last: it is the sign all is there. */
		r = 0;
		for (size_t i = ARRAY_SIZE(pin_names); r >= 0 && i-- > 0;) {
			pin_path(path, sizeof(path), bs, pin_names[i]);
			r = bpf_obj_pin(l.fds[i], path);
		}
		if (r < 0) {
			unpin_all(bs);
			bs->pinned = false;
		}
	}
	if (!bs->pinned) {
		/* No bpffs: a program of this container's own, detached when its link fd closes. */
		for (size_t i = 0; i < N_LINKS; i++)
			bs->private_links[i] = l.fds[i];
		r = set_fds(bs, l.fds + N_LINKS);
		return r < 0 ? osr_fail(err, r, "cannot map the BPF index: %s", strerror(-r)) : 0;
	}
	close_loaded(&l); /* the pins hold the link, the program and the maps */
	r = open_pinned(bs);
	return r < 0 ? osr_fail(err, r, "cannot open the pinned maps in '%s': %s", bs->pin_dir,
				strerror(-r))
		     : 0;
}

/*
 * Make one kind of the index say what its hash map says (with the lock held):
 * entries gone from the map are cleared, the map's entries missing from their
 * bucket are added (slot first, then inode, so the program never reads a
 * half-written entry) or, their bucket full, counted as spilled.
 */
static void index_sync_kind(struct osr_index_entry (*kind)[OSR_INDEX_WAYS], int targets_fd,
			    uint32_t *spilled, uint32_t *count)
{
	uint32_t key, next, *prev = NULL, slot;

	for (int b = 0; b < OSR_INDEX_BUCKETS; b++)
		for (int w = 0; w < OSR_INDEX_WAYS; w++) {
			struct osr_index_entry *e = &kind[b][w];

			if (e->inum && (bpf_map_lookup_elem(targets_fd, &e->inum, &slot) < 0 ||
					slot != e->slot))
				__atomic_store_n(&e->inum, 0, __ATOMIC_RELEASE);
		}
	while (bpf_map_get_next_key(targets_fd, prev, &next) == 0) {
		struct osr_index_entry *bucket = kind[osr_index_bucket(next)], *free = NULL;
		bool found = false;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(targets_fd, &key, &slot) < 0)
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
		free->slot = slot;
		__atomic_store_n(&free->inum, key, __ATOMIC_RELEASE);
	}
}

static void index_sync(const struct bpf_share *bs)
{
	int pidns_fd = bs->by_mntns ? bs->others_fd : bs->targets_fd;
	int mntns_fd = bs->by_mntns ? bs->targets_fd : bs->others_fd;
	uint32_t spilled = 0, pidns = 0, mntns = 0;

	index_sync_kind(bs->index->pidns, pidns_fd, &spilled, &pidns);
	index_sync_kind(bs->index->mntns, mntns_fd, &spilled, &mntns);
	__atomic_store_n(&bs->index->spilled, spilled, __ATOMIC_RELEASE);
	__atomic_store_n(&bs->index->mntns_count, mntns, __ATOMIC_RELEASE);
	/* Last: every CPU's hint from before is stale now. */
	__atomic_store_n(&bs->index->gen, bs->index->gen + 1, __ATOMIC_RELEASE);
}

/*
 * Walk a targets map: remove entries whose tracer is gone (killed: their
 * namespace may be reused) and mark the slots the others hold in used (a
 * removed entry's slot is never marked, so marks survive the walk's restarts).
 * Returns whether it removed any.
 */
static bool walk_targets(int targets_fd, int tables_fd, bool *used)
{
	uint32_t key, next, *prev = NULL;
	bool removed = false;

	while (bpf_map_get_next_key(targets_fd, prev, &next) == 0) {
		struct osr_container hdr;
		unsigned long long start;
		uint32_t slot;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(targets_fd, &key, &slot) < 0 || slot >= OSR_MAX_CONTAINERS)
			continue;
		if (bpf_map_lookup_elem(tables_fd, &slot, &hdr) == 0 &&
		    (proc_start_time((pid_t)hdr.tracer_pid, &start) < 0 ||
		     start != hdr.tracer_start)) {
			removed |= bpf_map_delete_elem(targets_fd, &key) == 0;
			prev = NULL; /* the walk starts over after a deletion */
			continue;
		}
		used[slot] = true;
	}
	return removed;
}

static void unpin_if_empty(const struct bpf_share *bs);

/* Remove the mount namespaces entered for a slot (with the lock held). */
static void forget_children(int children_fd, uint32_t slot)
{
	uint64_t key, next, *prev = NULL;
	struct osr_child ch;

	while (bpf_map_get_next_key(children_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(children_fd, &key, &ch) == 0 && ch.slot == slot &&
		    bpf_map_delete_elem(children_fd, &key) == 0)
			prev = NULL; /* the walk starts over after a deletion */
	}
}

static int lock_share(const struct bpf_share *bs)
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

int bpf_share_enter(struct bpf_share *bs, uint32_t key, bool by_mntns,
		    const struct osr_container *hdr, struct osr_err *err)
{
	_cleanup_close_ int lock = -1;
	bool used[OSR_MAX_CONTAINERS] = { false }, removed;
	int r;

	share_init(bs, key, by_mntns);
	lock = lock_share(bs);
	if (lock < 0)
		return osr_fail(err, lock, "cannot lock '%s': %s", OSR_BPF_LOCK, strerror(-lock));
	if (open_pinned(bs) == 0) {
		bs->pinned = true;
	} else {
		r = load_program(bs, err);
		if (r < 0)
			return r;
	}
	if (bs->targets_fd < 0 || bs->others_fd < 0 || !bs->index || bs->tables_fd < 0 ||
	    bs->children_fd < 0) {
		r = osr_fail(err, -EBADF, "cannot reach the BPF maps");
		goto fail;
	}

	/*
	 * Slots are shared by both maps: both walks mark the same table. What
	 * they removed leaves the index (and the hints) before its slot is given
	 * out again: a killed tracer's container may still be running.
	 */
	removed = walk_targets(bs->targets_fd, bs->tables_fd, used);
	removed |= walk_targets(bs->others_fd, bs->tables_fd, used);
	if (removed)
		index_sync(bs);
	for (bs->slot = 0; bs->slot < OSR_MAX_CONTAINERS && used[bs->slot]; bs->slot++)
		;
	if (bs->slot == OSR_MAX_CONTAINERS) {
		r = osr_fail(err, -EBUSY, "%d containers are being recorded on this node already",
			     OSR_MAX_CONTAINERS);
		goto fail;
	}
	/*
	 * The slot's last owner may have left namespaces it made behind: the
	 * program would not count them (their owner differs), but they take room.
	 */
	forget_children(bs->children_fd, bs->slot);
	/* The slot is filled before it is entered: the program never sees a stale table. */
	if (bpf_map_update_elem(bs->tables_fd, &bs->slot, hdr, BPF_ANY) < 0 ||
	    bpf_map_update_elem(bs->targets_fd, &key, &bs->slot, BPF_NOEXIST) < 0) {
		r = -errno;
		r = osr_fail(err, r,
			     r == -EEXIST ? "the container's %s namespace %u is being recorded already"
					  : "cannot enter the %s namespace %u in the BPF map: %s",
			     by_mntns ? "mount" : "PID", key, strerror(-r));
		goto fail;
	}
	bs->entered = true;
	index_sync(bs);
	return 0;
fail:
	unpin_if_empty(bs);
	bpf_share_close(bs);
	return r;
}

static bool map_empty(int fd)
{
	uint32_t key;

	return bpf_map_get_next_key(fd, NULL, &key) < 0 && errno == ENOENT;
}

/* The last one out takes the program down (called with the lock held). */
static void unpin_if_empty(const struct bpf_share *bs)
{
	if (bs->pinned && bs->targets_fd >= 0 && bs->others_fd >= 0 && map_empty(bs->targets_fd) &&
	    map_empty(bs->others_fd))
		unpin_all(bs);
}

int bpf_share_leave(struct bpf_share *bs, struct osr_container *out)
{
	_cleanup_close_ int lock = -1;
	uint32_t slot;
	int r = 0;

	if (!bs->entered)
		return -ENOENT;
	lock = lock_share(bs);
	/* Only our own entry: a GC after we were thought dead may have reused the key. */
	if (bpf_map_lookup_elem(bs->targets_fd, &bs->key, &slot) == 0 && slot == bs->slot &&
	    bpf_map_delete_elem(bs->targets_fd, &bs->key) == 0)
		index_sync(bs);
	forget_children(bs->children_fd, bs->slot);
	bs->entered = false;
	/* Read under the lock: once it is released, another container may take the slot. */
	if (out && bpf_map_lookup_elem(bs->tables_fd, &bs->slot, out) < 0)
		r = -errno;
	unpin_if_empty(bs);
	return r;
}

void bpf_share_close(struct bpf_share *bs)
{
	close_maps(bs);
	for (size_t i = 0; i < ARRAY_SIZE(bs->private_links); i++) {
		if (bs->private_links[i] >= 0)
			close(bs->private_links[i]);
		bs->private_links[i] = -1;
	}
}

void bpf_share_collect(void)
{
	struct bpf_share bs;
	bool used[OSR_MAX_CONTAINERS] = { false }, removed;
	_cleanup_close_ int lock = -1;

	share_init(&bs, 0, false);
	lock = lock_share(&bs);
	if (lock < 0 || open_pinned(&bs) < 0)
		return;
	bs.pinned = true;
	removed = walk_targets(bs.targets_fd, bs.tables_fd, used);
	removed |= walk_targets(bs.others_fd, bs.tables_fd, used);
	if (removed)
		index_sync(&bs);
	unpin_if_empty(&bs);
	close_maps(&bs);
}

int bpf_share_find(uint32_t key, bool by_mntns, struct osr_container *out)
{
	struct bpf_share bs;
	uint32_t slot;
	int r;

	share_init(&bs, key, by_mntns);
	r = open_pinned(&bs);
	if (r < 0)
		return r;
	r = bpf_map_lookup_elem(bs.targets_fd, &key, &slot) < 0 ? -ENOENT
	    : bpf_map_lookup_elem(bs.tables_fd, &slot, out) < 0 ? -errno
								 : 0;
	close_maps(&bs);
	return r;
}
