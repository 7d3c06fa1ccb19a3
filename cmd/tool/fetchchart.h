/*
 * fetchchart.h: gitops-fetch of a chart, from a chart repository
 * (https://URL --chart NAME) or an OCI registry (oci://REGISTRY/PATH/CHART),
 * into the fetch cache (lib/chart): one Source document on standard
 * output, or the version with --print-commit; --state and --if-changed on
 * the version and digest.  Options are borrowed.
 */
#ifndef GITOPS_TOOL_FETCHCHART_H
#define GITOPS_TOOL_FETCHCHART_H

#include <cjson/cJSON.h>
#include "cmd/tool/cli.h"
#include "lib/git/git.h"

struct gitops_fetchchart_options {
	const char *ref;          /* the version or range (NULL: the newest release) */
	const char *chart;        /* --chart (NULL for oci://) */
	const char *state;        /* --state FILE, or NULL */
	int print_commit, if_changed, plain_http;
	size_t index_max;         /* --max-index-size (0: the default) */
	struct gitops_git_cache_options *cache;
	const struct gitops_git_auth *auth; /* its CA and netrc files */
	const cJSON *helm;        /* spec.helm to write, or NULL */
};

/* The whole run for the repository argument repo_arg; returns the exit code (messages said). */
int gitops_fetchchart_run(struct gitops_cli *cli, const struct gitops_fetchchart_options *o, const char *repo_arg);

#endif
