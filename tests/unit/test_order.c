/* Unit tests for lib/order.c (Argo CD's sync order: hooks, waves, kinds) and lib/applyset.c's id. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/sync/applyset.h"
#include "lib/k8s/order.h"
#include "tests/unit/check_main.h"

/* An object with the given annotations ("k=v;k=v"). */
static cJSON *obj(const char *kind, const char *annotations)
{
	cJSON *o = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON *ann = cJSON_AddObjectToObject(meta, "annotations");
	char buf[512], *save = NULL, *kv;

	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(meta, "name", "x");
	snprintf(buf, sizeof(buf), "%s", annotations);
	for (kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		*eq = '\0';
		cJSON_AddStringToObject(ann, kv, eq + 1);
	}
	return o;
}

static int classify(const char *group, const char *kind, const char *ann, struct gitops_sync_info *out, char *msg)
{
	cJSON *o = obj(kind, ann);
	struct gitops_err e = GITOPS_ERR_INIT;
	int r = gitops_order_classify(out, o, group, kind, &e);

	snprintf(msg, 256, "%s", e.msg);
	cJSON_Delete(o);
	return r;
}

#define PH(p) (1u << GITOPS_PHASE_##p)

START_TEST(plain_object_is_sync_wave_0)
{
	struct gitops_sync_info i;
	char msg[256];
	ck_assert_int_eq(classify("apps", "Deployment", "", &i, msg), 0);
	ck_assert_int_eq(i.hook, 0);
	ck_assert_uint_eq(i.phases, PH(SYNC));
	ck_assert_int_eq(i.wave, 0);
	ck_assert_int_eq(i.tier, 3);
	ck_assert_int_eq(i.no_prune, 0);
}
END_TEST

START_TEST(waves)
{
	struct gitops_sync_info i;
	char msg[256];
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/sync-wave=-3", &i, msg), 0);
	ck_assert_int_eq(i.wave, -3);
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/sync-wave= 12 ", &i, msg), 0);
	ck_assert_int_eq(i.wave, 12);
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/sync-wave=1.5", &i, msg), -1);
	ck_assert_str_eq(msg, "argocd.argoproj.io/sync-wave: '1.5' is not an integer");
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/sync-wave=", &i, msg), -1);
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/sync-wave=99999999999", &i, msg), -1);
	/* Helm's weight is a wave for Helm hooks only */
	ck_assert_int_eq(classify("", "ConfigMap", "helm.sh/hook-weight=5", &i, msg), 0);
	ck_assert_int_eq(i.wave, 0);
	ck_assert_int_eq(classify("batch", "Job", "helm.sh/hook=pre-install;helm.sh/hook-weight=-5", &i, msg), 0);
	ck_assert_int_eq(i.wave, -5);
	ck_assert_int_eq(classify("batch", "Job", "helm.sh/hook=pre-install;helm.sh/hook-weight=x", &i, msg), -1);
	ck_assert_str_eq(msg, "helm.sh/hook-weight: 'x' is not an integer");
}
END_TEST

START_TEST(argo_hooks)
{
	struct gitops_sync_info i;
	char msg[256];
	ck_assert_int_eq(classify("batch", "Job", "argocd.argoproj.io/hook=PreSync", &i, msg), 0);
	ck_assert_int_eq(i.hook, 1);
	ck_assert_uint_eq(i.phases, PH(PRESYNC));
	ck_assert_uint_eq(i.delete_policy, 0); /* no default for Argo CD's own hooks */
	ck_assert_int_eq(classify("batch", "Job", "argocd.argoproj.io/hook=PreSync, PostSync", &i, msg), 0);
	ck_assert_uint_eq(i.phases, PH(PRESYNC) | PH(POSTSYNC));
	ck_assert_int_eq(classify("", "Pod", "argocd.argoproj.io/hook=SyncFail", &i, msg), 0);
	ck_assert_uint_eq(i.phases, PH(SYNCFAIL));
	ck_assert_int_eq(classify("", "Pod", "argocd.argoproj.io/hook=Sync", &i, msg), 0);
	ck_assert_uint_eq(i.phases, PH(SYNC));
	ck_assert_int_eq(i.hook, 1);
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/hook=Skip", &i, msg), 0);
	ck_assert_uint_eq(i.phases, 0);
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/hook=PreSnyc", &i, msg), -1);
	ck_assert_str_eq(msg, "argocd.argoproj.io/hook: unknown hook 'PreSnyc'");
	ck_assert_int_eq(classify("batch", "Job",
				  "argocd.argoproj.io/hook=PostSync;argocd.argoproj.io/hook-delete-policy=HookSucceeded,BeforeHookCreation",
				  &i, msg), 0);
	ck_assert_uint_eq(i.delete_policy, GITOPS_HOOK_DELETE_SUCCEEDED | GITOPS_HOOK_DELETE_BEFORE_CREATION);
	ck_assert_int_eq(classify("batch", "Job", "argocd.argoproj.io/hook=PostSync;argocd.argoproj.io/hook-delete-policy=hook-failed",
				  &i, msg), -1);
	ck_assert_str_eq(msg, "argocd.argoproj.io/hook-delete-policy: unknown delete policy 'hook-failed'");
}
END_TEST

START_TEST(helm_hooks)
{
	struct gitops_sync_info i;
	char msg[256];
	ck_assert_int_eq(classify("batch", "Job", "helm.sh/hook=pre-install,pre-upgrade", &i, msg), 0);
	ck_assert_uint_eq(i.phases, PH(PRESYNC));
	ck_assert_uint_eq(i.delete_policy, GITOPS_HOOK_DELETE_BEFORE_CREATION); /* Helm's default */
	ck_assert_int_eq(classify("batch", "Job", "helm.sh/hook=post-upgrade;helm.sh/hook-delete-policy=hook-succeeded", &i, msg), 0);
	ck_assert_uint_eq(i.phases, PH(POSTSYNC));
	ck_assert_uint_eq(i.delete_policy, GITOPS_HOOK_DELETE_SUCCEEDED);
	ck_assert_int_eq(classify("", "Pod", "helm.sh/hook=test", &i, msg), 0);
	ck_assert_uint_eq(i.phases, 0);
	ck_assert_int_eq(i.hook, 1);
	ck_assert_int_eq(classify("", "Pod", "helm.sh/hook=pre-delete", &i, msg), 0);
	ck_assert_uint_eq(i.phases, 0);
	ck_assert_int_eq(classify("", "Pod", "helm.sh/hook=preinstall", &i, msg), -1);
	ck_assert_str_eq(msg, "helm.sh/hook: unknown hook 'preinstall'");
	/* Argo CD's annotation wins over Helm's */
	ck_assert_int_eq(classify("batch", "Job", "argocd.argoproj.io/hook=PostSync;helm.sh/hook=pre-install", &i, msg), 0);
	ck_assert_uint_eq(i.phases, PH(POSTSYNC));
}
END_TEST

START_TEST(sync_options)
{
	struct gitops_sync_info i;
	char msg[256];
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/sync-options=Prune=false", &i, msg), 0);
	ck_assert_int_eq(i.no_prune, 1);
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/sync-options=Validate=false, Prune=false", &i, msg), 0);
	ck_assert_int_eq(i.no_prune, 1);
	ck_assert_int_eq(classify("", "ConfigMap", "argocd.argoproj.io/sync-options=Prune=true", &i, msg), 0);
	ck_assert_int_eq(i.no_prune, 0);
}
END_TEST

START_TEST(kind_order_and_tiers)
{
	static const struct { const char *group, *kind; int tier; } kinds[] = {
		{ "", "Namespace", 0 },
		{ "networking.k8s.io", "NetworkPolicy", 1 },
		{ "", "ResourceQuota", 1 },
		{ "", "LimitRange", 1 },
		{ "", "ServiceAccount", 1 },
		{ "", "Secret", 1 },
		{ "", "ConfigMap", 1 },
		{ "storage.k8s.io", "StorageClass", 1 },
		{ "", "PersistentVolume", 1 },
		{ "", "PersistentVolumeClaim", 1 },
		{ "apiextensions.k8s.io", "CustomResourceDefinition", 2 },
		{ "rbac.authorization.k8s.io", "ClusterRole", 3 },
		{ "rbac.authorization.k8s.io", "ClusterRoleBinding", 3 },
		{ "rbac.authorization.k8s.io", "Role", 3 },
		{ "rbac.authorization.k8s.io", "RoleBinding", 3 },
		{ "", "Service", 3 },
		{ "apps", "DaemonSet", 3 },
		{ "", "Pod", 3 },
		{ "apps", "ReplicaSet", 3 },
		{ "apps", "Deployment", 3 },
		{ "autoscaling", "HorizontalPodAutoscaler", 3 },
		{ "apps", "StatefulSet", 3 },
		{ "batch", "Job", 3 },
		{ "batch", "CronJob", 3 },
		{ "networking.k8s.io", "Ingress", 3 },
		{ "apiregistration.k8s.io", "APIService", 3 },
		{ "stable.example.com", "CronTab", 3 },
		{ "admissionregistration.k8s.io", "ValidatingWebhookConfiguration", 4 },
	};
	size_t i;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		ck_assert_int_eq(gitops_order_tier(kinds[i].group, kinds[i].kind), kinds[i].tier);
		if (i)
			ck_assert_int_le(gitops_order_kind_rank(kinds[i - 1].group, kinds[i - 1].kind),
					 gitops_order_kind_rank(kinds[i].group, kinds[i].kind));
	}
	ck_assert_int_eq(gitops_order_kind_rank("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
			 gitops_order_kind_rank("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"));
	ck_assert_int_lt(gitops_order_kind_rank("x.example.com", "Anything"),
			 gitops_order_kind_rank("admissionregistration.k8s.io", "MutatingWebhookConfiguration"));
	ck_assert_str_eq(gitops_phase_name(GITOPS_PHASE_POSTSYNC), "PostSync");
}
END_TEST

/* The id kubectl 1.32 gave the set "web" in namespace "as-probe-14865" (read from the label it wrote). */
START_TEST(applyset_id_as_kubectl)
{
	char id[80];
	ck_assert_int_eq(gitops_applyset_id(id, sizeof(id), "web", "as-probe-14865", NULL), 0);
	ck_assert_str_eq(id, "applyset-xEduIDc70jWKvQVlqf0bU8m-B3VfQuTdBWjAglo6asU-v1");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("order");
	TCase *tc = tcase_create("order");

	tcase_add_test(tc, plain_object_is_sync_wave_0);
	tcase_add_test(tc, waves);
	tcase_add_test(tc, argo_hooks);
	tcase_add_test(tc, helm_hooks);
	tcase_add_test(tc, sync_options);
	tcase_add_test(tc, kind_order_and_tiers);
	tcase_add_test(tc, applyset_id_as_kubectl);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
