#include "cmd/tool/applyreport.h"

#include <stdio.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/k8s/health.h"
#include "lib/k8s/order.h"
#include "lib/value/value.h"

void gitops_apply_report_progress(void *ctx, const char *line)
{
	struct gitops_apply_report *rep = ctx;

	/* on a terminal, a live line; elsewhere a line every few seconds */
	if (gitops_cli_live_on(rep->cli))
		gitops_cli_live(rep->cli, "%s", line);
	else
		gitops_cli_info(rep->cli, 0, "%s", line);
}

void gitops_apply_report_result(void *ctx, const struct gitops_apply_result *r)
{
	static const char *const words[] = { "failed", "created", "configured", "unchanged", "pruned",
					     "prune needs confirmation", "succeeded", "failed", "deleted", "unhealthy" };
	struct gitops_apply_report *rep = ctx;

	if (r->outcome == GITOPS_APPLY_FAILED || r->outcome == GITOPS_APPLY_HOOK_FAILED ||
	    r->outcome == GITOPS_APPLY_UNHEALTHY) {
		gitops_cli_error(rep->cli, r->err.code, "%s", r->err.msg);
		rep->failures++;
	}
	if (rep->records) {
		cJSON *rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "object", r->name);
		if (r->ns[0])
			cJSON_AddStringToObject(rec, "namespace", r->ns);
		cJSON_AddStringToObject(rec, "result", words[r->outcome]);
		if (r->hook)
			cJSON_AddStringToObject(rec, "hook", gitops_phase_name(r->phase));
		gitops_value_add_int(rec, "wave", r->wave);
		if (r->health.status != GITOPS_HEALTH_NONE) {
			cJSON_AddStringToObject(rec, "health", gitops_health_name(r->health.status));
			if (r->health.message[0])
				cJSON_AddStringToObject(rec, "healthMessage", r->health.message);
		}
		if (r->outcome == GITOPS_APPLY_FAILED || r->outcome == GITOPS_APPLY_HOOK_FAILED ||
		    r->outcome == GITOPS_APPLY_UNHEALTHY)
			cJSON_AddStringToObject(rec, "error", r->err.msg);
		cJSON_AddBoolToObject(rec, "dryRun", rep->dry_run);
		if (r->unchecked)
			cJSON_AddBoolToObject(rec, "unchecked", 1);
		if (r->not_sent)
			cJSON_AddBoolToObject(rec, "sent", 0);
		cJSON_AddItemToArray(rep->records, rec);
	} else if (r->outcome != GITOPS_APPLY_FAILED && r->outcome != GITOPS_APPLY_HOOK_FAILED &&
		   r->outcome != GITOPS_APPLY_UNHEALTHY) {
		struct gitops_buf notes = GITOPS_BUF_INIT;
		if (r->hook)
			gitops_buf_printf(&notes, "%s hook", gitops_phase_name(r->phase));
		/* what a prune deletes may be in any of the set's namespaces: said, not guessed */
		if ((r->outcome == GITOPS_APPLY_PRUNED || r->outcome == GITOPS_APPLY_PRUNE_PENDING) && r->ns[0])
			gitops_buf_printf(&notes, "%snamespace %s", notes.len ? ", " : "", r->ns);
		if (rep->dry_run)
			gitops_buf_printf(&notes, "%s%s", notes.len ? ", " : "",
					  r->unchecked ? "server dry run; not checked: its namespace or CRD comes with this "
							 "stream" : "server dry run");
		if (isatty(1))
			gitops_cli_live_clear(); /* the terminal's live line first */
		printf("%s %s%s%s%s\n", r->name, words[r->outcome], notes.len ? " (" : "", notes.len ? notes.data : "",
		       notes.len ? ")" : "");
		gitops_buf_release(&notes);
	}
	/* each line as its result is known: a sync stopped by a signal has said what it changed */
	fflush(stdout);
	/* a large sync on a terminal whose output goes elsewhere: how far it got */
	if (r->outcome == GITOPS_APPLY_UNHEALTHY || r->outcome == GITOPS_APPLY_PRUNED || rep->done >= rep->total)
		return; /* (an object waited for, or one pruned, was counted, or is not one of the stream's) */
	rep->done++;
	if (!isatty(1) && rep->total > 1)
		gitops_cli_live(rep->cli, "%zu of %zu objects done", rep->done, rep->total);
}

