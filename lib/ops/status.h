/*
 * status.h: what gitops-sync status, history and rollback show and choose,
 * from the records and histories of state.h: the status table, its exit
 * status, the history table, the revision a rollback goes back to.
 *
 * Text is appended to the caller's buffer; records are borrowed.
 */
#ifndef GITOPS_OPS_STATUS_H
#define GITOPS_OPS_STATUS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

/* APP SYNC HEALTH REVISION LAST SYNC MESSAGE, a line per record (suspended and busy said in MESSAGE). */
int gitops_ops_status_table(struct gitops_buf *out, const cJSON *const *records, size_t n);
/* 8 (GITOPS_EXIT_UNHEALTHY) when a record is not Healthy, else 1 when one is OutOfSync, else 0. */
int gitops_ops_status_exit(const cJSON *const *records, size_t n);
/*
 * `gitops-sync status`: the records of `names` (n), or of every application
 * with a record (names NULL), as the table or (json) a JSON array, appended
 * to out.  Returns gitops_ops_status_exit's code, or -1 and err.
 */
int gitops_ops_status(struct gitops_buf *out, int json, const char *dir, const char *const *names, size_t n,
		      struct gitops_err *err);
/* Every record of the state directory as Prometheus metrics (metrics.h), written to path atomically. */
int gitops_ops_status_metrics(const char *path, const char *dir, struct gitops_err *err);
/* ID STARTED REVISION RESULT MESSAGE, oldest first (as argocd app history). */
int gitops_ops_history_table(struct gitops_buf *out, const cJSON *history);
/* A revision: a commit (40 hex) or a chart's version, with its NUL. */
#define GITOPS_OPS_REV_MAX 129
/*
 * The revision (into out) a rollback syncs: `to` (a prefix of 7 or more hex
 * digits of a commit, or a chart's version, the history records as
 * Succeeded), else the `steps`-th earlier revision synced successfully
 * before `current`.  -1 with a message (GITOPS_EXIT_USAGE) when the history
 * has none.
 */
int gitops_ops_rollback_target(char out[GITOPS_OPS_REV_MAX], const cJSON *history, const char *current,
			       const char *to, int steps, struct gitops_err *err);

#endif
