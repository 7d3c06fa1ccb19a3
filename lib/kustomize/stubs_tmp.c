/*
 * stubs_tmp.c: TEMPORARY stand-ins for the kz.h stages the other parts of
 * issue 13 write (generators.c, hash.c, config.c, transform.c, patch.c,
 * merge.c, replace.c, vars.c, nameref.c).  Each does nothing when the
 * kustomization lacks its field and otherwise fails "not built yet: FIELD",
 * so the spine builds and is tested on its own.  Delete this file when the
 * parts merge.
 */
#include "lib/kustomize/kz.h"

#include <string.h>

#include "lib/base/json.h"

/* The first of the fields present (non-null) in k, or NULL. */
static const char *present(const cJSON *k, const char *const *fields)
{
	for (; *fields; fields++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, *fields);
		if (v && !cJSON_IsNull(v) && !(cJSON_IsArray(v) && !v->child) && !(cJSON_IsObject(v) && !v->child) &&
		    !(cJSON_IsString(v) && !*v->valuestring))
			return *fields;
	}
	return NULL;
}

static int not_yet(const cJSON *k, const char *const *fields, struct gitops_err *err)
{
	const char *f = present(k, fields);

	return f ? gitops_err_set(err, GITOPS_EXIT_USAGE, "not built yet: %s", f) : 0;
}

#define STAGE(fn, ...)                                                                                 \
	int fn(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)              \
	{                                                                                              \
		static const char *const fields[] = { __VA_ARGS__, NULL };                             \
		(void)m;                                                                               \
		(void)c;                                                                               \
		return not_yet(k, fields, err);                                                        \
	}

STAGE(kz_generate, "configMapGenerator", "secretGenerator")
STAGE(kz_namespace, "namespace")
STAGE(kz_prefix_suffix, "namePrefix", "nameSuffix")
STAGE(kz_labels, "commonLabels", "labels")
STAGE(kz_annotations, "commonAnnotations")
STAGE(kz_replicas, "replicas")
STAGE(kz_images, "images")
STAGE(kz_patches_strategic, "patchesStrategicMerge")
STAGE(kz_patches, "patches")
STAGE(kz_patches_json6902, "patchesJson6902")
STAGE(kz_replacements, "replacements")

int kz_hash(char out[11], const cJSON *obj, struct gitops_err *err)
{
	(void)obj;
	out[0] = '\0';
	return gitops_err_set(err, GITOPS_EXIT_USAGE, "not built yet: hash");
}

int kz_add_hash_suffixes(struct kz_resmap *m, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (kz_res_annotation(m->v[i], KZ_ANN_NEEDS_HASH))
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "not built yet: hash suffixes");
	return 0;
}

int kz_config_init(struct kz_config *cfg, struct gitops_err *err)
{
	(void)err;
	memset(cfg, 0, sizeof(*cfg));
	return 0;
}

int kz_config_merge_files(struct kz_config *cfg, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	static const char *const fields[] = { "configurations", "crds", NULL };

	(void)cfg;
	(void)c;
	return not_yet(k, fields, err);
}

void kz_config_release(struct kz_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

int kz_vars_resolve(struct kz_resmap *m, const cJSON *vars, struct kz_ctx *c, struct gitops_err *err)
{
	(void)m;
	(void)c;
	return vars && vars->child ? gitops_err_set(err, GITOPS_EXIT_USAGE, "not built yet: vars") : 0;
}

int kz_fix_name_references(struct kz_resmap *m, struct kz_ctx *c, struct gitops_err *err)
{
	size_t i;

	(void)c;
	/* nothing was renamed: nothing to fix */
	for (i = 0; i < m->n; i++)
		if (kz_res_annotation(m->v[i], KZ_ANN_PREV_NAMES))
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "not built yet: name references");
	return 0;
}

static int plugin_not_yet(const cJSON *config, struct gitops_err *err)
{
	const char *kind = gitops_json_get_string(config, "kind", NULL);

	return gitops_err_set(err, GITOPS_EXIT_USAGE, "not built yet: %s", kind ? kind : "plugin");
}

int kz_plugin_generators(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err)
{
	(void)m;
	(void)c;
	return plugin_not_yet(config, err);
}

int kz_plugin_transform(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err)
{
	(void)m;
	(void)c;
	return plugin_not_yet(config, err);
}

int kz_plugin_patch(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err)
{
	(void)m;
	(void)c;
	return plugin_not_yet(config, err);
}

int kz_plugin_replace(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err)
{
	(void)m;
	(void)c;
	return plugin_not_yet(config, err);
}

int kz_target_match(const cJSON *target, const cJSON *obj, struct gitops_err *err)
{
	(void)target;
	(void)obj;
	return gitops_err_set(err, GITOPS_EXIT_USAGE, "not built yet: targets");
}
