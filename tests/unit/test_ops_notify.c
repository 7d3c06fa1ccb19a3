/* Unit tests for lib/ops/notify.c: hostile values arrive exact, failures, a deaf hook, timeouts. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/ops/notify.h"
#include "tests/unit/check_main.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/gitops-notify-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("NOTIFY_OUT", dir, 1);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *name, size_t *len)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (gitops_buf_read_file(&b, path, 1 << 24, &err) < 0)
		return NULL;
	if (len)
		*len = b.len;
	if (!b.data)
		return strdup("");
	return gitops_buf_detach(&b);
}

static int exists(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

/* every value a shell would love to interpret */
static const char *const hostile[] = {
	"$(touch \"$NOTIFY_OUT/pwned1\")",
	"`touch \"$NOTIFY_OUT/pwned2\"`",
	"x; touch \"$NOTIFY_OUT/pwned3\"; rm -rf /nonexistent",
	"line one\nline two\n\ntrailing newline\n",
	"'single' \"double\" \\back\\slash\\ \t tab $HOME ${PATH} !! * ? [a] ~ # & | < > =",
	"\xc3\xa9t\xc3\xa9 \xe2\x9c\x93 = a=b=c",
	" leading and trailing spaces ",
	"-n",
	"",
};

static cJSON *record_with(const char *message, const char *app)
{
	cJSON *r = cJSON_CreateObject(), *op = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "app", app);
	cJSON_AddStringToObject(r, "desiredRevision", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	cJSON_AddStringToObject(r, "syncedRevision", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	cJSON_AddStringToObject(r, "sync", "OutOfSync");
	cJSON_AddStringToObject(r, "health", "Degraded");
	cJSON_AddStringToObject(op, "result", "Failed");
	cJSON_AddNumberToObject(op, "exitStatus", 7);
	cJSON_AddStringToObject(op, "message", message);
	cJSON_AddItemToObject(r, "lastOperation", op);
	return r;
}

#define HOOK \
	"printf '%s' \"$GITOPS_APP\" > \"$NOTIFY_OUT/APP\"; " \
	"printf '%s' \"$GITOPS_EVENT\" > \"$NOTIFY_OUT/EVENT\"; " \
	"printf '%s' \"$GITOPS_SYNC\" > \"$NOTIFY_OUT/SYNC\"; " \
	"printf '%s' \"$GITOPS_HEALTH\" > \"$NOTIFY_OUT/HEALTH\"; " \
	"printf '%s' \"$GITOPS_REVISION\" > \"$NOTIFY_OUT/REVISION\"; " \
	"printf '%s' \"$GITOPS_RESULT\" > \"$NOTIFY_OUT/RESULT\"; " \
	"printf '%s' \"$GITOPS_EXIT_STATUS\" > \"$NOTIFY_OUT/EXIT_STATUS\"; " \
	"printf '%s' \"$GITOPS_MESSAGE\" > \"$NOTIFY_OUT/MESSAGE\"; " \
	"printf '%s' \"$GITOPS_SYNCED_REVISION\" > \"$NOTIFY_OUT/SYNCED_REVISION\"; " \
	"printf '%s' \"$GITOPS_DESIRED_REVISION\" > \"$NOTIFY_OUT/DESIRED_REVISION\"; " \
	"cat > \"$NOTIFY_OUT/stdin\""

static void expect_file(const char *name, const char *want)
{
	size_t len = 0;
	char *got = slurp(name, &len);

	ck_assert_msg(got != NULL, "%s was not written", name);
	ck_assert_msg(len == strlen(want) && !memcmp(got, want, len), "%s: got \"%s\", want \"%s\"", name, got, want);
	free(got);
}

START_TEST(test_hostile_values_arrive_exact)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *msg = hostile[_i];
	cJSON *rec = record_with(msg, msg);   /* the app name too: the hook never interprets it */
	char *json = cJSON_PrintUnformatted(rec);
	struct gitops_buf want_stdin = GITOPS_BUF_INIT;
	size_t len = 0;
	char *got;

	setenv("GITOPS_MESSAGE", "stale value from the parent", 1);
	ck_assert_msg(gitops_ops_notify(HOOK, "failure", rec, &err) == 0, "%s", err.msg);
	expect_file("APP", msg);
	expect_file("MESSAGE", msg);
	expect_file("EVENT", "failure");
	expect_file("SYNC", "OutOfSync");
	expect_file("HEALTH", "Degraded");
	expect_file("RESULT", "Failed");
	expect_file("EXIT_STATUS", "7");
	expect_file("REVISION", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");   /* what was tried */
	expect_file("SYNCED_REVISION", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	expect_file("DESIRED_REVISION", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	gitops_buf_addstr(&want_stdin, json);
	gitops_buf_addstr(&want_stdin, "\n");
	got = slurp("stdin", &len);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(len, want_stdin.len);
	ck_assert_int_eq(memcmp(got, want_stdin.data, len), 0);
	ck_assert_msg(!exists("pwned1") && !exists("pwned2") && !exists("pwned3"), "a value was run by a shell");
	free(got);
	gitops_buf_release(&want_stdin);
	cJSON_free(json);
	cJSON_Delete(rec);
	unsetenv("GITOPS_MESSAGE");
}
END_TEST

/* absent fields are empty, never inherited; a Succeeded operation names the synced revision */
START_TEST(test_absent_fields_and_revision)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *rec = cJSON_Parse("{\"app\":\"web\",\"syncedRevision\":\"s1\",\"desiredRevision\":\"d1\","
				 "\"lastOperation\":{\"result\":\"Succeeded\",\"exitStatus\":0}}");

	setenv("GITOPS_HEALTH", "stale", 1);
	ck_assert_msg(gitops_ops_notify(HOOK, "sync", rec, &err) == 0, "%s", err.msg);
	expect_file("HEALTH", "");
	expect_file("MESSAGE", "");
	expect_file("REVISION", "s1");
	expect_file("EXIT_STATUS", "0");
	cJSON_Delete(rec);
	/* an explicit lastOperation.revision wins (a rollback's target) */
	rec = cJSON_Parse("{\"app\":\"web\",\"syncedRevision\":\"s1\",\"desiredRevision\":\"d1\","
			  "\"lastOperation\":{\"result\":\"Failed\",\"revision\":\"r0\"}}");
	ck_assert_msg(gitops_ops_notify(HOOK, "failure", rec, &err) == 0, "%s", err.msg);
	expect_file("REVISION", "r0");
	expect_file("EXIT_STATUS", "");
	cJSON_Delete(rec);
	/* no record at all: "null" on stdin */
	ck_assert_msg(gitops_ops_notify(HOOK, "sync", NULL, &err) == 0, "%s", err.msg);
	expect_file("stdin", "null\n");
	expect_file("APP", "");
	unsetenv("GITOPS_HEALTH");
}
END_TEST

START_TEST(test_failing_hook)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *rec = record_with("m", "web");

	ck_assert_int_eq(gitops_ops_notify("cat >/dev/null; exit 3", "failure", rec, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_REJECTED);
	ck_assert_str_eq(err.msg, "notify hook \"failure\" (cat >/dev/null; exit 3): exited with status 3");
	ck_assert_int_eq(gitops_ops_notify("kill -TERM $$", "degraded", rec, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_REJECTED);
	ck_assert_msg(strstr(err.msg, "notify hook \"degraded\" (kill -TERM $$): killed by signal 15") == err.msg, "%s", err.msg);
	ck_assert_int_eq(gitops_ops_notify("exit 1\n# a second line", "sync", rec, &err), -1);
	ck_assert_str_eq(err.msg, "notify hook \"sync\" (exit 1...): exited with status 1");
	ck_assert_int_eq(gitops_ops_notify("", "sync", rec, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
	ck_assert_int_eq(gitops_ops_notify(NULL, "sync", rec, &err), -1);
	{
		struct gitops_ops_notify_options opt = GITOPS_OPS_NOTIFY_OPTIONS_INIT;

		opt.err_fd = open("/dev/null", O_WRONLY);
		ck_assert_int_eq(gitops_ops_notify_with("/nonexistent/hook", "sync", rec, &opt, &err), -1);
		close(opt.err_fd);
	}
	ck_assert_msg(strstr(err.msg, "exited with status 127") != NULL, "%s", err.msg);
	cJSON_Delete(rec);
}
END_TEST

/* a hook that never reads its stdin, with a record far larger than a pipe holds */
START_TEST(test_deaf_hook)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	size_t big = 4 << 20;
	char *msg = malloc(big + 1);
	cJSON *rec;
	struct sigaction sa;

	/* SIGPIPE at its default: a stray one would kill this test */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	memset(msg, 'x', big);
	msg[big] = 0;
	rec = record_with(msg, "web");
	ck_assert_msg(gitops_ops_notify("exit 0", "sync", rec, &err) == 0, "%s", err.msg);
	ck_assert_msg(gitops_ops_notify("exec 0<&-; sleep 0.2; touch \"$NOTIFY_OUT/done\"", "sync", rec, &err) == 0, "%s", err.msg);
	ck_assert(exists("done"));
	/* the environment holds the first GITOPS_OPS_NOTIFY_ENV_MAX bytes, stdin all of it */
	ck_assert_msg(gitops_ops_notify(HOOK, "sync", rec, &err) == 0, "%s", err.msg);
	{
		size_t len = 0, slen = 0;
		char *m = slurp("MESSAGE", &len), *in = slurp("stdin", &slen);

		ck_assert_uint_eq(len, GITOPS_OPS_NOTIFY_ENV_MAX);
		ck_assert_uint_gt(slen, big);
		free(m);
		free(in);
	}
	cJSON_Delete(rec);
	rec = record_with("small", "web");
	ck_assert_msg(gitops_ops_notify("head -c 10 >/dev/null", "sync", rec, &err) == 0, "%s", err.msg);
	cJSON_Delete(rec);
	free(msg);
}
END_TEST

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int process_gone(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;
	char *p;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	/* an orphan killed but not yet reaped by init is a zombie: gone enough */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && (p[2] == 'Z' || p[2] == 'X');
}

START_TEST(test_timeout_kills_the_group)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_ops_notify_options opt = GITOPS_OPS_NOTIFY_OPTIONS_INIT;
	struct timespec t0;
	cJSON *rec = record_with("m", "web");
	char *pid_text;
	pid_t child;

	opt.timeout_ms = 400;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(gitops_ops_notify_with("sleep 30 & echo $! > \"$NOTIFY_OUT/pid\"; wait", "failure", rec, &opt, &err), -1);
	ck_assert_msg(seconds_since(&t0) < 5, "the timeout did not stop it: %.1f s", seconds_since(&t0));
	ck_assert_int_eq(err.code, GITOPS_EXIT_UNREACHABLE);
	ck_assert_str_eq(err.msg, "notify hook \"failure\" (sleep 30 & echo $! > \"$NOTIFY_OUT/pid\"; wait): killed after 0.400 s");
	pid_text = slurp("pid", NULL);
	ck_assert_ptr_nonnull(pid_text);
	child = (pid_t)atoi(pid_text);
	ck_assert_int_gt(child, 1);
	{
		int i;

		for (i = 0; i < 100 && !process_gone(child); i++)
			usleep(10000);
		ck_assert_msg(process_gone(child), "the hook's child %d survived", (int)child);
	}
	free(pid_text);
	cJSON_Delete(rec);
}
END_TEST

/* the deadline holds while the record is still being written to a hook that does not read */
START_TEST(test_timeout_while_writing)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_ops_notify_options opt = GITOPS_OPS_NOTIFY_OPTIONS_INIT;
	size_t big = 1 << 20;
	char *msg = malloc(big + 1);
	struct timespec t0;
	cJSON *rec;

	memset(msg, 'y', big);
	msg[big] = 0;
	rec = record_with(msg, "web");
	opt.timeout_ms = 300;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(gitops_ops_notify_with("sleep 30", "sync", rec, &opt, &err), -1);
	ck_assert_msg(seconds_since(&t0) < 5, "%.1f s", seconds_since(&t0));
	ck_assert_int_eq(err.code, GITOPS_EXIT_UNREACHABLE);
	cJSON_Delete(rec);
	free(msg);
}
END_TEST

START_TEST(test_output_fds)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_ops_notify_options opt = GITOPS_OPS_NOTIFY_OPTIONS_INIT;
	char path[256];
	cJSON *rec = record_with("m", "web");
	int out, errfd;

	snprintf(path, sizeof(path), "%s/out", dir);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	snprintf(path, sizeof(path), "%s/err", dir);
	errfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(out, 0);
	ck_assert_int_ge(errfd, 0);
	opt.out_fd = out;
	opt.err_fd = errfd;
	ck_assert_msg(gitops_ops_notify_with("echo \"to out $GITOPS_APP\"; echo to err >&2", "sync", rec, &opt, &err) == 0, "%s", err.msg);
	close(out);
	close(errfd);
	expect_file("out", "to out web\n");
	expect_file("err", "to err\n");
	cJSON_Delete(rec);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops_notify");
	TCase *tc = tcase_create("hooks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_hostile_values_arrive_exact, 0, sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_test(tc, test_absent_fields_and_revision);
	tcase_add_test(tc, test_failing_hook);
	tcase_add_test(tc, test_deaf_hook);
	tcase_add_test(tc, test_timeout_kills_the_group);
	tcase_add_test(tc, test_timeout_while_writing);
	tcase_add_test(tc, test_output_fds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
