/*
 * metrics.h: the applications' state records as Prometheus metrics, in the
 * text exposition format 0.0.4, for node_exporter's textfile collector
 * (gitops-sync --metrics-file /var/lib/prometheus/node-exporter/gitops.prom).
 *
 * Families, each with # HELP and # TYPE once, always in this order (all
 * gauges; samples sorted by app, bytewise):
 *   gitops_app_sync_status{app,status}        1 for the record's "sync", 0 for the
 *                                             others of Synced, OutOfSync, Unknown
 *   gitops_app_health_status{app,health}      likewise for Healthy, Progressing,
 *                                             Degraded, Suspended, Missing, Unknown
 *   gitops_app_suspended{app}                 1 when automated sync is suspended
 *   gitops_app_objects_differ{app}            how many objects differ
 *   gitops_app_last_operation_result{app,result}   1 for lastOperation's result, 0 for
 *                                             the others of Succeeded, Failed, Skipped,
 *                                             Busy, OutsideWindow
 *   gitops_app_last_operation_exit_status{app}
 *   gitops_app_last_operation_timestamp_seconds{app}   lastOperation.finishedAt
 *   gitops_app_last_success_timestamp_seconds{app}     lastSuccessAt
 *   gitops_app_last_sync_duration_seconds{app}          lastOperation.durationSeconds
 *   gitops_app_objects_applied{app}, gitops_app_objects_pruned{app},
 *   gitops_app_objects_failed{app}            the last operation's counts
 * A status is one gauge per possible value (as kube-state-metrics'
 * kube_pod_status_phase), not a label on one info series (Argo CD's
 * argocd_app_info): every series exists at every scrape, so a change of
 * status is a change of value, `gitops_app_health_status{health="Degraded"}
 * == 1` is the whole alert, and no series goes stale when the status moves.
 * A value not in a list counts as Unknown.  A sample whose field is absent
 * (no lastOperation yet, no lastSuccessAt) is left out, never faked as 0.
 * Label values are escaped as the format asks (\\, \", \n).
 *
 * A record without an "app" string, or two with the same app, is an input
 * error naming the record's index.  The records are borrowed.
 *
 * gitops_ops_metrics_write replaces `path` atomically (gitops_fs_write_atomic:
 * its temporary file ".tmp-NAME-PID-XXXXXX" is skipped by the textfile
 * collector, which reads *.prom only), with mode 0644 whatever the umask
 * (node_exporter runs as another user).  Nothing here prints.
 */
#ifndef GITOPS_OPS_METRICS_H
#define GITOPS_OPS_METRICS_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "lib/base/buf.h"
#include "lib/base/err.h"

/* Append the exposition text of the n records to out. 0 or -1. */
int gitops_ops_metrics_text(struct gitops_buf *out, const cJSON *const *records, size_t n, struct gitops_err *err);
/* Write it to path atomically, mode 0644. 0 or -1. */
int gitops_ops_metrics_write(const char *path, const cJSON *const *records, size_t n, struct gitops_err *err);

#endif
