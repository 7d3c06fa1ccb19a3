/* Unit tests for lib/ops/app.c (Application files), lib/ops/state.c and lib/ops/status.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ops/app.h"
#include "lib/ops/state.h"
#include "lib/ops/status.h"
#include "tests/unit/check_main.h"

static char warnings[4096];

static void on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
	strcat(warnings, "\n");
}

static int parse(struct gitops_ops_apps *apps, const char *text, struct gitops_err *err)
{
	warnings[0] = 0;
	return gitops_ops_apps_parse(apps, text, strlen(text), "apps.yaml", on_warn, NULL, err);
}

START_TEST(test_full)
{
	static const char text[] =
		"apiVersion: argoproj.io/v1alpha1\n"
		"kind: AppProject\n"
		"metadata: {name: prod}\n"
		"spec:\n"
		"  sourceRepos: ['*']\n"
		"  syncWindows:\n"
		"  - {kind: deny, schedule: '0 22 * * *', duration: 1h}\n"
		"---\n"
		"apiVersion: argoproj.io/v1alpha1\n"
		"kind: Application\n"
		"metadata:\n"
		"  name: web\n"
		"spec:\n"
		"  project: prod\n"
		"  source:\n"
		"    repoURL: https://git.example.com/deploy.git\n"
		"    targetRevision: main\n"
		"    path: envs/prod\n"
		"    helm:\n"
		"      releaseName: web\n"
		"      valueFiles: [values-prod.yaml]\n"
		"      parameters: [{name: image.tag, value: v1, forceString: true}]\n"
		"  destination:\n"
		"    server: https://kubernetes.default.svc\n"
		"    namespace: web\n"
		"  syncPolicy:\n"
		"    automated: {prune: true, selfHeal: true}\n"
		"    syncOptions: [ServerSideApply=true, CreateNamespace=true]\n"
		"  syncWindows:\n"
		"  - {kind: allow, schedule: '0 8 * * 1-5', duration: 10h}\n"
		"---\n"
		"apiVersion: gitops.dev/v1alpha1\n"
		"kind: Application\n"
		"metadata: {name: batch}\n"
		"spec:\n"
		"  source: {repoURL: /srv/git/deploy, path: batch}\n"
		"  destination: {namespace: batch, context: kind-dev}\n";
	struct gitops_ops_apps apps = GITOPS_OPS_APPS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	const struct gitops_ops_app *a;

	ck_assert_int_eq(parse(&apps, text, &err), 0);
	ck_assert_uint_eq(apps.n, 2);
	a = gitops_ops_apps_find(&apps, "web");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->repo_url, "https://git.example.com/deploy.git");
	ck_assert_str_eq(a->target_revision, "main");
	ck_assert_str_eq(a->path, "envs/prod");
	ck_assert_str_eq(a->namespace, "web");
	ck_assert_str_eq(a->applyset, "web");
	ck_assert_ptr_null(a->context);
	ck_assert(a->automated && a->prune && a->self_heal);
	ck_assert_ptr_nonnull(a->helm);
	ck_assert_uint_eq(a->line, 9);
	/* its own window and its project's */
	ck_assert_int_eq(cJSON_GetArraySize(a->sync_windows), 2);
	/* each field that does not apply, named with its line */
	ck_assert_ptr_nonnull(strstr(warnings, "apps.yaml:24: web: spec.destination.server does not apply"));
	ck_assert_ptr_nonnull(strstr(warnings, "apps.yaml:28: web: spec.syncPolicy.syncOptions CreateNamespace=true"));
	ck_assert_ptr_nonnull(strstr(warnings, "apps.yaml:5: spec.sourceRepos does not apply"));
	ck_assert_ptr_null(strstr(warnings, "ServerSideApply"));
	a = gitops_ops_apps_find(&apps, "batch");
	ck_assert_ptr_nonnull(a);
	ck_assert(!a->automated && a->prune);
	ck_assert_str_eq(a->target_revision, "HEAD");
	ck_assert_str_eq(a->context, "kind-dev");
	ck_assert_int_eq(cJSON_GetArraySize(a->sync_windows), 0);
	ck_assert_ptr_null(gitops_ops_apps_find(&apps, "nope"));
	gitops_ops_apps_release(&apps);
}
END_TEST

static const struct {
	const char *text;
	const char *message; /* expected in err.msg */
} bad_cases[] = {
	{ "apiVersion: v1\nkind: Application\n", "apps.yaml:1: apiVersion must be gitops.dev/v1alpha1" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Deployment\n", "apps.yaml:2: kind must be Application or AppProject" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: Web}\nspec: {}\n",
	  "apps.yaml:3: metadata.name 'Web' must be a DNS-1123 subdomain" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  source:\n"
	  "    repoURL: r\n    pth: x\n  destination: {namespace: ns}\n",
	  "apps.yaml:8: unknown field spec.source.pth" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source: {repoURL: r}\n  destination: {}\n",
	  "spec.destination.namespace is required" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: r\n    helm:\n      parameters:\n      - {name: a, vlaue: b}\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:9: unknown field spec.source.helm.parameters[0].vlaue" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source: {repoURL: r}\n  destination: {namespace: ns}\n  syncPolicy:\n    automated:\n      prune: maybe\n",
	  "apps.yaml:9: spec.syncPolicy.automated.prune must be true or false" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source: {repoURL: r}\n  destination: {namespace: ns}\n  syncWindows:\n  - kind: sometimes\n"
	  "    schedule: '* * * * *'\n    duration: 1h\n",
	  "apps.yaml:8: spec.syncWindows[0].kind must be allow or deny" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  sources: []\n",
	  "apps.yaml:5: spec.sources is not supported" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source: {repoURL: r}\n  destination: {namespace: ns}\n---\n"
	  "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source: {repoURL: r}\n  destination: {namespace: ns}\n",
	  "apps.yaml:10: application web is declared twice (first at apps.yaml:1)" },
	{ "- a\n- b\n", "apps.yaml:1: a document must be a mapping" },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source: {repoURL: r}\n  destination: {namespace: ns}\n  syncWindows:\n  - kind: deny\n"
	  "    schedule: '61 * * * *'\n    duration: 1h\n",
	  "apps.yaml:7: spec.syncWindows: " },
	{ "apiVersion: gitops.dev/v1alpha1\nkind: Application\nmetadata: {name: [x\n", "apps.yaml:" },
	/* spec.source.chart */
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source: {repoURL: https://charts.example.com, chart: web}\n  destination: {namespace: ns}\n",
	  "apps.yaml:5: spec.source.targetRevision is required with spec.source.chart" },
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: https://charts.example.com\n"
	  "    chart: web\n    targetRevision: ''\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:8: spec.source.targetRevision is required with spec.source.chart" },
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: https://charts.example.com\n"
	  "    chart: web\n    targetRevision: 1.0.0\n    path: web\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:9: spec.source.path does not go with spec.source.chart" },
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: https://charts.example.com\n"
	  "    chart: bitnami/web\n    targetRevision: 1.0.0\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:7: spec.source.chart 'bitnami/web' must be a chart's name" },
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: https://charts.example.com\n"
	  "    chart: ''\n    targetRevision: 1.0.0\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:7: spec.source.chart must not be empty" },
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: https://charts.example.com\n"
	  "    chart: [web]\n    targetRevision: 1.0.0\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:7: spec.source.chart must be a string, not a sequence" },
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: git@github.com:org/charts.git\n"
	  "    chart: web\n    targetRevision: 1.0.0\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:6: spec.source.repoURL 'git@github.com:org/charts.git' of a chart must be a chart repository" },
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: ssh://git.example.com/charts.git\n"
	  "    chart: web\n    targetRevision: 1.0.0\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:6: spec.source.repoURL 'ssh://git.example.com/charts.git' of a chart must be" },
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: oci://\n"
	  "    chart: web\n    targetRevision: 1.0.0\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:6: spec.source.repoURL 'oci://' of a chart must be" },
	{ "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n"
	  "  source:\n    repoURL: https://charts.example.com\n"
	  "    chart: web\n    targetRevision: 1.0.0\n    kustomize: {namePrefix: x-}\n"
	  "  destination: {namespace: ns}\n",
	  "apps.yaml:9: spec.source.kustomize does not go with spec.source.chart" },
};

START_TEST(test_bad)
{
	struct gitops_ops_apps apps = GITOPS_OPS_APPS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(parse(&apps, bad_cases[_i].text, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	if (!strstr(err.msg, bad_cases[_i].message))
		ck_abort_msg("case %d: want '%s' in '%s'", _i, bad_cases[_i].message, err.msg);
	ck_assert_uint_eq(apps.n, 0);
	gitops_ops_apps_release(&apps);
}
END_TEST

/* spec.source.chart: a chart repository's URL with --chart, an OCI registry (Argo CD's form without a scheme,
 * or oci://) */
START_TEST(test_chart)
{
	static const char text[] =
		"apiVersion: argoproj.io/v1alpha1\n"
		"kind: Application\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  source:\n"
		"    repoURL: https://charts.example.com/stable\n"
		"    chart: web\n"
		"    targetRevision: 1.2.*\n"
		"    helm: {releaseName: shop, passCredentials: true}\n"
		"  destination: {namespace: web}\n"
		"---\n"
		"apiVersion: argoproj.io/v1alpha1\n"
		"kind: Application\n"
		"metadata: {name: db}\n"
		"spec:\n"
		"  source: {repoURL: registry-1.docker.io/bitnamicharts, chart: postgresql, targetRevision: 16.2.1}\n"
		"  destination: {namespace: db}\n"
		"---\n"
		"apiVersion: argoproj.io/v1alpha1\n"
		"kind: Application\n"
		"metadata: {name: cache}\n"
		"spec:\n"
		"  source: {repoURL: 'oci://127.0.0.1:5000/charts/', chart: redis, targetRevision: '*', path: ''}\n"
		"  destination: {namespace: cache}\n"
		"---\n"
		"apiVersion: argoproj.io/v1alpha1\n"
		"kind: Application\n"
		"metadata: {name: git}\n"
		"spec:\n"
		"  source: {repoURL: https://git.example.com/deploy.git}\n"
		"  destination: {namespace: git}\n";
	struct gitops_ops_apps apps = GITOPS_OPS_APPS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	const struct gitops_ops_app *a;

	ck_assert_int_eq(parse(&apps, text, &err), 0);
	ck_assert_uint_eq(apps.n, 4);
	a = gitops_ops_apps_find(&apps, "web");
	ck_assert_str_eq(a->chart, "web");
	ck_assert_str_eq(a->chart_url, "https://charts.example.com/stable");
	ck_assert_str_eq(a->target_revision, "1.2.*");
	ck_assert_str_eq(a->path, "");
	ck_assert_ptr_nonnull(strstr(warnings, "apps.yaml:9: web: spec.source.helm.passCredentials does not apply"));
	a = gitops_ops_apps_find(&apps, "db");
	ck_assert_str_eq(a->chart_url, "oci://registry-1.docker.io/bitnamicharts/postgresql");
	ck_assert_str_eq(a->repo_url, "registry-1.docker.io/bitnamicharts");
	a = gitops_ops_apps_find(&apps, "cache");
	ck_assert_str_eq(a->chart_url, "oci://127.0.0.1:5000/charts/redis");
	ck_assert_str_eq(a->target_revision, "*");
	a = gitops_ops_apps_find(&apps, "git");
	ck_assert_ptr_null(a->chart);
	ck_assert_ptr_null(a->chart_url);
	gitops_ops_apps_release(&apps);
}
END_TEST

START_TEST(test_names)
{
	ck_assert(gitops_ops_app_name_valid("web"));
	ck_assert(gitops_ops_app_name_valid("web-1.prod"));
	ck_assert(!gitops_ops_app_name_valid(""));
	ck_assert(!gitops_ops_app_name_valid("-web"));
	ck_assert(!gitops_ops_app_name_valid("web-"));
	ck_assert(!gitops_ops_app_name_valid("a..b"));
	ck_assert(!gitops_ops_app_name_valid("../etc"));
	ck_assert(!gitops_ops_app_name_valid("a/b"));
	ck_assert(!gitops_ops_app_name_valid("Web"));
}
END_TEST

/* records and history in a state directory, the rollback's revision, the status's exit */
START_TEST(test_state)
{
	char dir[] = "/tmp/test-ops-state.XXXXXX", rev[GITOPS_OPS_REV_MAX], path[256];
	const char *a = "1111111111111111111111111111111111111111", *b = "2222222222222222222222222222222222222222";
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *rec = NULL, *hist = NULL, *recs[1];
	struct gitops_buf out = GITOPS_BUF_INIT;
	int fd = -1, fd2 = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(gitops_ops_state_init(dir, &err), 0);
	ck_assert_int_eq(gitops_ops_state_load(&rec, dir, "web", &err), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(rec, "sync")->valuestring, "Unknown");
	cJSON_AddItemToObject(cJSON_GetObjectItem(rec, "lastOperation"), "result", cJSON_CreateString("Succeeded"));
	ck_assert_int_eq(gitops_ops_state_history_append(dir, rec, a, &err), 0);
	ck_assert_int_eq(gitops_ops_state_history_append(dir, rec, b, &err), 0);
	cJSON_ReplaceItemInObject(rec, "health", cJSON_CreateString("Healthy"));
	cJSON_ReplaceItemInObject(rec, "sync", cJSON_CreateString("OutOfSync"));
	ck_assert_int_eq(gitops_ops_state_save(dir, rec, &err), 0);
	cJSON_Delete(rec);
	ck_assert_int_eq(gitops_ops_state_load(&rec, dir, "web", &err), 1);
	recs[0] = rec;
	ck_assert_int_eq(gitops_ops_status_exit((const cJSON *const *)recs, 1), 1);
	ck_assert_int_eq(gitops_ops_status_table(&out, (const cJSON *const *)recs, 1), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "web  OutOfSync  Healthy"));
	ck_assert_int_eq(gitops_ops_state_history(&hist, dir, "web", &err), 0);
	ck_assert_int_eq(cJSON_GetArraySize(hist), 2);
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, b, NULL, 1, &err), 0);
	ck_assert_str_eq(rev, a);
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, b, "2222222", 0, &err), 0);
	ck_assert_str_eq(rev, b);
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, b, NULL, 2, &err), -1);
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, b, "zz", 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "revision zz was never synced successfully"));
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, b, "1.0 || 2", 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "--to takes a revision"));
	ck_assert_int_eq(gitops_ops_state_load(&recs[0], dir, "../x", &err), -1);
	/* the lock: a second holder finds it busy */
	ck_assert_int_eq(gitops_ops_state_lock(&fd, dir, "web", NULL, &err), 1);
	ck_assert_int_eq(gitops_ops_state_lock(&fd2, dir, "web", NULL, &err), 0);
	close(fd);
	/* a damaged history line is an error naming its line */
	snprintf(path, sizeof(path), "%s/apps/web.history.jsonl", dir);
	{
		FILE *f = fopen(path, "a");
		fputs("{broken\n", f);
		fclose(f);
	}
	cJSON_Delete(hist);
	ck_assert_int_eq(gitops_ops_state_history(&hist, dir, "web", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "web.history.jsonl:3"));
	ck_assert_str_eq(gitops_ops_health_worse("Healthy", "Progressing"), "Progressing");
	ck_assert_str_eq(gitops_ops_health_worse("Degraded", "Missing"), "Degraded");
	cJSON_Delete(rec);
	gitops_buf_release(&out);
	unlink(path);
	snprintf(path, sizeof(path), "%s/apps/web.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/apps/web.lock", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/apps", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

/* a chart app's history: versions, not commits; --to names a version whole */
START_TEST(test_chart_rollback)
{
	cJSON *hist = cJSON_Parse("["
		"{\"revision\":\"1.0.0\",\"result\":\"Succeeded\"},"
		"{\"revision\":\"\",\"result\":\"Failed\"},"
		"{\"revision\":\"1.1.0-rc.1+build.7\",\"result\":\"Succeeded\"},"
		"{\"revision\":\"1.2.0\",\"result\":\"Failed\"},"
		"{\"revision\":\"1.2.0\",\"result\":\"Succeeded\"}]");
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf out = GITOPS_BUF_INIT;
	char rev[GITOPS_OPS_REV_MAX];

	ck_assert_ptr_nonnull(hist);
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, "1.2.0", NULL, 1, &err), 0);
	ck_assert_str_eq(rev, "1.1.0-rc.1+build.7");
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, "1.2.0", NULL, 2, &err), 0);
	ck_assert_str_eq(rev, "1.0.0");
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, "1.2.0", NULL, 3, &err), -1);
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, "1.2.0", "1.0.0", 0, &err), 0);
	ck_assert_str_eq(rev, "1.0.0");
	/* a version is named whole, never by a prefix */
	ck_assert_int_eq(gitops_ops_rollback_target(rev, hist, "1.2.0", "1.0", 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "revision 1.0 was never synced successfully"));
	/* the table shows a version whole */
	ck_assert_int_eq(gitops_ops_history_table(&out, hist), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "1.1.0-rc.1+build.7  Succeeded"));
	gitops_buf_release(&out);
	cJSON_Delete(hist);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops_app");
	TCase *tc = tcase_create("apps");

	tcase_add_test(tc, test_full);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_chart);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_chart_rollback);
	tcase_add_test(tc, test_state);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
