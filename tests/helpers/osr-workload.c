// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workloads for the integration tests, run inside the test containers. Each
 * mode makes one syscall that nothing else in the program makes, from a place
 * a tracer could miss: another thread, a grandchild, a nested PID namespace,
 * the ia32 entry. Built static so a busybox rootfs is enough.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static void *thread_main(void *arg)
{
	(void)arg;
	syscall(SYS_sysinfo, NULL); /* fails with EFAULT; the entry is what counts */
	return NULL;
}

/* count's threads: each makes its syscall this many times, all starting together. */
static long count_nr, count_n;
static pthread_barrier_t count_start;

static void *count_main(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&count_start);
	for (long i = 0; i < count_n; i++)
		syscall(count_nr, 0, NULL, NULL);
	return NULL;
}

/* A rarely used syscall by name, or -1: the ones call and count make. */
static long rare_syscall(const char *name)
{
	static const struct {
		const char *name;
		long nr;
	} calls[] = {
		{ "sysinfo", SYS_sysinfo },	{ "times", SYS_times },
		{ "getcpu", SYS_getcpu },	{ "getrusage", SYS_getrusage },
		{ "getitimer", SYS_getitimer }, { "sched_getscheduler", SYS_sched_getscheduler },
		{ "getpgid", SYS_getpgid },	{ "getsid", SYS_getsid },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(calls[i].name, name))
			return calls[i].nr;
	return -1;
}

/* lat's samples: each call timed alone, sorted for its median and p99. */
#define LAT_MAX 100000
static double lat_ns[LAT_MAX];

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int wait_child(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "thread")) {
		pthread_t t;

		if (pthread_create(&t, NULL, thread_main, NULL))
			return 1;
		return pthread_join(t, NULL) ? 1 : 0;
	}
	if (!strcmp(mode, "grandchild")) {
		pid_t child = fork();

		if (child == 0) {
			pid_t grandchild = fork();

			if (grandchild == 0) {
				syscall(SYS_times, NULL);
				_exit(0);
			}
			_exit(wait_child(grandchild));
		}
		return wait_child(child);
	}
	if (!strcmp(mode, "nested")) {
		/* The child is pid 1 of a PID namespace inside the container's. */
		if (unshare(CLONE_NEWPID) < 0) {
			perror("unshare(CLONE_NEWPID)");
			return 1;
		}
		pid_t child = fork();

		if (child == 0) {
			syscall(SYS_getcpu, NULL, NULL, NULL);
			_exit(getpid() == 1 ? 0 : 2);
		}
		return wait_child(child);
	}
	if (!strcmp(mode, "newns")) {
		/* A child made with a mount namespace of its own (clone, not unshare). */
		pid_t child =
			(pid_t)syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, NULL);

		if (child < 0) {
			perror("clone(CLONE_NEWNS)");
			return 1;
		}
		if (child == 0) {
			struct itimerval it;

			syscall(SYS_getitimer, ITIMER_REAL, &it);
			_exit(0);
		}
		return wait_child(child);
	}
	if (!strcmp(mode, "ia32")) {
#if defined(__x86_64__)
		long ret;

		/*
		 * ia32 getpid (20; 20 is writev on x86-64) through int 0x80: the kernel
		 * sees an ia32 syscall from a 64-bit process.
		 */
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		return ret > 0 ? 0 : 3;
#else
		return 4;
#endif
	}
	if (!strcmp(mode, "loop") && argc > 2) {
		/* The benchmark's probe: the cost of one cheap syscall, in ns. */
		long n = strtol(argv[2], NULL, 10);
		struct timespec a, b;

		if (n <= 0)
			return 2;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%.2f\n",
		       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n);
		return 0;
	}
	if (!strcmp(mode, "pingpong") && argc > 2) {
		/*
		 * The benchmark's other probe: two processes hand a byte back and forth
		 * over pipes, N round trips, each two context switches and four
		 * syscalls; prints ns per round trip. Run on one CPU.
		 */
		long n = strtol(argv[2], NULL, 10);
		int ab[2], ba[2];
		struct timespec a, b;
		char c = 0;
		pid_t pid;

		if (n <= 0 || pipe(ab) < 0 || pipe(ba) < 0)
			return 2;
		pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			close(ab[1]);
			close(ba[0]);
			while (read(ab[0], &c, 1) == 1 && write(ba[1], &c, 1) == 1)
				;
			_exit(0);
		}
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < n; i++)
			if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
				return 3;
		clock_gettime(CLOCK_MONOTONIC, &b);
		close(ab[1]);
		waitpid(pid, NULL, 0);
		printf("%.2f\n",
		       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n);
		return 0;
	}
	if (!strcmp(mode, "lat") && argc > 3) {
		/*
		 * The benchmark's watch-mode probe: a rarely used syscall, named, N
		 * times, each timed alone (a notified one is a round trip to the
		 * listener); prints the median and the p99, in ns. N 0 makes every
		 * other syscall of the mode, for a profile to be recorded from.
		 */
		long nr = rare_syscall(argv[2]), n = strtol(argv[3], NULL, 10);
		struct timespec a, b;

		if (nr < 0 || n < 0 || n > LAT_MAX)
			return 2;
		/* Where the clock is not in the vDSO it is a syscall: a recording sees it. */
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < n; i++) {
			clock_gettime(CLOCK_MONOTONIC, &a);
			syscall(nr, 0, NULL, NULL);
			clock_gettime(CLOCK_MONOTONIC, &b);
			lat_ns[i] = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
		}
		qsort(lat_ns, (size_t)n, sizeof(lat_ns[0]), cmp_double);
		printf("%.1f %.1f\n", n ? lat_ns[n / 2] : 0.0, n ? lat_ns[(n * 99) / 100] : 0.0);
		return 0;
	}
	if (!strcmp(mode, "call") && argc > 2) {
		/*
		 * One rarely used syscall, named, twice with a pause between: containers
		 * run side by side overlap, and each must record its own alone.
		 */
		long nr = rare_syscall(argv[2]);

		if (nr < 0)
			return 2;
		syscall(nr, 0, NULL, NULL);
		usleep(300000);
		syscall(nr, 0, NULL, NULL);
		return 0;
	}
	if (!strcmp(mode, "count") && argc > 4) {
		/*
		 * A rarely used syscall, named, N times in each of T threads that start
		 * together: the counts must say N x T exactly, however many CPUs.
		 */
		long t = strtol(argv[4], NULL, 10);
		pthread_t th[256];

		count_nr = rare_syscall(argv[2]);
		count_n = strtol(argv[3], NULL, 10);
		if (count_nr < 0 || count_n < 0 || t < 1 || t > 256 ||
		    pthread_barrier_init(&count_start, NULL, (unsigned int)t))
			return 2;
		for (long i = 1; i < t; i++)
			if (pthread_create(&th[i], NULL, count_main, NULL))
				return 1;
		count_main(NULL);
		for (long i = 1; i < t; i++)
			pthread_join(th[i], NULL);
		return 0;
	}
	if (!strcmp(mode, "ia32count") && argc > 2) {
#if defined(__x86_64__)
		/* ia32 getpid through int 0x80, N times: counted under the ia32 ABI. */
		long n = strtol(argv[2], NULL, 10), ret = 0;

		for (long i = 0; i < n; i++)
			__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		return ret > 0 || n == 0 ? 0 : 3;
#else
		return 4;
#endif
	}
	if (!strcmp(mode, "sys") && argc > 2) {
		/*
		 * A syscall whose arguments a profile may restrict, with the numbers
		 * given: prints "ok" or "errno N". A filter's refusal is told from the
		 * kernel's own by the errno the test's profile returns.
		 */
		static const struct {
			const char *name;
			long nr;
		} calls[] = {
			{ "socket", SYS_socket },   { "socketpair", SYS_socketpair },
			{ "unshare", SYS_unshare }, { "personality", SYS_personality },
			{ "prctl", SYS_prctl },	    { "ioctl", SYS_ioctl },
			{ "setns", SYS_setns },	    { "clone3", SYS_clone3 },
		};
		long a[4] = { 0 };
		int sv[2];

		for (int i = 0; i < 4 && i + 3 < argc; i++)
			a[i] = (long)strtoul(argv[i + 3], NULL, 0);
		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
			long r;

			if (strcmp(calls[i].name, argv[2]))
				continue;
			if (calls[i].nr == SYS_socketpair)
				a[3] = (long)sv;
			r = syscall(calls[i].nr, a[0], a[1], a[2], a[3]);
			if (r < 0)
				printf("errno %d\n", errno);
			else
				printf("ok\n");
			return 0;
		}
		return 2;
	}
	if (!strcmp(mode, "nr") && argc > 2) {
		/* A syscall by number, even one no kernel has (it fails with ENOSYS). */
		syscall(strtol(argv[2], NULL, 0), 0, NULL, NULL);
		return 0;
	}
	fprintf(stderr,
		"usage: osr-workload thread|grandchild|nested|newns|ia32|call NAME|count NAME N T|ia32count N|loop N|pingpong N|nr N|sys NAME ARG...\n");
	return 2;
}
