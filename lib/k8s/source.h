/*
 * source.h: the Source document, what gitops-fetch writes and
 * gitops-render reads (apiVersion gitops.dev/v1alpha1, kind Source):
 *
 *   metadata: {name}
 *   spec: {repository, ref, commit, path, root, dir, revisions, kustomize, helm, refName}
 *   spec: {repository, chart, ref, version, digest, commit, path, root, dir, helm, refName}
 *                            (a chart from a chart repository: `commit` is the
 *                            version, `root` the unpacked package, `dir` root/CHART)
 *
 * `root` (optional) is the local, read-only checkout of `commit` (the whole
 * commit's tree when `path` is a directory), `dir` the directory of `path`
 * inside it (root/PATH); without `root`, `dir` is the checkout (documents
 * of older gitops-fetch).  Whatever reads a Source reads nothing outside
 * root.  `revisions` (optional) a JSON file listing every file of the
 * checkout, relative to root, and the commit that last changed it.
 * `helm` (optional) Argo CD's Application source.helm fields for the charts
 * rendered from dir; `refName` (optional, Argo CD's multi-source `ref`,
 * renamed: spec.ref is the Git ref) the name `$NAME/...` value files of
 * the other Sources of a stream resolve into (this Source's root).  This module owns the document's
 * shape: built here, parsed here.  Uses cJSON and lib/object only.
 */
#ifndef GITOPS_SOURCE_H
#define GITOPS_SOURCE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"

#define GITOPS_SOURCE_API_VERSION "gitops.dev/v1alpha1"

/* A Source's fields.  From gitops_source_read: borrowed from the document read, as long as it lives. */
struct gitops_source {
	const char *name;         /* metadata.name */
	const char *repository;   /* the repository, as it is shown */
	const char *ref;          /* the ref asked for (may be NULL when read) */
	const char *commit;       /* the commit the ref resolved to */
	const char *path;         /* the path in the repository, "." for the top */
	const char *dir;          /* the directory of path (absolute) */
	const char *revisions;    /* the revisions file, or NULL */
	const char *root;         /* the checkout (absolute; dir or above it), or NULL: dir */
	const cJSON *kustomize;   /* Argo CD's Kustomize overrides for the builds of dir (a mapping), or NULL */
	int allow_remote;         /* read: spec.kustomize.allowRemote is true (remote bases and files may be
				   * fetched); gitops_source_new writes what `kustomize` holds */
	const cJSON *helm;        /* Argo CD's source.helm fields (a mapping, checked when read), or NULL */
	const char *ref_name;     /* spec.refName (Argo CD's `ref`), or NULL */
	/* a chart from a chart repository (gitops-fetch --chart, oci://); all NULL for Git */
	const char *chart;        /* spec.chart: the chart's name (no '/') */
	const char *version;      /* spec.version: the version the ref chose */
	const char *digest;       /* spec.digest: "sha256:HEX" of the package */
};

/*
 * metadata.name of a Source of path in repository repo_name:
 * "deploy-envs-prod", lowercase letters, digits, '-' and '.', at most 253
 * bytes ("source" when nothing is left).
 */
void gitops_source_name(char *out, size_t size, const char *repo_name, const char *path);

/* The document of s (path "" is written "."; allow_remote: allowRemote: true added to spec.kustomize);
 * *out is the caller's (cJSON_Delete). */
int gitops_source_new(cJSON **out, const struct gitops_source *s, struct gitops_err *err);

/* A Source document: apiVersion in the gitops.dev group, kind Source. */
int gitops_source_is(const cJSON *obj);

/*
 * The fields of a Source document: repository, commit, path and dir must
 * be non-empty strings, root and revisions strings when present (root
 * non-empty), spec.kustomize a mapping whose allowRemote, when there, is
 * a boolean, spec.helm a mapping of Argo CD's source.helm fields of their
 * types (value files relative, or `$NAME/...`), spec.refName letters,
 * digits, '-' and '_'; chart, version and digest, when present, non-empty
 * strings (chart without '/', digest "sha256:" and 64 lowercase hex
 * digits).  Errors
 * (GITOPS_EXIT_INPUT) name the input, line and document number:
 * "INPUT:LINE: document N: Source 'NAME': spec.dir must be a non-empty string".
 */
int gitops_source_read(struct gitops_source *out, const cJSON *obj, const char *input, size_t line, size_t doc,
		       struct gitops_err *err);

/* A value file's `$NAME/...` reference (Argo CD's multi-source values): the length of NAME, 0 when path is not one. */
size_t gitops_source_values_ref(const char *path);

/* spec.helm's check alone (gitops-fetch's options): errors read "WHAT: spec.helm.FIELD ...". */
int gitops_source_helm_check(const cJSON *helm, const char *what, struct gitops_err *err);

/* Is name a spec.refName (Argo CD's ref: letters, digits, '-' and '_')? */
int gitops_source_ref_name_valid(const char *name);

#endif
