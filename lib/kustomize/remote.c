/*
 * remote.c: fetching kustomize's remote targets in this process
 * (kz_remote.h): repositories through the Git cache (lib/git), files
 * through the HTTP layer (lib/net).  gitops_kustomize_fetcher_git wraps it
 * for a build, and gitops_kustomize_remote_serve answers a parent's
 * requests with it (remote_child.c is that parent's side): gitops-fetch
 * links this file, gitops-render does not.
 */
#include "lib/kustomize/kz_remote.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/chart/chart.h"
#include "lib/git/git.h"
#include "lib/kustomize/spine.h"
#include "lib/net/http.h"

/* --- fetching --- */

struct remote_repo {
	struct gitops_git_url url;
	struct gitops_git_repo *repo;
};

struct kz_remote {
	struct gitops_git_cache_options cache;
	struct gitops_git_auth auth;
	struct remote_repo **v;
	size_t n;
	struct gitops_http *http;
	struct gitops_chart **charts; /* the charts handed out, locked until kz_remote_free */
	size_t ncharts;
	int plain_http;               /* oci:// registries over http */
	void (*notice)(void *ctx, const char *msg);
	void *notice_ctx;
};

int kz_remote_new(struct kz_remote **out, const struct gitops_kustomize_options *opts, struct gitops_err *err)
{
	static const struct gitops_git_cache_options cache_def = GITOPS_GIT_CACHE_OPTIONS_INIT;
	struct kz_remote *r;

	if (gitops_git_init(err) < 0)
		return -1;
	if (!(r = calloc(1, sizeof(*r))))
		return gitops_err_oom(err);
	r->cache = opts->git_cache ? *opts->git_cache : cache_def;
	if (opts->git_auth) {
		r->auth = *opts->git_auth;
	} else {
		struct gitops_git_auth def = GITOPS_GIT_AUTH_INIT;
		r->auth = def;
		gitops_git_auth_from_env(&r->auth);
	}
	/*
	 * The repository being built chose these hosts, not the operator: the
	 * environment's user name, password and token (meant for the repository
	 * gitops-fetch was given) are offered to none of them.  Per-host
	 * credentials are: the URL's, the netrc file's entry for the host, and
	 * ssh keys for hosts known_hosts already knows.
	 */
	r->auth.username = r->auth.password = r->auth.token = NULL;
	r->auth.per_host = 1;
	r->notice = opts->remote_notice;
	r->plain_http = opts->chart_plain_http;
	r->notice_ctx = opts->warn_ctx;
	*out = r;
	return 0;
}

void kz_remote_free(struct kz_remote *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		gitops_git_close(r->v[i]->repo);
		gitops_git_url_release(&r->v[i]->url);
		free(r->v[i]);
	}
	free(r->v);
	for (i = 0; i < r->ncharts; i++)
		gitops_chart_close(r->charts[i]);
	free(r->charts);
	gitops_http_free(r->http);
	free(r);
}

static void notice(struct kz_remote *r, const char *fmt, const char *a, const char *b)
{
	char msg[1024];

	if (!r->notice)
		return;
	snprintf(msg, sizeof(msg), fmt, a, b);
	r->notice(r->notice_ctx, msg);
}

/* The repository of url, open and fetched: once a build (its lock held until the build ends). */
static int open_repo(struct gitops_git_repo **out, struct kz_remote *r, const char *addr, const char *shown,
		     struct gitops_err *err)
{
	struct remote_repo *rr, **v;
	size_t i;

	if (!(rr = calloc(1, sizeof(*rr))))
		return gitops_err_oom(err);
	if (gitops_git_url_parse(&rr->url, addr, err) < 0) {
		free(rr);
		err->code = GITOPS_EXIT_INPUT;
		return gitops_err_prefix(err, "remote target '%s'", shown);
	}
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->v[i]->url.display, rr->url.display)) {
			gitops_git_url_release(&rr->url);
			free(rr);
			*out = r->v[i]->repo;
			return 0;
		}
	if (!(v = realloc(r->v, (r->n + 1) * sizeof(*v)))) {
		gitops_git_url_release(&rr->url);
		free(rr);
		return gitops_err_oom(err);
	}
	r->v = v;
	notice(r, "fetching %s%s", rr->url.display, "");
	if (gitops_git_open(&rr->repo, &rr->url, &r->cache, err) < 0 ||
	    gitops_git_fetch(rr->repo, &r->auth, NULL, err) < 0) {
		gitops_git_close(rr->repo);
		gitops_git_url_release(&rr->url);
		free(rr);
		return -1;
	}
	r->v[r->n++] = rr;
	*out = rr->repo;
	return 0;
}

int kz_remote_checkout(char **root, char **dir, struct kz_remote *r, const struct kz_remote_spec *s,
		       struct gitops_err *err)
{
	struct gitops_git_repo *repo = NULL;
	char commit[GIT_OID_HEXSZ + 1], what[256];
	const char *ref = s->ref ? s->ref : "HEAD";

	*root = *dir = NULL;
	if (open_repo(&repo, r, s->repo, s->shown, err) < 0 ||
	    gitops_git_resolve(repo, ref, commit, what, sizeof(what), err) < 0)
		return -1;
	if (r->notice) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s: %s at %s", s->shown, what, commit);
		r->notice(r->notice_ctx, msg);
	}
	if (gitops_git_checkout(repo, commit, s->path, root, dir, err) < 0)
		return -1;
	/* a path naming a file: gitops_git_checkout hands a directory holding that file alone */
	if (*s->path && !strcmp(*root, *dir)) {
		free(*root);
		free(*dir);
		*root = *dir = NULL;
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "'%s' is a file, not a directory with a kustomization",
				      s->path);
	}
	return 0;
}

int kz_remote_get(struct gitops_buf *out, struct kz_remote *r, const struct kz_remote_spec *s,
		  struct gitops_err *err)
{
	struct gitops_http_request req;
	struct gitops_git_url u;
	char *nuser = NULL, *npass = NULL;
	int rc = -1;

	memset(&req, 0, sizeof(req));
	memset(&u, 0, sizeof(u));
	if (!r->http) {
		struct gitops_http_options o = GITOPS_HTTP_OPTIONS_INIT;
		o.parallel = o.initial = 1;
		o.response_max = KZ_FILE_MAX;
		o.ca_file = r->auth.ca_file;
		o.env_proxy = 1;
		if (gitops_http_new(&r->http, &o, err) < 0)
			return -1;
	}
	/* the URL's credentials, else the netrc file's for the host: never shown */
	if (gitops_git_url_parse(&u, s->url, err) < 0) {
		err->code = GITOPS_EXIT_INPUT;
		return gitops_err_prefix(err, "remote file '%s'", s->shown);
	}
	req.url = u.url;
	req.username = u.user;
	req.password = u.password;
	if (!u.user && !u.password && r->auth.netrc_file && u.host) {
		if (gitops_git_netrc_lookup(r->auth.netrc_file, u.host, &nuser, &npass, err) < 0)
			goto done;
		req.username = nuser;
		req.password = npass;
	}
	notice(r, "getting %s%s", s->shown, "");
	if (gitops_http_do(r->http, &req, NULL, err) < 0) {
		if (req.status) {
			gitops_err_set(err, req.status == 401 || req.status == 403 ? GITOPS_EXIT_AUTH : GITOPS_EXIT_REJECTED,
				       "getting '%s': HTTP status %ld", s->shown, req.status);
		} else {
			gitops_err_set(err, req.too_big ? GITOPS_EXIT_INPUT : GITOPS_EXIT_UNREACHABLE, "getting '%s': %s",
				       s->shown, req.too_big ? "larger than 64 MiB" : req.curl_error);
		}
		goto done;
	}
	if (req.response.len && gitops_buf_add(out, req.response.data, req.response.len) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	rc = 0;
done:
	gitops_http_request_release(&req);
	gitops_git_url_release(&u);
	free(nuser);
	if (npass) {
		memset(npass, 0, strlen(npass));
		free(npass);
	}
	return rc;
}

/* --- gitops_kustomize_fetcher_git --- */

static int git_open(void **state, const struct gitops_kustomize_options *opts, struct gitops_err *err)
{
	struct kz_remote *r;

	if (kz_remote_new(&r, opts, err) < 0)
		return -1;
	*state = r;
	return 0;
}

static void git_close(void *state)
{
	kz_remote_free(state);
}

static int git_checkout(char **root, char **dir, void *state, const char *entry, struct gitops_err *err)
{
	struct kz_remote_spec s;
	int rc;

	*root = *dir = NULL;
	if (kz_remote_parse(&s, entry, 0, err) < 0)
		return -1;
	rc = s.kind == KZ_REMOTE_GIT ? kz_remote_checkout(root, dir, state, &s, err)
				     : gitops_err_set(err, GITOPS_EXIT_INPUT, "'%s' is no remote repository", s.shown);
	kz_remote_spec_release(&s);
	return rc;
}

static int git_get(struct gitops_buf *out, void *state, const char *entry, struct gitops_err *err)
{
	struct kz_remote_spec s;
	int rc;

	if (kz_remote_parse(&s, entry, 1, err) < 0)
		return -1;
	rc = s.kind == KZ_REMOTE_FILE ? kz_remote_get(out, state, &s, err)
				      : gitops_err_set(err, GITOPS_EXIT_INPUT, "'%s' is no remote file", s.shown);
	kz_remote_spec_release(&s);
	return rc;
}

static int git_chart(char **dir, char **version, void *state, const char *repo, const char *name, const char *range,
		     struct gitops_err *err)
{
	struct kz_remote *r = state;
	struct gitops_chart_options co = GITOPS_CHART_OPTIONS_INIT;
	struct gitops_chart_version v;
	struct gitops_chart *c = NULL, **nc;
	char *root = NULL;
	int rc = -1;

	*dir = *version = NULL;
	/* per-host credentials only (kz_remote_new): no GITOPS_HELM_* for a host the files chose */
	co.cache = &r->cache;
	co.ca_file = r->auth.ca_file;
	co.netrc_file = r->auth.netrc_file;
	co.plain_http = r->plain_http;
	if (!(nc = realloc(r->charts, (r->ncharts + 1) * sizeof(*nc))))
		return gitops_err_oom(err);
	r->charts = nc;
	{
		char shown[1024];
		kz_remote_redact(shown, sizeof(shown), repo); /* a password in the URL is never shown */
		notice(r, "fetching chart %s of %s", name, shown);
	}
	if (gitops_chart_get(&c, &v, &root, dir, repo, name, range, 1, &co, err) == 0) {
		notice(r, "chart %s: version %s", name, v.version); /* which version a range chose */
		if ((*version = strdup(v.version)))
			rc = 0;
		else
			gitops_err_oom(err);
	}
	if (c)
		r->charts[r->ncharts++] = c; /* held: its directory stays while the build reads it */
	if (rc < 0) {
		free(*dir);
		*dir = NULL;
	}
	gitops_chart_version_release(&v);
	free(root);
	return rc;
}

const struct gitops_kustomize_fetcher gitops_kustomize_fetcher_git = { git_open, git_close, git_checkout, git_get,
									git_chart };

/* --- the child's side: requests from a parent, answered in frames --- */

struct serve {
	int out;
	int broken;
};

static void serve_frame(struct serve *s, const char *type, const char *msg)
{
	if (!s->broken && kz_frame_write(s->out, type, msg, strlen(msg)) < 0)
		s->broken = 1;
}

static void serve_note(void *ctx, const char *msg)
{
	serve_frame(ctx, "note", msg);
}

static void serve_warn(void *ctx, const char *msg)
{
	serve_frame(ctx, "warn", msg);
}

/* "chart": REPO NUL NAME NUL RANGE; the answer DIR NUL VERSION */
static int serve_chart(struct gitops_buf *ans, void *state, const struct gitops_buf *req, struct gitops_err *err)
{
	const char *repo = req->data ? req->data : "", *name, *range;
	char *dir = NULL, *version = NULL;
	int rc;

	name = memchr(repo, 0, req->len) ? repo + strlen(repo) + 1 : NULL;
	range = name && name < req->data + req->len ? name + strlen(name) + 1 : NULL;
	if (!name || !range || range > req->data + req->len)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "a chart request without a name and a range");
	rc = git_chart(&dir, &version, state, repo, name, range, err);
	if (rc == 0 && (gitops_buf_add(ans, dir, strlen(dir) + 1) < 0 || gitops_buf_addstr(ans, version)))
		rc = gitops_err_oom(err);
	free(dir);
	free(version);
	return rc;
}

int gitops_kustomize_remote_serve(int in, int out, const struct gitops_kustomize_options *opts,
				  struct gitops_err *err)
{
	static const struct gitops_git_cache_options cache_def = GITOPS_GIT_CACHE_OPTIONS_INIT;
	struct gitops_kustomize_options o = *opts;
	struct gitops_git_cache_options cache = opts->git_cache ? *opts->git_cache : cache_def;
	struct gitops_buf req = GITOPS_BUF_INIT, ans = GITOPS_BUF_INIT;
	struct serve sv = { out, 0 };
	void *state = NULL;
	char type[16];
	int r = 0, rc = 0;

	/* what the fetch says goes to the parent, which says it as its own */
	o.remote_notice = serve_note;
	o.warn = serve_warn;
	o.warn_ctx = &sv;
	cache.notice = serve_note;
	cache.warning = serve_warn;
	cache.ctx = &sv;
	o.git_cache = &cache;
	while (!sv.broken && (r = kz_frame_read(in, type, &req, 1u << 16)) > 0) {
		struct gitops_err e = GITOPS_ERR_INIT;
		char *root = NULL, *dir = NULL;
		int ok;

		ans.len = 0;
		if (!state && gitops_kustomize_fetcher_git.open(&state, &o, &e) < 0)
			ok = 0;
		else if (!strcmp(type, "checkout"))
			ok = git_checkout(&root, &dir, state, req.data, &e) == 0 &&
			     gitops_buf_add(&ans, root, strlen(root) + 1) == 0 && gitops_buf_addstr(&ans, dir) == 0;
		else if (!strcmp(type, "get"))
			ok = git_get(&ans, state, req.data, &e) == 0;
		else if (!strcmp(type, "chart"))
			ok = serve_chart(&ans, state, &req, &e) == 0;
		else
			ok = gitops_err_set(&e, GITOPS_EXIT_INTERNAL, "unknown request '%s'", type) == 0;
		if (!ok) {
			ans.len = 0;
			if (gitops_buf_printf(&ans, "%d %s", e.code ? e.code : GITOPS_EXIT_INTERNAL, e.msg) < 0)
				sv.broken = 1;
		}
		if (!sv.broken && kz_frame_write(out, ok ? "ok" : "err", ans.data ? ans.data : "", ans.len) < 0)
			sv.broken = 1;
		free(root);
		free(dir);
	}
	if (sv.broken || r < 0)
		rc = gitops_err_set(err, GITOPS_EXIT_IO, "the requesting program's pipe broke");
	if (state)
		git_close(state);
	gitops_buf_release(&req);
	gitops_buf_release(&ans);
	return rc;
}
