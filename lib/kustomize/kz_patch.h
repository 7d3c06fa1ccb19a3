/*
 * kz_patch.h: the inside of patch.c, merge.c, replace.c and vars.c that
 * their tests and the fuzz target reach (not part of the kz.h contract).
 *
 * Ownership: kz_merge borrows doc and patch and returns a new tree in
 * *out (the caller's, cJSON_Delete), or NULL when the patch deletes the
 * resource (`$patch: delete` at the top).  On error *out is NULL.
 */
#ifndef GITOPS_KZ_PATCH_H
#define GITOPS_KZ_PATCH_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/value/smp.h"
#include "lib/kustomize/kz.h"

/*
 * Strategic merge as kustomize applies it (kyaml merge2 with the OpenAPI
 * schema, lists of patch items prepended): the schema of doc's
 * apiVersion/kind decides which lists merge and by which keys.
 */
int kz_merge(cJSON **out, const cJSON *doc, const cJSON *patch, const struct gitops_smp_schema *schema,
	     struct gitops_err *err);

/* Apply one patch (a strategic merge mapping or a JSON 6902 op list) to every object matching target (NULL:
 * the patch's own id), as kustomize's PatchTransformer. options: allowNameChange / allowKindChange (NULL). */
int kz_apply_patch(struct kz_resmap *m, const cJSON *patch, const cJSON *target, const cJSON *options,
		   struct kz_ctx *c, struct gitops_err *err);

/* Kubernetes label selector match ("a=b,c in (x,y),!d"): 1, 0, or -1 with err. */
int kz_selector_match(const char *selector, const cJSON *labels, struct gitops_err *err);

/*
 * One replacement mapping ({source, targets}) applied to the map, in place
 * as kyaml does it: on failure the map is left half-changed (the build
 * fails; kz_replacements works on a copy for its own reasons).
 */
int kz_replacement_apply(struct kz_resmap *m, const cJSON *r, struct gitops_err *err);

#endif
