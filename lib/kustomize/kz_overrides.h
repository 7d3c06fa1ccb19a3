/*
 * kz_overrides.h: Argo CD's per-application Kustomize overrides (its
 * Application's source.kustomize fields, by the same names) applied to a
 * kustomization tree as Argo CD's `kustomize edit` calls apply them
 * (overrides.c says how).  Borrows o; edits k in place.  0, or -1 with err
 * (GITOPS_EXIT_INPUT: a bad override, or a label already there).
 */
#ifndef GITOPS_KZ_OVERRIDES_H
#define GITOPS_KZ_OVERRIDES_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"

int kz_overrides_apply(cJSON *k, const cJSON *o, struct gitops_err *err);

#endif
