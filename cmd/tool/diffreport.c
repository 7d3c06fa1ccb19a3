#include "cmd/tool/diffreport.h"

#include <stdio.h>
#include <string.h>

#include "lib/k8s/health.h"
#include "lib/sync/planfile.h"
#include "lib/value/value.h"

void gitops_diff_report_result(void *ctx, const struct gitops_diff_result *r)
{
	struct gitops_diff_report *rep = ctx;

	if (rep->plan && !rep->plan_err.code && gitops_planfile_note(rep->plan, r, &rep->plan_err) < 0 &&
	    !rep->plan_err.code)
		rep->plan_err.code = GITOPS_EXIT_INTERNAL;
	if (r->failed) {
		gitops_cli_error(rep->cli, r->err.code, "%s", r->err.msg);
		rep->failed++;
	} else {
		switch (r->sync) {
		case GITOPS_DIFF_SYNCED: rep->synced++; break;
		case GITOPS_DIFF_OUT_OF_SYNC: rep->out_of_sync++; break;
		case GITOPS_DIFF_MISSING: rep->missing++; break;
		case GITOPS_DIFF_EXTRANEOUS: rep->extraneous++; rep->pending += r->prune_pending != 0; break;
		}
	}
	if (rep->records) {
		cJSON *rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "apiVersion", r->api_version ? r->api_version : "");
		cJSON_AddStringToObject(rec, "kind", r->kind ? r->kind : "");
		if (r->namespace)
			cJSON_AddStringToObject(rec, "namespace", r->namespace);
		cJSON_AddStringToObject(rec, "name", r->name ? r->name : "");
		cJSON_AddStringToObject(rec, "sync", r->failed ? "Unknown" : gitops_diff_sync_name(r->sync));
		if (!r->failed) {
			struct gitops_health h;
			gitops_health_assess(r->live, &h);
			if (h.status != GITOPS_HEALTH_NONE) {
				cJSON_AddStringToObject(rec, "health", gitops_health_name(h.status));
				if (h.message[0])
					cJSON_AddStringToObject(rec, "healthMessage", h.message);
			}
		}
		if (r->prune_pending)
			cJSON_AddBoolToObject(rec, "pruneNeedsConfirmation", 1);
		if (r->failed)
			cJSON_AddStringToObject(rec, "error", r->err.msg);
		else
			cJSON_AddStringToObject(rec, "diff", r->text);
		cJSON_AddItemToArray(rep->records, rec);
	} else if (!r->failed && *r->text) {
		if (fputs(r->text, stdout) == EOF)
			rep->write_failed = 1;
	}
}

void gitops_diff_report_summary(const struct gitops_diff_report *rep)
{
	size_t differ = rep->out_of_sync + rep->missing + rep->extraneous;
	char extra[128] = "";

	if (rep->cli->verbosity < 0 || (!differ && !rep->failed && rep->cli->verbosity < 1))
		return;
	if (rep->missing && rep->extraneous)
		snprintf(extra, sizeof(extra), " (%zu missing, %zu to prune)", rep->missing, rep->extraneous);
	else if (rep->missing)
		snprintf(extra, sizeof(extra), " (%zu missing)", rep->missing);
	else if (rep->extraneous)
		snprintf(extra, sizeof(extra), " (%zu to prune)", rep->extraneous);
	if (rep->pending)
		snprintf(extra + strlen(extra) - 1, sizeof(extra) - strlen(extra) + 1, ", %zu of them need%s confirmation)",
			 rep->pending, rep->pending == 1 ? "s" : "");
	fprintf(stderr, "%s: %zu object%s differ%s%s, %zu in sync", rep->cli->prog, differ, differ == 1 ? "" : "s",
		differ == 1 ? "s" : "", extra, rep->synced);
	if (rep->failed)
		fprintf(stderr, ", %zu failed", rep->failed);
	fputc('\n', stderr);
}

void gitops_diff_report_json(struct gitops_diff_report *rep)
{
	cJSON *out = cJSON_CreateObject(), *sum;

	if (!out)
		return;
	cJSON_AddItemToObject(out, "results", rep->records);
	rep->records = NULL;
	sum = cJSON_AddObjectToObject(out, "summary");
	gitops_value_add_int(sum, "synced", rep->synced);
	gitops_value_add_int(sum, "outOfSync", rep->out_of_sync);
	gitops_value_add_int(sum, "missing", rep->missing);
	gitops_value_add_int(sum, "extraneous", rep->extraneous);
	gitops_value_add_int(sum, "failed", rep->failed);
	if (gitops_cli_print_json(out) < 0)
		rep->write_failed = 1;
}

