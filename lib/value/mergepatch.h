/*
 * mergepatch.h: JSON Merge Patch (RFC 7396, which obsoletes RFC 7386) over
 * value trees: applying one, and creating the one that turns a document
 * into another (what kustomize's patchesJson/merge and a diff need).
 *
 * Owns: the merge rules (a mapping patch merges member by member, a null
 * member removes, anything else replaces the target whole) and their
 * inverse.  Uses base and the value tree only.
 *
 * Ownership: functions borrow the trees they are given.
 * gitops_mergepatch_apply replaces *doc in place (the old tree is freed, the
 * new one is the caller's); on error *doc is unchanged.  *doc must be a
 * root (in no mapping or sequence); the result has no key.  The patch
 * gitops_mergepatch_create returns in *out is the caller's (cJSON_Delete).
 */
#ifndef GITOPS_MERGEPATCH_H
#define GITOPS_MERGEPATCH_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"

/*
 * Apply patch to *doc (RFC 7396 section 2).  Nulls inside a sequence are
 * kept (sequences replace whole); a mapping patch applied to a non-mapping
 * starts from an empty mapping.  *doc NULL is taken as an absent document.
 * Fails only when out of memory.
 */
int gitops_mergepatch_apply(cJSON **doc, const cJSON *patch, struct gitops_err *err);

/*
 * The merge patch that turns `from` into `to`: members of `to` that differ
 * (recursively for mappings on both sides), null for members `from` has
 * and `to` lacks, `to` itself when either is not a mapping; {} when equal.
 * gitops_mergepatch_apply(from, *out) then equals `to`.  A merge patch
 * cannot set a member to null: when `to` holds a null member that `from`
 * lacks or holds otherwise, this fails (GITOPS_EXIT_INPUT) naming it:
 *   cannot create a merge patch: "/a/b" is null, which a merge patch cannot set
 */
int gitops_mergepatch_create(cJSON **out, const cJSON *from, const cJSON *to, struct gitops_err *err);

#endif
