/*
 * The cluster client against a real API server (scripts/testenv): every
 * kubeconfig form proven by a real request, the errors of wrong CA, bad or
 * expired credentials, RBAC, a server that is down; discovery; parallel
 * requests.  Needs `eval "$(scripts/testenv env)"`.
 */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "tests/unit/check_main.h"
#include "lib/kube/kube.h"
#include "lib/kube/kube_discovery.h"
#include "lib/kube/kube_rest.h"
#include "lib/kube/kubeconfig.h"
#include "lib/k8s/object.h"

static char tmpdir[] = "/tmp/gitops-kube-test-XXXXXX";
static const char *server, *ca, *admin_cert, *admin_key, *admin_token, *bob_token;

static const char *env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v && *v, "%s is not set: run under scripts/testenv", name);
	return v;
}

static void setup(void)
{
	server = env("GITOPS_TESTENV_SERVER");
	ca = env("GITOPS_TESTENV_CA");
	admin_cert = env("GITOPS_TESTENV_ADMIN_CERT");
	admin_key = env("GITOPS_TESTENV_ADMIN_KEY");
	admin_token = env("GITOPS_TESTENV_ADMIN_TOKEN");
	bob_token = env("GITOPS_TESTENV_BOB_TOKEN");
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(tmpdir, "/tmp/gitops-kube-test-XXXXXX");
}

static char *path_in(const char *name)
{
	static char p[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(p[i], sizeof(p[i]), "%s/%s", tmpdir, name);
	return p[i];
}

static void write_file(const char *path, const char *text, int mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static char *b64_file(const char *path)
{
	struct gitops_buf in = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out;

	ck_assert_int_eq(gitops_buf_read_file(&in, path, 1 << 20, &err), 0);
	out = malloc(in.len * 2 + 4);
	EVP_EncodeBlock((unsigned char *)out, (unsigned char *)in.data, (int)in.len);
	gitops_buf_release(&in);
	return out;
}

/* A kubeconfig with one context "t": cluster lines and user lines are YAML snippets (indented 4). */
static const char *kubeconfig(const char *name, const char *cluster, const char *user, const char *ns)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *path = path_in(name);

	gitops_buf_printf(&b, "apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster:\n%s"
			      "users:\n- name: u\n  user:\n%s"
			      "contexts:\n- name: t\n  context:\n    cluster: c\n    user: u\n%s%s%s",
			  cluster, user, ns ? "    namespace: " : "", ns ? ns : "", ns ? "\n" : "");
	write_file(path, b.data, 0600);
	gitops_buf_release(&b);
	return path;
}

static const char *std_cluster(void)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "    server: %s\n    certificate-authority: %s\n", server, ca);
	return buf;
}

static const char *token_user(const char *token)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "    token: %s\n", token);
	return buf;
}

/* GET path with the config at `kcfg`: returns the HTTP status (0: no answer), err filled on failure. */
static long get_with(const char *kcfg, const char *context, const char *path, struct gitops_err *err,
		     struct gitops_kube **keep)
{
	struct gitops_kube_options o = { kcfg, context, NULL };
	struct gitops_kube_client_options co = GITOPS_KUBE_CLIENT_OPTIONS_INIT;
	struct gitops_kube_config *cfg = NULL;
	struct gitops_kube *k = NULL;
	struct gitops_kube_request r;
	long status;

	co.retries = 1;
	co.backoff_ms = 10;
	co.connect_timeout_ms = 2000;
	err->msg[0] = '\0';
	if (gitops_kubeconfig_load(&cfg, &o, err) < 0)
		return -1;
	if (gitops_kube_new(&k, cfg, &co, err) < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.path = strdup(path);
	r.what = "test";
	gitops_kube_do(k, &r, NULL, err);
	status = r.status;
	gitops_kube_request_release(&r);
	if (keep)
		*keep = k;
	else
		gitops_kube_free(k);
	return status;
}

START_TEST(test_client_certificate_files)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char user[1024];

	snprintf(user, sizeof(user), "    client-certificate: %s\n    client-key: %s\n", admin_cert, admin_key);
	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), user, NULL), NULL, "/api/v1/namespaces/default", &err, NULL),
			 200);
}
END_TEST

START_TEST(test_client_certificate_data)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char cluster[8192], user[16384];
	char *cad = b64_file(ca), *cd = b64_file(admin_cert), *kd = b64_file(admin_key);

	snprintf(cluster, sizeof(cluster), "    server: %s\n    certificate-authority-data: %s\n", server, cad);
	snprintf(user, sizeof(user), "    client-certificate-data: %s\n    client-key-data: %s\n", cd, kd);
	ck_assert_int_eq(get_with(kubeconfig("k", cluster, user, NULL), NULL, "/api/v1/namespaces/default", &err, NULL), 200);
	free(cad);
	free(cd);
	free(kd);
}
END_TEST

START_TEST(test_token_and_rbac)
{
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), token_user(admin_token), NULL), NULL,
				  "/api/v1/namespaces/default/secrets", &err, NULL), 200);
	/* bob may not list secrets: 403 with the RBAC reason, exit class auth */
	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), token_user(bob_token), NULL), NULL,
				  "/api/v1/namespaces/default/secrets", &err, NULL), 403);
	ck_assert_int_eq(err.code, GITOPS_EXIT_AUTH);
	ck_assert_msg(strstr(err.msg, "test: secrets is forbidden: User \"bob\" cannot list resource \"secrets\""),
		      "%s", err.msg);
	ck_assert_ptr_null(strstr(err.msg, bob_token));
}
END_TEST

START_TEST(test_bad_token)
{
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), token_user("not-a-token"), NULL), NULL,
				  "/api/v1/namespaces", &err, NULL), 401);
	ck_assert_int_eq(err.code, GITOPS_EXIT_AUTH);
	ck_assert_str_eq(err.msg, "test: unauthorized: the server does not accept these credentials");
}
END_TEST

START_TEST(test_token_file)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char user[512];

	write_file(path_in("tok"), admin_token, 0600);
	write_file(path_in("tok-nl"), "", 0600);
	snprintf(user, sizeof(user), "    tokenFile: tok\n"); /* relative to the kubeconfig's folder */
	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), user, NULL), NULL, "/api/v1/namespaces", &err, NULL), 200);
	snprintf(user, sizeof(user), "    tokenFile: missing-file\n");
	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), user, NULL), NULL, "/api/v1/namespaces", &err, NULL), -1);
	ck_assert_msg(strstr(err.msg, "user 'u': tokenFile:") && strstr(err.msg, "No such file"), "%s", err.msg);
}
END_TEST

static const char *exec_user(const char *script, const char *api_version)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "    exec:\n      apiVersion: %s\n      command: ./%s\n      args: [one, two]\n"
				   "      env:\n      - name: TEST_TOKEN\n        value: %s\n      - name: HOME\n        value: /from/kubeconfig\n",
		 api_version, script, admin_token);
	return buf;
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int c, n = 0;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

START_TEST(test_exec_plugin)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_kube *k = NULL;
	struct gitops_kube_request reqs[20];
	char script[1024];
	const char *versions[] = { "client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1" };
	int v, i;

	for (v = 0; v < 2; v++) {
		snprintf(script, sizeof(script),
			 "#!/bin/sh\n[ \"$1 $2\" = \"one two\" ] || exit 3\n[ \"$HOME\" = /from/kubeconfig ] || exit 5\necho run >> %s\n"
			 "case \"$KUBERNETES_EXEC_INFO\" in *'\"apiVersion\":\"%s\"'*) ;; *) exit 4;; esac\n"
			 "printf '{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%%s\","
			 "\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}' \"$TEST_TOKEN\"\n",
			 path_in("runs"), versions[v], versions[v]);
		write_file(path_in("plugin.sh"), script, 0755);
		unlink(path_in("runs"));
		ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), exec_user("plugin.sh", versions[v]), NULL), NULL,
					  "/api/v1/namespaces", &err, &k), 200);
		/* the credential is cached until it expires: 20 more requests run it no more */
		memset(reqs, 0, sizeof(reqs));
		for (i = 0; i < 20; i++) {
			reqs[i].method = "GET";
			reqs[i].path = strdup("/api/v1/namespaces/default");
		}
		ck_assert_int_eq(gitops_kube_run(k, reqs, 20, NULL, &err), 0);
		for (i = 0; i < 20; i++)
			gitops_kube_request_release(&reqs[i]);
		gitops_kube_free(k);
		ck_assert_int_eq(count_lines(path_in("runs")), 1);
	}
	/* an expired credential is asked for again */
	snprintf(script, sizeof(script),
		 "#!/bin/sh\necho run >> %s\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
		 "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%%s\",\"expirationTimestamp\":\"2000-01-01T00:00:00Z\"}}' "
		 "\"$TEST_TOKEN\"\n", path_in("runs"));
	write_file(path_in("plugin.sh"), script, 0755);
	unlink(path_in("runs"));
	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), exec_user("plugin.sh", versions[0]), NULL), NULL,
				  "/api/v1/namespaces", &err, &k), 200);
	memset(reqs, 0, sizeof(reqs));
	reqs[0].method = "GET";
	reqs[0].path = strdup("/api/v1/namespaces/default");
	ck_assert_int_eq(gitops_kube_do(k, &reqs[0], NULL, &err), 0);
	gitops_kube_request_release(&reqs[0]);
	gitops_kube_free(k);
	ck_assert_int_eq(count_lines(path_in("runs")), 2);
	/* a failing plugin */
	write_file(path_in("plugin.sh"), "#!/bin/sh\nexit 7\n", 0755);
	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), exec_user("plugin.sh", versions[0]), NULL), NULL,
				  "/api/v1/namespaces", &err, NULL), 0);
	ck_assert_int_eq(err.code, GITOPS_EXIT_AUTH);
	ck_assert_str_eq(err.msg, "exec plugin './plugin.sh' failed (exit status 7)");
	/* a plugin that prints something else */
	write_file(path_in("plugin.sh"), "#!/bin/sh\necho hello\n", 0755);
	get_with(kubeconfig("k", std_cluster(), exec_user("plugin.sh", versions[0]), NULL), NULL, "/api", &err, NULL);
	ck_assert_str_eq(err.msg, "exec plugin './plugin.sh' did not print an ExecCredential");
}
END_TEST

START_TEST(test_wrong_ca_and_insecure)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char cluster[1024];

	/* the client CA did not sign the server's certificate */
	snprintf(cluster, sizeof(cluster), "    server: %s\n    certificate-authority: %s\n", server,
		 env("GITOPS_TESTENV_CLIENT_CA"));
	ck_assert_int_eq(get_with(kubeconfig("k", cluster, token_user(admin_token), NULL), NULL, "/api", &err, NULL), 0);
	ck_assert_int_eq(err.code, GITOPS_EXIT_UNREACHABLE);
	ck_assert_msg(strstr(err.msg, "TLS: the server's certificate is not trusted"), "%s", err.msg);
	/* no CA at all: the system's, which does not know it either */
	snprintf(cluster, sizeof(cluster), "    server: %s\n", server);
	ck_assert_int_eq(get_with(kubeconfig("k", cluster, token_user(admin_token), NULL), NULL, "/api", &err, NULL), 0);
	ck_assert_int_eq(err.code, GITOPS_EXIT_UNREACHABLE);
	snprintf(cluster, sizeof(cluster), "    server: %s\n    insecure-skip-tls-verify: true\n", server);
	ck_assert_int_eq(get_with(kubeconfig("k", cluster, token_user(admin_token), NULL), NULL, "/api", &err, NULL), 200);
}
END_TEST

START_TEST(test_tls_server_name)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char cluster[1024];

	snprintf(cluster, sizeof(cluster), "%s    tls-server-name: localhost\n", std_cluster());
	ck_assert_int_eq(get_with(kubeconfig("k", cluster, token_user(admin_token), NULL), NULL, "/api", &err, NULL), 200);
	snprintf(cluster, sizeof(cluster), "%s    tls-server-name: not-the-server.example\n", std_cluster());
	ck_assert_int_eq(get_with(kubeconfig("k", cluster, token_user(admin_token), NULL), NULL, "/api", &err, NULL), 0);
	ck_assert_int_eq(err.code, GITOPS_EXIT_UNREACHABLE);
}
END_TEST

START_TEST(test_server_down)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char cluster[1024];

	/* port 1 on loopback: nothing listens */
	snprintf(cluster, sizeof(cluster), "    server: https://127.0.0.1:1\n    certificate-authority: %s\n", ca);
	ck_assert_int_eq(get_with(kubeconfig("k", cluster, token_user(admin_token), NULL), NULL, "/api", &err, NULL), 0);
	ck_assert_int_eq(err.code, GITOPS_EXIT_UNREACHABLE);
	ck_assert_msg(strstr(err.msg, "cannot reach https://127.0.0.1:1:"), "%s", err.msg);
	/* credentials in the URL never reach the message: shown as kubectl shows them */
	snprintf(cluster, sizeof(cluster), "    server: https://admin:s3cret-%d@127.0.0.1:1/?token=t0k3n-%d\n"
		 "    certificate-authority: %s\n", (int)getpid(), (int)getpid(), ca);
	ck_assert_int_eq(get_with(kubeconfig("k", cluster, token_user(admin_token), NULL), NULL, "/api", &err, NULL), 0);
	ck_assert_int_eq(err.code, GITOPS_EXIT_UNREACHABLE);
	ck_assert_msg(!strncmp(err.msg, "cannot reach https://admin:***@127.0.0.1:1/?token=***: ", 55), "%s", err.msg);
	ck_assert_msg(!strstr(err.msg, "s3cret") && !strstr(err.msg, "t0k3n"), "%s", err.msg);
	/* nor a message about the URL itself */
	snprintf(cluster, sizeof(cluster), "    server: ftp://admin:s3cret@127.0.0.1:1\n");
	ck_assert_int_eq(get_with(kubeconfig("k", cluster, token_user(admin_token), NULL), NULL, "/api", &err, NULL), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_msg(strstr(err.msg, "server 'ftp://admin:***@127.0.0.1:1' is not an http(s) URL"), "%s", err.msg);
}
END_TEST

START_TEST(test_in_cluster)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_kube_options o = { NULL, NULL, NULL };
	struct gitops_kube_config *cfg;
	char host[64], port[16];
	const char *p = strstr(server, "://") + 3;
	char cmd[1024];

	snprintf(host, sizeof(host), "%.*s", (int)strcspn(p, ":"), p);
	snprintf(port, sizeof(port), "%s", p + strcspn(p, ":") + 1);
	mkdir(path_in("sa"), 0755);
	write_file(path_in("sa/token"), admin_token, 0600);
	snprintf(cmd, sizeof(cmd), "cp %s %s", ca, path_in("sa/ca.crt"));
	ck_assert_int_eq(system(cmd), 0);
	write_file(path_in("sa/namespace"), "team-a\n", 0644);
	setenv("HOME", tmpdir, 1); /* no ~/.kube/config there */
	setenv("KUBERNETES_SERVICE_HOST", host, 1);
	setenv("KUBERNETES_SERVICE_PORT", port, 1);
	setenv("GITOPS_SERVICEACCOUNT_DIR", path_in("sa"), 1);
	ck_assert_int_eq(gitops_kubeconfig_load(&cfg, &o, &err), 0);
	ck_assert_str_eq(cfg->namespace, "team-a");
	ck_assert_str_eq(cfg->source, "in-cluster");
	gitops_kubeconfig_free(cfg);
	ck_assert_int_eq(get_with(NULL, NULL, "/api/v1/namespaces/default", &err, NULL), 200);
	unsetenv("KUBERNETES_SERVICE_HOST");
	ck_assert_int_eq(get_with(NULL, NULL, "/api", &err, NULL), -1);
	ck_assert_str_eq(err.msg, "no kubeconfig found: set KUBECONFIG, use --kubeconfig, or run inside a cluster");
}
END_TEST

START_TEST(test_kubeconfig_merge_and_context)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_kube_options o = { NULL, NULL, NULL };
	struct gitops_kube_config *cfg;
	struct gitops_buf a = GITOPS_BUF_INIT, b = GITOPS_BUF_INIT, list = GITOPS_BUF_INIT;

	/* file a: clusters and the current context; file b: users and contexts; the first file wins */
	gitops_buf_printf(&a, "current-context: work\nclusters:\n- name: c\n  cluster:\n    server: %s\n"
			      "    certificate-authority: %s\nusers:\n- name: admin\n  user:\n    token: %s\n"
			      "contexts:\n- name: work\n  context: {cluster: c, user: admin, namespace: prod}\n",
			  server, ca, admin_token);
	gitops_buf_printf(&b, "current-context: other\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
			      "users:\n- name: bob\n  user:\n    token: %s\ncontexts:\n- name: work\n  context: {cluster: nope}\n"
			      "- name: as-bob\n  context: {cluster: c, user: bob}\n", bob_token);
	write_file(path_in("a"), a.data, 0600);
	write_file(path_in("b"), b.data, 0600);
	gitops_buf_printf(&list, "%s::%s:%s", path_in("missing"), path_in("a"), path_in("b"));
	setenv("KUBECONFIG", list.data, 1);
	ck_assert_int_eq(gitops_kubeconfig_load(&cfg, &o, &err), 0);
	ck_assert_str_eq(cfg->context, "work");
	ck_assert_str_eq(cfg->namespace, "prod");
	ck_assert_str_eq(cfg->server, server);
	gitops_kubeconfig_free(cfg);
	ck_assert_int_eq(get_with(NULL, NULL, "/api/v1/namespaces/default/configmaps", &err, NULL), 200);
	ck_assert_int_eq(get_with(NULL, "as-bob", "/api/v1/namespaces/default/secrets", &err, NULL), 403);
	o.context = "as-bob";
	o.namespace = "dev";
	ck_assert_int_eq(gitops_kubeconfig_load(&cfg, &o, &err), 0);
	ck_assert_str_eq(cfg->namespace, "dev");
	ck_assert_str_eq(cfg->server, server); /* cluster c of file a */
	gitops_kubeconfig_free(cfg);
	o.context = "nope";
	ck_assert_int_eq(gitops_kubeconfig_load(&cfg, &o, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
	ck_assert_msg(strstr(err.msg, "context 'nope' is not defined in ") &&
		      strstr(err.msg, "/a (or the other KUBECONFIG files)"), "%s", err.msg);
	unsetenv("KUBECONFIG");
	gitops_buf_release(&a);
	gitops_buf_release(&b);
	gitops_buf_release(&list);
}
END_TEST

START_TEST(test_status_errors)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_kube *k = NULL;
	struct gitops_kube_request r;
	static const long ok404[] = { 404, 0 };

	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), token_user(admin_token), NULL), NULL, "/api", &err, &k), 200);
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.path = strdup("/api/v1/namespaces/default/configmaps/does-not-exist");
	r.what = "configmap default/does-not-exist";
	ck_assert_int_eq(gitops_kube_do(k, &r, ok404, &err), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_int_eq(gitops_kube_do(k, &r, NULL, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_REJECTED);
	ck_assert_str_eq(err.msg, "configmap default/does-not-exist: configmaps \"does-not-exist\" not found");
	gitops_kube_request_release(&r);
	/* 422 names the field */
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = strdup("/api/v1/namespaces/default/configmaps");
	r.content_type = "application/json";
	r.body = strdup("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"Bad_Name\"}}");
	r.body_len = strlen(r.body);
	r.what = "configmap default/Bad_Name";
	ck_assert_int_eq(gitops_kube_do(k, &r, NULL, &err), -1);
	ck_assert_int_eq(r.status, 422);
	ck_assert_msg(strstr(err.msg, "metadata.name: Invalid value: \"Bad_Name\""), "%s", err.msg);
	gitops_kube_request_release(&r);
	gitops_kube_free(k);
}
END_TEST

/*
 * The server quotes back what it was sent: a Secret's values that are not
 * strings (a typed-patch error), a label that repeats a value of the live
 * Secret (a validation error).  The raw answers hold the values; the messages
 * mask them: the body's values without being asked, the live object's when
 * listed with gitops_kube_request_redact_secret.
 */
START_TEST(test_secret_values_masked)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_kube *k = NULL;
	struct gitops_kube_request r;
	char number[32], word[64], live_pw[128], name[64], body[1024], path[256];
	unsigned char b64[256];
	cJSON *live;
	int pass;

	snprintf(number, sizeof(number), "8675309%d", (int)getpid());
	snprintf(word, sizeof(word), "hunter-%d", (int)getpid());
	snprintf(live_pw, sizeof(live_pw), "live-%d-%s", (int)getpid(),
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"); /* too long for a label */
	snprintf(name, sizeof(name), "masked-%d", (int)getpid());
	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), token_user(admin_token), NULL), NULL, "/api", &err, &k), 200);

	/* 1. values that are not strings: the server's typed-patch error quotes them */
	memset(&r, 0, sizeof(r));
	r.method = "PATCH";
	snprintf(path, sizeof(path), "/api/v1/namespaces/default/secrets/%s?fieldManager=test&dryRun=All", name);
	r.path = strdup(path);
	r.content_type = "application/apply-patch+yaml";
	snprintf(body, sizeof(body), "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"%s\"},"
		 "\"stringData\":{\"DB_PASSWORD\":%s,\"other\":{\"a\":\"%s\"}}}", name, number, word);
	r.body = strdup(body);
	r.body_len = strlen(body);
	r.what = "secret";
	ck_assert_int_eq(gitops_kube_do(k, &r, NULL, &err), -1);
	ck_assert_msg(r.response.data && strstr(r.response.data, number) && strstr(r.response.data, word),
		      "the server no longer quotes the values: %s", r.response.data ? r.response.data : "");
	ck_assert_msg(strstr(err.msg, ".stringData.DB_PASSWORD: expected string, got &value.valueUnstructured{Value:***}"),
		      "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "{\"a\":\"***\"}"), "%s", err.msg);
	ck_assert_msg(!strstr(err.msg, number) && !strstr(err.msg, word), "%s", err.msg);
	gitops_kube_request_release(&r);

	/* 2. the live Secret, then a write whose label repeats its value (and whose body holds another) */
	EVP_EncodeBlock(b64, (const unsigned char *)live_pw, (int)strlen(live_pw));
	memset(&r, 0, sizeof(r));
	r.method = "PATCH";
	snprintf(path, sizeof(path), "/api/v1/namespaces/default/secrets/%s?fieldManager=test", name);
	r.path = strdup(path);
	r.content_type = "application/apply-patch+yaml";
	snprintf(body, sizeof(body), "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"%s\"},"
		 "\"data\":{\"pw\":\"%s\"}}", name, b64);
	r.body = strdup(body);
	r.body_len = strlen(body);
	ck_assert_msg(gitops_kube_do(k, &r, NULL, &err) == 0, "%s", err.msg);
	live = cJSON_ParseWithLength(r.response.data, r.response.len);
	ck_assert_ptr_nonnull(live);
	gitops_kube_request_release(&r);
	for (pass = 0; pass < 2; pass++) {
		memset(&r, 0, sizeof(r));
		r.method = "PATCH";
		snprintf(path, sizeof(path), "/api/v1/namespaces/default/secrets/%s?fieldManager=test&dryRun=All", name);
		r.path = strdup(path);
		r.content_type = "application/apply-patch+yaml";
		snprintf(body, sizeof(body), "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"%s\","
			 "\"labels\":{\"pw\":\"%s\"}},\"stringData\":{\"pw\":\"%s\"}}", name, live_pw, word);
		r.body = strdup(body);
		r.body_len = strlen(body);
		r.what = "secret";
		if (pass == 1)
			ck_assert_int_eq(gitops_kube_request_redact_secret(&r, live), 0);
		ck_assert_int_eq(gitops_kube_do(k, &r, NULL, &err), -1);
		ck_assert_int_eq(r.status, 422);
		if (pass == 0) /* the server quotes it, and only the live object says it is a secret */
			ck_assert_msg(strstr(err.msg, live_pw), "%s", err.msg);
		else
			ck_assert_msg(!strstr(err.msg, live_pw) && strstr(err.msg, "metadata.labels: Invalid value: \"***\""),
				      "%s", err.msg);
		gitops_kube_request_release(&r);
	}
	cJSON_Delete(live);
	memset(&r, 0, sizeof(r));
	r.method = "DELETE";
	snprintf(path, sizeof(path), "/api/v1/namespaces/default/secrets/%s", name);
	r.path = strdup(path);
	ck_assert_msg(gitops_kube_do(k, &r, NULL, &err) == 0, "%s", err.msg);
	gitops_kube_request_release(&r);
	gitops_kube_free(k);
}
END_TEST

START_TEST(test_parallel)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_kube *k = NULL;
	struct gitops_kube_request reqs[300];
	struct timespec t0, t1;
	int i;

	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), token_user(admin_token), NULL), NULL, "/api", &err, &k), 200);
	memset(reqs, 0, sizeof(reqs));
	for (i = 0; i < 300; i++) {
		reqs[i].method = "GET";
		reqs[i].path = strdup(i % 2 ? "/api/v1/namespaces/default" : "/apis/apps/v1");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(gitops_kube_run(k, reqs, 300, NULL, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < 300; i++) {
		ck_assert_int_eq(reqs[i].status, 200);
		ck_assert_int_eq(reqs[i].attempts, 1);
		ck_assert(reqs[i].response.len > 10);
		gitops_kube_request_release(&reqs[i]);
	}
	fprintf(stderr, "300 GETs in parallel: %.0f ms\n",
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	gitops_kube_free(k);
}
END_TEST

START_TEST(test_discovery)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_kube *k = NULL;
	struct gitops_kube_discovery *d = NULL;
	struct gitops_kube_discovery_options o = GITOPS_KUBE_DISCOVERY_OPTIONS_INIT;
	const struct gitops_kube_resource *r;
	struct stat st;
	char cmd[2048];

	o.cache_dir = path_in("cache");
	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), token_user(admin_token), NULL), NULL, "/api", &err, &k), 200);
	ck_assert_int_eq(gitops_kube_discovery_new(&d, k, &o, &err), 0);
	ck_assert_int_eq(gitops_kube_discovery_find(&r, d, "apps", "v1", "Deployment", &err), 0);
	ck_assert_str_eq(r->resource, "deployments");
	ck_assert(r->namespaced);
	ck_assert(r->has_status);
	ck_assert(gitops_kube_resource_can(r, "patch"));
	ck_assert_int_eq(gitops_kube_discovery_find(&r, d, "", "v1", "Namespace", &err), 0);
	ck_assert_str_eq(r->resource, "namespaces");
	ck_assert(!r->namespaced);
	ck_assert_int_eq(gitops_kube_discovery_find(&r, d, "rbac.authorization.k8s.io", "v1", "ClusterRole", &err), 0);
	ck_assert(!r->namespaced);
	ck_assert_int_eq(gitops_kube_discovery_find(&r, d, "", "v1", "Nope", &err), -1);
	ck_assert_str_eq(err.msg, "the server does not know kind Nope in v1 (is its CRD installed?)");
	gitops_kube_discovery_free(d);
	/* a second client reads the cache, and finds a CRD applied since by asking again once */
	ck_assert_int_eq(stat(path_in("cache"), &st), 0);
	snprintf(cmd, sizeof(cmd),
		 "printf 'apiVersion: apiextensions.k8s.io/v1\\nkind: CustomResourceDefinition\\nmetadata:\\n  name: widgets.disc.test\\n"
		 "spec:\\n  group: disc.test\\n  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}\\n"
		 "  scope: Namespaced\\n  versions:\\n  - name: v1\\n    served: true\\n    storage: true\\n"
		 "    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}\\n' | "
		 "kubectl --kubeconfig %s apply -f - >/dev/null && "
		 "kubectl --kubeconfig %s wait --for condition=established crd/widgets.disc.test >/dev/null",
		 getenv("GITOPS_TESTENV_KUBECONFIG"), getenv("GITOPS_TESTENV_KUBECONFIG"));
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(gitops_kube_discovery_new(&d, k, &o, &err), 0);
	ck_assert_int_eq(gitops_kube_discovery_find(&r, d, "disc.test", "v1", "Widget", &err), 0);
	ck_assert_str_eq(r->resource, "widgets");
	gitops_kube_discovery_free(d);
	gitops_kube_free(k);
}
END_TEST


START_TEST(test_rest_verbs)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_kube *k = NULL;
	struct gitops_kube_discovery *d = NULL;
	struct gitops_kube_discovery_options o = GITOPS_KUBE_DISCOVERY_OPTIONS_INIT;
	const struct gitops_kube_resource *cm, *ns, *dep;
	struct gitops_kube_request reqs[230];
	cJSON *list, *obj, *patch;
	char nsname[64], body[512];
	int i, existed;

	o.cache_dir = "";
	snprintf(nsname, sizeof(nsname), "rest-%ld", (long)time(NULL) % 100000 * 100 + getpid() % 100);
	ck_assert_int_eq(get_with(kubeconfig("k", std_cluster(), token_user(admin_token), NULL), NULL, "/api", &err, &k), 200);
	ck_assert_int_eq(gitops_kube_discovery_new(&d, k, &o, &err), 0);
	ck_assert_int_eq(gitops_kube_discovery_find(&cm, d, "", "v1", "ConfigMap", &err), 0);
	ck_assert_int_eq(gitops_kube_discovery_find(&ns, d, "", "v1", "Namespace", &err), 0);
	ck_assert_int_eq(gitops_kube_discovery_find(&dep, d, "apps", "v1", "Deployment", &err), 0);
	{
		char *p = gitops_kube_path(ns, "ignored", nsname, NULL);
		snprintf(body, sizeof(body), "/api/v1/namespaces/%s", nsname);
		ck_assert_str_eq(p, body);
		free(p);
	}
	/* a namespace and 230 ConfigMaps, created in parallel with server-side apply */
	memset(reqs, 0, sizeof(reqs));
	reqs[0].method = "PATCH";
	reqs[0].path = gitops_kube_path(ns, NULL, nsname, NULL);
	strcat(reqs[0].path = realloc(reqs[0].path, strlen(reqs[0].path) + 32), "?fieldManager=test");
	reqs[0].content_type = "application/apply-patch+yaml";
	snprintf(body, sizeof(body), "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\"}}", nsname);
	reqs[0].body = strdup(body);
	reqs[0].body_len = strlen(body);
	ck_assert_int_eq(gitops_kube_do(k, &reqs[0], NULL, &err), 0);
	gitops_kube_request_release(&reqs[0]);
	for (i = 0; i < 230; i++) {
		char name[32];
		snprintf(name, sizeof(name), "cm-%03d", i);
		reqs[i].method = "PATCH";
		reqs[i].path = gitops_kube_path(cm, nsname, name, NULL);
		reqs[i].path = realloc(reqs[i].path, strlen(reqs[i].path) + 32);
		strcat(reqs[i].path, "?fieldManager=test");
		reqs[i].content_type = "application/apply-patch+yaml";
		snprintf(body, sizeof(body), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s\","
			 "\"namespace\":\"%s\",\"labels\":{\"half\":\"%s\"}},\"data\":{\"i\":\"%d\"}}",
			 name, nsname, i % 2 ? "odd" : "even", i);
		reqs[i].body = strdup(body);
		reqs[i].body_len = strlen(body);
	}
	ck_assert_msg(gitops_kube_run(k, reqs, 230, NULL, &err) == 0, "%s", err.msg);
	for (i = 0; i < 230; i++)
		gitops_kube_request_release(&reqs[i]);
	/* list, 100 a page: all 230, in three pages; with a label selector, half */
	ck_assert_int_eq(gitops_kube_list(&list, k, cm, nsname, NULL, 100, &err), 0);
	ck_assert_int_eq(cJSON_GetArraySize(list), 230);
	cJSON_Delete(list);
	ck_assert_int_eq(gitops_kube_list(&list, k, cm, nsname, "half=odd", 50, &err), 0);
	ck_assert_int_eq(cJSON_GetArraySize(list), 115);
	cJSON_Delete(list);
	/* get: there and not there */
	ck_assert_int_eq(gitops_kube_get(&obj, k, cm, nsname, "cm-007", &err), 0);
	ck_assert_str_eq(gitops_json_get_string(obj, "data", "i", NULL), "7");
	cJSON_Delete(obj);
	ck_assert_int_eq(gitops_kube_get(&obj, k, cm, nsname, "nope", &err), 0);
	ck_assert_ptr_null(obj);
	/* delete: background removes it; foreground and orphan leave their finalizer (no garbage collector runs here) */
	ck_assert_int_eq(gitops_kube_delete(k, cm, nsname, "cm-000", "Background", 0, &existed, &err), 0);
	ck_assert(existed);
	ck_assert_int_eq(gitops_kube_get(&obj, k, cm, nsname, "cm-000", &err), 0);
	ck_assert_ptr_null(obj);
	ck_assert_int_eq(gitops_kube_delete(k, cm, nsname, "cm-000", "Background", 0, &existed, &err), 0);
	ck_assert(!existed);
	ck_assert_int_eq(gitops_kube_delete(k, cm, nsname, "cm-001", "Foreground", 0, &existed, &err), 0);
	ck_assert_int_eq(gitops_kube_get(&obj, k, cm, nsname, "cm-001", &err), 0);
	ck_assert_ptr_nonnull(obj);
	ck_assert_str_eq(cJSON_GetArrayItem(gitops_json_get(obj, "metadata", "finalizers", NULL), 0)->valuestring,
			 "foregroundDeletion");
	cJSON_Delete(obj);
	ck_assert_int_eq(gitops_kube_delete(k, cm, nsname, "cm-002", "Orphan", 0, &existed, &err), 0);
	ck_assert_int_eq(gitops_kube_get(&obj, k, cm, nsname, "cm-002", &err), 0);
	ck_assert_str_eq(cJSON_GetArrayItem(gitops_json_get(obj, "metadata", "finalizers", NULL), 0)->valuestring, "orphan");
	cJSON_Delete(obj);
	/* a dry-run delete leaves it */
	ck_assert_int_eq(gitops_kube_delete(k, cm, nsname, "cm-003", "Background", 1, &existed, &err), 0);
	ck_assert(existed);
	ck_assert_int_eq(gitops_kube_get(&obj, k, cm, nsname, "cm-003", &err), 0);
	ck_assert_ptr_nonnull(obj);
	cJSON_Delete(obj);
	/* the status subresource: what a rollout would write */
	memset(reqs, 0, sizeof(reqs[0]));
	reqs[0].method = "PATCH";
	reqs[0].path = gitops_kube_path(dep, nsname, "web", NULL);
	reqs[0].path = realloc(reqs[0].path, strlen(reqs[0].path) + 32);
	strcat(reqs[0].path, "?fieldManager=test");
	reqs[0].content_type = "application/apply-patch+yaml";
	snprintf(body, sizeof(body), "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
		 "\"namespace\":\"%s\"},\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":"
		 "{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}}}", nsname);
	reqs[0].body = strdup(body);
	reqs[0].body_len = strlen(body);
	ck_assert_msg(gitops_kube_do(k, &reqs[0], NULL, &err) == 0, "%s", err.msg);
	gitops_kube_request_release(&reqs[0]);
	patch = cJSON_Parse("{\"status\":{\"readyReplicas\":1,\"replicas\":1,\"observedGeneration\":1}}");
	ck_assert_int_eq(gitops_kube_patch_status(k, dep, nsname, "web", patch, &obj, &err), 0);
	ck_assert_int_eq(cJSON_GetObjectItem(gitops_json_get(obj, "status", NULL), "readyReplicas")->valueint, 1);
	cJSON_Delete(obj);
	ck_assert_int_eq(gitops_kube_get(&obj, k, dep, nsname, "web", &err), 0);
	ck_assert_int_eq(cJSON_GetObjectItem(gitops_json_get(obj, "status", NULL), "readyReplicas")->valueint, 1);
	cJSON_Delete(obj);
	ck_assert_int_eq(gitops_kube_patch_status(k, cm, nsname, "cm-004", patch, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "configmaps has no status subresource");
	cJSON_Delete(patch);
	gitops_kube_discovery_free(d);
	gitops_kube_free(k);
}
END_TEST


/* A server that allows one request at a time answers 429 with Retry-After: the client waits as told and gets through. */
START_TEST(test_throttled)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_kube_options o = { NULL, NULL, NULL };
	struct gitops_kube_client_options co = GITOPS_KUBE_CLIENT_OPTIONS_INIT;
	struct gitops_kube_config *cfg = NULL;
	struct gitops_kube *k = NULL;
	struct gitops_kube_request reqs[40];
	char cluster[1024];
	struct timespec t0, t1;
	int i, retried = 0;
	double ms;

	snprintf(cluster, sizeof(cluster), "    server: %s\n    certificate-authority: %s\n",
		 env("GITOPS_THROTTLED_SERVER"), ca);
	/* bob: members of system:masters are never throttled */
	o.kubeconfig = kubeconfig("k", cluster, token_user(bob_token), NULL);
	ck_assert_int_eq(gitops_kubeconfig_load(&cfg, &o, &err), 0);
	co.retries = 30;
	co.backoff_ms = 10; /* without Retry-After, retries would come within milliseconds */
	ck_assert_int_eq(gitops_kube_new(&k, cfg, &co, &err), 0);
	memset(reqs, 0, sizeof(reqs));
	for (i = 0; i < 40; i++) {
		reqs[i].method = "GET";
		reqs[i].path = strdup(i % 2 ? "/api/v1" : "/openapi/v2");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(gitops_kube_run(k, reqs, 40, NULL, &err) == 0, "%s", err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	for (i = 0; i < 40; i++) {
		ck_assert_int_eq(reqs[i].status, 200);
		retried += reqs[i].attempts > 1;
		gitops_kube_request_release(&reqs[i]);
	}
	fprintf(stderr, "throttled: 40 GETs, %d retried after 429, %.0f ms\n", retried, ms);
	ck_assert_msg(retried > 0, "the throttled server never said 429");
	ck_assert_msg(ms >= 1000, "retries came before the server's Retry-After of 1 s (%.0f ms)", ms);
	gitops_kube_free(k);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kube");
	TCase *tc = tcase_create("client");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_client_certificate_files);
	tcase_add_test(tc, test_client_certificate_data);
	tcase_add_test(tc, test_token_and_rbac);
	tcase_add_test(tc, test_bad_token);
	tcase_add_test(tc, test_token_file);
	tcase_add_test(tc, test_exec_plugin);
	tcase_add_test(tc, test_wrong_ca_and_insecure);
	tcase_add_test(tc, test_tls_server_name);
	tcase_add_test(tc, test_server_down);
	tcase_add_test(tc, test_in_cluster);
	tcase_add_test(tc, test_kubeconfig_merge_and_context);
	tcase_add_test(tc, test_status_errors);
	tcase_add_test(tc, test_secret_values_masked);
	tcase_add_test(tc, test_parallel);
	tcase_add_test(tc, test_discovery);
	tcase_add_test(tc, test_rest_verbs);
	suite_add_tcase(s, tc);
	if (getenv("GITOPS_THROTTLED_SERVER")) {
		/* only under tests/kube/t-throttle, which starts that server */
		tc = tcase_create("throttle");
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, test_throttled);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
