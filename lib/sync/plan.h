/*
 * plan.h: what a sync would send, and what is live: the ground gitops-apply
 * (lib/apply) and gitops-diff (lib/diff) share, so that the diff shows
 * exactly what the apply does.  Neither of those includes the other.
 *
 * For each object of a stream: its kind resolved (on the server, or by a
 * CustomResourceDefinition of the same stream), where it lives, the body a
 * server-side apply sends (namespace made explicit or dropped, the ApplySet
 * member label), the apply request itself, the live object (a LIST per kind
 * and namespace of many objects, read a page at a time and kept as text;
 * else a GET each, all at once), and the proof from managedFields that an
 * apply would change nothing.
 *
 * Uses lib/kube, lib/kube_discovery, lib/kube_rest, lib/object, lib/order.
 * Items borrow their objects; live_text is owned by the item
 * (gitops_plan_item_release).
 */
#ifndef GITOPS_PLAN_H
#define GITOPS_PLAN_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/kube/kube.h"
#include "lib/kube/kube_discovery.h"
#include "lib/k8s/object.h"
#include "lib/k8s/stream.h"

/* this many objects of one kind in one namespace: one LIST instead of a GET each */
#define GITOPS_PLAN_LIST_FROM 8

struct gitops_plan_item {
	const struct gitops_object *obj;          /* borrowed */
	struct gitops_id id;
	const char *what;                         /* names it in messages (borrowed; the caller sets it) */
	int hook;                                 /* a hook: never a member of an ApplySet */
	const struct gitops_kube_resource *res;   /* NULL: deferred, its kind comes with a CRD of the stream */
	int namespaced;                           /* its scope (from the server, or from its CRD in the stream) */
	const char *ns;                           /* where it lives (its own, else the default); NULL: cluster-scoped */
	char *live_text;                          /* the live object as JSON (LIST or GET); NULL: not live, or not asked */
	int listed;                               /* a LIST answered for it: live_text NULL means not live */
	int failed;                               /* the GET failed: err says why */
	struct gitops_err err;
};

/*
 * Fill it from obj: identity, hook (lib/order), nothing resolved yet.  -1
 * with err (file:line: document N: ...) when obj is no object or its sync
 * annotations are invalid.
 */
int gitops_plan_item_init(struct gitops_plan_item *it, const struct gitops_object *obj, struct gitops_err *err);
void gitops_plan_item_release(struct gitops_plan_item *it);

/*
 * Resolve it's kind on the server (it must allow server-side apply, "patch")
 * or, when the server does not know it, by a CRD among items[0..n) (then
 * res stays NULL, and the CRD's scope says where it lives).  default_ns for
 * a namespaced object that names none.  -1 with err naming the document.
 */
int gitops_plan_resolve(struct gitops_plan_item *it, struct gitops_kube_discovery *d,
			struct gitops_plan_item *const *items, size_t n, const char *default_ns, struct gitops_err *err);

/* A CustomResourceDefinition? */
int gitops_plan_is_crd(const struct gitops_id *id);

/*
 * What a server-side apply of it sends: the manifest with its namespace made
 * explicit (or dropped for a cluster-scoped kind) and, with set_id, the
 * ApplySet member label (hooks are no members).  NULL: out of memory.
 */
cJSON *gitops_plan_body(const struct gitops_plan_item *it, const char *set_id);

struct gitops_plan_apply_options {
	const char *field_manager;
	int force;        /* take over fields other managers own */
	int dry_run;      /* dryRun=All */
};

/* Fill q for the server-side apply of body (borrowed) to it.  0, or -1 with err (out of memory). */
int gitops_plan_apply_request(struct gitops_kube_request *q, const struct gitops_plan_item *it, const cJSON *body,
			      const struct gitops_plan_apply_options *o, struct gitops_err *err);

/*
 * The live objects of items[0..n) that share a kind and namespace with
 * GITOPS_PLAN_LIST_FROM or more of them: one LIST each such group, read a
 * page at a time; each item it answers for gets listed (and live_text when
 * live).  A LIST that fails leaves its items to gitops_plan_get_live.
 */
void gitops_plan_list_live(struct gitops_kube *k, struct gitops_plan_item *const *items, size_t n);

/*
 * A GET each, all at once, for the resolved items no LIST answered for
 * (live_text, or nothing when not live; failed and err when the GET
 * failed).  -1 only when out of memory.
 */
int gitops_plan_get_live(struct gitops_kube *k, struct gitops_plan_item *const *items, size_t n,
			 struct gitops_err *err);

/*
 * Would a server-side apply of body (as sent: namespace explicit) by `manager` change
 * nothing in live?  1 only when that is certain from live's managedFields: the manager
 * owns, by Apply and in body's apiVersion, exactly the fields body sets (apiVersion,
 * kind, name and namespace aside; list elements matched by their keys), and live holds
 * every one of them with the same value.  Then the apply neither sets nor removes
 * anything.  0 when it may change something: only the server's dry run can tell.
 */
int gitops_plan_unchanged(const cJSON *body, const cJSON *live, const char *manager);

/*
 * A new commit that leaves an object as it was is no change to it: when
 * body and live differ in the gitops.dev/revision annotation alone (by
 * gitops_plan_unchanged's proof), body takes live's revision, in place,
 * and 1 is returned; else body is left as it was and 0 returned (-1: out
 * of memory).  So the revision an object carries is the commit that last
 * changed it: a values.yaml bump re-stamps only what the bump changed.
 */
int gitops_plan_keep_revision(cJSON *body, const cJSON *live, const char *manager);

#endif
