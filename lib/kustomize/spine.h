/*
 * spine.h: what the spine's files (kustomization.c, load.c, build.c) share;
 * private to lib/kustomize.  The loader is kz.h's struct kz_loader.
 */
#ifndef GITOPS_KZ_SPINE_H
#define GITOPS_KZ_SPINE_H

#include "lib/kustomize/kz.h"

/* kustomize reads files of at most this size (a file beyond it: an input error) */
#define KZ_FILE_MAX (64u << 20)

struct kz_loader {
	char *root;                       /* the directory, symbolic links resolved (absolute) */
	int restrict_root;                /* 1: files in or below root only */
	const struct kz_loader *referrer; /* the loader of the kustomization that named this one (cycles) */
	char *boundary;                   /* nothing read outside it (resolved), or NULL; the top loader's own */
	int owns_boundary;
	int remote;                       /* inside a remote target's checkout (its files are not the Source's) */
	/* the last directory a file was read from, and its real path (realpath(3) reads every component) */
	char *dir_key, *dir_real;
};

/*
 * A loader for the directory `path` (relative to the referrer's root, or
 * absolute): kustomize's "must build at directory: ..." when it is not one,
 * "cycle detected: ..." when it contains a root visited on the way here.
 */
int kz_loader_init(struct kz_loader *l, const char *path, const struct kz_loader *referrer, int restrict_root,
		   struct gitops_err *err);
void kz_loader_release(struct kz_loader *l);
/*
 * A loader for the directory `dir` of a remote target's checkout `root`:
 * bounded to root (nothing outside the checkout read, whatever the
 * restrictor), marked remote, cycles checked against the referrer's chain.
 */
int kz_loader_init_remote(struct kz_loader *l, const char *dir, const char *root, const struct kz_loader *referrer,
			  int restrict_root, struct gitops_err *err);
/*
 * Bound the top loader l (and every loader it leads to) to the directory
 * `boundary`: "security; ..." (GITOPS_EXIT_INPUT) for l's root, any other
 * kustomization or any file outside it, whatever the load restrictor.
 */
int kz_loader_bound(struct kz_loader *l, const char *boundary, struct gitops_err *err);
/* root + "/" + rel, cleaned lexically as Go's filepath.Join (rel absolute: rel cleaned); caller frees */
char *kz_loader_join(const struct kz_loader *l, const char *rel);

/*
 * Move every object of src to the end of dst (src left empty, even on
 * error), refusing one whose id dst already holds as kz_resmap_append does,
 * in linear time (a hash of the ids, not a scan per object).
 */
int kz_resmap_append_all(struct kz_resmap *dst, struct kz_resmap *src, struct gitops_err *err);

/* The kustomization file of a directory (kustomize's recognised names); 0, or -1 with kustomize's error. */
int kz_kustomization_find(const char **out, const struct kz_loader *l, struct gitops_err *err);
/*
 * Read and check a kustomization (text of the file `fname`): unknown fields
 * and wrong types in kustomize's words, empty, kind and apiVersion; fields
 * of the deprecated spellings folded in as kustomize folds them (bases into
 * resources, imageTags into images, env into envs); deprecation warnings.
 * *out: the tree, kind and apiVersion filled in.
 */
int kz_kustomization_parse(cJSON **out, const char *text, size_t len, const char *fname, const char *root,
			   void (*warn)(void *, const char *), void *warn_ctx, struct gitops_err *err);

#endif
