/*
 * planfile.h: the Plan file, what a person approved (gitops-diff --plan FILE)
 * and what gitops-apply --plan FILE applies exactly, or refuses whole.  Not
 * lib/sync/plan.h, which is what one sync sends and finds live.
 *
 * The file is a stream (lib/k8s/stream): the Plan document first, then the
 * objects gitops-diff compared, as it read them, then the end-of-stream
 * marker (counting the Plan too).  Written atomically, mode 0600: it holds
 * Secret values, which are applied exactly as planned.
 *
 *   apiVersion: gitops.dev/v1alpha1
 *   kind: Plan
 *   metadata: {name: plan}
 *   spec:
 *     source: {repository, ref, commit, paths: [PATH...]}  # from gitops-fetch's Source documents
 *     noSource: true            # instead of source: made with --plan-allow-no-source
 *     namespace: NS             # for objects that name none; the ApplySet parent's
 *     fieldManager: gitops
 *     applyset: NAME            # optional: then the apply prunes, exactly `prune`
 *     confirmations: [Prune=confirm]   # optional: members annotated Prune=confirm approved too
 *     objectsDigest: sha256:HEX # of the objects' canonical text (gitops_planfile_digest)
 *     objects:                  # one per object, in stream order: what it was compared with
 *     - {apiVersion, kind, namespace, name, resourceVersion, uid}   # no resourceVersion: not live
 *     prune:                    # with applyset: the members a prune deletes
 *     - {apiVersion, kind, namespace, name, resourceVersion, uid}
 *     pruneNeedsConfirmation:   # members kept: annotated Prune=confirm, not confirmed
 *     - {apiVersion, kind, namespace, name, resourceVersion, uid}
 *
 * Ownership: cJSON trees handed out are the caller's; objects and trees
 * passed in are borrowed.  A struct gitops_planfile owns the file it read
 * (gitops_planfile_release); its strings point into it.
 */
#ifndef GITOPS_PLANFILE_H
#define GITOPS_PLANFILE_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/k8s/objset.h"
#include "lib/kube/kube.h"
#include "lib/kube/kube_discovery.h"
#include "lib/sync/apply.h"
#include "lib/sync/diff.h"

#define GITOPS_PLANFILE_API_VERSION "gitops.dev/v1alpha1"
#define GITOPS_PLANFILE_KIND "Plan"

/* Where the objects come from: repository NULL means none (--plan-allow-no-source). */
struct gitops_planfile_source {
	const char *repository;   /* as gitops-fetch shows it: no credentials */
	const char *ref;
	const char *commit;
	const char *const *paths;
	size_t n_paths;
};

/* How the objects were compared, which is how they are applied. */
struct gitops_planfile_options {
	const char *namespace;
	const char *field_manager;
	const char *applyset;     /* NULL: no prune */
	int confirm_prune;
};

/*
 * The source of a plan from Source documents (gitops-fetch's output:
 * sources[0..n_sources)), checked against the objects objs[0..n): every
 * Source names the same repository, ref and commit; every object carries
 * gitops.dev/revision and a gitops.dev/source "REPO//PATH" of that
 * repository and of one of the Sources' paths.  out borrows from the
 * documents; out->paths is the caller's to free().  -1 with
 * GITOPS_EXIT_INPUT naming what does not agree.
 */
int gitops_planfile_source_of(struct gitops_planfile_source *out, const struct gitops_object *sources,
			      size_t n_sources, const struct gitops_object *objs, size_t n, struct gitops_err *err);

/* A Plan document to fill (*out the caller's): source (NULL: noSource), options. */
int gitops_planfile_new(cJSON **out, const struct gitops_planfile_source *src,
			const struct gitops_planfile_options *o, struct gitops_err *err);

/*
 * Record one result of gitops_diff: a stream object with the live object it
 * was compared with (its resourceVersion and uid; none: not live), or an
 * Extraneous member (into prune, or pruneNeedsConfirmation when the prune
 * waits for a confirmation the plan does not give).  A failed result is an
 * error: a plan holds only what was compared.
 */
int gitops_planfile_note(cJSON *plan, const struct gitops_diff_result *r, struct gitops_err *err);

/* "sha256:" and 64 hex digits into out: SHA-256 of each object as sorted, compact JSON, each and a newline. */
int gitops_planfile_digest(char out[72], const struct gitops_object *objs, size_t n, struct gitops_err *err);

/*
 * Write the plan, objs[0..n) (every one noted, in order) and the marker to
 * path: atomically, mode 0600 (Secret values).  Sets spec.objectsDigest.
 */
int gitops_planfile_write(const char *path, cJSON *plan, const struct gitops_object *objs, size_t n,
			  struct gitops_err *err);

/* A plan file read and checked whole. */
struct gitops_planfile {
	struct gitops_objset set;         /* the file: set.objs[0] is the Plan */
	const char *path;
	struct gitops_planfile_source source;  /* repository NULL: made without a source */
	struct gitops_planfile_options opts;
	struct gitops_object *objs;       /* the objects to apply: set.objs + 1 */
	size_t n;
	const char **prune_uids;          /* the members to prune, by UID (owned array, borrowed strings) */
	size_t n_prune;
	const cJSON *spec;
};

/*
 * Read path: refused with GITOPS_EXIT_INPUT ("...: not a whole plan: ...;
 * plan again") when it is no stream closed by a matching end marker, its
 * first document is no gitops.dev/v1alpha1 Plan, spec is malformed, the
 * objects are not those spec.objects lists, or their digest is not
 * spec.objectsDigest (edited after planning).  p must be released whatever
 * the result.
 */
int gitops_planfile_read(struct gitops_planfile *p, const char *path, const struct gitops_limits *limits,
			 struct gitops_err *err);
void gitops_planfile_release(struct gitops_planfile *p);

/*
 * The plan's options into a (applyset, prune when it has one, field manager,
 * Prune=confirm, the members to prune by UID, the stream complete) and *ns
 * (the namespace).  What the command line set (a->applyset, a->prune,
 * a->confirm_prune, *ns non-NULL, a->field_manager when manager_given) must
 * agree with the plan: else -1 with GITOPS_EXIT_USAGE naming the option.
 */
int gitops_planfile_apply_options(const struct gitops_planfile *p, struct gitops_apply_options *a, const char **ns,
				  int manager_given, struct gitops_err *err);

/*
 * Has anything the plan was made against moved on the cluster?  Every
 * compared object: the same resourceVersion (not live then: not live now);
 * with an applyset, the members a prune would delete now are exactly the
 * planned ones, by UID and resourceVersion.  -1 with GITOPS_EXIT_STALE and
 * one line saying what moved and "plan again"; nothing is written.
 */
int gitops_planfile_check_live(const struct gitops_planfile *p, struct gitops_kube *k,
			       struct gitops_kube_discovery *d, struct gitops_err *err);

#endif
