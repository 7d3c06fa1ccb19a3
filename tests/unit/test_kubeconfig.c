/* kubeconfig: a server URL as messages show it; loading (merged files, contexts, credentials, in-cluster); base64. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check_main.h"
#include "lib/base/enc.h"
#include "lib/kube/kubeconfig.h"

static const struct {
	const char *url;
	const char *shown;
} url_cases[] = {
	/* kubectl's form (Go's net/http): the password replaced, the user kept */
	{ "https://admin:s3cret@127.0.0.1:6443", "https://admin:***@127.0.0.1:6443" },
	{ "http://admin:s3cret@[::1]:8080/prefix", "http://admin:***@[::1]:8080/prefix" },
	{ "https://admin:@h", "https://admin:***@h" },
	/* an '@' in the password (not escaped): the user info ends at the authority's last '@' */
	{ "https://u:p@ss@h:6443/", "https://u:***@h:6443/" },
	/* user info alone is often a token: all of it */
	{ "https://t0k3n@h:6443", "https://***@h:6443" },
	/* query values and fragments */
	{ "https://h:6443/?token=abc&x=1", "https://h:6443/?token=***&x=***" },
	{ "https://h:6443?abc", "https://h:6443?***" },
	{ "https://h:6443/k8s?a=1#frag", "https://h:6443/k8s?a=***#***" },
	{ "https://u:p@h/?&t=", "https://u:***@h/?&t=***" },
	/* nothing to hide */
	{ "https://127.0.0.1:6443", "https://127.0.0.1:6443" },
	{ "https://h/p@th", "https://h/p@th" },
	{ "", "" },
};

START_TEST(test_url_redact)
{
	char *got = gitops_kubeconfig_url_redact(url_cases[_i].url);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, url_cases[_i].shown);
	ck_assert_ptr_null(strstr(got, "s3cret"));
	free(got);
}
END_TEST

/* A private directory per test (fork mode), by its real path. */
static char base[PATH_MAX];

/* `s` with every '@' replaced by the base directory (NULL stays NULL). */
static char *expand(const char *s)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (!s)
		return NULL;
	for (; *s; s++)
		ck_assert_int_eq(*s == '@' ? gitops_buf_addstr(&b, base) : gitops_buf_add(&b, s, 1), 0);
	return gitops_buf_detach(&b);
}

struct file {
	const char *path;      /* relative to the base; its folders are made */
	const char *text;      /* '@' is the base */
};

static void make_files(const struct file *f)
{
	for (; f->path; f++) {
		char path[PATH_MAX], *text = expand(f->text), *slash;
		FILE *fp;
		snprintf(path, sizeof(path), "%s/%s", base, f->path);
		for (slash = strchr(path + strlen(base) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
			*slash = '\0';
			mkdir(path, 0700);
			*slash = '/';
		}
		fp = fopen(path, "w");
		ck_assert_msg(fp != NULL, "%s", path);
		fputs(text, fp);
		ck_assert_int_eq(fclose(fp), 0);
		free(text);
	}
}

/* What a loaded configuration holds, one line to compare. */
static char *describe(const struct gitops_kube_config *c)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	gitops_buf_printf(&b, "source=%s context=%s namespace=%s server=%s", c->source, c->context, c->namespace,
			  c->server);
	if (c->ca.len)
		gitops_buf_printf(&b, " ca=%s", c->ca.data);
	if (c->insecure)
		gitops_buf_addstr(&b, " insecure");
	if (c->tls_server_name)
		gitops_buf_printf(&b, " tls-server-name=%s", c->tls_server_name);
	if (c->proxy_url)
		gitops_buf_printf(&b, " proxy=%s", c->proxy_url);
	if (c->client_cert.len)
		gitops_buf_printf(&b, " cert=%s key=%s", c->client_cert.data, c->client_key.data);
	if (c->token)
		gitops_buf_printf(&b, " token=%s", c->token);
	if (c->token_file)
		gitops_buf_printf(&b, " token-file=%s", c->token_file);
	if (c->username)
		gitops_buf_printf(&b, " user=%s:%s", c->username, c->password ? c->password : "");
	if (c->exec) {
		size_t i;
		gitops_buf_printf(&b, " exec=%s", c->exec->command);
		for (i = 0; c->exec->args[i]; i++)
			gitops_buf_printf(&b, ",%s", c->exec->args[i]);
		for (i = 0; c->exec->env[i]; i++)
			gitops_buf_printf(&b, ",env:%s", c->exec->env[i]);
		gitops_buf_printf(&b, " exec-dir=%s", c->exec->dir);
	}
	return gitops_buf_detach(&b);
}

#define HEAD "apiVersion: v1\nkind: Config\n"
/* cluster c (server s), user u (token t), context c: the smallest complete kubeconfig */
#define SIMPLE(server, token) HEAD "current-context: c\n" \
	"clusters: [{name: c, cluster: {server: '" server "'}}]\n" \
	"users: [{name: u, user: {token: " token "}}]\n" \
	"contexts: [{name: c, context: {cluster: c, user: u}}]\n"

static const struct {
	const char *what;
	struct file files[6];
	const char *kubeconfig_env;   /* KUBECONFIG, or NULL for unset */
	const char *opt_kubeconfig, *opt_context, *opt_namespace;
	int in_cluster;               /* KUBERNETES_SERVICE_HOST/PORT set, the service account in @/sa */
	const char *want;             /* describe(), or NULL for an error */
	int code;
	const char *msg;
} load_cases[] = {
	{ "--kubeconfig", { { "k", SIMPLE("https://h:6443", "t0") }, { NULL, NULL } }, NULL, "@/k", NULL, NULL, 0,
	  "source=@/k context=c namespace=default server=https://h:6443 token=t0", 0, NULL },
	{ "--kubeconfig wins over KUBECONFIG",
	  { { "k", SIMPLE("https://h:6443", "t0") }, { "other", SIMPLE("https://other", "t1") }, { NULL, NULL } },
	  "@/other", "@/k", NULL, NULL, 0, "source=@/k context=c namespace=default server=https://h:6443 token=t0", 0,
	  NULL },
	{ "KUBECONFIG: the first file to name a cluster, user or context wins",
	  { { "a", HEAD "current-context: two\n"
		   "clusters: [{name: c, cluster: {server: 'https://from-a'}}]\n"
		   "users: [{name: u, user: {token: from-a}}]\n" },
	    { "b", HEAD "current-context: one\n"
		   "clusters: [{name: c, cluster: {server: 'https://from-b'}}, {name: d, cluster: {server: 'https://d'}}]\n"
		   "users: [{name: u, user: {token: from-b}}]\n"
		   "contexts: [{name: one, context: {cluster: d, user: u}}, {name: two, context: {cluster: c, user: u, "
		   "namespace: ns2}}]\n" },
	    { NULL, NULL } },
	  "@/a:@/b", NULL, NULL, NULL, 0, "source=@/b context=two namespace=ns2 server=https://from-a token=from-a", 0,
	  NULL },
	{ "KUBECONFIG: current-context from the first file that sets one; missing files skipped",
	  { { "a", HEAD "clusters: [{name: c, cluster: {server: 'https://from-a'}}]\n" },
	    { "b", HEAD "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n" }, { NULL, NULL } },
	  "@/missing:@/a::@/b", NULL, NULL, NULL, 0, "source=@/b context=x namespace=default server=https://from-a", 0,
	  NULL },
	{ "--context and -n",
	  { { "k", HEAD "current-context: a\n"
		   "clusters: [{name: c1, cluster: {server: 'https://one'}}, {name: c2, cluster: {server: 'https://two'}}]\n"
		   "contexts: [{name: a, context: {cluster: c1, namespace: na}}, {name: b, context: {cluster: c2, "
		   "namespace: nb}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, "b", "mine", 0, "source=@/k context=b namespace=mine server=https://two", 0, NULL },
	{ "the context's namespace",
	  { { "k", HEAD "current-context: a\nclusters: [{name: c1, cluster: {server: 'https://one'}}]\n"
		   "contexts: [{name: a, context: {cluster: c1, namespace: na}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, "", 0, "source=@/k context=a namespace=na server=https://one", 0, NULL },
	{ "tokenFile relative to the kubeconfig's folder, line break removed",
	  { { "dir/k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		       "users: [{name: u, user: {tokenFile: secret/token}}]\n"
		       "contexts: [{name: c, context: {cluster: c, user: u}}]\n" },
	    { "dir/secret/token", "s3cr3t \r\n" }, { NULL, NULL } },
	  NULL, "@/dir/k", NULL, NULL, 0,
	  "source=@/dir/k context=c namespace=default server=https://h token=s3cr3t token-file=@/dir/secret/token", 0,
	  NULL },
	{ "token wins over tokenFile (never read)",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		   "users: [{name: u, user: {token: inline, tokenFile: /nonexistent/token}}]\n"
		   "contexts: [{name: c, context: {cluster: c, user: u}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, "source=@/k context=c namespace=default server=https://h token=inline", 0, NULL },
	{ "certificate-authority-data wins over certificate-authority",
	  { { "k", HEAD "current-context: c\n"
		   "clusters: [{name: c, cluster: {server: 'https://h', certificate-authority-data: Q0EtREFUQQo=, "
		   "certificate-authority: /nonexistent/ca.crt}}]\n"
		   "contexts: [{name: c, context: {cluster: c}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, "source=@/k context=c namespace=default server=https://h ca=CA-DATA\n", 0, NULL },
	{ "certificate-authority file relative to the kubeconfig; insecure, tls-server-name and proxy-url",
	  { { "d/k", HEAD "current-context: c\n"
		     "clusters: [{name: c, cluster: {server: 'https://h', certificate-authority: ca.crt, "
		     "insecure-skip-tls-verify: true, tls-server-name: api.local, proxy-url: 'http://p:3128'}}]\n"
		     "contexts: [{name: c, context: {cluster: c}}]\n" },
	    { "d/ca.crt", "CA-FILE\n" }, { NULL, NULL } },
	  "@/d/k", NULL, NULL, NULL, 0,
	  "source=@/d/k context=c namespace=default server=https://h ca=CA-FILE\n insecure tls-server-name=api.local "
	  "proxy=http://p:3128", 0, NULL },
	{ "insecure-skip-tls-verify: false",
	  { { "k", HEAD "current-context: c\n"
		   "clusters: [{name: c, cluster: {server: 'https://h', insecure-skip-tls-verify: false}}]\n"
		   "contexts: [{name: c, context: {cluster: c}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, "source=@/k context=c namespace=default server=https://h", 0, NULL },
	{ "client certificate and key, basic auth",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		   "users: [{name: u, user: {client-certificate-data: Q0VSVAo=, client-key: key.pem, username: admin, "
		   "password: pw}}]\n"
		   "contexts: [{name: c, context: {cluster: c, user: u}}]\n" },
	    { "key.pem", "KEY\n" }, { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0,
	  "source=@/k context=c namespace=default server=https://h cert=CERT\n key=KEY\n user=admin:pw", 0, NULL },
	{ "an exec plugin",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		   "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./cred, "
		   "args: [get, token], env: [{name: A, value: b}]}}}]\n"
		   "contexts: [{name: c, context: {cluster: c, user: u}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0,
	  "source=@/k context=c namespace=default server=https://h exec=./cred,get,token,env:A=b exec-dir=@", 0, NULL },
	{ "~/.kube/config when KUBECONFIG is unset", { { "home/.kube/config", SIMPLE("https://home", "th") }, { NULL, NULL } },
	  NULL, NULL, NULL, NULL, 0,
	  "source=@/home/.kube/config context=c namespace=default server=https://home token=th", 0, NULL },
	{ "in-cluster: the service account",
	  { { "sa/token", "sa-token\n" }, { "sa/ca.crt", "SA-CA\n" }, { "sa/namespace", "apps\n" }, { NULL, NULL } },
	  NULL, NULL, NULL, NULL, 1,
	  "source=in-cluster context= namespace=apps server=https://10.0.0.1:443 ca=SA-CA\n token=sa-token "
	  "token-file=@/sa/token", 0, NULL },
	{ "in-cluster: -n wins, no namespace file",
	  { { "sa/token", "sa-token" }, { "sa/ca.crt", "SA-CA\n" }, { NULL, NULL } }, NULL, NULL, NULL, "mine", 1,
	  "source=in-cluster context= namespace=mine server=https://10.0.0.1:443 ca=SA-CA\n token=sa-token "
	  "token-file=@/sa/token", 0, NULL },
	{ "in-cluster: a kubeconfig found wins",
	  { { "sa/token", "sa-token" }, { "sa/ca.crt", "SA-CA\n" }, { "k", SIMPLE("https://h", "t0") }, { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 1, "source=@/k context=c namespace=default server=https://h token=t0", 0, NULL },
	{ "in-cluster: no token", { { "sa/ca.crt", "SA-CA\n" }, { NULL, NULL } }, NULL, NULL, NULL, NULL, 1, NULL,
	  GITOPS_EXIT_IO, "in-cluster service account: @/sa/token: No such file or directory" },
	{ "in-cluster: no CA", { { "sa/token", "t" }, { NULL, NULL } }, NULL, NULL, NULL, NULL, 1, NULL, GITOPS_EXIT_IO,
	  "in-cluster service account: @/sa/ca.crt: No such file or directory" },
	{ "KUBECONFIG names only missing files", { { NULL, NULL } }, "@/missing", NULL, NULL, NULL, 0, NULL,
	  GITOPS_EXIT_IO, "KUBECONFIG=@/missing: no such file" },
	{ "nothing found", { { NULL, NULL } }, NULL, NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_IO,
	  "no kubeconfig found: set KUBECONFIG, use --kubeconfig, or run inside a cluster" },
	{ "--kubeconfig missing", { { NULL, NULL } }, NULL, "@/missing", NULL, NULL, 0, NULL, GITOPS_EXIT_IO,
	  "@/missing: No such file or directory" },
	{ "no current-context", { { "k", HEAD "clusters: []\n" }, { NULL, NULL } }, "@/k", NULL, NULL, NULL, 0, NULL,
	  GITOPS_EXIT_USAGE, "@/k: no current-context is set (use --context)" },
	{ "an unknown context, several files",
	  { { "a", SIMPLE("https://h", "t") }, { "b", SIMPLE("https://h", "t") }, { NULL, NULL } }, "@/a:@/b", NULL,
	  "nope", NULL, 0, NULL, GITOPS_EXIT_USAGE, "context 'nope' is not defined in @/a (or the other KUBECONFIG files)" },
	{ "an unknown context", { { "a", SIMPLE("https://h", "t") }, { NULL, NULL } }, NULL, "@/a", "nope", NULL, 0,
	  NULL, GITOPS_EXIT_USAGE, "context 'nope' is not defined in @/a" },
	{ "an unknown cluster",
	  { { "k", HEAD "current-context: c\ncontexts: [{name: c, context: {cluster: x}}]\n" }, { NULL, NULL } }, "@/k",
	  NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_INPUT, "@/k: context 'c' names cluster 'x', which is not defined" },
	{ "an unknown user",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		   "contexts: [{name: c, context: {cluster: c, user: who}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_INPUT, "@/k: context 'c' names user 'who', which is not defined" },
	{ "a cluster without a server",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {}}]\ncontexts: [{name: c, context: "
		   "{cluster: c}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_INPUT, "@/k: cluster 'c' has no server" },
	{ "a server that is no string",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 5}}]\ncontexts: [{name: c, "
		   "context: {cluster: c}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_INPUT, "@/k: cluster 'c': server must be a string" },
	{ "CA data that is not base64",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h', "
		   "certificate-authority-data: '!!!'}}]\ncontexts: [{name: c, context: {cluster: c}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_INPUT,
	  "@/k: cluster 'c': certificate-authority-data is not valid base64" },
	{ "a CA file missing",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h', "
		   "certificate-authority: ca.crt}}]\ncontexts: [{name: c, context: {cluster: c}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_IO,
	  "@/k: cluster 'c': certificate-authority: @/ca.crt: No such file or directory" },
	{ "a tokenFile missing",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		   "users: [{name: u, user: {tokenFile: tok}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_IO, "@/k: user 'u': tokenFile: @/tok: No such file or directory" },
	{ "a client certificate without its key",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		   "users: [{name: u, user: {client-certificate-data: Q0VSVAo=}}]\n"
		   "contexts: [{name: c, context: {cluster: c, user: u}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_INPUT, "@/k: user 'u' has a client certificate but no client key" },
	{ "an auth-provider",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		   "users: [{name: u, user: {auth-provider: {name: gcp}}}]\n"
		   "contexts: [{name: c, context: {cluster: c, user: u}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_USAGE,
	  "@/k: user 'u' uses auth-provider 'gcp', which gitops does not support: use an exec plugin" },
	{ "an exec plugin of an unknown apiVersion",
	  { { "k", HEAD "current-context: c\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		   "users: [{name: u, user: {exec: {apiVersion: v9, command: x}}}]\n"
		   "contexts: [{name: c, context: {cluster: c, user: u}}]\n" },
	    { NULL, NULL } },
	  "@/k", NULL, NULL, NULL, 0, NULL, GITOPS_EXIT_INPUT,
	  "@/k: user 'u': exec apiVersion 'v9' is not supported (client.authentication.k8s.io/v1 or v1beta1)" },
	{ "a kubeconfig that is not a mapping", { { "k", "- a\n- b\n" }, { NULL, NULL } }, "@/k", NULL, NULL, NULL, 0,
	  NULL, GITOPS_EXIT_INPUT, "@/k: a kubeconfig must be a mapping" },
};

START_TEST(test_load)
{
	struct gitops_kube_options opts = { NULL, NULL, NULL };
	struct gitops_kube_config *c = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *t = getenv("TMPDIR");
	char tmpl[PATH_MAX], cmd[PATH_MAX + 32], sa[PATH_MAX + 8], home[PATH_MAX + 8];
	char *kc_env, *opt_kc, *want;
	int ret;

	snprintf(tmpl, sizeof(tmpl), "%s/gitops-test-kubeconfig.XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_ptr_nonnull(realpath(tmpl, base));
	make_files(load_cases[_i].files);
	kc_env = expand(load_cases[_i].kubeconfig_env);
	opt_kc = expand(load_cases[_i].opt_kubeconfig);
	if (kc_env)
		setenv("KUBECONFIG", kc_env, 1);
	else
		unsetenv("KUBECONFIG");
	snprintf(home, sizeof(home), "%s/home", base);
	setenv("HOME", home, 1);
	snprintf(sa, sizeof(sa), "%s/sa", base);
	setenv("GITOPS_SERVICEACCOUNT_DIR", sa, 1);
	if (load_cases[_i].in_cluster) {
		setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
		setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	} else {
		unsetenv("KUBERNETES_SERVICE_HOST");
		unsetenv("KUBERNETES_SERVICE_PORT");
	}
	opts.kubeconfig = opt_kc;
	opts.context = load_cases[_i].opt_context;
	opts.namespace = load_cases[_i].opt_namespace;
	ret = gitops_kubeconfig_load(&c, &opts, &err);
	if (load_cases[_i].want) {
		char *got;
		ck_assert_msg(ret == 0, "%s: %s", load_cases[_i].what, err.msg);
		got = describe(c);
		want = expand(load_cases[_i].want);
		ck_assert_str_eq(got, want);
		free(got);
		gitops_kubeconfig_free(c);
	} else {
		ck_assert_msg(ret == -1, "%s: loaded", load_cases[_i].what);
		want = expand(load_cases[_i].msg);
		ck_assert_int_eq(err.code, load_cases[_i].code);
		ck_assert_str_eq(err.msg, want);
	}
	free(want);
	free(kc_env);
	free(opt_kc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* In-cluster over IPv6: the host in brackets. */
START_TEST(test_in_cluster_ipv6)
{
	static const struct file files[] = { { "sa/token", "t\n" }, { "sa/ca.crt", "CA\n" }, { NULL, NULL } };
	struct gitops_kube_options opts = { NULL, NULL, NULL };
	struct gitops_kube_config *c = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *t = getenv("TMPDIR");
	char tmpl[PATH_MAX], cmd[PATH_MAX + 32], sa[PATH_MAX + 8];

	snprintf(tmpl, sizeof(tmpl), "%s/gitops-test-kubeconfig.XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_ptr_nonnull(realpath(tmpl, base));
	make_files(files);
	unsetenv("KUBECONFIG");
	setenv("HOME", base, 1);
	snprintf(sa, sizeof(sa), "%s/sa", base);
	setenv("GITOPS_SERVICEACCOUNT_DIR", sa, 1);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
	ck_assert_msg(gitops_kubeconfig_load(&c, &opts, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(c->server, "https://[fd00::1]:6443");
	ck_assert_str_eq(c->namespace, "default");
	gitops_kubeconfig_free(c);
	gitops_kubeconfig_free(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static const struct {
	const char *in;
	int ok;
	const char *out;
	size_t len;
} base64_cases[] = {
	{ "", 1, "", 0 },
	{ "aGVsbG8=", 1, "hello", 5 },
	{ "aGVsbG8", 1, "hello", 5 },           /* padding optional */
	{ "aGk=", 1, "hi", 2 },
	{ "aGk", 1, "hi", 2 },
	{ "aGVs\nbG8=\r\n", 1, "hello", 5 },    /* line breaks and blanks skipped */
	{ " aG Vs bG8= ", 1, "hello", 5 },
	{ "AAE=", 1, "\0\1", 2 },
	{ "+/+/", 1, "\xfb\xff\xbf", 3 },
	{ "!!!!", 0, NULL, 0 },
	{ "a", 0, NULL, 0 },                    /* one character alone encodes no byte */
	{ "aGVsbG8gd", 0, NULL, 0 },
	{ "YQ===", 0, NULL, 0 },                /* '=' pads two characters at most */
	{ "aGVsbG8-", 0, NULL, 0 },             /* URL-safe alphabet: not this one */
};

START_TEST(test_base64)
{
	struct gitops_buf out = GITOPS_BUF_INIT;
	int ret = gitops_base64_decode(&out, base64_cases[_i].in);

	if (base64_cases[_i].ok) {
		ck_assert_msg(ret == 0, "'%s' refused", base64_cases[_i].in);
		ck_assert_uint_eq(out.len, base64_cases[_i].len);
		ck_assert_int_eq(memcmp(out.data, base64_cases[_i].out, out.len), 0);
	} else {
		ck_assert_msg(ret == -1, "'%s' accepted", base64_cases[_i].in);
	}
	gitops_buf_release(&out);
}
END_TEST

/* read_token: trailing blanks and line breaks removed, the old value replaced. */
START_TEST(test_read_token)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *t = getenv("TMPDIR");
	char dir[PATH_MAX], path[PATH_MAX + 8];
	char *tok = strdup("old");
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s/gitops-test-kubeconfig.XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t", dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("  abc def \n\r\n \n", fp);
	fclose(fp);
	ck_assert_int_eq(gitops_kubeconfig_read_token(&tok, path, &err), 0);
	ck_assert_str_eq(tok, "  abc def");
	unlink(path);
	ck_assert_int_eq(gitops_kubeconfig_read_token(&tok, path, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	ck_assert_str_eq(tok, "  abc def");   /* kept on failure */
	free(tok);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kubeconfig");
	TCase *tc = tcase_create("url"), *tl = tcase_create("load"), *tv = tcase_create("values");

	tcase_add_loop_test(tc, test_url_redact, 0, (int)(sizeof(url_cases) / sizeof(url_cases[0])));
	tcase_add_loop_test(tl, test_load, 0, (int)(sizeof(load_cases) / sizeof(load_cases[0])));
	tcase_add_test(tl, test_in_cluster_ipv6);
	tcase_add_loop_test(tv, test_base64, 0, (int)(sizeof(base64_cases) / sizeof(base64_cases[0])));
	tcase_add_test(tv, test_read_token);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tl);
	suite_add_tcase(s, tv);
	return gitops_check_run(s);
}
