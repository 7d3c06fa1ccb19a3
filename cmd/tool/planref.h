/*
 * planref.h: gitops-apply --plan in the tool layer, because lib/sync may not
 * use lib/git: the plan file read with its options (lib/sync/planfile), and
 * the checks a sync runs under its Lease before it changes anything: the
 * cluster as planned, then the commit the plan's ref resolves to now, asked
 * of the repository through the fetch cache as gitops-fetch asks it (the
 * mirror fetched, then the ref resolved).
 *
 * Ownership: struct gitops_cli_plan owns the plan file it read
 * (gitops_cli_plan_release); the cache and auth options are borrowed and
 * must outlive it.
 */
#ifndef GITOPS_CLI_PLANREF_H
#define GITOPS_CLI_PLANREF_H

#include "lib/base/err.h"
#include "lib/git/git.h"
#include "lib/sync/apply.h"
#include "lib/sync/planfile.h"

/*
 * 0 when src->ref of src->repository still resolves to src->commit; -1
 * with GITOPS_EXIT_STALE ("PATH: ref REF of REPO moved since the plan (now
 * commit X, planned Y); nothing was changed: plan again"), or with the
 * fetch's own error when the repository cannot be asked.
 */
int gitops_cli_plan_ref_check(const char *path, const struct gitops_planfile_source *src,
			      const struct gitops_git_cache_options *cache, const struct gitops_git_auth *auth,
			      struct gitops_err *err);

struct gitops_cli_plan {
	struct gitops_planfile file;
	const struct gitops_git_cache_options *cache;
	const struct gitops_git_auth *auth;
};

/*
 * Read the plan at path (within limits) into p and set up the sync a: the plan's options
 * (gitops_planfile_apply_options: *ns, manager_given) and the checks, run
 * by gitops_apply before its first change.  -1 with err (the file is not a
 * whole plan, an option conflicts); p must be released whatever the result.
 */
int gitops_cli_plan_open(struct gitops_cli_plan *p, const char *path, const struct gitops_limits *limits,
			 struct gitops_apply_options *a, const char **ns, int manager_given, const struct gitops_git_cache_options *cache,
			 const struct gitops_git_auth *auth, struct gitops_err *err);
void gitops_cli_plan_release(struct gitops_cli_plan *p);

#endif
