/*
 * kubeconfig.h: where the cluster is and who we are, read as kubectl reads it.
 *
 * Sources, in kubectl's order: --kubeconfig FILE; else the files of
 * KUBECONFIG (':'-separated, merged: the first file to name a cluster, user
 * or context wins, and the first to set current-context); else
 * ~/.kube/config; else, inside a pod, the service account
 * (KUBERNETES_SERVICE_HOST/PORT, token, ca.crt, namespace).
 *
 * Relative file paths in a kubeconfig are taken from that file's folder.
 * Credentials are kept in memory only and never appear in messages.
 */
#ifndef GITOPS_KUBECONFIG_H
#define GITOPS_KUBECONFIG_H

#include <stddef.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

struct gitops_kube_options {
	const char *kubeconfig;   /* --kubeconfig, or NULL */
	const char *context;      /* --context, or NULL */
	const char *namespace;    /* -n, or NULL */
};

struct gitops_kube_exec {
	char *command;
	char **args;              /* NULL-terminated */
	char **env;               /* "NAME=value", NULL-terminated */
	char *api_version;        /* client.authentication.k8s.io/v1 or v1beta1 */
	int provide_cluster_info;
	char *dir;                /* folder of the kubeconfig (relative commands) */
};

struct gitops_kube_config {
	char *source;             /* the file it came from, or "in-cluster", for messages */
	char *context;            /* the context's name ("" in-cluster) */
	char *namespace;          /* from -n, the context, or "default" */

	char *server;             /* https://host:port */
	struct gitops_buf ca;     /* PEM bundle (file or data), empty: the system's */
	int insecure;             /* insecure-skip-tls-verify */
	char *tls_server_name;
	char *proxy_url;

	struct gitops_buf client_cert;   /* PEM, empty when none */
	struct gitops_buf client_key;
	char *token;              /* bearer token (from token or tokenFile) */
	char *token_file;         /* re-read when set (service accounts rotate it) */
	char *username, *password;
	struct gitops_kube_exec *exec;   /* exec credential plugin, or NULL */
};

int gitops_kubeconfig_load(struct gitops_kube_config **out, const struct gitops_kube_options *opts,
			   struct gitops_err *err);
void gitops_kubeconfig_free(struct gitops_kube_config *c);

/* Read a token file (service-account or tokenFile), trailing blanks and line breaks removed;
 * replaces *out (freed, and wiped first). 0 or -1. */
int gitops_kubeconfig_read_token(char **out, const char *path, struct gitops_err *err);

/*
 * A server (or proxy) URL fit for a message: the password of its user info
 * replaced as kubectl (Go's net/http) shows it, "https://admin:***@host:6443";
 * user info without a password (often a token) replaced whole, "***@"; the
 * value of every query parameter, and any fragment, "***".  Returns a string
 * to free, or NULL (oom).
 */
char *gitops_kubeconfig_url_redact(const char *url);

#endif
