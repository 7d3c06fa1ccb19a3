/*
 * applyreport.h: what gitops-apply says about a sync as it goes: a line per
 * object on standard output (or a JSON record with -o json), each failure
 * on standard error, progress while waiting (a live line on a terminal), and
 * on a terminal whose standard output goes elsewhere a count of the objects
 * done.  The records array (with -o json) is the caller's.
 */
#ifndef GITOPS_TOOL_APPLYREPORT_H
#define GITOPS_TOOL_APPLYREPORT_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "cmd/tool/cli.h"
#include "lib/sync/apply.h"

struct gitops_apply_report {
	struct gitops_cli *cli;
	int dry_run;
	cJSON *records;
	size_t failures;
	size_t done, total;     /* results reported, objects in the stream */
};

/* gitops_apply's progress and report callbacks (ctx: a struct gitops_apply_report). */
void gitops_apply_report_progress(void *ctx, const char *line);
void gitops_apply_report_result(void *ctx, const struct gitops_apply_result *r);

#endif
