/*
 * status.c: the status and history tables, the rollback's revision (status.h).
 */
#include "lib/ops/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/ops/metrics.h"
#include "lib/ops/state.h"
#include "lib/value/jsonio.h"

static const char *str(const cJSON *o, const char *key, const char *dflt)
{
	const char *s = gitops_json_get_string(o, key, NULL);
	return s && *s ? s : dflt;
}

static int is_hex(const char *s, size_t min)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n >= min && !s[n];
}

/* A revision's cell: a commit's first 12 hex digits, a chart's version whole. */
static void rev_cell(char *cell, size_t size, const char *rev)
{
	if (strlen(rev) == 40 && is_hex(rev, 40))
		snprintf(cell, size, "%.12s", rev);
	else
		snprintf(cell, size, "%s", rev);
}

/* One row's cells, then the columns padded to the widest cell. */
#define COLS 6
#define CELL 512

static int table(struct gitops_buf *out, const char (*cells)[COLS][CELL], size_t rows)
{
	size_t w[COLS] = { 0 };

	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < COLS; c++)
			if (strlen(cells[r][c]) > w[c])
				w[c] = strlen(cells[r][c]);
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < COLS; c++)
			if (w[c] && gitops_buf_printf(out, "%-*s  ", (int)w[c], cells[r][c]) < 0)
				return -1;
		while (out->len && out->data[out->len - 1] == ' ')
			out->data[--out->len] = 0;
		if (gitops_buf_addstr(out, "\n") < 0)
			return -1;
	}
	return 0;
}

int gitops_ops_status_table(struct gitops_buf *out, const cJSON *const *records, size_t n)
{
	char (*cells)[COLS][CELL] = calloc(n + 1, sizeof(*cells));
	int ret;

	if (!cells)
		return -1;
	memcpy(cells[0], (const char[COLS][CELL]){ "APP", "SYNC", "HEALTH", "REVISION", "LAST SYNC", "MESSAGE" },
	       sizeof(cells[0]));
	for (size_t i = 0; i < n; i++) {
		const cJSON *r = records[i], *op = cJSON_GetObjectItemCaseSensitive(r, "lastOperation");
		const char *result = str(op, "result", ""), *msg = str(op, "message", "");
		char pre[128] = "";
		snprintf(cells[i + 1][0], CELL, "%s", str(r, "app", "?"));
		snprintf(cells[i + 1][1], CELL, "%s", str(r, "sync", "Unknown"));
		snprintf(cells[i + 1][2], CELL, "%s", str(r, "health", "Unknown"));
		rev_cell(cells[i + 1][3], CELL, str(r, "syncedRevision", "-"));
		snprintf(cells[i + 1][4], CELL, "%s", str(r, "lastSuccessAt", str(op, "finishedAt", "-")));
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "suspended")))
			snprintf(pre, sizeof(pre), "Suspended (%s): ", str(r, "suspendReason", "manual"));
		if (!strcmp(result, "Busy") || !strcmp(result, "OutsideWindow") || !strcmp(result, "Failed"))
			snprintf(pre + strlen(pre), sizeof(pre) - strlen(pre), "%s: ", result);
		snprintf(cells[i + 1][5], CELL, "%s%s", pre, *msg ? msg : "-");
	}
	ret = table(out, (const char(*)[COLS][CELL])cells, n + 1);
	free(cells);
	return ret;
}

int gitops_ops_status_exit(const cJSON *const *records, size_t n)
{
	int code = GITOPS_EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(str(records[i], "health", "Unknown"), "Healthy"))
			return GITOPS_EXIT_UNHEALTHY;
		if (!strcmp(str(records[i], "sync", ""), "OutOfSync"))
			code = GITOPS_EXIT_DIFFERENT;
	}
	return code;
}

int gitops_ops_history_table(struct gitops_buf *out, const cJSON *history)
{
	size_t n = (size_t)cJSON_GetArraySize(history), i = 0;
	char (*cells)[COLS][CELL] = calloc(n + 1, sizeof(*cells));
	const cJSON *e;
	int ret;

	if (!cells)
		return -1;
	memcpy(cells[0], (const char[COLS][CELL]){ "ID", "STARTED", "REVISION", "RESULT", "MESSAGE", "" },
	       sizeof(cells[0]));
	cJSON_ArrayForEach(e, history) {
		if (i == n)
			break;
		i++;
		snprintf(cells[i][0], CELL, "%zu", i - 1);
		snprintf(cells[i][1], CELL, "%s", str(e, "startedAt", "-"));
		rev_cell(cells[i][2], CELL, str(e, "revision", "-"));
		snprintf(cells[i][3], CELL, "%s%s", str(e, "result", "-"),
			 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "rollback")) ? " (rollback)"
			 : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "selfHeal")) ? " (self-heal)" : "");
		snprintf(cells[i][4], CELL, "%s", str(e, "message", "-"));
	}
	ret = table(out, (const char(*)[COLS][CELL])cells, i + 1);
	free(cells);
	return ret;
}

/* A revision a rollback can go back to: a commit (40 hex) or a chart's version. */
static int rev_ok(const char *rev)
{
	return *rev && strlen(rev) < GITOPS_OPS_REV_MAX;
}

/* `to` names rev: a prefix (7 or more hex digits) of a commit, or a chart's version whole */
static int rev_named(const char *rev, const char *to)
{
	if (strlen(rev) == 40 && is_hex(rev, 40) && is_hex(to, 7) && strlen(to) <= 40 && !strncmp(rev, to, strlen(to)))
		return 1;
	return !strcmp(rev, to);
}

int gitops_ops_rollback_target(char out[GITOPS_OPS_REV_MAX], const cJSON *history, const char *current,
			       const char *to, int steps, struct gitops_err *err)
{
	static const char version_chars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-_";
	const char *seen[64];
	size_t nseen = 0;
	int n = cJSON_GetArraySize(history);

	out[0] = 0;
	if (to) {
		if (!*to || strlen(to) >= GITOPS_OPS_REV_MAX || strspn(to, version_chars) != strlen(to))
			return gitops_err_set(err, GITOPS_EXIT_USAGE,
					      "--to takes a revision (7 to 40 hex digits of a commit, or a chart's "
					      "version), not '%.200s'", to);
		for (int i = n - 1; i >= 0; i--) {
			const cJSON *e = cJSON_GetArrayItem(history, i);
			const char *rev = str(e, "revision", "");
			if (!strcmp(str(e, "result", ""), "Succeeded") && rev_ok(rev) && rev_named(rev, to)) {
				memcpy(out, rev, strlen(rev) + 1);
				return 0;
			}
		}
		return gitops_err_set(err, GITOPS_EXIT_USAGE,
				      "revision %s was never synced successfully (gitops-sync history lists them)", to);
	}
	if (steps < 1)
		steps = 1;
	/* the distinct revisions synced, newest first, the current one left out */
	for (int i = n - 1; i >= 0; i--) {
		const cJSON *e = cJSON_GetArrayItem(history, i);
		const char *rev = str(e, "revision", "");
		size_t k;
		if (strcmp(str(e, "result", ""), "Succeeded") || !rev_ok(rev) || (current && !strcmp(rev, current)))
			continue;
		for (k = 0; k < nseen && strcmp(seen[k], rev); k++)
			;
		if (k < nseen)
			continue;
		if (nseen < sizeof(seen) / sizeof(*seen))
			seen[nseen++] = rev;
		if ((int)nseen == steps) {
			memcpy(out, rev, strlen(rev) + 1);
			return 0;
		}
	}
	return gitops_err_set(err, GITOPS_EXIT_USAGE, "the history has no revision %d step%s before the one synced now",
			      steps, steps == 1 ? "" : "s");
}

int gitops_ops_status(struct gitops_buf *out, int json, const char *dir, const char *const *names, size_t n,
		      struct gitops_err *err)
{
	cJSON **recs = NULL, *arr = NULL;
	size_t count = 0;
	char *text = NULL;
	int code = -1;

	if (gitops_ops_state_records(&recs, &count, dir, names, n, err) < 0)
		return -1;
	if (json) {
		if (!(arr = cJSON_CreateArray()))
			goto oom;
		for (size_t i = 0; i < count; i++)
			if (!cJSON_AddItemReferenceToArray(arr, recs[i]))
				goto oom;
		if (gitops_json_print(&text, arr, GITOPS_JSON_INDENT, err) < 0)
			goto done;
		if (gitops_buf_printf(out, "%s\n", text) < 0)
			goto oom;
	} else if (gitops_ops_status_table(out, (const cJSON *const *)recs, count) < 0)
		goto oom;
	code = gitops_ops_status_exit((const cJSON *const *)recs, count);
	goto done;
oom:
	gitops_err_oom(err);
done:
	free(text);
	cJSON_Delete(arr);
	gitops_ops_state_records_free(recs, count);
	return code;
}

int gitops_ops_status_metrics(const char *path, const char *dir, struct gitops_err *err)
{
	cJSON **recs = NULL;
	size_t n = 0;
	int ret;

	if (gitops_ops_state_records(&recs, &n, dir, NULL, 0, err) < 0)
		return -1;
	ret = gitops_ops_metrics_write(path, (const cJSON *const *)recs, n, err);
	gitops_ops_state_records_free(recs, n);
	return ret;
}
