/*
 * kube_access.h: may this user do it?  Asked before a program starts what it
 * could not finish: one SelfSubjectAccessReview (authorization.k8s.io/v1) per
 * verb, resource and namespace, all in parallel (kube.h); who the user is,
 * for the message that names what is missing.
 *
 * A list owns copies of the strings it is given; gitops_kube_accesses_release
 * frees them.  Strings handed out (the missing permissions, the user) are the
 * caller's, to free().
 */
#ifndef GITOPS_KUBE_ACCESS_H
#define GITOPS_KUBE_ACCESS_H

#include <stddef.h>
#include "lib/base/err.h"
#include "lib/kube/kube.h"

struct gitops_kube_access {
	char *verb;               /* "list", "delete" */
	char *group;              /* "" for the core group */
	char *resource;           /* "namespaces", "deployments" */
	char *ns;                 /* NULL: cluster-wide (a cluster-scoped resource) */
	int allowed;              /* set by gitops_kube_access_review */
};

/* Kept sorted (group, resource, verb, namespace) and without duplicates. */
struct gitops_kube_accesses {
	struct gitops_kube_access *v;
	size_t n, cap;
	int unchecked;            /* the server would not answer reviews (403, 404): nothing is known */
};

#define GITOPS_KUBE_ACCESSES_INIT { NULL, 0, 0, 0 }

/* Add one permission (ns NULL or "": cluster-wide).  0, or -1 (out of memory). */
int gitops_kube_access_add(struct gitops_kube_accesses *l, const char *verb, const char *group, const char *resource,
			   const char *ns);

/* The entry for that permission (ns NULL or "": cluster-wide), or NULL. */
const struct gitops_kube_access *gitops_kube_access_find(const struct gitops_kube_accesses *l, const char *verb,
							 const char *group, const char *resource, const char *ns);

/* The SelfSubjectAccessReview asking for a (JSON text, to free), or NULL (out of memory). */
char *gitops_kube_access_body(const struct gitops_kube_access *a);

/*
 * Ask the server about each, in parallel: sets each one's `allowed`.  A
 * server that refuses or does not serve the reviews (403, 404) leaves every
 * one allowed and sets l->unchecked: the requests themselves are still
 * authorised.  0, or -1 with err (the server unreachable, an answer that is
 * not a review).
 */
int gitops_kube_access_review(struct gitops_kube *k, struct gitops_kube_accesses *l, struct gitops_err *err);

/* How many are not allowed. */
size_t gitops_kube_access_denied(const struct gitops_kube_accesses *l);

/*
 * The permissions not allowed, as kubectl names them, one clause per verb
 * and resource: "list namespaces" (cluster-wide), "delete deployments.apps"
 * in namespaces a, b.  NULL when none is missing (or out of memory).
 */
char *gitops_kube_access_missing(const struct gitops_kube_accesses *l);

/*
 * Who the server takes this client for, best effort: SelfSubjectReview
 * (authentication.k8s.io v1, v1beta1), else the subject of a service
 * account token (a JWT's "sub"), else the common name of the client
 * certificate.  A string to free, or NULL when nothing says.
 */
char *gitops_kube_whoami(struct gitops_kube *k);

/* The "sub" claim of a JWT (not verified: for messages only), or NULL. */
char *gitops_kube_token_subject(const char *token);

/*
 * The refusal: "WHAT needs MISSING, which this user (USER) lacks: REMEDY"
 * in err with GITOPS_EXIT_AUTH; remedy names "it" or "them" as %s.  -1.
 */
int gitops_kube_access_refuse(struct gitops_err *err, struct gitops_kube *k, const struct gitops_kube_accesses *l,
			      const char *what, const char *remedy);

void gitops_kube_accesses_release(struct gitops_kube_accesses *l);

#endif
