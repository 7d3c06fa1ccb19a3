/*
 * kube.h: talking to a Kubernetes API server over libcurl.
 *
 * One client (lib/kube.c) holds the configuration (kubeconfig.h), the
 * credentials in force (exec plugins run once and cached until their
 * expiry) and a client of the transfer layer (http.h): requests run in
 * parallel up to a limit, over HTTP/2 with keep-alive, with retries and
 * backoff for connection errors, 429 and 5xx (Retry-After honoured); a 401
 * fetches rotated credentials once.  A failed request gets one line built from the
 * server's Status object.  Credentials never appear in messages, and neither
 * do the values of a Secret sent or read (see gitops_kube_request_redact_secret).
 */
#ifndef GITOPS_KUBE_H
#define GITOPS_KUBE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"
#include "lib/kube/kubeconfig.h"

struct gitops_kube_client_options {
	int parallel;             /* requests in flight at most */
	int adaptive;             /* 1: the number in flight adapts up to `parallel` (http.h); 0: fixed */
	long timeout_ms;          /* a request without an answer for this long gives up, retries
	                           * included (an answer, a 429 say, starts the time again); 0: never */
	long connect_timeout_ms;
	int retries;              /* attempts after the first, for retryable failures */
	long backoff_ms;          /* first backoff; doubles (gitops_http_backoff_ms) */
	const char *user_agent;
};

#define GITOPS_KUBE_CLIENT_OPTIONS_INIT { .parallel = 256, .adaptive = 1, .timeout_ms = 30000, .connect_timeout_ms = 10000, \
	.retries = 4, .backoff_ms = 200, .user_agent = "gitops/" GITOPS_VERSION }

struct gitops_kube;

/* Takes ownership of cfg (freed with the client). */
int gitops_kube_new(struct gitops_kube **out, struct gitops_kube_config *cfg,
		    const struct gitops_kube_client_options *opts, struct gitops_err *err);
const struct gitops_kube_config *gitops_kube_config(const struct gitops_kube *k);
void gitops_kube_free(struct gitops_kube *k);

/* The content type of a server-side apply (PATCH). */
#define GITOPS_KUBE_APPLY_PATCH "application/apply-patch+yaml"

struct gitops_kube_request {
	/* in */
	const char *method;       /* GET, PATCH, DELETE, POST, PUT */
	char *path;               /* "/api/v1/namespaces/x/configmaps/y?fieldManager=gitops"; owned */
	const char *content_type; /* for a body */
	char *body;               /* owned, or NULL */
	size_t body_len;
	const char *what;         /* names the request in messages ("configmap x/y"); borrowed */
	char *where;              /* and where its object came from ("REPO//FILE@COMMIT"), or NULL; owned */
	char **redact;            /* strings masked in the messages of the server's answers; owned */
	size_t n_redact;
	int redact_failed;        /* out of memory while listing them: the server's message is withheld */
	/* out */
	long status;              /* HTTP status, 0 when no answer */
	struct gitops_buf response;
	struct gitops_err err;    /* set when the request failed (status >= 400 or no answer) */
	int failed;
	int attempts;
};

/* Frees path, body, response and the redaction list. */
void gitops_kube_request_release(struct gitops_kube_request *r);

/*
 * Mask the values of `obj`, when it is a v1 Secret (anything else is left
 * alone), in every message built from the server's answers to r: each value
 * of data and stringData as written, JSON-escaped, base64-encoded, and
 * base64-decoded (and that re-encoded); the leaves of a value that is not a
 * string.  Copies what it needs; obj is borrowed.  Meant for the live object
 * read before a write: a request whose body is a Secret has its own values
 * masked without being asked.  0, or -1 when out of memory.
 */
int gitops_kube_request_redact_secret(struct gitops_kube_request *r, const cJSON *obj);

/*
 * `msg` with every occurrence of the `n` strings of `values` replaced by
 * "***" (overlapping and adjacent occurrences become one "***").  Strings
 * shorter than GITOPS_KUBE_MASK_MIN bytes are masked only where they stand
 * quoted ("ab", or \"ab\" in JSON quoted inside a string): replacing every
 * "1" or "ab" of a message would wreck it, and such a value gives little away.
 * Empty strings are never masked.  Returns a string to free, or NULL (oom).
 */
#define GITOPS_KUBE_MASK_MIN 4
char *gitops_kube_mask(const char *msg, char *const *values, size_t n);

/*
 * Run the requests, in parallel up to opts.parallel.  Each gets its own
 * result; returns 0 when every request was answered with 2xx, else -1 with
 * err set to the first failure (each request's err says its own).
 * Statuses in `ok_statuses` (0-terminated, may be NULL) also count as success
 * (404 for a GET of something that may not exist).
 */
int gitops_kube_run(struct gitops_kube *k, struct gitops_kube_request *reqs, size_t n, const long *ok_statuses,
		    struct gitops_err *err);

/* One request: gitops_kube_run of one. */
int gitops_kube_do(struct gitops_kube *k, struct gitops_kube_request *req, const long *ok_statuses,
		   struct gitops_err *err);

/* The one-line message for a failed answer (from its Status object when it has one). */
void gitops_kube_status_error(struct gitops_err *out, const struct gitops_kube_request *r);

#endif
