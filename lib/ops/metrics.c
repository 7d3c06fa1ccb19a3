/* metrics.c: state records → Prometheus text exposition (0.0.4), written atomically. */
#include "lib/ops/metrics.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/fs.h"
#include "lib/base/json.h"
#include "lib/base/time.h"

static const char *const sync_values[] = { "Synced", "OutOfSync", "Unknown", NULL };
static const char *const health_values[] = { "Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown", NULL };
static const char *const result_values[] = { "Succeeded", "Failed", "Skipped", "Busy", "OutsideWindow", NULL };

struct rec {
	const char *app;
	const cJSON *r;
};

static int rec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rec *)a)->app, ((const struct rec *)b)->app);
}

static int add_label_value(struct gitops_buf *out, const char *v)
{
	for (; *v; v++) {
		int r;

		if (*v == '\\')
			r = gitops_buf_addstr(out, "\\\\");
		else if (*v == '"')
			r = gitops_buf_addstr(out, "\\\"");
		else if (*v == '\n')
			r = gitops_buf_addstr(out, "\\n");
		else
			r = gitops_buf_add(out, v, 1);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* the shortest of %.15g / %.17g that reads back exactly; Go's ParseFloat reads both */
static int add_number(struct gitops_buf *out, double v)
{
	char s[40];

	if (isnan(v))
		return gitops_buf_addstr(out, "NaN");
	if (isinf(v))
		return gitops_buf_addstr(out, v > 0 ? "+Inf" : "-Inf");
	snprintf(s, sizeof(s), "%.15g", v);
	if (strtod(s, NULL) != v)
		snprintf(s, sizeof(s), "%.17g", v);
	return gitops_buf_addstr(out, s);
}

static int sample(struct gitops_buf *out, const char *name, const char *app, const char *label, const char *lval, double v)
{
	if (gitops_buf_printf(out, "%s{app=\"", name) < 0 || add_label_value(out, app) < 0)
		return -1;
	if (label && (gitops_buf_printf(out, "\",%s=\"", label) < 0 || add_label_value(out, lval) < 0))
		return -1;
	if (gitops_buf_addstr(out, "\"} ") < 0 || add_number(out, v) < 0 || gitops_buf_addstr(out, "\n") < 0)
		return -1;
	return 0;
}

static int header(struct gitops_buf *out, const char *name, const char *help)
{
	return gitops_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* RFC 3339 ("2026-11-30T22:00:01Z", ".25", "+01:00") → seconds since the epoch; -1 if it is none */
static int rfc3339(const char *s, double *out)
{
	int64_t sec;
	int32_t ns;

	if (gitops_time_rfc3339(s, &sec, &ns) < 0)
		return -1;
	*out = (double)sec + ns / 1e9;
	return 0;
}

static const char *one_of(const char *v, const char *const *values)
{
	for (size_t i = 0; v && values[i]; i++)
		if (!strcmp(v, values[i]))
			return values[i];
	return NULL;
}

static int family_enum(struct gitops_buf *out, const struct rec *recs, size_t n, const char *name, const char *help,
		       const char *label, const char *const *values, const char *field, int from_op, const char *fallback)
{
	if (header(out, name, help) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const cJSON *src = from_op ? cJSON_GetObjectItemCaseSensitive(recs[i].r, "lastOperation") : recs[i].r;
		const char *v, *cur;

		if (from_op && !cJSON_IsObject(src))
			continue;
		v = gitops_json_get_string(src, field, NULL);
		cur = one_of(v, values);
		if (!cur)
			cur = fallback;
		for (size_t k = 0; values[k]; k++)
			if (sample(out, name, recs[i].app, label, values[k], cur == values[k] ? 1 : 0) < 0)
				return -1;
	}
	return 0;
}

enum num_kind { NUM_PLAIN, NUM_TIME, NUM_BOOL, NUM_COUNT };

/* one sample per record whose field (in the record, or its lastOperation) is there */
static int family_num(struct gitops_buf *out, const struct rec *recs, size_t n, const char *name, const char *help,
		      const char *field, int from_op, enum num_kind kind)
{
	if (header(out, name, help) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const cJSON *src = from_op ? cJSON_GetObjectItemCaseSensitive(recs[i].r, "lastOperation") : recs[i].r;
		const cJSON *f = cJSON_IsObject(src) ? cJSON_GetObjectItemCaseSensitive(src, field) : NULL;
		double v;

		if (!f || cJSON_IsNull(f))
			continue;
		if (kind == NUM_TIME) {
			if (!cJSON_IsString(f) || rfc3339(f->valuestring, &v) < 0)
				continue;
		} else if (kind == NUM_BOOL) {
			if (!cJSON_IsBool(f))
				continue;
			v = cJSON_IsTrue(f);
		} else if (kind == NUM_COUNT) {
			if (!cJSON_IsArray(f))
				continue;
			v = cJSON_GetArraySize(f);
		} else {
			if (!cJSON_IsNumber(f))
				continue;
			v = f->valuedouble;
		}
		if (sample(out, name, recs[i].app, NULL, NULL, v) < 0)
			return -1;
	}
	return 0;
}

int gitops_ops_metrics_text(struct gitops_buf *out, const cJSON *const *records, size_t n, struct gitops_err *err)
{
	struct rec *recs = calloc(n ? n : 1, sizeof(*recs));
	int ret = -1;

	if (!recs)
		return gitops_err_oom(err);
	for (size_t i = 0; i < n; i++) {
		recs[i].r = records[i];
		recs[i].app = gitops_json_get_string(records[i], "app", NULL);
		if (!cJSON_IsObject(records[i]) || !recs[i].app || !*recs[i].app) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "metrics: record %zu has no \"app\" string", i);
			goto done;
		}
	}
	qsort(recs, n, sizeof(*recs), rec_cmp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(recs[i - 1].app, recs[i].app)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "metrics: two records of application \"%s\"", recs[i].app);
			goto done;
		}
	if (family_enum(out, recs, n, "gitops_app_sync_status",
			"Whether the application's sync status is this one (1) or not (0).",
			"status", sync_values, "sync", 0, "Unknown") < 0 ||
	    family_enum(out, recs, n, "gitops_app_health_status",
			"Whether the application's health is this one (1) or not (0); the worst of its objects.",
			"health", health_values, "health", 0, "Unknown") < 0 ||
	    family_num(out, recs, n, "gitops_app_suspended",
		       "Whether automated sync of the application is suspended (1) or not (0).",
		       "suspended", 0, NUM_BOOL) < 0 ||
	    family_num(out, recs, n, "gitops_app_objects_differ",
		       "How many of the application's objects differ from Git.",
		       "differ", 0, NUM_COUNT) < 0 ||
	    family_enum(out, recs, n, "gitops_app_last_operation_result",
			"Whether the application's last operation ended with this result (1) or not (0).",
			"result", result_values, "result", 1, NULL) < 0 ||
	    family_num(out, recs, n, "gitops_app_last_operation_exit_status",
		       "The exit status of the application's last operation (11: busy, another run held the lock).",
		       "exitStatus", 1, NUM_PLAIN) < 0 ||
	    family_num(out, recs, n, "gitops_app_last_operation_timestamp_seconds",
		       "When the application's last operation finished, in seconds since the epoch.",
		       "finishedAt", 1, NUM_TIME) < 0 ||
	    family_num(out, recs, n, "gitops_app_last_success_timestamp_seconds",
		       "When the application last synced successfully, in seconds since the epoch.",
		       "lastSuccessAt", 0, NUM_TIME) < 0 ||
	    family_num(out, recs, n, "gitops_app_last_sync_duration_seconds",
		       "How long the application's last operation took, in seconds.",
		       "durationSeconds", 1, NUM_PLAIN) < 0 ||
	    family_num(out, recs, n, "gitops_app_objects_applied",
		       "How many objects the application's last operation applied.",
		       "applied", 1, NUM_PLAIN) < 0 ||
	    family_num(out, recs, n, "gitops_app_objects_pruned",
		       "How many objects the application's last operation pruned.",
		       "pruned", 1, NUM_PLAIN) < 0 ||
	    family_num(out, recs, n, "gitops_app_objects_failed",
		       "How many objects the application's last operation failed to apply.",
		       "failed", 1, NUM_PLAIN) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	ret = 0;
done:
	free(recs);
	return ret;
}

int gitops_ops_metrics_write(const char *path, const cJSON *const *records, size_t n, struct gitops_err *err)
{
	struct gitops_buf text = GITOPS_BUF_INIT;
	int ret = -1;

	if (!*path)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "metrics: no file name");
	/* 0644 whatever the umask: node_exporter reads it as another user */
	if (gitops_ops_metrics_text(&text, records, n, err) == 0)
		ret = gitops_fs_write_atomic(path, text.data ? text.data : "", text.len, 0644 | GITOPS_FS_EXACT_MODE,
					     err);
	gitops_buf_release(&text);
	return ret;
}
