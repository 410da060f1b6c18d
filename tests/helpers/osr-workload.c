// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workloads for the integration tests, run inside the test containers. Each
 * mode makes one syscall that nothing else in the program makes, from a place
 * a tracer could miss: another thread, a grandchild, a nested PID namespace,
 * the ia32 entry. Built static so a busybox rootfs is enough.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void *thread_main(void *arg)
{
	(void)arg;
	syscall(SYS_sysinfo, NULL); /* fails with EFAULT; the entry is what counts */
	return NULL;
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
	fprintf(stderr, "usage: osr-workload thread|grandchild|nested|ia32\n");
	return 2;
}
