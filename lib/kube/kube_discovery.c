#include "lib/kube/kube_discovery.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/fs.h"
#include "lib/base/enc.h"
#include "lib/k8s/object.h"
#include "lib/value/jsonio.h"
#include "lib/value/value.h"

struct gitops_kube_discovery {
	struct gitops_kube *k;
	char *cache_path;         /* NULL: no disk cache */
	long ttl;
	cJSON *doc;               /* {"serverSha256", "time", "resources": [...], "failed": [...]} */
	struct gitops_kube_resource *res;
	size_t n;
	int fresh;                /* fetched from the server by this process */
	cJSON *old;               /* replaced documents and indexes, kept: what find handed out stays valid */
	struct gitops_kube_resource **old_res;
	size_t n_old;
};

/* The server's URL, hashed: a URL may carry a password, and neither a file name nor the cache holds it. */
static void server_key(const char *server, char out[65])
{
	gitops_sha256_hex(out, server, strlen(server));
}

static char *cache_file(const char *dir, const char *server)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char key[65];

	server_key(server, key);
	if (!key[0])
		return NULL;
	gitops_buf_printf(&b, "%s/%.32s.json", dir, key);
	return b.data;
}

static int mkdirs(const char *path)
{
	char buf[4096];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Point the index at the strings of d->doc. */
static int index_doc(struct gitops_kube_discovery *d)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(d->doc, "resources"), *e;
	size_t n = (size_t)cJSON_GetArraySize(list), i = 0;

	free(d->res);
	d->res = calloc(n ? n : 1, sizeof(*d->res));
	if (!d->res)
		return -1;
	cJSON_ArrayForEach(e, list)
	{
		struct gitops_kube_resource *r = &d->res[i];
		r->group = gitops_json_get_string(e, "group", NULL);
		r->version = gitops_json_get_string(e, "version", NULL);
		r->kind = gitops_json_get_string(e, "kind", NULL);
		r->resource = gitops_json_get_string(e, "resource", NULL);
		r->verbs = gitops_json_get_string(e, "verbs", NULL);
		r->namespaced = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "namespaced"));
		r->has_status = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "status"));
		if (r->group && r->version && r->kind && r->resource && r->verbs)
			i++;
	}
	d->n = i;
	return 0;
}

static int load_cache(struct gitops_kube_discovery *d)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err ignore = GITOPS_ERR_INIT;
	const cJSON *t, *srv;
	cJSON *doc;
	char key[65];

	if (!d->cache_path || gitops_buf_read_file(&b, d->cache_path, 64u << 20, &ignore) < 0)
		return -1;
	doc = gitops_json_read(b.data, b.len);
	gitops_buf_release(&b);
	t = cJSON_GetObjectItemCaseSensitive(doc, "time");
	srv = cJSON_GetObjectItemCaseSensitive(doc, "serverSha256");
	server_key(gitops_kube_config(d->k)->server, key);
	if (!cJSON_IsNumber(t) || !cJSON_IsString(srv) || strcmp(srv->valuestring, key) ||
	    (double)time(NULL) - t->valuedouble > (double)d->ttl || (double)time(NULL) < t->valuedouble) {
		cJSON_Delete(doc);
		return -1;
	}
	cJSON_Delete(d->doc);
	d->doc = doc;
	return index_doc(d);
}

static void save_cache(struct gitops_kube_discovery *d)
{
	struct gitops_err ignored = GITOPS_ERR_INIT;
	char *text, *slash;

	if (!d->cache_path)
		return;
	slash = strrchr(d->cache_path, '/');
	if (slash) {
		*slash = '\0';
		mkdirs(d->cache_path);
		*slash = '/';
	}
	text = gitops_json_text(d->doc);
	/* a cache: a write that fails only costs the next run a discovery */
	if (text)
		gitops_fs_write_atomic(d->cache_path, text, strlen(text), 0644, &ignored);
	free(text);
}

static void add_resources(cJSON *out, const char *group, const char *version, const cJSON *list)
{
	const cJSON *rs = cJSON_GetObjectItemCaseSensitive(list, "resources"), *r;

	cJSON_ArrayForEach(r, rs)
	{
		const char *name = gitops_json_get_string(r, "name", NULL);
		const char *kind = gitops_json_get_string(r, "kind", NULL);
		const cJSON *verbs = cJSON_GetObjectItemCaseSensitive(r, "verbs"), *v;
		struct gitops_buf vb = GITOPS_BUF_INIT;
		cJSON *e;
		if (!name || !kind)
			continue;
		if (strchr(name, '/')) {
			/* a subresource: note status on its parent */
			size_t n = (size_t)(strchr(name, '/') - name);
			cJSON *p;
			if (strcmp(name + n, "/status"))
				continue;
			cJSON_ArrayForEach(p, out)
			{
				const char *pn = gitops_json_get_string(p, "resource", NULL);
				if (pn && strlen(pn) == n && !strncmp(pn, name, n) &&
				    !strcmp(gitops_json_get_string(p, "group", NULL), group) &&
				    !strcmp(gitops_json_get_string(p, "version", NULL), version))
					cJSON_AddTrueToObject(p, "status");
			}
			continue;
		}
		gitops_buf_addstr(&vb, ",");
		cJSON_ArrayForEach(v, verbs)
		if (cJSON_IsString(v))
			gitops_buf_printf(&vb, "%s,", v->valuestring);
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "group", group);
		cJSON_AddStringToObject(e, "version", version);
		cJSON_AddStringToObject(e, "kind", kind);
		cJSON_AddStringToObject(e, "resource", name);
		cJSON_AddBoolToObject(e, "namespaced", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "namespaced")));
		cJSON_AddStringToObject(e, "verbs", vb.data ? vb.data : ",");
		cJSON_AddItemToArray(out, e);
		gitops_buf_release(&vb);
	}
}

int gitops_kube_discovery_refresh(struct gitops_kube_discovery *d, struct gitops_err *err)
{
	struct gitops_kube_request top[2], *gv = NULL;
	cJSON *api = NULL, *apis = NULL, *doc = NULL, *resources, *failed;
	char key[65];
	size_t n = 0, i;
	int ret = -1;

	memset(top, 0, sizeof(top));
	top[0].method = top[1].method = "GET";
	top[0].path = strdup("/api");
	top[1].path = strdup("/apis");
	top[0].what = "discovery /api";
	top[1].what = "discovery /apis";
	if (!top[0].path || !top[1].path) {
		gitops_err_oom(err);
		goto done;
	}
	if (gitops_kube_run(d->k, top, 2, NULL, err) < 0)
		goto done;
	api = gitops_json_read(top[0].response.data, top[0].response.len);
	apis = gitops_json_read(top[1].response.data, top[1].response.len);
	if (!cJSON_IsObject(api) || !cJSON_IsObject(apis)) {
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "discovery: the server's answer is not JSON");
		goto done;
	}
	/* every group version: the core ones, then each version of each group */
	{
		const cJSON *versions = cJSON_GetObjectItemCaseSensitive(api, "versions");
		const cJSON *groups = cJSON_GetObjectItemCaseSensitive(apis, "groups"), *g, *v;
		size_t cap = (size_t)cJSON_GetArraySize(versions) + 1;
		cJSON_ArrayForEach(g, groups)
		cap += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(g, "versions"));
		gv = calloc(cap, sizeof(*gv));
		if (!gv) {
			gitops_err_oom(err);
			goto done;
		}
		cJSON_ArrayForEach(v, versions)
		{
			struct gitops_buf p = GITOPS_BUF_INIT;
			if (!cJSON_IsString(v))
				continue;
			gitops_buf_printf(&p, "/api/%s", v->valuestring);
			gv[n].method = "GET";
			gv[n].path = p.data;
			gv[n++].what = "discovery";
		}
		cJSON_ArrayForEach(g, groups)
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(g, "versions"))
		{
			const char *gvs = gitops_json_get_string(v, "groupVersion", NULL);
			struct gitops_buf p = GITOPS_BUF_INIT;
			if (!gvs)
				continue;
			gitops_buf_printf(&p, "/apis/%s", gvs);
			gv[n].method = "GET";
			gv[n].path = p.data;
			gv[n++].what = "discovery";
		}
	}
	gitops_kube_run(d->k, gv, n, NULL, err); /* a group version that fails is noted, not fatal */
	doc = cJSON_CreateObject();
	server_key(gitops_kube_config(d->k)->server, key);
	cJSON_AddStringToObject(doc, "serverSha256", key);
	gitops_value_add_int(doc, "time", time(NULL));
	resources = cJSON_AddArrayToObject(doc, "resources");
	failed = cJSON_AddArrayToObject(doc, "failed");
	for (i = 0; i < n; i++) {
		const char *gvs = gv[i].path + (strncmp(gv[i].path, "/apis/", 6) ? 5 : 6);
		char group[256] = "", version[64];
		const char *slash = strchr(gvs, '/');
		cJSON *list;
		if (slash)
			snprintf(group, sizeof(group), "%.*s", (int)(slash - gvs), gvs);
		snprintf(version, sizeof(version), "%s", slash ? slash + 1 : gvs);
		if (gv[i].failed) {
			cJSON *f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "groupVersion", gvs);
			cJSON_AddStringToObject(f, "error", gv[i].err.msg);
			cJSON_AddItemToArray(failed, f);
			continue;
		}
		list = gitops_json_read(gv[i].response.data, gv[i].response.len);
		add_resources(resources, group, version, list);
		cJSON_Delete(list);
	}
	if (d->doc) {
		if (!d->old)
			d->old = cJSON_CreateArray();
		cJSON_AddItemToArray(d->old, d->doc);
		d->old_res = realloc(d->old_res, (d->n_old + 1) * sizeof(*d->old_res));
		if (d->old_res)
			d->old_res[d->n_old++] = d->res;
		d->res = NULL;
	}
	d->doc = doc;
	doc = NULL;
	if (index_doc(d) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	d->fresh = 1;
	save_cache(d);
	ret = 0;
done:
	gitops_kube_request_release(&top[0]);
	gitops_kube_request_release(&top[1]);
	for (i = 0; gv && i < n; i++)
		gitops_kube_request_release(&gv[i]);
	free(gv);
	cJSON_Delete(api);
	cJSON_Delete(apis);
	cJSON_Delete(doc);
	return ret;
}

int gitops_kube_discovery_new(struct gitops_kube_discovery **out, struct gitops_kube *k,
			      const struct gitops_kube_discovery_options *opts, struct gitops_err *err)
{
	struct gitops_kube_discovery_options def = GITOPS_KUBE_DISCOVERY_OPTIONS_INIT;
	struct gitops_kube_discovery *d = calloc(1, sizeof(*d));
	const char *dir;
	char *dflt = NULL;

	if (!d)
		return gitops_err_oom(err);
	if (!opts)
		opts = &def;
	d->k = k;
	d->ttl = opts->ttl_seconds;
	dir = opts->cache_dir;
	if (!dir) {
		struct gitops_err ignored = GITOPS_ERR_INIT;
		/* no HOME and no XDG_CACHE_HOME: no cache */
		if (gitops_fs_cache_dir(&dflt, "discovery", &ignored) == 0)
			dir = dflt;
	}
	if (dir && *dir)
		d->cache_path = cache_file(dir, gitops_kube_config(k)->server);
	free(dflt);
	if (load_cache(d) < 0 && gitops_kube_discovery_refresh(d, err) < 0) {
		gitops_kube_discovery_free(d);
		return -1;
	}
	*out = d;
	return 0;
}

static const struct gitops_kube_resource *lookup(const struct gitops_kube_discovery *d, const char *group,
						 const char *version, const char *kind)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->res[i].kind, kind) && !strcmp(d->res[i].group, group) &&
		    (!version || !strcmp(d->res[i].version, version)))
			return &d->res[i];
	return NULL;
}

int gitops_kube_discovery_find(const struct gitops_kube_resource **out, struct gitops_kube_discovery *d,
			       const char *group, const char *version, const char *kind, struct gitops_err *err)
{
	const cJSON *f;
	char gv[320];

	*out = lookup(d, group, version, kind);
	if (*out)
		return 0;
	if (!d->fresh) {
		if (gitops_kube_discovery_refresh(d, err) < 0)
			return -1;
		if ((*out = lookup(d, group, version, kind)))
			return 0;
	}
	if (!version)
		return gitops_err_set(err, GITOPS_EXIT_REJECTED, "the server does not know kind %s%s%s", kind,
				      *group ? "." : "", group);
	snprintf(gv, sizeof(gv), "%s%s%s", group, *group ? "/" : "", version);
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(d->doc, "failed"))
	{
		const char *fg = gitops_json_get_string(f, "groupVersion", NULL);
		if (fg && !strcmp(fg, gv))
			return gitops_err_set(err, GITOPS_EXIT_UNREACHABLE, "%s: the server could not list this group version: %s",
					      gv, gitops_json_get_string(f, "error", NULL));
	}
	return gitops_err_set(err, GITOPS_EXIT_REJECTED, "the server does not know kind %s in %s (is its CRD installed?)",
			      kind, gv);
}

int gitops_kube_resource_can(const struct gitops_kube_resource *r, const char *verb)
{
	char pat[64];

	snprintf(pat, sizeof(pat), ",%s,", verb);
	return strstr(r->verbs, pat) != NULL;
}

void gitops_kube_discovery_free(struct gitops_kube_discovery *d)
{
	if (!d)
		return;
	cJSON_Delete(d->doc);
	cJSON_Delete(d->old);
	while (d->n_old)
		free(d->old_res[--d->n_old]);
	free(d->old_res);
	free(d->res);
	free(d->cache_path);
	free(d);
}
