/*
 * apply.h: a sync as Argo CD runs one, with server-side apply.
 *
 * Every object is checked, classified (lib/order.h) and its kind resolved
 * before anything is sent.  Then phase by phase (PreSync hooks, Sync, PostSync
 * hooks), wave by wave, tier by tier (Namespaces, what workloads need,
 * CRDs (waited for until Established), the rest, webhooks), the requests of
 * one tier in parallel.  Hooks are waited for until they succeed or fail and
 * their delete policies honoured; with `wait`, every wave's objects until they
 * are healthy (lib/health.h); PostSync hooks only run once the Sync phase is
 * healthy.  With an applyset, objects are labelled as its members and, with
 * `prune`, members no longer in the stream are deleted after a successful
 * Sync phase, in reverse order.  When the sync fails after it began, the
 * SyncFail hooks run.
 */
#ifndef GITOPS_APPLY_H
#define GITOPS_APPLY_H

#include "lib/base/err.h"
#include "lib/k8s/health.h"
#include "lib/kube/kube.h"
#include "lib/kube/kube_discovery.h"
#include "lib/k8s/order.h"
#include "lib/k8s/stream.h"

struct gitops_apply_options {
	const char *field_manager;   /* "gitops" */
	int force_conflicts;
	int dry_run;                 /* server-side dry run: nothing changes, nothing is waited for */
	int apply_all;               /* send objects whose managedFields prove the apply a no-op too */
	const char *namespace;       /* for namespaced objects without one */
	long establish_timeout_ms;   /* how long to wait for a CRD to be Established */
	/* the rest of a sync */
	const char *applyset;        /* parent Secret's name, or NULL */
	const char *applyset_namespace; /* NULL: namespace */
	const char *applyset_tooling;   /* what a new parent records: "gitops/VERSION" */
	int prune;                   /* delete members of the applyset the stream no longer has */
	int allow_empty;             /* an empty stream may prune everything */
	int confirm_prune;           /* members annotated Prune=confirm may be pruned too */
	long lock_wait_ms;           /* how long to wait for another sync of the applyset to finish; 0: none */
	int stream_complete;         /* the stream was closed by an end marker whose count matched */
	int wait;                    /* wait until each wave is healthy */
	long timeout_ms;             /* for all waiting (hooks, health): the whole sync */
	/* progress while waiting (may be NULL): one line, no newline; every 5 s, or at each poll with progress_live */
	void (*progress)(void *ctx, const char *line);
	int progress_live;
	/*
	 * gitops-apply --plan (may be NULL): called once, before the sync changes
	 * anything, after it took the applyset's Lease (before the Namespace of the
	 * set is created, when the stream creates it: no Lease can exist there yet);
	 * -1 with err refuses the sync, nothing changed.
	 */
	int (*before_change)(void *ctx, struct gitops_kube *k, struct gitops_kube_discovery *d, struct gitops_err *err);
	void *before_change_ctx;
	/* gitops-apply --plan: prune only members whose UID is listed, each DELETE on condition of that UID */
	int prune_listed_only;
	const char *const *prune_uids;
	size_t n_prune_uids;
};

#define GITOPS_APPLY_OPTIONS_INIT                                                                      \
	{ .field_manager = "gitops", .namespace = "default", .establish_timeout_ms = 60000,                 \
	  .applyset_tooling = "gitops/" GITOPS_VERSION, .timeout_ms = 300000 }

enum gitops_apply_outcome {
	GITOPS_APPLY_FAILED,         /* err says why */
	GITOPS_APPLY_CREATED,
	GITOPS_APPLY_CONFIGURED,
	GITOPS_APPLY_UNCHANGED,
	GITOPS_APPLY_PRUNED,         /* deleted as a member the stream no longer has */
	GITOPS_APPLY_PRUNE_PENDING,  /* such a member annotated Prune=confirm: kept until a sync is told to */
	GITOPS_APPLY_HOOK_SUCCEEDED,
	GITOPS_APPLY_HOOK_FAILED,    /* err says why */
	GITOPS_APPLY_HOOK_DELETED,   /* removed by its delete policy */
	GITOPS_APPLY_UNHEALTHY       /* Degraded, or not healthy in time; err says why */
};

struct gitops_apply_result {
	enum gitops_apply_outcome outcome;
	char name[600];              /* kubectl's "deployment.apps/web" */
	char ns[64];
	int hook;                    /* a hook, run in `phase` */
	enum gitops_phase phase;
	int wave;
	int not_sent;                /* unchanged, known from its managed fields without a request */
	int unchecked;               /* dry run: its namespace or CRD comes with the stream, so the server could not check it */
	struct gitops_health health; /* when waited for */
	struct gitops_err err;       /* when failed */
};

/* Called as each object's result is known, in order within each step. */
typedef void (*gitops_apply_report_fn)(void *ctx, const struct gitops_apply_result *r);

/*
 * Apply objs (borrowed).  0 when the sync succeeded; -1 with err: before
 * anything was sent when an object is invalid, a kind unknown or a prune
 * unsafe, or (GITOPS_EXIT_AUTH) when this user lacks a permission the prune
 * needs (asked with SelfSubjectAccessReviews, lib/kube/kube_access.h); else
 * the first failure (what failed is reported, the rest of its
 * step still runs; later steps do not start).
 */
int gitops_apply(struct gitops_kube *k, struct gitops_kube_discovery *d, struct gitops_object *objs, size_t n,
		 const struct gitops_apply_options *opts, gitops_apply_report_fn report, void *ctx,
		 struct gitops_err *err);

/*
 * With opts->prune: -1 (GITOPS_EXIT_UNSAFE) unless the stream was complete and
 * held `members` > 0 objects (or allow_empty).  gitops_apply checks it too.
 */
int gitops_apply_prune_safe(const struct gitops_apply_options *opts, size_t members, struct gitops_err *err);

#endif
