/*
 * kz_fs.h: fieldspecs at work, shared by config.c, generators.c and
 * transform.c (private to lib/kustomize): adding to a table with
 * kustomize's FsSlice.MergeOne dedupe, whether a fieldspec selects an
 * object (Gvk.IsSelected), and visiting the nodes a fieldspec reaches,
 * created as kustomize's fsslice filter creates them.
 *
 * Ownership: tables own their strings (kz_fieldspecs_release); visitors get
 * nodes borrowed from the object they were given.
 */
#ifndef GITOPS_KZ_FS_H
#define GITOPS_KZ_FS_H

#include "lib/kustomize/kz.h"
#include "lib/value/path.h"

/* Add one fieldspec unless an equal one (gvk and path) is there; differing `create` is kustomize's
 * "conflicting fieldspecs".  0 or -1. */
int kz_fieldspecs_add(struct kz_fieldspecs *s, const char *group, const char *version, const char *kind,
		      const char *path, int create, struct gitops_err *err);
int kz_fieldspecs_merge(struct kz_fieldspecs *dst, const struct kz_fieldspecs *src, struct gitops_err *err);
void kz_fieldspecs_release(struct kz_fieldspecs *s);

/* Does the fieldspec's gvk select this id (kz_id_of; empty parts select anything)? */
int kz_fs_selects_id(const struct kz_fieldspec *fs, const struct kz_id *id);

/* Visit each node the fieldspec's path reaches in obj (which it must select: the caller checks).  Missing
 * and fs->create: the path is made, ending in a node of type `create_type` (cJSON_Object or cJSON_String),
 * a null met at the end turned into it; create_type 0: never made (kustomize's filters without a CreateKind:
 * images, prefix/suffix).  The visitor returns 0 or -1. */
typedef int (*kz_fs_visit_fn)(cJSON *node, void *ctx, struct gitops_err *err);
int kz_fs_apply(cJSON *obj, const struct kz_fieldspec *fs, int create_type, kz_fs_visit_fn fn, void *ctx,
		struct gitops_err *err);

/* Merge one configuration document (a `configurations:` file's text) into cfg. */
int kz_config_merge_text(struct kz_config *cfg, const char *text, size_t len, const char *file,
			 struct gitops_err *err);

/* A table with its paths parsed once, for a stage that walks many objects. */
struct kz_fs_prog {
	const struct kz_fieldspec *fs; /* borrowed from the table */
	struct gitops_path *paths;     /* owned, one per fieldspec */
	size_t n;
};
int kz_fs_prog_init(struct kz_fs_prog *out, const struct kz_fieldspecs *s, struct gitops_err *err);
void kz_fs_prog_release(struct kz_fs_prog *p);
/* kz_fs_apply with the i-th fieldspec of a prog. */
int kz_fs_prog_apply(cJSON *obj, const struct kz_fs_prog *p, size_t i, int create_type, kz_fs_visit_fn fn,
		     void *ctx, struct gitops_err *err);

/* Go's json.Marshal of a value (keys sorted, HTML-safe escapes), appended to b; -1 when out of memory. hash.c */
int kz_go_json(struct gitops_buf *b, const cJSON *v);
/* The HashTransformer plugin: suffixes added, the markers kept (the top-level pass suffixes again). hash.c */
int kz_hash_transformer(struct kz_resmap *m, struct gitops_err *err);
/* A resource as kustomize's ResId.String() writes it: "Service.v1.[noGrp]/a.[noNs]". */
int kz_resid_string(struct gitops_buf *out, const cJSON *obj);

/* A kustomize Gvk.String() for messages: "Deployment.[noVer].[noGrp]". */
int kz_gvk_string(struct gitops_buf *out, const char *group, const char *version, const char *kind);

#endif
