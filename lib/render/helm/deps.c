/*
 * deps.c: the dependencies a chart's charts/ lacks, fetched as
 * `helm dependency build` fetches them (helm v3.17's downloader.Manager).
 *
 * Chart.lock (requirements.lock for apiVersion v1) pins the versions: its
 * digest must be the hash helm computes of Chart.yaml's dependencies and
 * the lock's (resolver.HashReq: sha256 of Go's JSON of both lists), else
 * helm's "out of sync" error.  Without a lock the constraint of Chart.yaml
 * chooses, as `helm dependency update` does.  A file:// dependency is read
 * from its directory, which must lie inside the checkout; one from a chart
 * repository or an OCI registry comes through the caller's hook (render
 * wires lib/chart and its cache there).  Only what is missing is fetched:
 * a dependency charts/ holds stays as it is.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/base/buf.h"
#include "lib/base/enc.h"
#include "lib/base/fs.h"
#include "lib/render/helm/helm_int.h"

static int bputc(struct gitops_buf *b, char c)
{
	return gitops_buf_add(b, &c, 1);
}

/* Go's encoding/json string: HTML characters and U+2028/2029 escaped as json.Marshal escapes them */
static int go_json_string(struct gitops_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (bputc(b, '"') < 0)
		return -1;
	for (; *p; p++) {
		int r;
		switch (*p) {
		case '"': r = gitops_buf_addstr(b, "\\\""); break;
		case '\\': r = gitops_buf_addstr(b, "\\\\"); break;
		case '\n': r = gitops_buf_addstr(b, "\\n"); break;
		case '\r': r = gitops_buf_addstr(b, "\\r"); break;
		case '\t': r = gitops_buf_addstr(b, "\\t"); break;
		case '<': case '>': case '&': r = gitops_buf_printf(b, "\\u%04x", *p); break;
		default:
			if (*p < 0x20)
				r = gitops_buf_printf(b, "\\u%04x", *p);
			else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
				r = gitops_buf_printf(b, "\\u202%c", p[2] == 0xa8 ? '8' : '9');
				p += 2;
			} else
				r = bputc(b, (char)*p);
		}
		if (r < 0)
			return -1;
	}
	return bputc(b, '"');
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* an interface{} value as json.Marshal writes it (maps in key order) */
static int go_json_value(struct gitops_buf *b, const cJSON *v)
{
	const cJSON *e;
	size_t n = 0, i;

	if (cJSON_IsString(v))
		return go_json_string(b, v->valuestring);
	if (cJSON_IsBool(v))
		return gitops_buf_addstr(b, cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v))
		return v->valuedouble == (double)(long long)v->valuedouble ? gitops_buf_printf(b, "%lld", (long long)v->valuedouble)
									    : gitops_buf_printf(b, "%.17g", v->valuedouble);
	if (cJSON_IsArray(v)) {
		if (bputc(b, '[') < 0)
			return -1;
		cJSON_ArrayForEach(e, v)
			if ((e != v->child && bputc(b, ',') < 0) || go_json_value(b, e) < 0)
				return -1;
		return bputc(b, ']');
	}
	if (cJSON_IsObject(v)) {
		const cJSON **keys;
		int r = 0;
		cJSON_ArrayForEach(e, v)
			n++;
		if (!(keys = malloc((n ? n : 1) * sizeof(*keys))))
			return -1;
		n = 0;
		cJSON_ArrayForEach(e, v)
			keys[n++] = e;
		qsort(keys, n, sizeof(*keys), cmp_keys);
		r = bputc(b, '{');
		for (i = 0; i < n && r == 0; i++)
			r = (i && bputc(b, ',') < 0) || go_json_string(b, keys[i]->string) < 0 ||
					    bputc(b, ':') < 0 || go_json_value(b, keys[i]) < 0
				    ? -1
				    : 0;
		free(keys);
		return r < 0 ? -1 : bputc(b, '}');
	}
	return gitops_buf_addstr(b, "null");
}

static const char *str_field(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Go's sanitizeString: runes that are not printable or spaces removed (controls are what charts carry) */
static char *sanitized(const char *s)
{
	char *o = strdup(s ? s : ""), *w = o;

	if (!o)
		return NULL;
	for (const char *p = o; *p; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			*w++ = *p;
		else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
			*w++ = *p;
	*w = 0;
	return o;
}

/* one chart.Dependency as json.Marshal writes it: name, version, repository, condition, tags, enabled,
 * import-values, alias (omitempty but for name and repository) */
static int go_json_dep(struct gitops_buf *b, const cJSON *d)
{
	static const char *const sk[] = { "name", "version", "repository", "condition" };
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(d, "tags"),
		    *iv = cJSON_GetObjectItemCaseSensitive(d, "import-values"), *e;
	const char *alias = str_field(d, "alias");
	size_t i;

	if (bputc(b, '{') < 0)
		return -1;
	for (i = 0; i < 4; i++) {
		char *s = sanitized(str_field(d, sk[i]));
		int r;
		if (!s)
			return -1;
		if ((i == 1 || i == 3) && !*s) {
			free(s);
			continue;
		}
		r = gitops_buf_printf(b, "%s\"%s\":", i ? "," : "", sk[i]) < 0 || go_json_string(b, s) < 0 ? -1 : 0;
		free(s);
		if (r < 0)
			return -1;
	}
	if (cJSON_IsArray(tags) && cJSON_GetArraySize(tags) > 0) {
		if (gitops_buf_addstr(b, ",\"tags\":[") < 0)
			return -1;
		cJSON_ArrayForEach(e, tags) {
			char *s = sanitized(cJSON_IsString(e) ? e->valuestring : "");
			int r = !s || (e != tags->child && bputc(b, ',') < 0) || go_json_string(b, s) < 0 ? -1 : 0;
			free(s);
			if (r < 0)
				return -1;
		}
		if (bputc(b, ']') < 0)
			return -1;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "enabled")) && gitops_buf_addstr(b, ",\"enabled\":true") < 0)
		return -1;
	if (cJSON_IsArray(iv) && cJSON_GetArraySize(iv) > 0 &&
	    (gitops_buf_addstr(b, ",\"import-values\":") < 0 || go_json_value(b, iv) < 0))
		return -1;
	if (alias && *alias && (gitops_buf_addstr(b, ",\"alias\":") < 0 || go_json_string(b, alias) < 0))
		return -1;
	return bputc(b, '}');
}

static int go_json_deps(struct gitops_buf *b, const cJSON *list)
{
	const cJSON *e;

	if (!cJSON_IsArray(list))
		return gitops_buf_addstr(b, "null");
	if (bputc(b, '[') < 0)
		return -1;
	cJSON_ArrayForEach(e, list)
		if ((e != list->child && bputc(b, ',') < 0) ||
		    (cJSON_IsObject(e) ? go_json_dep(b, e) : gitops_buf_addstr(b, "null")) < 0)
			return -1;
	return bputc(b, ']');
}

/* resolver.HashReq: "sha256:" and the hex of sha256 over the JSON of [req, lock] */
int gitops_helm_lock_digest(char out[7 + 64 + 1], const cJSON *req, const cJSON *lock, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char hex[65];

	if (bputc(&b, '[') < 0 || go_json_deps(&b, req) < 0 || bputc(&b, ',') < 0 ||
	    go_json_deps(&b, lock) < 0 || bputc(&b, ']') < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	gitops_sha256_hex(hex, b.data, b.len);
	snprintf(out, 7 + 64 + 1, "sha256:%s", hex);
	gitops_buf_release(&b);
	return 0;
}

static const struct gitops_helm_file *find_file(const struct gitops_helm_files *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].name, name))
			return &f->v[i];
	return NULL;
}

/* helm's resolver.GetLocalPath, then our rule: the directory resolves inside root */
static int local_path(char *out, const char *repo, const char *name, const struct gitops_helm_deps *d,
		      struct gitops_err *err)
{
	const char *p = repo + strlen("file://");
	char joined[PATH_MAX * 2], real_root[PATH_MAX];
	struct stat st;
	size_t n;

	if (!d->chart_dir)
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "dependency %s: %s can only be read beside an unpacked chart, not from a package", name,
				      repo);
	if (*p == '/')
		snprintf(joined, sizeof(joined), "%s", p);
	else if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", d->chart_dir, p) >= sizeof(joined))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "dependency %s: %s: path too long", name, repo);
	if (stat(joined, &st) < 0 && errno == ENOENT)
		return gitops_err_set(err, GITOPS_EXIT_IO, "directory %s not found", joined);
	if (!realpath(joined, out))
		return gitops_err_set(err, GITOPS_EXIT_IO, "%s: %s", joined, strerror(errno));
	if (!realpath(d->root ? d->root : d->chart_dir, real_root))
		return gitops_err_set(err, GITOPS_EXIT_IO, "%s: %s", d->root ? d->root : d->chart_dir, strerror(errno));
	n = strlen(real_root);
	if (strncmp(out, real_root, n) || (out[n] != '/' && out[n]))
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "dependency %s: %s resolves to %s, outside the checkout %s: refused", name, repo, out,
				      real_root);
	return 0;
}

/* the version in the Chart.yaml among files */
static int chart_version(char **out, const struct gitops_helm_files *f, const char *what, struct gitops_err *err)
{
	const struct gitops_helm_file *cy = find_file(f, "Chart.yaml");
	cJSON *meta = NULL;
	const char *v;

	*out = NULL;
	if (!cy)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: Chart.yaml file is missing", what);
	if (helm_yaml_read(&meta, (const char *)cy->data, cy->len, "Chart.yaml", 1, err) < 0)
		return -1;
	{
		const cJSON *vv = cJSON_GetObjectItemCaseSensitive(meta, "version");
		char buf[64];
		v = cJSON_IsString(vv) ? vv->valuestring : NULL;
		if (!v && (cJSON_IsNumber(vv) || cJSON_IsBool(vv)))
			helm_scalar_text(buf, sizeof(buf), vv), v = buf;
		*out = strdup(v ? v : "");
	}
	cJSON_Delete(meta);
	return *out ? 0 : gitops_err_oom(err);
}

static int add_prefixed(struct gitops_helm_files *dst, struct gitops_helm_files *src, const char *prefix,
			struct gitops_err *err)
{
	struct gitops_buf name = GITOPS_BUF_INIT;

	for (size_t i = 0; i < src->n; i++) {
		name.len = 0;
		if (gitops_buf_printf(&name, "%s/%s", prefix, src->v[i].name) < 0) {
			gitops_buf_release(&name);
			return gitops_err_oom(err);
		}
		if (gitops_helm_files_take(dst, name.data, &src->v[i], err) < 0) {
			gitops_buf_release(&name);
			return -1;
		}
	}
	gitops_buf_release(&name);
	return 0;
}

/* A file:// dependency: its directory read as helm's loader reads it, its version checked */
static int local_dep(struct gitops_helm_files *add, const struct helm_dep *dep, const char *want, int exact,
		     const struct gitops_helm_deps *d, struct gitops_err *err)
{
	struct gitops_helm_files f = GITOPS_HELM_FILES_INIT;
	char path[PATH_MAX], *version = NULL, prefix[PATH_MAX + 16];
	int ok, ret = -1;

	if (local_path(path, dep->repository, dep->name, d, err) < 0 ||
	    (d->read_dir ? d->read_dir(d->read_ctx, &f, path, err) : gitops_helm_files_from_dir(&f, path, err)) < 0 ||
	    chart_version(&version, &f, path, err) < 0)
		goto done;
	ok = exact ? !strcmp(version, want) || helm_compatible_range(want, version)
		   : helm_compatible_range(want ? want : "", version);
	if (!ok) {
		if (exact)
			gitops_err_set(err, GITOPS_EXIT_INPUT, "can't get a valid version for dependency %s", dep->name);
		else
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "can't get a valid version for 1 subchart(s): \"%s\" (repository \"%s\", version \"%s\"). "
				       "Make sure a matching chart version exists in the repo, or change the version "
				       "constraint in Chart.yaml",
				       dep->name, dep->repository, want ? want : "");
		goto done;
	}
	snprintf(prefix, sizeof(prefix), "charts/%s-%s", dep->name, version);
	ret = add_prefixed(add, &f, prefix, err);
done:
	gitops_helm_files_release(&f);
	free(version);
	return ret;
}

int gitops_helm_deps_build(struct gitops_helm_files *files, const char *what, const struct gitops_helm_deps *d,
			   struct gitops_err *err)
{
	struct gitops_helm_files copy = GITOPS_HELM_FILES_INIT, add = GITOPS_HELM_FILES_INIT;
	struct helm_chart *c = NULL;
	cJSON *lock = NULL;
	const cJSON *lock_deps = NULL;
	const struct gitops_helm_file *lf;
	size_t i, k, nmissing = 0;
	int ret = -1;

	/* most charts list no dependency: that much Chart.yaml says, without loading the chart twice */
	if (!find_file(files, "requirements.yaml")) {
		const struct gitops_helm_file *cy = find_file(files, "Chart.yaml");
		struct gitops_err e = GITOPS_ERR_INIT; /* a bad Chart.yaml: the load below says it, as helm words it */
		cJSON *meta = NULL;
		int listed;
		if (cy && helm_yaml_read(&meta, (const char *)cy->data, cy->len, "Chart.yaml", 1, &e) == 0) {
			listed = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(meta, "dependencies")) > 0;
			cJSON_Delete(meta);
			if (!listed)
				return 0;
		}
	}
	for (i = 0; i < files->n; i++)
		if (gitops_helm_files_add(&copy, files->v[i].name, files->v[i].data, files->v[i].len, err) < 0)
			goto done;
	if (helm_chart_load(&c, &copy, what, err) < 0)
		goto done;
	if (!c->deps_listed) {
		ret = 0;
		goto done;
	}
	for (i = 0; i < c->ndeps; i++) {
		int found = 0;
		for (k = 0; k < c->nsub && !found; k++)
			found = c->deps[i].name && !strcmp(c->sub[k]->name, c->deps[i].name);
		nmissing += !found;
	}
	if (!nmissing) {
		ret = 0;
		goto done;
	}
	/* the lock first: helm dependency build refuses a lock out of sync before it fetches anything */
	if ((lf = find_file(files, c->v1 ? "requirements.lock" : "Chart.lock"))) {
		char digest[7 + 64 + 1];
		const char *have;
		if (helm_yaml_read(&lock, (const char *)lf->data, lf->len, lf->name, 1, err) < 0) {
			gitops_err_prefix(err, "%s", lf->name);
			goto done;
		}
		lock_deps = cJSON_GetObjectItemCaseSensitive(lock, "dependencies");
		have = str_field(lock, "digest");
		if (gitops_helm_lock_digest(digest, cJSON_GetObjectItemCaseSensitive(c->meta, "dependencies"), lock_deps,
					    err) < 0)
			goto done;
		if (!have || strcmp(have, digest)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       c->v1 ? "the lock file (requirements.lock) is out of sync with the dependencies file "
					       "(requirements.yaml). Please update the dependencies"
					     : "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). "
					       "Please update the dependencies");
			goto done;
		}
	}
	for (i = 0; i < c->ndeps; i++) {
		const struct helm_dep *dep = &c->deps[i];
		const char *repo = dep->repository ? dep->repository : "", *want = dep->version;
		const cJSON *le;
		int found = 0, exact = 0;
		for (k = 0; k < c->nsub && !found; k++)
			found = dep->name && !strcmp(c->sub[k]->name, dep->name);
		if (found)
			continue;
		cJSON_ArrayForEach(le, lock_deps) {
			const char *ln = str_field(le, "name");
			if (ln && dep->name && !strcmp(ln, dep->name)) {
				want = str_field(le, "version"), exact = 1;
				break;
			}
		}
		if (!*repo) {
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "An error occurred while checking for chart dependencies. You may need to run `helm "
				       "dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in "
				       "charts/ directory: %s",
				       dep->name ? dep->name : "");
			goto done;
		}
		if (!strncmp(repo, "file://", 7)) {
			if (local_dep(&add, dep, want, exact, d, err) < 0)
				goto done;
			continue;
		}
		if (strncmp(repo, "https://", 8) && strncmp(repo, "http://", 7) && strncmp(repo, "oci://", 6)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "no repository definition for %s. Please add them via 'helm repo add'", repo);
			goto done;
		}
		if (!d || !d->pull) {
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "dependency %s is missing in charts/ and comes from %s: charts from repositories are "
				       "not fetched here",
				       dep->name, repo);
			goto done;
		}
		{
			struct gitops_helm_files f = GITOPS_HELM_FILES_INIT;
			char *version = NULL, prefix[PATH_MAX];
			int r = d->pull(d->ctx, &f, &version, repo, dep->name, want, exact, err);
			if (r == 0) {
				snprintf(prefix, sizeof(prefix), "charts/%s-%s", dep->name, version ? version : "");
				r = add_prefixed(&add, &f, prefix, err);
			}
			free(version);
			gitops_helm_files_release(&f);
			if (r < 0)
				goto done;
		}
	}
	for (i = 0; i < add.n; i++)
		if (gitops_helm_files_take(files, add.v[i].name, &add.v[i], err) < 0)
			goto done;
	ret = 0;
done:
	helm_chart_free(c);
	cJSON_Delete(lock);
	gitops_helm_files_release(&copy);
	gitops_helm_files_release(&add);
	return ret;
}
