/* Unit tests for lib/ops/metrics.c: the exposition text, escaping, the atomic write. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/ops/metrics.h"
#include "tests/unit/check_main.h"

/* "web" comes first and sorts last; "api" has no lastOperation yet (its samples are left out) */
static const char *const two_records[] = {
	"{\"app\":\"web\",\"sync\":\"OutOfSync\",\"health\":\"Degraded\","
	"\"differ\":[{\"kind\":\"Deployment\"},{\"kind\":\"Service\"}],\"suspended\":false,"
	"\"lastOperation\":{\"startedAt\":\"2026-11-30T22:00:00Z\",\"finishedAt\":\"2026-11-30T22:00:01.25Z\","
	"\"durationSeconds\":1.25,\"result\":\"Failed\",\"exitStatus\":7,\"message\":\"x\","
	"\"applied\":5,\"pruned\":1,\"failed\":2},\"lastSuccessAt\":\"2026-11-29T10:00:00+01:00\"}",
	"{\"app\":\"api\",\"sync\":\"Synced\",\"health\":\"Healthy\",\"differ\":[],\"suspended\":true,"
	"\"suspendReason\":\"rollback\"}",
};

static const char expected[] =
	"# HELP gitops_app_sync_status Whether the application's sync status is this one (1) or not (0).\n"
	"# TYPE gitops_app_sync_status gauge\n"
	"gitops_app_sync_status{app=\"api\",status=\"Synced\"} 1\n"
	"gitops_app_sync_status{app=\"api\",status=\"OutOfSync\"} 0\n"
	"gitops_app_sync_status{app=\"api\",status=\"Unknown\"} 0\n"
	"gitops_app_sync_status{app=\"web\",status=\"Synced\"} 0\n"
	"gitops_app_sync_status{app=\"web\",status=\"OutOfSync\"} 1\n"
	"gitops_app_sync_status{app=\"web\",status=\"Unknown\"} 0\n"
	"# HELP gitops_app_health_status Whether the application's health is this one (1) or not (0); the worst of its objects.\n"
	"# TYPE gitops_app_health_status gauge\n"
	"gitops_app_health_status{app=\"api\",health=\"Healthy\"} 1\n"
	"gitops_app_health_status{app=\"api\",health=\"Progressing\"} 0\n"
	"gitops_app_health_status{app=\"api\",health=\"Degraded\"} 0\n"
	"gitops_app_health_status{app=\"api\",health=\"Suspended\"} 0\n"
	"gitops_app_health_status{app=\"api\",health=\"Missing\"} 0\n"
	"gitops_app_health_status{app=\"api\",health=\"Unknown\"} 0\n"
	"gitops_app_health_status{app=\"web\",health=\"Healthy\"} 0\n"
	"gitops_app_health_status{app=\"web\",health=\"Progressing\"} 0\n"
	"gitops_app_health_status{app=\"web\",health=\"Degraded\"} 1\n"
	"gitops_app_health_status{app=\"web\",health=\"Suspended\"} 0\n"
	"gitops_app_health_status{app=\"web\",health=\"Missing\"} 0\n"
	"gitops_app_health_status{app=\"web\",health=\"Unknown\"} 0\n"
	"# HELP gitops_app_suspended Whether automated sync of the application is suspended (1) or not (0).\n"
	"# TYPE gitops_app_suspended gauge\n"
	"gitops_app_suspended{app=\"api\"} 1\n"
	"gitops_app_suspended{app=\"web\"} 0\n"
	"# HELP gitops_app_objects_differ How many of the application's objects differ from Git.\n"
	"# TYPE gitops_app_objects_differ gauge\n"
	"gitops_app_objects_differ{app=\"api\"} 0\n"
	"gitops_app_objects_differ{app=\"web\"} 2\n"
	"# HELP gitops_app_last_operation_result Whether the application's last operation ended with this result (1) or not (0).\n"
	"# TYPE gitops_app_last_operation_result gauge\n"
	"gitops_app_last_operation_result{app=\"web\",result=\"Succeeded\"} 0\n"
	"gitops_app_last_operation_result{app=\"web\",result=\"Failed\"} 1\n"
	"gitops_app_last_operation_result{app=\"web\",result=\"Skipped\"} 0\n"
	"gitops_app_last_operation_result{app=\"web\",result=\"Busy\"} 0\n"
	"gitops_app_last_operation_result{app=\"web\",result=\"OutsideWindow\"} 0\n"
	"# HELP gitops_app_last_operation_exit_status The exit status of the application's last operation (11: busy, another run held the lock).\n"
	"# TYPE gitops_app_last_operation_exit_status gauge\n"
	"gitops_app_last_operation_exit_status{app=\"web\"} 7\n"
	"# HELP gitops_app_last_operation_timestamp_seconds When the application's last operation finished, in seconds since the epoch.\n"
	"# TYPE gitops_app_last_operation_timestamp_seconds gauge\n"
	"gitops_app_last_operation_timestamp_seconds{app=\"web\"} 1796076001.25\n"
	"# HELP gitops_app_last_success_timestamp_seconds When the application last synced successfully, in seconds since the epoch.\n"
	"# TYPE gitops_app_last_success_timestamp_seconds gauge\n"
	"gitops_app_last_success_timestamp_seconds{app=\"web\"} 1795942800\n"
	"# HELP gitops_app_last_sync_duration_seconds How long the application's last operation took, in seconds.\n"
	"# TYPE gitops_app_last_sync_duration_seconds gauge\n"
	"gitops_app_last_sync_duration_seconds{app=\"web\"} 1.25\n"
	"# HELP gitops_app_objects_applied How many objects the application's last operation applied.\n"
	"# TYPE gitops_app_objects_applied gauge\n"
	"gitops_app_objects_applied{app=\"web\"} 5\n"
	"# HELP gitops_app_objects_pruned How many objects the application's last operation pruned.\n"
	"# TYPE gitops_app_objects_pruned gauge\n"
	"gitops_app_objects_pruned{app=\"web\"} 1\n"
	"# HELP gitops_app_objects_failed How many objects the application's last operation failed to apply.\n"
	"# TYPE gitops_app_objects_failed gauge\n"
	"gitops_app_objects_failed{app=\"web\"} 2\n";

static cJSON **parse_all(const char *const *texts, size_t n)
{
	cJSON **r = calloc(n, sizeof(*r));

	for (size_t i = 0; i < n; i++) {
		r[i] = cJSON_Parse(texts[i]);
		ck_assert_msg(r[i] != NULL, "record %zu: bad JSON", i);
	}
	return r;
}

static void free_all(cJSON **r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(r[i]);
	free(r);
}

START_TEST(test_two_records_exact)
{
	struct gitops_buf out = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON **r = parse_all(two_records, 2);

	ck_assert_msg(gitops_ops_metrics_text(&out, (const cJSON *const *)r, 2, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(out.data, expected);
	gitops_buf_release(&out);
	free_all(r, 2);
}
END_TEST

START_TEST(test_hostile_labels_escaped)
{
	static const char *const recs[] = {
		"{\"app\":\"a\\\\b\\\"c\\nd}e{f=g,h\",\"sync\":\"Synced\",\"health\":\"Healthy\"}",
		"{\"app\":\"\\u00e9t\\u00e9 # x\",\"sync\":\"Bogus\"}",
	};
	struct gitops_buf out = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON **r = parse_all(recs, 2);

	ck_assert_msg(gitops_ops_metrics_text(&out, (const cJSON *const *)r, 2, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(out.data, "\ngitops_app_sync_status{app=\"a\\\\b\\\"c\\nd}e{f=g,h\",status=\"Synced\"} 1\n"));
	/* a status outside the list counts as Unknown; an absent health too */
	ck_assert_ptr_nonnull(strstr(out.data, "\ngitops_app_sync_status{app=\"\xc3\xa9t\xc3\xa9 # x\",status=\"Unknown\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "\ngitops_app_health_status{app=\"\xc3\xa9t\xc3\xa9 # x\",health=\"Unknown\"} 1\n"));
	ck_assert_ptr_null(strstr(out.data, "status=\"Bogus\""));
	/* no raw newline inside a sample: every line is a comment or starts with the prefix */
	for (const char *line = out.data; *line; line = strchr(line, '\n') + 1)
		ck_assert_msg(!strncmp(line, "# ", 2) || !strncmp(line, "gitops_app_", 11), "stray line: %.40s", line);
	gitops_buf_release(&out);
	free_all(r, 2);
}
END_TEST

START_TEST(test_bad_records)
{
	static const char *const dup[] = { "{\"app\":\"web\"}", "{\"app\":\"api\"}", "{\"app\":\"web\"}" };
	static const char *const noapp[] = { "{\"app\":\"web\"}", "{\"name\":\"api\"}" };
	struct gitops_buf out = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON **r = parse_all(dup, 3);

	ck_assert_int_eq(gitops_ops_metrics_text(&out, (const cJSON *const *)r, 3, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(err.msg, "metrics: two records of application \"web\"");
	free_all(r, 3);
	r = parse_all(noapp, 2);
	ck_assert_int_eq(gitops_ops_metrics_text(&out, (const cJSON *const *)r, 2, &err), -1);
	ck_assert_str_eq(err.msg, "metrics: record 1 has no \"app\" string");
	free_all(r, 2);
	gitops_buf_release(&out);
	/* no records at all: the families' headers alone */
	ck_assert_int_eq(gitops_ops_metrics_text(&out, NULL, 0, &err), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "# TYPE gitops_app_objects_failed gauge\n"));
	ck_assert_ptr_null(strstr(out.data, "{"));
	gitops_buf_release(&out);
}
END_TEST

START_TEST(test_write_atomic)
{
	char dir[] = "/tmp/gitops-metrics-XXXXXX", path[128];
	struct gitops_buf got = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON **r = parse_all(two_records, 2);
	struct stat st;
	mode_t old = umask(077);
	DIR *d;
	struct dirent *e;
	int files = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gitops.prom", dir);
	ck_assert_msg(gitops_ops_metrics_write(path, (const cJSON *const *)r, 2, &err) == 0, "%s", err.msg);
	/* again: it replaces the file */
	ck_assert_msg(gitops_ops_metrics_write(path, (const cJSON *const *)r, 2, &err) == 0, "%s", err.msg);
	umask(old);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(gitops_buf_read_file(&got, path, 1 << 20, &err), 0);
	ck_assert_str_eq(got.data, expected);
	d = opendir(dir);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			files++;
	closedir(d);
	ck_assert_int_eq(files, 1);   /* no temporary file left beside it */
	unlink(path);
	/* a bad record writes nothing */
	{
		cJSON *bad = cJSON_Parse("{}");
		const cJSON *one[] = { bad };

		ck_assert_int_eq(gitops_ops_metrics_write(path, one, 1, &err), -1);
		ck_assert_int_ne(access(path, F_OK), 0);
		cJSON_Delete(bad);
	}
	/* a directory that is not there */
	ck_assert_int_eq(gitops_ops_metrics_write("/nonexistent/dir/gitops.prom", (const cJSON *const *)r, 2, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/dir/gitops.prom"));
	rmdir(dir);
	gitops_buf_release(&got);
	free_all(r, 2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops_metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_test(tc, test_two_records_exact);
	tcase_add_test(tc, test_hostile_labels_escaped);
	tcase_add_test(tc, test_bad_records);
	tcase_add_test(tc, test_write_atomic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
