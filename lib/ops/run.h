/*
 * run.h: running the pipeline's programs as child processes, without a
 * shell: gitops-fetch | gitops-render | gitops-apply (or gitops-diff) for
 * one application, each step's output in a file before the next reads it,
 * every child's stderr read through a pipe and handed on line by line; and
 * applications run side by side in worker processes, a bounded number at a
 * time.
 *
 * Nothing here prints: lines go to the caller's callback, which adds the
 * time and the application.  The one application's run records what it did
 * in the state directory (state.h) and returns its exit status.
 */
#ifndef GITOPS_OPS_RUN_H
#define GITOPS_OPS_RUN_H

#include <stddef.h>
#include "lib/base/err.h"
#include "lib/ops/app.h"

/* A line (no newline) of ours or of a child's standard error. */
typedef void (*gitops_ops_line_fn)(void *ctx, const char *line);

/*
 * Run argv (argv[0] a path, or a name looked up in PATH) and wait for it:
 * standard input from the file `in` (NULL: /dev/null), standard output into
 * the file `out` (created or truncated, 0600; NULL: /dev/null), standard error
 * through a pipe, each line passed to on_line as it comes (a line longer
 * than 8 KiB in pieces).  *status: its exit status, or 128 + the signal that
 * ended it.  -1 only when it could not be started.
 */
int gitops_ops_run(int *status, char *const *argv, const char *in, const char *out, gitops_ops_line_fn on_line,
		   void *ctx, struct gitops_err *err);

/*
 * fn(ctx, i) for each i < n, each in a child process of its own (fork, no
 * exec), at most `jobs` at a time; statuses[i] = what fn returned (its exit
 * status, 0..255), or 128 + a signal.  stdout and stderr are flushed first.
 */
int gitops_ops_parallel(int *statuses, size_t n, int jobs, int (*fn)(void *ctx, size_t i), void *ctx,
			struct gitops_err *err);

/* The programs, as paths (or names looked up in PATH). */
struct gitops_ops_programs {
	const char *fetch, *render, *apply, *diff;
	char buf[4][4096];
};

/* The programs beside the running one (/proc/self/exe) when they are there, else their names (PATH). */
void gitops_ops_programs_find(struct gitops_ops_programs *p);

struct gitops_ops_sync_options {
	const char *state_dir;
	struct gitops_ops_programs bin;
	const char *kubeconfig, *context, *request_timeout; /* NULL: the programs' defaults */
	const char *timeout;       /* the health wait (default 5m) */
	int no_wait;               /* no --wait */
	int if_changed;            /* do nothing when the commit is the one last synced */
	int dry_run;               /* fetch, render, diff; record sync and health; exit 1 when out of sync */
	int manual;                /* the operator named the application: a suspended one syncs too */
	const char *rollback_to;   /* a rollback to this commit (40 hex): then suspended (rollback) */
	/* the single application of gitops-sync's old flags: this lock and commit file, no record */
	const char *lock_path, *commit_path;
	/* hooks (notify.h), each line of theirs relayed: after a failed run, when the application is
	 * Degraded after a run, after a sync that changed objects or brought a new revision */
	const char *on_failure, *on_degraded, *on_sync;
	gitops_ops_line_fn log;    /* every line of this application */
	void *log_ctx;
};

/*
 * One application's run: lock, sync windows (window.h: a run the operator
 * named or a rollback is a manual sync), fetch, render, apply --prune (or
 * diff), its record and history updated.  Returns its exit status: 0 synced (or
 * nothing to do), 1 out of sync (dry run), 11 busy, or the failed step's.
 */
int gitops_ops_sync_app(const struct gitops_ops_app *app, const struct gitops_ops_sync_options *o);

/*
 * gitops_ops_sync_app for each of apps, at most `jobs` side by side (each
 * line's log_ctx: o->log_ctx, else the application's name); statuses[i] its
 * status.  Returns the overall status: the first failure's, else 1 (a dry
 * run out of sync), else 11 (busy), else 0; -1 when workers could not run.
 */
int gitops_ops_sync_apps(int *statuses, const struct gitops_ops_app *const *apps, size_t n, int jobs,
			 const struct gitops_ops_sync_options *o, struct gitops_err *err);


/*
 * Roll APP back: the revision its history gives (`to`, a prefix of a revision
 * synced successfully, else `steps` successful revisions before the one
 * synced now), synced as an operator's run (fetch that commit, render, apply
 * --prune), then suspended (reason rollback).  Its exit status, or -1 and err
 * when the history has no such revision.
 */
int gitops_ops_rollback(const struct gitops_ops_app *app, const char *to, int steps,
			const struct gitops_ops_sync_options *o, struct gitops_err *err);

/* The one application of gitops-sync's old flags (--repo, --ref, --path, --applyset, -n). */
struct gitops_ops_single {
	struct gitops_ops_app app;
	char lock[4200], commit[4200], prefix[600];
};
/*
 * Fill s with it (strings borrowed; ref NULL: HEAD, path NULL: all), and o
 * with its lock and commit file, STATE/NS_NAME.lock and .commit as the
 * shell script kept them, and its lines' prefix "gitops-sync[NS/NAME]".
 * Automated with prune and self-heal; it keeps no record.
 */
void gitops_ops_single_init(struct gitops_ops_single *s, struct gitops_ops_sync_options *o, const char *repo,
			    const char *ref, const char *path, const char *applyset, const char *ns);

#endif
