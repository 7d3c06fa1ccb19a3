/*
 * diff.h: what gitops-diff shows.  For each object of a stream, the live
 * object against what a server-side dry-run apply would make of it (the
 * server merges, defaults and validates: nothing is guessed on this side),
 * both normalised for a human (what every write changes and no manifest
 * sets is removed), Secret values masked, as a unified diff with 3 lines of
 * context computed by libgit2's xdiff.  Objects not live yet are shown whole
 * as added; live members of an ApplySet that the stream no longer has,
 * whole as removed.
 *
 * Ownership: functions taking `const cJSON *` borrow it and do not change
 * it; strings returned through `char **out` are the caller's, to free().
 * The cJSON rules of yaml.h apply.  Uses lib/plan (what is sent and what is live),
 * lib/compare (normalising, masking) and lib/difftext (the text).
 */
#ifndef GITOPS_DIFF_H
#define GITOPS_DIFF_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/kube/kube.h"
#include "lib/kube/kube_discovery.h"
#include "lib/k8s/stream.h"

/* Argo CD's sync states, per object. */
enum gitops_diff_sync {
	GITOPS_DIFF_SYNCED,       /* live equals desired once both are normalised */
	GITOPS_DIFF_OUT_OF_SYNC,  /* live, and an apply would change it */
	GITOPS_DIFF_MISSING,      /* not live: an apply would create it */
	GITOPS_DIFF_EXTRANEOUS    /* live member of the ApplySet the stream lacks: --prune would delete it */
};

/* "Synced", "OutOfSync", "Missing", "Extraneous". */
const char *gitops_diff_sync_name(enum gitops_diff_sync s);

struct gitops_diff_show {
	int show_secrets;         /* do not mask Secret values */
	int color;                /* ANSI colours in the text */
};

/*
 * Compare live with desired (either may be NULL: the object exists on one
 * side only) for a human: each copied, normalised against manifest (may be
 * NULL), masked unless show_secrets, written as YAML in their own key order
 * (but apiVersion and kind first, which the server writes kind first), then
 * diffed under the headers "--- TITLE (live)" / "+++ TITLE (desired)"
 * ("(not live)" for the live side of a Missing object, "(pruned)" for the
 * desired side of an Extraneous one).  *sync says which case it is; *out
 * gets the diff (caller frees; "" when Synced).
 */
int gitops_diff_object(char **out, enum gitops_diff_sync *sync, const cJSON *live, const cJSON *desired,
		       const cJSON *manifest, const char *title, const struct gitops_diff_show *show,
		       struct gitops_err *err);


struct gitops_diff_options {
	const char *field_manager;   /* the server-side apply field manager of the dry run */
	const char *namespace;       /* for namespaced objects that name none; the ApplySet parent's */
	const char *applyset;        /* the ApplySet (parent Secret) whose extra members to show, or NULL */
	struct gitops_diff_show show;
	int always_dry_run;          /* a dry run even for objects proven unchanged */
	int confirm_prune;           /* members annotated Prune=confirm count as pruned, not pending */
};

#define GITOPS_DIFF_OPTIONS_INIT { .field_manager = "gitops", .namespace = "default" }

/* One object's outcome; every pointer is borrowed and valid during the report call only. */
struct gitops_diff_result {
	enum gitops_diff_sync sync;
	const char *api_version;
	const char *kind;
	const char *namespace;       /* NULL for cluster-scoped kinds */
	const char *name;
	const char *text;            /* the unified diff, "" when Synced */
	const cJSON *live;           /* the live object as the server sent it, or NULL */
	const struct gitops_object *obj;   /* the stream's object, NULL for an Extraneous one */
	int prune_pending;           /* Extraneous, annotated Prune=confirm: a prune keeps it until confirmed */
	int failed;                  /* err says why; sync and text mean nothing then */
	struct gitops_err err;
};

typedef void (*gitops_diff_report_fn)(void *ctx, const struct gitops_diff_result *r);

/*
 * Diff objs (borrowed) against the cluster.  Every kind is resolved before
 * any object is requested (an unknown kind that no CRD of the stream
 * defines: -1 with err, nothing reported).  Then, for all objects at once,
 * in parallel: the live object (one LIST per kind and namespace for 8 or
 * more objects there, else a GET each); then, for all objects the apply may
 * change (gitops_plan_unchanged; every object with always_dry_run), a
 * server-side apply PATCH with dryRun=All and force=true (a conflict with
 * another field manager does not hide the change, as kubectl diff
 * --server-side --force-conflicts).  An object whose namespace or CRD is
 * not on the server yet is Missing, shown as its manifest.  With opts->applyset, the set's live members the stream
 * lacks follow, Extraneous; the LISTs that finds them need are asked first
 * (SelfSubjectAccessReviews): one this user lacks is -1 (GITOPS_EXIT_AUTH)
 * before anything is compared.
 *
 * report is called once per object, in stream order, then for each
 * Extraneous one.  Returns 0 when every object was compared (whatever the
 * differences), else -1 with err set to the first failure (each failure is
 * also reported with its object).
 */
int gitops_diff(struct gitops_kube *k, struct gitops_kube_discovery *d, const struct gitops_object *objs, size_t n,
		const struct gitops_diff_options *opts, gitops_diff_report_fn report, void *ctx, struct gitops_err *err);

#endif
