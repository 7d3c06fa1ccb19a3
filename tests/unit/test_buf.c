/* buf: growth, printf, detach, read_file's cap, and the spool's memory-to-file spill. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check_main.h"
#include "lib/base/buf.h"

/* A private temporary directory per test (fork mode: each test its own), removed by the caller. */
static char tmpdir[4096];

static void make_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/gitops-test-buf.XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/* Appends of every size keep the bytes, the length and the NUL after them. */
static const size_t add_sizes[] = { 0, 1, 62, 63, 64, 65, 127, 128, 1000, 65536, 1000003 };

START_TEST(test_add_grows)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t n = add_sizes[_i], i, total = 0;
	char *chunk = malloc(n + 1);

	ck_assert_ptr_nonnull(chunk);
	for (i = 0; i < n; i++)
		chunk[i] = (char)('a' + i % 26);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(gitops_buf_add(&b, chunk, n), 0);
		total += n;
		ck_assert_uint_eq(b.len, total);
		ck_assert_uint_gt(b.cap, b.len);
		ck_assert_ptr_nonnull(b.data);
		ck_assert_int_eq(b.data[b.len], '\0');
	}
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(memcmp(b.data + i * n, chunk, n), 0);
	gitops_buf_release(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	free(chunk);
}
END_TEST

START_TEST(test_add_binary_and_str)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	ck_assert_int_eq(gitops_buf_add(&b, "a\0b", 3), 0);
	ck_assert_int_eq(gitops_buf_addstr(&b, "cd"), 0);
	ck_assert_int_eq(gitops_buf_addstr(&b, ""), 0);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_int_eq(memcmp(b.data, "a\0bcd", 6), 0);
	gitops_buf_release(&b);
	gitops_buf_release(&b);  /* twice: harmless */
}
END_TEST

START_TEST(test_add_overflow_refused)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	ck_assert_int_eq(gitops_buf_addstr(&b, "x"), 0);
	/* a length that cannot fit with the NUL: refused, the buffer untouched */
	ck_assert_int_eq(gitops_buf_add(&b, "y", (size_t)-1), -1);
	ck_assert_int_eq(gitops_buf_add(&b, "y", (size_t)-1 - 1), -1);
	ck_assert_uint_eq(b.len, 1);
	ck_assert_str_eq(b.data, "x");
	gitops_buf_release(&b);
}
END_TEST

static const struct {
	const char *fmt_name;
	const char *want;
} printf_cases[] = {
	{ "int", "n=42;" },
	{ "string", "s=hello;" },
	{ "empty", "" },
	{ "long", NULL },   /* 5000 'x': beyond the first growth */
	{ "percent", "100%" },
};

START_TEST(test_printf)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *name = printf_cases[_i].fmt_name;

	ck_assert_int_eq(gitops_buf_addstr(&b, "pre:"), 0);
	if (!strcmp(name, "int"))
		ck_assert_int_eq(gitops_buf_printf(&b, "n=%d;", 42), 0);
	else if (!strcmp(name, "string"))
		ck_assert_int_eq(gitops_buf_printf(&b, "s=%s;", "hello"), 0);
	else if (!strcmp(name, "empty"))
		ck_assert_int_eq(gitops_buf_printf(&b, "%s", ""), 0);
	else if (!strcmp(name, "long"))
		ck_assert_int_eq(gitops_buf_printf(&b, "%5000s", "x"), 0);
	else
		ck_assert_int_eq(gitops_buf_printf(&b, "%d%%", 100), 0);
	ck_assert_int_eq(strncmp(b.data, "pre:", 4), 0);
	if (printf_cases[_i].want) {
		ck_assert_str_eq(b.data + 4, printf_cases[_i].want);
		ck_assert_uint_eq(b.len, 4 + strlen(printf_cases[_i].want));
	} else {
		ck_assert_uint_eq(b.len, 4 + 5000);
		ck_assert_int_eq(b.data[4 + 4999], 'x');
		ck_assert_int_eq(b.data[4], ' ');
	}
	ck_assert_int_eq(b.data[b.len], '\0');
	gitops_buf_release(&b);
}
END_TEST

START_TEST(test_detach)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *d;

	/* an empty buffer detaches as "", never NULL */
	d = gitops_buf_detach(&b);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d, "");
	free(d);
	ck_assert_int_eq(gitops_buf_addstr(&b, "kept"), 0);
	d = gitops_buf_detach(&b);
	ck_assert_str_eq(d, "kept");
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	/* the buffer is reusable, and the detached data is the caller's */
	ck_assert_int_eq(gitops_buf_addstr(&b, "again"), 0);
	ck_assert_str_eq(b.data, "again");
	ck_assert_str_eq(d, "kept");
	free(d);
	gitops_buf_release(&b);
}
END_TEST

/* read_file: a file of `size` bytes under a cap of `max` */
static const struct {
	size_t size, max;
	int ok;
} read_cases[] = {
	{ 0, 0, 1 },
	{ 0, 10, 1 },
	{ 10, 10, 1 },
	{ 11, 10, 0 },
	{ 65536, 65536, 1 },
	{ 65537, 65536, 0 },
	{ 200000, 1000000, 1 },
	{ 200000, 131072, 0 },
};

START_TEST(test_read_file_cap)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char path[4200], want[4400];
	size_t n = read_cases[_i].size, i;
	char *data = malloc(n + 1);

	ck_assert_ptr_nonnull(data);
	for (i = 0; i < n; i++)
		data[i] = (char)(i % 251);
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/f", tmpdir);
	write_file(path, data, n);
	if (read_cases[_i].ok) {
		ck_assert_msg(gitops_buf_read_file(&b, path, read_cases[_i].max, &err) == 0, "%s", err.msg);
		ck_assert_ptr_nonnull(b.data);   /* even for an empty file */
		ck_assert_uint_eq(b.len, n);
		ck_assert_int_eq(memcmp(b.data, data, n), 0);
		ck_assert_int_eq(b.data[n], '\0');
	} else {
		ck_assert_int_eq(gitops_buf_read_file(&b, path, read_cases[_i].max, &err), -1);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		snprintf(want, sizeof(want), "%s: larger than the limit of %zu bytes", path, read_cases[_i].max);
		ck_assert_str_eq(err.msg, want);
	}
	gitops_buf_release(&b);
	unlink(path);
	rmdir(tmpdir);
	free(data);
}
END_TEST

START_TEST(test_read_file_appends)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char path[4200];

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/f", tmpdir);
	write_file(path, "world", 5);
	ck_assert_int_eq(gitops_buf_addstr(&b, "hello "), 0);
	ck_assert_int_eq(gitops_buf_read_file(&b, path, 100, &err), 0);
	ck_assert_str_eq(b.data, "hello world");
	/* the cap counts what the buffer held already */
	b.len = 0;
	ck_assert_int_eq(gitops_buf_addstr(&b, "0123456"), 0);
	ck_assert_int_eq(gitops_buf_read_file(&b, path, 10, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	gitops_buf_release(&b);
	unlink(path);
	rmdir(tmpdir);
}
END_TEST

START_TEST(test_read_file_errors)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char path[4200], want[4400];

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	ck_assert_int_eq(gitops_buf_read_file(&b, path, 100, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	ck_assert_str_eq(err.msg, want);
	/* a directory opens but cannot be read */
	ck_assert_int_eq(gitops_buf_read_file(&b, tmpdir, 100, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	snprintf(want, sizeof(want), "%s: %s", tmpdir, strerror(EISDIR));
	ck_assert_str_eq(err.msg, want);
	ck_assert_ptr_null(b.data);
	rmdir(tmpdir);
}
END_TEST

/* The spool: `writes` writes of `size` bytes under mem_max; spilled or not, the same bytes come out. */
static const struct {
	size_t mem_max, size, writes;
} spool_cases[] = {
	{ 1024, 100, 5 },          /* in memory */
	{ 1024, 1024, 1 },         /* exactly the limit: still memory */
	{ 1024, 1025, 1 },         /* one byte over: a file */
	{ 1024, 100, 50 },         /* spills on the way */
	{ 0, 1, 10 },              /* no memory at all */
	{ 4096, 70000, 3 },        /* writes larger than a spool block */
	{ 4096, 30000, 20 },       /* several blocks buffered then flushed */
	{ 1u << 20, 65536, 8 },
};

START_TEST(test_spool)
{
	struct gitops_spool *s = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	size_t size = spool_cases[_i].size, writes = spool_cases[_i].writes, i, total = size * writes;
	char *data = malloc(total), *back = malloc(total + 1);
	char path[4200];
	struct stat st;
	int fd;

	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_nonnull(back);
	for (i = 0; i < total; i++)
		data[i] = (char)(i * 7 % 253);
	make_tmpdir();
	setenv("TMPDIR", tmpdir, 1);
	ck_assert_int_eq(gitops_spool_new(&s, spool_cases[_i].mem_max, &err), 0);
	for (i = 0; i < writes; i++)
		ck_assert_int_eq(gitops_spool_write(s, data + i * size, size, &err), 0);
	ck_assert_uint_eq(gitops_spool_size(s), total);
	ck_assert_int_eq(err.code, 0);

	/* the temporary file is unlinked at once: nothing is left in TMPDIR */
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	ck_assert_int_eq(rmdir(tmpdir), 0);
	ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(gitops_spool_copy_to_fd(s, fd, &err) == 0, "%s", err.msg);
	/* copied twice: the spool is still whole after a copy */
	ck_assert_msg(gitops_spool_copy_to_fd(s, fd, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq((size_t)st.st_size, 2 * total);
	ck_assert_int_eq(pread(fd, back, total, 0), (ssize_t)total);
	ck_assert_int_eq(memcmp(back, data, total), 0);
	ck_assert_int_eq(pread(fd, back, total, (off_t)total), (ssize_t)total);
	ck_assert_int_eq(memcmp(back, data, total), 0);
	close(fd);
	gitops_spool_free(s);
	unlink(path);
	rmdir(tmpdir);
	free(data);
	free(back);
}
END_TEST

START_TEST(test_spool_no_tmpdir)
{
	struct gitops_spool *s = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	char want[4400];

	make_tmpdir();
	ck_assert_int_eq(rmdir(tmpdir), 0);
	setenv("TMPDIR", tmpdir, 1);
	ck_assert_int_eq(gitops_spool_new(&s, 4, &err), 0);
	ck_assert_int_eq(gitops_spool_write(s, "abcd", 4, &err), 0);  /* fits in memory */
	ck_assert_int_eq(gitops_spool_write(s, "e", 1, &err), -1);    /* must spill, and cannot */
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	snprintf(want, sizeof(want), "cannot create a temporary file in '%s' for the output: %s", tmpdir,
		 strerror(ENOENT));
	ck_assert_str_eq(err.msg, want);
	ck_assert_uint_eq(gitops_spool_size(s), 4);
	gitops_spool_free(s);
	gitops_spool_free(NULL);
}
END_TEST

START_TEST(test_write_all)
{
	int p[2];
	char back[16] = "";

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(gitops_write_all(p[1], "abc", 3), 0);
	ck_assert_int_eq(gitops_write_all(p[1], "", 0), 0);
	ck_assert_int_eq(read(p[0], back, sizeof(back)), 3);
	ck_assert_str_eq(back, "abc");
	close(p[0]);
	close(p[1]);
	ck_assert_int_eq(gitops_write_all(p[1], "x", 1), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

/* reserve: exact room at once, contents and NUL kept, no move while adds fit, no overflow */
START_TEST(test_reserve)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *at;

	ck_assert_int_eq(gitops_buf_reserve(&b, 100), 0);
	ck_assert_uint_eq(b.cap, 101);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	at = b.data;
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(gitops_buf_add(&b, "0123456789", 10), 0);
	ck_assert_ptr_eq(b.data, at);
	ck_assert_uint_eq(b.len, 100);
	ck_assert_int_eq(gitops_buf_reserve(&b, 0), 0);
	ck_assert_ptr_eq(b.data, at);
	ck_assert_int_eq(gitops_buf_reserve(&b, 5), 0);
	ck_assert_uint_eq(b.cap, 106);
	ck_assert_int_eq(strncmp(b.data, "0123456789", 10), 0);
	ck_assert_int_eq(b.data[b.len], 0);
	ck_assert_int_eq(gitops_buf_reserve(&b, (size_t)-1), -1);
	ck_assert_uint_eq(b.cap, 106);
	gitops_buf_release(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buf");
	TCase *tb = tcase_create("buf"), *tf = tcase_create("read_file"), *ts = tcase_create("spool");

	tcase_add_loop_test(tb, test_add_grows, 0, N(add_sizes));
	tcase_add_test(tb, test_add_binary_and_str);
	tcase_add_test(tb, test_add_overflow_refused);
	tcase_add_loop_test(tb, test_printf, 0, N(printf_cases));
	tcase_add_test(tb, test_detach);
	tcase_add_test(tb, test_reserve);
	tcase_add_loop_test(tf, test_read_file_cap, 0, N(read_cases));
	tcase_add_test(tf, test_read_file_appends);
	tcase_add_test(tf, test_read_file_errors);
	tcase_add_loop_test(ts, test_spool, 0, N(spool_cases));
	tcase_add_test(ts, test_spool_no_tmpdir);
	tcase_add_test(ts, test_write_all);
	suite_add_tcase(s, tb);
	suite_add_tcase(s, tf);
	suite_add_tcase(s, ts);
	return gitops_check_run(s);
}
