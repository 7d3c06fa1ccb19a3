/*
 * applyset.h: pruning through an ApplySet (KEP-3659), as kubectl apply
 * --prune --applyset does, so that either tool can prune the other's set.
 *
 * The parent is a Secret NAME in namespace NS carrying the label
 * applyset.kubernetes.io/id=ID and the annotations
 * applyset.kubernetes.io/tooling (NAME/VERSION of the tool that manages it),
 * applyset.kubernetes.io/contains-group-kinds ("ConfigMap,Deployment.apps")
 * and applyset.kubernetes.io/additional-namespaces (namespaces of members
 * other than NS).  Every member carries the label
 * applyset.kubernetes.io/part-of=ID.
 *
 * cJSON trees handed out are owned by the caller; those passed in are borrowed.
 */
#ifndef GITOPS_APPLYSET_H
#define GITOPS_APPLYSET_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/kube/kube.h"
#include "lib/kube/kube_access.h"
#include "lib/kube/kube_discovery.h"
#include "lib/k8s/stream.h"

#define GITOPS_APPLYSET_ID_LABEL "applyset.kubernetes.io/id"
#define GITOPS_APPLYSET_PART_OF "applyset.kubernetes.io/part-of"

/* "applyset-<base64url(sha256(NAME.NS.Secret.))>-v1" into id (64 bytes are enough).  0, or -1 (out of memory). */
int gitops_applyset_id(char *id, size_t size, const char *name, const char *ns, struct gitops_err *err);

struct gitops_applyset;

/*
 * Read the parent NAME in NS (it may not exist yet).  Refused (GITOPS_EXIT_UNSAFE):
 * a Secret of that name that is not this set's parent (no or another id label),
 * or a set managed by a tool other than gitops and kubectl (KEP-3659: a tool
 * leaves other tools' sets alone).  `tooling` ("gitops/0.1.0") is what a new
 * parent records; an existing parent keeps its own.
 */
int gitops_applyset_open(struct gitops_applyset **out, struct gitops_kube *k, const char *name, const char *ns,
			 const char *tooling, struct gitops_err *err);
int gitops_applyset_exists(const struct gitops_applyset *s);

/* Note a member's group/kind ("Deployment.apps") and namespace (NULL: cluster-scoped). */
int gitops_applyset_add(struct gitops_applyset *s, const char *group, const char *kind, const char *ns);

/*
 * Write the parent (server-side apply, forced: the set's own bookkeeping).
 * with_recorded: what the parent recorded before stays recorded too (before an
 * apply, so that a crash leaves every member findable); else exactly what was
 * added (after a successful prune).
 */
int gitops_applyset_write(struct gitops_applyset *s, struct gitops_kube *k, const char *field_manager,
			  int with_recorded, struct gitops_err *err);

/* What the sync wants, to tell members to keep from members to prune. */
struct gitops_applyset_desired {
	const struct gitops_object *objs;  /* the stream's objects */
	size_t n;
	const char *default_ns;            /* for namespaced objects that name none */
	const char *const *uids;           /* metadata.uid of every object this run applied or found live as */
	size_t n_uids;                     /* desired: one object served under two API groups is kept */
	int confirmed;                     /* Prune=confirm members may go too (--confirm-prune) */
};

/* What a prune would do.  The arrays hold whole live objects (apiVersion and kind set), owned. */
struct gitops_applyset_orphans {
	cJSON *doomed;       /* members to delete, in the order to delete them */
	cJSON *unconfirmed;  /* Prune=confirm members, when not confirmed: kept, and kept recorded */
	size_t kept;         /* Prune=false members: left alone */
};

/*
 * The live members of the set that the sync no longer wants: what a prune
 * deletes, in the order to delete them (the reverse of the apply order:
 * highest wave, last kind first).  Looked for under every group/kind and
 * namespace recorded on the parent or added.  A member is wanted when its
 * group/kind/namespace/name is among want->objs or its UID among want->uids
 * (identity is the object, not the API group it was listed under).
 * Members annotated argocd.argoproj.io/sync-options Prune=false are counted
 * in out->kept; Prune=confirm ones go to out->unconfirmed unless
 * want->confirmed, and their group/kind and namespace are added to the set
 * so that the parent keeps recording them.
 */
int gitops_applyset_orphans_of(struct gitops_applyset *s, struct gitops_kube *k, struct gitops_kube_discovery *d,
			       const struct gitops_applyset_desired *want, struct gitops_applyset_orphans *out,
			       struct gitops_err *err);
void gitops_applyset_orphans_release(struct gitops_applyset_orphans *o);

/*
 * What looking for the set's members asks the server ("list"), or deleting
 * them ("delete"), added to l: `verb` of each group/kind recorded on the
 * parent or added, in each of the set's namespaces (cluster-wide for a
 * cluster-scoped kind), exactly where gitops_applyset_orphans_of lists (a
 * kind the server no longer serves, or cannot list, is left out, as it
 * leaves it).
 */
int gitops_applyset_access(struct gitops_kube_accesses *l, struct gitops_applyset *s, struct gitops_kube_discovery *d,
			   const char *verb, struct gitops_err *err);
/* What deleting the members o->doomed asks: "delete" of each kind in each namespace they are in, added to l. */
int gitops_applyset_delete_access(struct gitops_kube_accesses *l, const struct gitops_applyset_orphans *o,
				  struct gitops_kube_discovery *d, struct gitops_err *err);

void gitops_applyset_free(struct gitops_applyset *s);

/* Open the set NAME in NS and find its orphans (a set whose parent does not exist has none). */
int gitops_applyset_orphans(struct gitops_kube *k, struct gitops_kube_discovery *d, const char *name, const char *ns,
			    const struct gitops_applyset_desired *want, struct gitops_applyset_orphans *out,
			    struct gitops_err *err);

#endif
