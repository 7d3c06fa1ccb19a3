/*
 * lease.h: one sync of an ApplySet at a time, serialised on the API server
 * (not only by a lock on one host) through a coordination.k8s.io/v1 Lease,
 * as Kubernetes' own leader election does.
 *
 * The Lease NAME-gitops-sync lives beside the ApplySet parent.  A run holds
 * it while it changes anything: acquired before the parent is read, renewed
 * while the sync goes on, verified by a compare-and-swap on its
 * resourceVersion right before anything is pruned, and deleted at the end.
 * Another run that finds it held waits (up to its wait time) or gives up
 * with GITOPS_EXIT_BUSY.  A holder that died leaves a Lease nobody renews:
 * it is taken over once its renewTime is older than its duration (plus a
 * clock-skew allowance), or once a waiter has seen it unchanged for that
 * long by its own clock.  A holder whose Lease was taken over learns it at
 * its next renewal (the swap fails) and stops before pruning.
 *
 * Uses lib/kube (requests); the Lease is the only object it touches.
 */
#ifndef GITOPS_LEASE_H
#define GITOPS_LEASE_H

#include "lib/base/err.h"
#include "lib/kube/kube.h"

struct gitops_lease_options {
	long duration_ms;   /* how long a holder that stopped renewing keeps the lease */
	long wait_ms;       /* how long to wait for another holder; 0: give up at once */
	const char *holder; /* who holds it, for messages ("gitops-apply on HOST, pid N"); NULL: made up */
	/* while waiting (may be NULL): one line, no newline */
	void (*progress)(void *ctx, const char *line);
	void *ctx;
};

#define GITOPS_LEASE_OPTIONS_INIT { .duration_ms = 60000 }

struct gitops_lease;

/* "NAME-gitops-sync" into buf: the Lease that serialises syncs of applyset NAME. */
void gitops_lease_name(const char *applyset, char *buf, size_t size);

/*
 * Acquire the Lease `name` in namespace `ns`.  0 and *out; -1 with
 * GITOPS_EXIT_BUSY ("applyset web is being synced by ... since ...") when
 * another holder kept it past opts->wait_ms, or another code when the server
 * failed.  The caller frees *out with gitops_lease_release.
 */
int gitops_lease_acquire(struct gitops_lease **out, struct gitops_kube *k, const char *ns, const char *name,
			 const struct gitops_lease_options *opts, struct gitops_err *err);

/*
 * Renew the lease when a third of its duration has passed since the last
 * renewal (force: now).  The renewal is a compare-and-swap: -1 with
 * GITOPS_EXIT_BUSY when someone else took the Lease over meanwhile; then
 * nothing more may be changed under it.
 */
int gitops_lease_renew(struct gitops_lease *l, struct gitops_kube *k, int force, struct gitops_err *err);

/* Give the lease up (delete the Lease, if it is still ours) and free l; NULL is a no-op. */
void gitops_lease_release(struct gitops_lease *l, struct gitops_kube *k);

#endif
