/*
 * helmspec.h: gitops-fetch's --helm-* options and --helm-overrides FILE as
 * a Source's spec.helm (Argo CD's source.helm fields), checked as
 * gitops-render checks them.  The cJSON trees are the caller's
 * (cJSON_Delete).
 */
#ifndef GITOPS_TOOL_HELMSPEC_H
#define GITOPS_TOOL_HELMSPEC_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/k8s/stream.h"

/*
 * One option into *helm (made when NULL): `flag` its long name
 * ("helm-release", "helm-namespace", "helm-kube-version", "helm-values",
 * "helm-api-versions", "helm-set", "helm-set-string", "helm-set-file",
 * "helm-skip-crds", "helm-skip-tests"), arg its argument (NULL for a
 * flag).  Scalars replace, lists grow.  0, or -1 with err
 * (GITOPS_EXIT_USAGE: an empty value, NAME=VALUE expected).
 */
int gitops_helmspec_option(cJSON **helm, const char *flag, const char *arg, struct gitops_err *err);

/*
 * spec.helm: FILE's mapping (may be NULL), the options' fields over it
 * (scalars replace the file's, lists add to them); *out NULL when neither
 * is given.  Checked (gitops_source_helm_check): GITOPS_EXIT_USAGE.
 */
int gitops_helmspec_build(cJSON **out, const char *file, const cJSON *options, const struct gitops_limits *limits,
			  struct gitops_err *err);

#endif
