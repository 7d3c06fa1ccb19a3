/*
 * http.h: the one libcurl transfer layer.
 *
 * A client holds the TLS settings (CA file or data, client certificate and
 * key, insecure flag, a connect-to for a TLS server name), the proxy, and a
 * libcurl multi handle.  gitops_http_run sends a batch of requests in
 * parallel over HTTP/2 (keep-alive, one connection multiplexed where the
 * server allows), with one retry policy for everyone who talks HTTP here:
 * connection errors, 429 and 502/503/504 (and any 5xx that says Retry-After)
 * are retried with exponential backoff and jitter (gitops_http_backoff_ms),
 * Retry-After honoured; a per-request time without an answer; a cap on the
 * size of an answer.  The number of requests in flight adapts between 1 and
 * the cap (see struct gitops_http_options.adaptive).
 *
 * The layer knows nothing of Kubernetes or registries: what a request is for,
 * which credentials it carries and what a failed answer means are the
 * caller's (kube.c, registry.c), through the request's headers and the hooks.
 *
 * Ownership: a request's inputs are borrowed for the run; its response and
 * header buffers are the request's, freed by gitops_http_request_release.
 * Errors go into each request's own struct gitops_err, and the run's first
 * failure into the caller's.  Uses buf.h and err.h only.
 */
#ifndef GITOPS_HTTP_H
#define GITOPS_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

struct gitops_http_options {
	int parallel;              /* requests in flight at most */
	int adaptive;              /* 1: the number in flight adapts, from `initial` up to `parallel`:
	                            * grows while the slots are all used and latency holds, shrinks
	                            * when latency rises fast or the server says 429 (http.c);
	                            * 0: `parallel` (halved on 429, growing back by one per success) */
	int initial;               /* adaptive: where the limit starts */
	long timeout_ms;           /* a request without an answer for this long gives up, retries included
	                            * (an answer, a 429 say, starts the time again); 0: never */
	long connect_timeout_ms;
	int retries;               /* attempts after the first, for retryable failures */
	int throttle_retries;      /* more attempts on top of those for 429 (throttled is not failing) */
	long backoff_ms;           /* the first wait before a retry; doubles up to backoff_max_ms */
	long backoff_max_ms;
	long retry_after_max_ms;   /* Retry-After is honoured up to this */
	size_t response_max;       /* an answer larger than this fails (not retried) */
	const char *user_agent;
	/* TLS; borrowed for the client's life */
	const char *ca_file;       /* CA bundle; NULL: the system's (or ca_data) */
	const char *ca_data;       /* PEM, ca_len bytes */
	size_t ca_len;
	int insecure;              /* no verification of the server's certificate */
	const char *connect_to;    /* "NAME:PORT:HOST:PORT": URLs name NAME (SNI and verification),
	                            * connections go to HOST (a TLS server name) */
	/* proxy */
	const char *proxy;         /* a proxy URL; NULL or "": none */
	int env_proxy;             /* without `proxy`: 1 lets libcurl read *_proxy, 0 goes direct */
	long max_host_connections; /* 0: min(parallel, 8) */
};

#define GITOPS_HTTP_OPTIONS_INIT { \
	.parallel = 32, .adaptive = 0, .initial = 32, .timeout_ms = 30000, .connect_timeout_ms = 10000, .retries = 4, \
	.throttle_retries = 16, .backoff_ms = 200, .backoff_max_ms = 200 << 6, .retry_after_max_ms = 30000, \
	.response_max = 256u << 20, .user_agent = "gitops/" GITOPS_VERSION }

struct gitops_http_request {
	/* in; borrowed for the run */
	const char *method;        /* GET, HEAD, PATCH, ...; NULL: GET */
	const char *url;
	const char *const *headers;/* "Name: value" lines, NULL-terminated; NULL: none */
	const char *body;
	size_t body_len;
	const char *username;      /* basic authentication, with password */
	const char *password;
	size_t response_max;       /* an answer larger than this fails; 0: the client's response_max */
	void *ctx;                 /* the caller's, for the hooks */
	/* out */
	long status;               /* HTTP status of the last answer, 0 when none */
	struct gitops_buf response;/* its body */
	struct gitops_buf header;  /* its header lines, as received (the last response's only) */
	int attempts;
	int failed;                /* no usable answer: err says why (the hooks may say it better) */
	struct gitops_err err;
	/* how it failed, for callers that phrase the message themselves */
	int curl_code;             /* CURLcode of the last attempt; 0 when it was answered */
	char curl_error[256];      /* libcurl's words for it */
	int out_of_time;           /* the request's time without an answer ran out */
	int too_big;               /* the answer was larger than response_max */
	int partial;               /* out of time with an answer begun */
};

#define GITOPS_HTTP_AGAIN 1

/*
 * Per run, all optional.  prepare runs before each attempt (fresh
 * credentials into the headers); answered after each answer, and may ask
 * for another attempt at once, not counted (GITOPS_HTTP_AGAIN: credentials
 * rotated); finished once when a request is done, failed or not, and may
 * judge the answer: it sets r->failed and r->err for a status it does not
 * accept (without the hook, a status outside 200-299 fails).
 */
struct gitops_http_hooks {
	int (*prepare)(struct gitops_http_request *r, struct gitops_err *err);
	int (*answered)(struct gitops_http_request *r);
	void (*finished)(struct gitops_http_request *r);
};

struct gitops_http;

int gitops_http_new(struct gitops_http **out, const struct gitops_http_options *opts, struct gitops_err *err);
/* `_free(NULL)` is a no-op. */
void gitops_http_free(struct gitops_http *h);

/*
 * The client certificate and key (PEM), borrowed until the next call or the
 * client's end; NULL or empty: none.  May change between runs (credentials
 * from an exec plugin that rotated).
 */
void gitops_http_set_client_cert(struct gitops_http *h, const char *cert, size_t cert_len, const char *key,
				 size_t key_len);

/*
 * Send the requests, in parallel up to the limit.  Returns 0 when none
 * failed, else -1 with err (may be NULL) set to the first failure.
 */
int gitops_http_run(struct gitops_http *h, struct gitops_http_request *reqs, size_t n,
		    const struct gitops_http_hooks *hooks, struct gitops_err *err);
/* One request: gitops_http_run of one. */
int gitops_http_do(struct gitops_http *h, struct gitops_http_request *r, const struct gitops_http_hooks *hooks,
		   struct gitops_err *err);

/* Frees the response and header buffers (and clears the outputs). */
void gitops_http_request_release(struct gitops_http_request *r);

/* A copy of the value of header `name` of the last answer (to free), or NULL when it has none (or oom). */
char *gitops_http_header(const struct gitops_http_request *r, const char *name);

/*
 * The wait before retry number `retry` (1 for the first): base doubled for
 * each retry after the first, at most max, and then 50-100% of that by `rnd`
 * (jitter, so that clients that failed together do not come back together).
 */
unsigned gitops_http_backoff_ms(unsigned retry, unsigned base, unsigned max, uint32_t rnd);

/* The number of requests in flight the client allows now, and the most there were at once (for -v and tests). */
int gitops_http_limit(const struct gitops_http *h);
int gitops_http_peak(const struct gitops_http *h);

/* "30s", "1m30s", "1.5s", "250ms": a duration as it was most likely written, into buf. */
void gitops_http_format_duration(char *buf, size_t size, long ms);

#endif
