/*
 * Unit tests for what a sync decides without a server: lib/sync/apply.c's
 * prune refusals, lib/sync/plan.c's items and bodies (identity, hooks,
 * placement, the member label), the server-side apply request
 * (lib/kube/kube_rest.c) and the lease's name.  What needs the API server is
 * in tests/kube.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/kube/kube_rest.h"
#include "lib/sync/apply.h"
#include "lib/sync/applyset.h"
#include "lib/sync/lease.h"
#include "lib/sync/plan.h"
#include "lib/yaml/yaml.h"
#include "tests/unit/check_main.h"

/* --- prune refusals --- */

static const struct {
	int prune, has_set, complete, allow_empty;
	size_t members;
	int ret, code;
	const char *msg;   /* a part of the message */
} prune_cases[] = {
	{ 0, 0, 0, 0, 0, 0, 0, NULL },                        /* no prune: nothing to refuse */
	{ 1, 0, 1, 0, 3, -1, GITOPS_EXIT_USAGE, "pruning needs an applyset" },
	{ 1, 1, 0, 0, 3, -1, GITOPS_EXIT_UNSAFE, "did not end with an end-of-stream marker" },
	{ 1, 1, 0, 1, 0, -1, GITOPS_EXIT_UNSAFE, "did not end with an end-of-stream marker" }, /* --allow-empty needs it too */
	{ 1, 1, 1, 0, 0, -1, GITOPS_EXIT_UNSAFE, "--allow-empty deletes every member of applyset web" },
	{ 1, 1, 1, 1, 0, 0, 0, NULL },
	{ 1, 1, 1, 0, 1, 0, 0, NULL },
};

START_TEST(test_prune_safe)
{
	struct gitops_apply_options o = GITOPS_APPLY_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;

	o.prune = prune_cases[_i].prune;
	o.applyset = prune_cases[_i].has_set ? "web" : NULL;
	o.stream_complete = prune_cases[_i].complete;
	o.allow_empty = prune_cases[_i].allow_empty;
	ck_assert_int_eq(gitops_apply_prune_safe(&o, prune_cases[_i].members, &err), prune_cases[_i].ret);
	ck_assert_int_eq(err.code, prune_cases[_i].code);
	if (prune_cases[_i].msg)
		ck_assert_msg(strstr(err.msg, prune_cases[_i].msg), "%s", err.msg);
	else
		ck_assert_str_eq(err.msg, "");
}
END_TEST

/* --- plan items and bodies --- */

static struct gitops_object object(const char *text)
{
	struct gitops_object o;
	struct gitops_err err = GITOPS_ERR_INIT;

	memset(&o, 0, sizeof(o));
	ck_assert_msg(gitops_yaml_parse_one(&o.json, text, strlen(text), "in.yaml", NULL, &err) == 0, "%s", err.msg);
	o.source = "in.yaml";
	o.doc = 2;
	o.line = 7;
	return o;
}

static const struct {
	const char *in;
	int namespaced;
	const char *ns;          /* where it lives (NULL: cluster-scoped) */
	const char *set_id;
	const char *want;        /* the body, as JSON */
} body_cases[] = {
	/* the namespace made explicit: the default when the manifest names none */
	{ "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}", 1, "dflt", NULL,
	  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"namespace\":\"dflt\"}}" },
	{ "{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: own}}", 1, "own", NULL,
	  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"namespace\":\"own\"}}" },
	/* dropped for a cluster-scoped kind, whatever the manifest says */
	{ "{apiVersion: v1, kind: Namespace, metadata: {name: prod, namespace: x}}", 0, NULL, NULL,
	  "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"prod\"}}" },
	/* an ApplySet member is labelled; a hook is no member */
	{ "{apiVersion: v1, kind: ConfigMap, metadata: {name: a, labels: {app: web}}}", 1, "dflt", "applyset-abc-v1",
	  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"web\","
	  "\"applyset.kubernetes.io/part-of\":\"applyset-abc-v1\"},\"namespace\":\"dflt\"}}" },
	{ "{apiVersion: batch/v1, kind: Job, metadata: {name: j, annotations: {argocd.argoproj.io/hook: PreSync}}}", 1,
	  "dflt", "applyset-abc-v1",
	  "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"j\",\"annotations\":"
	  "{\"argocd.argoproj.io/hook\":\"PreSync\"},\"namespace\":\"dflt\"}}" },
	{ "{apiVersion: v1, kind: ConfigMap, metadata: {name: h, annotations: {helm.sh/hook: pre-install}}}", 1, "d",
	  "applyset-abc-v1",
	  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"h\",\"annotations\":"
	  "{\"helm.sh/hook\":\"pre-install\"},\"namespace\":\"d\"}}" },
};

START_TEST(test_plan_body)
{
	struct gitops_object o = object(body_cases[_i].in);
	struct gitops_plan_item it;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *body;
	char *text;

	ck_assert_msg(gitops_plan_item_init(&it, &o, &err) == 0, "%s", err.msg);
	/* placed as resolution would place it */
	it.namespaced = body_cases[_i].namespaced;
	it.ns = body_cases[_i].ns;
	body = gitops_plan_body(&it, body_cases[_i].set_id);
	ck_assert_ptr_nonnull(body);
	text = cJSON_PrintUnformatted(body);
	ck_assert_str_eq(text, body_cases[_i].want);
	/* the manifest itself is left as it was */
	ck_assert_ptr_null(gitops_json_get(o.json, "metadata", "labels", "applyset.kubernetes.io/part-of", NULL));
	free(text);
	cJSON_Delete(body);
	gitops_plan_item_release(&it);
	gitops_object_release(&o);
}
END_TEST

START_TEST(test_plan_item_identity)
{
	struct gitops_object o = object("{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, "
					"metadata: {name: widgets.example.com}}");
	struct gitops_object bad = object("{kind: ConfigMap}");
	struct gitops_plan_item it;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(gitops_plan_item_init(&it, &o, &err), 0);
	ck_assert_str_eq(it.id.group, "apiextensions.k8s.io");
	ck_assert_str_eq(it.id.version, "v1");
	ck_assert_int_eq(gitops_plan_is_crd(&it.id), 1);
	ck_assert_int_eq(it.hook, 0);
	ck_assert_ptr_null(it.res);
	/* not an object: where it is, and what */
	ck_assert_int_eq(gitops_plan_item_init(&it, &bad, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(err.msg, "in.yaml:7: document 2: not a Kubernetes object");
	gitops_object_release(&o);
	gitops_object_release(&bad);
}
END_TEST

/* --- the server-side apply request --- */

static const struct gitops_kube_resource deployments = { "apps", "v1", "Deployment", "deployments", 1, 1,
							 ",get,list,patch," };
static const struct gitops_kube_resource namespaces = { "", "v1", "Namespace", "namespaces", 0, 1, ",get,patch," };

static const struct {
	const struct gitops_kube_resource *res;
	const char *ns, *name, *manager;
	int force, dry_run;
	const char *path;
} request_cases[] = {
	{ &deployments, "web", "api", "gitops", 0, 0, "/apis/apps/v1/namespaces/web/deployments/api?fieldManager=gitops" },
	{ &deployments, "web", "api", "gitops", 1, 1,
	  "/apis/apps/v1/namespaces/web/deployments/api?fieldManager=gitops&force=true&dryRun=All" },
	/* the manager escaped: a space, an ampersand, a slash cannot change the query */
	{ &deployments, "web", "api", "team a&b/c", 0, 1,
	  "/apis/apps/v1/namespaces/web/deployments/api?fieldManager=team%20a%26b%2Fc&dryRun=All" },
	/* a cluster-scoped kind: no namespace in the path */
	{ &namespaces, "web", "prod", "gitops", 1, 0, "/api/v1/namespaces/prod?fieldManager=gitops&force=true" },
};

START_TEST(test_apply_request)
{
	struct gitops_kube_request q;

	ck_assert_int_eq(gitops_kube_apply_request(&q, request_cases[_i].res, request_cases[_i].ns,
						   request_cases[_i].name, strdup("{}"), request_cases[_i].manager,
						   request_cases[_i].force, request_cases[_i].dry_run),
			 0);
	ck_assert_str_eq(q.method, "PATCH");
	ck_assert_str_eq(q.content_type, "application/apply-patch+yaml");
	ck_assert_str_eq(q.path, request_cases[_i].path);
	ck_assert_str_eq(q.body, "{}");
	ck_assert_uint_eq(q.body_len, 2);
	gitops_kube_request_release(&q);
}
END_TEST

START_TEST(test_lease_name)
{
	char name[300];

	gitops_lease_name("web", name, sizeof(name));
	ck_assert_str_eq(name, "web-gitops-sync");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("apply");
	TCase *tc = tcase_create("prune");

	tcase_add_loop_test(tc, test_prune_safe, 0, sizeof(prune_cases) / sizeof(prune_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("plan");
	tcase_add_loop_test(tc, test_plan_body, 0, sizeof(body_cases) / sizeof(body_cases[0]));
	tcase_add_test(tc, test_plan_item_identity);
	tcase_add_loop_test(tc, test_apply_request, 0, sizeof(request_cases) / sizeof(request_cases[0]));
	tcase_add_test(tc, test_lease_name);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
