// SPDX-License-Identifier: GPL-2.0-only
/*
 * The census of the node's recordings, and the limits it is held to: the
 * node's, a tenant's quota and its share of the counting slots. Recordings of
 * tracers that died are collected here.
 *
 * The counts are kept, not counted: a file in /run, mapped by every holder of
 * the node lock, says how many recordings the maps hold, which array slots
 * they use and each tenant's, and each enter or leave changes one entry. A
 * start then holds the lock for the same few map updates whether the node
 * records 1 container or 1,000 (counting them took ~7 ms at 500 here, and
 * every start queued behind every other's count).
 *
 * A holder can die at any point (the lock is flock: the kernel lets it go),
 * so the counts say whether to trust them: `dirty` is set while the lock is
 * held and cleared just before it is let go; the next holder that finds it
 * set, or finds the counts made for other maps (the program unloaded and
 * loaded again), counts them again from the maps, as every start used to.
 */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpfcensus.h"
#include "bpfindex.h"
#include "bpfload.h"
#include "log.h"
#include "proc.h"

/* "osrc" and the layout's version: a file of another layout is counted afresh. */
#define CENSUS_MAGIC 0x6f737202u
/* Open addressing, at most half full: as many recordings as the node holds, each its own tenant. */
#define CENSUS_TENANT_SLOTS (2 * OSR_MAX_RECORDINGS)

_Static_assert(OSR_STATIC_TABLES <= 64, "the slots in use are one 64-bit word");
_Static_assert(OSR_MAX_COUNTING <= 64, "the counting slots in use are one 64-bit word");

struct census_tenant {
	char name[OSR_TENANT_MAX]; /* "" : never used; kept with count 0 once used */
	uint32_t count;		   /* its recordings */
	uint32_t counting;	   /* of them, those with a `stats` entry */
};

struct census_state {
	uint32_t magic;
	uint32_t maps_id;     /* the `recordings` map these counts are of */
	uint32_t dirty;	      /* set while a holder of the node lock may be changing the maps */
	uint32_t total;	      /* entries in `recordings` */
	uint64_t slots;	      /* the array slots in use, bit n for loc n + 1 */
	uint64_t count_slots; /* the counting slots in use, bit n for count_slot n + 1 */
	struct census_tenant tenants[CENSUS_TENANT_SLOTS];
};

#define CENSUS_SIZE ((sizeof(struct census_state) + 4095) & ~(size_t)4095)

static bool tracer_alive(const struct osr_recording *rec)
{
	unsigned long long start;

	return proc_start_time((pid_t)rec->tracer_pid, &start) == 0 && start == rec->tracer_start;
}

static uint32_t name_hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < OSR_TENANT_MAX && name[i]; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

/*
 * The tenant's entry: found, or (with create) made in the first never-used
 * slot of its probe; NULL when there is none ("" is no tenant). Entries stay
 * once used, so a probe never skips a live one; a table full of old names is
 * counted afresh, which drops them.
 */
static struct census_tenant *tenant_entry(struct census_state *st, const char *tenant, bool create)
{
	char name[OSR_TENANT_MAX];
	uint32_t h;

	if (!tenant || !*tenant)
		return NULL;
	/* As the recording keeps it: cut to fit. */
	snprintf(name, sizeof(name), "%s", tenant);
	h = name_hash(name);
	for (uint32_t i = 0; i < CENSUS_TENANT_SLOTS; i++) {
		struct census_tenant *t = &st->tenants[(h + i) % CENSUS_TENANT_SLOTS];

		if (!strncmp(t->name, name, sizeof(t->name)))
			return t;
		if (!t->name[0]) {
			if (!create)
				return NULL;
			memcpy(t->name, name, sizeof(t->name));
			return t;
		}
	}
	return NULL;
}

static void count_in(struct census_state *st, const struct osr_recording *rec, bool counting)
{
	struct census_tenant *t = tenant_entry(st, rec->tenant, true);

	st->total++;
	if (!(rec->loc & OSR_LOC_HASH) && rec->loc && rec->loc <= OSR_STATIC_TABLES)
		st->slots |= 1ull << (rec->loc - 1);
	if (rec->count_slot && rec->count_slot <= OSR_MAX_COUNTING)
		st->count_slots |= 1ull << (rec->count_slot - 1);
	if (t) {
		t->count++;
		t->counting += counting;
	}
}

/* Delete the keys of map fd that are no recording's id: left by a holder that died mid-enter. */
static void drop_orphans(const struct bpf_share *bs, int fd)
{
	struct osr_recording rec;
	uint32_t key, next, *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		if (bpf_map_lookup_elem(bs->fds[OSR_MAP_RECORDINGS], &key, &rec) < 0 &&
		    bpf_map_delete_elem(fd, &key) == 0) {
			prev = NULL; /* the walk starts over after a deletion */
			continue;
		}
		prev = &key;
	}
}

/* Count everything again from the maps, and sync the whole index (lock held). */
static int census_rebuild(const struct bpf_share *bs, uint32_t maps_id)
{
	_cleanup_free_ struct osr_stats *stats = malloc(sizeof(*stats));
	struct census_state *st = bs->census;
	uint32_t id, next, *prev = NULL;
	struct osr_recording rec;

	if (!stats)
		return -ENOMEM;
	drop_orphans(bs, bs->fds[OSR_MAP_STATS]);
	drop_orphans(bs, bs->fds[OSR_MAP_MORE_TABLES]);
	memset(st, 0, sizeof(*st));
	while (bpf_map_get_next_key(bs->fds[OSR_MAP_RECORDINGS], prev, &next) == 0) {
		id = next;
		prev = &id;
		if (bpf_map_lookup_elem(bs->fds[OSR_MAP_RECORDINGS], &id, &rec) < 0)
			continue;
		count_in(st, &rec, bpf_map_lookup_elem(bs->fds[OSR_MAP_STATS], &id, stats) == 0);
	}
	share_index_sync(bs);
	st->maps_id = maps_id;
	st->magic = CENSUS_MAGIC;
	return 0;
}

static int map_id(int fd, uint32_t *id)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return -errno;
	*id = info.id;
	return 0;
}

/* The counts' memory: the node's file for pinned maps, this process's own for its own maps. */
static int census_map(struct bpf_share *bs)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	void *p;

	if (!bs->pinned) {
		p = mmap(NULL, CENSUS_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			 0);
	} else {
		fd = open(OSR_CENSUS_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0)
			return -errno;
		if (!S_ISREG(st.st_mode))
			return -EINVAL;
		/* A new file reads as zeros: no magic, so it is counted. */
		if ((size_t)st.st_size != CENSUS_SIZE && ftruncate(fd, CENSUS_SIZE) < 0)
			return -errno;
		p = mmap(NULL, CENSUS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	}
	if (p == MAP_FAILED)
		return -errno;
	bs->census = p;
	return 0;
}

int share_census_lock(struct bpf_share *bs, struct osr_err *err)
{
	struct census_state *st;
	bool was_dirty;
	uint32_t id = 0;
	int r;

	if (!bs->census && (r = census_map(bs)) < 0)
		return osr_fail(err, r, "cannot map the node's census '%s': %s", OSR_CENSUS_FILE,
				osr_strerror(-r));
	st = bs->census;
	was_dirty = st->dirty;
	/* Set first: whatever happens from here, a holder dying leaves it set. */
	st->dirty = 1;
	r = map_id(bs->fds[OSR_MAP_RECORDINGS], &id);
	if (r < 0)
		return osr_fail(err, r, "cannot read the id of the BPF map of recordings: %s",
				osr_strerror(-r));
	if (st->magic != CENSUS_MAGIC || was_dirty || st->maps_id != id) {
		/* Debug mode says so: the faults tests look for it after a holder is killed. */
		log_debug("the node's census is counted again (%s)",
			  st->magic != CENSUS_MAGIC ? "none yet"
			  : was_dirty		    ? "a holder of the node lock died"
						    : "the program was loaded again");
		r = census_rebuild(bs, id);
		if (r < 0)
			return osr_fail(err, r, "cannot count the node's recordings: %s",
					osr_strerror(-r));
	}
	bs->census_held = true;
	return 0;
}

void share_census_unlock(struct bpf_share *bs)
{
	/* Only what this holder marked: counts it failed to check stay to be made again. */
	if (bs->census && bs->census_held)
		__atomic_store_n(&bs->census->dirty, 0, __ATOMIC_RELEASE);
	bs->census_held = false;
}

void share_census_unmap(struct bpf_share *bs)
{
	if (bs->census)
		munmap(bs->census, CENSUS_SIZE);
	bs->census = NULL;
}

void share_census_add(const struct bpf_share *bs, const struct osr_recording *rec, bool counting)
{
	struct census_state *st = bs->census;
	uint32_t id = 0;

	if (rec->tenant[0] && !tenant_entry(st, rec->tenant, true)) {
		/* Every slot holds a name, most of them old: count again, which keeps the live. */
		if (map_id(bs->fds[OSR_MAP_RECORDINGS], &id) < 0 || census_rebuild(bs, id) < 0)
			st->magic = 0; /* counted again by the next holder */
		return;
	}
	count_in(st, rec, counting);
}

void share_census_drop(const struct bpf_share *bs, const struct osr_recording *rec, bool counted)
{
	struct census_state *st = bs->census;
	struct census_tenant *t;

	if (!st)
		return;
	t = tenant_entry(st, rec->tenant, false);
	if (st->total)
		st->total--;
	if (!(rec->loc & OSR_LOC_HASH) && rec->loc && rec->loc <= OSR_STATIC_TABLES)
		st->slots &= ~(1ull << (rec->loc - 1));
	if (rec->count_slot && rec->count_slot <= OSR_MAX_COUNTING)
		st->count_slots &= ~(1ull << (rec->count_slot - 1));
	if (t && t->count)
		t->count--;
	if (t && counted && t->counting)
		t->counting--;
}

/* Take a recording out of every map (with the lock held), the index and the census. */
void share_remove(const struct bpf_share *bs, uint32_t id, const struct osr_recording *rec)
{
	uint32_t table_key;
	bool counted;
	int fd;

	share_unkey(bs, rec);
	/* An array slot stays: the next recording in it writes it whole. */
	fd = share_table_fd(bs, rec->loc, &table_key);
	if (rec->loc & OSR_LOC_HASH)
		bpf_map_delete_elem(fd, &table_key);
	counted = bpf_map_delete_elem(bs->fds[OSR_MAP_STATS], &id) == 0;
	if (bpf_map_delete_elem(bs->fds[OSR_MAP_RECORDINGS], &id) == 0)
		share_census_drop(bs, rec, counted);
}

/* The dead tracers' recordings out (lock held): each reads /proc, so only when a limit is hit. */
static bool collect_dead(const struct bpf_share *bs)
{
	uint32_t id, next, *prev = NULL;
	struct osr_recording rec;
	bool removed = false;

	while (bpf_map_get_next_key(bs->fds[OSR_MAP_RECORDINGS], prev, &next) == 0) {
		id = next;
		if (bpf_map_lookup_elem(bs->fds[OSR_MAP_RECORDINGS], &id, &rec) == 0 &&
		    !tracer_alive(&rec)) {
			share_remove(bs, id, &rec);
			removed = true;
			prev = NULL; /* the walk starts over after a deletion */
			continue;
		}
		prev = &id;
	}
	return removed;
}

void share_census(const struct bpf_share *bs, const char *tenant, bool collect, struct census *c)
{
	struct census_tenant *t;

	memset(c, 0, sizeof(*c));
	if (collect)
		c->removed = collect_dead(bs);
	t = tenant_entry(bs->census, tenant, false);
	c->total = bs->census->total;
	c->tenant = t ? t->count : 0;
	c->tenant_counting = t ? t->counting : 0;
	for (int s = 0; s < OSR_STATIC_TABLES; s++)
		c->slot_used[s] = bs->census->slots & (1ull << s);
	for (int s = 0; s < OSR_MAX_COUNTING; s++)
		c->count_slot_used[s] = bs->census->count_slots & (1ull << s);
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
int share_over_limits(const struct census *c, const struct share_request *req, bool counting,
		      struct osr_err *err)
{
	bool user = req->tenant &&
		    !strncmp(req->tenant, OSR_TENANT_UID_PREFIX, strlen(OSR_TENANT_UID_PREFIX));
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
