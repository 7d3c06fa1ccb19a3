/*
 * notify.h: an operator's notification hook (gitops-sync --on-sync,
 * --on-failure, --on-degraded), run with an application's state record.
 *
 * The hook is `/bin/sh -c CMD`: CMD is the operator's own text, never built
 * from values.  The record's values reach it as environment variables (the
 * current environment plus these, each set even when empty, so nothing
 * stale is inherited), byte for byte, never interpreted by a shell unless
 * the operator's CMD chooses to:
 *   GITOPS_APP          record "app"
 *   GITOPS_EVENT        the `event` argument ("sync", "failure", "degraded", ...)
 *   GITOPS_SYNC         record "sync"
 *   GITOPS_HEALTH       record "health"
 *   GITOPS_REVISION     lastOperation "revision" when present; else
 *                       "syncedRevision" after a Succeeded operation (or for
 *                       the event "sync"), else "desiredRevision" (what was
 *                       tried), else "syncedRevision"
 *   GITOPS_RESULT       lastOperation "result"
 *   GITOPS_EXIT_STATUS  lastOperation "exitStatus" in decimal
 *   GITOPS_MESSAGE      lastOperation "message"
 *   GITOPS_SYNCED_REVISION, GITOPS_DESIRED_REVISION   the record's fields
 * (a value longer than GITOPS_OPS_NOTIFY_ENV_MAX bytes is cut there, at a
 * character's start: the kernel refuses longer strings, and stdin has it all)
 * and the whole record as one line of compact JSON on its stdin (a hook that
 * does not read it is fine: the write stops at EPIPE, with SIGPIPE blocked in
 * the calling thread only, never changed for the process).  Its stdout and
 * stderr are ours (or the fds the options name).  It runs in a process group
 * of its own; after the timeout (default 60 s) the whole group gets SIGKILL.
 *
 * A hook that fails is reported in err and never changes the sync's own
 * result (the caller logs it):
 *   GITOPS_EXIT_REJECTED     it exited non-zero or was killed by a signal
 *   GITOPS_EXIT_UNREACHABLE  it did not finish within the timeout
 *   GITOPS_EXIT_IO           it could not be started (pipe, spawn)
 *   GITOPS_EXIT_USAGE        no command
 * The message names the event and the command ("notify hook \"failure\"
 * (mail -s ...): exited with status 3").  The record is borrowed.  Nothing
 * here prints.  Safe to call from several threads at once.
 */
#ifndef GITOPS_OPS_NOTIFY_H
#define GITOPS_OPS_NOTIFY_H

#include <cjson/cJSON.h>

#include "lib/base/err.h"

#define GITOPS_OPS_NOTIFY_TIMEOUT_MS 60000
#define GITOPS_OPS_NOTIFY_ENV_MAX 65536

struct gitops_ops_notify_options {
	int timeout_ms;   /* <= 0: GITOPS_OPS_NOTIFY_TIMEOUT_MS */
	int out_fd;       /* the hook's stdout; -1: ours */
	int err_fd;       /* the hook's stderr; -1: ours */
};

#define GITOPS_OPS_NOTIFY_OPTIONS_INIT { 0, -1, -1 }

/* 0 when the hook exited 0, else -1 and err. */
int gitops_ops_notify(const char *cmd, const char *event, const cJSON *record, struct gitops_err *err);
/* The same with options (opt may be NULL). */
int gitops_ops_notify_with(const char *cmd, const char *event, const cJSON *record,
			   const struct gitops_ops_notify_options *opt, struct gitops_err *err);

#endif
