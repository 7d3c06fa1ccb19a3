/*
 * nameref.c: kustomize's nameReference table, and rewriting references to
 * renamed objects (kustomize's nameReferenceTransformer and its
 * api/filters/nameref filter), run once at the top of a build after the
 * hash suffixes.
 *
 * A referral (the object referred to: a ConfigMap, a Service, a Role...)
 * that was renamed carries its earlier ids in the previous-names / kinds /
 * namespaces annotations (kz_res_rename).  For each referrer (an object
 * whose original id a fieldspec of the table selects), each name found at
 * the fieldspec's path is looked up among the referrals that could be
 * meant, as kustomize selects them:
 *
 *   - candidates: the referrer's namespace, cluster-scoped objects, and for
 *     a RoleBinding the namespaces its ServiceAccount subjects name (all
 *     objects for a cluster-scoped referrer);
 *   - an earlier name equal to the reference, an earlier id of the
 *     referral kind (group / version where the table says), for
 *     `roleRef/name` the roleRef's apiGroup and kind, and the referrer's
 *     current namespace (cluster-scoped and ServiceAccount referrals pass);
 *   - one left: it; several: those whose prefixes and suffixes end as the
 *     referrer's (a first pass lets a side with none through); still
 *     several with one name (and namespace) between them: the first;
 *     else kustomize's "found multiple possible referrals" error.
 *
 * The entries run in kustomize's order (sorted by referral kind, see
 * sort_entries): the first to match a reference rewrites it.
 *
 * The name at the path is a string, a list of strings (rules/resourceNames)
 * or a mapping with `name` and maybe `namespace` (subjects, webhook
 * services): there the namespace narrows the candidates (original
 * namespace first, then current) and the referral's namespace is written
 * back with its name.  A reference to nothing renamed stays as it is.
 *
 * Errors are kustomize's, prefixed as kustomize prefixes them ("updating
 * name reference in '<path>' field of '<id>': considering field ...").
 * kustomize notes each referrer on the referral (KZ_ANN_REF_BY), which
 * the spine strips with the other build annotations.
 *
 * Ownership: the resmap's objects are changed in place; the config is
 * borrowed.  kz_config_add_builtin_namerefs allocates entries owned by the
 * config (kz_config_release frees them); it adds a referral kind's
 * fieldspecs to an entry of the same group, version and kind already there.
 */
#include "lib/kustomize/kz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/value/path.h"
#include "lib/value/value.h"

/* --- the builtin table --- */

/*
 * kustomize v5.5 api/konfig/builtinpluginconsts/namereference.go, entry by
 * entry in its order (checked against `kubectl kustomize` v1.32.4): the
 * referral's group, version, kind, then the referrer's kind, group,
 * version and the fieldspec path.  The IngressClass entry keeps
 * kustomize's group "networking.k8s.io/v1", which no object's group
 * equals: kustomize never rewrites spec/ingressClassName, nor do we.
 */
struct builtin_ref {
	const char *group, *version, *kind;
	const char *referrer_kind, *referrer_group, *referrer_version, *path;
};

static const struct builtin_ref builtin_refs[] = {
	/* Deployment */
	{ "", "", "Deployment", "HorizontalPodAutoscaler", "", "", "spec/scaleTargetRef/name" },
	/* ReplicationController */
	{ "", "", "ReplicationController", "HorizontalPodAutoscaler", "", "", "spec/scaleTargetRef/name" },
	/* ReplicaSet */
	{ "", "", "ReplicaSet", "HorizontalPodAutoscaler", "", "", "spec/scaleTargetRef/name" },
	/* StatefulSet */
	{ "", "", "StatefulSet", "HorizontalPodAutoscaler", "", "", "spec/scaleTargetRef/name" },
	/* ConfigMap */
	{ "", "v1", "ConfigMap", "Pod", "", "v1", "spec/volumes/configMap/name" },
	{ "", "v1", "ConfigMap", "Pod", "", "v1", "spec/containers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "Pod", "", "v1", "spec/initContainers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "Pod", "", "v1", "spec/containers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "Pod", "", "v1", "spec/initContainers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "Pod", "", "v1", "spec/volumes/projected/sources/configMap/name" },
	{ "", "v1", "ConfigMap", "Deployment", "", "", "spec/template/spec/volumes/configMap/name" },
	{ "", "v1", "ConfigMap", "Deployment", "", "", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "Deployment", "", "", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "Deployment", "", "", "spec/template/spec/containers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "Deployment", "", "", "spec/template/spec/initContainers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "Deployment", "", "", "spec/template/spec/volumes/projected/sources/configMap/name" },
	{ "", "v1", "ConfigMap", "ReplicaSet", "", "", "spec/template/spec/volumes/configMap/name" },
	{ "", "v1", "ConfigMap", "ReplicaSet", "", "", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "ReplicaSet", "", "", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "ReplicaSet", "", "", "spec/template/spec/containers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "ReplicaSet", "", "", "spec/template/spec/initContainers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "ReplicaSet", "", "", "spec/template/spec/volumes/projected/sources/configMap/name" },
	{ "", "v1", "ConfigMap", "DaemonSet", "", "", "spec/template/spec/volumes/configMap/name" },
	{ "", "v1", "ConfigMap", "DaemonSet", "", "", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "DaemonSet", "", "", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "DaemonSet", "", "", "spec/template/spec/containers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "DaemonSet", "", "", "spec/template/spec/initContainers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "DaemonSet", "", "", "spec/template/spec/volumes/projected/sources/configMap/name" },
	{ "", "v1", "ConfigMap", "StatefulSet", "", "", "spec/template/spec/volumes/configMap/name" },
	{ "", "v1", "ConfigMap", "StatefulSet", "", "", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "StatefulSet", "", "", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "StatefulSet", "", "", "spec/template/spec/containers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "StatefulSet", "", "", "spec/template/spec/initContainers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "StatefulSet", "", "", "spec/template/spec/volumes/projected/sources/configMap/name" },
	{ "", "v1", "ConfigMap", "Job", "", "", "spec/template/spec/volumes/configMap/name" },
	{ "", "v1", "ConfigMap", "Job", "", "", "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "Job", "", "", "spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "Job", "", "", "spec/template/spec/containers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "Job", "", "", "spec/template/spec/initContainers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "Job", "", "", "spec/template/spec/volumes/projected/sources/configMap/name" },
	{ "", "v1", "ConfigMap", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/volumes/configMap/name" },
	{ "", "v1", "ConfigMap", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name" },
	{ "", "v1", "ConfigMap", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name" },
	{ "", "v1", "ConfigMap", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name" },
	{ "", "v1", "ConfigMap", "Node", "", "", "spec/configSource/configMap" },
	{ "", "v1", "ConfigMap", "Role", "", "", "rules/resourceNames" },
	{ "", "v1", "ConfigMap", "ClusterRole", "", "", "rules/resourceNames" },
	{ "", "v1", "ConfigMap", "Ingress", "", "", "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap" },
	/* Secret */
	{ "", "v1", "Secret", "Pod", "", "v1", "spec/volumes/secret/secretName" },
	{ "", "v1", "Secret", "Pod", "", "v1", "spec/containers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "Pod", "", "v1", "spec/initContainers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "Pod", "", "v1", "spec/containers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "Pod", "", "v1", "spec/initContainers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "Pod", "", "v1", "spec/imagePullSecrets/name" },
	{ "", "v1", "Secret", "Pod", "", "v1", "spec/volumes/projected/sources/secret/name" },
	{ "", "v1", "Secret", "Deployment", "", "", "spec/template/spec/volumes/secret/secretName" },
	{ "", "v1", "Secret", "Deployment", "", "", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "Deployment", "", "", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "Deployment", "", "", "spec/template/spec/containers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "Deployment", "", "", "spec/template/spec/initContainers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "Deployment", "", "", "spec/template/spec/imagePullSecrets/name" },
	{ "", "v1", "Secret", "Deployment", "", "", "spec/template/spec/volumes/projected/sources/secret/name" },
	{ "", "v1", "Secret", "ReplicaSet", "", "", "spec/template/spec/volumes/secret/secretName" },
	{ "", "v1", "Secret", "ReplicaSet", "", "", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "ReplicaSet", "", "", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "ReplicaSet", "", "", "spec/template/spec/containers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "ReplicaSet", "", "", "spec/template/spec/initContainers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "ReplicaSet", "", "", "spec/template/spec/imagePullSecrets/name" },
	{ "", "v1", "Secret", "ReplicaSet", "", "", "spec/template/spec/volumes/projected/sources/secret/name" },
	{ "", "v1", "Secret", "DaemonSet", "", "", "spec/template/spec/volumes/secret/secretName" },
	{ "", "v1", "Secret", "DaemonSet", "", "", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "DaemonSet", "", "", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "DaemonSet", "", "", "spec/template/spec/containers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "DaemonSet", "", "", "spec/template/spec/initContainers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "DaemonSet", "", "", "spec/template/spec/imagePullSecrets/name" },
	{ "", "v1", "Secret", "DaemonSet", "", "", "spec/template/spec/volumes/projected/sources/secret/name" },
	{ "", "v1", "Secret", "StatefulSet", "", "", "spec/template/spec/volumes/secret/secretName" },
	{ "", "v1", "Secret", "StatefulSet", "", "", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "StatefulSet", "", "", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "StatefulSet", "", "", "spec/template/spec/containers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "StatefulSet", "", "", "spec/template/spec/initContainers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "StatefulSet", "", "", "spec/template/spec/imagePullSecrets/name" },
	{ "", "v1", "Secret", "StatefulSet", "", "", "spec/template/spec/volumes/projected/sources/secret/name" },
	{ "", "v1", "Secret", "Job", "", "", "spec/template/spec/volumes/secret/secretName" },
	{ "", "v1", "Secret", "Job", "", "", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "Job", "", "", "spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "Job", "", "", "spec/template/spec/containers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "Job", "", "", "spec/template/spec/initContainers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "Job", "", "", "spec/template/spec/imagePullSecrets/name" },
	{ "", "v1", "Secret", "Job", "", "", "spec/template/spec/volumes/projected/sources/secret/name" },
	{ "", "v1", "Secret", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/volumes/secret/secretName" },
	{ "", "v1", "Secret", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name" },
	{ "", "v1", "Secret", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name" },
	{ "", "v1", "Secret", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/imagePullSecrets/name" },
	{ "", "v1", "Secret", "Ingress", "", "", "spec/tls/secretName" },
	{ "", "v1", "Secret", "Ingress", "", "", "metadata/annotations/ingress.kubernetes.io\\/auth-secret" },
	{ "", "v1", "Secret", "Ingress", "", "", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret" },
	{ "", "v1", "Secret", "Ingress", "", "", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret" },
	{ "", "v1", "Secret", "Ingress", "", "", "spec/tls/secretName" },
	{ "", "v1", "Secret", "ServiceAccount", "", "", "imagePullSecrets/name" },
	{ "", "v1", "Secret", "StorageClass", "", "", "parameters/secretName" },
	{ "", "v1", "Secret", "StorageClass", "", "", "parameters/adminSecretName" },
	{ "", "v1", "Secret", "StorageClass", "", "", "parameters/userSecretName" },
	{ "", "v1", "Secret", "StorageClass", "", "", "parameters/secretRef" },
	{ "", "v1", "Secret", "Role", "", "", "rules/resourceNames" },
	{ "", "v1", "Secret", "ClusterRole", "", "", "rules/resourceNames" },
	{ "", "v1", "Secret", "Service", "serving.knative.dev", "v1", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name" },
	{ "", "v1", "Secret", "PersistentVolume", "", "", "spec/azureFile/secretName" },
	/* Service */
	{ "", "v1", "Service", "StatefulSet", "apps", "", "spec/serviceName" },
	{ "", "v1", "Service", "Ingress", "", "", "spec/rules/http/paths/backend/serviceName" },
	{ "", "v1", "Service", "Ingress", "", "", "spec/backend/serviceName" },
	{ "", "v1", "Service", "Ingress", "", "", "spec/rules/http/paths/backend/service/name" },
	{ "", "v1", "Service", "Ingress", "", "", "spec/defaultBackend/service/name" },
	{ "", "v1", "Service", "APIService", "apiregistration.k8s.io", "", "spec/service/name" },
	{ "", "v1", "Service", "ValidatingWebhookConfiguration", "admissionregistration.k8s.io", "", "webhooks/clientConfig/service" },
	{ "", "v1", "Service", "MutatingWebhookConfiguration", "admissionregistration.k8s.io", "", "webhooks/clientConfig/service" },
	/* Role */
	{ "rbac.authorization.k8s.io", "", "Role", "RoleBinding", "rbac.authorization.k8s.io", "", "roleRef/name" },
	/* ClusterRole */
	{ "rbac.authorization.k8s.io", "", "ClusterRole", "RoleBinding", "rbac.authorization.k8s.io", "", "roleRef/name" },
	{ "rbac.authorization.k8s.io", "", "ClusterRole", "ClusterRoleBinding", "rbac.authorization.k8s.io", "", "roleRef/name" },
	/* ServiceAccount */
	{ "", "v1", "ServiceAccount", "RoleBinding", "rbac.authorization.k8s.io", "", "subjects" },
	{ "", "v1", "ServiceAccount", "ClusterRoleBinding", "rbac.authorization.k8s.io", "", "subjects" },
	{ "", "v1", "ServiceAccount", "Pod", "", "", "spec/serviceAccountName" },
	{ "", "v1", "ServiceAccount", "StatefulSet", "", "", "spec/template/spec/serviceAccountName" },
	{ "", "v1", "ServiceAccount", "Deployment", "", "", "spec/template/spec/serviceAccountName" },
	{ "", "v1", "ServiceAccount", "ReplicationController", "", "", "spec/template/spec/serviceAccountName" },
	{ "", "v1", "ServiceAccount", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/serviceAccountName" },
	{ "", "v1", "ServiceAccount", "Job", "", "", "spec/template/spec/serviceAccountName" },
	{ "", "v1", "ServiceAccount", "DaemonSet", "", "", "spec/template/spec/serviceAccountName" },
	/* PersistentVolumeClaim */
	{ "", "v1", "PersistentVolumeClaim", "Pod", "", "", "spec/volumes/persistentVolumeClaim/claimName" },
	{ "", "v1", "PersistentVolumeClaim", "StatefulSet", "", "", "spec/template/spec/volumes/persistentVolumeClaim/claimName" },
	{ "", "v1", "PersistentVolumeClaim", "Deployment", "", "", "spec/template/spec/volumes/persistentVolumeClaim/claimName" },
	{ "", "v1", "PersistentVolumeClaim", "ReplicationController", "", "", "spec/template/spec/volumes/persistentVolumeClaim/claimName" },
	{ "", "v1", "PersistentVolumeClaim", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName" },
	{ "", "v1", "PersistentVolumeClaim", "Job", "", "", "spec/template/spec/volumes/persistentVolumeClaim/claimName" },
	{ "", "v1", "PersistentVolumeClaim", "DaemonSet", "", "", "spec/template/spec/volumes/persistentVolumeClaim/claimName" },
	/* PersistentVolume */
	{ "", "v1", "PersistentVolume", "PersistentVolumeClaim", "", "", "spec/volumeName" },
	{ "", "v1", "PersistentVolume", "ClusterRole", "", "", "rules/resourceNames" },
	/* StorageClass */
	{ "storage.k8s.io", "v1", "StorageClass", "PersistentVolume", "", "", "spec/storageClassName" },
	{ "storage.k8s.io", "v1", "StorageClass", "PersistentVolumeClaim", "", "", "spec/storageClassName" },
	{ "storage.k8s.io", "v1", "StorageClass", "StatefulSet", "", "", "spec/volumeClaimTemplates/spec/storageClassName" },
	/* PriorityClass */
	{ "scheduling.k8s.io", "v1", "PriorityClass", "Pod", "", "", "spec/priorityClassName" },
	{ "scheduling.k8s.io", "v1", "PriorityClass", "StatefulSet", "", "", "spec/template/spec/priorityClassName" },
	{ "scheduling.k8s.io", "v1", "PriorityClass", "Deployment", "", "", "spec/template/spec/priorityClassName" },
	{ "scheduling.k8s.io", "v1", "PriorityClass", "ReplicationController", "", "", "spec/template/spec/priorityClassName" },
	{ "scheduling.k8s.io", "v1", "PriorityClass", "CronJob", "", "", "spec/jobTemplate/spec/template/spec/priorityClassName" },
	{ "scheduling.k8s.io", "v1", "PriorityClass", "Job", "", "", "spec/template/spec/priorityClassName" },
	{ "scheduling.k8s.io", "v1", "PriorityClass", "DaemonSet", "", "", "spec/template/spec/priorityClassName" },
	/* IngressClass */
	{ "networking.k8s.io/v1", "v1", "IngressClass", "Ingress", "", "", "spec/ingressClassName" },
};

#define N_BUILTIN (sizeof(builtin_refs) / sizeof(builtin_refs[0]))

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static int fieldspecs_push(struct kz_fieldspecs *fs, const struct builtin_ref *r, struct gitops_err *err)
{
	struct kz_fieldspec *f;

	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 8;
		struct kz_fieldspec *v = realloc(fs->v, cap * sizeof(*v));

		if (!v)
			return gitops_err_oom(err);
		fs->v = v;
		fs->cap = cap;
	}
	f = &fs->v[fs->n];
	memset(f, 0, sizeof(*f));
	f->group = dup_or_null(r->referrer_group);
	f->version = dup_or_null(r->referrer_version);
	f->kind = dup_or_null(r->referrer_kind);
	f->path = strdup(r->path);
	f->create = 0;
	if ((*r->referrer_group && !f->group) || (*r->referrer_version && !f->version) ||
	    (*r->referrer_kind && !f->kind) || !f->path) {
		free(f->group);
		free(f->version);
		free(f->kind);
		free(f->path);
		return gitops_err_oom(err);
	}
	fs->n++;
	return 0;
}

/* The entry for a referral kind: the one already there, or a new one at the end. */
static struct kz_nameref *nameref_entry(struct kz_config *cfg, const struct builtin_ref *r, struct gitops_err *err)
{
	struct kz_nameref *e;
	size_t i;

	for (i = 0; i < cfg->n_namerefs; i++) {
		e = &cfg->namerefs[i];
		if (same_str(e->group, r->group) && same_str(e->version, r->version) && same_str(e->kind, r->kind))
			return e;
	}
	if (cfg->n_namerefs == cfg->cap_namerefs) {
		size_t cap = cfg->cap_namerefs ? cfg->cap_namerefs * 2 : 16;
		struct kz_nameref *v = realloc(cfg->namerefs, cap * sizeof(*v));

		if (!v) {
			gitops_err_oom(err);
			return NULL;
		}
		cfg->namerefs = v;
		cfg->cap_namerefs = cap;
	}
	e = &cfg->namerefs[cfg->n_namerefs];
	memset(e, 0, sizeof(*e));
	e->group = dup_or_null(r->group);
	e->version = dup_or_null(r->version);
	e->kind = dup_or_null(r->kind);
	if ((*r->group && !e->group) || (*r->version && !e->version) || !e->kind) {
		free(e->group);
		free(e->version);
		free(e->kind);
		gitops_err_oom(err);
		return NULL;
	}
	cfg->n_namerefs++;
	return e;
}

int kz_config_add_builtin_namerefs(struct kz_config *cfg, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < N_BUILTIN; i++) {
		struct kz_nameref *e = nameref_entry(cfg, &builtin_refs[i], err);

		if (!e || fieldspecs_push(&e->referrers, &builtin_refs[i], err))
			return -1;
	}
	return 0;
}

/* --- the transformer --- */

/* kustomize's namespace for what is not in one (resid.TotallyNotANamespace) */
#define NOT_A_NAMESPACE "_non_namespaceable_"

/* A comma-separated annotation split as Go's strings.Split (absent: no items; "" one empty item). */
struct csv {
	char **v;     /* owned: the pointers, then the text they point into, cut at the commas */
	size_t n;
};

struct prev_id {
	const char *name, *kind, *ns; /* into the csv copies */
};

/* What the transformer knows of one resource (its ids do not change during the pass). */
/* A resource's current id: kz_id without its 254-byte group buffer (a walk holds one per resource) */
struct rid {
	const char *group; /* "" or owned */
	const char *version, *kind, *name, *ns;
};

struct res {
	cJSON *obj;
	struct rid cur;
	int cluster;                  /* the current kind is cluster-scoped */
	const char *cur_eff_ns;       /* effective current namespace */
	const char *org_eff_ns;       /* effective namespace of the original id */
	const char *org_kind;
	struct csv names, kinds, nss, prefixes, suffixes;
	struct prev_id *prev;
	size_t n_prev;
	struct gitops_buf ref_by;     /* referrers noted in this pass, written to KZ_ANN_REF_BY at the end */
};

/* Every earlier name to the resources that had it (indices into the resources, in their order). */
struct name_slot {
	const char *name;             /* NULL: free */
	size_t *idx;
	uint32_t n, cap;
};

struct name_index {
	struct name_slot *slots;
	size_t cap;                   /* a power of two */
};

struct walk {
	struct res *rs;
	size_t n_rs;
	const struct name_index *index;
	struct res *referrer;
	const char **rb_ns;           /* a RoleBinding referrer: its ServiceAccount subjects' namespaces */
	size_t n_rb_ns;
	const struct kz_nameref *target;
	const struct kz_fieldspec *fs;
	size_t *scratch;              /* room for n_rs indices */
	struct gitops_err *err;
};

/* one block for the pointers and the text: a build splits five lists for every resource */
static int csv_split(struct csv *out, const char *text, struct gitops_err *err)
{
	size_t n = 1, i = 0, len;
	const char *q;
	char *p;

	memset(out, 0, sizeof(*out));
	if (!text)
		return 0;
	for (q = text; *q; q++)
		n += *q == ',';
	len = (size_t)(q - text);
	if (!(out->v = malloc(n * sizeof(*out->v) + len + 1)))
		return gitops_err_oom(err);
	p = memcpy(out->v + n, text, len + 1);
	out->v[i++] = p;
	for (; *p; p++)
		if (*p == ',') {
			*p = 0;
			out->v[i++] = p + 1;
		}
	out->n = n;
	return 0;
}

static void csv_release(struct csv *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/*
 * An earlier namespace as recorded: kustomize writes the effective one
 * ("default" for none); kz_res_rename writes "[noNs]" for none, read here
 * as none (the same effective namespace).
 */
static const char *raw_ns(const char *ns)
{
	return !ns || !strcmp(ns, "[noNs]") ? "" : ns;
}

/* resid.ResId.EffectiveNamespace */
static const char *effective_ns(const char *group, const char *kind, const char *ns)
{
	if (kz_kind_cluster_scoped(group, kind))
		return NOT_A_NAMESPACE;
	return *ns ? ns : "default";
}

static void res_release(struct res *r)
{
	csv_release(&r->names);
	csv_release(&r->kinds);
	csv_release(&r->nss);
	csv_release(&r->prefixes);
	csv_release(&r->suffixes);
	free(r->prev);
	gitops_buf_release(&r->ref_by);
	if (r->cur.group && *r->cur.group)
		free((char *)r->cur.group);
}

static int res_init(struct res *r, cJSON *obj, struct gitops_err *err)
{
	size_t i;

	struct kz_id id;

	memset(r, 0, sizeof(*r));
	r->obj = obj;
	kz_id_of(&id, obj);
	r->cur.group = "";
	if (*id.group && !(r->cur.group = strdup(id.group)))
		return gitops_err_oom(err);
	r->cur.version = id.version;
	r->cur.kind = id.kind;
	r->cur.name = id.name;
	r->cur.ns = id.ns;
	r->cluster = kz_kind_cluster_scoped(r->cur.group, r->cur.kind);
	r->cur_eff_ns = effective_ns(r->cur.group, r->cur.kind, r->cur.ns);
	if (csv_split(&r->names, kz_res_annotation(obj, KZ_ANN_PREV_NAMES), err) ||
	    csv_split(&r->kinds, kz_res_annotation(obj, KZ_ANN_PREV_KINDS), err) ||
	    csv_split(&r->nss, kz_res_annotation(obj, KZ_ANN_PREV_NAMESPACES), err) ||
	    csv_split(&r->prefixes, kz_res_annotation(obj, KZ_ANN_PREFIXES), err) ||
	    csv_split(&r->suffixes, kz_res_annotation(obj, KZ_ANN_SUFFIXES), err))
		return -1;
	if (r->names.n) {
		if (r->names.n != r->kinds.n || r->names.n != r->nss.n)
			return gitops_err_set(err, GITOPS_EXIT_INTERNAL,
					      "number of previous names, number of previous namespaces, "
					      "number of previous kinds not equal");
		if (!(r->prev = calloc(r->names.n, sizeof(*r->prev))))
			return gitops_err_oom(err);
		for (i = 0; i < r->names.n; i++) {
			r->prev[i].name = r->names.v[i];
			r->prev[i].kind = r->kinds.v[i];
			r->prev[i].ns = raw_ns(r->nss.v[i]);
		}
		r->n_prev = r->names.n;
		r->org_kind = r->prev[0].kind;
		r->org_eff_ns = effective_ns(r->cur.group, r->prev[0].kind, r->prev[0].ns);
	} else {
		r->org_kind = r->cur.kind;
		r->org_eff_ns = r->cur_eff_ns;
	}
	return 0;
}

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037ULL & (size_t)-1;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (1099511628211ULL & (size_t)-1);
	return h;
}

static struct name_slot *index_slot(const struct name_index *ix, const char *name)
{
	size_t i = name_hash(name) & (ix->cap - 1);

	while (ix->slots[i].name && strcmp(ix->slots[i].name, name))
		i = (i + 1) & (ix->cap - 1);
	return &ix->slots[i];
}

static void index_release(struct name_index *ix)
{
	size_t i;

	for (i = 0; ix->slots && i < ix->cap; i++)
		free(ix->slots[i].idx);
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

/* Index every renamed resource under each of its earlier names (the names are borrowed from rs). */
static int index_build(struct name_index *ix, const struct res *rs, size_t n_rs, struct gitops_err *err)
{
	size_t total = 0, i, j;

	for (i = 0; i < n_rs; i++)
		total += rs[i].n_prev;
	/* at most two thirds full */
	for (ix->cap = 16; ix->cap < total + total / 2; ix->cap *= 2)
		;
	if (!(ix->slots = calloc(ix->cap, sizeof(*ix->slots))))
		return gitops_err_oom(err);
	for (i = 0; i < n_rs; i++)
		for (j = 0; j < rs[i].n_prev; j++) {
			struct name_slot *sl = index_slot(ix, rs[i].prev[j].name);

			sl->name = rs[i].prev[j].name;
			if (sl->n && sl->idx[sl->n - 1] == i)
				continue;
			if (sl->n == sl->cap) {
				uint32_t cap = sl->cap ? sl->cap * 2 : 2;
				size_t *v = realloc(sl->idx, cap * sizeof(*v));

				if (!v)
					return gitops_err_oom(err);
				sl->idx = v;
				sl->cap = cap;
			}
			sl->idx[sl->n++] = i;
		}
	return 0;
}

/* resid.Gvk.IsSelected: each of the selector's group, version, kind empty or equal */
static int gvk_selected(const char *sel_group, const char *sel_version, const char *sel_kind, const char *group,
			const char *version, const char *kind)
{
	return (!sel_group || !*sel_group || !strcmp(sel_group, group)) &&
	       (!sel_version || !*sel_version || !strcmp(sel_version, version)) &&
	       (!sel_kind || !*sel_kind || !strcmp(sel_kind, kind));
}

/* resid.ResId.String: Kind.version.group/name.namespace */
static int id_string(struct gitops_buf *b, const struct rid *id)
{
	return gitops_buf_printf(b, "%s.%s.%s/%s.%s", *id->kind ? id->kind : "[noKind]",
			  *id->version ? id->version : "[noVer]", *id->group ? id->group : "[noGrp]",
			  *id->name ? id->name : "[noName]", *id->ns ? id->ns : "[noNs]");
}

/* Is `shorter` the end of `longer` (or the other way round)?  utils.SameEndingSubSlice */
static int same_ending(const struct csv *a, const struct csv *b)
{
	const struct csv *lo = a, *sh = b;
	size_t diff, i;

	if (lo->n < sh->n) {
		lo = b;
		sh = a;
	}
	diff = lo->n - sh->n;
	if (!sh->n)
		return diff == 0;
	for (i = 0; i < sh->n; i++)
		if (strcmp(lo->v[i + diff], sh->v[i]))
			return 0;
	return 1;
}

static int prev_selected(const struct res *r, const char *group, const char *version, const char *kind)
{
	size_t i;

	for (i = 0; i < r->n_prev; i++)
		if (gvk_selected(group, version, kind, r->cur.group, r->cur.version, r->prev[i].kind))
			return 1;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Keep the candidates `keep` accepts: returns the new count. */
typedef int (*sieve_fn)(const struct walk *w, const struct res *r, const void *arg);

static size_t sieve(const struct walk *w, size_t *v, size_t n, sieve_fn keep, const void *arg)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (keep(w, &w->rs[v[i]], arg))
			v[k++] = v[i];
	return k;
}

static int keep_target(const struct walk *w, const struct res *r, const void *arg)
{
	(void)arg;
	return prev_selected(r, w->target->group, w->target->version, w->target->kind);
}

struct role_ref {
	const char *group, *kind;
};

static int keep_role_ref(const struct walk *w, const struct res *r, const void *arg)
{
	const struct role_ref *rr = arg;

	(void)w;
	return prev_selected(r, rr->group, NULL, rr->kind);
}

static int keep_same_ns(const struct walk *w, const struct res *r, const void *arg)
{
	(void)arg;
	if (w->referrer->cluster || r->cluster || !strcmp(r->cur.kind, "ServiceAccount"))
		return 1;
	return !strcmp(w->referrer->cur_eff_ns, r->cur_eff_ns);
}

/*
 * Resource.PrefixesSuffixesEquals: the prefixes (and the suffixes) end
 * alike; with allow_empty (kustomize's first, coarser pass) a side where
 * either has none matches anything.
 */
static int keep_prefix_suffix(const struct walk *w, const struct res *r, const void *arg)
{
	const struct csv *rp = &r->prefixes, *op = &w->referrer->prefixes;
	const struct csv *rs = &r->suffixes, *os = &w->referrer->suffixes;

	if (*(const int *)arg)
		return (!rp->n || !op->n || same_ending(rp, op)) && (!rs->n || !os->n || same_ending(rs, os));
	return same_ending(rp, op) && same_ending(rs, os);
}

/* The scalar text of a mapping's member (kyaml's YNode().Value), or NULL. */
static const char *member_text(const cJSON *map, const char *key)
{
	const cJSON *v = gitops_value_get(map, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * nameref.Filter.selectReferral over v (the candidates that had the
 * name): *out the index of the referral, or (size_t)-1 when none.
 * with_ns: candidates must agree on the namespace too to count as one.
 */
static int select_referral(size_t *out, struct walk *w, size_t *v, size_t n, int with_ns)
{
	static const int allow_empty = 1, exact = 0;
	struct role_ref rr = { NULL, NULL };
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i;
	int rc;

	*out = (size_t)-1;
	n = sieve(w, v, n, keep_target, NULL);
	if (ends_with(w->fs->path, "roleRef/name")) {
		const cJSON *ref = gitops_value_get(w->referrer->obj, "roleRef");

		/* kustomize lets everything through when roleRef, its apiGroup or its kind is missing */
		if (cJSON_IsObject(ref) && gitops_value_get(ref, "apiGroup") && gitops_value_get(ref, "kind")) {
			rr.group = member_text(ref, "apiGroup");
			rr.kind = member_text(ref, "kind");
			if (!rr.group)
				rr.group = "";
			if (!rr.kind)
				rr.kind = "";
			n = sieve(w, v, n, keep_role_ref, &rr);
		}
	}
	n = sieve(w, v, n, keep_same_ns, NULL);
	if (n == 1)
		goto found;
	n = sieve(w, v, n, keep_prefix_suffix, &allow_empty);
	if (n > 1)
		n = sieve(w, v, n, keep_prefix_suffix, &exact);
	if (n == 1)
		goto found;
	if (!n)
		return 0;
	for (i = 1; i < n; i++) {
		const struct res *a = &w->rs[v[0]], *c = &w->rs[v[i]];

		if (strcmp(a->cur.name, c->cur.name) || (with_ns && strcmp(a->cur.ns, c->cur.ns)))
			break;
	}
	if (i == n)
		goto found;
	rc = gitops_buf_addstr(&b, "found multiple possible referrals: ");
	for (i = 0; i < n && rc >= 0; i++)
		if ((i && gitops_buf_addstr(&b, ", ") < 0) || (rc = id_string(&b, &w->rs[v[i]].cur)) < 0)
			rc = -1;
	if (rc < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(w->err);
	}
	rc = gitops_err_set(w->err, GITOPS_EXIT_INPUT, "%s", b.data);
	gitops_buf_release(&b);
	return rc;
found:
	*out = v[0];
	return 0;
}

/*
 * Resource.AppendRefBy: note that the referrer refers to the referral
 * (gathered here, written once at the end: a ConfigMap thousands of
 * objects mount would otherwise copy its annotation thousands of times).
 */
static int record_referral(struct walk *w, struct res *referral)
{
	struct gitops_buf *b = &referral->ref_by;
	size_t len = b->len;

	if (!len) {
		const char *old = kz_res_annotation(referral->obj, KZ_ANN_REF_BY);

		if (old && *old && gitops_buf_addstr(b, old))
			return gitops_err_oom(w->err);
	}
	if ((b->len && gitops_buf_addstr(b, ",")) || id_string(b, &w->referrer->cur) < 0)
		return gitops_err_oom(w->err);
	return 0;
}

static int set_string(cJSON *node, const char *s, struct gitops_err *err)
{
	if (!strcmp(node->valuestring, s))
		return 0;
	return cJSON_SetValuestring(node, s) ? 0 : gitops_err_oom(err);
}

/*
 * ResMap.SubsetThatCouldBeReferencedByResource: everything for a
 * cluster-scoped referrer; else cluster-scoped objects, the referrer's
 * namespace, and a RoleBinding's ServiceAccount subjects' namespaces.
 */
static int in_subset(const struct walk *w, const struct res *r)
{
	size_t i;

	if (w->referrer->cluster || r->cluster || !strcmp(r->cur_eff_ns, w->referrer->cur_eff_ns))
		return 1;
	for (i = 0; i < w->n_rb_ns; i++)
		if (!strcmp(w->rb_ns[i], r->cur.ns))
			return 1;
	return 0;
}

/* Into w->scratch: the candidates that had `name`, in the resources' order. */
static size_t had_name(struct walk *w, const char *name)
{
	const struct name_slot *sl = index_slot(w->index, name);
	size_t i, n = 0;

	for (i = 0; sl->name && i < sl->n; i++)
		if (in_subset(w, &w->rs[sl->idx[i]]))
			w->scratch[n++] = sl->idx[i];
	return n;
}

static int set_scalar(struct walk *w, cJSON *node)
{
	size_t pick, n = had_name(w, node->valuestring);

	if (!n)
		return 0;
	if (select_referral(&pick, w, w->scratch, n, 0))
		return -1;
	if (pick == (size_t)-1)
		return 0;
	if (record_referral(w, &w->rs[pick]))
		return -1;
	return set_string(node, w->rs[pick].cur.name, w->err);
}

static int set_mapping(struct walk *w, cJSON *node)
{
	cJSON *name = gitops_value_get(node, "name"), *nsnode = gitops_value_get(node, "namespace");
	const struct res *ref;
	size_t i, k, n, pick;

	if (!name)
		return gitops_err_set(w->err, GITOPS_EXIT_INPUT, "path config error; no 'name' field in node");
	if (!cJSON_IsString(name))
		return 0;
	n = had_name(w, name->valuestring);
	if (n && nsnode) {
		/*
		 * ResMap.GroupedByOriginalNamespace of the candidates if any
		 * has the namespace, else GroupedByCurrentNamespace (neither
		 * groups cluster-scoped objects)
		 */
		const char *ns = cJSON_IsString(nsnode) ? nsnode->valuestring : "";
		int original = 0;

		for (i = 0; i < w->n_rs && !original && strcmp(ns, NOT_A_NAMESPACE); i++)
			original = !strcmp(w->rs[i].org_eff_ns, ns) && in_subset(w, &w->rs[i]);
		for (i = 0, k = 0; i < n; i++) {
			const struct res *r = &w->rs[w->scratch[i]];

			if (strcmp(ns, NOT_A_NAMESPACE) && !strcmp(original ? r->org_eff_ns : r->cur_eff_ns, ns))
				w->scratch[k++] = w->scratch[i];
		}
		n = k;
	}
	if (!n)
		return 0;
	if (select_referral(&pick, w, w->scratch, n, 1))
		return -1;
	if (pick == (size_t)-1)
		return 0;
	ref = &w->rs[pick];
	if (record_referral(w, &w->rs[pick]))
		return -1;
	if (!strcmp(ref->cur.name, name->valuestring) && !*ref->cur.ns)
		return 0;
	if (set_string(name, ref->cur.name, w->err))
		return -1;
	if (!*ref->cur.ns)
		return 0;
	if (cJSON_IsString(nsnode))
		return set_string(nsnode, ref->cur.ns, w->err);
	{
		cJSON *v = cJSON_CreateString(ref->cur.ns);

		if (!v || gitops_value_set(node, "namespace", v)) {
			cJSON_Delete(v);
			return gitops_err_oom(w->err);
		}
	}
	return 0;
}

/* nameref.Filter.set: the node the fieldspec path reached */
static int set_node(struct walk *w, cJSON *node)
{
	cJSON *item;

	if (cJSON_IsString(node))
		return set_scalar(w, node);
	if (cJSON_IsObject(node))
		return set_mapping(w, node);
	if (cJSON_IsArray(node))
		for (item = node->child; item; item = item->next) {
			if (cJSON_IsString(item) && set_scalar(w, item))
				return -1;
			if (cJSON_IsObject(item) && set_mapping(w, item))
				return -1;
		}
	return 0;
}

/* A step's key: a fieldspec path holds keys only (a "0" may parse as an index that a mapping takes as a key). */
static const char *step_key(const struct gitops_path_step *s)
{
	return s->kind == GITOPS_PATH_KEY || s->kind == GITOPS_PATH_INDEX || s->kind == GITOPS_PATH_APPEND ? s->key
													   : NULL;
}

/* kyaml's fieldspec.Filter without create: walk the path, every item of a sequence met on the way. */
static int walk_path(struct walk *w, cJSON *node, const struct gitops_path *p, size_t i)
{
	if (!node || cJSON_IsNull(node))
		return 0;
	if (i == p->n)
		return set_node(w, node);
	if (cJSON_IsArray(node)) {
		cJSON *item;

		for (item = node->child; item; item = item->next)
			if (walk_path(w, item, p, i)) {
				struct gitops_buf b = GITOPS_BUF_INIT;
				size_t j;

				for (j = i; j < p->n; j++) {
					gitops_buf_addstr(&b, j > i ? " " : "");
					gitops_buf_addstr(&b, step_key(&p->steps[j]) ? step_key(&p->steps[j]) : "");
				}
				gitops_err_prefix(w->err, "visit traversal on path: [%s]", b.data ? b.data : "");
				gitops_buf_release(&b);
				return -1;
			}
		return 0;
	}
	if (cJSON_IsObject(node)) {
		const char *key = step_key(&p->steps[i]);

		return key ? walk_path(w, gitops_value_get(node, key), p, i + 1) : 0;
	}
	/* a scalar where the path goes on */
	return gitops_err_set(w->err, GITOPS_EXIT_INPUT, "expected sequence or mapping node");
}

/*
 * A RoleBinding referrer's ServiceAccount subjects' namespaces (borrowed
 * from the referrer) into w->rb_ns; kustomize's error for one that is not
 * a string.
 */
static int role_binding_namespaces(struct walk *w)
{
	const struct res *referrer = w->referrer;
	const cJSON *subjects, *s;
	int n = 0;

	w->n_rb_ns = 0;
	if (strcmp(referrer->cur.kind, "RoleBinding") ||
	    !cJSON_IsArray(subjects = gitops_value_get(referrer->obj, "subjects")))
		return 0;
	if (!(n = cJSON_GetArraySize(subjects)) || !(w->rb_ns = malloc((size_t)n * sizeof(*w->rb_ns))))
		return n ? gitops_err_oom(w->err) : 0;
	for (s = subjects->child; s; s = s->next) {
		const cJSON *ns = gitops_value_get(s, "namespace"), *kind = gitops_value_get(s, "kind");

		if (!ns || !cJSON_IsString(kind) || strcmp(kind->valuestring, "ServiceAccount"))
			continue;
		if (!cJSON_IsString(ns)) {
			struct gitops_buf b = GITOPS_BUF_INIT;
			int rc;

			id_string(&b, &referrer->cur);
			rc = gitops_err_set(w->err, GITOPS_EXIT_INPUT, "Invalid Input: namespace is blank for resource \"%s\"",
					    b.data ? b.data : "");
			gitops_buf_release(&b);
			return rc;
		}
		w->rb_ns[w->n_rb_ns++] = ns->valuestring;
	}
	return 0;
}

/* kyaml's resid orderFirst / orderLast: the kinds Gvk.IsLessThan ranks first and last */
static const char *const order_first[] = {
	"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
	"PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
	"Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
	"Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
};
static const char *const order_last[] = { "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" };

static int kind_rank(const char *kind)
{
	int n = (int)(sizeof(order_first) / sizeof(order_first[0])), i;

	for (i = 0; kind && i < n; i++)
		if (!strcmp(kind, order_first[i]))
			return i - n;
	for (i = 0; kind && i < (int)(sizeof(order_last) / sizeof(order_last[0])); i++)
		if (!strcmp(kind, order_last[i]))
			return i + 1;
	return 0;
}

/* Gvk.IsLessThan's tie-break: group_version_kind, "~G", "~V", "~K" for none (kyaml's legacy sort string) */
static int gvk_cmp_text(const struct kz_nameref *a, const struct kz_nameref *b)
{
	const char *fa[3] = { a->group, a->version, a->kind }, *fb[3] = { b->group, b->version, b->kind };
	static const char *const none[3] = { "~G", "~V", "~K" };
	struct gitops_buf x = GITOPS_BUF_INIT, y = GITOPS_BUF_INIT;
	int i, rc;

	for (i = 0; i < 3; i++) {
		gitops_buf_printf(&x, "%s%s", i ? "_" : "", fa[i] && *fa[i] ? fa[i] : none[i]);
		gitops_buf_printf(&y, "%s%s", i ? "_" : "", fb[i] && *fb[i] ? fb[i] : none[i]);
	}
	rc = strcmp(x.data ? x.data : "", y.data ? y.data : "");
	gitops_buf_release(&x);
	gitops_buf_release(&y);
	return rc;
}

/*
 * The order kustomize runs the entries in: its TransformerConfig sorts
 * them by referral Gvk (sortFields), so a reference two entries could
 * rewrite (an HPA's scaleTargetRef, rules/resourceNames) goes to the
 * kind sorted first.  Insertion sort: a handful of entries.
 */
static void sort_entries(size_t *order, const struct kz_nameref *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		size_t x = order[i] = i;

		for (j = i; j > 0; j--) {
			const struct kz_nameref *a = &v[x], *b = &v[order[j - 1]];
			int ra = kind_rank(a->kind), rb = kind_rank(b->kind);

			if (ra > rb || (ra == rb && gvk_cmp_text(a, b) >= 0))
				break;
			order[j] = order[j - 1];
		}
		order[j] = x;
	}
}

/*
 * The field specs a referrer is picked by (kustomize matches them by the
 * original id's group, version and kind), in the walk's order: worked out
 * once per such (group, version, kind), not over the whole nameReference
 * table at each resource.
 */
struct gvk_pick {
	const char *group, *version, *kind; /* borrowed from the first resource of them */
	struct gvk_pick_at {
		size_t i, j; /* the i-th nameReference entry in walk order, its j-th referrer */
	} *v;
	size_t n;
};

struct gvk_picks {
	struct gvk_pick *v;
	size_t n, cap;
	struct gvk_pick *spare; /* past GVK_PICKS_MAX kinds: worked out again each time, here */
};

#define GVK_PICKS_MAX 64

static void gvk_pick_fill_release(struct gvk_pick *pk)
{
	free(pk->v);
	pk->v = NULL;
	pk->n = 0;
}

static int gvk_pick_fill(struct gvk_pick *pk, const struct kz_config *cfg, const size_t *order, const struct res *rs,
			 struct gitops_err *err)
{
	size_t i, j, total = 0;

	for (i = 0; i < cfg->n_namerefs; i++)
		total += cfg->namerefs[i].referrers.n;
	pk->group = rs->cur.group;
	pk->version = rs->cur.version;
	pk->kind = rs->org_kind;
	pk->n = 0;
	if (!(pk->v = malloc((total ? total : 1) * sizeof(*pk->v))))
		return gitops_err_oom(err);
	for (i = 0; i < cfg->n_namerefs; i++)
		for (j = 0; j < cfg->namerefs[order[i]].referrers.n; j++) {
			const struct kz_fieldspec *fs = &cfg->namerefs[order[i]].referrers.v[j];

			if (gvk_selected(fs->group, fs->version, fs->kind, rs->cur.group, rs->cur.version, rs->org_kind)) {
				pk->v[pk->n].i = i;
				pk->v[pk->n++].j = j;
			}
		}
	return 0;
}

static const struct gvk_pick *gvk_picks(struct gvk_picks *ps, const struct kz_config *cfg, const size_t *order,
					const struct res *rs, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].kind, rs->org_kind) && !strcmp(ps->v[i].version, rs->cur.version) &&
		    !strcmp(ps->v[i].group, rs->cur.group))
			return &ps->v[i];
	if (ps->n == GVK_PICKS_MAX) {
		if (!ps->spare && !(ps->spare = calloc(1, sizeof(*ps->spare)))) {
			gitops_err_oom(err);
			return NULL;
		}
		gvk_pick_fill_release(ps->spare);
		return gvk_pick_fill(ps->spare, cfg, order, rs, err) ? NULL : ps->spare;
	}
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 8;
		struct gvk_pick *v = realloc(ps->v, cap * sizeof(*v));

		if (!v) {
			gitops_err_oom(err);
			return NULL;
		}
		ps->v = v;
		ps->cap = cap;
	}
	if (gvk_pick_fill(&ps->v[ps->n], cfg, order, rs, err))
		return NULL;
	return &ps->v[ps->n++];
}

static void gvk_picks_release(struct gvk_picks *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		gvk_pick_fill_release(&ps->v[i]);
	free(ps->v);
	if (ps->spare)
		gvk_pick_fill_release(ps->spare);
	free(ps->spare);
	memset(ps, 0, sizeof(*ps));
}

int kz_fix_name_references(struct kz_resmap *m, struct kz_ctx *c, struct gitops_err *err)
{
	const struct kz_config *cfg = c ? c->config : NULL;
	struct name_index index = { NULL, 0 };
	struct gitops_path *paths = NULL;
	unsigned char *parsed = NULL;
	struct res *rs = NULL;
	size_t *scratch = NULL, *order = NULL, *base = NULL;
	size_t n_specs = 0, i, j, k, r, n_rs = 0;
	struct walk w;
	struct gvk_picks picks = { NULL, 0, 0, NULL };
	int rc = -1;

	memset(&w, 0, sizeof(w));
	if (!cfg || !cfg->n_namerefs || !m->n)
		return 0;
	for (i = 0; i < cfg->n_namerefs; i++)
		n_specs += cfg->namerefs[i].referrers.n;
	if (!(paths = calloc(n_specs ? n_specs : 1, sizeof(*paths))) || !(parsed = calloc(n_specs ? n_specs : 1, 1)) ||
	    !(rs = calloc(m->n, sizeof(*rs))) ||
	    !(scratch = malloc(m->n * sizeof(*scratch))) || !(order = malloc(cfg->n_namerefs * sizeof(*order))) ||
	    !(base = malloc(cfg->n_namerefs * sizeof(*base)))) {
		gitops_err_oom(err);
		goto done;
	}
	sort_entries(order, cfg->namerefs, cfg->n_namerefs);
	/* a field spec's path is parsed when a resource first needs it: most never apply */
	for (i = 0, k = 0; i < cfg->n_namerefs; i++)
		base[i] = k, k += cfg->namerefs[i].referrers.n;
	for (; n_rs < m->n; n_rs++)
		if (res_init(&rs[n_rs], m->v[n_rs], err)) {
			n_rs++;
			goto done;
		}
	if (index_build(&index, rs, n_rs, err))
		goto done;
	w.rs = rs;
	w.n_rs = n_rs;
	w.index = &index;
	w.scratch = scratch;
	w.err = err;
	for (r = 0; r < n_rs; r++) {
		const struct gvk_pick *pick;
		size_t p;

		w.referrer = &rs[r];
		if (!(pick = gvk_picks(&picks, cfg, order, &rs[r], err)))
			goto done;
		/* kustomize's subset for a RoleBinding's subjects: once, when some field spec applies */
		if (pick->n && role_binding_namespaces(&w))
			goto done;
		for (p = 0; p < pick->n; p++) {
			const struct kz_fieldspec *fs;

			i = pick->v[p].i;
			j = pick->v[p].j;
			k = base[order[i]] + j;
			fs = &cfg->namerefs[order[i]].referrers.v[j];
			w.target = &cfg->namerefs[order[i]];
			w.fs = fs;
			if (!parsed[k]) {
				if (gitops_path_parse(&paths[k], GITOPS_PATH_FIELDSPEC, fs->path, 0, err))
					goto done;
				parsed[k] = 1;
			}
			if (walk_path(&w, rs[r].obj, &paths[k], 0)) {
				struct gitops_buf b = GITOPS_BUF_INIT;

				if (err && err->code == GITOPS_EXIT_INTERNAL)
					goto done;
				id_string(&b, &rs[r].cur);
				gitops_err_prefix(err, "updating name reference in '%s' field of '%s': "
						       "considering field '%s' of object %s",
						  fs->path, b.data ? b.data : "", fs->path, b.data ? b.data : "");
				gitops_buf_release(&b);
				goto done;
			}
		}
		free(w.rb_ns);
		w.rb_ns = NULL;
		w.n_rb_ns = 0;
	}
	for (r = 0; r < n_rs; r++)
		if (rs[r].ref_by.len && kz_res_set_annotation(rs[r].obj, KZ_ANN_REF_BY, rs[r].ref_by.data, err))
			goto done;
	rc = 0;
done:
	free(w.rb_ns);
	gvk_picks_release(&picks);
	index_release(&index);
	for (i = 0; paths && parsed && i < n_specs; i++)
		if (parsed[i])
			gitops_path_release(&paths[i]);
	free(paths);
	free(parsed);
	for (i = 0; i < n_rs; i++)
		res_release(&rs[i]);
	free(rs);
	free(scratch);
	free(order);
	free(base);
	return rc;
}
