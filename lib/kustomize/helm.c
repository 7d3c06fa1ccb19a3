/*
 * helm.c: kustomize's HelmChartInflationGenerator for local charts
 * (kustomize v5.5's api/internal/builtins/HelmChartInflationGenerator.go):
 * each helmCharts entry located under helmGlobals.chartHome, its values
 * prepared as kustomize prepares them (valuesFile copied, or valuesInline
 * merged with it by valuesMerge), rendered by the caller's helm_chart
 * (`helm template` natively, in lib/render), and the output read back as
 * resources.  Charts from a repository are refused unless already present
 * where kustomize's `helm pull` would have put them.
 *
 * Ownership: everything built here is freed here; objects go to the map.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/base/json.h"
#include "lib/kustomize/kustomize.h"
#include "lib/kustomize/kz_patch.h"
#include "lib/kustomize/spine.h"
#include "lib/yaml/yaml.h"

/* the entry's string field, or NULL when absent or empty */
static const char *field(const cJSON *e, const char *name)
{
	const char *s = gitops_json_get_string(e, name, NULL);

	return s && *s ? s : NULL;
}

static int flag(const cJSON *e, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, name));
}

/* is real (resolved) in or below dir? */
static int inside(const char *real, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return 1;
	return !strncmp(real, dir, n) && (real[n] == '\0' || real[n] == '/');
}

/*
 * The values document kustomize hands helm first: valuesInline merged into
 * (override) or under (merge) valuesFile, or alone (replace); kustomize
 * goes through a Go map, so the result is written back as YAML.
 */
/* a values file: through the loader (its restrictions), but for a pulled chart's own values.yaml (direct) */
static int load_values(struct gitops_buf *out, struct kz_ctx *c, const char *path, const char *direct,
		       struct gitops_err *err)
{
	if (direct && !strcmp(path, direct))
		return gitops_buf_read_file(out, path, KZ_FILE_MAX, err);
	return kz_load_file(out, c, path, KZ_FILE_MAX, err);
}

static int merged_values(struct gitops_buf *out, const cJSON *inline_values, const char *merge, struct kz_ctx *c,
			 const char *values_file, const char *direct, struct gitops_err *err)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_buf text = GITOPS_BUF_INIT;
	cJSON *file = NULL, *merged = NULL;
	char *yaml = NULL;
	int rc = -1;

	if (strcmp(merge, "replace")) {
		limits.max_stream_bytes = KZ_FILE_MAX;
		if (load_values(&text, c, values_file, direct, err) < 0 ||
		    gitops_yaml_parse_one(&file, text.data ? text.data : "", text.len, values_file, &limits, err) < 0)
			goto done;
		if (!file && !(file = cJSON_CreateObject())) {
			gitops_err_oom(err);
			goto done;
		}
		if (!cJSON_IsObject(file)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "could not parse values file into rnode: %s is not a mapping",
				       values_file);
			goto done;
		}
		/* kyaml's merge2.Merge(src, dest): src wins; override puts valuesInline on top, merge the file */
		if (!strcmp(merge, "override") ? kz_merge(&merged, file, inline_values, NULL, err) < 0
					       : kz_merge(&merged, inline_values, file, NULL, err) < 0) {
			gitops_err_prefix(err, "could not merge values");
			goto done;
		}
	} else if (!(merged = cJSON_Duplicate(inline_values, 1))) {
		gitops_err_oom(err);
		goto done;
	}
	if (gitops_yaml_dump(&yaml, merged ? merged : inline_values, err) < 0)
		goto done;
	if (gitops_buf_addstr(out, yaml)) {
		gitops_err_oom(err);
		goto done;
	}
	rc = 0;
done:
	free(yaml);
	cJSON_Delete(file);
	cJSON_Delete(merged);
	gitops_buf_release(&text);
	return rc;
}

/* One chart: entry holds the HelmChart fields, chart_home helmGlobals.chartHome (NULL: "charts"). */
static int inflate(struct kz_resmap *m, const cJSON *e, const char *chart_home, struct kz_ctx *c,
		   struct gitops_err *err)
{
	const char *name = field(e, "name"), *version = field(e, "version"), *repo = field(e, "repo");
	const char *merge = field(e, "valuesMerge"), *values_file = field(e, "valuesFile");
	const char *tmpl = field(e, "nameTemplate");
	const cJSON *inline_values = cJSON_GetObjectItemCaseSensitive(e, "valuesInline");
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(e, "additionalValuesFiles");
	const cJSON *apis = cJSON_GetObjectItemCaseSensitive(e, "apiVersions");
	struct gitops_kustomize_helm_chart hc;
	struct gitops_buf home = GITOPS_BUF_INIT, dir = GITOPS_BUF_INIT, vfile = GITOPS_BUF_INIT, out = GITOPS_BUF_INIT;
	struct gitops_buf *values = NULL;
	const char **names = NULL, **api = NULL;
	char *root = c->loader ? c->loader->root : (char *)c->dir, real[PATH_MAX];
	size_t n_extra = cJSON_IsArray(extra) ? (size_t)cJSON_GetArraySize(extra) : 0;
	size_t n_api = cJSON_IsArray(apis) ? (size_t)cJSON_GetArraySize(apis) : 0, i;
	struct kz_resmap got = KZ_RESMAP_INIT;
	struct stat st;
	const cJSON *it;
	int rc = -1, pulled = 0;

	memset(&hc, 0, sizeof(hc));
	if (!name)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: helmCharts: chart name cannot be empty", c->file);
	if (!chart_home)
		chart_home = "charts";
	if (merge && strcmp(merge, "override") && strcmp(merge, "merge") && strcmp(merge, "replace"))
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "%s: helmCharts: %s: valuesMerge must be one of [merge override replace]", c->file,
				      name);
	if (!merge)
		merge = "override";
	/* absChartHome: chartHome under the kustomization's directory, name-version below it for a repo's */
	/* home: the chart's directory as the kustomization names it (for messages), dir: the real one */
	if (gitops_buf_addstr(&home, chart_home) || (version && repo && gitops_buf_printf(&home, "/%s-%s", name, version) < 0) ||
	    gitops_buf_printf(&home, "/%s", name) < 0 ||
	    (chart_home[0] == '/' ? gitops_buf_addstr(&dir, home.data) : gitops_buf_printf(&dir, "%s/%s", root, home.data) < 0)) {
		gitops_err_oom(err);
		goto done;
	}
	if ((stat(dir.data, &st) < 0 || !S_ISDIR(st.st_mode)) && repo && c->helm_pull) {
		/* not where helm pull would have put it: from the chart cache, nothing written here */
		char *pulled_dir = NULL;
		if (c->helm_pull(c->helm_ctx, &pulled_dir, repo, name, version, err) < 0) {
			gitops_err_prefix(err, "%s: helmCharts: %s", c->file, name);
			goto done;
		}
		dir.len = 0;
		rc = gitops_buf_addstr(&dir, pulled_dir);
		free(pulled_dir);
		if (rc) {
			rc = -1;
			gitops_err_oom(err);
			goto done;
		}
		rc = -1;
		pulled = 1;
	} else if (stat(dir.data, &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (repo)
			gitops_err_set(err, GITOPS_EXIT_USAGE,
				       "%s: helmCharts: %s: charts from a repository (%s) come with a later version: "
				       "no chart at '%s', where kustomize's helm pull would put it",
				       c->file, name, repo, home.data);
		else
			gitops_err_set(err, GITOPS_EXIT_IO, "%s: helmCharts: no repo specified for pull, no chart found at '%s'",
				       c->file, home.data);
		goto done;
	}
	/* the chart is read where it is: inside a Source, never outside its checkout */
	if (!pulled && c->loader && c->loader->boundary &&
	    (!realpath(dir.data, real) || !inside(real, c->loader->boundary))) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: helmCharts: security; chart '%s' is not in or below the Source's checkout",
			       c->file, home.data);
		goto done;
	}
	/* valuesFile: relative to the kustomization; by default the chart's values.yaml */
	if (!values_file) {
		if (gitops_buf_printf(&vfile, "%s/values.yaml", dir.data) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		values_file = vfile.data;
	}
	values = calloc(1 + n_extra, sizeof(*values));
	names = calloc(1 + n_extra, sizeof(*names));
	api = calloc(n_api + 1, sizeof(*api));
	if (!values || !names || !api) {
		gitops_err_oom(err);
		goto done;
	}
	/* additionalValuesFiles go through the loader (its restrictions) before anything runs */
	i = 1;
	cJSON_ArrayForEach(it, extra)
	{
		if (!cJSON_IsString(it)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: helmCharts: additionalValuesFiles: not a string",
				       c->file);
			goto done;
		}
		if (kz_load_file(&values[i], c, it->valuestring, KZ_FILE_MAX, err) < 0) {
			gitops_err_prefix(err, "%s: helmCharts: could not load additionalValuesFile", c->file);
			goto done;
		}
		names[i++] = it->valuestring;
	}
	if (cJSON_IsObject(inline_values) && inline_values->child) {
		if (merged_values(&values[0], inline_values, merge, c, values_file, pulled ? vfile.data : NULL, err) < 0)
			goto done;
	} else if (load_values(&values[0], c, values_file, pulled ? vfile.data : NULL, err) < 0) {
		goto done;
	}
	names[0] = values_file;
	i = 0;
	cJSON_ArrayForEach(it, apis)
	{
		if (cJSON_IsString(it))
			api[i++] = it->valuestring;
	}
	hc.release = field(e, "releaseName");
	hc.name_template = tmpl;
	hc.namespace = field(e, "namespace");
	hc.values = values;
	hc.value_names = names;
	hc.n_values = 1 + n_extra;
	hc.kube_version = field(e, "kubeVersion");
	hc.api_versions = api;
	hc.n_api_versions = i;
	hc.include_crds = flag(e, "includeCRDs");
	hc.skip_tests = flag(e, "skipTests");
	hc.skip_hooks = flag(e, "skipHooks");
	hc.remote = pulled || (c->loader && c->loader->remote);
	if (c->helm_chart(c->helm_ctx, &out, dir.data, &hc, err) < 0)
		goto done;
	if (kz_parse_objects(&got, out.data ? out.data : "", out.len, dir.data, err) < 0)
		goto done;
	/* buildMetadata: the generator's origin, as a configMapGenerator's */
	if (c->plugin_origin || c->configured_in) {
		struct gitops_buf o = GITOPS_BUF_INIT;

		if (c->plugin_origin ? gitops_buf_addstr(&o, c->plugin_origin)
				     : gitops_buf_printf(&o, "%sconfiguredIn: %s\nconfiguredBy:\n  apiVersion: builtin\n  "
							 "kind: HelmChartInflationGenerator\n",
							 c->configured_remote ? c->configured_remote : "", c->configured_in) < 0) {
			gitops_buf_release(&o);
			gitops_err_oom(err);
			goto done;
		}
		for (i = 0; i < got.n; i++)
			if (kz_res_set_annotation(got.v[i], KZ_ANN_ORIGIN, o.data, err) < 0)
				break;
		gitops_buf_release(&o);
		if (i < got.n)
			goto done;
	}
	if (kz_absorb_all(m, &got, err) < 0)
		goto done;
	rc = 0;
done:
	if (values)
		for (i = 0; i < 1 + n_extra; i++)
			gitops_buf_release(&values[i]);
	free(values);
	free(names);
	free(api);
	kz_resmap_release(&got);
	gitops_buf_release(&home);
	gitops_buf_release(&dir);
	gitops_buf_release(&vfile);
	gitops_buf_release(&out);
	return rc;
}

/* --enable-helm and a renderer, or kubectl's refusal / ours */
static int helm_allowed(struct kz_ctx *c, struct gitops_err *err)
{
	if (!c->enable_helm)
		return gitops_err_set(err, GITOPS_EXIT_USAGE,
				      "%s: trouble configuring builtin HelmChartInflationGenerator: must specify --enable-helm",
				      c->file);
	if (!c->helm_chart)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: helmCharts: Helm charts are not rendered yet", c->file);
	return 0;
}

/*
 * The deprecated helmChartInflationGenerator entries as helmCharts ones
 * (kustomize's SplitHelmParameters: chartName, chartVersion, chartRepoUrl,
 * values, valuesLocal, valuesMerge and releaseName carry over, the rest
 * is dropped), appended to list; *home takes their chartHome (the last
 * one given) when helmGlobals has none.
 */
static int legacy_charts(cJSON *list, const cJSON *legacy, const char **home, struct gitops_err *err)
{
	static const char *const map[][2] = {
		{ "chartName", "name" },   { "chartVersion", "version" },    { "chartRepoUrl", "repo" },
		{ "values", "valuesFile" }, { "valuesLocal", "valuesInline" }, { "valuesMerge", "valuesMerge" },
		{ "releaseName", "releaseName" },
	};
	const char *legacy_home = NULL;
	const cJSON *e;

	cJSON_ArrayForEach(e, legacy)
	{
		cJSON *c = cJSON_CreateObject();
		size_t i;

		if (!c || !cJSON_AddItemToArray(list, c)) {
			cJSON_Delete(c);
			return gitops_err_oom(err);
		}
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, map[i][0]);
			cJSON *copy;
			if (!v)
				continue;
			if (!(copy = cJSON_Duplicate(v, 1)) || !cJSON_AddItemToObject(c, map[i][1], copy)) {
				cJSON_Delete(copy);
				return gitops_err_oom(err);
			}
		}
		if (field(e, "chartHome"))
			legacy_home = field(e, "chartHome");
	}
	if (!*home)
		*home = legacy_home;
	return 0;
}

int kz_helm_charts(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *charts = cJSON_GetObjectItemCaseSensitive(k, "helmCharts"), *e;
	const cJSON *legacy = cJSON_GetObjectItemCaseSensitive(k, "helmChartInflationGenerator");
	const cJSON *globals = cJSON_GetObjectItemCaseSensitive(k, "helmGlobals");
	const char *home = gitops_json_get_string(k, "helmGlobals", "chartHome", NULL);
	cJSON *converted = NULL;
	int rc = -1;

	if (!cJSON_GetArraySize(charts) && !cJSON_GetArraySize(legacy))
		return 0;
	if (helm_allowed(c, err) < 0)
		return -1;
	if (home && !*home)
		home = NULL;
	if (cJSON_GetArraySize(legacy)) {
		/* kustomize keeps a helmGlobals given, even an empty one */
		const char *lhome = NULL;
		if (!(converted = cJSON_CreateArray()) || legacy_charts(converted, legacy, &lhome, err) < 0) {
			if (!converted)
				gitops_err_oom(err);
			goto done;
		}
		if (!globals)
			home = lhome;
	}
	cJSON_ArrayForEach(e, charts)
	{
		if (inflate(m, e, home, c, err) < 0)
			goto done;
	}
	cJSON_ArrayForEach(e, converted)
	{
		if (inflate(m, e, home, c, err) < 0)
			goto done;
	}
	rc = 0;
done:
	cJSON_Delete(converted);
	return rc;
}

int kz_plugin_helm(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err)
{
	const char *kind = gitops_json_get_string(config, "kind", NULL);
	const char *home = gitops_json_get_string(config, "chartHome", NULL);

	if (!kind || strcmp(kind, "HelmChartInflationGenerator"))
		return 0;
	if (helm_allowed(c, err) < 0 || inflate(m, config, home && *home ? home : NULL, c, err) < 0)
		return -1;
	return 1;
}
