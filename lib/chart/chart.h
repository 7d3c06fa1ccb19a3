/*
 * chart.h: Helm charts from HTTP chart repositories, into the fetch cache.
 *
 * A chart repository is a URL that serves index.yaml (apiVersion v1,
 * entries: NAME: [{version, urls, digest, ...}]) and the packages it names.
 * This module reads the index (bounded: an index over index_max bytes is
 * refused), chooses a version as `helm pull --version RANGE` does (an entry
 * whose version is the range's very text first, else the newest version in
 * the range; prereleases only when the range names one; no range: the
 * newest release), downloads the package (its URL resolved against the
 * repository URL as Helm resolves it: a trailing '/' put on the
 * repository's path, the repository's query kept), checks its SHA-256
 * against the index's digest, and unpacks it read-only into the cache that
 * gitops-fetch keeps for Git, under the same lock discipline:
 *
 *   charts/KEY.lock             flock(2)ed for the whole of a run that uses KEY
 *   charts/KEY/VDIR/NAME/...    one version unpacked (files 0444, directories 0555),
 *                               as `helm pull --untar` writes it
 *   charts/KEY/VDIR.json        {repository, chart, version, digest, url}: what VDIR
 *                               holds; its mtime says when it was last used
 *   charts/KEY/.tmp-...         being written or removed: never trusted
 *
 * KEY is the chart's name (sanitised) and 16 hex digits of the SHA-256 of
 * the repository URL without credentials and the chart's name; VDIR the
 * version (sanitised) and 16 hex digits of the package's digest.  The
 * package's entries are checked as gitops-render's loader checks them
 * (lib/render/helm/files.h: no absolute paths, no "..", no links or
 * special files, Helm's size limits) before anything is written; a
 * digest that does not match writes nothing.  A version already unpacked
 * with the digest the index gives is not downloaded again; a range that is
 * exactly the version of an unpacked package needs no request at all.
 *
 * Credentials (all optional, borrowed): the URL's user and password
 * first, then username/password (basic), then token (sent as "Authorization:
 * Bearer"), then the netrc file's entry for the host.  They go to URLs of
 * the repository's own scheme, host and port only (as Helm without
 * --pass-credentials); a package elsewhere gets only that host's netrc
 * entry.  No credential reaches a message, a cache path or a URL shown.
 *
 * Ownership: struct gitops_chart_version's strings are its own
 * (gitops_chart_version_release); *root and *dir from gitops_chart_unpack
 * and gitops_chart_pull are the caller's to free; a struct gitops_chart is
 * freed (and its lock released) by gitops_chart_close.
 */
#ifndef GITOPS_CHART_H
#define GITOPS_CHART_H

#include <stddef.h>
#include "lib/base/err.h"
#include "lib/git/git.h"

#define GITOPS_CHART_INDEX_MAX ((size_t)64 << 20)

struct gitops_chart_options {
	const struct gitops_git_cache_options *cache; /* the cache, its lock, keep, max_bytes; NULL: defaults */
	const char *ca_file;      /* PEM CA bundle for https; NULL: the system's */
	const char *netrc_file;   /* credentials per host; NULL: none */
	const char *username;     /* basic auth, with password */
	const char *password;
	const char *token;        /* a bearer token */
	size_t index_max;         /* largest index.yaml; 0: GITOPS_CHART_INDEX_MAX */
	long timeout_ms;          /* per request; 0: 30 s */
	int plain_http;           /* oci:// registries over http, not https */
};

#define GITOPS_CHART_OPTIONS_INIT { .cache = NULL }

/* GITOPS_HELM_USERNAME, GITOPS_HELM_PASSWORD, GITOPS_HELM_TOKEN into o (those unset left as they are). */
void gitops_chart_auth_from_env(struct gitops_chart_options *o);

struct gitops_chart_version {
	char *repository;         /* the repository URL without credentials */
	char *chart;              /* the chart's name */
	char *version;            /* as the index writes it */
	char *digest;             /* "sha256:HEX" of the package */
	char *url;                /* the package's URL without credentials (NULL: from the cache) */
	int cached;               /* 1: chosen from the cache, no request sent */
};

void gitops_chart_version_release(struct gitops_chart_version *v);

/* One chart of one repository, its cache entry locked. */
struct gitops_chart;

/*
 * Open (creating the cache as needed) and lock the cache of `chart` from
 * the repository `repo_url` (http:// or https://; oci:// for a caller that
 * downloads itself and hands the package to gitops_chart_store).  Nothing is
 * sent.  GITOPS_EXIT_USAGE for a URL that is none of those, or a chart name
 * that is empty or holds '/'.  The chart keeps a pointer to o.
 */
int gitops_chart_open(struct gitops_chart **out, const char *repo_url, const char *chart,
		      const struct gitops_chart_options *o, struct gitops_err *err);

/* The repository URL without credentials (borrowed). */
const char *gitops_chart_repository(const struct gitops_chart *c);

/*
 * The version `range` chooses (NULL or "": the newest release).  When
 * range is the exact version of a package unpacked in the cache, that one,
 * and nothing is sent (out->cached = 1); else the index is read.
 * GITOPS_EXIT_INPUT: no such chart in the index, no version in the range,
 * a malformed index or range, an entry without a digest or URL;
 * GITOPS_EXIT_REJECTED: an index over index_max bytes, or an answer other
 * than 200; GITOPS_EXIT_AUTH: 401 or 403; GITOPS_EXIT_UNREACHABLE: no
 * connection, TLS refused.
 */
int gitops_chart_resolve(struct gitops_chart *c, const char *range, struct gitops_chart_version *out,
			 struct gitops_err *err);

/*
 * A package unpacked in the cache whose version is exactly `range` (the
 * helm rule: an exact version is taken as it is): 1 and *out filled
 * (out->cached = 1), 0 when there is none, -1 out of memory.  Nothing is sent.
 */
int gitops_chart_find_cached(struct gitops_chart *c, const char *range, struct gitops_chart_version *out,
			     struct gitops_err *err);

/*
 * helm's choice among versions (an OCI repository's tags, '_' read as '+'):
 * one whose text is exactly `range` first, else the newest in the range
 * (NULL or "": the newest release), with helm's prerelease rule.  The
 * chosen string (a pointer into versions) or NULL; -1 in *bad only for a
 * malformed range (err set).
 */
const char *gitops_chart_choose(char *const *versions, size_t n, const char *range, int *bad,
				struct gitops_err *err);

/*
 * The unpacked directory of v: downloaded, checked and unpacked unless the
 * cache holds it already with v's digest.  *root is the version's directory,
 * *dir root/NAME (the chart).  A package whose SHA-256 is not v->digest:
 * GITOPS_EXIT_INPUT, nothing written.
 */
int gitops_chart_unpack(struct gitops_chart *c, const struct gitops_chart_version *v, char **root, char **dir,
			struct gitops_err *err);

/*
 * Unpack a package the caller downloaded (len bytes; an OCI chart layer)
 * as version `version` with digest `digest` ("sha256:HEX", checked against
 * the bytes), and record it (a version unpacked with that digest already is
 * reused); *root and *dir as gitops_chart_unpack gives.
 */
int gitops_chart_store(struct gitops_chart *c, const char *version, const char *digest, const void *tgz, size_t len,
		       char **root, char **dir, struct gitops_err *err);

/*
 * Remove all but the cache's `keep` most recently used versions of the
 * chart, never one used by this run nor one a reader holds (a shared
 * flock(2) on its directory, as gitops-render takes).
 */
int gitops_chart_gc(struct gitops_chart *c, struct gitops_err *err);

/* Requests sent so far (index, package, redirects followed), for -v and tests. */
size_t gitops_chart_requests(const struct gitops_chart *c);

/* Release the lock and free (NULL is a no-op). */
void gitops_chart_close(struct gitops_chart *c);

/*
 * All of it for one chart: open, resolve `range`, unpack, gc, close.
 * *resolved (may be NULL) gets the version chosen.
 */
int gitops_chart_pull(char **root, char **dir, struct gitops_chart_version *resolved, const char *repo_url,
		      const char *chart, const char *range, const struct gitops_chart_options *o,
		      struct gitops_err *err);

/*
 * One chart, from a chart repository (repo an http(s):// URL, chart its
 * name) or an OCI registry (repo "oci://REGISTRY/PATH", the chart at
 * REGISTRY/PATH/CHART: its tags chosen from as helm chooses, "_" read as
 * "+", the chart layer through lib/net/registry): *c opened (locked),
 * *v the version `range` chooses, and with unpack *root and *dir its
 * unpacked directories (gitops_chart_unpack's); an exact version already
 * unpacked sends nothing.  Without unpack nothing is downloaded (an OCI
 * chart's digest stays unknown: v->digest NULL).  *c is the caller's to
 * close (gitops_chart_close), and *v to release, also on error.
 */
int gitops_chart_get(struct gitops_chart **c, struct gitops_chart_version *v, char **root, char **dir,
		     const char *repo, const char *chart, const char *range, int unpack,
		     const struct gitops_chart_options *o, struct gitops_err *err);

/*
 * Helm's ResolveReferenceURL: `ref` (absolute, or relative to the
 * repository URL `base` with a '/' put after its path) into *out (to free),
 * the base's query kept, fragments dropped.  -1 when out of memory or a URL
 * is malformed (GITOPS_EXIT_INPUT).  For tests as much as for the module.
 */
int gitops_chart_url_resolve(char **out, const char *base, const char *ref, struct gitops_err *err);

#endif
