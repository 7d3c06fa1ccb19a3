/* http.c: the one libcurl transfer layer (parallel requests, retries, limits). */
#include "lib/net/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct limiter {
	double limit;            /* requests in flight allowed now */
	int cap;
	int adaptive;
	int slow_start;
	int recover;             /* the limit before the last cut for latency */
	int recovered;           /* the last round went back to it */
	double rtt_short, rtt_long; /* moving averages of the latency, microseconds */
	int samples;             /* answers in this round */
	long seen;               /* answers in all */
	int bound;               /* the limit was reached in this round */
	int peak;                /* the most in flight at once */
};

struct gitops_http {
	struct gitops_http_options opts;
	CURLM *multi;
	CURLSH *share;
	const char *cert, *key;  /* PEM, borrowed */
	size_t cert_len, key_len;
	struct limiter lim;
};

static int curl_ready;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned gitops_http_backoff_ms(unsigned retry, unsigned base, unsigned max, uint32_t rnd)
{
	unsigned long long d = base;
	unsigned i;

	for (i = 1; i < retry && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	/* 50-100% of d */
	return (unsigned)(d / 2 + (d - d / 2) * (rnd % 1001) / 1000);
}

void gitops_http_format_duration(char *buf, size_t size, long ms)
{
	size_t off = 0;

	if (ms < 1000) {
		snprintf(buf, size, "%ldms", ms);
		return;
	}
	buf[0] = '\0';
	if (ms >= 3600000)
		off += (size_t)snprintf(buf + off, size - off, "%ldh", ms / 3600000);
	if (ms % 3600000 >= 60000 && off < size)
		off += (size_t)snprintf(buf + off, size - off, "%ldm", ms % 3600000 / 60000);
	ms %= 60000;
	if (ms % 1000 && off < size) {
		char frac[8];
		size_t n = (size_t)snprintf(frac, sizeof(frac), "%03ld", ms % 1000);
		while (n && frac[n - 1] == '0')
			frac[--n] = '\0';
		snprintf(buf + off, size - off, "%ld.%ss", ms / 1000, frac);
	} else if (ms && off < size) {
		snprintf(buf + off, size - off, "%lds", ms / 1000);
	}
}

/* ------------------------------------------------------------ the limit of requests in flight */

/*
 * Fixed (adaptive 0): the cap, halved on 429 and grown back by one per
 * success.  Adaptive: a gradient limiter in the manner of Netflix's
 * concurrency-limits (Gradient2), with slow start.  Each answered request
 * gives a latency sample; two moving averages follow it, a short one (the
 * last ten or so) and a long one (the last few hundred).  Once per round
 * (as many answers as the limit), once WARMUP answers have set the long
 * average (the first ones carry connection set-up), when the short average is more than
 * TOLERANCE times the long one the latency is rising faster than the
 * server's throughput (queueing, not work): the limit shrinks by that
 * gradient (at most by half).  Otherwise, if the round used every slot the
 * limit allowed, the limit grows: doubling per round until the first
 * setback (slow start), back to where it was before a cut for latency when
 * the next round shows the spike has passed (a busy neighbour on the
 * server's CPU, not a queue of ours), then by its square root per round (a
 * queue's worth).
 * A 429 halves it at once and ends slow start.  1 <= limit <= cap.
 */
#define TOLERANCE 2.0
#define SHORT_ALPHA 0.1
#define LONG_ALPHA 0.005
#define WARMUP 100

/* the integer square root of x (x <= the cap): a queue's worth */
static double root(double x)
{
	double r = 1;

	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

static void limiter_init(struct limiter *l, int cap, int initial, int adaptive)
{
	memset(l, 0, sizeof(*l));
	l->cap = cap;
	l->adaptive = adaptive;
	l->limit = adaptive && initial > 0 && initial < cap ? initial : cap;
	l->slow_start = 1;
}

static int limiter_limit(const struct limiter *l)
{
	int n = (int)l->limit;

	return n < 1 ? 1 : n > l->cap ? l->cap : n;
}

/* a request starts, `active` counting it */
static void limiter_started(struct limiter *l, size_t active)
{
	if (active >= (size_t)limiter_limit(l))
		l->bound = 1;
	if ((int)active > l->peak)
		l->peak = (int)active;
}

/* 429: fewer at once */
static void limiter_throttled(struct limiter *l)
{
	l->recover = 0; /* the server said so: no quick way back */
	l->limit = limiter_limit(l) > 1 ? limiter_limit(l) / 2 : 1;
	l->slow_start = 0;
	l->samples = 0;
	l->bound = 0;
}

/* an answer (2xx) that took rtt_us */
static void limiter_answered(struct limiter *l, double rtt_us)
{
	double gradient;

	if (!l->adaptive) {
		if (l->limit < l->cap)
			l->limit++;
		return;
	}
	if (rtt_us <= 0)
		rtt_us = 1;
	l->seen++;
	if (!l->rtt_long) {
		l->rtt_long = l->rtt_short = rtt_us;
	} else {
		/* the long average is the plain mean until it has WARMUP samples */
		l->rtt_short += SHORT_ALPHA * (rtt_us - l->rtt_short);
		l->rtt_long += (l->seen < WARMUP ? 1.0 / l->seen : LONG_ALPHA) * (rtt_us - l->rtt_long);
	}
	if (++l->samples < (limiter_limit(l) > 8 ? limiter_limit(l) : 8))
		return;
	/* a round */
	gradient = TOLERANCE * l->rtt_long / l->rtt_short;
	if (gradient < 1.0 && l->seen >= WARMUP) {
		/* slow again right after going back: it was the limit, not a spike */
		l->recover = l->recovered ? 0 : limiter_limit(l);
		l->limit = limiter_limit(l) * (gradient < 0.5 ? 0.5 : gradient);
		l->slow_start = 0;
		l->recovered = 0;
	} else {
		l->recovered = 0;
		if (l->bound && l->slow_start) {
			l->limit *= 2;
		} else if (l->bound && l->limit < l->recover) {
			/* a spike that passed: back to where it was, at once */
			l->limit = l->recover;
			l->recover = 0;
			l->recovered = 1;
		} else if (l->bound) {
			l->limit += root(l->limit);
		}
	}
	if (l->limit > l->cap)
		l->limit = l->cap;
	if (l->limit < 1)
		l->limit = 1;
	/* the long average never lags far behind a latency that has come down */
	if (l->rtt_long > l->rtt_short * TOLERANCE)
		l->rtt_long = l->rtt_short * TOLERANCE;
	l->samples = 0;
	l->bound = 0;
}

int gitops_http_limit(const struct gitops_http *h)
{
	return limiter_limit(&h->lim);
}

int gitops_http_peak(const struct gitops_http *h)
{
	return h->lim.peak;
}

/* ------------------------------------------------------------ client */

int gitops_http_new(struct gitops_http **out, const struct gitops_http_options *opts, struct gitops_err *err)
{
	struct gitops_http_options def = GITOPS_HTTP_OPTIONS_INIT;
	struct gitops_http *h;
	long maxconn;

	*out = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "libcurl could not start");
		curl_ready = 1;
	}
	if (!(h = calloc(1, sizeof(*h))))
		return gitops_err_oom(err);
	h->opts = opts ? *opts : def;
	if (h->opts.parallel < 1)
		h->opts.parallel = 1;
	if (!h->opts.response_max)
		h->opts.response_max = def.response_max;
	limiter_init(&h->lim, h->opts.parallel, h->opts.initial, h->opts.adaptive);
	h->multi = curl_multi_init();
	h->share = curl_share_init();
	if (!h->multi || !h->share) {
		gitops_http_free(h);
		return gitops_err_oom(err);
	}
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	maxconn = h->opts.max_host_connections ? h->opts.max_host_connections
					       : (h->opts.parallel < 8 ? h->opts.parallel : 8);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxconn);
	*out = h;
	return 0;
}

void gitops_http_free(struct gitops_http *h)
{
	if (!h)
		return;
	if (h->multi)
		curl_multi_cleanup(h->multi);
	if (h->share)
		curl_share_cleanup(h->share);
	free(h);
}

void gitops_http_set_client_cert(struct gitops_http *h, const char *cert, size_t cert_len, const char *key,
				 size_t key_len)
{
	h->cert = cert;
	h->cert_len = cert ? cert_len : 0;
	h->key = key;
	h->key_len = key ? key_len : 0;
}

void gitops_http_request_release(struct gitops_http_request *r)
{
	gitops_buf_release(&r->response);
	gitops_buf_release(&r->header);
	r->status = 0;
}

char *gitops_http_header(const struct gitops_http_request *r, const char *name)
{
	size_t nl = strlen(name);
	const char *line = r->header.data;

	while (line && *line) {
		const char *eol = strchr(line, '\n'), *v, *end;
		end = eol ? eol : line + strlen(line);
		if ((size_t)(end - line) > nl && !strncasecmp(line, name, nl) && line[nl] == ':') {
			v = line + nl + 1;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
				end--;
			return strndup(v, (size_t)(end - v));
		}
		line = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* ------------------------------------------------------------ requests */

struct slot {
	struct gitops_http_request *req;
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	char errbuf[CURL_ERROR_SIZE];
	size_t max;
	long retry_after_ms;
	long due_ms;
	long deadline_ms;        /* no answer by then: give up (0: no limit, or not started) */
	int active, finished;
	int too_big;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct slot *s = ctx;
	size_t n = size * nmemb;

	if (s->req->response.len + n > s->max || gitops_buf_add(&s->req->response, data, n) < 0) {
		s->too_big = 1;
		return 0;
	}
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct slot *s = ctx;
	size_t n = size * nmemb;

	if (n > 5 && !strncmp(data, "HTTP/", 5)) {
		/* a new response (a redirect, 100 Continue): forget the last one's headers */
		s->req->header.len = 0;
		if (s->req->header.data)
			s->req->header.data[0] = '\0';
		s->retry_after_ms = 0;
	}
	if (n > 12 && !strncasecmp(data, "Retry-After:", 12)) {
		long secs = strtol(data + 12, NULL, 10);
		if (secs > 0)
			s->retry_after_ms = secs * 1000;
	}
	if (s->req->header.len + n > 1u << 20 || gitops_buf_add(&s->req->header, data, n) < 0)
		return 0;
	return n;
}

static int setup_easy(struct gitops_http *h, struct slot *s, struct gitops_err *err)
{
	const struct gitops_http_options *o = &h->opts;
	struct gitops_http_request *r = s->req;
	const char *const *hl;
	CURL *e = s->easy;

	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_SHARE, h->share);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	/* an attempt gets what is left of the request's time without an answer */
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
			 s->deadline_ms ? (s->deadline_ms > now_ms() ? s->deadline_ms - now_ms() : 1L) : 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	if (o->user_agent)
		curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(e, CURLOPT_PRIVATE, s);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method ? r->method : "GET");
	if (r->method && !strcmp(r->method, "HEAD"))
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	if (r->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	if (o->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
	if (o->ca_data && o->ca_len) {
		struct curl_blob blob = { (void *)o->ca_data, o->ca_len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (o->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->proxy && *o->proxy)
		curl_easy_setopt(e, CURLOPT_PROXY, o->proxy);
	else if (!o->env_proxy)
		curl_easy_setopt(e, CURLOPT_NOPROXY, "*"); /* no *_proxy guessing */
	if (h->cert_len && h->key_len) {
		struct curl_blob cb = { (void *)h->cert, h->cert_len, CURL_BLOB_NOCOPY };
		struct curl_blob kb = { (void *)h->key, h->key_len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (r->username && r->password) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, r->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, r->password);
	}
	curl_slist_free_all(s->headers);
	s->headers = NULL;
	curl_slist_free_all(s->connect_to);
	s->connect_to = NULL;
	if (o->connect_to) {
		if (!(s->connect_to = curl_slist_append(NULL, o->connect_to)))
			return gitops_err_oom(err);
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, s->connect_to);
	}
	for (hl = r->headers; hl && *hl; hl++) {
		struct curl_slist *t = curl_slist_append(s->headers, *hl);
		if (!t)
			return gitops_err_oom(err);
		s->headers = t;
	}
	if (s->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers);
	r->response.len = 0;
	r->header.len = 0;
	if (r->header.data)
		r->header.data[0] = '\0';
	s->retry_after_ms = 0;
	s->too_big = 0;
	s->errbuf[0] = '\0';
	s->max = r->response_max ? r->response_max : o->response_max;
	return 0;
}

static int retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int exit_for_status(long status)
{
	if (status == 401 || status == 403)
		return GITOPS_EXIT_AUTH;
	if (status == 502 || status == 503 || status == 504)
		return GITOPS_EXIT_UNREACHABLE;
	return GITOPS_EXIT_REJECTED;
}

/*
 * curl's message without the time it took (" after 3 ms", " after 30001
 * milliseconds"): the same failure reads the same each time.
 */
static void without_timing(char *s)
{
	char *p = s;

	while ((p = strstr(p, " after "))) {
		char *q = p + 7, *end;

		if (*q < '0' || *q > '9') {
			p += 7;
			continue;
		}
		while (*q >= '0' && *q <= '9')
			q++;
		if (!strncmp(q, " milliseconds", 13))
			end = q + 13;
		else if (!strncmp(q, " ms", 3))
			end = q + 3;
		else {
			p = q;
			continue;
		}
		memmove(p, end, strlen(end) + 1);
	}
}

/* No usable answer: the facts into r, and a plain message the caller's finished hook may replace. */
static void fail_curl(struct gitops_http *h, struct slot *s, CURLcode rc, int out_of_time)
{
	struct gitops_http_request *r = s->req;
	const char *detail;

	if (s->errbuf[0])
		without_timing(s->errbuf);
	detail = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);

	r->failed = 1;
	r->curl_code = (int)rc;
	snprintf(r->curl_error, sizeof(r->curl_error), "%s", detail);
	r->too_big = s->too_big;
	r->out_of_time = out_of_time && rc == CURLE_OPERATION_TIMEDOUT;
	if (r->out_of_time) {
		char d[32];
		long status = 0;
		gitops_http_format_duration(d, sizeof(d), h->opts.timeout_ms);
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
		r->partial = status > 0;
		gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, r->partial ? "%s: the answer did not complete within %s"
			       : "%s: no answer within %s", r->url, d);
	} else if (s->too_big) {
		gitops_err_set(&r->err, GITOPS_EXIT_REJECTED, "%s: the answer is larger than %zu bytes", r->url,
			       r->response_max ? r->response_max : h->opts.response_max);
	} else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
		gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "%s: TLS: the server's certificate is not trusted: %s",
			       r->url, detail);
	} else if (rc == CURLE_SSL_CERTPROBLEM) {
		gitops_err_set(&r->err, GITOPS_EXIT_AUTH, "%s: the client certificate or key is unusable: %s", r->url,
			       detail);
	} else {
		gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "%s: %s", r->url, detail);
	}
}

int gitops_http_run(struct gitops_http *h, struct gitops_http_request *reqs, size_t n,
		    const struct gitops_http_hooks *hooks, struct gitops_err *err)
{
	const struct gitops_http_options *o = &h->opts;
	struct slot *slots = calloc(n ? n : 1, sizeof(*slots));
	size_t next = 0, left = n, active = 0, i;
	int ret = 0;

	if (!slots)
		return gitops_err_oom(err);
	for (i = 0; i < n; i++) {
		struct gitops_http_request *r = &reqs[i];
		slots[i].req = r;
		r->status = 0;
		r->failed = 0;
		r->attempts = 0;
		r->curl_code = 0;
		r->curl_error[0] = '\0';
		r->out_of_time = r->too_big = r->partial = 0;
		r->err.code = 0;
		r->err.msg[0] = '\0';
	}
	while (left) {
		long now = now_ms(), wait_ms = 1000;
		int still, msgs;
		CURLMsg *m;

		/* start what may start: new requests first come first served, then retries when due */
		for (i = 0; i < n && active < (size_t)limiter_limit(&h->lim); i++) {
			struct slot *s = &slots[i];
			if (s->finished || s->active || (i >= next && i != next) || s->due_ms > now)
				continue;
			if (i == next)
				next++;
			if (!s->easy && !(s->easy = curl_easy_init())) {
				ret = gitops_err_oom(err);
				goto done;
			}
			if (o->timeout_ms > 0 && !s->deadline_ms)
				s->deadline_ms = now + o->timeout_ms;
			if ((hooks && hooks->prepare && hooks->prepare(s->req, err) < 0) || setup_easy(h, s, err) < 0) {
				ret = -1;
				goto done;
			}
			s->req->attempts++;
			curl_multi_add_handle(h->multi, s->easy);
			s->active = 1;
			active++;
			limiter_started(&h->lim, active);
		}
		curl_multi_perform(h->multi, &still);
		while ((m = curl_multi_info_read(h->multi, &msgs))) {
			struct slot *s;
			struct gitops_http_request *r;
			long status = 0;
			int retry = 0;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			r = s->req;
			curl_multi_remove_handle(h->multi, s->easy);
			s->active = 0;
			active--;
			if (m->data.result != CURLE_OK) {
				retry = retryable_curl(m->data.result) && !s->too_big;
				if (!retry || r->attempts > o->retries)
					fail_curl(h, s, m->data.result, s->deadline_ms && now_ms() + 100 >= s->deadline_ms);
			} else {
				s->deadline_ms = 0; /* an answer: the next attempt, if any, gets the whole time again */
				curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
				r->status = status;
				if (hooks && hooks->answered && hooks->answered(r) == GITOPS_HTTP_AGAIN) {
					retry = 1;
					r->attempts--; /* not a failure of the server */
				} else if (status == 429) {
					/* too many requests: fewer at once, and wait as told (a throttled server is
					 * not a failing one: it gets more attempts) */
					limiter_throttled(&h->lim);
					retry = r->attempts <= o->retries + o->throttle_retries;
				} else if (status == 502 || status == 503 || status == 504 ||
					   (status >= 500 && s->retry_after_ms)) {
					/* busy or not there yet; a plain 500 is an answer, not a hiccup */
					retry = r->attempts <= o->retries;
				} else if (status >= 200 && status < 300) {
					curl_off_t us = 0;
					curl_easy_getinfo(s->easy, CURLINFO_TOTAL_TIME_T, &us);
					limiter_answered(&h->lim, (double)us);
				}
			}
			if (retry && !r->failed) {
				long backoff = (long)gitops_http_backoff_ms((unsigned)(r->attempts > 0 ? r->attempts : 1),
									    (unsigned)o->backoff_ms, (unsigned)o->backoff_max_ms,
									    (uint32_t)random());
				if (s->retry_after_ms)
					backoff = s->retry_after_ms < o->retry_after_max_ms ? s->retry_after_ms
											    : o->retry_after_max_ms;
				s->due_ms = now_ms() + backoff;
				if (!s->deadline_ms || s->due_ms < s->deadline_ms)
					continue;
				/* still no answer, and no time left for another attempt */
				fail_curl(h, s, m->data.result, 1);
			}
			s->finished = 1;
			left--;
			if (!r->failed && !(hooks && hooks->finished) && (r->status < 200 || r->status >= 300)) {
				r->failed = 1;
				gitops_err_set(&r->err, exit_for_status(r->status), "%s: the server answered HTTP %ld", r->url,
					       r->status);
			}
			if (hooks && hooks->finished)
				hooks->finished(r);
			if (r->failed && ret == 0) {
				ret = -1;
				if (err)
					*err = r->err;
			}
		}
		if (!left)
			break;
		/* sleep until there is traffic or a retry is due */
		now = now_ms();
		for (i = 0; i < n; i++)
			if (!slots[i].finished && !slots[i].active && slots[i].due_ms > now &&
			    slots[i].due_ms - now < wait_ms)
				wait_ms = slots[i].due_ms - now;
		if (active)
			curl_multi_poll(h->multi, NULL, 0, (int)(wait_ms < 1 ? 1 : wait_ms), NULL);
		else if (wait_ms > 0 && next >= n)
			usleep((useconds_t)wait_ms * 1000);
	}
done:
	for (i = 0; i < n; i++) {
		if (slots[i].easy) {
			if (slots[i].active)
				curl_multi_remove_handle(h->multi, slots[i].easy);
			curl_easy_cleanup(slots[i].easy);
		}
		curl_slist_free_all(slots[i].headers);
		curl_slist_free_all(slots[i].connect_to);
	}
	free(slots);
	return ret;
}

int gitops_http_do(struct gitops_http *h, struct gitops_http_request *r, const struct gitops_http_hooks *hooks,
		   struct gitops_err *err)
{
	return gitops_http_run(h, r, 1, hooks, err);
}
