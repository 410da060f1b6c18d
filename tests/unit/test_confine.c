// SPDX-License-Identifier: GPL-2.0-only
/*
 * Confinement of of:/if: paths to --output-dir/--input-dir: every case runs
 * twice, once with openat2() and once in a child whose seccomp filter makes
 * openat2() fail with ENOSYS, so the component-by-component walk is tested too.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <seccomp.h>

#include "fileio.h"
#include "unit.h"

static char root[128]; /* the confinement folder */
static char top[96];	   /* its parent, where escapes would land */

static void path(char *buf, const char *rel)
{
	snprintf(buf, PATH_MAX, "%s/%s", root, rel);
}

static bool exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static void setup(void)
{
	char p[PATH_MAX], q[PATH_MAX];

	snprintf(top, sizeof(top), "/tmp/osr-confine-XXXXXX");
	if (!mkdtemp(top))
		abort();
	snprintf(root, sizeof(root), "%s/out", top);
	mkdir(root, 0755);
	path(p, "sub");
	mkdir(p, 0755);
	snprintf(q, sizeof(q), "%s/outside", top);
	mkdir(q, 0755);
	path(p, "link");
	if (symlink(q, p) < 0) /* a folder symlink inside root, pointing out */
		abort();
	path(p, "file-link.json");
	snprintf(q, sizeof(q), "%s/outside/target.json", top);
	if (symlink(q, p) < 0)
		abort();
	path(p, "base.json");
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "{}", 2) != 2)
		abort();
	close(fd);
}

/* Runs every case; returns the number that failed (printed as it goes). */
static int run_cases(const char *how)
{
	struct osr_err err = { "" };
	char p[PATH_MAX], q[PATH_MAX];
	int failed = 0, fd;

#define EXPECT(name, cond)                                                                         \
	do {                                                                                       \
		if (cond)                                                                          \
			printf("PASS: %s_%s\n", name, how);                                        \
		else {                                                                             \
			printf("FAIL: %s_%s: %s (err: %s)\n", name, how, #cond, err.msg);          \
			failed++;                                                                  \
		}                                                                                  \
		fflush(stdout);                                                                    \
		err.msg[0] = '\0';                                                                 \
	} while (0)

	path(p, "a.json");
	EXPECT("confine_inside", write_file_atomic(p, root, "x\n", 2, 0644, &err) == 0 && exists(p));
	path(p, "sub/b.json");
	EXPECT("confine_subfolder", write_file_atomic(p, root, "x\n", 2, 0644, &err) == 0);
	snprintf(p, sizeof(p), "%s/escape.json", top);
	EXPECT("confine_outside_refused",
	       write_file_atomic(p, root, "x\n", 2, 0644, &err) == -EXDEV && !exists(p) &&
		       strstr(err.msg, "not inside"));
	/* "/x/out-other" must not pass for "/x/out". */
	snprintf(p, sizeof(p), "%s-other/a.json", root);
	EXPECT("confine_prefix_sibling_refused", check_output_path(p, root, &err) == -EXDEV);
	path(p, "../escape2.json");
	snprintf(q, sizeof(q), "%s/escape2.json", top);
	EXPECT("confine_dotdot_refused",
	       write_file_atomic(p, root, "x\n", 2, 0644, &err) < 0 && !exists(q));
	path(p, "sub/../../escape3.json");
	snprintf(q, sizeof(q), "%s/escape3.json", top);
	EXPECT("confine_nested_dotdot_refused",
	       check_output_path(p, root, &err) < 0 && write_file_atomic(p, root, "x", 1, 0644, &err) < 0 &&
		       !exists(q));
	path(p, "link/c.json");
	snprintf(q, sizeof(q), "%s/outside/c.json", top);
	EXPECT("confine_symlinked_folder_refused",
	       write_file_atomic(p, root, "x\n", 2, 0644, &err) < 0 && !exists(q));
	path(p, "file-link.json");
	snprintf(q, sizeof(q), "%s/outside/target.json", top);
	EXPECT("confine_symlinked_file_refused",
	       write_file_atomic(p, root, "x\n", 2, 0644, &err) < 0 && !exists(q));
	path(p, "base.json");
	fd = open_input(p, root, &err);
	EXPECT("confine_input_inside", fd >= 0);
	if (fd >= 0)
		close(fd);
	path(p, "file-link.json");
	EXPECT("confine_input_symlink_refused", open_input(p, root, &err) < 0);
	path(p, "link/target.json");
	EXPECT("confine_input_through_link_refused", open_input(p, root, &err) < 0);
	/* Unconfined, the same symlinked folder is an ordinary path. */
	path(p, "link/d.json");
	EXPECT("unconfined_follows_folder_links", check_output_path(p, NULL, &err) == 0);
	return failed;
#undef EXPECT
}

int main(void)
{
	scmp_filter_ctx ctx;
	pid_t child;
	int status;

	setup();
	run_cases("openat2");
	fflush(stdout);

	child = fork();
	if (child == 0) {
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 ||
		    seccomp_load(ctx) < 0) {
			printf("SKIP: confine_walk: cannot load a seccomp filter to hide openat2\n");
			_exit(0);
		}
		run_cases("walk");
		fflush(stdout);
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status))
		printf("FAIL: confine_walk: the child did not finish\n");
	if (fork() == 0)
		execlp("rm", "rm", "-rf", top, (char *)NULL);
	wait(NULL);
	return 0;
}
