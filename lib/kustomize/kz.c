/* kz.c: the resource map and what kustomize records on a resource while it builds. */
#include "lib/kustomize/kz.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/value/value.h"

void kz_resmap_release(struct kz_resmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		cJSON_Delete(m->v[i]);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

int kz_resmap_push(struct kz_resmap *m, cJSON *obj, struct gitops_err *err)
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
	m->v[m->n++] = obj;
	return 0;
}

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

int kz_resmap_append(struct kz_resmap *m, cJSON *obj, struct gitops_err *err)
{
	struct kz_id id, other;
	size_t i;

	kz_id_of(&id, obj);
	for (i = 0; i < m->n; i++) {
		kz_id_of(&other, m->v[i]);
		if (same_id(&id, &other)) {
			int rc = gitops_err_set(err, GITOPS_EXIT_INPUT,
						"may not add resource with an already registered id: %s.%s.%s/%s.%s",
						*id.kind ? id.kind : "[noKind]", *id.version ? id.version : "[noVer]",
						*id.group ? id.group : "[noGrp]", *id.name ? id.name : "[noName]",
						*id.ns ? id.ns : "[noNs]");
			cJSON_Delete(obj);
			return rc;
		}
	}
	return kz_resmap_push(m, obj, err);
}

void kz_resmap_remove(struct kz_resmap *m, size_t i)
{
	if (i >= m->n)
		return;
	cJSON_Delete(m->v[i]);
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
	m->n--;
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

void kz_id_of(struct kz_id *out, const cJSON *obj)
{
	const char *av = str_or_empty(gitops_json_get_string(obj, "apiVersion", NULL));
	const char *slash = strchr(av, '/');

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
	out->kind = str_or_empty(gitops_json_get_string(obj, "kind", NULL));
	out->name = str_or_empty(gitops_json_get_string(obj, "metadata", "name", NULL));
	out->ns = str_or_empty(gitops_json_get_string(obj, "metadata", "namespace", NULL));
}

/* kustomize's list of cluster-scoped kinds it knows without a cluster (kyaml openapi, v1.21.2) */
static const char *const cluster_kinds[] = {
	"APIService", "CSIDriver", "CSINode", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding",
	"ComponentStatus", "CustomResourceDefinition", "FlowSchema", "IngressClass",
	"MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PodSecurityPolicy",
	"PriorityClass", "PriorityLevelConfiguration", "RuntimeClass", "SelfSubjectAccessReview",
	"SelfSubjectRulesReview", "StorageClass", "SubjectAccessReview", "TokenReview",
	"ValidatingWebhookConfiguration", "VolumeAttachment",
};

int kz_kind_cluster_scoped(const char *group, const char *kind)
{
	size_t i;

	(void)group;
	for (i = 0; i < sizeof(cluster_kinds) / sizeof(cluster_kinds[0]); i++)
		if (!strcmp(kind, cluster_kinds[i]))
			return 1;
	return 0;
}

const char *kz_res_annotation(const cJSON *obj, const char *key)
{
	return gitops_json_get_string(obj, "metadata", "annotations", key, NULL);
}

int kz_res_set_annotation(cJSON *obj, const char *key, const char *value, struct gitops_err *err)
{
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
	if (!(v = cJSON_CreateString(value)) || gitops_value_set(ann, key, v)) {
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

	if ((old && *old && (gitops_buf_addstr(&b, old) || gitops_buf_addstr(&b, ","))) || gitops_buf_addstr(&b, item)) {
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
