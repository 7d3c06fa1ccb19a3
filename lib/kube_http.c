/* kube_http.c: the libcurl transport, credentials and Status errors. */
#include "lib/kube.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/object.h"

#define RESPONSE_MAX (256u << 20)
#define EXEC_OUTPUT_MAX (1u << 20)
#define EXEC_TIMEOUT_MS 60000
#define RETRY_AFTER_MAX_MS 30000
#define THROTTLE_EXTRA_RETRIES 16

extern char **environ;

struct gitops_kube {
	struct gitops_kube_config *cfg;
	struct gitops_kube_client_options opts;
	CURLM *multi;
	CURLSH *share;
	char *url_base;          /* server without a trailing '/' */
	char *url_shown;         /* the same for messages: no password, no query values */
	char *connect_to;        /* for tls-server-name */
	/* credentials from an exec plugin */
	char *exec_token;
	struct gitops_buf exec_cert, exec_key;
	time_t exec_expiry;      /* 0: none given */
	int exec_done;
	int limit;               /* requests in flight now: halved on 429, grows back by one per success */
};

static int curl_ready;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(v[i], 0, strlen(v[i]));
		free(v[i]);
	}
	free(v);
}

void gitops_kube_request_release(struct gitops_kube_request *r)
{
	free(r->path);
	free(r->body);
	gitops_buf_release(&r->response);
	free_list(r->redact, r->n_redact);
	r->path = r->body = NULL;
	r->redact = NULL;
	r->n_redact = 0;
	r->redact_failed = 0;
}

const struct gitops_kube_config *gitops_kube_config(const struct gitops_kube *k)
{
	return k->cfg;
}

void gitops_kube_free(struct gitops_kube *k)
{
	if (!k)
		return;
	if (k->multi)
		curl_multi_cleanup(k->multi);
	if (k->share)
		curl_share_cleanup(k->share);
	gitops_kube_config_free(k->cfg);
	free(k->url_base);
	free(k->url_shown);
	free(k->connect_to);
	if (k->exec_token)
		memset(k->exec_token, 0, strlen(k->exec_token));
	free(k->exec_token);
	gitops_buf_release(&k->exec_cert);
	gitops_buf_release(&k->exec_key);
	free(k);
}

/* https://host:port from a server URL, and host, port apart */
static int split_server(const char *server, char *host, size_t hsize, char *port, size_t psize)
{
	const char *p = strstr(server, "://"), *end, *colon;

	p = p ? p + 3 : server;
	end = p + strcspn(p, "/");
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));
		if (!rb)
			return -1;
		snprintf(host, hsize, "%.*s", (int)(rb - p + 1), p);
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		snprintf(host, hsize, "%.*s", (int)((colon ? colon : end) - p), p);
	}
	if (colon)
		snprintf(port, psize, "%.*s", (int)(end - colon - 1), colon + 1);
	else
		snprintf(port, psize, "%s", strncmp(server, "http://", 7) ? "443" : "80");
	return 0;
}

int gitops_kube_new(struct gitops_kube **out, struct gitops_kube_config *cfg,
		    const struct gitops_kube_client_options *opts, struct gitops_err *err)
{
	struct gitops_kube_client_options def = GITOPS_KUBE_CLIENT_OPTIONS_INIT;
	struct gitops_kube *k = calloc(1, sizeof(*k));
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t n;

	if (!k) {
		gitops_kube_config_free(cfg);
		return gitops_err_oom(err);
	}
	k->cfg = cfg;
	k->opts = opts ? *opts : def;
	if (k->opts.parallel < 1)
		k->opts.parallel = 1;
	k->limit = k->opts.parallel;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			gitops_kube_free(k);
			return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "libcurl could not start");
		}
		curl_ready = 1;
	}
	if (strncmp(cfg->server, "https://", 8) && strncmp(cfg->server, "http://", 7)) {
		char *shown = gitops_kube_url_redact(cfg->server);
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: server '%s' is not an http(s) URL", cfg->source,
			       shown ? shown : "?");
		free(shown);
		gitops_kube_free(k);
		return -1;
	}
	n = strlen(cfg->server);
	while (n && cfg->server[n - 1] == '/')
		n--;
	k->url_base = strndup(cfg->server, n);
	if (cfg->tls_server_name && *cfg->tls_server_name) {
		/* connect to the server, but name tls-server-name in the URL (SNI and verification) */
		char host[256], port[16];
		const char *path;
		if (split_server(cfg->server, host, sizeof(host), port, sizeof(port)) < 0) {
			gitops_kube_free(k);
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "malformed server URL");
		}
		gitops_buf_printf(&b, "%s:%s:%s:%s", cfg->tls_server_name, port, host, port);
		k->connect_to = gitops_buf_detach(&b);
		path = strstr(cfg->server, "://") + 3;
		path += strcspn(path, "/");
		gitops_buf_printf(&b, "https://%s:%s%.*s", cfg->tls_server_name, port,
				  (int)(n - (size_t)(path - cfg->server)), path);
		free(k->url_base);
		k->url_base = gitops_buf_detach(&b);
	}
	k->url_shown = k->url_base ? gitops_kube_url_redact(k->url_base) : NULL;
	k->multi = curl_multi_init();
	k->share = curl_share_init();
	if (!k->url_base || !k->url_shown || !k->multi || !k->share) {
		gitops_kube_free(k);
		return gitops_err_oom(err);
	}
	curl_share_setopt(k->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(k->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(k->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(k->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)(k->opts.parallel < 8 ? k->opts.parallel : 8));
	*out = k;
	return 0;
}

/* ------------------------------------------------------------ exec plugins */

/* RFC 3339 ("2026-11-26T10:00:00Z", fraction and offset allowed) to time_t; -1 when malformed */
static time_t parse_rfc3339(const char *s)
{
	struct tm tm;
	const char *p;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	t = timegm(&tm);
	if (*p == 'Z' || *p == 'z')
		return p[1] ? -1 : t;
	if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int h = atoi(p + 1), m = atoi(p + 4), off = (h * 60 + m) * 60;
		return *p == '+' ? t - off : t + off;
	}
	return -1;
}

static char *exec_info(const struct gitops_kube *k)
{
	const struct gitops_kube_exec *e = k->cfg->exec;
	cJSON *root = cJSON_CreateObject(), *spec;
	char *s;

	cJSON_AddStringToObject(root, "apiVersion", e->api_version);
	cJSON_AddStringToObject(root, "kind", "ExecCredential");
	spec = cJSON_AddObjectToObject(root, "spec");
	cJSON_AddBoolToObject(spec, "interactive", 0);
	if (e->provide_cluster_info) {
		cJSON *cl = cJSON_AddObjectToObject(spec, "cluster");
		cJSON_AddStringToObject(cl, "server", k->cfg->server);
		if (k->cfg->tls_server_name)
			cJSON_AddStringToObject(cl, "tls-server-name", k->cfg->tls_server_name);
		cJSON_AddBoolToObject(cl, "insecure-skip-tls-verify", k->cfg->insecure);
	}
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return s;
}

static int exec_credential(struct gitops_kube *k, struct gitops_err *err)
{
	const struct gitops_kube_exec *e = k->cfg->exec;
	struct gitops_buf out = GITOPS_BUF_INIT, cmd = GITOPS_BUF_INIT, env_info = GITOPS_BUF_INIT;
	char **envp = NULL, **argv = NULL, *info = NULL;
	size_t nenv = 0, nargs = 0, i;
	int pipefd[2] = { -1, -1 }, status, ret = -1;
	const cJSON *st;
	cJSON *cred = NULL;
	long deadline = now_ms() + EXEC_TIMEOUT_MS;
	pid_t pid;

	/* a relative command with a '/' is relative to the kubeconfig's folder, as kubectl has it */
	if (e->command[0] != '/' && strchr(e->command, '/'))
		gitops_buf_printf(&cmd, "%s/%s", e->dir, e->command);
	else
		gitops_buf_addstr(&cmd, e->command);
	info = exec_info(k);
	gitops_buf_printf(&env_info, "KUBERNETES_EXEC_INFO=%s", info ? info : "");
	while (environ[nenv])
		nenv++;
	for (i = 0; e->env[i]; i++)
		;
	envp = calloc(nenv + i + 2, sizeof(*envp));
	for (nargs = 0; e->args[nargs]; nargs++)
		;
	argv = calloc(nargs + 2, sizeof(*argv));
	if (!envp || !argv || !cmd.data || !env_info.data) {
		gitops_err_oom(err);
		goto done;
	}
	/* the plugin's own variables replace inherited ones of the same name */
	{
		size_t m = 0, j;
		for (i = 0; e->env[i]; i++)
			envp[m++] = e->env[i];
		envp[m++] = env_info.data;
		for (j = 0; j < nenv; j++) {
			size_t len = strcspn(environ[j], "="), q;
			int dup = !strncmp(environ[j], "KUBERNETES_EXEC_INFO=", 21);
			for (q = 0; !dup && e->env[q]; q++)
				dup = !strncmp(environ[j], e->env[q], len) && e->env[q][len] == '=';
			if (!dup)
				envp[m++] = environ[j];
		}
		nenv = m;
	}
	argv[0] = cmd.data;
	for (i = 0; i < nargs; i++)
		argv[i + 1] = e->args[i];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		gitops_err_errno(err, errno, "exec plugin");
		goto done;
	}
	pid = fork();
	if (pid < 0) {
		gitops_err_errno(err, errno, "exec plugin");
		goto done;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pipefd[1], 1);
		execvpe(argv[0], argv, envp);
		fprintf(stderr, "exec plugin '%s': %s\n", e->command, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	for (;;) {
		char chunk[4096];
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		long left = deadline - now_ms();
		ssize_t got;
		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			gitops_err_set(err, GITOPS_EXIT_AUTH, "exec plugin '%s' did not answer within %d s", e->command,
				       EXEC_TIMEOUT_MS / 1000);
			goto done;
		}
		got = read(pipefd[0], chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (out.len + (size_t)got > EXEC_OUTPUT_MAX || gitops_buf_add(&out, chunk, (size_t)got) < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			gitops_err_set(err, GITOPS_EXIT_AUTH, "exec plugin '%s' wrote too much", e->command);
			goto done;
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		gitops_err_set(err, GITOPS_EXIT_AUTH, "exec plugin '%s' failed (%s %d)", e->command,
			       WIFEXITED(status) ? "exit status" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto done;
	}
	cred = out.data ? cJSON_Parse(out.data) : NULL;
	if (!cJSON_IsObject(cred) || strcmp(gitops_json_get_string(cred, "kind", NULL) ? gitops_json_get_string(cred, "kind", NULL) : "", "ExecCredential")) {
		gitops_err_set(err, GITOPS_EXIT_AUTH, "exec plugin '%s' did not print an ExecCredential", e->command);
		goto done;
	}
	if (!gitops_json_get_string(cred, "apiVersion", NULL) ||
	    strcmp(gitops_json_get_string(cred, "apiVersion", NULL), e->api_version)) {
		gitops_err_set(err, GITOPS_EXIT_AUTH, "exec plugin '%s' answered with apiVersion '%s', not '%s'",
			       e->command, gitops_json_get_string(cred, "apiVersion", NULL) ?
			       gitops_json_get_string(cred, "apiVersion", NULL) : "", e->api_version);
		goto done;
	}
	st = cJSON_GetObjectItemCaseSensitive(cred, "status");
	{
		const char *tok = gitops_json_get_string(st, "token", NULL);
		const char *cert = gitops_json_get_string(st, "clientCertificateData", NULL);
		const char *key = gitops_json_get_string(st, "clientKeyData", NULL);
		const char *exp = gitops_json_get_string(st, "expirationTimestamp", NULL);
		if (!tok && !(cert && key)) {
			gitops_err_set(err, GITOPS_EXIT_AUTH, "exec plugin '%s' gave neither a token nor a client certificate and key",
				       e->command);
			goto done;
		}
		free(k->exec_token);
		k->exec_token = tok ? strdup(tok) : NULL;
		k->exec_cert.len = k->exec_key.len = 0;
		if (cert && key && (gitops_buf_addstr(&k->exec_cert, cert) < 0 || gitops_buf_addstr(&k->exec_key, key) < 0)) {
			gitops_err_oom(err);
			goto done;
		}
		k->exec_expiry = 0;
		if (exp && (k->exec_expiry = parse_rfc3339(exp)) == (time_t)-1) {
			gitops_err_set(err, GITOPS_EXIT_AUTH, "exec plugin '%s': malformed expirationTimestamp '%s'",
				       e->command, exp);
			goto done;
		}
	}
	k->exec_done = 1;
	ret = 0;
done:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	cJSON_Delete(cred);
	if (out.data)
		memset(out.data, 0, out.len);
	gitops_buf_release(&out);
	gitops_buf_release(&cmd);
	gitops_buf_release(&env_info);
	free(info);
	free(envp);
	free(argv);
	return ret;
}

/* Make sure the credentials are fresh: run the exec plugin when there is none or it expired. */
static int credentials(struct gitops_kube *k, int force, struct gitops_err *err)
{
	if (k->cfg->exec && (force || !k->exec_done || (k->exec_expiry && time(NULL) + 10 >= k->exec_expiry)))
		return exec_credential(k, err);
	return 0;
}

/* After a 401: run the exec plugin again, or read the token file again. */
static int refresh_credentials(struct gitops_kube *k)
{
	struct gitops_err ignore = GITOPS_ERR_INIT;

	if (k->cfg->exec)
		return credentials(k, 1, &ignore);
	return gitops_kube_read_token(&k->cfg->token, k->cfg->token_file, &ignore);
}

/* ------------------------------------------------------------ requests */

struct slot {
	struct gitops_kube_request *req;
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	char errbuf[CURL_ERROR_SIZE];
	long retry_after_ms;
	long due_ms;
	long deadline_ms;        /* no answer by then: give up (0: no limit, or not started) */
	int active, finished, auth_retried;
	int too_big;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct slot *s = ctx;
	size_t n = size * nmemb;

	if (s->req->response.len + n > RESPONSE_MAX || gitops_buf_add(&s->req->response, data, n) < 0) {
		s->too_big = 1;
		return 0;
	}
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct slot *s = ctx;
	size_t n = size * nmemb;

	if (n > 12 && !strncasecmp(data, "Retry-After:", 12)) {
		long secs = strtol(data + 12, NULL, 10);
		if (secs > 0)
			s->retry_after_ms = secs * 1000;
	}
	return n;
}

static int setup_easy(struct gitops_kube *k, struct slot *s, struct gitops_err *err)
{
	const struct gitops_kube_config *c = k->cfg;
	struct gitops_kube_request *r = s->req;
	struct gitops_buf url = GITOPS_BUF_INIT, h = GITOPS_BUF_INIT;
	const char *token = k->exec_token ? k->exec_token : c->token;
	const struct gitops_buf *cert = k->exec_cert.len ? &k->exec_cert : &c->client_cert;
	const struct gitops_buf *key = k->exec_key.len ? &k->exec_key : &c->client_key;
	CURL *e = s->easy;

	curl_easy_reset(e);
	if (gitops_buf_printf(&url, "%s%s", k->url_base, r->path) < 0)
		return gitops_err_oom(err);
	curl_easy_setopt(e, CURLOPT_URL, url.data);
	gitops_buf_release(&url);
	curl_easy_setopt(e, CURLOPT_SHARE, k->share);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	/* an attempt gets what is left of the request's time without an answer */
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, s->deadline_ms ? (s->deadline_ms > now_ms() ? s->deadline_ms - now_ms() : 1L) : 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, k->opts.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_USERAGENT, k->opts.user_agent);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(e, CURLOPT_PRIVATE, s);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	if (!strcmp(r->method, "HEAD"))
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	if (r->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	if (c->ca.len) {
		struct curl_blob blob = { c->ca.data, c->ca.len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->proxy_url && *c->proxy_url)
		curl_easy_setopt(e, CURLOPT_PROXY, c->proxy_url);
	else
		curl_easy_setopt(e, CURLOPT_NOPROXY, "*"); /* kubeconfig says where to go; no *_proxy guessing */
	if (cert->len && key->len) {
		struct curl_blob cb = { cert->data, cert->len, CURL_BLOB_NOCOPY };
		struct curl_blob kb = { key->data, key->len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	}
	curl_slist_free_all(s->headers);
	s->headers = NULL;
	curl_slist_free_all(s->connect_to);
	s->connect_to = NULL;
	if (k->connect_to) {
		if (!(s->connect_to = curl_slist_append(NULL, k->connect_to)))
			return gitops_err_oom(err);
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, s->connect_to);
	}
	{
		struct curl_slist *hl = NULL;
		hl = curl_slist_append(hl, "Accept: application/json");
		if (r->content_type) {
			gitops_buf_printf(&h, "Content-Type: %s", r->content_type);
			hl = curl_slist_append(hl, h.data);
			h.len = 0;
		}
		if (token && *token) {
			gitops_buf_printf(&h, "Authorization: Bearer %s", token);
			hl = curl_slist_append(hl, h.data);
			memset(h.data, 0, h.len);
			h.len = 0;
		} else if (c->username && c->password) {
			curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
			curl_easy_setopt(e, CURLOPT_USERNAME, c->username);
			curl_easy_setopt(e, CURLOPT_PASSWORD, c->password);
		}
		gitops_buf_release(&h);
		if (!hl)
			return gitops_err_oom(err);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
		s->headers = hl;
	}
	r->response.len = 0;
	s->retry_after_ms = 0;
	s->too_big = 0;
	s->errbuf[0] = '\0';
	return 0;
}

/* ------------------------------------------------------------ masking */

/* A copy of s (len bytes) onto the list; nothing for an empty string or one with a NUL (no message holds it). */
static int add_value(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv, *copy;

	if (!len || memchr(s, '\0', len))
		return 0;
	if (!(copy = strndup(s, len)))
		return -1;
	if (!(nv = realloc(*v, (*n + 1) * sizeof(*nv)))) {
		free(copy);
		return -1;
	}
	nv[(*n)++] = copy;
	*v = nv;
	return 0;
}

/* s as written, JSON-escaped (as a server quotes it), base64-encoded */
static int add_text_forms(char ***v, size_t *n, const char *s, size_t len)
{
	struct gitops_buf esc = GITOPS_BUF_INIT;
	unsigned char *enc = NULL;
	size_t i;
	int ret = -1;

	if (!len || memchr(s, '\0', len))
		return 0;
	if (add_value(v, n, s, len) < 0 || len > (size_t)INT_MAX / 2 || !(enc = malloc(len / 3 * 4 + 5)))
		goto done;
	EVP_EncodeBlock(enc, (const unsigned char *)s, (int)len);
	if (add_value(v, n, (const char *)enc, strlen((const char *)enc)) < 0)
		goto done;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int r;
		if (c == '"' || c == '\\')
			r = gitops_buf_printf(&esc, "\\%c", c);
		else if (c == '\n')
			r = gitops_buf_addstr(&esc, "\\n");
		else if (c == '\r')
			r = gitops_buf_addstr(&esc, "\\r");
		else if (c == '\t')
			r = gitops_buf_addstr(&esc, "\\t");
		else if (c < 0x20)
			r = gitops_buf_printf(&esc, "\\u%04x", c);
		else
			r = gitops_buf_add(&esc, &s[i], 1);
		if (r < 0)
			goto done;
	}
	if (esc.len != len && add_value(v, n, esc.data, esc.len) < 0)
		goto done;
	ret = 0;
done:
	if (esc.data)
		memset(esc.data, 0, esc.len);
	gitops_buf_release(&esc);
	free(enc);
	return ret;
}

/* One value of data or stringData: its text forms, and those of its base64 decoding; a non-string's leaves. */
static int add_secret_value(char ***v, size_t *n, const cJSON *c)
{
	struct gitops_buf dec = GITOPS_BUF_INIT;
	const cJSON *e;
	int ret = 0;

	if (cJSON_IsString(c)) {
		size_t len = strlen(c->valuestring);
		if (add_text_forms(v, n, c->valuestring, len) < 0)
			return -1;
		if (len && gitops_base64_decode(&dec, c->valuestring) == 0)
			ret = add_text_forms(v, n, dec.data ? dec.data : "", dec.len);
		if (dec.data)
			memset(dec.data, 0, dec.len);
		gitops_buf_release(&dec);
		return ret;
	}
	if (cJSON_IsNumber(c) || cJSON_IsRaw(c)) {
		char *text = cJSON_PrintUnformatted(c);
		ret = text ? add_value(v, n, text, strlen(text)) : -1;
		free(text);
		return ret;
	}
	cJSON_ArrayForEach(e, (cJSON_IsObject(c) || cJSON_IsArray(c) ? c : NULL))
	{
		if (add_secret_value(v, n, e) < 0)
			return -1;
	}
	return 0;
}

static int is_secret(const cJSON *obj)
{
	const char *av = gitops_json_get_string(obj, "apiVersion", NULL);
	const char *kind = gitops_json_get_string(obj, "kind", NULL);

	return av && kind && !strcmp(av, "v1") && !strcmp(kind, "Secret");
}

static int secret_values(char ***v, size_t *n, const cJSON *obj)
{
	static const char *const fields[] = { "data", "stringData" };
	const cJSON *c;
	size_t i;

	if (!is_secret(obj))
		return 0;
	for (i = 0; i < 2; i++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, fields[i]);
		cJSON_ArrayForEach(c, (cJSON_IsObject(m) ? m : NULL))
		{
			if (add_secret_value(v, n, c) < 0)
				return -1;
		}
	}
	return 0;
}

int gitops_kube_request_redact_secret(struct gitops_kube_request *r, const cJSON *obj)
{
	if (secret_values(&r->redact, &r->n_redact, obj) < 0) {
		r->redact_failed = 1;
		return -1;
	}
	return 0;
}

char *gitops_kube_mask(const char *msg, char *const *values, size_t n)
{
	size_t len = strlen(msg), i, p;
	char *hit = calloc(len + 1, 1), *ret = NULL;
	struct gitops_buf out = GITOPS_BUF_INIT;

	if (!hit)
		goto done;
	/* mark every byte some value covers, then write each run of marked bytes as one mask */
	for (i = 0; i < n; i++) {
		size_t vl = strlen(values[i]);
		const char *at;
		for (at = vl ? strstr(msg, values[i]) : NULL; at; at = strstr(at + 1, values[i])) {
			size_t pos = (size_t)(at - msg);
			int quoted = pos > 0 && msg[pos - 1] == '"' &&
				     (msg[pos + vl] == '"' || (msg[pos + vl] == '\\' && msg[pos + vl + 1] == '"'));
			if (vl >= GITOPS_KUBE_MASK_MIN || quoted)
				memset(hit + pos, 1, vl);
		}
	}
	for (p = 0; p < len;) {
		size_t q = p;
		int r;
		if (hit[p]) {
			while (q < len && hit[q])
				q++;
			r = gitops_buf_addstr(&out, "***");
		} else {
			while (q < len && !hit[q])
				q++;
			r = gitops_buf_add(&out, msg + p, q - p);
		}
		if (r < 0)
			goto done;
		p = q;
	}
	ret = gitops_buf_detach(&out);
done:
	free(hit);
	gitops_buf_release(&out);
	return ret;
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
 * What the server says may quote what it was sent (a Secret's values): the
 * values of a Secret in the body, and those the caller listed (the live
 * object), are masked before anything is cut to size.
 */
void gitops_kube_status_message(const struct gitops_kube_request *r, char *buf, size_t size, int *code)
{
	cJSON *st = r->response.len ? cJSON_ParseWithLength(r->response.data, r->response.len) : NULL;
	cJSON *body = r->body && r->body_len ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
	const char *msg = gitops_json_get_string(st, "message", NULL);
	const char *what = r->what ? r->what : r->path;
	const cJSON *causes = gitops_json_get(st, "details", "causes", NULL), *c;
	char **own = NULL, **all = NULL, *masked = NULL;
	size_t n_own = 0, off;
	int oom;

	if (code)
		*code = exit_for_status(r->status);
	oom = r->redact_failed || secret_values(&own, &n_own, body) < 0 ||
	      !(all = malloc((r->n_redact + n_own + 1) * sizeof(*all)));
	if (!oom) {
		if (r->n_redact)
			memcpy(all, r->redact, r->n_redact * sizeof(*all));
		if (n_own)
			memcpy(all + r->n_redact, own, n_own * sizeof(*all));
	}
	if (r->status == 401)
		snprintf(buf, size, "%s: unauthorized: the server does not accept these credentials", what);
	else if (msg && *msg && !oom && (masked = gitops_kube_mask(msg, all, r->n_redact + n_own)))
		snprintf(buf, size, "%s: %s", what, masked);
	else
		snprintf(buf, size, "%s: the server answered HTTP %ld", what, r->status);
	/* 422: which fields, when the message does not already say */
	off = strlen(buf);
	cJSON_ArrayForEach(c, (cJSON_IsArray(causes) && !oom ? causes : NULL))
	{
		const char *field = gitops_json_get_string(c, "field", NULL);
		const char *cm = gitops_json_get_string(c, "message", NULL);
		char *mf = field ? gitops_kube_mask(field, all, r->n_redact + n_own) : NULL;
		char *mc = cm ? gitops_kube_mask(cm, all, r->n_redact + n_own) : NULL;
		if (mf && mc && !strstr(buf, mf) && off + 8 < size) {
			snprintf(buf + off, size - off, "; %s: %s", mf, mc);
			off = strlen(buf);
		}
		free(mf);
		free(mc);
	}
	free(masked);
	free(all);
	free_list(own, n_own);
	cJSON_Delete(body);
	cJSON_Delete(st);
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

/* "30s", "1m30s", "1.5s", "250ms": a duration as it was most likely written */
static void format_duration(char *buf, size_t size, long ms)
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

/* out_of_time: the request's time without an answer ran out (or would, before another attempt) */
static void fail_curl(struct gitops_kube *k, struct slot *s, CURLcode rc, int out_of_time)
{
	struct gitops_kube_request *r = s->req;
	const char *what = r->what ? r->what : r->path;
	const char *detail = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);

	r->failed = 1;
	if (out_of_time && rc == CURLE_OPERATION_TIMEDOUT) {
		char d[32];
		long status = 0;
		format_duration(d, sizeof(d), k->opts.timeout_ms);
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status > 0)
			gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "%s: the answer from %s did not complete within %s",
				       what, k->url_shown, d);
		else
			gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "%s: no answer from %s within %s", what,
				       k->url_shown, d);
	} else if (s->too_big)
		gitops_err_set(&r->err, GITOPS_EXIT_REJECTED, "%s: the answer is larger than %u bytes", what, RESPONSE_MAX);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
		gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "%s: TLS: the server's certificate is not trusted "
			       "(check certificate-authority of the cluster in %s): %s", k->url_shown, k->cfg->source, detail);
	else if (rc == CURLE_SSL_CERTPROBLEM)
		gitops_err_set(&r->err, GITOPS_EXIT_AUTH, "%s: the client certificate or key is unusable: %s", what, detail);
	else
		gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "cannot reach %s: %s", k->url_shown, detail);
}

int gitops_kube_run(struct gitops_kube *k, struct gitops_kube_request *reqs, size_t n, const long *ok_statuses,
		    struct gitops_err *err)
{
	struct slot *slots = calloc(n ? n : 1, sizeof(*slots));
	size_t next = 0, left = n, active = 0, i;
	int ret = 0;

	if (!slots)
		return gitops_err_oom(err);
	if (credentials(k, 0, err) < 0) {
		free(slots);
		return -1;
	}
	for (i = 0; i < n; i++) {
		slots[i].req = &reqs[i];
		reqs[i].status = 0;
		reqs[i].failed = 0;
		reqs[i].attempts = 0;
		reqs[i].err.code = 0;
		reqs[i].err.msg[0] = '\0';
	}
	while (left) {
		long now = now_ms(), wait_ms = 1000;
		int still, msgs;
		CURLMsg *m;

		/* start what may start: new requests first come first served, then retries when due */
		for (i = 0; i < n && active < (size_t)k->limit; i++) {
			struct slot *s = &slots[i];
			if (s->finished || s->active || (i >= next && i != next) || s->due_ms > now)
				continue;
			if (i == next)
				next++;
			if (!s->easy && !(s->easy = curl_easy_init())) {
				ret = gitops_err_oom(err);
				goto done;
			}
			if (k->opts.timeout_ms > 0 && !s->deadline_ms)
				s->deadline_ms = now + k->opts.timeout_ms;
			if (setup_easy(k, s, err) < 0) {
				ret = -1;
				goto done;
			}
			s->req->attempts++;
			curl_multi_add_handle(k->multi, s->easy);
			s->active = 1;
			active++;
		}
		curl_multi_perform(k->multi, &still);
		while ((m = curl_multi_info_read(k->multi, &msgs))) {
			struct slot *s;
			struct gitops_kube_request *r;
			long status = 0;
			int retry = 0;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			r = s->req;
			curl_multi_remove_handle(k->multi, s->easy);
			s->active = 0;
			active--;
			if (m->data.result != CURLE_OK) {
				retry = retryable_curl(m->data.result) && !s->too_big;
				if (!retry || r->attempts > k->opts.retries)
					fail_curl(k, s, m->data.result, s->deadline_ms && now_ms() + 100 >= s->deadline_ms);
			} else {
				s->deadline_ms = 0; /* an answer: the next attempt, if any, gets the whole time again */
				curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
				r->status = status;
				if (status == 401 && !s->auth_retried && (k->cfg->exec || k->cfg->token_file)) {
					/* credentials may have rotated: fetch them again, once */
					s->auth_retried = 1;
					if (refresh_credentials(k) == 0) {
						retry = 1;
						r->attempts--; /* not a failure of the server */
					}
				} else if (status == 429) {
					/* too many requests: fewer at once, and wait as told (a throttled server is
					 * not a failing one: it gets more attempts) */
					k->limit = k->limit > 1 ? k->limit / 2 : 1;
					retry = r->attempts <= k->opts.retries + THROTTLE_EXTRA_RETRIES;
				} else if (status == 502 || status == 503 || status == 504 || (status >= 500 && s->retry_after_ms)) {
					/* busy or not there yet; a plain 500 is an answer, not a hiccup */
					retry = r->attempts <= k->opts.retries;
				} else if (status >= 200 && status < 300 && k->limit < k->opts.parallel) {
					k->limit++;
				}
				if (!retry && (status < 200 || status >= 300)) {
					const long *ok;
					int is_ok = 0;
					for (ok = ok_statuses; ok && *ok; ok++)
						is_ok |= *ok == status;
					if (!is_ok) {
						char msg[GITOPS_ERR_MSG_MAX];
						int code;
						gitops_kube_status_message(r, msg, sizeof(msg), &code);
						gitops_err_set(&r->err, code, "%s", msg);
						r->failed = 1;
					}
				}
			}
			if (retry && !r->failed) {
				long backoff = k->opts.backoff_ms << (r->attempts - 1 < 6 ? r->attempts - 1 : 6);
				if (s->retry_after_ms)
					backoff = s->retry_after_ms < RETRY_AFTER_MAX_MS ? s->retry_after_ms : RETRY_AFTER_MAX_MS;
				/* spread the retries so that they do not all come back at once */
				backoff += (long)(random() % (backoff / 2 + 1));
				s->due_ms = now_ms() + backoff;
				if (!s->deadline_ms || s->due_ms < s->deadline_ms)
					continue;
				/* still no answer, and no time left for another attempt */
				fail_curl(k, s, m->data.result, 1);
			}
			s->finished = 1;
			left--;
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
			if (!slots[i].finished && !slots[i].active && slots[i].due_ms > now && slots[i].due_ms - now < wait_ms)
				wait_ms = slots[i].due_ms - now;
		if (active)
			curl_multi_poll(k->multi, NULL, 0, (int)(wait_ms < 1 ? 1 : wait_ms), NULL);
		else if (wait_ms > 0 && next >= n)
			usleep((useconds_t)wait_ms * 1000);
	}
done:
	for (i = 0; i < n; i++) {
		if (slots[i].easy) {
			if (slots[i].active)
				curl_multi_remove_handle(k->multi, slots[i].easy);
			curl_easy_cleanup(slots[i].easy);
		}
		curl_slist_free_all(slots[i].headers);
		curl_slist_free_all(slots[i].connect_to);
	}
	free(slots);
	return ret;
}

int gitops_kube_do(struct gitops_kube *k, struct gitops_kube_request *req, const long *ok_statuses,
		   struct gitops_err *err)
{
	return gitops_kube_run(k, req, 1, ok_statuses, err);
}
