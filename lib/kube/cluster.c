#include "lib/kube/cluster.h"

#include <string.h>

int gitops_cluster_open(struct gitops_cluster *c, const struct gitops_kube_options *ko,
			const struct gitops_kube_client_options *co, struct gitops_err *err)
{
	struct gitops_kube_config *cfg = NULL;

	memset(c, 0, sizeof(*c));
	if (gitops_kubeconfig_load(&cfg, ko, err) < 0)
		return -1;
	c->namespace = cfg->namespace;
	if (gitops_kube_new(&c->kube, cfg, co, err) < 0 ||
	    gitops_kube_discovery_new(&c->discovery, c->kube, NULL, err) < 0) {
		gitops_cluster_close(c);
		return -1;
	}
	return 0;
}

void gitops_cluster_close(struct gitops_cluster *c)
{
	gitops_kube_discovery_free(c->discovery);
	gitops_kube_free(c->kube);
	memset(c, 0, sizeof(*c));
}
