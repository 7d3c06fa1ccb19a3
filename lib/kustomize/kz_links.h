/*
 * kz_links.h: label values kustomize's LabelTransformer shares between the
 * maps of one resource (links.c says how and why).  Borrowed objects;
 * 0 or -1 with err (out of memory).
 */
#ifndef GITOPS_KZ_LINKS_H
#define GITOPS_KZ_LINKS_H

#include "lib/kustomize/kz.h"

/* the groups of shared locations: "KEY\tPTR\tPTR..." a line (internal: stripped from the output) */
#define KZ_ANN_LINKS "internal.config.kubernetes.io/gitopsLinkedLabels"

/* The JSON pointer of node within root into out: 1 found, 0 not there, -1 out of memory. */
int kz_links_pointer(struct gitops_buf *out, const cJSON *root, const cJSON *node);
/* A new group: key shared by the maps at ptrs (nothing when fewer than two). */
int kz_links_add(cJSON *obj, const char *key, char *const *ptrs, size_t n, struct gitops_err *err);
/* key was just set in map (a map of obj) in place: the other maps of its groups take the value. */
int kz_links_set(cJSON *obj, const cJSON *map, const char *key, struct gitops_err *err);
/* obj changed (before: what it was): each group takes the value that changed; maps without the key leave it. */
int kz_links_sync(cJSON *obj, const cJSON *before, struct gitops_err *err);
/* A JSON patch went through JSON and back: nothing is shared any more. */
void kz_links_drop(cJSON *obj);

#endif
