/*
 * cluster.h: the cluster a program talks to, opened from the kube options
 * (kubeconfig, context, namespace) and the client options: the client
 * (lib/kube) and its discovery (lib/kube_discovery), and the namespace for
 * objects that name none.
 */
#ifndef GITOPS_CLUSTER_H
#define GITOPS_CLUSTER_H

#include "lib/base/err.h"
#include "lib/kube/kube.h"
#include "lib/kube/kube_discovery.h"
#include "lib/kube/kubeconfig.h"

struct gitops_cluster {
	struct gitops_kube *kube;
	struct gitops_kube_discovery *discovery;
	const char *namespace;                /* -n, the context's, or "default" (owned by kube's config) */
};

int gitops_cluster_open(struct gitops_cluster *c, const struct gitops_kube_options *ko,
			const struct gitops_kube_client_options *co, struct gitops_err *err);
void gitops_cluster_close(struct gitops_cluster *c);

#endif
