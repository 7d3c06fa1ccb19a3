/*
 * kube_rest.h: the REST verbs on one resource of the API server, on top of
 * kube.h (requests) and kube_discovery.h (where a kind lives).
 */
#ifndef GITOPS_KUBE_REST_H
#define GITOPS_KUBE_REST_H

#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/kube/kube.h"
#include "lib/kube/kube_discovery.h"

/* "/apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME][/SUB]" (ns ignored for cluster-scoped kinds). */
char *gitops_kube_path(const struct gitops_kube_resource *r, const char *ns, const char *name, const char *sub);

/* GET one object: 0 and *out (NULL when it does not exist, 404), or -1. Caller frees *out. */
int gitops_kube_get(cJSON **out, struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
		    const char *name, struct gitops_err *err);

/*
 * LIST (ns NULL: all namespaces), page by page (`limit` a page, 0: 500) following
 * metadata.continue; label_selector may be NULL.  *out is a cJSON array of the items.
 */
int gitops_kube_list(cJSON **out, struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
		     const char *label_selector, int limit, struct gitops_err *err);

/*
 * The same LIST, one page in memory at a time: fn gets each item (and owns
 * it) as its page arrives.  fn returning -1 (with err) stops the LIST.
 */
typedef int (*gitops_kube_item_fn)(void *ctx, cJSON *item, struct gitops_err *err);
int gitops_kube_list_each(struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
			  const char *label_selector, int limit, gitops_kube_item_fn fn, void *ctx, struct gitops_err *err);

/*
 * The live objects of r in ns named names[0..n) (sorted as strcmp sorts),
 * from one LIST read a page at a time: fn gets each with its index into
 * names (and owns it); the others are dropped as they arrive.  What a
 * client that knows many objects of one kind in one namespace reads instead
 * of a GET each, in the memory of one page.
 */
typedef int (*gitops_kube_named_fn)(void *ctx, size_t index, cJSON *item, struct gitops_err *err);
int gitops_kube_list_named(struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
			   const char *const *names, size_t n, gitops_kube_named_fn fn, void *ctx, struct gitops_err *err);

/*
 * DELETE with a propagation policy ("Background", "Foreground", "Orphan"; NULL: the
 * server's default).  0 when deleted or already gone (*existed says which), -1 on error.
 */
int gitops_kube_delete(struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns, const char *name,
		       const char *propagation, int dry_run, int *existed, struct gitops_err *err);

/* Fill q (zeroed first) for such a DELETE, to run among others with gitops_kube_run. 0, or -1 (oom). */
int gitops_kube_delete_request(struct gitops_kube_request *q, const struct gitops_kube_resource *r, const char *ns,
			       const char *name, const char *propagation, int dry_run);

/*
 * Fill q (zeroed first) for a server-side apply of body (JSON text, taken
 * over by q): PATCH application/apply-patch+yaml with fieldManager (escaped),
 * force=true with `force` (conflicts with other managers taken over),
 * dryRun=All with `dry_run`.  0, or -1 (out of memory; body freed).
 */
int gitops_kube_apply_request(struct gitops_kube_request *q, const struct gitops_kube_resource *r, const char *ns,
			      const char *name, char *body, const char *field_manager, int force, int dry_run);

/* Merge-patch the status subresource with `patch` (a JSON object); *out (may be NULL) gets the object. */
int gitops_kube_patch_status(struct gitops_kube *k, const struct gitops_kube_resource *r, const char *ns,
			     const char *name, const cJSON *patch, cJSON **out, struct gitops_err *err);

#endif
