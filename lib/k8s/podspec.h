/*
 * podspec.h: where the containers of a workload are.
 *
 * The pod template of each workload kind (Pod: spec; CronJob:
 * spec.jobTemplate.spec.template.spec; Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job: spec.template.spec) and its
 * container lists (containers, initContainers, ephemeralContainers).
 * Used by gitops-bump's stream mode, and by anything else that edits
 * containers (a Kustomize `images:` transformer).
 *
 * Works on cJSON trees and takes no ownership: the pointers returned
 * borrow from the object given.
 */
#ifndef GITOPS_PODSPEC_H
#define GITOPS_PODSPEC_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"

/* The pod spec of a workload object, or NULL when its kind has none (or it is missing). */
cJSON *gitops_podspec_get(const cJSON *obj);

/*
 * Call fn for every container of a workload object: containers, then
 * initContainers, then ephemeralContainers, each in order.  Objects of
 * other kinds have none.  The first fn that returns < 0 ends the walk.
 */
typedef int (*gitops_podspec_container_fn)(void *ctx, cJSON *container, struct gitops_err *err);
int gitops_podspec_foreach_container(const cJSON *obj, gitops_podspec_container_fn fn, void *ctx,
				     struct gitops_err *err);

#endif
