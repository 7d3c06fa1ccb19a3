/*
 * diffreport.h: what gitops-diff says about a comparison: each object's
 * unified diff on standard output (or a JSON record with -o json), each
 * failure on standard error, the counts for the summary line and the JSON
 * summary, and with --plan each result noted into the plan.  The records
 * and plan trees are the caller's (gitops_diff_report_json takes records).
 */
#ifndef GITOPS_TOOL_DIFFREPORT_H
#define GITOPS_TOOL_DIFFREPORT_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "cmd/tool/cli.h"
#include "lib/sync/diff.h"

struct gitops_diff_report {
	struct gitops_cli *cli;
	cJSON *records;
	cJSON *plan;                 /* --plan: what was compared, or NULL */
	struct gitops_err plan_err;  /* why the plan cannot be written */
	size_t synced, out_of_sync, missing, extraneous, pending, failed;
	int write_failed;
};

/* gitops_diff's report callback (ctx: a struct gitops_diff_report). */
void gitops_diff_report_result(void *ctx, const struct gitops_diff_result *r);
/* "PROG: N objects differ (...), M in sync[, K failed]" on standard error, unless quiet or nothing to say. */
void gitops_diff_report_summary(const struct gitops_diff_report *rep);
/* -o json: {"results": records, "summary": {...}} on standard output; records taken over. */
void gitops_diff_report_json(struct gitops_diff_report *rep);

#endif
