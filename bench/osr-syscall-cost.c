// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-syscall cost, measured in one process so the conditions can take
 * turns every few tens of milliseconds: this VM's speed drifts by more than
 * the differences measured, and only close interleaving lets it fall on every
 * condition alike.
 *
 * Three loops of getppid: this process (a host task), a child in a PID
 * namespace of its own that is recorded, another that is not. Each round runs
 * them with no BPF, with the do-nothing floor program attached, and with the
 * recorder entered for the first child through bpf_share_enter(), the hook's
 * own path (the program is loaded and pinned, or found pinned), then left.
 * The order of the conditions turns each round. Prints "CONDITION PLACE median
 * p25" per line, in ns per syscall, then "ratio PLACE median" per place: the
 * median over rounds of recorder / floor within a round, which pairs samples
 * taken a few tens of milliseconds apart, so drift between rounds cancels.
 *
 * With OTHERS, that many more recordings (each of a sleeping child in a PID
 * namespace of its own) are entered before the measured one and left after
 * it, every round: the cost with 1 + OTHERS recordings on the node (the
 * measured one enters last: past the array's 64 slots when OTHERS is 64 or
 * more). Also prints "tables_bytes_per_recording N": what the tables maps
 * grew by per recording, as the kernel counts it.
 *
 * With SYSCALL "prctl", the loops call prctl(PR_GET_DUMPABLE) instead: a
 * syscall whose arguments are recorded (include/recorder.h), so the traced
 * figure is the cost of keeping its value, found in the set at once.
 *
 * With "count" last, a fourth condition takes its turn in each round: the
 * recorder entered with counting on (hdr->counting, as stats: asks), printed
 * as "counting PLACE ..." and "ratio_counting PLACE ...", and checked to have
 * counted every call of the traced child's loop.
 *
 * Usage: osr-syscall-cost [ROUNDS [LOOP [OTHERS [SYSCALL [count]]]]]
 *        (default 41 rounds of 200,000, 0, getppid)
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpfshare.h"
#include "floor.skel.h"
#include "proc.h"

enum { HOST, TRACED, UNTRACED, PLACES };
enum { NONE, FLOOR, RECORDER, COUNTING, CONDITIONS };
static const char *const place_names[] = { "host", "ctr_traced", "ctr_untraced" };
static const char *const cond_names[] = { "nobpf", "floor", "recorder", "counting" };

static long loop = 200000;
static long loop_nr = SYS_getppid;

static double loop_ns(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < loop; i++)
		syscall(loop_nr, 3L /* PR_GET_DUMPABLE for prctl */);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)loop;
}

struct child {
	pid_t pid;
	int cmd, res;
};

/* A child in a new PID namespace that runs a loop each time it is asked. */
static int spawn(struct child *c)
{
	int cmd[2], res[2];
	pid_t pid;

	if (pipe(cmd) < 0 || pipe(res) < 0)
		return -1;
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char x;
		double v;

		close(cmd[1]);
		close(res[0]);
		while (read(cmd[0], &x, 1) == 1) {
			v = loop_ns();
			if (write(res[1], &v, sizeof(v)) != sizeof(v))
				break;
		}
		_exit(0);
	}
	close(cmd[0]);
	close(res[1]);
	c->pid = pid;
	c->cmd = cmd[1];
	c->res = res[0];
	return 0;
}

static double ask(const struct child *c)
{
	double v = -1;
	char x = 'r';

	if (write(c->cmd, &x, 1) != 1 || read(c->res, &v, sizeof(v)) != sizeof(v))
		return -1;
	return v;
}

/* The id of the program behind the pinned sys_enter link, or 0. */
static __u32 pinned_prog_id(void)
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(OSR_BPF_PIN_DIR "/" OSR_BPF_ABI "/link");

	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		info.prog_id = 0;
	close(fd);
	return info.prog_id;
}

/* What the kernel counts for the pinned tables maps (their memlock), or -1. */
static long long tables_bytes(void)
{
	static const char *const names[] = { "tables", "more_tables" };
	char cmd[256], line[256];
	long long v = -1;

	for (size_t i = 0; i < 2; i++) {
		FILE *f;

		snprintf(cmd, sizeof(cmd), "bpftool map show pinned %s/%s/%s 2>/dev/null",
			 OSR_BPF_PIN_DIR, OSR_BPF_ABI, names[i]);
		f = popen(cmd, "r");
		while (f && fgets(line, sizeof(line), f)) {
			char *m = strstr(line, "memlock ");

			if (m)
				v = (v < 0 ? 0 : v) + strtoll(m + 8, NULL, 10);
		}
		if (f)
			pclose(f);
	}
	return v;
}

/*
 * Wait (up to a second) until the kernel has freed a program: a tracing
 * program goes after an RCU tasks-trace grace period, and the freeing,
 * running under the next condition, would be charged to it.
 */
static void wait_freed(__u32 id)
{
	for (int i = 0; id && i < 200; i++) {
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0 && errno == ENOENT)
			return;
		if (fd >= 0)
			close(fd);
		usleep(5000);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median over rounds of condition c / floor, paired within a round. */
static double paired_ratio(const double *v, int rounds, int c, int p)
{
	const double *fl = &v[((size_t)FLOOR * PLACES + p) * rounds];
	const double *x = &v[((size_t)c * PLACES + p) * rounds];
	double *ratio = calloc((size_t)rounds, sizeof(*ratio)), m;

	if (!ratio)
		return -1;
	for (int r = 0; r < rounds; r++)
		ratio[r] = x[r] / fl[r];
	qsort(ratio, rounds, sizeof(*ratio), cmp_double);
	m = ratio[rounds / 2];
	free(ratio);
	return m;
}

static void print_results(double *v, int rounds, int nconds)
{
	double ratios[CONDITIONS][PLACES];

	/* Paired before the samples are sorted. */
	for (int p = 0; p < PLACES; p++) {
		ratios[RECORDER][p] = paired_ratio(v, rounds, RECORDER, p);
		if (nconds > COUNTING)
			ratios[COUNTING][p] = paired_ratio(v, rounds, COUNTING, p);
	}
	for (int c = 0; c < nconds; c++)
		for (int p = 0; p < PLACES; p++) {
			double *s = &v[((size_t)c * PLACES + p) * rounds];

			qsort(s, rounds, sizeof(*s), cmp_double);
			printf("%s %s %.2f %.2f\n", cond_names[c], place_names[p], s[rounds / 2],
			       s[rounds / 4]);
		}
	for (int p = 0; p < PLACES; p++)
		printf("ratio %s %.4f\n", place_names[p], ratios[RECORDER][p]);
	for (int p = 0; nconds > COUNTING && p < PLACES; p++)
		printf("ratio_counting %s %.4f\n", place_names[p], ratios[COUNTING][p]);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 41;
	struct osr_container *hdr = calloc(1, sizeof(*hdr)), *table = malloc(sizeof(*table));
	struct child kids[PLACES];
	struct osr_err err = { "" };
	struct floor_bpf *floor;
	unsigned int inum, level;
	double *v;
	cpu_set_t cpus;

	int others = argc > 3 ? atoi(argv[3]) : 0;
	int nconds = argc > 5 && !strcmp(argv[5], "count") ? CONDITIONS : COUNTING;
	struct osr_stats *stats = calloc(1, sizeof(*stats));
	struct bpf_share *obs = calloc(others > 0 ? others : 1, sizeof(*obs));
	pid_t *opids = calloc(others > 0 ? others : 1, sizeof(*opids));
	long long mem0 = -1, mem1 = -1;

	if (argc > 2)
		loop = atol(argv[2]);
	if (argc > 4 && !strcmp(argv[4], "prctl"))
		loop_nr = SYS_prctl;
	else if (argc > 4 && strcmp(argv[4], "getppid"))
		rounds = 0;
	if (argc > 5 && nconds != CONDITIONS)
		rounds = 0;
	if (rounds < 1 || loop < 1 || others < 0 || others >= OSR_MAX_RECORDINGS || !hdr ||
	    !table || !obs || !opids || !stats) {
		fprintf(stderr,
			"usage: osr-syscall-cost [ROUNDS [LOOP [OTHERS [getppid|prctl [count]]]]]\n");
		return 2;
	}
	for (int i = 0; i < others; i++) {
		opids[i] = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
		if (opids[i] == 0) {
			pause();
			_exit(0);
		}
		if (opids[i] < 0) {
			fprintf(stderr, "osr-syscall-cost: cannot start the others: %s\n",
				strerror(errno));
			return 1;
		}
	}
	v = calloc((size_t)rounds * CONDITIONS * PLACES, sizeof(*v));
	/* One CPU for all: the children inherit it. */
	CPU_ZERO(&cpus);
	CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) - 1, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	if (!v || spawn(&kids[TRACED]) < 0 || spawn(&kids[UNTRACED]) < 0) {
		fprintf(stderr, "osr-syscall-cost: cannot start the children: %s\n",
			strerror(errno));
		return 1;
	}
	floor = floor_bpf__open_and_load();
	if (!floor || pidns_of(kids[TRACED].pid, &inum, &level, &err) < 0) {
		fprintf(stderr,
			"osr-syscall-cost: cannot load the floor program or read the pidns\n");
		return 1;
	}
	/* exe 0: the child counts as the workload at once, as a container's process does. */

	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < nconds; i++) {
			int c = (r + i) % nconds;
			bool rec = c == RECORDER || c == COUNTING;
			struct bpf_share bs;
			double *s = &v[((size_t)c * PLACES) * rounds];

			if (c == FLOOR && floor_bpf__attach(floor) < 0) {
				fprintf(stderr,
					"osr-syscall-cost: cannot attach the floor program\n");
				return 1;
			}
			hdr->counting = 0;
			for (int o = 0; rec && o < others; o++) {
				if (bpf_share_enter(&obs[o],
						    &(struct share_request){ .pid = opids[o] }, hdr,
						    &err) < 0) {
					fprintf(stderr, "osr-syscall-cost: %s\n", err.msg);
					return 1;
				}
				if (o == 0 && mem0 < 0)
					mem0 = tables_bytes();
			}
			/* The measured recording counts, through the hook's own path, or not. */
			hdr->counting = c == COUNTING;
			if (rec &&
			    bpf_share_enter(&bs, &(struct share_request){ .pid = kids[TRACED].pid },
					    hdr, &err) < 0) {
				fprintf(stderr, "osr-syscall-cost: %s\n", err.msg);
				return 1;
			}
			if (rec && mem1 < 0)
				mem1 = tables_bytes();
			usleep(20000);
			s[HOST * rounds + r] = loop_ns();
			s[TRACED * rounds + r] = ask(&kids[TRACED]);
			s[UNTRACED * rounds + r] = ask(&kids[UNTRACED]);
			if (c == FLOOR)
				floor_bpf__detach(floor);
			if (rec) {
				__u32 id = pinned_prog_id();
				int left = bpf_share_leave(&bs, table, c == COUNTING ? stats : NULL);

				bpf_share_close(&bs);
				for (int o = others; o-- > 0;) {
					bpf_share_leave(&obs[o], NULL, NULL);
					bpf_share_close(&obs[o]);
				}
				wait_freed(id);
				/* What is measured as traced was recorded, or the figure means nothing. */
				if (left < 0 ||
				    !(table->seen[OSR_PHASE_WORKLOAD][OSR_ABI_NATIVE][loop_nr] &
				      OSR_SEEN)) {
					fprintf(stderr,
						"osr-syscall-cost: the traced child's syscall "
						"was not recorded\n");
					return 1;
				}
				/* Every call of the loop counted, none lost. */
				if (c == COUNTING &&
				    stats->count[OSR_PHASE_WORKLOAD][OSR_ABI_NATIVE][loop_nr] <
					    (__u64)loop) {
					fprintf(stderr,
						"osr-syscall-cost: %llu calls counted of %ld\n",
						(unsigned long long)
							stats->count[OSR_PHASE_WORKLOAD]
								    [OSR_ABI_NATIVE][loop_nr],
						loop);
					return 1;
				}
			}
		}
	print_results(v, rounds, nconds);
	if (others > 0 && mem0 >= 0 && mem1 > mem0)
		printf("tables_bytes_per_recording %lld\n", (mem1 - mem0) / others);
	for (int o = 0; o < others; o++)
		kill(opids[o], SIGKILL);
	kill(kids[TRACED].pid, SIGKILL);
	kill(kids[UNTRACED].pid, SIGKILL);
	floor_bpf__destroy(floor);
	return 0;
}
