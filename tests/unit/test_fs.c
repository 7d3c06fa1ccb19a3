/* Unit tests for lib/fs.c: atomic writes, the cache directory, the walk, clean paths. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/fs.h"
#include "tests/unit/check_main.h"

static char tmpdir[] = "/tmp/gitops-test-fs-XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void cleanup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

START_TEST(test_write_atomic)
{
	char path[512];
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct stat st;

	setup();
	snprintf(path, sizeof(path), "%s/f.yaml", tmpdir);
	/* keeping the mode needs the file */
	ck_assert_int_eq(gitops_fs_write_atomic(path, "x", 1, GITOPS_FS_KEEP_MODE, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	put("f.yaml", "old\n");
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(gitops_fs_write_atomic(path, "new\n", 4, GITOPS_FS_KEEP_MODE, &err), 0);
	ck_assert_int_eq(gitops_buf_read_file(&b, path, 100, &err), 0);
	ck_assert_str_eq(b.data, "new\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	umask(022);
	ck_assert_int_eq(gitops_fs_write_atomic(path, "n", 1, 0666, &err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	gitops_buf_release(&b);
	cleanup();
}
END_TEST

START_TEST(test_cache_dir)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *d = NULL;

	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(gitops_fs_cache_dir(&d, NULL, &err), 0);
	ck_assert_str_eq(d, "/x/cache/gitops");
	free(d);
	ck_assert_int_eq(gitops_fs_cache_dir(&d, "discovery", &err), 0);
	ck_assert_str_eq(d, "/x/cache/gitops/discovery");
	free(d);
	setenv("XDG_CACHE_HOME", "relative", 1);  /* not absolute: ignored, as the XDG spec says */
	ck_assert_int_eq(gitops_fs_cache_dir(&d, NULL, &err), 0);
	ck_assert_str_eq(d, "/home/u/.cache/gitops");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(gitops_fs_cache_dir(&d, NULL, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
	ck_assert_ptr_null(d);
}
END_TEST

static int collect(void *ctx, const char *path, const char *name, struct gitops_err *err)
{
	(void)err;
	return gitops_buf_printf(ctx, "%s|%s\n", path + strlen(tmpdir), name);
}

START_TEST(test_walk)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	char path[512];

	setup();
	put("b.yaml", "");
	put("a.yaml", "");
	put(".hidden.yaml", "");
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	put("sub/c", "");
	snprintf(path, sizeof(path), "%s/.git", tmpdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	put(".git/d", "");
	snprintf(path, sizeof(path), "%s/link.yaml", tmpdir);
	ck_assert_int_eq(symlink("a.yaml", path), 0);
	ck_assert_int_eq(gitops_fs_walk(tmpdir, collect, &b, &err), 0);
	ck_assert_str_eq(b.data, "/a.yaml|a.yaml\n/b.yaml|b.yaml\n/sub/c|c\n");
	gitops_buf_release(&b);
	cleanup();
}
END_TEST

static const struct {
	const char *in;
	int ret;
	const char *out;
} clean_cases[] = {
	{ "", 0, "" },
	{ ".", 0, "" },
	{ "a//b/./c/", 0, "a/b/c" },
	{ "./envs/prod", 0, "envs/prod" },
	{ "a/../b", 1, "a" },
	{ "..", 1, "" },
	{ "a/..b", 0, "a/..b" },
};

START_TEST(test_path_clean)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	ck_assert_int_eq(gitops_fs_path_clean(&b, clean_cases[_i].in), clean_cases[_i].ret);
	ck_assert_str_eq(b.data ? b.data : "", clean_cases[_i].out);
	gitops_buf_release(&b);
	/* appended after what the buffer holds, with one '/' */
	ck_assert_int_eq(gitops_buf_addstr(&b, "pre"), 0);
	ck_assert_int_eq(gitops_fs_path_clean(&b, "x/./y"), 0);
	ck_assert_str_eq(b.data, "pre/x/y");
	gitops_buf_release(&b);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fs");
	TCase *tc = tcase_create("fs");

	tcase_add_test(tc, test_write_atomic);
	tcase_add_test(tc, test_cache_dir);
	tcase_add_test(tc, test_walk);
	tcase_add_loop_test(tc, test_path_clean, 0, sizeof(clean_cases) / sizeof(clean_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
