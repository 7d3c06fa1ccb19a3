/*
 * run.c: children, workers and one application's run (run.h).
 */
#include "lib/ops/run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/base/fs.h"
#include "lib/base/json.h"
#include "lib/ops/notify.h"
#include "lib/ops/state.h"
#include "lib/ops/status.h"
#include "lib/ops/window.h"
#include "lib/yaml/yaml.h"

#define LINE_MAX_BYTES 8192
#define MAX_OUTPUT (256u << 20)

/* --- children --- */

static int status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return GITOPS_EXIT_INTERNAL;
}

int gitops_ops_run(int *status, char *const *argv, const char *in, const char *out, gitops_ops_line_fn on_line,
		   void *ctx, struct gitops_err *err)
{
	int pfd[2], fdin = -1, fdout = -1, st;
	char buf[4096], line[LINE_MAX_BYTES + 1];
	size_t len = 0;
	pid_t pid;
	ssize_t n;

	*status = GITOPS_EXIT_INTERNAL;
	if ((fdin = open(in ? in : "/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return gitops_err_errno(err, errno, in ? in : "/dev/null");
	if ((fdout = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
			 : open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
		gitops_err_errno(err, errno, out ? out : "/dev/null");
		close(fdin);
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		gitops_err_errno(err, errno, "pipe");
		close(fdin);
		close(fdout);
		return -1;
	}
	if ((pid = fork()) < 0) {
		gitops_err_errno(err, errno, "fork");
		close(fdin);
		close(fdout);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (!pid) {
		/* the child: its three descriptors, then the program (dup2 clears close-on-exec) */
		if (dup2(fdin, 0) < 0 || dup2(fdout, 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		if (strchr(argv[0], '/'))
			execv(argv[0], argv);
		else
			execvp(argv[0], argv);
		{
			char msg[512];
			int m = snprintf(msg, sizeof(msg), "%s: %s\n", argv[0], strerror(errno));
			if (m > 0)
				(void)!write(2, msg, (size_t)m < sizeof(msg) ? (size_t)m : sizeof(msg) - 1);
		}
		_exit(127);
	}
	close(fdin);
	close(fdout);
	close(pfd[1]);
	/* its standard error, line by line, until it closes it */
	for (;;) {
		n = read(pfd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || len == LINE_MAX_BYTES) {
				line[len] = 0;
				if (on_line)
					on_line(ctx, line);
				len = 0;
				if (buf[i] == '\n')
					continue;
			}
			line[len++] = buf[i];
		}
	}
	if (len) {
		line[len] = 0;
		if (on_line)
			on_line(ctx, line);
	}
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return gitops_err_errno(err, errno, "waitpid");
	*status = status_of(st);
	return 0;
}

int gitops_ops_parallel(int *statuses, size_t n, int jobs, int (*fn)(void *ctx, size_t i), void *ctx,
			struct gitops_err *err)
{
	pid_t *pids;
	size_t next = 0, running = 0;
	int ret = 0;

	if (jobs < 1)
		jobs = 1;
	if (!(pids = calloc(n ? n : 1, sizeof(*pids))))
		return gitops_err_oom(err);
	fflush(stdout);
	fflush(stderr);
	while (next < n || running) {
		while (next < n && running < (size_t)jobs) {
			pid_t pid = fork();
			if (pid < 0) {
				gitops_err_errno(err, errno, "fork");
				ret = -1;
				statuses[next] = GITOPS_EXIT_INTERNAL;
				next++;
				continue;
			}
			if (!pid) {
				int rc = fn(ctx, next);
				fflush(stdout);
				fflush(stderr);
				_exit(rc & 0xff);
			}
			pids[next++] = pid;
			running++;
		}
		if (running) {
			int st;
			pid_t pid = waitpid(-1, &st, 0);
			if (pid < 0) {
				if (errno == EINTR)
					continue;
				ret = gitops_err_errno(err, errno, "waitpid");
				break;
			}
			for (size_t i = 0; i < next; i++)
				if (pids[i] == pid) {
					statuses[i] = status_of(st);
					pids[i] = 0;
					running--;
				}
		}
	}
	free(pids);
	return ret;
}

/* --- one application --- */

struct run {
	const struct gitops_ops_app *app;
	const struct gitops_ops_sync_options *o;
	char work[PATH_MAX];
	cJSON *record;
	struct timeval t0;
	char started[32];
	char commit[GITOPS_OPS_REV_MAX]; /* the revision fetched: a commit (40 hex), or a chart's version */
	char root[PATH_MAX];  /* the checkout (spec.root of the Source) */
	int synced_changes; /* a sync that changed objects or brought a new revision: --on-sync */
};

static void say(struct run *r, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static void say(struct run *r, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->o->log)
		r->o->log(r->o->log_ctx, msg);
}

static void child_line(void *ctx, const char *line)
{
	struct run *r = ctx;

	if (r->o->log && *line)
		r->o->log(r->o->log_ctx, line);
}

static void set_str(cJSON *obj, const char *key, const char *val)
{
	cJSON *v = cJSON_CreateString(val ? val : "");

	if (!v)
		return;
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
	else
		cJSON_AddItemToObject(obj, key, v);
}

static void set_item(cJSON *obj, const char *key, cJSON *v)
{
	if (!v)
		return;
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
	else
		cJSON_AddItemToObject(obj, key, v);
}

static const char *rec_str(const cJSON *rec, const char *key)
{
	const char *s = gitops_json_get_string(rec, key, NULL);
	return s ? s : "";
}

/* The record's lastOperation, and its history line when `history` */
static void finish(struct run *r, const char *result, int status, const char *message, int self_heal,
		   int applied, int pruned, int failed, int history)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct timeval t1;
	char now[32];
	cJSON *op = cJSON_CreateObject();

	if (!op)
		return;
	gettimeofday(&t1, NULL);
	gitops_ops_time_format(now, sizeof(now), t1.tv_sec);
	cJSON_AddStringToObject(op, "startedAt", r->started);
	cJSON_AddStringToObject(op, "finishedAt", now);
	cJSON_AddNumberToObject(op, "durationSeconds",
				(double)(t1.tv_sec - r->t0.tv_sec) + (double)(t1.tv_usec - r->t0.tv_usec) / 1e6);
	cJSON_AddStringToObject(op, "result", result);
	cJSON_AddNumberToObject(op, "exitStatus", status);
	cJSON_AddStringToObject(op, "message", message);
	cJSON_AddBoolToObject(op, "selfHeal", self_heal);
	cJSON_AddBoolToObject(op, "rollback", r->o->rollback_to != NULL);
	cJSON_AddNumberToObject(op, "applied", applied);
	cJSON_AddNumberToObject(op, "pruned", pruned);
	cJSON_AddNumberToObject(op, "failed", failed);
	set_item(r->record, "lastOperation", op);
	if (!strcmp(result, "Succeeded"))
		set_str(r->record, "lastSuccessAt", now);
	if (r->o->lock_path) /* the old single-application flags keep no record */
		return;
	if (gitops_ops_state_save(r->o->state_dir, r->record, &err) < 0 ||
	    (history && gitops_ops_state_history_append(r->o->state_dir, r->record, r->commit, &err) < 0))
		say(r, "state not recorded: %s", err.msg);
}

/* A chart's version as a revision: what semver allows, bounded. */
static int version_ok(const char *s)
{
	size_t n = strlen(s);
	return n && n < GITOPS_OPS_REV_MAX &&
	       strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-_") == n;
}

/*
 * The revision (spec.commit, 40 hex; a chart's: spec.version), spec.dir and
 * spec.root of the (first) Source document gitops-fetch wrote.
 */
static void read_commit(struct run *r, const char *path, char *dir, size_t dirsize)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_yaml_reader *y = NULL;
	struct gitops_yaml_doc doc = { 0 };
	const char *s;

	r->commit[0] = 0;
	dir[0] = 0;
	if (gitops_buf_read_file(&b, path, MAX_OUTPUT, &err) < 0 || !b.data ||
	    gitops_yaml_reader_mem(&y, b.data, b.len, path, &limits, &err) < 0)
		goto done;
	while (gitops_yaml_reader_next(y, &doc, &err) > 0 && !doc.root)
		gitops_yaml_doc_release(&doc);
	if (r->app->chart) {
		if ((s = gitops_json_get_string(doc.root, "spec", "version", NULL)) && version_ok(s))
			memcpy(r->commit, s, strlen(s) + 1);
	} else if ((s = gitops_json_get_string(doc.root, "spec", "commit", NULL)) && strlen(s) == 40 &&
		   strspn(s, "0123456789abcdef") == 40)
		memcpy(r->commit, s, 41);
	if ((s = gitops_json_get_string(doc.root, "spec", "dir", NULL)) && strlen(s) < dirsize)
		memcpy(dir, s, strlen(s) + 1);
	if ((s = gitops_json_get_string(doc.root, "spec", "root", NULL)) && strlen(s) < sizeof(r->root))
		memcpy(r->root, s, strlen(s) + 1);
done:
	gitops_yaml_doc_release(&doc);
	gitops_yaml_reader_free(y);
	gitops_buf_release(&b);
}

static long marker_count(const char *path)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	long n = -1;
	const char *s, *last = NULL;

	if (gitops_buf_read_file(&b, path, MAX_OUTPUT, &err) < 0 || !b.data)
		return -1;
	for (s = b.data; (s = strstr(s, "# gitops: end of stream (")); s++)
		last = s;
	if (last)
		n = strtol(last + 25, NULL, 10);
	gitops_buf_release(&b);
	return n;
}

static cJSON *read_json(const char *path)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *j = NULL;

	if (gitops_buf_read_file(&b, path, MAX_OUTPUT, &err) == 0 && b.data)
		j = cJSON_ParseWithLength(b.data, b.len);
	gitops_buf_release(&b);
	return j;
}

/* argv under construction */
struct args {
	char *v[128];
	size_t n;
	char store[32][PATH_MAX + 64];
	size_t nstore;
};

static void arg(struct args *a, const char *s)
{
	if (a->n < sizeof(a->v) / sizeof(*a->v) - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static const char *keep(struct args *a, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static const char *keep(struct args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->nstore == sizeof(a->store) / sizeof(*a->store))
		return "";
	s = a->store[a->nstore++];
	va_start(ap, fmt);
	vsnprintf(s, sizeof(a->store[0]), fmt, ap);
	va_end(ap);
	return s;
}

static void kube_args(struct args *a, const struct run *r)
{
	const char *ctx = r->app->context ? r->app->context : r->o->context;

	if (r->o->kubeconfig)
		arg(a, "--kubeconfig"), arg(a, r->o->kubeconfig);
	if (ctx)
		arg(a, "--context"), arg(a, ctx);
	if (r->o->request_timeout)
		arg(a, "--request-timeout"), arg(a, r->o->request_timeout);
}

/*
 * gitops-render's helm options: Argo CD's defaults for the release name and
 * namespace (the application's), which spec.source.helm's releaseName and
 * namespace replace.  The rest of spec.source.helm goes into the Source as
 * spec.helm (gitops-fetch --helm-overrides), which gitops-render applies.
 */
static void helm_args(struct args *a, const struct run *r)
{
	const char *s = gitops_json_get_string(r->app->helm, "releaseName", NULL);

	arg(a, "--release"), arg(a, s && *s ? s : r->app->name);
	s = gitops_json_get_string(r->app->helm, "namespace", NULL);
	arg(a, "-n"), arg(a, s && *s ? s : r->app->namespace);
}

/* An override file for gitops-fetch (Argo CD's source.kustomize or source.helm): its path, or NULL (said) */
static const char *overrides_file(struct run *r, struct args *a, const char *name, const cJSON *v)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *file = keep(a, "%s/%s", r->work, name);
	char *text = cJSON_Print(v);

	if (!text || gitops_fs_write_atomic(file, text, strlen(text), 0600, &err) < 0) {
		cJSON_free(text);
		say(r, "%s", err.msg[0] ? err.msg : "out of memory");
		return NULL;
	}
	cJSON_free(text);
	return file;
}

static int step(struct run *r, struct args *a, const char *in, const char *out)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	int status;

	if (gitops_ops_run(&status, a->v, in, out, child_line, r, &err) < 0) {
		say(r, "%s: %s", a->v[0], err.msg);
		return err.code ? err.code : GITOPS_EXIT_INTERNAL;
	}
	return status;
}

/* The diff's results into the record: differ, sync, health.  Returns 1 when something differs. */
static int take_diff(struct run *r, const cJSON *diff)
{
	cJSON *differ = cJSON_CreateArray();
	const cJSON *e;
	const char *health = "Healthy";
	int out = 0;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(diff, "results")) {
		const char *sync = rec_str(e, "sync"), *h = gitops_json_get_string(e, "health", NULL);
		const char *api = rec_str(e, "apiVersion"), *slash = strchr(api, '/');
		if (h)
			health = gitops_ops_health_worse(health, h);
		if (!strcmp(sync, "Synced"))
			continue;
		out = 1;
		if (differ) {
			cJSON *d = cJSON_CreateObject();
			char group[256] = "";
			if (slash && (size_t)(slash - api) < sizeof(group))
				memcpy(group, api, (size_t)(slash - api)), group[slash - api] = 0;
			cJSON_AddStringToObject(d, "group", group);
			cJSON_AddStringToObject(d, "kind", rec_str(e, "kind"));
			cJSON_AddStringToObject(d, "namespace", rec_str(e, "namespace"));
			cJSON_AddStringToObject(d, "name", rec_str(e, "name"));
			cJSON_AddItemToArray(differ, d);
		}
		say(r, "%s %s/%s%s%s", sync, rec_str(e, "kind"), rec_str(e, "name"),
		    *rec_str(e, "namespace") ? " -n " : "", rec_str(e, "namespace"));
		/* the diff itself, line by line */
		for (const char *s = rec_str(e, "diff"); *s;) {
			size_t n = strcspn(s, "\n");
			say(r, "  %.*s", (int)(n < 1900 ? n : 1900), s);
			s += n + (s[n] ? 1 : 0);
		}
	}
	set_item(r->record, "differ", differ);
	set_str(r->record, "sync", out ? "OutOfSync" : "Synced");
	set_str(r->record, "health", health);
	return out;
}

static int sync_run(struct run *r)
{
	const struct gitops_ops_app *app = r->app;
	const struct gitops_ops_sync_options *o = r->o;
	char src[PATH_MAX + 32], objs[PATH_MAX + 32], res[PATH_MAX + 32], dir[PATH_MAX], msg[1024];
	char synced[GITOPS_OPS_REV_MAX] = "", short_c[GITOPS_OPS_REV_MAX];
	const char *what = app->chart ? "version" : "commit";
	const char *ref = o->rollback_to ? o->rollback_to : app->target_revision;
	struct args a = { 0 };
	int rc, applied = 0, pruned = 0, failed = 0, changed = 0;
	long count;
	cJSON *j;

	snprintf(src, sizeof(src), "%s/source.yaml", r->work);
	snprintf(objs, sizeof(objs), "%s/objects.yaml", r->work);
	snprintf(res, sizeof(res), "%s/result.json", r->work);
	snprintf(synced, sizeof(synced), "%s", rec_str(r->record, "syncedRevision"));

	/* 1. fetch, into a file: a failed or empty fetch never reaches apply --prune */
	arg(&a, o->bin.fetch), arg(&a, "-q");
	if (app->chart) {
		/* a chart: of a chart repository (--chart), or oci://REGISTRY/PATH/CHART */
		arg(&a, app->chart_url);
		if (strncmp(app->chart_url, "oci://", 6))
			arg(&a, "--chart"), arg(&a, app->chart);
	} else
		arg(&a, app->repo_url);
	arg(&a, "--ref"), arg(&a, ref);
	if (*app->path)
		arg(&a, "--path"), arg(&a, app->path);
	for (int i = 0; i < 2; i++) {
		const cJSON *v = i ? app->helm : app->kustomize;
		const char *file;
		if (!v)
			continue;
		if (!(file = overrides_file(r, &a, i ? "helm.json" : "kustomize.json", v))) {
			finish(r, "Failed", GITOPS_EXIT_IO, "an overrides file could not be written", 0, 0, 0, 0, 1);
			return GITOPS_EXIT_IO;
		}
		arg(&a, i ? "--helm-overrides" : "--kustomize-overrides"), arg(&a, file);
	}
	if ((rc = step(r, &a, NULL, src)) != 0) {
		snprintf(msg, sizeof(msg), "fetch of %s failed (exit %d)", ref, rc);
		say(r, "%s", msg);
		set_str(r->record, "sync", "Unknown");
		finish(r, "Failed", rc, msg, 0, 0, 0, 0, 1);
		return rc;
	}
	read_commit(r, src, dir, sizeof(dir));
	/* a commit's first 12 hex digits, a chart's version whole */
	snprintf(short_c, sizeof(short_c), "%.*s", app->chart ? (int)sizeof(short_c) - 1 : 12, r->commit);
	if (!o->rollback_to)
		set_str(r->record, "desiredRevision", r->commit);
	/* selfHeal off: an automated tick syncs a new commit (a chart: version) only (Argo CD leaves drift alone then) */
	if ((o->if_changed || (app->automated && !app->self_heal && !o->manual)) && !o->rollback_to && !o->dry_run &&
	    *r->commit && !strcmp(r->commit, synced)) {
		say(r, "%s %s already synced; nothing to do", what, short_c);
		if (!o->lock_path) {
			struct gitops_err err = GITOPS_ERR_INIT;
			if (gitops_ops_state_save(o->state_dir, r->record, &err) < 0)
				say(r, "state not recorded: %s", err.msg);
		}
		return 0;
	}
	if (app->chart)
		say(r, "fetched chart %s %s (%s)", app->chart, short_c, ref);
	else
		say(r, "fetched %s (%s)", short_c, ref);

	/* 2. render, into a file that ends with its end-of-stream marker */
	a.n = 0;
	arg(&a, o->bin.render);
	helm_args(&a, r);
	if ((rc = step(r, &a, src, objs)) != 0) {
		snprintf(msg, sizeof(msg), "render of %s failed (exit %d); nothing applied", short_c, rc);
		say(r, "%s", msg);
		finish(r, "Failed", rc, msg, 0, 0, 0, 0, 1);
		return rc;
	}
	count = marker_count(objs);

	/* 3a. a dry run: the diff, recorded; nothing changed */
	if (o->dry_run) {
		a.n = 0;
		arg(&a, o->bin.diff);
		kube_args(&a, r);
		arg(&a, "-n"), arg(&a, app->namespace), arg(&a, "--applyset"), arg(&a, app->applyset);
		arg(&a, "-f"), arg(&a, objs), arg(&a, "-o"), arg(&a, "json");
		rc = step(r, &a, NULL, res);
		if (rc != 0 && rc != 1) {
			say(r, "diff of %s failed (exit %d)", short_c, rc);
			set_str(r->record, "sync", "Unknown");
			rc = rc ? rc : GITOPS_EXIT_INTERNAL;
		} else {
			j = read_json(res);
			rc = take_diff(r, j) || rc == 1;
			cJSON_Delete(j);
			say(r, "%s at %s (%ld objects); dry run: nothing changed", rc ? "out of sync" : "in sync", short_c, count);
		}
		if (!o->lock_path) {
			struct gitops_err err = GITOPS_ERR_INIT;
			if (gitops_ops_state_save(o->state_dir, r->record, &err) < 0)
				say(r, "state not recorded: %s", err.msg);
		}
		return rc;
	}

	/* 3b. apply: ordered, pruned, waited for; Git wins over hand edits (self-heal) */
	a.n = 0;
	arg(&a, o->bin.apply);
	kube_args(&a, r);
	arg(&a, "-n"), arg(&a, app->namespace);
	if (app->prune)
		arg(&a, "--prune");
	arg(&a, "--applyset"), arg(&a, app->applyset), arg(&a, "--force-conflicts");
	arg(&a, "-f"), arg(&a, objs), arg(&a, "-o"), arg(&a, "json");
	if (!o->no_wait)
		arg(&a, "--wait"), arg(&a, "--timeout"), arg(&a, o->timeout ? o->timeout : "5m");
	rc = step(r, &a, NULL, res);
	j = read_json(res);
	{
		const cJSON *e;
		const char *health = "Healthy";
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "results")) {
			const char *result = rec_str(e, "result"), *h = gitops_json_get_string(e, "health", NULL);
			if (h)
				health = gitops_ops_health_worse(health, h);
			if (!strcmp(result, "pruned"))
				pruned++;
			else if (!strcmp(result, "failed") || !strcmp(result, "unhealthy"))
				failed++;
			else if (!cJSON_GetObjectItemCaseSensitive(e, "hook"))
				applied++;
			if (strcmp(result, "unchanged")) {
				const char *ns = rec_str(e, "namespace");
				changed += strcmp(result, "failed") != 0;
				say(r, "%s %s%s%s%s", rec_str(e, "object"), result, *ns ? " (namespace " : "", ns, *ns ? ")" : "");
			}
		}
		set_str(r->record, "health", j ? health : "Unknown");
	}
	cJSON_Delete(j);
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "sync of %s failed (exit %d)", short_c, rc);
		say(r, "%s", msg);
		set_str(r->record, "sync", "OutOfSync");
		finish(r, "Failed", rc, msg, 0, applied, pruned, failed, 1);
		return rc;
	}
	{
		int self_heal = !o->rollback_to && *synced && !strcmp(synced, r->commit) && changed > 0;
		if (o->rollback_to)
			snprintf(msg, sizeof(msg), "rolled back to %s: %ld objects, %d changed; automated sync suspended",
				 short_c, count, changed);
		else if (self_heal)
			snprintf(msg, sizeof(msg), "self-heal at %s: %d objects reverted", short_c, changed);
		else
			snprintf(msg, sizeof(msg), "synced %s: %ld objects, %d changed", short_c, count, changed);
		set_str(r->record, "syncedRevision", r->commit);
		set_str(r->record, "sync", "Synced");
		set_item(r->record, "differ", cJSON_CreateArray());
		if (o->rollback_to) {
			set_item(r->record, "suspended", cJSON_CreateTrue());
			set_str(r->record, "suspendReason", "rollback");
		}
		if (self_heal)
			say(r, "self-heal: %d objects differed from %s and were reverted", changed, short_c);
		say(r, "%s", msg);
		if (o->commit_path) {
			struct gitops_err err = GITOPS_ERR_INIT;
			char line[GITOPS_OPS_REV_MAX + 2];
			snprintf(line, sizeof(line), "%s\n", r->commit);
			if (gitops_fs_write_atomic(o->commit_path, line, strlen(line), 0600, &err) < 0)
				say(r, "%s", err.msg);
		}
		r->synced_changes = changed > 0 || strcmp(synced, r->commit) != 0;
		finish(r, "Succeeded", 0, msg, self_heal, applied, pruned, failed, 1);
	}
	return 0;
}

/* An operator's hook for `event`, its output relayed line by line; a failing hook is said, nothing more. */
static void hook(struct run *r, const char *cmd, const char *event)
{
	struct gitops_ops_notify_options no = GITOPS_OPS_NOTIFY_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	char out[PATH_MAX + 32];
	int fd;

	if (!cmd || !r->work[0])
		return;
	snprintf(out, sizeof(out), "%s/hook.out", r->work);
	if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		say(r, "hook %s: %s: %s", event, out, strerror(errno));
		return;
	}
	no.out_fd = no.err_fd = fd;
	say(r, "hook %s: running", event);
	if (gitops_ops_notify_with(cmd, event, r->record, &no, &err) < 0)
		say(r, "%s", err.msg);
	close(fd);
	if (gitops_buf_read_file(&b, out, 1u << 20, &err) == 0 && b.data)
		for (const char *s = b.data; *s;) {
			size_t n = strcspn(s, "\n");
			say(r, "hook %s: %.*s", event, (int)(n < 1900 ? n : 1900), s);
			s += n + (s[n] ? 1 : 0);
		}
	gitops_buf_release(&b);
}

/* The hooks the run calls for: a failure, a degraded application, a sync that changed something. */
static void hooks(struct run *r)
{
	const char *result = gitops_json_get_string(r->record, "lastOperation", "result", NULL);

	if (result && !strcmp(result, "Failed"))
		hook(r, r->o->on_failure, "failure");
	if (!strcmp(rec_str(r->record, "health"), "Degraded"))
		hook(r, r->o->on_degraded, "degraded");
	if (r->synced_changes)
		hook(r, r->o->on_sync, "sync");
}

static int rm_tree(void *ctx, const char *path, const char *name, struct gitops_err *err)
{
	(void)ctx, (void)name, (void)err;
	unlink(path);
	return 0;
}

int gitops_ops_sync_app(const struct gitops_ops_app *app, const struct gitops_ops_sync_options *o)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct run r = { 0 };
	const char *tmp = getenv("TMPDIR");
	int lock = -1, rc, got;

	r.app = app;
	r.o = o;
	gettimeofday(&r.t0, NULL);
	gitops_ops_time_format(r.started, sizeof(r.started), r.t0.tv_sec);
	if (o->lock_path) {
		if (!(r.record = gitops_ops_record_new(app->name))) {
			say(&r, "out of memory");
			return GITOPS_EXIT_INTERNAL;
		}
		if (o->commit_path) {
			struct gitops_buf b = GITOPS_BUF_INIT;
			char c[41] = "";
			if (gitops_buf_read_file(&b, o->commit_path, 4096, &err) == 0 && b.data)
				sscanf(b.data, "%40[0-9a-f]", c);
			gitops_buf_release(&b);
			set_str(r.record, "syncedRevision", c);
		}
	} else if (gitops_ops_state_load(&r.record, o->state_dir, app->name, &err) < 0) {
		say(&r, "%s", err.msg);
		return err.code;
	}
	set_str(r.record, "repoURL", app->repo_url);
	set_str(r.record, "path", app->path);
	set_str(r.record, "targetRevision", app->target_revision);

	got = gitops_ops_state_lock(&lock, o->state_dir, app->name, o->lock_path, &err);
	if (got < 0) {
		say(&r, "%s", err.msg);
		rc = err.code;
		goto done;
	}
	if (!got) {
		say(&r, "another sync of %s is still running; skipped", app->name);
		/* the record of the run that holds the lock is its own: only the result is said */
		{
			cJSON *mine = NULL;
			if (!o->lock_path && gitops_ops_state_load(&mine, o->state_dir, app->name, &err) >= 0) {
				cJSON_Delete(r.record);
				r.record = mine;
				finish(&r, "Busy", GITOPS_EXIT_BUSY, "another sync was still running; skipped", 0, 0, 0, 0, 0);
			}
		}
		rc = GITOPS_EXIT_BUSY;
		goto done;
	}
	/* an automated tick: suspended applications and closed windows are skipped */
	if (!o->manual && !o->dry_run && !o->rollback_to) {
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.record, "suspended"))) {
			say(&r, "suspended (%s); automated sync skipped until gitops-sync resume %s",
			    rec_str(r.record, "suspendReason"), app->name);
			rc = 0;
			goto done;
		}
	}
	/* sync windows: an automated tick as Argo CD's auto-sync, a named run as a manual sync */
	if (!o->dry_run && cJSON_GetArraySize(app->sync_windows) > 0) {
		struct gitops_ops_windows *w = NULL;
		char why[512] = "", msg[700];
		const char *cluster = app->context ? app->context : o->context;
		if (gitops_ops_windows_parse(&w, app->sync_windows, &err) < 0) {
			say(&r, "spec.syncWindows: %s", err.msg);
			rc = err.code;
			goto done;
		}
		got = gitops_ops_windows_allow_dest(w, app->name, app->namespace, cluster, time(NULL),
						    o->manual || o->rollback_to != NULL, why, sizeof(why));
		gitops_ops_windows_free(w);
		if (!got) {
			snprintf(msg, sizeof(msg), "outside the sync windows: %s", why);
			say(&r, "%s; skipped", msg);
			finish(&r, "OutsideWindow", 0, msg, 0, 0, 0, 0, 0);
			rc = 0;
			goto done;
		}
	}
	snprintf(r.work, sizeof(r.work), "%s/gitops-sync.XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (!mkdtemp(r.work)) {
		say(&r, "%s: %s", r.work, strerror(errno));
		r.work[0] = 0;
		rc = GITOPS_EXIT_IO;
		goto done;
	}
	rc = sync_run(&r);
	hooks(&r);
done:
	if (r.work[0]) {
		gitops_fs_walk(r.work, rm_tree, NULL, &err);
		rmdir(r.work);
	}
	if (lock >= 0)
		close(lock);
	cJSON_Delete(r.record);
	return rc;
}

struct apps_ctx {
	const struct gitops_ops_app *const *apps;
	const struct gitops_ops_sync_options *o;
};

static int sync_one(void *ctx, size_t i)
{
	struct apps_ctx *c = ctx;
	struct gitops_ops_sync_options s = *c->o;

	if (!s.log_ctx)
		s.log_ctx = c->apps[i]->name;
	return gitops_ops_sync_app(c->apps[i], &s);
}

int gitops_ops_sync_apps(int *statuses, const struct gitops_ops_app *const *apps, size_t n, int jobs,
			 const struct gitops_ops_sync_options *o, struct gitops_err *err)
{
	struct apps_ctx c = { apps, o };
	int code = 0, out = 0, busy = 0;

	if (gitops_ops_parallel(statuses, n, jobs, sync_one, &c, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (statuses[i] == GITOPS_EXIT_BUSY)
			busy = 1;
		else if (statuses[i] == GITOPS_EXIT_DIFFERENT && o->dry_run)
			out = 1;
		else if (statuses[i] && !code)
			code = statuses[i];
	}
	return code ? code : out ? GITOPS_EXIT_DIFFERENT : busy ? GITOPS_EXIT_BUSY : 0;
}

void gitops_ops_programs_find(struct gitops_ops_programs *p)
{
	static const char *const names[4] = { "gitops-fetch", "gitops-render", "gitops-apply", "gitops-diff" };
	const char *found[4];
	char self[4096], *slash = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
	}
	for (int i = 0; i < 4; i++) {
		found[i] = names[i];
		if (slash && (size_t)snprintf(p->buf[i], sizeof(p->buf[i]), "%.*s/%s", (int)(slash - self), self,
					      names[i]) < sizeof(p->buf[i]) && access(p->buf[i], X_OK) == 0)
			found[i] = p->buf[i];
	}
	p->fetch = found[0];
	p->render = found[1];
	p->apply = found[2];
	p->diff = found[3];
}

int gitops_ops_rollback(const struct gitops_ops_app *app, const char *to, int steps,
			const struct gitops_ops_sync_options *o, struct gitops_err *err)
{
	struct gitops_ops_sync_options s = *o;
	cJSON *hist = NULL, *rec = NULL;
	char rev[GITOPS_OPS_REV_MAX];
	int ret = -1;

	if (gitops_ops_state_history(&hist, o->state_dir, app->name, err) < 0 ||
	    gitops_ops_state_load(&rec, o->state_dir, app->name, err) < 0 ||
	    gitops_ops_rollback_target(rev, hist, gitops_json_get_string(rec, "syncedRevision", NULL), to, steps, err) < 0)
		goto done;
	s.rollback_to = rev;
	s.manual = 1;
	if (!s.log_ctx)
		s.log_ctx = app->name;
	ret = gitops_ops_sync_app(app, &s);
done:
	cJSON_Delete(hist);
	cJSON_Delete(rec);
	return ret;
}

void gitops_ops_single_init(struct gitops_ops_single *s, struct gitops_ops_sync_options *o, const char *repo,
			    const char *ref, const char *path, const char *applyset, const char *ns)
{
	char key[512];

	snprintf(s->prefix, sizeof(s->prefix), "gitops-sync[%s/%s]", ns, applyset);
	snprintf(key, sizeof(key), "%s/%s", ns, applyset);
	for (char *c = key; *c; c++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", *c))
			*c = '_';
	snprintf(s->lock, sizeof(s->lock), "%s/%s.lock", o->state_dir, key);
	snprintf(s->commit, sizeof(s->commit), "%s/%s.commit", o->state_dir, key);
	s->app = (struct gitops_ops_app){ .name = (char *)applyset, .repo_url = (char *)repo,
		.target_revision = (char *)(ref ? ref : "HEAD"), .path = (char *)(path ? path : ""),
		.namespace = (char *)ns, .applyset = (char *)applyset, .automated = 1, .prune = 1, .self_heal = 1 };
	o->lock_path = s->lock;
	o->commit_path = s->commit;
	o->log_ctx = s->prefix;
}
