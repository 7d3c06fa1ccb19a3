#include "lib/apply.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/kube_rest.h"
#include "lib/object.h"

enum { STEP_NAMESPACES, STEP_CRDS, STEP_REST, N_STEPS };

struct item {
	struct gitops_object *obj;
	struct gitops_id id;
	const struct gitops_kube_resource *res;   /* NULL until resolved */
	int step;
	int deferred;                              /* its kind comes from a CRD of this stream */
	struct gitops_apply_result result;
	char *rv_before;
	cJSON *live_before;
	int prefetched;                            /* live_before came from a LIST */
};

#define LIST_FROM 8   /* this many objects of one kind in one namespace: one LIST instead of a GET each */

static int is_crd(const struct gitops_id *id)
{
	return !strcmp(id->group, "apiextensions.k8s.io") && !strcmp(id->kind, "CustomResourceDefinition");
}

/* Does a CRD among the objects define group/kind? */
static int defined_by_stream(const struct item *items, size_t n, const struct gitops_id *id)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *g, *k;
		if (!is_crd(&items[i].id))
			continue;
		g = gitops_json_get_string(items[i].obj->json, "spec", "group", NULL);
		k = gitops_json_get_string(items[i].obj->json, "spec", "names", "kind", NULL);
		if (g && k && !strcmp(g, id->group) && !strcmp(k, id->kind))
			return 1;
	}
	return 0;
}

static void display_name(struct item *it)
{
	char kind[128];
	size_t i;

	snprintf(kind, sizeof(kind), "%s", it->id.kind);
	for (i = 0; kind[i]; i++)
		kind[i] = (char)tolower((unsigned char)kind[i]);
	snprintf(it->result.name, sizeof(it->result.name), "%s%s%s/%s", kind, it->id.group[0] ? "." : "", it->id.group,
		 it->id.name);
}

static char *object_path(const struct item *it, const char *ns, int with_name)
{
	return gitops_kube_path(it->res, ns, with_name ? it->id.name : NULL, NULL);
}

static const char *ns_of(const struct item *it, const struct gitops_apply_options *o)
{
	return it->id.namespace ? it->id.namespace : o->namespace;
}

/* The body: the object, with the namespace made explicit (or dropped for cluster-scoped kinds). */
static char *apply_body(const struct item *it, const struct gitops_apply_options *o)
{
	cJSON *copy = cJSON_Duplicate(it->obj->json, 1), *meta;
	char *s;

	if (!copy)
		return NULL;
	meta = cJSON_GetObjectItemCaseSensitive(copy, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
	if (it->res->namespaced)
		cJSON_AddStringToObject(meta, "namespace", ns_of(it, o));
	s = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	return s;
}

/* Equal but for what every write changes. */
static int same_object(cJSON *a, cJSON *b)
{
	static const char *const noise[] = { "managedFields", "resourceVersion", "generation", NULL };
	const char *const *k;
	int eq;
	cJSON *x = cJSON_Duplicate(a, 1), *y = cJSON_Duplicate(b, 1);

	for (k = noise; *k; k++) {
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(x, "metadata"), *k);
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(y, "metadata"), *k);
	}
	/* the items of a LIST carry no apiVersion and kind */
	cJSON_DeleteItemFromObjectCaseSensitive(x, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(x, "kind");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "kind");
	eq = cJSON_Compare(x, y, 1);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return eq;
}

static int resolve(struct gitops_kube_discovery *d, struct item *it, struct gitops_err *err)
{
	if (gitops_kube_discovery_find(d, it->id.group, it->id.version, it->id.kind, &it->res, err) < 0)
		return -1;
	if (!gitops_kube_resource_can(it->res, "patch"))
		return gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s/%s %s cannot be patched (no server-side apply)",
				      it->id.group, it->id.kind, it->id.name);
	return 0;
}

static int wait_established(struct gitops_kube *k, struct item *it, long timeout_ms, struct gitops_err *err)
{
	struct timespec ts = { 0, 200 * 1000000L };
	long waited = 0;

	for (;;) {
		cJSON *crd, *c;
		int ok = 0;

		if (gitops_kube_get(k, it->res, NULL, it->id.name, &crd, err) < 0)
			return -1;
		cJSON_ArrayForEach(c, gitops_json_get(crd, "status", "conditions", NULL))
		{
			const char *t = gitops_json_get_string(c, "type", NULL), *s = gitops_json_get_string(c, "status", NULL);
			if (t && s && !strcmp(t, "Established") && !strcmp(s, "True"))
				ok = 1;
		}
		cJSON_Delete(crd);
		if (ok)
			return 0;
		if (waited >= timeout_ms)
			return gitops_err_set(err, GITOPS_EXIT_UNHEALTHY, "%s: not Established after %ld s", it->result.name,
					      timeout_ms / 1000);
		nanosleep(&ts, NULL);
		waited += 200;
	}
}

static int ns_in_stream(const char *const *names, size_t n, const char *ns)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], ns))
			return 1;
	return 0;
}

/* Run the requests that have a method; the others are left as they are. */
static int run_subset(struct gitops_kube *k, struct gitops_kube_request *reqs, size_t n, const long *ok,
		      struct gitops_err *err)
{
	struct gitops_kube_request *run = calloc(n ? n : 1, sizeof(*run));
	size_t *map = calloc(n ? n : 1, sizeof(*map)), m = 0, i;
	int ret;

	if (!run || !map) {
		free(run);
		free(map);
		return gitops_err_oom(err);
	}
	for (i = 0; i < n; i++)
		if (reqs[i].method) {
			run[m] = reqs[i];
			map[m++] = i;
		}
	ret = gitops_kube_run(k, run, m, ok, err);
	for (i = 0; i < m; i++)
		reqs[map[i]] = run[i];
	free(run);
	free(map);
	return ret;
}

static void set_live(struct item *it, cJSON *live)
{
	const char *rv = gitops_json_get_string(live, "metadata", "resourceVersion", NULL);

	it->live_before = live;
	it->rv_before = strdup(rv ? rv : "");
}

/* Many objects of one kind in one namespace: what is live comes from one LIST, not a GET each. */
static void prefetch(struct gitops_kube *k, struct item **step, size_t n, const struct gitops_apply_options *o)
{
	size_t i, j, count;

	for (i = 0; i < n; i++) {
		const char *ns = ns_of(step[i], o);
		cJSON *items = NULL, *e;
		struct gitops_err ignore = GITOPS_ERR_INIT;
		if (step[i]->prefetched)
			continue;
		for (count = 0, j = i; j < n; j++)
			count += step[j]->res == step[i]->res && (!step[i]->res->namespaced || !strcmp(ns_of(step[j], o), ns));
		if (count < LIST_FROM ||
		    gitops_kube_list(k, step[i]->res, step[i]->res->namespaced ? ns : NULL, NULL, 500, &items, &ignore) < 0)
			continue; /* a GET each, then */
		for (j = i; j < n; j++) {
			if (step[j]->res != step[i]->res || (step[i]->res->namespaced && strcmp(ns_of(step[j], o), ns)))
				continue;
			step[j]->prefetched = 1;
			cJSON_ArrayForEach(e, items)
			{
				const char *name = gitops_json_get_string(e, "metadata", "name", NULL);
				if (name && !strcmp(name, step[j]->id.name)) {
					set_live(step[j], cJSON_Duplicate(e, 1));
					break;
				}
			}
		}
		cJSON_Delete(items);
	}
}

static int run_step(struct gitops_kube *k, struct item **step, size_t n, const struct gitops_apply_options *o,
		    const char *const *step_ns, size_t n_step_ns, gitops_apply_report_fn report, void *ctx,
		    struct gitops_err *err)
{
	struct gitops_kube_request *get = calloc(n ? n : 1, sizeof(*get)), *put = calloc(n ? n : 1, sizeof(*put));
	static const long ok404[] = { 404, 0 };
	struct gitops_buf q = GITOPS_BUF_INIT;
	size_t i;
	int ret = 0;

	if (!get || !put) {
		free(get);
		free(put);
		return gitops_err_oom(err);
	}
	gitops_buf_printf(&q, "?fieldManager=%s%s%s", o->field_manager, o->force_conflicts ? "&force=true" : "",
			  o->dry_run ? "&dryRun=All" : "");
	prefetch(k, step, n, o);
	for (i = 0; i < n; i++) {
		if (step[i]->prefetched)
			continue;
		get[i].method = "GET";
		get[i].path = object_path(step[i], ns_of(step[i], o), 1);
		get[i].what = step[i]->result.name;
	}
	run_subset(k, get, n, ok404, err);
	for (i = 0; i < n; i++) {
		struct gitops_buf p = GITOPS_BUF_INIT;
		char *base = object_path(step[i], ns_of(step[i], o), 1);
		if (!step[i]->prefetched && !get[i].failed && get[i].status == 200)
			set_live(step[i], cJSON_ParseWithLength(get[i].response.data, get[i].response.len));
		gitops_buf_printf(&p, "%s%s", base, q.data);
		free(base);
		put[i].method = "PATCH";
		put[i].path = gitops_buf_detach(&p);
		put[i].content_type = "application/apply-patch+yaml";
		put[i].body = apply_body(step[i], o);
		put[i].body_len = put[i].body ? strlen(put[i].body) : 0;
		put[i].what = step[i]->result.name;
		if (get[i].failed)
			put[i].method = NULL; /* the GET said enough */
	}
	/* only the objects whose GET worked are applied */
	run_subset(k, put, n, NULL, err);
	for (i = 0; i < n; i++) {
		struct item *it = step[i];
		struct gitops_kube_request *r = put[i].method ? &put[i] : &get[i];
		if (r->failed && o->dry_run && r->status == 404 && it->res->namespaced && !it->live_before &&
		    ns_in_stream(step_ns, n_step_ns, ns_of(it, o))) {
			/* its namespace is created by the stream: the server cannot check it in a dry run */
			it->result.outcome = GITOPS_APPLY_CREATED;
			it->result.unchecked = 1;
		} else if (r->failed) {
			it->result.outcome = GITOPS_APPLY_FAILED;
			it->result.err = r->err;
			if (ret == 0) {
				*err = r->err;
				ret = -1;
			}
		} else if (!it->live_before) {
			it->result.outcome = GITOPS_APPLY_CREATED;
		} else {
			cJSON *after = cJSON_ParseWithLength(r->response.data, r->response.len);
			const char *rv = gitops_json_get_string(after, "metadata", "resourceVersion", NULL);
			int same = o->dry_run ? same_object(it->live_before, after) : (rv && !strcmp(rv, it->rv_before));
			it->result.outcome = same ? GITOPS_APPLY_UNCHANGED : GITOPS_APPLY_CONFIGURED;
			cJSON_Delete(after);
		}
		if (report)
			report(ctx, &it->result);
	}
	for (i = 0; i < n; i++) {
		gitops_kube_request_release(&get[i]);
		gitops_kube_request_release(&put[i]);
	}
	free(get);
	free(put);
	gitops_buf_release(&q);
	return ret;
}

int gitops_apply(struct gitops_kube *k, struct gitops_kube_discovery *d, struct gitops_object *objs, size_t n,
		 const struct gitops_apply_options *opts, gitops_apply_report_fn report, void *ctx,
		 struct gitops_err *err)
{
	struct gitops_apply_options def = GITOPS_APPLY_OPTIONS_INIT;
	struct item *items = calloc(n ? n : 1, sizeof(*items));
	struct item **step = calloc(n ? n : 1, sizeof(*step));
	const char **stream_ns = calloc(n ? n : 1, sizeof(*stream_ns));
	size_t i, n_stream_ns = 0;
	int s, ret = -1;

	if (!opts)
		opts = &def;
	if (!items || !step || !stream_ns) {
		gitops_err_oom(err);
		goto done;
	}
	/* everything is checked and resolved before anything is sent */
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		it->obj = &objs[i];
		if (gitops_object_id(objs[i].json, &it->id) < 0) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: not a Kubernetes object", objs[i].source,
				       objs[i].line, objs[i].doc);
			goto done;
		}
		display_name(it);
		snprintf(it->result.ns, sizeof(it->result.ns), "%s", it->id.namespace ? it->id.namespace : "");
		/* (namespaced kinds without one get opts->namespace once their scope is known) */
		it->step = !it->id.group[0] && !strcmp(it->id.kind, "Namespace") ? STEP_NAMESPACES :
			   is_crd(&it->id) ? STEP_CRDS : STEP_REST;
	}
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		struct gitops_err e = GITOPS_ERR_INIT;
		if (resolve(d, it, &e) == 0)
			continue;
		if (defined_by_stream(items, n, &it->id) && e.code == GITOPS_EXIT_REJECTED) {
			it->deferred = 1;
			continue;
		}
		gitops_err_set(err, e.code, "%s:%zu: document %zu: %s", it->obj->source, it->obj->line, it->obj->doc, e.msg);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (items[i].step == STEP_NAMESPACES)
			stream_ns[n_stream_ns++] = items[i].id.name;
	for (s = 0; s < N_STEPS; s++) {
		size_t m = 0;
		for (i = 0; i < n; i++) {
			if (items[i].step != s)
				continue;
			if (items[i].deferred && opts->dry_run) {
				/* its CRD is only in the stream: nothing on the server can check it */
				items[i].result.outcome = GITOPS_APPLY_CREATED;
				items[i].result.unchecked = 1;
				if (report)
					report(ctx, &items[i].result);
				continue;
			}
			if (resolve(d, &items[i], err) < 0) {
				char msg[GITOPS_ERR_MSG_MAX];
				snprintf(msg, sizeof(msg), "%s", err->msg);
				gitops_err_set(err, err->code, "%s:%zu: document %zu: %s", items[i].obj->source,
					       items[i].obj->line, items[i].obj->doc, msg);
				goto done;
			}
			if (items[i].res->namespaced && !items[i].result.ns[0])
				snprintf(items[i].result.ns, sizeof(items[i].result.ns), "%s", opts->namespace);
			step[m++] = &items[i];
		}
		if (m && run_step(k, step, m, opts, stream_ns, n_stream_ns, report, ctx, err) < 0)
			goto done;
		if (s == STEP_CRDS && m && !opts->dry_run) {
			for (i = 0; i < m; i++)
				if (wait_established(k, step[i], opts->establish_timeout_ms, err) < 0)
					goto done;
			if (gitops_kube_discovery_refresh(d, err) < 0)
				goto done;
		}
	}
	ret = 0;
done:
	for (i = 0; items && i < n; i++) {
		free(items[i].rv_before);
		cJSON_Delete(items[i].live_before);
	}
	free(items);
	free(step);
	free(stream_ns);
	return ret;
}
