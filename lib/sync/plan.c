#include "lib/sync/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sync/applyset.h"
#include "lib/kube/kube_rest.h"
#include "lib/k8s/order.h"
#include "lib/value/value.h"
#include "lib/value/jsonio.h"

int gitops_plan_item_init(struct gitops_plan_item *it, const struct gitops_object *obj, struct gitops_err *err)
{
	struct gitops_sync_info info;
	struct gitops_err ignore = GITOPS_ERR_INIT;

	memset(it, 0, sizeof(*it));
	it->obj = obj;
	if (gitops_object_id(&it->id, obj->json) < 0)
		return gitops_object_err(err, obj, GITOPS_EXIT_INPUT, "not a Kubernetes object");
	/* an invalid sync annotation is the apply's to refuse; here it is no hook */
	it->hook = gitops_order_classify(&info, obj->json, it->id.group, it->id.kind, &ignore) == 0 && info.hook;
	return 0;
}

void gitops_plan_item_release(struct gitops_plan_item *it)
{
	free(it->live_text);
	it->live_text = NULL;
}

int gitops_plan_is_crd(const struct gitops_id *id)
{
	return !strcmp(id->group, "apiextensions.k8s.io") && !strcmp(id->kind, "CustomResourceDefinition");
}

/* The CRD among the items that defines group/kind, or NULL. */
static const cJSON *crd_in_stream(struct gitops_plan_item *const *items, size_t n, const struct gitops_id *id)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *g, *k;
		if (!gitops_plan_is_crd(&items[i]->id))
			continue;
		g = gitops_json_get_string(items[i]->obj->json, "spec", "group", NULL);
		k = gitops_json_get_string(items[i]->obj->json, "spec", "names", "kind", NULL);
		if (g && k && !strcmp(g, id->group) && !strcmp(k, id->kind))
			return items[i]->obj->json;
	}
	return NULL;
}

int gitops_plan_resolve(struct gitops_plan_item *it, struct gitops_kube_discovery *d,
			struct gitops_plan_item *const *items, size_t n, const char *default_ns, struct gitops_err *err)
{
	struct gitops_err e = GITOPS_ERR_INIT;
	const char *own = it->id.namespace ? it->id.namespace : default_ns;
	const cJSON *crd;

	if (gitops_kube_discovery_find(&it->res, d, it->id.group, it->id.version, it->id.kind, &e) == 0) {
		if (!gitops_kube_resource_can(it->res, "patch"))
			gitops_err_set(&e, GITOPS_EXIT_REJECTED, "%s%s%s %s cannot be patched (no server-side apply)",
				       it->id.group, it->id.group[0] ? "/" : "", it->id.kind, it->id.name);
		it->namespaced = it->res->namespaced;
	} else if (e.code == GITOPS_EXIT_REJECTED && (crd = crd_in_stream(items, n, &it->id))) {
		/* not on the server yet: its CRD comes first in the same sync */
		const char *scope = gitops_json_get_string(crd, "spec", "scope", NULL);
		it->res = NULL;
		it->namespaced = !scope || strcmp(scope, "Cluster");
		e.code = 0;
	}
	if (e.code)
		return gitops_object_err(err, it->obj, e.code, "%s", e.msg);
	it->ns = it->namespaced ? own : NULL;
	return 0;
}

cJSON *gitops_plan_body(const struct gitops_plan_item *it, const char *set_id)
{
	cJSON *copy = cJSON_Duplicate(it->obj->json, 1), *meta;

	if (!copy)
		return NULL;
	meta = cJSON_GetObjectItemCaseSensitive(copy, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
	if ((it->ns && !cJSON_AddStringToObject(meta, "namespace", it->ns)) ||
	    (set_id && !it->hook && gitops_object_set_label(copy, GITOPS_APPLYSET_PART_OF, set_id) < 0)) {
		cJSON_Delete(copy);
		return NULL;
	}
	return copy;
}

int gitops_plan_apply_request(struct gitops_kube_request *q, const struct gitops_plan_item *it, const cJSON *body,
			      const struct gitops_plan_apply_options *o, struct gitops_err *err)
{
	if (gitops_kube_apply_request(q, it->res, it->ns, it->id.name, gitops_json_text(body), o->field_manager,
				      o->force, o->dry_run) < 0)
		return gitops_err_oom(err);
	q->where = gitops_object_provenance(it->obj->json); /* NULL: none, or out of memory (messages go without) */
	return 0;
}

static int same_place(const struct gitops_plan_item *a, const struct gitops_plan_item *b)
{
	return a->res && b->res && !strcmp(a->res->group, b->res->group) && !strcmp(a->res->resource, b->res->resource) &&
	       (!a->ns ? !b->ns : b->ns && !strcmp(a->ns, b->ns));
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct gitops_plan_item *const *)a)->id.name, (*(struct gitops_plan_item *const *)b)->id.name);
}

/*
 * A live object of the LIST: kept, as text, for the item of its name (a tree
 * of a 10,000-object namespace would be ten times its size).  The items of a
 * LIST carry no apiVersion and kind: added here.
 */
static int listed_one(void *ctx, size_t index, cJSON *e, struct gitops_err *err)
{
	struct gitops_plan_item *it = ((struct gitops_plan_item **)ctx)[index];
	char av[400];

	(void)err;
	snprintf(av, sizeof(av), "%s%s%s", it->id.group, it->id.group[0] ? "/" : "", it->id.version);
	if (!it->live_text &&
	    (cJSON_GetObjectItemCaseSensitive(e, "apiVersion") || cJSON_AddStringToObject(e, "apiVersion", av)) &&
	    (cJSON_GetObjectItemCaseSensitive(e, "kind") || cJSON_AddStringToObject(e, "kind", it->id.kind)) &&
	    !(it->live_text = gitops_json_text(e)))
		it->listed = 0; /* out of memory: a GET then */
	cJSON_Delete(e);
	return 0;
}

void gitops_plan_list_live(struct gitops_kube *k, struct gitops_plan_item *const *items, size_t n)
{
	char *done = calloc(n ? n : 1, 1);
	struct gitops_plan_item **place = calloc(n ? n : 1, sizeof(*place));
	const char **names = calloc(n ? n : 1, sizeof(*names));
	size_t i, j, count;

	for (i = 0; done && place && names && i < n; i++) {
		struct gitops_err ignore = GITOPS_ERR_INIT;
		if (done[i] || !items[i]->res || items[i]->listed)
			continue;
		for (count = 0, j = i; j < n; j++)
			if (!done[j] && same_place(items[i], items[j])) {
				place[count++] = items[j];
				done[j] = 1;
			}
		if (count < GITOPS_PLAN_LIST_FROM || !gitops_kube_resource_can(items[i]->res, "list"))
			continue; /* a GET each, then */
		qsort(place, count, sizeof(*place), by_name);
		for (j = 0; j < count; j++) {
			place[j]->listed = 1;
			names[j] = place[j]->id.name;
		}
		if (gitops_kube_list_named(k, items[i]->res, items[i]->ns, names, count, listed_one, place, &ignore) < 0)
			for (j = 0; j < count; j++) {
				/* the LIST failed half way: a GET each */
				place[j]->listed = 0;
				gitops_plan_item_release(place[j]);
			}
	}
	free(done);
	free(place);
	free(names);
}

int gitops_plan_get_live(struct gitops_kube *k, struct gitops_plan_item *const *items, size_t n,
			 struct gitops_err *err)
{
	static const long ok404[] = { 404, 0 };
	struct gitops_kube_request *reqs = calloc(n ? n : 1, sizeof(*reqs));
	struct gitops_plan_item **of = calloc(n ? n : 1, sizeof(*of));
	struct gitops_err ignore = GITOPS_ERR_INIT;
	size_t i, m = 0;
	int ret = 0;

	if (!reqs || !of) {
		ret = gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct gitops_plan_item *it = items[i];
		if (!it->res || it->listed || it->failed)
			continue;
		reqs[m].method = "GET";
		reqs[m].what = it->what;
		if (!(reqs[m].path = gitops_kube_path(it->res, it->ns, it->id.name, NULL))) {
			ret = gitops_err_oom(err);
			goto done;
		}
		of[m++] = it;
	}
	gitops_kube_run(k, reqs, m, ok404, &ignore);
	for (i = 0; i < m; i++) {
		if (reqs[i].failed) {
			of[i]->failed = 1;
			of[i]->err = reqs[i].err;
		} else if (reqs[i].status != 404) {
			of[i]->live_text = gitops_buf_detach(&reqs[i].response);
		}
	}
done:
	for (i = 0; reqs && i < m; i++)
		gitops_kube_request_release(&reqs[i]);
	free(reqs);
	free(of);
	return ret;
}

/* --- in sync without a dry run --- */

/* The fields `manager` owns by server-side apply (FieldsV1), when that is all it owns, in `api_version`. */
static const cJSON *applied_fields(const cJSON *live, const char *manager, const char *api_version)
{
	const cJSON *e, *found = NULL;

	cJSON_ArrayForEach(e, gitops_json_get(live, "metadata", "managedFields", NULL))
	{
		const char *m = gitops_json_get_string(e, "manager", NULL), *op = gitops_json_get_string(e, "operation", NULL);
		const char *sub = gitops_json_get_string(e, "subresource", NULL), *av = gitops_json_get_string(e, "apiVersion", NULL);
		const char *type = gitops_json_get_string(e, "fieldsType", NULL);
		if (!m || strcmp(m, manager) || (sub && *sub))
			continue;
		if (found || !op || strcmp(op, "Apply") || !av || strcmp(av, api_version) || !type || strcmp(type, "FieldsV1"))
			return NULL; /* two entries, an Update, another version: the server knows best */
		found = cJSON_GetObjectItemCaseSensitive(e, "fieldsV1");
	}
	return cJSON_IsObject(found) ? found : NULL;
}

/* A FieldsV1 node that names members ("f:", "k:", "v:", "i:"), not only itself ("."). */
static int has_members(const cJSON *fs)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, fs)
		if (strcmp(c->string, "."))
			return 1;
	return 0;
}

/* Does the list element match the path element "k:{...}", "v:..." or "i:N" of FieldsV1? -1: cannot tell. */
static int element_matches(const cJSON *elem, size_t index, const char *pe)
{
	cJSON *v, *kv;
	int ret = 1;

	if (!strncmp(pe, "i:", 2)) {
		char *end;
		unsigned long i = strtoul(pe + 2, &end, 10);
		return *end ? -1 : i == index;
	}
	if (strncmp(pe, "k:", 2) && strncmp(pe, "v:", 2))
		return -1;
	if (!(v = gitops_json_read(pe + 2, strlen(pe + 2))))
		return -1;
	if (pe[0] == 'v')
		ret = gitops_value_equal(v, elem);
	else if (!cJSON_IsObject(v) || !cJSON_IsObject(elem))
		ret = -1;
	else
		cJSON_ArrayForEach(kv, v)
			if (!gitops_value_equal(kv, cJSON_GetObjectItemCaseSensitive(elem, kv->string)))
				ret = 0;
	cJSON_Delete(v);
	return ret;
}

/* The one element of list that matches pe (NULL: none, or more than one); its index in *at. */
static const cJSON *element_of(const cJSON *list, const char *pe, size_t *at)
{
	const cJSON *e, *found = NULL;
	size_t i = 0;

	cJSON_ArrayForEach(e, list)
	{
		int m = element_matches(e, i, pe);
		if (m < 0 || (m && found))
			return NULL;
		if (m) {
			found = e;
			*at = i;
		}
		i++;
	}
	return found;
}

/*
 * Does applying c (the manifest's value at some path) change nothing, given fs (what the
 * field manager owns there) and live (the live value)?  Only a certain yes is 1: every
 * field of c owned by the manager and equal in live, and every field the manager owns
 * still in c (else the apply would remove it).
 */
static int unchanged_by(const cJSON *fs, const cJSON *c, const cJSON *live, int depth)
{
	const cJSON *x;

	if (!fs || !c || !live || depth > 100 || cJSON_IsNull(c))
		return 0;
	if (!has_members(fs)) /* owned whole (an atomic list or mapping, a scalar): equal or not */
		return gitops_value_equal(c, live);
	if (cJSON_IsObject(c)) {
		char key[320];
		if (!cJSON_IsObject(live) || !c->child)
			return 0;
		cJSON_ArrayForEach(x, c)
		{
			snprintf(key, sizeof(key), "f:%s", x->string);
			if (strlen(x->string) > sizeof(key) - 3 ||
			    !unchanged_by(cJSON_GetObjectItemCaseSensitive(fs, key), x,
					  cJSON_GetObjectItemCaseSensitive(live, x->string), depth + 1))
				return 0;
		}
		cJSON_ArrayForEach(x, fs)
			if (strcmp(x->string, ".") && (strncmp(x->string, "f:", 2) ||
						       !cJSON_GetObjectItemCaseSensitive(c, x->string + 2)))
				return 0;
		return 1;
	}
	if (cJSON_IsArray(c)) {
		/* an associative list or a set: each element of c is exactly one owned element */
		int n = cJSON_GetArraySize(c), owned = 0;
		char *seen = calloc((size_t)n + 1, 1);
		int ret = seen && cJSON_IsArray(live);
		cJSON_ArrayForEach(x, fs)
		{
			const cJSON *ce, *le;
			size_t ci = 0, li = 0;
			if (!ret || !strcmp(x->string, "."))
				continue;
			owned++;
			ce = element_of(c, x->string, &ci);
			le = element_of(live, x->string, &li);
			if (!ce || !le || seen[ci] ||
			    (x->string[0] == 'v' ? !gitops_value_equal(ce, le) : !unchanged_by(x, ce, le, depth + 1)))
				ret = 0;
			else
				seen[ci] = 1;
		}
		free(seen);
		return ret && owned == n;
	}
	return 0;
}

int gitops_plan_unchanged(const cJSON *body, const cJSON *live, const char *manager)
{
	const char *av = gitops_json_get_string(body, "apiVersion", NULL);
	const cJSON *fs = av ? applied_fields(live, manager, av) : NULL;
	cJSON *c, *meta;
	int ret;

	if (!fs || !(c = cJSON_Duplicate(body, 1)))
		return 0;
	cJSON_DeleteItemFromObjectCaseSensitive(c, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "kind");
	meta = cJSON_GetObjectItemCaseSensitive(c, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "name");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
	if (cJSON_IsObject(meta) && !meta->child)
		cJSON_DeleteItemFromObjectCaseSensitive(c, "metadata");
	ret = c->child ? unchanged_by(fs, c, live, 0) : 0;
	cJSON_Delete(c);
	return ret;
}


int gitops_plan_keep_revision(cJSON *body, const cJSON *live, const char *manager)
{
	static const char key[] = "gitops.dev/revision";
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "metadata"), "annotations");
	cJSON *mine = cJSON_GetObjectItemCaseSensitive(ann, key);
	const cJSON *theirs = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(live, "metadata"), "annotations"), key);
	char *saved;

	if (!cJSON_IsString(mine) || !cJSON_IsString(theirs) || !strcmp(mine->valuestring, theirs->valuestring))
		return 0;
	/* live's revision in; back again unless that proves the apply a no-op */
	if (!(saved = strdup(mine->valuestring)) || !cJSON_SetValuestring(mine, theirs->valuestring)) {
		free(saved);
		return -1;
	}
	if (gitops_plan_unchanged(body, live, manager)) {
		free(saved);
		return 1;
	}
	if (!cJSON_SetValuestring(mine, saved)) {
		free(saved);
		return -1;
	}
	free(saved);
	return 0;
}
