/* podspec.c: the pod template and containers of each workload kind. */
#include "lib/k8s/podspec.h"

#include <string.h>

#include "lib/k8s/object.h"

static const char *const workload_kinds[] = { "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
					      "ReplicationController", "Job", "CronJob", NULL };

cJSON *gitops_podspec_get(const cJSON *obj)
{
	const char *kind = gitops_json_get_string(obj, "kind", NULL);
	size_t i;

	for (i = 0; workload_kinds[i] && (!kind || strcmp(kind, workload_kinds[i])); i++)
		;
	if (!kind || !workload_kinds[i])
		return NULL;
	if (!strcmp(kind, "Pod"))
		return cJSON_GetObjectItemCaseSensitive(obj, "spec");
	if (!strcmp(kind, "CronJob"))
		return (cJSON *)gitops_json_get(obj, "spec", "jobTemplate", "spec", "template", "spec", NULL);
	return (cJSON *)gitops_json_get(obj, "spec", "template", "spec", NULL);
}

int gitops_podspec_foreach_container(const cJSON *obj, gitops_podspec_container_fn fn, void *ctx,
				     struct gitops_err *err)
{
	static const char *const lists[] = { "containers", "initContainers", "ephemeralContainers" };
	cJSON *spec = gitops_podspec_get(obj);
	size_t i;

	for (i = 0; spec && i < sizeof(lists) / sizeof(lists[0]); i++) {
		cJSON *c, *arr = cJSON_GetObjectItemCaseSensitive(spec, lists[i]);
		cJSON_ArrayForEach(c, arr)
			if (fn(ctx, c, err) < 0)
				return -1;
	}
	return 0;
}
