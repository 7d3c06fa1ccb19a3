#include "lib/net/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>

#include "lib/base/buf.h"
#include "lib/base/enc.h"
#include "lib/net/http.h"
#include "lib/base/image.h"
#include "lib/value/jsonio.h"

#define BODY_MAX (8u << 20)
#define PAGE_SIZE 100
#define MANIFEST_MAX (4u << 20)      /* as containerd and oras bound a manifest */
#define CHART_MAX_DEFAULT (64u << 20)
#define REDIRECTS_MAX 5

struct gitops_registry {
	struct gitops_registry_options o;
	char host[256];
	char repo[512];
	char base[300];         /* "https://host" */
	char *basic;            /* base64 "user:pass" from config.json, or NULL */
	char *auth;             /* the Authorization header in use, or NULL */
	struct gitops_http *http;
	struct gitops_http *blob_http; /* for chart layers: a larger answer, more time; made on first use */
	size_t requests;
};

struct response {
	long status;
	struct gitops_buf body;
	char *www_auth;
	char *link;
	char *digest;
	char *location;
	int attempts;
};

static void response_release(struct response *r)
{
	gitops_buf_release(&r->body);
	free(r->www_auth);
	free(r->link);
	free(r->digest);
	free(r->location);
	memset(r, 0, sizeof(*r));
}

void gitops_registry_free(struct gitops_registry *r)
{
	if (!r)
		return;
	gitops_http_free(r->http);
	gitops_http_free(r->blob_http);
	free(r->basic);
	free(r->auth);
	free(r);
}

void gitops_registry_tags_free(char **tags, size_t n)
{
	size_t i;

	for (i = 0; tags && i < n; i++)
		free(tags[i]);
	free(tags);
}

size_t gitops_registry_requests(const struct gitops_registry *r)
{
	return r->requests;
}

/* "https://host:5000/v1/" -> "host:5000" into buf */
static void config_host(const char *key, char *buf, size_t size)
{
	const char *p = strstr(key, "://");
	size_t n;

	p = p ? p + 3 : key;
	n = strcspn(p, "/");
	snprintf(buf, size, "%.*s", (int)n, p);
}

static int load_credentials(struct gitops_registry *r, struct gitops_err *err)
{
	struct gitops_buf file = GITOPS_BUF_INIT, dec = GITOPS_BUF_INIT;
	char path[4096];
	const char *cfg = r->o.config;
	cJSON *json = NULL;
	const cJSON *auths, *e;
	int error = -1, hub = !strcmp(r->host, "registry-1.docker.io");

	if (!cfg) {
		const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
		if (dir && *dir)
			snprintf(path, sizeof(path), "%s/config.json", dir);
		else if (home && *home)
			snprintf(path, sizeof(path), "%s/.docker/config.json", home);
		else
			return 0;
		if (access(path, F_OK) != 0)
			return 0;
		cfg = path;
	}
	if (gitops_buf_read_file(&file, cfg, 1u << 20, err) < 0)
		return -1;
	json = gitops_json_read(file.data ? file.data : "", file.len);
	if (!cJSON_IsObject(json)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a JSON object (a docker config.json)", cfg);
		goto done;
	}
	auths = cJSON_GetObjectItemCaseSensitive(json, "auths");
	cJSON_ArrayForEach(e, auths) {
		char h[256];
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "auth");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "username");
		const cJSON *pw = cJSON_GetObjectItemCaseSensitive(e, "password");
		config_host(e->string, h, sizeof(h));
		if (strcmp(h, r->host) && !(hub && (!strcmp(h, "index.docker.io") || !strcmp(h, "docker.io"))))
			continue;
		if (cJSON_IsString(a) && *a->valuestring) {
			dec.len = 0;
			if (gitops_base64_decode(&dec, a->valuestring) < 0 || !dec.data || !memchr(dec.data, ':', dec.len)) {
				gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: auths.%s.auth is not base64 of 'user:password'",
					       cfg, e->string);
				goto done;
			}
			if (!(r->basic = strdup(a->valuestring)))
				goto oom;
		} else if (cJSON_IsString(u) && cJSON_IsString(pw)) {
			size_t n = strlen(u->valuestring) + strlen(pw->valuestring) + 1;
			char *plain = malloc(n + 1), *b64 = NULL;
			int bad;
			if (!plain)
				goto oom;
			snprintf(plain, n + 1, "%s:%s", u->valuestring, pw->valuestring);
			bad = gitops_base64_encode(&b64, plain, n, 0) < 0;
			OPENSSL_cleanse(plain, n);
			free(plain);
			if (bad)
				goto oom;
			r->basic = b64;
		}
		break;
	}
	error = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	if (file.data)
		OPENSSL_cleanse(file.data, file.len);
	if (dec.data)
		OPENSSL_cleanse(dec.data, dec.len);
	gitops_buf_release(&file);
	gitops_buf_release(&dec);
	cJSON_Delete(json);
	return error;
}

int gitops_registry_open(struct gitops_registry **out, const char *name, const struct gitops_registry_options *o,
			 struct gitops_err *err)
{
	struct gitops_registry_options def = GITOPS_REGISTRY_OPTIONS_INIT;
	struct gitops_http_options ho = GITOPS_HTTP_OPTIONS_INIT;
	struct gitops_registry *r;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return gitops_err_oom(err);
	r->o = o ? *o : def;
	if (!strncmp(name, "oci://", 6))
		name += 6;
	if (!r->o.max_chart)
		r->o.max_chart = CHART_MAX_DEFAULT;
	if (gitops_image_registry(name, r->host, sizeof(r->host), r->repo, sizeof(r->repo)) < 0) {
		gitops_err_set(err, GITOPS_EXIT_USAGE, "image name '%s' is too long", name);
		goto fail;
	}
	snprintf(r->base, sizeof(r->base), "%s://%s", r->o.plain_http ? "http" : "https", r->host);
	if (load_credentials(r, err) < 0)
		goto fail;
	/* one request at a time, each with the retry policy of every client here */
	ho.parallel = 1;
	ho.timeout_ms = r->o.timeout * 1000;
	ho.connect_timeout_ms = (r->o.timeout < 10 ? r->o.timeout : 10) * 1000;
	ho.response_max = BODY_MAX;
	ho.user_agent = "gitops-bump/" GITOPS_VERSION;
	ho.ca_file = r->o.ca_file;
	ho.env_proxy = 1; /* as docker does: the *_proxy variables */
	if (gitops_http_new(&r->http, &ho, err) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	gitops_registry_free(r);
	return -1;
}

/* Every answer is the caller's to judge (401 starts the auth dance, 404 is its own message). */
static void accept_any(struct gitops_http_request *q)
{
	(void)q;
}

/* One request (retried as lib/http does); the caller looks at the status. */
static int send_once(struct gitops_registry *r, struct gitops_http *h, const char *url, int head, const char *accept,
		     const char *auth, struct response *resp, struct gitops_err *err)
{
	static const struct gitops_http_hooks hooks = { .finished = accept_any };
	struct gitops_http_request q;
	const char *hdrs[3];
	char *acc = NULL, *au = NULL;
	size_t n = 0;
	int error = -1;

	memset(&q, 0, sizeof(q));
	response_release(resp);
	if (accept) {
		if (asprintf(&acc, "Accept: %s", accept) < 0) {
			acc = NULL;
			goto oom;
		}
		hdrs[n++] = acc;
	}
	if (auth) {
		if (asprintf(&au, "Authorization: %s", auth) < 0) {
			au = NULL;
			goto oom;
		}
		hdrs[n++] = au;
	}
	hdrs[n] = NULL;
	q.method = head ? "HEAD" : "GET";
	q.url = url;
	q.headers = hdrs;
	error = gitops_http_do(h ? h : r->http, &q, &hooks, err);
	r->requests += (size_t)q.attempts;
	resp->attempts = q.attempts;
	if (error < 0) {
		if (q.too_big)
			gitops_err_set(err, h ? GITOPS_EXIT_INPUT : GITOPS_EXIT_REJECTED,
				       "%s: the response is larger than %zu bytes", url, h ? r->o.max_chart : (size_t)BODY_MAX);
		goto done;
	}
	resp->status = q.status;
	resp->body = q.response;
	memset(&q.response, 0, sizeof(q.response));
	resp->www_auth = gitops_http_header(&q, "WWW-Authenticate");
	resp->link = gitops_http_header(&q, "Link");
	resp->digest = gitops_http_header(&q, "Docker-Content-Digest");
	resp->location = gitops_http_header(&q, "Location");
	goto done;
oom:
	error = gitops_err_oom(err);
done:
	if (au)
		OPENSSL_cleanse(au, strlen(au));
	free(au);
	free(acc);
	gitops_http_request_release(&q);
	return error;
}

/* The value of param `name` in a WWW-Authenticate challenge (quoted or not) into buf. */
static int challenge_param(const char *ch, const char *name, char *buf, size_t size)
{
	size_t nl = strlen(name);
	const char *p = ch;

	while ((p = strcasestr(p, name))) {
		const char *v = p + nl;
		if ((p == ch || p[-1] == ' ' || p[-1] == ',') && *v == '=') {
			size_t n;
			v++;
			if (*v == '"') {
				v++;
				n = strcspn(v, "\"");
			} else {
				n = strcspn(v, ", ");
			}
			if (n >= size)
				return -1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return 0;
		}
		p = v;
	}
	return -1;
}

/* Get a Bearer token as the challenge asks; sets r->auth. */
static int fetch_token(struct gitops_registry *r, const char *challenge, struct gitops_err *err)
{
	char realm[1024], service[512] = "", scope[1024] = "", url[4096], basic[2048];
	char *es = NULL, *esc = NULL;
	struct response resp;
	cJSON *json = NULL;
	const cJSON *tok;
	int error = -1;

	memset(&resp, 0, sizeof(resp));
	if (challenge_param(challenge, "realm", realm, sizeof(realm)) < 0)
		return gitops_err_set(err, GITOPS_EXIT_AUTH, "%s: a Bearer challenge without a realm", r->host);
	challenge_param(challenge, "service", service, sizeof(service));
	if (challenge_param(challenge, "scope", scope, sizeof(scope)) < 0)
		snprintf(scope, sizeof(scope), "repository:%s:pull", r->repo);
	es = curl_easy_escape(NULL, service, 0);
	esc = curl_easy_escape(NULL, scope, 0);
	if (!es || !esc) {
		gitops_err_oom(err);
		goto done;
	}
	snprintf(url, sizeof(url), "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", es, esc);
	if (r->basic)
		snprintf(basic, sizeof(basic), "Basic %s", r->basic);
	if (send_once(r, NULL, url, 0, "application/json", r->basic ? basic : NULL, &resp, err) < 0)
		goto done;
	if (resp.status == 401 || resp.status == 403) {
		gitops_err_set(err, GITOPS_EXIT_AUTH, "%s: the token service refused %s (HTTP %ld)", r->host,
			       r->basic ? "the credentials from the docker config" : "anonymous access", resp.status);
		goto done;
	}
	if (resp.status != 200) {
		gitops_err_set(err, resp.status == 502 || resp.status == 503 || resp.status == 504 ? GITOPS_EXIT_UNREACHABLE
			       : GITOPS_EXIT_REJECTED, "%s: the token service answered HTTP %ld", r->host, resp.status);
		goto done;
	}
	json = gitops_json_read(resp.body.data ? resp.body.data : "", resp.body.len);
	tok = cJSON_GetObjectItemCaseSensitive(json, "token");
	if (!cJSON_IsString(tok) || !*tok->valuestring)
		tok = cJSON_GetObjectItemCaseSensitive(json, "access_token");
	if (!cJSON_IsString(tok) || !*tok->valuestring) {
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: the token service sent no token", r->host);
		goto done;
	}
	free(r->auth);
	if (!(r->auth = malloc(strlen(tok->valuestring) + 8))) {
		gitops_err_oom(err);
		goto done;
	}
	sprintf(r->auth, "Bearer %s", tok->valuestring);
	error = 0;
done:
	OPENSSL_cleanse(basic, sizeof(basic));
	curl_free(es);
	curl_free(esc);
	cJSON_Delete(json);
	response_release(&resp);
	return error;
}

/*
 * A request with the auth dance: anonymous (or the token we have), then what a 401 asks for, once.
 * h: the client (NULL: r->http); redirect: a 3xx with a Location is the caller's to follow.
 */
static int send_authed(struct gitops_registry *r, struct gitops_http *h, const char *url, int head, const char *accept,
		       int redirect, struct response *resp, struct gitops_err *err)
{
	int tried = 0;

	for (;;) {
		if (send_once(r, h, url, head, accept, r->auth, resp, err) < 0)
			return -1;
		if (resp->status != 401)
			break;
		if (tried || !resp->www_auth)
			return gitops_err_set(err, GITOPS_EXIT_AUTH, "%s: authentication failed (HTTP 401)%s", r->host,
					      r->basic ? "" : "; no credentials for it in the docker config");
		tried = 1;
		if (!strncasecmp(resp->www_auth, "Bearer", 6)) {
			char ch[2048];
			snprintf(ch, sizeof(ch), "%s", resp->www_auth);
			if (fetch_token(r, ch, err) < 0)
				return -1;
		} else if (!strncasecmp(resp->www_auth, "Basic", 5)) {
			if (!r->basic)
				return gitops_err_set(err, GITOPS_EXIT_AUTH, "%s: authentication required and no credentials "
						      "for it in the docker config", r->host);
			free(r->auth);
			if (!(r->auth = malloc(strlen(r->basic) + 7)))
				return gitops_err_oom(err);
			sprintf(r->auth, "Basic %s", r->basic);
		} else {
			return gitops_err_set(err, GITOPS_EXIT_AUTH, "%s: unsupported authentication scheme '%.*s'", r->host,
					      (int)strcspn(resp->www_auth, " "), resp->www_auth);
		}
	}
	if (resp->status == 403)
		return gitops_err_set(err, GITOPS_EXIT_AUTH, "%s: access to %s denied (HTTP 403)", r->host, r->repo);
	if (resp->status == 502 || resp->status == 503 || resp->status == 504)
		return gitops_err_set(err, GITOPS_EXIT_UNREACHABLE, "%s: HTTP %ld for %s, %d attempt%s", r->host,
				      resp->status, url + strlen(r->base), resp->attempts, resp->attempts == 1 ? "" : "s");
	if (resp->status == 404)
		return gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: %s not found (HTTP 404)", r->host, url + strlen(r->base));
	if (redirect && resp->status >= 300 && resp->status <= 399 && resp->location)
		return 0;
	if (resp->status < 200 || resp->status > 299)
		return gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: HTTP %ld for %s", r->host, resp->status,
				      url + strlen(r->base));
	return 0;
}

int gitops_registry_tags(struct gitops_registry *r, char ***tags, size_t *n, struct gitops_err *err)
{
	char url[4096];
	char **list = NULL;
	size_t count = 0, cap = 0, pages = 0;
	struct response resp;
	cJSON *json = NULL;
	int error = -1;

	memset(&resp, 0, sizeof(resp));
	*tags = NULL;
	*n = 0;
	snprintf(url, sizeof(url), "%s/v2/%s/tags/list?n=%d", r->base, r->repo, PAGE_SIZE);
	for (;;) {
		const cJSON *arr, *t;
		if (++pages > 100000) {
			gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: more than 100000 pages of tags", r->host);
			goto done;
		}
		if (send_authed(r, NULL, url, 0, "application/json", 0, &resp, err) < 0)
			goto done;
		cJSON_Delete(json);
		json = gitops_json_read(resp.body.data ? resp.body.data : "", resp.body.len);
		arr = cJSON_GetObjectItemCaseSensitive(json, "tags");
		if (!cJSON_IsObject(json) || (arr && !cJSON_IsArray(arr) && !cJSON_IsNull(arr))) {
			gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: the tag list of %s is not the JSON the "
				       "distribution API sends", r->host, r->repo);
			goto done;
		}
		cJSON_ArrayForEach(t, arr) {
			char **nl;
			if (!cJSON_IsString(t))
				continue;
			if (count == cap) {
				cap = cap ? cap * 2 : 256;
				if (!(nl = realloc(list, cap * sizeof(*list))))
					goto oom;
				list = nl;
			}
			if (!(list[count] = strdup(t->valuestring)))
				goto oom;
			if (++count > r->o.max_tags) {
				gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: %s has more than %zu tags", r->host, r->repo,
					       r->o.max_tags);
				goto done;
			}
		}
		/* Link: </v2/...?last=x&n=100>; rel="next" */
		if (!resp.link || !strstr(resp.link, "rel=\"next\""))
			break;
		{
			const char *lt = strchr(resp.link, '<'), *gt = lt ? strchr(lt, '>') : NULL;
			size_t len;
			if (!lt || !gt) {
				gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: a Link header without <URL>", r->host);
				goto done;
			}
			len = (size_t)(gt - lt - 1);
			if (lt[1] == '/') {
				snprintf(url, sizeof(url), "%s%.*s", r->base, (int)len, lt + 1);
			} else if (len > strlen(r->base) && !strncmp(lt + 1, r->base, strlen(r->base)) &&
				   lt[1 + strlen(r->base)] == '/') {
				snprintf(url, sizeof(url), "%.*s", (int)len, lt + 1);
			} else {
				gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: the next page is on another server (%.*s)",
					       r->host, (int)len, lt + 1);
				goto done;
			}
		}
	}
	*tags = list;
	*n = count;
	list = NULL;
	error = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_registry_tags_free(list, count);
	cJSON_Delete(json);
	response_release(&resp);
	return error;
}

int gitops_registry_digest(struct gitops_registry *r, const char *tag, char **digest, struct gitops_err *err)
{
	static const char accept[] = "application/vnd.oci.image.index.v1+json, "
		"application/vnd.docker.distribution.manifest.list.v2+json, "
		"application/vnd.oci.image.manifest.v1+json, "
		"application/vnd.docker.distribution.manifest.v2+json";
	char url[4096];
	struct response resp;
	int error = -1;

	memset(&resp, 0, sizeof(resp));
	*digest = NULL;
	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", r->base, r->repo, tag);
	if (send_authed(r, NULL, url, 1, accept, 0, &resp, err) < 0)
		goto done;
	if (!resp.digest || !gitops_image_valid_digest(resp.digest, strlen(resp.digest))) {
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: no valid Docker-Content-Digest for %s:%s", r->host, r->repo,
			       tag);
		goto done;
	}
	*digest = resp.digest;
	resp.digest = NULL;
	error = 0;
done:
	response_release(&resp);
	return error;
}

/* --- Helm charts as OCI artifacts --- */

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define HELM_CONFIG "application/vnd.cncf.helm.config.v1+json"
#define HELM_CHART "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
#define HELM_CHART_LEGACY "application/tar+gzip"

/* "sha256:" and 64 lowercase hex digits */
static int valid_sha256(const char *d)
{
	return d && !strncmp(d, "sha256:", 7) && strlen(d) == 71 && strspn(d + 7, "0123456789abcdef") == 64;
}

/* The length of "scheme://host[:port]" at the start of url, 0 when it has none. */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p || strcspn(url, ":/?#") != (size_t)(p - url))
		return 0;
	return (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
}

/* The URL a redirect's Location names, from `url`, into a new string; NULL (err set) when refused. */
static char *redirect_target(const char *ref, const char *url, const char *loc, struct gitops_err *err)
{
	char *next = NULL;
	size_t lo = origin_len(url);

	if (!strncasecmp(loc, "https://", 8) || !strncasecmp(loc, "http://", 7)) {
		if (!strncasecmp(url, "https://", 8) && strncasecmp(loc, "https://", 8)) {
			gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: the chart layer's download redirects from https to "
				       "http; refused", ref);
			return NULL;
		}
		next = strdup(loc);
	} else if (loc[0] == '/' && loc[1] != '/' && lo) {
		if (asprintf(&next, "%.*s%s", (int)lo, url, loc) < 0)
			next = NULL;
	} else {
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: the chart layer's download redirects to a location this "
			       "client does not follow (%.*s)", ref, (int)strcspn(loc, "?#"), loc);
		return NULL;
	}
	if (!next)
		gitops_err_oom(err);
	return next;
}

/*
 * GET the blob at url (on the registry), following redirects: the registry's own
 * origin gets the credentials (and the auth dance), any other origin none.
 */
static int get_blob(struct gitops_registry *r, const char *ref, const char *url0, struct response *resp,
		    struct gitops_err *err)
{
	char *url = strdup(url0);
	int hops = 0, error = -1;

	if (!url)
		return gitops_err_oom(err);
	for (;;) {
		size_t lo = origin_len(url);
		int ours = lo == strlen(r->base) && !strncmp(url, r->base, lo);
		char *next;

		if (ours) {
			if (send_authed(r, r->blob_http, url, 0, NULL, 1, resp, err) < 0)
				goto done;
		} else {
			if (send_once(r, r->blob_http, url, 0, NULL, NULL, resp, err) < 0) {
				/* lib/http names the URL, whose query may be a presigned URL's signature: the origin only */
				if (err && !strncmp(err->msg, url, strlen(url))) {
					char rest[GITOPS_ERR_MSG_MAX];
					snprintf(rest, sizeof(rest), "%s", err->msg + strlen(url));
					gitops_err_set(err, err->code, "%s: the chart layer's download from %.*s%s", ref, (int)lo,
						       url, rest);
				}
				goto done;
			}
			if (resp->status == 502 || resp->status == 503 || resp->status == 504) {
				gitops_err_set(err, GITOPS_EXIT_UNREACHABLE, "%s: HTTP %ld from %.*s, where the registry "
					       "sent the chart layer's download, %d attempt%s", ref, resp->status, (int)lo,
					       url, resp->attempts, resp->attempts == 1 ? "" : "s");
				goto done;
			}
			if ((resp->status < 200 || resp->status > 399) || (resp->status > 299 && !resp->location)) {
				gitops_err_set(err, resp->status == 401 || resp->status == 403 ? GITOPS_EXIT_AUTH
					       : GITOPS_EXIT_REJECTED, "%s: HTTP %ld from %.*s, where the registry sent the "
					       "chart layer's download", ref, resp->status, (int)lo, url);
				goto done;
			}
		}
		if (resp->status < 300)
			break;
		if (++hops > REDIRECTS_MAX) {
			gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: more than %d redirects for the chart layer", ref,
				       REDIRECTS_MAX);
			goto done;
		}
		if (!(next = redirect_target(ref, url, resp->location, err)))
			goto done;
		free(url);
		url = next;
	}
	error = 0;
done:
	free(url);
	return error;
}

/* Write n bytes to a hidden temporary file beside dest, then rename it over dest. */
static int write_beside(const char *dest, const void *data, size_t n, struct gitops_err *err)
{
	const char *base = strrchr(dest, '/');
	char *tmp = NULL;
	size_t off = 0;
	int fd = -1, error = -1;

	base = base ? base + 1 : dest;
	if (!*base)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: not a file name", dest);
	if (asprintf(&tmp, "%.*s.%s.XXXXXX", (int)(base - dest), dest, base) < 0)
		return gitops_err_oom(err);
	if ((fd = mkstemp(tmp)) < 0) {
		gitops_err_errno(err, errno, tmp);
		free(tmp);
		return -1;
	}
	while (off < n) {
		ssize_t w = write(fd, (const char *)data + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			gitops_err_errno(err, errno, tmp);
			goto done;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		gitops_err_errno(err, errno, tmp);
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		gitops_err_errno(err, errno, tmp);
		goto done;
	}
	fd = -1;
	if (rename(tmp, dest) < 0) {
		gitops_err_errno(err, errno, dest);
		goto done;
	}
	error = 0;
done:
	if (fd >= 0)
		close(fd);
	if (error < 0)
		unlink(tmp);
	free(tmp);
	return error;
}

/* The registry's error code ("MANIFEST_UNKNOWN") from an error body into buf, or "". */
static void error_code(const struct response *resp, char *buf, size_t size)
{
	cJSON *json = gitops_json_read(resp->body.data ? resp->body.data : "", resp->body.len);
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "errors"), 0);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");

	snprintf(buf, size, "%s", cJSON_IsString(c) ? c->valuestring : "");
	buf[strspn(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_")] = '\0';
	cJSON_Delete(json);
}

static const char *json_string(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int gitops_registry_chart(struct gitops_registry *r, const char *tag, const char *dest_file, char **digest,
			  struct gitops_err *err)
{
	char ref[1400], url[4096], t[256], have[8 + 2 * GITOPS_SHA256_LEN], code[64];
	struct response resp;
	cJSON *json = NULL;
	const cJSON *config, *layers, *l, *chart = NULL, *sz;
	const char *mt, *ldigest;
	size_t nchart = 0, size;
	int by_digest, error = -1;

	memset(&resp, 0, sizeof(resp));
	*digest = NULL;
	by_digest = !strncmp(tag, "sha256:", 7);
	snprintf(t, sizeof(t), "%s", tag);
	for (char *p = t; *p; p++)
		if (*p == '+')
			*p = '_';
	snprintf(ref, sizeof(ref), "oci://%s/%s%s%s", r->host, r->repo, by_digest ? "@" : ":", tag);
	if (by_digest ? !valid_sha256(tag) : strlen(tag) >= sizeof(t) || !gitops_image_valid_tag(t, strlen(t)))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: '%s' is not a valid %s", ref, tag,
				      by_digest ? "sha256 digest" : "tag");

	/* the manifest */
	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", r->base, r->repo, t);
	if (send_authed(r, NULL, url, 0, OCI_MANIFEST, 0, &resp, err) < 0) {
		if (resp.status == 404) {
			error_code(&resp, code, sizeof(code));
			gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: not found (HTTP 404%s%s)", ref, *code ? ", " : "",
				       code);
		}
		goto done;
	}
	if (resp.body.len > MANIFEST_MAX) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: the manifest is larger than %u bytes", ref, MANIFEST_MAX);
		goto done;
	}
	memcpy(have, "sha256:", 7);
	gitops_sha256_hex(have + 7, resp.body.data ? resp.body.data : "", resp.body.len);
	if (resp.digest && !strncmp(resp.digest, "sha256:", 7) && strcmp(resp.digest, have)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: manifest digest mismatch (Docker-Content-Digest %.80s, the "
			       "manifest is %s)", ref, resp.digest, have);
		goto done;
	}
	if (by_digest && strcmp(tag, have)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: manifest digest mismatch (the manifest is %s)", ref, have);
		goto done;
	}
	json = gitops_json_read(resp.body.data ? resp.body.data : "", resp.body.len);
	if (!cJSON_IsObject(json)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: the manifest is not a JSON object", ref);
		goto done;
	}
	mt = json_string(json, "mediaType");
	if (mt && (strstr(mt, "index") || strstr(mt, "manifest.list"))) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a Helm chart (an image index, %.100s)", ref, mt);
		goto done;
	}
	if (mt && strcmp(mt, OCI_MANIFEST)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a Helm chart (manifest media type %.100s)", ref, mt);
		goto done;
	}
	config = cJSON_GetObjectItemCaseSensitive(json, "config");
	mt = json_string(config, "mediaType");
	if (!mt || strcmp(mt, HELM_CONFIG)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a Helm chart (config media type %.100s)", ref,
			       mt ? mt : "missing");
		goto done;
	}
	layers = cJSON_GetObjectItemCaseSensitive(json, "layers");
	if (!cJSON_IsArray(layers)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: the manifest has no layers array", ref);
		goto done;
	}
	cJSON_ArrayForEach(l, layers) {
		mt = json_string(l, "mediaType");
		/* provenance and layers of other types are not the chart; helm v3.17 passes them over too */
		if (mt && (!strcmp(mt, HELM_CHART) || !strcmp(mt, HELM_CHART_LEGACY))) {
			chart = l;
			nchart++;
		}
	}
	/* helm takes the last of several; which one the publisher meant is not clear, so none */
	if (nchart != 1) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, nchart ? "%s: not a Helm chart (%zu chart layers)"
			       : "%s: not a Helm chart (no layer of media type " HELM_CHART ")", ref, nchart);
		goto done;
	}
	ldigest = json_string(chart, "digest");
	sz = cJSON_GetObjectItemCaseSensitive(chart, "size");
	if (!valid_sha256(ldigest)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: the chart layer's digest is not sha256:<64 hex> (%.80s)", ref,
			       ldigest ? ldigest : "missing");
		goto done;
	}
	if (!cJSON_IsNumber(sz) || sz->valuedouble < 0 || sz->valuedouble != (double)(long long)sz->valuedouble) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: the chart layer has no valid size", ref);
		goto done;
	}
	if (sz->valuedouble > (double)r->o.max_chart) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: the chart layer is %.0f bytes, more than the limit of %zu",
			       ref, sz->valuedouble, r->o.max_chart);
		goto done;
	}
	size = (size_t)sz->valuedouble;

	/* the layer */
	if (!r->blob_http) {
		struct gitops_http_options ho = GITOPS_HTTP_OPTIONS_INIT;
		ho.parallel = 1;
		ho.timeout_ms = r->o.timeout * 10 * 1000; /* a chart takes longer than a tag list */
		ho.connect_timeout_ms = (r->o.timeout < 10 ? r->o.timeout : 10) * 1000;
		ho.response_max = r->o.max_chart;
		ho.user_agent = "gitops/" GITOPS_VERSION;
		ho.ca_file = r->o.ca_file;
		ho.env_proxy = 1;
		if (gitops_http_new(&r->blob_http, &ho, err) < 0)
			goto done;
	}
	snprintf(url, sizeof(url), "%s/v2/%s/blobs/%s", r->base, r->repo, ldigest);
	if (get_blob(r, ref, url, &resp, err) < 0) {
		if (resp.status == 404) {
			error_code(&resp, code, sizeof(code));
			gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: the chart layer %s is not in the registry (HTTP 404%s%s)",
				       ref, ldigest, *code ? ", " : "", code);
		} else if (err && strstr(err->msg, "is larger than")) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: the chart layer is larger than the limit of %zu bytes",
				       ref, r->o.max_chart);
		}
		goto done;
	}
	if (resp.body.len != size) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: layer size mismatch (the manifest says %zu bytes, the registry "
			       "sent %zu)", ref, size, resp.body.len);
		goto done;
	}
	gitops_sha256_hex(have + 7, resp.body.data ? resp.body.data : "", resp.body.len);
	if (strcmp(have, ldigest)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: layer digest mismatch (the manifest says %s, the blob is %s)",
			       ref, ldigest, have);
		goto done;
	}
	if (!(*digest = strdup(ldigest))) {
		gitops_err_oom(err);
		goto done;
	}
	if (write_beside(dest_file, resp.body.data ? resp.body.data : "", resp.body.len, err) < 0) {
		free(*digest);
		*digest = NULL;
		goto done;
	}
	error = 0;
done:
	cJSON_Delete(json);
	response_release(&resp);
	return error;
}

/* --- choosing --- */

static int order_key(const char *tag, const struct gitops_regex *re, char *key, size_t size)
{
	long m[2 * 2 + 2 * 64];
	size_t a, b, nsub;

	if (!re) {
		snprintf(key, size, "%s", tag);
		return 0;
	}
	nsub = gitops_regex_nsub(re);
	if (nsub > 64 || gitops_regex_find(m, re, tag, strlen(tag), NULL) != 1)
		return -1;
	if (nsub >= 1 && m[2] >= 0)
		a = (size_t)m[2], b = (size_t)m[3];
	else
		a = (size_t)m[0], b = (size_t)m[1];
	if (b - a >= size)
		return -1;
	memcpy(key, tag + a, b - a);
	key[b - a] = '\0';
	return 0;
}

/* Compare two decimal numbers given as text (optional fraction); -2 when one is not a number. */
static int numeric_cmp(const char *a, const char *b)
{
	char *ea, *eb;
	double x, y;

	if (!*a || !*b)
		return -2;
	x = strtod(a, &ea);
	y = strtod(b, &eb);
	if (*ea || *eb)
		return -2;
	return x < y ? -1 : x > y;
}

const char *gitops_registry_choose(char *const *tags, size_t n, const struct gitops_tag_filter *f)
{
	const char *best = NULL;
	struct gitops_semver bv;
	char bkey[256];
	size_t i;

	memset(&bv, 0, sizeof(bv));
	for (i = 0; i < n; i++) {
		const char *t = tags[i];
		char key[256];
		int c;

		if (!gitops_image_valid_tag(t, strlen(t)) || !strcmp(t, "latest"))
			continue;
		if (order_key(t, f->re, key, sizeof(key)) < 0)
			continue;
		if (f->order == GITOPS_ORDER_SEMVER) {
			struct gitops_semver v;
			if (gitops_semver_parse(key, &v) < 0)
				continue;
			if (f->range ? !gitops_semver_range_match(f->range, &v) : *v.pre != '\0')
				continue;
			c = best ? gitops_semver_compare(&v, &bv) : 1;
			if (c > 0 || (c == 0 && strcmp(t, best) > 0)) {
				best = t, bv = v;
				snprintf(bkey, sizeof(bkey), "%s", key);
			}
		} else if (f->order == GITOPS_ORDER_NUMERIC) {
			if (numeric_cmp(key, key) == -2)
				continue;
			c = best ? numeric_cmp(key, bkey) : 1;
			if (c > 0 || (c == 0 && strcmp(t, best) > 0)) {
				best = t;
				snprintf(bkey, sizeof(bkey), "%s", key);
			}
		} else {
			c = best ? strcmp(key, bkey) : 1;
			if (c > 0 || (c == 0 && strcmp(t, best) > 0)) {
				best = t;
				snprintf(bkey, sizeof(bkey), "%s", key);
			}
		}
	}
	return best;
}
