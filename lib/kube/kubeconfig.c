#include "lib/kube/kubeconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/enc.h"
#include "lib/k8s/object.h"
#include "lib/yaml/yaml.h"

#define KUBECONFIG_MAX (16u << 20)
#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct kfile {
	char *path;
	char *dir;
	cJSON *root;
};

struct kfiles {
	struct kfile *v;
	size_t n;
};

static void kfiles_release(struct kfiles *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].dir);
		cJSON_Delete(f->v[i].root);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

char *gitops_kubeconfig_url_redact(const char *url)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *scheme = strstr(url, "://"), *auth, *end, *at, *p;

	auth = scheme ? scheme + 3 : url;
	end = auth + strcspn(auth, "/?#");
	gitops_buf_add(&b, url, (size_t)(auth - url));
	/* user info: up to the last '@' of the authority */
	for (at = NULL, p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon)
			gitops_buf_add(&b, auth, (size_t)(colon - auth));
		gitops_buf_addstr(&b, colon ? ":***@" : "***@");
		auth = at + 1;
	}
	p = end + strcspn(end, "?#");
	gitops_buf_add(&b, auth, (size_t)(p - auth));
	if (*p == '?') {
		/* every parameter's value: key=***, or *** for one without a key */
		gitops_buf_addstr(&b, "?");
		for (p++; *p && *p != '#';) {
			size_t n = strcspn(p, "&#"), k = strcspn(p, "=&#");
			if (k < n)
				gitops_buf_printf(&b, "%.*s=***", (int)k, p);
			else if (n)
				gitops_buf_addstr(&b, "***");
			p += n;
			if (*p == '&') {
				gitops_buf_addstr(&b, "&");
				p++;
			}
		}
	}
	if (*p == '#')
		gitops_buf_addstr(&b, "#***");
	return gitops_buf_detach(&b);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* path as written, or joined to the kubeconfig's folder when relative */
static char *resolve_path(const char *dir, const char *path)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (path[0] == '/' || !dir)
		return strdup(path);
	if (path[0] == '~' && path[1] == '/' && getenv("HOME")) {
		gitops_buf_printf(&b, "%s/%s", getenv("HOME"), path + 2);
		return b.data;
	}
	if (gitops_buf_printf(&b, "%s/%s", dir, path) < 0) {
		gitops_buf_release(&b);
		return NULL;
	}
	return b.data;
}

static int load_file(struct kfiles *files, const char *path, int must_exist, struct gitops_err *err)
{
	struct gitops_buf text = GITOPS_BUF_INIT;
	struct kfile *v;
	cJSON *root = NULL;
	int ret = -1;

	if (access(path, F_OK) < 0 && !must_exist)
		return 0;
	if (gitops_buf_read_file(&text, path, KUBECONFIG_MAX, err) < 0)
		goto done;
	if (gitops_yaml_parse_one(&root, text.data, text.len, path, NULL, err) < 0)
		goto done;
	if (root && !cJSON_IsObject(root)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: a kubeconfig must be a mapping", path);
		goto done;
	}
	v = realloc(files->v, (files->n + 1) * sizeof(*v));
	if (!v) {
		gitops_err_oom(err);
		goto done;
	}
	files->v = v;
	v[files->n].path = strdup(path);
	v[files->n].dir = dir_of(path);
	v[files->n].root = root;
	root = NULL;
	files->n++;
	ret = 0;
done:
	cJSON_Delete(root);
	gitops_buf_release(&text);
	return ret;
}

/* The entry `name` of list `list` ("clusters", "users", "contexts") in the first file that has it. */
static const cJSON *find_named(const struct kfiles *files, const char *list, const char *field, const char *name,
			       const struct kfile **from)
{
	size_t i;

	for (i = 0; i < files->n; i++) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(files->v[i].root, list), *e;
		cJSON_ArrayForEach(e, (cJSON_IsArray(l) ? l : NULL))
		{
			const char *n = gitops_json_get_string(e, "name", NULL);
			if (n && !strcmp(n, name)) {
				*from = &files->v[i];
				return cJSON_GetObjectItemCaseSensitive(e, field);
			}
		}
	}
	return NULL;
}

static int dup_field(char **out, const cJSON *obj, const char *key, const char *where, struct gitops_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: %s must be a string", where, key);
	*out = strdup(v->valuestring);
	return *out ? 0 : gitops_err_oom(err);
}

/* PEM from `<key>-data` (base64) or the file `<key>` */
static int load_pem(struct gitops_buf *out, const cJSON *obj, const char *key, const struct kfile *f,
		    const char *where, struct gitops_err *err)
{
	char data_key[64];
	const char *data, *file;

	snprintf(data_key, sizeof(data_key), "%s-data", key);
	data = gitops_json_get_string(obj, data_key, NULL);
	file = gitops_json_get_string(obj, key, NULL);
	if (data && *data) {
		if (gitops_base64_decode(out, data) < 0)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: %s is not valid base64", where, data_key);
		return 0;
	}
	if (file && *file) {
		char *path = resolve_path(f->dir, file);
		int ret;
		if (!path)
			return gitops_err_oom(err);
		ret = gitops_buf_read_file(out, path, KUBECONFIG_MAX, err);
		if (ret < 0)
			gitops_err_prefix(err, "%s: %s", where, key);
		free(path);
		return ret;
	}
	return 0;
}

int gitops_kubeconfig_read_token(char **out, const char *path, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (gitops_buf_read_file(&b, path, 1u << 20, err) < 0)
		return -1;
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	if (*out)
		memset(*out, 0, strlen(*out));
	free(*out);
	*out = b.data;
	return 0;
}

static char **string_list(const cJSON *arr)
{
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	char **v = calloc(n + 1, sizeof(*v));
	const cJSON *e;

	if (!v)
		return NULL;
	cJSON_ArrayForEach(e, arr)
	{
		if (cJSON_IsString(e))
			v[i++] = strdup(e->valuestring);
		else if (cJSON_IsObject(e)) {
			/* exec env: {name, value} */
			const char *name = gitops_json_get_string(e, "name", NULL);
			const char *value = gitops_json_get_string(e, "value", NULL);
			struct gitops_buf b = GITOPS_BUF_INIT;
			if (!name)
				continue;
			gitops_buf_printf(&b, "%s=%s", name, value ? value : "");
			v[i++] = b.data;
		}
	}
	return v;
}

static void free_list(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void exec_free(struct gitops_kube_exec *e)
{
	if (!e)
		return;
	free(e->command);
	free_list(e->args);
	free_list(e->env);
	free(e->api_version);
	free(e->dir);
	free(e);
}

void gitops_kubeconfig_free(struct gitops_kube_config *c)
{
	if (!c)
		return;
	free(c->source);
	free(c->context);
	free(c->namespace);
	free(c->server);
	gitops_buf_release(&c->ca);
	free(c->tls_server_name);
	free(c->proxy_url);
	gitops_buf_release(&c->client_cert);
	gitops_buf_release(&c->client_key);
	if (c->token)
		memset(c->token, 0, strlen(c->token));
	free(c->token);
	free(c->token_file);
	free(c->username);
	if (c->password)
		memset(c->password, 0, strlen(c->password));
	free(c->password);
	exec_free(c->exec);
	free(c);
}

static int load_exec(struct gitops_kube_config *c, const cJSON *ex, const struct kfile *f, const char *where,
		     struct gitops_err *err)
{
	struct gitops_kube_exec *e = calloc(1, sizeof(*e));
	const cJSON *v;

	if (!e)
		return gitops_err_oom(err);
	c->exec = e;
	if (dup_field(&e->command, ex, "command", where, err) < 0 || dup_field(&e->api_version, ex, "apiVersion", where, err) < 0)
		return -1;
	if (!e->command || !*e->command)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: exec has no command", where);
	if (!e->api_version)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: exec has no apiVersion", where);
	if (strcmp(e->api_version, "client.authentication.k8s.io/v1") &&
	    strcmp(e->api_version, "client.authentication.k8s.io/v1beta1"))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: exec apiVersion '%s' is not supported "
				      "(client.authentication.k8s.io/v1 or v1beta1)", where, e->api_version);
	v = cJSON_GetObjectItemCaseSensitive(ex, "args");
	e->args = string_list(cJSON_IsArray(v) ? v : NULL);
	v = cJSON_GetObjectItemCaseSensitive(ex, "env");
	e->env = string_list(cJSON_IsArray(v) ? v : NULL);
	e->provide_cluster_info = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ex, "provideClusterInfo"));
	e->dir = strdup(f->dir);
	if (!e->args || !e->env || !e->dir)
		return gitops_err_oom(err);
	return 0;
}

static int from_files(struct gitops_kube_config *c, const struct kfiles *files, const struct gitops_kube_options *opts,
		      struct gitops_err *err)
{
	const char *ctx_name = opts->context, *cluster_name, *user_name, *ns;
	const struct kfile *cf = NULL, *clf = NULL, *uf = NULL;
	const cJSON *ctx, *cluster, *user = NULL, *v;
	char where[512];
	size_t i;

	for (i = 0; !ctx_name && i < files->n; i++) {
		const char *cur = gitops_json_get_string(files->v[i].root, "current-context", NULL);
		if (cur && *cur)
			ctx_name = cur;
	}
	if (!ctx_name)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: no current-context is set (use --context)",
				      files->v[0].path);
	ctx = find_named(files, "contexts", "context", ctx_name, &cf);
	if (!cJSON_IsObject(ctx))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "context '%s' is not defined in %s%s", ctx_name,
				      files->v[0].path, files->n > 1 ? " (or the other KUBECONFIG files)" : "");
	snprintf(where, sizeof(where), "%s: context '%s'", cf->path, ctx_name);
	if (!(c->context = strdup(ctx_name)) || !(c->source = strdup(cf->path)))
		return gitops_err_oom(err);
	cluster_name = gitops_json_get_string(ctx, "cluster", NULL);
	user_name = gitops_json_get_string(ctx, "user", NULL);
	ns = gitops_json_get_string(ctx, "namespace", NULL);
	if (!cluster_name || !*cluster_name)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s names no cluster", where);
	cluster = find_named(files, "clusters", "cluster", cluster_name, &clf);
	if (!cJSON_IsObject(cluster))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s names cluster '%s', which is not defined", where,
				      cluster_name);
	if (user_name && *user_name) {
		user = find_named(files, "users", "user", user_name, &uf);
		if (!cJSON_IsObject(user))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s names user '%s', which is not defined", where,
					      user_name);
	}

	snprintf(where, sizeof(where), "%s: cluster '%s'", clf->path, cluster_name);
	if (dup_field(&c->server, cluster, "server", where, err) < 0 ||
	    dup_field(&c->tls_server_name, cluster, "tls-server-name", where, err) < 0 ||
	    dup_field(&c->proxy_url, cluster, "proxy-url", where, err) < 0 ||
	    load_pem(&c->ca, cluster, "certificate-authority", clf, where, err) < 0)
		return -1;
	if (!c->server || !*c->server)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s has no server", where);
	c->insecure = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cluster, "insecure-skip-tls-verify"));

	if (user) {
		snprintf(where, sizeof(where), "%s: user '%s'", uf->path, user_name);
		if (load_pem(&c->client_cert, user, "client-certificate", uf, where, err) < 0 ||
		    load_pem(&c->client_key, user, "client-key", uf, where, err) < 0 ||
		    dup_field(&c->token, user, "token", where, err) < 0 ||
		    dup_field(&c->username, user, "username", where, err) < 0 ||
		    dup_field(&c->password, user, "password", where, err) < 0)
			return -1;
		if (!!c->client_cert.len != !!c->client_key.len)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s has a client %s but no client %s", where,
					      c->client_cert.len ? "certificate" : "key",
					      c->client_cert.len ? "key" : "certificate");
		v = cJSON_GetObjectItemCaseSensitive(user, "tokenFile");
		if (cJSON_IsString(v) && *v->valuestring && !c->token) {
			if (!(c->token_file = resolve_path(uf->dir, v->valuestring)))
				return gitops_err_oom(err);
			if (gitops_kubeconfig_read_token(&c->token, c->token_file, err) < 0)
				return gitops_err_prefix(err, "%s: tokenFile", where);
		}
		v = cJSON_GetObjectItemCaseSensitive(user, "exec");
		if (cJSON_IsObject(v) && load_exec(c, v, uf, where, err) < 0)
			return -1;
		v = cJSON_GetObjectItemCaseSensitive(user, "auth-provider");
		if (v && !cJSON_IsNull(v))
			return gitops_err_set(err, GITOPS_EXIT_USAGE,
					      "%s uses auth-provider '%s', which gitops does not support: use an exec plugin",
					      where, gitops_json_get_string(v, "name", NULL) ? gitops_json_get_string(v, "name", NULL) : "?");
	}
	if (opts->namespace && *opts->namespace)
		ns = opts->namespace;
	c->namespace = strdup(ns && *ns ? ns : "default");
	return c->namespace ? 0 : gitops_err_oom(err);
}

static int in_cluster(struct gitops_kube_config *c, const struct gitops_kube_options *opts, struct gitops_err *err)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("GITOPS_SERVICEACCOUNT_DIR");
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *ns = NULL;

	if (!dir || !*dir)
		dir = SA_DIR;
	gitops_buf_printf(&b, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
	c->server = gitops_buf_detach(&b);
	if (!(c->source = strdup("in-cluster")) || !(c->context = strdup("")))
		return gitops_err_oom(err);
	gitops_buf_printf(&b, "%s/token", dir);
	c->token_file = gitops_buf_detach(&b);
	if (!c->token_file || gitops_kubeconfig_read_token(&c->token, c->token_file, err) < 0)
		return gitops_err_prefix(err, "in-cluster service account");
	gitops_buf_printf(&b, "%s/ca.crt", dir);
	if (gitops_buf_read_file(&c->ca, b.data, KUBECONFIG_MAX, err) < 0) {
		gitops_buf_release(&b);
		return gitops_err_prefix(err, "in-cluster service account");
	}
	b.len = 0;
	gitops_buf_printf(&b, "%s/namespace", dir);
	if (access(b.data, R_OK) == 0) {
		struct gitops_err ignore;
		gitops_kubeconfig_read_token(&ns, b.data, &ignore);
	}
	gitops_buf_release(&b);
	c->namespace = strdup(opts->namespace && *opts->namespace ? opts->namespace : ns && *ns ? ns : "default");
	free(ns);
	return c->namespace ? 0 : gitops_err_oom(err);
}

int gitops_kubeconfig_load(struct gitops_kube_config **out, const struct gitops_kube_options *opts,
			   struct gitops_err *err)
{
	struct gitops_kube_config *c = calloc(1, sizeof(*c));
	struct kfiles files = { NULL, 0 };
	const char *env = getenv("KUBECONFIG");
	int ret = -1;

	if (!c)
		return gitops_err_oom(err);
	if (opts->kubeconfig) {
		if (load_file(&files, opts->kubeconfig, 1, err) < 0)
			goto done;
	} else if (env && *env) {
		char *list = strdup(env), *p, *save = NULL;
		if (!list) {
			gitops_err_oom(err);
			goto done;
		}
		for (p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save))
			if (load_file(&files, p, 0, err) < 0) {
				free(list);
				goto done;
			}
		free(list);
		/* files KUBECONFIG names may be missing (kubectl merges those that exist), but not
		 * all of them: a KUBECONFIG that points nowhere fails as --kubeconfig does */
		if (!files.n) {
			gitops_err_set(err, GITOPS_EXIT_IO, "KUBECONFIG=%s: no such file", env);
			goto done;
		}
	} else if (getenv("HOME")) {
		struct gitops_buf path = GITOPS_BUF_INIT;
		gitops_buf_printf(&path, "%s/.kube/config", getenv("HOME"));
		ret = load_file(&files, path.data, 0, err);
		gitops_buf_release(&path);
		if (ret < 0)
			goto done;
		ret = -1;
	}
	if (files.n) {
		if (from_files(c, &files, opts, err) < 0)
			goto done;
	} else if (getenv("KUBERNETES_SERVICE_HOST") && getenv("KUBERNETES_SERVICE_PORT")) {
		if (in_cluster(c, opts, err) < 0)
			goto done;
	} else {
		gitops_err_set(err, GITOPS_EXIT_IO, "no kubeconfig found: set KUBECONFIG, use --kubeconfig, "
			       "or run inside a cluster");
		goto done;
	}
	*out = c;
	c = NULL;
	ret = 0;
done:
	kfiles_release(&files);
	gitops_kubeconfig_free(c);
	return ret;
}
