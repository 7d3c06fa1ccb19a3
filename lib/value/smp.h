/*
 * smp.h: Kubernetes strategic merge patch, as the API server applies it
 * (k8s.io/apimachinery/pkg/util/strategicpatch, StrategicMergeMapPatch),
 * with the patch facts of each field (merge key, patch strategy) taken from
 * OpenAPI definitions: the built-in table of the Kubernetes v1.21.2 types
 * (smp_table.h, the definitions kustomize embeds), and extra definitions a
 * kustomization's `openapi:` field may add at run time, consulted first.
 *
 * What the patch may say, as the API server reads it:
 *   - mappings merge key by key; null deletes a key; other values replace;
 *   - lists whose field has patch strategy "merge" merge: lists of mappings
 *     by the field's merge key (`$patch: delete` in an element deletes the
 *     elements with its key, `$patch: replace` replaces the list by the
 *     patch's other elements), lists of scalars as a union keeping order;
 *     every other list is replaced whole;
 *   - `$patch: replace` / `$patch: delete` in a mapping replace / empty it;
 *   - `$retainKeys: [k...]` drops the document's keys not listed;
 *   - `$setElementOrder/<field>: [...]` sets the order of the merged list;
 *   - `$deleteFromPrimitiveList/<field>: [...]` deletes scalars from a list;
 *   - a kind without a definition (custom resources) is patched with the
 *     same rules and no field facts: mappings merge, lists are replaced whole.
 * A value the patch adds where the document has none is taken as it is,
 * without its nulls and without mappings that carry `$patch` (as
 * Kubernetes >= 1.28 does).  An item a merge adds to a list comes before
 * the document's items it is not ordered after (mergeSortedSlice): adding
 * container "b" to [a] gives [b, a], as the API server does.
 *
 * Refused where the API server would store something its decoder then
 * rejects or silently drops: a mapping where the document has a list (or
 * the reverse), `$patch` on a scalar, `$patch: delete` in a list replaced
 * whole (a `$patch: replace` marker there is dropped), a
 * `$setElementOrder` list naming an item twice or one the list lacks.
  *
 * Ownership: gitops_smp_apply borrows the patch and the schema; *doc is
 * replaced by the result (the old tree freed) only on success, so a failed
 * patch leaves the document as it was.  A schema belongs to its caller
 * (gitops_smp_schema_free); it borrows nothing.
 */
#ifndef GITOPS_SMP_H
#define GITOPS_SMP_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/value/smp_table.h"

/* Extra definitions, consulted before the built-in table. */
struct gitops_smp_schema;

/* A new empty schema (nothing but the built-in table behind it). */
int gitops_smp_schema_new(struct gitops_smp_schema **out, struct gitops_err *err);

/*
 * Add the definitions of an OpenAPI document: swagger 2.0 `definitions`
 * (kustomize's format), or OpenAPI 3 `components.schemas`, with the
 * x-kubernetes-patch-merge-key, x-kubernetes-patch-strategy,
 * x-kubernetes-list-type, x-kubernetes-list-map-keys and
 * x-kubernetes-group-version-kind extensions.  A definition of a name
 * already added replaces it; one of a built-in name hides the built-in one
 * (also where built-in definitions refer to it).  `what` names the document
 * in messages.  On error the schema is unchanged.
 */
int gitops_smp_schema_add(struct gitops_smp_schema *schema, const cJSON *openapi, const char *what,
			  struct gitops_err *err);

/* Free the schema (NULL is a no-op). */
void gitops_smp_schema_free(struct gitops_smp_schema *schema);

/*
 * Apply a strategic merge patch to *doc (a mapping).  The definition is the
 * one of apiVersion/kind (NULL: the document's own); schema NULL means the
 * built-in table only.  On error (GITOPS_EXIT_INPUT, the message naming the
 * place in the patch, "spec.template.spec.containers[0]: ..."), *doc is
 * unchanged.
 */
int gitops_smp_apply(cJSON **doc, const cJSON *patch, const struct gitops_smp_schema *schema,
		     const char *api_version, const char *kind, struct gitops_err *err);

/* What the schema says of one field, for tests and tools. */
struct gitops_smp_field_info {
	const char *def;       /* the definition holding the field */
	const char *ref;       /* the definition of its value / items / map values, "" none */
	const char *merge_key; /* "" none */
	const char *map_keys;  /* x-kubernetes-list-map-keys, comma-separated, "" none */
	unsigned strategy;     /* GITOPS_SMP_MERGE | GITOPS_SMP_RETAIN_KEYS | GITOPS_SMP_REPLACE | ... */
	int list_type;         /* enum gitops_smp_list_type */
	int shape, elem;       /* enum gitops_smp_shape */
};

/*
 * The field at a dotted path ("spec.template.spec.containers.ports": lists
 * and maps are walked through to their items) of apiVersion/kind: 0 and
 * *out filled, or -1 when the kind or a field is unknown (no message).
 * The strings point into the tables (built-in, or the schema's).
 */
int gitops_smp_lookup(struct gitops_smp_field_info *out, const struct gitops_smp_schema *schema,
		      const char *api_version, const char *kind, const char *path);

#endif
