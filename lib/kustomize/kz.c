/* kz.c: the resource map and what kustomize records on a resource while it builds. */
#include "lib/kustomize/kz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/value/value.h"

/*
 * The id index: open addressing over (hash of the id, position), rebuilt
 * whole when stale.  Stale means: kz_resmap_touch/_push/_remove was called,
 * or some object was renamed (kz_res_rename bumps rename_epoch).
 */
struct kz_index {
	size_t *slot; /* position + 1; 0 = empty */
	uint64_t *hash;
	size_t cap;   /* a power of two, at least twice the entries */
	size_t n;     /* entries: the first n objects of the map */
	unsigned long epoch;
	int valid;
	int unique; /* no two entries have one id (kustomize's ResId.Equals) */
};

static unsigned long rename_epoch;

/* kustomize's effective namespace: none for a cluster-scoped kind, "default" for an unset one */
static const char *effective_ns(const struct kz_id *id)
{
	if (kz_kind_cluster_scoped(id->group, id->kind))
		return "";
	return *id->ns ? id->ns : "default";
}

/* ResId.Equals: the namespaces compared as kustomize's IsNsEquals compares them */
static int same_id(const struct kz_id *a, const struct kz_id *b)
{
	return !strcmp(a->group, b->group) && !strcmp(a->version, b->version) && !strcmp(a->kind, b->kind) &&
	       !strcmp(a->name, b->name) && !strcmp(effective_ns(a), effective_ns(b));
}

uint64_t kz_id_hash(const struct kz_id *id)
{
	const char *parts[5] = { id->group, id->version, id->kind, id->name, effective_ns(id) };
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	const char *p;

	for (i = 0; i < 5; i++) {
		for (p = parts[i]; *p; p++) {
			h ^= (unsigned char)*p;
			h *= 1099511628211ULL;
		}
		h ^= 0xff; /* a separator no id byte equals */
		h *= 1099511628211ULL;
	}
	return h;
}


static void index_free(struct kz_index *x)
{
	if (!x)
		return;
	free(x->slot);
	free(x->hash);
	free(x);
}

static void index_put(struct kz_index *x, uint64_t h, size_t pos)
{
	size_t i = (size_t)h & (x->cap - 1);

	while (x->slot[i])
		i = (i + 1) & (x->cap - 1);
	x->slot[i] = pos + 1;
	x->hash[i] = h;
	x->n++;
}

/* index_put for a rebuild: notes in x->unique whether an entry of the same id was there already */
static void index_put_checked(struct kz_index *x, const struct kz_resmap *m, const struct kz_id *id, uint64_t h,
			      size_t pos)
{
	size_t i;

	for (i = (size_t)h & (x->cap - 1); x->unique && x->slot[i]; i = (i + 1) & (x->cap - 1))
		if (x->hash[i] == h) {
			struct kz_id other;

			kz_id_of(&other, m->v[x->slot[i] - 1]);
			if (same_id(id, &other))
				x->unique = 0;
		}
	index_put(x, h, pos);
}

/* Make the index describe the map, at room for `want` entries: 0, or -1 when out of memory. */
static int index_ready(struct kz_resmap *m, size_t want)
{
	struct kz_index *x = m->index;
	struct kz_id id;
	size_t cap, i;

	if (x && x->valid && x->epoch == rename_epoch && x->n == m->n && want * 2 <= x->cap)
		return 0;
	for (cap = 64; cap < want * 2; cap *= 2)
		;
	if (!x && !(x = m->index = calloc(1, sizeof(*x))))
		return -1;
	if (cap != x->cap) {
		size_t *slot = calloc(cap, sizeof(*slot)), *old_slot = x->slot;
		uint64_t *hash = calloc(cap, sizeof(*hash)), *old_hash = x->hash;
		size_t old_cap = x->cap;
		/* only grown: the entries' hashes move over, no object's id read again (its memory is cold) */
		int fresh = x->valid && x->epoch == rename_epoch && x->n == m->n;

		if (!slot || !hash) {
			free(slot);
			free(hash);
			return -1;
		}
		x->slot = slot;
		x->hash = hash;
		x->cap = cap;
		if (fresh) {
			x->n = 0;
			for (i = 0; i < old_cap; i++)
				if (old_slot[i])
					index_put(x, old_hash[i], old_slot[i] - 1);
		}
		free(old_slot);
		free(old_hash);
		if (fresh)
			return 0;
	} else {
		memset(x->slot, 0, cap * sizeof(*x->slot));
	}
	x->n = 0;
	x->unique = 1;
	for (i = 0; i < m->n; i++) {
		kz_id_of(&id, m->v[i]);
		index_put_checked(x, m, &id, kz_id_hash(&id), i);
	}
	x->epoch = rename_epoch;
	x->valid = 1;
	return 0;
}

void kz_resmap_touch(struct kz_resmap *m)
{
	if (m->index)
		m->index->valid = 0;
}

void kz_resmap_release(struct kz_resmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		cJSON_Delete(m->v[i]);
	free(m->v);
	index_free(m->index);
	m->v = NULL;
	m->index = NULL;
	m->n = m->cap = 0;
}

static int grow(struct kz_resmap *m, cJSON *obj, struct gitops_err *err)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		cJSON **v = realloc(m->v, cap * sizeof(*v));

		if (!v) {
			cJSON_Delete(obj);
			return gitops_err_oom(err);
		}
		m->v = v;
		m->cap = cap;
	}
	return 0;
}

int kz_resmap_push(struct kz_resmap *m, cJSON *obj, struct gitops_err *err)
{
	if (grow(m, obj, err))
		return -1;
	m->v[m->n++] = obj;
	kz_resmap_touch(m);
	return 0;
}

int kz_resmap_append(struct kz_resmap *m, cJSON *obj, struct gitops_err *err)
{
	struct kz_id id, other;
	uint64_t h;
	size_t i;

	kz_id_of(&id, obj);
	if (index_ready(m, m->n + 1)) {
		cJSON_Delete(obj);
		return gitops_err_oom(err);
	}
	h = kz_id_hash(&id);
	for (i = (size_t)h & (m->index->cap - 1); m->index->slot[i]; i = (i + 1) & (m->index->cap - 1)) {
		if (m->index->hash[i] != h)
			continue;
		kz_id_of(&other, m->v[m->index->slot[i] - 1]);
		if (same_id(&id, &other)) {
			/* kustomize's ResId: Kind.version.group/name.namespace */
			int rc = gitops_err_set(err, GITOPS_EXIT_INPUT,
						"may not add resource with an already registered id: %s.%s.%s/%s.%s",
						*id.kind ? id.kind : "[noKind]", *id.version ? id.version : "[noVer]",
						*id.group ? id.group : "[noGrp]", *id.name ? id.name : "[noName]",
						*id.ns ? id.ns : "[noNs]");
			cJSON_Delete(obj);
			return rc;
		}
	}
	if (grow(m, obj, err))
		return -1;
	m->v[m->n++] = obj;
	index_put(m->index, h, m->n - 1);
	return 0;
}

int kz_resmap_move_unique(struct kz_resmap *dst, struct kz_resmap *src)
{
	struct kz_index *x = src->index;

	if (dst->n || !x || !x->valid || x->epoch != rename_epoch || x->n != src->n || !x->unique)
		return 0;
	free(dst->v);
	index_free(dst->index);
	*dst = *src;
	src->v = NULL;
	src->index = NULL;
	src->n = src->cap = 0;
	return 1;
}

int kz_resmap_check_unique(struct kz_resmap *m, struct gitops_err *err)
{
	struct kz_id id, other;
	size_t i, k;

	kz_resmap_touch(m);
	if (index_ready(m, m->n))
		return gitops_err_oom(err);
	for (i = 0; i < m->n; i++) {
		uint64_t h;

		kz_id_of(&id, m->v[i]);
		h = kz_id_hash(&id);
		for (k = (size_t)h & (m->index->cap - 1); m->index->slot[k]; k = (k + 1) & (m->index->cap - 1)) {
			size_t j = m->index->slot[k] - 1;

			if (m->index->hash[k] != h || j >= i)
				continue;
			kz_id_of(&other, m->v[j]);
			if (same_id(&id, &other))
				return gitops_err_set(err, GITOPS_EXIT_INPUT,
						      "may not add resource with an already registered id: %s.%s.%s/%s.%s",
						      *id.kind ? id.kind : "[noKind]", *id.version ? id.version : "[noVer]",
						      *id.group ? id.group : "[noGrp]", *id.name ? id.name : "[noName]",
						      *id.ns ? id.ns : "[noNs]");
		}
	}
	return 0;
}

void kz_resmap_remove(struct kz_resmap *m, size_t i)
{
	if (i >= m->n)
		return;
	cJSON_Delete(m->v[i]);
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
	m->n--;
	kz_resmap_touch(m);
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* each key's string member (the first member of that name, as gitops_json_get_string finds it), else NULL */
static void strings_of(const cJSON *obj, const char *const *keys, const char **out, size_t n)
{
	const cJSON *c;
	unsigned seen = 0;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (!cJSON_IsObject(obj))
		return;
	for (c = obj->child; c && c->string && seen != (1u << n) - 1; c = c->next)
		for (i = 0; i < n; i++)
			if (!(seen & (1u << i)) && c->string[0] == keys[i][0] && same(c->string, keys[i])) {
				seen |= 1u << i;
				out[i] = cJSON_IsString(c) ? c->valuestring : NULL;
				break;
			}
}

void kz_id_of(struct kz_id *out, const cJSON *obj)
{
	static const char *const top_keys[] = { "apiVersion", "kind" }, *const md_keys[] = { "name", "namespace" };
	const char *top[2], *md[2], *av, *slash;
	const cJSON *c, *meta = NULL;

	strings_of(obj, top_keys, top, 2);
	if (cJSON_IsObject(obj))
		for (c = obj->child; c && c->string; c = c->next)
			if (c->string[0] == 'm' && same(c->string, "metadata")) {
				meta = c;
				break;
			}
	strings_of(meta, md_keys, md, 2);
	av = str_or_empty(top[0]);
	slash = strchr(av, '/');

	out->group[0] = 0;
	out->version = av;
	if (slash) {
		size_t n = (size_t)(slash - av);

		if (n >= sizeof(out->group))
			n = sizeof(out->group) - 1;
		memcpy(out->group, av, n);
		out->group[n] = 0;
		out->version = slash + 1;
	}
	out->kind = str_or_empty(top[1]);
	out->name = str_or_empty(md[0]);
	out->ns = str_or_empty(md[1]);
}

/* the cluster-scoped kinds kustomize knows without a cluster (its built-in OpenAPI, v1.21.2), with their groups */
static const struct {
	const char *group, *kind;
} cluster_kinds[] = {
	{ "", "ComponentStatus" },
	{ "", "Namespace" },
	{ "", "Node" },
	{ "", "PersistentVolume" },
	{ "admissionregistration.k8s.io", "MutatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io", "ValidatingWebhookConfiguration" },
	{ "apiextensions.k8s.io", "CustomResourceDefinition" },
	{ "apiregistration.k8s.io", "APIService" },
	{ "authentication.k8s.io", "TokenReview" },
	{ "authorization.k8s.io", "SelfSubjectAccessReview" },
	{ "authorization.k8s.io", "SelfSubjectRulesReview" },
	{ "authorization.k8s.io", "SubjectAccessReview" },
	{ "certificates.k8s.io", "CertificateSigningRequest" },
	{ "flowcontrol.apiserver.k8s.io", "FlowSchema" },
	{ "flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration" },
	{ "networking.k8s.io", "IngressClass" },
	{ "node.k8s.io", "RuntimeClass" },
	{ "policy", "PodSecurityPolicy" },
	{ "rbac.authorization.k8s.io", "ClusterRole" },
	{ "rbac.authorization.k8s.io", "ClusterRoleBinding" },
	{ "scheduling.k8s.io", "PriorityClass" },
	{ "storage.k8s.io", "CSIDriver" },
	{ "storage.k8s.io", "CSINode" },
	{ "storage.k8s.io", "StorageClass" },
	{ "storage.k8s.io", "VolumeAttachment" },
	{ "extensions", "PodSecurityPolicy" },
};

int kz_kind_cluster_scoped(const char *group, const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(cluster_kinds) / sizeof(cluster_kinds[0]); i++)
		if (kind[0] == cluster_kinds[i].kind[0] && !strcmp(kind, cluster_kinds[i].kind) &&
		    !strcmp(group ? group : "", cluster_kinds[i].group))
			return 1;
	return 0;
}

const char *kz_res_annotation(const cJSON *obj, const char *key)
{
	return gitops_json_get_string(obj, "metadata", "annotations", key, NULL);
}

/* kustomize's own annotations, on most resources of a build: one static copy of each key */
static const char *internal_key(const char *key)
{
	static const char *const keys[] = {
		KZ_ANN_PREV_NAMES, KZ_ANN_PREV_KINDS, KZ_ANN_PREV_NAMESPACES, KZ_ANN_PREFIXES, KZ_ANN_SUFFIXES,
		KZ_ANN_NEEDS_HASH, KZ_ANN_BEHAVIOR, KZ_ANN_REF_BY, KZ_ANN_ORIGIN, KZ_ANN_TRANSFORMATIONS,
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i]))
			return keys[i];
	return NULL;
}

int kz_res_set_annotation(cJSON *obj, const char *key, const char *value, struct gitops_err *err)
{
	const char *ck;
	cJSON *md = gitops_value_get(obj, "metadata"), *ann, *v;

	if (!md) {
		if (!(md = cJSON_AddObjectToObject(obj, "metadata")))
			return gitops_err_oom(err);
	}
	if (!cJSON_IsObject(md))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata is not a mapping");
	if (!(ann = gitops_value_get(md, "annotations")) || cJSON_IsNull(ann)) {
		if (ann)
			cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
		if (!(ann = cJSON_AddObjectToObject(md, "annotations")))
			return gitops_err_oom(err);
	}
	if (!cJSON_IsObject(ann))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.annotations is not a mapping");
	/*
	 * A string there already (kustomize's lists, set again at each
	 * rename): its text replaced in place, no node made and freed.  What
	 * a new node would be: a plain string, no tag or style bits.
	 */
	if ((v = gitops_value_get(ann, key)) && (v->type & 0xFF) == cJSON_String && !(v->type & cJSON_IsReference)) {
		char *text = strdup(value);

		if (!text)
			return gitops_err_oom(err);
		cJSON_free(v->valuestring);
		v->valuestring = text;
		v->type = cJSON_String | (v->type & cJSON_StringIsConst);
		v->valueint = 0;
		v->valuedouble = 0;
		return 0;
	}
	if (!(v = cJSON_CreateString(value)))
		return gitops_err_oom(err);
	if ((ck = internal_key(key)) && !gitops_value_get(ann, key)) {
		/* cJSON_StringIsConst: the key is the table's, never freed */
		if (!cJSON_AddItemToObjectCS(ann, ck, v)) {
			cJSON_Delete(v);
			return gitops_err_oom(err);
		}
		return 0;
	}
	if (gitops_value_set(ann, key, v)) {
		cJSON_Delete(v);
		return gitops_err_oom(err);
	}
	return 0;
}

void kz_res_remove_annotation(cJSON *obj, const char *key)
{
	cJSON *ann = (cJSON *)gitops_json_get(obj, "metadata", "annotations", NULL);

	if (!cJSON_IsObject(ann))
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(ann, key);
	if (!ann->child)
		cJSON_DeleteItemFromObjectCaseSensitive(gitops_value_get(obj, "metadata"), "annotations");
}

/* Append `item` to the comma-separated list in annotation `key`. */
static int append_to(cJSON *obj, const char *key, const char *item, struct gitops_err *err)
{
	const char *old = kz_res_annotation(obj, key);
	struct gitops_buf b = GITOPS_BUF_INIT;
	int rc;

	/* the first change of a resource (most of them): the item alone, no list to copy */
	if (!old || !*old)
		return kz_res_set_annotation(obj, key, item, err);
	if (gitops_buf_addstr(&b, old) || gitops_buf_addstr(&b, ",") || gitops_buf_addstr(&b, item)) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	rc = kz_res_set_annotation(obj, key, b.data, err);
	gitops_buf_release(&b);
	return rc;
}

int kz_res_rename(cJSON *obj, const char *name, const char *ns, struct gitops_err *err)
{
	struct kz_id id;
	char *old_name, *old_ns, *old_kind;
	cJSON *md;
	int rc = -1;

	kz_id_of(&id, obj);
	rename_epoch++;
	old_name = strdup(id.name);
	old_ns = strdup(id.ns);
	old_kind = strdup(id.kind);
	if (!old_name || !old_ns || !old_kind) {
		gitops_err_oom(err);
		goto done;
	}
	/* kustomize stores the previous id whole, once per change */
	if (append_to(obj, KZ_ANN_PREV_NAMES, old_name, err) || append_to(obj, KZ_ANN_PREV_KINDS, old_kind, err) ||
	    append_to(obj, KZ_ANN_PREV_NAMESPACES, *old_ns ? old_ns : "[noNs]", err))
		goto done;
	md = gitops_value_get(obj, "metadata");
	if (name) {
		cJSON *v = cJSON_CreateString(name);

		if (!v || gitops_value_set(md, "name", v)) {
			cJSON_Delete(v);
			gitops_err_oom(err);
			goto done;
		}
	}
	if (ns) {
		cJSON *v = cJSON_CreateString(ns);

		if (!v || gitops_value_set(md, "namespace", v)) {
			cJSON_Delete(v);
			gitops_err_oom(err);
			goto done;
		}
	}
	rc = 0;
done:
	free(old_name);
	free(old_ns);
	free(old_kind);
	return rc;
}
