/*
 * order.h: where an object goes in a sync, as Argo CD orders one: hook phase
 * (PreSync, Sync, PostSync; SyncFail only when the sync fails), then wave
 * (argocd.argoproj.io/sync-wave, or helm.sh/hook-weight for Helm hooks;
 * default 0), then kind (Namespace first ... webhooks last), then name.
 *
 * Objects of one phase and wave are applied in tiers; the requests of one
 * tier run in parallel, a tier starts when the one before it is applied:
 *   0 Namespaces
 *   1 what workloads need to exist first (NetworkPolicy, ResourceQuota,
 *     LimitRange, PodSecurityPolicy, PodDisruptionBudget, ServiceAccount,
 *     Secret, ConfigMap, StorageClass, PersistentVolume, PVC)
 *   2 CustomResourceDefinitions (then waited for until Established)
 *   3 everything else: RBAC, Services, workloads, Ingresses, APIServices,
 *     custom resources
 *   4 admission webhooks (so that their Service and workload exist first)
 */
#ifndef GITOPS_ORDER_H
#define GITOPS_ORDER_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"

enum gitops_phase { GITOPS_PHASE_PRESYNC, GITOPS_PHASE_SYNC, GITOPS_PHASE_POSTSYNC, GITOPS_PHASE_SYNCFAIL,
		    GITOPS_N_PHASES };

enum gitops_hook_policy {
	GITOPS_HOOK_DELETE_BEFORE_CREATION = 1,   /* BeforeHookCreation, before-hook-creation */
	GITOPS_HOOK_DELETE_SUCCEEDED = 2,         /* HookSucceeded, hook-succeeded */
	GITOPS_HOOK_DELETE_FAILED = 4             /* HookFailed, hook-failed */
};

enum { GITOPS_N_TIERS = 5, GITOPS_TIER_CRDS = 2 };

struct gitops_sync_info {
	int hook;            /* a hook: runs in the phases below, is no member of the applyset, never pruned */
	unsigned phases;     /* bit (1 << phase) for each phase it runs in; 0: skipped (Skip, or a Helm hook Argo CD ignores) */
	int wave;
	int tier;            /* 0 .. GITOPS_N_TIERS-1 */
	int kind_rank;       /* position in the kind order */
	unsigned delete_policy;  /* enum gitops_hook_policy bits */
	int no_prune;        /* sync-options Prune=false */
	int prune_confirm;   /* sync-options Prune=confirm: pruned only when the sync is told to (--confirm-prune) */
};

/*
 * Read the sync annotations of obj (borrowed; group and kind from its id)
 * into *out.  0, or -1 with err (GITOPS_EXIT_INPUT) saying what is wrong
 * ("argocd.argoproj.io/sync-wave: 'x' is not an integer").
 */
int gitops_order_classify(struct gitops_sync_info *out, const cJSON *obj, const char *group, const char *kind,
			  struct gitops_err *err);

/* The kind's place in the order (lower first) and its tier. */
int gitops_order_kind_rank(const char *group, const char *kind);
int gitops_order_tier(const char *group, const char *kind);

const char *gitops_phase_name(enum gitops_phase p);

#endif
