#include "cmd/tool/renderreport.h"

#include <strings.h>

void gitops_render_report_notice(void *ctx, const char *msg)
{
	gitops_cli_info(ctx, 1, "%s", msg);
}

void gitops_render_report_kustomize_warning(void *ctx, const char *msg)
{
	gitops_cli_warn(ctx, "%s", msg);
}

/* Helm's log lines, said as warnings without their own "warning: " */
void gitops_render_report_helm_warning(void *ctx, const char *msg)
{
	if (!strncasecmp(msg, "warning: ", 9))
		msg += 9;
	gitops_cli_warn(ctx, "%s", msg);
}

/*
 * What the stream contract refuses but kustomize outputs (names the API
 * server would refuse; from a build, also an object without apiVersion or
 * a label that is a number) is passed on, as kustomize passes it on, with
 * a warning: gitops-apply and gitops-diff refuse it before sending anything.
 */
int gitops_render_report_object(void *ctx, struct gitops_object *obj, struct gitops_err *err)
{
	struct gitops_render_report *p = ctx;
	struct gitops_err e = GITOPS_ERR_INIT;

	/* the rest of the contract was checked as the object was read or built */
	if (gitops_object_check_lenient(obj->json, &e) < 0) {
		struct gitops_err where = GITOPS_ERR_INIT;
		gitops_object_err(&where, obj, e.code, "%s", e.msg);
		gitops_cli_warn(p->cli, "%s", where.msg);
	}
	return gitops_stream_writer_put(p->w, obj->json, err);
}

