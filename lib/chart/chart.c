/*
 * chart.c: charts from HTTP chart repositories into the fetch cache (chart.h).
 */
#include "lib/chart/chart.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "lib/base/buf.h"
#include "lib/base/enc.h"
#include "lib/base/fs.h"
#include "lib/base/json.h"
#include "lib/base/semver.h"
#include "lib/net/http.h"
#include "lib/render/helm/files.h"
#include "lib/value/jsonio.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

#define REDIRECTS_MAX 10
#define META_MAX (64u << 10)
#define USED_MAX 64

/* --- URLs --- */

/* A URL split: no part holds credentials but user and pass. */
struct url {
	char *scheme;   /* lowercase: "https" */
	char *user;     /* percent-decoded, or NULL */
	char *pass;
	char *host;     /* without port or brackets' content changed: "charts.example.com", "[::1]" */
	char *hostport; /* "charts.example.com:8443" */
	char *path;     /* "/a/b" ("" when none) */
	char *query;    /* without '?', or NULL */
	char *display;  /* scheme://hostport path ?query: no credentials, no fragment */
};

static void url_release(struct url *u)
{
	if (u->pass)
		OPENSSL_cleanse(u->pass, strlen(u->pass));
	free(u->scheme);
	free(u->user);
	free(u->pass);
	free(u->host);
	free(u->hostport);
	free(u->path);
	free(u->query);
	free(u->display);
	memset(u, 0, sizeof(*u));
}

static int url_build_display(struct url *u)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	free(u->display);
	if (gitops_buf_printf(&b, "%s://%s%s", u->scheme, u->hostport, u->path) < 0 ||
	    (u->query && gitops_buf_printf(&b, "?%s", u->query) < 0)) {
		gitops_buf_release(&b);
		return -1;
	}
	u->display = gitops_buf_detach(&b);
	return u->display ? 0 : -1;
}

/* Parse an absolute URL (scheme://...).  -1 (GITOPS_EXIT_INPUT, no credential in the message) when it is none. */
static int url_parse(struct url *u, const char *s, struct gitops_err *err)
{
	const char *p = s, *auth, *end, *at, *hp, *q;
	size_t i, n;

	memset(u, 0, sizeof(*u));
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (p > s && ((*p >= '0' && *p <= '9') || *p == '+' ||
									      *p == '-' || *p == '.')))
		p++;
	if (p == s || strncmp(p, "://", 3) != 0)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "not a URL (scheme://host/...)");
	if (!(u->scheme = strndup(s, (size_t)(p - s))))
		goto oom;
	for (i = 0; u->scheme[i]; i++)
		if (u->scheme[i] >= 'A' && u->scheme[i] <= 'Z')
			u->scheme[i] = (char)(u->scheme[i] - 'A' + 'a');
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (q = auth; q < end; q++)
		if (*q == '@')
			at = q;
	hp = at ? at + 1 : auth;
	if (hp == end) {
		url_release(u);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "a URL without a host");
	}
	for (q = hp; q < end; q++)
		if (*q <= ' ' || *q == '\\' || (unsigned char)*q >= 0x7f) {
			url_release(u);
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "a URL whose host holds a blank or control character");
		}
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (!(u->user = gitops_pct_decode(auth, (size_t)((colon ? colon : at) - auth), 0)))
			goto oom;
		if (colon && !(u->pass = gitops_pct_decode(colon + 1, (size_t)(at - colon - 1), 0)))
			goto oom;
		if (!*u->user) {
			free(u->user);
			u->user = NULL;
		}
	}
	if (!(u->hostport = strndup(hp, (size_t)(end - hp))))
		goto oom;
	for (i = 0; u->hostport[i]; i++)
		if (u->hostport[i] >= 'A' && u->hostport[i] <= 'Z')
			u->hostport[i] = (char)(u->hostport[i] - 'A' + 'a');
	if (u->hostport[0] == '[') {
		const char *rb = strchr(u->hostport, ']');
		n = rb ? (size_t)(rb - u->hostport) + 1 : strlen(u->hostport);
	} else {
		n = strcspn(u->hostport, ":");
	}
	if (!(u->host = strndup(u->hostport, n)))
		goto oom;
	p = end;
	n = strcspn(p, "?#");
	if (!(u->path = strndup(p, n)))
		goto oom;
	p += n;
	if (*p == '?') {
		p++;
		n = strcspn(p, "#");
		if (!(u->query = strndup(p, n)))
			goto oom;
	}
	if (url_build_display(u) < 0)
		goto oom;
	return 0;
oom:
	url_release(u);
	return gitops_err_oom(err);
}

/* RFC 3986 5.2.4: remove "." and ".." segments from an absolute path, into b. */
static int remove_dots(struct gitops_buf *b, const char *path)
{
	const char *p = path;

	b->len = 0;
	while (*p) {
		const char *seg = p;
		size_t n;
		if (*seg == '/')
			seg++;
		n = strcspn(seg, "/");
		if (n == 1 && seg[0] == '.') {
			p = seg + n;
			if (!*p && gitops_buf_addstr(b, "/") < 0)
				return -1;
			continue;
		}
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (b->len && b->data[b->len - 1] != '/')
				b->len--;
			if (b->len)
				b->len--;
			p = seg + n;
			if (!*p && gitops_buf_addstr(b, "/") < 0)
				return -1;
			continue;
		}
		if (gitops_buf_addstr(b, "/") < 0 || gitops_buf_add(b, seg, n) < 0)
			return -1;
		p = seg + n;
	}
	if (gitops_buf_add(b, "", 0) < 0)
		return -1;
	if (b->data)
		b->data[b->len] = '\0';
	return 0;
}

/* RFC 3986 resolution of ref against the absolute base (parsed into *out). helm: the base's query replaces ref's. */
static int url_resolve(struct url *out, const struct url *base, const char *ref, int helm, struct gitops_err *err)
{
	struct gitops_buf path = GITOPS_BUF_INIT, merged = GITOPS_BUF_INIT;
	const char *p;
	size_t n;
	int rc = -1;

	for (p = ref; (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (p > ref && ((*p >= '0' && *p <= '9') ||
										     *p == '+' || *p == '-' || *p == '.'));
	     p++)
		;
	if (p > ref && *p == ':') { /* absolute */
		if (url_parse(out, ref, err) < 0)
			return -1;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	if (ref[0] == '/' && ref[1] == '/') {
		struct gitops_buf abs = GITOPS_BUF_INIT;
		if (gitops_buf_printf(&abs, "%s:%s", base->scheme, ref) < 0)
			return gitops_err_oom(err);
		rc = url_parse(out, abs.data, err);
		gitops_buf_release(&abs);
		return rc;
	}
	if (!(out->scheme = strdup(base->scheme)) || !(out->host = strdup(base->host)) ||
	    !(out->hostport = strdup(base->hostport)))
		goto oom;
	n = strcspn(ref, "?#");
	if (n == 0) {
		if (gitops_buf_addstr(&merged, *base->path ? base->path : "/") < 0)
			goto oom;
	} else if (ref[0] == '/') {
		if (gitops_buf_add(&merged, ref, n) < 0)
			goto oom;
	} else {
		const char *bp = *base->path ? base->path : "/";
		const char *slash = strrchr(bp, '/');
		if (gitops_buf_add(&merged, bp, (size_t)(slash - bp) + 1) < 0 || gitops_buf_add(&merged, ref, n) < 0)
			goto oom;
	}
	if (gitops_buf_add(&merged, "", 0) < 0 || !merged.data)
		goto oom;
	merged.data[merged.len] = '\0';
	if (remove_dots(&path, merged.data) < 0)
		goto oom;
	out->path = gitops_buf_detach(&path);
	if (!out->path && !(out->path = strdup("/")))
		goto oom;
	if (helm) {
		if (base->query && !(out->query = strdup(base->query)))
			goto oom;
	} else if (ref[n] == '?') {
		if (!(out->query = strndup(ref + n + 1, strcspn(ref + n + 1, "#"))))
			goto oom;
	} else if (n == 0 && base->query && !(out->query = strdup(base->query))) {
		goto oom;
	}
	if (url_build_display(out) < 0)
		goto oom;
	rc = 0;
	goto done;
oom:
	url_release(out);
	rc = gitops_err_oom(err);
done:
	gitops_buf_release(&path);
	gitops_buf_release(&merged);
	return rc;
}

/* Helm's ResolveReferenceURL: the repository's path with a '/' after it, its query kept. */
static int helm_resolve(struct url *out, const struct url *repo, const char *ref, struct gitops_err *err)
{
	struct url base = *repo;
	struct gitops_buf p = GITOPS_BUF_INIT;
	int rc;

	if (gitops_buf_addstr(&p, repo->path) < 0)
		return gitops_err_oom(err);
	while (p.len && p.data[p.len - 1] == '/')
		p.len--;
	if (gitops_buf_addstr(&p, "/") < 0)
		return gitops_err_oom(err);
	base.path = p.data;
	rc = url_resolve(out, &base, ref, 1, err);
	gitops_buf_release(&p);
	return rc;
}

int gitops_chart_url_resolve(char **out, const char *base, const char *ref, struct gitops_err *err)
{
	struct url b, r;
	int rc;

	*out = NULL;
	if (url_parse(&b, base, err) < 0)
		return -1;
	rc = helm_resolve(&r, &b, ref, err);
	url_release(&b);
	if (rc < 0)
		return -1;
	*out = r.display;
	r.display = NULL;
	url_release(&r);
	return 0;
}

/* --- the chart's cache entry --- */

struct gitops_chart {
	const struct gitops_chart_options *o;
	struct gitops_git_cache_options cache;
	struct url repo;
	char *name;
	char *base;             /* CACHE/charts */
	char *dir;              /* CACHE/charts/KEY */
	int lock_fd;
	struct gitops_http *http;
	size_t requests;
	char *used[USED_MAX];   /* VDIR names used by this run */
	size_t n_used;
};

const char *gitops_chart_repository(const struct gitops_chart *c)
{
	return c->repo.display;
}

size_t gitops_chart_requests(const struct gitops_chart *c)
{
	return c->requests;
}

void gitops_chart_version_release(struct gitops_chart_version *v)
{
	if (!v)
		return;
	free(v->repository);
	free(v->chart);
	free(v->version);
	free(v->digest);
	free(v->url);
	memset(v, 0, sizeof(*v));
}

void gitops_chart_auth_from_env(struct gitops_chart_options *o)
{
	const char *v;

	if ((v = getenv("GITOPS_HELM_USERNAME")) && *v)
		o->username = v;
	if ((v = getenv("GITOPS_HELM_PASSWORD")) && *v)
		o->password = v;
	if ((v = getenv("GITOPS_HELM_TOKEN")) && *v)
		o->token = v;
}

static void notice(struct gitops_chart *c, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static void notice(struct gitops_chart *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!c->cache.notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->cache.notice(c->cache.ctx, msg);
}

static void progress(struct gitops_chart *c, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static void progress(struct gitops_chart *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!c->cache.progress)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->cache.progress(c->cache.ctx, msg);
}

/* [A-Za-z0-9._-] kept, the rest '_', at most max bytes */
static void sanitize(char *out, size_t size, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && i < max && i + 1 < size; i++) {
		char ch = s[i];
		out[i] = ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
			  ch == '_' || ch == '-') ? ch : '_';
	}
	out[i] = '\0';
	if (out[0] == '.')
		out[0] = '_';
}

static void lock_waiting(void *ctx)
{
	struct gitops_chart *c = ctx;

	notice(c, "waiting for the lock on the cache of chart %s of %s (another run is using it; giving up after %u s)",
	       c->name, c->repo.display, c->cache.lock_timeout);
}

static int take_lock(struct gitops_chart *c, struct gitops_err *err)
{
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s.lock", c->dir);
	rc = gitops_fs_lock_wait(&c->lock_fd, path, c->cache.lock_timeout, lock_waiting, c, err);
	if (rc > 0)
		return gitops_err_set(err, GITOPS_EXIT_IO, "%s: chart %s: still locked by another run after %u s (%s)",
				      c->repo.display, c->name, c->cache.lock_timeout, path);
	return rc;
}

static int rm_chmod(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Remove a tree of ours (read-only directories made writable first). */
static void remove_tree(const char *path)
{
	nftw(path, rm_chmod, 16, FTW_PHYS);
	nftw(path, rm_entry, 16, FTW_PHYS | FTW_DEPTH);
}

/* What killed runs left: ".tmp-*" entries of the chart's directory (we hold its lock). */
static void clean_tmp(struct gitops_chart *c)
{
	DIR *d = opendir(c->dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, ".tmp-", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", c->dir, de->d_name);
		remove_tree(path);
	}
	closedir(d);
}

int gitops_chart_open(struct gitops_chart **out, const char *repo_url, const char *chart,
		      const struct gitops_chart_options *o, struct gitops_err *err)
{
	static const struct gitops_chart_options def = GITOPS_CHART_OPTIONS_INIT;
	struct gitops_git_cache_options cdef = GITOPS_GIT_CACHE_OPTIONS_INIT;
	struct gitops_chart *c;
	struct gitops_buf key = GITOPS_BUF_INIT, path = GITOPS_BUF_INIT;
	char hex[2 * GITOPS_SHA256_LEN + 1], safe[80];
	size_t i;

	*out = NULL;
	if (!chart || !*chart || strchr(chart, '/') || !strcmp(chart, ".") || !strcmp(chart, ".."))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "'%s' is no chart name", chart ? chart : "");
	for (i = 0; chart[i]; i++)
		if ((unsigned char)chart[i] < ' ' || chart[i] == '\\')
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "a chart name holds a control character or '\\'");
	if (!(c = calloc(1, sizeof(*c))))
		return gitops_err_oom(err);
	c->lock_fd = -1;
	c->o = o ? o : &def;
	c->cache = c->o->cache ? *c->o->cache : cdef;
	if (url_parse(&c->repo, repo_url, err) < 0) {
		gitops_err_set(err, GITOPS_EXIT_USAGE, "not a chart repository URL (https://, http:// or oci://)");
		goto fail;
	}
	if (strcmp(c->repo.scheme, "https") && strcmp(c->repo.scheme, "http") && strcmp(c->repo.scheme, "oci")) {
		gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: not a chart repository URL (https://, http:// or oci://)",
			       c->repo.display);
		goto fail;
	}
	if (!(c->name = strdup(chart)))
		goto oom;
	if (gitops_fs_cache_root(&c->base, c->cache.cache_dir, err) < 0)
		goto fail;
	if (gitops_buf_printf(&path, "%s/charts", c->base) < 0)
		goto oom;
	free(c->base);
	c->base = gitops_buf_detach(&path);
	if (!c->base)
		goto oom;
	if (gitops_buf_printf(&key, "%s", c->repo.display) < 0 || gitops_buf_add(&key, "", 1) < 0 ||
	    gitops_buf_addstr(&key, chart) < 0)
		goto oom;
	gitops_sha256_hex(hex, key.data, key.len);
	sanitize(safe, sizeof(safe), chart, 64);
	if (gitops_buf_printf(&path, "%s/%s-%.16s", c->base, safe, hex) < 0)
		goto oom;
	c->dir = gitops_buf_detach(&path);
	if (!c->dir)
		goto oom;
	if (gitops_fs_mkdir_p(c->base, err) < 0 || take_lock(c, err) < 0 || gitops_fs_mkdir_p(c->dir, err) < 0)
		goto fail;
	clean_tmp(c);
	gitops_buf_release(&key);
	*out = c;
	return 0;
oom:
	gitops_err_oom(err);
fail:
	gitops_buf_release(&key);
	gitops_buf_release(&path);
	gitops_chart_close(c);
	return -1;
}

void gitops_chart_close(struct gitops_chart *c)
{
	size_t i;

	if (!c)
		return;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	gitops_http_free(c->http);
	url_release(&c->repo);
	free(c->name);
	free(c->base);
	free(c->dir);
	for (i = 0; i < c->n_used; i++)
		free(c->used[i]);
	free(c);
}

/* --- HTTP --- */

static void accept_any(struct gitops_http_request *q)
{
	(void)q;
}

static const char *status_text(long s)
{
	switch (s) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 410: return "Gone";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/*
 * GET u, following redirects, with the credentials its origin gets; the body into *body.
 * `what` names the thing in messages ("index.yaml", "package").
 */
static int http_get(struct gitops_chart *c, const struct url *start, size_t max, struct gitops_buf *body,
		    const char *what, struct gitops_err *err)
{
	struct url cur = { 0 }, next;
	int hops, rc = -1;

	if (!c->http) {
		struct gitops_http_options ho = GITOPS_HTTP_OPTIONS_INIT;
		ho.parallel = 1;
		ho.initial = 1;
		ho.retries = 2;
		ho.timeout_ms = c->o->timeout_ms > 0 ? c->o->timeout_ms : 30000;
		ho.connect_timeout_ms = ho.timeout_ms < 10000 ? ho.timeout_ms : 10000;
		ho.ca_file = c->o->ca_file;
		ho.env_proxy = 1; /* as helm: the *_proxy variables */
		ho.user_agent = "gitops-fetch/" GITOPS_VERSION;
		if (gitops_http_new(&c->http, &ho, err) < 0)
			return -1;
	}
	if (url_parse(&cur, start->display, err) < 0)
		return -1;
	/* the URL's own credentials (an absolute URL of the index may carry some) */
	if (start->user && !(cur.user = strdup(start->user)))
		goto oom;
	if (start->pass && !(cur.pass = strdup(start->pass)))
		goto oom;
	for (hops = 0;; hops++) {
		struct gitops_http_request q;
		struct gitops_http_hooks hooks = { NULL, NULL, accept_any };
		const char *user = NULL, *pass = NULL, *hdr[2] = { NULL, NULL }, *from = "no credentials";
		char *nu = NULL, *np = NULL, *bearer = NULL, *loc;
		int same = !strcmp(cur.scheme, c->repo.scheme) && !strcmp(cur.hostport, c->repo.hostport);
		long status;

		if (cur.user && cur.pass) {
			user = cur.user, pass = cur.pass, from = "the URL's user and password";
		} else if (same && c->repo.user && c->repo.pass) {
			user = c->repo.user, pass = c->repo.pass, from = "the repository URL's user and password";
		} else if (same && c->o->username && c->o->password) {
			user = c->o->username, pass = c->o->password, from = "the user name and password given "
									  "(GITOPS_HELM_USERNAME, GITOPS_HELM_PASSWORD)";
		} else if (same && c->o->token) {
			size_t n = strlen(c->o->token) + 32;
			if (!(bearer = malloc(n)))
				goto oom;
			snprintf(bearer, n, "Authorization: Bearer %s", c->o->token);
			hdr[0] = bearer;
			from = "the token given (GITOPS_HELM_TOKEN)";
		} else if (c->o->netrc_file) {
			char host[256];
			snprintf(host, sizeof(host), "%s", cur.host);
			if (gitops_git_netrc_lookup(c->o->netrc_file, host, &nu, &np, err) < 0)
				goto done;
			if (nu && np)
				user = nu, pass = np, from = "the netrc file's entry for the host";
		}
		memset(&q, 0, sizeof(q));
		q.url = cur.display;
		q.username = user;
		q.password = pass;
		q.headers = hdr[0] ? hdr : NULL;
		q.response_max = max;
		c->requests++;
		gitops_http_do(c->http, &q, &hooks, NULL);
		if (bearer) {
			OPENSSL_cleanse(bearer, strlen(bearer));
			free(bearer);
		}
		if (np)
			OPENSSL_cleanse(np, strlen(np));
		free(nu);
		free(np);
		status = q.status;
		if (q.failed) {
			if (q.too_big)
				gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: %s is larger than %zu bytes: refused", cur.display,
					       what, max);
			else
				*err = q.err;
			gitops_http_request_release(&q);
			goto done;
		}
		if (status == 200) {
			gitops_buf_release(body);
			*body = q.response;
			memset(&q.response, 0, sizeof(q.response));
			gitops_http_request_release(&q);
			break;
		}
		if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
			loc = gitops_http_header(&q, "Location");
			gitops_http_request_release(&q);
			if (!loc) {
				gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: %s: redirect (%ld) without a Location", cur.display,
					       what, status);
				goto done;
			}
			if (hops >= REDIRECTS_MAX) {
				free(loc);
				gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: %s: more than %d redirects", start->display, what,
					       REDIRECTS_MAX);
				goto done;
			}
			rc = url_resolve(&next, &cur, loc, 0, err);
			free(loc);
			if (rc < 0)
				goto done;
			rc = -1;
			if (strcmp(next.scheme, "https") && strcmp(next.scheme, "http")) {
				gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: %s: redirected to a %s:// URL", cur.display, what,
					       next.scheme);
				url_release(&next);
				goto done;
			}
			/* a redirect's own credentials are not ours to send anywhere else */
			if (next.user || next.pass) {
				free(next.user);
				if (next.pass)
					OPENSSL_cleanse(next.pass, strlen(next.pass));
				free(next.pass);
				next.user = next.pass = NULL;
			}
			if (!strcmp(next.hostport, cur.hostport) && !strcmp(next.scheme, cur.scheme)) {
				next.user = cur.user, next.pass = cur.pass;
				cur.user = cur.pass = NULL;
			}
			url_release(&cur);
			cur = next;
			continue;
		}
		gitops_http_request_release(&q);
		if (status == 401 || status == 403)
			gitops_err_set(err, GITOPS_EXIT_AUTH, "%s: %s: %ld %s (credentials: %s)", cur.display, what, status,
				       status_text(status), from);
		else
			gitops_err_set(err, status >= 500 ? GITOPS_EXIT_UNREACHABLE : GITOPS_EXIT_REJECTED, "%s: %s: %ld %s",
				       cur.display, what, status, status_text(status));
		goto done;
	}
	rc = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	url_release(&cur);
	return rc;
}

/* --- the index --- */

/* The entry's version as text (a number written unquoted: its text), or NULL. */
static const char *entry_version(const cJSON *e, char *buf, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "version");

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v))
		return gitops_value_format_number(buf, size, v);
	return NULL;
}

static int is_digest_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (gitops_hex_value(s[i]) < 0)
			return 0;
	return s[64] == '\0';
}

/* "sha256:HEX" or HEX (the index's form) into lowercase "sha256:HEX" in out[72]; -1 when it is neither. */
static int digest_norm(char out[72], const char *s)
{
	size_t i;

	if (!strncmp(s, "sha256:", 7))
		s += 7;
	if (!is_digest_hex(s))
		return -1;
	memcpy(out, "sha256:", 7);
	for (i = 0; i < 64; i++)
		out[7 + i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
	out[71] = '\0';
	return 0;
}

static int set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
	return s && !*dst ? -1 : 0;
}

/* From the cache: a package unpacked whose version is exactly `range`. 1 found, 0 not. */
static int cached_exact(struct gitops_chart *c, const char *range, struct gitops_chart_version *out,
			struct gitops_err *err)
{
	DIR *d;
	struct dirent *de;
	int found = 0;

	if (!range || !*range)
		return 0;
	if (!(d = opendir(c->dir)))
		return 0;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char path[PATH_MAX], vdir[PATH_MAX], dg[72];
		struct gitops_buf b = GITOPS_BUF_INIT;
		struct gitops_err e2 = GITOPS_ERR_INIT;
		struct stat st;
		cJSON *m;
		const char *v, *g;

		if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", c->dir, de->d_name);
		snprintf(vdir, sizeof(vdir), "%s/%.*s", c->dir, (int)(n - 5), de->d_name);
		if (gitops_buf_read_file(&b, path, META_MAX, &e2) < 0)
			continue;
		m = gitops_json_read(b.data ? b.data : "", b.len);
		gitops_buf_release(&b);
		v = gitops_json_get_string(m, "version", NULL);
		g = gitops_json_get_string(m, "digest", NULL);
		if (v && g && !strcmp(v, range) && digest_norm(dg, g) == 0 && stat(vdir, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (set_str(&out->repository, c->repo.display) < 0 || set_str(&out->chart, c->name) < 0 ||
			    set_str(&out->version, v) < 0 || set_str(&out->digest, dg) < 0) {
				cJSON_Delete(m);
				closedir(d);
				return gitops_err_oom(err);
			}
			out->cached = 1;
			found = 1;
		}
		cJSON_Delete(m);
	}
	closedir(d);
	return found;
}

int gitops_chart_find_cached(struct gitops_chart *c, const char *range, struct gitops_chart_version *out,
			     struct gitops_err *err)
{
	memset(out, 0, sizeof(*out));
	return cached_exact(c, range, out, err);
}

const char *gitops_chart_choose(char *const *versions, size_t n, const char *range, int *bad, struct gitops_err *err)
{
	struct gitops_semver_range *rg = NULL;
	struct gitops_semver best, v;
	const char *chosen = NULL;
	char buf[GITOPS_SEMVER_PART_MAX * 3];
	size_t i;

	*bad = 0;
	if (range && !*range)
		range = NULL;
	for (i = 0; range && i < n; i++)
		if (!strcmp(versions[i], range))
			return versions[i];
	if (gitops_semver_range_parse(range ? range : "*", &rg, err) < 0) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		char *u;
		snprintf(buf, sizeof(buf), "%s", versions[i]);
		for (u = buf; (u = strchr(u, '_')); u++)
			*u = '+';
		if (gitops_semver_parse(buf, &v) < 0 || !gitops_semver_range_match_each(rg, &v))
			continue;
		if (!chosen || gitops_semver_compare(&v, &best) > 0 ||
		    (gitops_semver_compare(&v, &best) == 0 && strcmp(versions[i], chosen) > 0)) {
			chosen = versions[i];
			best = v;
		}
	}
	gitops_semver_range_free(rg);
	return chosen;
}

int gitops_chart_resolve(struct gitops_chart *c, const char *range, struct gitops_chart_version *out,
			 struct gitops_err *err)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_semver_range *rg = NULL;
	struct gitops_buf body = GITOPS_BUF_INIT;
	struct url idx = { 0 }, pkg = { 0 };
	size_t max = c->o->index_max ? c->o->index_max : GITOPS_CHART_INDEX_MAX, nversions = 0;
	cJSON *index = NULL;
	const cJSON *entries, *list, *e, *best = NULL, *exact = NULL, *chosen, *urls, *dg;
	struct gitops_semver bestv;
	char nb[64], digest[72];
	const char *ver;
	int rc = -1, r;

	memset(out, 0, sizeof(*out));
	if (range && !*range)
		range = NULL;
	if ((r = cached_exact(c, range, out, err)) != 0)
		return r < 0 ? -1 : 0;
	if (strcmp(c->repo.scheme, "http") && strcmp(c->repo.scheme, "https"))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: no index.yaml to read (an oci:// repository)",
				      c->repo.display);
	if (gitops_semver_range_parse(range ? range : "*", &rg, err) < 0)
		return -1;
	if (helm_resolve(&idx, &c->repo, "index.yaml", err) < 0)
		goto done;
	if (http_get(c, &idx, max, &body, "index.yaml", err) < 0)
		goto done;
	if (body.len > max) {
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: index.yaml is larger than %zu bytes: refused", idx.display, max);
		goto done;
	}
	lim.max_document_bytes = max;
	lim.max_stream_bytes = max;
	if (gitops_yaml_parse_one(&index, body.data ? body.data : "", body.len, idx.display, &lim, err) < 0)
		goto done;
	if (!cJSON_IsObject(index)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a chart repository index (a mapping with entries)",
			       idx.display);
		goto done;
	}
	if (!gitops_json_get_string(index, "apiVersion", NULL)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a chart repository index: no apiVersion", idx.display);
		goto done;
	}
	entries = cJSON_GetObjectItemCaseSensitive(index, "entries");
	if (entries && !cJSON_IsNull(entries) && !cJSON_IsObject(entries)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: entries is not a mapping", idx.display);
		goto done;
	}
	list = entries ? cJSON_GetObjectItemCaseSensitive(entries, c->name) : NULL;
	if (!list || !cJSON_IsArray(list) || !cJSON_GetArraySize(list)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "chart '%s' is not in the index of %s", c->name, c->repo.display);
		goto done;
	}
	cJSON_ArrayForEach(e, list) {
		struct gitops_semver v;
		if (!cJSON_IsObject(e) || !(ver = entry_version(e, nb, sizeof(nb))) || gitops_semver_parse(ver, &v) < 0)
			continue; /* helm drops entries without a valid version */
		nversions++;
		if (range && !exact && !strcmp(ver, range))
			exact = e;
		if (gitops_semver_range_match_each(rg, &v) && (!best || gitops_semver_compare(&v, &bestv) > 0)) {
			best = e;
			bestv = v;
		}
	}
	chosen = exact ? exact : best;
	if (!chosen) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "no version of chart '%s' in %s matches '%s' (%zu versions)", c->name,
			       c->repo.display, range ? range : "*", nversions);
		goto done;
	}
	ver = entry_version(chosen, nb, sizeof(nb));
	urls = cJSON_GetObjectItemCaseSensitive(chosen, "urls");
	dg = cJSON_GetObjectItemCaseSensitive(chosen, "digest");
	if (!cJSON_IsArray(urls) || !cJSON_IsString(cJSON_GetArrayItem(urls, 0)) ||
	    !*cJSON_GetArrayItem(urls, 0)->valuestring) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: chart '%s' version %s has no URL", idx.display, c->name, ver);
		goto done;
	}
	if (!cJSON_IsString(dg) || digest_norm(digest, dg->valuestring) < 0) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: chart '%s' version %s has no sha256 digest to check the "
			       "package against: refused", idx.display, c->name, ver);
		goto done;
	}
	if (helm_resolve(&pkg, &c->repo, cJSON_GetArrayItem(urls, 0)->valuestring, err) < 0) {
		gitops_err_prefix(err, "%s: chart '%s' version %s: its URL", idx.display, c->name, ver);
		goto done;
	}
	if (strcmp(pkg.scheme, "http") && strcmp(pkg.scheme, "https")) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: chart '%s' version %s: a %s:// URL", idx.display, c->name, ver,
			       pkg.scheme);
		goto done;
	}
	if (set_str(&out->repository, c->repo.display) < 0 || set_str(&out->chart, c->name) < 0 ||
	    set_str(&out->version, ver) < 0 || set_str(&out->digest, digest) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	/* kept without credentials: a package URL of the index that holds some gets the repository's rules */
	if (set_str(&out->url, pkg.display) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	progress(c, "%s: chart %s: %zu versions in the index; %s chosen for '%s'", c->repo.display, c->name, nversions,
		 ver, range ? range : "*");
	rc = 0;
done:
	if (rc < 0)
		gitops_chart_version_release(out);
	gitops_semver_range_free(rg);
	gitops_buf_release(&body);
	cJSON_Delete(index);
	url_release(&idx);
	url_release(&pkg);
	return rc;
}

/* --- unpacking --- */

static void vdir_name(char *out, size_t size, const char *version, const char *digest)
{
	char safe[80];

	sanitize(safe, sizeof(safe), version, 64);
	snprintf(out, size, "%s-%.16s", safe, digest + 7);
}

static int mark_used(struct gitops_chart *c, const char *vdir, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < c->n_used; i++)
		if (!strcmp(c->used[i], vdir))
			return 0;
	if (c->n_used == USED_MAX)
		return 0;
	if (!(c->used[c->n_used] = strdup(vdir)))
		return gitops_err_oom(err);
	c->n_used++;
	return 0;
}

static int result(struct gitops_chart *c, const char *vdir, char **root, char **dir, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char meta[PATH_MAX];

	snprintf(meta, sizeof(meta), "%s/%s.json", c->dir, vdir);
	utimensat(AT_FDCWD, meta, NULL, 0); /* when it was last used, for the GC */
	if (mark_used(c, vdir, err) < 0)
		return -1;
	if (gitops_buf_printf(&b, "%s/%s", c->dir, vdir) < 0 || !(*root = gitops_buf_detach(&b)))
		return gitops_err_oom(err);
	if (gitops_buf_printf(&b, "%s/%s", *root, c->name) < 0 || !(*dir = gitops_buf_detach(&b))) {
		free(*root);
		*root = NULL;
		return gitops_err_oom(err);
	}
	return 0;
}

/* The package VDIR holds, by its record: 1 when it is there with this digest. */
static int have_unpacked(struct gitops_chart *c, const char *vdir, const char *digest)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err e2 = GITOPS_ERR_INIT;
	char path[PATH_MAX], dg[72];
	struct stat st;
	const char *g;
	cJSON *m;
	int ok;

	snprintf(path, sizeof(path), "%s/%s.json", c->dir, vdir);
	if (gitops_buf_read_file(&b, path, META_MAX, &e2) < 0)
		return 0;
	m = gitops_json_read(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	g = gitops_json_get_string(m, "digest", NULL);
	ok = g && digest_norm(dg, g) == 0 && !strcmp(dg, digest);
	cJSON_Delete(m);
	snprintf(path, sizeof(path), "%s/%s/%s", c->dir, vdir, c->name);
	return ok && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int write_file(const char *path, const void *data, size_t len, struct gitops_err *err)
{
	int fd;
	const unsigned char *p = data;

	unlink(path); /* a name the archive holds twice: the last one wins, as helm's Expand writes */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return gitops_err_errno(err, errno, path);
	while (len) {
		ssize_t k = write(fd, p, len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			gitops_err_errno(err, errno, path);
			close(fd);
			return -1;
		}
		p += k;
		len -= (size_t)k;
	}
	if (close(fd) < 0)
		return gitops_err_errno(err, errno, path);
	return 0;
}

static int ro_dir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		chmod(path, 0555);
	return 0;
}

int gitops_chart_store(struct gitops_chart *c, const char *version, const char *digest, const void *tgz, size_t len,
		       char **root, char **dir, struct gitops_err *err)
{
	struct gitops_helm_files files = GITOPS_HELM_FILES_INIT;
	struct gitops_buf path = GITOPS_BUF_INIT, meta = GITOPS_BUF_INIT;
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	char want[72], got[2 * GITOPS_SHA256_LEN + 1], vdir[128], tmp[PATH_MAX], final[PATH_MAX], what[PATH_MAX];
	cJSON *chart_yaml = NULL, *m = NULL;
	char *json = NULL;
	size_t i, total = 0;
	int rc = -1, tmp_made = 0;
	const char *cname;

	*root = *dir = NULL;
	if (!digest || digest_norm(want, digest) < 0)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart '%s' version %s: '%s' is not a sha256 digest", c->name,
				      version, digest ? digest : "");
	gitops_sha256_hex(got, tgz, len);
	if (strcmp(got, want + 7) != 0)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart '%s' version %s: the package's digest is sha256:%s, "
				      "not %s as the repository says: refused", c->name, version, got, want);
	snprintf(what, sizeof(what), "%s-%s.tgz", c->name, version);
	if (gitops_helm_files_from_archive(&files, tgz, len, what, err) < 0) {
		gitops_err_prefix(err, "chart '%s' version %s", c->name, version);
		goto done;
	}
	for (i = 0; i < files.n; i++) {
		total += files.v[i].len;
		if (!strcmp(files.v[i].name, "Chart.yaml") &&
		    gitops_yaml_parse_one(&chart_yaml, files.v[i].data, files.v[i].len, "Chart.yaml", &lim, err) < 0) {
			gitops_err_prefix(err, "chart '%s' version %s", c->name, version);
			goto done;
		}
	}
	if (files.n > c->cache.max_files || total > c->cache.max_bytes) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "chart '%s' version %s: %zu files, %zu bytes: more than the limits "
			       "(%zu files, %zu bytes)", c->name, version, files.n, total, c->cache.max_files,
			       c->cache.max_bytes);
		goto done;
	}
	cname = gitops_json_get_string(chart_yaml, "name", NULL);
	if (!cname) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "chart '%s' version %s: the package has no Chart.yaml with a name",
			       c->name, version);
		goto done;
	}
	if (strcmp(cname, c->name)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "chart '%s' version %s: the package's Chart.yaml names chart '%s'",
			       c->name, version, cname);
		goto done;
	}
	vdir_name(vdir, sizeof(vdir), version, want);
	if (have_unpacked(c, vdir, want)) {
		rc = result(c, vdir, root, dir, err);
		goto done;
	}
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s-%ld-XXXXXX", c->dir, vdir, (long)getpid());
	if (!mkdtemp(tmp)) {
		gitops_err_errno(err, errno, tmp);
		goto done;
	}
	tmp_made = 1;
	for (i = 0; i < files.n; i++) {
		char *slash;
		path.len = 0;
		if (gitops_buf_printf(&path, "%s/%s/%s", tmp, c->name, files.v[i].name) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		slash = strrchr(path.data, '/');
		*slash = '\0';
		if (gitops_fs_mkdir_p(path.data, err) < 0)
			goto done;
		*slash = '/';
		if (write_file(path.data, files.v[i].data, files.v[i].len, err) < 0)
			goto done;
	}
	nftw(tmp, ro_dir, 16, FTW_PHYS | FTW_DEPTH);
	snprintf(final, sizeof(final), "%s/%s", c->dir, vdir);
	{
		struct stat st;
		if (lstat(final, &st) == 0) { /* a half-recorded or different package of that name: ours to replace */
			char old[PATH_MAX];
			snprintf(old, sizeof(old), "%s/.tmp-old-%s-%ld", c->dir, vdir, (long)getpid());
			if (rename(final, old) < 0) {
				gitops_err_errno(err, errno, final);
				goto done;
			}
			remove_tree(old);
		}
	}
	if (rename(tmp, final) < 0) {
		gitops_err_errno(err, errno, final);
		goto done;
	}
	tmp_made = 0;
	m = cJSON_CreateObject();
	if (!m || !cJSON_AddStringToObject(m, "repository", c->repo.display) || !cJSON_AddStringToObject(m, "chart", c->name)
	    || !cJSON_AddStringToObject(m, "version", version) || !cJSON_AddStringToObject(m, "digest", want) ||
	    gitops_json_print(&json, m, GITOPS_JSON_INDENT, NULL) || gitops_buf_printf(&meta, "%s\n", json) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	path.len = 0;
	if (gitops_buf_printf(&path, "%s/%s.json", c->dir, vdir) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (gitops_fs_write_atomic(path.data, meta.data, meta.len, 0644, err) < 0)
		goto done;
	progress(c, "%s: chart %s %s: %zu files unpacked", c->repo.display, c->name, version, files.n);
	rc = result(c, vdir, root, dir, err);
done:
	if (tmp_made)
		remove_tree(tmp);
	gitops_helm_files_release(&files);
	gitops_buf_release(&path);
	gitops_buf_release(&meta);
	cJSON_Delete(chart_yaml);
	cJSON_Delete(m);
	free(json);
	return rc;
}

int gitops_chart_unpack(struct gitops_chart *c, const struct gitops_chart_version *v, char **root, char **dir,
			struct gitops_err *err)
{
	struct gitops_buf body = GITOPS_BUF_INIT;
	struct url pkg = { 0 };
	char want[72], vdir[128];
	int rc = -1;

	*root = *dir = NULL;
	if (!v->version || !v->digest || digest_norm(want, v->digest) < 0)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart '%s': no version or digest to unpack", c->name);
	vdir_name(vdir, sizeof(vdir), v->version, want);
	if (have_unpacked(c, vdir, want)) {
		progress(c, "%s: chart %s %s: in the cache", c->repo.display, c->name, v->version);
		return result(c, vdir, root, dir, err);
	}
	if (!v->url)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart '%s' version %s: not in the cache, and no URL to "
				      "download it from", c->name, v->version);
	if (url_parse(&pkg, v->url, err) < 0)
		return -1;
	if (http_get(c, &pkg, GITOPS_HELM_CHART_MAX, &body, "package", err) < 0)
		goto done;
	rc = gitops_chart_store(c, v->version, want, body.data ? body.data : "", body.len, root, dir, err);
	if (rc < 0 && err->code == GITOPS_EXIT_INPUT)
		gitops_err_prefix(err, "%s", pkg.display);
done:
	gitops_buf_release(&body);
	url_release(&pkg);
	return rc;
}

/* --- GC --- */

struct kept {
	char name[256];
	struct timespec used;
};

static int kept_cmp(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;

	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? 1 : -1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? 1 : -1;
	return strcmp(x->name, y->name);
}

int gitops_chart_gc(struct gitops_chart *c, struct gitops_err *err)
{
	DIR *d = opendir(c->dir);
	struct dirent *de;
	struct kept *v = NULL;
	size_t n = 0, cap = 0, i, j, kept = 0;

	if (!d)
		return gitops_err_errno(err, errno, c->dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char path[PATH_MAX];
		struct stat st;
		if (de->d_name[0] == '.' || len < 6 || len - 5 >= sizeof(v->name) || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", c->dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (n == cap) {
			struct kept *t = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
			if (!t) {
				free(v);
				closedir(d);
				return gitops_err_oom(err);
			}
			v = t;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%.*s", (int)(len - 5), de->d_name);
		v[n].used = st.st_mtim;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), kept_cmp);
	for (i = 0; i < n; i++) {
		char path[PATH_MAX], meta[PATH_MAX], away[PATH_MAX];
		int used = 0, fd;
		for (j = 0; j < c->n_used; j++)
			if (!strcmp(c->used[j], v[i].name))
				used = 1;
		if (used || kept < c->cache.keep) {
			kept++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", c->dir, v[i].name);
		snprintf(meta, sizeof(meta), "%s/%s.json", c->dir, v[i].name);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd); /* a reader holds it */
			continue;
		}
		snprintf(away, sizeof(away), "%s/.tmp-gc-%s-%ld", c->dir, v[i].name, (long)getpid());
		unlink(meta);
		if (fd >= 0 && rename(path, away) == 0)
			remove_tree(away);
		if (fd >= 0)
			close(fd);
	}
	free(v);
	return 0;
}

int gitops_chart_pull(char **root, char **dir, struct gitops_chart_version *resolved, const char *repo_url,
		      const char *chart, const char *range, const struct gitops_chart_options *o,
		      struct gitops_err *err)
{
	struct gitops_chart *c = NULL;
	struct gitops_chart_version v;
	int rc = -1;

	memset(&v, 0, sizeof(v));
	*root = *dir = NULL;
	if (gitops_chart_open(&c, repo_url, chart, o, err) < 0 || gitops_chart_resolve(c, range, &v, err) < 0 ||
	    gitops_chart_unpack(c, &v, root, dir, err) < 0)
		goto done;
	if (gitops_chart_gc(c, err) < 0) {
		free(*root);
		free(*dir);
		*root = *dir = NULL;
		goto done;
	}
	rc = 0;
	if (resolved) {
		*resolved = v;
		memset(&v, 0, sizeof(v));
	}
done:
	gitops_chart_version_release(&v);
	gitops_chart_close(c);
	return rc;
}
