/*
 * kube_discovery.h: which resource serves a kind, its scope and its verbs,
 * from the API server's discovery documents (/api, /apis and each group
 * version's resource list, fetched in parallel), cached on disk per server
 * for a while and fetched again once when a kind is not found (a CRD
 * applied a moment ago).
 */
#ifndef GITOPS_KUBE_DISCOVERY_H
#define GITOPS_KUBE_DISCOVERY_H

#include "lib/base/err.h"
#include "lib/kube/kube.h"

struct gitops_kube_resource {
	const char *group;        /* "" for the core group */
	const char *version;
	const char *kind;
	const char *resource;     /* plural name used in paths */
	int namespaced;
	int has_status;           /* a status subresource */
	const char *verbs;        /* ",get,list,patch," */
};

struct gitops_kube_discovery;

struct gitops_kube_discovery_options {
	const char *cache_dir;    /* NULL: $XDG_CACHE_HOME/gitops/discovery (or ~/.cache/...); "" disables */
	long ttl_seconds;         /* how long a cached answer is trusted */
};

#define GITOPS_KUBE_DISCOVERY_OPTIONS_INIT { .ttl_seconds = 600 }

int gitops_kube_discovery_new(struct gitops_kube_discovery **out, struct gitops_kube *k,
			      const struct gitops_kube_discovery_options *opts, struct gitops_err *err);

/*
 * The resource for group/version/kind (version NULL: the server's preferred
 * version of the group, which discovery lists first) (borrowed from d, valid until the next
 * refresh, which a find of an unknown kind may do).  0 and *out set,
 * or -1 with "unknown kind" (after one fresh discovery if the data was
 * cached or old) or the error of the group version that could not be read.
 */
int gitops_kube_discovery_find(const struct gitops_kube_resource **out, struct gitops_kube_discovery *d,
			       const char *group, const char *version, const char *kind, struct gitops_err *err);

/* Forget what is known and ask the server again. */
int gitops_kube_discovery_refresh(struct gitops_kube_discovery *d, struct gitops_err *err);

int gitops_kube_resource_can(const struct gitops_kube_resource *r, const char *verb);

void gitops_kube_discovery_free(struct gitops_kube_discovery *d);

#endif
