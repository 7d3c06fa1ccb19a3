#include "lib/k8s/order.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/k8s/object.h"

/* Helm's install order, which Argo CD's kind order follows; unknown kinds after it, webhooks last. */
static const char *const kind_order[] = {
	"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
	"ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
	"ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job",
	"CronJob", "IngressClass", "Ingress", "APIService", NULL
};
#define RANK_UNKNOWN 100
#define RANK_WEBHOOK 101

static int is_webhook(const char *group, const char *kind)
{
	return !strcmp(group, "admissionregistration.k8s.io") &&
	       (!strcmp(kind, "MutatingWebhookConfiguration") || !strcmp(kind, "ValidatingWebhookConfiguration"));
}

int gitops_order_kind_rank(const char *group, const char *kind)
{
	int i;

	if (is_webhook(group, kind))
		return RANK_WEBHOOK;
	for (i = 0; kind_order[i]; i++)
		if (!strcmp(kind_order[i], kind))
			return i;
	return RANK_UNKNOWN;
}

int gitops_order_tier(const char *group, const char *kind)
{
	int r = gitops_order_kind_rank(group, kind);

	if (r == 0)
		return 0;
	if (r < 13)        /* NetworkPolicy .. PersistentVolumeClaim */
		return 1;
	if (r == 13)
		return GITOPS_TIER_CRDS;
	if (r == RANK_WEBHOOK)
		return 4;
	return 3;
}

const char *gitops_phase_name(enum gitops_phase p)
{
	static const char *const names[] = { "PreSync", "Sync", "PostSync", "SyncFail" };
	return p < GITOPS_N_PHASES ? names[p] : "?";
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	while (*s == ' ')
		s++;
	errno = 0;
	v = strtol(s, &end, 10);
	while (*end == ' ')
		end++;
	if (end == s || *end || errno || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* Call fn for each comma-separated, blank-trimmed token of s. */
static int each_token(const char *s, int (*fn)(const char *tok, size_t len, void *ctx), void *ctx)
{
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		const char *t = s;
		size_t l = len;
		while (l && (*t == ' ' || *t == '\t'))
			t++, l--;
		while (l && (t[l - 1] == ' ' || t[l - 1] == '\t'))
			l--;
		if (l && fn(t, l, ctx) < 0)
			return -1;
		s += len + (e ? 1 : 0);
	}
	return 0;
}

static int tok_eq(const char *t, size_t l, const char *word)
{
	return strlen(word) == l && !strncmp(t, word, l);
}

struct hook_ctx {
	struct gitops_sync_info *out;
	int helm;
	const char *bad;
	size_t bad_len;
};

static int argo_hook(const char *t, size_t l, void *ctx)
{
	struct hook_ctx *h = ctx;

	if (tok_eq(t, l, "PreSync"))
		h->out->phases |= 1u << GITOPS_PHASE_PRESYNC;
	else if (tok_eq(t, l, "Sync"))
		h->out->phases |= 1u << GITOPS_PHASE_SYNC;
	else if (tok_eq(t, l, "PostSync"))
		h->out->phases |= 1u << GITOPS_PHASE_POSTSYNC;
	else if (tok_eq(t, l, "SyncFail"))
		h->out->phases |= 1u << GITOPS_PHASE_SYNCFAIL;
	else if (tok_eq(t, l, "Skip") || tok_eq(t, l, "PostDelete"))
		; /* not applied by a sync */
	else {
		h->bad = t;
		h->bad_len = l;
		return -1;
	}
	return 0;
}

/* Helm hooks as Argo CD maps them; the others (delete, rollback, test) are not run by a sync. */
static int helm_hook(const char *t, size_t l, void *ctx)
{
	struct hook_ctx *h = ctx;

	if (tok_eq(t, l, "pre-install") || tok_eq(t, l, "pre-upgrade"))
		h->out->phases |= 1u << GITOPS_PHASE_PRESYNC;
	else if (tok_eq(t, l, "post-install") || tok_eq(t, l, "post-upgrade"))
		h->out->phases |= 1u << GITOPS_PHASE_POSTSYNC;
	else if (tok_eq(t, l, "pre-delete") || tok_eq(t, l, "post-delete") || tok_eq(t, l, "pre-rollback") ||
		 tok_eq(t, l, "post-rollback") || tok_eq(t, l, "test") || tok_eq(t, l, "test-success") ||
		 tok_eq(t, l, "test-failure") || tok_eq(t, l, "crd-install"))
		;
	else {
		h->bad = t;
		h->bad_len = l;
		return -1;
	}
	return 0;
}

static int delete_policy(const char *t, size_t l, void *ctx)
{
	struct hook_ctx *h = ctx;

	if (tok_eq(t, l, h->helm ? "before-hook-creation" : "BeforeHookCreation"))
		h->out->delete_policy |= GITOPS_HOOK_DELETE_BEFORE_CREATION;
	else if (tok_eq(t, l, h->helm ? "hook-succeeded" : "HookSucceeded"))
		h->out->delete_policy |= GITOPS_HOOK_DELETE_SUCCEEDED;
	else if (tok_eq(t, l, h->helm ? "hook-failed" : "HookFailed"))
		h->out->delete_policy |= GITOPS_HOOK_DELETE_FAILED;
	else {
		h->bad = t;
		h->bad_len = l;
		return -1;
	}
	return 0;
}

static int sync_option(const char *t, size_t l, void *ctx)
{
	struct hook_ctx *h = ctx;

	if (tok_eq(t, l, "Prune=false"))
		h->out->no_prune = 1;
	else if (tok_eq(t, l, "Prune=confirm"))
		h->out->prune_confirm = 1;
	return 0; /* the other options (Validate=false, ServerSideApply=true, ...) change nothing here */
}

int gitops_order_classify(struct gitops_sync_info *out, const cJSON *obj, const char *group, const char *kind,
			  struct gitops_err *err)
{
	const char *argo = gitops_object_annotation(obj, "argocd.argoproj.io/hook");
	const char *helm = gitops_object_annotation(obj, "helm.sh/hook");
	const char *wave = gitops_object_annotation(obj, "argocd.argoproj.io/sync-wave");
	const char *weight = gitops_object_annotation(obj, "helm.sh/hook-weight");
	const char *policy, *opts;
	struct hook_ctx h;

	memset(out, 0, sizeof(*out));
	memset(&h, 0, sizeof(h));
	h.out = out;
	out->kind_rank = gitops_order_kind_rank(group, kind);
	out->tier = gitops_order_tier(group, kind);
	out->phases = 1u << GITOPS_PHASE_SYNC;
	if (argo || helm) {
		out->hook = 1;
		out->phases = 0;
		/* Argo CD's own annotation wins over Helm's */
		if (argo ? each_token(argo, argo_hook, &h) < 0 : each_token(helm, helm_hook, &h) < 0) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: unknown hook '%.*s'", argo ? "argocd.argoproj.io/hook" : "helm.sh/hook",
				 (int)h.bad_len, h.bad);
			return -1;
		}
		h.helm = !argo;
		policy = gitops_object_annotation(obj, argo ? "argocd.argoproj.io/hook-delete-policy" :
							    "helm.sh/hook-delete-policy");
		if (!policy && argo) {
			/* an Argo CD hook may still carry Helm's policy */
			policy = gitops_object_annotation(obj, "helm.sh/hook-delete-policy");
			h.helm = policy != NULL;
		}
		if (policy && each_token(policy, delete_policy, &h) < 0) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: unknown delete policy '%.*s'",
				 h.helm ? "helm.sh/hook-delete-policy" : "argocd.argoproj.io/hook-delete-policy",
				 (int)h.bad_len, h.bad);
			return -1;
		}
		if (!policy && !argo) /* Helm's default */
			out->delete_policy = GITOPS_HOOK_DELETE_BEFORE_CREATION;
	}
	if (wave) {
		if (parse_int(wave, &out->wave) < 0) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "argocd.argoproj.io/sync-wave: '%s' is not an integer", wave);
			return -1;
		}
	} else if (weight && out->hook) {
		if (parse_int(weight, &out->wave) < 0) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "helm.sh/hook-weight: '%s' is not an integer", weight);
			return -1;
		}
	}
	opts = gitops_object_annotation(obj, "argocd.argoproj.io/sync-options");
	if (opts)
		each_token(opts, sync_option, &h);
	return 0;
}
