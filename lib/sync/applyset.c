#include "lib/sync/applyset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/enc.h"
#include "lib/kube/kube_rest.h"
#include "lib/k8s/object.h"
#include "lib/k8s/order.h"
#include "lib/value/jsonio.h"

#define ANN_TOOLING "applyset.kubernetes.io/tooling"
#define ANN_GKS "applyset.kubernetes.io/contains-group-kinds"
#define ANN_NSS "applyset.kubernetes.io/additional-namespaces"

/* A sorted set of strings. */
struct strset {
	char **v;
	size_t n, cap;
};

static int strset_add(struct strset *s, const char *str, size_t len)
{
	char *copy = strndup(str, len);
	size_t at = 0;

	if (!copy)
		return -1;
	while (at < s->n && strcmp(s->v[at], copy) < 0)
		at++;
	if (at < s->n && !strcmp(s->v[at], copy)) {
		free(copy);
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **p = realloc(s->v, cap * sizeof(*p));
		if (!p) {
			free(copy);
			return -1;
		}
		s->v = p;
		s->cap = cap;
	}
	memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof(*s->v));
	s->v[at] = copy;
	s->n++;
	return 0;
}

static int strset_add_csv(struct strset *s, const char *csv)
{
	while (csv && *csv) {
		const char *e = strchr(csv, ',');
		size_t len = e ? (size_t)(e - csv) : strlen(csv);
		if (len && strset_add(s, csv, len) < 0)
			return -1;
		csv += len + (e ? 1 : 0);
	}
	return 0;
}

static void strset_release(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static char *strset_join(const struct strset *a, const struct strset *b, const char *skip)
{
	struct strset u = { NULL, 0, 0 };
	struct gitops_buf out = GITOPS_BUF_INIT;
	size_t i;

	for (i = 0; a && i < a->n; i++)
		strset_add(&u, a->v[i], strlen(a->v[i]));
	for (i = 0; b && i < b->n; i++)
		strset_add(&u, b->v[i], strlen(b->v[i]));
	gitops_buf_addstr(&out, "");
	for (i = 0; i < u.n; i++)
		if (!skip || strcmp(u.v[i], skip))
			gitops_buf_printf(&out, "%s%s", out.len ? "," : "", u.v[i]);
	strset_release(&u);
	return gitops_buf_detach(&out);
}

struct gitops_applyset {
	char *name, *ns, *tooling;
	char id[64];
	int exists;
	struct strset rec_gks, rec_nss;   /* recorded on the live parent */
	struct strset gks, nss;           /* added by this run */
};

int gitops_applyset_id(char *id, size_t size, const char *name, const char *ns, struct gitops_err *err)
{
	unsigned char md[GITOPS_SHA256_LEN];
	char key[600], *b64 = NULL;

	snprintf(key, sizeof(key), "%s.%s.Secret.", name, ns);
	if (gitops_sha256(md, key, strlen(key)) < 0 ||
	    gitops_base64_encode(&b64, md, sizeof(md), GITOPS_BASE64_URL | GITOPS_BASE64_NOPAD) < 0)
		return gitops_err_oom(err);
	snprintf(id, size, "applyset-%s-v1", b64);
	free(b64);
	return 0;
}

static const struct gitops_kube_resource secrets = { "", "v1", "Secret", "secrets", 1, 0, ",get,list,patch," };

int gitops_applyset_open(struct gitops_applyset **out, struct gitops_kube *k, const char *name, const char *ns,
			 const char *tooling, struct gitops_err *err)
{
	struct gitops_applyset *s = calloc(1, sizeof(*s));
	cJSON *parent = NULL;
	int ret = -1;

	*out = NULL;
	if (!s || !(s->name = strdup(name)) || !(s->ns = strdup(ns)) || !(s->tooling = strdup(tooling))) {
		gitops_err_oom(err);
		goto done;
	}
	if (gitops_applyset_id(s->id, sizeof(s->id), name, ns, err) < 0)
		goto done;
	if (gitops_kube_get(&parent, k, &secrets, ns, name, err) < 0)
		goto done;
	if (parent) {
		const char *id = gitops_object_label(parent, GITOPS_APPLYSET_ID_LABEL);
		const char *tool = gitops_object_annotation(parent, ANN_TOOLING);
		size_t tl = tool ? strcspn(tool, "/") : 0;
		if (!id || strcmp(id, s->id)) {
			gitops_err_set(err, GITOPS_EXIT_UNSAFE,
				       "secret %s/%s exists and is not the parent of applyset %s (its label %s is %s%s%s)", ns,
				       name, name, GITOPS_APPLYSET_ID_LABEL, id ? "'" : "", id ? id : "missing", id ? "'" : "");
			goto done;
		}
		if (!tool) {
			/* KEP-3659: a parent must say which tool manages it; kubectl refuses one that does not */
			gitops_err_set(err, GITOPS_EXIT_UNSAFE, "applyset %s/%s has no %s annotation: not adopting a set "
				       "no tool claims", ns, name, ANN_TOOLING);
			goto done;
		}
		if (!((tl == 6 && !strncmp(tool, "gitops", 6)) || (tl == 7 && !strncmp(tool, "kubectl", 7)))) {
			gitops_err_set(err, GITOPS_EXIT_UNSAFE, "applyset %s/%s is managed by '%s', not by gitops or kubectl",
				       ns, name, tool);
			goto done;
		}
		free(s->tooling);
		if (!(s->tooling = strdup(tool))) {
			gitops_err_oom(err);
			goto done;
		}
		s->exists = 1;
		if (strset_add_csv(&s->rec_gks, gitops_object_annotation(parent, ANN_GKS)) < 0 ||
		    strset_add_csv(&s->rec_nss, gitops_object_annotation(parent, ANN_NSS)) < 0) {
			gitops_err_oom(err);
			goto done;
		}
	}
	*out = s;
	s = NULL;
	ret = 0;
done:
	cJSON_Delete(parent);
	gitops_applyset_free(s);
	return ret;
}

int gitops_applyset_exists(const struct gitops_applyset *s)
{
	return s->exists;
}

int gitops_applyset_add(struct gitops_applyset *s, const char *group, const char *kind, const char *ns)
{
	char gk[600];

	snprintf(gk, sizeof(gk), "%s%s%s", kind, *group ? "." : "", group);
	if (strset_add(&s->gks, gk, strlen(gk)) < 0)
		return -1;
	if (ns && strcmp(ns, s->ns) && strset_add(&s->nss, ns, strlen(ns)) < 0)
		return -1;
	return 0;
}

int gitops_applyset_write(struct gitops_applyset *s, struct gitops_kube *k, const char *field_manager,
			  int with_recorded, struct gitops_err *err)
{
	cJSON *body = cJSON_CreateObject(), *meta, *labels, *ann;
	char *gks = strset_join(&s->gks, with_recorded ? &s->rec_gks : NULL, NULL);
	char *nss = strset_join(&s->nss, with_recorded ? &s->rec_nss : NULL, s->ns);
	struct gitops_kube_request q;
	int ret = -1;

	memset(&q, 0, sizeof(q));
	if (!body || !gks || !nss) {
		gitops_err_oom(err);
		goto done;
	}
	cJSON_AddStringToObject(body, "apiVersion", "v1");
	cJSON_AddStringToObject(body, "kind", "Secret");
	meta = cJSON_AddObjectToObject(body, "metadata");
	cJSON_AddStringToObject(meta, "name", s->name);
	cJSON_AddStringToObject(meta, "namespace", s->ns);
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, GITOPS_APPLYSET_ID_LABEL, s->id);
	ann = cJSON_AddObjectToObject(meta, "annotations");
	cJSON_AddStringToObject(ann, ANN_TOOLING, s->tooling);
	cJSON_AddStringToObject(ann, ANN_GKS, gks);
	cJSON_AddStringToObject(ann, ANN_NSS, nss);
	/* the set's own bookkeeping: forced */
	if (gitops_kube_apply_request(&q, &secrets, s->ns, s->name, gitops_json_text(body), field_manager, 1, 0) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	q.what = "applyset parent";
	if (gitops_kube_do(k, &q, NULL, err) < 0)
		goto done;
	s->exists = 1;
	ret = 0;
done:
	gitops_kube_request_release(&q);
	cJSON_Delete(body);
	free(gks);
	free(nss);
	return ret;
}

/* "group/kind/namespace/name": the stream's objects, sorted, to look members up in. */
static char *id_key(const char *group, const char *kind, const char *ns, const char *name)
{
	struct gitops_buf k = GITOPS_BUF_INIT;

	gitops_buf_printf(&k, "%s/%s/%s/%s", group, kind, ns ? ns : "", name);
	return gitops_buf_detach(&k);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The keys of objs, sorted (caller frees each and the array).  Whether a
 * kind is namespaced is only known for the member an object is compared
 * with, so each object has two keys: in its namespace (default_ns when it
 * names none), for namespaced members; and in none, for cluster-scoped ones,
 * whatever namespace the manifest gave them.
 */
static char **stream_keys(const struct gitops_object *objs, size_t n, const char *default_ns, size_t *nkeys)
{
	char **keys = calloc(2 * n + 1, sizeof(*keys));
	size_t i, k = 0;

	if (!keys)
		return NULL;
	for (i = 0; i < n; i++) {
		struct gitops_id id;
		if (gitops_object_id(&id, objs[i].json) < 0)
			continue;
		if (!(keys[k] = id_key(id.group, id.kind, id.namespace ? id.namespace : default_ns, id.name)))
			goto oom;
		k++;
		if (!(keys[k] = id_key(id.group, id.kind, NULL, id.name)))
			goto oom;
		k++;
	}
	qsort(keys, k, sizeof(*keys), key_cmp);
	*nkeys = k;
	return keys;
oom:
	while (k)
		free(keys[--k]);
	free(keys);
	return NULL;
}

static int has_key(char **keys, size_t n, const char *key)
{
	return n && key && bsearch(&key, keys, n, sizeof(*keys), key_cmp) != NULL;
}

/* Is the live member among the stream's objects? */
static int in_stream(const cJSON *m, const struct gitops_kube_resource *r, char **keys, size_t nkeys)
{
	const char *name = gitops_json_get_string(m, "metadata", "name", NULL);
	const char *ns = gitops_json_get_string(m, "metadata", "namespace", NULL);
	char *key;
	int found;

	if (!name)
		return 0;
	key = id_key(r->group, r->kind, r->namespaced ? ns : NULL, name);
	found = has_key(keys, nkeys, key);
	free(key);
	return found;
}

struct doomed {
	cJSON *obj;
	int wave, rank;
	const char *ns, *name;
};

/* Deletion order: the apply order reversed. */
static int doomed_cmp(const void *pa, const void *pb)
{
	const struct doomed *a = pa, *b = pb;
	int c;

	if (a->wave != b->wave)
		return a->wave > b->wave ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	if ((c = strcmp(a->ns, b->ns)))
		return -c;
	return -strcmp(a->name, b->name);
}

static int find_gk(struct gitops_kube_discovery *d, const char *gk, const struct gitops_kube_resource **out,
		   struct gitops_err *err)
{
	const char *dot = strchr(gk, '.');
	char kind[256], group[256];
	struct gitops_err e = GITOPS_ERR_INIT;

	snprintf(kind, sizeof(kind), "%.*s", (int)(dot ? (size_t)(dot - gk) : strlen(gk)), gk);
	snprintf(group, sizeof(group), "%s", dot ? dot + 1 : "");
	if (gitops_kube_discovery_find(out, d, group, NULL, kind, &e) == 0)
		return 1;
	if (e.code == GITOPS_EXIT_REJECTED)
		return 0; /* the kind is gone from the server (its CRD was deleted): nothing of it to prune */
	*err = e;
	return -1;
}

/* A growing array of members with their deletion order. */
struct doomed_list {
	struct doomed *v;
	size_t n, cap;
};

static int doomed_push(struct doomed_list *l, cJSON *m, const struct gitops_sync_info *info)
{
	struct doomed *d;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct doomed *p = realloc(l->v, cap * sizeof(*p));
		if (!p)
			return -1;
		l->v = p;
		l->cap = cap;
	}
	d = &l->v[l->n++];
	d->obj = m;
	d->wave = info->wave;
	d->rank = info->kind_rank;
	d->ns = gitops_json_get_string(m, "metadata", "namespace", NULL);
	if (!d->ns)
		d->ns = "";
	d->name = gitops_json_get_string(m, "metadata", "name", NULL);
	return 0;
}

/* The members, sorted in deletion order, moved into a new array (NULL: out of memory). */
static cJSON *doomed_take(struct doomed_list *l)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	if (!a)
		return NULL;
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), doomed_cmp);
	for (i = 0; i < l->n; i++) {
		cJSON_AddItemToArray(a, l->v[i].obj);
		l->v[i].obj = NULL;
	}
	return a;
}

static void doomed_release(struct doomed_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		cJSON_Delete(l->v[i].obj);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int uid_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every string of `from` into `to`: 0, or -1 (out of memory). */
static int strset_add_all(struct strset *to, const struct strset *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		if (strset_add(to, from->v[i], strlen(from->v[i])) < 0)
			return -1;
	return 0;
}

/* Where members are looked for: every group/kind recorded or added, in the set's namespace and every other one. */
static int set_scope(const struct gitops_applyset *s, struct strset *gks, struct strset *nss)
{
	if (strset_add_all(gks, &s->gks) < 0 || strset_add_all(gks, &s->rec_gks) < 0 ||
	    strset_add(nss, s->ns, strlen(s->ns)) < 0 || strset_add_all(nss, &s->nss) < 0 ||
	    strset_add_all(nss, &s->rec_nss) < 0)
		return -1;
	return 0;
}

int gitops_applyset_access(struct gitops_kube_accesses *l, struct gitops_applyset *s, struct gitops_kube_discovery *d,
			   const char *verb, struct gitops_err *err)
{
	struct strset gks = { NULL, 0, 0 }, nss = { NULL, 0, 0 };
	size_t i, j;
	int ret = -1;

	if (set_scope(s, &gks, &nss) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < gks.n; i++) {
		const struct gitops_kube_resource *r;
		int found = find_gk(d, gks.v[i], &r, err);
		if (found < 0)
			goto done;
		if (!found || !gitops_kube_resource_can(r, "list"))
			continue; /* as gitops_applyset_orphans_of: nothing of it is looked for */
		for (j = 0; j < (r->namespaced ? nss.n : 1); j++)
			if (gitops_kube_access_add(l, verb, r->group, r->resource, r->namespaced ? nss.v[j] : NULL) < 0) {
				gitops_err_oom(err);
				goto done;
			}
	}
	ret = 0;
done:
	strset_release(&gks);
	strset_release(&nss);
	return ret;
}

int gitops_applyset_delete_access(struct gitops_kube_accesses *l, const struct gitops_applyset_orphans *o,
				  struct gitops_kube_discovery *d, struct gitops_err *err)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, o->doomed)
	{
		const struct gitops_kube_resource *r;
		struct gitops_id id;
		if (gitops_object_id(&id, m) < 0)
			continue;
		if (gitops_kube_discovery_find(&r, d, id.group, id.version, id.kind, err) < 0)
			return -1;
		if (gitops_kube_access_add(l, "delete", r->group, r->resource, r->namespaced ? id.namespace : NULL) < 0)
			return gitops_err_oom(err);
	}
	return 0;
}

int gitops_applyset_orphans_of(struct gitops_applyset *s, struct gitops_kube *k, struct gitops_kube_discovery *d,
			       const struct gitops_applyset_desired *want, struct gitops_applyset_orphans *out,
			       struct gitops_err *err)
{
	struct strset gks = { NULL, 0, 0 }, nss = { NULL, 0, 0 };
	struct doomed_list doomed = { NULL, 0, 0 }, pending = { NULL, 0, 0 };
	const char **uids = NULL;
	size_t i, j, nkeys = 0;
	char **keys = NULL;
	char selector[128];
	int ret = -1;

	memset(out, 0, sizeof(*out));
	snprintf(selector, sizeof(selector), "%s=%s", GITOPS_APPLYSET_PART_OF, s->id);
	if (set_scope(s, &gks, &nss) < 0)
		goto oom;
	if (!(keys = stream_keys(want->objs, want->n, want->default_ns, &nkeys)))
		goto oom;
	if (!(uids = calloc(want->n_uids + 1, sizeof(*uids))))
		goto oom;
	for (i = 0; i < want->n_uids; i++)
		uids[i] = want->uids[i] ? want->uids[i] : "";
	if (want->n_uids)
		qsort(uids, want->n_uids, sizeof(*uids), uid_cmp);
	for (i = 0; i < gks.n; i++) {
		const struct gitops_kube_resource *r;
		int found = find_gk(d, gks.v[i], &r, err);
		if (found < 0)
			goto done;
		if (!found || !gitops_kube_resource_can(r, "list"))
			continue;
		for (j = 0; j < (r->namespaced ? nss.n : 1); j++) {
			cJSON *items, *m;
			if (gitops_kube_list(&items, k, r, r->namespaced ? nss.v[j] : NULL, selector, 500, err) < 0)
				goto done;
			while ((m = cJSON_DetachItemFromArray(items, 0))) {
				const char *part = gitops_object_label(m, GITOPS_APPLYSET_PART_OF);
				const char *uid = gitops_json_get_string(m, "metadata", "uid", NULL);
				struct gitops_sync_info info;
				struct gitops_err bad = GITOPS_ERR_INIT;
				char gv[320];
				/* never anything that is not a member, whatever the server's selector did; never what is wanted */
				if (!part || strcmp(part, s->id) || in_stream(m, r, keys, nkeys) ||
				    (uid && want->n_uids && bsearch(&uid, uids, want->n_uids, sizeof(*uids), uid_cmp))) {
					cJSON_Delete(m);
					continue;
				}
				if (gitops_order_classify(&info, m, r->group, r->kind, &bad) < 0) {
					/* a live object with a bad wave: deleted last among its kind */
					memset(&info, 0, sizeof(info));
					info.kind_rank = gitops_order_kind_rank(r->group, r->kind);
				}
				if (info.no_prune) {
					out->kept++;
					cJSON_Delete(m);
					continue;
				}
				snprintf(gv, sizeof(gv), "%s%s%s", r->group, *r->group ? "/" : "", r->version);
				cJSON_DeleteItemFromObjectCaseSensitive(m, "apiVersion");
				cJSON_DeleteItemFromObjectCaseSensitive(m, "kind");
				cJSON_AddStringToObject(m, "apiVersion", gv);
				cJSON_AddStringToObject(m, "kind", r->kind);
				if (info.prune_confirm && !want->confirmed) {
					/* still a member: the parent goes on recording where it is */
					if (gitops_applyset_add(s, r->group, r->kind, r->namespaced ? nss.v[j] : NULL) < 0 ||
					    doomed_push(&pending, m, &info) < 0) {
						cJSON_Delete(m);
						cJSON_Delete(items);
						goto oom;
					}
					continue;
				}
				if (doomed_push(&doomed, m, &info) < 0) {
					cJSON_Delete(m);
					cJSON_Delete(items);
					goto oom;
				}
			}
			cJSON_Delete(items);
		}
	}
	if (!(out->doomed = doomed_take(&doomed)) || !(out->unconfirmed = doomed_take(&pending)))
		goto oom;
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	if (ret < 0)
		gitops_applyset_orphans_release(out);
	doomed_release(&doomed);
	doomed_release(&pending);
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(uids);
	strset_release(&gks);
	strset_release(&nss);
	return ret;
}

void gitops_applyset_orphans_release(struct gitops_applyset_orphans *o)
{
	cJSON_Delete(o->doomed);
	cJSON_Delete(o->unconfirmed);
	o->doomed = o->unconfirmed = NULL;
	o->kept = 0;
}

void gitops_applyset_free(struct gitops_applyset *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->ns);
	free(s->tooling);
	strset_release(&s->rec_gks);
	strset_release(&s->rec_nss);
	strset_release(&s->gks);
	strset_release(&s->nss);
	free(s);
}

int gitops_applyset_orphans(struct gitops_kube *k, struct gitops_kube_discovery *d, const char *name, const char *ns,
			    const struct gitops_applyset_desired *want, struct gitops_applyset_orphans *out,
			    struct gitops_err *err)
{
	struct gitops_applyset *s;
	int ret;

	memset(out, 0, sizeof(*out));
	if (gitops_applyset_open(&s, k, name, ns, "gitops/" GITOPS_VERSION, err) < 0)
		return -1;
	ret = gitops_applyset_orphans_of(s, k, d, want, out, err);
	gitops_applyset_free(s);
	return ret;
}
