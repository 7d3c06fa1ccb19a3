/* kube.c: the Kubernetes client on lib/http: credentials, exec plugins, Status errors, Secret masking. */
#include "lib/kube/kube.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/enc.h"
#include "lib/base/time.h"
#include "lib/net/http.h"
#include "lib/k8s/object.h"
#include "lib/value/value.h"
#include "lib/value/jsonio.h"

#define RESPONSE_MAX (256u << 20)
#define EXEC_OUTPUT_MAX (1u << 20)
#define EXEC_TIMEOUT_MS 60000

extern char **environ;

struct gitops_kube {
	struct gitops_kube_config *cfg;
	struct gitops_kube_client_options opts;
	struct gitops_http *http;
	char *url_base;          /* server without a trailing '/' */
	char *url_shown;         /* the same for messages: no password, no query values */
	char *connect_to;        /* for tls-server-name */
	/* credentials from an exec plugin */
	char *exec_token;
	struct gitops_buf exec_cert, exec_key;
	time_t exec_expiry;      /* 0: none given */
	int exec_done;
};

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
	free(r->where);
	r->where = NULL;
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
	gitops_http_free(k->http);
	gitops_kubeconfig_free(k->cfg);
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
		gitops_kubeconfig_free(cfg);
		return gitops_err_oom(err);
	}
	k->cfg = cfg;
	k->opts = opts ? *opts : def;
	if (k->opts.parallel < 1)
		k->opts.parallel = 1;
	if (strncmp(cfg->server, "https://", 8) && strncmp(cfg->server, "http://", 7)) {
		char *shown = gitops_kubeconfig_url_redact(cfg->server);
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
	k->url_shown = k->url_base ? gitops_kubeconfig_url_redact(k->url_base) : NULL;
	if (!k->url_base || !k->url_shown) {
		gitops_kube_free(k);
		return gitops_err_oom(err);
	}
	{
		struct gitops_http_options ho = GITOPS_HTTP_OPTIONS_INIT;
		ho.parallel = k->opts.parallel;
		ho.adaptive = k->opts.adaptive;
		ho.initial = 32;
		ho.timeout_ms = k->opts.timeout_ms;
		ho.connect_timeout_ms = k->opts.connect_timeout_ms;
		ho.retries = k->opts.retries;
		ho.backoff_ms = k->opts.backoff_ms;
		ho.backoff_max_ms = k->opts.backoff_ms << 6;
		ho.response_max = RESPONSE_MAX;
		ho.user_agent = k->opts.user_agent;
		ho.ca_data = cfg->ca.len ? cfg->ca.data : NULL;
		ho.ca_len = cfg->ca.len;
		ho.insecure = cfg->insecure;
		ho.connect_to = k->connect_to;
		ho.proxy = cfg->proxy_url; /* kubeconfig says where to go; no *_proxy guessing */
		ho.env_proxy = 0;
		if (gitops_http_new(&k->http, &ho, err) < 0) {
			gitops_kube_free(k);
			return -1;
		}
	}
	*out = k;
	return 0;
}

/* ------------------------------------------------------------ exec plugins */

/* RFC 3339 ("2026-11-26T10:00:00Z", fraction and offset allowed) to time_t; -1 when malformed */
static time_t parse_rfc3339(const char *s)
{
	int64_t t;

	return gitops_time_rfc3339(s, &t, NULL) < 0 ? (time_t)-1 : (time_t)t;
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
	s = gitops_json_text(root);
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
	cred = out.data ? gitops_json_read(out.data, strlen(out.data)) : NULL;
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
	return gitops_kubeconfig_read_token(&k->cfg->token, k->cfg->token_file, &ignore);
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
	char *enc = NULL;
	size_t i;
	int ret = -1;

	if (!len || memchr(s, '\0', len))
		return 0;
	if (add_value(v, n, s, len) < 0 || gitops_base64_encode(&enc, s, len, 0) < 0)
		goto done;
	if (add_value(v, n, enc, strlen(enc)) < 0)
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
	if (cJSON_IsNumber(c)) {
		char text[64];

		if (c->type & GITOPS_VALUE_INT)
			gitops_value_format_number(text, sizeof(text), c);
		else
			gitops_value_format_float(text, sizeof(text), c->valuedouble, GITOPS_FLOAT_JSON);
		return add_value(v, n, text, strlen(text));
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
static void status_text(const struct gitops_kube_request *r, char *buf, size_t size, int *code)
{
	cJSON *st = r->response.len ? gitops_json_read(r->response.data, r->response.len) : NULL;
	cJSON *body = r->body && r->body_len ? gitops_json_read(r->body, r->body_len) : NULL;
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
		snprintf(buf, size, "%s%s%s%s: unauthorized: the server does not accept these credentials", what,
			 r->where ? " (" : "", r->where ? r->where : "", r->where ? ")" : "");
	else if (msg && *msg && !oom && (masked = gitops_kube_mask(msg, all, r->n_redact + n_own)))
		snprintf(buf, size, "%s%s%s%s: %s", what, r->where ? " (" : "", r->where ? r->where : "",
			 r->where ? ")" : "", masked);
	else
		snprintf(buf, size, "%s%s%s%s: the server answered HTTP %ld", what, r->where ? " (" : "",
			 r->where ? r->where : "", r->where ? ")" : "", r->status);
	off = strlen(buf);
	/* an apply that would create the object is authorised as a create too, and the server's
	 * message then ends at "is forbidden:", naming no verb (Kubernetes 1.20 and later) */
	if (r->status == 403 && r->content_type && !strcmp(r->content_type, GITOPS_KUBE_APPLY_PATCH)) {
		while (off && buf[off - 1] == ' ')
			buf[--off] = '\0';
		if (off >= 10 && !strcmp(buf + off - 10, "forbidden:"))
			snprintf(buf + off, size - off, " creating it by server-side apply needs the \"create\" verb");
		off = strlen(buf);
	}
	/* 422: which fields, when the message does not already say */
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
	/* what to do about the refusals a sync meets most */
	off = strlen(buf);
	if (off + 8 < size && msg && r->content_type && !strcmp(r->content_type, GITOPS_KUBE_APPLY_PATCH)) {
		const char *hint = NULL;
		if (r->status == 409 && strstr(msg, "conflict"))
			hint = "another field manager owns these fields: --force-conflicts takes them over";
		else if (strstr(msg, "omits key field \"protocol\""))
			hint = "set protocol (TCP) on every port: servers before Kubernetes 1.21 need it for "
			       "server-side apply";
		else if (strstr(msg, "omits key field"))
			hint = "set the named key field on every element: server-side apply merges the list by it";
		if (hint)
			snprintf(buf + off, size - off, " (hint: %s)", hint);
	}
	free(masked);
	free(all);
	free_list(own, n_own);
	cJSON_Delete(body);
	cJSON_Delete(st);
}

void gitops_kube_status_error(struct gitops_err *out, const struct gitops_kube_request *r)
{
	status_text(r, out->msg, sizeof(out->msg), &out->code);
}

/* ------------------------------------------------------------ requests */

/* One Kubernetes request on its way through lib/http. */
struct call {
	struct gitops_kube *k;
	struct gitops_kube_request *kr;
	const long *ok_statuses;
	char *url;
	char *lines[3];          /* header lines, owned */
	const char *headers[4];
	int auth_retried;
};

static void call_release(struct call *c)
{
	size_t i;

	free(c->url);
	for (i = 0; i < 3; i++) {
		if (c->lines[i])
			memset(c->lines[i], 0, strlen(c->lines[i]));
		free(c->lines[i]);
		c->lines[i] = NULL;
	}
}

/* Before each attempt: the credentials in force now (an exec plugin's may have rotated). */
static int prepare(struct gitops_http_request *r, struct gitops_err *err)
{
	struct call *c = r->ctx;
	struct gitops_kube *k = c->k;
	const struct gitops_kube_config *cfg = k->cfg;
	const char *token = k->exec_token ? k->exec_token : cfg->token;
	const struct gitops_buf *cert = k->exec_cert.len ? &k->exec_cert : &cfg->client_cert;
	const struct gitops_buf *key = k->exec_key.len ? &k->exec_key : &cfg->client_key;
	size_t i, m = 0;

	for (i = 0; i < 3; i++) {
		if (c->lines[i])
			memset(c->lines[i], 0, strlen(c->lines[i]));
		free(c->lines[i]);
		c->lines[i] = NULL;
	}
	if (!(c->lines[m++] = strdup("Accept: application/json")))
		return gitops_err_oom(err);
	if (c->kr->content_type && asprintf(&c->lines[m++], "Content-Type: %s", c->kr->content_type) < 0) {
		c->lines[--m] = NULL;
		return gitops_err_oom(err);
	}
	r->username = r->password = NULL;
	if (token && *token) {
		if (asprintf(&c->lines[m++], "Authorization: Bearer %s", token) < 0) {
			c->lines[--m] = NULL;
			return gitops_err_oom(err);
		}
	} else if (cfg->username && cfg->password) {
		r->username = cfg->username;
		r->password = cfg->password;
	}
	for (i = 0; i < m; i++)
		c->headers[i] = c->lines[i];
	c->headers[m] = NULL;
	r->headers = c->headers;
	gitops_http_set_client_cert(k->http, cert->data, cert->len, key->data, key->len);
	return 0;
}

/* After each answer: a 401 may mean the credentials rotated; fetch them again, once. */
static int answered(struct gitops_http_request *r)
{
	struct call *c = r->ctx;

	if (r->status == 401 && !c->auth_retried && (c->k->cfg->exec || c->k->cfg->token_file)) {
		c->auth_retried = 1;
		if (refresh_credentials(c->k) == 0)
			return GITOPS_HTTP_AGAIN;
	}
	return 0;
}

/* No usable answer, in the words of a kubectl user: the server as kubeconfig names it, the request's name. */
static void fail_transfer(struct call *c, struct gitops_http_request *r)
{
	struct gitops_kube *k = c->k;
	const char *what = c->kr->what ? c->kr->what : c->kr->path;

	if (r->out_of_time) {
		char d[32];
		gitops_http_format_duration(d, sizeof(d), k->opts.timeout_ms);
		if (r->partial)
			gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "%s: the answer from %s did not complete within %s",
				       what, k->url_shown, d);
		else
			gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "%s: no answer from %s within %s", what,
				       k->url_shown, d);
	} else if (r->too_big) {
		gitops_err_set(&r->err, GITOPS_EXIT_REJECTED, "%s: the answer is larger than %u bytes", what, RESPONSE_MAX);
	} else if (r->err.code == GITOPS_EXIT_UNREACHABLE && strstr(r->err.msg, ": TLS: ")) {
		gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "%s: TLS: the server's certificate is not trusted "
			       "(check certificate-authority of the cluster in %s): %s", k->url_shown, k->cfg->source,
			       r->curl_error);
	} else if (r->err.code == GITOPS_EXIT_AUTH) {
		gitops_err_set(&r->err, GITOPS_EXIT_AUTH, "%s: the client certificate or key is unusable: %s", what,
			       r->curl_error);
	} else {
		gitops_err_set(&r->err, GITOPS_EXIT_UNREACHABLE, "cannot reach %s: %s", k->url_shown, r->curl_error);
	}
}

/* Done: the answer to the Kubernetes request, judged (ok_statuses) and put in the server's words. */
static void finished(struct gitops_http_request *r)
{
	struct call *c = r->ctx;
	struct gitops_kube_request *kr = c->kr;
	struct gitops_buf t = kr->response;

	kr->response = r->response;
	r->response = t;
	kr->status = r->curl_code ? 0 : r->status;
	kr->attempts = r->attempts;
	if (r->failed) {
		fail_transfer(c, r);
	} else if (r->status < 200 || r->status >= 300) {
		const long *ok;
		int is_ok = 0;
		for (ok = c->ok_statuses; ok && *ok; ok++)
			is_ok |= *ok == r->status;
		if (!is_ok) {
			gitops_kube_status_error(&r->err, kr);
			r->failed = 1;
		}
	}
	kr->failed = r->failed;
	kr->err = r->err;
}

int gitops_kube_run(struct gitops_kube *k, struct gitops_kube_request *reqs, size_t n, const long *ok_statuses,
		    struct gitops_err *err)
{
	static const struct gitops_http_hooks hooks = { .prepare = prepare, .answered = answered, .finished = finished };
	struct gitops_http_request *hr = calloc(n ? n : 1, sizeof(*hr));
	struct call *calls = calloc(n ? n : 1, sizeof(*calls));
	size_t i;
	int ret = -1;

	if (!hr || !calls) {
		gitops_err_oom(err);
		goto done;
	}
	if (credentials(k, 0, err) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		struct gitops_kube_request *kr = &reqs[i];
		kr->status = 0;
		kr->failed = 0;
		kr->attempts = 0;
		kr->err.code = 0;
		kr->err.msg[0] = '\0';
		calls[i].k = k;
		calls[i].kr = kr;
		calls[i].ok_statuses = ok_statuses;
		if (asprintf(&calls[i].url, "%s%s", k->url_base, kr->path) < 0) {
			calls[i].url = NULL;
			gitops_err_oom(err);
			goto done;
		}
		hr[i].method = kr->method;
		hr[i].url = calls[i].url;
		hr[i].body = kr->body;
		hr[i].body_len = kr->body_len;
		hr[i].ctx = &calls[i];
	}
	ret = gitops_http_run(k->http, hr, n, &hooks, err);
done:
	for (i = 0; hr && calls && i < n; i++) {
		gitops_http_request_release(&hr[i]);
		call_release(&calls[i]);
	}
	free(hr);
	free(calls);
	return ret;
}

int gitops_kube_do(struct gitops_kube *k, struct gitops_kube_request *req, const long *ok_statuses,
		   struct gitops_err *err)
{
	return gitops_kube_run(k, req, 1, ok_statuses, err);
}
