/*
 * health.h: the health of a live Kubernetes object, assessed as Argo CD
 * assesses it (gitops-engine pkg/health, plus the CustomResourceDefinition
 * check Argo CD ships as a resource customisation).
 *
 * Kinds are matched by API group and kind; the check for a kind may then
 * accept only some versions (apps/v1 Deployment, batch/v1 Job, ...), and an
 * object of another version of that kind is Unknown ("unsupported
 * Deployment GVK: apps/v1beta2, Kind=Deployment"), as in Argo CD:
 *
 *   apps                    Deployment, StatefulSet, DaemonSet, ReplicaSet (v1)
 *   "" (core)               Pod, Service, PersistentVolumeClaim (v1)
 *   batch                   Job (v1)
 *   autoscaling             HorizontalPodAutoscaler (v1, v2beta1, v2beta2, v2)
 *   extensions,
 *   networking.k8s.io       Ingress (any version)
 *   apiregistration.k8s.io  APIService (v1, v1beta1)
 *   apiextensions.k8s.io    CustomResourceDefinition (any version)
 *   argoproj.io             Workflow (any version)
 *
 * An object with a valid metadata.deletionTimestamp is Progressing, "Pending
 * deletion", whatever its kind, unless it carries Argo CD's hook finalizer
 * (argocd.argoproj.io/hook-finalizer): then the check of its kind applies.
 * Any other kind has no built-in check: GITOPS_HEALTH_NONE (Argo CD's <nil>).
 *
 * A field of the wrong type where a check reads it (spec.replicas: "3") is
 * Unknown with a "failed to convert unstructured KIND to typed: ..." message,
 * as Argo CD's typed conversion fails.  Nothing allocates; nothing fails.
 */
#ifndef GITOPS_HEALTH_H
#define GITOPS_HEALTH_H

#include <cjson/cJSON.h>

enum gitops_health_status {
	GITOPS_HEALTH_NONE,        /* no built-in check applies to this kind (Argo CD's <nil>) */
	GITOPS_HEALTH_HEALTHY,
	GITOPS_HEALTH_PROGRESSING,
	GITOPS_HEALTH_DEGRADED,
	GITOPS_HEALTH_SUSPENDED,
	GITOPS_HEALTH_MISSING,
	GITOPS_HEALTH_UNKNOWN
};

struct gitops_health {
	enum gitops_health_status status;
	char message[512];         /* Argo CD's message, often empty; truncated to fit */
};

/* Assess a live object (borrowed; NULL: Missing). Never fails. */
void gitops_health_assess(const cJSON *live, struct gitops_health *out);

/* "Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"; "" for NONE. */
const char *gitops_health_name(enum gitops_health_status s);

/* What a status means to a program waiting for health (--wait). */
enum gitops_health_outcome {
	GITOPS_HEALTH_WAITING = 0, /* still going: Progressing, Suspended, Missing, Unknown */
	GITOPS_HEALTH_DONE = 1,    /* a final good state: Healthy, or no check (NONE) */
	GITOPS_HEALTH_FAILED = -1  /* a final bad state: Degraded */
};

enum gitops_health_outcome gitops_health_classify(enum gitops_health_status s);

#endif
