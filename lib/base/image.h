/*
 * image.h: container image references as Docker and the OCI distribution
 * spec write them: [HOST[:PORT]/]PATH[:TAG][@ALGO:HEX].
 *
 * "nginx", "docker.io/nginx", "index.docker.io/library/nginx" and
 * "docker.io/library/nginx" name the same repository: gitops_image_same_name
 * compares names after that normalisation.  A first path component is a
 * registry host when it contains '.' or ':' or is "localhost".
 *
 * A struct gitops_image_ref owns its strings: gitops_image_release frees
 * them (and leaves the struct empty).
 */
#ifndef GITOPS_IMAGE_H
#define GITOPS_IMAGE_H

#include <stddef.h>
#include "lib/base/err.h"

struct gitops_image_ref {
	char *name;     /* as written: "nginx", "ghcr.io/org/app", "localhost:5000/app"; NULL when absent */
	char *tag;      /* NULL when absent */
	char *digest;   /* "sha256:<64 hex>"; NULL when absent */
};

#define GITOPS_IMAGE_REF_INIT { NULL, NULL, NULL }

/* Parse a whole reference (a name is required).  -1 with GITOPS_EXIT_INPUT and why. */
int gitops_image_parse(struct gitops_image_ref *out, const char *s, struct gitops_err *err);

/*
 * Parse the REF of `--image NAME=REF` and of a policy's latest image: a tag
 * ("v1.2.3"), a tag and digest ("v1.2.3@sha256:..."), a digest ("@sha256:...")
 * or a whole reference ("name:tag", "name@sha256:...", "name:tag@sha256:...").
 * Text before '@' holding '/' or ':' is a whole reference; else it is a tag.
 */
int gitops_image_parse_ref(struct gitops_image_ref *out, const char *s, struct gitops_err *err);

/* name[:tag][@digest] into a new string (caller frees); NULL when out of memory. */
char *gitops_image_format(const struct gitops_image_ref *r);

/* The normalised name ("docker.io/library/nginx") into buf; -1 if it does not fit. */
int gitops_image_normalize(const char *name, size_t len, char *buf, size_t size);
/* 1 when the two names (lengths given) name the same repository. */
int gitops_image_same_name(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Where the distribution API for `name` lives: the host ("registry-1.docker.io"
 * for Docker Hub, else the name's host, "docker.io" when none) and the
 * repository path ("library/nginx").  Both into caller buffers.
 */
int gitops_image_registry(const char *name, char *host, size_t hsize, char *repo, size_t rsize);

/* A valid tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
int gitops_image_valid_tag(const char *tag, size_t len);
/* A valid digest: ALGO:HEX, sha256 with 64 lowercase hex digits, others with 32 or more. */
int gitops_image_valid_digest(const char *digest, size_t len);

/* The last path component of a name ("nginx" for "docker.io/library/nginx"): a pointer into name. */
const char *gitops_image_basename(const char *name, size_t len, size_t *outlen);

void gitops_image_release(struct gitops_image_ref *r);

#endif
