/*
 * funcs.h: Sprig v3.3's and Helm's functions for lib/template, as helm
 * v3.17.2 gives them to a template (issue 16).
 *
 * Layer "template/funcs", on base, value, yaml and template (it shares the
 * engine's internal header, tmpl_int.h, as part of the template module).
 * One file a family:
 *   strings.c, strlists.c   Sprig's strings and string lists (unicode.c: Go's
 *                           letter, case and punctuation tables for them)
 *   defaults.c              default, empty, coalesce, all, any, ternary
 *   math.c                  integer math (spf13/cast) and float math (decimal)
 *   lists.c, dicts.c        lists, slice, chunk; dicts, merge, deepCopy
 *   conversions.c, reflect.c  type conversion; typeOf, kindIs, deepEqual
 *   regex.c, semver.c       RE2 expressions (lib/base/regex), Masterminds semver
 *   paths.c, dates.c        path, filepath, net/url; Go time, layouts, zones
 *   encoding.c, crypto.c, random.c  b64/b32, hashes; keys, certificates,
 *                           bcrypt, AES, derivePassword; rand*, uuidv4
 *   helm.c                  Helm's own: fail, required, include, tpl, lookup
 * Each function follows Sprig's Go signature, so that the engine converts
 * arguments and reports wrong ones as Go does.  Helm removes env and
 * expandenv: they are not here.
 *
 * Errors that Helm reports without text/template's chain (fail, required)
 * carry their message as HELM[MESSAGE]HELM, as Helm's functions do: the
 * renderer turns them into "execution error at (FILE:LINE:COL): MESSAGE"
 * (Helm's cleanupExecError).
 */
#ifndef GITOPS_TMPL_FUNCS_H
#define GITOPS_TMPL_FUNCS_H

#include <stddef.h>
#include "lib/template/template.h"

/*
 * The table of every function implemented so far, families in order.  *out
 * is the caller's (free() it); the names and the functions are static.
 * 0, or -1 when out of memory.
 */
int gitops_tmpl_funcs_table(struct gitops_tmpl_func **out, size_t *n);
/* The same table with extra (nextra entries) after it, in one allocation. */
int gitops_tmpl_funcs_table_with(struct gitops_tmpl_func **out, size_t *n, const struct gitops_tmpl_func *extra,
				 size_t nextra);

/* The function (no receiver) of that name the table's search from its end finds, or NULL: static, no copy. */
const struct gitops_tmpl_func *gitops_tmpl_funcs_find(const char *name);

/*
 * What Helm's include and tpl share over one render (its engine's
 * includedNames: how deep each name is included, at most 1,000).  A set
 * that uses the table sets its ctx (gitops_tmpl_set_new) to a struct whose
 * first member is this one, or to NULL (include then counts nothing).
 * Release it after the render.
 */
struct gitops_tmpl_helm_name {
	char *name;
	int n;
};
struct gitops_tmpl_helm {
	struct gitops_tmpl_helm_name *inc;
	size_t ninc;
};
#define GITOPS_TMPL_HELM_INIT { NULL, 0 }
void gitops_tmpl_helm_release(struct gitops_tmpl_helm *h);

/*
 * sigs.k8s.io/yaml's Unmarshal of text into interface {}, as fromYaml
 * reads it (and Helm its values files and manifests): the first document,
 * YAML 1.1, every number a float64; *out NULL for null or no document.
 * -1 with Go's message ("error converting YAML to JSON: yaml: line 3: ...").
 */
int gitops_tmpl_yaml_decode(struct gitops_tmpl_value **out, const char *s, size_t len, struct gitops_err *err);

#endif
