/*
 * renderreport.h: what gitops-render says while it renders: each object
 * written to the output stream (with a warning for what the stream contract
 * refuses but kustomize outputs), Kustomize's warnings and remote notices
 * (-v), Helm's log lines as warnings.  ctx of the callbacks: the cli, or a
 * struct gitops_render_report for the object callback.
 */
#ifndef GITOPS_TOOL_RENDERREPORT_H
#define GITOPS_TOOL_RENDERREPORT_H

#include "cmd/tool/cli.h"
#include "lib/k8s/object.h"
#include "lib/k8s/stream.h"

struct gitops_render_report {
	struct gitops_stream_writer *w;
	const struct gitops_cli *cli;
};

int gitops_render_report_object(void *ctx, struct gitops_object *obj, struct gitops_err *err);
void gitops_render_report_notice(void *cli, const char *msg);
void gitops_render_report_kustomize_warning(void *cli, const char *msg);
void gitops_render_report_helm_warning(void *cli, const char *msg);

#endif
