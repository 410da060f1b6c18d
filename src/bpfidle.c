// SPDX-License-Identifier: GPL-2.0-only
/*
 * The program between recordings. Loading it is most of a start that finds
 * none (the verifier: 10 ms and more here), so the last recording out only
 * detaches it: loaded and detached, it costs no syscall anything, and the
 * next start attaches it in microseconds. It stays so for --linger seconds
 * after the last recording left (or until the node reboots, or not at all),
 * then one process on the node, which waited that time, unloads it.
 *
 * How long it has been idle is its pin folder's modification time: attaching
 * and detaching pin and unpin links there, and nothing else changes it while
 * it is loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/sched.h>
#include <bpf/bpf.h>

#include "bpfidle.h"
#include "bpfload.h"
#include "log.h"

/* How often a waiter looks whether the program is still there: a stat. */
#define OSR_LINGER_STEP_S 5

const char *const share_step_names[SHARE_STEP_COUNT] = {
	[SHARE_STEP_LOCK] = "waiting for the node's lock",
	[SHARE_STEP_LOAD] = "loading the BPF program (or waiting for another start's load)",
	[SHARE_STEP_ATTACH] = "attaching the BPF program",
	[SHARE_STEP_ENTER] = "entering the recording",
};

int share_load_once(struct bpf_share *bs, struct osr_err *err)
{
	_cleanup_close_ int lock = share_lock(OSR_BPF_LOAD_LOCK);

	if (lock < 0)
		return osr_fail(err, lock, "cannot lock '%s': %s", OSR_BPF_LOAD_LOCK,
				osr_strerror(-lock));
	/* Loaded by the start this one waited for: nothing to do. */
	if (share_open_pinned(bs) == 0) {
		bs->pinned = true;
		return 0;
	}
	return share_load(bs, err);
}

/* Seconds since the program was last attached or detached (-ENOENT: not loaded). */
static int idle_for(const struct bpf_share *bs, long long *secs)
{
	struct timespec now;
	struct stat st;

	if (stat(bs->pin_dir, &st) < 0)
		return -errno;
	clock_gettime(CLOCK_REALTIME, &now);
	*secs = (long long)now.tv_sec - (long long)st.st_mtim.tv_sec;
	return 0;
}

int bpf_share_unload_idle(int min_idle_s)
{
	_cleanup_close_ int load = -1, lock = -1;
	struct bpf_share bs;
	long long idle = 0;
	uint32_t key;
	int r;

	share_init(&bs, false);
	/* In this order, as a start takes them (never the load lock inside the node's). */
	load = share_lock(OSR_BPF_LOAD_LOCK);
	if (load < 0)
		return load;
	lock = share_lock(OSR_BPF_LOCK);
	if (lock < 0)
		return lock;
	r = share_open_pinned(&bs);
	if (r < 0)
		return r;
	if (share_attached(&bs) || bpf_map_get_next_key(bs.fds[OSR_MAP_RECORDINGS], NULL, &key) == 0)
		r = -EBUSY;
	else if (idle_for(&bs, &idle) == 0 && idle < min_idle_s)
		r = -EAGAIN;
	else
		share_unpin_all(&bs);
	share_close_maps(&bs);
	return r;
}

/*
 * The one process that waits to unload the idle program (holding the linger
 * lock: another finds it taken and leaves the wait to it). Whenever it would
 * stop (the program unloaded, or attached again), it lets the lock go and
 * looks again, and goes on if it finds the program loaded and detached: a
 * recording that left last while it held the lock forked no waiter of its
 * own (lingerer_waiting()). One leaving last after the lock is let go finds
 * it free and starts its own.
 */
static void linger_main(int secs)
{
	int fd = open(OSR_BPF_LINGER_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	struct bpf_share bs;
	long long idle = 0;

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		return;
	share_init(&bs, false);
	for (;;) {
		if (idle_for(&bs, &idle) == 0 && !share_attached(&bs)) {
			/*
			 * The clock set back, or forward: never more than the whole wait
			 * at once. In steps of OSR_LINGER_STEP_S at most: a program
			 * unloaded meanwhile (--linger 0) frees the lock soon for a
			 * waiter of its own.
			 */
			if (idle < secs) {
				long long left = idle < 0 ? secs : secs - idle;

				sleep((unsigned int)(left < OSR_LINGER_STEP_S ? left
									      : OSR_LINGER_STEP_S));
				continue;
			}
			int r = bpf_share_unload_idle(secs);

			if (r == -EAGAIN)
				continue;
			if (r < 0 && r != -EBUSY)
				return; /* cannot unload it: left loaded, as a failed unload leaves it */
		}
		/*
		 * Unloaded, or attached again (recorded): done. Let the lock go
		 * first, then look again: a last one out that detached and found
		 * the lock held meanwhile left the wait to this process.
		 */
		flock(fd, LOCK_UN);
		if (idle_for(&bs, &idle) < 0 || share_attached(&bs) ||
		    flock(fd, LOCK_EX | LOCK_NB) < 0)
			return;
		sleep(OSR_LINGER_STEP_S);
	}
}

/* The waiter's side of spawn_lingerer(): no fds of the caller's, a session of its own. */
static void linger_child(int secs)
{
	sigset_t none;
	int null_fd;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; null_fd >= 0 && i < 3; i++)
		dup2(null_fd, i);
	syscall(SYS_close_range, 3, ~0U, 0);
	prctl(PR_SET_NAME, "osr-linger");
	linger_main(secs);
	_exit(0);
}

/*
 * A process of its own for linger_main(), no zombie for the caller: made a
 * child of the caller's parent (CLONE_PARENT), which reaps it as it reaps
 * the caller, so nobody waits. The tracer does this on poststop's path, and
 * waiting there for an intermediate process to fork and exit cost 2-3 ms on
 * a busy 2-vCPU VM. An init (of the host or of a PID namespace) cannot:
 * the double fork, waiting for the intermediate. A raw clone3, as glibc has
 * no wrapper: the callers have one thread, so no lock of another is held.
 */
static void spawn_lingerer(int secs)
{
	struct clone_args ca = { .flags = CLONE_PARENT };
	pid_t child = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));

	if (child == 0)
		linger_child(secs);
	if (child > 0)
		return;
	child = fork();
	if (child < 0)
		return;
	if (child > 0) {
		waitpid(child, NULL, 0);
		return;
	}
	if (fork() != 0)
		_exit(0);
	linger_child(secs);
}

/*
 * A waiter holds the linger lock: it goes on waiting from this detach (the
 * pin folder's time), so no other is needed. It holds the lock throughout but
 * for a moment after it saw the program attached; then it looks again, sees
 * it detached (this caller detached before asking) and takes the lock back.
 * Saves the last one out a fork on poststop's path when a waiter is there.
 */
static bool lingerer_waiting(void)
{
	_cleanup_close_ int fd = open(OSR_BPF_LINGER_LOCK, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return false; /* let go as fd closes */
	return errno == EWOULDBLOCK;
}

/*
 * A waiter becomes the child of the caller's parent (CLONE_PARENT), or of the
 * nearest child subreaper (the double fork). Only init, or the shell of a
 * user who ran record, is safe: a runtime that reaps for its containers
 * takes the tracer when the hook exits, and crun's run waited for the waiter
 * as for its own, up to --linger seconds after the container ended. There,
 * and from a hook (its parent is the runtime), the last one out unloads now.
 */
void share_after_detach(const struct bpf_share *bs)
{
	int secs = bs->linger_s;

	if (secs > 0 && !bs->shell_parent && getppid() != 1) {
		log_debug("leaving no waiter to parent pid %d (a runtime's reaper may wait "
			  "for it): the program is unloaded now",
			  (int)getppid());
		secs = 0;
	}
	if (secs == 0)
		bpf_share_unload_idle(0);
	else if (secs > 0 && !lingerer_waiting())
		spawn_lingerer(secs);
}
