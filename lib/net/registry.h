/*
 * registry.h: the tags and digests of an image repository, through the OCI
 * distribution API (libcurl): GET /v2/<repo>/tags/list with pagination
 * (Link: <...>; rel="next"), HEAD /v2/<repo>/manifests/<tag> for the
 * Docker-Content-Digest header.  Anonymous access, basic auth and the
 * Bearer token flow a 401's WWW-Authenticate asks for, with credentials
 * from a docker-style config.json ("auths": {"host": {"auth": base64}} or
 * username/password).  Every request (token, tag pages, manifests) goes
 * through lib/http, with its retries: connection errors, 429 and
 * 502/503/504 again after a backoff (Retry-After honoured); a registry
 * still answering 502/503/504 after them is unreachable (GITOPS_EXIT_UNREACHABLE).
 *
 * And Helm charts stored as OCI artifacts (helm push): the manifest, checked to
 * be a chart, and its chart layer, checked against its digest and size, into a
 * file.
 *
 * And the choice of a tag: the newest by semver 2.0 within a range, or
 * among tags matching a regular expression, ordered numerically or
 * alphabetically.  "latest" is never chosen.
 *
 * Ownership: gitops_registry_tags hands the caller an array of strings,
 * freed with gitops_registry_tags_free; gitops_registry_digest and
 * gitops_registry_chart a string to free().  A registry handle is freed with gitops_registry_free (NULL: no-op).
 */
#ifndef GITOPS_REGISTRY_H
#define GITOPS_REGISTRY_H

#include <stddef.h>
#include "lib/base/err.h"
#include "lib/base/regex.h"
#include "lib/base/semver.h"

struct gitops_registry_options {
	int plain_http;           /* http:// instead of https:// */
	const char *config;       /* docker config.json; NULL: $DOCKER_CONFIG/config.json, ~/.docker/config.json */
	const char *ca_file;      /* CA bundle for TLS; NULL: the system's */
	long timeout;             /* seconds per request */
	size_t max_tags;          /* refuse a repository with more tags than this */
	size_t max_chart;         /* refuse a chart layer larger than this (bytes); 0: 64 MiB */
};

#define GITOPS_REGISTRY_OPTIONS_INIT { .timeout = 30, .max_tags = 1000000, .max_chart = 64u << 20 }

struct gitops_registry;

/*
 * A handle for the repository of image or chart `name` ("host:port/path", "nginx",
 * "oci://host/path": the scheme is dropped); nothing is sent yet.
 */
int gitops_registry_open(struct gitops_registry **out, const char *name, const struct gitops_registry_options *o,
			 struct gitops_err *err);
/* Every tag, over as many pages as the registry sends. */
int gitops_registry_tags(struct gitops_registry *r, char ***tags, size_t *n, struct gitops_err *err);
/* The digest of the manifest `tag` names ("sha256:..."). */
int gitops_registry_digest(struct gitops_registry *r, const char *tag, char **digest, struct gitops_err *err);
/*
 * The Helm chart that `tag` names, as helm v3 pulls it, into dest_file.
 *
 * tag: a tag ("1.2.3"; a '+' becomes '_', as helm pushes versions with build
 * metadata) or a manifest digest ("sha256:...").  The manifest is asked for as
 * application/vnd.oci.image.manifest.v1+json (at most 4 MiB) and checked: its
 * sha256 against Docker-Content-Digest when the registry sends one (and
 * against `tag` when that is a digest); config media type
 * application/vnd.cncf.helm.config.v1+json; exactly one chart layer, of media
 * type application/vnd.cncf.helm.chart.content.v1.tar+gzip or the legacy
 * application/tar+gzip (two or more: refused, where helm takes the last); a
 * provenance layer (application/vnd.cncf.helm.chart.provenance.v1.prov) and
 * layers of other types are ignored, as helm v3.17 ignores them.  The chart
 * layer's blob (GET
 * /v2/<repo>/blobs/<digest>, up to 5 redirects followed; credentials go only to
 * the registry itself, never to a redirect's other host) must have the size
 * and sha256 the manifest gives, and be no larger than max_chart.  It is
 * written to a temporary file beside dest_file and renamed over it (mode
 * 0644): on any failure dest_file is untouched and no temporary file is left.
 *
 * *digest: "sha256:<hex>" of the chart layer (the .tgz's sha256), to free().
 * Errors, one line, starting "oci://HOST/REPO:TAG: ": not a chart, a malformed
 * manifest, a digest or size mismatch, over max_chart: GITOPS_EXIT_INPUT; no
 * such tag or repository (404): GITOPS_EXIT_REJECTED; a tag that is not one:
 * GITOPS_EXIT_USAGE; writing dest_file: GITOPS_EXIT_IO; and as for the tags,
 * GITOPS_EXIT_UNREACHABLE and GITOPS_EXIT_AUTH.  Credentials never appear in
 * a message.
 */
int gitops_registry_chart(struct gitops_registry *r, const char *tag, const char *dest_file, char **digest,
			  struct gitops_err *err);
/* Requests sent so far (pages, token requests, retries), for tests and -v. */
size_t gitops_registry_requests(const struct gitops_registry *r);
void gitops_registry_free(struct gitops_registry *r);
void gitops_registry_tags_free(char **tags, size_t n);

enum gitops_tag_order { GITOPS_ORDER_SEMVER, GITOPS_ORDER_NUMERIC, GITOPS_ORDER_ALPHABETICAL };

struct gitops_tag_filter {
	const struct gitops_semver_range *range;  /* GITOPS_ORDER_SEMVER: NULL means every release (no prerelease) */
	const struct gitops_regex *re;            /* tags must match (Go's syntax); group 1 (or the match) is ordered */
	enum gitops_tag_order order;
};

/*
 * The newest tag that passes the filter (a pointer into tags), or NULL
 * when none does.  Tags that are not valid OCI tags, and "latest", are
 * ignored; so are tags that are not versions (semver) or not numbers
 * (numeric).  Ties in precedence ("v1.2.3" and "1.2.3") go to the larger
 * string, so the choice never depends on the registry's order.
 */
const char *gitops_registry_choose(char *const *tags, size_t n, const struct gitops_tag_filter *f);

#endif
