/*
 * kustomization.c: reading a kustomization as kustomize v5.5 reads it
 * (api/types.Kustomization through a strict JSON decoder): the recognised
 * file names, unknown fields and wrong types in Go's words, the empty
 * kustomization, kind and apiVersion, the deprecated fields folded in and
 * warned about.  The tree returned is the caller's (cJSON_Delete).
 */
#include "lib/kustomize/kustomize.h"
#include "lib/kustomize/spine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

/* --- the Kustomization type, field by field (api/types, v5.5) --- */

enum ftype {
	F_STR,     /* string */
	F_BOOL,    /* bool */
	F_INT,     /* int64 / int */
	F_STRMAP,  /* map[string]string */
	F_BOOLMAP, /* map[string]bool */
	F_STRLIST, /* []string */
	F_OBJ,     /* a struct (or a pointer to one) */
	F_OBJLIST, /* a slice of structs */
	F_ANY,     /* interface{} or map[string]interface{}: anything */
	F_ANYMAP,  /* map[string]interface{} */
};

struct field {
	const char *name;
	enum ftype type;
	const struct type *sub; /* F_OBJ, F_OBJLIST */
};

struct type {
	const char *name;   /* Go's name, as the decoder's errors say it */
	const char *gotype; /* how the field's type prints: "types.Patch", "*types.TargetSelector" */
	const struct field *fields;
};

#define END { NULL, F_STR, NULL }

static const struct field fieldspec_f[] = {
	{ "group", F_STR, NULL }, { "version", F_STR, NULL }, { "kind", F_STR, NULL },
	{ "path", F_STR, NULL },  { "create", F_BOOL, NULL }, END,
};
static const struct type fieldspec_t = { "FieldSpec", "types.FieldSpec", fieldspec_f };

static const struct field label_f[] = {
	{ "pairs", F_STRMAP, NULL },          { "includeSelectors", F_BOOL, NULL },
	{ "includeTemplates", F_BOOL, NULL }, { "fields", F_OBJLIST, &fieldspec_t },
	END,
};
static const struct type label_t = { "Label", "types.Label", label_f };

static const struct field selector_f[] = {
	{ "group", F_STR, NULL },     { "version", F_STR, NULL },
	{ "kind", F_STR, NULL },      { "name", F_STR, NULL },
	{ "namespace", F_STR, NULL }, { "annotationSelector", F_STR, NULL },
	{ "labelSelector", F_STR, NULL }, END,
};
static const struct type selector_t = { "Selector", "types.Selector", selector_f };
static const struct type selector_ptr_t = { "Selector", "*types.Selector", selector_f };

static const struct field patch_f[] = {
	{ "path", F_STR, NULL },
	{ "patch", F_STR, NULL },
	{ "target", F_OBJ, &selector_t },
	{ "options", F_BOOLMAP, NULL },
	END,
};
static const struct type patch_t = { "Patch", "types.Patch", patch_f };

static const struct field image_f[] = {
	{ "name", F_STR, NULL },   { "newName", F_STR, NULL }, { "tagSuffix", F_STR, NULL },
	{ "newTag", F_STR, NULL }, { "digest", F_STR, NULL },  END,
};
static const struct type image_t = { "Image", "types.Image", image_f };

static const struct field replica_f[] = { { "name", F_STR, NULL }, { "count", F_INT, NULL }, END };
static const struct type replica_t = { "Replica", "types.Replica", replica_f };

static const struct field target_f[] = {
	{ "group", F_STR, NULL }, { "version", F_STR, NULL },   { "kind", F_STR, NULL },
	{ "name", F_STR, NULL },  { "namespace", F_STR, NULL }, { "apiVersion", F_STR, NULL },
	END,
};
static const struct type target_t = { "Target", "types.Target", target_f };
static const struct field fieldsel_f[] = { { "fieldpath", F_STR, NULL }, END };
static const struct type fieldsel_t = { "FieldSelector", "types.FieldSelector", fieldsel_f };
static const struct field var_f[] = {
	{ "name", F_STR, NULL },
	{ "objref", F_OBJ, &target_t },
	{ "fieldref", F_OBJ, &fieldsel_t },
	END,
};
static const struct type var_t = { "Var", "types.Var", var_f };

static const struct field fieldopts_f[] = {
	{ "delimiter", F_STR, NULL }, { "index", F_INT, NULL }, { "encoding", F_STR, NULL },
	{ "create", F_BOOL, NULL },   END,
};
static const struct type fieldopts_t = { "FieldOptions", "types.FieldOptions", fieldopts_f };
static const struct field source_f[] = {
	{ "group", F_STR, NULL },     { "version", F_STR, NULL },   { "kind", F_STR, NULL },
	{ "name", F_STR, NULL },      { "namespace", F_STR, NULL }, { "fieldPath", F_STR, NULL },
	{ "options", F_OBJ, &fieldopts_t }, END,
};
static const struct type source_t = { "SourceSelector", "types.SourceSelector", source_f };
static const struct field tsel_f[] = {
	{ "select", F_OBJ, &selector_t },
	{ "reject", F_OBJLIST, &selector_ptr_t },
	{ "fieldPaths", F_STRLIST, NULL },
	{ "options", F_OBJ, &fieldopts_t },
	END,
};
static const struct type tsel_t = { "TargetSelector", "*types.TargetSelector", tsel_f };
static const struct field replacement_f[] = {
	{ "source", F_OBJ, &source_t },
	{ "targets", F_OBJLIST, &tsel_t },
	{ "path", F_STR, NULL },
	END,
};
static const struct type replacement_t = { "ReplacementField", "types.ReplacementField", replacement_f };

static const struct field genopts_f[] = {
	{ "labels", F_STRMAP, NULL },
	{ "annotations", F_STRMAP, NULL },
	{ "disableNameSuffixHash", F_BOOL, NULL },
	{ "immutable", F_BOOL, NULL },
	END,
};
static const struct type genopts_t = { "GeneratorOptions", "types.GeneratorOptions", genopts_f };

#define GENERATOR_ARGS                                                                                       \
	{ "namespace", F_STR, NULL }, { "name", F_STR, NULL }, { "behavior", F_STR, NULL },                 \
		{ "literals", F_STRLIST, NULL }, { "files", F_STRLIST, NULL }, { "envs", F_STRLIST, NULL }, \
		{ "env", F_STR, NULL }, { "options", F_OBJ, &genopts_t }
static const struct field cmargs_f[] = { GENERATOR_ARGS, END };
static const struct type cmargs_t = { "ConfigMapArgs", "types.ConfigMapArgs", cmargs_f };
static const struct field secargs_f[] = { GENERATOR_ARGS, { "type", F_STR, NULL }, END };
static const struct type secargs_t = { "SecretArgs", "types.SecretArgs", secargs_f };

static const struct field legacysort_f[] = {
	{ "orderFirst", F_STRLIST, NULL },
	{ "orderLast", F_STRLIST, NULL },
	END,
};
static const struct type legacysort_t = { "LegacySortOptions", "types.LegacySortOptions", legacysort_f };
static const struct field sort_f[] = {
	{ "order", F_STR, NULL },
	{ "legacySortOptions", F_OBJ, &legacysort_t },
	END,
};
static const struct type sort_t = { "SortOptions", "types.SortOptions", sort_f };

static const struct field helmglobals_f[] = { { "chartHome", F_STR, NULL }, { "configHome", F_STR, NULL }, END };
static const struct type helmglobals_t = { "HelmGlobals", "types.HelmGlobals", helmglobals_f };
static const struct field helmchart_f[] = {
	{ "name", F_STR, NULL },          { "version", F_STR, NULL },
	{ "repo", F_STR, NULL },          { "releaseName", F_STR, NULL },
	{ "namespace", F_STR, NULL },     { "additionalValuesFiles", F_STRLIST, NULL },
	{ "valuesFile", F_STR, NULL },    { "valuesInline", F_ANYMAP, NULL },
	{ "valuesMerge", F_STR, NULL },   { "includeCRDs", F_BOOL, NULL },
	{ "skipHooks", F_BOOL, NULL },    { "apiVersions", F_STRLIST, NULL },
	{ "kubeVersion", F_STR, NULL },   { "nameTemplate", F_STR, NULL },
	{ "skipTests", F_BOOL, NULL },    { "debug", F_BOOL, NULL },
	END,
};
static const struct type helmchart_t = { "HelmChart", "types.HelmChart", helmchart_f };
static const struct field helmargs_f[] = {
	{ "chartName", F_STR, NULL },     { "chartVersion", F_STR, NULL },
	{ "chartRepoUrl", F_STR, NULL },  { "chartHome", F_STR, NULL },
	{ "chartRepoName", F_STR, NULL }, { "helmBin", F_STR, NULL },
	{ "helmHome", F_STR, NULL },      { "values", F_STR, NULL },
	{ "valuesLocal", F_ANYMAP, NULL }, { "valuesMerge", F_STR, NULL },
	{ "releaseName", F_STR, NULL },   { "releaseNamespace", F_STR, NULL },
	{ "extraArgs", F_STRLIST, NULL }, END,
};
static const struct type helmargs_t = { "HelmChartArgs", "types.HelmChartArgs", helmargs_f };

static const struct field meta_f[] = {
	{ "name", F_STR, NULL },
	{ "namespace", F_STR, NULL },
	{ "labels", F_STRMAP, NULL },
	{ "annotations", F_STRMAP, NULL },
	END,
};
static const struct type meta_t = { "ObjectMeta", "types.ObjectMeta", meta_f };

static const struct field kustomization_f[] = {
	{ "kind", F_STR, NULL },
	{ "apiVersion", F_STR, NULL },
	{ "metadata", F_OBJ, &meta_t },
	{ "openapi", F_STRMAP, NULL },
	{ "namePrefix", F_STR, NULL },
	{ "nameSuffix", F_STR, NULL },
	{ "namespace", F_STR, NULL },
	{ "commonLabels", F_STRMAP, NULL },
	{ "labels", F_OBJLIST, &label_t },
	{ "commonAnnotations", F_STRMAP, NULL },
	{ "patchesStrategicMerge", F_STRLIST, NULL },
	{ "patchesJson6902", F_OBJLIST, &patch_t },
	{ "patches", F_OBJLIST, &patch_t },
	{ "images", F_OBJLIST, &image_t },
	{ "imageTags", F_OBJLIST, &image_t },
	{ "replacements", F_OBJLIST, &replacement_t },
	{ "replicas", F_OBJLIST, &replica_t },
	{ "vars", F_OBJLIST, &var_t },
	{ "sortOptions", F_OBJ, &sort_t },
	{ "resources", F_STRLIST, NULL },
	{ "crds", F_STRLIST, NULL },
	{ "bases", F_STRLIST, NULL },
	{ "components", F_STRLIST, NULL },
	{ "configMapGenerator", F_OBJLIST, &cmargs_t },
	{ "secretGenerator", F_OBJLIST, &secargs_t },
	{ "helmGlobals", F_OBJ, &helmglobals_t },
	{ "helmCharts", F_OBJLIST, &helmchart_t },
	{ "helmChartInflationGenerator", F_OBJLIST, &helmargs_t },
	{ "generatorOptions", F_OBJ, &genopts_t },
	{ "configurations", F_STRLIST, NULL },
	{ "generators", F_STRLIST, NULL },
	{ "transformers", F_STRLIST, NULL },
	{ "validators", F_STRLIST, NULL },
	{ "buildMetadata", F_STRLIST, NULL },
	END,
};
static const struct type kustomization_t = { "Kustomization", "types.Kustomization", kustomization_f };

/* What a JSON value is, in encoding/json's words. */
static const char *json_kind(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsArray(v))
		return "array";
	return "object";
}

static int type_error(struct gitops_err *err, const cJSON *v, const char *sname, const char *path, const char *gotype)
{
	return gitops_err_set(err, GITOPS_EXIT_INPUT,
			      "invalid Kustomization: json: cannot unmarshal %s into Go struct field %s.%s of type %s",
			      json_kind(v), sname, path, gotype);
}

static int check_struct(cJSON *obj, const struct type *t, const char *path, struct gitops_err *err);

static int is_integral(const cJSON *v)
{
	int64_t i;

	return gitops_value_kind(v) == GITOPS_VALUE_KIND_INT || gitops_value_get_int(&i, v, 1) == 0;
}

/* One value against its field's type; sname.path names the field in errors. */
static int check_value(cJSON *v, const struct field *f, const char *sname, const char *path, struct gitops_err *err)
{
	const cJSON *e;

	if (cJSON_IsNull(v))
		return 0; /* null leaves a Go field as it is */
	switch (f->type) {
	case F_STR:
		return cJSON_IsString(v) ? 0 : type_error(err, v, sname, path, "string");
	case F_BOOL:
		return cJSON_IsBool(v) ? 0 : type_error(err, v, sname, path, "bool");
	case F_INT:
		if (!cJSON_IsNumber(v))
			return type_error(err, v, sname, path, "int64");
		if (!is_integral(v))
			return gitops_err_set(err, GITOPS_EXIT_INPUT,
					      "invalid Kustomization: json: cannot unmarshal number %g into Go struct field "
					      "%s.%s of type int64", v->valuedouble, sname, path);
		return 0;
	case F_STRMAP:
	case F_BOOLMAP:
		if (!cJSON_IsObject(v))
			return type_error(err, v, sname, path,
					  f->type == F_STRMAP ? "map[string]string" : "map[string]bool");
		cJSON_ArrayForEach(e, v)
		{
			if (cJSON_IsNull(e))
				continue;
			if (f->type == F_STRMAP && !cJSON_IsString(e))
				return type_error(err, e, sname, path, "string");
			if (f->type == F_BOOLMAP && !cJSON_IsBool(e))
				return type_error(err, e, sname, path, "bool");
		}
		return 0;
	case F_STRLIST:
		if (!cJSON_IsArray(v))
			return type_error(err, v, sname, path, "[]string");
		cJSON_ArrayForEach(e, v)
		{
			if (!cJSON_IsNull(e) && !cJSON_IsString(e))
				return type_error(err, e, sname, path, "string");
		}
		return 0;
	case F_OBJ:
		if (!cJSON_IsObject(v))
			return type_error(err, v, sname, path, f->sub->gotype);
		return check_struct(v, f->sub, path, err);
	case F_OBJLIST: {
		cJSON *x;
		if (!cJSON_IsArray(v)) {
			char gotype[80];
			snprintf(gotype, sizeof(gotype), "[]%s", f->sub->gotype);
			return type_error(err, v, sname, path, gotype);
		}
		cJSON_ArrayForEach(x, v)
		{
			if (cJSON_IsNull(x))
				continue;
			if (!cJSON_IsObject(x))
				return type_error(err, x, sname, path, f->sub->gotype);
			if (check_struct(x, f->sub, path, err) < 0)
				return -1;
		}
		return 0;
	}
	case F_ANYMAP:
		return cJSON_IsObject(v) ? 0 : type_error(err, v, sname, path, "map[string]interface {}");
	case F_ANY:
		return 0;
	}
	return 0;
}

/*
 * Every key of obj a field of t (Go's decoder matches a key to a field
 * exactly, else ignoring case: such a key is renamed to the field's name),
 * each value of its field's type.  `path`: the dotted JSON path to obj.
 */
static int check_struct(cJSON *obj, const struct type *t, const char *path, struct gitops_err *err)
{
	cJSON *v;

	cJSON_ArrayForEach(v, obj)
	{
		const struct field *f, *hit = NULL;
		char sub[512];

		for (f = t->fields; f->name; f++)
			if (!strcmp(f->name, v->string)) {
				hit = f;
				break;
			}
		if (!hit)
			for (f = t->fields; f->name; f++)
				if (!strcasecmp(f->name, v->string)) {
					hit = f;
					break;
				}
		if (!hit)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid Kustomization: json: unknown field \"%s\"",
					      v->string);
		if (strcmp(hit->name, v->string)) {
			char *name = strdup(hit->name);
			if (!name)
				return gitops_err_oom(err);
			if (!(v->type & cJSON_StringIsConst))
				cJSON_free(v->string);
			v->type &= ~cJSON_StringIsConst;
			v->string = name;
		}
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", hit->name);
		if (check_value(v, hit, t->name, sub, err) < 0)
			return -1;
	}
	return 0;
}

/* Go's json: a key given twice (after case folding), the last one wins. */
static void drop_duplicates(cJSON *obj)
{
	cJSON *v = obj->child;

	while (v) {
		cJSON *next = v->next, *w;
		for (w = next; w; w = w->next)
			if (!strcmp(w->string, v->string))
				break;
		if (w)
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, v));
		v = next;
	}
}

/* --- the deprecated fields --- */

static const struct {
	const char *field, *instead;
} deprecated[] = {
	{ "bases", "resources" },
	{ "commonLabels", "labels" },
	{ "imageTags", "images" },
	{ "patchesJson6902", "patches" },
	{ "patchesStrategicMerge", "patches" },
	{ "vars", "replacements" },
};

static void warn_deprecated(const cJSON *k, void (*warn)(void *, const char *), void *warn_ctx)
{
	size_t i;
	char msg[256];

	if (!warn)
		return;
	for (i = 0; i < sizeof(deprecated) / sizeof(deprecated[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, deprecated[i].field);
		if (!v || cJSON_IsNull(v))
			continue;
		snprintf(msg, sizeof(msg),
			 "'%s' is deprecated. Please use '%s' instead.%s Run 'kustomize edit fix' to update your "
			 "Kustomization automatically.",
			 deprecated[i].field, deprecated[i].instead,
			 !strcmp(deprecated[i].field, "vars") ? " [EXPERIMENTAL]" : "");
		warn(warn_ctx, msg);
	}
}

/* Append the items of k[from] to k[to] (created when missing), and remove k[from]: FixKustomization. */
static int fold_list(cJSON *k, const char *from, const char *to, struct gitops_err *err)
{
	cJSON *src = cJSON_GetObjectItemCaseSensitive(k, from), *dst, *x;

	if (!src)
		return 0;
	src = cJSON_DetachItemViaPointer(k, src);
	if (!cJSON_IsArray(src) || !src->child) {
		cJSON_Delete(src);
		return 0;
	}
	dst = cJSON_GetObjectItemCaseSensitive(k, to);
	if (!cJSON_IsArray(dst)) {
		if (dst)
			cJSON_DeleteItemFromObjectCaseSensitive(k, to);
		if (!(dst = cJSON_AddArrayToObject(k, to))) {
			cJSON_Delete(src);
			return gitops_err_oom(err);
		}
	}
	while ((x = src->child) != NULL)
		cJSON_AddItemToArray(dst, cJSON_DetachItemViaPointer(src, x));
	cJSON_Delete(src);
	return 0;
}

/* configMapGenerator / secretGenerator: `env` joins `envs` */
static int fold_env(cJSON *k, const char *field, struct gitops_err *err)
{
	cJSON *gens = cJSON_GetObjectItemCaseSensitive(k, field), *g;

	cJSON_ArrayForEach(g, gens)
	{
		cJSON *env = cJSON_GetObjectItemCaseSensitive(g, "env"), *envs;
		if (!env)
			continue;
		env = cJSON_DetachItemViaPointer(g, env);
		if (!cJSON_IsString(env) || !*env->valuestring) {
			cJSON_Delete(env);
			continue;
		}
		envs = cJSON_GetObjectItemCaseSensitive(g, "envs");
		if (!cJSON_IsArray(envs)) {
			if (envs)
				cJSON_DeleteItemFromObjectCaseSensitive(g, "envs");
			if (!(envs = cJSON_AddArrayToObject(g, "envs"))) {
				cJSON_Delete(env);
				return gitops_err_oom(err);
			}
		}
		cJSON_AddItemToArray(envs, env);
	}
	return 0;
}

static int set_string(cJSON *k, const char *key, const char *value, struct gitops_err *err)
{
	cJSON *v = cJSON_CreateString(value);

	if (!v || gitops_value_set(k, key, v) < 0) {
		cJSON_Delete(v);
		return gitops_err_oom(err);
	}
	return 0;
}

#define KZ_VERSION "kustomize.config.k8s.io/v1beta1"
#define KZ_COMPONENT_VERSION "kustomize.config.k8s.io/v1alpha1"

int kz_kustomization_parse(cJSON **out, const char *text, size_t len, const char *fname, const char *root,
			   void (*warn)(void *, const char *), void *warn_ctx, struct gitops_err *err)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	cJSON *k = NULL, *v;
	const char *kind, *av;
	int empty = 1, rc = -1;

	*out = NULL;
	limits.max_stream_bytes = KZ_FILE_MAX;
	if (gitops_yaml_parse_one(&k, text, len, fname, &limits, err) < 0) {
		gitops_err_prefix(err, "invalid Kustomization");
		goto done;
	}
	if (!k) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s is empty", fname);
		goto done;
	}
	if (!cJSON_IsObject(k)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "invalid Kustomization: json: cannot unmarshal %s into Go value of type types.Kustomization",
			       json_kind(k));
		goto done;
	}
	if (check_struct(k, &kustomization_t, "", err) < 0)
		goto done;
	drop_duplicates(k);
	warn_deprecated(k, warn, warn_ctx);
	cJSON_ArrayForEach(v, k)
	{
		if (strcmp(v->string, "kind") && strcmp(v->string, "apiVersion") && !cJSON_IsNull(v))
			empty = 0;
	}
	if (empty) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s is empty", fname);
		goto done;
	}
	/* FixKustomization */
	kind = gitops_json_get_string(k, "kind", NULL);
	if ((!kind || !*kind) && set_string(k, "kind", "Kustomization", err) < 0)
		goto done;
	kind = gitops_json_get_string(k, "kind", NULL);
	av = gitops_json_get_string(k, "apiVersion", NULL);
	if ((!av || !*av) &&
	    set_string(k, "apiVersion", !strcmp(kind, "Component") ? KZ_COMPONENT_VERSION : KZ_VERSION, err) < 0)
		goto done;
	if (fold_list(k, "bases", "resources", err) < 0 || fold_list(k, "imageTags", "images", err) < 0 ||
	    fold_env(k, "configMapGenerator", err) < 0 || fold_env(k, "secretGenerator", err) < 0)
		goto done;
	/* EnforceFields: kustomize's own two-line message */
	kind = gitops_json_get_string(k, "kind", NULL);
	av = gitops_json_get_string(k, "apiVersion", NULL);
	if (strcmp(kind, "Kustomization") && strcmp(kind, "Component")) {
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "Failed to read kustomization file under %s: kind should be Kustomization or Component", root);
		goto done;
	}
	if (strcmp(av, !strcmp(kind, "Component") ? KZ_COMPONENT_VERSION : KZ_VERSION)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "Failed to read kustomization file under %s: apiVersion for %s should be %s",
			       root, kind, !strcmp(kind, "Component") ? KZ_COMPONENT_VERSION : KZ_VERSION);
		goto done;
	}
	*out = k;
	k = NULL;
	rc = 0;
done:
	cJSON_Delete(k);
	return rc;
}

static const char *const kust_names[] = { "kustomization.yaml", "kustomization.yml", "Kustomization" };

const char *gitops_kustomize_file(const char *dir)
{
	char path[4096];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(kust_names) / sizeof(kust_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, kust_names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return kust_names[i];
	}
	return NULL;
}

int kz_kustomization_find(const char **out, const struct kz_loader *l, struct gitops_err *err)
{
	char path[4096];
	struct stat st;
	size_t i, n = 0;

	*out = NULL;
	for (i = 0; i < sizeof(kust_names) / sizeof(kust_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", l->root, kust_names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (!*out)
				*out = kust_names[i];
			n++;
		}
	}
	if (n > 1)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "Found multiple kustomization files under: %s", l->root);
	if (!n)
		return gitops_err_set(err, GITOPS_EXIT_IO,
				      "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' "
				      "in directory '%s'", l->root);
	return 0;
}
