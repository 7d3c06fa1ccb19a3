/*
 * applyset.h: pruning through an ApplySet (KEP-3659), as kubectl apply
 * --prune --applyset does, so that either tool can prune the other's set.
 *
 * The parent is a Secret NAME in namespace NS carrying the label
 * applyset.kubernetes.io/id=ID and the annotations
 * applyset.kubernetes.io/tooling, applyset.kubernetes.io/contains-group-kinds
 * and (when members live in other namespaces)
 * applyset.kubernetes.io/additional-namespaces.  Every member carries the
 * label applyset.kubernetes.io/part-of=ID.
 */
#ifndef GITOPS_APPLYSET_H
#define GITOPS_APPLYSET_H

#include <cjson/cJSON.h>
#include "lib/err.h"
#include "lib/kube.h"
#include "lib/kube_discovery.h"
#include "lib/stream.h"

/* "applyset-<base64url(sha256(NAME.NS.Secret.))>-v1" into id (at least 64 bytes). */
void gitops_applyset_id(const char *name, const char *ns, char *id, size_t size);

/*
 * The live members of the set NAME in NS that are not among objs (namespaced
 * objects without a namespace are in default_ns): what --prune would delete,
 * in the order it would delete them (the reverse of the apply order).  *out
 * is a cJSON array of whole live objects (apiVersion and kind set).  A set
 * whose parent does not exist has no members.  Objects annotated
 * argocd.argoproj.io/sync-options: Prune=false are left out.
 */
int gitops_applyset_orphans(struct gitops_kube *k, struct gitops_kube_discovery *d, const char *name, const char *ns,
			    const struct gitops_object *objs, size_t n, const char *default_ns, cJSON **out,
			    struct gitops_err *err);

#endif
