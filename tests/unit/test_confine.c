// SPDX-License-Identifier: GPL-2.0-only
/*
 * Confinement of of:/if: paths to --output-dir/--input-dir: every case runs
 * twice, once with openat2() and once in a child whose seccomp filter makes
 * openat2() fail with ENOSYS, so the component-by-component walk is tested too.
 * Then, once, the StrictModes walk of unconfined paths (no openat2 in it).
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
static char top[96];   /* its parent, where escapes would land */

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
	EXPECT("confine_inside",
	       write_file_atomic(p, place_beneath(root), "x\n", 2, 0644, &err) == 0 && exists(p));
	path(p, "sub/b.json");
	EXPECT("confine_subfolder",
	       write_file_atomic(p, place_beneath(root), "x\n", 2, 0644, &err) == 0);
	snprintf(p, sizeof(p), "%s/escape.json", top);
	EXPECT("confine_outside_refused",
	       write_file_atomic(p, place_beneath(root), "x\n", 2, 0644, &err) == -EXDEV &&
		       !exists(p) && strstr(err.msg, "not inside"));
	/* "/x/out-other" must not pass for "/x/out". */
	snprintf(p, sizeof(p), "%s-other/a.json", root);
	EXPECT("confine_prefix_sibling_refused",
	       check_output_path(p, place_beneath(root), &err) == -EXDEV);
	path(p, "../escape2.json");
	snprintf(q, sizeof(q), "%s/escape2.json", top);
	EXPECT("confine_dotdot_refused",
	       write_file_atomic(p, place_beneath(root), "x\n", 2, 0644, &err) < 0 && !exists(q));
	path(p, "sub/../../escape3.json");
	snprintf(q, sizeof(q), "%s/escape3.json", top);
	EXPECT("confine_nested_dotdot_refused",
	       check_output_path(p, place_beneath(root), &err) < 0 &&
		       write_file_atomic(p, place_beneath(root), "x", 1, 0644, &err) < 0 &&
		       !exists(q));
	path(p, "link/c.json");
	snprintf(q, sizeof(q), "%s/outside/c.json", top);
	EXPECT("confine_symlinked_folder_refused",
	       write_file_atomic(p, place_beneath(root), "x\n", 2, 0644, &err) < 0 && !exists(q));
	path(p, "file-link.json");
	snprintf(q, sizeof(q), "%s/outside/target.json", top);
	EXPECT("confine_symlinked_file_refused",
	       write_file_atomic(p, place_beneath(root), "x\n", 2, 0644, &err) < 0 && !exists(q));
	path(p, "base.json");
	fd = open_input(p, place_beneath(root), &err);
	EXPECT("confine_input_inside", fd >= 0);
	if (fd >= 0)
		close(fd);
	path(p, "file-link.json");
	EXPECT("confine_input_symlink_refused", open_input(p, place_beneath(root), &err) < 0);
	path(p, "link/target.json");
	EXPECT("confine_input_through_link_refused", open_input(p, place_beneath(root), &err) < 0);
	/* Unconfined, the same symlinked folder (root's link to root's folder) is followed. */
	path(p, "link/d.json");
	EXPECT("unconfined_follows_folder_links", check_output_path(p, place_strict(), &err) == 0);
	return failed;
#undef EXPECT
}

/* A file holding text, with mode and owner as given. */
static void make_file(const char *p, const char *text, mode_t mode, uid_t uid)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, mode) < 0 || fchown(fd, uid, 0) < 0)
		abort();
	close(fd);
}

static void make_dir(const char *p, mode_t mode, uid_t uid)
{
	if (mkdir(p, mode) < 0 || chmod(p, mode) < 0 || chown(p, uid, 0) < 0)
		abort();
}

/* A symlink as another user would plant it. */
static void make_link(const char *target, const char *p, uid_t uid)
{
	if (symlink(target, p) < 0 || lchown(p, uid, 0) < 0)
		abort();
}

static char at[PATH_MAX]; /* top/rel, for the strict cases */

static const char *t(const char *rel)
{
	snprintf(at, sizeof(at), "%s/%s", top, rel);
	return at;
}

#define NOBODY 65534

/*
 * Folders another uid owns or can write, links another uid planted, and the
 * sticky /tmp shape that must keep working. top is root's 0700 folder in /tmp.
 */
static void setup_strict(void)
{
	char q[PATH_MAX];

	make_dir(t("nobody"), 0755, NOBODY);
	make_file(t("nobody/base.json"), "{}", 0644, 0);
	make_dir(t("shared"), 0777, 0);
	make_dir(t("group"), 0770, 0);
	make_dir(t("sticky"), 01777, 0);
	make_dir(t("sticky/mine"), 0755, 0);
	make_file(t("sticky/base.json"), "{}", 0644, 0);
	make_file(t("sticky/theirs.json"), "theirs", 0644, NOBODY);
	make_file(t("sticky/squatted.json"), "theirs", 0644, NOBODY);
	snprintf(q, sizeof(q), "%s/outside", top);
	make_link(q, t("sticky/planted"), NOBODY);
	snprintf(q, sizeof(q), "%s/out/base.json", top);
	make_link(q, t("sticky/planted-file.json"), NOBODY);
	/*
	 * The same link in a folder of its owner's: one in a sticky folder the
	 * kernel itself refuses to follow where fs.protected_symlinks=1 (Debian's
	 * and systemd's default), which would test the sysctl, not the program.
	 */
	make_link(q, t("nobody/planted-file.json"), NOBODY);
	make_link("nobody", t("to-nobody"), 0);
	make_link("../out/base.json", t("outside/base-link.json"), 0);
	make_file(t("outside/world.json"), "{}", 0666, 0);
}

static int run_strict_cases(void)
{
	struct osr_err err = { "" };
	char p[PATH_MAX], q[PATH_MAX];
	struct stat st;
	int failed = 0, fd;

#define EXPECT(name, cond)                                                                         \
	do {                                                                                       \
		if (cond)                                                                          \
			printf("PASS: %s\n", name);                                                \
		else {                                                                             \
			printf("FAIL: %s: %s (err: %s)\n", name, #cond, err.msg);                  \
			failed++;                                                                  \
		}                                                                                  \
		fflush(stdout);                                                                    \
		err.msg[0] = '\0';                                                                 \
	} while (0)

	snprintf(q, sizeof(q), "folder '%s/nobody'", top);
	snprintf(p, sizeof(p), "%s", t("nobody/out.json"));
	EXPECT("unconfined_folder_not_root_refused",
	       check_output_path(p, place_strict(), &err) == -EPERM && strstr(err.msg, q) &&
		       strstr(err.msg, "uid 65534") && strstr(err.msg, "StrictModes") &&
		       write_file_atomic(p, place_strict(), "x\n", 2, 0644, &err) == -EPERM &&
		       !exists(p));
	snprintf(q, sizeof(q), "folder '%s/shared'", top);
	snprintf(p, sizeof(p), "%s", t("shared/out.json"));
	EXPECT("unconfined_folder_world_writable_refused",
	       write_file_atomic(p, place_strict(), "x\n", 2, 0644, &err) == -EPERM &&
		       strstr(err.msg, q) && strstr(err.msg, "group or others") && !exists(p));
	snprintf(p, sizeof(p), "%s", t("group/out.json"));
	EXPECT("unconfined_folder_group_writable_refused",
	       check_output_path(p, place_strict(), &err) == -EPERM &&
		       strstr(err.msg, "group or others"));
	/* The link is in a sticky folder and points to a good one: its owner decides. */
	snprintf(p, sizeof(p), "%s", t("sticky/planted/out.json"));
	snprintf(q, sizeof(q), "folder '%s/sticky'", top);
	EXPECT("unconfined_planted_symlink_refused",
	       write_file_atomic(p, place_strict(), "x\n", 2, 0644, &err) == -EPERM &&
		       strstr(err.msg, q) && strstr(err.msg, "'planted'") &&
		       !exists(t("outside/out.json")));
	snprintf(p, sizeof(p), "%s", t("to-nobody/out.json"));
	snprintf(q, sizeof(q), "folder '%s/nobody'", top);
	EXPECT("unconfined_link_to_bad_folder_refused",
	       check_output_path(p, place_strict(), &err) == -EPERM && strstr(err.msg, q));
	snprintf(p, sizeof(p), "%s", t("sticky/mine/out.json"));
	snprintf(q, sizeof(q), "%s", t("sticky/new.json"));
	EXPECT("unconfined_sticky_trusted_child_accepted",
	       write_file_atomic(p, place_strict(), "x\n", 2, 0644, &err) == 0 && exists(p) &&
		       write_file_atomic(q, place_strict(), "x\n", 2, 0644, &err) == 0 && exists(q));
	/* Replaced, never opened: a name squatted in /tmp cannot stop the profile. */
	snprintf(p, sizeof(p), "%s", t("sticky/squatted.json"));
	EXPECT("unconfined_sticky_squatted_output_replaced",
	       write_file_atomic(p, place_strict(), "x\n", 2, 0644, &err) == 0 &&
		       lstat(p, &st) == 0 && st.st_uid == 0 && st.st_size == 2);
	snprintf(p, sizeof(p), "%s", t("nobody/base.json"));
	EXPECT("unconfined_input_folder_not_root_refused",
	       open_input(p, place_strict(), &err) == -EPERM);
	snprintf(p, sizeof(p), "%s", t("sticky/theirs.json"));
	snprintf(q, sizeof(q), "%s", t("outside/world.json"));
	EXPECT("unconfined_input_others_file_refused",
	       open_input(p, place_strict(), &err) == -EPERM && strstr(err.msg, "uid 65534") &&
		       open_input(q, place_strict(), &err) == -EPERM &&
		       strstr(err.msg, "group or others"));
	snprintf(p, sizeof(p), "%s", t("sticky/planted-file.json"));
	EXPECT("unconfined_input_planted_symlink_refused",
	       open_input(p, place_strict(), &err) == -EPERM && strstr(err.msg, "uid 65534"));
	snprintf(p, sizeof(p), "%s", t("outside/base-link.json"));
	fd = open_input(p, place_strict(), &err);
	EXPECT("unconfined_input_root_link_followed", fd >= 0);
	if (fd >= 0)
		close(fd);
	snprintf(p, sizeof(p), "%s", t("sticky/base.json"));
	fd = open_input(p, place_strict(), &err);
	EXPECT("unconfined_input_sticky_trusted_accepted", fd >= 0);
	if (fd >= 0)
		close(fd);
	/* record, merge and check take what a person names, as before. */
	snprintf(p, sizeof(p), "%s", t("nobody/out.json"));
	snprintf(q, sizeof(q), "%s", t("nobody/planted-file.json"));
	fd = open_input(q, place_as_given(), &err);
	EXPECT("as_given_paths_unchecked", check_output_path(p, place_as_given(), &err) == 0 &&
						   fd >= 0 &&
						   open_input(q, place_strict(), &err) == -EPERM);
	if (fd >= 0)
		close(fd);
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
		if (!ctx ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 ||
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
	if (geteuid() == 0) {
		setup_strict();
		run_strict_cases();
	} else {
		printf("SKIP: unconfined_strict: needs root to make files of another uid\n");
	}
	fflush(stdout);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", top, (char *)NULL);
	wait(NULL);
	return 0;
}
