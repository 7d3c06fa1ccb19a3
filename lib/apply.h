/*
 * apply.h: server-side apply of a set of objects, in a safe order
 * (Namespaces, then CustomResourceDefinitions, established before anything
 * else, then the rest), requests in parallel within each step.  Every object
 * is checked and every kind resolved before anything is sent.
 */
#ifndef GITOPS_APPLY_H
#define GITOPS_APPLY_H

#include "lib/err.h"
#include "lib/kube.h"
#include "lib/kube_discovery.h"
#include "lib/stream.h"

struct gitops_apply_options {
	const char *field_manager;   /* "gitops" */
	int force_conflicts;
	int dry_run;                 /* server-side dry run */
	const char *namespace;       /* for namespaced objects without one */
	long establish_timeout_ms;   /* how long to wait for a CRD to be Established */
};

#define GITOPS_APPLY_OPTIONS_INIT { "gitops", 0, 0, "default", 60000 }

enum gitops_apply_outcome { GITOPS_APPLY_FAILED, GITOPS_APPLY_CREATED, GITOPS_APPLY_CONFIGURED, GITOPS_APPLY_UNCHANGED };

struct gitops_apply_result {
	enum gitops_apply_outcome outcome;
	char name[600];              /* kubectl's "deployment.apps/web" */
	char ns[64];
	int unchecked;               /* dry run: its namespace or CRD comes with the stream, so the server could not check it */
	struct gitops_err err;       /* when failed */
};

/* Called as each object's result is known, in order within each step. */
typedef void (*gitops_apply_report_fn)(void *ctx, const struct gitops_apply_result *r);

/*
 * Apply objs (borrowed).  0 when all were applied; -1 with err: before
 * anything was sent when an object is invalid or a kind unknown, or the
 * first failure otherwise (what failed is reported, the rest still runs
 * within its step; later steps do not start).
 */
int gitops_apply(struct gitops_kube *k, struct gitops_kube_discovery *d, struct gitops_object *objs, size_t n,
		 const struct gitops_apply_options *opts, gitops_apply_report_fn report, void *ctx,
		 struct gitops_err *err);

#endif
