/*
 * sync.h: inside a sync, shared by lib/apply.c (the phases, waves and
 * steps), lib/wait.c (hooks and health) and lib/prune.c (members the
 * stream no longer has).  Not a public interface: only those three files
 * include it.
 */
#ifndef GITOPS_SYNC_H
#define GITOPS_SYNC_H

#include <time.h>
#include "lib/sync/apply.h"
#include "lib/sync/applyset.h"
#include "lib/sync/lease.h"
#include "lib/sync/plan.h"

struct item {
	struct gitops_plan_item p;                 /* kind, placement, what is live (lib/plan) */
	struct gitops_sync_info info;
	int done_early;                            /* applied before the phases (the applyset parent's namespace) */
	int hook_done;                             /* this phase: its hook finished (or needs no waiting) */
	int ready;                                 /* this wave: healthy enough */
	struct gitops_apply_result result;
	char *rv_before;
	char *uid;                                 /* of the object this run applied (or proved unchanged) */
	cJSON *live_before;
};

struct sync {
	struct gitops_kube *k;
	struct gitops_kube_discovery *d;
	const struct gitops_apply_options *o;
	gitops_apply_report_fn report;
	void *ctx;
	struct item *items;
	struct gitops_plan_item **plan;            /* the items' plans, for lib/plan */
	size_t n;
	const char **stream_ns;
	size_t n_stream_ns;
	struct gitops_applyset *set;
	const char *set_ns;
	char set_id[64];                           /* the member label's value, "" without an applyset */
	struct gitops_lease *lease;                /* held while the sync changes anything */
	size_t unconfirmed;                        /* members kept because their prune needs confirmation */
	struct timespec start;
	int began;                                 /* something was sent that changes the cluster */
	int checked;                               /* o->before_change was called */
};

/* --- apply.c --- */

/* kubectl's name of an object: "deployment.apps/web". */
void gitops_sync_kubectl_name(char *buf, size_t size, const struct gitops_id *id);
/* The object's path on the API server (caller frees). */
char *gitops_sync_object_path(const struct item *it);
/* Milliseconds since the sync began. */
long gitops_sync_elapsed_ms(const struct sync *s);
void gitops_sync_sleep_ms(long ms);
/* Hand its result to the caller's report function. */
void gitops_sync_report(struct sync *s, struct item *it);
/* The lease stays ours while the sync goes on (renewed when a third of its duration passed). */
int gitops_sync_keep_lease(struct sync *s, struct gitops_err *err);
/* Mark it failed with e; the first failure becomes err (*ret -1). */
void gitops_sync_fail_item(struct item *it, const struct gitops_err *e, int *ret, struct gitops_err *err);
/* Run the requests that have a method; the others are left as they are. */
int gitops_sync_run_subset(struct gitops_kube *k, struct gitops_kube_request *reqs, size_t n, const long *ok,
			   struct gitops_err *err);

/* --- wait.c: hooks and health --- */

/* A CRD the sync applied, until the server says it is Established. */
int gitops_sync_wait_established(struct sync *s, struct item *it, struct gitops_err *err);
/* Hooks with BeforeHookCreation: the old one goes, and is gone, before the new one is created. */
int gitops_sync_delete_before_creation(struct sync *s, struct item **step, size_t n, struct gitops_err *err);
/*
 * Wait until the objects are ready: hooks until they succeed or fail (a Job
 * or a Pod; other hooks are done once applied), the others until healthy
 * (or Suspended, or of a kind without a check).  Degraded ends the wait.
 */
int gitops_sync_wait_ready(struct sync *s, struct item **list, size_t m, const char *what, struct gitops_err *err);
/* Hooks that finished: their delete policies. */
int gitops_sync_delete_finished_hooks(struct sync *s, struct item **list, size_t m, struct gitops_err *err);

/* o->before_change, once, before the first change; 0 when there is none. */
int gitops_sync_check_before_change(struct sync *s, struct gitops_err *err);

/* --- prune.c --- */

/*
 * DELETE each (in parallel), background propagation; uids (may be NULL) the
 * precondition of each (the object of that UID, not one re-created since).
 * failed[i] says which failed, and errs[i] (errs may be NULL) why: each its
 * own message.
 */
int gitops_sync_delete_all(struct sync *s, const struct gitops_kube_resource *const *res, const char *const *ns,
			   const char *const *names, const char *const *uids, const char *const *what, size_t n,
			   int *failed, struct gitops_err *errs, struct gitops_err *err);
/*
 * Members the stream no longer has: deleted in reverse order, a group of one
 * wave and tier at a time.  A member whose UID this sync applied is the same
 * object under another API group: never deleted.  Prune=confirm members wait
 * for --confirm-prune.
 */
int gitops_sync_prune(struct sync *s, struct gitops_err *err);

#endif
