#include "lib/applyset.h"

#include <stdio.h>
#include <string.h>

/* (being written: gitops_applyset_orphans returns no members until it lands) */
void gitops_applyset_id(const char *name, const char *ns, char *id, size_t size)
{
	snprintf(id, size, "applyset-%s-%s-v1", name, ns);
}

int gitops_applyset_orphans(struct gitops_kube *k, struct gitops_kube_discovery *d, const char *name, const char *ns,
			    const struct gitops_object *objs, size_t n, const char *default_ns, cJSON **out,
			    struct gitops_err *err)
{
	(void)k, (void)d, (void)name, (void)ns, (void)objs, (void)n, (void)default_ns, (void)err;
	*out = cJSON_CreateArray();
	return *out ? 0 : gitops_err_oom(err);
}
