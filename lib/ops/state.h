/*
 * state.h: the state directory of gitops-sync: one record per application
 * (STATE/apps/APP.json, replaced atomically), its append-only history
 * (STATE/apps/APP.history.jsonl, one compact JSON line per operation) and
 * its lock (STATE/apps/APP.lock, flock(2)).  The fields are those of the
 * contract of issue 19 (man/gitops-sync.1 lists them).
 *
 * Ownership: records and histories returned through `out` are the caller's
 * (cJSON_Delete); names from gitops_ops_state_list are the caller's
 * (gitops_ops_state_names_free).
 */
#ifndef GITOPS_OPS_STATE_H
#define GITOPS_OPS_STATE_H

#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"

/* The state directory: `given`, else $XDG_STATE_HOME/gitops-sync, else $HOME/.local/state/gitops-sync (*out to free). */
int gitops_ops_state_dir(char **out, const char *given, struct gitops_err *err);
/* mkdir -p DIR/apps (mode 0700 for what it creates). */
int gitops_ops_state_init(const char *dir, struct gitops_err *err);

/* "2026-11-30T22:00:00Z" of t (UTC) into buf (at least 21 bytes). */
void gitops_ops_time_format(char *buf, size_t size, time_t t);

/* A new record of app with every field at its default (Unknown, empty, not suspended). */
cJSON *gitops_ops_record_new(const char *app);
/*
 * APP's record: 1 and *out, 0 and *out = a new record (gitops_ops_record_new)
 * when there is none, -1 when it cannot be read or is not a record.  An
 * application name that is not a DNS-1123 subdomain is refused.
 */
int gitops_ops_state_load(cJSON **out, const char *dir, const char *app, struct gitops_err *err);
/* Write the record (its "app" names the file) atomically. */
int gitops_ops_state_save(const char *dir, const cJSON *record, struct gitops_err *err);
/* Append the record's lastOperation, for revision `rev` (40 hex or ""), as one line to the history. */
int gitops_ops_state_history_append(const char *dir, const cJSON *record, const char *rev, struct gitops_err *err);
/* The history, oldest first (an array; empty when there is none).  Lines that are not JSON are an error. */
int gitops_ops_state_history(cJSON **out, const char *dir, const char *app, struct gitops_err *err);
/*
 * The records of `names` (n of them), or, names NULL, of every application
 * with a record (sorted): *out an array of *count records, each and the
 * array the caller's (gitops_ops_state_records_free).
 */
int gitops_ops_state_records(cJSON ***out, size_t *count, const char *dir, const char *const *names, size_t n,
			     struct gitops_err *err);
void gitops_ops_state_records_free(cJSON **records, size_t n);
/*
 * Suspend (reason "manual") or resume APP, under its lock: 1 done, 0 busy
 * (a run holds the lock), -1 on error.
 */
int gitops_ops_state_suspend(const char *dir, const char *app, int suspend, struct gitops_err *err);
/* The applications that have a record, sorted. */
int gitops_ops_state_list(char ***names, size_t *n, const char *dir, struct gitops_err *err);
void gitops_ops_state_names_free(char **names, size_t n);

/*
 * Take the lock of `app` (the file `path` when given, else STATE/apps/APP.lock),
 * without waiting: 1 and *fd (close it to release; close-on-exec), 0 when another
 * process holds it, -1 on error.
 */
int gitops_ops_state_lock(int *fd, const char *dir, const char *app, const char *path, struct gitops_err *err);

/* The worse of two health statuses, as Argo CD orders them (Healthy < Suspended < Progressing < Missing < Degraded < Unknown). */
const char *gitops_ops_health_worse(const char *a, const char *b);

#endif
