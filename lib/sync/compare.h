/*
 * compare.h: a live object and a desired one made fit to compare and to
 * show: the noise every write changes removed (but what the manifest says),
 * Secret values masked as kubectl diff masks them.  In place, on cJSON trees
 * the caller owns.  Uses lib/object.
 */
#ifndef GITOPS_COMPARE_H
#define GITOPS_COMPARE_H

#include <cjson/cJSON.h>

/* The masks, as kubectl diff writes them. */
#define GITOPS_COMPARE_MASK "***"
#define GITOPS_COMPARE_MASK_BEFORE "*** (before)"
#define GITOPS_COMPARE_MASK_AFTER "*** (after)"

/*
 * Remove from obj, in place, the noise a human does not need:
 * metadata.managedFields, resourceVersion, generation, uid,
 * creationTimestamp and selfLink, the annotation
 * kubectl.kubernetes.io/last-applied-configuration (and an annotations
 * mapping left empty by that), `status`, and `creationTimestamp: null` in
 * nested metadata (pod templates).  A field the manifest (may be NULL) sets
 * is kept: nothing the manifest says is ever hidden.
 */
void gitops_compare_normalize(cJSON *obj, const cJSON *manifest);

/* A Secret of the core group (apiVersion v1)? */
int gitops_compare_is_secret(const cJSON *obj);

/*
 * Mask the values of `data` and `stringData` of a Secret, in place, as
 * kubectl diff does: a key on both sides with equal values becomes "***" on
 * both, with different values "*** (before)" in live and "*** (after)" in
 * desired; a key on one side only becomes "***".  Keys stay visible.  The
 * same is done inside the last-applied-configuration annotation (a value
 * that is not a JSON object is masked whole).  Either side may be NULL (an
 * object that exists on one side only).  0, or -1 when out of memory.
 */
int gitops_compare_mask_secrets(cJSON *live, cJSON *desired);

#endif
