/*
 * builtins.h: Helm's built-in objects .Capabilities, .Files and .Chart as
 * lib/template values, as helm v3.17.2's `helm template` hands them to a
 * chart's templates, and the methods templates call on them.
 *
 * Layer "render/helm".  Each constructor hands the caller one reference
 * (gitops_tmpl_value_unref); the inputs are borrowed and copied.  The
 * method table is static.
 *
 * Go types, as typeOf names them:
 *   .Capabilities      *chartutil.Capabilities {KubeVersion, APIVersions, HelmVersion}
 *     .KubeVersion     chartutil.KubeVersion {Version, Major, Minor}; String, GitVersion
 *     .APIVersions     chartutil.VersionSet ([]string); Has
 *     .HelmVersion     version.BuildInfo {Version, GitCommit, GitTreeState, GoVersion}:
 *                      helm v3.17.2's own (charts test it), not this program's
 *   .Files             engine.files (map[string][]byte); Get, GetBytes, Glob, Lines,
 *                      AsConfig, AsSecrets
 *   .Chart             struct { chart.Metadata; IsRoot bool }; Maintainers
 *                      []*chart.Maintainer, Dependencies []*chart.Dependency
 */
#ifndef GITOPS_HELM_BUILTINS_H
#define GITOPS_HELM_BUILTINS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/render/helm/files.h"
#include "lib/template/template.h"

/*
 * .Capabilities as `helm template` builds it (chartutil.DefaultCapabilities,
 * then the flags): kube_version NULL or "" = helm's default, v1.32.0 (its
 * client-go v0.32); else parsed as --kube-version is (Masterminds semver's
 * loose form: "1.30", "v1.30.1", "1.30.0-rc.1+abc"), a bad one failing with
 * helm's "invalid kube version 'X': Invalid Semantic Version" (code
 * GITOPS_EXIT_USAGE).  APIVersions: helm's 56 defaults, in its order
 * (client-go v0.32.2's scheme, group/version only), then the n api_versions
 * (--api-versions, already split at commas) as given.
 */
int gitops_helm_capabilities(struct gitops_tmpl_value **out, const char *kube_version, const char *const *api_versions,
			     size_t n, struct gitops_err *err);

/* The KubeVersion's Version ("v1.30.0"), for kubeVersion constraints; borrowed from caps. */
const char *gitops_helm_capabilities_kube_version(const struct gitops_tmpl_value *caps);

/*
 * .Files over the files given (as chart.Files: see the rule in builtins.c),
 * each a []byte under its name.
 */
int gitops_helm_files_value(struct gitops_tmpl_value **out, const struct gitops_helm_files *files,
			    struct gitops_err *err);

/*
 * .Chart of the root chart (IsRoot true) from its parsed Chart.yaml, read
 * as helm's loader reads it into chart.Metadata: sigs.k8s.io/yaml's scalars
 * into string fields (1.10 -> "1.1", true -> "true"), JSON's type errors
 * ("cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON:
 * json: cannot unmarshal ..."), an absent apiVersion as "v1", then
 * Metadata.Validate: strings sanitized (spaces to ' ', unprintables
 * dropped), its "validation: ..." errors (GITOPS_EXIT_INPUT).
 */
int gitops_helm_chart_value(struct gitops_tmpl_value **out, const cJSON *chart_yaml, struct gitops_err *err);
/* The same for any chart: is_root 0 for a subchart. */
int gitops_helm_chart_value_ex(struct gitops_tmpl_value **out, const cJSON *chart_yaml, int is_root,
			       struct gitops_err *err);

/*
 * The methods of these objects, to append to the renderer's function table
 * (after gitops_tmpl_funcs_table's): *n gets the count; static.
 */
const struct gitops_tmpl_func *gitops_helm_builtin_funcs(size_t *n);

/*
 * Does name match a Files.Glob pattern (gobwas/glob with '/' separators:
 * "*", "**", "?", "[a-z]", "[!x]", "{a,b}", "\\" escapes)?  1, 0, or -1
 * when the pattern does not compile (helm then globs "**").
 */
int gitops_helm_glob_match(const char *pattern, const char *name, size_t nlen);

#endif
