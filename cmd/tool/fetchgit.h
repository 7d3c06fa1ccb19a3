/*
 * fetchgit.h: gitops-fetch of a Git repository: REF fetched into the cache
 * and resolved, the whole commit checked out read-only, one Source
 * document per path on standard output (or the commit, --print-commit);
 * --state and --if-changed on the commit.  Options are borrowed.
 */
#ifndef GITOPS_TOOL_FETCHGIT_H
#define GITOPS_TOOL_FETCHGIT_H

#include <cjson/cJSON.h>
#include "cmd/tool/cli.h"
#include "lib/git/git.h"

#define GITOPS_FETCHGIT_MAX_PATHS 256

struct gitops_fetchgit_options {
	const char *ref;                 /* what to check out */
	const char *const *paths;        /* --path, at most GITOPS_FETCHGIT_MAX_PATHS (none: the whole repository) */
	size_t npaths;
	const char *state;               /* --state FILE, or NULL */
	int print_commit, if_changed, allow_remote;
	const char *ref_name;            /* spec.refName, or NULL */
	struct gitops_git_cache_options *cache;
	const struct gitops_git_auth *auth;
	const cJSON *kustomize;          /* spec.kustomize, or NULL */
	const cJSON *helm;               /* spec.helm, or NULL */
};

/* The whole run for the repository argument repo_arg; returns the exit code (messages said). */
int gitops_fetchgit_run(struct gitops_cli *cli, const struct gitops_fetchgit_options *o, const char *repo_arg);

#endif
