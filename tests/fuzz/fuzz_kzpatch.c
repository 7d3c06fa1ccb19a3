/*
 * libFuzzer target: kustomize's patch stages (lib/kustomize patch.c,
 * merge.c, replace.c, vars.c).
 *
 * The input is a YAML stream: the first document is read as a
 * kustomization (patches, patchesStrategicMerge, patchesJson6902,
 * replacements, vars: inline ones; files are never found, the directory
 * does not exist), the rest are the resources (a fixed Deployment,
 * Service and ConfigMap when there are none).  Every stage must succeed or
 * fail cleanly: a one-line message of an expected class (a failed stage fails
 * the whole build, which writes nothing: the map it leaves is only released);
 * a result holds only mappings.  Each resource is also
 * merged with each other one as a strategic merge patch (kz_merge borrows
 * both: they must not change).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kustomize/kz_patch.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed[] =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: web}}\n"
	"spec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: app\n        image: a:1\n"
	"        command: [run, $(SVC)]\n        env: [{name: A, value: '1'}]\n"
	"        ports: [{containerPort: 80, protocol: TCP}]\n      volumes: [{name: v, emptyDir: {}}]\n"
	"---\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {ports: [{port: 80}]}\n"
	"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: '1', img: 'nginx:1.2'}\n";

static struct kz_fieldspec var_refs[] = {
	{ NULL, NULL, NULL, "spec/template/spec/containers/command", 0 },
	{ NULL, NULL, NULL, "spec/template/spec/containers/env/value", 0 },
	{ NULL, NULL, NULL, "data", 0 },
};

static void check_err(const struct gitops_err *err, const char *stage)
{
	if (!err->msg[0] || strchr(err->msg, '\n') ||
	    (err->code != GITOPS_EXIT_INPUT && err->code != GITOPS_EXIT_IO && err->code != GITOPS_EXIT_INTERNAL &&
	     err->code != GITOPS_EXIT_USAGE)) {
		fprintf(stderr, "%s: bad error %d '%s'\n", stage, err->code, err->msg);
		abort();
	}
}

typedef int (*stage_fn)(struct kz_resmap *, const cJSON *, struct kz_ctx *, struct gitops_err *);

static int vars_stage(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	return kz_vars_resolve(m, gitops_value_get(k, "vars"), c, err);
}

static void run_stage(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, stage_fn fn, const char *name)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	size_t i;

	if (fn(m, k, c, &err) < 0)
		check_err(&err, name);
	for (i = 0; i < m->n; i++)
		if (!cJSON_IsObject(m->v[i])) {
			fprintf(stderr, "%s left a non-mapping\n", name);
			abort();
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_doc d;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct kz_config cfg;
	struct kz_ctx c;
	cJSON *k = NULL;
	size_t i, j;

	if (size > 16384)
		return 0;
	lim.max_depth = 64;
	lim.max_nodes = 20000;
	lim.max_alias_nodes = 2000;
	if (gitops_yaml_reader_mem(&r, data, size, "fuzz", &lim, &err) < 0)
		return 0;
	while (gitops_yaml_reader_next(r, &d, &err) == 1) {
		cJSON *root = d.root;

		d.root = NULL;
		gitops_yaml_doc_release(&d);
		if (!root)
			continue;
		if (!k) {
			k = root;
			continue;
		}
		if (!cJSON_IsObject(root) || m.n >= 16) {
			cJSON_Delete(root);
			continue;
		}
		if (kz_resmap_push(&m, root, &err))
			abort();
	}
	gitops_yaml_reader_free(r);
	if (!cJSON_IsObject(k))
		goto done;
	if (!m.n && kz_parse_objects(&m, fixed, strlen(fixed), "fixed", &err))
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.var_reference.v = var_refs;
	cfg.var_reference.n = sizeof(var_refs) / sizeof(var_refs[0]);
	memset(&c, 0, sizeof(c));
	c.dir = "/nonexistent-kzpatch-fuzz";
	c.config = &cfg;

	/* every resource as a patch of every other: both borrowed */
	for (i = 0; i < m.n && i < 4; i++)
		for (j = 0; j < m.n && j < 4; j++) {
			cJSON *out = NULL, *a = gitops_value_copy(m.v[i]), *b = gitops_value_copy(m.v[j]);

			if (kz_merge(&out, m.v[i], m.v[j], NULL, &err) < 0)
				check_err(&err, "kz_merge");
			if (!gitops_value_equal_strict(a, m.v[i]) || !gitops_value_equal_strict(b, m.v[j])) {
				fprintf(stderr, "kz_merge changed its inputs\n");
				abort();
			}
			cJSON_Delete(out);
			cJSON_Delete(a);
			cJSON_Delete(b);
		}
	run_stage(&m, k, &c, kz_patches_strategic, "patchesStrategicMerge");
	run_stage(&m, k, &c, kz_patches, "patches");
	run_stage(&m, k, &c, kz_patches_json6902, "patchesJson6902");
	run_stage(&m, k, &c, kz_replacements, "replacements");
	run_stage(&m, k, &c, vars_stage, "vars");
	if (kz_plugin_patch(&m, k, &c, &err) < 0)
		check_err(&err, "plugin");
done:
	cJSON_Delete(k);
	kz_resmap_release(&m);
	return 0;
}
