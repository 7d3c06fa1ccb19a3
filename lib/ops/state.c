/*
 * state.c: records, history and locks in the state directory (state.h).
 */
#include "lib/ops/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/base/fs.h"
#include "lib/base/json.h"
#include "lib/ops/app.h"
#include "lib/value/jsonio.h"

#define MAX_RECORD (4u << 20)
#define MAX_HISTORY (64u << 20)

int gitops_ops_state_dir(char **out, const char *given, struct gitops_err *err)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (given && *given)
		gitops_buf_addstr(&b, given);
	else if (xdg && xdg[0] == '/')
		gitops_buf_printf(&b, "%s/gitops-sync", xdg);
	else if (home && home[0] == '/')
		gitops_buf_printf(&b, "%s/.local/state/gitops-sync", home);
	else
		return gitops_err_set(err, GITOPS_EXIT_USAGE,
				      "no state directory: give --state-dir, or set XDG_STATE_HOME or HOME");
	if (!b.data)
		return gitops_err_oom(err);
	*out = gitops_buf_detach(&b);
	return 0;
}

static int mkdir_p(const char *path, struct gitops_err *err)
{
	char *p = strdup(path);

	if (!p)
		return gitops_err_oom(err);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			gitops_err_errno(err, errno, p);
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST) {
		gitops_err_errno(err, errno, p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int gitops_ops_state_init(const char *dir, struct gitops_err *err)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/apps", dir) >= sizeof(path))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "state directory name too long");
	return mkdir_p(path, err);
}

void gitops_ops_time_format(char *buf, size_t size, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int app_path(char *buf, size_t size, const char *dir, const char *app, const char *suffix,
		    struct gitops_err *err)
{
	if (!gitops_ops_app_name_valid(app))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "'%s' is no application name (a DNS-1123 subdomain)", app);
	if ((size_t)snprintf(buf, size, "%s/apps/%s%s", dir, app, suffix) >= size)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "state directory name too long");
	return 0;
}

cJSON *gitops_ops_record_new(const char *app)
{
	cJSON *r = cJSON_CreateObject(), *op;

	if (!r)
		return NULL;
	cJSON_AddStringToObject(r, "app", app);
	cJSON_AddStringToObject(r, "repoURL", "");
	cJSON_AddStringToObject(r, "path", "");
	cJSON_AddStringToObject(r, "targetRevision", "");
	cJSON_AddStringToObject(r, "desiredRevision", "");
	cJSON_AddStringToObject(r, "syncedRevision", "");
	cJSON_AddStringToObject(r, "sync", "Unknown");
	cJSON_AddStringToObject(r, "health", "Unknown");
	cJSON_AddArrayToObject(r, "differ");
	cJSON_AddBoolToObject(r, "suspended", 0);
	cJSON_AddStringToObject(r, "suspendReason", "");
	op = cJSON_AddObjectToObject(r, "lastOperation");
	if (!op || !cJSON_GetObjectItem(r, "suspendReason")) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

int gitops_ops_state_load(cJSON **out, const char *dir, const char *app, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char path[4096];
	cJSON *r;

	*out = NULL;
	if (app_path(path, sizeof(path), dir, app, ".json", err) < 0)
		return -1;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		if (!(*out = gitops_ops_record_new(app)))
			return gitops_err_oom(err);
		return 0;
	}
	if (gitops_buf_read_file(&b, path, MAX_RECORD, err) < 0)
		return -1;
	r = b.data ? cJSON_ParseWithLength(b.data, b.len) : NULL;
	gitops_buf_release(&b);
	if (!cJSON_IsObject(r) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "app"))) {
		cJSON_Delete(r);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a gitops-sync record", path);
	}
	if (!cJSON_GetObjectItemCaseSensitive(r, "lastOperation"))
		cJSON_AddObjectToObject(r, "lastOperation");
	*out = r;
	return 1;
}

int gitops_ops_state_save(const char *dir, const cJSON *record, struct gitops_err *err)
{
	const char *app = gitops_json_get_string(record, "app", NULL);
	char path[4096], *text;
	int ret;

	if (!app)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "a record without its app");
	if (app_path(path, sizeof(path), dir, app, ".json", err) < 0)
		return -1;
	if (gitops_json_print(&text, record, GITOPS_JSON_INDENT, err) < 0)
		return -1;
	{
		size_t n = strlen(text);
		char *t = realloc(text, n + 2);
		if (!t) {
			free(text);
			return gitops_err_oom(err);
		}
		text = t;
		text[n] = '\n';
		text[n + 1] = 0;
	}
	ret = gitops_fs_write_atomic(path, text, strlen(text), 0600, err);
	free(text);
	return ret;
}

int gitops_ops_state_history_append(const char *dir, const cJSON *record, const char *rev, struct gitops_err *err)
{
	static const char *const strs[] = { "startedAt", "finishedAt", "result", "message", NULL };
	static const char *const bools[] = { "selfHeal", "rollback", NULL };
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(record, "lastOperation"), *v;
	const char *app = gitops_json_get_string(record, "app", NULL);
	cJSON *line = cJSON_CreateObject();
	char path[4096], *text = NULL;
	int fd = -1, ret = -1;
	size_t n;

	if (!line)
		return gitops_err_oom(err);
	if (!app || app_path(path, sizeof(path), dir, app, ".history.jsonl", err) < 0)
		goto done;
	cJSON_AddStringToObject(line, "revision", rev ? rev : "");
	for (size_t i = 0; strs[i]; i++) {
		const char *s = gitops_json_get_string(op, strs[i], NULL);
		if (i == 3)
			continue;
		cJSON_AddStringToObject(line, strs[i], s ? s : "");
	}
	v = cJSON_GetObjectItemCaseSensitive(op, "exitStatus");
	cJSON_AddNumberToObject(line, "exitStatus", cJSON_IsNumber(v) ? v->valuedouble : 0);
	cJSON_AddStringToObject(line, "message",
				gitops_json_get_string(op, "message", NULL) ? gitops_json_get_string(op, "message", NULL) : "");
	for (size_t i = 0; bools[i]; i++)
		cJSON_AddBoolToObject(line, bools[i], cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(op, bools[i])));
	if (!(text = cJSON_PrintUnformatted(line))) {
		gitops_err_oom(err);
		goto done;
	}
	n = strlen(text);
	text[n] = '\n'; /* cJSON's buffer: replaced NUL, written with its length */
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    gitops_write_all(fd, text, n + 1) < 0) {
		gitops_err_errno(err, errno, path);
		goto done;
	}
	ret = 0;
done:
	if (fd >= 0 && close(fd) < 0 && !ret)
		ret = gitops_err_errno(err, errno, path);
	cJSON_free(text);
	cJSON_Delete(line);
	return ret;
}

int gitops_ops_state_history(cJSON **out, const char *dir, const char *app, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char path[4096];
	cJSON *arr;
	size_t lineno = 0;

	*out = NULL;
	if (app_path(path, sizeof(path), dir, app, ".history.jsonl", err) < 0)
		return -1;
	if (!(arr = cJSON_CreateArray()))
		return gitops_err_oom(err);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*out = arr;
		return 0;
	}
	if (gitops_buf_read_file(&b, path, MAX_HISTORY, err) < 0) {
		cJSON_Delete(arr);
		return -1;
	}
	for (char *s = b.data; s && *s;) {
		char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		cJSON *e;
		lineno++;
		if (len) {
			e = cJSON_ParseWithLength(s, len);
			if (!cJSON_IsObject(e)) {
				cJSON_Delete(e);
				cJSON_Delete(arr);
				gitops_buf_release(&b);
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: not a history line", path, lineno);
			}
			cJSON_AddItemToArray(arr, e);
		}
		s += len + (nl ? 1 : 0);
	}
	gitops_buf_release(&b);
	*out = arr;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void gitops_ops_state_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int gitops_ops_state_list(char ***names, size_t *n, const char *dir, struct gitops_err *err)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t cnt = 0, cap = 0;

	*names = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/apps", dir);
	if (!(d = opendir(path)))
		return errno == ENOENT ? 0 : gitops_err_errno(err, errno, path);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *name;
		if (len <= 5 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		if (!(name = strndup(e->d_name, len - 5)))
			goto oom;
		if (!gitops_ops_app_name_valid(name)) {
			free(name);
			continue;
		}
		if (cnt == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*nv));
			if (!nv) {
				free(name);
				goto oom;
			}
			v = nv;
		}
		v[cnt++] = name;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return 0;
oom:
	closedir(d);
	gitops_ops_state_names_free(v, cnt);
	return gitops_err_oom(err);
}

int gitops_ops_state_lock(int *fd, const char *dir, const char *app, const char *given, struct gitops_err *err)
{
	char path[4096];
	int f;

	*fd = -1;
	if (given)
		snprintf(path, sizeof(path), "%s", given);
	else if (app_path(path, sizeof(path), dir, app, ".lock", err) < 0)
		return -1;
	if ((f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return gitops_err_errno(err, errno, path);
	if (flock(f, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(f);
		if (e == EWOULDBLOCK)
			return 0;
		return gitops_err_errno(err, e, path);
	}
	*fd = f;
	return 1;
}

const char *gitops_ops_health_worse(const char *a, const char *b)
{
	static const char *const order[] = { "Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown" };
	size_t ia = 5, ib = 5;

	for (size_t i = 0; i < 6; i++) {
		if (a && !strcmp(a, order[i]))
			ia = i;
		if (b && !strcmp(b, order[i]))
			ib = i;
	}
	return order[ia > ib ? ia : ib];
}

void gitops_ops_state_records_free(cJSON **records, size_t n)
{
	for (size_t i = 0; records && i < n; i++)
		cJSON_Delete(records[i]);
	free(records);
}

int gitops_ops_state_records(cJSON ***out, size_t *count, const char *dir, const char *const *names, size_t n,
			     struct gitops_err *err)
{
	char **listed = NULL;
	size_t nlisted = 0, i;
	cJSON **recs;
	int ret = -1;

	*out = NULL;
	*count = 0;
	if (!names) {
		if (gitops_ops_state_list(&listed, &nlisted, dir, err) < 0)
			return -1;
		names = (const char *const *)listed;
		n = nlisted;
	}
	if (!(recs = calloc(n ? n : 1, sizeof(*recs)))) {
		gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (gitops_ops_state_load(&recs[i], dir, names[i], err) < 0) {
			gitops_ops_state_records_free(recs, i);
			goto done;
		}
	*out = recs;
	*count = n;
	ret = 0;
done:
	gitops_ops_state_names_free(listed, nlisted);
	return ret;
}

int gitops_ops_state_suspend(const char *dir, const char *app, int suspend, struct gitops_err *err)
{
	cJSON *rec = NULL;
	int fd = -1, got, ret = -1;

	if ((got = gitops_ops_state_lock(&fd, dir, app, NULL, err)) <= 0)
		return got;
	if (gitops_ops_state_load(&rec, dir, app, err) < 0)
		goto done;
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "suspended");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "suspendReason");
	cJSON_AddBoolToObject(rec, "suspended", suspend);
	if (!cJSON_AddStringToObject(rec, "suspendReason", suspend ? "manual" : "")) {
		gitops_err_oom(err);
		goto done;
	}
	if (gitops_ops_state_save(dir, rec, err) < 0)
		goto done;
	ret = 1;
done:
	cJSON_Delete(rec);
	close(fd);
	return ret;
}
