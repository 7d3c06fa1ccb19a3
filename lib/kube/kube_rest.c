#include "lib/kube/kube_rest.h"

#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "lib/base/buf.h"
#include "lib/k8s/object.h"
#include "lib/value/jsonio.h"

char *gitops_kube_path(const struct gitops_kube_resource *r, const char *ns, const char *name, const char *sub)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (r->group[0])
		gitops_buf_printf(&b, "/apis/%s/%s", r->group, r->version);
	else
		gitops_buf_printf(&b, "/api/%s", r->version);
	if (r->namespaced && ns && *ns)
		gitops_buf_printf(&b, "/namespaces/%s", ns);
	gitops_buf_printf(&b, "/%s", r->resource);
	if (name)
		gitops_buf_printf(&b, "/%s", name);
	if (sub)
		gitops_buf_printf(&b, "/%s", sub);
	return gitops_buf_detach(&b);
}

static void what(char *buf, size_t size, const struct gitops_kube_resource *r, const char *ns, const char *name)
{
	snprintf(buf, size, "%s%s%s %s%s%s", r->resource, r->group[0] ? "." : "", r->group, r->namespaced && ns ? ns : "",
		 r->namespaced && ns ? "/" : "", name ? name : "");
}

static int parse_answer(const struct gitops_kube_request *q, cJSON **out, struct gitops_err *err)
{
	*out = gitops_json_read(q->response.data, q->response.len);
	if (!*out)
		return gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: the server's answer is not JSON", q->what);
	return 0;
}

int gitops_kube_get(cJSON **out, struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
		    const char *name, struct gitops_err *err)
{
	static const long ok404[] = { 404, 0 };
	struct gitops_kube_request q;
	char w[600];
	int ret;

	*out = NULL;
	memset(&q, 0, sizeof(q));
	what(w, sizeof(w), r, ns, name);
	q.method = "GET";
	q.path = gitops_kube_path(r, ns, name, NULL);
	q.what = w;
	ret = gitops_kube_do(k, &q, ok404, err);
	if (ret == 0 && q.status != 404)
		ret = parse_answer(&q, out, err);
	gitops_kube_request_release(&q);
	return ret;
}

int gitops_kube_list_each(struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
			  const char *label_selector, int limit, gitops_kube_item_fn fn, void *ctx, struct gitops_err *err)
{
	char *cont = NULL, w[600];
	int ret = -1;

	what(w, sizeof(w), r, ns, NULL);
	do {
		struct gitops_kube_request q;
		struct gitops_buf p = GITOPS_BUF_INIT;
		char *base = gitops_kube_path(r, ns, NULL, NULL), *esc;
		cJSON *page, *it;
		const char *next;

		gitops_buf_printf(&p, "%s?limit=%d", base, limit > 0 ? limit : 500);
		free(base);
		if (label_selector && *label_selector) {
			esc = curl_easy_escape(NULL, label_selector, 0);
			gitops_buf_printf(&p, "&labelSelector=%s", esc ? esc : "");
			curl_free(esc);
		}
		if (cont) {
			esc = curl_easy_escape(NULL, cont, 0);
			gitops_buf_printf(&p, "&continue=%s", esc ? esc : "");
			curl_free(esc);
		}
		memset(&q, 0, sizeof(q));
		q.method = "GET";
		q.path = gitops_buf_detach(&p);
		q.what = w;
		if (gitops_kube_do(k, &q, NULL, err) < 0 || parse_answer(&q, &page, err) < 0) {
			gitops_kube_request_release(&q);
			goto done;
		}
		gitops_kube_request_release(&q);
		while ((it = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(page, "items"), 0))) {
			if (fn(ctx, it, err) < 0) {
				cJSON_Delete(page);
				goto done;
			}
		}
		next = gitops_json_get_string(page, "metadata", "continue", NULL);
		free(cont);
		cont = next && *next ? strdup(next) : NULL;
		cJSON_Delete(page);
	} while (cont);
	ret = 0;
done:
	free(cont);
	return ret;
}

static int collect(void *ctx, cJSON *item, struct gitops_err *err)
{
	(void)err;
	cJSON_AddItemToArray(ctx, item);
	return 0;
}

int gitops_kube_list(cJSON **out, struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
		     const char *label_selector, int limit, struct gitops_err *err)
{
	cJSON *items = cJSON_CreateArray();

	*out = NULL;
	if (!items)
		return gitops_err_oom(err);
	if (gitops_kube_list_each(k, r, ns, label_selector, limit, collect, items, err) < 0) {
		cJSON_Delete(items);
		return -1;
	}
	*out = items;
	return 0;
}

struct named {
	const char *const *names;
	size_t n;
	gitops_kube_named_fn fn;
	void *ctx;
};

static int name_cmp(const void *key, const void *e)
{
	return strcmp(key, *(const char *const *)e);
}

static int named_one(void *ctx, cJSON *item, struct gitops_err *err)
{
	struct named *l = ctx;
	const char *name = gitops_json_get_string(item, "metadata", "name", NULL);
	const char *const *at = name ? bsearch(name, l->names, l->n, sizeof(*l->names), name_cmp) : NULL;

	if (!at) {
		cJSON_Delete(item);
		return 0;
	}
	return l->fn(l->ctx, (size_t)(at - l->names), item, err);
}

int gitops_kube_list_named(struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
			   const char *const *names, size_t n, gitops_kube_named_fn fn, void *ctx, struct gitops_err *err)
{
	struct named l = { names, n, fn, ctx };

	return gitops_kube_list_each(k, r, ns, NULL, 500, named_one, &l, err);
}

int gitops_kube_apply_request(struct gitops_kube_request *q, const struct gitops_kube_resource *r, const char *ns,
			      const char *name, char *body, const char *field_manager, int force, int dry_run)
{
	struct gitops_buf p = GITOPS_BUF_INIT;
	char *base = gitops_kube_path(r, ns, name, NULL), *mgr = curl_easy_escape(NULL, field_manager, 0);

	memset(q, 0, sizeof(*q));
	if (base && mgr) {
		gitops_buf_printf(&p, "%s?fieldManager=%s%s%s", base, mgr, force ? "&force=true" : "",
				  dry_run ? "&dryRun=All" : "");
		q->path = gitops_buf_detach(&p);
	}
	free(base);
	curl_free(mgr);
	q->method = "PATCH";
	q->content_type = GITOPS_KUBE_APPLY_PATCH;
	q->body = body;
	q->body_len = body ? strlen(body) : 0;
	return q->path && q->body ? 0 : -1;
}

int gitops_kube_delete_request(struct gitops_kube_request *q, const struct gitops_kube_resource *r, const char *ns,
			       const char *name, const char *propagation, int dry_run)
{
	cJSON *opts = cJSON_CreateObject();

	memset(q, 0, sizeof(*q));
	if (!opts)
		return -1;
	/* with a body, the server reads every option from it alone, dryRun included */
	cJSON_AddStringToObject(opts, "apiVersion", "v1");
	cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
	if (propagation)
		cJSON_AddStringToObject(opts, "propagationPolicy", propagation);
	if (dry_run)
		cJSON_AddItemToObject(opts, "dryRun", cJSON_CreateStringArray((const char *const[]){ "All" }, 1));
	q->method = "DELETE";
	q->path = gitops_kube_path(r, ns, name, NULL);
	q->content_type = "application/json";
	q->body = gitops_json_text(opts);
	q->body_len = q->body ? strlen(q->body) : 0;
	cJSON_Delete(opts);
	return q->body && q->path ? 0 : -1;
}

int gitops_kube_delete(struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns, const char *name,
		       const char *propagation, int dry_run, int *existed, struct gitops_err *err)
{
	static const long ok404[] = { 404, 0 };
	struct gitops_kube_request q;
	char w[600];
	int ret;

	what(w, sizeof(w), r, ns, name);
	if (gitops_kube_delete_request(&q, r, ns, name, propagation, dry_run) < 0) {
		gitops_kube_request_release(&q);
		return gitops_err_oom(err);
	}
	q.what = w;
	ret = gitops_kube_do(k, &q, ok404, err);
	if (existed)
		*existed = ret == 0 && q.status != 404;
	gitops_kube_request_release(&q);
	return ret;
}

int gitops_kube_patch_status(struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
			     const char *name, const cJSON *patch, cJSON **out, struct gitops_err *err)
{
	struct gitops_kube_request q;
	char w[600];
	int ret;

	if (out)
		*out = NULL;
	if (!r->has_status)
		return gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s has no status subresource", r->resource);
	memset(&q, 0, sizeof(q));
	what(w, sizeof(w), r, ns, name);
	q.method = "PATCH";
	q.path = gitops_kube_path(r, ns, name, "status");
	q.content_type = "application/merge-patch+json";
	q.body = gitops_json_text(patch);
	q.body_len = q.body ? strlen(q.body) : 0;
	q.what = w;
	ret = gitops_kube_do(k, &q, NULL, err);
	if (ret == 0 && out)
		ret = parse_answer(&q, out, err);
	gitops_kube_request_release(&q);
	return ret;
}
