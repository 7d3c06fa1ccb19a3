/*
 * config.c: the fieldspec tables: kustomize v5.5's builtin defaultconfig
 * (api/internal/konfig/builtinpluginconsts), and `configurations:` files
 * merged in as TransformerConfig.Merge merges them.  The nameReference
 * table's builtin entries belong to nameref.c; files' nameReference entries
 * are read here.
 */
#include "lib/kustomize/kz_fs.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/base/json.h"
#include "lib/value/jsonio.h"
#include "lib/value/path.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

struct fs_row {
	const char *group, *version, *kind, *path;
	int create;
};

#define AFF "spec/template/spec/affinity/"
#define PA_PREF "podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels"
#define PA_REQ "podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels"
#define PAA_PREF \
	"podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels"
#define PAA_REQ "podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels"
#define TSC "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"

/* metadataLabelsFieldSpecs: commonLabels' tail and the whole of templateLabels */
#define METADATA_LABELS                                                                  \
	{ NULL, NULL, NULL, "metadata/labels", 1 },                                      \
	{ NULL, "v1", "ReplicationController", "spec/template/metadata/labels", 1 },     \
	{ NULL, NULL, "Deployment", "spec/template/metadata/labels", 1 },                \
	{ NULL, NULL, "ReplicaSet", "spec/template/metadata/labels", 1 },                \
	{ NULL, NULL, "DaemonSet", "spec/template/metadata/labels", 1 },                 \
	{ "apps", NULL, "StatefulSet", "spec/template/metadata/labels", 1 },             \
	{ "apps", NULL, "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", 1 }, \
	{ "batch", NULL, "Job", "spec/template/metadata/labels", 1 },                    \
	{ "batch", NULL, "CronJob", "spec/jobTemplate/metadata/labels", 1 },             \
	{ "batch", NULL, "CronJob", "spec/jobTemplate/spec/template/metadata/labels", 1 }

static const struct fs_row common_labels[] = {
	{ NULL, "v1", "Service", "spec/selector", 1 },
	{ NULL, "v1", "ReplicationController", "spec/selector", 1 },
	{ NULL, NULL, "Deployment", "spec/selector/matchLabels", 1 },
	{ "apps", NULL, "Deployment", AFF PA_PREF, 0 },
	{ "apps", NULL, "Deployment", AFF PA_REQ, 0 },
	{ "apps", NULL, "Deployment", AFF PAA_PREF, 0 },
	{ "apps", NULL, "Deployment", AFF PAA_REQ, 0 },
	{ "apps", NULL, "Deployment", TSC, 0 },
	{ NULL, NULL, "ReplicaSet", "spec/selector/matchLabels", 1 },
	{ NULL, NULL, "DaemonSet", "spec/selector/matchLabels", 1 },
	{ "apps", NULL, "StatefulSet", "spec/selector/matchLabels", 1 },
	{ "apps", NULL, "StatefulSet", AFF PA_PREF, 0 },
	{ "apps", NULL, "StatefulSet", AFF PA_REQ, 0 },
	{ "apps", NULL, "StatefulSet", AFF PAA_PREF, 0 },
	{ "apps", NULL, "StatefulSet", AFF PAA_REQ, 0 },
	{ "apps", NULL, "StatefulSet", TSC, 0 },
	{ "batch", NULL, "Job", "spec/selector/matchLabels", 0 },
	{ "batch", NULL, "CronJob", "spec/jobTemplate/spec/selector/matchLabels", 0 },
	{ "policy", NULL, "PodDisruptionBudget", "spec/selector/matchLabels", 0 },
	{ "networking.k8s.io", NULL, "NetworkPolicy", "spec/podSelector/matchLabels", 0 },
	{ "networking.k8s.io", NULL, "NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", 0 },
	{ "networking.k8s.io", NULL, "NetworkPolicy", "spec/egress/to/podSelector/matchLabels", 0 },
	METADATA_LABELS,
};

static const struct fs_row template_labels[] = { METADATA_LABELS };

static const struct fs_row common_annotations[] = {
	{ NULL, NULL, NULL, "metadata/annotations", 1 },
	{ NULL, "v1", "ReplicationController", "spec/template/metadata/annotations", 1 },
	{ NULL, NULL, "Deployment", "spec/template/metadata/annotations", 1 },
	{ NULL, NULL, "ReplicaSet", "spec/template/metadata/annotations", 1 },
	{ NULL, NULL, "DaemonSet", "spec/template/metadata/annotations", 1 },
	{ NULL, NULL, "StatefulSet", "spec/template/metadata/annotations", 1 },
	{ "batch", NULL, "Job", "spec/template/metadata/annotations", 1 },
	{ "batch", NULL, "CronJob", "spec/jobTemplate/metadata/annotations", 1 },
	{ "batch", NULL, "CronJob", "spec/jobTemplate/spec/template/metadata/annotations", 1 },
};

static const struct fs_row name_prefix[] = { { NULL, NULL, NULL, "metadata/name", 0 } };

/* metadata/namespace itself is the namespace transformer's own (never on cluster-scoped kinds) */
static const struct fs_row name_space[] = {
	{ NULL, NULL, "Namespace", "metadata/name", 1 },
	{ "apiregistration.k8s.io", NULL, "APIService", "spec/service/namespace", 1 },
	{ "apiextensions.k8s.io", NULL, "CustomResourceDefinition", "spec/conversion/webhook/clientConfig/service/namespace",
	  0 },
};

static const struct fs_row images[] = {
	{ NULL, NULL, NULL, "spec/containers[]/image", 1 },
	{ NULL, NULL, NULL, "spec/initContainers[]/image", 1 },
	{ NULL, NULL, NULL, "spec/template/spec/containers[]/image", 1 },
	{ NULL, NULL, NULL, "spec/template/spec/initContainers[]/image", 1 },
};

/* in the order kustomize v5.5 holds them (its "does not match a config" message lists them so) */
static const struct fs_row replicas[] = {
	{ NULL, NULL, "Deployment", "spec/replicas", 1 },
	{ NULL, NULL, "StatefulSet", "spec/replicas", 1 },
	{ NULL, NULL, "ReplicaSet", "spec/replicas", 1 },
	{ NULL, NULL, "ReplicationController", "spec/replicas", 1 },
};

#define CTR(kind, pre, c)                                                                               \
	{ NULL, NULL, kind, pre c "/args", 0 }, { NULL, NULL, kind, pre c "/command", 0 },              \
	{ NULL, NULL, kind, pre c "/env/value", 0 }, { NULL, NULL, kind, pre c "/volumeMounts/mountPath", 0 }
#define POD(kind, pre, vol) CTR(kind, pre, "containers"), CTR(kind, pre, "initContainers"), \
	{ NULL, NULL, kind, vol "volumes/nfs/server", 0 }

static const struct fs_row var_reference[] = {
	POD("CronJob", "spec/jobTemplate/spec/template/spec/", "spec/jobTemplate/spec/template/"),
	POD("DaemonSet", "spec/template/spec/", "spec/template/spec/"),
	POD("Deployment", "spec/template/spec/", "spec/template/spec/"),
	{ NULL, NULL, "Deployment", "spec/template/metadata/annotations", 0 },
	{ NULL, NULL, "Ingress", "spec/rules/host", 0 },
	{ NULL, NULL, "Ingress", "spec/tls/hosts", 0 },
	{ NULL, NULL, "Ingress", "spec/tls/secretName", 0 },
	POD("Job", "spec/template/spec/", "spec/template/spec/"),
	POD("Pod", "spec/", "spec/"),
	POD("ReplicaSet", "spec/template/spec/", "spec/template/spec/"),
	{ NULL, NULL, "Service", "spec/ports/port", 0 },
	{ NULL, NULL, "Service", "spec/ports/targetPort", 0 },
	CTR("StatefulSet", "spec/template/spec/", "containers"),
	CTR("StatefulSet", "spec/template/spec/", "initContainers"),
	{ NULL, NULL, "StatefulSet", "spec/volumeClaimTemplates/spec/nfs/server", 0 },
	{ NULL, NULL, "PersistentVolume", "spec/nfs/server", 0 },
	{ NULL, NULL, NULL, "metadata/labels", 0 },
	{ NULL, NULL, NULL, "metadata/annotations", 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int empty(const char *s)
{
	return !s || !*s;
}

static int str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static char *dup_or_null(const char *s)
{
	return empty(s) ? NULL : strdup(s);
}

int kz_fieldspecs_add(struct kz_fieldspecs *s, const char *group, const char *version, const char *kind,
		      const char *path, int create, struct gitops_err *err)
{
	struct kz_fieldspec *fs;
	size_t i;

	for (i = 0; i < s->n; i++) {
		fs = &s->v[i];
		if (str_eq(fs->group, group) && str_eq(fs->version, version) && str_eq(fs->kind, kind) &&
		    str_eq(fs->path, path)) {
			if (!fs->create != !create)
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "conflicting fieldspecs");
			return 0;
		}
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct kz_fieldspec *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return gitops_err_oom(err);
		s->v = v;
		s->cap = cap;
	}
	fs = &s->v[s->n];
	memset(fs, 0, sizeof(*fs));
	fs->group = dup_or_null(group);
	fs->version = dup_or_null(version);
	fs->kind = dup_or_null(kind);
	fs->path = strdup(path ? path : "");
	fs->create = !!create;
	if ((!empty(group) && !fs->group) || (!empty(version) && !fs->version) || (!empty(kind) && !fs->kind) ||
	    !fs->path) {
		free(fs->group);
		free(fs->version);
		free(fs->kind);
		free(fs->path);
		return gitops_err_oom(err);
	}
	s->n++;
	return 0;
}

int kz_fieldspecs_merge(struct kz_fieldspecs *dst, const struct kz_fieldspecs *src, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		const struct kz_fieldspec *fs = &src->v[i];

		if (kz_fieldspecs_add(dst, fs->group, fs->version, fs->kind, fs->path, fs->create, err))
			return -1;
	}
	return 0;
}

void kz_fieldspecs_release(struct kz_fieldspecs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].group);
		free(s->v[i].version);
		free(s->v[i].kind);
		free(s->v[i].path);
	}
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

int kz_fs_selects_id(const struct kz_fieldspec *fs, const struct kz_id *id)
{
	if (!empty(fs->kind) && strcmp(fs->kind, id->kind))
		return 0;
	if (!empty(fs->group) && strcmp(fs->group, id->group))
		return 0;
	if (!empty(fs->version) && strcmp(fs->version, id->version))
		return 0;
	return 1;
}

int kz_gvk_string(struct gitops_buf *out, const char *group, const char *version, const char *kind)
{
	return gitops_buf_printf(out, "%s.%s.%s", empty(kind) ? "[noKind]" : kind,
				 empty(version) ? "[noVer]" : version, empty(group) ? "[noGrp]" : group);
}

/* Turn a null into an empty node of `type` in place (kustomize makes the field where a null stands). */
static int null_to(cJSON *node, int type, struct gitops_err *err)
{
	int keep = node->type & cJSON_StringIsConst; /* a static key stays */

	if (type == cJSON_Object) {
		node->type = cJSON_Object | keep;
		return 0;
	}
	node->type = cJSON_String | keep;
	if (!(node->valuestring = strdup("")))
		return gitops_err_oom(err);
	return 0;
}

/*
 * kustomize's fsslice walk: from step i on, a sequence met where a key is due is walked item by item, a
 * missing (or null) member created when the fieldspec says create (a mapping on the way, `create_type` at
 * the end; nothing when a `name[]` member is still ahead), a scalar on the way ends the walk.
 */
static int walk(cJSON *node, const struct kz_fieldspec *fs, const struct gitops_path *p, size_t i, int create_type,
		kz_fs_visit_fn fn, void *ctx, struct gitops_err *err)
{
	const struct gitops_path_step *st;
	cJSON *child;

	if (i == p->n) {
		if (cJSON_IsNull(node)) {
			if (!fs->create || !create_type)
				return 0;
			if (null_to(node, create_type, err))
				return -1;
		}
		return fn(node, ctx, err);
	}
	if (cJSON_IsArray(node)) {
		cJSON *it;

		cJSON_ArrayForEach(it, node)
			if (walk(it, fs, p, i, create_type, fn, ctx, err))
				return -1;
		return 0;
	}
	st = &p->steps[i];
	if (!cJSON_IsObject(node) || st->kind != GITOPS_PATH_KEY)
		return 0;
	child = gitops_value_get(node, st->key);
	if (!child || cJSON_IsNull(child)) {
		size_t j;

		if (!fs->create || !create_type)
			return 0;
		/* a `name[]` sequence is never made, so nothing on the way to one is */
		for (j = i; j < p->n; j++)
			if (p->steps[j].flags & GITOPS_PATH_STEP_SEQ)
				return 0;
		if (!child) {
			if (!(child = i + 1 == p->n && create_type != cJSON_Object ? cJSON_CreateString("")
										     : cJSON_CreateObject()))
				return gitops_err_oom(err);
			if (!cJSON_AddItemToObject(node, st->key, child)) {
				cJSON_Delete(child);
				return gitops_err_oom(err);
			}
		} else if (null_to(child, i + 1 == p->n ? create_type : cJSON_Object, err)) {
			return -1;
		}
	}
	return walk(child, fs, p, i + 1, create_type, fn, ctx, err);
}

static int apply_path(cJSON *obj, const struct kz_fieldspec *fs, const struct gitops_path *p, int create_type,
		      kz_fs_visit_fn fn, void *ctx, struct gitops_err *err)
{
	return walk(obj, fs, p, 0, create_type, fn, ctx, err);
}

static int parse_fs_path(struct gitops_path *p, const struct kz_fieldspec *fs, struct gitops_err *err)
{
	if (gitops_path_parse(p, GITOPS_PATH_FIELDSPEC, fs->path, fs->create ? GITOPS_PATH_CREATE : 0, err)) {
		/* a bad path in a configuration is the input's fault */
		err->code = GITOPS_EXIT_INPUT;
		return -1;
	}
	return 0;
}

int kz_resid_string(struct gitops_buf *out, const cJSON *obj)
{
	struct kz_id id;

	kz_id_of(&id, obj);
	return kz_gvk_string(out, id.group, id.version, id.kind) ||
	       gitops_buf_printf(out, "/%s.%s", id.name, *id.ns ? id.ns : "[noNs]");
}

int kz_fs_apply(cJSON *obj, const struct kz_fieldspec *fs, int create_type, kz_fs_visit_fn fn, void *ctx,
		struct gitops_err *err)
{
	struct gitops_path p = GITOPS_PATH_INIT;
	int rc = -1;

	if (!parse_fs_path(&p, fs, err))
		rc = apply_path(obj, fs, &p, create_type, fn, ctx, err);
	gitops_path_release(&p);
	return rc;
}

int kz_fs_prog_init(struct kz_fs_prog *out, const struct kz_fieldspecs *s, struct gitops_err *err)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!s->n)
		return 0;
	if (!(out->paths = calloc(s->n, sizeof(*out->paths))))
		return gitops_err_oom(err);
	out->fs = s->v;
	for (i = 0; i < s->n; i++) {
		out->n = i + 1;
		if (parse_fs_path(&out->paths[i], &s->v[i], err)) {
			kz_fs_prog_release(out);
			return -1;
		}
	}
	return 0;
}

void kz_fs_prog_release(struct kz_fs_prog *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		gitops_path_release(&p->paths[i]);
	free(p->paths);
	memset(p, 0, sizeof(*p));
}

int kz_fs_prog_apply(cJSON *obj, const struct kz_fs_prog *p, size_t i, int create_type, kz_fs_visit_fn fn,
		     void *ctx, struct gitops_err *err)
{
	return apply_path(obj, &p->fs[i], &p->paths[i], create_type, fn, ctx, err);
}

static int load_rows(struct kz_fieldspecs *s, const struct fs_row *rows, size_t n, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kz_fieldspecs_add(s, rows[i].group, rows[i].version, rows[i].kind, rows[i].path, rows[i].create,
				      err))
			return -1;
	return 0;
}

int kz_config_init(struct kz_config *cfg, struct gitops_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	if (load_rows(&cfg->name_prefix, name_prefix, N(name_prefix), err) ||
	    load_rows(&cfg->name_suffix, name_prefix, N(name_prefix), err) ||
	    load_rows(&cfg->name_space, name_space, N(name_space), err) ||
	    load_rows(&cfg->common_labels, common_labels, N(common_labels), err) ||
	    load_rows(&cfg->template_labels, template_labels, N(template_labels), err) ||
	    load_rows(&cfg->common_annotations, common_annotations, N(common_annotations), err) ||
	    load_rows(&cfg->images, images, N(images), err) || load_rows(&cfg->replicas, replicas, N(replicas), err) ||
	    load_rows(&cfg->var_reference, var_reference, N(var_reference), err) ||
	    kz_config_add_builtin_namerefs(cfg, err)) {
		kz_config_release(cfg);
		return -1;
	}
	return 0;
}

void kz_config_release(struct kz_config *cfg)
{
	size_t i;

	kz_fieldspecs_release(&cfg->name_prefix);
	kz_fieldspecs_release(&cfg->name_suffix);
	kz_fieldspecs_release(&cfg->name_space);
	kz_fieldspecs_release(&cfg->common_labels);
	kz_fieldspecs_release(&cfg->template_labels);
	kz_fieldspecs_release(&cfg->common_annotations);
	kz_fieldspecs_release(&cfg->images);
	kz_fieldspecs_release(&cfg->replicas);
	kz_fieldspecs_release(&cfg->var_reference);
	for (i = 0; i < cfg->n_namerefs; i++) {
		free(cfg->namerefs[i].group);
		free(cfg->namerefs[i].version);
		free(cfg->namerefs[i].kind);
		kz_fieldspecs_release(&cfg->namerefs[i].referrers);
	}
	free(cfg->namerefs);
	cfg->namerefs = NULL;
	cfg->n_namerefs = cfg->cap_namerefs = 0;
}

/* Go's name for a JSON value's type in unmarshal errors */
static const char *go_type(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsArray(v))
		return "array";
	return "object";
}

#define UNMARSHAL "error unmarshaling JSON: while decoding JSON: json: "

/* Members of o other than `known` are kustomize's (strict decoding) "unknown field"; Go matches names
 * case-insensitively. */
static int check_fields(const cJSON *o, const char *const *known, struct gitops_err *err)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, o) {
		size_t i;

		for (i = 0; known[i]; i++)
			if (!strcasecmp(it->string, known[i]))
				break;
		if (!known[i])
			return gitops_err_set(err, GITOPS_EXIT_INPUT, UNMARSHAL "unknown field \"%s\"", it->string);
	}
	return 0;
}

/* A member by Go's rules: the exact name, else one differing in case. */
static const cJSON *member(const cJSON *o, const char *key)
{
	const cJSON *v = gitops_value_get(o, key);

	return v ? v : cJSON_GetObjectItem(o, key);
}

static const char *member_str(const cJSON *o, const char *key)
{
	const cJSON *v = member(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *const fieldspec_fields[] = { "group", "version", "kind", "path", "create", NULL };

/* A list of fieldspecs (`[{group, version, kind, path, create}]`) merged into s. */
static int parse_fieldspecs(struct kz_fieldspecs *s, const cJSON *list, const char *section,
			    const char *go_field, struct gitops_err *err)
{
	const cJSON *it;

	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      UNMARSHAL "cannot unmarshal %s into Go struct field TransformerConfig.%s of type "
						"types.FsSlice",
				      go_type(list), section);
	cJSON_ArrayForEach(it, list) {
		if (cJSON_IsNull(it))
			continue;
		if (!cJSON_IsObject(it))
			return gitops_err_set(err, GITOPS_EXIT_INPUT,
					      UNMARSHAL "cannot unmarshal %s into Go struct field TransformerConfig.%s of "
							"type types.FieldSpec",
					      go_type(it), section);
		if (check_fields(it, fieldspec_fields, err))
			return -1;
		if (kz_fieldspecs_add(s, member_str(it, "group"), member_str(it, "version"), member_str(it, "kind"),
				      member_str(it, "path"), cJSON_IsTrue(member(it, "create")), err))
			return gitops_err_prefix(err, "failed to merge %s fieldSpec", go_field);
	}
	return 0;
}

static int nameref_find_or_add(struct kz_nameref **out, struct kz_config *cfg, const char *group,
			       const char *version, const char *kind, struct gitops_err *err)
{
	struct kz_nameref *r;
	size_t i;

	for (i = 0; i < cfg->n_namerefs; i++) {
		r = &cfg->namerefs[i];
		if (str_eq(r->group, group) && str_eq(r->version, version) && str_eq(r->kind, kind)) {
			*out = r;
			return 0;
		}
	}
	if (cfg->n_namerefs == cfg->cap_namerefs) {
		size_t cap = cfg->cap_namerefs ? cfg->cap_namerefs * 2 : 16;
		struct kz_nameref *v = realloc(cfg->namerefs, cap * sizeof(*v));

		if (!v)
			return gitops_err_oom(err);
		cfg->namerefs = v;
		cfg->cap_namerefs = cap;
	}
	r = &cfg->namerefs[cfg->n_namerefs];
	memset(r, 0, sizeof(*r));
	r->group = dup_or_null(group);
	r->version = dup_or_null(version);
	r->kind = dup_or_null(kind);
	if ((!empty(group) && !r->group) || (!empty(version) && !r->version) || (!empty(kind) && !r->kind)) {
		free(r->group);
		free(r->version);
		free(r->kind);
		return gitops_err_oom(err);
	}
	cfg->n_namerefs++;
	*out = r;
	return 0;
}

static const char *const nameref_fields[] = { "group", "version", "kind", "fieldSpecs", NULL };

/* nameReference entries: one per referred gvk, referrers merged (TransformerConfig.Merge's nbrSlice) */
static int parse_namerefs(struct kz_config *cfg, const cJSON *list, struct gitops_err *err)
{
	const cJSON *it;

	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      UNMARSHAL "cannot unmarshal %s into Go struct field TransformerConfig.nameReference "
						"of type builtinconfig.nbrSlice",
				      go_type(list));
	cJSON_ArrayForEach(it, list) {
		struct kz_nameref *r = NULL;

		if (cJSON_IsNull(it))
			continue;
		if (!cJSON_IsObject(it))
			return gitops_err_set(err, GITOPS_EXIT_INPUT,
					      UNMARSHAL "cannot unmarshal %s into Go struct field "
							"TransformerConfig.nameReference of type builtinconfig.NameBackReferences",
					      go_type(it));
		if (check_fields(it, nameref_fields, err) ||
		    nameref_find_or_add(&r, cfg, member_str(it, "group"), member_str(it, "version"),
					member_str(it, "kind"), err) ||
		    parse_fieldspecs(&r->referrers, member(it, "fieldSpecs"), "nameReference", "NameReference", err))
			return -1;
	}
	return 0;
}

/* Merge one parsed configuration document into cfg. */
static int merge_doc(struct kz_config *cfg, const cJSON *doc, struct gitops_err *err)
{
	static const struct {
		const char *key, *go_field;
		size_t off;
	} sections[] = {
		{ "namePrefix", "NamePrefix", offsetof(struct kz_config, name_prefix) },
		{ "nameSuffix", "NameSuffix", offsetof(struct kz_config, name_suffix) },
		{ "namespace", "NameSpace", offsetof(struct kz_config, name_space) },
		{ "commonLabels", "CommonLabels", offsetof(struct kz_config, common_labels) },
		{ "templateLabels", "TemplateLabels", offsetof(struct kz_config, template_labels) },
		{ "commonAnnotations", "CommonAnnotations", offsetof(struct kz_config, common_annotations) },
		{ "images", "Images", offsetof(struct kz_config, images) },
		{ "replicas", "Replicas", offsetof(struct kz_config, replicas) },
		{ "varReference", "VarReference", offsetof(struct kz_config, var_reference) },
	};
	static const char *const fields[] = { "namePrefix", "nameSuffix", "namespace", "commonLabels",
					      "templateLabels", "commonAnnotations", "images", "replicas",
					      "varReference", "nameReference", NULL };
	size_t i;

	if (!doc || cJSON_IsNull(doc))
		return 0;
	if (!cJSON_IsObject(doc))
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      UNMARSHAL "cannot unmarshal %s into Go value of type builtinconfig.TransformerConfig",
				      go_type(doc));
	if (check_fields(doc, fields, err))
		return -1;
	for (i = 0; i < N(sections); i++) {
		struct kz_fieldspecs *s = (struct kz_fieldspecs *)((char *)cfg + sections[i].off);

		if (parse_fieldspecs(s, member(doc, sections[i].key), sections[i].key, sections[i].go_field, err))
			return -1;
	}
	return parse_namerefs(cfg, member(doc, "nameReference"), err);
}

int kz_config_merge_text(struct kz_config *cfg, const char *text, size_t len, const char *file,
			 struct gitops_err *err)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	cJSON *doc = NULL;
	int rc;

	if (gitops_yaml_parse_one(&doc, text, len, file, &limits, err))
		return -1;
	rc = merge_doc(cfg, doc, err);
	cJSON_Delete(doc);
	return rc;
}

/* --- `crds:`: OpenAPI definitions whose x-kubernetes-* extensions declare fields (accumulator.LoadConfigFromCRDs) --- */

/* An extension of a property: present with a string value (spec.Extensions.GetString, keys without case) */
static const char *ext_string(const cJSON *prop, const char *key)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, prop)
		if (v->string && !strcasecmp(v->string, key))
			return cJSON_IsString(v) ? v->valuestring : NULL;
	return NULL;
}

static int path_push(struct gitops_buf *path, const char *seg)
{
	return (path->len && gitops_buf_addstr(path, "/") < 0) || gitops_buf_addstr(path, seg) < 0 ? -1 : 0;
}

/* loadCrdIntoConfig: the fields of definition `type` under `path`, for kind; $ref followed (depth capped) */
static int crd_type(struct kz_config *cfg, const char *kind, const cJSON *defs, const char *type,
		    struct gitops_buf *path, int depth, struct gitops_err *err)
{
	const cJSON *def = gitops_value_get(defs, type), *prop;
	size_t keep = path->len;

	if (!def)
		return 0;
	if (depth > 64)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "open API definition '%s': $ref nested too deeply", type);
	cJSON_ArrayForEach(prop, gitops_json_get(def, "Schema", "properties", NULL)) {
		const char *version, *ref;
		int rc = 0;

		if (!prop->string)
			continue;
		path->len = keep;
		if (path->data)
			path->data[keep] = 0;
		if (path_push(path, prop->string) < 0)
			return gitops_err_oom(err);
		if (ext_string(prop, "x-kubernetes-annotation"))
			rc = kz_fieldspecs_add(&cfg->common_annotations, NULL, NULL, kind, path->data, 0, err);
		if (!rc && ext_string(prop, "x-kubernetes-label-selector"))
			rc = kz_fieldspecs_add(&cfg->common_labels, NULL, NULL, kind, path->data, 0, err);
		if (!rc && ext_string(prop, "x-kubernetes-identity"))
			rc = kz_fieldspecs_add(&cfg->name_prefix, NULL, NULL, kind, path->data, 0, err);
		version = ext_string(prop, "x-kubernetes-object-ref-api-version");
		if (!rc && version && ext_string(prop, "x-kubernetes-object-ref-kind")) {
			const char *key = ext_string(prop, "x-kubernetes-object-ref-name-key");
			struct kz_nameref *r = NULL;
			size_t at = path->len;

			if (path_push(path, key ? key : "name") < 0)
				return gitops_err_oom(err);
			rc = nameref_find_or_add(&r, cfg, NULL, version, ext_string(prop, "x-kubernetes-object-ref-kind"),
						 err) ||
			     kz_fieldspecs_add(&r->referrers, NULL, NULL, kind, path->data, 0, err);
			path->len = at;
			path->data[at] = 0;
		}
		if (rc)
			return -1;
		ref = gitops_json_get_string(prop, "$ref", NULL);
		if (ref && crd_type(cfg, kind, defs, ref, path, depth + 1, err))
			return -1;
	}
	path->len = keep;
	if (path->data)
		path->data[keep] = 0;
	return 0;
}

/* One definitions file: every definition that looks like a Kubernetes type (kind, apiVersion, metadata). */
static int crd_file(struct kz_config *cfg, const cJSON *defs, struct gitops_err *err)
{
	const cJSON *def;

	cJSON_ArrayForEach(def, defs) {
		const cJSON *props = gitops_json_get(def, "Schema", "properties", NULL);
		struct gitops_buf path = GITOPS_BUF_INIT;
		const char *kind;
		int rc;

		if (!def->string || !gitops_value_get(props, "kind") || !gitops_value_get(props, "apiVersion") ||
		    !gitops_value_get(props, "metadata"))
			continue;
		/* makeGvkFromTypeName: the kind is what follows the name's last '.' (no group, no version) */
		kind = strrchr(def->string, '.');
		kind = kind ? kind + 1 : def->string;
		rc = crd_type(cfg, kind, defs, def->string, &path, 0, err);
		gitops_buf_release(&path);
		if (rc)
			return -1;
	}
	return 0;
}

/* Go's json.Unmarshal into map[string]OpenAPIDefinition: the shape checked as Go checks it */
static int crd_shape(const cJSON *defs, struct gitops_err *err)
{
	const cJSON *def;

	if (!cJSON_IsObject(defs))
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "json: cannot unmarshal %s into Go value of type accumulator.nameToApiMap",
				      cJSON_IsArray(defs) ? "array" : cJSON_IsString(defs) ? "string" :
				      cJSON_IsNumber(defs) ? "number" : "bool");
	cJSON_ArrayForEach(def, defs) {
		const cJSON *props = gitops_json_get(def, "Schema", "properties", NULL), *p;

		if (!cJSON_IsObject(def) && !cJSON_IsNull(def))
			return gitops_err_set(err, GITOPS_EXIT_INPUT,
					      "json: cannot unmarshal %s into Go value of type accumulator.OpenAPIDefinition",
					      cJSON_IsArray(def) ? "array" : cJSON_IsString(def) ? "string" :
					      cJSON_IsNumber(def) ? "number" : "bool");
		if (props && !cJSON_IsObject(props) && !cJSON_IsNull(props))
			return gitops_err_set(err, GITOPS_EXIT_INPUT,
					      "json: cannot unmarshal properties of '%s': expected a mapping", def->string);
		cJSON_ArrayForEach(p, props)
			if (!cJSON_IsObject(p) && !cJSON_IsBool(p) && !cJSON_IsNull(p))
				return gitops_err_set(err, GITOPS_EXIT_INPUT,
						      "json: cannot unmarshal property '%s' of '%s': expected a schema",
						      p->string, def->string);
	}
	return 0;
}

/* "loading CRDs [a.json b.json]: " as kustomize prefixes the errors of its crds: files */
static int crds_prefix(const cJSON *list, struct gitops_err *err)
{
	struct gitops_buf l = GITOPS_BUF_INIT;
	const cJSON *it;
	int oom = 0;

	cJSON_ArrayForEach(it, list)
		if (cJSON_IsString(it))
			oom = oom || (l.len && gitops_buf_addstr(&l, " ") < 0) || gitops_buf_addstr(&l, it->valuestring) < 0;
	if (!oom)
		gitops_err_prefix(err, "loading CRDs [%s]", l.data ? l.data : "");
	gitops_buf_release(&l);
	return -1;
}

int kz_config_merge_crds(struct kz_config *cfg, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *list = gitops_value_get(k, "crds"), *it;

	if (!cJSON_IsArray(list))
		return 0;
	cJSON_ArrayForEach(it, list) {
		struct gitops_limits limits = GITOPS_LIMITS_INIT;
		struct gitops_buf b = GITOPS_BUF_INIT;
		cJSON *defs = NULL;
		int rc, json;

		if (!cJSON_IsString(it))
			continue;
		if (kz_load_file(&b, c, it->valuestring, 64u << 20, err)) {
			gitops_buf_release(&b);
			return crds_prefix(list, err);
		}
		/* makeNameToApiMap: JSON when it starts with '{', else YAML (sigs.k8s.io/yaml: to JSON, then Go's json) */
		json = b.len && b.data[0] == '{';
		if (json)
			rc = gitops_json_parse(&defs, b.data, b.len, it->valuestring, err);
		else
			rc = gitops_yaml_parse_one(&defs, b.data ? b.data : "", b.len, it->valuestring, &limits, err);
		if (!rc && crd_shape(defs, err)) {
			rc = -1;
			if (!json)
				gitops_err_prefix(err, "error unmarshaling JSON: while decoding JSON");
		}
		rc = rc || crd_file(cfg, defs, err);
		cJSON_Delete(defs);
		gitops_buf_release(&b);
		if (rc) {
			gitops_err_prefix(err, "unable to parse open API definition from '%s'", it->valuestring);
			return crds_prefix(list, err);
		}
	}
	return 0;
}

int kz_config_merge(struct kz_config *dst, const struct kz_config *src, struct gitops_err *err)
{
	size_t i;

	if (kz_fieldspecs_merge(&dst->name_prefix, &src->name_prefix, err) ||
	    kz_fieldspecs_merge(&dst->name_suffix, &src->name_suffix, err) ||
	    kz_fieldspecs_merge(&dst->name_space, &src->name_space, err) ||
	    kz_fieldspecs_merge(&dst->common_labels, &src->common_labels, err) ||
	    kz_fieldspecs_merge(&dst->template_labels, &src->template_labels, err) ||
	    kz_fieldspecs_merge(&dst->common_annotations, &src->common_annotations, err) ||
	    kz_fieldspecs_merge(&dst->images, &src->images, err) || kz_fieldspecs_merge(&dst->replicas, &src->replicas, err) ||
	    kz_fieldspecs_merge(&dst->var_reference, &src->var_reference, err))
		return -1;
	for (i = 0; i < src->n_namerefs; i++) {
		const struct kz_nameref *s = &src->namerefs[i];
		struct kz_nameref *d = NULL;

		if (nameref_find_or_add(&d, dst, s->group, s->version, s->kind, err) ||
		    kz_fieldspecs_merge(&d->referrers, &s->referrers, err))
			return -1;
	}
	return 0;
}

int kz_config_merge_files(struct kz_config *cfg, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *list = gitops_value_get(k, "configurations"), *it;

	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "configurations: expected a list of file names");
	cJSON_ArrayForEach(it, list) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		int rc;

		if (!cJSON_IsString(it))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "configurations: expected a list of file names");
		if (kz_load_file(&b, c, it->valuestring, 64u << 20, err)) {
			gitops_buf_release(&b);
			return -1;
		}
		rc = kz_config_merge_text(cfg, b.data ? b.data : "", b.len, it->valuestring, err);
		gitops_buf_release(&b);
		if (rc)
			return -1;
	}
	return 0;
}
