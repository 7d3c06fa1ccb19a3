/* Unit tests for lib/health.c: Argo CD's health assessment, against its fixtures and rule by rule. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/k8s/health.h"
#include "lib/yaml/yaml.h"
#include "tests/unit/check_main.h"
#include "tests/unit/conformance.h"

static cJSON *parse(const char *text, const char *name)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *obj = NULL;

	ck_assert_msg(gitops_yaml_parse_one(&obj, text, strlen(text), name, &limits, &err) == 0, "%s", err.msg);
	ck_assert_msg(obj != NULL, "%s: empty document", name);
	return obj;
}

/*
 * Every row of $CONFORMANCE/health/expected.tsv (Argo CD's own fixtures
 * and the status its tests assert; "<nil>" is no built-in check).
 */
START_TEST(test_conformance)
{
	const char *dir = getenv("CONFORMANCE");
	struct gitops_buf tsv = GITOPS_BUF_INIT, failures = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char path[4096];
	size_t rows = 0, checked = 0, bad = 0;
	char *line, *save = NULL;

	if (test_conformance_absent())
		return;
	if (!dir)
		dir = "../shared/conformance";
	snprintf(path, sizeof(path), "%s/health/expected.tsv", dir);
	ck_assert_msg(gitops_buf_read_file(&tsv, path, 1u << 20, &err) == 0, "%s", err.msg);
	for (line = strtok_r(tsv.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *file = line, *status, *tab;
		struct gitops_buf yaml = GITOPS_BUF_INIT;
		struct gitops_health h;
		cJSON *obj;

		if (!strncmp(line, "file\t", 5) || !*line)
			continue; /* the header */
		rows++;
		tab = strchr(file, '\t');
		ck_assert_msg(tab != NULL, "%s: malformed row '%s'", path, line);
		*tab = '\0';
		status = tab + 1;
		if ((tab = strchr(status, '\t')))
			*tab = '\0';
		snprintf(path, sizeof(path), "%s/health/%s", dir, file);
		ck_assert_msg(gitops_buf_read_file(&yaml, path, 1u << 20, &err) == 0, "%s", err.msg);
		obj = parse(yaml.data, path);
		gitops_health_assess(obj, &h);
		if (strcmp(gitops_health_name(h.status), !strcmp(status, "<nil>") ? "" : status)) {
			gitops_buf_printf(&failures, "\n  %s: want %s, got %s (%s)", file, status,
					  h.status == GITOPS_HEALTH_NONE ? "<nil>" : gitops_health_name(h.status), h.message);
			bad++;
		}
		checked++;
		cJSON_Delete(obj);
		gitops_buf_release(&yaml);
	}
	ck_assert_msg(bad == 0, "%zu of %zu fixtures assessed wrongly:%s", bad, checked, failures.data);
	ck_assert_uint_eq(checked, rows);
	ck_assert_msg(rows >= 25, "only %zu rows in %s/health/expected.tsv (25 expected)", rows, dir);
	fprintf(stderr, "health: %zu of %zu Argo CD fixtures assessed as upstream asserts\n", checked, rows);
	gitops_buf_release(&failures);
	gitops_buf_release(&tsv);
}
END_TEST

/* Objects written as YAML flow mappings; quoted 'True' stays a string. */
#define DEP(meta, spec, status) \
	"{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, " meta "}, spec: {" spec "}, status: {" status "}}"
#define STS(meta, spec, status) \
	"{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: db, " meta "}, spec: {" spec "}, status: {" status "}}"
#define DS(meta, spec, status) \
	"{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: agent, " meta "}, spec: {" spec "}, status: {" status "}}"
#define RS(meta, spec, status) \
	"{apiVersion: apps/v1, kind: ReplicaSet, metadata: {name: web-7d9, " meta "}, spec: {" spec "}, status: {" status "}}"
#define JOB(status) "{apiVersion: batch/v1, kind: Job, metadata: {name: migrate}, status: {" status "}}"
#define POD(meta, policy, status) \
	"{apiVersion: v1, kind: Pod, metadata: {name: web-0, " meta "}, spec: {restartPolicy: " policy "}, status: {" status "}}"
#define PVC(phase) "{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data}, status: {phase: " phase "}}"
#define SVC(type, status) "{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {type: " type "}, status: {" status "}}"
#define ING(av, status) "{apiVersion: " av ", kind: Ingress, metadata: {name: web}, status: {" status "}}"
#define HPA(av, meta, status) \
	"{apiVersion: " av ", kind: HorizontalPodAutoscaler, metadata: {name: web, " meta "}, status: {" status "}}"
#define APISVC(av, status) "{apiVersion: " av ", kind: APIService, metadata: {name: v1.metrics.k8s.io}, status: {" status "}}"
#define CRD(meta, status) \
	"{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: widgets.example.com, " meta "}, status: {" status "}}"
#define WF(status) "{apiVersion: argoproj.io/v1alpha1, kind: Workflow, metadata: {name: build}, status: {" status "}}"
#define HOOK_FIN "finalizers: [argocd.argoproj.io/hook-finalizer]"
#define DELETED "deletionTimestamp: '2024-05-01T10:00:00Z'"
#define CTR_WAITING(name, reason, msg) "{name: " name ", state: {waiting: {reason: " reason ", message: '" msg "'}}}"

#define P GITOPS_HEALTH_PROGRESSING
#define H GITOPS_HEALTH_HEALTHY
#define D GITOPS_HEALTH_DEGRADED
#define S GITOPS_HEALTH_SUSPENDED
#define U GITOPS_HEALTH_UNKNOWN
#define N GITOPS_HEALTH_NONE

static const struct {
	const char *what;
	const char *yaml;
	enum gitops_health_status status;
	const char *message;
} cases[] = {
	/* Deployment */
	{ "deployment paused", DEP("generation: 1", "paused: true, replicas: 3", "observedGeneration: 1"), S,
	  "Deployment is paused" },
	{ "deployment generation not observed", DEP("generation: 3", "replicas: 3", "observedGeneration: 2"), P,
	  "Waiting for rollout to finish: observed deployment generation less than desired generation" },
	{ "deployment progress deadline exceeded",
	  DEP("generation: 2", "replicas: 3",
	      "observedGeneration: 2, replicas: 3, updatedReplicas: 1, conditions: [{type: Available, status: 'False', "
	      "reason: MinimumReplicasUnavailable}, {type: Progressing, status: 'False', reason: ProgressDeadlineExceeded}]"),
	  D, "Deployment \"web\" exceeded its progress deadline" },
	{ "deployment deadline not read while generation unobserved",
	  DEP("generation: 3", "replicas: 3",
	      "observedGeneration: 2, conditions: [{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded}]"),
	  P, "Waiting for rollout to finish: observed deployment generation less than desired generation" },
	{ "deployment replicas being updated",
	  DEP("generation: 2", "replicas: 3",
	      "observedGeneration: 2, replicas: 3, updatedReplicas: 1, conditions: [{type: Progressing, status: 'True', "
	      "reason: ReplicaSetUpdated}]"),
	  P, "Waiting for rollout to finish: 1 out of 3 new replicas have been updated..." },
	{ "deployment old replicas terminating",
	  DEP("generation: 2", "replicas: 3", "observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3"),
	  P, "Waiting for rollout to finish: 1 old replicas are pending termination..." },
	{ "deployment updated replicas not available",
	  DEP("generation: 2", "replicas: 3", "observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 1"),
	  P, "Waiting for rollout to finish: 1 of 3 updated replicas are available..." },
	{ "deployment rolled out",
	  DEP("generation: 2", "replicas: 3",
	      "observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3"),
	  H, "" },
	{ "deployment of an unsupported version",
	  "{apiVersion: apps/v1beta2, kind: Deployment, metadata: {name: web}, spec: {replicas: 1}}", U,
	  "unsupported Deployment GVK: apps/v1beta2, Kind=Deployment" },
	{ "deployment with a field of the wrong type", DEP("generation: 1", "replicas: '3'", "observedGeneration: 1"), U,
	  "failed to convert unstructured Deployment to typed: spec.replicas: expected a 32-bit integer, found a string" },
	{ "deployment with status not a mapping", "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, status: [1]}",
	  U, "failed to convert unstructured Deployment to typed: status: expected a mapping, found a sequence" },
	{ "extensions Deployment has no check", "{apiVersion: extensions/v1beta1, kind: Deployment, metadata: {name: web}}", N,
	  "" },

	/* StatefulSet */
	{ "statefulset never observed", STS("generation: 1", "replicas: 3", "readyReplicas: 0"), P,
	  "Waiting for statefulset spec update to be observed..." },
	{ "statefulset pods not ready", STS("generation: 1", "replicas: 3", "observedGeneration: 1, readyReplicas: 1"), P,
	  "Waiting for 2 pods to be ready..." },
	{ "statefulset partitioned roll out in progress",
	  STS("generation: 2", "replicas: 5, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}",
	      "observedGeneration: 2, readyReplicas: 5, updatedReplicas: 2"),
	  P, "Waiting for partitioned roll out to finish: 2 out of 3 new pods have been updated..." },
	{ "statefulset partitioned roll out complete",
	  STS("generation: 2", "replicas: 5, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}",
	      "observedGeneration: 2, readyReplicas: 5, updatedReplicas: 3"),
	  H, "partitioned roll out complete: 3 new pods have been updated..." },
	{ "statefulset OnDelete",
	  STS("generation: 2", "replicas: 3, updateStrategy: {type: OnDelete}",
	      "observedGeneration: 2, readyReplicas: 3, updateRevision: db-2, currentRevision: db-1"),
	  H, "statefulset has 3 ready pods" },
	{ "statefulset rolling update to a new revision",
	  STS("generation: 2", "replicas: 3, updateStrategy: {type: RollingUpdate}",
	      "observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1, updateRevision: db-2, currentRevision: db-1"),
	  P, "waiting for statefulset rolling update to complete 1 pods at revision db-2..." },
	{ "statefulset rolling update complete",
	  STS("generation: 2", "replicas: 3, updateStrategy: {type: RollingUpdate}",
	      "observedGeneration: 2, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, updateRevision: db-2, "
	      "currentRevision: db-2"),
	  H, "statefulset rolling update complete 3 pods at revision db-2..." },

	/* DaemonSet */
	{ "daemonset generation not observed", DS("generation: 4", "", "observedGeneration: 3"), P,
	  "Waiting for rollout to finish: observed daemon set generation less than desired generation" },
	{ "daemonset OnDelete",
	  DS("generation: 4", "updateStrategy: {type: OnDelete}",
	     "observedGeneration: 4, desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3"),
	  H, "daemon set 1 out of 3 new pods have been updated" },
	{ "daemonset pods being updated",
	  DS("generation: 4", "updateStrategy: {type: RollingUpdate}",
	     "observedGeneration: 4, desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3"),
	  P, "Waiting for daemon set \"agent\" rollout to finish: 1 out of 3 new pods have been updated..." },
	{ "daemonset pods not available",
	  DS("generation: 4", "updateStrategy: {type: RollingUpdate}",
	     "observedGeneration: 4, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2"),
	  P, "Waiting for daemon set \"agent\" rollout to finish: 2 of 3 updated pods are available..." },
	{ "daemonset rolled out",
	  DS("generation: 4", "updateStrategy: {type: RollingUpdate}",
	     "observedGeneration: 4, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3"),
	  H, "" },

	/* ReplicaSet */
	{ "replicaset ReplicaFailure",
	  RS("generation: 1", "replicas: 3",
	     "observedGeneration: 1, availableReplicas: 0, conditions: [{type: ReplicaFailure, status: 'True', reason: "
	     "FailedCreate, message: 'pods \"web-7d9-x\" is forbidden: exceeded quota'}]"),
	  D, "pods \"web-7d9-x\" is forbidden: exceeded quota" },
	{ "replicaset ReplicaFailure resolved",
	  RS("generation: 1", "replicas: 3",
	     "observedGeneration: 1, availableReplicas: 3, conditions: [{type: ReplicaFailure, status: 'False'}]"),
	  H, "" },
	{ "replicaset replicas not available", RS("generation: 1", "replicas: 3", "observedGeneration: 1, availableReplicas: 1"),
	  P, "Waiting for rollout to finish: 1 out of 3 new replicas are available..." },
	{ "replicaset generation not observed", RS("generation: 2", "replicas: 3", "observedGeneration: 1"), P,
	  "Waiting for rollout to finish: observed replica set generation less than desired generation" },

	/* Job */
	{ "job running", JOB("active: 1, startTime: '2024-05-01T10:00:00Z'"), P, "" },
	{ "job complete", JOB("succeeded: 1, conditions: [{type: Complete, status: 'True'}]"), H, "" },
	{ "job failed",
	  JOB("failed: 7, conditions: [{type: Failed, status: 'True', reason: BackoffLimitExceeded, message: Job has reached "
	      "the specified backoff limit}]"),
	  D, "Job has reached the specified backoff limit" },
	{ "job suspended (Argo CD reports the empty failure message)",
	  JOB("conditions: [{type: Suspended, status: 'True', reason: JobSuspended, message: Job suspended}]"), S, "" },
	{ "job resumed after a suspension",
	  JOB("active: 1, conditions: [{type: Suspended, status: 'False', reason: JobResumed, message: Job resumed}]"), H,
	  "Job resumed" },
	{ "job of an unsupported version", "{apiVersion: batch/v1beta1, kind: Job, metadata: {name: migrate}}", U,
	  "unsupported Job GVK: batch/v1beta1, Kind=Job" },

	/* Pod */
	{ "pod pending", POD("", "Always", "phase: Pending, containerStatuses: [" CTR_WAITING("main", "ContainerCreating", "") "]"),
	  P, "" },
	{ "pod CrashLoopBackOff",
	  POD("", "Always",
	      "phase: Running, containerStatuses: [" CTR_WAITING("main", "CrashLoopBackOff",
							       "back-off 5m0s restarting failed container=main") "]"),
	  D, "back-off 5m0s restarting failed container=main" },
	{ "pod ImagePullBackOff in two containers",
	  POD("", "Always",
	      "phase: Pending, containerStatuses: [" CTR_WAITING("a", "ImagePullBackOff", "Back-off pulling image \"a:1\"") ", "
	      CTR_WAITING("b", "ImagePullBackOff", "Back-off pulling image \"b:1\"") "]"),
	  D, "Back-off pulling image \"a:1\", Back-off pulling image \"b:1\"" },
	{ "pod ErrImagePull",
	  POD("", "Always", "phase: Pending, containerStatuses: [" CTR_WAITING("main", "ErrImagePull", "pull access denied") "]"),
	  D, "pull access denied" },
	{ "pod CreateContainerConfigError",
	  POD("", "Always",
	      "phase: Pending, containerStatuses: [" CTR_WAITING("main", "CreateContainerConfigError",
							       "secret \"db\" not found") "]"),
	  D, "secret \"db\" not found" },
	{ "hook pod (restartPolicy Never) waiting on an image stays Progressing",
	  POD("", "Never",
	      "phase: Pending, message: waiting, containerStatuses: [" CTR_WAITING("main", "ImagePullBackOff", "Back-off") "]"),
	  P, "waiting" },
	{ "pod running and ready",
	  POD("", "Always", "phase: Running, conditions: [{type: Initialized, status: 'True'}, {type: Ready, status: 'True'}]"),
	  H, "" },
	{ "pod running, not ready, a container restarted",
	  POD("", "Always",
	      "phase: Running, conditions: [{type: Ready, status: 'False'}], containerStatuses: [{name: main, lastState: "
	      "{terminated: {exitCode: 1, reason: Error}}, state: {running: {}}}]"),
	  D, "" },
	{ "pod running, not ready yet",
	  POD("", "Always",
	      "phase: Running, conditions: [{type: Ready, status: 'False'}], containerStatuses: [{name: main, state: "
	      "{running: {}}}]"),
	  P, "" },
	{ "pod running with restartPolicy Never", POD("", "Never", "phase: Running, conditions: [{type: Ready, status: 'True'}]"),
	  P, "" },
	{ "pod running with restartPolicy OnFailure",
	  POD("", "OnFailure", "phase: Running, conditions: [{type: Ready, status: 'True'}]"), P, "" },
	{ "pod succeeded", POD("", "Never", "phase: Succeeded"), H, "" },
	{ "pod failed with a message",
	  POD("", "Always", "phase: Failed, reason: Evicted, message: 'The node was low on resource: memory.'"), D,
	  "The node was low on resource: memory." },
	{ "pod failed: an init container's exit code comes first",
	  POD("", "Never",
	      "phase: Failed, initContainerStatuses: [{name: init-db, state: {terminated: {exitCode: 1, reason: Error}}}], "
	      "containerStatuses: [{name: main, state: {terminated: {exitCode: 137, reason: OOMKilled}}}]"),
	  D, "container \"init-db\" failed with exit code 1" },
	{ "pod failed: OOMKilled",
	  POD("", "Never",
	      "phase: Failed, initContainerStatuses: [{name: init, state: {terminated: {exitCode: 0, reason: Completed}}}], "
	      "containerStatuses: [{name: main, state: {terminated: {exitCode: 137, reason: OOMKilled}}}]"),
	  D, "OOMKilled" },
	{ "pod failed: termination message",
	  POD("", "OnFailure",
	      "phase: Failed, containerStatuses: [{name: main, state: {terminated: {exitCode: 2, reason: Error, message: "
	      "'panic: no config'}}}]"),
	  D, "panic: no config" },
	{ "pod failed without a reason", POD("", "Never", "phase: Failed"), D, "" },
	{ "pod in phase Unknown", POD("", "Always", "phase: Unknown, message: node lost"), U, "node lost" },
	{ "pod being deleted", POD(DELETED, "Always", "phase: Running, conditions: [{type: Ready, status: 'True'}]"), P,
	  "Pending deletion" },
	{ "hook pod being deleted keeps its own health", POD(DELETED ", " HOOK_FIN, "Never", "phase: Succeeded"), H, "" },
	{ "an unparsable deletionTimestamp is no deletion",
	  POD("deletionTimestamp: soon", "Always", "phase: Running, conditions: [{type: Ready, status: 'True'}]"), H, "" },
	{ "the zero deletionTimestamp is no deletion",
	  POD("deletionTimestamp: '0001-01-01T00:00:00Z'", "Always", "phase: Succeeded"), H, "" },
	{ "deletionTimestamp with fraction and offset",
	  POD("deletionTimestamp: '2024-05-01T12:00:00.5+02:00'", "Always", "phase: Succeeded"), P, "Pending deletion" },
	{ "pod with a container status of the wrong type",
	  POD("", "Always", "phase: Running, containerStatuses: [{name: main, state: {terminated: {exitCode: one}}}]"), U,
	  "failed to convert unstructured Pod to typed: status.containerStatuses[0].state.terminated.exitCode: expected a "
	  "32-bit integer, found a string" },

	/* PersistentVolumeClaim */
	{ "pvc bound", PVC("Bound"), H, "" },
	{ "pvc pending", PVC("Pending"), P, "" },
	{ "pvc lost", PVC("Lost"), D, "" },
	{ "pvc without a phase", "{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data}}", U, "" },

	/* Service */
	{ "service ClusterIP", SVC("ClusterIP", "loadBalancer: {}"), H, "" },
	{ "service LoadBalancer without ingress", SVC("LoadBalancer", "loadBalancer: {}"), P, "" },
	{ "service LoadBalancer with an empty ingress list", SVC("LoadBalancer", "loadBalancer: {ingress: []}"), P, "" },
	{ "service LoadBalancer with ingress", SVC("LoadBalancer", "loadBalancer: {ingress: [{ip: 203.0.113.10}]}"), H, "" },

	/* Ingress */
	{ "ingress without an address", ING("networking.k8s.io/v1", "loadBalancer: {}"), P, "" },
	{ "ingress with an address", ING("networking.k8s.io/v1", "loadBalancer: {ingress: [{hostname: lb.example.com}]}"), H,
	  "" },
	{ "extensions ingress with an address", ING("extensions/v1beta1", "loadBalancer: {ingress: [{ip: 203.0.113.10}]}"), H,
	  "" },
	{ "ingress with a malformed status", ING("networking.k8s.io/v1", "loadBalancer: {ingress: {ip: 203.0.113.10}}"), P, "" },

	/* HorizontalPodAutoscaler */
	{ "hpa FailedGetScale",
	  HPA("autoscaling/v2", "",
	      "conditions: [{type: AbleToScale, status: 'False', reason: FailedGetScale, message: no scale target}]"),
	  D, "no scale target" },
	{ "hpa FailedUpdateScale",
	  HPA("autoscaling/v2beta2", "",
	      "conditions: [{type: AbleToScale, status: 'False', reason: FailedUpdateScale, message: update refused}]"),
	  D, "update refused" },
	{ "hpa FailedGetResourceMetric",
	  HPA("autoscaling/v2", "",
	      "conditions: [{type: ScalingActive, status: 'False', reason: FailedGetResourceMetric, message: no metrics}, "
	      "{type: AbleToScale, status: 'True', reason: SucceededGetScale, message: fine}]"),
	  D, "no metrics" },
	{ "hpa InvalidSelector",
	  HPA("autoscaling/v2beta1", "",
	      "conditions: [{type: ScalingActive, status: 'False', reason: InvalidSelector, message: bad selector}]"),
	  D, "bad selector" },
	{ "hpa first healthy condition wins over a later failing one",
	  HPA("autoscaling/v2", "",
	      "conditions: [{type: AbleToScale, status: 'True', reason: SucceededGetScale, message: got scale}, "
	      "{type: ScalingActive, status: 'False', reason: FailedGetResourceMetric, message: no metrics}]"),
	  H, "got scale" },
	{ "hpa ScalingLimited",
	  HPA("autoscaling/v2", "",
	      "conditions: [{type: ScalingActive, status: 'True', reason: ValidMetricFound, message: ok}, "
	      "{type: ScalingLimited, status: 'True', reason: TooManyReplicas, message: capped at max}]"),
	  H, "capped at max" },
	{ "hpa backing off", HPA("autoscaling/v2", "", "conditions: [{type: AbleToScale, status: 'False', reason: BackoffBoth}]"),
	  P, "Waiting to Autoscale" },
	{ "hpa without conditions", HPA("autoscaling/v2", "", "currentReplicas: 1"), P, "Waiting to Autoscale" },
	{ "hpa v1 without the conditions annotation", HPA("autoscaling/v1", "", "currentReplicas: 1"), P,
	  "Waiting to Autoscale" },
	{ "hpa v1 conditions annotation",
	  HPA("autoscaling/v1",
	      "annotations: {autoscaling.alpha.kubernetes.io/conditions: '[{\"type\":\"AbleToScale\",\"status\":\"True\","
	      "\"reason\":\"SucceededRescale\",\"message\":\"scaled to 2\"}]'}",
	      "currentReplicas: 2"),
	  H, "scaled to 2" },
	{ "hpa v1 empty conditions annotation",
	  HPA("autoscaling/v1", "annotations: {autoscaling.alpha.kubernetes.io/conditions: '[]'}", "currentReplicas: 2"), P,
	  "Waiting to Autoscale" },
	{ "hpa v1 annotation is not JSON",
	  HPA("autoscaling/v1", "annotations: {autoscaling.alpha.kubernetes.io/conditions: '[{'}", "currentReplicas: 2"), U,
	  "failed to convert conditions annotation to typed: invalid JSON in autoscaling.alpha.kubernetes.io/conditions" },
	{ "hpa v1 annotation field of the wrong type",
	  HPA("autoscaling/v1",
	      "annotations: {autoscaling.alpha.kubernetes.io/conditions: '[{\"type\":\"AbleToScale\",\"status\":true}]'}",
	      "currentReplicas: 2"),
	  U,
	  "failed to convert conditions annotation to typed: json: cannot unmarshal bool into Go struct field "
	  "hpaCondition.Status of type string" },
	{ "hpa of an unsupported version", HPA("autoscaling/v3", "", ""), U,
	  "unsupported HPA GVK: autoscaling/v3, Kind=HorizontalPodAutoscaler" },

	/* APIService */
	{ "apiservice available",
	  APISVC("apiregistration.k8s.io/v1",
		 "conditions: [{type: Available, status: 'True', reason: Passed, message: all checks passed}]"),
	  H, "Passed: all checks passed" },
	{ "apiservice v1beta1 not available",
	  APISVC("apiregistration.k8s.io/v1beta1",
		 "conditions: [{type: Available, status: 'False', reason: MissingEndpoints, message: no addresses}]"),
	  P, "MissingEndpoints: no addresses" },
	{ "apiservice not processed yet", APISVC("apiregistration.k8s.io/v1", "conditions: []"), P, "Waiting to be processed" },

	/* CustomResourceDefinition */
	{ "crd established",
	  CRD("", "conditions: [{type: NamesAccepted, status: 'True', message: no conflicts found}, {type: Established, "
	      "status: 'True', message: the initial names have been accepted}]"),
	  H, "CRD is healthy" },
	{ "crd without conditions", CRD("", "conditions: []"), P, "Status conditions not found" },
	{ "crd names not accepted",
	  CRD("", "conditions: [{type: NamesAccepted, status: 'False', message: '\"widgets\" is already in use'}, "
	      "{type: Established, status: 'False', message: not all names are accepted}]"),
	  D, "CRD names have not been accepted: \"widgets\" is already in use" },
	{ "crd not established",
	  CRD("", "conditions: [{type: NamesAccepted, status: 'True'}, {type: Established, status: 'False', reason: "
	      "Installing, message: the initial names have not been accepted}]"),
	  D, "CRD is not established" },
	{ "crd Terminating condition",
	  CRD("", "conditions: [{type: Established, status: 'True', message: established}, {type: Terminating, status: "
	      "'True', message: user has deleted the CRD}]"),
	  P, "CRD is terminating: user has deleted the CRD" },
	{ "crd non-structural schema",
	  CRD("", "conditions: [{type: Established, status: 'True', message: established}, {type: NonStructuralSchema, "
	      "status: 'True', message: 'spec.preserveUnknownFields: Invalid value: true: must be false'}]"),
	  D, "Schema violations found: spec.preserveUnknownFields: Invalid value: true: must be false" },
	{ "crd being deleted", CRD(DELETED, "conditions: [{type: Established, status: 'True'}]"), P, "Pending deletion" },
	{ "crd hook being deleted", CRD(DELETED ", " HOOK_FIN, "conditions: [{type: Established, status: 'True'}]"), P,
	  "CRD is terminating" },

	/* Argo Workflow */
	{ "workflow running", WF("phase: Running, message: step 2 of 3"), P, "step 2 of 3" },
	{ "workflow not started", "{apiVersion: argoproj.io/v1alpha1, kind: Workflow, metadata: {name: build}}", P, "" },
	{ "workflow succeeded", WF("phase: Succeeded"), H, "" },
	{ "workflow failed", WF("phase: Failed, message: child failed"), D, "child failed" },
	{ "workflow error", WF("phase: Error, message: no pods"), D, "no pods" },

	/* no built-in check */
	{ "configmap", "{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {a: b}}", N, "" },
	{ "knative service",
	  "{apiVersion: serving.knative.dev/v1, kind: Service, metadata: {name: hello}, status: {conditions: [{type: Ready, "
	  "status: 'False'}]}}",
	  N, "" },
	{ "argo cd application",
	  "{apiVersion: argoproj.io/v1alpha1, kind: Application, metadata: {name: app}, status: {health: {status: "
	  "Degraded}}}",
	  N, "" },
	{ "malformed apiVersion", "{apiVersion: a/b/c, kind: Deployment, metadata: {name: web}}", N, "" },
	{ "configmap being deleted", "{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg, " DELETED "}}", P,
	  "Pending deletion" },
};

START_TEST(test_rules)
{
	struct gitops_health h;
	cJSON *obj = parse(cases[_i].yaml, cases[_i].what);

	memset(&h, 0x55, sizeof(h));
	gitops_health_assess(obj, &h);
	ck_assert_msg(h.status == cases[_i].status && !strcmp(h.message, cases[_i].message),
		      "%s: want %s \"%s\", got %s \"%s\"", cases[_i].what, gitops_health_name(cases[_i].status),
		      cases[_i].message, gitops_health_name(h.status), h.message);
	cJSON_Delete(obj);
}
END_TEST

START_TEST(test_missing_and_names)
{
	struct gitops_health h;
	cJSON *obj;

	memset(&h, 0x55, sizeof(h));
	gitops_health_assess(NULL, &h);
	ck_assert_int_eq(h.status, GITOPS_HEALTH_MISSING);
	ck_assert_str_eq(h.message, "");
	ck_assert_str_eq(gitops_health_name(GITOPS_HEALTH_MISSING), "Missing");
	ck_assert_str_eq(gitops_health_name(GITOPS_HEALTH_NONE), "");
	ck_assert_str_eq(gitops_health_name(GITOPS_HEALTH_HEALTHY), "Healthy");
	ck_assert_str_eq(gitops_health_name(GITOPS_HEALTH_PROGRESSING), "Progressing");
	ck_assert_str_eq(gitops_health_name(GITOPS_HEALTH_DEGRADED), "Degraded");
	ck_assert_str_eq(gitops_health_name(GITOPS_HEALTH_SUSPENDED), "Suspended");
	ck_assert_str_eq(gitops_health_name(GITOPS_HEALTH_UNKNOWN), "Unknown");

	/* not a mapping: no check applies */
	obj = cJSON_CreateArray();
	gitops_health_assess(obj, &h);
	ck_assert_int_eq(h.status, GITOPS_HEALTH_NONE);
	cJSON_Delete(obj);
}
END_TEST

START_TEST(test_classify)
{
	ck_assert_int_eq(gitops_health_classify(GITOPS_HEALTH_HEALTHY), GITOPS_HEALTH_DONE);
	ck_assert_int_eq(gitops_health_classify(GITOPS_HEALTH_NONE), GITOPS_HEALTH_DONE);
	ck_assert_int_eq(gitops_health_classify(GITOPS_HEALTH_DEGRADED), GITOPS_HEALTH_FAILED);
	ck_assert_int_eq(gitops_health_classify(GITOPS_HEALTH_PROGRESSING), GITOPS_HEALTH_WAITING);
	ck_assert_int_eq(gitops_health_classify(GITOPS_HEALTH_SUSPENDED), GITOPS_HEALTH_WAITING);
	ck_assert_int_eq(gitops_health_classify(GITOPS_HEALTH_MISSING), GITOPS_HEALTH_WAITING);
	ck_assert_int_eq(gitops_health_classify(GITOPS_HEALTH_UNKNOWN), GITOPS_HEALTH_WAITING);
}
END_TEST

/* A message longer than the buffer is cut, never overrun; many containers are all read. */
START_TEST(test_long_message)
{
	struct gitops_health h;
	struct gitops_buf b = GITOPS_BUF_INIT;
	cJSON *obj;
	int i;

	gitops_buf_addstr(&b, "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {restartPolicy: Always}, "
			      "status: {phase: Running, containerStatuses: [");
	for (i = 0; i < 100; i++)
		gitops_buf_printf(&b, "%s{name: c%d, state: {waiting: {reason: CrashLoopBackOff, message: 'container %d "
				      "keeps crashing'}}}", i ? ", " : "", i, i);
	gitops_buf_addstr(&b, "]}}");
	obj = parse(b.data, "long");
	gitops_health_assess(obj, &h);
	ck_assert_int_eq(h.status, GITOPS_HEALTH_DEGRADED);
	ck_assert_uint_eq(strlen(h.message), sizeof(h.message) - 1);
	ck_assert(!strncmp(h.message, "container 0 keeps crashing, container 1 keeps crashing, ", 56));
	cJSON_Delete(obj);
	gitops_buf_release(&b);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("conformance");

	tcase_add_test(tc, test_conformance);
	suite_add_tcase(s, tc);
	tc = tcase_create("rules");
	tcase_add_loop_test(tc, test_rules, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_missing_and_names);
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_long_message);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
