// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracer: a process forked by prestart that owns the BPF program for one
 * container, from attach to the profile on disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>

#include "bpfshare.h"
#include "counts.h"
#include "output.h"
#include "fileio.h"
#include "jsonutil.h"
#include "log.h"
#include "proc.h"
#include "profile.h"
#include "recording.h"
#include "rundir.h"
#include "scope.h"
#include "tracer.h"

struct tracer {
	const struct tracer_config *cfg;
	struct bpf_share bs;
	bool attached;
	bool never_ran; /* the workload never ran: no profile, see tracer_end() */
	bool signalled; /* finished by poststop's signal rather than init's exit */
	struct tracer_record rec;
	unsigned long long init_start;
	int init_pidfd;
	int sigfd;
	int ready_fd; /* to prestart: the steps as they begin, then ready or why not */
};

/* Tell prestart which step the start is in: its deadline's message names it. */
static void tracer_step(enum share_step step, void *arg)
{
	const struct tracer *t = arg;
	char msg[2] = { 'S', (char)('0' + step) };

	if (t->ready_fd >= 0)
		write_all(t->ready_fd, msg, sizeof(msg));
}

static int tracer_attach(struct tracer *t, struct osr_err *err)
{
	struct osr_container *hdr = calloc(1, sizeof(*hdr));
	int r;

	if (!hdr)
		return osr_fail(err, -ENOMEM, "out of memory");
	struct share_request req = {
		.pid = t->cfg->pid,
		.by_mntns = t->cfg->mntns_inum != 0,
		.tenant = t->cfg->tenant,
		.quota = t->cfg->tenant_quota,
		.linger_s = t->cfg->linger_s,
		.on_step = tracer_step,
		.step_arg = t,
	};
	unsigned int want = t->cfg->mntns_inum ? t->cfg->mntns_inum : t->cfg->pidns_inum;

	hdr->exe_ino = t->cfg->runtime_exe_ino;
	hdr->exe_dev = t->cfg->runtime_exe_dev;
	hdr->counting = target_is_file(&t->cfg->stats);
	r = bpf_share_enter(&t->bs, &req, hdr, err);
	free(hdr);
	/* The namespace held is the one prestart saw (the pid was checked by its pidfd). */
	if (r >= 0 && t->bs.key != want) {
		bpf_share_leave(&t->bs, NULL, NULL);
		bpf_share_close(&t->bs);
		return osr_fail(err, -ESRCH, "the container's process %d changed namespace",
				(int)t->cfg->pid);
	}
	return r;
}

/*
 * The stats, once the profile is written: a failure here leaves the profile
 * as it is, and is said in the record for poststop to pass on.
 */
static void tracer_stats(struct tracer *t, const struct osr_container *table,
			 const struct osr_stats *stats)
{
	const struct tracer_config *cfg = t->cfg;
	struct osr_err err = { "" };
	int r = counts_save(table, stats, cfg->id, &cfg->stats, &err);

	if (r < 0) {
		log_error("%s", osr_err_text(&err, r));
		snprintf(t->rec.message, sizeof(t->rec.message),
			 "the profile '%.512s' was written, the stats were not: %s", cfg->out.shown,
			 err.msg);
		return;
	}
	log_info("wrote '%s'", cfg->stats.shown);
}

/* Build, validate and write the profile from what the program saw, then the stats if asked. */
static int tracer_finish(struct tracer *t, struct osr_err *err)
{
	_cleanup_free_ struct osr_container *table = malloc(sizeof(*table));
	const bool counting = target_is_file(&t->cfg->stats);
	_cleanup_free_ struct osr_stats *stats = counting ? malloc(sizeof(*stats)) : NULL;
	struct output_opts o = {
		.spec = t->cfg->spec,
		.base = t->cfg->base,
		.base_src = t->cfg->base_src,
		.target = &t->cfg->out,
	};
	int r;

	if (!table || (counting && !stats))
		return osr_fail(err, -ENOMEM, "out of memory");
	/* Leave first: what is read is then final. */
	r = bpf_share_leave(&t->bs, table, stats);
	bpf_share_close(&t->bs);
	t->attached = false;
	if (r < 0)
		return osr_fail(err, r, "cannot read the container's BPF table: %s",
				osr_strerror(-r));
	/* A profile of a setup cut short would be shipped as if it had seen the workload. */
	if (!t->cfg->workload_running && !recording_workload_ran(table)) {
		t->never_ran = true;
		return osr_fail(err, -ENOEXEC,
				"the workload of container '%s' never ran: no syscall was made "
				"after the runtime's exec of it (the container failed to start)",
				t->cfg->id);
	}
	r = output_write(table, &o, err);
	if (r < 0)
		return r;
	log_info("wrote '%s'", t->cfg->out.shown);
	if (stats)
		tracer_stats(t, table, stats);
	return 0;
}

/* Wait for poststop's SIGTERM or the container's init to exit. */
static void tracer_wait(struct tracer *t)
{
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = t->sigfd, .events = POLLIN },
			{ .fd = t->init_pidfd, .events = POLLIN },
		};
		int n = poll(pfd, t->init_pidfd >= 0 ? 2 : 1, t->init_pidfd >= 0 ? -1 : 500);

		if (n < 0 && errno != EINTR)
			return;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(t->sigfd, &si, sizeof(si)) == sizeof(si))
				log_debug("signal %u: finishing", si.ssi_signo);
			t->signalled = true;
			return;
		}
		if (t->init_pidfd >= 0 ? pfd[1].revents != 0
				       : !process_alive(t->cfg->pid, t->init_start)) {
			log_debug("the container's init exited: finishing");
			return;
		}
	}
}

static void report_ready(int fd, const char *msg)
{
	if (fd < 0)
		return;
	if (msg) {
		write_all(fd, "E", 1);
		write_all(fd, msg, strlen(msg));
	} else {
		write_all(fd, "R", 1);
	}
}

/* SIGTERM, SIGINT and SIGHUP through a signalfd, for tracer_wait(). */
static int tracer_signals(struct tracer *t, struct osr_err *err)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	t->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (t->sigfd < 0)
		return osr_fail(err, -errno, "cannot create a signalfd: %s", osr_strerror(errno));
	return 0;
}

/* The container's init, still the one prestart checked: its start time and a pidfd of it. */
static int tracer_watch_init(struct tracer *t, struct osr_err *err)
{
	const struct tracer_config *cfg = t->cfg;
	unsigned int inum, level;
	int r;

	r = proc_start_time(cfg->pid, &t->init_start);
	if (r < 0 || (cfg->expect_start && t->init_start != cfg->expect_start))
		return osr_fail(err, r < 0 ? r : -ESRCH,
				"the container's process %d is gone before tracing began",
				(int)cfg->pid);
	t->init_pidfd = process_pidfd(cfg->pid, t->init_start);
	if (t->init_pidfd < 0 && t->init_pidfd != -ENOSYS)
		return osr_fail(err, t->init_pidfd, "cannot watch the container's process %d: %s",
				(int)cfg->pid, osr_strerror(-t->init_pidfd));
	/* Same process, same namespace: nothing was reused between prestart and here. */
	r = pidns_of(cfg->pid, &inum, &level, err);
	if (r >= 0 && (inum != cfg->pidns_inum || level != cfg->pidns_level))
		r = osr_fail(err, -ESRCH, "the container's process %d changed PID namespace",
			     (int)cfg->pid);
	return r;
}

/* Attach, and leave the record that names this tracer and what it records. */
static int tracer_begin(struct tracer *t, struct osr_err *err)
{
	const struct tracer_config *cfg = t->cfg;
	int r;

	t->rec.pid = getpid();
	r = proc_start_time(t->rec.pid, &t->rec.start_time);
	if (r < 0)
		return osr_fail(err, r, "cannot read the tracer's own start time: %s",
				osr_strerror(-r));
	r = tracer_attach(t, err);
	if (r < 0)
		return r;
	t->attached = true;
	t->rec.status = TRACER_RECORDING;
	snprintf(t->rec.output, sizeof(t->rec.output), "%s", cfg->out.shown);
	snprintf(t->rec.input, sizeof(t->rec.input), "%s", cfg->input ? cfg->input : "");
	t->rec.input_dev = cfg->input ? cfg->base_src.dev : 0;
	t->rec.input_ino = cfg->input ? cfg->base_src.ino : 0;
	snprintf(t->rec.bundle, sizeof(t->rec.bundle), "%s", cfg->bundle ? cfg->bundle : "");
	t->rec.key = t->bs.key;
	t->rec.by_mntns = cfg->mntns_inum != 0;
	t->rec.spec = cfg->spec;
	return rundir_write(cfg->rundir, cfg->id, &t->rec, err);
}

/* The record is still the one this tracer wrote. */
static bool tracer_record_mine(const struct tracer *t)
{
	struct tracer_record rec;

	/* Gone: collected. Another pid's: the id names another container now. */
	return rundir_read(t->cfg->rundir, t->cfg->id, &rec, NULL) >= 0 && rec.pid == t->rec.pid &&
	       rec.start_time == t->rec.start_time;
}

/*
 * A container that never started may get no poststop (podman runs none for a
 * container whose runtime failed to create it): wait, as long as a stage
 * waits for the tracer, for one to collect the record, then remove it if it
 * is still this tracer's. A poststop that comes on time finds it and fails
 * with its message; its signal ends the wait, as it waits for this process
 * to be gone before it reads the record.
 */
static void tracer_await_poststop(struct tracer *t)
{
	const struct tracer_config *cfg = t->cfg;
	uint64_t deadline = now_ms() + (uint64_t)cfg->ready_timeout_ms;
	struct pollfd pfd = { .fd = t->sigfd, .events = POLLIN };

	if (t->signalled)
		return;
	while (now_ms() < deadline) {
		if (!tracer_record_mine(t) || poll(&pfd, 1, 100) > 0)
			return;
	}
	if (!tracer_record_mine(t))
		return;
	log_info("no poststop came for container '%s' within %d ms: its record is removed", cfg->id,
		 cfg->ready_timeout_ms);
	rundir_remove(cfg->rundir, cfg->id);
}

/* Write the profile, and in the record how that ended. */
static int tracer_end(struct tracer *t)
{
	const struct tracer_config *cfg = t->cfg;
	struct osr_err err = { "" };
	int r, w;

	r = tracer_finish(t, &err);
	if (r < 0) {
		log_error("%s", osr_err_text(&err, r));
		t->rec.status = TRACER_FAILED;
		snprintf(t->rec.message, sizeof(t->rec.message), "%s", err.msg);
	} else {
		t->rec.status = TRACER_DONE;
	}
	/* A failing write of the record must not print the failure above as its own. */
	err.msg[0] = '\0';
	/* Started by a prestart with no poststop to come (oci-seccomp-bpf-hook's -s): leave nothing. */
	if (cfg->alone)
		rundir_remove(cfg->rundir, cfg->id);
	else if ((w = rundir_write(cfg->rundir, cfg->id, &t->rec, &err)) < 0)
		log_error("%s", osr_err_text(&err, w));
	else if (t->never_ran)
		tracer_await_poststop(t);
	return r;
}

static void tracer_close(struct tracer *t)
{
	if (t->attached) {
		bpf_share_leave(&t->bs, NULL, NULL);
		bpf_share_close(&t->bs);
	}
	if (t->init_pidfd >= 0)
		close(t->init_pidfd);
	if (t->sigfd >= 0)
		close(t->sigfd);
}

/*
 * Leave the runtime's cgroups for the root of each hierarchy: runtimes and
 * systemd kill everything left in a container's or conmon's cgroup at cleanup,
 * which is how oci-seccomp-bpf-hook's tracer lost recordings. Best effort: a
 * hierarchy that refuses leaves the tracer where it was.
 */
static void leave_cgroups(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	while (f && fgets(line, sizeof(line), f)) {
		char root[256], mnt[1024], fstype[32], path[1100];
		const char *sep = strstr(line, " - ");
		int fd;

		if (!sep || sscanf(sep + 3, "%31s", fstype) != 1 ||
		    (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2")))
			continue;
		if (sscanf(line, "%*s %*s %*s %255s %1023s", root, mnt) != 2 || strcmp(root, "/"))
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.procs", mnt);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (write(fd, "0", 1) < 0)
			log_debug("cannot move to '%s': %s, ignoring", path, osr_strerror(errno));
		close(fd);
	}
}

static int tracer_main(const struct tracer_config *cfg, int ready_fd)
{
	struct tracer t = { .cfg = cfg, .init_pidfd = -1, .sigfd = -1, .ready_fd = ready_fd };
	struct osr_err err = { "" };
	char times[160];
	int r;

	r = tracer_signals(&t, &err);
	if (r >= 0)
		r = tracer_watch_init(&t, &err);
	if (r >= 0)
		r = tracer_begin(&t, &err);
	if (r < 0) {
		if (ready_fd >= 0)
			report_ready(ready_fd, osr_err_text(&err, r));
		else
			log_error("%s", osr_err_text(&err, r));
		tracer_close(&t);
		return 1;
	}
	bpf_share_times_text(&t.bs, times, sizeof(times));
	report_ready(ready_fd, NULL);
	write_all(ready_fd, times, strlen(times));
	close(ready_fd);
	/*
	 * Out of the runtime's cgroups once the start goes on without us: each
	 * cgroup-v1 hierarchy's write waits for an RCU grace period (about 9 ms
	 * in all here), and nothing kills those cgroups before the container ends.
	 */
	leave_cgroups();

	tracer_wait(&t);
	r = tracer_end(&t);
	tracer_close(&t);
	return r < 0 ? 1 : 0;
}

/* Close every fd from 3 on but those in keep (sorted, each >= 3). */
static void close_all_but(const int *keep, size_t n)
{
	unsigned int from = 3;

	for (size_t i = 0; i <= n; i++) {
		unsigned int to = i < n ? (unsigned int)keep[i] : ~0U;

		if (to > from && syscall(SYS_close_range, from, to - 1, 0) < 0) {
			/* Kernels before 5.9: the slow way. */
			for (unsigned int fd = from; fd < to && fd < 65536; fd++)
				close((int)fd);
		}
		from = to + 1;
	}
}

/*
 * Leave the runtime's session and pipes: it waits for the hook's stdout and
 * stderr to close. The ready pipe and the output folders stay open.
 */
static int detach_from_caller(int ready_fd, const struct tracer_config *cfg)
{
	int keep[3] = { ready_fd, cfg->out.dirfd, cfg->stats.dirfd };
	size_t n = 0;
	int null_fd;

	if (setsid() < 0)
		return -errno;
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		return -errno;
	for (int fd = 0; fd < 3; fd++)
		if (dup2(null_fd, fd) < 0)
			return -errno;
	closelog();
	/* Everything of the caller's but the fds kept: sorted, those below 3 left out. */
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
		int fd = keep[i];
		size_t j = n;

		if (fd < 3)
			continue;
		for (; j > 0 && keep[j - 1] > fd; j--)
			keep[j] = keep[j - 1];
		keep[j] = fd;
		n++;
	}
	close_all_but(keep, n);
	log_init(NULL, NULL);
	log_set_stderr(0);
	prctl(PR_SET_NAME, "osr-tracer");
	return 0;
}

/* The step the tracer's last "S<n>" said it began, and where its answer starts. */
static const char *last_step(const char *buf, size_t len, size_t *answer)
{
	const char *step = "starting the tracer";
	size_t i = 0;

	for (; i + 1 < len && buf[i] == 'S'; i += 2)
		if (buf[i + 1] >= '0' && buf[i + 1] < '0' + SHARE_STEP_COUNT)
			step = share_step_names[buf[i + 1] - '0'];
	*answer = i;
	return step;
}

/*
 * Bounded wait for "R<times>" (attached) or "E<why>", after the steps; EOF
 * means the tracer died. Past the deadline the tracer is killed, and the
 * message says the step it was in and what sets the deadline.
 */
static int tracer_await_ready(int rfd_in, pid_t child, const struct tracer_config *cfg,
			      struct osr_err *err)
{
	_cleanup_close_ int rfd = rfd_in;
	uint64_t deadline = now_ms() + (uint64_t)cfg->ready_timeout_ms;
	char buf[16384];
	size_t len = 0, at;
	const char *step;

	for (;;) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		uint64_t now = now_ms();
		ssize_t n;
		int p;

		if (now >= deadline) {
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			step = last_step(buf, len, &at);
			return osr_fail(err, -ETIMEDOUT,
					"the tracer did not attach within %d ms (%s); it was still %s, "
					"and was killed",
					cfg->ready_timeout_ms,
					cfg->timeout_why ? cfg->timeout_why : "--timeout", step);
		}
		p = poll(&pfd, 1, (int)(deadline - now));
		if (p < 0 && errno != EINTR)
			return osr_fail(err, -errno, "cannot wait for the tracer: %s",
					osr_strerror(errno));
		if (p <= 0)
			continue;
		n = read(rfd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (len += (size_t)n) == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	step = last_step(buf, len, &at);
	if (at < len && buf[at] == 'R') {
		log_debug("the tracer attached: %s", buf + at + 1);
		return 0;
	}
	waitpid(child, NULL, 0);
	if (at < len && buf[at] == 'E')
		return osr_fail(err, -EIO, "%s", buf + at + 1);
	return osr_fail(err, -EIO, "the tracer exited before it attached (it was %s)", step);
}

int tracer_spawn(const struct tracer_config *cfg, struct osr_err *err)
{
	_cleanup_close_ int rfd = -1, wfd = -1;
	pid_t child;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return osr_fail(err, -errno, "cannot create a pipe: %s", osr_strerror(errno));
	rfd = fds[0];
	wfd = fds[1];

	fflush(NULL);
	child = fork();
	if (child < 0)
		return osr_fail(err, -errno, "cannot fork the tracer: %s", osr_strerror(errno));
	if (child == 0) {
		int keep = take_fd(&wfd);

		close(take_fd(&rfd));
		if (detach_from_caller(keep, cfg) < 0) {
			write_all(keep, "Ecannot detach the tracer from the runtime", 42);
			_exit(1);
		}
		log_set_container(cfg->id);
		_exit(tracer_main(cfg, keep));
	}
	close(take_fd(&wfd));

	return tracer_await_ready(take_fd(&rfd), child, cfg, err);
}

void tracer_config_release(struct tracer_config *cfg)
{
	target_close(&cfg->out);
	target_close(&cfg->stats);
}
