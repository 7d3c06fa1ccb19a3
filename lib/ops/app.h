/*
 * app.h: Application files: Argo CD's Application documents (apiVersion
 * gitops.dev/v1alpha1 or argoproj.io/v1alpha1) read into what a sync needs,
 * and the AppProject documents beside them whose syncWindows apply to their
 * applications.
 *
 * A field Argo CD has but a sync here cannot honour (destination.server,
 * most syncOptions, an AppProject's sourceRepos...) is named in a warning,
 * never dropped silently; a field neither knows is an error "FILE:LINE: ...".
 * Several documents per file; a directory is read file by file (*.yaml,
 * *.yml, *.json, sorted, hidden files skipped).
 *
 * Ownership: struct gitops_ops_apps owns every application and every string
 * and tree in it; gitops_ops_apps_release frees them all.
 */
#ifndef GITOPS_OPS_APP_H
#define GITOPS_OPS_APP_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"

struct gitops_ops_app {
	char *name;             /* metadata.name, a DNS-1123 subdomain */
	char *file;             /* where it is declared, and its line */
	size_t line;
	char *project;          /* spec.project ("default" when absent) */
	char *repo_url;         /* spec.source.repoURL */
	char *target_revision;  /* spec.source.targetRevision ("HEAD" when absent; a chart: required) */
	char *path;             /* spec.source.path ("" when absent: the whole repository; a chart: "") */
	char *chart;            /* spec.source.chart, or NULL: repoURL is a Git repository */
	char *chart_url;        /* a chart's gitops-fetch REPO: repoURL (https://, http://, with --chart)
				 * or oci://REGISTRY/PATH/CHART (repoURL with or without oci://); else NULL */
	char *namespace;        /* spec.destination.namespace */
	char *context;          /* spec.destination.context, or NULL (the kubeconfig's current) */
	char *applyset;         /* the ApplySet: the application's name */
	int automated;          /* spec.syncPolicy.automated is there */
	int prune;              /* automated.prune (manual: 1, a sync the operator asked for prunes) */
	int self_heal;          /* automated.selfHeal */
	cJSON *helm;            /* spec.source.helm (a mapping) or NULL */
	cJSON *kustomize;       /* spec.source.kustomize (a mapping) or NULL */
	cJSON *sync_windows;    /* the application's spec.syncWindows and its AppProject's (an array) */
};

struct gitops_ops_apps {
	struct gitops_ops_app *v;
	size_t n, cap;
};

#define GITOPS_OPS_APPS_INIT { NULL, 0, 0 }

/* What does not apply, said once per field: "FILE:LINE: APP: ..." */
typedef void (*gitops_ops_warn_fn)(void *ctx, const char *msg);

/* 1 when name is a DNS-1123 subdomain (lowercase alphanumerics, '-', '.'; at most 253). */
int gitops_ops_app_name_valid(const char *name);

/*
 * Read the Application documents of `data` (named `name` in messages) into
 * apps, after those it holds.  An application declared twice (in any of
 * the files read into apps) is an error.  -1 with "NAME:LINE: ..." and
 * GITOPS_EXIT_INPUT for bad input.
 */
int gitops_ops_apps_parse(struct gitops_ops_apps *apps, const char *data, size_t len, const char *name,
			  gitops_ops_warn_fn warn, void *ctx, struct gitops_err *err);
/* The same for a file, or each file of a directory. */
int gitops_ops_apps_load(struct gitops_ops_apps *apps, const char *path, gitops_ops_warn_fn warn, void *ctx,
			 struct gitops_err *err);
/* The application named `name`, or NULL. */
const struct gitops_ops_app *gitops_ops_apps_find(const struct gitops_ops_apps *apps, const char *name);
void gitops_ops_apps_release(struct gitops_ops_apps *apps);

#endif
