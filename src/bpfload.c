// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading the shared program: the first build the kernel takes, pinned in a
 * bpffs so the next tracers reuse it, or kept as a tracer's own where no
 * bpffs can be had; unpinned by the last one out.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "recorder.lskel.h"
#include "recorder.skel.h"
#include "recorder_k510.skel.h"
#include "bpfload.h"
#include "log.h"

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
	[OSR_MAP_COUNTS] = { "counts", offsetof(struct recorder_lskel, maps.counts.map_fd) },
};

/*
 * The programs, by the names their link and the program itself are pinned
 * under (sys_enter's first: its program's pin is the sign all is loaded, its
 * link's that all is attached), where the light skeleton keeps each program
 * and its name in the object.
 */
static const struct {
	const char *pin;
	const char *prog_pin;
	size_t lskel_fd;
	const char *prog;
} links[OSR_LINK_COUNT] = {
	{ "link", "prog_sys_enter", offsetof(struct recorder_lskel, progs.osr_sys_enter.prog_fd),
	  "osr_sys_enter" },
	{ "exit_link", "prog_task_exit",
	  offsetof(struct recorder_lskel, progs.osr_task_exit.prog_fd), "osr_task_exit" },
	{ "newtask_link", "prog_task_new",
	  offsetof(struct recorder_lskel, progs.osr_task_new.prog_fd), "osr_task_new" },
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

/* Keep the tail: the verifier's verdict is at the end of its log. */
static void bpf_log_keep(const char *s, size_t n)
{
	if (n >= sizeof(bpf_log)) {
		s += n - (sizeof(bpf_log) - 1);
		n = sizeof(bpf_log) - 1;
	}
	if (bpf_log_len + n >= sizeof(bpf_log)) {
		size_t drop = bpf_log_len + n - sizeof(bpf_log) + 1;

		memmove(bpf_log, bpf_log + drop, bpf_log_len - drop);
		bpf_log_len -= drop;
	}
	memcpy(bpf_log + bpf_log_len, s, n);
	bpf_log_len += n;
	bpf_log[bpf_log_len] = '\0';
}

/*
 * libbpf gives the verifier's whole log as one message, megabytes on a
 * program the kernel refuses: a longer message than the line is formatted
 * again in full, so that its end, the verdict, is what is kept.
 */
static int bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	_cleanup_free_ char *big = NULL;
	char line[1024];
	va_list again;
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	va_copy(again, ap);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n > 0 && (size_t)n >= sizeof(line) && (big = malloc((size_t)n + 1)))
		vsnprintf(big, (size_t)n + 1, fmt, again);
	va_end(again);
	if (n <= 0)
		return 0;
	if (big)
		bpf_log_keep(big, n);
	else
		bpf_log_keep(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	return 0;
}

void share_init(struct bpf_share *bs, bool by_mntns)
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

void share_close_maps(struct bpf_share *bs)
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

/*
 * A pin folder only root may change. A bpffs mounted without mode= (by hand,
 * or by an agent such as Cilium's) is 1777, and systemd's 0700 is only
 * systemd's: a user who made the folders first could unlink the link pins
 * (the program detached under every recording on the node) or plant
 * symlinks to another program's maps for root to open and write.
 */
static int pin_dir_check(const char *dir, struct osr_err *err)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return osr_fail(err, -errno, "cannot stat the BPF pin folder '%s': %s", dir,
				osr_strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return osr_fail(err, -ENOTDIR,
				"the BPF pin folder '%s' is not a folder (a symlink?): refusing to "
				"pin the program through it; remove it",
				dir);
	if (st.st_uid != geteuid() || (st.st_mode & 0022))
		return osr_fail(err, -EPERM,
				"the BPF pin folder '%s' is owned by uid %u with mode %04o: another "
				"user could reach the program's pins; remove it (and mount the bpffs "
				"with mode=0700)",
				dir, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
	return 0;
}

/* Both pin folders, the node's and this ABI's, each root's alone. */
static int pin_dirs_check(const struct bpf_share *bs, struct osr_err *err)
{
	int r = pin_dir_check(OSR_BPF_PIN_DIR, err);

	return r < 0 ? r : pin_dir_check(bs->pin_dir, err);
}

int share_open_pinned(struct bpf_share *bs)
{
	struct osr_err err = { "" };
	int fds[OSR_MAP_COUNT];
	char path[256];
	int link_fd, r;

	/* Missing (-ENOENT): a start loads it. Another user's: share_load() refuses, saying so. */
	r = pin_dirs_check(bs, &err);
	if (r < 0)
		return r;
	pin_path(path, sizeof(path), bs, links[0].prog_pin);
	link_fd = bpf_obj_get(path);
	if (link_fd < 0)
		return -errno;
	close(link_fd); /* its pin keeps it; it was only a sign the program is there */
	for (size_t i = 0; i < OSR_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), bs, maps[i].name);
		fds[i] = bpf_obj_get(path);
		if (fds[i] < 0) {
			r = -errno;
			while (i-- > 0)
				close(fds[i]);
			return r;
		}
	}
	return set_fds(bs, fds);
}

bool share_attached(const struct bpf_share *bs)
{
	char path[256];

	pin_path(path, sizeof(path), bs, links[0].pin);
	return access(path, F_OK) == 0;
}

/* Every link, sys_enter's first: while its pin is there, all are attached. */
static void unpin_links(const struct bpf_share *bs)
{
	char path[256];

	for (size_t i = 0; i < OSR_LINK_COUNT; i++) {
		pin_path(path, sizeof(path), bs, links[i].pin);
		unlink(path);
	}
}

/*
 * Only sys_enter's link: the syscall path runs nothing. The fork and exit
 * programs stay attached while the program is loaded (they run once per task,
 * never per syscall, and return at once with nothing recorded), so the next
 * start attaches one program, not three.
 */
void share_detach(const struct bpf_share *bs)
{
	char path[256];

	pin_path(path, sizeof(path), bs, links[0].pin);
	unlink(path);
}

/* Attach the programs (fds in progs) to their tracepoints: their links in links_out. */
static int attach_progs(const int *progs, int *links_out)
{
	for (size_t i = 0; i < OSR_LINK_COUNT; i++) {
		links_out[i] = bpf_raw_tracepoint_open(NULL, progs[i]);
		if (links_out[i] < 0)
			return -errno;
	}
	return 0;
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/*
 * Attach the pinned programs whose links are not pinned, and pin their links
 * (with the node lock held): a few hundred microseconds, where loading them
 * took the verifier's 10 ms and more. sys_enter's last: its link's pin is
 * the sign all are attached.
 */
int share_attach(const struct bpf_share *bs, struct osr_err *err)
{
	char path[256];
	int r = 0;

	if (share_attached(bs))
		return 0;
	for (size_t i = OSR_LINK_COUNT; r == 0 && i-- > 0;) {
		_cleanup_close_ int prog = -1, link = -1;

		pin_path(path, sizeof(path), bs, links[i].pin);
		if (access(path, F_OK) == 0)
			continue;
		pin_path(path, sizeof(path), bs, links[i].prog_pin);
		prog = bpf_obj_get(path);
		if (prog < 0) {
			r = osr_fail(err, -errno, "cannot open the pinned BPF program '%s': %s",
				     path, osr_strerror(errno));
			break;
		}
		link = bpf_raw_tracepoint_open(NULL, prog);
		if (link < 0) {
			r = osr_fail(err, -errno, "cannot attach the BPF program %s: %s",
				     links[i].prog, osr_strerror(errno));
			break;
		}
		/* Attached while pinned: the fds close. */
		pin_path(path, sizeof(path), bs, links[i].pin);
		if (bpf_obj_pin(link, path) < 0)
			r = osr_fail(err, -errno, "cannot pin the BPF link '%s': %s", path,
				     osr_strerror(errno));
	}
	/* Nothing half attached: a start that failed leaves none of the links pinned. */
	if (r < 0)
		unpin_links(bs);
	return r;
}

void share_unpin_all(const struct bpf_share *bs)
{
	char path[256];

	unpin_links(bs);
	/* The program's sign first: a start that still sees it finds the maps too. */
	for (size_t i = 0; i < OSR_LINK_COUNT; i++) {
		pin_path(path, sizeof(path), bs, links[i].prog_pin);
		unlink(path);
	}
	for (size_t i = 0; i < OSR_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), bs, maps[i].name);
		unlink(path);
	}
	rmdir(bs->pin_dir);
	rmdir(OSR_BPF_PIN_DIR); /* fails while another ABI version is in use: fine */
}

/* The programs loaded (not attached), by either loader: the fds to pin or keep. */
struct loaded {
	int progs[OSR_LINK_COUNT];
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
	if (r == 0) {
		for (size_t i = 0; i < OSR_LINK_COUNT; i++)
			l->progs[i] = dup(*(int *)((char *)skel + links[i].lskel_fd));
		for (size_t i = 0; i < OSR_MAP_COUNT; i++)
			l->maps[i] = dup(*(int *)((char *)skel + maps[i].lskel_fd));
	}
	recorder_lskel__destroy(skel);
	return r < 0 ? r : 0;
}

/* Dup the loaded object's fds to keep (see load_fast()). */
static int keep_object(struct bpf_object *obj, struct loaded *l)
{
	for (size_t i = 0; i < OSR_LINK_COUNT; i++) {
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, links[i].prog);

		if (!prog)
			return -ENOENT;
		l->progs[i] = dup(bpf_program__fd(prog));
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
		return osr_fail(err, r, "the kernel refused the BPF program: %s%s%s%s",
				osr_strerror(-r),
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
		return osr_fail(err, r, "cannot keep the BPF programs: %s", osr_strerror(-r));
	return 0;
}

static void close_loaded(struct loaded *l)
{
	close_fds(l->progs, OSR_LINK_COUNT);
	close_fds(l->maps, OSR_MAP_COUNT);
}

/* Pin the maps first and sys_enter's program last: it is the sign all is there. */
static int pin_loaded(const struct bpf_share *bs, const struct loaded *l)
{
	char path[256];

	for (size_t i = 0; i < OSR_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), bs, maps[i].name);
		if (bpf_obj_pin(l->maps[i], path) < 0)
			return -errno;
	}
	for (size_t i = OSR_LINK_COUNT; i-- > 0;) {
		pin_path(path, sizeof(path), bs, links[i].prog_pin);
		if (bpf_obj_pin(l->progs[i], path) < 0)
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

int share_variant_check(struct osr_err *err)
{
	enum variant first, last;

	return variants_to_try(&first, &last, err);
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
				"the kernel, Linux '%s', is older than " OSR_MIN_KERNEL
				", the oldest "
				"the recorder supports and is tested on: %s",
				u.release, last_err.msg);
	return osr_fail(err, r,
			"on Linux '%s' (the recorder supports " OSR_MIN_KERNEL
			" and later, with BTF): %s",
			u.release, last_err.msg);
}

int share_load(struct bpf_share *bs, struct osr_err *err)
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
	log_debug("BPF program loaded by %s", by);
	for (size_t i = 0; i < OSR_LINK_COUNT + OSR_MAP_COUNT; i++)
		if ((i < OSR_LINK_COUNT ? l.progs[i] : l.maps[i - OSR_LINK_COUNT]) < 0) {
			close_loaded(&l);
			return osr_fail(err, -EMFILE, "cannot keep the BPF program's fds: %s",
					osr_strerror(errno));
		}

	bs->pinned = ensure_bpffs() >= 0 &&
		     (mkdir(OSR_BPF_PIN_DIR, 0700) == 0 || errno == EEXIST) &&
		     (mkdir(bs->pin_dir, 0700) == 0 || errno == EEXIST);
	/* Refused rather than kept private: the node's limits live in the pinned maps. */
	if (bs->pinned && (r = pin_dirs_check(bs, err)) < 0) {
		close_loaded(&l);
		return r;
	}
	if (bs->pinned && pin_loaded(bs, &l) < 0) {
		share_unpin_all(bs);
		bs->pinned = false;
	}
	if (!bs->pinned) {
		/* No bpffs: a program of this container's own, detached when its link fds close. */
		r = attach_progs(l.progs, bs->private_links);
		close_fds(l.progs, OSR_LINK_COUNT); /* the links hold them */
		if (r < 0) {
			close_fds(l.maps, OSR_MAP_COUNT);
			return osr_fail(err, r,
					"cannot attach the BPF programs to raw_syscalls:sys_enter, "
					"sched:sched_process_exit and task:task_newtask: %s",
					osr_strerror(-r));
		}
		r = set_fds(bs, l.maps);
		return r < 0 ? osr_fail(err, r, "cannot map the BPF index: %s", osr_strerror(-r))
			     : 0;
	}
	close_loaded(&l); /* the pins hold the links, the programs and the maps */
	r = share_open_pinned(bs);
	return r < 0 ? osr_fail(err, r, "cannot open the pinned maps in '%s': %s", bs->pin_dir,
				osr_strerror(-r))
		     : 0;
}

/* Flock path (created 0600), waiting: the fd, or -errno. */
int share_lock(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return -errno;
		}
	return fd;
}
